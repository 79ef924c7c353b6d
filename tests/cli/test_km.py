"""Tests of `retention km` (examples/cli/cmd_km.c): the Kaplan-Meier CSV against a Kaplan-Meier
curve computed here independently (floats, Greenwood, the bound formulas with
statistics.NormalDist), against statsmodels and against R (tests/reference/r_survival.json); the
log-rank JSON against statsmodels' survdiff and R's survdiff; every bad input; the SVG.

Run by ctest (cli_tests) with RETENTION_CLI set to the built tool; by hand:
    RETENTION_CLI=build/dev/examples/retention /usr/bin/python3 -m pytest -q tests/cli
"""
import csv
import io
import json
import math
import os
import random
import statistics
import xml.etree.ElementTree as ET
from bisect import bisect_left
from fractions import Fraction
from itertools import accumulate

import pytest

from test_cli import ROOT, fails, ok, run

LIFETIMES = os.path.join(ROOT, "examples", "data", "lifetimes.csv")
R_REFERENCE = os.path.join(ROOT, "tests", "reference", "r_survival.json")
HEADER = "time,at_risk,events,censored,survival,std_err,lower,upper"
KM_ARGS = ("--duration", "tenure_days", "--event", "churned")
NAN = float("nan")


def read_lifetimes():
    with open(LIFETIMES, newline="") as f:
        rows = list(csv.DictReader(f))
    return ([float(r["tenure_days"]) for r in rows], [int(r["churned"]) for r in rows],
            [r["plan"] for r in rows])


def km_csv(*args, stdin=None):
    """The tool's CSV output as a header and rows of floats (NA read as NaN)."""
    p = run("km", *args, stdin=stdin)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    lines = p.stdout.splitlines()
    return lines[0], [[NAN if v == "NA" else float(v) for v in line.split(",")]
                      for line in lines[1:]]


def kaplan_meier(duration, event, entry=None, weight=None, conf_type="log", confidence=0.95):
    """The Kaplan-Meier table, written from the definitions: at each distinct time t, n = the
    weight of subjects with entry < t <= duration, d and c the weights of events and
    censorings at t; S *= 1 - d/n; Greenwood G += d / (n (n - d)); std_err = S sqrt(G); the
    bounds as R's survfit gives them (NaN once S = 0; log-log NaN where S = 1)."""
    n_all = len(duration)
    entry = entry or [None] * n_all
    weight = weight or [1.0] * n_all
    keep = [i for i in range(n_all) if weight[i] > 0]
    # the risk sets as exact sums (fractions of the binary weights), then rounded once
    d_sorted = sorted((duration[i], Fraction(weight[i])) for i in keep)
    d_times = [t for t, _ in d_sorted]
    d_cum = [0] + list(accumulate(w for _, w in d_sorted))
    e_sorted = sorted((entry[i], Fraction(weight[i])) for i in keep if entry[i] is not None)
    e_times = [t for t, _ in e_sorted]
    e_cum = [0] + list(accumulate(w for _, w in e_sorted))
    events, censored = {}, {}
    for i in keep:
        table = events if event[i] else censored
        table[duration[i]] = table.get(duration[i], 0.0) + weight[i]
    z = statistics.NormalDist().inv_cdf((1 + confidence) / 2)
    s, g, rows = 1.0, 0.0, []
    for t in sorted(set(d_times)):
        # leaving at t or later, minus entering at t or later (those are not at risk at t)
        at_risk = float((d_cum[-1] - d_cum[bisect_left(d_times, t)]) -
                        (e_cum[-1] - e_cum[bisect_left(e_times, t)]))
        d, c = events.get(t, 0.0), censored.get(t, 0.0)
        s *= 1 - d / at_risk
        g = g + d / (at_risk * (at_risk - d)) if d < at_risk else math.inf
        if s > 0:
            se = s * math.sqrt(g)
            if conf_type == "log":
                lo, hi = s * math.exp(-z * math.sqrt(g)), min(1.0, s * math.exp(z * math.sqrt(g)))
            elif conf_type == "plain":
                lo, hi = max(0.0, s - z * se), min(1.0, s + z * se)
            elif s < 1:
                a = z * math.sqrt(g) / math.log(s)
                lo = math.exp(-math.exp(math.log(-math.log(s)) - a))
                hi = math.exp(-math.exp(math.log(-math.log(s)) + a))
            else:
                lo = hi = NAN
        else:
            se = lo = hi = NAN
        rows.append([t, at_risk, d, c, s, se, lo, hi])
    return rows


