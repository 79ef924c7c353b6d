/* Cohort builders (retention/cohort.h): parameters, adding events and signups, merging.
 *
 * The state is each customer's distinct active periods with their revenue, kept as three
 * parallel arrays sorted by (customer, period). Adding a chunk of events buckets their times,
 * sorts the chunk by (customer, period) with an LSD radix sort, folds duplicates, and merges it
 * into the state in one linear pass; merging two builders is the same linear merge. Sorting
 * rather than hashing keeps every pass sequential over memory, which is what makes 10^7 events
 * take a fraction of a second. */
#include <stdlib.h>
#include <string.h>

#include "cohort_state.h"

#define MAX_PERIODS_LIMIT INT64_C(2147483647)
#define MAX_PERIOD_SECONDS INT64_C(10000000000)

/* ---- allocation ------------------------------------------------------------------------------- */

static void *default_alloc(void *opaque, size_t size)
{
    (void)opaque;
    return malloc(size);
}

static void default_free(void *opaque, void *p)
{
    (void)opaque;
    free(p);
}

void rtn__default_allocator(rtn_allocator *a)
{
    a->alloc = default_alloc;
    a->free = default_free;
    a->opaque = NULL;
}

void *rtn__alloc(const rtn_allocator *a, size_t count, size_t size)
{
    if (count == 0)
        count = 1; /* a valid, freeable pointer for empty arrays */
    if (count > SIZE_MAX / size)
        return NULL;
    return a->alloc(a->opaque, count * size);
}

void rtn__free(const rtn_allocator *a, void *p)
{
    if (p)
        a->free(a->opaque, p);
}

/* ---- create, free, parameters ------------------------------------------------------------------- */

int rtn__cohort_builder_new(rtn_cohort_builder **out, const rtn_allocator *alloc)
{
    if (!out || (alloc && (!alloc->alloc || !alloc->free)))
        return RTN_EINVAL;
    rtn_allocator a;
    if (alloc)
        a = *alloc;
    else
        rtn__default_allocator(&a);
    rtn_cohort_builder *b = rtn__alloc(&a, 1, sizeof *b);
    if (!b)
        return RTN_ENOMEM;
    memset(b, 0, sizeof *b);
    b->alloc = a;
    b->unit = RTN_PERIOD_MONTH;
    b->period_seconds = 86400;
    b->kind = RTN_COHORT_RETURN_ON;
    *out = b;
    return RTN_OK;
}

int rtn_cohort_builder_create(rtn_cohort_builder **out, const rtn_allocator *alloc)
{
    return rtn__cohort_builder_new(out, alloc);
}

void rtn__cohort_set_entries(rtn_cohort_builder *b, int64_t *customer, int64_t *period,
                             rtn__dd *revenue, size_t n)
{
    rtn__free(&b->alloc, b->customer);
    rtn__free(&b->alloc, b->period);
    rtn__free(&b->alloc, b->revenue);
    b->customer = customer;
    b->period = period;
    b->revenue = revenue;
    b->n = b->cap = n;
}

void rtn__cohort_set_signups(rtn_cohort_builder *b, int64_t *customer, int64_t *period, size_t n)
{
    rtn__free(&b->alloc, b->signup_customer);
    rtn__free(&b->alloc, b->signup_period);
    b->signup_customer = customer;
    b->signup_period = period;
    b->n_signups = b->signup_cap = n;
}

void rtn_cohort_builder_free(rtn_cohort_builder *b)
{
    if (!b)
        return;
    rtn__cohort_set_entries(b, NULL, NULL, NULL, 0);
    rtn__cohort_set_signups(b, NULL, NULL, 0);
    rtn__free(&b->alloc, b->edges);
    rtn_allocator a = b->alloc;
    rtn__free(&a, b);
}

