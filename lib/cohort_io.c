/* Serialising cohort builders (format in retention/cohort.h). Writing is a straight dump in
 * little-endian order; reading trusts nothing: every length is checked against the buffer before
 * any allocation, the checksum before any parsing of the body, and every value against the
 * invariants the rest of the module relies on (sorted unique entries, valid calendar, finite
 * revenue), so that a hostile buffer can at worst be rejected. */
#include <math.h>
#include <string.h>

#include "bytes.h"
#include "cohort_state.h"

#define MAGIC "RTNCOHRT"
#define FORMAT_VERSION 1u
#define HEADER_SIZE 88u /* bytes before the edges: see put_header() */
#define ENTRY_SIZE 32u
#define SIGNUP_SIZE 16u

static size_t serialized_size(const rtn_cohort_builder *b)
{
    /* counts are in memory already, so the products cannot overflow a size_t in practice; guard
     * anyway against a 32-bit size_t */
    if (b->n > (SIZE_MAX - 1024) / 64 || b->n_signups > (SIZE_MAX - 1024) / 64 ||
        b->n_edges > (SIZE_MAX - 1024) / 64)
        return 0;
    return HEADER_SIZE + 4 * b->n_edges + ENTRY_SIZE * b->n + SIGNUP_SIZE * b->n_signups + 8;
}

static void put_builder(const rtn_cohort_builder *b, uint8_t *buf);

int rtn_cohort_builder_serialize(const rtn_cohort_builder *given, uint8_t *buf, size_t cap,
                                 size_t *len)
{
    if (!given || !len)
        return RTN_EINVAL;
    rtn_cohort_builder b; /* the runs of later adds merged: the format has one sorted list */
    int rc = rtn__cohort_flatten(given, &b);
    if (rc != RTN_OK)
        return rc;
    size_t need = serialized_size(&b);
    if (need == 0)
        rc = RTN_ENOMEM;
    else if (!buf || cap < need)
        rc = RTN_EBUFSIZE;
    else
        put_builder(&b, buf);
    if (need != 0)
        *len = need;
    rtn__cohort_unflatten(given, &b);
    return rc;
}

static void put_builder(const rtn_cohort_builder *b, uint8_t *buf)
{
    uint8_t *p = buf;
    memcpy(p, MAGIC, 8);
    p += 8;
    p = put_u32(p, FORMAT_VERSION);
    p = put_u32(p, 0); /* flags */
    p = put_u32(p, (uint32_t)b->unit);
    p = put_u32(p, (uint32_t)b->offset_minutes);
    p = put_u64(p, (uint64_t)b->period_seconds);
    p = put_u32(p, (uint32_t)b->kind);
    p = put_u32(p, 0);
    p = put_u64(p, (uint64_t)b->obs_end);
    *p++ = (uint8_t)b->obs_end_set;
    *p++ = (uint8_t)b->has_data;
    *p++ = 0;
    *p++ = 0;
    p = put_u32(p, (uint32_t)b->n_edges);
    p = put_u64(p, (uint64_t)b->max_periods);
    p = put_u64(p, (uint64_t)b->latest);
    p = put_u64(p, (uint64_t)b->n);
    p = put_u64(p, (uint64_t)b->n_signups);
    for (size_t i = 0; i < b->n_edges; ++i)
        p = put_u32(p, b->edges[i]);
    for (size_t i = 0; i < b->n; ++i) {
        p = put_u64(p, (uint64_t)b->customer[i]);
        p = put_u64(p, (uint64_t)b->period[i]);
        rtn__dd revenue = rtn__cohort_revenue(b->revenue, i);
        p = put_f64(p, revenue.hi);
        p = put_f64(p, revenue.lo);
    }
    for (size_t i = 0; i < b->n_signups; ++i) {
        p = put_u64(p, (uint64_t)b->signup_customer[i]);
        p = put_u64(p, (uint64_t)b->signup_period[i]);
    }
    put_u64(p, fnv1a(buf, (size_t)(p - buf)));
}

