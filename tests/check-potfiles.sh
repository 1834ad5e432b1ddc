#!/bin/sh
# Every file with strings marked for translation must be listed in po/POTFILES.in.
set -eu
top=$1
cd "$top"
missing=0
for f in $(grep -rlE '(^|[^A-Za-z0-9_])N?_\(|translatable="yes"' src ui --include='*.c' \
           --include='*.ui' | sort); do
    if ! grep -qx "$f" po/POTFILES.in; then
        echo "$f has translatable strings but is not in po/POTFILES.in"
        missing=1
    fi
done
for f in $(grep -v '^#' po/POTFILES.in); do
    if [ ! -f "$f" ]; then
        echo "po/POTFILES.in lists $f, which does not exist"
        missing=1
    fi
done
exit $missing
