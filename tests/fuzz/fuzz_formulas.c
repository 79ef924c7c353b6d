/* Fuzz target: every scalar formula with arbitrary counts and doubles (NaN, infinities,
 * extremes). Invariants: a success gives a finite result within the documented range; a failure
 * leaves the output exactly as it was. */
#include "fuzz.h"

#define UNTOUCHED (-4242.0)

/* success → finite and in [lo, hi]; failure → untouched and a known code */
static void check(int rc, double out, double lo, double hi)
{
    if (rc == RTN_OK) {
        FUZZ_CHECK(isfinite(out) && out >= lo && out <= hi);
    } else {
        FUZZ_CHECK(out == UNTOUCHED);
        FUZZ_CHECK(rc == RTN_EDOMAIN || rc == RTN_EUNDEFINED || rc == RTN_EOVERFLOW ||
                   rc == RTN_EINVAL);
    }
}

/* Calls first, then reads `out`: as arguments of one call their order would be unspecified. */
#define ONE(call, lo, hi)                                                                          \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        check(rc_, out, lo, hi);                                                                   \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    while (in.left > 0) {
        uint8_t which = fuzz_byte(&in) % 20;
        uint64_t a = fuzz_u64(&in), b = fuzz_u64(&in), c = fuzz_u64(&in);
        double x = fuzz_double(&in), y = fuzz_double(&in), z = fuzz_double(&in);
        double w = fuzz_double(&in), v = fuzz_double(&in);
        double out = UNTOUCHED, out2 = UNTOUCHED;
        switch (which) {
        case 0: ONE(rtn_retention_rate(a, b, c, &out), 0, 1); break;
        case 1: ONE(rtn_churn_rate_start(a, b, &out), 0, 1); break;
        case 2: ONE(rtn_churn_rate_average(a, b, c, &out), 0, INFINITY); break;
        case 3: ONE(rtn_churn_rate_customer_days(a, x, y, &out), 0, INFINITY); break;
        case 4: ONE(rtn_churn_rate_convert(x, y, &out), 0, 1); break;
        case 5: ONE(rtn_churn_lifetime(x, &out), 1, INFINITY); break;
        case 6: {
            int rc = rtn_rate_wilson_interval(a, b, x, &out, &out2);
            check(rc, out, 0, 1);
            check(rc, out2, 0, 1);
            if (rc == RTN_OK)
                FUZZ_CHECK(out <= (double)a / (double)b && (double)a / (double)b <= out2);
            break;
        }
        case 7: ONE(rtn_revenue_churn_gross(x, y, z, &out), 0, 1); break;
        case 8: ONE(rtn_revenue_churn_net(x, y, z, w, v, &out), -INFINITY, 1); break;
        case 9: ONE(rtn_revenue_nrr(x, y, z, w, &out), 0, INFINITY); break;
        case 10: ONE(rtn_revenue_grr(x, y, z, &out), 0, 1); break;
        case 11: ONE(rtn_revenue_quick_ratio(x, y, z, w, &out), 0, INFINITY); break;
        case 12: ONE(rtn_revenue_arpa(x, a, &out), 0, INFINITY); break;
        case 13: ONE(rtn_clv_simple(x, y, z, &out), 0, INFINITY); break;
        case 14: ONE(rtn_clv_discounted(x, y, z, &out), 0, INFINITY); break;
        case 15: ONE(rtn_clv_cac_payback(x, y, z, &out), 0, INFINITY); break;
        case 16: ONE(rtn_clv_ltv_cac(x, y, &out), -INFINITY, INFINITY); break;
        case 17: {
            double out3 = UNTOUCHED;
            int rc = rtn_nps_shares(a, b, c, &out, &out2, &out3);
            check(rc, out, 0, 1);
            check(rc, out2, 0, 1);
            check(rc, out3, 0, 1);
            break;
        }
        case 18: {
            double buf[2] = {x, y};
            size_t bad = 99;
            int rc = rtn_handle_time_mean(buf, 2, &out, &bad);
            check(rc, out, 0, INFINITY);
            if (rc == RTN_EDOMAIN)
                FUZZ_CHECK(bad < 2);
            break;
        }
        default:
            ONE(rtn_nps_score(a, b, c, &out, &out2), -100, 100);
            break;
        }
    }
    return 0;
}
