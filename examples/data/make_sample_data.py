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
mrr.csv            a CRM's subscription billing export, 465 customers over 24 months (2024-01
                   to 2025-12): customer_id ("acme-1052"), month (its first day, "2024-01-01"),
                   mrr (2 decimals) and plan. 160 customers at the start, 10-18 sign-ups a month
                   (a few after a free trial month: a row of 0.00), seat and plan upgrades
                   (expansion) and downgrades (contraction), cancellations (churn) and win-backs
                   after 1-6 unpaid months (reactivation); while a customer has the analytics
                   add-on it has two rows in a month ("addon-analytics"), which add up. For
                   `mrr_report` and `retention mrr`.
churned.csv        the CRM's churn log of the same customers, one row per cancellation (316):
                   customer_id, churned_on (a day of the first unpaid month), reason as the CS
                   team typed it (the built-in reasons in human form, "ROI value", "Failed
                   launch", the odd "low usage" or "Failed-launch", and two reasons of their
                   own: "Price" and "Acquired by competitor") and mrr_lost (the MRR of the month
                   before, so each month's lost MRR is the bridge's churned MRR of mrr.csv).
                   "Features" is the most frequent reason, "ROI value" loses the most MRR.
accounts.csv       the seed articles' small-business account study (100,000 accounts) scaled to
                   5,000: account_id, products sold ("1", "2", "3", "4+"), weekly_engaged and
                   upsold_first_90_days (yes/no), retained_2y (1 = still a customer after two
                   years). As in the study: 30 % of one-product accounts retained vs 80 % of 4+,
                   weekly-engaged accounts 26 points higher, 62 % of accounts without an upsell
                   in their first three months churned. For `segments_report`.
