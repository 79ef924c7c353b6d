/**
 * @file retention/calendar.h
 * @brief Bucketing timestamps into periods: days, ISO weeks, calendar months, quarters, or a fixed
 *        number of seconds, in UTC or a fixed UTC offset.
 *
 * A period is identified by its index: the number of whole periods between the period containing
 * 1970-01-01 (local time) and the period containing the time. Indices of consecutive periods are
 * consecutive integers, negative before 1970.
 *
 * - ::RTN_PERIOD_DAY: local calendar days; index = days since 1970-01-01.
 * - ::RTN_PERIOD_WEEK: ISO 8601 weeks, Monday to Sunday; index 0 is the week starting Monday
 *   1969-12-29 (the ISO week containing 1970-01-01).
 * - ::RTN_PERIOD_MONTH: calendar months; index = 12 (year − 1970) + (month − 1).
 * - ::RTN_PERIOD_QUARTER: calendar quarters (Jan–Mar, …); index = 4 (year − 1970) + (month − 1)/3.
 * - ::RTN_PERIOD_SECONDS: fixed-length periods of `seconds` seconds anchored at 1970-01-01T00:00
 *   local time; index = floor((time + offset) / seconds). (30 × 86400 reproduces the common
 *   "day // 30" month approximation.)
 *
 * Times are `int64_t` Unix seconds (UTC), from ::RTN_TIME_MIN (0001-01-01T00:00:00Z) to
 * ::RTN_TIME_MAX (9999-12-31T23:59:59Z); the local calendar is UTC shifted by a fixed offset in
 * minutes, −1440 … 1440 (no daylight-saving rules). Pure functions: thread-safe, no allocation.
 */
#ifndef RETENTION_CALENDAR_H
#define RETENTION_CALENDAR_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Period units. Values are pinned forever. */
typedef enum rtn_period_unit {
    RTN_PERIOD_DAY = 0,
    RTN_PERIOD_WEEK = 1,
    RTN_PERIOD_MONTH = 2,
    RTN_PERIOD_QUARTER = 3,
    RTN_PERIOD_SECONDS = 4
} rtn_period_unit;

/** The earliest supported time: 0001-01-01T00:00:00Z. */
#define RTN_TIME_MIN (-INT64_C(62135596800))
/** The latest supported time: 9999-12-31T23:59:59Z. */
#define RTN_TIME_MAX INT64_C(253402300799)

/**
 * The index of the period containing @p time.
 * @param unit an ::rtn_period_unit.
 * @param seconds the period length for ::RTN_PERIOD_SECONDS (1 … 10^10); ignored otherwise.
 * @param utc_offset_minutes the local calendar's offset from UTC, −1440 … 1440 (e.g. 540 for
 *        Tokyo, −300 for New York in winter).
 * @param[out] period the index.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL @p period, an unknown unit, a length outside its range
 *         or an offset outside ±1440; ::RTN_EDOMAIN for a time outside RTN_TIME_MIN … RTN_TIME_MAX.
 */
RTN_API int rtn_calendar_period(int64_t time, int32_t unit, int64_t seconds,
                                int32_t utc_offset_minutes, int64_t *period);

/**
 * The first second (Unix time, UTC) of the period with index @p period: the inverse of
 * rtn_calendar_period(), so that rtn_calendar_period(start) = period and
 * rtn_calendar_period(start − 1) = period − 1.
 * @return ::RTN_OK; ::RTN_EINVAL as rtn_calendar_period(); ::RTN_EDOMAIN for a period that
 *         contains no supported time (the first supported period may start a little before
 *         ::RTN_TIME_MIN, by less than one period).
 */
RTN_API int rtn_calendar_period_start(int64_t period, int32_t unit, int64_t seconds,
                                      int32_t utc_offset_minutes, int64_t *start);

#ifdef __cplusplus
}
#endif

#endif /* RETENTION_CALENDAR_H */
