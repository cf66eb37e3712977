"""The project-scheduling formats read through psplib (smtsched.sched.psplib_formats, issue 17).

- every file of ../shared/data/pyjobshop/ (PyJobShop's examples) either reads and solves, with
  each schedule checked against psplib's own data by a checker written here (precedences with
  their lags, resource profiles of the chosen modes, one mode per activity), or is refused
  with the FormatError that names what the model cannot express (an explicit table: nothing
  is skipped silently);
- on every PSPLIB file of ../shared/data/rcpsp/ our own reader and psplib build the same model
  (tasks, durations, demands, capacities, precedences), and a few solve to the same result;
- small RCPSP/max files written here (feasible and infeasible, minimum and maximum lags)
  against brute-force enumeration;
- malformed files: FormatError naming the file (and the line when it can be found), and the
  command line prints one line, no traceback; --proof on RCPSP/max and multi-mode files.

The data tests are skipped, saying why, when the data folder is absent (set SMTSCHED_DATA).
"""
import glob
import itertools
import os
import random
import subprocess
import sys

import pytest

psplib = pytest.importorskip("psplib", reason="psplib needs Python 3.10 (pyproject.toml)")

from smtsched.certify import check as check_certificate  # noqa: E402
from smtsched.sched import (FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, FormatError,  # noqa: E402
                            read_model, read_psplib)
from smtsched.sched.psplib_formats import model_difference  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(ROOT, "..", "shared", "data")
PYJOBSHOP = os.path.join(DATA, "pyjobshop")
RCPSP = os.path.join(DATA, "rcpsp")


def data_folder(folder):
    if not os.path.isdir(folder):
        pytest.skip(f"benchmark data not found: {folder} (set SMTSCHED_DATA)")
    return folder


def data_files(folder, pattern="*"):
    data_folder(folder)
    files = sorted(glob.glob(os.path.join(folder, pattern)))
    assert files, f"{folder} holds no {pattern}"
    return files


# every file of pyjobshop/: its psplib format, and either None (reads and solves) or the words
# of the FormatError that refuses it
# (the flexible job shops, not psplib's, are read and checked in tests/test_fjs_format.py)
PYJOBSHOP_FILES = {
    "MFJS1.fjs": ("fjs", None),
    "Mk01.fjs": ("fjs", None),
    "edata-car1.fjs": ("fjs", None),
    "small.fjs": ("fjs", None),
    "PSP1.sch": ("rcpsp_max", None),
    "UBO10_01.sch": ("rcpsp_max", None),
    "aslib0_0.rcp": ("aslib", None),                  # optional activities, selection groups
    "c154_3.mm": ("psplib", None),                     # non-renewable budgets that bind
    "r54_9.mm": ("psplib", None),
    "small.mm": ("psplib", None),                      # its budgets never bind
    "j9041_6.sm": ("psplib", None),
}
# the least makespans of the multi-mode files (c154_3 and r54_9: smtsched and z3 on the
# model's SMT-LIB agreed, and each is certified below)
PYJOBSHOP_OPTIMA = {"small.mm": 4, "c154_3.mm": 34, "r54_9.mm": 54, "aslib0_0.rcp": 100}


# -- the checker: psplib's data, not smtsched's model -----------------------------------------
def schedule_problems(instance, format, result):
    """What is wrong with `result`'s schedule as a schedule of the psplib `instance` (empty:
    nothing). Activity k is task "job{k+1}"; a multi-mode activity's chosen mode m is the
    present task "job{k+1}.mode{m+1}", which starts with the activity."""
    problems = []
    chosen = []   # (start, mode) per activity
    for k, activity in enumerate(instance.activities):
        name = f"job{k + 1}"
        start = result.start(name)
        if start is None and activity.optional:
            chosen.append(None)   # absent (psplib: an optional activity)
            continue
        if start is None:
            return [f"{name} has no start"]
        if start < 0:
            problems.append(f"{name} starts at {start} < 0")
        if activity.num_modes == 1:
            chosen.append((start, activity.modes[0]))
            continue
        modes = [m for m in range(activity.num_modes)
                 if has_task(result.model, f"{name}.mode{m + 1}")
                 and result.start(f"{name}.mode{m + 1}") is not None]
        if len(modes) != 1:
            problems.append(f"{name} runs in {len(modes)} modes")
            continue
        if result.start(f"{name}.mode{modes[0] + 1}") != start:
            problems.append(f"{name}'s mode does not start with it")
        chosen.append((start, activity.modes[modes[0]]))
    if problems:
        return problems
    for k, activity in enumerate(instance.activities):
        # psplib: a scheduled activity has at least one scheduled activity in each group
        if chosen[k] is not None:
            for group in activity.selection_groups:
                if all(chosen[j] is None for j in group):
                    problems.append(f"job{k + 1} is there but none of its group {group}")
    present = [c for c in chosen if c is not None]
    for k, activity in enumerate(instance.activities):
        delays = activity.delays or [None] * len(activity.successors)
        for j, delay in zip(activity.successors, delays):
            if chosen[k] is None or chosen[j] is None:
                continue   # an absent activity constrains nothing
            (sk, mk), (sj, _) = chosen[k], chosen[j]
            need = sk + (mk.duration if delay is None else delay)
            if sj < need:
                problems.append(f"job{j + 1} starts at {sj}, before {need} (after job{k + 1})")
    for r, resource in enumerate(instance.resources):
        if not resource.renewable:
            used = sum(mode.demands[r] for _, mode in present)
            if used > resource.capacity:
                problems.append(f"non-renewable resource {r + 1}: {used} > {resource.capacity}")
            continue
        for t in {s for s, _ in present}:
            load = sum(mode.demands[r] for s, mode in present if s <= t < s + mode.duration)
            if load > resource.capacity:
                problems.append(f"resource {r + 1} carries {load} > {resource.capacity} at {t}")
    makespan = max(s + mode.duration for s, mode in present)
    if result.objective != makespan:
        problems.append(f"the objective {result.objective} is not the makespan {makespan}")
    return problems


