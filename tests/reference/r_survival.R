#!/usr/bin/env Rscript
# Reference values for libretention's Kaplan-Meier and log-rank code, computed by R's
# `survival` package (which is only called here; none of its code is copied).
#
#     Rscript tests/reference/r_survival.R OUTDIR
#
# writes OUTDIR/r_survival.json and OUTDIR/r_survival_values.h (the same values as C99
# static const arrays for the cmocka tests). The data sets are literal vectors below, and
# are repeated in both outputs. Do not edit the outputs by hand: edit this script and re-run.
#
# Notes on how R is called:
# * every survfit() call passes robust = FALSE, so std.err is Greenwood's variance on the
#   (weighted) counts; R's default for non-integer weights is a robust (jackknife) variance.
# * survfit() merges times closer than ~1.5e-8 relative (timefix = TRUE); libretention uses
#   exact equality, so the script asserts that no two distinct times (durations and entries)
#   of a data set are within 1e-7 relative, and that timefix = FALSE gives the same fit.
# * numbers are written with sprintf("%.17g"), so they round-trip exactly to binary64.

suppressPackageStartupMessages(library(survival))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1L) stop("usage: Rscript r_survival.R OUTDIR")
outdir <- args[[1]]
if (!dir.exists(outdir)) stop("OUTDIR does not exist: ", outdir)

# --------------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------------

# random_200: generated once in R 4.2.2 by the code below and pasted here as literals, so the
# values do not depend on R's random number generator:
#     set.seed(20240501); n <- 200; tt <- rexp(n, 1/5); cc <- rexp(n, 1/12)
#     time <- pmax(round(pmin(tt, cc), 1), 0.1); event <- as.integer(tt <= cc)
#     group <- sample(0:3, n, replace = TRUE)
random_200_time <- c(
    0.6, 2.8, 1.5, 0.9, 16.0, 3.3, 3.9, 1.9, 3.7, 0.9, 2.6, 3.8, 3.7, 7.6, 1.0, 5.6, 5.4, 0.2,
    14.1, 2.6, 8.0, 4.4, 3.1, 2.1, 6.7, 4.4, 5.9, 1.0, 4.4, 2.1, 9.7, 2.8, 7.3, 3.3, 3.6, 0.4,
    2.6, 5.6, 3.9, 1.9, 2.5, 3.1, 2.9, 2.2, 8.7, 6.5, 1.3, 3.7, 1.5, 6.8, 1.9, 1.9, 0.5, 3.8,
    12.4, 1.4, 1.5, 1.8, 2.9, 0.1, 11.8, 0.3, 1.4, 0.3, 1.0, 2.0, 2.3, 2.9, 0.7, 1.0, 3.2, 0.1,
    2.3, 8.3, 3.7, 0.7, 0.1, 3.9, 5.0, 0.3, 8.6, 4.5, 0.6, 1.1, 1.4, 0.9, 0.1, 5.6, 14.6, 1.4,
    1.4, 5.0, 2.8, 1.0, 0.3, 0.9, 4.9, 0.6, 14.3, 1.2, 0.2, 12.3, 8.1, 1.3, 3.8, 2.6, 0.9, 0.3,
    7.0, 3.4, 5.8, 5.4, 7.3, 0.5, 1.9, 5.4, 3.3, 1.1, 2.3, 0.9, 0.5, 0.5, 2.5, 6.3, 0.4, 5.5,
    2.1, 0.4, 2.6, 0.6, 1.2, 2.7, 5.5, 1.5, 6.7, 0.6, 0.7, 1.4, 5.2, 1.4, 0.8, 1.4, 7.4, 6.5,
    0.2, 0.3, 0.6, 3.4, 5.5, 7.8, 1.8, 1.7, 11.2, 8.1, 7.6, 3.0, 4.9, 0.5, 2.6, 0.1, 9.5, 1.7,
    4.0, 1.2, 1.7, 4.8, 2.9, 6.4, 0.1, 3.2, 0.2, 0.9, 4.8, 1.0, 3.4, 2.2, 0.7, 0.9, 4.1, 5.5,
    8.4, 0.1, 13.1, 2.9, 0.9, 1.0, 0.8, 4.6, 1.3, 9.7, 0.5, 4.1, 0.4, 8.6, 11.1, 6.6, 0.1, 0.4,
    5.3, 1.4
)
random_200_event <- c(
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0,
    0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0,
    1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0,
    1, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1,
    0, 1, 0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 1, 1,
    1, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0
)
random_200_group <- c(
    2, 2, 0, 0, 0, 0, 1, 0, 0, 3, 2, 0, 3, 0, 0, 2, 3, 1, 1, 1, 1, 1, 1, 3, 3, 2, 1, 1, 2, 3,
    1, 0, 0, 0, 2, 0, 0, 2, 1, 1, 1, 3, 3, 1, 0, 2, 0, 2, 1, 2, 3, 0, 3, 0, 3, 3, 1, 2, 0, 2,
    3, 1, 2, 2, 0, 3, 0, 2, 1, 3, 2, 2, 1, 3, 0, 3, 3, 2, 1, 3, 1, 1, 3, 2, 3, 3, 3, 1, 0, 1,
    2, 2, 0, 0, 2, 3, 2, 2, 2, 0, 3, 0, 0, 2, 0, 1, 0, 0, 0, 3, 3, 3, 3, 0, 2, 3, 1, 2, 0, 0,
    2, 1, 2, 3, 3, 0, 3, 0, 0, 1, 3, 2, 0, 1, 2, 2, 3, 1, 0, 0, 2, 1, 2, 0, 2, 2, 2, 1, 3, 3,
    0, 2, 3, 2, 3, 0, 2, 3, 3, 3, 3, 2, 3, 2, 3, 1, 0, 2, 0, 0, 1, 1, 2, 2, 1, 3, 2, 1, 1, 2,
    3, 1, 3, 2, 2, 2, 2, 0, 3, 2, 0, 2, 0, 2, 2, 3, 2, 0, 3, 1
)

