-- retention 1.0: customer retention metrics from libretention as parallel aggregates.
-- Every aggregate's transition state is the library's mergeable partial state; the combine,
-- serial and deserial functions are the library's merge, serialize and deserialize, so
-- PostgreSQL can run each of them as a parallel (partial) aggregate.

\echo Use "CREATE EXTENSION retention" to load this file. \quit

-- ---- survey scores: nps, csat, ces ------------------------------------------------------------

CREATE TYPE nps_result AS (
    n bigint, promoters bigint, passives bigint, detractors bigint,
    nps float8, std_error float8, ci_low float8, ci_high float8);
COMMENT ON TYPE nps_result IS
'n responses; promoters (9-10), passives (7-8), detractors (0-6); nps = 100 (promoters - detractors) / n in points; its standard error; the adjusted-Wald 95 % interval';

CREATE TYPE csat_result AS (
    n bigint, satisfied bigint, csat float8, std_error float8, ci_low float8, ci_high float8);
COMMENT ON TYPE csat_result IS
'n responses, satisfied of them (at or above satisfied_min), csat = satisfied / n as a share in [0, 1], its standard error, the Wilson 95 % interval';

CREATE TYPE ces_result AS (n bigint, mean float8, std_error float8);
COMMENT ON TYPE ces_result IS
'n responses, the mean score in scale units, its standard error s / sqrt(n) (NULL when n < 2)';

CREATE FUNCTION retention_nps_trans(internal, integer) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_csat_trans(internal, integer) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_csat_trans(internal, integer, integer, integer, integer) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_ces_trans(internal, integer) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_ces_trans(internal, integer, integer, integer) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_scores_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_scores_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION retention_scores_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION retention_nps_final(internal) RETURNS nps_result
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION retention_csat_final(internal) RETURNS csat_result
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION retention_ces_final(internal) RETURNS ces_result
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE nps(score integer) (
    SFUNC = retention_nps_trans, STYPE = internal, FINALFUNC = retention_nps_final,
    COMBINEFUNC = retention_scores_combine,
    SERIALFUNC = retention_scores_serialize, DESERIALFUNC = retention_scores_deserialize,
    PARALLEL = SAFE);
CREATE AGGREGATE csat(score integer) (
    SFUNC = retention_csat_trans, STYPE = internal, FINALFUNC = retention_csat_final,
    COMBINEFUNC = retention_scores_combine,
    SERIALFUNC = retention_scores_serialize, DESERIALFUNC = retention_scores_deserialize,
    PARALLEL = SAFE);
CREATE AGGREGATE csat(score integer, scale_min integer, scale_max integer, satisfied_min integer) (
    SFUNC = retention_csat_trans, STYPE = internal, FINALFUNC = retention_csat_final,
    COMBINEFUNC = retention_scores_combine,
    SERIALFUNC = retention_scores_serialize, DESERIALFUNC = retention_scores_deserialize,
    PARALLEL = SAFE);
CREATE AGGREGATE ces(score integer) (
    SFUNC = retention_ces_trans, STYPE = internal, FINALFUNC = retention_ces_final,
    COMBINEFUNC = retention_scores_combine,
    SERIALFUNC = retention_scores_serialize, DESERIALFUNC = retention_scores_deserialize,
    PARALLEL = SAFE);
CREATE AGGREGATE ces(score integer, scale_min integer, scale_max integer) (
    SFUNC = retention_ces_trans, STYPE = internal, FINALFUNC = retention_ces_final,
    COMBINEFUNC = retention_scores_combine,
    SERIALFUNC = retention_scores_serialize, DESERIALFUNC = retention_scores_deserialize,
    PARALLEL = SAFE);

