"""Tests of `retention rfm`, `retention fit` and `retention predict` (examples/cli/cmd_models.c):
the RFM summary of the CDNOW sample against the published summary (tests/data/cdnow_summary.csv)
and against one computed here from the definitions; the BG/NBD and Gamma-Gamma fits against the
published CDNOW estimates and log-likelihoods (Fader, Hardie & Lee 2005) and against
log-likelihoods evaluated here with scipy; the Pareto/NBD fit likewise (its likelihood integrated
here with scipy.integrate.quad); the sBG fit against a maximum-likelihood fit done here
with scipy.optimize; P(alive), expected purchases and CLV against the closed forms evaluated with
scipy.special.hyp2f1 (BG/NBD) and numerical integration (Pareto/NBD, DERT); every bad input.

Run by ctest (cli_tests) with RETENTION_CLI set to the built tool; by hand:
    RETENTION_CLI=build/dev/examples/retention /usr/bin/python3 -m pytest -q tests/cli
"""
import csv
import io
import math
import os
from collections import defaultdict

import numpy as np
import pytest
from scipy import integrate, optimize
from scipy.special import betaln, gammaln, hyp2f1

from test_cli import ROOT, fails, ok, run

CDNOW = os.path.join(ROOT, "tests", "data", "CDNOW_sample.txt")
SUMMARY = os.path.join(ROOT, "tests", "data", "cdnow_summary.csv")
CAL, HOLD = "1997-09-30", "1998-06-30"
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]  # Fader & Hardie (2007), table 1
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]


def out_csv(*args, stdin=None):
    p = run(*args, stdin=stdin)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    return list(csv.DictReader(io.StringIO(p.stdout)))


@pytest.fixture(scope="module")
def cdnow(tmp_path_factory):
    """The fixed-width CDNOW sample (masterid sampleid YYYYMMDD cds dollars) as a CSV event log
    with ISO dates, and its weekly RFM summary written by the tool."""
    d = tmp_path_factory.mktemp("cdnow")
    log = d / "cdnow.csv"
    with open(CDNOW) as f, open(log, "w") as g:
        g.write("customer,date,cds,dollars\n")
        for line in f:
            _, sample, day, cds, dollars = line.split()
            g.write("%d,%s-%s-%s,%s,%s\n" % (int(sample), day[:4], day[4:6], day[6:], cds,
                                               dollars))
    rfm = d / "rfm.csv"
    p = run("rfm", log, "--customer", "customer", "--time", "date", "--amount", "dollars",
            "--calibration-end", CAL, "--holdout-end", HOLD, "--unit", "week")
    assert p.returncode == 0 and p.stderr == "", p.stderr
    rfm.write_text(p.stdout)
    return log, rfm