left_trunc_entry <- c(0, 0, 0, 1, 0, 2, 1.5, 0, 3, 2.5, 0, 4, 0, 5.5)
left_trunc_time  <- c(2, 3, 5, 4, 6, 5, 7,   1, 8, 6,   9, 10, 4, 9)
left_trunc_event <- c(1, 0, 1, 1, 1, 0, 1,   1, 0, 1,   1, 1,  0, 1)

ties_t <- c(1, 2, 2, 3, 3, 3, 5, 6, 6, 8, 9, 9, 10, 12)
ties_e <- c(1, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 1, 1, 1)

km_sets <- list(
  # tied event times, censorings at event times; the last subject has an event (S reaches 0)
  list(name = "ties_censor", time = ties_t, event = ties_e),
  # the same data at conf.int = 0.90
  list(name = "ties_censor_conf90", time = ties_t, event = ties_e, conf = 0.90),
  # all events, with ties
  list(name = "no_censoring",
       time  = c(2, 3, 3, 5, 7, 7, 7, 8, 11, 11),
       event = c(1, 1, 1, 1, 1, 1, 1, 1, 1, 1)),
  # no events at all
  list(name = "all_censored",
       time  = c(1.5, 2, 2, 4, 6),
       event = c(0, 0, 0, 0, 0)),
  # first time censored (S = 1 there); the last time censored too (S never reaches 0)
  list(name = "first_censored",
       time  = c(1, 2, 3, 3, 4, 6, 7, 9),
       event = c(0, 1, 1, 0, 1, 0, 1, 0)),
  # S = 0.75 on [2, 3) and S = 0.5 on [4, 6) (products of n-d/n, so maybe not exactly):
  # quantiles 0.25 and 0.5 fall on flat stretches (midpoint rule)
  list(name = "flat_half",
       time  = c(1, 2, 3, 4, 5, 6, 7, 8),
       event = c(1, 1, 1, 1, 0, 1, 0, 1)),
  # 1..4 all events: quantile 1 is reached exactly at the last point, quantile 0.5 -> 2.5
  list(name = "quantile_last",
       time  = c(1, 2, 3, 4),
       event = c(1, 1, 1, 1)),
  # S = 0.5 exactly at its final value, the tail censored: R's median is the midpoint between
  # the time S reaches 0.5 and the last time of the curve, (3 + 6) / 2, not NA
  list(name = "half_at_end",
       time  = c(1, 2, 3, 4, 5, 6),
       event = c(1, 1, 1, 0, 0, 0)),
  # events and censorings at duration 0
  list(name = "zero_durations",
       time  = c(0, 0, 0, 1, 2, 2, 3, 4, 5, 5, 7),
       event = c(1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0)),
  # left truncation, Surv(entry, time, event); entries coincide with some event times
  # (a subject entering at t is not at risk at t); the risk set never empties early
  list(name = "left_trunc",
       entry = left_trunc_entry, time = left_trunc_time, event = left_trunc_event),
  # integer case weights (checked below to equal replicated rows)
  list(name = "weights_int",
       time   = c(1, 2, 2, 3, 4, 5, 5, 6, 8, 9),
       event  = c(1, 0, 1, 1, 0, 1, 1, 0, 1, 1),
       weight = c(1, 2, 3, 1, 2, 1, 2, 1, 3, 1)),
  # non-integer case weights
  list(name = "weights_frac",
       time   = c(1, 2, 2, 3, 4, 5, 5, 6, 8, 9),
       event  = c(1, 0, 1, 1, 0, 1, 1, 0, 1, 1),
       weight = c(0.5, 1.25, 2, 0.75, 1.5, 3.25, 0.3, 1.1, 2.5, 0.8)),
  # left truncation and non-integer weights
  list(name = "left_trunc_weights",
       entry = left_trunc_entry, time = left_trunc_time, event = left_trunc_event,
       weight = c(1.5, 0.5, 2, 1, 0.25, 3, 1.2, 0.8, 1, 2.2, 0.6, 1.4, 0.9, 1.75)),
  # n = 200, one decimal (many ties), ~30% censored
  list(name = "random_200", time = random_200_time, event = random_200_event),
  # decimal durations (literals, none computed), tied and censored
  list(name = "decimal_times",
       time  = c(0.1, 0.2, 0.2, 0.3, 0.45, 0.45, 0.7, 1.25, 1.25, 2.05, 3.3, 3.3, 4.75,
                 10.125),
       event = c(1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0))
)

