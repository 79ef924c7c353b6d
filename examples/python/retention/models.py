"""Lifetime-value models: sBG contract renewals, RFM summaries of purchase logs, the BG/NBD and
Pareto/NBD models of repeat purchases and the Gamma-Gamma model of spend (retention/models.h,
retention/pareto_nbd.h).

**sBG** (shifted-beta-geometric; Fader & Hardie 2007), for contracts renewed period by period:
each customer churns at the end of a period with a probability p drawn once from Beta(α, β).
``alive`` is a cohort's survivor counts: alive[0] customers start, alive[t] are still customers
at the start of period t. S(t) = B(α, β + t) / B(α, β); the retention rate of period t is
(β + t − 1) / (α + β + t − 1), rising with t (the sorting effect). DEL and DERL (Fader &
Hardie 2010) are the discounted expected lifetime and residual lifetime in payments of 1 per
period: multiply by the margin per period for money.

**RFM summary** of a purchase log, per customer whose first purchase is not after the
calibration end (purchases on the same day — or in the same builder period — merge into one):
``x`` = repeat purchase periods up to the calibration end, ``t_x`` = the time from the first
purchase to the last of those, ``T`` = the time from the first purchase to the calibration end
(both in ``unit``s: weeks or days), ``monetary`` = the mean value of the x repeat periods (0
when x = 0; the Gamma-Gamma input) and ``x_holdout`` = purchase periods after the calibration
end up to the holdout end. Built from the log in one call (rfm_summary()) or from a
CohortBuilder (rfm_from_builder()), whose partial builders of a partitioned log merge exactly.

**BG/NBD** (Fader, Hardie & Lee 2005): while alive, a customer buys at a Poisson rate λ ~
Gamma(r, α) and after each purchase drops out with probability p ~ Beta(a, b). Given (x, t_x,
T): ``p_alive`` (the probability of still being alive at T) and ``expected(t)`` (purchases
expected in (T, T + t]; needs a + b + x > 1); for a new customer, ``expected_new(t)`` = E[X(t)] and
``pmf(t)`` = P(X(t) = k). **Pareto/NBD** (Schmittlein, Morrison & Colombo 1987): the same
Poisson purchases, λ ~ Gamma(r, α), over an exponential lifetime of rate μ ~ Gamma(s, β);
``p_alive``, ``expected(t)``, ``expected_new(t)``, ``pmf(t)`` as for the BG/NBD, and ``dert(δ)``, the
discounted expected residual transactions at a continuous discount rate δ per time unit (a
rate d per period of k time units is δ = log(1 + d) / k). **Gamma-Gamma** (FHL 2005, "RFM and
CLV"): the value of each transaction is Gamma(p, ν) with ν ~ Gamma(q, γ) per customer;
``expected_spend(x, m)`` = (γ + m x) p / (p x + q − 1), needing q > 1. **clv()** combines the
BG/NBD and Gamma-Gamma: Σ_k spend · (E(k L) − E((k − 1) L)) / (1 + d)^k over ``periods``
periods of length L.

**Fits** maximise the likelihood (BFGS over the logs of the parameters) and return frozen
dataclasses: the parameters, their standard errors (NaN when the Hessian is not negative
definite) and the maximised log-likelihood. A fit that stops short of a maximum raises
RetentionError ENOCONV, never a half-fitted answer. A fit object (or a plain sequence of the
parameters, in the order of the literature) is what the ``*_loglik`` functions and clv() take;
a fit can be made from known parameters too: ``BgNbdFit(0.243, 4.414, 0.793, 2.426)``.

Columns: C-contiguous float64 x, t_x, T, monetary and weight columns (int64 ids and times,
datetime64[s] times) go to C without a copy; anything else is checked and converted once.
Prediction methods broadcast their arguments (numpy rules) and return an array of the broadcast
shape, or a float when every argument is a scalar; fits and log-likelihoods take columns of one
length (RetentionError EINVAL otherwise). RetentionError: EINVAL for a wrong number of
parameters, columns of different lengths or an empty input; EDOMAIN for a parameter that is not
finite and > 0, or a bad customer (x not a whole number ≥ 0, t_x outside [0, T], t_x > 0
exactly when x > 0, a negative weight, monetary ≤ 0 where x ≥ 1) with ``bad_index`` (C order
of the broadcast inputs); EUNDEFINED when the data cannot identify the model (nobody churned;
no repeat purchase); ENOCONV as above.
"""
import ctypes
from dataclasses import dataclass

