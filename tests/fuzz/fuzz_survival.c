/* Fuzz target: Kaplan-Meier builders, curves and the log-rank test. The input is tried two ways:
 *  1. as a serialised builder: deserialising either fails cleanly or yields a builder that
 *     finishes (or says why not) and serialises back to exactly the same bytes, and whose
 *     deserialisation and finishing, given an allocator that fails one allocation, report
 *     RTN_ENOMEM and leave no block behind;
 *  2. as subjects (duration, event, entry, weight) and pre-counted rows from the reader in
 *     fuzz.h, in two groups: every curve has 0 ≤ S ≤ 1, non-increasing, lower ≤ S ≤ upper
 *     where defined; quantiles, S at any time and the RMST stay in range; the log-rank test
 *     gives chisq ≥ 0 and p in [0, 1]; the builders survive their bytes unchanged;
 *  3. the one-call forms on the same subjects: rtn_km_build() gives the curve of a builder with
 *     the same options (whose parameters read back as set), and rtn_logrank_columns() the test of
 *     rtn_logrank() on builders of each group, or refuses the first bad row. */
#include <stdlib.h>

#include "fuzz.h"

static void check_curve(const rtn_km_builder *b)
{
    rtn_km *km = NULL;
    int rc = rtn_km_builder_finish(b, &km);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EUNDEFINED || rc == RTN_ENOMEM || rc == RTN_EOVERFLOW);
    if (rc != RTN_OK)
        return;
    size_t rows;
    FUZZ_CHECK(rtn_km_size(km, &rows) == RTN_OK && rows > 0);
    double *col = malloc(5 * rows * sizeof *col);
    if (col) {
        double *t = col, *s = col + rows, *lo = col + 2 * rows, *hi = col + 3 * rows;
        double *n = col + 4 * rows;
        FUZZ_CHECK(rtn_km_column(km, RTN_KM_TIME, t, rows) == RTN_OK);
        FUZZ_CHECK(rtn_km_column(km, RTN_KM_SURVIVAL, s, rows) == RTN_OK);
        FUZZ_CHECK(rtn_km_column(km, RTN_KM_LOWER, lo, rows) == RTN_OK);
        FUZZ_CHECK(rtn_km_column(km, RTN_KM_UPPER, hi, rows) == RTN_OK);
        FUZZ_CHECK(rtn_km_column(km, RTN_KM_AT_RISK, n, rows) == RTN_OK);
        for (size_t i = 0; i < rows; ++i) {
            FUZZ_CHECK(s[i] >= 0.0 && s[i] <= 1.0 && n[i] > 0.0);
            FUZZ_CHECK(i == 0 || (t[i] > t[i - 1] && s[i] <= s[i - 1]));
            if (!isnan(lo[i]))
                FUZZ_CHECK(lo[i] >= 0.0 && lo[i] <= s[i] * (1 + 1e-12));
            if (!isnan(hi[i]))
                FUZZ_CHECK(hi[i] <= 1.0 && hi[i] >= s[i] * (1 - 1e-12));
        }
        double q, qlo, qhi, at[3] = {-1.0, t[rows / 2], DBL_MAX}, sv[3], m, se;
        for (double p = 0.0; p <= 1.0; p += 0.125)
            if (rtn_km_quantile(km, p, &q, &qlo, &qhi) == RTN_OK) /* NaN: not reached */
                FUZZ_CHECK(isnan(q) || (q >= 0.0 && q <= t[rows - 1]));
        FUZZ_CHECK(rtn_km_survival_at(km, at, 3, sv, NULL, NULL, NULL) == RTN_OK);
        FUZZ_CHECK(sv[0] == 1.0 && sv[2] == s[rows - 1]);
        rc = rtn_km_rmst(km, t[rows - 1], &m, &se);
        FUZZ_CHECK(rc == RTN_EOVERFLOW || (rc == RTN_OK && m >= 0.0 && m <= t[rows - 1] &&
                                           !(se < 0.0)));
    }
    free(col);
    rtn_km_free(km);
}

