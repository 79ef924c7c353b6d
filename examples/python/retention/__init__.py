"""retention — Python face of libretention (ctypes + numpy; no compiler needed).

Customer retention and churn rates, revenue churn, NRR/GRR, NPS, CSAT, CES, formula CLV,
calendar periods, cohort retention tables (mergeable builders, censoring-aware tables),
customer survival (Kaplan-Meier curves with Greenwood intervals, quantiles, restricted mean;
log-rank tests; mergeable builders), and lifetime-value models (sBG contract renewals with
DEL/DERL; RFM summaries of purchase logs, mergeable through cohort builders; BG/NBD and
Pareto/NBD purchases and Gamma-Gamma spend, fitted by maximum likelihood, their P(alive),
expected purchases, DERT and CLV), the MRR bridge (new, expansion, reactivation, contraction and
churned revenue per period; mergeable builders), churn reasons (a taxonomy with the teams that
mitigate each reason; shares with Wilson intervals, sorted by lost MRR), segment comparisons
(Newcombe differences, Katz lifts, z and chi-square tests) and retention economics, computed by
the C library libretention::

    import retention
    retention.churn_rate_start(1000, 100)            # 0.1
    r = retention.nps(scores)                        # scores: a numpy uint8 column, 0..10
    r.nps, r.se, (r.ci_low, r.ci_high)
    t = retention.cohort_table(customer, time, period="month")   # int64 ids, Unix seconds
    t.retention, t.status, t.average                 # NaN where censored, never 0 %
    km = retention.kaplan_meier(days, churned)       # float64 durations, 0/1 or bool flags
    km.survival, km.median(), km.rmst(365)           # a median never reached is NaN
    retention.logrank(days, churned, plan).p_value   # plan: any labels, e.g. strings
    s = retention.sbg_fit([1000, 869, 743, 653])      # survivor counts of a cohort
    s.alpha, s.beta, s.survival(10), s.expected_lifetime(0.1)
    rfm = retention.rfm_summary(customer, time, amount, calibration_end=end)  # t_x, T in weeks
    bg = retention.bgnbd_fit(rfm.x, rfm.t_x, rfm.T)  # .r .alpha .a .b, .se, .log_likelihood
    bg.p_alive(rfm.x, rfm.t_x, rfm.T), bg.expected(52, rfm.x, rfm.t_x, rfm.T)
    pn = retention.pareto_nbd_fit(rfm.x, rfm.t_x, rfm.T)  # .r .alpha .s .beta; .dert(delta, …)
    gg = retention.gamma_gamma_fit(rfm.x, rfm.monetary)
    retention.clv(bg, gg, rfm.x, rfm.t_x, rfm.T, rfm.monetary, 0.01, 4.345, 12)
    m = retention.mrr_movements(customer, month, mrr)   # any ids; month: period indices
    m.new, m.reactivation, m.churned, m.nrr, m.to_frame()  # start + new + … − churned == end
    retention.churn_reasons(["features", "Low usage", "price"], [49.0, 275.0, 41.65])
    s = retention.segments(plan, retained_2y)         # labels, 0/1 flags
    s.row("pro").diff_low, s.p_value                  # Newcombe interval; chi-square test
    retention.retention_economics(100, 0.80, 0.05, discount=0.10, cac=100, cohort_size=1000)

Loading: the shared library named by the environment variable RETENTION_LIBRARY (a path) if it
is set; otherwise ctypes.util.find_library("retention"), then the source tree's build directory
(build/dev/libretention.so, build/*/libretention.so). Its version must be 1.x and at least
MIN_VERSION (1.0.0), else ImportError. ``library_path`` is what was loaded, ``library_version()``
the library's version string, ``__version__`` this module's.

Conventions (those of the C library): rates are fractions (0.1 = 10 %), NPS in points; counts
are ints in [0, 2**64 − 1]; every failure raises RetentionError (a ValueError) carrying the C
status ``code`` and ``name``, the C ``function``, and for a bad element of a column its
``bad_index``; non-numeric arguments raise TypeError. Columns that are C-contiguous numpy arrays
of the C type (uint8 scores or event flags, float64 durations, uint64 histograms) are passed
without a copy.

Threads: the library has no global state and ctypes releases the GIL during each call, so the
functions may run concurrently from many threads, as long as concurrent calls that update a
histogram in place use distinct histograms.
"""
from ._lib import (EBUFSIZE, ECORRUPT, EDOMAIN, EINVAL, ENOCONV, ENOMEM, EOVERFLOW, EUNDEFINED,
                   EVERSION, MIN_VERSION, NPS_HIST_LEN, OK, RetentionError, library_path,
                   library_version, strerror)
