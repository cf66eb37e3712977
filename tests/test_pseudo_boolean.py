"""Pseudo-Boolean constraints end to end: the theory twins (theories/pseudo_boolean.pyx and
pseudo_boolean_ref.py) step by step with every clause checked by brute force, the Solver
against z3 on random PB sets mixed with clauses and difference atoms, the terms (printing,
evaluation, refusals when nested) and the SMT-LIB syntax z3 uses."""
import io
import itertools
from unittest import mock

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from twin_driver import OwnerTwins

import smtsched.core.factory
import smtsched.theory
from smtsched import (And, AtLeast, AtMost, Bool, Bools, If, Int, Ints, Not, Or, PbEq, PbGe,
                      PbLe, Solver, SortError, UnsupportedError, sat, unsat)
from smtsched.smtlib import run_script
from smtsched.terms import to_smtlib
from smtsched.theories import pseudo_boolean_ref as ref

try:
    from smtsched.theories import pseudo_boolean as compiled
except ImportError:  # a pure-Python install: the twin tests skip, the rest runs on the reference
    compiled = None
needs_compiled = pytest.mark.skipif(compiled is None, reason="the Cython extension is not built")
IMPLEMENTATIONS = [ref.PseudoBooleanLogic] + ([compiled.PseudoBooleanLogic] if compiled else [])


def scaled(weight):
    """max_examples as a multiple of the active Hypothesis profile's baseline (conftest.py)."""
    return max(1, int(settings.default.max_examples * weight))


# ------------------------------------------------------------------------- brute force
def satisfying(num_vars, constraints):
    """Every assignment (a set of true literals) of variables 1..num_vars that satisfies the
    constraints, read literally: duplicates, both polarities and all."""
    out = []
    for values in itertools.product((False, True), repeat=num_vars):
        true = {v if values[v - 1] else -v for v in range(1, num_vars + 1)}
        if all(sum(w for l, w in zip(lits, ws) if l in true) <= bound
               for lits, ws, bound in constraints):
            out.append(true)
    return out


def assert_implied(models, clause):
    """The clause holds in every model of the constraints (it is one of their consequences)."""
    for true in models:
        assert any(l in true for l in clause), (clause, sorted(true, key=abs))


@st.composite
def pb_sets(draw):
    num_vars = draw(st.integers(2, 7))
    constraints = []
    for _ in range(draw(st.integers(1, 4))):
        size = draw(st.integers(2, 6))
        lits = [draw(st.integers(1, num_vars)) * draw(st.sampled_from([1, -1]))
                for _ in range(size)]
        weights = [draw(st.integers(1, 6)) for _ in range(size)]
        # x and (not x) together always weigh the lighter side: draw the bound above that,
        # as a negative bound once normalised makes the whole set infeasible (rarely wanted)
        side = {}
        for lit, weight in zip(lits, weights):
            side[lit] = side.get(lit, 0) + weight
        floor = sum(min(w, side.get(-lit, 0)) for lit, w in side.items() if lit > 0)
        spread = sum(weights) - 2 * floor
        bound = floor + draw(st.integers(0, max(spread - 1, 0)))
        bound -= draw(st.sampled_from([0] * 29 + [floor + 1]))
        constraints.append((lits, weights, bound))
    return num_vars, constraints


# ------------------------------------------------------------------------- twins
class Refuted(Exception):
    """A conflict among root-level literals: the engine would answer unsat."""


