/* Fuzz target: the command-line tool's CSV reader (examples/cli/csv.c), its time parser
 * (examples/cli/timeparse.c), its field parsers and customer-id table (examples/cli/cli.c,
 * events.c), and the path from CSV rows into a cohort builder.
 *
 * The input is the file's bytes, written to a temporary file and read back with csv_open() /
 * csv_next() exactly as the tool reads its inputs. An independent reference parser of the same
 * grammar (RFC 4180 as csv.h describes it: comma separator, double quotes with "" for a quote,
 * quoted newlines, LF / CRLF / CR line ends, blank lines skipped, a header row) reads the same
 * bytes, and the two must agree on everything: whether the header opens, every record's fields
 * (as the C strings the reader hands out), its first line number, the bytes consumed so far,
 * the end of file, and the record at which malformed input is reported (a record with a field
 * count other than the header's, an unterminated quote, text after a closing quote).
 *
 * An input starting with bytes 0xFF 0xFE is a chunk-boundary probe: the reader reads 1 MiB at a
 * time, so the content (from the fourth byte on) is preceded by blank lines that put the boundary
 * k bytes into it (k from the third byte), which a few-kilobyte input never reaches otherwise.
 * Such an input costs a megabyte of reading: tens of milliseconds with coverage instrumentation,
 * and the fuzzer, which finds the prefix at once, would spend most of its time on them. So the
 * probes run in the replay (seeds in the corpus place the boundary inside a quoted field, between
 * the two quotes of "", between CR and LF, at the end of the file), not under libFuzzer
 * (RTN_LIBFUZZER), where the prefix is just two more bytes of content.
 *
 * Every field is also handed to the time parser (a parsed ISO time formats back to itself; Unix
 * seconds agree with strtoll), to the score and number parsers (which agree with each other), and
 * the first column to the id table (ids are dense and map back to their text). Rows whose second
 * column is a time go into a cohort builder with the third column as the amount, as
 * `retention cohort` does. Nothing here may call cli_fail(): it exits, which is not an error the
 * fuzzer can use. */
#if defined(__linux__)
#define _GNU_SOURCE /* memfd_create */
#include <sys/mman.h>
#else
#define _POSIX_C_SOURCE 200809L
#endif
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "csv.h"
#include "fuzz.h"
#include "timeparse.h"

#define CHUNK ((size_t)1 << 20) /* csv.c's read size */

/* ---- the temporary file ----------------------------------------------------------------------- */

/* On Linux an anonymous memory file, opened by the reader through /proc/self/fd/N: rewriting a
 * file on disk for every input is slow (a truncated file is flushed when closed, on ext4 say).
 * Elsewhere a temporary file in $TMPDIR. */
static char tmp_path[4096];
static int tmp_fd = -1, tmp_on_disk = 0;

static void remove_tmp(void)
{
    if (tmp_fd >= 0) {
        close(tmp_fd);
        if (tmp_on_disk)
            unlink(tmp_path);
        tmp_fd = -1;
    }
}

static int open_tmp(void)
{
#if defined(__linux__)
    tmp_fd = memfd_create("rtn_fuzz_csv", 0);
    if (tmp_fd >= 0) {
        snprintf(tmp_path, sizeof tmp_path, "/proc/self/fd/%d", tmp_fd);
        if (access(tmp_path, R_OK) == 0)
            return 0;
        close(tmp_fd);
    }
#endif
    const char *dir = getenv("TMPDIR");
    snprintf(tmp_path, sizeof tmp_path, "%s/rtn_fuzz_csv_XXXXXX", dir && *dir ? dir : "/tmp");
    tmp_fd = mkstemp(tmp_path);
    tmp_on_disk = 1;
    return tmp_fd >= 0 ? 0 : -1;
}

/* Replaces the temporary file's contents with the n bytes of head, then m bytes of tail. */
static int write_tmp(const uint8_t *head, size_t n, const uint8_t *tail, size_t m)
{
    if (tmp_fd < 0) {
        if (open_tmp() != 0)
            return -1;
        atexit(remove_tmp);
    }
    if (ftruncate(tmp_fd, 0) != 0)
        return -1;
    const uint8_t *part[2] = {head, tail};
    size_t len[2] = {n, m}, at = 0;
    for (int k = 0; k < 2; ++k)
        for (size_t done = 0; done < len[k];) {
            ssize_t w = pwrite(tmp_fd, part[k] + done, len[k] - done, (off_t)at);
            if (w <= 0) {
                if (w < 0 && errno == EINTR)
                    continue;
                return -1;
            }
            done += (size_t)w;
            at += (size_t)w;
        }
    return 0;
}