from .clv import cac_payback, clv_discounted, clv_simple, ltv_cac
from .cohort import (CENSORED, COHORT_KINDS, COMPLETE, PARTIAL, PERIOD_UNITS, TIME_MAX, TIME_MIN,
                     CohortBuilder, CohortTable, calendar_period, calendar_period_start,
                     cohort_table)
from .models import (RFM_UNITS, BgNbdFit, GammaGammaFit, ParetoNbdFit, RfmSummary, SbgFit,
                     bgnbd_fit, bgnbd_loglik, clv, gamma_gamma_fit, gamma_gamma_loglik,
                     pareto_nbd_fit, pareto_nbd_loglik, rfm_from_builder, rfm_summary, sbg_fit,
                     sbg_loglik)
from .mrr import COLUMNS as MRR_COLUMNS
from .mrr import MRRBuilder, MRRTable, mrr_movements, text_id
from .rates import (Interval, arpa, churn_lifetime, churn_rate_average, churn_rate_convert,
                    churn_rate_customer_days, churn_rate_start, retention_rate, revenue_churn_gross,
                    revenue_churn_net, revenue_grr, revenue_nrr, revenue_quick_ratio,
                    wilson_interval)
from .reasons import (REASONS, TEAMS, ReasonReport, ReasonRow, ReasonTally, churn_reasons,
                      reason_code, reason_name, reason_teams)
from .scores import (CesResult, CsatResult, NpsResult, ZTest, ces, csat, handle_time_mean, nps,
                     nps_categories, nps_count, nps_ztest, scores_count)
from .segments import (ChiSquare, Difference, Lift, RetentionValue, SegmentComparison,
                       SegmentCounts, SegmentRow, compare_segments, proportion_diff_interval,
                       proportion_lift_interval, proportion_ztest, proportions_chisq,
                       retention_economics, segment_counts, segments)
from .survival import (CONF_TYPES, KaplanMeier, KMBuilder, LogRankResult, Quantile, Rmst,
                       SurvivalAt, kaplan_meier, logrank, logrank_builders)

__version__ = "1.0.0"

__all__ = [
    "OK", "EINVAL", "EDOMAIN", "EUNDEFINED", "ENOMEM", "EBUFSIZE", "ENOCONV", "ECORRUPT",
    "EVERSION", "EOVERFLOW", "MIN_VERSION", "NPS_HIST_LEN", "RetentionError", "library_path",
    "library_version", "strerror",
    "retention_rate", "churn_rate_start", "churn_rate_average", "churn_rate_customer_days",
    "churn_rate_convert", "churn_lifetime", "wilson_interval", "Interval",
    "revenue_churn_gross", "revenue_churn_net", "revenue_nrr", "revenue_grr",
    "revenue_quick_ratio", "arpa",
    "scores_count", "nps_count", "nps_categories", "nps", "nps_ztest", "csat", "ces",
    "handle_time_mean", "NpsResult", "ZTest", "CsatResult", "CesResult",
    "clv_simple", "clv_discounted", "cac_payback", "ltv_cac",
    "calendar_period", "calendar_period_start", "TIME_MIN", "TIME_MAX", "PERIOD_UNITS",
    "CohortBuilder", "CohortTable", "cohort_table", "COHORT_KINDS", "COMPLETE", "PARTIAL",
    "CENSORED",
    "KMBuilder", "KaplanMeier", "kaplan_meier", "logrank", "logrank_builders", "CONF_TYPES",
    "SurvivalAt", "Quantile", "Rmst", "LogRankResult",
    "sbg_fit", "sbg_loglik", "SbgFit", "rfm_summary", "rfm_from_builder", "RfmSummary",
    "RFM_UNITS", "bgnbd_fit", "bgnbd_loglik", "BgNbdFit", "gamma_gamma_fit",
    "gamma_gamma_loglik", "GammaGammaFit", "clv", "pareto_nbd_fit", "pareto_nbd_loglik",
    "ParetoNbdFit",
    "MRRBuilder", "MRRTable", "mrr_movements", "MRR_COLUMNS", "text_id",
    "REASONS", "TEAMS", "reason_name", "reason_code", "reason_teams", "ReasonTally",
    "ReasonReport", "ReasonRow", "churn_reasons",
    "segment_counts", "compare_segments", "segments", "proportion_diff_interval",
    "proportion_lift_interval", "proportion_ztest", "proportions_chisq", "retention_economics",
    "SegmentCounts", "SegmentComparison", "SegmentRow", "Difference", "Lift", "ChiSquare",
    "RetentionValue",
]