import numpy as np

from ._lib import (EDOMAIN, EINVAL, EUNDEFINED, RetentionError, _call, _column, _int,
                   _no_index, _real, _rfm_p, lib)
from .cohort import CohortBuilder, _event_columns, _same_length, _time

_NAN = float("nan")
#: Time units of rfm_summary() by name, in days.
RFM_UNITS = {"day": 1.0, "week": 7.0}
# rtn_rfm_column_id, in the enum's order
_RFM_COLUMNS = ("x", "t_x", "T", "monetary", "x_holdout")
_SIZE_MAX = 2**64 - 1


# ---- arguments --------------------------------------------------------------------------------
def _params(params, names, function):
    """A model's parameters as a C double array: a fit of the model (its ``params``) or a
    sequence of len(names) reals. EINVAL for another number of parameters."""
    values = params.params if isinstance(params, _Fit) else params
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError("%s: expected the parameters (%s) as a sequence or a fit, got %r"
                        % (function, ", ".join(names), params))
    values = [_real(v, function) for v in values]
    if len(values) != len(names):
        raise RetentionError(EINVAL, function, detail="expected %d parameters (%s), got %d"
                             % (len(names), ", ".join(names), len(values)))
    return (ctypes.c_double * len(values))(*values)


def _columns(function, **columns):
    """Columns of one length as float64: (the arrays, kept alive by the caller; the pointers,
    None for a column given as None; n)."""
    arrays, pointers = [], []
    for name, values in columns.items():
        if values is None:
            pointers.append(None)
            continue
        array, pointer = _column(values, np.float64, function)
        arrays.append((name, array))
        pointers.append(pointer)
    _same_length(arrays, function)
    return arrays, pointers, arrays[0][1].size


def _broadcast(function, *values):
    """Arguments broadcast to one shape, as float64 columns: (shape, the arrays, the pointers).
    Arrays already of that shape (C-contiguous float64) are not copied."""
    arrays = [v if isinstance(v, np.ndarray) else np.asarray(v) for v in values]
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        raise RetentionError(EINVAL, function, detail="shapes %s do not broadcast"
                             % ", ".join(str(a.shape) for a in arrays)) from None
    columns = [_column(a if a.shape == shape else np.broadcast_to(a, shape), np.float64,
                       function) for a in arrays]
    return shape, [c[0] for c in columns], [c[1] for c in columns]


def _shaped(out, shape):
    return float(out[0]) if shape == () else out.reshape(shape)


def _pointer(array):
    return array.ctypes.data_as(ctypes.POINTER(ctypes.c_double))


def _map(function, compute, *args):
    """compute(*scalars) over the broadcast of ``args``: a float when every argument is a
    scalar, else an array of the broadcast shape. An EDOMAIN error at element i carries
    bad_index i (C order)."""
    if not any(isinstance(a, np.ndarray) or np.ndim(a) > 0 for a in args):
        return compute(*args)
    arrays = [a if isinstance(a, np.ndarray) else np.asarray(a) for a in args]
    try:
        arrays = np.broadcast_arrays(*arrays)
    except ValueError:
        raise RetentionError(EINVAL, function, detail="shapes %s do not broadcast"
                             % ", ".join(str(a.shape) for a in arrays)) from None
    out = np.empty(arrays[0].shape)
    flat = out.reshape(-1)
    for i, items in enumerate(zip(*(a.reshape(-1) for a in arrays))):
        items = [v.item() if isinstance(v, np.generic) else v for v in items]
        try:
            flat[i] = compute(*items)
        except RetentionError as error:
            if error.code != EDOMAIN or error.bad_index is not None:
                raise
            raise RetentionError(EDOMAIN, error.function, i) from None
    return out


def _count(value, function, bits=64):
    """A whole number in [0, 2**bits − 1] for a C unsigned parameter; EDOMAIN outside."""
    return _int(value, function, 0, 2**bits - 1, code=EDOMAIN)


