/* The counting kernel under every survey score: counts[b] += occurrences of the byte value
 * lo + b in s[0..n), for b < nbins; other bytes are skipped.
 *
 * 10^8 responses must take about as long as reading them. A scalar histogram stalls on
 * store-to-load forwarding when consecutive scores hit the same bin; instead, for scales of up to
 * 16 values, each block of 16 (or 32) bytes is compared against every bin value at once and the
 * matches are accumulated in per-bin byte lanes, which are widened into 64-bit counts before they
 * can wrap (every 255 blocks). GCC and Clang vector extensions compile the 16-byte kernel to
 * SSE2 on x86-64 and NEON on ARM; on x86-64 a 32-byte AVX2 copy is chosen at run time when the
 * CPU has AVX2 (about twice the throughput). Other compilers and targets get the scalar loop. */
#include <string.h>

#include "internal.h"

#define MAX_VECTOR_BINS 16

void rtn__count_bytes_scalar(const uint8_t *s, size_t n, uint32_t lo, uint32_t nbins,
                            uint64_t *counts)
{
    for (size_t i = 0; i < n; ++i) {
        uint32_t v = (uint32_t)s[i] - lo; /* wraps to a huge value below lo */
        if (v < nbins)
            counts[v]++;
    }
}

/* Only where the 16-byte vectors are real SIMD registers (SSE2, NEON): elsewhere GCC emulates
 * them in scalar code, many times slower than the plain loop, and on POWER clang gives vector
 * == a different (AltiVec) meaning. */
#if (defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 5)) &&                               \
    (defined(__SSE2__) || defined(__ARM_NEON) || defined(__aarch64__))
#define HAVE_VECTOR_KERNEL 1

#if defined(__clang__)
#define UNROLL_BINS _Pragma("clang loop unroll(full)")
#elif __GNUC__ >= 8
#define UNROLL_BINS _Pragma("GCC unroll 16")
#else
#define UNROLL_BINS
#endif

/* The kernel for one vector type, as a macro so that the 16- and 32-byte versions are one text.
 * It is always_inline and called with a constant nbins: fully unrolled over the bins, every
 * accumulator stays in a register, which is the whole point (without the unrolling, -O2 keeps
 * them in memory and runs 3x slower). */
#define DEFINE_COUNT_VECTOR(name, vec_t, width)                                                    \
    static inline __attribute__((always_inline)) void name(const uint8_t *s, size_t n,             \
                                                           uint32_t lo, const uint32_t nbins,      \
                                                           uint64_t *counts)                       \
    {                                                                                              \
        vec_t want[MAX_VECTOR_BINS];                                                               \
        for (uint32_t b = 0; b < nbins; ++b) {                                                     \
            vec_t splat = {0};                                                                     \
            want[b] = splat + (uint8_t)(lo + b);                                                   \
        }                                                                                          \
        size_t blocks = n / (width);                                                               \
        const uint8_t *p = s;                                                                      \
        while (blocks > 0) {                                                                       \
            size_t run = blocks < 255 ? blocks : 255; /* a byte lane holds at most 255 */          \
            vec_t acc[MAX_VECTOR_BINS];                                                            \
            for (uint32_t b = 0; b < nbins; ++b)                                                   \
                acc[b] = (vec_t){0};                                                               \
            for (size_t i = 0; i < run; ++i, p += (width)) {                                       \
                vec_t x;                                                                           \
                memcpy(&x, p, (width)); /* unaligned load */                                       \
                UNROLL_BINS for (uint32_t b = 0; b < nbins; ++b)                                   \
                    acc[b] -= (vec_t)(x == want[b]); /* a match is −1: subtracting adds 1 */       \
            }                                                                                      \
            for (uint32_t b = 0; b < nbins; ++b) {                                                 \
                uint64_t sum = 0;                                                                  \
                for (int lane = 0; lane < (width); ++lane)                                         \
                    sum += acc[b][lane];                                                           \
                counts[b] += sum;                                                                  \
            }                                                                                      \
            blocks -= run;                                                                         \
        }                                                                                          \
        rtn__count_bytes_scalar(p, n % (width), lo, nbins, counts);                                           \
    }

