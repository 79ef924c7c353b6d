/* Little-endian byte codecs and the checksum shared by the serialisers (lib/cohort_io.c,
 * lib/survival_io.c). Writing is a straight dump; reading goes through a bounded reader whose
 * caller has checked the length first. */
#ifndef RETENTION_BYTES_H
#define RETENTION_BYTES_H

#include <stdint.h>
#include <string.h>

/* FNV-1a, 64 bits: cheap, and enough to catch truncation and flipped bits (not an attacker, whom
 * the structural checks of each reader handle). */
static inline uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < n; ++i)
        h = (h ^ p[i]) * UINT64_C(1099511628211);
    return h;
}

static inline uint8_t *put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        *p++ = (uint8_t)(v >> (8 * i));
    return p;
}

static inline uint8_t *put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        *p++ = (uint8_t)(v >> (8 * i));
    return p;
}

static inline uint8_t *put_f64(uint8_t *p, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return put_u64(p, bits);
}

typedef struct reader {
    const uint8_t *p, *end;
} reader;

static inline uint64_t get_u64(reader *r)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v |= (uint64_t)r->p[i] << (8 * i);
    r->p += 8;
    return v;
}

static inline uint32_t get_u32(reader *r)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
        v |= (uint32_t)r->p[i] << (8 * i);
    r->p += 4;
    return v;
}

static inline double get_f64(reader *r)
{
    uint64_t bits = get_u64(r);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

static inline int64_t as_i64(uint64_t v) { return (int64_t)v; } /* two's complement everywhere */
static inline int32_t as_i32(uint32_t v) { return (int32_t)v; }

#endif
