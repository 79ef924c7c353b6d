"""Customer survival: Kaplan-Meier curves and log-rank tests (retention/survival.h).

**Data.** Subject i (a customer) is observed from its entry time (0, or entry[i] under left
truncation) to duration[i] ≥ 0, when it either churned (event[i] = 1 or True) or was still a
customer when observation stopped (event[i] = 0, right-censored); weight[i] ≥ 0 is a case weight
(weight 2 counts as two identical subjects; 0 leaves the subject out). Times are in the caller's
units (days, say) and tie only when exactly equal as doubles, unless ``tie_tolerance`` τ > 0
merges each time within τ of the first time of its group into that group.

**Kaplan-Meier** (the numbers of R's ``survfit(..., robust = FALSE)``), at the distinct times
t_1 < t_2 < … at which some subject leaves:
n_j = (weighted) subjects at risk at t_j (entry < t_j ≤ duration), d_j = (weighted) events at t_j,
S(t) = Π_{t_j ≤ t} (1 − d_j / n_j), Greenwood G(t) = Σ_{t_j ≤ t} d_j / (n_j (n_j − d_j)) (the
variance of log S), std_err = S √G (NaN once S = 0). Bounds at level c, z = Φ⁻¹((1 + c) / 2):
"log" (R's default) S · exp(∓ z √G), upper capped at 1; "log-log" (lifelines' default)
exp(−exp(log(−log S) ± z √G / log S)), NaN where S is 0 or 1; "plain" S ∓ z · std_err clipped to
[0, 1]; every bound is NaN where S = 0 (R's NA).

**Undefined is NaN, never an exception, in a curve's results**: a bound where S = 0, a quantile
the curve never reaches (the median of a curve that stays above 0.5: R's NA) and its limits are
NaN, as censored cells are NaN in a CohortTable. Errors in the *input* raise RetentionError.

**Mergeable state.** A KMBuilder keeps, per distinct time, the numbers (and weight sums) of
events, censorings and entries: builders of any partition of the subjects merge into exactly the
builder of all of them (merge(); counts add, weight sums are double-double), and to_bytes() /
from_bytes() (also pickle) carry one across processes and machines ("RTNKMBLD" version 1,
little-endian, FNV-1a checksum; see survival.h).

**Log-rank** (G-rho family, R's ``survdiff(..., rho)``): at each event time, with pooled weight
w_j = S(t_j−)^rho (rho = 0: log-rank; 1: Peto & Peto), O_g = Σ w_j d_gj, E_g = Σ w_j d_j n_gj /
n_j, V_gh = Σ w_j² d_j (n_j − d_j) / (n_j − 1) · (n_gj / n_j)(δ_gh − n_hj / n_j); chisq =
(O − E)ᵀ V⁻ (O − E) over the groups with E_g > 0 but one, df = their number − 1, p_value =
P(χ²_df ≥ chisq).

Columns: C-contiguous float64 durations, entries, weights and times, uint8 (or bool) event flags
and uint64 counts go to C without a copy; anything else is checked and converted once (an event
flag or count that is not a whole number in range raises RetentionError EDOMAIN with
``bad_index``; non-numbers raise TypeError). Handles are released by close(), by leaving a
``with`` block, or at garbage collection; a closed object raises RetentionError (EINVAL) when
used. One thread at a time per builder; a curve's methods may run concurrently.
"""
import ctypes
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ._lib import (EINVAL, RetentionError, _call, _column, _dp, _km_builder_p, _km_p, _real,
                   _to_bytes, lib)
from .cohort import _Owned, _same_length

#: Confidence-interval types by name (rtn_conf_type).
CONF_TYPES = {"log": 0, "log-log": 1, "plain": 2}
_CONF_LEVEL, _CONF_TYPE, _TIE_TOLERANCE = range(3)  # rtn_km_param
# rtn_km_column_id, in the enum's order
_COLUMNS = ("time", "at_risk", "events", "censored", "survival", "std_err", "lower", "upper",
            "greenwood")
# rtn_logrank's documented limit on k; checked here too so that a column of a million distinct
# labels fails with EINVAL rather than by allocating a million-squared variance matrix
_MAX_GROUPS = 1024


class SurvivalAt(NamedTuple):
    """S(t) with its confidence bounds (floats for a scalar t, else arrays shaped like t)."""

    survival: Any
    lower: Any
    upper: Any


