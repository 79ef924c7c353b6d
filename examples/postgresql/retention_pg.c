/*
 * retention_pg.c: libretention's mergeable partial states as PostgreSQL parallel aggregates.
 *
 * Each aggregate keeps the library's own partial state as its transition state (STYPE
 * internal): a histogram of counts per score for nps / csat / ces, an rtn_cohort_builder for
 * cohort_state, an rtn_km_builder for km_state. PostgreSQL's parallel aggregation then maps
 * one to one onto the library's merge: every worker runs the transition function over its
 * share of the rows (Partial Aggregate) and ships its state to the leader with the serial
 * function (the library's serialize); the leader re-creates it with the deserial function (the
 * library's deserialize, which validates every byte) and folds it in with the combine function
 * (the library's merge). The merges are exact, so a parallel plan gives the serial result.
 *
 * Memory: the builders allocate through an rtn_allocator that pallocs in the memory context
 * the state belongs to (the aggregate's context, or a function's own), so an error or the end
 * of a query releases everything; nothing here is malloc'd.
 *
 * Errors: a library status becomes ereport(ERROR) with an SQLSTATE chosen by the status and a
 * message that names it (RTN_E...) with rtn_strerror()'s text. The library never calls back
 * into PostgreSQL except through the allocator, which returns NULL rather than raising, so no
 * error ever unwinds through the library's frames.
 */
#include "postgres.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include <retention.h>

PG_MODULE_MAGIC;

void _PG_init(void);

/* Unix seconds of PostgreSQL's epoch, 2000-01-01: timestamps count microseconds from it. */
#define PG_EPOCH_UNIX ((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY)

/*
 * Cohort rows are buffered and handed to the builder in batches: each rtn_cohort_builder_add()
 * sorts its batch into a run of the state, and a call per row would pay that call's fixed cost
 * per row. Batches grow with the rows already added (as the CLI's do), so that a large scan
 * makes few calls and few runs to merge, up to a cap that bounds the buffer at 24 MiB.
 */
#define COHORT_BATCH_MIN ((Size) 1 << 16)
#define COHORT_BATCH_MAX ((Size) 1 << 20)
#define COHORT_BUFFER_START ((Size) 64) /* small: GROUP BY may make many states */

/*
 * The header and the loaded library must agree (core.h): the same major version, and a library
 * at least as new as the header. A mismatch would otherwise surface as EVERSION or worse at the
 * first state; refusing to load names the cause.
 */
void
_PG_init(void)
{
	uint32		loaded = rtn_version_number();

	if (loaded / 10000 != RTN_VERSION_MAJOR || loaded < RTN_VERSION_NUMBER)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("retention: the loaded libretention %s does not match the %s this extension was built against",
						rtn_version_string(), RTN_VERSION_STRING)));
}

/* ---- errors --------------------------------------------------------------------------------- */

/* "RTN_EDOMAIN" for RTN_EDOMAIN: the list in core.h is public, so the names cannot drift. */
static const char *
status_name(int rc)
{
	switch (rc)
	{
#define STATUS_NAME_(name, value, message) case name: return #name;
			RTN_STATUS_LIST(STATUS_NAME_)
#undef STATUS_NAME_
	}
	return "RTN_E?";
}

/* The SQLSTATE a status maps to: bad values are data exceptions, bad states binary ones. */
static int
status_sqlstate(int rc)
{
	switch (rc)
	{
		case RTN_EDOMAIN:
		case RTN_EOVERFLOW:
			return ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
		case RTN_EINVAL:
			return ERRCODE_INVALID_PARAMETER_VALUE;
		case RTN_EUNDEFINED:
			return ERRCODE_DATA_EXCEPTION;
		case RTN_ENOMEM:
			return ERRCODE_OUT_OF_MEMORY;
		case RTN_ECORRUPT:
		case RTN_EVERSION:
			return ERRCODE_INVALID_BINARY_REPRESENTATION;
		default:
			return ERRCODE_INTERNAL_ERROR;
	}
}

/* Raises the error of library status rc (not RTN_OK) met by `what`; detail may be NULL. */
static void
raise_status(int rc, const char *what, const char *detail)
{
	ereport(ERROR,
			(errcode(status_sqlstate(rc)),
			 errmsg("%s: %s: %s", what, status_name(rc), rtn_strerror(rc)),
			 detail ? errdetail_internal("%s", detail) : 0));
}

static void
check(int rc, const char *what)
{
	if (rc != RTN_OK)
		raise_status(rc, what, NULL);
}

/* ---- memory --------------------------------------------------------------------------------- */