COMMENT ON AGGREGATE nps(integer) IS
'Net Promoter Score of 0-10 scores (an nps_result). NULL scores are skipped; a score off 0-10 is an error (RTN_EDOMAIN); no responses give NULL, never 0';
COMMENT ON AGGREGATE csat(integer) IS
'Customer satisfaction on 1-5, satisfied = 4-5 (a csat_result). NULL scores are skipped; no responses give NULL';
COMMENT ON AGGREGATE csat(integer, integer, integer, integer) IS
'Customer satisfaction on the scale scale_min-scale_max (0 <= min < max <= 255), satisfied at or above satisfied_min (a csat_result); the scale must be the same on every row';
COMMENT ON AGGREGATE ces(integer) IS
'Customer effort score on 1-7: the mean score (a ces_result). NULL scores are skipped; no responses give NULL';
COMMENT ON AGGREGATE ces(integer, integer, integer) IS
'Customer effort score on the scale scale_min-scale_max (0 <= min < max <= 255) (a ces_result)';
COMMENT ON FUNCTION retention_nps_trans(internal, integer) IS 'nps() transition: counts a score into the histogram (rtn_scores_count)';
COMMENT ON FUNCTION retention_csat_trans(internal, integer) IS 'csat() transition: counts a score into the histogram';
COMMENT ON FUNCTION retention_csat_trans(internal, integer, integer, integer, integer) IS 'csat() transition on a given scale';
COMMENT ON FUNCTION retention_ces_trans(internal, integer) IS 'ces() transition: counts a score into the histogram';
COMMENT ON FUNCTION retention_ces_trans(internal, integer, integer, integer) IS 'ces() transition on a given scale';
COMMENT ON FUNCTION retention_scores_combine(internal, internal) IS 'Merges two score histograms of one scale: counts add';
COMMENT ON FUNCTION retention_scores_serialize(internal) IS 'A score histogram as bytes, to pass from a parallel worker to the leader';
COMMENT ON FUNCTION retention_scores_deserialize(bytea, internal) IS 'A score histogram from retention_scores_serialize bytes, validated';
COMMENT ON FUNCTION retention_nps_final(internal) IS 'nps() result: rtn_nps_categories, rtn_nps_score, rtn_nps_interval (adjusted Wald, 95 %)';
COMMENT ON FUNCTION retention_csat_final(internal) IS 'csat() result: rtn_csat_score, rtn_csat_interval (Wilson, 95 %)';
COMMENT ON FUNCTION retention_ces_final(internal) IS 'ces() result: rtn_ces_score';

-- ---- cohort tables ----------------------------------------------------------------------------

