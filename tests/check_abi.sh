#!/bin/sh
# The ABI gate (ctest "abi_check"): the built libretention.so must
#   1. carry SONAME libretention.so.1,
#   2. export exactly the symbols (with their version nodes) listed in lib/abi/retention.symbols,
#   3. be ABI-compatible with the baseline lib/abi/retention.abi: abidiff --no-added-syms exits 0
#      (it exits 4 for an ABI change such as a parameter's type, 8 or 12 for incompatible ones).
# Usage: check_abi.sh LIBRARY SOURCE_DIR [--update]
#   --update rewrites the baseline, the symbol list and the baseline's headers (lib/abi/include)
#   from LIBRARY (a -g build): run it when a release adds functions, and commit the result
#   together with the version script.
set -eu
lib=$1
src=$2
abi_dir=$src/lib/abi
baseline=$abi_dir/retention.abi
symbols=$abi_dir/retention.symbols
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "T rtn_x@@RETENTION_1.0" lines, sorted; the version node itself is the "A" line.
nm -D --defined-only "$lib" | awk '{print $2, $3}' | LC_ALL=C sort >"$tmp/symbols"
abidw --no-corpus-path --drop-private-types --headers-dir "$src/include" \
      --out-file "$tmp/retention.abi" "$lib"

if [ "${3:-}" = "--update" ]; then
    mkdir -p "$abi_dir"
    cp "$tmp/symbols" "$symbols"
    cp "$tmp/retention.abi" "$baseline"
    # the headers of this baseline, for check_abi_headers.sh
    rm -rf "$abi_dir/include"
    cp -R "$src/include" "$abi_dir/include"
    echo "updated $symbols, $baseline and $abi_dir/include"
    exit 0
fi

status=0
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
if [ "$soname" != "libretention.so.1" ]; then
    echo "FAIL: SONAME is '$soname', expected libretention.so.1"
    status=1
fi
if ! diff -u "$symbols" "$tmp/symbols"; then
    echo "FAIL: exported symbols differ from $symbols (- committed, + built)."
    echo "      Only rtn_ symbols may be exported, each in lib/retention.map and this list."
    status=1
fi
if grep -v ' rtn_[a-z0-9_]*@@RETENTION_[0-9.]*$' "$tmp/symbols" | grep -v '^A RETENTION_'; then
    echo "FAIL: the symbols above are exported but are not rtn_ functions in a version node"
    status=1
fi
set +e
abidiff --no-added-syms "$baseline" "$tmp/retention.abi" >"$tmp/report"
rc=$?
set -e
if [ $rc -ne 0 ]; then
    cat "$tmp/report"
    echo "FAIL: abidiff exited $rc against $baseline: a released interface changed."
    echo "      Never change a released signature or struct; add a new function instead."
    status=1
fi
[ $status -eq 0 ] && echo "ABI ok: SONAME, $(wc -l <"$tmp/symbols") exported symbols, abidiff clean"
exit $status
