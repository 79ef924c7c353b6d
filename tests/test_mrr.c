/* MRR movements (retention/mrr.h): a hand-worked bridge, the window options, the balance on
 * random data, merging and serialising, every bad input, and failing allocations. */
#include <string.h>

#include "rtn_test.h"

/* ---- the hand-worked example ---------------------------------------------------------------- */
/* Four customers over periods 1–4 (worked out on paper, movement by movement):
 *   A: 100, 150, 150, 120        new 100 @1, expansion 50 @2, flat @3, contraction 30 @4
 *   B: 50, —, 80, —              new 50 @1, churned 50 @2, reactivation 80 @3, churned 80 @4
 *   C: —, 120 + 80, 0, 60        new 200 @2 (two rows add), churned 200 @3 (a row of 0 is not
 *                                paying), reactivation 60 @4
 *   D: —, —, —, 40               new 40 @4 */
static const int64_t ex_customer[] = {1, 1, 1, 1, 2, 2, 3, 3, 3, 3, 4};
static const int64_t ex_period[] = {1, 2, 3, 4, 1, 3, 2, 2, 3, 4, 4};
static const double ex_mrr[] = {100, 150, 150, 120, 50, 80, 120, 80, 0, 60, 40};
#define EX_ROWS (sizeof ex_mrr / sizeof ex_mrr[0])

/* expected[column][period 1..4] for the first 14 columns */
static const double ex_expected[14][4] = {
    {0, 150, 350, 230},  /* start */
    {150, 200, 0, 40},   /* new */
    {0, 50, 0, 0},       /* expansion */
    {0, 0, 80, 60},      /* reactivation */
    {0, 0, 0, 30},       /* contraction */
    {0, 50, 200, 80},    /* churned */
    {150, 350, 230, 220}, /* end */
    {0, 2, 2, 2},        /* start customers */
    {2, 1, 0, 1},        /* new customers */
    {0, 1, 0, 0},        /* expanded */
    {0, 0, 1, 1},        /* reactivated */
    {0, 0, 0, 1},        /* contracted */
    {0, 1, 1, 1},        /* churned */
    {2, 2, 2, 3},        /* end customers */
};

static void read_column(const rtn_mrr_table *t, int32_t column, double *out, size_t n)
{
    assert_int_equal(rtn_mrr_table_column(t, column, out, n), RTN_OK);
}

static void test_hand_worked(void **state)
{
    (void)state;
    rtn_mrr_table *t = NULL;
    assert_int_equal(rtn_mrr_table_build(ex_customer, ex_period, ex_mrr, EX_ROWS, &t, NULL), RTN_OK);
    int64_t first;
    size_t count;
    assert_int_equal(rtn_mrr_table_periods(t, &first, &count), RTN_OK);
    assert_int_equal(first, 1);
    assert_int_equal(count, 4);
    double v[4];
    for (int c = 0; c < 14; ++c) {
        read_column(t, c, v, 4);
        for (int p = 0; p < 4; ++p)
            assert_true(v[p] == ex_expected[c][p]);
    }
    /* period 4's rates by the formulas of mrr.h on the figures above */
    double gross[4], net[4], nrr[4], grr[4], quick[4];
    read_column(t, RTN_MRR_GROSS_REVENUE_CHURN, gross, 4);
    read_column(t, RTN_MRR_NET_REVENUE_CHURN, net, 4);
    read_column(t, RTN_MRR_NRR, nrr, 4);
    read_column(t, RTN_MRR_GRR, grr, 4);
    read_column(t, RTN_MRR_QUICK_RATIO, quick, 4);
    assert_rel(gross[3], 110.0 / 230.0, RTN_TOL);
    assert_rel(net[3], 50.0 / 230.0, RTN_TOL);
    assert_rel(nrr[3], 120.0 / 230.0, RTN_TOL);
    assert_rel(grr[3], 120.0 / 230.0, RTN_TOL);
    assert_rel(quick[3], 100.0 / 110.0, RTN_TOL);
    /* period 2: expansion makes NRR > GRR; period 1 has no start (undefined, not 0 %) */
    assert_rel(nrr[1], 150.0 / 150.0, RTN_TOL);
    assert_rel(grr[1], 100.0 / 150.0, RTN_TOL);
    assert_rel(quick[1], 250.0 / 50.0, RTN_TOL);
    assert_true(isnan(gross[0]) && isnan(net[0]) && isnan(nrr[0]) && isnan(grr[0]));
    assert_true(isnan(quick[0])); /* nothing lost */
    rtn_mrr_table_free(t);
}

