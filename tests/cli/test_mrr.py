"""Tests of `retention mrr` (examples/cli/cmd_mrr.c): the MRR bridge against a bridge computed
here independently from the movement definitions of include/retention/mrr.h (exact sums with
fractions, every customer classified period by period), on small hand-made data, on random data
shuffled and split across the tool's batches, with integer periods and with calendar periods of
dates; and every bad input.

Run by ctest (cli_tests) with RETENTION_CLI set to the built tool; by hand:
    RETENTION_CLI=build/dev/examples/retention /usr/bin/python3 -m pytest -q tests/cli
"""
import csv
import datetime as dt
import io
import json
import math
import random
from collections import defaultdict
from fractions import Fraction

import pytest

from test_cli import fails, run

MONEY = ["start", "new", "expansion", "reactivation", "contraction", "churned", "end"]
COUNTS = [k + "_customers" for k in MONEY]
RATES = ["gross_revenue_churn", "net_revenue_churn", "nrr", "grr", "quick_ratio"]
HEADER = ["period"] + MONEY + COUNTS + RATES
NAN = float("nan")


def bridge(rows, first=None, last=None):
    """The movements of every period first..last, from the definitions: m(c, p) is the sum of c's
    rows in p rounded once to a double (0 when absent); a customer with m(c, p-1) = 0 < m(c, p) is new if it never paid
    before p, else reactivated; with m(c, p-1) > 0: expansion, contraction, churned (to 0), or
    flat. Rates from the period's figures; None where the denominator is 0."""
    m = defaultdict(int)
    periods = set()
    for c, p, a in rows:
        m[c, p] += a if isinstance(a, int) else Fraction(a)  # exact either way
        periods.add(p)
    for key, a in m.items():  # the exact sum rounded once (mrr.h); ints stay exact
        if not isinstance(a, int):
            m[key] = Fraction(float(a))
    first = min(periods) if first is None else first
    last = max(periods) if last is None else last
    first_paid, paying = {}, defaultdict(set)  # customer -> first period paid; p -> payers
    for (c, p), a in m.items():
        if a > 0:
            first_paid[c] = min(p, first_paid.get(c, p))
            paying[p].add(c)
    out = []
    for p in range(first, last + 1):
        r = {k: Fraction(0) for k in MONEY}
        r.update({k: 0 for k in COUNTS})
        for c in paying[p - 1] | paying[p]:  # everyone else pays 0 in both: no movement
            prev, cur = m.get((c, p - 1), Fraction(0)), m.get((c, p), Fraction(0))
            r["start"] += prev
            r["end"] += cur
            r["start_customers"] += prev > 0
            r["end_customers"] += cur > 0
            if prev == 0 and cur > 0:
                kind = "reactivation" if first_paid[c] < p else "new"
                r[kind] += cur
                r[kind + "_customers"] += 1
            elif prev > 0 and cur > prev:
                r["expansion"] += cur - prev
                r["expansion_customers"] += 1
            elif prev > 0 and 0 < cur < prev:
                r["contraction"] += prev - cur
                r["contraction_customers"] += 1
            elif prev > 0 and cur == 0:
                r["churned"] += prev
                r["churned_customers"] += 1
        s, lost = r["start"], r["churned"] + r["contraction"]
        gained = r["new"] + r["expansion"] + r["reactivation"]
        r["gross_revenue_churn"] = lost / s if s else None
        r["net_revenue_churn"] = (lost - r["expansion"] - r["reactivation"]) / s if s else None
        r["nrr"] = (s + r["expansion"] - lost) / s if s else None
        r["grr"] = (s - lost) / s if s else None
        r["quick_ratio"] = gained / lost if lost else None
        r["period"] = p
        out.append(r)
    return out


