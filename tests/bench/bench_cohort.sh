#!/bin/sh
# Cohort table side by side with pandas (../shared/peers/pandas_cohort.py), in one run,
# alternating A B A B.
#
#   tests/bench/bench_cohort.sh [--no-peer] BUILD_DIR [EVENTS] [CUSTOMERS] [RUNS] [PEERS_DIR]
#     BUILD_DIR  a build with tests/bench (e.g. build/dev)
#     EVENTS     default 10000000 (1e7); CUSTOMERS default EVENTS / 10
#     RUNS       default 5
#     --no-peer  run the library only (for sizes where pandas would take too long)
#   Data: gen_events.py --seed 42 --days 720 (24 whole 30-day months), cached in
#   /tmp/rtn_bench_cohort_EVENTS_CUSTOMERS.
#
# Each run times, as whole processes (what a user waits for: start-up, reading events.bin, the
# table, printing), `bench_cohort DATA 1 --full` (one read, one build) and
# `pandas_cohort.py DATA --full`; then pandas' kernel in-process: the recipe lines only, on a
# DataFrame already loaded, median of 3. Those build the same table: customer counts. Each run
# then times the revenue table as well: `bench_cohort DATA 1 --amounts` against the recipe with
# one more line, the sum of the amounts per cell (in-process, median of 3). Every run checks
# that both print the same counts: the summary's count fields and r[c,k] exactly, ret_sum to
# 1e-9, and every cell of the count matrix that is not censored (a censored cell must be 0 in
# pandas, which cannot tell it from a true 0), and that the revenue table's counts are the
# count table's.
# Prints medians over the runs: whole process and peak RSS of each side, the library's kernel
# (create + add + finish), its read floor (fread + split into columns) and their ratio, and the
# ratios pandas / libretention, for the count table and for the revenue table; then one
# in-process run of bench_cohort with 5 repetitions.
# Uses Debian's /usr/bin/python3 (python3-pandas) and /usr/bin/time for peak RSS.
set -eu
peer=1
if [ "${1:-}" = "--no-peer" ]; then peer=0; shift; fi
usage="usage: bench_cohort.sh [--no-peer] BUILD_DIR [EVENTS] [CUSTOMERS] [RUNS] [PEERS_DIR]"
build=${1:?$usage}
events=${2:-10000000}
customers=${3:-$((events / 10))}
runs=${4:-5}
here=$(cd "$(dirname "$0")" && pwd)
peers=${5:-$here/../../../shared/peers}
py=/usr/bin/python3
data=/tmp/rtn_bench_cohort_${events}_${customers}
bench=$build/tests/bench/bench_cohort

[ -x "$bench" ] || { echo "no $bench: build first"; exit 1; }
if [ ! -f "$data/events.bin" ]; then
    $py "$peers/gen_events.py" --out "$data" --events "$events" --customers "$customers" \
        --responses 0 --subjects 0 --no-csv --days 720 >/dev/null
fi
cat "$data/events.bin" >/dev/null # into the page cache for both sides

now() { date +%s.%N; }
timed() { # timed WALL_FILE RSS_FILE OUT_FILE cmd...: wall seconds and peak RSS (MiB) appended
    wall=$1 rss=$2 out=$3
    shift 3
    t0=$(now)
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f %M -o "$tmp/rss.kib" "$@" >"$out"
    else
        "$@" >"$out"
        echo 0 >"$tmp/rss.kib"
    fi
    t1=$(now)
    echo "$t0 $t1" | awk '{print $2 - $1}' >>"$wall"
    awk '{printf "%.0f\n", $1 / 1024}' "$tmp/rss.kib" >>"$rss"
}
# pandas' kernel, timed in-process like bench_cohort times the library's: the recipe lines of
# pandas_cohort.py on a freshly built DataFrame (outside the timer), median of 3; with a second
# argument "amounts", also the revenue per cell
pd_kernel='import sys, time, numpy as np, pandas as pd
dt = np.dtype([("customer_id", "<i8"), ("day", "<i4"), ("reserved", "<u4"), ("amount", "<f8")])
rec = np.fromfile(sys.argv[1] + "/events.bin", dtype=dt)
amounts = len(sys.argv) > 2
cols = {"customer_id": rec["customer_id"].copy(), "day": rec["day"].copy()}
if amounts:
    cols["amount"] = rec["amount"].copy()
