"""Churn reasons: a stable taxonomy with the teams that mitigate each reason, and a tally of
churned customers by reason with a report sorted by impact (retention/reasons.h).

**The taxonomy.** Each churned customer is coded with one reason. Codes 0–6 are built in
(REASONS), 64–255 are free for your own reasons, 7–63 are reserved and rejected:

====  ====================  ===================================
code  name                  mitigated by (TEAMS)
====  ====================  ===================================
0     other                 (no team)
1     wrong_use_case        marketing, sales
2     failed_launch         sales, onboarding
3     features              product, support
4     low_usage             support, onboarding
5     roi_value             support, relationship_management
6     organization_change   support, relationship_management
====  ====================  ===================================

**Reasons as text.** ReasonTally.add() and churn_reasons() take codes (ints) or labels
(strings). A built-in name matches case-insensitively, with spaces and hyphens read as
underscores ("Low usage", "ROI-value"); any other string is a reason of your own and gets a free
user code (64, 65, … in order of first appearance), kept in the tally's ``labels`` map — user
labels are matched as loosely as the built-in names (any case, spaces and hyphens as
underscores: "Too slow" is "too-slow"), as the command-line tool matches them, and keep the
spelling first seen. At most 192 reasons of your own (codes 64–255).

**The tally** is a pair of arrays indexed by code: ``counts`` (uint64, churned customers) and
``lost`` (float64, their lost MRR). Tallies of separate batches merge by element-wise addition
(merge(); user labels are matched by label and their codes remapped where they differ).

**The report** has a row per reason with at least one customer: its count and share of the
churned customers with a Wilson score interval (is "features" really the top reason, or
noise?), and its lost MRR with its share of all lost MRR (money-weighted: no binomial interval
applies). Rows are sorted by impact — lost MRR (the default when the tally has MRR) or count —
largest first; ties by count, then by code.

Pure functions on caller memory in C; a ReasonTally is a plain Python object (picklable), one
thread at a time.
"""
import ctypes
import math
import numbers
from dataclasses import astuple, dataclass
from typing import Any

import numpy as np

from ._lib import (EDOMAIN, EINVAL, EOVERFLOW, RetentionError, _call, _column, _dp, _i32p,
                   _ReasonRow, _real, _u64p, lib)

#: The number of codes, 0 … 255 (RTN_REASON_CODES): the length of a tally's arrays.
REASON_CODES = 256
#: The first and last user-defined code.
USER_MIN, USER_MAX = 64, 255
#: Report orders by name (rtn_reason_order).
ORDERS = {"lost_mrr": 0, "count": 1}

#: Built-in reasons: code -> name (rtn_reason_name()).
REASONS = {code: lib.rtn_reason_name(code).decode("ascii") for code in range(USER_MIN)
           if lib.rtn_reason_name(code) is not None}
_CODES = {name: code for code, name in REASONS.items()}
#: Teams: bit -> name (rtn_team_name()), in bit order.
TEAMS = {1 << bit: lib.rtn_team_name(1 << bit).decode("ascii") for bit in range(32)
         if lib.rtn_team_name(1 << bit) is not None}


