"""Property-based tests (hypothesis): the library against straightforward numpy, pandas,
statsmodels and exact (fractions.Fraction, math.fsum) computations on thousands of random inputs.

Covered: NPS, CSAT and CES from histograms against numpy on the raw score arrays (and the
mergeability of histograms); customer and revenue rates against their formulas in exact rational
arithmetic; Wilson intervals against statsmodels; cohort tables (counts, retention, censoring NaN,
status, average curve, revenue) against a pandas computation of cohort.h's definitions on random
event logs with calendar months, and merged partitions against the whole; Kaplan-Meier survival
and Greenwood standard errors against statsmodels' SurvfuncRight (and every column against a
numpy product-limit computation) on random tied data spanning 1e-9 … 1e12; the MRR bridge's
columns against an exact Fraction reference of mrr.h's table, its balance identity, and merges.

Every expected value is computed here, never taken from the library. Tolerances are stated next to
each comparison; ε = 2^-52. Determinism: every test runs with derandomize=True and no example
database, so CI sees the same examples on every run (6,100 in all, about 25 s).
"""
import calendar
import importlib.util
import math
import sys
import time as _time
from collections import defaultdict
from fractions import Fraction
from statistics import NormalDist

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is not installed (Debian: "
                                 "apt-get install python3-hypothesis)")
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import retention as rt  # noqa: E402

EPS = sys.float_info.epsilon
NAN = float("nan")
U64 = 2**64 - 1
COMPLETE, PARTIAL, CENSORED = rt.COMPLETE, rt.PARTIAL, rt.CENSORED


def _needs(module):
    return pytest.mark.skipif(importlib.util.find_spec(module) is None,
                              reason="%s is not installed (Debian: apt-get install python3-%s)"
                              % (module, module))


needs_pandas, needs_statsmodels, needs_mpmath = map(_needs, ("pandas", "statsmodels", "mpmath"))


def prop(examples):
    """The settings of every property here: deterministic, no database, no deadline."""
    return settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


def z_of(confidence):
    return NormalDist().inv_cdf((1 + confidence) / 2)


def near(actual, expected, rel=0.0, abs_=0.0):
    """|actual − expected| ≤ abs_ + rel |expected| elementwise; NaN only where NaN is expected."""
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    nan = np.isnan(expected)
    assert np.array_equal(np.isnan(actual), nan), "NaN mismatch:\n%r\n%r" % (actual, expected)
    a, e = actual[~nan], expected[~nan]
    abs_ = np.broadcast_to(np.asarray(abs_, dtype=float), nan.shape)[~nan]
    ok = (a == e) | (np.abs(a - e) <= abs_ + rel * np.abs(e))
    assert ok.all(), "\n%r\n!=\n%r\n(rel %g, abs %g)" % (a[~ok], e[~ok], rel, abs_)
    return True


def exact(actual, expected):
    """Bit-for-bit equality (NaN equal to NaN)."""
    a, e = np.asarray(actual), np.asarray(expected)
    assert a.shape == e.shape and np.array_equal(a, e, equal_nan=a.dtype.kind == "f"), \
        "\n%r\n!=\n%r" % (a, e)
    return True


# ================================================================================================
# NPS, CSAT, CES
# ================================================================================================
confidences = st.floats(0.5, 0.999)


@prop(600)
@given(hnp.arrays(np.uint8, st.integers(1, 3000), elements=st.integers(0, 10)),
       st.sampled_from(["wald", "adjusted-wald"]), confidences, st.data())
