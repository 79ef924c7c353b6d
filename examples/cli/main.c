/* retention — libretention from the shell: CSV in, JSON (or SVG) out.
 *
 *   retention COMMAND [FILE] [--option VALUE ...]
 *   retention --help | --version | COMMAND --help
 *
 * Every number is printed in the shortest form that reads back exactly, so results compare
 * exactly with other tools. Exit status: 0 success, 1 bad input (the message names file, line
 * and column), 2 bad usage. */
#include <retention.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define END_OPTIONS {NULL, NULL, NULL, NULL}

static cli_option nps_opts[] = {
    {"score", "COL", "the column of 0-10 scores (required)", NULL},
    {"confidence", "C", "confidence level of the interval (default 0.95)", NULL},
    {"method", "M", "interval: adjusted-wald (default) or wald", NULL},
    {"format", "F", "json (default) or svg (the score distribution as a bar chart)", NULL},
    END_OPTIONS};
static cli_option csat_opts[] = {
    {"score", "COL", "the column of scores (required)", NULL},
    {"scale", "MIN-MAX", "the scale (default 1-5)", NULL},
    {"satisfied-min", "V", "lowest satisfied score (default MAX - 1: the top-2 box)", NULL},
    {"confidence", "C", "confidence level of the Wilson interval (default 0.95)", NULL},
    END_OPTIONS};
static cli_option ces_opts[] = {
    {"score", "COL", "the column of scores (required)", NULL},
    {"scale", "MIN-MAX", "the scale (default 1-7)", NULL},
    END_OPTIONS};
static cli_option aht_opts[] = {
    {"duration", "COL", "the column of handle times, >= 0, any unit (required)", NULL},
    END_OPTIONS};
static cli_option retention_opts[] = {
    {"start", "S", "customers at the start of the period (required)", NULL},
    {"end", "E", "customers at the end (required)", NULL},
    {"new", "N", "customers acquired during the period (default 0)", NULL},
    END_OPTIONS};
static cli_option churn_opts[] = {
    {"start", "S", "customers at the start of the period", NULL},
    {"end", "E", "customers at the end", NULL},
    {"new", "N", "customers acquired during the period (default 0)", NULL},
    {"lost", "L", "customers lost (instead of --end/--new)", NULL},
    {"confidence", "C", "confidence level of the Wilson interval (default 0.95)", NULL},
    {"periods", "K", "also convert the churn to periods of K (12: monthly to annual)", NULL},
    {"customer-days", "D", "customer-days at risk: churn = lost / D x period-days", NULL},
    {"period-days", "P", "with --customer-days: days per period (default 30)", NULL},
    END_OPTIONS};
static cli_option convert_opts[] = {
    {"rate", "R", "churn per period, in [0, 1] (required)", NULL},
    {"periods", "K", "target period in source periods: 12 = monthly to annual (required)", NULL},
    END_OPTIONS};
static cli_option lifetime_opts[] = {
    {"churn", "C", "churn per period, in (0, 1) (required)", NULL},
    END_OPTIONS};
static cli_option wilson_opts[] = {
    {"k", "K", "successes (required)", NULL},
    {"n", "N", "trials (required)", NULL},
    {"confidence", "C", "confidence level (default 0.95)", NULL},
    END_OPTIONS};
static cli_option revenue_opts[] = {
    {"start", "MRR", "recurring revenue at the start of the period (required)", NULL},
    {"churned", "X", "start revenue of customers who left (default 0)", NULL},
    {"contraction", "X", "decrease from customers who stayed (default 0)", NULL},
    {"expansion", "X", "increase from customers who stayed (default 0)", NULL},
    {"reactivation", "X", "revenue of returning customers (default 0)", NULL},
    {"new", "X", "revenue of new customers (default 0)", NULL},
    {"accounts", "A", "paying accounts at the end: adds ARPA", NULL},
    END_OPTIONS};
static cli_option clv_opts[] = {
    {"arpa", "A", "revenue per account per period (required)", NULL},
    {"margin", "M", "gross margin in [0, 1] (default 1)", NULL},
    {"churn", "C", "churn per period, in (0, 1) (required)", NULL},
    {"discount", "D", "discount rate per period: adds m r / (1 + d - r)", NULL},
    {"cac", "X", "acquisition cost: adds CAC payback and LTV:CAC", NULL},
    END_OPTIONS};

