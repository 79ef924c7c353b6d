/* Shared by the fuzz targets: an input reader that turns fuzzer bytes into the values the API
 * takes, biased towards the interesting ones (0, 1, boundaries, NaN, infinities, extremes). */
#ifndef RTN_FUZZ_H
#define RTN_FUZZ_H

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
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

/* Invariant violated: crash loudly so the fuzzer (or the replay under ASan) reports it. */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
