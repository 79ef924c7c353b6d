/* Churn reasons (retention/reasons.h): the taxonomy, the tally, the report, bad input. */
#include <string.h>

#include "rtn_test.h"

/* The seed's taxonomy, written out from DESIGN.md ("What the seed documents ask for"). */
static void test_taxonomy(void **state)
{
    (void)state;
    static const struct {
        int32_t code;
        const char *name;
        uint32_t teams;
    } seed[] = {
        {RTN_REASON_OTHER, "other", 0},
        {RTN_REASON_WRONG_USE_CASE, "wrong_use_case", RTN_TEAM_MARKETING | RTN_TEAM_SALES},
        {RTN_REASON_FAILED_LAUNCH, "failed_launch", RTN_TEAM_SALES | RTN_TEAM_ONBOARDING},
        {RTN_REASON_FEATURES, "features", RTN_TEAM_PRODUCT | RTN_TEAM_SUPPORT},
        {RTN_REASON_LOW_USAGE, "low_usage", RTN_TEAM_SUPPORT | RTN_TEAM_ONBOARDING},
        {RTN_REASON_ROI_VALUE, "roi_value", RTN_TEAM_SUPPORT | RTN_TEAM_RELATIONSHIP_MANAGEMENT},
        {RTN_REASON_ORGANIZATION_CHANGE, "organization_change",
         RTN_TEAM_SUPPORT | RTN_TEAM_RELATIONSHIP_MANAGEMENT},
    };
    /* pinned values */
    assert_int_equal(RTN_REASON_ORGANIZATION_CHANGE, 6);
    assert_int_equal(RTN_TEAM_RELATIONSHIP_MANAGEMENT, 32);
    for (size_t i = 0; i < sizeof seed / sizeof seed[0]; ++i) {
        assert_string_equal(rtn_reason_name(seed[i].code), seed[i].name);
        int32_t code = -1;
        assert_int_equal(rtn_reason_code(seed[i].name, &code), RTN_OK);
        assert_int_equal(code, seed[i].code);
        uint32_t teams = 99;
        assert_int_equal(rtn_reason_teams(seed[i].code, &teams), RTN_OK);
        assert_int_equal(teams, seed[i].teams);
    }
    const char *teams[] = {"marketing", "sales", "onboarding", "product", "support",
                           "relationship_management"};
    for (uint32_t b = 0; b < 6; ++b)
        assert_string_equal(rtn_team_name(1u << b), teams[b]);
    assert_null(rtn_team_name(0));
    assert_null(rtn_team_name(3));
    assert_null(rtn_team_name(64));
    /* user codes have no name and no team; reserved and out-of-range codes are unknown */
    uint32_t t = 99;
    assert_null(rtn_reason_name(64));
    assert_int_equal(rtn_reason_teams(64, &t), RTN_OK);
    assert_int_equal(t, 0);
    assert_int_equal(rtn_reason_teams(255, &t), RTN_OK);
    const int32_t unknown[] = {7, 63, 256, -1, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; ++i) {
        t = 99;
        assert_null(rtn_reason_name(unknown[i]));
        assert_int_equal(rtn_reason_teams(unknown[i], &t), RTN_EDOMAIN);
        assert_int_equal(t, 99);
    }
    assert_int_equal(rtn_reason_teams(1, NULL), RTN_EINVAL);
    int32_t code = 42;
    assert_int_equal(rtn_reason_code("Features", &code), RTN_EDOMAIN); /* exact spelling only */
    assert_int_equal(rtn_reason_code("", &code), RTN_EDOMAIN);
    assert_int_equal(code, 42);
    assert_int_equal(rtn_reason_code(NULL, &code), RTN_EINVAL);
    assert_int_equal(rtn_reason_code("other", NULL), RTN_EINVAL);
}

/* 80 churned customers: features 40 (lost 4000), roi_value 25 (lost 9000), other 10 (lost 500),
 * user code 64 5 (lost 9000: ties roi_value on MRR, fewer customers). Shares by hand; Wilson
 * intervals from statsmodels' proportion_confint(k, 80, alpha=0.05, method="wilson"). */
static void tally_example(uint64_t *counts, double *lost)
{
    int32_t codes[80];
    double mrr[80];
    size_t n = 0;
    for (int i = 0; i < 40; ++i)
        codes[n] = RTN_REASON_FEATURES, mrr[n++] = 100.0;
    for (int i = 0; i < 25; ++i)
        codes[n] = RTN_REASON_ROI_VALUE, mrr[n++] = 360.0;
    for (int i = 0; i < 10; ++i)
        codes[n] = RTN_REASON_OTHER, mrr[n++] = 50.0;
    for (int i = 0; i < 5; ++i)
        codes[n] = 64, mrr[n++] = 1800.0;
    memset(counts, 0, RTN_REASON_CODES * sizeof *counts);
    memset(lost, 0, RTN_REASON_CODES * sizeof *lost);
    /* two batches add like one */
    assert_int_equal(rtn_reason_tally_add(codes, mrr, 33, counts, lost, NULL), RTN_OK);
    assert_int_equal(rtn_reason_tally_add(codes + 33, mrr + 33, 47, counts, lost, NULL), RTN_OK);
}