/* NULL on failure, never an error: the library must see RTN_ENOMEM, not a longjmp. */
static void *
pg_alloc(void *opaque, size_t size)
{
	if (size > MaxAllocHugeSize)
		return NULL;
	return MemoryContextAllocExtended((MemoryContext) opaque, size,
									  MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
}

static void
pg_free(void *opaque, void *ptr)
{
	(void) opaque;
	pfree(ptr);
}

static rtn_allocator
allocator_in(MemoryContext cxt)
{
	rtn_allocator a;

	a.alloc = pg_alloc;
	a.free = pg_free;
	a.opaque = cxt;
	return a;
}

static MemoryContext
aggregate_context(FunctionCallInfo fcinfo, const char *what)
{
	MemoryContext cxt;

	if (!AggCheckCallContext(fcinfo, &cxt))
		elog(ERROR, "%s called in non-aggregate context", what);
	return cxt;
}

/* A bytea of len bytes to serialise into; a varlena holds at most 1 GB. */
static bytea *
new_bytea(size_t len, const char *what)
{
	bytea	   *out;

	if (len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: a state of %zu bytes does not fit a bytea (1 GB)", what, len)));
	out = (bytea *) palloc(VARHDRSZ + len);
	SET_VARSIZE(out, VARHDRSZ + len);
	return out;
}

static int64
count_out(uint64 n, const char *what)
{
	if (n > (uint64) PG_INT64_MAX)
		raise_status(RTN_EOVERFLOW, what, "a count does not fit a bigint");
	return (int64) n;
}

/* Unix seconds of a finite timestamptz, rounded down; the library checks the range. */
static int64
unix_seconds(TimestampTz t)
{
	int64		s = t / USECS_PER_SEC;

	if (t % USECS_PER_SEC < 0)
		--s;
	return s + PG_EPOCH_UNIX;
}

static TimestampTz
from_unix_seconds(int64 s)
{
	return (TimestampTz) (s - PG_EPOCH_UNIX) * USECS_PER_SEC;
}

/* NaN is how the library says "undefined" (censored cells, bounds where S = 0): SQL's NULL. */
static Datum
float_or_null(double v, bool *isnull)
{
	*isnull = isnan(v);
	return Float8GetDatum(v);
}

/* A row of the function's composite result type. */
static Datum
make_row(FunctionCallInfo fcinfo, Datum *values, bool *nulls)
{
	TupleDesc	desc;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	desc = BlessTupleDesc(desc);
	return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
}

/* Sets up a set-returning function's rows (materialise mode) and returns their store. */
static Tuplestorestate *
begin_rows(FunctionCallInfo fcinfo, TupleDesc *desc)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext old;
	Tuplestorestate *store;
	TupleDesc	tupdesc;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	*desc = CreateTupleDescCopy(tupdesc);
	store = tuplestore_begin_heap((rsinfo->allowedModes & SFRM_Materialize_Random) != 0,
								  false, work_mem);
	MemoryContextSwitchTo(old);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = store;
	rsinfo->setDesc = *desc;
	return store;
}

/* ---- scores: nps, csat, ces ----------------------------------------------------------------- */

/*
 * The library's mergeable state of a survey score is the histogram of counts per score value
 * (scores.h). The scale is fixed by the first row; CSAT's top box travels with it because a
 * final function sees the state only.
 */
typedef struct ScoreState
{
	int32		scale_min;
	int32		scale_max;
	int32		satisfied_min;	/* CSAT's lowest satisfied score; -1 for NPS and CES */
	int32		len;			/* scale_max - scale_min + 1 counts follow */
	uint64		hist[FLEXIBLE_ARRAY_MEMBER];
} ScoreState;

#define SCORE_HEADER offsetof(ScoreState, hist)

/* The histogram length of a scale, as the library decides it, or -1 for an impossible one. */
static int32
scale_len(int32 scale_min, int32 scale_max)
{
	size_t		len = 0;

	if (scale_min < 0 || scale_max < 0 ||
		rtn_scores_hist_len((uint32) scale_min, (uint32) scale_max, &len) != RTN_OK)
		return -1;
	return (int32) len;
}

static int32
int_arg(FunctionCallInfo fcinfo, int i, const char *what)
{
	if (PG_ARGISNULL(i))
		raise_status(RTN_EINVAL, what, "the scale arguments must not be NULL");
	return PG_GETARG_INT32(i);
}

/* Adds the score in argument 1 (NULL: no response, skipped as avg() skips NULLs). */
static Datum
score_trans(FunctionCallInfo fcinfo, const char *what, int32 scale_min, int32 scale_max,
			int32 satisfied_min)
{
	MemoryContext aggcxt = aggregate_context(fcinfo, what);
	ScoreState *st = PG_ARGISNULL(0) ? NULL : (ScoreState *) PG_GETARG_POINTER(0);

	if (!PG_ARGISNULL(1))
	{
		int32		score = PG_GETARG_INT32(1);
		uint8		byte;
		int			rc;

		if (st == NULL)
		{
			int32		len = scale_len(scale_min, scale_max);

			if (len < 0)
				raise_status(RTN_EINVAL, what,
							 psprintf("the scale %d to %d is impossible (0 <= min < max <= 255 is needed)",
									  scale_min, scale_max));
			st = (ScoreState *) MemoryContextAllocZero(aggcxt, SCORE_HEADER + len * sizeof(uint64));
			st->scale_min = scale_min;
			st->scale_max = scale_max;
			st->satisfied_min = satisfied_min;
			st->len = len;
		}
		else if (st->scale_min != scale_min || st->scale_max != scale_max ||
				 st->satisfied_min != satisfied_min)
			raise_status(RTN_EINVAL, what, "the scale changed between rows of one aggregate");
		/* the library counts uint8 scores: one that no uint8 holds is off every scale */
		rc = RTN_EDOMAIN;
		if (score >= 0 && score <= 255)
		{
			byte = (uint8) score;
			rc = rtn_scores_count(&byte, 1, (uint32) scale_min, (uint32) scale_max, st->hist,
								  NULL);
		}
		if (rc != RTN_OK)
			raise_status(rc, what, rc != RTN_EDOMAIN ? NULL
						 : psprintf("score %d is outside the scale %d to %d", score, scale_min,
									scale_max));
	}
	if (st == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(retention_nps_trans);
Datum
retention_nps_trans(PG_FUNCTION_ARGS)
{
	return score_trans(fcinfo, "nps", 0, 10, -1);
}

/*
 * csat(score) is top-2 box on 1-5; csat(score, scale_min, scale_max, satisfied_min). The top box
 * is checked here, at the first row, rather than by rtn_csat_score() after the whole scan.
 */
PG_FUNCTION_INFO_V1(retention_csat_trans);
Datum
retention_csat_trans(PG_FUNCTION_ARGS)
{
	if (PG_NARGS() == 5 && !PG_ARGISNULL(1))
	{
		int32		lo = int_arg(fcinfo, 2, "csat"),
					hi = int_arg(fcinfo, 3, "csat"),
					top = int_arg(fcinfo, 4, "csat");

		if (scale_len(lo, hi) > 0 && (top < lo || top > hi))
			raise_status(RTN_EINVAL, "csat",
						 psprintf("satisfied_min %d is off the scale %d to %d", top, lo, hi));
		return score_trans(fcinfo, "csat", lo, hi, top);
	}
	return score_trans(fcinfo, "csat", 1, 5, 4);
}

/* ces(score) is on 1-7; ces(score, scale_min, scale_max). */
PG_FUNCTION_INFO_V1(retention_ces_trans);
Datum
retention_ces_trans(PG_FUNCTION_ARGS)
{
	if (PG_NARGS() == 4 && !PG_ARGISNULL(1))
		return score_trans(fcinfo, "ces", int_arg(fcinfo, 2, "ces"), int_arg(fcinfo, 3, "ces"),
						   -1);
	return score_trans(fcinfo, "ces", 1, 7, -1);
}

/* Partial histograms add element-wise (scores.h): the merge of the library's state. */
PG_FUNCTION_INFO_V1(retention_scores_combine);
Datum
retention_scores_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = aggregate_context(fcinfo, "retention_scores_combine");
	ScoreState *into = PG_ARGISNULL(0) ? NULL : (ScoreState *) PG_GETARG_POINTER(0);
	ScoreState *from = PG_ARGISNULL(1) ? NULL : (ScoreState *) PG_GETARG_POINTER(1);
	int32		i;

	if (from == NULL)
	{
		if (into == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(into);
	}
	if (into == NULL)			/* the result must live in the aggregate's context */
	{
		into = (ScoreState *) MemoryContextAlloc(aggcxt, SCORE_HEADER + from->len * sizeof(uint64));
		memcpy(into, from, SCORE_HEADER + from->len * sizeof(uint64));
		PG_RETURN_POINTER(into);
	}
	if (into->scale_min != from->scale_min || into->scale_max != from->scale_max ||
		into->satisfied_min != from->satisfied_min)
		raise_status(RTN_EINVAL, "score aggregate", "partial states on different scales");
	for (i = 0; i < into->len; ++i)
	{
		if (into->hist[i] > PG_UINT64_MAX - from->hist[i])
			raise_status(RTN_EOVERFLOW, "score aggregate", NULL);
		into->hist[i] += from->hist[i];
	}
	PG_RETURN_POINTER(into);
}

/*
 * The histogram travels between the processes of one server only (the score aggregates return
 * results, never states), so it is the struct's bytes in native order.
 */
PG_FUNCTION_INFO_V1(retention_scores_serialize);
Datum
retention_scores_serialize(PG_FUNCTION_ARGS)
{
	ScoreState *st = (ScoreState *) PG_GETARG_POINTER(0);
	size_t		size = SCORE_HEADER + st->len * sizeof(uint64);
	bytea	   *out = new_bytea(size, "score aggregate");

	memcpy(VARDATA(out), st, size);
	PG_RETURN_BYTEA_P(out);
}

/* Checked as the library checks its own formats: a bad buffer is an error, never trusted. */
PG_FUNCTION_INFO_V1(retention_scores_deserialize);
Datum
retention_scores_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	size_t		size = VARSIZE_ANY_EXHDR(bytes);
	ScoreState	head;
	ScoreState *st;

	if (size < SCORE_HEADER)
		raise_status(RTN_ECORRUPT, "score aggregate", "truncated state");
	memcpy(&head, VARDATA_ANY(bytes), SCORE_HEADER);
	if (head.len != scale_len(head.scale_min, head.scale_max) ||
		size != SCORE_HEADER + (size_t) head.len * sizeof(uint64) ||
		(head.satisfied_min != -1 &&
		 (head.satisfied_min < head.scale_min || head.satisfied_min > head.scale_max)))
		raise_status(RTN_ECORRUPT, "score aggregate", "inconsistent state");
	st = (ScoreState *) palloc(size);
	memcpy(st, VARDATA_ANY(bytes), size);
	PG_RETURN_POINTER(st);
}

static uint64
hist_total(const ScoreState *st, int32 from, const char *what)
{
	uint64		n = 0;
	int32		i;

	for (i = from; i < st->len; ++i)
	{
		if (n > PG_UINT64_MAX - st->hist[i])
			raise_status(RTN_EOVERFLOW, what, NULL);
		n += st->hist[i];
	}
	return n;
}

/* NPS with the adjusted-Wald 95 % interval (the CLI's and the Python module's default). */
PG_FUNCTION_INFO_V1(retention_nps_final);
Datum
retention_nps_final(PG_FUNCTION_ARGS)
{
	ScoreState *st = (ScoreState *) PG_GETARG_POINTER(0);
	uint64		p,
				a,
				d;
	double		nps,
				se,
				lo,
				hi;
	Datum		v[8];
	bool		null[8] = {false};

	if (st->len != RTN_NPS_HIST_LEN)
		raise_status(RTN_EINVAL, "nps", "not an NPS state");
	check(rtn_nps_categories(st->hist, &p, &a, &d), "nps");
	check(rtn_nps_score(p, a, d, &nps, &se), "nps");
	check(rtn_nps_interval(p, a, d, RTN_NPS_ADJUSTED_WALD, 0.95, &lo, &hi), "nps");
	v[0] = Int64GetDatum(count_out(hist_total(st, 0, "nps"), "nps"));
	v[1] = Int64GetDatum(count_out(p, "nps"));
	v[2] = Int64GetDatum(count_out(a, "nps"));
	v[3] = Int64GetDatum(count_out(d, "nps"));
	v[4] = Float8GetDatum(nps);
	v[5] = Float8GetDatum(se);
	v[6] = Float8GetDatum(lo);
	v[7] = Float8GetDatum(hi);
	PG_RETURN_DATUM(make_row(fcinfo, v, null));
}

/* CSAT with its Wilson 95 % interval. */
PG_FUNCTION_INFO_V1(retention_csat_final);
Datum
retention_csat_final(PG_FUNCTION_ARGS)
{
	ScoreState *st = (ScoreState *) PG_GETARG_POINTER(0);
	uint32		lo_s = (uint32) st->scale_min,
				hi_s = (uint32) st->scale_max,
				top = (uint32) st->satisfied_min;
	double		csat,
				se,
				lo,
				hi;
	Datum		v[6];
	bool		null[6] = {false};

	if (st->satisfied_min < 0)
		raise_status(RTN_EINVAL, "csat", "not a CSAT state");
	check(rtn_csat_score(st->hist, lo_s, hi_s, top, &csat, &se), "csat");
	check(rtn_csat_interval(st->hist, lo_s, hi_s, top, 0.95, &lo, &hi), "csat");
	v[0] = Int64GetDatum(count_out(hist_total(st, 0, "csat"), "csat"));
	v[1] = Int64GetDatum(count_out(hist_total(st, st->satisfied_min - st->scale_min, "csat"), "csat"));
	v[2] = Float8GetDatum(csat);
	v[3] = Float8GetDatum(se);
	v[4] = Float8GetDatum(lo);
	v[5] = Float8GetDatum(hi);
	PG_RETURN_DATUM(make_row(fcinfo, v, null));
}

/* CES: the mean score; its standard error needs two responses (NULL below). */
PG_FUNCTION_INFO_V1(retention_ces_final);
Datum
retention_ces_final(PG_FUNCTION_ARGS)
{
	ScoreState *st = (ScoreState *) PG_GETARG_POINTER(0);
	uint64		n = hist_total(st, 0, "ces");
	double		mean,
				se = 0;
	Datum		v[3];
	bool		null[3] = {false};

	check(rtn_ces_score(st->hist, (uint32) st->scale_min, (uint32) st->scale_max, &mean,
						n >= 2 ? &se : NULL), "ces");
	v[0] = Int64GetDatum(count_out(n, "ces"));
	v[1] = Float8GetDatum(mean);
	v[2] = Float8GetDatum(se);
	null[2] = n < 2;
	PG_RETURN_DATUM(make_row(fcinfo, v, null));
}

/* ---- cohort tables -------------------------------------------------------------------------- */

/* The builder plus the rows not yet handed to it (see COHORT_BATCH_MIN). */
typedef struct CohortState
{
	rtn_cohort_builder *builder;
	MemoryContext cxt;			/* where the state and its buffers live */
	int32		unit;			/* the calendar, fixed by the first row */
	int64		seconds;		/* the length of RTN_PERIOD_SECONDS periods, else 0 */
	uint64		added;			/* rows handed to the builder so far */
	Size		pending;		/* rows buffered */
	Size		capacity;		/* of each buffer */
	int64	   *customer;
	int64	   *time;
	double	   *amount;
} CohortState;

static CohortState *
cohort_state_new(MemoryContext cxt, int32 unit, int64 seconds)
{
	CohortState *st = (CohortState *) MemoryContextAllocZero(cxt, sizeof(CohortState));
	rtn_allocator a = allocator_in(cxt);

	st->cxt = cxt;
	st->unit = unit;
	st->seconds = seconds;
	check(rtn_cohort_builder_create(&st->builder, &a), "cohort_state");
	check(rtn_cohort_builder_set(st->builder, RTN_COHORT_PERIOD_UNIT, unit), "cohort_state");
	if (unit == RTN_PERIOD_SECONDS)
		check(rtn_cohort_builder_set(st->builder, RTN_COHORT_PERIOD_SECONDS, seconds),
			  "cohort_state");
	return st;
}

/* Names the event the library rejected (RTN_EDOMAIN's bad_index). */
static char *
bad_event(const CohortState *st, size_t i)
{
	if (st->time[i] < RTN_TIME_MIN || st->time[i] > RTN_TIME_MAX)
		return psprintf("customer " INT64_FORMAT ": the time %s is outside 0001-01-01 to 9999-12-31 UTC",
						st->customer[i], timestamptz_to_str(from_unix_seconds(st->time[i])));
	return psprintf("customer " INT64_FORMAT ": the amount %g is not finite", st->customer[i],
					st->amount[i]);
}

static void
cohort_flush(CohortState *st)
{
	size_t		bad = 0;
	int			rc;

	if (st->pending == 0)
		return;
	rc = rtn_cohort_builder_add(st->builder, st->customer, st->time, st->amount, st->pending,
								&bad);
	if (rc != RTN_OK)
		raise_status(rc, "cohort_state", rc == RTN_EDOMAIN ? bad_event(st, bad) : NULL);
	st->added += st->pending;
	st->pending = 0;
}

/* day, week, month, quarter, or a whole number of seconds. */
static void
parse_period(text *t, int32 *unit, int64 *seconds)
{
	static const char *const names[] = {"day", "week", "month", "quarter"};
	static const int32 units[] = {RTN_PERIOD_DAY, RTN_PERIOD_WEEK, RTN_PERIOD_MONTH,
	RTN_PERIOD_QUARTER};
	char	   *s = text_to_cstring(t);
	char	   *end = NULL;
	long long	n;
	int			i;

	*seconds = 0;
	for (i = 0; i < 4; ++i)
		if (pg_strcasecmp(s, names[i]) == 0)
		{
			*unit = units[i];
			return;
		}
	n = s[0] >= '0' && s[0] <= '9' ? strtoll(s, &end, 10) : 0;
	if (end == NULL || *end != '\0' || n <= 0)
		raise_status(RTN_EINVAL, "cohort_state",
					 psprintf("the period \"%s\" is not day, week, month, quarter or a number of seconds", s));
	*unit = RTN_PERIOD_SECONDS;
	*seconds = (int64) n;
}

/*
 * cohort_state(customer, at [, amount [, period]]). A row without a customer or a time cannot
 * be placed in a cohort and is skipped; a NULL amount is activity without revenue.
 */
PG_FUNCTION_INFO_V1(retention_cohort_trans);
Datum
retention_cohort_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = aggregate_context(fcinfo, "cohort_state");
	CohortState *st = PG_ARGISNULL(0) ? NULL : (CohortState *) PG_GETARG_POINTER(0);
	int32		unit = RTN_PERIOD_MONTH;
	int64		seconds = 0;
	TimestampTz at;
	Size		batch;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (st == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st);
	}
	if (PG_NARGS() > 4)
	{
		if (PG_ARGISNULL(4))
			raise_status(RTN_EINVAL, "cohort_state", "the period must not be NULL");
		parse_period(PG_GETARG_TEXT_PP(4), &unit, &seconds);
	}
	if (st == NULL)
		st = cohort_state_new(aggcxt, unit, seconds);
	else if (st->unit != unit || st->seconds != seconds)
		raise_status(RTN_EINVAL, "cohort_state", "the period changed between rows of one aggregate");
	at = PG_GETARG_TIMESTAMPTZ(2);
	if (TIMESTAMP_NOT_FINITE(at))
		raise_status(RTN_EDOMAIN, "cohort_state",
					 psprintf("customer " INT64_FORMAT ": the time %s is outside 0001-01-01 to 9999-12-31 UTC",
							  PG_GETARG_INT64(1), timestamptz_to_str(at)));

	batch = Min(Max((Size) st->added, COHORT_BATCH_MIN), COHORT_BATCH_MAX);
	if (st->pending >= batch)
		cohort_flush(st);
	if (st->pending == st->capacity)
	{
		Size		cap = st->capacity == 0 ? COHORT_BUFFER_START : Min(2 * st->capacity, COHORT_BATCH_MAX);

		if (st->capacity == 0)
		{
			st->customer = (int64 *) MemoryContextAlloc(st->cxt, cap * sizeof(int64));
			st->time = (int64 *) MemoryContextAlloc(st->cxt, cap * sizeof(int64));
			st->amount = (double *) MemoryContextAlloc(st->cxt, cap * sizeof(double));
		}
		else
		{
			st->customer = (int64 *) repalloc(st->customer, cap * sizeof(int64));
			st->time = (int64 *) repalloc(st->time, cap * sizeof(int64));
			st->amount = (double *) repalloc(st->amount, cap * sizeof(double));
		}
		st->capacity = cap;
	}
	st->customer[st->pending] = PG_GETARG_INT64(1);
	st->time[st->pending] = unix_seconds(at);
	st->amount[st->pending] = PG_NARGS() > 3 && !PG_ARGISNULL(3) ? PG_GETARG_FLOAT8(3) : 0.0;
	st->pending++;
	PG_RETURN_POINTER(st);
}

