/* The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987), in the form of Fader & Hardie's
 * note "A note on deriving the Pareto/NBD model and related expressions" (2005). Every
 * quantity is formed in log space; see include/retention/pareto_nbd.h for the formulas.
 *
 * The core is the integral over the unobserved dropout time τ,
 *   J(t) = ∫_t^∞ (α + τ)^−(r+x) (β + τ)^−(s+1) dτ,
 * so that L = C · [(α + T)^−(r+x) (β + T)^−s + s (J(t_x) − J(T))], C = Γ(r+x) α^r β^s / Γ(r).
 * Writing A = max(α, β) with its exponent pA, B = min(α, β) with pB (pA = r + x, pB = s + 1
 * when α ≥ β; swapped otherwise) and P = pA + pB − 1 = r + s + x:
 *   J(t) = (A + t)^−P / P · 2F1(P, pB; P + 1; z),  z = (A − B) / (A + t) ∈ [0, 1),
 * which is the A_0 term of Fader & Hardie's likelihood (Section 3 of the note), the 2F1 taken
 * on the side where its argument is in [0, 1) as BTYD's pnbd.LL does. Euler's transformation
 * turns it into
 *   J(t) = (A + t)^−pA (B + t)^(1−pB) G(z) / P,  G(z) = 2F1(1, pA; pA + pB; z) = Σ_k c_k z^k,
 * a series of positive terms each smaller than z times the one before. For z ≤ ZC = 0.85 the
 * series (at most ~230 terms) is used. For z > ZC (one of α, β much larger than the other plus
 * t) the integral is split at t* where z = ZC: the part beyond is the series at ZC (cached per
 * x), the part before is integrated by adaptive Gauss-Kronrod quadrature in
 * u = log((B + τ) / (A − B)) ∈ [u0, uc], uc = log((1 − ZC) / ZC):
 *   J(t) = (A − B)^−P [∫_u0^uc e^ψ(u) du + ZC^pA e^((1−pB) uc) G(ZC) / P],
 *   ψ(u) = (1 − pB) u − pA log(1 + e^u),
 * a concave log-integrand. At α = β, z = 0 and G = 1: the "α = β" case of the note needs no
 * branch, and α ≈ β is as smooth as the series. The gradient (for the fits) differentiates the
 * series term by term and the integral under the sign. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define LOG2 0.69314718055994530941723212145818
#define LOG10 2.30258509299404568401799145468437

static int positive(double v) { return isfinite(v) && v > 0.0; }

static int params_ok(const double *p)
{
    for (int i = 0; i < 4; ++i)
        if (!positive(p[i]))
            return 0;
    return 1;
}

/* log(a + b) for finite a, b ≥ 0, also where a + b would overflow */
static double log_add_pos(double a, double b)
{
    double s = a + b;
    if (isfinite(s))
        return log(s);
    double hi = fmax(a, b), lo = fmin(a, b);
    return log(hi) + log1p(lo / hi);
}

/* log(e^u + e^v) */
static double log_sum_exp(double u, double v)
{
    if (u == -INFINITY)
        return v;
    if (v == -INFINITY)
        return u;
    return u > v ? u + log1p(exp(v - u)) : v + log1p(exp(u - v));
}

/* log(1 + e^v) without overflow */
static double softplus(double v) { return v > 0.0 ? v + log1p(exp(-v)) : log1p(exp(v)); }

/* softplus(a + d) − softplus(a) = log(1 + σ(a) (e^d − 1)), σ(a) = 1 / (1 + e^−a), to full
 * relative precision: the log1p form on the side where σ(a) or σ(−a) ≤ 1/2 multiplies
 * e^(±d) − 1, log-sum-exp for |d| beyond the range of exp. */
static double softplus_diff(double a, double d)
{
    if (fabs(d) > 700.0)
        return log_sum_exp(-softplus(a), -softplus(-a) + d);
    if (a <= 0.0) {
        double e = expm1(d);
        return e == 0.0 ? 0.0 : log1p(copysign(exp(-softplus(-a) + log(fabs(e))), e));
    }
    double e = expm1(-d);
    return d + (e == 0.0 ? 0.0 : log1p(copysign(exp(-softplus(a) + log(fabs(e))), e)));
}

/* ---- adaptive Gauss-Kronrod quadrature ------------------------------------------------------ */

/* QUADPACK's 7/15-point Gauss-Kronrod pair (Piessens et al. 1983, qk15): Kronrod nodes in
 * (0, 1], largest first (the Gauss nodes are the odd ones), and their weights. */
