"""Regression tests of the scheduling layer (issue 14): each holds an input that gave a wrong
answer, a contradicting status or an accepted-and-ignored parameter, with the right answer
worked out by hand in the comment. Models shrunk by tests/test_fuzz_sched.py land here too."""
import pytest

from smtsched.sched import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, Model, ModelError, Result
from smtsched.sched.bounds import positive_cycle
from smtsched.sched.memory import quick_lower_bound
from smtsched.sched.result import InconsistentResult


def valid(model, result):
    """The result's schedule satisfies the model (smtsched's own checker: the fuzzer has an
    independent one)."""
    from smtsched.sched.check import violations
    starts = [result.start(t) if result.present(t) else 0 for t in model.tasks]
    present = [bool(result.present(t)) for t in model.tasks]
    return violations(model, starts, present) == []


# ------------------------------------------------------------- item 1: negative lags + memory

def negative_lag_memory_model(capacity=None):
    """j may start up to 10 before p ends (so before p starts); p's 100 bytes are live from
    p's start to j's end, j's own 7 bytes while j runs."""
    m = Model()
    p = m.task("p", 5)
    j = m.task("j", 1)
    m.precedence(p, j, min_lag=-10)
    mem = m.memory(capacity=capacity, name="mem")
    m.buffer(mem, 100, p, [j])
    m.buffer(mem, 7, j, [])
    return m, mem


def test_negative_lag_does_not_make_the_producer_start_first_peak_memory():
    # p=5, j=0: j's 7 bytes are freed at 1, before p allocates its 100: peak 100 (was
    # OPTIMAL 107, the memory bound taking the chain p -> j of length -5 as start(p) <= start(j))
    m, mem = negative_lag_memory_model()
    m.minimize_peak_memory(mem)
    r = m.solve()
    assert (r.status, r.objective, r.lower_bound) == (OPTIMAL, 100, 100)
    assert valid(m, r)


def test_negative_lag_memory_capacity_is_feasible_makespan():
    # capacity 100: j must end before p starts; j=0, p=1 ends at 6 (was INFEASIBLE)
    m, _ = negative_lag_memory_model(capacity=100)
    m.minimize_makespan()
    r = m.solve()
    assert (r.status, r.objective) == (OPTIMAL, 6)
    assert valid(m, r)


def test_memory_encoding_bound_does_not_count_a_negative_chain():
    from smtsched.sched.encode import Encoding
    m, mem = negative_lag_memory_model()
    assert Encoding(m).memory_encoding(mem).lower_bound <= 100


def test_quick_memory_bound_leaves_out_optional_consumers():
    # c is optional: when absent, only p's own 10 bytes are ever live (at p's start, b is live
    # but c is not there to read it); the bound counted c's instant with both buffers: 15
    m = Model()
    p = m.task("p", 2)
    c = m.task("c", 3, optional=True)
    m.precedence(p, c)
    mem = m.memory()
    m.buffer(mem, 10, p, [c])
    m.buffer(mem, 5, None, [c])
    m.minimize_peak_memory(mem)
    assert quick_lower_bound(m, mem) <= 10
    r = m.solve()
    assert (r.status, r.objective) == (OPTIMAL, 10) and not r.present(c)


def test_quick_memory_bound_needs_a_nonnegative_precedence():
    # p -> c with min_lag -4 and p lasting 2: c may start 2 before p; the producer-less buffer
    # read by c then is freed before p allocates. Peak 6 (c at 0 holds 5, then p at 3 holds 6)
    m = Model()
    p = m.task("p", 2)
    c = m.task("c", 1)
    m.precedence(p, c, min_lag=-4)
    mem = m.memory()
    m.buffer(mem, 6, p, [c])
    m.buffer(mem, 5, None, [c])
    assert quick_lower_bound(m, mem) <= 6
    m.minimize_peak_memory(mem)
    r = m.solve()
    assert (r.status, r.objective) == (OPTIMAL, 6)


# ----------------------------------------------------------- item 3: statuses and their numbers

def test_result_derives_optimal_when_the_bound_meets_the_objective():
    m = Model()
    m.task("a", 1)
    r = Result(m, FEASIBLE, objective=5, lower_bound=5, starts=[0])
    assert r.status == OPTIMAL and r.gap == 0.0


