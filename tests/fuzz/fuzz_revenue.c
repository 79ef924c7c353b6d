/* Fuzz target: MRR movements, churn-reason tallies, segment comparisons, retention economics.
 *  1. The input as a serialised MRR builder: deserialising fails cleanly or yields a builder
 *     whose table (if any) satisfies the invariants below and whose bytes round-trip exactly;
 *     with an allocator that fails one allocation, deserialising and finishing report
 *     RTN_ENOMEM and leave no block behind.
 *  2. The input as MRR rows: every period balances (start + movements = end, to rounding),
 *     customer counts balance exactly, one period's end is the next one's start, rates stay in
 *     their ranges; a builder split in two and merged gives the same table.
 *  3. The input as reason codes and amounts: a report's shares are in their intervals, rows are
 *     sorted, counts add up; as segment counts: every interval contains its estimate, p-values
 *     are probabilities; as economics inputs: results are finite or a documented error.
 *  4. Further: rtn_mrr_table_build() gives the merged builder's table; set, unset and is_set
 *     agree; reason names, codes and teams agree for any code, team bit or text; a segment tally
 *     counts what a naive loop counts (or refuses the first bad row, adding nothing), and the
 *     pairwise statistics and the chi-square test are exactly what rtn_segments_compare()
 *     reports. */
#include <stdlib.h>

#include "fuzz.h"

/* A valid but huge window: its table takes gigabytes, which is not a finding. */
static int huge_window(const rtn_mrr_builder *b)
{
    int64_t lo, hi;
    return rtn_mrr_builder_get(b, RTN_MRR_FIRST_PERIOD, &lo) == RTN_OK &&
           rtn_mrr_builder_get(b, RTN_MRR_LAST_PERIOD, &hi) == RTN_OK && hi > lo &&
           hi - lo > 100000;
}

static void check_table(const rtn_mrr_builder *b)
{
    if (huge_window(b))
        return;
    rtn_mrr_table *t = NULL;
    int rc = rtn_mrr_builder_finish(b, &t);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EUNDEFINED || rc == RTN_EDOMAIN || rc == RTN_ENOMEM ||
               rc == RTN_EOVERFLOW);
    if (rc != RTN_OK)
        return;
    int64_t first;
    size_t n;
    FUZZ_CHECK(rtn_mrr_table_periods(t, &first, &n) == RTN_OK && n > 0);
    double *col = malloc(RTN_MRR_COLUMN_COUNT * n * sizeof *col);
    if (col) {
        for (int c = 0; c < RTN_MRR_COLUMN_COUNT; ++c)
            FUZZ_CHECK(rtn_mrr_table_column(t, c, col + (size_t)c * n, n) == RTN_OK);
#define COL(c, p) col[(size_t)(c) * n + (p)]
        for (size_t p = 0; p < n; ++p) {
            double scale = 0.0;
            for (int c = RTN_MRR_START; c <= RTN_MRR_END; ++c) {
                FUZZ_CHECK(COL(c, p) >= 0.0 && isfinite(COL(c, p)));
                scale = fmax(scale, COL(c, p));
            }
            /* outflows first: start − out ∈ [0, start] and in ≤ end, so no partial sum can
             * overflow (start + new can: 1.5e308 churned and 1.5e308 new in one period) */
            double kept = COL(RTN_MRR_START, p) - COL(RTN_MRR_CONTRACTION, p) - COL(RTN_MRR_CHURNED, p);
            double gained = COL(RTN_MRR_NEW, p) + COL(RTN_MRR_EXPANSION, p) + COL(RTN_MRR_REACTIVATION, p);
            FUZZ_CHECK(fabs(kept + gained - COL(RTN_MRR_END, p)) <= 1e-12 * scale);
            FUZZ_CHECK(COL(RTN_MRR_START_CUSTOMERS, p) + COL(RTN_MRR_NEW_CUSTOMERS, p) +
                           COL(RTN_MRR_REACTIVATION_CUSTOMERS, p) -
                           COL(RTN_MRR_CHURNED_CUSTOMERS, p) ==
                       COL(RTN_MRR_END_CUSTOMERS, p));
            FUZZ_CHECK(p == 0 || (COL(RTN_MRR_START, p) == COL(RTN_MRR_END, p - 1) &&
                                  COL(RTN_MRR_START_CUSTOMERS, p) ==
                                      COL(RTN_MRR_END_CUSTOMERS, p - 1)));
            double gross = COL(RTN_MRR_GROSS_REVENUE_CHURN, p), grr = COL(RTN_MRR_GRR, p);
            FUZZ_CHECK(isnan(gross) == (COL(RTN_MRR_START, p) == 0.0));
            if (!isnan(gross))
                FUZZ_CHECK(gross >= 0.0 && gross <= 1.0 && grr >= 0.0 && grr <= 1.0 &&
                           COL(RTN_MRR_NRR, p) >= 0.0);
            FUZZ_CHECK(isnan(COL(RTN_MRR_QUICK_RATIO, p)) || COL(RTN_MRR_QUICK_RATIO, p) >= 0.0);
        }
#undef COL
    }
    free(col);
    rtn_mrr_table_free(t);
}

