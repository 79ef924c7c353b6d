/* Private to the cohort module (lib/cohort.c, lib/cohort_io.c): the builder's layout and the
 * helpers the serialiser shares with it. */
#ifndef RETENTION_COHORT_STATE_H
#define RETENTION_COHORT_STATE_H

#include "internal.h"

/* Revenue as an unevaluated sum hi + lo (double-double, ~106 bits): sums of ordinary amounts are
 * then exact, so a table's revenue does not depend on how the input was split and merged. */
typedef struct rtn__dd {
    double hi, lo;
} rtn__dd;

static inline rtn__dd rtn__dd_add(rtn__dd a, double x, double y)
{
    /* a + x + y; Knuth's two-sum of the leading parts, then the tails */
    double s = a.hi + x;
    double bb = s - a.hi;
    double err = (a.hi - (s - bb)) + (x - bb);
    double lo = a.lo + y + err;
    rtn__dd r;
    r.hi = s + lo;
    r.lo = lo - (r.hi - s);
    return r;
}

struct rtn_cohort_builder {
    rtn_allocator alloc;
    /* the calendar: fixed once anything is added */
    int32_t unit, offset_minutes;
    int64_t period_seconds;
    /* finishing options */
    int32_t kind;
    int obs_end_set;
    int64_t obs_end;
    int64_t max_periods;
    uint32_t *edges;
    size_t n_edges;
    /* the state: has anything been added, the latest time added */
    int has_data;
    int64_t latest;
    /* distinct (customer, period) activity with its revenue, sorted by (customer, period) */
    int64_t *customer, *period;
    rtn__dd *revenue;
    size_t n, cap;
    /* signup periods, sorted by customer, unique */
    int64_t *signup_customer, *signup_period;
    size_t n_signups, signup_cap;
};

void *rtn__alloc(const rtn_allocator *a, size_t count, size_t size); /* NULL on overflow too */
void rtn__free(const rtn_allocator *a, void *p);
void rtn__default_allocator(rtn_allocator *a);
int rtn__cohort_builder_new(rtn_cohort_builder **out, const rtn_allocator *alloc);
/* Replaces the builder's activity arrays (taking ownership) / signup arrays. */
void rtn__cohort_set_entries(rtn_cohort_builder *b, int64_t *customer, int64_t *period,
                             rtn__dd *revenue, size_t n);
void rtn__cohort_set_signups(rtn_cohort_builder *b, int64_t *customer, int64_t *period, size_t n);

#endif
