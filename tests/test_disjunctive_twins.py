"""The compiled disjunctive theory (theories/disjunctive.pyx) against its pure-Python twin,
step by step, and its lemmas checked by z3.

Each twin sits on its own difference graph (compiled with compiled, reference with reference).
A small driver plays the engine: it decides ordering and bound literals, lets the graphs
propagate to a fixpoint, then asks both disjunctive theories; they must agree on conflict or
not and on the set of implied literals at every step. Every conflict and explanation of the
compiled twin must be implied by the no-overlap constraint (z3), and an explanation's other
literals must be false when it is asked. With witness records on (a drawn flag, as a proof
run sets it), both twins give the same witness for every conflict and explanation, and the
certificate checker's rule accepts it; off, they give none.
"""
import pytest
import z3
from hypothesis import event, given, settings
from hypothesis import strategies as st

from twin_driver import TwinDriver, assert_witness_accepted, z3_literal

from smtsched import Bool, Disjunctive, Int, Or
from smtsched.compile import compile_problem
from smtsched.core import DisjunctiveSpec
from smtsched.theories import difference_ref, disjunctive_ref

compiled_dl = pytest.importorskip("smtsched.theories.difference",
                                  reason="the Cython extension is not built (pure-Python install)")
compiled_disjunctive = pytest.importorskip("smtsched.theories.disjunctive",
                                           reason="the Cython extension is not built")


@st.composite
def machines(draw):
    n = draw(st.integers(2, 6))
    durations = [draw(st.integers(0, 5)) for _ in range(n)]
    windows = [(draw(st.integers(0, 5)), draw(st.integers(5, 14))) for _ in range(n)]
    # extra bound atoms the driver may decide, so bounds tighten during the walk
    cuts = [(draw(st.integers(0, n - 1)), draw(st.integers(0, 14))) for _ in range(n)]
    return durations, windows, cuts


def build(spec):
    durations, windows, cuts = spec
    starts = [Int(f"s{i}") for i in range(len(durations))]
    formulas = [Disjunctive(starts, durations)]
    for s, d, (release, deadline) in zip(starts, durations, windows):
        formulas += [s >= release, s + d <= deadline]
    # atoms only (each guarded by a free Bool), so their variables exist for decisions
    for position, (k, bound) in enumerate(cuts):
        formulas.append(Or(Bool(f"free{position}"), starts[k] <= bound))
    compiled = compile_problem(formulas)
    (problem,) = [p for p in compiled.difference.values() if p.atoms]
    (spec,) = [r for r in compiled.globals if isinstance(r, DisjunctiveSpec)]
    return compiled, problem, ("disjunctive", spec.tasks, spec.order), starts


def assert_implied(problem, durations, clause):
    starts = [z3.Int(f"s{i}") for i in range(len(durations))]
    no_overlap = [z3.Or(starts[j] - starts[i] >= durations[i], starts[i] - starts[j] >= durations[j])
                  for i in range(len(starts)) for j in range(i + 1, len(starts))
                  if durations[i] and durations[j]]
    lits = [z3_literal(problem, l) for l in clause]
    s = z3.Solver()
    s.add(*no_overlap)
    s.add(z3.Not(z3.Or(lits)))
    assert s.check() == z3.unsat, clause


def same_witness(problem, tasks, fast, slow, clause, recording):
    """Both twins' witness of the clause each just returned: equal; with records on, the
    checker's rule accepts the compiled twin's for `clause` (distinct start variables: every
    clause has one); off, none."""
    recorded = fast.last_witness()
    assert recorded == slow.last_witness()
    if not recording:
        assert recorded is None
        return
    assert recorded is not None and recorded[0] == "energy", clause
    assert_witness_accepted(problem, clause, recorded, tasks)
    event("witness")


