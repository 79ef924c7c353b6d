/* Shared pieces of the `retention` command-line tool: options, input columns, JSON output. */
#ifndef RETENTION_CLI_H
#define RETENTION_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <retention/cohort.h>

#include "csv.h"

#if defined(__GNUC__) || defined(__clang__)
#define CLI_NORETURN __attribute__((noreturn))
#define CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CLI_NORETURN
#define CLI_PRINTF(f, a)
#endif

/* ---- options: "--name value" or "--name=value"; "--flag" for options without a metavar -------- */
typedef struct cli_option {
    const char *name;    /* without the leading "--" */
    const char *metavar; /* NULL for a flag */
    const char *help;
    const char *value; /* filled in by cli_parse; NULL when absent ("1" for a given flag) */
} cli_option;

typedef struct cli_command {
    const char *name;
    const char *summary;
    const char *usage; /* the arguments after the command name */
    const char *details;
    cli_option *options; /* terminated by {NULL} */
    size_t positionals;  /* FILE arguments required */
    int (*run)(const struct cli_command *cmd, const char **files);
} cli_command;

extern const char *cli_program;

/* Prints "retention: <message>" on stderr, exits with status 1 (bad input) or 2 (bad usage). */
CLI_NORETURN void cli_fail(const char *fmt, ...) CLI_PRINTF(1, 2);
CLI_NORETURN void cli_usage_error(const cli_command *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);

/* The option's value, or NULL. */
const char *cli_get(const cli_command *cmd, const char *name);
/* Typed getters: parse the option's value strictly or fail with a usage error. */
int cli_has(const cli_command *cmd, const char *name);
double cli_double(const cli_command *cmd, const char *name, double fallback);
uint64_t cli_count(const cli_command *cmd, const char *name, uint64_t fallback);
/* "MIN-MAX" (e.g. "1-5") into two bytes. */
void cli_scale(const cli_command *cmd, const char *name, uint32_t *lo, uint32_t *hi);
const char *cli_choice(const cli_command *cmd, const char *name, const char *const *choices);

/* ---- input ------------------------------------------------------------------------------------ */
/* The column named by the value of --option in r's header: 1 and *column, 0 when the option was
 * not given; a name not in the header stops the tool, listing the header. */
int cli_find_column(const cli_command *cmd, const csv_reader *r, const char *path,
                    const char *option, size_t *column);
/* Opens FILE and finds the column named by option `option`; fails with a message otherwise. */
csv_reader *cli_open_column(const cli_command *cmd, const char *path, const char *option,
                            size_t *column);
/* Reads the next record: 1, or 0 at end of file; fails on malformed input. Shows progress on
 * stderr when it is a terminal. */
int cli_next(csv_reader *r);
/* Fails naming file:line:column and the value. */
CLI_NORETURN void cli_bad_value(const csv_reader *r, size_t column, const char *why);
/* Field parsers: 0 and *out, or -1 (then report it with cli_bad_value and the reason below, once
 * the values before it have been checked, so that the first bad value is the one reported). */
int cli_field_score(const csv_reader *r, size_t column, uint8_t *out);
int cli_field_double(const csv_reader *r, size_t column, double *out);
#define CLI_NOT_A_SCORE "is not a whole-number score"
#define CLI_NOT_A_NUMBER "is not a finite number"

/* ---- event logs and customer ids (events.c) -------------------------------------------------- */
/* Customer ids as text (emails, UUIDs, "C1234") interned into dense numbers 0, 1, 2, … in order
 * of first appearance, and back. Zero-initialise; cli_ids_free() releases. */
typedef struct cli_ids {
    char **text, **by_id;
    int64_t *id;
    size_t cap, used;
} cli_ids;
int64_t cli_ids_intern(cli_ids *t, const char *s);
/* The text of an interned id, or NULL. */
const char *cli_ids_text(const cli_ids *t, int64_t id);
void cli_ids_free(cli_ids *t);
/* A customer id that is the same in every run (text_id.c): a canonical decimal int64 is itself,
 * other text BLAKE2b-64 of "s" + text, as the Python module's retention.text_id(). For saved
 * states, which only merge when their runs numbered customers alike. */
int64_t cli_text_id(const char *text);
/* Streams FILE's --customer, --time (Unix seconds or ISO 8601) and optional --amount columns into
 * b in batches, interning the customer ids into ids (NULL: cli_text_id() instead); a bad value
 * stops the tool (file:line). */
