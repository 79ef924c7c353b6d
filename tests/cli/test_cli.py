"""Tests of the `retention` command-line tool (examples/cli): every command's JSON against values
computed here independently (the csv module, fractions, statistics), the CSV reader on quoting,
CRLF and malformed input, and the error messages (file:line:column, exit status 1 for bad input
and 2 for bad usage).

Run by ctest with RETENTION_CLI set to the built tool; by hand:
    RETENTION_CLI=build/dev/examples/retention /usr/bin/python3 -m pytest -q tests/cli
"""
import csv
import json
import math
import os
import statistics
import subprocess
from fractions import Fraction

import pytest

CLI = os.environ.get("RETENTION_CLI", "build/dev/examples/retention")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SURVEY = os.path.join(ROOT, "examples", "data", "survey.csv")
Z95 = statistics.NormalDist().inv_cdf(0.975)


def run(*args, stdin=None):
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, input=stdin)


def ok(*args, stdin=None):
    p = run(*args, stdin=stdin)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    return json.loads(p.stdout)


def fails(status, *args, stdin=None):
    p = run(*args, stdin=stdin)
    assert p.returncode == status, (p.returncode, p.stdout, p.stderr)
    assert p.stdout == ""
    line = p.stderr.strip()
    assert "\n" not in line, "errors are one line"
    return line


def column(path, name):
    with open(path, newline="") as f:
        return [row[name] for row in csv.DictReader(f)]


def wilson(k, n, z=Z95):
    p = k / n
    den = 1 + z * z / n
    c = (p + z * z / (2 * n)) / den
    h = z / den * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, c - h), min(1.0, c + h)


# ---- survey commands on the bundled data ---------------------------------------------------------

def test_nps_matches_independent_computation():
    s = [int(v) for v in column(SURVEY, "nps")]
    n, P, D = len(s), sum(v >= 9 for v in s), sum(v <= 6 for v in s)
    r = ok("nps", SURVEY, "--score", "nps")
    assert (r["n"], r["promoters"], r["detractors"]) == (n, P, D)
    assert r["passives"] == n - P - D
    assert r["nps"] == pytest.approx(100 * (P - D) / n, rel=1e-15)
    p, d = P / n, D / n
    assert r["se"] == pytest.approx(100 * math.sqrt((p + d - (p - d) ** 2) / n), rel=1e-13)
    # adjusted Wald (Rocks 2016): n + 3, promoters and detractors + 3/4
    pa, da, na = (P + 0.75) / (n + 3), (D + 0.75) / (n + 3), n + 3
    half = Z95 * math.sqrt((pa + da - (pa - da) ** 2) / na)
    assert r["ci_low"] == pytest.approx(100 * (pa - da - half), rel=1e-12)
    assert r["ci_high"] == pytest.approx(100 * (pa - da + half), rel=1e-12)
    assert r["method"] == "adjusted-wald" and r["confidence"] == 0.95


def test_nps_wald_and_confidence():
    s = [int(v) for v in column(SURVEY, "nps")]
    n, P, D = len(s), sum(v >= 9 for v in s), sum(v <= 6 for v in s)
    r = ok("nps", SURVEY, "--score", "nps", "--method", "wald", "--confidence", "0.9")
    p, d = P / n, D / n
    half = statistics.NormalDist().inv_cdf(0.95) * math.sqrt((p + d - (p - d) ** 2) / n)
    assert r["ci_low"] == pytest.approx(100 * (p - d - half), rel=1e-12)
    assert r["ci_high"] == pytest.approx(100 * (p - d + half), rel=1e-12)


def test_numbers_round_trip_exactly():
    r = run("nps", SURVEY, "--score", "nps").stdout
    # the printed text is the shortest that reads back: 18.875, not 18.875000000000000
    assert '"nps": 18.875,' in r


