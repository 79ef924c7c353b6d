#!/usr/bin/python3
"""Writes the bundled sample data (synthetic, seeded; re-running gives the same files).

subscriptions.csv  a year of a subscription business: customers at the start and end of each
                   month, new and lost customers, and the MRR movements (start, new, expansion,
                   contraction, churned, reactivation, end; end = start + the movements).
survey.csv         800 survey responses: channel, NPS (0-10), CSAT (1-5), CES (1-7) and the
                   handle time of the support contact in seconds.
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