def test_nps_matches_numpy(scores, method, confidence, data):
    # numpy: each response scores +1 (promoter, 9–10), 0 (passive, 7–8), −1 (detractor, 0–6);
    # NPS = 100 · mean, SE = 100 · std (population) / sqrt(n) — the multinomial Var(p − d) / n of
    # scores.h. Tolerance 1e-12 relative, 1e-12 absolute for an SE of 0 (one category).
    n = scores.size
    sign = np.where(scores >= 9, 1.0, np.where(scores <= 6, -1.0, 0.0))
    nps, se = 100 * sign.mean(), 100 * sign.std() / math.sqrt(n)
    r = rt.nps(scores, confidence=confidence, method=method)
    hist = np.bincount(scores, minlength=11).astype(np.uint64)
    assert (r.promoters, r.passives, r.detractors) == (int((scores >= 9).sum()),
                                                       int(((scores == 7) | (scores == 8)).sum()),
                                                       int((scores <= 6).sum()))
    assert r.n == n
    near(r.nps, nps, 1e-12, 1e-12)
    near(r.se, se, 1e-12, 1e-12)
    near([r.promoter_share, r.passive_share, r.detractor_share],
         [np.mean(scores >= 9), np.mean((scores == 7) | (scores == 8)), np.mean(scores <= 6)],
         2 * EPS)
    # the interval: centre ± z SE on the observed or (Rocks 2016) adjusted counts, clipped
    z = z_of(confidence)
    if method == "wald":
        centre, half = nps, z * se
    else:
        m = n + 3
        p, d = (r.promoters + 0.75) / m, (r.detractors + 0.75) / m
        centre, half = 100 * (p - d), 100 * z * math.sqrt((p + d - (p - d) ** 2) / m)
    near([r.ci_low, r.ci_high], [max(-100, centre - half), min(100, centre + half)], 1e-12, 1e-11)
    # the histogram is the mergeable state: counting two parts into one histogram is the whole
    cut = data.draw(st.integers(0, n), label="cut")
    merged = rt.nps_count(scores[:cut])
    rt.nps_count(scores[cut:], hist=merged)
    exact(merged, hist)
    assert rt.nps(hist=hist, confidence=confidence, method=method) == r


@st.composite
def scaled_scores(draw):
    lo = draw(st.integers(0, 250))
    hi = draw(st.integers(lo + 1, min(255, lo + 12)))
    scores = draw(hnp.arrays(np.uint8, st.integers(1, 2000), elements=st.integers(lo, hi)))
    return lo, hi, scores


@needs_statsmodels
@prop(500)
@given(scaled_scores(), st.data(), confidences)
def test_csat_matches_numpy_and_statsmodels(scale, data, confidence):
    from statsmodels.stats.proportion import proportion_confint

    lo, hi, scores = scale
    top = data.draw(st.integers(lo, hi), label="satisfied_min")
    r = rt.csat(scores, scale=(lo, hi), satisfied_min=top, confidence=confidence)
    k, n = int((scores >= top).sum()), scores.size
    share = np.mean(scores >= top)
    assert (r.satisfied, r.n) == (k, n)
    near(r.csat, share, 2 * EPS)  # one division (numpy's mean: a sum of ones, then /n)
    near(r.se, math.sqrt(share * (1 - share) / n), 1e-13, 1e-15)
    # Wilson's interval, as statsmodels computes it (0 and 1 exact at k = 0 and k = n)
    low, high = proportion_confint(k, n, alpha=1 - confidence, method="wilson")
    near([r.ci_low, r.ci_high], [low, high], 1e-12, 1e-13)
    assert r.ci_low <= share <= r.ci_high
    if k == 0:
        assert r.ci_low == 0.0
    if k == n:
        assert r.ci_high == 1.0


@prop(500)
@given(scaled_scores())
def test_ces_matches_numpy(scale):
    lo, hi, scores = scale
    r = rt.ces(scores, scale=(lo, hi))
    x = scores.astype(float)
    # mean to a few ε (numpy sums pairwise, the library from the histogram); SE = s / sqrt(n) with
    # numpy's two-pass sample standard deviation: 1e-12 relative, 1e-13 absolute near 0 (all equal)
    near(r.mean, x.mean(), 4 * EPS)
    assert lo <= r.mean <= hi
    if x.size >= 2:
        near(r.se, x.std(ddof=1) / math.sqrt(x.size), 1e-12, 1e-13)
    else:
        assert r.se is None
    hist = np.bincount(scores - lo, minlength=hi - lo + 1).astype(np.uint64)
    assert rt.ces(hist=hist, scale=(lo, hi)) == r


# ================================================================================================
# Rates (exact rationals: float(Fraction) is the correctly rounded value)
# ================================================================================================
counts = st.integers(0, U64)


