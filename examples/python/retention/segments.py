"""Comparing retention between segments, and the economics of retention (retention/segments.h).

A segment's retention is a binomial proportion: k of its n customers retained over a fixed
horizon (products bought 1 vs 4, weekly-engaged vs not, upsold early vs not). For segment i
against a reference segment 0:

- the rate k/n with its Wilson score interval (as wilson_interval());
- the **difference** p_i − p_0 with Newcombe's hybrid score interval (Newcombe 1998, method 10):
  from the Wilson intervals (l, u) of both rates, low = d − sqrt((p_i − l_i)² + (u_0 − p_0)²),
  high = d + sqrt((u_i − p_i)² + (p_0 − l_0)²) — it keeps its coverage near 0 and 1, where the
  Wald interval fails (56/70 vs 48/80: 0.2, [0.0524, 0.3339]);
- the **relative lift** p_i / p_0 − 1 with the Katz log interval of the ratio,
  exp(ln(p_i / p_0) ± z sqrt(1/k_i − 1/n_i + 1/k_0 − 1/n_0)) − 1;
- the pooled **two-proportion z test** of p_i = p_0 (two-sided p = 2 Φ(−|z|), the p of the 2 × 2
  chi-square test without continuity correction);

and across all G segments **Pearson's chi-square test** of equal retention on the 2 × G table,
G − 1 degrees of freedom, no continuity correction.

**Retention economics** (retention_economics()): what raising retention from r to r + points is
worth for your margin, discount rate and acquisition cost — the "5 % more retention, 25–95 %
more profit" claim computed for your own numbers.

Counts are integers in [0, 2**64 − 1]. Segment labels may be anything numpy can sort (strings,
ints, …); the segments are the distinct labels in sorted order (np.unique). Every failure raises
RetentionError: EUNDEFINED for an empty segment (n = 0) or a test without variance, EDOMAIN for
k > n or a value outside its range, EINVAL for a bad confidence or reference. Everything is a
pure function: thread-safe.
"""
import ctypes
import math
import numbers
from dataclasses import astuple, dataclass
from typing import Any, NamedTuple

import numpy as np

from ._lib import (EDOMAIN, EINVAL, RetentionError, _call, _column, _i32p, _int, _out,
                   _RetentionValue, _real, _SegmentRow, _u64p, _uint)
from .cohort import _same_length
from .scores import ZTest

#: The most segments compare_segments() and proportions_chisq() take (RTN_SEGMENTS_MAX).
SEGMENTS_MAX = 65536


# ---- results ----------------------------------------------------------------------------------
class SegmentCounts(NamedTuple):
    """A segment tally: ``labels`` (the distinct labels, sorted), ``k`` retained and ``n``
    customers per segment (uint64 arrays in the order of ``labels``)."""

    labels: np.ndarray
    k: np.ndarray
    n: np.ndarray


class _Unpacks:
    """Results that unpack like the tuple of their fields."""

    def __iter__(self):
        return iter(astuple(self))


@dataclass(frozen=True)
class Difference(_Unpacks):
    """A difference of rates p1 − p0 with its interval; unpacks as ``diff, low, high``."""

    diff: float
    low: float
    high: float

@dataclass(frozen=True)
class Lift(_Unpacks):
    """A relative lift p1 / p0 − 1 with its interval; unpacks as ``lift, low, high``."""

    lift: float
    low: float
    high: float

@dataclass(frozen=True)
class ChiSquare(_Unpacks):
    """Pearson's chi-square test: ``chisq``, degrees of freedom ``df`` (an int) and
    ``p_value`` = P(χ²_df ≥ chisq); unpacks as ``chisq, df, p_value``."""

    chisq: float
    df: int
    p_value: float

@dataclass(frozen=True)
class SegmentRow:
    """One segment compared with the reference: ``label``, ``retained`` (k) of ``n``; ``rate``
    k/n with its Wilson interval ``rate_low``, ``rate_high``; ``diff`` (rate − reference rate)
    with Newcombe's interval ``diff_low``, ``diff_high``; ``lift`` (rate / reference rate − 1)
    with Katz's log interval ``lift_low``, ``lift_high``; the pooled z test ``z``,
    ``p_value``. The reference's own diff and lift are 0, their intervals and its test NaN;
    lift is NaN when the reference rate is 0, −1 with a NaN interval when k = 0; the test is
    NaN when every customer of both segments, or none, was retained."""

    label: Any
    retained: int
    n: int
    rate: float
    rate_low: float
    rate_high: float
    diff: float
    diff_low: float
    diff_high: float
    lift: float
    lift_low: float
    lift_high: float
    z: float
    p_value: float