# log-rank data; groups are 0-based integers 0 .. k-1, all present
lr_two <- list(
  time  = c(1, 3, 3, 4, 6, 7, 9, 10, 12, 15, 2, 2, 5, 5, 8, 11, 11, 13, 16, 20),
  event = c(1, 1, 0, 1, 1, 0, 1, 1,  0,  1, 1, 1, 0, 1, 1, 0,  1,  1,  1,  0),
  group = c(0, 0, 0, 0, 0, 0, 0, 0,  0,  0, 1, 1, 1, 1, 1, 1,  1,  1,  1,  1))
lr_three <- list(
  time  = c(1, 2, 2, 3, 5, 5, 8, 9, 2, 3, 3, 4, 5, 7, 8, 10, 12, 1, 3, 5, 5, 6, 9, 12, 14),
  event = c(1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1,  0,  1, 1, 1, 0, 1, 1, 1,  0),
  group = c(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,  1,  2, 2, 2, 2, 2, 2, 2,  2))
lr_noev <- list(
  time  = c(1, 2, 4, 4, 6, 9, 2, 3, 4, 7, 8, 3, 5, 6, 10),
  event = c(1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0),
  group = c(0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2))

lr_cases <- list(
  c(list(name = "two_groups_rho0", rho = 0), lr_two),
  c(list(name = "two_groups_rho1", rho = 1), lr_two),
  c(list(name = "three_groups_rho0", rho = 0), lr_three),
  c(list(name = "three_groups_rho1", rho = 1), lr_three),
  c(list(name = "three_groups_rho0.5", rho = 0.5), lr_three),
  # group 2 has no events
  c(list(name = "group_no_events_rho0", rho = 0), lr_noev),
  list(name = "random_200_4groups_rho0", rho = 0, time = random_200_time,
       event = random_200_event, group = random_200_group),
  list(name = "random_200_4groups_rho1", rho = 1, time = random_200_time,
       event = random_200_event, group = random_200_group)
)

quant_p <- c(0.1, 0.25, 0.5, 0.75, 0.9, 1)
conf_types <- c("log", "log-log", "plain")

# --------------------------------------------------------------------------------------------
# checks on the data
# --------------------------------------------------------------------------------------------

check_distinct <- function(name, x) {
  u <- sort(unique(x))
  if (length(u) < 2L) return(invisible())
  a <- u[-length(u)]; b <- u[-1L]
  close <- (b - a) <= 1e-7 * pmax(abs(a), abs(b))
  if (any(close))
    stop(name, ": distinct times within 1e-7 relative: ",
         paste(sprintf("%.17g", a[close]), sprintf("%.17g", b[close]), collapse = "; "))
}

