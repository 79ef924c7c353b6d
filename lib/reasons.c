/* Churn reasons (retention/reasons.h): the seed articles' taxonomy with the teams that mitigate
 * each reason, a tally in caller-owned arrays, and a report sorted by impact. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct reason_info {
    const char *name;
    uint32_t teams;
} reason_info;

/* Indexed by code; the order and the team assignments are the seed's list (DESIGN.md, "What the
 * seed documents ask for") and are part of the ABI. */
static const reason_info builtin[] = {
    {"other", 0},
    {"wrong_use_case", RTN_TEAM_MARKETING | RTN_TEAM_SALES},
    {"failed_launch", RTN_TEAM_SALES | RTN_TEAM_ONBOARDING},
    {"features", RTN_TEAM_PRODUCT | RTN_TEAM_SUPPORT},
    {"low_usage", RTN_TEAM_SUPPORT | RTN_TEAM_ONBOARDING},
    {"roi_value", RTN_TEAM_SUPPORT | RTN_TEAM_RELATIONSHIP_MANAGEMENT},
    {"organization_change", RTN_TEAM_SUPPORT | RTN_TEAM_RELATIONSHIP_MANAGEMENT},
};
#define N_BUILTIN (sizeof builtin / sizeof builtin[0])

static const char *const team_names[] = {"marketing", "sales",   "onboarding",
                                         "product",   "support", "relationship_management"};

static int is_builtin(int64_t code) { return code >= 0 && code < (int64_t)N_BUILTIN; }
static int is_user(int64_t code) { return code >= RTN_REASON_USER_MIN && code <= RTN_REASON_USER_MAX; }
static int is_known(int64_t code) { return is_builtin(code) || is_user(code); }

const char *rtn_reason_name(int32_t code) { return is_builtin(code) ? builtin[code].name : NULL; }

int rtn_reason_code(const char *name, int32_t *code)
{
    if (!name || !code)
        return RTN_EINVAL;
    for (size_t i = 0; i < N_BUILTIN; ++i)
        if (strcmp(name, builtin[i].name) == 0) {
            *code = (int32_t)i;
            return RTN_OK;
        }
    return RTN_EDOMAIN;
}

int rtn_reason_teams(int32_t code, uint32_t *teams)
{
    if (!teams)
        return RTN_EINVAL;
    if (!is_known(code))
        return RTN_EDOMAIN;
    *teams = is_builtin(code) ? builtin[code].teams : 0;
    return RTN_OK;
}

const char *rtn_team_name(uint32_t team)
{
    for (size_t i = 0; i < sizeof team_names / sizeof team_names[0]; ++i)
        if (team == (UINT32_C(1) << i))
            return team_names[i];
    return NULL;
}

int rtn_reason_tally_add(const int32_t *codes, const double *lost_mrr, size_t n, uint64_t *counts,
                         double *lost, size_t *bad_index)
{
    if (!counts || (n > 0 && !codes) || (lost_mrr && !lost))
        return RTN_EINVAL;
    /* validate everything, and total the call per code, before touching the tally */
    uint64_t add[RTN_REASON_CODES] = {0};
    rtn__sum sum[RTN_REASON_CODES];
    memset(sum, 0, sizeof sum);
    for (size_t i = 0; i < n; ++i) {
        if (!is_known(codes[i]) || (lost_mrr && !rtn__nonneg(lost_mrr[i]))) {
            if (bad_index)
                *bad_index = i;
            return RTN_EDOMAIN;
        }
        add[codes[i]]++;
        if (lost_mrr)
            rtn__sum_add(&sum[codes[i]], lost_mrr[i]);
    }
    double total[RTN_REASON_CODES];
    for (size_t c = 0; c < RTN_REASON_CODES; ++c) {
        uint64_t ignored;
        if (rtn__add_u64(counts[c], add[c], &ignored) != 0)
            return RTN_EOVERFLOW;
        if (lost_mrr) {
            total[c] = lost[c] + rtn__sum_value(&sum[c]);
            if (!isfinite(total[c]))
                return RTN_EOVERFLOW;
        }
    }
    for (size_t c = 0; c < RTN_REASON_CODES; ++c) {
        counts[c] += add[c];
        if (lost_mrr)
            lost[c] = total[c];
    }
    return RTN_OK;
}

/* Report orders for qsort: largest first, ties by the other measure, then by the lower code. */
static int by_lost_mrr(const void *pa, const void *pb)
{
    const rtn_reason_row *a = pa, *b = pb;
    if (a->lost_mrr != b->lost_mrr)
        return a->lost_mrr > b->lost_mrr ? -1 : 1;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return a->code < b->code ? -1 : a->code > b->code;
}

static int by_count(const void *pa, const void *pb)
{
    const rtn_reason_row *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if (a->lost_mrr != b->lost_mrr && !isnan(a->lost_mrr))
        return a->lost_mrr > b->lost_mrr ? -1 : 1;
    return a->code < b->code ? -1 : a->code > b->code;
}

int rtn_reason_report(const uint64_t *counts, const double *lost, int32_t order,
                      double confidence, rtn_reason_row *rows, size_t cap, size_t *n_rows)
{
    double z;
    if (!counts || !rows || !n_rows || (order != RTN_REASON_BY_LOST_MRR && order != RTN_REASON_BY_COUNT) ||
        (order == RTN_REASON_BY_LOST_MRR && !lost) || rtn__normal_critical(confidence, &z) != 0)
        return RTN_EINVAL;
    uint64_t total = 0;
    rtn__sum lost_sum = {0.0, 0.0};
    size_t used = 0;
    for (size_t c = 0; c < RTN_REASON_CODES; ++c) {
        int reserved = !is_known((int64_t)c);
        if (lost && !rtn__nonneg(lost[c]))
            return RTN_EDOMAIN;
        if (reserved && (counts[c] != 0 || (lost && lost[c] != 0.0)))
            return RTN_EDOMAIN;
        if (rtn__add_u64(total, counts[c], &total) != 0)
            return RTN_EOVERFLOW;
        if (lost)
            rtn__sum_add(&lost_sum, lost[c]);
        used += counts[c] > 0;
    }
    double all_lost = rtn__sum_value(&lost_sum);
    if (lost && !isfinite(all_lost))
        return RTN_EOVERFLOW;
    if (total == 0)
        return RTN_EUNDEFINED;
    *n_rows = used;
    if (cap < used)
        return RTN_EBUFSIZE;
    rtn_reason_row tmp[RTN_REASON_CODES];
    size_t r = 0;
    for (size_t c = 0; c < RTN_REASON_CODES; ++c) {
        if (counts[c] == 0)
            continue;
        rtn_reason_row *row = &tmp[r++];
        row->code = (int32_t)c;
        rtn_reason_teams(row->code, &row->teams);
        row->count = counts[c];
        row->share = (double)counts[c] / (double)total;
        rtn__wilson(counts[c], total, z, &row->share_low, &row->share_high);
        row->lost_mrr = lost ? lost[c] : NAN;
        row->lost_share = lost && all_lost > 0.0 ? lost[c] / all_lost : NAN;
    }
    qsort(tmp, used, sizeof tmp[0], order == RTN_REASON_BY_LOST_MRR ? by_lost_mrr : by_count);
    memcpy(rows, tmp, used * sizeof tmp[0]);
    return RTN_OK;
}
