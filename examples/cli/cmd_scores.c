/* Survey commands: nps, csat, ces, aht. Each streams its column in batches into the library's
 * mergeable state (a histogram, or a running mean), so a file of any size runs in constant
 * memory; a value the library rejects is reported with its file, line and column. */
#include <math.h>
#include <retention.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define BATCH 65536

/* Counts a score column into hist on [lo, hi]; returns the number of responses. */
static uint64_t count_scores(const cli_command *cmd, const char *path, uint32_t lo, uint32_t hi,
                             uint64_t *hist)
{
    size_t column;
    csv_reader *r = cli_open_column(cmd, path, "score", &column);
    uint8_t *scores = malloc(BATCH);
    uint64_t *lines = malloc(BATCH * sizeof *lines);
    if (!scores || !lines)
        cli_fail("out of memory");
    uint64_t total = 0;
    int more = 1, unparsable = 0;
    while (more && !unparsable) {
        size_t n = 0;
        while (n < BATCH && (more = cli_next(r)) == 1) {
            if (cli_field_score(r, column, &scores[n]) != 0) {
                unparsable = 1; /* reported after the scores before it are checked */
                break;
            }
            lines[n++] = csv_line(r);
        }
        size_t bad = 0;
        int rc = rtn_scores_count(scores, n, lo, hi, hist, &bad);
        if (rc == RTN_EDOMAIN)
            cli_fail("%s:%llu:%zu: column '%s': %u is outside the scale %u-%u", path,
                     (unsigned long long)lines[bad], column + 1, cli_get(cmd, "score"),
                     scores[bad], lo, hi);
        if (rc != RTN_OK)
            cli_fail("%s: %s", path, rtn_strerror(rc));
        total += n;
    }
    if (unparsable)
        cli_bad_value(r, column, CLI_NOT_A_SCORE);
    free(scores);
    free(lines);
    csv_close(r);
    return total;
}

/* Fails with the library's message for a status that is not RTN_OK. */
static void check(int rc, const char *path, const char *what)
{
    if (rc != RTN_OK)
        cli_fail("%s: %s: %s", path, what, rtn_strerror(rc));
}

static const char *const formats[] = {"json", "svg", NULL};

int cmd_nps(const cli_command *cmd, const char **files)
{
    static const char *const methods[] = {"adjusted-wald", "wald", NULL};
    const char *method = cli_choice(cmd, "method", methods);
    const char *format = cli_choice(cmd, "format", formats);
    double confidence = cli_double(cmd, "confidence", 0.95);
    if (!(confidence > 0 && confidence < 1))
        cli_usage_error(cmd, "--confidence must be in (0, 1), e.g. 0.95");
    uint64_t hist[RTN_NPS_HIST_LEN] = {0};
    count_scores(cmd, files[0], 0, 10, hist);

    uint64_t p, a, d;
    double nps, se, lo, hi;
    check(rtn_nps_categories(hist, &p, &a, &d), files[0], "nps");
    check(rtn_nps_score(p, a, d, &nps, &se), files[0], "nps");
    int32_t m = strcmp(method, "wald") == 0 ? RTN_NPS_WALD : RTN_NPS_ADJUSTED_WALD;
    check(rtn_nps_interval(p, a, d, m, confidence, &lo, &hi), files[0], "nps interval");
    if (strcmp(format, "svg") == 0) {
        svg_nps(stdout, hist, nps, lo, hi, confidence, files[0]);
        return 0;
    }
    json_begin();
    json_u64("n", p + a + d);
    json_u64("promoters", p);
    json_u64("passives", a);
    json_u64("detractors", d);
    json_double("nps", nps);
    json_double("se", se);
    json_double("ci_low", lo);
    json_double("ci_high", hi);
    json_double("confidence", confidence);
    json_string("method", method);
    json_end();
    return 0;
}

