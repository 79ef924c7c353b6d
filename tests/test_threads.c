/* Concurrency (hardening, issue 8): every public entry point called from several threads at
 * once, on shared read-only input and per-thread outputs, gives bit-identical results to a
 * single-threaded run. Run it under ThreadSanitizer (`cmake --workflow --preset tsan`) to have
 * data races reported; without TSan it still checks that concurrent calls agree bit for bit.
 *
 * How: the inputs (score columns, rate cases, cohort events, Kaplan-Meier subjects, a simulated
 * Pareto/NBD purchase log and its RFM summary, sBG counts, MRR rows, reason codes, segment
 * rows, and the serialised bytes of each builder type) are made once. The battery is a list of
 * groups; each group calls its functions and appends every status code and every output, byte
 * for byte, to a record. The main thread runs every group once for the reference; then THREADS
 * threads run the whole battery ITERATIONS times each, and every record must equal the
 * reference with memcmp. Even iterations run in lockstep (all threads start each group
 * together: the same functions, on the same shared handles, at the same moment); odd ones let
 * each thread start at another group, so that different functions overlap too. The groups:
 *   - formulas: the pure functions (rates, scores, CLV, calendar, names, segments, sBG);
 *   - kernels: the counting and tally functions, into per-thread histograms and tallies;
 *   - cohort, km, mrr, rfm: builders made per thread from the shared columns and from the
 *     shared serialised bytes (deserialised by every thread at once), their tables and curves;
 *   - shared: const functions on ONE shared builder, table, curve and RFM summary of each kind
 *     at once (finish, serialise, get, the accessors, the log-rank test, RFM from a builder),
 *     as the headers allow;
 *   - models: the model fits and predictions on shared columns (the _alloc variants with the
 *     thread's own allocator, equal to the plain ones).
 * Non-const functions (set, add, merge, free) are only ever called on a thread's own handles.
 * ITERATIONS can be changed with the environment variable RTN_THREADS_ITERATIONS. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rtn_test.h"

enum { THREADS = 4, DEFAULT_ITERATIONS = 6 };

/* Under ThreadSanitizer, a longer per-thread history: TSan drops a race whose earlier access it
 * can no longer find in the other thread's history, and the library's calls are long. (Options
 * given in TSAN_OPTIONS still apply on top.) */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RTN_UNDER_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define RTN_UNDER_TSAN 1
#endif
#ifdef RTN_UNDER_TSAN
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
    return "history_size=7";
}
#endif

/* ---- records: every status and output of a group, appended byte for byte --------------------------- */

#define ANY INT32_MIN /* any status is fine (an error path exercised on purpose) */

typedef struct rec {
    uint8_t *buf;
    size_t len, cap;
    size_t *starts;      /* offset of each record in buf */
    const char **labels; /* what each record is (a string literal) */
    size_t n, ncap;
    unsigned failures;   /* calls that returned another status than expected */
    const char *failure; /* the first of them */
    int failure_rc;
} rec;

static void rec_reset(rec *r)
{
    r->len = r->n = 0;
    r->failures = 0;
    r->failure = NULL;
    r->failure_rc = 0;
}

static void rec_free(rec *r)
{
    free(r->buf);
    free(r->starts);
    free(r->labels);
    memset(r, 0, sizeof *r);
}

static void rec_fail(rec *r, const char *what, int rc)
{
    if (r->failures++ == 0) {
        r->failure = what;
        r->failure_rc = rc;
    }
}

static void rec_put(rec *r, const char *label, const void *p, size_t size)
{
    if (r->len + size > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + size)
            cap *= 2;
        uint8_t *buf = realloc(r->buf, cap);
        if (!buf) {
            rec_fail(r, "out of memory in the test", RTN_ENOMEM);
            return;
        }
        r->buf = buf;
        r->cap = cap;
    }
    if (r->n == r->ncap) {
        size_t ncap = r->ncap ? 2 * r->ncap : 256;
        size_t *starts = realloc(r->starts, ncap * sizeof *starts);
        if (starts)
            r->starts = starts;
        const char **labels = realloc(r->labels, ncap * sizeof *labels);
        if (labels)
            r->labels = labels;
        if (!starts || !labels) {
            rec_fail(r, "out of memory in the test", RTN_ENOMEM);
            return;
        }
        r->ncap = ncap;
    }
    if (size)
        memcpy(r->buf + r->len, p, size);
    r->starts[r->n] = r->len;
    r->labels[r->n++] = label;
    r->len += size;
}

static int rec_rc(rec *r, const char *label, int rc, int expected)
{
    int32_t v = rc;
    rec_put(r, label, &v, sizeof v);
    if (expected != ANY && rc != expected)
        rec_fail(r, label, rc);
    return rc;
}

static void rec_check(rec *r, const char *label, int ok)
{
    uint8_t v = (uint8_t)(ok != 0);
    rec_put(r, label, &v, 1);
    if (!ok)
        rec_fail(r, label, 0);
}

static void rec_str(rec *r, const char *label, const char *s)
{
    if (s)
        rec_put(r, label, s, strlen(s) + 1);
    else
        rec_put(r, label, "\377NULL", 6);
}

/* The index of the first record that differs between a and b, or SIZE_MAX if they are equal. */
static size_t rec_diff(const rec *a, const rec *b)
{
    size_t n = a->n < b->n ? a->n : b->n;
    for (size_t i = 0; i < n; ++i) {
        size_t ea = i + 1 < a->n ? a->starts[i + 1] : a->len;
        size_t eb = i + 1 < b->n ? b->starts[i + 1] : b->len;
        if (a->labels[i] != b->labels[i] || ea - a->starts[i] != eb - b->starts[i] ||
            memcmp(a->buf + a->starts[i], b->buf + b->starts[i], ea - a->starts[i]) != 0)
            return i;
    }
    if (a->n != b->n || a->len != b->len)
        return n;
    return SIZE_MAX;
}

#define OK(r, call) rec_rc((r), #call, (call), RTN_OK)
#define RC(r, expected, call) rec_rc((r), #call, (call), (expected))
#define PUT(r, v) rec_put((r), #v, &(v), sizeof(v))
#define PUTN(r, p, n) rec_put((r), #p, (p), (size_t)(n) * sizeof *(p))
#define CHECK(r, cond) rec_check((r), #cond, (cond))
#define SAME(a, b) (sizeof(a) == sizeof(b) && memcmp(&(a), &(b), sizeof(a)) == 0)
#define SAMEN(a, b, n) (memcmp((a), (b), (size_t)(n) * sizeof *(a)) == 0)

/* ---- a per-thread allocator that counts live blocks ---------------------------------------------- */

typedef struct counting {
    long live;
    unsigned long calls;
} counting;

static void *counting_alloc(void *opaque, size_t size)
{
    counting *c = opaque;
    void *p = malloc(size);
    if (p) {
        c->live++;
        c->calls++;
    }
    return p;
}

static void counting_free(void *opaque, void *p)
{
    counting *c = opaque;
    c->live--;
    free(p);
}

/* What a group gets: the thread's own allocator. */
typedef struct ctx {
    rtn_allocator alloc;
    counting *counter;
} ctx;

/* ---- the shared inputs -------------------------------------------------------------------------------- */

enum {
    N_SCORES = 20000,
    N_CASES = 48,
    N_TIMES = 48,
    N_EVENTS = 4000,
    N_EV_CUSTOMERS = 500,
    N_SIGNUPS = 120,
    N_KM = 1200,
    KM_GROUPS = 3,
    N_KM_COUNTS = 60,
    MRR_CUSTOMERS = 200,
    MRR_MONTHS = 18,
    N_PURCHASERS = 300,
    N_REASONS = 3000,
    N_SEGROWS = 4000,
    SEG_GROUPS = 5,
    N_EDGES = 5
};

#define DAY INT64_C(86400)
#define BASE_2024 INT64_C(1704067200)  /* 2024-01-01 */
#define BASE_1997 INT64_C(852076800)   /* 1997-01-01 */
#define CAL_END (BASE_1997 + 273 * DAY) /* 39 weeks */
#define HOLD_END (BASE_1997 + 546 * DAY)

static const uint32_t EDGES[N_EDGES] = {0, 1, 2, 5, 13};
static const uint64_t SBG_ALIVE[16] = {1000, 869, 743, 653, 593, 551, 517, 491,
                                       1000, 631, 468, 382, 326, 289, 262, 241};
static const size_t SBG_LENGTHS[2] = {8, 8};

typedef struct rate_case {
    uint64_t a, b, c;
    double x, y, z, w, v;
} rate_case;

static struct inputs {
    uint8_t nps[N_SCORES], csat[N_SCORES], ces[N_SCORES];
    double durations[N_SCORES];
    rate_case cases[N_CASES];
    int64_t times[N_TIMES];
    int64_t ev_customer[N_EVENTS], ev_time[N_EVENTS];
    double ev_amount[N_EVENTS];
    int64_t su_customer[N_SIGNUPS], su_time[N_SIGNUPS];
    double km_duration[N_KM], km_entry[N_KM], km_weight[N_KM];
    uint8_t km_event[N_KM];
    uint32_t km_group[N_KM];
    double *g_duration[KM_GROUPS], *g_weight[KM_GROUPS];
    uint8_t *g_event[KM_GROUPS];
    size_t g_n[KM_GROUPS];
    double kc_time[N_KM_COUNTS];
    uint64_t kc_events[N_KM_COUNTS], kc_censored[N_KM_COUNTS];
    double km_at[32];
    int64_t *mrr_customer, *mrr_period;
    double *mrr_amount;
    size_t n_mrr;
    int64_t *pu_customer, *pu_time;
    double *pu_amount;
    size_t n_pu;
    int32_t reason[N_REASONS];
    double lost[N_REASONS];
    int32_t segment[N_SEGROWS];
    uint8_t retained[N_SEGROWS];
    /* derived once, single-threaded, by the library */
    uint64_t nps_hist[RTN_NPS_HIST_LEN], nps_a[RTN_NPS_HIST_LEN], nps_b[RTN_NPS_HIST_LEN];
    uint64_t csat_hist[5], ces_hist[7];
    uint64_t reason_counts[RTN_REASON_CODES];
    double reason_lost[RTN_REASON_CODES];
    uint64_t seg_k[SEG_GROUPS], seg_n[SEG_GROUPS];
    double *x, *t_x, *T, *m, *w; /* the RFM summary of the purchase log */
    size_t n_cust;
    double bgnbd[4], gg[3], pnbd[4], sbg[2]; /* fitted once: the predictions' parameters */
    uint8_t *cohort_bytes, *km_bytes, *mrr_bytes;
    size_t cohort_len, km_len, mrr_len;
} in;