/* A customer's MRR in a period is the sum of their rows rounded once: two lines of 29.97 and
 * 28.94 then one of 58.91 is flat (the binary sums differ by about 2e-15), and a flat customer
 * counts in no movement. */
static void test_rounded_period_sums(void **state)
{
    (void)state;
    const int64_t c[] = {7, 7, 7, 7};
    const int64_t p[] = {1, 1, 2, 3};
    const double m[] = {29.97, 28.94, 58.91, 58.91};
    rtn_mrr_table *t = NULL;
    assert_int_equal(rtn_mrr_table_build(c, p, m, 4, &t, NULL), RTN_OK);
    double exp_n[3], con_n[3], exp[3], end[3];
    read_column(t, RTN_MRR_EXPANSION_CUSTOMERS, exp_n, 3);
    read_column(t, RTN_MRR_CONTRACTION_CUSTOMERS, con_n, 3);
    read_column(t, RTN_MRR_EXPANSION, exp, 3);
    read_column(t, RTN_MRR_END, end, 3);
    for (int i = 1; i < 3; ++i)
        assert_true(exp_n[i] == 0.0 && con_n[i] == 0.0 && exp[i] == 0.0);
    assert_true(end[0] == 29.97 + 28.94 && end[0] == 58.91 && end[1] == 58.91);
    rtn_mrr_table_free(t);
}

/* Rows before the window still decide start and reactivation; a last period past the data
 * shows the churn of the customers who paid in the final period. */
