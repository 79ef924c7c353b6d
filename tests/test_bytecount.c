/* The counting kernel's every path — scalar, 16-byte vector, AVX2 — against the obvious loop,
 * whichever path this CPU would pick at run time: lengths around the block (16, 32) and flush
 * (255 blocks) boundaries, every scale width from 1 to 20 values, misaligned starts, and bytes
 * outside the scale (which no bin may count). */
#include <stdlib.h>
#include <string.h>

#include "rtn_test.h"
#include "internal.h"

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

typedef int (*vector_path)(const uint8_t *, size_t, uint32_t, uint32_t, uint64_t *);

static void naive(const uint8_t *s, size_t n, uint32_t lo, uint32_t nbins, uint64_t *h)
{
    for (size_t i = 0; i < n; ++i)
        if (s[i] >= lo && s[i] < lo + nbins)
            h[s[i] - lo]++;
}

static void check_path(int path)
{
    const size_t cap = 3 * 255 * 32 + 64;
    uint8_t *buf = malloc(cap);
    assert_non_null(buf);
    uint64_t seed = 0x9E3779B97F4A7C15u;
    const size_t lengths[] = {0,    1,    15,   16,   17,   31,   32,   33,  255,
                              4079, 4080, 4081, 8159, 8160, 8161, 16321, 3 * 255 * 32 + 7};
    for (uint32_t nbins = 1; nbins <= 20; ++nbins) {
        uint32_t lo = nbins % 4;
        for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; ++li) {
            for (size_t off = 0; off < 3; ++off) {
                size_t n = lengths[li];
                if (n + off > cap)
                    continue;
                /* mostly in-scale bytes, some just outside, some anywhere */
                for (size_t i = 0; i < n + off; ++i) {
                    uint64_t r = rng_next(&seed);
                    buf[i] = (uint8_t)(r % 8 == 0 ? (r >> 8) : lo + (r >> 8) % (nbins + 1));
                }
                uint64_t got[32] = {0}, want[32] = {0};
                naive(buf + off, n, lo, nbins, want);
                int handled = 1;
                if (path == 0)
                    rtn__count_bytes_scalar(buf + off, n, lo, nbins, got);
                else if (path == 1)
                    handled = rtn__count_bytes_v16(buf + off, n, lo, nbins, got);
                else
                    handled = rtn__count_bytes_v32(buf + off, n, lo, nbins, got);
                if (!handled) { /* vector paths cover 2..16 bins only */
                    assert_true(nbins < 2 || nbins > 16);
                    continue;
                }
                assert_true(path == 0 || (nbins >= 2 && nbins <= 16));
                assert_memory_equal(got, want, sizeof want);
            }
        }
    }
    /* every byte in one bin: each lane fills to exactly 255 per run and must be flushed then */
    memset(buf, 3, cap);
    for (uint32_t nbins = 2; nbins <= 16; nbins += 7) {
        uint64_t got[32] = {0};
        if (path == 0)
            rtn__count_bytes_scalar(buf, cap, 3, nbins, got);
        else if (path == 1)
            assert_true(rtn__count_bytes_v16(buf, cap, 3, nbins, got));
        else
            assert_true(rtn__count_bytes_v32(buf, cap, 3, nbins, got));
        assert_int_equal(got[0], cap);
    }
    /* the dispatcher agrees too */
    for (size_t i = 0; i < cap; ++i)
        buf[i] = (uint8_t)(rng_next(&seed) % 12);
    uint64_t got[16] = {0}, want[16] = {0};
    rtn__count_bytes(buf, cap, 0, 11, got);
    naive(buf, cap, 0, 11, want);
    assert_memory_equal(got, want, sizeof want);
    free(buf);
}

static void scalar_path(void **state)
{
    (void)state;
    check_path(0);
}

static void vector16_path(void **state)
{
    (void)state;
    if (!(rtn__count_bytes_paths() & 2))
        skip();
    check_path(1);
}

static void avx2_path(void **state)
{
    (void)state;
    if (!(rtn__count_bytes_paths() & 4))
        skip();
    check_path(2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scalar_path),
        cmocka_unit_test(vector16_path),
        cmocka_unit_test(avx2_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