"""
import math
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

# mrr.csv and churned.csv: a CRM's subscription billing export and its churn log, from one
# simulated book of customers (so the churn log's lost MRR is the bridge's churned MRR, month by
# month). Their own generator, so the files above stay as they were.
rng = random.Random(20261126)
MONTHS = [f"{2024 + m // 12}-{m % 12 + 1:02d}-01" for m in range(24)]  # 2024-01-01 .. 2025-12-01
NAMES = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "tyrell",
         "cyberdyne", "soylent", "vandelay", "gringotts", "oscorp", "aperture", "monarch",
         "dunder", "pied", "massive", "bluth", "kramerica", "prestige", "nakatomi", "gekko",
         "sterling", "duff", "krusty", "olivia", "zorg", "yoyodyne"]
# plan: (price per seat per month, monthly churn, seats low/high); "starter" is a flat fee,
# "enterprise" a negotiated contract (an annual amount / 12)
PLANS_MRR = {"starter": (49.00, 0.095, 1, 1), "growth": (25.00, 0.060, 3, 12),
             "pro": (45.00, 0.040, 5, 30), "enterprise": (None, 0.020, 0, 0)}
TIERS = ["starter", "growth", "pro", "enterprise"]
ANNUAL = 0.85  # annual billing: 15 % off, billed as a monthly equivalent


class Account:
    def __init__(self, cid, start):
        self.cid, self.start = cid, start
        self.plan = rng.choices(TIERS, weights=[40, 35, 20, 5])[0]
        lo, hi = PLANS_MRR[self.plan][2:]
        self.seats = rng.randint(lo, hi) if self.plan != "enterprise" else 0
        self.annual = self.plan != "enterprise" and rng.random() < 0.3
        self.contract = round(rng.choice([18000, 24000, 30000, 36000, 42000, 60000]) / 12, 2)
        self.addon = False  # a second subscription line: the analytics add-on
        self.back = None    # the month a churned customer comes back, if ever
        self.tenure = 0

    def mrr(self):
        if self.plan == "enterprise":
            return self.contract
        price = PLANS_MRR[self.plan][0] * (self.seats if self.plan != "starter" else 1)
        return round(price * (ANNUAL if self.annual else 1), 2)

    def move(self):
        """One month's change of a customer who stays: mostly flat, sometimes seats or a plan
        up (expansion) or down (contraction), or the add-on taken or dropped."""
        u = rng.random()
        i = TIERS.index(self.plan)
        seats = self.plan in ("growth", "pro")
        if u < 0.035:  # upgrade
            if i < 3:
                self.plan = TIERS[i + 1]
                lo, hi = PLANS_MRR[self.plan][2:]
                self.seats = max(self.seats, rng.randint(lo, hi))
        elif u < 0.075:  # seats added
            if seats:
                self.seats += rng.randint(1, 5)
        elif u < 0.090:  # downgrade
            if i > 0:
                self.plan = TIERS[i - 1]
                lo, hi = PLANS_MRR[self.plan][2:]
                self.seats = rng.randint(lo, min(hi, max(lo, self.seats)))
        elif u < 0.110:  # seats removed
            if seats:
                self.seats = max(PLANS_MRR[self.plan][2], self.seats - rng.randint(1, 3))
        elif u < 0.118:  # a contract renegotiated
            if self.plan == "enterprise":
                self.contract = round(self.contract * rng.choice([0.8, 1.2, 1.25]), 2)
        elif u < 0.123:  # the add-on taken, for a few months
            self.addon = True
        elif self.addon and u < 0.33:
            self.addon = False


def churn_reason(acct):
    """The reason a CS team logs, as it types it: the built-in taxonomy in human form (with the
    odd lower-case or hyphenated spelling) and two reasons of its own."""
    if acct.tenure <= 2:
        weights = {"Failed launch": 45, "Wrong use case": 25, "Features": 15, "Low usage": 15}
    elif acct.plan == "starter":
        weights = {"Features": 30, "Low usage": 25, "Wrong use case": 10, "Price": 20,
                   "ROI value": 5, "Other": 10}
    elif acct.plan in ("growth", "pro"):
        weights = {"Features": 32, "Low usage": 14, "ROI value": 24, "Organization change": 8,
                   "Price": 8, "Acquired by competitor": 4, "Other": 6, "Wrong use case": 4,
                   "Failed launch": 4}
    else:
        weights = {"ROI value": 55, "Organization change": 15, "Acquired by competitor": 10,
                   "Features": 15, "Other": 5}
    reason = rng.choices(list(weights), weights=list(weights.values()))[0]
    u = rng.random()
    if u < 0.08:
        reason = reason.lower()
    elif u < 0.11 and " " in reason and reason[0] != "R":
        reason = reason.replace(" ", "-")
    return reason


accounts, rows, churns = [], [], []
for i in range(160):  # the book at the start: customers who signed up before 2024
    a = Account(f"{rng.choice(NAMES)}-{1001 + i:04d}", -rng.randint(1, 36))
    a.tenure = -a.start
    accounts.append(a)
active = set(range(len(accounts)))
for m in range(24):
    if m > 0:  # sign-ups; some had a free trial month (a row of 0) the month before
        for _ in range(rng.randint(10, 18)):
            a = Account(f"{rng.choice(NAMES)}-{1001 + len(accounts):04d}", m)
            if rng.random() < 0.15:
                rows.append((a.cid, MONTHS[m - 1], 0.0, "trial"))
            accounts.append(a)
            active.add(len(accounts) - 1)
        for k, a in enumerate(accounts):  # win-backs come back
            if a.back == m:
                a.back, a.tenure = None, 0
                a.plan = rng.choices(TIERS[:3], weights=[40, 45, 15])[0]
                lo, hi = PLANS_MRR[a.plan][2:]
                a.seats = rng.randint(lo, hi)
                active.add(k)
        for k in sorted(active):  # cancellations, effective this month
            a = accounts[k]
            if a.start == m or a.tenure == 0:
                continue
            p = PLANS_MRR[a.plan][1] * (2.2 if a.tenure <= 2 else 1.0)
            if rng.random() < p:
                active.discard(k)
                day = rng.randint(1, 28)
                churns.append((a.cid, f"{MONTHS[m][:8]}{day:02d}", churn_reason(a),
                               a.mrr() + (29.0 if a.addon else 0.0)))
                a.addon = False
                if rng.random() < 0.22:
                    a.back = m + 1 + rng.randint(1, 6)  # a gap of 1-6 unpaid months
            else:
                a.move()
    for k in sorted(active):
        a = accounts[k]
        rows.append((a.cid, MONTHS[m], a.mrr(), a.plan + ("-annual" if a.annual else "")))
        if a.addon:
            rows.append((a.cid, MONTHS[m], 29.0, "addon-analytics"))
        a.tenure += 1
rows.sort(key=lambda r: (r[1], r[0]))
with open(os.path.join(HERE, "mrr.csv"), "w") as f:
    f.write("customer_id,month,mrr,plan\n")
    for cid, month, amount, plan in rows:
        f.write(f"{cid},{month},{amount:.2f},{plan}\n")
churns.sort(key=lambda r: (r[1], r[0]))
with open(os.path.join(HERE, "churned.csv"), "w") as f:
    f.write("customer_id,churned_on,reason,mrr_lost\n")
    for cid, day, reason, lost in churns:
        f.write(f"{cid},{day},{reason},{lost:.2f}\n")

# accounts.csv: the small-business account study of the seed articles (100,000 accounts, here
# 5,000): two-year retention by the number of products sold, weekly engagement and an upsell in
# the first 90 days. Retention follows a logistic model whose coefficients were fitted so that
# the expected rates are the study's: 30 % of one-product accounts retained, 80 % of 4+; engaged
# accounts 26 points above the others; 62 % of accounts without an early upsell churned.
rng = random.Random(20261141)  # a seed whose sample rounds to the study's figures
PRODUCTS = ["1", "2", "3", "4+"]
SHARE = [38, 30, 18, 14]                # accounts by products sold
ENGAGED = [0.35, 0.50, 0.60, 0.70]      # P(weekly engaged | products)
UPSOLD = [0.15, 0.45, 0.60, 0.75]       # P(upsold in the first 90 days | products)
BASE = [-1.257, -0.675, -0.239, 0.375]  # logit of retention: products, + engaged, + upsold
B_ENGAGED, B_UPSOLD = 0.800, 0.655
with open(os.path.join(HERE, "accounts.csv"), "w") as f:
    f.write("account_id,products,weekly_engaged,upsold_first_90_days,retained_2y\n")
    for i in range(5000):
        k = rng.choices(range(4), weights=SHARE)[0]
        engaged, upsold = rng.random() < ENGAGED[k], rng.random() < UPSOLD[k]
        x = BASE[k] + B_ENGAGED * engaged + B_UPSOLD * upsold
        retained = rng.random() < 1 / (1 + math.exp(-x))
        f.write(f"SB{100001 + i},{PRODUCTS[k]},{'yes' if engaged else 'no'},"
                f"{'yes' if upsold else 'no'},{int(retained)}\n")
