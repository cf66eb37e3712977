"""The certificate checker's readers of the scheduling inputs (smtsched/certify/check/sched.py)
and the model.json file that Model.solve(proof=DIR) writes (smtsched/sched/model_json.py).

The readers parse the files on their own (the checker imports nothing else of smtsched); these
tests hold them against smtsched's readers on the real benchmark files, against schedules that
smtsched finds, against the schedule checker of tests/sched_oracle.py (which shares no code
with smtsched) on random models, and evaluate G's clauses on schedules: every valid schedule
satisfies G (G follows from the input), and on machines alone G's clauses are also enough.
"""
import hashlib
import json
import os
import random
import tempfile

import pytest
from hypothesis import given, settings, strategies as st

import sched_oracle
from smtsched.certify.check import sched as checker
from smtsched.certify.check.sched import SchedInputError
from smtsched.sched import Model, ModelError, formats, model_json

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(ROOT, "..", "shared", "data")
JSSP = os.path.join(DATA, "jssp")
RCPSP = os.path.join(DATA, "rcpsp")


def scaled(weight):
    """max_examples as a multiple of the active profile's baseline (tests/conftest.py)."""
    return max(1, int(settings.default.max_examples * weight))


def files(folder, extension, every=1):
    if not os.path.isdir(folder):
        return []
    return sorted(f for f in os.listdir(folder) if f.endswith(extension))[::every]


def need(folder):
    if not os.path.isdir(folder):
        pytest.skip(f"no benchmark data at {folder} (set SMTSCHED_DATA to shared/data)")


