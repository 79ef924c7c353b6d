#!/usr/bin/env bash
# Valgrind memcheck over the C test suite: every compiled test program registered with ctest (the
# cmocka tests test_*, the example programs with their arguments, the fuzz replays fuzz_* with a
# reduced --random count), plus the `retention` command-line tool run directly on the sample data
# for each of its commands (its own tests are pytest, and valgrinding the interpreter is not the
# goal), including a few error paths. Each run must finish with zero memcheck errors and zero
# leaks of any kind (definite, indirect, possible and still reachable all count).
#
#   tests/check_valgrind.sh BUILD_DIR [SOURCE_DIR]
#
# BUILD_DIR is a configured and built plain (not RTN_SANITIZE/RTN_TSAN) tree, ideally
# RelWithDebInfo or Debug so that reports carry file:line. Environment:
#   RTN_VG_JOBS=N          programs run at once (default 2)
#   RTN_VG_FUZZ_DIVISOR=D  each fuzz replay runs its ctest --random count / D pseudo-random inputs
#                          (default 10: 20000 -> 2000)
#   RTN_VG_FILTER=REGEX    run only the runs whose name matches (grep -E)
#   RTN_VG_OUT=DIR         where the logs go (default BUILD_DIR/valgrind)
#   RTN_CTEST=PATH         the ctest to list the tests with (default: ctest on PATH)
#   VALGRIND=PATH          the valgrind (default: valgrind on PATH)
#   RTN_VG_REACHABLE=allow still-reachable blocks are shown but do not fail a run (default: error;
#                          a program that exits through exit() with its buffers still pointed to,
#                          as the CLI's cli_fail does, then passes)
# Exit status: 0 when every run is clean and exits as expected, 1 otherwise, 77 when valgrind is
# missing (ctest SKIP_RETURN_CODE). Per run, OUT/NAME.vg is valgrind's log and OUT/NAME.out the
# program's own output.
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 BUILD_DIR [SOURCE_DIR]" >&2
    exit 2
fi
BUILD=$(cd "$1" && pwd) || exit 2
SRC=${2:-$(cd "$(dirname "$0")/.." && pwd)}
SRC=$(cd "$SRC" && pwd) || exit 2
JOBS=${RTN_VG_JOBS:-2}
FUZZ_DIVISOR=${RTN_VG_FUZZ_DIVISOR:-10}
FILTER=${RTN_VG_FILTER:-}
OUT=${RTN_VG_OUT:-$BUILD/valgrind}
CTEST=${RTN_CTEST:-ctest}
VALGRIND=${VALGRIND:-valgrind}
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3

if ! command -v "$VALGRIND" >/dev/null 2>&1; then
    echo "valgrind not found (Debian: apt-get install valgrind): skipped" >&2
    exit 77
fi
CLI=$BUILD/examples/retention
DATA=$SRC/examples/data

REACHABLE=${RTN_VG_REACHABLE:-error}
case $REACHABLE in
    error) ERROR_KINDS=all ;;
    allow) ERROR_KINDS=definite,indirect,possible ;;
    *) echo "RTN_VG_REACHABLE must be error or allow" >&2; exit 2 ;;
esac
VG_OPTS=(--error-exitcode=99 --leak-check=full "--errors-for-leak-kinds=$ERROR_KINDS"
         --show-leak-kinds=all --track-origins=yes --num-callers=40)
# --show-leak-kinds=all rather than definite,indirect,possible: with --errors-for-leak-kinds=all
# a still-reachable block counts as an error, so it must also be shown to be diagnosable.

rm -rf "$OUT"
mkdir -p "$OUT/inputs"
JOBFILE=$OUT/jobs.sh
: >"$JOBFILE"

# job NAME EXPECTED_STATUS STDIN WORKDIR PROGRAM ARGS...  (STDIN: a file, or "" for /dev/null)
add() {
    local q="" a
    for a in "$@"; do q+=" $(printf '%q' "$a")"; done
    echo "job$q" >>"$JOBFILE"
}

# ---- the compiled ctest tests, from ctest's JSON listing ------------------------------------------
if ! "$CTEST" --test-dir "$BUILD" --show-only=json-v1 >"$OUT/ctest.json" 2>"$OUT/ctest.err"; then
    # ctest older than 3.20 has no --test-dir
    (cd "$BUILD" && "$CTEST" --show-only=json-v1) >"$OUT/ctest.json" 2>"$OUT/ctest.err" || {
        cat "$OUT/ctest.err" >&2
        exit 2
    }