static void test_window(void **state)
{
    (void)state;
    rtn_mrr_builder *b = NULL;
    rtn_mrr_table *t = NULL;
    assert_int_equal(rtn_mrr_builder_create(&b, NULL), RTN_OK);
    int64_t v;
    assert_int_equal(rtn_mrr_builder_get(b, RTN_MRR_FIRST_PERIOD, &v), RTN_EUNDEFINED);
    assert_int_equal(rtn_mrr_builder_add(b, ex_customer, ex_period, ex_mrr, EX_ROWS, NULL), RTN_OK);
    assert_int_equal(rtn_mrr_builder_get(b, RTN_MRR_FIRST_PERIOD, &v), RTN_OK);
    assert_int_equal(v, 1);
    assert_int_equal(rtn_mrr_builder_get(b, RTN_MRR_LAST_PERIOD, &v), RTN_OK);
    assert_int_equal(v, 4);
    int32_t is_set = 7;
    assert_int_equal(rtn_mrr_builder_is_set(b, RTN_MRR_FIRST_PERIOD, &is_set), RTN_OK);
    assert_int_equal(is_set, 0);
    assert_int_equal(rtn_mrr_builder_set(b, RTN_MRR_FIRST_PERIOD, 2), RTN_OK);
    assert_int_equal(rtn_mrr_builder_is_set(b, RTN_MRR_FIRST_PERIOD, &is_set), RTN_OK);
    assert_int_equal(is_set, 1);
    assert_int_equal(rtn_mrr_builder_unset(b, RTN_MRR_FIRST_PERIOD), RTN_OK);
    assert_int_equal(rtn_mrr_builder_get(b, RTN_MRR_FIRST_PERIOD, &v), RTN_OK);
    assert_int_equal(v, 1); /* the default again */
    assert_int_equal(rtn_mrr_builder_is_set(b, RTN_MRR_FIRST_PERIOD, &is_set), RTN_OK);
    assert_int_equal(is_set, 0);
    assert_int_equal(rtn_mrr_builder_unset(b, 2), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_unset(NULL, RTN_MRR_LAST_PERIOD), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_is_set(b, -1, &is_set), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_is_set(b, RTN_MRR_LAST_PERIOD, NULL), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_is_set(NULL, RTN_MRR_LAST_PERIOD, &is_set), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_set(b, RTN_MRR_FIRST_PERIOD, 3), RTN_OK);
    assert_int_equal(rtn_mrr_builder_set(b, RTN_MRR_LAST_PERIOD, 5), RTN_OK);
    assert_int_equal(rtn_mrr_builder_finish(b, &t), RTN_OK);
    int64_t first;
    size_t count;
    assert_int_equal(rtn_mrr_table_periods(t, &first, &count), RTN_OK);
    assert_int_equal(first, 3);
    assert_int_equal(count, 3);
    double start[3], react[3], churned[3], end[3], churned_n[3];
    read_column(t, RTN_MRR_START, start, 3);
    read_column(t, RTN_MRR_REACTIVATION, react, 3);
    read_column(t, RTN_MRR_CHURNED, churned, 3);
    read_column(t, RTN_MRR_END, end, 3);
    read_column(t, RTN_MRR_CHURNED_CUSTOMERS, churned_n, 3);
    assert_true(start[0] == 350 && react[0] == 80 && churned[0] == 200); /* B still reactivates */
    assert_true(start[2] == 220 && churned[2] == 220 && end[2] == 0 && churned_n[2] == 3);
    rtn_mrr_table_free(t);
    /* a first period after the last is no window */
    assert_int_equal(rtn_mrr_builder_set(b, RTN_MRR_FIRST_PERIOD, 6), RTN_OK);
    t = (rtn_mrr_table *)&v;
    assert_int_equal(rtn_mrr_builder_finish(b, &t), RTN_EUNDEFINED);
    assert_true(t == (rtn_mrr_table *)&v);
    /* nor is one wider than RTN_MRR_MAX_PERIODS */
    assert_int_equal(rtn_mrr_builder_set(b, RTN_MRR_FIRST_PERIOD, 5 - RTN_MRR_MAX_PERIODS), RTN_OK);
    assert_int_equal(rtn_mrr_builder_finish(b, &t), RTN_EDOMAIN);
    rtn_mrr_builder_free(b);
}

/* ---- random data -------------------------------------------------------------------------- */

static uint64_t rng_state = 88172645463325252u;
static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

typedef struct rows {
    int64_t customer[4000], period[4000];
    double mrr[4000];
    size_t n;
} rows;

/* Whole-cent amounts in cents: every sum is an integer below 2^53, so the bridge must balance
 * exactly in double arithmetic. Gaps, zero rows and duplicate rows included. */
static void random_rows(rows *r, double scale)
{
    r->n = 0;
    for (int c = 0; c < 200; ++c)
        for (int p = 0; p < 20; ++p) {
            uint64_t x = next_random();
            if (x % 3 == 0)
                continue; /* not paying */
            r->customer[r->n] = c * 7919 - 500;
            r->period[r->n] = p - 10;
            r->mrr[r->n] = (x % 7 == 0) ? 0.0 : (double)((x >> 8) % 50000) * scale;
            r->n++;
        }
    for (size_t i = r->n - 1; i > 0; --i) { /* shuffle */
        size_t j = next_random() % (i + 1);
        int64_t tc = r->customer[i], tp = r->period[i];
        double tm = r->mrr[i];
        r->customer[i] = r->customer[j], r->period[i] = r->period[j], r->mrr[i] = r->mrr[j];
        r->customer[j] = tc, r->period[j] = tp, r->mrr[j] = tm;
    }
}

