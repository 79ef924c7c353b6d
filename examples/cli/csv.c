/* Streaming CSV reader: a byte-at-a-time state machine over 1 MiB chunks, so a quoted field may
 * straddle chunk boundaries and memory stays constant however large the file. */
#define _POSIX_C_SOURCE 200809L
#include "csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CHUNK (1u << 20)

struct csv_reader {
    FILE *f;
    int owns_file;
    char path[1024];
    unsigned char *buf; /* current chunk */
    size_t len, pos;
    int eof;
    uint64_t consumed, size, line, record_line;
    /* the current record: fields stored back to back, NUL-terminated, found by offset */
    char *text;
    size_t text_len, text_cap;
    size_t *offsets;
    size_t nfields, fields_cap;
    /* the header */
    char **names;
    size_t ncolumns;
    char error[1400];
};

static int next_byte(csv_reader *r)
{
    if (r->pos == r->len) {
        if (r->eof)
            return EOF;
        r->len = fread(r->buf, 1, CHUNK, r->f);
        r->pos = 0;
        if (r->len == 0) {
            r->eof = 1;
            return EOF;
        }
    }
    r->consumed++;
    return r->buf[r->pos++];
}

static int peek_byte(csv_reader *r)
{
    int c = next_byte(r);
    if (c != EOF) {
        r->pos--;
        r->consumed--;
    }
    return c;
}

static int push_char(csv_reader *r, char c)
{
    if (r->text_len == r->text_cap) {
        size_t cap = r->text_cap ? 2 * r->text_cap : 256;
        char *t = realloc(r->text, cap);
        if (!t)
            return -1;
        r->text = t;
        r->text_cap = cap;
    }
    r->text[r->text_len++] = c;
    return 0;
}

static int start_field(csv_reader *r)
{
    if (r->nfields == r->fields_cap) {
        size_t cap = r->fields_cap ? 2 * r->fields_cap : 16;
        size_t *o = realloc(r->offsets, cap * sizeof *o);
        if (!o)
            return -1;
        r->offsets = o;
        r->fields_cap = cap;
    }
    r->offsets[r->nfields++] = r->text_len;
    return 0;
}

static int fail(csv_reader *r, const char *what)
{
    snprintf(r->error, sizeof r->error, "%s:%llu: %s", r->path, (unsigned long long)r->line,
             what);
    return -1;
}

/* Reads one record (possibly empty: a blank line) into text/offsets. 1, 0 at EOF, -1 error. */
static int read_record(csv_reader *r)
{
    r->text_len = 0;
    r->nfields = 0;
    int c = next_byte(r);
    if (c == EOF)
        return 0;
    r->record_line = r->line;
    if (start_field(r))
        return fail(r, "out of memory");
    for (;;) {
        if (c == '"' && r->text_len == r->offsets[r->nfields - 1]) {
            /* a quoted field: up to the closing quote, "" is a quote, newlines are data */
            for (;;) {
                c = next_byte(r);
                if (c == EOF)
                    return fail(r, "unterminated quoted field");
                if (c == '\n')
                    r->line++;
                if (c == '"') {
                    if (peek_byte(r) == '"') {
                        next_byte(r);
                    } else {
                        break;
                    }
                }
                if (push_char(r, (char)c))
                    return fail(r, "out of memory");
            }
            c = next_byte(r);
            if (c != ',' && c != '\n' && c != '\r' && c != EOF)
                return fail(r, "a quoted field must be followed by a comma or a line end");
        }
        if (c == ',') {
            if (push_char(r, '\0') || start_field(r))
                return fail(r, "out of memory");
        } else if (c == '\n' || c == EOF) {
            break;
        } else if (c == '\r') {
            if (peek_byte(r) == '\n')
                next_byte(r); /* CRLF */
            break;
        } else if (push_char(r, (char)c)) {
            return fail(r, "out of memory");
        }
        c = next_byte(r);
    }
    r->line++;
    if (push_char(r, '\0'))
        return fail(r, "out of memory");
    return 1;
}

/* A record is blank when it is one empty field (an empty line). */
static int blank(const csv_reader *r) { return r->nfields == 1 && r->text[0] == '\0'; }

csv_reader *csv_open(const char *path, char *err, size_t errlen)
{
    csv_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->buf = malloc(CHUNK))) {
        snprintf(err, errlen, "%s: out of memory", path);
        free(r);
        return NULL;
    }
    snprintf(r->path, sizeof r->path, "%s", path);
    r->line = 1;
    if (strcmp(path, "-") == 0) {
        r->f = stdin;
    } else {
        r->f = fopen(path, "rb");
        r->owns_file = 1;
    }
    if (!r->f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        csv_close(r);
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(r->f), &st) == 0 && S_ISREG(st.st_mode))
        r->size = (uint64_t)st.st_size;
    int got;
    while ((got = read_record(r)) == 1 && blank(r))
        ;
    if (got != 1) {
        snprintf(err, errlen, "%s", got == 0 ? "" : r->error);
        if (got == 0)
            snprintf(err, errlen, "%s: empty file (a header row is needed)", path);
        csv_close(r);
        return NULL;
    }
    r->names = calloc(r->nfields, sizeof *r->names);
    r->ncolumns = r->nfields;
    for (size_t i = 0; r->names && i < r->nfields; ++i) {
        const char *name = r->text + r->offsets[i];
        r->names[i] = malloc(strlen(name) + 1);
        if (!r->names[i]) {
            snprintf(err, errlen, "%s: out of memory", path);
            csv_close(r);
            return NULL;
        }
        strcpy(r->names[i], name);
    }
    if (!r->names) {
        snprintf(err, errlen, "%s: out of memory", path);
        csv_close(r);
        return NULL;
    }
    return r;
}

void csv_close(csv_reader *r)
{
    if (!r)
        return;
    if (r->f && r->owns_file)
        fclose(r->f);
    for (size_t i = 0; r->names && i < r->ncolumns; ++i)
        free(r->names[i]);
    free(r->names);
    free(r->buf);
    free(r->text);
    free(r->offsets);
    free(r);
}

int csv_next(csv_reader *r)
{
    int got;
    while ((got = read_record(r)) == 1 && blank(r))
        ;
    if (got == 1 && r->nfields != r->ncolumns) {
        snprintf(r->error, sizeof r->error, "%s:%llu: %zu fields, but the header has %zu",
                 r->path, (unsigned long long)r->record_line, r->nfields, r->ncolumns);
        return -1;
    }
    return got;
}

size_t csv_nfields(const csv_reader *r) { return r->nfields; }
const char *csv_field(const csv_reader *r, size_t i) { return r->text + r->offsets[i]; }
uint64_t csv_line(const csv_reader *r) { return r->record_line; }
size_t csv_ncolumns(const csv_reader *r) { return r->ncolumns; }
const char *csv_header(const csv_reader *r, size_t i) { return r->names[i]; }
const char *csv_path(const csv_reader *r) { return r->path; }
const char *csv_error(const csv_reader *r) { return r->error; }
uint64_t csv_bytes_read(const csv_reader *r) { return r->consumed; }
uint64_t csv_file_size(const csv_reader *r) { return r->size; }

long csv_column(const csv_reader *r, const char *name)
{
    for (size_t i = 0; i < r->ncolumns; ++i)
        if (strcmp(r->names[i], name) == 0)
            return (long)i;
    return -1;
}