FUZZ_DEFINE_ROUND_TRIP(rtn_mrr_builder)

/* Two tables have the same periods and the same columns (NaN where the other is NaN). */
static void same_tables(const rtn_mrr_table *x, const rtn_mrr_table *y)
{
    int64_t first_x, first_y;
    size_t n_x, n_y;
    FUZZ_CHECK(rtn_mrr_table_periods(x, &first_x, &n_x) == RTN_OK &&
               rtn_mrr_table_periods(y, &first_y, &n_y) == RTN_OK);
    FUZZ_CHECK(first_x == first_y && n_x == n_y);
    double *a = malloc(n_x * sizeof *a), *b = malloc(n_x * sizeof *b);
    for (int c = 0; a && b && c < RTN_MRR_COLUMN_COUNT; ++c) {
        FUZZ_CHECK(rtn_mrr_table_column(x, c, a, n_x) == RTN_OK &&
                   rtn_mrr_table_column(y, c, b, n_x) == RTN_OK);
        for (size_t p = 0; p < n_x; ++p)
            FUZZ_CHECK((isnan(a[p]) && isnan(b[p])) || a[p] == b[p]);
    }
    if (a && n_x > 0)
        FUZZ_CHECK(rtn_mrr_table_column(x, 0, a, n_x - 1) == RTN_EBUFSIZE &&
                   rtn_mrr_table_column(x, RTN_MRR_COLUMN_COUNT, a, n_x) == RTN_EINVAL);
    free(a);
    free(b);
}

/* rtn_mrr_table_build() on all the rows gives the table of the builder they were split and
 * merged into (its window still the default), or the same error. */
static void check_table_build(const rtn_mrr_builder *merged, const int64_t *customer,
                              const int64_t *period, const double *mrr, size_t n)
{
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < n; ++i) {
        lo = period[i] < lo ? period[i] : lo;
        hi = period[i] > hi ? period[i] : hi;
    }
    if (n > 0 && hi > lo && (uint64_t)hi - (uint64_t)lo > 4096)
        return; /* valid but wide: a second large table per input would halve the speed */
    rtn_mrr_table *got = NULL, *want = NULL;
    size_t bad = SIZE_MAX;
    int rc = rtn_mrr_table_build(customer, period, mrr, n, &got, &bad);
    int want_rc = rtn_mrr_builder_finish(merged, &want);
    FUZZ_CHECK(rc == want_rc);
    if (rc == RTN_OK)
        same_tables(got, want);
    rtn_mrr_table_free(got);
    rtn_mrr_table_free(want);
}

