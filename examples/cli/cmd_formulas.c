/* Formula commands: retention, churn, convert, lifetime, wilson, revenue, clv. Inputs are
 * options; the output is one JSON object. A single-number command fails (exit 1, the library's
 * message) when its number is undefined; a command that prints several prints null for an
 * undefined one and the reason under "<key>_error". */
#include <math.h>
#include <retention.h>
#include <string.h>

#include "cli.h"

/* A required count or number option. */
static uint64_t need_count(const cli_command *cmd, const char *name)
{
    if (!cli_has(cmd, name))
        cli_usage_error(cmd, "--%s is required", name);
    return cli_count(cmd, name, 0);
}

static double need_double(const cli_command *cmd, const char *name)
{
    if (!cli_has(cmd, name))
        cli_usage_error(cmd, "--%s is required", name);
    return cli_double(cmd, name, 0.0);
}

/* Prints key: *value, or key: null plus key_error: the reason. The value is passed by address
 * and read here, after the call that produced rc: as a by-value argument beside that call its
 * evaluation could come first. */
static void json_result(const char *key, int rc, const double *value)
{
    if (rc == RTN_OK) {
        json_double(key, *value);
        return;
    }
    char err_key[64];
    snprintf(err_key, sizeof err_key, "%s_error", key);
    json_double(key, NAN);
    json_string(err_key, rtn_strerror(rc));
}

static void need_ok(const cli_command *cmd, int rc)
{
    if (rc != RTN_OK)
        cli_fail("%s: %s", cmd->name, rtn_strerror(rc));
}

int cmd_retention(const cli_command *cmd, const char **files)
{
    (void)files;
    double rate;
    need_ok(cmd, rtn_retention_rate(need_count(cmd, "start"), need_count(cmd, "end"),
                                    cli_count(cmd, "new", 0), &rate));
    json_begin();
    json_double("retention_rate", rate);
    json_end();
    return 0;
}

int cmd_churn(const cli_command *cmd, const char **files)
{
    (void)files;
    double confidence = cli_double(cmd, "confidence", 0.95);
    if (cli_has(cmd, "customer-days")) {
        double rate;
        need_ok(cmd, rtn_churn_rate_customer_days(need_count(cmd, "lost"),
                                                  need_double(cmd, "customer-days"),
                                                  cli_double(cmd, "period-days", 30.0), &rate));
        json_begin();
        json_double("churn_customer_days", rate);
        json_end();
        return 0;
    }
    uint64_t start = need_count(cmd, "start");
    uint64_t lost;
    uint64_t end = 0;
    if (cli_has(cmd, "lost")) {
        lost = cli_count(cmd, "lost", 0);
        end = cli_has(cmd, "end") ? cli_count(cmd, "end", 0) : (start >= lost ? start - lost : 0);
    } else {
        /* from the seed's counts: lost = S − (E − N) */
        end = need_count(cmd, "end");
        uint64_t acquired = cli_count(cmd, "new", 0);
        if (end < acquired || end - acquired > start)
            cli_fail("churn: --end minus --new must be between 0 and --start");
        lost = start - (end - acquired);
    }
    double rate, average, low, high;
    need_ok(cmd, rtn_churn_rate_start(start, lost, &rate));
    json_begin();
    json_u64("start", start);
    json_u64("lost", lost);
    json_double("churn", rate);
    json_result("churn_average", rtn_churn_rate_average(start, end, lost, &average), &average);
    int rc = rtn_rate_wilson_interval(lost, start, confidence, &low, &high);
    if (rc == RTN_EINVAL)
        cli_usage_error(cmd, "--confidence must be in (0, 1), e.g. 0.95");
    json_result("ci_low", rc, &low);
    json_result("ci_high", rc, &high);
    json_double("confidence", confidence);
    if (cli_has(cmd, "periods")) {
        double converted;
        json_result("churn_converted",
                    rtn_churn_rate_convert(rate, cli_double(cmd, "periods", 1.0), &converted), &converted);
    }
    double lifetime;
    json_result("lifetime", rtn_churn_lifetime(rate, &lifetime), &lifetime);
    json_end();
    return 0;
}