@pytest.mark.parametrize("status, numbers", [
    (OPTIMAL, dict(objective=5, lower_bound=4, starts=[0])),     # a gap is no proof
    (OPTIMAL, dict(objective=5, starts=[0])),                    # no bound at all
    (FEASIBLE, dict(objective=5, lower_bound=6, starts=[0])),    # a bound above a schedule
    (INFEASIBLE, dict(lower_bound=28)),                          # item 8
    (INFEASIBLE, dict(objective=3, lower_bound=3, starts=[0])),
    (UNKNOWN, dict(objective=3, starts=[0])),
    (OPTIMAL, dict(objective=3, lower_bound=3)),                 # no schedule
    ("MAYBE", dict()),
])
def test_result_refuses_a_status_its_numbers_contradict(status, numbers):
    m = Model()
    m.task("a", 1)
    with pytest.raises(InconsistentResult):
        Result(m, status, **numbers)


def test_result_status_cannot_be_overwritten():
    m = Model()
    m.task("a", 1)
    r = Result(m, FEASIBLE, objective=5, lower_bound=3, starts=[0])
    with pytest.raises(AttributeError):
        r.status = OPTIMAL
    assert r.gap > 0


def test_every_reported_solution_has_a_consistent_status():
    # greedy schedule and improvements: FEASIBLE only with a gap, OPTIMAL with none
    m = Model()
    tasks = [m.task(f"t{i}", d, release=r) for i, (d, r) in enumerate(
        [(3, 0), (2, 1), (4, 0), (1, 5), (2, 2)])]
    m.unary(tasks[:3])
    m.unary(tasks[2:])
    m.precedence(tasks[0], tasks[3], min_lag=-2)
    m.minimize_weighted_completion({t: i + 1 for i, t in enumerate(tasks)})
    seen = []
    r = m.solve(on_solution=seen.append)
    assert seen and r.status == OPTIMAL
    for s in seen + [r]:
        assert (s.status == OPTIMAL) == (s.lower_bound == s.objective)
        assert s.status in (OPTIMAL, FEASIBLE) and s.lower_bound <= s.objective
        assert (s.gap == 0) == (s.status == OPTIMAL)


def test_greedy_result_whose_bound_meets_it_is_optimal():
    # a chain: the greedy schedule is the critical path, 6 = the bound
    m = Model()
    a, b = m.task("a", 2), m.task("b", 4)
    m.precedence(a, b)
    m.minimize_makespan()
    seen = []
    r = m.solve(on_solution=seen.append)
    assert [s.status for s in seen] == [OPTIMAL] and r.status == OPTIMAL
    assert r.gap == 0.0


# ------------------------------------------------------------- item 5: parameters that work

@pytest.mark.parametrize("workers", [0, -1, True, "1", 1.0])
def test_workers_other_than_a_positive_integer_are_refused(workers):
    # (k > 1 is the parallel search: tests/test_parallel_search.py)
    m = Model()
    m.task("a", 1)
    with pytest.raises(ModelError, match="workers must be an integer >= 1"):
        m.solve(workers=workers)


@pytest.mark.parametrize("workers", [1, None])
def test_one_worker_is_accepted(workers):
    m = Model()
    m.task("a", 1)
    assert m.solve(workers=workers).status == OPTIMAL


@pytest.mark.parametrize("parameters, words", [
    (dict(seed=1.5), "seed"), (dict(seed="3"), "seed"), (dict(seed=None), "seed"),
    (dict(time_limit=-1), "time_limit"), (dict(time_limit="10"), "time_limit"),
    (dict(time_limit=float("nan")), "time_limit"), (dict(time_limit=True), "time_limit"),
    (dict(time_limit=float("inf")), "time_limit"),
    (dict(on_solution=3), "on_solution"), (dict(log="yes"), "log"),
    (dict(start_from=[[0]]), "start_from\\[0\\] has 1 starts"),
    (dict(start_from=[[0, 1.5]]), "start_from\\[0\\]\\[1\\]"),
    (dict(start_from=5), "start_from"),
])
def test_solve_parameters_that_cannot_work_are_refused(parameters, words):
    m = Model()
    m.task("a", 1)
    m.task("b", 1)
    with pytest.raises(ModelError, match=words):
        m.solve(**parameters)


