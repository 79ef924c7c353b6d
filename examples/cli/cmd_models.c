/* retention rfm, fit, predict: lifetime-value models (retention/models.h) from the shell.
 *
 * `rfm` streams a purchase log into a cohort builder of days (events.c) and prints the library's
 * RFM summary with the customers' own text ids, in order of first appearance (the order of the
 * interned ids the library sorts by). `fit` and `predict` read such a summary (any CSV with the
 * columns, by name) into memory — one row per customer — and call the fits and predictions;
 * every value is checked as it is read against the rules models.h states, so the first bad one
 * in the file is reported with its line and column, and the library's own rejection (its
 * bad_index) is reported the same way. */
#include <errno.h>
#include <math.h>
#include <retention.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "timeparse.h"

/* ---- rfm ------------------------------------------------------------------------------------- */

static int64_t time_option(const cli_command *cmd, const char *name)
{
    int64_t t;
    const char *why;
    if (parse_time(cli_get(cmd, name), &t, &why) != 0)
        cli_usage_error(cmd, "--%s: '%s' %s", name, cli_get(cmd, name), why);
    return t;
}

static void print_number(double v, const char *sep)
{
    char num[32];
    format_double(num, sizeof num, v);
    fputs(sep, stdout);
    fputs(num, stdout);
}

int cmd_rfm(const cli_command *cmd, const char **files)
{
    static const char *const units[] = {"day", "week", NULL};
    const char *path = files[0];
    double per_unit = strcmp(cli_choice(cmd, "unit", units), "week") == 0 ? 7.0 : 1.0;
    if (!cli_has(cmd, "calibration-end"))
        cli_usage_error(cmd, "--calibration-end TIME is required");
    int64_t cal = time_option(cmd, "calibration-end"), hold = cal;
    int holdout = cli_has(cmd, "holdout-end");
    if (holdout && (hold = time_option(cmd, "holdout-end")) < cal)
        cli_usage_error(cmd, "--holdout-end is before --calibration-end");
    double offset = cli_double(cmd, "utc-offset", 0);

    rtn_cohort_builder *b = NULL;
    if (rtn_cohort_builder_create(&b, NULL) != RTN_OK)
        cli_fail("out of memory");
    if (rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_DAY) != RTN_OK)
        cli_fail("the cohort builder rejected days");
    if (offset != floor(offset) || fabs(offset) > 1440 ||
        rtn_cohort_builder_set(b, RTN_COHORT_UTC_OFFSET_MINUTES, (int64_t)offset) != RTN_OK)
        cli_usage_error(cmd, "--utc-offset: value out of range");
    cli_ids ids = {0};
    cli_load_events(cmd, path, b, &ids);

    rtn_rfm *rfm = NULL;
    int rc = rtn_rfm_from_builder(b, cal, hold, per_unit, &rfm);
    if (rc == RTN_EUNDEFINED)
        cli_fail("%s: no customer made a purchase by the calibration end", path);
    if (rc == RTN_EDOMAIN)
        cli_fail("%s: the calibration or holdout end is outside 0001-01-01 .. 9999-12-31", path);
    if (rc != RTN_OK)
        cli_fail("%s: %s", path, rtn_strerror(rc));
    size_t n = 0;
    rtn_rfm_size(rfm, &n);
    int64_t *id = malloc((n ? n : 1) * sizeof *id);
    double *col = malloc((n ? n : 1) * 5 * sizeof *col);
    if (!id || !col)
        cli_fail("out of memory");
    if (rtn_rfm_customers(rfm, id, n) != RTN_OK)
        cli_fail("reading the summary failed");
    for (int k = 0; k < 5; ++k)
        if (rtn_rfm_column(rfm, k, col + (size_t)k * n, n) != RTN_OK)
            cli_fail("reading the summary failed");
    int has_amount = cli_has(cmd, "amount");
    printf("customer,x,t_x,T%s%s\n", has_amount ? ",monetary" : "", holdout ? ",x_holdout" : "");
    for (size_t i = 0; i < n; ++i) {
        cli_csv_text(cli_ids_text(&ids, id[i]));
        for (int k = RTN_RFM_X; k <= RTN_RFM_X_HOLDOUT; ++k)
            if ((k != RTN_RFM_MONETARY || has_amount) && (k != RTN_RFM_X_HOLDOUT || holdout))
                print_number(col[(size_t)k * n + i], ",");
        putchar('\n');
    }
    free(id);
    free(col);
    rtn_rfm_free(rfm);
    cli_ids_free(&ids);
    rtn_cohort_builder_free(b);
    return 0;
}