def ratio(a, b):
    return float(Fraction(a, b))


@prop(500)
@given(st.integers(1, U64), st.data())
def test_customer_rates_match_exact_fractions(start, data):
    # the library converts the integers to doubles (rounded once each, past 2^53) and divides:
    # three roundings, so 2ε relative against the correctly rounded exact ratio
    retained = data.draw(st.integers(0, start), label="retained")
    acquired = data.draw(st.integers(0, U64 - retained), label="acquired")
    near(rt.retention_rate(start, retained + acquired, acquired), ratio(retained, start), 2 * EPS)
    lost = start - retained
    near(rt.churn_rate_start(start, lost), ratio(lost, start), 2 * EPS)
    end = data.draw(counts, label="end")
    lost_any = data.draw(counts, label="lost")
    # 2 L / (S + E): S + E may pass 2^64 (summed in double: one more rounding)
    near(rt.churn_rate_average(start, end, lost_any), ratio(2 * lost_any, start + end), 3 * EPS)


days = st.floats(1e-9, 1e12)  # durations from a nanosecond-ish to 1e12 days


@prop(500)
@given(counts, days, days)
def test_churn_rate_customer_days_matches_exact_fractions(churned, customer_days, period_days):
    # churned · (period / customer-days): three roundings against the correctly rounded exact
    # value: 3ε. (Outside these ranges the quotient period / customer-days can underflow to a
    # subnormal before the product with churned: 1e15 churns, 1e10 customer-days, 1e-300-day
    # periods give 1e-295 with a relative error of 3e-15.)
    expected = Fraction(churned) * Fraction(period_days) / Fraction(customer_days)
    near(rt.churn_rate_customer_days(churned, customer_days, period_days), float(expected),
         3 * EPS)


@needs_mpmath
@prop(400)
@given(st.floats(0, 1), st.floats(1e-6, 1e4))
def test_churn_rate_convert_matches_high_precision(rate, periods):
    import mpmath

    # 1 − (1 − m)^k directly, with enough digits that 1 − m keeps all of m's (40 beyond it)
    digits = 40 + (int(-math.log10(rate)) if rate > 0 else 0)
    with mpmath.workdps(digits):
        expected = float(1 - (1 - mpmath.mpf(rate)) ** mpmath.mpf(periods))
    # −expm1(k log1p(−m)): the log1p and expm1 roundings, and k log1p(−m) rounded (relative ε
    # in the exponent y, which moves the result by ε |y| e^y / |expm1 y| ≤ ε): 8ε relative, and
    # 1e-300 absolute for results that underflow
    near(rt.churn_rate_convert(rate, periods), expected, 8 * EPS, 1e-300)


@needs_statsmodels
@prop(400)
@given(st.integers(1, 2**53), st.data(), confidences)
def test_wilson_matches_statsmodels(n, data, confidence):
    from statsmodels.stats.proportion import proportion_confint

    k = data.draw(st.one_of(st.just(0), st.just(n), st.integers(0, n)), label="k")
    low, high = rt.wilson_interval(k, n, confidence)
    # (as floats: statsmodels squares n, which wraps around in int64 past 3.04e9)
    theirs = proportion_confint(float(k), float(n), alpha=1 - confidence, method="wilson")
    # statsmodels' formula and the library's round differently where centre − half cancels:
    # 1e-12 relative, plus 4ε absolute (bounds next to 1 hold 2^-53 at best)
    near([low, high], theirs, 1e-12, 4 * EPS)
    assert 0.0 <= low <= k / n <= high <= 1.0
    assert (k > 0 or low == 0.0) and (k < n or high == 1.0)


cents = st.integers(0, 10**13).map(lambda c: c / 100)  # up to $100 billion, in cents


