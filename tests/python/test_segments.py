"""Segment comparisons and retention economics (retention.segments): Newcombe differences, Katz
lifts, z tests and chi-square tests against statsmodels and scipy, Newcombe's published example,
counting against Counter, CLV against a direct sum, the header's worked example, and bad input.

Every expected value is written by hand or computed here (statsmodels, scipy, numpy), never
pasted from the library's output.
"""
import ctypes
import math
import re
from collections import Counter
from fractions import Fraction
from dataclasses import astuple

import numpy as np
import pytest

import retention as rt
from retention import EDOMAIN, EINVAL, EOVERFLOW, EUNDEFINED, _lib

proportion = pytest.importorskip("statsmodels.stats.proportion")
stats = pytest.importorskip("scipy.stats")
NAN = float("nan")

PAIRS = [(56, 70, 48, 80), (1, 10, 9, 10), (0, 12, 5, 20), (12, 12, 3, 20), (0, 30, 1, 40),
         (30, 30, 39, 40), (500, 1000, 480, 1000), (7, 9, 2, 3), (1, 1, 0, 1),
         (123456, 200000, 120000, 200000)]


# ---- two proportions ----------------------------------------------------------------------------
def test_newcombes_published_example():
    d = rt.proportion_diff_interval(56, 70, 48, 80)
    assert d.diff == pytest.approx(0.2, abs=1e-15)
    assert round(d.low, 4) == 0.0524 and round(d.high, 4) == 0.3339
    diff, low, high = d  # unpacks
    assert (diff, low, high) == (d.diff, d.low, d.high)


@pytest.mark.parametrize("k1, n1, k0, n0", PAIRS)
@pytest.mark.parametrize("confidence", [0.95, 0.9, 0.99])
def test_difference_against_statsmodels(k1, n1, k0, n0, confidence):
    d = rt.proportion_diff_interval(k1, n1, k0, n0, confidence)
    low, high = proportion.confint_proportions_2indep(k1, n1, k0, n0, method="newcomb",
                                                      compare="diff", alpha=1 - confidence)
    assert d.diff == pytest.approx(k1 / n1 - k0 / n0, abs=1e-15)
    assert d.low == pytest.approx(low, abs=1e-12)
    assert d.high == pytest.approx(high, abs=1e-12)
    assert -1 <= d.low <= d.diff <= d.high <= 1


@pytest.mark.parametrize("k1, n1, k0, n0", [p for p in PAIRS if p[0] and p[2]])
@pytest.mark.parametrize("confidence", [0.95, 0.8])
def test_lift_against_statsmodels(k1, n1, k0, n0, confidence):
    lift = rt.proportion_lift_interval(k1, n1, k0, n0, confidence)
    low, high = proportion.confint_proportions_2indep(k1, n1, k0, n0, method="log",
                                                      compare="ratio", alpha=1 - confidence)
    assert lift.lift == pytest.approx((k1 / n1) / (k0 / n0) - 1, rel=1e-14, abs=1e-15)
    assert lift.low == pytest.approx(low - 1, rel=1e-12, abs=1e-13)
    assert lift.high == pytest.approx(high - 1, rel=1e-12, abs=1e-13)
    # and the Katz formula written out
    z = stats.norm.ppf((1 + confidence) / 2)
    se = math.sqrt(1 / k1 - 1 / n1 + 1 / k0 - 1 / n0)
    ratio = (k1 / n1) / (k0 / n0)
    assert lift.low == pytest.approx(ratio * math.exp(-z * se) - 1, rel=1e-12, abs=1e-13)


@pytest.mark.parametrize("k1, n1, k0, n0", [p for p in PAIRS
                                            if 0 < p[0] + p[2] < p[1] + p[3]])
def test_ztest_against_statsmodels_and_scipy(k1, n1, k0, n0):
    test = rt.proportion_ztest(k1, n1, k0, n0)
    z, p = proportion.proportions_ztest([k1, k0], [n1, n0])
    assert test.z == pytest.approx(z, rel=1e-12, abs=1e-14)
    assert test.p_value == pytest.approx(p, rel=1e-10, abs=1e-300)
    assert test.p_value == pytest.approx(2 * stats.norm.sf(abs(test.z)), rel=1e-10)
    # the 2 x 2 chi-square without correction is the same test
    table = [[k1, k0], [n1 - k1, n0 - k0]]
    chi2, pc, _, _ = stats.chi2_contingency(table, correction=False)
    assert test.z ** 2 == pytest.approx(chi2, rel=1e-10)
    assert test.p_value == pytest.approx(pc, rel=1e-8)
    assert (test.z > 0) == (k1 / n1 > k0 / n0)