/* Set parameters report themselves set; unset ones go back to the rows' range. */
static void check_unset(rtn_mrr_builder *b)
{
    int32_t is_set = -1;
    FUZZ_CHECK(rtn_mrr_builder_is_set(b, 2, &is_set) == RTN_EINVAL && is_set == -1);
    FUZZ_CHECK(rtn_mrr_builder_unset(b, -1) == RTN_EINVAL);
    for (int32_t param = RTN_MRR_FIRST_PERIOD; param <= RTN_MRR_LAST_PERIOD; ++param) {
        FUZZ_CHECK(rtn_mrr_builder_is_set(b, param, &is_set) == RTN_OK && (is_set == 0 || is_set == 1));
        int64_t before = 0, after = 0;
        int got = rtn_mrr_builder_get(b, param, &before);
        FUZZ_CHECK(rtn_mrr_builder_unset(b, param) == RTN_OK);
        FUZZ_CHECK(rtn_mrr_builder_is_set(b, param, &is_set) == RTN_OK && is_set == 0);
        if (got == RTN_OK) {
            FUZZ_CHECK(rtn_mrr_builder_set(b, param, before) == RTN_OK);
            FUZZ_CHECK(rtn_mrr_builder_is_set(b, param, &is_set) == RTN_OK && is_set == 1);
            FUZZ_CHECK(rtn_mrr_builder_get(b, param, &after) == RTN_OK && after == before);
            FUZZ_CHECK(rtn_mrr_builder_unset(b, param) == RTN_OK);
        }
    }
}

static void fuzz_mrr_rows(fuzz_input *in)
{
    size_t n = fuzz_byte(in);
    int64_t *customer = malloc((n + 1) * sizeof *customer), *period = malloc((n + 1) * sizeof *period);
    double *mrr = malloc((n + 1) * sizeof *mrr);
    rtn_mrr_builder *a = NULL, *b = NULL;
    if (customer && period && mrr && rtn_mrr_builder_create(&a, NULL) == RTN_OK &&
        rtn_mrr_builder_create(&b, NULL) == RTN_OK) {
        for (size_t i = 0; i < n; ++i) {
            customer[i] = fuzz_byte(in) % 8;
            uint8_t how = fuzz_byte(in);
            period[i] = how < 250 ? how % 12 : (int64_t)fuzz_raw64(in);
            how = fuzz_byte(in);
            mrr[i] = how < 200 ? (double)(how % 5) * 10.0 : fuzz_double(in);
        }
        size_t split = n ? fuzz_byte(in) % n : 0;
        int rc = rtn_mrr_builder_add(a, customer, period, mrr, split, NULL);
        if (rc == RTN_OK)
            rc = rtn_mrr_builder_add(b, customer + split, period + split, mrr + split, n - split, NULL);
        if (rc == RTN_OK && rtn_mrr_builder_merge(a, b) == RTN_OK) {
            check_table_build(a, customer, period, mrr, n);
            if (fuzz_byte(in) & 1)
                rtn_mrr_builder_set(a, RTN_MRR_FIRST_PERIOD, (int64_t)(fuzz_byte(in) % 16) - 2);
            if (fuzz_byte(in) & 1)
                rtn_mrr_builder_set(a, RTN_MRR_LAST_PERIOD, (int64_t)(fuzz_byte(in) % 16));
            check_table(a);
            round_trip(a);
            check_unset(a);
        }
    }
    rtn_mrr_builder_free(a);
    rtn_mrr_builder_free(b);
    free(customer);
    free(period);
    free(mrr);
}

