/* Standard-normal quantiles and tail probabilities, and the Wilson interval built on them.
 * The library needs z for confidence levels (intervals) and tail areas for p-values; C's libm has
 * erfc but no inverse, so the quantile is Wichura's algorithm AS 241 (Applied Statistics 37(3),
 * 1988, 477-484), whose rational approximations are accurate to about 1 part in 10^16. */
#include "internal.h"

/* Evaluates the degree-7 polynomial with coefficients c[0..7] (c[0] constant) at r. */
static double poly7(const double c[8], double r)
{
    double v = c[7];
    for (int i = 6; i >= 0; --i)
        v = v * r + c[i];
    return v;
}

/* AS 241 coefficients: numerator (a, c, e) and denominator (b, d, f; leading 1) of the three
 * rational approximations: central |p - 1/2| ≤ 0.425, intermediate tail, far tail. */
static const double as241_a[8] = {3.3871328727963666080e0, 1.3314166789178437745e+2,
                                  1.9715909503065514427e+3, 1.3731693765509461125e+4,
                                  4.5921953931549871457e+4, 6.7265770927008700853e+4,
                                  3.3430575583588128105e+4, 2.5090809287301226727e+3};
static const double as241_b[8] = {1.0,
                                  4.2313330701600911252e+1,
                                  6.8718700749205790830e+2,
                                  5.3941960214247511077e+3,
                                  2.1213794301586595867e+4,
                                  3.9307895800092710610e+4,
                                  2.8729085735721942674e+4,
                                  5.2264952788528545610e+3};
static const double as241_c[8] = {1.42343711074968357734e0,  4.63033784615654529590e0,
                                  5.76949722146069140550e0,  3.64784832476320460504e0,
                                  1.27045825245236838258e0,  2.41780725177450611770e-1,
                                  2.27238449892691845833e-2, 7.74545014278341407640e-4};
static const double as241_d[8] = {1.0,
                                  2.05319162663775882187e0,
                                  1.67638483018380384940e0,
                                  6.89767334985100004550e-1,
                                  1.48103976427480074590e-1,
                                  1.51986665636164571966e-2,
                                  5.47593808499534494600e-4,
                                  1.05075007164441684324e-9};
static const double as241_e[8] = {6.65790464350110377720e0,  5.46378491116411436990e0,
                                  1.78482653991729133580e0,  2.96560571828504891230e-1,
                                  2.65321895265761230930e-2, 1.24266094738807843860e-3,
                                  2.71155556874348757815e-5, 2.01033439929228813265e-7};
static const double as241_f[8] = {1.0,
                                  5.99832206555887937690e-1,
                                  1.36929880922735805310e-1,
                                  1.48753612908506148525e-2,
                                  7.86869131145613259100e-4,
                                  1.84631831751005468180e-5,
                                  1.42151175831644588870e-7,
                                  2.04426310338993978564e-15};

/* Works from the upper tail q directly (not p = 1 - q), so confidence levels such as 0.999999
 * keep all their digits: the tail branch takes log(q), never log(1 - p). */
double rtn__normal_upper_quantile(double q)
{
    double centred = 0.5 - q; /* = p - 1/2 for the lower-tail p = 1 - q */
    if (fabs(centred) <= 0.425) {
        double r = 0.180625 - centred * centred;
        return centred * poly7(as241_a, r) / poly7(as241_b, r);
    }
    double tail = centred > 0 ? q : 1.0 - q; /* the smaller of the two tails */
    double r = sqrt(-log(tail));
    double z;
    if (r <= 5.0) {
        r -= 1.6;
        z = poly7(as241_c, r) / poly7(as241_d, r);
    } else {
        r -= 5.0;
        z = poly7(as241_e, r) / poly7(as241_f, r);
    }
    return centred > 0 ? z : -z;
}

int rtn__normal_critical(double confidence, double *z)
{
    if (!(confidence > 0.0 && confidence < 1.0))
        return -1;
    *z = rtn__normal_upper_quantile(0.5 * (1.0 - confidence));
    return 0;
}

double rtn__normal_two_sided_p(double z) { return erfc(fabs(z) / sqrt(2.0)); }

void rtn__wilson(uint64_t k, uint64_t n, double z, double *low, double *high)
{
    double nn = (double)n;
    double p = (double)k / nn;
    double z2 = z * z;
    double denom = 1.0 + z2 / nn;
    double centre = (p + z2 / (2.0 * nn)) / denom;
    double half = z / denom * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));
    /* At k = 0 and k = n the formula gives 0 and 1 up to rounding; the exact values are known. */
    *low = k == 0 ? 0.0 : fmax(0.0, centre - half);
    *high = k == n ? 1.0 : fmin(1.0, centre + half);
}