static cli_option cohort_opts[] = {
    {"customer", "COL", "the customer id column: any text, compared exactly (required)", NULL},
    {"time", "COL", "the event time column: Unix seconds or ISO 8601 (required)", NULL},
    {"amount", "COL", "an amount column: adds revenue to --format json", NULL},
    {"period", "P", "day, week (ISO), month (default), quarter, or a number of seconds", NULL},
    {"kind", "K", "on (active in period k, default) or on-or-after (rolling)", NULL},
    {"utc-offset", "MIN", "local calendar offset from UTC in minutes (default 0)", NULL},
    {"observation-end", "TIME", "data observed through TIME (default: the latest event)", NULL},
    {"max-periods", "N", "at most N periods per cohort", NULL},
    {"format", "F", "csv (default), json, or svg (a heat-map)", NULL},
    {"state", "FILE,...", "saved states to merge in (then FILE is optional)", NULL},
    {"save-state", "FILE", "also save the merged state, for a later --state", NULL},
    END_OPTIONS};

static cli_option km_opts[] = {
    {"duration", "COL", "time to churn or censoring: a number >= 0, any unit (required)", NULL},
    {"event", "COL", "1 = churned at that time, 0 = still a customer (censored) (required)", NULL},
    {"group", "COL", "one curve per value (any text, compared exactly): the log-rank test", NULL},
    {"entry", "COL", "time observation began, 0 <= entry < duration (left truncation)", NULL},
    {"weight", "COL", "case weight >= 0 (default 1)", NULL},
    {"conf-type", "T", "confidence bounds: log (default, R's), log-log or plain", NULL},
    {"confidence", "C", "confidence level of the bounds (default 0.95)", NULL},
    {"rho", "R", "with --group: weights S(t-)^R; 0 log-rank (default), 1 Peto-Peto", NULL},
    {"format", "F", "csv (default), json (default with --group) or svg (the curves)", NULL},
    {"state", "FILE,...", "saved states to merge in (then FILE is optional)", NULL},
    {"save-state", "FILE", "also save the merged state, for a later --state", NULL},
    END_OPTIONS};

static cli_option rfm_opts[] = {
    {"customer", "COL", "the customer id column: any text, compared exactly (required)", NULL},
    {"time", "COL", "the purchase time column: Unix seconds or ISO 8601 (required)", NULL},
    {"amount", "COL", "the purchase amount column: adds monetary", NULL},
    {"calibration-end", "TIME", "the last day of the calibration period (required)", NULL},
    {"holdout-end", "TIME", "the last day of a holdout period after it: adds x_holdout", NULL},
    {"unit", "U", "the unit of t_x and T: day (default) or week", NULL},
    {"utc-offset", "MIN", "local calendar offset from UTC in minutes (default 0)", NULL},
    END_OPTIONS};

/* The RFM columns of `fit` and `predict`: named as `rfm` names them unless given. */
#define RFM_COLUMN_OPTIONS                                                                        \
    {"x", "COL", "repeat purchases, a whole number >= 0 (default x)", NULL},                      \
        {"t-x", "COL", "recency: last purchase - first, 0 when x = 0 (default t_x)", NULL},       \
        {"T", "COL", "age: calibration end - first purchase, >= t_x (default T)", NULL},          \
        {"monetary", "COL", "mean spend of the repeat purchases (default monetary)", NULL}

static cli_option fit_opts[] = {
    RFM_COLUMN_OPTIONS,
    {"weight", "COL", "customers per row, >= 0 (default 1)", NULL},
    {"alive", "COL", "sbg: customers still active at the start of each period (needed when FILE has several columns)", NULL},
    {"cohort", "COL", "sbg: the cohort of each count (any text): cohorts share the fit", NULL},
    END_OPTIONS};

static cli_option predict_opts[] = {
    {"params", "LIST", "the model's parameters: r,alpha,a,b (bgnbd) or r,alpha,s,beta", NULL},
    {"fit", NULL, "fit the parameters not given (--params, --gamma-gamma) on FILE first", NULL},
    {"horizon", "H", "expected purchases in (T, T + H], in t_x's unit (required)", NULL},
    {"customer", "COL", "the customer id column, copied to the output (default customer)", NULL},
    RFM_COLUMN_OPTIONS,
    {"gamma-gamma", "LIST", "spend parameters p,q,gamma: adds clv (with the next three)", NULL},
    {"discount", "D", "clv: discount rate per period of length L, >= 0", NULL},
    {"period-length", "L", "clv: the discount period, in t_x's unit (e.g. 4.345 weeks)", NULL},
    {"periods", "K", "clv (bgnbd): the value of the next K periods", NULL},
    END_OPTIONS};