def read_rfm(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return {k: np.array([float(r[k]) for r in rows]) for k in ("x", "t_x", "T", "monetary")}


# ---- rfm ------------------------------------------------------------------------------------------

def test_rfm_matches_the_published_cdnow_summary(cdnow):
    with open(SUMMARY, newline="") as f:
        published = list(csv.DictReader(f))
    with open(cdnow[1], newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["customer", "x", "t_x", "T", "monetary", "x_holdout"]
    assert [r["customer"] for r in rows] == [r["ID"] for r in published]  # first appearance
    for mine, pub in zip(rows, published):
        assert float(mine["x"]) == float(pub["x"])
        for k, pk in (("t_x", "t_x"), ("T", "T"), ("monetary", "zbar")):
            # rounded to 2 decimals (ties such as 22.345 may round either way)
            assert abs(float(mine[k]) - float(pub[pk])) <= 0.005 + 1e-9, (mine, pub)


def rfm_from_definitions(events, cal, hold, unit):
    """Per customer (first appearance order): purchases merged by day; x = days after the first
    up to cal; t_x, T in days / unit; monetary the mean amount of those days; x_holdout the days
    after cal up to hold."""
    days = defaultdict(lambda: defaultdict(list))
    order = []
    for c, d, a in events:
        if c not in days:
            order.append(c)
        days[c][d].append(a)
    out = []
    for c in order:
        ds = sorted(days[c])
        if ds[0] > cal:
            continue
        rep = [d for d in ds[1:] if d <= cal]
        x = len(rep)
        spend = [math.fsum(days[c][d]) for d in rep]
        out.append((c, x, ((rep[-1] - ds[0]) if x else 0) / unit, (cal - ds[0]) / unit,
                    math.fsum(spend) / x if x else 0.0, sum(cal < d <= hold for d in ds)))
    return out


def test_rfm_matches_the_definitions(cdnow):
    from datetime import date
    with open(cdnow[0], newline="") as f:
        events = [(r["customer"], date.fromisoformat(r["date"]).toordinal(), float(r["dollars"]))
                  for r in csv.DictReader(f)]
    cal, hold = date.fromisoformat(CAL).toordinal(), date.fromisoformat(HOLD).toordinal()
    want = rfm_from_definitions(events, cal, hold, 7)
    with open(cdnow[1], newline="") as f:
        got = list(csv.DictReader(f))
    assert len(got) == len(want) == 2357
    for g, w in zip(got, want):
        assert g["customer"] == w[0]
        assert [float(g[k]) for k in ("x", "t_x", "T", "x_holdout")] == [w[1], w[2], w[3], w[5]]
        assert float(g["monetary"]) == pytest.approx(w[4], rel=1e-15)


def test_rfm_text_ids_days_and_options(tmp_path):
    f = tmp_path / "log.csv"
    f.write_text("who,when,amt\n"
                 "\"b,2\",2024-01-03T10:00:00Z,5\n"
                 "a@x.org,2024-01-01,1\n"
                 "\"b,2\",2024-01-03T23:59:00Z,7\n"  # the same day: one purchase of 12
                 "a@x.org,2024-01-08,4\n"
                 "\"b,2\",2024-01-05,3\n"
                 "late,2024-02-01,9\n"  # first purchase after the calibration: not a row
                 "a@x.org,2024-01-20,8\n")  # in the holdout
    base = ("rfm", f, "--customer", "who", "--time", "when", "--calibration-end", "2024-01-10")
    p = run(*base)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "customer,x,t_x,T\n\"b,2\",1,2,7\na@x.org,1,7,9\n"
    p = run(*base, "--amount", "amt", "--holdout-end", "2024-01-31", "--unit", "week")
    assert p.stdout == ("customer,x,t_x,T,monetary,x_holdout\n"
                        "\"b,2\",1,0.2857142857142857,1,3,0\n"
                        "a@x.org,1,1,1.2857142857142858,4,1\n")
    # local days: 23:59 UTC on the 3rd is the 4th at UTC+1, no longer merged with 10:00 UTC
    p = run(*base, "--amount", "amt", "--utc-offset", "60")
    assert p.stdout.splitlines()[1] == "\"b,2\",2,2,7,5"
    # Unix seconds, standard input
    p = run("rfm", "-", "--customer", "c", "--time", "t", "--calibration-end", "86400",
            stdin="c,t\n1,0\n1,86400\n")
    assert p.stdout == "customer,x,t_x,T\n1,1,1,1\n"


# ---- fits -------------------------------------------------------------------------------------------

def bgnbd_ll(p, x, tx, T):
    r, alpha, a, b = p
    l3 = -(r + x) * np.log(alpha + T)
    l4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) -
                  (r + x) * np.log(alpha + tx), -np.inf)
    return float(np.sum(gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) -
                        betaln(a, b) + np.logaddexp(l3, l4)))


def gg_ll(p3, x, m):
    p, q, g = p3
    x, m = x[x > 0], m[x > 0]
    return float(np.sum(gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(g) +
                        (p * x - 1) * np.log(m) + p * x * np.log(x) -
                        (p * x + q) * np.log(g + m * x)))


def published_fit(cdnow, model, names, digits, published, n=2357):
    """The tool's fit of the CDNOW summary: its keys, and its estimates rounded as published."""
    fit = ok("fit", model, cdnow[1])
    assert list(fit) == ["model", *names, "log_likelihood", "n", "converged", "se"]
    assert fit["model"] == model and fit["converged"] is True and fit["n"] == n
    assert [round(fit[k], digits) for k in names] == published
    assert set(fit["se"]) == set(names)
    return fit, [fit[k] for k in names], read_rfm(cdnow[1])


def test_fit_bgnbd_gives_the_published_cdnow_estimates(cdnow):
    # Fader, Hardie & Lee (2005): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL -9582.4
    fit, p, d = published_fit(cdnow, "bgnbd", ["r", "alpha", "a", "b"], 3,
                              [0.243, 4.414, 0.793, 2.426])
    assert fit["log_likelihood"] == pytest.approx(-9582.4292, rel=1e-6)
    assert fit["log_likelihood"] == pytest.approx(bgnbd_ll(p, d["x"], d["t_x"], d["T"]),
                                                  rel=1e-12)
    assert all(0 < fit["se"][k] < fit[k] for k in fit["se"])


