/* RFM summaries (retention/models.h) from a cohort builder: the builder already holds each
 * customer's distinct active periods with their revenue, sorted by (customer, period) and
 * merged exactly across partitions, which is precisely the "purchases on the same day merge"
 * input the BTYD models take. One pass over those entries gives x, t_x, T, monetary and the
 * holdout count. */
#include <string.h>

#include "cohort_state.h"

struct rtn_rfm {
    rtn_allocator alloc; /* the builder's */
    size_t n;
    int64_t *id;
    double *x, *t_x, *age, *monetary, *x_holdout; /* one allocation after id */
};

void rtn_rfm_free(rtn_rfm *rfm)
{
    if (!rfm)
        return;
    rtn_allocator a = rfm->alloc;
    rtn__free(&a, rfm->id);
    rtn__free(&a, rfm->x);
    rtn__free(&a, rfm);
}

static rtn_rfm *rfm_new(const rtn_allocator *a, size_t n)
{
    rtn_rfm *r = rtn__alloc(a, 1, sizeof *r);
    if (!r)
        return NULL;
    memset(r, 0, sizeof *r);
    r->alloc = *a;
    r->id = rtn__alloc(a, n, sizeof *r->id);
    r->x = n <= SIZE_MAX / 5 ? rtn__alloc(a, 5 * n, sizeof(double)) : NULL;
    if (!r->id || !r->x) {
        rtn_rfm_free(r);
        return NULL;
    }
    r->t_x = r->x + n;
    r->age = r->x + 2 * n;
    r->monetary = r->x + 3 * n;
    r->x_holdout = r->x + 4 * n;
    r->n = n;
    return r;
}

/* One customer's entries [i, j): its row, or nothing if it started after the calibration. */
static int summarise(const rtn_cohort_builder *b, size_t i, size_t j, int64_t cal, int64_t hold,
                     double unit, rtn_rfm *r, size_t row)
{
    int64_t first = b->period[i];
    if (first > cal)
        return 0;
    double x = 0.0, holdout = 0.0;
    int64_t last = first;
    rtn__sum spend = {0.0, 0.0};
    for (size_t k = i + 1; k < j; ++k) {
        int64_t p = b->period[k];
        if (p <= cal) {
            x += 1.0;
            last = p;
            rtn__dd amount = rtn__cohort_revenue(b->revenue, k);
            rtn__sum_add(&spend, amount.hi);
            rtn__sum_add(&spend, amount.lo);
        } else if (p <= hold) {
            holdout += 1.0;
        }
    }
    r->id[row] = b->customer[i];
    r->x[row] = x;
    r->t_x[row] = (double)(last - first) / unit;
    r->age[row] = (double)(cal - first) / unit;
    r->monetary[row] = x > 0.0 ? rtn__sum_value(&spend) / x : 0.0;
    if (!isfinite(r->monetary[row])) {
        /* the sum of finite amounts passed DBL_MAX where their mean cannot (repeat purchases of
         * −DBL_MAX and −1e304, found by fuzzing, gave NaN): the mean summed as Σ amount / x,
         * whose partial sums stay within max |amount| */
        rtn__sum scaled = {0.0, 0.0};
        for (size_t k = i + 1; k < j && b->period[k] <= cal; ++k) {
            rtn__dd amount = rtn__cohort_revenue(b->revenue, k);
            rtn__sum_add(&scaled, amount.hi / x);
            rtn__sum_add(&scaled, amount.lo / x);
        }
        r->monetary[row] = rtn__sum_value(&scaled);
    }
    r->x_holdout[row] = holdout;
    return 1;
}

static int summarise_all(const rtn_cohort_builder *b, int64_t calibration_end,
                         int64_t holdout_end, double periods_per_unit, rtn_rfm **out);

