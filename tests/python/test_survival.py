"""Kaplan-Meier curves and log-rank tests: against R's survival package (the reference values of
tests/reference/r_survival.json) and statsmodels, a curve worked by hand, exact merges of random
partitions, integer weights against replicated rows, serialisation robustness, every bad input,
the curve's invariants, zero copy and the declarations.

Expected values come from R, statsmodels, hand arithmetic or plain numpy, never from the library.
"""
import ctypes
import json
import pickle
import re
import struct
import sys
from pathlib import Path

import numpy as np
import pytest

import retention as rt
from retention import ECORRUPT, EDOMAIN, EINVAL, EUNDEFINED, EVERSION, _lib
from retention import survival as sv

NAN = float("nan")
R_TOL = 1e-10
COLUMNS = ("time", "at_risk", "events", "censored", "survival", "std_err", "lower", "upper",
           "greenwood")


def close(actual, expected, rtol=R_TOL):
    """Relative agreement, NaN (None in JSON) only where NaN is expected; a readable failure."""
    actual = np.atleast_1d(np.asarray(actual, dtype=float))
    expected = np.array([NAN if x is None else x for x in np.ravel(expected)], dtype=float)
    expected = expected.reshape(actual.shape)
    nan = np.isnan(expected)
    ok = np.isnan(actual) == nan
    with np.errstate(invalid="ignore"):  # inf - inf: equal infinities pass by ==
        ok[~nan] &= (actual[~nan] == expected[~nan]) | (
            np.abs(actual[~nan] - expected[~nan]) <= rtol * np.abs(expected[~nan]))
    assert ok.all(), "\n%r\n!=\n%r" % (actual, expected)
    return True


