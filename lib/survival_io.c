/* Serialising Kaplan-Meier builders (format in retention/survival.h). The writer dumps the
 * non-empty slots in time order, so equal states give equal bytes; the reader checks the length
 * against the buffer before allocating, the checksum before parsing, and then every value
 * against the invariants the module relies on (finite, strictly increasing times; no empty
 * entry; weight sums finite, non-negative and zero exactly where their counts are). */
#include <float.h>
#include <string.h>

#include "bytes.h"
#include "survival_state.h"

#define MAGIC "RTNKMBLD"
#define FORMAT_VERSION 1u
#define HEADER_SIZE 72u /* magic … n_times */
#define ENTRY_SIZE 32u
#define WEIGHTS_SIZE 48u
#define FLAG_WEIGHTED 1u

static size_t live_slots(const rtn_km_builder *b)
{
    size_t live = 0;
    for (size_t i = 0; i < b->cap; ++i)
        live += (size_t)rtn__km_live(&b->slots[i]);
    return live;
}

static uint8_t *put_dd(uint8_t *p, rtn__dd v) { return put_f64(put_f64(p, v.hi), v.lo); }

int rtn_km_builder_serialize(const rtn_km_builder *b, uint8_t *buf, size_t cap, size_t *len)
{
    if (!b || !len)
        return RTN_EINVAL;
    size_t m = live_slots(b), per = ENTRY_SIZE + (b->weights ? WEIGHTS_SIZE : 0);
    if (m > (SIZE_MAX - HEADER_SIZE - 8) / per)
        return RTN_ENOMEM;
    size_t need = HEADER_SIZE + per * m + 8;
    *len = need;
    if (!buf || cap < need)
        return RTN_EBUFSIZE;
    rtn__km_slot *slots = NULL;
    rtn__km_weights *w = NULL;
    int rc = rtn__km_sorted(b, &b->alloc, &slots, &w, &m);
    if (rc != RTN_OK)
        return rc;
    uint8_t *p = buf;
    memcpy(p, MAGIC, 8);
    p += 8;
    p = put_u32(p, FORMAT_VERSION);
    p = put_u32(p, b->weights ? FLAG_WEIGHTED : 0u);
    p = put_f64(p, b->conf_level);
    p = put_u32(p, (uint32_t)b->conf_type);
    p = put_u32(p, 0);
    p = put_f64(p, b->tolerance);
    p = put_u64(p, b->n_initial);
    p = put_dd(p, b->weights ? b->w_initial : (rtn__dd){(double)b->n_initial, 0.0});
    p = put_u64(p, (uint64_t)m);
    for (size_t i = 0; i < m; ++i) {
        p = put_f64(p, slots[i].time);
        p = put_u64(p, slots[i].n_event);
        p = put_u64(p, slots[i].n_censor);
        p = put_u64(p, slots[i].n_enter);
        if (w) {
            p = put_dd(p, w[i].event);
            p = put_dd(p, w[i].censor);
            p = put_dd(p, w[i].enter);
        }
    }
    put_u64(p, fnv1a(buf, (size_t)(p - buf)));
    rtn__free(&b->alloc, slots);
    rtn__free(&b->alloc, w);
    return RTN_OK;
}

/* ---- validating reader ------------------------------------------------------------------------ */

static rtn__dd get_dd(reader *r)
{
    rtn__dd v;
    v.hi = get_f64(r);
    v.lo = get_f64(r);
    return v;
}

/* A weight sum as the writer produces it: finite, ≥ 0, normalised (hi = hi + lo), and zero
 * exactly when its count is; not more than the count allows to overflow later sums. */
static int dd_valid(rtn__dd v, uint64_t count)
{
    return isfinite(v.hi) && isfinite(v.lo) && v.hi >= 0.0 && v.hi + v.lo == v.hi &&
           (v.hi == 0.0) == (count == 0) && v.hi < DBL_MAX / 8;
}

static int read_header(reader *r, rtn_km_builder *b, int *weighted, uint64_t *m)
{
    if (memcmp(r->p, MAGIC, 8) != 0)
        return RTN_ECORRUPT;
    r->p += 8;
    if (get_u32(r) != FORMAT_VERSION)
        return RTN_EVERSION;
    uint32_t flags = get_u32(r);
    double level = get_f64(r);
    int32_t type = as_i32(get_u32(r));
    uint32_t reserved = get_u32(r);
    double tolerance = get_f64(r);
    b->n_initial = get_u64(r);
    b->w_initial = get_dd(r);
    *m = get_u64(r);
    *weighted = (flags & FLAG_WEIGHTED) != 0;
    if ((flags & ~FLAG_WEIGHTED) != 0 || reserved != 0 ||
        rtn_km_builder_set(b, RTN_KM_CONF_LEVEL, level) != RTN_OK ||
        rtn_km_builder_set(b, RTN_KM_CONF_TYPE, (double)type) != RTN_OK ||
        rtn_km_builder_set(b, RTN_KM_TIE_TOLERANCE, tolerance) != RTN_OK ||
        !dd_valid(b->w_initial, b->n_initial) ||
        (!*weighted && (b->w_initial.hi != (double)b->n_initial || b->w_initial.lo != 0.0)))
        return RTN_ECORRUPT;
    return RTN_OK;
}

