#!/bin/sh
# NPS side by side with numpy (../shared/peers/numpy_nps.py), in one run, alternating A B A B.
#
#   tests/bench/bench_nps.sh BUILD_DIR [RESPONSES] [RUNS] [PEERS_DIR]
#     BUILD_DIR  a build with tests/bench (e.g. build/dev after `cmake --workflow --preset test`)
#     RESPONSES  default 100000000 (1e8); data from gen_events.py --seed 42, cached in /tmp
#     RUNS       default 5
#
# Prints, for each side, the median whole-process wall time (start-up, reading the file and
# counting: what a user waits for) and the median kernel time (counting only, data in memory:
# np.bincount for numpy, the same work numpy_nps.py does), then the ratios of the medians. Checks that both sides print
# the same counts. Uses Debian's /usr/bin/python3 (python3-numpy).
set -eu
build=${1:?usage: bench_nps.sh BUILD_DIR [RESPONSES] [RUNS] [PEERS_DIR]}
responses=${2:-100000000}
runs=${3:-5}
here=$(cd "$(dirname "$0")" && pwd)
peers=${4:-$here/../../../shared/peers}
py=/usr/bin/python3
data=/tmp/rtn_bench_nps_$responses
bench=$build/tests/bench/bench_nps

[ -x "$bench" ] || { echo "no $bench: build first"; exit 1; }
if [ ! -f "$data/nps.u8" ]; then
    $py "$peers/gen_events.py" --out "$data" --events 0 --responses "$responses" --subjects 0 \
        --no-csv >/dev/null
fi
cat "$data/nps.u8" >/dev/null # into the page cache for both sides

now() { date +%s.%N; }
# numpy's kernel, timed in-process like bench_nps times the library's: median of 3 bincounts
np_kernel='import sys, time, numpy as np
s = np.fromfile(sys.argv[1] + "/nps.u8", dtype=np.uint8)
t = []
for _ in range(3):
    t0 = time.perf_counter(); np.bincount(s, minlength=11); t.append(time.perf_counter() - t0)
print(sorted(t)[1])'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=0
while [ $i -lt "$runs" ]; do
    t0=$(now); "$bench" "$data" 3 >"$tmp/lib.out"; t1=$(now)
    $py "$peers/numpy_nps.py" "$data" >"$tmp/np.out"; t2=$(now)
    echo "$t0 $t1" | awk '{print $2 - $1}' >>"$tmp/lib.wall"
    echo "$t1 $t2" | awk '{print $2 - $1}' >>"$tmp/np.wall"
    sed -n 's/^kernel: median \([0-9.]*\) s.*/\1/p' "$tmp/lib.out" >>"$tmp/lib.kernel"
    $py -c "$np_kernel" "$data" >>"$tmp/np.kernel"
    i=$((i + 1))
done
lib_counts=$(head -n 1 "$tmp/lib.out" | cut -d' ' -f1-4)
np_counts=$(cut -d' ' -f1-4 "$tmp/np.out")
[ "$lib_counts" = "$np_counts" ] || { echo "MISMATCH: '$lib_counts' vs '$np_counts'"; exit 1; }

median() { sort -g "$1" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
lw=$(median "$tmp/lib.wall"); nw=$(median "$tmp/np.wall")
lk=$(median "$tmp/lib.kernel"); nk=$(median "$tmp/np.kernel")
echo "NPS, $responses responses, $runs alternating runs, same counts: $lib_counts"
echo "numpy_nps.py   whole process  median $nw s   kernel (bincount) median $nk s"
echo "libretention   whole process  median $lw s   kernel median $lk s = $(echo "$responses $lk" | awk '{printf "%.2f GB/s", $1 / $2 / 1e9}')"
echo "ratio numpy / libretention: whole process $(echo "$nw $lw" | awk '{printf "%.1fx", $1 / $2}'), kernel $(echo "$nk $lk" | awk '{printf "%.1fx", $1 / $2}')"