def text_of(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


# -- G read back: what the encoding's clauses say -----------------------------------------------

def holds(difference, values):
    """Whether x - y <= c (or < c) holds under `values` (None: the origin 0)."""
    x = 0 if difference.x is None else values[difference.x]
    y = 0 if difference.y is None else values[difference.y]
    return x - y < difference.c if difference.strict else x - y <= difference.c


def satisfied(g, values):
    """Whether every clause of G holds when its atoms are read under `values`."""
    constant = g.true()   # the constant of x - x <= c (a precedence of a task on itself)

    def true(lit):
        if abs(lit) == constant:
            return lit > 0
        meaning = g.meaning(lit)
        assert meaning is not None, f"variable {abs(lit)} of G is no atom"
        return holds(meaning, values)
    return all(any(true(lit) for lit in clause) for clause in g.clauses)


def units(g):
    """The unit clauses of G between two start variables, as (x, y, c) of x - y <= c."""
    out = []
    for clause in g.clauses:
        if len(clause) == 1:
            d = g.meaning(clause[0])
            if d is None:   # x - x <= c: a precedence of a task on itself, a constant
                out.append(("constant", clause[0]))
            elif d.x is not None and d.y is not None and "makespan" not in (d.x, d.y):
                out.append((d.x, d.y, d.c))
    if out.count(("constant", g.true())):
        out.remove(("constant", g.true()))   # the unit that defines the constant
    return out


def has_unit(g, x, y, c):
    return [g.atom("Int", x, y, c)] in g.clauses


def agrees_with_model(g, model):
    """G has the model's tasks, precedences and resources, one for one."""
    assert set(g.sorts) == {"makespan"} | {f"start {t.name}" for t in model.tasks}
    maximum = [p for p in model.precedences if p.max_lag is not None]
    assert len(units(g)) == len(model.precedences) + len(maximum)
    for p in model.precedences:
        assert has_unit(g, f"start {p.before.name}", f"start {p.after.name}",
                        -(p.before.duration + p.min_lag))
    for p in maximum:
        assert has_unit(g, f"start {p.after.name}", f"start {p.before.name}",
                        p.before.duration + p.max_lag)
    assert [c["name"] for c in g.constraints] == [r.name for r in model.resources]
    for c, r in zip(g.constraints, model.resources):
        assert c["capacity"] == r.capacity
        assert c["kind"] == ("disjunctive" if r.capacity == 1 else "cumulative")
        assert [(t["start"], t["duration"], t["demand"]) for t in c["tasks"]] == \
            [(f"start {t.name}", t.duration, d) for t, d in r.demands]
    assert has_unit(g, None, "makespan", 0)
    for t in model.tasks:
        assert has_unit(g, f"start {t.name}", "makespan", -t.duration)
        assert has_unit(g, None, f"start {t.name}", -t.release)
        for latest in (t.deadline, model.horizon):
            if latest is not None:
                assert has_unit(g, f"start {t.name}", None, latest - t.duration)
    # the pair clauses come once a certificate names one of their atoms (finish): name them
    # all, one atom of each clashing pair
    assert not any(len(clause) == 2 for clause in g.clauses)
    expected = set()   # a pair clashing on two resources has one clause
    for r in model.resources:
        running = [(t, d) for t, d in r.demands if t.duration > 0]
        for i in range(len(running)):
            for j in range(i):
                if running[i][1] + running[j][1] > r.capacity:
                    (a, _), (b, _) = running[i], running[j]
                    g.atom("Int", f"start {b.name}", f"start {a.name}", -b.duration)
                    expected.add(frozenset((a.index, b.index)))
    g.finish()
    pairs = sum(1 for clause in g.clauses if len(clause) == 2)
    assert pairs == len(expected)


# -- the real files ------------------------------------------------------------------------------

def test_jobshop_reader_agrees_with_smtsched_on_every_jssp_file():
    need(JSSP)
    names = files(JSSP, ".txt")
    assert len(names) >= 100
    for name in names:
        path = os.path.join(JSSP, name)
        g = checker.read_jobshop(text_of(path), {})
        agrees_with_model(g, formats.read_model(path))
        assert g.objective == {"name": "makespan", "variable": "makespan"}


def test_psplib_reader_agrees_with_smtsched_on_a_sample():
    need(RCPSP)
    paths = [os.path.join(RCPSP, "j30", f) for f in files(os.path.join(RCPSP, "j30"), ".sm", 12)
             if f != "j30hrs.sm"]
    paths += [os.path.join(RCPSP, "j60", f) for f in files(os.path.join(RCPSP, "j60"), ".sm", 20)]
    paths += [os.path.join(RCPSP, "j120", f)
              for f in files(os.path.join(RCPSP, "j120"), ".sm", 10)]
    assert len(paths) >= 40
    for path in paths:
        agrees_with_model(checker.read_psplib(text_of(path), {}), formats.read_model(path))


def shifted(starts, task, delta, successors):
    """`starts` with `task` and everything after it (by `successors`) moved by delta: the
    precedences among them and into them still hold."""
    moved, todo = set(), [task]
    while todo:
        t = todo.pop()
        if t not in moved:
            moved.add(t)
            todo.extend(successors.get(t, ()))
    return {t: s + delta if t in moved else s for t, s in starts.items()}


def tamperings(model, starts):
    """(broken precedence, overload) schedules made from a valid one: a task moved onto its
    predecessor; a task and its successors moved later until a resource is overloaded (found
    by a load count of this test's own)."""
    successors = {}
    for p in model.precedences:
        successors.setdefault(p.before.name, []).append(p.after.name)
    p = next(p for p in model.precedences if p.before.duration > 0)
    broken = dict(starts, **{p.after.name: starts[p.before.name]})
    for r in model.resources:
        for t, _ in r.demands:
            for delta in range(1, 40):
                moved = shifted(starts, t.name, delta, successors)
                for instant in {moved[u.name] for u, _ in r.demands}:
                    load = sum(d for u, d in r.demands if u.duration > 0
                               and moved[u.name] <= instant < moved[u.name] + u.duration)
                    if load > r.capacity:
                        return broken, moved
    raise AssertionError("no overloading move found")


def solved(model):
    result = model.solve(time_limit=3)
    assert result.status in ("OPTIMAL", "FEASIBLE")
    return result


@pytest.mark.parametrize("folder, name", [("jssp", "ft06.txt"), ("jssp", "la01.txt"),
                                          ("rcpsp/j30", "j301_1.sm"),
                                          ("rcpsp/j30", "j3010_5.sm"),
                                          ("rcpsp/j60", None)])
def test_check_schedule_accepts_smtsched_schedules_and_rejects_tampered_ones(folder, name):
    need(os.path.join(DATA, folder))
    if name is None:
        name = files(os.path.join(DATA, folder), ".sm")[0]
    path = os.path.join(DATA, folder, name)
    read = checker.read_jobshop if name.endswith(".txt") else checker.read_psplib
    g = read(text_of(path), {})
    model = formats.read_model(path)
    result = solved(model)
    starts = result.starts
    assert g.check_schedule(starts) == result.objective
    # keyed by start variable instead of task name: the same schedule
    assert g.check_schedule({f"start {t}": s for t, s in starts.items()}) == result.objective
    values = dict({f"start {t}": s for t, s in starts.items()}, makespan=result.objective)
    assert satisfied(g, values)
    broken, overloaded = tamperings(model, starts)
    with pytest.raises(ValueError, match="starts -?[0-9]+ after"):
        g.check_schedule(broken)
    with pytest.raises(ValueError, match="carries"):
        g.check_schedule(overloaded)
    assert not satisfied(g, dict({f"start {t}": s for t, s in broken.items()},
                                 makespan=10 ** 6))


def test_check_schedule_rejects_a_machine_clash_and_a_missing_or_fractional_start():
    g = checker.read_jobshop("2 1\n0 3\n0 4\n", {})
    assert g.check_schedule({"j0o0": 0, "j1o0": 3}) == 7
    assert g.check_schedule({"j0o0": 4, "j1o0": 0}) == 7
    with pytest.raises(ValueError, match=r"m0 carries 2 > 1 at time 2"):
        g.check_schedule({"j0o0": 0, "j1o0": 2})
    with pytest.raises(ValueError, match="not the input's"):
        g.check_schedule({"j0o0": 0})
    with pytest.raises(ValueError, match="no integer start"):
        g.check_schedule({"j0o0": 0, "j1o0": 3.0})
    with pytest.raises(ValueError, match="no integer start"):
        g.check_schedule({"j0o0": 0, "j1o0": True})
    with pytest.raises(ValueError, match="before its release"):
        g.check_schedule({"j0o0": -3, "j1o0": 0})


def test_a_machine_of_one_task_is_no_constraint_as_in_smtsched(tmp_path):
    text = "2 3\n0 1 1 2\n0 3 2 0\n"   # machine 1 and machine 2: one task each
    path = tmp_path / "small.txt"
    path.write_text(text)
    g = checker.read_jobshop(text, {})
    agrees_with_model(g, formats.read_model(str(path)))
    assert [c["name"] for c in g.constraints] == ["m0"]


def test_a_lone_carriage_return_is_white_space_as_in_smtsched(tmp_path):
    """Lines break at \\n only (smtsched's reader); bytes keep a lone \\r, which text read
    with universal newlines would turn into a line break: another job."""
    data = b"1 2\r\n0 1\r1 2\r\n"
    path = tmp_path / "cr.txt"
    path.write_bytes(data)
    g = checker.read_jobshop(data, {})
    agrees_with_model(g, formats.read_model(str(path)))
    assert len(g.sorts) == 3   # j0o0, j0o1 and the makespan


def test_the_makespan_of_no_task_is_zero_and_never_negative():
    g = checker.read_jobshop("0 1\n", {})
    assert g.check_schedule({}) == 0
    assert g.clauses == [[g.atom("Int", None, "makespan", 0)]]


def test_a_capacity_of_one_with_a_larger_demand_is_no_machine():
    text = json.dumps({"format": "smtsched-model", "version": 1, "tasks": [
        {"name": "a", "duration": 1}, {"name": "b", "duration": 1}],
        "resources": [{"name": "r", "capacity": 1, "demands": [["a", 2], ["b", 1]]}]})
    g = checker.read_model(text, {})
    assert g.constraints[0]["kind"] == "cumulative"
    with pytest.raises(ValueError, match="r carries 2 > 1"):
        g.check_schedule({"a": 0, "b": 5})


def test_zero_duration_tasks_share_a_machine_and_are_below_the_makespan():
    g = checker.read_jobshop("3 1\n0 0\n0 2\n0 0\n", {})
    assert g.check_schedule({"j0o0": 1, "j1o0": 0, "j2o0": 5}) == 5
    assert has_unit(g, "start j2o0", "makespan", 0)
    assert not [c for c in g.clauses if len(c) == 2]   # no pair with a zero duration


PSPLIB_SMALL = """\
jobs (incl. supersource/sink ):  4
RESOURCES
  - renewable                 :  1   R
  - nonrenewable              :  0   N
  - doubly constrained        :  0   D
************************************************************************
PRECEDENCE RELATIONS:
jobnr.    #modes  #successors   successors
   1        1          2           2   3
   2        1          1           4
   3        1          1           4
   4        1          0
************************************************************************
REQUESTS/DURATIONS:
jobnr. mode duration  R 1
------------------------------------------------------------------------
  1      1     0       0
  2      1     3       3
  3      1     2       2
  4      1     0       0
************************************************************************
RESOURCEAVAILABILITIES:
  R 1
    4
************************************************************************
"""


def test_psplib_overload_and_the_pair_clause_of_incompatible_demands():
    g = checker.read_psplib(PSPLIB_SMALL, {})
    ok = {"job1": 0, "job2": 0, "job3": 3, "job4": 5}
    assert g.check_schedule(ok) == 5
    with pytest.raises(ValueError, match="R1 carries 5 > 4 at time 1"):
        g.check_schedule(dict(ok, job3=1, job4=5))
    assert g.constraints == [{"kind": "cumulative", "name": "R1", "capacity": 4, "tasks": [
        {"start": "start job2", "duration": 3, "demand": 3},
        {"start": "start job3", "duration": 2, "demand": 2}]}]
    pair = [g.atom("Int", "start job2", "start job3", -3),
            g.atom("Int", "start job3", "start job2", -2)]
    assert pair not in g.clauses   # until the certificate names one of its atoms
    g.finish()
    assert pair in g.clauses


def test_pair_clauses_only_for_pairs_whose_atoms_the_certificate_names():
    # a job of 2,000 unit operations on two machines: a million clashing pairs; G gets the
    # clause of a pair only when an atom of it is named (either one, in either orientation)
    g = checker.read_jobshop("1 2\n" + " ".join(f"{k % 2} 1" for k in range(2000)) + "\n", {})
    assert not [c for c in g.clauses if len(c) == 2]
    named = g.atom("Int", "start j0o4", "start j0o0", -1)     # j0o4 before j0o0, machine 0
    negated = -g.atom("Int", "start j0o3", "start j0o1", 0)    # not (o3 - o1 <= 0): o1 first
    g.atom("Int", "start j0o0", "start j0o1", -1)   # different machines: no clause
    g.atom("Int", "start j0o0", "start j0o2", -2)   # not an ordering atom: no clause
    g.finish()
    pairs = [set(c) for c in g.clauses if len(c) == 2]
    assert len(pairs) == 2
    assert {g.atom("Int", "start j0o0", "start j0o4", -1), named} in pairs
    assert negated == g.atom("Int", "start j0o1", "start j0o3", -1)
    assert {negated, g.atom("Int", "start j0o3", "start j0o1", -1)} in pairs


# -- malformed files -------------------------------------------------------------------------------

JOBSHOP_BAD = [
    ("", "empty"),
    ("2\n0 1\n", "jobs machines"),
    ("2 2\n0 1\n", "2 jobs announced, 1"),
    ("1 2\n0 1\n1 1\n", "1 jobs announced, 2"),
    ("1 2\n0 1 1\n", "no duration"),
    ("1 2\n0 1 2 1\n", "machine 2 is not in 0..1"),
    ("1 2\n0 -1\n", "a duration must be at least 0"),
    ("1 0\n", "machines must be at least 1"),
    ("1 2\n0 x\n", "line 2, column 3: an integer was expected"),
    ("1 2\n0 1.5\n", "an integer was expected"),
    ("1 1\n0 " + "9" * 5000 + "\n", "digits"),
    (b"1 1\n0 \xff\n", "line 2: the file is not UTF-8"),
]


@pytest.mark.parametrize("text, message", JOBSHOP_BAD)
def test_malformed_jobshop_files_are_errors_naming_the_line(text, message):
    with pytest.raises(SchedInputError, match=message):
        checker.read_jobshop(text, {})


def psplib_with(old, new):
    assert old in PSPLIB_SMALL
    return PSPLIB_SMALL.replace(old, new, 1)


PSPLIB_BAD = [
    (psplib_with("RESOURCEAVAILABILITIES:", "RESOURCES:"), "no RESOURCEAVAILABILITIES"),
    (psplib_with("  4      1     0       0\n", ""), "4 jobs announced, 3"),
    (psplib_with("   4        1          0\n", ""), "job 4 has no line"),
    (psplib_with("   2        1          1           4",
                 "   2        1          2           4"), "2 successors announced, 1"),
    (psplib_with("           4\n   3", "           9\n   3"), "unknown successor 9"),
    (psplib_with("  3      1     2       2", "  3      2     2       2"), "unsupported by the "
                                                                          "checker: mode 2"),
    (psplib_with("  3      1     2       2", "  3      1     2       5"), "capacity is 4"),
    (psplib_with("  3      1     2       2", "  3      1     2"), "1 demands"),
    (psplib_with("  3      1     2       2", "  2      1     2       2"), "appears twice"),
    (psplib_with("nonrenewable              :  0", "nonrenewable              :  2"),
     "unsupported by the checker: nonrenewable"),
    (psplib_with("  - renewable                 :  1", "  - renewable                 :  2"),
     "2 renewable resources announced"),
    (psplib_with("  R 1\n    4\n", "  R 1\n    4\n    4\n"), "one line of resource capacities"),
    (psplib_with("  R 1\n    4\n", "  R 1\n   -4\n"), "capacity of R1 must be at least 0"),
    (psplib_with("  R 1\n    4\n", "  R 1\n    four\n"), "an integer was expected"),
]


@pytest.mark.parametrize("text, message", PSPLIB_BAD)
def test_malformed_psplib_files_are_errors(text, message):
    with pytest.raises(SchedInputError, match=message):
        checker.read_psplib(text, {})


def test_a_query_is_refused_for_a_scheduling_input():
    with pytest.raises(SchedInputError, match="query"):
        checker.read_jobshop("1 1\n0 1\n", {"check_sat": 1})


@settings(max_examples=scaled(1.0))
@given(st.sampled_from(["jobshop", "psplib"]), st.integers(0, 10 ** 9))
def test_mutated_files_read_as_smtsched_reads_them_or_give_a_reader_error(kind, seed):
    """Deleted, repeated and replaced characters and lines: never any other exception, and
    every file smtsched reads the checker reads too, to the same tasks, precedences and
    resources (a file only the checker reads, such as a precedence cycle, is allowed)."""
    rng = random.Random(seed)
    text = "3 3\n0 2 1 3 2 1\n1 1 0 4 2 2\n2 3 1 1 0 2\n" if kind == "jobshop" \
        else PSPLIB_SMALL
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(text))
        action = rng.randrange(4)
        if action == 0:
            text = text[:at] + text[at + rng.randint(1, 20):]
        elif action == 1:
            text = text[:at] + rng.choice("0123456789 -\n*xR:.") + text[at:]
        elif action == 2:
            end = text.find("\n", at)
            text = text[:at] + text[at:end + 1] * 2 + text[end + 1:]
        else:
            text = text[:at] + rng.choice(["", "99999999999", "-1", "\x00", "ß", "\r"]) \
                + text[at + 1:]
    data = text.encode("utf-8")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "mutated" + (".txt" if kind == "jobshop" else ".sm"))
        with open(path, "wb") as handle:
            handle.write(data)
        try:
            model = formats.read_model(path)
        except formats.FormatError:
            model = None
    read = checker.read_jobshop if kind == "jobshop" else checker.read_psplib
    try:
        g = read(data, {})
    except SchedInputError:
        assert model is None, "smtsched reads a file the checker refuses"
        return
    if model is not None:
        agrees_with_model(g, model)