/*
 * The library's merge. The incoming state is flushed first: PostgreSQL may combine states
 * that were never serialised (partitionwise aggregation), and those can hold buffered rows.
 */
PG_FUNCTION_INFO_V1(retention_cohort_combine);
Datum
retention_cohort_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = aggregate_context(fcinfo, "cohort_state");
	CohortState *into = PG_ARGISNULL(0) ? NULL : (CohortState *) PG_GETARG_POINTER(0);
	CohortState *from = PG_ARGISNULL(1) ? NULL : (CohortState *) PG_GETARG_POINTER(1);

	if (from == NULL)
	{
		if (into == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(into);
	}
	cohort_flush(from);
	if (into == NULL)			/* the result must live in the aggregate's context */
		into = cohort_state_new(aggcxt, from->unit, from->seconds);
	/*
	 * The library would let a builder without data adopt the other's calendar, but rows
	 * pending here were read with this one: refuse rather than re-bucket them silently.
	 */
	else if (into->unit != from->unit || into->seconds != from->seconds)
		raise_status(RTN_EINVAL, "cohort_state", "partial states with different periods");
	check(rtn_cohort_builder_merge(into->builder, from->builder), "cohort_state");
	PG_RETURN_POINTER(into);
}

/* The serial function and the final function: the library's versioned bytes of the state. */
PG_FUNCTION_INFO_V1(retention_cohort_serialize);
Datum
retention_cohort_serialize(PG_FUNCTION_ARGS)
{
	CohortState *st = (CohortState *) PG_GETARG_POINTER(0);
	size_t		len = 0;
	bytea	   *out;
	int			rc;

	cohort_flush(st);
	rc = rtn_cohort_builder_serialize(st->builder, NULL, 0, &len);
	if (rc != RTN_EBUFSIZE && rc != RTN_OK)
		raise_status(rc, "cohort_state", NULL);
	out = new_bytea(len, "cohort_state");
	check(rtn_cohort_builder_serialize(st->builder, (uint8_t *) VARDATA(out), len, &len),
		  "cohort_state");
	PG_RETURN_BYTEA_P(out);
}

