#!/bin/sh
# Runs a ui test on its own virtual X display; -displayfd makes Xvfb pick a free one.
set -eu

if ! command -v Xvfb >/dev/null 2>&1; then
    echo "Xvfb is not installed (Debian package xvfb); the ui tests need it." >&2
    exit 1
fi

dir=$(mktemp -d)
trap 'kill "$xvfb_pid" 2>/dev/null || true; rm -rf "$dir"' EXIT INT TERM
mkfifo "$dir/display"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$dir/display" 2>"$dir/xvfb.log" &
xvfb_pid=$!
read -r number <"$dir/display"
if [ -z "$number" ]; then
    cat "$dir/xvfb.log" >&2
    echo "Xvfb did not start." >&2
    exit 1
fi
DISPLAY=":$number"
export DISPLAY
"$@"
