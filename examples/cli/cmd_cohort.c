/* retention cohort: a cohort retention table from an event log (customer, time[, amount]),
 * streamed in batches into a cohort builder (events.c; the builder merges a customer's events
 * across batches), printed as CSV (cohort,size,p0,p1,… with empty censored cells), JSON, or an SVG heat-map. */
#include <math.h>
#include <retention.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "timeparse.h"

static int32_t period_option(const cli_command *cmd, int64_t *seconds)
{
    const char *p = cli_get(cmd, "period");
    if (!p || strcmp(p, "month") == 0)
        return RTN_PERIOD_MONTH;
    if (strcmp(p, "day") == 0)
        return RTN_PERIOD_DAY;
    if (strcmp(p, "week") == 0)
        return RTN_PERIOD_WEEK;
    if (strcmp(p, "quarter") == 0)
        return RTN_PERIOD_QUARTER;
    char *end;
    long long s = strtoll(p, &end, 10);
    if (end == p || *end != '\0' || s < 1)
        cli_usage_error(cmd, "--period: '%s' is not day, week, month, quarter or a number of "
                             "seconds", p);
    *seconds = s;
    return RTN_PERIOD_SECONDS;
}

static void set(const cli_command *cmd, rtn_cohort_builder *b, int32_t param, int64_t value,
                const char *option)
{
    if (rtn_cohort_builder_set(b, param, value) != RTN_OK)
        cli_usage_error(cmd, "--%s: value out of range", option);
}

typedef struct table_out {
    size_t rows, cols;
    int64_t *start;
    uint64_t *size, *active, *weight;
    double *retention, *revenue, *average;
    uint8_t *status;
} table_out;

static void read_table(const rtn_cohort_table *t, table_out *o)
{
    rtn_cohort_table_dims(t, &o->rows, &o->cols);
    size_t cells = o->rows * o->cols + 1;
    o->start = malloc((o->rows + 1) * sizeof *o->start);
    o->size = malloc((o->rows + 1) * sizeof *o->size);
    o->active = malloc(cells * sizeof *o->active);
    o->retention = malloc(cells * sizeof *o->retention);
    o->revenue = malloc(cells * sizeof *o->revenue);
    o->status = malloc(cells);
    o->average = malloc((o->cols + 1) * sizeof *o->average);
    o->weight = malloc((o->cols + 1) * sizeof *o->weight);
    if (!o->start || !o->size || !o->active || !o->retention || !o->revenue || !o->status ||
        !o->average || !o->weight)
        cli_fail("out of memory");
    if (rtn_cohort_table_cohorts(t, NULL, o->start, o->size, o->rows) != RTN_OK ||
        rtn_cohort_table_active(t, o->active, cells) != RTN_OK ||
        rtn_cohort_table_retention(t, o->retention, cells) != RTN_OK ||
        rtn_cohort_table_revenue(t, o->revenue, cells) != RTN_OK ||
        rtn_cohort_table_status(t, o->status, cells) != RTN_OK ||
        rtn_cohort_table_average(t, o->average, o->weight, o->cols) != RTN_OK)
        cli_fail("reading the table failed");
}

static void print_csv(const table_out *o, int32_t offset)
{
    fputs("cohort,size", stdout);
    for (size_t k = 0; k < o->cols; ++k)
        printf(",p%zu", k);
    putchar('\n');
    for (size_t r = 0; r < o->rows; ++r) {
        char date[32], num[32];
        format_time(o->start[r], offset, date, sizeof date);
        printf("%s,%llu", date, (unsigned long long)o->size[r]);
        for (size_t k = 0; k < o->cols; ++k) {
            double v = o->retention[r * o->cols + k];
            if (isnan(v)) {
                fputs(",", stdout);
            } else {
                format_double(num, sizeof num, v);
                printf(",%s", num);
            }
        }
        putchar('\n');
    }
}

static void json_array_double(const char *key, const double *v, size_t n, int last)
{
    char num[32];
    printf("\"%s\": [", key);
    for (size_t i = 0; i < n; ++i) {
        if (isnan(v[i]))
            fputs("null", stdout);
        else {
            format_double(num, sizeof num, v[i]);
            fputs(num, stdout);
        }
        fputs(i + 1 < n ? ", " : "", stdout);
    }
    printf("]%s", last ? "" : ", ");
}

static void json_array_u64(const char *key, const uint64_t *v, size_t n, int last)
{
    printf("\"%s\": [", key);
    for (size_t i = 0; i < n; ++i)
        printf("%llu%s", (unsigned long long)v[i], i + 1 < n ? ", " : "");
    printf("]%s", last ? "" : ", ");
}

