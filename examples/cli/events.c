/* Event logs (customer, time[, amount]) streamed in batches into a cohort builder, shared by
 * `retention cohort` and `retention rfm`; customer ids of any text interned into dense numbers
 * and printed back as CSV fields. */
#include <retention.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "timeparse.h"


/* An open-addressing table of string copies (doubled at 50 % load) and, by id, the same
 * copies: exact (no hashing collisions) and compact, which keeps the library's sort on its fast
 * path. */
static uint64_t fnv1a(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (; *s; ++s)
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}

static void ids_grow(cli_ids *t)
{
    size_t cap = t->cap ? 2 * t->cap : 1024;
    char **text = calloc(cap, sizeof *text);
    int64_t *id = malloc(cap * sizeof *id);
    char **by_id = realloc(t->by_id, cap / 2 * sizeof *by_id);
    if (!text || !id || !by_id)
        cli_fail("out of memory");
    for (size_t i = 0; i < t->cap; ++i) {
        if (!t->text[i])
            continue;
        size_t j = (size_t)fnv1a(t->text[i]) & (cap - 1);
        while (text[j])
            j = (j + 1) & (cap - 1);
        text[j] = t->text[i];
        id[j] = t->id[i];
    }
    free(t->text);
    free(t->id);
    t->text = text;
    t->id = id;
    t->by_id = by_id;
    t->cap = cap;
}

int64_t cli_ids_intern(cli_ids *t, const char *s)
{
    if (2 * (t->used + 1) > t->cap)
        ids_grow(t);
    size_t j = (size_t)fnv1a(s) & (t->cap - 1);
    for (; t->text[j]; j = (j + 1) & (t->cap - 1))
        if (strcmp(t->text[j], s) == 0)
            return t->id[j];
    size_t len = strlen(s) + 1;
    if (!(t->text[j] = malloc(len)))
        cli_fail("out of memory");
    memcpy(t->text[j], s, len);
    t->by_id[t->used] = t->text[j];
    t->id[j] = (int64_t)t->used++;
    return t->id[j];
}

const char *cli_ids_text(const cli_ids *t, int64_t id)
{
    return id >= 0 && (uint64_t)id < t->used ? t->by_id[id] : NULL;
}

void cli_ids_free(cli_ids *t)
{
    for (size_t i = 0; i < t->cap; ++i)
        free(t->text[i]);
    free(t->text);
    free(t->id);
    free(t->by_id);
    memset(t, 0, sizeof *t);
}

void cli_load_events(const cli_command *cmd, const char *path, rtn_cohort_builder *b,
                     cli_ids *ids)
{
    size_t ccol, tcol, acol = 0;
    /* one open (standard input can be read only once), every column checked against it */
    if (!cli_has(cmd, "time"))
        cli_usage_error(cmd, "--time COLUMN is required");
    csv_reader *r = cli_open_column(cmd, path, "customer", &ccol);
    cli_find_column(cmd, r, path, "time", &tcol);
    int has_amount = cli_find_column(cmd, r, path, "amount", &acol);
    size_t batch = CLI_BATCH_MIN;
    int64_t *customer = xmalloc(batch * sizeof *customer), *time = xmalloc(batch * sizeof *time);
    double *amount = xmalloc(batch * sizeof *amount);
    uint64_t *lines = xmalloc(batch * sizeof *lines), rows = 0;
    int more = 1;
    while (more) {
        size_t grown = cli_batch_size(batch, rows);
        if (grown != batch) {
            batch = grown;
            customer = xrealloc(customer, batch * sizeof *customer);
            time = xrealloc(time, batch * sizeof *time);
            amount = xrealloc(amount, batch * sizeof *amount);
            lines = xrealloc(lines, batch * sizeof *lines);
        }
        size_t n = 0;
        while (n < batch && (more = cli_next(r)) == 1) {
            const char *why = NULL;
            if (parse_time(csv_field(r, tcol), &time[n], &why) != 0)
                cli_bad_value(r, tcol, why);
            if (has_amount && cli_field_double(r, acol, &amount[n]) != 0)
                cli_bad_value(r, acol, CLI_NOT_A_NUMBER);
            const char *id = csv_field(r, ccol);
            customer[n] = ids ? cli_ids_intern(ids, id) : cli_text_id(id);
            lines[n++] = csv_line(r);
        }
        size_t bad = 0;
        int rc = rtn_cohort_builder_add(b, customer, time, has_amount ? amount : NULL, n, &bad);
        if (rc == RTN_EDOMAIN)
            cli_fail("%s:%llu: time outside 0001-01-01 .. 9999-12-31", path,
                     (unsigned long long)lines[bad]);
        if (rc != RTN_OK)
            cli_fail("%s: %s", path, rtn_strerror(rc));
        rows += n;
    }
    free(customer);
    free(time);
    free(amount);
    free(lines);
    csv_close(r);
}

void cli_csv_text(const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s; ++s) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}
