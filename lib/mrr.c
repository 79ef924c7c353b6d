/* Recurring-revenue movements (retention/mrr.h).
 *
 * The state is a cohort builder's: each customer's distinct (period, MRR) entries, sorted by
 * (customer, period), with MRR summed in double-double. A row's period index goes in as a "time"
 * with 1-second periods, so the cohort module's sorting, merging and serialising are reused as
 * they are. Finishing walks each customer's entries once in period order — each period's MRR
 * rounded once to a double — and files every change between consecutive periods under exactly
 * one movement (the table in mrr.h), keeping each movement's sum in double-double so that the
 * bridge balances whatever the order of the rows. */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "cohort_state.h"

struct rtn_mrr_builder {
    rtn_allocator alloc;
    rtn_cohort_builder *rows;
    int first_set, last_set;
    int64_t first, last;
};

struct rtn_mrr_table {
    rtn_allocator alloc;
    int64_t first;
    size_t count;
    double *column; /* RTN_MRR_COLUMN_COUNT columns of `count` values, one after the other */
};

static int in_period_range(int64_t p) { return p >= RTN_MRR_PERIOD_MIN && p <= RTN_MRR_PERIOD_MAX; }

/* A cohort builder whose "times" are period indices. */
static int new_rows(rtn_cohort_builder **out, const rtn_allocator *alloc)
{
    rtn_cohort_builder *rows;
    int rc = rtn_cohort_builder_create(&rows, alloc);
    if (rc != RTN_OK)
        return rc;
    rtn_cohort_builder_set(rows, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_SECONDS);
    rtn_cohort_builder_set(rows, RTN_COHORT_PERIOD_SECONDS, 1);
    *out = rows;
    return RTN_OK;
}

static int builder_around(rtn_cohort_builder *rows, const rtn_allocator *a, rtn_mrr_builder **out)
{
    rtn_mrr_builder *b = rtn__alloc(a, 1, sizeof *b);
    if (!b)
        return RTN_ENOMEM;
    memset(b, 0, sizeof *b);
    b->alloc = *a;
    b->rows = rows;
    *out = b;
    return RTN_OK;
}

int rtn_mrr_builder_create(rtn_mrr_builder **out, const rtn_allocator *alloc)
{
    rtn_allocator a;
    rtn_cohort_builder *rows;
    if (!out || rtn__allocator_of(alloc, &a) != RTN_OK)
        return RTN_EINVAL;
    int rc = new_rows(&rows, &a);
    if (rc != RTN_OK)
        return rc;
    if ((rc = builder_around(rows, &a, out)) != RTN_OK)
        rtn_cohort_builder_free(rows);
    return rc;
}

void rtn_mrr_builder_free(rtn_mrr_builder *b)
{
    if (!b)
        return;
    rtn_cohort_builder_free(b->rows);
    rtn_allocator a = b->alloc;
    rtn__free(&a, b);
}

int rtn_mrr_builder_set(rtn_mrr_builder *b, int32_t param, int64_t value)
{
    if (!b || !in_period_range(value))
        return RTN_EINVAL;
    switch (param) {
    case RTN_MRR_FIRST_PERIOD: b->first = value, b->first_set = 1; return RTN_OK;
    case RTN_MRR_LAST_PERIOD: b->last = value, b->last_set = 1; return RTN_OK;
    default: return RTN_EINVAL;
    }
}

int rtn_mrr_builder_unset(rtn_mrr_builder *b, int32_t param)
{
    if (!b)
        return RTN_EINVAL;
    switch (param) {
    case RTN_MRR_FIRST_PERIOD: b->first = 0, b->first_set = 0; return RTN_OK;
    case RTN_MRR_LAST_PERIOD: b->last = 0, b->last_set = 0; return RTN_OK;
    default: return RTN_EINVAL;
    }
}

int rtn_mrr_builder_is_set(const rtn_mrr_builder *b, int32_t param, int32_t *is_set)
{
    if (!b || !is_set || (param != RTN_MRR_FIRST_PERIOD && param != RTN_MRR_LAST_PERIOD))
        return RTN_EINVAL;
    *is_set = param == RTN_MRR_FIRST_PERIOD ? b->first_set : b->last_set;
    return RTN_OK;
}