class Quantile(NamedTuple):
    """A lifetime quantile and its confidence limits, in time units; NaN where undefined."""

    time: Any
    lower: Any
    upper: Any


class Rmst(NamedTuple):
    """Restricted mean survival time ∫₀^τ S(t) dt (time units) and its standard error."""

    rmst: float
    std_err: float


@dataclass(frozen=True, eq=False)
class LogRankResult:
    """A G-rho test that k groups have the same survival.

    ``groups``: the k labels (in the order of the other arrays); ``observed``, ``expected``: O_g
    and E_g (k floats); ``variance``: V (k × k); ``chisq``, ``df``, ``p_value``: the statistic,
    its degrees of freedom and P(χ²_df ≥ chisq); ``rho``: the G-rho parameter used.
    """

    chisq: float
    df: int
    p_value: float
    groups: np.ndarray
    observed: np.ndarray
    expected: np.ndarray
    variance: np.ndarray
    rho: float


# ---- arguments --------------------------------------------------------------------------------
def _conf_type(name, function):
    """The rtn_conf_type of a name; RetentionError(EINVAL) for anything else."""
    if not isinstance(name, str) or name not in CONF_TYPES:
        raise RetentionError(EINVAL, function, detail="unknown conf_type %r (one of %s)"
                             % (name, ", ".join(CONF_TYPES)))
    return CONF_TYPES[name]


def _flags(event, function):
    """Event flags as (uint8 array, pointer): a bool array is viewed as its 0/1 bytes (no copy);
    anything else goes through _column (whole numbers 0 … 255 there, 0/1 checked by C)."""
    array = event if isinstance(event, np.ndarray) else np.asarray(event)
    if array.dtype == np.bool_:
        array = np.ascontiguousarray(array).reshape(-1).view(np.uint8)
    return _column(array, np.uint8, function)


def _subjects(function, duration, event, entry=None, weight=None):
    """The columns of a subjects call: (the arrays, which the caller keeps alive during the call;
    the pointers duration, event, entry, weight, None for an absent column; n). EINVAL for
    columns of different lengths."""
    durations, duration_p = _column(duration, np.float64, function)
    flags, event_p = _flags(event, function)
    arrays, pointers = [("duration", durations), ("event", flags)], [duration_p, event_p]
    for name, values in (("entry", entry), ("weight", weight)):
        pointer = None
        if values is not None:
            array, pointer = _column(values, np.float64, function)
            arrays.append((name, array))
        pointers.append(pointer)
    _same_length(arrays, function)
    return arrays, pointers, durations.size


