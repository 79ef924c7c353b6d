#!/bin/sh
# The PostgreSQL extension check (examples/postgresql): installs the build into a temporary
# prefix, builds the extension with PGXS against it (pkg-config only), starts a throwaway
# cluster on a Unix socket in a temporary directory (no network), loads generated data, and
#   - checks that every aggregate runs as a parallel aggregate (EXPLAIN: Partial Aggregate,
#     workers launched);
#   - checks that the parallel results equal the serial ones (max_parallel_workers_per_gather
#     = 0) byte for byte, and equal the library's own results exactly (tests/postgresql/
#     compare.py recomputes them with the Python ctypes module from the data the server held);
#   - feeds bad input (scores off the scale, bad durations, times and amounts, corrupt,
#     truncated and other-version states, impossible options) and expects each to be a clean
#     ERROR with its SQLSTATE and the library's status name, with the server still up.
# Usage: check_postgresql.sh BUILD_DIR SOURCE_DIR CMAKE
# Exits 77 (ctest's SKIP_RETURN_CODE) without PostgreSQL's pg_config, initdb or server headers,
# or Python 3 with numpy. Running as root, the server runs as the user postgres.
set -eu
build=$1
src=$2
cmake=$3
umask 022

skip() { echo "SKIP: $*"; exit 77; }
failed=
fail() { failed=1; echo "FAIL: $*"; exit 1; }

pg_config=${PG_CONFIG:-pg_config}
command -v "$pg_config" >/dev/null 2>&1 || skip "pg_config not found (set PG_CONFIG)"
bindir=$("$pg_config" --bindir)
for tool in initdb pg_ctl psql; do
    [ -x "$bindir/$tool" ] || skip "$bindir/$tool not found"
done
[ -f "$("$pg_config" --pgxs)" ] || skip "PGXS not found (the PostgreSQL server development files)"
command -v make >/dev/null 2>&1 || skip "make not found"
python=/usr/bin/python3
[ -x "$python" ] || python=$(command -v python3) || skip "python3 not found"
"$python" -c 'import numpy' 2>/dev/null || skip "$python has no numpy"
if [ "$(id -u)" = 0 ]; then
    # initdb refuses to run as root: the server and its tools run as postgres
    id postgres >/dev/null 2>&1 || skip "running as root and there is no user postgres"
    as_server() { runuser -u postgres -- "$@"; }
else
    as_server() { "$@"; }
fi

