"""Scale: the greedy schedule and the checker stay near-linear on wide and big graphs, and a
problem whose greedy schedule exists returns it within its time limit (issue 14 item 2).

The sweeps that replaced quadratic loops (the serial schedule's resource profile, the
checker's peak memory and resource loads) are compared here with the quadratic definitions,
written again in this module (no smtsched code in the oracles).
"""
import os
import time

import pytest
from hypothesis import given, settings, strategies as st

from smtsched.dnn import Accelerator, DnnProblem, Operator, build_graph, load_graph
from smtsched.dnn.accelerator import load_accelerator
from smtsched.sched import Model, check, heuristic
from smtsched.sched.result import FEASIBLE, OPTIMAL, UNKNOWN

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(ROOT, "..", "shared", "data")
DIFFSCHED = os.path.join(DATA, "dnn", "diffsched")


# --- oracles: the quadratic definitions ---------------------------------------------------

def quadratic_peak(memory, starts, present):
    """(peak, first instant holding it): the bytes of the buffers live at each allocation
    instant, live on [alloc, free) with free None = to the end (docs/dnn-formats.md)."""
    intervals = []
    for b in memory.buffers:
        alloc = 0 if b.producer is None else starts[b.producer.index]
        if b.until_end:
            free = None
        else:
            ends = [starts[c.index] + c.duration for c in b.consumers if present[c.index]]
            if b.producer is not None:
                ends.append(alloc + b.producer.duration)
            free = max(ends) if ends else alloc
        intervals.append((alloc, free, b.size))
    best = (0, 0)
    for instant in sorted({a for a, _, _ in intervals}):
        use = sum(size for a, f, size in intervals
                  if a <= instant and (f is None or instant < f))
        if use > best[0]:
            best = (use, instant)
    return best


def quadratic_overload(model, starts, present):
    """For each resource, the first task (in the resource's order) at whose start the load
    exceeds the capacity: (load, time), or None."""
    out = []
    for resource in model.resources:
        runs = [(starts[t.index], starts[t.index] + t.duration, d)
                for t, d in resource.demands if present[t.index] and t.duration > 0]
        found = None
        for at, _, _ in runs:
            load = sum(d for s, e, d in runs if s <= at < e)
            if load > resource.capacity:
                found = (load, at)
                break
        out.append(found)
    return out


def walking_serial_pass(model):
    """The serial schedule of the first draw (no noise) as the interval walk found it before
    the profile: the highest tail first (ties: lowest index), each at the earliest time at or
    after its predecessors where, at its start and at every start inside its window, its
    demand plus the load fits; on a conflict, retry at the earliest end running there."""
    tasks = model.tasks
    succ = [[] for _ in tasks]
    preds = [0] * len(tasks)
    for p in model.precedences:
        succ[p.before.index].append((p.after.index, p.before.duration + p.min_lag))
        preds[p.after.index] += 1
    tail = [None] * len(tasks)

    def tail_of(i):
        if tail[i] is None:
            tail[i] = max([tasks[i].duration] + [g + tail_of(j) for j, g in succ[i]])
        return tail[i]

    uses = [[(r, d) for r, res in enumerate(model.resources) for t, d in res.demands
             if t.index == i and t.duration > 0] for i in range(len(tasks))]
    placed = [[] for _ in model.resources]
    earliest = [t.release for t in tasks]
    eligible = {i for i in range(len(tasks)) if preds[i] == 0}
    starts = [None] * len(tasks)
    while eligible:
        i = max(eligible, key=lambda k: (tail_of(k), -k))
        eligible.remove(i)
        at, dur = earliest[i], tasks[i].duration
        while dur > 0:
            later = None
            for r, demand in uses[i]:
                running = [x for x in placed[r] if x[0] < at + dur and x[1] > at]
                for point in sorted({at} | {s for s, _, _ in running if s > at}):
                    here = [x for x in running if x[0] <= point < x[1]]
                    if here and demand + sum(d for _, _, d in here) > \
                            model.resources[r].capacity:
                        later = min(e for _, e, _ in here)
                        break
                if later is not None:
                    break
            if later is None:
                break
            at = later
        starts[i] = at
        for r, demand in uses[i]:
            placed[r].append((at, at + dur, demand))
        for j, g in succ[i]:
            earliest[j] = max(earliest[j], at + g)
            preds[j] -= 1
            if preds[j] == 0:
                eligible.add(j)
    return starts


# --- random models ------------------------------------------------------------------------