def test_fit_weights_count_customers(cdnow, tmp_path):
    """Identical rows merged with a weight give the same fit; n is the weight."""
    with open(cdnow[1], newline="") as f:
        rows = list(csv.DictReader(f))
    merged = defaultdict(int)
    for r in rows:
        merged[(r["x"], r["t_x"], r["T"])] += 1
    g = tmp_path / "weighted.csv"
    g.write_text("frequency,recency,age,w\n" +
                 "".join("%s,%s,%s,%d\n" % (k + (w,)) for k, w in merged.items()))
    fit = ok("fit", "bgnbd", g, "--x", "frequency", "--t-x", "recency", "--T", "age",
             "--weight", "w")
    ref = ok("fit", "bgnbd", cdnow[1])
    assert fit["n"] == 2357
    for k in ("r", "alpha", "a", "b", "log_likelihood"):
        assert fit[k] == pytest.approx(ref[k], rel=1e-7)


def test_fit_gamma_gamma_gives_the_published_cdnow_estimates(cdnow):
    # the 946 customers with repeat purchases; FHL 2005 ("RFM and CLV"): 6.25, 3.74, 15.44
    fit, p, d = published_fit(cdnow, "gamma-gamma", ["p", "q", "gamma"], 2, [6.25, 3.74, 15.44],
                              n=946)
    assert fit["log_likelihood"] == pytest.approx(-4055.9177, rel=1e-6)
    assert fit["log_likelihood"] == pytest.approx(gg_ll(p, d["x"], d["monetary"]), rel=1e-12)


def pnbd_terms(p, x, tx, T):
    """Per customer, log of the Pareto/NBD likelihood's first term C (α+T)^-(r+x) (β+T)^-s and
    the ratio of the second to it, s ∫_{t_x}^T (α+τ)^-(r+x) (β+τ)^-(s+1) dτ / [(α+T)^-(r+x)
    (β+T)^-s], integrated numerically (Schmittlein, Morrison & Colombo 1987; Fader & Hardie's
    note, eq. 17): L = e^first (1 + ratio), P(alive) = 1 / (1 + ratio)."""
    r, alpha, s, beta = p
    first = (gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) -
             (r + x) * np.log(alpha + T) - s * np.log(beta + T))
    cache, ratio = {}, np.empty(len(x))
    for i, key in enumerate(zip(x, tx, T)):
        if key not in cache:
            xi, ti, Ti = key
            f = (lambda u, xi=xi, Ti=Ti: ((alpha + Ti) / (alpha + u)) ** (r + xi) *
                 ((beta + Ti) / (beta + u)) ** s / (beta + u))
            cache[key] = s * integrate.quad(f, ti, Ti, epsabs=0, epsrel=1e-13, limit=200)[0]
        ratio[i] = cache[key]
    return first, ratio


def pnbd_ll(p, x, tx, T):
    first, ratio = pnbd_terms(p, x, tx, T)
    return float(np.sum(first + np.log1p(ratio)))


def test_fit_pareto_nbd_gives_the_published_cdnow_estimates(cdnow):
    # Fader, Hardie & Lee (2005, "RFM and CLV"): r = 0.55, alpha = 10.58, s = 0.61,
    # beta = 11.67, LL -9595.0
    fit, p, d = published_fit(cdnow, "pareto-nbd", ["r", "alpha", "s", "beta"], 2,
                              [0.55, 10.58, 0.61, 11.67])
    assert round(fit["log_likelihood"], 1) == -9595.0
    assert fit["log_likelihood"] == pytest.approx(pnbd_ll(p, d["x"], d["t_x"], d["T"]),
                                                  rel=1e-10)
    # the maximum: a step along any parameter lowers the likelihood computed here
    for i in range(4):
        for h in (-1e-3, 1e-3):
            q = list(p)
            q[i] *= 1 + h
            assert pnbd_ll(q, d["x"], d["t_x"], d["T"]) < fit["log_likelihood"]


def sbg_ll(ab, cohorts):
    a, b = ab
    ll = 0.0
    for c in cohorts:
        for t in range(1, len(c)):
            ll += (c[t - 1] - c[t]) * (betaln(a + 1, b + t - 1) - betaln(a, b))
        ll += c[-1] * (betaln(a, b + len(c) - 1) - betaln(a, b))
    return ll


def sbg_mle(cohorts):
    res = optimize.minimize(lambda v: -sbg_ll(np.exp(v), cohorts), [0.0, 0.0],
                            method="Nelder-Mead",
                            options={"xatol": 1e-12, "fatol": 1e-13, "maxiter": 10000})
    return np.exp(res.x), -res.fun