static void test_report(void **state)
{
    (void)state;
    uint64_t counts[RTN_REASON_CODES];
    double lost[RTN_REASON_CODES];
    tally_example(counts, lost);
    assert_int_equal(counts[RTN_REASON_FEATURES], 40);
    assert_rel(lost[RTN_REASON_ROI_VALUE], 9000.0, RTN_TOL);
    rtn_reason_row rows[RTN_REASON_CODES];
    size_t n = 0;
    assert_int_equal(rtn_reason_report(counts, lost, RTN_REASON_BY_LOST_MRR, 0.95, rows,
                                       RTN_REASON_CODES, &n), RTN_OK);
    assert_int_equal(n, 4);
    /* by lost MRR: roi_value and 64 tie at 9000, roi_value has more customers */
    const int32_t by_mrr[] = {RTN_REASON_ROI_VALUE, 64, RTN_REASON_FEATURES, RTN_REASON_OTHER};
    for (size_t i = 0; i < 4; ++i)
        assert_int_equal(rows[i].code, by_mrr[i]);
    assert_int_equal(rows[0].count, 25);
    assert_int_equal(rows[0].teams, RTN_TEAM_SUPPORT | RTN_TEAM_RELATIONSHIP_MANAGEMENT);
    assert_rel(rows[0].share, 25.0 / 80.0, RTN_TOL);
    assert_rel(rows[0].share_low, 0.22150404112894817, 1e-12);
    assert_rel(rows[0].share_high, 0.4206777574468744, 1e-12);
    assert_rel(rows[0].lost_mrr, 9000.0, RTN_TOL);
    assert_rel(rows[0].lost_share, 9000.0 / 22500.0, RTN_TOL);
    assert_int_equal(rows[1].teams, 0);
    assert_rel(rows[1].share_low, 0.026989375670841982, 1e-12);
    assert_rel(rows[1].share_high, 0.13810148767274427, 1e-12);
    assert_rel(rows[2].share_low, 0.3929741508611972, 1e-12);
    assert_rel(rows[2].share_high, 0.6070258491388029, 1e-12);
    assert_rel(rows[3].share_low, 0.06933557616004862, 1e-12);
    assert_rel(rows[3].share_high, 0.2150280209915967, 1e-12);
    /* by count: features, roi_value, other, 64 */
    assert_int_equal(rtn_reason_report(counts, lost, RTN_REASON_BY_COUNT, 0.95, rows, 4, &n), RTN_OK);
    const int32_t by_count[] = {RTN_REASON_FEATURES, RTN_REASON_ROI_VALUE, RTN_REASON_OTHER, 64};
    for (size_t i = 0; i < 4; ++i)
        assert_int_equal(rows[i].code, by_count[i]);
    /* counts only: MRR fields NaN; equal counts go by code */
    uint64_t c2[RTN_REASON_CODES] = {0};
    int32_t codes[] = {5, 3, 3, 5, 200};
    assert_int_equal(rtn_reason_tally_add(codes, NULL, 5, c2, NULL, NULL), RTN_OK);
    assert_int_equal(rtn_reason_report(c2, NULL, RTN_REASON_BY_COUNT, 0.9, rows, 3, &n), RTN_OK);
    assert_int_equal(n, 3);
    assert_int_equal(rows[0].code, 3);
    assert_int_equal(rows[1].code, 5);
    assert_int_equal(rows[2].code, 200);
    assert_true(isnan(rows[0].lost_mrr) && isnan(rows[0].lost_share));
    /* lost MRR all 0: shares of it undefined */
    double zero[RTN_REASON_CODES] = {0};
    assert_int_equal(rtn_reason_report(c2, zero, RTN_REASON_BY_LOST_MRR, 0.9, rows, 3, &n), RTN_OK);
    assert_true(rows[0].lost_mrr == 0.0 && isnan(rows[0].lost_share));
}