/* The shared handles: const functions only, from every thread at once. */
static struct shared {
    rtn_cohort_builder *cohort_builder, *purchase_builder;
    rtn_cohort_table *cohort_table;
    rtn_km_builder *km_builder, *km_groups[KM_GROUPS];
    rtn_km *km;
    rtn_mrr_builder *mrr_builder;
    rtn_mrr_table *mrr_table;
    rtn_rfm *rfm;
} sh;

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return rng_state = x;
}

static double uniform(void) /* in (0, 1) */
{
    return ((double)(rng() >> 11) + 0.5) * 0x1.0p-53;
}

static double expo(double rate)
{
    return -log(uniform()) / rate;
}

static double normal(void)
{
    return sqrt(-2.0 * log(uniform())) * cos(6.283185307179586 * uniform());
}

static uint64_t below(uint64_t n)
{
    return rng() % n;
}

/* ---- recording handles' contents ----------------------------------------------------------------------- */

static void put_cohort_table(rec *r, const rtn_cohort_table *t)
{
    size_t cohorts = 0, periods = 0;
    if (OK(r, rtn_cohort_table_dims(t, &cohorts, &periods)) != RTN_OK)
        return;
    PUT(r, cohorts);
    PUT(r, periods);
    size_t cells = cohorts * periods;
    int64_t *period = calloc(cohorts, sizeof *period), *start = calloc(cohorts, sizeof *start);
    uint64_t *size = calloc(cohorts, sizeof *size), *active = calloc(cells, sizeof *active);
    uint64_t *weight = calloc(periods, sizeof *weight);
    double *d = calloc(cells, sizeof *d), *curve = calloc(periods, sizeof *curve);
    uint8_t *status = calloc(cells, 1);
    if (!period || !start || !size || !active || !weight || !d || !curve || !status) {
        rec_fail(r, "out of memory in the test", RTN_ENOMEM);
    } else {
        OK(r, rtn_cohort_table_cohorts(t, period, start, size, cohorts));
        PUTN(r, period, cohorts);
        PUTN(r, start, cohorts);
        PUTN(r, size, cohorts);
        OK(r, rtn_cohort_table_cohorts(t, NULL, NULL, size, cohorts));
        RC(r, cohorts ? RTN_EBUFSIZE : RTN_OK, rtn_cohort_table_cohorts(t, period, NULL, NULL, cohorts - 1));
        OK(r, rtn_cohort_table_active(t, active, cells));
        PUTN(r, active, cells);
        OK(r, rtn_cohort_table_retention(t, d, cells));
        PUTN(r, d, cells);
        OK(r, rtn_cohort_table_revenue(t, d, cells));
        PUTN(r, d, cells);
        OK(r, rtn_cohort_table_revenue_retention(t, d, cells));
        PUTN(r, d, cells);
        OK(r, rtn_cohort_table_status(t, status, cells));
        PUTN(r, status, cells);
        OK(r, rtn_cohort_table_average(t, curve, weight, periods));
        PUTN(r, curve, periods);
        PUTN(r, weight, periods);
        OK(r, rtn_cohort_table_average(t, curve, NULL, periods));
        PUTN(r, curve, periods);
    }
    free(period);
    free(start);
    free(size);
    free(active);
    free(weight);
    free(d);
    free(curve);
    free(status);
}

static void put_km(rec *r, const rtn_km *km)
{
    size_t rows = 0;
    if (OK(r, rtn_km_size(km, &rows)) != RTN_OK)
        return;
    PUT(r, rows);
    double *col = calloc(rows, sizeof *col);
    if (!col) {
        rec_fail(r, "out of memory in the test", RTN_ENOMEM);
        return;
    }
    for (int32_t c = RTN_KM_TIME; c <= RTN_KM_GREENWOOD; ++c) {
        OK(r, rtn_km_column(km, c, col, rows));
        PUTN(r, col, rows);
    }
    RC(r, RTN_EINVAL, rtn_km_column(km, 9, col, rows));
    free(col);
    double s[32], lo[32], hi[32];
    memset(s, 0, sizeof s), memset(lo, 0, sizeof lo), memset(hi, 0, sizeof hi);
    OK(r, rtn_km_survival_at(km, in.km_at, 32, s, lo, hi, NULL));
    PUTN(r, s, 32);
    PUTN(r, lo, 32);
    PUTN(r, hi, 32);
    OK(r, rtn_km_survival_at(km, in.km_at, 32, s, NULL, NULL, NULL));
    PUTN(r, s, 32);
    static const double ps[] = {0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; ++i) {
        double q = 0, ql = 0, qh = 0;
        OK(r, rtn_km_quantile(km, ps[i], &q, &ql, &qh));
        PUT(r, q);
        PUT(r, ql);
        PUT(r, qh);
    }
    static const double horizons[] = {0.0, 30.0, 100.0, 365.0, 2000.0};
    for (size_t i = 0; i < sizeof horizons / sizeof horizons[0]; ++i) {
        double rmst = 0, se = 0;
        OK(r, rtn_km_rmst(km, horizons[i], &rmst, &se));
        PUT(r, rmst);
        PUT(r, se);
    }
}

static void put_mrr_table(rec *r, const rtn_mrr_table *t)
{
    int64_t first = 0;
    size_t count = 0;
    if (OK(r, rtn_mrr_table_periods(t, &first, &count)) != RTN_OK)
        return;
    PUT(r, first);
    PUT(r, count);
    double *col = calloc(count + 1, sizeof *col);
    if (!col) {
        rec_fail(r, "out of memory in the test", RTN_ENOMEM);
        return;
    }
    for (int32_t c = 0; c < RTN_MRR_COLUMN_COUNT; ++c) {
        OK(r, rtn_mrr_table_column(t, c, col, count));
        PUTN(r, col, count);
    }
    RC(r, RTN_EINVAL, rtn_mrr_table_column(t, RTN_MRR_COLUMN_COUNT, col, count));
    RC(r, RTN_EBUFSIZE, rtn_mrr_table_column(t, RTN_MRR_END, col, count - 1));
    free(col);
}

static void put_rfm(rec *r, const rtn_rfm *rfm)
{
    size_t n = 0;
    if (OK(r, rtn_rfm_size(rfm, &n)) != RTN_OK)
        return;
    PUT(r, n);
    int64_t *ids = calloc(n, sizeof *ids);
    double *col = calloc(n, sizeof *col);
    if (!ids || !col) {
        rec_fail(r, "out of memory in the test", RTN_ENOMEM);
    } else {
        OK(r, rtn_rfm_customers(rfm, ids, n));
        PUTN(r, ids, n);
        for (int32_t c = RTN_RFM_X; c <= RTN_RFM_X_HOLDOUT; ++c) {
            OK(r, rtn_rfm_column(rfm, c, col, n));
            PUTN(r, col, n);
        }
        RC(r, RTN_EINVAL, rtn_rfm_column(rfm, 5, col, n));
    }
    free(ids);
    free(col);
}

/* serialize_cohort() & co.: serialise a builder (size query, a buffer one byte short, then the
 * bytes) into the record; return the bytes (malloc'd, length in *len) or NULL. */
#define DEFINE_SERIALIZE(name, type, fn)                                                           \
    static uint8_t *name(rec *r, const type *b, size_t *len)                                       \
    {                                                                                              \
        size_t need = 0, got = 0;                                                                  \
        RC(r, RTN_EBUFSIZE, fn(b, NULL, 0, &need));                                                \
        PUT(r, need);                                                                              \
        *len = need;                                                                               \
        uint8_t *bytes = malloc(need ? need : 1);                                                  \
        if (!bytes) {                                                                              \
            rec_fail(r, "out of memory in the test", RTN_ENOMEM);                                  \
            return NULL;                                                                           \
        }                                                                                          \
        RC(r, RTN_EBUFSIZE, fn(b, bytes, need - 1, &got));                                         \
        OK(r, fn(b, bytes, need, &got));                                                           \
        CHECK(r, got == need);                                                                     \
        rec_put(r, #fn " bytes", bytes, need);                                                     \
        return bytes;                                                                              \
    }
DEFINE_SERIALIZE(serialize_cohort, rtn_cohort_builder, rtn_cohort_builder_serialize)
DEFINE_SERIALIZE(serialize_km, rtn_km_builder, rtn_km_builder_serialize)
DEFINE_SERIALIZE(serialize_mrr, rtn_mrr_builder, rtn_mrr_builder_serialize)

/* ---- builders, made the same way by the setup (shared handles) and by every thread ------------------ */

/* Monthly cohorts, UTC+1, of the events in two halves merged, plus the signups. */
static rtn_cohort_builder *make_cohort_builder(rec *r, const rtn_allocator *alloc)
{
    rtn_cohort_builder *a = NULL, *b = NULL;
    size_t half = N_EVENTS / 2;
    if (OK(r, rtn_cohort_builder_create(&a, alloc)) != RTN_OK)
        return NULL;
    if (OK(r, rtn_cohort_builder_create(&b, NULL)) != RTN_OK) {
        rtn_cohort_builder_free(a);
        return NULL;
    }
    OK(r, rtn_cohort_builder_set(a, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_MONTH));
    OK(r, rtn_cohort_builder_set(a, RTN_COHORT_UTC_OFFSET_MINUTES, 60));
    OK(r, rtn_cohort_builder_set(b, RTN_COHORT_UTC_OFFSET_MINUTES, 60));
    OK(r, rtn_cohort_builder_add(a, in.ev_customer, in.ev_time, in.ev_amount, half, NULL));
    OK(r, rtn_cohort_builder_add(b, in.ev_customer + half, in.ev_time + half, in.ev_amount + half,
                                 N_EVENTS - half, NULL));
    OK(r, rtn_cohort_builder_add_signups(b, in.su_customer, in.su_time, N_SIGNUPS, NULL));
    OK(r, rtn_cohort_builder_merge(a, b));
    rtn_cohort_builder_free(b);
    return a;
}

/* Daily purchases, for the RFM summaries. */
static rtn_cohort_builder *make_purchase_builder(rec *r, const rtn_allocator *alloc)
{
    rtn_cohort_builder *b = NULL;
    if (OK(r, rtn_cohort_builder_create(&b, alloc)) != RTN_OK)
        return NULL;
    OK(r, rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_DAY));
    OK(r, rtn_cohort_builder_add(b, in.pu_customer, in.pu_time, in.pu_amount, in.n_pu, NULL));
    return b;
}

