"""Loading libretention, declaring its C signatures, and the three argument helpers.

Everything that touches ctypes directly lives here; rates.py, scores.py and clv.py only call
_out(), _uint(), _real(), _column() and the declared functions of ``lib``; cohort.py also uses
_int() (checked signed scalars), int64 columns and the opaque handle types declared here,
survival.py the Kaplan-Meier handle types, models.py the RFM summary handle type, mrr.py the
MRR builder and table handle types, reasons.py and segments.py the row structures.
"""
import ctypes
import ctypes.util
import numbers
import os
from pathlib import Path

import numpy as np

#: The library version this module needs: MAJOR * 10000 + MINOR * 100 + PATCH (1.0.0). A library
#: is usable when its major version is the same and its number is at least this.
MIN_VERSION = 10000

# ---- status codes (core.h RTN_STATUS_LIST: values pinned forever) ----------------------------
OK, EINVAL, EDOMAIN, EUNDEFINED, ENOMEM, EBUFSIZE, ENOCONV, ECORRUPT, EVERSION, EOVERFLOW = range(
    0, -10, -1
)
_CODE_NAMES = {
    OK: "RTN_OK", EINVAL: "RTN_EINVAL", EDOMAIN: "RTN_EDOMAIN", EUNDEFINED: "RTN_EUNDEFINED",
    ENOMEM: "RTN_ENOMEM", EBUFSIZE: "RTN_EBUFSIZE", ENOCONV: "RTN_ENOCONV",
    ECORRUPT: "RTN_ECORRUPT", EVERSION: "RTN_EVERSION", EOVERFLOW: "RTN_EOVERFLOW",
}


class RetentionError(ValueError):
    """A libretention status code other than RTN_OK.

    Attributes: ``code`` (the negative RTN_E… value, e.g. ``retention.EUNDEFINED``), ``name``
    ("RTN_EUNDEFINED"), ``function`` (the C function that reported it, or whose precondition the
    Python side checked), ``bad_index`` (for RTN_EDOMAIN from a column function: the index of the
    first offending element of the column, flattened in C order; else None).
    """

    def __init__(self, code, function, bad_index=None, detail=None):
        self.code = code
        self.name = _CODE_NAMES.get(code, "RTN_E?%d" % code)
        self.function = function
        self.bad_index = bad_index
        self.detail = detail
        message = "%s: %s (%s)" % (function, strerror(code), self.name)
        if bad_index is not None:
            message += " at index %d" % bad_index
        if detail:
            message += ": " + detail
        super().__init__(message)

    def __reduce__(self):
        # the constructor's own arguments: pickling (multiprocessing, Dask workers shipping an
        # error back) would otherwise call __init__ with the message alone, and fail
        return (type(self), (self.code, self.function, self.bad_index, self.detail))


# ---- loading ----------------------------------------------------------------------------------
_u8p, _u64p = ctypes.POINTER(ctypes.c_uint8), ctypes.POINTER(ctypes.c_uint64)
_dp, _szp = ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_size_t)
_u64, _u32, _d = ctypes.c_uint64, ctypes.c_uint32, ctypes.c_double
_i64, _i32, _sz = ctypes.c_int64, ctypes.c_int32, ctypes.c_size_t
_i64p, _u32p = ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_uint32)
_i32p = ctypes.POINTER(ctypes.c_int32)


class _CohortBuilder(ctypes.Structure):
    """The opaque struct rtn_cohort_builder (only ever handled through a pointer)."""


class _CohortTable(ctypes.Structure):
    """The opaque struct rtn_cohort_table (only ever handled through a pointer)."""


class _Allocator(ctypes.Structure):
    """struct rtn_allocator (core.h). The module always passes NULL (malloc/free)."""

    _fields_ = [("alloc", ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t)),
                ("free", ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)),
                ("opaque", ctypes.c_void_p)]


class _KMBuilder(ctypes.Structure):
    """The opaque struct rtn_km_builder (only ever handled through a pointer)."""


class _KM(ctypes.Structure):
    """The opaque struct rtn_km, a Kaplan-Meier curve (only ever handled through a pointer)."""


class _Rfm(ctypes.Structure):
    """The opaque struct rtn_rfm, an RFM summary (only ever handled through a pointer)."""


