"""NPS, CSAT, CES and average handle time, against values computed here."""
import math
import statistics
from statistics import NormalDist

import numpy as np
import pytest

import retention as rt
from retention import EDOMAIN, EINVAL, EOVERFLOW, EUNDEFINED

NAN, INF = float("nan"), float("inf")
U64_MAX = 2**64 - 1


def z_of(confidence):
    return NormalDist().inv_cdf((1 + confidence) / 2)


def nps_reference(p, a, d, confidence=0.95, method="adjusted-wald"):
    """(nps, se, low, high) in points from the definitions in scores.h (Rocks 2016)."""
    n = p + a + d
    sp, sd = p / n, d / n
    nps = 100 * (sp - sd)
    se = 100 * math.sqrt((sp + sd - (sp - sd) ** 2) / n)
    if method == "adjusted-wald":
        n, sp, sd = n + 3, (p + 0.75) / (n + 3), (d + 0.75) / (n + 3)
    half = z_of(confidence) * math.sqrt(max(0.0, sp + sd - (sp - sd) ** 2) / n)
    centre = sp - sd
    return nps, se, 100 * max(-1.0, centre - half), 100 * min(1.0, centre + half)


def wilson(k, n, confidence):
    z = z_of(confidence)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


# ---- counting -------------------------------------------------------------------------------
def test_scores_count_is_a_bincount_on_the_scale(rng):
    scores = rng.integers(1, 6, size=10_001).astype(np.uint8)
    hist = rt.scores_count(scores, 1, 5)
    assert hist.dtype == np.uint64 and hist.shape == (5,)
    assert hist.tolist() == np.bincount(scores, minlength=6)[1:].tolist()
    assert rt.scores_count([], 1, 5).tolist() == [0] * 5
    assert rt.scores_count([0, 255, 255], 0, 255)[[0, 255]].tolist() == [1, 2]


