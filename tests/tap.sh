# TAP output for the shell tests: source it, call check / ok / not_ok, end with tap_end.
# $work is a scratch directory removed at exit; a script may define diagnostics(), whose output
# lines follow a failed check.
# shellcheck shell=bash
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
failures=0

ok() {
    n=$((n + 1))
    echo "ok $n - $1"
}

# not_ok DESCRIPTION [DIAGNOSTIC LINE...]
not_ok() {
    n=$((n + 1))
    failures=$((failures + 1))
    echo "not ok $n - $1"
    shift
    local line
    for line in "$@"; do
        printf '# %s\n' "$line"
    done
}

diagnostics() {
    :
}

# check DESCRIPTION COMMAND [ARG...]: ok when COMMAND succeeds.
check() {
    local desc=$1
    local lines=()
    shift
    if "$@"; then
        ok "$desc"
    else
        mapfile -t lines < <(diagnostics)
        not_ok "$desc" "failed: $*" "${lines[@]}"
    fi
}

tap_end() {
    echo "1..$n"
    [ "$failures" -eq 0 ]
}