/* ---- the reference parser --------------------------------------------------------------------- */

/* A record: fields as [start, end) ranges of `text`, the unquoted bytes of the record. */
typedef struct ref_record {
    uint8_t *text;
    size_t len, cap;
    size_t *start; /* field k is text[start[k] .. start[k + 1]) (start[nfields] = len) */
    size_t nfields, fcap;
    uint64_t first_line;
} ref_record;

typedef struct ref_reader {
    const uint8_t *p;
    size_t n, pos;
    uint64_t line;
    ref_record rec;
} ref_reader;

static void ref_push(ref_record *r, uint8_t c)
{
    if (r->len == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->text = realloc(r->text, r->cap);
        FUZZ_CHECK(r->text != NULL);
    }
    r->text[r->len++] = c;
}

static void ref_field(ref_record *r)
{
    if (!r->text) { /* never NULL: fields of no bytes still point into it */
        r->cap = 64;
        r->text = malloc(r->cap);
        FUZZ_CHECK(r->text != NULL);
    }
    if (r->nfields + 1 >= r->fcap) {
        r->fcap = r->fcap ? 2 * r->fcap : 16;
        r->start = realloc(r->start, r->fcap * sizeof *r->start);
        FUZZ_CHECK(r->start != NULL);
    }
    r->start[r->nfields++] = r->len;
}

/* One record: 1, 0 at the end of the input, -1 for malformed input. */
static int ref_read(ref_reader *rd)
{
    ref_record *r = &rd->rec;
    r->len = r->nfields = 0;
    if (rd->pos == rd->n)
        return 0;
    r->first_line = rd->line;
    ref_field(r);
    int at_field_start = 1;
    while (rd->pos < rd->n) {
        uint8_t c = rd->p[rd->pos++];
        if (c == '"' && at_field_start) {
            for (;;) { /* quoted: to the closing quote; "" is a quote */
                if (rd->pos == rd->n)
                    return -1;
                c = rd->p[rd->pos++];
                if (c == '\n')
                    rd->line++;
                if (c == '"') {
                    if (rd->pos < rd->n && rd->p[rd->pos] == '"')
                        rd->pos++;
                    else
                        break;
                }
                ref_push(r, c);
            }
            if (rd->pos == rd->n)
                break;
            c = rd->p[rd->pos++];
            if (c != ',' && c != '\n' && c != '\r')
                return -1;
        }
        at_field_start = 0;
        if (c == ',') {
            ref_field(r);
            at_field_start = 1;
        } else if (c == '\n') {
            break;
        } else if (c == '\r') {
            if (rd->pos < rd->n && rd->p[rd->pos] == '\n')
                rd->pos++;
            break;
        } else {
            ref_push(r, c);
        }
    }
    rd->line++;
    r->start[r->nfields] = r->len;
    return 1;
}

/* The reader hands out C strings: a field's bytes up to its first NUL. */
static size_t ref_cstrlen(const ref_record *r, size_t k)
{
    size_t len = r->start[k + 1] - r->start[k];
    const void *nul = memchr(r->text + r->start[k], 0, len);
    return nul ? (size_t)((const uint8_t *)nul - (r->text + r->start[k])) : len;
}

static int ref_blank(const ref_record *r) { return r->nfields == 1 && ref_cstrlen(r, 0) == 0; }

static int ref_next_nonblank(ref_reader *rd)
{
    int got;
    while ((got = ref_read(rd)) == 1 && ref_blank(&rd->rec))
        ;
    return got;
}

static int same_field(const ref_record *r, size_t k, const char *field)
{
    size_t len = ref_cstrlen(r, k);
    return strlen(field) == len && memcmp(field, r->text + r->start[k], len) == 0;
}

/* ---- the field parsers ------------------------------------------------------------------------ */

static int64_t year_start(int64_t year) { return days_from_civil(year, 1, 1) * 86400; }