int rtn_cohort_param_bounds(int32_t param, int64_t *min, int64_t *max)
{
    if (!min || !max)
        return RTN_EINVAL;
    int64_t lo, hi;
    switch (param) {
    case RTN_COHORT_PERIOD_UNIT: lo = RTN_PERIOD_DAY, hi = RTN_PERIOD_SECONDS; break;
    case RTN_COHORT_PERIOD_SECONDS: lo = 1, hi = MAX_PERIOD_SECONDS; break;
    case RTN_COHORT_UTC_OFFSET_MINUTES: lo = -1440, hi = 1440; break;
    case RTN_COHORT_KIND: lo = RTN_COHORT_RETURN_ON, hi = RTN_COHORT_BRACKETS; break;
    case RTN_COHORT_OBSERVATION_END: lo = RTN_TIME_MIN, hi = RTN_TIME_MAX; break;
    case RTN_COHORT_MAX_PERIODS: lo = 0, hi = MAX_PERIODS_LIMIT; break;
    default: return RTN_EINVAL;
    }
    *min = lo;
    *max = hi;
    return RTN_OK;
}

int rtn_cohort_builder_set(rtn_cohort_builder *b, int32_t param, int64_t value)
{
    int64_t lo, hi;
    if (!b || rtn_cohort_param_bounds(param, &lo, &hi) != RTN_OK || value < lo || value > hi)
        return RTN_EINVAL;
    int calendar = param == RTN_COHORT_PERIOD_UNIT || param == RTN_COHORT_PERIOD_SECONDS ||
                   param == RTN_COHORT_UTC_OFFSET_MINUTES;
    int64_t current;
    rtn_cohort_builder_get(b, param, &current);
    if (calendar && b->has_data && value != current)
        return RTN_EINVAL; /* the stored periods were computed with the old calendar */
    switch (param) {
    case RTN_COHORT_PERIOD_UNIT: b->unit = (int32_t)value; break;
    case RTN_COHORT_PERIOD_SECONDS: b->period_seconds = value; break;
    case RTN_COHORT_UTC_OFFSET_MINUTES: b->offset_minutes = (int32_t)value; break;
    case RTN_COHORT_KIND:
        if (value == RTN_COHORT_BRACKETS && b->n_edges < 2)
            return RTN_EINVAL; /* brackets come with their edges: set_brackets() */
        b->kind = (int32_t)value;
        break;
    case RTN_COHORT_OBSERVATION_END:
        b->obs_end = value;
        b->obs_end_set = 1;
        break;
    default: b->max_periods = value; break;
    }
    return RTN_OK;
}

int rtn_cohort_builder_get(const rtn_cohort_builder *b, int32_t param, int64_t *value)
{
    if (!b || !value)
        return RTN_EINVAL;
    switch (param) {
    case RTN_COHORT_PERIOD_UNIT: *value = b->unit; return RTN_OK;
    case RTN_COHORT_PERIOD_SECONDS: *value = b->period_seconds; return RTN_OK;
    case RTN_COHORT_UTC_OFFSET_MINUTES: *value = b->offset_minutes; return RTN_OK;
    case RTN_COHORT_KIND: *value = b->kind; return RTN_OK;
    case RTN_COHORT_MAX_PERIODS: *value = b->max_periods; return RTN_OK;
    case RTN_COHORT_OBSERVATION_END:
        if (b->obs_end_set) {
            *value = b->obs_end;
            return RTN_OK;
        }
        if (!b->has_data)
            return RTN_EUNDEFINED;
        *value = b->latest;
        return RTN_OK;
    default: return RTN_EINVAL;
    }
}

int rtn_cohort_builder_set_brackets(rtn_cohort_builder *b, const uint32_t *edges,
                                    size_t n_edges)
{
    if (!b || !edges || n_edges < 2)
        return RTN_EINVAL;
    for (size_t i = 0; i < n_edges; ++i)
        if (edges[i] > (uint32_t)MAX_PERIODS_LIMIT || (i > 0 && edges[i] <= edges[i - 1]))
            return RTN_EINVAL; /* a zero-length (or reversed) bracket */
    uint32_t *copy = rtn__alloc(&b->alloc, n_edges, sizeof *copy);
    if (!copy)
        return RTN_ENOMEM;
    memcpy(copy, edges, n_edges * sizeof *copy);
    rtn__free(&b->alloc, b->edges);
    b->edges = copy;
    b->n_edges = n_edges;
    b->kind = RTN_COHORT_BRACKETS;
    return RTN_OK;
}

/* ---- sorting a chunk ----------------------------------------------------------------------------- */

/* Stable LSD radix sort of key[0..n) by its low `bits` bits, carrying aux (may be NULL) and val
 * (may be NULL) along; tmp_* are scratch arrays of n elements. Digits of up to 11 bits keep the
 * counting table in L1 and the scatter within the cache's reach; a digit on which every key
 * agrees is skipped. The sorted data ends up in the input arrays. */
