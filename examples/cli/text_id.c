/* Customer ids that mean the same in every run: what saved states (--state, --save-state) need,
 * since the dense numbers cli_ids_intern() hands out depend on the order a run met its ids.
 *
 * A canonical decimal integer in int64's range ("42", "-7"; no sign on 0, no leading zeros) is
 * that integer: integer ids keep their values (and the library's sort its fast path for
 * narrow ranges). Any other text is the first 8 bytes, read little-endian, of BLAKE2b-64
 * (RFC 7693; unkeyed, 8-byte digest) of "s" followed by the text: what the Python module's
 * retention.text_id() gives the same text (and MRRBuilder a str label), so states saved by the
 * tool and states built in Python merge. Two different texts share an id with probability 2^-64
 * per pair: below n^2 / 2^65 for n distinct ids (3e-8 for a million). */
#include <stdint.h>
#include <string.h>

#include "cli.h"

static uint64_t rotr64(uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }

static uint64_t load64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

static const uint64_t blake2b_iv[8] = {
    UINT64_C(0x6a09e667f3bcc908), UINT64_C(0xbb67ae8584caa73b), UINT64_C(0x3c6ef372fe94f82b),
    UINT64_C(0xa54ff53a5f1d36f1), UINT64_C(0x510e527fade682d1), UINT64_C(0x9b05688c2b3e6c1f),
    UINT64_C(0x1f83d9abfb41bd6b), UINT64_C(0x5be0cd19137e2179)};

static const uint8_t blake2b_sigma[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}};

/* RFC 7693, 3.1: the mixing function G on four words of v with two message words. */
#define BLAKE2B_G(a, b, c, d, x, y)                                                                \
    do {                                                                                           \
        v[a] = v[a] + v[b] + (x);                                                                  \
        v[d] = rotr64(v[d] ^ v[a], 32);                                                            \
        v[c] = v[c] + v[d];                                                                        \
        v[b] = rotr64(v[b] ^ v[c], 24);                                                            \
        v[a] = v[a] + v[b] + (y);                                                                  \
        v[d] = rotr64(v[d] ^ v[a], 16);                                                            \
        v[c] = v[c] + v[d];                                                                        \
        v[b] = rotr64(v[b] ^ v[c], 63);                                                            \
    } while (0)

/* RFC 7693, 3.2: compresses one 128-byte block into h; t bytes so far (< 2^64 here), last: the
 * final block. */
static void blake2b_compress(uint64_t h[8], const uint8_t block[128], uint64_t t, int last)
{
    uint64_t v[16], m[16];
    for (int i = 0; i < 16; ++i)
        m[i] = load64(block + 8 * i);
    for (int i = 0; i < 8; ++i) {
        v[i] = h[i];
        v[i + 8] = blake2b_iv[i];
    }
    v[12] ^= t; /* the high word of the 128-bit counter stays 0 */
    if (last)
        v[14] = ~v[14];
    for (int r = 0; r < 12; ++r) {
        const uint8_t *s = blake2b_sigma[r];
        BLAKE2B_G(0, 4, 8, 12, m[s[0]], m[s[1]]);
        BLAKE2B_G(1, 5, 9, 13, m[s[2]], m[s[3]]);
        BLAKE2B_G(2, 6, 10, 14, m[s[4]], m[s[5]]);
        BLAKE2B_G(3, 7, 11, 15, m[s[6]], m[s[7]]);
        BLAKE2B_G(0, 5, 10, 15, m[s[8]], m[s[9]]);
        BLAKE2B_G(1, 6, 11, 12, m[s[10]], m[s[11]]);
        BLAKE2B_G(2, 7, 8, 13, m[s[12]], m[s[13]]);
        BLAKE2B_G(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; ++i)
        h[i] ^= v[i] ^ v[i + 8];
}

/* The first word of BLAKE2b with an 8-byte digest of tag · text. */
static uint64_t blake2b_64(uint8_t tag, const char *text)
{
    uint64_t h[8];
    memcpy(h, blake2b_iv, sizeof h);
    h[0] ^= UINT64_C(0x01010000) ^ 8; /* parameter block: digest 8 bytes, no key, fanout 1, depth 1 */
    size_t len = strlen(text), total = len + 1, done = 0;
    uint8_t block[128];
    /* every block but the last is compressed as soon as it is followed by more input */
    while (total - done > 128) {
        for (size_t i = 0; i < 128; ++i) {
            size_t at = done + i;
            block[i] = at == 0 ? tag : (uint8_t)text[at - 1];
        }
        done += 128;
        blake2b_compress(h, block, done, 0);
    }
    memset(block, 0, sizeof block);
    for (size_t i = 0; done + i < total; ++i) {
        size_t at = done + i;
        block[i] = at == 0 ? tag : (uint8_t)text[at - 1];
    }
    blake2b_compress(h, block, total, 1);
    return h[0]; /* its bytes little-endian are the digest */
}

/* A canonical decimal int64: optional '-', no leading zeros, no "-0", in range. */
static int canonical_integer(const char *s, int64_t *out)
{
    int negative = *s == '-';
    const char *d = s + negative;
    if (*d < '0' || *d > '9' || (*d == '0' && (d[1] != '\0' || negative)))
        return 0;
    uint64_t v = 0, limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; *d; ++d) {
        if (*d < '0' || *d > '9')
            return 0;
        unsigned digit = (unsigned)(*d - '0');
        if (v > (limit - digit) / 10)
            return 0;
        v = v * 10 + digit;
    }
    *out = !negative ? (int64_t)v : v > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)v;
    return 1;
}

int64_t cli_text_id(const char *text)
{
    int64_t id;
    if (canonical_integer(text, &id))
        return id;
    return (int64_t)blake2b_64('s', text);
}