@st.composite
def models_with_schedules(draw):
    """A model with resources and a memory, and arbitrary (not necessarily valid) starts and
    presences: the checker must measure any schedule."""
    m = Model()
    n = draw(st.integers(1, 12))
    tasks = [m.task(f"t{i}", draw(st.sampled_from([0, 0, 1, 2, 3, 7]))) for i in range(n)]
    optional = [draw(st.booleans()) and i > 0 for i in range(n)]
    if any(optional):
        opts = [t for t, o in zip(tasks, optional) if o]
        # optional tasks exist only as alternatives: one main task chooses among them
        main = m.task("main", 1)
        tasks.append(main)
        real = []
        for t in opts:
            real.append(m.task(f"{t.name}@opt", t.duration, optional=True))
        m.alternative(main, real)
        tasks += real
    for _ in range(draw(st.integers(0, 3))):
        members = draw(st.lists(st.sampled_from(tasks), min_size=1, max_size=len(tasks),
                                unique=True))
        cap = draw(st.integers(1, 3))
        m.cumulative({t: draw(st.integers(0, cap)) for t in members}, cap)
    mem = m.memory(name="mem")
    for _ in range(draw(st.integers(0, 12))):
        producer = draw(st.one_of(st.none(), st.sampled_from([t for t in tasks
                                                               if not t.optional])))
        consumers = draw(st.lists(st.sampled_from(tasks), max_size=3, unique=True))
        m.buffer(mem, draw(st.integers(0, 50)), producer, consumers,
                 until_end=draw(st.booleans()))
    starts = [draw(st.integers(0, 12)) for _ in m.tasks]
    present = [not t.optional or draw(st.booleans()) for t in m.tasks]
    return m, mem, starts, present


@settings(max_examples=600)
@given(models_with_schedules())
def test_peak_sweep_matches_the_quadratic_definition(case):
    m, mem, starts, present = case
    assert check._peak(mem, starts, present) == quadratic_peak(mem, starts, present)


@settings(max_examples=600)
@given(models_with_schedules())
def test_resource_sweep_finds_the_same_first_overload(case):
    m, _, starts, present = case
    expected = [f"{r.name} carries {found[0]} > {r.capacity} at time {found[1]}"
                for r, found in zip(m.resources, quadratic_overload(m, starts, present))
                if found is not None]
    got = [p for p in check.violations(m, starts, present) if " carries " in p]
    assert got == expected


@st.composite
def heuristic_models(draw):
    m = Model()
    n = draw(st.integers(1, 14))
    tasks = [m.task(f"t{i}", draw(st.sampled_from([0, 1, 2, 3, 5, 8])),
                    release=draw(st.sampled_from([0, 0, 0, 2, 7]))) for i in range(n)]
    for _ in range(draw(st.integers(0, n))):
        a, b = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        if a < b:
            m.precedence(tasks[a], tasks[b], min_lag=draw(st.sampled_from([0, 0, 1, 3])))
    for _ in range(draw(st.integers(0, 3))):
        members = draw(st.lists(st.sampled_from(tasks), min_size=1, max_size=n, unique=True))
        if draw(st.booleans()):
            m.unary(members)
        else:
            cap = draw(st.integers(1, 4))
            m.cumulative({t: draw(st.integers(0, cap)) for t in members}, cap)
    m.minimize_makespan()
    return m


@settings(max_examples=600)
@given(heuristic_models())
def test_serial_schedule_profile_places_like_the_interval_walk(m):
    assert heuristic.serial_schedule(m, draws=1) == walking_serial_pass(m)


# --- scale --------------------------------------------------------------------------------

def independent_graph(n):
    ops = [Operator(f"op{i}", "Relu", 1000 + 37 * i % 5000, (f"in{i}",), (f"out{i}",))
           for i in range(n)]
    sizes = {}
    for i in range(n):
        sizes[f"in{i}"] = 100 + i % 7
        sizes[f"out{i}"] = 50 + i % 11
    return build_graph(f"independent{n}", ops, sizes, outputs=[f"out{i}" for i in range(n)])


def test_three_thousand_independent_operators_get_a_schedule_within_the_limit():
    """Was UNKNOWN with no schedule at --timeout 10: each placement walked every interval
    already on the unit."""
    problem = DnnProblem(independent_graph(3000),
                         load_accelerator(os.path.join(ROOT, "examples", "single-core.toml")))
    began = time.perf_counter()
    result = problem.solve(time_limit=10)
    assert time.perf_counter() - began < 10
    assert result.status in (OPTIMAL, FEASIBLE)
    # one core: the latency is the sum of the latencies, which the bound proves
    assert result.status == OPTIMAL and result.latency == sum(
        lat for o in problem.options.values() for _, lat, _ in o)