CHI_TABLES = [
    ([56, 48], [70, 80]),
    ([10, 20, 30, 40], [50, 50, 50, 50]),
    ([5, 17, 2, 30], [40, 41, 9, 33]),
    ([1, 0, 0], [1, 1, 1]),
    ([300, 310, 295, 330, 320], [1000, 1000, 1000, 1000, 1000]),
    ([123, 4567], [200, 9000]),
]


@pytest.mark.parametrize("k, n", CHI_TABLES)
def test_chisq_against_scipy(k, n):
    result = rt.proportions_chisq(k, n)
    table = np.array([k, np.subtract(n, k)])
    chi2, p, dof, _ = stats.chi2_contingency(table, correction=False)
    assert result.chisq == pytest.approx(chi2, rel=1e-12)
    assert result.df == dof == len(k) - 1 and isinstance(result.df, int)
    assert result.p_value == pytest.approx(p, rel=1e-9, abs=1e-300)
    chisq, df, p_value = result
    assert (chisq, df, p_value) == (result.chisq, result.df, result.p_value)


# ---- comparisons -----------------------------------------------------------------------------
def test_compare_segments_row_by_row():
    k, n = [40, 10, 25, 0, 30], [100, 50, 25, 20, 60]
    labels = ["1 product", "2 products", "3 products", "4 products", "5 products"]
    c = rt.compare_segments(k, n, reference="2 products", labels=labels)
    assert c.reference == 1 and c.reference_label == "2 products"
    assert len(c) == 5 and [row.label for row in c] == labels
    table = np.array([k, np.subtract(n, k)])
    chi2, p, dof, _ = stats.chi2_contingency(table, correction=False)
    assert c.chisq == pytest.approx(chi2, rel=1e-12) and c.df == dof == 4
    assert c.p_value == pytest.approx(p, rel=1e-9)
    k0, n0 = 10, 50
    for row, ki, ni in zip(c.rows, k, n):
        assert (row.retained, row.n) == (ki, ni)
        assert row.rate == ki / ni
        low, high = proportion.proportion_confint(ki, ni, alpha=0.05, method="wilson")
        assert row.rate_low == pytest.approx(low, abs=1e-13)
        assert row.rate_high == pytest.approx(high, abs=1e-13)
        if row.label == "2 products":  # the reference: 0, intervals and test NaN
            assert row.diff == 0 and row.lift == 0
            assert all(math.isnan(x) for x in (row.diff_low, row.diff_high, row.lift_low,
                                              row.lift_high, row.z, row.p_value))
            continue
        dl, dh = proportion.confint_proportions_2indep(ki, ni, k0, n0, method="newcomb",
                                                       compare="diff")
        assert row.diff == pytest.approx(ki / ni - k0 / n0, abs=1e-15)
        assert (row.diff_low, row.diff_high) == pytest.approx((dl, dh), abs=1e-12)
        z, pz = proportion.proportions_ztest([ki, k0], [ni, n0])
        assert row.z == pytest.approx(z, rel=1e-12)
        assert row.p_value == pytest.approx(pz, rel=1e-9)
        if ki == 0:  # no log interval: lift −1, interval NaN
            assert row.lift == -1 and math.isnan(row.lift_low) and math.isnan(row.lift_high)
        else:
            ll, lh = proportion.confint_proportions_2indep(ki, ni, k0, n0, method="log",
                                                           compare="ratio")
            assert row.lift == pytest.approx((ki / ni) / (k0 / n0) - 1, rel=1e-14)
            assert (row.lift_low, row.lift_high) == pytest.approx((ll - 1, lh - 1), rel=1e-12)
    assert c.row("3 products").rate == 1.0
    with pytest.raises(KeyError):
        c.row("6 products")