/* ---- models ---------------------------------------------------------------------------------- */

enum { BGNBD, PNBD, GAMMA_GAMMA, SBG };

typedef struct model {
    const char *name;
    size_t k;
    const char *params[4];
} model;

static const model models[] = {
    {"bgnbd", 4, {"r", "alpha", "a", "b"}},
    {"pareto-nbd", 4, {"r", "alpha", "s", "beta"}},
    {"gamma-gamma", 3, {"p", "q", "gamma"}},
    {"sbg", 2, {"alpha", "beta"}},
};

static int model_of(const cli_command *cmd, const char *name, int last)
{
    for (int m = 0; m <= last; ++m)
        if (strcmp(name, models[m].name) == 0)
            return m;
    cli_usage_error(cmd, "unknown model '%s' (%s)", name,
                    last == SBG ? "bgnbd, pareto-nbd, gamma-gamma or sbg" : "bgnbd or pareto-nbd");
}

/* ---- an RFM table in memory ------------------------------------------------------------------ */

enum { COL_CUSTOMER, COL_X, COL_TX, COL_T, COL_MONETARY, COL_WEIGHT, NCOLS };
static const char *const col_option[NCOLS] = {"customer", "x", "t-x", "T", "monetary", "weight"};
static const char *const col_default[NCOLS] = {"customer", "x", "t_x", "T", "monetary", NULL};

typedef struct rfm_rows {
    const char *path;
    csv_reader *r;
    unsigned need; /* 1 << COL_... */
    size_t col[NCOLS];
    size_t n, cap;
    double *v[NCOLS]; /* the numeric columns (v[COL_CUSTOMER] unused) */
    uint64_t *line;
    size_t *name_at; /* offsets of the customer ids in names */
    char *names;
    size_t names_len, names_cap;
} rfm_rows;

static void *grow(void *p, size_t count, size_t size)
{
    p = realloc(p, count * size);
    if (!p)
        cli_fail("out of memory");
    return p;
}

/* The option's value, or its default when it was not given (a column `rfm` writes). */
static void default_value(const cli_command *cmd, const char *name, const char *value)
{
    for (cli_option *o = cmd->options; o->name; ++o)
        if (strcmp(o->name, name) == 0 && !o->value)
            o->value = value;
}

static double col_value(const rfm_rows *t, int c, size_t i) { return t->v[c][i]; }

/* Why row i breaks the rules of models.h, with the column in *c; NULL when it does not.
 * customers: whole x >= 0, 0 <= t_x <= T, t_x > 0 exactly when x > 0, weight >= 0, and a
 * monetary value > 0 where x >= 1. */
static const char *row_problem(const rfm_rows *t, size_t i, int *c)
{
    double x = col_value(t, COL_X, i);
    if (!(x >= 0 && x == floor(x)))
        return *c = COL_X, "is not a whole number >= 0 (repeat purchases)";
    if (t->need & (1u << COL_TX)) {
        double tx = col_value(t, COL_TX, i), T = col_value(t, COL_T, i);
        if (tx < 0)
            return *c = COL_TX, "is negative: recency must be >= 0";
        if (T < 0)
            return *c = COL_T, "is negative: an age must be >= 0";
        if (tx > T)
            return *c = COL_TX, "is greater than T: the last purchase cannot come after the "
                                "calibration end";
        if (x > 0 && tx == 0)
            return *c = COL_TX, "is 0 with x > 0: repeat purchases come after the first (t_x > 0)";
        if (x == 0 && tx > 0)
            return *c = COL_TX, "is > 0 with x = 0: t_x is 0 without repeat purchases";
    }
    if ((t->need & (1u << COL_MONETARY)) && x >= 1 && !(col_value(t, COL_MONETARY, i) > 0))
        return *c = COL_MONETARY, "is not > 0: the mean spend of repeat purchases must be positive";
    if ((t->need & (1u << COL_WEIGHT)) && !(col_value(t, COL_WEIGHT, i) >= 0))
        return *c = COL_WEIGHT, "is negative: a weight must be >= 0";
    return NULL;
}