# ---- the builder ------------------------------------------------------------------------------
class KMBuilder(_Owned):
    """The mergeable state of a Kaplan-Meier curve (an rtn_km_builder).

    ``conf_level``: the level c of the confidence bounds, 0 < c < 1 (default 0.95);
    ``conf_type``: "log" (default, R's), "log-log" (lifelines') or "plain"; ``tie_tolerance``:
    τ ≥ 0, finite (default 0: exact ties). All three are properties, may change at any time and
    take effect at curve(); a bad value raises RetentionError EINVAL.

    Feed it with add() (subjects) and add_counts() (pre-counted tables), combine partial
    builders with merge(), carry them with to_bytes()/from_bytes() or pickle, and compute the
    curve with curve() (the builder is unchanged and can take more data afterwards).
    """

    _free = "rtn_km_builder_free"

    def __init__(self, conf_level=0.95, conf_type="log", tie_tolerance=0.0):
        self._handle = None
        handle = _km_builder_p()
        _call("rtn_km_builder_create", ctypes.byref(handle), None)
        self._handle = handle
        try:
            self.set(conf_level=conf_level, conf_type=conf_type, tie_tolerance=tie_tolerance)
        except BaseException:
            self.close()
            raise

    # -- parameters
    def _get(self, param):
        f = "rtn_km_builder_get"
        value = ctypes.c_double()
        _call(f, self._live(f), param, ctypes.byref(value))
        return value.value

    def set(self, *, conf_level=None, conf_type=None, tie_tolerance=None):
        """Sets the given parameters (None leaves one unchanged): all of them, or, on
        RetentionError (EINVAL for a value out of range) or TypeError, none. Returns the
        builder."""
        f = "rtn_km_builder_set"
        handle = self._live(f)
        steps = []
        if conf_level is not None:
            steps.append((_CONF_LEVEL, _real(conf_level, f)))
        if conf_type is not None:
            steps.append((_CONF_TYPE, float(_conf_type(conf_type, f))))
        if tie_tolerance is not None:
            steps.append((_TIE_TOLERANCE, _real(tie_tolerance, f)))
        before = [(param, self._get(param)) for param, _ in steps]
        try:
            for param, value in steps:
                _call(f, handle, param, value)
        except BaseException:
            for param, value in before:  # values the library accepted once: cannot fail
                lib.rtn_km_builder_set(handle, param, value)
            raise
        return self

    @property
    def conf_level(self):
        """The confidence level c of the bounds, 0 < c < 1."""
        return self._get(_CONF_LEVEL)

    @conf_level.setter
    def conf_level(self, value):
        self.set(conf_level=value)

    @property
    def conf_type(self):
        """"log", "log-log" or "plain"."""
        code = self._get(_CONF_TYPE)
        return next(name for name, value in CONF_TYPES.items() if value == code)

    @conf_type.setter
    def conf_type(self, value):
        self.set(conf_type=value)

    @property
    def tie_tolerance(self):
        """τ ≥ 0: times within τ of the first time of their group tie (0: exact equality)."""
        return self._get(_TIE_TOLERANCE)

    @tie_tolerance.setter
    def tie_tolerance(self, value):
        self.set(tie_tolerance=value)

    # -- data
    def add(self, duration, event, entry=None, weight=None):
        """Adds subjects: duration[i] (finite, ≥ 0) ending in an event (event[i] = 1/True) or a
        censoring (0/False); entered at entry[i] (None: all at risk from the start; else finite,
        0 ≤ entry[i] < duration[i], at risk for entry < t ≤ duration), of weight weight[i] (None:
        all 1; else finite, ≥ 0). Columns of equal length, any order. Nothing is added if an
        error is raised: EINVAL for columns of different lengths; EDOMAIN (bad_index) for a bad
        duration, flag, entry or weight; EOVERFLOW past 2**64 subjects or DBL_MAX of weight.
        Returns the builder."""
        f = "rtn_km_builder_add"
        handle = self._live(f)
        _arrays, pointers, n = _subjects(f, duration, event, entry, weight)
        bad = ctypes.c_size_t()
        _call(f, handle, *pointers, n, ctypes.byref(bad), bad_index=bad)
        return self

    def add_counts(self, time, events, censored, entered=None):
        """Adds a pre-counted table: at time[i] (finite, ≥ 0), events[i] subjects had the event,
        censored[i] were censored and entered[i] entered the risk set (at risk from just after
        time[i]). Counts are whole numbers in [0, 2**64 − 1]. With ``entered`` None every subject
        of the call was at risk from the start; with it, none was, and curve() checks that the
        entries (of all calls) cover the exits (EUNDEFINED otherwise). Times may repeat, any
        order. Errors as add(). Returns the builder."""
        f = "rtn_km_builder_add_counts"
        handle = self._live(f)
        times, time_p = _column(time, np.float64, f)
        arrays, pointers = [("time", times)], [time_p]
        for name, values in (("events", events), ("censored", censored), ("entered", entered)):
            pointer = None
            if values is not None:
                array, pointer = _column(values, np.uint64, f)
                arrays.append((name, array))
            pointers.append(pointer)
        _same_length(arrays, f)
        bad = ctypes.c_size_t()
        _call(f, handle, *pointers, times.size, ctypes.byref(bad), bad_index=bad)
        return self

    def merge(self, other):
        """Adds ``other``'s state into this builder, which becomes exactly the builder of both
        inputs; this builder's parameters are kept, ``other`` is unchanged. EINVAL for merging a
        builder into itself; EOVERFLOW. Returns the builder."""
        f = "rtn_km_builder_merge"
        if not isinstance(other, KMBuilder):
            raise TypeError("merge: expected a KMBuilder, got %r" % type(other).__name__)
        _call(f, self._live(f), other._live(f))
        return self

    def to_bytes(self):
        """The builder's state in the library's versioned, little-endian format ("RTNKMBLD",
        version 1, FNV-1a checksum; see survival.h), for from_bytes(). Equal states give equal
        bytes."""
        f = "rtn_km_builder_serialize"
        return _to_bytes(f, self._live(f))

    @classmethod
    def from_bytes(cls, data):
        """A builder re-created from to_bytes()'s output (bytes, bytearray, memoryview or a uint8
        array), parameters included, fully validated: RetentionError ECORRUPT for a truncated or
        corrupt buffer, EVERSION for another format version."""
        f = "rtn_km_builder_deserialize"
        if isinstance(data, (bytes, bytearray, memoryview)):
            data = np.frombuffer(data, dtype=np.uint8)
        array, pointer = _column(data, np.uint8, f)
        handle = _km_builder_p()
        _call(f, ctypes.byref(handle), pointer, array.size, None)
        builder = cls.__new__(cls)
        builder._handle = handle
        return builder

    def __reduce__(self):
        return (type(self).from_bytes, (self.to_bytes(),))

    def copy(self):
        """An independent copy of the builder."""
        return self.from_bytes(self.to_bytes())

    def curve(self):
        """The KaplanMeier curve of everything added so far. EUNDEFINED when no subject leaves
        (no data), when the risk set empties while subjects are still to enter (left truncation
        with a gap), or when a pre-counted table has more subjects leaving than at risk;
        EOVERFLOW for weights more than about 10**30 apart."""
        f = "rtn_km_builder_finish"
        handle = self._live(f)
        conf = self.conf_level, self.conf_type  # read first: nothing may fail once km is owned
        km = _km_p()
        _call(f, handle, ctypes.byref(km))
        return KaplanMeier._own(km, *conf)

    def __repr__(self):
        if self.closed:
            return "<KMBuilder (closed)>"
        return "KMBuilder(conf_level=%r, conf_type=%r, tie_tolerance=%r)" % (
            self.conf_level, self.conf_type, self.tie_tolerance)


