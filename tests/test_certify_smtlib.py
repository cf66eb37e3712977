"""The certificate checker's own SMT-LIB reader (smtsched/certify/check/smtlib.py, issue 15).

The reader turns a script and a query into the checker's encoding G: clauses over canonical
difference atoms and Tseitin gates. The oracle is z3, given G in plain SMT-LIB (every atom
variable equal to its meaning, every clause asserted) next to the original script:

* G implies the script's assertions (G & not F is unsat): the reader never drops or weakens a
  constraint, so a certificate checked against G is checked against the input;
* a model of the script extends to a model of G (G with the script's variables fixed to z3's
  model is sat): the reader never adds a constraint the script does not have.

Nothing here uses smtsched's own reader for the oracle; `smtsched.smtlib` is used only where a
data file is refused, to confirm that smtsched refuses it too.
"""

import json
import os
import re
from fractions import Fraction

import pytest
import z3
from hypothesis import event, given, note, settings
from hypothesis import strategies as st

from smtsched.certify.check.smtlib import ReadError, Unsupported, read

DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")
ROOT = os.path.join(DATA, "smtlib")


def scaled(weight):
    """max_examples as a multiple of the active profile's baseline."""
    return max(1, int(settings.default.max_examples * weight))


# ------------------------------------------------------------------------------ G for z3
_SIMPLE = re.compile(r"[A-Za-z~!@$%^&*_\-+=<>.?/][A-Za-z0-9~!@$%^&*_\-+=<>.?/]*")


def sym(name):
    return name if _SIMPLE.fullmatch(name) else f"|{name}|"


def number(c, sort):
    """c as an SMT-LIB constant that strict z3 accepts for the sort (Real: decimals)."""
    c = Fraction(c)
    if sort == "Int":
        assert c.denominator == 1
        text = str(abs(c.numerator))
    else:
        text = f"(/ {abs(c.numerator)}.0 {c.denominator}.0)"
    return f"(- {text})" if c < 0 else text


def g_text(enc, extra_units=()):
    """G as an SMT-LIB script: g!i is variable i of the encoding."""
    out = [f"(declare-fun {sym(n)} () {s})" for n, s in enc.sorts.items()]
    out += [f"(declare-fun {sym(n)} () Bool)" for n in enc.booleans if n not in enc.sorts]
    out += [f"(declare-fun g!{i} () Bool)" for i in range(1, enc.num_vars + 1)]
    for i in range(1, enc.num_vars + 1):
        d = enc.meaning(i)
        if d is None:
            continue
        if d.y is None:
            diff = sym(d.x)
        elif d.x is None:
            diff = f"(- {sym(d.y)})"
        else:
            diff = f"(- {sym(d.x)} {sym(d.y)})"
        assert enc.sorts.get(d.x, d.sort) == d.sort and enc.sorts.get(d.y, d.sort) == d.sort
        out.append(f"(assert (= g!{i} ({'<' if d.strict else '<='} {diff} "
                   f"{number(d.c, d.sort)})))")
    for name, var in enc.booleans.items():
        if name not in enc.sorts:  # else a Boolean of before a reset, no longer declared
            out.append(f"(assert (= g!{var} {sym(name)}))")

    def lit(l):
        return f"g!{l}" if l > 0 else f"(not g!{-l})"

    for clause in list(enc.clauses) + [[u] for u in extra_units]:
        out.append(f"(assert (or {' '.join(lit(l) for l in clause)}))" if clause else
                   "(assert false)")
    return "\n".join(out)


def z3_sat(text):
    s = z3.Solver()
    s.add(z3.parse_smt2_string(text))
    result = s.check()
    assert result != z3.unknown
    return result == z3.sat


def g_sat(enc, extra_units=()):
    return z3_sat(g_text(enc, extra_units))


def encode(script, k=1):
    return read(script, {"check_sat": k})


def assert_same_meaning(script, z3_script=None):
    """G of the script's first check-sat is equivalent to the script's assertions (module
    docstring); `z3_script` is the same assertions as strict z3 reads them (Real constants
    as decimals), when the reader's text differs."""
    enc = encode(script)
    g = z3.parse_smt2_string(g_text(enc))
    f = z3.parse_smt2_string((z3_script or script).replace("(check-sat)", ""))
    s = z3.Solver()
    s.add(g)
    s.add(z3.Not(z3.And(list(f))))
    assert s.check() == z3.unsat, f"G is weaker than the script: {s.model()}"
    s = z3.Solver()
    s.add(f)
    if s.check() == z3.sat:
        model = s.model()
        s = z3.Solver()
        s.add(g)
        for decl in model.decls():
            s.add(decl() == model[decl])
        assert s.check() == z3.sat, f"G is stronger than the script: it refutes {model}"
    else:
        assert not g_sat(enc), "the script is unsat, G is sat"
    return enc


def units(enc):
    return [c[0] for c in enc.clauses if len(c) == 1 and c[0] != enc.true()]


INT = "(declare-fun x () Int)(declare-fun y () Int)(declare-fun z () Int)"
REAL = "(declare-fun a () Real)(declare-fun b () Real)(declare-fun c () Real)"
BOOL = "(declare-fun p () Bool)(declare-fun q () Bool)(declare-fun r () Bool)"


# ------------------------------------------------------------------------------ atoms
def test_int_strict_comparison_is_a_non_strict_atom_one_lower():
    enc = encode(INT + "(assert (< x y))(check-sat)")
    (lit,) = units(enc)
    d = enc.meaning(lit)
    assert (d.sort, d.x, d.y, d.c, d.strict) == ("Int", "x", "y", -1, False)


