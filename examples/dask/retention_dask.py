#!/usr/bin/env python3
"""Cohort tables, Kaplan-Meier curves and a BG/NBD fit of a partitioned log on a Dask cluster.

Data flow (every arrow between processes carries bytes, never a live ctypes object)::

    events/part-*.csv ─read_csv─► partitions ─shuffle by customer─► P partitions
        │ per partition, on a worker: CohortBuilder(month) + CohortBuilder(day) ← add()
        │                             → to_bytes() ("RTNCOHRT" v1, FNV-1a checksummed)
        ▼
    partial state bytes ─merge_pair─► … (a binary tree: from_bytes, merge, to_bytes) ─► root bytes
        │ on the client: from_bytes()
        ▼
    month builder → CohortTable;   day builder → rfm_from_builder() → bgnbd_fit()

    survival.csv ─read_csv (blocksize)─► partitions ─► KMBuilder.add() → to_bytes ("RTNKMBLD")
        ─► tree of merges ─► KMBuilder.curve()

Why the result is bit-identical to one process: a builder is not a table but the exact
sufficient statistic of its rows — a CohortBuilder holds each customer's distinct active periods
with their revenue as an unevaluated double-double sum, a KMBuilder the counts per distinct time
(include/retention/cohort.h, survival.h; DESIGN.md "Mergeable state"). Merging adds counts and
unions sets, so the merge of the builders of *any* partition of the rows is the builder of all of
them, whatever the order of the merges; the serialised form is canonical (sorted, unique
entries), so the merged builder's to_bytes() equals, byte for byte, that of a builder fed all the
rows in one process, and everything computed from it (table, RFM summary, the deterministic
BG/NBD optimiser's fit) is identical too. Revenue is exact for amounts that add exactly in
double-double, e.g. cents. The shuffle by customer is not needed for exactness (run with
--no-shuffle to check): it keeps each customer's periods in one partial, so partial states do not
repeat customers and the tree of merges has less to ship.

Input rows with a missing customer_id, day or amount (an empty CSV field), or a missing duration
or event flag in survival.csv, are DROPPED, counted per column and reported ("dropped rows"): such
a row cannot be attributed to a customer, a period or a lifetime. Anything else that is invalid
raises: a non-integer id or day is a CSV parsing error (pandas ValueError); an infinite amount,
an event flag other than 0/1 or a negative duration is the library's RetentionError (EDOMAIN);
a day outside the library's time range is a ValueError.

A RetentionError raised on a worker (bad bytes, a bad value) reaches the client's
future.result() as itself (the module's RetentionError pickles with its code, function,
bad_index and detail); the detail names the shipped state that failed.

Run (the ctypes module and its library must be importable, also by the worker processes, which
inherit this process's environment; the program puts the paths it uses into it)::

    RETENTION_LIBRARY=build/dev/libretention.so PYTHONPATH=examples/python \\
        /usr/bin/python3 examples/dask/retention_dask.py --events 1000000 --customers 100000

Options: --data DIR (gen_events.py output: DIR/events.csv or DIR/events/*.csv, and
DIR/survival.csv), or --events N --customers M [--subjects K] to generate a log into a temporary
directory (with ../shared/peers/gen_events.py when it is found, else a built-in numpy generator of
the same model: --generator), --workers 1 2, --partitions P, --repeat R, --no-shuffle.
The timings are medians over R runs of each configuration after one warm-up run; task times
(add, to_bytes, …) are summed over all tasks, so with 2 workers they can exceed the wall time.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
try:
    import retention
except ImportError:  # run from a source tree without PYTHONPATH: the package next door
    sys.path.append(str(HERE.parent / "python"))
    import retention

import dask
import dask.dataframe as dd
from distributed import Client, LocalCluster, get_task_stream

from retention import CohortBuilder, KMBuilder, RetentionError

#: Day 0 of the log (gen_events.py writes days since the log start): 2023-01-01T00:00:00Z.
ORIGIN = 1_672_531_200
DAY = 86_400
# days whose times the library supports (retention.TIME_MIN … TIME_MAX), relative to ORIGIN
_DAY_MIN = -((ORIGIN - retention.TIME_MIN) // DAY)
_DAY_MAX = (retention.TIME_MAX - ORIGIN) // DAY

#: Columns and their parse types. Nullable Int64 keeps 64-bit ids exact and lets an empty field
#: be <NA> in any partition (a plain int64 column would turn float in some partitions only).
EVENT_DTYPES = {"customer_id": "Int64", "day": "Int64", "amount": "float64"}
SURVIVAL_DTYPES = {"duration": "float64", "event": "Int64"}

COHORT_PERIOD = "month"  # the cohort table's periods
RFM_PERIOD = "day"  # the BTYD summaries merge purchases per day …
RFM_PERIODS_PER_UNIT = 7.0  # … and measure t_x and T in weeks

#: What each named state is, to re-create it from its bytes.
STATE_TYPES = {"cohort": CohortBuilder, "rfm": CohortBuilder, "km": KMBuilder}

PEER_GENERATOR = "shared/peers/gen_events.py"


# ---- errors ---------------------------------------------------------------------------------------
def _in_context(context, function, *args):
    """function(*args), with a RetentionError re-raised with ``context`` added to its detail (it
    pickles, so it reaches the client's future.result() as a RetentionError with its code)."""
    try:
        return function(*args)
    except RetentionError as error:
        detail = "; ".join(d for d in (getattr(error, "detail", None), context) if d)
        raise type(error)(error.code, error.function, error.bad_index, detail) from None


# ---- what tasks hand to each other ----------------------------------------------------------------
@dataclass
class Shipped:
    """A task's output: named serialised builder states plus plain numbers (rows used, rows dropped
    per missing column, seconds per step, bytes serialised), all summed up the merge tree."""

    states: dict
    rows: int = 0
    dropped: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)
    state_bytes: int = 0  # bytes of every state a task handed on, this one's included
    payloads: int = 0

    def nbytes(self):
        return sum(len(data) for data in self.states.values())


