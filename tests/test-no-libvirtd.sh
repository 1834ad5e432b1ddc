#!/bin/bash
# Test binaries that need libvirtd, run where it cannot be reached (SVM_TEST_URI names a socket
# that does not exist): each skips as a whole before any test runs and says why in one line.
# Usage: test-no-libvirtd.sh TEST-BINARY... TAP output.
set -uo pipefail

if [ $# -eq 0 ]; then
    echo "usage: test-no-libvirtd.sh TEST-BINARY..." >&2
    exit 2
fi
# shellcheck source=tests/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

diagnostics() {
    echo "exit status: $status"
    echo "stdout: $(cat "$work/out")"
    echo "stderr: $(cat "$work/err")"
}

# One line, and it is the reason.
says_why() {
    [ "$(wc -l <"$1")" -eq 1 ] &&
        grep -qF "libvirtd is not reachable at $uri (" "$1" &&
        grep -qF 'start it with `libvirtd -d`' "$1"
}

uri="qemu+unix:///system?socket=$work/no-such-libvirt-sock"
export SVM_TEST_URI=$uri
# As meson starts them: not a subprocess of another test binary.
unset SVM_TEST_OWNER
# The skip comes before GTK opens a display; and should a test run, it journals nothing real.
unset DISPLAY WAYLAND_DISPLAY
export SVIRT_STATE_DIR="$work/state"

for test in "$@"; do
    name=$(basename "$test")

    "$test" >"$work/out" 2>"$work/err"
    status=$?
    check "$name: exits 77, skipped" [ $status -eq 77 ]
    check "$name: says why on stderr, in one line" says_why "$work/err"
    check "$name: runs no test" [ ! -s "$work/out" ]

    "$test" --tap >"$work/out" 2>"$work/err"
    status=$?
    check "$name --tap: exits 0, as a TAP harness expects of a skip" [ $status -eq 0 ]
    check "$name --tap: reports the skip in TAP" \
        bash -c "[ \"\$(head -c 12 '$work/out')\" = '1..0 # SKIP ' ] && [ \"\$(wc -l <'$work/out')\" -eq 1 ]"
    check "$name --tap: says why in the skip" says_why "$work/out"
    check "$name --tap: says why on stderr, in one line" says_why "$work/err"
done

tap_end
