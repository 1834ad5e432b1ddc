#!/bin/bash
# The set-up scripts on a machine that lacks packages: tools/setup's package step runs with
# stand-in dpkg-query, apt-get, sudo and id on PATH, which report packages as missing and
# record what they are asked to do. TAP output.
set -uo pipefail

top=${1:?usage: test-setup.sh SOURCE_ROOT}
# shellcheck source=tests/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

diagnostics() {
    echo "stderr: $(cat "$work/err" 2>/dev/null)"
    echo "apt log: $(cat "$work/apt.log" 2>/dev/null)"
}

# Stand-ins. State lives in files under $work:
#   missing     packages dpkg does not know (one per line)
#   removed     packages dpkg knows but has not installed (status "rc")
#   apt.log     one line per apt-get call: its arguments
#   sudo.log    one line per sudo call
#   apt-fail    if it holds "update" or "install", that apt-get call fails
#   apt-installs  if present, "apt-get install" installs what it is asked for
mkdir -p "$work/bin"
cat >"$work/bin/dpkg-query" <<'EOF'
#!/bin/bash
# Answers "dpkg-query -W -f=FORMAT PKG..." like dpkg: "ii  name" for installed ones,
# "rc  name" for removed ones, and exit 1 with a message for unknown ones.
declare -A missing removed
while read -r p; do [ -n "$p" ] && missing[$p]=1; done <"$STANDIN/missing"
while read -r p; do [ -n "$p" ] && removed[$p]=1; done <"$STANDIN/removed"
rc=0
for arg in "$@"; do
    case "$arg" in -*) continue ;; esac
    if [ -n "${missing[$arg]:-}" ]; then
        echo "dpkg-query: no packages found matching $arg" >&2
        rc=1
    elif [ -n "${removed[$arg]:-}" ]; then
        printf 'rc  %s\n' "$arg"
    else
        printf 'ii  %s\n' "$arg"
    fi
done
exit $rc
EOF
cat >"$work/bin/apt-get" <<'EOF'
#!/bin/bash
echo "$*" >>"$STANDIN/apt.log"
action=
for arg in "$@"; do
    case "$arg" in update|install) action=$arg ;; esac
done
if [ "$(cat "$STANDIN/apt-fail" 2>/dev/null)" = "$action" ]; then
    echo "E: stand-in apt-get $action failed" >&2
    exit 100
fi
if [ "$action" = install ] && [ -e "$STANDIN/apt-installs" ]; then
    : >"$STANDIN/missing"
    : >"$STANDIN/removed"
fi
exit 0
EOF
cat >"$work/bin/sudo" <<'EOF'
#!/bin/bash
echo "$*" >>"$STANDIN/sudo.log"
exec "$@"
EOF
cat >"$work/bin/id" <<'EOF'
#!/bin/bash
if [ "${1:-}" = -u ] && [ -n "${STANDIN_UID:-}" ]; then
    echo "$STANDIN_UID"
else
    exec /usr/bin/id "$@"
fi
EOF
chmod +x "$work/bin/"*

# A PATH with the stand-ins first; "nosudo" is the same PATH without any sudo at all.
mkdir -p "$work/nosudo"
for tool in bash env awk grep sed sort tr cat dirname mktemp rm; do
    ln -sf "$(command -v "$tool")" "$work/nosudo/$tool"
done
for tool in dpkg-query apt-get id; do
    ln -sf "$work/bin/$tool" "$work/nosudo/$tool"
done

reset_state() {
    rm -f "$work/missing" "$work/removed" "$work/apt.log" "$work/sudo.log" \
        "$work/apt-fail" "$work/apt-installs" "$work/err" "$work/out"
    touch "$work/missing" "$work/removed"
}

run_setup() {
    STANDIN="$work" PATH="$work/bin:$PATH" SVM_BUILD_DIR="$work/build" \
        "$top/tools/setup" "$@" >"$work/out" 2>"$work/err"
}

install_line() {
    grep -E '(^| )install( |$)' "$work/apt.log" 2>/dev/null | head -n1
}

# Arguments of the install call that are package names (not options).
installed_args() {
    install_line | tr ' ' '\n' | grep -vE '^(-.*|install|apt-get|env|DEBIAN_FRONTEND=.*)?$' |
        sort
}

one_setup_line() {
    local count
    count=$(grep -c '^setup: ' "$work/err")
    [ "$count" -ge 1 ] && grep '^setup: ' "$work/err" | tail -n1 | grep -qE -- "$1"
}

echo "TAP version 13"

# Every package installed: nothing is asked of apt-get and nothing is printed.
reset_state
run_setup --packages-only
check "all installed: exit 0" [ $? -eq 0 ]
check "all installed: apt-get is not called" [ ! -e "$work/apt.log" ]
check "all installed: silent" [ ! -s "$work/err" ]

# Two unknown packages and one removed one: exactly those three are installed, after an update.
reset_state
printf '%s\n' libvirt-dev xvfb >"$work/missing"
printf '%s\n' meson >"$work/removed"
touch "$work/apt-installs"
run_setup --packages-only
status=$?
check "missing packages: exit 0 once apt-get installed them" [ $status -eq 0 ]
check "missing packages: apt-get update runs first" \
    bash -c "head -n1 '$work/apt.log' | grep -qw update"