static rtn_cohort_builder *
cohort_from_bytes(bytea *bytes, MemoryContext cxt, const char *what)
{
	rtn_cohort_builder *b = NULL;
	rtn_allocator a = allocator_in(cxt);

	check(rtn_cohort_builder_deserialize(&b, (const uint8_t *) VARDATA_ANY(bytes),
										 VARSIZE_ANY_EXHDR(bytes), &a), what);
	return b;
}

PG_FUNCTION_INFO_V1(retention_cohort_deserialize);
Datum
retention_cohort_deserialize(PG_FUNCTION_ARGS)
{
	CohortState *st = (CohortState *) palloc0(sizeof(CohortState));
	int64		unit = 0;

	st->cxt = CurrentMemoryContext;
	st->builder = cohort_from_bytes(PG_GETARG_BYTEA_PP(0), st->cxt, "cohort_state");
	check(rtn_cohort_builder_get(st->builder, RTN_COHORT_PERIOD_UNIT, &unit), "cohort_state");
	st->unit = (int32) unit;
	if (st->unit == RTN_PERIOD_SECONDS)
		check(rtn_cohort_builder_get(st->builder, RTN_COHORT_PERIOD_SECONDS, &st->seconds),
			  "cohort_state");
	PG_RETURN_POINTER(st);
}

