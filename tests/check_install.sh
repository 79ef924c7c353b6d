#!/bin/sh
# The install check (ctest "install_check"): installs the build into a temporary prefix, then
# builds what a user would build against it, using only what the install provides:
#   - every example, with `cc $(pkg-config --cflags --libs retention)`, run against the .so;
#   - every example fully static, with `cc -static $(pkg-config --static --cflags --libs ...)`
#     (which fails if Libs.private lacks -lm);
#   - tests/consumer, a CMake project using find_package(retention), shared and static.
# Usage: check_install.sh BUILD_DIR SOURCE_DIR C_COMPILER CMAKE
set -eu
build=$1
src=$2
cc=$3
cmake=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log"
pc=$(find "$prefix" -name retention.pc)
[ -n "$pc" ] || { echo "FAIL: retention.pc not installed"; exit 1; }
libdir=$(dirname "$(dirname "$pc")")
export PKG_CONFIG_PATH="$(dirname "$pc")"
for f in include/retention.h include/retention/core.h; do
    [ -f "$prefix/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
ls "$libdir"/libretention.so.1 "$libdir"/libretention.a >/dev/null
[ "$(pkg-config --modversion retention)" = "$(sed -n 's/^#define RTN_VERSION_STRING "\(.*\)"/\1/p' "$src/include/retention/core.h")" ] ||
    { echo "FAIL: pkg-config version differs from the header's"; exit 1; }
pkg-config --static --libs retention | grep -q -- '-lm' || { echo "FAIL: Libs.private lacks -lm"; exit 1; }

. "$src/tests/examples.sh"
mkdir -p "$tmp/shared" "$tmp/static"
for ex in $EXAMPLES; do
    # shellcheck disable=SC2046
    "$cc" -std=c99 -Wall -Wextra -Werror "$src/examples/c/$ex.c" $(pkg-config --cflags --libs retention) \
        -o "$tmp/shared/$ex"
    # shellcheck disable=SC2046
    "$cc" -std=c99 -static "$src/examples/c/$ex.c" $(pkg-config --static --cflags --libs retention) \
        -o "$tmp/static/$ex"
done
LD_LIBRARY_PATH=$libdir run_examples "$tmp/shared"
env -u LD_LIBRARY_PATH sh -c "ldd '$tmp/static/clv_report' 2>&1 | grep -q 'not a dynamic'" ||
    { echo "FAIL: the -static example is dynamically linked"; exit 1; }
run_examples "$tmp/static"
echo "pkg-config: examples built and ran, shared and static"

"$cmake" -S "$src/tests/consumer" -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_C_COMPILER="$cc" >"$tmp/consumer.log" 2>&1 || { cat "$tmp/consumer.log"; exit 1; }
"$cmake" --build "$tmp/consumer" >>"$tmp/consumer.log" 2>&1 || { cat "$tmp/consumer.log"; exit 1; }
"$tmp/consumer/consumer"
"$tmp/consumer/consumer_static"
# the shared consumer must really use the installed .so (found through its RPATH)
ldd "$tmp/consumer/consumer" | grep -q "$libdir/libretention.so.1" ||
    { echo "FAIL: consumer does not load the installed library"; ldd "$tmp/consumer/consumer"; exit 1; }
echo "find_package(retention): consumer built and ran, shared and static"

# The C++17 example, also a find_package project of its own.
if command -v c++ >/dev/null 2>&1; then
    "$cmake" -S "$src/examples/cpp" -B "$tmp/cpp" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_CXX_FLAGS="-Wall -Wextra -Wpedantic -Werror" >"$tmp/cpp.log" 2>&1 &&
        "$cmake" --build "$tmp/cpp" >>"$tmp/cpp.log" 2>&1 || { cat "$tmp/cpp.log"; exit 1; }
    out=$("$tmp/cpp/survey_cpp" "$src/examples/data/survey.csv")
    echo "$out"
    echo "$out" | grep -q "NPS 18.875 .* over 800 responses" || { echo "FAIL: C++ example"; exit 1; }
    echo "$out" | grep -q "rejected as expected: score 11 at index 2" || { echo "FAIL: C++ error path"; exit 1; }
    # cohorts with RAII handles: week 0 keeps 10 of 15 customers in weeks 1-2 and 5 in weeks 3-4
    out=$("$tmp/cpp/cohort_cpp")
    echo "$out"
    echo "$out" | grep -q "week 0 (15):  100   67   67   33   33    0    0    0" &&
        echo "$out" | grep -q "week 3 (15):  100  100   67   67   33    -    -    -" &&
        echo "$out" | grep -q "rejected as expected: time at index 0" || { echo "FAIL: C++ cohort example"; exit 1; }
fi
# The command-line tool is installed too.
"$prefix/bin/retention" --version | grep -q "^retention 1\." || { echo "FAIL: retention not installed"; exit 1; }
