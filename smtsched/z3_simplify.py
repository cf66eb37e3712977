"""z3's simplify for the linear fragment, written out as z3 writes its result.

What z3's rewriter (arith_rewriter / poly_rewriter of z3 4.x/5.x, observed through z3py's
simplify and checked against it in tests/test_z3_simplify.py) does to the terms of this
fragment:
- a sum is flattened, its like terms collected and its constants added up; it is written
  constant first (when not 0), then the monomials in the order their variables first occur,
  `k*x` with the coefficient written out (`-1*x`, `1/2*a`) unless it is 1: x - y + 1 is
  `1 + x + -1*y`; a sum of one monomial is that monomial, of none its constant;
- comparisons: the constant of the left side moves to the right (x + 1 <= y is
  `x <= -1 + y`), monomials equal on both sides cancel (x + y <= y + 3 is `x <= 3`); a single
  monomial against a constant is divided by its coefficient (2*x <= 5 is `x <= 2` for an Int,
  -x <= 3 is `x >= -3`); a < b is Not(b <= a), a > b is Not(a <= b), a != b is Not(a == b);
  a comparison of two constants is its truth.
What is not reproduced is refused with UnsupportedError naming it, rather than answered
differently from z3: Boolean connectives over atoms (z3 also rewrites Implies into Or, drops
complementary literals...), comparisons with a variable left on both sides, If with a
symbolic condition.
"""
from fractions import Fraction
import math

from .errors import UnsupportedError
from .terms import BOOL, INT, REAL, Term, evaluate


def simplify(a, *args, **keywords):
    from .values import z3_value
    if not isinstance(a, Term):
        if getattr(a, "_z3_term", None) is not None or isinstance(a, (int, Fraction)) \
                and not isinstance(a, bool):
            return z3_value(a if isinstance(a, int) else Fraction(a),
                            INT if isinstance(a, int) else REAL)
        return a
    if _ground(a):
        value = evaluate(a, _no_variable)
        if a.sort == BOOL:
            return bool(value)
        return z3_value(int(value) if a.sort == INT else Fraction(value), a.sort)
    if a.sort == BOOL:
        return _formula(a)
    return _write(a.sort, *_linear(a))


def _no_variable(var):
    raise AssertionError("no variables here")


def _ground(term):
    stack, seen = [term], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.op == "var":
            return False
        stack.extend(node.args)
    return True


def _refuse(term, why):
    raise UnsupportedError(f"simplify({term!s}): {why} is not reproduced as z3 does it")


# -- sums ------------------------------------------------------------------------------------
def _linear(term):
    """(constant, {key: [coefficient, atom]}): the sum z3's rewriter makes of `term`, bottom
    up as it works: each sum merges its simplified children's monomials, keeping them in the
    order they first occur and dropping those that cancel ((y + x) - (y + y) is -1*y + x)."""
    constant, monomials = _sum(term)
    return constant, {key: [c, atom] for key, (c, atom) in monomials}


def _merge(parts):
    merged = {}
    for key, (c, atom) in parts:
        if key in merged:
            merged[key] = (merged[key][0] + c, atom)
        else:
            merged[key] = (c, atom)
    return [(key, entry) for key, entry in merged.items() if entry[0] != 0]


def _scaled(monomials, factor):
    if factor == 0:
        return []
    return [(key, (c * factor, atom)) for key, (c, atom) in monomials]