FUZZ_DEFINE_ROUND_TRIP(rtn_km_builder)

/* A duration: mostly small multiples of 1/4 (ties), sometimes any double. */
static double fuzz_time(fuzz_input *in)
{
    uint8_t how = fuzz_byte(in);
    return how < 220 ? (double)(how % 40) / 4.0 : fuzz_double(in);
}

/* Two numbers agree: both NaN, equal, or within a relative 1e-12. */
static int agree(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b || fabs(a - b) <= 1e-12 * fmax(fabs(a), fabs(b));
}

/* rtn_km_build() against a builder of the same subjects, and the builder's parameters read
 * back. */
static void check_km_build(const double *dur, const uint8_t *event, size_t n, int32_t type,
                           double level)
{
    rtn_km_builder *ref = NULL;
    if (rtn_km_builder_create(&ref, NULL) != RTN_OK)
        return;
    int set_rc = rtn_km_builder_set(ref, RTN_KM_CONF_LEVEL, level);
    FUZZ_CHECK(rtn_km_builder_set(ref, RTN_KM_CONF_TYPE, type) == RTN_OK);
    double v = -1.0;
    FUZZ_CHECK(rtn_km_builder_get(ref, RTN_KM_CONF_TYPE, &v) == RTN_OK && v == type);
    FUZZ_CHECK(rtn_km_builder_get(ref, RTN_KM_CONF_LEVEL, &v) == RTN_OK &&
               (set_rc != RTN_OK ? v == 0.95 : v == level));
    FUZZ_CHECK(rtn_km_builder_get(ref, RTN_KM_TIE_TOLERANCE, &v) == RTN_OK && v == 0.0);
    FUZZ_CHECK(rtn_km_builder_get(ref, 3, &v) == RTN_EINVAL && rtn_km_builder_get(ref, -1, &v) == RTN_EINVAL);
    size_t ref_bad = SIZE_MAX, bad = SIZE_MAX;
    int ref_rc = rtn_km_builder_add(ref, dur, event, NULL, NULL, n, &ref_bad);
    rtn_km *km = NULL, *want = NULL;
    int rc = rtn_km_build(dur, event, n, type, level, &km, &bad);
    if (set_rc != RTN_OK) {
        FUZZ_CHECK(rc == RTN_EINVAL && km == NULL);
    } else if (ref_rc == RTN_EDOMAIN) {
        FUZZ_CHECK(rc == RTN_EDOMAIN && bad == ref_bad && km == NULL);
    } else if (ref_rc == RTN_OK) {
        int want_rc = rtn_km_builder_finish(ref, &want);
        FUZZ_CHECK(rc == want_rc);
        size_t rows = 0, want_rows = 0;
        if (rc == RTN_OK && rtn_km_size(km, &rows) == RTN_OK &&
            rtn_km_size(want, &want_rows) == RTN_OK) {
            FUZZ_CHECK(rows == want_rows);
            double *a = malloc(rows * sizeof *a), *b = malloc(rows * sizeof *b);
            for (int32_t c = RTN_KM_TIME; a && b && c <= RTN_KM_GREENWOOD; ++c) {
                FUZZ_CHECK(rtn_km_column(km, c, a, rows) == RTN_OK &&
                           rtn_km_column(want, c, b, rows) == RTN_OK);
                for (size_t i = 0; i < rows; ++i)
                    FUZZ_CHECK(agree(a[i], b[i]));
            }
            FUZZ_CHECK(rtn_km_column(km, RTN_KM_GREENWOOD + 1, a, rows) == RTN_EINVAL);
            free(a);
            free(b);
        }
    }
    rtn_km_free(km);
    rtn_km_free(want);
    rtn_km_builder_free(ref);
}