@dataclass(frozen=True, eq=False)
class SegmentComparison:
    """Every segment against a reference: ``rows`` (SegmentRow, in segment order), the index
    ``reference`` of the reference segment and its ``reference_label``, the ``confidence`` of
    the intervals, and the chi-square test across all segments ``chisq``, ``df`` (G − 1),
    ``p_value`` (NaN with one segment, or when every customer, or none, was retained)."""

    rows: tuple
    reference: int
    reference_label: Any
    confidence: float
    chisq: float
    df: int
    p_value: float

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __getitem__(self, index):
        return self.rows[index]

    def row(self, label):
        """The row of the segment labelled ``label``; KeyError if there is none."""
        for row in self.rows:
            if _same_label(row.label, label):
                return row
        raise KeyError(label)

    def to_frame(self):
        """A pandas DataFrame, one row per segment (index: the labels, named "segment"), with
        the SegmentRow fields as columns. ImportError if pandas is not installed."""
        try:
            import pandas as pd
        except ImportError as error:
            raise ImportError("SegmentComparison.to_frame() needs pandas, which is not "
                              "installed (pip install pandas, or apt-get install python3-pandas);"
                              " the comparison's rows need nothing") from error
        columns = list(SegmentRow.__dataclass_fields__)[1:]
        frame = pd.DataFrame([astuple(row)[1:] for row in self.rows], columns=columns,
                             index=pd.Index([row.label for row in self.rows], name="segment"))
        return frame.astype({"retained": np.uint64, "n": np.uint64})


@dataclass(frozen=True)
class RetentionValue:
    """The value of more retention: CLV per customer before and after the rise and its relative
    change (``clv_before``, ``clv_after``, ``clv_change`` = after / before − 1), and the cohort's
    lifetime profit size × (CLV − CAC) before and after (``profit_before``, ``profit_after``,
    ``profit_change`` = (after − before) / |before|). Relative changes are NaN where the base is
    0."""

    clv_before: float
    clv_after: float
    clv_change: float
    profit_before: float
    profit_after: float
    profit_change: float


def _same_label(a, b):
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


# ---- counting ---------------------------------------------------------------------------------
def _flags(retained, function):
    """0/1 flags as (uint8 array, pointer): bools viewed as bytes (no copy), anything else
    through _column (whole numbers 0 … 255; 0/1 is checked by the library)."""
    array = retained if isinstance(retained, np.ndarray) else np.asarray(retained)
    if array.dtype == np.bool_:
        array = np.ascontiguousarray(array).reshape(-1).view(np.uint8)
    return _column(array, np.uint8, function)


def segment_counts(labels, retained):
    """Counts customers per segment: customer i is in segment ``labels[i]`` (any labels numpy
    sorts: strings, ints, …) and was retained if ``retained[i]`` is 1/True (0/False: lost).
    Returns SegmentCounts(labels, k, n): the distinct labels (sorted) and uint64 retained and
    total counts in that order. EINVAL for columns of different lengths or no customers;
    EDOMAIN (bad_index) for a flag other than 0 and 1."""
    f = "rtn_segments_count"
    flags, flags_p = _flags(retained, f)
    array = np.asarray(labels).reshape(-1)
    _same_length([("labels", array), ("retained", flags)], f)
    if array.size == 0:
        raise RetentionError(EINVAL, f, detail="no customers (no segments)")
    distinct, codes = np.unique(array, return_inverse=True)
    if distinct.size > 2**31 - 1:
        raise RetentionError(EINVAL, f, detail="too many segments")
    codes = np.ascontiguousarray(codes, dtype=np.int32)
    k = np.zeros(distinct.size, dtype=np.uint64)
    n = np.zeros(distinct.size, dtype=np.uint64)
    bad = ctypes.c_size_t()
    _call(f, codes.ctypes.data_as(_i32p), flags_p, codes.size, distinct.size,
          k.ctypes.data_as(_u64p), n.ctypes.data_as(_u64p), ctypes.byref(bad), bad_index=bad)
    return SegmentCounts(distinct, k, n)