def test_nps_count_and_categories(rng):
    scores = rng.integers(0, 11, size=5000).astype(np.uint8)
    hist = rt.nps_count(scores)
    reference = np.bincount(scores, minlength=11)
    assert hist.tolist() == reference.tolist()
    assert rt.NPS_HIST_LEN == 11
    categories = rt.nps_categories(hist)
    assert categories == (int(reference[9:].sum()), int(reference[7:9].sum()),
                          int(reference[:7].sum()))
    assert all(type(c) is int for c in categories)
    assert rt.nps_categories([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) == (21, 17, 28)


# ---- NPS ------------------------------------------------------------------------------------
def test_numpy_reference_for_ten_million_scores(rng):
    # numpy's output on the benchmark data (../shared/peers/numpy_nps.py)
    promoters, passives, detractors = 4997760, 3001768, 2000472
    per_score = [300_000, 285_000, 285_000, 285_000, 285_000, 285_000,
                 detractors - 300_000 - 5 * 285_000, 1_500_000, passives - 1_500_000,
                 2_500_000, promoters - 2_500_000]
    scores = rng.permutation(np.repeat(np.arange(11, dtype=np.uint8), per_score))
    result = rt.nps(scores, method="wald")
    assert (result.promoters, result.passives, result.detractors) == (promoters, passives,
                                                                       detractors)
    assert result.n == 10_000_000
    assert result.nps == pytest.approx(29.97288, rel=1e-13)
    assert result.se == pytest.approx(0.0246978915386, rel=1e-11)
    assert rt.nps(counts=(promoters, passives, detractors)) == rt.nps(scores)


@pytest.mark.parametrize("counts", [(50, 30, 20), (96, 4, 0), (10, 59, 31), (1, 0, 0),
                                    (0, 0, 7), (0, 5, 0), (3, 1, 3), (12345, 6789, 10111)])
@pytest.mark.parametrize("method", ["wald", "adjusted-wald"])
@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_nps_matches_the_definitions(counts, method, confidence):
    p, a, d = counts
    result = rt.nps(counts=counts, method=method, confidence=confidence)
    nps, se, low, high = nps_reference(p, a, d, confidence, method)
    n = p + a + d
    assert isinstance(result, rt.NpsResult)
    assert (result.n, result.promoters, result.passives, result.detractors) == (n, p, a, d)
    assert result.promoter_share == pytest.approx(p / n, rel=1e-15)
    assert result.passive_share == pytest.approx(a / n, rel=1e-15)
    assert result.detractor_share == pytest.approx(d / n, rel=1e-15)
    assert result.nps == pytest.approx(nps, rel=1e-13, abs=1e-13)
    assert result.se == pytest.approx(se, rel=1e-12, abs=1e-12)
    assert result.ci_low == pytest.approx(low, rel=1e-12, abs=1e-12)
    assert result.ci_high == pytest.approx(high, rel=1e-12, abs=1e-12)
    assert -100 <= result.ci_low <= result.ci_high <= 100
    assert (result.confidence, result.method) == (confidence, method)


def test_header_example_and_seed_anchors():
    result = rt.nps(counts=(50, 30, 20))
    assert result.nps == pytest.approx(30.0, rel=1e-15)
    assert round(result.se, 2) == 7.81  # 100 sqrt((0.7 - 0.09) / 100)
    assert rt.nps(counts=(96, 4, 0)).nps == pytest.approx(96.0, rel=1e-15)
    assert rt.nps(counts=(10, 59, 31)).nps == pytest.approx(-21.0, rel=1e-15)
    assert rt.nps([9, 10, 0, 6, 7, 8]).nps == 0.0  # promoters = detractors: exactly 0
    assert rt.nps(counts=(2**62, 3, 2**62)).nps == 0.0


def test_nps_from_scores_hist_and_counts_agree(rng):
    scores = rng.integers(0, 11, size=777)
    hist = np.bincount(scores, minlength=11)
    counts = (int(hist[9:].sum()), int(hist[7:9].sum()), int(hist[:7].sum()))
    from_scores = rt.nps(scores.astype(np.uint8))
    assert from_scores == rt.nps(scores) == rt.nps(hist=hist) == rt.nps(hist=hist.tolist())
    assert from_scores == rt.nps(counts=counts)


def test_nps_ztest_matches_the_formula():
    a, b = (50, 30, 20), (40, 30, 30)
    _, se_a, _, _ = nps_reference(*a)
    _, se_b, _, _ = nps_reference(*b)
    z_want = (30.0 - 10.0) / math.hypot(se_a, se_b)
    test = rt.nps_ztest(a, b)
    assert isinstance(test, rt.ZTest)
    assert test.z == pytest.approx(z_want, rel=1e-12)
    assert test.p_value == pytest.approx(math.erfc(abs(z_want) / math.sqrt(2)), rel=1e-12)
    z, p = rt.nps_ztest(rt.nps(counts=b), rt.nps(counts=a))  # NpsResult accepted; unpacks
    assert z == pytest.approx(-z_want, rel=1e-12) and p == pytest.approx(test.p_value, rel=1e-12)
    assert rt.nps_ztest(a, a) == rt.ZTest(0.0, 1.0)


# ---- CSAT, CES, handle time ------------------------------------------------------------------
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_csat_is_the_top_box_share_with_a_wilson_interval(confidence):
    hist = [10, 20, 30, 25, 15]  # 1..5
    result = rt.csat(hist=hist, confidence=confidence)
    assert isinstance(result, rt.CsatResult)
    assert (result.n, result.satisfied) == (100, 40)
    assert result.csat == pytest.approx(0.4, rel=1e-15)
    assert result.se == pytest.approx(math.sqrt(0.4 * 0.6 / 100), rel=1e-14)
    low, high = wilson(40, 100, confidence)
    assert result.ci_low == pytest.approx(low, rel=1e-12)
    assert result.ci_high == pytest.approx(high, rel=1e-12)


def test_csat_scales_and_thresholds(rng):
    scores = rng.integers(0, 11, size=999)
    result = rt.csat(scores, scale=(0, 10), satisfied_min=9)
    k = int((scores >= 9).sum())
    assert (result.n, result.satisfied) == (999, k)
    assert result.csat == pytest.approx(k / 999, rel=1e-15)
    top1 = rt.csat(hist=[10, 20, 30, 25, 15], satisfied_min=5)
    assert (top1.satisfied, top1.csat) == (15, pytest.approx(0.15, rel=1e-15))
    assert rt.csat([5, 5, 5]).ci_high == 1.0 and rt.csat([1, 1]).ci_low == 0.0
    assert rt.csat([1, 2, 2], satisfied_min=1).csat == 1.0


def test_ces_is_the_mean_with_its_standard_error(rng):
    scores = rng.integers(1, 8, size=1001)
    result = rt.ces(scores)
    values = scores.tolist()
    assert isinstance(result, rt.CesResult) and result.n == 1001
    assert result.mean == pytest.approx(statistics.fmean(values), rel=1e-14)
    assert result.se == pytest.approx(statistics.stdev(values) / math.sqrt(1001), rel=1e-12)
    hist = np.bincount(scores, minlength=8)[1:]
    assert rt.ces(hist=hist) == result
    assert rt.ces([2, 4], scale=(1, 5)) == rt.CesResult(2, 3.0, pytest.approx(1.0, rel=1e-15))
    assert rt.ces([6]) == rt.CesResult(1, 6.0, None)  # one response: a mean, no SE


def test_handle_time_mean_is_a_compensated_mean(rng):
    durations = rng.exponential(277.5, size=100_000)
    assert rt.handle_time_mean(durations) == pytest.approx(
        math.fsum(durations.tolist()) / durations.size, rel=1e-15)
    spiky = [1e16] + [1.0] * 10  # a naive sum loses every 1.0
    assert rt.handle_time_mean(spiky) == pytest.approx((1e16 + 10) / 11, rel=1e-16)
    assert rt.handle_time_mean([42]) == 42.0
    assert rt.handle_time_mean([1e308, 1e308]) == 1e308  # the sum passes DBL_MAX, the mean not


# ---- errors ---------------------------------------------------------------------------------
def test_empty_input_is_undefined(fails):
    fails(EUNDEFINED, rt.nps, [])
    fails(EUNDEFINED, rt.nps, np.array([], dtype=np.uint8))
    fails(EUNDEFINED, rt.nps, counts=(0, 0, 0))
    fails(EUNDEFINED, rt.nps, hist=[0] * 11)
    fails(EUNDEFINED, rt.nps_ztest, (0, 0, 0), (1, 2, 3))
    fails(EUNDEFINED, rt.nps_ztest, (10, 0, 0), (5, 0, 0))  # both SE 0
    fails(EUNDEFINED, rt.csat, [])
    fails(EUNDEFINED, rt.csat, hist=[0] * 5)
    fails(EUNDEFINED, rt.ces, [])
    fails(EUNDEFINED, rt.handle_time_mean, [])
    fails(EUNDEFINED, rt.handle_time_mean, np.empty(0))


def test_scores_off_the_scale_report_the_first_bad_index(fails):
    fails(EDOMAIN, rt.nps, np.array([10, 11, 12], dtype=np.uint8), bad_index=1)
    fails(EDOMAIN, rt.nps_count, np.array([0] * 99 + [255], dtype=np.uint8), bad_index=99)
    fails(EDOMAIN, rt.nps, np.array([5, 300, 7], dtype=np.int64), bad_index=1)  # never 44
    fails(EDOMAIN, rt.nps, np.array([5, -1, 300], dtype=np.int64), bad_index=1)
    fails(EDOMAIN, rt.nps, np.array([5, 10, -1], dtype=np.int64), bad_index=2)
    fails(EDOMAIN, rt.nps, np.array([11, 300], dtype=np.int64), bad_index=0)  # scale first
    fails(EDOMAIN, rt.nps, [9.0, 9.5], bad_index=1)
    fails(EDOMAIN, rt.nps, np.array([9.0, 8.0, NAN]), bad_index=2)
    fails(EDOMAIN, rt.nps, [1.0, INF], bad_index=1)
    fails(EDOMAIN, rt.nps, [3, 2**70], bad_index=1)  # beyond int64: an object array
    fails(EDOMAIN, rt.nps, np.array([3, 2**64 - 1], dtype=np.uint64), bad_index=1)
    fails(EDOMAIN, rt.csat, np.array([1, 2, 0], dtype=np.uint8), bad_index=2)
    fails(EDOMAIN, rt.csat, [3, 6], bad_index=1)
    fails(EDOMAIN, rt.ces, np.array([1, 8], dtype=np.int16), bad_index=1)
    fails(EDOMAIN, rt.scores_count, np.array([5, 300, 0], dtype=np.int32), 1, 5, bad_index=1)


def test_bad_durations_report_the_first_bad_index(fails):
    fails(EDOMAIN, rt.handle_time_mean, [1.0, 2.0, 3.0, NAN], bad_index=3)
    fails(EDOMAIN, rt.handle_time_mean, [1.0, -0.5, INF], bad_index=1)
    fails(EDOMAIN, rt.handle_time_mean, np.array([INF]), bad_index=0)
    fails(EDOMAIN, rt.handle_time_mean, np.array([4, -1], dtype=np.int64), bad_index=1)


@pytest.mark.parametrize("confidence", [0.0, 1.0, NAN, 2.0])
def test_impossible_confidence_is_invalid(fails, confidence):
    fails(EINVAL, rt.nps, counts=(5, 3, 2), confidence=confidence)
    fails(EINVAL, rt.csat, hist=[1, 2, 3, 4, 5], confidence=confidence)


def test_unknown_interval_method_is_invalid(fails):
    for method in ("bogus", "Wald", "adjusted_wald", 0, None):
        error = fails(EINVAL, rt.nps, counts=(5, 3, 2), method=method)
        assert error.function == "rtn_nps_interval"


@pytest.mark.parametrize("scale", [(5, 1), (3, 3), (0, 256), (-1, 5), (1, 2**32 + 5)])
def test_impossible_scales_are_invalid(fails, scale):
    fails(EINVAL, rt.scores_count, [1], *scale)
    fails(EINVAL, rt.csat, [1], scale=scale)
    fails(EINVAL, rt.ces, hist=[1, 1], scale=scale)


def test_satisfied_min_must_be_on_the_scale(fails):
    fails(EINVAL, rt.csat, hist=[1, 2, 3, 4, 5], satisfied_min=6)
    fails(EINVAL, rt.csat, hist=[1, 2, 3, 4, 5], satisfied_min=0)
    fails(EINVAL, rt.csat, hist=[1, 2, 3, 4, 5], satisfied_min=-1)


def test_histograms_of_the_wrong_shape_or_type(fails):
    good = np.zeros(5, dtype=np.uint64)
    for bad in (np.zeros(4, dtype=np.uint64), np.zeros(6, dtype=np.uint64),
                np.zeros(5, dtype=np.int64), np.zeros(5, dtype=np.float64), [0] * 5,
                np.zeros(10, dtype=np.uint64)[::2], np.zeros((5, 1), dtype=np.uint64),
                np.zeros(5, dtype=">u8")):
        fails(EINVAL, rt.scores_count, [1, 2], 1, 5, hist=bad)
    readonly = good.copy()
    readonly.flags.writeable = False
    fails(EINVAL, rt.scores_count, [1, 2], 1, 5, hist=readonly)
    fails(EINVAL, rt.nps_count, [1, 2], hist=good)
    # histograms that are only read may be any sequence of counts, of the right length
    fails(EINVAL, rt.nps, hist=[0] * 10)
    fails(EINVAL, rt.nps_categories, np.zeros(12, dtype=np.uint64))
    fails(EINVAL, rt.csat, hist=[1] * 7)
    fails(EINVAL, rt.ces, hist=[1] * 5)  # scale 1..7 needs 7
    fails(EDOMAIN, rt.nps, hist=[1] * 10 + [-1], bad_index=10)
    fails(EDOMAIN, rt.ces, hist=[1, 1.5, 1, 1, 1, 1, 1], bad_index=1)


def test_counts_must_be_unsigned_64_bit_integers(fails):
    fails(EDOMAIN, rt.nps, counts=(5, -1, 2))
    fails(EDOMAIN, rt.nps_ztest, (5, 1, 2), (5, 1, -2))
    fails(EOVERFLOW, rt.nps, counts=(2**64, 0, 0))
    fails(EOVERFLOW, rt.nps, counts=(U64_MAX, 1, 0))  # n passes 2^64 - 1
    fails(EOVERFLOW, rt.nps_categories, [U64_MAX] * 2 + [0] * 9)
    fails(EOVERFLOW, rt.csat, hist=[U64_MAX, 0, 0, 0, 1])
    fails(EOVERFLOW, rt.ces, hist=[U64_MAX, 0, 0, 0, 0, 0, 1])
    for bad in ((5.0, 1, 2), ("5", 1, 2), (5, 1), (5, 1, 2, 3)):
        with pytest.raises(TypeError):
            rt.nps(counts=bad)


def test_a_count_that_would_overflow_leaves_the_histogram_unchanged(fails):
    hist = np.array([U64_MAX, 7, 0, 0, 0], dtype=np.uint64)
    fails(EOVERFLOW, rt.scores_count, [2, 1], 1, 5, hist=hist)
    assert hist.tolist() == [U64_MAX, 7, 0, 0, 0]


def test_exactly_one_source_of_responses():
    for kwargs in ({}, {"hist": [1] * 11, "counts": (1, 2, 3)}):
        with pytest.raises(TypeError):
            rt.nps(**kwargs)
    with pytest.raises(TypeError):
        rt.nps([9], counts=(1, 2, 3))
    with pytest.raises(TypeError):
        rt.csat([5], hist=[1] * 5)
    with pytest.raises(TypeError):
        rt.ces()


@pytest.mark.parametrize("bad", [["a", "b"], [1, None], np.array(["9"]), [1 + 2j],
                                 np.array([True, False])])
def test_non_numeric_scores_are_type_errors(bad):
    with pytest.raises(TypeError):
        rt.nps(bad)
    with pytest.raises(TypeError):
        rt.handle_time_mean(bad)
