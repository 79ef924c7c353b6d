/* Kaplan-Meier builders (retention/survival.h): parameters, adding subjects and pre-counted
 * tables, merging.
 *
 * The state is a table of distinct times — events, censorings and entries at each — in an
 * open-addressing hash table keyed by the time's bits. Real lifetimes repeat (whole days, hours,
 * hundredths of a day), so the table stays small and in cache while the subjects stream past:
 * adding is one probe per subject (two with an entry time), and only finishing sorts, the
 * distinct times rather than the subjects. Counts are integers, so merging and undoing them is
 * exact; weight sums are double-double (internal.h). */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "survival_state.h"

#define MIN_CAP 16u
#define PREFETCH_AHEAD 32 /* subjects: about one main-memory latency of probing */

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

static uint64_t bits_of(double t)
{
    uint64_t u;
    memcpy(&u, &t, sizeof u);
    return u;
}

static unsigned log2_of(size_t cap)
{
    unsigned k = 0;
    while (((size_t)1 << k) < cap)
        ++k;
    return k;
}

/* A time's home slot, for a table of 2^(64 − shift) slots: the top bits of murmur3's 64-bit
 * finaliser. A full mixer, not a single multiply: durations such as k / 100 differ in few,
 * regular mantissa bits, which Fibonacci hashing clusters (a third of keys at home, 1.6 extra
 * probes on average, against four fifths and 0.4 with the mixer, measured on gen_events data). */
static size_t home_of(double t, unsigned shift)
{
    uint64_t x = bits_of(t);
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return (size_t)(x >> shift);
}

/* ---- create, free, parameters ------------------------------------------------------------------ */

int rtn__km_builder_new(rtn_km_builder **out, const rtn_allocator *alloc)
{
    rtn_allocator a;
    if (!out || rtn__allocator_of(alloc, &a) != RTN_OK)
        return RTN_EINVAL;
    rtn_km_builder *b = rtn__alloc(&a, 1, sizeof *b);
    if (!b)
        return RTN_ENOMEM;
    memset(b, 0, sizeof *b);
    b->alloc = a;
    b->conf_level = 0.95;
    b->conf_type = RTN_CONF_LOG;
    b->tolerance = 0.0;
    *out = b;
    return RTN_OK;
}

int rtn_km_builder_create(rtn_km_builder **out, const rtn_allocator *alloc)
{
    return rtn__km_builder_new(out, alloc);
}

void rtn_km_builder_free(rtn_km_builder *b)
{
    if (!b)
        return;
    rtn_allocator a = b->alloc;
    rtn__free(&a, b->slots);
    rtn__free(&a, b->weights);
    rtn__free(&a, b);
}

int rtn_km_builder_set(rtn_km_builder *b, int32_t param, double value)
{
    if (!b)
        return RTN_EINVAL;
    switch (param) {
    case RTN_KM_CONF_LEVEL:
        if (!(value > 0.0 && value < 1.0))
            return RTN_EINVAL;
        b->conf_level = value;
        return RTN_OK;
    case RTN_KM_CONF_TYPE:
        if (!(value == RTN_CONF_LOG || value == RTN_CONF_LOG_LOG || value == RTN_CONF_PLAIN))
            return RTN_EINVAL;
        b->conf_type = (int32_t)value;
        return RTN_OK;
    case RTN_KM_TIE_TOLERANCE:
        if (!rtn__nonneg(value))
            return RTN_EINVAL;
        b->tolerance = value;
        return RTN_OK;
    default:
        return RTN_EINVAL;
    }
}

int rtn_km_builder_get(const rtn_km_builder *b, int32_t param, double *value)
{
    if (!b || !value)
        return RTN_EINVAL;
    switch (param) {
    case RTN_KM_CONF_LEVEL:
        *value = b->conf_level;
        return RTN_OK;
    case RTN_KM_CONF_TYPE:
        *value = b->conf_type;
        return RTN_OK;
    case RTN_KM_TIE_TOLERANCE:
        *value = b->tolerance;
        return RTN_OK;
    default:
        return RTN_EINVAL;
    }
}

/* ---- the hash table ------------------------------------------------------------------------------ */