# -- model.json ----------------------------------------------------------------------------------

def shape(model):
    """Everything a Model says, by names (two models with equal shapes are the same model)."""
    return {
        "name": model.name,
        "tasks": [(t.name, t.duration, t.release, t.deadline, t.optional) for t in model.tasks],
        "precedences": [(p.before.name, p.after.name, p.min_lag, p.max_lag)
                        for p in model.precedences],
        "resources": [(r.name, r.capacity, [(t.name, d) for t, d in r.demands])
                      for r in model.resources],
        "alternatives": [(t.name, [o.name for o in options])
                         for t, options in model.alternatives],
        "memories": [(m.name, m.capacity, [(b.name, b.size, b.producer and b.producer.name,
                                            [c.name for c in b.consumers], b.until_end)
                                           for b in m.buffers]) for m in model.memories],
        "objective": model.objective,
        "objective_memory": model.objective_memory and model.objective_memory.name,
        "weights": {model.tasks[i].name: w for i, w in model.weights.items()},
        "dues": model.dues and {model.tasks[i].name: d for i, d in model.dues.items()},
        "horizon": model.horizon,
    }


NAMES = ["a", "start a", "x y", '"q"', "\\", "é", "日本", "|s|", "", "null", "0", "a\nb"]


def renamed(model, rng):
    """The model with its tasks under awkward names (spaces, quotes, non-ASCII, empty)."""
    names = rng.sample(NAMES, len(NAMES))
    for k, task in enumerate(model.tasks):
        task.name = names[k] if k < len(names) else f"t{k}"
    model._names = {t.name: t for t in model.tasks}
    return model


