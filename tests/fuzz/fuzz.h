/* Shared by the fuzz targets: an input reader that turns fuzzer bytes into the values the API
 * takes, biased towards the interesting ones (0, 1, boundaries, NaN, infinities, extremes). */
#ifndef RTN_FUZZ_H
#define RTN_FUZZ_H

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <retention.h>

typedef struct fuzz_input {
    const uint8_t *p;
    size_t left;
} fuzz_input;

static inline uint8_t fuzz_byte(fuzz_input *in)
{
    if (in->left == 0)
        return 0;
    in->left--;
    return *in->p++;
}

static inline uint64_t fuzz_raw64(fuzz_input *in)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v = (v << 8) | fuzz_byte(in);
    return v;
}

static inline double fuzz_double(fuzz_input *in)
{
    static const double special[] = {0.0,     1.0,      -1.0,    0.5,      0.05,   0.95,
                                     1e-300,  1e300,    DBL_MAX, -DBL_MAX, DBL_MIN, 100.0,
                                     1e-12,   0.999999, 12.0,    1.0 / 12.0};
    uint8_t k = fuzz_byte(in);
    if (k < 16)
        return special[k];
    if (k < 20)
        return k == 16 ? NAN : k == 17 ? INFINITY : k == 18 ? -INFINITY : -0.0;
    uint64_t bits = fuzz_raw64(in);
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static inline uint64_t fuzz_u64(fuzz_input *in)
{
    uint8_t k = fuzz_byte(in);
    if (k < 128)
        return k; /* small counts, where the edge cases are */
    if (k < 136)
        return UINT64_MAX - (uint64_t)(k - 128);
    return fuzz_raw64(in);
}

/* Model parameters: all finite and positive. */
static inline int fuzz_valid_params(const double *p, size_t k)
{
    for (size_t i = 0; i < k; ++i)
        if (!(isfinite(p[i]) && p[i] > 0.0))
            return 0;
    return 1;
}

/* A model parameter in the range real fits meet, e^-5 … e^5, so that checks bite; the raw
 * doubles of fuzz_double() take the rest (refused or extreme). */
static inline double fuzz_param(fuzz_input *in)
{
    uint8_t k = fuzz_byte(in);
    return k < 200 ? exp((double)k / 20.0 - 5.0) : fuzz_double(in);
}

/* An allocator that counts its calls and live blocks and fails the call numbered fail_at (0 is
 * the first; SIZE_MAX: never): for the error paths of everything that allocates, which must
 * report RTN_ENOMEM and leave no block behind. */
typedef struct fuzz_alloc_state {
    size_t calls, live, fail_at;
} fuzz_alloc_state;

static inline void *fuzz_alloc_fn(void *opaque, size_t size)
{
    fuzz_alloc_state *s = (fuzz_alloc_state *)opaque;
    if (s->calls++ == s->fail_at)
        return NULL;
    void *p = malloc(size ? size : 1);
    if (p)
        s->live++;
    return p;
}

static inline void fuzz_free_fn(void *opaque, void *p)
{
    fuzz_alloc_state *s = (fuzz_alloc_state *)opaque;
    if (p) {
        s->live--;
        free(p);
    }
}

static inline rtn_allocator fuzz_allocator(fuzz_alloc_state *s, size_t fail_at)
{
    s->calls = s->live = 0;
    s->fail_at = fail_at;
    rtn_allocator a = {fuzz_alloc_fn, fuzz_free_fn, s};
    return a;
}

/* A cheap digest of the input, to pick which allocation fails. */
static inline size_t fuzz_digest(const uint8_t *data, size_t size)
{
    size_t h = size;
    for (size_t i = 0; i < size; ++i)
        h = h * 31 + data[i];
    return h;
}

/* Invariant violated: crash loudly so the fuzzer (or the replay under ASan) reports it. */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

/* Defines `static void round_trip(const T *b)` for a builder type T with the functions
 * T_serialize / _deserialize / _free: serialising b, reading it back and serialising the
 * copy must give the same bytes (the formats are canonical). Needs <stdlib.h>. */
#define FUZZ_DEFINE_ROUND_TRIP(T)                                                                  \
    static void round_trip(const T *b)                                                             \
    {                                                                                              \
        size_t len = 0;                                                                            \
        FUZZ_CHECK(T##_serialize(b, NULL, 0, &len) == RTN_EBUFSIZE);                               \
        uint8_t *buf = malloc(len), *again = malloc(len);                                          \
        if (buf && again && T##_serialize(b, buf, len, &len) == RTN_OK) {                          \
            T *copy = NULL;                                                                        \
            FUZZ_CHECK(T##_deserialize(&copy, buf, len, NULL) == RTN_OK);                          \
            size_t len2 = 0;                                                                       \
            FUZZ_CHECK(T##_serialize(copy, again, len, &len2) == RTN_OK && len2 == len);           \
            FUZZ_CHECK(memcmp(buf, again, len) == 0);                                              \
            T##_free(copy);                                                                        \
        }                                                                                          \
        free(buf);                                                                                 \
        free(again);                                                                               \
    }

/* Defines `static void failing_allocations(const uint8_t *data, size_t size)` for a builder type
 * T (T_deserialize / _finish / _free) whose finish makes a TABLE (TABLE_free), to be called with
 * bytes that deserialise: through a counting allocator, fail one allocation of deserialising
 * (RTN_ENOMEM and no builder), then one of the first few of finishing (RTN_ENOMEM and no
 * table, or success); no block may be left behind either way. SKIP_FINISH is an expression of
 * the builder `b`, true where finishing would be too costly to repeat (0: never). */
#define FUZZ_DEFINE_FAILING_ALLOCATIONS(T, TABLE, SKIP_FINISH)                                     \
    static void failing_allocations(const uint8_t *data, size_t size)                              \
    {                                                                                              \
        fuzz_alloc_state s;                                                                        \
        rtn_allocator a = fuzz_allocator(&s, SIZE_MAX);                                            \
        T *b = NULL;                                                                               \
        FUZZ_CHECK(T##_deserialize(&b, data, size, &a) == RTN_OK);                                 \
        size_t needed = s.calls;                                                                   \
        T##_free(b);                                                                               \
        FUZZ_CHECK(s.live == 0);                                                                   \
        if (needed == 0)                                                                           \
            return;                                                                                \
        size_t digest = fuzz_digest(data, size);                                                   \
        a = fuzz_allocator(&s, digest % needed);                                                   \
        b = NULL;                                                                                  \
        FUZZ_CHECK(T##_deserialize(&b, data, size, &a) == RTN_ENOMEM && b == NULL);                \
        FUZZ_CHECK(s.live == 0);                                                                   \
        a = fuzz_allocator(&s, SIZE_MAX);                                                          \
        FUZZ_CHECK(T##_deserialize(&b, data, size, &a) == RTN_OK);                                 \
        if (!(SKIP_FINISH)) {                                                                      \
            s.fail_at = s.calls + digest / needed % 4;                                             \
            TABLE *t = NULL;                                                                       \
            int rc = T##_finish(b, &t);                                                            \
            FUZZ_CHECK(rc != RTN_ENOMEM || t == NULL);                                             \
            TABLE##_free(t);                                                                       \
        }                                                                                          \
        T##_free(b);                                                                               \
        FUZZ_CHECK(s.live == 0);                                                                   \
    }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