CLI_NORETURN static void bad_row(const rfm_rows *t, size_t i, int c, const char *why)
{
    char num[32];
    format_double(num, sizeof num, col_value(t, c, i));
    cli_fail("%s:%llu:%zu: column '%s': %s %s", t->path, (unsigned long long)t->line[i],
             t->col[c] + 1, csv_header(t->r, t->col[c]), num, why);
}

/* The library rejected row i (RTN_EDOMAIN and its bad_index). */
CLI_NORETURN static void rejected_row(const rfm_rows *t, size_t i, const char *function)
{
    int c = COL_X;
    const char *why = i < t->n ? row_problem(t, i, &c) : NULL;
    if (why)
        bad_row(t, i, c, why);
    if (i < t->n) /* a valid row refused: BG/NBD's expectations need a + b + x > 1 */
        cli_fail("%s:%llu: %s rejected the row%s", t->path, (unsigned long long)t->line[i],
                 function,
                 strstr(function, "bgnbd") ? " (for expected purchases, BG/NBD needs a + b + x > 1)"
                                           : "");
    cli_fail("%s: %s: %s", t->path, function, rtn_strerror(RTN_EDOMAIN));
}

static void add_row(rfm_rows *t)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 4096;
        for (int c = COL_X; c < NCOLS; ++c)
            if (t->need & (1u << c))
                t->v[c] = grow(t->v[c], t->cap, sizeof(double));
        t->line = grow(t->line, t->cap, sizeof *t->line);
        if (t->need & (1u << COL_CUSTOMER))
            t->name_at = grow(t->name_at, t->cap, sizeof *t->name_at);
    }
    for (int c = COL_X; c < NCOLS; ++c)
        if ((t->need & (1u << c)) && cli_field_double(t->r, t->col[c], &t->v[c][t->n]) != 0)
            cli_bad_value(t->r, t->col[c], CLI_NOT_A_NUMBER);
    if (t->need & (1u << COL_CUSTOMER)) {
        const char *s = csv_field(t->r, t->col[COL_CUSTOMER]);
        size_t len = strlen(s) + 1;
        while (t->names_len + len > t->names_cap) {
            t->names_cap = t->names_cap ? 2 * t->names_cap : 65536;
            t->names = grow(t->names, t->names_cap, 1);
        }
        memcpy(t->names + t->names_len, s, len);
        t->name_at[t->n] = t->names_len;
        t->names_len += len;
    }
    t->line[t->n] = csv_line(t->r);
    int c;
    const char *why = row_problem(t, t->n, &c);
    if (why)
        bad_row(t, t->n, c, why);
    t->n++;
}

/* Reads the columns in `need` (1 << COL_...) of path, every row checked. */
static void read_rows(const cli_command *cmd, const char *path, unsigned need, rfm_rows *t)
{
    memset(t, 0, sizeof *t);
    t->path = path;
    t->need = need;
    for (int c = 0; c < NCOLS; ++c)
        if ((need & (1u << c)) && col_default[c])
            default_value(cmd, col_option[c], col_default[c]);
    t->r = cli_open_column(cmd, path, "x", &t->col[COL_X]);
    for (int c = 0; c < NCOLS; ++c)
        if ((need & (1u << c)) && !cli_find_column(cmd, t->r, path, col_option[c], &t->col[c]))
            t->need &= ~(1u << c); /* an optional column (the weight) not given */
    while (cli_next(t->r))
        add_row(t);
    if (t->n == 0)
        cli_fail("%s: no data rows (only a header)", path);
}

static void free_rows(rfm_rows *t)
{
    for (int c = 0; c < NCOLS; ++c)
        free(t->v[c]);
    free(t->line);
    free(t->name_at);
    free(t->names);
    csv_close(t->r);
}

