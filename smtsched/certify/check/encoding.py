"""The checker's own encoding G of an input (docs/certificates.md, "Checking problem.cnf").

An input reader (`.smtlib`, `.sched`) builds one `Encoding`: Boolean variables for the input's
Boolean constants, canonical difference atoms, Tseitin gates with their full clauses, the
clauses of the input's formula, the arithmetic variables with their sorts, the global
constraints (in constraints.json's shape) and, for optimisation inputs, the objective and a
schedule checker. The certificate checker then maps every variable of atoms.txt onto G's
literals by meaning and checks the certificate's clauses against G.

Nothing here trusts the certificate: G is built from the input alone, and the certificate's
atoms are looked up in it (or added to it as fresh atoms, which carry no clauses).

Canonical atoms. `x - y <= c` and its negation share one variable: over Int the negation is
`y - x <= -c - 1`, over Real it is `y - x < -c` (and the negation of `x - y < c` is
`y - x <= -c`). Of the two orientations the one with the smaller variable (the origin `None`
first, then names in string order) on the left is the positive literal; an Int bound is kept
as a non-strict integer bound (x - y < c is x - y <= ceil(c) - 1). This is the convention of
smtsched's own lowering, but the checker re-derives it here and never imports it.
"""

from fractions import Fraction
from math import ceil, floor

__all__ = ["Encoding", "Difference"]

SORTS = ("Int", "Real")
GATES = ("and", "or", "xor", "ite", "iff")


def _order_key(name):
    """Variables sort with the origin (None) first, then by name."""
    return (0, "") if name is None else (1, name)


class Difference:
    """The difference constraint x - y <= c (strict: x - y < c) over one sort.

    As an edge of a constraint graph it runs y -> x with weight c (docs: "The rules")."""

    __slots__ = ("sort", "x", "y", "c", "strict")

    def __init__(self, sort, x, y, c, strict=False):
        self.sort, self.x, self.y, self.c, self.strict = sort, x, y, c, strict

    def negation(self):
        """The constraint that holds exactly when this one fails."""
        if self.sort == "Int":
            return Difference("Int", self.y, self.x, -self.c - 1, False)
        # Real: not (x - y <= c) is y - x < -c; not (x - y < c) is y - x <= -c.
        return Difference("Real", self.y, self.x, -self.c, not self.strict)

    def key(self):
        return (self.sort, self.x, self.y, self.c, self.strict)

    def __eq__(self, other):
        return isinstance(other, Difference) and self.key() == other.key()

    def __hash__(self):
        return hash(self.key())

    def __repr__(self):
        op = "<" if self.strict else "<="
        return f"{self.sort} {self.x!r} - {self.y!r} {op} {self.c}"


def _number(c, sort):
    """c as an exact number of the sort (int for Int bounds, Fraction for Real)."""
    if isinstance(c, bool) or not isinstance(c, (int, Fraction)):
        raise ValueError(f"bound {c!r} is not an int or a Fraction")
    if sort == "Real":
        return Fraction(c)
    return c