/* The earliest period of any row (0 rows included): a scan of every run, the entries being
 * sorted by customer first. */
static int64_t earliest_period(const rtn_cohort_builder *rows)
{
    int64_t lo = rows->period[0];
    for (size_t i = 1; i < rows->n; ++i)
        lo = rows->period[i] < lo ? rows->period[i] : lo;
    for (size_t k = 0; k < rows->n_more; ++k)
        for (size_t i = 0; i < rows->more[k].n; ++i)
            lo = rows->more[k].period[i] < lo ? rows->more[k].period[i] : lo;
    return lo;
}

int rtn_mrr_builder_get(const rtn_mrr_builder *b, int32_t param, int64_t *value)
{
    if (!b || !value || (param != RTN_MRR_FIRST_PERIOD && param != RTN_MRR_LAST_PERIOD))
        return RTN_EINVAL;
    int first = param == RTN_MRR_FIRST_PERIOD;
    if (first ? b->first_set : b->last_set) {
        *value = first ? b->first : b->last;
        return RTN_OK;
    }
    if (b->rows->n == 0)
        return RTN_EUNDEFINED;
    *value = first ? earliest_period(b->rows) : b->rows->latest;
    return RTN_OK;
}

int rtn_mrr_builder_add(rtn_mrr_builder *b, const int64_t *customer, const int64_t *period,
                        const double *mrr, size_t n, size_t *bad_index)
{
    if (!b || (n > 0 && (!customer || !period || !mrr)))
        return RTN_EINVAL;
    for (size_t i = 0; i < n; ++i)
        if (!in_period_range(period[i]) || !rtn__nonneg(mrr[i])) {
            if (bad_index)
                *bad_index = i;
            return RTN_EDOMAIN;
        }
    return rtn_cohort_builder_add(b->rows, customer, period, mrr, n, NULL);
}

int rtn_mrr_builder_merge(rtn_mrr_builder *into, const rtn_mrr_builder *from)
{
    if (!into || !from || into == from)
        return RTN_EINVAL;
    return rtn_cohort_builder_merge(into->rows, from->rows);
}

/* ---- serialising ------------------------------------------------------------------------------ */

static const char MAGIC[8] = {'R', 'T', 'N', 'M', 'R', 'R', 'B', 'D'};
#define FORMAT_VERSION 1u
#define HEADER_BYTES 48u
#define CHECKSUM_BYTES 8u

int rtn_mrr_builder_serialize(const rtn_mrr_builder *b, uint8_t *buf, size_t cap, size_t *len)
{
    if (!b || !len)
        return RTN_EINVAL;
    size_t state;
    int rc = rtn_cohort_builder_serialize(b->rows, NULL, 0, &state);
    if (rc != RTN_EBUFSIZE)
        return rc == RTN_OK ? RTN_ENOMEM : rc; /* an empty buffer is never enough */
    if (state > SIZE_MAX - HEADER_BYTES - CHECKSUM_BYTES)
        return RTN_ENOMEM;
    size_t total = HEADER_BYTES + state + CHECKSUM_BYTES;
    *len = total;
    if (!buf || cap < total)
        return RTN_EBUFSIZE;
    uint8_t *p = buf;
    memcpy(p, MAGIC, sizeof MAGIC);
    p = put_u32(p + sizeof MAGIC, FORMAT_VERSION);
    p = put_u32(p, 0);
    p = put_u64(p, (uint64_t)(b->first_set ? b->first : 0));
    p = put_u64(p, (uint64_t)(b->last_set ? b->last : 0));
    *p++ = (uint8_t)b->first_set;
    *p++ = (uint8_t)b->last_set;
    memset(p, 0, 6); /* u16 reserved · u32 reserved */
    p = put_u64(p + 6, (uint64_t)state);
    if ((rc = rtn_cohort_builder_serialize(b->rows, p, state, &state)) != RTN_OK)
        return rc;
    p += state;
    put_u64(p, fnv1a(buf, (size_t)(p - buf)));
    return RTN_OK;
}

/* A nested cohort state is one this module could have written: 1-second periods in UTC, the
 * default finishing options, no signups, MRR ≥ 0 and periods in range. */