static const double *weights(const rfm_rows *t)
{
    return t->need & (1u << COL_WEIGHT) ? t->v[COL_WEIGHT] : NULL;
}

/* ---- fits ------------------------------------------------------------------------------------ */

typedef struct fit_result {
    double params[4], se[4], ll, n;
} fit_result;

/* Fails with the reason of a fit's (or a prediction's) error code. */
static void check_model(const rfm_rows *t, int m, int rc, size_t bad, const char *function)
{
    if (rc == RTN_OK)
        return;
    if (rc == RTN_EDOMAIN)
        rejected_row(t, bad, function);
    if (rc == RTN_ENOCONV)
        cli_fail("%s: %s: %s (%s)", t->path, models[m].name, rtn_strerror(rc), function);
    if (rc == RTN_EUNDEFINED && m == GAMMA_GAMMA)
        cli_fail("%s: gamma-gamma: no customer with x >= 1 (and a weight > 0): the fit is "
                 "undefined", t->path);
    if (rc == RTN_EUNDEFINED)
        cli_fail("%s: %s: no customer made a repeat purchase (x > 0) with a weight > 0: the fit "
                 "is undefined", t->path, models[m].name);
    cli_fail("%s: %s: %s (%s)", t->path, models[m].name, rtn_strerror(rc), function);
}

static void fit_rows(const rfm_rows *t, int m, fit_result *f)
{
    const double *x = t->v[COL_X], *tx = t->v[COL_TX], *T = t->v[COL_T], *w = weights(t);
    size_t bad = SIZE_MAX;
    int rc;
    memset(f, 0, sizeof *f);
    if (m == BGNBD) {
        rc = rtn_bgnbd_fit(x, tx, T, w, t->n, f->params, f->se, &f->ll, &bad);
        check_model(t, m, rc, bad, "rtn_bgnbd_fit");
    } else if (m == PNBD) {
        rc = rtn_pnbd_fit(x, tx, T, w, t->n, f->params, f->se, &f->ll, &bad);
        check_model(t, m, rc, bad, "rtn_pnbd_fit");
    } else if (m == GAMMA_GAMMA) {
        rc = rtn_gg_fit(x, t->v[COL_MONETARY], w, t->n, f->params, f->se, &f->ll, &bad);
        check_model(t, m, rc, bad, "rtn_gg_fit");
    }
    for (size_t i = 0; i < t->n; ++i) /* the customers the likelihood counts */
        if (m != GAMMA_GAMMA || x[i] >= 1)
            f->n += w ? w[i] : 1.0;
}

static void print_fit(int m, const fit_result *f, size_t cohorts)
{
    json_begin();
    json_string("model", models[m].name);
    for (size_t i = 0; i < models[m].k; ++i)
        json_double(models[m].params[i], f->params[i]);
    json_double("log_likelihood", f->ll);
    json_double("n", f->n);
    if (m == SBG)
        json_u64("cohorts", cohorts);
    fputs(", \"converged\": true, \"se\": ", stdout);
    json_begin();
    for (size_t i = 0; i < models[m].k; ++i)
        json_double(models[m].params[i], f->se[i]);
    putchar('}');
    json_end();
}

/* sBG: survivor counts, optionally of several cohorts (in order of first appearance, each
 * cohort's counts in file order), fitted jointly. */
typedef struct sbg_rows {
    uint64_t *alive, *line;
    size_t *cohort, n;
} sbg_rows;