def test_fit_sbg_matches_scipy(tmp_path):
    f = tmp_path / "alive.csv"
    published = {"high_end": (0.668, 3.806), "regular": (0.704, 1.182)}  # FH 2007, table 2
    for name, counts in (("high_end", HIGH_END), ("regular", REGULAR)):
        f.write_text("period,alive\n" + "".join("%d,%d\n" % (t, c) for t, c in enumerate(counts)))
        fit = ok("fit", "sbg", f, "--alive", "alive")
        (a, b), ll = sbg_mle([counts])
        assert fit["alpha"] == pytest.approx(a, rel=1e-5)
        assert fit["beta"] == pytest.approx(b, rel=1e-5)
        assert fit["log_likelihood"] == pytest.approx(ll, rel=1e-9)
        assert (round(fit["alpha"], 3), round(fit["beta"], 3)) == published[name]
        assert fit["n"] == 1000 and fit["cohorts"] == 1 and fit["converged"] is True
        assert set(fit["se"]) == {"alpha", "beta"}
    # both segments as cohorts sharing one fit, their rows interleaved
    f.write_text("seg,alive\n" + "".join("h,%d\nr,%d\n" % cr for cr in zip(HIGH_END, REGULAR)))
    fit = ok("fit", "sbg", f, "--alive", "alive", "--cohort", "seg")
    (a, b), ll = sbg_mle([HIGH_END, REGULAR])
    assert fit["alpha"] == pytest.approx(a, rel=1e-5)
    assert fit["beta"] == pytest.approx(b, rel=1e-5)
    assert fit["log_likelihood"] == pytest.approx(ll, rel=1e-9)
    assert fit["n"] == 2000 and fit["cohorts"] == 2


# ---- predictions -----------------------------------------------------------------------------------

def bgnbd_predict(p, x, tx, T, t):
    """P(alive) (FHL's note, eq. 2) and E[Y(t) | x, t_x, T] (FHL 2005, eq. 10)."""
    r, alpha, a, b = p
    odds = np.where(x > 0, a / np.maximum(b + x - 1, 1e-300) *
                    ((alpha + T) / (alpha + tx)) ** (r + x), 0.0)
    pa = 1 / (1 + odds)
    e = ((a + b + x - 1) / (a - 1) *
         (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) *
          hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))) * pa)
    return pa, e


def clv_reference(p, g, d, discount, length, periods):
    pp, q, gamma = g
    x, m = d["x"], d["monetary"]
    spend = (gamma + np.where(x > 0, m * x, 0)) * pp / (pp * x + q - 1)
    value, prev = 0.0, 0.0
    for k in range(1, periods + 1):
        e = bgnbd_predict(p, x, d["t_x"], d["T"], k * length)[1]
        value = value + (e - prev) / (1 + discount) ** k
        prev = e
    return spend * value


def predict_rows(*args):
    rows = out_csv("predict", *args)
    return rows, {k: np.array([float(r[k]) for r in rows]) for k in rows[0] if k != "customer"}


def test_predict_bgnbd_matches_scipy(cdnow):
    p = [0.243, 4.414, 1.793, 2.426]  # a > 1: see test_predict_bgnbd_with_a_below_1
    rows, got = predict_rows("bgnbd", cdnow[1], "--params", ",".join(map(str, p)),
                             "--horizon", 39)
    assert list(rows[0]) == ["customer", "p_alive", "expected"]
    assert [r["customer"] for r in rows[:3]] == ["1", "2", "3"]
    d = read_rfm(cdnow[1])
    pa, e = bgnbd_predict(p, d["x"], d["t_x"], d["T"], 39)
    np.testing.assert_allclose(got["p_alive"], pa, rtol=1e-9, atol=0)
    np.testing.assert_allclose(got["expected"], e, rtol=1e-9, atol=0)
    # with CLV: 12 periods of 4 weeks at 1 % per period
    g = [6.25, 3.74, 15.44]
    rows, got = predict_rows("bgnbd", cdnow[1], "--params", ",".join(map(str, p)),
                             "--horizon", 39, "--gamma-gamma", "6.25,3.74,15.44",
                             "--discount", 0.01, "--period-length", 4, "--periods", 12)
    assert list(rows[0]) == ["customer", "p_alive", "expected", "clv"]
    np.testing.assert_allclose(got["clv"], clv_reference(p, g, d, 0.01, 4, 12), rtol=1e-9,
                               atol=0)


def test_predict_bgnbd_with_a_below_1(cdnow):
    p = [0.243, 4.414, 0.793, 2.426]
    _, got = predict_rows("bgnbd", cdnow[1], "--params", ",".join(map(str, p)), "--horizon", 39)
    d = read_rfm(cdnow[1])
    pa, e = bgnbd_predict(p, d["x"], d["t_x"], d["T"], 39)
    np.testing.assert_allclose(got["expected"], e, rtol=1e-9, atol=0)


