/* Cohort builders (retention/cohort.h): parameters, adding events and signups, merging.
 *
 * The state is each customer's distinct active periods with their revenue, kept as three
 * parallel arrays sorted by (customer, period) — two while no amounts were added: a revenue
 * array of zeros would be 16 bytes per entry written for nothing (cohort_state.h). Adding a
 * chunk of events buckets each time while packing (customer, period) into one key, sorts the
 * keys (a radix sort; for many wide keys, one split into cache-sized buckets first, each bucket
 * then sorted or, when its keys are dense, folded through a bitmap), folds duplicates, and keeps
 * the result as a run, merged with the others like a binary counter ("runs" below); merging two
 * builders is one linear merge. Sorting rather than hashing keeps every pass over main memory
 * sequential. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cohort_state.h"

#define MAX_PERIODS_LIMIT INT64_C(2147483647)
#define MAX_PERIOD_SECONDS INT64_C(10000000000)

/* ---- create, free, parameters ------------------------------------------------------------------- */

int rtn__cohort_builder_new(rtn_cohort_builder **out, const rtn_allocator *alloc)
{
    rtn_allocator a;
    if (!out || rtn__allocator_of(alloc, &a) != RTN_OK)
        return RTN_EINVAL;
    rtn_cohort_builder *b = rtn__alloc(&a, 1, sizeof *b);
    if (!b)
        return RTN_ENOMEM;
    memset(b, 0, sizeof *b);
    b->alloc = a;
    b->unit = RTN_PERIOD_MONTH;
    b->period_seconds = 86400;
    b->kind = RTN_COHORT_RETURN_ON;
    *out = b;
    return RTN_OK;
}

int rtn_cohort_builder_create(rtn_cohort_builder **out, const rtn_allocator *alloc)
{
    return rtn__cohort_builder_new(out, alloc);
}

static void run_free(const rtn_allocator *a, rtn__cohort_run *r)
{
    rtn__free(a, r->customer);
    rtn__free(a, r->period);
    rtn__free(a, r->revenue);
    memset(r, 0, sizeof *r);
}

double rtn__revenue_bound(const rtn__dd *revenue, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; revenue && i < n; ++i)
        sum += fabs(revenue[i].hi) + fabs(revenue[i].lo);
    return sum * (1.0 + 0x1p-40); /* each addition rounds by at most 2^-53 of the sum */
}

void rtn__cohort_set_entries(rtn_cohort_builder *b, int64_t *customer, int64_t *period,
                             rtn__dd *revenue, size_t n)
{
    rtn__free(&b->alloc, b->customer);
    rtn__free(&b->alloc, b->period);
    rtn__free(&b->alloc, b->revenue);
    for (size_t i = 0; i < b->n_more; ++i)
        run_free(&b->alloc, &b->more[i]);
    b->n_more = 0;
    b->customer = customer;
    b->period = period;
    b->revenue = revenue;
    b->n = b->cap = n;
}

void rtn__cohort_set_signups(rtn_cohort_builder *b, int64_t *customer, int64_t *period, size_t n)
{
    rtn__free(&b->alloc, b->signup_customer);
    rtn__free(&b->alloc, b->signup_period);
    b->signup_customer = customer;
    b->signup_period = period;
    b->n_signups = b->signup_cap = n;
}

void rtn_cohort_builder_free(rtn_cohort_builder *b)
{
    if (!b)
        return;
    rtn__cohort_set_entries(b, NULL, NULL, NULL, 0);
    rtn__cohort_set_signups(b, NULL, NULL, 0);
    rtn__free(&b->alloc, b->edges);
    rtn_allocator a = b->alloc;
    rtn__free(&a, b);
}

int rtn_cohort_param_bounds(int32_t param, int64_t *min, int64_t *max)
{
    if (!min || !max)
        return RTN_EINVAL;
    int64_t lo, hi;
    switch (param) {
    case RTN_COHORT_PERIOD_UNIT: lo = RTN_PERIOD_DAY, hi = RTN_PERIOD_SECONDS; break;
    case RTN_COHORT_PERIOD_SECONDS: lo = 1, hi = MAX_PERIOD_SECONDS; break;
    case RTN_COHORT_UTC_OFFSET_MINUTES: lo = -1440, hi = 1440; break;
    case RTN_COHORT_KIND: lo = RTN_COHORT_RETURN_ON, hi = RTN_COHORT_BRACKETS; break;
    case RTN_COHORT_OBSERVATION_END: lo = RTN_TIME_MIN, hi = RTN_TIME_MAX; break;
    case RTN_COHORT_MAX_PERIODS: lo = 0, hi = MAX_PERIODS_LIMIT; break;
    default: return RTN_EINVAL;
    }
    *min = lo;
    *max = hi;
    return RTN_OK;
}

int rtn_cohort_builder_set(rtn_cohort_builder *b, int32_t param, int64_t value)
{
    int64_t lo, hi;
    if (!b || rtn_cohort_param_bounds(param, &lo, &hi) != RTN_OK || value < lo || value > hi)
        return RTN_EINVAL;
    int calendar = param == RTN_COHORT_PERIOD_UNIT || param == RTN_COHORT_PERIOD_SECONDS ||
                   param == RTN_COHORT_UTC_OFFSET_MINUTES;
    int64_t current;
    rtn_cohort_builder_get(b, param, &current);
    if (calendar && b->has_data && value != current)
        return RTN_EINVAL; /* the stored periods were computed with the old calendar */
    switch (param) {
    case RTN_COHORT_PERIOD_UNIT: b->unit = (int32_t)value; break;
    case RTN_COHORT_PERIOD_SECONDS: b->period_seconds = value; break;
    case RTN_COHORT_UTC_OFFSET_MINUTES: b->offset_minutes = (int32_t)value; break;
    case RTN_COHORT_KIND:
        if (value == RTN_COHORT_BRACKETS && b->n_edges < 2)
            return RTN_EINVAL; /* brackets come with their edges: set_brackets() */
        b->kind = (int32_t)value;
        break;
    case RTN_COHORT_OBSERVATION_END:
        b->obs_end = value;
        b->obs_end_set = 1;
        break;
    default: b->max_periods = value; break;
    }
    return RTN_OK;
}