def test_start_from_is_used():
    # a schedule of the caller's that beats nothing it cannot: its objective is reported first
    m = Model()
    a, b = m.task("a", 2), m.task("b", 2)
    m.unary([a, b])
    m.minimize_weighted_completion({a: 1, b: 5})
    seen = []
    m.solve(start_from=[[2, 0]], on_solution=seen.append)
    assert seen[0].objective == 1 * 4 + 5 * 2


@pytest.mark.parametrize("build", [
    lambda m: m.task("x", 1, optional=1),
    lambda m: m.buffer(m.memory(), 1, None, [], until_end="no"),
])
def test_flags_must_be_booleans(build):
    with pytest.raises(ModelError):
        build(Model())


def test_weighted_objective_refuses_optional_tasks_added_later():
    """(Issue 17 changed this: the model's other tasks may be optional; a weighted task may
    not, and solve checks it again, e.g. for weights set directly or read from model.json.)"""
    m = Model()
    a = m.task("a", 1)
    m.minimize_weighted_completion({a: 1})
    b = m.task("b", 1, optional=True)
    result = m.solve()
    assert result.objective == 1 and not result.present(b)
    m.weights[b.index] = 1
    with pytest.raises(ModelError, match="b is optional"):
        m.solve()


def test_alternative_of_an_optional_task_is_refused():
    m = Model()
    t = m.task("t", 1, optional=True)
    o = m.task("o", 1, optional=True)
    with pytest.raises(ModelError, match="mandatory"):
        m.alternative(t, [o])


# ---------------------------------------------------------- item 8: INFEASIBLE has no number

def positive_cycle_model(objective=True):
    m = Model()
    a, b = m.task("a", 3), m.task("b", 4)
    m.precedence(a, b, min_lag=1)
    m.precedence(b, a, min_lag=0)
    if objective:
        m.minimize_makespan()
    return m


@pytest.mark.parametrize("objective", [True, False])
def test_positive_cycle_is_infeasible_without_a_bound_and_names_its_tasks(objective):
    r = positive_cycle_model(objective).solve()
    assert r.status == INFEASIBLE
    assert r.lower_bound is None and r.gap is None and r.objective is None
    assert "a" in r.reason and "b" in r.reason and "cycle" in r.reason


def test_heads_and_tails_refuse_a_positive_cycle():
    from smtsched.sched.bounds import PositiveCycle, heads_and_tails, makespan_lower_bound
    m = positive_cycle_model()
    for bound in (heads_and_tails, makespan_lower_bound):
        with pytest.raises(PositiveCycle):
            bound(m)
    cycle = positive_cycle(m)
    assert sorted(t.name for t in cycle.tasks) == ["a", "b"] and cycle.length == 8


def test_a_maximum_lag_closes_a_positive_cycle_found_before_any_search():
    """Noticed in session 7: a maximum lag given through the API was left out of the
    positive-cycle test (only the psplib reader, which writes maximum lags as reverse minimum
    lags, got INFEASIBLE without a search). b must start within 3 of a's end but after c,
    which starts 10 after a ends: b - a >= 1 + 10 + 1 and b - a <= 1 + 3."""
    m = Model()
    a, b, c = m.task("a", 1), m.task("b", 1), m.task("c", 1)
    m.precedence(a, c, min_lag=10)
    m.precedence(c, b)
    m.precedence(a, b, max_lag=3)
    m.minimize_makespan()
    cycle = positive_cycle(m)
    assert cycle is not None and sorted(t.name for t in cycle.tasks) == ["a", "b", "c"]
    assert cycle.length == 12 - 4
    r = m.solve()
    assert r.status == INFEASIBLE and "cycle" in r.reason
    assert r.stats.get("conflicts", 0) == 0, r.stats
    # one unit more of maximum lag is not enough either; 8 more is
    m2 = Model()
    a, b, c = m2.task("a", 1), m2.task("b", 1), m2.task("c", 1)
    m2.precedence(a, c, min_lag=10)
    m2.precedence(c, b)
    m2.precedence(a, b, max_lag=11)
    m2.minimize_makespan()
    assert positive_cycle(m2) is None
    r2 = m2.solve()
    assert r2.status == OPTIMAL and r2.objective == 13


