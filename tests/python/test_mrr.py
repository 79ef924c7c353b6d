"""The MRR bridge (retention.mrr): a hand-worked bridge, a plain-Python reference on random data
(exact sums with fractions.Fraction), the balance identity, rates against their formulas, exact
merges of random partitions, the window options, labels and timestamps, serialisation robustness
and bad input.

Every expected value is written by hand or computed here (plain Python, Fraction, datetime),
never pasted from the library's output.
"""
import calendar
import datetime as dt
import math
import pickle
import struct
from collections import defaultdict
from fractions import Fraction

import numpy as np
import pytest

import retention as rt
from retention import ECORRUPT, EDOMAIN, EINVAL, EUNDEFINED, EVERSION

NAN = float("nan")
AMOUNTS = ("start", "new", "expansion", "reactivation", "contraction", "churned", "end")
COUNTS = tuple(name + "_customers" for name in AMOUNTS)
RATES = ("gross_revenue_churn", "net_revenue_churn", "nrr", "grr", "quick_ratio")


def same(actual, expected):
    actual = np.asarray(actual)
    expected = np.asarray(expected, dtype=actual.dtype)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert np.array_equal(actual, expected, equal_nan=True), "\n%r\n!=\n%r" % (actual, expected)
    return True


def same_table(a, b):
    assert a.first == b.first and len(a) == len(b)
    for name in rt.MRR_COLUMNS:
        assert same(getattr(a, name), getattr(b, name)), name
    return True


# ---- the reference: mrr.h's definitions, in plain Python with exact fractions -----------------
def reference(customer, period, mrr, first=None, last=None):
    """{column: [values per period]} for the window first … last (defaults: the rows' range),
    amounts as exact Fractions, counts as ints, rates as floats from the exact sums. A
    customer's MRR in a period is the exact sum of their rows rounded once to a float (mrr.h)."""
    paid = defaultdict(lambda: defaultdict(Fraction))  # customer -> period -> MRR
    for c, p, m in zip(customer, period, mrr):
        paid[c][int(p)] += Fraction(float(m))
    for history in paid.values():
        for p in history:
            history[p] = Fraction(float(history[p]))
    first = min(int(p) for p in period) if first is None else first
    last = max(int(p) for p in period) if last is None else last
    out = {name: [] for name in AMOUNTS + COUNTS}
    for p in range(first, last + 1):
        sums = dict.fromkeys(AMOUNTS, Fraction(0))
        counts = dict.fromkeys(AMOUNTS, 0)

        def file(move, amount):
            sums[move] += amount
            counts[move] += 1

        for history in paid.values():
            before, now = history.get(p - 1, Fraction(0)), history.get(p, Fraction(0))
            if before > 0:
                file("start", before)
            if now > 0:
                file("end", now)
            if before == 0 and now > 0:
                ever = any(q < p and v > 0 for q, v in history.items())
                file("reactivation" if ever else "new", now)
            elif before > 0 and now == 0:
                file("churned", before)
            elif before > 0 and now > before:
                file("expansion", now - before)
            elif before > 0 and now < before:
                file("contraction", before - now)
        for move in AMOUNTS:
            out[move].append(sums[move])
            out[move + "_customers"].append(counts[move])
    out["gross_revenue_churn"], out["net_revenue_churn"] = [], []
    out["nrr"], out["grr"], out["quick_ratio"] = [], [], []
    for i in range(last - first + 1):
        s = {move: out[move][i] for move in AMOUNTS}
        lost = s["churned"] + s["contraction"]

        def ratio(num, den):
            return float(num) / float(den) if den > 0 else NAN

        out["gross_revenue_churn"].append(ratio(lost, s["start"]))
        out["net_revenue_churn"].append(ratio(lost - s["expansion"] - s["reactivation"],
                                              s["start"]))
        out["nrr"].append(ratio(s["start"] + s["expansion"] - lost, s["start"]))
        out["grr"].append(ratio(s["start"] - lost, s["start"]))
        out["quick_ratio"].append(ratio(s["new"] + s["expansion"] + s["reactivation"], lost))
    return first, out


