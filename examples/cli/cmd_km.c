/* retention km: the Kaplan-Meier curve of a lifetime column (duration, event[, entry, weight]),
 * or one curve per group with the G-rho log-rank test comparing them. Rows stream in batches
 * into the library's mergeable builders (one per group), which keep one slot per distinct time,
 * so a file of any size runs in memory bounded by its distinct times; a value the library
 * rejects is reported with its file, line and column. */
#include <math.h>
#include <retention.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define BATCH 65536
/* rtn_logrank() takes at most this many groups (survival.h: V has k² entries). */
#define MAX_GROUPS 1024

/* One group: its label, its builder, and its rows. */
typedef struct km_group {
    char *label;
    rtn_km_builder *b;
    uint64_t rows;
    size_t pending, cursor; /* rows of the current batch, and where they go in it */
} km_group;

/* The input: columns, options, the groups (by id in order of first appearance, and their ids in
 * sorted order of label, for binary search), and one batch of rows. */
typedef struct km_input {
    const cli_command *cmd;
    const char *path;
    csv_reader *r;
    size_t dcol, ecol, gcol, ncol, wcol;
    int grouped, has_entry, has_weight;
    double confidence;
    int32_t conf_type;
    km_group *groups;
    uint32_t *sorted, last;
    size_t ngroups;
    uint64_t rows, events;
    int positive_weight;
    int merged_states; /* --state given: rows and events count only FILE's */
    /* the batch, and its rows regrouped group after group */
    double *duration, *entry, *weight, *duration2, *entry2, *weight2;
    uint8_t *event, *event2;
    uint32_t *gid;
    size_t *perm;
    uint64_t *lines;
} km_input;

/* The column named by option `option` (absent: 0, and *has = 0). */
static size_t find_column(km_input *in, const char *option, int *has)
{
    size_t c = 0;
    int found = cli_find_column(in->cmd, in->r, in->path, option, &c);
    if (has)
        *has = found;
    return c;
}

static rtn_km_builder *new_builder(const km_input *in)
{
    rtn_km_builder *b = NULL;
    if (rtn_km_builder_create(&b, NULL) != RTN_OK)
        cli_fail("out of memory");
    if (rtn_km_builder_set(b, RTN_KM_CONF_LEVEL, in->confidence) != RTN_OK ||
        rtn_km_builder_set(b, RTN_KM_CONF_TYPE, in->conf_type) != RTN_OK)
        cli_fail("rtn_km_builder_set rejected the confidence options");
    return b;
}

/* The id of the current row's group, adding the group when it is new; UINT32_MAX when it would
 * be one group too many. */
