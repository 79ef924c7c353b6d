/* retention mrr: the recurring-revenue bridge (retention/mrr.h) of a file of (customer, period,
 * MRR) rows — what each period's revenue gained and lost (new, expansion, reactivation,
 * contraction, churned), the customers behind each movement, and the revenue rates.
 *
 * Rows stream in batches into the library's builder, which keeps each customer's MRR per period;
 * customer ids of any text are interned into dense numbers (events.c). The period of a row is
 * either an integer index (--period COL) or a time (--time COL: Unix seconds, an ISO 8601 date or
 * date-time, or a month "YYYY-MM") bucketed into calendar periods of --unit with
 * rtn_calendar_period() (UTC). A value the library rejects is reported with its file, line and
 * column. */
#include <errno.h>
#include <math.h>
#include <retention.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "timeparse.h"


/* How a row's period is read: an index, or a time bucketed into calendar periods. */
typedef struct mrr_periods {
    int by_time;
    int32_t unit; /* an rtn_period_unit, with by_time */
} mrr_periods;

/* An integer period index: 0 and *out, or -1 with the reason in *why. */
static int parse_index(const char *s, int64_t *out, const char **why)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        ++p;
    if (*p < '0' || *p > '9') {
        *why = "is not a whole-number period index";
        return -1;
    }
    for (const char *q = p; *q; ++q)
        if (*q < '0' || *q > '9') {
            *why = "is not a whole-number period index";
            return -1;
        }
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno == ERANGE || v < RTN_MRR_PERIOD_MIN || v > RTN_MRR_PERIOD_MAX) {
        *why = "is outside the period indices -2^35 .. 2^35";
        return -1;
    }
    *out = v;
    return 0;
}

/* A time: "YYYY-MM" (the month's first day) or whatever parse_time() reads. */
static int parse_when(const char *s, int64_t *out, const char **why)
{
    if (strlen(s) == 7 && s[4] == '-') {
        int ok = 1;
        for (int i = 0; i < 7; ++i)
            if (i != 4 && (s[i] < '0' || s[i] > '9'))
                ok = 0;
        int year = atoi(s), month = atoi(s + 5);
        if (ok && month >= 1 && month <= 12) {
            *out = days_from_civil(year, month, 1) * 86400;
            return 0;
        }
        if (ok) {
            *why = "no such month";
            return -1;
        }
    }
    return parse_time(s, out, why);
}

/* The period of a field's text: 0 and *out, or -1 with the reason in *why. */
static int parse_period(const mrr_periods *pm, const char *s, int64_t *out, const char **why)
{
    if (!pm->by_time)
        return parse_index(s, out, why);
    int64_t t;
    if (parse_when(s, &t, why) != 0)
        return -1;
    if (rtn_calendar_period(t, pm->unit, 0, 0, out) != RTN_OK) {
        *why = "is outside 0001-01-01 .. 9999-12-31";
        return -1;
    }
    return 0;
}

/* The text of a period: its index, or the ISO date its calendar period starts. */
static void format_period(const mrr_periods *pm, int64_t period, char *buf, size_t len)
{
    int64_t start;
    if (pm->by_time && rtn_calendar_period_start(period, pm->unit, 0, 0, &start) == RTN_OK)
        format_time(start, 0, buf, len);
    else
        snprintf(buf, len, "%lld", (long long)period);
}

/* --first / --last: a period of the same kind as the period column. */
static void window_option(const cli_command *cmd, const mrr_periods *pm, rtn_mrr_builder *b,
                          const char *name, int32_t param, int64_t *value)
{
    const char *s = cli_get(cmd, name), *why = NULL;
    if (!s)
        return;
    if (parse_period(pm, s, value, &why) != 0 || rtn_mrr_builder_set(b, param, *value) != RTN_OK)
        cli_usage_error(cmd, "--%s: '%s' %s", name, s,
                        why ? why : "is outside the period indices -2^35 .. 2^35");
}