static void radix_sort(uint64_t *key, uint64_t *aux, double *val, size_t n, unsigned bits,
                       uint64_t *tmp_key, uint64_t *tmp_aux, double *tmp_val)
{
    unsigned passes = (bits + 10) / 11;
    unsigned digit = passes ? (bits + passes - 1) / passes : 0;
    size_t count[2048];
    for (unsigned pass = 0; pass < passes; ++pass) {
        unsigned shift = pass * digit;
        uint64_t mask = (UINT64_C(1) << digit) - 1;
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; ++i)
            count[(key[i] >> shift) & mask]++;
        if (count[(key[0] >> shift) & mask] == n)
            continue;
        size_t sum = 0;
        for (size_t d = 0; d <= mask; ++d) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; ++i) {
            size_t to = count[(key[i] >> shift) & mask]++;
            tmp_key[to] = key[i];
            if (aux)
                tmp_aux[to] = aux[i];
            if (val)
                tmp_val[to] = val[i];
        }
        memcpy(key, tmp_key, n * sizeof *key);
        if (aux)
            memcpy(aux, tmp_aux, n * sizeof *aux);
        if (val)
            memcpy(val, tmp_val, n * sizeof *val);
    }
}

static unsigned bits_for(uint64_t range)
{
    unsigned bits = 0;
    while (bits < 64 && (range >> bits) != 0)
        ++bits;
    return bits;
}

/* Order-preserving map of an int64 onto a uint64 (flip the sign bit). */
static uint64_t biased(int64_t v) { return (uint64_t)v ^ (UINT64_C(1) << 63); }
static int64_t unbiased(uint64_t v) { return (int64_t)(v ^ (UINT64_C(1) << 63)); }

/* The periods of n times, with a day → period table when the calendar needs civil dates and the
 * days span fewer entries than there are events (then a lookup beats the date arithmetic). */
static int bucket_times(const rtn_cohort_builder *b, const int64_t *time, size_t n,
                        int64_t tmin, int64_t tmax, int64_t *period)
{
    int civil = b->unit == RTN_PERIOD_MONTH || b->unit == RTN_PERIOD_QUARTER;
    int64_t off = (int64_t)b->offset_minutes * 60;
    int64_t dmin = rtn__period_of(tmin, RTN_PERIOD_DAY, 0, b->offset_minutes);
    int64_t dmax = rtn__period_of(tmax, RTN_PERIOD_DAY, 0, b->offset_minutes);
    if (!civil || (uint64_t)(dmax - dmin) >= n) {
        for (size_t i = 0; i < n; ++i)
            period[i] = rtn__period_of(time[i], b->unit, b->period_seconds, b->offset_minutes);
        return RTN_OK;
    }
    size_t days = (size_t)(dmax - dmin) + 1;
    int64_t *table = rtn__alloc(&b->alloc, days, sizeof *table);
    if (!table)
        return RTN_ENOMEM;
    for (size_t d = 0; d < days; ++d)
        table[d] = rtn__period_of(((int64_t)d + dmin) * 86400 - off, b->unit, 0,
                                  b->offset_minutes);
    for (size_t i = 0; i < n; ++i) {
        int64_t local = time[i] + off;
        int64_t day = local / 86400 - (local % 86400 < 0);
        period[i] = table[day - dmin];
    }
    rtn__free(&b->alloc, table);
    return RTN_OK;
}

/* A chunk of sorted, distinct (customer, period) activity. */
typedef struct chunk {
    int64_t *customer, *period;
    rtn__dd *revenue;
    size_t n;
} chunk;

static void chunk_free(const rtn_allocator *a, chunk *c)
{
    rtn__free(a, c->customer);
    rtn__free(a, c->period);
    rtn__free(a, c->revenue);
    memset(c, 0, sizeof *c);
}

