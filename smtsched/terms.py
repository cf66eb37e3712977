"""Terms and formulas of the z3py-shaped API: Bool, Int and Real expressions.

A term is an immutable tree: `op` (a string), `args` (sub-terms) and `sort` ("Bool", "Int",
"Real"); variables carry `name`, constants `value` (bool, int or Fraction). Variables are
identified by (name, sort), as in z3: `Int("x")` twice is the same variable.

Python operators build terms (`x + 3 <= y`), so `==` builds an equation; dictionaries keyed by
terms must use `term.key()` or `id(term)`, never the term itself.
Anything that cannot be a difference-logic term (a product of variables, Int mixed with Real)
raises UnsupportedError here, naming the term; the remaining shape checks (x + y <= 3) happen in
`smtsched.compile` when an atom is normalised.
"""
from fractions import Fraction
from numbers import Rational

from .errors import SortError, UnsupportedError



class SortName(str):
    """The sort of a term: the string "Bool", "Int" or "Real" (what smtsched's own code
    compares `term.sort` with), that can also be called as z3's method: `x.sort()` gives the
    sort object (smtsched.sorts.SortRef), which prints as z3's ("Int"). One attribute serves
    both, so the many readers of `term.sort` as a string need no change."""
    __slots__ = ()

    def __call__(self):
        from .sort_refs import sort_of
        return sort_of(self)


BOOL, INT, REAL = SortName("Bool"), SortName("Int"), SortName("Real")


class Term:
    __slots__ = ("op", "args", "sort", "name", "value")

    def __init__(self, op, args, sort, name=None, value=None):
        self.op = op
        self.args = args
        self.sort = sort
        self.name = name
        self.value = value

    def key(self):
        """A hashable identity: (name, sort) for variables, else the object's id."""
        return ("var", self.name, self.sort) if self.op == "var" else id(self)

    def is_bool(self):
        return self.sort == BOOL

    # z3's ExprRef methods for looking into a term (z3.py: decl, children, arg, eq, hash)
    def is_int(self):
        return self.sort == INT

    def is_real(self):
        return self.sort == REAL

    def decl(self):
        """The declaration: the variable's (a FuncDecl) or the operator's (name() "+",
        printing as z3's "+", "And", "If"...); constants have theirs in z3, refused here."""
        from .z3_decls import FuncDecl, OpDecl
        if self.op == "var":
            return FuncDecl(self)
        return OpDecl(self)

    def children(self):
        """The arguments as z3 holds them (x*2 keeps its order; a variable has none)."""
        from .z3_printer import _operands
        if self.op in ("var", "const"):
            return []
        return list(_operands(self)) if self.op == "mul" and self.value == "right" else \
            [a if isinstance(a, Term) else _as_term(a.value, self) for a in _operands(self)]

    def num_args(self):
        return len(self.children())

    def arg(self, index):
        return self.children()[index]

    def eq(self, other):
        """Structural equality (z3's ExprRef.eq), where == builds an equation."""
        return isinstance(other, Term) and same_term(self, other)

    def hash(self):
        return hash(to_smtlib(self))

    def get_id(self):
        return id(self)

    def sexpr(self):
        return to_smtlib(self)

    # print(), str() and repr() write z3py's notation (x - y <= 5, And(p, q)), as z3 scripts
    # expect; format(), and so every f-string message, SMT-LIB, which the SMT-LIB front end's
    # errors and the rest of smtsched's messages were written in.
    def __repr__(self):
        from .z3_printer import z3_text
        return z3_text(self)

    __str__ = __repr__

    def __format__(self, spec):
        return format(to_smtlib(self), spec)

    # Structural truth, as z3 allows `if x == y:` on expressions; other terms have no truth.
    def __bool__(self):
        if self.op == "eq" and len(self.args) == 2:
            return same_term(self.args[0], self.args[1])
        if self.op == "distinct" and len(self.args) == 2:
            return not same_term(self.args[0], self.args[1])
        if self.op == "const" and self.sort == BOOL:
            return self.value
        raise SortError(f"the truth of the symbolic formula {self} is not known in Python; "
                        "add it to a Solver instead")

    __hash__ = object.__hash__

    # Arithmetic.
    def __add__(self, other):
        return _arith("add", self, other)

    def __radd__(self, other):
        return _arith("add", other, self)

    def __sub__(self, other):
        return _arith("sub", self, other)

    def __rsub__(self, other):
        return _arith("sub", other, self)

    def __neg__(self):
        _need_arith(self, "-")
        return Term("neg", (self,), self.sort)

    def __pos__(self):
        _need_arith(self, "+")
        return self

    def __mul__(self, other):
        return _scale(self, other, written_after=True)

    def __rmul__(self, other):
        return _scale(self, other)

    def __mod__(self, other):
        raise UnsupportedError(f"the remainder ({self!s} % {other}) is not difference logic")

    __rmod__ = __mod__

    def __truediv__(self, other):
        if isinstance(other, Term):
            raise UnsupportedError(f"division by a term is not difference logic: ({self} / {other})")
        if self.sort != REAL:
            raise UnsupportedError(f"division of the Int term {self}: use a Real term")
        divisor = _number(other, self)
        if divisor == 0:
            raise ZeroDivisionError(f"division of {self} by zero")
        quotient = _scale(self, Fraction(1) / divisor)
        quotient.value = ("div", divisor)   # printed as written: r/2 (smtsched.z3_printer)
        return quotient

    # Comparisons.
    def __le__(self, other):
        return _compare("le", self, other)

    def __lt__(self, other):
        return _compare("lt", self, other)

    def __ge__(self, other):
        return _compare("ge", self, other)

    def __gt__(self, other):
        return _compare("gt", self, other)

    def __eq__(self, other):
        a, b = _coerce_pair(self, other)
        return Term("eq", (a, b), BOOL)

    def __ne__(self, other):
        a, b = _coerce_pair(self, other)
        return Term("distinct", (a, b), BOOL)