CREATE FUNCTION retention_cohort_trans(internal, bigint, timestamptz) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_cohort_trans(internal, bigint, timestamptz, float8) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_cohort_trans(internal, bigint, timestamptz, float8, text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_cohort_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_cohort_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION retention_cohort_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE cohort_state(customer bigint, at timestamptz) (
    SFUNC = retention_cohort_trans, STYPE = internal, FINALFUNC = retention_cohort_serialize,
    COMBINEFUNC = retention_cohort_combine,
    SERIALFUNC = retention_cohort_serialize, DESERIALFUNC = retention_cohort_deserialize,
    PARALLEL = SAFE);
CREATE AGGREGATE cohort_state(customer bigint, at timestamptz, amount float8) (
    SFUNC = retention_cohort_trans, STYPE = internal, FINALFUNC = retention_cohort_serialize,
    COMBINEFUNC = retention_cohort_combine,
    SERIALFUNC = retention_cohort_serialize, DESERIALFUNC = retention_cohort_deserialize,
    PARALLEL = SAFE);
CREATE AGGREGATE cohort_state(customer bigint, at timestamptz, amount float8, period text) (
    SFUNC = retention_cohort_trans, STYPE = internal, FINALFUNC = retention_cohort_serialize,
    COMBINEFUNC = retention_cohort_combine,
    SERIALFUNC = retention_cohort_serialize, DESERIALFUNC = retention_cohort_deserialize,
    PARALLEL = SAFE);

CREATE FUNCTION cohort_table(state bytea, kind text DEFAULT 'on',
                             observation_end timestamptz DEFAULT NULL,
                             max_periods integer DEFAULT NULL)
    RETURNS TABLE (cohort_start timestamptz, cohort_size bigint, period integer, active bigint,
                   retention float8, revenue float8, revenue_retention float8, status text)
    AS 'MODULE_PATHNAME', 'retention_cohort_table' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON AGGREGATE cohort_state(bigint, timestamptz) IS
'The cohort builder of events (customer active at a time), monthly UTC periods, as the library''s serialised state (bytea) for cohort_table(). Rows with a NULL customer or time are skipped';
COMMENT ON AGGREGATE cohort_state(bigint, timestamptz, float8) IS
'cohort_state() with revenue: amount is the event''s revenue (NULL: none, the event still counts)';
COMMENT ON AGGREGATE cohort_state(bigint, timestamptz, float8, text) IS
'cohort_state() with the period: day, week (ISO), month, quarter (UTC calendar) or a number of seconds; the same on every row';
COMMENT ON FUNCTION retention_cohort_trans(internal, bigint, timestamptz) IS 'cohort_state() transition: buffers an event (added to the builder in batches)';
COMMENT ON FUNCTION retention_cohort_trans(internal, bigint, timestamptz, float8) IS 'cohort_state() transition with an amount';
COMMENT ON FUNCTION retention_cohort_trans(internal, bigint, timestamptz, float8, text) IS 'cohort_state() transition with an amount and a period';
COMMENT ON FUNCTION retention_cohort_combine(internal, internal) IS 'Merges two cohort builders (rtn_cohort_builder_merge): exact for counts';
COMMENT ON FUNCTION retention_cohort_serialize(internal) IS 'A cohort builder as the library''s versioned bytes (rtn_cohort_builder_serialize); also cohort_state()''s result';
COMMENT ON FUNCTION retention_cohort_deserialize(bytea, internal) IS 'A cohort builder from its bytes (rtn_cohort_builder_deserialize, fully validated)';
COMMENT ON FUNCTION cohort_table(bytea, text, timestamptz, integer) IS
'The cohort table of a cohort_state() value, one row per cell: the cohort''s first instant and size, the period k after it, the distinct customers active then, retention = active / size, revenue and revenue / period-0 revenue, and the cell''s status (complete, partial or censored). Censored cells (not observable by the observation end) are NULL, never 0. kind: on (active in period k) or on-or-after (k or later); observation_end: default the latest event; max_periods: at most that many columns';

-- ---- Kaplan-Meier -----------------------------------------------------------------------------

CREATE FUNCTION retention_km_trans(internal, float8, boolean) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_km_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_km_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION retention_km_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE km_state(duration float8, event boolean) (
    SFUNC = retention_km_trans, STYPE = internal, FINALFUNC = retention_km_serialize,
    COMBINEFUNC = retention_km_combine,
    SERIALFUNC = retention_km_serialize, DESERIALFUNC = retention_km_deserialize,
    PARALLEL = SAFE);

CREATE FUNCTION kaplan_meier(state bytea, conf_level float8 DEFAULT 0.95, conf_type text DEFAULT 'log')
    RETURNS TABLE ("time" float8, at_risk float8, events float8, censored float8,
                   survival float8, std_err float8, lower float8, upper float8)
    AS 'MODULE_PATHNAME', 'retention_kaplan_meier' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON AGGREGATE km_state(float8, boolean) IS
'The Kaplan-Meier builder of subjects (duration >= 0 in any unit; event true = churned, false = still a customer), as the library''s serialised state (bytea) for kaplan_meier(). Rows with a NULL duration or event are skipped';
COMMENT ON FUNCTION retention_km_trans(internal, float8, boolean) IS 'km_state() transition: adds a subject (rtn_km_builder_add)';
COMMENT ON FUNCTION retention_km_combine(internal, internal) IS 'Merges two Kaplan-Meier builders (rtn_km_builder_merge): exact';
COMMENT ON FUNCTION retention_km_serialize(internal) IS 'A Kaplan-Meier builder as the library''s versioned bytes (rtn_km_builder_serialize); also km_state()''s result';
COMMENT ON FUNCTION retention_km_deserialize(bytea, internal) IS 'A Kaplan-Meier builder from its bytes (rtn_km_builder_deserialize, fully validated)';
COMMENT ON FUNCTION kaplan_meier(bytea, float8, text) IS
'The Kaplan-Meier curve of a km_state() value, one row per distinct time at which subjects leave: subjects at risk, events, censorings, survival S(t), its Greenwood standard error and confidence bounds (conf_type log (R''s default), log-log or plain, at conf_level); NULL where undefined (S = 0)';

-- ---- the library ------------------------------------------------------------------------------

CREATE FUNCTION retention_library_version() RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION retention_library_version() IS 'The version of the libretention the server loaded (rtn_version_string)';
