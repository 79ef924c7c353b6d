"""Calendar periods and cohort retention tables (retention/calendar.h, retention/cohort.h).

**Periods.** A time (int64 Unix seconds, UTC; or a numpy datetime64) falls in a period of a unit:
"day" (local calendar days), "week" (ISO 8601 weeks, Monday to Sunday), "month" (calendar
months), "quarter" (Jan–Mar, …) or a fixed number of seconds anchored at 1970-01-01T00:00 local
time (30 × 86400 reproduces the common ``day // 30`` month). A period is named by its index: the
number of whole periods between the period containing 1970-01-01 (local time) and the period of
the time, negative before 1970. The local calendar is UTC shifted by a fixed offset in minutes,
−1440 … 1440 (no daylight-saving rules). Supported times run from TIME_MIN
(0001-01-01T00:00:00Z) to TIME_MAX (9999-12-31T23:59:59Z).

**Cohorts.** A customer's *cohort* is the period of their first event, or of their signup time
when one is given (add_signups()). Cell (c, k) of a table counts the distinct customers of cohort
c that were active in period c + k (kind "on", the classic table), in period c + k or any later
one (kind "on-or-after": unbounded, rolling retention), or in any period of bracket k (custom
``brackets`` of period offsets). Retention = active / cohort size. Revenue cells sum the amounts
of the cohort's events in the cell's period(s); revenue retention divides them by the cohort's
period-0 revenue (net revenue retention per cohort).

**Censoring.** Data counts as observed through the observation end E (default: the latest event).
A cell whose period starts after E is *censored*: it could not have been observed, and it is
reported as NaN (status CENSORED), never as 0 % — the classic error of the pandas recipe, whose
``fillna(0)`` turns the unobservable lower-right triangle into zeros. A cell whose period has
started but not ended by E is *partial* (status PARTIAL): its counts are a lower bound.

**Average curve.** average[k] = Σ active[c][k] / Σ size[c] over the cohorts c whose cell k is
*complete* (weighted by cohort size, Amplitude's definition); NaN where no cohort's cell k is
complete. ``average_weight[k]`` is that Σ size.

**Mergeable state.** A CohortBuilder holds each customer's distinct active periods (with their
revenue), not a table, so builders of *any* partition of the events — by customer or not — merge
exactly into the builder of all of them (merge()); to_bytes()/from_bytes() carry a builder across
processes and machines (also used by pickle). Counts merge exactly; revenue is summed with
compensation and is exact to the last bit for amounts that add exactly (whole cents, say).

Columns: C-contiguous numpy int64 customer and time columns (and datetime64[s] times) and
float64 amounts go to C without a copy; anything else is checked and converted once (a time or
id that is not a whole int64 raises RetentionError EDOMAIN with ``bad_index``). Handles are
released by close(), by leaving a ``with`` block, or when the object is garbage-collected; a
closed object raises RetentionError (EINVAL) when used. One thread at a time per builder.
"""
import ctypes
import datetime as _dt
import numbers

import numpy as np

from ._lib import (EBUFSIZE, EDOMAIN, EINVAL, EUNDEFINED, OK, RetentionError, _builder_p, _call,
                   _column, _int, _table_p, lib)

#: The earliest and latest supported times (Unix seconds): 0001-01-01T00:00:00Z and
#: 9999-12-31T23:59:59Z.
TIME_MIN, TIME_MAX = -62135596800, 253402300799

#: Period units by name (rtn_period_unit).
PERIOD_UNITS = {"day": 0, "week": 1, "month": 2, "quarter": 3, "seconds": 4}
_SECONDS = PERIOD_UNITS["seconds"]
#: What a cell counts, by name (rtn_cohort_kind).
COHORT_KINDS = {"on": 0, "on-or-after": 1, "brackets": 2}
_BRACKETS = COHORT_KINDS["brackets"]
#: Cell status values of CohortTable.status (rtn_cohort_cell_status).
COMPLETE, PARTIAL, CENSORED = 0, 1, 2

# rtn_cohort_param
_UNIT, _LENGTH, _OFFSET, _KIND, _END, _MAX = range(6)
_INT32 = (-2**31, 2**31 - 1)