def run_twins(data, num_vars, constraints):
    twins = OwnerTwins(compiled.PseudoBooleanLogic(constraints),
                       ref.PseudoBooleanLogic(constraints))
    models = satisfying(num_vars, constraints)
    owned = twins.fast.observed()
    draw = data.draw

    def check_explanations():
        true_now = twins.true_literals()
        for lit, (when, _) in sorted(twins.propagated.items()):
            if lit not in true_now:
                continue
            reason = twins.explain(lit)
            assert reason[0] == lit
            for other in reason[1:]:
                assert -other in true_now and twins.order[abs(other)] < when, (lit, reason)
            assert_implied(models, reason)

    def check_conflict():
        clause = twins.fast.conflict()
        true_now = twins.true_literals()
        assert all(-l in true_now for l in clause), clause
        assert_implied(models, clause)
        return clause

    def after_conflict():
        clause = check_conflict()
        if all(twins.assigned[abs(l)][1] in (0, None) for l in clause):
            raise Refuted()
        twins.backtrack(draw(st.integers(0, max(twins.level - 1, 0)), label="backjump to"))

    def propagate_to_fixpoint():
        for _ in range(2 * len(owned) + 2):
            implied = twins.propagate()
            if implied is None:
                after_conflict()
                return
            if twins.level == 0:  # the engine hands root implications over as clauses
                for lit in implied:
                    reason = twins.explain(lit)
                    assert reason[0] == lit and all(-l in twins.true_literals()
                                                    for l in reason[1:])
                    assert_implied(models, reason)
            if not implied or not draw(st.booleans(), label="take the implied literals"):
                return
            for lit in implied:
                if abs(lit) not in twins.assigned:
                    twins.assign(lit)
        raise AssertionError("propagation did not reach a fixpoint")

    def final_check():
        """As the engine's check_model: a scratch level holding a whole model, checked, then
        undone."""
        level = twins.level
        twins.new_level()
        for var in owned:
            if var not in twins.assigned:
                twins.assign(var if draw(st.booleans(), label="model sign") else -var)
        accepted = twins.both("final_check")
        true_now = twins.true_literals()
        holds = any(all(l in true_now for l in model if abs(l) in owned)
                    for model in models)  # variables of no constraint: either value
        assert accepted == holds
        if not accepted:
            check_conflict()
        twins.backtrack(level)

    def step(kind):
        if kind == "level":
            twins.new_level()
        elif kind == "backtrack":
            twins.backtrack(draw(st.integers(min(1, twins.level), twins.level),
                                 label="backtrack to"))
        elif kind == "fix":
            unfixed = sorted(v for v, (_, lv) in twins.assigned.items() if lv is not None)
            if unfixed:
                var = draw(st.sampled_from(unfixed), label="fix")
                twins.assign(twins.assigned[var][0], True)
        elif kind == "final":
            final_check()
            return
        else:
            free = [v for v in owned if v not in twins.assigned]
            if not free:
                return
            var = draw(st.sampled_from(free), label="variable")
            lit = var if draw(st.booleans(), label="sign") else -var
            twins.assign(lit, draw(st.sampled_from([False] * 9 + [True]), label="fixed"))
        propagate_to_fixpoint()
        check_explanations()

    try:
        propagate_to_fixpoint()
        if draw(st.sampled_from([True, True, True, False]), label="decide above the root"):
            twins.new_level()
        for _ in range(draw(st.integers(1, 40), label="steps")):
            step(draw(st.sampled_from(["assign"] * 5 + ["level"] * 2
                                      + ["backtrack", "fix", "final"]), label="step"))
    except Refuted:
        pass
    assert twins.fast.statistics() == twins.slow.statistics()


@needs_compiled
@settings(max_examples=scaled(1.5), deadline=None)
@given(spec=pb_sets(), data=st.data())
def test_compiled_theory_agrees_with_reference_step_by_step(spec, data):
    run_twins(data, *spec)


def test_normalisation_merges_cancels_saturates_and_drops():
    kept, units, infeasible, variables = ref.normalise([
        ([1, 1, 2], [2, 3, 1], 4),      # 5*x1 + x2 <= 4: x1 saturated to 5, a unit
        ([3, -3, 4], [2, 5, 1], 4),     # 2 taken off the bound: 3*(not x3) + x4 <= 2
        ([5, 6], [1, 1], 2),            # always true: dropped, its variables still owned
    ])
    assert kept == [([1, 2], [5, 1], 4), ([-3, 4], [3, 1], 2)]
    assert units == [(0, 1), (1, -3)]
    assert not infeasible and variables == [1, 2, 3, 4, 5, 6]
    assert ref.normalise([([1, -1], [3, 2], 1)])[2]  # 2 + x1 <= 1: infeasible
    for bad in ([([1], [0], 1)], [([0], [1], 1)], [([1], [True], 1)], [([1, 2], [1], 1)]):
        with pytest.raises(ValueError):
            ref.normalise(bad)