# ---- the curve --------------------------------------------------------------------------------
def _column_property(name, doc):
    return property(lambda self: self._read(name), doc=doc)


def _quantile(handle, p):
    """[time, lower, upper] of rtn_km_quantile (NaN where undefined)."""
    out = [ctypes.c_double() for _ in Quantile._fields]
    _call("rtn_km_quantile", handle, p, *(ctypes.byref(o) for o in out))
    return [o.value for o in out]


class KaplanMeier(_Owned):
    """A Kaplan-Meier curve (an rtn_km): one row per distinct time at which subjects leave.

    Columns (read-only float64 arrays, read from the library on first use): ``time`` (t_j,
    increasing), ``at_risk`` (n_j), ``events`` (d_j), ``censored`` (weighted counts),
    ``survival`` (S(t_j)), ``std_err`` (S √G, NaN where S = 0), ``lower``/``upper`` (the
    confidence bounds, NaN where undefined), ``greenwood`` (G(t_j), +inf once S = 0). len() is
    the number of rows; ``conf_level`` and ``conf_type`` are those the curve was made with.
    """

    _free = "rtn_km_free"

    def __init__(self):
        raise TypeError("a KaplanMeier comes from KMBuilder.curve() or kaplan_meier()")

    @classmethod
    def _own(cls, handle, conf_level, conf_type):
        km = cls.__new__(cls)
        km._handle, km._cache, km._conf = handle, {}, (conf_level, conf_type)
        try:
            rows = ctypes.c_size_t()
            _call("rtn_km_size", handle, ctypes.byref(rows))
        except BaseException:
            km.close()
            raise
        km._rows = rows.value
        return km

    def __len__(self):
        return self._rows

    # the library keeps them inside the curve but has no accessor: the Python side remembers
    conf_level = property(lambda self: self._conf[0], doc="The level c of the bounds.")
    conf_type = property(lambda self: self._conf[1], doc='"log", "log-log" or "plain".')

    def _read(self, name):
        """Reads (and caches) one column."""
        f = "rtn_km_column"
        handle = self._live(f)
        if name not in self._cache:
            array = np.empty(self._rows)
            _call(f, handle, _COLUMNS.index(name), array.ctypes.data_as(_dp), array.size)
            array.setflags(write=False)
            self._cache[name] = array
        return self._cache[name]

    time = _column_property("time", "t_j: the distinct times at which subjects leave.")
    at_risk = _column_property("at_risk", "n_j: (weighted) subjects at risk at t_j.")
    events = _column_property("events", "d_j: (weighted) events at t_j.")
    censored = _column_property("censored", "(Weighted) censorings at t_j.")
    survival = _column_property("survival", "S(t_j) = Π_{t_i ≤ t_j} (1 − d_i / n_i).")
    std_err = _column_property("std_err", "S √G, the standard error of S (NaN where S = 0).")
    lower = _column_property("lower", "Lower confidence bound of S (NaN where undefined).")
    upper = _column_property("upper", "Upper confidence bound of S (NaN where undefined).")
    greenwood = _column_property("greenwood", "G(t_j) = Σ d_i / (n_i (n_i − d_i)), the "
                                 "variance of log S (+inf once S = 0).")

    def survival_at(self, t):
        """S and its bounds at arbitrary finite times ``t`` (a number, or an array of any shape):
        the values of the last row with time ≤ t (the last row's past the end), and S = 1 with
        bounds [1, 1] before the first time (R's summary(fit, times, extend = TRUE)). Returns
        SurvivalAt(survival, lower, upper): floats for a scalar, arrays shaped like ``t``
        otherwise. EDOMAIN (bad_index, in C order) for a NaN or infinite time."""
        f = "rtn_km_survival_at"
        handle = self._live(f)
        times, pointer = _column(t, np.float64, f)
        out = [np.empty(times.size) for _ in SurvivalAt._fields]
        bad = ctypes.c_size_t()
        _call(f, handle, pointer, times.size, *(a.ctypes.data_as(_dp) for a in out),
              ctypes.byref(bad), bad_index=bad)
        if np.ndim(t) == 0:
            return SurvivalAt(*(float(a[0]) for a in out))
        return SurvivalAt(*(a.reshape(np.shape(t)) for a in out))

    def quantile(self, p):
        """The p-quantile of the lifetime, 0 ≤ p ≤ 1: the time by which a share p of subjects has
        left, with R's rule (quantile.survfit): the first t_j with 1 − S(t_j) ≥ p, or, where
        1 − S equals p (to √ε) on a flat stretch, the midpoint between that stretch's first time
        and the next drop. Its limits are the same rule on the lower and upper bound curves.
        Returns Quantile(time, lower, upper), each NaN where its curve never falls that far (R's
        NA): floats for a scalar p, arrays shaped like p otherwise. EINVAL for p outside [0, 1]
        or NaN."""
        f = "rtn_km_quantile"
        handle = self._live(f)
        if np.ndim(p) == 0:
            return Quantile(*_quantile(handle, _real(p, f)))
        ps, _ = _column(p, np.float64, f)
        rows = np.array([_quantile(handle, x) for x in ps.tolist()]).reshape(-1, 3)
        return Quantile(*(rows[:, i].reshape(np.shape(p)) for i in range(3)))

    def median(self):
        """quantile(0.5): the median lifetime with its confidence limits (NaN where undefined)."""
        return self.quantile(0.5)

    def rmst(self, horizon):
        """Restricted mean survival time up to ``horizon`` τ (finite, ≥ 0): ∫₀^τ S(t) dt, the
        expected lifetime capped at τ, in time units (S carried forward past the last time),
        with R's standard error (survmean): √ Σ_{t_j ≤ τ} A_j² d_j / (n_j (n_j − d_j)),
        A_j = ∫_{t_j}^τ S. Returns Rmst(rmst, std_err). EINVAL for a bad horizon; EOVERFLOW when
        the area overflows."""
        f = "rtn_km_rmst"
        handle = self._live(f)
        area, se = ctypes.c_double(), ctypes.c_double()
        _call(f, handle, _real(horizon, f), ctypes.byref(area), ctypes.byref(se))
        return Rmst(area.value, se.value)

    def to_frame(self):
        """A pandas DataFrame with the columns time, at_risk, events, censored, survival,
        std_err, lower, upper (one row per time). ImportError if pandas is not installed."""
        try:
            import pandas as pd
        except ImportError as error:
            raise ImportError("KaplanMeier.to_frame() needs pandas, which is not installed "
                              "(pip install pandas, or apt-get install python3-pandas); the "
                              "curve's numpy arrays (.time, .survival, …) need nothing"
                              ) from error
        return pd.DataFrame({name: np.array(self._read(name)) for name in _COLUMNS[:8]})

    def __repr__(self):
        if self.closed:
            return "<KaplanMeier (closed)>"
        return "<KaplanMeier %d rows, %g %s bounds>" % (self._rows, self.conf_level,
                                                        self.conf_type)