def test_predict_pareto_nbd_matches_scipy(cdnow):
    p = [0.55, 10.58, 0.61, 11.67]
    g = [6.25, 3.74, 15.44]
    d = read_rfm(cdnow[1])
    x, tx, T = d["x"], d["t_x"], d["T"]
    r, alpha, s, beta = p
    _, ratio = pnbd_terms(p, x, tx, T)
    pa = 1 / (1 + ratio)
    e = ((r + x) * (beta + T) / ((alpha + T) * (s - 1)) *
         (1 - ((beta + T) / (beta + T + 39)) ** (s - 1)) * pa)
    rows, got = predict_rows("pareto-nbd", cdnow[1], "--params", "0.55,10.58,0.61,11.67",
                             "--horizon", 39, "--gamma-gamma", "6.25,3.74,15.44",
                             "--discount", 0.15, "--period-length", 52)
    assert list(rows[0]) == ["customer", "p_alive", "expected", "clv"]
    np.testing.assert_allclose(got["p_alive"], pa, rtol=1e-9, atol=0)
    np.testing.assert_allclose(got["expected"], e, rtol=1e-9, atol=0)
    # CLV = spend x DERT at delta = log(1.15) / 52 a week (FHL 2005, eq. 2): DERT =
    # (r + x) / (alpha + T) P(alive) z^s U(s, s; z) / delta, z = delta (beta + T), with
    # U(s, s; z) = 1/Gamma(s) int_0^inf e^-zt t^(s-1) / (1 + t) dt (t = u^(1/s) below)
    delta = math.log(1.15) / 52
    zsu = {}
    for Ti in set(T):
        z = delta * (beta + Ti)
        f = lambda u, z=z: math.exp(-z * u ** (1 / s)) / (1 + u ** (1 / s)) / s
        zsu[Ti] = z ** s / math.gamma(s) * integrate.quad(f, 0, np.inf, epsabs=0,
                                                          epsrel=2e-14, limit=400)[0]
    dert = (r + x) / (alpha + T) * pa * np.array([zsu[Ti] for Ti in T]) / delta
    pp, q, gamma = g
    spend = (gamma + np.where(x > 0, d["monetary"] * x, 0)) * pp / (pp * x + q - 1)
    np.testing.assert_allclose(got["clv"], spend * dert, rtol=1e-9, atol=0)
    # --fit: the fit's own parameters
    fit = ok("fit", "pareto-nbd", cdnow[1])
    params = ",".join(repr(fit[k]) for k in ("r", "alpha", "s", "beta"))
    assert run("predict", "pareto-nbd", cdnow[1], "--fit", "--horizon", 39).stdout == \
        run("predict", "pareto-nbd", cdnow[1], "--params", params, "--horizon", 39).stdout


def test_predict_fit_first(tmp_path):
    """--fit equals --params with the fit's own output (simulated BG/NBD customers, a > 1)."""
    rng = np.random.default_rng(7)
    f = tmp_path / "sim.csv"
    lines = ["customer,x,t_x,T,monetary"]
    for i in range(3000):
        lam, drop, T = rng.gamma(0.8, 1 / 6.0), rng.beta(3.0, 5.0), float(rng.integers(20, 52))
        t, x, tx = 0.0, 0, 0.0
        while True:
            t += rng.exponential(1 / lam)
            if t > T:
                break
            x, tx = x + 1, round(t, 3) or 0.001
            if rng.random() < drop:
                break
        lines.append("c%d,%d,%r,%r,%r" % (i, x, tx, T, round(rng.gamma(4, 5), 2) if x else 0))
    f.write_text("\n".join(lines) + "\n")
    bg, gg = ok("fit", "bgnbd", f), ok("fit", "gamma-gamma", f)
    assert bg["a"] > 1
    params = ",".join(repr(bg[k]) for k in ("r", "alpha", "a", "b"))
    ggp = ",".join(repr(gg[k]) for k in ("p", "q", "gamma"))
    clv = ("--discount", 0.02, "--period-length", 4, "--periods", 6)
    fitted = run("predict", "bgnbd", f, "--fit", "--horizon", 10, *clv)
    given = run("predict", "bgnbd", f, "--params", params, "--gamma-gamma", ggp, "--horizon", 10,
                *clv)
    assert fitted.returncode == 0 and fitted.stdout == given.stdout
    assert fitted.stdout.startswith("customer,p_alive,expected,clv\nc0,")
    assert run("predict", "bgnbd", f, "--fit", "--horizon", 10).stdout == \
        run("predict", "bgnbd", f, "--params", params, "--horizon", 10).stdout
    # --fit with --params fits only the Gamma-Gamma model
    assert run("predict", "bgnbd", f, "--params", params, "--fit", "--horizon", 10,
               *clv).stdout == given.stdout