void cli_load_events(const cli_command *cmd, const char *path, rtn_cohort_builder *b,
                     cli_ids *ids);
/* ---- saved states: --state and --save-state (state.c) ----------------------------------------- */
/* For each file of a comma-separated --state list (NULL: none), merge(path, its bytes, ctx); a
 * file that cannot be read, or a bad list, stops the tool. */
typedef void (*cli_state_fn)(const char *path, const uint8_t *bytes, size_t len, void *ctx);
void cli_each_state(const char *list, cli_state_fn merge, void *ctx);
/* A buffer into a file; failures stop the tool. */
void cli_write_state(const char *path, const uint8_t *buf, size_t len);
/* Saves a builder through its rtn_*_builder_serialize (wrapped to take a const void *). */
typedef int (*cli_serializer)(const void *builder, uint8_t *buf, size_t cap, size_t *len);
void cli_save_state(const char *path, cli_serializer serialize, const void *builder);
/* Stops the tool with what a deserialise status means for the state file at path. */
CLI_NORETURN void cli_state_failed(const char *path, const char *kind, int rc);

/* Writes s as a CSV field on stdout: quoted when it holds a comma, a quote or a line end. */
void cli_csv_text(const char *s);

/* ---- output: one JSON object on stdout, numbers in the shortest form that reads back exactly --- */
void json_begin(void);
void json_u64(const char *key, uint64_t v);
void json_double(const char *key, double v); /* NaN prints as null */
void json_string(const char *key, const char *v);
void json_end(void);
/* The shortest %.*g text of v that strtod reads back as v (up to 17 digits). */
void format_double(char *buf, size_t len, double v);
/* malloc / realloc that stop the tool with "out of memory" instead of returning NULL. */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
/* Rows per batch handed to a builder's add: batches grow with the rows read (doubling from 64Ki
 * up to 4Mi), so that a large file makes few calls and few runs for the builder to merge (its
 * adds cost O(n log n) in all whatever the batch size; larger batches cost less per row). */
#define CLI_BATCH_MIN ((size_t)1 << 16)
size_t cli_batch_size(size_t current, uint64_t rows_so_far);
/* Writes v to stdout as format_double() spells it, or NA (R's spelling) when v is NaN. */
void cli_csv_number(double v);

/* ---- the commands ------------------------------------------------------------------------------ */
int cmd_nps(const cli_command *cmd, const char **files);
int cmd_csat(const cli_command *cmd, const char **files);
int cmd_ces(const cli_command *cmd, const char **files);
int cmd_aht(const cli_command *cmd, const char **files);
int cmd_retention(const cli_command *cmd, const char **files);
int cmd_churn(const cli_command *cmd, const char **files);
int cmd_convert(const cli_command *cmd, const char **files);
int cmd_lifetime(const cli_command *cmd, const char **files);
int cmd_wilson(const cli_command *cmd, const char **files);
int cmd_revenue(const cli_command *cmd, const char **files);
int cmd_clv(const cli_command *cmd, const char **files);
int cmd_cohort(const cli_command *cmd, const char **files);
int cmd_km(const cli_command *cmd, const char **files);
int cmd_rfm(const cli_command *cmd, const char **files);
int cmd_fit(const cli_command *cmd, const char **files);
int cmd_predict(const cli_command *cmd, const char **files);
int cmd_mrr(const cli_command *cmd, const char **files);
int cmd_reasons(const cli_command *cmd, const char **files);
int cmd_segments(const cli_command *cmd, const char **files);
int cmd_economics(const cli_command *cmd, const char **files);

/* Writes the NPS score distribution as an SVG bar chart. */
void svg_nps(FILE *out, const uint64_t hist[11], double nps, double ci_low, double ci_high,
             double confidence, const char *title);

/* A Kaplan-Meier curve for svg_km(): its rows (the library's columns) and its legend. */
typedef struct svg_curve {
    const char *label; /* the group; NULL for a lone curve (no legend) */
    size_t rows;
    const double *time, *survival, *lower, *upper, *censored; /* NaN bounds where undefined */
    const char *legend;                                       /* text after the label */
} svg_curve;

/* Draws survival curves as step functions over their shaded confidence bands, with censoring
 * ticks, axes and (for labelled curves) a legend. */
void svg_km(FILE *out, const svg_curve *curves, size_t k, const char *subtitle,
            const char *note, const char *xlabel);

#endif
