#!/bin/sh
# The old-headers check (ctest "abi_old_headers"): programs compiled against the baseline's
# headers must run against the library built now. lib/abi/include/ is the public headers as they
# were when lib/abi/retention.abi was made (check_abi.sh --update copies them); every example
# program is compiled against those headers and against today's, both linked with the built
# libretention.so, and run on the sample data: the outputs must be identical. A struct, enum or
# signature changed since the baseline without a new function shows up here as a build failure
# or a different run, next to abidiff's verdict in abi_check.
# Usage: check_abi_headers.sh LIBRARY SOURCE_DIR C_COMPILER
set -eu
lib=$1
src=$2
cc=$3
old=$src/lib/abi/include
[ -f "$old/retention.h" ] || { echo "FAIL: no baseline headers in $old (check_abi.sh --update)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
libdir=$(dirname "$lib")

. "$src/tests/examples.sh"
mkdir -p "$tmp/old" "$tmp/new"
for ex in $EXAMPLES; do
    for side in old new; do
        inc=$old
        [ $side = new ] && inc=$src/include
        "$cc" -std=c99 -Wall -Wextra -Werror -I"$inc" "$src/examples/c/$ex.c" -L"$libdir" \
            -lretention -Wl,-rpath,"$libdir" -o "$tmp/$side/$ex"
    done
    ldd "$tmp/old/$ex" | grep -q "$libdir/libretention.so.1" ||
        { echo "FAIL: $ex does not load $libdir/libretention.so.1"; exit 1; }
done
# the same library through either set of headers: the same output, byte for byte
output_of() { run_examples_verbose "$1" >"$2" 2>&1; }
output_of "$tmp/old" "$tmp/old.out"
output_of "$tmp/new" "$tmp/new.out"
if ! cmp -s "$tmp/old.out" "$tmp/new.out"; then
    diff "$tmp/old.out" "$tmp/new.out" | sed -n 1,40p
    echo "FAIL: examples built with the baseline headers print something else than with today's"
    exit 1
fi
changed=$(diff -rq "$old" "$src/include" | wc -l)
echo "ABI ok: $(echo $EXAMPLES | wc -w) examples built with the baseline headers ran against the" \
     "new library, output identical to today's headers ($changed header files changed since)"
