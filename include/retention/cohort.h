/**
 * @file retention/cohort.h
 * @brief Cohort retention tables from event columns: exact, censoring-aware and mergeable.
 *
 * A customer's **cohort** is the period of their first event (or of their signup time, when one
 * is given with rtn_cohort_builder_add_signups()); cell (c, k) of the table counts the distinct
 * customers of cohort c active in period c + k ("return on", the default), active in period c + k
 * or any later one ("return on or after": the unbounded, rolling retention), or active in any
 * period of bracket k (custom brackets of periods). Retention = active / cohort size; revenue
 * cells sum the amounts of the cohort's events in each period, and revenue retention divides them
 * by the cohort's period-0 revenue (net revenue retention per cohort).
 *
 * **Censoring.** Data is observed up to the observation end E (default: the latest event). A cell
 * whose period starts after E is *censored*: it cannot have been observed, and it is reported as
 * NaN — never as 0 %, the classic error of the pandas recipe. A cell whose period has started but
 * not ended by E is *partial*: its counts are reported (a lower bound) and flagged. The average
 * retention curve across cohorts weights each cohort by its size over *complete* cells only
 * (Amplitude's definition): avg[k] = Σ active[c][k] / Σ size[c] over cohorts c whose cell k is
 * complete; NaN when there is none.
 *
 * **Mergeable partial state.** A builder holds each customer's distinct active periods (with the
 * revenue of each) — not a table — so any two builders merge exactly into the builder of the
 * union of their input, whether or not the input was partitioned by customer; a customer's events
 * may also arrive over many rtn_cohort_builder_add() calls. The state serialises to a versioned,
 * little-endian byte format (see rtn_cohort_builder_serialize()) for merging across processes and
 * machines. Counts merge exactly; revenue is summed in double-double precision (about 106 bits),
 * so sums of ordinary amounts (whole cents, say) are exact and do not depend on how the input was
 * split and merged.
 *
 * **Ownership and threads.** Builders and tables are opaque handles, created by the functions
 * here and released with rtn_cohort_builder_free() / rtn_cohort_table_free() (NULL is a no-op).
 * A handle is used by one thread at a time; distinct handles may be used concurrently. Const
 * functions (finish, serialise, the table accessors) may run concurrently on the same handle.
 *
 * Typical use:
 * @code
 * rtn_cohort_builder *b = NULL;
 * rtn_cohort_table *t = NULL;
 * size_t cohorts, periods;
 * if (rtn_cohort_builder_create(&b, NULL) == RTN_OK &&
 *     rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_WEEK) == RTN_OK &&
 *     rtn_cohort_builder_add(b, customer, time, amount, n, NULL) == RTN_OK &&
 *     rtn_cohort_builder_finish(b, &t) == RTN_OK &&
 *     rtn_cohort_table_dims(t, &cohorts, &periods) == RTN_OK) {
 *     double *share = malloc(cohorts * periods * sizeof *share);
 *     rtn_cohort_table_retention(t, share, cohorts * periods);   // NaN where censored
 * }
 * rtn_cohort_table_free(t);
 * rtn_cohort_builder_free(b);
 * @endcode
 */
#ifndef RETENTION_COHORT_H
#define RETENTION_COHORT_H

#include "calendar.h"
#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rtn_cohort_builder rtn_cohort_builder;
typedef struct rtn_cohort_table rtn_cohort_table;

/** What a cell counts. Values are pinned forever. */
typedef enum rtn_cohort_kind {
    /** Active in period c + k (the classic cohort table). */
    RTN_COHORT_RETURN_ON = 0,
    /** Active in period c + k or any later period (unbounded / rolling retention). */
    RTN_COHORT_RETURN_ON_OR_AFTER = 1,
    /** Active in any period of bracket k (set with rtn_cohort_builder_set_brackets()). */
    RTN_COHORT_BRACKETS = 2
} rtn_cohort_kind;