class _Fit:
    """Shared by the fit dataclasses: ``params`` and ``se`` as tuples in the literature's order."""

    _names = ()
    _predict_function = None  # rtn_…_predict(params, x, t_x, T, n, horizon, p_alive, expected)

    def _predict(self, horizon, x, t_x, T, expected):
        f = self._predict_function
        params = _params(self, self._names, f)
        horizon = _real(horizon, f)
        shape, arrays, pointers = _broadcast(f, x, t_x, T)
        out = np.empty(arrays[0].size)
        bad = _no_index()
        outputs = (None, _pointer(out)) if expected else (_pointer(out), None)
        _call(f, params, *pointers, out.size, horizon, *outputs, ctypes.byref(bad),
              bad_index=bad)
        return _shaped(out, shape)

    @property
    def params(self):
        """The parameters, in the order of the literature (what the C functions take)."""
        return tuple(getattr(self, name) for name in self._names)

    @property
    def se(self):
        """Their standard errors (NaN when unknown)."""
        return tuple(getattr(self, "se_" + name) for name in self._names)


# ---- sBG --------------------------------------------------------------------------------------
def _cohort_counts(alive, function):
    """Survivor counts as (uint64 array of all cohorts one after another, size_t lengths).
    ``alive``: one cohort (a 1-D sequence of counts) or several (a sequence of sequences, or a
    2-D array whose rows are cohorts). bad_index (EDOMAIN) is the position in all counts."""
    if isinstance(alive, np.ndarray):
        cohorts = [alive] if alive.ndim <= 1 else list(alive.reshape(alive.shape[0], -1))
    else:
        if isinstance(alive, (str, bytes)) or not hasattr(alive, "__iter__"):
            raise TypeError("%s: expected survivor counts (a sequence, or a sequence of "
                            "sequences), got %r" % (function, alive))
        items = list(alive)
        nested = [np.ndim(item) > 0 for item in items]
        if any(nested) and not all(nested):
            raise TypeError("%s: expected one cohort (counts) or several (sequences of "
                            "counts), got a mixture" % function)
        cohorts = items if any(nested) or not items else [items]
    arrays, offset = [], 0
    for cohort in cohorts:
        try:
            array, _ = _column(cohort, np.uint64, function)
        except RetentionError as error:
            if error.bad_index is None:
                raise
            raise RetentionError(EDOMAIN, function, offset + error.bad_index,
                                 "a count is not a whole number >= 0") from None
        arrays.append(array)
        offset += array.size
    counts = arrays[0] if len(arrays) == 1 else np.concatenate(arrays or [np.empty(0, np.uint64)])
    lengths = (ctypes.c_size_t * len(arrays))(*(a.size for a in arrays))
    pointer = counts.ctypes.data_as(ctypes.POINTER(ctypes.c_uint64))
    return counts, pointer, lengths


@dataclass(frozen=True)
class SbgFit(_Fit):
    """A shifted-beta-geometric model: churn probability p ~ Beta(alpha, beta) per customer.

    From sbg_fit() (with standard errors and the log-likelihood) or from known parameters,
    ``SbgFit(0.668, 3.806)``. Methods take a number or an array (returning the same shape).
    """

    alpha: float
    beta: float
    se_alpha: float = _NAN
    se_beta: float = _NAN
    log_likelihood: float = _NAN
    _names = ("alpha", "beta")

    def survival(self, t):
        """S(t) = B(α, β + t) / B(α, β): the share still customers after t ≥ 0 periods (t
        real). EDOMAIN for t < 0 or not finite."""
        f = "rtn_sbg_survival"
        params = _params(self, self._names, f)

        def one(t):
            out = ctypes.c_double()
            _call(f, params, _real(t, f), ctypes.byref(out), None)
            return out.value

        return _map(f, one, t)

    def retention(self, t):
        """The retention rate of period t ≥ 1, S(t) / S(t − 1) = (β + t − 1) / (α + β + t − 1).
        EDOMAIN for t < 1 or not finite."""
        f = "rtn_sbg_survival"
        params = _params(self, self._names, f)

        def one(t):
            out = ctypes.c_double()
            _call(f, params, _real(t, f), None, ctypes.byref(out))
            return out.value

        return _map(f, one, t)

    def expected_lifetime(self, discount):
        """DEL: Σ_{t≥0} S(t) / (1 + d)^t, the discounted expected lifetime of a new customer in
        payments of 1 per period (the first one now, undiscounted); d > 0 per period
        (EDOMAIN otherwise; EOVERFLOW if not finite)."""
        f = "rtn_sbg_del"
        params = _params(self, self._names, f)

        def one(d):
            out = ctypes.c_double()
            _call(f, params, _real(d, f), 0, ctypes.byref(out), None)
            return out.value

        return _map(f, one, discount)

    def residual_lifetime(self, discount, renewals):
        """DERL: Σ_{t≥n+1} S(t) / S(n) / (1 + d)^(t−n−1), the discounted expected residual
        lifetime of a customer who has renewed n = ``renewals`` times (a whole number ≥ 0),
        the next payment undiscounted. Broadcasts over both arguments."""
        f = "rtn_sbg_del"
        params = _params(self, self._names, f)

        def one(d, n):
            out = ctypes.c_double()
            _call(f, params, _real(d, f), _count(n, f), None, ctypes.byref(out))
            return out.value

        return _map(f, one, discount, renewals)


