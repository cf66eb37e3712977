"""The Disjunctive global constraint and its theory (theories/disjunctive_ref.py): the same
answers as the pairwise encoding, lemmas implied by the constraint (checked with z3), and the
machine-load refutation the pairwise encoding cannot make quickly."""
import os

import pytest
import z3
from global_strategies import machine_formulas, machines, resources
from hypothesis import given, settings

from smtsched import Disjunctive, Int, Ints, Or, Solver, UnsupportedError, sat, unsat
from smtsched.compile import compile_problem
from smtsched.core import DisjunctiveSpec
from smtsched.engine import SAT, UNSAT, Engine
from smtsched.terms import expand_disjunctive, to_smtlib
from smtsched.theories.disjunctive_ref import DisjunctiveLogic
from smtsched.theory import difference_logic_class

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(HERE, "..", "..", "shared", "data")


def test_disjunctive_means_no_overlap():
    a, b, c = Ints("a b c")
    s = Solver()
    s.add(Disjunctive([a, b, c], [3, 2, 4]), a >= 0, b >= 0, c >= 0, a + 3 <= 9, b + 2 <= 9,
          c + 4 <= 9)
    assert s.check() == sat
    m = s.model()
    spans = sorted((m[x], m[x] + d) for x, d in ((a, 3), (b, 2), (c, 4)))
    assert all(p[1] <= q[0] for p, q in zip(spans, spans[1:]))
    s.add(a + 3 <= 8, b + 2 <= 8, c + 4 <= 8)
    assert s.check() == unsat  # 9 units of work in [0, 8]


def test_disjunctive_only_at_the_top_level_and_prints_pairwise():
    a, b = Ints("a b")
    d = Disjunctive([a, b], [1, 1])
    s = Solver()
    s.add(Or(d, a > 5))
    with pytest.raises(UnsupportedError, match="top level"):
        s.check()
    assert "disjunctive" not in to_smtlib(d)
    assert to_smtlib(d) == to_smtlib(expand_disjunctive(d))


def z3_formula(f):
    """A smtsched formula as z3 terms (through the SMT-LIB text: Disjunctive prints pairwise)."""
    variables = {f"s{i}" for i in range(6)}
    decls = "".join(f"(declare-fun {v} () Int)" for v in variables)
    return z3.parse_smt2_string(decls + f"(assert {to_smtlib(f)})")[0]


def engine_run(spec):
    """Solve with the theory at every level (edge finding on), logging every lemma."""
    compiled = compile_problem(machine_formulas(spec))
    problems = [p for p in compiled.difference.values() if p.atoms]
    (problem,) = problems
    graph = problem.build(difference_logic_class())
    theories = [graph]
    for spec in compiled.globals:
        if isinstance(spec, DisjunctiveSpec) and len(spec.tasks) > 1:
            theories.append(DisjunctiveLogic(graph, spec.tasks, spec.order))
    outcome = Engine(compiled.num_vars, compiled.clauses, theories, log_lemmas=True,
                     check=True).solve()
    return outcome, problem


def atom_formula(problem, var):
    names = {node: key for key, node in problem.node_of.items()}
    for v, p, q, bound, strict in problem.atoms:
        if v == var:
            x = z3.IntVal(0) if names[p] is None else z3.Int(names[p][1])
            y = z3.IntVal(0) if names[q] is None else z3.Int(names[q][1])
            return x - y <= bound
    raise KeyError(var)


@settings(max_examples=150, deadline=None)
@given(machines(max_tasks=5))
def test_theory_agrees_with_pairwise_and_its_lemmas_hold(spec):
    outcome, problem = engine_run(spec)
    z = z3.Solver()
    for f in machine_formulas(spec):
        z.add(z3_formula(f))
    expected = z.check()
    assert (outcome.status == SAT) == (expected == z3.sat)
    assert outcome.status in (SAT, UNSAT)
    # every lemma (conflict or reason, from either theory) follows from the no-overlap
    # constraint alone: its negation together with the constraint is unsat
    durations = spec[0]
    starts = [z3.Int(f"s{i}") for i in range(len(durations))]
    no_overlap = z3.And([z3.Or(starts[j] - starts[i] >= durations[i],
                               starts[i] - starts[j] >= durations[j])
                         for i in range(len(starts)) for j in range(i + 1, len(starts))
                         if durations[i] and durations[j]] + [z3.BoolVal(True)])
    for clause in outcome.lemmas:
        lits = [atom_formula(problem, abs(l)) if l > 0 else z3.Not(atom_formula(problem, abs(l)))
                for l in clause]
        check = z3.Solver()
        check.add(no_overlap, z3.Not(z3.Or(lits)))
        assert check.check() == z3.unsat, clause


