#!/bin/sh
# The README's engine table names every engine source file, and only files that exist.
set -eu
top=$1
failed=0
for f in "$top"/src/engine/*.c; do
    name=$(basename "$f" .c)
    if ! grep -q "^| \`$name\` | " "$top/README.md"; then
        echo "not ok: README.md's engine table does not list $name"
        failed=1
    fi
done
for name in $(sed -n 's/^| `\(svirt-[a-z0-9-]*\)` | .*/\1/p' "$top/README.md"); do
    if [ ! -f "$top/src/engine/$name.c" ]; then
        echo "not ok: README.md's engine table lists $name, which has no source file"
        failed=1
    fi
done
[ "$failed" = 0 ] && echo "ok: README.md lists every engine file"
exit $failed