class DifferenceClause:
    """An assertion of Int difference atoms, (or l1 ... lk) or a single literal l, held as a
    compact record instead of a Term tree: each literal is (negated, op, x, y, c) for
    `(x - y) op c` (negated: `(not ...)`), op in le lt ge gt, x and y two distinct Int
    variable Terms, c an int. The SMT-LIB shortcut (smtlib/fast_assert.py) makes them, the
    compiler reads the literals directly (Compiler.difference_clause), and `term()` builds,
    once, the very Term the elaborator would have built, for everyone else (Solver.assertions,
    the model check, printing). Why: the Term of one such line is ~11 objects, and building
    them was a third of reading a 10,000-node random DL file that no one walks when it is
    unsat."""
    __slots__ = ("literals", "clause", "_term")
    sort = BOOL

    def __init__(self, literals, clause):
        self.literals = literals  # tuple of (negated, op, x, y, c)
        self.clause = clause      # True: (or ...) of the literals; False: the one literal
        self._term = None

    def term(self):
        built = self._term
        if built is None:
            atoms = []
            for negated, op, x, y, c in self.literals:
                atom = Term(op, (Term("sub", (x, y), INT), Term("const", (), INT, value=c)),
                            BOOL)
                if negated:
                    atom = Term("not", (atom,), BOOL)
                atoms.append(atom)
            built = self._term = Term("or", tuple(atoms), BOOL) if self.clause else atoms[0]
        return built


