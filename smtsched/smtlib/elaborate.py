"""From s-expressions to smtsched terms: symbols, sorts, let, macros, annotations.

`Elaborator.term(node)` turns one SMT-LIB term into a `smtsched.Term` (or a Python number for a
constant expression) through the public term API, so every sort and fragment check of the API
applies. It runs an explicit work stack, never Python recursion: 100,000 nested parentheses are
as fine as 10. Any problem raises `ScriptError` carrying the line and column of the offending
sub-term.

Numerals are kept as Python numbers while they only meet other numbers (an SMT-LIB numeral is
an Int in Ints and a Real in Reals); they take the sort of the term they meet, or the logic's
default sort (`numeral_sort`) when a term must be made of numbers alone, e.g. (ite c 1 2).
"""
import time
from fractions import Fraction

from .. import terms as T
from ..errors import SmtschedError
from .reader import SList, describe, to_text

BOOL, INT, REAL = T.BOOL, T.INT, T.REAL
SORTS = {"Bool": BOOL, "Int": INT, "Real": REAL}


class ScriptError(Exception):
    """A problem with the script, at a place in it."""

    def __init__(self, message, line, column):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class Macro:
    """A define-fun with parameters: its body over placeholder variables."""

    __slots__ = ("name", "params", "result_sort", "body")

    def __init__(self, name, params, result_sort, body):
        self.name = name
        self.params = params            # [(placeholder variable, sort)]
        self.result_sort = result_sort
        self.body = body                # Term or number


# work-stack item kinds
_EVAL, _APPLY, _LET, _UNBIND, _NAME, _PB = range(6)


def sort_of(value):
    if isinstance(value, T.Term):
        return value.sort
    if isinstance(value, Fraction):
        return REAL
    return None  # an integer numeral: Int or Real, whatever it meets


def parse_sort(node):
    if isinstance(node, tuple) and node[0] == "sym" and node[1] in SORTS:
        return SORTS[node[1]]
    line, column = position(node)
    raise ScriptError(f"unsupported sort {to_text(node)} (smtsched knows Bool, Int and Real)",
                      line, column)


def position(node):
    if isinstance(node, SList):
        return node.line, node.column
    return node[2], node[3]


# Constant folding stops at numbers of this many bits (about 300,000 decimal digits): beyond it,
# repeated squaring in a few lines of input would run for hours.
MAX_CONSTANT_BITS = 1 << 20
# How many work items between two looks at the clock.
CLOCK_PERIOD = 4096


