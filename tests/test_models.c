/* Lifetime-value models (retention/models.h): the published CDNOW fits (BG/NBD and Gamma-Gamma,
 * Fader, Hardie & Lee 2005) from the raw transaction log through the RFM summary; the sBG
 * likelihood against its recursive definition and its fit against the likelihood's own
 * maximum; every prediction against an independent route to the same number (sums of the pmf,
 * direct discounted sums, the new-customer limit, C's lgamma); merged RFM builders; bad input. */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "rtn_test.h"

#ifndef RTN_TEST_DATA_DIR
#error "RTN_TEST_DATA_DIR must name tests/data"
#endif

/* ---- CDNOW ----------------------------------------------------------------------------------- */

enum { CDNOW_ROWS = 6919, CDNOW_CUSTOMERS = 2357 };

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

typedef struct cdnow {
    int64_t customer[CDNOW_ROWS], time[CDNOW_ROWS];
    double amount[CDNOW_ROWS];
    double x[CDNOW_CUSTOMERS], t_x[CDNOW_CUSTOMERS], T[CDNOW_CUSTOMERS], m[CDNOW_CUSTOMERS];
    double x_holdout[CDNOW_CUSTOMERS];
} cdnow;

static const int64_t CAL_END = INT64_C(875577600);  /* 1997-09-30 */
static const int64_t HOLD_END = INT64_C(899164800); /* 1998-06-30 */

/* The fixed-width log (masterid sampleid YYYYMMDD cds dollars) into columns, then its RFM
 * summary in weeks with the standard 39-week calibration and holdout. */
static void load_cdnow(cdnow *c)
{
    assert_true(days_from_civil(1997, 9, 30) * 86400 == CAL_END);
    FILE *f = fopen(RTN_TEST_DATA_DIR "/CDNOW_sample.txt", "r");
    assert_non_null(f);
    char line[128];
    size_t n = 0;
    int master, sample, cds;
    long date;
    double dollars;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%d %d %ld %d %lf", &master, &sample, &date, &cds, &dollars) == 5) {
            assert_true(n < CDNOW_ROWS);
            c->customer[n] = sample;
            c->time[n] = days_from_civil(date / 10000, date / 100 % 100, date % 100) * 86400;
            c->amount[n++] = dollars;
        }
    fclose(f);
    assert_int_equal(n, CDNOW_ROWS);
    rtn_rfm *r = NULL;
    assert_int_equal(rtn_rfm_build(c->customer, c->time, c->amount, n, CAL_END, HOLD_END, 7.0, &r,
                                   NULL),
                     RTN_OK);
    size_t customers;
    assert_int_equal(rtn_rfm_size(r, &customers), RTN_OK);
    assert_int_equal(customers, CDNOW_CUSTOMERS);
    assert_int_equal(rtn_rfm_column(r, RTN_RFM_X, c->x, customers), RTN_OK);
    assert_int_equal(rtn_rfm_column(r, RTN_RFM_T_X, c->t_x, customers), RTN_OK);
    assert_int_equal(rtn_rfm_column(r, RTN_RFM_T, c->T, customers), RTN_OK);
    assert_int_equal(rtn_rfm_column(r, RTN_RFM_MONETARY, c->m, customers), RTN_OK);
    assert_int_equal(rtn_rfm_column(r, RTN_RFM_X_HOLDOUT, c->x_holdout, customers), RTN_OK);
    rtn_rfm_free(r);
}

/* |v − published| within the published rounding (half a unit of its last digit) + 1e-3 rel. */
static void assert_published(double v, double published, int decimals)
{
    double tol = 0.5 * pow(10.0, -decimals) + 1e-3 * fabs(published);
    if (!(fabs(v - published) <= tol)) {
        print_error("%.6f is not the published %.*f\n", v, decimals, published);
        fail();
    }
}

static void cdnow_summary_matches_published(void **state)
{
    (void)state;
    static cdnow c;
    load_cdnow(&c);
    /* lifetimes' cdnow_customers_summary_with_transactions.csv: ID,x,t_x,T,zbar (2 decimals) */
    FILE *f = fopen(RTN_TEST_DATA_DIR "/cdnow_summary.csv", "r");
    assert_non_null(f);
    char line[128];
    assert_non_null(fgets(line, sizeof line, f));
    size_t i = 0;
    double sum_x = 0.0;
    int id;
    double x, tx, T, zbar;
    while (fgets(line, sizeof line, f) && sscanf(line, "%d,%lf,%lf,%lf,%lf", &id, &x, &tx, &T, &zbar) == 5) {
        assert_true(i < CDNOW_CUSTOMERS);
        assert_true(c.x[i] == x);
        assert_true(fabs(c.t_x[i] - tx) <= 0.005 + 1e-12);
        assert_true(fabs(c.T[i] - T) <= 0.005 + 1e-12);
        assert_true(fabs(c.m[i] - zbar) <= 0.005 + 1e-9);
        sum_x += c.x[i];
        ++i;
    }
    fclose(f);
    assert_int_equal(i, CDNOW_CUSTOMERS);
    assert_true(sum_x == 2457.0); /* the README's total of repeat purchase days */
}

