/* Fuzz target: cohort builders. The input is tried two ways:
 *  1. as a serialised builder: deserialising either fails cleanly or yields a builder that
 *     finishes (or reports why not) and serialises back to exactly the same bytes, and whose
 *     deserialisation and finishing, given an allocator that fails one allocation, report
 *     RTN_ENOMEM and leave no block behind;
 *  2. as events (customer, time, amount triples from the reader in fuzz.h) added in two calls,
 *     with a signup or two, under a period unit and kind taken from the input: every table
 *     satisfies 0 ≤ active ≤ size, censored cells are NaN, and the builder survives a round trip
 *     through its bytes with the same table; revenue is NaN exactly where censored and its
 *     retention is the share of period 0's; every parameter reads back within its bounds;
 *  3. the same events through rtn_cohort_table_build(): the table of a builder with that unit and
 *     kind, or the same error;
 *  4. for one input in 32, the events tiled into 65536 (4096 under libFuzzer, where the library
 *     splits calls from 2048 events), ids shifted by a stride from the input: one add, which takes
 *     the split into buckets when the keys are wide, leaves the same bytes as four adds grouped
 *     by customer, where no (customer, period) spans two adds, so that every revenue is summed in
 *     input order on both sides; a revenue sum overflows in both or in neither. */
#include <stdlib.h>

#include "fuzz.h"

static void check_table(const rtn_cohort_builder *b)
{
    rtn_cohort_table *t = NULL;
    int rc = rtn_cohort_builder_finish(b, &t);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EUNDEFINED || rc == RTN_EINVAL || rc == RTN_ENOMEM ||
               rc == RTN_EOVERFLOW);
    if (rc != RTN_OK)
        return;
    size_t rows, cols;
    FUZZ_CHECK(rtn_cohort_table_dims(t, &rows, &cols) == RTN_OK && rows > 0);
    if (rows * cols <= 100000) {
        size_t cells = rows * cols;
        uint64_t *size = malloc((rows + 1) * sizeof *size), *active = malloc((cells + 1) * 8);
        double *share = malloc((cells + 1) * sizeof *share), *avg = malloc((cols + 1) * 8);
        uint8_t *status = malloc(cells + 1);
        double *rev = malloc((cells + 1) * sizeof *rev), *rev_ret = malloc((cells + 1) * sizeof *rev);
        if (size && active && share && status && avg && rev && rev_ret) {
            FUZZ_CHECK(rtn_cohort_table_cohorts(t, NULL, NULL, size, rows) == RTN_OK);
            FUZZ_CHECK(rtn_cohort_table_active(t, active, cells) == RTN_OK);
            FUZZ_CHECK(rtn_cohort_table_retention(t, share, cells) == RTN_OK);
            FUZZ_CHECK(rtn_cohort_table_status(t, status, cells) == RTN_OK);
            FUZZ_CHECK(rtn_cohort_table_average(t, avg, NULL, cols) == RTN_OK);
            for (size_t i = 0; i < cells; ++i) {
                FUZZ_CHECK(status[i] <= RTN_CELL_CENSORED);
                FUZZ_CHECK(active[i] <= size[i / cols]);
                if (status[i] == RTN_CELL_CENSORED)
                    FUZZ_CHECK(isnan(share[i]) && active[i] == 0);
                else
                    FUZZ_CHECK(share[i] >= 0.0 && share[i] <= 1.0);
            }
            for (size_t k = 0; k < cols; ++k)
                FUZZ_CHECK(isnan(avg[k]) || (avg[k] >= 0.0 && avg[k] <= 1.0));
            /* revenue: NaN exactly where censored; its retention the share of period 0's */
            rev[cells] = rev_ret[cells] = 42.0;
            FUZZ_CHECK(rtn_cohort_table_revenue(t, rev, cells) == RTN_OK);
            FUZZ_CHECK(rtn_cohort_table_revenue_retention(t, rev_ret, cells) == RTN_OK);
            FUZZ_CHECK(rev[cells] == 42.0 && rev_ret[cells] == 42.0); /* nothing past cap */
            if (cells > 0) {
                FUZZ_CHECK(rtn_cohort_table_revenue(t, rev, cells - 1) == RTN_EBUFSIZE);
                FUZZ_CHECK(rtn_cohort_table_revenue_retention(t, rev_ret, cells - 1) == RTN_EBUFSIZE);
            }
            int64_t kind = -1; /* with brackets, period 0 need not be a column */
            FUZZ_CHECK(rtn_cohort_builder_get(b, RTN_COHORT_KIND, &kind) == RTN_OK);
            for (size_t i = 0; i < cells; ++i) {
                double base = rev[i - i % cols];
                FUZZ_CHECK(isnan(rev[i]) == (status[i] == RTN_CELL_CENSORED));
                if (status[i] == RTN_CELL_CENSORED)
                    FUZZ_CHECK(isnan(rev_ret[i]));
                else if (kind == RTN_COHORT_BRACKETS)
                    continue;
                else if (isnan(base) || base == 0.0)
                    FUZZ_CHECK(isnan(rev_ret[i]));
                else
                    FUZZ_CHECK(rev_ret[i] == rev[i] / base ||
                               fabs(rev_ret[i] - rev[i] / base) <= 1e-14 * fabs(rev[i] / base));
            }
        }
        free(rev);
        free(rev_ret);
        free(size);
        free(active);
        free(share);
        free(status);
        free(avg);
    }
    rtn_cohort_table_free(t);
}