def test_positive_cycle_found_behind_a_chain():
    # c -> a -> b -> a: the cycle is a, b (c only leads into it)
    m = Model()
    c, a, b = m.task("c", 1), m.task("a", 2), m.task("b", 2)
    m.precedence(c, a)
    m.precedence(a, b, min_lag=-1)
    m.precedence(b, a, min_lag=-1)
    cycle = positive_cycle(m)
    assert sorted(t.name for t in cycle.tasks) == ["a", "b"] and cycle.length == 2


def test_zero_length_cycle_is_no_positive_cycle():
    # start(b) = start(a) + 2 exactly: feasible
    m = Model()
    a, b = m.task("a", 2), m.task("b", 1)
    m.precedence(a, b)
    m.precedence(b, a, min_lag=-3)
    assert positive_cycle(m) is None
    m.minimize_makespan()
    r = m.solve()
    assert (r.status, r.objective) == (OPTIMAL, 3)


def test_optional_positive_cycle_is_no_proof():
    # the cycle holds only when both optional tasks are present: leave one out
    m = Model()
    a, b = m.task("a", 3, optional=True), m.task("b", 4, optional=True)
    m.precedence(a, b, min_lag=1)
    m.precedence(b, a, min_lag=0)
    m.minimize_makespan()
    r = m.solve()
    assert r.status == OPTIMAL and r.objective == 0


@pytest.mark.parametrize("build", [
    lambda m, a, b: m.unary([a, b, a]),
    lambda m, a, b: m.cumulative([(a, 1), (a, 1)], 2),
    lambda m, a, b: m.alternative(a, [b, b]),
])
def test_a_task_listed_twice_is_refused(build):
    # m.unary([a, a]) made a task overlap itself (INFEASIBLE), alternative(a, [b, b]) asked
    # for exactly one of b and b: no clear meaning, so no guess
    m = Model()
    a, b = m.task("a", 2), m.task("b", 2, optional=True)
    with pytest.raises(ModelError, match="twice"):
        build(m, a, b)


def test_a_buffer_larger_than_its_memory_is_named():
    m = Model()
    a, b = m.task("a", 2), m.task("b", 1)
    mem = m.memory(capacity=50, name="sram")
    m.buffer(mem, 10, a, [b], name="small")
    m.buffer(mem, 60, None, [b], name="weights")
    r = m.solve()
    assert r.status == INFEASIBLE and r.lower_bound is None
    assert "weights" in r.reason and "sram" in r.reason


def test_a_large_buffer_that_is_never_live_is_no_proof():
    # produced by a zero-duration task and read by nobody: live over [s, s), never
    m = Model()
    a = m.task("a", 0)
    mem = m.memory(capacity=5)
    m.buffer(mem, 60, a, [])
    m.buffer(mem, 60, None, [])
    assert m.solve().status == OPTIMAL


@pytest.mark.parametrize("build", [
    lambda m, a, b: m.cumulative([a, b], 2),                   # tasks without demands
    lambda m, a, b: m.cumulative([(a, 1, 2)], 2),
    lambda m, a, b: m.unary(a),                                # a task, not a list
    lambda m, a, b: m.buffer(m.memory(), 1, a, b),
    lambda m, a, b: m.minimize_weighted_completion([a, b]),
    lambda m, a, b: m.minimize_weighted_tardiness(3),
    lambda m, a, b: m.to_smtlib(bound=2.5),
])
def test_malformed_arguments_are_refused_with_a_model_error(build):
    # these escaped as TypeError or ValueError from unpacking, or were taken as they came
    m = Model()
    a, b = m.task("a", 2), m.task("b", 1)
    with pytest.raises(ModelError):
        build(m, a, b)


# ------------------------------------------- shrunk by tests/test_fuzz_sched.py (issue 14 item 1)
# Found by the fuzzer with the memory bound's old rule (a chain of any length orders the
# starts) put back; both pass since the fix.

