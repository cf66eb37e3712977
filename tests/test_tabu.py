"""The tabu search on machine orders (smtsched.sched.local_search): the compiled search and its
pure-Python twin agree move by move, every schedule passes the independent check, the same
seed gives the same schedule, and only models of machines are taken."""
import os
import random

import pytest

from smtsched.sched import Model, check, heuristic, local_search, tabu_ref
from smtsched.sched.formats import read_jobshop

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(HERE, "..", "..", "shared", "data")

try:
    from smtsched.sched import _tabu
except ImportError:  # SMTSCHED_PUREPYTHON=1
    _tabu = None

needs_compiled = pytest.mark.skipif(_tabu is None, reason="the Cython twin is not built "
                                                          "(SMTSCHED_PUREPYTHON=1)")


def jobshop(name):
    path = os.path.join(DATA, "jssp", f"{name}.txt")
    if not os.path.isfile(path):
        pytest.skip(f"the shared benchmark data is absent ({path}); set SMTSCHED_DATA")
    return read_jobshop(path)


def greedy(model):
    starts = heuristic.serial_schedule(model, 0)
    assert starts is not None and not check.violations(model, starts)
    return starts


def both(model, starts, seed, **budget):
    """(reference result, trace), (compiled result, trace) of the same search."""
    arguments = dict(iterations=1500, limit=800, patience=150, tenure=8, kick=3, lower=0)
    arguments.update(budget)
    runs = []
    for engine in (tabu_ref, _tabu):
        trace = []
        found = engine.search(local_search.problem(model, starts), seed, trace=trace,
                              **arguments)
        runs.append((found, trace))
    return runs


@needs_compiled
@pytest.mark.parametrize("name,seed", [("ft06", 0), ("ft06", 3), ("la01", 0), ("la01", 7)])
def test_twins_take_the_same_moves(name, seed):
    model = jobshop(name)
    starts = greedy(model)
    (ref, ref_trace), (compiled, compiled_trace) = both(model, starts, seed)
    # not vacuous: moves, back jumps and a better schedule
    assert sum(1 for step in ref_trace if step[0] == "move") > 100
    assert any(step[0] == "jump" for step in ref_trace)
    assert ref[0] < model.objective_value(starts)
    assert compiled_trace == ref_trace
    assert compiled == ref
    assert not check.violations(model, ref[1])
    assert model.objective_value(ref[1]) == ref[0]


@pytest.mark.parametrize("engine", ["ref", "compiled"])
def test_improve_reaches_the_optimum_of_small_job_shops(engine):
    if engine == "compiled" and _tabu is None:
        pytest.skip("the Cython twin is not built (SMTSCHED_PUREPYTHON=1)")
    engine = tabu_ref if engine == "ref" else _tabu
    for name, optimum in (("ft06", 55), ("la01", 666)):
        model = jobshop(name)
        starts = greedy(model)
        stats = {}
        better = local_search.improve(model, starts, seed=1, iterations=3000, limit=3000,
                                      lower=optimum, stats=stats, engine=engine)
        assert better is not None and not check.violations(model, better)
        assert model.objective_value(better) == optimum
        assert stats["best"] == optimum and stats["iterations"] < 3000   # stopped at the bound


def test_same_seed_same_schedule():
    model = jobshop("la01")
    starts = greedy(model)
    first = local_search.improve(model, starts, seed=4, iterations=400, limit=400)
    second = local_search.improve(model, starts, seed=4, iterations=400, limit=400)
    assert first is not None and first == second


def random_model(generator, jobs, machines, extras):
    """A job shop with releases, lags, a task on no machine, a zero-length task and
    precedences between tasks of one machine (whose swaps close cycles)."""
    model = Model("random")
    on = [[] for _ in range(machines)]
    tasks = []
    for j in range(jobs):
        previous = None
        order = list(range(machines))
        generator.shuffle(order)
        for k, m in enumerate(order):
            task = model.task(f"j{j}m{m}", duration=generator.randint(1, 9),
                              release=generator.choice([0, 0, generator.randint(0, 20)]))
            on[m].append(task)
            tasks.append(task)
            if previous is not None:
                model.precedence(previous, task, min_lag=generator.choice([0, 0, 2]))
            previous = task
    free = model.task("free", duration=5)
    zero = model.task("zero", duration=0)
    model.precedence(tasks[0], free)
    model.precedence(free, zero)
    on[0].append(zero)
    for _ in range(extras):
        m = generator.randrange(machines)
        a, b = generator.sample(on[m], 2)
        if a.duration and b.duration and a.index < b.index:
            model.precedence(a, b)   # kept acyclic: by index
    for m in range(machines):
        model.unary(on[m], name=f"m{m}")
    model.minimize_makespan()
    return model