def has_task(model, name):
    try:
        model[name]
    except KeyError:
        return False
    return True


def assert_answer(path, format, result):
    """The status is one of the four; a schedule passes the checker; INFEASIBLE carries none."""
    assert result.status in (OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN)
    if result.status in (OPTIMAL, FEASIBLE):
        instance = psplib.parse(path, format)
        assert schedule_problems(instance, format, result) == [], path
        assert result.lower_bound is not None and result.lower_bound <= result.objective
    else:
        assert result.objective is None


# -- the pyjobshop examples --------------------------------------------------------------------
def test_the_table_names_every_pyjobshop_file():
    names = {os.path.basename(p) for p in data_files(PYJOBSHOP)}
    assert names == set(PYJOBSHOP_FILES)


@pytest.mark.parametrize("name", sorted(n for n, (f, _) in PYJOBSHOP_FILES.items()
                                         if f != "fjs"))
def test_every_pyjobshop_file_reads_and_solves_or_is_refused_by_name(name):
    path = os.path.join(data_folder(PYJOBSHOP), name)
    format, refused = PYJOBSHOP_FILES[name]
    if refused is not None:
        with pytest.raises(FormatError) as caught:
            read_model(path, format)
        assert refused in str(caught.value) and path in str(caught.value)
        return
    model = read_model(path, format)
    # the files of known optimum are solved to the end (under a second each, unloaded): a
    # time limit would make the answer depend on the machine's load
    result = model.solve(time_limit=None if name in PYJOBSHOP_OPTIMA else 3)
    assert_answer(path, format, result)
    if name in PYJOBSHOP_OPTIMA:
        assert (result.status, result.objective) == (OPTIMAL, PYJOBSHOP_OPTIMA[name])
    if name == "j9041_6.sm":
        assert result.status in (OPTIMAL, FEASIBLE)


def test_aslib_read_as_patterson_is_refused_not_solved_as_plain_rcpsp():
    """psplib's Patterson parser stops after the activities and would drop the alternative
    subgraphs: a different problem, refused at the first line it would ignore."""
    path = os.path.join(data_folder(PYJOBSHOP), "aslib0_0.rcp")
    with pytest.raises(FormatError) as caught:
        read_model(path)
    assert caught.value.line > 0 and "ASLIB" in str(caught.value)


def cpsat_rcpsp_max(instance, seconds=20):
    """CP-SAT on psplib's data (start-to-start delays), independent of smtsched's model:
    "INFEASIBLE", "OPTIMAL" (with the makespan) or "UNKNOWN"."""
    cp_model = pytest.importorskip("ortools.sat.python.cp_model")
    m = cp_model.CpModel()
    horizon = sum(a.modes[0].duration + sum(abs(d) for d in a.delays or [])
                  for a in instance.activities)
    starts = [m.NewIntVar(0, horizon, f"s{k}") for k in range(instance.num_activities)]
    intervals = []
    for k, a in enumerate(instance.activities):
        d = a.modes[0].duration
        intervals.append(m.NewIntervalVar(starts[k], d, starts[k] + d, f"i{k}"))
        for j, delay in zip(a.successors, a.delays):
            m.Add(starts[j] >= starts[k] + delay)
    for r, resource in enumerate(instance.resources):
        m.AddCumulative(intervals, [a.modes[0].demands[r] for a in instance.activities],
                        resource.capacity)
    makespan = m.NewIntVar(0, horizon, "makespan")
    for k, a in enumerate(instance.activities):
        m.Add(makespan >= starts[k] + a.modes[0].duration)
    m.Minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    status = solver.Solve(m)
    if status == cp_model.INFEASIBLE:
        return "INFEASIBLE", None
    if status == cp_model.OPTIMAL:
        return "OPTIMAL", int(solver.ObjectiveValue())
    return "UNKNOWN", None


def cpsat_selection(instance, seconds=20):
    """CP-SAT on psplib's data of a file with optional activities and selection groups
    (single mode, finish-to-start), independent of smtsched's model: optional intervals,
    a precedence while both ends are present, each group of a present activity with a
    present member; "OPTIMAL" with the makespan, or another status."""
    cp_model = pytest.importorskip("ortools.sat.python.cp_model")
    m = cp_model.CpModel()
    horizon = sum(a.modes[0].duration for a in instance.activities)
    starts, present, intervals = [], [], []
    for k, a in enumerate(instance.activities):
        d = a.modes[0].duration
        starts.append(m.NewIntVar(0, horizon, f"s{k}"))
        present.append(m.NewBoolVar(f"p{k}") if a.optional else m.NewConstant(1))
        intervals.append(m.NewOptionalIntervalVar(starts[k], d, starts[k] + d, present[k],
                                                  f"i{k}"))
    makespan = m.NewIntVar(0, horizon, "makespan")
    for k, a in enumerate(instance.activities):
        for j in a.successors:
            m.Add(starts[j] >= starts[k] + a.modes[0].duration).OnlyEnforceIf(
                [present[k], present[j]])
        for group in a.selection_groups:
            m.AddBoolOr([present[j] for j in group]).OnlyEnforceIf(present[k])
        m.Add(makespan >= starts[k] + a.modes[0].duration).OnlyEnforceIf(present[k])
    for r, resource in enumerate(instance.resources):
        m.AddCumulative(intervals, [a.modes[0].demands[r] for a in instance.activities],
                        resource.capacity)
    m.Minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    status = solver.Solve(m)
    if status == cp_model.OPTIMAL:
        return "OPTIMAL", int(solver.ObjectiveValue())
    return solver.StatusName(status), None