static void cdnow_fits_match_published(void **state)
{
    (void)state;
    static cdnow c;
    load_cdnow(&c);
    double p[4], se[4], ll;
    assert_int_equal(rtn_bgnbd_fit(c.x, c.t_x, c.T, NULL, CDNOW_CUSTOMERS, p, se, &ll, NULL),
                     RTN_OK);
    assert_published(p[0], 0.243, 3);
    assert_published(p[1], 4.414, 3);
    assert_published(p[2], 0.793, 3);
    assert_published(p[3], 2.426, 3);
    assert_rel(ll, -9582.4292, 1e-6);
    for (int k = 0; k < 4; ++k)
        assert_true(se[k] > 0.0 && se[k] < p[k]);
    /* the maximum: the log-likelihood at the fit equals the one computed at those parameters */
    double again;
    assert_int_equal(rtn_bgnbd_loglik(p, c.x, c.t_x, c.T, NULL, CDNOW_CUSTOMERS, &again, NULL),
                     RTN_OK);
    assert_rel(again, ll, 1e-12);

    double g[3], gse[3], gll;
    assert_int_equal(rtn_gg_fit(c.x, c.m, NULL, CDNOW_CUSTOMERS, g, gse, &gll, NULL), RTN_OK);
    assert_published(g[0], 6.25, 2);
    assert_published(g[1], 3.74, 2);
    assert_published(g[2], 15.44, 2);
    assert_rel(gll, -4055.9177, 1e-6);

    /* weights: the same customers grouped give the same fit */
    double w[CDNOW_CUSTOMERS], p2[4], ll2;
    for (size_t i = 0; i < CDNOW_CUSTOMERS; ++i)
        w[i] = i % 2 ? 2.0 : 0.0; /* every other customer, twice */
    double ll_w;
    assert_int_equal(rtn_bgnbd_fit(c.x, c.t_x, c.T, w, CDNOW_CUSTOMERS, p2, NULL, &ll2, NULL),
                     RTN_OK);
    assert_int_equal(rtn_bgnbd_loglik(p2, c.x, c.t_x, c.T, w, CDNOW_CUSTOMERS, &ll_w, NULL),
                     RTN_OK);
    assert_rel(ll_w, ll2, 1e-9);
}

/* ---- BG/NBD: an independent log-likelihood and consistent predictions ----------------------------- */

/* FHL (2005) eq. 6 written out directly with C's lgamma (single-threaded test): an
 * implementation independent of the library's log-gamma and its grouping. */
static double bgnbd_ll_direct(const double p[4], double x, double tx, double T)
{
    double r = p[0], alpha = p[1], a = p[2], b = p[3];
    double lb = lgamma(a) + lgamma(b) - lgamma(a + b);
    double l1 = lgamma(r + x) - lgamma(r) + r * log(alpha) + lgamma(a) + lgamma(b + x) -
                lgamma(a + b + x) - lb;
    double t1 = exp(-(r + x) * log(alpha + T));
    double t2 = x > 0 ? a / (b + x - 1) * exp(-(r + x) * log(alpha + tx)) : 0.0;
    return l1 + log(t1 + t2);
}

static void bgnbd_loglik_is_the_formula(void **state)
{
    (void)state;
    const double params[][4] = {{0.243, 4.414, 0.793, 2.426}, {1.5, 0.2, 3.0, 3.0}, {0.05, 40.0, 1.0, 0.1}};
    const double x[] = {0, 1, 2, 7, 30}, tx[] = {0, 3.5, 30.43, 10.0, 38.0}, T[] = {38.86, 20.0, 38.86, 10.0, 39.0};
    for (size_t k = 0; k < 3; ++k)
        for (size_t i = 0; i < 5; ++i) {
            double ll;
            assert_int_equal(rtn_bgnbd_loglik(params[k], &x[i], &tx[i], &T[i], NULL, 1, &ll, NULL),
                             RTN_OK);
            assert_rel(ll, bgnbd_ll_direct(params[k], x[i], tx[i], T[i]), 1e-12);
        }
}

