#!/bin/sh
# MRR bridge (retention/mrr.h) side by side with pandas (tests/bench/pandas_mrr.py), in one run,
# alternating A B A B.
#
#   tests/bench/bench_mrr.sh [--no-peer] [--cents] BUILD_DIR [EVENTS] [CUSTOMERS] [RUNS] [PEERS_DIR]
#     BUILD_DIR  a build with tests/bench (e.g. build/dev)
#     EVENTS     default 10000000 (1e7); CUSTOMERS default EVENTS / 10
#     RUNS       default 5
#     --no-peer  run the library only
#     --cents    mrr = the amount in whole cents instead of dollars (both sides), the case where
#                mrr.h promises an exact bridge; see "Known disagreement" below
#   Data: ../shared/peers/gen_events.py --seed 42 --days 720 (24 whole 30-day periods), cached in
#   /tmp/rtn_bench_mrr_EVENTS_CUSTOMERS. Rows: every event, period = day // 30, mrr = amount.
#
# Each run times, as whole processes (start-up, reading events.bin, the bridge, printing),
# A `bench_mrr DATA 1 --full --no-builder` (one read, one rtn_mrr_table_build) and
# B `pandas_mrr.py DATA --full` (one read, one compute), with /usr/bin/time for peak RSS, and
# takes each side's in-process split: the library's kernel (rtn_mrr_table_build) and read floor
# (fread + split into columns), pandas' compute (the DataFrame of rows to the per-period columns)
# and read (np.fromfile + the DataFrame). Every run checks that the two outputs agree: every
# key=value of the summary lines and of the per-period lines (--full), customer counts, window
# and *_defined exactly, amounts and rates to a relative 1e-9, "nan" where undefined on both
# sides. A mismatch does not stop the runs (the timings are still worth having): the differing keys
# of the first mismatching run are printed after the timings and the script exits 1.
#
# Known disagreement (dollars, not --cents): a handful of expansion and contraction counts
# differ (1 of ~124k expansions at 1e6 events), and the check allows it (at most 5 + 1e-4 of the
# count, reported). The library's m(c, p) is the exact sum of a customer's rows rounded once
# (mrr.h); pandas' groupby sum is not always correctly rounded: 10.55 + 7.02 + 7.33 and
# 6.53 + 12.65 + 5.72 are equal exactly and correctly rounded, but 24.9 vs 24.900000000000002 in
# pandas, a false expansion. In whole cents both sides agree exactly.
# Prints medians over the runs and the ratios pandas / libretention, then one in-process run of
# each with repetitions: bench_mrr DATA 5 (table build and chunked builder, 2^20-row adds) and
# pandas_mrr.py DATA 3.
# Uses Debian's /usr/bin/python3 (python3-pandas) and /usr/bin/time for peak RSS.
set -eu
peer=1
unit=""
while [ $# -gt 0 ]; do
    case $1 in
    --no-peer) peer=0; shift ;;
    --cents) unit=--cents; shift ;;
    *) break ;;
    esac
done
usage="usage: bench_mrr.sh [--no-peer] [--cents] BUILD_DIR [EVENTS] [CUSTOMERS] [RUNS] [PEERS_DIR]"
build=${1:?$usage}
events=${2:-10000000}
customers=${3:-$((events / 10))}
runs=${4:-5}
here=$(cd "$(dirname "$0")" && pwd)
peers=${5:-$here/../../../shared/peers}
py=/usr/bin/python3
data=/tmp/rtn_bench_mrr_${events}_${customers}
bench=$build/tests/bench/bench_mrr
peer_py=$here/pandas_mrr.py

[ -x "$bench" ] || { echo "no $bench: build first"; exit 1; }
if [ ! -f "$data/events.bin" ]; then
    $py "$peers/gen_events.py" --out "$data" --events "$events" --customers "$customers" \
        --responses 0 --subjects 0 --no-csv --days 720 >/dev/null
