"""The WeightedCost global constraint and its theory (theories/cost_ref.py): the same answers as
its arithmetic meaning in z3, the guard, and clear refusals."""
import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from smtsched import (Bool, Disjunctive, Int, Ints, Not, Solver, UnsupportedError, WeightedCost,
                      sat, unsat)
from smtsched.terms import to_smtlib


@st.composite
def problems(draw):
    n = draw(st.integers(1, 4))
    durations = [draw(st.integers(0, 4)) for _ in range(n)]
    releases = [draw(st.integers(0, 3)) for _ in range(n)]
    weights = [draw(st.integers(0, 3)) for _ in range(n)]
    dues = draw(st.one_of(st.none(), st.lists(st.integers(0, 8), min_size=n, max_size=n)))
    bound = draw(st.integers(0, 40))
    return durations, releases, weights, dues, bound


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


def test_weighted_cost_only_at_the_top_level():
    a = Int("a")
    s = Solver()
    with pytest.raises(UnsupportedError, match="WeightedCost"):
        s.add(Not(WeightedCost([a], [1], [1], 3)))
        s.check()
