"""Customer rates, Wilson intervals and revenue metrics, against values computed here."""
import math
from fractions import Fraction
from statistics import NormalDist

import pytest

import retention as rt
from retention import EDOMAIN, EINVAL, EOVERFLOW, EUNDEFINED

NAN, INF = float("nan"), float("inf")


def close(value, expected, rel=1e-14):
    return value == pytest.approx(float(expected), rel=rel, abs=0)


def wilson(k, n, confidence):
    """Wilson (1927) score interval, straight from the formula."""
    z = NormalDist().inv_cdf((1 + confidence) / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


# ---- customers ------------------------------------------------------------------------------
def test_seed_example_1000_to_900_customers_is_10_percent_churn():
    start, end, acquired = 1000, 900, 0
    assert close(rt.churn_rate_start(start, start - end), Fraction(1, 10))
    assert close(rt.retention_rate(start, end, acquired), Fraction(9, 10))


def test_retention_rate_is_end_minus_acquired_over_start():
    assert close(rt.retention_rate(1000, 950, 50), Fraction(900, 1000))
    assert rt.retention_rate(7, 7, 0) == 1.0 and rt.retention_rate(7, 3, 3) == 0.0
    assert close(rt.retention_rate(2**64 - 1, 2**63, 1), Fraction(2**63 - 1, 2**64 - 1))


def test_churn_rates():
    assert close(rt.churn_rate_start(3, 1), Fraction(1, 3))
    assert close(rt.churn_rate_average(1000, 900, 100), Fraction(100, 950))
    assert close(rt.churn_rate_average(10, 10, 30), 3)  # churn above 1 is returned as it is
    assert close(rt.churn_rate_customer_days(30, 27000, 30), Fraction(30, 27000) * 30)
    assert close(rt.churn_rate_customer_days(1, 0.5, 30.0), 60)


def test_churn_rate_convert_between_period_lengths():
    annual = rt.churn_rate_convert(0.02, 12)
    assert close(annual, 1 - Fraction(49, 50) ** 12)
    assert round(annual, 4) == 0.2153  # the header's example: 2 % monthly is 21.53 % a year
    assert close(rt.churn_rate_convert(annual, 1 / 12), 0.02, rel=1e-13)
    tiny = Fraction(1e-12)
    assert close(rt.churn_rate_convert(1e-12, 12), 1 - (1 - tiny) ** 12)  # no digits lost
    assert rt.churn_rate_convert(0.0, 12) == 0.0 and rt.churn_rate_convert(1.0, 0.5) == 1.0


def test_churn_lifetime_is_one_over_churn():
    assert close(rt.churn_lifetime(0.05), 20)
    assert close(rt.churn_lifetime(0.0414), 1 / 0.0414)


@pytest.mark.parametrize("k, n", [(0, 1), (1, 1), (0, 20), (1, 29), (15, 148), (81, 263),
                                  (5, 10), (999_999, 1_000_000)])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_wilson_interval_matches_the_formula(k, n, confidence):
    low, high = rt.wilson_interval(k, n, confidence)
    want_low, want_high = wilson(k, n, confidence)
    assert low == pytest.approx(max(0.0, want_low), rel=1e-12, abs=1e-15)
    assert high == pytest.approx(min(1.0, want_high), rel=1e-12, abs=1e-15)
    assert 0.0 <= low <= k / n <= high <= 1.0
    if k == 0:
        assert low == 0.0
    if k == n:
        assert high == 1.0


@pytest.mark.parametrize("k, n, low, high", [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605),
                                             (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)])
def test_wilson_interval_matches_newcombe_1998(k, n, low, high):
    interval = rt.wilson_interval(k, n)
    assert isinstance(interval, rt.Interval)
    assert interval.low == pytest.approx(low, abs=5e-5)
    assert interval.high == pytest.approx(high, abs=5e-5)


# ---- revenue --------------------------------------------------------------------------------
def test_seed_example_negative_net_revenue_churn():
    # $275,000 of MRR became $305,000 with no new customers: 30,000 of expansion.
    start, expansion = 275_000, 305_000 - 275_000
    rate = rt.revenue_churn_net(start, 0.0, 0.0, expansion)
    assert close(rate, Fraction(-30_000, 275_000))
    assert round(100 * rate, 3) == -10.909
    assert close(rt.revenue_nrr(start, 0, 0, expansion), Fraction(305_000, 275_000))