check_km_set <- function(s) {
  n <- length(s$time)
  stopifnot(is.character(s$name), n >= 4L, length(s$event) == n,
            all(s$event %in% c(0, 1)), all(is.finite(s$time)), all(s$time >= 0))
  if (!is.null(s$entry))
    stopifnot(length(s$entry) == n, all(s$entry >= 0), all(s$entry < s$time))
  if (!is.null(s$weight)) stopifnot(length(s$weight) == n, all(s$weight > 0))
  check_distinct(s$name, c(s$time, s$entry))
  if (!is.null(s$entry)) {
    # no gap: whenever a subject enters, someone who entered earlier is still at risk
    # (except the first entries)
    first <- min(s$entry)
    for (a in unique(s$entry[s$entry > first]))
      if (!any(s$entry < a & s$time >= a)) stop(s$name, ": risk set empties before ", a)
  }
}

for (s in km_sets) check_km_set(s)
for (s in lr_cases) {
  n <- length(s$time)
  stopifnot(length(s$event) == n, length(s$group) == n, all(s$event %in% c(0, 1)),
            all(s$group == round(s$group)), setequal(unique(s$group), 0:max(s$group)))
  check_distinct(s$name, s$time)
}

# --------------------------------------------------------------------------------------------
# computations
# --------------------------------------------------------------------------------------------

make_surv <- function(s) {
  if (is.null(s$entry)) Surv(s$time, s$event) else Surv(s$entry, s$time, s$event)
}

fit_km <- function(s, conf_type, conf, ...) {
  y <- make_surv(s)
  if (is.null(s$weight))
    survfit(y ~ 1, conf.type = conf_type, conf.int = conf, robust = FALSE, ...)
  else {
    w <- s$weight
    survfit(y ~ 1, weights = w, conf.type = conf_type, conf.int = conf, robust = FALSE, ...)
  }
}

same <- function(a, b) isTRUE(all.equal(a, b, tolerance = 0)) ||
  (length(a) == length(b) && all((is.na(a) & is.na(b)) | (!is.na(a) & !is.na(b) & a == b)))

# query times: 0, before the first time, at event times, between times, at and after the last
query_times <- function(s) {
  ut <- sort(unique(s$time))
  ev <- sort(unique(s$time[s$event == 1]))
  if (length(ev) == 0L) ev <- ut
  q <- c(0, ev[1L], ev[ceiling(length(ev) / 2)], ev[length(ev)], max(ut), max(ut) + 1)
  pos <- ut[ut > 0]
  q <- c(q, pos[1L] / 2)
  k <- length(ut)
  q <- c(q, (ut[1L] + ut[2L]) / 2, (ut[k %/% 2] + ut[k %/% 2 + 1L]) / 2)
  sort(unique(q))
}

# RMST horizons: before the first time, between times, exactly at an event time, past the last
rmst_taus <- function(s) {
  ut <- sort(unique(s$time))
  ev <- sort(unique(s$time[s$event == 1]))
  if (length(ev) == 0L) ev <- ut
  pos <- ut[ut > 0]
  k <- length(ut)
  sort(unique(c(pos[1L] / 2, (ut[k %/% 2] + ut[k %/% 2 + 1L]) / 2,
                ev[ceiling(length(ev) / 2)], max(ut) * 1.5 + 1)))
}