@settings(max_examples=scaled(1.0))
@given(sched_oracle.specs(min_tasks=0, max_tasks=6), st.integers(0, 2 ** 32))
def test_model_json_round_trip_keeps_every_field(spec, seed):
    model, _ = sched_oracle.build(spec)
    model = renamed(model, random.Random(seed))
    text = model_json.dumps(model)
    json.loads(text)   # plain JSON
    again = model_json.loads(text)
    assert shape(again) == shape(model)
    assert model_json.dumps(again) == text


def test_model_json_leaves_defaults_out():
    m = Model("m")
    a, b = m.task("a", 2), m.task("b", 1, release=3, deadline=9)
    m.precedence(a, b)
    m.precedence(b, a, min_lag=-5, max_lag=0)
    m.unary([a, b], name="m0")
    m.minimize_makespan()
    assert json.loads(model_json.dumps(m)) == {
        "format": "smtsched-model", "version": 1, "name": "m",
        "tasks": [{"name": "a", "duration": 2},
                  {"name": "b", "duration": 1, "release": 3, "deadline": 9}],
        "precedences": [{"before": "a", "after": "b"},
                        {"before": "b", "after": "a", "min_lag": -5, "max_lag": 0}],
        "resources": [{"name": "m0", "capacity": 1, "demands": [["a", 1], ["b", 1]]}],
        "objective": "makespan"}


