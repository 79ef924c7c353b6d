/* The `retention` tool's time parser (examples/cli/timeparse.c). Expected seconds from Python's
 * datetime.fromisoformat(...).timestamp() (an independent implementation of the calendar). */
#include <string.h>

#include "rtn_test.h"
#include "timeparse.h"

static void iso_dates_and_times(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t seconds;
    } cases[] = {
        {"1970-01-01", INT64_C(0)},
        {"2024-02-29", INT64_C(1709164800)},
        {"2024-03-01T12:30", INT64_C(1709296200)},
        {"2024-03-01 12:30:15.999", INT64_C(1709296215)}, /* fractions truncated */
        {"2024-03-01T12:30:15Z", INT64_C(1709296215)},
        {"2024-03-01T12:30:15+02:00", INT64_C(1709289015)},
        {"2024-03-01T12:30:15-0530", INT64_C(1709316015)},
        {"1969-12-31T23:59:59Z", INT64_C(-1)},
        {"1900-03-01", INT64_C(-2203891200)},
        {"2000-02-29", INT64_C(951782400)},
        {"9999-12-31T23:59:59", INT64_C(253402300799)},
        {"0001-01-01", INT64_C(-62135596800)},
        {"2038-01-19T03:14:08Z", INT64_C(2147483648)},
        {"1700000000", INT64_C(1700000000)}, /* Unix seconds */
        {"-86400", INT64_C(-86400)},
        {"0", INT64_C(0)},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        int64_t got = 0;
        const char *why = NULL;
        if (parse_time(cases[i].text, &got, &why) != 0 || got != cases[i].seconds) {
            print_error("%s: got %lld (%s), expected %lld\n", cases[i].text, (long long)got,
                        why ? why : "ok", (long long)cases[i].seconds);
            fail();
        }
    }
}

static void every_day_of_four_centuries(void **state)
{
    (void)state;
    /* consecutive dates are consecutive days: 1900-01-01 … 2299-12-31, 146097 days */
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t expected = days_from_civil(1900, 1, 1);
    assert_int_equal(expected, -25567); /* 70 years of 365 days and 17 leap days before 1970 */
    for (int y = 1900; y < 2300; ++y) {
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        for (int m = 1; m <= 12; ++m)
            for (int d = 1; d <= len[m - 1] + (m == 2 && leap); ++d)
                assert_int_equal(days_from_civil(y, m, d), expected++);
    }
    assert_int_equal(expected - days_from_civil(1900, 1, 1), 146097);
}

static void rejects_bad_times(void **state)
{
    (void)state;
    const char *bad[] = {"",           "abc",         "2024-13-01",        "2023-02-29",
                         "2024-04-31", "2024-1-01",   "2024-03-01T25:00",  "2024-03-01T12:60",
                         "2024-03-01T12:30:61", "2024-03-01T12", "2024-03-01x", "2024-03-01T12:30+2",
                         "2024-03-01T12:30+24:00", "12.5",    "99999999999999999999", "1e9",
                         "2024-03-01T12:30:15.", "-"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        int64_t out = 42;
        const char *why = NULL;
        if (parse_time(bad[i], &out, &why) != -1 || out != 42 || !why || !*why) {
            print_error("'%s' was accepted as %lld\n", bad[i], (long long)out);
            fail();
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(iso_dates_and_times),
        cmocka_unit_test(every_day_of_four_centuries),
        cmocka_unit_test(rejects_bad_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