static void test_bad_input(void **state)
{
    (void)state;
    uint64_t counts[RTN_REASON_CODES] = {0};
    double lost[RTN_REASON_CODES] = {0};
    int32_t codes[] = {1, 2, 3};
    double mrr[] = {10, 20, 30};
    /* unknown codes and bad amounts: EDOMAIN at the first bad row, the tally untouched */
    const int32_t bad_codes[] = {7, 63, 256, -1};
    for (size_t i = 0; i < 4; ++i) {
        codes[2] = bad_codes[i];
        size_t bad = 99;
        assert_int_equal(rtn_reason_tally_add(codes, mrr, 3, counts, lost, &bad), RTN_EDOMAIN);
        assert_int_equal(bad, 2);
    }
    codes[2] = 3;
    const double bad_mrr[] = {-1.0, NAN, INFINITY};
    for (size_t i = 0; i < 3; ++i) {
        mrr[1] = bad_mrr[i];
        size_t bad = 99;
        assert_int_equal(rtn_reason_tally_add(codes, mrr, 3, counts, lost, &bad), RTN_EDOMAIN);
        assert_int_equal(bad, 1);
    }
    mrr[1] = 20;
    for (size_t c = 0; c < RTN_REASON_CODES; ++c)
        assert_true(counts[c] == 0 && lost[c] == 0.0);
    assert_int_equal(rtn_reason_tally_add(codes, mrr, 3, NULL, lost, NULL), RTN_EINVAL);
    assert_int_equal(rtn_reason_tally_add(NULL, mrr, 3, counts, lost, NULL), RTN_EINVAL);
    assert_int_equal(rtn_reason_tally_add(codes, mrr, 3, counts, NULL, NULL), RTN_EINVAL);
    assert_int_equal(rtn_reason_tally_add(NULL, NULL, 0, counts, NULL, NULL), RTN_OK);
    /* overflow: of a count, of an amount; the tally is untouched */
    counts[1] = UINT64_MAX;
    assert_int_equal(rtn_reason_tally_add(codes, mrr, 3, counts, lost, NULL), RTN_EOVERFLOW);
    assert_true(counts[1] == UINT64_MAX && counts[2] == 0);
    counts[1] = 0;
    lost[3] = 1.7e308;
    mrr[2] = 1e308;
    assert_int_equal(rtn_reason_tally_add(codes, mrr, 3, counts, lost, NULL), RTN_EOVERFLOW);
    assert_true(counts[1] == 0 && lost[1] == 0.0);
    lost[3] = 0.0;

    rtn_reason_row rows[4];
    size_t n = 1234;
    /* nobody churned */
    assert_int_equal(rtn_reason_report(counts, lost, RTN_REASON_BY_COUNT, 0.95, rows, 4, &n),
                     RTN_EUNDEFINED);
    assert_int_equal(n, 1234);
    counts[1] = 2, counts[3] = 1, counts[64] = 1;
    assert_int_equal(rtn_reason_report(counts, lost, RTN_REASON_BY_COUNT, 0.95, rows, 2, &n),
                     RTN_EBUFSIZE);
    assert_int_equal(n, 3);
    assert_int_equal(rtn_reason_report(counts, NULL, RTN_REASON_BY_LOST_MRR, 0.95, rows, 4, &n),
                     RTN_EINVAL);
    assert_int_equal(rtn_reason_report(counts, lost, 2, 0.95, rows, 4, &n), RTN_EINVAL);
    const double bad_conf[] = {0.0, 1.0, NAN, -0.5};
    for (size_t i = 0; i < 4; ++i)
        assert_int_equal(rtn_reason_report(counts, lost, RTN_REASON_BY_COUNT, bad_conf[i], rows,
                                           4, &n), RTN_EINVAL);
    assert_int_equal(rtn_reason_report(NULL, lost, RTN_REASON_BY_COUNT, 0.95, rows, 4, &n), RTN_EINVAL);
    assert_int_equal(rtn_reason_report(counts, lost, RTN_REASON_BY_COUNT, 0.95, NULL, 4, &n), RTN_EINVAL);
    assert_int_equal(rtn_reason_report(counts, lost, RTN_REASON_BY_COUNT, 0.95, rows, 4, NULL), RTN_EINVAL);
    /* a tally with something under a reserved code, or a bad amount, is corrupt input */
    counts[10] = 1;
    assert_int_equal(rtn_reason_report(counts, lost, RTN_REASON_BY_COUNT, 0.95, rows, 4, &n), RTN_EDOMAIN);
    counts[10] = 0;
    lost[3] = NAN;
    assert_int_equal(rtn_reason_report(counts, lost, RTN_REASON_BY_COUNT, 0.95, rows, 4, &n), RTN_EDOMAIN);
    lost[3] = 1e308, lost[1] = 1e308;
    assert_int_equal(rtn_reason_report(counts, lost, RTN_REASON_BY_COUNT, 0.95, rows, 4, &n), RTN_EOVERFLOW);
    lost[3] = 0.0, lost[1] = 0.0;
    counts[2] = UINT64_MAX;
    assert_int_equal(rtn_reason_report(counts, lost, RTN_REASON_BY_COUNT, 0.95, rows, 4, &n), RTN_EOVERFLOW);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_taxonomy),
        cmocka_unit_test(test_report),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
