"""Loading, version checks, the declared C signatures, status codes and RetentionError."""
import ctypes
import ctypes.util
import os
import pickle
import re
import subprocess
import sys

import pytest

import retention
from retention import _lib


def run_import(package_dir, library, code="import retention; print(retention.library_path)"):
    """Runs `code` in a fresh interpreter with RETENTION_LIBRARY=library (None: unset)."""
    env = dict(os.environ, PYTHONPATH=str(package_dir))
    env.pop("RETENTION_LIBRARY", None)
    if library is not None:
        env["RETENTION_LIBRARY"] = str(library)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=60)


def header_text(root):
    return "\n".join(p.read_text() for p in sorted((root / "include" / "retention").glob("*.h")))


# ---- version -------------------------------------------------------------------------------
def test_versions_match_the_header(root):
    header = (root / "include" / "retention" / "core.h").read_text()
    parts = [int(re.search(r"#define RTN_VERSION_%s (\d+)" % p, header).group(1))
             for p in ("MAJOR", "MINOR", "PATCH")]
    assert retention.library_version() == "%d.%d.%d" % tuple(parts)
    assert _lib.lib.rtn_version_number() == parts[0] * 10000 + parts[1] * 100 + parts[2]
    assert isinstance(retention.__version__, str) and retention.__version__
    assert retention.MIN_VERSION == 10000


def test_library_path_is_what_was_loaded():
    path = retention.library_path
    assert "retention" in os.path.basename(path)
    if os.path.isabs(path):
        assert os.path.exists(path)
    if os.environ.get("RETENTION_LIBRARY"):
        assert path == os.environ["RETENTION_LIBRARY"]


@pytest.mark.parametrize("number", [10000, 10001, 10100, 19999])
def test_check_version_accepts_1x_from_1_0_0(number):
    _lib._check_version(number)


@pytest.mark.parametrize("number, found", [(9999, "0.99.99"), (900, "0.9.0"), (20000, "2.0.0"),
                                           (0, "0.0.0")])
def test_check_version_rejects_other_versions(number, found):
    with pytest.raises(ImportError) as info:
        _lib._check_version(number)
    assert found in str(info.value) and "1.0.0" in str(info.value)


@pytest.mark.parametrize("number, found", [(9900, "0.99.0"), (20100, "2.1.0")])
def test_loader_rejects_a_library_of_another_version(monkeypatch, number, found):
    monkeypatch.setattr(_lib, "_read_version", lambda library: number)
    with pytest.raises(ImportError) as info:
        _lib._load()
    message = str(info.value)
    assert found in message and "needs 1.x at least 1.0.0" in message
    assert "cannot load libretention" in message


# ---- finding the library --------------------------------------------------------------------
def test_missing_library_file_is_a_clear_import_error(package_dir, tmp_path):
    missing = tmp_path / "no" / "libretention.so"
    result = run_import(package_dir, missing)
    assert result.returncode != 0
    assert "ImportError: cannot load libretention" in result.stderr
    assert str(missing) in result.stderr and "RETENTION_LIBRARY" in result.stderr


def test_a_file_that_is_not_a_library_is_an_import_error(package_dir, tmp_path):
    fake = tmp_path / "libretention.so"
    fake.write_text("not an ELF file\n")
    result = run_import(package_dir, fake)
    assert result.returncode != 0
    assert "ImportError: cannot load libretention" in result.stderr and str(fake) in result.stderr


def test_a_library_without_rtn_symbols_is_an_import_error(package_dir):
    libm = ctypes.util.find_library("m")
    if libm is None:
        pytest.skip("no libm to load")
    result = run_import(package_dir, libm)
    assert result.returncode != 0
    assert "ImportError" in result.stderr and "rtn_version_number" in result.stderr