/* Subjects with entry times and weights, in two halves merged; 90 % log-log bounds. */
static rtn_km_builder *make_km_builder(rec *r, const rtn_allocator *alloc)
{
    rtn_km_builder *a = NULL, *b = NULL;
    size_t half = N_KM / 2;
    if (OK(r, rtn_km_builder_create(&a, alloc)) != RTN_OK)
        return NULL;
    if (OK(r, rtn_km_builder_create(&b, alloc)) != RTN_OK) {
        rtn_km_builder_free(a);
        return NULL;
    }
    OK(r, rtn_km_builder_set(a, RTN_KM_CONF_LEVEL, 0.9));
    OK(r, rtn_km_builder_set(a, RTN_KM_CONF_TYPE, RTN_CONF_LOG_LOG));
    OK(r, rtn_km_builder_add(a, in.km_duration, in.km_event, in.km_entry, in.km_weight, half, NULL));
    OK(r, rtn_km_builder_add(b, in.km_duration + half, in.km_event + half, in.km_entry + half,
                             in.km_weight + half, N_KM - half, NULL));
    OK(r, rtn_km_builder_merge(a, b));
    rtn_km_builder_free(b);
    return a;
}

/* One builder per log-rank group (weighted, right-censored). */
static int make_km_groups(rec *r, const rtn_allocator *alloc, rtn_km_builder *g[KM_GROUPS])
{
    int rc = RTN_OK;
    for (int i = 0; i < KM_GROUPS; ++i)
        g[i] = NULL;
    for (int i = 0; i < KM_GROUPS && rc == RTN_OK; ++i) {
        rc = OK(r, rtn_km_builder_create(&g[i], alloc));
        if (rc == RTN_OK)
            rc = OK(r, rtn_km_builder_add(g[i], in.g_duration[i], in.g_event[i], NULL,
                                          in.g_weight[i], in.g_n[i], NULL));
    }
    return rc;
}

/* MRR rows in two halves merged. */
static rtn_mrr_builder *make_mrr_builder(rec *r, const rtn_allocator *alloc)
{
    rtn_mrr_builder *a = NULL, *b = NULL;
    size_t half = in.n_mrr / 3;
    if (OK(r, rtn_mrr_builder_create(&a, alloc)) != RTN_OK)
        return NULL;
    if (OK(r, rtn_mrr_builder_create(&b, NULL)) != RTN_OK) {
        rtn_mrr_builder_free(a);
        return NULL;
    }
    OK(r, rtn_mrr_builder_add(a, in.mrr_customer, in.mrr_period, in.mrr_amount, half, NULL));
    OK(r, rtn_mrr_builder_add(b, in.mrr_customer + half, in.mrr_period + half,
                              in.mrr_amount + half, in.n_mrr - half, NULL));
    OK(r, rtn_mrr_builder_merge(a, b));
    rtn_mrr_builder_free(b);
    return a;
}

/* ---- the groups of the battery ------------------------------------------------------------------------- */

/* The pure functions: rates, scores from histograms, CLV, calendar, names, segment statistics,
 * retention economics, sBG. */
static void group_formulas(const ctx *c, rec *r)
{
    (void)c;
    for (int code = -12; code <= 2; ++code)
        rec_str(r, "rtn_strerror", rtn_strerror(code));
    rec_str(r, "rtn_version_string", rtn_version_string());
    uint32_t version = rtn_version_number();
    PUT(r, version);
    CHECK(r, version == RTN_VERSION_NUMBER && strcmp(rtn_version_string(), RTN_VERSION_STRING) == 0);

    static const double confidence[3] = {0.9, 0.95, 0.99};
    for (size_t i = 0; i < N_CASES; ++i) {
        const rate_case *k = &in.cases[i];
        double v = 0, lo = 0, hi = 0, v2 = 0;
        RC(r, ANY, rtn_retention_rate(k->a, k->b, k->c, &v));
        PUT(r, v);
        RC(r, ANY, rtn_churn_rate_start(k->a, k->c, &v));
        PUT(r, v);
        RC(r, ANY, rtn_churn_rate_average(k->a, k->b, k->c, &v));
        PUT(r, v);
        RC(r, ANY, rtn_churn_rate_customer_days(k->c, k->x * 30.0, 30.0, &v));
        PUT(r, v);
        RC(r, ANY, rtn_churn_rate_convert(k->y, i % 2 ? 12.0 : 1.0 / 12.0, &v));
        PUT(r, v);
        RC(r, ANY, rtn_churn_lifetime(k->y, &v));
        PUT(r, v);
        RC(r, ANY, rtn_rate_wilson_interval(k->c, k->a, confidence[i % 3], &lo, &hi));
        PUT(r, lo);
        PUT(r, hi);
        double start = k->x * 100.0, churned = k->y * start, contraction = k->z * start;
        RC(r, ANY, rtn_revenue_churn_gross(start, churned, contraction, &v));
        PUT(r, v);
        RC(r, ANY, rtn_revenue_churn_net(start, churned, contraction, k->w * start, k->v * start, &v));
        PUT(r, v);
        RC(r, ANY, rtn_revenue_nrr(start, churned, contraction, k->w * start, &v));
        PUT(r, v);
        RC(r, ANY, rtn_revenue_grr(start, churned, contraction, &v));
        PUT(r, v);
        RC(r, ANY, rtn_revenue_quick_ratio(k->v * start, k->w * start, churned, contraction, &v));
        PUT(r, v);
        RC(r, ANY, rtn_revenue_arpa(start, k->c, &v));
        PUT(r, v);
        RC(r, ANY, rtn_clv_simple(k->x, k->z, k->y, &v));
        PUT(r, v);
        RC(r, ANY, rtn_clv_discounted(k->x, 1.0 - k->y, k->w / 10.0, &v));
        PUT(r, v);
        RC(r, ANY, rtn_clv_cac_payback(k->x * 12.0, k->x, k->z, &v));
        PUT(r, v);
        RC(r, ANY, rtn_clv_ltv_cac(k->x * 20.0 - 1000.0, k->v * 500.0, &v));
        PUT(r, v);
        RC(r, ANY, rtn_proportion_diff_interval(k->c, k->a, k->c / 2, k->b, confidence[i % 3], &v, &lo, &hi));
        PUT(r, v), PUT(r, lo), PUT(r, hi);
        RC(r, ANY, rtn_proportion_lift_interval(k->c, k->a, k->c / 2, k->b, confidence[i % 3], &v, &lo, &hi));
        PUT(r, v), PUT(r, lo), PUT(r, hi);
        RC(r, ANY, rtn_proportion_ztest(k->c, k->a, k->c / 2, k->b, &v, &v2));
        PUT(r, v), PUT(r, v2);
        rtn_retention_value value;
        memset(&value, 0, sizeof value);
        RC(r, ANY, rtn_retention_economics(k->x, 1.0 - k->y, k->z / 10.0, k->w / 5.0, k->v * 100.0,
                                           1000.0, (uint32_t)(i % 4) * 12u, &value));
        PUT(r, value);
    }

    /* scores from the shared histograms */
    size_t len = 0;
    OK(r, rtn_scores_hist_len(1, 5, &len));
    PUT(r, len);
    RC(r, RTN_EINVAL, rtn_scores_hist_len(5, 5, &len));
    len = rtn_nps_hist_len();
    PUT(r, len);
    uint64_t p = 0, pa = 0, d = 0, p2 = 0, pa2 = 0, d2 = 0;
    OK(r, rtn_nps_categories(in.nps_hist, &p, &pa, &d));
    PUT(r, p), PUT(r, pa), PUT(r, d);
    double s1 = 0, s2 = 0, s3 = 0;
    OK(r, rtn_nps_shares(p, pa, d, &s1, &s2, &s3));
    PUT(r, s1), PUT(r, s2), PUT(r, s3);
    OK(r, rtn_nps_score(p, pa, d, &s1, &s2));
    PUT(r, s1), PUT(r, s2);
    for (int32_t method = RTN_NPS_WALD; method <= RTN_NPS_ADJUSTED_WALD; ++method)
        for (int i = 0; i < 3; ++i) {
            OK(r, rtn_nps_interval(p, pa, d, method, confidence[i], &s1, &s2));
            PUT(r, s1), PUT(r, s2);
        }
    OK(r, rtn_nps_categories(in.nps_a, &p, &pa, &d));
    OK(r, rtn_nps_categories(in.nps_b, &p2, &pa2, &d2));
    OK(r, rtn_nps_ztest(p, pa, d, p2, pa2, d2, &s1, &s2));
    PUT(r, s1), PUT(r, s2);
    for (uint32_t sat = 1; sat <= 5; ++sat) {
        OK(r, rtn_csat_score(in.csat_hist, 1, 5, sat, &s1, &s2));
        PUT(r, s1), PUT(r, s2);
        OK(r, rtn_csat_interval(in.csat_hist, 1, 5, sat, 0.95, &s1, &s2));
        PUT(r, s1), PUT(r, s2);
    }
    OK(r, rtn_ces_score(in.ces_hist, 1, 7, &s1, &s2));
    PUT(r, s1), PUT(r, s2);

    /* calendar */
    static const int32_t offsets[3] = {-300, 0, 540};
    for (size_t i = 0; i < N_TIMES; ++i)
        for (int32_t unit = RTN_PERIOD_DAY; unit <= RTN_PERIOD_SECONDS; ++unit) {
            int64_t period = 0, start = 0;
            int32_t off = offsets[i % 3];
            RC(r, ANY, rtn_calendar_period(in.times[i], unit, 7 * 3600, off, &period));
            PUT(r, period);
            RC(r, ANY, rtn_calendar_period_start(period, unit, 7 * 3600, off, &start));
            PUT(r, start);
        }
    for (int32_t param = -1; param <= 6; ++param) {
        int64_t lo = 0, hi = 0;
        RC(r, ANY, rtn_cohort_param_bounds(param, &lo, &hi));
        PUT(r, lo), PUT(r, hi);
    }

    /* reasons and teams */
    for (int32_t code = -1; code <= 257; ++code) {
        const char *name = rtn_reason_name(code);
        rec_str(r, "rtn_reason_name", name);
        int32_t back = -1;
        if (name) {
            OK(r, rtn_reason_code(name, &back));
            PUT(r, back);
        }
        uint32_t teams = 0;
        RC(r, ANY, rtn_reason_teams(code, &teams));
        PUT(r, teams);
    }
    int32_t back = -1;
    RC(r, RTN_EDOMAIN, rtn_reason_code("no_such_reason", &back));
    for (uint32_t bit = 0; bit < 8; ++bit)
        rec_str(r, "rtn_team_name", rtn_team_name(1u << bit));
    rec_str(r, "rtn_team_name", rtn_team_name(0));
    rec_str(r, "rtn_team_name", rtn_team_name(3));

    /* segments, from the shared tally */
    double chisq = 0, df = 0, pv = 0;
    OK(r, rtn_proportions_chisq(in.seg_k, in.seg_n, SEG_GROUPS, &chisq, &df, &pv));
    PUT(r, chisq), PUT(r, df), PUT(r, pv);
    rtn_segment_row rows[SEG_GROUPS];
    for (size_t ref = 0; ref < SEG_GROUPS; ref += 2) {
        memset(rows, 0, sizeof rows);
        OK(r, rtn_segments_compare(in.seg_k, in.seg_n, SEG_GROUPS, ref, 0.95, rows, &chisq, &pv));
        PUTN(r, rows, SEG_GROUPS);
        PUT(r, chisq), PUT(r, pv);
    }

    /* sBG formulas */
    static const double sbg_params[3][2] = {{0.668, 3.806}, {0.704, 1.182}, {2.0, 2.0}};
    for (int k = 0; k < 3; ++k) {
        double ll = 0;
        OK(r, rtn_sbg_loglik(sbg_params[k], SBG_ALIVE, SBG_LENGTHS, 2, &ll));
        PUT(r, ll);
        for (int t = 0; t <= 12; ++t) {
            double surv = 0, ret = 0;
            RC(r, t == 0 ? ANY : RTN_OK, rtn_sbg_survival(sbg_params[k], t + 0.5 * (k == 2), &surv, &ret));
            PUT(r, surv), PUT(r, ret);
        }
        for (uint64_t renewals = 0; renewals < 4; ++renewals) {
            double del = 0, derl = 0;
            OK(r, rtn_sbg_del(sbg_params[k], 0.1, renewals, &del, &derl));
            PUT(r, del), PUT(r, derl);
        }
    }
}