/* Sorts the events (customer, period, amount) and folds equal pairs into `out`. */
static int make_chunk(const rtn_cohort_builder *b, const int64_t *customer, const int64_t *period,
                      const double *amount, size_t n, chunk *out)
{
    const rtn_allocator *a = &b->alloc;
    int64_t cmin = customer[0], cmax = customer[0], pmin = period[0], pmax = period[0];
    for (size_t i = 1; i < n; ++i) {
        cmin = customer[i] < cmin ? customer[i] : cmin;
        cmax = customer[i] > cmax ? customer[i] : cmax;
        pmin = period[i] < pmin ? period[i] : pmin;
        pmax = period[i] > pmax ? period[i] : pmax;
    }
    unsigned cbits = bits_for((uint64_t)cmax - (uint64_t)cmin);
    unsigned pbits = bits_for((uint64_t)pmax - (uint64_t)pmin);
    int packed = cbits + pbits <= 64 && pbits < 64; /* shifts by 64 bits are undefined */

    uint64_t *key = rtn__alloc(a, n, sizeof *key), *tmp_key = rtn__alloc(a, n, sizeof *key);
    uint64_t *aux = packed ? NULL : rtn__alloc(a, n, sizeof *aux);
    uint64_t *tmp_aux = packed ? NULL : rtn__alloc(a, n, sizeof *aux);
    double *val = amount ? rtn__alloc(a, n, sizeof *val) : NULL;
    double *tmp_val = amount ? rtn__alloc(a, n, sizeof *val) : NULL;
    chunk c = {rtn__alloc(a, n, sizeof(int64_t)), rtn__alloc(a, n, sizeof(int64_t)),
               rtn__alloc(a, n, sizeof(rtn__dd)), 0};
    int rc = RTN_ENOMEM;
    if (!key || !tmp_key || (!packed && (!aux || !tmp_aux)) || (amount && (!val || !tmp_val)) ||
        !c.customer || !c.period || !c.revenue)
        goto done;
    if (amount)
        memcpy(val, amount, n * sizeof *val);
    if (packed) {
        /* one key: customer offset above period offset */
        for (size_t i = 0; i < n; ++i)
            key[i] = (((uint64_t)customer[i] - (uint64_t)cmin) << pbits) |
                     ((uint64_t)period[i] - (uint64_t)pmin);
        radix_sort(key, NULL, val, n, cbits + pbits, tmp_key, NULL, tmp_val);
    } else {
        /* by period, then stably by customer */
        for (size_t i = 0; i < n; ++i) {
            key[i] = (uint64_t)period[i] - (uint64_t)pmin;
            aux[i] = biased(customer[i]);
        }
        radix_sort(key, aux, val, n, pbits, tmp_key, tmp_aux, tmp_val);
        radix_sort(aux, key, val, n, 64, tmp_aux, tmp_key, tmp_val);
    }
    uint64_t pmask = pbits == 64 ? UINT64_MAX : (UINT64_C(1) << pbits) - 1;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        rtn__dd sum = {0.0, 0.0};
        for (; j < n && (packed ? key[j] == key[i] : aux[j] == aux[i] && key[j] == key[i]); ++j)
            if (amount)
                sum = rtn__dd_add(sum, val[j], 0.0);
        if (!rtn__finite(sum.hi) || !rtn__finite(sum.lo)) {
            rc = RTN_EOVERFLOW; /* amounts near DBL_MAX that add past it */
            goto done;
        }
        if (packed) {
            c.customer[c.n] = (int64_t)((uint64_t)cmin + (key[i] >> pbits));
            c.period[c.n] = (int64_t)((uint64_t)pmin + (key[i] & pmask));
        } else {
            c.customer[c.n] = unbiased(aux[i]);
            c.period[c.n] = (int64_t)((uint64_t)pmin + key[i]);
        }
        c.revenue[c.n++] = sum;
        i = j;
    }
    *out = c;
    memset(&c, 0, sizeof c);
    rc = RTN_OK;
done:
    chunk_free(a, &c);
    rtn__free(a, key);
    rtn__free(a, tmp_key);
    rtn__free(a, aux);
    rtn__free(a, tmp_aux);
    rtn__free(a, val);
    rtn__free(a, tmp_val);
    return rc;
}

/* (customer, period) order */
static int pair_cmp(int64_t c1, int64_t p1, int64_t c2, int64_t p2)
{
    return c1 != c2 ? (c1 < c2 ? -1 : 1) : (p1 != p2 ? (p1 < p2 ? -1 : 1) : 0);
}

