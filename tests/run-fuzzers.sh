#!/bin/sh
# Builds each libFuzzer target with clang under AddressSanitizer and runs it for a bounded time.
# Usage: run-fuzzers.sh SOURCE_ROOT BUILD_ROOT SECONDS TARGET...
set -eu
src=$1
build=$2
seconds=$3
shift 3

if ! command -v clang >/dev/null 2>&1; then
    echo "clang is not installed (Debian packages clang, libclang-rt-14-dev)." >&2
    exit 1
fi
out="$build/fuzz"
mkdir -p "$out"
cflags=$(pkg-config --cflags glib-2.0 gobject-2.0 gio-2.0 json-glib-1.0 libselinux libsepol \
         libxml-2.0 libvirt)
libs=$(pkg-config --libs glib-2.0 gobject-2.0 gio-2.0 json-glib-1.0 libselinux libsepol \
       libxml-2.0 libvirt)

for target in "$@"; do
    # Each target names the engine sources it needs on its first line: "/* fuzz: a.c b.c */".
    sources=$(sed -n '1s|^/\* fuzz: \(.*\) \*/$|\1|p' "$src/tests/$target.c")
    engine=""
    for s in $sources; do
        engine="$engine $src/src/engine/$s"
    done
    # shellcheck disable=SC2086
    clang -g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -I"$build" -I"$src/src/engine" $cflags -DG_LOG_DOMAIN='"svirt-engine"' \
        -o "$out/$target" "$src/tests/$target.c" $engine $libs -lm
    corpus="$out/$target-corpus"
    mkdir -p "$corpus"
    if [ -d "$src/tests/corpus/$target" ]; then
        cp -n "$src/tests/corpus/$target"/* "$corpus"/ 2>/dev/null || true
    fi
    echo "running $target for ${seconds}s"
    ASAN_OPTIONS=detect_leaks=1 "$out/$target" -max_total_time="$seconds" -timeout=10 \
        -artifact_prefix="$out/" \
        -rss_limit_mb=2048 -print_final_stats=1 "$corpus" 2>"$out/$target.log" || {
        tail -60 "$out/$target.log" >&2
        echo "$target found a crash; the reproducer is in $out" >&2
        exit 1
    }
    tail -12 "$out/$target.log"
done