/* Rehashes into a table of new_cap slots (a power of two); 0 or -1 (no memory, table unchanged). */
static int rehash(rtn_km_builder *b, size_t new_cap)
{
    rtn__km_slot *slots = rtn__alloc(&b->alloc, new_cap, sizeof *slots);
    rtn__km_weights *weights = NULL;
    if (!slots)
        return -1;
    if (b->weights && !(weights = rtn__alloc(&b->alloc, new_cap, sizeof *weights))) {
        rtn__free(&b->alloc, slots);
        return -1;
    }
    for (size_t i = 0; i < new_cap; ++i)
        slots[i].time = RTN__KM_FREE;
    unsigned shift = 64 - log2_of(new_cap);
    size_t mask = new_cap - 1, used = 0;
    for (size_t i = 0; i < b->cap; ++i) {
        const rtn__km_slot *s = &b->slots[i];
        if (!rtn__km_live(s))
            continue; /* empty slots are dropped on the way */
        size_t h = home_of(s->time, shift);
        while (slots[h].time >= 0.0)
            h = (h + 1) & mask;
        slots[h] = *s;
        if (weights)
            weights[h] = b->weights[i];
        ++used;
    }
    rtn__free(&b->alloc, b->slots);
    rtn__free(&b->alloc, b->weights);
    b->slots = slots;
    b->weights = weights;
    b->cap = new_cap;
    b->shift = shift;
    b->used = used;
    return 0;
}

int rtn__km_reserve(rtn_km_builder *b, size_t more)
{
    if (more > SIZE_MAX / 4 - b->used)
        return -1;
    size_t need = 2 * (b->used + more); /* at most half full */
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : MIN_CAP;
    while (cap < need)
        cap *= 2;
    return rehash(b, cap);
}

/* Where t is, or the free slot where it would go; the table must have a slot (cap > 0). */
static inline size_t probe(const rtn_km_builder *b, double t)
{
    size_t mask = b->cap - 1, h = home_of(t, b->shift);
    while (b->slots[h].time != t && b->slots[h].time >= 0.0)
        h = (h + 1) & mask;
    return h;
}

static inline size_t slot_of(rtn_km_builder *b, double t)
{
    size_t h = b->cap ? probe(b, t) : 0;
    if (b->cap && b->slots[h].time == t)
        return h; /* found: never allocates, so undoing an add cannot fail */
    if (2 * (b->used + 1) > b->cap) {
        if (rtn__km_reserve(b, 1) != 0)
            return SIZE_MAX;
        h = probe(b, t);
    }
    rtn__km_slot *s = &b->slots[h];
    s->time = t;
    s->n_event = s->n_censor = s->n_enter = 0;
    if (b->weights)
        memset(&b->weights[h], 0, sizeof b->weights[h]);
    ++b->used;
    return h;
}

size_t rtn__km_slot_of(rtn_km_builder *b, double t) { return slot_of(b, t); }

/* Starts loading t's home slot, so that its probe a few dozen subjects later hits the cache. */
static inline void prefetch_home(const rtn_km_builder *b, double t)
{
    if (b->cap)
        PREFETCH(&b->slots[home_of(t + 0.0, b->shift)]);
}

int rtn__km_make_weighted(rtn_km_builder *b)
{
    if (b->weights)
        return 0;
    rtn__km_weights *w = rtn__alloc(&b->alloc, b->cap, sizeof *w);
    if (!w)
        return -1;
    static const rtn__km_weights none = {{0.0, 0.0}, {0.0, 0.0}, {0.0, 0.0}};
    for (size_t i = 0; i < b->cap; ++i) /* free slots' counts are not initialised */
        w[i] = b->slots[i].time >= 0.0 ? rtn__km_weights_of(&b->slots[i], NULL) : none;
    b->weights = w;
    b->w_initial = rtn__dd_add(none.event, (double)b->n_initial, 0.0);
    return 0;
}

/* ---- adding subjects ------------------------------------------------------------------------------ */

/* Checks a whole call before anything is added; *weight_sum receives what it adds to the
 * builder's total weight (twice its subjects' weight: see below). */
static int validate_subjects(const rtn_km_builder *b, const double *duration,
                             const uint8_t *event, const double *entry, const double *weight,
                             size_t n, double *weight_sum, size_t *bad_index)
{
    rtn__sum w = {0.0, 0.0};
    for (size_t i = 0; i < n; ++i) {
        double t = duration[i];
        int ok = rtn__nonneg(t) && event[i] <= 1;
        if (ok && entry)
            ok = rtn__nonneg(entry[i]) && entry[i] < t;
        if (ok && weight) {
            ok = rtn__nonneg(weight[i]);
            if (ok)
                rtn__sum_add(&w, weight[i]);
        }
        if (!ok) {
            if (bad_index)
                *bad_index = i;
            return RTN_EDOMAIN;
        }
    }
    /* each subject counts twice, leaving and at risk (from the start or its entry), as in
     * add_counts() and in the byte format's bound; counted once here, a subject of nearly
     * DBL_MAX / 4 made a state that its reader refused (found by fuzzing) */
    double total = 2.0 * (weight ? rtn__sum_value(&w) : (double)n);
    /* every sum the builder keeps stays below the total, which must stay well inside DBL_MAX */
    if (!(b->total_weight + total < DBL_MAX / 4) || n > UINT64_MAX - b->total_exits ||
        n > UINT64_MAX - b->total_entries)
        return RTN_EOVERFLOW;
    *weight_sum = total;
    return RTN_OK;
}