/* The counting kernels and tallies, into this thread's own arrays; the reason report of it. */
static void group_kernels(const ctx *c, rec *r)
{
    (void)c;
    uint64_t nps[RTN_NPS_HIST_LEN], csat[5], ces[7], hist[256];
    memset(nps, 0, sizeof nps), memset(csat, 0, sizeof csat), memset(ces, 0, sizeof ces);
    memset(hist, 0, sizeof hist);
    /* uneven chunks, so the kernel's vector and tail paths both run */
    size_t chunks[] = {0, 1, 17, 4096, 999, N_SCORES};
    for (size_t i = 0; i + 1 < sizeof chunks / sizeof chunks[0]; ++i) {
        size_t from = chunks[i] < N_SCORES ? chunks[i] : N_SCORES;
        size_t to = chunks[i + 1] < N_SCORES ? chunks[i + 1] : N_SCORES;
        if (to < from)
            to = from;
        OK(r, rtn_nps_count(in.nps + from, to - from, nps, NULL));
        OK(r, rtn_scores_count(in.csat + from, to - from, 1, 5, csat, NULL));
        OK(r, rtn_scores_count(in.ces + from, to - from, 1, 7, ces, NULL));
    }
    OK(r, rtn_nps_count(in.nps, N_SCORES, nps, NULL));
    PUTN(r, nps, RTN_NPS_HIST_LEN);
    PUTN(r, csat, 5);
    PUTN(r, ces, 7);
    OK(r, rtn_scores_count(in.nps, N_SCORES, 0, 255, hist, NULL));
    PUTN(r, hist, 256);
    size_t bad = 0;
    RC(r, RTN_EDOMAIN, rtn_scores_count(in.nps, N_SCORES, 1, 5, csat, &bad));
    PUT(r, bad);
    double mean = 0;
    OK(r, rtn_handle_time_mean(in.durations, N_SCORES, &mean, NULL));
    PUT(r, mean);
    OK(r, rtn_handle_time_mean(in.durations + 3, N_SCORES / 3, &mean, NULL));
    PUT(r, mean);

    uint64_t counts[RTN_REASON_CODES], counts_only[RTN_REASON_CODES];
    double lost[RTN_REASON_CODES];
    memset(counts, 0, sizeof counts), memset(counts_only, 0, sizeof counts_only);
    memset(lost, 0, sizeof lost);
    OK(r, rtn_reason_tally_add(in.reason, in.lost, N_REASONS / 2, counts, lost, NULL));
    OK(r, rtn_reason_tally_add(in.reason + N_REASONS / 2, in.lost + N_REASONS / 2,
                               N_REASONS - N_REASONS / 2, counts, lost, NULL));
    OK(r, rtn_reason_tally_add(in.reason, NULL, N_REASONS, counts_only, NULL, NULL));
    PUTN(r, counts, RTN_REASON_CODES);
    PUTN(r, lost, RTN_REASON_CODES);
    PUTN(r, counts_only, RTN_REASON_CODES);
    rtn_reason_row rows[RTN_REASON_CODES];
    size_t n_rows = 0;
    for (int32_t order = RTN_REASON_BY_LOST_MRR; order <= RTN_REASON_BY_COUNT; ++order) {
        memset(rows, 0, sizeof rows);
        OK(r, rtn_reason_report(counts, lost, order, 0.95, rows, RTN_REASON_CODES, &n_rows));
        PUT(r, n_rows);
        PUTN(r, rows, n_rows);
    }
    memset(rows, 0, sizeof rows);
    OK(r, rtn_reason_report(counts_only, NULL, RTN_REASON_BY_COUNT, 0.9, rows, RTN_REASON_CODES, &n_rows));
    PUT(r, n_rows);
    PUTN(r, rows, n_rows);
    RC(r, RTN_EBUFSIZE, rtn_reason_report(counts, lost, RTN_REASON_BY_COUNT, 0.95, rows, 1, &n_rows));
    PUT(r, n_rows);

    uint64_t k[SEG_GROUPS], n[SEG_GROUPS];
    memset(k, 0, sizeof k), memset(n, 0, sizeof n);
    OK(r, rtn_segments_count(in.segment, in.retained, N_SEGROWS / 3, SEG_GROUPS, k, n, NULL));
    OK(r, rtn_segments_count(in.segment + N_SEGROWS / 3, in.retained + N_SEGROWS / 3,
                             N_SEGROWS - N_SEGROWS / 3, SEG_GROUPS, k, n, NULL));
    PUTN(r, k, SEG_GROUPS);
    PUTN(r, n, SEG_GROUPS);
    RC(r, RTN_EDOMAIN, rtn_segments_count(in.segment, in.retained, N_SEGROWS, 2, k, n, &bad));
    PUT(r, bad);
}

/* Cohort builders of this thread: from the shared columns, and from the shared bytes. */
static void group_cohort(const ctx *c, rec *r)
{
    rtn_cohort_builder *b = make_cohort_builder(r, &c->alloc);
    rtn_cohort_table *t = NULL;
    if (b) {
        for (int32_t param = RTN_COHORT_PERIOD_UNIT; param <= RTN_COHORT_MAX_PERIODS; ++param) {
            int64_t v = 0;
            OK(r, rtn_cohort_builder_get(b, param, &v));
            PUT(r, v);
        }
        if (OK(r, rtn_cohort_builder_finish(b, &t)) == RTN_OK)
            put_cohort_table(r, t);
        rtn_cohort_table_free(t), t = NULL;
        OK(r, rtn_cohort_builder_set(b, RTN_COHORT_KIND, RTN_COHORT_RETURN_ON_OR_AFTER));
        OK(r, rtn_cohort_builder_set(b, RTN_COHORT_MAX_PERIODS, 6));
        if (OK(r, rtn_cohort_builder_finish(b, &t)) == RTN_OK)
            put_cohort_table(r, t);
        rtn_cohort_table_free(t), t = NULL;
        OK(r, rtn_cohort_builder_set_brackets(b, EDGES, N_EDGES));
        OK(r, rtn_cohort_builder_set(b, RTN_COHORT_OBSERVATION_END, BASE_2024 + 250 * DAY));
        if (OK(r, rtn_cohort_builder_finish(b, &t)) == RTN_OK)
            put_cohort_table(r, t);
        rtn_cohort_table_free(t), t = NULL;
        size_t len = 0;
        free(serialize_cohort(r, b, &len));
        rtn_cohort_builder_free(b);
    }

    /* every thread deserialises the same bytes at once */
    b = NULL;
    if (OK(r, rtn_cohort_builder_deserialize(&b, in.cohort_bytes, in.cohort_len, &c->alloc)) == RTN_OK) {
        size_t len = 0;
        uint8_t *bytes = serialize_cohort(r, b, &len);
        CHECK(r, bytes && len == in.cohort_len && memcmp(bytes, in.cohort_bytes, len) == 0);
        free(bytes);
        if (OK(r, rtn_cohort_builder_finish(b, &t)) == RTN_OK)
            put_cohort_table(r, t);
        rtn_cohort_table_free(t), t = NULL;
        rtn_cohort_builder_free(b);
    }
    RC(r, RTN_ECORRUPT, rtn_cohort_builder_deserialize(&b, in.cohort_bytes, in.cohort_len - 1, &c->alloc));

    for (int32_t kind = RTN_COHORT_RETURN_ON; kind <= RTN_COHORT_RETURN_ON_OR_AFTER; ++kind) {
        if (OK(r, rtn_cohort_table_build(in.ev_customer, in.ev_time, in.ev_amount, N_EVENTS,
                                         RTN_PERIOD_WEEK, kind, &t, NULL)) == RTN_OK)
            put_cohort_table(r, t);
        rtn_cohort_table_free(t), t = NULL;
    }
    CHECK(r, c->counter->live == 0);
}