static void bgnbd_predictions_are_consistent(void **state)
{
    (void)state;
    const double p[4] = {0.243, 4.414, 1.793, 2.426}; /* a > 1: finite expectations */
    /* a new customer: Σ k P(X(t) = k) = E[X(t)], Σ P = 1 */
    double e, pmf[400];
    assert_int_equal(rtn_bgnbd_new_customer(p, 52.0, &e, pmf, 400), RTN_OK);
    double total = 0.0, mean = 0.0;
    for (size_t k = 0; k < 400; ++k) {
        assert_true(pmf[k] >= 0.0 && pmf[k] <= 1.0);
        total += pmf[k];
        mean += (double)k * pmf[k];
    }
    assert_rel(total, 1.0, 1e-9);
    assert_rel(mean, e, 1e-8);
    /* the conditional expectation of a customer with no history (x = t_x = T = 0) is the new
     * customer's, and P(alive) = 1 */
    const double zero = 0.0;
    double pa, cond;
    assert_int_equal(rtn_bgnbd_predict(p, &zero, &zero, &zero, 1, 52.0, &pa, &cond, NULL), RTN_OK);
    assert_true(pa == 1.0);
    assert_rel(cond, e, 1e-12);
    /* P(alive) against its definition: 1 / (1 + a/(b + x − 1) ((α + T)/(α + t_x))^(r + x)) */
    const double x = 3, tx = 20, T = 38;
    assert_int_equal(rtn_bgnbd_predict(p, &x, &tx, &T, 1, 10.0, &pa, &cond, NULL), RTN_OK);
    assert_rel(pa, 1.0 / (1.0 + p[2] / (p[3] + x - 1) * pow((p[1] + T) / (p[1] + tx), p[0] + x)),
               1e-13);
    /* expectations grow with the horizon; 0 at 0 */
    double prev = -1.0;
    for (double h = 0.0; h <= 520.0; h += 26.0) {
        assert_int_equal(rtn_bgnbd_predict(p, &x, &tx, &T, 1, h, NULL, &cond, NULL), RTN_OK);
        assert_true(cond > prev || (h == 0.0 && cond == 0.0));
        prev = cond;
    }
    /* extreme but valid customers stay finite, P(alive) in [0, 1] */
    const double ex[] = {5000, 0, 1, 3000}, etx[] = {50000, 0, 1e-9, 20000},
                 eT[] = {50000, 50000, 50000, 20000};
    double epa[4], ee[4];
    assert_int_equal(rtn_bgnbd_predict(p, ex, etx, eT, 4, 52.0, epa, ee, NULL), RTN_OK);
    for (int i = 0; i < 4; ++i)
        assert_true(epa[i] >= 0.0 && epa[i] <= 1.0 && isfinite(ee[i]) && ee[i] >= 0.0);
    double ll;
    assert_int_equal(rtn_bgnbd_loglik(p, ex, etx, eT, NULL, 4, &ll, NULL), RTN_OK);
    assert_true(isfinite(ll));
    /* a == b and a continuous log-likelihood across it */
    const double pa_eq[4] = {0.5, 3.0, 2.0, 2.0}, pa_near[4] = {0.5, 3.0, 2.0, 2.0 * (1 + 1e-12)};
    double l1, l2;
    assert_int_equal(rtn_bgnbd_loglik(pa_eq, &x, &tx, &T, NULL, 1, &l1, NULL), RTN_OK);
    assert_int_equal(rtn_bgnbd_loglik(pa_near, &x, &tx, &T, NULL, 1, &l2, NULL), RTN_OK);
    assert_rel(l1, l2, 1e-10);
}

/* FHL eq. 10 as written, with the hypergeometric series summed term by term: fine for the
 * moderate parameters used here (no cancellation to speak of), and independent of the
 * library's positive-series form. */
static double bgnbd_expected_direct(const double p[4], double x, double tx, double T, double t)
{
    double r = p[0], alpha = p[1], a = p[2], b = p[3];
    double A = r + x, B = b + x, C = a + b + x - 1.0, z = t / (alpha + T + t);
    double term = 1.0, f = 1.0;
    for (int k = 0; k < 100000 && term > 1e-18 * f; ++k) {
        term *= (A + k) * (B + k) / ((C + k) * (k + 1.0)) * z;
        f += term;
    }
    double bracket = 1.0 - pow((alpha + T) / (alpha + T + t), A) * f;
    double odds = x > 0 ? a / (b + x - 1.0) * pow((alpha + T) / (alpha + tx), A) : 0.0;
    return C / (a - 1.0) * bracket / (1.0 + odds);
}

static void bgnbd_expectations_for_any_a(void **state)
{
    (void)state;
    /* a < 1 (the CDNOW fit has a = 0.79), a > 1, and a = 1 as the limit of its neighbours */
    const double fits[][4] = {{0.243, 4.414, 0.793, 2.426}, {0.243, 4.414, 1.793, 2.426}};
    const double x[] = {0, 1, 2, 7}, tx[] = {0, 3.5, 30.43, 37}, T[] = {38.86, 20.0, 38.86, 39};
    for (int f = 0; f < 2; ++f)
        for (int i = 0; i < 4; ++i)
            for (double h = 1.0; h < 300.0; h *= 3.0) {
                double e;
                assert_int_equal(rtn_bgnbd_predict(fits[f], &x[i], &tx[i], &T[i], 1, h, NULL, &e,
                                                   NULL),
                                 RTN_OK);
                assert_rel(e, bgnbd_expected_direct(fits[f], x[i], tx[i], T[i], h), 1e-9);
            }
    const double at1[4] = {0.5, 3.0, 1.0, 2.0}, below[4] = {0.5, 3.0, 1.0 - 1e-7, 2.0},
                 above[4] = {0.5, 3.0, 1.0 + 1e-7, 2.0};
    double e1, e_lo, e_hi;
    assert_int_equal(rtn_bgnbd_predict(at1, &x[2], &tx[2], &T[2], 1, 52.0, NULL, &e1, NULL), RTN_OK);
    assert_int_equal(rtn_bgnbd_predict(below, &x[2], &tx[2], &T[2], 1, 52.0, NULL, &e_lo, NULL), RTN_OK);
    assert_int_equal(rtn_bgnbd_predict(above, &x[2], &tx[2], &T[2], 1, 52.0, NULL, &e_hi, NULL), RTN_OK);
    assert_true(e_lo > e1 && e1 > e_hi);
    assert_rel(e1, 0.5 * (e_lo + e_hi), 1e-6);
}

/* ---- Gamma-Gamma and CLV ---------------------------------------------------------------------------- */

