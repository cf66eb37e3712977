"""Model values as z3py hands them out, that are still Python numbers.

z3 scripts read values with `m[x].as_long()`, `as_fraction()`, `as_decimal(n)`; smtsched code
(and its tests) computes with them as int / Fraction. `IntNumRef` is an int and `RatNumRef` a
Fraction, with z3's reading methods and z3's printing; arithmetic on them gives plain int /
Fraction (z3 would build a symbolic term: `m[x] + 1` prints `3 + 1` there, `4` here).
Booleans stay Python's True / False, which print as z3's do (`bool` cannot be subclassed).

The method names and outputs follow z3's Python API (z3.py, version 4.x/5.x): as_decimal
truncates to `prec` digits and marks an inexact result with "?", as Z3_get_numeral_decimal_string
does.
"""
from fractions import Fraction

from .terms import BOOL, INT, REAL, Term, smtlib_number


class IntNumRef(int):
    """An Int value of a model: an int with z3's IntNumRef methods."""

    __slots__ = ()

    def as_long(self):
        return int(self)

    def as_string(self):
        return str(int(self))

    def as_binary_string(self):
        return format(int(self), "b")

    def as_fraction(self):
        return Fraction(int(self))

    def as_decimal(self, prec):
        return str(int(self))

    def is_int(self):
        return True

    def is_real(self):
        return False

    def is_int_value(self):
        return True

    def sort(self):
        from .sorts import IntSort
        return IntSort()

    def sexpr(self):
        return smtlib_number(int(self), INT)

    def __repr__(self):
        return str(int(self))

    __str__ = __repr__


class RatNumRef(Fraction):
    """A Real value of a model: a Fraction with z3's RatNumRef methods."""

    __slots__ = ()

    def __new__(cls, value):
        value = Fraction(value)
        return super().__new__(cls, value.numerator, value.denominator)

    def as_fraction(self):
        return Fraction(self.numerator, self.denominator)

    def as_string(self):
        return str(Fraction(self.numerator, self.denominator))

    def as_long(self):
        if self.denominator != 1:
            raise ValueError(f"{self} is not an integer (as_long)")
        return int(self.numerator)

    def numerator_as_long(self):
        return int(self.numerator)

    def denominator_as_long(self):
        return int(self.denominator)

    def is_int_value(self):
        return self.denominator == 1

    def is_int(self):
        return False   # the sort, as z3: a Real value is never an Int, whatever its value

    def is_real(self):
        return True

    def as_decimal(self, prec):
        """`prec` decimal digits, truncated, with "?" when digits were cut (z3's format)."""
        from .print_options import decimal_text
        return decimal_text(self, prec)

    def sort(self):
        from .sorts import RealSort
        return RealSort()

    def sexpr(self):
        return smtlib_number(Fraction(self.numerator, self.denominator), REAL, decimals=True)

    def __repr__(self):
        from .print_options import real_text
        return real_text(self)

    __str__ = __repr__


def z3_value(value, sort=None):
    """The value as the API returns it: IntNumRef / RatNumRef for numbers, bool as it is."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (IntNumRef, RatNumRef)):
        return value
    if sort == REAL or (sort is None and isinstance(value, Fraction)):
        return RatNumRef(value)
    if isinstance(value, int):
        return IntNumRef(value)
    return RatNumRef(value)


class FuncDecl:
    """A constant's declaration, as `m.decls()` and iteration over a model give them:
    `name()`, `arity()`, `range()`, calling it gives the constant, it prints as its name,
    and `m[decl]` is the constant's value."""

    __slots__ = ("_var",)

    def __init__(self, var):
        self._var = var

    def name(self):
        return self._var.name

    def arity(self):
        return 0

    def range(self):
        from .sorts import sort_of
        return sort_of(self._var.sort)

    def kind(self):
        return "uninterpreted"

    def __call__(self):
        return self._var

    def __eq__(self, other):
        return isinstance(other, FuncDecl) and self._var.key() == other._var.key()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self._var.key())

    def __lt__(self, other):  # sorted(m.decls()), sorted by name as z3 users often do
        return str(self) < str(other)

    def sexpr(self):
        return f"(declare-fun {self._var.name} () {self._var.sort})"

    def __repr__(self):
        return self._var.name

    __str__ = __repr__


def decl_var(item):
    """The variable Term a model is indexed by: a variable Term or a FuncDecl of one."""
    if isinstance(item, FuncDecl):
        return item._var
    if isinstance(item, Term) and item.op == "var":
        return item
    return None


__all__ = ["FuncDecl", "IntNumRef", "RatNumRef", "z3_value", "BOOL"]