def kaplan_meier(duration, event, entry=None, weight=None, conf_level=0.95, conf_type="log",
                 tie_tolerance=0.0):
    """The KaplanMeier curve of one set of subjects: KMBuilder(conf_level, conf_type,
    tie_tolerance).add(duration, event, entry, weight).curve(), or, for right-censored,
    unweighted subjects with exact ties, the library's one call rtn_km_build(). Arguments and
    errors as KMBuilder's; EUNDEFINED for no subjects."""
    if entry is None and weight is None and _real(tie_tolerance, "rtn_km_build") == 0.0:
        f = "rtn_km_build"
        _arrays, (duration_p, event_p, _, _), n = _subjects(f, duration, event)
        km, bad = _km_p(), ctypes.c_size_t()
        _call(f, duration_p, event_p, n, _conf_type(conf_type, f), _real(conf_level, f),
              ctypes.byref(km), ctypes.byref(bad), bad_index=bad)
        return KaplanMeier._own(km, float(conf_level), conf_type)
    with KMBuilder(conf_level, conf_type, tie_tolerance) as builder:
        return builder.add(duration, event, entry, weight).curve()


# ---- log-rank ---------------------------------------------------------------------------------
def _logrank(function, leading, labels, rho, bad=None):
    """Calls rtn_logrank or rtn_logrank_columns (arguments before rho: ``leading``) for the
    groups ``labels`` and wraps the outputs."""
    k = len(labels)
    if k > _MAX_GROUPS:
        raise RetentionError(EINVAL, function, detail="%d groups, at most %d" % (k, _MAX_GROUPS))
    rho = _real(rho, function)
    observed, expected, variance = np.empty(k), np.empty(k), np.empty((k, k))
    chisq, df, p_value = ctypes.c_double(), ctypes.c_uint32(), ctypes.c_double()
    tail = (ctypes.byref(bad),) if bad is not None else ()
    _call(function, *leading, rho, *(a.ctypes.data_as(_dp) for a in (observed, expected, variance)),
          ctypes.byref(chisq), ctypes.byref(df), ctypes.byref(p_value), *tail, bad_index=bad)
    return LogRankResult(chisq.value, df.value, p_value.value, labels, observed, expected,
                         variance, rho)