class _MrrBuilder(ctypes.Structure):
    """The opaque struct rtn_mrr_builder (only ever handled through a pointer)."""


class _MrrTable(ctypes.Structure):
    """The opaque struct rtn_mrr_table (only ever handled through a pointer)."""


class _ReasonRow(ctypes.Structure):
    """struct rtn_reason_row (reasons.h), field by field."""

    _fields_ = [("code", ctypes.c_int32), ("teams", ctypes.c_uint32), ("count", ctypes.c_uint64),
                ("share", ctypes.c_double), ("share_low", ctypes.c_double),
                ("share_high", ctypes.c_double), ("lost_mrr", ctypes.c_double),
                ("lost_share", ctypes.c_double)]


class _SegmentRow(ctypes.Structure):
    """struct rtn_segment_row (segments.h), field by field."""

    _fields_ = [("retained", ctypes.c_uint64), ("n", ctypes.c_uint64)] + [
        (name, ctypes.c_double) for name in (
            "rate", "rate_low", "rate_high", "diff", "diff_low", "diff_high", "lift", "lift_low",
            "lift_high", "z", "p_value")]


class _RetentionValue(ctypes.Structure):
    """struct rtn_retention_value (segments.h), field by field."""

    _fields_ = [(name, ctypes.c_double) for name in (
        "clv_before", "clv_after", "clv_change", "profit_before", "profit_after",
        "profit_change")]


_builder_p, _table_p = ctypes.POINTER(_CohortBuilder), ctypes.POINTER(_CohortTable)
_km_builder_p, _km_p = ctypes.POINTER(_KMBuilder), ctypes.POINTER(_KM)
_allocator_p = ctypes.POINTER(_Allocator)
_rfm_p = ctypes.POINTER(_Rfm)
_mrr_builder_p, _mrr_table_p = ctypes.POINTER(_MrrBuilder), ctypes.POINTER(_MrrTable)