def check_against_reference(table, customer, period, mrr, first=None, last=None):
    first, expected = reference(customer, period, mrr, first, last)
    assert table.first == first
    assert len(table) == len(expected["start"])
    same(table.periods, np.arange(first, first + len(table)))
    assert table.periods.dtype == np.int64
    for name in AMOUNTS:  # exact sums, rounded once
        same(getattr(table, name), [float(x) for x in expected[name]])
        # and the exact movements balance
        for i in range(len(table)):
            e = {m: expected[m][i] for m in AMOUNTS}
            assert e["start"] + e["new"] + e["expansion"] + e["reactivation"] - \
                e["contraction"] - e["churned"] == e["end"]
    for name in COUNTS:
        same(getattr(table, name), expected[name])
    for name in RATES:  # the same ratio of the same doubles: to the last bit or one ulp
        np.testing.assert_allclose(getattr(table, name), expected[name], rtol=4e-16, atol=0)
        same(np.isnan(getattr(table, name)), np.isnan(expected[name]))
    return expected


def random_rows(rng, n=400, customers=40, periods=12, cents=True, zeros=True):
    customer = rng.integers(0, customers, n)
    period = rng.integers(0, periods, n)
    if cents:
        mrr = rng.integers(0, 100000, n).astype(np.float64)  # whole cents
    else:
        mrr = np.round(rng.uniform(0, 1000, n), 2)  # 12.34: not exact in binary
    if zeros:
        mrr[rng.random(n) < 0.1] = 0.0
    return customer, period, mrr


# ---- a bridge worked by hand -------------------------------------------------------------------
#   A: 100, 100, 150, 150 (expands in p2)
#   B: 50, -, -, 80       (churns in p1, comes back in p3: reactivation, not new)
#   C: -, 200, 120, -     (new in p1, contracts in p2, churns in p3)
#   D: -, -, 10+20, 30    (two subscriptions in p2: new 30; flat in p3)
HAND = (["A", "B", "A", "C", "A", "C", "D", "D", "A", "B", "D"],
        [0, 0, 1, 1, 2, 2, 2, 2, 3, 3, 3],
        [100, 50, 100, 200, 150, 120, 10, 20, 150, 80, 30])


def test_a_bridge_worked_by_hand():
    t = rt.mrr_movements(*HAND)
    assert t.first == 0 and len(t) == 4
    same(t.periods, [0, 1, 2, 3])
    same(t.start, [0, 150, 300, 300])
    same(t.new, [150, 200, 30, 0])
    same(t.expansion, [0, 0, 50, 0])
    same(t.reactivation, [0, 0, 0, 80])
    same(t.contraction, [0, 0, 80, 0])
    same(t.churned, [0, 50, 0, 120])
    same(t.end, [150, 300, 300, 260])
    same(t.start_customers, [0, 2, 2, 3])
    same(t.new_customers, [2, 1, 1, 0])
    same(t.expansion_customers, [0, 0, 1, 0])
    same(t.reactivation_customers, [0, 0, 0, 1])
    same(t.contraction_customers, [0, 0, 1, 0])
    same(t.churned_customers, [0, 1, 0, 1])
    same(t.end_customers, [2, 2, 3, 3])
    # rates: NaN where start = 0 (and, for the quick ratio, where nothing was lost)
    np.testing.assert_allclose(t.gross_revenue_churn, [NAN, 50 / 150, 80 / 300, 120 / 300])
    np.testing.assert_allclose(t.net_revenue_churn, [NAN, 50 / 150, 30 / 300, 40 / 300])
    np.testing.assert_allclose(t.nrr, [NAN, 100 / 150, 270 / 300, 180 / 300])
    np.testing.assert_allclose(t.grr, [NAN, 100 / 150, 220 / 300, 180 / 300])
    np.testing.assert_allclose(t.quick_ratio, [NAN, 200 / 50, 80 / 80, 80 / 120])
    assert math.isnan(t.quick_ratio[0]) and math.isnan(t.nrr[0])


def test_the_hand_bridge_as_a_frame_and_dict():
    pd = pytest.importorskip("pandas")
    t = rt.mrr_movements(*HAND)
    frame = t.to_frame()
    assert list(frame.columns) == list(rt.MRR_COLUMNS)
    assert frame.index.name == "period" and list(frame.index) == [0, 1, 2, 3]
    assert frame["churned_customers"].dtype == np.int64
    assert frame.loc[3, "reactivation"] == 80 and frame.loc[2, "expansion"] == 50
    assert isinstance(frame, pd.DataFrame)
    d = t.to_dict()
    same(d["period"], [0, 1, 2, 3])
    same(d["end"], [150, 300, 300, 260])
    assert t.column("new")[1] == 200
    with pytest.raises(ValueError):
        t.column("nope")