# ---- two proportions --------------------------------------------------------------------------
def proportion_diff_interval(k1, n1, k0, n0, confidence=0.95):
    """The difference of two retention rates k1/n1 − k0/n0 with Newcombe's hybrid score
    interval, as Difference(diff, low, high). EINVAL for a confidence outside (0, 1);
    EUNDEFINED if n1 or n0 is 0; EDOMAIN if k > n. 56/70 vs 48/80 → 0.2, [0.0524, 0.3339]."""
    f = "rtn_proportion_diff_interval"
    return Difference(*_out(f, _uint(k1, f), _uint(n1, f), _uint(k0, f), _uint(n0, f),
                            _real(confidence, f), outputs=3))


def proportion_lift_interval(k1, n1, k0, n0, confidence=0.95):
    """The relative lift (k1/n1) / (k0/n0) − 1 with the Katz log interval of the ratio (shifted
    by −1), as Lift(lift, low, high). EINVAL for a confidence outside (0, 1); EUNDEFINED if n1
    or n0 is 0, k0 = 0 (no lift over nothing) or k1 = 0 (no log interval; the lift is −1);
    EDOMAIN if k > n."""
    f = "rtn_proportion_lift_interval"
    return Lift(*_out(f, _uint(k1, f), _uint(n1, f), _uint(k0, f), _uint(n0, f),
                      _real(confidence, f), outputs=3))


def proportion_ztest(k1, n1, k0, n0):
    """The pooled two-proportion z test of k1/n1 = k0/n0, as ZTest(z, p_value): z > 0 when the
    first rate is higher, p two-sided. EUNDEFINED if n1 or n0 is 0 or the pooled rate is 0 or 1;
    EDOMAIN if k > n."""
    f = "rtn_proportion_ztest"
    return ZTest(*_out(f, _uint(k1, f), _uint(n1, f), _uint(k0, f), _uint(n0, f), outputs=2))


def _tally(k, n, function):
    """k and n as uint64 columns of equal length."""
    ks, k_p = _column(k, np.uint64, function)
    ns, n_p = _column(n, np.uint64, function)
    _same_length([("k", ks), ("n", ns)], function)
    return ks, k_p, ns, n_p


def proportions_chisq(k, n):
    """Pearson's chi-square test that the G proportions k[i]/n[i] are equal (the 2 × G table of
    retained and lost customers), without continuity correction, as ChiSquare(chisq, df,
    p_value). EINVAL for G outside 2 … SEGMENTS_MAX or columns of different lengths;
    EUNDEFINED if some n[i] is 0 or no customer, or every customer, was retained; EDOMAIN if
    some k[i] > n[i] (bad_index: a value that is not a whole number in [0, 2**64 − 1]);
    EOVERFLOW if the totals pass 2**64 − 1."""
    f = "rtn_proportions_chisq"
    ks, k_p, ns, n_p = _tally(k, n, f)
    chisq, df, p_value = ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    _call(f, k_p, n_p, ks.size, ctypes.byref(chisq), ctypes.byref(df), ctypes.byref(p_value))
    return ChiSquare(chisq.value, int(df.value), p_value.value)


# ---- comparisons ------------------------------------------------------------------------------
def _reference_index(reference, labels, groups, function):
    """The index of the reference segment: None is the first; with ``labels`` a label, else an
    index."""
    if reference is None:
        return 0
    if labels is not None:
        for i, label in enumerate(labels):
            if _same_label(label, reference):
                return i
        raise RetentionError(EINVAL, function, detail="no segment is labelled %r" % (reference,))
    if isinstance(reference, bool) or not isinstance(reference, numbers.Integral):
        raise TypeError("%s: expected a segment index, got %r" % (function, reference))
    if not 0 <= reference < groups:
        raise RetentionError(EINVAL, function, detail="reference %d is not a segment (0 … %d)"
                             % (reference, groups - 1))
    return int(reference)


