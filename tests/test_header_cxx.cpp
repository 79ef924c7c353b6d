// The public header compiled as C++ (extern "C", no C-only constructs), and called from C++.
#include <retention.h>

#include <cstdio>
#include <cstring>

int main()
{
    double rate = 0.0;
    if (rtn_churn_rate_start(1000, 100, &rate) != RTN_OK || rate != 0.1) {
        std::puts("rtn_churn_rate_start failed from C++");
        return 1;
    }
    if (std::strcmp(rtn_strerror(RTN_EUNDEFINED), "success") == 0)
        return 1;
    rtn_nps_interval_method m = RTN_NPS_ADJUSTED_WALD;
    double lo = 0.0, hi = 0.0;
    return rtn_nps_interval(50, 30, 20, m, 0.95, &lo, &hi) == RTN_OK && lo < hi ? 0 : 1;
}
