/* Private to the cohort module (lib/cohort.c, lib/cohort_io.c): the builder's layout and the
 * helpers the serialiser shares with it. */
#ifndef RETENTION_COHORT_STATE_H
#define RETENTION_COHORT_STATE_H

#include "internal.h"

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

int rtn__cohort_builder_new(rtn_cohort_builder **out, const rtn_allocator *alloc);
/* Replaces the builder's activity arrays (taking ownership) / signup arrays. */
void rtn__cohort_set_entries(rtn_cohort_builder *b, int64_t *customer, int64_t *period,
                             rtn__dd *revenue, size_t n);
void rtn__cohort_set_signups(rtn_cohort_builder *b, int64_t *customer, int64_t *period, size_t n);

#endif