/* Streams the file's rows into b; returns the number of rows. */
static uint64_t load(const cli_command *cmd, const char *path, const mrr_periods *pm,
                     rtn_mrr_builder *b, cli_ids *ids)
{
    size_t ccol, pcol = 0, mcol = 0;
    const char *period_option = pm->by_time ? "time" : "period";
    csv_reader *r = cli_open_column(cmd, path, "customer", &ccol);
    cli_find_column(cmd, r, path, period_option, &pcol);
    cli_find_column(cmd, r, path, "mrr", &mcol);
    size_t batch = CLI_BATCH_MIN;
    int64_t *customer = xmalloc(batch * sizeof *customer), *period = xmalloc(batch * sizeof *period);
    double *mrr = xmalloc(batch * sizeof *mrr);
    uint64_t *lines = xmalloc(batch * sizeof *lines), rows = 0;
    int more = 1, unparsable = 0;
    size_t bad_col = 0;
    const char *why = NULL;
    while (more && !unparsable) {
        size_t grown = cli_batch_size(batch, rows);
        if (grown != batch) {
            batch = grown;
            customer = xrealloc(customer, batch * sizeof *customer);
            period = xrealloc(period, batch * sizeof *period);
            mrr = xrealloc(mrr, batch * sizeof *mrr);
            lines = xrealloc(lines, batch * sizeof *lines);
        }
        size_t n = 0;
        while (n < batch && (more = cli_next(r)) == 1) {
            if (parse_period(pm, csv_field(r, pcol), &period[n], &why) != 0) {
                bad_col = pcol;
                unparsable = 1; /* reported after the rows before it are checked */
                break;
            }
            if (cli_field_double(r, mcol, &mrr[n]) != 0) {
                bad_col = mcol;
                why = CLI_NOT_A_NUMBER;
                unparsable = 1;
                break;
            }
            customer[n] = cli_ids_intern(ids, csv_field(r, ccol));
            lines[n++] = csv_line(r);
        }
        size_t bad = 0;
        int rc = rtn_mrr_builder_add(b, customer, period, mrr, n, &bad);
        if (rc == RTN_EDOMAIN) {
            char num[32];
            format_double(num, sizeof num, mrr[bad]);
            if (period[bad] < RTN_MRR_PERIOD_MIN || period[bad] > RTN_MRR_PERIOD_MAX)
                cli_fail("%s:%llu:%zu: column '%s': period %lld is outside -2^35 .. 2^35", path,
                         (unsigned long long)lines[bad], pcol + 1, csv_header(r, pcol),
                         (long long)period[bad]);
            cli_fail("%s:%llu:%zu: column '%s': %s is negative: MRR must be >= 0", path,
                     (unsigned long long)lines[bad], mcol + 1, csv_header(r, mcol), num);
        }
        if (rc == RTN_EOVERFLOW)
            cli_fail("%s: a customer's MRR in a period passes the largest double", path);
        if (rc != RTN_OK)
            cli_fail("%s: %s", path, rtn_strerror(rc));
        rows += n;
    }
    if (unparsable)
        cli_bad_value(r, bad_col, why);
    free(customer);
    free(period);
    free(mrr);
    free(lines);
    csv_close(r);
    return rows;
}

/* The CSV header / JSON keys of the table's columns, in rtn_mrr_column order. */
static const char *const column_names[RTN_MRR_COLUMN_COUNT] = {
    "start", "new", "expansion", "reactivation", "contraction", "churned", "end",
    "start_customers", "new_customers", "expansion_customers", "reactivation_customers",
    "contraction_customers", "churned_customers", "end_customers",
    "gross_revenue_churn", "net_revenue_churn", "nrr", "grr", "quick_ratio"};

static int is_count(int k) { return k >= RTN_MRR_START_CUSTOMERS && k <= RTN_MRR_END_CUSTOMERS; }

static void print_value(int k, double v)
{
    if (is_count(k) && v >= 0 && v < 18446744073709551616.0)
        printf("%llu", (unsigned long long)v);
    else
        cli_csv_number(v);
}

static void print_csv(const mrr_periods *pm, int64_t first, size_t periods, double *const *col)
{
    fputs("period", stdout);
    for (int k = 0; k < RTN_MRR_COLUMN_COUNT; ++k)
        printf(",%s", column_names[k]);
    putchar('\n');
    for (size_t i = 0; i < periods; ++i) {
        char label[32];
        format_period(pm, first + (int64_t)i, label, sizeof label);
        fputs(label, stdout);
        for (int k = 0; k < RTN_MRR_COLUMN_COUNT; ++k) {
            putchar(',');
            print_value(k, col[k][i]);
        }
        putchar('\n');
    }
}