static void spend_and_clv(void **state)
{
    (void)state;
    const double g[3] = {6.25, 3.74, 15.44}, bg[4] = {0.243, 4.414, 1.793, 2.426};
    const double x[] = {0, 2, 10}, m[] = {0, 22.345, 40.0}, tx[] = {0, 30.43, 35}, T[] = {38.86, 38.86, 38.86};
    double spend[3];
    assert_int_equal(rtn_gg_expected_spend(g, x, m, 3, spend, NULL), RTN_OK);
    assert_rel(spend[0], 15.44 * 6.25 / 2.74, 1e-14); /* the population mean γ p / (q − 1) */
    assert_rel(spend[1], (15.44 + 22.345 * 2) * 6.25 / (6.25 * 2 + 3.74 - 1), 1e-14);
    assert_rel(spend[2], (15.44 + 400.0) * 6.25 / (62.5 + 2.74), 1e-14);
    /* CLV: the direct sum over 12 four-week periods at 1 % per period */
    double clv[3];
    assert_int_equal(rtn_clv_bgnbd_gg(bg, g, x, tx, T, m, 3, 0.01, 4.0, 12, clv, NULL), RTN_OK);
    for (int i = 0; i < 3; ++i) {
        double want = 0.0, prev = 0.0;
        for (int k = 1; k <= 12; ++k) {
            double e;
            assert_int_equal(rtn_bgnbd_predict(bg, &x[i], &tx[i], &T[i], 1, 4.0 * k, NULL, &e, NULL),
                             RTN_OK);
            want += spend[i] * (e - prev) / pow(1.01, k);
            prev = e;
        }
        assert_rel(clv[i], want, 1e-12);
    }
    /* A longer horizon never lowers the CLV (discount 0: each period adds spend × E's increase
     * ≥ 0). A fuzzer found a customer almost surely gone, where the computed E(t) fell by 1e-12
     * relative from 22 to 23 periods; increments are now of E's running maximum. */
    const double bg2[4] = {121.51041751873497, 3.4903429574618414, 60.34028759736195,
                           1.8221188003905082};
    const double g2[3] = {6.0941605299047459e+196, 8.5848583971778964, 29.964100047397025};
    const double x2 = 0.0, tx2 = 0.0, T2 = 1.0, m2 = 0.0;
    double prev_clv = 0.0;
    for (uint32_t periods = 1; periods <= 40; ++periods) {
        double v;
        assert_int_equal(rtn_clv_bgnbd_gg(bg2, g2, &x2, &tx2, &T2, &m2, 1, 0.0, 2.84375, periods,
                                          &v, NULL),
                         RTN_OK);
        assert_true(v >= prev_clv);
        prev_clv = v;
    }
}

/* ---- sBG ------------------------------------------------------------------------------------------ */

static const uint64_t HIGH_END[8] = {1000, 869, 743, 653, 593, 551, 517, 491};
static const uint64_t REGULAR[8] = {1000, 631, 468, 382, 326, 289, 262, 241};

/* The sBG log-likelihood from its recursive definition (Fader & Hardie 2007, eq. 7-8):
 * P(T = 1) = α / (α + β), P(T = t) = P(T = t − 1) (β + t − 2) / (α + β + t − 1), S(t) = S(t − 1)
 * − P(T = t). */
static double sbg_ll_direct(double a, double b, const uint64_t *n, size_t len)
{
    double p = a / (a + b), s = 1.0 - p, ll = (double)(n[0] - n[1]) * log(p);
    for (size_t t = 2; t < len; ++t) {
        p *= (b + (double)t - 2.0) / (a + b + (double)t - 1.0);
        s -= p;
        ll += (double)(n[t - 1] - n[t]) * log(p);
    }
    return ll + (double)n[len - 1] * log(s);
}

static void sbg_matches_its_definition(void **state)
{
    (void)state;
    const size_t len = 8;
    const double pars[][2] = {{0.668, 3.806}, {0.704, 1.182}, {2.0, 2.0}, {0.05, 50.0}};
    for (size_t k = 0; k < 4; ++k) {
        double ll;
        assert_int_equal(rtn_sbg_loglik(pars[k], HIGH_END, &len, 1, &ll), RTN_OK);
        assert_rel(ll, sbg_ll_direct(pars[k][0], pars[k][1], HIGH_END, len), 1e-11);
    }
    /* the fit is the maximum: every nearby point is lower; both cohorts at once add */
    const uint64_t *seg[2] = {HIGH_END, REGULAR};
    for (int k = 0; k < 2; ++k) {
        double p[2], se[2], ll;
        assert_int_equal(rtn_sbg_fit(seg[k], &len, 1, p, se, &ll), RTN_OK);
        assert_rel(ll, sbg_ll_direct(p[0], p[1], seg[k], len), 1e-11);
        for (int d = 0; d < 4; ++d) {
            double q[2] = {p[0] * (d == 0 ? 1.001 : d == 1 ? 0.999 : 1.0),
                           p[1] * (d == 2 ? 1.001 : d == 3 ? 0.999 : 1.0)};
            assert_true(sbg_ll_direct(q[0], q[1], seg[k], len) < ll);
        }
        assert_true(se[0] > 0.0 && se[1] > 0.0);
    }
    uint64_t both[16];
    memcpy(both, HIGH_END, sizeof HIGH_END);
    memcpy(both + 8, REGULAR, sizeof REGULAR);
    const size_t lens[2] = {8, 8};
    const double p0[2] = {1.0, 2.0};
    double l_both, l_a, l_b;
    assert_int_equal(rtn_sbg_loglik(p0, both, lens, 2, &l_both), RTN_OK);
    assert_int_equal(rtn_sbg_loglik(p0, HIGH_END, &len, 1, &l_a), RTN_OK);
    assert_int_equal(rtn_sbg_loglik(p0, REGULAR, &len, 1, &l_b), RTN_OK);
    assert_rel(l_both, l_a + l_b, 1e-14);
}

