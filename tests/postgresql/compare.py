"""The reference side of check_postgresql.sh: recomputes, with the library itself (through the
Python ctypes module), what the extension's aggregates returned for the data the server held,
and compares exactly.

Usage: compare.py DIR. DIR holds the raw data exported with COPY (survey.csv, events.csv,
tenure.csv) and the server's results (nps.csv, nps_groups.csv, csat.csv, ces.csv, cohort.csv,
cohort_md5, km.csv, km_md5). Exits 1 with a FAIL line at the first difference.

Every comparison is exact: counts as integers, doubles with == after a round trip through
PostgreSQL's float8 text (shortest exact form since PostgreSQL 12), NULL for the library's NaN.
The aggregates merge partial states, the reference adds everything at once: the library's
merges are exact, so the results must be identical, not merely close; the serialised states
too (the server's cohort_state / km_state bytes against to_bytes(), by MD5).
"""
import csv
import hashlib
import math
import sys
from pathlib import Path

import numpy as np

import retention

DIR = Path(sys.argv[1])


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def rows(name):
    with open(DIR / name, newline="") as f:
        return list(csv.reader(f))


def number(text):
    """A CSV field of the server's: '' is NULL (None), else an int or a float as it reads."""
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        return float(text)


def same(label, server, reference):
    """server (parsed from CSV) against reference (from the library): NaN is NULL; 1 == 1.0
    (float8 prints whole numbers without a point)."""
    if isinstance(reference, (float, np.floating)) and math.isnan(reference):
        reference = None
    elif hasattr(reference, "item"):
        reference = reference.item()
    if server != reference:
        fail("%s: the server says %r, the library %r" % (label, server, reference))


def check_row(label, names, server_row, reference_row):
    if len(server_row) != len(reference_row):
        fail("%s: %d columns from the server, %d expected" % (label, len(server_row),
                                                              len(reference_row)))
    for name, s, r in zip(names, server_row, reference_row):
        same("%s %s" % (label, name), number(s) if not isinstance(r, str) else s, r)


# ---- scores -----------------------------------------------------------------------------------
survey = rows("survey.csv")  # id, nps_score, csat_score, ces_score


def column(i, where=lambda row: True):
    return np.array([int(r[i]) for r in survey if r[i] != "" and where(r)], dtype=np.uint8)


nps_names = ("n", "promoters", "passives", "detractors", "nps", "std_error", "ci_low", "ci_high")


def nps_tuple(scores):
    r = retention.nps(scores)  # adjusted Wald, 95 %: the extension's choice
    return (r.n, r.promoters, r.passives, r.detractors, r.nps, r.se, r.ci_low, r.ci_high)


check_row("nps", nps_names, rows("nps.csv")[0], nps_tuple(column(1)))
groups = rows("nps_groups.csv")  # grp, then the nps columns
if len(groups) != 7:
    fail("nps per group: %d groups, 7 expected" % len(groups))
for g in groups:
    k = int(g[0])
    check_row("nps of group %d" % k, nps_names, g[1:],
              nps_tuple(column(1, lambda row: int(row[0]) % 7 == k)))
r = retention.csat(column(2), scale=(1, 5), satisfied_min=4)
check_row("csat", ("n", "satisfied", "csat", "std_error", "ci_low", "ci_high"),
          rows("csat.csv")[0], (r.n, r.satisfied, r.csat, r.se, r.ci_low, r.ci_high))
r = retention.ces(column(3), scale=(1, 7))
check_row("ces", ("n", "mean", "std_error"), rows("ces.csv")[0], (r.n, r.mean, r.se))
print("scores: nps (overall and 7 groups), csat and ces equal the library's exactly "
      "(n = %d)" % len(column(1)))

# ---- cohort table -----------------------------------------------------------------------------
# the aggregate's rules: rows without a customer or a time are skipped, a NULL amount is 0
events = [r for r in rows("events.csv") if r[0] != "" and r[1] != ""]
customer = np.array([int(r[0]) for r in events], dtype=np.int64)
time = np.array([int(r[1]) for r in events], dtype=np.int64)
amount = np.array([float(r[2]) if r[2] != "" else 0.0 for r in events])
builder = retention.CohortBuilder(period="month")
builder.add(customer, time, amount)
t = builder.table()
status_names = ("complete", "partial", "censored")
expected = []
for c in range(t.n_cohorts):
    for k in range(t.n_periods):
        censored = t.status[c, k] == 2
        expected.append((int(t.cohort_start[c]), int(t.size[c]), k,
                         None if censored else int(t.active[c, k]), t.retention[c, k],
                         t.revenue[c, k], t.revenue_retention[c, k],
                         status_names[t.status[c, k]]))
cohort = rows("cohort.csv")
if len(cohort) != len(expected):
    fail("cohort table: %d cells from the server, %d from the library" % (len(cohort),
                                                                         len(expected)))
names = ("cohort_start", "cohort_size", "period", "active", "retention", "revenue",
         "revenue_retention", "status")
for i, (s, e) in enumerate(zip(cohort, expected)):
    check_row("cohort cell %d" % i, names, s, e)
state = (DIR / "cohort_md5").read_text().strip()
if state != hashlib.md5(builder.to_bytes()).hexdigest():
    fail("cohort_state: the server's bytes differ from the library's builder of the same rows")
print("cohort: %d events, %d cohorts x %d periods: every cell and the serialised state equal "
      "the library's" % (len(events), t.n_cohorts, t.n_periods))

# ---- Kaplan-Meier -----------------------------------------------------------------------------
tenure = [r for r in rows("tenure.csv") if r[0] != "" and r[1] != ""]
km_builder = retention.KMBuilder()
km_builder.add(np.array([float(r[0]) for r in tenure]),
               np.array([r[1] == "t" for r in tenure]))
km = km_builder.curve()
km_names = ("time", "at_risk", "events", "censored", "survival", "std_err", "lower", "upper")
curve = rows("km.csv")
if len(curve) != len(km):
    fail("kaplan_meier: %d rows from the server, %d from the library" % (len(curve), len(km)))
for i, s in enumerate(curve):
    check_row("kaplan_meier row %d" % i, km_names, s,
              tuple(float(getattr(km, name)[i]) for name in km_names))
state = (DIR / "km_md5").read_text().strip()
if state != hashlib.md5(km_builder.to_bytes()).hexdigest():
    fail("km_state: the server's bytes differ from the library's builder of the same rows")
print("kaplan_meier: %d subjects, %d distinct times: every row and the serialised state equal "
      "the library's" % (len(tenure), len(km)))
