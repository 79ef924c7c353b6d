/* Reasons family: why customers leave, and who can do something about it — the churn log of a
 * CRM (examples/data/churned.csv: customer_id, churned_on, reason as the customer-success team
 * typed it, mrr_lost) coded into the built-in taxonomy, tallied, and reported by lost MRR with
 * each reason's share of the churned customers (and its Wilson interval: is the top reason
 * really on top, or noise?), its share of the lost MRR, and the teams that mitigate it.
 *
 * Reason text is matched to the built-in names ignoring case, with spaces and hyphens counting
 * as underscores ("Failed launch", "failed-launch" → failed_launch; an empty reason → other);
 * any other text becomes a reason of the user's own, code 64, 65, … in order of appearance,
 * named by its text in the same form ("Acquired by competitor" → acquired_by_competitor).
 * The log is tallied a year at a time, and the years' tallies are added into the whole.
 *
 *   reasons_report [churned.csv]
 *
 * Build against an installed libretention:
 *   cc reasons_report.c $(pkg-config --cflags --libs retention) -o reasons_report */
#include <ctype.h>
#include <math.h>
#include <retention.h>
#include <stdint.h>

#include "example_csv.h"

#define KEY_LEN 64
#define MAX_YEARS 16

static int check(int rc, const char *what)
{
    if (rc != RTN_OK)
        fprintf(stderr, "%s: %s\n", what, rtn_strerror(rc));
    return rc;
}

/* The user's own reasons: code RTN_REASON_USER_MIN + i is key[i] (normalised text, so that
 * "Price" and "price" are one reason). */
typedef struct custom_reasons {
    size_t n;
    char key[RTN_REASON_USER_MAX - RTN_REASON_USER_MIN + 1][KEY_LEN];
} custom_reasons;

/* Lower case, spaces and hyphens as underscores, surrounding blanks dropped. */
static void normalise(const char *text, char key[KEY_LEN])
{
    size_t n = 0;
    while (*text == ' ')
        ++text;
    for (; *text && n + 1 < KEY_LEN; ++text)
        key[n++] = *text == ' ' || *text == '-' ? '_' : (char)tolower((unsigned char)*text);
    while (n > 0 && key[n - 1] == '_')
        --n;
    key[n] = '\0';
}

/* The code of a reason's text: a built-in reason, else the user's own (added if new); -1 when
 * there are more user reasons than codes. */
static int32_t reason_code(const char *text, custom_reasons *custom)
{
    char key[KEY_LEN];
    int32_t code;
    normalise(text, key);
    if (key[0] == '\0')
        return RTN_REASON_OTHER; /* not coded */
    if (rtn_reason_code(key, &code) == RTN_OK)
        return code;
    for (size_t i = 0; i < custom->n; ++i)
        if (strcmp(custom->key[i], key) == 0)
            return RTN_REASON_USER_MIN + (int32_t)i;
    if (custom->n == sizeof custom->key / sizeof custom->key[0])
        return -1;
    memcpy(custom->key[custom->n], key, KEY_LEN);
    return RTN_REASON_USER_MIN + (int32_t)custom->n++;
}

static const char *reason_label(int32_t code, const custom_reasons *custom)
{
    const char *name = rtn_reason_name(code);
    return name ? name : custom->key[code - RTN_REASON_USER_MIN];
}