@pytest.mark.parametrize("theory_class", IMPLEMENTATIONS)
def test_theory_contract_cases(theory_class):
    # a negative bound is the empty clause, at every propagate after a backtrack
    theory = theory_class([([1, 2], [1, 1], -1)])
    assert theory.propagate() is None and theory.conflict() == []
    assert theory.propagate() == []
    # heavier than the bound: false at the root, with a unit reason
    theory = theory_class([([1, 2, 3], [5, 2, 2], 3)])
    assert theory.propagate() == [-1]
    assert theory.explain(-1) == [-1]
    # a fixed literal survives the backtrack and is counted again
    theory = theory_class([([1, 2, 3], [2, 2, 2], 3)])
    theory.new_level()
    theory.assign(1, True)
    assert theory.propagate() == [-2, -3]
    assert theory.explain(-3) == [-3, -1]
    theory.backtrack(0)
    assert theory.level() == 0
    assert theory.propagate() == [-2, -3]
    # the conflict clause takes the heaviest true literals only, queued ones included
    theory = theory_class([([1, 2, 3, 4], [1, 5, 1, 5], 6)])
    theory.new_level()
    for lit in (1, 3, 2, 4):
        theory.assign(lit, False)
    assert theory.propagate() is None
    assert theory.conflict() == [-2, -4]
    # a conflict that a backtrack to the same level did not undo is found again
    theory.backtrack(1)
    assert theory.propagate() is None and theory.conflict() == [-2, -4]
    theory.backtrack(0)
    assert theory.propagate() == []
    with pytest.raises(ValueError):
        theory.explain(-1)   # never propagated
    with pytest.raises(ValueError):
        theory.assign(9, False)   # not owned
    assert theory.statistics()["pb_conflicts"] == 2


def test_weights_beyond_64_bits_are_exact():
    if compiled is not None:  # refused by the compiled theory, never wrapped
        with pytest.raises(OverflowError):
            compiled.PseudoBooleanLogic([([1, 2, 3], [2**62, 2**62, 1], 2**63)])
    # the solver then uses the reference, which is exact
    a, b, c = Bools("a b c")
    s = Solver()
    s.add(PbLe([(a, 2**70), (b, 2**70 + 1), (c, 2**70)], 2**71), AtLeast(a, b, c, 2))
    with mock.patch.object(ref, "PseudoBooleanLogic", wraps=ref.PseudoBooleanLogic) as used:
        assert s.check() == sat
        assert used.called
    m = s.model()
    assert (m[a], m[b], m[c]) == (True, False, True)
    s.add(b)
    assert s.check() == unsat


# ------------------------------------------------------------------------- solver vs z3
KINDS = ["pble", "pbge", "pbeq", "at-most", "at-least"]


@st.composite
def problems(draw):
    n = draw(st.integers(2, 6))
    pool = [("var", i) for i in range(n)] + [("not", i) for i in range(n)]
    pool += [("or", i, (i + 1) % n) for i in range(n)]
    pool += [("atom", c) for c in range(-2, 3)] + [("bound", c) for c in range(0, 3)]
    pb = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(KINDS))
        args = draw(st.lists(st.sampled_from(pool), min_size=2, max_size=7))
        if kind in ("at-most", "at-least"):
            weights = [1] * len(args)
            k = draw(st.integers(0, len(args) + 1))
        else:
            weights = [draw(st.sampled_from([1, 2, 3, 4, 5, -1, -3, 0])) for _ in args]
            k = draw(st.integers(-2, sum(abs(w) for w in weights) + 1))
        pb.append((kind, args, weights, k))
    clauses = draw(st.lists(st.lists(st.tuples(st.sampled_from(pool), st.booleans()),
                                     min_size=1, max_size=3), max_size=3))
    return n, pb, clauses


def build(spec, api):
    """The problem in smtsched's API (api="ours") or z3's."""
    n, pb, clauses = spec
    z = api == "z3"
    bools = [z3.Bool(f"b{i}") if z else Bool(f"b{i}") for i in range(n)]
    x, y = (z3.Int("x"), z3.Int("y")) if z else (Int("x"), Int("y"))
    or_, not_ = (z3.Or, z3.Not) if z else (Or, Not)

    def formula(item):
        if item[0] == "var":
            return bools[item[1]]
        if item[0] == "not":
            return not_(bools[item[1]])
        if item[0] == "or":
            return or_(bools[item[1]], bools[item[2]])
        if item[0] == "atom":
            return x - y <= item[1]
        return x >= item[1]

    out = []
    for kind, args, weights, k in pb:
        pairs = [(formula(a), w) for a, w in zip(args, weights)]
        if z:  # z3's AtMost insists on k >= 0 and distinct terms: its PbLe says the same
            relation = {"at-most": "pble", "at-least": "pbge"}.get(kind, kind)
            out.append({"pble": z3.PbLe, "pbge": z3.PbGe, "pbeq": z3.PbEq}[relation](pairs, k))
        elif kind == "at-most":
            out.append(AtMost(*[f for f, _ in pairs], k))
        elif kind == "at-least":
            out.append(AtLeast(*[f for f, _ in pairs], k))
        else:
            out.append({"pble": PbLe, "pbge": PbGe, "pbeq": PbEq}[kind](pairs, k))
    for clause in clauses:
        out.append(or_(*[formula(a) if sign else not_(formula(a)) for a, sign in clause]))
    # keep the difference atoms apart from one another a little
    out += [x >= -5, y >= -5, x <= 5, y <= 5]
    return out