static void test_balances_exactly(void **state)
{
    (void)state;
    static rows r;
    for (int round = 0; round < 5; ++round) {
        random_rows(&r, 1.0);
        rtn_mrr_table *t = NULL;
        assert_int_equal(rtn_mrr_table_build(r.customer, r.period, r.mrr, r.n, &t, NULL), RTN_OK);
        int64_t first;
        size_t n;
        assert_int_equal(rtn_mrr_table_periods(t, &first, &n), RTN_OK);
        assert_int_equal(n, 20);
        double col[RTN_MRR_COLUMN_COUNT][20];
        for (int c = 0; c < RTN_MRR_COLUMN_COUNT; ++c)
            read_column(t, c, col[c], 20);
        for (size_t p = 0; p < n; ++p) {
            double amounts = col[RTN_MRR_START][p] + col[RTN_MRR_NEW][p] +
                             col[RTN_MRR_EXPANSION][p] + col[RTN_MRR_REACTIVATION][p] -
                             col[RTN_MRR_CONTRACTION][p] - col[RTN_MRR_CHURNED][p];
            assert_true(amounts == col[RTN_MRR_END][p]);
            double customers = col[RTN_MRR_START_CUSTOMERS][p] + col[RTN_MRR_NEW_CUSTOMERS][p] +
                               col[RTN_MRR_REACTIVATION_CUSTOMERS][p] -
                               col[RTN_MRR_CHURNED_CUSTOMERS][p];
            assert_true(customers == col[RTN_MRR_END_CUSTOMERS][p]);
            if (p > 0) { /* one period's end is the next one's start */
                assert_true(col[RTN_MRR_START][p] == col[RTN_MRR_END][p - 1]);
                assert_true(col[RTN_MRR_START_CUSTOMERS][p] == col[RTN_MRR_END_CUSTOMERS][p - 1]);
            }
        }
        assert_true(col[RTN_MRR_START][0] == 0.0); /* nothing before the first period */
        rtn_mrr_table_free(t);
    }
}

static void columns_of(const rtn_mrr_table *t, double *all, size_t n)
{
    for (int c = 0; c < RTN_MRR_COLUMN_COUNT; ++c)
        read_column(t, c, all + (size_t)c * n, n);
}

/* Identical doubles, NaN matching NaN. */
static void assert_same(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        assert_true(a[i] == b[i] || (isnan(a[i]) && isnan(b[i])));
}

/* Any split of the rows (not by customer), merged directly or through bytes, gives the table of
 * all rows, to the last bit, even with amounts that are not whole numbers. */
static void test_merge_and_bytes(void **state)
{
    (void)state;
    static rows r;
    random_rows(&r, 0.01);
    rtn_mrr_table *whole = NULL, *merged = NULL, *copied = NULL;
    assert_int_equal(rtn_mrr_table_build(r.customer, r.period, r.mrr, r.n, &whole, NULL), RTN_OK);
    rtn_mrr_builder *a = NULL, *b = NULL, *c = NULL;
    assert_int_equal(rtn_mrr_builder_create(&a, NULL), RTN_OK);
    assert_int_equal(rtn_mrr_builder_create(&b, NULL), RTN_OK);
    size_t half = r.n / 3;
    assert_int_equal(rtn_mrr_builder_add(a, r.customer, r.period, r.mrr, half, NULL), RTN_OK);
    assert_int_equal(rtn_mrr_builder_add(b, r.customer + half, r.period + half, r.mrr + half,
                                         r.n - half, NULL), RTN_OK);
    assert_int_equal(rtn_mrr_builder_merge(b, a), RTN_OK);
    assert_int_equal(rtn_mrr_builder_finish(b, &merged), RTN_OK);
    size_t len;
    assert_int_equal(rtn_mrr_builder_serialize(b, NULL, 0, &len), RTN_EBUFSIZE);
    uint8_t *buf = malloc(len);
    assert_non_null(buf);
    assert_int_equal(rtn_mrr_builder_serialize(b, buf, len - 1, &len), RTN_EBUFSIZE);
    assert_int_equal(rtn_mrr_builder_serialize(b, buf, len, &len), RTN_OK);
    assert_int_equal(rtn_mrr_builder_deserialize(&c, buf, len, NULL), RTN_OK);
    assert_int_equal(rtn_mrr_builder_finish(c, &copied), RTN_OK);
    static double x[RTN_MRR_COLUMN_COUNT * 20], y[RTN_MRR_COLUMN_COUNT * 20];
    columns_of(whole, x, 20);
    columns_of(merged, y, 20);
    assert_same(x, y, RTN_MRR_COLUMN_COUNT * 20);
    columns_of(copied, y, 20);
    assert_same(x, y, RTN_MRR_COLUMN_COUNT * 20);
    /* the window options travel with the bytes */
    assert_int_equal(rtn_mrr_builder_set(b, RTN_MRR_LAST_PERIOD, 12), RTN_OK);
    assert_int_equal(rtn_mrr_builder_serialize(b, buf, len, &len), RTN_OK);
    rtn_mrr_builder_free(c);
    assert_int_equal(rtn_mrr_builder_deserialize(&c, buf, len, NULL), RTN_OK);
    int64_t last;
    assert_int_equal(rtn_mrr_builder_get(c, RTN_MRR_LAST_PERIOD, &last), RTN_OK);
    assert_int_equal(last, 12);
    free(buf);
    rtn_mrr_table_free(whole);
    rtn_mrr_table_free(merged);
    rtn_mrr_table_free(copied);
    rtn_mrr_builder_free(a);
    rtn_mrr_builder_free(b);
    rtn_mrr_builder_free(c);
}

