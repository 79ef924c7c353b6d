/* Calendar bucketing and cohort tables. Expected values: Python's datetime (calendar indices,
 * ISO weeks via date.isocalendar()), tables worked by hand below, and a brute-force table
 * computed here from the raw events (for the randomised merge and serialisation tests). */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "rtn_test.h"

#define DAY INT64_C(86400)

/* ---- calendar ----------------------------------------------------------------------------------- */

/* time → (day, ISO week, month, quarter) indices, from Python's datetime (see the note above) */
static const struct {
    int64_t time, day, week, month, quarter;
} calendar_cases[] = {
    {INT64_C(1609459199), 18627, 2661, 611, 203},        /* 2020-12-31T23:59:59Z: ISO 2020-W53 */
    {INT64_C(1609675200), 18630, 2661, 612, 204},        /* 2021-01-03: still 2020-W53 */
    {INT64_C(1609718400), 18631, 2662, 612, 204},        /* 2021-01-04: 2021-W01 */
    {INT64_C(1709251199), 19782, 2826, 649, 216},        /* 2024-02-29T23:59:59Z: leap day */
    {INT64_C(-1), -1, 0, -1, -1},                        /* 1969-12-31T23:59:59Z */
    {INT64_C(-2203977600), -25509, -3644, -839, -280},   /* 1900-02-28: 1900 is not leap */
    {INT64_C(951825600), 11016, 1574, 361, 120},         /* 2000-02-29: 2000 is */
    {INT64_C(-62135596800), -719162, -102737, -23628, -7876}, /* 0001-01-01 */
    {INT64_C(253402300799), 2932896, 418985, 96359, 32119},   /* 9999-12-31T23:59:59Z */
};

static void calendar_indices(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof calendar_cases / sizeof calendar_cases[0]; ++i) {
        int64_t p;
        const int64_t want[4] = {calendar_cases[i].day, calendar_cases[i].week,
                                 calendar_cases[i].month, calendar_cases[i].quarter};
        for (int32_t unit = RTN_PERIOD_DAY; unit <= RTN_PERIOD_QUARTER; ++unit) {
            assert_int_equal(rtn_calendar_period(calendar_cases[i].time, unit, 0, 0, &p), RTN_OK);
            assert_int_equal(p, want[unit]);
        }
        assert_int_equal(rtn_calendar_period(calendar_cases[i].time, RTN_PERIOD_SECONDS, 30 * DAY,
                                             0, &p),
                         RTN_OK);
        /* day // 30, floored */
        int64_t d = calendar_cases[i].day;
        assert_int_equal(p, d >= 0 ? d / 30 : -((-d + 29) / 30));
    }
}

static void calendar_offsets_and_starts(void **state)
{
    (void)state;
    int64_t p, s;
    /* 2024-03-31T20:00Z is 2024-04-01 05:00 in Tokyo (+09:00): April there, March in UTC */
    assert_int_equal(rtn_calendar_period(INT64_C(1711915200), RTN_PERIOD_MONTH, 0, 540, &p), RTN_OK);
    assert_int_equal(p, 651);
    assert_int_equal(rtn_calendar_period(INT64_C(1711915200), RTN_PERIOD_MONTH, 0, 0, &p), RTN_OK);
    assert_int_equal(p, 650);
    assert_int_equal(rtn_calendar_period_start(651, RTN_PERIOD_MONTH, 0, 540, &s), RTN_OK);
    assert_int_equal(s, INT64_C(1711897200)); /* 2024-04-01T00:00+09:00 */
    /* 2024-01-01T03:00Z is still 2023-12-31 in New York (−05:00) */
    assert_int_equal(rtn_calendar_period(INT64_C(1704078000), RTN_PERIOD_MONTH, 0, -300, &p), RTN_OK);
    assert_int_equal(p, 647);
    assert_int_equal(rtn_calendar_period(INT64_C(1704078000), RTN_PERIOD_DAY, 0, -300, &p), RTN_OK);
    assert_int_equal(p, 19722);
    assert_int_equal(rtn_calendar_period_start(2662, RTN_PERIOD_WEEK, 0, 0, &s), RTN_OK);
    assert_int_equal(s, INT64_C(1609718400)); /* Monday 2021-01-04 */
    assert_int_equal(rtn_calendar_period_start(217, RTN_PERIOD_QUARTER, 0, 0, &s), RTN_OK);
    assert_int_equal(s, INT64_C(1711929600)); /* 2024-04-01 */
}

/* start(period(t)) ≤ t < start(period(t) + 1), for every unit, over times spread across the whole
 * supported range and offsets from −1440 to +1440 minutes. */
static void calendar_start_inverts_period(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 20000; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int64_t t = RTN_TIME_MIN + (int64_t)(x % (uint64_t)(RTN_TIME_MAX - RTN_TIME_MIN));
        if (i % 4 == 0)
            t = (int64_t)(x % (200 * 365 * DAY)) - 100 * 365 * DAY; /* near 1970 */
        int32_t offset = (int32_t)(x >> 40) % 2881 - 1440;
        int32_t unit = (int32_t)((x >> 20) % 5);
        int64_t seconds = 1 + (int64_t)((x >> 8) % 1000000);
        int64_t p, s0, s1;
        assert_int_equal(rtn_calendar_period(t, unit, seconds, offset, &p), RTN_OK);
        assert_int_equal(rtn_calendar_period_start(p, unit, seconds, offset, &s0), RTN_OK);
        assert_true(s0 <= t);
        if (rtn_calendar_period_start(p + 1, unit, seconds, offset, &s1) == RTN_OK)
            assert_true(t < s1);
    }
}

static void calendar_bad_input(void **state)
{
    (void)state;
    int64_t p = 77;
    assert_int_equal(rtn_calendar_period(0, 5, 0, 0, &p), RTN_EINVAL);
    assert_int_equal(rtn_calendar_period(0, -1, 0, 0, &p), RTN_EINVAL);
    assert_int_equal(rtn_calendar_period(0, RTN_PERIOD_SECONDS, 0, 0, &p), RTN_EINVAL);
    assert_int_equal(rtn_calendar_period(0, RTN_PERIOD_SECONDS, -5, 0, &p), RTN_EINVAL);
    assert_int_equal(rtn_calendar_period(0, RTN_PERIOD_SECONDS, INT64_C(10000000001), 0, &p),
                     RTN_EINVAL);
    assert_int_equal(rtn_calendar_period(0, RTN_PERIOD_DAY, 0, 1441, &p), RTN_EINVAL);
    assert_int_equal(rtn_calendar_period(0, RTN_PERIOD_DAY, 0, -1441, &p), RTN_EINVAL);
    assert_int_equal(rtn_calendar_period(RTN_TIME_MAX + 1, RTN_PERIOD_DAY, 0, 0, &p), RTN_EDOMAIN);
    assert_int_equal(rtn_calendar_period(RTN_TIME_MIN - 1, RTN_PERIOD_DAY, 0, 0, &p), RTN_EDOMAIN);
    assert_int_equal(rtn_calendar_period(INT64_MIN, RTN_PERIOD_MONTH, 0, 0, &p), RTN_EDOMAIN);
    assert_int_equal(rtn_calendar_period(0, RTN_PERIOD_DAY, 0, 0, NULL), RTN_EINVAL);
    assert_int_equal(rtn_calendar_period_start(INT64_MAX, RTN_PERIOD_MONTH, 0, 0, &p), RTN_EDOMAIN);
    assert_int_equal(rtn_calendar_period_start(INT64_MIN, RTN_PERIOD_SECONDS, 7, 0, &p),
                     RTN_EDOMAIN);
    assert_int_equal(rtn_calendar_period_start(0, 9, 0, 0, &p), RTN_EINVAL);
    assert_int_equal(p, 77);
}

/* ---- hand-worked tables ------------------------------------------------------------------------- */

/* Four customers over January–March 1970 (times in days), observed through day 62 (March 4):
 *   1: Jan 1, Feb 1, Mar 4     spending 10, 5, 2
 *   3: Jan 1                   3
 *   4: Jan 1, Mar 4            4, 6            (a gap in February)
 *   2: Feb 1, Feb 10           7, 1
 * Cohorts: January {1, 3, 4}, February {2}. */
static const int64_t ev_customer[] = {1, 1, 1, 3, 4, 4, 2, 2};
static const int64_t ev_day[] = {0, 31, 62, 0, 0, 62, 31, 40};
static const double ev_amount[] = {10, 5, 2, 3, 4, 6, 7, 1};
#define EVENTS 8

typedef struct table_view {
    size_t rows, cols;
    int64_t period[8], start[8];
    uint64_t size[8], active[64], weight[16];
    double retention[64], revenue[64], revret[64], average[16];
    uint8_t status[64];
} table_view;

static void view(const rtn_cohort_table *t, table_view *v)
{
    memset(v, 0, sizeof *v);
    assert_int_equal(rtn_cohort_table_dims(t, &v->rows, &v->cols), RTN_OK);
    assert_true(v->rows <= 8 && v->rows * v->cols <= 64);
    assert_int_equal(rtn_cohort_table_cohorts(t, v->period, v->start, v->size, 8), RTN_OK);
    assert_int_equal(rtn_cohort_table_active(t, v->active, 64), RTN_OK);
    assert_int_equal(rtn_cohort_table_retention(t, v->retention, 64), RTN_OK);
    assert_int_equal(rtn_cohort_table_revenue(t, v->revenue, 64), RTN_OK);
    assert_int_equal(rtn_cohort_table_revenue_retention(t, v->revret, 64), RTN_OK);
    assert_int_equal(rtn_cohort_table_status(t, v->status, 64), RTN_OK);
    assert_int_equal(rtn_cohort_table_average(t, v->average, v->weight, 16), RTN_OK);
}

static rtn_cohort_builder *hand_builder(void)
{
    int64_t time[EVENTS];
    for (int i = 0; i < EVENTS; ++i)
        time[i] = ev_day[i] * DAY;
    rtn_cohort_builder *b = NULL;
    assert_int_equal(rtn_cohort_builder_create(&b, NULL), RTN_OK);
    assert_int_equal(rtn_cohort_builder_add(b, ev_customer, time, ev_amount, EVENTS, NULL), RTN_OK);
    return b;
}

