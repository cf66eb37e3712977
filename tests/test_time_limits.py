"""Time limits hold before the search starts too: while the formulas are compiled and while a
scheduling model's encoding is built (both grow with the model, and on a thousand-operator
memory model each took longer than a minute)."""
import random

from smtsched import Int, Solver, sat, unknown
from smtsched.compile import CompileTimeout
from smtsched.sched import FEASIBLE, Model, OPTIMAL
from smtsched.sched.check import violations


def test_compiling_stops_at_the_time_limit_and_the_next_check_goes_on_from_there():
    rng = random.Random(3)
    hidden = [rng.randrange(100) for _ in range(300)]  # a solution, so the answer is sat
    pairs = [(rng.randrange(300), rng.randrange(300)) for _ in range(20000)]
    bounds = [hidden[a] - hidden[b] + rng.randrange(3) for a, b in pairs]
    xs = [Int(f"x{i}") for i in range(300)]
    s = Solver()
    s.add([xs[a] - xs[b] <= c for (a, b), c in zip(pairs, bounds)])
    s.set(timeout=1)  # ms: far less than compiling 20000 assertions takes
    assert s.check() == unknown
    assert s.reason_unknown() == "timeout"
    compiled_before = len(s._compiler.done)
    assert 0 < compiled_before < len(pairs)
    s.set(timeout=0)
    assert s.check() == sat
    value = [s.model().eval(x) for x in xs]
    assert all(value[a] - value[b] <= c for (a, b), c in zip(pairs, bounds))


def test_a_check_whose_limit_passed_before_compiling_still_compiles_a_period():
    # In the suite's full run the 1 ms limit above was spent before the first assertion was
    # compiled: no progress, and the same check repeated would never get through.
    import time

    from smtsched.compile import IncrementalCompiler

    xs = [Int(f"x{i}") for i in range(10)]
    assertions = [xs[i % 10] - xs[(i + 1) % 10] <= i for i in range(1000)]
    compiler = IncrementalCompiler()
    for calls in range(1, 10):
        try:
            compiler.compile(assertions, deadline=time.perf_counter() - 1)
            break
        except CompileTimeout:
            assert len(compiler.done) == calls * IncrementalCompiler.CLOCK_PERIOD
    assert len(compiler.done) == len(assertions)


def memory_model(n, seed=1):
    """A random task graph on 4 units whose tensors each feed three later tasks: far from a
    chain, so most (tensor, instant) pairs need a liveness literal."""
    rng = random.Random(seed)
    m = Model()
    tasks = [m.task(f"t{i}", 1 + rng.randrange(5)) for i in range(n)]
    m.cumulative({t: 1 for t in tasks}, 4)
    memory = m.memory(name="memory")
    for i in range(n - 1):
        consumers = [tasks[c] for c in rng.sample(range(i + 1, n), min(3, n - i - 1))]
        for c in consumers:
            m.precedence(tasks[i], c)
        m.buffer(memory, 1 + rng.randrange(100), tasks[i], consumers)
    m.minimize_peak_memory(memory)
    return m, tasks


def test_a_memory_encoding_too_big_for_the_time_limit_returns_the_greedy_schedule():
    m, tasks = memory_model(400)
    r = m.solve(time_limit=0.3)
    # building this encoding takes seconds; the answer comes at about the limit
    assert r.runtime < 3
    assert r.status in (FEASIBLE, OPTIMAL)
    if r.status == FEASIBLE:
        assert r.reason == "timeout (while building the encoding)"
    assert r.lower_bound <= r.objective
    assert violations(m, [r.start(t) for t in tasks]) == []


def test_a_limit_spent_before_the_search_starts_gives_unknown_not_a_late_answer():
    # 200 assertions compile in one stretch (the clock is read every 256); the limit has
    # passed when the theories are built, so the search must not start
    xs = [Int(f"x{i}") for i in range(201)]
    s = Solver()
    s.add([xs[i] - xs[i + 1] <= 1 for i in range(200)])
    s.set(timeout=1)
    assert s.check() == unknown
    assert s.reason_unknown() == "timeout"
    s.set(timeout=0)
    assert s.check() == sat


def test_compiling_one_big_global_constraint_stops_inside_it_at_the_limit():
    """One Disjunctive over 1,500 tasks is one formula with a million ordering pairs
    (seconds): the limit stops it inside, not after it, and the half-built compilation is
    dropped (the next check starts afresh)."""
    from smtsched import Disjunctive

    n = 1500
    xs = [Int(f"s{i}") for i in range(n)]
    s = Solver()
    s.add(Disjunctive(xs, [1] * n))  # first: the clock is read before it, not inside it
    s.add([x >= 0 for x in xs])
    s.set(timeout=200)  # ms
    assert s.check() == unknown
    assert s.reason_unknown() == "timeout"
    assert s._compiler.compiler is None and s._compiler.done == []


def test_a_global_constraint_cut_off_by_the_limit_is_compiled_whole_by_the_next_check():
    """The half-built pairs are dropped with the compiler: the next compilation equals a
    fresh one (kept, they would come back twice)."""
    from smtsched import Disjunctive
    from smtsched.compile import IncrementalCompiler, PartialCompileTimeout, compile_problem
    import time

    import pytest

    n = 600
    xs = [Int(f"s{i}") for i in range(n)]
    # the Disjunctive first: the clock is read before it (in time), then inside it, where
    # its 180,000 pairs (about a second) meet the 50 ms deadline
    assertions = [Disjunctive(xs, [1] * n)] + [x >= 0 for x in xs]
    incremental = IncrementalCompiler()
    with pytest.raises(PartialCompileTimeout):
        incremental.compile(assertions, deadline=time.perf_counter() + 0.05)
    assert incremental.compiler is None and incremental.done == []
    whole = incremental.compile(assertions)
    fresh = compile_problem(assertions)
    assert whole.num_vars == fresh.num_vars
    assert sorted(map(sorted, whole.clauses)) == sorted(map(sorted, fresh.clauses))
    assert [type(g).__name__ for g in whole.globals] == ["DisjunctiveSpec"]


def test_the_implied_orders_pass_of_a_global_constraint_reads_the_compile_deadline(monkeypatch):
    """The longest paths behind the pairs the precedences order (quadratic: seconds on
    thousands of tasks) run under the compiler's deadline; past it the constraint is cut off
    (PartialCompileTimeout), not finished late."""
    import time

    import pytest

    from smtsched import Disjunctive
    from smtsched import precedence
    from smtsched.compile import IncrementalCompiler, PartialCompileTimeout

    given = []
    original = precedence.Precedences.longest_paths

    def spy(self, sources=None, deadline=None):
        given.append(deadline)
        return original(self, sources, deadline)

    monkeypatch.setattr(precedence.Precedences, "longest_paths", spy)
    xs = [Int(f"s{i}") for i in range(4)]
    chain = [xs[i + 1] - xs[i] >= 1 for i in range(3)]  # precedences: some pairs are ordered
    deadline = time.perf_counter() + 60
    IncrementalCompiler().compile(chain + [Disjunctive(xs, [1] * 4)], deadline=deadline)
    assert given == [deadline]

    def late(self, sources=None, deadline=None):
        raise precedence.DeadlinePassed

    monkeypatch.setattr(precedence.Precedences, "longest_paths", late)
    with pytest.raises(PartialCompileTimeout):
        IncrementalCompiler().compile(chain + [Disjunctive(xs, [1] * 4)],
                                      deadline=time.perf_counter() + 60)