class Elaborator:
    """Symbol tables of a script and the translation of terms."""

    def __init__(self):
        self.deadline = None  # time.perf_counter() value: past it, reading a term stops
        self.in_macro = False  # reading a define-fun body with parameters
        self.numeral_sort = INT
        self.globals = {}     # name -> Term | number | Macro
        self.locals = {}      # let-bound names while a term is being read
        self.named = []       # [(name, Term)] of :named terms, in order
        self.on_named = None  # callback(name, value, node) when a :named annotation is read
        # id -> (pseudo-Boolean term, line, column) of each one read, so that a misplaced one
        # is reported where it is written (the term is kept: its id stays unique)
        self.pb_sites = {}

    # -- symbols ---------------------------------------------------------------------------
    def declare(self, name, value, node):
        if name in self.globals or name in _BUILTINS or name in ("true", "false"):
            line, column = position(node)
            raise ScriptError(f"the symbol '{name}' is already declared", line, column)
        self.globals[name] = value

    def lookup(self, token):
        name = token[1]
        if name in self.locals:
            return self.locals[name]
        if name == "true":
            return T.BoolVal(True)
        if name == "false":
            return T.BoolVal(False)
        value = self.globals.get(name)
        if value is None:
            if name in _BUILTINS:
                raise ScriptError(f"the operator '{name}' is used without arguments",
                                  token[2], token[3])
            raise ScriptError(f"unknown constant '{name}'", token[2], token[3])
        if isinstance(value, Macro):
            raise ScriptError(f"the function '{name}' needs {len(value.params)} argument(s)",
                              token[2], token[3])
        return value

    # -- terms -----------------------------------------------------------------------------
    def term(self, node):
        """The Term or number that `node` denotes."""
        values = []
        work = [(_EVAL, node)]
        ticks = 0
        try:
            while work:
                ticks += 1
                if ticks >= CLOCK_PERIOD:
                    ticks = 0
                    if self.deadline is not None and time.perf_counter() > self.deadline:
                        line, column = position(node)
                        raise ScriptError("timeout while reading this term", line, column)
                item = work.pop()
                kind = item[0]
                if kind == _EVAL:
                    node = item[1]
                    if isinstance(node, tuple):
                        values.append(self.atom(node))
                    else:
                        self.expand(node, work)
                elif kind == _APPLY:
                    _, node, name, count = item
                    args = values[len(values) - count:]
                    del values[len(values) - count:]
                    values.append(self.apply(name, args, node))
                elif kind == _LET:
                    _, node, names = item
                    bound = values[len(values) - len(names):]
                    del values[len(values) - len(names):]
                    saved = [(n, self.locals.get(n, _MISSING)) for n in names]
                    for n, v in zip(names, bound):
                        self.locals[n] = v
                    work.append((_UNBIND, saved))
                    work.append((_EVAL, node.items[2]))
                elif kind == _UNBIND:
                    for n, old in reversed(item[1]):
                        if old is _MISSING:
                            del self.locals[n]
                        else:
                            self.locals[n] = old
                elif kind == _PB:
                    _, node, pb_kind, k, weights, count = item
                    args = values[len(values) - count:]
                    del values[len(values) - count:]
                    values.append(self.pseudo_boolean(node, pb_kind, k, weights, args))
                else:  # _NAME
                    _, node = item
                    self.annotate(node, values[-1])
        except ScriptError:
            self.locals.clear()
            raise
        except (SmtschedError, ZeroDivisionError, OverflowError, ValueError, TypeError) as error:
            self.locals.clear()
            line, column = position(node)
            raise ScriptError(_message(error), line, column) from None
        return values[0]

    def formula(self, node):
        value = self.term(node)
        if not isinstance(value, T.Term) or value.sort != BOOL:
            line, column = position(node)
            raise ScriptError(f"a formula (Bool) was expected, got {_sort_name(value)} "
                              f"{_short(to_text(node))}", line, column)
        return value

    def atom(self, token):
        kind = token[0]
        if kind == "sym":
            return self.lookup(token)
        if kind == "num":
            return token[1]
        if kind == "dec":
            whole, _, fraction = token[1].partition(".")
            return Fraction(T.parse_decimal(whole + fraction), 10 ** len(fraction))
        what = {"hex": "bit-vector literal", "bin": "bit-vector literal", "str": "string literal",
                "kw": "keyword"}.get(kind, kind)
        raise ScriptError(f"unsupported {what} {describe(token)} in a term", token[2], token[3])

    def expand(self, node, work):
        items = node.items
        if not items:
            raise ScriptError("empty application '()'", node.line, node.column)
        head = items[0]
        if isinstance(head, SList) and len(head.items) >= 2 and \
                isinstance(head.items[0], tuple) and head.items[0][:2] == ("sym", "_") and \
                isinstance(head.items[1], tuple) and head.items[1][0] == "sym" and \
                head.items[1][1] in T.PB_KINDS:
            self.expand_pseudo_boolean(node, head, work)
            return
        if not isinstance(head, tuple) or head[0] != "sym":
            if isinstance(head, SList) and head.items and isinstance(head.items[0], tuple) \
                    and head.items[0][:2] in (("sym", "_"), ("sym", "as")):
                raise ScriptError(f"unsupported indexed or qualified identifier {to_text(head)}",
                                  node.line, node.column)
            raise ScriptError(f"a function symbol was expected, found {_short(to_text(head))}",
                              node.line, node.column)
        name = head[1]
        if name == "let" and name not in self.locals:
            self.expand_let(node, work)
        elif name == "!":
            if len(items) < 2:
                raise ScriptError("'!' needs a term and attributes", node.line, node.column)
            work.append((_NAME, node))
            work.append((_EVAL, items[1]))
        elif name in ("forall", "exists", "match", "lambda"):
            raise ScriptError(f"'{name}' is not supported (quantifier-free difference logic only)",
                              node.line, node.column)
        else:
            if name not in _BUILTINS and not isinstance(self.globals.get(name), Macro):
                if name in self.locals or name in self.globals or name in ("true", "false"):
                    raise ScriptError(f"'{name}' is a constant, not a function", head[2], head[3])
                raise ScriptError(f"unknown function '{name}'", head[2], head[3])
            work.append((_APPLY, node, name, len(items) - 1))
            for k in range(len(items) - 1, 0, -1):
                work.append((_EVAL, items[k]))

    def expand_pseudo_boolean(self, node, head, work):
        """z3's pseudo-Boolean functions: ((_ pble k w1 .. wn) b1 .. bn), pbge, pbeq, and
        ((_ at-most k) b1 .. bn), at-least. z3 writes negative indices as -4 (a symbol to the
        lexer); they are read too."""
        kind = head.items[1][1]
        indices = [_integer_index(token, kind) for token in head.items[2:]]
        count = len(node.items) - 1
        if kind in ("at-most", "at-least"):
            if len(indices) != 1:
                raise ScriptError(f"(_ {kind} k) takes one index, the bound k; got "
                                  f"{len(indices)}", head.line, head.column)
            weights = (1,) * count
        else:
            if not indices:
                raise ScriptError(f"(_ {kind} k w1 ... wn) needs the bound k and one weight "
                                  "per argument", head.line, head.column)
            weights = tuple(indices[1:])
            if len(weights) != count:
                raise ScriptError(f"(_ {kind} ...) has {len(weights)} weight(s) for {count} "
                                  "argument(s)", node.line, node.column)
        if count == 0:
            raise ScriptError(f"'{kind}' needs at least one argument", node.line, node.column)
        work.append((_PB, node, kind, indices[0], weights, count))
        for k in range(len(node.items) - 1, 0, -1):
            work.append((_EVAL, node.items[k]))

    def pseudo_boolean(self, node, kind, k, weights, args):
        for arg, arg_node in zip(args, node.items[1:]):
            if not isinstance(arg, T.Term) or arg.sort != BOOL:
                line, column = position(arg_node)
                raise ScriptError(f"'{kind}' takes formulas, got {_sort_name(arg)} "
                                  f"{_short(to_text(arg_node))}", line, column)
        if kind == "at-most":
            term = T.AtMost(*args, k)
        elif kind == "at-least":
            term = T.AtLeast(*args, k)
        else:
            make = {"pble": T.PbLe, "pbge": T.PbGe, "pbeq": T.PbEq}[kind]
            term = make(list(zip(args, weights)), k)
        self.pb_sites[id(term)] = (term, node.line, node.column)
        return term

    def site(self, term, default):
        """The line and column where the pseudo-Boolean `term` was read, else `default`'s."""
        entry = self.pb_sites.get(id(term))
        if entry is not None and entry[0] is term:
            return entry[1], entry[2]
        return position(default)

    def expand_let(self, node, work):
        items = node.items
        if len(items) != 3 or not isinstance(items[1], SList) or not items[1].items:
            raise ScriptError("let needs a non-empty list of bindings and one body",
                              node.line, node.column)
        names = []
        terms = []
        for binding in items[1].items:
            if (not isinstance(binding, SList) or len(binding.items) != 2
                    or not isinstance(binding.items[0], tuple) or binding.items[0][0] != "sym"):
                line, column = position(binding)
                raise ScriptError("a let binding is (symbol term)", line, column)
            if binding.items[0][1] in names:
                line, column = position(binding)
                raise ScriptError(f"'{binding.items[0][1]}' is bound twice in one let",
                                  line, column)
            names.append(binding.items[0][1])
            terms.append(binding.items[1])
        work.append((_LET, node, names))
        for term in reversed(terms):
            work.append((_EVAL, term))

    def annotate(self, node, value):
        items = node.items
        k = 2
        while k < len(items):
            key = items[k]
            if not isinstance(key, tuple) or key[0] != "kw":
                line, column = position(key)
                raise ScriptError(f"an attribute (:keyword) was expected, found "
                                  f"{_short(to_text(key))}", line, column)
            if key[1] == "named":
                if self.in_macro:
                    raise ScriptError(":named is not allowed in the body of a define-fun with "
                                      "parameters (the term depends on them)", key[2], key[3])
                if k + 1 >= len(items) or not isinstance(items[k + 1], tuple) or \
                        items[k + 1][0] != "sym":
                    raise ScriptError(":named needs a symbol", key[2], key[3])
                name = items[k + 1][1]
                self.declare(name, value, items[k + 1])
                self.named.append((name, value))
                if self.on_named is not None:
                    self.on_named(name, value, node)
                k += 2
            else:  # :pattern and other attributes carry no meaning here
                k += 2 if k + 1 < len(items) and not (
                    isinstance(items[k + 1], tuple) and items[k + 1][0] == "kw") else 1

    # -- operators -------------------------------------------------------------------------
    def apply(self, name, args, node):
        macro = self.globals.get(name)
        if isinstance(macro, Macro) and name not in _BUILTINS:
            return self.apply_macro(macro, args, node)
        arity, function = _BUILTINS[name]
        low, high = arity
        if len(args) < low or (high is not None and len(args) > high):
            expected = f"{low}" if low == high else f"at least {low}" if high is None else \
                f"{low} to {high}"
            raise ScriptError(f"'{name}' takes {expected} argument(s), got {len(args)}",
                              node.line, node.column)
        try:
            result = function(self, args)
        except ScriptError:
            raise
        except (SmtschedError, ZeroDivisionError, OverflowError, ValueError, TypeError) as error:
            raise ScriptError(_message(error), node.line, node.column) from None
        if not isinstance(result, T.Term) and _bits(result) > MAX_CONSTANT_BITS:
            raise ScriptError(f"the constant computed here has more than {MAX_CONSTANT_BITS} bits",
                              node.line, node.column)
        return result

    def apply_macro(self, macro, args, node):
        if len(args) != len(macro.params):
            raise ScriptError(f"'{macro.name}' takes {len(macro.params)} argument(s), "
                              f"got {len(args)}", node.line, node.column)
        mapping = {}
        for (placeholder, sort), arg, arg_node in zip(macro.params, args, node.items[1:]):
            mapping[id(placeholder)] = self.as_sort(arg, sort, arg_node)
        return substitute(macro.body, mapping)

    def as_sort(self, value, sort, node):
        """`value` as a term of `sort` (numerals take the sort), or a ScriptError."""
        actual = sort_of(value)
        if actual is None and sort in (INT, REAL):
            return T.IntVal(value) if sort == INT else T.RealVal(value)
        if actual == sort:
            return value if isinstance(value, T.Term) else T.RealVal(value)
        line, column = position(node)
        raise ScriptError(f"{_short(to_text(node))} is {_sort_name(value)}, {sort} expected",
                          line, column)

    def numeral(self, value):
        """A constant-only value made into a term of the logic's default numeral sort."""
        if isinstance(value, T.Term):
            return value
        if isinstance(value, Fraction) or self.numeral_sort == REAL:
            return T.RealVal(value)
        return T.IntVal(value)