/** Builder parameters for rtn_cohort_builder_set() / _get(); values pinned forever. */
typedef enum rtn_cohort_param {
    /** An ::rtn_period_unit (default ::RTN_PERIOD_MONTH). Settable only before the first add. */
    RTN_COHORT_PERIOD_UNIT = 0,
    /** Period length in seconds for ::RTN_PERIOD_SECONDS, 1 … 10^10 (default 86400). Only
     *  before the first add. */
    RTN_COHORT_PERIOD_SECONDS = 1,
    /** Local calendar offset from UTC in minutes, −1440 … 1440 (default 0). Only before the first
     *  add. */
    RTN_COHORT_UTC_OFFSET_MINUTES = 2,
    /** An ::rtn_cohort_kind (default ::RTN_COHORT_RETURN_ON); ::RTN_COHORT_BRACKETS only through
     *  rtn_cohort_builder_set_brackets(). May change at any time before finishing. */
    RTN_COHORT_KIND = 3,
    /** The observation end E, a time (RTN_TIME_MIN … RTN_TIME_MAX): data counts as observed
     *  through this second. Default: the latest event or signup time added. Whole periods are
     *  the unit: activity in periods after E's is ignored; within E's own period it counts. */
    RTN_COHORT_OBSERVATION_END = 4,
    /** At most this many periods (columns) per cohort, 1 … 2^31 − 1; 0 = no limit (default).
     *  Brackets are not limited by it. */
    RTN_COHORT_MAX_PERIODS = 5
} rtn_cohort_param;

/** Status of a cell, from rtn_cohort_table_status(). Values pinned forever. */
typedef enum rtn_cohort_cell_status {
    RTN_CELL_COMPLETE = 0, /**< its period(s) ended by the observation end */
    RTN_CELL_PARTIAL = 1,  /**< started but not ended: counts are a lower bound */
    RTN_CELL_CENSORED = 2  /**< not started: unobservable, reported as NaN */
} rtn_cohort_cell_status;

/* ---- the builder ------------------------------------------------------------------------------ */

/**
 * Creates an empty builder. @p alloc may be NULL (malloc/free); it is copied.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL @p out or an allocator without both functions;
 *         ::RTN_ENOMEM.
 */
RTN_API int rtn_cohort_builder_create(rtn_cohort_builder **out, const rtn_allocator *alloc);

/** Releases a builder; NULL is a no-op. */
RTN_API void rtn_cohort_builder_free(rtn_cohort_builder *b);

/**
 * Sets a parameter (see ::rtn_cohort_param for each one's range and default). Once set, the
 * observation end stays explicit (create a new builder, or merge into one, to go back to the
 * default).
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL builder, an unknown parameter, a value outside its
 *         bounds, or a calendar parameter (unit, seconds, offset) changed after events were added
 *         (setting its current value again is fine).
 */
RTN_API int rtn_cohort_builder_set(rtn_cohort_builder *b, int32_t param, int64_t value);

/**
 * Reads a parameter's current value. For ::RTN_COHORT_OBSERVATION_END not set explicitly, the
 * latest event or signup time added so far (::RTN_EUNDEFINED if none).
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL pointer or an unknown parameter; ::RTN_EUNDEFINED.
 */
RTN_API int rtn_cohort_builder_get(const rtn_cohort_builder *b, int32_t param, int64_t *value);

/**
 * The smallest and largest value rtn_cohort_builder_set() accepts for @p param.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL pointer or an unknown parameter.
 */
RTN_API int rtn_cohort_param_bounds(int32_t param, int64_t *min, int64_t *max);

/**
 * Uses custom brackets of periods as the table's columns and sets the kind to
 * ::RTN_COHORT_BRACKETS: column b counts the customers active in any period k with
 * edges[b] ≤ k < edges[b + 1] (k counted from the cohort's period, 0 = the cohort's own).
 * E.g. {0, 1, 2, 5, 13} gives the columns "period 0", "1", "2–4", "5–12".
 * @param edges n_edges strictly increasing period offsets (copied), n_edges ≥ 2, each ≤ 2^31 − 1.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL pointer, fewer than 2 edges, or edges not strictly
 *         increasing (a zero-length bracket); ::RTN_ENOMEM.
 */
RTN_API int rtn_cohort_builder_set_brackets(rtn_cohort_builder *b, const uint32_t *edges,
                                            size_t n_edges);