static void finish_view(const rtn_cohort_builder *b, table_view *v)
{
    rtn_cohort_table *t = NULL;
    assert_int_equal(rtn_cohort_builder_finish(b, &t), RTN_OK);
    view(t, v);
    rtn_cohort_table_free(t);
}

#define C RTN_CELL_COMPLETE
#define P RTN_CELL_PARTIAL
#define X RTN_CELL_CENSORED

static void table_return_on(void **state)
{
    (void)state;
    rtn_cohort_builder *b = hand_builder();
    table_view v;
    finish_view(b, &v);
    assert_int_equal(v.rows, 2);
    assert_int_equal(v.cols, 3);
    assert_int_equal(v.period[0], 0);
    assert_int_equal(v.period[1], 1);
    assert_int_equal(v.start[1], 31 * DAY);
    assert_int_equal(v.size[0], 3);
    assert_int_equal(v.size[1], 1);
    const uint64_t active[6] = {3, 1, 2, 1, 0, 0};
    const uint8_t status[6] = {C, C, P, C, P, X};
    assert_memory_equal(v.active, active, sizeof active);
    assert_memory_equal(v.status, status, sizeof status);
    assert_rel(v.retention[0], 1.0, RTN_TOL);
    assert_rel(v.retention[1], 1.0 / 3.0, RTN_TOL);
    assert_rel(v.retention[2], 2.0 / 3.0, RTN_TOL); /* partial: reported */
    assert_rel(v.retention[3], 1.0, RTN_TOL);
    assert_true(v.retention[4] == 0.0);
    assert_true(isnan(v.retention[5])); /* censored: never 0 % */
    const double revenue[5] = {17, 5, 8, 8, 0};
    for (int i = 0; i < 5; ++i)
        assert_rel(v.revenue[i], revenue[i], RTN_TOL);
    assert_true(isnan(v.revenue[5]));
    assert_rel(v.revret[1], 5.0 / 17.0, RTN_TOL);
    assert_rel(v.revret[2], 8.0 / 17.0, RTN_TOL);
    assert_true(isnan(v.revret[5]));
    /* average over complete cells: k0 = (3 + 1) / (3 + 1), k1 = 1 / 3 (February's is partial) */
    assert_rel(v.average[0], 1.0, RTN_TOL);
    assert_rel(v.average[1], 1.0 / 3.0, RTN_TOL);
    assert_true(isnan(v.average[2]));
    assert_int_equal(v.weight[0], 4);
    assert_int_equal(v.weight[1], 3);
    assert_int_equal(v.weight[2], 0);
    rtn_cohort_builder_free(b);
}

static void table_on_or_after_brackets_max_periods(void **state)
{
    (void)state;
    rtn_cohort_builder *b = hand_builder();
    table_view v;
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_KIND, RTN_COHORT_RETURN_ON_OR_AFTER),
                     RTN_OK);
    finish_view(b, &v);
    const uint64_t rolling[6] = {3, 2, 2, 1, 0, 0}; /* customer 4 counts in February too */
    assert_memory_equal(v.active, rolling, sizeof rolling);

    const uint32_t edges[] = {0, 1, 3}; /* "period 0" and "periods 1–2" */
    assert_int_equal(rtn_cohort_builder_set_brackets(b, edges, 3), RTN_OK);
    finish_view(b, &v);
    assert_int_equal(v.cols, 2);
    const uint64_t bracketed[4] = {3, 2, 1, 0};
    const uint8_t bstatus[4] = {C, P, C, P}; /* March is partial; February's 1–2 starts in March */
    assert_memory_equal(v.active, bracketed, sizeof bracketed);
    assert_memory_equal(v.status, bstatus, sizeof bstatus);
    assert_rel(v.revenue[1], 5 + 2 + 6, RTN_TOL);
    /* brackets that skip period 0: revenue retention is still relative to period 0's revenue */
    const uint32_t later[] = {1, 3};
    assert_int_equal(rtn_cohort_builder_set_brackets(b, later, 2), RTN_OK);
    finish_view(b, &v);
    assert_int_equal(v.cols, 1);
    assert_rel(v.revret[0], (5.0 + 2 + 6) / 17.0, RTN_TOL);

    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_KIND, RTN_COHORT_RETURN_ON), RTN_OK);
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_MAX_PERIODS, 2), RTN_OK);
    finish_view(b, &v);
    assert_int_equal(v.cols, 2);
    const uint64_t capped[4] = {3, 1, 1, 0};
    assert_memory_equal(v.active, capped, sizeof capped);
    rtn_cohort_builder_free(b);
}

/* Cohorts far apart against the data (1-second periods over months) are found by sorting, not
 * through a map over their range; the rows come out in period order whatever the customer order. */
static void table_sparse_cohorts(void **state)
{
    (void)state;
    const int64_t customer[] = {1, 1, 2, 3, 3, 2};
    const int64_t time[] = {10000000, 10000002, 0, 1000000, 1000001, 1};
    rtn_cohort_builder *b = NULL;
    assert_int_equal(rtn_cohort_builder_create(&b, NULL), RTN_OK);
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_SECONDS), RTN_OK);
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_SECONDS, 1), RTN_OK);
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_MAX_PERIODS, 3), RTN_OK);
    assert_int_equal(rtn_cohort_builder_add(b, customer, time, NULL, 6, NULL), RTN_OK);
    table_view v;
    finish_view(b, &v);
    assert_int_equal(v.rows, 3);
    assert_int_equal(v.cols, 3);
    const int64_t period[3] = {0, 1000000, 10000000};
    const uint64_t size[3] = {1, 1, 1};
    /* customer 2: seconds 0, 1; customer 3: 0, 1; customer 1: 0, 2 (the observation end) */
    const uint64_t active[9] = {1, 1, 0, 1, 1, 0, 1, 0, 1};
    assert_memory_equal(v.period, period, sizeof period);
    assert_memory_equal(v.size, size, sizeof size);
    assert_memory_equal(v.active, active, sizeof active);
    rtn_cohort_builder_free(b);
}

static void table_signups_and_observation_end(void **state)
{
    (void)state;
    rtn_cohort_builder *b = hand_builder();
    /* 5 signs up in January and never comes; 6 signs up in February, with an event in January
     * (before the signup: ignored) and one in February */
    const int64_t sc[] = {5, 6, 6};
    const int64_t st[] = {3 * DAY, 35 * DAY, 50 * DAY}; /* 6's earliest signup is kept */
    const int64_t ec[] = {6, 6};
    const int64_t et[] = {10 * DAY, 45 * DAY};
    assert_int_equal(rtn_cohort_builder_add_signups(b, sc, st, 3, NULL), RTN_OK);
    assert_int_equal(rtn_cohort_builder_add(b, ec, et, NULL, 2, NULL), RTN_OK);
    table_view v;
    finish_view(b, &v);
    assert_int_equal(v.size[0], 4);
    assert_int_equal(v.size[1], 2);
    const uint64_t active[6] = {3, 1, 2, 2, 0, 0};
    assert_memory_equal(v.active, active, sizeof active);
    assert_rel(v.retention[0], 0.75, RTN_TOL); /* a signup need not be active in period 0 */

    /* observed through February 15: March censored, February partial */
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_OBSERVATION_END, 45 * DAY), RTN_OK);
    int64_t end = 0;
    assert_int_equal(rtn_cohort_builder_get(b, RTN_COHORT_OBSERVATION_END, &end), RTN_OK);
    assert_int_equal(end, 45 * DAY);
    finish_view(b, &v);
    assert_int_equal(v.cols, 2);
    const uint8_t status[4] = {C, P, P, X};
    assert_memory_equal(v.status, status, sizeof status);
    assert_true(isnan(v.retention[3]));
    /* rolling retention uses only what was observed: customer 1's and 4's March activity is
     * after the observation end's period, so neither is "active on or after" February */
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_KIND, RTN_COHORT_RETURN_ON_OR_AFTER),
                     RTN_OK);
    finish_view(b, &v);
    const uint64_t rolling[4] = {3, 1, 2, 0};
    assert_memory_equal(v.active, rolling, sizeof rolling);
    rtn_cohort_table *t = NULL;
    /* brackets far out with the longest periods: statuses come from period indices, never from
     * the start of period 10^9 × 10^10 s (which would overflow) */
    {
        rtn_cohort_builder *wide = NULL;
        assert_int_equal(rtn_cohort_builder_create(&wide, NULL), RTN_OK);
        assert_int_equal(rtn_cohort_builder_set(wide, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_SECONDS),
                         RTN_OK);
        assert_int_equal(rtn_cohort_builder_set(wide, RTN_COHORT_PERIOD_SECONDS,
                                                INT64_C(10000000000)),
                         RTN_OK);
        const uint32_t far[] = {0, 1000000000};
        assert_int_equal(rtn_cohort_builder_set_brackets(wide, far, 2), RTN_OK);
        const int64_t who[] = {1};
        const int64_t when[] = {0};
        assert_int_equal(rtn_cohort_builder_add(wide, who, when, NULL, 1, NULL), RTN_OK);
        table_view w;
        finish_view(wide, &w);
        assert_int_equal(w.status[0], RTN_CELL_PARTIAL);
        assert_int_equal(w.active[0], 1);
        rtn_cohort_builder_free(wide);
    }
    /* an observation end on a period's last second completes that period */
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_OBSERVATION_END, 59 * DAY - 1), RTN_OK);
    finish_view(b, &v); /* through February 28, 23:59:59 */
    assert_int_equal(v.cols, 2);
    assert_int_equal(v.status[1], RTN_CELL_COMPLETE); /* January cohort, February: complete */
    assert_int_equal(v.status[2], RTN_CELL_COMPLETE); /* February cohort, February */
    assert_int_equal(v.status[3], RTN_CELL_CENSORED); /* February cohort, March */
    /* absurdly fine periods over the data: refused, not gigabytes */
    {
        rtn_cohort_builder *fine = NULL;
        assert_int_equal(rtn_cohort_builder_create(&fine, NULL), RTN_OK);
        assert_int_equal(rtn_cohort_builder_set(fine, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_SECONDS),
                         RTN_OK);
        assert_int_equal(rtn_cohort_builder_set(fine, RTN_COHORT_PERIOD_SECONDS, 1), RTN_OK);
        const int64_t who[] = {1, 2};
        const int64_t when[] = {0, 400 * DAY};
        assert_int_equal(rtn_cohort_builder_add(fine, who, when, NULL, 2, NULL), RTN_OK);
        assert_int_equal(rtn_cohort_builder_finish(fine, &t), RTN_ENOMEM);
        assert_int_equal(rtn_cohort_builder_set(fine, RTN_COHORT_MAX_PERIODS, 100), RTN_OK);
        assert_int_equal(rtn_cohort_builder_finish(fine, &t), RTN_OK);
        rtn_cohort_table_free(t);
        t = NULL;
        rtn_cohort_builder_free(fine);
    }
    /* before the first cohort: nothing could be observed */
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_OBSERVATION_END, -DAY), RTN_OK);
    assert_int_equal(rtn_cohort_builder_finish(b, &t), RTN_EINVAL);
    assert_null(t);
    rtn_cohort_builder_free(b);
}

