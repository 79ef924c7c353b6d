"""The Dask example (examples/dask/retention_dask.py) on a LocalCluster of two worker processes.

What must hold: partial builder states built on the workers, shipped as bytes and merged in a
tree give *bit-identical* results to one process (the library's merge is exact); the one-process
results are themselves right (checked against pandas/numpy computed here); bad bytes arriving
from a worker raise RetentionError through future.result() and leave the workers alive; missing
values are dropped and counted, as the example documents. No timing assertions.

Run: cd <repo> && RETENTION_LIBRARY=<build>/libretention.so \\
     PYTHONPATH=$PWD/examples/python:$PWD/examples/dask \\
     /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/dask
(Without PYTHONPATH both directories are found from this file; the data is generated here with
the example's built-in generator, so nothing outside the source tree is needed.)
"""
import math
import os
import struct
import sys
from pathlib import Path

import cloudpickle
import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
for directory in (ROOT / "examples" / "python", ROOT / "examples" / "dask"):
    if str(directory) not in sys.path:
        sys.path.append(str(directory))

dask = pytest.importorskip("dask")
Client = pytest.importorskip("distributed").Client

import retention  # noqa: E402
import retention_dask as rd  # noqa: E402
from retention import CohortBuilder, KMBuilder, RetentionError  # noqa: E402

# tornado (under distributed 2022.12) warns about its own event-loop API
pytestmark = pytest.mark.filterwarnings("ignore:make_current is deprecated:DeprecationWarning")

# the helpers below run on the workers, which cannot import this file: ship them by value
cloudpickle.register_pickle_by_value(sys.modules[__name__])

PARTITIONS = 4
EVENTS, CUSTOMERS, SUBJECTS = 20_000, 2_000, 3_000


# ---- fixtures -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """A partitioned log (events/part-*.csv) and survival.csv from the built-in generator."""
    directory = tmp_path_factory.mktemp("data")
    assert rd.generate(directory, EVENTS, CUSTOMERS, SUBJECTS, PARTITIONS,
                       generator="builtin") == "built-in"
    return directory


@pytest.fixture(scope="module")
def sources(data):
    return {"events": rd.event_source(data), "survival": rd.survival_source(data)}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with rd.local_cluster(2, str(tmp_path_factory.mktemp("dask"))) as cluster, \
            Client(cluster) as client:
        client.wait_for_workers(2)
        yield client


@pytest.fixture(scope="module")
def reference(sources):
    """The one-process results."""
    return {kind: rd.single_process(kind, source) for kind, source in sources.items()}


@pytest.fixture(scope="module")
def distributed(client, sources):
    """The distributed results (events shuffled by customer)."""
    return {kind: rd.run_dask(client, kind, source, PARTITIONS)
            for kind, source in sources.items()}


@pytest.fixture(scope="module")
def events(sources):
    """The clean event log as this test reads it: customer_id, day, amount, time, month."""
    frame = rd.read_pandas(sources["events"], rd.EVENT_DTYPES).astype(
        {"customer_id": np.int64, "day": np.int64})
    frame["time"] = rd.ORIGIN + frame["day"] * rd.DAY
    stamp = pd.to_datetime(frame["time"], unit="s")
    frame["month"] = (stamp.dt.year - 1970) * 12 + stamp.dt.month - 1
    return frame


def _worker_pids(client):
    return {address: info["pid"] for address, info in client.run(rd._worker_info).items()}


# ---- the cluster ----------------------------------------------------------------------------------
def test_workers_load_the_same_library(client):
    """The worker processes inherit RETENTION_LIBRARY and PYTHONPATH from this process."""
    info = rd.check_workers(client)
    assert len(info) == 2
    for worker in info.values():
        assert worker["pid"] != os.getpid()
        assert worker["library"] == str(retention.library_path)
        assert worker["RETENTION_LIBRARY"] == os.environ["RETENTION_LIBRARY"]
        assert worker["version"] == retention.library_version()