def sbg_loglik(params, alive):
    """The sBG log-likelihood of ``params`` (alpha, beta) — a sequence or an SbgFit — for the
    survivor counts ``alive`` of one cohort or several (see sbg_fit()): Σ_t (alive[t−1] −
    alive[t]) log P(T = t) + alive[-1] log S(len − 1), summed over the cohorts. EINVAL for no
    cohort; EDOMAIN for a bad parameter, a cohort shorter than 2, a rising count or a first
    count of 0."""
    f = "rtn_sbg_loglik"
    p = _params(params, SbgFit._names, f)
    counts, pointer, lengths = _cohort_counts(alive, f)
    out = ctypes.c_double()
    _call(f, p, pointer, lengths, len(lengths), ctypes.byref(out))
    return out.value


def sbg_fit(alive):
    """Maximum-likelihood sBG fit of survivor counts: ``alive`` is one cohort (alive[0]
    customers start, alive[t] still customers at the start of period t; non-increasing, at least
    two counts, alive[0] > 0) or several cohorts (a sequence of such sequences, of any lengths,
    or a 2-D array with one cohort per row) sharing the parameters. Returns an SbgFit.
    EUNDEFINED when nobody churned, or when the likelihood has no interior maximum (everybody
    churned at once); ENOCONV; other errors as sbg_loglik() (bad_index: the position among all
    the counts, one cohort after another)."""
    f = "rtn_sbg_fit"
    counts, pointer, lengths = _cohort_counts(alive, f)
    params, se, ll = (ctypes.c_double * 2)(), (ctypes.c_double * 2)(), ctypes.c_double()
    _call(f, pointer, lengths, len(lengths), params, se, ctypes.byref(ll))
    return SbgFit(params[0], params[1], se[0], se[1], ll.value)


# ---- RFM summaries ----------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class RfmSummary:
    """One row per customer (in increasing id order), as read-only numpy arrays: ``customer``
    (int64 ids), ``x`` (repeat purchase periods), ``t_x`` (recency), ``T`` (age), ``monetary``
    (mean value of the repeat periods, 0 when x = 0) and ``x_holdout`` (purchase periods in the
    holdout), all float64 but the ids. See the module docstring."""

    customer: np.ndarray
    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    monetary: np.ndarray
    x_holdout: np.ndarray

    def __len__(self):
        return self.customer.size

    def to_frame(self):
        """A pandas DataFrame with columns x, t_x, T, monetary, x_holdout, indexed by the
        customer ids (named "customer"). ImportError if pandas is not installed."""
        try:
            import pandas as pd
        except ImportError as error:
            raise ImportError("RfmSummary.to_frame() needs pandas, which is not installed "
                              "(pip install pandas, or apt-get install python3-pandas); the "
                              "summary's numpy arrays (.x, .t_x, …) need nothing") from error
        index = pd.Index(np.array(self.customer), name="customer")
        return pd.DataFrame({name: np.array(getattr(self, name)) for name in _RFM_COLUMNS},
                            index=index)

    def __repr__(self):
        return "<RfmSummary %d customers, %d repeat purchase periods>" % (
            len(self), int(self.x.sum()))