MODEL_BAD = [
    ("[]", "one JSON object"),
    ("{", "not JSON"),
    ('{"format": "smtsched-model", "version": 2, "tasks": []}', "version"),
    ('{"format": "smtsched-model", "version": 1, "tasks": [], "tasks": []}', "twice"),
    ('{"format": "smtsched-model", "version": 1, "tasks": [], "colour": 1}', "unknown keys"),
    ('{"format": "smtsched-model", "version": 1, "tasks": [{"name": "a", "duration": 1.0}]}',
     "must be int"),
    ('{"format": "smtsched-model", "version": 1, "tasks": [{"name": "a", "duration": true}]}',
     "must be int"),
    ('{"format": "smtsched-model", "version": 1, "tasks": [{"name": "a", "duration": NaN}]}',
     "NaN"),
    ('{"format": "smtsched-model", "version": 1, "tasks": [{"name": "a", "duration": 1}],'
     ' "precedences": [{"before": "a", "after": "b"}]}', "names no task"),
    ('{"format": "smtsched-model", "version": 1, "tasks": [{"name": "a", "duration": 1},'
     ' {"name": "a", "duration": 2}]}', "twice"),
    ('{"format": "smtsched-model", "version": 1, "tasks": [{"name": "a", "duration": 1}],'
     ' "resources": [{"name": "r", "capacity": 2, "demands": [["a", 0]]}]}', "demand"),
    ('{"format": "smtsched-model", "version": 1, "tasks": [{"name": "a", "duration": 1}],'
     ' "resources": [{"name": "r", "capacity": 2, "demands": [["a", 1], ["a", 1]]}]}',
     "twice"),
    ('{"format": "smtsched-model", "version": 1, "tasks": [{"name": "a", "duration": -1}]}',
     "negative"),
    ('{"format": "smtsched-model", "version": 1, "tasks": ["a"]}', "JSON object"),
    ("[" * 100000 + "]" * 100000, "JSON"),
]