int cmd_convert(const cli_command *cmd, const char **files)
{
    (void)files;
    double converted;
    need_ok(cmd, rtn_churn_rate_convert(need_double(cmd, "rate"), need_double(cmd, "periods"),
                                        &converted));
    json_begin();
    json_double("converted", converted);
    json_end();
    return 0;
}

int cmd_lifetime(const cli_command *cmd, const char **files)
{
    (void)files;
    double lifetime;
    need_ok(cmd, rtn_churn_lifetime(need_double(cmd, "churn"), &lifetime));
    json_begin();
    json_double("lifetime", lifetime);
    json_end();
    return 0;
}

int cmd_wilson(const cli_command *cmd, const char **files)
{
    (void)files;
    double low, high;
    int rc = rtn_rate_wilson_interval(need_count(cmd, "k"), need_count(cmd, "n"),
                                      cli_double(cmd, "confidence", 0.95), &low, &high);
    if (rc == RTN_EINVAL)
        cli_usage_error(cmd, "--confidence must be in (0, 1), e.g. 0.95");
    need_ok(cmd, rc);
    json_begin();
    json_double("low", low);
    json_double("high", high);
    json_end();
    return 0;
}

int cmd_revenue(const cli_command *cmd, const char **files)
{
    (void)files;
    double start = need_double(cmd, "start");
    double churned = cli_double(cmd, "churned", 0.0);
    double contraction = cli_double(cmd, "contraction", 0.0);
    double expansion = cli_double(cmd, "expansion", 0.0);
    double reactivation = cli_double(cmd, "reactivation", 0.0);
    double new_revenue = cli_double(cmd, "new", 0.0);
    double v;
    json_begin();
    json_result("gross_churn", rtn_revenue_churn_gross(start, churned, contraction, &v), &v);
    json_result("net_churn",
                rtn_revenue_churn_net(start, churned, contraction, expansion, reactivation, &v), &v);
    json_result("nrr", rtn_revenue_nrr(start, churned, contraction, expansion, &v), &v);
    json_result("grr", rtn_revenue_grr(start, churned, contraction, &v), &v);
    json_result("quick_ratio",
                rtn_revenue_quick_ratio(new_revenue + reactivation, expansion, churned,
                                        contraction, &v), &v);
    if (cli_has(cmd, "accounts")) {
        /* ARPA of the period's end revenue */
        double end = start + new_revenue + expansion + reactivation - contraction - churned;
        json_result("arpa", rtn_revenue_arpa(end, cli_count(cmd, "accounts", 0), &v), &v);
    }
    json_end();
    return 0;
}

int cmd_clv(const cli_command *cmd, const char **files)
{
    (void)files;
    double arpa = need_double(cmd, "arpa");
    double margin = cli_double(cmd, "margin", 1.0);
    double churn = need_double(cmd, "churn");
    double v, clv = NAN;
    json_begin();
    int rc = rtn_clv_simple(arpa, margin, churn, &clv);
    json_result("clv", rc, &clv);
    if (cli_has(cmd, "discount")) {
        rc = rtn_clv_discounted(arpa * margin, 1.0 - churn, cli_double(cmd, "discount", 0.0), &v);
        json_result("clv_discounted", rc, &v);
        if (rc == RTN_OK)
            clv = v;
    }
    if (cli_has(cmd, "cac")) {
        double cac = cli_double(cmd, "cac", 0.0);
        json_result("cac_payback", rtn_clv_cac_payback(cac, arpa, margin, &v), &v);
        /* LTV:CAC from the discounted CLV when a discount is given, else the simple one */
        if (isnan(clv))
            json_result("ltv_cac", RTN_EUNDEFINED, &clv);
        else
            json_result("ltv_cac", rtn_clv_ltv_cac(clv, cac, &v), &v);
    }
    json_end();
    return 0;
}
