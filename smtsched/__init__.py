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
from .version import __version__
from .optimize import Optimize, OptimizeObjective
from .solver import CheckSatResult, Model, sat, unknown, unsat
from .z3_solver import Solver
from .sorts import (BoolSort, Const, Consts, FreshBool, FreshInt, FreshReal, IntSort,
                    RealSort, SortRef)
from .values import FuncDecl, IntNumRef, RatNumRef, Z3_OP_KINDS
from .params import get_param, reset_params, set_option, set_param
from .errors import SmtschedError as Z3Exception
from .z3_functions import (Abs, ArithRef, BoolRef, BoolVector, ExprRef, IntVector, RealVector,
                           prove, solve)
from .z3_functions import (Product, Q, RatVal, SimpleSolver, SolverFor, Sum, ToInt, ToReal,
                           is_add, is_and, is_app, is_arith, is_arith_value, is_bool, is_const,
                           is_distinct, is_eq, is_expr, is_false, is_ge, is_gt, is_implies,
                           is_int, is_int_value, is_le, is_lt, is_mul, is_not, is_or,
                           is_rational_value, is_real, is_sub, is_true, simplify)
from .terms import (And, AtLeast, AtMost, Bool, Bools, BoolVal, Cumulative, Disjunctive,
                    Distinct, If, Implies, Int, Ints, IntVal, Not, Or, PbEq, PbGe, PbLe, Real,
                    Reals, RealVal, Term, WeightedCost, Xor)


__all__ = [
    "And", "ArithmeticOverflowError", "AtLeast", "AtMost", "Bool", "BoolVal", "Bools",
    "CheckSatResult", "Cumulative", "Disjunctive", "Distinct",
    "If", "Implies", "Int", "IntVal", "Ints", "Model", "ModelCheckError", "Not", "Or", "PbEq",
    "PbGe", "PbLe", "Real", "RealVal", "Reals", "SmtschedError", "Solver", "SortError", "Term",
    "UnsupportedError", "WeightedCost", "Xor",
    "sat", "unknown", "unsat",
    # z3py's names beyond the first API (issue 18)
    "BoolSort", "Const", "Consts", "FreshBool", "FreshInt", "FreshReal", "FuncDecl",
    "IntNumRef", "IntSort", "Optimize", "OptimizeObjective", "Product", "Q", "RatNumRef",
    "RatVal", "RealSort", "SimpleSolver", "SolverFor", "SortRef", "Sum", "get_param",
    "is_add", "is_and", "is_app", "is_arith", "is_arith_value", "is_bool", "is_const",
    "is_distinct", "is_eq", "is_expr", "is_false", "is_ge", "is_gt", "is_implies", "is_int",
    "is_int_value", "is_le", "is_lt", "is_mul", "is_not", "is_or", "is_rational_value",
    "is_real", "is_sub", "is_true", "set_param", "simplify",
    "Abs", "ArithRef", "BoolRef", "BoolVector", "ExprRef", "IntVector", "RealVector",
    "Z3Exception", "prove", "reset_params", "set_option", "solve", "ToInt", "ToReal",
] + ["Z3_OP_" + _name for _name in Z3_OP_KINDS]   # z3's declaration kinds (decl().kind())
globals().update({"Z3_OP_" + _name: _number for _name, _number in Z3_OP_KINDS.items()})