/* The union of two sorted activity lists, revenue of equal pairs added, into `out`. */
static int merge_lists(const rtn_allocator *a, const chunk *x, const chunk *y, chunk *out)
{
    size_t cap = x->n + y->n;
    chunk m = {rtn__alloc(a, cap, sizeof(int64_t)), rtn__alloc(a, cap, sizeof(int64_t)),
               rtn__alloc(a, cap, sizeof(rtn__dd)), 0};
    if (!m.customer || !m.period || !m.revenue) {
        chunk_free(a, &m);
        return RTN_ENOMEM;
    }
    size_t i = 0, j = 0;
    while (i < x->n || j < y->n) {
        int order = i == x->n   ? 1
                    : j == y->n ? -1
                                : pair_cmp(x->customer[i], x->period[i], y->customer[j],
                                           y->period[j]);
        if (order <= 0) {
            m.customer[m.n] = x->customer[i];
            m.period[m.n] = x->period[i];
            m.revenue[m.n] = x->revenue[i++];
            if (order == 0) {
                m.revenue[m.n] = rtn__dd_add(m.revenue[m.n], y->revenue[j].hi, y->revenue[j].lo);
                ++j;
                if (!rtn__finite(m.revenue[m.n].hi) || !rtn__finite(m.revenue[m.n].lo)) {
                    chunk_free(a, &m);
                    return RTN_EOVERFLOW;
                }
            }
        } else {
            m.customer[m.n] = y->customer[j];
            m.period[m.n] = y->period[j];
            m.revenue[m.n] = y->revenue[j++];
        }
        m.n++;
    }
    *out = m;
    return RTN_OK;
}

/* Checks a (customer, time[, amount]) call; tmin/tmax receive the time range. */
static int check_columns(const int64_t *customer, const int64_t *time, const double *amount,
                         size_t n, size_t *bad_index, int64_t *tmin, int64_t *tmax)
{
    if (n > 0 && (!customer || !time))
        return RTN_EINVAL;
    int64_t lo = RTN_TIME_MAX, hi = RTN_TIME_MIN;
    for (size_t i = 0; i < n; ++i) {
        if (time[i] < RTN_TIME_MIN || time[i] > RTN_TIME_MAX ||
            (amount && !rtn__finite(amount[i]))) {
            if (bad_index)
                *bad_index = i;
            return RTN_EDOMAIN;
        }
        lo = time[i] < lo ? time[i] : lo;
        hi = time[i] > hi ? time[i] : hi;
    }
    *tmin = lo;
    *tmax = hi;
    return RTN_OK;
}

static void note_times(rtn_cohort_builder *b, int64_t tmax)
{
    b->latest = b->has_data && b->latest > tmax ? b->latest : tmax;
    b->has_data = 1;
}

int rtn_cohort_builder_add(rtn_cohort_builder *b, const int64_t *customer, const int64_t *time,
                           const double *amount, size_t n, size_t *bad_index)
{
    int64_t tmin, tmax;
    if (!b)
        return RTN_EINVAL;
    int rc = check_columns(customer, time, amount, n, bad_index, &tmin, &tmax);
    if (rc != RTN_OK || n == 0)
        return rc;
    int64_t *period = rtn__alloc(&b->alloc, n, sizeof *period);
    if (!period)
        return RTN_ENOMEM;
    chunk fresh = {0}, merged = {0};
    rc = bucket_times(b, time, n, tmin, tmax, period);
    if (rc == RTN_OK)
        rc = make_chunk(b, customer, period, amount, n, &fresh);
    rtn__free(&b->alloc, period);
    if (rc == RTN_OK) {
        chunk old = {b->customer, b->period, b->revenue, b->n};
        rc = b->n == 0 ? RTN_OK : merge_lists(&b->alloc, &old, &fresh, &merged);
    }
    if (rc != RTN_OK) {
        chunk_free(&b->alloc, &fresh);
        return rc;
    }
    if (b->n == 0) {
        merged = fresh;
    } else {
        chunk_free(&b->alloc, &fresh);
    }
    rtn__cohort_set_entries(b, merged.customer, merged.period, merged.revenue, merged.n);
    note_times(b, tmax);
    return RTN_OK;
}