int rtn_rfm_from_builder(const rtn_cohort_builder *b, int64_t calibration_end, int64_t holdout_end,
                         double periods_per_unit, rtn_rfm **out)
{
    if (!b || !out || !(periods_per_unit > 0.0) || !isfinite(periods_per_unit) ||
        holdout_end < calibration_end)
        return RTN_EINVAL;
    if (calibration_end < RTN_TIME_MIN || holdout_end > RTN_TIME_MAX)
        return RTN_EDOMAIN;
    rtn_cohort_builder view; /* the runs of later adds merged into one */
    int rc = rtn__cohort_flatten(b, &view);
    if (rc == RTN_OK)
        rc = summarise_all(&view, calibration_end, holdout_end, periods_per_unit, out);
    rtn__cohort_unflatten(b, &view);
    return rc;
}

/* rtn_rfm_from_builder() of a builder of one run, its arguments checked. */
static int summarise_all(const rtn_cohort_builder *b, int64_t calibration_end,
                         int64_t holdout_end, double periods_per_unit, rtn_rfm **out)
{
    int64_t cal = rtn__period_of(calibration_end, b->unit, b->period_seconds, b->offset_minutes);
    int64_t hold = rtn__period_of(holdout_end, b->unit, b->period_seconds, b->offset_minutes);
    size_t customers = 0;
    for (size_t i = 0; i < b->n; ++i)
        customers += (i == 0 || b->customer[i] != b->customer[i - 1]) && b->period[i] <= cal;
    if (customers == 0)
        return RTN_EUNDEFINED;
    rtn_rfm *r = rfm_new(&b->alloc, customers);
    if (!r)
        return RTN_ENOMEM;
    size_t row = 0;
    for (size_t i = 0, j; i < b->n; i = j) {
        for (j = i + 1; j < b->n && b->customer[j] == b->customer[i]; ++j)
            ;
        row += (size_t)summarise(b, i, j, cal, hold, periods_per_unit, r, row);
    }
    /* a tiny unit (1e-309 periods, found by fuzzing) makes ages infinite: an error, not an
     * infinite summary (T ≥ t_x, so checking T covers both) */
    for (size_t k = 0; k < row; ++k)
        if (!isfinite(r->age[k])) {
            rtn_rfm_free(r);
            return RTN_EOVERFLOW;
        }
    *out = r;
    return RTN_OK;
}

int rtn_rfm_build(const int64_t *customer, const int64_t *time, const double *amount, size_t n,
                  int64_t calibration_end, int64_t holdout_end, double days_per_unit,
                  rtn_rfm **out, size_t *bad_index)
{
    if (!out)
        return RTN_EINVAL;
    rtn_cohort_builder *b = NULL;
    int rc = rtn_cohort_builder_create(&b, NULL);
    if (rc == RTN_OK)
        rc = rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_DAY);
    if (rc == RTN_OK)
        rc = rtn_cohort_builder_add(b, customer, time, amount, n, bad_index);
    if (rc == RTN_OK)
        rc = rtn_rfm_from_builder(b, calibration_end, holdout_end, days_per_unit, out);
    rtn_cohort_builder_free(b);
    return rc;
}

int rtn_rfm_size(const rtn_rfm *rfm, size_t *customers)
{
    if (!rfm || !customers)
        return RTN_EINVAL;
    *customers = rfm->n;
    return RTN_OK;
}

int rtn_rfm_customers(const rtn_rfm *rfm, int64_t *ids, size_t cap)
{
    if (!rfm || !ids)
        return RTN_EINVAL;
    if (cap < rfm->n)
        return RTN_EBUFSIZE;
    memcpy(ids, rfm->id, rfm->n * sizeof *ids);
    return RTN_OK;
}

int rtn_rfm_column(const rtn_rfm *rfm, int32_t column, double *out, size_t cap)
{
    if (!rfm || !out)
        return RTN_EINVAL;
    const double *src;
    switch (column) {
    case RTN_RFM_X: src = rfm->x; break;
    case RTN_RFM_T_X: src = rfm->t_x; break;
    case RTN_RFM_T: src = rfm->age; break;
    case RTN_RFM_MONETARY: src = rfm->monetary; break;
    case RTN_RFM_X_HOLDOUT: src = rfm->x_holdout; break;
    default: return RTN_EINVAL;
    }
    if (cap < rfm->n)
        return RTN_EBUFSIZE;
    memcpy(out, src, rfm->n * sizeof *out);
    return RTN_OK;
}
