/* Survey scores (NPS, CSAT, CES) over mergeable histograms, and average handle time.
 * Definitions: DESIGN.md "Metric definitions"; NPS standard error and the adjusted-Wald interval
 * follow Rocks (2016), "Interval estimation for the Net Promoter Score", The American
 * Statistician 70(4), as popularised by Sauro & Lewis (MeasuringU). */
#include "internal.h"

static int valid_scale(uint32_t scale_min, uint32_t scale_max)
{
    return scale_min < scale_max && scale_max <= 255;
}

int rtn_scores_hist_len(uint32_t scale_min, uint32_t scale_max, size_t *len)
{
    if (!len || !valid_scale(scale_min, scale_max))
        return RTN_EINVAL;
    *len = (size_t)(scale_max - scale_min) + 1;
    return RTN_OK;
}

int rtn_scores_count(const uint8_t *scores, size_t n, uint32_t scale_min, uint32_t scale_max,
                     uint64_t *hist, size_t *bad_index)
{
    if (!hist || (!scores && n > 0) || !valid_scale(scale_min, scale_max))
        return RTN_EINVAL;
    uint32_t nbins = scale_max - scale_min + 1;
    uint64_t counts[256] = {0};
    rtn__count_bytes(scores, n, scale_min, nbins, counts);

    /* Bytes outside the scale land in no bin: an invalid byte shows up as a shortfall in the
     * total and is located by a plain scan, on the error path only. */
    uint64_t valid = 0;
    for (uint32_t b = 0; b < nbins; ++b)
        valid += counts[b]; /* ≤ n: cannot wrap */
    if (valid != (uint64_t)n) {
        for (size_t i = 0; i < n; ++i) {
            if (scores[i] < scale_min || scores[i] > scale_max) {
                if (bad_index)
                    *bad_index = i;
                break;
            }
        }
        return RTN_EDOMAIN;
    }
    for (uint32_t b = 0; b < nbins; ++b)
        if (counts[b] > UINT64_MAX - hist[b])
            return RTN_EOVERFLOW;
    for (uint32_t b = 0; b < nbins; ++b)
        hist[b] += counts[b];
    return RTN_OK;
}

/* Sum of hist[0..nbins) into *total; -1 on overflow. */
static int hist_total(const uint64_t *hist, uint32_t nbins, uint64_t *total)
{
    uint64_t t = 0;
    for (uint32_t b = 0; b < nbins; ++b)
        if (rtn__add_u64(t, hist[b], &t) != 0)
            return -1;
    *total = t;
    return 0;
}

/* ---- NPS ------------------------------------------------------------------------------------ */

size_t rtn_nps_hist_len(void) { return RTN_NPS_HIST_LEN; }

int rtn_nps_count(const uint8_t *scores, size_t n, uint64_t *hist, size_t *bad_index)
{
    return rtn_scores_count(scores, n, 0, 10, hist, bad_index);
}

int rtn_nps_categories(const uint64_t *hist, uint64_t *promoters, uint64_t *passives,
                       uint64_t *detractors)
{
    if (!hist || !promoters || !passives || !detractors)
        return RTN_EINVAL;
    uint64_t pro, pas, det;
    if (hist_total(hist + 9, 2, &pro) || hist_total(hist + 7, 2, &pas) ||
        hist_total(hist, 7, &det))
        return RTN_EOVERFLOW;
    *promoters = pro;
    *passives = pas;
    *detractors = det;
    return RTN_OK;
}

/* The quantities every NPS formula starts from; status as the public functions document. */
typedef struct nps_shares {
    double n, p, d;
    double pro, pas, det; /* the counts (pseudo-counts for the adjusted Wald interval) */
} nps_shares;

static int nps_prepare(uint64_t promoters, uint64_t passives, uint64_t detractors, nps_shares *out)
{
    uint64_t n;
    if (rtn__add_u64(promoters, passives, &n) || rtn__add_u64(n, detractors, &n))
        return RTN_EOVERFLOW;
    if (n == 0)
        return RTN_EUNDEFINED;
    out->n = (double)n;
    out->p = (double)promoters / out->n;
    out->d = (double)detractors / out->n;
    out->pro = (double)promoters;
    out->pas = (double)passives;
    out->det = (double)detractors;
    return RTN_OK;
}

/* Standard error of p − d (a share, not points): Var = (p + d − (p − d)²) / n, written over the
 * counts as (A (P + D) + 4 P D) / n³ — a sum of non-negative terms, where the share form
 * cancels to 0 once nearly every one of 2^45 or more responses is in one category. */
static double nps_se_share(const nps_shares *s)
{
    return sqrt(s->pas * (s->pro + s->det) + 4.0 * s->pro * s->det) / (s->n * sqrt(s->n));
}