@prop(500)
@given(cents, cents, cents, cents, cents)
def test_revenue_rates_match_exact_fractions(a, b, c, expansion, reactivation):
    start, churned, contraction = sorted([a, b, c], reverse=True)  # keep losses ≤ start …
    churned, contraction = churned / 2, contraction / 2  # … also together
    assume(start > 0)
    S, L = Fraction(start), Fraction(churned) + Fraction(contraction)
    E, R = Fraction(expansion), Fraction(reactivation)
    # gross churn (L / S): one rounding of the sum, one of the division: 2ε
    near(rt.revenue_churn_gross(start, churned, contraction), float(L / S), 2 * EPS)
    # net churn ((L − E − R) / S) cancels: the backward-stable bound, 2ε (L + E + R) / S absolute
    bound = float(2 * EPS * (L + E + R) / S)
    near(rt.revenue_churn_net(start, churned, contraction, expansion, reactivation),
         float((L - E - R) / S), 2 * EPS, bound)
    # GRR = 1 − L/S (4ε absolute: it is formed next to 1), NRR = GRR + E / S
    near(rt.revenue_grr(start, churned, contraction), float(1 - L / S), 0, 4 * EPS)
    near(rt.revenue_nrr(start, churned, contraction, expansion), float(1 - L / S + E / S),
         2 * EPS, 4 * EPS)
    if L > 0:
        near(rt.revenue_quick_ratio(reactivation, expansion, churned, contraction),
             float((R + E) / L), 3 * EPS)
    accounts = int(a * 100) % 100000 + 1
    near(rt.arpa(start, accounts), float(S / accounts), 2 * EPS)


# ================================================================================================
# Cohort tables against pandas
# ================================================================================================
T0 = calendar.timegm((2019, 1, 1, 0, 0, 0))
T1 = calendar.timegm((2021, 6, 30, 23, 59, 59))


def month_of(seconds):
    tm = _time.gmtime(int(seconds))
    return 12 * (tm.tm_year - 1970) + tm.tm_mon - 1