static void table_one_shot_and_week_periods(void **state)
{
    (void)state;
    /* Thursday 1970-01-01 and Sunday 1970-01-04 are ISO week 0; Monday 1970-01-05 is week 1 */
    const int64_t c[] = {9, 9, 8};
    const int64_t t[] = {0, 3 * DAY + 5, 4 * DAY};
    rtn_cohort_table *tab = NULL;
    assert_int_equal(rtn_cohort_table_build(c, t, NULL, 3, RTN_PERIOD_WEEK, RTN_COHORT_RETURN_ON,
                                            &tab, NULL),
                     RTN_OK);
    table_view v;
    view(tab, &v);
    assert_int_equal(v.rows, 2);
    assert_int_equal(v.period[0], 0);
    assert_int_equal(v.start[0], -3 * DAY); /* Monday 1969-12-29 */
    assert_int_equal(v.size[0], 1);
    assert_int_equal(v.active[0], 1);
    assert_int_equal(v.active[1], 0);
    assert_true(v.revenue[0] == 0.0 && isnan(v.revret[0])); /* no revenue: retention undefined */
    rtn_cohort_table_free(tab);
}

/* ---- randomised: merging and serialising give exactly the table of all the input -------------------- */

#define R_EVENTS 6000
#define R_CUSTOMERS 400

typedef struct events {
    int64_t customer[R_EVENTS], time[R_EVENTS];
    double amount[R_EVENTS];
} events;

static uint64_t rng(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

static void random_events(events *e, uint64_t seed)
{
    for (int i = 0; i < R_EVENTS; ++i) {
        uint64_t r = rng(&seed);
        /* sparse ids, some negative; days −400 … 399 (before and after 1970); whole cents */
        e->customer[i] = ((int64_t)(r % R_CUSTOMERS) - 100) * INT64_C(7919);
        e->time[i] = ((int64_t)((r >> 16) % 800) - 400) * DAY + (int64_t)((r >> 32) % DAY);
        e->amount[i] = (double)((r >> 40) % 100000) / 100.0;
    }
}

/* The table by brute force, for 30-day periods: distinct (customer, period) pairs by an
 * O(n²)-free route — a per-customer bitmap over the 27 periods of the data. */
static void brute_force(const events *e, uint64_t *size, uint64_t *active, double *revenue,
                        int64_t *first_period)
{
    enum { PERIODS = 28, BASE = 14 }; /* periods −14 … 13 */
    static uint8_t seen[R_CUSTOMERS][PERIODS];
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < R_EVENTS; ++i) {
        int64_t day = e->time[i] >= 0 ? e->time[i] / DAY : -((-e->time[i] + DAY - 1) / DAY);
        int64_t p = day >= 0 ? day / 30 : -((-day + 29) / 30);
        seen[e->customer[i] / 7919 + 100][p + BASE] = 1;
    }
    memset(size, 0, PERIODS * sizeof *size);
    memset(active, 0, PERIODS * PERIODS * sizeof *active);
    memset(revenue, 0, PERIODS * PERIODS * sizeof *revenue);
    for (int c = 0; c < R_CUSTOMERS; ++c) {
        int cohort = -1;
        for (int p = 0; p < PERIODS; ++p)
            if (seen[c][p]) {
                if (cohort < 0) {
                    cohort = p;
                    size[cohort]++;
                }
                active[cohort * PERIODS + (p - cohort)]++;
            }
    }
    /* revenue: every event's amount into its customer's cohort row, in whole cents (exact) */
    int64_t cents[PERIODS * PERIODS] = {0};
    for (int i = 0; i < R_EVENTS; ++i) {
        int c = (int)(e->customer[i] / 7919 + 100), cohort = 0;
        while (!seen[c][cohort])
            ++cohort;
        int64_t day = e->time[i] >= 0 ? e->time[i] / DAY : -((-e->time[i] + DAY - 1) / DAY);
        int64_t p = (day >= 0 ? day / 30 : -((-day + 29) / 30)) + BASE;
        cents[cohort * PERIODS + (p - cohort)] += (int64_t)(e->amount[i] * 100.0 + 0.5);
    }
    for (int i = 0; i < PERIODS * PERIODS; ++i)
        revenue[i] = (double)cents[i] / 100.0;
    *first_period = -BASE;
}

static rtn_cohort_builder *thirty_day_builder(void)
{
    rtn_cohort_builder *b = NULL;
    assert_int_equal(rtn_cohort_builder_create(&b, NULL), RTN_OK);
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_SECONDS), RTN_OK);
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_SECONDS, 30 * DAY), RTN_OK);
    return b;
}

/* Everything a table says, for exact comparison. */
typedef struct table_dump {
    size_t rows, cols;
    int64_t *period;
    uint64_t *size, *active;
    double *revenue;
    uint8_t *status;
} table_dump;

static void dump(const rtn_cohort_builder *b, table_dump *d)
{
    rtn_cohort_table *t = NULL;
    assert_int_equal(rtn_cohort_builder_finish(b, &t), RTN_OK);
    assert_int_equal(rtn_cohort_table_dims(t, &d->rows, &d->cols), RTN_OK);
    size_t cells = d->rows * d->cols;
    d->period = malloc(d->rows * sizeof *d->period);
    d->size = malloc(d->rows * sizeof *d->size);
    d->active = malloc(cells * sizeof *d->active);
    d->revenue = malloc(cells * sizeof *d->revenue);
    d->status = malloc(cells);
    assert_true(d->period && d->size && d->active && d->revenue && d->status);
    assert_int_equal(rtn_cohort_table_cohorts(t, d->period, NULL, d->size, d->rows), RTN_OK);
    assert_int_equal(rtn_cohort_table_active(t, d->active, cells), RTN_OK);
    assert_int_equal(rtn_cohort_table_revenue(t, d->revenue, cells), RTN_OK);
    assert_int_equal(rtn_cohort_table_status(t, d->status, cells), RTN_OK);
    rtn_cohort_table_free(t);
}

static void dump_free(table_dump *d)
{
    free(d->period);
    free(d->size);
    free(d->active);
    free(d->revenue);
    free(d->status);
}

static void assert_same(const table_dump *x, const table_dump *y)
{
    assert_int_equal(x->rows, y->rows);
    assert_int_equal(x->cols, y->cols);
    size_t cells = x->rows * x->cols;
    assert_memory_equal(x->period, y->period, x->rows * sizeof *x->period);
    assert_memory_equal(x->size, y->size, x->rows * sizeof *x->size);
    assert_memory_equal(x->active, y->active, cells * sizeof *x->active);
    assert_memory_equal(x->status, y->status, cells);
    /* bit for bit (NaN where censored in both): whole cents add exactly in double-double */
    assert_memory_equal(x->revenue, y->revenue, cells * sizeof *x->revenue);
}

/* x and y finish into the same table, bit for bit. */
static void assert_same_tables(const rtn_cohort_builder *x, const rtn_cohort_builder *y)
{
    table_dump a, b;
    dump(x, &a);
    dump(y, &b);
    assert_same(&a, &b);
    dump_free(&a);
    dump_free(&b);
}

static void random_table_matches_brute_force(void **state)
{
    (void)state;
    static events e;
    random_events(&e, 12345);
    rtn_cohort_builder *b = thirty_day_builder();
    assert_int_equal(rtn_cohort_builder_add(b, e.customer, e.time, e.amount, R_EVENTS, NULL),
                     RTN_OK);
    table_dump d;
    dump(b, &d);
    uint64_t size[28], active[28 * 28];
    double revenue[28 * 28];
    int64_t first;
    brute_force(&e, size, active, revenue, &first);
    for (size_t r = 0; r < d.rows; ++r) {
        int64_t c = d.period[r] - first;
        assert_true(c >= 0 && c < 28);
        assert_int_equal(d.size[r], size[c]);
        for (size_t k = 0; k < d.cols; ++k) {
            uint64_t want = c + (int64_t)k < 28 ? active[c * 28 + (int64_t)k] : 0;
            if (d.status[r * d.cols + k] != RTN_CELL_CENSORED) {
                assert_int_equal(d.active[r * d.cols + k], want);
                /* the sum of whole cents, correctly rounded once: exactly the cents / 100 */
                double rev = c + (int64_t)k < 28 ? revenue[c * 28 + (int64_t)k] : 0.0;
                assert_rel(d.revenue[r * d.cols + k], rev, 1e-15);
            } else {
                assert_int_equal(want, 0); /* censored cells are those past the data */
            }
        }
    }
    dump_free(&d);
    rtn_cohort_builder_free(b);
}

/* A count table (no amounts: finish's branch-free path) cut by an observation end in the middle
 * of the data and by a maximum number of periods, against the brute force: a cell counts its
 * period's customers up to the end's period, a later one is censored and 0. */
