/* Streaming CSV reader of the `retention` tool: RFC 4180 records (comma separator, a header row,
 * fields optionally in double quotes with "" for a quote, quoted fields may span lines, LF or
 * CRLF line ends), read in 1 MiB chunks so files of any size stream in constant memory. */
#ifndef RETENTION_CLI_CSV_H
#define RETENTION_CLI_CSV_H

#include <stddef.h>
#include <stdint.h>

typedef struct csv_reader csv_reader;

/* Opens path ("-" for standard input) and reads its header row. Returns NULL and writes a
 * one-line reason into err on failure (missing file, empty file, bad header). */
csv_reader *csv_open(const char *path, char *err, size_t errlen);
void csv_close(csv_reader *r);

/* Reads the next record: 1 = a record is ready, 0 = end of file, -1 = malformed input (the
 * reason is in csv_error()). Blank lines are skipped. */
int csv_next(csv_reader *r);

size_t csv_nfields(const csv_reader *r);
/* Field i of the current record, NUL-terminated (valid until the next csv_next()). */
const char *csv_field(const csv_reader *r, size_t i);
/* 1-based line on which the current record starts. */
uint64_t csv_line(const csv_reader *r);
/* Index of the header column named name, or -1. */
long csv_column(const csv_reader *r, const char *name);
const char *csv_header(const csv_reader *r, size_t i);
size_t csv_ncolumns(const csv_reader *r);
const char *csv_path(const csv_reader *r);
const char *csv_error(const csv_reader *r);
/* Bytes consumed so far and the file's size (0 when unknown, e.g. a pipe): for progress. */
uint64_t csv_bytes_read(const csv_reader *r);
uint64_t csv_file_size(const csv_reader *r);

#endif