static void sbg_projections(void **state)
{
    (void)state;
    const double p[2] = {0.668, 3.806};
    /* S(t) = product of the retention rates; S(0) = 1 */
    double s, r, prod = 1.0;
    assert_int_equal(rtn_sbg_survival(p, 0.0, &s, NULL), RTN_OK);
    assert_rel(s, 1.0, 1e-15);
    for (int t = 1; t <= 12; ++t) {
        assert_int_equal(rtn_sbg_survival(p, t, &s, &r), RTN_OK);
        prod *= r;
        assert_rel(s, prod, 1e-12);
    }
    /* DEL and DERL against direct discounted sums of S (to t = 20000, tail < 1e-12) */
    const double d = 0.1;
    double del, derl;
    for (uint64_t n = 0; n <= 5; n += 5) {
        assert_int_equal(rtn_sbg_del(p, d, n, &del, &derl), RTN_OK);
        double sum = 0.0, res = 0.0, sn;
        assert_int_equal(rtn_sbg_survival(p, (double)n, &sn, NULL), RTN_OK);
        for (int t = 0; t < 20000; ++t) {
            double st;
            assert_int_equal(rtn_sbg_survival(p, t, &st, NULL), RTN_OK);
            sum += st * pow(1.0 + d, -t);
            if (t >= (int)n + 1)
                res += st / sn * pow(1.0 + d, -(t - (double)n - 1.0));
        }
        assert_rel(del, sum, 1e-10);
        assert_rel(derl, res, 1e-10);
    }
}

/* ---- RFM from merged builders ----------------------------------------------------------------------- */

static void rfm_of_merged_builders(void **state)
{
    (void)state;
    static cdnow c;
    load_cdnow(&c);
    /* two builders, customers split by parity, merged: the same summary as the whole log */
    rtn_cohort_builder *b[2];
    for (int k = 0; k < 2; ++k) {
        assert_int_equal(rtn_cohort_builder_create(&b[k], NULL), RTN_OK);
        assert_int_equal(rtn_cohort_builder_set(b[k], RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_DAY), RTN_OK);
    }
    for (size_t i = 0; i < CDNOW_ROWS; ++i)
        assert_int_equal(rtn_cohort_builder_add(b[c.customer[i] % 2], &c.customer[i], &c.time[i],
                                                &c.amount[i], 1, NULL),
                         RTN_OK);
    assert_int_equal(rtn_cohort_builder_merge(b[0], b[1]), RTN_OK);
    rtn_rfm *r = NULL;
    assert_int_equal(rtn_rfm_from_builder(b[0], CAL_END, HOLD_END, 7.0, &r), RTN_OK);
    static double col[CDNOW_CUSTOMERS];
    const double *want[] = {c.x, c.t_x, c.T, c.m, c.x_holdout};
    for (int k = RTN_RFM_X; k <= RTN_RFM_X_HOLDOUT; ++k) {
        assert_int_equal(rtn_rfm_column(r, k, col, CDNOW_CUSTOMERS), RTN_OK);
        assert_memory_equal(col, want[k], sizeof col);
    }
    int64_t ids[CDNOW_CUSTOMERS];
    assert_int_equal(rtn_rfm_customers(r, ids, CDNOW_CUSTOMERS), RTN_OK);
    for (size_t i = 0; i < CDNOW_CUSTOMERS; ++i)
        assert_true(ids[i] == (int64_t)i + 1);
    /* a calibration before anyone bought: no customers */
    rtn_rfm *none = NULL;
    assert_int_equal(rtn_rfm_from_builder(b[0], 0, 0, 7.0, &none), RTN_EUNDEFINED);
    assert_null(none);
    rtn_rfm_free(r);
    rtn_cohort_builder_free(b[0]);
    rtn_cohort_builder_free(b[1]);
}

/* ---- allocation failure: an RFM summary allocates through its builder's allocator ----------------- */

static void rfm_allocation_failures(void **state)
{
    (void)state;
    static cdnow c;
    load_cdnow(&c);
    int failed = 0;
    for (int budget = 0; budget < 8; ++budget) {
        failing f = {1000000, 0};
        rtn_allocator a = {failing_alloc, failing_free, &f};
        rtn_cohort_builder *b = NULL;
        assert_int_equal(rtn_cohort_builder_create(&b, &a), RTN_OK);
        assert_int_equal(rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_DAY), RTN_OK);
        assert_int_equal(rtn_cohort_builder_add(b, c.customer, c.time, c.amount, CDNOW_ROWS, NULL),
                         RTN_OK);
        f.left = budget;
        rtn_rfm *r = NULL;
        int rc = rtn_rfm_from_builder(b, CAL_END, HOLD_END, 7.0, &r);
        assert_true(rc == RTN_OK || rc == RTN_ENOMEM);
        if (rc == RTN_ENOMEM) {
            assert_null(r);
            ++failed;
        } else {
            size_t n;
            assert_int_equal(rtn_rfm_size(r, &n), RTN_OK);
            assert_int_equal(n, CDNOW_CUSTOMERS);
        }
        rtn_rfm_free(r); /* ASan: nothing leaks on either path */
        rtn_cohort_builder_free(b);
    }
    assert_true(failed >= 3); /* the summary, its ids and its columns each failed once */
}