def z3_declarations(n):
    return "".join(f"(declare-fun b{i} () Bool)" for i in range(n)) + \
        "(declare-fun x () Int)(declare-fun y () Int)"


@settings(max_examples=scaled(1.2), deadline=None)
@given(spec=problems(), reference=st.booleans(), seed=st.integers(0, 3))
def test_solver_agrees_with_z3(spec, reference, seed):
    ours = build(spec, "ours")
    theirs = build(spec, "z3")
    s = Solver()
    s.set(seed=seed)
    s.add(ours)
    if reference:  # the pure-Python twin through the whole solver
        with mock.patch.object(smtsched.core.factory, "pseudo_boolean_class",
                               lambda: ref.PseudoBooleanLogic):
            answer = s.check()
    else:
        answer = s.check()
    z = z3.Solver()
    z.add(theirs)
    assert str(answer) == str(z.check())
    if answer == sat:
        m = s.model()
        assert all(m.eval(f) is True for f in ours)  # also checked inside check()
    # printing: z3 (strict SMT-LIB mode) reads each PB term back with the same meaning
    n = spec[0]
    for mine, direct in zip(ours, theirs):
        if mine.op != "pb":
            continue
        (parsed,) = z3.parse_smt2_string(z3_declarations(n) + f"(assert {to_smtlib(mine)})")
        differ = z3.Solver()
        differ.add(parsed != direct)
        assert differ.check() == z3.unsat, to_smtlib(mine)


def test_pure_python_switch_selects_the_reference(monkeypatch):
    monkeypatch.setattr(smtsched.theory, "PURE_PYTHON", True)
    assert smtsched.theory.pseudo_boolean_class() is ref.PseudoBooleanLogic
    monkeypatch.setattr(smtsched.theory, "PURE_PYTHON", False)
    assert smtsched.theory.pseudo_boolean_class() is IMPLEMENTATIONS[-1]


def test_pigeonhole_with_cardinality_constraints():
    # 6 pigeons, 5 holes: each pigeon in a hole (a clause), each hole at most one pigeon
    pigeons, holes = 6, 5
    p = [[Bool(f"p{i}_{j}") for j in range(holes)] for i in range(pigeons)]
    s = Solver()
    s.add([AtLeast(*row, 1) for row in p])
    s.add([AtMost(*[p[i][j] for i in range(pigeons)], 1) for j in range(holes)])
    assert s.check() == unsat
    stats = s.statistics()
    assert stats["pb_constraints"] == holes and stats["pb_conflicts"] > 0
    s = Solver()
    s.add([AtLeast(*row, 1) for row in p[:-1]])
    s.add([AtMost(*[p[i][j] for i in range(pigeons)], 1) for j in range(holes)])
    assert s.check() == sat


def test_pb_over_difference_atoms_uses_proxies():
    x, y, z = Ints("x y z")
    a = Bool("a")
    s = Solver()
    s.set(log_lemmas=True)
    atoms = [x - y <= 0, y - z <= 0, z - x <= -1, x <= 3]
    s.add(PbGe([(atom, 1) for atom in atoms] + [(a, 2)], 5), Not(a))
    assert s.check() == unsat  # a false: all four atoms, a negative cycle
    s = Solver()
    s.set(log_lemmas=True)
    s.add(PbGe([(atom, 1) for atom in atoms] + [(a, 2)], 4), Or(a, x - y >= 1))
    assert s.check() == sat
    m = s.model()
    assert m.eval(PbGe([(atom, 1) for atom in atoms] + [(a, 2)], 4)) is True
    # every lemma (difference or pseudo-Boolean) follows from the assertions (z3)
    decls = "(declare-fun x () Int)(declare-fun y () Int)(declare-fun z () Int)" \
            "(declare-fun a () Bool)"
    for lemma in s.lemmas():
        check = z3.Solver()
        for f in s.assertions():
            check.add(z3.parse_smt2_string(decls + f"(assert {to_smtlib(f)})")[0])
        check.add(z3.Not(z3.parse_smt2_string(decls + f"(assert {to_smtlib(lemma)})")[0]))
        assert check.check() == z3.unsat, lemma