static const char *const cell_status[] = {"complete", "partial", "censored"};

/*
 * cohort_table(state, kind, observation_end, max_periods): one row per cell of the table of a
 * cohort_state() value (or of any rtn_cohort_builder_serialize() bytes), cohort by cohort.
 * NULL options take the library's defaults; NaN cells are NULL.
 */
PG_FUNCTION_INFO_V1(retention_cohort_table);
Datum
retention_cohort_table(PG_FUNCTION_ARGS)
{
	const char *what = "cohort_table";
	TupleDesc	desc;
	Tuplestorestate *store = begin_rows(fcinfo, &desc);
	MemoryContext cxt,
				old;
	rtn_cohort_builder *b;
	rtn_cohort_table *t = NULL;
	size_t		rows,
				cols,
				r,
				k;
	int64	   *start;
	uint64	   *size,
			   *active;
	double	   *retention,
			   *revenue,
			   *revenue_retention;
	uint8	   *status;
	int			rc;

	if (PG_ARGISNULL(0))
		return (Datum) 0;
	/* a context of its own, so that the builder and the table go as soon as the rows are out */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "retention cohort_table", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	b = cohort_from_bytes(PG_GETARG_BYTEA_PP(0), cxt, what);
	if (!PG_ARGISNULL(1))
	{
		char	   *kind = text_to_cstring(PG_GETARG_TEXT_PP(1));

		if (strcmp(kind, "on") == 0)
			check(rtn_cohort_builder_set(b, RTN_COHORT_KIND, RTN_COHORT_RETURN_ON), what);
		else if (strcmp(kind, "on-or-after") == 0)
			check(rtn_cohort_builder_set(b, RTN_COHORT_KIND, RTN_COHORT_RETURN_ON_OR_AFTER), what);
		else
			raise_status(RTN_EINVAL, what,
						 psprintf("the kind \"%s\" is not \"on\" or \"on-or-after\"", kind));
	}
	if (!PG_ARGISNULL(2))
	{
		TimestampTz end = PG_GETARG_TIMESTAMPTZ(2);

		if (TIMESTAMP_NOT_FINITE(end))
			raise_status(RTN_EINVAL, what, "the observation end must be finite");
		check(rtn_cohort_builder_set(b, RTN_COHORT_OBSERVATION_END, unix_seconds(end)), what);
	}
	if (!PG_ARGISNULL(3))
		check(rtn_cohort_builder_set(b, RTN_COHORT_MAX_PERIODS, PG_GETARG_INT32(3)), what);
	rc = rtn_cohort_builder_finish(b, &t);
	if (rc != RTN_OK)
		raise_status(rc, what, rc != RTN_ENOMEM ? NULL
					 : "tables are limited to 2^22 cells: if the table is that large, set max_periods or a longer period");
	check(rtn_cohort_table_dims(t, &rows, &cols), what);
	start = (int64 *) palloc_extended(rows * sizeof(int64), MCXT_ALLOC_HUGE);
	size = (uint64 *) palloc_extended(rows * sizeof(uint64), MCXT_ALLOC_HUGE);
	active = (uint64 *) palloc_extended(rows * cols * sizeof(uint64), MCXT_ALLOC_HUGE);
	retention = (double *) palloc_extended(rows * cols * sizeof(double), MCXT_ALLOC_HUGE);
	revenue = (double *) palloc_extended(rows * cols * sizeof(double), MCXT_ALLOC_HUGE);
	revenue_retention = (double *) palloc_extended(rows * cols * sizeof(double), MCXT_ALLOC_HUGE);
	status = (uint8 *) palloc_extended(rows * cols, MCXT_ALLOC_HUGE);
	check(rtn_cohort_table_cohorts(t, NULL, start, size, rows), what);
	check(rtn_cohort_table_active(t, active, rows * cols), what);
	check(rtn_cohort_table_retention(t, retention, rows * cols), what);
	check(rtn_cohort_table_revenue(t, revenue, rows * cols), what);
	check(rtn_cohort_table_revenue_retention(t, revenue_retention, rows * cols), what);
	check(rtn_cohort_table_status(t, status, rows * cols), what);
	for (r = 0; r < rows; ++r)
		for (k = 0; k < cols; ++k)
		{
			size_t		i = r * cols + k;
			Datum		v[8];
			bool		null[8] = {false};

			v[0] = TimestampTzGetDatum(from_unix_seconds(start[r]));
			v[1] = Int64GetDatum(count_out(size[r], what));
			v[2] = Int32GetDatum((int32) k);
			v[3] = Int64GetDatum(count_out(active[i], what));
			null[3] = status[i] == RTN_CELL_CENSORED; /* never 0 where nothing was observable */
			v[4] = float_or_null(retention[i], &null[4]);
			v[5] = float_or_null(revenue[i], &null[5]);
			v[6] = float_or_null(revenue_retention[i], &null[6]);
			v[7] = CStringGetTextDatum(status[i] < 3 ? cell_status[status[i]] : "unknown");
			tuplestore_putvalues(store, desc, v, null);
		}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);	/* the builder and the table with it */
	return (Datum) 0;
}