def test_columns_are_read_only_and_cached():
    t = rt.mrr_movements(*HAND)
    assert t.start is t.start
    with pytest.raises(ValueError):
        t.start[0] = 1.0


def test_the_window_is_a_finishing_option():
    # first_period 2: the start of p2 comes from p1's rows, B's return in p3 is still a
    # reactivation (the history before the window decides), D is new in p2
    t = rt.mrr_movements(*HAND, first_period=2)
    same(t.periods, [2, 3])
    same(t.start, [300, 300])
    same(t.new, [30, 0])
    same(t.reactivation, [0, 80])
    same(t.churned, [0, 120])
    # last_period past the data: everyone churns in p4, p5 is empty (rates NaN, never 0)
    t = rt.mrr_movements(*HAND, last_period=5)
    same(t.periods, [0, 1, 2, 3, 4, 5])
    same(t.churned, [0, 50, 0, 120, 260, 0])
    same(t.churned_customers, [0, 1, 0, 1, 3, 0])
    same(t.end, [150, 300, 300, 260, 0, 0])
    assert math.isnan(t.nrr[5]) and math.isnan(t.gross_revenue_churn[5])
    assert t.gross_revenue_churn[4] == 1.0 and t.nrr[4] == 0.0
    # rows after the last period are ignored
    t = rt.mrr_movements(*HAND, last_period=1)
    same(t.end, [150, 300])
    # first == last: one period
    t = rt.mrr_movements(*HAND, first_period=3, last_period=3)
    same(t.start, [300]) and same(t.end, [260])
    # a window before any row: zeros, NaN rates
    t = rt.mrr_movements(*HAND, first_period=-3, last_period=-1)
    same(t.end, [0, 0, 0]) and same(np.isnan(t.nrr), [True] * 3)


@pytest.mark.parametrize("seed", range(6))
def test_random_data_against_the_reference(seed):
    rng = np.random.default_rng(seed)
    customer, period, mrr = random_rows(rng, cents=seed % 2 == 0)
    table = rt.mrr_movements(customer, period, mrr)
    check_against_reference(table, customer, period, mrr)
    lo, hi = int(period.min()), int(period.max())
    for first, last in ((lo + 3, hi), (lo, hi + 4), (lo + 2, hi - 3), (lo - 2, lo + 1)):
        with rt.MRRBuilder(first_period=first, last_period=last) as b:
            b.add(customer, period, mrr)
            check_against_reference(b.table(), customer, period, mrr, first, last)


def test_gaps_duplicates_and_zero_rows():
    # customer 1 pays in p0 and p5 only (churn in p1, reactivation in p5); customer 2's rows
    # in p2 add up; customer 3 only ever has rows of 0 (never paying, but widens the window)
    customer = [1, 1, 2, 2, 2, 3, 3]
    period = [0, 5, 2, 2, 3, 7, -1]
    mrr = [10.0, 12.0, 1.25, 2.5, 3.75, 0.0, 0.0]
    t = rt.mrr_movements(customer, period, mrr)
    same(t.periods, np.arange(-1, 8))
    check_against_reference(t, customer, period, mrr)
    same(t.reactivation, [0, 0, 0, 0, 0, 0, 12, 0, 0])
    same(t.churned, [0, 0, 10, 0, 0, 3.75, 0, 12, 0])
    same(t.new_customers, [0, 1, 0, 1, 0, 0, 0, 0, 0])
    assert t.expansion.sum() == 0 and t.contraction.sum() == 0  # 3.75 == 1.25 + 2.5


@pytest.mark.parametrize("seed", range(4))
def test_the_bridge_balances_exactly_with_whole_cents(seed):
    rng = np.random.default_rng(100 + seed)
    customer, period, mrr = random_rows(rng, n=3000, customers=300, periods=24)
    t = rt.mrr_movements(customer, period, mrr)
    lhs = t.start + t.new + t.expansion + t.reactivation - t.contraction - t.churned
    same(lhs, t.end)  # exact in double arithmetic
    counts = t.start_customers + t.new_customers + t.reactivation_customers - \
        t.churned_customers
    same(counts, t.end_customers)
    # every period's end is the next period's start
    same(t.end[:-1], t.start[1:])
    # and the exact sums (Fraction) of the movements are the library's, rounded once
    check_against_reference(t, customer, period, mrr)