def file_order_graph():
    """Shrunk from random layered graphs: a file order that is not topological and a
    proposed topological order (as Moccasin graphs have) that differs from the file's."""
    ops = [Operator("op0", "Relu", 2048, ("x",), ("t0",)),
           Operator("op3", "Conv", 32, ("t0", "t1"), ("t3",)),
           Operator("op2", "Conv", 64, ("x",), ("t2",)),
           Operator("op4", "Conv", 32, ("x",), ("t4",)),
           Operator("op5", "Relu", 2048, ("t1",), ("t5",)),
           Operator("op1", "Relu", 64, ("x",), ("t1",))]
    sizes = {"x": 10, "t0": 100, "t1": 20, "t2": 20, "t3": 100, "t4": 100, "t5": 20}
    return build_graph("file-order", ops, sizes, outputs=["t5"],
                       order=["op0", "op1", "op2", "op3", "op4", "op5"])


def test_one_operator_at_a_time_in_the_file_order_is_a_greedy_start():
    """random_layered_n1000 under the benchmark's budget 585,174 (npu-small): the harness's
    file-order sequential schedule (584,199) fits, smtsched's starts did not (the least-memory
    order 599,799, graph.operators' order 608,619): UNKNOWN at 5 s. Here: 220 bytes one at a
    time in the file's order, at least 230 in every start smtsched had."""
    graph = file_order_graph()
    accelerator = load_accelerator(os.path.join(ROOT, "examples", "npu-small.toml"))
    problem = DnnProblem(graph, accelerator, "latency", memory=225)
    greedy = problem.greedy_schedule()
    assert greedy is not None
    starts, present = greedy
    assert quadratic_peak(problem.memory, starts, present)[0] <= 225
    result = problem.solve(time_limit=2)
    assert result.status in (OPTIMAL, FEASIBLE) and result.peak_memory <= 225


def test_without_a_budget_even_no_time_gives_the_greedy_schedule_at_once():
    problem = DnnProblem(independent_graph(3000),
                         load_accelerator(os.path.join(ROOT, "examples", "single-core.toml")))
    began = time.perf_counter()
    result = problem.solve(time_limit=1e-6)
    assert time.perf_counter() - began < 3.0  # the greedy schedule alone: 0.1 s here
    assert result.status == OPTIMAL  # one core: the greedy schedule meets the bound


def test_past_the_limit_the_memory_aware_starts_are_not_built_unknown_at_once():
    """Under a budget only the memory-aware starts fit (file_order_graph): with no time left
    for them the answer is UNKNOWN and says why, not a late schedule."""
    accelerator = load_accelerator(os.path.join(ROOT, "examples", "npu-small.toml"))
    result = DnnProblem(file_order_graph(), accelerator, "latency", memory=225).solve(
        time_limit=1e-9)
    assert result.status == UNKNOWN and result.objective is None
    assert "greedy schedule" in result.result.reason


@pytest.mark.skipif(not os.path.isdir(DIFFSCHED),
                    reason=f"no diffsched graphs at {DIFFSCHED} (see ../shared/data/README)")
@pytest.mark.parametrize("objective", ["latency", "peak-memory"])
def test_a_diffsched_graph_returns_at_least_its_greedy_schedule_in_time(objective):
    """rand_graph_5000_1 (4,713 operators) on npu-small without its 32 MiB (no greedy
    schedule fits that): the greedy schedule, checked, within the limit."""
    graph = load_graph(os.path.join(DIFFSCHED, "rand_graph_5000_1.gml"))
    accelerator = load_accelerator(os.path.join(ROOT, "examples", "npu-small.toml"))
    problem = DnnProblem(graph, accelerator, objective, memory=1 << 30)
    greedy = problem.greedy_schedule()
    value = problem.model.objective_value(*greedy)
    began = time.perf_counter()
    result = problem.solve(time_limit=4)
    # (3.6 s alone; before this change the run took 60 s whatever the limit. The slack is
    # for a loaded machine, where 9.7 s was once seen: the limit is what is tested, not speed)
    assert time.perf_counter() - began < 10
    assert result.status in (OPTIMAL, FEASIBLE)
    assert result.objective <= value
