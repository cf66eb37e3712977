"""Terms print as z3 prints them (smtsched/z3_printer.py): random terms built the same way
through z3 and through smtsched, compared as text; f-strings keep SMT-LIB (messages)."""
from hypothesis import event, given, settings
from hypothesis import strategies as st

import z3

import smtsched

# a term is a nested tuple, built by `make` through either API
# (the long name makes z3 break lines, which its layout is compared on too)
INT_LEAF = st.one_of(st.sampled_from([("var", "x"), ("var", "y"), ("var", "z"),
                                      ("var", "completion_time_of_the_last_job")]),
                     st.integers(-5, 5).map(lambda c: ("num", c)))


def int_terms():
    return st.recursive(
        INT_LEAF,
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(["add", "sub"]), inner, inner),
            st.tuples(st.just("neg"), inner),
            st.tuples(st.just("lmul"), st.integers(-3, 3), inner),
            st.tuples(st.just("rmul"), inner, st.integers(-3, 3))),
        max_leaves=6)


def bool_terms():
    atom = st.one_of(
        st.tuples(st.sampled_from(["le", "lt", "ge", "gt", "eq", "ne"]), int_terms(),
                  int_terms()),
        st.tuples(st.just("le"), st.tuples(st.just("iite"), st.sampled_from(
            [("bvar", "p"), ("bvar", "q")]), int_terms(), int_terms()), int_terms()))
    leaf = st.one_of(atom, st.sampled_from([("bvar", "p"), ("bvar", "q")]))
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(["and", "or"]), st.lists(inner, min_size=1, max_size=3)),
            st.tuples(st.sampled_from(["not"]), inner),
            st.tuples(st.sampled_from(["implies", "xor", "beq", "bne"]), inner, inner),
            st.tuples(st.just("ite"), inner, inner, inner)),
        max_leaves=4)


def make(api, t):
    op = t[0]
    if op == "var":
        return api.Int(t[1])
    if op == "bvar":
        return api.Bool(t[1])
    if op == "num":
        return api.IntVal(t[1])
    if op == "add":
        return make(api, t[1]) + make(api, t[2])
    if op == "sub":
        return make(api, t[1]) - make(api, t[2])
    if op == "neg":
        return -make(api, t[1])
    if op == "lmul":
        return t[1] * make(api, t[2])
    if op == "rmul":
        return make(api, t[1]) * t[2]
    if op in ("le", "lt", "ge", "gt", "eq", "ne"):
        a, b = make(api, t[1]), make(api, t[2])
        return {"le": a <= b, "lt": a < b, "ge": a >= b, "gt": a > b, "eq": a == b,
                "ne": a != b}[op]
    if op == "and":
        return api.And(*[make(api, x) for x in t[1]])
    if op == "or":
        return api.Or(*[make(api, x) for x in t[1]])
    if op == "not":
        return api.Not(make(api, t[1]))
    if op == "implies":
        return api.Implies(make(api, t[1]), make(api, t[2]))
    if op == "xor":
        return api.Xor(make(api, t[1]), make(api, t[2]))
    if op == "beq":
        return make(api, t[1]) == make(api, t[2])
    if op == "bne":
        return make(api, t[1]) != make(api, t[2])
    if op in ("ite", "iite"):
        return api.If(make(api, t[1]), make(api, t[2]), make(api, t[3]))
    raise AssertionError(op)


@given(int_terms())
@settings(max_examples=300, deadline=None)
def test_arithmetic_prints_as_z3(t):
    ours, theirs = make(smtsched, t), make(z3, t)
    text = str(theirs)
    event("lines broken" if "\n" in text else "one line")
    assert str(ours) == text and repr(ours) == repr(theirs)


@given(bool_terms())
@settings(max_examples=300, deadline=None)
def test_formulas_print_as_z3(t):
    ours, theirs = make(smtsched, t), make(z3, t)
    text = str(theirs)
    event("lines broken" if "\n" in text else "one line")
    assert str(ours) == text


def test_examples_and_messages():
    x, y = smtsched.Ints("x y")
    p = smtsched.Bool("p")
    assert str(x - y <= 5) == "x - y <= 5" and str(2 * (x + y)) == "2*(x + y)"
    assert str(x * 3) == "x*3" and str(-(x - y)) == "-(x - y)" and str(x - (y - 1)) == "x - (y - 1)"
    assert str(smtsched.And(p, smtsched.Not(p))) == "And(p, Not(p))" and str(x != y) == "x != y"
    assert str([x + 1, p]) == "[x + 1, p]"
    assert f"{x + 1}" == "(+ x 1)"   # messages keep SMT-LIB
    s = smtsched.Solver()
    s.add(x - y <= 5)
    assert str(s.assertions()) == "[x - y <= 5]" and str(s) == "[x - y <= 5]"
    r = smtsched.Real("r")
    assert str(r / 2 + 1) == "r/2 + 1" and str((2 * r) / 3) == "(2*r)/3"
    assert str(x <= smtsched.IntVal(3)) == "3 >= x"   # Python reflects, as with z3's values
    a, b = smtsched.Bools("a b")
    assert str(smtsched.AtMost(a, b, 1)) == "AtMost((a, b), 1)"
    assert str(smtsched.PbLe([(a, 1), (b, 2)], 3)) == "PbLe(((a, 1), (b, 2)), 3)"
