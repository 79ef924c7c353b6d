/**
 * @file retention.h
 * @brief libretention: customer retention, churn, satisfaction scores and lifetime value in C.
 *
 * The one header a program includes. Conventions shared by every function (status codes,
 * outputs untouched on error, thread-safety, ABI) are in retention/core.h; each module's header
 * documents its formulas, units and errors.
 *
 *   retention/core.h    version, status codes, rtn_strerror()
 *   retention/rates.h   retention and churn rates, conversion, lifetime, Wilson interval, revenue
 *   retention/scores.h  NPS, CSAT, CES (mergeable histograms), average handle time
 *   retention/clv.h     formula CLV, CAC payback, LTV:CAC
 *   retention/calendar.h  bucketing times into days, ISO weeks, months, quarters
 *   retention/cohort.h  cohort retention tables: builders that merge and serialise, tables
 *   retention/survival.h  Kaplan-Meier curves, confidence bounds, quantiles, log-rank tests
 *   retention/models.h  sBG, RFM summaries, BG/NBD, Gamma-Gamma: fits, predictions, CLV
 *   retention/pareto_nbd.h  the Pareto/NBD model: fit, P(alive), expected purchases, DERT
 */
#ifndef RETENTION_H
#define RETENTION_H

#include "retention/core.h"
#include "retention/rates.h"
#include "retention/scores.h"
#include "retention/clv.h"
#include "retention/calendar.h"
#include "retention/cohort.h"
#include "retention/survival.h"
#include "retention/models.h"
#include "retention/pareto_nbd.h"
#include "retention/mrr.h"
#include "retention/reasons.h"
#include "retention/segments.h"

#endif /* RETENTION_H */