km_fit_values <- function(s, conf_type) {
  conf <- if (is.null(s$conf)) 0.95 else s$conf
  fit <- fit_km(s, conf_type, conf)

  # timefix must not matter for these data
  fit_nofix <- fit_km(s, conf_type, conf, timefix = FALSE)
  stopifnot(same(fit$time, fit_nofix$time), same(fit$surv, fit_nofix$surv),
            same(fit$std.err, fit_nofix$std.err))
  # robust = FALSE must be R's default when there are no weights or integer weights
  if (is.null(s$weight) || all(s$weight == round(s$weight))) {
    y <- make_surv(s); w <- s$weight
    fit_def <- if (is.null(w)) survfit(y ~ 1, conf.type = conf_type, conf.int = conf)
               else survfit(y ~ 1, weights = w, conf.type = conf_type, conf.int = conf)
    stopifnot(same(fit$std.err, fit_def$std.err), same(fit$lower, fit_def$lower))
  }

  sm <- summary(fit, censored = TRUE)
  tab <- list(time = sm$time, n.risk = sm$n.risk, n.event = sm$n.event,
              n.censor = sm$n.censor, surv = sm$surv, std.err = sm$std.err,
              lower = sm$lower, upper = sm$upper)
  nr <- length(sm$time)
  stopifnot(all(vapply(tab, length, 1L) == nr))

  qq <- quantile(fit, probs = quant_p, conf.int = TRUE)
  quant <- list(probs = quant_p, quantile = unname(qq$quantile),
                lower = unname(qq$lower), upper = unname(qq$upper))
  stopifnot(length(quant$quantile) == length(quant_p), length(quant$lower) == length(quant_p))

  qt <- query_times(s)
  sq <- summary(fit, times = qt, extend = TRUE)
  stopifnot(length(sq$surv) == length(qt), same(sq$time, qt))
  query <- list(times = qt, surv = sq$surv, lower = sq$lower, upper = sq$upper)

  # summary(fit, rmean = tau) stops with "Truncation point ... < smallest survival" when tau is
  # below the first time of the fit, unless the fit has a start.time; so RMST uses a refit with
  # start.time = 0, asserted to be the same curve, and to give the same RMST wherever the
  # default fit accepts tau.
  fit0 <- fit_km(s, conf_type, conf, start.time = 0)
  stopifnot(same(fit$time, fit0$time), same(fit$surv, fit0$surv),
            same(fit$std.err, fit0$std.err), same(fit$n.risk, fit0$n.risk))
  taus <- rmst_taus(s)
  rm <- vapply(taus, function(tau) {
    tb <- summary(fit0, rmean = tau)$table
    v <- c(tb[["rmean"]], tb[["se(rmean)"]])
    if (tau >= min(fit$time)) {
      tb1 <- summary(fit, rmean = tau)$table
      stopifnot(same(v, c(tb1[["rmean"]], tb1[["se(rmean)"]])))
    }
    v
  }, numeric(2))
  rmst <- list(tau = taus, rmean = rm[1, ], se = rm[2, ])

  list(conf_type = conf_type, conf_int = conf, summary = tab, quantile = quant,
       query = query, rmst = rmst)
}

# integer weights must equal replicated rows
for (s in km_sets) {
  if (is.null(s$weight) || any(s$weight != round(s$weight))) next
  r <- rep(seq_along(s$time), s$weight)
  s2 <- list(time = s$time[r], event = s$event[r],
             entry = if (is.null(s$entry)) NULL else s$entry[r])
  for (ct in conf_types) {
    a <- summary(fit_km(s, ct, 0.95)); b <- summary(fit_km(s2, ct, 0.95))
    stopifnot(isTRUE(all.equal(a$surv, b$surv, tolerance = 1e-13)),
              isTRUE(all.equal(a$std.err, b$std.err, tolerance = 1e-13)),
              isTRUE(all.equal(a$n.risk, b$n.risk, tolerance = 0)))
  }
}

km_results <- lapply(km_sets, function(s) {
  list(name = s$name, conf_int = if (is.null(s$conf)) 0.95 else s$conf,
       duration = s$time, event = s$event, entry = s$entry, weight = s$weight,
       fits = lapply(conf_types, function(ct) km_fit_values(s, ct)))
})

lr_results <- lapply(lr_cases, function(s) {
  t <- s$time; e <- s$event; g <- s$group
  sd <- survdiff(Surv(t, e) ~ factor(g), rho = s$rho)
  k <- length(sd$n)
  stopifnot(k == max(g) + 1L)
  df <- sum(sd$exp > 0) - 1L
  p <- pchisq(sd$chisq, df, lower.tail = FALSE)
  if (!is.null(sd$pvalue)) stopifnot(isTRUE(all.equal(p, sd$pvalue, tolerance = 1e-15)))
  list(name = s$name, rho = s$rho, duration = t, event = e, group = g, k = k,
       obs = as.numeric(sd$obs), exp = as.numeric(sd$exp),
       var = as.numeric(t(sd$var)),  # row-major
       chisq = sd$chisq, df = df, p_value = p)
})

r_version <- R.version.string
surv_version <- as.character(packageVersion("survival"))

# --------------------------------------------------------------------------------------------
# JSON (written by hand; jsonlite is not assumed)
# --------------------------------------------------------------------------------------------

arr <- function(x) structure(list(x), class = "json_array")   # force an array, even length 1