@pytest.mark.parametrize("text, message", MODEL_BAD)
def test_malformed_model_json_is_an_error_for_the_checker_and_for_loads(text, message):
    with pytest.raises(SchedInputError, match=message):
        checker.read_model(text, {})
    with pytest.raises(ModelError):
        model_json.loads(text)


def unsupported_features(spec):
    """The words the checker may name for the features of the spec it cannot check: none
    (memories and the peak objective are read since their certificates,
    tests/test_certify_memory_check.py; the oracle's buffer and memory names are distinct)."""
    return set()


def random_schedules(spec, starts, rng, count):
    """A valid schedule (or random starts) and variations of it: one start moved a little,
    two starts swapped."""
    n = len(spec["tasks"])
    if starts is None:
        starts = [rng.randint(0, 10) for _ in range(n)]
    yield list(starts)
    for _ in range(count):
        s = list(starts)
        if n and rng.randrange(3):
            i = rng.randrange(n)
            s[i] = max(0, s[i] + rng.randint(-3, 3))
        elif n >= 2:
            i, j = rng.sample(range(n), 2)
            s[i], s[j] = s[j], s[i]
        yield s


def supported(spec):
    """The spec without what the checker cannot check (memories, the peak objective)."""
    objective = ("makespan",) if spec["objective"][0] == "peak" else spec["objective"]
    return dict(spec, memories=[], objective=objective)


def mandatory_only(spec):
    """The spec with every task mandatory (demands cut to the capacity), no alternatives,
    the makespan, the peak or no objective: the models whose G is the scheduling formats'
    one (memories add nothing to G until a certificate names their liveness atoms)."""
    tasks = [(d, r, dl, False) for d, r, dl, _ in spec["tasks"]]
    resources = [(cap, [(t, min(d, cap)) for t, d in demands], unary)
                 for cap, demands, unary in spec["resources"]]
    objective = spec["objective"] if spec["objective"][0] in ("none", "makespan", "peak") \
        else ("makespan",)
    return dict(spec, tasks=tasks, resources=resources, alternatives=[], objective=objective)