/* The taxonomy: names, codes and teams agree with one another, for any code, team bit or name. */
static void fuzz_reason_names(fuzz_input *in)
{
    uint8_t how = fuzz_byte(in);
    int32_t code = how < 240 ? (int32_t)fuzz_byte(in) - 8 : (int32_t)fuzz_raw64(in);
    const char *name = rtn_reason_name(code);
    FUZZ_CHECK((name != NULL) == (code >= 0 && code <= 6));
    int32_t back = -1;
    if (name)
        FUZZ_CHECK(rtn_reason_code(name, &back) == RTN_OK && back == code);
    uint32_t teams = 0xdead;
    int rc = rtn_reason_teams(code, &teams);
    FUZZ_CHECK(rc == ((code >= 0 && code <= 6) || (code >= RTN_REASON_USER_MIN &&
                                                     code <= RTN_REASON_USER_MAX)
                          ? RTN_OK
                          : RTN_EDOMAIN));
    if (rc == RTN_OK) {
        FUZZ_CHECK(teams < 64 && (teams == 0) == (code == 0 || code >= RTN_REASON_USER_MIN));
        for (uint32_t bit = 1; bit < 64; bit <<= 1)
            if (teams & bit)
                FUZZ_CHECK(rtn_team_name(bit) != NULL);
    }
    uint32_t team = how < 128 ? UINT32_C(1) << (fuzz_byte(in) % 32) : (uint32_t)fuzz_raw64(in);
    FUZZ_CHECK((rtn_team_name(team) != NULL) == (team >= 1 && team <= 32 && !(team & (team - 1))));
    /* a name from the input: a code only for exactly a built-in name */
    char text[24];
    size_t len = fuzz_byte(in) % sizeof text;
    for (size_t i = 0; i < len; ++i)
        text[i] = (char)fuzz_byte(in);
    text[len] = '\0';
    back = -1;
    rc = rtn_reason_code(text, &back);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EDOMAIN);
    if (rc == RTN_OK)
        FUZZ_CHECK(back >= 0 && back <= 6 && strcmp(rtn_reason_name(back), text) == 0);
}

static void fuzz_reasons(fuzz_input *in)
{
    uint64_t counts[RTN_REASON_CODES] = {0};
    double lost[RTN_REASON_CODES] = {0};
    int32_t codes[64];
    double mrr[64];
    size_t n = fuzz_byte(in) % 64;
    for (size_t i = 0; i < n; ++i) {
        uint8_t k = fuzz_byte(in);
        codes[i] = k < 240 ? (int32_t)(k % 8 == 7 ? 64 + k % 5 : k % 7) : (int32_t)fuzz_raw64(in);
        mrr[i] = fuzz_byte(in) < 200 ? (double)(fuzz_byte(in)) : fuzz_double(in);
    }
    int rc = rtn_reason_tally_add(codes, mrr, n, counts, lost, NULL);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EDOMAIN || rc == RTN_EOVERFLOW);
    if (rc != RTN_OK)
        return;
    rtn_reason_row rows[RTN_REASON_CODES];
    size_t used;
    int32_t order = fuzz_byte(in) & 1;
    double confidence = fuzz_byte(in) < 200 ? 0.95 : fuzz_double(in);
    rc = rtn_reason_report(counts, lost, order, confidence, rows, RTN_REASON_CODES, &used);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EUNDEFINED || rc == RTN_EINVAL || rc == RTN_EOVERFLOW);
    if (rc != RTN_OK)
        return;
    uint64_t total = 0;
    for (size_t i = 0; i < used; ++i) {
        const rtn_reason_row *r = &rows[i];
        FUZZ_CHECK(r->count > 0 && r->share_low <= r->share && r->share <= r->share_high);
        FUZZ_CHECK(r->share_low >= 0.0 && r->share_high <= 1.0);
        FUZZ_CHECK(isnan(r->lost_share) || (r->lost_share >= 0.0 && r->lost_share <= 1.0 + 1e-15));
        if (i > 0)
            FUZZ_CHECK(order == RTN_REASON_BY_COUNT ? rows[i - 1].count >= r->count
                                                    : rows[i - 1].lost_mrr >= r->lost_mrr);
        total += r->count;
    }
    FUZZ_CHECK(total == n);
}