# ---- bad input ---------------------------------------------------------------------------------------

def test_bad_rfm_values_name_file_line_and_column(tmp_path):
    f = tmp_path / "bad.csv"
    head = "customer,x,t_x,T,monetary\nc1,2,10,30,5\n"
    cases = [
        ("c2,abc,1,30,5\n", "3:2: column 'x': 'abc' is not a finite number"),
        ("c2,2,,30,5\n", "3:3: column 't_x': '' is not a finite number"),
        ("c2,-1,0,30,5\n", "3:2: column 'x': -1 is not a whole number >= 0 (repeat purchases)"),
        ("c2,1.5,3,30,5\n", "3:2: column 'x': 1.5 is not a whole number >= 0 (repeat purchases)"),
        ("c2,1,-3,30,5\n", "3:3: column 't_x': -3 is negative: recency must be >= 0"),
        ("c2,1,31,30,5\n", "3:3: column 't_x': 31 is greater than T: the last purchase cannot "
                           "come after the calibration end"),
        ("c2,1,0,30,5\n", "3:3: column 't_x': 0 is 0 with x > 0: repeat purchases come after the "
                          "first (t_x > 0)"),
        ("c2,0,4,30,5\n", "3:3: column 't_x': 4 is > 0 with x = 0: t_x is 0 without repeat "
                          "purchases"),
        ("c2,0,0,-1,5\n", "3:4: column 'T': -1 is negative: an age must be >= 0"),
        ("c2,0,0,inf,5\n", "3:4: column 'T': 'inf' is not a finite number"),
    ]
    for row, msg in cases:
        f.write_text(head + row + "c3,abc,x,y,z\n")  # the first bad row is the one reported
        assert fails(1, "fit", "bgnbd", f) == "retention: %s:%s" % (f, msg)
        assert fails(1, "fit", "pareto-nbd", f) == "retention: %s:%s" % (f, msg)
        assert fails(1, "predict", "bgnbd", f, "--params", "1,1,2,1", "--horizon", 1) == \
            "retention: %s:%s" % (f, msg)
    f.write_text(head + "c2,1,3,30,0\n")
    msg = ("retention: %s:3:5: column 'monetary': 0 is not > 0: the mean spend of repeat "
           "purchases must be positive" % f)
    assert fails(1, "fit", "gamma-gamma", f) == msg
    assert fails(1, "predict", "bgnbd", f, "--params", "1,1,2,1", "--horizon", 1,
                 "--gamma-gamma", "1,2,3", "--discount", 0, "--period-length", 1,
                 "--periods", 1) == msg
    assert ok("fit", "bgnbd", f)["n"] == 2  # monetary is not read by bgnbd
    f.write_text("customer,x,t_x,T,w\nc1,2,10,30,1\nc2,1,3,30,-2\n")
    assert fails(1, "fit", "bgnbd", f, "--weight", "w") == (
        "retention: %s:3:5: column 'w': -2 is negative: a weight must be >= 0" % f)


def test_bad_files(tmp_path):
    f = tmp_path / "f.csv"
    f.write_text("customer,x,T\nc1,1,3\n")
    assert fails(1, "fit", "bgnbd", f) == (
        "retention: %s: no column 't_x' (the header has: customer, x, T)" % f)
    assert "no column 'monetary'" in fails(1, "fit", "gamma-gamma", f)
    assert "no column 'w'" in fails(1, "fit", "bgnbd", f, "--t-x", "x", "--weight", "w")
    assert "no column 'id'" in fails(1, "predict", "bgnbd", f, "--params", "1,1,2,1",
                                     "--horizon", 1, "--customer", "id")
    f.write_text("customer,x,t_x,T,monetary\n")
    assert fails(1, "fit", "bgnbd", f) == "retention: %s: no data rows (only a header)" % f
    f.write_text("customer,x,t_x,T,monetary\nc1,0,0,30,0\nc2,0,0,20,0\n")
    assert fails(1, "fit", "bgnbd", f) == (
        "retention: %s: bgnbd: no customer made a repeat purchase (x > 0) with a weight > 0: "
        "the fit is undefined" % f)
    assert "pareto-nbd: no customer made a repeat purchase" in fails(1, "fit", "pareto-nbd", f)
    assert "gamma-gamma: no customer with x >= 1" in fails(1, "fit", "gamma-gamma", f)
    assert "cannot open" in fails(1, "fit", "bgnbd", tmp_path / "nope.csv")
    # expected purchases with a + b + x <= 1, and CLV with q <= 1
    f.write_text("customer,x,t_x,T,monetary\nc0,0,0,30,0\n")
    assert fails(1, "predict", "bgnbd", f, "--params", "1,1,0.5,0.4", "--horizon", 1) == (
        "retention: %s:2: rtn_bgnbd_predict rejected the row (for expected purchases, BG/NBD "
        "needs a + b + x > 1)" % f)
    f.write_text("customer,x,t_x,T,monetary\nc1,1,2,30,4\n")
    assert fails(1, "predict", "bgnbd", f, "--params", "1,1,2,1", "--horizon", 1,
                 "--gamma-gamma", "1,0.9,1", "--discount", 0, "--period-length", 1,
                 "--periods", 1) == (
        "retention: %s: clv needs the Gamma-Gamma q > 1 (q = 0.9): the mean spend is infinite "
        "otherwise" % f)


