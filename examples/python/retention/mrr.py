"""Recurring-revenue movements: the MRR bridge (retention/mrr.h).

**Input.** Rows (customer, period, mrr): the customer paid ``mrr`` (finite, ≥ 0, one currency)
in the period with that index. Periods are consecutive integers (month numbers, or indices of
calendar_period()); with ``unit=`` the period column holds times instead (int Unix seconds or
datetime64), bucketed into that unit's periods (see below). Rows come in any order; several rows
of one customer in one period add up (two subscriptions); a customer with no row, or only rows
of 0, in a period is not paying in it.

**Movements.** With m(c, p) the MRR of customer c in period p (0 when absent), every paying
customer's change from period p − 1 to p is exactly one movement: from 0 to > 0 is **new** if c
never paid before p, else **reactivation** (a win-back, not new revenue); an increase is
**expansion**, a decrease to > 0 **contraction** (a positive amount), a fall to 0 **churned**
(the p − 1 amount); no change is no movement. ``start`` is Σ m(c, p − 1), ``end`` Σ m(c, p), so
every period balances: start + new + expansion + reactivation − contraction − churned = end, and
the same for the customer counts (start + new + reactivated − churned = end; the expansion and
contraction counts are customers who stayed).

**Rates** per period: gross revenue churn (churned + contraction) / start; net revenue churn
(churned + contraction − expansion − reactivation) / start; NRR (start + expansion − contraction
− churned) / start; GRR (start − contraction − churned) / start; quick ratio (new + expansion +
reactivation) / (churned + contraction). A rate is NaN where it is undefined (start = 0; for the
quick ratio, no losses) — never 0.

**Exactness.** Sums are kept in double-double arithmetic and rounded once, so they do not depend
on the order of the rows or on how the input was split and merged; with amounts in whole cents
the bridge balances exactly.

**The window.** The table has a row for every period from ``first_period`` to ``last_period``
(defaults: the earliest and latest period of any row, rows of 0 included — add a row of 0, or
set ``last_period``, to see churn in a period where nobody paid). Rows before the first period
still count: they give its start and tell reactivation from new revenue. Rows after the last
period are ignored.

**Customers** are labels of any kind: integers (numpy int/uint columns, whole floats, Python
ints) are used as they are (int64, no copy for a C-contiguous int64 array); strings, bytes and
other hashable labels are mapped to int64 by a stable 64-bit hash (BLAKE2b of the label's type
and value), the same in every process and on every machine, so builders of separate batches
still merge. Two distinct labels could in principle hash alike (about n² / 2⁶⁵ for n labels:
10⁻⁸ for a million customers); give integer ids when that matters.

**Mergeable state.** An MRRBuilder keeps each customer's MRR per period (not the movements), so
builders of any partition of the rows merge exactly (merge()); to_bytes()/from_bytes() (also
pickle) carry one across processes ("RTNMRRBD" version 1, little-endian, FNV-1a checksum; see
mrr.h). Handles are released by close(), by leaving a ``with`` block, or at garbage collection;
a closed object raises RetentionError (EINVAL) when used. One thread at a time per builder.
"""
import ctypes
import datetime as _dt
import hashlib
import numbers
import re

import numpy as np

from ._lib import (EDOMAIN, EINVAL, EUNDEFINED, RetentionError, _call, _column, _dp, _int,
                   _mrr_builder_p, _mrr_table_p, _no_index, _to_bytes, lib)
from .cohort import (_Owned, _same_length, _time, _times, calendar_period,
                     calendar_period_start)

#: The smallest and largest period index accepted (±2**35).
PERIOD_MIN, PERIOD_MAX = -2**35, 2**35
#: The most periods a table may have (2**24).
MAX_PERIODS = 2**24
#: The table's columns, in the order of rtn_mrr_column (their values are their indices here).
COLUMNS = ("start", "new", "expansion", "reactivation", "contraction", "churned", "end",
           "start_customers", "new_customers", "expansion_customers", "reactivation_customers",
           "contraction_customers", "churned_customers", "end_customers",
           "gross_revenue_churn", "net_revenue_churn", "nrr", "grr", "quick_ratio")
_FIRST, _LAST = 0, 1  # rtn_mrr_param


