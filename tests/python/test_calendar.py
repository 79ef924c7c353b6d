"""calendar_period() and calendar_period_start() against the datetime and calendar modules.

Expected values are computed here, from Python's proleptic Gregorian calendar (datetime.date,
calendar.timegm, date.isocalendar) and floor division — never from the library's output.
"""
import calendar
import ctypes
import datetime as dt
import random

import numpy as np
import pytest

import retention as rt
from retention import EDOMAIN, EINVAL, _lib

DAY = 86400
TIME_MIN, TIME_MAX = -62135596800, 253402300799
EPOCH = dt.date(1970, 1, 1)


def ts(*fields):
    """Unix seconds of a UTC date-time (year, month, day[, hour, minute, second])."""
    return calendar.timegm(dt.datetime(*fields).timetuple())


def local_date(time, offset):
    """The local calendar date of a Unix time under a fixed UTC offset in minutes (years 1 … 9999
    only: datetime's range)."""
    return EPOCH + dt.timedelta(days=(time + 60 * offset) // DAY)


def ref_period(time, unit, offset=0, seconds=None):
    """The period index, from the definitions in calendar.h, with datetime doing the calendar."""
    local = time + 60 * offset
    if unit == "seconds":
        return local // seconds
    if unit == "day":
        return local // DAY
    d = local_date(time, offset)
    if unit == "week":  # the ISO week's Monday, counted in weeks from Monday 1969-12-29
        monday = d - dt.timedelta(days=d.isoweekday() - 1)
        return (monday - dt.date(1969, 12, 29)).days // 7
    if unit == "month":
        return 12 * (d.year - 1970) + d.month - 1
    if unit == "quarter":
        return 4 * (d.year - 1970) + (d.month - 1) // 3
    raise AssertionError(unit)


def ref_start(period, unit, offset=0, seconds=None):
    """The first second (UTC) of a period, again with datetime doing the calendar."""
    if unit == "seconds":
        return period * seconds - 60 * offset
    if unit == "day":
        first = EPOCH + dt.timedelta(days=period)
    elif unit == "week":
        first = dt.date(1969, 12, 29) + dt.timedelta(weeks=period)
    elif unit == "month":
        first = dt.date(1970 + period // 12, period % 12 + 1, 1)
    elif unit == "quarter":
        first = dt.date(1970 + period // 4, 3 * (period % 4) + 1, 1)
    return (first - EPOCH).days * DAY - 60 * offset


UNITS = ["day", "week", "month", "quarter"]


# ---- fixed points -------------------------------------------------------------------------------
def test_the_epoch_is_period_zero_of_every_unit():
    for unit in UNITS:
        assert rt.calendar_period(0, unit) == 0
        assert rt.calendar_period(-1, unit) == (0 if unit == "week" else -1)  # Wed 1969-12-31
    assert rt.calendar_period(0, "seconds", seconds=7) == 0
    assert rt.calendar_period(-1, "seconds", seconds=7) == -1
    assert rt.calendar_period_start(0, "week") == ts(1969, 12, 29)
    assert rt.calendar_period(ts(1969, 12, 28, 23, 59, 59), "week") == -1  # a Sunday


@pytest.mark.parametrize("year", [1969, 1970, 1999, 2000, 2023, 2024, 2100])
def test_month_ends(year):
    for month in range(1, 13):
        days = calendar.monthrange(year, month)[1]
        index = 12 * (year - 1970) + month - 1
        first, last = ts(year, month, 1), ts(year, month, days, 23, 59, 59)
        assert rt.calendar_period(first, "month") == index
        assert rt.calendar_period(last, "month") == index
        assert rt.calendar_period(last + 1, "month") == index + 1
        assert rt.calendar_period(first - 1, "month") == index - 1
        assert rt.calendar_period_start(index, "month") == first
        assert rt.calendar_period_start(index + 1, "month") - first == days * DAY


def test_leap_years():
    feb29 = ts(2024, 2, 29, 12)
    assert rt.calendar_period(feb29, "month") == 12 * (2024 - 1970) + 1
    assert rt.calendar_period(feb29, "day") == (dt.date(2024, 2, 29) - EPOCH).days
    assert rt.calendar_period(ts(2024, 3, 1) - 1, "month") == 12 * (2024 - 1970) + 1
    assert rt.calendar_period(ts(2024, 3, 1), "month") == 12 * (2024 - 1970) + 2
    for year, leap in [(1900, False), (2000, True), (2023, False), (2024, True), (2100, False),
                       (1600, True), (4, True), (9996, True), (9900, False)]:
        assert calendar.isleap(year) == leap
        february = 12 * (year - 1970) + 1
        length = rt.calendar_period_start(february + 1, "month") - \
            rt.calendar_period_start(february, "month")
        assert length == (29 if leap else 28) * DAY, year
        # the day after Feb 28 is Feb 29 only in a leap year
        after = ts(year, 2, 28) + DAY
        assert rt.calendar_period(after, "month") == february + (0 if leap else 1), year
        # the year's length in days
        jan1 = rt.calendar_period(ts(year, 1, 1), "day")
        assert rt.calendar_period(ts(year, 12, 31), "day") - jan1 == (365 if leap else 364)


def test_iso_week_53():
    # 2020 has 53 ISO weeks: Thursday 2020-12-31 and Sunday 2021-01-03 are in 2020-W53
    assert dt.date(2020, 12, 31).isocalendar()[:2] == (2020, 53)
    w53 = rt.calendar_period(ts(2020, 12, 31, 18), "week")
    assert rt.calendar_period_start(w53, "week") == ts(2020, 12, 28)  # its Monday
    assert rt.calendar_period(ts(2021, 1, 3, 23, 59, 59), "week") == w53
    assert rt.calendar_period(ts(2021, 1, 4), "week") == w53 + 1  # 2021-W01
    assert w53 == (dt.date(2020, 12, 28) - dt.date(1969, 12, 29)).days // 7
    # 2015-W53 and 2026-W53 too; 2019 ends in 2020-W01
    assert rt.calendar_period(ts(2016, 1, 1), "week") == rt.calendar_period(ts(2015, 12, 28),
                                                                           "week")
    assert rt.calendar_period(ts(2019, 12, 30), "week") == rt.calendar_period(ts(2020, 1, 5),
                                                                             "week")


@pytest.mark.parametrize("offset", [0, 540, -300])
def test_weeks_change_exactly_on_iso_mondays(offset):
    """Over 1996-2031 (several week-53 years), day by day: the local week index advances by one
    exactly when date.isocalendar() starts a new (year, week), and is constant otherwise."""
    day = dt.date(1996, 1, 1)
    noon = ts(1996, 1, 1, 12) - 60 * offset  # local noon
    previous = rt.calendar_period(noon - DAY, "week", utc_offset_minutes=offset)
    previous_iso = (day - dt.timedelta(days=1)).isocalendar()[:2]
    while day.year < 2032:
        index = rt.calendar_period(noon, "week", utc_offset_minutes=offset)
        iso = day.isocalendar()[:2]
        assert index - previous == (1 if iso != previous_iso else 0), day
        assert (iso != previous_iso) == (day.isoweekday() == 1)
        previous, previous_iso = index, iso
        day += dt.timedelta(days=1)
        noon += DAY


def test_negative_times_before_1970():
    t = ts(1969, 7, 20, 20, 17, 40)  # < 0
    assert t < 0
    assert rt.calendar_period(t, "day") == (dt.date(1969, 7, 20) - EPOCH).days
    assert rt.calendar_period(t, "month") == -6
    assert rt.calendar_period(t, "quarter") == -2
    assert rt.calendar_period(t, "week") == ref_period(t, "week")
    assert rt.calendar_period(ts(1900, 1, 1), "month") == -70 * 12
    assert rt.calendar_period(ts(1900, 3, 1) - 1, "month") == -70 * 12 + 1
    assert rt.calendar_period(-DAY, "day") == -1
    assert rt.calendar_period(-DAY - 1, "day") == -2
    assert rt.calendar_period(-7, "seconds", seconds=7) == -1
    assert rt.calendar_period(-8, "seconds", seconds=7) == -2
    assert rt.calendar_period_start(-1, "month") == ts(1969, 12, 1)
    assert rt.calendar_period_start(-1, "quarter") == ts(1969, 10, 1)
    assert rt.calendar_period_start(-1, "week") == ts(1969, 12, 22)


def test_the_supported_range_ends():
    assert TIME_MIN == ts(1, 1, 1) and TIME_MAX == ts(9999, 12, 31, 23, 59, 59)
    assert (rt.TIME_MIN, rt.TIME_MAX) == (TIME_MIN, TIME_MAX)
    assert rt.calendar_period(TIME_MIN, "month") == 12 * (1 - 1970)
    assert rt.calendar_period(TIME_MAX, "month") == 12 * (9999 - 1970) + 11
    assert rt.calendar_period(TIME_MAX, "quarter") == 4 * (9999 - 1970) + 3
    assert rt.calendar_period(TIME_MIN, "day") == (dt.date(1, 1, 1) - EPOCH).days
    assert rt.calendar_period(TIME_MAX, "day") == (dt.date(9999, 12, 31) - EPOCH).days
    assert dt.date(1, 1, 1).isoweekday() == 1  # 0001-01-01 is a Monday: its week starts there
    assert rt.calendar_period_start(rt.calendar_period(TIME_MIN, "week"), "week") == TIME_MIN
    for unit in UNITS:
        assert rt.calendar_period_start(rt.calendar_period(TIME_MIN, unit), unit) == TIME_MIN
        assert rt.calendar_period(TIME_MAX, unit) == ref_period(TIME_MAX, unit)


def test_offsets_beyond_the_years_1_to_9999():
    # one day off UTC, the local calendar reaches 0000-12-31 and 10000-01-01
    assert rt.calendar_period(TIME_MIN, "day", utc_offset_minutes=-1440) == \
        (dt.date(1, 1, 1) - EPOCH).days - 1
    assert rt.calendar_period(TIME_MIN, "month", utc_offset_minutes=-1440) == 12 * (0 - 1970) + 11
    assert rt.calendar_period(TIME_MAX, "month", utc_offset_minutes=1440) == 12 * (10000 - 1970)
    assert rt.calendar_period(TIME_MAX, "quarter",
                              utc_offset_minutes=1440) == 4 * (10000 - 1970)
    # the first supported period may start before TIME_MIN (by less than a period) ...
    december_0 = 12 * (0 - 1970) + 11  # local December of year 0 = UTC 0000-12-02T00:00 ...
    assert rt.calendar_period_start(december_0, "month", utc_offset_minutes=-1440) == \
        TIME_MIN - 30 * DAY
    # ... the one before contains no supported time
    with pytest.raises(rt.RetentionError) as info:
        rt.calendar_period_start(december_0 - 1, "month", utc_offset_minutes=-1440)
    assert info.value.code == EDOMAIN
    january_10000 = 12 * (10000 - 1970)
    assert rt.calendar_period_start(january_10000, "month", utc_offset_minutes=1440) == \
        TIME_MAX + 1 - DAY
    with pytest.raises(rt.RetentionError) as info:
        rt.calendar_period_start(january_10000 + 1, "month", utc_offset_minutes=1440)
    assert info.value.code == EDOMAIN


# ---- offsets, quarters, fixed lengths -----------------------------------------------------------
def test_utc_offsets():
    # Tokyo (+9:00): 15:00Z is midnight of the next local day
    assert rt.calendar_period(ts(1970, 1, 1, 14, 59, 59), "day", utc_offset_minutes=540) == 0
    assert rt.calendar_period(ts(1970, 1, 1, 15), "day", utc_offset_minutes=540) == 1
    assert rt.calendar_period(ts(2024, 1, 31, 15), "month", utc_offset_minutes=540) == \
        12 * (2024 - 1970) + 1
    assert rt.calendar_period_start(12 * (2024 - 1970) + 1, "month", utc_offset_minutes=540) == \
        ts(2024, 1, 31, 15)
    # New York in winter (-5:00): 04:59:59Z is still the previous local day
    assert rt.calendar_period(ts(1970, 1, 1, 4, 59, 59), "day", utc_offset_minutes=-300) == -1
    assert rt.calendar_period(ts(1970, 1, 1, 5), "day", utc_offset_minutes=-300) == 0
    assert rt.calendar_period(ts(2025, 1, 1, 4), "quarter", utc_offset_minutes=-300) == \
        4 * (2024 - 1970) + 3
    assert rt.calendar_period_start(0, "day", utc_offset_minutes=-300) == 5 * 3600
    # ±1440: exactly one day
    for t in (0, ts(2021, 3, 14, 1, 59), ts(1955, 12, 31, 23, 59, 59)):
        day = rt.calendar_period(t, "day")
        assert rt.calendar_period(t, "day", utc_offset_minutes=1440) == day + 1
        assert rt.calendar_period(t, "day", utc_offset_minutes=-1440) == day - 1
    assert rt.calendar_period(ts(2023, 12, 31), "month", utc_offset_minutes=1440) == \
        12 * (2024 - 1970)
    assert rt.calendar_period(ts(2024, 1, 1), "month", utc_offset_minutes=-1440) == \
        12 * (2023 - 1970) + 11
    # the week of a Sunday 23:00Z is the next one in Tokyo
    sunday = ts(2024, 6, 2, 23)
    assert rt.calendar_period(sunday, "week", utc_offset_minutes=540) == \
        rt.calendar_period(sunday, "week") + 1


def test_quarters():
    for year in (1969, 1970, 2024):
        for month in range(1, 13):
            index = 4 * (year - 1970) + (month - 1) // 3
            assert rt.calendar_period(ts(year, month, 15), "quarter") == index
        for q in range(4):
            index = 4 * (year - 1970) + q
            assert rt.calendar_period_start(index, "quarter") == ts(year, 3 * q + 1, 1)
    assert rt.calendar_period(ts(2024, 3, 31, 23, 59, 59), "quarter") == 4 * 54
    assert rt.calendar_period(ts(2024, 4, 1), "quarter") == 4 * 54 + 1


def test_fixed_lengths_in_seconds():
    month30 = 30 * DAY
    for day in (0, 29, 30, 59, 60, 719, 720, -1, -30, -31):
        assert rt.calendar_period(day * DAY, "seconds", seconds=month30) == day // 30
        assert rt.calendar_period(day * DAY, month30) == day // 30  # the length as the unit
    assert rt.calendar_period(10**11, "seconds", seconds=10**10) == 10
    assert rt.calendar_period(-1, "seconds", seconds=10**10) == -1
    assert rt.calendar_period(3599, 3600, utc_offset_minutes=1) == 1  # floor((t + 60) / 3600)
    assert rt.calendar_period(ts(2000, 1, 1), 1) == ts(2000, 1, 1)  # 1-second periods
    assert rt.calendar_period_start(-3, "seconds", seconds=1000) == -3000
    assert rt.calendar_period_start(5, 7 * DAY, utc_offset_minutes=-300) == 35 * DAY + 300 * 60
    # "seconds" is ignored by the other units
    assert rt.calendar_period(ts(2000, 5, 5), "month", seconds=12345) == 12 * 30 + 4


def test_datetime_scalars():
    t = ts(2024, 2, 29, 23, 59, 59)
    assert rt.calendar_period(np.datetime64("2024-02-29T23:59:59"), "month") == \
        rt.calendar_period(t, "month")
    assert rt.calendar_period(np.datetime64("1969-12-31T23:59:59.5"), "day") == -1  # floored
    assert rt.calendar_period(dt.datetime(2024, 2, 29, 23, 59, 59), "day") == t // DAY
    tokyo = dt.timezone(dt.timedelta(hours=9))
    assert rt.calendar_period(dt.datetime(2024, 3, 1, 8, 59, 59, tzinfo=tokyo), "day") == t // DAY


# ---- the inverse property, on random times ------------------------------------------------------
@pytest.mark.parametrize("unit, seconds", [("day", None), ("week", None), ("month", None),
                                           ("quarter", None), ("seconds", 30 * DAY),
                                           ("seconds", 3600), ("seconds", 10**10),
                                           ("seconds", 7)])
def test_period_start_inverts_period_on_random_times(unit, seconds):
    r = random.Random(hash((unit, seconds)) & 0xFFFF)
    offsets = [0, 540, -300, 1440, -1440, 330, -59]
    times = [r.randint(TIME_MIN, TIME_MAX) for _ in range(1500)]
    times += [r.randint(-4 * 10**9, 4 * 10**9) for _ in range(1500)]
    times += [TIME_MIN, TIME_MAX, 0, -1, 1]
    for t in times:
        offset = r.choice(offsets)
        p = rt.calendar_period(t, unit, seconds, offset)
        start = rt.calendar_period_start(p, unit, seconds, offset)
        assert start <= t, (t, offset)
        if start >= TIME_MIN:
            assert rt.calendar_period(start, unit, seconds, offset) == p
        if start - 1 >= TIME_MIN:
            assert rt.calendar_period(start - 1, unit, seconds, offset) == p - 1
        if 1 <= (t + 60 * offset) // DAY + 719163 and \
                (t + 60 * offset) // DAY + 719163 <= 3652059:  # local date within years 1..9999
            assert p == ref_period(t, unit, offset, seconds), (t, offset)
            if unit != "seconds" and start >= TIME_MIN:
                assert start == ref_start(p, unit, offset, seconds)
        elif unit == "seconds":
            assert p == (t + 60 * offset) // seconds


# ---- errors -------------------------------------------------------------------------------------
def test_errors(fails):
    f = rt.calendar_period
    g = rt.calendar_period_start
    error = fails(EINVAL, f, 0, "fortnight")
    assert "fortnight" in str(error)
    fails(EINVAL, g, 0, "year")
    fails(EINVAL, f, 0, "seconds")  # the length is required
    for bad in (0, -1, -86400, 10**10 + 1):
        fails(EINVAL, f, 0, "seconds", seconds=bad)
        fails(EINVAL, g, 0, "seconds", seconds=bad)
        fails(EINVAL, f, 0, bad)
    for bad in (1441, -1441, 10**6, 2**31, 2**40):
        fails(EINVAL, f, 0, "day", utc_offset_minutes=bad)
        fails(EINVAL, g, 0, "day", utc_offset_minutes=bad)
    for bad in (TIME_MIN - 1, TIME_MAX + 1, -2**63, 2**63 - 1):
        for unit in UNITS:
            fails(EDOMAIN, f, bad, unit)
        fails(EDOMAIN, f, bad, "seconds", seconds=60)
    fails(EDOMAIN, f, 2**63)  # beyond int64: checked before ctypes could wrap it
    fails(EDOMAIN, f, np.datetime64("NaT"))
    for unit in UNITS:
        fails(EDOMAIN, g, 10**15, unit)
        fails(EDOMAIN, g, -10**15, unit)
    fails(EDOMAIN, g, rt.calendar_period(TIME_MAX, "month") + 1, "month")
    fails(EDOMAIN, g, rt.calendar_period(TIME_MIN, "day") - 1, "day")
    fails(EDOMAIN, g, 2**63 - 1, "seconds", seconds=1)
    # the extremes of the ranges are accepted
    assert f(TIME_MIN, "seconds", seconds=10**10) == TIME_MIN // 10**10
    assert f(0, "day", utc_offset_minutes=1440) == 1 and f(0, "day", utc_offset_minutes=-1440) == -1
    for bad in (1.5, "0", None, True):
        with pytest.raises(TypeError):
            f(bad)
    with pytest.raises(TypeError):
        f(0, "day", utc_offset_minutes=1.0)


def test_the_library_itself_rejects_unknown_units_and_null_outputs():
    """The checks of the C functions, not only of the Python wrapper."""
    out = ctypes.c_int64(12345)
    for function in (_lib.lib.rtn_calendar_period, _lib.lib.rtn_calendar_period_start):
        for unit in (-1, 5, 2**31 - 1):
            assert function(0, unit, 86400, 0, ctypes.byref(out)) == EINVAL
        assert function(0, 0, 0, 0, None) == EINVAL
        assert function(0, 4, 0, 0, ctypes.byref(out)) == EINVAL
        assert function(0, 0, 0, 1441, ctypes.byref(out)) == EINVAL
        assert out.value == 12345  # outputs untouched on error
    assert _lib.lib.rtn_calendar_period(TIME_MAX + 1, 0, 0, 0, ctypes.byref(out)) == EDOMAIN
    assert out.value == 12345