def _name_of(table, code):
    return next(name for name, value in table.items() if value == code)


# ---- scalar arguments -------------------------------------------------------------------------
_EPOCH = _dt.datetime(1970, 1, 1)
_EPOCH_UTC = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def _time(value, function):
    """A time as int64 Unix seconds: an integer, a numpy datetime64 (floored to the second) or a
    datetime.datetime (naive = UTC). EDOMAIN for NaT or a value outside int64."""
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise RetentionError(EDOMAIN, function, detail="the time is NaT")
        value = int(value.astype("datetime64[s]").astype(np.int64))
    elif isinstance(value, _dt.datetime):
        epoch = _EPOCH if value.tzinfo is None else _EPOCH_UTC
        value = (value - epoch) // _dt.timedelta(seconds=1)
    elif not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError("%s: expected a time (int Unix seconds, numpy.datetime64 or "
                        "datetime.datetime), got %r" % (function, value))
    return _int(value, function, code=EDOMAIN)


def _times(values, function):
    """A time column as (contiguous int64 array, pointer): integers, or datetime64 of any unit
    (floored to seconds; datetime64[s] is passed without a copy; NaT is out of range, so the
    library reports it as EDOMAIN at its index)."""
    array = values if isinstance(values, np.ndarray) else np.asarray(values)
    if array.dtype.kind == "M":
        if np.datetime_data(array.dtype)[0] != "s":
            array = array.astype("datetime64[s]")
        array = np.ascontiguousarray(array).view(np.int64)
    return _column(array, np.int64, function)


def _unit(unit, seconds, function):
    """(rtn_period_unit, seconds) from a unit name, or an int length in seconds."""
    if isinstance(unit, numbers.Integral) and not isinstance(unit, bool):
        if seconds is not None and seconds != unit:
            raise TypeError("%s: give the period length once (unit=%r, seconds=%r)"
                            % (function, unit, seconds))
        return _SECONDS, _int(unit, function)
    if not isinstance(unit, str) or unit not in PERIOD_UNITS:
        raise RetentionError(EINVAL, function, detail="unknown period unit %r (one of %s, or an "
                             "int number of seconds)" % (unit, ", ".join(PERIOD_UNITS)))
    code = PERIOD_UNITS[unit]
    if code == _SECONDS and seconds is None:
        raise RetentionError(EINVAL, function, detail='unit "seconds" needs seconds=<length>')
    return code, 0 if seconds is None else _int(seconds, function)


def calendar_period(time, unit="month", seconds=None, utc_offset_minutes=0):
    """The index of the period of ``unit`` that contains ``time`` (see the module docstring):
    days since 1970-01-01, ISO weeks since the week of Monday 1969-12-29, 12 (year − 1970) +
    (month − 1), 4 (year − 1970) + (month − 1) // 3, or floor((time + offset) / seconds).

    ``time``: int Unix seconds, numpy.datetime64 or datetime.datetime (naive = UTC). ``unit``:
    "day", "week", "month", "quarter", "seconds" (with ``seconds`` = the length, 1 … 10**10), or
    the length in seconds as an int. RetentionError EINVAL for an unknown unit, a length or an
    offset (minutes, −1440 … 1440) out of range; EDOMAIN for a time outside TIME_MIN … TIME_MAX.
    """
    f = "rtn_calendar_period"
    code, length = _unit(unit, seconds, f)
    offset = _int(utc_offset_minutes, f, *_INT32)
    out = ctypes.c_int64()
    _call(f, _time(time, f), code, length, offset, ctypes.byref(out))
    return out.value


def calendar_period_start(period, unit="month", seconds=None, utc_offset_minutes=0):
    """The first second (Unix time, UTC) of the period with index ``period``: the inverse of
    calendar_period(), so calendar_period(start) == period and calendar_period(start - 1) ==
    period - 1. Arguments and errors as calendar_period(); EDOMAIN for a period that contains no
    supported time."""
    f = "rtn_calendar_period_start"
    code, length = _unit(unit, seconds, f)
    offset = _int(utc_offset_minutes, f, *_INT32)
    out = ctypes.c_int64()
    _call(f, _int(period, f, code=EDOMAIN), code, length, offset, ctypes.byref(out))
    return out.value