def test_revenue_churn_and_retention():
    start, churned, contraction, expansion, reactivation = 10_000.0, 700.0, 300.0, 450.0, 50.0
    assert close(rt.revenue_churn_gross(start, churned, contraction), Fraction(1000, 10_000))
    assert close(rt.revenue_churn_net(start, churned, contraction, expansion, reactivation),
                 Fraction(700 + 300 - 450 - 50, 10_000))
    assert close(rt.revenue_churn_net(start, churned, contraction),
                 Fraction(1000, 10_000))  # expansion and reactivation default to 0
    assert close(rt.revenue_nrr(start, churned, contraction, expansion),
                 Fraction(10_000 + 450 - 300 - 700, 10_000))
    assert close(rt.revenue_grr(start, churned, contraction), Fraction(9000, 10_000))
    assert rt.revenue_grr(5.0, 2.5, 2.5) == 0.0 and rt.revenue_grr(5.0, 0, 0) == 1.0


def test_quick_ratio_takes_gains_then_losses():
    assert close(rt.revenue_quick_ratio(200.0, 100.0, 50.0, 25.0), Fraction(300, 75))
    assert close(rt.revenue_quick_ratio(0, 1, 3, 0), Fraction(1, 3))


def test_arpa_is_revenue_over_accounts():
    assert close(rt.arpa(27_500.0, 100), 275)
    assert close(rt.arpa(1.0, 3), Fraction(1, 3))
    assert rt.arpa(0.0, 5) == 0.0


# ---- errors ---------------------------------------------------------------------------------
def test_zero_denominators_are_undefined(fails):
    fails(EUNDEFINED, rt.retention_rate, 0, 0, 0)
    fails(EUNDEFINED, rt.churn_rate_start, 0, 0)
    fails(EUNDEFINED, rt.churn_rate_average, 0, 0, 0)
    fails(EUNDEFINED, rt.churn_rate_customer_days, 3, 0.0, 30.0)
    fails(EUNDEFINED, rt.churn_lifetime, 0.0)
    fails(EUNDEFINED, rt.wilson_interval, 0, 0)
    fails(EUNDEFINED, rt.revenue_churn_gross, 0.0, 0.0, 0.0)
    fails(EUNDEFINED, rt.revenue_churn_net, 0.0, 0.0, 0.0, 5.0)
    fails(EUNDEFINED, rt.revenue_nrr, 0.0, 0.0, 0.0, 5.0)
    fails(EUNDEFINED, rt.revenue_grr, 0.0, 0.0, 0.0)
    fails(EUNDEFINED, rt.revenue_quick_ratio, 10.0, 5.0, 0.0, 0.0)
    fails(EUNDEFINED, rt.arpa, 100.0, 0)


def test_values_outside_their_domain(fails):
    fails(EDOMAIN, rt.retention_rate, 100, 10, 11)  # E < N
    fails(EDOMAIN, rt.retention_rate, 100, 201, 100)  # E - N > S
    fails(EDOMAIN, rt.churn_rate_start, 100, 101)
    fails(EDOMAIN, rt.churn_rate_customer_days, 3, -1.0, 30.0)
    fails(EDOMAIN, rt.churn_rate_customer_days, 3, 10.0, 0.0)
    fails(EDOMAIN, rt.churn_rate_convert, 1.5, 12)
    fails(EDOMAIN, rt.churn_rate_convert, -0.1, 12)
    fails(EDOMAIN, rt.churn_rate_convert, 0.1, 0)
    fails(EDOMAIN, rt.churn_lifetime, 1.0)
    fails(EDOMAIN, rt.churn_lifetime, -0.1)
    fails(EDOMAIN, rt.wilson_interval, 11, 10)
    fails(EDOMAIN, rt.revenue_churn_gross, 100.0, 60.0, 50.0)  # lost more than there was
    fails(EDOMAIN, rt.revenue_churn_net, 100.0, 0.0, 0.0, -1.0)
    fails(EDOMAIN, rt.revenue_nrr, 100.0, -1.0, 0.0, 0.0)
    fails(EDOMAIN, rt.revenue_quick_ratio, -1.0, 0.0, 1.0, 0.0)
    fails(EDOMAIN, rt.arpa, -5.0, 3)