static uint32_t group_of(km_input *in)
{
    const char *s = csv_field(in->r, in->gcol);
    if (in->ngroups > 0 && strcmp(s, in->groups[in->last].label) == 0)
        return in->last; /* rows of a group often come together */
    size_t lo = 0, hi = in->ngroups;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(in->groups[in->sorted[mid]].label, s);
        if (c == 0)
            return in->last = in->sorted[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (in->ngroups == MAX_GROUPS)
        return UINT32_MAX;
    uint32_t id = (uint32_t)in->ngroups++;
    km_group *g = &in->groups[id];
    size_t len = strlen(s) + 1;
    g->label = xmalloc(len);
    memcpy(g->label, s, len);
    g->b = new_builder(in);
    g->rows = 0;
    g->pending = 0;
    memmove(in->sorted + lo + 1, in->sorted + lo, (id - lo) * sizeof *in->sorted);
    in->sorted[lo] = id;
    return in->last = id;
}

/* Reports the subject the library rejected: row i of the batch. */
CLI_NORETURN static void bad_subject(const km_input *in, size_t i)
{
    const char *why = "was rejected";
    size_t col = in->dcol;
    double v = in->duration[i];
    if (!(v >= 0)) {
        why = "is negative: a duration must be >= 0";
    } else if (in->has_entry && !(in->entry[i] >= 0)) {
        col = in->ncol;
        v = in->entry[i];
        why = "is negative: an entry time must be >= 0";
    } else if (in->has_entry && !(in->entry[i] < in->duration[i])) {
        col = in->ncol;
        v = in->entry[i];
        why = "is not before the duration: entry < duration is needed";
    } else if (in->has_weight && !(in->weight[i] >= 0)) {
        col = in->wcol;
        v = in->weight[i];
        why = "is negative: a weight must be >= 0";
    }
    char num[32];
    format_double(num, sizeof num, v);
    cli_fail("%s:%llu:%zu: column '%s': %s %s", in->path, (unsigned long long)in->lines[i],
             col + 1, csv_header(in->r, col), num, why);
}

static void check_add(const km_input *in, int rc, const char *what)
{
    if (rc != RTN_OK)
        cli_fail("%s: %s: %s", in->path, what, rtn_strerror(rc));
}

/* Adds the batch's n rows to the builders. */
static void flush(km_input *in, size_t n)
{
    size_t bad = 0;
    if (!in->grouped) {
        int rc = rtn_km_builder_add(in->groups[0].b, in->duration, in->event,
                                    in->has_entry ? in->entry : NULL,
                                    in->has_weight ? in->weight : NULL, n, &bad);
        if (rc == RTN_EDOMAIN)
            bad_subject(in, bad);
        check_add(in, rc, "adding subjects");
        return;
    }
    /* regroup the rows group after group (a counting sort over the groups present) */
    uint32_t *touched = in->gid + BATCH, ntouched = 0; /* the second half of gid */
    for (size_t i = 0; i < n; ++i)
        if (in->groups[in->gid[i]].pending++ == 0)
            touched[ntouched++] = in->gid[i];
    size_t at = 0;
    for (uint32_t t = 0; t < ntouched; ++t) {
        km_group *g = &in->groups[touched[t]];
        g->cursor = at;
        at += g->pending;
    }
    for (size_t i = 0; i < n; ++i) {
        size_t j = in->groups[in->gid[i]].cursor++;
        in->perm[j] = i;
        in->duration2[j] = in->duration[i];
        in->event2[j] = in->event[i];
        in->entry2[j] = in->entry[i];
        in->weight2[j] = in->weight[i];
    }
    /* every group's rows are checked, so that the first bad row of the batch is reported */
    size_t first_bad = SIZE_MAX;
    for (uint32_t t = 0; t < ntouched; ++t) {
        km_group *g = &in->groups[touched[t]];
        size_t start = g->cursor - g->pending;
        int rc = rtn_km_builder_add(g->b, in->duration2 + start, in->event2 + start,
                                    in->has_entry ? in->entry2 + start : NULL,
                                    in->has_weight ? in->weight2 + start : NULL, g->pending,
                                    &bad);
        if (rc == RTN_EDOMAIN) {
            if (in->perm[start + bad] < first_bad)
                first_bad = in->perm[start + bad];
        } else {
            check_add(in, rc, "adding subjects");
        }
        g->rows += g->pending;
        g->pending = 0;
    }
    if (first_bad != SIZE_MAX)
        bad_subject(in, first_bad);
}

/* Parses the current row (and finds its group) into batch slot n: 0, or -1 with the column of
 * the first unparsable field in *col and the reason in *why. */
static int parse_row(km_input *in, size_t n, size_t *col, const char **why)
{
    const char *ev = csv_field(in->r, in->ecol);
    *why = CLI_NOT_A_NUMBER;
    if (cli_field_double(in->r, *col = in->dcol, &in->duration[n]) != 0)
        return -1;
    if ((ev[0] != '0' && ev[0] != '1') || ev[1] != '\0') {
        *col = in->ecol;
        *why = "is not 0 (censored) or 1 (event)";
        return -1;
    }
    in->event[n] = (uint8_t)(ev[0] - '0');
    in->entry[n] = 0.0;
    in->weight[n] = 1.0;
    if (in->has_entry && cli_field_double(in->r, *col = in->ncol, &in->entry[n]) != 0)
        return -1;
    if (in->has_weight && cli_field_double(in->r, *col = in->wcol, &in->weight[n]) != 0)
        return -1;
    if (in->grouped && (in->gid[n] = group_of(in)) == UINT32_MAX) {
        *col = in->gcol;
        *why = "would be group 1025: at most 1024 can be compared";
        return -1;
    }
    return 0;
}

/* Reads the whole file into the builders. */
/* The groups of an ungrouped input: one, without a label. */
static void one_group(km_input *in)
{
    in->groups = xmalloc(MAX_GROUPS * sizeof *in->groups);
    in->sorted = xmalloc(MAX_GROUPS * sizeof *in->sorted);
    in->groups[0].label = NULL;
    in->groups[0].b = new_builder(in);
    in->groups[0].rows = 0;
    in->ngroups = 1;
    in->last = 0;
}

/* --state A,B,...: each saved builder merged into the one curve's (whose confidence options
 * are kept: they are this run's). */
static void merge_state(const char *path, const uint8_t *bytes, size_t len, void *ctx)
{
    km_input *in = ctx;
    rtn_km_builder *s = NULL;
    int rc = rtn_km_builder_deserialize(&s, bytes, len, NULL);
    if (rc != RTN_OK)
        cli_state_failed(path, "Kaplan-Meier", rc);
    rc = rtn_km_builder_merge(in->groups[0].b, s);
    rtn_km_builder_free(s);
    if (rc != RTN_OK)
        cli_fail("%s: %s", path, rtn_strerror(rc));
    in->merged_states = 1;
}

static int serialize(const void *b, uint8_t *buf, size_t cap, size_t *len)
{
    return rtn_km_builder_serialize((const rtn_km_builder *)b, buf, cap, len);
}

static void load(km_input *in)
{
    /* each array twice: the batch as read, then regrouped */
    in->duration = xmalloc(2 * BATCH * sizeof *in->duration);
    in->entry = xmalloc(2 * BATCH * sizeof *in->entry);
    in->weight = xmalloc(2 * BATCH * sizeof *in->weight);
    in->event = xmalloc(2 * BATCH);
    in->lines = xmalloc(BATCH * sizeof *in->lines);
    in->duration2 = in->duration + BATCH;
    in->entry2 = in->entry + BATCH;
    in->weight2 = in->weight + BATCH;
    in->event2 = in->event + BATCH;
    in->gid = xmalloc(2 * BATCH * sizeof *in->gid);
    in->perm = xmalloc(BATCH * sizeof *in->perm);
    if (in->grouped) {
        in->groups = xmalloc(MAX_GROUPS * sizeof *in->groups);
        in->sorted = xmalloc(MAX_GROUPS * sizeof *in->sorted);
        in->ngroups = 0;
        in->last = 0;
    } else {
        one_group(in);
    }
    int more = 1, unparsable = 0;
    size_t bad_col = 0;
    const char *why = NULL;
    while (more && !unparsable) {
        size_t n = 0;
        while (n < BATCH && (more = cli_next(in->r)) == 1) {
            if (parse_row(in, n, &bad_col, &why) != 0) {
                unparsable = 1; /* reported after the rows before it are checked */
                break;
            }
            in->events += in->event[n] && in->weight[n] > 0;
            in->positive_weight |= in->weight[n] > 0;
            in->lines[n++] = csv_line(in->r);
        }
        flush(in, n);
        in->rows += n;
    }
    if (!in->grouped)
        in->groups[0].rows = in->rows;
    if (unparsable)
        cli_bad_value(in->r, bad_col, why);
    free(in->duration);
    free(in->entry);
    free(in->weight);
    free(in->event);
    free(in->lines);
    free(in->gid);
    free(in->perm);
}

/* ---- results -------------------------------------------------------------------------------- */

/* A finished curve's columns, in rtn_km_column_id order (time .. upper). */
typedef struct km_curve {
    size_t rows;
    double *col[8];
} km_curve;

/* Why a builder of rows has no curve (rtn_km_builder_finish's RTN_EUNDEFINED). */
static const char *undefined_reason(const km_input *in)
{
    if (in->merged_states)
        return "no subject leaves: no survival curve (the saved states hold no events of "
               "positive weight, or the risk set empties before later subjects enter)";
    if (in->rows == 0)
        return "no data rows (only a header): the survival curve of nothing is undefined";
    if (!in->positive_weight)
        return "every weight is 0: the survival curve is undefined";
    return "the risk set empties before later subjects enter (--entry): the curve after the gap "
           "is not identified by the data";
}

/* The curve of group g; fails (naming the group) when it is undefined, unless `quiet`: then
 * 0 and a curve of no rows. */
static int finish(const km_input *in, const km_group *g, km_curve *c, rtn_km **km, int quiet)
{
    memset(c, 0, sizeof *c);
    *km = NULL;
    int rc = rtn_km_builder_finish(g->b, km);
    if (rc == RTN_EUNDEFINED && quiet)
        return 0;
    if (rc != RTN_OK) {
        const char *why = rc == RTN_EUNDEFINED ? undefined_reason(in) : rtn_strerror(rc);
        if (g->label)
            cli_fail("%s: group '%s': %s", in->path, g->label, why);
        cli_fail("%s: %s", in->path, why);
    }
    rtn_km_size(*km, &c->rows);
    for (int k = 0; k < 8; ++k) {
        c->col[k] = xmalloc(c->rows * sizeof(double));
        if (rtn_km_column(*km, k, c->col[k], c->rows) != RTN_OK)
            cli_fail("reading the curve failed");
    }
    return 1;
}

static void curve_free(km_curve *c, rtn_km *km)
{
    for (int k = 0; k < 8; ++k)
        free(c->col[k]);
    rtn_km_free(km);
}

/* The group in place i of the output (sorted order of label). */
static const km_group *group_at(const km_input *in, size_t i)
{
    return &in->groups[in->grouped ? in->sorted[i] : 0];
}

/* Every group's curve, in output order, before anything is printed (an undefined one fails). */
static void finish_all(const km_input *in, km_curve **c, rtn_km ***km)
{
    *c = xmalloc(in->ngroups * sizeof **c);
    *km = xmalloc(in->ngroups * sizeof **km);
    for (size_t i = 0; i < in->ngroups; ++i)
        finish(in, group_at(in, i), &(*c)[i], &(*km)[i], 0);
}

static void free_all(const km_input *in, km_curve *c, rtn_km **km)
{
    for (size_t i = 0; i < in->ngroups; ++i)
        curve_free(&c[i], km[i]);
    free(c);
    free(km);
}

/* The median lifetime and its interval (NaN where the curve does not get there). */
static void median(const rtn_km *km, double m[3])
{
    m[0] = m[1] = m[2] = NAN;
    if (km && rtn_km_quantile(km, 0.5, &m[0], &m[1], &m[2]) != RTN_OK)
        m[0] = m[1] = m[2] = NAN;
}

static void print_rows(const km_curve *c, const char *label)
{
    for (size_t i = 0; i < c->rows; ++i) {
        if (label) {
            cli_csv_text(label);
            putchar(',');
        }
        for (int k = 0; k < 8; ++k) {
            cli_csv_number(c->col[k][i]);
            putchar(k < 7 ? ',' : '\n');
        }
    }
}

static const char *const conf_types[] = {"log", "log-log", "plain", NULL};

/* The log-rank test of the groups (in sorted order of label) into chisq, df, p and O, E per
 * group; fails when it is undefined, unless `quiet` (then 0). */
static int logrank(const km_input *in, double rho, double *stat, uint32_t *df, double *obs,
                   double *expd, int quiet)
{
    const rtn_km_builder *b[MAX_GROUPS];
    for (size_t i = 0; i < in->ngroups; ++i)
        b[i] = in->groups[in->sorted[i]].b;
    int rc = rtn_logrank(b, in->ngroups, rho, obs, expd, NULL, &stat[0], df, &stat[1]);
    if (rc == RTN_OK || quiet)
        return rc == RTN_OK;
    if (rc == RTN_EUNDEFINED)
        cli_fail("%s: the log-rank test is undefined: %s", in->path,
                 in->events == 0 ? "no events in any group, nothing to compare"
                                 : "fewer than two groups have subjects at risk at event "
                                   "times, or the variance is singular");
    cli_fail("%s: log-rank test: %s", in->path, rtn_strerror(rc));
}

static void print_json(const km_input *in, double rho)
{
    double stat[2], *obs = xmalloc(in->ngroups * sizeof *obs);
    double *expd = xmalloc(in->ngroups * sizeof *expd), (*m)[3] = xmalloc(in->ngroups * sizeof *m);
    uint32_t df = 0;
    logrank(in, rho, stat, &df, obs, expd, 0);
    for (size_t i = 0; i < in->ngroups; ++i) { /* everything before the first byte of output */
        km_curve c;
        rtn_km *km;
        finish(in, group_at(in, i), &c, &km, 1);
        median(km, m[i]);
        curve_free(&c, km);
    }
    json_begin();
    json_double("chisq", stat[0]);
    json_u64("df", df);
    json_double("p_value", stat[1]);
    json_double("rho", rho);
    json_double("confidence", in->confidence);
    json_string("conf_type", conf_types[in->conf_type]);
    /* the array of group objects, written with the same helpers object by object */
    fputs(", \"groups\": [", stdout);
    for (size_t i = 0; i < in->ngroups; ++i) {
        const km_group *g = group_at(in, i);
        fputs(i ? ", " : "", stdout);
        json_begin();
        json_string("group", g->label);
        json_u64("n", g->rows);
        json_double("observed", obs[i]);
        json_double("expected", expd[i]);
        json_double("median", m[i][0]);
        json_double("median_lower", m[i][1]);
        json_double("median_upper", m[i][2]);
        putchar('}');
    }
    fputs("]", stdout);
    json_end();
    free(obs);
    free(expd);
    free(m);
}

/* A curve's legend entry (or subtitle): "n = 200, 112 events, median 184". */
static void describe(const km_input *in, char *buf, size_t len, const km_group *g,
                     const km_curve *c, const rtn_km *km)
{
    double events = 0, m[3];
    char num[2][32];
    for (size_t i = 0; i < c->rows; ++i)
        events += c->col[RTN_KM_EVENTS][i];
    median(km, m);
    format_double(num[0], sizeof num[0], events);
    if (isnan(m[0]))
        snprintf(num[1], sizeof num[1], "not reached");
    else
        format_double(num[1], sizeof num[1], m[0]);
    if (in->merged_states) /* the states' subjects are not counted: no n */
        snprintf(buf, len, "%s events, median %s", num[0], num[1]);
    else
        snprintf(buf, len, "n = %llu, %s events, median %s", (unsigned long long)g->rows,
                 num[0], num[1]);
}

static void print_csv(const km_input *in)
{
    km_curve *c;
    rtn_km **km;
    finish_all(in, &c, &km);
    fputs(in->grouped ? "group," : "", stdout);
    puts("time,at_risk,events,censored,survival,std_err,lower,upper");
    for (size_t i = 0; i < in->ngroups; ++i)
        print_rows(&c[i], group_at(in, i)->label);
    free_all(in, c, km);
}

static void print_svg(const km_input *in, double rho)
{
    size_t k = in->ngroups;
    km_curve *c;
    rtn_km **km;
    finish_all(in, &c, &km);
    svg_curve *curves = xmalloc(k * sizeof *curves);
    char (*legend)[256] = xmalloc(k * sizeof *legend);
    for (size_t i = 0; i < k; ++i) {
        const km_group *g = group_at(in, i);
        describe(in, legend[i], sizeof legend[i], g, &c[i], km[i]);
        curves[i] = (svg_curve){g->label, c[i].rows, c[i].col[RTN_KM_TIME],
                                c[i].col[RTN_KM_SURVIVAL], c[i].col[RTN_KM_LOWER],
                                c[i].col[RTN_KM_UPPER], c[i].col[RTN_KM_CENSORED], legend[i]};
    }
    char subtitle[1024], test[160] = "";
    if (in->grouped) {
        double stat[2];
        uint32_t df;
        if (logrank(in, rho, stat, &df, NULL, NULL, 1))
            snprintf(test, sizeof test, "; %s test chi-squared %.2f on %u df, p = %.2g",
                     rho == 0 ? "log-rank" : "G-rho", stat[0], df, stat[1]);
        snprintf(subtitle, sizeof subtitle, "%s: %zu groups%s", in->path, k, test);
    } else {
        snprintf(subtitle, sizeof subtitle, "%s: %s", in->path, legend[0]);
    }
    char band[96];
    snprintf(band, sizeof band, "shaded: %g%% confidence (%s)", 100 * in->confidence,
             conf_types[in->conf_type]);
    const char *xlabel = cli_get(in->cmd, "duration"); /* no FILE, no column: say what it is */
    svg_km(stdout, curves, k, subtitle, band, xlabel ? xlabel : "duration");
    free_all(in, c, km);
    free(curves);
    free(legend);
}

int cmd_km(const cli_command *cmd, const char **files)
{
    static const char *const fmts[] = {"csv", "json", "svg", NULL};
    km_input in;
    memset(&in, 0, sizeof in);
    in.cmd = cmd;
    in.path = files[0];
    in.grouped = cli_has(cmd, "group");
    const char *format = cli_has(cmd, "format") ? cli_choice(cmd, "format", fmts)
                         : in.grouped           ? "json"
                                                : "csv";
    if (strcmp(format, "json") == 0 && !in.grouped)
        cli_usage_error(cmd, "--format json is the log-rank test of --group COL");
    const char *type = cli_choice(cmd, "conf-type", conf_types);
    for (in.conf_type = 0; conf_types[in.conf_type] != type; ++in.conf_type)
        ;
    in.confidence = cli_double(cmd, "confidence", 0.95);
    if (!(in.confidence > 0 && in.confidence < 1))
        cli_usage_error(cmd, "--confidence must be in (0, 1), e.g. 0.95");
    double rho = cli_double(cmd, "rho", 0);
    if (rho < 0)
        cli_usage_error(cmd, "--rho must be >= 0");
    if (cli_has(cmd, "rho") && !in.grouped)
        cli_usage_error(cmd, "--rho is a parameter of the test of --group COL");
    if (!cli_has(cmd, "event") && files[0])
        cli_usage_error(cmd, "--event COLUMN is required");

    int saving = cli_has(cmd, "state") || cli_has(cmd, "save-state");
    if (saving && in.grouped)
        cli_usage_error(cmd, "--state and --save-state keep one curve: not with --group");
    if (files[0]) {
        in.r = cli_open_column(cmd, files[0], "duration", &in.dcol);
        in.ecol = find_column(&in, "event", NULL);
        in.gcol = find_column(&in, "group", NULL);
        in.ncol = find_column(&in, "entry", &in.has_entry);
        in.wcol = find_column(&in, "weight", &in.has_weight);
        load(&in);
    } else {
        in.path = cli_get(cmd, "state");
        one_group(&in);
    }
    cli_each_state(cli_get(cmd, "state"), merge_state, &in);
    if (cli_has(cmd, "save-state"))
        cli_save_state(cli_get(cmd, "save-state"), serialize, in.groups[0].b);

    if (in.grouped && in.rows == 0)
        cli_fail("%s: %s", in.path, undefined_reason(&in));
    if (in.grouped && in.ngroups < 2)
        cli_fail("%s: column '%s' has one value ('%s'): a comparison needs at least two groups",
                 in.path, cli_get(cmd, "group"), in.groups[0].label);
    if (strcmp(format, "json") == 0) {
        print_json(&in, rho);
    } else if (strcmp(format, "svg") == 0) {
        print_svg(&in, rho);
    } else {
        print_csv(&in);
    }
    for (size_t i = 0; i < in.ngroups; ++i) {
        free(in.groups[i].label);
        rtn_km_builder_free(in.groups[i].b);
    }
    free(in.groups);
    free(in.sorted);
    csv_close(in.r);
    return 0;
}
