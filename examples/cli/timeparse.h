/* Times in CSV fields: Unix seconds ("1700000000", "-86400") or ISO 8601 dates and date-times
 * ("2024-03-01", "2024-03-01T12:30", "2024-03-01 12:30:15.250", with "Z" or a "+02:00" / "-0530"
 * offset; no offset means UTC). Fractions of a second are truncated towards the past. */
#ifndef RETENTION_CLI_TIMEPARSE_H
#define RETENTION_CLI_TIMEPARSE_H

#include <stddef.h>
#include <stdint.h>

/* 0 and *out = seconds since 1970-01-01T00:00:00Z, or -1 with a short reason in *why. */
int parse_time(const char *s, int64_t *out, const char **why);

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12, day 1-31, no validation). */
int64_t days_from_civil(int64_t year, int month, int day);

/* ISO 8601 text of a time in a local calendar offset from UTC by offset_minutes: "YYYY-MM-DD"
 * when the local time is midnight, else "YYYY-MM-DDTHH:MM:SS". buf needs 20 bytes. */
void format_time(int64_t time, int32_t offset_minutes, char *buf, size_t len);

#endif