_MISSING = object()


def _bits(number):
    if isinstance(number, Fraction):
        return max(number.numerator.bit_length(), number.denominator.bit_length())
    return number.bit_length()


def substitute(term, mapping):
    """`term` with the variables whose id is in `mapping` replaced (iterative, shares nodes)."""
    if not isinstance(term, T.Term):
        return term
    memo = {}
    stack = [(term, False)]
    while stack:
        node, expanded = stack.pop()
        key = id(node)
        if key in memo:
            continue
        if key in mapping:
            memo[key] = mapping[key]
            continue
        if not node.args:
            memo[key] = node
            continue
        if not expanded:
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if id(a) not in memo)
            continue
        args = tuple(memo[id(a)] for a in node.args)
        if all(a is b for a, b in zip(args, node.args)):
            memo[key] = node
        else:
            memo[key] = T.Term(node.op, args, node.sort, node.name, node.value)
    return memo[id(term)]


# ---------------------------------------------------------------------------- builtins
def _need_bool(args, name):
    for a in args:
        if not isinstance(a, T.Term) or a.sort != BOOL:
            raise T.SortError(f"'{name}' expects formulas, got {_sort_name(a)} {_value_text(a)}")
    return args


def _need_arith(args, name):
    for a in args:
        if isinstance(a, T.Term) and a.sort == BOOL:
            raise T.SortError(f"'{name}' expects numbers, got the formula {a}")
    return args