def test_csat_ces_aht():
    c = [int(v) for v in column(SURVEY, "csat")]
    k, n = sum(v >= 4 for v in c), len(c)
    r = ok("csat", SURVEY, "--score", "csat")
    assert (r["n"], r["satisfied"]) == (n, k)
    assert r["csat"] == pytest.approx(k / n, rel=1e-15)
    assert r["se"] == pytest.approx(math.sqrt(k / n * (1 - k / n) / n), rel=1e-13)
    lo, hi = wilson(k, n)
    assert r["ci_low"] == pytest.approx(lo, rel=1e-12)
    assert r["ci_high"] == pytest.approx(hi, rel=1e-12)
    top1 = ok("csat", SURVEY, "--score", "csat", "--satisfied-min", "5")
    assert top1["satisfied"] == sum(v == 5 for v in c)

    e = [int(v) for v in column(SURVEY, "ces")]
    r = ok("ces", SURVEY, "--score", "ces")
    assert r["mean"] == pytest.approx(statistics.fmean(e), rel=1e-15)
    assert r["se"] == pytest.approx(statistics.stdev(e) / math.sqrt(len(e)), rel=1e-12)

    h = [float(v) for v in column(SURVEY, "handle_seconds")]
    r = ok("aht", SURVEY, "--duration", "handle_seconds")
    assert r["n"] == len(h)
    assert r["mean"] == pytest.approx(math.fsum(h) / len(h), rel=1e-15)


def test_ces_single_response_has_null_se(tmp_path):
    f = tmp_path / "one.csv"
    f.write_text("ces\n4\n")
    assert ok("ces", f, "--score", "ces") == {"n": 1, "mean": 4, "se": None}


def test_svg_output(tmp_path):
    p = run("nps", SURVEY, "--score", "nps", "--format", "svg")
    assert p.returncode == 0
    svg = p.stdout
    assert svg.startswith("<svg ") and svg.rstrip().endswith("</svg>")
    assert "NPS +18.9" in svg
    s = [int(v) for v in column(SURVEY, "nps")]
    for v in range(11):
        assert "<title>score %d: %d</title>" % (v, s.count(v)) in svg


def test_committed_demo_svg_is_current():
    """The SVG shown in the README is the tool's output on the bundled data, byte for byte."""
    with open(os.path.join(ROOT, "examples", "nps.svg")) as f:
        committed = f.read()
    p = run("nps", "examples/data/survey.csv", "--score", "nps", "--format", "svg")
    assert p.stdout == committed


# ---- the CSV reader ----------------------------------------------------------------------------

def test_quoted_fields_crlf_and_embedded_newlines(tmp_path):
    f = tmp_path / "q.csv"
    f.write_bytes(b'name,"the score"\r\n"Doe, ""J""",10\r\n"multi\nline",9\r\n\r\nplain,"0"\r\n')
    r = ok("nps", f, "--score", "the score")
    assert (r["n"], r["promoters"], r["detractors"]) == (3, 2, 1)