/**
 * Adds events: customer[i] was active at time[i], spending amount[i]. Columns of length n, in
 * any order; repeated events and customers seen in earlier calls are fine. The whole call is
 * validated first: on error nothing is added. Each call sorts its events into a run of the
 * state; runs are merged like the digits of a binary counter (the newest into the one before it
 * while at least half its size), so a stream of N events costs O(N log N) in all whatever the
 * chunk sizes, and the functions that read the state (finish, serialise, RFM) first merge the
 * remaining runs (at most log2 N) into a temporary copy. Larger chunks are cheaper per event.
 * Memory: the state keeps 32 bytes per distinct (customer, period), 16 while no call has added
 * amounts (a run holds address space for that much per event of its call until it is merged,
 * untouched beyond its entries). While it runs, a call needs scratch of 32 bytes per event (16
 * without amounts); of 12 (4) when it has 65536 events or more and its ids and periods together
 * span 2^23 to 2^48 keys (up to 44 (20) when a narrow range of ids holds most of them). When
 * they span more than 2^64 keys, as hashed ids do, a call needs 72 (48) bytes per event; from
 * 65536 events 24 (16), plus 48 (32) per event of its largest bucket of ids (about 65536
 * events when the ids spread evenly, all of them at worst). With the default allocator, on Linux,
 * blocks of 4 MiB and more are advised for transparent huge pages (see ::rtn_allocator).
 * @param customer any int64 ids. @param time Unix seconds (RTN_TIME_MIN … RTN_TIME_MAX).
 * @param amount may be NULL (no revenue); else finite values (refunds may be negative).
 * @param[out] bad_index may be NULL; on ::RTN_EDOMAIN the index of the first bad time or amount.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL builder, or a NULL column with n > 0; ::RTN_EDOMAIN
 *         for a time out of range or a NaN/infinite amount; ::RTN_EOVERFLOW if a customer's
 *         revenue in a period would pass DBL_MAX; ::RTN_ENOMEM.
 * n = 0 is valid and adds nothing.
 */
RTN_API int rtn_cohort_builder_add(rtn_cohort_builder *b, const int64_t *customer,
                                   const int64_t *time, const double *amount, size_t n,
                                   size_t *bad_index);

/**
 * Anchors customers' cohorts at a signup time instead of their first event. A customer with a
 * signup belongs to the signup's period even with no event at all (then inactive from period
 * 0 on); events before the signup period are ignored. A customer given several signups keeps
 * the earliest. Validation and errors as rtn_cohort_builder_add().
 */
RTN_API int rtn_cohort_builder_add_signups(rtn_cohort_builder *b, const int64_t *customer,
                                           const int64_t *signup_time, size_t n,
                                           size_t *bad_index);

/**
 * Merges @p from into @p into: afterwards @p into is the builder of both inputs (exactly, for
 * counts). The finishing options of @p into (kind, brackets, observation end, max periods) are
 * kept; the calendars (unit, seconds, offset) must be equal, except that a builder with no data
 * yet takes the calendar of the one merged into it.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers, the same builder twice, or different
 *         calendars; ::RTN_EOVERFLOW if a revenue sum would pass DBL_MAX; ::RTN_ENOMEM (after
 *         an error @p into is unchanged).
 */
RTN_API int rtn_cohort_builder_merge(rtn_cohort_builder *into, const rtn_cohort_builder *from);

/**
 * Serialises a builder. Call with buf = NULL (or too small a cap) to learn the size in *len.
 *
 * Format version 1, all integers little-endian, doubles as IEEE 754 binary64 bit patterns:
 *   "RTNCOHRT" (8 bytes) · u32 version = 1 · u32 flags = 0 ·
 *   i32 unit · i32 utc_offset_minutes · i64 period_seconds · i32 kind · i32 reserved = 0 ·
 *   i64 observation_end · u8 observation_end_set · u8 has_events · u16 reserved = 0 ·
 *   u32 n_edges · i64 max_periods · i64 latest_event · u64 n_entries · u64 n_signups ·
 *   n_edges × u32 edge · n_entries × (i64 customer · i64 period · f64 revenue_hi ·
 *   f64 revenue_lo; 32 bytes, the revenue as the unevaluated double-double sum hi + lo) sorted
 *   by (customer, period), unique · n_signups × (i64 customer · i64 period) sorted, unique ·
 *   u64 FNV-1a checksum of every byte before it.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL builder or @p len; ::RTN_EBUFSIZE (with *len set) when
 *         buf is NULL or cap < *len; ::RTN_ENOMEM if the size would not fit a size_t,
 *         or memory to merge the runs of separate adds into one list ran out (*len unchanged).
 */
RTN_API int rtn_cohort_builder_serialize(const rtn_cohort_builder *b, uint8_t *buf, size_t cap,
                                         size_t *len);

/**
 * Re-creates a builder from rtn_cohort_builder_serialize()'s bytes, validating everything
 * (lengths, checksum, parameter ranges, order and uniqueness of entries, finite revenue) before
 * trusting any of it: a truncated, corrupt or hostile buffer is an error, never a crash.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers; ::RTN_ECORRUPT; ::RTN_EVERSION for another
 *         format version; ::RTN_ENOMEM.
 */