def close(got, want, rel):
    """Equal to a relative tolerance, NaN only where NaN is expected (and 0 exactly 0)."""
    if want is None or (isinstance(want, float) and math.isnan(want)):
        return math.isnan(got)
    return got == pytest.approx(want, rel=rel, abs=0 if want != 0 else 1e-300)


def assert_table(got, want, rel):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert all(close(a, b, rel) for a, b in zip(g, w)), (g, w)


# ---- the curve -----------------------------------------------------------------------------------

@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
@pytest.mark.parametrize("confidence", [0.95, 0.9])
def test_csv_matches_independent_kaplan_meier(conf_type, confidence):
    duration, event, _ = read_lifetimes()
    header, rows = km_csv(LIFETIMES, *KM_ARGS, "--conf-type", conf_type,
                          "--confidence", confidence)
    assert header == HEADER
    assert_table(rows, kaplan_meier(duration, event, conf_type=conf_type,
                                    confidence=confidence), 1e-12)


def test_csv_matches_statsmodels():
    from statsmodels.duration.survfunc import SurvfuncRight
    duration, event, _ = read_lifetimes()
    sm = SurvfuncRight(duration, event)
    _, rows = km_csv(LIFETIMES, *KM_ARGS)
    at_events = [r for r in rows if r[2] > 0]  # statsmodels lists the event times only
    assert [r[0] for r in at_events] == list(sm.surv_times)
    for r, n, s, se in zip(at_events, sm.n_risk, sm.surv_prob, sm.surv_prob_se):
        assert r[1] == n
        assert r[4] == pytest.approx(s, rel=1e-12)
        assert r[5] == pytest.approx(se, rel=1e-12)


def test_numbers_are_shortest_round_trip_and_undefined_is_na(tmp_path):
    p = run("km", LIFETIMES, *KM_ARGS, "--conf-type", "plain")
    for line in p.stdout.splitlines()[1:]:
        for text in line.split(","):
            v = float(text)
            # Python's repr is the shortest text that reads back (integers without ".0")
            assert text == (str(int(v)) if v.is_integer() else repr(v)), line
    f = tmp_path / "t.csv"
    f.write_text("d,e\n1,1\n2,0\n3,1\n")
    p = run("km", f, "--duration", "d", "--event", "e")
    # S = 2/3 after t = 1; the last subject has its event: S = 0, std_err and bounds NA
    assert p.stdout.splitlines()[1].startswith("1,3,1,0,0.666666666666666")
    assert p.stdout.splitlines()[3] == "3,1,1,0,0,NA,NA,NA"
    # log-log bounds are undefined where S = 1 (a censoring before any event)
    f.write_text("d,e\n1,0\n2,1\n3,1\n")
    _, rows = km_csv(f, "--duration", "d", "--event", "e", "--conf-type", "log-log")
    assert rows[0][4:] == [1, 0, pytest.approx(NAN, nan_ok=True), pytest.approx(NAN, nan_ok=True)]


R = json.load(open(R_REFERENCE))


def write_subjects(path, case, group=None):
    """Writes a reference data set as CSV (repr: every number reads back exactly)."""
    cols = ["duration", "event"] + [c for c in ("entry", "weight") if case.get(c) is not None]
    with open(path, "w") as f:
        f.write(",".join(cols + (["group"] if group is not None else [])) + "\n")
        for i in range(len(case["duration"])):
            vals = [repr(float(case[c][i])) if c != "event" else str(case[c][i]) for c in cols]
            f.write(",".join(vals + ([group[i]] if group is not None else [])) + "\n")
    args = ["--duration", "duration", "--event", "event"]
    for c in ("entry", "weight"):
        if case.get(c) is not None:
            args += ["--" + c, c]
    return args


@pytest.mark.parametrize("case", R["km"], ids=[c["name"] for c in R["km"]])
def test_csv_matches_r_survfit(case, tmp_path):
    f = tmp_path / "subjects.csv"
    args = write_subjects(f, case)
    for conf_type, fit in case["fits"].items():
        want = fit["summary"]
        _, rows = km_csv(f, *args, "--conf-type", conf_type, "--confidence", repr(fit["conf_int"]))
        cols = ["time", "n.risk", "n.event", "n.censor", "surv", "std.err", "lower", "upper"]
        assert_table(rows, [list(r) for r in zip(*(want[c] for c in cols))], 1e-10)
        # the independent computation agrees too (weights and entry times included)
        mine = kaplan_meier(case["duration"], case["event"], case.get("entry"),
                            case.get("weight"), conf_type, fit["conf_int"])
        assert_table(rows, mine, 1e-12)