def test_the_explicit_library_loads_in_a_fresh_interpreter(package_dir):
    result = run_import(package_dir, retention.library_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == retention.library_path


def test_without_the_variable_find_library_or_the_build_tree_is_used(package_dir):
    result = run_import(package_dir, None)
    if result.returncode != 0:  # only when nothing is installed and nothing is built
        assert "ImportError: cannot load libretention" in result.stderr
        pytest.skip("no installed or built library to fall back to")
    assert "retention" in result.stdout


# ---- the declared signatures ----------------------------------------------------------------
_C_TYPES = {
    "int": ctypes.c_int, "uint32_t": ctypes.c_uint32, "int32_t": ctypes.c_int32,
    "uint64_t": ctypes.c_uint64, "size_t": ctypes.c_size_t, "double": ctypes.c_double,
    "char *": ctypes.c_char_p, "uint8_t *": ctypes.POINTER(ctypes.c_uint8),
    "uint64_t *": ctypes.POINTER(ctypes.c_uint64), "double *": ctypes.POINTER(ctypes.c_double),
    "size_t *": ctypes.POINTER(ctypes.c_size_t),
}


_C_TYPES.update({
    "void": None, "int64_t": ctypes.c_int64, "int64_t *": ctypes.POINTER(ctypes.c_int64),
    "uint32_t *": ctypes.POINTER(ctypes.c_uint32),
    "rtn_cohort_builder *": ctypes.POINTER(_lib._CohortBuilder),
    "rtn_cohort_table *": ctypes.POINTER(_lib._CohortTable),
    "rtn_cohort_builder **": ctypes.POINTER(ctypes.POINTER(_lib._CohortBuilder)),
    "rtn_cohort_table **": ctypes.POINTER(ctypes.POINTER(_lib._CohortTable)),
    "rtn_allocator *": ctypes.POINTER(_lib._Allocator),
    "rtn_km_builder *": ctypes.POINTER(_lib._KMBuilder), "rtn_km *": ctypes.POINTER(_lib._KM),
    "rtn_km_builder **": ctypes.POINTER(ctypes.POINTER(_lib._KMBuilder)),
    "rtn_km **": ctypes.POINTER(ctypes.POINTER(_lib._KM)),
    "rtn_rfm *": ctypes.POINTER(_lib._Rfm),
    "rtn_rfm **": ctypes.POINTER(ctypes.POINTER(_lib._Rfm)),
    "int32_t *": ctypes.POINTER(ctypes.c_int32),
    "rtn_mrr_builder *": ctypes.POINTER(_lib._MrrBuilder),
    "rtn_mrr_table *": ctypes.POINTER(_lib._MrrTable),
    "rtn_mrr_builder **": ctypes.POINTER(ctypes.POINTER(_lib._MrrBuilder)),
    "rtn_mrr_table **": ctypes.POINTER(ctypes.POINTER(_lib._MrrTable)),
    "rtn_reason_row *": ctypes.POINTER(_lib._ReasonRow),
    "rtn_segment_row *": ctypes.POINTER(_lib._SegmentRow),
    "rtn_retention_value *": ctypes.POINTER(_lib._RetentionValue),
})


def c_type(declaration):
    """'const uint64_t *hist', 'uint64_t hist[11]', 'double x', 'const char *', 'void' or
    'rtn_cohort_table **out' → ctypes type (None for void)."""
    declaration = re.sub(r"\*\s*const\b", "*", declaration)  # T *const *p: a T **
    m = re.fullmatch(r"(?:const\s+)?(\w+)\s*([\s*]*?)\s*\w*\s*(\[\w*\])?", declaration.strip())
    stars = m.group(2).replace(" ", "") or ("*" if m.group(3) else "")
    return _C_TYPES[m.group(1) + (" " + stars if stars else "")]


def test_every_exported_function_is_declared_as_in_the_header(root):
    script = re.sub(r"/\*.*?\*/", "", (root / "lib" / "retention.map").read_text(), flags=re.S)
    exported = set(re.findall(r"\b(rtn_\w+);", script))
    assert exported == set(_lib._SIGNATURES)
    prototypes = {m.group(2): (m.group(1), m.group(3)) for m in re.finditer(
        r"RTN_API\s+([\w\s\*]+?)\s*\b(rtn_\w+)\s*\(([^)]*)\)", header_text(root))}
    assert set(prototypes) == exported
    for name, (restype, params) in prototypes.items():
        function = getattr(_lib.lib, name)
        assert function.restype is c_type(restype), name
        params = [p for p in (" ".join(p.split()) for p in params.split(",")) if p != "void"]
        assert list(function.argtypes) == [c_type(p) for p in params], name


# ---- status codes ---------------------------------------------------------------------------
def status_list(root):
    header = (root / "include" / "retention" / "core.h").read_text()
    return re.findall(r'X\((RTN_\w+), (-?\d+), "([^"]*)"\)', header)


def test_codes_names_and_messages_are_the_headers(root):
    codes = status_list(root)
    assert len(codes) == 10
    for name, value, message in codes:
        value = int(value)
        assert getattr(retention, name[len("RTN_"):]) == value
        assert retention.strerror(value) == message
        if value != 0:
            error = retention.RetentionError(value, "rtn_something")
            assert error.name == name and error.code == value
            assert message in str(error) and "rtn_something" in str(error)
    assert retention.strerror(-1000) == "unknown error code"


def test_retention_error_is_a_value_error_with_its_fields(fails):
    error = fails(retention.EUNDEFINED, retention.churn_rate_start, 0, 0)
    assert isinstance(error, ValueError)
    assert error.name == "RTN_EUNDEFINED" and error.function == "rtn_churn_rate_start"
    assert retention.strerror(retention.EUNDEFINED) in str(error)
    error = fails(retention.EDOMAIN, retention.nps_count, [10, 10, 11], bad_index=2)
    assert "at index 2" in str(error) and error.function == "rtn_nps_count"


def test_retention_error_survives_pickling():
    # a worker process (multiprocessing, Dask) ships its exception back pickled
    error = retention.RetentionError(retention.EDOMAIN, "rtn_nps_count", bad_index=7,
                                     detail="a note")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is retention.RetentionError and str(again) == str(error)
    assert (again.code, again.name, again.function, again.bad_index, again.detail) == (
        retention.EDOMAIN, "RTN_EDOMAIN", "rtn_nps_count", 7, "a note")
