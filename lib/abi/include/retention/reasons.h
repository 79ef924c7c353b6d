/**
 * @file retention/reasons.h
 * @brief Churn reasons: a stable taxonomy with the team that mitigates each reason, and a tally
 *        of churned customers by reason — counts, lost MRR, shares with Wilson intervals —
 *        sorted by impact.
 *
 * **The taxonomy** (the seed articles'): each churned customer is coded with one reason. Codes
 * 1–6 are the built-in reasons, 0 is "other", 64–255 are free for the user's own reasons (their
 * names are the user's to keep); 7–63 are reserved and rejected.
 * | code | name               | mitigated by                                   |
 * |------|--------------------|------------------------------------------------|
 * | 0    | other              | (no team)                                      |
 * | 1    | wrong_use_case     | marketing, sales                               |
 * | 2    | failed_launch      | sales, onboarding                              |
 * | 3    | features           | product, support                               |
 * | 4    | low_usage          | support, onboarding                            |
 * | 5    | roi_value          | support, relationship management               |
 * | 6    | organization_change | support, relationship management              |
 *
 * **The tally** is a pair of caller-owned arrays of ::RTN_REASON_CODES entries indexed by code:
 * churned customers and their lost MRR. Tallies of separate batches (threads, files, machines)
 * add element-wise into the tally of all of them, then one call reports.
 *
 * **The report** has a row per reason with at least one customer: its count and share of the
 * churned customers with a Wilson score interval (the share's uncertainty as a binomial
 * proportion: is "features" really the top reason, or noise?), and its lost MRR with its share
 * of all lost MRR (a money-weighted share: no binomial interval applies to it). Rows are sorted
 * by impact — lost MRR, or count — largest first; ties go by the other measure (when there is
 * one), then by code, lowest first.
 *
 * Pure functions on caller memory: thread-safe, no allocation.
 */
#ifndef RETENTION_REASONS_H
#define RETENTION_REASONS_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Built-in churn reasons. Values are pinned forever. */
typedef enum rtn_churn_reason {
    RTN_REASON_OTHER = 0,               /**< anything else, or not coded */
    RTN_REASON_WRONG_USE_CASE = 1,      /**< bought for something it does not do */
    RTN_REASON_FAILED_LAUNCH = 2,       /**< never got it running */
    RTN_REASON_FEATURES = 3,            /**< features and functionality */
    RTN_REASON_LOW_USAGE = 4,           /**< did not use it enough */
    RTN_REASON_ROI_VALUE = 5,           /**< did not see the return or the value */
    RTN_REASON_ORGANIZATION_CHANGE = 6  /**< the client or its organisation changed */
} rtn_churn_reason;

/** The first and last user-defined code. */
#define RTN_REASON_USER_MIN 64
#define RTN_REASON_USER_MAX 255
/** The length of a tally's arrays: one entry per possible code, 0 … 255. */
#define RTN_REASON_CODES 256

/** Teams, as bits of a mask (rtn_reason_teams()). Values pinned forever. */
typedef enum rtn_team {
    RTN_TEAM_MARKETING = 1,
    RTN_TEAM_SALES = 2,
    RTN_TEAM_ONBOARDING = 4,
    RTN_TEAM_PRODUCT = 8,
    RTN_TEAM_SUPPORT = 16,
    RTN_TEAM_RELATIONSHIP_MANAGEMENT = 32
} rtn_team;

/** Report order (rtn_reason_report()). Values pinned forever. */
typedef enum rtn_reason_order {
    RTN_REASON_BY_LOST_MRR = 0, /**< largest lost MRR first */
    RTN_REASON_BY_COUNT = 1     /**< most churned customers first */
} rtn_reason_order;

/** One row of a report. */
typedef struct rtn_reason_row {
    int32_t code;       /**< the reason */
    uint32_t teams;     /**< its teams (an ::rtn_team mask; 0 for other and user codes) */
    uint64_t count;     /**< churned customers with this reason */
    double share;       /**< count / all churned customers */
    double share_low;   /**< Wilson interval of the share */
    double share_high;
    double lost_mrr;    /**< their MRR when they churned (NaN without MRR) */
    double lost_share;  /**< lost_mrr / all lost MRR (NaN without MRR or when it is all 0) */
} rtn_reason_row;

/**
 * The name of a built-in reason ("wrong_use_case", …, "other"), a static string; NULL for any
 * other code.
 */
RTN_API const char *rtn_reason_name(int32_t code);

/**
 * The code of a built-in reason's name (exactly as rtn_reason_name() spells it).
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers; ::RTN_EDOMAIN for any other name.
 */
RTN_API int rtn_reason_code(const char *name, int32_t *code);

/**
 * The teams that mitigate a reason, as an ::rtn_team mask (0 for "other" and user codes).
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL @p teams; ::RTN_EDOMAIN for a code that is not
 *         0–6 or 64–255.
 */
RTN_API int rtn_reason_teams(int32_t code, uint32_t *teams);

/** The name of one team bit ("marketing", "sales", "onboarding", "product", "support",
 *  "relationship_management"), a static string; NULL for anything else. */
RTN_API const char *rtn_team_name(uint32_t team);

/**
 * Adds churned customers to a tally: customer i left for reason codes[i], losing lost_mrr[i].
 * The whole call is validated first: on error the tally is unchanged.
 * @param codes n reason codes (0–6 or 64–255).
 * @param lost_mrr NULL (counts only) or n finite amounts ≥ 0.
 * @param counts, lost the tally, ::RTN_REASON_CODES entries each (start from zeros); @p lost may
 *        be NULL when @p lost_mrr is.
 * @param[out] bad_index may be NULL; on ::RTN_EDOMAIN the first bad row.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL tally, a NULL column with n > 0, or lost_mrr
 *         without lost; ::RTN_EDOMAIN for an unknown code or a negative, NaN or infinite
 *         amount; ::RTN_EOVERFLOW if a count would pass 2^64 − 1 or an amount DBL_MAX.
 */
RTN_API int rtn_reason_tally_add(const int32_t *codes, const double *lost_mrr, size_t n,
                                 uint64_t *counts, double *lost, size_t *bad_index);

/**
 * Reports a tally, sorted by impact (see the file comment).
 * @param counts ::RTN_REASON_CODES counts; @param lost ::RTN_REASON_CODES amounts, or NULL.
 * @param order an ::rtn_reason_order (::RTN_REASON_BY_LOST_MRR needs @p lost).
 * @param confidence the Wilson intervals' two-sided level, in (0, 1).
 * @param rows room for @p cap rows (::RTN_REASON_CODES always suffices); @param[out] n_rows.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers, an unknown order, or a confidence outside
 *         (0, 1); ::RTN_EDOMAIN for a count or amount under a reserved code, or a negative,
 *         NaN or infinite amount; ::RTN_EUNDEFINED when there are no churned customers;
 *         ::RTN_EOVERFLOW if the counts' total passes 2^64 − 1 or the amounts' DBL_MAX;
 *         ::RTN_EBUFSIZE (with *n_rows set, rows untouched) if cap is too small.
 */
RTN_API int rtn_reason_report(const uint64_t *counts, const double *lost, int32_t order,
                              double confidence, rtn_reason_row *rows, size_t cap,
                              size_t *n_rows);

#ifdef __cplusplus
}
#endif

#endif /* RETENTION_REASONS_H */
