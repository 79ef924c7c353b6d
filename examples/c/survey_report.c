/* Scores family: NPS with its confidence interval and a two-channel comparison, CSAT, CES and
 * average handle time, from survey responses (examples/data/survey.csv). It also shows the
 * mergeable state: histograms counted on separate parts of the data add up to the whole.
 *
 *   survey_report [survey.csv]
 *
 * Build against an installed libretention:
 *   cc survey_report.c $(pkg-config --cflags --libs retention) -o survey_report */
#include <retention.h>
#include <stdint.h>

#include "example_csv.h"

static int fail(const char *what, int rc)
{
    fprintf(stderr, "%s: %s\n", what, rtn_strerror(rc));
    return 1;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "examples/data/survey.csv";
    csv_table t;
    if (csv_read(path, &t) != 0)
        return 1;
    size_t n = t.rows;
    uint8_t *nps = malloc(n ? n : 1), *csat = malloc(n ? n : 1), *ces = malloc(n ? n : 1);
    double *seconds = malloc((n ? n : 1) * sizeof *seconds);
    if (!nps || !csat || !ces || !seconds)
        return 1;
    /* per channel NPS histograms, counted response by response as a stream would */
    uint64_t chat[RTN_NPS_HIST_LEN] = {0}, email[RTN_NPS_HIST_LEN] = {0};
    for (size_t r = 0; r < n; ++r) {
        double s = csv_number(&t, r, "nps");
        /* a value outside 0..255 cannot be a score: map it to 255 so the library rejects it */
        nps[r] = (uint8_t)(s >= 0 && s <= 255 ? s : 255);
        csat[r] = (uint8_t)csv_number(&t, r, "csat");
        ces[r] = (uint8_t)csv_number(&t, r, "ces");
        seconds[r] = csv_number(&t, r, "handle_seconds");
        size_t bad;
        int rc = rtn_nps_count(&nps[r], 1,
                               csv_text(&t, r, "channel")[0] == 'c' ? chat : email, &bad);
        if (rc != RTN_OK) {
            fprintf(stderr, "%s line %zu: ", path, r + 2);
            return fail("nps", rc);
        }
    }

    /* all responses at once; the per-channel histograms must add up to it */
    uint64_t hist[RTN_NPS_HIST_LEN] = {0};
    size_t bad = 0;
    int rc = rtn_nps_count(nps, n, hist, &bad);
    if (rc != RTN_OK)
        return fail("nps", rc);
    for (int v = 0; v < RTN_NPS_HIST_LEN; ++v)
        if (hist[v] != chat[v] + email[v])
            return fail("merge", RTN_EINVAL);

    uint64_t p, a, d;
    double score, se, lo, hi;
    if ((rc = rtn_nps_categories(hist, &p, &a, &d)) != RTN_OK ||
        (rc = rtn_nps_score(p, a, d, &score, &se)) != RTN_OK ||
        (rc = rtn_nps_interval(p, a, d, RTN_NPS_ADJUSTED_WALD, 0.95, &lo, &hi)) != RTN_OK)
        return fail("nps", rc);
    printf("libretention %s — survey report for %s (%zu responses)\n\n", rtn_version_string(),
           path, n);
    printf("NPS   %+.1f (SE %.1f, 95%% adjusted-Wald CI %+.1f to %+.1f); "
           "%llu promoters, %llu passives, %llu detractors\n",
           score, se, lo, hi, (unsigned long long)p, (unsigned long long)a,
           (unsigned long long)d);

    uint64_t pc, ac, dc, pe, ae, de;
    double nps_chat, nps_email, z, pval;
    if ((rc = rtn_nps_categories(chat, &pc, &ac, &dc)) != RTN_OK ||
        (rc = rtn_nps_categories(email, &pe, &ae, &de)) != RTN_OK ||
        (rc = rtn_nps_score(pc, ac, dc, &nps_chat, NULL)) != RTN_OK ||
        (rc = rtn_nps_score(pe, ae, de, &nps_email, NULL)) != RTN_OK ||
        (rc = rtn_nps_ztest(pc, ac, dc, pe, ae, de, &z, &pval)) != RTN_OK)
        return fail("channels", rc);
    printf("      chat %+.1f vs email %+.1f: z = %.2f, p = %.4f (%s at 5%%)\n", nps_chat,
           nps_email, z, pval, pval < 0.05 ? "a real difference" : "not significant");

    uint64_t h5[5] = {0}, h7[7] = {0};
    if ((rc = rtn_scores_count(csat, n, 1, 5, h5, &bad)) != RTN_OK ||
        (rc = rtn_csat_score(h5, 1, 5, 4, &score, NULL)) != RTN_OK ||
        (rc = rtn_csat_interval(h5, 1, 5, 4, 0.95, &lo, &hi)) != RTN_OK) {
        if (rc == RTN_EDOMAIN)
            fprintf(stderr, "%s line %zu: csat outside 1-5\n", path, bad + 2);
        return fail("csat", rc);
    }
    printf("CSAT  %.1f%% satisfied (4-5 of 5; 95%% Wilson CI %.1f%% to %.1f%%)\n", 100 * score,
           100 * lo, 100 * hi);
    if ((rc = rtn_scores_count(ces, n, 1, 7, h7, &bad)) != RTN_OK ||
        (rc = rtn_ces_score(h7, 1, 7, &score, &se)) != RTN_OK)
        return fail("ces", rc);
    printf("CES   %.2f of 7 (SE %.2f)\n", score, se);
    if ((rc = rtn_handle_time_mean(seconds, n, &score, &bad)) != RTN_OK)
        return fail("handle time", rc);
    printf("AHT   %.1f s per contact\n", score);

    free(nps);
    free(csat);
    free(ces);
    free(seconds);
    csv_free(&t);
    return 0;
}
