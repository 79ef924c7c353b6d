# The example programs and how the checks run them, sourced by check_install.sh and
# check_abi_headers.sh (POSIX sh; $src is the source directory).
EXAMPLES="churn_report survey_report clv_report survival_report mrr_report reasons_report segments_report"

run_examples_verbose() { # $1 = directory of the built examples; their output on stdout
    "$1/churn_report" "$src/examples/data/subscriptions.csv"
    "$1/survey_report" "$src/examples/data/survey.csv"
    "$1/clv_report"
    "$1/survival_report" "$src/examples/data/lifetimes.csv"
    "$1/mrr_report" "$src/examples/data/mrr.csv"
    "$1/reasons_report" "$src/examples/data/churned.csv"
    "$1/segments_report" "$src/examples/data/accounts.csv"
}
run_examples() { run_examples_verbose "$1" >/dev/null; }
