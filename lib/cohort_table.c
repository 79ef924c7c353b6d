/* Cohort tables (retention/cohort.h): finishing a builder into a table, and the accessors.
 *
 * One pass over the builder's activity, customer by customer (it is sorted by customer, then
 * period): a customer's cohort is their signup period or first active period; each active period
 * adds 1 to its cell ("return on"), a customer's last active period closes a run of cells ("on or
 * after", through a difference array), or their distinct brackets count once each. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cohort_state.h"

#define MAX_TABLE_CELLS (UINT64_C(1) << 22)

struct rtn_cohort_table {
    rtn_allocator alloc;
    size_t rows, cols;
    int64_t *cohort_period, *cohort_start;
    uint64_t *size;
    uint64_t *active; /* rows × cols */
    double *revenue;  /* rows × cols, evaluated hi + lo */
    double *base_revenue; /* rows: each cohort's period-0 revenue (for revenue retention) */
    uint8_t *status;  /* rows × cols */
    double *average;  /* cols */
    uint64_t *weight; /* cols */
};

void rtn_cohort_table_free(rtn_cohort_table *t)
{
    if (!t)
        return;
    rtn_allocator a = t->alloc;
    rtn__free(&a, t->cohort_period);
    rtn__free(&a, t->cohort_start);
    rtn__free(&a, t->size);
    rtn__free(&a, t->active);
    rtn__free(&a, t->revenue);
    rtn__free(&a, t->base_revenue);
    rtn__free(&a, t->status);
    rtn__free(&a, t->average);
    rtn__free(&a, t->weight);
    rtn__free(&a, t);
}

/* Walks customers in order: for customer index range [first, last) of the activity arrays and
 * an optional signup, calls back with the customer's cohort. Signup-only customers have an
 * empty range. */
typedef struct walker {
    const rtn_cohort_builder *b;
    size_t i, s; /* next activity entry, next signup */
} walker;

/* Next customer: 1 with *first, *last (entries) and *cohort, or 0 at the end. */
static inline int walk_next(walker *w, size_t *first, size_t *last, int64_t *cohort)
{
    const rtn_cohort_builder *b = w->b;
    int have_entry = w->i < b->n, have_signup = w->s < b->n_signups;
    if (!have_entry && !have_signup)
        return 0;
    int64_t customer = !have_signup ? b->customer[w->i]
                       : !have_entry ? b->signup_customer[w->s]
                       : b->customer[w->i] < b->signup_customer[w->s] ? b->customer[w->i]
                                                                      : b->signup_customer[w->s];
    size_t end = w->i;
    while (end < b->n && b->customer[end] == customer)
        ++end;
    int signed_up = have_signup && b->signup_customer[w->s] == customer;
    size_t start = w->i;
    if (signed_up) {
        *cohort = b->signup_period[w->s++];
        while (start < end && b->period[start] < *cohort) /* activity before signup: ignored */
            ++start;
    } else {
        *cohort = b->period[start];
    }
    *first = start;
    *last = end;
    w->i = end;
    return 1;
}

/* Whether entry e is its customer's first (entries are sorted by customer): without signups,
 * the entry whose period is the customer's cohort. */
static inline int first_entry(const rtn_cohort_builder *b, size_t e)
{
    return e == 0 || b->customer[e] != b->customer[e - 1];
}

/* Cohorts → rows: the sorted distinct cohort periods, and a map from a cohort to its row over
 * the range of periods when that range is short (the usual case), else a binary search. */
typedef struct row_index {
    int64_t *cohorts;
    size_t rows;
    int64_t lo;
    uint32_t *map; /* map[cohort − lo] = row, or NULL */
} row_index;

static size_t row_of(const row_index *x, int64_t cohort)
{
    if (x->map)
        return x->map[cohort - x->lo];
    size_t lo = 0, hi = x->rows;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->cohorts[mid] <= cohort)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Bracket of a period offset k (edges sorted): b with edges[b] ≤ k < edges[b + 1], or SIZE_MAX. */