/* ---- bad input ------------------------------------------------------------------------------------ */

static void models_bad_input(void **state)
{
    (void)state;
    const double good[4] = {0.5, 2.0, 1.5, 2.0}, bad[4] = {0.5, -2.0, 1.5, 2.0};
    const double x[] = {0, 2}, tx[] = {0, 5}, T[] = {10, 10};
    double out[2] = {SENTINEL, SENTINEL}, ll = SENTINEL;
    size_t bi = 99;
    assert_int_equal(rtn_bgnbd_loglik(bad, x, tx, T, NULL, 2, &ll, &bi), RTN_EDOMAIN);
    assert_int_equal(rtn_bgnbd_loglik(good, x, tx, T, NULL, 0, &ll, &bi), RTN_EINVAL);
    const double ab_overflow[4] = {0.5, 2.0, DBL_MAX, DBL_MAX}; /* a + b = inf */
    assert_int_equal(rtn_bgnbd_loglik(ab_overflow, x, tx, T, NULL, 2, &ll, &bi), RTN_EDOMAIN);
    assert_int_equal(rtn_bgnbd_new_customer(ab_overflow, 1.0, NULL, out, 2), RTN_EDOMAIN);
    assert_int_equal(rtn_bgnbd_loglik(NULL, x, tx, T, NULL, 2, &ll, &bi), RTN_EINVAL);
    const double bad_tx[] = {0, 11}, bad_x[] = {0, 1.5}, x_no_tx[] = {0, 2}, zero_tx[] = {0, 0};
    assert_int_equal(rtn_bgnbd_loglik(good, x, bad_tx, T, NULL, 2, &ll, &bi), RTN_EDOMAIN);
    assert_int_equal(bi, 1);
    assert_int_equal(rtn_bgnbd_loglik(good, bad_x, tx, T, NULL, 2, &ll, &bi), RTN_EDOMAIN);
    assert_int_equal(rtn_bgnbd_loglik(good, x_no_tx, zero_tx, T, NULL, 2, &ll, &bi), RTN_EDOMAIN);
    const double neg_w[] = {1, -1}, nan_T[] = {10, NAN};
    assert_int_equal(rtn_bgnbd_loglik(good, x, tx, T, neg_w, 2, &ll, &bi), RTN_EDOMAIN);
    assert_int_equal(rtn_bgnbd_loglik(good, x, tx, nan_T, NULL, 2, &ll, &bi), RTN_EDOMAIN);
    assert_true(ll == SENTINEL);
    double p[4] = {SENTINEL, SENTINEL, SENTINEL, SENTINEL};
    const double only_zero[] = {0, 0}, zeros[] = {0, 0};
    assert_int_equal(rtn_bgnbd_fit(only_zero, zeros, T, NULL, 2, p, NULL, NULL, &bi), RTN_EUNDEFINED);
    assert_true(p[0] == SENTINEL);
    const double a_small[4] = {0.5, 2.0, 0.4, 0.5}; /* a + b ≤ 1: no expectation at x = 0 */
    bi = 99;
    assert_int_equal(rtn_bgnbd_predict(a_small, x, tx, T, 2, 5.0, NULL, out, &bi), RTN_EDOMAIN);
    assert_int_equal(bi, 0);
    double alive[2];
    assert_int_equal(rtn_bgnbd_predict(a_small, x, tx, T, 2, 5.0, alive, NULL, &bi), RTN_OK);
    assert_true(alive[0] == 1.0 && alive[1] > 0.0 && alive[1] < 1.0);
    assert_int_equal(rtn_bgnbd_predict(good, x, tx, T, 2, -1.0, out, NULL, &bi), RTN_EDOMAIN);
    assert_int_equal(rtn_bgnbd_predict(good, NULL, tx, T, 2, 1.0, out, NULL, &bi), RTN_EINVAL);
    assert_int_equal(rtn_bgnbd_new_customer(good, -1.0, out, NULL, 0), RTN_EDOMAIN);
    assert_int_equal(rtn_bgnbd_new_customer(good, 1.0, NULL, out, 0), RTN_EINVAL);
    assert_int_equal(rtn_bgnbd_new_customer(a_small, 1.0, out, NULL, 0), RTN_EDOMAIN);

    const double g[3] = {6.0, 3.0, 15.0}, g_q1[3] = {6.0, 1.0, 15.0};
    const double m[] = {0, 20}, bad_m[] = {0, -5};
    assert_int_equal(rtn_gg_loglik(g, x, bad_m, NULL, 2, &ll, &bi), RTN_EDOMAIN);
    assert_int_equal(bi, 1);
    assert_int_equal(rtn_gg_loglik(g, only_zero, m, NULL, 2, &ll, &bi), RTN_EUNDEFINED);
    assert_int_equal(rtn_gg_fit(only_zero, m, NULL, 2, p, NULL, NULL, &bi), RTN_EUNDEFINED);
    assert_int_equal(rtn_gg_expected_spend(g_q1, x, m, 2, out, &bi), RTN_EDOMAIN);
    assert_int_equal(rtn_clv_bgnbd_gg(good, g, x, tx, T, m, 2, -0.1, 1.0, 12, out, &bi), RTN_EDOMAIN);
    assert_int_equal(rtn_clv_bgnbd_gg(good, g, x, tx, T, m, 2, 0.1, 0.0, 12, out, &bi), RTN_EDOMAIN);
    assert_int_equal(rtn_clv_bgnbd_gg(good, g, x, tx, T, m, 2, 0.1, 1.0, 0, out, &bi), RTN_EDOMAIN);
    assert_true(out[0] == SENTINEL);

    /* sBG */
    const size_t len = 3, short_len = 1;
    const uint64_t rising[] = {100, 50, 60}, empty[] = {0, 0, 0}, flat[] = {100, 100, 100};
    const double sp[2] = {1.0, 1.0}, sp_bad[2] = {0.0, 1.0};
    assert_int_equal(rtn_sbg_loglik(sp, rising, &len, 1, &ll), RTN_EDOMAIN);
    assert_int_equal(rtn_sbg_loglik(sp, empty, &len, 1, &ll), RTN_EDOMAIN);
    assert_int_equal(rtn_sbg_loglik(sp, flat, &short_len, 1, &ll), RTN_EDOMAIN);
    assert_int_equal(rtn_sbg_loglik(sp_bad, flat, &len, 1, &ll), RTN_EDOMAIN);
    const double sp_sum_overflows[2] = {DBL_MAX, DBL_MAX};
    assert_int_equal(rtn_sbg_survival(sp_sum_overflows, 1.0, out, NULL), RTN_EDOMAIN);
    assert_int_equal(rtn_sbg_loglik(sp, flat, &len, 0, &ll), RTN_EINVAL);
    assert_int_equal(rtn_sbg_fit(flat, &len, 1, p, NULL, NULL), RTN_EUNDEFINED);
    /* no interior maximum: all churn in one period; two counts cannot tell α from β */
    const uint64_t at_once[] = {1000, 0, 0}, second[] = {1000, 1000, 0}, pair[] = {1000, 500};
    const size_t two = 2;
    assert_int_equal(rtn_sbg_fit(at_once, &len, 1, p, NULL, NULL), RTN_EUNDEFINED);
    assert_int_equal(rtn_sbg_fit(second, &len, 1, p, NULL, NULL), RTN_EUNDEFINED);
    assert_int_equal(rtn_sbg_fit(pair, &two, 1, p, NULL, NULL), RTN_EUNDEFINED);
    /* counts near 2^64 in two cohorts: the total does not wrap */
    const uint64_t huge[] = {UINT64_C(8) << 60, UINT64_C(4) << 60, UINT64_C(3) << 60,
                             UINT64_C(8) << 60, UINT64_C(5) << 60, UINT64_C(4) << 60};
    const size_t lens3[2] = {3, 3};
    double hp[2];
    assert_int_equal(rtn_sbg_fit(huge, lens3, 2, hp, NULL, NULL), RTN_OK);
    assert_true(isfinite(hp[0]) && isfinite(hp[1]));
    assert_int_equal(rtn_sbg_survival(sp, -1.0, out, NULL), RTN_EDOMAIN);
    assert_int_equal(rtn_sbg_survival(sp, 0.5, NULL, out), RTN_EDOMAIN); /* retention needs t ≥ 1 */
    assert_int_equal(rtn_sbg_del(sp, 0.0, 0, out, NULL), RTN_EDOMAIN);
    assert_int_equal(rtn_sbg_del(NULL, 0.1, 0, out, NULL), RTN_EINVAL);
    assert_true(ll == SENTINEL && p[0] == SENTINEL && out[0] == SENTINEL);

    /* RFM */
    const int64_t cu[] = {1, 1}, ti[] = {0, 86400};
    rtn_rfm *r = NULL;
    assert_int_equal(rtn_rfm_build(cu, ti, NULL, 2, 86400, 0, 7.0, &r, &bi), RTN_EINVAL);
    assert_int_equal(rtn_rfm_build(cu, ti, NULL, 2, 86400, 86400, 0.0, &r, &bi), RTN_EINVAL);
    const int64_t bad_t[] = {0, RTN_TIME_MAX + 1};
    assert_int_equal(rtn_rfm_build(cu, bad_t, NULL, 2, 86400, 86400, 7.0, &r, &bi), RTN_EDOMAIN);
    assert_int_equal(bi, 1);
    assert_null(r);
    assert_int_equal(rtn_rfm_build(cu, ti, NULL, 2, 86400, 86400, 1.0, &r, &bi), RTN_OK);
    double col[1];
    int64_t ids[1];
    size_t nc;
    assert_int_equal(rtn_rfm_size(r, &nc), RTN_OK);
    assert_int_equal(nc, 1);
    assert_int_equal(rtn_rfm_column(r, 99, col, 1), RTN_EINVAL);
    assert_int_equal(rtn_rfm_column(r, RTN_RFM_X, col, 0), RTN_EBUFSIZE);
    assert_int_equal(rtn_rfm_customers(r, ids, 0), RTN_EBUFSIZE);
    assert_int_equal(rtn_rfm_column(r, RTN_RFM_X, col, 1), RTN_OK);
    assert_true(col[0] == 1.0);
    assert_int_equal(rtn_rfm_column(r, RTN_RFM_MONETARY, col, 1), RTN_OK);
    assert_true(col[0] == 0.0); /* no amounts */
    rtn_rfm_free(r);
    rtn_rfm_free(NULL);
    /* repeat purchases whose sum passes −DBL_MAX have a finite mean (found by fuzzing: NaN) */
    const int64_t cu3[] = {1, 1, 1}, ti3[] = {0, 86400, 2 * 86400};
    const double big_spend[] = {0.0, -DBL_MAX, -1e304};
    assert_int_equal(rtn_rfm_build(cu3, ti3, big_spend, 3, 2 * 86400, 2 * 86400, 1.0, &r, &bi), RTN_OK);
    assert_int_equal(rtn_rfm_column(r, RTN_RFM_MONETARY, col, 1), RTN_OK);
    assert_true(col[0] == -(DBL_MAX / 2 + 1e304 / 2)); /* halves exact, one rounding */
    rtn_rfm_free(r);
    assert_int_equal(rtn_rfm_from_builder(NULL, 0, 0, 1.0, &r), RTN_EINVAL);
}

