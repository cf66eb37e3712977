"""Terms in z3py's notation (`x - y <= 5`, `And(p, Not(q))`, `2*(x + y)`), for str() and
repr() of terms, so that a z3 script that prints its formulas prints what it printed with z3.

The rules are those z3's Python printer follows (observed on z3 4.x/5.x and checked against it
in tests/test_z3_printer.py): infix arithmetic and comparisons with precedences (unary minus 1,
* 2, + and - 3, comparisons 8), a child of the same associative operator (+, *) flattened, as
is the first child of a left-associative one (-); a + child of a - first child, and a - child
of a +, without parentheses; other infix children in parentheses unless they bind tighter;
everything else prefix: And(...), Or(...), Not(...), Implies, Xor, If, Distinct (x != y for
two). Not reproduced: z3 breaks lines wider than 80 characters; this prints one line.
"""
from fractions import Fraction

# (no import of smtsched.terms, which imports this module to print: the terms come in as
# arguments; their SMT-LIB text is term.sexpr())
BOOL = "Bool"


class _Divisor:
    """The constant d of r/d, as the printer's operand (a Term-shaped leaf)."""
    __slots__ = ("value", "sort")
    op = "const"
    args = ()

    def __init__(self, value, sort):
        self.value = value
        self.sort = sort

_INFIX = {"add": " + ", "sub": " - ", "mul": "*", "div": "/", "le": " <= ", "lt": " < ", "ge": " >= ",
          "gt": " > ", "eq": " == "}
_PRECEDENCE = {"neg": 1, "mul": 2, "div": 2, "add": 3, "sub": 3, "le": 8, "lt": 8, "ge": 8, "gt": 8,
               "eq": 8}
_ASSOCIATIVE = {"add", "mul"}
_PREFIX = {"and": "And", "or": "Or", "not": "Not", "implies": "Implies", "xor": "Xor",
           "ite": "If", "distinct": "Distinct"}


def _kind(term):
    """The operator as z3 sees it: x != y is a two-argument distinct, printed infix."""
    if term.op == "distinct" and len(term.args) == 2:
        return "ne"
    if term.op in ("var", "const"):
        return None
    if term.op == "mul" and isinstance(term.value, tuple):
        return "div"
    return term.op


def _operands(term):
    """The operands as written: x*2 and r/2 keep their order (Term.value records it)."""
    if term.op == "mul":
        if term.value == "right":
            return (term.args[1], term.args[0])
        if isinstance(term.value, tuple):
            return (term.args[1], _Divisor(term.value[1], term.sort))
    return term.args


def _infix(kind):
    return kind in _INFIX or kind == "ne"


def _binds(kind):
    """An infix or unary operator whose precedence decides parentheses (z3 counts != among
    neither: Distinct is not in its table)."""
    return kind in _INFIX or kind == "neg"


def _precedence(kind):
    # != is Distinct, outside z3's table of precedences: its children are never bracketed
    return _PRECEDENCE.get(kind, 100000)


def value_text(value, sort):
    if sort == BOOL:
        return "True" if value else "False"
    value = Fraction(value)
    if sort == "Int":
        return str(value.numerator)
    from .print_options import real_text
    return real_text(value)


def z3_text(term):
    """The z3py text of `term` (recursive: deep terms fall back to SMT-LIB)."""
    try:
        return _text(term)
    except RecursionError:
        return term.sexpr()


def _text(term):
    op = term.op
    if op == "var":
        return term.name
    if op == "const":
        return value_text(term.value, term.sort)
    kind = _kind(term)
    if op == "neg":
        child = term.args[0]
        child_kind = _kind(child)
        text = _text(child)
        if child_kind != kind and _binds(child_kind) and \
                _precedence(kind) <= _precedence(child_kind):
            text = f"({text})"
        return "-" + text
    if _infix(kind):
        parts = []
        _infix_args(kind, _operands(term), parts)
        separator = " != " if kind == "ne" else _INFIX[kind]
        return separator.join(parts)
    if op in _PREFIX:
        if op in ("and", "or") and not term.args:
            return "True" if op == "and" else "False"
        return f"{_PREFIX[op]}({', '.join(_text(a) for a in term.args)})"
    if op == "pb":
        return _pseudo_boolean(term)
    return term.sexpr()   # global constraints: their SMT-LIB meaning


def _pseudo_boolean(term):
    kind, weights, k = term.value
    args = [_text(a) for a in term.args]
    if kind in ("at-most", "at-least"):
        name = "AtMost" if kind == "at-most" else "AtLeast"
        return f"{name}(({', '.join(args)}), {k})"
    name = {"pble": "PbLe", "pbge": "PbGe", "pbeq": "PbEq"}[kind]
    pairs = ", ".join(f"({a}, {w})" for a, w in zip(args, weights))
    return f"{name}(({pairs}), {k})"


def _infix_args(kind, args, parts):
    precedence = _precedence(kind)
    first = True
    for child in args:
        child_kind = _kind(child)
        child_args = _operands(child)
        if child_kind == kind and (kind in _ASSOCIATIVE or (first and kind == "sub")):
            _infix_args(kind, child_args, parts)
        elif _binds(child_kind):
            text = _text(child)
            if precedence > _precedence(child_kind) or (kind == "add" and child_kind == "sub") \
                    or (kind == "sub" and first and child_kind == "add"):
                parts.append(text)
            else:
                parts.append(f"({text})")
        else:
            parts.append(_text(child))
        first = False
