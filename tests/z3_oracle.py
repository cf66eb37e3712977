"""z3 as the reference oracle for the smtsched tests.

`to_z3(term, z3_vars)` translates an smtsched term (anything with `.sort`, `.op`, `.args`, and
`.name` / `.value` on leaves) into a z3 term by walking `.op`/`.args` only, so the translation
never depends on how smtsched prints or normalises terms.

z3 runs in strict SMT-LIB 2 mode. `smtlib2_compliant` is a *global* z3 parameter (it is listed by
z3 among the global parameters, next to `timeout` and `model`, and `z3.set_param` sets it through
`Z3_global_param_set`, shared by every context). It is set when this module is imported, before
the tests create any z3 term or context, and `assert_strict_mode()` checks that it is still on.
"""

from fractions import Fraction

import z3

z3.set_param("smtlib2_compliant", True)


def assert_strict_mode():
    assert z3.get_param("smtlib2_compliant") in (True, "true"), "z3 is not in strict SMT-LIB 2 mode"


# --------------------------------------------------------------------------------------------
# values


def z3_value(value, sort):
    """A Python value (bool, int, Fraction) as a z3 value of the given smtsched sort."""
    if sort == "Bool":
        assert isinstance(value, bool), (value, sort)
        return z3.BoolVal(value)
    if sort == "Int":
        assert isinstance(value, int) and not isinstance(value, bool), (value, sort)
        return z3.IntVal(value)
    if sort == "Real":
        assert isinstance(value, (int, Fraction)) and not isinstance(value, bool), (value, sort)
        value = Fraction(value)
        return z3.RealVal(f"{value.numerator}/{value.denominator}")
    raise AssertionError(f"unknown sort {sort!r}")


def z3_var(name, sort):
    if sort == "Bool":
        return z3.Bool(name)
    if sort == "Int":
        return z3.Int(name)
    if sort == "Real":
        return z3.Real(name)
    raise AssertionError(f"unknown sort {sort!r} for variable {name!r}")


def python_value(z3_val):
    """A z3 model value (after model completion) as bool / int / Fraction."""
    if z3.is_true(z3_val):
        return True
    if z3.is_false(z3_val):
        return False
    if z3.is_int_value(z3_val):
        return z3_val.as_long()
    if z3.is_rational_value(z3_val):
        return Fraction(z3_val.numerator_as_long(), z3_val.denominator_as_long())
    raise AssertionError(f"not a value: {z3_val}")


# --------------------------------------------------------------------------------------------
# translation


def _const(term):
    value = term.value
    sort = term.sort
    if isinstance(value, bool):
        assert sort == "Bool", (value, sort)
        return z3.BoolVal(value)
    if sort == "Int":
        assert Fraction(value).denominator == 1, f"non-integral Int constant {value!r}"
        return z3.IntVal(int(value))
    if sort == "Real":
        return z3_value(Fraction(value), "Real")
    raise AssertionError(f"constant {value!r} with sort {sort!r}")


def _chain(op, xs):
    # n-ary comparison / equality: x0 op x1 and x1 op x2 ...
    assert len(xs) >= 2, f"{op} with {len(xs)} arguments"
    pairs = [op(a, b) for a, b in zip(xs, xs[1:])]
    return pairs[0] if len(pairs) == 1 else z3.And(*pairs)


def _fold(op, xs):
    acc = xs[0]
    for x in xs[1:]:
        acc = op(acc, x)
    return acc


def _build(term, xs, z3_vars):
    op = term.op
    if op == "var":
        name = term.name
        if name not in z3_vars:
            z3_vars[name] = z3_var(name, term.sort)
        v = z3_vars[name]
        expected = {"Bool": z3.BoolSort(), "Int": z3.IntSort(), "Real": z3.RealSort()}[term.sort]
        assert v.sort() == expected, f"variable {name!r}: sort {term.sort} vs z3 {v.sort()}"
        return v
    if op == "const":
        return _const(term)
    if op == "and":
        return z3.And(*xs) if xs else z3.BoolVal(True)
    if op == "or":
        return z3.Or(*xs) if xs else z3.BoolVal(False)
    if op == "not":
        (a,) = xs
        return z3.Not(a)
    if op == "implies":
        a, b = xs
        return z3.Implies(a, b)
    if op == "xor":
        return _fold(z3.Xor, xs)
    if op == "ite":
        c, a, b = xs
        return z3.If(c, a, b)
    if op == "eq":
        return _chain(lambda a, b: a == b, xs)
    if op == "distinct":
        return z3.Distinct(*xs) if len(xs) >= 2 else z3.BoolVal(True)
    if op == "le":
        return _chain(lambda a, b: a <= b, xs)
    if op == "lt":
        return _chain(lambda a, b: a < b, xs)
    if op == "ge":
        return _chain(lambda a, b: a >= b, xs)
    if op == "gt":
        return _chain(lambda a, b: a > b, xs)
    if op == "add":
        return z3.Sum(*xs) if len(xs) > 1 else xs[0]
    if op == "sub":
        if len(xs) == 1:
            return -xs[0]
        return _fold(lambda a, b: a - b, xs)
    if op == "neg":
        (a,) = xs
        return -a
    if op == "mul":
        return _fold(lambda a, b: a * b, xs)
    raise AssertionError(f"to_z3: unknown op {op!r} in {term!r}")