static void print_json(const mrr_periods *pm, const char *unit, int64_t first, size_t periods,
                       double *const *col)
{
    json_begin();
    json_string("unit", unit);
    fputs(", \"periods\": [", stdout);
    for (size_t i = 0; i < periods; ++i) {
        fputs(i ? ", " : "", stdout);
        json_begin();
        if (pm->by_time) {
            char label[32];
            format_period(pm, first + (int64_t)i, label, sizeof label);
            json_string("period", label);
        } else {
            fputs("\"period\": ", stdout);
            printf("%lld", (long long)(first + (int64_t)i));
        }
        for (int k = 0; k < RTN_MRR_COLUMN_COUNT; ++k) {
            printf(", \"%s\": ", column_names[k]);
            if (isnan(col[k][i]))
                fputs("null", stdout);
            else
                print_value(k, col[k][i]);
        }
        putchar('}');
    }
    fputs("]", stdout);
    json_end();
}

int cmd_mrr(const cli_command *cmd, const char **files)
{
    static const char *const units[] = {"month", "day", "week", "quarter", NULL};
    static const int32_t unit_ids[] = {RTN_PERIOD_MONTH, RTN_PERIOD_DAY, RTN_PERIOD_WEEK,
                                       RTN_PERIOD_QUARTER};
    static const char *const fmts[] = {"csv", "json", NULL};
    const char *path = files[0];
    const char *format = cli_choice(cmd, "format", fmts);
    mrr_periods pm = {cli_has(cmd, "time"), RTN_PERIOD_MONTH};
    if (pm.by_time == cli_has(cmd, "period"))
        cli_usage_error(cmd, "give either --period COLUMN (period indices) or --time COLUMN "
                             "(times), not %s", pm.by_time ? "both" : "neither");
    if (cli_has(cmd, "unit") && !pm.by_time)
        cli_usage_error(cmd, "--unit buckets the times of --time COLUMN");
    const char *unit = cli_choice(cmd, "unit", units);
    for (size_t i = 0; units[i]; ++i)
        if (units[i] == unit)
            pm.unit = unit_ids[i];
    if (!cli_has(cmd, "mrr"))
        cli_usage_error(cmd, "--mrr COLUMN is required");

    rtn_mrr_builder *b = NULL;
    if (rtn_mrr_builder_create(&b, NULL) != RTN_OK)
        cli_fail("out of memory");
    int64_t first = 0, last = 0;
    window_option(cmd, &pm, b, "first", RTN_MRR_FIRST_PERIOD, &first);
    window_option(cmd, &pm, b, "last", RTN_MRR_LAST_PERIOD, &last);
    if (cli_has(cmd, "first") && cli_has(cmd, "last") && first > last)
        cli_usage_error(cmd, "--first is after --last");

    cli_ids ids = {0};
    uint64_t rows = load(cmd, path, &pm, b, &ids);
    cli_ids_free(&ids);

    rtn_mrr_table *t = NULL;
    int rc = rtn_mrr_builder_finish(b, &t);
    if (rc == RTN_EUNDEFINED)
        cli_fail("%s: %s", path, rows == 0 ? "no data rows (only a header): no periods"
                                 : cli_has(cmd, "first") ? "--first is after the last period"
                                                         : "--last is before the first period");
    if (rc == RTN_EDOMAIN)
        cli_fail("%s: the table would have more than %d periods (narrow it with --first/--last)",
                 path, RTN_MRR_MAX_PERIODS);
    if (rc != RTN_OK)
        cli_fail("%s: %s", path, rtn_strerror(rc));
    size_t periods = 0;
    if (rtn_mrr_table_periods(t, &first, &periods) != RTN_OK)
        cli_fail("reading the table failed");
    double *col[RTN_MRR_COLUMN_COUNT];
    for (int k = 0; k < RTN_MRR_COLUMN_COUNT; ++k) {
        col[k] = xmalloc(periods * sizeof(double));
        if (rtn_mrr_table_column(t, k, col[k], periods) != RTN_OK)
            cli_fail("reading the table failed");
    }
    if (strcmp(format, "json") == 0)
        print_json(&pm, pm.by_time ? unit : "index", first, periods, col);
    else
        print_csv(&pm, first, periods, col);
    for (int k = 0; k < RTN_MRR_COLUMN_COUNT; ++k)
        free(col[k]);
    rtn_mrr_table_free(t);
    rtn_mrr_builder_free(b);
    return 0;
}