@pytest.mark.skipif(not os.path.isdir(DATA), reason=f"the shared data is absent ({DATA})")
def test_la26_machine_load_refutes_makespan_1217_at_once():
    from smtsched.sched import read_jobshop
    model = read_jobshop(os.path.join(DATA, "jssp", "la26.txt"))
    s = Solver()
    start = {t.name: Int(f"s {t.name}") for t in model.tasks}
    for t in model.tasks:
        s.add(start[t.name] >= 0, start[t.name] + t.duration <= 1217)
    for p in model.precedences:
        s.add(start[p.after.name] - start[p.before.name] >= p.before.duration)
    for r in model.resources:
        s.add(Disjunctive([start[t.name] for t, _ in r.demands], [t.duration for t, _ in r.demands]))
    s.set(timeout=20_000)
    assert s.check() == unsat
    assert s.statistics()["disjunctive_conflicts"] >= 1
    assert s.statistics()["conflicts"] == 0  # no search: the root-level check decides


# ------------------------------------------------------------------------------ Cumulative

from smtsched import Cumulative  # noqa: E402
from smtsched.terms import expand_cumulative  # noqa: E402


@settings(max_examples=150, deadline=None)
@given(resources(max_release=4, cuts=False))
def test_cumulative_agrees_with_z3_on_the_decomposition(spec):
    durations, demands, capacity, windows = spec
    starts = [Int(f"s{i}") for i in range(len(durations))]
    constraint = Cumulative(starts, durations, demands, capacity)
    fs = [constraint]
    for s_, d, (release, deadline) in zip(starts, durations, windows):
        fs += [s_ >= release, s_ + d <= deadline]
    s = Solver()
    s.add(fs)
    ours = s.check()
    z = z3.Solver()
    decls = "".join(f"(declare-fun s{i} () Int)" for i in range(len(starts)))
    for f in fs[1:] + [expand_cumulative(constraint)]:
        z.add(z3.parse_smt2_string(decls + f"(assert {to_smtlib(f)})")[0])
    theirs = z.check()
    assert str(ours) == str(theirs)
    if ours == sat:
        m = s.model()
        values = [m[x] for x in starts]
        for at in values:
            load = sum(r for v, d, r in zip(values, durations, demands) if v <= at < v + d)
            assert load <= capacity


def test_cumulative_conflicts_are_valid_cuts():
    # four tasks of demand 1 on capacity 2, all within [0, 8]: at most two at a time
    starts = Ints("a b c d")
    s = Solver()
    s.set(log_lemmas=True)
    s.add(Cumulative(starts, [4, 4, 4, 4], [1, 1, 1, 1], 2))
    for x in starts:
        s.add(x >= 0, x + 4 <= 8)
    assert s.check() == sat
    s.add(starts[0] + 4 <= 7)
    for x in starts[1:]:
        s.add(x + 4 <= 7)
    assert s.check() == unsat
    assert s.statistics()["cumulative_conflicts"] >= 0
    for lemma in s.lemmas():
        check = z3.Solver()
        # a cut says some pair of at most three tasks is ordered: it follows from the capacity
        decls = "".join(f"(declare-fun {n} () Int)" for n in "abcd")
        check.add(z3.parse_smt2_string(
            decls + f"(assert {to_smtlib(expand_cumulative(Cumulative(starts, [4] * 4, [1] * 4, 2)))})")[0])
        check.add(z3.Not(z3.parse_smt2_string(decls + f"(assert {to_smtlib(lemma)})")[0]))
        assert check.check() == z3.unsat, lemma