def test_group_medians_match_r_quantiles(tmp_path):
    """Right-censored, unweighted R data sets, one group each: each group's median and its
    interval are R's quantile(fit, 0.5)."""
    cases = [c for c in R["km"] if c["entry"] is None and c["weight"] is None]
    f = tmp_path / "g.csv"
    with open(f, "w") as out:
        out.write("duration,event,group\n")
        for c in cases:
            for d, e in zip(c["duration"], c["event"]):
                out.write("%r,%d,%s\n" % (float(d), e, c["name"]))
    for conf_type in ("log", "log-log", "plain"):
        r = ok("km", f, "--duration", "duration", "--event", "event", "--group", "group",
               "--conf-type", conf_type)
        got = {g["group"]: g for g in r["groups"]}
        for c in cases:
            if c["name"] == "ties_censor_conf90":
                continue  # its fit is at 90 %
            q = c["fits"][conf_type]["quantile"]
            i = q["probs"].index(0.5)
            g = got[c["name"]]
            assert g["n"] == len(c["duration"])
            for key, want in (("median", q["quantile"]), ("median_lower", q["lower"]),
                              ("median_upper", q["upper"])):
                assert g[key] == (None if want[i] is None else pytest.approx(want[i], rel=1e-12)), (
                    c["name"], key)


# ---- comparing groups ----------------------------------------------------------------------------

def test_logrank_matches_statsmodels_survdiff():
    from scipy.stats import chi2
    from statsmodels.duration.survfunc import survdiff
    duration, event, plan = read_lifetimes()
    for rho in (0, 1, 0.5):
        r = ok("km", LIFETIMES, *KM_ARGS, "--group", "plan", "--rho", rho)
        kw = {"weight_type": "fh", "fh_p": rho} if rho else {}
        chisq, p = survdiff(duration, event, plan, **kw)
        assert r["chisq"] == pytest.approx(chisq, rel=1e-12)
        assert r["df"] == 2 and r["rho"] == rho
        # statsmodels' p loses ~1e-10 (it subtracts a cdf from 1); scipy's survival function:
        assert r["p_value"] == pytest.approx(p, rel=1e-8)
        assert r["p_value"] == pytest.approx(chi2.sf(r["chisq"], 2), rel=1e-12)
    assert [g["group"] for g in r["groups"]] == sorted(set(plan))
    for g in r["groups"]:
        assert g["n"] == plan.count(g["group"])


def test_logrank_json_shape_and_medians():
    duration, event, plan = read_lifetimes()
    r = ok("km", LIFETIMES, *KM_ARGS, "--group", "plan")
    assert list(r) == ["chisq", "df", "p_value", "rho", "confidence", "conf_type", "groups"]
    assert (r["rho"], r["confidence"], r["conf_type"]) == (0, 0.95, "log")
    for g in r["groups"]:
        assert list(g) == ["group", "n", "observed", "expected", "median", "median_lower",
                           "median_upper"]
        idx = [i for i, p in enumerate(plan) if p == g["group"]]
        assert g["observed"] == sum(event[i] for i in idx)
        table = kaplan_meier([duration[i] for i in idx], [event[i] for i in idx])
        # the first time S <= 0.5 (no curve here sits exactly at 0.5), null if never
        below = [row[0] for row in table if row[4] <= 0.5]
        assert all(row[4] != 0.5 for row in table)
        assert g["median"] == (below[0] if below else None)
    assert sum(g["observed"] for g in r["groups"]) == pytest.approx(
        sum(g["expected"] for g in r["groups"]), rel=1e-12)


@pytest.mark.parametrize("case", R["logrank"], ids=[c["name"] for c in R["logrank"]])
def test_logrank_matches_r_survdiff(case, tmp_path):
    f = tmp_path / "lr.csv"
    labels = ["g%d" % g for g in case["group"]]  # g0 < g1 < ...: R's group order
    args = write_subjects(f, case, labels)
    r = ok("km", f, *args, "--group", "group", "--rho", case["rho"])
    assert r["chisq"] == pytest.approx(case["chisq"], rel=1e-10)
    assert r["p_value"] == pytest.approx(case["p_value"], rel=1e-10)
    assert r["df"] == case["df"]
    assert [g["group"] for g in r["groups"]] == ["g%d" % g for g in range(case["k"])]
    for g, o, e in zip(r["groups"], case["obs"], case["exp"]):
        assert g["observed"] == pytest.approx(o, rel=1e-10)
        assert g["expected"] == pytest.approx(e, rel=1e-10)


