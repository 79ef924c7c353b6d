"""Tests of saved states in the tool (examples/cli/state.c, text_id.c): `retention cohort` and
`retention km` with --save-state and --state. Runs over random parts of a log (split by row, not
by customer), merged in any grouping, must print exactly what one run over the whole log prints
— which test_cli.py and test_km.py check against tables and curves computed independently here
from the CSV — and every bad state or option must be a one-line error.

Run by ctest (cli_tests) with RETENTION_CLI set to the built tool; by hand:
    RETENTION_CLI=build/dev/examples/retention /usr/bin/python3 -m pytest -q tests/cli
"""
import csv
import os
import random
import struct

from test_cli import EVENTS, ROOT, fails, months_table, run

LIFETIMES = os.path.join(ROOT, "examples", "data", "lifetimes.csv")
COHORT = ("--customer", "customer", "--time", "date", "--amount", "amount")
KM = ("--duration", "tenure_days", "--event", "churned")


def out(*args):
    p = run(*args)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    return p.stdout


def split_rows(path, parts, tmp_path, seed):
    """The CSV's rows dealt at random into `parts` files with its header; their paths."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    rng = random.Random(seed)
    files = [[] for _ in range(parts)]
    for row in body:
        files[rng.randrange(parts)].append(row)
    paths = []
    for i, chunk in enumerate(files):
        p = tmp_path / ("part%d.csv" % i)
        with open(p, "w", newline="") as f:
            csv.writer(f).writerows([header] + chunk)
        paths.append(str(p))
    return paths


def save(command, part, options, state):
    out(command, part, *options, "--save-state", state)
    return str(state)


def test_cohort_states_merge_into_the_whole_table(tmp_path):
    whole = out("cohort", EVENTS, *COHORT, "--format", "json")
    for seed in range(3):
        parts = split_rows(EVENTS, 4, tmp_path, seed)
        states = [save("cohort", p, COHORT, tmp_path / ("s%d" % i)) for i, p in enumerate(parts)]
        rng = random.Random(seed)
        rng.shuffle(states)
        # all at once; and as a tree: two merged states saved, then merged with the rest
        assert out("cohort", "--state", ",".join(states), "--format", "json") == whole
        left = tmp_path / "left"
        out("cohort", "--state", ",".join(states[:2]), "--save-state", left)
        assert out("cohort", "--state", "%s,%s" % (left, ",".join(states[2:])),
                   "--format", "json") == whole
        # events of one part read now, the others merged in
        assert out("cohort", parts[0], *COHORT, "--state", ",".join(
            s for s in states if not s.endswith("s0")), "--format", "json") == whole
    # and the CSV is the table computed independently from the log (test_cli.months_table)
    cohorts, last = months_table(EVENTS)
    lines = out("cohort", "--state", ",".join(states)).splitlines()
    assert len(lines) == 1 + len(cohorts)
    for line, c in zip(lines[1:], sorted(cohorts)):
        fields = line.split(",")
        size, counts = cohorts[c]
        assert int(fields[1]) == size
        assert [float(x) for x in fields[2:2 + last - c + 1]] == [
            counts.get(k, 0) / size for k in range(last - c + 1)]


def test_a_saved_state_keeps_its_calendar_and_the_options_apply_after(tmp_path):
    state = save("cohort", EVENTS, COHORT + ("--period", "week"), tmp_path / "weeks")
    weekly = out("cohort", EVENTS, *COHORT, "--period", "week", "--kind", "on-or-after",
                 "--max-periods", "5", "--format", "json")
    # the period comes with the state; kind and max-periods are this run's
    assert out("cohort", "--state", state, "--kind", "on-or-after", "--max-periods", "5",
               "--format", "json") == weekly
    assert out("cohort", "--state", state, "--period", "week", "--kind", "on-or-after",
               "--max-periods", "5", "--format", "json") == weekly
    assert "another --period" in fails(1, "cohort", "--state", state, "--period", "month")
    assert "another --utc-offset" in fails(1, "cohort", "--state", state, "--utc-offset", "60")
    months = save("cohort", EVENTS, COHORT, tmp_path / "months")
    assert "period or UTC offset differs" in fails(1, "cohort", "--state", "%s,%s" % (state, months))


def test_ids_mean_the_same_in_every_run(tmp_path):
    # without states ids are interned per run; with them, "7" is 7 and "007" another customer,
    # so two runs that met their customers in other orders still merge
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("id,when\n7,2024-01-05\n007,2024-01-06\nbob,2024-01-07\n")
    b.write_text("id,when\nbob,2024-02-01\n007,2024-02-02\nann,2024-02-03\n7,2024-03-01\n")
    sa, sb = tmp_path / "a.st", tmp_path / "b.st"
    out("cohort", a, "--customer", "id", "--time", "when", "--save-state", sa)
    out("cohort", b, "--customer", "id", "--time", "when", "--save-state", sb)
    both = tmp_path / "both.csv"
    both.write_text(a.read_text() + "".join(b.read_text().splitlines(True)[1:]))
    merged = out("cohort", "--state", "%s,%s" % (sa, sb))
    assert merged == out("cohort", both, "--customer", "id", "--time", "when")
    assert merged.splitlines()[1:] == ["2024-01-01,3,1,0.6666666666666666,0.3333333333333333",
                                       "2024-02-01,1,1,0,"]


def test_km_states_merge_into_the_whole_curve(tmp_path):
    whole = out("km", LIFETIMES, *KM)
    parts = split_rows(LIFETIMES, 3, tmp_path, 1)
    states = [save("km", p, KM, tmp_path / ("k%d" % i)) for i, p in enumerate(parts)]
    assert out("km", "--state", ",".join(states)) == whole
    assert out("km", parts[0], *KM, "--state", ",".join(states[1:])) == whole
    # the confidence options are this run's, not the states'
    assert out("km", "--state", ",".join(states), "--conf-type", "log-log",
               "--confidence", "0.9") == out("km", LIFETIMES, *KM, "--conf-type", "log-log",
                                             "--confidence", "0.9")
    svg = out("km", "--state", ",".join(states), "--format", "svg")
    assert svg.startswith("<svg") and "events, median" in svg


def fnv1a(data):
    h = 14695981039346656037
    for byte in data:
        h = ((h ^ byte) * 1099511628211) % 2**64
    return h


def test_bad_states_are_one_line_errors(tmp_path):
    cohort = save("cohort", EVENTS, COHORT, tmp_path / "c.st")
    km = save("km", LIFETIMES, KM, tmp_path / "k.st")
    data = open(cohort, "rb").read()
    assert data[:8] == b"RTNCOHRT"
    flipped, truncated, other = (tmp_path / n for n in ("flipped", "truncated", "v2"))
    flipped.write_bytes(data[:100] + bytes([data[100] ^ 1]) + data[101:])
    truncated.write_bytes(data[:len(data) // 2])
    v2 = data[:8] + struct.pack("<I", 2) + data[12:-8]  # another version, checksum made right
    other.write_bytes(v2 + struct.pack("<Q", fnv1a(v2)))
    for bad in (flipped, truncated, tmp_path / "empty"):
        (tmp_path / "empty").write_bytes(b"")
        assert "not a saved cohort state, or a damaged one" in fails(1, "cohort", "--state", bad)
    assert "another version of the format" in fails(1, "cohort", "--state", other)
    assert "not a saved cohort state" in fails(1, "cohort", "--state", km)
    assert "not a saved Kaplan-Meier state" in fails(1, "km", "--state", cohort)
    assert "No such file" in fails(1, "cohort", "--state", tmp_path / "nope")
    assert "ends with a comma" in fails(1, "cohort", "--state", cohort + ",")
    assert "not a file name" in fails(1, "cohort", "--state", "," + cohort)
    assert fails(1, "cohort", EVENTS, *COHORT, "--save-state", tmp_path / "no" / "dir").startswith(
        "retention: %s" % (tmp_path / "no" / "dir"))
    # usage: no input at all; states of one curve only
    fails(2, "cohort", "--customer", "customer", "--time", "date")
    assert "not with --group" in fails(2, "km", "--state", km, "--group", "plan")
    assert "not with --group" in fails(2, "km", LIFETIMES, *KM, "--group", "plan", "--save-state",
                                       tmp_path / "g.st")
    # a state without events is no table, and says so
    empty_log = tmp_path / "none.csv"
    empty_log.write_text("customer,date,amount\n")
    nothing = tmp_path / "nothing.st"
    p = run("cohort", empty_log, *COHORT, "--save-state", nothing)
    assert p.returncode == 1 and "no events" in p.stderr and nothing.exists()
    assert "no events" in fails(1, "cohort", "--state", nothing)
