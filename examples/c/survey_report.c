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

/* The survey as columns, the shape every libretention function takes. */
typedef struct survey {
    size_t n;
    uint8_t *nps, *csat, *ces, *is_chat;
    double *seconds;
} survey;

static int fail(const char *path, const char *what, int rc, size_t bad_row)
{
    if (rc == RTN_EDOMAIN)
        fprintf(stderr, "%s line %zu: %s: %s\n", path, bad_row + 2, what, rtn_strerror(rc));
    else
        fprintf(stderr, "%s: %s: %s\n", path, what, rtn_strerror(rc));
    return 1;
}

static int report(const char *path, const survey *s)
{
    /* NPS per channel, each counted on its own (as two machines would), then merged by adding */
    uint64_t chat[RTN_NPS_HIST_LEN] = {0}, email[RTN_NPS_HIST_LEN] = {0};
    size_t bad = 0;
    int rc;
    for (size_t r = 0; r < s->n; ++r)
        if ((rc = rtn_nps_count(&s->nps[r], 1, s->is_chat[r] ? chat : email, NULL)) != RTN_OK)
            return fail(path, "nps", rc, r);
    uint64_t hist[RTN_NPS_HIST_LEN] = {0};
    if ((rc = rtn_nps_count(s->nps, s->n, hist, &bad)) != RTN_OK)
        return fail(path, "nps", rc, bad);
    for (int v = 0; v < RTN_NPS_HIST_LEN; ++v)
        if (hist[v] != chat[v] + email[v])
            return fail(path, "merged histograms differ", RTN_EINVAL, 0);

    uint64_t p, a, d;
    double score, se, lo, hi;
    if ((rc = rtn_nps_categories(hist, &p, &a, &d)) != RTN_OK ||
        (rc = rtn_nps_score(p, a, d, &score, &se)) != RTN_OK ||
        (rc = rtn_nps_interval(p, a, d, RTN_NPS_ADJUSTED_WALD, 0.95, &lo, &hi)) != RTN_OK)
        return fail(path, "nps", rc, 0);
    printf("libretention %s — survey report for %s (%zu responses)\n\n", rtn_version_string(),
           path, s->n);
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
        return fail(path, "channels", rc, 0);
    printf("      chat %+.1f vs email %+.1f: z = %.2f, p = %.4f (%s at 5%%)\n", nps_chat,
           nps_email, z, pval, pval < 0.05 ? "a real difference" : "not significant");

    uint64_t h5[5] = {0}, h7[7] = {0};
    if ((rc = rtn_scores_count(s->csat, s->n, 1, 5, h5, &bad)) != RTN_OK)
        return fail(path, "csat (1-5)", rc, bad);
    if ((rc = rtn_csat_score(h5, 1, 5, 4, &score, NULL)) != RTN_OK ||
        (rc = rtn_csat_interval(h5, 1, 5, 4, 0.95, &lo, &hi)) != RTN_OK)
        return fail(path, "csat", rc, 0);
    printf("CSAT  %.1f%% satisfied (4-5 of 5; 95%% Wilson CI %.1f%% to %.1f%%)\n", 100 * score,
           100 * lo, 100 * hi);
    if ((rc = rtn_scores_count(s->ces, s->n, 1, 7, h7, &bad)) != RTN_OK)
        return fail(path, "ces (1-7)", rc, bad);
    if ((rc = rtn_ces_score(h7, 1, 7, &score, &se)) != RTN_OK)
        return fail(path, "ces", rc, 0);
    printf("CES   %.2f of 7 (SE %.2f)\n", score, se);
    if ((rc = rtn_handle_time_mean(s->seconds, s->n, &score, &bad)) != RTN_OK)
        return fail(path, "handle_seconds", rc, bad);
    printf("AHT   %.1f s per contact\n", score);
    return 0;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "examples/data/survey.csv";
    csv_table t;
    if (csv_read(path, &t) != 0)
        return 1;
    survey s = {t.rows, NULL, NULL, NULL, NULL, NULL};
    size_t cap = s.n ? s.n : 1;
    s.nps = malloc(cap);
    s.csat = malloc(cap);
    s.ces = malloc(cap);
    s.is_chat = malloc(cap);
    s.seconds = malloc(cap * sizeof *s.seconds);
    int status = 1;
    if (s.nps && s.csat && s.ces && s.is_chat && s.seconds) {
        for (size_t r = 0; r < s.n; ++r) {
            s.nps[r] = csv_score(&t, r, "nps");
            s.csat[r] = csv_score(&t, r, "csat");
            s.ces[r] = csv_score(&t, r, "ces");
            s.seconds[r] = csv_number(&t, r, "handle_seconds");
            s.is_chat[r] = csv_text(&t, r, "channel")[0] == 'c';
        }
        status = report(path, &s);
    }
    free(s.nps);
    free(s.csat);
    free(s.ces);
    free(s.is_chat);
    free(s.seconds);
    csv_free(&t);
    return status;
}