def test_real_strict_comparison_keeps_strictness():
    enc = encode(REAL + "(assert (< a b))(check-sat)")
    d = enc.meaning(units(enc)[0])
    assert (d.sort, d.x, d.y, d.c, d.strict) == ("Real", "a", "b", 0, True)


@pytest.mark.parametrize("term,expected", [
    ("(<= (* 2 (- x y)) 5)", ("x", "y", 2)),          # floor(5/2)
    ("(< (* 2 (- x y)) 5)", ("x", "y", 2)),           # ceil(5/2) - 1
    ("(< (* 2 (- x y)) 4)", ("x", "y", 1)),           # ceil(4/2) - 1
    ("(>= (- (* 3 x) (* 3 y)) 7)", ("y", "x", -3)),   # y - x <= floor(-7/3)
    ("(<= (+ x 3) y)", ("x", "y", -3)),
    ("(> x 4)", (None, "x", -5)),                     # 0 - x <= -5
    ("(<= (- x) (- 2))", (None, "x", -2)),
    ("(<= 3 x)", (None, "x", -3)),
    ("(>= (* (- 2) x) 5)", ("x", None, -3)),          # -2x >= 5: x <= floor(-5/2)
])
def test_int_atom_is_divided_through_with_floor(term, expected):
    enc = encode(INT + f"(assert {term})(check-sat)")
    d = enc.meaning(units(enc)[0])
    # the canonical orientation may be the negation; compare meanings both ways
    want = enc.meaning(enc.atom("Int", *expected))
    assert (d.x, d.y, d.c) == (want.x, want.y, want.c)
    assert_same_meaning(INT + f"(assert {term})(check-sat)")


def test_real_atom_is_divided_through_exactly():
    enc = encode(REAL + "(assert (<= (* 2 (- a b)) 5))(check-sat)")
    d = enc.meaning(units(enc)[0])
    assert (d.x, d.y, d.c, d.strict) == ("a", "b", Fraction(5, 2), False)


@pytest.mark.parametrize("term", [
    # (a top-level (<= (+ x y) 3) is a weighted completion sum: read as a cost constraint)
    "(not (<= (+ x y) 3))", "(<= (* 2 x) y)", "(< (+ x y z) 0)", "(= (- x y) (- y z))"])
def test_an_atom_that_is_no_difference_constraint_is_unsupported(term):
    with pytest.raises(Unsupported, match="unsupported by the checker: .*not a difference"):
        encode(INT + f"(assert {term})(check-sat)")


def test_unsupported_error_has_line_and_column():
    script = INT + "\n(assert true)\n  (assert (and p\n    (<= (+ x y) 3)))\n(check-sat)"
    script = script.replace("(and p", "(and true")
    with pytest.raises(Unsupported) as info:
        encode(script)
    assert (info.value.line, info.value.column) == (4, 5)
    assert str(info.value).startswith("line 4 column 5: unsupported by the checker")


@pytest.mark.parametrize("script,what", [
    (INT + REAL + "(assert (< x a))(check-sat)", "Int and Real"),
    (INT + "(assert (< (* x y) 3))(check-sat)", "two variables"),
    (INT + "(assert (< (div x 2) 3))(check-sat)", "div"),
    ("(declare-fun f (Int) Int)(check-sat)", "uninterpreted"),
    ("(declare-sort U 0)(check-sat)", "declare-sort"),
    ("(define-sort I () Int)(check-sat)", "define-sort"),
    ("(declare-fun v () (_ BitVec 8))(check-sat)", "sort"),
    (INT + "(assert (< (to_real x) 3.0))(check-sat)", "to_real"),
    (REAL + "(assert (< (/ a b) 3.0))(check-sat)", "division by the term"),
    (INT + "(assert (forall ((w Int)) (< w x)))(check-sat)", "forall"),
])
def test_outside_the_fragment_is_unsupported(script, what):
    with pytest.raises(Unsupported, match=what):
        encode(script)


@pytest.mark.parametrize("script,what,line,column", [
    ("(assert (< x 1))\n(check-sat)", "unknown constant 'x'", 1, 12),
    ("(declare-fun x () Int)\n(assert (< x 1)", "unbalanced", 2, 1),
    ("(push))(check-sat)", "unexpected", 1, 7),
    ("(declare-fun x () Int)\n(assert (< x 'a))", "not an SMT-LIB token", 2, 14),
    ("(declare-fun x () Int)\n(declare-fun x () Int)", "already declared", 2, 14),
    ("(declare-fun x () Int)(assert (+ x 1))(check-sat)", "formula was expected", 1, 31),
    ("(declare-fun x () Int)(assert (and x))(check-sat)", "takes formulas", 1, 36),
    ("(declare-fun x () Int)(assert (= x true))(check-sat)", "formulas and numbers", 1, 31),
    ("(declare-fun x () Int)(assert (f x))(check-sat)", "unknown function 'f'", 1, 32),
    ("(push 1)(pop 2)(check-sat)", "pop 2 with only 1", 1, 9),
    ("(assert (let ((p true) (p false)) p))(check-sat)", "bound twice", 1, 24),
    ('(assert |x)(check-sat)', "unterminated", 1, 9),
])
def test_malformed_scripts_are_errors_with_their_place(script, what, line, column):
    with pytest.raises(ReadError, match=what) as info:
        encode(script)
    assert (info.value.line, info.value.column) == (line, column)
    assert isinstance(info.value, ValueError)


def test_place_counts_comments_strings_and_quoted_symbols_spanning_lines():
    script = ('; a comment with (parens and "quotes\n(set-info :source |two\nlines ( |)\n'
              '(echo "a ""quoted"" string\n(")\n(declare-fun |x y| () Int)\n'
              '(assert (< |x y| z)) ; z is unknown\n(check-sat)')
    with pytest.raises(ReadError, match="unknown constant 'z'") as info:
        encode(script)
    assert (info.value.line, info.value.column) == (7, 18)


