#!/usr/bin/python3
"""Peer for bench_mrr: the MRR bridge (recurring-revenue movements) with pandas.

Usage: /usr/bin/python3 tests/bench/pandas_mrr.py DATA_DIR [REPEATS] [--full] [--cents]
  DATA_DIR  output of ../shared/peers/gen_events.py (reads events.bin)
  REPEATS   compute repetitions on the loaded frame (default 1); the read is done once
  --full    also print every column of every period, one line per period
  --cents   mrr = the amount in whole cents (np.rint(amount * 100)), as bench_mrr --cents

Rows, as bench_mrr.c derives them: every event is a row (customer = customer_id,
period = day // 30, mrr = amount); the rows of one customer in one period add up. Written from
the definitions in include/retention/mrr.h, independently of lib/mrr.c:
  m(c, p) = sum of c's rows in p; c pays in p when m(c, p) > 0.
  Window: first..last = earliest..latest period of any row (rows of 0 included).
  For every period p in the window and every customer c:
    m(c,p-1) = 0, m(c,p) > 0: new if c paid in no period before p, else reactivation; m(c,p)
    m(c,p-1) > 0, m(c,p) > m(c,p-1): expansion, the increase
    m(c,p-1) > 0, 0 < m(c,p) < m(c,p-1): contraction, the decrease
    m(c,p-1) > 0, m(c,p) = 0: churned, m(c,p-1)
  start = sum m(c,p-1), end = sum m(c,p); the customer columns count the same customers.
  Rates, NaN where start = 0 (quick ratio: where churned + contraction = 0):
    gross revenue churn = (churned + contraction) / start
    net revenue churn   = (churned + contraction - expansion - reactivation) / start
    NRR = (start + expansion - contraction - churned) / start
    GRR = (start - contraction - churned) / start
    quick ratio = (new + expansion + reactivation) / (churned + contraction)

The recipe: groupby(customer, period).sum() gives m(c, p) sorted by customer then period; a
shift by one row (masked to the same customer) compares each paying period with the customer's
previous paying period: consecutive periods give expansion/contraction/flat, a gap gives a
churn after the previous one and a reactivation, no previous row gives new; a paying period
whose next row is not the next period of the same customer churns in the period after it.
Each movement is then summed per period with np.bincount. No Python loop over customers.

Output: the checksum lines of bench_mrr (same labels and keys), then
  "elapsed_read_s=…" (np.fromfile + the DataFrame of rows)
  "elapsed_compute_s=…" (median over REPEATS; the DataFrame to the per-period columns)
"""
import sys
import time

import numpy as np
import pandas as pd

EVENT_DTYPE = np.dtype([("customer_id", "<i8"), ("day", "<i4"),
                        ("reserved", "<u4"), ("amount", "<f8")])
MOVES = ["start", "new", "expansion", "reactivation", "contraction", "churned", "end"]
RATES = ["gross_revenue_churn", "net_revenue_churn", "nrr", "grr", "quick_ratio"]


def load(d, cents):
    rec = np.fromfile(d + "/events.bin", dtype=EVENT_DTYPE)
    return pd.DataFrame({"customer_id": rec["customer_id"],
                         "period": rec["day"].astype(np.int64) // 30,
                         "mrr": np.rint(rec["amount"] * 100.0) if cents else rec["amount"]})