/* Takes back the counts of subjects [0, upto) after a failed growth; exact (integers). Lookups
 * of times already present never allocate, so undoing cannot fail. */
static void undo_counts(rtn_km_builder *b, const double *duration, const uint8_t *event,
                        const double *entry, const double *weight, size_t upto)
{
    for (size_t i = 0; i < upto; ++i) {
        if (weight && weight[i] == 0.0)
            continue;
        rtn__km_slot *s = &b->slots[slot_of(b, duration[i] + 0.0)];
        s->n_event -= event[i];
        s->n_censor -= 1u - event[i];
        if (entry)
            --b->slots[slot_of(b, entry[i] + 0.0)].n_enter;
    }
}

/* Pass 1: the counts of events, censorings and entries (the only pass that may allocate);
 * SIZE_MAX, or the row that failed. The subjects at risk from the start are counted by the
 * caller, once. This is the hot loop: one probe per subject (the home slot prefetched a few
 * dozen subjects ahead, since the table outgrows the cache with many distinct times), counting
 * without a branch on the event flag. */
static size_t add_counts_pass(rtn_km_builder *b, const double *duration, const uint8_t *event,
                              const double *entry, const double *weight, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        if (i + PREFETCH_AHEAD < n)
            prefetch_home(b, duration[i + PREFETCH_AHEAD]);
        if (weight && weight[i] == 0.0)
            continue;
        size_t h = slot_of(b, duration[i] + 0.0); /* + 0.0 turns −0 into +0 */
        if (h == SIZE_MAX)
            return i;
        uint64_t ev = event[i]; /* validated: 0 or 1 */
        b->slots[h].n_event += ev;
        b->slots[h].n_censor += 1u - ev;
        if (entry) {
            size_t e = slot_of(b, entry[i] + 0.0);
            if (e == SIZE_MAX) {
                b->slots[h].n_event -= ev;
                b->slots[h].n_censor -= 1u - ev;
                return i;
            }
            ++b->slots[e].n_enter;
        }
    }
    return SIZE_MAX;
}

/* Pass 2 of a weighted builder: the weight sums (every slot exists by now: no allocation). */
static void add_weights_pass(rtn_km_builder *b, const double *duration, const uint8_t *event,
                             const double *entry, const double *weight, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        double w = weight ? weight[i] : 1.0;
        if (w == 0.0)
            continue;
        rtn__km_weights *s = &b->weights[slot_of(b, duration[i] + 0.0)];
        if (event[i])
            s->event = rtn__dd_add(s->event, w, 0.0);
        else
            s->censor = rtn__dd_add(s->censor, w, 0.0);
        if (entry) {
            rtn__km_weights *e = &b->weights[slot_of(b, entry[i] + 0.0)];
            e->enter = rtn__dd_add(e->enter, w, 0.0);
        } else {
            b->w_initial = rtn__dd_add(b->w_initial, w, 0.0);
        }
    }
}

int rtn_km_builder_add(rtn_km_builder *b, const double *duration, const uint8_t *event,
                       const double *entry, const double *weight, size_t n, size_t *bad_index)
{
    if (!b || (n > 0 && (!duration || !event)))
        return RTN_EINVAL;
    double weight_sum = 0.0;
    int rc = validate_subjects(b, duration, event, entry, weight, n, &weight_sum, bad_index);
    if (rc != RTN_OK || n == 0)
        return rc;
    if (weight && rtn__km_make_weighted(b) != 0)
        return RTN_ENOMEM;
    size_t failed = add_counts_pass(b, duration, event, entry, weight, n);
    if (failed != SIZE_MAX) {
        undo_counts(b, duration, event, entry, weight, failed);
        return RTN_ENOMEM;
    }
    if (b->weights)
        add_weights_pass(b, duration, event, entry, weight, n);
    uint64_t counted = n;
    for (size_t i = 0; weight && i < n; ++i)
        counted -= weight[i] == 0.0;
    if (!entry)
        b->n_initial += counted;
    b->total_exits += counted;
    b->total_entries += counted;
    b->total_weight += weight_sum;
    return RTN_OK;
}

