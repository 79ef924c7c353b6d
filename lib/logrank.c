/* The G-rho family of k-sample tests (retention/survival.h): log-rank (rho = 0) and Peto-Peto
 * (rho = 1), as R's survdiff computes them (Harrington & Fleming 1982). The groups' time tables
 * are pooled by one sort of all their rows; a sweep up the times keeps each group's risk set and
 * the pooled Kaplan-Meier curve S(t−) that weights each time. The statistic drops one group (the
 * first with E > 0, as R does) and solves with the Cholesky factor of the rest of V. */
#include <float.h>
#include <string.h>

#include "survival_state.h"

#define MAX_GROUPS 1024u

/* All groups' sorted rows, pooled and sorted by time. */
typedef struct pooled {
    rtn__km_slot *slots;     /* every group's rows, group after group */
    rtn__km_weights *weights; /* their weight sums (counts when unweighted) */
    uint32_t *group;         /* the group of each row */
    uint32_t *order;         /* row indices in time order */
    size_t n;
} pooled;

static void pooled_free(const rtn_allocator *a, pooled *p)
{
    rtn__free(a, p->slots);
    rtn__free(a, p->weights);
    rtn__free(a, p->group);
    rtn__free(a, p->order);
}

static int pool(const rtn_km_builder *const *groups, size_t k, const rtn_allocator *a,
                pooled *p)
{
    size_t total = 0;
    for (size_t g = 0; g < k; ++g)
        total += groups[g]->used;
    if (total > UINT32_MAX)
        return RTN_ENOMEM;
    p->slots = rtn__alloc(a, total, sizeof *p->slots);
    p->weights = rtn__alloc(a, total, sizeof *p->weights);
    p->group = rtn__alloc(a, total, sizeof *p->group);
    p->order = rtn__alloc(a, total, sizeof *p->order);
    if (!p->slots || !p->weights || !p->group || !p->order)
        return RTN_ENOMEM;
    size_t n = 0;
    for (size_t g = 0; g < k; ++g) {
        rtn__km_slot *s = NULL;
        rtn__km_weights *w = NULL;
        size_t m = 0;
        int rc = rtn__km_sorted(groups[g], a, &s, &w, &m);
        if (rc != RTN_OK)
            return rc;
        for (size_t i = 0; i < m; ++i, ++n) {
            p->slots[n] = s[i];
            p->weights[n] = rtn__km_weights_of(&s[i], w ? &w[i] : NULL);
            p->group[n] = (uint32_t)g;
        }
        rtn__free(a, s);
        rtn__free(a, w);
    }
    p->n = n;
    uint64_t *keys = rtn__alloc(a, n, sizeof *keys), *keys_tmp = rtn__alloc(a, n, sizeof *keys);
    uint32_t *tmp = rtn__alloc(a, n, sizeof *tmp);
    int rc = RTN_ENOMEM;
    if (keys && keys_tmp && tmp) {
        for (size_t i = 0; i < n; ++i) {
            memcpy(&keys[i], &p->slots[i].time, sizeof keys[i]);
            p->order[i] = (uint32_t)i;
        }
        if (n > 0)
            rtn__sort_keys(keys, p->order, keys_tmp, tmp, n);
        rc = RTN_OK;
    }
    rtn__free(a, keys);
    rtn__free(a, keys_tmp);
    rtn__free(a, tmp);
    return rc;
}

/* Work arrays of the sweep, k (or k × k) each. */
typedef struct sweep_state {
    rtn__dd *at_risk;     /* weighted risk set per group (weighted builders) */
    uint64_t *at_risk_n;  /* subjects at risk per group */
    double *risk;         /* each group's risk set at the current time */
    double *d;            /* events per group at the current time */
    double *obs, *exp, *var;
} sweep_state;