static void count_table_cut_matches_brute_force(void **state)
{
    (void)state;
    static events e;
    random_events(&e, 777);
    /* one customer first seen after the end: a cohort of its own, all censored */
    for (int i = 0; i < R_EVENTS; ++i)
        if (e.customer[i] == -100 * INT64_C(7919))
            e.time[i] = 310 * DAY + i;
    uint64_t size[28], active[28 * 28];
    double revenue[28 * 28];
    int64_t first;
    brute_force(&e, size, active, revenue, &first);
    const int64_t end_period = 2; /* periods −14 … 13; the end: day 65 of period 2 */
    assert_int_equal(size[10 - first], 1); /* that customer's cohort, period 10 */
    for (int64_t max_periods = 0; max_periods <= 9; max_periods += 9) {
        rtn_cohort_builder *b = thirty_day_builder();
        assert_int_equal(rtn_cohort_builder_add(b, e.customer, e.time, NULL, R_EVENTS, NULL),
                         RTN_OK);
        assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_OBSERVATION_END, 65 * DAY), RTN_OK);
        assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_MAX_PERIODS, max_periods), RTN_OK);
        table_dump d;
        dump(b, &d);
        size_t want_cols = max_periods ? (size_t)max_periods : (size_t)(end_period - first + 1);
        size_t cohorts = 0;
        for (int c = 0; c < 28; ++c)
            cohorts += size[c] > 0;
        assert_int_equal(d.rows, cohorts);
        assert_int_equal(d.cols, want_cols);
        for (size_t r = 0; r < d.rows; ++r) {
            int64_t c = d.period[r] - first;
            assert_int_equal(d.size[r], size[c]);
            for (size_t k = 0; k < d.cols; ++k) {
                uint8_t status = d.status[r * d.cols + k];
                uint64_t got = d.active[r * d.cols + k];
                if (d.period[r] + (int64_t)k > end_period) {
                    assert_int_equal(status, RTN_CELL_CENSORED);
                    assert_int_equal(got, 0);
                } else {
                    assert_int_equal(got, active[c * 28 + (int64_t)k]);
                    assert_true(d.revenue[r * d.cols + k] == 0.0);
                }
            }
        }
        dump_free(&d);
        rtn_cohort_builder_free(b);
    }
}

static void random_partitions_merge_exactly(void **state)
{
    (void)state;
    static events e;
    random_events(&e, 777);
    rtn_cohort_builder *all = thirty_day_builder();
    assert_int_equal(rtn_cohort_builder_add(all, e.customer, e.time, e.amount, R_EVENTS, NULL),
                     RTN_OK);
    table_dump want;
    dump(all, &want);
    uint64_t seed = 99;
    for (int trial = 0; trial < 12; ++trial) {
        /* odd trials partition by customer, even ones arbitrarily (a customer split across parts) */
        enum { PARTS = 5 };
        rtn_cohort_builder *part[PARTS];
        static events chunk;
        static int owner[R_EVENTS];
        for (int i = 0; i < R_EVENTS; ++i)
            owner[i] = (int)((trial % 2 ? (uint64_t)(e.customer[i] / 7919 + 100) * 31u +
                                              (uint64_t)trial
                                        : rng(&seed)) %
                             PARTS);
        for (int p = 0; p < PARTS; ++p) {
            size_t n = 0;
            for (int i = 0; i < R_EVENTS; ++i) {
                if (owner[i] != p)
                    continue;
                chunk.customer[n] = e.customer[i];
                chunk.time[n] = e.time[i];
                chunk.amount[n++] = e.amount[i];
            }
            part[p] = thirty_day_builder();
            /* in two calls, to exercise merging within a builder too */
            size_t half = n / 2;
            assert_int_equal(rtn_cohort_builder_add(part[p], chunk.customer, chunk.time,
                                                    chunk.amount, half, NULL),
                             RTN_OK);
            assert_int_equal(rtn_cohort_builder_add(part[p], chunk.customer + half,
                                                    chunk.time + half, chunk.amount + half,
                                                    n - half, NULL),
                             RTN_OK);
        }
        /* some parts travel through the byte format */
        for (int p = trial % 2; p < PARTS; p += 2) {
            size_t len = 0;
            assert_int_equal(rtn_cohort_builder_serialize(part[p], NULL, 0, &len), RTN_EBUFSIZE);
            uint8_t *buf = malloc(len);
            assert_non_null(buf);
            assert_int_equal(rtn_cohort_builder_serialize(part[p], buf, len, &len), RTN_OK);
            rtn_cohort_builder_free(part[p]);
            assert_int_equal(rtn_cohort_builder_deserialize(&part[p], buf, len, NULL), RTN_OK);
            free(buf);
        }
        /* merge in a random order into an empty builder */
        rtn_cohort_builder *merged = NULL;
        assert_int_equal(rtn_cohort_builder_create(&merged, NULL), RTN_OK);
        int order[PARTS] = {0, 1, 2, 3, 4};
        for (int i = PARTS - 1; i > 0; --i) {
            int j = (int)(rng(&seed) % (uint64_t)(i + 1)), tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        for (int i = 0; i < PARTS; ++i)
            assert_int_equal(rtn_cohort_builder_merge(merged, part[order[i]]), RTN_OK);
        table_dump got;
        dump(merged, &got);
        assert_same(&got, &want);
        dump_free(&got);
        for (int p = 0; p < PARTS; ++p)
            rtn_cohort_builder_free(part[p]);
        rtn_cohort_builder_free(merged);
    }
    dump_free(&want);
    rtn_cohort_builder_free(all);
}

/* The table does not depend on the customers' ids: relabelling them injectively — here over the
 * whole 64-bit range, which takes the sort's two-key path — gives the same table, bit for bit. */
static void relabelled_customers_give_the_same_table(void **state)
{
    (void)state;
    static events e, wide;
    random_events(&e, 2024);
    wide = e;
    for (int i = 0; i < R_EVENTS; ++i) /* an odd multiplier is a bijection modulo 2^64 */
        wide.customer[i] = (int64_t)((uint64_t)e.customer[i] * UINT64_C(0x9E3779B97F4A7C15));
    for (int with_amount = 0; with_amount < 2; ++with_amount) {
        rtn_cohort_builder *x = thirty_day_builder(), *y = thirty_day_builder();
        const double *amount = with_amount ? e.amount : NULL;
        assert_int_equal(rtn_cohort_builder_add(x, e.customer, e.time, amount, R_EVENTS, NULL),
                         RTN_OK);
        assert_int_equal(rtn_cohort_builder_add(y, wide.customer, wide.time, amount, 4000, NULL),
                         RTN_OK);
        assert_int_equal(rtn_cohort_builder_add(y, wide.customer + 4000, wide.time + 4000,
                                                amount ? amount + 4000 : NULL, R_EVENTS - 4000,
                                                NULL),
                         RTN_OK);
        assert_same_tables(x, y);
        rtn_cohort_builder_free(x);
        rtn_cohort_builder_free(y);
    }
}

/* One large add takes the split into buckets (lib/cohort.c). The reference adds the same events
 * in 32 calls grouped by customer, in input order, each too small to split: no (customer,
 * period) spans two calls, so each revenue is summed in input order on both sides, and amounts
 * over sixty orders of magnitude (where the order of additions shows in the sums) must still
 * give the same bytes; and the same table, with and without amounts, in each of the split's
 * ways of folding a bucket. */
typedef struct split_case {
    int64_t ids, id_step, days, period_seconds;
    /* HOT: half the events from 64 customers in one period (pairs of ~1000 events, where the
     * order of additions shows); FAR: one event in 1024 from one of 20 ids far away, in one
     * period each (buckets of a few events, insertion sorted); WIDE: the ids hashed over all
     * 64 bits (too wide to pack with their periods: the split by customer, then sorts) */
    enum { PLAIN, HOT, FAR, WIDE } shape;
} split_case;

static const split_case split_cases[] = {
    /* 2^17 events over 2^24.3 sparse ids, 30-day periods: buckets sorted */
    {20000, 997, 700, 30 * DAY, PLAIN},
    /* over 2^19 ids, about dense: buckets folded through their bitmap */
    {1 << 19, 1, 700, 30 * DAY, HOT},
    /* 8 customers, minute periods over 1500 days: the split digit holds period bits */
    {8, 1, 1500, 60, PLAIN},
    /* 1000 ids in one bucket, radix sorted, and the far ids' small buckets */
    {1000, 1, 700, 30 * DAY, FAR},
    /* 20000 hashed ids */
    {20000, 1, 700, 30 * DAY, WIDE},
};

static uint8_t *serialize(const rtn_cohort_builder *b, size_t *len);

/* x and y serialise to the same bytes. */
static void assert_same_bytes(const rtn_cohort_builder *x, const rtn_cohort_builder *y)
{
    size_t nx, ny;
    uint8_t *bx = serialize(x, &nx), *by = serialize(y, &ny);
    assert_int_equal(nx, ny);
    assert_memory_equal(bx, by, nx);
    free(bx);
    free(by);
}

static void split_events(const split_case *sc, uint64_t seed, int64_t *customer, int64_t *time,
                         double *amount, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        uint64_t r = rng(&seed);
        customer[i] = (int64_t)(r % (uint64_t)sc->ids) * sc->id_step - 5000000;
        if (sc->shape == WIDE) /* an odd multiplier: distinct ids stay distinct */
            customer[i] = (int64_t)((uint64_t)customer[i] * UINT64_C(0x9E3779B97F4A7C15));
        time[i] = (int64_t)((r >> 20) % (uint64_t)(sc->days * DAY)) - 300 * DAY;
        if ((sc->shape == HOT && r % 2 == 0) || (sc->shape == FAR && r % 1024 == 0)) {
            customer[i] = sc->shape == HOT ? (int64_t)((r >> 8) % 64) - 5000000
                                           : ((int64_t)((r >> 8) % 20) + 1) * (INT64_C(1) << 26);
            time[i] = 17 * DAY;
        }
        /* 1 … 10^4 times 10^-30 … 10^30, either sign */
        amount[i] = (double)((r >> 44) % 10000 + 1) * pow(10.0, (double)((r >> 32) % 61) - 30.0) *
                    ((r >> 60) & 1 ? -1.0 : 1.0);
    }
}