/* Kaplan-Meier builders and curves of this thread, and the log-rank tests. */
static void group_km(const ctx *c, rec *r)
{
    rtn_km *km = NULL;
    rtn_km_builder *b = make_km_builder(r, &c->alloc);
    if (b) {
        for (int32_t param = RTN_KM_CONF_LEVEL; param <= RTN_KM_TIE_TOLERANCE; ++param) {
            double v = 0;
            OK(r, rtn_km_builder_get(b, param, &v));
            PUT(r, v);
        }
        if (OK(r, rtn_km_builder_finish(b, &km)) == RTN_OK)
            put_km(r, km);
        rtn_km_free(km), km = NULL;
        OK(r, rtn_km_builder_set(b, RTN_KM_TIE_TOLERANCE, 0.75));
        OK(r, rtn_km_builder_set(b, RTN_KM_CONF_TYPE, RTN_CONF_PLAIN));
        if (OK(r, rtn_km_builder_finish(b, &km)) == RTN_OK)
            put_km(r, km);
        rtn_km_free(km), km = NULL;
        size_t len = 0;
        free(serialize_km(r, b, &len));
        rtn_km_builder_free(b);
    }

    b = NULL;
    if (OK(r, rtn_km_builder_create(&b, &c->alloc)) == RTN_OK) {
        OK(r, rtn_km_builder_add_counts(b, in.kc_time, in.kc_events, in.kc_censored, NULL,
                                        N_KM_COUNTS, NULL));
        OK(r, rtn_km_builder_add(b, in.km_duration, in.km_event, NULL, NULL, 100, NULL));
        if (OK(r, rtn_km_builder_finish(b, &km)) == RTN_OK)
            put_km(r, km);
        rtn_km_free(km), km = NULL;
        rtn_km_builder_free(b);
    }

    b = NULL;
    if (OK(r, rtn_km_builder_deserialize(&b, in.km_bytes, in.km_len, &c->alloc)) == RTN_OK) {
        size_t len = 0;
        uint8_t *bytes = serialize_km(r, b, &len);
        CHECK(r, bytes && len == in.km_len && memcmp(bytes, in.km_bytes, len) == 0);
        free(bytes);
        if (OK(r, rtn_km_builder_finish(b, &km)) == RTN_OK)
            put_km(r, km);
        rtn_km_free(km), km = NULL;
        rtn_km_builder_free(b);
    }
    RC(r, RTN_ECORRUPT, rtn_km_builder_deserialize(&b, in.km_bytes, in.km_len - 8, &c->alloc));

    for (int32_t type = RTN_CONF_LOG; type <= RTN_CONF_PLAIN; ++type) {
        if (OK(r, rtn_km_build(in.km_duration, in.km_event, N_KM, type, 0.95, &km, NULL)) == RTN_OK)
            put_km(r, km);
        rtn_km_free(km), km = NULL;
    }

    rtn_km_builder *g[KM_GROUPS];
    if (make_km_groups(r, &c->alloc, g) == RTN_OK)
        for (int k = 0; k < 2; ++k) {
            double o[KM_GROUPS], e[KM_GROUPS], v[KM_GROUPS * KM_GROUPS], chisq = 0, p = 0;
            uint32_t df = 0;
            memset(o, 0, sizeof o), memset(e, 0, sizeof e), memset(v, 0, sizeof v);
            OK(r, rtn_logrank((const rtn_km_builder *const *)g, KM_GROUPS, k, o, e, v, &chisq,
                              &df, &p));
            PUTN(r, o, KM_GROUPS), PUTN(r, e, KM_GROUPS), PUTN(r, v, KM_GROUPS * KM_GROUPS);
            PUT(r, chisq), PUT(r, df), PUT(r, p);
        }
    for (int i = 0; i < KM_GROUPS; ++i)
        rtn_km_builder_free(g[i]);
    for (int k = 0; k < 2; ++k) {
        double o[KM_GROUPS], e[KM_GROUPS], v[KM_GROUPS * KM_GROUPS], chisq = 0, p = 0;
        uint32_t df = 0;
        memset(o, 0, sizeof o), memset(e, 0, sizeof e), memset(v, 0, sizeof v);
        OK(r, rtn_logrank_columns(in.km_duration, in.km_event, in.km_group, N_KM, KM_GROUPS,
                                  0.5 * k, o, e, v, &chisq, &df, &p, NULL));
        PUTN(r, o, KM_GROUPS), PUTN(r, e, KM_GROUPS), PUTN(r, v, KM_GROUPS * KM_GROUPS);
        PUT(r, chisq), PUT(r, df), PUT(r, p);
    }
    CHECK(r, c->counter->live == 0);
}

/* MRR builders and tables of this thread. */
static void group_mrr(const ctx *c, rec *r)
{
    rtn_mrr_table *t = NULL;
    rtn_mrr_builder *b = make_mrr_builder(r, &c->alloc);
    if (b) {
        int64_t first = 0, last = 0;
        int32_t is_set = -1;
        OK(r, rtn_mrr_builder_get(b, RTN_MRR_FIRST_PERIOD, &first));
        OK(r, rtn_mrr_builder_get(b, RTN_MRR_LAST_PERIOD, &last));
        OK(r, rtn_mrr_builder_is_set(b, RTN_MRR_FIRST_PERIOD, &is_set));
        PUT(r, first), PUT(r, last), PUT(r, is_set);
        if (OK(r, rtn_mrr_builder_finish(b, &t)) == RTN_OK)
            put_mrr_table(r, t);
        rtn_mrr_table_free(t), t = NULL;
        OK(r, rtn_mrr_builder_set(b, RTN_MRR_FIRST_PERIOD, first + 3));
        OK(r, rtn_mrr_builder_set(b, RTN_MRR_LAST_PERIOD, last + 2));
        OK(r, rtn_mrr_builder_is_set(b, RTN_MRR_LAST_PERIOD, &is_set));
        PUT(r, is_set);
        if (OK(r, rtn_mrr_builder_finish(b, &t)) == RTN_OK)
            put_mrr_table(r, t);
        rtn_mrr_table_free(t), t = NULL;
        size_t len = 0;
        free(serialize_mrr(r, b, &len));
        OK(r, rtn_mrr_builder_unset(b, RTN_MRR_FIRST_PERIOD));
        OK(r, rtn_mrr_builder_is_set(b, RTN_MRR_FIRST_PERIOD, &is_set));
        OK(r, rtn_mrr_builder_get(b, RTN_MRR_FIRST_PERIOD, &first));
        PUT(r, is_set), PUT(r, first);
        if (OK(r, rtn_mrr_builder_finish(b, &t)) == RTN_OK)
            put_mrr_table(r, t);
        rtn_mrr_table_free(t), t = NULL;
        rtn_mrr_builder_free(b);
    }

    b = NULL;
    if (OK(r, rtn_mrr_builder_deserialize(&b, in.mrr_bytes, in.mrr_len, &c->alloc)) == RTN_OK) {
        size_t len = 0;
        uint8_t *bytes = serialize_mrr(r, b, &len);
        CHECK(r, bytes && len == in.mrr_len && memcmp(bytes, in.mrr_bytes, len) == 0);
        free(bytes);
        if (OK(r, rtn_mrr_builder_finish(b, &t)) == RTN_OK)
            put_mrr_table(r, t);
        rtn_mrr_table_free(t), t = NULL;
        rtn_mrr_builder_free(b);
    }
    RC(r, RTN_ECORRUPT, rtn_mrr_builder_deserialize(&b, in.mrr_bytes, in.mrr_len / 2, &c->alloc));

    if (OK(r, rtn_mrr_table_build(in.mrr_customer, in.mrr_period, in.mrr_amount, in.n_mrr, &t,
                                  NULL)) == RTN_OK)
        put_mrr_table(r, t);
    rtn_mrr_table_free(t);
    CHECK(r, c->counter->live == 0);
}

/* RFM summaries of this thread: one call, and from this thread's builder. */
static void group_rfm(const ctx *c, rec *r)
{
    rtn_rfm *rfm = NULL;
    if (OK(r, rtn_rfm_build(in.pu_customer, in.pu_time, in.pu_amount, in.n_pu, CAL_END, HOLD_END,
                            7.0, &rfm, NULL)) == RTN_OK)
        put_rfm(r, rfm);
    rtn_rfm_free(rfm), rfm = NULL;
    rtn_cohort_builder *b = make_purchase_builder(r, &c->alloc);
    if (b) {
        if (OK(r, rtn_rfm_from_builder(b, CAL_END, CAL_END, 1.0, &rfm)) == RTN_OK)
            put_rfm(r, rfm);
        rtn_rfm_free(rfm), rfm = NULL;
        rtn_cohort_builder_free(b);
    }
    CHECK(r, c->counter->live == 0);
}