/* ---- validating reader ----------------------------------------------------------------------------- */

/* The header's values, validated. */
static int read_header(reader *r, rtn_cohort_builder *b, uint64_t *n_entries, uint64_t *n_signups)
{
    if (memcmp(r->p, MAGIC, 8) != 0)
        return RTN_ECORRUPT;
    r->p += 8;
    if (get_u32(r) != FORMAT_VERSION)
        return RTN_EVERSION;
    if (get_u32(r) != 0) /* flags */
        return RTN_ECORRUPT;
    b->unit = as_i32(get_u32(r));
    b->offset_minutes = as_i32(get_u32(r));
    b->period_seconds = as_i64(get_u64(r));
    b->kind = as_i32(get_u32(r));
    uint32_t reserved = get_u32(r);
    b->obs_end = as_i64(get_u64(r));
    uint8_t obs_set = r->p[0], has_data = r->p[1], pad0 = r->p[2], pad1 = r->p[3];
    r->p += 4;
    uint32_t n_edges = get_u32(r);
    b->max_periods = as_i64(get_u64(r));
    b->latest = as_i64(get_u64(r));
    *n_entries = get_u64(r);
    *n_signups = get_u64(r);
    b->obs_end_set = obs_set;
    b->has_data = has_data;
    b->n_edges = n_edges;
    int64_t lo, hi;
    int64_t seconds_lo, seconds_hi;
    rtn_cohort_param_bounds(RTN_COHORT_PERIOD_SECONDS, &seconds_lo, &seconds_hi);
    /* the length is kept for every unit (a later set() may switch to seconds): always valid */
    if (rtn__calendar_check(b->unit, b->period_seconds, b->offset_minutes) != 0 ||
        b->period_seconds < seconds_lo || b->period_seconds > seconds_hi ||
        b->kind < RTN_COHORT_RETURN_ON || b->kind > RTN_COHORT_BRACKETS || reserved != 0 ||
        obs_set > 1 || has_data > 1 || pad0 != 0 || pad1 != 0 || n_edges == 1 ||
        (b->kind == RTN_COHORT_BRACKETS && n_edges < 2))
        return RTN_ECORRUPT;
    rtn_cohort_param_bounds(RTN_COHORT_MAX_PERIODS, &lo, &hi);
    if (b->max_periods < lo || b->max_periods > hi)
        return RTN_ECORRUPT;
    /* exactly what the writer produces: unset times are 0, and has_data means data */
    if ((obs_set && (b->obs_end < RTN_TIME_MIN || b->obs_end > RTN_TIME_MAX)) ||
        (!obs_set && b->obs_end != 0) ||
        (has_data && (b->latest < RTN_TIME_MIN || b->latest > RTN_TIME_MAX)) ||
        (!has_data && b->latest != 0) ||
        (has_data != (*n_entries != 0 || *n_signups != 0)))
        return RTN_ECORRUPT;
    return RTN_OK;
}

/* A stored period: one of a supported time, and not after the latest time the state claims. */
static int period_valid(const rtn_cohort_builder *b, int64_t period)
{
    return period >= rtn__period_of(RTN_TIME_MIN, b->unit, b->period_seconds, b->offset_minutes) &&
           period <= rtn__period_of(b->latest, b->unit, b->period_seconds, b->offset_minutes);
}