def _code(value, function):
    """An int reason code checked to fit int32 (the library checks 0–6, 64–255)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError("%s: expected an int reason code, got %r" % (function, value))
    value = int(value)
    if not -2**31 <= value < 2**31:
        raise RetentionError(EDOMAIN, function, detail="code %d is not a reason code" % value)
    return value


def _normal(name):
    """A name as the taxonomy spells it: lower case, spaces and hyphens as underscores."""
    return "_".join(name.strip().lower().replace("-", " ").split())


def reason_name(code):
    """The name of a built-in reason (0 "other", 1 "wrong_use_case", …, 6
    "organization_change"); None for any other code."""
    value = lib.rtn_reason_name(_code(code, "rtn_reason_name"))
    return None if value is None else value.decode("ascii")


def reason_code(name):
    """The code of a built-in reason's name, matched case-insensitively with spaces and hyphens
    as underscores ("Low usage" -> 4). RetentionError EDOMAIN for any other name."""
    f = "rtn_reason_code"
    if not isinstance(name, str):
        raise TypeError("%s: expected a reason name, got %r" % (f, name))
    code = ctypes.c_int32()
    try:
        encoded = _normal(name).encode("ascii")
    except UnicodeEncodeError:
        raise RetentionError(EDOMAIN, f, detail="%r is not a built-in reason" % name) from None
    if b"\0" in encoded:
        raise RetentionError(EDOMAIN, f, detail="%r is not a built-in reason" % name)
    try:
        _call(f, encoded, ctypes.byref(code))
    except RetentionError as error:
        raise RetentionError(error.code, f, detail="%r is not a built-in reason" % name) \
            from None
    return code.value


def _team_names(mask):
    return tuple(name for bit, name in TEAMS.items() if mask & bit)


def reason_teams(code):
    """The teams that mitigate a reason, as a tuple of TEAMS names in bit order (empty for
    "other" and user codes). RetentionError EDOMAIN for a code that is not 0–6 or 64–255."""
    f = "rtn_reason_teams"
    mask = ctypes.c_uint32()
    _call(f, _code(code, f), ctypes.byref(mask))
    return _team_names(mask.value)


# ---- the report -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReasonRow:
    """One reason of a report: ``reason`` (the built-in name, your label, or the code of an
    unlabelled user code), ``code``, ``teams`` (tuple of team names), ``count`` churned
    customers, their ``share`` of all churned customers with its Wilson interval ``share_low``,
    ``share_high``, their ``lost_mrr`` and its ``lost_share`` of all lost MRR (NaN without MRR,
    or when all lost MRR is 0)."""

    reason: Any
    code: int
    teams: tuple
    count: int
    share: float
    share_low: float
    share_high: float
    lost_mrr: float
    lost_share: float

    def __iter__(self):
        return iter(astuple(self))


class ReasonReport(list):
    """The rows of a report (ReasonRow, sorted by impact), a list; ``order`` and ``confidence``
    are those it was made with, ``total`` the churned customers and ``lost_total`` their lost
    MRR (NaN without MRR)."""

    def __init__(self, rows, order, confidence, total, lost_total):
        super().__init__(rows)
        self.order, self.confidence = order, confidence
        self.total, self.lost_total = total, lost_total

    def to_frame(self):
        """A pandas DataFrame, one row per reason in report order, with the ReasonRow fields as
        columns (teams joined by ", "). ImportError if pandas is not installed."""
        try:
            import pandas as pd
        except ImportError as error:
            raise ImportError("ReasonReport.to_frame() needs pandas, which is not installed "
                              "(pip install pandas, or apt-get install python3-pandas); the "
                              "report's rows need nothing") from error
        columns = list(ReasonRow.__dataclass_fields__)
        records = [dict(zip(columns, astuple(row)), teams=", ".join(row.teams)) for row in self]
        frame = pd.DataFrame.from_records(records, columns=columns)
        return frame.astype({"code": np.int32, "count": np.uint64})


# ---- the tally --------------------------------------------------------------------------------
class ReasonTally:
    """Churned customers by reason: ``counts`` (uint64) and ``lost`` (float64 lost MRR), arrays
    of REASON_CODES entries indexed by code, and ``labels`` (user code -> your label) for the
    reasons given as text. ``has_mrr``: None before the first add(), then whether the tally
    carries lost MRR (every add() must then agree: all with lost_mrr, or all without).

    Build one with add() (or pass existing ``counts``/``lost`` arrays and ``labels``), combine
    tallies of separate batches with merge(), and report(). Picklable; copy() is independent.
    """

    def __init__(self, counts=None, lost=None, labels=None):
        f = "rtn_reason_tally_add"
        self.counts = np.zeros(REASON_CODES, dtype=np.uint64)
        self.lost = np.zeros(REASON_CODES, dtype=np.float64)
        self.labels = {}
        self.has_mrr = None
        if counts is not None:
            self.counts[:] = _column(counts, np.uint64, f)[0].reshape(REASON_CODES)
            self.has_mrr = False
        if lost is not None:
            if counts is None:
                raise TypeError("ReasonTally: lost without counts")
            self.lost[:] = _column(lost, np.float64, f)[0].reshape(REASON_CODES)
            self.has_mrr = True
        for code, label in (labels or {}).items():
            code = _code(code, f)
            if not USER_MIN <= code <= USER_MAX or not isinstance(label, str):
                raise RetentionError(EINVAL, f, detail="labels map user codes 64–255 to "
                                     "strings, not %r: %r" % (code, label))
            self.labels[code] = label
        if len({_normal(label) for label in self.labels.values()}) != len(self.labels):
            raise RetentionError(EINVAL, f, detail="a label names two codes")

    def copy(self):
        other = ReasonTally()
        other.counts, other.lost = self.counts.copy(), self.lost.copy()
        other.labels, other.has_mrr = dict(self.labels), self.has_mrr
        return other

    @property
    def total(self):
        """The number of churned customers tallied."""
        return sum(int(c) for c in self.counts)

    def code_of(self, reason):
        """The code of a reason in this tally: an int code as it is, a built-in name (spelt
        loosely) or one of your labels; KeyError for a label the tally does not know."""
        if isinstance(reason, numbers.Integral) and not isinstance(reason, bool):
            return int(reason)
        builtin = _CODES.get(_normal(reason))
        if builtin is not None:
            return builtin
        for code, label in self.labels.items():
            if _normal(label) == _normal(reason):
                return code
        raise KeyError(reason)

    def label(self, code):
        """How a code is shown: the built-in name, your label, or the code itself."""
        return REASONS.get(code, self.labels.get(code, code))

    def _free_codes(self, exclude=()):
        """User codes with no label and no customer, in increasing order."""
        taken = set(self.labels) | set(exclude)
        return [c for c in range(USER_MIN, USER_MAX + 1)
                if c not in taken and self.counts[c] == 0 and self.lost[c] == 0.0]

    def _encode(self, reasons, function):
        """reasons -> (int32 codes array, {new code: label}); raises on a bad reason."""
        array = reasons if isinstance(reasons, np.ndarray) else np.asarray(reasons)
        if array.dtype.kind in "US" and not isinstance(reasons, np.ndarray):
            array = np.array(reasons, dtype=object)  # numpy would turn [3, "price"] into "3"
        if array.dtype.kind in "iuf":
            return _column(array, np.int32, function)[0], {}
        if array.dtype.kind not in "OUS":
            raise TypeError("%s: reasons must be int codes or strings, not %s"
                            % (function, array.dtype))
        flat = array.reshape(-1)
        by_label = {_normal(label): code for code, label in self.labels.items()}
        new = {}
        try:  # each distinct reason once, in order of first appearance
            distinct, first, inverse = np.unique(flat, return_index=True, return_inverse=True)
            values, where = distinct.tolist(), first.tolist()
        except TypeError:  # reasons that do not sort together (ints and strings, None, NaN)
            values, where, inverse = [], [], np.empty(flat.size, dtype=np.intp)
            seen = {}
            for index, value in enumerate(flat.tolist()):
                key = (isinstance(value, str), value)
                if key not in seen:
                    seen[key] = len(values)
                    values.append(value)
                    where.append(index)
                inverse[index] = seen[key]
        # raw user codes of this call may not be given to new labels
        raw = {int(v) for v in values if isinstance(v, numbers.Integral)
               and not isinstance(v, bool) and USER_MIN <= v <= USER_MAX}
        free = iter(self._free_codes(raw))
        mapped = np.empty(len(values), dtype=np.int32)
        for j in sorted(range(len(values)), key=where.__getitem__):
            mapped[j] = self._reason(values[j], where[j], by_label, new, free, function)
        return np.ascontiguousarray(mapped[inverse]), new

    def _reason(self, value, index, by_label, new, free, function):
        if isinstance(value, bytes):
            value = value.decode("utf-8")
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            if not (0 <= value < USER_MIN and value in REASONS or USER_MIN <= value <= USER_MAX):
                raise RetentionError(EDOMAIN, function, index, "%d is not a reason code (0–%d, "
                                     "%d–%d)" % (value, len(REASONS) - 1, USER_MIN, USER_MAX))
            return int(value)
        if isinstance(value, numbers.Real) and not isinstance(value, bool) and \
                float(value).is_integer():
            return self._reason(int(value), index, by_label, new, free, function)
        if not isinstance(value, str):
            raise RetentionError(EDOMAIN, function, index, "%r is not a reason (give an int "
                                 "code or a string)" % (value,))
        builtin = _CODES.get(_normal(value))
        if builtin is not None:
            return builtin
        key = _normal(value)
        if key in by_label:
            return by_label[key]
        code = next(free, None)
        if code is None:
            raise RetentionError(EDOMAIN, function, index, "%r would be reason number %d of "
                                 "your own: at most %d (codes %d–%d)" % (
                                     value, len(self.labels) + len(new) + 1,
                                     USER_MAX - USER_MIN + 1, USER_MIN, USER_MAX))
        by_label[key] = code
        new[code] = value
        return code

    def add(self, reasons, lost_mrr=None):
        """Adds churned customers: customer i left for ``reasons[i]`` (an int code 0–6 or
        64–255, or a string: see the module docstring), losing ``lost_mrr[i]`` (None: counts
        only; else finite, ≥ 0). Nothing is added (no label either) if an error is raised:
        EINVAL for columns of different lengths or for mixing adds with and without MRR;
        EDOMAIN (bad_index) for a reserved or unknown code, a reason that is neither a code nor
        a string, one user label too many, or a negative, NaN or infinite amount; EOVERFLOW.
        Returns the tally."""
        f = "rtn_reason_tally_add"
        codes, new = self._encode(reasons, f)
        lost_p = amounts = None
        with_mrr = lost_mrr is not None
        if with_mrr:
            amounts, lost_p = _column(lost_mrr, np.float64, f)
            if amounts.size != codes.size:
                raise RetentionError(EINVAL, f, detail="columns of different lengths: reasons "
                                     "%d, lost_mrr %d" % (codes.size, amounts.size))
        if self.has_mrr is not None and self.has_mrr != with_mrr and codes.size:
            raise RetentionError(EINVAL, f, detail="this tally was built %s lost MRR" % (
                "with" if self.has_mrr else "without"))
        bad = ctypes.c_size_t()
        _call(f, codes.ctypes.data_as(_i32p), lost_p, codes.size,
              self.counts.ctypes.data_as(_u64p), self.lost.ctypes.data_as(_dp),
              ctypes.byref(bad), bad_index=bad)
        self.labels.update(new)
        if codes.size:
            self.has_mrr = with_mrr
        return self

    def merge(self, other):
        """Adds ``other``'s tally into this one (element-wise), matching user labels by label:
        a label this tally lacks gets one of its free user codes. ``other`` is unchanged.
        EINVAL for tallies with and without MRR, or for an unlabelled user code of one tally
        that is a label's code in the other; EDOMAIN when the labels do not fit in 192 codes;
        EOVERFLOW. Returns the tally."""
        f = "rtn_reason_tally_add"
        if not isinstance(other, ReasonTally):
            raise TypeError("merge: expected a ReasonTally, got %r" % type(other).__name__)
        if other is self:
            raise RetentionError(EINVAL, f, detail="merging a tally into itself")
        if None not in (self.has_mrr, other.has_mrr) and self.has_mrr != other.has_mrr and \
                self.total and other.total:
            raise RetentionError(EINVAL, f, detail="one tally has lost MRR, the other not")
        by_label = {_normal(label): code for code, label in self.labels.items()}
        raw_other = {c for c in range(USER_MIN, USER_MAX + 1)
                     if c not in other.labels and (other.counts[c] or other.lost[c])}
        for code in sorted(raw_other & set(self.labels)):
            raise RetentionError(EINVAL, f, detail="code %d is %r here but unlabelled in the "
                                 "other tally" % (code, self.labels[code]))
        # a label new here takes a free code of this tally that other's raw codes do not use
        free = iter(self._free_codes(raw_other))
        target = np.arange(REASON_CODES)  # other's code -> this tally's code
        new = {}
        for code, label in sorted(other.labels.items()):
            mapped = by_label.get(_normal(label))
            if mapped is None:
                mapped = next(free, None)
                if mapped is None:
                    raise RetentionError(EDOMAIN, f, detail="the labels of both tallies need "
                                         "more than %d user codes" % (USER_MAX - USER_MIN + 1))
                new[mapped] = label
            target[code] = mapped
        counts = [int(c) for c in self.counts]
        lost = self.lost.copy()
        for code in range(REASON_CODES):
            counts[target[code]] += int(other.counts[code])
            lost[target[code]] += other.lost[code]
        if max(counts) >= 2**64:
            raise RetentionError(EOVERFLOW, f, detail="a count passes 2**64 - 1")
        if not np.isfinite(lost).all():
            raise RetentionError(EOVERFLOW, f, detail="lost MRR passes the largest double")
        self.counts[:] = np.array(counts, dtype=np.uint64)
        self.lost[:] = lost
        self.labels.update(new)
        if self.has_mrr is None or not self.total:
            self.has_mrr = other.has_mrr
        return self

    def report(self, order=None, confidence=0.95):
        """The report (ReasonReport of ReasonRow, see the module docstring). ``order``:
        "lost_mrr" (the default when the tally has MRR) or "count" (the default otherwise).
        EINVAL for an unknown order, "lost_mrr" without MRR, or a confidence outside (0, 1);
        EDOMAIN for counts or amounts under reserved codes (arrays edited by hand) or a bad
        amount; EUNDEFINED when there are no churned customers; EOVERFLOW."""
        f = "rtn_reason_report"
        if order is None:
            order = "lost_mrr" if self.has_mrr else "count"
        if not isinstance(order, str) or order not in ORDERS:
            raise RetentionError(EINVAL, f, detail="unknown order %r (one of %s)"
                                 % (order, ", ".join(ORDERS)))
        confidence = _real(confidence, f)
        rows = (_ReasonRow * REASON_CODES)()
        n_rows = ctypes.c_size_t()
        counts = np.ascontiguousarray(self.counts, dtype=np.uint64)
        lost = np.ascontiguousarray(self.lost, dtype=np.float64) if self.has_mrr else None
        _call(f, counts.ctypes.data_as(_u64p),
              None if lost is None else lost.ctypes.data_as(_dp), ORDERS[order], confidence,
              rows, REASON_CODES, ctypes.byref(n_rows))
        out = [ReasonRow(self.label(r.code), r.code, _team_names(r.teams), r.count, r.share,
                         r.share_low, r.share_high, r.lost_mrr, r.lost_share)
               for r in rows[:n_rows.value]]
        lost_total = math.fsum(lost.tolist()) if lost is not None else float("nan")
        return ReasonReport(out, order, confidence, self.total, lost_total)

    def __eq__(self, other):
        if not isinstance(other, ReasonTally):
            return NotImplemented
        return (np.array_equal(self.counts, other.counts) and
                np.array_equal(self.lost, other.lost) and self.labels == other.labels)

    __hash__ = None

    def __repr__(self):
        used = int(np.count_nonzero(self.counts))
        return "<ReasonTally %d churned customers, %d reasons%s>" % (
            self.total, used, ", with MRR" if self.has_mrr else "")


def churn_reasons(reasons, lost_mrr=None, order=None, confidence=0.95):
    """The report of one set of churned customers: ReasonTally().add(reasons,
    lost_mrr).report(order, confidence). Errors as ReasonTally's; EUNDEFINED for no
    customers."""
    return ReasonTally().add(reasons, lost_mrr).report(order, confidence)