int rtn_cohort_builder_get(const rtn_cohort_builder *b, int32_t param, int64_t *value)
{
    if (!b || !value)
        return RTN_EINVAL;
    switch (param) {
    case RTN_COHORT_PERIOD_UNIT: *value = b->unit; return RTN_OK;
    case RTN_COHORT_PERIOD_SECONDS: *value = b->period_seconds; return RTN_OK;
    case RTN_COHORT_UTC_OFFSET_MINUTES: *value = b->offset_minutes; return RTN_OK;
    case RTN_COHORT_KIND: *value = b->kind; return RTN_OK;
    case RTN_COHORT_MAX_PERIODS: *value = b->max_periods; return RTN_OK;
    case RTN_COHORT_OBSERVATION_END:
        if (b->obs_end_set) {
            *value = b->obs_end;
            return RTN_OK;
        }
        if (!b->has_data)
            return RTN_EUNDEFINED;
        *value = b->latest;
        return RTN_OK;
    default: return RTN_EINVAL;
    }
}

int rtn_cohort_builder_set_brackets(rtn_cohort_builder *b, const uint32_t *edges,
                                    size_t n_edges)
{
    if (!b || !edges || n_edges < 2)
        return RTN_EINVAL;
    for (size_t i = 0; i < n_edges; ++i)
        if (edges[i] > (uint32_t)MAX_PERIODS_LIMIT || (i > 0 && edges[i] <= edges[i - 1]))
            return RTN_EINVAL; /* a zero-length (or reversed) bracket */
    uint32_t *copy = rtn__alloc(&b->alloc, n_edges, sizeof *copy);
    if (!copy)
        return RTN_ENOMEM;
    memcpy(copy, edges, n_edges * sizeof *copy);
    rtn__free(&b->alloc, b->edges);
    b->edges = copy;
    b->n_edges = n_edges;
    b->kind = RTN_COHORT_BRACKETS;
    return RTN_OK;
}

/* ---- sorting a chunk ----------------------------------------------------------------------------- */

/* The columns a radix sort moves: the key it sorts by, and what travels with it (either may be
 * NULL). */
typedef struct columns {
    uint64_t *key, *aux;
    double *val;
} columns;

/* Stable LSD radix sort of n elements by the low `bits` bits of src.key. The passes ping-pong
 * between the two buffers (src is only read, so it may be the caller's own column); the digit
 * counts of every pass come from one read of the keys; a digit on which all keys agree is
 * skipped. Digits of at most 11 bits keep the counts in L1 and the scatter within the cache's
 * reach. Returns the columns that hold the result: src itself when no pass was needed. */
static columns radix_sort(columns src, columns one, columns two, size_t n, unsigned bits,
                          size_t (*count)[2048])
{
    unsigned passes = (bits + 10) / 11;
    unsigned digit = passes ? (bits + passes - 1) / passes : 0;
    uint64_t mask = digit ? (UINT64_C(1) << digit) - 1 : 0;
    memset(count, 0, (passes ? passes : 1) * sizeof *count);
    for (size_t i = 0; i < n; ++i)
        for (unsigned p = 0; p < passes; ++p)
            count[p][(src.key[i] >> (p * digit)) & mask]++;
    columns cur = src;
    int next_is_one = 1;
    for (unsigned p = 0; p < passes; ++p) {
        unsigned shift = p * digit;
        size_t *offset = count[p];
        if (offset[(src.key[0] >> shift) & mask] == n)
            continue; /* every key has this digit: the order stays */
        size_t sum = 0;
        for (size_t d = 0; d <= mask; ++d) {
            size_t c = offset[d];
            offset[d] = sum;
            sum += c;
        }
        columns dst = next_is_one ? one : two;
        next_is_one = !next_is_one;
        for (size_t i = 0; i < n; ++i) {
            size_t to = offset[(cur.key[i] >> shift) & mask]++;
            dst.key[to] = cur.key[i];
            if (cur.aux)
                dst.aux[to] = cur.aux[i];
            if (cur.val)
                dst.val[to] = cur.val[i];
        }
        if (!cur.aux)
            dst.aux = NULL;
        if (!cur.val)
            dst.val = NULL;
        cur = dst;
    }
    return cur;
}

static unsigned bits_for(uint64_t range)
{
    unsigned bits = 0;
    while (bits < 64 && (range >> bits) != 0)
        ++bits;
    return bits;
}

/* Times → periods for one call. Every time of the call is at least its tmin, so a time is
 * bucketed from x = time − tmin + r0, its seconds since the start of tmin's period (of tmin's
 * day, for months and quarters): unsigned, below 2^40, and free of floor-division corrections.
 * A fixed-length period (day, week, seconds) is then q0 + x / length, the quotient estimated in
 * floating point and corrected once: x·(1/length) carries a relative error below 2^-52, so for
 * x < 2^52 it never reaches the next integer (at least 1/length away) and falls short of the
 * quotient by at most one, when x / length is whole; a month or
 * quarter is looked up by its day x / 86400 in a table when the call's days span fewer entries
 * than it has events, and otherwise computed from the civil date. */
typedef struct bucketer {
    const rtn_cohort_builder *b;
    int civil;
    int64_t tmin, q0;
    uint64_t r0, length;
    double inverse;
    int64_t *table;
} bucketer;

static int bucketer_init(bucketer *k, const rtn_cohort_builder *b, int64_t tmin, int64_t tmax,
                         size_t n)
{
    memset(k, 0, sizeof *k);
    k->b = b;
    k->civil = b->unit == RTN_PERIOD_MONTH || b->unit == RTN_PERIOD_QUARTER;
    k->tmin = tmin;
    if (!k->civil) {
        k->length = (uint64_t)(b->unit == RTN_PERIOD_DAY    ? 86400
                               : b->unit == RTN_PERIOD_WEEK ? 7 * 86400
                                                            : b->period_seconds);
        k->inverse = 1.0 / (double)k->length;
        k->q0 = rtn__period_of(tmin, b->unit, b->period_seconds, b->offset_minutes);
        k->r0 = (uint64_t)(tmin - rtn__period_start(k->q0, b->unit, b->period_seconds,
                                                    b->offset_minutes));
        return RTN_OK;
    }
    int64_t dmin = rtn__period_of(tmin, RTN_PERIOD_DAY, 0, b->offset_minutes);
    int64_t dmax = rtn__period_of(tmax, RTN_PERIOD_DAY, 0, b->offset_minutes);
    k->r0 = (uint64_t)(tmin - rtn__period_start(dmin, RTN_PERIOD_DAY, 0, b->offset_minutes));
    if ((uint64_t)(dmax - dmin) >= n)
        return RTN_OK;
    size_t days = (size_t)(dmax - dmin) + 1;
    k->table = rtn__alloc(&b->alloc, days, sizeof *k->table);
    if (!k->table)
        return RTN_ENOMEM;
    for (size_t d = 0; d < days; ++d)
        k->table[d] = rtn__period_of(rtn__period_start((int64_t)d + dmin, RTN_PERIOD_DAY, 0,
                                                       b->offset_minutes),
                                     b->unit, 0, b->offset_minutes);
    return RTN_OK;
}