FUZZ_DEFINE_ROUND_TRIP(rtn_cohort_builder)

/* The parameters read back inside their bounds, which rtn_cohort_param_bounds() gives for the
 * six parameters and refuses for any other. */
static void check_params(const rtn_cohort_builder *b)
{
    for (int32_t param = -1; param <= RTN_COHORT_MAX_PERIODS + 1; ++param) {
        int64_t lo = 7, hi = 7, v = 7;
        int rc = rtn_cohort_param_bounds(param, &lo, &hi);
        int get = rtn_cohort_builder_get(b, param, &v);
        if (param < 0 || param > RTN_COHORT_MAX_PERIODS) {
            FUZZ_CHECK(rc == RTN_EINVAL && get == RTN_EINVAL && lo == 7 && hi == 7 && v == 7);
            continue;
        }
        FUZZ_CHECK(rc == RTN_OK && lo <= hi);
        FUZZ_CHECK(get == RTN_OK || (get == RTN_EUNDEFINED && param == RTN_COHORT_OBSERVATION_END));
        if (get == RTN_OK)
            FUZZ_CHECK(v >= lo && v <= hi);
    }
}

/* rtn_cohort_table_build() against a builder of the same events with the same unit and kind. */
static void check_table_build(const int64_t *customer, const int64_t *time, const double *amount,
                              size_t n, int32_t unit, int32_t kind)
{
    rtn_cohort_table *got = NULL, *want = NULL;
    size_t bad = SIZE_MAX, want_bad = SIZE_MAX;
    int rc = rtn_cohort_table_build(customer, time, amount, n, unit, kind, &got, &bad);
    if (unit == RTN_PERIOD_SECONDS) {
        FUZZ_CHECK(rc == RTN_EINVAL && got == NULL);
        return;
    }
    rtn_cohort_builder *b = NULL;
    if (rtn_cohort_builder_create(&b, NULL) != RTN_OK) {
        rtn_cohort_table_free(got);
        return;
    }
    FUZZ_CHECK(rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, unit) == RTN_OK &&
               rtn_cohort_builder_set(b, RTN_COHORT_KIND, kind) == RTN_OK);
    int want_rc = rtn_cohort_builder_add(b, customer, time, amount, n, &want_bad);
    if (want_rc == RTN_OK)
        want_rc = rtn_cohort_builder_finish(b, &want);
    FUZZ_CHECK(rc == want_rc && (rc != RTN_EDOMAIN || bad == want_bad));
    size_t rows = 0, cols = 0, want_rows = 0, want_cols = 0;
    if (rc == RTN_OK && rtn_cohort_table_dims(got, &rows, &cols) == RTN_OK &&
        rtn_cohort_table_dims(want, &want_rows, &want_cols) == RTN_OK) {
        FUZZ_CHECK(rows == want_rows && cols == want_cols);
        size_t cells = rows * cols;
        uint64_t *a = malloc(cells * sizeof *a), *c = malloc(cells * sizeof *c);
        double *r1 = malloc(cells * sizeof *r1), *r2 = malloc(cells * sizeof *r2);
        if (a && c && r1 && r2) {
            FUZZ_CHECK(rtn_cohort_table_active(got, a, cells) == RTN_OK &&
                       rtn_cohort_table_active(want, c, cells) == RTN_OK &&
                       memcmp(a, c, cells * sizeof *a) == 0);
            FUZZ_CHECK(rtn_cohort_table_revenue(got, r1, cells) == RTN_OK &&
                       rtn_cohort_table_revenue(want, r2, cells) == RTN_OK);
            for (size_t i = 0; i < cells; ++i)
                FUZZ_CHECK((isnan(r1[i]) && isnan(r2[i])) || r1[i] == r2[i]);
        }
        free(a);
        free(c);
        free(r1);
        free(r2);
    }
    rtn_cohort_table_free(got);
    rtn_cohort_table_free(want);
    rtn_cohort_builder_free(b);
}