def write(tmp_path, rows, header=("customer", "month", "mrr"), name="m.csv"):
    f = tmp_path / name
    with open(f, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return f


def mrr_csv(*args, stdin=None):
    p = run("mrr", *args, stdin=stdin)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    rows = list(csv.reader(io.StringIO(p.stdout)))
    assert rows[0] == HEADER
    return rows[1:]


def check(got, expected, label=lambda p: str(p), balance=True):
    """The tool's CSV rows against the independent bridge: sums and counts exactly (the exact
    sum rounded once), rates to rounding, NA exactly where undefined; with amounts in whole
    cents, the bridge balances exactly in double arithmetic (`balance`)."""
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g[0] == label(e["period"])
        v = dict(zip(HEADER, g))
        for k in MONEY:
            assert float(v[k]) == float(e[k]), (e["period"], k, v[k], e[k])
        for k in COUNTS:
            assert v[k] == str(e[k]), (e["period"], k)
        for k in RATES:
            if e[k] is None:
                assert v[k] == "NA", (e["period"], k, v[k])
            else:
                assert math.isclose(float(v[k]), float(e[k]), rel_tol=1e-13, abs_tol=1e-15), (
                    e["period"], k, v[k], float(e[k]))
        # the bridge balances exactly, in money and in customers
        f = {k: float(v[k]) for k in MONEY}
        assert not balance or f["start"] + f["new"] + f["expansion"] + f["reactivation"] - \
            f["contraction"] - f["churned"] == f["end"]
        c = {k: int(v[k]) for k in COUNTS}
        assert c["start_customers"] + c["new_customers"] + c["reactivation_customers"] - \
            c["churned_customers"] == c["end_customers"]


def cents(rng):
    """An amount in whole cents (sums exact in a double)."""
    return rng.randrange(0, 100000)


# ---- hand-made data ---------------------------------------------------------------------------------

SMALL = [
    ("a", 1, 100), ("b", 1, 50),
    ("a", 2, 120), ("c", 2, 30), ("b", 2, 0),       # a expands, c new, b churns (explicit 0)
    ("a", 3, 60), ("a", 3, 30), ("b", 3, 40),       # a contracts (two rows add up), b returns
    ("a", 4, 90), ("b", 4, 40), ("c", 4, 10),       # a expands, b flat, c reactivates
    ("d", 5, 0),                                    # nobody pays: everyone churns
]


def test_small_bridge_by_hand(tmp_path):
    f = write(tmp_path, SMALL)
    got = mrr_csv(f, "--customer", "customer", "--period", "month", "--mrr", "mrr")
    check(got, bridge(SMALL))
    # the movements read off the data by hand
    by = {int(r[0]): dict(zip(HEADER, r)) for r in got}
    assert [by[2][k] for k in ("new", "expansion", "churned")] == ["30", "20", "50"]
    assert [by[3][k] for k in ("contraction", "reactivation", "churned")] == ["30", "40", "30"]
    assert (by[4]["reactivation"], by[4]["reactivation_customers"]) == ("10", "1")
    assert by[5]["churned"] == "140" and by[5]["end"] == "0" and by[5]["quick_ratio"] == "0"
    assert by[1]["nrr"] == "NA" and by[1]["new_customers"] == "2"


def test_random_data_shuffled_across_batches(tmp_path):
    rng = random.Random(11)
    rows = []
    for c in range(30000):
        start = rng.randrange(-3, 20)
        for p in range(start, start + rng.randrange(1, 12)):
            if rng.random() < 0.2:
                continue  # a gap: churn, then reactivation
            a = cents(rng) if rng.random() > 0.05 else 0.0
            rows.append((f"cust-{c}", p, a))
            if rng.random() < 0.1:
                rows.append((f"cust-{c}", p, cents(rng)))  # a second subscription
    rng.shuffle(rows)
    assert len(rows) > 65536 * 2  # several of the tool's batches
    f = write(tmp_path, rows)
    expected = bridge(rows)
    check(mrr_csv(f, "--customer", "customer", "--period", "month", "--mrr", "mrr"), expected)
    # the same from standard input
    check(mrr_csv("-", "--customer", "customer", "--period", "month", "--mrr", "mrr",
                  stdin=f.read_text()), expected)


def test_decimal_amounts_are_summed_exactly_and_rounded_once(tmp_path):
    # amounts like 12.34 are not exact in binary: every column is still the exact sum of the
    # doubles read, rounded once (whatever the order of the rows)
    rng = random.Random(3)
    rows = [(f"c{rng.randrange(80)}", rng.randrange(0, 12), rng.randrange(0, 100000) / 100)
            for _ in range(3000)]
    for seed in (1, 2):
        random.Random(seed).shuffle(rows)
        f = write(tmp_path, rows)
        check(mrr_csv(f, "--customer", "customer", "--period", "month", "--mrr", "mrr"),
              bridge(rows), balance=False)


def test_window_first_and_last(tmp_path):
    rng = random.Random(5)
    rows = [(f"c{rng.randrange(40)}", rng.randrange(0, 15), cents(rng)) for _ in range(400)]
    f = write(tmp_path, rows)
    args = (f, "--customer", "customer", "--period", "month", "--mrr", "mrr")
    # rows before --first still give its start and tell reactivation from new; rows after
    # --last are ignored; a --last past the data shows the churn of the last paying period
    for first, last in [(4, 9), (0, 14), (7, 7), (10, 20), (-2, 3)]:
        got = mrr_csv(*args, "--first", first, "--last", last)
        check(got, bridge([r for r in rows if r[1] <= last], first, last))
    check(mrr_csv(*args, "--first", 6), bridge(rows, 6, None))
    check(mrr_csv(*args, "--last", 16), bridge(rows, None, 16))


def test_json_matches_csv(tmp_path):
    f = write(tmp_path, SMALL)
    args = (f, "--customer", "customer", "--period", "month", "--mrr", "mrr")
    p = run("mrr", *args, "--format", "json")
    assert p.returncode == 0 and p.stderr == ""
    doc = json.loads(p.stdout)
    assert doc["unit"] == "index"
    exp = bridge(SMALL)
    assert [d["period"] for d in doc["periods"]] == [e["period"] for e in exp]
    for d, e in zip(doc["periods"], exp):
        assert list(d) == HEADER
        for k in MONEY + COUNTS:
            assert d[k] == e[k]
        for k in RATES:
            assert (d[k] is None) if e[k] is None else math.isclose(d[k], float(e[k]),
                                                                     rel_tol=1e-13)


# ---- calendar periods ---------------------------------------------------------------------------------

def month_index(d):
    return 12 * (d.year - 1970) + d.month - 1


def month_label(i):
    return dt.date(1970 + i // 12, i % 12 + 1, 1).isoformat()


def random_dated_rows(rng, n=600):
    rows = []
    base = dt.date(2024, 11, 3)
    for _ in range(n):
        d = base + dt.timedelta(days=rng.randrange(0, 420))
        rows.append((f"u{rng.randrange(60)}", d, cents(rng)))
    return rows


@pytest.mark.parametrize("unit", ["day", "week", "month", "quarter"])
def test_time_column_calendar_units(tmp_path, unit):
    rng = random.Random(len(unit))
    rows = random_dated_rows(rng, 300 if unit == "day" else 600)
    epoch = dt.date(1970, 1, 1)
    key = {  # the period of a date, and back to the ISO date the period starts
        "day": ((lambda d: (d - epoch).days), lambda i: (epoch + dt.timedelta(i)).isoformat()),
        "week": ((lambda d: (d - dt.date(1969, 12, 29)).days // 7),
                 lambda i: (dt.date(1969, 12, 29) + dt.timedelta(7 * i)).isoformat()),
        "month": (month_index, month_label),
        "quarter": ((lambda d: month_index(d) // 3), lambda i: month_label(3 * i)),
    }[unit]
    # the same day written three ways: a date, a date-time with an offset, Unix seconds
    def text(d, i):
        if i % 3 == 0:
            return d.isoformat()
        if i % 3 == 1:
            return d.isoformat() + "T10:30:00+02:00"
        return str((d - epoch).days * 86400 + 3600)
    f = write(tmp_path, [(c, text(d, i), a) for i, (c, d, a) in enumerate(rows)],
              header=("customer", "date", "mrr"))
    got = mrr_csv(f, "--customer", "customer", "--time", "date", "--mrr", "mrr", "--unit", unit)
    check(got, bridge([(c, key[0](d), a) for c, d, a in rows]), label=key[1])


def test_month_strings_and_date_window(tmp_path):
    rows = [("a", "2025-01", 100), ("b", "2025-01", 50), ("a", "2025-02-14", 120),
            ("b", "2025-03", 40), ("c", "2024-12", 10)]
    f = write(tmp_path, rows, header=("customer", "date", "mrr"))
    idx = [(c, month_index(dt.date(int(d[:4]), int(d[5:7]), 1)), a) for c, d, a in rows]
    args = (f, "--customer", "customer", "--time", "date", "--mrr", "mrr")
    check(mrr_csv(*args), bridge(idx), label=month_label)  # --unit month is the default
    # --first/--last take dates (or months) like the column: any day inside the period
    lo, hi = month_index(dt.date(2025, 1, 1)), month_index(dt.date(2025, 4, 1))
    check(mrr_csv(*args, "--first", "2025-01-20", "--last", "2025-04"), bridge(idx, lo, hi),
          label=month_label)
    doc = json.loads(run("mrr", *args, "--format", "json").stdout)
    assert doc["unit"] == "month"
    assert [p["period"] for p in doc["periods"]] == ["2024-12-01", "2025-01-01", "2025-02-01",
                                                     "2025-03-01"]


# ---- bad input ------------------------------------------------------------------------------------------

def test_bad_values_name_file_line_and_column(tmp_path):
    args = ("--customer", "customer", "--period", "month", "--mrr", "mrr")
    f = write(tmp_path, [("a", 1, 10), ("b", 2, "nan")])
    assert fails(1, "mrr", f, *args) == (
        f"retention: {f}:3:3: column 'mrr': 'nan' is not a finite number")
    f = write(tmp_path, [("a", 1, 10), ("b", 2, "")])
    assert "3:3: column 'mrr': '' is not a finite number" in fails(1, "mrr", f, *args)
    f = write(tmp_path, [("a", 1, 10), ("b", 2, 5), ("c", 2, -5)])
    assert fails(1, "mrr", f, *args) == (
        f"retention: {f}:4:3: column 'mrr': -5 is negative: MRR must be >= 0")
    f = write(tmp_path, [("a", 1, 10), ("b", "1.5", 5)])
    assert "3:2: column 'month': '1.5' is not a whole-number period index" in fails(
        1, "mrr", f, *args)
    f = write(tmp_path, [("a", 1, 10), ("b", 2 ** 36, 5)])
    assert "outside the period indices" in fails(1, "mrr", f, *args)
    # a bad row deep in a later batch is reported with its own line
    rows = [(f"c{i % 500}", i % 7, 1) for i in range(70000)] + [("x", 3, -1)]
    f = write(tmp_path, rows)
    assert ":70002:3: column 'mrr': -1 is negative" in fails(1, "mrr", f, *args)
    f = write(tmp_path, [("a", "2025-13-01", 1)], header=("customer", "date", "mrr"))
    assert "2:2: column 'date': '2025-13-01' no such date" in fails(
        1, "mrr", f, "--customer", "customer", "--time", "date", "--mrr", "mrr")
    f = write(tmp_path, [("a", "2025-00", 1)], header=("customer", "date", "mrr"))
    assert "no such month" in fails(1, "mrr", f, "--customer", "customer", "--time", "date",
                                    "--mrr", "mrr")


def test_bad_usage_and_missing_columns(tmp_path):
    f = write(tmp_path, SMALL)
    base = ("--customer", "customer", "--mrr", "mrr")
    assert "no column 'amount' (the header has: customer, month, mrr)" in fails(
        1, "mrr", f, "--customer", "customer", "--period", "month", "--mrr", "amount")
    assert "no column 'id'" in fails(1, "mrr", f, "--customer", "id", "--period", "month",
                                     "--mrr", "mrr")
    assert "no column 'when'" in fails(1, "mrr", f, *base, "--time", "when")
    assert "neither" in fails(2, "mrr", f, *base)
    assert "both" in fails(2, "mrr", f, *base, "--period", "month", "--time", "month")
    assert "--mrr COLUMN is required" in fails(2, "mrr", f, "--customer", "customer",
                                               "--period", "month")
    assert "--customer COLUMN is required" in fails(2, "mrr", f, "--period", "month",
                                                    "--mrr", "mrr")
    assert "--unit" in fails(2, "mrr", f, *base, "--period", "month", "--unit", "week")
    assert "--unit" in fails(2, "mrr", f, *base, "--time", "month", "--unit", "year")
    assert "--format" in fails(2, "mrr", f, *base, "--period", "month", "--format", "xml")
    assert "--first: 'x'" in fails(2, "mrr", f, *base, "--period", "month", "--first", "x")
    assert "--first is after --last" in fails(2, "mrr", f, *base, "--period", "month",
                                              "--first", 5, "--last", 2)
    assert "--first: '2025-02-30'" in fails(2, "mrr", f, *base, "--time", "month",
                                            "--first", "2025-02-30")
    assert "--first is after the last period" in fails(1, "mrr", f, *base, "--period", "month",
                                                       "--first", 9)
    assert "--last is before the first period" in fails(1, "mrr", f, *base, "--period", "month",
                                                        "--last", -1)
    assert "more than 16777216 periods" in fails(1, "mrr", f, *base, "--period", "month",
                                                 "--last", 2 ** 25)
    h = tmp_path / "h.csv"
    h.write_text("customer,month,mrr\n")
    assert "no data rows" in fails(1, "mrr", h, *base, "--period", "month")
    assert "cannot open" in fails(1, "mrr", tmp_path / "nope.csv", *base, "--period", "month")


def test_help_lists_the_command():
    p = run("--help")
    assert p.returncode == 0 and "  mrr " in p.stdout
    p = run("mrr", "--help")
    assert p.returncode == 0 and "--first P" in p.stdout and "reactivation" in p.stdout