/* Every flipped bit and every truncation of a state is rejected, never trusted. */
static void test_corrupt_bytes(void **state)
{
    (void)state;
    rtn_mrr_builder *b = NULL, *bad = NULL;
    assert_int_equal(rtn_mrr_builder_create(&b, NULL), RTN_OK);
    assert_int_equal(rtn_mrr_builder_add(b, ex_customer, ex_period, ex_mrr, EX_ROWS, NULL), RTN_OK);
    assert_int_equal(rtn_mrr_builder_set(b, RTN_MRR_FIRST_PERIOD, 2), RTN_OK);
    uint8_t buf[2048];
    size_t len;
    assert_int_equal(rtn_mrr_builder_serialize(b, buf, sizeof buf, &len), RTN_OK);
    for (size_t i = 0; i < len; ++i)
        for (int bit = 0; bit < 8; ++bit) {
            buf[i] ^= (uint8_t)(1u << bit);
            int rc = rtn_mrr_builder_deserialize(&bad, buf, len, NULL);
            assert_true(rc == RTN_ECORRUPT || rc == RTN_EVERSION);
            buf[i] ^= (uint8_t)(1u << bit);
        }
    for (size_t cut = 0; cut < len; ++cut)
        assert_int_equal(rtn_mrr_builder_deserialize(&bad, buf, cut, NULL), RTN_ECORRUPT);
    assert_null(bad);
    /* a checksum recomputed over a tampered header is still caught by the structural checks */
    buf[32] = 2; /* first_set must be 0 or 1 */
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < len - 8; ++i)
        h = (h ^ buf[i]) * UINT64_C(1099511628211);
    for (unsigned i = 0; i < 8; ++i)
        buf[len - 8 + i] = (uint8_t)(h >> (8 * i));
    assert_int_equal(rtn_mrr_builder_deserialize(&bad, buf, len, NULL), RTN_ECORRUPT);
    assert_null(bad);
    rtn_mrr_builder_free(b);
}

/* ---- bad input ---------------------------------------------------------------------------- */

