# TAP output for the shell tests: source it, call ok / not_ok, end with tap_end.
# shellcheck shell=bash
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

tap_end() {
    echo "1..$n"
    [ "$failures" -eq 0 ]
}
