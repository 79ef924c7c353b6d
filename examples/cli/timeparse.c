/* ISO 8601 / Unix-seconds parser. The calendar arithmetic counts days from 0000-03-01 in 400-year
 * eras (146097 days each), which makes leap days the last day of a shifted year and the month
 * lengths a linear formula — the classic civil-from-days construction. */
#include "timeparse.h"

#include <stddef.h>
#include <stdio.h>

int64_t days_from_civil(int64_t year, int month, int day)
{
    year -= month <= 2; /* the shifted year starts in March */
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t year_of_era = year - era * 400;                                  /* [0, 399] */
    int64_t month_shifted = month > 2 ? month - 3 : month + 9;               /* March = 0 */
    int64_t day_of_year = (153 * month_shifted + 2) / 5 + day - 1;           /* [0, 365] */
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468; /* 719468 = days from 0000-03-01 to 1970-01-01 */
}

void format_time(int64_t time, int32_t offset_minutes, char *buf, size_t len)
{
    int64_t local = time + (int64_t)offset_minutes * 60;
    int64_t days = local / 86400 - (local % 86400 < 0), secs = local - days * 86400;
    /* civil from days: the inverse of days_from_civil, in the same March-based eras */
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2);
    if (secs == 0)
        snprintf(buf, len, "%04lld-%02lld-%02lld", (long long)year, (long long)month,
                 (long long)day);
    else
        snprintf(buf, len, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", (long long)year,
                 (long long)month, (long long)day, (long long)(secs / 3600),
                 (long long)(secs / 60 % 60), (long long)(secs % 60));
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int64_t y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* Exactly `count` decimal digits at *p into *value; advances *p. */
static int digits(const char **p, int count, int *value)
{
    int v = 0;
    for (int i = 0; i < count; ++i) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += count;
    *value = v;
    return 0;
}

static int fail(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return -1;
}

static int parse_unix(const char *s, int64_t *out, const char **why)
{
    const char *p = s;
    int negative = *p == '-';
    if (*p == '-' || *p == '+')
        ++p;
    if (*p == '\0')
        return fail(why, "not a time");
    int64_t v = 0;
    for (; *p; ++p) {
        if (*p < '0' || *p > '9')
            return fail(why, "not Unix seconds or an ISO 8601 date");
        if (v > (INT64_MAX - (*p - '0')) / 10)
            return fail(why, "Unix seconds out of range");
        v = v * 10 + (*p - '0');
    }
    *out = negative ? -v : v;
    return 0;
}

int parse_time(const char *s, int64_t *out, const char **why)
{
    /* YYYY-MM-DD… is recognised by its fifth character */
    size_t len = 0;
    while (s[len] && len < 5)
        ++len;
    if (len < 5 || s[4] != '-')
        return parse_unix(s, out, why);

    const char *p = s;
    int year, month, day, hour = 0, minute = 0, second = 0, offset = 0;
    if (digits(&p, 4, &year) || *p++ != '-' || digits(&p, 2, &month) || *p++ != '-' ||
        digits(&p, 2, &day))
        return fail(why, "not an ISO 8601 date (YYYY-MM-DD)");
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
        return fail(why, "no such date");
    if (*p == 'T' || *p == ' ') {
        ++p;
        if (digits(&p, 2, &hour) || *p++ != ':' || digits(&p, 2, &minute))
            return fail(why, "not an ISO 8601 time (HH:MM[:SS])");
        if (*p == ':') {
            ++p;
            if (digits(&p, 2, &second))
                return fail(why, "not an ISO 8601 time (HH:MM:SS)");
            if (*p == '.' || *p == ',') { /* fraction: truncated */
                ++p;
                if (*p < '0' || *p > '9')
                    return fail(why, "empty fraction of a second");
                while (*p >= '0' && *p <= '9')
                    ++p;
            }
        }
        if (hour > 23 || minute > 59 || second > 59)
            return fail(why, "no such time of day");
        if (*p == 'Z') {
            ++p;
        } else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
            if (digits(&p, 2, &oh))
                return fail(why, "bad UTC offset");
            if (*p == ':')
                ++p;
            if (*p && digits(&p, 2, &om))
                return fail(why, "bad UTC offset");
            if (oh > 23 || om > 59)
                return fail(why, "bad UTC offset");
            offset = sign * (oh * 3600 + om * 60);
        }
    }
    if (*p != '\0')
        return fail(why, "unexpected characters after the date");
    *out = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
    return 0;
}