static cli_option mrr_opts[] = {
    {"customer", "COL", "the customer id column: any text, compared exactly (required)", NULL},
    {"period", "COL", "the period column: whole-number indices (month numbers, say)", NULL},
    {"time", "COL", "instead of --period: times (Unix seconds, ISO 8601, or YYYY-MM)", NULL},
    {"unit", "U", "with --time: periods of day, week (ISO), month (default) or quarter", NULL},
    {"mrr", "COL", "the recurring revenue paid in the period, >= 0 (required)", NULL},
    {"first", "P", "the first period of the table (an index, or a time with --time)", NULL},
    {"last", "P", "the last period of the table (default: the latest period of any row)", NULL},
    {"format", "F", "csv (default) or json", NULL},
    END_OPTIONS};

static cli_option reasons_opts[] = {
    {"reason", "COL", "the churn reason of each churned customer: a name or a code (required)",
     NULL},
    {"mrr", "COL", "the MRR each customer took with them, >= 0: adds lost_mrr, lost_share", NULL},
    {"sort", "S", "order by lost MRR (mrr, the default with --mrr) or count", NULL},
    {"confidence", "C", "confidence level of the Wilson intervals (default 0.95)", NULL},
    {"format", "F", "csv (default) or json", NULL},
    END_OPTIONS};

static cli_option segments_opts[] = {
    {"segment", "COL", "the segment column: any text, compared exactly (required)", NULL},
    {"retained", "COL", "1/0, true/false or yes/no: retained over the horizon (required)", NULL},
    {"reference", "LABEL", "the segment the others are compared with (default: the first)", NULL},
    {"confidence", "C", "confidence level of the intervals (default 0.95)", NULL},
    {"format", "F", "csv (default) or json (adds the chi-square test)", NULL},
    END_OPTIONS};

static cli_option economics_opts[] = {
    {"margin", "M", "margin earned per retained customer per period, >= 0 (required)", NULL},
    {"retention", "R", "retention per period, in [0, 1] (required)", NULL},
    {"points", "P", "the rise in retention, a fraction: 0.05 = five points (required)", NULL},
    {"discount", "D", "discount rate per period, >= 0 (default 0)", NULL},
    {"cac", "X", "acquisition cost per customer, >= 0 (default 0)", NULL},
    {"cohort-size", "N", "customers in the cohort, >= 0 (default 1)", NULL},
    {"horizon", "H", "periods of value counted, 0 = no end (default 0)", NULL},
    END_OPTIONS};