def _read_rfm(handle):
    """The RfmSummary of a C summary, which is released (also on error)."""
    try:
        n = ctypes.c_size_t()
        _call("rtn_rfm_size", handle, ctypes.byref(n))
        ids = np.empty(n.value, dtype=np.int64)
        _call("rtn_rfm_customers", handle, ids.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)),
              ids.size)
        columns = {}
        for code, name in enumerate(_RFM_COLUMNS):
            column = np.empty(n.value)
            _call("rtn_rfm_column", handle, code, _pointer(column), column.size)
            columns[name] = column
    finally:
        lib.rtn_rfm_free(handle)
    for array in (ids, *columns.values()):
        array.setflags(write=False)
    return RfmSummary(ids, **columns)


def rfm_summary(customer, time, amount=None, calibration_end=None, holdout_end=None,
                unit="week"):
    """The RfmSummary of a purchase log: customer[i] (int64 ids) bought amount[i] (None: no
    amounts, monetary 0) at time[i] (int64 Unix seconds or datetime64; UTC days, so purchases
    on one day merge into one). ``calibration_end``: the last time of the calibration (an int,
    datetime64 or datetime; its whole day counts; None: the latest purchase); ``holdout_end``:
    the end of the holdout (its day counts; None: no holdout, x_holdout = 0). ``unit``: the
    unit of t_x and T, "week" (default) or "day", or a number of days. Customers whose first
    purchase is after the calibration end are left out.

    RetentionError: EINVAL for columns of different lengths, an unknown or non-positive unit or
    a holdout end before the calibration end; EDOMAIN (bad_index) for a time outside
    TIME_MIN … TIME_MAX or a NaN or infinite amount; EUNDEFINED when no customer started by the
    calibration end (an empty log)."""
    f = "rtn_rfm_build"
    if isinstance(unit, str):
        if unit not in RFM_UNITS:
            raise RetentionError(EINVAL, f, detail="unknown unit %r (one of %s, or a number of "
                                 "days)" % (unit, ", ".join(RFM_UNITS)))
        days = RFM_UNITS[unit]
    else:
        days = _real(unit, f)
    ids, ids_p, times, times_p, amounts_p = _event_columns(customer, time, amount, f)
    if calibration_end is None:
        if times.size == 0:
            raise RetentionError(EUNDEFINED, f, detail="no purchases")
        cal = int(times.max())
    else:
        cal = _time(calibration_end, f)
    hold = cal if holdout_end is None else _time(holdout_end, f)
    handle, bad = _rfm_p(), _no_index()
    _call(f, ids_p, times_p, amounts_p, ids.size, cal, hold, days, ctypes.byref(handle),
          ctypes.byref(bad), bad_index=bad)
    return _read_rfm(handle)


def rfm_from_builder(cohort_builder, calibration_end, holdout_end=None, periods_per_unit=1.0):
    """The RfmSummary of the customers in a CohortBuilder — for instance the merge of partial
    builders of a partitioned log, which gives exactly the summary of the whole log. Purchases
    merge per builder period (CohortBuilder(period="day") for the published BTYD summaries);
    t_x and T are in units of ``periods_per_unit`` builder periods (7 for weeks of days).
    ``calibration_end``, ``holdout_end`` (None: no holdout): times whose periods end the
    calibration and the holdout. The builder is unchanged.

    RetentionError: EINVAL for a closed builder, a holdout end before the calibration end or a
    ``periods_per_unit`` that is not finite and > 0; EDOMAIN for a time out of range;
    EUNDEFINED when no customer started by the calibration end."""
    f = "rtn_rfm_from_builder"
    if not isinstance(cohort_builder, CohortBuilder):
        raise TypeError("rfm_from_builder: expected a CohortBuilder, got %r"
                        % type(cohort_builder).__name__)
    handle = cohort_builder._live(f)
    cal = _time(calibration_end, f)
    hold = cal if holdout_end is None else _time(holdout_end, f)
    out = _rfm_p()
    _call(f, handle, cal, hold, _real(periods_per_unit, f), ctypes.byref(out))
    return _read_rfm(out)


