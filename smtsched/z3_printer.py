"""Terms in z3py's notation (`x - y <= 5`, `And(p, Not(q))`, `2*(x + y)`), for str() and
repr() of terms, so that a z3 script that prints its formulas prints what it printed with z3.

The rules are those z3's Python printer follows (observed on z3 4.x/5.x and checked against it
in tests/test_z3_printer.py): infix arithmetic and comparisons with precedences (unary minus 1,
* 2, + and - 3, comparisons 8), a child of the same associative operator (+, *) flattened, as
is the first child of a left-associative one (-); a + child of a - first child, and a - child
of a +, without parentheses; other infix children in parentheses unless they bind tighter;
everything else prefix: And(...), Or(...), Not(...), Implies, Xor, If, Distinct (x != y for
two).

Lines are broken as z3's printer (z3printer.py) breaks them: the text is built as its layout
document (strings, compositions, indentation, line breaks, and groups printed flat when they
fit in what is left of 60 columns, else broken), with its limits: 20 levels deep and 128
arguments (beyond them "..."), indentation at most 40, 200 lines.
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
        return render(_doc(term, 0, [0]))
    except RecursionError:
        return term.sexpr()


def _text(term):
    return render(_doc(term, 0, [0]))


# -- z3's layout documents: ("s", text) | ("c", parts) | ("i", n, doc) | ("g", doc) | ("b", space)
MAX_WIDTH, MAX_INDENT, MAX_LINES, MAX_DEPTH, MAX_ARGS, MAX_VISITED = 60, 40, 200, 20, 128, 10000
_ELLIPSES = ("s", "...")


def _s(text):
    return ("s", text)


def _compose(*parts):
    return ("c", parts)


def _seq(args, sep=",", space=True):
    parts = [args[0]]
    for arg in args[1:]:
        parts += [_s(sep), ("b", " " if space else ""), arg]
    return ("c", tuple(parts))


def seq1(header, args):
    return ("g", _compose(_s(header), _s("("), ("i", len(header) + 1, _seq(args)), _s(")")))


def seq3(args, lp="(", rp=")"):
    if not args:
        return _s(lp + rp)
    return ("g", ("i", len(lp), _compose(_s(lp), _seq(args), _s(rp))))


def _paren(doc):
    return _compose(_s("("), ("i", 1, doc), _s(")"))


def _flat_size(doc):
    """The width of the document printed flat (z3's space_upto_nl of the flat version)."""
    kind = doc[0]
    if kind == "s":
        return len(doc[1])
    if kind == "b":
        return len(doc[1])
    if kind == "c":
        return sum(_flat_size(part) for part in doc[1])
    return _flat_size(doc[-1])


class _Stop(Exception):
    pass


def render(doc):
    out = []
    state = {"pos": 0, "line": 0}

    def pp(doc, indent, flat):
        kind = doc[0]
        if kind == "s":
            state["pos"] += len(doc[1])
            out.append(doc[1])
        elif kind == "c":
            for part in doc[1]:
                pp(part, indent, flat)
        elif kind == "i":
            pp(doc[2], min(indent + doc[1], MAX_INDENT), flat)
        elif kind == "g":
            left = MAX_WIDTH - state["pos"]
            pp(doc[1], indent, flat or (left > 0 and _flat_size(doc[1]) <= left))
        elif flat:
            state["pos"] += len(doc[1])
            out.append(doc[1])
        else:
            state["pos"] = indent
            state["line"] += 1
            if state["line"] >= MAX_LINES:
                out.append("\n...")
                raise _Stop()
            out.append("\n" + " " * indent)
    try:
        pp(doc, 0, False)
    except _Stop:
        pass
    return "".join(out)


def list_text(terms):
    """print(s) of a Solver: its assertions as z3 lays out a list of formulas."""
    visited = [0]
    docs = []
    for term in terms:
        docs.append(_doc(term, 1, visited))
        if len(docs) > MAX_ARGS:
            docs.append(_ELLIPSES)
            break
    return render(seq3(docs, "[", "]"))


def model_text(rows):
    """print(m): [name = value, ...] for (name, value text) rows, laid out as z3's."""
    docs = [_compose(_s(name), _s(" = "), ("i", len(name) + 3, _s(value)))
            for name, value in rows[:MAX_ARGS + 1]]
    if len(rows) > MAX_ARGS + 1:
        docs.append(_ELLIPSES)
    return render(seq3(docs, "[", "]"))


_OPERATOR = {"add": " +", "sub": " -", "mul": "*", "div": "/", "le": " <=", "lt": " <",
             "ge": " >=", "gt": " >", "eq": " ==", "ne": " !="}


def _doc(term, depth, visited):
    visited[0] += 1
    if depth > MAX_DEPTH or visited[0] > MAX_VISITED:
        return _ELLIPSES
    op = term.op
    if op == "var":
        return _s(term.name)
    if op == "const":
        return _s(value_text(term.value, term.sort))
    kind = _kind(term)
    if op == "neg":
        child = term.args[0]
        child_kind = _kind(child)
        doc = _doc(child, depth + 1, visited)
        if child_kind != kind and _binds(child_kind) and \
                _precedence(kind) <= _precedence(child_kind):
            doc = _paren(doc)
        return _compose(_s("-"), ("i", 1, doc))
    if _infix(kind):
        parts = []
        _infix_args(kind, _operands(term), parts, depth, visited)
        return ("g", _seq(parts, _OPERATOR[kind], kind not in ("mul", "div")))
    if op in _PREFIX:
        if op in ("and", "or") and not term.args:
            return _s("True" if op == "and" else "False")
        args = []
        for arg in term.args:
            args.append(_doc(arg, depth + 1, visited))
            if len(args) > MAX_ARGS:
                args.append(_ELLIPSES)
                break
        return seq1(_PREFIX[op], args)
    if op == "pb":
        return _s(_pseudo_boolean(term))
    return _s(term.sexpr())   # global constraints: their SMT-LIB meaning


def _pseudo_boolean(term):
    kind, weights, k = term.value
    args = [_text(a) for a in term.args]
    if kind in ("at-most", "at-least"):
        name = "AtMost" if kind == "at-most" else "AtLeast"
        return f"{name}(({', '.join(args)}), {k})"
    name = {"pble": "PbLe", "pbge": "PbGe", "pbeq": "PbEq"}[kind]
    pairs = ", ".join(f"({a}, {w})" for a, w in zip(args, weights))
    return f"{name}(({pairs}), {k})"


def _infix_args(kind, args, parts, depth, visited):
    precedence = _precedence(kind)
    first = True
    for child in args:
        child_kind = _kind(child)
        child_args = _operands(child)
        # z3 formats a child even when it flattens it (so a long chain of binary sums is
        # counted quadratically towards the limits); Sum's chain is one n-ary sum in z3
        one_sum = kind == "add" and child.value == "sum"
        doc = None if one_sum else _doc(child, depth + 1, visited)
        if child_kind == kind and (kind in _ASSOCIATIVE or (first and kind == "sub")):
            _infix_args(kind, child_args, parts, depth, visited)
            if len(parts) > MAX_ARGS:
                return
        elif _binds(child_kind):
            if precedence > _precedence(child_kind) or (kind == "add" and child_kind == "sub") \
                    or (kind == "sub" and first and child_kind == "add"):
                parts.append(doc)
            else:
                parts.append(_paren(doc))
        else:
            parts.append(doc)
        if len(parts) > MAX_ARGS:
            parts.append(_ELLIPSES)
            return
        first = False