static inline int64_t bucket(const bucketer *k, int64_t time)
{
    uint64_t x = (uint64_t)(time - k->tmin) + k->r0;
    if (!k->civil) {
        /* x < 2^40: through int64, each conversion is one instruction (unsigned ones are not) */
        uint64_t q = (uint64_t)(int64_t)((double)(int64_t)x * k->inverse);
        return k->q0 + (int64_t)q + (x - q * k->length >= k->length);
    }
    if (k->table)
        return k->table[x / 86400];
    return rtn__period_of(time, k->b->unit, k->b->period_seconds, k->b->offset_minutes);
}

/* A chunk of sorted, distinct (customer, period) activity: a run. */
typedef rtn__cohort_run chunk;

/* Appends one entry to c; its revenue only if c keeps revenue. */
static inline void chunk_append(chunk *c, uint64_t customer, uint64_t period, rtn__dd revenue)
{
    c->customer[c->n] = (int64_t)customer;
    c->period[c->n] = (int64_t)period;
    if (c->revenue)
        c->revenue[c->n] = revenue;
    c->n++;
}

static void chunk_free(const rtn_allocator *a, chunk *c) { run_free(a, c); }

/* Appends sorted packed keys to c, folding equal keys (one customer-period) into one entry. */
static void fold_packed(const uint64_t *key, const double *val, size_t n, unsigned pbits,
                        int64_t cmin, int64_t pmin, chunk *c)
{
    uint64_t pmask = (UINT64_C(1) << pbits) - 1;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        rtn__dd sum = {0.0, 0.0};
        for (; j < n && key[j] == key[i]; ++j)
            if (val)
                sum = rtn__dd_add(sum, val[j], 0.0);
        chunk_append(c, (uint64_t)cmin + (key[i] >> pbits), (uint64_t)pmin + (key[i] & pmask), sum);
        i = j;
    }
}

/* The packed key of event i: customer offset above period offset. */
#define PACKED_KEY_OF(k, i)                                                                        \
    ((((uint64_t)customer[i] - (uint64_t)cmin) << pbits) |                                         \
     ((uint64_t)bucket(k, time[i]) - (uint64_t)pmin))
#define PACKED_KEY(i) PACKED_KEY_OF(k, i)

/* ---- the bucket split ----------------------------------------------------------------------------
 * Many wide packed keys: one most-significant-digit split of the keys into 2^6 to 2^16 buckets —
 * one pass over main memory, storing each key's low part, at most 32 bits, and its amount — then
 * each bucket is folded while it is in cache. Against an LSD sort of the whole keys this touches
 * main memory once instead of once per digit, and writes 12 bytes per event rather than 16 to
 * fresh memory. When the split digit holds only customer bits (the usual case), counting needs
 * no periods at all.
 *
 * A bucket whose key range is small against its size — the common case: ids about dense,
 * periods few — is not sorted at all: a bitmap over the range marks the keys present, a scan of
 * it emits them in order, and each event's rank among them (a prefix count per word and a
 * popcount) says which entry its amount adds into. Amounts are added in input order, as the
 * stable sort adds them, so both ways give the same sums bit for bit. Other buckets are sorted:
 * the split then sizes them for sorting (a few thousand keys), and a bucket of a few keys is
 * insertion sorted rather than paying the radix passes' fixed cost. */
/* Calls of at least this many events, with keys wider than this, are split (a plain radix sort
 * is as fast below). A libFuzzer build (tests/CMakeLists.txt) splits from 2048 events and 12-bit
 * keys, so that the fuzzers reach every way through the split with inputs they can afford. */
#ifdef RTN_LIBFUZZER
#define SPLIT_MIN_EVENTS 2048
#define SPLIT_MIN_KEY_BITS 12
#else
#define SPLIT_MIN_EVENTS 65536
#define SPLIT_MIN_KEY_BITS 23
#endif
#define SPLIT_MIN_BITS 6
/* A bitmap bucket's key range: 2^22 bits of bitmap (512 KiB) when only keys are folded, 2^20
 * (128 KiB) with amounts, whose bucket's revenue entries must stay in cache beside the bitmap
 * (measured at 1e7 events: 2^22 is 6 % faster without amounts, 3 % slower with them). */
#define BUCKET_BITS 22
#define BUCKET_BITS_AMOUNTS 20
#define SPLIT_MAX_BITS 16
#define BITMAP_MAX_WORDS ((size_t)1 << (BUCKET_BITS - 6)) /* 512 KiB of bitmap at most */

static unsigned ctz64(uint64_t x) /* x != 0 */
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned n = 0;
    while (!(x & 1))
        x >>= 1, ++n;
    return n;
#endif
}

static unsigned popcount64(uint64_t x)
{
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__POPCNT__) || !defined(__x86_64__))
    return (unsigned)__builtin_popcountll(x);
#else /* x86-64 without POPCNT: the library call is slower than these few instructions */
    x = x - ((x >> 1) & UINT64_C(0x5555555555555555));
    x = (x & UINT64_C(0x3333333333333333)) + ((x >> 2) & UINT64_C(0x3333333333333333));
    x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
    return (unsigned)((x * UINT64_C(0x0101010101010101)) >> 56);
#endif
}

/* The 64-bit words of a bitmap over the keys of a bucket whose keys differ in their low `low` bits
 * (low ≤ 32). */
static size_t bitmap_words(unsigned low) { return low > 6 ? (size_t)1 << (low - 6) : 1; }

/* A bucket of m keys is folded through its bitmap when scanning the bitmap costs no more than
 * sorting would (about four words per key) and the bitmap is cache-sized. */
static int bitmap_fits(size_t words, size_t m)
{
    return words <= BITMAP_MAX_WORDS && words <= 4 * m && m <= UINT32_MAX;
}

/* Folds one bucket through its bitmap (see above): m low keys lk with amounts lv (or NULL, and
 * then c has no revenue array), the bucket's keys being base | lk. bitmap (words, zero) is left
 * zero; rank has `words` entries. */
