"""The search backend on the direct lowering and one persistent engine (smtsched.sched.lowered):
one CaDiCaL and one set of theories for every probe of an optimisation, the same answers as the
pairwise encoding on the Solver (SolverBackend, a fresh engine per check).

The oracle of the differential test is the other backend (the Solver road shares the
Optimizer, not the encoding, the compiler or the session); tests/test_fuzz_sched.py and
tests/test_fuzz_dnn.py hold the default backend (this one) against oracles that share no code
with smtsched.
"""
import time

import pytest
from hypothesis import HealthCheck, given, settings

import sched_oracle as oracle
from sched_models import ft06
from smtsched import engine as engine_module
from smtsched.sched import FEASIBLE, INFEASIBLE, OPTIMAL, Model
from smtsched.sched import check as check_module
from smtsched.sched.backend import SAT, UNSAT, BuildTimeout, SolverBackend
from smtsched.sched.lowered import LoweringBackend
from smtsched.sched.optimize import Optimizer


def scaled(weight):
    """max_examples as a multiple of the active profile's baseline (tests/conftest.py)."""
    return max(1, int(settings.default.max_examples * weight))


def one_machine_weighted():
    """Three tasks of 3, 2 and 1 on one machine, weighted completion: optimum 1 + 3 + 6."""
    m = Model()
    tasks = [m.task(f"t{i}", d) for i, d in enumerate((3, 2, 1))]
    m.unary(tasks)
    m.minimize_weighted_completion()
    return m


def without_times(stats):
    return {k: v for k, v in stats.items() if k not in ("runtime", "time")}


class Engines:
    """Counts the engines made and the searches run while it is on (monkeypatched)."""

    def __init__(self, monkeypatch):
        self.made = 0
        self.searches = 0
        original_init, original_solve = engine_module.Engine.__init__, engine_module.Engine.solve
        counter = self

        def init(self, *args, **kwargs):
            counter.made += 1
            original_init(self, *args, **kwargs)

        def solve(self, *args, **kwargs):
            counter.searches += 1
            return original_solve(self, *args, **kwargs)
        monkeypatch.setattr(engine_module.Engine, "__init__", init)
        monkeypatch.setattr(engine_module.Engine, "solve", solve)


# -- one engine per optimisation ---------------------------------------------------------------

def test_every_probe_of_one_optimisation_runs_on_one_engine(monkeypatch):
    class Quick(Optimizer):
        PROBE_CONFLICTS = 5   # out of budget at once: moves (hundreds of orderings) and climbs
        LOCAL_SEARCH = False  # (the tabu search alone solves ft06)
    engines = Engines(monkeypatch)
    result = Quick(ft06(), backend=LoweringBackend).run()
    assert (result.status, result.objective) == (OPTIMAL, 55)
    assert result.stats["lns_steps"] > 0
    assert engines.made == 1 and engines.searches == result.stats["checks"] > 10


def test_weighted_bounds_join_the_engine_and_retired_ones_leave_it():
    m = ft06(weighted=True)
    backend = LoweringBackend(m, None, None, 0)
    try:
        first = backend.at_most(3000, 0, 4000)   # the optimum is 2170 or 2171
        assert backend.check([first]) == SAT
        theories = len(backend.session.engine.theories)
        for bound in (2600, 2400, 2300):
            assert backend.check([backend.at_most(bound, 0, bound + 100)]) in (SAT, UNSAT)
        # each new bound retired the ones above it: the engine holds one cost bound at most
        # besides the first one (of the first build, which stays, switched off by its guard)
        assert len(backend.session.engine.theories) == theories + 1
        assert backend.check([first]) == UNSAT   # retired for good
        again = backend.at_most(3000, 0, 4000)
        assert again != first and backend.check([again]) == SAT
    finally:
        backend.close()


def test_a_retired_weighted_bound_is_refuted_and_comes_back_fresh():
    m = one_machine_weighted()
    backend = LoweringBackend(m, None, None, 0)
    old = backend.at_most(12, 6, 14)
    assert backend.check([old]) == SAT
    starts, _ = backend.schedule()
    assert m.objective_value(starts) <= 12
    # 12 (>= the best 12) will never be asked again: retired
    assert backend.at_most(11, 11, 12) != old
    assert backend.check([old]) == UNSAT
    again = backend.at_most(12, 6, 14)
    assert again != old and backend.check([again]) == SAT
    assert backend.check([backend.at_most(9, 6, 12)]) == UNSAT   # the optimum is 10