# ---- BG/NBD -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class BgNbdFit(_Fit):
    """A BG/NBD model: purchase rate λ ~ Gamma(r, alpha), dropout probability after each
    purchase p ~ Beta(a, b). From bgnbd_fit() or from known parameters."""

    r: float
    alpha: float
    a: float
    b: float
    se_r: float = _NAN
    se_alpha: float = _NAN
    se_a: float = _NAN
    se_b: float = _NAN
    log_likelihood: float = _NAN
    _names = ("r", "alpha", "a", "b")

    _predict_function = "rtn_bgnbd_predict"

    def p_alive(self, x, t_x, T):
        """The probability that a customer with x repeat purchases, the last at t_x, and age T
        is still alive at T (1 when x = 0)."""
        return self._predict(0.0, x, t_x, T, expected=False)

    def expected(self, horizon, x, t_x, T):
        """The number of purchases expected in (T, T + horizon] from a customer with history
        (x, t_x, T); horizon ≥ 0 (a number). Needs a + b + x > 1 (EDOMAIN otherwise); ENOCONV for a
        horizon astronomically longer than alpha + T."""
        return self._predict(horizon, x, t_x, T, expected=True)

    def expected_new(self, t):
        """E[X(t)]: the purchases expected in (0, t] from a new customer (t ≥ 0, a number or an
        array); needs a + b > 1."""
        f = "rtn_bgnbd_new_customer"
        params = _params(self, self._names, f)

        def one(t):
            out = ctypes.c_double()
            _call(f, params, _real(t, f), ctypes.byref(out), None, 0)
            return out.value

        return _map(f, one, t)

    def pmf(self, t, kmax):
        """P(X(t) = k) for a new customer, k = 0 … kmax − 1, as an array (t ≥ 0 a number;
        kmax ≥ 1, EINVAL for 0). Any a > 0."""
        f = "rtn_bgnbd_new_customer"
        params = _params(self, self._names, f)
        t = _real(t, f)
        kmax = _int(kmax, f, 0, _SIZE_MAX)
        out = np.empty(kmax)
        _call(f, params, t, None, _pointer(out), kmax)
        return out


def bgnbd_loglik(params, x, t_x, T, weight=None):
    """The BG/NBD log-likelihood Σ_i w_i log L(x_i, t_x_i, T_i) of ``params`` (r, alpha, a, b)
    — a sequence or a BgNbdFit — (FHL 2005, eq. 6). ``weight``: None (all 1) or one weight ≥ 0
    per customer (rows with the same (x, t_x, T) may be merged and weighted)."""
    f = "rtn_bgnbd_loglik"
    p = _params(params, BgNbdFit._names, f)
    arrays, pointers, n = _columns(f, x=x, t_x=t_x, T=T, weight=weight)
    out, bad = ctypes.c_double(), _no_index()
    _call(f, p, *pointers, n, ctypes.byref(out), ctypes.byref(bad), bad_index=bad)
    return out.value


def bgnbd_fit(x, t_x, T, weight=None):
    """Maximum-likelihood BG/NBD fit of customers (x, t_x, T) — the columns of an RfmSummary,
    or grouped rows with a ``weight`` each. Returns a BgNbdFit. EUNDEFINED when no customer
    made a repeat purchase; ENOCONV; other errors as bgnbd_loglik()."""
    f = "rtn_bgnbd_fit"
    arrays, pointers, n = _columns(f, x=x, t_x=t_x, T=T, weight=weight)
    params, se = (ctypes.c_double * 4)(), (ctypes.c_double * 4)()
    ll, bad = ctypes.c_double(), _no_index()
    _call(f, *pointers, n, params, se, ctypes.byref(ll), ctypes.byref(bad), bad_index=bad)
    return BgNbdFit(*params, *se, ll.value)