# ---- columns ----------------------------------------------------------------------------------
def _label_hash(label):
    """A label's stable int64: BLAKE2b-64 of a type tag and the label's bytes."""
    if isinstance(label, str):
        data = b"s" + label.encode("utf-8", "surrogatepass")
    elif isinstance(label, (bytes, bytearray)):
        data = b"b" + bytes(label)
    elif isinstance(label, np.generic):
        return _label_hash(label.item())
    else:  # tuples, dates, …: their repr, qualified by the type
        data = b"r" + ("%s.%s:%r" % (type(label).__module__, type(label).__qualname__,
                                     label)).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little", signed=True)


_CANONICAL_INTEGER = re.compile(r"(0|-?[1-9][0-9]*)")


def text_id(text):
    """The int64 the `retention` tool gives a customer id read as text, in the states it saves
    (--save-state): a canonical decimal integer in int64's range ("42", "-7"; no leading zeros,
    no "-0") is that integer; any other text is BLAKE2b-64 of "s" + its UTF-8 (what MRRBuilder
    gives a str label). Build a CohortBuilder from text_id() of text ids and its state merges
    with the tool's. Two different texts share an id with probability 2⁻⁶⁴ per pair."""
    if not isinstance(text, str):
        raise TypeError("text_id: a customer id as text (str), not %s" % type(text).__name__)
    if _CANONICAL_INTEGER.fullmatch(text) and -2**63 <= int(text) < 2**63:
        return int(text)
    return _label_hash(text)