@pytest.mark.parametrize("seed", range(6))
def test_general_models_stay_valid_and_the_twins_agree(seed):
    generator = random.Random(seed)
    model = random_model(generator, jobs=5, machines=4, extras=4)
    assert local_search.applicable(model)
    starts = greedy(model)
    for engine in ([tabu_ref] + ([_tabu] if _tabu else [])):
        found = engine.search(local_search.problem(model, starts), seed, iterations=600,
                              limit=600, patience=60, tenure=5, kick=2, lower=0)
        assert found is not None
        value, schedule, _ = found
        assert not check.violations(model, schedule)
        assert model.objective_value(schedule) == value <= model.objective_value(starts)
    if _tabu is not None:
        (ref, ref_trace), (compiled, compiled_trace) = both(model, starts, seed, iterations=600)
        assert compiled_trace == ref_trace and compiled == ref


def test_a_swap_that_closes_a_cycle_is_refused():
    # x (on no machine) then a then b, a and b on one machine: the only move swaps a and b,
    # which a precedence a -> b forbids (a cycle); the search must refuse it and stop
    model = Model("cycle")
    x = model.task("x", duration=5)
    a = model.task("a", duration=4)
    b = model.task("b", duration=4)
    model.precedence(x, a)
    model.precedence(a, b)
    model.unary([a, b])
    model.minimize_makespan()
    starts = [0, 5, 9]
    for engine in ([tabu_ref] + ([_tabu] if _tabu else [])):
        value, schedule, stats = engine.search(local_search.problem(model, starts), 0,
                                               iterations=50, limit=50, patience=10, tenure=3,
                                               kick=1, lower=0)
        assert stats["cycles"] == 1 and stats["iterations"] == 1   # tried, refused, stopped
        assert schedule == starts and value == 13
    assert local_search.improve(model, starts) is None


def test_only_models_of_machines_are_taken():
    def base():
        model = Model("m")
        a, b = model.task("a", duration=2), model.task("b", duration=3)
        model.precedence(a, b)
        return model, a, b

    model, a, b = base()
    model.unary([a, b])
    model.minimize_makespan()
    assert local_search.applicable(model)
    model.minimize_weighted_completion()
    assert not local_search.applicable(model)

    model, a, b = base()
    model.cumulative({a: 1, b: 1}, capacity=2)
    model.minimize_makespan()
    assert not local_search.applicable(model)

    model, a, b = base()
    model.cumulative({a: 2, b: 2}, capacity=2)   # a machine in all but name
    model.minimize_makespan()
    assert local_search.applicable(model)

    model, a, b = base()
    model.unary([a, b])
    model.unary([a, b])   # a task on two machines: a swap on one would not be enough
    model.minimize_makespan()
    assert not local_search.applicable(model)

    for change in ("deadline", "max_lag", "horizon", "optional"):
        model = Model("m")
        a = model.task("a", duration=2, deadline=10 if change == "deadline" else None)
        b = model.task("b", duration=3, optional=change == "optional")
        model.precedence(a, b, max_lag=5 if change == "max_lag" else None)
        model.unary([a, b])
        if change == "horizon":
            model.set_horizon(20)
        model.minimize_makespan()
        assert not local_search.applicable(model), change
        assert local_search.improve(model, [0, 2]) is None


def random_jobshop(jobs, machines, seed):
    """A job shop of `jobs` x `machines` with random routes and durations 1-99."""
    rng = random.Random(seed)
    m = Model(f"random-{jobs}x{machines}")
    on = [[] for _ in range(machines)]
    for j in range(jobs):
        previous = None
        for k in rng.sample(range(machines), machines):
            task = m.task(f"j{j}m{k}", rng.randint(1, 99))
            on[k].append(task)
            if previous is not None:
                m.precedence(previous, task)
            previous = task
    for k, tasks in enumerate(on):
        m.unary(tasks, name=f"m{k}")
    m.minimize_makespan()
    return m


@pytest.mark.parametrize("tasks_from, searched", [(400, True), (401, False)])
def test_the_optimiser_runs_the_tabu_search_from_400_tasks(monkeypatch, tasks_from, searched):
    # below Optimizer.LOCAL_SEARCH_FROM the exact search proves job shops on its own, and the
    # tabu search's moves only delayed the proof; a 20 x 20 shop has exactly 400 tasks
    from smtsched.sched.optimize import Optimizer
    monkeypatch.setattr(Optimizer, "LOCAL_SEARCH_FROM", tasks_from)
    model = random_jobshop(20, 20, seed=3)
    result = model.solve(time_limit=2)
    assert result.objective is not None   # (a checked schedule: the optimiser checks each)
    assert ("tabu_moves" in result.stats) == searched
    if searched:
        assert result.stats["tabu_moves"] > 0
        assert result.stats["heuristic"] < model.objective_value(greedy(model))
