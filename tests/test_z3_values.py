"""Model values as z3 hands them out (issue 18): IntNumRef / RatNumRef with z3's methods and
printing, compared with z3's own values; they still are int / Fraction."""
from fractions import Fraction

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

import smtsched
from smtsched import (Bool, BoolSort, Const, Consts, Implies, Int, Ints, IntSort, Real, RealSort,
                      Solver, is_false, is_int_value, is_rational_value, is_true, sat)
from smtsched import simplify
from smtsched.values import IntNumRef, RatNumRef

FRACTIONS = [Fraction(2, 3), Fraction(-2, 3), Fraction(1, 8), Fraction(-1, 8), Fraction(5),
             Fraction(-7, 2), Fraction(1, 7), Fraction(999, 1000), Fraction(19, 2000),
             Fraction(1, 3000), Fraction(0), Fraction(-4), Fraction(10 ** 30 + 1, 3)]


def z3_rational(value):
    return z3.RealVal(f"{value.numerator}/{value.denominator}")


@pytest.mark.parametrize("value", FRACTIONS, ids=str)
def test_rational_values_read_and_print_as_z3s(value):
    ours, theirs = RatNumRef(value), z3_rational(value)
    assert str(ours) == str(theirs) and repr(ours) == repr(theirs)
    for prec in (0, 1, 2, 3, 5, 10):
        assert ours.as_decimal(prec) == theirs.as_decimal(prec), prec
    assert ours.as_string() == theirs.as_string()
    assert ours.as_fraction() == theirs.as_fraction()
    assert ours.numerator_as_long() == theirs.numerator_as_long()
    assert ours.denominator_as_long() == theirs.denominator_as_long()
    assert ours.is_int() == theirs.is_int() and ours.is_real() == theirs.is_real()
    assert ours.is_int_value() == theirs.is_int_value()
    assert ours.sexpr() == theirs.sexpr()


@given(st.fractions(max_denominator=10 ** 6), st.integers(0, 12))
@settings(max_examples=200, deadline=None)
def test_as_decimal_agrees_with_z3(value, prec):
    assert RatNumRef(value).as_decimal(prec) == z3_rational(value).as_decimal(prec)


@pytest.mark.parametrize("value", [0, 7, -7, 2 ** 70, -(2 ** 70)])
def test_integer_values_read_and_print_as_z3s(value):
    ours, theirs = IntNumRef(value), z3.IntVal(value)
    assert str(ours) == str(theirs) and repr(ours) == repr(theirs)
    assert ours.as_long() == theirs.as_long() and ours.as_string() == theirs.as_string()
    assert ours.sexpr() == theirs.sexpr()
    assert ours.is_int() and not ours.is_real()
    if value >= 0:
        assert ours.as_binary_string() == theirs.as_binary_string()


def test_model_values_are_z3_values_and_numbers():
    x, y = Ints("x y")
    r, q = Real("r"), Real("q")
    p = Bool("p")
    s = Solver()
    s.add(x == 3, y - x == -7, r == Fraction(1, 3), q - r == Fraction(-17, 6), p)
    assert s.check() == sat
    m = s.model()
    assert m[x].as_long() == 3 and m[y].as_long() == -4
    assert m[r].as_decimal(3) == "0.333?" and m[q].as_decimal(3) == "-2.5"
    assert m[q].numerator_as_long() == -5 and m[q].denominator_as_long() == 2
    assert str(m[r]) == "1/3" and str(m[q]) == "-5/2" and str(m[p]) == "True"
    # still numbers: existing code computes with them
    assert m[x] + 1 == 4 and m[x] * 2 == 6 and m[r] * 3 == 1 and m[q] < m[r]
    # ... and print as z3's terms do (z3: m[x] + 1 is the term 3 + 1): issue 18, round 2
    assert isinstance(m[x] + 1, int) and isinstance(m[r] + 1, Fraction)
    assert str(m[x] + 1) == "3 + 1" and str(2 * m[x] - m[y]) == "2*3 - -4"
    assert str(sum(m[v] for v in (x, y))) == "0 + 3 + -4" and str(-m[x]) == "-3"
    assert int(m[x] + 1) == 4 and hash(m[x] + 1) == hash(4) and (m[x] + 1) * 2 == 8
    assert str(simplify(m[x] + 1)) == "4" and str(m.eval(x + 1)) == "4"
    assert str((m[x] + 1) - y) == "3 + 1 - y"
    # a product of two values prints as z3's; one of two sums enters formulas as its number
    assert str(y <= m[x] * m[x]) == "y <= 3*3"
    product = (m[x] + 1) * (m[x] - 1)
    assert str(product) == "(3 + 1)*(3 - 1)" and product == 8 and str(y <= product) == "y <= 8"
    assert is_int_value(m[x]) and not is_int_value(m[r]) and is_rational_value(m[r])
    assert not is_int_value(3)   # as in z3: a Python int is not a z3 value
    assert is_true(m[p]) and not is_false(m[p])
    assert m.eval(x - y).as_long() == 7 and str(m.eval(r + q)) == "-13/6"
    assert m.eval(x - y > 6) is True
    # the values feed back into terms as plain numbers
    s.add(x <= m[x], r <= m[r], y <= m[x] * m[x], y <= (m[x] + 1) * (m[x] - 1))
    assert s.check() == sat


