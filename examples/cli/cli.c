/* Options, input columns with file:line:column errors, progress, and JSON output. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *cli_program = "retention";

void cli_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", cli_program);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

void cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s %s: ", cli_program, cmd->name);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see '%s %s --help')\n", cli_program, cmd->name);
    va_end(ap);
    exit(2);
}

static const cli_option *find_option(const cli_command *cmd, const char *name)
{
    for (const cli_option *o = cmd->options; o->name; ++o)
        if (strcmp(o->name, name) == 0)
            return o;
    return NULL;
}

const char *cli_get(const cli_command *cmd, const char *name)
{
    const cli_option *o = find_option(cmd, name);
    return o ? o->value : NULL;
}

int cli_has(const cli_command *cmd, const char *name) { return cli_get(cmd, name) != NULL; }

double cli_double(const cli_command *cmd, const char *name, double fallback)
{
    const char *s = cli_get(cmd, name);
    if (!s)
        return fallback;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
        cli_usage_error(cmd, "--%s: '%s' is not a finite number", name, s);
    return v;
}

uint64_t cli_count(const cli_command *cmd, const char *name, uint64_t fallback)
{
    const char *s = cli_get(cmd, name);
    if (!s)
        return fallback;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE || s[0] == '-' || s[0] == '+')
        cli_usage_error(cmd, "--%s: '%s' is not a count (a whole number >= 0)", name, s);
    return (uint64_t)v;
}

void cli_scale(const cli_command *cmd, const char *name, uint32_t *lo, uint32_t *hi)
{
    const char *s = cli_get(cmd, name);
    if (!s)
        return;
    unsigned a, b;
    char tail;
    if (sscanf(s, "%u-%u%c", &a, &b, &tail) != 2 || a >= b || b > 255)
        cli_usage_error(cmd, "--%s: '%s' is not a scale MIN-MAX with 0 <= MIN < MAX <= 255", name,
                        s);
    *lo = a;
    *hi = b;
}

const char *cli_choice(const cli_command *cmd, const char *name, const char *const *choices)
{
    const char *s = cli_get(cmd, name);
    if (!s)
        return choices[0];
    for (const char *const *c = choices; *c; ++c)
        if (strcmp(s, *c) == 0)
            return *c;
    cli_usage_error(cmd, "--%s: '%s' is not one of the choices", name, s);
}

/* ---- input ------------------------------------------------------------------------------------ */

int cli_find_column(const cli_command *cmd, const csv_reader *r, const char *path,
                    const char *option, size_t *column)
{
    const char *name = cli_get(cmd, option);
    if (!name)
        return 0;
    long c = csv_column(r, name);
    if (c < 0) {
        char have[512];
        size_t used = 0;
        have[0] = '\0';
        for (size_t i = 0; i < csv_ncolumns(r) && used < 400; ++i)
            used += (size_t)snprintf(have + used, sizeof have - used, "%s%.64s", i ? ", " : "",
                                     csv_header(r, i));
        cli_fail("%s: no column '%s' (the header has: %s)", path, name, have);
    }
    *column = (size_t)c;
    return 1;
}

csv_reader *cli_open_column(const cli_command *cmd, const char *path, const char *option,
                            size_t *column)
{
    if (!cli_get(cmd, option))
        cli_usage_error(cmd, "--%s COLUMN is required", option);
    char err[512];
    csv_reader *r = csv_open(path, err, sizeof err);
    if (!r)
        cli_fail("%s", err);
    cli_find_column(cmd, r, path, option, column);
    return r;
}

static void progress(const csv_reader *r, int done)
{
    static int tty = -1;
    static uint64_t next_report = 0;
    if (tty < 0)
        tty = isatty(STDERR_FILENO);
    if (!tty)
        return;
    uint64_t read = csv_bytes_read(r), size = csv_file_size(r);
    if (done) {
        if (next_report > 0)
            fprintf(stderr, "\r\033[K");
        return;
    }
    if (read < next_report)
        return;
    next_report = read + (64u << 20);
    if (size > 0)
        fprintf(stderr, "\r%s: %s %.0f%% (%llu MiB)", cli_program, csv_path(r),
                100.0 * (double)read / (double)size, (unsigned long long)(read >> 20));
    else
        fprintf(stderr, "\r%s: %s %llu MiB", cli_program, csv_path(r),
                (unsigned long long)(read >> 20));
}

int cli_next(csv_reader *r)
{
    int got = csv_next(r);
    if (got < 0)
        cli_fail("%s", csv_error(r));
    progress(r, got == 0);
    return got;
}

void cli_bad_value(const csv_reader *r, size_t column, const char *why)
{
    cli_fail("%s:%llu:%zu: column '%s': '%s' %s", csv_path(r), (unsigned long long)csv_line(r),
             column + 1, csv_header(r, column), csv_field(r, column), why);
}

int cli_field_score(const csv_reader *r, size_t column, uint8_t *out)
{
    const char *s = csv_field(r, column);
    unsigned v = 0;
    size_t i = 0;
    for (; s[i] >= '0' && s[i] <= '9' && v <= 255; ++i)
        v = v * 10 + (unsigned)(s[i] - '0');
    if (i == 0 || s[i] != '\0' || v > 255)
        return -1;
    *out = (uint8_t)v;
    return 0;
}

int cli_field_double(const csv_reader *r, size_t column, double *out)
{
    const char *s = csv_field(r, column);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* ---- output -------------------------------------------------------------------------------------- */

static int json_fields;

void format_double(char *buf, size_t len, double v)
{
    for (int digits = 15; digits <= 17; ++digits) {
        snprintf(buf, len, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        cli_fail("out of memory");
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        cli_fail("out of memory");
    return q;
}

size_t cli_batch_size(size_t current, uint64_t rows_so_far)
{
    const size_t most = (size_t)1 << 22;
    while (current < most && rows_so_far >= current)
        current *= 2;
    return current;
}

void cli_csv_number(double v)
{
    char num[32] = "NA";
    if (!isnan(v))
        format_double(num, sizeof num, v);
    fputs(num, stdout);
}

static void json_key(const char *key)
{
    printf("%s\"%s\": ", json_fields++ ? ", " : "", key);
}

void json_begin(void)
{
    json_fields = 0;
    putchar('{');
}

void json_u64(const char *key, uint64_t v)
{
    json_key(key);
    printf("%llu", (unsigned long long)v);
}

void json_double(const char *key, double v)
{
    json_key(key);
    if (isnan(v)) {
        fputs("null", stdout);
        return;
    }
    char buf[32];
    format_double(buf, sizeof buf, v);
    fputs(buf, stdout);
}

void json_string(const char *key, const char *v)
{
    json_key(key);
    putchar('"');
    for (const char *p = v; *p; ++p) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if ((unsigned char)*p < 0x20)
            printf("\\u%04x", (unsigned)*p);
        else
            putchar(*p);
    }
    putchar('"');
}

void json_end(void) { fputs("}\n", stdout); }