# ---- Pareto/NBD -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ParetoNbdFit(_Fit):
    """A Pareto/NBD model: purchase rate λ ~ Gamma(r, alpha) while alive, lifetime exponential
    of rate μ ~ Gamma(s, beta). From pareto_nbd_fit() or from known parameters. alpha and beta
    are in the time unit of the data."""

    r: float
    alpha: float
    s: float
    beta: float
    se_r: float = _NAN
    se_alpha: float = _NAN
    se_s: float = _NAN
    se_beta: float = _NAN
    log_likelihood: float = _NAN
    _names = ("r", "alpha", "s", "beta")
    _predict_function = "rtn_pnbd_predict"

    def p_alive(self, x, t_x, T):
        """The probability that a customer with history (x, t_x, T) is still alive at T (1
        when t_x = T)."""
        return self._predict(0.0, x, t_x, T, expected=False)

    def expected(self, horizon, x, t_x, T):
        """The number of purchases expected in (T, T + horizon] (horizon ≥ 0, a number) from a
        customer with history (x, t_x, T). EOVERFLOW if too large for a double."""
        return self._predict(horizon, x, t_x, T, expected=True)

    def expected_new(self, t):
        """E[X(t)]: the purchases expected in (0, t] from a new customer (t ≥ 0, a number or an
        array)."""
        f = "rtn_pnbd_new_customer"
        params = _params(self, self._names, f)

        def one(t):
            out = ctypes.c_double()
            _call(f, params, _real(t, f), ctypes.byref(out))
            return out.value

        return _map(f, one, t)

    def pmf(self, t, kmax):
        """P(X(t) = k) for a new customer, k = 0 … kmax − 1, as an array (t ≥ 0 a number;
        kmax ≥ 1, EINVAL for 0): Fader & Hardie's 2006 note, one quadrature per value."""
        f = "rtn_pnbd_pmf"
        params = _params(self, self._names, f)
        t = _real(t, f)
        kmax = _int(kmax, f, 0, _SIZE_MAX)
        out = np.empty(kmax)
        _call(f, params, t, _pointer(out), kmax)
        return out

    def dert(self, delta, x, t_x, T):
        """Discounted expected residual transactions (FHL 2005, "RFM and CLV", eq. 2): the
        present value at T of one unit per future purchase, discounted continuously at rate
        ``delta`` > 0 per time unit (a number); multiply by the margin per purchase for a
        residual lifetime value. EDOMAIN for a bad delta or customer; EOVERFLOW."""
        f = "rtn_pnbd_dert"
        params = _params(self, self._names, f)
        delta = _real(delta, f)
        shape, arrays, pointers = _broadcast(f, x, t_x, T)
        out = np.empty(arrays[0].size)
        bad = _no_index()
        _call(f, params, *pointers, out.size, delta, _pointer(out), ctypes.byref(bad),
              bad_index=bad)
        return _shaped(out, shape)


def pareto_nbd_loglik(params, x, t_x, T, weight=None):
    """The Pareto/NBD log-likelihood Σ_i w_i log L(x_i, t_x_i, T_i) of ``params`` (r, alpha, s,
    beta) — a sequence or a ParetoNbdFit. Customers and weights as bgnbd_loglik(); EOVERFLOW
    if the weighted sum is not finite."""
    f = "rtn_pnbd_loglik"
    p = _params(params, ParetoNbdFit._names, f)
    arrays, pointers, n = _columns(f, x=x, t_x=t_x, T=T, weight=weight)
    out, bad = ctypes.c_double(), _no_index()
    _call(f, p, *pointers, n, ctypes.byref(out), ctypes.byref(bad), bad_index=bad)
    return out.value


def pareto_nbd_fit(x, t_x, T, weight=None):
    """Maximum-likelihood Pareto/NBD fit of customers (x, t_x, T), optionally grouped with a
    ``weight`` each. Returns a ParetoNbdFit. EUNDEFINED when no customer made a repeat
    purchase; ENOCONV; other errors as pareto_nbd_loglik()."""
    f = "rtn_pnbd_fit"
    arrays, pointers, n = _columns(f, x=x, t_x=t_x, T=T, weight=weight)
    params, se = (ctypes.c_double * 4)(), (ctypes.c_double * 4)()
    ll, bad = ctypes.c_double(), _no_index()
    _call(f, *pointers, n, params, se, ctypes.byref(ll), ctypes.byref(bad), bad_index=bad)
    return ParetoNbdFit(*params, *se, ll.value)