def _add(a, b):
    out = dict(a)
    for key, value in b.items():
        out[key] = out.get(key, 0) + value
    return out


class _Clock:
    """Accumulates seconds per step name."""

    def __init__(self):
        self.seconds = {}

    def __call__(self, step, function, *args):
        start = time.perf_counter()
        try:
            return function(*args)
        finally:
            self.seconds[step] = self.seconds.get(step, 0.0) + time.perf_counter() - start


# ---- cleaning rows (the documented NULL/NaN rule: drop and count) ----------------------------------
def _drop_missing(frame, columns):
    """(frame without rows missing any of ``columns``, {column: rows missing it, "rows": rows
    dropped})."""
    missing = frame[list(columns)].isna()
    dropped = {column: int(missing[column].sum()) for column in columns}
    bad = missing.any(axis=1)
    dropped["rows"] = int(bad.sum())
    return (frame[~bad] if dropped["rows"] else frame), dropped


def clean_events(frame):
    """The columns of an event frame for the library: (customer int64, time int64 Unix seconds,
    amount float64, dropped counts). Rows missing a customer_id, day or amount are dropped."""
    frame, dropped = _drop_missing(frame, EVENT_DTYPES)
    customer = frame["customer_id"].to_numpy(dtype=np.int64)
    day = frame["day"].to_numpy(dtype=np.int64)
    if day.size and (day.min() < _DAY_MIN or day.max() > _DAY_MAX):
        bad = day[(day < _DAY_MIN) | (day > _DAY_MAX)][0]
        raise ValueError("day %d is outside the supported range [%d, %d]"
                         % (bad, _DAY_MIN, _DAY_MAX))
    time_ = ORIGIN + day * DAY  # cannot overflow within that range
    amount = frame["amount"].to_numpy(dtype=np.float64)
    return customer, time_, amount, dropped


def clean_subjects(frame):
    """(duration float64, event int64, dropped counts) of a survival frame; rows missing a
    duration or event flag are dropped."""
    frame, dropped = _drop_missing(frame, SURVIVAL_DTYPES)
    return (frame["duration"].to_numpy(dtype=np.float64),
            frame["event"].to_numpy(dtype=np.int64), dropped)