# ---- the builder ------------------------------------------------------------------------------
def _bounds(param):
    lo, hi = ctypes.c_int64(), ctypes.c_int64()
    _call("rtn_cohort_param_bounds", param, ctypes.byref(lo), ctypes.byref(hi))
    return lo.value, hi.value


class _Owned:
    """Owns one C handle: released by close() (idempotent), at garbage collection, or at the end of
    a ``with`` block; any use after that raises RetentionError(EINVAL), never a crash."""

    _free = None  # the C function that releases the handle, set by each subclass

    def close(self):
        """Releases the C object (safe to call more than once)."""
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            getattr(lib, self._free)(handle)

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: the library may already be gone
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def closed(self):
        return not self._handle

    def _live(self, function):
        if not self._handle:
            raise RetentionError(EINVAL, function,
                                 detail="the %s is closed" % type(self).__name__)
        return self._handle


class CohortBuilder(_Owned):
    """The mergeable state of a cohort table (an rtn_cohort_builder).

    ``period``: "day", "week", "month" (default), "quarter", or a fixed length in seconds (an
    int, 1 … 10**10). ``utc_offset_minutes``: the local calendar (−1440 … 1440). ``kind``: "on"
    (default; cell (c, k) = customers active in period c + k) or "on-or-after" (active in c + k
    or later); giving ``brackets`` (strictly increasing period offsets, e.g. [0, 1, 2, 5, 13] for
    the columns "0", "1", "2–4", "5–12") makes the kind "brackets". ``observation_end``: the time
    through which data counts as observed (default: the latest event added). ``max_periods``: at
    most this many columns (0 = no limit). The calendar (period, offset) can change only before
    the first add (else RetentionError EINVAL); the rest at any time, through the properties of
    the same names or set().

    Feed it with add() (and add_signups()), combine partial builders with merge(), carry them
    with to_bytes()/from_bytes() or pickle, and compute a CohortTable with table() (the builder
    is unchanged and can take more events afterwards).
    """

    _free = "rtn_cohort_builder_free"

    def __init__(self, period="month", utc_offset_minutes=0, kind=None, observation_end=None,
                 max_periods=None, brackets=None):
        self._handle = None
        self._brackets = None
        handle = _builder_p()
        _call("rtn_cohort_builder_create", ctypes.byref(handle), None)
        self._handle = handle
        try:
            self.set(period=period, utc_offset_minutes=utc_offset_minutes, kind=kind,
                     observation_end=observation_end, max_periods=max_periods, brackets=brackets)
        except BaseException:
            self.close()
            raise

    # -- parameters
    def _get(self, param):
        value = ctypes.c_int64()
        _call("rtn_cohort_builder_get", self._live("rtn_cohort_builder_get"), param,
              ctypes.byref(value))
        return value.value

    def set(self, *, period=None, utc_offset_minutes=None, kind=None, observation_end=None,
            max_periods=None, brackets=None):
        """Sets the given options (None leaves one unchanged); see the class docstring. Either
        all of them are applied or, on RetentionError, none."""
        f = "rtn_cohort_builder_set"
        handle = self._live(f)
        steps = []  # (param, value), applied in this order: those that may fail first
        if period is not None:
            if isinstance(period, str) and period == "seconds":
                raise RetentionError(EINVAL, f, detail='give a fixed period as its length in '
                                     'seconds, e.g. period=30 * 86400')
            unit, length = _unit(period, None, f)
            steps += [(_LENGTH, length)] if unit == _SECONDS else []
            steps.append((_UNIT, unit))
        if utc_offset_minutes is not None:
            steps.append((_OFFSET, _int(utc_offset_minutes, f)))
        edges = None
        if brackets is not None:
            if kind not in (None, "brackets"):
                raise RetentionError(EINVAL, f, detail="brackets make the kind 'brackets', not %r"
                                     % (kind,))
            edges = np.array([_int(e, "rtn_cohort_builder_set_brackets", 0, 2**32 - 1)
                              for e in brackets], dtype=np.uint32)
        elif kind is not None:
            if not isinstance(kind, str) or kind not in COHORT_KINDS:
                raise RetentionError(EINVAL, f, detail="unknown kind %r (one of %s)"
                                     % (kind, ", ".join(COHORT_KINDS)))
            if COHORT_KINDS[kind] != _BRACKETS:
                steps.append((_KIND, COHORT_KINDS[kind]))
            elif self._brackets is None:
                raise RetentionError(EINVAL, f, detail="kind 'brackets' needs brackets=[edges]")
            else:  # back to the brackets set before
                edges = np.array(self._brackets, dtype=np.uint32)
        if max_periods is not None:
            steps.append((_MAX, _int(max_periods, f)))
        end = None
        if observation_end is not None:
            end = _time(observation_end, f)
            lo, hi = _bounds(_END)
            if not lo <= end <= hi:  # checked now: it is applied last and is hard to undo
                raise RetentionError(EINVAL, f, detail="observation_end %d is outside [%d, %d]"
                                     % (end, lo, hi))
        before = {}
        try:
            for param, value in steps:
                old = self._get(param)
                if old == value:  # not a change (the library refuses even a same-value
                    continue      # calendar "change" once events were added)
                _call(f, handle, param, value)
                before.setdefault(param, old)
            if edges is not None:
                g = "rtn_cohort_builder_set_brackets"
                before.setdefault(_KIND, self._get(_KIND))
                _call(g, handle, edges.ctypes.data_as(ctypes.POINTER(ctypes.c_uint32)),
                      edges.size)
            if end is not None:
                _call(f, handle, _END, end)
        except BaseException:
            for param, value in reversed(list(before.items())):  # back to how it was
                if param == _KIND and value == _BRACKETS and self._brackets is not None:
                    edges = np.array(self._brackets, dtype=np.uint32)
                    lib.rtn_cohort_builder_set_brackets(
                        handle, edges.ctypes.data_as(ctypes.POINTER(ctypes.c_uint32)), edges.size)
                else:
                    lib.rtn_cohort_builder_set(handle, param, value)
            raise
        if edges is not None:
            self._brackets = tuple(int(e) for e in edges)
        return self

    @property
    def period(self):
        """"day", "week", "month", "quarter", or the fixed length in seconds (an int)."""
        unit = self._get(_UNIT)
        return self._get(_LENGTH) if unit == _SECONDS else _name_of(PERIOD_UNITS, unit)

    @period.setter
    def period(self, value):
        self.set(period=value)

    @property
    def utc_offset_minutes(self):
        return self._get(_OFFSET)

    @utc_offset_minutes.setter
    def utc_offset_minutes(self, value):
        self.set(utc_offset_minutes=value)

    @property
    def kind(self):
        """"on", "on-or-after" or "brackets"."""
        return _name_of(COHORT_KINDS, self._get(_KIND))

    @kind.setter
    def kind(self, value):
        self.set(kind=value)

    @property
    def brackets(self):
        """The bracket edges as a tuple when the kind is "brackets", else None."""
        return self._brackets if self._get(_KIND) == _BRACKETS else None

    @brackets.setter
    def brackets(self, edges):
        self.set(brackets=edges)

    @property
    def observation_end(self):
        """The observation end (Unix seconds): the one set, else the latest event added; None
        when neither exists. Setting it fixes it (it cannot be unset)."""
        try:
            return self._get(_END)
        except RetentionError as error:
            if error.code == EUNDEFINED:
                return None
            raise

    @observation_end.setter
    def observation_end(self, value):
        if value is None:
            raise TypeError("observation_end cannot be unset once set")
        self.set(observation_end=value)

    @property
    def max_periods(self):
        """At most this many columns per cohort; 0 = no limit."""
        return self._get(_MAX)

    @max_periods.setter
    def max_periods(self, value):
        self.set(max_periods=value)

    # -- data
    def add(self, customer, time, amount=None):
        """Adds events: customer[i] was active at time[i] and spent amount[i] (amount None: no
        revenue). Columns of equal length in any order; repeated events and customers of earlier
        calls are fine. ``time``: int64 Unix seconds or datetime64 (any unit, floored to the
        second). Nothing is added if an error is raised: EINVAL for columns of different lengths,
        EDOMAIN (bad_index) for a time outside TIME_MIN … TIME_MAX, a NaN or infinite amount, or
        an id or time that is not a whole int64. Returns the builder."""
        f = "rtn_cohort_builder_add"
        handle = self._live(f)
        ids, ids_p, _, times_p, amounts_p = _event_columns(customer, time, amount, f)
        bad = ctypes.c_size_t()
        _call(f, handle, ids_p, times_p, amounts_p, ids.size, ctypes.byref(bad), bad_index=bad)
        return self

    def add_signups(self, customer, signup_time):
        """Anchors customers' cohorts at their signup time instead of their first event: such a
        customer belongs to the signup's period even with no event at all (then inactive from
        period 0 on), and their events before the signup's period are ignored; of several
        signups the earliest counts. Errors as add(). Returns the builder."""
        f = "rtn_cohort_builder_add_signups"
        handle = self._live(f)
        ids, ids_p = _column(customer, np.int64, f)
        times, times_p = _times(signup_time, f)
        _same_length([("customer", ids), ("signup_time", times)], f)
        bad = ctypes.c_size_t()
        _call(f, handle, ids_p, times_p, ids.size, ctypes.byref(bad), bad_index=bad)
        return self

    def merge(self, other):
        """Adds ``other``'s state into this builder, which becomes exactly the builder of both
        inputs (any partition of the events). This builder's parameters are kept; the calendars
        must be equal unless one builder is empty (else EINVAL; also for merging a builder into
        itself). ``other`` is unchanged. Returns the builder."""
        f = "rtn_cohort_builder_merge"
        if not isinstance(other, CohortBuilder):
            raise TypeError("merge: expected a CohortBuilder, got %r" % type(other).__name__)
        _call(f, self._live(f), other._live(f))
        return self

    def to_bytes(self):
        """The builder's state in the library's versioned, little-endian format ("RTNCOHRT",
        version 1, FNV-1a checksum; see cohort.h), for from_bytes()."""
        f = "rtn_cohort_builder_serialize"
        handle = self._live(f)
        size = ctypes.c_size_t()
        code = lib.rtn_cohort_builder_serialize(handle, None, 0, ctypes.byref(size))
        if code != EBUFSIZE:  # the size query answers EBUFSIZE with the size
            raise RetentionError(code if code != OK else EINVAL, f,
                                 detail="the size query returned %d" % code)
        buffer = (ctypes.c_uint8 * size.value)()
        written = ctypes.c_size_t()
        _call(f, handle, buffer, size.value, ctypes.byref(written))
        return bytes(memoryview(buffer)[:written.value])

    @classmethod
    def from_bytes(cls, data):
        """A builder re-created from to_bytes()'s output (bytes, bytearray, memoryview or a uint8
        array), fully validated: RetentionError ECORRUPT for a truncated or corrupt buffer,
        EVERSION for another format version."""
        f = "rtn_cohort_builder_deserialize"
        if isinstance(data, (bytes, bytearray, memoryview)):
            data = np.frombuffer(data, dtype=np.uint8)
        array, pointer = _column(data, np.uint8, f)
        handle = _builder_p()
        _call(f, ctypes.byref(handle), pointer, array.size, None)
        builder = cls.__new__(cls)
        builder._handle, builder._brackets = handle, None
        n_edges = int(array[52:56].view("<u4")[0])  # validated by the library (see cohort.h)
        if n_edges:
            builder._brackets = tuple(int(e) for e in array[88:88 + 4 * n_edges].view("<u4"))
        return builder

    def __reduce__(self):
        return (CohortBuilder.from_bytes, (self.to_bytes(),))

    def copy(self):
        """An independent copy of the builder."""
        return CohortBuilder.from_bytes(self.to_bytes())

    def table(self):
        """The CohortTable of everything added so far. EUNDEFINED when there are no customers;
        EINVAL for an observation end in a period before the first cohort."""
        f = "rtn_cohort_builder_finish"
        handle = self._live(f)
        table = _table_p()
        _call(f, handle, ctypes.byref(table))
        return CohortTable._own(table, self.brackets)

    def __repr__(self):
        if self.closed:
            return "<CohortBuilder (closed)>"
        options = "period=%r, utc_offset_minutes=%d, kind=%r" % (
            self.period, self.utc_offset_minutes, self.kind)
        if self.brackets is not None:
            options += ", brackets=%r" % (list(self.brackets),)
        return "CohortBuilder(%s, max_periods=%d, observation_end=%r)" % (
            options, self.max_periods, self.observation_end)