/* ---- Kaplan-Meier --------------------------------------------------------------------------- */

/*
 * The state is the library's builder itself: one hash update per subject (survival.h), so rows
 * go in one at a time and a bad one is reported as it arrives.
 */
PG_FUNCTION_INFO_V1(retention_km_trans);
Datum
retention_km_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = aggregate_context(fcinfo, "km_state");
	rtn_km_builder *b = PG_ARGISNULL(0) ? NULL : (rtn_km_builder *) PG_GETARG_POINTER(0);

	/* a subject without a duration or an event flag is unknown: skipped */
	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
	{
		double		duration = PG_GETARG_FLOAT8(1);
		uint8_t		event = PG_GETARG_BOOL(2) ? 1 : 0;
		int			rc;

		if (b == NULL)
		{
			rtn_allocator a = allocator_in(aggcxt);

			check(rtn_km_builder_create(&b, &a), "km_state");
		}
		rc = rtn_km_builder_add(b, &duration, &event, NULL, NULL, 1, NULL);
		if (rc != RTN_OK)
			raise_status(rc, "km_state", rc != RTN_EDOMAIN ? NULL
						 : psprintf("the duration %g is negative, NaN or infinite", duration));
	}
	if (b == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(b);
}

PG_FUNCTION_INFO_V1(retention_km_combine);
Datum
retention_km_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = aggregate_context(fcinfo, "km_state");
	rtn_km_builder *into = PG_ARGISNULL(0) ? NULL : (rtn_km_builder *) PG_GETARG_POINTER(0);
	rtn_km_builder *from = PG_ARGISNULL(1) ? NULL : (rtn_km_builder *) PG_GETARG_POINTER(1);

	if (from == NULL)
	{
		if (into == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(into);
	}
	if (into == NULL)			/* the result must live in the aggregate's context */
	{
		rtn_allocator a = allocator_in(aggcxt);

		check(rtn_km_builder_create(&into, &a), "km_state");
	}
	check(rtn_km_builder_merge(into, from), "km_state");
	PG_RETURN_POINTER(into);
}

