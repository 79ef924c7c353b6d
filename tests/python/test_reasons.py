"""Churn reasons (retention.reasons): the taxonomy as the header states it, tallies against
collections.Counter, shares and Wilson intervals against statsmodels, the report's order,
labels of your own, merging, and bad input.

Every expected value is written by hand or computed here (Counter, math.fsum, statsmodels),
never pasted from the library's output.
"""
import math
import pickle
import re
from collections import Counter, defaultdict

import numpy as np
import pytest

import retention as rt
from retention import EDOMAIN, EINVAL, EUNDEFINED, _lib

NAN = float("nan")

# reasons.h's table, written out by hand
TAXONOMY = {
    0: ("other", ()),
    1: ("wrong_use_case", ("marketing", "sales")),
    2: ("failed_launch", ("sales", "onboarding")),
    3: ("features", ("product", "support")),
    4: ("low_usage", ("onboarding", "support")),
    5: ("roi_value", ("support", "relationship_management")),
    6: ("organization_change", ("support", "relationship_management")),
}
TEAM_BITS = {1: "marketing", 2: "sales", 4: "onboarding", 8: "product", 16: "support",
             32: "relationship_management"}


def header(root):
    return (root / "include" / "retention" / "reasons.h").read_text()


def test_the_taxonomy_is_the_headers(root):
    assert rt.REASONS == {code: name for code, (name, _) in TAXONOMY.items()}
    assert rt.TEAMS == TEAM_BITS
    for code, (name, teams) in TAXONOMY.items():
        assert rt.reason_name(code) == name
        assert rt.reason_code(name) == code
        assert set(rt.reason_teams(code)) == set(teams)
        assert rt.reason_teams(code) == tuple(t for t in TEAM_BITS.values() if t in teams)
    # and the header's own table says the same
    rows = re.findall(r"\* \| (\d+)\s+\| (\w+)\s+\| ([^|]*?)\s*\|", header(root))
    assert len(rows) == 7
    for code, name, teams in rows:
        assert TAXONOMY[int(code)][0] == name
        listed = () if teams == "(no team)" else tuple(
            t.strip().replace(" ", "_") for t in teams.split(","))
        assert set(TAXONOMY[int(code)][1]) == set(listed), name
    for name, value in re.findall(r"RTN_TEAM_(\w+) = (\d+)", header(root)):
        assert TEAM_BITS[int(value)] == name.lower()


def test_names_codes_and_teams_of_other_codes(fails):
    for code in (7, 63, 64, 255, 256, -1, 2**31 - 1):
        assert rt.reason_name(code) is None
    for code in (64, 100, 255):
        assert rt.reason_teams(code) == ()
    for code in (7, 30, 63, 256, -1, -2**31):
        fails(EDOMAIN, rt.reason_teams, code)
    fails(EDOMAIN, rt.reason_teams, 2**40)
    for spelling, code in (("Low usage", 4), ("LOW-USAGE", 4), (" low  usage ", 4),
                           ("ROI value", 5), ("Organization-Change", 6), ("Other", 0),
                           ("wrong use case", 1)):
        assert rt.reason_code(spelling) == code, spelling
    for name in ("price", "", "featuresx", "féatures", "features\0"):
        fails(EDOMAIN, rt.reason_code, name)
    with pytest.raises(TypeError):
        rt.reason_code(3)
    with pytest.raises(TypeError):
        rt.reason_name("features")


def test_the_row_structure_mirrors_the_header(root):
    struct = re.search(r"typedef struct rtn_reason_row \{(.*?)\} rtn_reason_row;",
                       header(root), re.S).group(1)
    struct = re.sub(r"/\*.*?\*/", "", struct, flags=re.S)
    fields = []
    for ctype, names in re.findall(r"(\w+)\s+([\w\s,]+);", struct):
        fields += [(name.strip(), ctype) for name in names.split(",")]
    types = {"int32_t": "c_int", "uint32_t": "c_uint", "uint64_t": "c_ulong",
             "double": "c_double"}
    assert [(n, types[t]) for n, t in fields] == \
        [(n, t.__name__) for n, t in _lib._ReasonRow._fields_]


# ---- tallies ----------------------------------------------------------------------------------
CODES = [0, 1, 2, 3, 4, 5, 6, 64, 65, 200, 255]