def compare_segments(k, n, reference=None, confidence=0.95, labels=None):
    """Compares every segment (k[i] retained of n[i]) with a reference segment and all of them
    with the chi-square test, as a SegmentComparison (see the module docstring). ``labels``: one
    label per segment (default: the indices 0 … G − 1); ``reference``: the reference segment's
    label when labels are given, else its index; None (default): the first segment. EINVAL for
    G = 0 or more than SEGMENTS_MAX, columns of different lengths, an unknown reference or a
    confidence outside (0, 1); EUNDEFINED if a segment has n = 0; EDOMAIN if some k > n; EOVERFLOW if the totals
    pass 2**64 − 1."""
    f = "rtn_segments_compare"
    ks, k_p, ns, n_p = _tally(k, n, f)
    groups = ks.size
    if groups == 0:
        raise RetentionError(EINVAL, f, detail="no segments")
    index = _reference_index(reference, None if labels is None else list(labels), groups, f)
    if labels is None:
        labels = list(range(groups))
    else:
        labels = list(labels.tolist() if isinstance(labels, np.ndarray) else labels)
        if len(labels) != groups:
            raise RetentionError(EINVAL, f, detail="%d labels for %d segments"
                                 % (len(labels), groups))
    confidence = _real(confidence, f)
    rows = (_SegmentRow * groups)()
    chisq, p_value = ctypes.c_double(), ctypes.c_double()
    _call(f, k_p, n_p, groups, index, confidence, rows, ctypes.byref(chisq),
          ctypes.byref(p_value))
    out = tuple(SegmentRow(label, *(getattr(r, name) for name, _ in _SegmentRow._fields_))
                for label, r in zip(labels, rows))
    return SegmentComparison(out, index, labels[index], confidence, chisq.value, groups - 1,
                             p_value.value)


def segments(labels, retained, reference=None, confidence=0.95):
    """segment_counts(labels, retained) then compare_segments(): every segment (the distinct
    labels, sorted) against ``reference`` (a label; None: the first segment). Errors as those
    two functions'."""
    counts = segment_counts(labels, retained)
    return compare_segments(counts.k, counts.n, reference, confidence,
                            labels=counts.labels.tolist())


# ---- economics --------------------------------------------------------------------------------
def retention_economics(margin, retention, points, discount=0.0, cac=0.0, cohort_size=1.0,
                        horizon=None):
    """What raising retention from ``retention`` r to r + ``points`` is worth, as a
    RetentionValue.

    CLV is the present value of margin m earned at the end of each period a customer is still
    retained, over ``horizon`` H periods (None or math.inf: no end), with q = r / (1 + d):
    CLV = m q (1 − q^H) / (1 − q) (m H when q = 1); m r / (1 + d − r) without an end (the
    formula of clv_discounted()). A cohort's lifetime profit is cohort_size × (CLV − cac).
    ``margin`` m ≥ 0 per period; ``retention`` r in [0, 1]; ``points`` the rise as a fraction
    (0.05 = five points; negative for a fall), r + points in [0, 1]; ``discount`` d ≥ 0 per
    period; ``cac`` ≥ 0 per customer; ``cohort_size`` ≥ 0; ``horizon`` a whole number of periods
    1 … 2**32 − 1. EDOMAIN for a value outside its range (NaN and infinities included, and a
    horizon of 0); EUNDEFINED without an end when r + points = 1 and d = 0 (the value
    diverges); EOVERFLOW if a result passes the largest double.
    m = 100, r = 0.80, +0.05, d = 0.10, cac = 100, 1000 customers, no end: CLV 266.67 → 340.00
    (+27.5 %), profit 166,667 → 240,000 (+44.0 %).
    """
    f = "rtn_retention_economics"
    if horizon is None or (isinstance(horizon, numbers.Real) and not isinstance(horizon, bool)
                           and math.isinf(horizon) and horizon > 0):
        periods = 0
    else:
        periods = _int(horizon, f, 0, 2**32 - 1, code=EDOMAIN)
        if periods == 0:
            raise RetentionError(EDOMAIN, f, detail="a horizon of 0 periods (give None for no "
                                 "end)")
    out = _RetentionValue()
    _call(f, _real(margin, f), _real(retention, f), _real(points, f), _real(discount, f),
          _real(cac, f), _real(cohort_size, f), periods, ctypes.byref(out))
    return RetentionValue(*(getattr(out, name) for name, _ in _RetentionValue._fields_))


__all__ = ["SEGMENTS_MAX", "SegmentCounts", "Difference", "Lift", "ChiSquare", "SegmentRow",
           "SegmentComparison", "RetentionValue", "segment_counts", "proportion_diff_interval",
           "proportion_lift_interval", "proportion_ztest", "proportions_chisq",
           "compare_segments", "segments", "retention_economics"]