# name -> (restype, argtypes) for every function of lib/retention.map. Status-returning functions
# have restype c_int and are called through _out()/_call(), which check it.
_SIGNATURES = {
    "rtn_strerror": (ctypes.c_char_p, [ctypes.c_int]),
    "rtn_version_string": (ctypes.c_char_p, []),
    "rtn_version_number": (ctypes.c_uint32, []),
    "rtn_retention_rate": (ctypes.c_int, [_u64, _u64, _u64, _dp]),
    "rtn_churn_rate_start": (ctypes.c_int, [_u64, _u64, _dp]),
    "rtn_churn_rate_average": (ctypes.c_int, [_u64, _u64, _u64, _dp]),
    "rtn_churn_rate_customer_days": (ctypes.c_int, [_u64, _d, _d, _dp]),
    "rtn_churn_rate_convert": (ctypes.c_int, [_d, _d, _dp]),
    "rtn_churn_lifetime": (ctypes.c_int, [_d, _dp]),
    "rtn_rate_wilson_interval": (ctypes.c_int, [_u64, _u64, _d, _dp, _dp]),
    "rtn_revenue_churn_gross": (ctypes.c_int, [_d, _d, _d, _dp]),
    "rtn_revenue_churn_net": (ctypes.c_int, [_d, _d, _d, _d, _d, _dp]),
    "rtn_revenue_nrr": (ctypes.c_int, [_d, _d, _d, _d, _dp]),
    "rtn_revenue_grr": (ctypes.c_int, [_d, _d, _d, _dp]),
    "rtn_revenue_quick_ratio": (ctypes.c_int, [_d, _d, _d, _d, _dp]),
    "rtn_revenue_arpa": (ctypes.c_int, [_d, _u64, _dp]),
    "rtn_scores_count": (ctypes.c_int, [_u8p, ctypes.c_size_t, _u32, _u32, _u64p, _szp]),
    "rtn_scores_hist_len": (ctypes.c_int, [_u32, _u32, _szp]),
    "rtn_nps_hist_len": (ctypes.c_size_t, []),
    "rtn_nps_count": (ctypes.c_int, [_u8p, ctypes.c_size_t, _u64p, _szp]),
    "rtn_nps_categories": (ctypes.c_int, [_u64p, _u64p, _u64p, _u64p]),
    "rtn_nps_shares": (ctypes.c_int, [_u64, _u64, _u64, _dp, _dp, _dp]),
    "rtn_nps_score": (ctypes.c_int, [_u64, _u64, _u64, _dp, _dp]),
    "rtn_nps_interval": (ctypes.c_int, [_u64, _u64, _u64, ctypes.c_int32, _d, _dp, _dp]),
    "rtn_nps_ztest": (ctypes.c_int, [_u64, _u64, _u64, _u64, _u64, _u64, _dp, _dp]),
    "rtn_csat_score": (ctypes.c_int, [_u64p, _u32, _u32, _u32, _dp, _dp]),
    "rtn_csat_interval": (ctypes.c_int, [_u64p, _u32, _u32, _u32, _d, _dp, _dp]),
    "rtn_ces_score": (ctypes.c_int, [_u64p, _u32, _u32, _dp, _dp]),
    "rtn_handle_time_mean": (ctypes.c_int, [_dp, ctypes.c_size_t, _dp, _szp]),
    "rtn_clv_simple": (ctypes.c_int, [_d, _d, _d, _dp]),
    "rtn_clv_discounted": (ctypes.c_int, [_d, _d, _d, _dp]),
    "rtn_clv_cac_payback": (ctypes.c_int, [_d, _d, _d, _dp]),
    "rtn_clv_ltv_cac": (ctypes.c_int, [_d, _d, _dp]),
    "rtn_calendar_period": (ctypes.c_int, [_i64, _i32, _i64, _i32, _i64p]),
    "rtn_calendar_period_start": (ctypes.c_int, [_i64, _i32, _i64, _i32, _i64p]),
    "rtn_cohort_builder_create": (ctypes.c_int, [ctypes.POINTER(_builder_p), _allocator_p]),
    "rtn_cohort_builder_free": (None, [_builder_p]),
    "rtn_cohort_builder_set": (ctypes.c_int, [_builder_p, _i32, _i64]),
    "rtn_cohort_builder_get": (ctypes.c_int, [_builder_p, _i32, _i64p]),
    "rtn_cohort_param_bounds": (ctypes.c_int, [_i32, _i64p, _i64p]),
    "rtn_cohort_builder_set_brackets": (ctypes.c_int, [_builder_p, _u32p, _sz]),
    "rtn_cohort_builder_add": (ctypes.c_int, [_builder_p, _i64p, _i64p, _dp, _sz, _szp]),
    "rtn_cohort_builder_add_signups": (ctypes.c_int, [_builder_p, _i64p, _i64p, _sz, _szp]),
    "rtn_cohort_builder_merge": (ctypes.c_int, [_builder_p, _builder_p]),
    "rtn_cohort_builder_serialize": (ctypes.c_int, [_builder_p, _u8p, _sz, _szp]),
    "rtn_cohort_builder_deserialize": (ctypes.c_int, [ctypes.POINTER(_builder_p), _u8p, _sz,
                                                      _allocator_p]),
    "rtn_cohort_builder_finish": (ctypes.c_int, [_builder_p, ctypes.POINTER(_table_p)]),
    "rtn_cohort_table_build": (ctypes.c_int, [_i64p, _i64p, _dp, _sz, _i32, _i32,
                                              ctypes.POINTER(_table_p), _szp]),
    "rtn_cohort_table_free": (None, [_table_p]),
    "rtn_cohort_table_dims": (ctypes.c_int, [_table_p, _szp, _szp]),
    "rtn_cohort_table_cohorts": (ctypes.c_int, [_table_p, _i64p, _i64p, _u64p, _sz]),
    "rtn_cohort_table_active": (ctypes.c_int, [_table_p, _u64p, _sz]),
    "rtn_cohort_table_retention": (ctypes.c_int, [_table_p, _dp, _sz]),
    "rtn_cohort_table_revenue": (ctypes.c_int, [_table_p, _dp, _sz]),
    "rtn_cohort_table_revenue_retention": (ctypes.c_int, [_table_p, _dp, _sz]),
    "rtn_cohort_table_status": (ctypes.c_int, [_table_p, _u8p, _sz]),
    "rtn_cohort_table_average": (ctypes.c_int, [_table_p, _dp, _u64p, _sz]),
    "rtn_km_builder_create": (ctypes.c_int, [ctypes.POINTER(_km_builder_p), _allocator_p]),
    "rtn_km_builder_free": (None, [_km_builder_p]),
    "rtn_km_builder_set": (ctypes.c_int, [_km_builder_p, _i32, _d]),
    "rtn_km_builder_get": (ctypes.c_int, [_km_builder_p, _i32, _dp]),
    "rtn_km_builder_add": (ctypes.c_int, [_km_builder_p, _dp, _u8p, _dp, _dp, _sz, _szp]),
    "rtn_km_builder_add_counts": (ctypes.c_int, [_km_builder_p, _dp, _u64p, _u64p, _u64p, _sz,
                                                 _szp]),
    "rtn_km_builder_merge": (ctypes.c_int, [_km_builder_p, _km_builder_p]),
    "rtn_km_builder_serialize": (ctypes.c_int, [_km_builder_p, _u8p, _sz, _szp]),
    "rtn_km_builder_deserialize": (ctypes.c_int, [ctypes.POINTER(_km_builder_p), _u8p, _sz,
                                                  _allocator_p]),
    "rtn_km_builder_finish": (ctypes.c_int, [_km_builder_p, ctypes.POINTER(_km_p)]),
    "rtn_km_build": (ctypes.c_int, [_dp, _u8p, _sz, _i32, _d, ctypes.POINTER(_km_p), _szp]),
    "rtn_km_free": (None, [_km_p]),
    "rtn_km_size": (ctypes.c_int, [_km_p, _szp]),
    "rtn_km_column": (ctypes.c_int, [_km_p, _i32, _dp, _sz]),
    "rtn_km_survival_at": (ctypes.c_int, [_km_p, _dp, _sz, _dp, _dp, _dp, _szp]),
    "rtn_km_quantile": (ctypes.c_int, [_km_p, _d, _dp, _dp, _dp]),
    "rtn_km_rmst": (ctypes.c_int, [_km_p, _d, _dp, _dp]),
    # const rtn_km_builder *const *groups: an array of handles
    "rtn_logrank": (ctypes.c_int, [ctypes.POINTER(_km_builder_p), _sz, _d, _dp, _dp, _dp, _dp,
                                   _u32p, _dp]),
    "rtn_logrank_columns": (ctypes.c_int, [_dp, _u8p, _u32p, _sz, _u32, _d, _dp, _dp, _dp, _dp,
                                           _u32p, _dp, _szp]),
    # models.h: parameter arrays (const double params[k]) are double pointers
    "rtn_sbg_loglik": (ctypes.c_int, [_dp, _u64p, _szp, _sz, _dp]),
    "rtn_sbg_fit": (ctypes.c_int, [_u64p, _szp, _sz, _dp, _dp, _dp]),
    "rtn_sbg_survival": (ctypes.c_int, [_dp, _d, _dp, _dp]),
    "rtn_sbg_del": (ctypes.c_int, [_dp, _d, _u64, _dp, _dp]),
    "rtn_rfm_from_builder": (ctypes.c_int, [_builder_p, _i64, _i64, _d, ctypes.POINTER(_rfm_p)]),
    "rtn_rfm_build": (ctypes.c_int, [_i64p, _i64p, _dp, _sz, _i64, _i64, _d,
                                     ctypes.POINTER(_rfm_p), _szp]),
    "rtn_rfm_free": (None, [_rfm_p]),
    "rtn_rfm_size": (ctypes.c_int, [_rfm_p, _szp]),
    "rtn_rfm_customers": (ctypes.c_int, [_rfm_p, _i64p, _sz]),
    "rtn_rfm_column": (ctypes.c_int, [_rfm_p, _i32, _dp, _sz]),
    "rtn_bgnbd_loglik": (ctypes.c_int, [_dp, _dp, _dp, _dp, _dp, _sz, _dp, _szp]),
    "rtn_bgnbd_fit": (ctypes.c_int, [_dp, _dp, _dp, _dp, _sz, _dp, _dp, _dp, _szp]),
    "rtn_bgnbd_fit_alloc": (ctypes.c_int, [_dp, _dp, _dp, _dp, _sz, _dp, _dp, _dp, _szp,
                                           _allocator_p]),
    "rtn_bgnbd_predict": (ctypes.c_int, [_dp, _dp, _dp, _dp, _sz, _d, _dp, _dp, _szp]),
    "rtn_bgnbd_predict_alloc": (ctypes.c_int, [_dp, _dp, _dp, _dp, _sz, _d, _dp, _dp, _szp,
                                               _allocator_p]),
    "rtn_bgnbd_new_customer": (ctypes.c_int, [_dp, _d, _dp, _dp, _sz]),
    "rtn_gg_loglik": (ctypes.c_int, [_dp, _dp, _dp, _dp, _sz, _dp, _szp]),
    "rtn_gg_fit": (ctypes.c_int, [_dp, _dp, _dp, _sz, _dp, _dp, _dp, _szp]),
    "rtn_gg_expected_spend": (ctypes.c_int, [_dp, _dp, _dp, _sz, _dp, _szp]),
    "rtn_clv_bgnbd_gg": (ctypes.c_int, [_dp, _dp, _dp, _dp, _dp, _dp, _sz, _d, _d, _u32, _dp,
                                        _szp]),
    "rtn_clv_bgnbd_gg_alloc": (ctypes.c_int, [_dp, _dp, _dp, _dp, _dp, _dp, _sz, _d, _d, _u32,
                                              _dp, _szp, _allocator_p]),
    # pareto_nbd.h
    "rtn_pnbd_loglik": (ctypes.c_int, [_dp, _dp, _dp, _dp, _dp, _sz, _dp, _szp]),
    "rtn_pnbd_fit": (ctypes.c_int, [_dp, _dp, _dp, _dp, _sz, _dp, _dp, _dp, _szp]),
    "rtn_pnbd_fit_alloc": (ctypes.c_int, [_dp, _dp, _dp, _dp, _sz, _dp, _dp, _dp, _szp,
                                          _allocator_p]),
    "rtn_pnbd_predict": (ctypes.c_int, [_dp, _dp, _dp, _dp, _sz, _d, _dp, _dp, _szp]),
    "rtn_pnbd_predict_alloc": (ctypes.c_int, [_dp, _dp, _dp, _dp, _sz, _d, _dp, _dp, _szp,
                                              _allocator_p]),
    "rtn_pnbd_new_customer": (ctypes.c_int, [_dp, _d, _dp]),
    "rtn_pnbd_pmf": (ctypes.c_int, [_dp, _d, _dp, _sz]),
    "rtn_pnbd_pmf_alloc": (ctypes.c_int, [_dp, _d, _dp, _sz, _allocator_p]),
    "rtn_pnbd_dert": (ctypes.c_int, [_dp, _dp, _dp, _dp, _sz, _d, _dp, _szp]),
    "rtn_pnbd_dert_alloc": (ctypes.c_int, [_dp, _dp, _dp, _dp, _sz, _d, _dp, _szp, _allocator_p]),
    # mrr.h
    "rtn_mrr_builder_create": (ctypes.c_int, [ctypes.POINTER(_mrr_builder_p), _allocator_p]),
    "rtn_mrr_builder_free": (None, [_mrr_builder_p]),
    "rtn_mrr_builder_set": (ctypes.c_int, [_mrr_builder_p, _i32, _i64]),
    "rtn_mrr_builder_get": (ctypes.c_int, [_mrr_builder_p, _i32, _i64p]),
    "rtn_mrr_builder_unset": (ctypes.c_int, [_mrr_builder_p, _i32]),
    "rtn_mrr_builder_is_set": (ctypes.c_int, [_mrr_builder_p, _i32, ctypes.POINTER(_i32)]),
    "rtn_mrr_builder_add": (ctypes.c_int, [_mrr_builder_p, _i64p, _i64p, _dp, _sz, _szp]),
    "rtn_mrr_builder_merge": (ctypes.c_int, [_mrr_builder_p, _mrr_builder_p]),
    "rtn_mrr_builder_serialize": (ctypes.c_int, [_mrr_builder_p, _u8p, _sz, _szp]),
    "rtn_mrr_builder_deserialize": (ctypes.c_int, [ctypes.POINTER(_mrr_builder_p), _u8p, _sz,
                                                   _allocator_p]),
    "rtn_mrr_builder_finish": (ctypes.c_int, [_mrr_builder_p, ctypes.POINTER(_mrr_table_p)]),
    "rtn_mrr_table_build": (ctypes.c_int, [_i64p, _i64p, _dp, _sz, ctypes.POINTER(_mrr_table_p),
                                           _szp]),
    "rtn_mrr_table_free": (None, [_mrr_table_p]),
    "rtn_mrr_table_periods": (ctypes.c_int, [_mrr_table_p, _i64p, _szp]),
    "rtn_mrr_table_column": (ctypes.c_int, [_mrr_table_p, _i32, _dp, _sz]),
    # reasons.h
    "rtn_reason_name": (ctypes.c_char_p, [_i32]),
    "rtn_reason_code": (ctypes.c_int, [ctypes.c_char_p, _i32p]),
    "rtn_reason_teams": (ctypes.c_int, [_i32, _u32p]),
    "rtn_team_name": (ctypes.c_char_p, [_u32]),
    "rtn_reason_tally_add": (ctypes.c_int, [_i32p, _dp, _sz, _u64p, _dp, _szp]),
    "rtn_reason_report": (ctypes.c_int, [_u64p, _dp, _i32, _d, ctypes.POINTER(_ReasonRow), _sz,
                                         _szp]),
    # segments.h
    "rtn_segments_count": (ctypes.c_int, [_i32p, _u8p, _sz, _sz, _u64p, _u64p, _szp]),
    "rtn_proportion_diff_interval": (ctypes.c_int, [_u64, _u64, _u64, _u64, _d, _dp, _dp, _dp]),
    "rtn_proportion_lift_interval": (ctypes.c_int, [_u64, _u64, _u64, _u64, _d, _dp, _dp, _dp]),
    "rtn_proportion_ztest": (ctypes.c_int, [_u64, _u64, _u64, _u64, _dp, _dp]),
    "rtn_proportions_chisq": (ctypes.c_int, [_u64p, _u64p, _sz, _dp, _dp, _dp]),
    "rtn_segments_compare": (ctypes.c_int, [_u64p, _u64p, _sz, _sz, _d,
                                            ctypes.POINTER(_SegmentRow), _dp, _dp]),
    "rtn_retention_economics": (ctypes.c_int, [_d, _d, _d, _d, _d, _d, _u32,
                                               ctypes.POINTER(_RetentionValue)]),
}