# ---- builders ---------------------------------------------------------------------------------------
def event_builders(customer, time_, amount, clock=None):
    """{"cohort": month CohortBuilder, "rfm": day CohortBuilder} fed with the events."""
    clock = clock or _Clock()
    builders = {"cohort": CohortBuilder(period=COHORT_PERIOD),
                "rfm": CohortBuilder(period=RFM_PERIOD)}
    for builder in builders.values():
        clock("add", builder.add, customer, time_, amount)
    return builders


def survival_builders(duration, event, clock=None):
    """{"km": KMBuilder} fed with the subjects."""
    clock = clock or _Clock()
    builder = KMBuilder()
    clock("add", builder.add, duration, event)
    return {"km": builder}


def _ship(builders, clock, rows, dropped):
    states = {}
    for name, builder in builders.items():
        states[name] = clock("to_bytes", builder.to_bytes)
        builder.close()
    shipped = Shipped(states, rows, dropped, clock.seconds)
    shipped.state_bytes, shipped.payloads = shipped.nbytes(), len(states)
    return shipped


def open_state(name, data):
    """The builder of state ``name`` re-created from its bytes (RetentionError ECORRUPT or
    EVERSION for bad bytes)."""
    return _in_context("shipped %r state of %d bytes" % (name, len(data)),
                     STATE_TYPES[name].from_bytes, data)


# ---- the tasks (run on the workers; module-level, so dask pickles them by reference) ---------------
def event_partial(frame):
    """Partial cohort states of one partition of the event log, as bytes."""
    clock = _Clock()
    customer, time_, amount, dropped = clock("clean", clean_events, frame)
    builders = _in_context("building an event partial", event_builders, customer, time_,
                           amount, clock)
    return _ship(builders, clock, customer.size, dropped)


def survival_partial(frame):
    """The partial Kaplan-Meier state of one partition of the subjects, as bytes."""
    clock = _Clock()
    duration, event, dropped = clock("clean", clean_subjects, frame)
    builders = _in_context("building a survival partial", survival_builders, duration,
                           event, clock)
    return _ship(builders, clock, duration.size, dropped)


def merge_pair(left, right):
    """The merge of two partial states: from_bytes both, merge, to_bytes."""
    clock = _Clock()
    states = {}
    for name, data in left.states.items():
        into = clock("from_bytes", open_state, name, data)
        other = clock("from_bytes", open_state, name, right.states[name])
        clock("merge", _in_context, "merging %r states" % name, into.merge, other)
        states[name] = clock("to_bytes", into.to_bytes)
        into.close()
        other.close()
    merged = Shipped(states, left.rows + right.rows, _add(left.dropped, right.dropped),
                     _add(_add(left.seconds, right.seconds), clock.seconds))
    merged.state_bytes = left.state_bytes + right.state_bytes + merged.nbytes()
    merged.payloads = left.payloads + right.payloads + len(states)
    return merged


def tree_merge(partials, prefix="retention-merge"):
    """One Delayed Shipped: the partials merged in pairs, level by level (log2 P levels, so the
    merges of a level run in parallel and no task holds more than two states)."""
    run = uuid.uuid4().hex[:12]  # fresh keys: a repeat run must not reuse a cached result
    level, depth = list(partials), 0
    while len(level) > 1:
        pairs = [dask.delayed(merge_pair, pure=False)(
            level[i], level[i + 1], dask_key_name="%s-%s-%d-%d" % (prefix, run, depth, i))
            for i in range(0, len(level) - 1, 2)]
        level = pairs + level[len(level) - len(level) % 2:]
        depth += 1
    return level[0]


# ---- reading ----------------------------------------------------------------------------------------
def event_source(data):
    """The event log of a data directory: the files of DIR/events/ if there are any (one
    partition each), else DIR/events.csv."""
    data = Path(data)
    parts = sorted((data / "events").glob("*.csv")) if (data / "events").is_dir() else []
    return [str(p) for p in parts] if parts else str(data / "events.csv")


def survival_source(data):
    return str(Path(data) / "survival.csv")


