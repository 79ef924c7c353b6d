/* Saved partial states, for `retention cohort` and `retention km`: --save-state FILE writes the
 * builder's bytes (the library's versioned, checksummed format), --state FILE[,FILE...] merges
 * saved states into the builder of this run's input. Runs over parts of a log — other days,
 * other machines, other processes — thus combine into the table of all of it, exactly: the
 * library's merge is exact for any partition of the rows. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static uint8_t *read_state(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        cli_fail("%s: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = xmalloc(cap);
    for (;;) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        cap *= 2;
        buf = xrealloc(buf, cap);
    }
    int failed = ferror(f);
    fclose(f);
    if (failed)
        cli_fail("%s: read error", path);
    *len = n;
    return buf;
}

void cli_write_state(const char *path, const uint8_t *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        cli_fail("%s: %s", path, strerror(errno));
    int failed = fwrite(buf, 1, len, f) != len;
    failed |= fclose(f) != 0;
    if (failed)
        cli_fail("%s: write error", path);
}

void cli_save_state(const char *path, cli_serializer serialize, const void *builder)
{
    size_t len = 0;
    if (serialize(builder, NULL, 0, &len) != RTN_EBUFSIZE)
        cli_fail("%s: the state is too large to save", path);
    uint8_t *buf = xmalloc(len ? len : 1);
    if (serialize(builder, buf, len, &len) != RTN_OK)
        cli_fail("%s: saving the state failed", path);
    cli_write_state(path, buf, len);
    free(buf);
}

/* The next name of a comma-separated --state list (advancing *list), copied into buf; NULL at
 * the end. An empty name or one of cap bytes or more stops the tool. */
static const char *next_path(const char **list, char *buf, size_t cap)
{
    const char *s = *list;
    if (!s || !*s)
        return NULL;
    const char *comma = strchr(s, ',');
    size_t len = comma ? (size_t)(comma - s) : strlen(s);
    if (len == 0 || len >= cap)
        cli_fail("--state: '%.*s' is not a file name (give FILE[,FILE...])", (int)len, s);
    memcpy(buf, s, len);
    buf[len] = '\0';
    *list = comma ? comma + 1 : s + len;
    if (comma && !comma[1])
        cli_fail("--state: the list ends with a comma");
    return buf;
}

void cli_each_state(const char *list, cli_state_fn merge, void *ctx)
{
    char buf[4096];
    const char *path;
    while ((path = next_path(&list, buf, sizeof buf)) != NULL) {
        size_t len;
        uint8_t *bytes = read_state(path, &len);
        merge(path, bytes, len, ctx);
        free(bytes);
    }
}

void cli_state_failed(const char *path, const char *kind, int rc)
{
    if (rc == RTN_ECORRUPT)
        cli_fail("%s: not a saved %s state, or a damaged one (%s)", path, kind, rtn_strerror(rc));
    if (rc == RTN_EVERSION)
        cli_fail("%s: a %s state in another version of the format; save it again with this "
                 "version (%s)", path, kind, rtn_strerror(rc));
    cli_fail("%s: %s", path, rtn_strerror(rc));
}