fi
cat "$data/events.bin" >/dev/null # into the page cache for both sides

now() { date +%s.%N; }
timed() { # timed NAME cmd...: wall seconds and peak RSS (MiB) appended to $tmp/NAME.{wall,rss}
    name=$1
    shift
    t0=$(now)
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f %M -o "$tmp/rss.kib" "$@" >"$tmp/$name.out" ||
            { echo "FAILED: $*"; exit 1; }
    else
        "$@" >"$tmp/$name.out" || { echo "FAILED: $*"; exit 1; }
        echo 0 >"$tmp/rss.kib"
    fi
    t1=$(now)
    echo "$t0 $t1" | awk '{print $2 - $1}' >>"$tmp/$name.wall"
    awk '{printf "%.0f\n", $1 / 1024}' "$tmp/rss.kib" >>"$tmp/$name.rss"
}
# compare LIB_OUT PANDAS_OUT: exit 1, listing every differing key, unless they agree. A key is
# "LABEL.KEY" for every key=value token of a line "LABEL: ..." (LABEL may be "period 7").
compare() {
    awk -v dollars="$([ -z "$unit" ] && echo 1 || echo 0)" '
    function kv(line, arr,   i, m, f, p, c, label) {
        c = index(line, ":"); if (c == 0) return
        label = substr(line, 1, c - 1)
        m = split(substr(line, c + 1), f, " ")
        for (i = 1; i <= m; i++) {
            p = index(f[i], "="); if (p == 0) continue
            arr[label "." substr(f[i], 1, p - 1)] = substr(f[i], p + 1)
        }
    }
    function abs(x) { return x < 0 ? -x : x }
    NR == FNR { kv($0, L); next }
    { kv($0, P) }
    END {
        bad = ""; checked = 0
        for (k in P) {
            checked++
            if (!(k in L)) { bad = bad "\n  " k ": missing in libretention, pandas " P[k]; continue }
            l = L[k]; p = P[k]
            exact = k ~ /^window\./ || k ~ /^customers\./ || k ~ /_customers$/ || k ~ /_defined$/
            # in dollars, pandas sums that are not correctly rounded flip a few flat customers
            # into expansion or contraction (see "Known disagreement"): a handful, no more
            moved = k ~ /expansion/ || k ~ /contraction/
            if (dollars && exact && moved && l != p && abs(l - p) <= 5 + 1e-4 * abs(p)) {
                noted++
                continue
            }
            if (l == "nan" || p == "nan" || exact) {
                if (l != p) bad = bad "\n  " k ": libretention " l ", pandas " p
            } else if (abs(l - p) > 1e-9 * (abs(l) > abs(p) ? abs(l) : abs(p)))
                bad = bad "\n  " k ": libretention " l ", pandas " p " (rel. diff " \
                    sprintf("%.3g", abs(l - p) / (abs(p) > 0 ? abs(p) : abs(l))) ")"
        }
        for (k in L) if (!(k in P)) bad = bad "\n  " k ": missing in pandas, libretention " L[k]
        if (bad != "") {
            m = split(substr(bad, 2), lines, "\n")
            print "MISMATCH libretention vs pandas, " m " keys" (m > 40 ? " (first 40)" : "") ":"
            for (i = 1; i <= m && i <= 40; i++) print lines[i]
            exit 1
        }
        printf "%d keys%s", checked, noted ? sprintf(" (%d expansion/contraction counts off by pandas rounding)", noted) : ""
    }' "$1" "$2"
}
median() { sort -g "$1" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
r1() { echo "$1 $2" | awk '{printf "%.1fx", $1 / $2}'; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=0
while [ $i -lt "$runs" ]; do
    timed lib "$bench" "$data" 1 --full --no-builder $unit
    sed -n 's/^kernel: median \([0-9.]*\) s.*read floor \([0-9.]*\) s.*/\1 \2/p' "$tmp/lib.out" \
        >"$tmp/lib.kf"
    cut -d' ' -f1 "$tmp/lib.kf" >>"$tmp/lib.kernel"
    cut -d' ' -f2 "$tmp/lib.kf" >>"$tmp/lib.floor"
    if [ $peer = 1 ]; then
        timed pd $py "$peer_py" "$data" --full $unit
        sed -n 's/^elapsed_read_s=//p' "$tmp/pd.out" >>"$tmp/pd.read"
        sed -n 's/^elapsed_compute_s=//p' "$tmp/pd.out" >>"$tmp/pd.kernel"
        if ! compare "$tmp/lib.out" "$tmp/pd.out" >"$tmp/agree"; then
            [ -f "$tmp/mismatch" ] || cp "$tmp/agree" "$tmp/mismatch"
            echo x >>"$tmp/mismatch.runs"
        else
            cp "$tmp/agree" "$tmp/agreed"
        fi
    fi
    i=$((i + 1))
done

lw=$(median "$tmp/lib.wall"); lr=$(median "$tmp/lib.rss")
lk=$(median "$tmp/lib.kernel"); lf=$(median "$tmp/lib.floor")
vs=""
if [ $peer = 1 ]; then vs=", alternating with pandas"; fi
label=dollars
if [ -n "$unit" ]; then label="whole cents"; fi
echo "MRR bridge, $events events / $customers customers (720 days, 30-day periods, every event a row, mrr in $label), $runs runs$vs"
sed -n '1,4p' "$tmp/lib.out" | sed 's/^/  /'
sed -n '/^bridge:/p' "$tmp/lib.out" | sed 's/^/  /'
if [ $peer = 1 ]; then
    if [ -f "$tmp/mismatch" ]; then
        echo "  OUTPUTS DISAGREE in $(wc -l <"$tmp/mismatch.runs") of $runs runs (details at the end)"
    else
        echo "  outputs agree in every run: $(cat "$tmp/agreed") (counts exact, amounts and rates to 1e-9 relative)"
    fi
    pw=$(median "$tmp/pd.wall"); pr=$(median "$tmp/pd.rss")
    pk=$(median "$tmp/pd.kernel"); prd=$(median "$tmp/pd.read")
fi
printf "%-14s %10s %11s %10s %10s\n" "" "whole s" "kernel s" "read s" "peak MiB"
row() { echo "$1 $2 $3 $4 $5" | awk '{printf "%-14s %10.3f %11.4f %10.4f %10.0f\n", $1, $2, $3, $4, $5}'; }
row libretention "$lw" "$lk" "$lf" "$lr"
if [ $peer = 1 ]; then
    row pandas "$pw" "$pk" "$prd" "$pr"
fi
echo "libretention kernel (rtn_mrr_table_build) $(echo "$events $lk" | awk '{printf "%.2f M rows/s", $1 / $2 / 1e6}'), kernel/read floor $(r1 "$lk" "$lf")"
if [ $peer = 1 ]; then
    echo "pandas compute $(echo "$events $pk" | awk '{printf "%.2f M rows/s", $1 / $2 / 1e6}')"
    echo "ratio pandas / libretention: whole process $(r1 "$pw" "$lw"), kernel $(r1 "$pk" "$lk"), read $(r1 "$prd" "$lf"), peak RSS $(r1 "$pr" "$lr")"
fi
echo "libretention in one process, 5 repetitions (bench_mrr DATA 5):"
"$bench" "$data" 5 $unit | sed -n '/^kernel:/,$p' | sed 's/^/  /'
if [ $peer = 1 ]; then
    echo "pandas in one process, 3 computes on one loaded frame (pandas_mrr.py DATA 3):"
    $py "$peer_py" "$data" 3 $unit | sed -n '/^elapsed/p' | sed 's/^/  /'
fi
if [ -f "$tmp/mismatch" ]; then
    echo "OUTPUTS DISAGREE in $(wc -l <"$tmp/mismatch.runs") of $runs runs; the first:"
    cat "$tmp/mismatch"
    exit 1
fi