static size_t bracket_of(const uint32_t *edges, size_t n_edges, int64_t k)
{
    if (k < (int64_t)edges[0] || k >= (int64_t)edges[n_edges - 1])
        return SIZE_MAX;
    size_t lo = 0, hi = n_edges - 1;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if ((int64_t)edges[mid] <= k)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Distinct cohort periods, sorted, into x. Every cohort is some activity or signup period, so
 * one scan of those gives the range; a short range is mapped directly (one walk marks the
 * cohorts present), a sparse one (fine periods over years) falls back to sorting every
 * customer's cohort. */
static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static int sorted_cohorts(const rtn_cohort_builder *b, row_index *x)
{
    size_t customers = 0, first, last, n = 0;
    walker w = {b, 0, 0};
    int64_t cohort;
    while (walk_next(&w, &first, &last, &cohort))
        ++customers;
    int64_t *all = rtn__alloc(&b->alloc, customers, sizeof *all);
    if (!all)
        return RTN_ENOMEM;
    w.i = w.s = 0;
    while (walk_next(&w, &first, &last, &cohort))
        all[n++] = cohort;
    qsort(all, n, sizeof *all, cmp_i64);
    size_t unique = 0;
    for (size_t i = 0; i < n; ++i)
        if (i == 0 || all[i] != all[unique - 1])
            all[unique++] = all[i];
    x->cohorts = all;
    x->rows = unique;
    return RTN_OK;
}

static void release_rows(const rtn_cohort_builder *b, row_index *x)
{
    rtn__free(&b->alloc, x->cohorts);
    rtn__free(&b->alloc, x->map);
}

static int distinct_cohorts(const rtn_cohort_builder *b, row_index *x)
{
    memset(x, 0, sizeof *x);
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < b->n; ++i) {
        lo = b->period[i] < lo ? b->period[i] : lo;
        hi = b->period[i] > hi ? b->period[i] : hi;
    }
    for (size_t i = 0; i < b->n_signups; ++i) {
        lo = b->signup_period[i] < lo ? b->signup_period[i] : lo;
        hi = b->signup_period[i] > hi ? b->signup_period[i] : hi;
    }
    uint64_t range = (uint64_t)hi - (uint64_t)lo + 1;
    /* the map: 4 bytes per period of the range, at most one per entry (and 4 KiB) */
    if (range > (uint64_t)(b->n + b->n_signups) / 4 + 1024)
        return sorted_cohorts(b, x);
    uint32_t *map = rtn__alloc(&b->alloc, (size_t)range, sizeof *map);
    if (!map)
        return RTN_ENOMEM;
    memset(map, 0, (size_t)range * sizeof *map);
    size_t rows = 0;
    if (b->n_signups == 0) {
        /* a cohort is the period of a customer's first entry; marking every entry with whether
         * it is one costs less than the branch it replaces (customers' entries vary in number) */
        for (size_t i = 0; i < b->n; ++i)
            map[b->period[i] - lo] |= (uint32_t)first_entry(b, i);
    } else {
        walker w = {b, 0, 0};
        size_t first, last;
        int64_t cohort;
        while (walk_next(&w, &first, &last, &cohort))
            map[cohort - lo] = 1;
    }
    for (uint64_t d = 0; d < range; ++d)
        rows += map[d];
    int64_t *cohorts = rtn__alloc(&b->alloc, rows, sizeof *cohorts);
    if (!cohorts) {
        rtn__free(&b->alloc, map);
        return RTN_ENOMEM;
    }
    size_t row = 0;
    for (uint64_t d = 0; d < range; ++d)
        if (map[d]) {
            cohorts[row] = lo + (int64_t)d;
            map[d] = (uint32_t)row++;
        }
    x->cohorts = cohorts;
    x->rows = rows;
    x->lo = lo;
    x->map = map;
    return RTN_OK;
}

/* Status of the span of periods [from, to] (absolute indices) against the observation end E,
 * which lies in period end_period and is its last second when end_is_last. Compared as indices
 * (period starts increase with the index), so no start of a far bracket edge is ever computed —
 * with 10^10-second periods that product would overflow. */
static uint8_t span_status(int64_t from, int64_t to, int64_t end_period, int end_is_last)
{
    if (from > end_period)
        return RTN_CELL_CENSORED; /* starts after E */
    if (to < end_period || (to == end_period && end_is_last))
        return RTN_CELL_COMPLETE;
    return RTN_CELL_PARTIAL;
}