def test_group_labels_are_text_compared_exactly(tmp_path):
    """Labels sort as text ("10" before "9"), keep quotes and commas, "a" and "a " differ."""
    f = tmp_path / "labels.csv"
    rows = [("9", 1, 1), ("9", 4, 0), ("10", 2, 1), ("10", 3, 1), ('x, "y"', 5, 1),
            ('x, "y"', 1, 0), ("a", 2, 1), ("a ", 6, 1)]
    with open(f, "w", newline="") as out:
        w = csv.writer(out)
        w.writerow(["g", "d", "e"])
        w.writerows(rows)
    r = ok("km", f, "--duration", "d", "--event", "e", "--group", "g")
    assert [g["group"] for g in r["groups"]] == ["10", "9", "a", "a ", 'x, "y"']
    assert [g["n"] for g in r["groups"]] == [2, 2, 1, 1, 2]
    p = run("km", f, "--duration", "d", "--event", "e", "--group", "g", "--format", "csv")
    back = list(csv.reader(io.StringIO(p.stdout)))
    assert back[0] == ["group"] + HEADER.split(",")
    assert [row[0] for row in back[1:]] == ["10", "10", "9", "9", "a", "a ", 'x, "y"', 'x, "y"']


def test_grouped_csv_is_each_groups_curve():
    duration, event, plan = read_lifetimes()
    p = run("km", LIFETIMES, *KM_ARGS, "--group", "plan", "--format", "csv",
            "--conf-type", "log-log")
    lines = p.stdout.splitlines()
    assert lines[0] == "group," + HEADER
    for name in sorted(set(plan)):
        got = [[NAN if v == "NA" else float(v) for v in line.split(",")[1:]]
               for line in lines[1:] if line.split(",")[0] == name]
        idx = [i for i, g in enumerate(plan) if g == name]
        assert_table(got, kaplan_meier([duration[i] for i in idx], [event[i] for i in idx],
                                       conf_type="log-log"), 1e-12)


def test_large_input_streams_in_batches():
    """200,003 rows from standard input (four batches), groups interleaved: the same numbers as
    the independent computation and statsmodels."""
    from statsmodels.duration.survfunc import survdiff
    rng = random.Random(7)
    n = 200_003
    group = ["ab"[i % 2] + str(i % 3) for i in range(n)]
    duration = [float(rng.randint(0, 400) + (i % 3) * 20) for i in range(n)]
    event = [int(rng.random() < 0.7) for _ in range(n)]
    text = "g,d,e\n" + "".join("%s,%d,%d\n" % r for r in zip(group, duration, event))
    _, rows = km_csv("-", "--duration", "d", "--event", "e", stdin=text)
    assert_table(rows, kaplan_meier(duration, event), 1e-11)
    r = ok("km", "-", "--duration", "d", "--event", "e", "--group", "g", stdin=text)
    assert [g["group"] for g in r["groups"]] == ["a0", "a1", "a2", "b0", "b1", "b2"]
    assert [g["n"] for g in r["groups"]] == [group.count(g["group"]) for g in r["groups"]]
    assert r["chisq"] == pytest.approx(survdiff(duration, event, group)[0], rel=1e-10)