static void check_time(const char *s, uint8_t offset_byte)
{
    int64_t t = 0;
    const char *why = NULL;
    int rc = parse_time(s, &t, &why);
    FUZZ_CHECK(rc == 0 || (rc == -1 && why != NULL && *why != '\0'));
    /* Unix seconds: what strtoll reads (INT64_MIN has no positive twin: refused) */
    size_t i = s[0] == '-' || s[0] == '+', digits = 0;
    while (s[i + digits] >= '0' && s[i + digits] <= '9')
        ++digits;
    if (digits > 0 && s[i + digits] == '\0' && (digits < 5 || s[4] != '-')) {
        errno = 0;
        long long v = strtoll(s, NULL, 10);
        if (errno == ERANGE || v == LLONG_MIN)
            FUZZ_CHECK(rc == -1);
        else
            FUZZ_CHECK(rc == 0 && t == v);
    }
    if (rc != 0)
        return;
    /* a time in years 0000-9999 formats as ISO 8601 and parses back to itself, in any local
     * calendar (the text is local time: it parses to the time shifted by the offset) */
    int32_t offset = ((int32_t)offset_byte - 128) * 11; /* minutes, about ±23 hours */
    if (t < year_start(0) || t >= year_start(10000))
        return;
    int64_t local = t + (int64_t)offset * 60;
    if (local < year_start(0) || local >= year_start(10000))
        return;
    char buf[32], again[32];
    format_time(t, offset, buf, sizeof buf);
    int64_t back = 0;
    FUZZ_CHECK(parse_time(buf, &back, NULL) == 0 && back == local);
    format_time(back, 0, again, sizeof again);
    FUZZ_CHECK(strcmp(buf, again) == 0);
}

static int check_numbers(const csv_reader *r, size_t column)
{
    const char *s = csv_field(r, column);
    uint8_t score = 0;
    double v = NAN;
    int is_score = cli_field_score(r, column, &score) == 0;
    int is_number = cli_field_double(r, column, &v) == 0;
    FUZZ_CHECK(!is_number || isfinite(v));
    if (is_score) { /* a score is a whole number 0-255 written in digits: also a number */
        for (const char *c = s; *c; ++c)
            FUZZ_CHECK(*c >= '0' && *c <= '9');
        FUZZ_CHECK(is_number && v == (double)score);
    }
    return is_number;
}

/* ---- the target --------------------------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *content = data;
    size_t n = size, pad = 0;
    uint8_t *padding = NULL;
#ifndef RTN_LIBFUZZER /* see the file comment */
    if (size >= 3 && data[0] == 0xFF && data[1] == 0xFE) { /* chunk-boundary probe */
        content = data + 3;
        n = size - 3;
        pad = CHUNK - (size_t)data[2] % (n + 1);
        padding = malloc(pad);
        if (!padding)
            return 0;
        memset(padding, '\n', pad);
    }