json_num <- function(x) {
  x <- as.numeric(x)
  ifelse(is.na(x), "null",
         ifelse(is.infinite(x), ifelse(x > 0, "\"Inf\"", "\"-Inf\""), sprintf("%.17g", x)))
}
json_str <- function(x) {
  x <- gsub("\\", "\\\\", x, fixed = TRUE)
  paste0("\"", gsub("\"", "\\\"", x, fixed = TRUE), "\"")
}
to_json <- function(x, indent = 0L) {
  pad <- strrep("  ", indent); pad1 <- strrep("  ", indent + 1L)
  if (is.null(x)) return("null")
  if (inherits(x, "json_array")) {
    v <- x[[1]]
    if (length(v) == 0L) return("[]")
    return(paste0("[", paste(json_num(v), collapse = ", "), "]"))
  }
  if (is.list(x)) {
    if (length(x) == 0L) return(if (is.null(names(x))) "[]" else "{}")
    items <- vapply(x, to_json, "", indent = indent + 1L)
    if (is.null(names(x)))
      return(paste0("[\n", paste0(pad1, items, collapse = ",\n"), "\n", pad, "]"))
    return(paste0("{\n", paste0(pad1, json_str(names(x)), ": ", items, collapse = ",\n"),
                  "\n", pad, "}"))
  }
  if (is.character(x)) {
    if (length(x) == 1L) return(json_str(x))
    return(paste0("[", paste(json_str(x), collapse = ", "), "]"))
  }
  if (is.numeric(x) || is.logical(x)) {
    if (length(x) == 1L) return(json_num(x))
    return(paste0("[", paste(json_num(x), collapse = ", "), "]"))
  }
  stop("to_json: unsupported type ", class(x))
}

a_or_null <- function(x) if (is.null(x)) NULL else arr(x)
# keep explicit nulls in named lists (list(a = NULL) drops the element)
with_nulls <- function(...) { l <- list(...); l }

json_km <- lapply(km_results, function(r) {
  fits <- lapply(r$fits, function(f) {
    list(conf_type = f$conf_type, conf_int = f$conf_int,
         summary = lapply(f$summary, arr),
         quantile = lapply(f$quantile, arr),
         query = lapply(f$query, arr),
         rmst = lapply(f$rmst, arr))
  })
  names(fits) <- conf_types
  l <- list(name = r$name, conf_int = r$conf_int, duration = arr(r$duration),
            event = arr(r$event))
  l["entry"] <- list(a_or_null(r$entry))
  l["weight"] <- list(a_or_null(r$weight))
  l$fits <- fits
  l
})
json_lr <- lapply(lr_results, function(r) {
  list(name = r$name, rho = r$rho, duration = arr(r$duration), event = arr(r$event),
       group = arr(r$group), k = r$k, obs = arr(r$obs), exp = arr(r$exp),
       var = arr(r$var), chisq = r$chisq, df = r$df, p_value = r$p_value)
})
top <- list(
  generator = "tests/reference/r_survival.R",
  R_version = r_version,
  survival_version = surv_version,
  notes = paste("Numbers have 17 significant digits; null is NA/NaN; \"Inf\" is +Inf.",
                "KM: summary(fit, censored = TRUE), std.err is the std error of S;",
                "survfit(..., robust = FALSE); RMST from the same fit with start.time = 0.",
                "var is row-major k x k;",
                "df = number of groups with exp > 0, minus 1."),
  km = json_km,
  logrank = json_lr)
writeLines(to_json(top), file.path(outdir, "r_survival.json"))

# --------------------------------------------------------------------------------------------
# C header
# --------------------------------------------------------------------------------------------

c_num <- function(x) {
  x <- as.numeric(x)
  ifelse(is.nan(x) | is.na(x), "NAN",
         ifelse(is.infinite(x), ifelse(x > 0, "INFINITY", "-INFINITY"),
                sprintf("%.17g", x)))
}
c_lines <- function(v, per = 4L) {
  idx <- split(seq_along(v), (seq_along(v) - 1L) %/% per)
  paste0("    ", vapply(idx, function(i) paste(v[i], collapse = ", "), ""), collapse = ",\n")
}
hdr <- character()
emit <- function(...) hdr <<- c(hdr, paste0(...))
c_array <- function(type, name, values, per) {
  if (length(values) == 0L) return("NULL")
  emit("static const ", type, " ", name, "[", length(values), "] = {\n",
       c_lines(values, per), "\n};")
  name
}
c_dbl <- function(name, x) c_array("double", name, c_num(x), 4L)
c_uchar <- function(name, x) c_array("unsigned char", name, sprintf("%d", as.integer(x)), 20L)
c_uint <- function(name, x) c_array("unsigned int", name, sprintf("%du", as.integer(x)), 16L)
c_ident <- function(x) gsub("[^A-Za-z0-9_]", "_", x)
c_str <- function(x) paste0("\"", gsub("([\"\\\\])", "\\\\\\1", x), "\"")

