"""The CP-SAT side of the DNN benchmark (bench/dnn_cpsat.py) is a fair and exact opponent:

- the single-stream peak-memory model works on positions, not latencies: its optimum equals
  brute force over every topological order (laid out back to back, memory counted by an
  event sweep written here), and the time model's, whatever the latencies (also 10^12);
- the solution hint is a complete, consistent assignment of every model variable: fixed to
  its hinted values, the model is feasible with exactly the hint's value (so CP-SAT really
  starts from the schedule smtsched starts from).

Tiny seeded random graphs; about 2 s in all.
"""
import itertools
import os
import random
import sys

import pytest

pytest.importorskip("ortools", reason="the DNN benchmark compares with OR-Tools CP-SAT")
from ortools.sat.python import cp_model  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
try:
    from bench import dnn_cpsat  # noqa: E402
finally:
    # the source folder smtsched/ must not shadow the installed package (bench/__init__.py
    # takes the root off the path itself; make sure in any case)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != ROOT]


def random_problem(rng, units=None, objective="peak-memory", big=False, budget=None):
    """A random DAG of 2-6 operators on one core (or `units`), with graph inputs, tensors read
    by later operators, unread tensors and outputs."""
    n = rng.randint(2, 6)
    ops = ["o%d" % k for k in range(n)]
    kinds = list(units or {"core": 1})
    operators = []
    for op in ops:
        high = 10 ** 12 if big else 5
        options = [[rng.choice(kinds), rng.randint(1, high)]]
        if units and len(kinds) > 1 and rng.random() < 0.3:
            other = [k for k in kinds if k != options[0][0]][0]
            options.append([other, rng.randint(1, high)])
        operators.append([op, options])
    tensors = []
    for k in range(rng.randint(0, 2)):
        readers = sorted(rng.sample(ops, rng.randint(0, min(2, n))))
        tensors.append(["in%d" % k, rng.randint(1, 50), None, readers, rng.random() < 0.2])
    for i, op in enumerate(ops):
        for k in range(rng.randint(1, 2)):
            later = ops[i + 1:]
            readers = sorted(rng.sample(later, rng.randint(0, min(2, len(later)))))
            tensors.append(["t%d_%d" % (i, k), rng.randint(0, 50), op, readers,
                            rng.random() < 0.25])
    return {"name": "random", "objective": objective, "budget": budget,
            "units": units or {"core": 1}, "operators": operators, "tensors": tensors}


def sweep_peak(problem, times):
    """Peak live bytes of a schedule {op: (start, end)}: a tensor is live from its producer's
    start (0 for an input) to the latest end of its producer and readers, an output to the
    makespan and at least one instant more."""
    makespan = max(e for _, e in times.values())
    events = {}
    for name, size, producer, readers, is_output in problem["tensors"]:
        if size <= 0 or (producer is None and not readers and not is_output):
            continue
        alloc = 0 if producer is None else times[producer][0]
        ends = ([] if producer is None else [times[producer][1]]) + [times[r][1] for r in readers]
        free = max(makespan, alloc) + 1 if is_output else max(ends)
        if free > alloc:
            events[alloc] = events.get(alloc, 0) + size
            events[free] = events.get(free, 0) - size
    live = peak = 0
    for t in sorted(events):
        live += events[t]
        peak = max(peak, live)
    return peak


def brute_force_single_stream(problem):
    """(least peak, a schedule) over every topological order, back to back."""
    latency = {op: options[0][1] for op, options in problem["operators"]}
    before = {op: set() for op in latency}
    for _, _, producer, readers, _ in problem["tensors"]:
        for r in readers:
            if producer is not None and r != producer:
                before[r].add(producer)
    best = None
    for order in itertools.permutations(latency):
        seen = set()
        if any(not before[op] <= seen or seen.add(op) for op in order):
            continue
        times, t = {}, 0
        for op in order:
            times[op] = (t, t + latency[op])
            t += latency[op]
        peak = sweep_peak(problem, times)
        if best is None or peak < best[0]:
            best = (peak, {op: [s, e, "core"] for op, (s, e) in times.items()})
    return best


def solve_model(model, handles, fix_hint=False):
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20
    if fix_hint:
        solver.parameters.fix_variables_to_their_hinted_value = True
    code = solver.Solve(model)
    return code, solver


@pytest.mark.parametrize("big", [False, True], ids=["latencies 1-5", "latencies to 1e12"])
def test_single_stream_peak_model_is_exact(big):
    rng = random.Random(1400 + big)
    for _ in range(40):
        problem = random_problem(rng, big=big)
        assert dnn_cpsat.single_stream(problem)
        want, _ = brute_force_single_stream(problem)
        out = dnn_cpsat.solve(problem, 20, 1)
        assert out["model"] == "sequence"
        assert out["status"] == "OPTIMAL" and out["objective"] == want, (problem, out)
        times = {op: (s, e) for op, (s, e, _) in out["schedule"].items()}
        assert sweep_peak(problem, times) == want
        if not big:  # the time model agrees (its horizon is small here)
            timed = dnn_cpsat.solve(problem, 20, 1, sequence=False)
            assert timed["model"] == "time" and timed["objective"] == want, (problem, timed)


def test_sequence_model_is_used_only_where_the_order_is_all():
    rng = random.Random(7)
    problem = random_problem(rng)
    assert dnn_cpsat.single_stream(problem)
    assert not dnn_cpsat.single_stream(dict(problem, objective="latency"))
    assert not dnn_cpsat.single_stream(dict(problem, units={"core": 2}))
    zero = [[problem["operators"][0][0], [["core", 0]]]] + problem["operators"][1:]
    assert not dnn_cpsat.single_stream(dict(problem, operators=zero))


def hint_cases(rng):
    """(problem, valid schedule) pairs: single-stream peaks (a brute-force optimum), and
    latency / peak / budget problems on two unit kinds (the schedule one operator at a time
    in a topological order: always valid)."""
    for _ in range(25):
        problem = random_problem(rng)
        yield problem, brute_force_single_stream(problem)[1]
    for objective in ("latency", "peak-memory"):
        for _ in range(25):
            problem = random_problem(rng, units={"npu": 1, "dsp": 2}, objective=objective)
            schedule, t = {}, 0
            for op, options in problem["operators"]:  # operators are in topological order
                kind, latency = rng.choice(options)
                schedule[op] = [t, t + latency, kind]
                t += latency
            times = {op: (s, e) for op, (s, e, _) in schedule.items()}
            if rng.random() < 0.5:
                problem["budget"] = sweep_peak(problem, times)  # tight, still feasible
            yield problem, schedule


def test_hint_is_a_complete_consistent_assignment():
    rng = random.Random(2026)
    for problem, schedule in hint_cases(rng):
        problem = dict(problem, hint=schedule)
        model, handles = dnn_cpsat.build_model(problem)
        times = {op: (s, e) for op, (s, e, _) in schedule.items()}
        value = (max(e for _, e in times.values()) if problem["objective"] == "latency"
                 else sweep_peak(problem, times))
        assert handles["hint_value"] == value, (problem, handles["hint_value"], value)
        code, solver = solve_model(model, handles, fix_hint=True)
        assert code in (cp_model.OPTIMAL, cp_model.FEASIBLE), (problem, solver.StatusName(code))
        assert round(solver.ObjectiveValue()) == value
        got = dnn_cpsat.read_schedule(problem, solver, handles)
        if handles["model"] == "time":
            assert got == schedule  # the very same starts and unit choices
        else:
            assert sorted(got, key=lambda op: got[op][0]) == \
                sorted(schedule, key=lambda op: schedule[op][0])  # the same order
