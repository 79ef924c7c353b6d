/* Calendar bucketing (retention/calendar.h). Civil dates are computed by counting days from
 * 0000-03-01 in 400-year eras of 146097 days, which puts the leap day at the end of a shifted
 * year and makes month lengths a linear formula (the classic days-from-civil construction).
 * Everything is integer arithmetic on int64: exact, branch-light, no time zone database. */
#include "internal.h"

#define SECONDS_PER_DAY INT64_C(86400)
#define MAX_PERIOD_SECONDS INT64_C(10000000000)

/* floor(a / b) for b > 0 (C division truncates towards zero). */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

int64_t rtn__days_from_civil(int64_t year, int64_t month, int64_t day)
{
    year -= month <= 2;
    int64_t era = floor_div(year, 400);
    int64_t yoe = year - era * 400;                          /* [0, 399] */
    int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;     /* [0, 146096] */
    return era * 146097 + doe - 719468;                      /* 0000-03-01 → 1970-01-01 */
}

void rtn__civil_from_days(int64_t days, int64_t *year, int64_t *month, int64_t *day)
{
    days += 719468;
    int64_t era = floor_div(days, 146097);
    int64_t doe = days - era * 146097;                                   /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);              /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* March = 0 */
    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = yoe + era * 400 + (*month <= 2);
}

int rtn__calendar_check(int32_t unit, int64_t seconds, int32_t utc_offset_minutes)
{
    if (unit < RTN_PERIOD_DAY || unit > RTN_PERIOD_SECONDS)
        return -1;
    if (unit == RTN_PERIOD_SECONDS && (seconds < 1 || seconds > MAX_PERIOD_SECONDS))
        return -1;
    if (utc_offset_minutes < -1440 || utc_offset_minutes > 1440)
        return -1;
    return 0;
}

int64_t rtn__period_of(int64_t time, int32_t unit, int64_t seconds, int32_t offset_minutes)
{
    int64_t local = time + (int64_t)offset_minutes * 60;
    if (unit == RTN_PERIOD_SECONDS)
        return floor_div(local, seconds);
    int64_t days = floor_div(local, SECONDS_PER_DAY);
    if (unit == RTN_PERIOD_DAY)
        return days;
    if (unit == RTN_PERIOD_WEEK)
        return floor_div(days + 3, 7); /* 1970-01-01 was a Thursday: Monday 1969-12-29 is day −3 */
    int64_t y, m, d;
    rtn__civil_from_days(days, &y, &m, &d);
    int64_t months = (y - 1970) * 12 + (m - 1);
    return unit == RTN_PERIOD_MONTH ? months : floor_div(months, 3);
}

int64_t rtn__period_start(int64_t period, int32_t unit, int64_t seconds, int32_t offset_minutes)
{
    int64_t local;
    if (unit == RTN_PERIOD_SECONDS) {
        local = period * seconds;
    } else if (unit == RTN_PERIOD_DAY) {
        local = period * SECONDS_PER_DAY;
    } else if (unit == RTN_PERIOD_WEEK) {
        local = (period * 7 - 3) * SECONDS_PER_DAY;
    } else {
        int64_t months = unit == RTN_PERIOD_MONTH ? period : period * 3;
        int64_t y = 1970 + floor_div(months, 12), m = months - floor_div(months, 12) * 12 + 1;
        local = rtn__days_from_civil(y, m, 1) * SECONDS_PER_DAY;
    }
    return local - (int64_t)offset_minutes * 60;
}

/* The periods that contain a supported time: from RTN_TIME_MIN's to RTN_TIME_MAX's. */
static int period_in_range(int64_t period, int32_t unit, int64_t seconds, int32_t offset)
{
    int64_t lo = rtn__period_of(RTN_TIME_MIN, unit, seconds, offset);
    int64_t hi = rtn__period_of(RTN_TIME_MAX, unit, seconds, offset);
    return period >= lo && period <= hi;
}

int rtn_calendar_period(int64_t time, int32_t unit, int64_t seconds, int32_t utc_offset_minutes,
                        int64_t *period)
{
    if (!period || rtn__calendar_check(unit, seconds, utc_offset_minutes) != 0)
        return RTN_EINVAL;
    if (time < RTN_TIME_MIN || time > RTN_TIME_MAX)
        return RTN_EDOMAIN;
    *period = rtn__period_of(time, unit, seconds, utc_offset_minutes);
    return RTN_OK;
}

int rtn_calendar_period_start(int64_t period, int32_t unit, int64_t seconds,
                              int32_t utc_offset_minutes, int64_t *start)
{
    if (!start || rtn__calendar_check(unit, seconds, utc_offset_minutes) != 0)
        return RTN_EINVAL;
    if (!period_in_range(period, unit, seconds, utc_offset_minutes))
        return RTN_EDOMAIN;
    *start = rtn__period_start(period, unit, seconds, utc_offset_minutes);
    return RTN_OK;
}