RTN_API int rtn_cohort_builder_deserialize(rtn_cohort_builder **out, const uint8_t *buf,
                                           size_t len, const rtn_allocator *alloc);

/**
 * Computes the table of everything added so far (the builder is unchanged and can take more).
 * Cohorts are the periods that have at least one customer, in increasing order (a cohort that
 * starts after an explicit observation end is a row of censored cells); columns are periods
 * 0, 1, … up to the observation end's period counted from the first cohort (at most
 * MAX_PERIODS), or the brackets.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers, or an observation end in a period before the
 *         first cohort; ::RTN_EUNDEFINED when there are no customers; ::RTN_EOVERFLOW if a cell's
 *         revenue would pass DBL_MAX; ::RTN_ENOMEM, also for a table of more than 2^22 cells
 *         (e.g. 1-second periods over years: set ::RTN_COHORT_MAX_PERIODS or a longer period).
 */
RTN_API int rtn_cohort_builder_finish(const rtn_cohort_builder *b, rtn_cohort_table **out);

/**
 * One call for the common case: a table of the events with the given period unit and kind
 * (::RTN_COHORT_RETURN_ON or ::RTN_COHORT_RETURN_ON_OR_AFTER), UTC, observation end at the latest
 * event, using malloc. Sugar over a builder; errors as its functions, and ::RTN_EINVAL for
 * ::RTN_PERIOD_SECONDS (which needs a length: use a builder).
 */
RTN_API int rtn_cohort_table_build(const int64_t *customer, const int64_t *time,
                                   const double *amount, size_t n, int32_t period_unit,
                                   int32_t kind, rtn_cohort_table **out, size_t *bad_index);

/* ---- the table --------------------------------------------------------------------------------- */

/** Releases a table; NULL is a no-op. */
RTN_API void rtn_cohort_table_free(rtn_cohort_table *t);

/** Numbers of cohorts (rows) and periods or brackets (columns). */
RTN_API int rtn_cohort_table_dims(const rtn_cohort_table *t, size_t *cohorts, size_t *periods);

/**
 * Per cohort: its period index, the first second of that period (Unix time), and its size.
 * Each output may be NULL; each non-NULL one needs @p cap ≥ cohorts entries.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL table; ::RTN_EBUFSIZE if cap < cohorts.
 */
RTN_API int rtn_cohort_table_cohorts(const rtn_cohort_table *t, int64_t *period, int64_t *start,
                                     uint64_t *size, size_t cap);

/**
 * Cell accessors: cohorts × periods values, row-major (cell (c, k) at c · periods + k), into a
 * caller buffer of @p cap ≥ cohorts × periods elements. Each returns ::RTN_OK, ::RTN_EINVAL for
 * NULL pointers, or ::RTN_EBUFSIZE if cap is too small (nothing written).
 *  - _active: distinct customers (0 in a censored cell);
 *  - _retention: active / size in [0, 1], NaN where censored;
 *  - _revenue: the sum of the amounts in the cell's period(s), NaN where censored;
 *  - _revenue_retention: revenue / the cohort's period-0 revenue (also with brackets, whatever
 *    their first bracket), NaN where censored or where the period-0 revenue is 0;
 *  - _status: an ::rtn_cohort_cell_status per cell.
 */
RTN_API int rtn_cohort_table_active(const rtn_cohort_table *t, uint64_t *cells, size_t cap);
RTN_API int rtn_cohort_table_retention(const rtn_cohort_table *t, double *cells, size_t cap);
RTN_API int rtn_cohort_table_revenue(const rtn_cohort_table *t, double *cells, size_t cap);
RTN_API int rtn_cohort_table_revenue_retention(const rtn_cohort_table *t, double *cells,
                                               size_t cap);
RTN_API int rtn_cohort_table_status(const rtn_cohort_table *t, uint8_t *cells, size_t cap);

/**
 * The average retention curve: per column k, Σ active / Σ size over the cohorts whose cell k is
 * complete (NaN if none), and that Σ size (the weight behind it) in @p weight (may be NULL).
 * @param cap ≥ periods.
 * @return ::RTN_OK; ::RTN_EINVAL; ::RTN_EBUFSIZE.
 */
RTN_API int rtn_cohort_table_average(const rtn_cohort_table *t, double *curve, uint64_t *weight,
                                     size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* RETENTION_COHORT_H */