MALFORMED = [
    "(())", "(set-option :produce-unsat-cores ())", "(push ())",
    "(pop (1))", "(push 10000000000)", "(assert ())", "(assert (()))", "(declare-fun)",
    "(declare-fun x)", "(declare-fun x () ())", "(define-fun f)", "(define-fun f (x) Int 1)",
    "(define-fun f ((x Int)) Bool (< x))(assert (f 1))", "(assert ((_ pble) p))",
    "(assert ((_ at-most) p))",
    "(assert ((_ pble 1 2) p q))", "(assert ((_ pble x 2) p))", "(assert ((_ foo 1) p))",
    "(assert (! p :named))", "(assert (! p :named (q)))", "(assert (let () p))",
    "(assert (let ((x)) p))", "(assert (let (x) p))", "(check-sat-assuming p)", "(assert (ite p))",
    "(assert (not))", "(assert (=> p))", "(assert (-))", "(assert (< 1))", "(assert (/ 1 0))",
    "(assert (< (/ 1 0) 1))", "(assert (= p 1))", "(assert (ite p 1 q))", "(assert #x0F)",
    "(assert \"s\")", "(assert :kw)", "(assert 1.5)", "(assert (p q))", "(check-sat 1)",
    "(assert (distinct p))", "(declare-const p Bool)",
]


@pytest.mark.parametrize("command", MALFORMED)
def test_malformed_commands_raise_read_errors_only(command):
    with pytest.raises(ReadError):
        encode(BOOL + command + "(check-sat)")


@given(st.lists(st.sampled_from(["(", ")", "(", ")", "assert", "p", "x", "1", "2.5", "-",
                                 "<", "and", "ite", "let", "!", ":named", "_", "pble",
                                 "push", "pop", "check-sat", "define-fun", "Int", "Bool",
                                 "(check-sat)", "(push)", "(pop)", "(assert", "|a b|"]),
                max_size=30))
@settings(max_examples=scaled(1))
def test_random_token_soup_is_read_or_refused_never_crashes(tokens):
    text = INT + BOOL + " ".join(tokens) + "(check-sat)"
    try:
        encode(text)
    except ReadError:
        pass


def test_missing_check_sat_is_an_error():
    with pytest.raises(ReadError, match="1 check-sat"):
        read("(check-sat)(exit)(check-sat)", {"check_sat": 2})
    with pytest.raises(ReadError, match="query"):
        read("(check-sat)", {"check_sat": 0})


# ------------------------------------------------------------------------------ commands
def test_the_query_picks_the_kth_check_sat_and_its_assertion_stack():
    script = BOOL + "(assert p)(check-sat)(assert (not p))(check-sat)"
    assert g_sat(read(script, {"check_sat": 1}))
    assert not g_sat(read(script, {"check_sat": 2}))


def test_pop_drops_the_assertions_of_the_popped_levels():
    script = BOOL + "(assert p)(push 2)(assert (not p))(check-sat)(pop 2)(check-sat)"
    assert not g_sat(read(script, {"check_sat": 1}))
    assert g_sat(read(script, {"check_sat": 2}))


def test_pop_drops_declarations_unless_global_declarations():
    script = "(push)(declare-fun x () Int)(pop)(assert (> x 0))(check-sat)"
    with pytest.raises(ReadError, match="unknown constant 'x'"):
        encode(script)
    enc = encode("(set-option :global-declarations true)" + script)
    assert enc.sorts == {"x": "Int"}


def test_reset_assertions_and_reset_clear_the_stack_and_the_symbols():
    script = BOOL + "(assert false)(reset-assertions)(declare-fun p () Bool)(assert p)(check-sat)"
    assert g_sat(encode(script))
    script = BOOL + "(assert false)(reset)(declare-fun p () Int)(assert (> p 0))(check-sat)"
    assert g_sat(encode(script))


def test_a_name_popped_and_declared_again_with_another_sort_is_unsupported():
    with pytest.raises(Unsupported, match="another sort"):
        encode("(push)(declare-fun x () Int)(pop)(declare-fun x () Real)(check-sat)")


def test_check_sat_assuming_returns_its_literals_in_order():
    enc = encode(INT + BOOL + "(check-sat-assuming (p (not q) (< x 3)))")
    p, q = enc.booleans["p"], enc.booleans["q"]
    first, second, third = enc.assumption_atoms
    assert (first, second) == (p, -q)
    d = enc.meaning(third)
    assert (d.x, d.y, d.c) == ("x", None, 2)
    assert units(enc) == []
    assert encode(BOOL + "(assert p)(check-sat)").assumption_atoms is None
    assert encode(BOOL + "(check-sat-assuming ())").assumption_atoms == []


def test_named_assertions_are_assumptions_with_produce_unsat_cores():
    script = "(set-option :produce-unsat-cores true)" + BOOL + \
        "(assert (! (or p q) :named a1))(assert r)(check-sat-assuming (p))"
    enc = encode(script)
    tracked, p = enc.assumption_atoms
    assert p == enc.booleans["p"]
    assert tracked in units(enc) or not g_sat(enc, [-tracked])
    # without the option a named assertion is just an assertion
    assert encode(script.replace("true", "false", 1)).assumption_atoms == [p]


def test_get_commands_echo_and_objectives_change_nothing():
    script = INT + ('(assert (< x 3))(get-info :name)(echo "hi")(get-value (x))(minimize x)'
                    '(set-info :status sat)(set-option :random-seed 3)(check-sat)(get-model)')
    enc = encode(script)
    assert len(units(enc)) == 1