def same_term(a, b):
    """Structural equality of two terms (iterative, so deep terms are fine)."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if x is y:
            continue
        if (x.op, x.sort, x.name, len(x.args)) != (y.op, y.sort, y.name, len(y.args)):
            return False
        if x.op == "const" and (x.value != y.value or type(x.value) is not type(y.value)):
            return False
        if x.op != "const" and x.value != y.value:  # weights, durations, bounds
            return False
        stack.extend(zip(x.args, y.args))
    return True


# ---------------------------------------------------------------------- constructors
def _number(value, context=None):
    """A Python number as an exact Fraction/int; floats by their shortest decimal, as z3 does."""
    if isinstance(value, bool):
        raise SortError(f"a Boolean value where a number is expected{_near(context)}")
    if value.__class__ is int:
        return value
    if isinstance(value, int):
        return int(value)  # a model's IntNumRef: a plain int in terms (same_term compares types)
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return int(value.numerator)
        return value if value.__class__ is Fraction else Fraction(value.numerator,
                                                                  value.denominator)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise UnsupportedError(f"the float {value} is not a number{_near(context)}")
        return _number(Fraction(repr(value)))
    if isinstance(value, Rational):
        return _number(Fraction(value.numerator, value.denominator))
    raise SortError(f"cannot use {value!r} of type {type(value).__name__} as a term{_near(context)}")


def _near(context):
    return f" (next to {context})" if context is not None else ""


def _const(value, sort):
    return Term("const", (), sort, value=value)


def _as_term(value, like=None):
    """Lift a Python value to a term, taking the sort from `like` for numbers."""
    if isinstance(value, Term):
        return value
    if isinstance(value, bool):
        return _const(value, BOOL)
    written = getattr(value, "_z3_term", None)  # a user model's m[x] + 1 (smtsched.values)
    if written is not None and value._z3_linear and (like is None or like.sort == written.sort):
        return written
    number = _number(value, like)
    if like is not None and like.sort == REAL:
        return _const(Fraction(number), REAL)
    if isinstance(number, int):
        return _const(number, INT)
    if like is not None and like.sort == INT:
        raise UnsupportedError(f"the non-integer constant {number} next to the Int term {like}")
    return _const(number, REAL)


def _need_arith(term, what):
    if term.sort == BOOL:
        raise SortError(f"arithmetic '{what}' applied to the formula {term}")


def _coerce_pair(a, b):
    if not isinstance(a, Term):
        a = _as_term(a, b)
    if not isinstance(b, Term):
        b = _as_term(b, a)
    if a.sort != b.sort:
        if BOOL in (a.sort, b.sort):
            raise SortError(f"cannot combine {a} ({a.sort}) with {b} ({b.sort})")
        raise UnsupportedError(f"{a} ({a.sort}) and {b} ({b.sort}) mix Int and Real; "
                               "difference logic keeps the two apart")
    return a, b


def _arith(op, a, b):
    a, b = _coerce_pair(a, b)
    _need_arith(a, "+" if op == "add" else "-")
    return Term(op, (a, b), a.sort)


def _scale(term, factor, written_after=False):
    if isinstance(factor, Term):
        if factor.op != "const":
            raise UnsupportedError(f"product of two terms is not difference logic: ({term} * {factor})")
        factor = factor.value
    _need_arith(term, "*")
    factor = _number(factor, term)
    if term.sort == INT and not isinstance(factor, int):
        raise UnsupportedError(f"the Int term {term} times the non-integer {factor}")
    # the factor always comes first; value "right" remembers x*2 (for printing it as written)
    return Term("mul", (_as_term(factor, term), term), term.sort,
                value="right" if written_after else None)


def _compare(op, a, b):
    a, b = _coerce_pair(a, b)
    _need_arith(a, op)
    return Term(op, (a, b), BOOL)


def _bool_args(name, args):
    if len(args) == 1 and (isinstance(args[0], (list, tuple)) or (
            not isinstance(args[0], (Term, bool)) and hasattr(args[0], "__iter__"))):
        args = tuple(args[0])   # a list, or any iterable as z3 takes (And(v > 0 for v in xs))
    for arg in args:  # the common case, formulas only, without building a new tuple
        if arg.__class__ is not Term or arg.sort != BOOL:
            break
    else:
        return tuple(args)
    out = []
    for arg in args:
        term = _as_term(arg)
        if term.sort != BOOL:
            raise SortError(f"{name} expects formulas, got the {term.sort} term {term}")
        out.append(term)
    return tuple(out)


def Bool(name):
    return Term("var", (), BOOL, name=str(name))


def Int(name):
    return Term("var", (), INT, name=str(name))


def Real(name):
    return Term("var", (), REAL, name=str(name))


def _many(make, names):
    if isinstance(names, str):
        names = names.split()
    return [make(n) for n in names]


def Bools(names):
    return _many(Bool, names)


def Ints(names):
    return _many(Int, names)


def Reals(names):
    return _many(Real, names)


class ValueTerm(Term):
    """A constant made by IntVal / RealVal / BoolVal: a Term like any other, of a subclass only
    so that Python orders a comparison as it does for z3's values (x <= IntVal(3) runs the
    subclass's reflected method first: 3 >= x, which is what z3 builds and prints).
    It reads as z3's IntNumRef / RatNumRef do: IntVal(3).as_long(), Q(1, 3).as_fraction()."""
    __slots__ = ()

    def _number(self):
        if self.sort == BOOL:
            raise SortError(f"{self} is a Boolean value, not a number")
        return Fraction(self.value)

    def as_long(self):
        number = self._number()
        if number.denominator != 1:
            raise SortError(f"{self} is not an integer (as_long)")
        return int(number)

    def as_fraction(self):
        return self._number()

    def as_string(self):
        number = self._number()
        return str(number.numerator) if self.sort == INT else str(number)

    def as_decimal(self, prec):
        from .print_options import decimal_text
        number = self._number()
        return str(number.numerator) if self.sort == INT else decimal_text(number, prec)

    def numerator_as_long(self):
        return int(self._number().numerator)

    def denominator_as_long(self):
        return int(self._number().denominator)

    def is_int_value(self):
        return self.sort == INT or self._number().denominator == 1