/* One entry, validated against the previous time; adds it to the (reserved) table. */
static int read_entry(reader *r, rtn_km_builder *b, int weighted, double *prev, double *weight)
{
    double t = get_f64(r);
    rtn__km_slot s = {t, get_u64(r), get_u64(r), get_u64(r)};
    rtn__km_weights w = {{0, 0}, {0, 0}, {0, 0}};
    if (weighted) {
        w.event = get_dd(r);
        w.censor = get_dd(r);
        w.enter = get_dd(r);
    }
    /* strictly increasing, finite, ≥ 0, not −0 (bits of +0 only), not empty */
    if (!rtn__nonneg(t) || !(t > *prev) || (t == 0.0 && signbit(t)) ||
        (s.n_event | s.n_censor | s.n_enter) == 0)
        return RTN_ECORRUPT;
    uint64_t exits;
    if (rtn__add_u64(s.n_event, s.n_censor, &exits) ||
        rtn__add_u64(b->total_exits, exits, &b->total_exits) ||
        rtn__add_u64(b->total_entries, s.n_enter, &b->total_entries))
        return RTN_ECORRUPT;
    if (weighted && (!dd_valid(w.event, s.n_event) || !dd_valid(w.censor, s.n_censor) ||
                     !dd_valid(w.enter, s.n_enter)))
        return RTN_ECORRUPT;
    *weight += weighted ? w.event.hi + w.censor.hi + w.enter.hi
                        : (double)exits + (double)s.n_enter;
    if (!(*weight < DBL_MAX / 4))
        return RTN_ECORRUPT;
    *prev = t;
    size_t h = rtn__km_slot_of(b, t); /* reserved: cannot fail */
    b->slots[h].n_event = s.n_event;
    b->slots[h].n_censor = s.n_censor;
    b->slots[h].n_enter = s.n_enter;
    if (weighted)
        b->weights[h] = w;
    return RTN_OK;
}

int rtn_km_builder_deserialize(rtn_km_builder **out, const uint8_t *buf, size_t len,
                               const rtn_allocator *alloc)
{
    if (!out || !buf)
        return RTN_EINVAL;
    if (alloc && (!alloc->alloc || !alloc->free))
        return RTN_EINVAL;
    if (len < HEADER_SIZE + 8)
        return RTN_ECORRUPT;
    /* the format's name and version first: another version's bytes are RTN_EVERSION, whatever
     * its checksum rule */
    if (memcmp(buf, MAGIC, 8) != 0)
        return RTN_ECORRUPT;
    reader v = {buf + 8, buf + 12};
    if (get_u32(&v) != FORMAT_VERSION)
        return RTN_EVERSION;
    reader r = {buf, buf + len};
    reader check = {buf + len - 8, buf + len};
    if (get_u64(&check) != fnv1a(buf, len - 8))
        return RTN_ECORRUPT;
    rtn_km_builder *b = NULL;
    int rc = rtn__km_builder_new(&b, alloc);
    if (rc != RTN_OK)
        return rc;
    int weighted = 0;
    uint64_t m = 0;
    rc = read_header(&r, b, &weighted, &m);
    size_t per = ENTRY_SIZE + (weighted ? WEIGHTS_SIZE : 0);
    /* the length must be exactly what m entries take: checked before allocating for them */
    if (rc == RTN_OK && (m > (len - HEADER_SIZE - 8) / per || HEADER_SIZE + m * per + 8 != len))
        rc = RTN_ECORRUPT;
    rtn__dd w_initial = b->w_initial; /* make_weighted() resets it from the count */
    if (rc == RTN_OK && (rtn__km_reserve(b, (size_t)m) != 0 ||
                         (weighted && rtn__km_make_weighted(b) != 0)))
        rc = RTN_ENOMEM;
    b->w_initial = w_initial;
    double prev = -1.0, weight = w_initial.hi;
    for (uint64_t i = 0; rc == RTN_OK && i < m; ++i)
        rc = read_entry(&r, b, weighted, &prev, &weight);
    if (rc == RTN_OK && rtn__add_u64(b->total_entries, b->n_initial, &b->total_entries))
        rc = RTN_ECORRUPT;
    if (rc != RTN_OK) {
        rtn_km_builder_free(b);
        return rc;
    }
    b->total_weight = weight;
    *out = b;
    return RTN_OK;
}