static void test_bad_input(void **state)
{
    (void)state;
    rtn_mrr_builder *b = NULL;
    assert_int_equal(rtn_mrr_builder_create(NULL, NULL), RTN_EINVAL);
    rtn_allocator half = {failing_alloc, NULL, NULL};
    assert_int_equal(rtn_mrr_builder_create(&b, &half), RTN_EINVAL);
    assert_null(b);
    assert_int_equal(rtn_mrr_builder_create(&b, NULL), RTN_OK);
    int64_t c[] = {1, 2, 3}, p[] = {1, 2, 3};
    double m[] = {1.0, 2.0, 3.0};
    const double bad_amounts[] = {-1.0, NAN, INFINITY, -0.5e-300};
    for (size_t k = 0; k < 4; ++k) {
        m[1] = bad_amounts[k];
        size_t bad = 99;
        assert_int_equal(rtn_mrr_builder_add(b, c, p, m, 3, &bad), RTN_EDOMAIN);
        assert_int_equal(bad, 1);
    }
    m[1] = 2.0;
    const int64_t bad_periods[] = {RTN_MRR_PERIOD_MAX + 1, RTN_MRR_PERIOD_MIN - 1, INT64_MIN};
    for (size_t k = 0; k < 3; ++k) {
        p[2] = bad_periods[k];
        size_t bad = 99;
        assert_int_equal(rtn_mrr_builder_add(b, c, p, m, 3, &bad), RTN_EDOMAIN);
        assert_int_equal(bad, 2);
    }
    p[2] = 3;
    int64_t v = 77;
    assert_int_equal(rtn_mrr_builder_get(b, RTN_MRR_LAST_PERIOD, &v), RTN_EUNDEFINED);
    assert_int_equal(v, 77); /* nothing was added by the failed calls */
    assert_int_equal(rtn_mrr_builder_add(NULL, c, p, m, 3, NULL), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_add(b, NULL, p, m, 3, NULL), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_add(b, c, NULL, m, 3, NULL), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_add(b, c, p, NULL, 3, NULL), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_add(b, NULL, NULL, NULL, 0, NULL), RTN_OK);
    rtn_mrr_table *t = NULL;
    assert_int_equal(rtn_mrr_builder_finish(b, &t), RTN_EUNDEFINED); /* no rows */
    assert_int_equal(rtn_mrr_table_build(c, p, m, 0, &t, NULL), RTN_EUNDEFINED);
    assert_null(t);
    assert_int_equal(rtn_mrr_builder_set(NULL, RTN_MRR_FIRST_PERIOD, 0), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_set(b, 2, 0), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_set(b, -1, 0), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_set(b, RTN_MRR_LAST_PERIOD, RTN_MRR_PERIOD_MAX + 1), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_get(b, 2, &v), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_get(NULL, RTN_MRR_FIRST_PERIOD, &v), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_get(b, RTN_MRR_FIRST_PERIOD, NULL), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_merge(b, b), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_merge(b, NULL), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_merge(NULL, b), RTN_EINVAL);
    size_t len = 5;
    assert_int_equal(rtn_mrr_builder_serialize(NULL, NULL, 0, &len), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_serialize(b, NULL, 0, NULL), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_deserialize(NULL, (const uint8_t *)"x", 1, NULL), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_deserialize(&b, NULL, 1, NULL), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_finish(NULL, &t), RTN_EINVAL);
    assert_int_equal(rtn_mrr_builder_finish(b, NULL), RTN_EINVAL);
    assert_int_equal(rtn_mrr_table_build(c, p, m, 3, NULL, NULL), RTN_EINVAL);

    /* a cohort builder's bytes are not an MRR builder's */
    rtn_cohort_builder *cb = NULL;
    assert_int_equal(rtn_cohort_builder_create(&cb, NULL), RTN_OK);
    uint8_t bytes[4096];
    assert_int_equal(rtn_cohort_builder_serialize(cb, bytes, sizeof bytes, &len), RTN_OK);
    rtn_mrr_builder *other = NULL;
    assert_int_equal(rtn_mrr_builder_deserialize(&other, bytes, len, NULL), RTN_ECORRUPT);
    assert_null(other);
    rtn_cohort_builder_free(cb);

    /* the table's accessors */
    assert_int_equal(rtn_mrr_table_build(c, p, m, 3, &t, NULL), RTN_OK);
    double out[3] = {SENTINEL, SENTINEL, SENTINEL};
    assert_int_equal(rtn_mrr_table_column(t, RTN_MRR_COLUMN_COUNT, out, 3), RTN_EINVAL);
    assert_int_equal(rtn_mrr_table_column(t, -1, out, 3), RTN_EINVAL);
    assert_int_equal(rtn_mrr_table_column(t, RTN_MRR_END, out, 2), RTN_EBUFSIZE);
    assert_true(out[0] == SENTINEL && out[1] == SENTINEL);
    assert_int_equal(rtn_mrr_table_column(t, RTN_MRR_END, NULL, 3), RTN_EINVAL);
    assert_int_equal(rtn_mrr_table_column(NULL, RTN_MRR_END, out, 3), RTN_EINVAL);
    int64_t first;
    size_t count;
    assert_int_equal(rtn_mrr_table_periods(t, NULL, &count), RTN_EINVAL);
    assert_int_equal(rtn_mrr_table_periods(NULL, &first, &count), RTN_EINVAL);
    assert_int_equal(rtn_mrr_table_periods(t, &first, NULL), RTN_EINVAL);
    rtn_mrr_table_free(t);
    rtn_mrr_table_free(NULL);
    rtn_mrr_builder_free(NULL);
    rtn_mrr_builder_free(b);
}