/* The body: edges, entries, signups, into freshly allocated arrays of b. */
static int read_body(reader *r, rtn_cohort_builder *b, size_t n_entries, size_t n_signups)
{
    const rtn_allocator *a = &b->alloc;
    if (b->n_edges) {
        b->edges = rtn__alloc(a, b->n_edges, sizeof *b->edges);
        if (!b->edges)
            return RTN_ENOMEM;
        for (size_t i = 0; i < b->n_edges; ++i) {
            b->edges[i] = get_u32(r);
            if (b->edges[i] > INT32_MAX || (i > 0 && b->edges[i] <= b->edges[i - 1]))
                return RTN_ECORRUPT;
        }
    }
    int64_t *cust = rtn__alloc(a, n_entries, sizeof *cust);
    int64_t *per = rtn__alloc(a, n_entries, sizeof *per);
    rtn__dd *rev = rtn__alloc(a, n_entries, sizeof *rev);
    rtn__cohort_set_entries(b, cust, per, rev, n_entries); /* owned by b from here on */
    if (!cust || !per || !rev)
        return RTN_ENOMEM;
    int earned = 0; /* any revenue other than +0 */
    for (size_t i = 0; i < n_entries; ++i) {
        cust[i] = as_i64(get_u64(r));
        per[i] = as_i64(get_u64(r));
        rev[i].hi = get_f64(r);
        rev[i].lo = get_f64(r);
        if (!period_valid(b, per[i]) || !rtn__finite(rev[i].hi) || !rtn__finite(rev[i].lo) ||
            (i > 0 && (cust[i] < cust[i - 1] || (cust[i] == cust[i - 1] && per[i] <= per[i - 1]))))
            return RTN_ECORRUPT;
        earned |= rev[i].hi != 0.0 || rev[i].lo != 0.0 || signbit(rev[i].hi) || signbit(rev[i].lo);
    }
    if (!earned) { /* all +0: no array, as in the builder that wrote them (cohort_state.h) */
        rtn__free(a, rev);
        b->revenue = NULL;
    }
    b->revenue_bound = rtn__revenue_bound(b->revenue, n_entries);
    int64_t *sc = rtn__alloc(a, n_signups, sizeof *sc), *sp = rtn__alloc(a, n_signups, sizeof *sp);
    rtn__cohort_set_signups(b, sc, sp, n_signups);
    if (!sc || !sp)
        return RTN_ENOMEM;
    for (size_t i = 0; i < n_signups; ++i) {
        sc[i] = as_i64(get_u64(r));
        sp[i] = as_i64(get_u64(r));
        if (!period_valid(b, sp[i]) || (i > 0 && sc[i] <= sc[i - 1]))
            return RTN_ECORRUPT;
    }
    return RTN_OK;
}

int rtn_cohort_builder_deserialize(rtn_cohort_builder **out, const uint8_t *buf, size_t len,
                                   const rtn_allocator *alloc)
{
    if (!out || !buf)
        return RTN_EINVAL;
    if (len < HEADER_SIZE + 8) {
        /* too short for version 1; a newer version's shorter header is still a version error */
        if (len >= 12 && memcmp(buf, MAGIC, 8) == 0) {
            reader v = {buf + 8, buf + 12};
            if (get_u32(&v) != FORMAT_VERSION)
                return RTN_EVERSION;
        }
        return RTN_ECORRUPT;
    }
    rtn_cohort_builder *b;
    int rc = rtn__cohort_builder_new(&b, alloc);
    if (rc != RTN_OK)
        return rc;
    reader r = {buf, buf + len};
    uint64_t n_entries, n_signups;
    rc = read_header(&r, b, &n_entries, &n_signups);
    /* the lengths must add up to the buffer exactly (checked without overflow) */
    size_t body = len - HEADER_SIZE - 8;
    if (rc == RTN_OK &&
        (b->n_edges > body / 4 || n_entries > (body - 4 * b->n_edges) / ENTRY_SIZE ||
         n_signups > (body - 4 * b->n_edges - ENTRY_SIZE * n_entries) / SIGNUP_SIZE ||
         4 * b->n_edges + ENTRY_SIZE * n_entries + SIGNUP_SIZE * n_signups != body))
        rc = RTN_ECORRUPT;
    if (rc == RTN_OK) {
        reader tail = {buf + len - 8, buf + len};
        if (get_u64(&tail) != fnv1a(buf, len - 8))
            rc = RTN_ECORRUPT;
    }
    if (rc == RTN_OK)
        rc = read_body(&r, b, (size_t)n_entries, (size_t)n_signups);
    if (rc != RTN_OK) {
        rtn_cohort_builder_free(b);
        return rc;
    }
    *out = b;
    return RTN_OK;
}
