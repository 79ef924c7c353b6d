"""Columns: zero copy for contiguous arrays of the C type, correct results for everything else,
checked conversions, and histograms as mergeable state (in place, across calls and threads)."""
import ctypes
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import retention as rt
from retention import EDOMAIN, _lib


def address(pointer):
    return ctypes.cast(pointer, ctypes.c_void_p).value


@pytest.mark.parametrize("dtype", [np.uint8, np.float64, np.uint64])
def test_contiguous_columns_of_the_c_type_are_passed_without_a_copy(dtype):
    values = np.arange(1000, dtype=dtype) % 11
    array, pointer = _lib._column(values, dtype, "rtn_test")
    assert array is values
    assert address(pointer) == values.ctypes.data
    c_order_2d = values.reshape(100, 10)  # a C-contiguous 2-D array is one contiguous column
    array, pointer = _lib._column(c_order_2d, dtype, "rtn_test")
    assert address(pointer) == values.ctypes.data and array.shape == (1000,)
    fortran = np.asfortranarray(c_order_2d)
    raveled = fortran.ravel(order="F")  # a view of the Fortran buffer, contiguous in 1-D
    assert raveled.base is not None
    assert address(_lib._column(raveled, dtype, "rtn_test")[1]) == fortran.ctypes.data


@pytest.mark.parametrize("dtype", [np.uint8, np.float64, np.uint64])
def test_strided_and_other_columns_are_copied_contiguously(dtype):
    values = np.arange(1000, dtype=dtype) % 11
    for other in (values[::2], values[::-1], np.asfortranarray(values.reshape(100, 10)),
                  values.astype(np.int64), values.tolist(), tuple(values.tolist())):
        array, pointer = _lib._column(other, dtype, "rtn_test")
        assert array.dtype == dtype and array.flags.c_contiguous and array.ndim == 1
        assert address(pointer) == array.ctypes.data
        assert address(pointer) != values.ctypes.data
        assert np.array_equal(array, np.ravel(np.asarray(other)).astype(dtype))


def test_counting_a_large_uint8_column_allocates_nothing_proportional_to_it():
    scores = np.full(20_000_000, 9, dtype=np.uint8)
    tracemalloc.start()
    try:
        rt.nps_count(scores)
        _, zero_copy_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        rt.nps_count(scores[::2])  # the measurement sees a copy when there is one
        _, copy_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert zero_copy_peak < 1_000_000
    assert copy_peak >= 10_000_000


def test_non_contiguous_scores_give_correct_results(rng):
    base = rng.integers(0, 11, size=(600, 7)).astype(np.uint8)
    for view in (base[::3], base[:, 2], base.T, np.asfortranarray(base), base[::-1, ::2],
                 base.ravel()[1::5]):
        expected = np.bincount(np.ravel(view), minlength=11)
        assert rt.nps_count(view).tolist() == expected.tolist()
        p, a, d = int(expected[9:].sum()), int(expected[7:9].sum()), int(expected[:7].sum())
        assert rt.nps(view) == rt.nps(counts=(p, a, d))


def test_non_contiguous_durations_and_histograms_give_correct_results(rng):
    durations = rng.uniform(0, 600, size=(300, 4))
    for view in (durations[:, 1], durations[::7], durations.T, durations.astype(">f8")):
        flat = np.ravel(view).tolist()
        assert rt.handle_time_mean(view) == pytest.approx(sum(flat) / len(flat), rel=1e-14)
    hist = np.zeros(22, dtype=np.uint64)
    hist[::2] = np.arange(1, 12)
    p, a, d = rt.nps_categories(hist[::2])
    assert (p, a, d) == (10 + 11, 8 + 9, sum(range(1, 8)))


def test_converted_columns_are_checked_and_equal_to_uint8(rng):
    scores = rng.integers(0, 11, size=1234)
    expected = np.bincount(scores, minlength=11).tolist()
    for column in (scores, scores.astype(np.int8), scores.astype(np.uint16),
                   scores.astype(np.float32), scores.astype(np.float64), scores.tolist(),
                   [float(s) for s in scores], np.array(scores.tolist(), dtype=object)):
        assert rt.nps_count(column).tolist() == expected


def test_big_counts_in_lists_are_not_rounded_through_floats():
    # numpy makes floats of [2**63 + 1, 0, ...] (int64 and uint64 mixed): the module must not
    big = 2**63 + 1
    assert rt.nps_categories([big] + [0] * 10) == (0, 0, big)
    assert rt.nps(hist=[0] * 9 + [big, 2**64 - 1 - big]).promoters == 2**64 - 1
    assert rt.scores_count([3], 1, 5, hist=None).tolist() == [0, 0, 1, 0, 0]


def test_bad_index_is_into_the_column_in_c_order(fails):
    grid = np.zeros((3, 4), dtype=np.int64)
    grid[1, 2] = 300  # C-order index 6
    grid[2, 0] = 11  # C-order index 8
    fails(EDOMAIN, rt.nps, grid, bad_index=6)
    fails(EDOMAIN, rt.nps, np.asfortranarray(grid), bad_index=6)
    small = np.zeros((3, 4), dtype=np.uint8)
    small[2, 1] = 12  # C-order index 9, Fortran order 5
    fails(EDOMAIN, rt.nps, np.asfortranarray(small), bad_index=9)


# ---- histograms as mergeable state -----------------------------------------------------------
def test_counting_into_a_histogram_accumulates_in_place(rng):
    scores = rng.integers(1, 6, size=100_003).astype(np.uint8)
    hist = np.zeros(5, dtype=np.uint64)
    for chunk in np.array_split(scores, 7):
        assert rt.scores_count(chunk, 1, 5, hist=hist) is hist
    assert hist.tolist() == np.bincount(scores, minlength=6)[1:].tolist()
    assert rt.csat(hist=hist) == rt.csat(scores)
    assert rt.ces(hist=hist, scale=(1, 5)) == rt.ces(scores, scale=(1, 5))


def test_partial_histograms_add_up_to_the_histogram_of_all(rng):
    scores = rng.integers(0, 11, size=50_000).astype(np.uint8)
    partials = [rt.nps_count(part) for part in np.array_split(scores, 5)]
    merged = np.sum(partials, axis=0, dtype=np.uint64)
    assert merged.tolist() == rt.nps_count(scores).tolist()
    assert rt.nps(hist=merged) == rt.nps(scores)


def test_threads_with_their_own_histograms(rng):
    scores = rng.integers(0, 11, size=2_000_000).astype(np.uint8)
    chunks = np.array_split(scores, 16)
    with ThreadPoolExecutor(max_workers=4) as pool:
        partials = list(pool.map(rt.nps_count, chunks))
    assert np.sum(partials, axis=0).tolist() == np.bincount(scores, minlength=11).tolist()


def test_a_failed_count_leaves_the_histogram_unchanged(fails):
    hist = rt.nps_count([9, 9, 0])
    before = hist.copy()
    fails(EDOMAIN, rt.nps_count, np.array([1, 2, 11], dtype=np.uint8), hist=hist, bad_index=2)
    fails(EDOMAIN, rt.nps_count, [1, 2, 300], hist=hist, bad_index=2)
    assert np.array_equal(hist, before)