/* The serial function and the final function: the library's versioned bytes of the builder. */
PG_FUNCTION_INFO_V1(retention_km_serialize);
Datum
retention_km_serialize(PG_FUNCTION_ARGS)
{
	rtn_km_builder *b = (rtn_km_builder *) PG_GETARG_POINTER(0);
	size_t		len = 0;
	bytea	   *out;
	int			rc;

	rc = rtn_km_builder_serialize(b, NULL, 0, &len);
	if (rc != RTN_EBUFSIZE && rc != RTN_OK)
		raise_status(rc, "km_state", NULL);
	out = new_bytea(len, "km_state");
	check(rtn_km_builder_serialize(b, (uint8_t *) VARDATA(out), len, &len), "km_state");
	PG_RETURN_BYTEA_P(out);
}

static rtn_km_builder *
km_from_bytes(bytea *bytes, MemoryContext cxt, const char *what)
{
	rtn_km_builder *b = NULL;
	rtn_allocator a = allocator_in(cxt);

	check(rtn_km_builder_deserialize(&b, (const uint8_t *) VARDATA_ANY(bytes),
									 VARSIZE_ANY_EXHDR(bytes), &a), what);
	return b;
}

PG_FUNCTION_INFO_V1(retention_km_deserialize);
Datum
retention_km_deserialize(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(km_from_bytes(PG_GETARG_BYTEA_PP(0), CurrentMemoryContext, "km_state"));
}