static void fuzz_segments(fuzz_input *in)
{
    uint64_t k[6], n[6];
    size_t groups = 1 + fuzz_byte(in) % 6;
    for (size_t g = 0; g < groups; ++g) {
        n[g] = fuzz_u64(in);
        k[g] = fuzz_byte(in) < 240 && n[g] ? fuzz_u64(in) % (n[g] + (n[g] < UINT64_MAX)) : fuzz_u64(in);
    }
    size_t reference = fuzz_byte(in) % (groups + 1);
    double confidence = fuzz_byte(in) < 200 ? 0.95 : fuzz_double(in);
    rtn_segment_row rows[6];
    double chisq, p;
    int rc = rtn_segments_compare(k, n, groups, reference, confidence, rows, &chisq, &p);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EINVAL || rc == RTN_EUNDEFINED || rc == RTN_EDOMAIN ||
               rc == RTN_EOVERFLOW);
    if (rc != RTN_OK)
        return;
    FUZZ_CHECK(isnan(p) || (p >= 0.0 && p <= 1.0 && chisq >= 0.0));
    for (size_t g = 0; g < groups; ++g) {
        const rtn_segment_row *r = &rows[g];
        FUZZ_CHECK(r->rate_low <= r->rate && r->rate <= r->rate_high);
        if (!isnan(r->diff_low))
            FUZZ_CHECK(r->diff_low <= r->diff && r->diff <= r->diff_high && r->diff_low >= -1.0 - 1e-12 &&
                       r->diff_high <= 1.0 + 1e-12);
        if (!isnan(r->lift_low))
            FUZZ_CHECK(r->lift_low <= r->lift && r->lift <= r->lift_high && r->lift_low >= -1.0);
        FUZZ_CHECK(isnan(r->p_value) || (r->p_value >= 0.0 && r->p_value <= 1.0));
    }
}

/* A tally of customer rows, then every pairwise statistic and the chi-square test, which must
 * be what rtn_segments_compare() reports for them. */