static int parse_count(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; s[i] >= '0' && s[i] <= '9'; ++i) {
        if (v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (i == 0 || s[i] != '\0')
        return -1;
    *out = v;
    return 0;
}

static void fit_sbg(const cli_command *cmd, const char *path)
{
    size_t acol = 0, ccol = 0;
    char err[512];
    csv_reader *r = csv_open(path, err, sizeof err);
    if (!r)
        cli_fail("%s", err);
    /* --alive names the counts; a file of one column needs no name (the "one column of
     * survivor counts, first row = cohort size") */
    if (!cli_find_column(cmd, r, path, "alive", &acol) && csv_ncolumns(r) != 1)
        cli_usage_error(cmd, "sbg: --alive COLUMN is required when FILE has several columns");
    int grouped = cli_find_column(cmd, r, path, "cohort", &ccol);
    cli_ids ids = {0};
    sbg_rows s = {NULL, NULL, NULL, 0};
    size_t cap = 0;
    while (cli_next(r)) {
        if (s.n == cap) {
            cap = cap ? 2 * cap : 256;
            s.alive = grow(s.alive, cap, sizeof *s.alive);
            s.line = grow(s.line, cap, sizeof *s.line);
            s.cohort = grow(s.cohort, cap, sizeof *s.cohort);
        }
        if (parse_count(csv_field(r, acol), &s.alive[s.n]) != 0)
            cli_bad_value(r, acol, "is not a count (a whole number >= 0)");
        s.cohort[s.n] = grouped ? (size_t)cli_ids_intern(&ids, csv_field(r, ccol)) : 0;
        s.line[s.n++] = csv_line(r);
    }
    if (s.n == 0)
        cli_fail("%s: no data rows (only a header)", path);
    /* the cohorts one after another (a stable counting sort), each checked */
    size_t k = grouped ? ids.used : 1;
    size_t *lengths = calloc(k, sizeof *lengths), *at = calloc(k + 1, sizeof *at);
    uint64_t *alive = grow(NULL, s.n, sizeof *alive), *line = grow(NULL, s.n, sizeof *line);
    if (!lengths || !at)
        cli_fail("out of memory");
    for (size_t i = 0; i < s.n; ++i)
        lengths[s.cohort[i]]++;
    for (size_t c = 0; c < k; ++c)
        at[c + 1] = at[c] + lengths[c];
    for (size_t i = 0; i < s.n; ++i) {
        size_t j = at[s.cohort[i]]++;
        alive[j] = s.alive[i];
        line[j] = s.line[i];
    }
    /* the first bad count in the file: a first count of 0, a count above the one before it, or a
     * cohort of one count */
    size_t bad = SIZE_MAX, bad_cohort = 0, start = 0;
    const char *why = NULL;
    for (size_t c = 0; c < k; start += lengths[c++]) {
        for (size_t t = 0; t < lengths[c]; ++t) {
            size_t j = start + t;
            const char *w = t == 0 && alive[j] == 0 ? "starts a cohort: its size must be > 0"
                            : t > 0 && alive[j] > alive[j - 1]
                                ? "is more than the count before it: survivor counts cannot rise"
                            : t == 0 && lengths[c] == 1
                                ? "is a cohort's only count: a fit needs its size and at least "
                                  "one later count"
                                : NULL;
            if (w && (bad == SIZE_MAX || line[j] < line[bad])) {
                bad = j;
                bad_cohort = c;
                why = w;
            }
        }
    }
    if (why) {
        const char *name = csv_header(r, acol);
        if (grouped)
            cli_fail("%s:%llu:%zu: column '%s': %llu (cohort '%s') %s", path,
                     (unsigned long long)line[bad], acol + 1, name,
                     (unsigned long long)alive[bad],
                     cli_ids_text(&ids, (int64_t)bad_cohort), why);
        cli_fail("%s:%llu:%zu: column '%s': %llu %s", path, (unsigned long long)line[bad],
                 acol + 1, name, (unsigned long long)alive[bad], why);
    }
    fit_result f;
    memset(&f, 0, sizeof f);
    int rc = rtn_sbg_fit(alive, lengths, k, f.params, f.se, &f.ll);
    if (rc == RTN_EUNDEFINED)
        cli_fail("%s: sbg: nobody churned, or everybody churned in the first period: the "
                 "likelihood has no interior maximum", path);
    if (rc != RTN_OK)
        cli_fail("%s: sbg: %s (rtn_sbg_fit)", path, rtn_strerror(rc));
    start = 0;
    for (size_t c = 0; c < k; start += lengths[c++])
        f.n += (double)alive[start];
    print_fit(SBG, &f, k);
    free(lengths);
    free(at);
    free(alive);
    free(line);
    free(s.alive);
    free(s.line);
    free(s.cohort);
    cli_ids_free(&ids);
    csv_close(r);
}

static void reject_options(const cli_command *cmd, const char *const *names, const char *name)
{
    for (; *names; ++names)
        if (cli_has(cmd, *names))
            cli_usage_error(cmd, "--%s is not an option of %s", *names, name);
}

int cmd_fit(const cli_command *cmd, const char **files)
{
    static const char *const rfm_only[] = {"x", "t-x", "T", "monetary", "weight", NULL};
    static const char *const sbg_only[] = {"alive", "cohort", NULL};
    static const char *const gg_unused[] = {"t-x", "T", NULL};
    static const char *const bg_unused[] = {"monetary", NULL};
    int m = model_of(cmd, files[0], SBG);
    if (m == SBG) {
        reject_options(cmd, rfm_only, "sbg");
        fit_sbg(cmd, files[1]);
        return 0;
    }
    reject_options(cmd, sbg_only, models[m].name);
    reject_options(cmd, m == GAMMA_GAMMA ? gg_unused : bg_unused, models[m].name);
    unsigned need = (1u << COL_X) | (1u << COL_WEIGHT) |
                    (m == GAMMA_GAMMA ? 1u << COL_MONETARY : (1u << COL_TX) | (1u << COL_T));
    rfm_rows t;
    read_rows(cmd, files[1], need, &t);
    fit_result f;
    fit_rows(&t, m, &f);
    print_fit(m, &f, 0);
    free_rows(&t);
    return 0;
}

/* ---- predict --------------------------------------------------------------------------------- */

/* --name: exactly the model's k parameters, comma-separated, each a finite number > 0. */
static void param_list(const cli_command *cmd, const char *name, int m, double *out)
{
    const char *s = cli_get(cmd, name), *p = s;
    char names[64] = "";
    for (size_t i = 0; i < models[m].k; ++i)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? "," : "",
                 models[m].params[i]);
    for (size_t i = 0;; ++i) {
        char *end;
        errno = 0;
        double v = strtod(p, &end);
        if (i == models[m].k || end == p || (*end != ',' && *end != '\0') || errno == ERANGE ||
            !isfinite(v) || (*end == '\0' && i + 1 != models[m].k))
            cli_usage_error(cmd, "--%s: '%s' is not %zu numbers %s", name, s, models[m].k, names);
        if (!(v > 0))
            cli_usage_error(cmd, "--%s: %s = %.*s: every parameter must be > 0", name,
                            models[m].params[i], (int)(end - p), p);
        out[i] = v;
        if (*end == '\0')
            return;
        p = end + 1;
    }
}

