/* Fuzz target: the calendar (period of a time, first second of a period) on any time, unit,
 * length and UTC offset, against an independent civil-calendar implementation; and the status
 * strings (rtn_strerror of any code, the version).
 *
 * Invariants: parameters outside their documented ranges are refused with RTN_EINVAL, times
 * outside RTN_TIME_MIN … RTN_TIME_MAX with RTN_EDOMAIN; otherwise the period is the one the
 * reference computes (days, ISO weeks from Monday 1969-12-29, months and quarters from the
 * proleptic Gregorian calendar, fixed lengths from 1970-01-01 local time), its start is at or
 * before the time and the next period's start after it, start and period are inverse, and
 * periods never decrease as time increases. */
#include "fuzz.h"

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

/* Year and month (1-12) of a day count since 1970-01-01 (the civil-from-days construction). */
static void civil(int64_t days, int64_t *year, int64_t *month)
{
    int64_t z = days + 719468, era = floor_div(z, 146097), doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = yoe + era * 400 + (*month <= 2);
}

static int64_t reference_period(int64_t time, int32_t unit, int64_t seconds, int32_t offset)
{
    int64_t local = time + (int64_t)offset * 60, days = floor_div(local, 86400), y, m;
    switch (unit) {
    case RTN_PERIOD_DAY:
        return days;
    case RTN_PERIOD_WEEK:
        return floor_div(days + 3, 7); /* 1970-01-01 was a Thursday */
    case RTN_PERIOD_MONTH:
        civil(days, &y, &m);
        return 12 * (y - 1970) + (m - 1);
    case RTN_PERIOD_QUARTER:
        civil(days, &y, &m);
        return 4 * (y - 1970) + (m - 1) / 3;
    default:
        return floor_div(local, seconds);
    }
}

static int64_t fuzz_time(fuzz_input *in)
{
    uint8_t how = fuzz_byte(in);
    if (how < 8) { /* the ends of the range, exactly and one past */
        static const int64_t ends[] = {RTN_TIME_MIN,     RTN_TIME_MIN - 1, RTN_TIME_MAX,
                                       RTN_TIME_MAX + 1, 0,                -1,
                                       INT64_MIN,        INT64_MAX};
        return ends[how];
    }
    int64_t raw = (int64_t)fuzz_raw64(in);
    if (how < 128) /* near 1970, where the day, week and month boundaries are dense */
        return raw % (INT64_C(200) * 365 * 86400);
    if (how < 250) /* anywhere in the supported range */
        return RTN_TIME_MIN + (int64_t)((uint64_t)raw % (uint64_t)(RTN_TIME_MAX - RTN_TIME_MIN + 1));
    return raw;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    /* the status strings: any code has a message */
    int32_t code = (int32_t)(fuzz_raw64(&in) >> 32);
    const char *msg = rtn_strerror(code);
    FUZZ_CHECK(msg != NULL && msg[0] != '\0');
    const char *version = rtn_version_string();
    FUZZ_CHECK(version != NULL && version[0] != '\0' && rtn_version_number() > 0);

    while (in.left > 0) {
        uint8_t u = fuzz_byte(&in);
        int32_t unit = u < 250 ? (int32_t)(u % 5) : (int32_t)(u - 252); /* -2 … 3 past the end */
        uint8_t how = fuzz_byte(&in);
        int64_t seconds = how < 200   ? 1 + (int64_t)(fuzz_u64(&in) % 3000000) * (how % 7 + 1)
                          : how < 240 ? INT64_C(10000000000) - (how - 200) % 3 + 1
                                      : (int64_t)fuzz_raw64(&in);
        how = fuzz_byte(&in);
        int32_t offset = how < 240 ? ((int32_t)how - 120) * 12 + (int32_t)(how % 2)
                                   : (int32_t)(how - 245) * 1441 + (how & 1 ? 1 : -1);
        int64_t t1 = fuzz_time(&in), t2 = fuzz_time(&in);
        int valid = unit >= 0 && unit <= RTN_PERIOD_SECONDS &&
                    (unit != RTN_PERIOD_SECONDS || (seconds >= 1 && seconds <= INT64_C(10000000000))) &&
                    offset >= -1440 && offset <= 1440;
        int64_t p1 = INT64_MIN + 42, p2;
        int rc = rtn_calendar_period(t1, unit, seconds, offset, &p1);
        if (!valid) {
            FUZZ_CHECK(rc == RTN_EINVAL && p1 == INT64_MIN + 42);
            FUZZ_CHECK(rtn_calendar_period_start(0, unit, seconds, offset, &p2) == RTN_EINVAL);
            continue;
        }
        if (t1 < RTN_TIME_MIN || t1 > RTN_TIME_MAX) {
            FUZZ_CHECK(rc == RTN_EDOMAIN && p1 == INT64_MIN + 42);
            continue;
        }
        FUZZ_CHECK(rc == RTN_OK && p1 == reference_period(t1, unit, seconds, offset));

        /* the period's start: at or before t1, the inverse of the period */
        int64_t start = 0, next = 0, q = 0;
        FUZZ_CHECK(rtn_calendar_period_start(p1, unit, seconds, offset, &start) == RTN_OK);
        FUZZ_CHECK(start <= t1);
        if (start >= RTN_TIME_MIN) {
            FUZZ_CHECK(rtn_calendar_period(start, unit, seconds, offset, &q) == RTN_OK && q == p1);
            if (start - 1 >= RTN_TIME_MIN)
                FUZZ_CHECK(rtn_calendar_period(start - 1, unit, seconds, offset, &q) == RTN_OK &&
                           q == p1 - 1);
        } else {
            FUZZ_CHECK(start > RTN_TIME_MIN - (unit == RTN_PERIOD_SECONDS ? seconds : 93 * 86400));
        }
        rc = rtn_calendar_period_start(p1 + 1, unit, seconds, offset, &next);
        FUZZ_CHECK(rc == RTN_OK || (rc == RTN_EDOMAIN && p1 == reference_period(RTN_TIME_MAX, unit,
                                                                                  seconds, offset)));
        if (rc == RTN_OK) {
            FUZZ_CHECK(next > t1);
            if (next <= RTN_TIME_MAX)
                FUZZ_CHECK(rtn_calendar_period(next, unit, seconds, offset, &q) == RTN_OK &&
                           q == p1 + 1);
        }

        /* monotone in time */
        if (rtn_calendar_period(t2, unit, seconds, offset, &p2) == RTN_OK)
            FUZZ_CHECK((t1 <= t2) == (p1 <= p2) || p1 == p2);

        /* any period index: a start inside the range maps back to it */
        int64_t any = (int64_t)fuzz_raw64(&in) % (fuzz_byte(&in) < 128 ? 100000 : INT64_MAX);
        rc = rtn_calendar_period_start(any, unit, seconds, offset, &start);
        FUZZ_CHECK(rc == RTN_OK || rc == RTN_EDOMAIN);
        if (rc == RTN_OK && start >= RTN_TIME_MIN && start <= RTN_TIME_MAX)
            FUZZ_CHECK(rtn_calendar_period(start, unit, seconds, offset, &q) == RTN_OK && q == any);
        if (rc == RTN_EDOMAIN) /* no supported time in it: the range's ends are elsewhere */
            FUZZ_CHECK(any < reference_period(RTN_TIME_MIN, unit, seconds, offset) ||
                       any > reference_period(RTN_TIME_MAX, unit, seconds, offset));
    }
    return 0;
}