static void fold_bitmap(const uint32_t *lk, const double *lv, size_t m, uint64_t base,
                        unsigned pbits, int64_t cmin, int64_t pmin, uint64_t *bitmap,
                        uint32_t *rank, size_t words, chunk *c)
{
    uint64_t pmask = (UINT64_C(1) << pbits) - 1;
    for (size_t j = 0; j < m; ++j)
        bitmap[lk[j] >> 6] |= UINT64_C(1) << (lk[j] & 63);
    size_t first = c->n;
    for (size_t w = 0; w < words; ++w) {
        rank[w] = (uint32_t)(c->n - first);
        for (uint64_t x = bitmap[w]; x; x &= x - 1) {
            uint64_t key = base | ((uint64_t)w << 6) | ctz64(x);
            c->customer[c->n] = (int64_t)((uint64_t)cmin + (key >> pbits));
            c->period[c->n] = (int64_t)((uint64_t)pmin + (key & pmask));
            if (lv)
                c->revenue[c->n].hi = c->revenue[c->n].lo = 0.0;
            c->n++;
        }
    }
    if (lv) {
        for (size_t j = 0; j < m; ++j) {
            uint32_t v = lk[j];
            uint64_t below = bitmap[v >> 6] & ((UINT64_C(1) << (v & 63)) - 1);
            rtn__dd *sum = &c->revenue[first + rank[v >> 6] + popcount64(below)];
            *sum = rtn__dd_add(*sum, lv[j], 0.0);
        }
    }
    memset(bitmap, 0, words * sizeof *bitmap);
}

/* Folds one bucket by sorting it: its keys widened to base | lk in the scratch columns, then a
 * stable sort by the low bits — insertion for a few keys, else radix (whose source, the first
 * scratch pair, is free after its first pass and so serves as its second buffer). */
#define INSERTION_MAX 32

static void fold_sorted(const uint32_t *lk, const double *lv, size_t m, uint64_t base,
                        unsigned low, unsigned pbits, int64_t cmin, int64_t pmin, columns one,
                        columns two, size_t (*count)[2048], chunk *c)
{
    for (size_t j = 0; j < m; ++j) {
        one.key[j] = base | lk[j];
        if (lv)
            one.val[j] = lv[j];
    }
    if (m <= INSERTION_MAX) {
        for (size_t j = 1; j < m; ++j) {
            uint64_t key = one.key[j];
            double val = lv ? one.val[j] : 0.0;
            size_t i = j;
            for (; i > 0 && one.key[i - 1] > key; --i) { /* strictly greater: stable */
                one.key[i] = one.key[i - 1];
                if (lv)
                    one.val[i] = one.val[i - 1];
            }
            one.key[i] = key;
            if (lv)
                one.val[i] = val;
        }
        fold_packed(one.key, lv ? one.val : NULL, m, pbits, cmin, pmin, c);
        return;
    }
    columns src = {one.key, NULL, lv ? one.val : NULL};
    columns r = radix_sort(src, two, one, m, low, count);
    fold_packed(r.key, r.val, m, pbits, cmin, pmin, c);
}

/* The split's digit for n keys of `bits` bits, or 0 for none. Buckets meant for the bitmap span
 * about 2^22 keys, or 2^20 with amounts (BUCKET_BITS); when their bitmaps would still be sparse
 * for the average bucket, the buckets are sized for sorting instead: about SORTED_BUCKET keys
 * each, at most 2^11 of them unless the low parts need more. Never more than n / 16 buckets,
 * and the keys' low parts at most 32 bits wide. */
#define SORTED_BUCKET 4096
#define SORTED_MAX_BITS 11

static unsigned split_bits(size_t n, unsigned bits, int amounts)
{
    if (n < SPLIT_MIN_EVENTS || bits < SPLIT_MIN_KEY_BITS)
        return 0;
    unsigned most = bits_for(n / 16) - 1; /* 2^most ≤ n / 16 */
    most = most < SPLIT_MAX_BITS ? most : SPLIT_MAX_BITS;
    unsigned bucket = amounts ? BUCKET_BITS_AMOUNTS : BUCKET_BITS;
    unsigned split = bits > bucket + SPLIT_MIN_BITS ? bits - bucket : SPLIT_MIN_BITS;
    split = split > most ? most : split;
    unsigned low = bits - split;
    if (low > 32 || !bitmap_fits(bitmap_words(low), n >> split)) {
        split = bits_for(n / SORTED_BUCKET);
        split = split > SORTED_MAX_BITS ? SORTED_MAX_BITS : split;
        split = split < SPLIT_MIN_BITS ? SPLIT_MIN_BITS : split;
        split = bits - split > 32 ? bits - 32 : split;
    }
    return split >= SPLIT_MIN_BITS && split <= most && bits - split <= 32 ? split : 0;
}

static int sort_fold_split(const rtn_allocator *a, const int64_t *customer, const int64_t *time,
                           const bucketer *k, const double *amount, size_t n, unsigned bits,
                           unsigned split, unsigned pbits, int64_t cmin, int64_t pmin,
                           size_t (*count)[2048], chunk *c)
{
    unsigned low = bits - split; /* the bits a bucket's keys differ in: at most 32 */
    size_t buckets = (size_t)1 << split;
    size_t words = bitmap_words(low);
    uint64_t low_mask = (UINT64_C(1) << low) - 1;
    size_t *next = rtn__alloc(a, buckets, sizeof *next);
    size_t *begin = rtn__alloc(a, buckets, sizeof *begin);
    uint32_t *lk = rtn__alloc(a, n, sizeof *lk);
    double *lv = amount ? rtn__alloc(a, n, sizeof *lv) : NULL;
    uint64_t *bitmap = NULL;
    uint32_t *rank = NULL;
    columns one = {NULL, NULL, NULL}, two = {NULL, NULL, NULL};
    int rc = RTN_ENOMEM;
    if (!next || !begin || !lk || (amount && !lv))
        goto done;
    memset(next, 0, buckets * sizeof *next);
    if (low >= pbits) { /* the split digit is the customer's top bits */
        unsigned shift = low - pbits;
        for (size_t i = 0; i < n; ++i)
            next[((uint64_t)customer[i] - (uint64_t)cmin) >> shift]++;
    } else {
        for (size_t i = 0; i < n; ++i)
            next[PACKED_KEY(i) >> low]++;
    }
    size_t sum = 0, biggest_sorted = 0;
    int any_bitmap = 0;
    for (size_t d = 0; d < buckets; ++d) {
        size_t m = next[d];
        if (bitmap_fits(words, m))
            any_bitmap = 1;
        else if (m > biggest_sorted)
            biggest_sorted = m;
        begin[d] = sum;
        sum += m;
        next[d] = begin[d];
    }
    for (size_t i = 0; i < n; ++i) {
        uint64_t key = PACKED_KEY(i);
        size_t to = next[key >> low]++;
        lk[to] = (uint32_t)(key & low_mask);
        if (amount)
            lv[to] = amount[i];
    }
    if (any_bitmap) {
        bitmap = rtn__alloc(a, words, sizeof *bitmap);
        rank = rtn__alloc(a, words, sizeof *rank);
        if (!bitmap || !rank)
            goto done;
        memset(bitmap, 0, words * sizeof *bitmap);
    }
    if (biggest_sorted) {
        one.key = rtn__alloc(a, biggest_sorted, sizeof *one.key);
        two.key = rtn__alloc(a, biggest_sorted, sizeof *two.key);
        one.val = amount ? rtn__alloc(a, biggest_sorted, sizeof *one.val) : NULL;
        two.val = amount ? rtn__alloc(a, biggest_sorted, sizeof *two.val) : NULL;
        if (!one.key || !two.key || (amount && (!one.val || !two.val)))
            goto done;
    }
    for (size_t d = 0; d < buckets; ++d) {
        size_t s = begin[d], m = next[d] - s; /* next[d] is the bucket's end after the scatter */
        uint64_t base = (uint64_t)d << low;
        if (m == 0)
            continue;
        if (bitmap_fits(words, m))
            fold_bitmap(lk + s, amount ? lv + s : NULL, m, base, pbits, cmin, pmin, bitmap, rank,
                        words, c);
        else
            fold_sorted(lk + s, amount ? lv + s : NULL, m, base, low, pbits, cmin, pmin, one,
                        two, count, c);
    }
    rc = RTN_OK;
done:
    rtn__free(a, next);
    rtn__free(a, begin);
    rtn__free(a, lk);
    rtn__free(a, lv);
    rtn__free(a, bitmap);
    rtn__free(a, rank);
    rtn__free(a, one.key);
    rtn__free(a, two.key);
    rtn__free(a, one.val);
    rtn__free(a, two.val);
    return rc;
}