def bridge(df):
    """Per-period columns: (first, {name: float64 array}) for MOVES, MOVES_customers, RATES."""
    first = int(df["period"].min())
    last = int(df["period"].max())
    n = last - first + 1

    m = df.groupby(["customer_id", "period"], sort=True)["mrr"].sum()
    m = m[m > 0]                                   # rows of 0 only: not paying
    c = m.index.get_level_values(0).to_numpy()
    p = m.index.get_level_values(1).to_numpy() - first   # 0-based period offset
    v = m.to_numpy()

    same_prev = np.empty(len(c), dtype=bool)       # a previous paying period of this customer
    same_prev[0:1] = False
    np.equal(c[1:], c[:-1], out=same_prev[1:])
    prev_p = np.empty_like(p)
    prev_p[0:1] = -2
    prev_p[1:] = p[:-1]
    prev_v = np.empty_like(v)
    prev_v[0:1] = 0.0
    prev_v[1:] = v[:-1]
    consecutive = same_prev & (prev_p == p - 1)
    # the next paying row is the next period of the same customer
    continues = np.zeros(len(c), dtype=bool)
    continues[:-1] = consecutive[1:]

    def per_period(mask, at, amount):
        """sum and count of amount[mask] at period offsets at[mask], within the window"""
        at = at[mask]
        amount = amount[mask]
        inside = (at >= 0) & (at < n)
        at = at[inside]
        return (np.bincount(at, weights=amount[inside], minlength=n),
                np.bincount(at, minlength=n).astype(np.float64))

    all_rows = np.ones(len(c), dtype=bool)
    col = {}
    col["start"], col["start_customers"] = per_period(all_rows, p + 1, v)
    col["new"], col["new_customers"] = per_period(~same_prev, p, v)
    col["expansion"], col["expansion_customers"] = per_period(consecutive & (v > prev_v), p,
                                                              v - prev_v)
    col["reactivation"], col["reactivation_customers"] = per_period(same_prev & ~consecutive,
                                                                    p, v)
    col["contraction"], col["contraction_customers"] = per_period(consecutive & (v < prev_v), p,
                                                                  prev_v - v)
    col["churned"], col["churned_customers"] = per_period(~continues, p + 1, v)
    col["end"], col["end_customers"] = per_period(all_rows, p, v)

    start = col["start"]
    lost = col["churned"] + col["contraction"]
    gained = col["expansion"] + col["reactivation"]
    with np.errstate(divide="ignore", invalid="ignore"):
        has_start = start > 0
        col["gross_revenue_churn"] = np.where(has_start, lost / start, np.nan)
        col["net_revenue_churn"] = np.where(has_start, (lost - gained) / start, np.nan)
        col["nrr"] = np.where(has_start, (start + col["expansion"] - lost) / start, np.nan)
        col["grr"] = np.where(has_start, (start - lost) / start, np.nan)
        col["quick_ratio"] = np.where(lost > 0, (col["new"] + gained) / lost, np.nan)
    return first, col


def fmt(x):
    return "nan" if np.isnan(x) else "%.17g" % x


def report(first, col, rows, full, cents):
    n = len(col["start"])
    print("window: first=%d periods=%d rows=%d unit=%s"
          % (first, n, rows, "cents" if cents else "dollars"))

    def total(a):  # sum over the periods in period order, NaN skipped (as bench_mrr does)
        s = 0.0
        for x in a:
            if not np.isnan(x):
                s += float(x)
        return s
    print("amounts: " + " ".join("%s=%.17g" % (k, total(col[k])) for k in MOVES))
    print("customers: " + " ".join("%s=%.0f" % (k, total(col[k + "_customers"])) for k in MOVES))
    print("rates: " + " ".join("%s=%.17g" % (k, total(col[k])) for k in RATES) + " " +
          " ".join("%s_defined=%d" % (k, int((~np.isnan(col[k])).sum())) for k in RATES))
    if full:
        names = MOVES + [k + "_customers" for k in MOVES] + RATES
        for i in range(n):
            print("period %d: " % (first + i) + " ".join(
                "%s=%s" % (k, ("%.0f" % col[k][i]) if k.endswith("_customers") else fmt(col[k][i]))
                for k in names))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) not in (1, 2):
        sys.exit(__doc__)
    repeats = int(args[1]) if len(args) == 2 else 1
    t0 = time.perf_counter()
    cents = "--cents" in sys.argv
    df = load(args[0], cents)
    t_read = time.perf_counter() - t0
    times = []
    for _ in range(max(repeats, 1)):
        t0 = time.perf_counter()
        first, col = bridge(df)
        times.append(time.perf_counter() - t0)
    report(first, col, len(df), "--full" in sys.argv, cents)
    print("elapsed_read_s=%.6f" % t_read)
    print("elapsed_compute_s=%.6f" % sorted(times)[len(times) // 2])


if __name__ == "__main__":
    main()