def _and(self, args):
    return T.And(*_need_bool(args, "and"))


def _or(self, args):
    return T.Or(*_need_bool(args, "or"))


def _not(self, args):
    return T.Not(*_need_bool(args, "not"))


def _implies(self, args):
    args = _need_bool(args, "=>")
    result = args[-1]
    for a in reversed(args[:-1]):
        result = T.Implies(a, result)
    return result


def _xor(self, args):
    args = _need_bool(args, "xor")
    result = args[0]
    for a in args[1:]:
        result = T.Xor(result, a)
    return result


def _chain(self, args, relation):
    if all(not isinstance(a, T.Term) for a in args):
        return T.BoolVal(all(relation(a, b) for a, b in zip(args, args[1:])))
    parts = [relation(self.numeral(a) if not isinstance(a, T.Term) and not isinstance(b, T.Term)
                      else a, b) for a, b in zip(args, args[1:])]
    parts = [T.BoolVal(p) if isinstance(p, bool) else p for p in parts]
    return parts[0] if len(parts) == 1 else T.And(*parts)


def _eq(self, args):
    sorts = {sort_of(a) for a in args} - {None}
    if BOOL in sorts and len(sorts) > 1 or BOOL in sorts and any(sort_of(a) is None for a in args):
        raise T.SortError("'=' over a formula and a number: "
                          + ", ".join(_sort_name(a) for a in args))
    return _chain(self, args, lambda a, b: a == b)