/* rtn_logrank_columns() against rtn_logrank() on builders of the same subjects, by group (k = 2
 * or 3, the third group empty; a group index ≥ k is refused with its row). */
static void check_logrank_columns(const double *dur, const uint8_t *event, const uint32_t *group,
                                  size_t n, uint32_t k, double rho)
{
    enum { K = 3 };
    rtn_km_builder *b[K] = {NULL, NULL, NULL};
    size_t first_bad = SIZE_MAX;
    for (size_t i = 0; i < n && first_bad == SIZE_MAX; ++i)
        if (!(dur[i] >= 0.0 && isfinite(dur[i])) || event[i] > 1 || group[i] >= k)
            first_bad = i;
    for (uint32_t g = 0; g < k; ++g)
        if (rtn_km_builder_create(&b[g], NULL) != RTN_OK)
            goto done;
    if (first_bad == SIZE_MAX)
        for (size_t i = 0; i < n; ++i)
            FUZZ_CHECK(rtn_km_builder_add(b[group[i]], dur + i, event + i, NULL, NULL, 1, NULL) ==
                       RTN_OK);
    double obs[2][K], expct[2][K], var[2][K * K], chisq[2], p[2];
    uint32_t df[2];
    size_t bad = SIZE_MAX;
    int rc = rtn_logrank_columns(dur, event, group, n, k, rho, obs[0], expct[0], var[0], &chisq[0],
                                 &df[0], &p[0], &bad);
    if (first_bad != SIZE_MAX) {
        FUZZ_CHECK(rc == RTN_EDOMAIN && bad == first_bad);
        goto done;
    }
    const rtn_km_builder *groups[K] = {b[0], b[1], b[2]};
    int want = rtn_logrank(groups, k, rho, obs[1], expct[1], var[1], &chisq[1], &df[1], &p[1]);
    FUZZ_CHECK(rc == want);
    if (rc != RTN_OK)
        goto done;
    FUZZ_CHECK(agree(chisq[0], chisq[1]) && df[0] == df[1] && agree(p[0], p[1]));
    FUZZ_CHECK(chisq[0] >= 0.0 && p[0] >= 0.0 && p[0] <= 1.0 && df[0] >= 1 && df[0] < k);
    for (uint32_t g = 0; g < k; ++g) {
        FUZZ_CHECK(agree(obs[0][g], obs[1][g]) && agree(expct[0][g], expct[1][g]));
        for (uint32_t h = 0; h < k; ++h)
            FUZZ_CHECK(agree(var[0][g * k + h], var[1][g * k + h]));
    }
done:
    for (int g = 0; g < K; ++g)
        rtn_km_builder_free(b[g]);
}