static int rows_are_mrr(const rtn_cohort_builder *r)
{
    if (r->unit != RTN_PERIOD_SECONDS || r->period_seconds != 1 || r->offset_minutes != 0 ||
        r->kind != RTN_COHORT_RETURN_ON || r->obs_end_set || r->n_edges != 0 ||
        r->max_periods != 0 || r->n_signups != 0 || (r->has_data && !in_period_range(r->latest)))
        return 0;
    for (size_t i = 0; i < r->n; ++i) {
        rtn__dd mrr = rtn__cohort_revenue(r->revenue, i);
        if (!in_period_range(r->period[i]) || !(mrr.hi >= 0.0) ||
            (mrr.hi == 0.0 && mrr.lo != 0.0) || r->period[i] > r->latest)
            return 0;
    }
    return 1;
}

int rtn_mrr_builder_deserialize(rtn_mrr_builder **out, const uint8_t *buf, size_t len,
                                const rtn_allocator *alloc)
{
    rtn_allocator a;
    if (!out || !buf || rtn__allocator_of(alloc, &a) != RTN_OK)
        return RTN_EINVAL;
    if (len < HEADER_BYTES + CHECKSUM_BYTES || memcmp(buf, MAGIC, sizeof MAGIC) != 0)
        return RTN_ECORRUPT;
    reader r = {buf + sizeof MAGIC, buf + len};
    if (get_u32(&r) != FORMAT_VERSION)
        return RTN_EVERSION;
    reader tail = {buf + len - CHECKSUM_BYTES, buf + len};
    if (get_u64(&tail) != fnv1a(buf, len - CHECKSUM_BYTES))
        return RTN_ECORRUPT;
    uint32_t flags = get_u32(&r);
    int64_t first = as_i64(get_u64(&r)), last = as_i64(get_u64(&r));
    uint8_t first_set = r.p[0], last_set = r.p[1];
    int reserved_zero = r.p[2] == 0 && r.p[3] == 0;
    r.p += 4;
    reserved_zero &= get_u32(&r) == 0;
    uint64_t state = get_u64(&r);
    if (flags != 0 || !reserved_zero || first_set > 1 || last_set > 1 ||
        (first_set ? !in_period_range(first) : first != 0) ||
        (last_set ? !in_period_range(last) : last != 0) ||
        state != len - HEADER_BYTES - CHECKSUM_BYTES)
        return RTN_ECORRUPT;
    rtn_cohort_builder *rows;
    int rc = rtn_cohort_builder_deserialize(&rows, buf + HEADER_BYTES, (size_t)state, &a);
    if (rc != RTN_OK)
        return rc == RTN_ENOMEM ? rc : RTN_ECORRUPT; /* v1 pins the nested format too */
    if (!rows_are_mrr(rows)) {
        rtn_cohort_builder_free(rows);
        return RTN_ECORRUPT;
    }
    rtn_mrr_builder *b;
    if ((rc = builder_around(rows, &a, &b)) != RTN_OK) {
        rtn_cohort_builder_free(rows);
        return rc;
    }
    b->first_set = first_set, b->first = first;
    b->last_set = last_set, b->last = last;
    *out = b;
    return RTN_OK;
}

/* ---- finishing -------------------------------------------------------------------------------- */

enum { START, NEW, EXPANSION, REACTIVATION, CONTRACTION, CHURNED, END, N_MOVES };

/* The running sums of a window of `count` periods: amounts in double-double, customers as
 * integers, both [move][period]. */
typedef struct bridge {
    int64_t first;
    size_t count;
    rtn__dd *amount;
    uint64_t *customers;
} bridge;

static double value_of(rtn__dd x) { return x.hi + x.lo; }

/* Files an amount under a movement in period p, one customer more, if p is in the window. */
static void file(bridge *br, int move, int64_t p, rtn__dd amount)
{
    if (p < br->first || (uint64_t)(p - br->first) >= br->count)
        return;
    size_t at = (size_t)move * br->count + (size_t)(p - br->first);
    br->amount[at] = rtn__dd_add(br->amount[at], amount.hi, amount.lo);
    br->customers[at]++;
}