def random_churn(rng, n=500):
    codes = rng.choice(CODES, n, p=np.array([3, 5, 2, 8, 6, 4, 2, 1, 1, 1, 1]) / 34)
    lost = rng.integers(0, 50000, n) / 100.0
    return codes, lost


def test_tally_is_a_counter(rng):
    codes, lost = random_churn(rng)
    t = rt.ReasonTally().add(codes[:300], lost[:300]).add(codes[300:], lost[300:])
    counted = Counter(codes.tolist())
    assert t.counts.dtype == np.uint64 and t.counts.shape == (256,)
    assert t.lost.dtype == np.float64 and t.lost.shape == (256,)
    assert {c: int(n) for c, n in enumerate(t.counts) if n} == dict(counted)
    by_code = defaultdict(list)
    for c, m in zip(codes.tolist(), lost.tolist()):
        by_code[c].append(m)
    for c in range(256):
        assert t.lost[c] == pytest.approx(math.fsum(by_code.get(c, [])), rel=1e-15, abs=0)
    assert t.total == 500 and t.has_mrr


def test_report_shares_and_wilson_intervals_against_statsmodels(rng):
    proportion = pytest.importorskip("statsmodels.stats.proportion")
    codes, lost = random_churn(rng)
    counted = Counter(codes.tolist())
    total = sum(counted.values())
    lost_by = defaultdict(float)
    for c, m in zip(codes.tolist(), lost.tolist()):
        lost_by[c] += m
    all_lost = math.fsum(lost.tolist())
    for confidence in (0.95, 0.8, 0.999):
        report = rt.churn_reasons(codes, lost, confidence=confidence)
        assert report.order == "lost_mrr" and report.total == total
        assert report.confidence == confidence
        assert report.lost_total == pytest.approx(all_lost, rel=1e-15)
        assert {row.code for row in report} == set(counted)
        for row in report:
            assert row.count == counted[row.code]
            assert row.share == pytest.approx(counted[row.code] / total, rel=1e-15)
            low, high = proportion.proportion_confint(row.count, total, alpha=1 - confidence,
                                                      method="wilson")
            assert row.share_low == pytest.approx(low, rel=1e-12, abs=1e-15)
            assert row.share_high == pytest.approx(high, rel=1e-12, abs=1e-15)
            assert row.lost_mrr == pytest.approx(lost_by[row.code], rel=1e-14)
            assert row.lost_share == pytest.approx(lost_by[row.code] / all_lost, rel=1e-13)
            assert row.reason == rt.REASONS.get(row.code, row.code)
            assert row.teams == (rt.reason_teams(row.code))
        assert math.fsum(row.share for row in report) == pytest.approx(1.0, rel=1e-14)


def test_report_order_by_lost_mrr_and_by_count_with_ties():
    # by lost MRR: 3 (500) > 64 (300) = 4 (300, 3 customers) = 1 (300, 3 customers) > 0 (10)
    # ties by count (4 and 1 have 3 customers, 64 one), then by code (1 before 4)
    reasons = [3, 64, 4, 4, 4, 1, 1, 1, 0, 0, 0, 0]
    lost = [500, 300, 100, 100, 100, 100, 150, 50, 2.5, 2.5, 2.5, 2.5]
    report = rt.churn_reasons(reasons, lost)
    assert [row.code for row in report] == [3, 1, 4, 64, 0]
    # by count: 0 (4) > 1, 4 (3 each: equal lost MRR too, so by code) > 3, 64 (1 each: 3 has
    # the larger lost MRR... and the smaller code)
    report = rt.churn_reasons(reasons, lost, order="count")
    assert report.order == "count"
    assert [row.code for row in report] == [0, 1, 4, 3, 64]
    # without MRR: the default order is by count, ties by code; lost_mrr and its share NaN
    report = rt.churn_reasons(reasons)
    assert report.order == "count"
    assert [row.code for row in report] == [0, 1, 4, 3, 64]
    assert all(math.isnan(row.lost_mrr) and math.isnan(row.lost_share) for row in report)
    assert math.isnan(report.lost_total)
    # equal counts and equal lost MRR everywhere: by code
    report = rt.churn_reasons([255, 6, 64, 0, 3], [1.0] * 5)
    assert [row.code for row in report] == [0, 3, 6, 64, 255]
    # all lost MRR 0: lost_share NaN, lost_mrr 0
    report = rt.churn_reasons([1, 2], [0.0, 0.0])
    assert [row.lost_mrr for row in report] == [0.0, 0.0]
    assert all(math.isnan(row.lost_share) for row in report)