@settings(max_examples=120, deadline=None)
@given(machines(), st.booleans(), st.data())
def test_compiled_disjunctive_agrees_with_its_reference(spec, recording, data):
    compiled, problem, (_, tasks, order), _ = build(spec)
    fast_graph = problem.build(compiled_dl.DifferenceLogic)
    slow_graph = problem.build(difference_ref.DifferenceLogic)
    fast = compiled_disjunctive.DisjunctiveLogic(fast_graph, tasks, order)
    slow = disjunctive_ref.DisjunctiveLogic(slow_graph, tasks, order)
    fast.record_witnesses = slow.record_witnesses = recording
    variables = [atom[0] for atom in problem.atoms]
    driver = TwinDriver(fast_graph, slow_graph, fast, slow)
    assigned, assign = driver.assigned, driver.assign
    explained = 0
    driver.assign_root_units(compiled.clauses)  # the windows
    for _ in range(data.draw(st.integers(1, 12), label="decisions")):
        # propagate to a fixpoint: the graphs first, then the disjunctive theories
        conflict = False
        while True:
            fast_lits, slow_lits = fast_graph.propagate(), slow_graph.propagate()
            assert (fast_lits is None) == (slow_lits is None)
            if fast_lits is None:
                conflict = True
                break
            if fast_lits:
                assert set(fast_lits) == set(slow_lits)
                for lit in fast_lits:
                    assign(lit)
                continue
            fast_lits, slow_lits = fast.propagate(), slow.propagate()
            assert (fast_lits is None) == (slow_lits is None), (fast_lits, slow_lits)
            if fast_lits is None:
                clause = fast.conflict()
                slow.conflict()
                same_witness(problem, tasks, fast, slow, clause, recording)
                assert all(abs(l) in assigned for l in clause)
                assert_implied(problem, spec[0], clause)
                conflict = True
                break
            assert set(fast_lits) == set(slow_lits)
            if not fast_lits:
                break
            for lit in fast_lits:
                # both twins explain every literal they offered (the engine asks the theory
                # CaDiCaL took the literal from), from literals assigned before it
                for theory in (slow, fast):
                    reason = theory.explain(lit)
                    assert reason[0] == lit
                    assert all(abs(l) in assigned for l in reason[1:])
                same_witness(problem, tasks, fast, slow, reason, recording)
                if explained < 3:  # explanations are z3 calls: a few per example
                    assert_implied(problem, spec[0], fast.explain(lit))
                    explained += 1
                assign(lit)
        if conflict:
            if driver.level == 0:
                return
            driver.backtrack(data.draw(st.integers(0, driver.level - 1), label="backtrack to"))
            continue
        free = [v for v in variables if v not in assigned]
        if not free:
            return
        var = data.draw(st.sampled_from(free), label="decide")
        driver.decide(var if data.draw(st.booleans(), label="polarity") else -var)


def test_compiled_disjunctive_finds_the_overload():
    # three tasks of 4 inside [0, 10]: 12 > 10, refuted by the root check
    spec = ([4, 4, 4], [(0, 10), (0, 10), (0, 10)], [])
    compiled, problem, (_, tasks, order), _ = build(spec)
    graph = problem.build(compiled_dl.DifferenceLogic)
    theory = compiled_disjunctive.DisjunctiveLogic(graph, tasks, order)
    # assert the window bounds: they are the root units of the compiled clauses
    for clause in compiled.clauses:
        if len(clause) == 1:
            graph.assign(clause[0], True)
    assert graph.propagate() is not None
    assert theory.propagate() is None
    clause = theory.conflict()
    assert_implied(problem, spec[0], clause)
    assert theory.statistics()["disjunctive_conflicts"] == 1