/* a − b for a ≥ b ≥ 0, as a double-double */
static rtn__dd dd_minus(rtn__dd a, rtn__dd b) { return rtn__dd_add(a, -b.hi, -b.lo); }
static int dd_less(rtn__dd a, rtn__dd b) { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo); }

/* One customer's entries [from, to), in period order: every movement they make up to the last
 * period of the window. */
static void walk_customer(bridge *br, const int64_t *period, const rtn__dd *mrr, size_t from,
                          size_t to, int64_t last)
{
    int paid_before = 0;
    int64_t prev_period = 0;
    rtn__dd prev = {0.0, 0.0};
    for (size_t i = from; i < to; ++i) {
        /* the customer's MRR in the period: the exact sum of their rows rounded once, so that
         * 29.97 + 28.94 in one month and 58.91 in the next is flat, as a person reads it, and
         * not a 2e-15 expansion of the binary values */
        rtn__dd m = {value_of(rtn__cohort_revenue(mrr, i)), 0.0};
        if (m.hi == 0.0)
            continue; /* rows of 0: not paying */
        int64_t q = period[i];
        int continuing = paid_before && prev_period == q - 1;
        if (paid_before && !continuing)
            file(br, CHURNED, prev_period + 1, prev); /* stopped after prev_period */
        if (q > last)
            return; /* the rest is after the window; prev's churn, if any, is filed */
        if (!continuing)
            file(br, paid_before ? REACTIVATION : NEW, q, m);
        else if (dd_less(prev, m))
            file(br, EXPANSION, q, dd_minus(m, prev));
        else if (dd_less(m, prev))
            file(br, CONTRACTION, q, dd_minus(prev, m));
        file(br, END, q, m);
        file(br, START, q + 1, m); /* ignored past the window */
        paid_before = 1;
        prev_period = q;
        prev = m;
    }
    if (paid_before)
        file(br, CHURNED, prev_period + 1, prev);
}

/* Rates of one period from the exact sums; NaN where the denominator is 0 (mrr.h). */
static void rates_of(const rtn__dd *sum, double *gross, double *net, double *nrr, double *grr,
                     double *quick)
{
    double start = value_of(sum[START]);
    rtn__dd lost = rtn__dd_add(sum[CHURNED], sum[CONTRACTION].hi, sum[CONTRACTION].lo);
    rtn__dd gained = rtn__dd_add(sum[EXPANSION], sum[REACTIVATION].hi, sum[REACTIVATION].lo);
    rtn__dd net_lost = rtn__dd_add(lost, -gained.hi, -gained.lo);
    rtn__dd kept = rtn__dd_add(sum[START], -lost.hi, -lost.lo);
    rtn__dd kept_grown = rtn__dd_add(kept, sum[EXPANSION].hi, sum[EXPANSION].lo);
    rtn__dd won = rtn__dd_add(sum[NEW], gained.hi, gained.lo);
    int has_start = start > 0.0, has_losses = value_of(lost) > 0.0;
    *gross = has_start ? value_of(lost) / start : NAN;
    *net = has_start ? value_of(net_lost) / start : NAN;
    *nrr = has_start ? value_of(kept_grown) / start : NAN;
    *grr = has_start ? value_of(kept) / start : NAN;
    *quick = has_losses ? value_of(won) / value_of(lost) : NAN;
}

static int fill_table(const bridge *br, rtn_mrr_table *t)
{
    size_t n = br->count;
    for (size_t p = 0; p < n; ++p) {
        rtn__dd sum[N_MOVES];
        for (int m = 0; m < N_MOVES; ++m) {
            sum[m] = br->amount[(size_t)m * n + p];
            if (!isfinite(sum[m].hi))
                return RTN_EOVERFLOW;
            t->column[(size_t)m * n + p] = value_of(sum[m]);
            t->column[(size_t)(RTN_MRR_START_CUSTOMERS + m) * n + p] =
                (double)br->customers[(size_t)m * n + p];
        }
        double *col = t->column;
        rates_of(sum, &col[RTN_MRR_GROSS_REVENUE_CHURN * n + p], &col[RTN_MRR_NET_REVENUE_CHURN * n + p],
                 &col[RTN_MRR_NRR * n + p], &col[RTN_MRR_GRR * n + p], &col[RTN_MRR_QUICK_RATIO * n + p]);
        for (int c = RTN_MRR_GROSS_REVENUE_CHURN; c <= RTN_MRR_QUICK_RATIO; ++c)
            if (isinf(col[(size_t)c * n + p]))
                return RTN_EOVERFLOW;
    }
    return RTN_OK;
}