/* The union of two sorted signup lists, keeping the earlier period of a customer in both. */
static int merge_signups(const rtn_allocator *a, const int64_t *c1, const int64_t *p1, size_t n1,
                         const int64_t *c2, const int64_t *p2, size_t n2, int64_t **oc,
                         int64_t **op, size_t *on)
{
    int64_t *c = rtn__alloc(a, n1 + n2, sizeof *c), *p = rtn__alloc(a, n1 + n2, sizeof *p);
    if (!c || !p) {
        rtn__free(a, c);
        rtn__free(a, p);
        return RTN_ENOMEM;
    }
    size_t i = 0, j = 0, k = 0;
    while (i < n1 || j < n2) {
        if (j == n2 || (i < n1 && c1[i] < c2[j])) {
            c[k] = c1[i];
            p[k++] = p1[i++];
        } else if (i == n1 || c2[j] < c1[i]) {
            c[k] = c2[j];
            p[k++] = p2[j++];
        } else {
            c[k] = c1[i];
            p[k++] = p1[i] < p2[j] ? p1[i] : p2[j];
            ++i, ++j;
        }
    }
    *oc = c;
    *op = p;
    *on = k;
    return RTN_OK;
}

int rtn_cohort_builder_add_signups(rtn_cohort_builder *b, const int64_t *customer,
                                   const int64_t *signup_time, size_t n, size_t *bad_index)
{
    int64_t tmin, tmax;
    if (!b)
        return RTN_EINVAL;
    int rc = check_columns(customer, signup_time, NULL, n, bad_index, &tmin, &tmax);
    if (rc != RTN_OK || n == 0)
        return rc;
    /* sort (customer, period) like events, then keep each customer's earliest */
    int64_t *period = rtn__alloc(&b->alloc, n, sizeof *period);
    if (!period)
        return RTN_ENOMEM;
    chunk sorted = {0};
    rc = bucket_times(b, signup_time, n, tmin, tmax, period);
    if (rc == RTN_OK)
        rc = make_chunk(b, customer, period, NULL, n, &sorted);
    rtn__free(&b->alloc, period);
    if (rc != RTN_OK)
        return rc;
    size_t unique = 0;
    for (size_t i = 0; i < sorted.n; ++i) /* sorted by period within customer: first = earliest */
        if (i == 0 || sorted.customer[i] != sorted.customer[i - 1]) {
            sorted.customer[unique] = sorted.customer[i];
            sorted.period[unique++] = sorted.period[i];
        }
    int64_t *mc, *mp;
    size_t mn;
    rc = merge_signups(&b->alloc, b->signup_customer, b->signup_period, b->n_signups,
                       sorted.customer, sorted.period, unique, &mc, &mp, &mn);
    chunk_free(&b->alloc, &sorted);
    if (rc != RTN_OK)
        return rc;
    rtn__cohort_set_signups(b, mc, mp, mn);
    note_times(b, tmax);
    return RTN_OK;
}

int rtn_cohort_builder_merge(rtn_cohort_builder *into, const rtn_cohort_builder *from)
{
    if (!into || !from || into == from)
        return RTN_EINVAL;
    if (!from->has_data)
        return RTN_OK;
    if (into->has_data && (into->unit != from->unit || into->offset_minutes != from->offset_minutes ||
                           (into->unit == RTN_PERIOD_SECONDS &&
                            into->period_seconds != from->period_seconds)))
        return RTN_EINVAL;
    chunk x = {into->customer, into->period, into->revenue, into->n};
    chunk y = {from->customer, from->period, from->revenue, from->n};
    chunk m;
    int64_t *sc, *sp;
    size_t sn;
    int rc = merge_lists(&into->alloc, &x, &y, &m);
    if (rc != RTN_OK)
        return rc;
    rc = merge_signups(&into->alloc, into->signup_customer, into->signup_period, into->n_signups,
                       from->signup_customer, from->signup_period, from->n_signups, &sc, &sp, &sn);
    if (rc != RTN_OK) {
        chunk_free(&into->alloc, &m);
        return rc;
    }
    if (!into->has_data) { /* an empty builder takes the other's calendar */
        into->unit = from->unit;
        into->offset_minutes = from->offset_minutes;
        into->period_seconds = from->period_seconds;
    }
    rtn__cohort_set_entries(into, m.customer, m.period, m.revenue, m.n);
    rtn__cohort_set_signups(into, sc, sp, sn);
    note_times(into, from->latest);
    return RTN_OK;
}