def test_model_decls_len_and_iteration_as_z3():
    x, y = Ints("x y")
    p = Bool("p")
    s = Solver()
    s.add(x - y >= 2, y == 1, p)
    assert s.check() == sat
    m = s.model()
    assert len(m) == 3
    decls = m.decls()
    assert [d.name() for d in decls] == ["p", "x", "y"] and [str(d) for d in m] == ["p", "x", "y"]
    assert m[decls[1]].as_long() >= 3 and m[decls[0]] is True
    assert decls[1]() is not None and str(decls[1]()) == "x" and str(decls[1].range()) == "Int"
    assert m[0] == decls[0]
    assert sorted([(d.name(), m[d]) for d in m])[2] == ("y", 1)
    assert m.eval(Int("never"), model_completion=True) == 0


def test_sorts_and_consts():
    a, b = Consts("a b", IntSort())
    c = Const("c", RealSort())
    t = Const("t", BoolSort())
    assert str(IntSort()) == "Int" and str(RealSort()) == "Real" and str(BoolSort()) == "Bool"
    s = Solver()
    s.add(a - b >= 1, c > 0, t)
    assert s.check() == sat
    m = s.model()
    assert m[a] - m[b] >= 1 and m[c] > 0 and m[t] is True
    with pytest.raises(smtsched.UnsupportedError, match="sort"):
        Const("bv", "BitVec")


def test_eval_without_model_completion_leaves_what_has_no_value():
    x, w = Int("x"), Int("w")
    s = Solver()
    s.add(x == 3)
    assert s.check() == sat
    m = s.model()
    assert str(m.eval(w, model_completion=False)) == "w"
    assert str(m.eval(x + w, model_completion=False)) == "3 + w"
    assert m.eval(x + 1, model_completion=False) == 4
    assert m.eval(w, model_completion=True) == 0


def test_sum_product_simplify_and_the_is_tests():
    from smtsched import (BoolVal, IntVal, Product, Q, RealVal, Sum, UnsupportedError,
                          is_bool, is_const, is_int, is_real, simplify)
    x, y = Ints("x y")
    assert Sum([]) == 0 and Product([]) == 1 and Sum(1, 2, 3) == 6 and Product(2, 3, 4) == 24
    s = Solver()
    s.add(Sum([x, -y]) >= 3, Product(2, x - y) <= 6, y == 0)
    assert s.check() == sat and s.model()[x] == 3
    with pytest.raises(UnsupportedError, match="product of two terms"):
        Product(x, y)
    assert str(simplify(IntVal(2) + 3)) == "5" and str(simplify(RealVal(1) / 4 * 2)) == "1/2"
    assert simplify(BoolVal(True)) is True and str(simplify(IntVal(7) - 10)) == "-3"
    assert str(simplify(x + 1)) == "1 + x" and str(Q(2, 4)) == "1/2"
    assert is_int(x) and not is_real(x) and is_bool(x > y) and is_const(x)
    assert str(RealVal("0.125")) == str(RealVal(Fraction(1, 8))) and IntVal("-3").value == -3


def test_parameters_by_z3_names():
    from smtsched import SolverFor, UnsupportedError, get_param, set_param
    from smtsched.params import reset_params
    try:
        set_param("timeout", 5000)
        set_param("smt.random_seed", 3)
        set_param(verbose=0)
        assert get_param("timeout") == 5000
        s = SolverFor("QF_IDL")
        assert s._timeout == 5.0 and s._seed == 3
        with pytest.raises(ValueError, match="not supported"):
            set_param("smt.arith.solver", 2)
        with pytest.raises(UnsupportedError, match="QF_BV"):
            SolverFor("QF_BV")
    finally:
        reset_params()
    assert Solver()._timeout is None