@settings(max_examples=scaled(1.0))
@given(sched_oracle.specs(min_tasks=0, max_tasks=6))
def test_read_model_refuses_what_it_cannot_check_by_name(spec):
    model, _ = sched_oracle.build(spec)
    text = model_json.dumps(model)
    features = unsupported_features(spec)
    if not features:
        checker.read_model(text, {})
        return
    with pytest.raises(SchedInputError, match="unsupported by the checker: ") as error:
        checker.read_model(text, {})
    assert any(str(error.value).startswith("unsupported by the checker: " + f)
               for f in features), (str(error.value), features)


@settings(max_examples=scaled(1.5))
@given(sched_oracle.specs(min_tasks=0, max_tasks=6), st.integers(0, 2 ** 32))
def test_read_model_judges_schedules_as_the_oracle_does(spec, seed):
    """model_json.dumps and the checker's read_model agree: on the models it supports the
    checker accepts exactly the schedules that tests/sched_oracle.py accepts (memory
    capacities too), with the oracle's makespan or peak, and G holds on each of them (on
    machines alone: exactly on them)."""
    spec = mandatory_only(spec)
    model, _ = sched_oracle.build(spec)
    g = checker.read_model(model_json.dumps(model), {})
    agrees_with_model(g, model)
    peak = spec["objective"][0] == "peak"
    assert g.objective == (
        None if spec["objective"][0] == "none" else
        {"name": "peak_memory", "variable": None, "memory": f"memory{spec['objective'][1]}"}
        if peak else {"name": "makespan", "variable": "makespan"})
    rng = random.Random(seed)
    result = model.solve(time_limit=2) if rng.randrange(2) else None
    known = None if result is None or result.status not in ("OPTIMAL", "FEASIBLE") \
        else [result.start(t) for t in model.tasks]
    # (a memory's capacity is no clause of G: certificates state it through liveness atoms)
    machines_only = all(c[0] == 1 or sum(d > 0 for _, d in c[1]) < 3
                        for c in spec["resources"]) \
        and all(cap is None for cap, _ in spec["memories"])
    n = len(spec["tasks"])
    for starts in random_schedules(spec, known, rng, 6):
        problems = sched_oracle.violations(spec, starts, [True] * n)
        by_name = {t.name: s for t, s in zip(model.tasks, starts)}
        makespan = max((s + t[0] for s, t in zip(starts, spec["tasks"])), default=0)
        values = dict({f"start {t.name}": s for t, s in zip(model.tasks, starts)},
                      makespan=makespan)
        if problems:
            with pytest.raises(ValueError):
                g.check_schedule(by_name)
            if machines_only:
                assert not satisfied(g, values), problems
        else:
            assert g.check_schedule(by_name) == (
                sched_oracle.objective(spec, starts, [True] * n) if peak else makespan)
            assert satisfied(g, values)


def test_the_model_reader_reads_a_weighted_objective_and_a_horizon():
    m = Model()
    a = m.task("a", 3)
    m.set_horizon(5)
    g = checker.read_model(model_json.dumps(m), {})
    assert g.objective is None
    assert has_unit(g, "start a", None, 2)
    with pytest.raises(ValueError, match="horizon 5"):
        g.check_schedule({"a": 3})
    m.minimize_weighted_completion({a: 2})
    g = checker.read_model(model_json.dumps(m), {})
    assert g.objective == {"name": "weighted_completion", "variable": None, "constraint": 0}
    assert g.constraints == [{"kind": "cost", "name": "weighted_completion", "tasks": [
        {"start": "start a", "duration": 3, "weight": 2, "due": None}]}]
    assert g.check_schedule({"a": 1}) == 8
    m.minimize_weighted_tardiness({a: 2}, {a: 5})
    g = checker.read_model(model_json.dumps(m), {})
    assert g.constraints[0]["tasks"][0]["due"] == 2
    assert g.check_schedule({"a": 1}) == 10
    assert g.check_schedule({"a": 0}) == 5


# -- end to end: a hand-written certificate on each scheduling format, through the checker ------

TWO_JOBS = "2 1\n0 3\n0 4\n"   # two operations of 3 and 4 on one machine: the optimum is 7


def two_jobs_model_json():
    m = Model("two")
    a, b = m.task("j0o0", 3), m.task("j1o0", 4)
    m.unary([a, b], name="m0")
    m.minimize_makespan()
    return model_json.dumps(m)


