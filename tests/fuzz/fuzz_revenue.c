/* Fuzz target: MRR movements, churn-reason tallies, segment comparisons, retention economics.
 *  1. The input as a serialised MRR builder: deserialising fails cleanly or yields a builder
 *     whose table (if any) satisfies the invariants below and whose bytes round-trip exactly.
 *  2. The input as MRR rows: every period balances (start + movements = end, to rounding),
 *     customer counts balance exactly, one period's end is the next one's start, rates stay in
 *     their ranges; a builder split in two and merged gives the same table.
 *  3. The input as reason codes and amounts: a report's shares are in their intervals, rows are
 *     sorted, counts add up; as segment counts: every interval contains its estimate, p-values
 *     are probabilities; as economics inputs: results are finite or a documented error. */
#include <stdlib.h>

#include "fuzz.h"

static void check_table(const rtn_mrr_builder *b)
{
    int64_t lo, hi;
    if (rtn_mrr_builder_get(b, RTN_MRR_FIRST_PERIOD, &lo) == RTN_OK &&
        rtn_mrr_builder_get(b, RTN_MRR_LAST_PERIOD, &hi) == RTN_OK && hi > lo && hi - lo > 100000)
        return; /* a valid but huge window: gigabytes, not a finding */
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
            double moved = COL(RTN_MRR_START, p) + COL(RTN_MRR_NEW, p) + COL(RTN_MRR_EXPANSION, p) +
                           COL(RTN_MRR_REACTIVATION, p) - COL(RTN_MRR_CONTRACTION, p) -
                           COL(RTN_MRR_CHURNED, p);
            FUZZ_CHECK(fabs(moved - COL(RTN_MRR_END, p)) <= 1e-12 * scale);
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

static void round_trip(const rtn_mrr_builder *b)
{
    size_t len = 0;
    FUZZ_CHECK(rtn_mrr_builder_serialize(b, NULL, 0, &len) == RTN_EBUFSIZE);
    uint8_t *buf = malloc(len), *again = malloc(len);
    if (buf && again && rtn_mrr_builder_serialize(b, buf, len, &len) == RTN_OK) {
        rtn_mrr_builder *copy = NULL;
        FUZZ_CHECK(rtn_mrr_builder_deserialize(&copy, buf, len, NULL) == RTN_OK);
        size_t len2 = 0;
        FUZZ_CHECK(rtn_mrr_builder_serialize(copy, again, len, &len2) == RTN_OK && len2 == len);
        FUZZ_CHECK(memcmp(buf, again, len) == 0);
        rtn_mrr_builder_free(copy);
    }
    free(buf);
    free(again);
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
            if (fuzz_byte(in) & 1)
                rtn_mrr_builder_set(a, RTN_MRR_FIRST_PERIOD, (int64_t)(fuzz_byte(in) % 16) - 2);
            if (fuzz_byte(in) & 1)
                rtn_mrr_builder_set(a, RTN_MRR_LAST_PERIOD, (int64_t)(fuzz_byte(in) % 16));
            check_table(a);
            round_trip(a);
        }
    }
    rtn_mrr_builder_free(a);
    rtn_mrr_builder_free(b);
    free(customer);
    free(period);
    free(mrr);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rtn_mrr_builder *b = NULL;
    if (rtn_mrr_builder_deserialize(&b, data, size, NULL) == RTN_OK) {
        check_table(b);
        round_trip(b);
        rtn_mrr_builder_free(b);
    }
    fuzz_input in = {data, size};
    fuzz_mrr_rows(&in);
    fuzz_reasons(&in);
    fuzz_segments(&in);
    fuzz_economics(&in);
    return 0;
}