static int alloc_table(const rtn_cohort_builder *b, size_t rows, size_t cols,
                       rtn_cohort_table **out)
{
    const rtn_allocator *a = &b->alloc;
    if (cols != 0 && rows > SIZE_MAX / cols)
        return RTN_ENOMEM;
    size_t cells = rows * cols;
    rtn_cohort_table *t = rtn__alloc(a, 1, sizeof *t);
    if (!t)
        return RTN_ENOMEM;
    memset(t, 0, sizeof *t);
    t->alloc = *a;
    t->rows = rows;
    t->cols = cols;
    t->cohort_period = rtn__alloc(a, rows, sizeof(int64_t));
    t->cohort_start = rtn__alloc(a, rows, sizeof(int64_t));
    t->size = rtn__alloc(a, rows, sizeof(uint64_t));
    t->active = rtn__alloc(a, cells, sizeof(uint64_t));
    t->revenue = rtn__alloc(a, cells, sizeof(double));
    t->base_revenue = rtn__alloc(a, rows, sizeof(double));
    t->status = rtn__alloc(a, cells, sizeof(uint8_t));
    t->average = rtn__alloc(a, cols, sizeof(double));
    t->weight = rtn__alloc(a, cols, sizeof(uint64_t));
    if (!t->cohort_period || !t->cohort_start || !t->size || !t->active || !t->revenue ||
        !t->base_revenue ||
        !t->status || !t->average || !t->weight) {
        rtn_cohort_table_free(t);
        return RTN_ENOMEM;
    }
    memset(t->size, 0, rows * sizeof(uint64_t));
    memset(t->active, 0, (cells ? cells : 1) * sizeof(uint64_t));
    *out = t;
    return RTN_OK;
}

/* accumulate() for "return on" without signups or revenue, through the direct cohort map: the
 * common case (a count table), done entry by entry without a branch on where a customer's
 * entries end, which no predictor guesses (customers have any number of entries). Each entry
 * re-reads its customer's row from the map, in cache; an entry past the last column adds 0 to
 * its row's first cell rather than branching. A cohort's size is its column 0, where each of
 * its customers has exactly one entry (the first), so no per-entry update of the sizes waits on
 * the one before. Entries after the observation end's period need no test here: their cells
 * are censored, and summarise() zeroes those. With revenue the walk is faster: its sums chain
 * through memory either way. */
static void count_return_on(const rtn_cohort_builder *b, const row_index *x, rtn_cohort_table *t)
{
    size_t cols = t->cols; /* ≥ 1 */
    int64_t cohort = 0;
    for (size_t e = 0; e < b->n; ++e) {
        int fresh = first_entry(b, e);
        cohort = fresh ? b->period[e] : cohort;
        size_t row = x->map[cohort - x->lo];
        uint64_t k = (uint64_t)b->period[e] - (uint64_t)cohort;
        int in = k < cols;
        t->active[row * cols + (in ? (size_t)k : 0)] += (uint64_t)in;
    }
    for (size_t r = 0; r < t->rows; ++r)
        t->size[r] = t->active[r * cols];
}

/* Counts every customer into the table; revenue accumulates in dd (hi, lo) pairs. For "on or
 * after" the active cells get a difference array: +1 at 0, −1 after the last active period. */
