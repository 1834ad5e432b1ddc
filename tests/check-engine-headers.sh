#!/bin/sh
# Every engine header compiles on its own, without GTK: the engine is usable by any front end.
set -eu
top=$1
cc=${CC:-cc}
flags=$(pkg-config --cflags glib-2.0 gobject-2.0 gio-2.0 json-glib-1.0 libvirt libvirt-glib-1.0 \
        libxml-2.0 libselinux libsepol)
failed=0
for h in "$top"/src/engine/*.h; do
    # shellcheck disable=SC2086
    if ! printf '#include "%s"\n#ifdef GTK_MAJOR_VERSION\n#error GTK\n#endif\n' "$h" |
        $cc -std=gnu11 -fsyntax-only -Werror -Wall $flags -I"$top/src/engine" -x c - ; then
        echo "not ok: ${h#"$top"/} does not compile on its own without GTK"
        failed=1
    fi
done
[ "$failed" = 0 ] && echo "ok: every engine header compiles on its own without GTK"
exit $failed