check "missing packages: exactly the missing ones are requested" \
    [ "$(installed_args | tr '\n' ' ')" = "libvirt-dev meson xvfb " ]
check "missing packages: the install is non-interactive" \
    bash -c "grep -qw install '$work/apt.log' && grep -q -- '-y' '$work/apt.log'"
check "missing packages: says what it installs" \
    grep -q '^setup: installing: .*libvirt-dev' "$work/err"

# apt-get update fails: one line naming it and what to check.
reset_state
echo xvfb >"$work/missing"
echo update >"$work/apt-fail"
run_setup --packages-only
status=$?
check "update fails: non-zero exit" [ $status -ne 0 ]
check "update fails: names apt-get update and what to check" \
    one_setup_line 'apt-get update failed.*network'
check "update fails: nothing is installed" bash -c "! grep -qw install '$work/apt.log'"

# apt-get install fails: one line naming the packages.
reset_state
echo xvfb >"$work/missing"
echo install >"$work/apt-fail"
run_setup --packages-only
status=$?
check "install fails: non-zero exit" [ $status -ne 0 ]
check "install fails: names apt-get install and the packages" \
    one_setup_line 'apt-get install failed for: xvfb'

# apt-get says it worked but the package is still missing (e.g. held back).
reset_state
echo xvfb >"$work/missing"
run_setup --packages-only
status=$?
check "still missing: non-zero exit" [ $status -ne 0 ]
check "still missing: names the package" one_setup_line 'still not installed.*xvfb'

# Not root, with sudo: apt-get runs through sudo.
reset_state
echo xvfb >"$work/missing"
touch "$work/apt-installs"
STANDIN_UID=1000 run_setup --packages-only
status=$?
check "as a user with sudo: exit 0" [ $status -eq 0 ]
check "as a user with sudo: apt-get runs through sudo" \
    bash -c "grep -q '^apt-get update' '$work/sudo.log' && grep -q 'apt-get install.* xvfb' '$work/sudo.log'"

# Not root, no sudo: says how to get root, asks nothing of apt-get.
reset_state
echo xvfb >"$work/missing"
STANDIN="$work" STANDIN_UID=1000 PATH="$work/nosudo" SVM_BUILD_DIR="$work/build" \
    "$top/tools/setup" --packages-only >"$work/out" 2>"$work/err"
status=$?
check "as a user without sudo: non-zero exit" [ $status -ne 0 ]
check "as a user without sudo: says to run as root or install sudo" \
    one_setup_line 'needs root.*sudo'
check "as a user without sudo: apt-get is not called" [ ! -e "$work/apt.log" ]

# No dpkg-query at all (not a Debian system).
reset_state
rm "$work/nosudo/dpkg-query"
STANDIN="$work" PATH="$work/nosudo" SVM_BUILD_DIR="$work/build" \
    "$top/tools/setup" --packages-only >"$work/out" 2>"$work/err"
status=$?
ln -sf "$work/bin/dpkg-query" "$work/nosudo/dpkg-query"
check "no dpkg-query: non-zero exit" [ $status -ne 0 ]
check "no dpkg-query: says this is for Debian" one_setup_line 'dpkg-query.*Debian'

# Unknown option and --help.
reset_state
run_setup --frobnicate
status=$?
check "unknown option: exit 2 with a hint" \
    bash -c "[ $status -eq 2 ] && grep -q 'unknown option \"--frobnicate\".*--help' '$work/err'"
run_setup --help
check "setup --help: usage on stdout" \
    bash -c "[ $? -eq 0 ] && grep -q '^Usage: tools/setup' '$work/out'"

# tools/run: --help, and no display.
PATH="$work/bin:$PATH" "$top/tools/run" --help >"$work/out" 2>"$work/err"
status=$?
check "run --help: exit 0 with usage" \
    bash -c "[ $status -eq 0 ] && grep -q '^Usage: tools/run' '$work/out'"
reset_state
STANDIN="$work" PATH="$work/bin:$PATH" SVM_BUILD_DIR="$work/build" \
    env -u DISPLAY -u WAYLAND_DISPLAY "$top/tools/run" >"$work/out" 2>"$work/err"
status=$?
check "run without a display: non-zero exit" [ $status -ne 0 ]
check "run without a display: says how to get one" \
    bash -c "grep -c '^run: ' '$work/err' | grep -qx 1 && grep -q '^run: no display.*ssh -X' '$work/err'"
check "run without a display: sets nothing up" [ ! -e "$work/apt.log" ]

# tools/test: a failed set-up ends with the summary line CI reads.
reset_state
echo xvfb >"$work/missing"
echo update >"$work/apt-fail"
STANDIN="$work" PATH="$work/bin:$PATH" SVM_BUILD_DIR="$work/build" \
    "$top/tools/test" >"$work/out" 2>"$work/err"
status=$?
check "test with a failed set-up: non-zero exit" [ $status -ne 0 ]
check "test with a failed set-up: names the failure" \
    bash -c "grep -q '^setup: apt-get update failed' '$work/err' && grep -q '^test: set-up failed' '$work/err'"
check "test with a failed set-up: last line is the summary" \
    bash -c "[ \"\$(tail -n1 '$work/out')\" = '0 passed, 1 failed' ]"

tap_end