/* ---- ids too wide to pack ----------------------------------------------------------------------
 * When ids and periods together span more than 64 bits (hashed ids), the events are sorted by
 * period, then stably by customer offset (customer − cmin, order-preserving), each a radix sort,
 * and folded. A large call is first split by the top bits of the customer offset into buckets
 * of tens of thousands of events, each sorted near the core; for hashed ids this is one pass
 * over main memory instead of one per 11-bit digit of a 64-bit id. */

/* Sorts n events — period offsets in src.key, customer offsets (cbits wide) in src.aux, amounts
 * in src.val or none — by (customer, period) and folds equal pairs into c. set[0] holds src's key
 * and aux arrays (its amounts may be elsewhere, read only); set[1] and set[2] are free buffers;
 * the sorts ping-pong among the three. */
static void sort_fold_by_customer(columns src, const columns set[3], size_t n, unsigned pbits,
                                  unsigned cbits, int64_t cmin, int64_t pmin,
                                  size_t (*count)[2048], chunk *c)
{
    columns by_period = radix_sort(src, set[1], set[2], n, pbits, count);
    int used = by_period.key == set[0].key ? 0 : by_period.key == set[1].key ? 1 : 2;
    columns swapped = {by_period.aux, by_period.key, by_period.val};
    columns sorted = radix_sort(swapped, set[(used + 1) % 3], set[(used + 2) % 3], n, cbits, count);
    /* customer offset in sorted.key, period offset in sorted.aux */
    for (size_t i = 0; i < n;) {
        size_t j = i;
        rtn__dd sum = {0.0, 0.0};
        for (; j < n && sorted.key[j] == sorted.key[i] && sorted.aux[j] == sorted.aux[i]; ++j)
            if (sorted.val)
                sum = rtn__dd_add(sum, sorted.val[j], 0.0);
        chunk_append(c, (uint64_t)cmin + sorted.key[i], (uint64_t)pmin + sorted.aux[i], sum);
        i = j;
    }
}

/* The wide split's digit for n events, or 0 for none: buckets of about WIDE_BUCKET events,
 * 2^6 to 2^11 of them, never more than n / 16. Each bucket's sorts count up to six 11-bit
 * digits, a fixed cost that small buckets pay per event (hashed ids at 1e7 events: buckets of
 * 4096 events 0.33 s, 65536 0.29 s, 262144 0.31–0.33 s, out of cache). */
#define WIDE_BUCKET 65536

static unsigned wide_split_bits(size_t n, unsigned cbits)
{
    if (n < SPLIT_MIN_EVENTS)
        return 0;
    unsigned split = bits_for(n / WIDE_BUCKET);
    split = split > SORTED_MAX_BITS ? SORTED_MAX_BITS : split;
    split = split < SPLIT_MIN_BITS ? SPLIT_MIN_BITS : split;
    return split <= cbits && ((size_t)1 << split) <= n / 16 ? split : 0;
}

/* Splits a call of wide keys into 2^split buckets by the top bits of the customer offset, then
 * sorts and folds each bucket (above). Scratch: 16 bytes per event (24 with amounts), plus two
 * more buffer sets for the largest bucket. */
static int sort_fold_wide_split(const rtn_allocator *a, const int64_t *customer,
                                const int64_t *time, const bucketer *k, const double *amount,
                                size_t n, unsigned split, unsigned pbits, unsigned cbits,
                                int64_t cmin, int64_t pmin, size_t (*count)[2048], chunk *c)
{
    size_t buckets = (size_t)1 << split;
    unsigned shift = cbits - split; /* the customer offset's bits below the digit */
    size_t *next = rtn__alloc(a, buckets, sizeof *next);
    size_t *begin = rtn__alloc(a, buckets, sizeof *begin);
    uint64_t *pk = rtn__alloc(a, n, sizeof *pk), *ck = rtn__alloc(a, n, sizeof *ck);
    double *v = amount ? rtn__alloc(a, n, sizeof *v) : NULL;
    columns set[3] = {{pk, ck, v}, {NULL, NULL, NULL}, {NULL, NULL, NULL}};
    int rc = RTN_ENOMEM;
    if (!next || !begin || !pk || !ck || (amount && !v))
        goto done;
    memset(next, 0, buckets * sizeof *next);
    for (size_t i = 0; i < n; ++i)
        next[((uint64_t)customer[i] - (uint64_t)cmin) >> shift]++;
    size_t sum = 0, biggest = 0;
    for (size_t d = 0; d < buckets; ++d) {
        begin[d] = sum;
        sum += next[d];
        biggest = next[d] > biggest ? next[d] : biggest;
        next[d] = begin[d];
    }
    for (size_t i = 0; i < n; ++i) {
        uint64_t offset = (uint64_t)customer[i] - (uint64_t)cmin;
        size_t to = next[offset >> shift]++;
        ck[to] = offset;
        pk[to] = (uint64_t)bucket(k, time[i]) - (uint64_t)pmin;
        if (amount)
            v[to] = amount[i];
    }
    for (int b = 1; b < 3; ++b) {
        set[b].key = rtn__alloc(a, biggest, sizeof(uint64_t));
        set[b].aux = rtn__alloc(a, biggest, sizeof(uint64_t));
        set[b].val = amount ? rtn__alloc(a, biggest, sizeof(double)) : NULL;
        if (!set[b].key || !set[b].aux || (amount && !set[b].val))
            goto done;
    }
    for (size_t d = 0; d < buckets; ++d) {
        size_t s = begin[d], m = next[d] - s; /* next[d] is the bucket's end after the scatter */
        if (m == 0)
            continue;
        columns here[3] = {{pk + s, ck + s, amount ? v + s : NULL}, set[1], set[2]};
        /* the bucket's offsets share their top bits: only the low `shift` bits are sorted */
        sort_fold_by_customer(here[0], here, m, pbits, shift, cmin, pmin, count, c);
    }
    rc = RTN_OK;
done:
    rtn__free(a, next);
    rtn__free(a, begin);
    rtn__free(a, pk);
    rtn__free(a, ck);
    rtn__free(a, v);
    for (int b = 1; b < 3; ++b) {
        rtn__free(a, set[b].key);
        rtn__free(a, set[b].aux);
        rtn__free(a, set[b].val);
    }
    return rc;
}

