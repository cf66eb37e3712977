"""Model values as z3py hands them out, that are still Python numbers.

z3 scripts read values with `m[x].as_long()`, `as_fraction()`, `as_decimal(n)`; smtsched code
(and its tests) computes with them as int / Fraction. `IntNumRef` is an int and `RatNumRef` a
Fraction, with z3's reading methods and z3's printing; arithmetic on them gives plain int /
Fraction, which smtsched's own code (smtsched.sched, the SMT-LIB front end) relies on.
The models that `smtsched.Solver` and `smtsched.Optimize` hand to users (Z3Model) give the
subclasses Z3IntNumRef / Z3RatNumRef instead, whose arithmetic follows z3's: in z3 a value is
a term, `m[x] + 1` is the term `3 + 1` and prints so. Here it is an ArithValue: a number
(an int or a Fraction, 4) that prints as z3's term (3 + 1), so that a z3 script prints what
it printed under z3 while int(), hashing, ordering and further arithmetic stay those of the
number. `==` / `!=` give a ValueEquation, which prints as z3's (`3 + 1 == 4`) and whose truth
is the numbers' (z3's is structural, False there); `<` & co. give a bool (z3: a formula
printing `3 < 4`, which has no truth in Python, so no script branches on it).
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


# -- values with z3's arithmetic ---------------------------------------------------------------
def _plain(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, Fraction):
        return Fraction(value.numerator, value.denominator)
    return value


def _as_z3_term(value, like=None):
    """The term z3 would hold for a value operand: its ArithValue term or a constant (of the
    sort of `like`, as z3 coerces 1 next to a Real)."""
    term = getattr(value, "_z3_term", None)
    if term is not None:
        return term
    from .terms import _as_term
    return _as_term(_plain(value), like)


_NUMBER_TYPES = (int, Fraction)


def _symbolic(op, a, b=None):
    """a op b as z3 computes it on values: the number, printing as z3's term. Operands that
    are not exact numbers (floats, terms) are left to Python / to Term."""
    from .errors import SmtschedError
    if op == "neg":
        value = -_plain(a)
    else:
        if not isinstance(b, _NUMBER_TYPES) or isinstance(b, bool):
            return NotImplemented
        x, y = _plain(a), _plain(b)
        value = x + y if op == "add" else x - y if op == "sub" else x * y
    # the written term goes into formulas (x <= m[y] + 1) unless it holds a product of two
    # terms, which difference logic has no place for: there the number goes in
    linear = all(getattr(v, "_z3_linear", True) for v in (a, b))
    try:
        left = _as_z3_term(a)
        if op == "neg":
            term = -left
        else:
            right = _as_z3_term(b, left)
            if op == "add":
                term = left + right
            elif op == "sub":
                term = left - right
            elif left.op != "const" and right.op != "const":
                term, linear = Term("mul", (left, right), left.sort), False   # 3*-3
            elif left.op == "const" and right.op != "const":
                term = right.__rmul__(left)   # 2*(3 + 1): the factor first, as written
            else:
                term = left * right
    except SmtschedError:
        return value   # z3 mixes Int and Real where the fragment does not: the number
    if isinstance(value, int):
        return IntArithValue(value, term, linear)
    return RealArithValue(value, term, linear)


def _reflected(op):
    def method(self, other):
        if not isinstance(other, _NUMBER_TYPES) or isinstance(other, bool):
            return NotImplemented
        return _symbolic(op, other, self)
    return method


class ValueEquation(Term):
    """m[x] == 3 as z3 writes it (the formula `3 == 3`), whose truth in Python is that of the
    numbers (z3's is structural: `3 + 1 == 4` would be False there; no script relies on that)."""
    __slots__ = ("_truth",)


def _equation(op, a, b):
    from .errors import SmtschedError
    if not isinstance(b, _NUMBER_TYPES) or isinstance(b, bool):
        # floats, None, strings...: as the number compares (3 == 3.0, 3 != None)
        return (_plain(a) == b) == (op == "eq")
    truth = (_plain(a) == _plain(b)) == (op == "eq")
    try:
        left = _as_z3_term(a)
        right = _as_z3_term(b, left)
        if left.sort != right.sort:
            return truth
    except SmtschedError:
        return truth
    equation = ValueEquation(op, (left, right), BOOL)
    equation._truth = truth
    return equation


ValueEquation.__bool__ = lambda self: self._truth


class _Z3Arithmetic:
    """z3's arithmetic on values (+, -, *, unary -) and equations (==, !=): results print as
    z3's terms; the concrete classes set __hash__ back to their number's."""
    __slots__ = ()

    def __eq__(self, other):
        return _equation("eq", self, other)

    def __ne__(self, other):
        return _equation("distinct", self, other)

    def __add__(self, other):
        return _symbolic("add", self, other)

    def __sub__(self, other):
        return _symbolic("sub", self, other)

    def __mul__(self, other):
        return _symbolic("mul", self, other)

    __radd__ = _reflected("add")
    __rsub__ = _reflected("sub")
    __rmul__ = _reflected("mul")

    def __neg__(self):
        return _symbolic("neg", self)

    def __pos__(self):
        return self


class IntArithValue(_Z3Arithmetic, int):
    """An Int term over values only (m[x] + 1): the number, printing as z3 prints the term.
    (No __slots__: int's subclasses cannot have non-empty ones.)"""
    __hash__ = int.__hash__

    def __new__(cls, value, term, linear=True):
        self = super().__new__(cls, value)
        self._z3_term = term
        self._z3_linear = linear
        return self

    def sort(self):
        from .sorts import IntSort
        return IntSort()

    def sexpr(self):
        return self._z3_term.sexpr()

    def __repr__(self):
        return repr(self._z3_term)

    __str__ = __repr__

    def __format__(self, spec):
        return str(self) if not spec else format(int(self), spec)


class RealArithValue(_Z3Arithmetic, Fraction):
    """A Real term over values only: the Fraction, printing as z3 prints the term."""
    __slots__ = ("_z3_term", "_z3_linear")
    __hash__ = Fraction.__hash__

    def __new__(cls, value, term, linear=True):
        self = super().__new__(cls, value.numerator, value.denominator)
        self._z3_term = term
        self._z3_linear = linear
        return self

    def sort(self):
        from .sorts import RealSort
        return RealSort()

    def sexpr(self):
        return self._z3_term.sexpr()

    def __repr__(self):
        return repr(self._z3_term)

    __str__ = __repr__


class Z3IntNumRef(_Z3Arithmetic, IntNumRef):
    """The Int value a user's model gives: an IntNumRef whose arithmetic is z3's."""
    __slots__ = ()
    __hash__ = int.__hash__


class Z3RatNumRef(_Z3Arithmetic, RatNumRef):
    """The Real value a user's model gives: a RatNumRef whose arithmetic is z3's."""
    __slots__ = ()
    __hash__ = Fraction.__hash__


def user_value(value, sort=None):
    """The value as the public models (Z3Model) return it: z3_value with z3's arithmetic."""
    value = z3_value(value, sort)
    if value is None or isinstance(value, (bool, Z3IntNumRef, Z3RatNumRef)):
        return value
    if isinstance(value, IntNumRef):
        return Z3IntNumRef(int(value))
    return Z3RatNumRef(value)


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


from .z3_decls import FuncDecl, OpDecl, Z3_OP_KINDS  # noqa: E402,F401  (re-exported)


def decl_var(item):
    """The variable Term a model is indexed by: a variable Term or a FuncDecl of one."""
    if isinstance(item, FuncDecl):
        return item._var
    if isinstance(item, Term) and item.op == "var":
        return item
    return None


__all__ = ["FuncDecl", "IntArithValue", "IntNumRef", "RatNumRef", "RealArithValue",
           "Z3IntNumRef", "Z3RatNumRef", "user_value", "z3_value", "BOOL"] + [
               "Z3_OP_" + name for name in Z3_OP_KINDS]
globals().update({"Z3_OP_" + name: number for name, number in Z3_OP_KINDS.items()})