del rec
t = []
for _ in range(3):
    df = pd.DataFrame(cols)
    t0 = time.perf_counter()
    df["month"] = df["day"] // 30
    df["cohort"] = df.groupby("customer_id")["month"].transform("min")
    df["period"] = df["month"] - df["cohort"]
    counts = (df.groupby(["cohort", "period"])["customer_id"].nunique()
                .unstack("period").fillna(0).astype(np.int64))
    if amounts:
        revenue = df.groupby(["cohort", "period"])["amount"].sum().unstack("period").fillna(0)
    sizes = counts[0]
    retention = counts.divide(sizes, axis=0)
    t.append(time.perf_counter() - t0)
    del df, counts, sizes, retention
print("%.6f" % sorted(t)[1])'
# compare LIB_OUT PANDAS_OUT: exit 1 with a message unless the counts agree
compare() {
    awk '
    function kv(line, arr,   i, n, f, p) {
        n = split(line, f, " ")
        for (i = 1; i <= n; i++) { p = index(f[i], "="); arr[substr(f[i], 1, p - 1)] = substr(f[i], p + 1) }
    }
    FNR == 1 { if (NR == 1) kv($0, L); else kv($0, P); next }
    $1 == "cohort" {
        row = $2; sub(":", "", row)
        for (k = 3; k <= NF; k++) { if (NR == FNR) LC[row, k - 3] = $k; else PC[row, k - 3] = $k }
        if (NR == FNR) lrows[row] = NF - 2; else prows[row] = NF - 2
    }
    END {
        bad = ""
        split("cohorts periods customers events cells_nonzero sum_counts wsum_counts", keys, " ")
        for (i = 1; i <= 7; i++) if (L[keys[i]] != P[keys[i]]) bad = bad " " keys[i] "=" L[keys[i]] "/" P[keys[i]]
        split("r[0,1] r[0,6] r[0,12] r[6,1] r[12,3]", cells, " ")
        for (i = 1; i <= 5; i++) {
            l = L[cells[i]]; p = P[cells[i]]
            if (l != p && !(l == "censored" && p + 0 == 0)) bad = bad " " cells[i] "=" l "/" p
        }
        d = L["ret_sum"] - P["ret_sum"]; if (d < 0) d = -d
        if (d > 1e-9 * (P["ret_sum"] < 0 ? -P["ret_sum"] : P["ret_sum"])) bad = bad " ret_sum=" L["ret_sum"] "/" P["ret_sum"]
        cens = 0; checked = 0
        for (row in prows) {
            if (!(row in lrows) || lrows[row] != prows[row]) { bad = bad " row " row; continue }
            for (k = 0; k < prows[row]; k++) {
                l = LC[row, k]; p = PC[row, k]
                if (l == "-") { cens++; if (p != "0") bad = bad " cell[" row "," k "]=censored/" p }
                else { checked++; if (l != p) bad = bad " cell[" row "," k "]=" l "/" p }
            }
        }
        for (row in lrows) if (!(row in prows)) bad = bad " row " row
        if (bad != "") { print "MISMATCH:" bad; exit 1 }
        printf "%d non-censored cells equal, %d censored cells (0 in pandas)\n", checked, cens
    }' "$1" "$2"
}
median() { sort -g "$1" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=0
while [ $i -lt "$runs" ]; do
    timed "$tmp/lib.wall" "$tmp/lib.rss" "$tmp/lib.out" "$bench" "$data" 1 --full
    sed -n 's/^kernel: median \([0-9.]*\) s.*read floor \([0-9.]*\) s.*/\1 \2/p' "$tmp/lib.out" \
        >"$tmp/lib.kf"
    cut -d' ' -f1 "$tmp/lib.kf" >>"$tmp/lib.kernel"
    cut -d' ' -f2 "$tmp/lib.kf" >>"$tmp/lib.floor"
    if [ $peer = 1 ]; then
        timed "$tmp/pd.wall" "$tmp/pd.rss" "$tmp/pd.out" $py "$peers/pandas_cohort.py" "$data" --full
        if ! compare "$tmp/lib.out" "$tmp/pd.out" >"$tmp/agree"; then
            cat "$tmp/agree"
            exit 1
        fi
        $py -c "$pd_kernel" "$data" >>"$tmp/pd.kernel"
    fi
    timed "$tmp/rev.wall" "$tmp/rev.rss" "$tmp/rev.out" "$bench" "$data" 1 --amounts
    sed -n 's/^kernel: median \([0-9.]*\) s.*/\1/p' "$tmp/rev.out" >>"$tmp/rev.kernel"
    if [ "$(head -n 1 "$tmp/rev.out")" != "$(head -n 1 "$tmp/lib.out")" ]; then
        echo "MISMATCH: the revenue table's counts differ from the count table's"
        exit 1
    fi
    if [ $peer = 1 ]; then
        $py -c "$pd_kernel" "$data" amounts >>"$tmp/pdrev.kernel"
    fi
    i=$((i + 1))
done

lw=$(median "$tmp/lib.wall"); lr=$(median "$tmp/lib.rss")
lk=$(median "$tmp/lib.kernel"); lf=$(median "$tmp/lib.floor")
rw=$(median "$tmp/rev.wall"); rr=$(median "$tmp/rev.rss"); rk=$(median "$tmp/rev.kernel")
summary=$(head -n 1 "$tmp/lib.out")
vs=""
if [ $peer = 1 ]; then vs=", alternating with pandas"; fi
echo "Cohort table, $events events / $customers customers (720 days, 30-day periods), $runs runs$vs"
echo "  $summary"
sed -n 2p "$tmp/rev.out" | sed 's/^/  /'
if [ $peer = 1 ]; then
    echo "  counts agree in every run: $(cat "$tmp/agree")"
    pw=$(median "$tmp/pd.wall"); pr=$(median "$tmp/pd.rss"); pk=$(median "$tmp/pd.kernel")
    echo "pandas_cohort.py  whole process median $pw s, peak RSS $pr MiB;  kernel (recipe lines, in-process, median of 3) median $pk s"
fi
echo "libretention      whole process median $lw s, peak RSS $lr MiB;  kernel (create+add+finish) median $lk s = $(echo "$events $lk" | awk '{printf "%.2f M events/s", $1 / $2 / 1e6}')"
echo "                  read floor (fread + split into columns) median $lf s; kernel/floor ratio $(echo "$lk $lf" | awk '{printf "%.2f", $1 / $2}')"
echo "  with revenue   whole process median $rw s, peak RSS $rr MiB;  kernel median $rk s = $(echo "$events $rk" | awk '{printf "%.2f M events/s", $1 / $2 / 1e6}')"
if [ $peer = 1 ]; then
    prk=$(median "$tmp/pdrev.kernel")
    echo "pandas recipe + revenue per cell: kernel median $prk s"
    echo "ratio pandas / libretention, count table: whole process $(echo "$pw $lw" | awk '{printf "%.1fx", $1 / $2}'), kernel $(echo "$pk $lk" | awk '{printf "%.1fx", $1 / $2}')"
    echo "ratio pandas / libretention, with revenue: kernel $(echo "$prk $rk" | awk '{printf "%.1fx", $1 / $2}') (against the count recipe: $(echo "$pk $rk" | awk '{printf "%.1fx", $1 / $2}'))"
fi
echo "libretention in one process, 5 repetitions (bench_cohort DATA 5):"
"$bench" "$data" 5 | tail -n 3 | sed 's/^/  /'
echo "and with revenue (bench_cohort DATA 5 --amounts):"
"$bench" "$data" 5 --amounts | tail -n 3 | sed 's/^/  /'