def BoolVal(value):
    return ValueTerm("const", (), BOOL, value=bool(value))


def _numeral(value):
    """z3's IntVal / RealVal also take numerals as strings: "12", "-3", "0.125", "7/3"."""
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except ValueError:
            raise SortError(f"{value!r} is not a numeral") from None
    return value


def IntVal(value):
    number = _number(_numeral(value))
    if not isinstance(number, int):
        raise SortError(f"IntVal of the non-integer {value}")
    return ValueTerm("const", (), INT, value=number)


def RealVal(value):
    return ValueTerm("const", (), REAL, value=Fraction(_number(_numeral(value))))


def And(*args):
    return Term("and", _bool_args("And", args), BOOL)


def Or(*args):
    return Term("or", _bool_args("Or", args), BOOL)


def Not(a):
    (a,) = _bool_args("Not", (a,))
    return Term("not", (a,), BOOL)


def Implies(a, b):
    return Term("implies", _bool_args("Implies", (a, b)), BOOL)


def Xor(a, b):
    return Term("xor", _bool_args("Xor", (a, b)), BOOL)


def If(condition, then, otherwise):
    (condition,) = _bool_args("If's condition", (condition,))
    if not isinstance(then, Term) and not isinstance(otherwise, Term):
        # If(c, 1, 0) / If(c, 1, 2.5): constants, lifted as z3 lifts them (Real if either is)
        then = _as_term(then)
        if then.sort == INT and not isinstance(otherwise, (bool, int)):
            then = _const(Fraction(then.value), REAL)
    then, otherwise = _coerce_pair(then, otherwise)
    return Term("ite", (condition, then, otherwise), then.sort)


def Distinct(*args):
    if len(args) == 1 and not isinstance(args[0], Term) and hasattr(args[0], "__iter__"):
        args = tuple(args[0])
    if len(args) < 2:
        raise SortError("Distinct needs at least two terms")
    terms = [a for a in args if isinstance(a, Term)]
    like = terms[0] if terms else None
    lifted = [_as_term(a, like) for a in args]
    for other in lifted[1:]:
        _coerce_pair(lifted[0], other)
    return Term("distinct", tuple(lifted), BOOL)


def Disjunctive(starts, durations):
    """A global constraint: the tasks (Int start terms, integer durations) never overlap.

    Only as a top-level assertion. It means the pairwise disjunctions "one ends before the other
    starts" (and prints as them), and it also brings in the disjunctive theory, which reasons
    on the whole set at once (the load of the machine between its tasks' earliest starts and
    latest ends)."""
    starts = list(starts)
    durations = [_number(d) for d in durations]
    if len(starts) != len(durations):
        raise SortError("Disjunctive needs as many durations as starts")
    for start in starts:
        if not isinstance(start, Term) or start.sort != INT:
            raise SortError(f"Disjunctive takes Int start terms, got {start!r}")
    for d in durations:
        if not isinstance(d, int) or d < 0:
            raise SortError(f"Disjunctive durations are non-negative integers, got {d!r}")
    return Term("disjunctive", tuple(starts), BOOL, value=tuple(durations))


def expand_disjunctive(term):
    """The pairwise meaning of a Disjunctive term: And of (s_j - s_i >= d_i or s_i - s_j >= d_j)."""
    starts, durations = term.args, term.value
    parts = []
    for i in range(len(starts)):
        for j in range(i + 1, len(starts)):
            if durations[i] and durations[j]:
                parts.append(Or(starts[j] - starts[i] >= durations[i],
                                starts[i] - starts[j] >= durations[j]))
    return And(*parts)