# G's atoms under the certificate's numbers, makespan <= 6 as the bound assumption (8), and the
# two orders refuted by a cycle each: s0 -> 0 -> makespan -> s1 -> s0 weighs 0 + 6 - 4 - 3
TWO_ATOMS = ['1 atom Int null "makespan" <= 0', '2 atom Int null "start j0o0" <= 0',
             '3 atom Int null "start j1o0" <= 0', '4 atom Int "start j0o0" "makespan" <= -3',
             '5 atom Int "start j1o0" "makespan" <= -4',
             '6 atom Int "start j0o0" "start j1o0" <= -3',
             '7 atom Int "start j1o0" "start j0o0" <= -4', '8 atom Int "makespan" null <= 6']
TWO_CNF = [[1], [2], [3], [4], [5], [6, 7]]
TWO_LEMMAS = [{"clause": [-6, -5, -8, -2], "kind": "conflict", "theory": "difference",
               "rule": "cycle", "witness": {"cycle": [3, 2, 1, 0]}},
              {"clause": [-7, -4, -8, -3], "kind": "conflict", "theory": "difference",
               "rule": "cycle", "witness": {"cycle": [3, 2, 1, 0]}}]


def two_jobs_certificate(folder, fmt, text, value=7, starts=None, cnf=TWO_CNF):
    os.makedirs(folder)
    name = "input.json" if fmt == "model" else "input.txt"
    with open(os.path.join(folder, name), "w", encoding="utf-8", newline="") as f:
        f.write(text)
    manifest = {"format": "smtsched-certificate", "version": 1,
                "input": {"file": name, "format": fmt,
                          "sha256": hashlib.sha256(text.encode()).hexdigest()},
                "query": {}, "claim": {"kind": "optimal", "objective": "makespan",
                                       "value": value},
                "assumptions": [8],
                "files": {"cnf": "problem.cnf", "atoms": "atoms.txt",
                          "constraints": "constraints.json", "lemmas": "lemmas.jsonl",
                          "proof": "proof.drup", "schedule": "schedule.json"},
                "complete": True, "incomplete": []}
    contents = {
        "manifest.json": json.dumps(manifest),
        "atoms.txt": "".join(a + "\n" for a in TWO_ATOMS),
        "problem.cnf": f"p cnf 8 {len(cnf)}\n" + "".join(
            " ".join(map(str, c + [0])) + "\n" for c in cnf),
        "constraints.json": json.dumps([{"kind": "disjunctive", "name": "m0", "tasks": [
            {"start": "start j0o0", "duration": 3}, {"start": "start j1o0", "duration": 4}]}]),
        "lemmas.jsonl": "".join(json.dumps(r) + "\n" for r in TWO_LEMMAS),
        "proof.drup": "0\n",
        "schedule.json": json.dumps({"starts": starts or {"j0o0": 0, "j1o0": 3},
                                     "objective": value}),
    }
    for file, body in contents.items():
        with open(os.path.join(folder, file), "w", encoding="utf-8") as f:
            f.write(body)
    return folder


@pytest.mark.parametrize("fmt, text", [("jobshop", TWO_JOBS), ("model", None)])
def test_an_optimal_certificate_on_a_scheduling_input_verifies_and_tampering_is_caught(
        tmp_path, fmt, text):
    from smtsched.certify.check.verify import check
    text = text or two_jobs_model_json()
    assert check(two_jobs_certificate(str(tmp_path / "ok"), fmt, text)).ok
    # a schedule that is not the claimed optimum, or breaks the machine
    assert not check(two_jobs_certificate(str(tmp_path / "value"), fmt, text, value=6)).ok
    clash = check(two_jobs_certificate(str(tmp_path / "clash"), fmt, text,
                                       starts={"j0o0": 0, "j1o0": 2}))
    assert not clash.ok and "carries" in clash.reason
    # another input (the second operation shorter): its G has no unit s1 - makespan <= -4,
    # and its machine no task of duration 4
    other = text.replace("0 4", "0 2") if fmt == "jobshop" else \
        text.replace('"duration":4', '"duration":2')
    assert other != text
    verdict = check(two_jobs_certificate(str(tmp_path / "other"), fmt, other))
    assert not verdict.ok and ("problem.cnf" in verdict.reason
                               or "constraints.json" in verdict.reason), verdict.reason
    # a clause G does not have: the machine's pair clause dropped to one order
    verdict = check(two_jobs_certificate(str(tmp_path / "order"), fmt, text,
                                         cnf=TWO_CNF[:-1] + [[6]]))
    assert not verdict.ok and "problem.cnf" in verdict.reason, verdict.reason
