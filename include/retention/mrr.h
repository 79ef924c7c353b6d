/**
 * @file retention/mrr.h
 * @brief Recurring-revenue movements (the "MRR bridge"): what each period's revenue gained and
 *        lost, by whom, and the revenue rates that follow — exact, and mergeable.
 *
 * **Input.** Rows (customer, period, mrr): the customer paid `mrr` (≥ 0, any one currency) in the
 * period with that index. Periods are consecutive integers — month numbers, say, or indices from
 * rtn_calendar_period() for timestamps. Rows come in any order; several rows of one customer in
 * one period add up (two subscriptions); a customer with no row, or only rows of 0, in a period
 * is not paying in it.
 *
 * **Movements.** With m(c, p) the MRR of customer c in period p (0 when absent), every paying
 * customer's change from period p − 1 to period p is exactly one movement:
 * | m(c, p − 1) | m(c, p)            | movement in period p                          | amount       |
 * |-------------|--------------------|-----------------------------------------------|--------------|
 * | 0           | > 0                | **new** if c never paid before p, else **reactivation** | m(c, p) |
 * | > 0         | > m(c, p − 1)      | **expansion**                                  | the increase |
 * | > 0         | 0 < … < m(c, p − 1) | **contraction**                               | the decrease |
 * | > 0         | 0                  | **churned**                                    | m(c, p − 1)  |
 * | > 0         | = m(c, p − 1)      | none (retained, flat)                         |              |
 * Reactivation — a customer who paid, stopped, and pays again — is its own movement: naive
 * implementations count it as new revenue, which inflates acquisition and hides win-backs.
 * Starting MRR of period p is Σ m(c, p − 1) and ending MRR Σ m(c, p), so for every period
 *   start + new + expansion + reactivation − contraction − churned = end,
 * and the same holds for the customer counts (start + new + reactivated − churned = end; the
 * expansion and contraction counts are customers who stayed).
 *
 * **Exactness.** A customer's rows in a period are summed in double-double arithmetic (about 106
 * bits) and rounded once to a double: that is m(c, p), whatever the order of the rows or the way
 * the input was split and merged — so 29.97 + 28.94 one month and 58.91 the next is flat, not a
 * 2e-15 expansion of the binary values. The movements and the start and end MRR sum these
 * m(c, p) in double-double and are rounded once when read; with amounts in whole cents (or any
 * amounts whose sums a double holds exactly) the bridge balances exactly in double arithmetic.
 *
 * **The window.** The table has a row for every period from the first period to the last
 * (defaults: the earliest and latest period of any row added, rows of 0 included — so include a
 * row of 0, or set ::RTN_MRR_LAST_PERIOD, to see churn in a period where nobody paid). Rows
 * before the first period still count: they give the first period's start and tell reactivation
 * from new revenue. Rows after the last period are ignored.
 *
 * **Rates** per period (columns 14–18) come from retention/rates.h with this period's figures:
 * gross revenue churn = (churned + contraction) / start; net revenue churn = (churned +
 * contraction − expansion − reactivation) / start; NRR = (start + expansion − contraction −
 * churned) / start; GRR = (start − contraction − churned) / start; quick ratio = (new +
 * expansion + reactivation) / (churned + contraction), crediting win-backs as ChartMogul does.
 * A rate is NaN where it is undefined (start = 0; for the quick ratio, no losses) — never 0.
 *
 * **Mergeable partial state.** A builder keeps each customer's MRR per period (not the movements),
 * so two builders merge exactly into the builder of the union of their rows, however the rows
 * were split. The state serialises to a versioned, little-endian byte format; equal states
 * (the same rows, however added and merged, and the same options) give identical bytes.
 *
 * **Ownership and threads.** Builders and tables are opaque, released with rtn_mrr_builder_free()
 * / rtn_mrr_table_free() (NULL is a no-op). A handle is used by one thread at a time; const
 * functions (finish, serialise, the table accessors) may run concurrently on one handle.
 *
 * @code
 * rtn_mrr_table *t = NULL;
 * int64_t first; size_t periods;
 * if (rtn_mrr_table_build(customer, month, mrr, n, &t, NULL) == RTN_OK &&
 *     rtn_mrr_table_periods(t, &first, &periods) == RTN_OK) {
 *     double *churned = malloc(periods * sizeof *churned);
 *     rtn_mrr_table_column(t, RTN_MRR_CHURNED, churned, periods);
 * }
 * rtn_mrr_table_free(t);
 * @endcode
 */
#ifndef RETENTION_MRR_H
#define RETENTION_MRR_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rtn_mrr_builder rtn_mrr_builder;
typedef struct rtn_mrr_table rtn_mrr_table;

