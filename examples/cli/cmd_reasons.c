/* retention reasons: churned customers tallied by churn reason (retention/reasons.h) — counts,
 * shares with Wilson intervals, lost MRR and its share, and the teams that mitigate each reason,
 * sorted by impact.
 *
 * A reason is read as (surrounding blanks ignored): a built-in name, case-insensitive, with
 * spaces and hyphens counting as underscores ("Wrong use case" = wrong_use_case); a numeric code
 * 0-6 or 64-255; an empty field, which is "other" (not coded); or any other text, a user-defined
 * reason, matched by the same loose spelling ("Price" = "price"), reported by its text as it
 * first appears and given the next free code from 64 on, in order of first appearance (a free
 * code is one that no user reason and no numeric code read before it holds). Rows stream in
 * batches into the library's tally. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <retention.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define BATCH 65536
#define USER_CODES (RTN_REASON_USER_MAX - RTN_REASON_USER_MIN + 1) /* 192 */

/* The reason codes seen so far: user reasons (their loose spellings interned, id = order of first
 * appearance), their texts as first seen and their codes, and the user codes taken by numbers. */
typedef struct reason_codes {
    cli_ids texts;
    char *label[USER_CODES];
    int32_t code_of_text[USER_CODES];
    const char *text_of_code[RTN_REASON_CODES]; /* the user text holding a code, or NULL */
    unsigned char numeric[RTN_REASON_CODES];    /* codes read as numbers */
    int32_t next_free;                          /* the lowest user code that may be free */
} reason_codes;

static char why_buf[512];

/* A copy of s[0, len). */
static char *copy(const char *s, size_t len)
{
    char *t = malloc(len + 1);
    if (!t)
        cli_fail("out of memory");
    memcpy(t, s, len);
    t[len] = '\0';
    return t;
}

/* The loose spelling of a reason: lower case, spaces and hyphens as underscores ("Wrong use
 * case" -> "wrong_use_case"); a new string. */
static char *loose(const char *s, size_t len)
{
    char *name = copy(s, len);
    for (size_t i = 0; i < len; ++i) {
        char c = name[i];
        name[i] = c == ' ' || c == '-' ? '_' : (char)tolower((unsigned char)c);
    }
    return name;
}

/* The code of a field's text: 0 and *code, or -1 with the reason in *why. */
static int parse_reason(reason_codes *rc, const char *field, int32_t *code, const char **why)
{
    while (*field == ' ' || *field == '\t')
        ++field;
    size_t len = strlen(field);
    while (len > 0 && (field[len - 1] == ' ' || field[len - 1] == '\t'))
        --len;
    if (len == 0) {
        *code = RTN_REASON_OTHER; /* not coded */
        return 0;
    }
    /* a number: a code */
    size_t i = field[0] == '-' || field[0] == '+';
    size_t digits = 0;
    while (i + digits < len && field[i + digits] >= '0' && field[i + digits] <= '9')
        ++digits;
    if (digits > 0 && i + digits == len) {
        errno = 0;
        long v = strtol(field, NULL, 10);
        uint32_t teams;
        if (errno == ERANGE || rtn_reason_teams((int32_t)(v < 0 || v > 255 ? -1 : v), &teams) != RTN_OK) {
            *why = v >= 7 && v <= 63 ? "is a reserved reason code (codes are 0-6 and 64-255)"
                                     : "is not a reason code (codes are 0-6 and 64-255)";
            return -1;
        }
        if (v >= RTN_REASON_USER_MIN && rc->text_of_code[v]) {
            snprintf(why_buf, sizeof why_buf,
                     "is a code already given to the reason '%.300s' (user reasons take the free "
                     "codes from 64 on in order of first appearance)",
                     rc->text_of_code[v]);
            *why = why_buf;
            return -1;
        }
        rc->numeric[v] = 1;
        *code = (int32_t)v;
        return 0;
    }
    char *name = loose(field, len);
    if (rtn_reason_code(name, code) == RTN_OK) { /* a built-in reason */
        free(name);
        return 0;
    }
    /* a user reason */
    size_t before = rc->texts.used;
    int64_t id = cli_ids_intern(&rc->texts, name);
    free(name);
    if ((size_t)id < before) {
        *code = rc->code_of_text[id];
        return 0;
    }
    while (rc->next_free <= RTN_REASON_USER_MAX && rc->numeric[rc->next_free])
        ++rc->next_free;
    if (rc->next_free > RTN_REASON_USER_MAX || id >= USER_CODES) {
        *why = "would be one user-defined reason too many: the codes 64-255 hold at most 192";
        return -1;
    }
    rc->label[id] = copy(field, len);
    rc->code_of_text[id] = rc->next_free;
    rc->text_of_code[rc->next_free] = rc->label[id];
    *code = rc->next_free++;
    return 0;
}

