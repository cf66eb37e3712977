"""The rest of z3py's names that scripts for this fragment use: Sum, Product, the is_*
tests, simplify, set_param / get_param, SolverFor / SimpleSolver.

What they do follows z3.py (the Python API of z3 4.x/5.x); where the fragment ends (a product
of two terms, a logic with other theories) they raise UnsupportedError naming what was asked.
"""
from fractions import Fraction
from functools import reduce

from .errors import UnsupportedError
from .terms import BOOL, INT, REAL, RealVal, Term, evaluate


def _args(args):
    if len(args) == 1 and isinstance(args[0], (list, tuple)) or (
            len(args) == 1 and not isinstance(args[0], Term) and hasattr(args[0], "__iter__")):
        return list(args[0])
    return list(args)


def Sum(*args):
    """The sum of the terms (a list or several arguments); 0 for none, as z3."""
    items = _args(args)
    if not items:
        return 0
    total = items[0]
    for item in items[1:]:
        total = total + item
        if isinstance(total, Term) and total.op == "add":
            # one sum in z3 (an n-ary +): its printer lays out and counts it as one node
            total.value = "sum"
    return total


def Product(*args):
    """The product of the arguments: constants and at most one term (difference logic has
    no product of two terms: UnsupportedError names it)."""
    items = _args(args)
    if not items:
        return 1
    return reduce(lambda a, b: a * b, items)


def Q(a, b):
    """The Real constant a/b (z3's Q): a value term (RealVal), which prints as z3's (1/3),
    reads as z3's RatNumRef (as_fraction(), as_decimal(n)) and, being a term, takes its
    place in comparisons as z3's does (r == Q(1, 3) is 1/3 == r)."""
    return RealVal(Fraction(a, b))


def ToReal(a):
    raise UnsupportedError(f"ToReal({a}): difference logic keeps Int and Real terms apart")


def ToInt(a):
    raise UnsupportedError(f"ToInt({a}): difference logic keeps Int and Real terms apart")


def RatVal(a, b):
    return RealVal(Fraction(a, b))


# -- tests on terms and values -------------------------------------------------------------
def _is_const(a, value):
    if isinstance(a, bool):
        return a is value   # model values are Python bools
    return isinstance(a, Term) and a.op == "const" and a.sort == BOOL and a.value is value


def is_true(a):
    return _is_const(a, True)


def is_false(a):
    return _is_const(a, False)


def is_int_value(a):
    from .values import IntNumRef
    if isinstance(a, IntNumRef):
        return True
    return isinstance(a, Term) and a.op == "const" and a.sort == INT


def is_rational_value(a):
    from .values import RatNumRef
    if isinstance(a, RatNumRef):
        return True
    return isinstance(a, Term) and a.op == "const" and a.sort == REAL


def is_arith_value(a):
    return is_int_value(a) or is_rational_value(a)


def is_expr(a):
    from .values import IntNumRef, RatNumRef
    return isinstance(a, (Term, IntNumRef, RatNumRef))


def is_bool(a):
    return isinstance(a, Term) and a.sort == BOOL


def is_int(a):
    return isinstance(a, Term) and a.sort == INT


def is_real(a):
    return isinstance(a, Term) and a.sort == REAL


def is_arith(a):
    return isinstance(a, Term) and a.sort in (INT, REAL)


def is_const(a):
    """A variable or a value (z3: an application without arguments)."""
    return isinstance(a, Term) and a.op in ("var", "const")


def is_app(a):
    return isinstance(a, Term)


def _op(name):
    return lambda a: isinstance(a, Term) and a.op == name


is_and, is_or, is_not, is_implies, is_add, is_sub, is_mul = (
    _op(n) for n in ("and", "or", "not", "implies", "add", "sub", "mul"))
is_le, is_lt, is_ge, is_gt, is_eq, is_distinct = (
    _op(n) for n in ("le", "lt", "ge", "gt", "eq", "distinct"))


# -- simplify: smtsched.z3_simplify ----------------------------------------------------------
from .z3_simplify import simplify  # noqa: E402  (re-exported with the rest of z3's names)


# Logics whose every formula smtsched may decide (its fragment is difference logic, with
# Booleans); wider ones are accepted as z3 does, the atoms outside the fragment are refused
# when they are added.
_LOGICS = {"QF_IDL", "QF_RDL", "QF_LIA", "QF_LRA", "QF_LIRA", "QF_UF", "QF_AX", "QF_FD",
           "ALL", "LIA", "LRA", "QF_UFIDL", "QF_UFLIA", "QF_UFLRA"}


def SolverFor(logic, ctx=None, logFile=None):
    from .z3_solver import Solver
    if str(logic).upper() not in _LOGICS:
        raise UnsupportedError(f"the logic {logic}: smtsched decides difference logic "
                               "(QF_IDL, QF_RDL) with Booleans")
    return Solver()


def SimpleSolver(ctx=None, logFile=None):
    from .z3_solver import Solver
    return Solver()


# -- more of z3's convenience names -------------------------------------------------------
def IntVector(prefix, size):
    """[prefix__0, ..., prefix__{size-1}], z3's naming."""
    from .terms import Int
    return [Int(f"{prefix}__{i}") for i in range(size)]


def RealVector(prefix, size):
    from .terms import Real
    return [Real(f"{prefix}__{i}") for i in range(size)]


def BoolVector(prefix, size):
    from .terms import Bool
    return [Bool(f"{prefix}__{i}") for i in range(size)]


def Abs(a):
    """|a| as If(a > 0, a, -a), as z3 writes it: a difference constraint on it stays one
    after the compiler lifts the If."""
    from .terms import If
    return If(a > 0, a, -a)


def solve(*formulas, **options):
    """z3's solve: prints the model (declarations in name order), "no solution", or
    "failed to solve"."""
    from .z3_solver import Solver
    s = Solver()
    s.set(**options)
    s.add(*formulas)
    answer = s.check()
    if answer == answer.__class__("unsat"):
        print("no solution")
    elif answer == answer.__class__("unknown"):
        print("failed to solve")
    else:
        print(s.model())


def prove(claim, **options):
    """z3's prove: "proved", or "counterexample" and the model that refutes the claim."""
    from .terms import Not
    from .z3_solver import Solver
    s = Solver()
    s.set(**options)
    s.add(Not(claim))
    answer = str(s.check())
    if answer == "unsat":
        print("proved")
    elif answer == "unknown":
        print("failed to prove")
    else:
        print("counterexample")
        print(s.model())


class _SortedTerms(type):
    """isinstance(t, ArithRef) & co.: Terms of the right sort (smtsched has one Term class)."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Term) and (cls._sorts is None or obj.sort in cls._sorts)


class ExprRef(metaclass=_SortedTerms):
    _sorts = None


class ArithRef(metaclass=_SortedTerms):
    _sorts = (INT, REAL)


class BoolRef(metaclass=_SortedTerms):
    _sorts = (BOOL,)
