"""Customer retention and churn rates, Wilson intervals, and revenue churn (retention/rates.h).

Rates are fractions (0.1 = 10 %). Counts are integers in [0, 2**64 − 1]; money amounts are
per-period magnitudes in one currency, finite and ≥ 0. Every function raises RetentionError with
the C library's code: EUNDEFINED for a zero denominator, EDOMAIN for a value outside its domain
(NaN and infinities included), EOVERFLOW for a result too large for a double.
"""
from dataclasses import astuple, dataclass

from ._lib import _out, _real, _uint


@dataclass(frozen=True)
class Interval:
    """A two-sided confidence interval; unpacks as ``low, high``."""

    low: float
    high: float

    def __iter__(self):
        return iter(astuple(self))


# ---- customers --------------------------------------------------------------------------------
def retention_rate(start, end, acquired):
    """Customer retention rate CRR = (E − N) / S, in [0, 1].

    ``start`` S customers at the period's start, ``end`` E at its end, ``acquired`` N acquired
    during it. EUNDEFINED if S = 0; EDOMAIN if E < N or E − N > S. 1000, 950, 50 → 0.9.
    """
    f = "rtn_retention_rate"
    return _out(f, _uint(start, f), _uint(end, f), _uint(acquired, f))


def churn_rate_start(start, lost):
    """Start-based churn: lost / S, in [0, 1]. EUNDEFINED if S = 0; EDOMAIN if lost > S.
    1000 customers of whom 100 left (1000 → 900, none acquired): 0.1."""
    f = "rtn_churn_rate_start"
    return _out(f, _uint(start, f), _uint(lost, f))


def churn_rate_average(start, end, lost):
    """Average-based churn: lost / ((S + E) / 2), ≥ 0 (may exceed 1). EUNDEFINED if S + E = 0."""
    f = "rtn_churn_rate_average"
    return _out(f, _uint(start, f), _uint(end, f), _uint(lost, f))


def churn_rate_customer_days(churned, customer_days, period_days):
    """Customer-days churn: churned / customer_days × period_days, churn per customer per
    period of ``period_days`` days (30 for monthly). EUNDEFINED if customer_days = 0; EDOMAIN if
    customer_days < 0 or period_days ≤ 0 or either is not finite. 30 churns, 27 000 customer-days,
    30-day period → 0.0333…."""
    f = "rtn_churn_rate_customer_days"
    return _out(f, _uint(churned, f), _real(customer_days, f), _real(period_days, f))


def churn_rate_convert(rate, periods):
    """Churn over another period length at a constant rate: 1 − (1 − rate)^periods, in [0, 1].
    Monthly → annual: periods = 12 (2 % → 21.53 %); annual → monthly: periods = 1/12.
    EDOMAIN if rate ∉ [0, 1] or periods ≤ 0 or not finite."""
    f = "rtn_churn_rate_convert"
    return _out(f, _real(rate, f), _real(periods, f))


def churn_lifetime(churn):
    """Expected lifetime 1 / churn, in periods. EUNDEFINED if churn = 0 (infinite lifetime);
    EDOMAIN if churn < 0, churn ≥ 1 or not finite; EOVERFLOW for a subnormal churn."""
    f = "rtn_churn_lifetime"
    return _out(f, _real(churn, f))


def wilson_interval(k, n, confidence=0.95):
    """Wilson score interval for k successes of n trials, as Interval(low, high) in [0, 1].

    With z the two-sided normal quantile of ``confidence`` and p = k/n:
    centre = (p + z²/2n) / (1 + z²/n), half = z / (1 + z²/n) · sqrt(p(1 − p)/n + z²/4n²).
    EINVAL if confidence ∉ (0, 1); EUNDEFINED if n = 0; EDOMAIN if k > n.
    """
    f = "rtn_rate_wilson_interval"
    return Interval(*_out(f, _uint(k, f), _uint(n, f), _real(confidence, f), outputs=2))


# ---- revenue ----------------------------------------------------------------------------------
def revenue_churn_gross(start, churned, contraction):
    """Gross revenue churn (churned + contraction) / start, in [0, 1].
    EUNDEFINED if start = 0; EDOMAIN if churned + contraction > start or an amount is < 0."""
    f = "rtn_revenue_churn_gross"
    return _out(f, _real(start, f), _real(churned, f), _real(contraction, f))


def revenue_churn_net(start, churned, contraction, expansion=0.0, reactivation=0.0):
    """Net revenue churn (churned + contraction − expansion − reactivation) / start; negative
    when gains outweigh losses: start 275 000 with expansion 30 000 → −0.10909…."""
    f = "rtn_revenue_churn_net"
    return _out(f, _real(start, f), _real(churned, f), _real(contraction, f),
                _real(expansion, f), _real(reactivation, f))


def revenue_nrr(start, churned, contraction, expansion):
    """Net revenue retention (start + expansion − contraction − churned) / start, ≥ 0
    (reactivation is not part of it)."""
    f = "rtn_revenue_nrr"
    return _out(f, _real(start, f), _real(churned, f), _real(contraction, f), _real(expansion, f))


def revenue_grr(start, churned, contraction):
    """Gross revenue retention (start − contraction − churned) / start, in [0, 1]."""
    f = "rtn_revenue_grr"
    return _out(f, _real(start, f), _real(churned, f), _real(contraction, f))


def revenue_quick_ratio(new_revenue, expansion, churned, contraction):
    """SaaS quick ratio (new + expansion) / (churned + contraction): gains first, then losses.
    EUNDEFINED if churned + contraction = 0."""
    f = "rtn_revenue_quick_ratio"
    return _out(f, _real(new_revenue, f), _real(expansion, f), _real(churned, f),
                _real(contraction, f))


def arpa(revenue, accounts):
    """Average revenue per account: revenue / accounts. EUNDEFINED if accounts = 0."""
    f = "rtn_revenue_arpa"
    return _out(f, _real(revenue, f), _uint(accounts, f))