fi
"$PYTHON" - "$OUT/ctest.json" "$BUILD" "$FUZZ_DIVISOR" >>"$JOBFILE" 2>"$OUT/skipped.txt" <<'EOF' || exit 2
import json, os, shlex, sys

listing, build, divisor = sys.argv[1], os.path.realpath(sys.argv[2]), int(sys.argv[3])
# Interpreted or shell tests (pytest, R, the ABI and install gates, the README): not our code.
# example_clv_report_rejects_bad_input wraps clv_report in sh: its program runs directly below.
skip_names = {"example_clv_report_rejects_bad_input", "cli_tests", "python_tests", "readme_examples", "r_reference_current", "abi_check",
              "install_check", "valgrind_memcheck"}

def is_elf(path):
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False

for t in json.load(open(listing))["tests"]:
    name, cmd = t["name"], t.get("command") or []
    props = {p["name"]: p["value"] for p in t.get("properties", [])}
    prog = os.path.realpath(cmd[0]) if cmd else ""
    if name in skip_names:
        if name != "example_clv_report_rejects_bad_input":
            print("%s: skipped (not a C program)" % name, file=sys.stderr)
        continue
    if props.get("DISABLED"):
        print("%s: skipped (disabled)" % name, file=sys.stderr)
        continue
    if not is_elf(prog) or not prog.startswith(build + os.sep):
        print("%s: skipped (runs %s, not a program of this build)" % (name, cmd[:1]),
              file=sys.stderr)
        continue
    args = list(cmd[1:])
    if len(args) == 2 and args[0] == "--random" and args[1].isdigit():
        args[1] = str(max(1, int(args[1]) // divisor))
    env = props.get("ENVIRONMENT", [])
    if env:  # none of the C tests sets one today; say so if one starts to
        print("%s: note: ctest ENVIRONMENT %s not applied" % (name, env), file=sys.stderr)
    workdir = props.get("WORKING_DIRECTORY", os.path.dirname(prog))
    print("job " + " ".join(shlex.quote(x) for x in [name, "0", "", workdir, prog] + args))
EOF

# The examples' error path (ctest checks it through sh): a zero churn fails with status 1.
if [ -x "$BUILD/examples/clv_report" ]; then
    add example_clv_report_rejects_bad_input 1 "" "$SRC" "$BUILD/examples/clv_report" 100 0.8 0 0.01 1200
fi

# ---- the command-line tool on the sample data ---------------------------------------------------
if [ -x "$CLI" ]; then
    IN=$OUT/inputs
    # Inputs for fit and predict, made by the tool itself outside valgrind (its rfm run under
    # valgrind is its own entry below).
    "$CLI" rfm "$DATA/events.csv" --customer customer --time date --amount amount \
        --calibration-end 2025-09-30 --holdout-end 2025-12-31 --unit week >"$IN/rfm.csv" || exit 2
    # Saved states, made outside valgrind; merged, saved again and refused under it (below).
    "$CLI" cohort "$DATA/events.csv" --customer customer --time date --amount amount \
        --save-state "$IN/events.state" >/dev/null || exit 2
    "$CLI" km "$DATA/lifetimes.csv" --duration tenure_days --event churned \
        --save-state "$IN/lifetimes.state" >/dev/null || exit 2
    # Fader & Hardie (2007) table 1: survivors of two 1000-customer cohorts.
    {
        echo "seg,alive"
        paste -d'\n' <(printf 'h,%s\n' 1000 869 743 653 593 551 517 491) \
                     <(printf 'r,%s\n' 1000 631 468 382 326 289 262 241)
    } >"$IN/alive.csv"
    printf 'id,score\n1,9\n2,11\n' >"$IN/bad_score.csv"
    printf 'customer,x,t_x,T\nc1,2,5,3\n' >"$IN/bad_rfm.csv"

    cli() { local name=$1 status=$2 stdin=$3; shift 3; add "cli_$name" "$status" "$stdin" "$SRC" "$CLI" "$@"; }
    cli help 0 "" --help
    cli nps 0 "" nps "$DATA/survey.csv" --score nps
    cli nps_wald 0 "" nps "$DATA/survey.csv" --score nps --method wald --confidence 0.9
    cli nps_svg 0 "" nps "$DATA/survey.csv" --score nps --format svg
    cli nps_stdin 0 "$DATA/survey.csv" nps - --score nps
    cli csat 0 "" csat "$DATA/survey.csv" --score csat
    cli csat_scale 0 "" csat "$DATA/survey.csv" --score csat --scale 1-5 --satisfied-min 5
    cli ces 0 "" ces "$DATA/survey.csv" --score ces
    cli aht 0 "" aht "$DATA/survey.csv" --duration handle_seconds
    cli cohort 0 "" cohort "$DATA/events.csv" --customer customer --time date
    cli cohort_json 0 "" cohort "$DATA/events.csv" --customer customer --time date --amount amount \
        --period week --kind on-or-after --max-periods 8 --format json
    cli cohort_svg 0 "" cohort "$DATA/events.csv" --customer customer --time date --format svg
    cli km 0 "" km "$DATA/lifetimes.csv" --duration tenure_days --event churned
    cli km_group 0 "" km "$DATA/lifetimes.csv" --duration tenure_days --event churned --group plan
    cli km_group_csv 0 "" km "$DATA/lifetimes.csv" --duration tenure_days --event churned \
        --group plan --rho 1 --conf-type log-log --format csv
    cli km_svg 0 "" km "$DATA/lifetimes.csv" --duration tenure_days --event churned --group plan --format svg
    cli rfm 0 "" rfm "$DATA/events.csv" --customer customer --time date --amount amount \
        --calibration-end 2025-09-30 --holdout-end 2025-12-31 --unit week
    cli fit_bgnbd 0 "" fit bgnbd "$IN/rfm.csv"
    cli fit_bgnbd_stdin 0 "$IN/rfm.csv" fit bgnbd -
    cli fit_pareto_nbd 0 "" fit pareto-nbd "$IN/rfm.csv"
    cli fit_gamma_gamma 0 "" fit gamma-gamma "$IN/rfm.csv"
    cli fit_sbg 0 "" fit sbg "$IN/alive.csv" --alive alive --cohort seg
    cli predict_bgnbd 0 "" predict bgnbd "$IN/rfm.csv" --fit --horizon 13 --discount 0.01 \
        --period-length 4.345 --periods 12
    cli predict_pareto_nbd 0 "" predict pareto-nbd "$IN/rfm.csv" --params 0.55,10.58,0.61,11.67 \
        --gamma-gamma 6.25,3.74,15.44 --horizon 13 --discount 0.01 --period-length 4.345
    cli mrr 0 "" mrr "$DATA/mrr.csv" --customer customer_id --time month --mrr mrr --first 2024-02
    cli mrr_json 0 "" mrr "$DATA/mrr.csv" --customer customer_id --time month --mrr mrr --unit quarter \
        --format json
    cli reasons 0 "" reasons "$DATA/churned.csv" --reason reason --mrr mrr_lost
    cli reasons_json 0 "" reasons "$DATA/churned.csv" --reason reason --sort count --format json
    cli segments 0 "" segments "$DATA/accounts.csv" --segment products --retained retained_2y
    cli segments_json 0 "" segments "$DATA/accounts.csv" --segment weekly_engaged --retained retained_2y \
        --reference no --format json
    cli economics 0 "" economics --margin 100 --retention 0.8 --points 0.05 --discount 0.01 --cac 300 \
        --cohort-size 1000 --horizon 10
    cli retention 0 "" retention --start 1000 --end 950 --new 80
    cli churn 0 "" churn --start 1000 --end 900 --periods 12
    cli convert 0 "" convert --rate 0.04 --periods 12
    cli lifetime 0 "" lifetime --churn 0.04
    cli wilson 0 "" wilson --k 358 --n 800
    cli revenue 0 "" revenue --start 275000 --expansion 30000 --churned 11000 --accounts 1000
    cli clv 0 "" clv --arpa 80 --churn 0.03 --discount 0.01 --cac 1200
    # error paths: each fails with status 1 and must still free what it took
    cli error_bad_score 1 "" nps "$IN/bad_score.csv" --score score
    cli error_missing_column 1 "" km "$DATA/lifetimes.csv" --duration nope --event churned
    cli error_bad_rfm 1 "" fit bgnbd "$IN/bad_rfm.csv"
    cli error_missing_file 1 "" cohort "$IN/does_not_exist.csv" --customer customer --time date
    cli cohort_state 0 "" cohort "$DATA/events.csv" --customer customer --time date \
        --state "$IN/events.state" --save-state "$OUT/merged.state"
    cli km_state 0 "" km --state "$IN/lifetimes.state,$IN/lifetimes.state" --format svg
    cli error_bad_state 1 "" cohort --state "$IN/lifetimes.state"
else
    echo "cli: skipped ($CLI not built)" >>"$OUT/skipped.txt"
fi

# ---- run ------------------------------------------------------------------------------------------
STATUS_DIR=$OUT/status
mkdir -p "$STATUS_DIR"
NAMES=()
run_one() { # NAME EXPECTED STDIN WORKDIR PROGRAM ARGS...
    local name=$1 expected=$2 stdin=${3:-/dev/null} workdir=$4 start end rc
    shift 4
    start=$(date +%s.%N)
    (cd "$workdir" && exec "$VALGRIND" "${VG_OPTS[@]}" --log-file="$OUT/$name.vg" "$@" \
        <"$stdin" >"$OUT/$name.out" 2>&1)
    rc=$?
    end=$(date +%s.%N)
    echo "$rc $expected $start $end" >"$STATUS_DIR/$name"
}
job() {
    local name=$1
    if [ -n "$FILTER" ] && ! grep -Eq -- "$FILTER" <<<"$name"; then
        return
    fi
    NAMES+=("$name")
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
        wait -n
    done
    run_one "$@" 2>>"$OUT/shell.err" &  # the shell's own "Illegal instruction" notes, say
}

T0=$(date +%s)
echo "valgrind memcheck: $BUILD, $JOBS at a time, fuzz --random counts / $FUZZ_DIVISOR," \
     "still reachable: $REACHABLE; logs in $OUT"
# shellcheck source=/dev/null
. "$JOBFILE"
wait
T1=$(date +%s)

# ---- report ---------------------------------------------------------------------------------------
# Per run: the program's status, memcheck's error count, the leak summary in bytes.
leak() { sed -n "s/.*$1: \([0-9,]*\) bytes.*/\1/p" "$log" | tr -d , | awk '{s += $1} END {print s + 0}'; }
bad=0
printf '%-44s %6s %6s %8s %8s %8s %8s %8s  %s\n' run status errors definite indirect possible \
    reachable seconds result
for name in "${NAMES[@]}"; do
    read -r rc expected start end <"$STATUS_DIR/$name"
    log=$OUT/$name.vg
    # several processes cannot happen (no --trace-children), but take the sum to be safe
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$log" | tr -d , |
             awk '{s += $1} END {print s + 0}')
    def=$(leak "definitely lost") ind=$(leak "indirectly lost") pos=$(leak "possibly lost")
    rea=$(leak "still reachable")
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", b - a}')
    result=ok
    if ! grep -q "ERROR SUMMARY" "$log" 2>/dev/null; then
        result="FAIL (no valgrind summary: crashed or killed, status $rc)"
    elif [ "$errors" -ne 0 ] || [ "$rc" -eq 99 ] || [ "$def" -ne 0 ] || [ "$ind" -ne 0 ] ||
         [ "$pos" -ne 0 ] || { [ "$rea" -ne 0 ] && [ "$REACHABLE" = error ]; }; then
        result="FAIL (memcheck: see $log)"
    elif [ "$rc" -ne "$expected" ]; then
        result="FAIL (status $rc, expected $expected: see $OUT/$name.out)"
    fi
    [ "$result" = ok ] || bad=$((bad + 1))
    printf '%-44s %6s %6s %8s %8s %8s %8s %8s  %s\n' "$name" "$rc" "$errors" "$def" "$ind" "$pos" \
        "$rea" "$secs" "$result"
done
if [ -s "$OUT/skipped.txt" ]; then
    echo "not run under valgrind:"
    sed 's/^/  /' "$OUT/skipped.txt"
fi
total=${#NAMES[@]}
echo "valgrind memcheck: $((total - bad)) clean, $bad failed of $total runs in $((T1 - T0)) s"
echo "$((total - bad)) passed, $bad failed"
[ "$total" -gt 0 ] || { echo "no run matched" >&2; exit 1; }
[ "$bad" -eq 0 ]