#endif
    /* the reference reads the same bytes as one buffer */
    uint8_t *file = malloc(pad + n + 1);
    if (!file || write_tmp(padding, pad, content, n) != 0) {
        free(padding);
        free(file);
        return 0;
    }
    if (pad)
        memcpy(file, padding, pad);
    if (n)
        memcpy(file + pad, content, n);
    free(padding);
    /* the padding is blank lines, each skipped as a record of its own: the reference starts
     * after them (parsing a megabyte per input would halve the fuzzer's speed again) */
    ref_reader rd = {file, pad + n, pad, 1 + (uint64_t)pad, {0}};

    char err[2048] = "";
    csv_reader *r = csv_open(tmp_path, err, sizeof err);
    int want = ref_next_nonblank(&rd);
    FUZZ_CHECK((r != NULL) == (want == 1));
    if (!r) {
        FUZZ_CHECK(err[0] != '\0' && strlen(err) < sizeof err);
        goto done;
    }
    /* the header */
    size_t columns = csv_ncolumns(r);
    FUZZ_CHECK(columns == rd.rec.nfields && columns >= 1);
    FUZZ_CHECK(csv_file_size(r) == pad + n && csv_bytes_read(r) == rd.pos);
    FUZZ_CHECK(strcmp(csv_path(r), tmp_path) == 0);
    for (size_t k = 0; k < columns; ++k) {
        FUZZ_CHECK(same_field(&rd.rec, k, csv_header(r, k)));
        long found = csv_column(r, csv_header(r, k)); /* the first column of that name */
        FUZZ_CHECK(found >= 0 && (size_t)found <= k &&
                   strcmp(csv_header(r, (size_t)found), csv_header(r, k)) == 0);
    }
    FUZZ_CHECK(csv_column(r, "") == -1 || csv_header(r, (size_t)csv_column(r, ""))[0] == '\0');

    /* the records, as `retention cohort` reads them: customer, time[, amount] */
    enum { MAX_ROWS = 256 };
    int64_t customer[MAX_ROWS], time[MAX_ROWS];
    double amount[MAX_ROWS];
    size_t rows = 0;
    uint64_t last_line = csv_line(r);
    cli_ids ids = {0};
    int got;
    while ((got = csv_next(r)) == 1) {
        want = ref_next_nonblank(&rd);
        FUZZ_CHECK(want == 1 && rd.rec.nfields == columns);
        FUZZ_CHECK(csv_nfields(r) == columns && csv_line(r) == rd.rec.first_line);
        FUZZ_CHECK(csv_line(r) > last_line && csv_bytes_read(r) == rd.pos);
        last_line = csv_line(r);
        int is_number = 0;
        for (size_t k = 0; k < columns; ++k) {
            const char *field = csv_field(r, k);
            FUZZ_CHECK(same_field(&rd.rec, k, field));
            check_time(field, (uint8_t)(k + csv_line(r)));
            int number = check_numbers(r, k);
            if (k == 2)
                is_number = number;
        }
        /* the id table: dense ids, the same id for the same text, the text back */
        int64_t id = cli_ids_intern(&ids, csv_field(r, 0));
        FUZZ_CHECK(id >= 0 && (uint64_t)id < ids.used && cli_ids_intern(&ids, csv_field(r, 0)) == id);
        FUZZ_CHECK(strcmp(cli_ids_text(&ids, id), csv_field(r, 0)) == 0);
        FUZZ_CHECK(cli_ids_text(&ids, (int64_t)ids.used) == NULL && cli_ids_text(&ids, -1) == NULL);
        if (columns >= 2 && rows < MAX_ROWS && parse_time(csv_field(r, 1), &time[rows], NULL) == 0) {
            customer[rows] = id;
            amount[rows] = 0.0;
            if (columns >= 3 && is_number)
                cli_field_double(r, 2, &amount[rows]);
            ++rows;
        }
    }
    if (got == 0) { /* the end: the reference agrees and every byte was read */
        FUZZ_CHECK(ref_next_nonblank(&rd) == 0 && csv_bytes_read(r) == pad + n);
    } else { /* malformed: at the same record, with a reason */
        FUZZ_CHECK(got == -1 && csv_error(r)[0] != '\0');
        want = ref_next_nonblank(&rd);
        FUZZ_CHECK(want == -1 || (want == 1 && rd.rec.nfields != columns));
    }
    if (got == 0)
        FUZZ_CHECK(csv_next(r) == 0); /* the end stays the end */
    cli_ids_free(&ids);
    csv_close(r);

    /* the rows into a cohort builder: times outside 0001-9999 are refused with their index */
    if (rows > 0) {
        rtn_cohort_builder *b = NULL;
        if (rtn_cohort_builder_create(&b, NULL) == RTN_OK) {
            rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_QUARTER);
            rtn_cohort_builder_set(b, RTN_COHORT_MAX_PERIODS, 16);
            size_t bad = SIZE_MAX;
            int rc = rtn_cohort_builder_add(b, customer, time, amount, rows, &bad);
            FUZZ_CHECK(rc == RTN_OK || rc == RTN_EOVERFLOW ||
                       (rc == RTN_EDOMAIN && bad < rows &&
                        (time[bad] < RTN_TIME_MIN || time[bad] > RTN_TIME_MAX)));
            rtn_cohort_table *t = NULL;
            if (rc == RTN_OK) {
                rc = rtn_cohort_builder_finish(b, &t);
                FUZZ_CHECK(rc == RTN_OK || rc == RTN_ENOMEM || rc == RTN_EOVERFLOW);
                size_t cohorts = 0, periods = 0;
                if (rc == RTN_OK)
                    FUZZ_CHECK(rtn_cohort_table_dims(t, &cohorts, &periods) == RTN_OK &&
                               cohorts >= 1 && periods >= 1 && periods <= 16);
                rtn_cohort_table_free(t);
            }
            rtn_cohort_builder_free(b);
        }
    }
done:
    free(rd.rec.text);
    free(rd.rec.start);
    free(file);
    return 0;
}