/** The smallest and largest period index accepted (±2^35: beyond any calendar's needs). */
#define RTN_MRR_PERIOD_MIN (-INT64_C(34359738368))
#define RTN_MRR_PERIOD_MAX INT64_C(34359738368)
/** The most periods a table may have (2^24). */
#define RTN_MRR_MAX_PERIODS 16777216

/** Builder parameters for rtn_mrr_builder_set() / _get(); values pinned forever. */
typedef enum rtn_mrr_param {
    /** The first period of the table (RTN_MRR_PERIOD_MIN … MAX). Default: the earliest period
     *  of any row. */
    RTN_MRR_FIRST_PERIOD = 0,
    /** The last period of the table (the observation end). Default: the latest period of any
     *  row. */
    RTN_MRR_LAST_PERIOD = 1
} rtn_mrr_param;

/** The columns of a table, one value per period (rtn_mrr_table_column()); values pinned. */
typedef enum rtn_mrr_column {
    RTN_MRR_START = 0,         /**< MRR at the start: Σ m(c, p − 1) */
    RTN_MRR_NEW = 1,           /**< MRR of first-time payers */
    RTN_MRR_EXPANSION = 2,     /**< increases of customers who paid in p − 1 and p */
    RTN_MRR_REACTIVATION = 3,  /**< MRR of returning former payers */
    RTN_MRR_CONTRACTION = 4,   /**< decreases (a positive amount) of customers who stayed */
    RTN_MRR_CHURNED = 5,       /**< p − 1 MRR of customers who stopped paying */
    RTN_MRR_END = 6,           /**< MRR at the end: Σ m(c, p) */
    RTN_MRR_START_CUSTOMERS = 7,        /**< customers paying in p − 1 */
    RTN_MRR_NEW_CUSTOMERS = 8,          /**< first-time payers */
    RTN_MRR_EXPANSION_CUSTOMERS = 9,    /**< customers who expanded */
    RTN_MRR_REACTIVATION_CUSTOMERS = 10, /**< customers who came back */
    RTN_MRR_CONTRACTION_CUSTOMERS = 11, /**< customers who contracted */
    RTN_MRR_CHURNED_CUSTOMERS = 12,     /**< customers who stopped paying */
    RTN_MRR_END_CUSTOMERS = 13,         /**< customers paying in p */
    RTN_MRR_GROSS_REVENUE_CHURN = 14,   /**< (churned + contraction) / start */
    RTN_MRR_NET_REVENUE_CHURN = 15,     /**< (churned + contraction − expansion − reactivation) / start */
    RTN_MRR_NRR = 16,                   /**< (start + expansion − contraction − churned) / start */
    RTN_MRR_GRR = 17,                   /**< (start − contraction − churned) / start */
    RTN_MRR_QUICK_RATIO = 18            /**< (new + expansion + reactivation) / (churned + contraction) */
} rtn_mrr_column;

/** The number of columns in this version (RTN_MRR_START … RTN_MRR_QUICK_RATIO). */
#define RTN_MRR_COLUMN_COUNT 19

/**
 * Creates an empty builder. @p alloc may be NULL (malloc/free); it is copied.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL @p out or an allocator without both functions;
 *         ::RTN_ENOMEM.
 */
RTN_API int rtn_mrr_builder_create(rtn_mrr_builder **out, const rtn_allocator *alloc);

/** Releases a builder; NULL is a no-op. */
RTN_API void rtn_mrr_builder_free(rtn_mrr_builder *b);

/**
 * Sets the first or last period of the table (a finishing option: it may change at any time).
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL builder, an unknown parameter or a period outside
 *         RTN_MRR_PERIOD_MIN … RTN_MRR_PERIOD_MAX.
 */
RTN_API int rtn_mrr_builder_set(rtn_mrr_builder *b, int32_t param, int64_t value);

/**
 * Returns a parameter to its default (the earliest or latest period of the rows).
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL builder or an unknown parameter.
 */
RTN_API int rtn_mrr_builder_unset(rtn_mrr_builder *b, int32_t param);

/**
 * Whether a parameter is set (1) or follows its default (0).
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers or an unknown parameter.
 */
RTN_API int rtn_mrr_builder_is_set(const rtn_mrr_builder *b, int32_t param, int32_t *is_set);

/**
 * Reads a parameter: the value set, else its default from the rows added so far.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL pointer or an unknown parameter; ::RTN_EUNDEFINED
 *         for a default when no row has been added.
 */
RTN_API int rtn_mrr_builder_get(const rtn_mrr_builder *b, int32_t param, int64_t *value);