/* ---- adding pre-counted tables --------------------------------------------------------------------- */

static int validate_counts(const rtn_km_builder *b, const double *time, const uint64_t *events,
                           const uint64_t *censored, const uint64_t *entered, size_t n,
                           uint64_t *exits, uint64_t *entries, size_t *bad_index)
{
    uint64_t x = b->total_exits, e = b->total_entries;
    for (size_t i = 0; i < n; ++i) {
        if (!rtn__nonneg(time[i])) {
            if (bad_index)
                *bad_index = i;
            return RTN_EDOMAIN;
        }
        uint64_t in = entered ? entered[i] : 0;
        if (rtn__add_u64(x, events[i], &x) || rtn__add_u64(x, censored[i], &x) ||
            rtn__add_u64(e, in, &e))
            return RTN_EOVERFLOW;
    }
    /* without entry counts, every subject leaving was at risk from the start */
    if (!entered && rtn__add_u64(e, x - b->total_exits, &e))
        return RTN_EOVERFLOW;
    if (!(b->total_weight + (double)x + (double)e < DBL_MAX / 4))
        return RTN_EOVERFLOW;
    *exits = x;
    *entries = e;
    return RTN_OK;
}

int rtn_km_builder_add_counts(rtn_km_builder *b, const double *time, const uint64_t *events,
                              const uint64_t *censored, const uint64_t *entered, size_t n,
                              size_t *bad_index)
{
    if (!b || (n > 0 && (!time || !events || !censored)))
        return RTN_EINVAL;
    uint64_t exits, entries;
    int rc = validate_counts(b, time, events, censored, entered, n, &exits, &entries, bad_index);
    if (rc != RTN_OK || n == 0)
        return rc;
    /* every row may be a new time: reserving for them all keeps the call all-or-nothing (the
     * table is at most the caller's table's size) */
    if (rtn__km_reserve(b, n) != 0)
        return RTN_ENOMEM;
    uint64_t call_exits = exits - b->total_exits;
    for (size_t i = 0; i < n; ++i) {
        size_t h = rtn__km_slot_of(b, time[i] + 0.0);
        uint64_t in = entered ? entered[i] : 0;
        rtn__km_slot *s = &b->slots[h];
        s->n_event += events[i];
        s->n_censor += censored[i];
        s->n_enter += in;
        if (b->weights) {
            rtn__km_weights *w = &b->weights[h];
            w->event = rtn__dd_add(w->event, (double)events[i], 0.0);
            w->censor = rtn__dd_add(w->censor, (double)censored[i], 0.0);
            w->enter = rtn__dd_add(w->enter, (double)in, 0.0);
        }
    }
    uint64_t initial = entered ? 0 : call_exits;
    b->n_initial += initial;
    if (b->weights)
        b->w_initial = rtn__dd_add(b->w_initial, (double)initial, 0.0);
    b->total_weight += (double)(exits - b->total_exits) + (double)(entries - b->total_entries);
    b->total_exits = exits;
    b->total_entries = entries;
    return RTN_OK;
}

/* ---- merging ----------------------------------------------------------------------------------------- */

int rtn_km_builder_merge(rtn_km_builder *into, const rtn_km_builder *from)
{
    if (!into || !from || into == from)
        return RTN_EINVAL;
    uint64_t exits, entries, initial;
    if (rtn__add_u64(into->total_exits, from->total_exits, &exits) ||
        rtn__add_u64(into->total_entries, from->total_entries, &entries) ||
        rtn__add_u64(into->n_initial, from->n_initial, &initial) ||
        !(into->total_weight + from->total_weight < DBL_MAX / 4))
        return RTN_EOVERFLOW;
    /* all allocation first, so that nothing can fail half-way */
    if (rtn__km_reserve(into, from->used) != 0)
        return RTN_ENOMEM;
    if (from->weights && rtn__km_make_weighted(into) != 0)
        return RTN_ENOMEM;
    for (size_t i = 0; i < from->cap; ++i) {
        const rtn__km_slot *s = &from->slots[i];
        if (!rtn__km_live(s))
            continue;
        size_t h = rtn__km_slot_of(into, s->time);
        rtn__km_slot *t = &into->slots[h];
        t->n_event += s->n_event;
        t->n_censor += s->n_censor;
        t->n_enter += s->n_enter;
        if (into->weights) {
            rtn__km_weights *w = &into->weights[h];
            rtn__km_weights v = rtn__km_weights_of(s, from->weights ? &from->weights[i] : NULL);
            w->event = rtn__dd_add(w->event, v.event.hi, v.event.lo);
            w->censor = rtn__dd_add(w->censor, v.censor.hi, v.censor.lo);
            w->enter = rtn__dd_add(w->enter, v.enter.hi, v.enter.lo);
        }
    }
    if (into->weights) {
        if (from->weights)
            into->w_initial =
                rtn__dd_add(into->w_initial, from->w_initial.hi, from->w_initial.lo);
        else
            into->w_initial = rtn__dd_add(into->w_initial, (double)from->n_initial, 0.0);
    }
    into->n_initial = initial;
    into->total_exits = exits;
    into->total_entries = entries;
    into->total_weight += from->total_weight;
    return RTN_OK;
}