def test_aslib_optimum_is_cpsat_s_and_the_certificate_checks(tmp_path):
    """aslib0_0 (RCPSP-AS): optional activities, selection groups as presence rules; the
    optimum CP-SAT finds on psplib's data, certified."""
    path = os.path.join(data_folder(PYJOBSHOP), "aslib0_0.rcp")
    instance = psplib.parse(path, "aslib")
    assert any(a.optional for a in instance.activities)
    assert cpsat_selection(instance) == ("OPTIMAL", PYJOBSHOP_OPTIMA["aslib0_0.rcp"])
    model = read_model(path, "aslib")
    assert model.presence_rules
    result = model.solve(proof=str(tmp_path))
    assert (result.status, result.objective) == (OPTIMAL, PYJOBSHOP_OPTIMA["aslib0_0.rcp"])
    assert schedule_problems(instance, "aslib", result) == []
    verdict = check_certificate(str(tmp_path))
    assert verdict.ok, verdict.reason
    # not vacuous: without the groups, leaving the branches out is shorter
    model.presence_rules = []
    assert model.solve().objective < PYJOBSHOP_OPTIMA["aslib0_0.rcp"]


def test_ubo10_01_is_infeasible_as_cpsat_says_and_the_certificate_checks(tmp_path):
    """UBO10_01 (ProGen/max) has no schedule: resources and lags together (no positive cycle
    of lags alone), proven by a search, not a timeout, and certified."""
    path = os.path.join(data_folder(PYJOBSHOP), "UBO10_01.sch")
    assert cpsat_rcpsp_max(psplib.parse(path, "rcpsp_max"))[0] == "INFEASIBLE"
    model = read_model(path)
    from smtsched.sched import bounds
    assert bounds.positive_cycle(model) is None   # the resources are needed for the proof
    result = model.solve(proof=str(tmp_path))
    assert result.status == INFEASIBLE and result.certificate is not None
    verdict = check_certificate(str(tmp_path))
    assert verdict.ok, verdict.reason


def test_psp1_infeasible_answer_is_certified(tmp_path):
    """PSP1 (500 activities): CP-SAT does not decide it in 2 minutes (1 worker); smtsched's
    INFEASIBLE must come with a certificate the independent checker accepts."""
    path = os.path.join(data_folder(PYJOBSHOP), "PSP1.sch")
    result = read_model(path).solve(time_limit=60, proof=str(tmp_path))
    assert result.status in (INFEASIBLE, UNKNOWN)
    if result.status == INFEASIBLE:
        assert result.certificate is not None, result.certificate_note
        verdict = check_certificate(str(tmp_path))
        assert verdict.ok, verdict.reason


# -- PSPLIB single mode: our reader and psplib agree -----------------------------------------
def rcpsp_files():
    return data_files(RCPSP, os.path.join("j*", "*.sm"))


def test_own_reader_and_psplib_build_the_same_model_on_every_psplib_file():
    files = [f for f in rcpsp_files() if not f.endswith("hrs.sm")]
    assert len(files) >= 600
    for path in files:
        own = read_psplib(path)
        through_psplib = read_model(path)
        assert model_difference(own, through_psplib) is None, path
        # and not vacuously: the model holds the file's data
        instance = psplib.parse(path, "psplib")
        assert len(through_psplib.tasks) == instance.num_activities
        assert [r.capacity for r in through_psplib.resources] == \
            [r.capacity for r in instance.resources]
        assert [t.duration for t in through_psplib.tasks] == \
            [a.modes[0].duration for a in instance.activities]


def test_the_psplib_solution_file_is_refused_clearly():
    path = os.path.join(RCPSP, "j30", "j30hrs.sm")
    if not os.path.exists(path):
        pytest.skip(f"benchmark data not found: {path} (set SMTSCHED_DATA)")
    with pytest.raises(FormatError) as caught:
        read_model(path)
    assert path in str(caught.value)


@pytest.mark.parametrize("name", ["j30/j301_1.sm", "j30/j3010_3.sm", "j60/j601_1.sm"])
def test_the_old_readers_results_stay_the_same(name):
    """Same model, same seed, conflict budgets (no time limit): the same answer, bound and
    schedule from the model of our reader and from psplib's."""
    path = os.path.join(RCPSP, name)
    if not os.path.exists(path):
        pytest.skip(f"benchmark data not found: {path} (set SMTSCHED_DATA)")
    old = read_psplib(path).solve(seed=3)
    new = read_model(path).solve(seed=3)
    assert (old.status, old.objective, old.lower_bound) == \
        (new.status, new.objective, new.lower_bound)
    assert old.starts == new.starts
    assert_answer(path, "psplib", new)


def test_a_few_psplib_files_of_each_size_read_and_solve():
    for folder in ("j30", "j60", "j120"):
        for path in data_files(os.path.join(RCPSP, folder), "*.sm")[:2]:
            assert_answer(path, "psplib", read_model(path).solve(time_limit=1))


@pytest.mark.slow
def test_every_psplib_file_reads_and_solves():
    for path in rcpsp_files():
        if path.endswith("hrs.sm"):
            continue
        assert_answer(path, "psplib", read_model(path).solve(time_limit=2))


# -- RCPSP/max written here, against brute force ---------------------------------------------
def sch_text(durations, demands, capacities, arcs):
    """A ProGen/max .sch file: activities 0 and n+1 are the dummies (duration 0, no
    demand) that `durations` leaves out; arcs (i, j, lag) between 0..n+1."""
    n = len(durations)
    durations = [0] + list(durations) + [0]
    demands = [[0] * len(capacities)] + [list(d) for d in demands] + [[0] * len(capacities)]
    lines = [f"{n}\t{len(capacities)}\t0\t0"]
    for i in range(n + 2):
        out = [(j, lag) for a, j, lag in arcs if a == i]
        lines.append("\t".join([str(i), "1", str(len(out))] + [str(j) for j, _ in out]
                               + [f"[{lag}]" for _, lag in out]))
    for i in range(n + 2):
        lines.append("\t".join(map(str, [i, 1, durations[i]] + demands[i])))
    lines.append("\t".join(map(str, capacities)))
    return "\n".join(lines) + "\n"