def read_dask(source, dtypes, partitions):
    """A dask DataFrame of a CSV file (cut into ``partitions`` byte ranges) or a list of files
    (one partition each)."""
    if isinstance(source, (list, tuple)):
        return dd.read_csv(list(source), dtype=dtypes, blocksize=None)
    size = os.path.getsize(source)
    return dd.read_csv(source, dtype=dtypes, blocksize=max(1024, -(-size // partitions)))


def read_pandas(source, dtypes):
    """The whole log in one pandas DataFrame (the single-process path)."""
    files = source if isinstance(source, (list, tuple)) else [source]
    frames = [pd.read_csv(f, dtype=dtypes) for f in files]
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def event_partials(source, partitions, shuffle=True):
    """Delayed Shipped partial states of the event log, one per partition (after the shuffle by
    customer, ``partitions`` of them)."""
    frame = read_dask(source, EVENT_DTYPES, partitions)
    if shuffle:
        frame = frame.shuffle("customer_id", npartitions=partitions, ignore_index=True)
    run = uuid.uuid4().hex[:12]
    return [dask.delayed(event_partial, pure=False)(
        part, dask_key_name="retention-partial-%s-%d" % (run, i))
        for i, part in enumerate(frame.to_delayed())]


def survival_partials(source, partitions):
    """Delayed Shipped partial Kaplan-Meier states, one per byte range of survival.csv (any split
    of the subjects merges exactly: no shuffle)."""
    frame = read_dask(source, SURVIVAL_DTYPES, partitions)
    run = uuid.uuid4().hex[:12]
    return [dask.delayed(survival_partial, pure=False)(
        part, dask_key_name="retention-partial-%s-%d" % (run, i))
        for i, part in enumerate(frame.to_delayed())]


# ---- results ----------------------------------------------------------------------------------------
TABLE_COLUMNS = ("cohort_period", "cohort_start", "size", "active", "retention", "revenue",
                 "revenue_retention", "status", "average", "average_weight")
KM_COLUMNS = ("time", "at_risk", "events", "censored", "survival", "std_err", "lower", "upper",
              "greenwood")
RFM_COLUMNS = ("customer", "x", "t_x", "T", "monetary", "x_holdout")
FIT_FIELDS = ("r", "alpha", "a", "b", "se_r", "se_alpha", "se_a", "se_b", "log_likelihood")


@dataclass
class Result:
    """A finished computation: the final builders' bytes, the arrays computed from them, and how
    it was computed (rows, dropped rows, seconds per step, bytes serialised)."""

    states: dict  # name -> bytes of the final (merged) builder
    arrays: dict  # "table.active", "km.survival", "rfm.x", … -> numpy array
    fit: object = None  # the BgNbdFit (events)
    rows: int = 0
    dropped: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)
    state_bytes: int = 0
    payloads: int = 0


def finish_events(states, clock=None):
    """Arrays and fit of the final event builders (live CohortBuilders): the cohort table's
    columns, the RFM summary up to the latest event (t_x, T in weeks) and its BG/NBD fit."""
    clock = clock or _Clock()
    table = clock("finish", states["cohort"].table)
    arrays = {"table." + c: np.array(getattr(table, c)) for c in TABLE_COLUMNS}
    table.close()
    rfm_builder = states["rfm"]
    rfm = clock("finish", retention.rfm_from_builder, rfm_builder, rfm_builder.observation_end,
                None, RFM_PERIODS_PER_UNIT)
    arrays.update({"rfm." + c: np.array(getattr(rfm, c)) for c in RFM_COLUMNS})
    fit = clock("fit", retention.bgnbd_fit, rfm.x, rfm.t_x, rfm.T)
    return arrays, fit


def finish_survival(states, clock=None):
    clock = clock or _Clock()
    curve = clock("finish", states["km"].curve)
    arrays = {"km." + c: np.array(getattr(curve, c)) for c in KM_COLUMNS}
    curve.close()
    return arrays, None


FINISH = {"events": finish_events, "survival": finish_survival}


def finish(kind, shipped):
    """The Result of a root Shipped, on the client: from_bytes, then table/curve/RFM/fit."""
    clock = _Clock()
    builders = {name: clock("from_bytes", open_state, name, data)
                for name, data in shipped.states.items()}
    arrays, fit = FINISH[kind](builders, clock)
    for builder in builders.values():
        builder.close()
    return Result(dict(shipped.states), arrays, fit, shipped.rows, dict(shipped.dropped),
                  _add(shipped.seconds, clock.seconds), shipped.state_bytes, shipped.payloads)


def single_process(kind, source):
    """The same computation in this process, without dask: all rows read with pandas, one
    builder of each kind fed with all of them."""
    clock = _Clock()
    start = time.perf_counter()
    if kind == "events":
        frame = clock("read", read_pandas, source, EVENT_DTYPES)
        customer, time_, amount, dropped = clock("clean", clean_events, frame)
        builders, rows = event_builders(customer, time_, amount, clock), customer.size
    else:
        frame = clock("read", read_pandas, source, SURVIVAL_DTYPES)
        duration, event, dropped = clock("clean", clean_subjects, frame)
        builders, rows = survival_builders(duration, event, clock), duration.size
    states = {name: builder.to_bytes() for name, builder in builders.items()}
    arrays, fit = FINISH[kind](builders, clock)
    for builder in builders.values():
        builder.close()
    clock.seconds["wall"] = time.perf_counter() - start
    return Result(states, arrays, fit, rows, dropped, clock.seconds)


def run_dask(client, kind, source, partitions, shuffle=True):
    """One distributed computation of ``kind`` ("events": cohort table + RFM + BG/NBD;
    "survival": Kaplan-Meier) on ``client``: partial states built on the workers, shipped as bytes
    and merged in a tree; the root state finished on the client. Its seconds include "wall", the
    task-stream times "transfer" (states fetched by the merge tasks from other workers) and
    "read" (compute time of dask's own tasks: read_csv, shuffle)."""
    start = time.perf_counter()
    with get_task_stream(client) as stream:
        if kind == "events":
            partials = event_partials(source, partitions, shuffle)
        else:
            partials = survival_partials(source, partitions)
        future = client.compute(tree_merge(partials))
        shipped = future.result()
        del future
    result = finish(kind, shipped)
    result.seconds["wall"] = time.perf_counter() - start
    result.seconds.update(_stream_times(stream.data))
    return result


def _stream_times(records):
    """Seconds of state transfers into merge tasks, and of dask's own tasks' compute."""
    transfer = other = 0.0
    for record in records:
        key = record["key"] if isinstance(record["key"], str) else str(record["key"])
        ours = key.startswith("retention-")
        for step in record.get("startstops", ()):
            seconds = step["stop"] - step["start"]
            if step["action"] == "transfer" and key.startswith("retention-merge"):
                transfer += seconds
            elif step["action"] == "compute" and not ours:
                other += seconds
    return {"transfer": transfer, "read": other}


# ---- checking ---------------------------------------------------------------------------------------
def same_bits(a, b):
    """Equal dtype, shape and bytes (NaN payloads included): bit-identical arrays."""
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and \
        np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()


def compare(result, reference):
    """[(what, equal)] for every state's bytes, every array and the fit."""
    checks = [("%s builder bytes" % name, result.states[name] == reference.states[name])
              for name in sorted(reference.states)]
    checks += [(name, same_bits(result.arrays[name], reference.arrays[name]))
               for name in sorted(reference.arrays)]
    if reference.fit is not None:
        checks.append(("bgnbd fit", _fit_bits(result.fit) == _fit_bits(reference.fit)))
    checks.append(("rows used", result.rows == reference.rows))
    checks.append(("dropped rows", result.dropped == reference.dropped))
    return checks


def _fit_bits(fit):
    return np.array([getattr(fit, f) for f in FIT_FIELDS], dtype=np.float64).tobytes()


# ---- the cluster ------------------------------------------------------------------------------------
def worker_environment():
    """Puts the paths this process uses into os.environ, which LocalCluster's worker processes
    inherit when they are spawned: RETENTION_LIBRARY = the library loaded here, PYTHONPATH + the
    directories of the retention package and of this module. Returns the library path."""
    os.environ["RETENTION_LIBRARY"] = str(retention.library_path)
    paths = [str(Path(retention.__file__).resolve().parent.parent), str(HERE)]
    current = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    os.environ["PYTHONPATH"] = os.pathsep.join(current + [p for p in paths if p not in current])
    return str(retention.library_path)


def _worker_info():
    import retention as worker_retention
    return {"pid": os.getpid(), "library": str(worker_retention.library_path),
            "version": worker_retention.library_version(),
            "RETENTION_LIBRARY": os.environ.get("RETENTION_LIBRARY")}


def check_workers(client):
    """{worker address: info} after checking that every worker loaded the library this process
    loaded (RuntimeError otherwise)."""
    info = client.run(_worker_info)
    for address, worker in info.items():
        if worker["library"] != str(retention.library_path):
            raise RuntimeError("worker %s loaded %s, not %s" % (address, worker["library"],
                                                                 retention.library_path))
    return info


def local_cluster(workers, directory=None, **options):
    """A LocalCluster of ``workers`` single-threaded worker processes (the library's work is
    GIL-free C, but pandas parsing and dask's own tasks hold the GIL: processes scale both)."""
    worker_environment()
    options.setdefault("dashboard_address", None)
    options.setdefault("silence_logs", 40)  # logging.ERROR: no "scratch directory" chatter
    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                        local_directory=directory, **options)


# ---- data -------------------------------------------------------------------------------------------
def synthetic_events(events, customers, days=730, seed=42):
    """A purchase log of ``events`` rows for ``customers`` customers over ``days`` days, the
    model of gen_events.py (numpy only, deterministic for a seed): acquisition day uniform;
    lifetime geometric with a Beta(2, 400) daily churn hazard; repeat purchases spread over the
    customers in proportion to a Gamma(0.8) rate × active window, uniform in the window; spend
    Gamma-Gamma (p 6.25, q 3.74, gamma 15.44) in whole cents. Columns customer_id, day, amount,
    rows sorted by (day, customer_id)."""
    if events < customers or customers < 1:
        raise ValueError("need events >= customers >= 1 (every customer has a first event)")
    rng = np.random.default_rng(seed)
    first = rng.integers(0, days, customers)
    life = rng.geometric(rng.beta(2.0, 400.0, customers))
    window = np.minimum(first + life, days) - first  # ≥ 1 day
    weight = rng.gamma(0.8, 1.0, customers) * window
    repeats = rng.multinomial(events - customers, weight / weight.sum())
    owner = np.concatenate([np.arange(customers), np.repeat(np.arange(customers), repeats)])
    offset = np.zeros(events, dtype=np.int64)
    offset[customers:] = (rng.random(events - customers) * window[owner[customers:]])
    day = first[owner] + np.minimum(offset, window[owner] - 1)
    scale = rng.gamma(3.74, 1.0 / 15.44, customers)
    cents = np.maximum(np.rint(rng.gamma(6.25, 1.0, events) / scale[owner] * 100), 1)
    ids = 100_003 + 13 * rng.permutation(customers).astype(np.int64)
    frame = pd.DataFrame({"customer_id": ids[owner], "day": day.astype(np.int64),
                          "amount": cents / 100.0})
    return frame.sort_values(["day", "customer_id"], kind="stable", ignore_index=True)


def synthetic_subjects(subjects, seed=43, decimals=2):
    """Customer lifetimes in a 3-year study (gen_events.py's model): entry uniform in [0, 1095)
    days, lifetime exponential with a Gamma(1.5, 1/400) hazard, censored at the study end;
    durations rounded to ``decimals`` (ties on purpose). Columns duration, event."""
    rng = np.random.default_rng(seed)
    study = 1095.0
    entry = rng.random(subjects) * study
    life = rng.exponential(1.0, subjects) / rng.gamma(1.5, 1.0 / 400.0, subjects)
    censor = study - entry
    unit = 10.0 ** -decimals
    duration = np.maximum(np.round(np.minimum(life, censor), decimals), unit)
    return pd.DataFrame({"duration": duration, "event": (life <= censor).astype(np.int64)})


def write_csv(frame, path, decimals=2):
    frame.to_csv(path, index=False, float_format="%%.%df" % decimals)


def split_csv(path, directory, parts):
    """Cuts a CSV file into ``parts`` files of consecutive rows (each with the header):
    directory/part-000.csv, … — the partitioned log. Returns their paths."""
    with open(path, "rb") as f:
        header, lines = f.readline(), f.readlines()
    os.makedirs(directory, exist_ok=True)
    bounds = np.linspace(0, len(lines), parts + 1).astype(int)
    out = []
    for i in range(parts):
        name = os.path.join(directory, "part-%03d.csv" % i)
        with open(name, "wb") as f:
            f.write(header)
            f.writelines(lines[bounds[i]:bounds[i + 1]])
        out.append(name)
    return out


def find_peer_generator():
    """gen_events.py of the shared directory next to the source tree (or $RETENTION_GEN_EVENTS),
    or None: in a CI checkout it is not there."""
    candidates = [os.environ.get("RETENTION_GEN_EVENTS"),
                  HERE.parents[2] / PEER_GENERATOR if len(HERE.parents) > 2 else None]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def generate(directory, events, customers, subjects, parts, seed=42, generator="auto"):
    """Writes directory/events/part-*.csv (``parts`` files) and directory/survival.csv; returns
    the name of the generator used ("gen_events.py" or "built-in")."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    peer = find_peer_generator() if generator in ("auto", "peer") else None
    if generator == "peer" and peer is None:
        raise FileNotFoundError("gen_events.py not found (set RETENTION_GEN_EVENTS)")
    if peer is not None:
        subprocess.run(["/usr/bin/python3", str(peer), "--out", str(directory), "--events",
                        str(events), "--customers", str(customers), "--subjects",
                        str(subjects), "--responses", "0", "--seed", str(seed)],
                       check=True, stdout=subprocess.DEVNULL)
        used = "gen_events.py"
    else:
        write_csv(synthetic_events(events, customers, seed=seed), directory / "events.csv")
        write_csv(synthetic_subjects(subjects, seed=seed + 1), directory / "survival.csv")
        used = "built-in"
    split_csv(directory / "events.csv", directory / "events", parts)
    (directory / "events.csv").unlink()  # the parts are the log now
    return used


# ---- the program ------------------------------------------------------------------------------------
def _median(runs, key):
    values = [run.seconds.get(key, 0.0) for run in runs]
    return statistics.median(values)


def _summarise(reference_events, reference_survival):
    a = reference_events.arrays
    size, average = a["table.size"], a["table.average"]
    print("cohort table: %d monthly cohorts x %d periods, %d customers; average retention "
          "month 1/3/12: %s" % (len(size), len(average), int(size.sum()), ", ".join(
              "%.3f" % average[k] if k < len(average) else "-" for k in (1, 3, 12))))
    fit = reference_events.fit
    print("RFM summary: %d customers, %d repeat purchase days; BG/NBD r=%.6g alpha=%.6g a=%.6g "
          "b=%.6g (log-likelihood %.2f)" % (len(a["rfm.x"]), int(a["rfm.x"].sum()), fit.r,
                                            fit.alpha, fit.a, fit.b, fit.log_likelihood))
    k = reference_survival.arrays
    below = np.flatnonzero(k["km.survival"] <= 0.5)
    print("Kaplan-Meier: %d subjects, %d distinct times, S(365)=%.4f, median %s days" % (
        int(k["km.at_risk"][0]), len(k["km.time"]),
        k["km.survival"][max(0, np.searchsorted(k["km.time"], 365.0, "right") - 1)],
        "%.2f" % k["km.time"][below[0]] if below.size else "not reached"))
    for name, result in (("events", reference_events), ("survival", reference_survival)):
        print("%s: %d rows used, dropped rows: %s" % (name, result.rows, result.dropped))


def _timing_table(single, runs, workers):
    """Prints the medians: wall time, scaling, and where the time goes."""
    steps = ("read", "clean", "add", "to_bytes", "from_bytes", "merge", "transfer", "finish",
             "fit")
    print("\n%-9s %-14s %7s %7s  %s %9s" % ("pipeline", "config", "wall s", "speedup",
                                           " ".join("%10s" % s for s in steps), "states MB"))
    for kind in ("events", "survival"):
        base = _median(runs[kind][workers[0]], "wall")
        one = single[kind]
        print("%-9s %-14s %7.3f %7s  %s %9s" % (
            kind, "1 process", _median(one, "wall"), "",
            " ".join("%10.3f" % _median(one, s) for s in steps), "-"))
        for w in workers:
            rs = runs[kind][w]
            wall = _median(rs, "wall")
            mb = statistics.median(r.state_bytes for r in rs) / 1e6
            print("%-9s %-14s %7.3f %6.2fx  %s %9.1f" % (
                kind, "dask %d worker%s" % (w, "s" if w > 1 else ""), wall, base / wall,
                " ".join("%10.3f" % _median(rs, s) for s in steps), mb))
    print("\nserialisation overhead (medians; task seconds summed over tasks):")
    for kind in ("events", "survival"):
        for w in workers:
            rs = runs[kind][w]
            add, wall = _median(rs, "add"), _median(rs, "wall")
            ser = _median(rs, "to_bytes") + _median(rs, "from_bytes")
            ship = _median(rs, "transfer")
            print("  %-8s %d worker%s: to_bytes+from_bytes %.3f s = %.1fx add (%.3f s); "
                  "+ transfers %.3f s; together %.0f%% of wall %.3f s; %d payloads, %.1f MB" % (
                      kind, w, "s" if w > 1 else " ", ser, ser / add if add else float("nan"),
                      add, ship, 100 * (ser + ship) / wall, wall, rs[0].payloads,
                      statistics.median(r.state_bytes for r in rs) / 1e6))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="gen_events.py output directory (events.csv or "
                        "events/*.csv, and survival.csv)")
    parser.add_argument("--events", type=int, default=1_000_000, help="events to generate")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--subjects", type=int, default=100_000, help="survival subjects")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--generator", choices=("auto", "peer", "builtin"), default="auto")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                        help="cluster sizes to measure (worker processes, 1 thread each)")
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per configuration")
    parser.add_argument("--no-shuffle", action="store_true",
                        help="merge partials of the raw partitions (customers split across them)")
    args = parser.parse_args(argv)
    if args.partitions < 1 or args.repeat < 1 or min(args.workers) < 1:
        parser.error("--partitions, --repeat and --workers must be >= 1")

    scratch = Path(tempfile.mkdtemp(prefix="retention-dask-"))
    try:
        if args.data:
            data = Path(args.data)
            print("data: %s" % data)
        else:
            data = scratch / "data"
            used = generate(data, args.events, args.customers, args.subjects, args.partitions,
                            args.seed, args.generator)
            print("data: %d events, %d customers, %d subjects (%s, seed %d), %d files" % (
                args.events, args.customers, args.subjects, used, args.seed, args.partitions))
        sources = {"events": event_source(data), "survival": survival_source(data)}
        print("library: %s (%s); dask %s; %d CPUs, load average %.2f; %d partitions, "
              "shuffle %s" % (retention.library_path, retention.library_version(),
                              dask.__version__, os.cpu_count(), os.getloadavg()[0],
                              args.partitions, "off" if args.no_shuffle else "by customer"))

        single = {kind: [single_process(kind, sources[kind]) for _ in range(args.repeat)]
                  for kind in sources}
        reference = {kind: runs[0] for kind, runs in single.items()}
        _summarise(reference["events"], reference["survival"])

        runs = {kind: {} for kind in sources}
        failures = 0
        for w in args.workers:
            with local_cluster(w, str(scratch)) as cluster, Client(cluster) as client:
                check_workers(client)
                for kind in sources:
                    run_dask(client, kind, sources[kind], args.partitions,
                             not args.no_shuffle)  # warm-up: imports, library loading
                    runs[kind][w] = [run_dask(client, kind, sources[kind], args.partitions,
                                              not args.no_shuffle) for _ in range(args.repeat)]
                    checks = [c for r in runs[kind][w] for c in compare(r, reference[kind])]
                    bad = sorted({name for name, ok in checks if not ok})
                    failures += len(bad)
                    print("%s, %d worker%s: %d checks against one process: %s" % (
                        kind, w, "s" if w > 1 else "", len(checks),
                        "all bit-identical" if not bad else "DIFFER: " + ", ".join(bad)))
        _timing_table(single, runs, args.workers)
        print("load average at the end: %.2f (other processes compete for the CPUs)"
              % os.getloadavg()[0])
        return 1 if failures else 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    # Run main() of the module imported by its name, so the functions dask sends to the workers
    # are pickled by reference (retention_dask.event_partial, imported there through PYTHONPATH),
    # not by value as members of __main__.
    sys.path.insert(0, str(HERE))
    import retention_dask

    sys.exit(retention_dask.main())