class Encoding:
    """The checker's encoding G of one input.

    Fields a reader fills in:
    - `num_vars`, `clauses` (lists of non-zero ints): the Boolean part, grown through `add`,
      `fresh`, `boolean`, `atom`, `gate` and `true`;
    - `sorts`: arithmetic variable name -> "Int" or "Real" (`declare`);
    - `constraints`: the input's global constraints, each a dict in constraints.json's shape
      (`{"kind": "cumulative"|"disjunctive", "name", "capacity", "tasks": [{"start",
      "duration", "demand"}]}`; a disjunctive one may omit capacity and demands, read as 1);
    - `objective`: None, or `{"name": "makespan", "variable": "makespan"}`: the objective's
      name as the manifest's claim gives it, and the arithmetic variable equal to (or, for a
      minimised objective, at least) it, which an optimality bound atom constrains;
    - `check_schedule`: None, or a callable `starts (dict name -> int) -> objective value`
      that raises ValueError with a reason when the schedule breaks the input;
    - `assumption_atoms`: None, or (SMT-LIB `check-sat-assuming`) the list of G literals the
      query assumes; the checker compares the manifest's assumptions with them;
    - `memories`: None, or (model.json) the model's memories, a memory.MemoryModel.
    """

    def __init__(self):
        self.num_vars = 0
        self.clauses = []
        self.sorts = {}
        self.constraints = []
        self.objective = None
        self.check_schedule = None
        self.assumption_atoms = None
        self.memories = None
        self.booleans = {}  # name -> var
        # canonical atoms by their key (sort, x, y, c, strict), Difference.key() of the positive
        # literal's meaning: plain tuples, so that looking up an Int atom builds no object
        self._atoms = {}  # key -> var
        self._meaning = {}  # var -> key
        self._differences = {}  # literal -> Difference, made when first asked for
        self._gates = {}  # (op, lits) -> literal
        self._true = None

    # -- variables and clauses -------------------------------------------------------------

    def fresh(self):
        """A new variable with no meaning and no clauses."""
        self.num_vars += 1
        return self.num_vars

    def add(self, clause):
        """Add a clause of G (a list of non-zero literals of existing variables)."""
        clause = list(clause)
        for lit in clause:
            if not isinstance(lit, int) or lit == 0 or abs(lit) > self.num_vars:
                raise ValueError(f"clause {clause} has a literal outside 1..{self.num_vars}")
        self.clauses.append(clause)

    def true(self):
        """The literal that is always true (a variable with a unit clause)."""
        if self._true is None:
            self._true = self.fresh()
            self.add([self._true])
        return self._true

    def declare(self, name, sort):
        """Declare an arithmetic variable; declaring it again with another sort is an error."""
        if sort not in SORTS:
            raise ValueError(f"unknown sort {sort!r} of {name!r}")
        if self.sorts.setdefault(name, sort) != sort:
            raise ValueError(f"{name!r} declared as {self.sorts[name]} and as {sort}")

    def boolean(self, name):
        """The variable of the input's Boolean constant `name` (made on first use)."""
        var = self.booleans.get(name)
        if var is None:
            var = self.booleans[name] = self.fresh()
        return var

    # -- difference atoms ------------------------------------------------------------------

    def atom(self, sort, x, y, c, strict=False):
        """The literal meaning x - y <= c (x - y < c when strict), x and y names or None.

        Hash-consed: the same meaning, in either orientation, gives the same variable.
        Names need not be declared here (the checker checks declarations where it matters)."""
        if sort == "Int" and not strict and type(c) is int and x != y:
            # the common case, without objects: canonical() gives the same key and sign
            if x is None or (y is not None and x < y):
                key, positive = ("Int", x, y, c, False), True
            else:
                key, positive = ("Int", y, x, -c - 1, False), False
        else:
            canon, positive = self.canonical(sort, x, y, c, strict)
            if canon is True:
                return self.true() if positive else -self.true()
            key = canon.key()
        var = self._atoms.get(key)
        if var is None:
            self.num_vars += 1
            var = self._atoms[key] = self.num_vars
            self._meaning[var] = key
        return var if positive else -var

    def int_atoms(self):
        """[(x, y, c, var)] of the Int atoms of G, x - y <= c the meaning of var, in the
        order of their variables."""
        return [(x, y, c, var) for (sort, x, y, c, _), var in self._atoms.items()
                if sort == "Int"]

    @staticmethod
    def canonical(sort, x, y, c, strict=False):
        """(canonical Difference, sign) of x - y <= c, or (True, truth value) when x is y."""
        if sort not in SORTS:
            raise ValueError(f"unknown sort {sort!r}")
        if strict and sort == "Int":
            # x - y < c over Int is x - y <= ceil(c) - 1.
            c, strict = ceil(Fraction(c)) - 1, False
        c = _number(c, sort)
        if sort == "Int" and not isinstance(c, int):
            c = int(floor(c))
        if x == y:
            return True, (0 < c if strict else 0 <= c)
        d = Difference(sort, x, y, c, bool(strict))
        if _order_key(x) < _order_key(y):
            return d, True
        return d.negation(), False

    def meaning(self, lit):
        """The Difference that holds when the literal is true, or None if it is no atom."""
        d = self._differences.get(lit)
        if d is None:
            key = self._meaning.get(abs(lit))
            if key is None:
                return None
            d = Difference(*key)
            if lit < 0:
                d = d.negation()
            self._differences[lit] = d
        return d

    def is_atom(self, lit):
        return abs(lit) in self._meaning

    # -- Tseitin gates -----------------------------------------------------------------------

    def gate(self, op, lits):
        """The literal defined as op(lits), with the full Tseitin clauses (both directions).

        and/or/xor take any number of literals (and() is true, or() is false, xor() is false),
        ite exactly three (if, then, else), iff exactly two. Hash-consed on (op, lits)."""
        lits = [int(l) for l in lits]
        for lit in lits:
            if lit == 0 or abs(lit) > self.num_vars:
                raise ValueError(f"{op} over a literal outside 1..{self.num_vars}: {lit}")
        if op in ("and", "or", "xor"):
            key = (op, tuple(sorted(set(lits)) if op != "xor" else sorted(lits)))
        elif op == "ite":
            if len(lits) != 3:
                raise ValueError(f"ite needs 3 literals, got {len(lits)}")
            key = (op, tuple(lits))
        elif op == "iff":
            if len(lits) != 2:
                raise ValueError(f"iff needs 2 literals, got {len(lits)}")
            key = (op, tuple(sorted(lits)))
        else:
            raise ValueError(f"unknown gate {op!r}")
        found = self._gates.get(key)
        if found is not None:
            return found
        lits = list(key[1])
        if op == "and":
            if not lits:
                out = self.true()
            else:
                out = self.fresh()
                for lit in lits:
                    self.add([-out, lit])
                self.add([out] + [-lit for lit in lits])
        elif op == "or":
            if not lits:
                out = -self.true()
            else:
                out = self.fresh()
                for lit in lits:
                    self.add([out, -lit])
                self.add([-out] + lits)
        elif op == "xor":
            out = -self.true()
            for lit in lits:
                out = self._xor2(out, lit)
        elif op == "ite":
            c, t, e = lits
            out = self.fresh()
            self.add([-c, -t, out])
            self.add([-c, t, -out])
            self.add([c, -e, out])
            self.add([c, e, -out])
            # Redundant but propagation-strengthening: t and e agreeing fixes out.
            self.add([-t, -e, out])
            self.add([t, e, -out])
        else:  # iff
            a, b = lits
            out = self.fresh()
            self.add([-out, -a, b])
            self.add([-out, a, -b])
            self.add([out, a, b])
            self.add([out, -a, -b])
        self._gates[key] = out
        return out

    def _xor2(self, a, b):
        if self._true is not None and a == -self._true:
            return b
        out = self.fresh()
        self.add([-out, a, b])
        self.add([-out, -a, -b])
        self.add([out, -a, b])
        self.add([out, a, -b])
        return out