def test_commands_after_the_query_are_not_read():
    enc = read("(check-sat)(this is not a command", {"check_sat": 1})
    assert enc.clauses == [[enc.true()]]


def test_script_as_bytes():
    assert g_sat(read((BOOL + "(assert p)(check-sat)").encode(), {"check_sat": 1}))


# ------------------------------------------------------------------------------ terms
SAME_MEANING = [
    # Boolean connectives
    BOOL + "(assert (=> p q r))(check-sat)",
    BOOL + "(assert (not (=> p q r)))(check-sat)",
    BOOL + "(assert (xor p q r))(check-sat)",
    BOOL + "(assert (= p q r))(assert (distinct p r))(check-sat)",
    BOOL + "(assert (distinct p q r))(check-sat)",
    BOOL + "(assert (ite p q (not r)))(assert (or (and p) (or q)))(check-sat)",
    BOOL + "(assert (not (and p (or q (not p)) (xor p p))))(check-sat)",
    # chains, equalities, distinct over numbers
    INT + "(assert (< x y z))(assert (>= z y x))(check-sat)",
    INT + "(assert (= x y (+ z 1)))(check-sat)",
    INT + "(assert (distinct x y z))(assert (<= x 1))(assert (>= x 0))(assert (<= (- y x) 1))"
          "(assert (>= y 0))(assert (<= z 1))(assert (>= z 0))(check-sat)",
    INT + "(assert (= (* 2 (- x y)) 3))(check-sat)",        # no integer solution
    INT + "(assert (not (= (* 2 (- x y)) 3)))(check-sat)",
    # arithmetic ite: a case split over atoms
    INT + BOOL + "(assert (< (ite p x y) z))(assert (> (ite q (+ x 2) 5) (ite r y z)))(check-sat)",
    INT + BOOL + "(assert (= (+ (ite p 1 0) (ite q 1 0)) 2))(assert (not q))(check-sat)",
    INT + BOOL + "(assert (= (- (ite p x 3)) (- 7)))(assert (< x 7))(check-sat)",
    INT + BOOL + "(assert (<= (* 3 (ite p x (- y 1))) (* 3 z)))(check-sat)",
    # ites whose branches differ by constants: sums over literals, strict and not
    INT + BOOL + "(assert (< (ite p 1 0) 1))(assert (or p q))(check-sat)",
    INT + BOOL + "(assert (< (+ x (ite p 2 0) (ite q 1 0)) (+ y 2)))(assert (= x y))(check-sat)",
    INT + BOOL + "(assert (> (- (ite p (+ x 3) (ite q x (- x 1))) y) 1))(assert (< (- x y) 0))"
                 "(check-sat)",
    # let (parallel, shadowing), :named, define-fun
    BOOL + "(assert (let ((p q) (q p)) (and p (not q))))(assert (not p))(check-sat)",
    BOOL + "(assert (let ((p (not p))) (let ((p (not p))) p)))(assert (not p))(check-sat)",
    INT + "(assert (let ((w (+ x 1))) (< w y)))(check-sat)",
    INT + "(assert (! (< x 3) :named small))(assert (=> small (> y x)))(check-sat)",
    INT + "(define-fun d ((u Int) (v Int)) Int (- u v))(assert (> (d x y) 4))(check-sat)",
    INT + "(define-fun lt ((x Int) (y Int)) Bool (< x y))(assert (lt y x))(check-sat)",
    INT + "(define-fun k () Int 5)(define-fun near ((u Int)) Bool (< (- u z) k))"
          "(assert (let ((z 100)) (near x)))(assert (> (- x z) 4))(check-sat)",
    INT + BOOL + "(define-fun f ((b Bool) (u Int)) Bool (and b (< u 0)))"
                 "(assert (f p x))(assert (f (not q) y))(check-sat)",
    # numbers: (- n), big numerals, constant folding
    INT + "(assert (< x (- 5)))(assert (> x (- 7)))(assert (< (+ 2 3) 6))(check-sat)",
    INT + "(assert (< (- x y) 123456789012345678901234567890))(check-sat)",
    INT + "(assert (<= (- x 1 2 3) (+ y 4)))(assert (<= 0 (* 2 3)))(check-sat)",
]


@pytest.mark.parametrize("script", SAME_MEANING, ids=range(len(SAME_MEANING)))
def test_constructs_keep_their_meaning(script):
    assert_same_meaning(script)


REAL_SAME_MEANING = [
    # (reader text, the same for strict z3)
    (REAL + "(assert (< (+ a 1) b 2.5))(check-sat)",
     REAL + "(assert (< (+ a 1.0) b 2.5))(check-sat)"),
    (REAL + "(assert (< (- a b) (/ 1 3)))(assert (> (- a b) (/ 1 4)))(check-sat)",
     REAL + "(assert (< (- a b) (/ 1.0 3.0)))(assert (> (- a b) (/ 1.0 4.0)))(check-sat)"),
    (REAL + "(assert (< (* (/ 2 3) a) (* (/ 2 3) c)))(assert (<= (/ a 2) (to_real 3)))"
            "(check-sat)",
     REAL + "(assert (< (* (/ 2.0 3.0) a) (* (/ 2.0 3.0) c)))(assert (<= (/ a 2.0) 3.0))"
            "(check-sat)"),
    (REAL + "(assert (< a b))(assert (< b c))(assert (<= c a))(check-sat)", None),
    (REAL + BOOL + "(assert (< (+ a (ite p 1.5 0.5)) (+ b 1.5)))(assert (= a b))(check-sat)",
     None),
    (REAL + BOOL + "(assert (= (ite p a 0.5) (ite q b c)))(assert (not (= a b)))(check-sat)",
     None),
]