int cmd_csat(const cli_command *cmd, const char **files)
{
    uint32_t lo = 1, hi = 5;
    cli_scale(cmd, "scale", &lo, &hi);
    uint64_t satisfied_min = cli_count(cmd, "satisfied-min", hi - 1);
    if (satisfied_min < lo || satisfied_min > hi)
        cli_usage_error(cmd, "--satisfied-min must be on the scale %u-%u", lo, hi);
    double confidence = cli_double(cmd, "confidence", 0.95);
    if (!(confidence > 0 && confidence < 1))
        cli_usage_error(cmd, "--confidence must be in (0, 1), e.g. 0.95");
    uint64_t hist[256] = {0};
    uint64_t n = count_scores(cmd, files[0], lo, hi, hist);
    double csat, se, ci_lo, ci_hi;
    check(rtn_csat_score(hist, lo, hi, (uint32_t)satisfied_min, &csat, &se), files[0], "csat");
    check(rtn_csat_interval(hist, lo, hi, (uint32_t)satisfied_min, confidence, &ci_lo, &ci_hi),
          files[0], "csat interval");
    uint64_t satisfied = 0;
    for (uint64_t v = satisfied_min; v <= hi; ++v)
        satisfied += hist[v - lo];
    json_begin();
    json_u64("n", n);
    json_u64("satisfied", satisfied);
    json_double("csat", csat);
    json_double("se", se);
    json_double("ci_low", ci_lo);
    json_double("ci_high", ci_hi);
    json_double("confidence", confidence);
    json_end();
    return 0;
}

int cmd_ces(const cli_command *cmd, const char **files)
{
    uint32_t lo = 1, hi = 7;
    cli_scale(cmd, "scale", &lo, &hi);
    uint64_t hist[256] = {0};
    uint64_t n = count_scores(cmd, files[0], lo, hi, hist);
    double mean, se = NAN;
    /* the standard error needs two responses; with one, report the mean and a null se */
    check(rtn_ces_score(hist, lo, hi, &mean, n >= 2 ? &se : NULL), files[0], "ces");
    json_begin();
    json_u64("n", n);
    json_double("mean", mean);
    json_double("se", se);
    json_end();
    return 0;
}

int cmd_aht(const cli_command *cmd, const char **files)
{
    size_t column;
    csv_reader *r = cli_open_column(cmd, files[0], "duration", &column);
    double *batch = malloc(BATCH * sizeof *batch);
    uint64_t *lines = malloc(BATCH * sizeof *lines);
    if (!batch || !lines)
        cli_fail("out of memory");
    /* mean of all = Σ (batch mean × batch size) / n, the sum compensated (Neumaier) */
    double sum = 0.0, comp = 0.0;
    uint64_t total = 0;
    int more = 1, unparsable = 0;
    while (more && !unparsable) {
        size_t n = 0;
        while (n < BATCH && (more = cli_next(r)) == 1) {
            if (cli_field_double(r, column, &batch[n]) != 0) {
                unparsable = 1; /* reported after the durations before it are checked */
                break;
            }
            lines[n++] = csv_line(r);
        }
        if (n == 0)
            break;
        double mean;
        size_t bad = 0;
        int rc = rtn_handle_time_mean(batch, n, &mean, &bad);
        if (rc == RTN_EDOMAIN)
            cli_fail("%s:%llu:%zu: column '%s': a duration must be >= 0", files[0],
                     (unsigned long long)lines[bad], column + 1, cli_get(cmd, "duration"));
        check(rc, files[0], "aht");
        double term = mean * (double)n, t = sum + term;
        comp += fabs(sum) >= fabs(term) ? (sum - t) + term : (term - t) + sum;
        sum = t;
        total += n;
    }
    if (unparsable)
        cli_bad_value(r, column, CLI_NOT_A_NUMBER);
    free(batch);
    free(lines);
    csv_close(r);
    if (total == 0)
        cli_fail("%s: no rows: the mean of nothing is undefined", files[0]);
    json_begin();
    json_u64("n", total);
    json_double("mean", (sum + comp) / (double)total);
    json_end();
    return 0;
}