def test_reference_without_retention_and_tests_without_variance():
    # reference rate 0: lift NaN; a segment and the reference both all retained: test NaN
    c = rt.compare_segments([0, 5, 0], [10, 10, 4])
    assert c.reference == 0 and c.reference_label == 0
    assert math.isnan(c.rows[1].lift) and math.isnan(c.rows[1].lift_low)
    assert math.isnan(c.rows[2].z) and math.isnan(c.rows[2].p_value)  # 0 of 14 retained
    assert not math.isnan(c.rows[1].z)
    c = rt.compare_segments([10, 4], [10, 4])  # everyone retained: no chi-square either
    assert math.isnan(c.chisq) and math.isnan(c.p_value) and math.isnan(c.rows[1].z)
    c = rt.compare_segments([3], [7])  # one segment: no chi-square
    assert math.isnan(c.chisq) and c.df == 0 and c.rows[0].rate == 3 / 7


def test_segment_counts_and_segments_from_columns(rng):
    plans = np.array(["basic", "pro", "enterprise"])[rng.integers(0, 3, 600)]
    retained = rng.random(600) < np.where(plans == "pro", 0.7, 0.5)
    counts = rt.segment_counts(plans, retained)
    assert list(counts.labels) == ["basic", "enterprise", "pro"]
    total, kept = Counter(plans.tolist()), Counter(plans[retained].tolist())
    assert counts.k.dtype == np.uint64 and counts.n.dtype == np.uint64
    assert counts.n.tolist() == [total[x] for x in counts.labels]
    assert counts.k.tolist() == [kept[x] for x in counts.labels]
    s = rt.segments(plans, retained.astype(np.uint8), reference="basic")
    same = rt.compare_segments(counts.k, counts.n, reference="basic", labels=counts.labels)
    assert s.reference_label == "basic"
    for a, b in zip(s.rows, same.rows):
        assert a.label == b.label and type(a.label) is str
        assert np.array_equal(astuple(a)[1:], astuple(b)[1:], equal_nan=True)
    pro = s.row("pro")
    dl, dh = proportion.confint_proportions_2indep(kept["pro"], total["pro"], kept["basic"],
                                                   total["basic"], method="newcomb",
                                                   compare="diff")
    assert (pro.diff_low, pro.diff_high) == pytest.approx((dl, dh), abs=1e-12)
    assert rt.segments(plans, retained).reference_label == "basic"  # the first label
    # integer labels; a list of bools
    s = rt.segments([4, 1, 1, 4, 2], [True, False, True, True, False], reference=4)
    assert [row.label for row in s] == [1, 2, 4] and s.reference == 2
    assert [(row.retained, row.n) for row in s] == [(1, 2), (0, 1), (2, 2)]


def test_comparison_frame():
    pd = pytest.importorskip("pandas")
    frame = rt.segments(["a", "b", "b"], [1, 0, 1]).to_frame()
    assert isinstance(frame, pd.DataFrame) and frame.index.name == "segment"
    assert list(frame.index) == ["a", "b"]
    assert list(frame.columns) == [f for f in rt.SegmentRow.__dataclass_fields__][1:]
    assert frame.loc["b", "rate"] == 0.5 and frame.loc["b", "n"] == 2


def test_the_row_structures_mirror_the_header(root):
    text = (root / "include" / "retention" / "segments.h").read_text()
    for struct_name, ctype in (("rtn_segment_row", _lib._SegmentRow),
                               ("rtn_retention_value", _lib._RetentionValue)):
        body = re.search(r"typedef struct %s \{(.*?)\} %s;" % (struct_name, struct_name), text,
                         re.S).group(1)
        body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
        fields = []
        for c_type, names in re.findall(r"(\w+)\s+([\w\s,]+);", body):
            fields += [(name.strip(), c_type) for name in names.split(",")]
        types = {"uint64_t": ctypes.c_uint64, "double": ctypes.c_double}
        assert [(name, types[t]) for name, t in fields] == list(ctype._fields_), struct_name


# ---- economics ---------------------------------------------------------------------------------
def direct_clv(m, r, d, horizon):
    t = np.arange(1, horizon + 1, dtype=np.float64)
    return float(np.sum(m * r ** t / (1 + d) ** t))