/* Const functions on ONE shared handle of each kind, from every thread at once. */
static void group_shared(const ctx *c, rec *r)
{
    (void)c;
    size_t len = 0;

    /* the shared cohort builder: get, serialise, finish, RFM */
    for (int32_t param = RTN_COHORT_PERIOD_UNIT; param <= RTN_COHORT_MAX_PERIODS; ++param) {
        int64_t v = 0;
        OK(r, rtn_cohort_builder_get(sh.cohort_builder, param, &v));
        PUT(r, v);
    }
    uint8_t *bytes = serialize_cohort(r, sh.cohort_builder, &len);
    CHECK(r, bytes && len == in.cohort_len && memcmp(bytes, in.cohort_bytes, len) == 0);
    free(bytes);
    rtn_cohort_table *t = NULL;
    if (OK(r, rtn_cohort_builder_finish(sh.cohort_builder, &t)) == RTN_OK)
        put_cohort_table(r, t);
    rtn_cohort_table_free(t);
    rtn_rfm *rfm = NULL;
    if (OK(r, rtn_rfm_from_builder(sh.purchase_builder, CAL_END, HOLD_END, 7.0, &rfm)) == RTN_OK)
        put_rfm(r, rfm);
    rtn_rfm_free(rfm);

    /* the shared cohort table */
    put_cohort_table(r, sh.cohort_table);

    /* the shared KM builder, its curve, and the shared group builders */
    for (int32_t param = RTN_KM_CONF_LEVEL; param <= RTN_KM_TIE_TOLERANCE; ++param) {
        double v = 0;
        OK(r, rtn_km_builder_get(sh.km_builder, param, &v));
        PUT(r, v);
    }
    bytes = serialize_km(r, sh.km_builder, &len);
    CHECK(r, bytes && len == in.km_len && memcmp(bytes, in.km_bytes, len) == 0);
    free(bytes);
    rtn_km *km = NULL;
    if (OK(r, rtn_km_builder_finish(sh.km_builder, &km)) == RTN_OK)
        put_km(r, km);
    rtn_km_free(km);
    put_km(r, sh.km);
    for (int k = 0; k < 2; ++k) {
        double o[KM_GROUPS], e[KM_GROUPS], v[KM_GROUPS * KM_GROUPS], chisq = 0, p = 0;
        uint32_t df = 0;
        memset(o, 0, sizeof o), memset(e, 0, sizeof e), memset(v, 0, sizeof v);
        OK(r, rtn_logrank((const rtn_km_builder *const *)sh.km_groups, KM_GROUPS, 0.5 * k, o, e,
                          v, &chisq, &df, &p));
        PUTN(r, o, KM_GROUPS), PUTN(r, e, KM_GROUPS), PUTN(r, v, KM_GROUPS * KM_GROUPS);
        PUT(r, chisq), PUT(r, df), PUT(r, p);
    }
    double chisq = 0;
    OK(r, rtn_logrank((const rtn_km_builder *const *)sh.km_groups, 2, 1.0, NULL, NULL, NULL,
                      &chisq, NULL, NULL));
    PUT(r, chisq);

    /* the shared MRR builder and table */
    int64_t first = 0, last = 0;
    int32_t is_set = -1;
    OK(r, rtn_mrr_builder_get(sh.mrr_builder, RTN_MRR_FIRST_PERIOD, &first));
    OK(r, rtn_mrr_builder_get(sh.mrr_builder, RTN_MRR_LAST_PERIOD, &last));
    OK(r, rtn_mrr_builder_is_set(sh.mrr_builder, RTN_MRR_LAST_PERIOD, &is_set));
    PUT(r, first), PUT(r, last), PUT(r, is_set);
    bytes = serialize_mrr(r, sh.mrr_builder, &len);
    CHECK(r, bytes && len == in.mrr_len && memcmp(bytes, in.mrr_bytes, len) == 0);
    free(bytes);
    rtn_mrr_table *mt = NULL;
    if (OK(r, rtn_mrr_builder_finish(sh.mrr_builder, &mt)) == RTN_OK)
        put_mrr_table(r, mt);
    rtn_mrr_table_free(mt);
    put_mrr_table(r, sh.mrr_table);

    /* the shared RFM summary */
    put_rfm(r, sh.rfm);
}

/* Model fits and predictions on the shared RFM columns and sBG counts. */
static void group_models(const ctx *c, rec *r)
{
    const size_t n = in.n_cust;
    double ll = 0, ll2 = 0, e = 0, pmf[8], pmf2[8];
    size_t bad = 0;
    double *a = calloc(n, sizeof *a), *b = calloc(n, sizeof *b);
    double *a2 = calloc(n, sizeof *a2), *b2 = calloc(n, sizeof *b2);
    if (!a || !b || !a2 || !b2) {
        rec_fail(r, "out of memory in the test", RTN_ENOMEM);
        free(a), free(b), free(a2), free(b2);
        return;
    }

    /* BG/NBD */
    double bg[4] = {0}, bgse[4] = {0};
    OK(r, rtn_bgnbd_fit(in.x, in.t_x, in.T, NULL, n, bg, bgse, &ll, NULL));
    PUTN(r, bg, 4), PUTN(r, bgse, 4), PUT(r, ll);
    double bg2[4] = {0}, bgse2[4] = {0};
    OK(r, rtn_bgnbd_fit_alloc(in.x, in.t_x, in.T, NULL, n, bg2, bgse2, &ll2, NULL, &c->alloc));
    CHECK(r, SAME(bg, bg2) && SAME(bgse, bgse2) && SAME(ll, ll2));
    OK(r, rtn_bgnbd_loglik(in.bgnbd, in.x, in.t_x, in.T, in.w, n, &ll, NULL));
    PUT(r, ll);
    OK(r, rtn_bgnbd_predict(in.bgnbd, in.x, in.t_x, in.T, n, 39.0, a, b, NULL));
    PUTN(r, a, n), PUTN(r, b, n);
    OK(r, rtn_bgnbd_predict_alloc(in.bgnbd, in.x, in.t_x, in.T, n, 39.0, a2, b2, NULL, &c->alloc));
    CHECK(r, SAMEN(a, a2, n) && SAMEN(b, b2, n));
    memset(pmf, 0, sizeof pmf);
    OK(r, rtn_bgnbd_new_customer(in.bgnbd, 39.0, &e, pmf, 8));
    PUT(r, e), PUTN(r, pmf, 8);

    /* Gamma-Gamma and CLV */
    double gg[3] = {0}, ggse[3] = {0};
    OK(r, rtn_gg_fit(in.x, in.m, NULL, n, gg, ggse, &ll, NULL));
    PUTN(r, gg, 3), PUTN(r, ggse, 3), PUT(r, ll);
    OK(r, rtn_gg_loglik(in.gg, in.x, in.m, in.w, n, &ll, NULL));
    PUT(r, ll);
    OK(r, rtn_gg_expected_spend(in.gg, in.x, in.m, n, a, NULL));
    PUTN(r, a, n);
    OK(r, rtn_clv_bgnbd_gg(in.bgnbd, in.gg, in.x, in.t_x, in.T, in.m, n, 0.01, 4.0, 12, a, NULL));
    PUTN(r, a, n);
    OK(r, rtn_clv_bgnbd_gg_alloc(in.bgnbd, in.gg, in.x, in.t_x, in.T, in.m, n, 0.01, 4.0, 12, a2,
                                 NULL, &c->alloc));
    CHECK(r, SAMEN(a, a2, n));

    /* Pareto/NBD */
    double pn[4] = {0}, pnse[4] = {0};
    OK(r, rtn_pnbd_fit(in.x, in.t_x, in.T, NULL, n, pn, pnse, &ll, NULL));
    PUTN(r, pn, 4), PUTN(r, pnse, 4), PUT(r, ll);
    double pn2[4] = {0}, pnse2[4] = {0};
    OK(r, rtn_pnbd_fit_alloc(in.x, in.t_x, in.T, NULL, n, pn2, pnse2, &ll2, NULL, &c->alloc));
    CHECK(r, SAME(pn, pn2) && SAME(pnse, pnse2) && SAME(ll, ll2));
    OK(r, rtn_pnbd_loglik(in.pnbd, in.x, in.t_x, in.T, in.w, n, &ll, NULL));
    PUT(r, ll);
    OK(r, rtn_pnbd_predict(in.pnbd, in.x, in.t_x, in.T, n, 39.0, a, b, NULL));
    PUTN(r, a, n), PUTN(r, b, n);
    OK(r, rtn_pnbd_predict_alloc(in.pnbd, in.x, in.t_x, in.T, n, 39.0, a2, b2, NULL, &c->alloc));
    CHECK(r, SAMEN(a, a2, n) && SAMEN(b, b2, n));
    OK(r, rtn_pnbd_new_customer(in.pnbd, 39.0, &e));
    PUT(r, e);
    memset(pmf, 0, sizeof pmf);
    OK(r, rtn_pnbd_pmf(in.pnbd, 39.0, pmf, 8));
    PUTN(r, pmf, 8);
    memset(pmf2, 0, sizeof pmf2);
    OK(r, rtn_pnbd_pmf_alloc(in.pnbd, 39.0, pmf2, 8, &c->alloc));
    CHECK(r, SAME(pmf, pmf2));
    OK(r, rtn_pnbd_dert(in.pnbd, in.x, in.t_x, in.T, n, log(1.15) / 52.0, a, NULL));
    PUTN(r, a, n);
    OK(r, rtn_pnbd_dert_alloc(in.pnbd, in.x, in.t_x, in.T, n, log(1.15) / 52.0, a2, NULL, &c->alloc));
    CHECK(r, SAMEN(a, a2, n));
    RC(r, RTN_EDOMAIN, rtn_pnbd_dert(in.pnbd, in.x, in.t_x, in.x, n, 0.01, a, &bad));
    PUT(r, bad);

    /* sBG */
    double sp[2] = {0}, sse[2] = {0};
    OK(r, rtn_sbg_fit(SBG_ALIVE, SBG_LENGTHS, 2, sp, sse, &ll));
    PUTN(r, sp, 2), PUTN(r, sse, 2), PUT(r, ll);
    OK(r, rtn_sbg_fit(SBG_ALIVE, SBG_LENGTHS, 1, sp, NULL, NULL));
    PUTN(r, sp, 2);
    free(a), free(b), free(a2), free(b2);
    CHECK(r, c->counter->live == 0);
}

typedef struct group {
    const char *name;
    void (*run)(const ctx *c, rec *r);
} group;

static const group GROUPS[] = {
    {"formulas", group_formulas}, {"kernels", group_kernels}, {"cohort", group_cohort},
    {"km", group_km},             {"mrr", group_mrr},         {"rfm", group_rfm},
    {"shared", group_shared},     {"models", group_models},
};
enum { N_GROUPS = sizeof GROUPS / sizeof GROUPS[0] };

static rec reference[N_GROUPS];

/* ---- setup: the inputs, the shared handles, the reference ------------------------------------------------ */

