#!/bin/sh
# Kaplan-Meier side by side with statsmodels (../shared/peers/statsmodels_km.py) and R's survfit
# (../shared/peers/r_km.R), in one run, alternating A B C A B C … (issue 5).
#
#   tests/bench/bench_km.sh BUILD_DIR [N] [RUNS] [PEERS_DIR] [--no-r]
#     BUILD_DIR  a build with tests/bench (e.g. build/dev)
#     N          subjects, default 10000000 (1e7)
#     RUNS       default 3 (R takes about 35 s a run at 1e7)
#     --no-r     leave R out (statsmodels only); may come anywhere
#   Data: gen_events.py --seed 42 --subjects N (survival_time.f64 + survival_event.u8), cached in
#   /tmp/rtn_bench_km_N.
#
# Each run times, as whole processes (start-up, reading the two files, the curve, printing):
# A `bench_km DATA 1` (one read, one build), B `statsmodels_km.py DATA`, C `Rscript r_km.R DATA`,
# with /usr/bin/time for peak RSS. Every run checks that the library's key=value lines equal each
# peer's: n, events, distinct_times, event_times exactly; S(t), se, median and surv_sum to a
# relative 1e-9 (statsmodels prints distinct_times only with --all-times, which costs it an extra
# np.unique: its distinct_times is checked once, untimed, with --no-r). A mismatch prints every
# differing key and exits 1. Prints medians over the runs: whole process and peak RSS of each side,
# each peer's elapsed_fit_s (its fit call alone, in-process) against the library's kernel
# (create + add + finish, in-process), the ratios peer / libretention of both, and the input size
# against the library's peak RSS; then one in-process run of bench_km with 5 repetitions.
# Uses Debian's /usr/bin/python3 (python3-statsmodels), Rscript (r-cran-survival), /usr/bin/time.
set -eu
use_r=1
for a in "$@"; do
    if [ "$a" = "--no-r" ]; then use_r=0; fi
done
for a in "$@"; do
    shift
    if [ "$a" != "--no-r" ]; then set -- "$@" "$a"; fi
done
usage="usage: bench_km.sh BUILD_DIR [N] [RUNS] [PEERS_DIR] [--no-r]"
build=${1:?$usage}
n=${2:-10000000}
runs=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
peers=${4:-$here/../../../shared/peers}
py=/usr/bin/python3
data=/tmp/rtn_bench_km_$n
bench=$build/tests/bench/bench_km

[ -x "$bench" ] || { echo "no $bench: build first"; exit 1; }
if [ ! -f "$data/survival_time.f64" ] || [ ! -f "$data/survival_event.u8" ]; then
    $py "$peers/gen_events.py" --out "$data" --events 0 --customers 1 --responses 0 \
        --subjects "$n" --no-csv >/dev/null
