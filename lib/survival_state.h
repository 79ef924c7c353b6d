/* Private to the survival module (lib/survival*.c, lib/logrank.c): the builder's layout and the
 * helpers its files share. */
#ifndef RETENTION_SURVIVAL_STATE_H
#define RETENTION_SURVIVAL_STATE_H

#include "internal.h"

/* One distinct time: how many subjects left there by an event or a censoring, and how many
 * entered the risk set there (at risk from just after it). A slot with all three 0 is empty
 * (claimed by an add that failed, or never used) and ignored everywhere. */
typedef struct rtn__km_slot {
    double time; /* < 0: a free slot of the hash table */
    uint64_t n_event, n_censor, n_enter;
} rtn__km_slot;

/* The weight sums of a slot, once the builder has seen weights. */
typedef struct rtn__km_weights {
    rtn__dd event, censor, enter;
} rtn__km_weights;

struct rtn_km_builder {
    rtn_allocator alloc;
    /* finishing options */
    double conf_level, tolerance;
    int32_t conf_type;
    /* subjects at risk from the start (no entry time) */
    uint64_t n_initial;
    rtn__dd w_initial;
    /* the hash table of distinct times: cap is 0 or a power of two ≥ 16, at most half full */
    rtn__km_slot *slots;
    rtn__km_weights *weights; /* NULL while unweighted; else parallel to slots */
    size_t cap, used;
    unsigned shift; /* 64 − log2(cap): home slots are a hash's top bits */
    /* totals that bound every count and weight sum (overflow checks) */
    uint64_t total_exits, total_entries;
    double total_weight;
};

/* A free slot's time. */
#define RTN__KM_FREE (-1.0)

/* A slot in use that holds something (not free, not an empty claim). */
static inline int rtn__km_live(const rtn__km_slot *s)
{
    return s->time >= 0.0 && (s->n_event | s->n_censor | s->n_enter) != 0;
}

/* A slot's weight sums: @p w's when the builder is weighted (w not NULL), else its counts. */
static inline rtn__km_weights rtn__km_weights_of(const rtn__km_slot *s, const rtn__km_weights *w)
{
    if (w)
        return *w;
    rtn__dd zero = {0.0, 0.0};
    rtn__km_weights c = {rtn__dd_add(zero, (double)s->n_event, 0.0),
                         rtn__dd_add(zero, (double)s->n_censor, 0.0),
                         rtn__dd_add(zero, (double)s->n_enter, 0.0)};
    return c;
}

int rtn__km_builder_new(rtn_km_builder **out, const rtn_allocator *alloc);
/* The slot of time t (finite, ≥ 0, not −0), claimed if new; SIZE_MAX if the table had to grow and
 * could not. */
size_t rtn__km_slot_of(rtn_km_builder *b, double t);
/* Makes room for @p more new distinct times without growing later; 0 or -1 (no memory). */
int rtn__km_reserve(rtn_km_builder *b, size_t more);
/* Turns on weights (each slot's sums = its counts); 0 or -1 (no memory). */
int rtn__km_make_weighted(rtn_km_builder *b);

/* The non-empty slots sorted by time: a freshly allocated array of *m slots (and of their
 * weights, in *w, when the builder is weighted; else *w = NULL), or RTN_ENOMEM. */
int rtn__km_sorted(const rtn_km_builder *b, const rtn_allocator *a, rtn__km_slot **slots,
                   rtn__km_weights **w, size_t *m);


/* Confidence bounds of S with Greenwood variance g (of log S), critical value z, for an
 * rtn_conf_type; NaN where undefined. */
void rtn__km_bounds(double s, double g, double z, int32_t type, double *lower, double *upper);

#endif