static int make_inputs(void)
{
    /* scores and durations */
    for (size_t i = 0; i < N_SCORES; ++i) {
        uint64_t u = below(100);
        in.nps[i] = (uint8_t)(u < 45 ? 9 + below(2) : u < 75 ? 7 + below(2) : below(7));
        in.csat[i] = (uint8_t)(1 + below(5));
        in.ces[i] = (uint8_t)(1 + (below(7) + below(7)) / 2);
        in.durations[i] = (double)below(1000000) / 1000.0;
    }
    for (size_t i = 0; i < N_CASES; ++i) {
        rate_case *k = &in.cases[i];
        k->a = below(2000);
        k->b = below(2000);
        k->c = below(600);
        k->x = i % 11 == 0 ? 0.0 : uniform() * 1000.0;
        k->y = i % 13 == 0 ? 0.0 : uniform() * 0.3;
        k->z = uniform() * 0.8;
        k->w = uniform();
        k->v = uniform() * 0.5;
    }
    for (size_t i = 0; i < N_TIMES; ++i)
        in.times[i] = i % 4 == 0 ? RTN_TIME_MIN + (int64_t)below((uint64_t)(RTN_TIME_MAX - RTN_TIME_MIN))
                                 : BASE_2024 + (int64_t)below(400 * 86400) - 200 * 86400;
    in.times[0] = RTN_TIME_MIN, in.times[1] = RTN_TIME_MAX, in.times[2] = -1;

    /* cohort events: customers join over the year and come back now and then */
    int64_t join[N_EV_CUSTOMERS];
    for (size_t c = 0; c < N_EV_CUSTOMERS; ++c)
        join[c] = BASE_2024 + (int64_t)below(330 * 86400);
    for (size_t i = 0; i < N_EVENTS; ++i) {
        size_t c = (size_t)below(N_EV_CUSTOMERS);
        in.ev_customer[i] = (int64_t)c * 7919 - 100000;
        int64_t t = join[c] + (int64_t)below(200 * 86400);
        in.ev_time[i] = t < BASE_2024 + 365 * DAY ? t : join[c];
        in.ev_amount[i] = (double)(int64_t)below(200000) / 100.0 - (i % 97 == 0 ? 50.0 : 0.0);
    }
    for (size_t i = 0; i < N_SIGNUPS; ++i) {
        size_t c = (size_t)below(N_EV_CUSTOMERS + 50); /* some have no events at all */
        in.su_customer[i] = (int64_t)c * 7919 - 100000;
        in.su_time[i] = (c < N_EV_CUSTOMERS ? join[c] : BASE_2024) - (int64_t)below(40 * 86400);
    }

    /* Kaplan-Meier subjects: whole days mostly, some halves, ties; entries; weights */
    for (size_t i = 0; i < N_KM; ++i) {
        double d = 1.0 + (double)below(700) + (i % 5 == 0 ? 0.5 : 0.0);
        in.km_duration[i] = d;
        in.km_event[i] = (uint8_t)(below(3) != 0);
        in.km_entry[i] = i % 4 == 0 ? floor(d * uniform() * 0.5) : 0.0;
        in.km_weight[i] = 0.5 * (double)(1 + below(4));
        in.km_group[i] = (uint32_t)below(KM_GROUPS);
    }
    for (int g = 0; g < KM_GROUPS; ++g) {
        in.g_duration[g] = malloc(N_KM * sizeof(double));
        in.g_weight[g] = malloc(N_KM * sizeof(double));
        in.g_event[g] = malloc(N_KM);
        if (!in.g_duration[g] || !in.g_weight[g] || !in.g_event[g])
            return 0;
        for (size_t i = 0; i < N_KM; ++i)
            if (in.km_group[i] == (uint32_t)g) {
                in.g_duration[g][in.g_n[g]] = in.km_duration[i];
                in.g_weight[g][in.g_n[g]] = in.km_weight[i];
                in.g_event[g][in.g_n[g]++] = in.km_event[i];
            }
    }
    for (size_t i = 0; i < N_KM_COUNTS; ++i) {
        in.kc_time[i] = (double)(1 + below(50));
        in.kc_events[i] = below(5);
        in.kc_censored[i] = below(3);
    }
    for (size_t i = 0; i < 32; ++i)
        in.km_at[i] = -5.0 + 25.0 * (double)i + (i % 3 == 0 ? 0.5 : 0.0);

    /* MRR rows: plans in cents, upgrades, downgrades, gaps, two subscriptions, rows of 0 */
    static const double plans[] = {29.97, 28.94, 49.0, 99.99, 149.5, 0.0};
    size_t cap = MRR_CUSTOMERS * MRR_MONTHS * 2;
    in.mrr_customer = malloc(cap * sizeof(int64_t));
    in.mrr_period = malloc(cap * sizeof(int64_t));
    in.mrr_amount = malloc(cap * sizeof(double));
    if (!in.mrr_customer || !in.mrr_period || !in.mrr_amount)
        return 0;
    for (size_t c = 0; c < MRR_CUSTOMERS; ++c) {
        int64_t start = (int64_t)below(MRR_MONTHS), stop = start + 1 + (int64_t)below(MRR_MONTHS);
        size_t plan = (size_t)below(5);
        for (int64_t p = start; p < stop && p < MRR_MONTHS; ++p) {
            uint64_t u = below(20);
            if (u == 0)
                continue; /* a gap: churn, then reactivation */
            if (u == 1)
                plan = (size_t)below(6);
            in.mrr_customer[in.n_mrr] = (int64_t)c;
            in.mrr_period[in.n_mrr] = 648 + p;
            in.mrr_amount[in.n_mrr++] = plans[plan];
            if (u == 2) { /* a second subscription */
                in.mrr_customer[in.n_mrr] = (int64_t)c;
                in.mrr_period[in.n_mrr] = 648 + p;
                in.mrr_amount[in.n_mrr++] = plans[(plan + 1) % 5];
            }
        }
    }
    /* shuffle, so that the rows come in no order */
    for (size_t i = in.n_mrr - 1; i > 0; --i) {
        size_t j = (size_t)below(i + 1);
        int64_t tc = in.mrr_customer[i], tp = in.mrr_period[i];
        double ta = in.mrr_amount[i];
        in.mrr_customer[i] = in.mrr_customer[j], in.mrr_period[i] = in.mrr_period[j];
        in.mrr_amount[i] = in.mrr_amount[j];
        in.mrr_customer[j] = tc, in.mrr_period[j] = tp, in.mrr_amount[j] = ta;
    }

    /* a purchase log from the Pareto/NBD model itself (r = s = 0.5, α = β = 10 weeks), with
     * Gamma-Gamma spend (p = 4, q = 3, γ = 15), first purchases in the first 12 weeks */
    size_t pcap = 64 * N_PURCHASERS;
    in.pu_customer = malloc(pcap * sizeof(int64_t));
    in.pu_time = malloc(pcap * sizeof(int64_t));
    in.pu_amount = malloc(pcap * sizeof(double));
    if (!in.pu_customer || !in.pu_time || !in.pu_amount)
        return 0;
    for (size_t c = 0; c < N_PURCHASERS; ++c) {
        double z1 = normal(), z2 = normal();
        double lambda = z1 * z1 / 20.0 + 1e-9, mu = z2 * z2 / 20.0 + 1e-9; /* per week */
        double death = expo(mu), nu = (expo(1) + expo(1) + expo(1)) / 15.0;
        double t = (double)below(84) / 7.0, end = 78.0; /* weeks since BASE_1997 */
        double first = t;
        for (size_t k = 0; t < end && t - first <= death && in.n_pu < pcap && k < 60; ++k) {
            double spend = (expo(1) + expo(1) + expo(1) + expo(1)) / nu;
            in.pu_customer[in.n_pu] = (int64_t)(c * 31 + 5);
            in.pu_time[in.n_pu] = BASE_1997 + (int64_t)(t * 7.0 * 86400.0);
            in.pu_amount[in.n_pu++] = fmax(0.01, floor(spend * 100.0 + 0.5) / 100.0);
            t += expo(lambda);
        }
    }

    /* churn reasons: built-in and user codes; segments */
    static const int32_t codes[] = {0, 1, 2, 3, 3, 4, 4, 4, 5, 6, 64, 65, 200};
    for (size_t i = 0; i < N_REASONS; ++i) {
        in.reason[i] = codes[below(sizeof codes / sizeof codes[0])];
        in.lost[i] = (double)below(50000) / 100.0;
    }
    for (size_t i = 0; i < N_SEGROWS; ++i) {
        in.segment[i] = (int32_t)below(SEG_GROUPS);
        in.retained[i] = (uint8_t)(below(100) < 30 + 12 * (uint64_t)in.segment[i]);
    }
    return 1;
}

/* The derived inputs and the shared handles, made by the library on one thread. */
static int make_shared(rec *r)
{
    OK(r, rtn_nps_count(in.nps, N_SCORES, in.nps_hist, NULL));
    OK(r, rtn_nps_count(in.nps, N_SCORES / 3, in.nps_a, NULL));
    OK(r, rtn_nps_count(in.nps + N_SCORES / 3, N_SCORES - N_SCORES / 3, in.nps_b, NULL));
    OK(r, rtn_scores_count(in.csat, N_SCORES, 1, 5, in.csat_hist, NULL));
    OK(r, rtn_scores_count(in.ces, N_SCORES, 1, 7, in.ces_hist, NULL));
    OK(r, rtn_reason_tally_add(in.reason, in.lost, N_REASONS, in.reason_counts, in.reason_lost, NULL));
    OK(r, rtn_segments_count(in.segment, in.retained, N_SEGROWS, SEG_GROUPS, in.seg_k, in.seg_n, NULL));

    sh.cohort_builder = make_cohort_builder(r, NULL);
    sh.purchase_builder = make_purchase_builder(r, NULL);
    sh.km_builder = make_km_builder(r, NULL);
    OK(r, make_km_groups(r, NULL, sh.km_groups));
    sh.mrr_builder = make_mrr_builder(r, NULL);
    if (!sh.cohort_builder || !sh.purchase_builder || !sh.km_builder || !sh.mrr_builder)
        return 0;
    OK(r, rtn_mrr_builder_set(sh.mrr_builder, RTN_MRR_LAST_PERIOD, 648 + MRR_MONTHS));
    OK(r, rtn_cohort_builder_finish(sh.cohort_builder, &sh.cohort_table));
    OK(r, rtn_km_builder_finish(sh.km_builder, &sh.km));
    OK(r, rtn_mrr_builder_finish(sh.mrr_builder, &sh.mrr_table));
    OK(r, rtn_rfm_from_builder(sh.purchase_builder, CAL_END, HOLD_END, 7.0, &sh.rfm));
    if (r->failures)
        return 0;

    in.cohort_bytes = serialize_cohort(r, sh.cohort_builder, &in.cohort_len);
    in.km_bytes = serialize_km(r, sh.km_builder, &in.km_len);
    in.mrr_bytes = serialize_mrr(r, sh.mrr_builder, &in.mrr_len);

    OK(r, rtn_rfm_size(sh.rfm, &in.n_cust));
    size_t n = in.n_cust;
    in.x = malloc(n * sizeof(double));
    in.t_x = malloc(n * sizeof(double));
    in.T = malloc(n * sizeof(double));
    in.m = malloc(n * sizeof(double));
    in.w = malloc(n * sizeof(double));
    if (!in.cohort_bytes || !in.km_bytes || !in.mrr_bytes || !in.x || !in.t_x || !in.T || !in.m ||
        !in.w)
        return 0;
    OK(r, rtn_rfm_column(sh.rfm, RTN_RFM_X, in.x, n));
    OK(r, rtn_rfm_column(sh.rfm, RTN_RFM_T_X, in.t_x, n));
    OK(r, rtn_rfm_column(sh.rfm, RTN_RFM_T, in.T, n));
    OK(r, rtn_rfm_column(sh.rfm, RTN_RFM_MONETARY, in.m, n));
    for (size_t i = 0; i < n; ++i)
        in.w[i] = (double)(1 + i % 3);
    OK(r, rtn_bgnbd_fit(in.x, in.t_x, in.T, NULL, n, in.bgnbd, NULL, NULL, NULL));
    OK(r, rtn_gg_fit(in.x, in.m, NULL, n, in.gg, NULL, NULL, NULL));
    OK(r, rtn_pnbd_fit(in.x, in.t_x, in.T, NULL, n, in.pnbd, NULL, NULL, NULL));
    if (getenv("RTN_THREADS_VERBOSE")) {
        size_t cohorts = 0, periods = 0, rows = 0, mrr_periods = 0;
        int64_t first = 0;
        rtn_cohort_table_dims(sh.cohort_table, &cohorts, &periods);
        rtn_km_size(sh.km, &rows);
        rtn_mrr_table_periods(sh.mrr_table, &first, &mrr_periods);
        fprintf(stderr,
                "inputs: %zu purchases of %zu customers, %zu MRR rows; cohort table %zu x %zu, "
                "KM curve %zu rows, MRR table %zu periods\n"
                "fits: BG/NBD %g %g %g %g; Gamma-Gamma %g %g %g; Pareto/NBD %g %g %g %g\n",
                in.n_pu, n, in.n_mrr, cohorts, periods, rows, mrr_periods, in.bgnbd[0],
                in.bgnbd[1], in.bgnbd[2], in.bgnbd[3], in.gg[0], in.gg[1], in.gg[2], in.pnbd[0],
                in.pnbd[1], in.pnbd[2], in.pnbd[3]);
    }
    return r->failures == 0;
}