start=$(date +%s)
tmp=$(mktemp -d)
pgdir=$tmp/pg
cleanup() {
    status=$?
    # a step that failed under set -e (a psql error, say) has printed its error: name it a FAIL
    [ "$status" = 0 ] || [ "$status" = 77 ] || [ -n "$failed" ] ||
        echo "FAIL: a step above failed (exit status $status)"
    if [ -f "$pgdir/data/postmaster.pid" ]; then
        as_server "$bindir/pg_ctl" -D "$pgdir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
chmod 755 "$tmp" # the server's user reads the extension and the library in here

# ---- the library, installed; the extension, built against the install ------------------------
"$cmake" --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log"
pc=$(find "$tmp/prefix" -name retention.pc)
[ -n "$pc" ] || fail "retention.pc not installed"
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH
libdir=$(dirname "$(dirname "$pc")")
mkdir "$tmp/ext"
cp "$src/examples/postgresql/Makefile" "$src/examples/postgresql/retention_pg.c" \
    "$src/examples/postgresql/retention.control" "$src/examples/postgresql/retention--1.0.sql" \
    "$tmp/ext/"
# -Wno-unused-parameter: PostgreSQL's own headers trip -Wextra's unused-parameter warning
make -C "$tmp/ext" PG_CONFIG="$pg_config" COPT="-Wall -Wextra -Wno-unused-parameter -Werror" \
    >"$tmp/make.log" 2>&1 || { cat "$tmp/make.log"; fail "the extension does not build"; }
[ -f "$tmp/ext/retention.so" ] || fail "make built no retention.so"
# the .so finds libretention through its run path (the Makefile's -Wl,-rpath), not the environment
env -u LD_LIBRARY_PATH ldd "$tmp/ext/retention.so" | grep -q "$libdir/libretention.so" ||
    { ldd "$tmp/ext/retention.so"; fail "retention.so does not load the installed libretention"; }
# CREATE EXTENSION needs the files in the server's own directories (root's `make install`); the
# script itself, pointed at the built module, defines the same objects without installing
sed -e '/^\\echo Use "CREATE EXTENSION/d' -e "s|MODULE_PATHNAME|$tmp/ext/retention.so|g" \
    "$tmp/ext/retention--1.0.sql" >"$tmp/retention.sql"
echo "built retention.so with PGXS against $(pkg-config --modversion retention) in a temporary prefix"

# ---- a throwaway cluster: Unix socket in $pgdir, no TCP -------------------------------------
mkdir "$pgdir"
[ "$(id -u)" != 0 ] || chown postgres "$pgdir"
as_server "$bindir/initdb" -D "$pgdir/data" -A trust -U postgres -E UTF8 --locale=C --no-sync \
    >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log"; fail "initdb"; }
cat >>"$pgdir/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$pgdir'
fsync = off
max_worker_processes = 8
max_parallel_workers = 4
TimeZone = 'UTC'
EOF
as_server "$bindir/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w start >/dev/null ||
    { cat "$pgdir/server.log"; fail "the server did not start"; }

# psql on the cluster: stops at the first error; SQL from stdin
sql() { as_server "$bindir/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$pgdir" -U postgres -d postgres "$@"; }
alive() { [ "$(sql -c 'SELECT 42')" = 42 ] || fail "the server does not answer after: $1"; }

sql -f "$tmp/retention.sql" >/dev/null
version=$(sed -n 's/^#define RTN_VERSION_STRING "\(.*\)"/\1/p' "$src/include/retention/core.h")
[ "$(sql -c 'SELECT retention_library_version()')" = "$version" ] ||
    fail "retention_library_version() is not $version"

# ---- data: deterministic (setseed), large enough for parallel plans, with NULL rows ----------
sql >/dev/null <<'EOF'
SELECT setseed(0.25);
CREATE TABLE survey AS
SELECT i AS id,
       CASE WHEN random() < 0.01 THEN NULL ELSE floor(random() * 11)::int END AS nps_score,
       1 + floor(random() * 5)::int AS csat_score,
       1 + floor(random() * 7)::int AS ces_score
FROM generate_series(1, 300000) i;
CREATE TABLE events AS
SELECT CASE WHEN random() < 0.005 THEN NULL ELSE floor(random() * 40000)::bigint END AS customer,
       CASE WHEN random() < 0.005 THEN NULL
            ELSE timestamptz '2022-03-01 00:00:00+00' + random() * interval '700 days' END AS at,
       CASE WHEN random() < 0.02 THEN NULL ELSE round((random() * 200)::numeric, 2)::float8 END AS amount
FROM generate_series(1, 400000);
CREATE TABLE tenure AS
SELECT CASE WHEN random() < 0.005 THEN NULL ELSE floor(random() * 900)::float8 END AS duration,
       CASE WHEN random() < 0.005 THEN NULL ELSE random() < 0.6 END AS churned
FROM generate_series(1, 300000);
VACUUM ANALYZE survey, events, tenure;
EOF
mkdir "$tmp/ref" "$tmp/parallel" "$tmp/serial"
[ "$(id -u)" != 0 ] || chown postgres "$tmp/parallel" "$tmp/serial" # psql writes there (\o)
sql -c "COPY (SELECT id, nps_score, csat_score, ces_score FROM survey) TO STDOUT (FORMAT csv)" \
    >"$tmp/ref/survey.csv"
sql -c "COPY (SELECT customer, floor(extract(epoch FROM at))::bigint, amount FROM events) TO STDOUT (FORMAT csv)" \
    >"$tmp/ref/events.csv"
sql -c "COPY tenure TO STDOUT (FORMAT csv)" >"$tmp/ref/tenure.csv"

parallel="SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;"
serial="SET max_parallel_workers_per_gather = 0;"

# ---- the plans: partial aggregates in parallel workers ---------------------------------------
for agg in "nps(nps_score) FROM survey" "csat(csat_score) FROM survey" \
    "ces(ces_score, 1, 7) FROM survey" "cohort_state(customer, at, amount) FROM events" \
    "km_state(duration, churned) FROM tenure"; do
    plan=$(printf '%s\nEXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT %s;\n' \
        "$parallel" "$agg" | sql)
    echo "$plan" | grep -q "Partial Aggregate" || { echo "$plan"; fail "no Partial Aggregate for $agg"; }
    echo "$plan" | grep -q "Workers Launched: [1-9]" || { echo "$plan"; fail "no worker launched for $agg"; }
    echo "parallel plan for $agg: $(echo "$plan" | grep -m1 "Partial Aggregate" | sed 's/^ *//'), $(echo "$plan" | grep -m1 -o "Workers Launched: [0-9]*")"
done
plan=$(printf '%s\nEXPLAIN (COSTS OFF) SELECT * FROM cohort_table((SELECT cohort_state(customer, at, amount) FROM events));\n' "$parallel" | sql)
echo "$plan" | grep -q "Partial Aggregate" || { echo "$plan"; fail "no parallel plan under cohort_table()"; }

# ---- the results, in parallel and serially ---------------------------------------------------
results() { # DIR SETTINGS
    {
        echo "$2"
        echo "COPY (SELECT (r).* FROM (SELECT nps(nps_score) AS r FROM survey) s) TO STDOUT (FORMAT csv);"
        echo "\\o $1/nps_groups.csv"
        echo "COPY (SELECT g, (r).* FROM (SELECT id % 7 AS g, nps(nps_score) AS r FROM survey GROUP BY 1) s ORDER BY g) TO STDOUT (FORMAT csv);"
        echo "\\o $1/csat.csv"
        echo "COPY (SELECT (r).* FROM (SELECT csat(csat_score, 1, 5, 4) AS r FROM survey) s) TO STDOUT (FORMAT csv);"
        echo "\\o $1/ces.csv"
        echo "COPY (SELECT (r).* FROM (SELECT ces(ces_score) AS r FROM survey) s) TO STDOUT (FORMAT csv);"
        echo "\\o $1/cohort.csv"
        echo "COPY (SELECT extract(epoch FROM cohort_start)::bigint, cohort_size, period, active, retention, revenue, revenue_retention, status FROM cohort_table((SELECT cohort_state(customer, at, amount) FROM events))) TO STDOUT (FORMAT csv);"
        echo "\\o $1/cohort_md5"
        echo "SELECT md5(cohort_state(customer, at, amount)) FROM events;"
        echo "\\o $1/km.csv"
        echo "COPY (SELECT * FROM kaplan_meier((SELECT km_state(duration, churned) FROM tenure))) TO STDOUT (FORMAT csv);"
        echo "\\o $1/km_md5"
        echo "SELECT md5(km_state(duration, churned)) FROM tenure;"
    } | sql -o "$1/nps.csv"
}
t0=$(date +%s)
results "$tmp/parallel" "$parallel"
t1=$(date +%s)
results "$tmp/serial" "$serial"
t2=$(date +%s)
for f in nps.csv nps_groups.csv csat.csv ces.csv cohort.csv cohort_md5 km.csv km_md5; do
    [ -s "$tmp/parallel/$f" ] || fail "no $f"
    cmp -s "$tmp/parallel/$f" "$tmp/serial/$f" || fail "$f: the parallel result differs from the serial one"
done
echo "parallel results ($((t1 - t0)) s) equal the serial results ($((t2 - t1)) s) byte for byte"
cp "$tmp/parallel/"* "$tmp/ref/"
PYTHONPATH=$src/examples/python RETENTION_LIBRARY=$libdir/libretention.so \
    "$python" "$src/tests/postgresql/compare.py" "$tmp/ref"

# ---- NULL rows and empty input: skipped, and no input is NULL (never 0) ----------------------
got=$(sql <<'EOF'
SELECT nps(s) IS NULL, csat(s) IS NULL, ces(s) IS NULL FROM (VALUES (NULL::int), (NULL)) v(s);
SELECT (nps(s)).n, (ces(s, 0, 10)).std_error IS NULL FROM (VALUES (NULL::int), (9)) v(s);
SELECT count(*) FROM cohort_table((SELECT cohort_state(c, t) FROM (VALUES (NULL::bigint, now()), (7, NULL)) v(c, t)));
SELECT count(*) FROM kaplan_meier((SELECT km_state(d, e) FROM (VALUES (NULL::float8, true), (3, NULL)) v(d, e)));
SELECT active, revenue FROM cohort_table((SELECT cohort_state(c, t, a) FROM (VALUES (1::bigint, timestamptz '2024-01-05', NULL::float8), (1, '2024-01-06', 5)) v(c, t, a)));
SELECT min(cohort_start), count(DISTINCT cohort_start) FROM cohort_table((SELECT cohort_state(c, t) FROM (VALUES (1::bigint, timestamptz '1969-12-31 23:59:59.5+00'), (2, '1970-01-01 00:00:00+00')) v(c, t)));
EOF
)
[ "$got" = "$(printf 't|t|t\n1|t\n0\n0\n1|5\n1969-12-01 00:00:00+00|2')" ] ||
    { echo "$got"; fail "NULL rows, empty input or times before 1970"; }
echo "NULL rows are skipped; no rows give NULL (nps, csat, ces) or no rows (cohort_table, kaplan_meier); a NULL amount is an event without revenue; times round down to the second (before 1970 too)"

# ---- bad input: a clean ERROR with its SQLSTATE and the library's status, the server alive ---
sql <<'EOF'
CREATE TABLE states AS
SELECT (SELECT cohort_state(customer, at, amount) FROM events WHERE customer < 50) AS cohort,
       (SELECT km_state(duration, churned) FROM tenure WHERE duration < 50) AS km;
EOF
errors=0
expect_error() { # SQLSTATE STATUS STATEMENT
    if out=$(printf '\\set VERBOSITY verbose\n%s\n%s\n' "$parallel" "$3" | sql 2>&1); then
        fail "no error from: $3"
    fi
    echo "$out" | grep -q "^ERROR:  $1: .*$2" || { echo "$out"; fail "expected ERROR $1 naming $2 from: $3"; }
    alive "$3"
    errors=$((errors + 1))
}
# scores off the scale, in a parallel worker too; impossible scales
expect_error 22003 RTN_EDOMAIN "SELECT nps(s) FROM (VALUES (3), (11)) v(s);"
expect_error 22003 RTN_EDOMAIN "SELECT nps(-1);"
expect_error 22003 RTN_EDOMAIN "SELECT nps(CASE WHEN id = 123457 THEN 300 ELSE nps_score END) FROM survey;"
expect_error 22003 RTN_EDOMAIN "SELECT csat(6);"
expect_error 22023 RTN_EINVAL "SELECT csat(3, 5, 1, 4);"
expect_error 22023 RTN_EINVAL "SELECT csat(3, 1, 5, 9);"
expect_error 22023 RTN_EINVAL "SELECT ces(3, 1, NULL);"
expect_error 22023 RTN_EINVAL "SELECT ces(s, 1, s + 3) FROM (VALUES (3), (4)) v(s);"
# events and subjects the library rejects
expect_error 22003 RTN_EDOMAIN "SELECT cohort_state(1, 'infinity');"
expect_error 22003 RTN_EDOMAIN "SELECT cohort_state(1, '10000-01-01 00:00+00');"
expect_error 22003 RTN_EDOMAIN "SELECT cohort_state(customer, at, CASE WHEN customer = 777 THEN 'NaN' ELSE amount END) FROM events;"
expect_error 22023 RTN_EINVAL "SELECT cohort_state(1, now(), 1, 'fortnight');"
expect_error 22023 RTN_EINVAL "SELECT cohort_state(customer, at, amount, CASE WHEN customer % 2 = 0 THEN 'month' ELSE 'week' END) FROM events;"
expect_error 22003 RTN_EDOMAIN "SELECT km_state(-1, true);"
expect_error 22003 RTN_EDOMAIN "SELECT km_state(CASE WHEN duration = 17 THEN 'NaN' ELSE duration END, churned) FROM tenure;"
# corrupt, truncated, foreign and other-version states (as a worker's could be)
expect_error 22P03 RTN_ECORRUPT "SELECT * FROM cohort_table('\\x0102');"
expect_error 22P03 RTN_ECORRUPT "SELECT t.* FROM states, cohort_table(substr(cohort, 1, length(cohort) - 9)) t;"
expect_error 22P03 RTN_ECORRUPT "SELECT t.* FROM states, cohort_table(set_byte(cohort, 100, 255 - get_byte(cohort, 100))) t;"
expect_error 22P03 RTN_EVERSION "SELECT t.* FROM states, cohort_table(overlay(cohort PLACING '\\x02000000' FROM 9 FOR 4)) t;"
expect_error 22P03 RTN_ECORRUPT "SELECT t.* FROM states, cohort_table(km) t;"
expect_error 22P03 RTN_ECORRUPT "SELECT t.* FROM states, kaplan_meier(cohort) t;"
expect_error 22P03 RTN_ECORRUPT "SELECT t.* FROM states, kaplan_meier(substr(km, 1, 40)) t;"
expect_error 22P03 RTN_EVERSION "SELECT t.* FROM states, kaplan_meier(overlay(km PLACING '\\x63000000' FROM 9 FOR 4)) t;"
expect_error 22P03 RTN_ECORRUPT "SELECT * FROM kaplan_meier(decode(repeat('ff', 200), 'hex'));"
# impossible options
expect_error 22023 RTN_EINVAL "SELECT * FROM cohort_table((SELECT cohort FROM states), kind => 'sideways');"
expect_error 22023 RTN_EINVAL "SELECT * FROM cohort_table((SELECT cohort FROM states), max_periods => -1);"
expect_error 22023 RTN_EINVAL "SELECT * FROM kaplan_meier((SELECT km FROM states), conf_level => 1.5);"
expect_error 22023 RTN_EINVAL "SELECT * FROM kaplan_meier((SELECT km FROM states), conf_type => 'bogus');"
if grep -Ei "terminated by signal|server process .* (was terminated|exited with exit code [1-9])|PANIC" \
    "$pgdir/server.log"; then
    fail "a backend crashed (see the server log lines above)"
fi
echo "bad input: $errors statements each gave a clean ERROR with the expected SQLSTATE and status; no backend crashed"

as_server "$bindir/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null
echo "PASS ($(($(date +%s) - start)) s)"