def test_stdin_and_large_streaming_input(tmp_path):
    rows = "score\n" + "".join("%d\n" % (i % 11) for i in range(200_003))
    r = ok("nps", "-", "--score", "score", stdin=rows)
    assert r["n"] == 200_003
    # i % 11 in 9..10 for 2 of every 11 rows, 0..6 for 7 of 11 (+ the 200_003 % 11 = 1 extra 0)
    assert r["promoters"] == 2 * (200_003 // 11)
    assert r["detractors"] == 7 * (200_003 // 11) + 1


def test_bad_values_name_file_line_and_column(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("id,score\n1,9\n2,10\n3,11\n4,x\n")
    msg = fails(1, "nps", f, "--score", "score")
    assert msg == "retention: %s:4:2: column 'score': 11 is outside the scale 0-10" % f
    f.write_text("id,score\n1,9\n2,x\n")
    assert fails(1, "nps", f, "--score", "score") == (
        "retention: %s:3:2: column 'score': 'x' is not a whole-number score" % f)
    f.write_text("id,score\n1,9\n2,-1\n")
    assert ":3:2:" in fails(1, "nps", f, "--score", "score")
    f.write_text("id,d\n1,5\n2,-3\n")
    assert fails(1, "aht", f, "--duration", "d") == (
        "retention: %s:3:2: column 'd': a duration must be >= 0" % f)
    f.write_text("id,d\n1,5\n2,1e999\n")
    assert "3:2: column 'd': '1e999' is not a finite number" in fails(1, "aht", f, "--duration", "d")
    f.write_text("id,score\n1,9\n2\n")
    assert fails(1, "nps", f, "--score", "score") == (
        "retention: %s:3: 1 fields, but the header has 2" % f)
    f.write_text('id,score\n1,"9\n')
    assert "unterminated quoted field" in fails(1, "nps", f, "--score", "score")
    f.write_text('id,score\n1,"9"x\n')
    assert "quoted field" in fails(1, "nps", f, "--score", "score")


def test_missing_empty_and_headerless_files(tmp_path):
    assert "cannot open" in fails(1, "nps", tmp_path / "nope.csv", "--score", "s")
    e = tmp_path / "empty.csv"
    e.write_text("")
    assert "empty file" in fails(1, "nps", e, "--score", "s")
    h = tmp_path / "header_only.csv"
    h.write_text("s\n")
    assert "result undefined" in fails(1, "nps", h, "--score", "s")
    assert "no column 'x' (the header has: s)" in fails(1, "nps", h, "--score", "x")


def test_scales(tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("s\n1\n2\n3\n")
    assert "outside the scale 1-2" in fails(1, "csat", f, "--score", "s", "--scale", "1-2")
    assert ok("ces", f, "--score", "s", "--scale", "0-3")["mean"] == 2
    for bad in ("5-1", "1-300", "x", "1-5-7"):
        fails(2, "csat", f, "--score", "s", "--scale", bad)
    fails(2, "csat", f, "--score", "s", "--satisfied-min", "9")


# ---- formula commands --------------------------------------------------------------------------

def test_churn_seed_example():
    r = ok("churn", "--start", 1000, "--end", 900)
    assert (r["start"], r["lost"], r["churn"]) == (1000, 100, 0.1)
    assert r["churn_average"] == pytest.approx(100 / 950, rel=1e-15)
    lo, hi = wilson(100, 1000)
    assert r["ci_low"] == pytest.approx(lo, rel=1e-12) and r["ci_high"] == pytest.approx(hi, rel=1e-12)
    assert r["lifetime"] == pytest.approx(10, rel=1e-15)
    r = ok("churn", "--start", 1000, "--end", 1000, "--new", 100, "--periods", 12)
    assert r["lost"] == 100
    assert r["churn_converted"] == pytest.approx(float(1 - Fraction(9, 10) ** 12), rel=1e-14)
    r = ok("churn", "--lost", 30, "--customer-days", 27000, "--period-days", 30)
    assert r == {"churn_customer_days": pytest.approx(1 / 30, rel=1e-15)}


def test_rates_commands():
    assert ok("retention", "--start", 1000, "--end", 950, "--new", 50) == {"retention_rate": 0.9}
    assert ok("convert", "--rate", 0.02, "--periods", 12)["converted"] == pytest.approx(
        float(1 - Fraction(49, 50) ** 12), rel=1e-15)
    assert ok("lifetime", "--churn", 0.05) == {"lifetime": 20}
    r = ok("wilson", "--k", 81, "--n", 263)  # Newcombe (1998): 0.2553 to 0.3662
    assert round(r["low"], 4) == 0.2553 and round(r["high"], 4) == 0.3662


def test_revenue_seed_negative_churn():
    r = ok("revenue", "--start", 275000, "--expansion", 30000, "--accounts", 1000)
    assert r["net_churn"] == pytest.approx(-30000 / 275000, rel=1e-15)
    assert r["nrr"] == pytest.approx(305000 / 275000, rel=1e-15)
    assert r["gross_churn"] == 0 and r["grr"] == 1
    assert r["quick_ratio"] is None and "undefined" in r["quick_ratio_error"]
    assert r["arpa"] == 305
    r = ok("revenue", "--start", 1000, "--churned", 30, "--contraction", 20, "--expansion", 50,
           "--new", 100)
    assert r["quick_ratio"] == pytest.approx(150 / 50, rel=1e-15)
    assert r["grr"] == pytest.approx(0.95, rel=1e-15)


def test_clv_command():
    r = ok("clv", "--arpa", 100, "--margin", 0.8, "--churn", 0.03, "--discount", 0.01, "--cac", 1200)
    assert r["clv"] == pytest.approx(80 / 0.03, rel=1e-15)
    assert r["clv_discounted"] == pytest.approx(80 * 0.97 / (1.01 - 0.97), rel=1e-13)
    assert r["cac_payback"] == pytest.approx(15, rel=1e-15)
    assert r["ltv_cac"] == pytest.approx(80 * 0.97 / 0.04 / 1200, rel=1e-13)


def test_formula_errors():
    assert fails(1, "lifetime", "--churn", 0) == (
        "retention: lifetime: result undefined (empty input or zero denominator)")
    assert "outside its domain" in fails(1, "lifetime", "--churn", 1)
    assert "undefined" in fails(1, "churn", "--start", 0, "--lost", 0)
    assert "between 0 and --start" in fails(1, "churn", "--start", 10, "--end", 5, "--new", 6)
    fails(2, "churn", "--start", -3, "--lost", 1)
    fails(2, "churn", "--start", "ten", "--lost", 1)
    fails(2, "wilson", "--k", 1, "--n", 10, "--confidence", 1.5)
    fails(2, "convert", "--rate", "nan", "--periods", 12)
    fails(2, "retention", "--start", 10)


# ---- help, version, usage ----------------------------------------------------------------------

def test_help_version_usage():
    p = run("--help")
    assert p.returncode == 0 and "commands:" in p.stdout
    for name in ("nps", "csat", "ces", "aht", "cohort", "churn", "revenue", "clv"):
        assert "\n  %s " % name in p.stdout
        h = run(name, "--help")
        assert h.returncode == 0 and h.stdout.startswith("usage: retention %s" % name)
    v = run("--version")
    assert v.returncode == 0 and v.stdout.startswith("retention 1.")
    assert run().returncode == 2
    assert "unknown command 'frobnicate'" in fails(2, "frobnicate")
    assert "unknown option '--bogus'" in fails(2, "churn", "--bogus", 1)
    assert "a FILE is required" in fails(2, "nps", "--score", "s")
    assert "--score COLUMN is required" in fails(2, "nps", SURVEY)
    assert "--method" in fails(2, "nps", SURVEY, "--score", "nps", "--method", "exact")


def test_progress_only_on_a_terminal(tmp_path):
    """Progress goes to stderr when it is a terminal (and is erased at the end); never into a
    pipe or file, so scripts see clean output."""
    import pty

    f = tmp_path / "s.csv"
    f.write_text("score\n" + "9\n" * 1000)
    master, slave = pty.openpty()
    p = subprocess.run([CLI, "nps", str(f), "--score", "score"], stdout=subprocess.PIPE,
                       stderr=slave, text=True)
    os.close(slave)
    seen = b""
    try:
        while True:
            chunk = os.read(master, 4096)
            if not chunk:
                break
            seen += chunk
    except OSError:
        pass  # EIO at the end of a Linux pty
    os.close(master)
    assert p.returncode == 0 and json.loads(p.stdout)["n"] == 1000
    assert b"retention: " + str(f).encode() in seen and seen.endswith(b"\r\x1b[K")
    assert run("nps", f, "--score", "score").stderr == ""  # a pipe: nothing


# ---- cohort ------------------------------------------------------------------------------------

EVENTS = os.path.join(ROOT, "examples", "data", "events.csv")


def months_table(path):
    """The monthly "return on" table, computed here from the CSV with datetime: cohort = month of
    a customer's first event; cell k = distinct customers active in month cohort + k."""
    import datetime as dt
    active = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            d = dt.date.fromisoformat(row["date"])
            active.setdefault(row["customer"], set()).add(d.year * 12 + d.month - 1)
    last = max(m for s in active.values() for m in s)
    cohorts = {}
    for months in active.values():
        c = min(months)
        size, counts = cohorts.setdefault(c, [0, {}])
        cohorts[c][0] += 1
        for m in months:
            counts[m - c] = counts.get(m - c, 0) + 1
    return cohorts, last


def test_cohort_csv_matches_independent_table():
    cohorts, last = months_table(EVENTS)
    first = min(cohorts)
    p = run("cohort", EVENTS, "--customer", "customer", "--time", "date")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    periods = last - first + 1
    assert lines[0] == "cohort,size," + ",".join("p%d" % k for k in range(periods))
    assert len(lines) == 1 + len(cohorts)
    for line, c in zip(lines[1:], sorted(cohorts)):
        fields = line.split(",")
        assert fields[0] == "%04d-%02d-01" % (c // 12, c % 12 + 1)
        size, counts = cohorts[c]
        assert int(fields[1]) == size
        for k in range(periods):
            cell = fields[2 + k]
            if c + k > last:
                assert cell == "", "months after the data are censored: empty, not 0"
            else:
                assert float(cell) == counts.get(k, 0) / size


def test_cohort_json_rolling_and_errors(tmp_path):
    r = ok("cohort", EVENTS, "--customer", "customer", "--time", "date", "--format", "json",
           "--kind", "on-or-after", "--amount", "amount", "--max-periods", "3")
    assert r["kind"] == "on-or-after"
    for c in r["cohorts"]:
        assert len(c["active"]) == 3
        assert c["active"] == sorted(c["active"], reverse=True)  # rolling retention never rises
        assert c["status"][0] in ("complete", "partial")
    assert len(r["average"]) == 3 and r["average"][0] == 1

    f = tmp_path / "ev.csv"
    f.write_text("id,when\n1,2024-01-05\n2,2024-02-30\n")
    assert fails(1, "cohort", f, "--customer", "id", "--time", "when") == (
        "retention: %s:3:2: column 'when': '2024-02-30' no such date" % f)
    f.write_text("id,when\n1,99999999999999\n")
    assert "time outside" in fails(1, "cohort", f, "--customer", "id", "--time", "when")
    f.write_text("id,when\n")
    assert "no events" in fails(1, "cohort", f, "--customer", "id", "--time", "when")
    f.write_text("id,when\nalice@example.com,1700000000\nbob,2023-11-20T10:00:00+01:00\n")
    r = ok("cohort", f, "--customer", "id", "--time", "when", "--format", "json", "--period", "day")
    assert [c["size"] for c in r["cohorts"]] == [1, 1]
    # ids are compared as text: "7" and "007" are two customers; 30,000 distinct ids intern fine
    rows = ["id,when", "7,2024-01-01", "007,2024-01-01", "7,2024-02-01"]
    rows += ["u%d,2024-0%d-15" % (i, 1 + i % 3) for i in range(30000)]
    f.write_text("\n".join(rows) + "\n")
    r = ok("cohort", f, "--customer", "id", "--time", "when", "--format", "json")
    assert [c["size"] for c in r["cohorts"]] == [10002, 10000, 10000]
    assert r["cohorts"][0]["active"][:2] == [10002, 1]
    fails(2, "cohort", f, "--customer", "id", "--time", "when", "--period", "fortnight")
    fails(2, "cohort", f, "--customer", "id", "--time", "when", "--utc-offset", "5000")
    fails(2, "cohort", f, "--customer", "id", "--time", "when", "--kind", "brackets")
    # standard input is read once: the same table as from the file
    with open(EVENTS) as events:
        piped = ok("cohort", "-", "--customer", "customer", "--time", "date", "--format", "json",
                   stdin=events.read())
    assert piped == ok("cohort", EVENTS, "--customer", "customer", "--time", "date", "--format",
                       "json")
    assert "no column 'nope'" in fails(1, "cohort", EVENTS, "--customer", "customer", "--time",
                                       "date", "--amount", "nope")
    fails(2, "cohort", EVENTS, "--customer", "customer")


def test_committed_cohort_svg_is_current():
    with open(os.path.join(ROOT, "examples", "cohort.svg")) as f:
        committed = f.read()
    p = run("cohort", "examples/data/events.csv", "--customer", "customer", "--time", "date",
            "--format", "svg")
    assert p.stdout == committed