def test_a_cost_guard_and_a_pb_constraint_share_a_variable():
    from smtsched import WeightedCost
    s1, s2 = Ints("s1 s2")
    g, h = Bools("g h")
    for order in (0, 1):
        s = Solver()
        parts = [WeightedCost([s1, s2], [2, 2], [1, 1], 5, guard=g),
                 PbLe([(g, 2), (h, 2), (s1 >= 3, 1)], 3)]
        s.add(s1 >= 0, s2 >= 0, s1 - s2 >= 2, *(parts if order else parts[::-1]))
        assert s.check(g) == unsat          # g: s1 >= 2, s2 >= 0 costs 4 + 2 + ... > 5
        assert s.check(h) == sat
        assert s.model()[g] is False


# ------------------------------------------------------------------------- terms
def test_calling_styles_and_evaluation():
    a, b, c = Bools("a b c")
    assert to_smtlib(AtMost(a, b, c, 2)) == "((_ at-most 2) a b c)"
    assert to_smtlib(AtMost([a, b, c, 2])) == "((_ at-most 2) a b c)"
    assert to_smtlib(AtMost([a, b, c], 2)) == "((_ at-most 2) a b c)"
    assert to_smtlib(AtLeast(a, b, 1)) == "((_ at-least 1) a b)"
    assert to_smtlib(PbLe([(a, 2), (b, 3)], 4)) == "((_ pble 4 2 3) a b)"
    assert to_smtlib(PbGe([(a, 2), (Or(b, c), 0)], 1)) == "((_ pbge 1 2 0) a (or b c))"
    assert to_smtlib(PbEq([(a, 1)], 1)) == "((_ pbeq 1 1) a)"
    # negative weights are normalised away for strict SMT-LIB readers
    assert to_smtlib(PbLe([(a, -2), (b, 3)], -1)) == "((_ pble 1 2 3) (not a) b)"
    assert to_smtlib(PbLe([(a, 1)], -1)) == "false"
    assert to_smtlib(PbGe([(a, 1)], -1)) == "true"
    assert to_smtlib(PbLe([], 0)) == "true"
    s = Solver()
    s.add(a, Not(b), c)
    assert s.check() == sat
    m = s.model()
    assert m.eval(PbEq([(a, 2), (b, 5), (c, -1)], 1)) is True
    assert m.eval(AtMost(a, b, c, 1)) is False
    assert m.eval(AtLeast(a, b, c, 2)) is True


def test_malformed_terms_are_refused():
    a, b = Bools("a b")
    x = Int("x")
    for make in (lambda: PbLe([(a, 1.5)], 1), lambda: PbLe([(a, True)], 1),
                 lambda: PbLe([(a, 1)], 2.0), lambda: PbLe([(x, 1)], 1),
                 lambda: PbLe([a, b], 1), lambda: AtMost(a), lambda: AtMost(a, b, "2"),
                 lambda: PbGe(a, 1)):
        with pytest.raises(SortError):
            make()


@pytest.mark.parametrize("misuse", [
    lambda a, b, pb: Or(a, pb), lambda a, b, pb: Not(pb),
    lambda a, b, pb: If(a, pb, b), lambda a, b, pb: PbLe([(pb, 1), (a, 1)], 1),
    lambda a, b, pb: a == pb, lambda a, b, pb: Or(a, And(b, pb))])
def test_nested_pb_is_refused(misuse):
    a, b = Bools("a b")
    s = Solver()
    s.add(misuse(a, b, AtMost(a, b, 1)))
    with pytest.raises(UnsupportedError, match="AtMost is a global constraint: assert it at "
                                               "the top level"):
        s.check()


def test_pb_as_an_assumption_is_refused_and_conjunctions_are_fine():
    a, b = Bools("a b")
    s = Solver()
    s.add(And(PbGe([(a, 1), (b, 1)], 2), And(a, AtMost(a, b, 2))))
    assert s.check() == sat
    with pytest.raises(UnsupportedError, match="PbLe cannot be an assumption"):
        s.check(PbLe([(a, 1)], 0))


# ------------------------------------------------------------------------- SMT-LIB
def run(text):
    out = io.StringIO()
    run_script(text.encode(), out)
    return out.getvalue().splitlines()


DECLS = "(declare-const a Bool)(declare-const b Bool)(declare-const c Bool)" \
        "(declare-const x Int)(declare-const y Int)\n"