emit("/*")
emit(" * r_survival_values.h -- reference values for libretention's Kaplan-Meier and log-rank")
emit(" * tests, GENERATED by tests/reference/r_survival.R; DO NOT EDIT BY HAND (edit the script")
emit(" * and re-run: Rscript tests/reference/r_survival.R tests/reference).")
emit(" *")
emit(" * ", r_version, ", survival ", surv_version, ".")
emit(" *")
emit(" * KM entries: one per (data set x conf type); the table is summary(fit, censored = TRUE)")
emit(" * of survfit(..., robust = FALSE) (Greenwood std.err of S, on weighted counts); the quantile")
emit(" * bounds come from quantile(fit, conf.int = TRUE); the query rows from summary(fit, times =")
emit(" * query_t, extend = TRUE); RMST from summary(fit0, rmean = tau)$table, fit0 the same fit with")
emit(" * start.time = 0 (R refuses tau < the first time otherwise). Log-rank entries come")
emit(" * from survdiff(Surv(t, e) ~ factor(group), rho = rho); variance is k x k row-major; df is")
emit(" * the number of groups with expected > 0, minus 1. NA/NaN in R is NAN here, Inf is INFINITY.")
emit(" */")
emit("#ifndef RTN_REF_R_SURVIVAL_VALUES_H")
emit("#define RTN_REF_R_SURVIVAL_VALUES_H")
emit("")
emit("#include <math.h>")
emit("#include <stddef.h>")
emit("")
emit("typedef struct {")
emit("    const char *name;")
emit("    size_t n;")
emit("    const double *duration;")
emit("    const unsigned char *event;")
emit("    const double *entry;  /* NULL if none */")
emit("    const double *weight; /* NULL if none */")
emit("    double conf_level;")
emit("    int conf_type; /* 0 log, 1 log-log, 2 plain */")
emit("    size_t rows;")
emit("    const double *time, *n_risk, *n_event, *n_censor, *surv, *std_err, *lower, *upper;")
emit("    size_t n_quant;")
emit("    const double *quant_p, *quant, *quant_lower, *quant_upper;")
emit("    size_t n_query;")
emit("    const double *query_t, *query_surv, *query_lower, *query_upper;")
emit("    size_t n_rmst;")
emit("    const double *rmst_tau, *rmst, *rmst_se;")
emit("} rtn_ref_km;")
emit("")
emit("typedef struct {")
emit("    const char *name;")
emit("    size_t n;")
emit("    const double *duration;")
emit("    const unsigned char *event;")
emit("    const unsigned int *group; /* 0 .. k-1 */")
emit("    size_t k;")
emit("    double rho;")
emit("    const double *observed, *expected; /* k each */")
emit("    const double *variance;            /* k * k, row-major */")
emit("    double chisq;")
emit("    int df;")
emit("    double p_value;")
emit("} rtn_ref_logrank;")
emit("")
emit("enum { rtn_ref_km_count = ", length(km_results) * length(conf_types),
     ", rtn_ref_logrank_count = ", length(lr_results), " };")
emit("")