def brute_force(durations, demands, capacities, arcs):
    """The least makespan over all integer starts in [0, horizon] (None: no schedule), by
    enumeration with the lags checked as tasks are placed. The instances here have arcs of
    lag 0 from the source (0) to every activity and none into it, and arcs into the sink
    (n + 1) only: shifting a schedule so that its earliest start is 0 keeps it valid and no
    longer, so the source starts at 0, and the sink at the least start its arcs allow. The
    horizon, the sum of all durations and absolute lags, holds an optimal schedule when there
    is one (an active schedule needs no gap longer than that)."""
    n = len(durations)
    assert all(a != n + 1 and b != 0 for a, b, _ in arcs)
    assert all((0, i, 0) in arcs for i in range(1, n + 1))
    durations = [0] + list(durations) + [0]
    demands = [[0] * len(capacities)] + [list(d) for d in demands] + [[0] * len(capacities)]
    horizon = sum(durations) + sum(abs(lag) for _, _, lag in arcs)
    best = None
    starts = [0] + [None] * (n + 1)

    def place(i):
        nonlocal best
        if i == n + 1:
            starts[i] = max([0] + [starts[a] + lag for a, b, lag in arcs if b == n + 1])
            for r, capacity in enumerate(capacities):
                for t in set(starts):
                    if sum(demands[k][r] for k in range(n + 2)
                           if starts[k] <= t < starts[k] + durations[k]) > capacity:
                        return
            makespan = max(s + d for s, d in zip(starts, durations))
            best = makespan if best is None else min(best, makespan)
            return
        for s in range(horizon + 1):
            starts[i] = s
            if all(starts[b] >= starts[a] + lag for a, b, lag in arcs
                   if max(a, b) == i and b != n + 1 and starts[a] is not None
                   and starts[b] is not None):
                place(i + 1)
        starts[i] = None

    place(1)
    return best


def random_rcpsp_max(generator):
    n = generator.randint(2, 3)
    durations = [generator.randint(1, 3) for _ in range(n)]
    capacities = [generator.randint(1, 3)]
    demands = [[generator.randint(0, capacities[0])] for _ in range(n)]
    arcs = [(0, i, 0) for i in range(1, n + 1)] + [(i, n + 1, durations[i - 1])
                                                    for i in range(1, n + 1)]
    for _ in range(generator.randint(1, 3)):
        a, b = generator.sample(range(1, n + 1), 2)
        arcs.append((a, b, generator.randint(-4, 4)))
    return durations, demands, capacities, arcs


HAND_WRITTEN = [
    # (name, instance, the least makespan or None)
    ("chain", ([2, 3], [[1], [1]], [1], [(0, 1, 0), (0, 2, 0), (1, 2, 2), (1, 3, 2),
                                         (2, 3, 3)]), 5),
    # a maximum lag: 2 starts at most 1 after 1 starts (the arc 2 -> 1 of lag -1), and they
    # cannot overlap (capacity 1): 2 must come first, then 1 (3 + 2 = 5)
    ("max lag orders the pair", ([3, 2], [[1], [1]], [1],
                                 [(0, 1, 0), (0, 2, 0), (2, 1, -1), (1, 3, 3), (2, 3, 2)]), 5),
    # a positive cycle of lags: 1 -> 2 at least 3, 2 -> 1 at least -2
    ("positive cycle", ([1, 1], [[0], [0]], [1],
                        [(0, 1, 0), (0, 2, 0), (1, 2, 3), (2, 1, -2), (1, 3, 1), (2, 3, 1)]),
     None),
    # start together (lags 0 both ways) but the resource cannot hold both: a search proves it
    ("must overlap, cannot", ([2, 2], [[2], [2]], [3],
                              [(0, 1, 0), (0, 2, 0), (1, 2, 0), (2, 1, 0), (1, 3, 2),
                               (2, 3, 2)]), None),
]


def solve_sch(tmp_path, name, instance):
    path = tmp_path / f"{name.replace(' ', '_')}.sch"
    path.write_text(sch_text(*instance))
    result = read_model(str(path)).solve()
    assert_answer(str(path), "rcpsp_max", result)
    return result


@pytest.mark.parametrize("name, instance, optimum", HAND_WRITTEN,
                         ids=[h[0] for h in HAND_WRITTEN])
def test_hand_written_rcpsp_max_against_brute_force(tmp_path, name, instance, optimum):
    assert brute_force(*instance) == optimum
    result = solve_sch(tmp_path, name, instance)
    if optimum is None:
        assert result.status == INFEASIBLE
    else:
        assert (result.status, result.objective) == (OPTIMAL, optimum)


@pytest.mark.parametrize("count", [20, pytest.param(300, marks=pytest.mark.slow)])
def test_random_rcpsp_max_against_brute_force(tmp_path, count):
    generator = random.Random(17 + count)
    seen = set()
    for number in range(count):
        instance = random_rcpsp_max(generator)
        optimum = brute_force(*instance)
        seen.add(optimum is None)
        result = solve_sch(tmp_path, f"random{number}", instance)
        if optimum is None:
            assert result.status == INFEASIBLE, instance
        else:
            assert (result.status, result.objective) == (OPTIMAL, optimum), instance
    assert seen == {True, False}   # both kinds were drawn


def test_a_negative_lag_is_a_maximum_lag_of_the_reverse_arc(tmp_path):
    """1 -> 2 with lag -3 (psplib: start(1) - 3 <= start(2)): 1 starts at most 3 after 2
    does. They cannot overlap, and 2 is long: 2 first would put 1 at 5 > 0 + 3, so 1 goes
    first (makespan 1 + 5 = 6), which the greedy order by tails would not choose."""
    instance = ([1, 5], [[1], [1]], [1], [(0, 1, 0), (0, 2, 0), (1, 2, -3), (1, 3, 1),
                                          (2, 3, 5)])
    assert brute_force(*instance) == 6
    result = solve_sch(tmp_path, "reverse", instance)
    assert (result.status, result.objective) == (OPTIMAL, 6)
    assert result.start("job2") < result.start("job3")