def month_start(index):
    return calendar.timegm((1970 + index // 12, index % 12 + 1, 1, 0, 0, 0))


INSTANTS = np.array([T0, T0 + 86399, calendar.timegm((2020, 1, 1, 0, 0, 0)), T1])


@st.composite
def event_logs(draw, max_events=250):
    """Random event logs: hypothesis picks the shape (sizes, the share of events at a few fixed
    instants — month edges, ties —, the share of ±1e15 amounts that cancel, ids near ±2^62) and a
    seed; numpy draws the columns from it (much faster than element-wise strategies, and as
    deterministic)."""
    n = draw(st.integers(1, max_events), label="events")
    n_customers = draw(st.integers(1, 40), label="customers")
    burst = draw(st.sampled_from([0.0, 0.1, 0.5, 1.0]), label="share at fixed instants")
    big = draw(st.sampled_from([0.0, 0.0, 0.1, 0.4]), label="share of ±1e15")
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed"))
    ids = rng.choice(2**62, n_customers, replace=False).astype(np.int64) * rng.choice([-1, 1])
    customer = ids[rng.integers(0, n_customers, n)]
    time = np.where(rng.random(n) < burst, rng.choice(INSTANTS, n), rng.integers(T0, T1 + 1, n))
    amount = rng.integers(-5000, 200001, n) / 100  # cents, refunds too
    amount = np.where(rng.random(n) < big, rng.choice([1e15, -1e15], n), amount)
    return customer, time.astype(np.int64), amount


def pandas_table(customer, time, amount, kind):
    """cohort.h's table in pandas: months from the calendar, cohort = first month, cell (c, k) =
    distinct customers of cohort c active in month c + k ("on") or in c + k or later
    ("on-or-after"); observation end = the latest event; censored cells NaN."""
    import pandas as pd

    df = pd.DataFrame({"customer": customer, "time": time, "amount": amount})
    stamp = pd.to_datetime(df["time"], unit="s")
    df["month"] = (stamp.dt.year - 1970) * 12 + stamp.dt.month - 1
    df["cohort"] = df.groupby("customer")["month"].transform("min")
    df["k"] = df["month"] - df["cohort"]
    end = int(df["time"].max())
    last = month_of(end)
    cohorts = np.sort(df["cohort"].unique())
    n_periods = last - int(cohorts[0]) + 1
    size = df.groupby("cohort")["customer"].nunique().reindex(cohorts).to_numpy()
    if kind == "on":
        active = df.groupby(["cohort", "k"])["customer"].nunique()
    else:  # active in c + k or later ⇔ the customer's last offset k is ≥ that k
        reach = df.groupby("customer").agg(cohort=("cohort", "first"), top=("k", "max"))
        active = pd.crosstab(reach["cohort"], reach["top"]).reindex(
            columns=range(n_periods), fill_value=0)
        active = active.iloc[:, ::-1].cumsum(axis=1).iloc[:, ::-1].stack()  # Σ over top ≥ k
    active = (active.unstack(fill_value=0).reindex(index=cohorts, columns=range(n_periods),
                                                   fill_value=0).to_numpy().astype(np.uint64))
    revenue = np.zeros((len(cohorts), n_periods))
    magnitude = np.zeros_like(revenue)
    for (c, k), amounts_ in df.groupby(["cohort", "k"])["amount"]:
        i = int(np.searchsorted(cohorts, c))
        values = amounts_.to_numpy()
        revenue[i, k] = math.fsum(values)  # the exact sum, rounded once
        magnitude[i, k] = np.abs(values).sum() * values.size
    m = cohorts[:, None] + np.arange(n_periods)[None, :]
    status = np.full(m.shape, PARTIAL, dtype=np.uint8)
    status[m > last] = CENSORED
    starts_next = np.vectorize(month_start)(m + 1)
    status[(m <= last) & (starts_next - 1 <= end)] = COMPLETE
    censored = status == CENSORED
    with np.errstate(invalid="ignore", divide="ignore"):
        retention = np.where(censored, NAN, active / size[:, None])
        revenue = np.where(censored, NAN, revenue)
        rev0 = revenue[:, :1]
        revenue_retention = np.where(censored | (rev0 == 0), NAN, revenue / rev0)
        complete = status == COMPLETE
        weight = (size[:, None] * complete).sum(axis=0)
        average = np.where(weight > 0, (active * complete).sum(axis=0) / np.maximum(weight, 1),
                           NAN)
    return dict(cohort_period=cohorts.astype(np.int64),
                cohort_start=np.array([month_start(int(c)) for c in cohorts], dtype=np.int64),
                size=size.astype(np.uint64), active=active, status=status, retention=retention,
                revenue=revenue, magnitude=magnitude, revenue_retention=revenue_retention,
                average=average, average_weight=weight.astype(np.uint64))


@needs_pandas
@prop(400)
@given(event_logs(), st.sampled_from(["on", "on-or-after"]))
def test_cohort_tables_match_pandas(log, kind):
    customer, time, amount = log
    expected = pandas_table(customer, time, amount, kind)
    table = rt.cohort_table(customer, time, amount, period="month", kind=kind)
    # counts, sizes, status and the calendar: exact
    for name in ("cohort_period", "cohort_start", "size", "active", "status", "average_weight"):
        exact(getattr(table, name), expected[name])
    # retention = active / size and the average: one division each, exact (NaN where censored)
    exact(table.retention, expected["retention"])
    near(table.average, expected["average"], EPS)
    # revenue: double-double sums, exact for cents; with ±1e15 in the mix the double-double may
    # round its tail: |error| ≤ n · 2^-104 · Σ |a| (magnitude), plus 2ε relative for the final
    # rounding. (A plain double sum would be off by up to 0.06 after 1e15 − 1e15.)
    near(table.revenue, expected["revenue"], 2 * EPS,
         np.nan_to_num(expected["magnitude"]).max() * 2.0**-104)
    if not (np.abs(amount) >= 1e12).any():  # no 1e15 in the log
        near(table.revenue_retention, expected["revenue_retention"], 2 * EPS)


@prop(200)
@given(event_logs(), st.data())
def test_merged_partitions_equal_the_whole(log, data):
    customer, time, amount = log
    part = np.array(data.draw(st.lists(st.integers(0, 2), min_size=customer.size,
                                       max_size=customer.size), label="part"))
    whole = rt.CohortBuilder(period="month").add(customer, time, amount).table()
    builders = [rt.CohortBuilder(period="month") for _ in range(3)]
    for i, b in enumerate(builders):
        if (part == i).any():
            b.add(customer[part == i], time[part == i], amount[part == i])
    for b in builders[1:]:
        builders[0].merge(b)
    merged = rt.CohortBuilder.from_bytes(builders[0].to_bytes()).table()
    for name in ("cohort_period", "size", "active", "status", "retention", "average"):
        exact(getattr(merged, name), getattr(whole, name))
    # revenue is exactly the same unless ±1e15 made the double-double round its tail
    if not (np.abs(amount) >= 1e12).any():
        exact(merged.revenue, whole.revenue)


# ================================================================================================
# Kaplan-Meier against statsmodels and a numpy product-limit
# ================================================================================================
SCALES = [0.0, 1e-9, 2e-9, 1e-3, 0.5, 1.0, 2.0, 3.0, 7.0, 10.0, 1e3, 1e6, 1e9, 1e12]


@st.composite
def survival_data(draw):
    n = draw(st.integers(1, 300))
    duration = draw(hnp.arrays(np.float64, n, elements=st.one_of(
        st.sampled_from(SCALES),  # ties at both ends of 1e-9 … 1e12
        st.integers(0, 40).map(float),
        st.floats(1e-9, 1e12, allow_nan=False, allow_infinity=False))))
    event = draw(hnp.arrays(np.bool_, n))
    return duration, event


def product_limit(duration, event, z):
    """The curve of survival.h in numpy, one row per distinct time at which subjects leave."""
    times = np.unique(duration)
    n = np.array([(duration >= t).sum() for t in times], dtype=float)
    d = np.array([(event & (duration == t)).sum() for t in times], dtype=float)
    c = np.array([(~event & (duration == t)).sum() for t in times], dtype=float)
    s = np.cumprod(1 - d / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.cumsum(np.where(d > 0, d / (n * (n - d)), 0.0))
        se = s * np.sqrt(g)
        lower = np.where(s > 0, s * np.exp(-z * np.sqrt(g)), NAN)
        upper = np.where(s > 0, np.minimum(1, s * np.exp(z * np.sqrt(g))), NAN)
    se = np.where(s > 0, se, NAN)
    return dict(time=times, at_risk=n, events=d, censored=c, survival=s, greenwood=g,
                std_err=se, lower=lower, upper=upper)


@needs_statsmodels
@prop(400)
@given(survival_data(), confidences)
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # statsmodels' log(0) once S = 0
def test_kaplan_meier_matches_statsmodels_and_numpy(data, confidence):
    from statsmodels.duration.survfunc import SurvfuncRight

    duration, event = data
    km = rt.kaplan_meier(duration, event, conf_level=confidence)
    ref = product_limit(duration, event, z_of(confidence))
    # times and counts exact; S and G: a running product / sum of up to 300 factors, each
    # rounded once in both: 1e-13 relative; the bounds add exp and sqrt: 1e-12
    for name in ("time", "at_risk", "events", "censored"):
        exact(getattr(km, name), ref[name])
    near(km.survival, ref["survival"], 1e-13)
    near(km.greenwood, ref["greenwood"], 1e-13)
    near(km.std_err, ref["std_err"], 1e-12)
    near(km.lower, ref["lower"], 1e-12)
    near(km.upper, ref["upper"], 1e-12)
    if event.any():
        theirs = SurvfuncRight(duration, event.astype(float))
        rows = km.events > 0  # statsmodels reports the event times only
        exact(km.time[rows], theirs.surv_times)
        near(km.survival[rows], theirs.surv_prob, 1e-12, 1e-15)
        alive = km.survival[rows] > 0  # statsmodels' SE is 0, the library's NaN, once S = 0
        near(km.std_err[rows][alive], theirs.surv_prob_se[alive], 1e-11)
    # S(t) as a step function: the last row with t_j ≤ t, 1 before the first
    probe = np.concatenate([km.time, np.nextafter(km.time, -np.inf), [0.0, 2e12]])
    idx = np.searchsorted(km.time, probe, side="right") - 1
    want = np.where(idx >= 0, km.survival[np.maximum(idx, 0)], 1.0)
    exact(km.survival_at(probe).survival, want)
    # the restricted mean to τ = the last time: Σ S_{j−1} (t_j − t_{j−1}), S_{−1} = 1 and
    # t_{−1} = 0; fsum of the terms, 1e-13 relative
    tau = float(km.time[-1])
    edges = np.concatenate([[0.0], km.time])
    steps = np.concatenate([[1.0], km.survival[:-1]])
    area = math.fsum(steps * np.diff(edges))
    near(km.rmst(tau).rmst, area, 1e-13, 1e-300)


@prop(200)
@given(survival_data(), st.data())
def test_kaplan_meier_builders_merge_exactly(data, draw):
    duration, event = data
    part = np.array(draw.draw(st.lists(st.integers(0, 2), min_size=duration.size,
                                       max_size=duration.size), label="part"))
    whole = rt.kaplan_meier(duration, event)
    builders = [rt.KMBuilder() for _ in range(3)]
    for i, b in enumerate(builders):
        if (part == i).any():
            b.add(duration[part == i], event[part == i])
    for b in builders[1:]:
        builders[0].merge(b)
    merged = rt.KMBuilder.from_bytes(builders[0].to_bytes()).curve()
    for name in ("time", "at_risk", "events", "censored", "survival", "greenwood", "std_err",
                 "lower", "upper"):
        exact(getattr(merged, name), getattr(whole, name))


# ================================================================================================
# The MRR bridge against an exact reference
# ================================================================================================
MRR_SPECIAL = np.array([0.0, 1e15, 2.0**53, 0.01, 29.97, 28.94, 58.91])


@st.composite
def mrr_rows(draw, whole=False):
    """Random MRR rows: hypothesis picks the sizes, the share of zero rows and of special amounts
    (1e15, 2^53, 0.01, and 29.97 + 28.94 against 58.91) and a seed; numpy draws the columns.
    whole=True: whole amounts below 2^40 only."""
    n = draw(st.integers(1, 200), label="rows")
    n_customers = draw(st.integers(1, 26), label="customers")
    zeros = draw(st.sampled_from([0.0, 0.1, 0.5]), label="share of 0")
    special = draw(st.sampled_from([0.0, 0.2, 0.6]), label="share of special amounts")
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed"))
    customer = rng.integers(0, n_customers, n).astype(np.int64)
    period = rng.integers(-3, 10, n).astype(np.int64)
    if whole:
        mrr = rng.integers(1, 2**40, n).astype(float)
    else:
        mrr = rng.integers(1, 10**7, n) / 100
        mrr = np.where(rng.random(n) < special, rng.choice(MRR_SPECIAL, n), mrr)
    return customer, period, np.where(rng.random(n) < zeros, 0.0, mrr)


def mrr_reference(customer, period, mrr):
    """mrr.h's table: m(c, p) = the exact sum of the rows, rounded once; movements as the table
    in mrr.h; each column the exact sum of its customers' terms, rounded once."""
    rows = defaultdict(list)
    for c, p, a in zip(customer.tolist(), period.tolist(), mrr.tolist()):
        rows[c, p].append(a)
    m = defaultdict(float)
    for key, values in rows.items():
        m[key] = math.fsum(values)
    first, last = int(period.min()), int(period.max())
    first_paid = {}
    for (c, p), a in m.items():
        if a > 0:
            first_paid[c] = min(p, first_paid.get(c, p))
    customers = sorted(set(customer.tolist()))
    out = {name: [] for name in ("start", "new", "expansion", "reactivation", "contraction",
                                 "churned", "end")}
    counts = {name: [] for name in out}
    for p in range(first, last + 1):
        sums = {name: Fraction(0) for name in out}
        cnt = dict.fromkeys(out, 0)
        for c in customers:
            before, now = m.get((c, p - 1), 0.0), m.get((c, p), 0.0)
            paid_before = first_paid.get(c, p) < p
            moves = []
            if before > 0:
                moves.append(("start", before))
            if now > 0:
                moves.append(("end", now))
            if before == 0 and now > 0:
                moves.append(("reactivation" if paid_before else "new", now))
            elif before > 0 and now > before:
                moves.append(("expansion", Fraction(now) - Fraction(before)))
            elif before > 0 and 0 < now < before:
                moves.append(("contraction", Fraction(before) - Fraction(now)))
            elif before > 0 and now == 0:
                moves.append(("churned", before))
            for name, amount in moves:
                sums[name] += Fraction(amount)
                cnt[name] += 1
        for name in out:
            out[name].append(float(sums[name]))
            counts[name].append(cnt[name])
    return first, out, counts


@prop(500)
@given(mrr_rows())
def test_mrr_bridge_matches_exact_reference(rows):
    customer, period, mrr = rows
    first, expected, expected_counts = mrr_reference(customer, period, mrr)
    t = rt.mrr_movements(customer, period, mrr)
    assert t.first == first and len(t) == len(expected["start"])
    # every amount column is its exact sum rounded once (mrr.h): tolerance 0; counts exact
    for name, values in expected.items():
        exact(getattr(t, name), np.array(values))
        exact(getattr(t, name + "_customers"), np.array(expected_counts[name], dtype=float))
    # customer counts balance exactly, always
    exact(t.start_customers + t.new_customers + t.reactivation_customers
          - t.churned_customers, t.end_customers)
    # the amounts balance exactly whenever the column values are the exact sums (no rounding
    # anywhere, e.g. whole amounts below 2^53); otherwise to the rounding of the columns:
    # 4ε (start + new + expansion + reactivation)
    lhs = [Fraction(s) + Fraction(n) + Fraction(e) + Fraction(r) - Fraction(c) - Fraction(h)
           for s, n, e, r, c, h in zip(t.start, t.new, t.expansion, t.reactivation,
                                       t.contraction, t.churned)]
    scale = t.start + t.new + t.expansion + t.reactivation
    near(np.array([float(x) for x in lhs]), t.end, 0, 4 * EPS * scale.max())
    # rates from the period's figures (rates.h), NaN where undefined (start = 0; no losses)
    with np.errstate(invalid="ignore", divide="ignore"):
        start = np.where(t.start > 0, t.start, NAN)
        losses = t.churned + t.contraction
        near(t.gross_revenue_churn, losses / start, 2 * EPS)
        near(t.net_revenue_churn, (losses - (t.expansion + t.reactivation)) / start, 2 * EPS,
             2 * EPS * (losses + t.expansion + t.reactivation) / start)
        near(t.grr, np.maximum(0, 1 - losses / start), 0, 4 * EPS)
        near(t.nrr, np.maximum(0, 1 - losses / start) + t.expansion / start, 2 * EPS, 4 * EPS)
        quick = np.where(losses > 0, (t.new + t.expansion + t.reactivation) / losses, NAN)
        near(t.quick_ratio, quick, 3 * EPS)


@prop(300)
@given(mrr_rows(whole=True))
def test_mrr_bridge_balances_exactly_for_whole_amounts(rows):
    # whole amounts below 2^40 (whole cents, say, as integers): every sum is a double, so the
    # bridge balances with no tolerance, in the order written
    customer, period, mrr = rows
    t = rt.mrr_movements(customer, period, mrr)
    exact(t.start + t.new + t.expansion + t.reactivation - t.contraction - t.churned, t.end)
    exact(t.end[:-1], t.start[1:])  # one period's end is the next one's start


@prop(200)
@given(mrr_rows(), st.data())
def test_mrr_builders_merge_exactly(rows, data):
    customer, period, mrr = rows
    part = np.array(data.draw(st.lists(st.integers(0, 2), min_size=customer.size,
                                       max_size=customer.size), label="part"))
    whole = rt.mrr_movements(customer, period, mrr)
    builders = [rt.MRRBuilder() for _ in range(3)]
    for i, b in enumerate(builders):
        if (part == i).any():
            b.add(customer[part == i], period[part == i], mrr[part == i])
    for b in builders[1:]:
        builders[0].merge(b)
    merged = rt.MRRBuilder.from_bytes(builders[0].to_bytes()).table()
    assert merged.first == whole.first and len(merged) == len(whole)
    for name in rt.MRR_COLUMNS:
        exact(getattr(merged, name), getattr(whole, name))
