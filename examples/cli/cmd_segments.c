/* retention segments: retention compared between segments (retention/segments.h) — each
 * segment's rate with its Wilson interval, its difference from a reference segment (Newcombe
 * interval), its relative lift (Katz log interval), the two-proportion z test, and Pearson's
 * chi-square test across all segments. Rows (segment, retained flag) stream in batches into the
 * library's tally; segments are the distinct texts of the column, in sorted order.
 *
 * retention economics: what a few more points of retention are worth (rtn_retention_economics()),
 * a formula command like those of cmd_formulas.c. */
#include <ctype.h>
#include <math.h>
#include <retention.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define BATCH 65536

/* The segments seen so far: labels by id (order of first appearance) and the ids in sorted order
 * of label, for binary search. */
typedef struct segment_set {
    char **label;
    uint32_t *sorted, last;
    size_t n;
} segment_set;

/* The id of a label, adding it when new; UINT32_MAX when it would be one too many. */
static uint32_t segment_of(segment_set *s, const char *label)
{
    if (s->n > 0 && strcmp(label, s->label[s->last]) == 0)
        return s->last; /* rows of a segment often come together */
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->label[s->sorted[mid]], label);
        if (c == 0)
            return s->last = s->sorted[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (s->n == RTN_SEGMENTS_MAX)
        return UINT32_MAX;
    uint32_t id = (uint32_t)s->n++;
    size_t len = strlen(label) + 1;
    s->label[id] = xmalloc(len);
    memcpy(s->label[id], label, len);
    memmove(s->sorted + lo + 1, s->sorted + lo, (id - lo) * sizeof *s->sorted);
    s->sorted[lo] = id;
    return s->last = id;
}

/* A retained flag: 1/0, true/false, yes/no (any case, surrounding blanks ignored); -1 else. */
static int parse_flag(const char *s)
{
    static const char *const yes[] = {"1", "true", "yes"}, *const no[] = {"0", "false", "no"};
    while (*s == ' ' || *s == '\t')
        ++s;
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        --len;
    char word[8];
    if (len >= sizeof word)
        return -1;
    for (size_t i = 0; i < len; ++i)
        word[i] = (char)tolower((unsigned char)s[i]);
    word[len] = '\0';
    for (int i = 0; i < 3; ++i) {
        if (strcmp(word, yes[i]) == 0)
            return 1;
        if (strcmp(word, no[i]) == 0)
            return 0;
    }
    return -1;
}

/* Streams the file into the tally k, n (indexed by segment id); returns the number of rows. */
static uint64_t load(const cli_command *cmd, const char *path, segment_set *s, uint64_t *k,
                     uint64_t *n)
{
    size_t scol, rcol = 0;
    if (!cli_has(cmd, "retained"))
        cli_usage_error(cmd, "--retained COLUMN is required");
    csv_reader *r = cli_open_column(cmd, path, "segment", &scol);
    cli_find_column(cmd, r, path, "retained", &rcol);
    int32_t *seg = xmalloc(BATCH * sizeof *seg);
    uint8_t *flag = xmalloc(BATCH);
    uint64_t rows = 0;
    int more = 1, unparsable = 0;
    size_t bad_col = 0;
    const char *why = NULL;
    while (more && !unparsable) {
        size_t m = 0;
        while (m < BATCH && (more = cli_next(r)) == 1) {
            int f = parse_flag(csv_field(r, rcol));
            if (f < 0) {
                bad_col = rcol;
                why = "is not a retained flag (1/0, true/false, yes/no)";
                unparsable = 1; /* reported after the rows before it are added */
                break;
            }
            uint32_t id = segment_of(s, csv_field(r, scol));
            if (id == UINT32_MAX) {
                bad_col = scol;
                why = "would be segment 65537: at most 65536 can be compared";
                unparsable = 1;
                break;
            }
            seg[m] = (int32_t)id;
            flag[m++] = (uint8_t)f;
        }
        if (m > 0) {
            int rc = rtn_segments_count(seg, flag, m, s->n, k, n, NULL);
            if (rc == RTN_EOVERFLOW)
                cli_fail("%s: a segment's count passes 2^64 - 1", path);
            if (rc != RTN_OK)
                cli_fail("%s: %s", path, rtn_strerror(rc));
        }
        rows += m;
    }
    if (unparsable)
        cli_bad_value(r, bad_col, why);
    free(seg);
    free(flag);
    csv_close(r);
    return rows;
}