/* The ranges of a call's columns, found while checking them. */
typedef struct ranges {
    int64_t tmin, tmax, cmin, cmax;
} ranges;

/* Buckets and sorts the events (customer, time, amount) of one call and folds equal
 * (customer, period) pairs into `out`. The common case packs customer and period offsets into one
 * key; ids spread over too wide a range for that are sorted by period, then by customer. */
static int make_chunk(const rtn_cohort_builder *b, const int64_t *customer, const int64_t *time,
                      const double *amount, size_t n, const ranges *r, chunk *out)
{
    const rtn_allocator *a = &b->alloc;
    bucketer k;
    int rc = bucketer_init(&k, b, r->tmin, r->tmax, n);
    if (rc != RTN_OK)
        return rc;
    int64_t cmin = r->cmin, cmax = r->cmax;
    /* periods are monotonic in time: the extremes come from the time range */
    int64_t pmin = bucket(&k, r->tmin), pmax = bucket(&k, r->tmax);
    unsigned cbits = bits_for((uint64_t)cmax - (uint64_t)cmin);
    unsigned pbits = bits_for((uint64_t)pmax - (uint64_t)pmin);
    int packed = cbits + pbits <= 64 && pbits < 64; /* shifts by 64 bits are undefined */
    /* the bucket splits have their own buffers; the other sorts ping-pong between two pairs */
    unsigned split = packed ? split_bits(n, cbits + pbits, amount != NULL) : 0;
    unsigned wide_split = packed ? 0 : wide_split_bits(n, cbits);
    int whole = !split && !wide_split; /* one sort of the whole call */

    size_t (*count)[2048] = rtn__alloc(a, 8, sizeof *count);
    uint64_t *key = whole ? rtn__alloc(a, n, sizeof *key) : NULL;
    uint64_t *key2 = whole ? rtn__alloc(a, n, sizeof *key2) : NULL;
    uint64_t *aux = whole && !packed ? rtn__alloc(a, n, sizeof *aux) : NULL;
    uint64_t *aux2 = whole && !packed ? rtn__alloc(a, n, sizeof *aux) : NULL;
    double *val1 = amount && whole ? rtn__alloc(a, n, sizeof *val1) : NULL;
    double *val2 = amount && whole ? rtn__alloc(a, n, sizeof *val2) : NULL;
    /* without amounts every revenue is 0: the chunk has no revenue array (see cohort_state.h) */
    chunk c = {rtn__alloc(a, n, sizeof(int64_t)), rtn__alloc(a, n, sizeof(int64_t)),
               amount ? rtn__alloc(a, n, sizeof(rtn__dd)) : NULL, 0};
    rc = RTN_ENOMEM;
    if (!count || (whole && (!key || !key2)) || (whole && !packed && (!aux || !aux2)) ||
        (amount && whole && (!val1 || !val2)) || !c.customer || !c.period ||
        (amount && !c.revenue))
        goto done;
    columns sorted, one = {key2, aux2, val1}, two = {key, aux, val2};
    if (packed) {
        unsigned bits = cbits + pbits;
        if (split) {
            rc = sort_fold_split(a, customer, time, &k, amount, n, bits, split, pbits, cmin,
                                 pmin, count, &c);
            if (rc != RTN_OK)
                goto done;
            goto folded;
        }
        const bucketer *kp = &k;
        for (size_t i = 0; i < n; ++i)
            key[i] = PACKED_KEY_OF(kp, i);
        columns src = {key, NULL, (double *)(uintptr_t)amount}; /* only read */
        sorted = radix_sort(src, one, two, n, bits, count);
        fold_packed(sorted.key, sorted.val, n, pbits, cmin, pmin, &c);
    } else if (wide_split) {
        rc = sort_fold_wide_split(a, customer, time, &k, amount, n, wide_split, pbits, cbits, cmin,
                                  pmin, count, &c);
        if (rc != RTN_OK)
            goto done;
    } else {
        /* by period, then stably by customer offset (the key and aux roles swap); three sets of
         * buffers, so that the second sort always has two that its source does not use */
        uint64_t *key3 = rtn__alloc(a, n, sizeof *key3), *aux3 = rtn__alloc(a, n, sizeof *aux3);
        double *val3 = amount ? rtn__alloc(a, n, sizeof *val3) : NULL;
        if (!key3 || !aux3 || (amount && !val3)) {
            rtn__free(a, key3);
            rtn__free(a, aux3);
            rtn__free(a, val3);
            goto done;
        }
        for (size_t i = 0; i < n; ++i) {
            key[i] = (uint64_t)bucket(&k, time[i]) - (uint64_t)pmin;
            aux[i] = (uint64_t)customer[i] - (uint64_t)cmin;
        }
        columns set[3] = {{key, aux, val2}, {key2, aux2, val1}, {key3, aux3, val3}};
        columns src = {key, aux, (double *)(uintptr_t)amount}; /* only read */
        sort_fold_by_customer(src, set, n, pbits, cbits, cmin, pmin, count, &c);
        rtn__free(a, key3);
        rtn__free(a, aux3);
        rtn__free(a, val3);
    }
folded:
    for (size_t i = 0; amount && i < c.n; ++i)
        if (!rtn__finite(c.revenue[i].hi) || !rtn__finite(c.revenue[i].lo)) {
            rc = RTN_EOVERFLOW; /* amounts near DBL_MAX that add past it */
            goto done;
        }
    *out = c;
    memset(&c, 0, sizeof c);
    rc = RTN_OK;
done:
    chunk_free(a, &c);
    rtn__free(a, k.table);
    rtn__free(a, count);
    rtn__free(a, key);
    rtn__free(a, key2);
    rtn__free(a, aux);
    rtn__free(a, aux2);
    rtn__free(a, val1);
    rtn__free(a, val2);
    return rc;
}