static void large_add_matches_small_adds(void **state)
{
    (void)state;
    enum { N = 1 << 17, GROUPS = 32 };
    int64_t *customer = malloc(N * sizeof *customer), *time = malloc(N * sizeof *time);
    int64_t *gc = malloc(N * sizeof *gc), *gt = malloc(N * sizeof *gt);
    double *amount = malloc(N * sizeof *amount), *ga = malloc(N * sizeof *ga);
    assert_true(customer && time && amount && gc && gt && ga);
    for (size_t c = 0; c < sizeof split_cases / sizeof split_cases[0]; ++c) {
        const split_case *sc = &split_cases[c];
        split_events(sc, 31337 + c, customer, time, amount, N);
        for (int with_amount = 0; with_amount < 2; ++with_amount) {
            rtn_cohort_builder *x = thirty_day_builder(), *y = thirty_day_builder();
            assert_int_equal(rtn_cohort_builder_set(x, RTN_COHORT_PERIOD_SECONDS,
                                                    sc->period_seconds), RTN_OK);
            assert_int_equal(rtn_cohort_builder_set(y, RTN_COHORT_PERIOD_SECONDS,
                                                    sc->period_seconds), RTN_OK);
            assert_int_equal(rtn_cohort_builder_add(x, customer, time, with_amount ? amount : NULL,
                                                    N, NULL), RTN_OK);
            for (uint64_t g = 0; g < GROUPS; ++g) {
                size_t m = 0;
                for (size_t i = 0; i < N; ++i)
                    if ((uint64_t)customer[i] % GROUPS == g) {
                        gc[m] = customer[i];
                        gt[m] = time[i];
                        ga[m++] = amount[i];
                    }
                assert_true(m < 65536); /* too small to split */
                assert_int_equal(rtn_cohort_builder_add(y, gc, gt, with_amount ? ga : NULL, m,
                                                        NULL), RTN_OK);
            }
            assert_same_bytes(x, y);
            if (sc->period_seconds == 30 * DAY) /* minute periods: too many columns */
                assert_same_tables(x, y);
            rtn_cohort_builder_free(x);
            rtn_cohort_builder_free(y);
        }
    }
    free(customer);
    free(time);
    free(amount);
    free(gc);
    free(gt);
    free(ga);
}

/* ---- the byte format: every truncation and every flipped bit is an error, never a crash -------- */

static uint8_t *serialize(const rtn_cohort_builder *b, size_t *len)
{
    assert_int_equal(rtn_cohort_builder_serialize(b, NULL, 0, len), RTN_EBUFSIZE);
    uint8_t *buf = malloc(*len);
    assert_non_null(buf);
    assert_int_equal(rtn_cohort_builder_serialize(b, buf, *len, len), RTN_OK);
    return buf;
}

/* Adds of falling sizes leave the builder several runs (lib/cohort.c, "runs"), which every reader
 * must see merged: against one add of the same events, the same bytes, table and RFM summary.
 * Then each allocation of each reader fails in turn: RTN_ENOMEM with its outputs untouched
 * (leaks: the sanitizer and valgrind builds), and success once the budget suffices. */
static const size_t falling[] = {4400, 1000, 400, 150, 50}; /* each > twice the next */

static rtn_cohort_builder *falling_adds(const events *e, const rtn_allocator *a)
{
    rtn_cohort_builder *b = NULL;
    assert_int_equal(rtn_cohort_builder_create(&b, a), RTN_OK);
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_SECONDS), RTN_OK);
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_SECONDS, 30 * DAY), RTN_OK);
    size_t at = 0;
    for (size_t k = 0; k < sizeof falling / sizeof falling[0]; at += falling[k++])
        assert_int_equal(rtn_cohort_builder_add(b, e->customer + at, e->time + at, e->amount + at,
                                                falling[k], NULL),
                         RTN_OK);
    assert_int_equal(at, R_EVENTS);
    return b;
}

static void rfm_columns(const rtn_cohort_builder *b, double *out /* 4 × R_EVENTS */, size_t *n)
{
    rtn_rfm *r = NULL;
    assert_int_equal(rtn_rfm_from_builder(b, 500 * DAY, 500 * DAY, 1.0, &r), RTN_OK);
    assert_int_equal(rtn_rfm_size(r, n), RTN_OK);
    for (int32_t c = RTN_RFM_X; c <= RTN_RFM_MONETARY; ++c)
        assert_int_equal(rtn_rfm_column(r, c, out + (size_t)c * R_EVENTS, R_EVENTS), RTN_OK);
    rtn_rfm_free(r);
}

/* Events added without amounts keep no revenue (lib/cohort_state.h: a NULL revenue array), which
 * must be indistinguishable from amounts of 0: the same bytes, table and RFM summary, through
 * every path — one large add of each split shape, a run per add, merges of builders with and
 * without revenue either way, a round trip through the byte format, and amounts added later. */
static void assert_same_builders(const rtn_cohort_builder *x, const rtn_cohort_builder *y)
{
    assert_same_bytes(x, y);
    assert_same_tables(x, y);
}

static void amountless_adds_match_zero_amounts(void **state)
{
    (void)state;
    enum { N = 1 << 17, PIECE = 5000 };
    int64_t *customer = malloc(N * sizeof *customer), *time = malloc(N * sizeof *time);
    double *amount = malloc(N * sizeof *amount), *zero = calloc(N, sizeof *zero);
    assert_true(customer && time && amount && zero);
    for (size_t c = 0; c < sizeof split_cases / sizeof split_cases[0]; ++c) {
        const split_case *sc = &split_cases[c];
        if (sc->period_seconds != 30 * DAY)
            continue; /* minute periods: too many columns for a table */
        split_events(sc, 4242 + c, customer, time, amount, N);
        for (size_t i = 0; i < N; ++i) /* whole cents, so that merges add them exactly */
            amount[i] = (double)((uint64_t)customer[i] % 9973) / 100.0;
        /* one large add (split) and a run per piece, without amounts and with zeros */
        rtn_cohort_builder *none = thirty_day_builder(), *zeros = thirty_day_builder();
        rtn_cohort_builder *none_runs = thirty_day_builder(), *zero_runs = thirty_day_builder();
        assert_int_equal(rtn_cohort_builder_add(none, customer, time, NULL, N, NULL), RTN_OK);
        assert_int_equal(rtn_cohort_builder_add(zeros, customer, time, zero, N, NULL), RTN_OK);
        for (size_t at = 0; at < N; at += PIECE) {
            size_t m = N - at < PIECE ? N - at : PIECE;
            assert_int_equal(rtn_cohort_builder_add(none_runs, customer + at, time + at, NULL, m,
                                                    NULL), RTN_OK);
            assert_int_equal(rtn_cohort_builder_add(zero_runs, customer + at, time + at,
                                                    zero + at, m, NULL), RTN_OK);
        }
        assert_same_builders(none, zeros);
        assert_same_builders(none_runs, zeros);
        assert_same_builders(zero_runs, zeros);
        static double rfm_none[4 * R_EVENTS], rfm_zeros[4 * R_EVENTS];
        size_t n_none, n_zeros;
        memset(rfm_none, 0, sizeof rfm_none);
        memset(rfm_zeros, 0, sizeof rfm_zeros);
        if (sc->ids <= R_EVENTS) { /* rfm_columns' buffers hold R_EVENTS customers */
            rfm_columns(none_runs, rfm_none, &n_none);
            rfm_columns(zeros, rfm_zeros, &n_zeros);
            assert_int_equal(n_none, n_zeros);
            assert_memory_equal(rfm_none, rfm_zeros, sizeof rfm_none);
        }
        /* a round trip keeps the bytes */
        size_t len;
        uint8_t *bytes = serialize(none_runs, &len);
        rtn_cohort_builder *back = NULL;
        assert_int_equal(rtn_cohort_builder_deserialize(&back, bytes, len, NULL), RTN_OK);
        free(bytes);
        assert_same_builders(back, zeros);
        /* revenue arriving later: amounts on half the events, into each */
        rtn_cohort_builder *paid = thirty_day_builder();
        assert_int_equal(rtn_cohort_builder_add(paid, customer, time, amount, N / 2, NULL),
                         RTN_OK);
        for (int into_paid = 0; into_paid < 2; ++into_paid) {
            rtn_cohort_builder *x = thirty_day_builder(), *y = thirty_day_builder();
            assert_int_equal(rtn_cohort_builder_merge(x, into_paid ? paid : none_runs), RTN_OK);
            assert_int_equal(rtn_cohort_builder_merge(x, into_paid ? none_runs : paid), RTN_OK);
            assert_int_equal(rtn_cohort_builder_merge(y, into_paid ? paid : zero_runs), RTN_OK);
            assert_int_equal(rtn_cohort_builder_merge(y, into_paid ? zero_runs : paid), RTN_OK);
            assert_same_builders(x, y);
            rtn_cohort_builder_free(x);
            rtn_cohort_builder_free(y);
        }
        assert_int_equal(rtn_cohort_builder_add(none_runs, customer, time, amount, N / 2, NULL),
                         RTN_OK);
        assert_int_equal(rtn_cohort_builder_add(zero_runs, customer, time, amount, N / 2, NULL),
                         RTN_OK);
        assert_same_builders(none_runs, zero_runs);
        /* finish's general walk, which reads the revenue of every entry: "on or after",
         * brackets, and signups (which "return on" without revenue does not count alone) */
        static const uint32_t edges[] = {0, 1, 3, 12};
        rtn_cohort_builder *pair[2] = {none, zeros};
        for (int k = 0; k < 2; ++k)
            assert_int_equal(rtn_cohort_builder_set(pair[k], RTN_COHORT_KIND,
                                                    RTN_COHORT_RETURN_ON_OR_AFTER), RTN_OK);
        assert_same_tables(none, zeros);
        for (int k = 0; k < 2; ++k)
            assert_int_equal(rtn_cohort_builder_set_brackets(pair[k], edges, 4), RTN_OK);
        assert_same_tables(none, zeros);
        int64_t signup_time[100];
        for (int i = 0; i < 100; ++i)
            signup_time[i] = time[i] - 40 * DAY;
        for (int k = 0; k < 2; ++k) {
            assert_int_equal(rtn_cohort_builder_add_signups(pair[k], customer, signup_time, 100,
                                                            NULL), RTN_OK);
            assert_int_equal(rtn_cohort_builder_set(pair[k], RTN_COHORT_KIND,
                                                    RTN_COHORT_RETURN_ON), RTN_OK);
        }
        assert_same_builders(none, zeros);
        rtn_cohort_builder_free(none);
        rtn_cohort_builder_free(zeros);
        rtn_cohort_builder_free(none_runs);
        rtn_cohort_builder_free(zero_runs);
        rtn_cohort_builder_free(back);
        rtn_cohort_builder_free(paid);
    }
    free(customer);
    free(time);
    free(amount);
    free(zero);
}

