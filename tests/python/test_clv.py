"""Formula CLV, CAC payback and LTV:CAC, against values computed here."""
import math
from fractions import Fraction

import pytest

import retention as rt
from retention import EDOMAIN, EOVERFLOW, EUNDEFINED

NAN, INF = float("nan"), float("inf")


def close(value, expected, rel=1e-14):
    return value == pytest.approx(float(expected), rel=rel, abs=0)


def test_clv_simple_is_margin_times_lifetime():
    assert close(rt.clv_simple(100.0, 0.8, 0.05), 1600)  # the header's example
    assert close(rt.clv_simple(276.99, 0.75, 0.0414), Fraction(276.99) * Fraction(0.75)
                 / Fraction(0.0414), rel=1e-15)
    assert rt.clv_simple(0.0, 0.8, 0.5) == 0.0


def test_clv_discounted_is_the_present_value_of_retained_margins():
    assert close(rt.clv_discounted(100.0, 0.9, 0.1), 450)  # the header's example
    m, r, d = 80.0, 0.95, 0.01
    series = math.fsum(m * r**t / (1 + d) ** t for t in range(1, 5000))
    assert close(rt.clv_discounted(m, r, d), series, rel=1e-12)
    assert close(rt.clv_discounted(m, 1.0, 0.02), Fraction(80) / Fraction(0.02))
    # at d = 0 simple and discounted CLV differ by one period's margin (clv.h "Timing")
    churn = 0.25
    assert close(rt.clv_simple(m, 1.0, churn) - rt.clv_discounted(m, 1 - churn, 0.0), m)


def test_cac_payback_and_ltv_cac():
    assert close(rt.cac_payback(1200.0, 100.0, 0.8), 15)
    assert close(rt.cac_payback(0.0, 100.0, 0.8), 0)
    assert close(rt.ltv_cac(1600.0, 400.0), 4)
    assert close(rt.ltv_cac(-300.0, 400.0), Fraction(-3, 4))  # a losing customer is an answer


def test_zero_denominators_are_undefined(fails):
    fails(EUNDEFINED, rt.clv_simple, 100.0, 0.8, 0.0)
    fails(EUNDEFINED, rt.clv_discounted, 100.0, 1.0, 0.0)
    fails(EUNDEFINED, rt.cac_payback, 1200.0, 0.0, 0.8)
    fails(EUNDEFINED, rt.cac_payback, 1200.0, 100.0, 0.0)
    fails(EUNDEFINED, rt.ltv_cac, 1600.0, 0.0)


def test_values_outside_their_range(fails):
    fails(EDOMAIN, rt.clv_simple, -1.0, 0.8, 0.05)
    fails(EDOMAIN, rt.clv_simple, 100.0, 1.2, 0.05)
    fails(EDOMAIN, rt.clv_simple, 100.0, 0.8, 1.0)
    fails(EDOMAIN, rt.clv_discounted, 100.0, 1.1, 0.1)
    fails(EDOMAIN, rt.clv_discounted, 100.0, 0.9, -0.1)
    fails(EDOMAIN, rt.cac_payback, -1.0, 100.0, 0.8)
    fails(EDOMAIN, rt.ltv_cac, 1.0, -2.0)


@pytest.mark.parametrize("bad", [NAN, INF, -INF])
def test_nan_and_infinities_are_domain_errors(fails, bad):
    fails(EDOMAIN, rt.clv_simple, bad, 0.8, 0.05)
    fails(EDOMAIN, rt.clv_discounted, 100.0, bad, 0.1)
    fails(EDOMAIN, rt.cac_payback, 100.0, 10.0, bad)
    fails(EDOMAIN, rt.ltv_cac, bad, 10.0)


def test_results_too_large_for_a_double_overflow(fails):
    fails(EOVERFLOW, rt.clv_simple, 1e308, 1.0, 1e-300)
    fails(EOVERFLOW, rt.ltv_cac, 1e308, 1e-300)
    fails(EOVERFLOW, rt.cac_payback, 1e308, 1e-300, 1.0)


@pytest.mark.parametrize("bad", ["100", None, (1,)])
def test_non_numbers_are_type_errors(bad):
    for function in (rt.clv_simple, rt.clv_discounted, rt.cac_payback):
        with pytest.raises(TypeError):
            function(bad, 0.5, 0.5)
    with pytest.raises(TypeError):
        rt.ltv_cac(1.0, bad)
