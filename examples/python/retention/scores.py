"""Survey and support scores: NPS, CSAT, CES, average handle time (retention/scores.h).

The mergeable state of a survey score is its histogram, a numpy uint64 array of counts per score
value (hist[v − scale_min]). scores_count() and nps_count() *add* into a histogram you pass, so
partial histograms of chunks, files, threads or machines add element-wise into the histogram of
all the responses; nps(), csat() and ces() then read it.

Score columns are passed to C without a copy when they are C-contiguous uint8 arrays; other
integer or float columns are checked (whole numbers on the scale, else RetentionError EDOMAIN with
``bad_index``) before they are converted.
"""
import ctypes
from dataclasses import astuple, dataclass
from typing import Optional

import numpy as np

from ._lib import (EINVAL, NPS_HIST_LEN, OK, RetentionError, _call, _column, _out, _real, _u64p,
                   _uint, lib)

_METHODS = {"wald": 0, "adjusted-wald": 1}  # rtn_nps_interval_method


@dataclass(frozen=True)
class NpsResult:
    """Net Promoter Score of n responses, in points, with its standard error and interval."""

    n: int
    promoters: int
    passives: int
    detractors: int
    promoter_share: float
    passive_share: float
    detractor_share: float
    nps: float
    se: float
    ci_low: float
    ci_high: float
    confidence: float
    method: str


@dataclass(frozen=True)
class ZTest:
    """A two-sided z test; unpacks as ``z, p_value``."""

    z: float
    p_value: float

    def __iter__(self):
        return iter(astuple(self))


@dataclass(frozen=True)
class CsatResult:
    """CSAT: ``satisfied`` of ``n`` responses, the share ``csat`` in [0, 1], its standard error
    and its Wilson interval."""

    n: int
    satisfied: int
    csat: float
    se: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class CesResult:
    """CES: the mean score of n responses (scale units) and its standard error (None if n < 2)."""

    n: int
    mean: float
    se: Optional[float]


# ---- histograms -------------------------------------------------------------------------------
def _scale(scale_min, scale_max, function):
    """(scale_min, scale_max, bins) of a possible scale 0 ≤ min < max ≤ 255, else EINVAL: the
    library's rtn_scores_hist_len() decides, and sizes the histogram."""
    lo = _uint(scale_min, function, bits=32, code=EINVAL)
    hi = _uint(scale_max, function, bits=32, code=EINVAL)
    bins = ctypes.c_size_t()
    if lib.rtn_scores_hist_len(lo, hi, ctypes.byref(bins)) != OK:
        raise RetentionError(EINVAL, function, detail="scale (%d, %d) is not 0 <= min < max <= 255"
                             % (lo, hi))
    return lo, hi, bins.value


def _state(hist, bins, function):
    """The histogram a count adds into: a new zero one, or the caller's, which must be a writeable
    C-contiguous 1-D numpy uint64 array of ``bins`` counts (it is updated in place)."""
    if hist is None:
        return np.zeros(bins, dtype=np.uint64)
    if not (isinstance(hist, np.ndarray) and hist.dtype == np.uint64 and hist.shape == (bins,)
            and hist.flags.c_contiguous and hist.flags.writeable):
        raise RetentionError(EINVAL, function, detail="hist must be a writeable C-contiguous numpy "
                             "uint64 array of %d counts, updated in place" % bins)
    return hist


def _hist(hist, bins, function):
    """A histogram to read, as (uint64 array, pointer): any sequence of ``bins`` counts."""
    array, pointer = _column(hist, np.uint64, function)
    if array.size != bins:
        raise RetentionError(EINVAL, function, detail="hist has %d counts, the scale needs %d"
                             % (array.size, bins))
    return array, pointer


def _count(function, scores, lo, hi, hist, *scale):
    hist = _state(hist, hi - lo + 1, function)
    column, pointer = _column(scores, np.uint8, function, lo, hi)
    bad = ctypes.c_size_t()
    _call(function, pointer, column.size, *scale, hist.ctypes.data_as(_u64p), ctypes.byref(bad),
          bad_index=bad)
    return hist


def scores_count(scores, scale_min, scale_max, hist=None):
    """Adds a column of scores on [scale_min, scale_max] into a histogram and returns it:
    hist[v − scale_min] += number of responses equal to v.

    ``hist`` None makes a new one; otherwise it must be a contiguous numpy uint64 array of
    scale_max − scale_min + 1 counts and is updated in place (unchanged if an error is raised).
    EINVAL for an impossible scale or hist; EDOMAIN (bad_index = first offending position) for a
    score off the scale; EOVERFLOW if a count would pass 2**64 − 1.
    """
    f = "rtn_scores_count"
    lo, hi, _ = _scale(scale_min, scale_max, f)
    return _count(f, scores, lo, hi, hist, lo, hi)


def nps_count(scores, hist=None):
    """Adds a column of 0–10 scores into an 11-count NPS histogram (see scores_count())."""
    return _count("rtn_nps_count", scores, 0, NPS_HIST_LEN - 1, hist)


def _both_or_none(scores, hist, lo, hi, function):
    """The histogram to read from exactly one of ``scores`` (counted here) and ``hist``."""
    if (scores is None) == (hist is None):
        raise TypeError("give exactly one of scores and hist")
    if scores is not None:
        hist = scores_count(scores, lo, hi)
    return _hist(hist, hi - lo + 1, function)


