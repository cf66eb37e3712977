"""Arithmetic on model values (smtsched.values, issue 18 round 2) prints as z3's terms and is
the number z3's simplify gives: random expressions over the values of a model and Python
numbers, built the same way with z3 and with smtsched."""
from fractions import Fraction

import z3
from hypothesis import given, settings
from hypothesis import strategies as st

import smtsched

VALUES = {"x": 3, "y": -4, "z": 0}


def expressions():
    leaf = st.one_of(st.sampled_from(sorted(VALUES)).map(lambda n: ("value", n)),
                     st.integers(-3, 3).map(lambda c: ("int", c)))
    return st.recursive(leaf, lambda inner: st.one_of(
        st.tuples(st.sampled_from(["add", "sub", "mul"]), inner, inner),
        st.tuples(st.just("neg"), inner)), max_leaves=5)


def model(lib, real):
    make = lib.Real if real else lib.Int
    names = {n: make(n) for n in VALUES}
    s = lib.Solver()
    s.add(*[names[n] == v for n, v in VALUES.items()])
    assert s.check() == lib.sat
    m = s.model()
    return {n: m[names[n]] for n in VALUES}


def build(tree, values):
    kind = tree[0]
    if kind == "value":
        return values[tree[1]]
    if kind == "int":
        return tree[1]
    if kind == "neg":
        return -build(tree[1], values)
    a, b = build(tree[1], values), build(tree[2], values)
    return a + b if kind == "add" else a - b if kind == "sub" else a * b


def has_value(tree):
    return tree[0] == "value" or (tree[0] != "int" and any(
        has_value(t) for t in tree[1:] if isinstance(t, tuple)))


@settings(max_examples=300, deadline=None)
@given(expressions(), st.booleans())
def test_value_arithmetic_prints_as_z3(tree, real):
    ours = build(tree, model(smtsched, real))
    theirs = build(tree, model(z3, real))
    if not has_value(tree):   # Python numbers only: neither side has a term
        assert ours == theirs
        return
    assert str(ours) == str(theirs), tree
    # == and != print as z3's equations and have the numbers' truth
    for other in (1, -2):
        assert str(ours == other) == str(theirs == other)
        assert str(ours != other) == str(theirs != other)
        assert bool(ours == other) == z3.is_true(z3.simplify(theirs == other))
    number = z3.simplify(theirs)
    exact = Fraction(number.as_fraction()) if real else number.as_long()
    assert ours == exact and isinstance(ours, int if not real else Fraction)