def _sum(node):
    op = node.op
    if op == "const":
        return Fraction(node.value), []
    if op == "var":
        return Fraction(0), [(node.key(), (Fraction(1), node))]
    if op == "add":
        # nested sums are flattened before their children are simplified: y + -y + (x + y)
        # is y + x, while (y - y) + (x + y), whose y - y is simplified on its own, is x + y
        flat, stack = [], [node]
        while stack:
            item = stack.pop()
            if item.op == "add":
                stack.extend(reversed(item.args))
            else:
                flat.append(item)
        constant, monomials = Fraction(0), []
        for item in flat:
            c, m = _sum(item)
            constant += c
            monomials += m
        return constant, _merge(monomials)
    if op == "sub":
        lc, lm = _sum(node.args[0])
        rc, rm = _sum(node.args[1])
        return lc - rc, _merge(lm + _scaled(rm, -1))
    if op == "neg":
        c, m = _sum(node.args[0])
        return -c, _scaled(m, -1)
    if op == "mul":
        factor = Fraction(node.args[0].value)
        c, m = _sum(node.args[1])
        return c * factor, _scaled(m, factor)
    if op == "ite":
        condition = node.args[0]
        if _ground(condition):
            return _sum(node.args[1] if evaluate(condition, _no_variable) else node.args[2])
        _refuse(node, "If with a symbolic condition")
    _refuse(node, f"the operator {op}")


def _number(value, sort):
    value = Fraction(value)
    return Term("const", (), sort, value=int(value) if sort == INT else value)


def _write(sort, constant, monomials):
    parts = []
    if constant:
        parts.append(_number(constant, sort))
    for coefficient, atom in monomials.values():
        if coefficient == 0:
            continue
        parts.append(atom if coefficient == 1 else
                     Term("mul", (_number(coefficient, sort), atom), sort))
    if not parts:
        from .values import z3_value
        return z3_value(int(constant) if sort == INT else constant, sort)
    total = parts[0]
    for part in parts[1:]:
        total = Term("add", (total, part), sort)
    return total


def _side(sort, constant, monomials):
    written = _write(sort, constant, monomials)
    return written if isinstance(written, Term) else _number(constant, sort)


# -- comparisons -----------------------------------------------------------------------------
_COMPARISONS = ("le", "ge", "eq")


def _formula(term):
    op = term.op
    if op == "lt":
        return _not(_compare(term, "le", term.args[1], term.args[0]))
    if op == "gt":
        return _not(_compare(term, "le", term.args[0], term.args[1]))
    if op == "distinct" and len(term.args) == 2 and term.args[0].sort != BOOL:
        return _not(_compare(term, "eq", term.args[0], term.args[1]))
    if op in _COMPARISONS and term.args[0].sort != BOOL:
        return _compare(term, op, term.args[0], term.args[1])
    if op == "var":
        return term
    _refuse(term, "Boolean rewriting")


def _not(result):
    if isinstance(result, bool):
        return not result
    return Term("not", (result,), BOOL)


def _compare(term, op, left, right):
    sort = left.sort
    lc, lm = _linear(left)
    rc, rm = _linear(right)
    lm = {k: v for k, v in lm.items() if v[0] != 0}
    rm = {k: v for k, v in rm.items() if v[0] != 0}
    for key in [k for k in lm if k in rm and lm[k][0] == rm[k][0]]:
        del lm[key], rm[key]
    if set(lm) & set(rm):
        _refuse(term, "a comparison with a variable on both sides")
    if not lm and not rm:
        return {"le": lc <= rc, "ge": lc >= rc, "eq": lc == rc}[op]
    if not lm and len(rm) == 1 and not rc and next(iter(rm.values()))[0] != 1:
        # c <= k*x: the monomial goes to the left (0 <= 2*x is x >= 0; 0 >= x stays)
        lm, rm, lc, rc = rm, {}, 0, lc
        op = {"le": "ge", "ge": "le", "eq": "eq"}[op]
    if not lm:
        if rc:
            _refuse(term, "a comparison of a constant with a sum that has a constant")
        return Term(op, (_number(lc, sort), _side(sort, rc, rm)), BOOL)
    rc -= lc
    lc = 0
    if len(lm) == 1 and not rm:
        ((coefficient, atom),) = lm.values()
        if coefficient != 1:
            if op == "eq":
                _refuse(term, "an equation of a multiple of a term")
            bound = Fraction(rc) / coefficient
            if coefficient < 0:
                op = "ge" if op == "le" else "le"
            if sort == INT:
                bound = math.floor(bound) if op == "le" else math.ceil(bound)
            return Term(op, (atom, _number(bound, sort)), BOOL)
    return Term(op, (_side(sort, 0, lm), _side(sort, rc, rm)), BOOL)