/* The allocator-taking variants: every allocation failing in turn gives RTN_ENOMEM with the
 * outputs untouched (and no leak under ASan), then the same result as the malloc variant. */
static void models_allocation_failures(void **state)
{
    (void)state;
    const double x[] = {0, 2, 1, 5, 0, 3, 2, 7}, tx[] = {0, 20, 11, 30, 0, 25, 9, 35};
    const double T[] = {30, 38, 33, 39, 20, 36, 28, 39}, m[] = {0, 20, 15, 40, 0, 25, 12, 33};
    const size_t n = 8;
    double want[4], got[4] = {SENTINEL, SENTINEL, SENTINEL, SENTINEL};
    assert_int_equal(rtn_bgnbd_fit(x, tx, T, NULL, n, want, NULL, NULL, NULL), RTN_OK);
    const double gg[3] = {6.25, 3.74, 15.44};
    double pa_want[8], e_want[8], clv_want[8], pa[8], e[8], clv[8];
    assert_int_equal(rtn_bgnbd_predict(want, x, tx, T, n, 10, pa_want, e_want, NULL), RTN_OK);
    assert_int_equal(rtn_clv_bgnbd_gg(want, gg, x, tx, T, m, n, 0.01, 4, 6, clv_want, NULL), RTN_OK);
    int done[3] = {0, 0, 0};
    for (int left = 0; !(done[0] && done[1] && done[2]); ++left) {
        assert_true(left < 100);
        failing f = {left, 0};
        rtn_allocator a = {failing_alloc, failing_free, &f};
        for (int i = 0; i < 8; ++i)
            pa[i] = e[i] = clv[i] = SENTINEL;
        if (!done[0]) {
            int rc = rtn_bgnbd_fit_alloc(x, tx, T, NULL, n, got, NULL, NULL, NULL, &a);
            if (rc == RTN_OK) {
                done[0] = 1;
                for (int i = 0; i < 4; ++i)
                    assert_true(got[i] == want[i]);
            } else {
                assert_int_equal(rc, RTN_ENOMEM);
                assert_true(got[0] == SENTINEL);
            }
        }
        f.left = left;
        if (!done[1]) {
            int rc = rtn_bgnbd_predict_alloc(want, x, tx, T, n, 10, pa, e, NULL, &a);
            if (rc == RTN_OK) {
                done[1] = 1;
                assert_memory_equal(pa, pa_want, sizeof pa);
                assert_memory_equal(e, e_want, sizeof e);
            } else {
                assert_int_equal(rc, RTN_ENOMEM);
                assert_true(pa[0] == SENTINEL && e[0] == SENTINEL);
            }
        }
        f.left = left;
        if (!done[2]) {
            int rc = rtn_clv_bgnbd_gg_alloc(want, gg, x, tx, T, m, n, 0.01, 4, 6, clv, NULL, &a);
            if (rc == RTN_OK) {
                done[2] = 1;
                assert_memory_equal(clv, clv_want, sizeof clv);
            } else {
                assert_int_equal(rc, RTN_ENOMEM);
                assert_true(clv[0] == SENTINEL);
            }
        }
    }
    /* an allocator without both functions is refused */
    rtn_allocator half = {failing_alloc, NULL, NULL};
    assert_int_equal(rtn_bgnbd_fit_alloc(x, tx, T, NULL, n, got, NULL, NULL, NULL, &half), RTN_EINVAL);
    assert_int_equal(rtn_bgnbd_predict_alloc(want, x, tx, T, n, 1, pa, e, NULL, &half), RTN_EINVAL);
    assert_int_equal(rtn_clv_bgnbd_gg_alloc(want, gg, x, tx, T, m, n, 0.01, 4, 6, clv, NULL, &half),
                     RTN_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cdnow_summary_matches_published),
        cmocka_unit_test(cdnow_fits_match_published),
        cmocka_unit_test(bgnbd_loglik_is_the_formula),
        cmocka_unit_test(bgnbd_predictions_are_consistent),
        cmocka_unit_test(bgnbd_expectations_for_any_a),
        cmocka_unit_test(spend_and_clv),
        cmocka_unit_test(sbg_matches_its_definition),
        cmocka_unit_test(sbg_projections),
        cmocka_unit_test(rfm_of_merged_builders),
        cmocka_unit_test(rfm_allocation_failures),
        cmocka_unit_test(models_allocation_failures),
        cmocka_unit_test(models_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