/* ---- sorted views ------------------------------------------------------------------------------------ */

void rtn__sort_keys(uint64_t *keys, uint32_t *vals, uint64_t *keys_tmp, uint32_t *vals_tmp,
                    size_t n)
{
    /* LSD radix sort, 8 passes of 8 bits; a pass whose digit is the same for every key is
     * skipped (times in a narrow range share their high bytes) */
    uint64_t *src = keys, *dst = keys_tmp;
    uint32_t *vsrc = vals, *vdst = vals_tmp;
    for (unsigned shift = 0; shift < 64; shift += 8) {
        size_t count[256] = {0};
        for (size_t i = 0; i < n; ++i)
            ++count[(src[i] >> shift) & 0xFF];
        if (count[(src[0] >> shift) & 0xFF] == n)
            continue;
        size_t pos = 0;
        for (unsigned d = 0; d < 256; ++d) {
            size_t c = count[d];
            count[d] = pos;
            pos += c;
        }
        for (size_t i = 0; i < n; ++i) {
            size_t at = count[(src[i] >> shift) & 0xFF]++;
            dst[at] = src[i];
            vdst[at] = vsrc[i];
        }
        uint64_t *t = src;
        src = dst;
        dst = t;
        uint32_t *vt = vsrc;
        vsrc = vdst;
        vdst = vt;
    }
    if (src != keys) {
        memcpy(keys, src, n * sizeof *keys);
        memcpy(vals, vsrc, n * sizeof *vals);
    }
}

int rtn__km_sorted(const rtn_km_builder *b, const rtn_allocator *a, rtn__km_slot **slots,
                   rtn__km_weights **w, size_t *m)
{
    size_t live = 0;
    for (size_t i = 0; i < b->cap; ++i) {
        const rtn__km_slot *s = &b->slots[i];
        live += (size_t)rtn__km_live(s);
    }
    if (b->cap > UINT32_MAX)
        return RTN_ENOMEM; /* slot indices travel as 32-bit payloads */
    uint64_t *keys = rtn__alloc(a, live, sizeof *keys);
    uint64_t *keys_tmp = rtn__alloc(a, live, sizeof *keys_tmp);
    uint32_t *vals = rtn__alloc(a, live, sizeof *vals);
    uint32_t *vals_tmp = rtn__alloc(a, live, sizeof *vals_tmp);
    rtn__km_slot *out = rtn__alloc(a, live, sizeof *out);
    rtn__km_weights *wout = b->weights ? rtn__alloc(a, live, sizeof *wout) : NULL;
    int rc = RTN_ENOMEM;
    if (keys && keys_tmp && vals && vals_tmp && out && (wout || !b->weights)) {
        size_t k = 0;
        for (size_t i = 0; i < b->cap; ++i) {
            const rtn__km_slot *s = &b->slots[i];
            if (rtn__km_live(s)) {
                keys[k] = bits_of(s->time);
                vals[k++] = (uint32_t)i;
            }
        }
        if (live > 0)
            rtn__sort_keys(keys, vals, keys_tmp, vals_tmp, live);
        for (size_t k2 = 0; k2 < live; ++k2) {
            out[k2] = b->slots[vals[k2]];
            if (wout)
                wout[k2] = b->weights[vals[k2]];
        }
        *slots = out;
        *w = wout;
        *m = live;
        out = NULL;
        wout = NULL;
        rc = RTN_OK;
    }
    rtn__free(a, keys);
    rtn__free(a, keys_tmp);
    rtn__free(a, vals);
    rtn__free(a, vals_tmp);
    rtn__free(a, out);
    rtn__free(a, wout);
    return rc;
}
