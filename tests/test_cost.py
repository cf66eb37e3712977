"""The WeightedCost global constraint and its theory (theories/cost_ref.py): the same answers as
its arithmetic meaning in z3, the guard, and clear refusals."""
import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from smtsched import (Bool, Disjunctive, Int, Ints, Not, Solver, UnsupportedError, WeightedCost,
                      sat, unsat)
from smtsched.terms import to_smtlib

from global_strategies import cost_problems as problems


@settings(max_examples=120, deadline=None)
@given(problems(), st.booleans())
def test_weighted_cost_agrees_with_z3(spec, guarded):
    durations, releases, weights, dues, bound = spec
    starts = [Int(f"s{i}") for i in range(len(durations))]
    guard = Bool("g") if guarded else None
    cost = WeightedCost(starts, durations, weights, bound, dues=dues, guard=guard)
    formulas = [s >= r for s, r in zip(starts, releases)]
    formulas += [Disjunctive(starts, durations), cost]
    s = Solver()
    s.add(formulas)
    ours = s.check(guard) if guarded else s.check()
    z = z3.Solver()
    decls = "".join(f"(declare-fun s{i} () Int)" for i in range(len(starts)))
    decls += "(declare-fun g () Bool)"
    for f in formulas:
        z.add(z3.parse_smt2_string(decls + f"(assert {to_smtlib(f)})")[0])
    theirs = z.check(z3.Bool("g")) if guarded else z.check()
    assert str(ours) == str(theirs)
    if ours == sat:
        m = s.model()
        assert m.eval(cost) is True  # the model check also ran inside check()


def test_the_guard_switches_the_bound_on_and_off():
    a, b = Ints("a b")
    g = Bool("g")
    s = Solver()
    s.add(a >= 0, b >= 0, Disjunctive([a, b], [2, 2]),
          WeightedCost([a, b], [2, 2], [1, 1], 5, guard=g))   # ends 2 + 4 = 6 at best
    assert s.check(g) == unsat
    assert s.check(Not(g)) == sat
    assert s.check() == sat


def test_two_cost_bounds_under_one_guard():
    # The input that broke: both cost theories claimed the guard's variable ("owned by two
    # theories"); each now owns its own proxy of it.
    a, b = Ints("a b")
    g = Bool("g")
    s = Solver()
    s.add(a >= 0, b >= 0, Disjunctive([a, b], [2, 2]),
          WeightedCost([a, b], [2, 2], [1, 1], 6, guard=g),
          WeightedCost([a, b], [2, 2], [1, 2], 8, guard=g))   # a first: 2 + 2*4 = 10 > 8
    assert s.check(g) == sat
    m = s.model()
    assert m.eval(b) + 2 <= m.eval(a)   # only b first meets both: 4 + 2*2 = 8
    assert s.check(g, a <= 0) == unsat


def test_weighted_cost_only_at_the_top_level():
    a = Int("a")
    s = Solver()
    with pytest.raises(UnsupportedError, match="WeightedCost"):
        s.add(Not(WeightedCost([a], [1], [1], 3)))
        s.check()


# ------------------------------------------------------------------ compiled twin

from smtsched import Or  # noqa: E402
from smtsched.compile import compile_problem  # noqa: E402
from smtsched.core import CostSpec  # noqa: E402
from smtsched.theories import cost_ref, difference_ref  # noqa: E402
from twin_driver import z3_literal  # noqa: E402


@settings(max_examples=150, deadline=None)
@given(problems(), st.integers(0, 25),
       st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10)), min_size=1, max_size=6),
       st.data())
def test_compiled_cost_theory_agrees_with_its_reference(spec, bound, cuts, data):
    compiled_dl = pytest.importorskip("smtsched.theories.difference")
    compiled_cost = pytest.importorskip("smtsched.theories.cost")
    durations, releases, weights, dues, _ = spec
    n = len(durations)
    starts = [Int(f"s{i}") for i in range(n)]
    formulas = [s >= r for s, r in zip(starts, releases)]
    formulas.append(WeightedCost(starts, durations, weights, bound, dues=dues))
    # bound atoms the driver decides (each guarded by a free Bool so it exists unforced)
    for position, (k, at) in enumerate(cuts):
        formulas.append(Or(Bool(f"free{position}"), starts[k % n] >= at))
    compiled = compile_problem(formulas)
    (problem,) = [p for p in compiled.difference.values() if p.atoms]
    (spec,) = [r for r in compiled.globals if isinstance(r, CostSpec)]
    record = ("cost", spec.tasks, spec.bound)
    fast_graph = problem.build(compiled_dl.DifferenceLogic)
    slow_graph = problem.build(difference_ref.DifferenceLogic)
    fast = compiled_cost.CostLogic(fast_graph, record[1], record[2])
    slow = cost_ref.CostLogic(slow_graph, record[1], record[2])
    assigned = set()

    def assign(lit):
        assigned.add(abs(lit))
        fast_graph.assign(lit, False)
        slow_graph.assign(lit, False)

    for clause in compiled.clauses:
        if len(clause) == 1 and abs(clause[0]) not in assigned:
            assign(clause[0])
    free = [atom[0] for atom in problem.atoms if atom[0] not in assigned]
    for var in data.draw(st.lists(st.sampled_from(free), unique=True), label="decide") if free else []:
        if var in assigned:
            continue  # implied meanwhile
        for theory in (fast_graph, slow_graph, fast, slow):
            theory.new_level()
        assign(var if data.draw(st.booleans(), label="polarity") else -var)
        fast_lits, slow_lits = fast_graph.propagate(), slow_graph.propagate()
        assert (fast_lits is None) == (slow_lits is None)
        if fast_lits is None:
            return
        for lit in fast_lits:
            assign(lit)
        assert fast_graph.propagate() is not None and slow_graph.propagate() is not None
        fast_answer, slow_answer = fast.propagate(), slow.propagate()
        assert (fast_answer is None) == (slow_answer is None)
        if fast_answer is None:
            clause = fast.conflict()
            assert all(abs(l) in assigned for l in clause)
            # implied by the bound: the negated clause plus the cost constraint is unsat (z3)
            z = z3.Solver()
            decls = "".join(f"(declare-fun s{i} () Int)" for i in range(n))
            z.add(z3.parse_smt2_string(decls + f"(assert {to_smtlib(formulas[n])})")[0])
            for lit in clause:
                z.add(z3.Not(z3_literal(problem, lit)))
            assert z.check() == z3.unsat, clause
            return