def test_the_headers_worked_example():
    v = rt.retention_economics(100, 0.80, 0.05, discount=0.10, cac=100, cohort_size=1000)
    assert v.clv_before == pytest.approx(100 * 0.8 / (1.1 - 0.8), rel=1e-14)  # 266.67
    assert v.clv_after == pytest.approx(340.0, rel=1e-14)
    assert round(v.clv_before, 2) == 266.67
    assert v.clv_change == pytest.approx(0.275, rel=1e-12)
    assert v.profit_before == pytest.approx(1000 * (800 / 3 - 100), rel=1e-14)
    assert round(v.profit_before) == 166667
    assert v.profit_after == pytest.approx(240000, rel=1e-14)
    assert v.profit_change == pytest.approx(0.44, rel=1e-12)
    # an unbounded horizon is the limit of long ones
    long = rt.retention_economics(100, 0.80, 0.05, discount=0.10, cac=100, cohort_size=1000,
                                  horizon=2000)
    assert long.clv_before == pytest.approx(direct_clv(100, 0.8, 0.1, 2000), rel=1e-13)
    assert long.clv_before == pytest.approx(v.clv_before, rel=1e-13)
    assert rt.retention_economics(100, 0.8, 0.05, 0.1, horizon=math.inf) == \
        rt.retention_economics(100, 0.8, 0.05, 0.1)


@pytest.mark.parametrize("m, r, points, d, cac, size, horizon", [
    (100, 0.8, 0.05, 0.1, 100, 1000, 12),
    (25.5, 0.95, 0.02, 0.01, 40, 300, 60),
    (10, 0.5, -0.1, 0.0, 0, 1, 5),
    (10, 0.9, 0.1, 0.0, 50, 7, 24),      # q = 1 after the rise: m H
    (1, 0.99, 0.0, 0.001, 0, 1, 1000),
    (3, 0.3, 0.6, 0.25, 2, 10, 1),
])
def test_economics_against_a_direct_sum(m, r, points, d, cac, size, horizon):
    v = rt.retention_economics(m, r, points, d, cac, size, horizon)
    before, after = direct_clv(m, r, d, horizon), direct_clv(m, r + points, d, horizon)
    assert v.clv_before == pytest.approx(before, rel=1e-12)
    assert v.clv_after == pytest.approx(after, rel=1e-12)
    assert v.clv_change == pytest.approx(after / before - 1, rel=1e-10, abs=1e-14)
    pb, pa = size * (before - cac), size * (after - cac)
    assert v.profit_before == pytest.approx(pb, rel=1e-12)
    assert v.profit_after == pytest.approx(pa, rel=1e-12)
    assert v.profit_change == pytest.approx((pa - pb) / abs(pb), rel=1e-9, abs=1e-12)


def test_economics_edges(fails):
    v = rt.retention_economics(10, 0.0, 0.5, discount=0.0, cac=0, cohort_size=5)
    assert v.clv_before == 0 and math.isnan(v.clv_change)  # base 0
    assert v.profit_before == 0 and math.isnan(v.profit_change)
    assert v.clv_after == pytest.approx(10.0)  # 10 · 0.5 / (1 − 0.5)
    v = rt.retention_economics(10, 0.9, 0.1, horizon=24)  # q = 1: m H
    assert v.clv_after == 240
    v = rt.retention_economics(10, 0.5, 0.1, cac=100)  # a loss before: |profit_before|
    assert v.profit_before == pytest.approx(-90) and v.profit_after == pytest.approx(-85)
    assert v.profit_change == pytest.approx(5 / 90)
    fails(EUNDEFINED, rt.retention_economics, 10, 0.95, 0.05)  # diverges
    fails(EUNDEFINED, rt.retention_economics, 10, 1.0, 0.0)


@pytest.mark.parametrize("args", [
    (NAN, 0.8, 0.05), (-1, 0.8, 0.05), (math.inf, 0.8, 0.05), (10, 1.1, 0.0), (10, -0.1, 0.1),
    (10, NAN, 0.0), (10, 0.8, 0.25), (10, 0.8, -0.9), (10, 0.8, NAN), (10, 0.8, math.inf),
])
def test_economics_domain_errors(fails, args):
    fails(EDOMAIN, rt.retention_economics, *args, discount=0.1)


def test_economics_bad_options(fails):
    for options in ({"discount": -0.1}, {"discount": NAN}, {"cac": -1}, {"cac": math.inf},
                    {"cohort_size": -1}, {"cohort_size": NAN}, {"horizon": 0},
                    {"horizon": -1}, {"horizon": 2**32}):
        fails(EDOMAIN, rt.retention_economics, 10, 0.8, 0.05, **options)
    fails(EOVERFLOW, rt.retention_economics, 1e308, 0.9, 0.05, 0.0, 0.0, 1e10)
    for horizon in (2.5, -math.inf, NAN, "12"):
        with pytest.raises(TypeError):
            rt.retention_economics(10, 0.8, 0.05, horizon=horizon)
    with pytest.raises(TypeError):
        rt.retention_economics("10", 0.8, 0.05)