def test_order_of_rows_does_not_matter():
    rng = np.random.default_rng(7)
    customer, period, mrr = random_rows(rng, n=800, cents=False)
    t = rt.mrr_movements(customer, period, mrr)
    order = rng.permutation(customer.size)
    same_table(t, rt.mrr_movements(customer[order], period[order], mrr[order]))


def test_rates_are_the_rates_of_retention_rates():
    rng = np.random.default_rng(8)
    customer, period, mrr = random_rows(rng)
    t = rt.mrr_movements(customer, period, mrr)
    for i in range(len(t)):
        if t.start[i] == 0:
            continue
        s, ch, co, ex, re = t.start[i], t.churned[i], t.contraction[i], t.expansion[i], \
            t.reactivation[i]
        assert t.gross_revenue_churn[i] == pytest.approx(rt.revenue_churn_gross(s, ch, co),
                                                         rel=1e-14)
        assert t.net_revenue_churn[i] == pytest.approx(rt.revenue_churn_net(s, ch, co, ex, re),
                                                       rel=1e-13, abs=1e-15)
        assert t.nrr[i] == pytest.approx(rt.revenue_nrr(s, ch, co, ex), rel=1e-14)
        assert t.grr[i] == pytest.approx(rt.revenue_grr(s, ch, co), rel=1e-14)
        if ch + co > 0:
            assert t.quick_ratio[i] == pytest.approx((t.new[i] + ex + re) / (ch + co),
                                                     rel=1e-14)


# ---- merging and serialising --------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_merge_of_random_partitions_is_the_whole(seed):
    rng = np.random.default_rng(200 + seed)
    customer, period, mrr = random_rows(rng, n=1500, customers=120, periods=18,
                                        cents=seed % 2 == 0)
    whole = rt.MRRBuilder().add(customer, period, mrr)
    part = rng.integers(0, 4, customer.size)  # not by customer: rows of one customer split
    builders = [rt.MRRBuilder().add(customer[part == i], period[part == i], mrr[part == i])
                for i in range(4)]
    merged = builders[0]
    for other in builders[1:]:
        assert merged.merge(other) is merged
    same_table(merged.table(), whole.table())
    assert merged.to_bytes() == whole.to_bytes()
    # merging into an empty builder is a copy; the other builder is unchanged
    before = builders[1].to_bytes()
    empty = rt.MRRBuilder().merge(builders[1])
    assert empty.to_bytes() == before == builders[1].to_bytes()


def test_merge_keeps_the_receivers_window(fails):
    a = rt.MRRBuilder(last_period=10).add([1], [0], [5.0])
    b = rt.MRRBuilder(first_period=-5, last_period=2).add([2], [1], [7.0])
    a.merge(b)
    assert (a.first_period, a.last_period) == (0, 10)
    fails(EINVAL, a.merge, a)
    with pytest.raises(TypeError):
        a.merge(rt.CohortBuilder())


def test_bytes_round_trip_and_pickle():
    rng = np.random.default_rng(9)
    customer, period, mrr = random_rows(rng, cents=False)
    b = rt.MRRBuilder(first_period=2, last_period=15).add(customer, period, mrr)
    data = b.to_bytes()
    assert data[:8] == b"RTNMRRBD" and struct.unpack_from("<II", data, 8) == (1, 0)
    assert struct.unpack_from("<qqBB", data, 16) == (2, 15, 1, 1)
    assert struct.unpack_from("<Q", data, 40)[0] == len(data) - 48 - 8
    assert struct.unpack_from("<Q", data, len(data) - 8)[0] == fnv1a(data[:-8])
    for view in (data, bytearray(data), memoryview(data), np.frombuffer(data, dtype=np.uint8)):
        again = rt.MRRBuilder.from_bytes(view)
        assert again.to_bytes() == data
        assert (again.first_period, again.last_period) == (2, 15)
    same_table(pickle.loads(pickle.dumps(b)).table(), b.table())
    same_table(b.copy().table(), b.table())
    empty = rt.MRRBuilder()
    assert rt.MRRBuilder.from_bytes(empty.to_bytes()).first_period is None


def fnv1a(data):
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) % 2**64
    return h