/* Dispatches a run-time nbins to the kernel instantiated for that constant. */
#define COUNT_SWITCH(kernel)                                                                       \
    switch (nbins) {                                                                               \
    case 2: kernel(s, n, lo, 2, counts); return 1;                                                 \
    case 3: kernel(s, n, lo, 3, counts); return 1;                                                 \
    case 4: kernel(s, n, lo, 4, counts); return 1;                                                 \
    case 5: kernel(s, n, lo, 5, counts); return 1;                                                 \
    case 6: kernel(s, n, lo, 6, counts); return 1;                                                 \
    case 7: kernel(s, n, lo, 7, counts); return 1;                                                 \
    case 8: kernel(s, n, lo, 8, counts); return 1;                                                 \
    case 9: kernel(s, n, lo, 9, counts); return 1;                                                 \
    case 10: kernel(s, n, lo, 10, counts); return 1;                                               \
    case 11: kernel(s, n, lo, 11, counts); return 1;                                               \
    case 12: kernel(s, n, lo, 12, counts); return 1;                                               \
    case 13: kernel(s, n, lo, 13, counts); return 1;                                               \
    case 14: kernel(s, n, lo, 14, counts); return 1;                                               \
    case 15: kernel(s, n, lo, 15, counts); return 1;                                               \
    case 16: kernel(s, n, lo, 16, counts); return 1;                                               \
    default: return 0;                                                                             \
    }

typedef uint8_t v16u8 __attribute__((vector_size(16)));
DEFINE_COUNT_VECTOR(count_v16, v16u8, 16)

int rtn__count_bytes_v16(const uint8_t *s, size_t n, uint32_t lo, uint32_t nbins, uint64_t *counts)
{
    COUNT_SWITCH(count_v16)
}

#if defined(__x86_64__)
#define HAVE_AVX2_KERNEL 1
typedef uint8_t v32u8 __attribute__((vector_size(32)));
DEFINE_COUNT_VECTOR(count_v32, v32u8, 32)

__attribute__((target("avx2"))) int rtn__count_bytes_v32(const uint8_t *s, size_t n, uint32_t lo,
                                                         uint32_t nbins, uint64_t *counts)
{
    COUNT_SWITCH(count_v32)
}
#endif
#endif /* vector kernels */

/* Where a kernel is not compiled in, its entry point handles nothing (tests call every path). */
#ifndef HAVE_VECTOR_KERNEL
int rtn__count_bytes_v16(const uint8_t *s, size_t n, uint32_t lo, uint32_t nbins, uint64_t *counts)
{
    (void)s, (void)n, (void)lo, (void)nbins, (void)counts;
    return 0;
}
#endif
#ifndef HAVE_AVX2_KERNEL
int rtn__count_bytes_v32(const uint8_t *s, size_t n, uint32_t lo, uint32_t nbins, uint64_t *counts)
{
    (void)s, (void)n, (void)lo, (void)nbins, (void)counts;
    return 0;
}
#endif

void rtn__count_bytes(const uint8_t *s, size_t n, uint32_t lo, uint32_t nbins, uint64_t *counts)
{
#ifdef HAVE_AVX2_KERNEL
    /* __builtin_cpu_supports reads the CPU model that the compiler runtime fills in once at
     * start-up; it is a read-only lookup here, so the dispatch keeps the library thread-safe. */
    if (__builtin_cpu_supports("avx2") && rtn__count_bytes_v32(s, n, lo, nbins, counts))
        return;
#endif
#ifdef HAVE_VECTOR_KERNEL
    if (rtn__count_bytes_v16(s, n, lo, nbins, counts))
        return;
#endif
    rtn__count_bytes_scalar(s, n, lo, nbins, counts);
}

int rtn__count_bytes_paths(void)
{
    int paths = 1;
#ifdef HAVE_VECTOR_KERNEL
    paths |= 2;
#endif
#ifdef HAVE_AVX2_KERNEL
    if (__builtin_cpu_supports("avx2"))
        paths |= 4;
#endif
    return paths;
}