def same_bits(a, b):
    """Bit-for-bit equality of float64 arrays (NaN payloads and the sign of 0 included)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape and np.array_equal(a.view(np.uint64), b.view(np.uint64)), \
        "\n%r\n!=\n%r" % (a, b)
    return True


def same_curve(a, b):
    assert len(a) == len(b)
    return all(same_bits(getattr(a, name), getattr(b, name)) for name in COLUMNS)


# ---- R's survival package ----------------------------------------------------------------------
# written by tests/reference/r_survival.R (survfit(..., robust = FALSE), quantile, summary with
# times and rmean, survdiff); read at collection time, since it defines the parameters
_REFERENCE = json.loads((Path(__file__).resolve().parents[1] / "reference" / "r_survival.json")
                        .read_text())
KM_CASES = [(case["name"], conf) for case in _REFERENCE["km"] for conf in case["fits"]]
LR_CASES = [case["name"] for case in _REFERENCE["logrank"]]


def km_case(name):
    return next(case for case in _REFERENCE["km"] if case["name"] == name)


def lr_case(name):
    return next(case for case in _REFERENCE["logrank"] if case["name"] == name)


def r_curves(case, conf):
    """The case's curve through the builder and through kaplan_meier() (rtn_km_build when it
    can)."""
    fit = case["fits"][conf]
    args = (case["duration"], case["event"], case["entry"], case["weight"])
    with rt.KMBuilder(conf_level=fit["conf_int"], conf_type=conf) as b:
        yield b.add(*args).curve()
    yield rt.kaplan_meier(*args, conf_level=fit["conf_int"], conf_type=conf)


@pytest.mark.parametrize("name, conf", KM_CASES)
def test_kaplan_meier_matches_r(name, conf):
    case = km_case(name)
    fit = case["fits"][conf]
    table = fit["summary"]
    for km in r_curves(case, conf):
        assert len(km) == len(table["time"]) and km.conf_type == conf
        for ours, theirs in (("time", "time"), ("at_risk", "n.risk"), ("events", "n.event"),
                             ("censored", "n.censor"), ("survival", "surv"),
                             ("std_err", "std.err"), ("lower", "lower"), ("upper", "upper")):
            assert close(getattr(km, ours), table[theirs]), ours
        q = fit["quantile"]
        got = km.quantile(q["probs"])
        assert close(got.time, q["quantile"]) and close(got.lower, q["lower"])
        assert close(got.upper, q["upper"])
        for i, p in enumerate(q["probs"]):  # scalars too, NaN (never an exception) for R's NA
            one = km.quantile(p)
            assert all(isinstance(x, float) for x in one)
            assert close(list(one), [q["quantile"][i], q["lower"][i], q["upper"][i]])
        query = fit["query"]
        at = km.survival_at(query["times"])
        assert close(at.survival, query["surv"]) and close(at.lower, query["lower"])
        assert close(at.upper, query["upper"])
        for tau, mean, se in zip(fit["rmst"]["tau"], fit["rmst"]["rmean"], fit["rmst"]["se"]):
            got = km.rmst(tau)
            assert close(got.rmst, mean)
            assert got.std_err == 0.0 if se == 0.0 else close(got.std_err, se)
        km.close()


def r_logrank_inputs(case):
    return np.array(case["duration"]), np.array(case["event"]), np.array(case["group"])


def check_r_logrank(result, case):
    assert close(result.observed, case["obs"]) and close(result.expected, case["exp"])
    assert result.variance.shape == (case["k"], case["k"])
    assert close(result.variance, case["var"])  # row-major in the JSON
    assert close(result.chisq, case["chisq"]) and close(result.p_value, case["p_value"])
    assert result.df == case["df"] and result.rho == case["rho"]
    return True


@pytest.mark.parametrize("name", LR_CASES)
def test_logrank_matches_r(name):
    case = lr_case(name)
    duration, event, group = r_logrank_inputs(case)
    by_ints = rt.logrank(duration, event, group, rho=case["rho"])
    assert check_r_logrank(by_ints, case)
    assert by_ints.groups.tolist() == list(range(case["k"]))
    # string labels: sorted like the ints (g0 < g1 < …), so the groups keep their order
    by_names = rt.logrank(duration, event, ["g%d" % g for g in group], rho=case["rho"])
    assert check_r_logrank(by_names, case)
    assert by_names.groups.tolist() == ["g%d" % g for g in range(case["k"])]
    builders = [rt.KMBuilder().add(duration[group == g], event[group == g])
                for g in range(case["k"])]
    merged = rt.logrank_builders(builders, rho=case["rho"])
    assert check_r_logrank(merged, case)
    for attribute in ("observed", "expected", "variance", "chisq", "p_value"):  # one computation
        assert same_bits(getattr(merged, attribute), getattr(by_ints, attribute))


def test_the_reference_covers_what_it_should():
    names = {case["name"] for case in _REFERENCE["km"]}
    assert {"ties_censor", "left_trunc", "weights_frac", "left_trunc_weights", "zero_durations",
            "half_at_end", "all_censored", "random_200"} <= names
    assert len(KM_CASES) == 3 * len(names) and len(LR_CASES) >= 8


# ---- worked by hand ----------------------------------------------------------------------------
# durations 1 2 2 3 4 5, events 1 1 0 1 0 1:
#   t  n  d  c  S                     G
#   1  6  1  0  5/6                   1/30
#   2  5  1  1  5/6 · 4/5 = 2/3       1/30 + 1/20
#   3  3  1  0  2/3 · 2/3 = 4/9       1/30 + 1/20 + 1/6 = 1/4
#   4  2  0  1  4/9                   1/4
#   5  1  1  0  0                     inf
HAND = ([1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 0, 1])


def test_a_curve_worked_by_hand():
    km = rt.kaplan_meier(*HAND)
    assert km.time.tolist() == [1, 2, 3, 4, 5] and km.at_risk.tolist() == [6, 5, 3, 2, 1]
    assert km.events.tolist() == [1, 1, 1, 0, 1] and km.censored.tolist() == [0, 1, 0, 1, 0]
    assert close(km.survival, [5 / 6, 2 / 3, 4 / 9, 4 / 9, 0], 1e-15)
    assert close(km.greenwood[:4], [1 / 30, 1 / 30 + 1 / 20, 0.25, 0.25], 1e-15)
    assert km.greenwood[4] == np.inf and np.isnan(km.std_err[4])
    assert close(km.std_err[2], 4 / 9 * 0.5, 1e-15)
    z = 1.959963984540054
    assert close(km.lower[2], 4 / 9 * np.exp(-z * 0.5), 1e-14) and km.upper[2] == 1.0
    assert np.isnan(km.lower[4]) and np.isnan(km.upper[4])
    assert km.median().time == 3.0  # the first time with S ≤ 1/2
    # RMST(3) = 1 + 5/6 + 2/3; A_j = area after t_j: 5/6 + 2/3 at 1, 2/3 at 2, 0 at 3
    assert close(list(km.rmst(3)), [2.5, np.sqrt(1.5**2 / 30 + (2 / 3)**2 / 20)], 1e-15)
    plain = rt.kaplan_meier(*HAND, conf_type="plain", conf_level=0.9)
    z90 = 1.6448536269514722
    assert close(plain.lower[2], 4 / 9 - z90 * 2 / 9, 1e-14)
    assert close(plain.upper[2], 4 / 9 + z90 * 2 / 9, 1e-14)
    assert (plain.conf_level, plain.conf_type) == (0.9, "plain")


def test_pre_counted_tables_equal_their_subjects():
    by_subjects = rt.KMBuilder().add(*HAND)
    by_counts = rt.KMBuilder().add_counts([5, 1, 3, 2, 4, 2], [1, 1, 1, 1, 0, 0],
                                          [0, 0, 0, 0, 1, 1])  # repeated times, any order
    assert by_counts.to_bytes() == by_subjects.to_bytes()
    # with entry counts: two subjects entering at 0 and 1, leaving at 3 and 4
    entered = rt.KMBuilder().add_counts([0, 1, 3, 4], [0, 0, 1, 0], [0, 0, 0, 1], [1, 1, 0, 0])
    assert entered.to_bytes() == rt.KMBuilder().add([3, 4], [1, 0], entry=[0, 1]).to_bytes()


def test_tie_tolerance_merges_near_ties():
    duration, event = [1.0, 1.0 + 1e-12, 2.0, 2.0 + 5e-10], [1, 1, 0, 1]
    exact = rt.kaplan_meier(duration, event)
    assert len(exact) == 4
    merged = rt.kaplan_meier(duration, event, tie_tolerance=1e-9)
    assert merged.time.tolist() == [1.0, 2.0] and merged.events.tolist() == [2, 1]
    assert close(merged.survival, [0.5, 0.25], 1e-15)  # 2 of 4, then 1 of 2


# ---- statsmodels -------------------------------------------------------------------------------
def tied_data(rng, n, k=1):
    duration = np.round(rng.exponential(8.0, n))  # whole days: many ties, some at 0
    event = rng.random(n) < 0.7
    group = rng.integers(0, k, n)
    return duration, event, group


@pytest.mark.parametrize("seed", range(5))
def test_kaplan_meier_matches_statsmodels(seed):
    survfunc = pytest.importorskip("statsmodels.duration.survfunc")
    rng = np.random.default_rng(seed)
    duration, event, _ = tied_data(rng, 400)
    late = duration + 1  # entry < duration
    entry = np.where(rng.random(400) < 0.5, 0.0, np.floor(late * rng.random(400)))
    for duration, kwargs in ((duration, {}), (late, {"entry": entry})):
        km = rt.kaplan_meier(duration, event, **kwargs)
        theirs = survfunc.SurvfuncRight(duration, event.astype(float), **kwargs)
        rows = km.events > 0  # statsmodels reports event times only
        assert np.array_equal(km.time[rows], theirs.surv_times)
        assert close(km.survival[rows], theirs.surv_prob, 1e-12)
        alive = km.survival[rows] > 0  # statsmodels' se is 0, not NaN, once S = 0
        assert close(km.std_err[rows][alive], theirs.surv_prob_se[alive], 1e-12)


@pytest.mark.parametrize("k", [2, 3, 4])
@pytest.mark.parametrize("rho", [0.0, 0.5, 1.0])
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # statsmodels' log(S = 0)
def test_logrank_matches_statsmodels(k, rho):
    survfunc = pytest.importorskip("statsmodels.duration.survfunc")
    rng = np.random.default_rng(100 * k + int(10 * rho))
    duration, event, group = tied_data(rng, 300, k)
    duration = duration + group  # groups that differ a little
    options = {} if rho == 0 else {"weight_type": "fh", "fh_p": rho}
    chisq, p_value = survfunc.survdiff(duration, event.astype(float), group, **options)
    ours = rt.logrank(duration, event, group, rho=rho)
    assert close(ours.chisq, chisq, 1e-12) and close(ours.p_value, p_value, 1e-10)
    assert ours.df == k - 1
    if rho == 0:  # unweighted: O counts the events, and Σ E = Σ O
        assert close(ours.observed, [np.sum(event[group == g]) for g in range(k)], 0)
        assert close(ours.expected.sum(), ours.observed.sum(), 1e-12)


# ---- mergeable state ---------------------------------------------------------------------------
def subjects(rng, n, entry=False, weight=False):
    """Random subjects with tied durations (tenths), censorings at event times, zero durations,
    and optionally entry times (half at 0) and weights (some 0)."""
    duration = np.round(rng.exponential(6.0, n), 1)
    event = (rng.random(n) < 0.65).astype(np.uint8)
    columns = {"duration": duration, "event": event, "entry": None, "weight": None}
    if entry:
        late = np.round(duration * rng.random(n) * 0.5, 1)
        columns["entry"] = np.where((rng.random(n) < 0.5) | (late >= duration), 0.0, late)
        columns["duration"] = np.where(duration > 0, duration, 0.1)
    if weight:
        columns["weight"] = np.where(rng.random(n) < 0.05, 0.0, rng.random(n) * 3)
    return columns


def part(columns, index):
    return {name: None if values is None else values[index] for name, values in columns.items()}


def random_parts(rng, n, count):
    cuts = np.sort(rng.choice(np.arange(1, n), count - 1, replace=False))
    return np.split(rng.permutation(n), cuts)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("entry, weight", [(False, False), (True, False), (False, True),
                                           (True, True)])
def test_merged_partitions_equal_one_builder_bit_for_bit(seed, entry, weight):
    rng = np.random.default_rng(seed)
    n = 600
    columns = subjects(rng, n, entry, weight)
    whole = rt.KMBuilder().add(**columns)
    builders = [rt.KMBuilder().add(**part(columns, index))
                for index in random_parts(rng, n, int(rng.integers(2, 9)))]
    builders.append(rt.KMBuilder())  # an empty part merges as nothing
    order = rng.permutation(len(builders))
    into = builders[order[0]]
    for i in order[1:]:
        other = builders[i]
        if rng.random() < 0.5:  # through bytes, as between machines
            other = rt.KMBuilder.from_bytes(other.to_bytes())
        into.merge(other)
    assert into.to_bytes() == whole.to_bytes()  # equal states: equal bytes
    for conf in rt.CONF_TYPES:
        into.conf_type = whole.conf_type = conf
        assert same_curve(into.curve(), whole.curve())


def test_unweighted_and_weighted_parts_merge_exactly(rng):
    columns = subjects(rng, 300)
    ones = np.ones(300)
    whole = rt.KMBuilder().add(columns["duration"], columns["event"], weight=ones)
    a = rt.KMBuilder().add(columns["duration"][:100], columns["event"][:100])
    b = rt.KMBuilder().add(columns["duration"][100:], columns["event"][100:], weight=ones[100:])
    assert a.merge(b).to_bytes() == whole.to_bytes()
    assert same_curve(a.curve(), rt.KMBuilder().add(columns["duration"], columns["event"]).curve())


def test_logrank_of_merged_builders_is_exact(rng):
    columns = subjects(rng, 400, entry=True, weight=True)
    group = rng.integers(0, 3, 400)
    wholes = [rt.KMBuilder().add(**part(columns, group == g)) for g in range(3)]
    merged = []
    for g in range(3):
        index = np.flatnonzero(group == g)
        pieces = [rt.KMBuilder().add(**part(columns, i)) for i in np.array_split(index, 3)]
        merged.append(pieces[2].merge(pieces[0]).merge(pieces[1]))
    a = rt.logrank_builders(wholes, rho=0.5)
    b = rt.logrank_builders({"x": merged[0], "y": merged[1], "z": merged[2]}, rho=0.5)
    assert b.groups.tolist() == ["x", "y", "z"] and a.groups.tolist() == [0, 1, 2]
    for attribute in ("observed", "expected", "variance", "chisq", "p_value"):
        assert same_bits(getattr(a, attribute), getattr(b, attribute))


def test_pickle_copy_and_parameters_travel(rng):
    b = rt.KMBuilder(conf_level=0.9, conf_type="log-log", tie_tolerance=0.05)
    b.add(**subjects(rng, 200, entry=True, weight=True))
    for clone in (pickle.loads(pickle.dumps(b)), b.copy(), rt.KMBuilder.from_bytes(b.to_bytes()),
                  rt.KMBuilder.from_bytes(bytearray(b.to_bytes())),
                  rt.KMBuilder.from_bytes(np.frombuffer(b.to_bytes(), dtype=np.uint8))):
        assert clone.to_bytes() == b.to_bytes()
        assert (clone.conf_level, clone.conf_type, clone.tie_tolerance) == (0.9, "log-log", 0.05)
        assert same_curve(clone.curve(), b.curve())
    copy = b.copy()
    copy.add([1.0], [1])
    assert copy.to_bytes() != b.to_bytes()  # independent
    a = rt.KMBuilder(conf_level=0.8)
    a.merge(b)
    assert (a.conf_level, a.conf_type, a.tie_tolerance) == (0.8, "log", 0.0)  # into's kept


# ---- integer weights = replicated rows ----------------------------------------------------------
@pytest.mark.parametrize("entry", [False, True])
def test_integer_weights_equal_replicated_rows(rng, entry):
    columns = subjects(rng, 300, entry=entry)
    weight = rng.integers(0, 5, 300)
    rows = np.repeat(np.arange(300), weight)
    weighted = rt.kaplan_meier(**dict(columns, weight=weight.astype(float)))
    replicated = rt.kaplan_meier(**part(columns, rows))
    for name in ("time", "at_risk", "events", "censored"):
        assert same_bits(getattr(weighted, name), getattr(replicated, name))
    for name in ("survival", "std_err", "lower", "upper", "greenwood"):
        assert close(getattr(weighted, name), getattr(replicated, name), 1e-12), name
    group = rng.integers(0, 2, 300)
    a = rt.logrank_builders([rt.KMBuilder().add(**part(dict(columns, weight=weight * 1.0),
                                                      group == g)) for g in range(2)])
    b = rt.logrank_builders([rt.KMBuilder().add(**part(columns, rows[group[rows] == g]))
                             for g in range(2)])
    assert close(a.chisq, b.chisq, 1e-12) and close(a.variance, b.variance, 1e-12)


# ---- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [-1.0, NAN, np.inf, -np.inf])
def test_bad_durations(fails, bad):
    duration = [1.0, 2.0, bad, 3.0]
    fails(EDOMAIN, rt.KMBuilder().add, duration, [1, 1, 1, 1], bad_index=2)
    fails(EDOMAIN, rt.kaplan_meier, duration, [1, 1, 1, 1], bad_index=2)
    fails(EDOMAIN, rt.logrank, duration, [1, 1, 1, 1], [0, 1, 0, 1], bad_index=2)
    fails(EDOMAIN, rt.KMBuilder().add_counts, duration, [1] * 4, [0] * 4, bad_index=2)


@pytest.mark.parametrize("flags, index", [([1, 0, 2], 2), ([1, 256, 0], 1), ([-1, 0, 1], 0),
                                          ([1.0, 0.5, 1.0], 1), ([1.0, 0.0, NAN], 2),
                                          (np.array([0, 1, 2], dtype=np.uint8), 2)])
def test_bad_event_flags(fails, flags, index):
    fails(EDOMAIN, rt.KMBuilder().add, [1.0, 2.0, 3.0], flags, bad_index=index)
    fails(EDOMAIN, rt.logrank, [1.0, 2.0, 3.0], flags, [0, 1, 1], bad_index=index)


def test_bad_entries_and_weights(fails):
    b = rt.KMBuilder()
    fails(EDOMAIN, b.add, [2.0, 3.0], [1, 1], entry=[1.0, 3.0], bad_index=1)  # entry = duration
    fails(EDOMAIN, b.add, [2.0, 3.0], [1, 1], entry=[2.5, 1.0], bad_index=0)  # entry > duration
    fails(EDOMAIN, b.add, [2.0, 3.0], [1, 1], entry=[-1.0, 1.0], bad_index=0)
    fails(EDOMAIN, b.add, [2.0, 3.0], [1, 1], entry=[0.0, NAN], bad_index=1)
    fails(EDOMAIN, b.add, [2.0, 3.0], [1, 1], weight=[1.0, -0.5], bad_index=1)
    fails(EDOMAIN, b.add, [2.0, 3.0], [1, 1], weight=[np.inf, 1.0], bad_index=0)
    fails(EDOMAIN, b.add_counts, [1.0, 2.0], [1, -1], [0, 0], bad_index=1)
    fails(EUNDEFINED, b.curve)  # nothing was added by the failed calls


def test_columns_of_different_lengths(fails):
    b = rt.KMBuilder()
    fails(EINVAL, b.add, [1.0, 2.0], [1])
    fails(EINVAL, b.add, [1.0, 2.0], [1, 1], entry=[0.0])
    fails(EINVAL, b.add, [1.0, 2.0], [1, 1], weight=[1.0, 1.0, 1.0])
    fails(EINVAL, b.add_counts, [1.0, 2.0], [1, 1], [0])
    fails(EINVAL, rt.kaplan_meier, [1.0, 2.0], [1, 1, 0])
    fails(EINVAL, rt.logrank, [1.0, 2.0], [1, 1], [0, 1, 1])


def test_no_data_is_undefined(fails):
    fails(EUNDEFINED, rt.KMBuilder().curve)
    fails(EUNDEFINED, rt.kaplan_meier, [], [])
    fails(EUNDEFINED, rt.kaplan_meier, [1.0, 2.0], [1, 1], weight=[0.0, 0.0])
    fails(EUNDEFINED, rt.KMBuilder().add([], []).curve)


def test_unidentified_curves_are_undefined(fails):
    # left truncation with a gap: nobody at risk on (2, 5] while a subject is still to enter
    fails(EUNDEFINED, rt.kaplan_meier, [2.0, 8.0], [1, 1], entry=[0.0, 5.0])
    # a pre-counted table with more subjects leaving than entered
    fails(EUNDEFINED, rt.KMBuilder().add_counts([1.0], [1], [0], [0]).curve)


@pytest.mark.parametrize("level", [0.0, 1.0, NAN, -0.5, 1.5, np.inf])
def test_bad_confidence_levels(fails, level):
    fails(EINVAL, rt.KMBuilder, conf_level=level)
    fails(EINVAL, rt.kaplan_meier, *HAND, conf_level=level)
    b = rt.KMBuilder()
    fails(EINVAL, setattr, b, "conf_level", level)
    assert b.conf_level == 0.95


@pytest.mark.parametrize("conf_type", ["loglog", "LOG", "", 1, "arcsin"])
def test_unknown_confidence_types(fails, conf_type):
    fails(EINVAL, rt.KMBuilder, conf_type=conf_type)
    fails(EINVAL, rt.kaplan_meier, *HAND, conf_type=conf_type)


@pytest.mark.parametrize("tolerance", [-1e-9, NAN, np.inf])
def test_bad_tie_tolerances(fails, tolerance):
    fails(EINVAL, rt.KMBuilder, tie_tolerance=tolerance)
    fails(EINVAL, rt.kaplan_meier, *HAND, tie_tolerance=tolerance)


def test_set_is_all_or_nothing(fails):
    b = rt.KMBuilder(conf_level=0.9, conf_type="plain")
    fails(EINVAL, b.set, conf_level=0.8, conf_type="log-log", tie_tolerance=-1.0)
    assert (b.conf_level, b.conf_type, b.tie_tolerance) == (0.9, "plain", 0.0)
    with pytest.raises(TypeError):
        b.set(conf_level=0.8, tie_tolerance="wide")
    assert b.conf_level == 0.9
    b.conf_type, b.tie_tolerance = "log-log", 0.5
    assert b.set(conf_level=0.99) is b and (b.conf_level, b.conf_type, b.tie_tolerance) == (
        0.99, "log-log", 0.5)


def test_non_numbers_are_type_errors():
    for call in (lambda: rt.kaplan_meier(["1", "2"], [1, 1]),
                 lambda: rt.kaplan_meier([1.0, 2.0], [None, 1]),
                 lambda: rt.KMBuilder(conf_level="high"),
                 lambda: rt.kaplan_meier(*HAND).quantile("half"),
                 lambda: rt.kaplan_meier(*HAND).survival_at(["now"]),
                 lambda: rt.kaplan_meier(*HAND).rmst(None),
                 lambda: rt.logrank(*HAND, [0, 1, 0, 1, 0, 1], rho="one"),
                 lambda: rt.logrank(*HAND, np.array([0, "a", 0, 1, 0, 1], dtype=object)),
                 lambda: rt.KMBuilder().merge(rt.CohortBuilder()),
                 lambda: rt.logrank_builders([rt.KMBuilder(), "builder"])):
        with pytest.raises(TypeError):
            call()


def test_bad_curve_queries(fails):
    km = rt.kaplan_meier(*HAND)
    for p in (-0.01, 1.01, NAN):
        fails(EINVAL, km.quantile, p)
    fails(EINVAL, km.quantile, [0.5, 2.0])
    fails(EDOMAIN, km.survival_at, [[1.0, 2.0], [NAN, 3.0]], bad_index=2)  # flat, C order
    fails(EDOMAIN, km.survival_at, np.inf, bad_index=0)
    for horizon in (-1.0, NAN, np.inf):
        fails(EINVAL, km.rmst, horizon)
    with pytest.raises(TypeError):
        rt.KaplanMeier()


def test_bad_logrank_groups(fails):
    duration, event = [1.0, 2.0, 3.0, 4.0], [1, 1, 0, 1]
    fails(EINVAL, rt.logrank, duration, event, ["a"] * 4)  # one label
    fails(EINVAL, rt.logrank, [], [], [])  # none
    fails(EINVAL, rt.logrank, [1.0] * 1100, [1] * 1100, np.arange(1100))  # > 1024 labels
    for rho in (-0.5, NAN, np.inf):
        fails(EINVAL, rt.logrank, duration, event, [0, 1, 0, 1], rho=rho)
    fails(EUNDEFINED, rt.logrank, duration, [0, 0, 0, 0], [0, 1, 0, 1])  # no events
    b = rt.KMBuilder().add(duration, event)
    fails(EINVAL, rt.logrank_builders, [b])
    fails(EINVAL, rt.logrank_builders, [b, b])
    fails(EINVAL, rt.logrank_builders, [b, rt.KMBuilder().add(duration, event)], rho=-1.0)
    fails(EINVAL, b.merge, b)


# ---- serialisation robustness ------------------------------------------------------------------
def fnv1a(data):
    h = 0xcbf29ce484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def resealed(data, offset, fmt, value):
    """``data`` with the field at ``offset`` rewritten and a valid checksum: hostile, not torn."""
    data = bytearray(data)
    struct.pack_into("<" + fmt, data, offset, value)
    struct.pack_into("<Q", data, len(data) - 8, fnv1a(data[:-8]))
    return bytes(data)


def small_state(weighted=False):
    b = rt.KMBuilder(conf_type="plain")
    b.add([0.0, 1.5, 2.0, 2.0], [1, 0, 1, 1], weight=[1.0, 0.5, 2.0, 1.0] if weighted else None)
    return b.to_bytes()


def test_the_format_is_the_documented_one():
    data = small_state()
    assert data[:8] == b"RTNKMBLD" and struct.unpack_from("<II", data, 8) == (1, 0)
    assert struct.unpack_from("<diid", data, 16) == (0.95, 2, 0, 0.0)
    assert struct.unpack_from("<QddQ", data, 40) == (4, 4.0, 0.0, 3)
    assert len(data) == 72 + 3 * 32 + 8 and len(small_state(True)) == 72 + 3 * 80 + 8
    assert struct.unpack_from("<dQQQ", data, 72 + 32) == (1.5, 0, 1, 0)
    assert struct.unpack_from("<Q", data, len(data) - 8)[0] == fnv1a(data[:-8])
    assert rt.KMBuilder.from_bytes(resealed(data, 16, "d", 0.9)).conf_level == 0.9


@pytest.mark.parametrize("weighted", [False, True])
def test_truncated_extended_and_flipped_bytes_are_errors(fails, weighted):
    data = small_state(weighted)
    for size in range(len(data)):
        fails(ECORRUPT, rt.KMBuilder.from_bytes, data[:size])
    fails(ECORRUPT, rt.KMBuilder.from_bytes, data + b"\0")
    for i in range(len(data)):
        for mask in (0x01, 0x80, 0xFF):
            broken = bytearray(data)
            broken[i] ^= mask
            with pytest.raises(rt.RetentionError) as info:
                rt.KMBuilder.from_bytes(bytes(broken))
            assert info.value.code in (ECORRUPT, EVERSION)


@pytest.mark.parametrize("offset, fmt, value, code", [
    (0, "8s", b"RTNKMBLX", ECORRUPT),
    (8, "I", 2, EVERSION),
    (8, "I", 0, EVERSION),
    (12, "I", 2, ECORRUPT),          # an unknown flag
    (16, "d", 1.5, ECORRUPT),        # confidence level
    (16, "d", NAN, ECORRUPT),
    (24, "i", 3, ECORRUPT),          # confidence type
    (28, "I", 1, ECORRUPT),          # reserved
    (32, "d", -1.0, ECORRUPT),       # tie tolerance
    (48, "d", 5.0, ECORRUPT),        # unweighted: weight sum = count
    (64, "Q", 4, ECORRUPT),          # more times than the buffer holds
    (64, "Q", 2**63, ECORRUPT),
    (72, "d", NAN, ECORRUPT),        # a time
    (72, "d", -0.0, ECORRUPT),
    (72, "d", 1.75, ECORRUPT),       # out of order
    (72 + 32, "d", 2.0, ECORRUPT),   # repeated
    (72 + 8, "Q", 0, ECORRUPT),      # an entry with nothing in it
    (72 + 8, "Q", 2**64 - 1, ECORRUPT),  # counts overflowing
])
def test_hostile_but_sealed_buffers_are_errors(fails, offset, fmt, value, code):
    fails(code, rt.KMBuilder.from_bytes, resealed(small_state(), offset, fmt, value))


def test_another_version_is_a_version_error_whatever_its_checksum(fails):
    data = bytearray(small_state())
    struct.pack_into("<I", data, 8, 2)  # a version 2 writer may seal differently
    fails(EVERSION, rt.KMBuilder.from_bytes, bytes(data))


def test_random_buffers_are_errors(fails, rng):
    for size in (0, 1, 80, 200):
        fails(ECORRUPT, rt.KMBuilder.from_bytes, rng.integers(0, 256, size, dtype=np.uint8))
    # the magic and then the version are read first: version 0 is not this format's version
    fails(EVERSION, rt.KMBuilder.from_bytes, b"RTNKMBLD" + bytes(100))


# ---- closed handles ----------------------------------------------------------------------------
def test_closed_builders_and_curves_are_errors(fails):
    b = rt.KMBuilder().add(*HAND)
    km = b.curve()
    km.survival  # cached: still refused once closed
    b.close()
    b.close()  # idempotent
    assert b.closed and repr(b) == "<KMBuilder (closed)>"
    for call in (lambda: b.add(*HAND), lambda: b.add_counts([1.0], [1], [0]), b.curve,
                 b.to_bytes, b.copy, lambda: b.conf_level, lambda: b.set(conf_level=0.9),
                 lambda: rt.KMBuilder().merge(b), lambda: b.merge(rt.KMBuilder()),
                 lambda: rt.logrank_builders([b, rt.KMBuilder()]), lambda: pickle.dumps(b)):
        fails(EINVAL, call)
    assert len(km) == 5 and km.median().time == 3.0  # the curve outlives its builder
    with km:
        pass
    assert km.closed and repr(km) == "<KaplanMeier (closed)>"
    for call in (lambda: km.survival, lambda: km.time, km.median, lambda: km.quantile(0.2),
                 lambda: km.survival_at(1.0), lambda: km.rmst(2.0), km.to_frame):
        fails(EINVAL, call)


# ---- invariants --------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("conf", list(rt.CONF_TYPES))
def test_curve_invariants(seed, conf):
    rng = np.random.default_rng(seed)
    columns = subjects(rng, 500, entry=seed % 2 == 1, weight=seed >= 2)
    km = rt.kaplan_meier(**columns, conf_type=conf, conf_level=0.9)
    s, lower, upper = km.survival, km.lower, km.upper
    assert np.all(np.diff(km.time) > 0) and np.all((s >= 0) & (s <= 1))
    assert np.all(np.diff(s) <= 0)
    defined = ~np.isnan(lower)
    assert np.array_equal(defined, ~np.isnan(upper))
    assert np.all(lower[defined] <= s[defined]) and np.all(s[defined] <= upper[defined])
    assert np.all((lower[defined] >= 0) & (upper[defined] <= 1))
    assert np.all(np.isnan(lower[s == 0]))
    alive = s > 0
    assert close(km.std_err[alive], s[alive] * np.sqrt(km.greenwood[alive]), 1e-15)
    at = km.survival_at(km.time)
    assert same_bits(at.survival, s) and same_bits(at.lower, lower) and same_bits(at.upper, upper)
    middle = km.survival_at((km.time[:-1] + km.time[1:]) / 2)  # between rows: the row before
    assert same_bits(middle.survival, s[:-1]) and same_bits(middle.lower, lower[:-1])
    after = km.survival_at(km.time[-1] + 1e6)  # past the end: the last row
    assert all(same_bits(x, y[-1]) for x, y in zip(after, (s, lower, upper)))
    before = km.survival_at(np.array([-5.0, np.nextafter(km.time[0], -np.inf)]))
    assert all(np.array_equal(x, [1.0, 1.0]) for x in before)
    median = km.median().time
    if not np.isnan(median):
        assert km.survival_at(median).survival <= 0.5 + 1.5e-8
        assert km.survival_at(np.nextafter(median, 0)).survival >= 0.5 - 1.5e-8
    else:
        assert s.min() > 0.5 - 1.5e-8


def test_rmst_is_the_area_under_the_steps():
    km = rt.kaplan_meier(*HAND)
    edges = np.concatenate([[0.0], km.time])
    heights = np.concatenate([[1.0], km.survival])
    assert close(km.rmst(5).rmst, np.sum(np.diff(edges) * heights[:-1]), 1e-15)
    assert km.rmst(0).rmst == 0.0 and km.rmst(0.5) == (0.5, 0.0)
    assert close(km.rmst(9).rmst, km.rmst(5).rmst, 1e-15)  # S = 0 past the last time


def test_shapes_of_vector_queries():
    km = rt.kaplan_meier(*HAND)
    grid = np.array([[0.5, 1.0, 2.5], [3.0, 4.5, 9.0]])
    at = km.survival_at(grid)
    assert at.survival.shape == (2, 3) and close(at.survival, [[1, 5 / 6, 2 / 3],
                                                              [4 / 9, 4 / 9, 0]], 1e-15)
    assert isinstance(km.survival_at(2.0).survival, float)
    q = km.quantile(np.array([[0.1, 0.5], [0.9, 1.0]]))
    assert q.time.shape == (2, 2) and close(q.time, [[1, 3], [5, 5]], 0)
    assert np.isnan(rt.kaplan_meier([1.0, 2.0, 3.0], [1, 0, 0]).median().time)  # R's NA
    assert km.survival.flags.writeable is False


# ---- columns, zero copy, pandas ----------------------------------------------------------------
def address(pointer):
    return ctypes.cast(pointer, ctypes.c_void_p).value


def test_columns_are_passed_without_a_copy():
    duration = np.linspace(0.0, 10.0, 100)
    array, pointer = _lib._column(duration, np.float64, "rtn_test")
    assert array is duration and address(pointer) == duration.ctypes.data
    for flags in (np.arange(100, dtype=np.uint8) % 2, np.arange(100) % 2 == 0):
        array, pointer = sv._flags(flags, "rtn_test")
        assert address(pointer) == flags.ctypes.data and array.dtype == np.uint8
    array, pointer = sv._flags((np.arange(100) % 2 == 0)[::2], "rtn_test")  # strided: a copy
    assert array.tolist() == [1] * 50
    bools = rt.kaplan_meier(duration, np.arange(100) % 3 == 0)
    ints = rt.kaplan_meier(duration.tolist(), (np.arange(100) % 3 == 0).astype(np.int64))
    assert same_curve(bools, ints)


def test_to_frame():
    pd = pytest.importorskip("pandas")
    km = rt.kaplan_meier(*HAND)
    frame = km.to_frame()
    assert list(frame.columns) == ["time", "at_risk", "events", "censored", "survival",
                                   "std_err", "lower", "upper"]
    assert isinstance(frame, pd.DataFrame) and len(frame) == 5
    assert same_bits(frame["survival"].to_numpy(), km.survival)


def test_to_frame_without_pandas(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(ImportError, match="needs pandas"):
        rt.kaplan_meier(*HAND).to_frame()


def test_exports_and_reprs():
    for name in ("KMBuilder", "KaplanMeier", "kaplan_meier", "logrank", "logrank_builders",
                 "CONF_TYPES", "SurvivalAt", "Quantile", "Rmst", "LogRankResult"):
        assert name in rt.__all__ and hasattr(rt, name)
    assert rt.CONF_TYPES == {"log": 0, "log-log": 1, "plain": 2}
    assert "Kaplan-Meier" in rt.__doc__ and "Greenwood" in sv.__doc__
    assert repr(rt.KMBuilder(conf_type="plain")) == \
        "KMBuilder(conf_level=0.95, conf_type='plain', tie_tolerance=0.0)"
    assert repr(rt.kaplan_meier(*HAND)) == "<KaplanMeier 5 rows, 0.95 log bounds>"


# ---- the declarations --------------------------------------------------------------------------
def test_the_survival_functions_are_declared_as_in_the_header(root):
    """_SIGNATURES against survival.h, whose log-rank takes `const rtn_km_builder *const *`."""
    text = re.sub(r"/\*.*?\*/", "", (root / "include" / "retention" / "survival.h").read_text(),
                  flags=re.S)
    P = ctypes.POINTER
    scalars = {"int": ctypes.c_int, "int32_t": ctypes.c_int32, "size_t": ctypes.c_size_t,
               "double": ctypes.c_double, "uint8_t": ctypes.c_uint8, "uint32_t": ctypes.c_uint32,
               "uint64_t": ctypes.c_uint64, "rtn_km_builder": _lib._KMBuilder,
               "rtn_km": _lib._KM, "rtn_allocator": _lib._Allocator}

    def c_type(declaration):
        declaration = re.sub(r"\bconst\b", " ", declaration).strip()
        if declaration == "void":
            return None
        m = re.fullmatch(r"(\w+)([\s*]*?)\s*\w*", declaration)
        t = scalars[m.group(1)]
        for _ in range(m.group(2).count("*")):
            t = P(t)
        return t

    prototypes = {m.group(2): (m.group(1), m.group(3)) for m in re.finditer(
        r"RTN_API\s+([\w\s\*]+?)\s*\b(rtn_\w+)\s*\(([^)]*)\)", text)}
    assert len(prototypes) == 19
    script = (root / "lib" / "retention.map").read_text()
    for name, (restype, params) in prototypes.items():
        assert re.search(r"\b%s;" % name, script), name
        function = getattr(_lib.lib, name)
        assert function.restype is c_type(restype), name
        params = [" ".join(p.split()) for p in params.split(",")]
        assert list(function.argtypes) == [c_type(p) for p in params], name
