"""A shortcut for the commonest line of a QF_IDL / QF_RDL file: one assertion of a clause of
difference atoms, written whole on one line, e.g.

    (assert (or (<= (- x3 x1) 2) (not (< (- x4 x2) (- 5))) (>= (- x0 x1) 0)))

Random difference-logic and scheduling files hold tens of thousands of them; through the
lexer, the reader and the elaborator each costs about 60 us of Python (bench/random_dl.py,
10,000 nodes: 80,000 assertions, most of the whole process's time before the search). Here a
line is matched whole by regular expressions and its Term is built directly. A line declaring
one new Bool, Int or Real constant, `(declare-fun x () Int)` or `(declare-const x Int)`, is
taken the same way.

The contract is the general path's: the shortcut builds exactly the Term the elaborator would
build (the same operators, argument order, sorts and constants, through the same Term class),
and it answers None, leaving the line to the general path, for anything it cannot build that
way without a doubt: a symbol that is not a declared Int or Real constant of the same sort as
its partner (so every error message, with its line and column, comes from the general path),
a comment, a second command or anything else on the line, a numeral too long to be trivial.
"""
import re
from fractions import Fraction

from .. import terms as T
from .elaborate import _BUILTINS

try:   # the commonest spelling of such a line, read in C (absent from a pure-Python install)
    from ._line_scan import scan_clause
except ImportError:   # pragma: no cover - SMTSCHED_PUREPYTHON=1
    scan_clause = None

BOOL, INT, REAL = T.BOOL, T.INT, T.REAL

# the lexer's white space and simple symbols (lexer.py); a symbol or a numeral here is always
# followed by white space or ')', so it is the lexer's whole token (maximal munch)
_WS = r"[ \t\r\n\f\v]"
_SYM = r"[A-Za-z~!@$%^&*_\-+=<>.?/][A-Za-z0-9~!@$%^&*_\-+=<>.?/]*"
_ATOM = (rf"\({_WS}*(<=|<|>=|>){_WS}+\({_WS}*-{_WS}+({_SYM}){_WS}+({_SYM}){_WS}*\){_WS}*"
         rf"(?:([0-9]{{1,100}})|\({_WS}*-{_WS}+([0-9]{{1,100}}){_WS}*\)){_WS}*\)")
# read left to right in one pass: the head "(assert" with "(or" or not, the literals one match
# each (group 1: the "not" of a negated one, whose closing parenthesis the conditional group
# then takes), and the closing parentheses up to the end of the line
_HEAD = re.compile(rf"{_WS}*\(assert{_WS}+(\(or{_WS}+)?")
_LITERAL = re.compile(rf"(\({_WS}*not{_WS}+)?{_ATOM}(?(1){_WS}*\)){_WS}*")
_CLOSE_OR = re.compile(rf"\){_WS}*\){_WS}*")
_CLOSE = re.compile(rf"\){_WS}*")
_OPS = {"<=": "le", "<": "lt", ">=": "ge", ">": "gt"}
# (declare-fun x () Int) and (declare-const x Int), alone on their line
# (white space between two symbols: "xInt" is one symbol, never x and Int)
_DECLARATION = re.compile(rf"{_WS}*\((?:declare-fun{_WS}+({_SYM}){_WS}*\({_WS}*\){_WS}*|"
                          rf"declare-const{_WS}+({_SYM}){_WS}+)(Int|Real|Bool){_WS}*\){_WS}*")
_SORTS = {"Int": INT, "Real": REAL, "Bool": BOOL}


def assertion_shortcut(script, scan=scan_clause):
    """The function of one line for Lexer's `shortcut`: the formula Term of a line that is one
    such assertion; (name, sort) for a line that declares one new constant of sort Bool, Int or
    Real (its name is neither declared nor reserved: nothing can go wrong); else None. The
    symbols are looked up in `script.elab` (the current one: a reset makes a new one) when the
    line is reached, which is when the general path would look them up (every command before
    it has been carried out). `scan`: smtsched.smtlib._line_scan.scan_clause, tried first on
    every line (None: this module's regular expressions alone); it takes only lines these
    take, with the same record, and leaves every other line (None) to them."""
    Term = T.Term
    DifferenceClause = T.DifferenceClause
    head_match, literal_match = _HEAD.match, _LITERAL.match
    close_or, close = _CLOSE_OR.fullmatch, _CLOSE.fullmatch
    ops = _OPS
    declaration = _DECLARATION.fullmatch
    builtins = _BUILTINS

    def shortcut(line):
        elaborator = script.elab
        if scan is not None and not elaborator.locals:
            found = scan(line, elaborator.globals)
            if found is not None:
                return found
        head = head_match(line)
        if head is None:
            m = declaration(line)
            if m is None:
                return None
            name = m.group(1) or m.group(2)
            if name in elaborator.globals or name in builtins or name in ("true", "false"):
                return None  # the general path says it is already declared
            return (name, _SORTS[m.group(3)])
        if elaborator.locals:
            return None
        names = elaborator.globals
        clause = head.group(1) is not None
        read = []  # (negated, op, x, y, c) per literal
        direct = True  # every literal an atom of two distinct Int variables: a record
        pos = head.end()
        while True:
            m = literal_match(line, pos)
            if m is None:
                break
            negated, op, x, y, digits, negative = m.groups()
            x, y = names.get(x), names.get(y)
            if x.__class__ is not Term or y.__class__ is not Term:
                return None  # undeclared, a function, a number: the general path says what
            sort = x.sort
            if y.sort != sort or sort not in (INT, REAL):
                return None
            # (- n): the elaborator folds it to the number -n
            value = int(digits) if digits is not None else -int(negative)
            if direct and (sort != INT or x.op != "var" or y.op != "var" or x.name == y.name):
                direct = False  # a Real, a defined constant, x - x: the Term, as before
            read.append((negated is not None, ops[op], x, y, value))
            pos = m.end()
            if not clause:
                break
        if not read or (close_or if clause else close)(line, pos) is None:
            return None
        if direct:
            # the compiler reads it directly; the Term is built only if someone asks
            return DifferenceClause(tuple(read), clause)
        built = []
        for negated, op, x, y, value in read:
            sort = x.sort
            # _as_term: a numeral next to a Real term is a Real constant (a Fraction)
            constant = Term("const", (), sort, value=value if sort == INT else Fraction(value))
            atom = Term(op, (Term("sub", (x, y), sort), constant), BOOL)
            if negated:
                atom = Term("not", (atom,), BOOL)
            built.append(atom)
        return Term("or", tuple(built), BOOL) if clause else built[0]

    return shortcut