def logrank(duration, event, group, rho=0.0):
    """The G-rho test (rho = 0: log-rank; 1: Peto & Peto) that the groups of right-censored,
    unweighted subjects have the same survival: survdiff(Surv(duration, event) ~ group, rho).
    ``group``: one label per subject (strings, ints, …); the groups are the distinct labels in
    sorted order (np.unique), reported as LogRankResult.groups. EINVAL for fewer than two or
    more than 1024 distinct labels, columns of different lengths, or rho < 0 or not finite;
    EDOMAIN (bad_index) as KMBuilder.add(); EUNDEFINED when fewer than two groups have expected
    events or V is singular."""
    f = "rtn_logrank_columns"
    arrays, (duration_p, event_p, _, _), n = _subjects(f, duration, event)
    labels, codes = np.unique(np.asarray(group).reshape(-1), return_inverse=True)
    codes = np.ascontiguousarray(codes, dtype=np.uint32)  # < k, which _logrank keeps ≤ 1024
    _same_length(arrays + [("group", codes)], f)
    group_p = codes.ctypes.data_as(ctypes.POINTER(ctypes.c_uint32))
    leading = (duration_p, event_p, group_p, n, len(labels))
    return _logrank(f, leading, labels, rho, ctypes.c_size_t())


def logrank_builders(builders, rho=0.0):
    """The G-rho test of groups given as KMBuilders (built and merged anywhere; weights act as
    case weights, entry times shrink the risk sets; tie tolerances are ignored): rtn_logrank.
    ``builders``: a sequence of builders (groups labelled 0 … k−1) or a mapping label →
    builder. Errors as logrank(); EINVAL also for a builder given twice; TypeError for
    something that is not a KMBuilder."""
    f = "rtn_logrank"
    if isinstance(builders, Mapping):
        labels, builders = np.array(list(builders.keys())), list(builders.values())
    else:
        builders = list(builders)
        labels = np.arange(len(builders))
    for builder in builders:
        if not isinstance(builder, KMBuilder):
            raise TypeError("logrank_builders: expected KMBuilders, got %r"
                            % type(builder).__name__)
    handles = (_km_builder_p * len(builders))(*(b._live(f) for b in builders))
    return _logrank(f, (handles, len(builders)), labels, rho)