int rtn_nps_shares(uint64_t promoters, uint64_t passives, uint64_t detractors,
                   double *promoter_share, double *passive_share, double *detractor_share)
{
    if (!promoter_share || !passive_share || !detractor_share)
        return RTN_EINVAL;
    nps_shares s;
    int rc = nps_prepare(promoters, passives, detractors, &s);
    if (rc != RTN_OK)
        return rc;
    *promoter_share = s.p;
    *passive_share = (double)passives / s.n;
    *detractor_share = s.d;
    return RTN_OK;
}

int rtn_nps_score(uint64_t promoters, uint64_t passives, uint64_t detractors, double *nps,
                  double *std_error)
{
    if (!nps)
        return RTN_EINVAL;
    nps_shares s;
    int rc = nps_prepare(promoters, passives, detractors, &s);
    if (rc != RTN_OK)
        return rc;
    /* (P − D) / n from the integer difference: exact 0 when P = D, and one rounding only. */
    double diff = promoters >= detractors ? (double)(promoters - detractors)
                                          : -(double)(detractors - promoters);
    /* Near 2^64 responses, P − D and n round separately and the ratio can pass ±1 by an ulp. */
    *nps = 100.0 * fmax(-1.0, fmin(1.0, diff / s.n));
    if (std_error)
        *std_error = 100.0 * nps_se_share(&s);
    return RTN_OK;
}

int rtn_nps_interval(uint64_t promoters, uint64_t passives, uint64_t detractors, int32_t method,
                     double confidence, double *low, double *high)
{
    double z;
    if (!low || !high || (method != RTN_NPS_WALD && method != RTN_NPS_ADJUSTED_WALD) ||
        rtn__normal_critical(confidence, &z) != 0)
        return RTN_EINVAL;
    nps_shares s;
    int rc = nps_prepare(promoters, passives, detractors, &s);
    if (rc != RTN_OK)
        return rc;
    if (method == RTN_NPS_ADJUSTED_WALD) {
        /* Rocks (2016): add 3 pseudo-responses, 3/4 each to promoters and detractors (and so
         * 3/2 to passives). */
        s.n += 3.0;
        s.pro += 0.75;
        s.det += 0.75;
        s.pas += 1.5;
        s.p = s.pro / s.n;
        s.d = s.det / s.n;
    }
    double centre = s.p - s.d;
    double half = z * nps_se_share(&s);
    *low = 100.0 * fmax(-1.0, centre - half);
    *high = 100.0 * fmin(1.0, centre + half);
    return RTN_OK;
}

/* (P_a − D_a) / n_a − (P_b − D_b) / n_b: the two scores as shares, and their difference. With
 * 128-bit integers the cross-multiplied numerator (P_a − D_a) n_b − (P_b − D_b) n_a is exact where
 * it can cancel (both terms of one sign), so two nearly equal scores of 2^62 responses still
 * differ by the right amount; else the difference of the two rounded shares. */
static double nps_difference(uint64_t pa, uint64_t da, uint64_t na, uint64_t pb, uint64_t db,
                             uint64_t nb)
{
#ifdef __SIZEOF_INT128__
    __extension__ typedef unsigned __int128 u128; /* GCC and Clang, on 64-bit targets */
    int sa = pa >= da, sb = pb >= db; /* 1: the score is ≥ 0 */
    u128 x = (u128)(sa ? pa - da : da - pa) * nb, y = (u128)(sb ? pb - db : db - pb) * na;
    double num;
    if (sa == sb) { /* x − y (or y − x): exact, then rounded once */
        double mag = x >= y ? (double)(x - y) : -(double)(y - x);
        num = sa ? mag : -mag;
    } else { /* opposite signs: no cancellation, doubles will do */
        num = sa ? (double)x + (double)y : -((double)x + (double)y);
    }
    return num / ((double)na * (double)nb);
#else
    double a = ((double)pa - (double)da) / (double)na, b = ((double)pb - (double)db) / (double)nb;
    return a - b;
#endif
}

int rtn_nps_ztest(uint64_t promoters_a, uint64_t passives_a, uint64_t detractors_a,
                  uint64_t promoters_b, uint64_t passives_b, uint64_t detractors_b, double *z,
                  double *p_value)
{
    if (!z || !p_value)
        return RTN_EINVAL;
    nps_shares a, b;
    int rc = nps_prepare(promoters_a, passives_a, detractors_a, &a);
    if (rc == RTN_OK)
        rc = nps_prepare(promoters_b, passives_b, detractors_b, &b);
    if (rc != RTN_OK)
        return rc;
    double se_a = nps_se_share(&a), se_b = nps_se_share(&b);
    double se = sqrt(se_a * se_a + se_b * se_b);
    if (se == 0.0)
        return RTN_EUNDEFINED;
    double diff = nps_difference(promoters_a, detractors_a, promoters_a + passives_a + detractors_a,
                                 promoters_b, detractors_b, promoters_b + passives_b + detractors_b);
    double stat = diff / se;
    *z = stat;
    *p_value = rtn__normal_two_sided_p(stat);
    return RTN_OK;
}

/* ---- CSAT and CES ---------------------------------------------------------------------------- */

