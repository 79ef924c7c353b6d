#!/usr/bin/python3
"""Writes the bundled sample data (synthetic, seeded; re-running gives the same files).

subscriptions.csv  a year of a subscription business: customers at the start and end of each
                   month, new and lost customers, and the MRR movements (start, new, expansion,
                   contraction, churned, reactivation, end; end = start + the movements).
survey.csv         800 survey responses: channel, NPS (0-10), CSAT (1-5), CES (1-7) and the
                   handle time of the support contact in seconds.
lifetimes.csv      400 subscriptions on three plans, followed from sign-up until they churned or
                   the study ended: customer, plan, tenure_days (whole days: ties) and churned
                   (1 = cancelled after tenure_days, 0 = still a customer at the study end:
                   right-censored). Monthly plans churn at renewals, annual ones mostly at the
                   anniversary; for `retention km`.
"""
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
random.seed(20261124)

rows = []
cust, mrr = 1000, 275000.0
for m in range(1, 13):
    new, lost = random.randint(60, 120), random.randint(30, 70)
    end = cust + new - lost
    mrr_new = round(new * random.uniform(230, 290), 2)
    exp = round(mrr * random.uniform(0.02, 0.05), 2)
    contr = round(mrr * random.uniform(0.005, 0.015), 2)
    churned = round(lost * random.uniform(220, 300), 2)
    react = round(random.uniform(0, 2500), 2)
    mrr_end = round(mrr + mrr_new + exp - contr - churned + react, 2)
    rows.append((f"2025-{m:02d}", cust, end, new, lost, f"{mrr:.2f}", f"{mrr_new:.2f}",
                 f"{exp:.2f}", f"{contr:.2f}", f"{churned:.2f}", f"{react:.2f}", f"{mrr_end:.2f}"))
    cust, mrr = end, mrr_end
with open(os.path.join(HERE, "subscriptions.csv"), "w") as f:
    f.write("month,customers_start,customers_end,customers_new,customers_lost,mrr_start,mrr_new,"
            "mrr_expansion,mrr_contraction,mrr_churned,mrr_reactivation,mrr_end\n")
    for r in rows:
        f.write(",".join(map(str, r)) + "\n")

chat = [2, 1, 1, 2, 3, 6, 5, 10, 20, 22, 28]
email = [4, 2, 3, 4, 5, 8, 7, 12, 18, 17, 20]
with open(os.path.join(HERE, "survey.csv"), "w") as f:
    f.write("channel,nps,csat,ces,handle_seconds\n")
    for i in range(800):
        ch = "email" if i % 3 == 0 else "chat"
        s = random.choices(range(11), weights=chat if ch == "chat" else email)[0]
        c = min(5, max(1, round(1 + s * 0.4 + random.gauss(0, 0.7))))
        e = min(7, max(1, round(6 - s * 0.35 + random.gauss(0, 1))))
        h = round(random.lognormvariate(5.5, 0.5), 1)
        f.write(f"{ch},{s},{c},{e},{h}\n")

# lifetimes.csv: sign-ups spread over a two-year study (day 0 to 730); each subscription runs
# until its churn day or the study end, whichever comes first. A separate generator, so the
# files above stay as they were.
rng = random.Random(20261125)
STUDY_DAYS = 730
# plan: (customers, chance of cancelling at a renewal, renewal period in days, early churn)
PLANS = {"basic": (200, 0.085, 30, 0.06), "pro": (140, 0.045, 30, 0.04),
         "enterprise": (60, 0.22, 365, 0.05)}


def churn_day(renewal_churn, period, early):
    """Days from sign-up to cancellation: a few leave in the first weeks (failed onboarding),
    the others at a renewal, a few days before it falls due."""
    if rng.random() < early:
        return rng.randint(1, 21)
    k = 1
    while rng.random() >= renewal_churn:
        k += 1
    return max(1, k * period - rng.randint(0, 7 if period == 30 else 30))


subs = []
for plan, (count, renewal_churn, period, early) in PLANS.items():
    for _ in range(count):
        signup = rng.randint(0, STUDY_DAYS - 30)
        subs.append((signup, plan, churn_day(renewal_churn, period, early)))
subs.sort()
with open(os.path.join(HERE, "lifetimes.csv"), "w") as f:
    f.write("customer,plan,tenure_days,churned\n")
    for i, (signup, plan, churn) in enumerate(subs):
        observed = STUDY_DAYS - signup
        tenure, churned = (churn, 1) if churn <= observed else (observed, 0)
        f.write(f"L{1001 + i},{plan},{tenure},{churned}\n")