static void readers_merge_the_runs_of_many_adds(void **state)
{
    (void)state;
    static events e;
    static double rfm_once[4 * R_EVENTS], rfm_runs[4 * R_EVENTS];
    random_events(&e, 777);
    rtn_cohort_builder *once = thirty_day_builder();
    assert_int_equal(rtn_cohort_builder_add(once, e.customer, e.time, e.amount, R_EVENTS, NULL),
                     RTN_OK);
    rtn_cohort_builder *runs = falling_adds(&e, NULL);
    size_t len_once, len_runs, n_once, n_runs;
    uint8_t *bytes_once = serialize(once, &len_once), *bytes_runs = serialize(runs, &len_runs);
    assert_int_equal(len_once, len_runs);
    assert_memory_equal(bytes_once, bytes_runs, len_once);
    assert_same_tables(once, runs);
    memset(rfm_once, 0, sizeof rfm_once);
    memset(rfm_runs, 0, sizeof rfm_runs);
    rfm_columns(once, rfm_once, &n_once);
    rfm_columns(runs, rfm_runs, &n_runs);
    assert_int_equal(n_once, n_runs);
    assert_memory_equal(rfm_once, rfm_runs, sizeof rfm_once);

    /* the readers, each allocation failing in turn */
    int finished = 0;
    for (int budget = 0; !finished; ++budget) {
        assert_true(budget < 1000);
        failing f = {1 << 30, 0};
        rtn_allocator a = {failing_alloc, failing_free, &f};
        rtn_cohort_builder *b = falling_adds(&e, &a);
        rtn_cohort_builder *other = NULL;
        assert_int_equal(rtn_cohort_builder_deserialize(&other, bytes_once, len_once, &a), RTN_OK);
        f.left = budget, f.calls = 0;
        rtn_cohort_table *t = (rtn_cohort_table *)&f; /* a sentinel: untouched on failure */
        int rc_finish = rtn_cohort_builder_finish(b, &t);
        f.left = budget;
        size_t len = 12345;
        int rc_size = rtn_cohort_builder_serialize(b, NULL, 0, &len);
        f.left = budget;
        rtn_rfm *r = (rtn_rfm *)&f;
        int rc_rfm = rtn_rfm_from_builder(b, 500 * DAY, 500 * DAY, 1.0, &r);
        f.left = budget;
        int rc_merge = rtn_cohort_builder_merge(other, b);
        f.left = 1 << 30;
        assert_true(rc_finish == RTN_OK || (rc_finish == RTN_ENOMEM && t == (rtn_cohort_table *)&f));
        assert_true(rc_size == RTN_EBUFSIZE || (rc_size == RTN_ENOMEM && len == 12345));
        assert_true(rc_rfm == RTN_OK || (rc_rfm == RTN_ENOMEM && r == (rtn_rfm *)&f));
        assert_true(rc_merge == RTN_OK || rc_merge == RTN_ENOMEM);
        if (rc_size == RTN_EBUFSIZE)
            assert_int_equal(len, len_once);
        size_t len_other;
        uint8_t *after = serialize(other, &len_other);
        if (rc_merge == RTN_ENOMEM) { /* unchanged */
            assert_int_equal(len_other, len_once);
            assert_memory_equal(after, bytes_once, len_once);
        }
        free(after);
        finished = rc_finish == RTN_OK && rc_size == RTN_EBUFSIZE && rc_rfm == RTN_OK &&
                   rc_merge == RTN_OK;
        if (rc_finish == RTN_OK)
            rtn_cohort_table_free(t);
        if (rc_rfm == RTN_OK)
            rtn_rfm_free(r);
        rtn_cohort_builder_free(other);
        rtn_cohort_builder_free(b);
        if (budget == 0) /* serialising a builder of one run allocates nothing: this one had runs */
            assert_int_equal(rc_size, RTN_ENOMEM);
    }
    free(bytes_once);
    free(bytes_runs);
    rtn_cohort_builder_free(once);
    rtn_cohort_builder_free(runs);
}

/* FNV-1a as the format defines it, to forge buffers that pass the checksum */
static void reseal(uint8_t *buf, size_t len)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < len - 8; ++i)
        h = (h ^ buf[i]) * UINT64_C(1099511628211);
    for (int i = 0; i < 8; ++i)
        buf[len - 8 + (size_t)i] = (uint8_t)(h >> (8 * i));
}

static void serialization_rejects_damage(void **state)
{
    (void)state;
    rtn_cohort_builder *b = hand_builder();
    const uint32_t edges[] = {0, 2, 5};
    const int64_t sc[] = {5};
    const int64_t st[] = {3 * DAY};
    assert_int_equal(rtn_cohort_builder_set_brackets(b, edges, 3), RTN_OK);
    assert_int_equal(rtn_cohort_builder_add_signups(b, sc, st, 1, NULL), RTN_OK);
    size_t len;
    uint8_t *buf = serialize(b, &len);
    assert_memory_equal(buf, "RTNCOHRT", 8);
    rtn_cohort_builder *back = NULL;
    for (size_t cut = 0; cut < len; ++cut) {
        int rc = rtn_cohort_builder_deserialize(&back, buf, cut, NULL);
        assert_true(rc == RTN_ECORRUPT);
        assert_null(back);
    }
    for (size_t bit = 0; bit < len * 8; ++bit) {
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        int rc = rtn_cohort_builder_deserialize(&back, buf, len, NULL);
        assert_true(rc == RTN_ECORRUPT || rc == RTN_EVERSION);
        assert_null(back);
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    /* forged: checksums right, contents wrong */
    uint8_t *bad = malloc(len);
    assert_non_null(bad);
    const size_t entries = 88 + 4 * 3; /* the first entry, after the header and edges */
    struct {
        size_t at;
        uint8_t value;
        int want;
    } forgeries[] = {
        {8, 2, RTN_EVERSION},       /* version 2 */
        {16, 9, RTN_ECORRUPT},      /* unit 9 */
        {32, 7, RTN_ECORRUPT},      /* kind 7 */
        {49, 3, RTN_ECORRUPT},      /* has_data 3 */
        {63, 0xff, RTN_ECORRUPT},   /* max_periods negative */
        {87, 0x7f, RTN_ECORRUPT},   /* n_signups huge */
        {79, 0x01, RTN_ECORRUPT},   /* n_entries + 2^56 */
        {88, 9, RTN_ECORRUPT},      /* edges no longer increasing */
        {entries + 8, 0x7f, RTN_ECORRUPT}, /* period out of range / entries unsorted */
        {entries + 23, 0x7f, RTN_ECORRUPT}, /* revenue NaN (exponent all ones) */
    };
    for (size_t i = 0; i < sizeof forgeries / sizeof forgeries[0]; ++i) {
        memcpy(bad, buf, len);
        bad[forgeries[i].at] = forgeries[i].value;
        if (forgeries[i].at == entries + 23)
            bad[entries + 22] = 0xf8;
        reseal(bad, len);
        assert_int_equal(rtn_cohort_builder_deserialize(&back, bad, len, NULL), forgeries[i].want);
        assert_null(back);
    }
    /* forged 64-bit fields: a zero period length (later a division by zero), a latest time
     * before the data it claims to cover, an "unset" observation end that is not 0 */
    const struct {
        size_t at;
        uint64_t value;
    } fields[] = {{24, 0}, {24, UINT64_C(10000000001)}, {64, 0}, {40, 5}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; ++i) {
        memcpy(bad, buf, len);
        for (int byte = 0; byte < 8; ++byte)
            bad[fields[i].at + (size_t)byte] = (uint8_t)(fields[i].value >> (8 * byte));
        reseal(bad, len);
        assert_int_equal(rtn_cohort_builder_deserialize(&back, bad, len, NULL), RTN_ECORRUPT);
        assert_null(back);
    }
    /* an empty builder's bytes claiming to hold data */
    {
        rtn_cohort_builder *empty = NULL;
        assert_int_equal(rtn_cohort_builder_create(&empty, NULL), RTN_OK);
        size_t elen;
        uint8_t *ebuf = serialize(empty, &elen);
        assert_int_equal(rtn_cohort_builder_deserialize(&back, ebuf, elen, NULL), RTN_OK);
        rtn_cohort_builder_free(back);
        back = NULL;
        ebuf[49] = 1; /* has_data */
        reseal(ebuf, elen);
        assert_int_equal(rtn_cohort_builder_deserialize(&back, ebuf, elen, NULL), RTN_ECORRUPT);
        free(ebuf);
        rtn_cohort_builder_free(empty);
    }
    /* and the intact buffer still reads */
    assert_int_equal(rtn_cohort_builder_deserialize(&back, buf, len, NULL), RTN_OK);
    size_t len2;
    uint8_t *again = serialize(back, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(again, buf, len);
    assert_int_equal(rtn_cohort_builder_deserialize(NULL, buf, len, NULL), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_deserialize(&back, NULL, len, NULL), RTN_EINVAL);
    free(again);
    free(bad);
    free(buf);
    rtn_cohort_builder_free(back);
    rtn_cohort_builder_free(b);
}

/* ---- allocation failure: every allocation can fail, nothing leaks, state stays as it was ------------ */


static void allocation_failures(void **state)
{
    (void)state;
    static events e;
    random_events(&e, 4242);
    table_dump want;
    {
        rtn_cohort_builder *ref = thirty_day_builder();
        assert_int_equal(rtn_cohort_builder_add(ref, e.customer, e.time, e.amount, 3000, NULL),
                         RTN_OK);
        assert_int_equal(rtn_cohort_builder_add(ref, e.customer + 3000, e.time + 3000,
                                                e.amount + 3000, 3000, NULL),
                         RTN_OK);
        dump(ref, &want);
        rtn_cohort_builder_free(ref);
    }
    for (int budget = 0;; ++budget) {
        failing f = {budget, 0};
        rtn_allocator a = {failing_alloc, failing_free, &f};
        rtn_cohort_builder *b = NULL;
        int rc = rtn_cohort_builder_create(&b, &a);
        if (rc == RTN_ENOMEM) {
            assert_null(b);
            continue;
        }
        assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_SECONDS), RTN_OK);
        assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_SECONDS, 30 * DAY), RTN_OK);
        rc = rtn_cohort_builder_add(b, e.customer, e.time, e.amount, 3000, NULL);
        if (rc == RTN_OK)
            rc = rtn_cohort_builder_add(b, e.customer + 3000, e.time + 3000, e.amount + 3000, 3000,
                                        NULL);
        rtn_cohort_table *t = NULL;
        if (rc == RTN_OK)
            rc = rtn_cohort_builder_finish(b, &t);
        size_t len = 0;
        uint8_t *buf = NULL;
        rtn_cohort_builder *back = NULL;
        if (rc == RTN_OK) {
            assert_int_equal(rtn_cohort_builder_serialize(b, NULL, 0, &len), RTN_EBUFSIZE);
            buf = malloc(len);
            assert_int_equal(rtn_cohort_builder_serialize(b, buf, len, &len), RTN_OK);
            rc = rtn_cohort_builder_deserialize(&back, buf, len, &a);
        }
        if (rc == RTN_OK)
            rc = rtn_cohort_builder_merge(back, b);
        assert_true(rc == RTN_OK || rc == RTN_ENOMEM);
        if (rc == RTN_ENOMEM)
            assert_true(f.left < 0); /* it failed because an allocation did */
        rtn_cohort_table_free(t);
        rtn_cohort_builder_free(back);
        free(buf);
        rtn_cohort_builder_free(b);
        if (rc == RTN_OK) {
            assert_true(budget > 5); /* the loop did exercise failures */
            break;
        }
        assert_true(budget < 10000);
    }
    /* a failed add leaves the builder as it was: after a failure, finishing gives the table of
     * what had been added before */
    for (int budget = 0; budget < 40; ++budget) {
        failing f = {1000, 0};
        rtn_allocator a = {failing_alloc, failing_free, &f};
        rtn_cohort_builder *b = NULL;
        assert_int_equal(rtn_cohort_builder_create(&b, &a), RTN_OK);
        assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_SECONDS), RTN_OK);
        assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_SECONDS, 30 * DAY), RTN_OK);
        assert_int_equal(rtn_cohort_builder_add(b, e.customer, e.time, e.amount, 3000, NULL), RTN_OK);
        f.left = budget;
        int rc = rtn_cohort_builder_add(b, e.customer + 3000, e.time + 3000, e.amount + 3000, 3000,
                                        NULL);
        f.left = 1000000;
        if (rc == RTN_ENOMEM) {
            assert_int_equal(rtn_cohort_builder_add(b, e.customer + 3000, e.time + 3000,
                                                    e.amount + 3000, 3000, NULL),
                             RTN_OK); /* retrying gives the full table */
        } else {
            assert_int_equal(rc, RTN_OK);
        }
        table_dump got;
        dump(b, &got);
        assert_same(&got, &want);
        dump_free(&got);
        rtn_cohort_builder_free(b);
    }
    dump_free(&want);
}