/* (customer, period) order */
static int pair_cmp(int64_t c1, int64_t p1, int64_t c2, int64_t p2)
{
    return c1 != c2 ? (c1 < c2 ? -1 : 1) : (p1 != p2 ? (p1 < p2 ? -1 : 1) : 0);
}

/* The union of two sorted activity lists, revenue of equal pairs added, into `out` (without a
 * revenue array when neither has one). */
static int merge_lists(const rtn_allocator *a, const chunk *x, const chunk *y, chunk *out)
{
    size_t cap = x->n + y->n;
    int earned = x->revenue || y->revenue;
    chunk m = {rtn__alloc(a, cap, sizeof(int64_t)), rtn__alloc(a, cap, sizeof(int64_t)),
               earned ? rtn__alloc(a, cap, sizeof(rtn__dd)) : NULL, 0};
    if (!m.customer || !m.period || (earned && !m.revenue)) {
        chunk_free(a, &m);
        return RTN_ENOMEM;
    }
    size_t i = 0, j = 0;
    while (i < x->n || j < y->n) {
        int order = i == x->n   ? 1
                    : j == y->n ? -1
                                : pair_cmp(x->customer[i], x->period[i], y->customer[j],
                                           y->period[j]);
        rtn__dd sum;
        if (order <= 0) {
            m.customer[m.n] = x->customer[i];
            m.period[m.n] = x->period[i];
            sum = rtn__cohort_revenue(x->revenue, i++);
            if (order == 0) {
                rtn__dd more = rtn__cohort_revenue(y->revenue, j++);
                sum = rtn__dd_add(sum, more.hi, more.lo);
                if (!rtn__finite(sum.hi) || !rtn__finite(sum.lo)) {
                    chunk_free(a, &m);
                    return RTN_EOVERFLOW;
                }
            }
        } else {
            m.customer[m.n] = y->customer[j];
            m.period[m.n] = y->period[j];
            sum = rtn__cohort_revenue(y->revenue, j++);
        }
        if (earned)
            m.revenue[m.n] = sum;
        m.n++;
    }
    *out = m;
    return RTN_OK;
}

/* ---- runs ------------------------------------------------------------------------------------------
 * Merging every add into the whole state copied the state each time: quadratic in the number of
 * adds (a log read in 64 Ki-row batches, a PostgreSQL aggregate, a stream). Instead each add's
 * sorted chunk becomes a run, and runs are merged like the digits of a binary counter: the last
 * run into the one before it while it is at least half that one's size. Every entry is then
 * copied O(log n) times in all, and there are at most log2(n) runs. Readers (finish, serialise,
 * RFM, MRR) merge the runs into a temporary view first (rtn__cohort_flatten); the merge is exact
 * and order-free, so the view is what merging every add at once gave. */

/* The union of run x and the (owned) accumulated run *acc, into *acc; acc's old arrays freed. */
static int absorb(const rtn_allocator *a, const chunk *x, chunk *acc)
{
    chunk m;
    int rc = merge_lists(a, x, acc, &m);
    if (rc != RTN_OK)
        return rc;
    chunk_free(a, acc);
    *acc = m;
    return RTN_OK;
}

/* Adds the (owned) run *fresh to b and merges runs as above; while a revenue sum could overflow
 * (revenue_bound), merges everything at once, so that EOVERFLOW comes from this add as it always
 * did. Nothing of b changes before every merge has succeeded; *fresh is consumed either way. */
static int push_run(rtn_cohort_builder *b, chunk *fresh)
{
    const rtn_allocator *a = &b->alloc;
    double bound = b->revenue_bound + rtn__revenue_bound(fresh->revenue, fresh->n);
    if (b->n == 0) {
        rtn__cohort_set_entries(b, fresh->customer, fresh->period, fresh->revenue, fresh->n);
        b->revenue_bound = bound;
        return RTN_OK;
    }
    int eager = !(bound < DBL_MAX / 4);
    chunk acc = *fresh;
    size_t k = b->n_more; /* runs more[k..] are merged into acc */
    int rc = RTN_OK;
    while (rc == RTN_OK && k > 0 &&
           (eager || k == RTN__COHORT_MORE_RUNS || b->more[k - 1].n <= 2 * acc.n))
        rc = absorb(a, &b->more[--k], &acc);
    chunk main_run = {b->customer, b->period, b->revenue, b->n};
    int into_main = k == 0 && (eager || b->n <= 2 * acc.n);
    if (rc == RTN_OK && into_main)
        rc = absorb(a, &main_run, &acc);
    if (rc != RTN_OK) {
        chunk_free(a, &acc);
        return rc;
    }
    if (into_main) {
        rtn__cohort_set_entries(b, acc.customer, acc.period, acc.revenue, acc.n);
        b->revenue_bound = bound; /* a sum's size is at most its parts' */
        return RTN_OK;
    }
    for (size_t i = k; i < b->n_more; ++i)
        chunk_free(a, &b->more[i]);
    b->more[k] = acc;
    b->n_more = k + 1;
    b->revenue_bound = bound;
    return RTN_OK;
}

int rtn__cohort_flatten(const rtn_cohort_builder *b, rtn_cohort_builder *view)
{
    *view = *b;
    if (b->n_more == 0)
        return RTN_OK;
    /* from the smallest run up: each merge is at most twice the size of the previous one */
    const rtn_allocator *a = &b->alloc;
    chunk acc = {0};
    int rc = RTN_OK;
    for (size_t k = b->n_more; rc == RTN_OK && k-- > 0;)
        rc = absorb(a, &b->more[k], &acc);
    chunk main_run = {b->customer, b->period, b->revenue, b->n};
    if (rc == RTN_OK)
        rc = absorb(a, &main_run, &acc);
    if (rc != RTN_OK) {
        chunk_free(a, &acc);
        return rc;
    }
    view->customer = acc.customer;
    view->period = acc.period;
    view->revenue = acc.revenue;
    view->n = view->cap = acc.n;
    view->n_more = 0;
    return RTN_OK;
}

void rtn__cohort_unflatten(const rtn_cohort_builder *b, rtn_cohort_builder *view)
{
    if (view->customer != b->customer) {
        chunk merged = {view->customer, view->period, view->revenue, view->n};
        chunk_free(&b->alloc, &merged);
    }
}

/* Checks a (customer, time[, amount]) call and finds its ranges, in one pass: blocks are checked
 * without a branch per element, and only a block found bad is searched for its first bad index. */
#define CHECK_BLOCK 4096

static int bad_event(int64_t time, const double *amount, size_t i)
{
    return time < RTN_TIME_MIN || time > RTN_TIME_MAX || (amount && !rtn__finite(amount[i]));
}

