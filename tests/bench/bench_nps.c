/* NPS benchmark: the whole job numpy_nps.py does (read nps.u8, count, NPS and SE), timed as
 * kernel time (counting only, median of R repetitions on data in memory) and reported with the
 * same one-line summary as ../shared/peers/numpy_nps.py, so the two can be compared exactly.
 *
 *   bench_nps DATA_DIR [REPEATS]      reads DATA_DIR/nps.u8 (gen_events.py --responses N)
 *
 * Output: the summary line, then "kernel: median S s over R runs, X GB/s (Y M scores/s)". */
#define _POSIX_C_SOURCE 199309L
#include <retention.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DATA_DIR [REPEATS]\n", argv[0]);
        return 2;
    }
    int repeats = argc > 2 ? atoi(argv[2]) : 5;
    if (repeats < 1 || repeats > 1000)
        repeats = 5;
    char path[4096];
    snprintf(path, sizeof path, "%s/nps.u8", argv[1]);
    FILE *f = fopen(path, "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0) {
        fprintf(stderr, "%s: cannot open\n", path);
        return 1;
    }
    long size = ftell(f);
    rewind(f);
    size_t n = size > 0 ? (size_t)size : 0;
    uint8_t *scores = malloc(n ? n : 1);
    if (!scores || fread(scores, 1, n, f) != n) {
        fprintf(stderr, "%s: cannot read\n", path);
        return 1;
    }
    fclose(f);

    uint64_t hist[RTN_NPS_HIST_LEN];
    double *times = malloc((size_t)repeats * sizeof *times);
    if (!times)
        return 1;
    for (int r = 0; r < repeats; ++r) {
        memset(hist, 0, sizeof hist);
        size_t bad = 0;
        double t0 = now();
        int rc = rtn_nps_count(scores, n, hist, &bad);
        times[r] = now() - t0;
        if (rc != RTN_OK) {
            fprintf(stderr, "%s: score at index %zu: %s\n", path, bad, rtn_strerror(rc));
            return 1;
        }
    }
    uint64_t p, a, d;
    double nps, se;
    int rc = rtn_nps_categories(hist, &p, &a, &d);
    if (rc == RTN_OK)
        rc = rtn_nps_score(p, a, d, &nps, &se);
    if (rc != RTN_OK) {
        fprintf(stderr, "%s\n", rtn_strerror(rc));
        return 1;
    }
    printf("n=%zu promoters=%llu passives=%llu detractors=%llu nps=%.12g se=%.12g invalid=0\n", n,
           (unsigned long long)p, (unsigned long long)a, (unsigned long long)d, nps, se);
    double med = median(times, repeats);
    printf("kernel: median %.6f s over %d runs, %.2f GB/s (%.0f M scores/s)\n", med, repeats,
           (double)n / med / 1e9, (double)n / med / 1e6);
    free(times);
    free(scores);
    return 0;
}