/* ---- bad input ------------------------------------------------------------------------------------ */

/* The builder buckets times its own way (from the call's earliest time, a day table for months,
 * a corrected floating-point quotient for fixed lengths): every event's period in the state must
 * be rtn_calendar_period()'s, for every unit, UTC offset and length, over the whole time range
 * and over a narrow one (the day table), in small calls and in calls large enough to split. */
static int64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | p[i];
    return (int64_t)v;
}

static void bucketing_matches_calendar_period(void **state)
{
    (void)state;
    enum { N = 70000, HEADER = 88, ENTRY = 32 };
    int64_t *customer = malloc(N * sizeof *customer), *time = malloc(N * sizeof *time);
    assert_true(customer && time);
    uint64_t seed = 99;
    for (int trial = 0; trial < 24; ++trial) {
        int32_t unit = trial % 5;
        int32_t offset = (int32_t)(rng(&seed) % 2881) - 1440;
        /* 30 days: x · (1/length) falls just short of whole quotients for 7 % of them */
        int64_t seconds = trial % 4 == 0 ? 30 * DAY
                                         : 1 + (int64_t)(rng(&seed) %
                                                         (trial % 2 ? 10000000000 : 100000));
        size_t n = trial % 3 ? 3000 : N;
        int narrow = (trial / 5) % 2; /* two years around a random day, else the whole range */
        int64_t span = RTN_TIME_MAX - RTN_TIME_MIN;
        int64_t base = RTN_TIME_MIN + (int64_t)(rng(&seed) % (uint64_t)(span - 800 * DAY));
        for (size_t i = 0; i < n; ++i) {
            customer[i] = (int64_t)i;
            time[i] = narrow ? base + (int64_t)(rng(&seed) % (uint64_t)(730 * DAY))
                             : RTN_TIME_MIN + (int64_t)(rng(&seed) % (uint64_t)span);
        }
        time[0] = narrow ? base : RTN_TIME_MIN; /* the range's ends, exactly */
        time[1] = narrow ? base + 730 * DAY - 1 : RTN_TIME_MAX;
        int64_t first; /* then the first and the last second of 100 periods from base on */
        assert_int_equal(rtn_calendar_period(base, unit, seconds, offset, &first), RTN_OK);
        for (size_t i = 2; i + 1 < 202; i += 2) {
            int64_t start;
            if (rtn_calendar_period_start(first + (int64_t)i / 2, unit, seconds, offset, &start) ==
                    RTN_OK &&
                start <= RTN_TIME_MAX && start - 1 >= RTN_TIME_MIN) {
                time[i] = start;
                time[i + 1] = start - 1;
            }
        }
        rtn_cohort_builder *b = NULL;
        assert_int_equal(rtn_cohort_builder_create(&b, NULL), RTN_OK);
        assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, unit), RTN_OK);
        assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_SECONDS, seconds), RTN_OK);
        assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_UTC_OFFSET_MINUTES, offset), RTN_OK);
        assert_int_equal(rtn_cohort_builder_add(b, customer, time, NULL, n, NULL), RTN_OK);
        size_t len;
        uint8_t *bytes = serialize(b, &len);
        assert_int_equal(len, HEADER + n * ENTRY + 8);
        for (size_t i = 0; i < n; ++i) { /* one event per customer: entry i is customer i's */
            int64_t want;
            assert_int_equal(rtn_calendar_period(time[i], unit, seconds, offset, &want), RTN_OK);
            assert_int_equal(le64(bytes + HEADER + i * ENTRY), (int64_t)i);
            assert_int_equal(le64(bytes + HEADER + i * ENTRY + 8), want);
        }
        free(bytes);
        rtn_cohort_builder_free(b);
    }
    free(customer);
    free(time);
}

/* Every allocation of a large add (the split into buckets, each way of folding them) failing in
 * turn: RTN_ENOMEM and the builder still empty, until the budget suffices and the state is the
 * one a plain allocator gives. */
static void split_allocation_failures(void **state)
{
    (void)state;
    enum { N = 1 << 17 };
    int64_t *customer = malloc(N * sizeof *customer), *time = malloc(N * sizeof *time);
    double *amount = malloc(N * sizeof *amount);
    assert_true(customer && time && amount);
    for (size_t c = 0; c < sizeof split_cases / sizeof split_cases[0]; ++c) {
        split_events(&split_cases[c], 7 + c, customer, time, amount, N);
        size_t want_len = 0;
        uint8_t *want = NULL;
        for (int budget = 1;; ++budget) {
            failing f = {budget, 0};
            rtn_allocator a = {failing_alloc, failing_free, &f};
            rtn_cohort_builder *b = NULL;
            assert_int_equal(rtn_cohort_builder_create(&b, want ? NULL : &a), RTN_OK);
            assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_SECONDS),
                             RTN_OK);
            assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_SECONDS,
                                                    split_cases[c].period_seconds), RTN_OK);
            int rc = rtn_cohort_builder_add(b, customer, time, amount, N, NULL);
            if (want) { /* the reference, built after the loop found the budget */
                assert_int_equal(rc, RTN_OK);
                size_t len;
                uint8_t *got = serialize(b, &len);
                assert_int_equal(len, want_len);
                assert_memory_equal(got, want, len);
                free(got);
                rtn_cohort_builder_free(b);
                break;
            }
            if (rc == RTN_OK) {
                /* an add that does not split succeeds at 9 allocations (create, 8 in the add):
                 * the split's own allocations did fail */
                assert_true(budget > 10);
                want = serialize(b, &want_len);
                rtn_cohort_builder_free(b);
                continue;
            }
            assert_int_equal(rc, RTN_ENOMEM);
            assert_true(f.left < 0);
            rtn_cohort_table *t = NULL;
            assert_int_equal(rtn_cohort_builder_finish(b, &t), RTN_EUNDEFINED); /* still empty */
            assert_null(t);
            rtn_cohort_builder_free(b);
            assert_true(budget < 100);
        }
        free(want);
    }
    free(customer);
    free(time);
    free(amount);
}