# ---- the one-process results against pandas / numpy -------------------------------------------------
def test_reference_cohort_table_matches_pandas(reference, events):
    a = reference["events"].arrays
    first = events.groupby("customer_id")["month"].min().rename("cohort")
    frame = events.join(first, on="customer_id")
    cohorts = np.sort(first.unique())
    last = int(events["month"].max())  # the observation end's month (the latest event)
    periods = last - int(cohorts[0]) + 1
    assert np.array_equal(a["table.cohort_period"], cohorts)
    assert np.array_equal(a["table.size"], first.value_counts().sort_index().to_numpy())

    frame["k"] = frame["month"] - frame["cohort"]
    active = np.zeros((cohorts.size, periods), dtype=np.uint64)
    revenue = np.zeros((cohorts.size, periods))
    row = np.searchsorted(cohorts, frame["cohort"].to_numpy())
    cells = frame.assign(row=row).groupby(["row", "k"])
    counts, sums = cells["customer_id"].nunique(), cells["amount"].sum()
    rows, ks = zip(*counts.index)
    active[rows, ks] = counts.to_numpy()
    revenue[rows, ks] = sums.to_numpy()
    month = cohorts[:, None] + np.arange(periods)[None, :]
    status = np.where(month > last, retention.CENSORED,
                      np.where(month == last, retention.PARTIAL, retention.COMPLETE))
    assert np.array_equal(a["table.status"], status.astype(np.uint8))
    assert np.array_equal(a["table.active"], active)
    censored = status == retention.CENSORED
    size = a["table.size"].astype(float)[:, None]
    expected = np.where(censored, np.nan, active / size)
    np.testing.assert_allclose(a["table.retention"], expected, rtol=1e-15)
    np.testing.assert_allclose(a["table.revenue"], np.where(censored, np.nan, revenue),
                               rtol=1e-12)
    complete = status == retention.COMPLETE
    weight = (size * complete).sum(axis=0)
    assert np.array_equal(a["table.average_weight"], weight.astype(np.uint64))
    with np.errstate(invalid="ignore"):
        average = (active * complete).sum(axis=0) / weight
    np.testing.assert_allclose(a["table.average"], average, rtol=1e-14)
    assert np.isnan(a["table.average"][-1])  # the last column has no complete cell


def test_reference_kaplan_meier_matches_numpy(reference, sources):
    subjects = pd.read_csv(sources["survival"])
    duration = subjects["duration"].to_numpy()
    event = subjects["event"].to_numpy().astype(bool)
    a = reference["survival"].arrays
    times, index = np.unique(duration, return_inverse=True)
    at_risk = duration.size - np.searchsorted(np.sort(duration), times, side="left")
    events = np.bincount(index, weights=event, minlength=times.size)
    censored = np.bincount(index, weights=~event, minlength=times.size)
    assert np.array_equal(a["km.time"], times)
    assert np.array_equal(a["km.at_risk"], at_risk.astype(float))
    assert np.array_equal(a["km.events"], events)
    assert np.array_equal(a["km.censored"], censored)
    survival = np.cumprod(1.0 - events / at_risk)  # the product-limit estimator
    np.testing.assert_allclose(a["km.survival"], survival, rtol=1e-12, atol=1e-15)
    with np.errstate(divide="ignore"):
        greenwood = np.cumsum(events / (at_risk * (at_risk - events)))
    np.testing.assert_allclose(a["km.greenwood"], greenwood, rtol=1e-10)