static const cli_command commands[] = {
    {"nps", "Net Promoter Score of a score column, with its interval", "FILE --score COL",
     "Prints {n, promoters, passives, detractors, nps, se, ci_low, ci_high, confidence, "
     "method}.\nNPS = 100 (promoters - detractors) / n; promoters score 9-10, detractors 0-6.",
     nps_opts, 1, cmd_nps},
    {"csat", "customer satisfaction: the top-box share, Wilson interval", "FILE --score COL",
     "Prints {n, satisfied, csat, se, ci_low, ci_high, confidence}; csat is a share in [0, 1].",
     csat_opts, 1, cmd_csat},
    {"ces", "customer effort score: the mean score", "FILE --score COL",
     "Prints {n, mean, se}; se is null with fewer than two responses.", ces_opts, 1, cmd_ces},
    {"aht", "average handle time of a duration column", "FILE --duration COL",
     "Prints {n, mean}.", aht_opts, 1, cmd_aht},
    {"cohort", "cohort retention table of an event log", "FILE --customer COL --time COL",
     "Prints CSV: cohort,size,p0,p1,... with cohort the ISO date its first period starts and pK\n"
     "the share of the cohort active in period K; a cell whose period has not started by the\n"
     "observation end is censored and left empty (never 0). --format json adds active counts,\n"
     "revenue, each cell's status (complete, partial, censored) and the average curve.\n"
     "Saved states: --save-state OUT writes the builder (the library's format) and --state\n"
     "A,B,... merges saved ones in, so runs over parts of a log give the table of all of it,\n"
     "exactly. A saved state numbers customers the same in every run: an integer id is itself,\n"
     "other text its 64-bit BLAKE2b hash (retention.text_id() in Python). The period and UTC\n"
     "offset come with a state; --kind, --observation-end and --max-periods apply to the result.",
     cohort_opts, 1, cmd_cohort},
    {"km", "Kaplan-Meier survival curve; log-rank test of groups",
     "FILE --duration COL --event COL [--group COL]",
     "Prints CSV: time,at_risk,events,censored,survival,std_err,lower,upper, one row per\n"
     "distinct time at which customers leave; std_err is the standard error of S(t)\n"
     "(Greenwood), as R's summary(survfit(...)) prints it; NA where undefined (std_err and the\n"
     "bounds once S = 0, log-log bounds where S = 1). With --group, prints the G-rho test (the\n"
     "log-rank test at --rho 0) as {chisq, df, p_value, rho, confidence, conf_type, groups:\n"
     "[{group, n, observed, expected, median, median_lower, median_upper}]}, groups in sorted\n"
     "order of their text, a median null where S stays above 0.5; --format csv then adds a\n"
     "first column, group. --format svg draws the curves with their confidence bands.\n"
     "Weights and entry times count as in R's survfit(Surv(entry, duration, event), weights).\n"
     "Saved states (one curve, not with --group): --save-state OUT writes the builder and\n"
     "--state A,B,... merges saved ones in: runs over parts of the subjects give their curve.",
     km_opts, 1, cmd_km},
    {"rfm", "RFM summary of a purchase log: the input of the models",
     "FILE --customer COL --time COL --calibration-end TIME",
     "Prints CSV: customer,x,t_x,T (then monetary with --amount, x_holdout with\n"
     "--holdout-end), one row per customer whose first purchase is not after the calibration\n"
     "end, in order of first appearance in FILE. Purchases on the same (local) day merge into\n"
     "one, their amounts added: x = purchase days after the first, to the calibration end;\n"
     "t_x = last of them - first purchase day (0 when x = 0); T = calibration end - first day;\n"
     "monetary = the mean amount of the x repeat days (0 when x = 0); x_holdout = purchase\n"
     "days after the calibration end, to the holdout end. TIME is a date or Unix seconds.",
     rfm_opts, 1, cmd_rfm},
    {"fit", "maximum-likelihood fit of a lifetime-value model",
     "(bgnbd | pareto-nbd | gamma-gamma) RFMFILE | sbg FILE --alive COL",
     "Prints {model, <parameters>, log_likelihood, n, converged, se: {<parameters>}}:\n"
     "  bgnbd        BG/NBD {r, alpha, a, b} from columns x, t_x, T (as `rfm` writes them)\n"
     "  pareto-nbd   Pareto/NBD {r, alpha, s, beta} from x, t_x, T\n"
     "  gamma-gamma  Gamma-Gamma spend {p, q, gamma} from x, monetary (rows with x = 0 skipped)\n"
     "  sbg          shifted-beta-geometric {alpha, beta} from survivor counts: the cohort's\n"
     "               size, then its customers still active at the start of each period\n"
     "n is the customers the likelihood used (the sum of --weight; for sbg the cohort sizes,\n"
     "and cohorts their number). A standard error is null where the optimum is flat or on a\n"
     "boundary. A fit that does not converge fails (status 1).",
     fit_opts, 2, cmd_fit},
    {"predict", "P(alive), expected purchases, CLV per customer",
     "(bgnbd | pareto-nbd) RFMFILE (--params LIST | --fit) --horizon H",
     "Prints CSV: customer,p_alive,expected (then clv), one row per row of RFMFILE in its\n"
     "order: the probability the customer is still active at T, and the expected purchases\n"
     "in the next H time units (t_x's unit). CLV needs spend parameters (--gamma-gamma, or\n"
     "--fit to fit them on the monetary column) and --discount D --period-length L:\n"
     "  bgnbd       clv = spend x sum_{k=1..K} (E(kL) - E((k-1)L)) / (1 + D)^k (--periods K)\n"
     "  pareto-nbd  clv = spend x DERT, the discounted expected residual purchases over the\n"
     "              whole lifetime at the continuous rate ln(1 + D) / L (no --periods)\n"
     "with spend the Gamma-Gamma expected mean spend. Multiply by a margin for profit.",
     predict_opts, 2, cmd_predict},
    {"mrr", "recurring-revenue bridge: MRR movements and rates per period",
     "FILE --customer COL (--period COL | --time COL [--unit U]) --mrr COL",
     "Prints CSV: period,start,new,expansion,reactivation,contraction,churned,end, the same\n"
     "seven as customer counts (start_customers ... end_customers), then gross_revenue_churn,\n"
     "net_revenue_churn,nrr,grr,quick_ratio; one row per period from --first (default: the\n"
     "earliest period of any row) to --last (default: the latest; rows before --first still\n"
     "count, rows after --last do not). A row is a customer's MRR in a period: several rows of\n"
     "one customer in one period add up (two subscriptions; monthly rows read with --unit\n"
     "quarter would add three months: revenue per quarter, not MRR); 0 = not paying. A customer who paid before, stopped and pays again is\n"
     "reactivation, not new. period is the index, or with --time the ISO date its period\n"
     "starts (UTC calendar; YYYY-MM means the month's first day; --first and --last then take\n"
     "any time inside the period). A rate is NA where undefined (no start MRR; for the quick\n"
     "ratio, no losses).\n"
     "--format json prints {unit, periods: [{period, start, ...}]} with null for NA.",
     mrr_opts, 1, cmd_mrr},
    {"reasons", "churned customers by churn reason: shares, lost MRR, teams",
     "FILE --reason COL [--mrr COL]",
     "Prints CSV: reason,code,teams,count,share,share_low,share_high,lost_mrr,lost_share, one\n"
     "row per reason, largest lost MRR (or count) first; share_low/high are the Wilson interval\n"
     "of the share, teams those that mitigate the reason joined by '+'. A reason is a built-in\n"
     "name (other, wrong_use_case, failed_launch, features, low_usage, roi_value,\n"
     "organization_change; any case, spaces and hyphens as underscores), a code 0-6 or\n"
     "64-255, empty (= other), or any other text: a reason of your own, matched as loosely\n"
     "(\"Price\" = \"price\"), shown as first written, and given the next free code from 64 in\n"
     "order of first appearance (at most 192). Ties go by the other measure, then by code.\n"
     "--format json prints {churned, sort, confidence, reasons: [...]}. Without --mrr,\n"
     "lost_mrr and lost_share are NA.",
     reasons_opts, 1, cmd_reasons},
    {"segments", "retention compared between segments: lift, intervals, tests",
     "FILE --segment COL --retained COL [--reference LABEL]",
     "Prints CSV: segment,retained,n,rate,rate_low,rate_high,diff,diff_low,diff_high,lift,\n"
     "lift_low,lift_high,z,p_value, segments in sorted order of their text: the retention rate\n"
     "with its Wilson interval; the difference from the reference with Newcombe's hybrid score\n"
     "interval; the relative lift rate / reference - 1 with the Katz log interval; the pooled\n"
     "two-proportion z test against the reference. NA where undefined (the reference's own\n"
     "intervals and test). --format json prints {chisq, df, p_value, reference, confidence,\n"
     "segments: [...]} with Pearson's chi-square test of equal retention in all segments.",
     segments_opts, 1, cmd_segments},
    {"retention", "retention rate (E - N) / S", "--start S --end E [--new N]",
     "Prints {retention_rate}.", retention_opts, 0, cmd_retention},
    {"churn", "customer churn, its interval, lifetime", "--start S (--end E [--new N] | --lost L)",
     "Prints {start, lost, churn, churn_average, ci_low, ci_high, confidence, lifetime}\n"
     "(and churn_converted with --periods); or {churn_customer_days} with --customer-days D\n"
     "--lost L.",
     churn_opts, 0, cmd_churn},
    {"convert", "churn between period lengths: 1 - (1 - rate)^K", "--rate R --periods K",
     "Prints {converted}.", convert_opts, 0, cmd_convert},
    {"lifetime", "expected lifetime 1 / churn, in periods", "--churn C", "Prints {lifetime}.",
     lifetime_opts, 0, cmd_lifetime},
    {"wilson", "Wilson score interval for k of n", "--k K --n N", "Prints {low, high}.",
     wilson_opts, 0, cmd_wilson},
    {"revenue", "revenue churn (gross, net), NRR, GRR, quick ratio", "--start MRR [movements]",
     "Prints {gross_churn, net_churn, nrr, grr, quick_ratio} (and arpa with --accounts);\n"
     "an undefined value is null, with the reason under <key>_error.",
     revenue_opts, 0, cmd_revenue},
    {"clv", "lifetime value, CAC payback, LTV:CAC", "--arpa A --churn C [--margin M]",
     "Prints {clv} = ARPA x margin / churn (and clv_discounted, cac_payback, ltv_cac).",
     clv_opts, 0, cmd_clv},
    {"economics", "what more retention is worth: CLV and cohort profit",
     "--margin M --retention R --points P",
     "Prints {clv_before, clv_after, clv_change, profit_before, profit_after, profit_change}:\n"
     "CLV = the present value of M at the end of each retained period, M q (1 - q^H) / (1 - q)\n"
     "with q = R / (1 + D) (M R / (1 + D - R) with no horizon), at R and at R + P; profit =\n"
     "cohort size x (CLV - CAC); the changes relative (null where the base is 0).",
     economics_opts, 0, cmd_economics},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void print_help(void)
{
    printf("usage: %s COMMAND [FILE] [--option VALUE ...]\n\n"
           "Customer retention metrics from the shell, computed by libretention %s.\n"
           "FILE is a CSV file with a header row (or - for standard input).\n\n"
           "commands:\n",
           cli_program, rtn_version_string());
    for (size_t i = 0; i < NCOMMANDS; ++i)
        printf("  %-10s %s\n", commands[i].name, commands[i].summary);
    printf("\n'%s COMMAND --help' describes a command; '%s --version' prints the version.\n",
           cli_program, cli_program);
}

static void print_command_help(const cli_command *cmd)
{
    printf("usage: %s %s %s\n\n%s: %s.\n%s\n\noptions:\n", cli_program, cmd->name, cmd->usage,
           cmd->name, cmd->summary, cmd->details);
    for (const cli_option *o = cmd->options; o->name; ++o) {
        char left[64];
        snprintf(left, sizeof left, "--%s %s", o->name, o->metavar ? o->metavar : "");
        printf("  %-24s %s\n", left, o->help);
    }
}

/* Fills the command's option values and its FILE arguments from argv; usage errors exit. */
static void parse_arguments(const cli_command *cmd, int argc, char **argv, const char **files)
{
    size_t nfiles = 0;
    for (int i = 0; i < argc; ++i) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_command_help(cmd);
            exit(0);
        }
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (nfiles == cmd->positionals)
                cli_usage_error(cmd, "unexpected argument '%s'", arg);
            files[nfiles++] = arg;
            continue;
        }
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        cli_option *opt = NULL;
        for (cli_option *o = cmd->options; o->name; ++o)
            if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
                opt = o;
        if (!opt)
            cli_usage_error(cmd, "unknown option '--%.*s'", (int)len, name);
        if (!opt->metavar) { /* a flag */
            if (eq)
                cli_usage_error(cmd, "--%s takes no value", opt->name);
            opt->value = "1";
        } else if (eq)
            opt->value = eq + 1;
        else if (i + 1 < argc)
            opt->value = argv[++i];
        else
            cli_usage_error(cmd, "--%s needs a value", opt->name);
    }
    /* saved states may stand in for the input file */
    const char *states = NULL;
    for (const cli_option *o = cmd->options; o->name; ++o)
        if (strcmp(o->name, "state") == 0)
            states = o->value;
    if (nfiles < cmd->positionals && !(states && cmd->positionals == 1))
        cli_usage_error(cmd, cmd->positionals > 1 ? "a MODEL and a FILE are required"
                                                  : "a FILE is required");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help();
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_help();
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("retention %s (libretention %s)\n", RTN_VERSION_STRING, rtn_version_string());
        return 0;
    }
    for (size_t i = 0; i < NCOMMANDS; ++i) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            const char *files[2] = {NULL, NULL};
            parse_arguments(&commands[i], argc - 2, argv + 2, files);
            return commands[i].run(&commands[i], files);
        }
    }
    fprintf(stderr, "%s: unknown command '%s' (see '%s --help')\n", cli_program, argv[1],
            cli_program);
    return 2;
}