int rtn_mrr_builder_finish(const rtn_mrr_builder *b, rtn_mrr_table **out)
{
    int64_t first, last;
    if (!b || !out)
        return RTN_EINVAL;
    int rc = rtn_mrr_builder_get(b, RTN_MRR_FIRST_PERIOD, &first);
    if (rc != RTN_OK || (rc = rtn_mrr_builder_get(b, RTN_MRR_LAST_PERIOD, &last)) != RTN_OK)
        return rc;
    if (b->rows->n == 0 || first > last)
        return RTN_EUNDEFINED;
    if (last - first >= RTN_MRR_MAX_PERIODS)
        return RTN_EDOMAIN;
    const rtn_allocator *a = &b->alloc;
    size_t count = (size_t)(last - first) + 1;
    bridge br = {first, count, rtn__alloc(a, N_MOVES * count, sizeof(rtn__dd)),
                 rtn__alloc(a, N_MOVES * count, sizeof(uint64_t))};
    rtn_mrr_table *t = rtn__alloc(a, 1, sizeof *t);
    double *column = rtn__alloc(a, RTN_MRR_COLUMN_COUNT * count, sizeof(double));
    rtn_cohort_builder view; /* the rows' runs merged into one */
    int flat = rtn__cohort_flatten(b->rows, &view);
    rc = flat == RTN_EOVERFLOW ? RTN_EOVERFLOW : RTN_ENOMEM;
    if (!br.amount || !br.customers || !t || !column || flat != RTN_OK)
        goto done;
    memset(br.amount, 0, N_MOVES * count * sizeof(rtn__dd));
    memset(br.customers, 0, N_MOVES * count * sizeof(uint64_t));
    const rtn_cohort_builder *r = &view;
    for (size_t i = 0; i < r->n;) {
        size_t j = i + 1;
        while (j < r->n && r->customer[j] == r->customer[i])
            ++j;
        walk_customer(&br, r->period, r->revenue, i, j, last);
        i = j;
    }
    t->alloc = *a;
    t->first = first;
    t->count = count;
    t->column = column;
    if ((rc = fill_table(&br, t)) == RTN_OK) {
        *out = t;
        t = NULL, column = NULL;
    }
done:
    rtn__cohort_unflatten(b->rows, &view);
    rtn__free(a, br.amount);
    rtn__free(a, br.customers);
    rtn__free(a, column);
    rtn__free(a, t);
    return rc;
}

int rtn_mrr_table_build(const int64_t *customer, const int64_t *period, const double *mrr,
                        size_t n, rtn_mrr_table **out, size_t *bad_index)
{
    if (!out)
        return RTN_EINVAL;
    rtn_mrr_builder *b;
    int rc = rtn_mrr_builder_create(&b, NULL);
    if (rc != RTN_OK)
        return rc;
    if ((rc = rtn_mrr_builder_add(b, customer, period, mrr, n, bad_index)) == RTN_OK)
        rc = rtn_mrr_builder_finish(b, out);
    rtn_mrr_builder_free(b);
    return rc;
}

void rtn_mrr_table_free(rtn_mrr_table *t)
{
    if (!t)
        return;
    rtn_allocator a = t->alloc;
    rtn__free(&a, t->column);
    rtn__free(&a, t);
}

int rtn_mrr_table_periods(const rtn_mrr_table *t, int64_t *first, size_t *count)
{
    if (!t || !first || !count)
        return RTN_EINVAL;
    *first = t->first;
    *count = t->count;
    return RTN_OK;
}

int rtn_mrr_table_column(const rtn_mrr_table *t, int32_t column, double *out, size_t cap)
{
    if (!t || !out || column < 0 || column >= RTN_MRR_COLUMN_COUNT)
        return RTN_EINVAL;
    if (cap < t->count)
        return RTN_EBUFSIZE;
    memcpy(out, t->column + (size_t)column * t->count, t->count * sizeof *out);
    return RTN_OK;
}
