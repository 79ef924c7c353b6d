/* Fuzz target: cohort builders. The input is tried two ways:
 *  1. as a serialised builder: deserialising either fails cleanly or yields a builder that
 *     finishes (or reports why not) and serialises back to exactly the same bytes;
 *  2. as events (customer, time, amount triples from the reader in fuzz.h) added in two calls,
 *     with a signup or two, under a period unit and kind taken from the input: every table
 *     satisfies 0 ≤ active ≤ size, censored cells are NaN, and the builder survives a round trip
 *     through its bytes with the same table. */
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
        if (size && active && share && status && avg) {
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
        }
        free(size);
        free(active);
        free(share);
        free(status);
        free(avg);
    }
    rtn_cohort_table_free(t);
}

/* Serialises b, reads it back, and checks the bytes of the copy are the same. */
static void round_trip(const rtn_cohort_builder *b)
{
    size_t len = 0;
    FUZZ_CHECK(rtn_cohort_builder_serialize(b, NULL, 0, &len) == RTN_EBUFSIZE);
    uint8_t *buf = malloc(len), *again = malloc(len);
    if (buf && again && rtn_cohort_builder_serialize(b, buf, len, &len) == RTN_OK) {
        rtn_cohort_builder *copy = NULL;
        FUZZ_CHECK(rtn_cohort_builder_deserialize(&copy, buf, len, NULL) == RTN_OK);
        size_t len2 = 0;
        FUZZ_CHECK(rtn_cohort_builder_serialize(copy, again, len, &len2) == RTN_OK && len2 == len);
        FUZZ_CHECK(memcmp(buf, again, len) == 0);
        rtn_cohort_builder_free(copy);
    }
    free(buf);
    free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* 1. bytes as a serialised builder */
    rtn_cohort_builder *b = NULL;
    int rc = rtn_cohort_builder_deserialize(&b, data, size, NULL);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_ECORRUPT || rc == RTN_EVERSION || rc == RTN_ENOMEM);
    if (rc == RTN_OK) {
        check_table(b);
        round_trip(b);
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
    while (in.left > 0 && n < MAX_EVENTS) {
        customer[n] = (int64_t)(fuzz_byte(&in) % 16) - 4;
        /* mostly within a few years of 2020, sometimes anywhere (out of range included) */
        uint8_t how = fuzz_byte(&in);
        time[n] = how < 200 ? INT64_C(1577836800) + (int64_t)fuzz_u64(&in) % (4 * 365 * 86400)
                            : (int64_t)fuzz_raw64(&in);
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
    rtn_cohort_builder_free(b);
    return 0;
}