/* Shared validation of a histogram on a scale: its total, or the status to return. */
static int scale_total(const uint64_t *hist, uint32_t scale_min, uint32_t scale_max,
                       uint64_t *total)
{
    if (!hist || !valid_scale(scale_min, scale_max))
        return RTN_EINVAL;
    if (hist_total(hist, scale_max - scale_min + 1, total) != 0)
        return RTN_EOVERFLOW;
    return *total == 0 ? RTN_EUNDEFINED : RTN_OK;
}

/* satisfied = responses ≥ satisfied_min, total = all responses. */
static int csat_counts(const uint64_t *hist, uint32_t scale_min, uint32_t scale_max,
                       uint32_t satisfied_min, uint64_t *satisfied, uint64_t *total)
{
    if (satisfied_min < scale_min || satisfied_min > scale_max)
        return RTN_EINVAL;
    int rc = scale_total(hist, scale_min, scale_max, total);
    if (rc != RTN_OK)
        return rc;
    /* a part of a total that did not overflow cannot overflow */
    uint64_t k = 0;
    for (uint32_t v = satisfied_min; v <= scale_max; ++v)
        k += hist[v - scale_min];
    *satisfied = k;
    return RTN_OK;
}

int rtn_csat_score(const uint64_t *hist, uint32_t scale_min, uint32_t scale_max,
                   uint32_t satisfied_min, double *csat, double *std_error)
{
    if (!csat)
        return RTN_EINVAL;
    uint64_t k, n;
    int rc = csat_counts(hist, scale_min, scale_max, satisfied_min, &k, &n);
    if (rc != RTN_OK)
        return rc;
    double share = (double)k / (double)n;
    *csat = share;
    /* sqrt(p (1 − p) / n) written over the counts, k (n − k) / n³: 1 − p would round to 0 when
     * all but a few of 2^53 or more responses are satisfied */
    if (std_error)
        *std_error = sqrt((double)k * (double)(n - k)) / ((double)n * sqrt((double)n));
    return RTN_OK;
}

int rtn_csat_interval(const uint64_t *hist, uint32_t scale_min, uint32_t scale_max,
                      uint32_t satisfied_min, double confidence, double *low, double *high)
{
    double z;
    if (!low || !high || rtn__normal_critical(confidence, &z) != 0)
        return RTN_EINVAL;
    uint64_t k, n;
    int rc = csat_counts(hist, scale_min, scale_max, satisfied_min, &k, &n);
    if (rc != RTN_OK)
        return rc;
    rtn__wilson(k, n, z, low, high);
    return RTN_OK;
}

int rtn_ces_score(const uint64_t *hist, uint32_t scale_min, uint32_t scale_max, double *mean,
                  double *std_error)
{
    if (!mean)
        return RTN_EINVAL;
    uint64_t n;
    int rc = scale_total(hist, scale_min, scale_max, &n);
    if (rc != RTN_OK)
        return rc;
    if (std_error && n < 2)
        return RTN_EUNDEFINED;
    uint32_t nbins = scale_max - scale_min + 1;
    /* Two passes over the (tiny) histogram: mean, then squared deviations — no cancellation
     * from sum(x²) − n·mean². */
    /* The mean as scale_min + mean offset: the offsets are small, and clamping to the scale
     * absorbs the rounding of sums near 2^64 that could otherwise land an ulp outside it. */
    double offsets = 0.0;
    for (uint32_t b = 0; b < nbins; ++b)
        offsets += (double)hist[b] * (double)b;
    double m = fmin((double)scale_max, (double)scale_min + offsets / (double)n);
    if (std_error) {
        double ss = 0.0;
        for (uint32_t b = 0; b < nbins; ++b) {
            double dev = (double)(scale_min + b) - m;
            ss += (double)hist[b] * dev * dev;
        }
        *std_error = sqrt(ss / (double)(n - 1) / (double)n);
    }
    *mean = m;
    return RTN_OK;
}

/* ---- support ---------------------------------------------------------------------------------- */

int rtn_handle_time_mean(const double *durations, size_t n, double *mean, size_t *bad_index)
{
    if (!mean || (!durations && n > 0))
        return RTN_EINVAL;
    if (n == 0)
        return RTN_EUNDEFINED;
    rtn__sum acc = {0.0, 0.0};
    for (size_t i = 0; i < n; ++i) {
        if (!rtn__nonneg(durations[i])) {
            if (bad_index)
                *bad_index = i;
            return RTN_EDOMAIN;
        }
        rtn__sum_add(&acc, durations[i]);
    }
    double total = rtn__sum_value(&acc);
    if (!isfinite(total)) {
        /* The sum passed DBL_MAX though the mean need not: sum again scaled by 2^-64 (exact for
         * values this large), divide, and scale back. */
        const double scale = 0x1p-64;
        rtn__sum scaled = {0.0, 0.0};
        for (size_t i = 0; i < n; ++i)
            rtn__sum_add(&scaled, durations[i] * scale);
        return rtn__result(rtn__sum_value(&scaled) / (double)n / scale, mean);
    }
    return rtn__result(total / (double)n, mean);
}