def test_weights_and_entry_with_groups(tmp_path):
    """Weights count as replicated rows; entry times shrink the risk sets (the R data sets are
    checked in test_csv_matches_r_survfit)."""
    f, g = tmp_path / "w.csv", tmp_path / "rep.csv"
    rows = [("a", 1, 1, 2), ("a", 3, 0, 1), ("a", 4, 1, 3), ("b", 2, 1, 1), ("b", 2, 1, 2),
            ("b", 5, 0, 1), ("a", 6, 1, 0)]
    f.write_text("g,d,e,w\n" + "".join("%s,%d,%d,%d\n" % r for r in rows))
    g.write_text("g,d,e\n" + "".join("%s,%d,%d\n" % r[:3] * r[3] for r in rows))
    a = ok("km", f, "--duration", "d", "--event", "e", "--group", "g", "--weight", "w")
    b = ok("km", g, "--duration", "d", "--event", "e", "--group", "g")
    assert a["chisq"] == pytest.approx(b["chisq"], rel=1e-13)
    assert [x["observed"] for x in a["groups"]] == [x["observed"] for x in b["groups"]]
    assert [x["n"] for x in a["groups"]] == [4, 3]  # rows, a weight of 0 included
    assert km_csv(f, "--duration", "d", "--event", "e", "--weight", "w")[1] == \
        km_csv(g, "--duration", "d", "--event", "e")[1]
    f.write_text("d,e,t0\n2,1,0\n3,0,1\n5,1,2\n4,1,0\n")
    _, rows = km_csv(f, "--duration", "d", "--event", "e", "--entry", "t0")
    assert_table(rows, kaplan_meier([2, 3, 5, 4], [1, 0, 1, 1], [0, 1, 2, 0]), 1e-14)
    assert [r[1] for r in rows] == [3, 3, 2, 1]


# ---- bad input -----------------------------------------------------------------------------------

def test_bad_values_name_file_line_and_column(tmp_path):
    f = tmp_path / "bad.csv"
    km = ("km", f, "--duration", "d", "--event", "e")
    cases = [
        ("1,1,x\n", "4:3: column 'd': 'x' is not a finite number"),
        ("1,1,-3\n", "4:3: column 'd': -3 is negative: a duration must be >= 0"),
        ("1,1,nan\n", "4:3: column 'd': 'nan' is not a finite number"),
        ("1,1,inf\n", "4:3: column 'd': 'inf' is not a finite number"),
        ("1,1,\n", "4:3: column 'd': '' is not a finite number"),
        ("1,2,4\n", "4:2: column 'e': '2' is not 0 (censored) or 1 (event)"),
        ("1,true,4\n", "4:2: column 'e': 'true' is not 0 (censored) or 1 (event)"),
        ("1,1.0,4\n", "4:2: column 'e': '1.0' is not 0 (censored) or 1 (event)"),
    ]
    for row, msg in cases:
        f.write_text("id,e,d\n1,1,5\n2,0,7\n" + row + "5,1,6\n")
        assert fails(1, *km) == "retention: %s:%s" % (f, msg)
    # the first bad row is the one reported, whichever check finds it
    f.write_text("id,e,d\n1,1,5\n2,1,-1\n3,7,2\n")
    assert fails(1, *km).startswith("retention: %s:3:3:" % f)
    f.write_text("id,e,d,w,t0\n1,1,5,1,0\n2,1,4,-2,0\n")
    assert fails(1, *km, "--weight", "w") == (
        "retention: %s:3:4: column 'w': -2 is negative: a weight must be >= 0" % f)
    f.write_text("id,e,d,w,t0\n1,1,5,1,0\n2,1,4,1,4\n")
    assert fails(1, *km, "--entry", "t0") == (
        "retention: %s:3:5: column 't0': 4 is not before the duration: entry < duration is "
        "needed" % f)
    # in a later batch, and in a group other than the first
    f.write_text("g,e,d\n" + "a,1,5\nb,0,3\n" * 40000 + "a,1,2\nb,1,-0.5\na,1,-1\n")
    assert fails(1, *km, "--group", "g") == (
        "retention: %s:80003:3: column 'd': -0.5 is negative: a duration must be >= 0" % f)


