"""Tests of `retention segments` and `retention economics` (examples/cli/cmd_segments.c): the
comparison against counts made here (collections.Counter) and statistics from scipy and
statsmodels (Wilson intervals, Newcombe's difference interval, the Katz log interval of the
ratio, the pooled z test, Pearson's chi-square without continuity correction); the economics
against CLV summed period by period; and every bad input.

Run by ctest (cli_tests) with RETENTION_CLI set to the built tool; by hand:
    RETENTION_CLI=build/dev/examples/retention /usr/bin/python3 -m pytest -q tests/cli
"""
import csv
import io
import json
import math
import random
from collections import Counter

import numpy as np
import pytest
from scipy.stats import chi2_contingency
from statsmodels.stats.proportion import (confint_proportions_2indep, proportion_confint,
                                          proportions_ztest)

from test_cli import fails, ok, run

HEADER = ("segment,retained,n,rate,rate_low,rate_high,diff,diff_low,diff_high,lift,lift_low,"
          "lift_high,z,p_value").split(",")
TRUE, FALSE = ("1", "true", "yes", "TRUE", "Yes", " 1 "), ("0", "false", "no", "FALSE", "No")


def write(tmp_path, rows, header=("segment", "retained"), name="s.csv"):
    f = tmp_path / name
    with open(f, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return f


def expected(rows, reference=None, confidence=0.95):
    """Per segment (sorted by text): k, n, the rate and the statistics against the reference
    (None where undefined); and the chi-square test across the segments."""
    n, k = Counter(s for s, _ in rows), Counter(s for s, r in rows if r)
    segs = sorted(n)
    ref = reference if reference is not None else segs[0]
    alpha = 1 - confidence
    out = []
    for s in segs:
        low, high = proportion_confint(k[s], n[s], alpha=alpha, method="wilson")
        e = {"segment": s, "retained": k[s], "n": n[s], "rate": k[s] / n[s], "rate_low": low,
             "rate_high": high}
        if s == ref:
            e.update(diff=0.0, diff_low=None, diff_high=None, lift=0.0, lift_low=None,
                     lift_high=None, z=None, p_value=None)
        else:
            d_low, d_high = confint_proportions_2indep(k[s], n[s], k[ref], n[ref],
                                                       method="newcomb", compare="diff",
                                                       alpha=alpha)
            e.update(diff=k[s] / n[s] - k[ref] / n[ref], diff_low=d_low, diff_high=d_high)
            if k[ref] == 0:
                e.update(lift=None, lift_low=None, lift_high=None)
            else:
                e["lift"] = (k[s] / n[s]) / (k[ref] / n[ref]) - 1
                if k[s] == 0:
                    e.update(lift_low=None, lift_high=None)
                else:
                    r_low, r_high = confint_proportions_2indep(k[s], n[s], k[ref], n[ref],
                                                               method="log", compare="ratio",
                                                               alpha=alpha)
                    e.update(lift_low=r_low - 1, lift_high=r_high - 1)
            pooled = (k[s] + k[ref]) / (n[s] + n[ref])
            if 0 < pooled < 1:
                z, p = proportions_ztest([k[s], k[ref]], [n[s], n[ref]])
                e.update(z=z, p_value=p)
            else:
                e.update(z=None, p_value=None)
        out.append(e)
    table = np.array([[k[s] for s in segs], [n[s] - k[s] for s in segs]])
    if len(segs) > 1 and table[0].sum() > 0 and table[1].sum() > 0:
        chisq, p, df, _ = chi2_contingency(table, correction=False)
    else:
        chisq, p, df = None, None, len(segs) - 1
    return out, {"chisq": chisq, "df": len(segs) - 1, "p_value": p, "reference": ref}


def close(got, want, what):
    if want is None:
        assert got in ("NA", None), (what, got)
    else:
        assert math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-12), (what, got, want)


def compare_csv(*args):
    p = run("segments", *args)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    rows = list(csv.reader(io.StringIO(p.stdout)))
    assert rows[0] == HEADER
    return [dict(zip(HEADER, r)) for r in rows[1:]]


def check(got, want):
    assert [g["segment"] for g in got] == [w["segment"] for w in want]
    for g, w in zip(got, want):
        assert int(g["retained"]) == w["retained"] and int(g["n"]) == w["n"]
        for key in HEADER[3:]:
            close(g[key], w[key], (w["segment"], key))


def random_rows(rng, rates):
    rows = []
    for seg, (n, p) in rates.items():
        rows += [(seg, rng.random() < p) for _ in range(n)]
    rng.shuffle(rows)
    return rows