def Cumulative(starts, durations, demands, capacity, windows=None):
    """A global constraint: at every instant, the demands of the running tasks (Int start
    terms, integer durations and demands) sum to at most `capacity` (a renewable resource).

    Only as a top-level assertion. The cumulative theory refutes every overloaded schedule by
    a clause over the tasks' ordering atoms; pairs that can never overlap also get their
    disjunction. It prints as the task-based decomposition (at each task's start, the demands
    running then fit), which is linear integer arithmetic rather than difference logic.

    `windows` (optional, one (earliest, latest) pair of integers per task, or None for a task)
    changes no meaning: it asks for the bound literals "start >= v" of every v in
    (earliest, latest], through which the theory also moves start times (timetable
    filtering). Give the range the starts can take under the tightest bound the search will
    be asked for; a start outside it is still allowed, only not moved."""
    starts = list(starts)
    durations = [_number(d) for d in durations]
    demands = [_number(r) for r in demands]
    capacity = _number(capacity)
    if not (len(starts) == len(durations) == len(demands)):
        raise SortError("Cumulative needs as many durations and demands as starts")
    for start in starts:
        if not isinstance(start, Term) or start.sort != INT:
            raise SortError(f"Cumulative takes Int start terms, got {start!r}")
    for value in durations + demands + [capacity]:
        if not isinstance(value, int) or value < 0:
            raise SortError(f"Cumulative takes non-negative integers, got {value!r}")
    if windows is not None:
        windows = tuple(None if w is None else (_number(w[0]), _number(w[1])) for w in windows)
        if len(windows) != len(starts) or not all(
                w is None or (isinstance(w[0], int) and isinstance(w[1], int)) for w in windows):
            raise SortError("Cumulative windows: one (earliest, latest) pair of integers "
                            "(or None) per start")
    return Term("cumulative", tuple(starts), BOOL,
                value=(tuple(durations), tuple(demands), capacity, windows))


def expand_cumulative(term):
    """The task-based decomposition of a Cumulative term (for printing and for z3)."""
    starts = term.args
    durations, demands, capacity, _ = term.value
    parts = []
    for i in range(len(starts)):
        if not (durations[i] and demands[i]):
            continue
        load = IntVal(demands[i])
        for j in range(len(starts)):
            if j != i and durations[j] and demands[j]:
                running = And(starts[j] <= starts[i], starts[i] < starts[j] + durations[j])
                load = load + If(running, IntVal(demands[j]), IntVal(0))
        parts.append(load <= capacity)
    return And(*parts)


def WeightedCost(starts, durations, weights, bound, dues=None, guard=None):
    """A global constraint on the end times C_i = start_i + duration_i (Int start terms):
    sum_i weights[i] * C_i <= bound (weighted completion time) or, with `dues`,
    sum_i weights[i] * max(0, C_i - dues[i]) <= bound (weighted tardiness). With `guard` (a
    Bool variable) it is required only when the guard holds, so an optimiser can assume
    different bounds in turn.

    Only as a top-level assertion. The cost theory bounds every C_i from below by the
    difference-logic graph (the earliest start) and refutes a bound those lower bounds already
    exceed; models give every task its earliest start, so the bound holds in them. Weights are
    non-negative integers. It prints as the linear sum (with ite for tardiness)."""
    starts = list(starts)
    durations = [_number(d) for d in durations]
    weights = [_number(w) for w in weights]
    bound = _number(bound)
    if dues is not None:
        dues = [_number(d) for d in dues]
    if not (len(starts) == len(durations) == len(weights)) or (
            dues is not None and len(dues) != len(starts)):
        raise SortError("WeightedCost needs as many durations, weights (and dues) as starts")
    for start in starts:
        if not isinstance(start, Term) or start.sort != INT:
            raise SortError(f"WeightedCost takes Int start terms, got {start!r}")
    for value in durations + weights:
        if not isinstance(value, int) or value < 0:
            raise SortError(f"WeightedCost takes non-negative integers, got {value!r}")
    for value in [bound] + (dues or []):
        if not isinstance(value, int):
            raise SortError(f"WeightedCost takes integer bounds and dues, got {value!r}")
    args = tuple(starts)
    if guard is not None:
        if not isinstance(guard, Term) or guard.op != "var" or guard.sort != BOOL:
            raise SortError(f"the guard of WeightedCost is a Bool variable, got {guard!r}")
        args += (guard,)
    return Term("cost", args, BOOL, value=(tuple(durations), tuple(weights), bound,
                                           None if dues is None else tuple(dues),
                                           guard is not None))