def _distinct(self, args):
    if all(not isinstance(a, T.Term) for a in args):
        return T.BoolVal(len(set(args)) == len(args))
    like = next(a for a in args if isinstance(a, T.Term))
    return T.Distinct(*[a if isinstance(a, T.Term) else T._as_term(a, like) for a in args])


def _compare(op):
    def apply(self, args):
        _need_arith(args, op)
        return _chain(self, args, _RELATIONS[op])
    return apply


_RELATIONS = {"<=": lambda a, b: a <= b, "<": lambda a, b: a < b,
              ">=": lambda a, b: a >= b, ">": lambda a, b: a > b}


def _ite(self, args):
    condition, then, otherwise = args
    _need_bool([condition], "ite")
    if not isinstance(then, T.Term) and not isinstance(otherwise, T.Term):
        then, otherwise = self.numeral(then), self.numeral(otherwise)
        if then.sort != otherwise.sort:  # 1 and 2.5: both Real
            then, otherwise = T.RealVal(then.value), T.RealVal(otherwise.value)
    return T.If(condition, then, otherwise)


def _add(self, args):
    _need_arith(args, "+")
    result = args[0]
    for a in args[1:]:
        result = result + a
    return result


def _sub(self, args):
    _need_arith(args, "-")
    if len(args) == 1:
        return -args[0]
    result = args[0]
    for a in args[1:]:
        result = result - a
    return result


def _mul(self, args):
    _need_arith(args, "*")
    result = args[0]
    for a in args[1:]:
        result = result * a
    return result


def _div(self, args):
    _need_arith(args, "/")
    result = args[0]
    for a in args[1:]:
        if isinstance(a, T.Term):
            if a.op != "const":
                raise T.UnsupportedError(f"division by the term {a} is not difference logic")
            a = a.value
        if a == 0:
            raise T.UnsupportedError("division by zero")
        if isinstance(result, T.Term):
            if result.sort == INT:
                raise T.SortError(f"'/' on the Int term {result}: '/' is Real division")
            result = result / a
        else:
            result = Fraction(result) / Fraction(a)
    return result


def _to_real(self, args):
    (a,) = args
    if isinstance(a, T.Term):
        if a.sort == REAL:
            return a
        if a.op == "const":
            return T.RealVal(a.value)
        raise T.UnsupportedError(f"(to_real {a}): Int and Real variables cannot be mixed in "
                                 "difference logic")
    return Fraction(a)


def _unsupported(name):
    def apply(self, args):
        raise T.UnsupportedError(f"'{name}' is not supported: it is not difference logic")
    return apply


_BUILTINS = {
    "and": ((0, None), _and), "or": ((0, None), _or), "not": ((1, 1), _not),
    "=>": ((2, None), _implies), "xor": ((2, None), _xor),
    "=": ((2, None), _eq), "distinct": ((2, None), _distinct), "ite": ((3, 3), _ite),
    "<=": ((2, None), _compare("<=")), "<": ((2, None), _compare("<")),
    ">=": ((2, None), _compare(">=")), ">": ((2, None), _compare(">")),
    "+": ((1, None), _add), "-": ((1, None), _sub), "*": ((1, None), _mul),
    "/": ((2, None), _div), "to_real": ((1, 1), _to_real),
}
for _name in ("div", "mod", "abs", "to_int", "is_int", "select", "store"):
    _BUILTINS[_name] = ((0, None), _unsupported(_name))


def _integer_index(token, kind):
    """An index of a pseudo-Boolean function: a numeral, or -digits as z3 prints it."""
    if isinstance(token, tuple):
        if token[0] == "num":
            return token[1]
        if token[0] == "sym" and token[1][:1] == "-" and token[1][1:].isdigit() and \
                token[1][1:].isascii():
            return -T.parse_decimal(token[1][1:])
    line, column = position(token)
    raise ScriptError(f"the indices of '{kind}' are integers, found {_short(to_text(token))}",
                      line, column)


def _sort_name(value):
    sort = sort_of(value)
    if sort is None:
        return "a numeral"
    return {BOOL: "a formula", INT: "an Int term", REAL: "a Real term"}[sort]


def _value_text(value):
    return _short(T.to_smtlib(value)) if isinstance(value, T.Term) else str(value)


def _short(text, limit=60):
    return text if len(text) <= limit else text[:limit] + "..."


def _message(error):
    text = str(error) or type(error).__name__
    return text if len(text) <= 300 else text[:300] + "..."