/* Sums that pass DBL_MAX are an error, not an infinite answer. */
static void test_overflow(void **state)
{
    (void)state;
    int64_t c[] = {1, 1}, p[] = {1, 1};
    double m[] = {1e308, 1e308};
    rtn_mrr_table *t = NULL;
    assert_int_equal(rtn_mrr_table_build(c, p, m, 2, &t, NULL), RTN_EOVERFLOW);
    int64_t c2[] = {1, 2}, p2[] = {1, 1};
    assert_int_equal(rtn_mrr_table_build(c2, p2, m, 2, &t, NULL), RTN_EOVERFLOW); /* the end */
    assert_null(t);
}

/* Every allocation of every allocating function fails in turn: an error, no leak (ASan). */
static void test_failing_allocations(void **state)
{
    (void)state;
    for (int left = 0;; ++left) {
        failing f = {left, 0};
        rtn_allocator a = {failing_alloc, failing_free, &f};
        rtn_mrr_builder *b = NULL, *b2 = NULL, *copy = NULL;
        rtn_mrr_table *t = NULL;
        uint8_t buf[8192];
        size_t len;
        int rc = rtn_mrr_builder_create(&b, &a);
        if (rc == RTN_OK)
            rc = rtn_mrr_builder_create(&b2, &a);
        if (rc == RTN_OK)
            rc = rtn_mrr_builder_add(b, ex_customer, ex_period, ex_mrr, 6, NULL);
        if (rc == RTN_OK)
            rc = rtn_mrr_builder_add(b2, ex_customer + 6, ex_period + 6, ex_mrr + 6, EX_ROWS - 6, NULL);
        if (rc == RTN_OK)
            rc = rtn_mrr_builder_merge(b, b2);
        if (rc == RTN_OK)
            rc = rtn_mrr_builder_serialize(b, buf, sizeof buf, &len);
        if (rc == RTN_OK)
            rc = rtn_mrr_builder_deserialize(&copy, buf, len, &a);
        if (rc == RTN_OK)
            rc = rtn_mrr_builder_finish(copy, &t);
        rtn_mrr_table_free(t);
        rtn_mrr_builder_free(copy);
        rtn_mrr_builder_free(b2);
        rtn_mrr_builder_free(b);
        if (rc == RTN_OK)
            break;
        assert_int_equal(rc, RTN_ENOMEM);
        assert_true(left < 1000);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_worked),        cmocka_unit_test(test_window),
        cmocka_unit_test(test_rounded_period_sums),
        cmocka_unit_test(test_balances_exactly),   cmocka_unit_test(test_merge_and_bytes),
        cmocka_unit_test(test_corrupt_bytes),
        cmocka_unit_test(test_bad_input),          cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_failing_allocations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