def test_bad_survivor_counts(tmp_path):
    f = tmp_path / "s.csv"
    fit = ("fit", "sbg", f, "--alive", "n")
    cases = [
        ("n\n1000\n900\n950\n800\n", "4:1: column 'n': 950 is more than the count before it: "
                                     "survivor counts cannot rise"),
        ("n\n1000\n-5\n", "3:1: column 'n': '-5' is not a count (a whole number >= 0)"),
        ("n\n1000\n9.5\n", "3:1: column 'n': '9.5' is not a count (a whole number >= 0)"),
        ("n\n0\n0\n", "2:1: column 'n': 0 starts a cohort: its size must be > 0"),
        ("n\n1000\n", "2:1: column 'n': 1000 is a cohort's only count: a fit needs its size and "
                      "at least one later count"),
    ]
    for text, msg in cases:
        f.write_text(text)
        assert fails(1, *fit) == "retention: %s:%s" % (f, msg)
    f.write_text("c,n\na,100\nb,100\na,90\nb,95\nb,96\na,80\n")
    assert fails(1, *fit, "--cohort", "c") == (
        "retention: %s:6:2: column 'n': 96 (cohort 'b') is more than the count before it: "
        "survivor counts cannot rise" % f)
    f.write_text("c,n\na,100\nb,100\na,90\n")
    assert fails(1, *fit, "--cohort", "c") == (
        "retention: %s:3:2: column 'n': 100 (cohort 'b') is a cohort's only count: a fit needs "
        "its size and at least one later count" % f)
    f.write_text("n\n100\n100\n100\n")
    assert fails(1, *fit) == (
        "retention: %s: sbg: nobody churned, or everybody churned in the first period: the "
        "likelihood has no interior maximum" % f)
    f.write_text("n\n")
    assert fails(1, *fit) == "retention: %s: no data rows (only a header)" % f
    assert "no column 'alive'" in fails(1, "fit", "sbg", f, "--alive", "alive")


def test_rfm_bad_input(tmp_path):
    f = tmp_path / "log.csv"
    base = ("rfm", f, "--customer", "c", "--time", "t", "--calibration-end", "2024-01-10")
    f.write_text("c,t,a\n1,2024-01-01,5\n1,2024-13-01,5\n")
    assert fails(1, *base).startswith("retention: %s:3:2: column 't': '2024-13-01'" % f)
    f.write_text("c,t,a\n1,2024-01-01,5\n1,2024-01-02,five\n")
    assert fails(1, *base, "--amount", "a") == (
        "retention: %s:3:3: column 'a': 'five' is not a finite number" % f)
    f.write_text("c,t\n1,2024-02-01\n")
    assert fails(1, *base) == (
        "retention: %s: no customer made a purchase by the calibration end" % f)
    assert "no column 'x'" in fails(1, "rfm", f, "--customer", "x", "--time", "t",
                                    "--calibration-end", "2024-01-10")