def test_reasons_as_text_and_labels_of_your_own():
    reasons = ["Features", "price", "low usage", "Price", "price", "too slow", "other", 3,
               "ROI-value", "too slow", 64]
    lost = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110]
    t = rt.ReasonTally().add(reasons, lost)
    # new labels take the free user codes in order of first appearance, skipping 64 (a raw
    # code of the same call); labels match loosely, as the CLI's do ("Price" is "price"), and
    # keep the first spelling
    assert t.labels == {65: "price", 66: "too slow"}
    assert {c: int(n) for c, n in enumerate(t.counts) if n} == \
        {3: 2, 65: 3, 4: 1, 66: 2, 0: 1, 5: 1, 64: 1}
    assert t.lost[65] == 110 and t.lost[3] == 90 and t.lost[66] == 160
    # the same label later (spelt loosely) keeps its code; a new one takes the next free code
    t.add(["Too-Slow", "bugs"], [1, 2])
    assert t.labels[66] == "too slow" and t.labels[67] == "bugs" and t.counts[66] == 3
    assert t.code_of("TOO SLOW") == 66
    report = t.report(order="count")
    names = {row.code: row.reason for row in report}
    assert names[66] == "too slow" and names[3] == "features" and names[64] == 64
    assert names[67] == "bugs"
    # numpy string columns work the same
    u = rt.ReasonTally().add(np.array(reasons, dtype=object), lost).add(
        np.array(["Too-Slow", "bugs"]), [1, 2])
    assert u == t
    # codes given as whole floats are codes
    v = rt.ReasonTally().add(np.array([3.0, 64.0]))
    assert v.counts[3] == 1 and v.counts[64] == 1 and not v.labels


def test_a_tally_holds_at_most_192_labels_of_its_own(fails):
    labels = ["reason %d" % i for i in range(192)]
    t = rt.ReasonTally().add(labels)
    assert sorted(t.labels) == list(range(64, 256))
    before = t.copy()
    error = fails(EDOMAIN, t.add, ["reason 5", "one too many"], bad_index=1)
    assert "192" in str(error)
    assert t == before
    # a raw user code already in use is not given to a label
    u = rt.ReasonTally().add([64, 66])
    u.add(["a", "b"])
    assert u.labels == {65: "a", 67: "b"}


def test_merge_adds_element_wise_and_matches_labels(rng):
    a_reasons = ["price", "features", "bugs", 200, "price"]
    b_reasons = ["bugs", "support hours", "price", 3, 200]
    a = rt.ReasonTally().add(a_reasons, [1, 2, 3, 4, 5])
    b = rt.ReasonTally().add(b_reasons, [10, 20, 30, 40, 50])
    assert a.labels == {64: "price", 65: "bugs"} and b.labels == {64: "bugs",
                                                                  65: "support hours",
                                                                  66: "price"}
    b_before = b.copy()
    assert a.merge(b) is a
    assert b == b_before
    whole = Counter()
    for reason in a_reasons + b_reasons:
        whole[reason if not isinstance(reason, str) or reason not in ("features",)
              else 3] += 1
    got = Counter()
    for code, n in enumerate(a.counts):
        if n:
            got[a.labels.get(code, code)] += int(n)
    assert got == whole
    assert a.lost[a.code_of("price")] == 1 + 5 + 30
    assert a.lost[a.code_of("support hours")] == 20
    assert a.total == 10
    # merging a tally of random codes equals adding them all to one
    codes, lost = random_churn(rng, 300)
    x = rt.ReasonTally().add(codes[:100], lost[:100])
    y = rt.ReasonTally().add(codes[100:], lost[100:])
    x.merge(y)
    z = rt.ReasonTally().add(codes, lost)
    assert np.array_equal(x.counts, z.counts)
    np.testing.assert_allclose(x.lost, z.lost, rtol=1e-14)