static int sweep_groups(const rtn_km_builder *const *groups, size_t k, double rho,
                        const pooled *p, sweep_state *st)
{
    uint64_t at_risk_total = 0, entries_left = 0;
    for (size_t g = 0; g < k; ++g) {
        const rtn_km_builder *b = groups[g];
        st->at_risk_n[g] = b->n_initial;
        st->at_risk[g] = b->w_initial;
        at_risk_total += b->n_initial;
    }
    for (size_t i = 0; i < p->n; ++i)
        entries_left += p->slots[i].n_enter;
    int started = at_risk_total > 0;
    double km = 1.0; /* the pooled curve just before the current time */
    size_t i = 0;
    while (i < p->n) {
        double t = p->slots[p->order[i]].time;
        size_t end = i;
        double d = 0.0;
        for (; end < p->n && p->slots[p->order[end]].time == t; ++end) {
            const rtn__km_slot *s = &p->slots[p->order[end]];
            uint32_t g = p->group[p->order[end]];
            double dg = p->weights[p->order[end]].event.hi + p->weights[p->order[end]].event.lo;
            st->d[g] = dg;
            d += dg;
            if (s->n_event + s->n_censor > st->at_risk_n[g])
                return RTN_EUNDEFINED; /* inconsistent pre-counted table */
        }
        if (d > 0.0) {
            /* each group's risk set: exact counts, or weight sums */
            double n = 0.0;
            for (size_t g = 0; g < k; ++g) {
                st->risk[g] = groups[g]->weights ? st->at_risk[g].hi + st->at_risk[g].lo
                                                 : (double)st->at_risk_n[g];
                n += st->risk[g];
            }
            double w = rho == 0.0 ? 1.0 : pow(km, rho);
            double v = n > 1.0 ? w * w * d * (n - d) / (n - 1.0) : 0.0;
            for (size_t g = 0; g < k; ++g) {
                double share = st->risk[g] / n;
                st->obs[g] += w * st->d[g];
                st->exp[g] += w * d * share;
                if (v == 0.0 || share == 0.0)
                    continue;
                for (size_t h = 0; h < k; ++h)
                    st->var[g * k + h] += v * share * ((g == h) - st->risk[h] / n);
            }
            km *= (n - d) / n;
        }
        /* leave, then enter (entries at t are at risk only after t) */
        for (size_t j = i; j < end; ++j) {
            const rtn__km_slot *s = &p->slots[p->order[j]];
            const rtn__km_weights *wt = &p->weights[p->order[j]];
            uint32_t g = p->group[p->order[j]];

            st->at_risk_n[g] = st->at_risk_n[g] - s->n_event - s->n_censor + s->n_enter;
            rtn__dd *r = &st->at_risk[g];
            *r = rtn__dd_add(*r, wt->enter.hi, wt->enter.lo);
            *r = rtn__dd_add(*r, -wt->event.hi, -wt->event.lo);
            *r = rtn__dd_add(*r, -wt->censor.hi, -wt->censor.lo);
            st->d[g] = 0.0;
            at_risk_total = at_risk_total - s->n_event - s->n_censor + s->n_enter;
            entries_left -= s->n_enter;
        }
        started = started || at_risk_total > 0;
        if (started && at_risk_total == 0 && entries_left > 0)
            return RTN_EUNDEFINED; /* a gap in the pooled risk set */
        i = end;
    }
    return RTN_OK;
}

/* chisq = uᵀ A⁻¹ u for the symmetric m × m matrix A (row stride `stride`), by Cholesky; -1 when
 * A is not positive definite (to a relative 1e-12 of its diagonal). */
static int cholesky_quadratic(double *a, size_t m, size_t stride, double *u, double *chisq)
{
    double scale = 0.0;
    for (size_t i = 0; i < m; ++i)
        scale = fmax(scale, fabs(a[i * stride + i]));
    for (size_t j = 0; j < m; ++j) {
        double diag = a[j * stride + j];
        for (size_t l = 0; l < j; ++l)
            diag -= a[j * stride + l] * a[j * stride + l];
        if (!(diag > 1e-12 * scale))
            return -1;
        double root = sqrt(diag);
        a[j * stride + j] = root;
        for (size_t i = j + 1; i < m; ++i) {
            double x = a[i * stride + j];
            for (size_t l = 0; l < j; ++l)
                x -= a[i * stride + l] * a[j * stride + l];
            a[i * stride + j] = x / root;
        }
    }
    /* forward-solve L y = u: chisq = |y|² */
    double sum = 0.0;
    for (size_t i = 0; i < m; ++i) {
        double y = u[i];
        for (size_t l = 0; l < i; ++l)
            y -= a[i * stride + l] * u[l];
        u[i] = y / a[i * stride + i];
        sum += u[i] * u[i];
    }
    *chisq = sum;
    return 0;
}

/* The statistic from O, E, V: groups with E > 0 but the first. */
static int statistic(const sweep_state *st, size_t k, const rtn_allocator *a, double *chisq,
                     uint32_t *df)
{
    size_t *keep = rtn__alloc(a, k, sizeof *keep);
    double *sub = rtn__alloc(a, k * k, sizeof *sub), *u = rtn__alloc(a, k, sizeof *u);
    int rc = RTN_ENOMEM;
    if (keep && sub && u) {
        size_t m = 0;
        for (size_t g = 0; g < k; ++g)
            if (st->exp[g] > 0.0)
                keep[m++] = g;
        rc = RTN_EUNDEFINED;
        if (m >= 2) {
            size_t r = m - 1;
            for (size_t i = 0; i < r; ++i) {
                u[i] = st->obs[keep[i + 1]] - st->exp[keep[i + 1]];
                for (size_t j = 0; j < r; ++j)
                    sub[i * r + j] = st->var[keep[i + 1] * k + keep[j + 1]];
            }
            if (cholesky_quadratic(sub, r, r, u, chisq) == 0) {
                *df = (uint32_t)r;
                rc = RTN_OK;
            }
        }
    }
    rtn__free(a, keep);
    rtn__free(a, sub);
    rtn__free(a, u);
    return rc;
}