def test_the_backend_gives_a_model_schedule_and_its_orderings():
    m = ft06()
    backend = LoweringBackend(m, None, None, 0)
    first, second = m.tasks[0], m.tasks[6]   # job 0 and job 1's first operations
    for a, b in ((first, second), (second, first)):
        assert backend.check([backend.before(a, b), backend.at_most(70, 0, 100)]) == SAT
        starts, present = backend.schedule()
        assert all(present) and starts[a.index] + a.duration <= starts[b.index]
        assert check_module.makespan(m, starts) <= 70
    assert backend.check([backend.at_most(54, 0, 100)]) == UNSAT   # the optimum is 55
    assert backend.statistics()["conflicts"] >= 0


def test_a_passed_deadline_is_a_build_timeout():
    with pytest.raises(BuildTimeout):
        LoweringBackend(ft06(), None, time.perf_counter() - 1, 0)


def test_the_same_seed_gives_the_same_search_and_statistics():
    class Quick(Optimizer):
        PROBE_CONFLICTS = 5
    runs = []
    for _ in range(2):
        reported = []
        result = Quick(ft06(), seed=3, backend=LoweringBackend,
                       on_solution=lambda r: reported.append((r.objective, r.lower_bound))).run()
        runs.append((result.status, result.objective, result.starts,
                     without_times(result.stats), reported))
    assert runs[0] == runs[1]
    assert runs[0][:2] == (OPTIMAL, 55) and runs[0][3]["conflicts"] > 0


# -- the same answers as the Solver road ---------------------------------------------------------

def same_answers(model_of, spec):
    """Both backends on the spec's model, without a time limit (conflict budgets: the answers
    are proofs): the same status and optimum, and bounds that hold."""
    answers = []
    for backend in (SolverBackend, LoweringBackend):
        model, _ = model_of(spec)
        result = Optimizer(model, backend=backend).run()
        if result.objective is not None and result.lower_bound is not None:
            assert result.lower_bound <= result.objective, (backend, result)
        if result._starts is not None:
            assert not check_module.violations(model, result._starts, result._present)
        answers.append((result.status, result.objective))
    assert answers[0] == answers[1], oracle.describe(spec)
    assert answers[1][0] in (OPTIMAL, INFEASIBLE)


@settings(max_examples=scaled(3), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(spec=oracle.specs(min_tasks=2, max_tasks=7, max_duration=5, max_release=6))
def test_random_models_get_the_same_answers_on_both_backends(spec):
    same_answers(oracle.build, spec)


@settings(max_examples=scaled(0.6), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(spec=oracle.dense_specs())
def test_models_that_need_search_get_the_same_answers_on_both_backends(spec):
    same_answers(oracle.build, spec)


def producers_and_consumers(capacity=None):
    """Three buffers (10, 17, 24 bytes), each made by one task and used by a later one, all
    on one machine: the order decides the peak (24 at best: each buffer used before the next
    is made)."""
    m = Model()
    tasks = [m.task(f"t{i}", 1 + i % 2) for i in range(6)]
    m.unary(tasks)
    memory = m.memory(capacity=capacity, name="ram")
    for i in range(3):
        m.precedence(tasks[i], tasks[i + 3])
        m.buffer(memory, 10 + 7 * i, producer=tasks[i], consumers=[tasks[i + 3]])
    m.minimize_peak_memory(memory)
    return m, memory


@pytest.mark.parametrize("capacity", [None, 45])
def test_a_peak_memory_objective_gets_the_same_optimum_on_both_backends(capacity):
    results = []
    for backend in (SolverBackend, LoweringBackend):
        m, _ = producers_and_consumers(capacity)
        results.append(Optimizer(m, backend=backend).run())
    assert [(r.status, r.objective) for r in results][0] == \
        [(r.status, r.objective) for r in results][1]
    assert results[1].status == OPTIMAL and results[1].objective == 24


def test_every_peak_bound_is_exact_in_any_order():
    """The bits of a bound's slack (LoweringBackend._peak_rows): "peak <= b" is satisfiable
    exactly when b reaches the optimum, for bounds asked in any order on one engine, and a
    schedule found under it peaks at b at most."""
    m, memory = producers_and_consumers()
    optimum = Optimizer(m, backend=SolverBackend).run().objective
    backend = LoweringBackend(m, None, None, 0)
    try:
        top = backend.top
        for bound in (30, 60, 24, 0, 23, top, top + 5, 41, 10, 25, 1, 24):
            answer = backend.check([backend.at_most(bound, 0, top + 10)])
            assert answer == (SAT if bound >= optimum else UNSAT), bound
            if answer == SAT:
                starts, present = backend.schedule()
                assert m.objective_value(starts, present) <= bound
        assert len(backend.session.engine.theories) == 3   # no theory per bound
    finally:
        backend.close()