def _bgnbd_loglik(params, x, t_x, T):
    """Σ log L of the BG/NBD (Fader, Hardie & Lee 2005, eq. 6), here in numpy."""
    r, alpha, a, b = params
    lgamma = np.vectorize(math.lgamma)
    a1 = lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)
    a2 = math.lgamma(a + b) + lgamma(b + x) - math.lgamma(b) - lgamma(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(x > 0, math.log(a) - np.log(b + x - 1) - (r + x) * np.log(alpha + t_x),
                      -np.inf)
    return float(np.sum(a1 + a2 + np.logaddexp(a3, a4)))


def test_reference_rfm_and_bgnbd_match_numpy(reference, events):
    a = reference["events"].arrays
    days = events.groupby(["customer_id", "day"])["amount"].sum().reset_index()
    per = days.groupby("customer_id")
    first, last, n = per["day"].min(), per["day"].max(), per["day"].size()
    calibration = int(events["day"].max())
    assert np.array_equal(a["rfm.customer"], first.index.to_numpy())
    assert np.array_equal(a["rfm.x"], (n - 1).to_numpy().astype(float))
    np.testing.assert_allclose(a["rfm.t_x"], ((last - first) / 7.0).to_numpy(), rtol=1e-15)
    np.testing.assert_allclose(a["rfm.T"], ((calibration - first) / 7.0).to_numpy(), rtol=1e-15)
    repeat = days[days["day"] > days["customer_id"].map(first)]
    monetary = repeat.groupby("customer_id")["amount"].mean().reindex(first.index, fill_value=0)
    np.testing.assert_allclose(a["rfm.monetary"], monetary.to_numpy(), rtol=1e-12)
    assert not a["rfm.x_holdout"].any()

    fit = reference["events"].fit
    x, t_x, T = a["rfm.x"], a["rfm.t_x"], a["rfm.T"]
    params = [fit.r, fit.alpha, fit.a, fit.b]
    best = _bgnbd_loglik(params, x, t_x, T)
    assert best == pytest.approx(fit.log_likelihood, rel=1e-10)
    for i in range(4):  # a maximum: moving any parameter by 1 % lowers the likelihood
        for factor in (0.99, 1.01):
            moved = list(params)
            moved[i] *= factor
            assert _bgnbd_loglik(moved, x, t_x, T) < best


# ---- distributed == one process, bit for bit ---------------------------------------------------------
def _assert_identical(result, expected):
    differ = [name for name, same in rd.compare(result, expected) if not same]
    assert not differ, differ


def test_cohort_table_is_bit_identical(distributed, reference):
    result, expected = distributed["events"], reference["events"]
    assert result.states["cohort"] == expected.states["cohort"]
    for column in rd.TABLE_COLUMNS:
        assert rd.same_bits(result.arrays["table." + column], expected.arrays["table." + column])
    assert result.payloads > len(result.states)  # it was merged from partials
    assert result.rows == EVENTS


def test_rfm_and_bgnbd_fit_are_bit_identical(distributed, reference):
    result, expected = distributed["events"], reference["events"]
    assert result.states["rfm"] == expected.states["rfm"]
    for column in rd.RFM_COLUMNS:
        assert rd.same_bits(result.arrays["rfm." + column], expected.arrays["rfm." + column])
    for name in rd.FIT_FIELDS:
        assert struct.pack("<d", getattr(result.fit, name)) == \
            struct.pack("<d", getattr(expected.fit, name)), name


def test_kaplan_meier_is_bit_identical(distributed, reference):
    result, expected = distributed["survival"], reference["survival"]
    assert result.states["km"] == expected.states["km"]
    for column in rd.KM_COLUMNS:
        assert rd.same_bits(result.arrays["km." + column], expected.arrays["km." + column])
    _assert_identical(result, expected)


def test_without_shuffle_still_bit_identical(client, sources, reference):
    """Any partition merges exactly: the raw files split customers (and their revenue per
    period) across partials, and the result is still the same to the last bit."""
    result = rd.run_dask(client, "events", sources["events"], PARTITIONS, shuffle=False)
    _assert_identical(result, reference["events"])


def _forbid_builder_pickling():
    def refuse(self):
        raise TypeError("a live %s was pickled" % type(self).__name__)

    for cls in (CohortBuilder, KMBuilder):
        cls._saved_reduce = cls.__dict__["__reduce__"]
        cls.__reduce__ = refuse


def _allow_builder_pickling():
    for cls in (CohortBuilder, KMBuilder):
        if "_saved_reduce" in cls.__dict__:
            cls.__reduce__ = cls._saved_reduce
            del cls._saved_reduce


def test_only_bytes_are_shipped(client, sources, reference):
    """With builders unpicklable everywhere, the pipeline still runs: it ships bytes only."""
    client.run(_forbid_builder_pickling)
    _forbid_builder_pickling()
    try:
        for kind in ("events", "survival"):
            _assert_identical(rd.run_dask(client, kind, sources[kind], PARTITIONS),
                              reference[kind])
    finally:
        _allow_builder_pickling()
        client.run(_allow_builder_pickling)


def _roundtrip(builder):
    """On a worker: the arrays of the builder's result, and the builder itself (pickled back)."""
    if isinstance(builder, CohortBuilder):
        table = builder.table()
        return (np.array(table.active), np.array(table.revenue)), builder
    curve = builder.curve()
    return (np.array(curve.survival), np.array(curve.upper)), builder


def test_builders_pickle_across_processes(client, events):
    """__reduce__ (to_bytes/from_bytes) carries builders, parameters included, to a worker and
    back, although the pipeline does not rely on it."""
    builder = CohortBuilder(period="month", brackets=[0, 1, 2, 5, 13],
                            observation_end=rd.ORIGIN + 700 * rd.DAY)
    builder.add(events["customer_id"].to_numpy(), events["time"].to_numpy(),
                events["amount"].to_numpy())
    km = KMBuilder(conf_level=0.9, conf_type="log-log")
    km.add([3.0, 5.0, 5.0, 8.0, 13.0], [1, 0, 1, 1, 0])
    backs = []
    for original in (builder, km):
        arrays, back = client.submit(_roundtrip, original, pure=False).result()
        local, _ = _roundtrip(original)
        assert all(rd.same_bits(x, y) for x, y in zip(arrays, local))
        assert back.to_bytes() == original.to_bytes()
        backs.append(back)
    assert backs[0].brackets == (0, 1, 2, 5, 13) and backs[0].kind == "brackets"
    assert backs[0].observation_end == rd.ORIGIN + 700 * rd.DAY
    assert backs[1].conf_type == "log-log" and backs[1].conf_level == 0.9


# ---- bad bytes from a worker ------------------------------------------------------------------------
def _fnv1a(data):
    h = 14695981039346656037
    for byte in data:
        h = ((h ^ byte) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def with_version(data, version):
    """The state with the format version (u32 at offset 8, after the 8-byte magic, in both
    "RTNCOHRT" and "RTNKMBLD") replaced, and the trailing FNV-1a checksum recomputed, so that
    only the version is wrong."""
    out = bytearray(data)
    out[8:12] = struct.pack("<I", version)
    out[-8:] = struct.pack("<Q", _fnv1a(out[:-8]))
    return bytes(out)


def _tamper(shipped, how):
    """On a worker: spoils one state of a partial, as a faulty worker or network would."""
    name = sorted(shipped.states)[0]
    data = shipped.states[name]
    if how == "flip":
        data = bytearray(data)
        data[len(data) // 2] ^= 0x40
        data = bytes(data)
    elif how == "truncate":
        data = data[:-9]
    else:
        data = with_version(data, 2)
    shipped.states[name] = data
    return shipped


def test_version_patch_changes_only_the_version(reference):
    for name, kind in (("cohort", "events"), ("rfm", "events"), ("km", "survival")):
        data = reference[kind].states[name]
        assert with_version(data, 1) == data  # the checksum helper is the library's
        with pytest.raises(RetentionError) as info:
            rd.STATE_TYPES[name].from_bytes(with_version(data, 2))
        assert info.value.code == retention.EVERSION


@pytest.mark.parametrize("kind", ["events", "survival"])
@pytest.mark.parametrize("how, code", [("flip", retention.ECORRUPT),
                                       ("truncate", retention.ECORRUPT),
                                       ("version", retention.EVERSION)])
def test_bad_state_from_a_worker_raises(client, sources, reference, kind, how, code):
    pids = _worker_pids(client)
    if kind == "events":
        partials = rd.event_partials(sources[kind], PARTITIONS)
    else:
        partials = rd.survival_partials(sources[kind], PARTITIONS)
    partials[1] = dask.delayed(_tamper, pure=False)(partials[1], how)
    future = client.compute(rd.tree_merge(partials))
    with pytest.raises(RetentionError) as info:
        future.result()
    error = info.value
    assert type(error) is RetentionError
    assert error.code == code, str(error)
    assert error.function.endswith("_deserialize")
    assert "shipped" in str(error)
    del future
    # the workers survived (same processes) and compute again
    assert _worker_pids(client) == pids
    _assert_identical(rd.run_dask(client, kind, sources[kind], PARTITIONS), reference[kind])


def test_retention_error_survives_pickling():
    """What carries a worker's error to future.result() with its code."""
    import pickle

    error = RetentionError(retention.EDOMAIN, "rtn_km_builder_add", 7, "context")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is RetentionError
    assert (again.code, again.name, again.function, again.bad_index, str(again)) == \
        (error.code, error.name, error.function, error.bad_index, str(error))


# ---- missing and invalid values ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def holey(tmp_path_factory):
    """A small log with empty fields (and the same log without those rows)."""
    directory = tmp_path_factory.mktemp("holey")
    clean = rd.synthetic_events(3000, 300, seed=7)
    frame = clean.astype({"customer_id": "Int64", "day": "Int64"})
    frame.loc[[5, 900], "customer_id"] = pd.NA
    frame.loc[[17, 900, 2500], "day"] = pd.NA
    frame.loc[[33], "amount"] = np.nan
    rd.write_csv(frame, directory / "events.csv")
    subjects = rd.synthetic_subjects(500, seed=8)
    holes = subjects.astype({"event": "Int64"})
    holes.loc[[3], "duration"] = np.nan
    holes.loc[[3, 4, 250], "event"] = pd.NA
    rd.write_csv(holes, directory / "survival.csv")
    ok = directory / "clean"
    ok.mkdir()
    rd.write_csv(clean.drop(index=[5, 17, 33, 900, 2500]), ok / "events.csv")
    rd.write_csv(subjects.drop(index=[3, 4, 250]), ok / "survival.csv")
    return directory


def test_missing_values_are_dropped_and_counted(client, holey):
    for kind, dropped in (("events", {"customer_id": 2, "day": 3, "amount": 1, "rows": 5}),
                          ("survival", {"duration": 1, "event": 3, "rows": 3})):
        source = (rd.event_source if kind == "events" else rd.survival_source)(holey)
        result = rd.run_dask(client, kind, source, 3)
        assert result.dropped == dropped
        one = rd.single_process(kind, source)
        assert one.dropped == dropped
        _assert_identical(result, one)
        ok = (rd.event_source if kind == "events" else rd.survival_source)(holey / "clean")
        without = rd.single_process(kind, ok)
        assert without.states == result.states  # the same as if the rows were never there
        assert result.rows == without.rows


def test_invalid_value_raises_through_dask(client, tmp_path):
    pd.DataFrame({"duration": [1.0, 2.0, 3.0], "event": [1, 2, 0]}).to_csv(
        tmp_path / "survival.csv", index=False)
    future = client.compute(rd.tree_merge(rd.survival_partials(rd.survival_source(tmp_path), 1)))
    with pytest.raises(RetentionError) as info:
        future.result()
    assert info.value.code == retention.EDOMAIN
    assert info.value.function == "rtn_km_builder_add"