static void builder_bad_input(void **state)
{
    (void)state;
    rtn_cohort_builder *b = NULL;
    assert_int_equal(rtn_cohort_builder_create(NULL, NULL), RTN_EINVAL);
    rtn_allocator half = {failing_alloc, NULL, NULL};
    assert_int_equal(rtn_cohort_builder_create(&b, &half), RTN_EINVAL);
    assert_null(b);
    assert_int_equal(rtn_cohort_builder_create(&b, NULL), RTN_OK);
    rtn_cohort_builder_free(NULL);
    rtn_cohort_table_free(NULL);

    /* parameters */
    int64_t lo, hi, v;
    assert_int_equal(rtn_cohort_param_bounds(99, &lo, &hi), RTN_EINVAL);
    assert_int_equal(rtn_cohort_param_bounds(RTN_COHORT_UTC_OFFSET_MINUTES, &lo, NULL), RTN_EINVAL);
    assert_int_equal(rtn_cohort_param_bounds(RTN_COHORT_UTC_OFFSET_MINUTES, &lo, &hi), RTN_OK);
    assert_true(lo == -1440 && hi == 1440);
    assert_int_equal(rtn_cohort_builder_set(b, 99, 0), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_set(NULL, RTN_COHORT_KIND, 0), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, 5), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_SECONDS, 0), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_UTC_OFFSET_MINUTES, 1441), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_KIND, 3), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_KIND, RTN_COHORT_BRACKETS), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_MAX_PERIODS, -1), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_OBSERVATION_END, RTN_TIME_MAX + 1), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_get(b, RTN_COHORT_OBSERVATION_END, &v), RTN_EUNDEFINED);
    assert_int_equal(rtn_cohort_builder_get(b, 99, &v), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_get(b, RTN_COHORT_KIND, NULL), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_get(b, RTN_COHORT_PERIOD_UNIT, &v), RTN_OK);
    assert_int_equal(v, RTN_PERIOD_MONTH);

    /* brackets */
    const uint32_t flat[] = {0, 2, 2, 5}, reversed[] = {3, 1}, one[] = {0};
    assert_int_equal(rtn_cohort_builder_set_brackets(b, flat, 4), RTN_EINVAL); /* zero-length */
    assert_int_equal(rtn_cohort_builder_set_brackets(b, reversed, 2), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_set_brackets(b, one, 1), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_set_brackets(b, NULL, 3), RTN_EINVAL);

    /* columns */
    const int64_t c[] = {1, 2, 3};
    const int64_t t[] = {0, RTN_TIME_MAX + 1, 5};
    const double amt[] = {1.0, 2.0, NAN};
    size_t bad = 12345;
    rtn_cohort_table *tab = NULL;
    assert_int_equal(rtn_cohort_builder_finish(b, &tab), RTN_EUNDEFINED); /* no customers */
    assert_null(tab);
    assert_int_equal(rtn_cohort_builder_add(NULL, c, t, NULL, 1, &bad), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_add(b, NULL, t, NULL, 1, &bad), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_add(b, c, NULL, NULL, 1, &bad), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_add(b, NULL, NULL, NULL, 0, &bad), RTN_OK); /* n = 0 */
    assert_int_equal(rtn_cohort_builder_add(b, c, t, NULL, 3, &bad), RTN_EDOMAIN);
    assert_int_equal(bad, 1);
    const int64_t t_ok[] = {0, 5, 5};
    assert_int_equal(rtn_cohort_builder_add(b, c, t_ok, amt, 3, &bad), RTN_EDOMAIN);
    assert_int_equal(bad, 2);
    const double inf[] = {INFINITY, 0, 0};
    assert_int_equal(rtn_cohort_builder_add(b, c, t_ok, inf, 3, NULL), RTN_EDOMAIN);
    /* amounts that are finite alone but not together: refused, nothing added */
    const int64_t same[] = {7, 7};
    const int64_t when[] = {0, 60};
    const double huge[] = {DBL_MAX, DBL_MAX};
    assert_int_equal(rtn_cohort_builder_add(b, same, when, huge, 2, NULL), RTN_EOVERFLOW);
    assert_int_equal(rtn_cohort_builder_get(b, RTN_COHORT_OBSERVATION_END, &v), RTN_EUNDEFINED);
    assert_int_equal(rtn_cohort_builder_add_signups(b, c, t, 3, &bad), RTN_EDOMAIN);
    assert_int_equal(bad, 1);
    assert_int_equal(rtn_cohort_builder_add_signups(b, NULL, t, 3, &bad), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_finish(b, &tab), RTN_EUNDEFINED); /* nothing was added */
    /* calendar is fixed once data is in */
    assert_int_equal(rtn_cohort_builder_add(b, c, t_ok, NULL, 3, NULL), RTN_OK);
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_DAY), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_UTC_OFFSET_MINUTES, 60), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_MONTH), RTN_OK);
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_UTC_OFFSET_MINUTES, 0), RTN_OK);
    assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_KIND, RTN_COHORT_RETURN_ON_OR_AFTER), RTN_OK);

    /* merging */
    rtn_cohort_builder *other = NULL;
    assert_int_equal(rtn_cohort_builder_create(&other, NULL), RTN_OK);
    assert_int_equal(rtn_cohort_builder_merge(b, b), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_merge(NULL, other), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_merge(b, other), RTN_OK); /* empty: nothing to do */
    assert_int_equal(rtn_cohort_builder_set(other, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_DAY), RTN_OK);
    assert_int_equal(rtn_cohort_builder_add(other, c, t_ok, NULL, 3, NULL), RTN_OK);
    assert_int_equal(rtn_cohort_builder_merge(b, other), RTN_EINVAL); /* months vs days */

    /* serialising */
    size_t len = 0;
    assert_int_equal(rtn_cohort_builder_serialize(NULL, NULL, 0, &len), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_serialize(b, NULL, 0, NULL), RTN_EINVAL);
    uint8_t small[16];
    assert_int_equal(rtn_cohort_builder_serialize(b, small, sizeof small, &len), RTN_EBUFSIZE);
    assert_true(len > sizeof small);

    /* the table's accessors */
    assert_int_equal(rtn_cohort_builder_finish(b, NULL), RTN_EINVAL);
    assert_int_equal(rtn_cohort_builder_finish(b, &tab), RTN_OK);
    size_t rows, cols;
    assert_int_equal(rtn_cohort_table_dims(tab, &rows, &cols), RTN_OK);
    assert_int_equal(rtn_cohort_table_dims(NULL, &rows, &cols), RTN_EINVAL);
    double cells[64];
    uint64_t counts[64];
    uint8_t st[64];
    assert_true(rows * cols > 0 && rows * cols <= 64);
    double keep = cells[0] = -5.0;
    assert_int_equal(rtn_cohort_table_retention(tab, cells, rows * cols - 1), RTN_EBUFSIZE);
    assert_true(cells[0] == keep);
    assert_int_equal(rtn_cohort_table_active(tab, counts, 0), RTN_EBUFSIZE);
    assert_int_equal(rtn_cohort_table_status(tab, NULL, 64), RTN_EINVAL);
    assert_int_equal(rtn_cohort_table_revenue(NULL, cells, 64), RTN_EINVAL);
    assert_int_equal(rtn_cohort_table_revenue_retention(tab, cells, 0), RTN_EBUFSIZE);
    assert_int_equal(rtn_cohort_table_average(tab, cells, NULL, cols - 1), RTN_EBUFSIZE);
    assert_int_equal(rtn_cohort_table_cohorts(tab, NULL, NULL, NULL, rows - 1), RTN_EBUFSIZE);
    assert_int_equal(rtn_cohort_table_status(tab, st, 64), RTN_OK);
    rtn_cohort_table_free(tab);
    tab = NULL;
    assert_int_equal(rtn_cohort_table_build(c, t_ok, NULL, 3, RTN_PERIOD_DAY, RTN_COHORT_BRACKETS,
                                            &tab, NULL),
                     RTN_EINVAL);
    assert_int_equal(rtn_cohort_table_build(c, t, NULL, 3, RTN_PERIOD_DAY, RTN_COHORT_RETURN_ON,
                                            &tab, &bad),
                     RTN_EDOMAIN);
    assert_int_equal(bad, 1);
    assert_int_equal(rtn_cohort_table_build(c, t_ok, NULL, 0, RTN_PERIOD_DAY, RTN_COHORT_RETURN_ON,
                                            &tab, NULL),
                     RTN_EUNDEFINED);
    assert_int_equal(rtn_cohort_table_build(c, t_ok, NULL, 3, 17, RTN_COHORT_RETURN_ON, &tab, NULL),
                     RTN_EINVAL);
    assert_int_equal(rtn_cohort_table_build(c, t_ok, NULL, 3, RTN_PERIOD_SECONDS,
                                            RTN_COHORT_RETURN_ON, &tab, NULL),
                     RTN_EINVAL); /* needs a length: a builder */
    assert_null(tab);
    rtn_cohort_builder_free(other);
    rtn_cohort_builder_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(calendar_indices),
        cmocka_unit_test(calendar_offsets_and_starts),
        cmocka_unit_test(calendar_start_inverts_period),
        cmocka_unit_test(calendar_bad_input),
        cmocka_unit_test(table_return_on),
        cmocka_unit_test(table_on_or_after_brackets_max_periods),
        cmocka_unit_test(table_signups_and_observation_end),
        cmocka_unit_test(table_one_shot_and_week_periods),
        cmocka_unit_test(random_table_matches_brute_force),
        cmocka_unit_test(count_table_cut_matches_brute_force),
        cmocka_unit_test(random_partitions_merge_exactly),
        cmocka_unit_test(relabelled_customers_give_the_same_table),
        cmocka_unit_test(large_add_matches_small_adds),
        cmocka_unit_test(amountless_adds_match_zero_amounts),
        cmocka_unit_test(table_sparse_cohorts),
        cmocka_unit_test(split_allocation_failures),
        cmocka_unit_test(bucketing_matches_calendar_period),
        cmocka_unit_test(readers_merge_the_runs_of_many_adds),
        cmocka_unit_test(serialization_rejects_damage),
        cmocka_unit_test(allocation_failures),
        cmocka_unit_test(builder_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