def _same_length(columns, function):
    sizes = {name: array.size for name, array in columns}
    if len(set(sizes.values())) > 1:
        detail = ", ".join("%s %d" % item for item in sizes.items())
        raise RetentionError(EINVAL, function, detail="columns of different lengths: " + detail)


def _event_columns(customer, time, amount, function):
    """An event log's columns for C — int64 ids, int64 seconds, float64 amounts or None — as
    (ids, ids pointer, times, times pointer, amounts pointer or None), checked for equal
    lengths."""
    ids, ids_p = _column(customer, np.int64, function)
    times, times_p = _times(time, function)
    columns = [("customer", ids), ("time", times)]
    amounts_p = None
    if amount is not None:
        amounts, amounts_p = _column(amount, np.float64, function)
        columns.append(("amount", amounts))
    _same_length(columns, function)
    return ids, ids_p, times, times_p, amounts_p


# ---- the table --------------------------------------------------------------------------------
class CohortTable(_Owned):
    """A finished cohort table (an rtn_cohort_table): one row per cohort (the periods with at
    least one customer, in increasing order), one column per period offset k = 0, 1, … up to the
    observation end's period (at most max_periods), or per bracket.

    Arrays (numpy, read-only, read from the library on first use):
    ``cohort_period`` (int64 period index), ``cohort_start`` (int64 Unix seconds of the period's
    first second) and ``cohort_date`` (the same as datetime64[s]), ``size`` (uint64 customers);
    cohorts × periods: ``active`` (uint64 distinct customers; 0 where censored), ``retention``
    (active / size, NaN where censored), ``revenue`` (sum of amounts, NaN where censored),
    ``revenue_retention`` (revenue / period-0 revenue; NaN where censored or where period-0
    revenue is 0), ``status`` (uint8: COMPLETE 0, PARTIAL 1 = started but not ended by the
    observation end, counts are a lower bound, CENSORED 2 = not started, unobservable);
    per column: ``average`` (Σ active / Σ size over cohorts whose cell is complete; NaN if none)
    and ``average_weight`` (that Σ size, uint64).
    """

    _free = "rtn_cohort_table_free"

    def __init__(self):
        raise TypeError("a CohortTable comes from CohortBuilder.table() or cohort_table()")

    @classmethod
    def _own(cls, handle, brackets=None):
        table = cls.__new__(cls)
        table._handle, table._cache, table.brackets = handle, {}, brackets
        try:
            cohorts, periods = ctypes.c_size_t(), ctypes.c_size_t()
            _call("rtn_cohort_table_dims", handle, ctypes.byref(cohorts), ctypes.byref(periods))
        except BaseException:
            table.close()
            raise
        table.shape = (cohorts.value, periods.value)
        return table

    def _read(self, name, dtype, shape, function, **keys):
        """Reads (and caches) the arrays ``keys`` filled by ``function`` in one call."""
        handle = self._live(function)
        if name not in self._cache:
            arrays = [np.empty(shape, dtype=d) for d in dtype]
            cap = arrays[0].size
            pointers = [a.ctypes.data_as(ctypes.POINTER(np.ctypeslib.as_ctypes_type(a.dtype)))
                        for a in arrays]
            _call(function, handle, *pointers, cap)
            for key, array in zip(keys.get("names", [name]), arrays):
                array.setflags(write=False)
                self._cache[key] = array
        return self._cache[name]

    def _cohorts(self, name):
        return self._read(name, (np.int64, np.int64, np.uint64), self.shape[0],
                          "rtn_cohort_table_cohorts",
                          names=["cohort_period", "cohort_start", "size"])

    def _cells(self, name, dtype, function):
        return self._read(name, (dtype,), self.shape, function)

    @property
    def n_cohorts(self):
        return self.shape[0]

    @property
    def n_periods(self):
        """Number of columns: periods, or brackets."""
        return self.shape[1]

    @property
    def cohort_period(self):
        return self._cohorts("cohort_period")

    @property
    def cohort_start(self):
        return self._cohorts("cohort_start")

    @property
    def cohort_date(self):
        return self.cohort_start.astype("datetime64[s]")

    @property
    def size(self):
        return self._cohorts("size")

    @property
    def active(self):
        return self._cells("active", np.uint64, "rtn_cohort_table_active")

    @property
    def retention(self):
        return self._cells("retention", np.float64, "rtn_cohort_table_retention")

    @property
    def revenue(self):
        return self._cells("revenue", np.float64, "rtn_cohort_table_revenue")

    @property
    def revenue_retention(self):
        return self._cells("revenue_retention", np.float64, "rtn_cohort_table_revenue_retention")

    @property
    def status(self):
        return self._cells("status", np.uint8, "rtn_cohort_table_status")

    def _average(self, name):
        return self._read(name, (np.float64, np.uint64), self.shape[1],
                          "rtn_cohort_table_average", names=["average", "average_weight"])

    @property
    def average(self):
        return self._average("average")

    @property
    def average_weight(self):
        return self._average("average_weight")

    def to_frame(self, values="retention"):
        """A pandas DataFrame of ``values`` ("retention", "active", "revenue",
        "revenue_retention" or "status"), indexed by the cohorts' start dates (datetime64[s],
        named "cohort"), with columns 0 … K−1 (named "period", or "bracket"). Censored cells are
        NaN in the float tables. ImportError if pandas is not installed."""
        if values not in ("retention", "active", "revenue", "revenue_retention", "status"):
            raise ValueError("to_frame: unknown values %r" % (values,))
        try:
            import pandas as pd
        except ImportError as error:
            raise ImportError("CohortTable.to_frame() needs pandas, which is not installed "
                              "(pip install pandas, or apt-get install python3-pandas); the "
                              "table's numpy arrays (.retention, .cohort_date, …) need nothing"
                              ) from error
        data = getattr(self, values)
        index = pd.Index(self.cohort_date, name="cohort")
        columns = pd.RangeIndex(self.shape[1], name="bracket" if self.brackets else "period")
        return pd.DataFrame(np.array(data), index=index, columns=columns)

    def __repr__(self):
        if self.closed:
            return "<CohortTable (closed)>"
        return "<CohortTable %d cohorts x %d %s>" % (self.shape[0], self.shape[1],
                                                      "brackets" if self.brackets else "periods")


