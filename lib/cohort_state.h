/* Private to the cohort module (lib/cohort.c, lib/cohort_io.c): the builder's layout and the
 * helpers the serialiser shares with it. */
#ifndef RETENTION_COHORT_STATE_H
#define RETENTION_COHORT_STATE_H

#include "internal.h"

/* A run: sorted, distinct (customer, period) activity with its revenue. A revenue array may be
 * NULL: every revenue of the run is then 0 (events added without amounts need no 16 bytes per
 * entry of zeros). Read it through rtn__cohort_revenue(). */
typedef struct rtn__cohort_run {
    int64_t *customer, *period;
    rtn__dd *revenue;
    size_t n;
} rtn__cohort_run;

/* Each run is less than half the one before it, so 64 bound any builder that fits memory. */
#define RTN__COHORT_MORE_RUNS 64

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
    /* distinct (customer, period) activity with its revenue, sorted by (customer, period): the
     * main run here, and in `more` the smaller runs of later adds (see cohort.c, "runs"); a
     * pair may be in several runs, its revenues then to be added. Readers see one run through
     * rtn__cohort_flatten(). */
    int64_t *customer, *period;
    rtn__dd *revenue; /* NULL: all 0, as in a run */
    size_t n, cap;
    rtn__cohort_run more[RTN__COHORT_MORE_RUNS];
    size_t n_more;
    /* an upper bound on Σ |revenue| over every run: while below DBL_MAX / 4 no sum of revenues
     * can overflow, so runs may wait to be merged */
    double revenue_bound;
    /* signup periods, sorted by customer, unique */
    int64_t *signup_customer, *signup_period;
    size_t n_signups, signup_cap;
};

int rtn__cohort_builder_new(rtn_cohort_builder **out, const rtn_allocator *alloc);
/* A read-only view of b with all its runs merged into the main one: *view is a copy of *b, whose
 * activity arrays are b's own when b has one run, else freshly merged ones. Release with
 * rtn__cohort_unflatten(b, view). RTN_OK, RTN_ENOMEM or RTN_EOVERFLOW. */
int rtn__cohort_flatten(const rtn_cohort_builder *b, rtn_cohort_builder *view);
void rtn__cohort_unflatten(const rtn_cohort_builder *b, rtn_cohort_builder *view);
/* Entry i of a revenue array that may be NULL (all 0). */
static inline rtn__dd rtn__cohort_revenue(const rtn__dd *revenue, size_t i)
{
    if (!revenue) {
        rtn__dd zero = {0.0, 0.0};
        return zero;
    }
    return revenue[i];
}

/* Σ |hi| + |lo| of n revenues (0 for NULL), rounded up: a term of revenue_bound. */
double rtn__revenue_bound(const rtn__dd *revenue, size_t n);
/* Replaces the builder's activity (all its runs) with one run, taking ownership (the caller
 * sets revenue_bound) / its signup arrays. */
void rtn__cohort_set_entries(rtn_cohort_builder *b, int64_t *customer, int64_t *period,
                             rtn__dd *revenue, size_t n);
void rtn__cohort_set_signups(rtn_cohort_builder *b, int64_t *customer, int64_t *period, size_t n);

#endif