@pytest.mark.parametrize("script,for_z3", REAL_SAME_MEANING, ids=range(len(REAL_SAME_MEANING)))
def test_real_constructs_keep_their_meaning(script, for_z3):
    assert_same_meaning(script, for_z3)


def test_a_macro_body_sees_only_symbols_declared_before_it():
    script = ("(define-fun f ((u Int)) Bool (< u w))(declare-fun w () Int)(assert (f 3))"
              "(check-sat)")
    with pytest.raises(ReadError, match="unknown constant 'w'"):
        encode(script)


def test_named_inside_a_macro_body_is_an_error():
    with pytest.raises(ReadError, match=":named"):
        encode("(define-fun f ((u Bool)) Bool (! u :named n))(assert (f true))(check-sat)")


def test_a_let_bound_name_in_function_position_is_an_error():
    # z3 refuses it too; the builtin '<' must not be applied behind the variable's back
    with pytest.raises(ReadError, match="let-bound constant, not a function"):
        encode(INT + "(assert (let ((< false)) (< x 1)))(check-sat)")


def test_a_let_bound_true_shadows_the_constant_as_in_z3():
    assert not g_sat(encode("(assert (let ((true false)) true))(check-sat)"))


def test_arithmetic_ite_case_explosion_is_unsupported():
    bools = "".join(f"(declare-fun c{i} () Bool)" for i in range(20))
    total = " ".join(f"(ite c{i} x 0)" for i in range(20))
    with pytest.raises(Unsupported, match="cases"):
        encode(bools + INT + f"(assert (< (+ {total}) y))(check-sat)")


def test_a_sum_of_ites_with_constant_branches_is_a_pseudo_boolean_sum():
    # 2^20 cases if lifted; as a sum over literals its BDD is small
    bools = "".join(f"(declare-fun c{i} () Bool)" for i in range(20))
    total = " ".join(f"(ite c{i} (+ x 2) x)" for i in range(20))
    script = bools + INT + f"(assert (<= (+ {total}) (+ (* 20 x) 3)))(assert c0)(assert c1)" \
        "(check-sat)"
    enc = assert_same_meaning(script)
    assert enc.num_vars < 400
    assert not g_sat(encode(script.replace("(check-sat)", "(assert c2)(check-sat)")))


def test_deep_nesting_needs_no_recursion():
    depth = 100_000
    script = BOOL + "(assert " + "(not " * depth + "p" + ")" * depth + ")(check-sat)"
    enc = encode(script)
    assert units(enc) == [enc.booleans["p"]]
    lets = "".join(f"(let ((v{i} (and v{i - 1} q))) " for i in range(1, 3000))
    script = BOOL + f"(assert (let ((v0 p)) {lets}v2999{')' * 2999}))(check-sat)"
    assert g_sat(encode(script))


def test_top_level_and_becomes_units_and_or_one_clause():
    enc = encode(BOOL + "(assert (and p (and q (not r))))(assert (or p q))(check-sat)")
    b = enc.booleans
    assert set(units(enc)) == {b["p"], b["q"], -b["r"]}
    assert sorted(map(abs, enc.clauses[-1])) == sorted([b["p"], b["q"]])


# ------------------------------------------------------------------------------ pseudo-Boolean
def _pb_models(enc, names):
    """The assignments of the named Booleans that G allows (z3 model enumeration)."""
    s = z3.Solver()
    s.add(z3.parse_smt2_string(g_text(enc)))
    found = set()
    bools = [z3.Bool(n) for n in names]
    while s.check() == z3.sat:
        m = s.model()
        values = tuple(z3.is_true(m.eval(v, model_completion=True)) for v in bools)
        found.add(values)
        s.add(z3.Or([v != z3.BoolVal(x) for v, x in zip(bools, values)]))
    return found


@given(st.lists(st.integers(-3, 4), min_size=1, max_size=4), st.integers(-4, 6),
       st.sampled_from(["pble", "pbge", "pbeq", "at-most", "at-least"]))
@settings(max_examples=scaled(0.3))
def test_pseudo_boolean_constraints_allow_exactly_their_models(weights, k, kind):
    names = [f"b{i}" for i in range(len(weights))]
    if kind in ("at-most", "at-least"):
        weights = [1] * len(weights)
        head = f"(_ {kind} {k})" if k >= 0 else f"(_ {kind} 0)"
        k = max(k, 0)
    else:
        head = f"(_ {kind} {k} {' '.join(str(w) for w in weights)})"
    script = "".join(f"(declare-fun {n} () Bool)" for n in names) + \
        f"(assert ({head} {' '.join(names)}))(check-sat)"
    note(script)
    enc = encode(script)
    want = set()
    for bits in range(1 << len(names)):
        values = tuple(bool(bits >> i & 1) for i in range(len(names)))
        total = sum(w for w, v in zip(weights, values) if v)
        if {"pble": total <= k, "at-most": total <= k, "pbge": total >= k,
                "at-least": total >= k, "pbeq": total == k}[kind]:
            want.add(values)
    assert _pb_models(enc, names) == want


def test_top_level_pseudo_boolean_constraints_are_listed_with_g_literals():
    enc = encode(BOOL + "(assert (and ((_ pble 2 1 2 1) p q r) (or p q)))"
                 "(assert (or ((_ at-most 1) p q) r))(check-sat)")
    p, q, r = (enc.booleans[n] for n in "pqr")
    assert enc.constraints == [{"kind": "pseudo_boolean", "relation": "<=", "bound": 2,
                                "terms": [[p, 1], [q, 2], [r, 1]]}]