int cmd_segments(const cli_command *cmd, const char **files)
{
    static const char *const fmts[] = {"csv", "json", NULL};
    const char *path = files[0];
    const char *format = cli_choice(cmd, "format", fmts);
    double confidence = cli_double(cmd, "confidence", 0.95);
    if (!(confidence > 0 && confidence < 1))
        cli_usage_error(cmd, "--confidence must be in (0, 1), e.g. 0.95");
    if (!cli_has(cmd, "segment"))
        cli_usage_error(cmd, "--segment COLUMN is required");

    segment_set s = {xmalloc(RTN_SEGMENTS_MAX * sizeof(char *)),
                     xmalloc(RTN_SEGMENTS_MAX * sizeof(uint32_t)), 0, 0};
    uint64_t *k_id = calloc(RTN_SEGMENTS_MAX, sizeof *k_id);
    uint64_t *n_id = calloc(RTN_SEGMENTS_MAX, sizeof *n_id);
    if (!k_id || !n_id)
        cli_fail("out of memory");
    uint64_t rows = load(cmd, path, &s, k_id, n_id);
    if (rows == 0)
        cli_fail("%s: no data rows (only a header): no segments to compare", path);

    /* the tally in sorted order of label, and the reference's place in it */
    size_t g = s.n, reference = 0;
    uint64_t *k = xmalloc(g * sizeof *k), *n = xmalloc(g * sizeof *n);
    const char *ref_label = cli_get(cmd, "reference");
    int found = ref_label == NULL;
    for (size_t i = 0; i < g; ++i) {
        k[i] = k_id[s.sorted[i]];
        n[i] = n_id[s.sorted[i]];
        if (ref_label && strcmp(s.label[s.sorted[i]], ref_label) == 0) {
            reference = i;
            found = 1;
        }
    }
    if (!found)
        cli_fail("%s: --reference '%s' is not a value of column '%s'", path, ref_label,
                 cli_get(cmd, "segment"));
    rtn_segment_row *row = xmalloc(g * sizeof *row);
    double chisq = NAN, p_value = NAN;
    int rc = rtn_segments_compare(k, n, g, reference, confidence, row, &chisq, &p_value);
    if (rc != RTN_OK)
        cli_fail("%s: comparing the segments: %s", path, rtn_strerror(rc));

    if (strcmp(format, "csv") == 0) {
        puts("segment,retained,n,rate,rate_low,rate_high,diff,diff_low,diff_high,lift,lift_low,"
             "lift_high,z,p_value");
        for (size_t i = 0; i < g; ++i) {
            const rtn_segment_row *w = &row[i];
            cli_csv_text(s.label[s.sorted[i]]);
            printf(",%llu,%llu,", (unsigned long long)w->retained, (unsigned long long)w->n);
            const double v[11] = {w->rate, w->rate_low, w->rate_high, w->diff, w->diff_low,
                                  w->diff_high, w->lift, w->lift_low, w->lift_high, w->z,
                                  w->p_value};
            for (int j = 0; j < 11; ++j) {
                cli_csv_number(v[j]);
                putchar(j < 10 ? ',' : '\n');
            }
        }
    } else {
        json_begin();
        json_double("chisq", chisq);
        json_u64("df", (uint64_t)(g - 1));
        json_double("p_value", p_value);
        json_string("reference", s.label[s.sorted[reference]]);
        json_double("confidence", confidence);
        fputs(", \"segments\": [", stdout);
        for (size_t i = 0; i < g; ++i) {
            const rtn_segment_row *w = &row[i];
            fputs(i ? ", " : "", stdout);
            json_begin();
            json_string("segment", s.label[s.sorted[i]]);
            json_u64("retained", w->retained);
            json_u64("n", w->n);
            json_double("rate", w->rate);
            json_double("rate_low", w->rate_low);
            json_double("rate_high", w->rate_high);
            json_double("diff", w->diff);
            json_double("diff_low", w->diff_low);
            json_double("diff_high", w->diff_high);
            json_double("lift", w->lift);
            json_double("lift_low", w->lift_low);
            json_double("lift_high", w->lift_high);
            json_double("z", w->z);
            json_double("p_value", w->p_value);
            putchar('}');
        }
        fputs("]", stdout);
        json_end();
    }
    for (size_t i = 0; i < s.n; ++i)
        free(s.label[i]);
    free(s.label);
    free(s.sorted);
    free(k_id);
    free(n_id);
    free(k);
    free(n);
    free(row);
    return 0;
}

/* ---- economics ---------------------------------------------------------------------------------- */

static double need_double(const cli_command *cmd, const char *name)
{
    if (!cli_has(cmd, name))
        cli_usage_error(cmd, "--%s is required", name);
    return cli_double(cmd, name, 0.0);
}

int cmd_economics(const cli_command *cmd, const char **files)
{
    (void)files;
    double margin = need_double(cmd, "margin");
    double retention = need_double(cmd, "retention");
    double points = need_double(cmd, "points");
    double discount = cli_double(cmd, "discount", 0.0);
    double cac = cli_double(cmd, "cac", 0.0);
    double size = cli_double(cmd, "cohort-size", 1.0);
    uint64_t horizon = cli_count(cmd, "horizon", 0);
    if (horizon > UINT32_MAX)
        cli_usage_error(cmd, "--horizon: at most %u periods (0 = no end)", (unsigned)UINT32_MAX);
    /* the ranges of segments.h, checked here so that the message names the option */
    if (margin < 0)
        cli_usage_error(cmd, "--margin must be >= 0");
    if (retention < 0 || retention > 1)
        cli_usage_error(cmd, "--retention must be in [0, 1]");
    if (retention + points < 0 || retention + points > 1)
        cli_usage_error(cmd, "--retention plus --points must be in [0, 1]");
    if (discount < 0)
        cli_usage_error(cmd, "--discount must be >= 0");
    if (cac < 0)
        cli_usage_error(cmd, "--cac must be >= 0");
    if (size < 0)
        cli_usage_error(cmd, "--cohort-size must be >= 0");
    rtn_retention_value v;
    int rc = rtn_retention_economics(margin, retention, points, discount, cac, size,
                                     (uint32_t)horizon, &v);
    if (rc == RTN_EUNDEFINED)
        cli_fail("%s: --retention plus --points is 1 with no --discount and no --horizon: the "
                 "lifetime value has no end", cmd->name);
    if (rc != RTN_OK)
        cli_fail("%s: %s", cmd->name, rtn_strerror(rc));
    json_begin();
    json_double("clv_before", v.clv_before);
    json_double("clv_after", v.clv_after);
    json_double("clv_change", v.clv_change);
    json_double("profit_before", v.profit_before);
    json_double("profit_after", v.profit_after);
    json_double("profit_change", v.profit_change);
    json_end();
    return 0;
}
