/* Special functions for the statistics modules: log-gamma and the regularised incomplete gamma
 * function, hence chi-square tail probabilities.
 *
 * Our own log-gamma rather than C's lgamma(): lgamma() writes the global `signgam`, so it is not
 * thread-safe, and lgamma_r() is not standard C. For x ≥ 10 the Stirling series with seven
 * Bernoulli terms (Abramowitz & Stegun 6.1.40) is accurate to about 1e-17 relative; smaller x is
 * shifted up with Γ(x + 1) = x Γ(x). Near the roots x = 1 and x = 2 the error is absolute
 * (about 1e-15), not relative.
 *
 * The incomplete gamma function follows the classical split (e.g. Numerical Recipes §6.2, and
 * Temme's analysis of where each converges fastest): the power series of P(a, x) for x < a + 1,
 * the continued fraction of Q(a, x), evaluated by the modified Lentz method, otherwise. */
#include <float.h>
#include <math.h>

#include "internal.h"

#define HALF_LOG_2PI 0.91893853320467274178032973640562

/* The Stirling series' correction log Γ(x) − [(x − ½) log x − x + ½ log 2π], x ≥ 10:
 * B_2k / (2k (2k − 1) x^(2k − 1)), k = 1 … 7, by Horner in 1/x² */
static double stirling_correction(double x)
{
    double r = 1.0 / x, r2 = r * r;
    return r * (1.0 / 12 +
                r2 * (-1.0 / 360 +
                      r2 * (1.0 / 1260 +
                            r2 * (-1.0 / 1680 +
                                  r2 * (1.0 / 1188 + r2 * (-691.0 / 360360 + r2 * (1.0 / 156)))))));
}

double rtn__lgamma(double x)
{
    if (!(x > 0.0))
        return NAN;
    if (isinf(x))
        return INFINITY;
    double prod = 1.0; /* x (x + 1) … (x + k − 1) */
    while (x < 10.0) {
        prod *= x;
        x += 1.0;
    }
    return (x - 0.5) * log(x) - x + HALF_LOG_2PI + stirling_correction(x) - log(prod);
}

double rtn__lpoch(double x, double t)
{
    if (t == 0.0)
        return 0.0;
    if (x < 10.0 && t == floor(t) && t <= 32.0) {
        /* a few factors: Σ log(x + i) is exact to rounding, where the difference of two
         * log-gammas would carry their absolute error (~1e-15) */
        double sum = 0.0, prod = 1.0;
        for (double i = 0.0; i < t; i += 1.0) {
            prod *= x + i;
            if (prod > 1e280 || prod < 1e-280) {
                sum += log(prod);
                prod = 1.0;
            }
        }
        return sum + log(prod);
    }
    if (x < 10.0)
        return rtn__lgamma(x + t) - rtn__lgamma(x);
    /* both in Stirling's range: (y − ½) log y − y − (x − ½) log x + x with y = x + t, arranged
     * so that nothing large cancels (x ~ 1e300 and t ~ 1 stay exact to rounding) */
    double y = x + t;
    return (x - 0.5) * log1p(t / x) + t * log(y) - t + stirling_correction(y) -
           stirling_correction(x);
}

/* log of x^a e^−x / Γ(a), the common prefactor of both expansions */
static double log_prefactor(double a, double x) { return a * log(x) - x - rtn__lgamma(a); }

/* P(a, x) by its series Σ x^n / (a (a + 1) … (a + n)), for x < a + 1 */
static double gamma_p_series(double a, double x)
{
    double term = 1.0 / a, sum = term;
    for (int n = 1; n < 10000; ++n) {
        term *= x / (a + n);
        sum += term;
        if (fabs(term) < fabs(sum) * DBL_EPSILON)
            break;
    }
    return sum * exp(log_prefactor(a, x));
}

/* Q(a, x) by its continued fraction, for x ≥ a + 1 (modified Lentz) */
static double gamma_q_fraction(double a, double x)
{
    const double tiny = DBL_MIN / DBL_EPSILON;
    double b = x + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, h = d;
    for (int i = 1; i < 10000; ++i) {
        double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < tiny)
            d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        double delta = d * c;
        h *= delta;
        if (fabs(delta - 1.0) < DBL_EPSILON)
            break;
    }
    return exp(log_prefactor(a, x)) * h;
}

double rtn__gamma_q(double a, double x)
{
    if (!(a > 0.0) || !(x >= 0.0) || isinf(a))
        return NAN;
    if (x == 0.0)
        return 1.0;
    if (isinf(x))
        return 0.0;
    if (x < a + 1.0)
        return 1.0 - gamma_p_series(a, x);
    return gamma_q_fraction(a, x);
}

double rtn__chisq_upper(double x, double df)
{
    if (!(df > 0.0) || isnan(x))
        return NAN;
    if (x <= 0.0)
        return 1.0;
    return rtn__gamma_q(0.5 * df, 0.5 * x);
}

double rtn__digamma(double x)
{
    if (!(x > 0.0) || isinf(x))
        return x == INFINITY ? INFINITY : NAN;
    /* ψ(x) = ψ(x + k) − Σ 1/(x + i), then the asymptotic series (A&S 6.3.18) for x ≥ 10 */
    double shift = 0.0;
    while (x < 10.0) {
        shift += 1.0 / x;
        x += 1.0;
    }
    double r = 1.0 / x, r2 = r * r;
    double series =
        r2 * (1.0 / 12 - r2 * (1.0 / 120 - r2 * (1.0 / 252 - r2 * (1.0 / 240 - r2 * (1.0 / 132)))));
    return log(x) - 0.5 * r - series - shift;
}

double rtn__lbeta(double a, double b)
{
    if (!(a > 0.0 && b > 0.0))
        return NAN;
    if (a > b) { /* a ≤ b from here */
        double t = a;
        a = b;
        b = t;
    }
    if (a < 10.0) /* log Γ(a) − [log Γ(a + b) − log Γ(b)]: the difference stays small */
        return rtn__lgamma(a) - rtn__lpoch(b, a);
    /* both large: Stirling's forms, with the logs of a/(a+b) and b/(a+b) (no cancellation) */
    double c = a + b;
    return HALF_LOG_2PI + (a - 0.5) * log(a / c) + (b - 0.5) * log(b / c) - 0.5 * log(c) +
           stirling_correction(a) + stirling_correction(b) - stirling_correction(c);
}

double rtn__log_hyp2f1(double a, double b, double c, double z)
{
    if (!(a > 0.0 && b > 0.0 && c > 0.0 && z >= 0.0 && z < 1.0))
        return NAN;
    /* Σ_k (a)_k (b)_k / ((c)_k k!) z^k: every term positive. Terms may grow a long way before
     * they shrink (large a, b), so the sum is kept as sum · e^scale, rescaled before overflow. */
    double term = 1.0, sum = 1.0, scale = 0.0;
    for (long k = 0; k < 10000000; ++k) {
        term *= (a + (double)k) * (b + (double)k) / ((c + (double)k) * (double)(k + 1)) * z;
        sum += term;
        if (term < sum * 1e-17)
            return log(sum) + scale;
        if (sum > 1e250) {
            sum *= 1e-250;
            term *= 1e-250;
            scale += 250.0 * 2.302585092994045684;
        }
    }
    return NAN; /* not converged: z too close to 1 for the series */
}