/*
 * kaplan_meier(state, conf_level, conf_type): the curve of a km_state() value (or of any
 * rtn_km_builder_serialize() bytes), one row per distinct time at which subjects leave.
 */
PG_FUNCTION_INFO_V1(retention_kaplan_meier);
Datum
retention_kaplan_meier(PG_FUNCTION_ARGS)
{
	static const int32 columns[] = {RTN_KM_TIME, RTN_KM_AT_RISK, RTN_KM_EVENTS, RTN_KM_CENSORED,
	RTN_KM_SURVIVAL, RTN_KM_STD_ERR, RTN_KM_LOWER, RTN_KM_UPPER};
	const char *what = "kaplan_meier";
	TupleDesc	desc;
	Tuplestorestate *store = begin_rows(fcinfo, &desc);
	MemoryContext cxt,
				old;
	rtn_km_builder *b;
	rtn_km *km = NULL;
	size_t		rows,
				r;
	double	   *col[8];
	int			c;

	if (PG_ARGISNULL(0))
		return (Datum) 0;
	cxt = AllocSetContextCreate(CurrentMemoryContext, "retention kaplan_meier", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	b = km_from_bytes(PG_GETARG_BYTEA_PP(0), cxt, what);
	if (!PG_ARGISNULL(1))
		check(rtn_km_builder_set(b, RTN_KM_CONF_LEVEL, PG_GETARG_FLOAT8(1)), what);
	if (!PG_ARGISNULL(2))
	{
		char	   *type = text_to_cstring(PG_GETARG_TEXT_PP(2));
		int32		code = strcmp(type, "log") == 0 ? RTN_CONF_LOG
			: strcmp(type, "log-log") == 0 ? RTN_CONF_LOG_LOG
			: strcmp(type, "plain") == 0 ? RTN_CONF_PLAIN : -1;

		if (code < 0)
			raise_status(RTN_EINVAL, what,
						 psprintf("the conf_type \"%s\" is not log, log-log or plain", type));
		check(rtn_km_builder_set(b, RTN_KM_CONF_TYPE, code), what);
	}
	check(rtn_km_builder_finish(b, &km), what);
	check(rtn_km_size(km, &rows), what);
	for (c = 0; c < 8; ++c)
	{
		col[c] = (double *) palloc_extended(rows * sizeof(double), MCXT_ALLOC_HUGE);
		check(rtn_km_column(km, columns[c], col[c], rows), what);
	}
	for (r = 0; r < rows; ++r)
	{
		Datum		v[8];
		bool		null[8];

		for (c = 0; c < 8; ++c)
			v[c] = float_or_null(col[c][r], &null[c]);
		tuplestore_putvalues(store, desc, v, null);
	}
	/* the builder and the curve were allocated in cxt (the builder's allocator) */
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(retention_library_version);
Datum
retention_library_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(rtn_version_string()));
}