static void accumulate(const rtn_cohort_builder *b, const row_index *x, rtn_cohort_table *t,
                       rtn__dd *revenue, rtn__dd *base, int64_t *diff, int64_t end_period)
{
    size_t cols = t->cols;
    walker w = {b, 0, 0};
    size_t first, last;
    int64_t cohort;
    while (walk_next(&w, &first, &last, &cohort)) {
        size_t row = row_of(x, cohort);
        uint64_t *active = t->active + row * cols;
        rtn__dd *rev = revenue + row * cols;
        t->size[row]++;
        size_t last_bracket = SIZE_MAX;
        while (last > first && b->period[last - 1] > end_period)
            --last; /* activity after the observation end's period is not observed */
        for (size_t e = first; e < last; ++e) {
            int64_t k = b->period[e] - cohort;
            rtn__dd amount = rtn__cohort_revenue(b->revenue, e);
            if (k == 0)
                base[row] = rtn__dd_add(base[row], amount.hi, amount.lo);
            size_t col = b->kind == RTN_COHORT_BRACKETS ? bracket_of(b->edges, b->n_edges, k)
                         : (uint64_t)k < cols ? (size_t)k
                                              : SIZE_MAX;
            if (col == SIZE_MAX)
                continue;
            rev[col] = rtn__dd_add(rev[col], amount.hi, amount.lo);
            if (b->kind == RTN_COHORT_RETURN_ON)
                active[col]++;
            else if (b->kind == RTN_COHORT_BRACKETS && col != last_bracket)
                active[col]++, last_bracket = col; /* periods ascend: brackets do too */
        }
        if (b->kind == RTN_COHORT_RETURN_ON_OR_AFTER && last > first) {
            int64_t k = b->period[last - 1] - cohort; /* the last active period */
            size_t stop = (uint64_t)k + 1 < cols ? (size_t)k + 1 : cols;
            diff[row * (cols + 1)] += 1;
            diff[row * (cols + 1) + stop] -= 1;
        }
    }
    if (b->kind == RTN_COHORT_RETURN_ON_OR_AFTER)
        for (size_t r = 0; r < t->rows; ++r) {
            int64_t run = 0;
            for (size_t k = 0; k < cols; ++k) {
                run += diff[r * (cols + 1) + k];
                t->active[r * cols + k] = (uint64_t)run;
            }
        }
}

/* Statuses, censoring, revenue evaluation and the average curve. */
static void summarise(const rtn_cohort_builder *b, rtn_cohort_table *t, const rtn__dd *revenue,
                      int64_t end)
{
    size_t cols = t->cols;
    int64_t end_period = rtn__period_of(end, b->unit, b->period_seconds, b->offset_minutes);
    int end_is_last =
        rtn__period_start(end_period + 1, b->unit, b->period_seconds, b->offset_minutes) - 1 == end;
    for (size_t r = 0; r < t->rows; ++r) {
        int64_t c = t->cohort_period[r];
        t->cohort_start[r] = rtn__period_start(c, b->unit, b->period_seconds, b->offset_minutes);
        for (size_t k = 0; k < cols; ++k) {
            size_t cell = r * cols + k;
            int64_t from = c + (b->kind == RTN_COHORT_BRACKETS ? (int64_t)b->edges[k] : (int64_t)k);
            int64_t to = b->kind == RTN_COHORT_BRACKETS ? c + (int64_t)b->edges[k + 1] - 1 : from;
            uint8_t st = span_status(from, to, end_period, end_is_last);
            t->status[cell] = st;
            t->revenue[cell] = st == RTN_CELL_CENSORED ? NAN : revenue[cell].hi + revenue[cell].lo;
            if (st == RTN_CELL_CENSORED)
                t->active[cell] = 0; /* events after the observation end do not count */
        }
    }
    /* Amplitude's average: Σ active / Σ size over the complete cells of each column */
    for (size_t k = 0; k < cols; ++k) {
        uint64_t active = 0, weight = 0;
        for (size_t r = 0; r < t->rows; ++r)
            if (t->status[r * cols + k] == RTN_CELL_COMPLETE) {
                active += t->active[r * cols + k];
                weight += t->size[r];
            }
        t->weight[k] = weight;
        t->average[k] = weight ? (double)active / (double)weight : NAN;
    }
}

static int finish_flat(const rtn_cohort_builder *b, rtn_cohort_table **out);

int rtn_cohort_builder_finish(const rtn_cohort_builder *b, rtn_cohort_table **out)
{
    if (!b || !out)
        return RTN_EINVAL;
    if (b->n == 0 && b->n_signups == 0)
        return RTN_EUNDEFINED;
    rtn_cohort_builder view; /* the runs of later adds merged into one */
    int rc = rtn__cohort_flatten(b, &view);
    if (rc == RTN_OK)
        rc = finish_flat(&view, out);
    rtn__cohort_unflatten(b, &view);
    return rc;
}

