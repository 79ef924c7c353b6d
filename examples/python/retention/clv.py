"""Formula customer lifetime value, CAC payback and LTV:CAC (retention/clv.h).

Money is per period in one currency, gross margin a fraction in [0, 1], rates fractions per
period. RetentionError: EDOMAIN for values outside their range or not finite, EUNDEFINED for a
zero denominator, EOVERFLOW when finite inputs give a value too large for a double.
"""
from ._lib import _out, _real


def clv_simple(arpa, gross_margin, churn):
    """Simple CLV: arpa × gross_margin / churn (margin of one period times the lifetime 1/churn,
    undiscounted, counting the current period). churn in (0, 1): EUNDEFINED if 0.
    ARPA 100, margin 0.8, churn 0.05 → 1600."""
    f = "rtn_clv_simple"
    return _out(f, _real(arpa, f), _real(gross_margin, f), _real(churn, f))


def clv_discounted(margin, retention, discount):
    """Discounted CLV m·r / (1 + d − r): the present value of margin m at the end of every
    period retained (retention r ∈ [0, 1], discount d ≥ 0 per period). EUNDEFINED if r = 1 and
    d = 0. m = 100, r = 0.9, d = 0.1 → 450."""
    f = "rtn_clv_discounted"
    return _out(f, _real(margin, f), _real(retention, f), _real(discount, f))


def cac_payback(cac, arpa, gross_margin):
    """CAC payback period cac / (arpa × gross_margin), in periods. EUNDEFINED if arpa or the
    margin is 0. CAC 1200, ARPA 100, margin 0.8 → 15."""
    f = "rtn_clv_cac_payback"
    return _out(f, _real(cac, f), _real(arpa, f), _real(gross_margin, f))


def ltv_cac(ltv, cac):
    """LTV:CAC ratio ltv / cac (ltv of any sign, cac ≥ 0). EUNDEFINED if cac = 0."""
    f = "rtn_clv_ltv_cac"
    return _out(f, _real(ltv, f), _real(cac, f))