def expand_cost(term):
    """The arithmetic meaning of a WeightedCost term (for printing and for z3)."""
    durations, weights, bound, dues, guarded = term.value
    starts = term.args[:-1] if guarded else term.args
    total = IntVal(0)
    for k, start in enumerate(starts):
        if not weights[k]:
            continue
        end = start + durations[k]
        if dues is None:
            total = total + weights[k] * end
        else:
            total = total + If(end > dues[k], weights[k] * (end - dues[k]), IntVal(0))
    meaning = total <= bound
    return Implies(term.args[-1], meaning) if guarded else meaning


def _cost_holds(values, durations, weights, bound, dues, guarded):
    if guarded and not values[-1]:
        return True
    total = 0
    for k in range(len(durations)):
        end = values[k] + durations[k]
        total += weights[k] * (end if dues is None else max(0, end - dues[k]))
    return total <= bound


# ---------------------------------------------------------------------- pseudo-Boolean
# The SMT-LIB names (z3's indexed functions) of the kinds, and the API names.
PB_KINDS = {"pble": "PbLe", "pbge": "PbGe", "pbeq": "PbEq", "at-most": "AtMost",
            "at-least": "AtLeast"}


def _pb_integer(value, what, name):
    if not isinstance(value, int) or isinstance(value, bool):
        raise SortError(f"{name} takes integer {what}, got {value!r}")
    return value


def _pseudo_boolean(kind, pairs, k):
    name = PB_KINDS[kind]
    if isinstance(pairs, Term):
        raise SortError(f"{name} takes a list of (formula, weight) pairs, got {pairs!r}")
    bools, weights = [], []
    for pair in pairs:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise SortError(f"{name} takes (formula, weight) pairs, got {pair!r}")
        (term,) = _bool_args(name, (pair[0],))
        bools.append(term)
        weights.append(_pb_integer(pair[1], "weights", name))
    return Term("pb", tuple(bools), BOOL,
                value=(kind, tuple(weights), _pb_integer(k, "bounds", name)))


def PbLe(pairs, k):
    """sum of the weights of the true formulas <= k, with `pairs` a list of (Bool formula,
    integer weight) as in z3.PbLe. Weights may be negative or zero.

    Only as a top-level assertion: the pseudo-Boolean theory propagates it on its own
    (slack-based, see theories/pseudo_boolean_ref.py). Prints as z3's ((_ pble k w1 .. wn) ..)."""
    return _pseudo_boolean("pble", pairs, k)


def PbGe(pairs, k):
    """sum of the weights of the true formulas >= k (see PbLe)."""
    return _pseudo_boolean("pbge", pairs, k)


def PbEq(pairs, k):
    """sum of the weights of the true formulas == k (see PbLe)."""
    return _pseudo_boolean("pbeq", pairs, k)


def _cardinality(kind, args):
    name = PB_KINDS[kind]
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        args = tuple(args[0])           # z3's AtMost([a, b, 2])
    elif len(args) == 2 and isinstance(args[0], (list, tuple)):
        args = tuple(args[0]) + (args[1],)  # AtMost([a, b], 2)
    if len(args) < 2:
        raise SortError(f"{name} takes formulas followed by the bound k, as in "
                        f"{name}(a, b, c, 2)")
    bools = _bool_args(name, args[:-1])
    k = _pb_integer(args[-1], "bounds", name)
    return Term("pb", bools, BOOL, value=(kind, (1,) * len(bools), k))


def AtMost(*args):
    """At most k of the formulas are true, in z3's calling style: AtMost(a, b, c, 2).
    Only as a top-level assertion (see PbLe)."""
    return _cardinality("at-most", args)