def test_segments_against_scipy_and_statsmodels(tmp_path):
    rng = random.Random(2)
    rows = random_rows(rng, {"1 product": (400, 0.55), "4 products": (150, 0.8),
                             "2 products": (300, 0.62), "3 products": (90, 0.7)})
    text = [(s, rng.choice(TRUE) if r else rng.choice(FALSE)) for s, r in rows]
    f = write(tmp_path, text)
    want, test = expected(rows)
    check(compare_csv(f, "--segment", "segment", "--retained", "retained"), want)
    for ref, conf in (("4 products", 0.95), ("2 products", 0.9)):
        want, test = expected(rows, ref, conf)
        check(compare_csv(f, "--segment", "segment", "--retained", "retained", "--reference", ref,
                          "--confidence", conf), want)
        doc = ok("segments", f, "--segment", "segment", "--retained", "retained", "--reference",
                 ref, "--confidence", conf, "--format", "json")
        assert doc["reference"] == ref and doc["df"] == 3 and doc["confidence"] == conf
        close(doc["chisq"], test["chisq"], "chisq")
        close(doc["p_value"], test["p_value"], "p_value")
        assert [s["segment"] for s in doc["segments"]] == [w["segment"] for w in want]
        for s, w in zip(doc["segments"], want):
            assert list(s) == HEADER
            for key in HEADER[3:]:
                close(s[key], w[key], (w["segment"], key))


def test_two_segments_z_test_is_the_chi_square_test(tmp_path):
    # Newcombe (1998), table II: 56/70 vs 48/80
    rows = [("a", i < 56) for i in range(70)] + [("b", i < 48) for i in range(80)]
    f = write(tmp_path, [(s, int(r)) for s, r in rows])
    got = compare_csv(f, "--segment", "segment", "--retained", "retained", "--reference", "b")
    check(got, expected(rows, "b")[0])
    a = got[0]
    assert (round(float(a["diff_low"]), 4), round(float(a["diff_high"]), 4)) == (0.0524, 0.3339)
    doc = ok("segments", f, "--segment", "segment", "--retained", "retained", "--format", "json")
    close(doc["p_value"], got[0]["p_value"], "2x2 chi-square p = z test p")
    close(doc["chisq"], float(got[0]["z"]) ** 2, "chisq = z^2")


def test_edge_cases_give_na_not_zero(tmp_path):
    # everyone retained in a and b: no variance for the z test; none retained in c: no lift
    # interval; c as the reference: no lift at all
    rows = [("a", True)] * 5 + [("b", True)] * 3 + [("c", False)] * 4
    f = write(tmp_path, [(s, "yes" if r else "no") for s, r in rows])
    check(compare_csv(f, "--segment", "segment", "--retained", "retained"), expected(rows)[0])
    check(compare_csv(f, "--segment", "segment", "--retained", "retained", "--reference", "c"),
          expected(rows, "c")[0])
    # one segment: its own row, and no test
    f = write(tmp_path, [("only", 1), ("only", 0)])
    doc = ok("segments", f, "--segment", "segment", "--retained", "retained", "--format", "json")
    assert doc["chisq"] is None and doc["p_value"] is None and len(doc["segments"]) == 1
    # quoted labels with commas round-trip through the CSV output
    f = write(tmp_path, [("x, y", 1), ("z", 0), ("z", 1)])
    got = compare_csv(f, "--segment", "segment", "--retained", "retained")
    assert [g["segment"] for g in got] == ["x, y", "z"]


def test_many_rows_across_batches(tmp_path):
    rng = random.Random(9)
    rows = random_rows(rng, {f"s{i:02d}": (rng.randrange(2000, 9000), rng.random())
                             for i in range(30)})
    assert len(rows) > 65536
    f = write(tmp_path, [(s, int(r)) for s, r in rows])
    want, test = expected(rows, "s07")
    check(compare_csv(f, "--segment", "segment", "--retained", "retained", "--reference", "s07"),
          want)
    doc = ok("segments", f, "--segment", "segment", "--retained", "retained", "--reference",
             "s07", "--format", "json")
    close(doc["chisq"], test["chisq"], "chisq")
    assert doc["df"] == 29


# ---- bad input ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("flag", ["2", "maybe", "", "y", "1.0", "-1"])
def test_bad_retained_flags(tmp_path, flag):
    f = write(tmp_path, [("a", 1), ("b", 0), ("a", flag)])
    assert fails(1, "segments", f, "--segment", "segment", "--retained", "retained") == (
        f"retention: {f}:4:2: column 'retained': '{flag}' is not a retained flag "
        "(1/0, true/false, yes/no)")


def test_bad_usage_and_missing_columns(tmp_path):
    f = write(tmp_path, [("a", 1), ("b", 0)])
    args = ("--segment", "segment", "--retained", "retained")
    assert "no column 'plan' (the header has: segment, retained)" in fails(
        1, "segments", f, "--segment", "plan", "--retained", "retained")
    assert "no column 'kept'" in fails(1, "segments", f, "--segment", "segment", "--retained",
                                       "kept")
    assert "--retained COLUMN is required" in fails(2, "segments", f, "--segment", "segment")
    assert "--segment COLUMN is required" in fails(2, "segments", f, "--retained", "retained")
    assert fails(1, "segments", f, *args, "--reference", "c") == (
        f"retention: {f}: --reference 'c' is not a value of column 'segment'")
    for c in ("0", "1", "2", "-1", "x", "inf"):
        assert "--confidence" in fails(2, "segments", f, *args, "--confidence", c)
    assert "--format" in fails(2, "segments", f, *args, "--format", "svg")
    h = tmp_path / "h.csv"
    h.write_text("segment,retained\n")
    assert "no data rows" in fails(1, "segments", h, *args)