static void free_shared(void)
{
    rtn_cohort_builder_free(sh.cohort_builder);
    rtn_cohort_builder_free(sh.purchase_builder);
    rtn_cohort_table_free(sh.cohort_table);
    rtn_km_builder_free(sh.km_builder);
    for (int g = 0; g < KM_GROUPS; ++g) {
        rtn_km_builder_free(sh.km_groups[g]);
        free(in.g_duration[g]);
        free(in.g_weight[g]);
        free(in.g_event[g]);
    }
    rtn_km_free(sh.km);
    rtn_mrr_builder_free(sh.mrr_builder);
    rtn_mrr_table_free(sh.mrr_table);
    rtn_rfm_free(sh.rfm);
    free(in.mrr_customer), free(in.mrr_period), free(in.mrr_amount);
    free(in.pu_customer), free(in.pu_time), free(in.pu_amount);
    free(in.x), free(in.t_x), free(in.T), free(in.m), free(in.w);
    free(in.cohort_bytes), free(in.km_bytes), free(in.mrr_bytes);
    for (size_t g = 0; g < N_GROUPS; ++g)
        rec_free(&reference[g]);
    memset(&sh, 0, sizeof sh);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

static int setup(void **state)
{
    (void)state;
    if (!make_inputs())
        return -1;
    rec r;
    memset(&r, 0, sizeof r);
    int ok = make_shared(&r);
    if (!ok)
        fprintf(stderr, "setup: %s returned %d (%s)\n", r.failure ? r.failure : "allocation",
                r.failure_rc, rtn_strerror(r.failure_rc));
    rec_free(&r);
    return ok ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free_shared();
    return 0;
}

/* ---- the tests ------------------------------------------------------------------------------------------- */

/* The single-threaded reference: every call that must succeed does, every handle is freed. */
static void reference_run(void **state)
{
    (void)state;
    counting counter = {0, 0};
    ctx c = {{counting_alloc, counting_free, &counter}, &counter};
    for (size_t g = 0; g < N_GROUPS; ++g) {
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        rec_reset(&reference[g]);
        GROUPS[g].run(&c, &reference[g]);
        if (reference[g].failures)
            print_error("group %s: %u unexpected statuses, first %s returned %d (%s)\n",
                        GROUPS[g].name, reference[g].failures, reference[g].failure,
                        reference[g].failure_rc, rtn_strerror(reference[g].failure_rc));
        assert_int_equal(reference[g].failures, 0);
        assert_true(reference[g].n > 0);
        if (getenv("RTN_THREADS_VERBOSE"))
            fprintf(stderr, "group %-8s %6zu records %8zu bytes %.3f s\n", GROUPS[g].name,
                    reference[g].n, reference[g].len, seconds_since(&t0));
    }
    assert_int_equal(counter.live, 0);
    assert_true(counter.calls > 0); /* the per-handle allocator was used */
    /* a second run on the same thread gives the same bytes: the comparison below is meaningful */
    for (size_t g = 0; g < N_GROUPS; ++g) {
        rec again;
        memset(&again, 0, sizeof again);
        GROUPS[g].run(&c, &again);
        size_t at = rec_diff(&reference[g], &again);
        if (at != SIZE_MAX)
            print_error("group %s: a second run differs at record %zu (%s)\n", GROUPS[g].name, at,
                        at < reference[g].n ? reference[g].labels[at] : "(end)");
        rec_free(&again);
        assert_true(at == SIZE_MAX);
    }
}

typedef struct worker {
    pthread_t thread;
    int index, iterations;
    pthread_barrier_t *barriers; /* two, used in turn (see sync_threads()) */
    unsigned rounds;
    counting counter;
    rec recs[N_GROUPS];
    unsigned runs, mismatches, failures;
    const char *group;    /* where the first mismatch or failure was */
    const char *label;
    int iteration;
} worker;

/* All threads meet here. Two barriers take turns: TSan models a barrier as one object that each
 * thread releases into and then acquires from, so a thread slow to wake from round k would
 * acquire what a fast thread released into the same object for round k + 1 — a false
 * happens-before that hides races. A thread can only reach round k + 2 once every thread has
 * left round k. */
static void sync_threads(worker *w)
{
    pthread_barrier_wait(&w->barriers[w->rounds++ % 2]);
}

static void *work(void *arg)
{
    worker *w = arg;
    ctx c = {{counting_alloc, counting_free, &w->counter}, &w->counter};
    for (int it = 0; it < w->iterations; ++it) {
        int lockstep = it % 2 == 0;
        if (!lockstep)
            sync_threads(w);
        for (size_t j = 0; j < N_GROUPS; ++j) {
            /* lockstep: all threads start each group together, so that both sides of a race are
             * recent in TSan's per-thread histories (it drops a race whose other side it can no
             * longer restore); else each thread starts at another group */
            size_t g = lockstep ? ((size_t)it / 2 + j) % N_GROUPS
                                : ((size_t)w->index * 3 + (size_t)it + j) % N_GROUPS;
            if (lockstep)
                sync_threads(w);
            rec *r = &w->recs[g];
            rec_reset(r);
            GROUPS[g].run(&c, r);
            w->runs++;
            size_t at = rec_diff(&reference[g], r);
            if (r->failures || at != SIZE_MAX) {
                if (w->mismatches + w->failures == 0) {
                    w->group = GROUPS[g].name;
                    w->label = at == SIZE_MAX ? r->failure
                               : at < reference[g].n ? reference[g].labels[at]
                                                     : "(record count)";
                    w->iteration = it;
                }
                w->mismatches += at != SIZE_MAX;
                w->failures += r->failures != 0;
            }
        }
    }
    return NULL;
}

/* THREADS threads run the whole battery at once, ITERATIONS times each: every record of every
 * run equals the single-threaded reference, byte for byte. */
static void threads_match_reference(void **state)
{
    (void)state;
    for (size_t g = 0; g < N_GROUPS; ++g)
        assert_true(reference[g].n > 0); /* reference_run ran */
    /* valgrind runs the threads one at a time, about 50 times slower: one lockstep and one mixed
     * iteration there (its preload library is how to tell) */
    const char *preload = getenv("LD_PRELOAD");
    int iterations = preload && strstr(preload, "vgpreload") ? 2 : DEFAULT_ITERATIONS;
    const char *env = getenv("RTN_THREADS_ITERATIONS");
    if (env && atoi(env) > 0)
        iterations = atoi(env);

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_barrier_t barriers[2];
    assert_int_equal(pthread_barrier_init(&barriers[0], NULL, THREADS), 0);
    assert_int_equal(pthread_barrier_init(&barriers[1], NULL, THREADS), 0);
    worker *w = calloc(THREADS, sizeof *w);
    assert_non_null(w);
    int started = 0;
    for (int i = 0; i < THREADS; ++i) {
        w[i].index = i;
        w[i].iterations = iterations;
        w[i].barriers = barriers;
        if (pthread_create(&w[i].thread, NULL, work, &w[i]) == 0)
            started++;
        else
            break;
    }
    assert_int_equal(started, THREADS); /* (a failed start would leave the others at the barrier) */
    for (int i = 0; i < THREADS; ++i)
        pthread_join(w[i].thread, NULL);
    pthread_barrier_destroy(&barriers[0]);
    pthread_barrier_destroy(&barriers[1]);
    if (getenv("RTN_THREADS_VERBOSE"))
        fprintf(stderr, "%d threads x %d iterations: %.2f s\n", THREADS, iterations,
                seconds_since(&t0));

    unsigned bad = 0;
    for (int i = 0; i < THREADS; ++i) {
        if (w[i].mismatches || w[i].failures) {
            print_error("thread %d: %u mismatching and %u failing group runs; first in group %s, "
                        "iteration %d, at %s\n",
                        i, w[i].mismatches, w[i].failures, w[i].group, w[i].iteration, w[i].label);
            bad++;
        }
        if (w[i].runs != (unsigned)iterations * N_GROUPS || w[i].counter.live != 0) {
            print_error("thread %d: %u group runs, %ld blocks left allocated\n", i, w[i].runs,
                        w[i].counter.live);
            bad++;
        }
        for (size_t g = 0; g < N_GROUPS; ++g)
            rec_free(&w[i].recs[g]);
    }
    free(w);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reference_run),
        cmocka_unit_test(threads_match_reference),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
