/* The customers of the purchase models (BG/NBD, Pareto/NBD: lib/models.c, lib/pareto_nbd.c):
 * validating (x, t_x, T) columns, and grouping identical customers into weighted rows so that a
 * fit evaluates each distinct customer once. */
#include <stdlib.h>

#include "internal.h"

/* A customer (x, t_x, T): whole x ≥ 0, 0 ≤ t_x ≤ T, t_x > 0 exactly when x > 0; finite. */
static int customer_ok(double x, double tx, double T)
{
    return isfinite(x) && x >= 0.0 && x == floor(x) && isfinite(T) && tx >= 0.0 && tx <= T &&
           (x > 0.0) == (tx > 0.0);
}

int rtn__customers_check(const double *x, const double *t_x, const double *T,
                         const double *weight, size_t n, size_t *bad_index)
{
    for (size_t i = 0; i < n; ++i)
        if (!customer_ok(x[i], t_x[i], T[i]) ||
            (weight && !(isfinite(weight[i]) && weight[i] >= 0.0))) {
            if (bad_index)
                *bad_index = i;
            return RTN_EDOMAIN;
        }
    return RTN_OK;
}

static int customer_order(const void *pa, const void *pb)
{
    const rtn__customer *a = pa, *b = pb;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    if (a->tx != b->tx)
        return a->tx < b->tx ? -1 : 1;
    if (a->T != b->T)
        return a->T < b->T ? -1 : 1;
    return 0;
}

rtn__customer *rtn__customers_group(const double *x, const double *t_x, const double *T,
                                    const double *weight, size_t n, size_t *m, double *total,
                                    const rtn_allocator *a)
{
    rtn__customer *r = rtn__alloc(a, n, sizeof *r);
    if (!r)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; ++i) {
        double w = weight ? weight[i] : 1.0;
        if (w > 0.0)
            r[k++] = (rtn__customer){x[i], t_x[i], T[i], w};
    }
    qsort(r, k, sizeof *r, customer_order);
    size_t out = 0;
    rtn__sum sum = {0.0, 0.0};
    for (size_t i = 0; i < k; ++i) {
        rtn__sum_add(&sum, r[i].w);
        if (out > 0 && customer_order(&r[out - 1], &r[i]) == 0)
            r[out - 1].w += r[i].w;
        else
            r[out++] = r[i];
    }
    *m = out;
    *total = rtn__sum_value(&sum);
    return r;
}