def test_merge_conflicts(fails):
    a = rt.ReasonTally().add(["price"])  # "price" is 64 here
    b = rt.ReasonTally().add([64])       # 64 is an unlabelled code there
    fails(EINVAL, a.merge, b)
    fails(EINVAL, a.merge, a)
    fails(EINVAL, rt.ReasonTally().add([1], [1.0]).merge, rt.ReasonTally().add([1]))
    with pytest.raises(TypeError):
        a.merge({})
    # an empty tally merges with anything
    c = rt.ReasonTally().merge(rt.ReasonTally().add(["x"], [2.0]))
    assert c.has_mrr and c.labels == {64: "x"} and c.lost[64] == 2.0


def test_tallies_pickle_and_copy():
    t = rt.ReasonTally().add(["price", 3], [1.5, 2.5])
    again = pickle.loads(pickle.dumps(t))
    assert again == t and again.labels == {64: "price"}
    c = t.copy()
    c.add([3], [1.0])
    assert c != t and t.counts[3] == 1


def test_report_frame():
    pd = pytest.importorskip("pandas")
    frame = rt.churn_reasons(["features", "price", "price"], [5.0, 1.0, 2.0]).to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["reason", "code", "teams", "count", "share", "share_low",
                                   "share_high", "lost_mrr", "lost_share"]
    assert list(frame["reason"]) == ["features", "price"]
    assert list(frame["teams"]) == ["product, support", ""]
    assert list(frame["count"]) == [1, 2]


# ---- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [7, 63, 30, -1, 256, 2**31 - 1])
def test_unknown_codes_are_domain_errors_and_nothing_is_added(fails, bad):
    t = rt.ReasonTally().add([1, 2])
    before = t.copy()
    fails(EDOMAIN, t.add, np.array([1, 3, bad, 4], dtype=np.int64), bad_index=2)  # C's check
    fails(EDOMAIN, t.add, [1, "price", bad, 4], bad_index=2)  # Python's, same answer
    assert t == before and not t.labels
    fails(EDOMAIN, rt.churn_reasons, [0, 0, 0, bad], bad_index=3)


def test_bad_amounts_and_labels(fails):
    t = rt.ReasonTally().add([1], [1.0])
    before = t.copy()
    for bad in (NAN, -1.0, math.inf):
        fails(EDOMAIN, t.add, [1, 2, 3], [1.0, 2.0, bad], bad_index=2)
        fails(EDOMAIN, t.add, ["new label", "x", 3], [1.0, bad, 2.0], bad_index=1)
    assert t == before and not t.labels
    for bad in (None, NAN, 2.5, True):
        fails(EDOMAIN, t.add, ["price", bad], [1.0, 1.0], bad_index=1)
    fails(EDOMAIN, t.add, [1, 2**40], [1.0, 1.0], bad_index=1)
    fails(EINVAL, t.add, [1, 2], [1.0])  # lengths
    fails(EINVAL, t.add, [1, 2])  # this tally has MRR
    fails(EINVAL, rt.ReasonTally().add([1]).add, [1], [1.0])
    fails(rt.EOVERFLOW, t.add, [1, 1], [1e308, 1e308])
    assert t == before


def test_bad_reports(fails):
    fails(EUNDEFINED, rt.ReasonTally().report)
    fails(EUNDEFINED, rt.ReasonTally().add([]).report)
    t = rt.ReasonTally().add([1, 2], [1.0, 2.0])
    for confidence in (0.0, 1.0, -0.5, 1.5, NAN, math.inf):
        fails(EINVAL, t.report, confidence=confidence)
    fails(EINVAL, t.report, order="alphabetical")
    fails(EINVAL, rt.ReasonTally().add([1]).report, order="lost_mrr")
    with pytest.raises(TypeError):
        t.report(confidence="high")
    # counts under a reserved code (arrays edited by hand) are refused by the library
    counts = np.zeros(256, dtype=np.uint64)
    counts[[1, 7]] = 3
    fails(EDOMAIN, rt.ReasonTally(counts=counts).report)
    lost = np.zeros(256)
    lost[2] = -1.0
    counts[7] = 0
    fails(EDOMAIN, rt.ReasonTally(counts=counts, lost=lost).report)
    lost[2], lost[9] = 0.0, 1.0
    fails(EDOMAIN, rt.ReasonTally(counts=counts, lost=lost).report)
    with pytest.raises(ValueError):
        rt.ReasonTally(counts=np.zeros(10))