static void print_json(const table_out *o, int32_t offset, const char *kind, int has_revenue)
{
    static const char *const names[] = {"complete", "partial", "censored"};
    printf("{\"kind\": \"%s\", \"cohorts\": [", kind);
    for (size_t r = 0; r < o->rows; ++r) {
        char date[32];
        format_time(o->start[r], offset, date, sizeof date);
        printf("%s{\"cohort\": \"%s\", \"size\": %llu, ", r ? ", " : "", date,
               (unsigned long long)o->size[r]);
        json_array_u64("active", o->active + r * o->cols, o->cols, 0);
        json_array_double("retention", o->retention + r * o->cols, o->cols, 0);
        if (has_revenue)
            json_array_double("revenue", o->revenue + r * o->cols, o->cols, 0);
        fputs("\"status\": [", stdout);
        for (size_t k = 0; k < o->cols; ++k)
            printf("\"%s\"%s", names[o->status[r * o->cols + k]], k + 1 < o->cols ? ", " : "");
        fputs("]}", stdout);
    }
    fputs("], ", stdout);
    json_array_double("average", o->average, o->cols, 0);
    json_array_u64("average_weight", o->weight, o->cols, 1);
    fputs("}\n", stdout);
}

/* The heat-map: one row per cohort, one column per period; blue by retention, hatched grey where
 * censored, a dot where partial. */
static void print_svg(const table_out *o, int32_t offset, const char *title)
{
    const int cell = 38, left = 150, top = 70, right = 20, bottom = 40;
    size_t cols = o->cols < 60 ? o->cols : 60;
    int width = left + (int)cols * cell + right, height = top + (int)o->rows * 22 + bottom;
    printf("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d "
           "%d\" font-family=\"Helvetica, Arial, sans-serif\">\n<rect width=\"%d\" height=\"%d\" "
           "fill=\"#ffffff\"/>\n",
           width, height, width, height, width, height);
    printf("<defs><pattern id=\"censored\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">"
           "<path d=\"M0,6 L6,0\" stroke=\"#cccccc\"/></pattern></defs>\n");
    printf("<text x=\"10\" y=\"26\" font-size=\"18\" font-weight=\"bold\">Cohort retention</text>\n"
           "<text x=\"10\" y=\"46\" font-size=\"12\" fill=\"#555555\">");
    for (const char *p = title; *p; ++p)
        fputs(*p == '<' ? "&lt;" : *p == '&' ? "&amp;" : (char[2]){*p, 0}, stdout);
    fputs(" — hatched: not yet observable (censored); dot: period still open</text>\n", stdout);
    for (size_t k = 0; k < cols; ++k)
        printf("<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%zu</text>\n",
               left + (int)k * cell + cell / 2, top - 6, k);
    for (size_t r = 0; r < o->rows; ++r) {
        char date[32];
        format_time(o->start[r], offset, date, sizeof date);
        int y = top + (int)r * 22;
        printf("<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s (%llu)</text>\n",
               left - 6, y + 15, date, (unsigned long long)o->size[r]);
        for (size_t k = 0; k < cols; ++k) {
            size_t i = r * o->cols + k;
            int x = left + (int)k * cell;
            if (o->status[i] == RTN_CELL_CENSORED) {
                printf("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"21\" fill=\"url(#censored)\"/>\n",
                       x, y, cell - 1);
                continue;
            }
            double v = o->retention[i];
            /* white (0 %) to deep blue (100 %) */
            int red = (int)lround(255 - 222 * v), green = (int)lround(255 - 153 * v);
            printf("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"21\" fill=\"rgb(%d,%d,%d)\">"
                   "<title>%s period %zu: %.1f%% (%llu of %llu)</title></rect>\n",
                   x, y, cell - 1, red, green, 255 - (int)lround(75 * v), date, k, 100 * v,
                   (unsigned long long)o->active[i], (unsigned long long)o->size[r]);
            printf("<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\" fill=\"%s\">"
                   "%.0f%s</text>\n",
                   x + cell / 2, y + 14, v > 0.55 ? "#ffffff" : "#222222", 100 * v,
                   o->status[i] == RTN_CELL_PARTIAL ? "·" : "");
        }
    }
    puts("</svg>");
}

/* Two builders agree on a calendar setting (for the unit: on the period length too). */
static int same_setting(const rtn_cohort_builder *a, const rtn_cohort_builder *b, int32_t param)
{
    int64_t x = 0, y = 0;
    rtn_cohort_builder_get(a, param, &x);
    rtn_cohort_builder_get(b, param, &y);
    if (x != y)
        return 0;
    if (param == RTN_COHORT_PERIOD_UNIT && x == RTN_PERIOD_SECONDS)
        return same_setting(a, b, RTN_COHORT_PERIOD_SECONDS);
    return 1;
}

/* --state A,B,...: each saved builder merged into b. A state brings its calendar (period and
 * UTC offset) to a b without events; one given explicitly must agree with it. */
typedef struct merging {
    const cli_command *cmd;
    rtn_cohort_builder *b;
} merging;