def reseal(data):
    data = bytearray(data)
    data[-8:] = struct.pack("<Q", fnv1a(bytes(data[:-8])))
    return bytes(data)


def small_state():
    return rt.MRRBuilder(last_period=4).add(*HAND)


def test_truncated_and_corrupt_bytes_are_errors(fails):
    data = small_state().to_bytes()
    for length in range(len(data)):
        with pytest.raises(rt.RetentionError) as info:
            rt.MRRBuilder.from_bytes(data[:length])
        assert info.value.code in ((ECORRUPT, EINVAL) if length == 0 else (ECORRUPT,)), length
    fails(ECORRUPT, rt.MRRBuilder.from_bytes, data + b"\0")
    fails(ECORRUPT, rt.MRRBuilder.from_bytes, reseal(data + b"\0" * 8))
    for position in range(len(data)):
        for bit in (0, 3, 7):
            flipped = bytearray(data)
            flipped[position] ^= 1 << bit
            with pytest.raises(rt.RetentionError) as info:
                rt.MRRBuilder.from_bytes(bytes(flipped))
            allowed = (ECORRUPT, EVERSION) if 8 <= position < 12 else (ECORRUPT,)
            assert info.value.code in allowed, (position, bit, info.value)


def test_hostile_headers_that_pass_the_checksum(fails):
    data = small_state().to_bytes()

    def patched(offset, fmt, value):
        buf = bytearray(data)
        struct.pack_into(fmt, buf, offset, value)
        return reseal(buf)

    fails(EVERSION, rt.MRRBuilder.from_bytes, patched(8, "<I", 2))
    fails(ECORRUPT, rt.MRRBuilder.from_bytes, patched(0, "8s", b"RTNMRRBX"))
    fails(ECORRUPT, rt.MRRBuilder.from_bytes, patched(12, "<I", 1))  # flags
    fails(ECORRUPT, rt.MRRBuilder.from_bytes, patched(33, "B", 2))  # last_set not 0/1
    fails(ECORRUPT, rt.MRRBuilder.from_bytes, patched(24, "<q", 2**35 + 1))  # last out of range
    fails(ECORRUPT, rt.MRRBuilder.from_bytes, patched(16, "<q", 3))  # first unset but not 0
    fails(ECORRUPT, rt.MRRBuilder.from_bytes, patched(34, "<H", 1))  # reserved
    fails(ECORRUPT, rt.MRRBuilder.from_bytes, patched(40, "<Q", 12))  # nested length
    # the nested state must be an MRR state: a cohort builder's state in days is not
    cohort = rt.CohortBuilder(period="day").add([1], [0], [5.0]).to_bytes()
    buf = bytearray(data[:40]) + struct.pack("<Q", len(cohort)) + cohort + b"\0" * 8
    fails(ECORRUPT, rt.MRRBuilder.from_bytes, reseal(bytes(buf)))


# ---- parameters, labels and times ----------------------------------------------------------------
def test_window_properties_default_set_and_unset(fails):
    b = rt.MRRBuilder()
    assert b.first_period is None and b.last_period is None
    fails(EUNDEFINED, b.table)
    b.add([1, 2], [3, 7], [1.0, 0.0])
    assert (b.first_period, b.last_period) == (3, 7)  # rows of 0 count for the window
    b.first_period, b.last_period = 5, 9
    assert (b.first_period, b.last_period) == (5, 9)
    same(b.table().periods, [5, 6, 7, 8, 9])
    assert b.window_set == (True, True)
    b.first_period = None  # back to the default; last stays set
    assert (b.first_period, b.last_period) == (3, 9)
    assert b.window_set == (False, True)
    assert repr(b) == "MRRBuilder(last_period=9)"
    copy = rt.MRRBuilder.from_bytes(b.to_bytes())
    assert copy.window_set == (False, True) and copy.last_period == 9
    assert pickle.loads(pickle.dumps(b)).window_set == (False, True)
    b.last_period = None
    assert (b.first_period, b.last_period) == (3, 7)
    assert b.window_set == (False, False) and repr(b) == "MRRBuilder()"
    b.set(first_period=rt.mrr.PERIOD_MIN, last_period=rt.mrr.PERIOD_MIN + 2)
    assert b.first_period == -2**35
    fails(EINVAL, b.set, last_period=2**35 + 1)
    fails(EINVAL, setattr, b, "first_period", -2**35 - 1)
    assert b.last_period == -2**35 + 2  # unchanged
    with pytest.raises(TypeError):
        b.first_period = 1.5
    b.set(first_period=10, last_period=9)
    fails(EUNDEFINED, b.table)  # first after last
    b.set(first_period=0, last_period=2**24)
    fails(EDOMAIN, b.table)  # more than 2**24 periods
    b.set(first_period=-5, last_period=2**24 - 5)  # 2**24 + 1 periods
    fails(EDOMAIN, b.table)
    b.set(first_period=-2**35, last_period=2**35)
    fails(EDOMAIN, b.table)
    assert repr(b) == "MRRBuilder(first_period=-34359738368, last_period=34359738368)"