@pytest.mark.parametrize("bad", [NAN, INF, -INF])
def test_nan_and_infinities_are_domain_errors(fails, bad):
    fails(EDOMAIN, rt.churn_rate_customer_days, 1, bad, 30.0)
    fails(EDOMAIN, rt.churn_rate_customer_days, 1, 30.0, bad)
    fails(EDOMAIN, rt.churn_rate_convert, bad, 12)
    fails(EDOMAIN, rt.churn_rate_convert, 0.1, bad)
    fails(EDOMAIN, rt.churn_lifetime, bad)
    fails(EDOMAIN, rt.revenue_churn_gross, bad, 0.0, 0.0)
    fails(EDOMAIN, rt.revenue_churn_net, 100.0, 0.0, 0.0, 0.0, bad)
    fails(EDOMAIN, rt.revenue_nrr, 100.0, 0.0, 0.0, bad)
    fails(EDOMAIN, rt.revenue_grr, 100.0, bad, 0.0)
    fails(EDOMAIN, rt.revenue_quick_ratio, 1.0, bad, 1.0, 1.0)
    fails(EDOMAIN, rt.arpa, bad, 3)


def test_results_too_large_for_a_double_overflow(fails):
    fails(EOVERFLOW, rt.churn_rate_customer_days, 2**64 - 1, 1e-300, 1e300)
    fails(EOVERFLOW, rt.churn_lifetime, 5e-324)
    fails(EOVERFLOW, rt.revenue_quick_ratio, 1e308, 1e308, 1e-300, 0.0)


@pytest.mark.parametrize("confidence", [0.0, 1.0, NAN, -0.5, 1.5, INF])
def test_impossible_confidence_is_invalid(fails, confidence):
    fails(EINVAL, rt.wilson_interval, 5, 10, confidence)


def test_counts_must_be_unsigned_64_bit_integers(fails):
    error = fails(EDOMAIN, rt.churn_rate_start, -1000, 10)
    assert error.function == "rtn_churn_rate_start"
    fails(EDOMAIN, rt.retention_rate, 10, 10, -1)
    fails(EDOMAIN, rt.arpa, 1.0, -3)
    fails(EDOMAIN, rt.wilson_interval, -1, 10)
    fails(EOVERFLOW, rt.churn_rate_start, 2**64, 1)  # ctypes would have wrapped it to 0
    assert rt.churn_rate_start(2**64 - 1, 2**64 - 1) == 1.0
    import numpy as np

    assert close(rt.churn_rate_start(np.int64(10), np.uint32(1)), Fraction(1, 10))


@pytest.mark.parametrize("bad", [1.0, 10.5, "10", None, [10], complex(1, 0), True])
def test_non_integer_counts_are_type_errors(bad):
    with pytest.raises(TypeError):
        rt.churn_rate_start(bad, 1)
    with pytest.raises(TypeError):
        rt.arpa(10.0, bad)


@pytest.mark.parametrize("bad", ["0.1", None, [0.1], complex(0.1, 0)])
def test_non_numeric_amounts_are_type_errors(bad):
    with pytest.raises(TypeError):
        rt.churn_rate_convert(bad, 12)
    with pytest.raises(TypeError):
        rt.revenue_churn_net(100.0, 0.0, 0.0, bad)
    with pytest.raises(TypeError):
        rt.wilson_interval(1, 2, bad)


def test_amounts_accept_ints_fractions_and_numpy_scalars():
    import numpy as np

    assert close(rt.revenue_churn_gross(Fraction(10), np.float32(1.0), 1), Fraction(2, 10))
    assert close(rt.churn_rate_convert(np.float64(0.02), 12), 1 - Fraction(49, 50) ** 12)


def test_an_int_beyond_the_double_range_is_a_domain_error(fails):
    fails(EDOMAIN, rt.revenue_grr, 10**400, 0, 0)