def test_no_witness_for_edge_finding_over_one_start_variable():
    # Disjunctive([x, x, y]): "task 0 before task 1" is the constant false literal (both start
    # at x), not an atom, so its negation completes nothing: the edge-finding clause over
    # task 1 (est >= 0, it cannot end inside task 0's window [0, 3]) has no recorded
    # witness, and the emitter's finder decides. Both twins see the conflict and agree.
    x, y = Int("x"), Int("y")
    formulas = [Disjunctive([x, x, y], [1, 5, 1]), x >= 0, x <= 2, y >= 20, y <= 30]
    compiled = compile_problem(formulas)
    (problem,) = [p for p in compiled.difference.values() if p.atoms]
    (spec,) = compiled.globals
    owned = {atom[0] for atom in problem.atoms}
    assert abs(spec.order[(0, 1)]) not in owned
    for module, twin in ((compiled_dl, compiled_disjunctive), (difference_ref, disjunctive_ref)):
        graph = problem.build(module.DifferenceLogic)
        theory = twin.DisjunctiveLogic(graph, spec.tasks, spec.order)
        theory.record_witnesses = True
        for clause in compiled.clauses:
            if len(clause) == 1 and abs(clause[0]) in owned:
                graph.assign(clause[0], True)
        assert graph.propagate() is not None
        assert theory.propagate() is None
        assert spec.order[(0, 1)] in theory.conflict()
        assert theory.last_witness() is None


@st.composite
def shops(draw):
    """Two machines over 3-6 tasks, windows, a few precedences and a common deadline."""
    n = draw(st.integers(3, 7))
    durations = [draw(st.integers(1, 5)) for _ in range(n)]
    releases = [draw(st.integers(0, 4)) for _ in range(n)]
    machine = [draw(st.sampled_from([0, 0, 0, 1])) for _ in range(n)]
    precedences = [(i, j) for i, j in draw(st.lists(st.tuples(st.integers(0, n - 1),
                                                              st.integers(0, n - 1)), max_size=3))
                   if i < j]
    # tight, different deadlines (edge finding needs tasks whose windows end after others')
    load = max(sum(d for d, m in zip(durations, machine) if m == k) for k in (0, 1))
    deadlines = [draw(st.integers(r + d, max(r + d, load + 5)))
                 for r, d in zip(releases, durations)]
    return durations, releases, machine, precedences, deadlines


@settings(max_examples=150, deadline=None)
@given(shops())
def test_solver_with_the_compiled_theory_agrees_with_z3_and_its_lemmas_hold(spec):
    # the whole path: compiled difference + disjunctive theories in the engine, foreign
    # propagation of ordering atoms, reasons asked of whichever theory holds one
    from smtsched import Solver
    durations, releases, machine, precedences, deadlines = spec
    starts = [Int(f"s{i}") for i in range(len(durations))]
    formulas = []
    for m in (0, 1):
        on = [k for k in range(len(starts)) if machine[k] == m]
        if len(on) > 1:
            formulas.append(Disjunctive([starts[k] for k in on], [durations[k] for k in on]))
    for s, d, r, e in zip(starts, durations, releases, deadlines):
        formulas += [s >= r, s + d <= e]
    for i, j in precedences:
        formulas.append(starts[j] - starts[i] >= durations[i])
    solver = Solver()
    solver.set(log_lemmas=True)
    solver.add(formulas)
    ours = solver.check()
    z = z3.Solver()
    decls = "".join(f"(declare-fun s{i} () Int)" for i in range(len(starts)))
    from smtsched.terms import to_smtlib
    for f in formulas:
        z.add(z3.parse_smt2_string(decls + f"(assert {to_smtlib(f)})")[0])
    assert str(ours) == str(z.check())
    # every lemma follows from the machines' no-overlap alone
    no_overlap = z3.Solver()
    for f in formulas:
        if f.op == "disjunctive":
            no_overlap.add(z3.parse_smt2_string(decls + f"(assert {to_smtlib(f)})")[0])
    for lemma in solver.lemmas():
        no_overlap.push()
        no_overlap.add(z3.Not(z3.parse_smt2_string(decls + f"(assert {to_smtlib(lemma)})")[0]))
        assert no_overlap.check() == z3.unsat, to_smtlib(lemma)
        no_overlap.pop()