def to_z3(term, z3_vars):
    """Translate the smtsched term `term`; variables are looked up by name in `z3_vars`
    (a dict name -> z3 constant), and added to it when missing (with the term's sort).

    Iterative post-order walk with a memo keyed on object identity (terms may be shared DAGs).
    """
    memo = {}
    keep = []  # keep the walked terms alive so their ids stay unique during the walk
    stack = [(term, False)]
    while stack:
        node, expanded = stack.pop()
        key = id(node)
        if key in memo:
            continue
        args = tuple(node.args)
        if expanded or not args:
            memo[key] = _build(node, [memo[id(a)] for a in args], z3_vars)
            keep.append(node)
            continue
        stack.append((node, True))
        for a in reversed(args):
            if id(a) not in memo:
                stack.append((a, False))
    return memo[id(term)]


# --------------------------------------------------------------------------------------------
# structural identity of smtsched terms (Python `==` on terms builds a formula, so it cannot be
# used to compare them)


def term_key(term):
    """A hashable structural key: equal keys <=> same term tree."""
    op = term.op
    if op == "var":
        return ("var", term.sort, term.name)
    if op == "const":
        v = term.value
        return ("const", term.sort, type(v).__name__ if isinstance(v, bool) else "num", v)
    return (op, term.sort, tuple(term_key(a) for a in term.args))


def term_vars(term):
    """{name: sort} of the variables occurring in an smtsched term."""
    out = {}
    stack = [term]
    seen = set()
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        if t.op == "var":
            out[t.name] = t.sort
        stack.extend(t.args)
    return out


# --------------------------------------------------------------------------------------------
# z3 checks


def _has_real(formulas):
    seen = set()
    stack = list(formulas)
    while stack:
        e = stack.pop()
        if e.get_id() in seen:
            continue
        seen.add(e.get_id())
        if e.sort() == z3.RealSort():
            return True
        stack.extend(e.children())
    return False


def z3_check(formulas, timeout_ms=60000):
    """z3's answer on the conjunction of `formulas`, never `unknown` short of a timeout.

    z3's default configuration picks its difference-logic solver on these inputs, and that solver
    is incomplete for some of them (e.g. r1 <= r0 and Distinct(r0, r1, r2, r3 + 1) over Reals
    answers unknown, "incomplete (theory difference-logic)"), so the oracle asks the solver for
    the SMT-LIB logic (QF_LRA / QF_LIA) instead, and falls back to auto_config=False.
    """
    formulas = list(formulas)
    logic = "QF_LRA" if _has_real(formulas) else "QF_LIA"
    reasons = []
    for make in (lambda: z3.SolverFor(logic), lambda: _no_auto_config()):
        s = make()
        s.set("timeout", timeout_ms)
        s.add(*formulas)
        r = s.check()
        if r != z3.unknown:
            return r
        reasons.append(s.reason_unknown())
    raise AssertionError(f"z3 oracle answered unknown ({reasons}) on {formulas}")


def _no_auto_config():
    s = z3.Solver()
    s.set("auto_config", False)
    return s


def z3_is_valid(formula, timeout_ms=60000):
    """True iff z3 proves `formula` valid (Not(formula) unsat)."""
    return z3_check([z3.Not(formula)], timeout_ms) == z3.unsat


def z3_holds_under(formula, assignment):
    """Substitute `assignment` (list of (z3 var, z3 value)) into `formula` and simplify; return
    the simplified z3 term (z3.is_true(...) means the assignment satisfies it)."""
    if assignment:
        formula = z3.substitute(formula, *assignment)
    return z3.simplify(formula)