quant_p_name <- c_dbl("rtn_ref_km_quant_p", quant_p)
emit("")
km_entries <- character()
for (r in km_results) {
  id <- paste0("rtn_ref_km_", c_ident(r$name))
  emit("/* ---- ", r$name, " ---- */")
  dur <- c_dbl(paste0(id, "_duration"), r$duration)
  ev <- c_uchar(paste0(id, "_event"), r$event)
  en <- if (is.null(r$entry)) "NULL" else c_dbl(paste0(id, "_entry"), r$entry)
  wt <- if (is.null(r$weight)) "NULL" else c_dbl(paste0(id, "_weight"), r$weight)
  qt <- c_dbl(paste0(id, "_query_t"), r$fits[[1]]$query$times)
  tau <- c_dbl(paste0(id, "_rmst_tau"), r$fits[[1]]$rmst$tau)
  for (j in seq_along(conf_types)) {
    f <- r$fits[[j]]
    stopifnot(same(f$query$times, r$fits[[1]]$query$times),
              same(f$rmst$tau, r$fits[[1]]$rmst$tau))
    fid <- paste0(id, "_", c("log", "loglog", "plain")[j])
    sm <- f$summary
    a <- c(time = c_dbl(paste0(fid, "_time"), sm$time),
           n_risk = c_dbl(paste0(fid, "_n_risk"), sm$n.risk),
           n_event = c_dbl(paste0(fid, "_n_event"), sm$n.event),
           n_censor = c_dbl(paste0(fid, "_n_censor"), sm$n.censor),
           surv = c_dbl(paste0(fid, "_surv"), sm$surv),
           std_err = c_dbl(paste0(fid, "_std_err"), sm$std.err),
           lower = c_dbl(paste0(fid, "_lower"), sm$lower),
           upper = c_dbl(paste0(fid, "_upper"), sm$upper),
           quant = c_dbl(paste0(fid, "_quant"), f$quantile$quantile),
           quant_lower = c_dbl(paste0(fid, "_quant_lower"), f$quantile$lower),
           quant_upper = c_dbl(paste0(fid, "_quant_upper"), f$quantile$upper),
           query_surv = c_dbl(paste0(fid, "_query_surv"), f$query$surv),
           query_lower = c_dbl(paste0(fid, "_query_lower"), f$query$lower),
           query_upper = c_dbl(paste0(fid, "_query_upper"), f$query$upper),
           rmst = c_dbl(paste0(fid, "_rmst"), f$rmst$rmean),
           rmst_se = c_dbl(paste0(fid, "_rmst_se"), f$rmst$se))
    km_entries <- c(km_entries, paste0(
      "    { ", c_str(r$name), ", ", length(r$duration), ", ", dur, ", ", ev, ", ", en, ", ",
      wt, ",\n      ", sprintf("%.17g", f$conf_int), ", ", j - 1L, ",\n",
      "      ", length(sm$time), ", ", paste(a[c("time", "n_risk", "n_event", "n_censor")],
                                          collapse = ", "), ",\n",
      "      ", paste(a[c("surv", "std_err", "lower", "upper")], collapse = ", "), ",\n",
      "      ", length(quant_p), ", ", quant_p_name, ", ",
      paste(a[c("quant", "quant_lower", "quant_upper")], collapse = ", "), ",\n",
      "      ", length(f$query$times), ", ", qt, ", ",
      paste(a[c("query_surv", "query_lower", "query_upper")], collapse = ", "), ",\n",
      "      ", length(f$rmst$tau), ", ", tau, ", ", a[["rmst"]], ", ", a[["rmst_se"]], " }"))
  }
  emit("")
}

lr_entries <- character()
for (r in lr_results) {
  id <- paste0("rtn_ref_lr_", c_ident(r$name))
  emit("/* ---- log-rank ", r$name, " ---- */")
  dur <- c_dbl(paste0(id, "_duration"), r$duration)
  ev <- c_uchar(paste0(id, "_event"), r$event)
  gr <- c_uint(paste0(id, "_group"), r$group)
  ob <- c_dbl(paste0(id, "_observed"), r$obs)
  ex <- c_dbl(paste0(id, "_expected"), r$exp)
  va <- c_dbl(paste0(id, "_variance"), r$var)
  lr_entries <- c(lr_entries, paste0(
    "    { ", c_str(r$name), ", ", length(r$duration), ", ", dur, ", ", ev, ", ", gr, ",\n",
    "      ", r$k, ", ", c_num(r$rho), ", ", ob, ", ", ex, ", ", va, ",\n",
    "      ", c_num(r$chisq), ", ", r$df, ", ", c_num(r$p_value), " }"))
  emit("")
}

emit("static const rtn_ref_km rtn_ref_km_cases[rtn_ref_km_count] = {")
emit(paste(km_entries, collapse = ",\n"))
emit("};")
emit("")
emit("static const rtn_ref_logrank rtn_ref_logrank_cases[rtn_ref_logrank_count] = {")
emit(paste(lr_entries, collapse = ",\n"))
emit("};")
emit("")
emit("#endif /* RTN_REF_R_SURVIVAL_VALUES_H */")
writeLines(hdr, file.path(outdir, "r_survival_values.h"))

cat("wrote", file.path(outdir, "r_survival.json"), "and",
    file.path(outdir, "r_survival_values.h"), ":", length(km_results), "KM data sets,",
    length(lr_results), "log-rank cases\n")
