"""Lazy ordering atoms (SMTSCHED_PAIRS, smtsched.sched.lower: `Lowering.lazy`): a machine or
cumulative resource lowered without its pairwise ordering atoms, whose overloads the backend
cuts between searches over atoms made then (smtsched.sched.lowered), against the oracles of
tests/sched_oracle.py (brute force and a CP-SAT model written there, no smtsched code); the
switch itself; and the proof run, which keeps every pair.

The models here force every resource lazy (the threshold at 0), so the cuts, not the
theories' final checks, keep the tasks apart: the same optimum as the oracles, every reported
schedule valid, every bound below the optimum.
"""
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import sched_oracle as oracle
from sched_models import ft06
from test_fuzz_sched import fit_for_brute_force, solve_and_compare

from smtsched.certify import check
from smtsched.core.specs import CumulativeSpec, DisjunctiveSpec
from smtsched.sched import OPTIMAL, Model
from smtsched.sched import lower
from smtsched.sched.lower import Lowering
from smtsched.sched.lowered import LoweringBackend

# The suite certifies every Model.solve (tests/certified.py), and a run with a certificate
# keeps the eager pairs: these tests solve without one, so that the lazy resources are used.
pytestmark = pytest.mark.uncertified


@pytest.fixture
def lazy_mode(monkeypatch):
    monkeypatch.setattr(lower, "PAIRS", "lazy")


SEED_ORDERS = LoweringBackend._seed_orders


def seeding(monkeypatch, seeded):
    """With or without the atoms a hinted (greedy) schedule seeds: without them the search
    starts from the schedule that ignores the resources, and the cuts do all the work."""
    monkeypatch.setattr(LoweringBackend, "_seed_orders",
                        SEED_ORDERS if seeded else lambda self, starts, present: None)


def events(result):
    for counter in ("cuts", "cumulative_conflicts", "disjunctive_conflicts"):
        if result.stats.get(counter):
            event(counter)


@settings(max_examples=500, suppress_health_check=list(HealthCheck), deadline=None)
@given(oracle.specs(min_tasks=2, max_tasks=4).filter(lambda spec: spec["resources"]),
       st.booleans())
def test_lazy_models_agree_with_brute_force(lazy_mode, monkeypatch, input_log, spec, seeded):
    # optional tasks, alternatives, lags, horizons, every objective: the generator's mix,
    # with at least one resource
    seeding(monkeypatch, seeded)
    spec = fit_for_brute_force(spec)
    if spec is None:
        return
    truth = oracle.brute_force(spec)[0]
    events(solve_and_compare(spec, truth, input_log))


@settings(max_examples=70, suppress_health_check=list(HealthCheck), deadline=None)
@given(oracle.dense_specs(min_tasks=7, max_tasks=10), st.booleans())
def test_resource_bound_lazy_models_agree_with_cp_sat(lazy_mode, monkeypatch, input_log, spec,
                                                      seeded):
    # 1-3 machines or cumulative resources over most tasks: the search has to order them
    seeding(monkeypatch, seeded)
    status, value = oracle.cp_sat(spec)
    if status == "unknown":
        return
    events(solve_and_compare(spec, value, input_log))


def test_a_lazy_resource_gets_no_ordering_atoms(lazy_mode):
    model = ft06()
    lowering = Lowering(model)
    assert lowering.lazy == set(range(len(model.resources)))
    specs = [s for s in lowering.core.globals if isinstance(s, DisjunctiveSpec)]
    assert len(specs) == 6 and all(s.order == {} for s in specs)
    eager = Lowering(model, pairs="eager")
    assert eager.lazy == set()
    # each machine's 15 pairs: two atoms and a clause each, only when eager
    assert len(eager.core.clauses) - len(lowering.core.clauses) == 6 * 15
    assert len(eager.core.difference["Int"].atoms) \
        - len(lowering.core.difference["Int"].atoms) == 6 * 30


def test_a_lazy_job_shop_is_solved_to_its_optimum_by_cuts(lazy_mode):
    result = ft06().solve()
    assert result.status == OPTIMAL and result.objective == 55
    assert result.stats["cuts"] > 0