/**
 * Adds rows: customer[i] paid mrr[i] in period[i]. Columns of length n, any order; n = 0 adds
 * nothing. The whole call is validated first: on error nothing is added. The rows go into a
 * cohort builder's state (see rtn_cohort_builder_add()): a stream of N rows costs O(N log N) in
 * all whatever the chunk sizes; larger chunks are cheaper per row.
 * @param customer any int64 ids.
 * @param period indices in RTN_MRR_PERIOD_MIN … RTN_MRR_PERIOD_MAX.
 * @param mrr finite amounts ≥ 0 (0 = not paying, but the period counts for the window).
 * @param[out] bad_index may be NULL; on ::RTN_EDOMAIN the index of the first bad row.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL builder or a NULL column with n > 0;
 *         ::RTN_EDOMAIN for a period out of range or a negative, NaN or infinite amount;
 *         ::RTN_EOVERFLOW if a customer's MRR in a period would pass DBL_MAX; ::RTN_ENOMEM.
 */
RTN_API int rtn_mrr_builder_add(rtn_mrr_builder *b, const int64_t *customer,
                                const int64_t *period, const double *mrr, size_t n,
                                size_t *bad_index);

/**
 * Merges @p from into @p into: afterwards @p into holds the rows of both. The first and last
 * periods of @p into, if set, are kept.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers or the same builder twice;
 *         ::RTN_EOVERFLOW if a sum would pass DBL_MAX; ::RTN_ENOMEM (@p into then unchanged).
 */
RTN_API int rtn_mrr_builder_merge(rtn_mrr_builder *into, const rtn_mrr_builder *from);

/**
 * Serialises a builder. Call with buf = NULL (or too small a cap) to learn the size in *len.
 *
 * Format version 1, integers little-endian:
 *   "RTNMRRBD" (8 bytes) · u32 version = 1 · u32 flags = 0 · i64 first_period ·
 *   i64 last_period · u8 first_set · u8 last_set · u16 reserved = 0 · u32 reserved = 0 ·
 *   u64 n_state · n_state bytes: the rows as a cohort builder's state (rtn_cohort_builder_serialize()
 *   format, with period unit ::RTN_PERIOD_SECONDS of 1 second, offset 0, no signups, amounts
 *   ≥ 0: the "time" of a row is its period index) · u64 FNV-1a checksum of every byte before it.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL builder or @p len; ::RTN_EBUFSIZE (with *len set)
 *         when buf is NULL or cap < *len; ::RTN_ENOMEM if the size would not fit a size_t,
 *         or memory to merge the runs of separate adds into one list ran out (*len unchanged).
 */
RTN_API int rtn_mrr_builder_serialize(const rtn_mrr_builder *b, uint8_t *buf, size_t cap,
                                      size_t *len);

/**
 * Re-creates a builder from rtn_mrr_builder_serialize()'s bytes, validating everything before
 * trusting it: a truncated, corrupt or hostile buffer is an error, never a crash.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers; ::RTN_ECORRUPT; ::RTN_EVERSION for another
 *         format version; ::RTN_ENOMEM.
 */
RTN_API int rtn_mrr_builder_deserialize(rtn_mrr_builder **out, const uint8_t *buf, size_t len,
                                        const rtn_allocator *alloc);

/**
 * Computes the movements of every period in the window (the builder is unchanged and can take
 * more rows).
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers; ::RTN_EUNDEFINED when no row was added, or
 *         the first period is after the last; ::RTN_EDOMAIN for a window of more than
 *         RTN_MRR_MAX_PERIODS periods; ::RTN_EOVERFLOW if a sum would pass DBL_MAX;
 *         ::RTN_ENOMEM.
 */
RTN_API int rtn_mrr_builder_finish(const rtn_mrr_builder *b, rtn_mrr_table **out);

/**
 * One call for the common case: the table of the rows over their whole range, using malloc.
 * Sugar over a builder; errors as its functions.
 */
RTN_API int rtn_mrr_table_build(const int64_t *customer, const int64_t *period, const double *mrr,
                                size_t n, rtn_mrr_table **out, size_t *bad_index);

/** Releases a table; NULL is a no-op. */
RTN_API void rtn_mrr_table_free(rtn_mrr_table *t);

/**
 * The table's periods: @p first, first + 1, …, first + count − 1.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers.
 */
RTN_API int rtn_mrr_table_periods(const rtn_mrr_table *t, int64_t *first, size_t *count);

/**
 * Copies one column (an ::rtn_mrr_column) into @p out, one value per period. Counts are whole
 * numbers (exact below 2^53); rates are NaN where undefined.
 * @param cap the length of @p out: at least the table's period count.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers or an unknown column; ::RTN_EBUFSIZE if cap
 *         is too small (@p out untouched).
 */
RTN_API int rtn_mrr_table_column(const rtn_mrr_table *t, int32_t column, double *out,
                                 size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* RETENTION_MRR_H */