def test_fuzz_zero_duration_producer_after_its_reader_is_feasible_at_capacity_0():
    # t1 starts exactly 1 before t0; t0's buffer is read by t0 and t1, which both end by
    # t0's start: it is never live, so capacity 0 holds (was INFEASIBLE)
    m = Model()
    t0, t1 = m.task("t0", 0), m.task("t1", 0)
    m.precedence(t0, t1, min_lag=-1, max_lag=-1)
    mem = m.memory(capacity=0)
    m.buffer(mem, 1, t0, [t0, t1])
    m.buffer(mem, 0, t1, [], until_end=True)
    m.minimize_peak_memory(mem)
    r = m.solve()
    assert (r.status, r.objective) == (OPTIMAL, 0)


def test_fuzz_output_kept_to_the_end_allocated_after_the_input_is_freed():
    # t1 (the input's reader) at 0, t0 at 1 (allowed: t1 >= t0 - 1): the input is freed at 1
    # when t0's kept output is allocated; peak 1 (was OPTIMAL 2)
    m = Model()
    t0, t1 = m.task("t0", 0), m.task("t1", 1)
    m.precedence(t0, t1, min_lag=-1)
    mem = m.memory()
    m.buffer(mem, 1, t0, [t1], until_end=True)
    m.buffer(mem, 0, t1, [], until_end=True)
    m.buffer(mem, 1, None, [t1])
    m.minimize_peak_memory(mem)
    r = m.solve()
    assert (r.status, r.objective, r.lower_bound) == (OPTIMAL, 1, 1)


@pytest.mark.parametrize("objective", ["none", "makespan", "weighted_completion", "peak"])
def test_a_model_without_tasks_is_solved(objective):
    # the positive-cycle check walked back from no task at all (TypeError), found once the
    # fuzzer drew models of 0 and 1 tasks; one producer-less buffer kept to the end: peak 5
    m = Model()
    mem = m.memory()
    m.buffer(mem, 5, None, [], until_end=True)
    if objective == "makespan":
        m.minimize_makespan()
    elif objective == "weighted_completion":
        m.minimize_weighted_completion()
    elif objective == "peak":
        m.minimize_peak_memory(mem)
    r = m.solve()
    assert r.status == OPTIMAL
    assert r.objective == {"none": None, "makespan": 0, "weighted_completion": 0,
                           "peak": 5}[objective]


def test_a_gap_beyond_a_float_is_probed_exactly(tmp_path):
    """Found by the bad-input corpus (session 8): a flexible job shop with one processing time
    of 400 digits made the probe loop multiply the gap by a float (OverflowError, reported as
    an internal error). The greedy schedule is not optimal here, so probes must run."""
    from smtsched.sched.fjs_format import read_fjs
    huge = int("7" * 400)
    path = tmp_path / "huge.fjs"
    path.write_text("3 6 2.2\n"
                    "3 3 1 147 2 123 3 145 2 4 140 2 130 2 4 150 5 160\n"
                    "3 2 1 214 3 150 2 3 87 2 66 2 5 178 6 95\n"
                    f"3 3 2 123 3 145 1 128 3 3 86 4 65 5 47 2 5 {huge} 6 85\n")
    r = read_fjs(str(path)).solve(time_limit=20)
    # the huge option is never worth taking: small.fjs's optimum, 403, stands
    assert r.status == OPTIMAL and r.objective == 403



def test_a_neighbourhood_of_a_horizon_beyond_a_float():
    """The same corpus, another float: the large-neighbourhood moves took a share of the
    horizon as a float product (OverflowError with a 400-digit duration in c154_3.mm, job 18;
    found by 100 rounds of the corpus, session 8). The window of one move, straight: two
    machines' worth of a job shop whose schedule spans 10^400."""
    from smtsched.sched.optimize import Neighbourhoods

    class Orders:
        def before(self, a, b):
            return (a.name, b.name)

    huge = int("7" * 400)
    m = Model("huge")
    tasks = [m.task(f"t{i}", duration) for i, duration in enumerate([huge, 3, 4, huge, 5])]
    m.unary(tasks[:3])
    m.unary(tasks[3:])
    moves = Neighbourhoods(m, Orders(), seed=0)
    starts = [0, huge, huge + 3, 0, huge]
    for _ in range(20):
        fixed = moves.fixed_orders(starts, [True] * 5)
        assert all(pair in {("t0", "t1"), ("t1", "t2"), ("t0", "t2"), ("t3", "t4")}
                   for pair in fixed), fixed