FUZZ_DEFINE_FAILING_ALLOCATIONS(rtn_km_builder, rtn_km, 0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* 1. bytes as a serialised builder */
    rtn_km_builder *b = NULL;
    int rc = rtn_km_builder_deserialize(&b, data, size, NULL);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_ECORRUPT || rc == RTN_EVERSION || rc == RTN_ENOMEM);
    if (rc == RTN_OK) {
        check_curve(b);
        round_trip(b);
        rtn_km_builder_free(b);
        failing_allocations(data, size);
    }

    /* 2. bytes as subjects in two groups */
    fuzz_input in = {data, size};
    rtn_km_builder *g[2] = {NULL, NULL};
    if (rtn_km_builder_create(&g[0], NULL) != RTN_OK || rtn_km_builder_create(&g[1], NULL) != RTN_OK) {
        rtn_km_builder_free(g[0]);
        return 0;
    }
    uint8_t opts = fuzz_byte(&in);
    rtn_km_builder_set(g[0], RTN_KM_CONF_TYPE, opts % 3);
    rtn_km_builder_set(g[0], RTN_KM_CONF_LEVEL, fuzz_double(&in)); /* may refuse: fine */
    rtn_km_builder_set(g[0], RTN_KM_TIE_TOLERANCE, opts & 8 ? 0.3 : 0.0);
    int truncated = (opts & 16) != 0, weighted = (opts & 32) != 0;
    enum { MAX_SUBJECTS = 48 };
    double dur[MAX_SUBJECTS], entry[MAX_SUBJECTS], weight[MAX_SUBJECTS];
    uint8_t event[MAX_SUBJECTS], group[MAX_SUBJECTS];
    size_t n = 0;
    while (in.left > 0 && n < MAX_SUBJECTS) {
        dur[n] = fuzz_time(&in);
        uint8_t flags = fuzz_byte(&in);
        event[n] = flags & 0x80 ? flags : flags & 1; /* sometimes an invalid flag */
        group[n] = (flags >> 1) & 1;
        entry[n] = (flags & 4) ? fuzz_time(&in) : 0.0;
        weight[n] = (flags & 8) ? fuzz_double(&in) : (double)(flags >> 4 & 3);
        ++n;
    }
    for (int k = 0; k < 2; ++k) {
        /* each group's subjects, compacted; invalid ones make the call fail as a whole */
        double d[MAX_SUBJECTS], e[MAX_SUBJECTS], w[MAX_SUBJECTS];
        uint8_t ev[MAX_SUBJECTS];
        size_t m = 0, bad = SIZE_MAX;
        for (size_t i = 0; i < n; ++i)
            if (group[i] == k) {
                d[m] = dur[i];
                e[m] = entry[i];
                w[m] = weight[i];
                ev[m++] = event[i];
            }
        rc = rtn_km_builder_add(g[k], d, ev, truncated ? e : NULL, weighted ? w : NULL, m, &bad);
        FUZZ_CHECK(rc == RTN_OK || rc == RTN_EOVERFLOW || (rc == RTN_EDOMAIN && bad < m));
    }
    /* a few pre-counted rows into group 1 */
    double ct[3];
    uint64_t ce[3], cc[3], cn[3];
    for (int i = 0; i < 3; ++i) {
        ct[i] = fuzz_time(&in);
        ce[i] = fuzz_u64(&in) % 5;
        cc[i] = fuzz_u64(&in);
        cn[i] = fuzz_u64(&in) % 3;
    }
    rc = rtn_km_builder_add_counts(g[1], ct, ce, cc, opts & 64 ? cn : NULL, 3, NULL);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EDOMAIN || rc == RTN_EOVERFLOW);
    for (int k = 0; k < 2; ++k) {
        check_curve(g[k]);
        round_trip(g[k]);
    }
    double chisq, p, obs[2], expct[2], var[4];
    uint32_t df;
    const rtn_km_builder *groups[2] = {g[0], g[1]};
    rc = rtn_logrank(groups, 2, (double)(opts >> 6), obs, expct, var, &chisq, &df, &p);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EUNDEFINED);
    if (rc == RTN_OK)
        FUZZ_CHECK(chisq >= 0.0 && p >= 0.0 && p <= 1.0 && df == 1);
    /* 3. the one-call forms on the same subjects */
    check_km_build(dur, event, n, opts % 3, opts & 64 ? 0.9 : fuzz_double(&in));
    uint32_t group32[MAX_SUBJECTS], k = opts & 4 ? 3 : 2;
    for (size_t i = 0; i < n; ++i)
        group32[i] = group[i];
    uint8_t stray = fuzz_byte(&in);
    if (n > 0 && stray >= 240) /* a group index out of range */
        group32[stray % n] = k + (stray & 1 ? 0u : 1000u);
    check_logrank_columns(dur, event, group32, n, k, (double)(opts >> 6));
    rc = rtn_km_builder_merge(g[0], g[1]);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EOVERFLOW);
    check_curve(g[0]);
    rtn_km_builder_free(g[0]);
    rtn_km_builder_free(g[1]);
    return 0;
}