static const double gk_x[8] = {
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.0};
static const double gk_wk[8] = {
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
static const double gk_wg[4] = {
    0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
    0.381830050505118944950369775488975, 0.417959183673469387755102040816327};

#define GK_COMP 3   /* components integrated together: a value and two derivatives */
#define GK_SEGS 300 /* subintervals at most */
/* QUADPACK's error estimate is pessimistic and has a rounding floor of 50 ε per subinterval:
 * 1e-13 relative asks for (and, on these smooth integrands, gets) about full precision. */
#define QUAD_RTOL 1e-13

/* f(u) into out[0 .. ncomp): component 0 is the integrand that drives the subdivision. */
typedef void (*gk_fn)(double u, const void *ctx, double *out);

typedef struct gk_seg {
    double a, b, err, val[GK_COMP];
} gk_seg;

/* One 15-point rule on [a, b] with QUADPACK's error estimate (qk15) of component 0. */
static void gk15(gk_fn f, const void *ctx, int nc, gk_seg *s)
{
    double c = 0.5 * (s->a + s->b), h = 0.5 * (s->b - s->a);
    double fc[GK_COMP], f1[GK_COMP], f2[GK_COMP], k[GK_COMP];
    double fv1[7], fv2[7];
    f(c, ctx, fc);
    double g = fc[0] * gk_wg[3];
    for (int m = 0; m < nc; ++m)
        k[m] = fc[m] * gk_wk[7];
    double resabs = fabs(k[0]);
    for (int j = 0; j < 7; ++j) {
        f(c - h * gk_x[j], ctx, f1);
        f(c + h * gk_x[j], ctx, f2);
        for (int m = 0; m < nc; ++m)
            k[m] += gk_wk[j] * (f1[m] + f2[m]);
        if (j & 1)
            g += gk_wg[j / 2] * (f1[0] + f2[0]);
        resabs += gk_wk[j] * (fabs(f1[0]) + fabs(f2[0]));
        fv1[j] = f1[0];
        fv2[j] = f2[0];
    }
    double mean = 0.5 * k[0], resasc = gk_wk[7] * fabs(fc[0] - mean);
    for (int j = 0; j < 7; ++j)
        resasc += gk_wk[j] * (fabs(fv1[j] - mean) + fabs(fv2[j] - mean));
    double err = fabs((k[0] - g) * h);
    resasc *= fabs(h);
    resabs *= fabs(h);
    if (resasc != 0.0 && err != 0.0)
        err = resasc * fmin(1.0, pow(200.0 * err / resasc, 1.5));
    if (resabs > DBL_MIN / (50.0 * DBL_EPSILON))
        err = fmax(50.0 * DBL_EPSILON * resabs, err);
    for (int m = 0; m < nc; ++m)
        s->val[m] = k[m] * h;
    s->err = err;
}

/* ∫_a^b f by globally adaptive bisection (QUADPACK's qag strategy) until the estimated error
 * is below rtol times the integral; out[0 .. nc). The integrand is log-concave with its peak at
 * c ∈ [a, b] and a width of about w there: the first subintervals are c ± w 8^k, so that no
 * rule can step over a narrow peak. Returns 0, or -1 if it could not get there (then out holds
 * the best estimate). Everything on the stack. */
static int gk_integrate(gk_fn f, const void *ctx, int nc, double a, double b, double c, double w,
                        double rtol, double *out)
{
    gk_seg seg[GK_SEGS];
    int n = 0, ok = -1;
    double cuts[2 * 40 + 3];
    int nl = 0, nr = 0;
    double left[40], right[40];
    c = fmin(fmax(c, a), b);
    if (!(w > 0.0) || !isfinite(w))
        w = b - a;
    for (double d = w; nl < 40 && c - d > a; d *= 8.0)
        left[nl++] = c - d;
    for (double d = w; nr < 40 && c + d < b; d *= 8.0)
        right[nr++] = c + d;
    int nc_ = 0;
    cuts[nc_++] = a;
    for (int i = nl; i-- > 0;)
        cuts[nc_++] = left[i];
    if (c > a && c < b)
        cuts[nc_++] = c;
    for (int i = 0; i < nr; ++i)
        cuts[nc_++] = right[i];
    cuts[nc_++] = b;
    for (int i = 0; i + 1 < nc_; ++i) {
        if (!(cuts[i + 1] > cuts[i]))
            continue;
        seg[n].a = cuts[i];
        seg[n].b = cuts[i + 1];
        gk15(f, ctx, nc, &seg[n]);
        ++n;
    }
    if (n == 0) { /* a = b */
        for (int m = 0; m < nc; ++m)
            out[m] = 0.0;
        return 0;
    }
    for (;;) {
        double total = 0.0, err = 0.0;
        int worst = 0;
        for (int i = 0; i < n; ++i) {
            total += seg[i].val[0];
            err += seg[i].err;
            if (seg[i].err > seg[worst].err)
                worst = i;
        }
        if (err <= rtol * fabs(total)) {
            ok = 0;
            break;
        }
        if (n == GK_SEGS)
            break;
        gk_seg *ws = &seg[worst];
        double mid = 0.5 * (ws->a + ws->b);
        if (!(mid > ws->a && mid < ws->b)) { /* cannot be split further */
            ok = err <= 1e-10 * fabs(total) ? 0 : -1;
            break;
        }
        seg[n].a = mid;
        seg[n].b = ws->b;
        ws->b = mid;
        gk15(f, ctx, nc, ws);
        gk15(f, ctx, nc, &seg[n]);
        ++n;
    }
    for (int m = 0; m < nc; ++m) {
        rtn__sum s = {0.0, 0.0};
        for (int i = 0; i < n; ++i)
            rtn__sum_add(&s, seg[i].val[m]);
        out[m] = rtn__sum_value(&s);
    }
    return ok;
}

/* ---- the integral J(t) ------------------------------------------------------------------------
 */

/* log J(t) and, when grad, its derivatives with respect to (pA, pB, A, B). */
typedef struct jval {
    double lj;
    double d[4];
} jval;

/* G(z) = Σ_k c_k z^k, c_0 = 1, c_{k+1} = c_k (pA + k) / (pA + pB + k), for 0 ≤ z ≤ ZC; with
 * ∂G/∂pA, ∂G/∂pB and ∂G/∂z. Every ratio is below z, so the tail after a term is below
 * z / (1 − z) ≤ 6 times it. */
static void series_g(double pA, double pB, double z, double *g, double *g_pa, double *g_pb,
                     double *g_z)
{
    double sum = 1.0, s_pa = 0.0, s_pb = 0.0, s_z = 0.0;
    double q = 1.0;            /* c_k z^(k−1), k ≥ 1 (starts as c_0 / z · z) */
    double la = 0.0, lb = 0.0; /* Σ_{j<k} ∂ log ratio_j / ∂pA, ∂pB */
    for (int k = 0; k < 2000; ++k) {
        double a = pA + k, c = pA + pB + k;
        la += pB / (a * c);
        lb -= 1.0 / c;
        q *= (k == 0 ? 1.0 : z) * (a / c); /* now c_{k+1} z^k */
        double term = q * z;               /* c_{k+1} z^(k+1) */
        sum += term;
        s_pa += term * la;
        s_pb += term * lb;
        s_z += (k + 1) * q;
        if (term <= 1e-17 * sum && (k + 1) * q <= 1e-17 * s_z)
            break;
        if (z == 0.0)
            break;
    }
    *g = sum;
    *g_pa = s_pa;
    *g_pb = s_pb;
    *g_z = s_z;
}

/* The integrand of J's near part, as a function of d = u − c around the peak c of ψ:
 * e^(ψ(c + d) − ψ(c)) with ψ(c + d) − ψ(c) = (1 − pB) d − pA (softplus(c + d) − softplus(c)), which
 * keeps full precision however large pA, pB and |u| are; then the same times ∂ψ/∂pA and
 * ∂ψ/∂pB. */
typedef struct quad_ctx {
    double pA, pB, c, sc, spc; /* σ(c) and softplus(c) */
} quad_ctx;

static void quad_f(double d, const void *vctx, double *out)
{
    const quad_ctx *q = vctx;
    /* softplus(c + d) − softplus(c) = log(1 + σ(c) (e^d − 1)), σ(c) ≤ 1/2 as c ≤ 0 */
    double spd =
        q->sc >= DBL_MIN && fabs(d) <= 700.0 ? log1p(q->sc * expm1(d)) : softplus_diff(q->c, d);
    double e = exp((1.0 - q->pB) * d - q->pA * spd);
    out[0] = e;
    out[1] = -(q->spc + spd) * e; /* ∂ψ/∂pA */
    out[2] = -(q->c + d) * e;     /* ∂ψ/∂pB */
}

/* The series is summed for z ≤ ZC (at most ~230 terms); beyond, J is split where z = ZC. */
#define ZC 0.85

/* G(ZC) and its derivatives for the last (pA, pB): the far part of every split J of a customer
 * with the same x. */
typedef struct tail_cache {
    double pA, pB, g, g_pa, g_pb;
    int valid;
} tail_cache;

/* log J(t) (see the file comment) for pA, pB, A ≥ B > 0, t ≥ 0; returns 0, or -1 if the
 * quadrature failed. */
static int log_j(double pA, double pB, double A, double B, double t, int grad, tail_cache *tc,
                 jval *out)
{
    double P = pA + pB - 1.0;
    double lA = log_add_pos(A, t), lB = log_add_pos(B, t);
    double diff = A - B;
    double apt = A + t;
    double z = diff > 0.0 ? (isfinite(apt) ? diff / apt : exp(log(diff) - lA)) : 0.0;
    if (z <= ZC) {
        double g, g_pa, g_pb, g_z;
        series_g(pA, pB, z, &g, &g_pa, &g_pb, &g_z);
        out->lj = -pA * lA + (1.0 - pB) * lB - log(P) + log(g);
        if (grad) {
            double inv_a = exp(-lA), inv_b = exp(-lB);
            out->d[0] = -lA - 1.0 / P + g_pa / g;
            out->d[1] = -lB - 1.0 / P + g_pb / g;
            out->d[2] = -pA * inv_a + g_z / g * (1.0 - z) * inv_a; /* ∂z/∂A = (1 − z)/(A + t) */
            out->d[3] = (1.0 - pB) * inv_b - g_z / g * inv_a;      /* ∂z/∂B = −1/(A + t) */
        }
        return 0;
    }
    /* z > ZC: split at t* where z = ZC, i.e. u = uc; B + t < (A − B) e^uc, u0 < uc */
    const double lzc = log(ZC), uc = log((1.0 - ZC) / ZC);
    double ld = log(diff), u0 = lB - ld;
    if (!tc->valid || tc->pA != pA || tc->pB != pB) {
        double g_z;
        series_g(pA, pB, ZC, &tc->g, &tc->g_pa, &tc->g_pb, &g_z);
        tc->pA = pA;
        tc->pB = pB;
        tc->valid = 1;
    }
    /* log J(t*) + P log(A − B), with A + t* = (A − B) / ZC, B + t* = (A − B) e^uc */
    double l_tail = pA * lzc + (1.0 - pB) * uc - log(P) + log(tc->g);
    /* the maximum c of the concave ψ on [u0, uc]: ψ'(u) = 1 − pB − pA σ(u) */
    double c = u0, qq = (1.0 - pB) / pA;
    if (qq >= 1.0)
        c = uc;
    else if (qq > 0.0)
        c = fmax(u0, fmin(uc, log(qq) - log1p(-qq)));
    double sc = 1.0 / (1.0 + exp(-c));
    double psi_c = (1.0 - pB) * c - pA * softplus(c);
    /* the width of the peak: 1 / (|ψ'| + √|ψ''|) there */
    double width = 1.0 / (fabs((1.0 - pB) - pA * sc) + sqrt(pA * sc * (1.0 - sc)));
    quad_ctx q = {pA, pB, c, sc, softplus(c)};
    double v[GK_COMP];
    if (gk_integrate(quad_f, &q, grad ? 3 : 1, u0 - c, uc - c, 0.0, width, QUAD_RTOL, v) != 0 ||
        !(v[0] > 0.0))
        return -1;
    double lk = log_sum_exp(psi_c + log(v[0]), l_tail); /* log K */
    out->lj = -P * ld + lk;
    if (grad) {
        double fq = exp(psi_c - lk), tl = exp(l_tail - lk);
        double f0[GK_COMP];
        quad_f(u0 - c, &q, f0);
        double e0 = fq * f0[0]; /* e^ψ(u0) / K */
        out->d[0] = -ld + fq * v[1] + tl * (lzc + tc->g_pa / tc->g - 1.0 / P);
        out->d[1] = -ld + fq * v[2] + tl * (-uc + tc->g_pb / tc->g - 1.0 / P);
        out->d[2] = -P / diff + e0 / diff;
        out->d[3] = P / diff - e0 * (exp(-lB) + 1.0 / diff);
    }
    return 0;
}

/* ---- one customer --------------------------------------------------------------------------- */

typedef struct pnbd {
    double r, alpha, s, beta;
    double lg_r, log_alpha, log_beta, log_s, ps_r;
    int alpha_big; /* α ≥ β: A = α */
    tail_cache tc;
} pnbd;

static void pnbd_init(pnbd *m, const double p[4], int grad)
{
    m->r = p[0];
    m->alpha = p[1];
    m->s = p[2];
    m->beta = p[3];
    m->lg_r = rtn__lgamma(m->r);
    m->log_alpha = log(m->alpha);
    m->log_beta = log(m->beta);
    m->log_s = log(m->s);
    m->ps_r = grad ? rtn__digamma(m->r) : 0.0;
    m->alpha_big = m->alpha >= m->beta;
    m->tc.valid = 0;
}

/* log J(t) for a customer with x, and its gradient in (r, α, s, β) */
static int customer_j(pnbd *m, double x, double t, int grad, jval *out)
{
    jval j;
    int rc = m->alpha_big ? log_j(m->r + x, m->s + 1.0, m->alpha, m->beta, t, grad, &m->tc, &j)
                          : log_j(m->s + 1.0, m->r + x, m->beta, m->alpha, t, grad, &m->tc, &j);
    if (rc != 0)
        return rc;
    out->lj = j.lj;
    if (grad) {
        if (m->alpha_big) { /* (pA, pB, A, B) = (r + x, s + 1, α, β) */
            out->d[0] = j.d[0];
            out->d[1] = j.d[2];
            out->d[2] = j.d[1];
            out->d[3] = j.d[3];
        } else { /* (s + 1, r + x, β, α) */
            out->d[0] = j.d[1];
            out->d[1] = j.d[3];
            out->d[2] = j.d[0];
            out->d[3] = j.d[2];
        }
    }
    return 0;
}

/* A customer's pieces: log of the "alive at T" term (α + T)^−(r+x) (β + T)^−s and log of the
 * bracket S = that + s (J(t_x) − J(T)), so log L = log C + log S and P(alive) = e^(la − ls).
 * j1 may carry J(t_x) from the previous customer (same x and t_x): *j1_valid says so. With
 * grad, dls receives ∂ log S / ∂(r, α, s, β). */
typedef struct piece {
    double la, ls, dls[4];
} piece;

static int customer_piece(pnbd *m, double x, double tx, double T, int grad, jval *j1, int *j1_valid,
                          piece *out)
{
    double l_at = log_add_pos(m->alpha, T), l_bt = log_add_pos(m->beta, T);
    double la = -(m->r + x) * l_at - m->s * l_bt;
    double dla[4] = {0.0, 0.0, 0.0, 0.0};
    if (grad) {
        dla[0] = -l_at;
        dla[1] = -(m->r + x) * exp(-l_at);
        dla[2] = -l_bt;
        dla[3] = -m->s * exp(-l_bt);
    }
    out->la = la;
    if (tx == T) { /* no room to drop out between the last purchase and T */
        out->ls = la;
        if (grad)
            memcpy(out->dls, dla, sizeof dla);
        return 0;
    }
    if (!*j1_valid) {
        if (customer_j(m, x, tx, grad, j1) != 0)
            return -1;
        *j1_valid = 1;
    }
    jval j2;
    if (customer_j(m, x, T, grad, &j2) != 0)
        return -1;
    double l1 = m->log_s + j1->lj, l2 = m->log_s + j2.lj;
    double mx = fmax(la, l1);
    double a = exp(la - mx), b1 = exp(l1 - mx), b2 = exp(l2 - mx);
    double sum = a + fmax(b1 - b2, 0.0);
    out->ls = mx + log(sum);
    if (grad) {
        for (int i = 0; i < 4; ++i) {
            double d1 = j1->d[i] + (i == 2 ? 1.0 / m->s : 0.0);
            double d2 = j2.d[i] + (i == 2 ? 1.0 / m->s : 0.0);
            out->dls[i] = (a * dla[i] + b1 * d1 - b2 * d2) / sum;
        }
    }
    return 0;
}

/* ---- validation and grouping ---------------------------------------------------------------- */


/* ---- the log-likelihood --------------------------------------------------------------------- */

/* Σ w log L over rows (any order; runs of equal x and t_x share their terms), with the gradient
 * in the log parameters into g when not NULL. NaN if a quadrature failed. */
static double pnbd_sum(const double p[4], const rtn__customer *rows, size_t n, double g[4])
{
    pnbd m;
    int grad = g != NULL;
    pnbd_init(&m, p, grad);
    rtn__sum ll = {0.0, 0.0};
    double dr = 0.0, dalpha = 0.0, ds = 0.0, dbeta = 0.0;
    double cur_x = -1.0, cur_tx = -1.0, lc = 0.0, dc_r = 0.0;
    jval j1;
    int j1_valid = 0;
    for (size_t i = 0; i < n; ++i) {
        const rtn__customer *q = &rows[i];
        if (q->w == 0.0)
            continue;
        if (q->x != cur_x) { /* log C = log Γ(r + x) − log Γ(r) + r log α + s log β */
            cur_x = q->x;
            lc = rtn__lgamma(m.r + q->x) - m.lg_r + m.r * m.log_alpha + m.s * m.log_beta;
            if (grad)
                dc_r = rtn__digamma(m.r + q->x) - m.ps_r + m.log_alpha;
            j1_valid = 0;
        }
        if (q->tx != cur_tx) {
            cur_tx = q->tx;
            j1_valid = 0;
        }
        piece pc;
        if (customer_piece(&m, q->x, q->tx, q->T, grad, &j1, &j1_valid, &pc) != 0)
            return NAN;
        rtn__sum_add(&ll, q->w * (lc + pc.ls));
        if (grad) {
            dr += q->w * (dc_r + pc.dls[0]);
            dalpha += q->w * (m.r / m.alpha + pc.dls[1]);
            ds += q->w * (m.log_beta + pc.dls[2]);
            dbeta += q->w * (m.s / m.beta + pc.dls[3]);
        }
    }
    if (grad) { /* d/d log θ = θ d/dθ */
        g[0] = dr * m.r;
        g[1] = dalpha * m.alpha;
        g[2] = ds * m.s;
        g[3] = dbeta * m.beta;
    }
    return rtn__sum_value(&ll);
}

int rtn_pnbd_loglik(const double params[4], const double *x, const double *t_x, const double *T,
                    const double *weight, size_t n, double *ll, size_t *bad_index)
{
    if (!params || !x || !t_x || !T || !ll || n == 0)
        return RTN_EINVAL;
    if (!params_ok(params))
        return RTN_EDOMAIN;
    int rc = rtn__customers_check(x, t_x, T, weight, n, bad_index);
    if (rc != RTN_OK)
        return rc;
    rtn__sum sum = {0.0, 0.0};
    for (size_t i = 0; i < n; ++i) {
        rtn__customer q = {x[i], t_x[i], T[i], weight ? weight[i] : 1.0};
        double v = pnbd_sum(params, &q, 1, NULL);
        if (isnan(v))
            return RTN_ENOCONV;
        rtn__sum_add(&sum, v);
    }
    return rtn__result(rtn__sum_value(&sum), ll);
}

/* ---- the fit -------------------------------------------------------------------------------- */

/* The fit searches log-parameters within FIT_BOX of the start (a factor 1e6 either way). A
 * search that steps beyond is following a likelihood that keeps rising towards a degenerate
 * limit (no heterogeneity in λ as r, α → ∞ together, or in μ as s, β → ∞ ...): there is no
 * maximum to report, so from then on every point is "outside" (the optimiser stops at once)
 * and the fit reports RTN_ENOCONV — as it does for a search that stalls on that ridge within a
 * factor 10 of the edge. */
#define FIT_BOX 13.815510557964274 /* log 1e6 */

typedef struct fit_data {
    const rtn__customer *rows;
    size_t n;
    double scale; /* 1 / total weight */
    double v0[4]; /* the start */
    int escaped;  /* a point beyond the box was asked for */
} fit_data;

static double fit_objective(const double *v, double *grad, void *ctx)
{
    fit_data *d = ctx;
    double p[4], g[4];
    for (int i = 0; i < 4; ++i)
        if (!(fabs(v[i] - d->v0[i]) <= FIT_BOX))
            d->escaped = 1;
    if (d->escaped)
        return INFINITY;
    for (int i = 0; i < 4; ++i) {
        p[i] = exp(v[i]);
        if (!positive(p[i]))
            return INFINITY;
    }
    double ll = pnbd_sum(p, d->rows, d->n, grad ? g : NULL);
    if (grad)
        for (int i = 0; i < 4; ++i)
            grad[i] = -g[i] * d->scale;
    return isnan(ll) ? INFINITY : -ll * d->scale;
}

int rtn_pnbd_fit(const double *x, const double *t_x, const double *T, const double *weight,
                 size_t n, double params[4], double se[4], double *ll, size_t *bad_index)
{
    return rtn_pnbd_fit_alloc(x, t_x, T, weight, n, params, se, ll, bad_index, NULL);
}

int rtn_pnbd_fit_alloc(const double *x, const double *t_x, const double *T,
                       const double *weight, size_t n, double params[4], double se[4],
                       double *ll, size_t *bad_index, const rtn_allocator *alloc)
{
    rtn_allocator a;
    if (!x || !t_x || !T || !params || n == 0 || rtn__allocator_of(alloc, &a) != RTN_OK)
        return RTN_EINVAL;
    int rc = rtn__customers_check(x, t_x, T, weight, n, bad_index);
    if (rc != RTN_OK)
        return rc;
    /* the customers of positive weight, sorted by (x, t_x, T), identical ones folded */
    size_t m = 0;
    double total = 0.0;
    rtn__customer *rows = rtn__customers_group(x, t_x, T, weight, n, &m, &total, &a);
    if (!rows)
        return RTN_ENOMEM;
    rtn__sum xs = {0.0, 0.0}, ts = {0.0, 0.0};
    int repeat = 0;
    for (size_t i = 0; i < m; ++i) {
        rtn__sum_add(&xs, rows[i].w * rows[i].x);
        rtn__sum_add(&ts, rows[i].w * rows[i].T);
        repeat |= rows[i].x > 0.0;
    }
    if (!repeat || !(total > 0.0) || !isfinite(total)) {
        rtn__free(&a, rows);
        return RTN_EUNDEFINED;
    }
    double mean_x = rtn__sum_value(&xs) / total, mean_T = rtn__sum_value(&ts) / total;
    /* start: r = s = 1, a purchase rate r/α of the mean x over the mean age, β = the mean age
     * (time-scale equivariant: rescaling the times rescales α and β and nothing else) */
    double v[4] = {0.0, log(mean_T / mean_x), 0.0, log(mean_T)};
    fit_data d = {rows, m, 1.0 / total, {v[0], v[1], v[2], v[3]}, 0};
    double f;
    rc = rtn__minimize(fit_objective, &d, 4, 1, v, &f, NULL);
    double p[4], s[4] = {NAN, NAN, NAN, NAN};
    for (int i = 0; rc == RTN_OK && i < 4; ++i) {
        p[i] = exp(v[i]);
        if (!positive(p[i]) || !isfinite(f) || d.escaped ||
            fabs(v[i] - d.v0[i]) > FIT_BOX - LOG10) /* stalled on the way out */
            rc = RTN_ENOCONV;
    }
    if (rc == RTN_OK && se && rtn__log_param_se(fit_objective, &d, 4, v, s) == 0)
        for (int i = 0; i < 4; ++i)
            s[i] *= sqrt(d.scale); /* the objective was −LL / total */
    rtn__free(&a, rows);
    if (rc != RTN_OK)
        return rc;
    for (int i = 0; i < 4; ++i) {
        params[i] = p[i];
        if (se)
            se[i] = isfinite(s[i]) ? s[i] : NAN;
    }
    if (ll)
        *ll = -f * total;
    return RTN_OK;
}

/* ---- predictions ---------------------------------------------------------------------------- */

/* log h, h = [1 − (1 + t/b)^−(s−1)] / (s − 1) for t/b > 0 (log(1 + t/b) at s = 1): the
 * horizon t weighted by the chance of still being alive */
static double log_h(double s, double b, double t)
{
    double L = log1p(t / b); /* t / b may be inf: L = inf */
    if (isinf(L))
        L = log(t) - log(b);
    double y = (1.0 - s) * L;
    if (y == 0.0)
        return log(L);
    if (y > 30.0) /* s < 1, far horizon: e^y − 1 without overflow */
        return y + log1p(-exp(-y)) - log1p(-s);
    return log(expm1(y) / (1.0 - s));
}

/* log P(alive) and log E[X(T, T + t)] of one customer (t = 0: log E = −inf) */
static int customer_predict(pnbd *m, double x, double tx, double T, double t, double *lp,
                            double *le)
{
    jval j1;
    int valid = 0;
    piece pc;
    if (customer_piece(m, x, tx, T, 0, &j1, &valid, &pc) != 0)
        return -1;
    *lp = fmin(pc.la - pc.ls, 0.0);
    if (le)
        *le = t == 0.0 ? -INFINITY
                       : log(m->r + x) - log_add_pos(m->alpha, T) + log_add_pos(m->beta, T) +
                             log_h(m->s, m->beta + T, t) + *lp;
    return 0;
}

int rtn_pnbd_predict(const double params[4], const double *x, const double *t_x, const double *T,
                     size_t n, double horizon, double *p_alive, double *expected, size_t *bad_index)
{
    return rtn_pnbd_predict_alloc(params, x, t_x, T, n, horizon, p_alive, expected, bad_index,
                                  NULL);
}

int rtn_pnbd_predict_alloc(const double params[4], const double *x, const double *t_x,
                           const double *T, size_t n, double horizon, double *p_alive,
                           double *expected, size_t *bad_index, const rtn_allocator *alloc)
{
    rtn_allocator a;
    if (!params || (n > 0 && (!x || !t_x || !T)) || rtn__allocator_of(alloc, &a) != RTN_OK)
        return RTN_EINVAL;
    if (!params_ok(params) || !(horizon >= 0.0) || !isfinite(horizon))
        return RTN_EDOMAIN;
    int rc = rtn__customers_check(x, t_x, T, NULL, n, bad_index);
    if (rc != RTN_OK || n == 0 || (!p_alive && !expected))
        return rc;
    /* all or nothing: results go to a scratch buffer, copied out once every one is finite */
    int both = p_alive && expected;
    double *buf = n <= SIZE_MAX / 2 ? rtn__alloc(&a, both ? 2 * n : n, sizeof(double)) : NULL;
    if (!buf)
        return RTN_ENOMEM;
    double *pa = p_alive ? buf : NULL, *ex = expected ? buf + (both ? n : 0) : NULL;
    pnbd m;
    pnbd_init(&m, params, 0);
    for (size_t i = 0; i < n && rc == RTN_OK; ++i) {
        double lp, le;
        if (customer_predict(&m, x[i], t_x[i], T[i], horizon, &lp, ex ? &le : NULL) != 0) {
            rc = RTN_ENOCONV;
            break;
        }
        if (pa)
            pa[i] = exp(lp);
        if (ex && rtn__result(exp(le), &ex[i]) != RTN_OK)
            rc = RTN_EOVERFLOW;
    }
    if (rc == RTN_OK) {
        if (p_alive)
            memcpy(p_alive, pa, n * sizeof *pa);
        if (expected)
            memcpy(expected, ex, n * sizeof *ex);
    }
    rtn__free(&a, buf);
    return rc;
}

int rtn_pnbd_new_customer(const double params[4], double t, double *expected)
{
    if (!params || !expected)
        return RTN_EINVAL;
    if (!params_ok(params) || !(t >= 0.0) || !isfinite(t))
        return RTN_EDOMAIN;
    if (t == 0.0) {
        *expected = 0.0;
        return RTN_OK;
    }
    /* E[X(t)] = r β / (α (s − 1)) [1 − (β / (β + t))^(s−1)] = (r / α) β h */
    double r = params[0], alpha = params[1], s = params[2], beta = params[3];
    double l = log(r) - log(alpha) + log(beta) + log_h(s, beta, t);
    return rtn__result(exp(l), expected);
}

/* ---- the new customer's purchase-count distribution ------------------------------------------ */

/* P(X(t) = x) = NB(x) (β / (β + t))^s + s β^s α^r Γ(r + x) / (Γ(r) x!) I_x(t), NB(x) the NBD
 * probability Γ(r + x) / (Γ(r) x!) (α / (α + t))^r (t / (α + t))^x of a customer alive
 * throughout, and the customers who drop out at τ ∈ (0, t] (density s β^s (β + τ)^−(s+1) once μ
 * is integrated out) contributing
 *   I_x(t) = ∫_0^t τ^x (α + τ)^−(r+x) (β + τ)^−(s+1) dτ = ∫_−∞^log t e^g(u) du,
 *   g(u) = (x + 1) u − (r + x) log(α + e^u) − (s + 1) log(β + e^u),
 * a concave exponent (g'' < 0) with g' falling from x + 1 to −(r + s). Left of y0, where
 * ((r + x)/α + (s + 1)/β) e^u ≤ 1e-17, the integrand is e^((x+1)u) α^−(r+x) β^−(s+1) to within
 * 1e-17 relative and that part is taken exactly; [y0, log t] by adaptive Gauss-Kronrod around
 * the peak of g. */
typedef struct pmf_ctx {
    double x1, pa, pb, ca, cb; /* x + 1, r + x, s + 1, c − log α, c − log β */
    double slope[4]; /* g' far from the kinks: below both, above α, above β, above both */
} pmf_ctx;

static double pmf_dg(const pmf_ctx *q, double u, double la, double lb)
{
    return q->x1 - q->pa / (1.0 + exp(la - u)) - q->pb / (1.0 + exp(lb - u));
}

/* softplus(−|a + d|) − softplus(−|a|): full relative precision when a and a + d are on the same
 * side of 0 */
static double softplus_rest_diff(double a, double d)
{
    if (a >= 0.0 && a + d >= 0.0)
        return softplus_diff(-a, -d);
    if (a <= 0.0 && a + d <= 0.0)
        return softplus_diff(a, d);
    return softplus(-fabs(a + d)) - softplus(-fabs(a));
}

/* the slope of the piecewise-linear part of g at c + e */
static double pmf_slope(const pmf_ctx *q, double e)
{
    return q->slope[(q->ca + e > 0.0) + 2 * (q->cb + e > 0.0)];
}

/* e^(g(c + d) − g(c)). g = (x + 1) u − (r + x) max(u − log α, 0) − (s + 1) max(u − log β, 0)
 * − (r + x) softplus(−|u − log α|) − (s + 1) softplus(−|u − log β|) + constant: the linear part
 * is summed piece by piece with its slopes (x + 1, 1 − r, x − s, −(r + s)) formed directly, so
 * no large multiples of d cancel (x in the thousands, u up to log 1e300). */
static void pmf_f(double d, const void *vctx, double *out)
{
    const pmf_ctx *q = vctx;
    double lo = fmin(0.0, d), hi = fmax(0.0, d);
    double cut[4] = {lo, -q->ca, -q->cb, hi};
    if (cut[1] > cut[2]) {
        double tmp = cut[1];
        cut[1] = cut[2];
        cut[2] = tmp;
    }
    double lin = 0.0, prev = lo;
    for (int i = 1; i < 4; ++i) {
        double next = fmin(fmax(cut[i], lo), hi);
        if (next > prev) {
            lin += pmf_slope(q, 0.5 * (prev + next)) * (next - prev);
            prev = next;
        }
    }
    if (d < 0.0)
        lin = -lin;
    double rest = q->pa * softplus_rest_diff(q->ca, d) + q->pb * softplus_rest_diff(q->cb, d);
    out[0] = exp(lin - rest);
}

/* log D_x(t), D_x = s α^r β^s I_x(t) = (s / β) α^−x ∫_0^t τ^x (1 + τ/α)^−(r+x) (1 + τ/β)^−(s+1) dτ,
 * for t > 0, every power formed relative to α and β (no r log α or s log β to cancel against
 * the integral); NaN if the quadrature failed. */
static double log_pmf_dead(double r, double la, double s, double lb, double x, double lt)
{
    pmf_ctx q = {x + 1.0, r + x, s + 1.0, 0.0, 0.0, {x + 1.0, 1.0 - r, x - s, -(r + s)}};
    double ls = log(s);
    /* y0: where ((r + x)/α + (s + 1)/β) e^u = 1e-17; ya = y0 − log α, yb = y0 − log β */
    double ya = -39.2 - log_sum_exp(log(q.pa), log(q.pb) + (la - lb));
    double yb = -39.2 - log_sum_exp(log(q.pa) + (lb - la), log(q.pb));
    double y0 = ya + la;
    if (y0 >= lt) /* the integrand is e^((x+1)u) α^−(r+x) β^−(s+1) to 1e-17 up to t */
        return ls + (lt - lb) + x * (lt - la) - log(q.x1);
    /* the peak of g: bracket the root of g' by steps doubling outwards, then bisect */
    double lo = fmin(la, lb) - 1.0, hi = fmax(la, lb) + 1.0;
    for (double step = 1.0; pmf_dg(&q, lo, la, lb) <= 0.0 && step < 1e6; step *= 2.0)
        lo -= step;
    for (double step = 1.0; pmf_dg(&q, hi, la, lb) >= 0.0 && step < 1e6; step *= 2.0)
        hi += step;
    for (int i = 0; i < 200 && hi - lo > 1e-12 * (1.0 + fabs(lo)); ++i) {
        double mid = 0.5 * (lo + hi);
        if (pmf_dg(&q, mid, la, lb) > 0.0)
            lo = mid;
        else
            hi = mid;
    }
    double c = fmin(fmax(0.5 * (lo + hi), y0), lt);
    q.ca = c - la;
    q.cb = c - lb;
    /* log of (s / β) α^−x τ^(x+1) (1 + τ/α)^−(r+x) (1 + τ/β)^−(s+1) at τ = e^c */
    double top = ls + q.cb + x * q.ca - q.pa * softplus(q.ca) - q.pb * softplus(q.cb);
    double sa = 1.0 / (1.0 + exp(-q.ca)), sb = 1.0 / (1.0 + exp(-q.cb));
    double width =
        1.0 / (fabs(pmf_dg(&q, c, la, lb)) + sqrt(q.pa * sa * (1.0 - sa) + q.pb * sb * (1.0 - sb)));
    double v;
    if (gk_integrate(pmf_f, &q, 1, y0 - c, lt - c, 0.0, width, QUAD_RTOL, &v) != 0 || !(v > 0.0))
        return NAN;
    double l_tail = ls + yb + x * ya - log(q.x1);
    return log_sum_exp(l_tail, top + log(v));
}

/* log(1 + a / b) for a, b > 0 finite, also where a / b overflows */
static double log1p_ratio(double a, double b)
{
    double q = a / b;
    return isfinite(q) ? log1p(q) : log(a) - log(b);
}

int rtn_pnbd_pmf(const double params[4], double t, double *pmf, size_t kmax)
{
    return rtn_pnbd_pmf_alloc(params, t, pmf, kmax, NULL);
}

int rtn_pnbd_pmf_alloc(const double params[4], double t, double *pmf, size_t kmax,
                       const rtn_allocator *alloc)
{
    rtn_allocator a;
    if (!params || !pmf || kmax == 0 || rtn__allocator_of(alloc, &a) != RTN_OK)
        return RTN_EINVAL;
    if (!params_ok(params) || !(t >= 0.0) || !isfinite(t))
        return RTN_EDOMAIN;
    if (t == 0.0) {
        pmf[0] = 1.0;
        for (size_t k = 1; k < kmax; ++k)
            pmf[k] = 0.0;
        return RTN_OK;
    }
    double *buf = rtn__alloc(&a, kmax, sizeof(double));
    if (!buf)
        return RTN_ENOMEM;
    double r = params[0], alpha = params[1], s = params[2], beta = params[3];
    double la = log(alpha), lb = log(beta), lt = log(t);
    /* a customer alive throughout: (α / (α + t))^r (t / (α + t))^x (β / (β + t))^s */
    double l_alive = -r * log1p_ratio(t, alpha) - s * log1p_ratio(t, beta);
    double l_share = -log1p_ratio(alpha, t); /* log(t / (α + t)) */
    int rc = RTN_OK;
    for (size_t k = 0; k < kmax; ++k) {
        double x = (double)k;
        double lcoef = rtn__lpoch(r, x) - rtn__lgamma(x + 1.0); /* Γ(r + x) / (Γ(r) x!) */
        double ld = log_pmf_dead(r, la, s, lb, x, lt);
        if (isnan(ld)) {
            rc = RTN_ENOCONV;
            break;
        }
        double l1 = l_alive + (k == 0 ? 0.0 : x * l_share);
        buf[k] = exp(fmin(lcoef + log_sum_exp(l1, ld), 0.0));
    }
    if (rc == RTN_OK)
        memcpy(pmf, buf, kmax * sizeof *buf);
    rtn__free(&a, buf);
    return rc;
}

/* ---- DERT ----------------------------------------------------------------------------------- */

/* W(s, z) = z^s U(s, s; z) = E[z / (z + G)], G ~ Gamma(s, 1): in (0, 1). With u = e^y,
 *   W Γ(s) = ∫ exp(χ(y)) dy,  χ(y) = s y − e^y − log(1 + e^(y − log z)),
 * a concave exponent. Left of y0, where (1 + 1/z) e^y ≤ 1e-17, the integrand is e^(s y) to
 * within 1e-17 relative and its integral e^(s y0) / s is taken exactly; [y0, y1] by adaptive
 * Gauss-Kronrod, y1 where χ has fallen 60 below its maximum. Returns log W, NaN on failure. */
typedef struct w_ctx {
    double s, lz, c, ec; /* the peak c and e^c */
} w_ctx;

static double w_chi(const w_ctx *w, double y) { return w->s * y - exp(y) - softplus(y - w->lz); }

/* e^(χ(c + d) − χ(c)), the difference formed without cancellation:
 * s d − e^c (e^d − 1) − (softplus(c + d − log z) − softplus(c − log z)) */
static void w_f(double d, const void *vctx, double *out)
{
    const w_ctx *w = vctx;
    out[0] = exp(w->s * d - w->ec * expm1(d) - softplus_diff(w->c - w->lz, d));
}

static double log_w(double s, double lz)
{
    w_ctx w = {s, lz, 0.0, 0.0};
    /* the maximum y*: χ'(y) = s − e^y − σ(y − log z) decreases from s to −∞; bisection on a
     * bracket where χ' changes sign */
    double hi = log(s), lo = log(s) - softplus(-lz) - LOG2;
    for (int i = 0; i < 200 && hi - lo > 1e-12 * (1.0 + fabs(lo)); ++i) {
        double mid = 0.5 * (lo + hi);
        double dchi = s - exp(mid) - 1.0 / (1.0 + exp(lz - mid));
        if (dchi > 0.0)
            lo = mid;
        else
            hi = mid;
    }
    double ystar = 0.5 * (lo + hi);
    double y0 = -39.2 - softplus(-lz); /* (1 + 1/z) e^y0 ≤ 1e-17 */
    double c = fmax(ystar, y0);
    double top = w_chi(&w, c), y1 = c + 1.0;
    for (int i = 0; i < 200 && w_chi(&w, y1) > top - 60.0; ++i)
        y1 += fmax(1.0, y1 - c);
    w.c = c;
    w.ec = exp(c);
    double sc = 1.0 / (1.0 + exp(lz - c)); /* σ(c − log z) */
    double width = 1.0 / (fabs(s - w.ec - sc) + sqrt(w.ec + sc * (1.0 - sc)));
    double v;
    if (gk_integrate(w_f, &w, 1, y0 - c, y1 - c, 0.0, width, QUAD_RTOL, &v) != 0 || !(v > 0.0))
        return NAN;
    double l_tail = s * y0 - log(s);
    return fmin(0.0, log_sum_exp(l_tail, top + log(v)) - rtn__lgamma(s)); /* W < 1 */
}

int rtn_pnbd_dert(const double params[4], const double *x, const double *t_x, const double *T,
                  size_t n, double delta, double *out, size_t *bad_index)
{
    return rtn_pnbd_dert_alloc(params, x, t_x, T, n, delta, out, bad_index, NULL);
}

int rtn_pnbd_dert_alloc(const double params[4], const double *x, const double *t_x,
                        const double *T, size_t n, double delta, double *out, size_t *bad_index,
                        const rtn_allocator *alloc)
{
    rtn_allocator a;
    if (!params || (n > 0 && (!x || !t_x || !T || !out)) || rtn__allocator_of(alloc, &a) != RTN_OK)
        return RTN_EINVAL;
    if (!params_ok(params) || !positive(delta))
        return RTN_EDOMAIN;
    int rc = rtn__customers_check(x, t_x, T, NULL, n, bad_index);
    if (rc != RTN_OK || n == 0)
        return rc;
    double *buf = rtn__alloc(&a, n, sizeof(double));
    if (!buf)
        return RTN_ENOMEM;
    pnbd m;
    pnbd_init(&m, params, 0);
    double log_delta = log(delta), cur_T = -1.0, lw = 0.0;
    for (size_t i = 0; i < n && rc == RTN_OK; ++i) {
        double lp;
        if (customer_predict(&m, x[i], t_x[i], T[i], 0.0, &lp, NULL) != 0) {
            rc = RTN_ENOCONV;
            break;
        }
        if (T[i] != cur_T) { /* W depends on T alone: runs of equal T share it */
            cur_T = T[i];
            lw = log_w(m.s, log_delta + log_add_pos(m.beta, T[i]));
        }
        if (isnan(lw)) {
            rc = RTN_ENOCONV;
            break;
        }
        /* DERT = (r + x) / (α + T) · P(alive) · W(s, δ(β + T)) / δ */
        double l = log(m.r + x[i]) - log_add_pos(m.alpha, T[i]) + lp + lw - log_delta;
        if (rtn__result(exp(l), &buf[i]) != RTN_OK)
            rc = RTN_EOVERFLOW;
    }
    if (rc == RTN_OK)
        memcpy(out, buf, n * sizeof *buf);
    rtn__free(&a, buf);
    return rc;
}
