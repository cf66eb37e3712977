"""The first schedule of a DNN problem is reported as soon as one greedy candidate is built
(issue 16: "a schedule within a second or two" on 9,432 operators, where building all the
greedy candidates took 1.4 s before anything was reported), and reporting it early changes
nothing else: the same greedy schedule, the same answer.

Not timed: the order of events is what is tested (which candidates were built when the
first schedule was reported)."""
import os

import pytest

from smtsched.dnn import DnnProblem, Operator, build_graph
from smtsched.dnn import baselines
from smtsched.dnn.accelerator import load_accelerator
from smtsched.sched import heuristic
from smtsched.sched.result import FEASIBLE, OPTIMAL

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def accelerator(name):
    return load_accelerator(os.path.join(ROOT, "examples", name + ".toml"))


def branching_graph(width=4, depth=3):
    """`width` chains of `depth` operators from one input, joined by a last operator: the
    order of the chains decides the peak memory (big tensors early in one chain)."""
    ops, sizes = [], {"x": 16}
    for b in range(width):
        before = "x"
        for d in range(depth):
            name = f"b{b}d{d}"
            out = f"t{b}_{d}"
            ops.append(Operator(name, "Relu" if d % 2 else "Conv", 64 * (b + 1) * (d + 1),
                                (before,), (out,)))
            sizes[out] = 100 * (width - b) if d == 0 else 10 * (b + 1)
            before = out
    ops.append(Operator("join", "Concat", 64, tuple(f"t{b}_{depth - 1}" for b in range(width)),
                        ("y",)))
    sizes["y"] = 50
    return build_graph("branching", ops, sizes, outputs=["y"])


def file_order_graph():
    """tests/test_dnn_scale.py's: under a budget of 225 bytes (npu-small) only a memory-aware
    greedy candidate (one operator at a time in the file's order) fits."""
    ops = [Operator("op0", "Relu", 2048, ("x",), ("t0",)),
           Operator("op3", "Conv", 32, ("t0", "t1"), ("t3",)),
           Operator("op2", "Conv", 64, ("x",), ("t2",)),
           Operator("op4", "Conv", 32, ("x",), ("t4",)),
           Operator("op5", "Relu", 2048, ("t1",), ("t5",)),
           Operator("op1", "Relu", 64, ("x",), ("t1",))]
    sizes = {"x": 10, "t0": 100, "t1": 20, "t2": 20, "t3": 100, "t4": 100, "t5": 20}
    return build_graph("file-order", ops, sizes, outputs=["t5"],
                       order=["op0", "op1", "op2", "op3", "op4", "op5"])


@pytest.fixture
def events(monkeypatch):
    """A log of the greedy candidates' construction: "critical path" when the critical-path
    list schedule's order is computed, "memory aware" when the memory-aware candidates are
    asked for."""
    log = []
    critical_path_order = baselines.critical_path_order
    memory_aware = DnnProblem._memory_aware

    def logged_critical_path_order(problem):
        log.append(("critical path",))
        return critical_path_order(problem)

    def logged_memory_aware(problem):
        log.append(("memory aware",))
        return memory_aware(problem)

    monkeypatch.setattr(baselines, "critical_path_order", logged_critical_path_order)
    monkeypatch.setattr(DnnProblem, "_memory_aware", logged_memory_aware)
    return log


@pytest.mark.parametrize("objective,platform", [("peak-memory", "single-core"),
                                                ("latency", "npu-small")])
def test_the_first_schedule_is_reported_before_the_other_candidates_are_built(
        events, objective, platform):
    problem = DnnProblem(branching_graph(), accelerator(platform), objective,
                         memory=10 ** 9 if objective == "latency" else None)
    serial = heuristic.serial_schedule(problem.model, 0)
    assert serial is not None
    serial_value = problem.model.objective_value(serial, [True] * len(serial))

    def seen(schedule):
        events.append(("report", schedule.objective))

    result = problem.solve(time_limit=20, on_solution=seen)
    assert result.status in (OPTIMAL, FEASIBLE)
    names = [e[0] for e in events]
    # the serial schedule (the first candidate) first, then the others are built (both kinds
    # really are: not a vacuous order)
    assert names[0] == "report" and events[0][1] == serial_value
    assert "critical path" in names and "memory aware" in names
    assert names.index("critical path") > 0 and names.index("memory aware") > 0


def test_under_a_budget_the_first_report_is_the_first_candidate_that_fits(events):
    """Serial and critical-path schedules overflow 225 bytes here: the first report waits
    for a memory-aware candidate, and fits."""
    problem = DnnProblem(file_order_graph(), accelerator("npu-small"), "latency", memory=225)
    reported = []
    result = problem.solve(time_limit=20, on_solution=lambda s: (
        events.append(("report",)), reported.append(s)))
    names = [e[0] for e in events]
    assert names.index("memory aware") < names.index("report")
    assert reported and all(s.peak_memory <= 225 for s in reported)
    assert result.status in (OPTIMAL, FEASIBLE) and result.peak_memory <= 225


@pytest.mark.parametrize("objective,platform,memory", [
    ("peak-memory", "single-core", None), ("latency", "npu-small", 10 ** 9),
    ("latency", "npu-small", 225)])
def test_reporting_early_changes_neither_the_greedy_schedule_nor_the_answer(
        objective, platform, memory):
    graph = file_order_graph() if memory == 225 else branching_graph()

    def problem():
        return DnnProblem(graph, accelerator(platform), objective, memory=memory)

    # greedy_schedule is the best of the candidates, the earliest on a tie
    p = problem()
    candidates = list(p.greedy_candidates())
    assert candidates
    key = (lambda c: (c[3] if objective == "latency" else c[4], c[0]))
    best = min(candidates, key=key)
    assert p.greedy_schedule() == (best[1], best[2])
    # with and without a listener: the same answer and schedule
    quiet = problem().solve(time_limit=20)
    reported = []
    loud = problem().solve(time_limit=20, on_solution=reported.append)
    assert (loud.status, loud.objective, loud.lower_bound) == \
        (quiet.status, quiet.objective, quiet.lower_bound)
    assert loud.operations == quiet.operations
    assert reported and reported[-1].objective == loud.objective
    # every report is at least as good as the one before
    values = [s.objective for s in reported]
    assert values == sorted(values, reverse=True)