def test_closed_objects_raise(fails):
    b = rt.MRRBuilder().add(*HAND)
    t = b.table()
    with b:
        pass
    assert b.closed
    fails(EINVAL, b.add, [1], [1], [1.0])
    fails(EINVAL, b.table)
    t.close()
    t.close()
    fails(EINVAL, lambda: t.start)
    assert "closed" in repr(t) and "closed" in repr(b)


def test_labels_of_any_kind_name_customers():
    customer, period, mrr = HAND
    expected = rt.mrr_movements([ord(c) for c in customer], period, mrr)
    for ids in (customer, np.array(customer), np.array(customer, dtype=object),
                [c.encode() for c in customer], [(c, 1) for c in customer]):
        same_table(rt.mrr_movements(ids, period, mrr), expected)
    # mixed ints and strings are distinct labels (7 is not "7")
    t = rt.mrr_movements([7, "7"], [0, 0], [1.0, 2.0])
    assert t.new_customers[0] == 2
    # labels hash the same in separate builders, so string-keyed batches merge
    a = rt.MRRBuilder().add(customer[:5], period[:5], mrr[:5])
    b = rt.MRRBuilder().add(np.array(customer[5:]), period[5:], mrr[5:])
    same_table(a.merge(pickle.loads(pickle.dumps(b))).table(), expected)


def test_integer_ids_need_no_copy_and_whole_floats_work(fails):
    customer, period, mrr = (np.array(x) for x in ([1, 2, 1], [0, 0, 1], [5.0, 6.0, 7.0]))
    expected = rt.mrr_movements(customer, period, mrr)
    same_table(rt.mrr_movements(customer.astype(float), period, mrr), expected)
    same_table(rt.mrr_movements(customer.astype(np.uint8), period.astype(np.int32),
                                mrr.astype(np.float32)), expected)
    fails(EDOMAIN, rt.mrr_movements, [1.0, 2.5], [0, 0], [1.0, 1.0], bad_index=1)
    fails(EDOMAIN, rt.mrr_movements, [1, 2**64], [0, 0], [1.0, 1.0], bad_index=1)


def month_index(year, month):
    return (year - 1970) * 12 + month - 1


def test_timestamps_with_a_unit():
    dates = np.array(["2024-01-15", "2024-01-31T23:59:59", "2024-02-01", "2024-03-10",
                      "2024-03-11", "2023-12-31"], dtype="datetime64[s]")
    customer = ["a", "b", "a", "a", "b", "c"]
    mrr = [10.0, 20.0, 12.0, 12.0, 20.0, 3.0]
    months = [month_index(int(str(d)[:4]), int(str(d)[5:7])) for d in dates]
    t = rt.mrr_movements(customer, dates, mrr, unit="month")
    same_table(t, rt.mrr_movements(customer, months, mrr))
    assert t.unit == "month"
    same(t.dates, np.array(["2023-12-01", "2024-01-01", "2024-02-01", "2024-03-01"],
                           dtype="datetime64[s]"))
    same(t.period_start, [calendar.timegm(dt.date(y, m, 1).timetuple())
                          for y, m in ((2023, 12), (2024, 1), (2024, 2), (2024, 3))])
    # Unix seconds work the same; the builder keeps its unit through pickle
    seconds = dates.astype(np.int64)
    b = rt.MRRBuilder(unit="month", last_period=np.datetime64("2024-05-20"))
    b.add(customer, seconds, mrr)
    assert b.last_period == month_index(2024, 5)
    c = pickle.loads(pickle.dumps(b))
    assert c.unit == "month"
    t = c.table()
    assert len(t) == 6 and t.churned[-2] == 32.0
    if pytest.importorskip("pandas"):
        assert str(t.to_frame().index[0]) == "2023-12-01 00:00:00"
    # a UTC offset moves a time near midnight into the next month
    t = rt.mrr_movements(["x"], np.array(["2024-01-31T23:30"], dtype="M8[m]"), [1.0],
                         unit="month", utc_offset_minutes=60)
    assert t.first == month_index(2024, 2)