def test_pseudo_boolean_negative_index_as_z3_writes_it():
    enc = encode(BOOL + "(assert ((_ pble -1 -1 -1) p q))(check-sat)")
    assert _pb_models(enc, ["p", "q"]) == {(True, False), (False, True), (True, True)}


# ------------------------------------------------------------------------------ differential
INT_VARS = ("x0", "x1", "x2")
REAL_VARS = ("r0", "r1")
BOOL_VARS = ("p0", "p1", "p2")
DECLS = "".join(f"(declare-fun {v} () Int)" for v in INT_VARS) + \
    "".join(f"(declare-fun {v} () Real)" for v in REAL_VARS) + \
    "".join(f"(declare-fun {v} () Bool)" for v in BOOL_VARS)


def _const(c, sort, for_z3):
    """A constant in one of its spellings; strict z3 wants decimals in Real terms."""
    c = Fraction(c)
    if sort == "Int" or (not for_z3 and c.denominator == 1):
        text = str(abs(c.numerator))
    elif c.denominator == 1:
        text = f"{abs(c.numerator)}.0"
    else:
        text = f"(/ {abs(c.numerator)}.0 {c.denominator}.0)" if for_z3 else \
            f"(/ {abs(c.numerator)} {c.denominator})"
    return f"(- {text})" if c < 0 else text


def render(tree, for_z3):
    """A drawn formula (nested tuples) as SMT-LIB text."""
    kind = tree[0]
    if kind == "text":
        return tree[1]
    if kind == "const":
        return _const(tree[1], tree[2], for_z3)
    if for_z3 and kind in ("and", "or") and len(tree) < 3:
        # strict z3 wants two arguments; the reader also takes none or one
        return render(tree[1], for_z3) if len(tree) == 2 else \
            "true" if kind == "and" else "false"
    if kind == "let":
        _, (_, name, bound), body = tree
        return f"(let (({name} {render(bound, for_z3)})) {render(body, for_z3)})"
    return "(" + " ".join([kind] + [render(t, for_z3) for t in tree[1:]]) + ")"


@st.composite
def unit(draw, sort, var, depth):
    """k*var + c, a constant, or an ite over such units (var may be None: no variable)."""
    constants = st.integers(-6, 6) if sort == "Int" else \
        st.fractions(min_value=-6, max_value=6, max_denominator=3)
    choice = draw(st.integers(0, 3 if depth > 0 else 2))
    if choice == 0 or var is None:
        return ("const", draw(constants), sort)
    if choice == 1:
        return ("text", var)
    if choice == 2:
        op = draw(st.sampled_from(["+", "-"]))
        return (op, ("text", var), ("const", draw(constants), sort))
    other = var if draw(st.booleans()) else None
    return ("ite", draw(formula(depth - 1)), draw(unit(sort, var, depth - 1)),
            draw(unit(sort, other, depth - 1)))


@st.composite
def atom(draw, depth):
    sort = draw(st.sampled_from(["Int", "Real"]))
    names = INT_VARS if sort == "Int" else REAL_VARS
    x, y = draw(st.sampled_from(names)), draw(st.sampled_from(names + (None,)))
    op = draw(st.sampled_from(["<=", "<", ">=", ">", "=", "distinct"]))
    if draw(st.booleans()):
        # k (x - y) op c, in one of its spellings
        k = draw(st.integers(-3, 3).filter(bool))
        kx, ky = ("*", ("const", k, sort), ("text", x)), \
            ("*", ("const", k, sort), ("text", y)) if y else ("const", 0, sort)
        left = draw(st.sampled_from([("-", kx, ky), ("*", ("const", k, sort),
                                                     ("-", ("text", x), ("text", y or x)))]))
        if y is None:
            left = kx
        return (op, left, ("const", draw(st.integers(-8, 8)), sort))
    sides = [draw(unit(sort, x, depth)), draw(unit(sort, y, depth))]
    if op not in ("=", "distinct") and draw(st.booleans()):
        sides.append(draw(unit(sort, None, 0)))   # a chain ending in a constant
    return (op, *sides)


@st.composite
def formula(draw, depth=2):
    if depth <= 0 or draw(st.integers(0, 3)) == 0:
        leaf = draw(st.integers(0, 5))
        if leaf == 0:
            return ("text", draw(st.sampled_from(["true", "false"])))
        if leaf <= 2:
            return ("text", draw(st.sampled_from(BOOL_VARS)))
        return draw(atom(depth))
    op = draw(st.sampled_from(["not", "and", "or", "=>", "xor", "=", "distinct", "ite",
                               "let"]))
    sub = formula(depth - 1)
    if op == "not":
        return ("not", draw(sub))
    if op == "ite":
        return ("ite", draw(sub), draw(sub), draw(sub))
    if op == "let":
        # (let ((p (...))) body): the binding shadows the declared Boolean in the body
        name = draw(st.sampled_from(BOOL_VARS))
        return ("let", ("binding", name, draw(sub)), draw(sub))
    low = 0 if op in ("and", "or") else 2
    return (op, *draw(st.lists(sub, min_size=low, max_size=3 if low else 2)))


def render_script(trees, for_z3, negated=False):
    if negated:  # one assertion: the negation of the conjunction
        trees = [("not", ("and", *trees) if len(trees) > 1 else trees[0])]
    return DECLS + "".join(f"(assert {render(t, for_z3)})" for t in trees) + "(check-sat)"


@given(st.lists(formula(), min_size=1, max_size=3), st.booleans())
@settings(max_examples=scaled(2))
def test_differential_random_formulas_mean_what_z3_reads(trees, negated):
    # negated: the same formulas as one negated assertion, so that both polarities of every
    # construct meet the two checks of assert_same_meaning
    script, for_z3 = render_script(trees, False, negated), render_script(trees, True, negated)
    note(script)
    assert_same_meaning(script, for_z3)