/* The name a report gives a code: the built-in name, the user's text, or the number. */
static const char *reason_label(const reason_codes *rc, int32_t code, char *buf, size_t len)
{
    const char *name = rtn_reason_name(code);
    if (name)
        return name;
    if (code >= 0 && code < RTN_REASON_CODES && rc->text_of_code[code])
        return rc->text_of_code[code];
    snprintf(buf, len, "%d", (int)code);
    return buf;
}

/* The teams of a mask joined by '+' ("support+relationship_management"), "" for none. */
static void team_names(uint32_t teams, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (uint32_t bit = 1; bit != 0 && bit <= teams; bit <<= 1) {
        const char *name = (teams & bit) ? rtn_team_name(bit) : NULL;
        if (name && used < len)
            used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "+" : "", name);
    }
}

/* Streams the file into the tally; returns the number of rows. */
static uint64_t load(const cli_command *cmd, const char *path, reason_codes *rc, uint64_t *counts,
                     double *lost)
{
    size_t rcol, mcol = 0;
    csv_reader *r = cli_open_column(cmd, path, "reason", &rcol);
    int has_mrr = cli_find_column(cmd, r, path, "mrr", &mcol);
    int32_t *code = xmalloc(BATCH * sizeof *code);
    double *mrr = xmalloc(BATCH * sizeof *mrr);
    uint64_t *lines = xmalloc(BATCH * sizeof *lines), rows = 0;
    int more = 1, unparsable = 0;
    size_t bad_col = 0;
    const char *why = NULL;
    while (more && !unparsable) {
        size_t n = 0;
        while (n < BATCH && (more = cli_next(r)) == 1) {
            if (parse_reason(rc, csv_field(r, rcol), &code[n], &why) != 0) {
                bad_col = rcol;
                unparsable = 1; /* reported after the rows before it are checked */
                break;
            }
            if (has_mrr && cli_field_double(r, mcol, &mrr[n]) != 0) {
                bad_col = mcol;
                why = CLI_NOT_A_NUMBER;
                unparsable = 1;
                break;
            }
            lines[n++] = csv_line(r);
        }
        size_t bad = 0;
        int st = rtn_reason_tally_add(code, has_mrr ? mrr : NULL, n, counts,
                                      has_mrr ? lost : NULL, &bad);
        if (st == RTN_EDOMAIN) {
            if (has_mrr && !(mrr[bad] >= 0)) {
                char num[32];
                format_double(num, sizeof num, mrr[bad]);
                cli_fail("%s:%llu:%zu: column '%s': %s is negative: lost MRR must be >= 0",
                         path, (unsigned long long)lines[bad], mcol + 1, csv_header(r, mcol),
                         num);
            }
            cli_fail("%s:%llu:%zu: column '%s': reason code %d was rejected", path,
                     (unsigned long long)lines[bad], rcol + 1, csv_header(r, rcol),
                     (int)code[bad]);
        }
        if (st == RTN_EOVERFLOW)
            cli_fail("%s: the tally overflows (a count past 2^64 - 1 or an amount past the "
                     "largest double)", path);
        if (st != RTN_OK)
            cli_fail("%s: %s", path, rtn_strerror(st));
        rows += n;
    }
    if (unparsable)
        cli_bad_value(r, bad_col, why);
    free(code);
    free(mrr);
    free(lines);
    csv_close(r);
    return rows;
}