def AtLeast(*args):
    """At least k of the formulas are true: AtLeast(a, b, c, 2) (see AtMost)."""
    return _cardinality("at-least", args)


def misplaced_pseudo_boolean(formula, assumption=False):
    """The first pseudo-Boolean term of `formula` that is not a top-level assertion (one
    reached from the root through `and` only; with `assumption`, any), or None."""
    seen = set()  # (id, top): a shared term may sit at the top and below it as well
    stack = [(formula, not assumption)]
    while stack:
        node, top = stack.pop()
        if (id(node), top) in seen:
            continue
        seen.add((id(node), top))
        if node.op == "pb" and not top:
            return node
        if node.op == "pb":
            top = False  # its formulas are nested
        stack.extend((arg, top and node.op == "and") for arg in reversed(node.args))
    return None


def pb_holds(values, kind, weights, k):
    """The truth of a pseudo-Boolean term whose formulas have the truth `values`."""
    total = sum(w for v, w in zip(values, weights) if v)
    if kind in ("pble", "at-most"):
        return total <= k
    if kind in ("pbge", "at-least"):
        return total >= k
    return total == k


def pb_printable(term):
    """(head, formulas) for printing a pseudo-Boolean term in z3's syntax, or (bool, ()) when
    it is constant.

    z3 reads ((_ pble -4 -2 3) a b) only outside its strict SMT-LIB mode (indices are
    numerals), so negative weights are normalised away: w * a == w + |w| * (not a)."""
    kind, weights, k = term.value
    args = term.args
    if all(w >= 0 for w in weights) and k >= 0 and args:
        if kind in ("at-most", "at-least"):
            return f"(_ {kind} {k})", args
        return f"(_ {kind} {k} {' '.join(str(w) for w in weights)})", args
    relation = {"at-most": "pble", "at-least": "pbge"}.get(kind, kind)
    kept, kept_weights = [], []
    for arg, w in zip(args, weights):
        if w < 0:
            k -= w
            kept.append(Not(arg))
            kept_weights.append(-w)
        elif w > 0:
            kept.append(arg)
            kept_weights.append(w)
    total = sum(kept_weights)
    if relation == "pble" and (k < 0 or total <= k):
        return k >= 0, ()
    if relation == "pbge" and (k <= 0 or total < k):
        return k <= 0, ()
    if relation == "pbeq" and (k < 0 or total < k or not kept):
        return k == 0, ()
    return f"(_ {relation} {k} {' '.join(str(w) for w in kept_weights)})", tuple(kept)


def _fits(starts, durations, demands, capacity, windows=None):
    tasks = [(s, s + d, r) for s, d, r in zip(starts, durations, demands) if d and r]
    return all(sum(r for s, e, r in tasks if s <= at < e) <= capacity for at, _, _ in tasks)


def _no_overlap(starts, durations):
    spans = sorted((s, s + d) for s, d in zip(starts, durations) if d)
    return all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


# ---------------------------------------------------------------------- printing
_SMTLIB_OPS = {"and": "and", "or": "or", "not": "not", "implies": "=>", "xor": "xor", "ite": "ite",
               "eq": "=", "distinct": "distinct", "le": "<=", "lt": "<", "ge": ">=", "gt": ">",
               "add": "+", "sub": "-", "neg": "-", "mul": "*"}


def quote_symbol(name):
    """An SMT-LIB symbol for `name`, |quoted| when it is not a simple symbol."""
    simple = name and not name[0].isdigit() and all(
        c.isalnum() or c in "~!@$%^&*_-+=<>.?/" for c in name)
    return name if simple else "|" + name.replace("|", "").replace("\\", "") + "|"


def decimal_text(n):
    """str(n) for a non-negative int of any size (Python refuses str() beyond 4,300 digits)."""
    try:
        return str(n)
    except ValueError:
        pass
    # split into 4,000-digit limbs, most significant first
    limb = 10 ** 4000
    parts = []
    while n:
        n, low = divmod(n, limb)
        parts.append(low)
    text = str(parts[-1]) + "".join(str(p).rjust(4000, "0") for p in reversed(parts[:-1]))
    return text


def parse_decimal(text):
    """int(text) for a string of digits of any length."""
    try:
        return int(text)
    except ValueError:
        pass
    value = 0
    for start in range(0, len(text), 4000):
        chunk = text[start:start + 4000]
        value = value * 10 ** len(chunk) + int(chunk)
    return value