fi
cat "$data/survival_time.f64" "$data/survival_event.u8" >/dev/null # into the page cache

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
    awk '{printf "%.1f\n", $1 / 1024}' "$tmp/rss.kib" >>"$tmp/$name.rss"
}
# compare LIB_OUT PEER_OUT PEER_NAME: exit 1, listing every differing key, unless they agree.
# Keys are the key=value tokens of every line; "se" is renamed se(t) after the S(t) before it.
compare() {
    awk -v peer="$3" '
    function kv(line, arr,   i, m, f, p, k, last) {
        m = split(line, f, " ")
        for (i = 1; i <= m; i++) {
            p = index(f[i], "="); if (p == 0) continue
            k = substr(f[i], 1, p - 1)
            if (k == "se") k = "se" substr(last, 2)
            else last = k
            arr[k] = substr(f[i], p + 1)
        }
    }
    function num(x) { return x ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
    function abs(x) { return x < 0 ? -x : x }
    NR == FNR { kv($0, L); next }
    { kv($0, P) }
    END {
        split("n events distinct_times event_times", exact, " ")
        bad = ""; checked = 0
        for (i = 1; i <= 4; i++) {
            k = exact[i]
            if (!(k in P)) continue # statsmodels: distinct_times only with --all-times
            checked++
            if (!(k in L) || L[k] != P[k]) bad = bad "\n  " k ": libretention " L[k] ", " peer " " P[k]
        }
        for (k in P) {
            if (k == "n" || k == "events" || k == "distinct_times" || k == "event_times" || k ~ /^elapsed/) continue
            checked++
            if (!(k in L)) { bad = bad "\n  " k ": missing in libretention, " peer " " P[k]; continue }
            l = L[k]; p = P[k]
            if (num(l) && num(p)) {
                if (abs(l - p) > 1e-9 * (abs(l) > abs(p) ? abs(l) : abs(p)))
                    bad = bad "\n  " k ": libretention " l ", " peer " " p " (rel. diff " sprintf("%.3g", abs(l - p) / (abs(p) > 0 ? abs(p) : abs(l))) ")"
            } else if (tolower(l) != tolower(p)) {
                bad = bad "\n  " k ": libretention " l ", " peer " " p
            }
        }
        if (bad != "") { print "MISMATCH libretention vs " peer ":" bad; exit 1 }
        printf "%d keys", checked
    }' "$1" "$2"
}
median() { sort -g "$1" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
fit() { sed -n 's/^elapsed_fit_s=//p' "$1"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ $use_r = 0 ]; then # statsmodels' distinct_times, once, untimed
    "$bench" "$data" 1 >"$tmp/lib.out"
    $py "$peers/statsmodels_km.py" "$data" --all-times >"$tmp/sm_all.out"
    compare "$tmp/lib.out" "$tmp/sm_all.out" statsmodels >/dev/null || {
        compare "$tmp/lib.out" "$tmp/sm_all.out" "statsmodels --all-times" || true
        echo
        exit 1
    }
fi
i=0
while [ $i -lt "$runs" ]; do
    timed lib "$bench" "$data" 1
    sed -n 's/^kernel: median \([0-9.]*\) s.*read floor \([0-9.]*\) s.*/\1 \2/p' "$tmp/lib.out" \
        >"$tmp/lib.kf"
    cut -d' ' -f1 "$tmp/lib.kf" >>"$tmp/lib.kernel"
    cut -d' ' -f2 "$tmp/lib.kf" >>"$tmp/lib.floor"
    sed -n 's/^parts: create+add median \([0-9.]*\) s, finish median \([0-9.]*\) s.*/\1 \2/p' \
        "$tmp/lib.out" >"$tmp/lib.parts"
    cut -d' ' -f1 "$tmp/lib.parts" >>"$tmp/lib.add"
    cut -d' ' -f2 "$tmp/lib.parts" >>"$tmp/lib.finish"
    timed sm $py "$peers/statsmodels_km.py" "$data"
    fit "$tmp/sm.out" >>"$tmp/sm.fit"
    if ! compare "$tmp/lib.out" "$tmp/sm.out" statsmodels >"$tmp/agree.sm"; then
        cat "$tmp/agree.sm"; echo; exit 1
    fi
    if [ $use_r = 1 ]; then
        timed r Rscript "$peers/r_km.R" "$data"
        fit "$tmp/r.out" >>"$tmp/r.fit"
        if ! compare "$tmp/lib.out" "$tmp/r.out" R >"$tmp/agree.r"; then
            cat "$tmp/agree.r"; echo; exit 1
        fi
    fi
    i=$((i + 1))
done

r1() { echo "$1 $2" | awk '{printf "%.1fx", $1 / $2}'; }
input=$(echo "$n" | awk '{printf "%.1f", $1 * 9 / 1048576}')
lw=$(median "$tmp/lib.wall"); lr=$(median "$tmp/lib.rss"); lk=$(median "$tmp/lib.kernel")
lf=$(median "$tmp/lib.floor"); la=$(median "$tmp/lib.add"); lfi=$(median "$tmp/lib.finish")
sw=$(median "$tmp/sm.wall"); sr=$(median "$tmp/sm.rss"); sf=$(median "$tmp/sm.fit")
peers_used="statsmodels"
if [ $use_r = 1 ]; then peers_used="statsmodels and R"; fi
echo "Kaplan-Meier, $n subjects (input $input MiB: 8 B time + 1 B flag each), $runs runs alternating libretention, $peers_used"
sed -n '/^kernel:/q; p' "$tmp/lib.out" | tr '\n' ' ' | sed 's/^/  /; s/ $/\n/'
printf "  outputs agree in every run: statsmodels %s" "$(cat "$tmp/agree.sm")"
if [ $use_r = 1 ]; then printf ", R %s" "$(cat "$tmp/agree.r")"; fi
echo " (counts exact, S/se/median/surv_sum to 1e-9 relative)"
printf "%-14s %10s %11s %10s %8s\n" "" "whole s" "fit/kern s" "peak MiB" "RSS/in"
row() { echo "$1 $2 $3 $4 $input" | awk '{printf "%-14s %10.3f %11.4f %10.1f %8.2f\n", $1, $2, $3, $4, $4 / $5}'; }
row libretention "$lw" "$lk" "$lr"
row statsmodels "$sw" "$sf" "$sr"
if [ $use_r = 1 ]; then
    rw=$(median "$tmp/r.wall"); rr=$(median "$tmp/r.rss"); rf=$(median "$tmp/r.fit")
    row R_survfit "$rw" "$rf" "$rr"
fi
echo "libretention kernel = create+add $la s + finish $lfi s; $(echo "$n $lk" | awk '{printf "%.1f M subjects/s", $1 / $2 / 1e6}'); read floor $lf s, kernel/floor $(r1 "$lk" "$lf")"
echo "ratio statsmodels / libretention: whole process $(r1 "$sw" "$lw"), fit/kernel $(r1 "$sf" "$lk"), peak RSS $(r1 "$sr" "$lr")"
best=$sf
if [ $use_r = 1 ]; then
    echo "ratio R / libretention:           whole process $(r1 "$rw" "$lw"), fit/kernel $(r1 "$rf" "$lk"), peak RSS $(r1 "$rr" "$lr")"
    best=$(printf "%s\n%s\n" "$sf" "$rf" | sort -g | head -n 1)
fi
echo "$best $lk $lr $input" | awk '{
    s = $1 / $2; m = $3 / $4
    printf "goal (>= 10x the faster peer fit, peak RSS <= 2x input): %.1fx %s, RSS %.2fx input %s\n", \
        s, (s >= 10 ? "met" : "NOT met"), m, (m <= 2 ? "met" : "NOT met") }'
echo "libretention in one process, 5 repetitions (bench_km DATA 5):"
"$bench" "$data" 5 | sed -n '/^kernel:/,$p' | sed 's/^/  /'