# ---- NPS --------------------------------------------------------------------------------------
def nps_categories(hist):
    """(promoters, passives, detractors) of an 11-count NPS histogram: scores 9–10, 7–8, 0–6."""
    f = "rtn_nps_categories"
    _, pointer = _hist(hist, NPS_HIST_LEN, f)
    out = [ctypes.c_uint64() for _ in range(3)]
    _call(f, pointer, *(ctypes.byref(o) for o in out))
    return tuple(o.value for o in out)


def _counts(counts, function):
    """(promoters, passives, detractors) from a 3-sequence of counts or an NpsResult."""
    if isinstance(counts, NpsResult):
        counts = (counts.promoters, counts.passives, counts.detractors)
    if len(counts) != 3:
        raise TypeError("expected (promoters, passives, detractors), got %r" % (counts,))
    return tuple(_uint(c, function) for c in counts)


def nps(scores=None, *, hist=None, counts=None, confidence=0.95, method="adjusted-wald"):
    """Net Promoter Score, in points, from exactly one of a column of 0–10 ``scores``, an
    11-count ``hist`` or ``counts`` = (promoters, passives, detractors).

    With p = promoters / n and d = detractors / n: NPS = 100 (p − d) ∈ [−100, 100];
    SE = 100 · sqrt((p + d − (p − d)²) / n). The interval is centre ± z·SE, z the two-sided normal
    quantile of ``confidence``, clipped to [−100, 100]; ``method`` "wald" uses the observed counts,
    "adjusted-wald" (Rocks 2016) adds 3/4 to promoters and detractors and 3 to n for both centre
    and SE. EUNDEFINED if n = 0; EINVAL for a confidence outside (0, 1) or an unknown method.
    """
    if sum(x is not None for x in (scores, hist, counts)) != 1:
        raise TypeError("nps: give exactly one of scores, hist or counts")
    if method not in _METHODS:
        raise RetentionError(EINVAL, "rtn_nps_interval", detail="method %r is not one of %s"
                             % (method, ", ".join(map(repr, _METHODS))))
    if scores is not None:
        hist = nps_count(scores)
    if hist is not None:
        counts = nps_categories(hist)
    p, a, d = _counts(counts, "rtn_nps_score")
    shares = _out("rtn_nps_shares", p, a, d, outputs=3)
    score, se = _out("rtn_nps_score", p, a, d, outputs=2)
    low, high = _out("rtn_nps_interval", p, a, d, _METHODS[method],
                     _real(confidence, "rtn_nps_interval"), outputs=2)
    return NpsResult(p + a + d, p, a, d, *shares, score, se, low, high, float(confidence), method)


def nps_ztest(a, b):
    """Two-sample z test of equal NPS; ``a`` and ``b`` are (promoters, passives, detractors) or
    NpsResult. z = (NPS_a − NPS_b) / sqrt(SE_a² + SE_b²), p = 2 (1 − Φ(|z|)). EUNDEFINED if a
    sample is empty or both standard errors are 0."""
    f = "rtn_nps_ztest"
    return ZTest(*_out(f, *_counts(a, f), *_counts(b, f), outputs=2))


# ---- CSAT and CES -----------------------------------------------------------------------------
def csat(scores=None, *, hist=None, scale=(1, 5), satisfied_min=None, confidence=0.95):
    """Customer satisfaction from a column of ``scores`` or a ``hist`` on ``scale``: the share of
    responses ≥ ``satisfied_min`` (default scale_max − 1: top-2 box, 4–5 of 1–5).

    SE = sqrt(csat (1 − csat) / n); the interval is Wilson's (as wilson_interval()).
    EINVAL for an impossible scale, a satisfied_min off the scale or a confidence outside (0, 1);
    EUNDEFINED if there are no responses.
    """
    f = "rtn_csat_score"
    lo, hi, _ = _scale(*scale, f)
    top = _uint(hi - 1 if satisfied_min is None else satisfied_min, f, bits=32, code=EINVAL)
    array, pointer = _both_or_none(scores, hist, lo, hi, f)
    share, se = _out(f, pointer, lo, hi, top, outputs=2)
    g = "rtn_csat_interval"
    low, high = _out(g, pointer, lo, hi, top, _real(confidence, g), outputs=2)
    counts = [int(c) for c in array]
    return CsatResult(sum(counts), sum(counts[top - lo:]), share, se, low, high)


def ces(scores=None, *, hist=None, scale=(1, 7)):
    """Customer effort score from a column of ``scores`` or a ``hist`` on ``scale``: the mean
    score, in scale units, and SE = s / sqrt(n) with s the sample standard deviation (n − 1);
    se is None when n < 2. EUNDEFINED if there are no responses."""
    f = "rtn_ces_score"
    lo, hi, _ = _scale(*scale, f)
    array, pointer = _both_or_none(scores, hist, lo, hi, f)
    n = sum(int(c) for c in array)
    mean, se = ctypes.c_double(), ctypes.c_double()
    _call(f, pointer, lo, hi, ctypes.byref(mean), ctypes.byref(se) if n >= 2 else None)
    return CesResult(n, mean.value, se.value if n >= 2 else None)


# ---- support ----------------------------------------------------------------------------------
def handle_time_mean(durations):
    """Average handle time: the mean of a column of durations (any unit), compensated sum.
    Passed without a copy when a C-contiguous float64 array. EUNDEFINED if empty; EDOMAIN
    (bad_index) at the first negative, NaN or infinite duration."""
    f = "rtn_handle_time_mean"
    column, pointer = _column(durations, np.float64, f)
    mean, bad = ctypes.c_double(), ctypes.c_size_t()
    _call(f, pointer, column.size, ctypes.byref(mean), ctypes.byref(bad), bad_index=bad)
    return mean.value