def smtlib_number(value, sort, decimals=False):
    """An SMT-LIB literal: (- 3), 2.0, (/ 1 3); with `decimals`, (/ 1.0 3.0), which stays a
    Real in logics that mix Int and Real."""
    if sort == BOOL:
        return "true" if value else "false"
    value = Fraction(value)
    magnitude = abs(value)
    numerator, denominator = decimal_text(magnitude.numerator), decimal_text(magnitude.denominator)
    if sort == INT:
        text = numerator
    elif magnitude.denominator == 1:
        text = f"{numerator}.0"
    elif decimals:
        text = f"(/ {numerator}.0 {denominator}.0)"
    else:
        text = f"(/ {numerator} {denominator})"
    return f"(- {text})" if value < 0 else text


def to_smtlib(term):
    """The SMT-LIB 2 text of a term (iterative: deep terms do not hit the recursion limit)."""
    out = []
    stack = [term]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif item.op == "disjunctive":
            stack.append(expand_disjunctive(item))
        elif item.op == "cumulative":
            stack.append(expand_cumulative(item))
        elif item.op == "cost":
            stack.append(expand_cost(item))
        elif item.op == "pb":
            head, args = pb_printable(item)
            if isinstance(head, bool):
                out.append("true" if head else "false")
                continue
            stack.append(")")
            for arg in reversed(args):
                stack.append(arg)
                stack.append(" ")
            out.append("(" + head)
        elif item.op in ("and", "or") and not item.args:
            out.append("true" if item.op == "and" else "false")
        elif item.op == "var":
            out.append(quote_symbol(item.name))
        elif item.op == "const":
            out.append(smtlib_number(item.value, item.sort, decimals=True))
        else:
            stack.append(")")
            for arg in reversed(item.args):
                stack.append(arg)
                stack.append(" ")
            out.append("(" + _SMTLIB_OPS[item.op])
    return "".join(out)


# ---------------------------------------------------------------------- evaluation
def evaluate(term, lookup):
    """The value of `term` (bool, int or Fraction) under `lookup(variable) -> value`.

    Iterative post-order with a per-call memo, so shared sub-terms are evaluated once.
    """
    memo = {}
    stack = [(term, False)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in memo:
            continue
        if node.op == "var":
            memo[id(node)] = lookup(node)
            continue
        if node.op == "const":
            memo[id(node)] = node.value
            continue
        if not expanded:
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if id(a) not in memo)
            continue
        values = [memo[id(a)] for a in node.args]
        if node.op == "disjunctive":
            memo[id(node)] = _no_overlap(values, node.value)
        elif node.op == "cumulative":
            memo[id(node)] = _fits(values, *node.value)
        elif node.op == "cost":
            memo[id(node)] = _cost_holds(values, *node.value)
        elif node.op == "pb":
            memo[id(node)] = pb_holds(values, *node.value)
        else:
            memo[id(node)] = _apply(node.op, values)
    return memo[id(term)]


def _apply(op, v):
    if op == "and":
        return all(v)
    if op == "or":
        return any(v)
    if op == "not":
        return not v[0]
    if op == "implies":
        return (not v[0]) or v[1]
    if op == "xor":
        return v[0] != v[1]
    if op == "ite":
        return v[1] if v[0] else v[2]
    if op == "eq":
        return all(x == v[0] for x in v[1:])
    if op == "distinct":
        return len(set(v)) == len(v)
    if op == "le":
        return v[0] <= v[1]
    if op == "lt":
        return v[0] < v[1]
    if op == "ge":
        return v[0] >= v[1]
    if op == "gt":
        return v[0] > v[1]
    if op == "add":
        return v[0] + v[1]
    if op == "sub":
        return v[0] - v[1]
    if op == "neg":
        return -v[0]
    if op == "mul":
        return v[0] * v[1]
    raise ValueError(f"unknown operator {op}")


def variables(terms):
    """The distinct variables occurring in `terms`, in first-occurrence order."""
    seen = {}
    visited = set()
    stack = list(reversed(list(terms)))
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if node.op == "var":
            seen.setdefault(node.key(), node)
        stack.extend(reversed(node.args))
    return list(seen.values())