static int check_columns(const int64_t *customer, const int64_t *time, const double *amount,
                         size_t n, size_t *bad_index, ranges *r)
{
    if (n > 0 && (!customer || !time))
        return RTN_EINVAL;
    ranges x = {INT64_MAX, INT64_MIN, INT64_MAX, INT64_MIN};
    for (size_t at = 0; at < n; at += CHECK_BLOCK) {
        size_t end = n - at < CHECK_BLOCK ? n : at + CHECK_BLOCK;
        int bad = 0;
        for (size_t i = at; i < end; ++i) {
            bad |= bad_event(time[i], amount, i);
            x.tmin = time[i] < x.tmin ? time[i] : x.tmin;
            x.tmax = time[i] > x.tmax ? time[i] : x.tmax;
            x.cmin = customer[i] < x.cmin ? customer[i] : x.cmin;
            x.cmax = customer[i] > x.cmax ? customer[i] : x.cmax;
        }
        if (bad) {
            size_t i = at;
            while (!bad_event(time[i], amount, i))
                ++i;
            if (bad_index)
                *bad_index = i;
            return RTN_EDOMAIN;
        }
    }
    *r = x;
    return RTN_OK;
}

static void note_times(rtn_cohort_builder *b, int64_t tmax)
{
    b->latest = b->has_data && b->latest > tmax ? b->latest : tmax;
    b->has_data = 1;
}

int rtn_cohort_builder_add(rtn_cohort_builder *b, const int64_t *customer, const int64_t *time,
                           const double *amount, size_t n, size_t *bad_index)
{
    ranges r;
    if (!b)
        return RTN_EINVAL;
    int rc = check_columns(customer, time, amount, n, bad_index, &r);
    if (rc != RTN_OK || n == 0)
        return rc;
    chunk fresh = {0};
    rc = make_chunk(b, customer, time, amount, n, &r, &fresh);
    if (rc == RTN_OK)
        rc = push_run(b, &fresh);
    if (rc != RTN_OK)
        return rc;
    note_times(b, r.tmax);
    return RTN_OK;
}

/* The union of two sorted signup lists, keeping the earlier period of a customer in both. */
static int merge_signups(const rtn_allocator *a, const int64_t *c1, const int64_t *p1, size_t n1,
                         const int64_t *c2, const int64_t *p2, size_t n2, int64_t **oc,
                         int64_t **op, size_t *on)
{
    int64_t *c = rtn__alloc(a, n1 + n2, sizeof *c), *p = rtn__alloc(a, n1 + n2, sizeof *p);
    if (!c || !p) {
        rtn__free(a, c);
        rtn__free(a, p);
        return RTN_ENOMEM;
    }
    size_t i = 0, j = 0, k = 0;
    while (i < n1 || j < n2) {
        if (j == n2 || (i < n1 && c1[i] < c2[j])) {
            c[k] = c1[i];
            p[k++] = p1[i++];
        } else if (i == n1 || c2[j] < c1[i]) {
            c[k] = c2[j];
            p[k++] = p2[j++];
        } else {
            c[k] = c1[i];
            p[k++] = p1[i] < p2[j] ? p1[i] : p2[j];
            ++i, ++j;
        }
    }
    *oc = c;
    *op = p;
    *on = k;
    return RTN_OK;
}

int rtn_cohort_builder_add_signups(rtn_cohort_builder *b, const int64_t *customer,
                                   const int64_t *signup_time, size_t n, size_t *bad_index)
{
    ranges r;
    if (!b)
        return RTN_EINVAL;
    int rc = check_columns(customer, signup_time, NULL, n, bad_index, &r);
    if (rc != RTN_OK || n == 0)
        return rc;
    /* sort (customer, period) like events, then keep each customer's earliest */
    chunk sorted = {0};
    rc = make_chunk(b, customer, signup_time, NULL, n, &r, &sorted);
    if (rc != RTN_OK)
        return rc;
    size_t unique = 0;
    for (size_t i = 0; i < sorted.n; ++i) /* sorted by period within customer: first = earliest */
        if (i == 0 || sorted.customer[i] != sorted.customer[i - 1]) {
            sorted.customer[unique] = sorted.customer[i];
            sorted.period[unique++] = sorted.period[i];
        }
    int64_t *mc, *mp;
    size_t mn;
    rc = merge_signups(&b->alloc, b->signup_customer, b->signup_period, b->n_signups,
                       sorted.customer, sorted.period, unique, &mc, &mp, &mn);
    chunk_free(&b->alloc, &sorted);
    if (rc != RTN_OK)
        return rc;
    rtn__cohort_set_signups(b, mc, mp, mn);
    note_times(b, r.tmax);
    return RTN_OK;
}

int rtn_cohort_builder_merge(rtn_cohort_builder *into, const rtn_cohort_builder *from)
{
    if (!into || !from || into == from)
        return RTN_EINVAL;
    if (!from->has_data)
        return RTN_OK;
    if (into->has_data && (into->unit != from->unit || into->offset_minutes != from->offset_minutes ||
                           (into->unit == RTN_PERIOD_SECONDS &&
                            into->period_seconds != from->period_seconds)))
        return RTN_EINVAL;
    rtn_cohort_builder xv, yv; /* each builder's runs as one */
    int64_t *sc, *sp;
    size_t sn;
    int rc = rtn__cohort_flatten(into, &xv);
    if (rc != RTN_OK)
        return rc;
    if ((rc = rtn__cohort_flatten(from, &yv)) != RTN_OK) {
        rtn__cohort_unflatten(into, &xv);
        return rc;
    }
    chunk x = {xv.customer, xv.period, xv.revenue, xv.n};
    chunk y = {yv.customer, yv.period, yv.revenue, yv.n};
    chunk m;
    rc = merge_lists(&into->alloc, &x, &y, &m);
    rtn__cohort_unflatten(into, &xv);
    rtn__cohort_unflatten(from, &yv);
    if (rc != RTN_OK)
        return rc;
    rc = merge_signups(&into->alloc, into->signup_customer, into->signup_period, into->n_signups,
                       from->signup_customer, from->signup_period, from->n_signups, &sc, &sp, &sn);
    if (rc != RTN_OK) {
        chunk_free(&into->alloc, &m);
        return rc;
    }
    if (!into->has_data) { /* an empty builder takes the other's calendar */
        into->unit = from->unit;
        into->offset_minutes = from->offset_minutes;
        into->period_seconds = from->period_seconds;
    }
    rtn__cohort_set_entries(into, m.customer, m.period, m.revenue, m.n);
    into->revenue_bound += from->revenue_bound;
    rtn__cohort_set_signups(into, sc, sp, sn);
    note_times(into, from->latest);
    return RTN_OK;
}