# ---- Gamma-Gamma ------------------------------------------------------------------------------
@dataclass(frozen=True)
class GammaGammaFit(_Fit):
    """A Gamma-Gamma model of spend per transaction: each value Gamma(p, ν), ν ~ Gamma(q,
    gamma) per customer. From gamma_gamma_fit() or from known parameters."""

    p: float
    q: float
    gamma: float
    se_p: float = _NAN
    se_q: float = _NAN
    se_gamma: float = _NAN
    log_likelihood: float = _NAN
    _names = ("p", "q", "gamma")

    def expected_spend(self, x, monetary):
        """E[Z | x, m] = (gamma + m x) p / (p x + q − 1): the expected value of a customer's
        future transactions given x repeat transactions of mean m (x = 0: the population mean
        gamma p / (q − 1)). Needs q > 1 (EDOMAIN otherwise)."""
        f = "rtn_gg_expected_spend"
        params = _params(self, self._names, f)
        shape, arrays, pointers = _broadcast(f, x, monetary)
        out = np.empty(arrays[0].size)
        bad = _no_index()
        _call(f, params, *pointers, out.size, _pointer(out), ctypes.byref(bad), bad_index=bad)
        return _shaped(out, shape)


def gamma_gamma_loglik(params, x, monetary, weight=None):
    """The Gamma-Gamma log-likelihood of ``params`` (p, q, gamma) — a sequence or a
    GammaGammaFit — for customers with x repeat transactions of mean value ``monetary``
    (customers with x = 0 carry no information and are skipped). EUNDEFINED when no customer
    has x ≥ 1; EDOMAIN for x not a whole number ≥ 0 or monetary ≤ 0 where x ≥ 1."""
    f = "rtn_gg_loglik"
    p = _params(params, GammaGammaFit._names, f)
    arrays, pointers, n = _columns(f, x=x, monetary=monetary, weight=weight)
    out, bad = ctypes.c_double(), _no_index()
    _call(f, p, *pointers, n, ctypes.byref(out), ctypes.byref(bad), bad_index=bad)
    return out.value


def gamma_gamma_fit(x, monetary, weight=None):
    """Maximum-likelihood Gamma-Gamma fit (the repeat buyers of the columns; x = 0 rows are
    skipped). Returns a GammaGammaFit. Errors as gamma_gamma_loglik(); ENOCONV."""
    f = "rtn_gg_fit"
    arrays, pointers, n = _columns(f, x=x, monetary=monetary, weight=weight)
    params, se = (ctypes.c_double * 3)(), (ctypes.c_double * 3)()
    ll, bad = ctypes.c_double(), _no_index()
    _call(f, *pointers, n, params, se, ctypes.byref(ll), ctypes.byref(bad), bad_index=bad)
    return GammaGammaFit(*params, *se, ll.value)


# ---- CLV --------------------------------------------------------------------------------------
def clv(bgnbd, gamma_gamma, x, t_x, T, monetary, discount, period_length, periods):
    """Customer lifetime value from BG/NBD purchases and Gamma-Gamma spend: Σ_{k=1}^{periods}
    spend · (E(k L) − E((k − 1) L)) / (1 + d)^k, with E(t) = bgnbd.expected(t, x, t_x, T),
    spend = gamma_gamma.expected_spend(x, monetary), L = ``period_length`` time units (the
    model's: e.g. 4.345 weeks for months) and d = ``discount`` ≥ 0 per period. Multiply by a
    margin for profit. ``bgnbd``, ``gamma_gamma``: fits or parameter sequences (a > 1 and q > 1
    needed). Customer arguments broadcast. EDOMAIN for d < 0, L ≤ 0, periods = 0 (or beyond
    2**32 − 1), bad parameters or customers."""
    f = "rtn_clv_bgnbd_gg"
    pb = _params(bgnbd, BgNbdFit._names, f)
    pg = _params(gamma_gamma, GammaGammaFit._names, f)
    discount, period_length = _real(discount, f), _real(period_length, f)
    periods = _count(periods, f, bits=32)
    shape, arrays, pointers = _broadcast(f, x, t_x, T, monetary)
    out = np.empty(arrays[0].size)
    bad = _no_index()
    _call(f, pb, pg, *pointers, out.size, discount, period_length, periods, _pointer(out),
          ctypes.byref(bad), bad_index=bad)
    return _shaped(out, shape)