# -- malformed files -------------------------------------------------------------------------
UBO = sch_text([2, 3], [[1], [1]], [1], [(0, 1, 0), (0, 2, 0), (1, 2, 2), (1, 3, 2), (2, 3, 3)])

MALFORMED = [
    # (name, text, words of the message, located)
    ("short.sch", UBO.splitlines()[0] + "\n" + UBO.splitlines()[1] + "\n", "ends too early",
     True),
    ("letters.sch", UBO.replace("[2]", "[x2]", 1), "an integer was expected", True),
    ("unknown.sch", UBO.replace("1\t1\t2\t2\t3", "1\t1\t2\t9\t3", 1), "unknown successor",
     False),
    ("multimode.sch", UBO.replace("2\t1\t0\t0", "2\t1\t1\t0", 1), "non-renewable", True),
    ("modes.sch", UBO.replace("1\t1\t2\t2\t3", "1\t2\t2\t2\t3", 1), "multi-mode", True),
    ("delays.sch", UBO.replace("\t[3]", "", 1), "delays", True),
    ("trailing.sch", UBO + "1 2 3\n", "after the line of resource capacities", True),
    ("demand.sch", UBO.replace("1\t1\t2\t1", "1\t1\t2\t5", 1), "capacity is 1", False),
    ("empty.rcp", "", "ends too early", True),
    ("trailing.rcp", "2 1\n3\n0 0 1 2\n0 0 0\n7\n", "more data", True),
    ("binary.sm", "\x00\x01", "NUL", True),
    ("titles.sm", None, "resource titles", True),
]


def titles_sm():
    path = os.path.join(RCPSP, "j30", "j301_1.sm")
    if not os.path.exists(path):
        pytest.skip(f"benchmark data not found: {path} (set SMTSCHED_DATA)")
    with open(path) as handle:
        return handle.read().replace("  R 1  R 2  R 3  R 4", "  R 1  R 2  R 3  X 4")


@pytest.mark.parametrize("name, text, words, located", MALFORMED,
                         ids=[m[0] for m in MALFORMED])
def test_malformed_files_give_a_format_error_with_the_path(tmp_path, name, text, words,
                                                           located):
    path = tmp_path / name
    path.write_text(titles_sm() if text is None else text)
    with pytest.raises(FormatError) as caught:
        read_model(str(path))
    message = str(caught.value)
    assert message.startswith(str(path)) and words in message, message
    assert (caught.value.line > 0) == located, message


