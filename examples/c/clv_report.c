/* CLV family: formula lifetime value, discounted CLV, CAC payback and LTV:CAC.
 *
 *   clv_report [ARPA MARGIN CHURN DISCOUNT CAC]    (defaults: 100 0.8 0.03 0.01 1200)
 *
 * Build against an installed libretention:
 *   cc clv_report.c $(pkg-config --cflags --libs retention) -o clv_report */
#include <retention.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    double arpa = 100, margin = 0.8, churn = 0.03, discount = 0.01, cac = 1200;
    if (argc == 6) {
        arpa = atof(argv[1]);
        margin = atof(argv[2]);
        churn = atof(argv[3]);
        discount = atof(argv[4]);
        cac = atof(argv[5]);
    } else if (argc != 1) {
        fprintf(stderr, "usage: %s [ARPA MARGIN CHURN DISCOUNT CAC]\n", argv[0]);
        return 2;
    }
    double lifetime, clv, dclv, payback, ratio;
    int rc;
    if ((rc = rtn_churn_lifetime(churn, &lifetime)) != RTN_OK ||
        (rc = rtn_clv_simple(arpa, margin, churn, &clv)) != RTN_OK ||
        (rc = rtn_clv_discounted(arpa * margin, 1.0 - churn, discount, &dclv)) != RTN_OK ||
        (rc = rtn_clv_cac_payback(cac, arpa, margin, &payback)) != RTN_OK ||
        (rc = rtn_clv_ltv_cac(dclv, cac, &ratio)) != RTN_OK) {
        fprintf(stderr, "clv_report: %s\n", rtn_strerror(rc));
        return 1;
    }
    printf("libretention %s — lifetime value\n\n", rtn_version_string());
    printf("ARPA %.2f, gross margin %.0f%%, churn %.2f%%/period, discount %.2f%%/period, CAC %.2f\n",
           arpa, 100 * margin, 100 * churn, 100 * discount, cac);
    printf("expected lifetime     %8.1f periods\n", lifetime);
    printf("CLV (ARPA*m/churn)    %8.2f\n", clv);
    printf("CLV discounted        %8.2f   (m r / (1 + d - r))\n", dclv);
    printf("CAC payback           %8.1f periods\n", payback);
    printf("LTV:CAC               %8.2f   %s\n", ratio, ratio >= 3 ? "(healthy: >= 3)" : "(below 3)");
    return 0;
}
