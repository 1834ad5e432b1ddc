#!/bin/sh
# Builds an SELinux policy package with the reference policy's development Makefile, which
# works in the current directory: build-module.sh MAKEFILE OUTPUT.pp SOURCES...
set -eu
makefile=$1
output=$2
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$@" "$work"/
name=$(basename "$output" .pp)
make -s -C "$work" -f "$makefile" "$name.pp" >&2
cp "$work/$name.pp" "$output"