def test_a_hint_seeds_the_orders_of_its_schedule_on_a_lazy_machine(lazy_mode):
    # the first searches then follow the hinted schedule's orders (phases), instead of the
    # schedule that ignores the machines
    from smtsched.sched.heuristic import serial_schedule
    model = ft06()
    backend = LoweringBackend(model)
    atoms = backend.lowering.core.difference["Int"].atoms
    before = len(atoms)
    starts = serial_schedule(model)
    backend.hint(starts, [True] * 36)
    # a machine's six tasks one after the other: five orders each, made true by the hint
    made = atoms[before:]
    assert len(made) == 6 * 5
    phases = set(backend.session.phases)
    for resource in model.resources:
        order = sorted((t for t, _ in resource.demands), key=lambda t: starts[t.index])
        for a, b in zip(order, order[1:]):
            assert backend.lowering.before(a, b) in phases
    assert len(atoms) == before + 6 * 5       # (the same atoms, asked again)
    assert backend.check([]) == "sat"


def cumulative_model():
    """Five unit tasks on a resource of capacity 2, one of them needing both units: the
    makespan is 3 (the big one alone, the four others two by two)."""
    m = Model("cumulative")
    tasks = [m.task(f"t{i}", 1) for i in range(5)]
    m.cumulative([(t, 2 if i == 0 else 1) for i, t in enumerate(tasks)], 2)
    m.minimize_makespan()
    return m


def test_a_lazy_cumulative_resource_is_cut_to_its_optimum(lazy_mode):
    m = cumulative_model()
    lowering = Lowering(m)
    (spec,) = [s for s in lowering.core.globals if isinstance(s, CumulativeSpec)]
    assert spec.order == {} and spec.options.explanation == "pointwise"
    result = m.solve()
    assert result.status == OPTIMAL and result.objective == 3


def test_auto_goes_lazy_from_the_threshold_of_free_pairs(monkeypatch):
    monkeypatch.setattr(lower, "PAIRS", "auto")
    model = ft06()
    assert Lowering(model).lazy == set()          # 15 free pairs per machine
    monkeypatch.setattr(Lowering, "LAZY_FROM", 15)
    assert Lowering(model).lazy == set(range(6))
    monkeypatch.setattr(Lowering, "LAZY_FROM", 16)
    assert Lowering(model).lazy == set()


def test_pairs_the_precedences_order_do_not_count_towards_the_threshold(monkeypatch):
    monkeypatch.setattr(lower, "PAIRS", "auto")
    monkeypatch.setattr(Lowering, "LAZY_FROM", 1)
    m = Model("chain")
    a, b, c = m.task("a", 2), m.task("b", 2), m.task("c", 2)
    m.unary([a, b, c])
    m.precedence(a, b)
    m.precedence(b, c)
    assert Lowering(m).lazy == set()              # every pair ordered: none free
    m.unary([a, m.task("d", 1)])
    assert Lowering(m).lazy == {1}


def test_a_proof_run_keeps_every_pair(lazy_mode, tmp_path):
    # the certificate checker's rules read the pairwise clauses: no lazy resource under proof
    model = ft06()
    assert LoweringBackend(model, proof=True).lowering.lazy == set()
    assert LoweringBackend(model).lowering.lazy == set(range(6))
    result = ft06().solve(proof=str(tmp_path))
    assert result.status == OPTIMAL and result.objective == 55
    verdict = check(str(tmp_path))
    assert verdict.ok, verdict.reason


def test_a_misspelt_switch_is_named_on_standard_error_and_ignored():
    code = "import smtsched.sched.lower as m; print(m.PAIRS)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"SMTSCHED_PAIRS": "lazzy", "PATH": ""}, cwd="/")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "auto"
    assert "SMTSCHED_PAIRS" in done.stderr and "lazzy" in done.stderr
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"SMTSCHED_PAIRS": " Lazy", "PATH": ""}, cwd="/")
    assert done.stdout.strip() == "lazy" and not done.stderr


def test_a_wrong_pairs_argument_is_refused():
    with pytest.raises(ValueError, match="pairs"):
        Lowering(ft06(), pairs="sometimes")