def test_bad_files_and_groups(tmp_path):
    f = tmp_path / "f.csv"
    f.write_text("d,e\n")
    assert fails(1, "km", f, "--duration", "d", "--event", "e") == (
        "retention: %s: no data rows (only a header): the survival curve of nothing is "
        "undefined" % f)
    f.write_text("d,e,g\n")
    assert "no data rows" in fails(1, "km", f, "--duration", "d", "--event", "e", "--group", "g")
    f.write_text("d,e,g\n1,1,x\n2,0,x\n")
    assert fails(1, "km", f, "--duration", "d", "--event", "e", "--group", "g") == (
        "retention: %s: column 'g' has one value ('x'): a comparison needs at least two "
        "groups" % f)
    assert fails(1, "km", f, "--duration", "d", "--event", "nope") == (
        "retention: %s: no column 'nope' (the header has: d, e, g)" % f)
    assert "no column 'x'" in fails(1, "km", f, "--duration", "x", "--event", "e")
    assert "no column 'w'" in fails(1, "km", f, "--duration", "d", "--event", "e", "--weight", "w")
    f.write_text("d,e,w\n1,1,0\n2,0,0\n")
    assert "every weight is 0" in fails(1, "km", f, "--duration", "d", "--event", "e",
                                        "--weight", "w")
    f.write_text("d,e,t0\n1,1,0\n3,1,2\n")  # nobody at risk between 1 and 2
    assert "the risk set empties" in fails(1, "km", f, "--duration", "d", "--event", "e",
                                           "--entry", "t0")
    f.write_text("d,e,g\n1,0,x\n2,0,y\n")
    assert "no events in any group" in fails(1, "km", f, "--duration", "d", "--event", "e",
                                             "--group", "g")
    f.write_text("d,e,g\n" + "".join("1,1,g%d\n" % i for i in range(1025)))
    assert fails(1, "km", f, "--duration", "d", "--event", "e", "--group", "g") == (
        "retention: %s:1026:3: column 'g': 'g1024' would be group 1025: at most 1024 can be "
        "compared" % f)
    assert "cannot open" in fails(1, "km", tmp_path / "nope.csv", "--duration", "d", "--event", "e")


def test_usage_errors(tmp_path):
    f = tmp_path / "u.csv"
    f.write_text("d,e,g\n1,1,x\n2,0,y\n")
    base = ("km", f, "--duration", "d", "--event", "e")
    assert "--conf-type: 'wide'" in fails(2, *base, "--conf-type", "wide")
    assert "--confidence must be in (0, 1)" in fails(2, *base, "--confidence", 1.5)
    assert "--confidence must be in (0, 1)" in fails(2, *base, "--confidence", 0)
    assert "--rho must be >= 0" in fails(2, *base, "--group", "g", "--rho", -1)
    assert "not a finite number" in fails(2, *base, "--group", "g", "--rho", "nan")
    assert "--rho is a parameter of the test" in fails(2, *base, "--rho", 1)
    assert "--format json is the log-rank test" in fails(2, *base, "--format", "json")
    assert "--format: 'png'" in fails(2, *base, "--format", "png")
    assert "--event COLUMN is required" in fails(2, "km", f, "--duration", "d")
    assert "--duration COLUMN is required" in fails(2, "km", f, "--event", "e")
    assert "a FILE is required" in fails(2, "km", "--duration", "d", "--event", "e")
    h = run("km", "--help")
    assert h.returncode == 0 and h.stdout.startswith(
        "usage: retention km FILE --duration COL --event COL [--group COL]")
    for opt in ("--entry", "--weight", "--conf-type", "--confidence", "--rho", "--format"):
        assert "\n  %s " % opt in h.stdout
    assert "\n  km " in run("--help").stdout


# ---- the chart -----------------------------------------------------------------------------------

def test_svg_is_well_formed_and_deterministic(tmp_path):
    args = (LIFETIMES, *KM_ARGS, "--group", "plan", "--format", "svg")
    p = run("km", *args)
    assert p.returncode == 0 and p.stderr == ""
    assert run("km", *args).stdout == p.stdout
    root = ET.fromstring(p.stdout)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == ns + "svg"
    titles = [t.text for t in root.iter(ns + "title")]
    assert titles == ["basic", "enterprise", "pro"]  # one step curve per group, sorted
    assert "href" not in p.stdout and "<script" not in p.stdout  # nothing external
    text = " ".join(t.text or "" for t in root.iter(ns + "text"))
    assert "log-rank test chi-squared 35.11 on 2 df" in text
    assert "enterprise: n = 60, 9 events, median not reached" in text
    # a lone curve, labels and file names escaped
    f = tmp_path / "a&b<c>.csv"
    f.write_text("d,e,g\n1,1,<x&y>\n2,0,<x&y>\n3,1,z\n")
    for extra in ((), ("--group", "g"), ("--conf-type", "log-log")):
        p = run("km", f, "--duration", "d", "--event", "e", "--format", "svg", *extra)
        assert p.returncode == 0, p.stderr
        ET.fromstring(p.stdout)


def test_committed_km_svg_is_current():
    """examples/km.svg is the tool's output on the bundled data, byte for byte."""
    with open(os.path.join(ROOT, "examples", "km.svg")) as f:
        committed = f.read()
    p = run("km", "examples/data/lifetimes.csv", *KM_ARGS, "--group", "plan", "--format", "svg")
    assert p.stdout == committed