/* rtn_cohort_builder_finish() of a builder of one run. */
static int finish_flat(const rtn_cohort_builder *b, rtn_cohort_table **out)
{
    int64_t end = b->obs_end_set ? b->obs_end : b->latest;
    int64_t end_period = rtn__period_of(end, b->unit, b->period_seconds, b->offset_minutes);
    row_index x;
    int rc = distinct_cohorts(b, &x);
    if (rc != RTN_OK)
        return rc;
    const int64_t *cohorts = x.cohorts;
    size_t rows = x.rows;
    if (end_period < cohorts[0]) {
        release_rows(b, &x);
        return RTN_EINVAL; /* nothing could have been observed */
    }
    /* columns: every period from the first cohort's to the observation end's, or the brackets */
    uint64_t span = (uint64_t)(end_period - cohorts[0]) + 1;
    if (b->max_periods > 0 && span > (uint64_t)b->max_periods)
        span = (uint64_t)b->max_periods;
    size_t cols = b->kind == RTN_COHORT_BRACKETS ? b->n_edges - 1 : (size_t)span;
    /* A table past 2^22 cells (hours over years, say) is a mistake, not a report: refuse it
     * rather than take gigabytes. */
    if ((b->kind != RTN_COHORT_BRACKETS && span > SIZE_MAX / 64) ||
        (cols > 0 && rows > (size_t)MAX_TABLE_CELLS / cols)) {
        release_rows(b, &x);
        return RTN_ENOMEM;
    }
    rtn_cohort_table *t;
    rc = alloc_table(b, rows, cols, &t);
    if (rc != RTN_OK) {
        release_rows(b, &x);
        return rc;
    }
    memcpy(t->cohort_period, cohorts, rows * sizeof *cohorts);
    size_t cells = rows * cols;
    rtn__dd *revenue = rtn__alloc(&b->alloc, cells + rows, sizeof *revenue);
    int64_t *diff = b->kind == RTN_COHORT_RETURN_ON_OR_AFTER
                        ? rtn__alloc(&b->alloc, rows * (cols + 1), sizeof *diff)
                        : NULL;
    if (!revenue || (b->kind == RTN_COHORT_RETURN_ON_OR_AFTER && !diff)) {
        rtn__free(&b->alloc, revenue);
        rtn__free(&b->alloc, diff);
        rtn_cohort_table_free(t);
        release_rows(b, &x);
        return RTN_ENOMEM;
    }
    memset(revenue, 0, (cells + rows) * sizeof *revenue);
    rtn__dd *base = revenue + cells; /* each cohort's period-0 revenue */
    if (diff)
        memset(diff, 0, rows * (cols + 1) * sizeof *diff);
    if (b->kind == RTN_COHORT_RETURN_ON && b->n_signups == 0 && x.map && b->revenue_bound == 0.0)
        count_return_on(b, &x, t); /* no revenue: every revenue sum stays 0 */
    else
        accumulate(b, &x, t, revenue, base, diff, end_period);
    release_rows(b, &x);
    for (size_t i = 0; i < cells + rows; ++i)
        if (!isfinite(revenue[i].hi) || !isfinite(revenue[i].lo)) {
            rc = RTN_EOVERFLOW; /* a cell's revenue passes DBL_MAX */
            break;
        }
    if (rc != RTN_OK) {
        rtn__free(&b->alloc, revenue);
        rtn__free(&b->alloc, diff);
        rtn_cohort_table_free(t);
        return rc;
    }
    summarise(b, t, revenue, end);
    for (size_t r = 0; r < rows; ++r)
        t->base_revenue[r] = base[r].hi + base[r].lo;
    rtn__free(&b->alloc, revenue);
    rtn__free(&b->alloc, diff);
    *out = t;
    return RTN_OK;
}

int rtn_cohort_table_build(const int64_t *customer, const int64_t *time, const double *amount,
                           size_t n, int32_t period_unit, int32_t kind, rtn_cohort_table **out,
                           size_t *bad_index)
{
    if (!out || (kind != RTN_COHORT_RETURN_ON && kind != RTN_COHORT_RETURN_ON_OR_AFTER) ||
        period_unit == RTN_PERIOD_SECONDS) /* no length argument: use a builder */
        return RTN_EINVAL;
    rtn_cohort_builder *b;
    int rc = rtn_cohort_builder_create(&b, NULL);
    if (rc != RTN_OK)
        return rc;
    if ((rc = rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, period_unit)) == RTN_OK &&
        (rc = rtn_cohort_builder_set(b, RTN_COHORT_KIND, kind)) == RTN_OK &&
        (rc = rtn_cohort_builder_add(b, customer, time, amount, n, bad_index)) == RTN_OK)
        rc = rtn_cohort_builder_finish(b, out);
    rtn_cohort_builder_free(b);
    return rc;
}

