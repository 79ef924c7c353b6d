"""The README's copy-paste examples, run as they are written, so that they cannot rot.

A fenced code block preceded by the comment <!-- test: sh -->, <!-- test: python --> or
<!-- test: c --> is run (sh with the built `retention` tool first on PATH, from the repository
root; python with the built library and examples/python; c compiled against include/ and the
built library). If the next fenced block is preceded by <!-- output -->, the program's standard
output must equal that block exactly.

Environment (set by ctest): RETENTION_CLI, RETENTION_LIBRARY, CC.
"""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.path.abspath(os.environ.get("RETENTION_CLI", os.path.join(ROOT, "build/dev/examples/retention")))
LIB = os.path.abspath(os.environ.get("RETENTION_LIBRARY", os.path.join(ROOT, "build/dev/libretention.so")))
CC = os.environ.get("CC", "cc")

BLOCK = re.compile(r"<!-- (test: (?P<lang>sh|python|c)|output) -->\n```[a-z]*\n(?P<body>.*?)```",
                   re.S)


def examples():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    found, pending = [], None
    for m in BLOCK.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        if m.group("lang"):
            pending = {"lang": m.group("lang"), "code": m.group("body"), "line": line,
                       "output": None}
            found.append(pending)
        elif pending is not None and pending["output"] is None:
            pending["output"] = m.group("body")
        else:
            raise AssertionError("README.md:%d: an output block with no test block before it" % line)
    return found


CASES = examples()


def test_the_readme_has_examples_for_each_audience():
    langs = {c["lang"] for c in CASES}
    assert langs == {"sh", "python", "c"}, langs


def run(case, tmp_path):
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(CLI) + os.pathsep + env.get("PATH", "")
    env["RETENTION_LIBRARY"] = LIB
    env["PYTHONPATH"] = os.path.join(ROOT, "examples", "python")
    if case["lang"] == "sh":
        return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", case["code"]], cwd=ROOT,
                              env=env, capture_output=True, text=True)
    if case["lang"] == "python":
        return subprocess.run([sys.executable, "-c", case["code"]], cwd=ROOT, env=env,
                              capture_output=True, text=True)
    src, exe = tmp_path / "example.c", tmp_path / "example"
    src.write_text(case["code"])
    libdir = os.path.dirname(LIB)
    build = subprocess.run([CC, "-std=c99", "-Wall", "-Wextra", "-Werror", str(src),
                            "-I" + os.path.join(ROOT, "include"), "-L" + libdir, "-lretention",
                            "-Wl,-rpath," + libdir, "-o", str(exe)],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    return subprocess.run([str(exe)], cwd=ROOT, env=env, capture_output=True, text=True)


@pytest.mark.parametrize("case", CASES, ids=lambda c: "README.md:%d:%s" % (c["line"], c["lang"]))
def test_readme_example(case, tmp_path):
    p = run(case, tmp_path)
    assert p.returncode == 0, p.stderr
    if case["output"] is not None:
        assert p.stdout == case["output"]