def test_the_refused_formats_name_their_feature(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("1 1\n")
    for format, words in (("mslib", "multi-skilled"),):
        with pytest.raises(FormatError) as caught:
            read_model(str(path), format)
        assert words in str(caught.value) and str(path) in str(caught.value)


def test_a_non_binding_budget_is_dropped_and_a_binding_one_kept(tmp_path):
    """small.mm's non-renewable capacities (29, 40) exceed what any choice of modes can use
    (9, 16): solved without them. Lowered to 8, the first binds (job2's first mode consumes
    9 of it): kept as a row over the modes, and the optimum is brute force's."""
    source = os.path.join(data_folder(PYJOBSHOP), "small.mm")
    with open(source) as handle:
        text = handle.read()
    assert "    9    4   29   40" in text
    model = read_model(source)
    assert model.nonrenewables == []
    # job2's third mode needs 6 of R2, whose capacity is 4: never chosen, left out
    assert [(t.name, [o.name for o in options]) for t, options in model.alternatives] == [
        ("job2", ["job2.mode1", "job2.mode2"]), ("job3", ["job3.mode1", "job3.mode2",
                                                          "job3.mode3"])]
    assert [o.duration for o in model.alternatives[1][1]] == [1, 1, 5]
    path = tmp_path / "binding.mm"
    path.write_text(text.replace("    9    4   29   40", "    9    4    8   40"))
    binding = read_model(str(path))
    assert [(r.name, r.capacity, [(t.name, a) for t, a in r.consumption])
            for r in binding.nonrenewables] == [("N1", 8, [("job2.mode1", 9)])]
    result = binding.solve()
    assert_answer(str(path), "psplib", result)
    optimum = brute_force_mm(psplib.parse(str(path), "psplib"))
    assert optimum == 10 and (result.status, result.objective) == (OPTIMAL, optimum)
    assert result.start("job2.mode2") is not None   # the cheaper, slower mode


def test_the_checker_sees_an_overconsumed_budget():
    """Not vacuous: c154_3 solved without its non-renewable rows finds a shorter schedule
    (less than 34), whose modes the checker reports as over a budget."""
    path = os.path.join(data_folder(PYJOBSHOP), "c154_3.mm")
    relaxed = read_model(path)
    assert [r.name for r in relaxed.nonrenewables] == ["N1", "N2"]
    relaxed.nonrenewables.clear()
    result = relaxed.solve()
    assert result.status in (OPTIMAL, FEASIBLE) and result.objective < 34
    problems = schedule_problems(psplib.parse(path, "psplib"), "psplib", result)
    assert problems and all(p.startswith("non-renewable resource") for p in problems), problems


# -- multi-mode RCPSP with non-renewable resources written here, against brute force ----------
def mm_text(activities, resources):
    """A PSPLIB multi-mode file: `activities`, psplib's way (0-based): [(modes, successors)],
    each mode (duration, [demand per resource]); `resources`: [(capacity, renewable)], the
    renewable ones first, as PSPLIB lists them."""
    titles = [f"R {r + 1}" for r, (_, renewable) in enumerate(resources) if renewable]
    titles += [f"N {r + 1}" for r in range(len(resources) - len(titles))]
    lines = ["*" * 72, f"jobs (incl. supersource/sink ):  {len(activities)}", "RESOURCES",
             f"  - renewable                 :  {sum(r for _, r in resources)}   R",
             f"  - nonrenewable              :  {sum(not r for _, r in resources)}   N",
             "  - doubly constrained        :  0   D", "*" * 72, "PRECEDENCE RELATIONS:",
             "jobnr.    #modes  #successors   successors"]
    for k, (modes, successors) in enumerate(activities):
        lines.append("  ".join(map(str, [k + 1, len(modes), len(successors)]
                                   + [j + 1 for j in successors])))
    lines += ["*" * 72, "REQUESTS/DURATIONS:", "jobnr. mode duration  " + "  ".join(titles),
              "-" * 72]
    for k, (modes, _) in enumerate(activities):
        for m, (duration, demands) in enumerate(modes):
            lines.append("  ".join(map(str, ([k + 1] if m == 0 else []) + [m + 1, duration]
                                       + list(demands))))
    lines += ["*" * 72, "RESOURCEAVAILABILITIES:", "  " + "  ".join(titles),
              "  " + "  ".join(str(c) for c, _ in resources), "*" * 72]
    return "\n".join(lines) + "\n"


def brute_force_mm(instance, budgets=True):
    """The least makespan of a psplib multi-mode instance (None: no schedule): every choice
    of modes within the non-renewable capacities (`budgets`: False ignores them), and for
    each every order of the activities that respects the precedences, each activity put at
    its earliest start after its predecessors where the renewable resources hold it (the
    serial schedule-generation scheme: its schedules, the active ones, hold an optimum of the
    makespan; Kolisch, EJOR 1996)."""
    activities, resources = instance.activities, instance.resources
    n = len(activities)
    predecessors = [[k for k in range(n) if j in activities[k].successors] for j in range(n)]
    best = None
    for choice in itertools.product(*[a.modes for a in activities]):
        if any(sum(mode.demands[r] for mode in choice) > resource.capacity
               for r, resource in enumerate(resources) if not resource.renewable and budgets):
            continue
        if any(mode.demands[r] > resource.capacity for mode in choice
               for r, resource in enumerate(resources) if resource.renewable):
            continue
        starts = [None] * n

        def fits(j, t):
            for r, resource in enumerate(resources):
                if not resource.renewable:
                    continue
                for u in range(t, t + choice[j].duration):
                    load = sum(choice[k].demands[r] for k in range(n) if starts[k] is not None
                               and starts[k] <= u < starts[k] + choice[k].duration)
                    if load + choice[j].demands[r] > resource.capacity:
                        return False
            return True

        def extend(placed):
            nonlocal best
            if placed == n:
                makespan = max(s + mode.duration for s, mode in zip(starts, choice))
                best = makespan if best is None else min(best, makespan)
                return
            for j in range(n):
                if starts[j] is None and all(starts[k] is not None for k in predecessors[j]):
                    t = max([starts[k] + choice[k].duration for k in predecessors[j]],
                            default=0)
                    while not fits(j, t):
                        t += 1
                    starts[j] = t
                    extend(placed + 1)
                    starts[j] = None

        extend(0)
    return best


def random_mm(generator):
    """2-4 activities between a source and a sink, 1-3 modes each, one renewable resource and
    one or two non-renewable ones whose capacities lie between one below the least any choice
    of modes consumes (no schedule) and one below the most (so they can bind)."""
    n = generator.randint(2, 4)
    capacity = generator.randint(1, 3)
    budgets = generator.randint(1, 2)
    modes = [[(generator.randint(1, 3), [generator.randint(0, capacity)]
               + [generator.randint(0, 4) for _ in range(budgets)])
              for _ in range(generator.randint(1, 3 if n < 4 else 2))] for _ in range(n)]
    resources = [(capacity, True)]
    for b in range(1, budgets + 1):
        least = sum(min(d[b] for _, d in job) for job in modes)
        most = sum(max(d[b] for _, d in job) for job in modes)
        resources.append((max(0, generator.randint(least - 1, max(least, most - 1))), False))
    zero = (0, [0] * (1 + budgets))
    activities = [([zero], list(range(1, n + 1)))]
    for k in range(1, n + 1):
        later = [j for j in range(k + 1, n + 1) if generator.random() < 0.3]
        activities.append((modes[k - 1], later + [n + 1]))
    activities.append(([zero], []))
    return activities, resources


@pytest.mark.parametrize("count", [25, pytest.param(300, marks=pytest.mark.slow)])
def test_random_multi_mode_with_binding_budgets_against_brute_force(tmp_path, count):
    generator = random.Random(1207 + count)
    kinds = set()
    for number in range(count):
        path = tmp_path / f"random{number}.mm"
        path.write_text(mm_text(*random_mm(generator)))
        instance = psplib.parse(str(path), "psplib")
        optimum = brute_force_mm(instance)
        unbudgeted = brute_force_mm(instance, budgets=False)
        kinds.add("infeasible" if optimum is None else
                  "binding" if optimum != unbudgeted else "loose")
        model = read_model(str(path))
        result = model.solve()
        assert_answer(str(path), "psplib", result)
        if optimum is None:
            assert result.status == INFEASIBLE, path.read_text()
        else:
            assert (result.status, result.objective) == (OPTIMAL, optimum), path.read_text()
    # not vacuous: budgets that make the problem infeasible, and that lengthen the optimum
    assert {"infeasible", "binding"} <= kinds, kinds


def test_the_mm_writer_and_brute_force_on_an_obvious_instance(tmp_path):
    """One activity, two modes: fast (1) and costly (3 of a budget of 2), slow (4) and
    cheap: the budget forces the slow mode; with a budget of 0 none fits."""
    zero = (0, [0, 0])
    for budget, optimum in ((2, 4), (3, 1), (0, None)):
        path = tmp_path / f"one{budget}.mm"
        path.write_text(mm_text([([zero], [1]), ([(1, [1, 3]), (4, [1, 1])], [2]),
                                 ([zero], [])], [(1, True), (budget, False)]))
        instance = psplib.parse(str(path), "psplib")
        assert [m.duration for m in instance.activities[1].modes] == [1, 4]
        assert [r.renewable for r in instance.resources] == [True, False]
        assert brute_force_mm(instance) == optimum
        result = read_model(str(path)).solve()
        assert (result.status, result.objective) == (
            (INFEASIBLE, None) if optimum is None else (OPTIMAL, optimum))


def run_cli(*args):
    # from the tests' folder: started at the checkout root, Python would import the source
    # tree (without its compiled theories) instead of the installed package
    return subprocess.run([sys.executable, "-m", "smtsched", *args], capture_output=True,
                          text=True, timeout=120, cwd=os.path.dirname(os.path.abspath(__file__)))


def test_the_cli_prints_a_format_error_without_a_traceback(tmp_path):
    path = tmp_path / "letters.sch"
    path.write_text(UBO.replace("[2]", "[x2]", 1))
    done = run_cli("solve", str(path))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert done.stderr.startswith(f"smtsched: {path}:") and len(done.stderr.splitlines()) == 1


def test_the_cli_reads_by_extension_and_by_format_name(tmp_path):
    path = tmp_path / "chain.sch"
    path.write_text(sch_text(*HAND_WRITTEN[0][1]))
    done = run_cli("solve", str(path))
    assert done.returncode == 0 and "status OPTIMAL" in done.stdout and "makespan 5" in done.stdout
    renamed = tmp_path / "chain.data"
    renamed.write_text(path.read_text())
    done = run_cli("solve", str(renamed), "--format", "rcpsp_max")
    assert done.returncode == 0 and "makespan 5" in done.stdout


def test_the_cli_certifies_rcpsp_max_and_multi_mode(tmp_path):
    """The certificates of these formats hold the model (model.json): the checker has no
    reader of its own for them; a single-mode .sm keeps naming the file itself."""
    for name, instance in (("cycle.sch", HAND_WRITTEN[2][1]), ("overlap.sch", HAND_WRITTEN[3][1])):
        path = tmp_path / name
        path.write_text(sch_text(*instance))
        folder = tmp_path / (name + ".proof")
        done = run_cli("solve", str(path), "--proof", str(folder))
        assert done.returncode == 0 and "status INFEASIBLE" in done.stdout, done.stderr
        assert (folder / "model.json").exists()
        assert run_cli("check-proof", str(folder)).stdout.strip() == "verified"
    for name, optimum in (("small.mm", 4), ("c154_3.mm", 34)):
        source = os.path.join(data_folder(PYJOBSHOP), name)
        folder = tmp_path / (name + ".proof")
        done = run_cli("solve", source, "--proof", str(folder))
        assert "status OPTIMAL" in done.stdout and f"makespan {optimum}" in done.stdout, \
            done.stdout + done.stderr
        assert (folder / "model.json").exists()
        assert run_cli("check-proof", str(folder)).stdout.strip() == "verified"


def test_multi_mode_answers_with_binding_budgets_are_certified(tmp_path):
    """A certified OPTIMAL of r54_9 (its budgets bind) and a certified INFEASIBLE of a file
    whose budget no choice of modes fits both pass the independent checker, whose model
    (model.json) holds the non-renewable rows."""
    import json
    path = os.path.join(data_folder(PYJOBSHOP), "r54_9.mm")
    folder = tmp_path / "r54_9"
    result = read_model(path).solve(proof=str(folder))
    assert (result.status, result.objective) == (OPTIMAL, 54)
    assert result.certificate is not None, result.certificate_note
    with open(folder / "model.json") as handle:
        assert "N1" in handle.read()
    verdict = check_certificate(str(folder))
    assert verdict.ok, verdict.reason
    zero = (0, [0, 0])
    infeasible = tmp_path / "over.mm"
    infeasible.write_text(mm_text([([zero], [1, 2]), ([(1, [1, 3]), (4, [1, 2])], [3]),
                                   ([(2, [1, 2]), (3, [0, 4])], [3]), ([zero], [])],
                                  [(1, True), (3, False)]))
    folder = tmp_path / "over"
    result = read_model(str(infeasible)).solve(proof=str(folder))
    assert result.status == INFEASIBLE and result.certificate is not None
    verdict = check_certificate(str(folder))
    assert verdict.ok, verdict.reason
    assert json.loads((folder / "model.json").read_text())


def test_schedule_formats_of_the_cli_are_read_models():
    from smtsched.cli import SCHEDULE_EXTENSIONS, SCHEDULE_FORMATS
    from smtsched.sched.formats import format_of, schedule_formats
    assert SCHEDULE_FORMATS == schedule_formats()
    assert all(format_of("x" + extension) is not None for extension in SCHEDULE_EXTENSIONS)
    assert {format_of("x" + e) for e in (".sm", ".mm", ".sch", ".rcp", ".rcmp", ".msrcp")} == \
        {"psplib", "rcpsp_max", "patterson", "mplib", "mslib"}
    # and the other way: every extension read_model knows is one the CLI and batch select
    from smtsched.sched.formats import JOBSHOP_EXTENSIONS
    from smtsched.sched.psplib_formats import EXTENSIONS
    assert set(JOBSHOP_EXTENSIONS) | {".fjs"} | set(EXTENSIONS) == set(SCHEDULE_EXTENSIONS)


def test_a_batch_folder_takes_every_scheduling_format(tmp_path):
    """`smtsched batch FOLDER` solves the files of every format `solve` reads by extension
    (it once took only .smt2, .sm, .txt and .jss: a folder of .mm, .sch or .fjs files was
    silently empty)."""
    from smtsched.batch.runner import expand
    from smtsched.cli import SCHEDULE_EXTENSIONS
    names = ["a.smt2"] + ["f%d%s" % (k, e) for k, e in enumerate(SCHEDULE_EXTENSIONS)]
    for name in names + ["notes.md", "index.json"]:
        (tmp_path / name).write_text("")
    assert sorted(os.path.basename(f) for f in expand([str(tmp_path)])) == sorted(names)


def test_mplib_projects_keep_their_release_dates(tmp_path):
    """MPLIB (psplib's parser): two projects, the second released at 4; activities named
    project:activity in the successor lists."""
    path = tmp_path / "two.rcmp"
    path.write_text("2\n1\n2\n"
                    "2 0\n1\n3 1 1 1:2\n2 1 0\n"
                    "1 4\n1\n2 2 0\n")
    model = read_model(str(path))
    assert [t.release for t in model.tasks] == [0, 0, 4]
    result = model.solve()
    assert_answer(str(path), "mplib", result)
    # the second project's only activity needs the whole resource: after 4 and not beside
    # the first project's second activity (3..5)
    assert (result.status, result.objective) == (OPTIMAL, 7)


def test_patterson_reads_and_solves(tmp_path):
    # 4 activities (dummies first and last), one resource of 2
    path = tmp_path / "tiny.rcp"
    path.write_text("4 1\n2\n0 0 2 2 3\n3 2 1 4\n2 1 1 4\n0 0 0\n")
    result = read_model(str(path)).solve()
    assert_answer(str(path), "patterson", result)
    assert (result.status, result.objective) == (OPTIMAL, 5)


def test_brute_force_finds_what_it_should():
    """The enumeration itself, on instances whose answers are obvious."""
    assert brute_force([1], [[1]], [1], [(0, 1, 0), (1, 2, 1)]) == 1
    assert brute_force([2, 2], [[1], [1]], [1], [(0, 1, 0), (0, 2, 0), (1, 3, 2),
                                                 (2, 3, 2)]) == 4
    assert brute_force([2, 2], [[1], [1]], [2], [(0, 1, 0), (0, 2, 0), (1, 3, 2),
                                                 (2, 3, 2)]) == 2
    assert brute_force([1, 1], [[0], [0]], [1], [(0, 1, 0), (0, 2, 0), (1, 2, 2),
                                                 (2, 1, -1)]) is None


# -- RCPSP-PS (selection groups), written here, against brute force ---------------------------
def random_rcpsp_ps(rng):
    """An RCPSP-PS instance as plain lists: activity 0 the mandatory source; durations,
    renewable demands, a non-renewable amount, selection groups (of later activities) and
    forward successors."""
    n = rng.randint(3, 5)
    capacities = [rng.randint(1, 3)]
    budget = rng.randint(2, 6)
    activities = []
    for k in range(n):
        later = list(range(k + 1, n))
        groups = []
        if later and (k == 0 or rng.random() < 0.5):
            for _ in range(rng.randint(1, 2)):
                groups.append(sorted(rng.sample(later, rng.randint(1, min(2, len(later))))))
        successors = sorted({j for g in groups for j in g}
                            | {j for j in later if rng.random() < 0.2})
        activities.append((rng.randint(1, 3), [rng.randint(0, capacities[0])],
                           rng.randint(0, 3), groups, successors))
    return capacities, budget, activities


def write_rcpsp_ps(path, capacities, budget, activities):
    lines = [f"{len(activities)} {len(capacities)} 1", " ".join(map(str, capacities + [budget]))]
    for duration, demands, amount, groups, successors in activities:
        lines.append(" ".join(map(str, [duration] + demands + [amount])))
        lines.append(" ".join(map(str, [len(groups)] + [x for g in groups
                                                        for x in [len(g)] + g])))
        lines.append(" ".join(map(str, [len(successors)] + successors)))
    path.write_text("\n".join(lines) + "\n")


def brute_force_rcpsp_ps(capacities, budget, activities):
    n = len(activities)
    best = None
    for choice in itertools.product((True,), *[(False, True)] * (n - 1)):
        if any(choice[k] and not any(choice[j] for j in g)
               for k, (_, _, _, groups, _) in enumerate(activities) for g in groups):
            continue
        if sum(activities[k][2] for k in range(n) if choice[k]) > budget:
            continue
        present = [k for k in range(n) if choice[k]]
        for order in itertools.permutations(present):
            if any(order.index(k) > order.index(j) for k in present
                   for j in activities[k][4] if choice[j]):
                continue
            starts = {}
            for k in order:
                d, demand, _, _, _ = activities[k]
                t = max((starts[i] + activities[i][0] for i in starts
                         if k in activities[i][4]), default=0)
                while any(demand[r] + sum(activities[i][1][r] for i in starts
                                          if starts[i] <= u < starts[i] + activities[i][0])
                          > c for r, c in enumerate(capacities) for u in range(t, t + d)):
                    t += 1
                starts[k] = t
            makespan = max(starts[k] + activities[k][0] for k in present)
            if best is None or makespan < best:
                best = makespan
    return best


def test_rcpsp_ps_files_against_brute_force(tmp_path):
    rng = random.Random(61)
    feasible = 0
    for number in range(25):
        instance = random_rcpsp_ps(rng)
        path = tmp_path / f"ps{number}.txt"
        write_rcpsp_ps(path, *instance)
        expected = brute_force_rcpsp_ps(*instance)
        result = read_model(str(path), "rcpsp_ps").solve()
        if expected is None:
            assert result.status == INFEASIBLE, instance
            continue
        feasible += 1
        assert (result.status, result.objective) == (OPTIMAL, expected), instance
        assert schedule_problems(psplib.parse(str(path), "rcpsp_ps"), "rcpsp_ps",
                                 result) == []
    assert feasible > 10