def _format_version(number):
    return "%d.%d.%d" % (number // 10000, number // 100 % 100, number % 100)


def _check_version(number):
    """Raises ImportError unless a library of version ``number`` can serve this module."""
    if number // 10000 != MIN_VERSION // 10000 or number < MIN_VERSION:
        raise ImportError(
            "libretention %s found, but this module needs %d.x at least %s"
            % (_format_version(number), MIN_VERSION // 10000, _format_version(MIN_VERSION))
        )


def _read_version(library):
    """rtn_version_number() of a freshly loaded library (separate so tests can fake it)."""
    library.rtn_version_number.restype = ctypes.c_uint32
    library.rtn_version_number.argtypes = []
    return library.rtn_version_number()


def _candidates():
    """(where it came from, path or name) in the order the loader tries them."""
    env = os.environ.get("RETENTION_LIBRARY")
    if env:  # an explicit choice: never fall back behind the user's back
        return [("RETENTION_LIBRARY", env)]
    found = ctypes.util.find_library("retention")
    tried = [("find_library('retention')", found)] if found else []
    build = Path(__file__).resolve().parent.parent.parent.parent / "build"
    paths = [build / "dev" / "libretention.so"] + sorted(build.glob("*/libretention.so"))
    for path in dict.fromkeys(paths):  # dev first, no duplicates
        if path.exists():
            tried.append(("build tree", str(path)))
    return tried


def _load():
    """Loads the first usable candidate: returns (CDLL, path); ImportError naming all it tried."""
    failures = []
    candidates = _candidates()
    for origin, path in candidates:
        try:
            library = ctypes.CDLL(path)
            _check_version(_read_version(library))
            missing = [name for name in _SIGNATURES if not hasattr(library, name)]
            if missing:  # e.g. a stale build of the same version, from before a function
                raise ImportError("it lacks %s (built from older sources?)"
                                  % ", ".join(missing))
            return library, path
        except (OSError, AttributeError, ImportError) as err:
            failures.append("%s [%s]: %s" % (path, origin, err))
    if not candidates:
        failures.append(
            "RETENTION_LIBRARY is not set, ctypes.util.find_library('retention') found nothing, "
            "and there is no build/*/libretention.so next to this package"
        )
    raise ImportError(
        "cannot load libretention (tried: %s). Build it (cmake --build build/dev) or set "
        "RETENTION_LIBRARY to the path of libretention.so." % "; ".join(failures)
    )


lib, library_path = _load()
for _name, (_restype, _argtypes) in _SIGNATURES.items():
    _function = getattr(lib, _name)
    _function.restype, _function.argtypes = _restype, _argtypes
NPS_HIST_LEN = lib.rtn_nps_hist_len()


def strerror(code):
    """rtn_strerror(code): the library's description of a status code."""
    return lib.rtn_strerror(code).decode("utf-8")


def library_version():
    """The loaded library's version string, rtn_version_string(), e.g. "1.0.0"."""
    return lib.rtn_version_string().decode("ascii")


# ---- calling ----------------------------------------------------------------------------------
#: The initial value of a bad_index out-pointer (_no_index()) that the C function may leave
#: untouched: an EDOMAIN about a parameter rather than an element names no index.
_NO_INDEX = 2**64 - 1


def _no_index():
    """A c_size_t for a bad_index out-pointer, set to _NO_INDEX until the library writes it."""
    return ctypes.c_size_t(_NO_INDEX)


def _call(function, *args, bad_index=None):
    """Calls lib.<function>(*args) and raises RetentionError unless it returns RTN_OK.
    ``bad_index`` is the c_size_t passed as the column function's bad_index out-pointer (from
    _no_index() when an EDOMAIN may also be about a parameter, which leaves it unset)."""
    code = getattr(lib, function)(*args)
    if code != OK:
        index = bad_index.value if bad_index is not None and code == EDOMAIN else None
        raise RetentionError(code, function, None if index == _NO_INDEX else index)


def _out(function, *args, outputs=1):
    """Calls a function whose last ``outputs`` parameters are double out-pointers; returns the
    value (one output) or a tuple of values."""
    out = [ctypes.c_double() for _ in range(outputs)]
    _call(function, *args, *(ctypes.byref(o) for o in out))
    return out[0].value if outputs == 1 else tuple(o.value for o in out)


def _to_bytes(function, handle):
    """The bytes written by a builder's serialise ``function`` (rtn_…_serialize(handle, buf, cap,
    &len)): a size query, which answers EBUFSIZE with the size, then the copy."""
    size = ctypes.c_size_t()
    code = getattr(lib, function)(handle, None, 0, ctypes.byref(size))
    if code != EBUFSIZE:
        raise RetentionError(code if code != OK else EINVAL, function,
                             detail="the size query returned %d" % code)
    buffer = (ctypes.c_uint8 * size.value)()
    written = ctypes.c_size_t()
    _call(function, handle, buffer, size.value, ctypes.byref(written))
    return bytes(memoryview(buffer)[:written.value])


# ---- the argument helpers: counts, doubles, columns ------------------------------------------
def _uint(value, function, bits=64, code=EDOMAIN):
    """A Python/numpy integer checked to fit the C unsigned type of ``bits`` bits (ctypes would
    wrap it silently). Non-integers: TypeError; negative: RetentionError(code); too large:
    RetentionError(EOVERFLOW) for counts (code EDOMAIN), RetentionError(code) otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError("%s: expected an integer, got %r" % (function, value))
    value = int(value)
    if value < 0:
        raise RetentionError(code, function, detail="%d is negative" % value)
    if value >> bits:
        too_big = EOVERFLOW if code == EDOMAIN else code
        raise RetentionError(too_big, function, detail="%d does not fit in %d bits" % (value, bits))
    return value


def _int(value, function, lo=-2**63, hi=2**63 - 1, code=EINVAL):
    """A Python/numpy integer checked to lie in [lo, hi] (by default int64's range) for a C
    signed parameter: ctypes would wrap an out-of-range value silently. Non-integers (bool,
    float, str, None): TypeError; outside [lo, hi]: RetentionError(code)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError("%s: expected an integer, got %r" % (function, value))
    value = int(value)
    if not lo <= value <= hi:
        raise RetentionError(code, function, detail="%d is outside [%d, %d]" % (value, lo, hi))
    return value


def _real(value, function):
    """A real number as a float for a C double; NaN and infinities pass (the library reports
    them as RTN_EDOMAIN). Non-numbers (str, None, complex): TypeError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError("%s: expected a real number, got %r" % (function, value))
    try:
        return float(value)
    except OverflowError:  # an int beyond the double range: as infinite as inf
        raise RetentionError(EDOMAIN, function, detail="%r is too large for a double" % value)


_CTYPES = {np.dtype(np.uint8): ctypes.c_uint8, np.dtype(np.uint64): ctypes.c_uint64,
           np.dtype(np.float64): ctypes.c_double, np.dtype(np.int64): ctypes.c_int64,
           np.dtype(np.int32): ctypes.c_int32}


def _column(values, dtype, function, lo=None, hi=None):
    """A column as (C-contiguous 1-D array of ``dtype``, ctypes pointer to its data).

    An ndarray that is already C-contiguous with this dtype is passed as it is: the pointer is
    its own buffer (no copy). Anything else (strided views, Fortran order, other dtypes, lists)
    goes through np.ascontiguousarray, after checking that the conversion keeps every value:
    for an integer dtype (uint8, int32, uint64, int64) each value must be a whole number in
    [lo, hi] (by default the dtype's range), else RetentionError(EDOMAIN, bad_index=first
    offending index in C order). Integers to float64 convert as numpy does. Non-numeric values: TypeError.
    """
    target = np.dtype(dtype)
    array = values if isinstance(values, np.ndarray) else np.asarray(values)
    if array.dtype.kind == "f" and target.kind in "iu" and not isinstance(values, np.ndarray):
        # numpy turns [0, 2**64 - 1] (or [-1, 2**63]) into floats, rounding the big ints: check
        # the originals
        array = np.array(values, dtype=object)
    if array.dtype != target:
        if array.dtype.kind == "O":  # e.g. Python ints beyond int64: check them one by one
            array = _from_objects(array, target, function, lo, hi)
        elif array.dtype.kind not in "iuf":
            raise TypeError("%s: expected numbers, got an array of %s" % (function, array.dtype))
        elif target.kind in "iu":
            _check_whole(array, target, function, lo, hi)
        array = array.astype(target)
    array = np.ascontiguousarray(array)  # a no-op for a contiguous array
    if array.ndim != 1:
        array = array.reshape(-1)  # a view: the data is contiguous already
    return array, array.ctypes.data_as(ctypes.POINTER(_CTYPES[target]))


def _check_whole(array, target, function, lo, hi):
    """RetentionError(EDOMAIN) at the first value of ``array`` that is not a whole number in
    [lo, hi] (defaults: the range of the integer ``target``)."""
    lo = int(np.iinfo(target).min) if lo is None else lo
    hi = int(np.iinfo(target).max) if hi is None else hi
    if array.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(array) | (array != np.floor(array)) | (array < lo)
            bad |= array >= float(hi) + 1.0  # hi + 1 rounds up, never down, to a double
    else:
        info = np.iinfo(array.dtype)
        bad = np.zeros(array.shape, dtype=bool)
        if lo > info.min:
            bad |= array < lo
        if hi < info.max:
            bad |= array > hi
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        value = array.reshape(-1)[index]
        raise RetentionError(EDOMAIN, function, index, "%r is not a whole number in [%d, %d]"
                             % (value.item(), lo, hi))


def _from_objects(array, target, function, lo, hi):
    """An object array (Python ints beyond int64, mixed ints and floats) checked one by one."""
    flat = array.reshape(-1)
    for index, value in enumerate(flat):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError("%s: expected numbers, got %r at index %d" % (function, value, index))
    if target.kind == "f":
        return flat.astype(target)
    lo = int(np.iinfo(target).min) if lo is None else lo
    hi = int(np.iinfo(target).max) if hi is None else hi
    for index, value in enumerate(flat):
        if not (value == value and lo <= value <= hi and value == int(value)):
            raise RetentionError(EDOMAIN, function, index, "%r is not a whole number in [%d, %d]"
                                 % (value, lo, hi))
    return np.array([int(value) for value in flat], dtype=target)
