"""Shared fixtures of the Python tests of the `retention` module.

Run: cd <repo> && RETENTION_LIBRARY=$PWD/build/dev/libretention.so \
     PYTHONPATH=$PWD/examples/python /usr/bin/python3 -m pytest -q tests/python
Without PYTHONPATH the package in examples/python is found anyway (appended to sys.path);
without RETENTION_LIBRARY the module falls back to find_library and the build tree.
"""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIR = ROOT / "examples" / "python"
if str(PACKAGE_DIR) not in sys.path:
    sys.path.append(str(PACKAGE_DIR))

import retention  # noqa: E402  (after the sys.path fallback)


@pytest.fixture
def root():
    """The source tree (headers, version script)."""
    return ROOT


@pytest.fixture
def package_dir():
    return PACKAGE_DIR


@pytest.fixture
def fails():
    """fails(code, callable, *args, bad_index=None, **kwargs): asserts that the call raises
    RetentionError with this code and bad_index, and returns the exception."""

    def check(code, function, *args, bad_index=None, **kwargs):
        with pytest.raises(retention.RetentionError) as info:
            function(*args, **kwargs)
        error = info.value
        assert error.code == code, str(error)
        assert error.bad_index == bad_index, str(error)
        assert error.function.startswith("rtn_")
        return error

    return check


@pytest.fixture
def rng():
    import numpy as np

    return np.random.default_rng(20250101)