# ---- economics ----------------------------------------------------------------------------------------

def clv_sum(m, r, d, horizon):
    """Margin m at the end of each period still retained, discounted: sum of m r^t / (1+d)^t."""
    q = r / (1 + d)
    terms = horizon if horizon else 20000
    total, qt = 0.0, 1.0
    for _ in range(terms):
        qt *= q
        total += m * qt
    return total


@pytest.mark.parametrize("m,r,pts,d,cac,size,h", [
    (100, 0.8, 0.05, 0.1, 100, 1000, 0),       # the header's example
    (40, 0.6, 0.1, 0.0, 25, 500, 12),
    (250, 0.9, 0.05, 0.01, 300, 200, 36),
    (10, 0.95, -0.05, 0.02, 0, 1, 0),
    (80, 0.0, 0.3, 0.0, 10, 50, 5),
    (100, 0.7, 0.3, 0.0, 50, 10, 24),          # r + points = 1 with a horizon: m H
])
def test_economics_against_a_direct_sum(m, r, pts, d, cac, size, h):
    doc = ok("economics", "--margin", m, "--retention", r, "--points", pts, "--discount", d,
             "--cac", cac, "--cohort-size", size, "--horizon", h)
    before, after = clv_sum(m, r, d, h), clv_sum(m, r + pts, d, h)
    want = {"clv_before": before, "clv_after": after,
            "clv_change": after / before - 1 if before else None,
            "profit_before": size * (before - cac), "profit_after": size * (after - cac)}
    pb = want["profit_before"]
    want["profit_change"] = (want["profit_after"] - pb) / abs(pb) if pb else None
    assert list(doc) == list(want)
    for key, v in want.items():
        if v is None:
            assert doc[key] is None, key
        else:
            assert math.isclose(doc[key], v, rel_tol=1e-9, abs_tol=1e-9), (key, doc[key], v)


def test_economics_defaults_and_header_example():
    doc = ok("economics", "--margin", 100, "--retention", 0.8, "--points", 0.05, "--discount",
             0.1, "--cac", 100, "--cohort-size", 1000)
    assert round(doc["clv_before"], 2) == 266.67 and round(doc["clv_after"], 2) == 340.0
    assert round(doc["profit_change"], 3) == 0.44
    # defaults: no discount, no CAC, a cohort of one, no horizon
    doc = ok("economics", "--margin", 10, "--retention", 0.5, "--points", 0.25)
    assert math.isclose(doc["clv_before"], 10.0) and math.isclose(doc["clv_after"], 30.0)
    assert math.isclose(doc["profit_after"], 30.0)


def test_economics_bad_input():
    base = ("--margin", 100, "--retention", 0.8)
    assert "--points is required" in fails(2, "economics", *base)
    assert "--margin is required" in fails(2, "economics", "--retention", 0.8, "--points", 0.1)
    assert "--retention must be in [0, 1]" in fails(2, "economics", "--margin", 1, "--retention",
                                                    1.5, "--points", 0)
    assert "plus --points" in fails(2, "economics", *base, "--points", 0.3)
    assert "plus --points" in fails(2, "economics", *base, "--points", -0.9)
    assert "--margin must be >= 0" in fails(2, "economics", "--margin", -1, "--retention", 0.5,
                                            "--points", 0.1)
    assert "--discount must be >= 0" in fails(2, "economics", *base, "--points", 0.1,
                                              "--discount", -0.1)
    assert "--cac must be >= 0" in fails(2, "economics", *base, "--points", 0.1, "--cac", -5)
    assert "--cohort-size must be >= 0" in fails(2, "economics", *base, "--points", 0.1,
                                                 "--cohort-size", -5)
    assert "--horizon" in fails(2, "economics", *base, "--points", 0.1, "--horizon", 1.5)
    assert "--horizon" in fails(2, "economics", *base, "--points", 0.1, "--horizon", 2 ** 33)
    assert "not a finite number" in fails(2, "economics", *base, "--points", "nan")
    # retention 1 with no discount and no end: the value diverges
    assert "has no end" in fails(1, "economics", *base, "--points", 0.2)
    assert "unexpected argument" in fails(2, "economics", "file.csv", *base, "--points", 0.1)


def test_help_lists_the_commands():
    p = run("--help")
    assert p.returncode == 0 and "  segments " in p.stdout and "  economics " in p.stdout
    for cmd in ("segments", "economics"):
        assert run(cmd, "--help").returncode == 0