static void fuzz_segment_tally(fuzz_input *in)
{
    enum { G = 5, ROWS = 64 };
    int32_t segment[ROWS] = {0};
    uint8_t retained[ROWS] = {0};
    size_t groups = 1 + fuzz_byte(in) % G, n = fuzz_byte(in) % ROWS;
    uint64_t k[G] = {0}, tot[G] = {0}, naive_k[G] = {0}, naive_n[G] = {0};
    size_t first_bad = SIZE_MAX;
    for (size_t i = 0; i < n; ++i) {
        uint8_t b = fuzz_byte(in);
        segment[i] = b < 250 ? (int32_t)(b % groups) : (int32_t)b - 252; /* -2 … 3 */
        retained[i] = b < 245 ? (uint8_t)(fuzz_byte(in) & 1) : (uint8_t)(2 + b % 3);
        if (first_bad == SIZE_MAX && (segment[i] < 0 || (size_t)segment[i] >= groups || retained[i] > 1))
            first_bad = i;
        else if (first_bad == SIZE_MAX) {
            naive_n[segment[i]]++;
            naive_k[segment[i]] += retained[i];
        }
    }
    size_t bad = SIZE_MAX;
    int rc = rtn_segments_count(segment, retained, n, groups, k, tot, &bad);
    if (first_bad != SIZE_MAX) {
        FUZZ_CHECK(rc == RTN_EDOMAIN && bad == first_bad);
        for (size_t g = 0; g < groups; ++g)
            FUZZ_CHECK(k[g] == 0 && tot[g] == 0); /* nothing added */
        return;
    }
    FUZZ_CHECK(rc == RTN_OK);
    for (size_t g = 0; g < groups; ++g)
        FUZZ_CHECK(k[g] == naive_k[g] && tot[g] == naive_n[g]);
    /* sometimes huge tallies, at the edge of the totals' range */
    if (fuzz_byte(in) >= 224)
        for (size_t g = 0; g < groups; ++g) {
            tot[g] = fuzz_u64(in);
            k[g] = fuzz_byte(in) < 240 && tot[g] ? fuzz_u64(in) % tot[g] : fuzz_u64(in);
        }
    size_t reference = fuzz_byte(in) % groups;
    double confidence = fuzz_byte(in) < 200 ? 0.95 : fuzz_double(in);
    rtn_segment_row rows[G];
    double chisq = -1.0, p = -1.0;
    rc = rtn_segments_compare(k, tot, groups, reference, confidence, rows, &chisq, &p);
    if (rc != RTN_OK)
        return;
    double c2 = -1.0, df = -1.0, p2 = -1.0;
    int rc2 = rtn_proportions_chisq(k, tot, groups, &c2, &df, &p2);
    if (rc2 == RTN_OK)
        FUZZ_CHECK(c2 == chisq && p2 == p && df == (double)(groups - 1) && c2 >= 0.0 && p2 >= 0.0 &&
                   p2 <= 1.0);
    else
        FUZZ_CHECK(isnan(chisq) && isnan(p));
    for (size_t g = 0; g < groups; ++g) {
        if (g == reference)
            continue;
        double d = NAN, lo = NAN, hi = NAN, z = NAN, pv = NAN;
        const rtn_segment_row *r = &rows[g];
        rc = rtn_proportion_diff_interval(k[g], tot[g], k[reference], tot[reference], confidence, &d,
                                          &lo, &hi);
        FUZZ_CHECK(rc == RTN_OK && d == r->diff && lo == r->diff_low && hi == r->diff_high);
        rc = rtn_proportion_lift_interval(k[g], tot[g], k[reference], tot[reference], confidence, &d,
                                          &lo, &hi);
        FUZZ_CHECK(rc == RTN_OK || rc == RTN_EUNDEFINED);
        if (rc == RTN_OK)
            FUZZ_CHECK(d == r->lift && lo == r->lift_low && hi == r->lift_high);
        else
            FUZZ_CHECK(isnan(r->lift_low) && isnan(r->lift_high));
        rc = rtn_proportion_ztest(k[g], tot[g], k[reference], tot[reference], &z, &pv);
        FUZZ_CHECK(rc == RTN_OK || rc == RTN_EUNDEFINED);
        if (rc == RTN_OK)
            FUZZ_CHECK(z == r->z && pv == r->p_value && pv >= 0.0 && pv <= 1.0);
        else
            FUZZ_CHECK(isnan(r->z) && isnan(r->p_value));
    }
}

static void fuzz_economics(fuzz_input *in)
{
    double m = fuzz_double(in), r = fuzz_double(in), pts = fuzz_double(in), d = fuzz_double(in);
    double cac = fuzz_double(in), size = fuzz_double(in);
    uint32_t horizon = fuzz_byte(in) < 128 ? 0 : (uint32_t)fuzz_raw64(in);
    rtn_retention_value v;
    int rc = rtn_retention_economics(m, r, pts, d, cac, size, horizon, &v);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EDOMAIN || rc == RTN_EUNDEFINED || rc == RTN_EOVERFLOW);
    if (rc == RTN_OK)
        FUZZ_CHECK(v.clv_before >= 0.0 && v.clv_after >= 0.0 && isfinite(v.profit_before) &&
                   isfinite(v.profit_after) && !isinf(v.clv_change) && !isinf(v.profit_change));
}

FUZZ_DEFINE_FAILING_ALLOCATIONS(rtn_mrr_builder, rtn_mrr_table, huge_window(b))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rtn_mrr_builder *b = NULL;
    if (rtn_mrr_builder_deserialize(&b, data, size, NULL) == RTN_OK) {
        check_table(b);
        round_trip(b);
        rtn_mrr_builder_free(b);
        failing_allocations(data, size);
    }
    fuzz_input in = {data, size};
    fuzz_mrr_rows(&in);
    fuzz_reasons(&in);
    fuzz_segments(&in);
    fuzz_economics(&in);
    fuzz_reason_names(&in);
    fuzz_segment_tally(&in);
    return 0;
}