static void require(const cli_command *cmd, const char *name, const char *what)
{
    if (!cli_has(cmd, name))
        cli_usage_error(cmd, "%s", what);
}

static double *column_out(size_t n) { return grow(NULL, n ? n : 1, sizeof(double)); }

int cmd_predict(const cli_command *cmd, const char **files)
{
    int m = model_of(cmd, files[0], PNBD);
    int fit = cli_has(cmd, "fit"), has_params = cli_has(cmd, "params");
    int has_gg = cli_has(cmd, "gamma-gamma");
    int clv = has_gg || cli_has(cmd, "discount") || cli_has(cmd, "period-length") ||
              cli_has(cmd, "periods");
    double params[4], gg[3], discount = 0, length = 0;
    uint64_t periods = 0;
    if (has_params)
        param_list(cmd, "params", m, params);
    else if (!fit)
        cli_usage_error(cmd, "--params LIST or --fit is required");
    if (has_gg)
        param_list(cmd, "gamma-gamma", GAMMA_GAMMA, gg);
    require(cmd, "horizon", "--horizon H is required");
    double horizon = cli_double(cmd, "horizon", 0);
    if (!(horizon >= 0))
        cli_usage_error(cmd, "--horizon must be >= 0");
    if (clv) {
        if (!has_gg && !fit)
            cli_usage_error(cmd, "clv: --gamma-gamma LIST or --fit is required");
        require(cmd, "discount", "clv: --discount D is required");
        require(cmd, "period-length", "clv: --period-length L is required");
        discount = cli_double(cmd, "discount", 0);
        length = cli_double(cmd, "period-length", 0);
        if (!(discount >= 0))
            cli_usage_error(cmd, "--discount must be >= 0");
        if (!(length > 0))
            cli_usage_error(cmd, "--period-length must be > 0");
        if (m == BGNBD) {
            require(cmd, "periods", "clv: --periods K is required for bgnbd");
            periods = cli_count(cmd, "periods", 0);
            if (periods == 0 || periods > UINT32_MAX)
                cli_usage_error(cmd, "--periods must be in 1 .. 4294967295");
        } else if (cli_has(cmd, "periods")) {
            cli_usage_error(cmd, "--periods: the pareto-nbd clv is over the whole lifetime");
        } else if (!(discount > 0)) {
            cli_usage_error(cmd, "--discount must be > 0 for pareto-nbd (the undiscounted "
                                 "lifetime value is unbounded)");
        }
    }
    if (fit && has_params && (!clv || has_gg))
        cli_usage_error(cmd, "--fit: nothing to fit, every parameter is given");

    unsigned need = (1u << COL_CUSTOMER) | (1u << COL_X) | (1u << COL_TX) | (1u << COL_T) |
                    (clv ? 1u << COL_MONETARY : 0u);
    rfm_rows t;
    read_rows(cmd, files[1], need, &t);
    fit_result f;
    if (!has_params) {
        fit_rows(&t, m, &f);
        memcpy(params, f.params, sizeof params);
    }
    if (clv && !has_gg) {
        fit_rows(&t, GAMMA_GAMMA, &f);
        memcpy(gg, f.params, sizeof gg);
    }
    if (clv && !(gg[1] > 1)) {
        char num[32];
        format_double(num, sizeof num, gg[1]);
        cli_fail("%s: clv needs the Gamma-Gamma q > 1 (q = %s): the mean spend is infinite "
                 "otherwise", t.path, num);
    }

    const double *x = t.v[COL_X], *tx = t.v[COL_TX], *T = t.v[COL_T], *mon = t.v[COL_MONETARY];
    double *p_alive = column_out(t.n), *expected = column_out(t.n);
    double *value = clv ? column_out(t.n) : NULL;
    size_t bad = SIZE_MAX;
    int rc;
    if (m == BGNBD) {
        rc = rtn_bgnbd_predict(params, x, tx, T, t.n, horizon, p_alive, expected, &bad);
        check_model(&t, m, rc, bad, "rtn_bgnbd_predict");
        if (clv) {
            rc = rtn_clv_bgnbd_gg(params, gg, x, tx, T, mon, t.n, discount, length,
                                  (uint32_t)periods, value, &bad);
            check_model(&t, m, rc, bad, "rtn_clv_bgnbd_gg");
        }
    } else {
        rc = rtn_pnbd_predict(params, x, tx, T, t.n, horizon, p_alive, expected, &bad);
        check_model(&t, m, rc, bad, "rtn_pnbd_predict");
        if (clv) {
            double *spend = column_out(t.n);
            rc = rtn_pnbd_dert(params, x, tx, T, t.n, log1p(discount) / length, value, &bad);
            check_model(&t, m, rc, bad, "rtn_pnbd_dert");
            rc = rtn_gg_expected_spend(gg, x, mon, t.n, spend, &bad);
            check_model(&t, GAMMA_GAMMA, rc, bad, "rtn_gg_expected_spend");
            for (size_t i = 0; i < t.n; ++i)
                value[i] *= spend[i];
            free(spend);
        }
    }
    printf("customer,p_alive,expected%s\n", clv ? ",clv" : "");
    for (size_t i = 0; i < t.n; ++i) {
        cli_csv_text(t.names + t.name_at[i]);
        print_number(p_alive[i], ",");
        print_number(expected[i], ",");
        if (clv)
            print_number(value[i], ",");
        putchar('\n');
    }
    free(p_alive);
    free(expected);
    free(value);
    free_rows(&t);
    return 0;
}