def cohort_table(customer, time, amount=None, period="month", kind=None, signups=None,
                 **builder_options):
    """The CohortTable of one set of event columns: a CohortBuilder(period=…, kind=…,
    **builder_options) fed with add(customer, time, amount) (and add_signups(*signups) when
    ``signups`` = (customer, signup_time) is given), finished and released. ``kind`` is "on" by
    default ("brackets" when brackets=… is given). Errors as CohortBuilder's."""
    if signups is None and not builder_options and kind in (None, "on", "on-or-after") and \
            isinstance(period, str) and period in PERIOD_UNITS and period != "seconds":
        f = "rtn_cohort_table_build"  # the library's one-call sugar
        ids, ids_p = _column(customer, np.int64, f)
        times, times_p = _times(time, f)
        columns = [("customer", ids), ("time", times)]
        amounts_p = None
        if amount is not None:
            amounts, amounts_p = _column(amount, np.float64, f)
            columns.append(("amount", amounts))
        _same_length(columns, f)
        table, bad = _table_p(), ctypes.c_size_t()
        _call(f, ids_p, times_p, amounts_p, ids.size, PERIOD_UNITS[period],
              COHORT_KINDS[kind or "on"],
              ctypes.byref(table), ctypes.byref(bad), bad_index=bad)
        return CohortTable._own(table)
    with CohortBuilder(period=period, kind=kind, **builder_options) as builder:
        builder.add(customer, time, amount)
        if signups is not None:
            builder.add_signups(*signups)
        return builder.table()