# ------------------------------------------------------------------------------ data files
def data_files():
    if not os.path.isdir(ROOT):
        return []
    found = []
    for folder, _, names in os.walk(ROOT):
        found += [os.path.relpath(os.path.join(folder, n), ROOT) for n in names
                  if n.endswith(".smt2")]
    return sorted(found)


FILES = data_files()
needs_data = pytest.mark.skipif(not FILES, reason=f"the shared benchmark data is absent ({ROOT})")


def _check_sats(text):
    from smtsched.certify.check.smtlib import _commands, _Text
    return sum(1 for command in _commands(text, _Text(text))
               if command and command[0][1] in ("check-sat", "check-sat-assuming"))


@needs_data
@pytest.mark.parametrize("name", FILES)
def test_data_file_reads_at_every_check_sat(name):
    with open(os.path.join(ROOT, name), encoding="utf-8") as handle:
        text = handle.read()
    for k in range(1, _check_sats(text) + 1):
        try:
            enc = read(text, {"check_sat": k})
        except Unsupported:
            # only where smtsched refuses the script too
            import io
            from smtsched.smtlib.script import Script
            script = Script(io.StringIO())
            script.run(text.encode())
            assert script.errors, f"{name}: the checker refuses what smtsched reads"
            continue
        assert enc.clauses


def _status(info):
    return info["declared_status"] or info.get("z3_status")


# z3 takes over a minute on the Tseitin encoding of this one (0.2 s on the file itself)
SLOW_FOR_Z3 = {"QF_IDL/queens_bench/super_queen33-1.smt2"}


def _small_decided_files(per_family=2):
    """The smallest files of each family whose status is known and that z3 solves fast."""
    index_path = os.path.join(ROOT, "index.json")
    if not os.path.exists(index_path):
        return []
    with open(index_path) as handle:
        index = json.load(handle)
    chosen = {}
    for name, info in sorted(index.items(), key=lambda item: item[1]["bytes"]):
        if _status(info) in ("sat", "unsat") and info["bytes"] < 160_000 \
                and info["z3_time_s"] is not None and info["z3_time_s"] < 0.3 \
                and name not in SLOW_FOR_Z3:
            family = chosen.setdefault(os.path.dirname(name), [])
            if len(family) < per_family:
                family.append(name)
    return sorted(name for family in chosen.values() for name in family)


SMALL = _small_decided_files()


@pytest.mark.skipif(not SMALL, reason=f"the shared benchmark data is absent ({ROOT})")
@pytest.mark.parametrize("name", SMALL)
def test_data_file_encoding_has_the_declared_status(name):
    with open(os.path.join(ROOT, name), encoding="utf-8") as handle:
        text = handle.read()
    with open(os.path.join(ROOT, "index.json")) as handle:
        status = _status(json.load(handle)[name])
    s = z3.Solver()
    s.set("timeout", 20_000)
    s.add(z3.parse_smt2_string(g_text(read(text, {"check_sat": 1}))))
    result = s.check()
    if result == z3.unknown:
        pytest.skip(f"z3 did not decide the encoding of {name} within 20 s")
    assert (result == z3.sat) == (status == "sat")


# ------------------------------------------------------------------------------ global constraints
# smtsched's Disjunctive and Cumulative print as their meanings; the reader recognises those in
# G's facts so that the checker can take the constraints a certificate lists. Printing uses
# smtsched (the thing whose output must be recognised); the oracle for soundness is z3.

def _printed(constraint_terms, extra=()):
    from smtsched.printer import dumps
    return dumps(list(constraint_terms) + list(extra))


@st.composite
def task_sets(draw, lo=1):
    n = draw(st.integers(2, 5))
    durations = draw(st.lists(st.integers(lo, 4), min_size=n, max_size=n))
    demands = draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))
    return durations, demands


@given(task_sets(), st.integers(0, 12))
@settings(max_examples=scaled(0.3))
def test_printed_cumulative_is_recognised_with_its_tasks(tasks, slack):
    import smtsched
    durations, demands = tasks
    capacity = max(demands) + slack   # every task fits alone: no fact folds to false
    starts = smtsched.Ints(" ".join(f"s{i}" for i in range(len(durations))))
    enc = encode(_printed([smtsched.Cumulative(starts, durations, demands, capacity)]))
    found = [(c["capacity"], c["tasks"]) for c in enc.constraints if c["kind"] == "cumulative"]
    assert (capacity, [{"start": f"s{i}", "duration": p, "demand": d}
                       for i, (p, d) in enumerate(zip(durations, demands))]) in found


@given(task_sets())
@settings(max_examples=scaled(0.2))
def test_printed_disjunctive_is_recognised_with_its_tasks(tasks):
    import smtsched
    durations, _ = tasks
    starts = smtsched.Ints(" ".join(f"s{i}" for i in range(len(durations))))
    enc = encode(_printed([smtsched.Disjunctive(starts, durations)]))
    assert [c for c in enc.constraints if c["kind"] == "disjunctive"] == [
        {"kind": "disjunctive", "name": "input disjunctive 0", "capacity": 1,
         "tasks": [{"start": f"s{i}", "duration": p, "demand": 1}
                   for i, p in enumerate(durations)]}]