static void merge_state(const char *path, const uint8_t *bytes, size_t len, void *ctx)
{
    const merging *m = ctx;
    rtn_cohort_builder *s = NULL;
    int rc = rtn_cohort_builder_deserialize(&s, bytes, len, NULL);
    if (rc != RTN_OK)
        cli_state_failed(path, "cohort", rc);
    if (cli_has(m->cmd, "period") && !same_setting(m->b, s, RTN_COHORT_PERIOD_UNIT))
        cli_fail("%s: saved with another --period than this run's", path);
    if (cli_has(m->cmd, "utc-offset") && !same_setting(m->b, s, RTN_COHORT_UTC_OFFSET_MINUTES))
        cli_fail("%s: saved with another --utc-offset than this run's", path);
    rc = rtn_cohort_builder_merge(m->b, s);
    rtn_cohort_builder_free(s);
    if (rc == RTN_EINVAL)
        cli_fail("%s: its period or UTC offset differs from the other input's", path);
    if (rc != RTN_OK)
        cli_fail("%s: %s", path, rtn_strerror(rc));
}

static int serialize(const void *b, uint8_t *buf, size_t cap, size_t *len)
{
    return rtn_cohort_builder_serialize((const rtn_cohort_builder *)b, buf, cap, len);
}

int cmd_cohort(const cli_command *cmd, const char **files)
{
    static const char *const kinds[] = {"on", "on-or-after", NULL};
    static const char *const fmts[] = {"csv", "json", "svg", NULL};
    const char *kind = cli_choice(cmd, "kind", kinds);
    const char *format = cli_choice(cmd, "format", fmts);
    int64_t seconds = 86400;
    int32_t unit = period_option(cmd, &seconds);
    int64_t offset = cli_has(cmd, "utc-offset") ? (int64_t)cli_double(cmd, "utc-offset", 0) : 0;

    rtn_cohort_builder *b = NULL;
    if (rtn_cohort_builder_create(&b, NULL) != RTN_OK)
        cli_fail("out of memory");
    set(cmd, b, RTN_COHORT_PERIOD_UNIT, unit, "period");
    if (unit == RTN_PERIOD_SECONDS)
        set(cmd, b, RTN_COHORT_PERIOD_SECONDS, seconds, "period");
    set(cmd, b, RTN_COHORT_UTC_OFFSET_MINUTES, offset, "utc-offset");
    set(cmd, b, RTN_COHORT_KIND,
        strcmp(kind, "on") == 0 ? RTN_COHORT_RETURN_ON : RTN_COHORT_RETURN_ON_OR_AFTER, "kind");
    if (cli_has(cmd, "max-periods"))
        set(cmd, b, RTN_COHORT_MAX_PERIODS, (int64_t)cli_count(cmd, "max-periods", 0),
            "max-periods");
    if (cli_has(cmd, "observation-end")) {
        int64_t end;
        const char *why;
        if (parse_time(cli_get(cmd, "observation-end"), &end, &why) != 0)
            cli_usage_error(cmd, "--observation-end: %s", why);
        set(cmd, b, RTN_COHORT_OBSERVATION_END, end, "observation-end");
    }
    /* saved states number customers alike in every run (cli_text_id); otherwise the dense
     * numbers of interning, which keep the library's sort fastest */
    int saving = cli_has(cmd, "state") || cli_has(cmd, "save-state");
    if (files[0]) {
        cli_ids ids = {0};
        cli_load_events(cmd, files[0], b, saving ? NULL : &ids);
        cli_ids_free(&ids);
    }
    merging m = {cmd, b};
    cli_each_state(cli_get(cmd, "state"), merge_state, &m);
    if (cli_has(cmd, "save-state"))
        cli_save_state(cli_get(cmd, "save-state"), serialize, b);
    /* a state's calendar may have replaced the defaults */
    rtn_cohort_builder_get(b, RTN_COHORT_UTC_OFFSET_MINUTES, &offset);
    const char *input = files[0] ? files[0] : cli_get(cmd, "state");

    rtn_cohort_table *t = NULL;
    int rc = rtn_cohort_builder_finish(b, &t);
    if (rc != RTN_OK)
        cli_fail("%s: %s", input, rc == RTN_EUNDEFINED ? "no events: no cohorts"
                                  : rc == RTN_EINVAL   ? "the observation end is before the first cohort"
                                                       : rtn_strerror(rc));
    table_out o;
    read_table(t, &o);
    if (strcmp(format, "csv") == 0)
        print_csv(&o, (int32_t)offset);
    else if (strcmp(format, "json") == 0)
        print_json(&o, (int32_t)offset, kind, cli_has(cmd, "amount") || cli_has(cmd, "state"));
    else
        print_svg(&o, (int32_t)offset, input);
    free(o.start);
    free(o.size);
    free(o.active);
    free(o.retention);
    free(o.revenue);
    free(o.status);
    free(o.average);
    free(o.weight);
    rtn_cohort_table_free(t);
    rtn_cohort_builder_free(b);
    return 0;
}