def test_unit_mistakes(fails):
    dates = np.array(["2024-01-15"], dtype="datetime64[D]")
    with pytest.raises(TypeError):
        rt.mrr_movements([1], dates, [1.0])  # times without a unit
    fails(EINVAL, rt.mrr_movements, [1], [0], [1.0], unit="fortnight")
    fails(EINVAL, rt.mrr_movements, [1], [0], [1.0], unit="seconds")
    fails(EINVAL, rt.MRRBuilder, utc_offset_minutes=60)  # an offset needs a unit
    a, b = rt.MRRBuilder(unit="month"), rt.MRRBuilder(unit="week")
    fails(EINVAL, a.merge, b)
    fails(EDOMAIN, rt.mrr_movements, [1, 2], np.array([0, 2**62]), [1.0, 1.0], unit="day",
          bad_index=1)
    with pytest.raises(TypeError):
        rt.MRRBuilder(first_period=np.datetime64("2024-01-01"))  # a time without a unit


# ---- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [NAN, -0.01, math.inf, -math.inf])
def test_bad_amounts_are_domain_errors_and_nothing_is_added(fails, bad):
    b = rt.MRRBuilder().add([1], [0], [5.0])
    before = b.to_bytes()
    fails(EDOMAIN, b.add, [1, 2, 3], [0, 1, 2], [1.0, bad, 2.0], bad_index=1)
    assert b.to_bytes() == before
    fails(EDOMAIN, rt.mrr_movements, [1, 2, 3], [0, 1, 2], [1.0, 2.0, bad], bad_index=2)


def test_bad_periods_lengths_and_empty_input(fails):
    fails(EDOMAIN, rt.mrr_movements, [1, 2], [0, 2**35 + 1], [1.0, 1.0], bad_index=1)
    fails(EDOMAIN, rt.mrr_movements, [1, 2], [-2**35 - 1, 0], [1.0, 1.0], bad_index=0)
    fails(EDOMAIN, rt.mrr_movements, [1, 2], [0, 0.5], [1.0, 1.0], bad_index=1)
    t = rt.mrr_movements([1, 2], [-2**35, -2**35 + 1], [1.0, 1.0])  # the extremes are fine
    assert t.first == -2**35
    fails(EINVAL, rt.mrr_movements, [1, 2], [0], [1.0, 1.0])
    fails(EINVAL, rt.mrr_movements, [1, 2], [0, 1], [1.0])
    fails(EINVAL, rt.MRRBuilder().add, [1], [0, 1], [1.0, 1.0])
    fails(EUNDEFINED, rt.mrr_movements, [], [], [])
    fails(EUNDEFINED, rt.MRRBuilder().add([], [], []).table)
    fails(EDOMAIN, rt.mrr_movements, [1, 2], [0, 2**24], [1.0, 1.0])  # window too long
    with pytest.raises(TypeError):
        rt.mrr_movements([1], [0], ["x"])
    with pytest.raises(TypeError):
        rt.mrr_movements([True], [0], [1.0])


def test_overflow_of_a_customers_mrr(fails):
    big = np.finfo(float).max
    fails(rt.EOVERFLOW, rt.mrr_movements, [1, 1], [0, 0], [big, big])


def test_constructors_are_not_public():
    with pytest.raises(TypeError):
        rt.MRRTable()
    assert rt.mrr.COLUMNS == rt.MRR_COLUMNS and len(rt.MRR_COLUMNS) == 19
    header = (rt.__file__ and __import__("pathlib").Path(__file__).resolve().parents[2] /
              "include" / "retention" / "mrr.h").read_text()
    import re
    names = re.findall(r"RTN_MRR_(\w+) = (\d+),?\s", header)
    columns = [(n.lower(), int(v)) for n, v in names if n not in ("FIRST_PERIOD", "LAST_PERIOD")]
    assert columns == [(name, i) for i, name in enumerate(rt.MRR_COLUMNS)]