/* The team names of a mask, comma-separated, into buf. */
static const char *team_list(uint32_t teams, char *buf, size_t len)
{
    buf[0] = '\0';
    for (uint32_t bit = 1; bit <= RTN_TEAM_RELATIONSHIP_MANAGEMENT; bit <<= 1)
        if (teams & bit) {
            size_t used = strlen(buf);
            snprintf(buf + used, len - used, "%s%s", used ? ", " : "", rtn_team_name(bit));
        }
    return teams ? buf : "-";
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "examples/data/churned.csv";
    csv_table t;
    if (csv_read(path, &t) != 0)
        return 1;
    long reason_col = csv_column(&t, "reason"), date_col = csv_column(&t, "churned_on");
    if (reason_col < 0 || date_col < 0) {
        csv_free(&t);
        return 1;
    }

    /* one tally per year of the log (the calendar year of churned_on) */
    static uint64_t counts[MAX_YEARS][RTN_REASON_CODES];
    static double lost[MAX_YEARS][RTN_REASON_CODES];
    static custom_reasons custom;
    int year_of[MAX_YEARS], years = 0, status = 1;
    for (size_t r = 0; r < t.rows; ++r) {
        const char *text = t.text[r * t.cols + (size_t)reason_col];
        int32_t code = reason_code(text, &custom);
        double amount = csv_number(&t, r, "mrr_lost");
        int year = atoi(t.text[r * t.cols + (size_t)date_col]), y = 0;
        while (y < years && year_of[y] != year)
            ++y;
        if (y == years && years == MAX_YEARS) {
            fprintf(stderr, "%s: line %zu: more than %d years\n", path, r + 2, MAX_YEARS);
            goto done;
        }
        if (y == years)
            year_of[years++] = year;
        if (code < 0) {
            fprintf(stderr, "%s: line %zu: too many reasons of your own\n", path, r + 2);
            goto done;
        }
        size_t bad = 0;
        if (check(rtn_reason_tally_add(&code, &amount, 1, counts[y], lost[y], &bad), path) !=
            RTN_OK) {
            fprintf(stderr, "  at line %zu\n", r + 2);
            goto done;
        }
    }

    /* tallies add element-wise: the years' tallies make the whole log's */
    uint64_t all_counts[RTN_REASON_CODES] = {0};
    double all_lost[RTN_REASON_CODES] = {0};
    for (int y = 0; y < years; ++y)
        for (int c = 0; c < RTN_REASON_CODES; ++c) {
            all_counts[c] += counts[y][c];
            all_lost[c] += lost[y][c];
        }
    rtn_reason_row rows[RTN_REASON_CODES];
    size_t n_rows = 0;
    if (check(rtn_reason_report(all_counts, all_lost, RTN_REASON_BY_LOST_MRR, 0.95, rows,
                                RTN_REASON_CODES, &n_rows),
              "report") != RTN_OK)
        goto done;

    uint64_t churned = 0;
    double lost_mrr = 0;
    for (size_t i = 0; i < n_rows; ++i) {
        churned += rows[i].count;
        lost_mrr += rows[i].lost_mrr;
    }
    printf("libretention %s — churn reasons for %s\n", rtn_version_string(), path);
    printf("%llu churned customers, %.2f of MRR lost; by lost MRR:\n\n",
           (unsigned long long)churned, lost_mrr);
    printf("%-24s %7s %7s %16s %10s %7s  %s\n", "reason", "churned", "share", "95% CI", "lost MRR",
           "share", "mitigated by");
    for (size_t i = 0; i < n_rows; ++i) {
        char teams[128];
        printf("%-24s %7llu %6.1f%% [%5.1f%%, %5.1f%%] %10.2f %6.1f%%  %s\n",
               reason_label(rows[i].code, &custom), (unsigned long long)rows[i].count,
               100 * rows[i].share, 100 * rows[i].share_low, 100 * rows[i].share_high,
               rows[i].lost_mrr, 100 * rows[i].lost_share,
               team_list(rows[i].teams, teams, sizeof teams));
    }

    /* each team's part: the churn it can act on (a reason with two teams counts for both) */
    printf("\n%-24s %7s %10s %7s\n", "team", "churned", "lost MRR", "share");
    for (uint32_t bit = 1; bit <= RTN_TEAM_RELATIONSHIP_MANAGEMENT; bit <<= 1) {
        uint64_t k = 0;
        double mrr = 0;
        for (size_t i = 0; i < n_rows; ++i)
            if (rows[i].teams & bit) {
                k += rows[i].count;
                mrr += rows[i].lost_mrr;
            }
        printf("%-24s %7llu %10.2f %6.1f%%\n", rtn_team_name(bit), (unsigned long long)k, mrr,
               100 * mrr / lost_mrr);
    }

    /* the top reason by count, year by year */
    printf("\n");
    for (int y = 0; y < years; ++y) {
        rtn_reason_row top[RTN_REASON_CODES];
        size_t n_top = 0;
        if (check(rtn_reason_report(counts[y], NULL, RTN_REASON_BY_COUNT, 0.95, top,
                                    RTN_REASON_CODES, &n_top),
                  "report") != RTN_OK)
            goto done;
        uint64_t k = 0;
        for (size_t i = 0; i < n_top; ++i)
            k += top[i].count;
        printf("%d: %llu churned; most often %s (%llu, %.1f%% [%.1f%%, %.1f%%])", year_of[y],
               (unsigned long long)k, reason_label(top[0].code, &custom),
               (unsigned long long)top[0].count, 100 * top[0].share, 100 * top[0].share_low,
               100 * top[0].share_high);
        if (n_top > 1)
            printf(", then %s (%llu)", reason_label(top[1].code, &custom),
                   (unsigned long long)top[1].count);
        printf("\n");
    }
    status = 0;
done:
    csv_free(&t);
    return status;
}
