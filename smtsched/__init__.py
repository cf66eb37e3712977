"""smtsched: a satisfiability-modulo-theories solver specialised for scheduling.

The z3py-shaped API:

    >>> from smtsched import Solver, Ints, Or, sat
    >>> x, y = Ints("x y")
    >>> s = Solver()
    >>> s.add(x - y >= 3, Or(x <= 5, y > x))
    >>> s.check() == sat
    True
"""
from .errors import (ArithmeticOverflowError, ModelCheckError, SmtschedError, SortError,
                     UnsupportedError)
from .solver import CheckSatResult, Model, Solver, sat, unknown, unsat
from .terms import (And, AtLeast, AtMost, Bool, Bools, BoolVal, Cumulative, Disjunctive,
                    Distinct, If, Implies, Int, Ints, IntVal, Not, Or, PbEq, PbGe, PbLe, Real,
                    Reals, RealVal, Term, WeightedCost, Xor)

__version__ = "0.1.0"

__all__ = [
    "And", "ArithmeticOverflowError", "AtLeast", "AtMost", "Bool", "BoolVal", "Bools",
    "CheckSatResult", "Cumulative", "Disjunctive", "Distinct",
    "If", "Implies", "Int", "IntVal", "Ints", "Model", "ModelCheckError", "Not", "Or", "PbEq",
    "PbGe", "PbLe", "Real", "RealVal", "Reals", "SmtschedError", "Solver", "SortError", "Term",
    "UnsupportedError", "WeightedCost", "Xor",
    "sat", "unknown", "unsat",
]