# ---- bad input ---------------------------------------------------------------------------------
def test_two_proportion_errors(fails):
    for function in (rt.proportion_diff_interval, rt.proportion_lift_interval,
                     rt.proportion_ztest):
        fails(EUNDEFINED, function, 0, 0, 1, 2)
        fails(EUNDEFINED, function, 1, 2, 0, 0)
        fails(EDOMAIN, function, 3, 2, 1, 2)
        fails(EDOMAIN, function, 1, 2, 5, 4)
        fails(EDOMAIN, function, -1, 2, 1, 2)
        fails(EOVERFLOW, function, 1, 2**64, 1, 2)
        with pytest.raises(TypeError):
            function(1.5, 2, 1, 2)
    for function in (rt.proportion_diff_interval, rt.proportion_lift_interval):
        for confidence in (0.0, 1.0, NAN, -1, 2):
            fails(EINVAL, function, 1, 2, 1, 2, confidence)
    fails(EUNDEFINED, rt.proportion_lift_interval, 1, 2, 0, 2)  # no lift over nothing
    fails(EUNDEFINED, rt.proportion_lift_interval, 0, 2, 1, 2)  # no log interval
    fails(EUNDEFINED, rt.proportion_ztest, 0, 2, 0, 3)          # pooled rate 0
    fails(EUNDEFINED, rt.proportion_ztest, 2, 2, 3, 3)          # pooled rate 1
    # huge counts work (the totals may pass 2**64 in the pooled test)
    big = 2**63
    assert rt.proportion_ztest(big, 2**64 - 1, big - 2**40, 2**64 - 1).z > 0


def _exact_chisq(k, n):
    """Pearson's statistic in exact rational arithmetic, rounded once at the end."""
    K, N = sum(k), sum(n)
    stat = sum(Fraction((ki * N - ni * K) ** 2, ni * K * (N - K)) for ki, ni in zip(k, n))
    return float(stat)


@pytest.mark.parametrize("k, n", [
    ([17651002172490708212, 0, 1, 2], [17651002172490708212, 3, 4, 5]),  # a fuzzer's input
    ([2**63, 5], [2**63 + 7, 9]),
    ([2**62, 0], [2**62 + 1, 1]),
    ([10**18, 10**18 - 1], [10**18 + 1, 10**18 + 1]),
])
def test_huge_counts_against_exact_fractions(k, n):
    # where the pooled rate rounds to 1 in doubles, the statistics stay what exact arithmetic gives
    assert rt.proportions_chisq(k, n).chisq == pytest.approx(_exact_chisq(k, n), rel=1e-14)
    z = rt.proportion_ztest(k[1], n[1], k[0], n[0]).z
    assert z * z == pytest.approx(_exact_chisq(k[:2], n[:2]), rel=1e-14)
    assert (z > 0) == (Fraction(k[1], n[1]) > Fraction(k[0], n[0]))


def test_chisq_and_compare_errors(fails):
    fails(EINVAL, rt.proportions_chisq, [1], [2])             # one group
    fails(EINVAL, rt.proportions_chisq, [], [])
    fails(EINVAL, rt.proportions_chisq, [1, 2], [2, 3, 4])    # lengths
    fails(EUNDEFINED, rt.proportions_chisq, [1, 0], [2, 0])   # an empty segment
    fails(EUNDEFINED, rt.proportions_chisq, [0, 0], [2, 3])   # nobody retained
    fails(EUNDEFINED, rt.proportions_chisq, [2, 3], [2, 3])   # everybody retained
    fails(EDOMAIN, rt.proportions_chisq, [3, 1], [2, 3])      # k > n
    fails(EDOMAIN, rt.proportions_chisq, [1, -1], [2, 3], bad_index=1)
    fails(EOVERFLOW, rt.proportions_chisq, [1, 1], [2**63, 2**63])
    fails(EINVAL, rt.proportions_chisq, np.ones(65537, dtype=np.uint64),
          np.full(65537, 2, dtype=np.uint64))
    assert rt.proportions_chisq(np.ones(65536), np.full(65536, 2)).df == 65535
    fails(EINVAL, rt.compare_segments, [], [])
    fails(EINVAL, rt.compare_segments, [1, 2], [2, 3], reference=2)
    fails(EINVAL, rt.compare_segments, [1, 2], [2, 3], reference="x", labels=["a", "b"])
    fails(EINVAL, rt.compare_segments, [1, 2], [2, 3], labels=["a"])
    fails(EINVAL, rt.compare_segments, [1, 2], [2, 3], confidence=1.0)
    fails(EINVAL, rt.compare_segments, [1, 2], [2, 3], confidence=NAN)
    fails(EUNDEFINED, rt.compare_segments, [1, 0], [2, 0])
    fails(EDOMAIN, rt.compare_segments, [1, 4], [2, 3])
    fails(EOVERFLOW, rt.compare_segments, [1, 1], [2**63, 2**63])
    with pytest.raises(TypeError):
        rt.compare_segments([1, 2], [2, 3], reference="a")  # no labels: an index


