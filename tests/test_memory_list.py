"""The memory-aware list schedules (smtsched.sched.memory_list) and the optimiser's use of them
before any search: every schedule a pass returns is valid by the independent oracle
(tests/sched_oracle.py), the optimiser's answers stay the brute-force optimum, the same seed
gives the same answer and statistics, and the case that made the step worth it (a start that
runs one operator at a time under a memory budget on two units) ends at the bound without a
search."""
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sched_oracle as oracle
from smtsched.sched import OPTIMAL, Model, check, memory_list


def _makespan_spec(spec, horizon=True):
    spec = dict(spec)
    spec["objective"] = ("makespan",)
    if not horizon:
        spec["horizon"] = None   # (a pass does not aim below a horizon: the caller checks)
    return spec


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(oracle.specs(min_tasks=2, max_tasks=6, memory=True), st.integers(0, 2 ** 16))
def test_every_list_schedule_is_valid(spec, seed):
    spec = _makespan_spec(spec, horizon=False)
    model, _ = oracle.build(spec)
    if not memory_list.applicable(model):
        return
    lists = memory_list.ListScheduler(model)
    generator = random.Random(seed)
    n = len(model.tasks)
    for _ in range(5):
        priority = list(range(n))
        generator.shuffle(priority)
        starts = lists.schedule(priority)
        if starts is None:
            continue   # stuck: allowed, the caller tries another order
        present = [True] * n
        assert not oracle.violations(spec, starts, present), (oracle.describe(spec), starts)
        assert check.violations(model, starts) == [], starts


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(oracle.specs(min_tasks=2, max_tasks=4, memory=True))
def test_answers_with_the_list_step_are_the_brute_force_optimum(spec):
    spec = _makespan_spec(spec)
    model, tasks = oracle.build(spec)
    truth = oracle.brute_force(spec)[0]
    result = model.solve()
    if truth is None:
        assert result.objective is None
        return
    assert result.status == OPTIMAL and result.objective == truth, oracle.describe(spec)
    starts = [result.start(t) if result.present(t) else 0 for t in tasks]
    present = [bool(result.present(t)) for t in tasks]
    assert not oracle.violations(spec, starts, present)


def _budget_pairs(k, duration=5, size=10):
    """k independent producer -> consumer pairs on two units, each producer's output (size
    bytes) read by its consumer, under a budget of 2 * size + size: two pairs at a time fit
    only when a consumer frees its input as the next producer starts. The start given runs
    one task at a time (valid: one buffer live at a time)."""
    m = Model("pairs")
    units = []
    memory = m.memory(capacity=3 * size)
    order = []
    for i in range(k):
        p = m.task(f"p{i}", duration)
        c = m.task(f"c{i}", duration)
        m.precedence(p, c)
        m.buffer(memory, size, p, [c])
        units += [(p, 1), (c, 1)]
        order += [p, c]
    m.cumulative(units, 2)
    m.minimize_makespan()
    sequential = [0] * len(m.tasks)
    for rank, task in enumerate(order):
        sequential[task.index] = rank * duration
    return m, sequential


def test_a_one_at_a_time_start_is_compacted_to_the_bound_without_a_search():
    model, sequential = _budget_pairs(20)
    assert check.violations(model, sequential) == []
    result = model.solve(start_from=[sequential])
    # 40 tasks of 5 on two units: 100; the start took 200
    assert result.status == OPTIMAL and result.objective == 100
    assert result.stats["list_from"] == 200 and result.stats["list_schedule"] == 100
    assert result.stats["checks"] == 0   # no search: the list schedule met the static bound
    assert check.violations(model, [result.start(t) for t in model.tasks]) == []


def test_a_stuck_order_is_refused_not_returned():
    # two producers whose outputs do not fit together: a priority that starts both first
    # (both before either consumer) gets stuck, and says so
    m = Model("stuck")
    memory = m.memory(capacity=10)
    a, b = m.task("a", 1), m.task("b", 1)
    ca, cb = m.task("ca", 1), m.task("cb", 1)
    m.precedence(a, ca)
    m.precedence(b, cb)
    m.buffer(memory, 6, a, [ca])
    m.buffer(memory, 6, b, [cb])
    m.cumulative([(t, 1) for t in (a, b, ca, cb)], 2)
    m.minimize_makespan()
    lists = memory_list.ListScheduler(m)
    # a then b fit? 6 + 6 > 10: b waits for ca; the order a, b, ca, cb still schedules
    starts = lists.schedule([0, 1, 2, 3])
    assert starts is not None and check.violations(m, starts) == []
    assert starts[b.index] >= starts[ca.index] + 1
    result = m.solve()
    assert result.status == OPTIMAL and result.objective == 4


def _layered(seed, n=120, width=6):
    """A random layered operator graph (buffers read by the next layers) on two units under a
    memory budget that binds."""
    generator = random.Random(seed)
    m = Model("layered")
    memory = m.memory(capacity=None)
    tasks, consumers = [], []
    for i in range(n):
        t = m.task(f"t{i}", generator.randint(1, 9))
        tasks.append(t)
        consumers.append([])
        if i >= width:
            for j in generator.sample(range(max(0, i - 3 * width), i), 2):
                m.precedence(tasks[j], t)
                consumers[j].append(t)
    for i, t in enumerate(tasks):
        m.buffer(memory, generator.randint(1, 5), t, consumers[i])
    # a buffer is read at most 3 layers on: one task at a time in index order holds at most
    # 3 * width + 1 buffers of at most 5 bytes, so that order fits and the budget still binds
    memory.capacity = 5 * (3 * width + 1)
    m.cumulative([(t, 1) for t in tasks], 2)
    m.minimize_makespan()
    return m


def test_the_same_seed_gives_the_same_answer_and_statistics():
    answers = []
    for _ in range(2):
        model = _layered(3)
        result = model.solve(seed=5)
        answers.append((result.status, result.objective, result.lower_bound,
                        [result.start(t) for t in model.tasks],
                        {k: v for k, v in result.stats.items() if k != "runtime"}))
    assert answers[0] == answers[1]
    assert "list_passes" in answers[0][4]


def test_list_schedules_of_layered_graphs_are_valid_and_not_all_stuck():
    valid = 0
    for seed in range(4):
        model = _layered(seed)
        lists = memory_list.ListScheduler(model)
        generator = random.Random(seed)
        n = len(model.tasks)
        # the index order fits one task at a time: its list schedule is never stuck
        starts = lists.schedule(list(range(n)))
        assert starts is not None and check.violations(model, starts) == []
        assert lists.makespan(starts) < sum(t.duration for t in model.tasks)   # two units
        valid += 1
        starts = lists.schedule([-t for t in lists.tail])
        if starts is not None:
            assert check.violations(model, starts) == []
            valid += 1
        shuffled = list(range(n))
        generator.shuffle(shuffled)
        starts = lists.schedule(shuffled)
        assert starts is None or check.violations(model, starts) == []
    assert valid >= 4
