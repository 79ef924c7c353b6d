#!/usr/bin/python3
"""Independent reference values for the C tests of the rate, score and CLV formulas.

Computed with Python's standard library only (fractions for exact rational arithmetic, decimal
at 50 digits for the powers, math.fsum for exact sums, statistics.NormalDist for normal
quantiles), from the formulas as published -- not from libretention. The C tests paste the
printed values, each next to the case it checks; re-run this script to re-derive them:

    /usr/bin/python3 tests/reference/reference_values.py
"""
import math
import statistics
from decimal import Decimal, getcontext
from fractions import Fraction as F

getcontext().prec = 50
N = statistics.NormalDist()


def z2(conf):
    """two-sided critical value, from the exact upper tail (1 - conf) / 2 of the double conf
    (forming 0.5 + conf / 2 first would round away up to 1e-10 of a small tail)"""
    q = float((1 - Decimal(conf)) / 2)
    return -N.inv_cdf(q)


def show(name, v):
    print("%-44s %.17g" % (name, float(v)))


def wilson(k, n, conf):
    z = z2(conf)
    p = k / n
    den = 1 + z * z / n
    c = (p + z * z / (2 * n)) / den
    h = z / den * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, c - h), min(1.0, c + h)


def nps_interval(P, A, D, conf, adjusted):
    n = P + A + D
    if adjusted:
        n, P, D = n + 3, P + 0.75, D + 0.75
    p, d = P / n, D / n
    se = math.sqrt((p + d - (p - d) ** 2) / n)
    z = z2(conf)
    return 100 * max(-1, p - d - z * se), 100 * min(1, p - d + z * se)


def nps_se(P, A, D):
    n = P + A + D
    p, d = F(P, n), F(D, n)
    return 100 * math.sqrt((p + d - (p - d) ** 2) / n)


print("# critical values")
for c in (0.90, 0.95, 0.99, 0.999999):
    show("z(%g)" % c, z2(c))

print("# churn conversion 1 - (1 - m)^k, 50 digits")
for m, k in (("0.02", 12), ("1e-12", 12)):
    show("convert(%s, %d)" % (m, k), 1 - (1 - Decimal(m)) ** k)
show("convert(0.2152, 1/12)", 1 - (1 - Decimal("0.2152")) ** (Decimal(1) / 12))

print("# Wilson (Newcombe 1998, Table I: 81/263, 15/148, 0/20, 1/29 at 95 %)")
for k, n, c in ((81, 263, 0.95), (15, 148, 0.95), (0, 20, 0.95), (1, 29, 0.95), (29, 29, 0.95),
                (7, 1000, 0.99)):
    lo, hi = wilson(k, n, c)
    show("wilson(%d,%d,%g).low" % (k, n, c), lo)
    show("wilson(%d,%d,%g).high" % (k, n, c), hi)

print("# revenue (seed: $275,000 -> $305,000)")
show("net churn 275000 exp 30000", F(-30000, 275000))
show("nrr 275000 +30000", F(305000, 275000))
show("gross churn 275000 churn 10000 contr 5000", F(15000, 275000))
show("net churn ... exp 40000 react 5000", F(10000 + 5000 - 40000 - 5000, 275000))

print("# NPS")
show("se(50,30,20)", nps_se(50, 30, 20))
for P, A, D, c, adj in ((50, 30, 20, 0.95, False), (50, 30, 20, 0.95, True),
                        (10, 0, 0, 0.95, False), (10, 0, 0, 0.95, True),
                        (4997760, 3001768, 2000472, 0.99, True)):
    lo, hi = nps_interval(P, A, D, c, adj)
    show("interval(%d,%d,%d,%g,%s).low" % (P, A, D, c, "adj" if adj else "wald"), lo)
    show("interval(%d,%d,%d,%g,%s).high" % (P, A, D, c, "adj" if adj else "wald"), hi)
# two-sample z test
a, b = (120, 50, 30), (90, 60, 50)
na, nb = sum(a), sum(b)
npa, npb = F(a[0] - a[2], na), F(b[0] - b[2], nb)
sea, seb = nps_se(*a) / 100, nps_se(*b) / 100
z = float(npa - npb) / math.sqrt(sea ** 2 + seb ** 2)
show("ztest(120,50,30 | 90,60,50).z", z)
show("ztest(120,50,30 | 90,60,50).p", 2 * (1 - N.cdf(abs(z))))
show("ztest(...).p via erfc", math.erfc(abs(z) / math.sqrt(2)))

print("# CSAT / CES")
hist = {1: 5, 2: 5, 3: 10, 4: 40, 5: 40}
lo, hi = wilson(80, 100, 0.95)
show("csat wilson(80,100).low", lo)
show("csat wilson(80,100).high", hi)
ces = {1: 3, 2: 7, 3: 12, 4: 20, 5: 25, 6: 18, 7: 15}
xs = [v for v, c in ces.items() for _ in range(c)]
show("ces mean", statistics.fmean(xs))
show("ces se", statistics.stdev(xs) / math.sqrt(len(xs)))

print("# average handle time: exact mean of [1e16, 1, 1, 1, 1] and of 0.1 x 10")
show("aht", math.fsum([1e16, 1, 1, 1, 1]) / 5)
show("aht 0.1x10", math.fsum([0.1] * 10) / 10)

print("# discounted CLV as a series sum m r^t / (1+d)^t, t >= 1")
m, r, d = F(100), F(9, 10), F(1, 10)
show("clv_discounted(100,.9,.1)", m * r / (1 + d - r))
s = math.fsum(100 * 0.9 ** t / 1.1 ** t for t in range(1, 2000))
show("series sum", s)