int cmd_reasons(const cli_command *cmd, const char **files)
{
    static const char *const fmts[] = {"csv", "json", NULL};
    static const char *const sorts[] = {"mrr", "count", NULL};
    const char *path = files[0];
    const char *format = cli_choice(cmd, "format", fmts);
    int has_mrr = cli_has(cmd, "mrr");
    const char *sort = cli_has(cmd, "sort") ? cli_choice(cmd, "sort", sorts)
                       : has_mrr            ? "mrr"
                                            : "count";
    if (strcmp(sort, "mrr") == 0 && !has_mrr)
        cli_usage_error(cmd, "--sort mrr needs the lost MRR: --mrr COLUMN");
    double confidence = cli_double(cmd, "confidence", 0.95);
    if (!(confidence > 0 && confidence < 1))
        cli_usage_error(cmd, "--confidence must be in (0, 1), e.g. 0.95");

    reason_codes *rc = calloc(1, sizeof *rc);
    uint64_t *counts = calloc(RTN_REASON_CODES, sizeof *counts);
    double *lost = calloc(RTN_REASON_CODES, sizeof *lost);
    rtn_reason_row *rows = xmalloc(RTN_REASON_CODES * sizeof *rows);
    if (!rc || !counts || !lost)
        cli_fail("out of memory");
    rc->next_free = RTN_REASON_USER_MIN;
    uint64_t nrows = load(cmd, path, rc, counts, lost);

    size_t n = 0;
    int st = rtn_reason_report(counts, has_mrr ? lost : NULL,
                               strcmp(sort, "mrr") == 0 ? RTN_REASON_BY_LOST_MRR
                                                        : RTN_REASON_BY_COUNT,
                               confidence, rows, RTN_REASON_CODES, &n);
    if (st == RTN_EUNDEFINED)
        cli_fail("%s: %s", path, nrows == 0 ? "no data rows (only a header): no churned customers"
                                            : "no churned customers");
    if (st != RTN_OK)
        cli_fail("%s: %s", path, rtn_strerror(st));

    uint64_t churned = 0;
    for (size_t i = 0; i < n; ++i)
        churned += rows[i].count;
    char label[32], teams[160];
    if (strcmp(format, "csv") == 0) {
        puts("reason,code,teams,count,share,share_low,share_high,lost_mrr,lost_share");
        for (size_t i = 0; i < n; ++i) {
            const rtn_reason_row *w = &rows[i];
            team_names(w->teams, teams, sizeof teams);
            cli_csv_text(reason_label(rc, w->code, label, sizeof label));
            printf(",%d,%s,%llu,", (int)w->code, teams, (unsigned long long)w->count);
            const double v[5] = {w->share, w->share_low, w->share_high, w->lost_mrr,
                                 w->lost_share};
            for (int k = 0; k < 5; ++k) {
                cli_csv_number(v[k]);
                putchar(k < 4 ? ',' : '\n');
            }
        }
    } else {
        json_begin();
        json_u64("churned", churned);
        json_string("sort", sort);
        json_double("confidence", confidence);
        fputs(", \"reasons\": [", stdout);
        for (size_t i = 0; i < n; ++i) {
            const rtn_reason_row *w = &rows[i];
            team_names(w->teams, teams, sizeof teams);
            fputs(i ? ", " : "", stdout);
            json_begin();
            json_string("reason", reason_label(rc, w->code, label, sizeof label));
            json_u64("code", (uint64_t)w->code);
            json_string("teams", teams);
            json_u64("count", w->count);
            json_double("share", w->share);
            json_double("share_low", w->share_low);
            json_double("share_high", w->share_high);
            json_double("lost_mrr", w->lost_mrr);
            json_double("lost_share", w->lost_share);
            putchar('}');
        }
        fputs("]", stdout);
        json_end();
    }
    for (size_t i = 0; i < rc->texts.used && i < USER_CODES; ++i)
        free(rc->label[i]);
    cli_ids_free(&rc->texts);
    free(rc);
    free(counts);
    free(lost);
    free(rows);
    return 0;
}