def test_usage_errors(tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("customer,x,t_x,T,monetary\nc1,1,2,30,4\n")
    g = tmp_path / "log.csv"
    g.write_text("c,t\n1,2024-01-01\n")
    rfm = ("rfm", g, "--customer", "c", "--time", "t")
    assert "--calibration-end TIME is required" in fails(2, *rfm)
    assert "--unit: 'fortnight' is not one of the choices" in fails(
        2, *rfm, "--calibration-end", "2024-01-10", "--unit", "fortnight")
    assert "--calibration-end: 'soon'" in fails(2, *rfm, "--calibration-end", "soon")
    assert "--holdout-end is before --calibration-end" in fails(
        2, *rfm, "--calibration-end", "2024-01-10", "--holdout-end", "2024-01-09")
    assert "--time COLUMN is required" in fails(2, "rfm", g, "--customer", "c",
                                                "--calibration-end", "2024-01-10")
    assert "unknown model 'bgbd' (bgnbd, pareto-nbd, gamma-gamma or sbg)" in fails(
        2, "fit", "bgbd", f)
    assert "unknown model 'sbg' (bgnbd or pareto-nbd)" in fails(
        2, "predict", "sbg", f, "--fit", "--horizon", 1)
    assert "a MODEL and a FILE are required" in fails(2, "fit", "bgnbd")
    assert "unexpected argument" in fails(2, "fit", "bgnbd", f, f)
    assert "sbg: --alive COLUMN is required when FILE has several columns" in fails(
        2, "fit", "sbg", f)
    assert "--alive is not an option of bgnbd" in fails(2, "fit", "bgnbd", f, "--alive", "x")
    assert "--weight is not an option of sbg" in fails(2, "fit", "sbg", f, "--alive", "x",
                                                       "--weight", "w")
    assert "--T is not an option of gamma-gamma" in fails(2, "fit", "gamma-gamma", f, "--T", "T")
    pred = ("predict", "bgnbd", f, "--horizon", 1)
    assert "--params: '1,2,3' is not 4 numbers r,alpha,a,b" in fails(2, *pred, "--params",
                                                                      "1,2,3")
    assert "is not 4 numbers" in fails(2, *pred, "--params", "1,2,3,4,5")
    assert "is not 4 numbers" in fails(2, *pred, "--params", "1,2,x,4")
    assert "is not 4 numbers" in fails(2, *pred, "--params", "1,2,,4")
    assert "--params: a = 0: every parameter must be > 0" in fails(2, *pred, "--params",
                                                                   "1,2,0,4")
    assert "--gamma-gamma: '1,2' is not 3 numbers p,q,gamma" in fails(
        2, *pred, "--fit", "--gamma-gamma", "1,2")
    assert "--params LIST or --fit is required" in fails(2, *pred)
    assert "--horizon H is required" in fails(2, "predict", "bgnbd", f, "--fit")
    assert "--horizon must be >= 0" in fails(2, "predict", "bgnbd", f, "--fit", "--horizon", -1)
    assert "--fit takes no value" in fails(2, *pred, "--fit=yes")
    assert "--fit: nothing to fit" in fails(2, *pred, "--fit", "--params", "1,1,2,1")
    assert "clv: --gamma-gamma LIST or --fit is required" in fails(
        2, *pred, "--params", "1,1,2,1", "--discount", 0.1)
    assert "clv: --period-length L is required" in fails(2, *pred, "--fit", "--discount", 0.1)
    assert "clv: --periods K is required for bgnbd" in fails(
        2, *pred, "--fit", "--discount", 0.1, "--period-length", 4)
    assert "--periods must be in 1 .. 4294967295" in fails(
        2, *pred, "--fit", "--discount", 0.1, "--period-length", 4, "--periods", 0)
    assert "--periods: the pareto-nbd clv is over the whole lifetime" in fails(
        2, "predict", "pareto-nbd", f, "--fit", "--horizon", 1, "--discount", 0.1,
        "--period-length", 4, "--periods", 3)
    assert "--discount must be > 0 for pareto-nbd" in fails(
        2, "predict", "pareto-nbd", f, "--fit", "--horizon", 1, "--discount", 0,
        "--period-length", 4)
    assert "--params: '1,2,3' is not 4 numbers r,alpha,s,beta" in fails(
        2, "predict", "pareto-nbd", f, "--params", "1,2,3", "--horizon", 1)
    assert "--discount must be >= 0" in fails(
        2, *pred, "--fit", "--discount", -0.1, "--period-length", 4, "--periods", 3)
    for cmd in ("rfm", "fit", "predict"):
        h = run(cmd, "--help")
        assert h.returncode == 0 and h.stdout.startswith("usage: ")
    assert all(c in run("--help").stdout for c in ("rfm ", "fit ", "predict "))


def test_fit_sbg_of_a_single_column_needs_no_name(tmp_path):
    """The issue's form: one column of survivor counts, first row the cohort size."""
    f = tmp_path / "alive.csv"
    f.write_text("customers\n1000\n631\n468\n382\n326\n289\n262\n241\n")
    assert ok("fit", "sbg", f) == ok("fit", "sbg", f, "--alive", "customers")