def test_segment_count_errors(fails):
    fails(EDOMAIN, rt.segment_counts, ["a", "b", "a"], [1, 2, 0], bad_index=1)
    fails(EDOMAIN, rt.segment_counts, ["a", "b", "a"], [1, 0, -1], bad_index=2)
    fails(EDOMAIN, rt.segment_counts, ["a", "b"], [1, 0.5], bad_index=1)
    fails(EINVAL, rt.segment_counts, ["a", "b"], [1])
    fails(EINVAL, rt.segment_counts, [], [])


def test_outputs_are_untouched_on_error():
    """Called through ctypes with sentinel-filled outputs: an error writes nothing."""
    lib = _lib.lib
    sentinel = -12345.0
    out = [ctypes.c_double(sentinel) for _ in range(3)]
    for code, args in ((EUNDEFINED, (1, 0, 1, 2, 0.95)), (EDOMAIN, (3, 2, 1, 2, 0.95)),
                       (EINVAL, (1, 2, 1, 2, 1.5))):
        assert lib.rtn_proportion_diff_interval(*args, *map(ctypes.byref, out)) == code
        assert lib.rtn_proportion_lift_interval(*args, *map(ctypes.byref, out)) == code
        assert [o.value for o in out] == [sentinel] * 3
    assert lib.rtn_proportion_lift_interval(0, 2, 1, 2, 0.95, *map(ctypes.byref, out)) == \
        EUNDEFINED
    assert lib.rtn_proportion_ztest(0, 2, 0, 2, ctypes.byref(out[0]), ctypes.byref(out[1])) \
        == EUNDEFINED
    assert [o.value for o in out] == [sentinel] * 3
    k = (ctypes.c_uint64 * 3)(1, 5, 2)
    n = (ctypes.c_uint64 * 3)(2, 4, 3)  # 5 > 4
    rows = (_lib._SegmentRow * 3)()
    for row in rows:
        row.rate = row.z = sentinel
    chisq, p = ctypes.c_double(sentinel), ctypes.c_double(sentinel)
    assert lib.rtn_segments_compare(k, n, 3, 0, 0.95, rows, ctypes.byref(chisq),
                                    ctypes.byref(p)) == EDOMAIN
    assert all(row.rate == sentinel and row.z == sentinel for row in rows)
    assert chisq.value == p.value == sentinel
    df = ctypes.c_double(sentinel)
    assert lib.rtn_proportions_chisq(k, n, 3, ctypes.byref(chisq), ctypes.byref(df),
                                     ctypes.byref(p)) == EDOMAIN
    assert chisq.value == df.value == p.value == sentinel
    value = _lib._RetentionValue(*[sentinel] * 6)
    assert lib.rtn_retention_economics(10, 0.95, 0.05, 0, 0, 1, 0, ctypes.byref(value)) == \
        EUNDEFINED
    assert lib.rtn_retention_economics(1e308, 0.9, 0.05, 0, 0, 1e10, 0, ctypes.byref(value)) == \
        EOVERFLOW
    assert list(value.__getattribute__(f) for f, _ in value._fields_) == [sentinel] * 6
    totals = (ctypes.c_uint64 * 2)(7, 8)
    kept = (ctypes.c_uint64 * 2)(3, 4)
    seg = (ctypes.c_int32 * 3)(0, 1, 2)
    flags = (ctypes.c_uint8 * 3)(1, 0, 1)
    bad = ctypes.c_size_t(99)
    assert lib.rtn_segments_count(seg, flags, 3, 2, kept, totals, ctypes.byref(bad)) == EDOMAIN
    assert bad.value == 2 and list(kept) == [3, 4] and list(totals) == [7, 8]
