/* Consumer of an installed libretention: checks that the header it compiled against and the
 * library it runs with agree, and computes one number. */
#include <retention.h>
#include <stdio.h>

int main(void)
{
    if (rtn_version_number() / 10000 != RTN_VERSION_MAJOR ||
        rtn_version_number() < RTN_VERSION_NUMBER) {
        fprintf(stderr, "header %s but library %s\n", RTN_VERSION_STRING, rtn_version_string());
        return 1;
    }
    double churn = 0.0;
    int rc = rtn_churn_rate_start(1000, 100, &churn);
    if (rc != RTN_OK) {
        fprintf(stderr, "%s\n", rtn_strerror(rc));
        return 1;
    }
    printf("libretention %s: churn %.1f%%\n", rtn_version_string(), 100.0 * churn);
    return churn == 0.1 ? 0 : 1;
}