/* ---- accessors ---------------------------------------------------------------------------------- */

int rtn_cohort_table_dims(const rtn_cohort_table *t, size_t *cohorts, size_t *periods)
{
    if (!t || !cohorts || !periods)
        return RTN_EINVAL;
    *cohorts = t->rows;
    *periods = t->cols;
    return RTN_OK;
}

int rtn_cohort_table_cohorts(const rtn_cohort_table *t, int64_t *period, int64_t *start,
                             uint64_t *size, size_t cap)
{
    if (!t)
        return RTN_EINVAL;
    if (cap < t->rows)
        return RTN_EBUFSIZE;
    if (period)
        memcpy(period, t->cohort_period, t->rows * sizeof *period);
    if (start)
        memcpy(start, t->cohort_start, t->rows * sizeof *start);
    if (size)
        memcpy(size, t->size, t->rows * sizeof *size);
    return RTN_OK;
}

static int check_cells(const rtn_cohort_table *t, const void *cells, size_t cap)
{
    if (!t || !cells)
        return RTN_EINVAL;
    return cap < t->rows * t->cols ? RTN_EBUFSIZE : RTN_OK;
}

int rtn_cohort_table_active(const rtn_cohort_table *t, uint64_t *cells, size_t cap)
{
    int rc = check_cells(t, cells, cap);
    if (rc == RTN_OK)
        memcpy(cells, t->active, t->rows * t->cols * sizeof *cells);
    return rc;
}

int rtn_cohort_table_status(const rtn_cohort_table *t, uint8_t *cells, size_t cap)
{
    int rc = check_cells(t, cells, cap);
    if (rc == RTN_OK)
        memcpy(cells, t->status, t->rows * t->cols * sizeof *cells);
    return rc;
}

int rtn_cohort_table_revenue(const rtn_cohort_table *t, double *cells, size_t cap)
{
    int rc = check_cells(t, cells, cap);
    if (rc == RTN_OK)
        memcpy(cells, t->revenue, t->rows * t->cols * sizeof *cells);
    return rc;
}

int rtn_cohort_table_retention(const rtn_cohort_table *t, double *cells, size_t cap)
{
    int rc = check_cells(t, cells, cap);
    if (rc != RTN_OK)
        return rc;
    for (size_t r = 0; r < t->rows; ++r)
        for (size_t k = 0; k < t->cols; ++k) {
            size_t cell = r * t->cols + k;
            cells[cell] = t->status[cell] == RTN_CELL_CENSORED || t->size[r] == 0
                              ? NAN
                              : (double)t->active[cell] / (double)t->size[r];
        }
    return RTN_OK;
}

int rtn_cohort_table_revenue_retention(const rtn_cohort_table *t, double *cells, size_t cap)
{
    int rc = check_cells(t, cells, cap);
    if (rc != RTN_OK)
        return rc;
    for (size_t r = 0; r < t->rows; ++r) {
        double base = t->base_revenue[r];
        for (size_t k = 0; k < t->cols; ++k) {
            size_t cell = r * t->cols + k;
            cells[cell] = t->status[cell] == RTN_CELL_CENSORED || base == 0.0
                              ? NAN
                              : t->revenue[cell] / base;
        }
    }
    return RTN_OK;
}

int rtn_cohort_table_average(const rtn_cohort_table *t, double *curve, uint64_t *weight,
                             size_t cap)
{
    if (!t || !curve)
        return RTN_EINVAL;
    if (cap < t->cols)
        return RTN_EBUFSIZE;
    memcpy(curve, t->average, t->cols * sizeof *curve);
    if (weight)
        memcpy(weight, t->weight, t->cols * sizeof *weight);
    return RTN_OK;
}
