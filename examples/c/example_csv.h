/* A deliberately small CSV reader for the examples: a header row, comma-separated fields without
 * quotes, and numeric columns read by name. (The `retention` command-line tool has the full
 * reader; the examples keep to what they show.) Header-only, plain C99. */
#ifndef EXAMPLE_CSV_H
#define EXAMPLE_CSV_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_MAX_COLS 32
#define CSV_MAX_LINE 4096

typedef struct csv_table {
    size_t rows, cols;
    char names[CSV_MAX_COLS][64];
    char **text; /* rows × cols field strings, row-major */
} csv_table;

/* Splits line in place at commas; returns the number of fields (≤ CSV_MAX_COLS). */
static inline size_t csv_split(char *line, char **fields)
{
    size_t n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; n < CSV_MAX_COLS; ++p) {
        fields[n++] = p;
        p = strchr(p, ',');
        if (!p)
            break;
        *p = '\0';
    }
    return n;
}

static inline void csv_free(csv_table *t)
{
    for (size_t i = 0; t->text && i < t->rows * t->cols; ++i)
        free(t->text[i]);
    free(t->text);
    t->text = NULL;
}

/* Reads the whole file; 0 on success, else prints why to stderr and returns -1. */
static inline int csv_read(const char *path, csv_table *t)
{
    char line[CSV_MAX_LINE];
    char *fields[CSV_MAX_COLS];
    FILE *f = fopen(path, "r");
    memset(t, 0, sizeof *t);
    if (!f || !fgets(line, sizeof line, f)) {
        fprintf(stderr, "%s: cannot read a header row\n", path);
        if (f)
            fclose(f);
        return -1;
    }
    t->cols = csv_split(line, fields);
    for (size_t c = 0; c < t->cols; ++c)
        snprintf(t->names[c], sizeof t->names[c], "%s", fields[c]);
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '\n' || line[0] == '\0')
            continue;
        if (csv_split(line, fields) != t->cols) {
            fprintf(stderr, "%s: line %zu: expected %zu fields\n", path, t->rows + 2, t->cols);
            fclose(f);
            csv_free(t);
            return -1;
        }
        if (t->rows == cap) {
            cap = cap ? 2 * cap : 256;
            char **grown = realloc(t->text, cap * t->cols * sizeof *grown);
            if (!grown) {
                fclose(f);
                csv_free(t);
                return -1;
            }
            t->text = grown;
        }
        for (size_t c = 0; c < t->cols; ++c) {
            char *copy = malloc(strlen(fields[c]) + 1);
            if (!copy) {
                fclose(f);
                csv_free(t);
                return -1;
            }
            t->text[t->rows * t->cols + c] = strcpy(copy, fields[c]);
        }
        t->rows++;
    }
    fclose(f);
    return 0;
}

static inline long csv_column(const csv_table *t, const char *name)
{
    for (size_t c = 0; c < t->cols; ++c)
        if (strcmp(t->names[c], name) == 0)
            return (long)c;
    fprintf(stderr, "no column named '%s'\n", name);
    return -1;
}

/* The field at (row, column name) as a double; exits the example on a missing column or a bad
 * number, naming the line. */
static inline double csv_number(const csv_table *t, size_t row, const char *name)
{
    long c = csv_column(t, name);
    if (c < 0)
        exit(1);
    const char *s = t->text[row * t->cols + (size_t)c];
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0') {
        fprintf(stderr, "line %zu, column %s: '%s' is not a number\n", row + 2, name, s);
        exit(1);
    }
    return v;
}

/* A count column: a whole number in [0, 2^53]; exits the example naming the line otherwise. */
static inline uint64_t csv_count(const csv_table *t, size_t row, const char *name)
{
    double v = csv_number(t, row, name);
    if (!(v >= 0 && v <= 9007199254740992.0) || v != (double)(uint64_t)v) {
        fprintf(stderr, "line %zu, column %s: %g is not a count\n", row + 2, name, v);
        exit(1);
    }
    return (uint64_t)v;
}

/* A score column as a byte. A value that no byte can hold (negative, fractional, above 255)
 * becomes 255, which is off every scale the examples use, so the library rejects it with
 * RTN_EDOMAIN and the index of the row. */
static inline uint8_t csv_score(const csv_table *t, size_t row, const char *name)
{
    double v = csv_number(t, row, name);
    return v >= 0 && v <= 255 && v == (double)(uint8_t)v ? (uint8_t)v : 255;
}

static inline const char *csv_text(const csv_table *t, size_t row, const char *name)
{
    long c = csv_column(t, name);
    if (c < 0)
        exit(1);
    return t->text[row * t->cols + (size_t)c];
}

#endif