def _violation(constraint):
    """SMT-LIB: some instant overloads the constraint (at the start of a running task)."""
    tasks = [t for t in constraint["tasks"] if t["duration"] > 0 and t["demand"] > 0]
    cases = []
    for i in tasks:
        load = [str(i["demand"])]
        for j in tasks:
            if j is not i:
                load.append(f"(ite (and (<= {sym(j['start'])} {sym(i['start'])}) "
                            f"(< {sym(i['start'])} (+ {sym(j['start'])} {j['duration']}))) "
                            f"{j['demand']} 0)")
        cases.append(f"(> (+ {' '.join(load)}) {constraint['capacity']})")
    return f"(assert (or false {' '.join(cases)}))"


@st.composite
def near_miss_facts(draw):
    """Facts shaped like the printed meanings, with random changes: missing terms, other
    weights, bounds, gaps and offsets, so that what is recognised must be argued for."""
    n = draw(st.integers(2, 4))
    names = [f"s{i}" for i in range(n)]
    facts = []
    for i in range(n):
        if draw(st.integers(0, 4)) == 0:
            continue
        terms = []
        for j in range(n):
            if j == i or draw(st.integers(0, 6)) == 0:
                continue
            c1 = draw(st.sampled_from([0, 0, 0, 1, -1]))
            q = draw(st.integers(0, 4))
            w = draw(st.integers(-2, 3))
            terms.append(f"(ite (and (<= (- {names[j]} {names[i]}) {_const(c1, 'Int', True)}) "
                         f"(< (- {names[i]} {names[j]}) {q})) {_const(w, 'Int', True)} 0)")
        if terms:
            own = draw(st.integers(0, 3))
            facts.append(f"(<= (+ {own} {' '.join(terms)}) {draw(st.integers(0, 6))})")
    for i in range(n):
        for j in range(i + 1, n):
            if draw(st.booleans()):
                a, b = draw(st.integers(-1, 4)), draw(st.integers(-1, 4))
                facts.append(f"(or (>= (- {names[j]} {names[i]}) {_const(a, 'Int', True)}) "
                             f"(>= (- {names[i]} {names[j]}) {_const(b, 'Int', True)}))")
    return "".join(f"(declare-fun {v} () Int)" for v in names) + \
        "".join(f"(assert {f})" for f in facts) + "(check-sat)"


def _overlap(a, b):
    sa, sb = sym(a["start"]), sym(b["start"])
    return f"(assert (and (< {sa} (+ {sb} {b['duration']})) (< {sb} (+ {sa} {a['duration']}))))"


@given(near_miss_facts())
@settings(max_examples=scaled(1))
def test_recognised_global_constraints_follow_from_the_facts(script):
    note(script)
    enc = encode(script)
    facts = script.replace("(check-sat)", "")
    for constraint in enc.constraints:
        if constraint["kind"] in ("disjunctive", "cumulative"):
            event(f"recognised {constraint['kind']}")
            note(constraint)
            # z3 on the script itself, not on G (G holds clauses derived from the constraint)
            assert not z3_sat(facts + _violation(constraint)), constraint
            assert not z3_sat(g_text(enc) + _violation(constraint)), constraint
        if constraint["kind"] == "cumulative":
            tasks = [t for t in constraint["tasks"] if t["duration"] > 0]
            for k, a in enumerate(tasks):
                for b in tasks[k + 1:]:
                    if a["demand"] + b["demand"] > constraint["capacity"]:
                        event("derived a no-overlap clause")
                        assert not z3_sat(facts + _overlap(a, b)), (a, b)
    assert_same_meaning(script)


def test_a_load_fact_with_a_negative_weight_is_no_cumulative():
    # (a negative weight lets one running task excuse another: no load bound follows)
    def fact(i, j, k, wj, wk):
        return (f"(assert (<= (+ 1 (ite (and (<= {j} {i}) (< {i} (+ {j} 2))) {wj} 0) "
                f"(ite (and (<= {k} {i}) (< {i} (+ {k} 2))) {wk} 0)) 2))")
    decls = "(declare-fun a () Int)(declare-fun b () Int)(declare-fun c () Int)"
    good = decls + fact("a", "b", "c", 1, 1) + fact("b", "a", "c", 1, 1) + \
        fact("c", "a", "b", 1, 1) + "(check-sat)"
    assert any(c["kind"] == "cumulative" for c in encode(good).constraints)
    bad = good.replace(fact("a", "b", "c", 1, 1), fact("a", "b", "c", 1, "(- 1)"))
    assert not any(c["kind"] == "cumulative" for c in encode(bad).constraints)


# ------------------------------------------------------------------------------ end to end
ASSUMED = ["(or p q)", "(=> p q r)", "(and p (and q r))", "(ite p q r)", "(xor p q r)",
           "(< (ite p x y) z)", "(distinct x y z)", "(= p q r)"]


def test_check_sat_assuming_formulas_of_a_certificate_are_found_by_the_reader(tmp_path):
    # smtsched certifies each unsat check-sat-assuming; the checker maps the manifest's
    # assumptions through atoms.txt onto G's hash-consed gates, where this reader's encoding
    # of the same formula must be (or that honest certificate is rejected)
    import hashlib
    import io
    from smtsched.certify.check import check
    from smtsched.smtlib.script import Script
    script = INT + BOOL + "".join(f"(push 1)(assert (not {f}))(check-sat-assuming ({f}))(pop 1)"
                                  for f in ASSUMED)
    data = script.encode()
    path = tmp_path / "input.smt2"
    path.write_bytes(data)
    record = {"directory": str(tmp_path / "certs"), "file": str(path),
              "sha256": hashlib.sha256(data).hexdigest(), "format": "smtlib"}
    out = io.StringIO()
    Script(out, proof=record).run(data)
    assert out.getvalue().split() == ["unsat"] * len(ASSUMED)
    for k, formula in enumerate(ASSUMED, 1):
        verdict = check(str(tmp_path / "certs" / str(k)))
        assert verdict.ok, (formula, str(verdict))