def test_guide_conveniences(capsys):
    from smtsched import (Abs, ArithRef, BoolRef, BoolVector, ExprRef, IntVector, Z3Exception,
                          prove, solve)
    x, y = Ints("x y")
    solve(x - y > 2, y == 1, x < 5)
    solve(x > 1, x < 1)
    prove(Implies(x > 3, x > 2))
    prove(Implies(x > 2, x > 3))
    assert capsys.readouterr().out == ("[x = 4, y = 1]\nno solution\nproved\n"
                                       "counterexample\n[x = 3]\n")
    assert [str(v) for v in IntVector("t", 2)] == ["t__0", "t__1"]
    assert str(BoolVector("b", 1)[0]) == "b__0"
    assert isinstance(x, ArithRef) and not isinstance(x > 1, ArithRef)
    assert isinstance(x > 1, BoolRef) and isinstance(x, ExprRef) and not isinstance(3, ExprRef)
    s = Solver()
    s.add(Abs(x - y) <= 2, x == 5, y <= 3)
    assert s.check() == sat and s.model()[y] == 3
    with pytest.raises(Z3Exception):
        Solver().model()


def test_if_of_two_constants_is_lifted_as_z3_lifts_it():
    from smtsched import If, IntVal
    p = Bool("p")
    x = Int("x")
    assert If(p, 1, 0).sort == "Int" and If(p, 1, 2.5).sort == "Real"
    s = Solver()
    s.add(x == If(p, 3, 0) + IntVal(1), p)
    assert s.check() == sat and s.model()[x] == 4


def test_rational_to_decimal_printing():
    from smtsched import Q, set_option
    r = Real("r")
    try:
        set_option(rational_to_decimal=True, precision=3)
        assert str(Q(1, 3)) == "0.333?" and str(r + Q(1, 2)) == "r + 0.5"
        s = Solver()
        s.add(r * 3 == 2)
        assert s.check() == sat and str(s.model()) == "[r = 0.666?]"
    finally:
        set_option(rational_to_decimal=False, precision=10)
    assert str(Q(1, 3)) == "1/3"


def test_the_divergences_of_issue_18_round_2():
    # the script of the issue, with z3's output
    x, y, z = Ints("x y z")
    s = Solver()
    s.add(x - y >= 2, x <= 10, x == 0)
    s.check()
    m = s.model()
    assert (str(m[z]), str(m.eval(z)), str(m.eval(z, model_completion=True)),
            str(m.eval(x + z))) == ("None", "z", "0", "0")
    assert sorted(d.name() for d in m.decls()) == ["x", "y", "z"] and len(m) == 3
    assert str(m[x] + 1) == "0 + 1" and m[x] + 1 == 1
    assert str(x.sort()) == "Int" and x.sort == "Int" and x.sort() == IntSort()
    assert str(simplify(x + 2 - 2)) == "x"
    # the solver's own model (smtsched.solver.Model, used by smtsched.sched) keeps numbers
    from smtsched.solver import Solver as EngineSolver
    inner = EngineSolver()
    inner.add(x == 3)
    inner.check()
    assert str(inner.model()[x] + 1) == "4" and inner.model().eval(z) == 0


def test_to_smt2_reads_back_and_refusals_are_named():
    x, y = Ints("x y")
    p = Bool("p")
    s = Solver()
    s.add(x >= 1, smtsched.Or(p, x - y <= 3), smtsched.Not(p), y <= -3)
    text = s.to_smt2()
    assert text.startswith("; benchmark generated from python API\n(set-info :status unknown)")
    assert "(assert\n (>= x 1))" in text and text.endswith("(check-sat)\n")
    again = Solver()
    again.from_string(text)
    assert again.check() == s.check() == smtsched.unsat
    for name in ("units", "non_units", "trail", "consequences", "cube", "translate"):
        with pytest.raises(smtsched.UnsupportedError, match=f"Solver.{name}"):
            getattr(s, name)()
    with pytest.raises(smtsched.UnsupportedError, match="ToReal"):
        smtsched.ToReal(x)
    with pytest.raises(smtsched.UnsupportedError, match="remainder"):
        x % 2
