"""Models with memories solved through the memory theory (SMTSCHED_MEMORY=theory:
smtsched.sched.memory_intervals, theories/memory*.py*, the backend's cuts in
smtsched.sched.lowered) against the brute force of tests/sched_oracle.py, which shares no code
with smtsched; and the switch itself (its values, the proof run that keeps liveness).

The liveness encoding is fuzzed the same way by tests/test_fuzz_sched.py; here the same kind of
models (2-4 tasks, memories with budgets or a peak objective, lags, optional consumers) go
through the theory: the same optimum, every reported schedule valid, every bound below it.
"""
import importlib
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, event, given, settings

import sched_oracle as oracle
from test_fuzz_sched import fit_for_brute_force, solve_and_compare

from smtsched.sched import Model, OPTIMAL
from smtsched.sched import memory_intervals
from smtsched.sched.lower import Lowering
from smtsched.sched.lowered import LoweringBackend
from smtsched.core.specs import MemorySpec


# The suite certifies every Model.solve (tests/certified.py), and a run with a certificate
# takes the liveness encoding: these tests solve without one, so that the theory is used.
pytestmark = pytest.mark.uncertified


@pytest.fixture
def theory_mode(monkeypatch):
    monkeypatch.setattr(memory_intervals, "MODE", "theory")


def events(result):
    """Which parts of the theory's machinery the run used (Hypothesis statistics)."""
    for counter in ("cuts", "memory_conflicts", "memory_timetable_conflicts",
                    "memory_incomplete"):
        if result.stats.get(counter):
            event(counter)


@settings(max_examples=1200, suppress_health_check=list(HealthCheck), deadline=None)
@given(oracle.specs(min_tasks=2, max_tasks=4, memory=True))
def test_memory_models_through_the_theory_agree_with_brute_force(theory_mode, input_log, spec):
    spec = fit_for_brute_force(spec)
    if spec is None:
        return
    truth = oracle.brute_force(spec)[0]
    events(solve_and_compare(spec, truth, input_log))


@settings(max_examples=80, suppress_health_check=list(HealthCheck), deadline=None)
@given(oracle.specs(min_tasks=5, max_tasks=7, max_duration=3, memory=True))
def test_larger_memory_models_through_the_theory_agree_with_cp_sat(theory_mode, input_log,
                                                                   spec):
    status, value = oracle.cp_sat(spec)
    if status == "unknown":
        return
    events(solve_and_compare(spec, value, input_log))


def chain_with_a_peak(capacity=None):
    """Two producers whose outputs a last task reads, one task at a time on one unit: when
    the reader starts, both inputs and its own kept output are live (5 + 3 + 1): peak 9 in
    every schedule."""
    m = Model("peak")
    a, b, c = m.task("a", 2), m.task("b", 2), m.task("c", 1)
    m.unary([a, b, c])
    m.precedence(a, c)
    m.precedence(b, c)
    memory = m.memory(capacity)
    m.buffer(memory, 5, producer=a, consumers=[c])
    m.buffer(memory, 3, producer=b, consumers=[c])
    m.buffer(memory, 1, producer=c, until_end=True)
    return m, memory


def test_the_theory_mode_lowers_intervals_and_specs_and_no_liveness_literals(theory_mode):
    m, memory = chain_with_a_peak(capacity=9)
    lowering = Lowering(m)
    assert lowering.memory_mode == "theory"
    (intervals,) = lowering.memories
    assert intervals.literal_count == 0 and intervals.sums == []
    specs = [s for s in lowering.core.globals if isinstance(s, MemorySpec)]
    assert len(specs) == 1 and specs[0].capacities == [(0, 9)]
    # the kept output has no free node; the others one each
    assert [free is None for _, free, _ in specs[0].tasks] == [False, False, True]
    assert not lowering.core.pseudo_boolean


def test_peak_memory_through_the_theory_is_optimal(theory_mode):
    m, memory = chain_with_a_peak()
    m.minimize_peak_memory(memory)
    result = m.solve()
    assert result.status == OPTIMAL and result.objective == 9
    assert result.certificate is None


def test_a_budget_below_the_peak_is_infeasible_through_the_theory(theory_mode):
    m, _ = chain_with_a_peak(capacity=8)
    m.minimize_makespan()
    assert m.solve().status == "INFEASIBLE"


def test_a_proof_run_keeps_the_liveness_encoding(theory_mode):
    # the certificate checker has no rule for the memory theory
    m, memory = chain_with_a_peak()
    m.minimize_peak_memory(memory)
    assert memory_intervals.memory_mode(m, proof=True) == "liveness"
    assert memory_intervals.memory_mode(m) == "theory"
    assert LoweringBackend(m, proof=True).lowering.memory_mode == "liveness"
    assert LoweringBackend(m).lowering.memory_mode == "theory"


def test_auto_takes_the_theory_only_for_large_liveness_encodings(monkeypatch):
    monkeypatch.setattr(memory_intervals, "MODE", "auto")
    m, _ = chain_with_a_peak()
    assert memory_intervals.memory_mode(m) == "liveness"
    monkeypatch.setattr(memory_intervals, "THEORY_FROM", 3)
    assert memory_intervals.memory_mode(m) == "theory"


def test_a_misspelt_switch_is_named_on_standard_error_and_ignored():
    code = ("import smtsched.sched.memory_intervals as m; print(m.MODE)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"SMTSCHED_MEMORY": "theroy", "PATH": ""}, cwd="/")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "auto"
    assert "SMTSCHED_MEMORY" in done.stderr and "theroy" in done.stderr


@settings(max_examples=150, suppress_health_check=list(HealthCheck), deadline=None)
@given(oracle.specs(min_tasks=2, max_tasks=6, memory=True))
def test_the_intervals_lower_bound_is_the_liveness_encodings(monkeypatch, spec):
    # the optimiser takes it as proven: computed without literals, it must be the constant
    # bytes the liveness encoding finds at some allocation instant, or the bound that needs
    # no paths (the optimiser's static bound) where that is more; the fuzz tests above hold
    # it below the optimum
    from smtsched.sched.memory import quick_lower_bound
    model, _ = oracle.build(spec)
    bounds = {}
    for mode in ("theory", "liveness"):
        monkeypatch.setattr(memory_intervals, "MODE", mode)
        try:
            lowering = Lowering(model)
        except Exception as error:   # (positive cycles: both refuse alike)
            bounds[mode] = type(error).__name__
            continue
        assert lowering.memory_mode == mode
        bounds[mode] = [m.lower_bound for m in lowering.memories]
    if isinstance(bounds["liveness"], list):
        bounds["liveness"] = [max(bound, quick_lower_bound(model, memory)) for bound, memory
                              in zip(bounds["liveness"], model.memories)]
    assert bounds["theory"] == bounds["liveness"], bounds