def _is_integer_label(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _customers(values, function):
    """Customer labels as (contiguous int64 array, pointer): integer columns as they are (see
    _column), text and other labels through _label_hash (once per distinct label)."""
    array = values if isinstance(values, np.ndarray) else np.asarray(values)
    if not isinstance(values, np.ndarray) and (array.dtype.kind in "US" or array.ndim > 1):
        # numpy would turn [7, "a"] into "7", "a", and a list of tuples into a 2-D array
        labels = list(values)
        array = np.empty(len(labels), dtype=object)
        array[:] = labels
    if array.dtype.kind in "iuf":
        return _column(array, np.int64, function)
    if array.dtype.kind == "b":
        raise TypeError("%s: customer ids must be labels, not booleans" % function)
    flat = array.reshape(-1)
    if array.dtype.kind == "O" and all(_is_integer_label(v) for v in flat):
        return _column(array, np.int64, function)  # Python ints: checked to fit int64
    if array.dtype.kind not in "OUS":
        raise TypeError("%s: customer ids of dtype %s are not supported (give integers or "
                        "strings)" % (function, array.dtype))
    try:
        labels, codes = np.unique(flat, return_inverse=True)
        hashed = np.array([_id_of(v) for v in labels.tolist()], dtype=np.int64)[codes]
    except TypeError:  # labels that do not sort together (ints and strings): one by one
        hashed = np.array([_id_of(v) for v in flat.tolist()], dtype=np.int64)
    return _column(hashed, np.int64, function)


def _id_of(label):
    if _is_integer_label(label):
        if not -2**63 <= int(label) < 2**63:
            raise RetentionError(EDOMAIN, "rtn_mrr_builder_add",
                                 detail="customer id %d does not fit int64" % label)
        return int(label)
    return _label_hash(label)


def _unit_of(unit, utc_offset_minutes, function):
    """Validates a unit (None, a PERIOD_UNITS name other than "seconds", or an int number of
    seconds) and an offset by bucketing one time with them; returns (unit, offset)."""
    if unit is None:
        if utc_offset_minutes:
            raise RetentionError(EINVAL, function, detail="utc_offset_minutes needs a unit")
        return None, 0
    if isinstance(unit, str) and unit == "seconds":
        raise RetentionError(EINVAL, function, detail='give a fixed period as its length in '
                             'seconds, e.g. unit=30 * 86400')
    calendar_period(0, unit, utc_offset_minutes=utc_offset_minutes)  # raises if bad
    return unit, int(utc_offset_minutes)


def _periods(values, unit, offset, function):
    """The period column as (int64 array, pointer): indices as they are (unit None), else times
    (int Unix seconds or datetime64) bucketed into the unit's period indices."""
    if unit is None:
        array = values if isinstance(values, np.ndarray) else np.asarray(values)
        if array.dtype.kind == "M":
            raise TypeError("%s: the periods are times (datetime64): give unit='month' (or "
                            "'day', 'week', 'quarter', or a length in seconds)" % function)
        return _column(array, np.int64, function)
    times, _ = _times(values, function)
    distinct, codes = np.unique(times, return_inverse=True)
    index = np.empty(distinct.size, dtype=np.int64)
    for i, t in enumerate(distinct.tolist()):
        try:
            index[i] = calendar_period(t, unit, utc_offset_minutes=offset)
        except RetentionError as error:  # name the first row with that time
            if error.code != EDOMAIN:
                raise
            raise RetentionError(EDOMAIN, function, int(np.flatnonzero(codes == i)[0]),
                                 "time %d is outside the supported range" % t) from None
    return _column(index[codes], np.int64, function)


def _window_value(value, unit, offset, function):
    """A first/last period: an int index, or (with a unit) a time (datetime64, datetime)."""
    if isinstance(value, (np.datetime64, _dt.datetime)):
        if unit is None:
            raise TypeError("%s: a time as first/last period needs the builder's unit"
                            % function)
        value = calendar_period(_time(value, function), unit, utc_offset_minutes=offset)
    return _int(value, function, PERIOD_MIN, PERIOD_MAX)


# ---- the builder ------------------------------------------------------------------------------
class MRRBuilder(_Owned):
    """The mergeable state of an MRR bridge (an rtn_mrr_builder).

    ``first_period``, ``last_period``: the table's window (None: the earliest and latest period
    of any row); period indices in PERIOD_MIN … PERIOD_MAX (with a unit also datetime64 or
    datetime.datetime times, converted to their period). Both are properties that may change at
    any time (setting None goes back to the default).

    ``unit``: None (default: add() takes period indices), or "day", "week", "month", "quarter"
    or a length in seconds (an int): add() then takes times (int Unix seconds or datetime64) and
    files each row under the period of that unit containing it (calendar_period(), local
    calendar ``utc_offset_minutes``); the table's ``period_start`` and ``dates`` then name the
    periods. The unit is a Python-side setting, kept by pickle and copy() but not by to_bytes()
    (give it to from_bytes()); merge() requires equal units.

    Feed it with add(), combine partial builders with merge(), carry them with to_bytes() /
    from_bytes() or pickle, and compute an MRRTable with table() (the builder is unchanged and
    can take more rows afterwards).
    """

    _free = "rtn_mrr_builder_free"

    def __init__(self, first_period=None, last_period=None, unit=None, utc_offset_minutes=0):
        self._handle = None
        self._unit, self._offset = _unit_of(unit, utc_offset_minutes, "rtn_mrr_builder_create")
        handle = _mrr_builder_p()
        _call("rtn_mrr_builder_create", ctypes.byref(handle), None)
        self._handle = handle
        try:
            self.set(first_period=first_period, last_period=last_period)
        except BaseException:
            self.close()
            raise

    # -- parameters
    @property
    def unit(self):
        """None (period indices) or the unit that times are bucketed into."""
        return self._unit

    @property
    def utc_offset_minutes(self):
        return self._offset

    def _get(self, param):
        """The parameter's value (set, or the default from the rows); None if neither exists."""
        f = "rtn_mrr_builder_get"
        value = ctypes.c_int64()
        try:
            _call(f, self._live(f), param, ctypes.byref(value))
        except RetentionError as error:
            if error.code == EUNDEFINED:
                return None
            raise
        return value.value

    def set(self, *, first_period=None, last_period=None):
        """Sets the window's first and/or last period (None leaves one unchanged; see the class
        docstring). Either both are applied or, on RetentionError (EINVAL for a period outside
        PERIOD_MIN … PERIOD_MAX) or TypeError, none. Returns the builder."""
        f = "rtn_mrr_builder_set"
        handle = self._live(f)
        steps = [(param, _window_value(value, self._unit, self._offset, f))
                 for param, value in ((_FIRST, first_period), (_LAST, last_period))
                 if value is not None]
        for param, value in steps:  # checked above: cannot fail
            _call(f, handle, param, value)
        return self

    def _unset(self, param):
        """Goes back to the default of ``param``."""
        f = "rtn_mrr_builder_unset"
        _call(f, self._live(f), param)

    def _is_set(self, param):
        f = "rtn_mrr_builder_is_set"
        flag = ctypes.c_int32()
        _call(f, self._live(f), param, ctypes.byref(flag))
        return bool(flag.value)

    @property
    def first_period(self):
        """The window's first period: the one set, else the earliest period of any row; None
        when neither exists. Set None to go back to the default."""
        return self._get(_FIRST)

    @first_period.setter
    def first_period(self, value):
        if value is None:
            self._unset(_FIRST)
        else:
            self.set(first_period=value)

    @property
    def last_period(self):
        """The window's last period (the observation end): the one set, else the latest period
        of any row; None when neither exists. Set None to go back to the default."""
        return self._get(_LAST)

    @last_period.setter
    def last_period(self, value):
        if value is None:
            self._unset(_LAST)
        else:
            self.set(last_period=value)

    # -- data
    def add(self, customer, period, mrr):
        """Adds rows: customer[i] paid mrr[i] in period[i] (an index in PERIOD_MIN …
        PERIOD_MAX; with a unit, a time). Columns of equal length in any order; rows of earlier
        calls and repeated (customer, period) pairs add up. Nothing is added if an error is
        raised: EINVAL for columns of different lengths; EDOMAIN (bad_index) for a period out of
        range (or a time outside TIME_MIN … TIME_MAX), a negative, NaN or infinite amount, or an
        integer id or period that is not a whole int64; EOVERFLOW if a customer's MRR in a period
        would pass the largest double. Returns the builder."""
        f = "rtn_mrr_builder_add"
        handle = self._live(f)
        arrays, pointers = _rows(customer, period, mrr, self._unit, self._offset, f)
        bad = _no_index()
        _call(f, handle, *pointers, arrays[0].size, ctypes.byref(bad), bad_index=bad)
        return self

    def merge(self, other):
        """Adds ``other``'s rows into this builder, which becomes exactly the builder of both
        inputs (any partition of the rows). This builder's window is kept; ``other`` is
        unchanged. EINVAL for merging a builder into itself or builders of different units;
        EOVERFLOW. Returns the builder."""
        f = "rtn_mrr_builder_merge"
        if not isinstance(other, MRRBuilder):
            raise TypeError("merge: expected an MRRBuilder, got %r" % type(other).__name__)
        if (self._unit, self._offset) != (other._unit, other._offset):
            raise RetentionError(EINVAL, f, detail="builders of different units (%r, %r)"
                                 % (self._unit, other._unit))
        _call(f, self._live(f), other._live(f))
        return self

    def to_bytes(self):
        """The builder's state in the library's versioned, little-endian format ("RTNMRRBD",
        version 1, FNV-1a checksum; see mrr.h), window included, for from_bytes(). Equal states
        give equal bytes."""
        f = "rtn_mrr_builder_serialize"
        return _to_bytes(f, self._live(f))

    @classmethod
    def from_bytes(cls, data, unit=None, utc_offset_minutes=0):
        """A builder re-created from to_bytes()'s output (bytes, bytearray, memoryview or a uint8
        array), fully validated: RetentionError ECORRUPT for a truncated or corrupt buffer,
        EVERSION for another format version. ``unit``: as the constructor's (not part of the
        bytes)."""
        f = "rtn_mrr_builder_deserialize"
        unit, offset = _unit_of(unit, utc_offset_minutes, f)
        if isinstance(data, (bytes, bytearray, memoryview)):
            data = np.frombuffer(data, dtype=np.uint8)
        array, pointer = _column(data, np.uint8, f)
        handle = _mrr_builder_p()
        _call(f, ctypes.byref(handle), pointer, array.size, None)
        builder = cls.__new__(cls)
        builder._handle, builder._unit, builder._offset = handle, unit, offset
        return builder

    def __reduce__(self):
        return (type(self).from_bytes, (self.to_bytes(), self._unit, self._offset))

    def copy(self):
        """An independent copy of the builder."""
        return self.from_bytes(self.to_bytes(), self._unit, self._offset)

    def table(self):
        """The MRRTable of everything added so far. EUNDEFINED when no row was added or the
        first period is after the last; EDOMAIN for a window of more than MAX_PERIODS periods;
        EOVERFLOW if a sum would pass the largest double."""
        f = "rtn_mrr_builder_finish"
        handle = self._live(f)
        table = _mrr_table_p()
        _call(f, handle, ctypes.byref(table))
        return MRRTable._own(table, self._unit, self._offset)

    @property
    def window_set(self):
        """(first, last): whether each end of the window is set (True) or follows the rows
        (False). Carried by to_bytes() and pickle."""
        return (self._is_set(_FIRST), self._is_set(_LAST))

    def __repr__(self):
        if self.closed:
            return "<MRRBuilder (closed)>"
        unit = "" if self._unit is None else ", unit=%r" % (self._unit,)
        first_set, last_set = self.window_set
        window = ", ".join("%s=%r" % (name, getattr(self, name))
                           for name, is_set in (("first_period", first_set),
                                                ("last_period", last_set)) if is_set)
        return "MRRBuilder(%s%s)" % (window, unit if window else unit[2:])


def _rows(customer, period, mrr, unit, offset, function):
    """The three columns for C: ([ids, periods, amounts], [their pointers]), equal lengths."""
    ids, ids_p = _customers(customer, function)
    periods, periods_p = _periods(period, unit, offset, function)
    amounts, amounts_p = _column(mrr, np.float64, function)
    _same_length([("customer", ids), ("period", periods), ("mrr", amounts)], function)
    return [ids, periods, amounts], [ids_p, periods_p, amounts_p]


# ---- the table --------------------------------------------------------------------------------
_DOCS = {  # mrr.h's descriptions of the columns
    "start": "MRR at the start: Σ m(c, p − 1).",
    "new": "MRR of first-time payers.",
    "expansion": "Increases of customers who paid in p − 1 and p.",
    "reactivation": "MRR of returning former payers.",
    "contraction": "Decreases (a positive amount) of customers who stayed.",
    "churned": "The p − 1 MRR of customers who stopped paying.",
    "end": "MRR at the end: Σ m(c, p).",
    "start_customers": "Customers paying in p − 1.",
    "new_customers": "First-time payers.",
    "expansion_customers": "Customers who expanded.",
    "reactivation_customers": "Customers who came back.",
    "contraction_customers": "Customers who contracted.",
    "churned_customers": "Customers who stopped paying.",
    "end_customers": "Customers paying in p.",
    "gross_revenue_churn": "(churned + contraction) / start; NaN where start = 0.",
    "net_revenue_churn": "(churned + contraction − expansion − reactivation) / start; NaN where "
                         "start = 0.",
    "nrr": "(start + expansion − contraction − churned) / start; NaN where start = 0.",
    "grr": "(start − contraction − churned) / start; NaN where start = 0.",
    "quick_ratio": "(new + expansion + reactivation) / (churned + contraction); NaN without "
                   "losses.",
}


def _column_property(name):
    def get(self):
        return self._read(name)
    return property(get, doc=_DOCS[name] + " (float64, one value per period)")


class MRRTable(_Owned):
    """The movements of every period of a window (an rtn_mrr_table).

    ``first``: the first period index; ``periods``: the indices first … first + len − 1 (int64);
    len() is the number of periods. One read-only float64 array per column (COLUMNS, read from
    the library on first use): amounts ``start``, ``new``, ``expansion``, ``reactivation``,
    ``contraction``, ``churned``, ``end``; customer counts (whole numbers) ``start_customers``,
    ``new_customers``, ``expansion_customers``, ``reactivation_customers``,
    ``contraction_customers``, ``churned_customers``, ``end_customers``; rates
    ``gross_revenue_churn``, ``net_revenue_churn``, ``nrr``, ``grr``, ``quick_ratio`` (NaN where
    undefined). With a unit (MRRBuilder(unit=…), mrr_movements(unit=…)): ``period_start`` (int64
    Unix seconds of each period's first second) and ``dates`` (the same as datetime64[s]).
    """

    _free = "rtn_mrr_table_free"

    def __init__(self):
        raise TypeError("an MRRTable comes from MRRBuilder.table() or mrr_movements()")

    @classmethod
    def _own(cls, handle, unit=None, offset=0):
        table = cls.__new__(cls)
        table._handle, table._cache, table.unit, table._offset = handle, {}, unit, offset
        try:
            first, count = ctypes.c_int64(), ctypes.c_size_t()
            _call("rtn_mrr_table_periods", handle, ctypes.byref(first), ctypes.byref(count))
        except BaseException:
            table.close()
            raise
        table.first, table._count = first.value, count.value
        return table

    def __len__(self):
        return self._count

    @property
    def periods(self):
        """The period indices of the rows: first, first + 1, … (int64)."""
        return np.arange(self.first, self.first + self._count, dtype=np.int64)

    @property
    def period_start(self):
        """The first second (Unix time) of each period (int64); None without a unit."""
        if self.unit is None:
            return None
        return np.array([calendar_period_start(p, self.unit, utc_offset_minutes=self._offset)
                         for p in self.periods.tolist()], dtype=np.int64)

    @property
    def dates(self):
        """period_start as datetime64[s]; None without a unit."""
        start = self.period_start
        return None if start is None else start.astype("datetime64[s]")

    def _read(self, name):
        """Reads (and caches) one column."""
        f = "rtn_mrr_table_column"
        handle = self._live(f)
        if name not in self._cache:
            array = np.empty(self._count)
            _call(f, handle, COLUMNS.index(name), array.ctypes.data_as(_dp), array.size)
            array.setflags(write=False)
            self._cache[name] = array
        return self._cache[name]

    for _name in COLUMNS:
        locals()[_name] = _column_property(_name)
    del _name

    def column(self, name):
        """The column ``name`` (one of COLUMNS) as a read-only float64 array."""
        if name not in COLUMNS:
            raise ValueError("column: unknown column %r (one of %s)" % (name, ", ".join(COLUMNS)))
        return self._read(name)

    def to_dict(self):
        """{"period": periods, column: array, …} (plain numpy arrays, writable copies)."""
        out = {"period": self.periods}
        out.update((name, np.array(self._read(name))) for name in COLUMNS)
        return out

    def to_frame(self):
        """A pandas DataFrame with one row per period (index "period": the period indices, or,
        with a unit, the periods' start dates) and the COLUMNS in order; the customer counts as
        int64. ImportError if pandas is not installed."""
        try:
            import pandas as pd
        except ImportError as error:
            raise ImportError("MRRTable.to_frame() needs pandas, which is not installed "
                              "(pip install pandas, or apt-get install python3-pandas); the "
                              "table's numpy arrays (.start, .new, …) need nothing") from error
        data = {}
        for name in COLUMNS:
            values = np.array(self._read(name))
            data[name] = values.astype(np.int64) if name.endswith("_customers") else values
        index = pd.Index(self.dates if self.unit is not None else self.periods, name="period")
        return pd.DataFrame(data, index=index)

    def __repr__(self):
        if self.closed:
            return "<MRRTable (closed)>"
        if self._count == 0:
            return "<MRRTable 0 periods>"
        return "<MRRTable %d periods, %d … %d>" % (self._count, self.first,
                                                   self.first + self._count - 1)


def mrr_movements(customer, period, mrr, first_period=None, last_period=None, unit=None,
                  utc_offset_minutes=0):
    """The MRRTable of one set of rows (see the module docstring): MRRBuilder(first_period,
    last_period, unit, utc_offset_minutes).add(customer, period, mrr).table(), or, for period
    indices over their own range, the library's one call rtn_mrr_table_build(). Errors as
    MRRBuilder's; EUNDEFINED for no rows."""
    if first_period is None and last_period is None and unit is None and not utc_offset_minutes:
        f = "rtn_mrr_table_build"
        arrays, pointers = _rows(customer, period, mrr, None, 0, f)
        table, bad = _mrr_table_p(), _no_index()  # EDOMAIN may be about the window
        _call(f, *pointers, arrays[0].size, ctypes.byref(table), ctypes.byref(bad),
              bad_index=bad)
        return MRRTable._own(table)
    with MRRBuilder(first_period, last_period, unit, utc_offset_minutes) as builder:
        return builder.add(customer, period, mrr).table()


__all__ = ["MRRBuilder", "MRRTable", "mrr_movements", "COLUMNS", "PERIOD_MIN", "PERIOD_MAX",
           "MAX_PERIODS"]