int rtn_logrank(const rtn_km_builder *const *groups, size_t k, double rho, double *observed,
                double *expected, double *variance, double *chisq, uint32_t *df,
                double *p_value)
{
    if (!groups || k < 2 || k > MAX_GROUPS || !rtn__nonneg(rho))
        return RTN_EINVAL;
    for (size_t g = 0; g < k; ++g) {
        if (!groups[g])
            return RTN_EINVAL;
        for (size_t h = 0; h < g; ++h)
            if (groups[h] == groups[g])
                return RTN_EINVAL;
    }
    rtn_allocator a = groups[0]->alloc;
    pooled p = {0};
    sweep_state st = {0};
    st.at_risk = rtn__alloc(&a, k, sizeof *st.at_risk);
    st.at_risk_n = rtn__alloc(&a, k, sizeof *st.at_risk_n);
    st.risk = rtn__alloc(&a, k, sizeof *st.risk);
    st.d = rtn__alloc(&a, k, sizeof *st.d);
    st.obs = rtn__alloc(&a, k, sizeof *st.obs);
    st.exp = rtn__alloc(&a, k, sizeof *st.exp);
    st.var = rtn__alloc(&a, k * k, sizeof *st.var);
    int rc = RTN_ENOMEM;
    if (st.at_risk && st.at_risk_n && st.risk && st.d && st.obs && st.exp && st.var) {
        memset(st.d, 0, k * sizeof *st.d);
        memset(st.obs, 0, k * sizeof *st.obs);
        memset(st.exp, 0, k * sizeof *st.exp);
        memset(st.var, 0, k * k * sizeof *st.var);
        rc = pool(groups, k, &a, &p);
    }
    if (rc == RTN_OK)
        rc = sweep_groups(groups, k, rho, &p, &st);
    double x2 = 0.0;
    uint32_t dof = 0;
    if (rc == RTN_OK)
        rc = statistic(&st, k, &a, &x2, &dof);
    if (rc == RTN_OK) {
        if (observed)
            memcpy(observed, st.obs, k * sizeof *observed);
        if (expected)
            memcpy(expected, st.exp, k * sizeof *expected);
        if (variance)
            memcpy(variance, st.var, k * k * sizeof *variance);
        if (chisq)
            *chisq = x2;
        if (df)
            *df = dof;
        if (p_value)
            *p_value = rtn__chisq_upper(x2, dof);
    }
    pooled_free(&a, &p);
    rtn__free(&a, st.at_risk);
    rtn__free(&a, st.at_risk_n);
    rtn__free(&a, st.risk);
    rtn__free(&a, st.d);
    rtn__free(&a, st.obs);
    rtn__free(&a, st.exp);
    rtn__free(&a, st.var);
    return rc;
}

int rtn_logrank_columns(const double *duration, const uint8_t *event, const uint32_t *group,
                        size_t n, uint32_t k, double rho, double *observed, double *expected,
                        double *variance, double *chisq, uint32_t *df, double *p_value,
                        size_t *bad_index)
{
    if ((n > 0 && (!duration || !event || !group)) || k < 2 || k > MAX_GROUPS ||
        !rtn__nonneg(rho))
        return RTN_EINVAL;
    for (size_t i = 0; i < n; ++i)
        if (!rtn__nonneg(duration[i]) || event[i] > 1 || group[i] >= k) {
            if (bad_index)
                *bad_index = i;
            return RTN_EDOMAIN;
        }
    rtn_km_builder *b[MAX_GROUPS];
    int rc = RTN_OK;
    uint32_t made = 0;
    for (; made < k && rc == RTN_OK; ++made)
        rc = rtn__km_builder_new(&b[made], NULL);
    if (rc != RTN_OK)
        --made; /* the failed one was not made */
    /* one pass, each subject into its group's table (temporary builders: on failure they are
     * simply dropped, so no undo is needed) */
    for (size_t i = 0; i < n && rc == RTN_OK; ++i) {
        rtn_km_builder *g = b[group[i]];
        size_t h = rtn__km_slot_of(g, duration[i] + 0.0);
        if (h == SIZE_MAX) {
            rc = RTN_ENOMEM;
            break;
        }
        if (event[i])
            ++g->slots[h].n_event;
        else
            ++g->slots[h].n_censor;
        ++g->n_initial;
        ++g->total_exits;
        ++g->total_entries;
    }
    if (rc == RTN_OK)
        rc = rtn_logrank((const rtn_km_builder *const *)b, k, rho, observed, expected, variance,
                         chisq, df, p_value);
    for (uint32_t g = 0; g < made; ++g)
        rtn_km_builder_free(b[g]);
    return rc;
}