static uint8_t *state_bytes(const rtn_cohort_builder *b, size_t *len)
{
    if (rtn_cohort_builder_serialize(b, NULL, 0, len) != RTN_EBUFSIZE)
        return NULL;
    uint8_t *buf = malloc(*len);
    if (buf && rtn_cohort_builder_serialize(b, buf, *len, len) != RTN_OK) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void check_large_add(const int64_t *customer, const int64_t *time, const double *amount,
                            size_t n, int32_t unit, int64_t seconds, uint8_t how)
{
#ifdef RTN_LIBFUZZER
    enum { BIG = 4096 }; /* the library splits calls from 2048 events here */
#else
    enum { BIG = 65536 };
#endif
    enum { GROUPS = 4 };
    static const int64_t strides[4] = {0, 1, 4099, (INT64_C(1) << 20) + 7};
    int64_t *c = malloc(BIG * sizeof *c), *t = malloc(BIG * sizeof *t);
    int64_t *gc = malloc(BIG * sizeof *gc), *gt = malloc(BIG * sizeof *gt);
    double *v = malloc(BIG * sizeof *v), *gv = malloc(BIG * sizeof *gv);
    rtn_cohort_builder *one = NULL, *groups = NULL;
    if (c && t && v && gc && gt && gv && rtn_cohort_builder_create(&one, NULL) == RTN_OK &&
        rtn_cohort_builder_create(&groups, NULL) == RTN_OK) {
        for (size_t i = 0; i < BIG; ++i) {
            size_t round = i / n;
            c[i] = customer[i % n] + (int64_t)round * strides[how % 4];
            t[i] = time[i % n] + (int64_t)(round % 3) * 86400;
            v[i] = isfinite(amount[i % n]) ? amount[i % n] : 0.0;
        }
        const double *amounts = how & 4 ? v : NULL;
        rtn_cohort_builder_set(one, RTN_COHORT_PERIOD_UNIT, unit);
        rtn_cohort_builder_set(one, RTN_COHORT_PERIOD_SECONDS, seconds);
        rtn_cohort_builder_set(groups, RTN_COHORT_PERIOD_UNIT, unit);
        rtn_cohort_builder_set(groups, RTN_COHORT_PERIOD_SECONDS, seconds);
        int rc1 = rtn_cohort_builder_add(one, c, t, amounts, BIG, NULL), rc2 = RTN_OK;
        FUZZ_CHECK(rc1 == RTN_OK || rc1 == RTN_ENOMEM || rc1 == RTN_EOVERFLOW);
        for (uint64_t g = 0; rc2 == RTN_OK && g < GROUPS; ++g) {
            size_t m = 0;
            for (size_t i = 0; i < BIG; ++i)
                if ((uint64_t)c[i] % GROUPS == g) {
                    gc[m] = c[i];
                    gt[m] = t[i];
                    gv[m++] = v[i];
                }
            rc2 = rtn_cohort_builder_add(groups, gc, gt, amounts ? gv : NULL, m, NULL);
        }
        FUZZ_CHECK(rc2 == RTN_OK || rc2 == RTN_ENOMEM || rc2 == RTN_EOVERFLOW);
        if (rc1 != RTN_ENOMEM && rc2 != RTN_ENOMEM) /* a revenue sum overflows in both or neither */
            FUZZ_CHECK((rc1 == RTN_EOVERFLOW) == (rc2 == RTN_EOVERFLOW));
        size_t len1 = 0, len2 = 0;
        uint8_t *x = rc1 == RTN_OK && rc2 == RTN_OK ? state_bytes(one, &len1) : NULL;
        uint8_t *y = x ? state_bytes(groups, &len2) : NULL;
        if (x && y)
            FUZZ_CHECK(len1 == len2 && memcmp(x, y, len1) == 0);
        free(x);
        free(y);
    }
    rtn_cohort_builder_free(one);
    rtn_cohort_builder_free(groups);
    free(c);
    free(t);
    free(v);
    free(gc);
    free(gt);
    free(gv);
}

FUZZ_DEFINE_FAILING_ALLOCATIONS(rtn_cohort_builder, rtn_cohort_table, 0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* 1. bytes as a serialised builder */
    rtn_cohort_builder *b = NULL;
    int rc = rtn_cohort_builder_deserialize(&b, data, size, NULL);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_ECORRUPT || rc == RTN_EVERSION || rc == RTN_ENOMEM);
    if (rc == RTN_OK) {
        check_table(b);
        round_trip(b);
        check_params(b);
        failing_allocations(data, size);
        /* a deserialised builder takes more data and merges like any other */
        const int64_t who[] = {1, 2};
        const int64_t when[] = {0, 86400};
        rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_SECONDS);
        rc = rtn_cohort_builder_add(b, who, when, NULL, 2, NULL);
        FUZZ_CHECK(rc == RTN_OK || rc == RTN_ENOMEM || rc == RTN_EOVERFLOW);
        rtn_cohort_builder *other = NULL;
        if (rtn_cohort_builder_create(&other, NULL) == RTN_OK) {
            rc = rtn_cohort_builder_merge(other, b);
            FUZZ_CHECK(rc == RTN_OK || rc == RTN_ENOMEM || rc == RTN_EOVERFLOW);
            check_table(other);
            rtn_cohort_builder_free(other);
        }
        rtn_cohort_builder_free(b);
    }

    /* 2. bytes as events */
    fuzz_input in = {data, size};
    if (rtn_cohort_builder_create(&b, NULL) != RTN_OK)
        return 0;
    uint8_t unit = fuzz_byte(&in) % 6, kind = fuzz_byte(&in) % 2, offset = fuzz_byte(&in);
    rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, unit == 5 ? RTN_PERIOD_SECONDS : unit % 4);
    uint8_t len = fuzz_byte(&in); /* hours, or powers of two up to past the 10^10 s limit */
    rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_SECONDS,
                           len < 128 ? 1 + (int64_t)len * 3600 : INT64_C(1) << (len % 35));
    rtn_cohort_builder_set(b, RTN_COHORT_UTC_OFFSET_MINUTES, ((int64_t)offset - 128) * 11);
    rtn_cohort_builder_set(b, RTN_COHORT_KIND, kind);
    rtn_cohort_builder_set(b, RTN_COHORT_MAX_PERIODS, fuzz_byte(&in) % 40);
    uint8_t brackets = fuzz_byte(&in);
    if (brackets & 1) { /* 2-4 edges, near or far */
        uint32_t edges[4];
        size_t n_edges = 2 + (size_t)(brackets >> 1) % 3;
        for (size_t i = 0; i < n_edges; ++i)
            edges[i] = brackets & 2 ? (uint32_t)fuzz_u64(&in) : (uint32_t)fuzz_byte(&in);
        rtn_cohort_builder_set_brackets(b, edges, n_edges); /* may refuse: also fine */
    }
    enum { MAX_EVENTS = 64 };
    int64_t customer[MAX_EVENTS], time[MAX_EVENTS];
    double amount[MAX_EVENTS];
    size_t n = 0;
    int near = 1; /* every time within the four years: small tables for the one-call form */
    while (in.left > 0 && n < MAX_EVENTS) {
        customer[n] = (int64_t)(fuzz_byte(&in) % 16) - 4;
        /* mostly within a few years of 2020, sometimes anywhere (out of range included) */
        uint8_t how = fuzz_byte(&in);
        time[n] = how < 200 ? INT64_C(1577836800) + (int64_t)fuzz_u64(&in) % (4 * 365 * 86400)
                            : (int64_t)fuzz_raw64(&in);
        near &= how < 200;
        amount[n++] = fuzz_double(&in);
    }
    size_t half = n / 2, bad = SIZE_MAX;
    rc = rtn_cohort_builder_add(b, customer, time, amount, half, &bad);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EOVERFLOW || (rc == RTN_EDOMAIN && bad < half));
    rc = rtn_cohort_builder_add(b, customer + half, time + half, NULL, n - half, &bad);
    FUZZ_CHECK(rc == RTN_OK || (rc == RTN_EDOMAIN && bad < n - half));
    if (n > 2)
        rtn_cohort_builder_add_signups(b, customer, time + 1, 2, NULL);
    check_table(b);
    round_trip(b);
    check_params(b);
    rtn_cohort_builder_free(b);
    if (near)
        check_table_build(customer, time, amount, n, unit == 5 ? RTN_PERIOD_SECONDS : unit % 4,
                          kind);
    if (near && n > 0 && size > 0 && data[size - 1] % 32 == 0)
        check_large_add(customer, time, amount, n, unit == 5 ? RTN_PERIOD_SECONDS : unit % 4,
                        len < 128 ? 1 + (int64_t)len * 3600 : INT64_C(1) << (len % 35),
                        data[size - 1] >> 5);
    return 0;
}