def test_smtlib_reads_z3s_pseudo_boolean_syntax():
    assert run(DECLS + "(assert ((_ pble 4 2 3 -1) a b (<= (- x y) 3)))\n"
                       "(assert ((_ at-least 2) a b c))\n"
                       "(assert (and ((_ pbeq 1 1 1) a c) (< x y)))\n"
                       "(check-sat)\n"
                       "(get-value (((_ pbge 2 1 1 1) a b c) ((_ at-most 1) a b c)))") == [
        "sat", "((((_ pbge 2 1 1 1) a b c) true)", " (((_ at-most 1) a b c) false))"]
    assert run(DECLS + "(assert ((_ at-least 2) a b c))(assert ((_ at-most 1) a b c))"
                       "(check-sat)") == ["unsat"]
    # z3 prints negative indices as -k: read back the same way
    assert run(DECLS + "(assert ((_ pble -4 -2 3) a b))(check-sat)") == ["unsat"]


def test_solver_output_round_trips_through_our_reader_and_z3():
    a, b, c = Bools("a b c")
    x, y = Ints("x y")
    s = Solver()
    s.add(PbLe([(a, -2), (b, 3), (x - y <= 3, 1)], 1), AtLeast(a, b, c, 2), PbEq([(c, 1)], 1))
    text = s.to_smtlib()
    assert run(text) == [str(s.check())]
    z = z3.Solver()
    z.from_string(text)
    assert str(z.check()) == str(s.check())


@pytest.mark.parametrize("line, expected", [
    ("(assert ((_ pble 1 1) a b))", "line 2 column 9: (_ pble ...) has 1 weight(s) for 2 "
                                    "argument(s)"),
    ("(assert ((_ pble x 1) a))", "line 2 column 18: the indices of 'pble' are integers, "
                                  "found x"),
    ("(assert ((_ pbge 1 1 1) a 3))", "line 2 column 27: 'pbge' takes formulas, got a numeral 3"),
    ("(assert ((_ pbeq 1 1) x))", "line 2 column 23: 'pbeq' takes formulas, got an Int term x"),
    ("(assert ((_ at-most 1 2) a))", "line 2 column 10: (_ at-most k) takes one index, the "
                                     "bound k; got 2"),
    ("(assert ((_ at-least) a))", "line 2 column 10: (_ at-least k) takes one index"),
    ("(assert ((_ pble) a))", "line 2 column 10: (_ pble k w1 ... wn) needs the bound k"),
    ("(assert ((_ at-most 1)))", "line 2 column 9: 'at-most' needs at least one argument"),
    ("(assert (or a ((_ at-most 1) a b)))", "line 2 column 15: the pseudo-Boolean constraint "
                                            "'at-most' can only be asserted at the top level, "
                                            "not inside another term"),
    ("(assert (let ((p ((_ pble 1 1 1) a b))) (not p)))", "line 2 column 18: the pseudo-Boolean "
                                                          "constraint 'pble'"),
    ("(assert (let ((p ((_ pble 1 1 1) a b))) (and p (or p c))))", "line 2 column 18: the "
                                                                  "pseudo-Boolean constraint"),
    ("(check-sat-assuming (((_ at-most 1) a b)))", "line 2 column 22: the pseudo-Boolean "
                                                   "constraint 'at-most' can only be asserted "
                                                   "at the top level, not an assumption"),
    ("(set-option :produce-unsat-cores true)(assert (! ((_ at-most 1) a b) :named n))",
     "line 2 column 50: the pseudo-Boolean constraint 'at-most' can only be asserted at the "
     "top level, not a named assertion"),
])
def test_smtlib_errors_are_positioned(line, expected):
    (output,) = run(DECLS + line)
    assert output.startswith('(error "' + expected), output


def test_pb_propagation_rate_is_reported_in_statistics():
    # a small all-PB problem: the compiled theory owns every variable (the engine's one-
    # theory fast path)
    xs = [Bool(f"x{i}") for i in range(30)]
    s = Solver()
    s.add(PbLe([(x, 1 + i % 7) for i, x in enumerate(xs)], 40))
    s.add(PbGe([(x, 1 + (i * 3) % 5) for i, x in enumerate(xs)], 35))
    s.add([AtMost(*xs[i:i + 6], 2) for i in range(0, 30, 3)])
    assert s.check() == sat
    stats = s.statistics()
    assert stats["pb_assignments"] > 0 and stats["pb_final_checks"] >= 1
