"""The core problem (issue 20): what every front end produces and the theory factory reads.

    clauses over SAT variables 1..num_vars
  + per arithmetic sort a DifferenceSpec: graph nodes (0 is the origin) and difference atoms
    x_p - x_q <= bound (< bound if strict), each owned by one SAT variable
  + the global constraints, as typed specs (smtsched.core.specs), in ONE ordered list: the
    factory builds their theories in that order, and the order is part of the search (same
    order, same seed -> same statistics)
  + the pseudo-Boolean rows, all for one theory
  + the maps back to the front end's names (Bool keys, the formulas of pseudo-Boolean
    variables), for models and printed lemmas, and the meaning of the Tseitin gates (`gates`),
    for certificates.

No terms, files or scheduling vocabulary: integers and records of integers (the node names
are kept for messages only).
"""
import math
import random
from fractions import Fraction
from typing import NamedTuple

from ..errors import ArithmeticOverflowError

INT, REAL = "Int", "Real"   # the sorts of smtsched.terms (not imported: the core needs no terms)


class DiffAtom(NamedTuple):
    """x_p - x_q <= bound (< bound if strict), owned by SAT variable `var`. A NamedTuple: a
    compiler makes one per pair of tasks of a global constraint (hundreds of thousands on a
    large memory model), and it unpacks like the tuples of the code that reads atoms."""
    var: int
    p: int
    q: int
    bound: "int | Fraction"
    strict: bool


class DifferenceSpec:
    """The atoms of one difference-logic theory instance (one per arithmetic sort)."""

    def __init__(self, sort):
        self.sort = sort
        self.node_of = {None: 0}     # variable key -> node; None is the origin
        self.node_names = ["zero"]   # for messages
        self.atoms = []              # [DiffAtom]

    def node(self, key, name):
        """The node of variable `key` (a new one, named `name`, when it has none yet)."""
        node = self.node_of.get(key)
        if node is None:
            node = self.node_of[key] = len(self.node_names)
            self.node_names.append(name)
        return node

    @property
    def num_nodes(self):
        return len(self.node_names)

    def scale(self):
        """(L, M) for Real weights: constants times L are integers; M separates the
        infinitesimal parts of strict bounds (|delta count| on any path < number of nodes)."""
        if self.sort == INT:
            return 1, 1
        denominators = 1
        for atom in self.atoms:
            denominators = math.lcm(denominators, Fraction(atom.bound).denominator)
        return denominators, 4 * self.num_nodes + 4

    def edge_weights(self, bound, strict):
        """Integer weights (true edge, false edge) of the atom x_p - x_q <= bound (< if strict).
        For Real, after `build` (or an explicit `scale_cache = scale()`)."""
        if self.sort == INT:
            return int(bound), -int(bound) - 1
        scale, separation = self.scale_cache
        base = int(Fraction(bound) * scale) * separation
        return (base - 1, -base) if strict else (base, -base - 1)

    def build(self, theory_class):
        """A theory instance loaded with these atoms; ArithmeticOverflowError (an
        OverflowError) when a weight does not fit the theory's exact arithmetic."""
        self.scale_cache = self.scale()
        theory = theory_class(self.num_nodes)
        add_atom = theory.add_atom
        try:
            if self.sort == INT:
                # edge_weights' Int case inlined: a method call less per atom, a tenth of
                # building the theory of 160,000 atoms (bench/random_dl, 10,000 nodes)
                for var, p, q, bound, strict in self.atoms:
                    bound = int(bound)
                    add_atom(var, q, p, bound, -bound - 1)
            else:
                for var, p, q, bound, strict in self.atoms:
                    w_true, w_false = self.edge_weights(bound, strict)
                    add_atom(var, q, p, w_true, w_false)
        except OverflowError as error:
            raise ArithmeticOverflowError(
                f"{self.sort} difference constants are too large for exact 64-bit path sums "
                f"({error})") from None
        return theory

    def map_literals(self, f):
        """A copy with every atom's variable renumbered by `f` (nodes shared)."""
        copy = DifferenceSpec(self.sort)
        copy.node_of = self.node_of
        copy.node_names = self.node_names
        copy.atoms = [DiffAtom(f(var), p, q, bound, strict)
                      for var, p, q, bound, strict in self.atoms]
        return copy


class CoreProblem:
    """See the module docstring. Front ends fill the fields; `new_var` numbers variables."""

    def __init__(self):
        self.num_vars = 0
        self.clauses = []
        # Int before Real: the factory builds the difference theories in this order
        self.difference = {INT: DifferenceSpec(INT), REAL: DifferenceSpec(REAL)}
        self.globals = []             # [DisjunctiveSpec | CumulativeSpec | CostSpec]
        self.pseudo_boolean = []      # [PseudoBooleanSpec]
        self.assumption_literals = []
        self.bool_var = {}            # a front end's Bool key -> SAT variable
        self.pb_meaning = {}          # SAT variable -> what it stands for (printed lemmas)
        # SAT variable -> (op, literals) of a Tseitin definition, in the order made (each uses
        # only variables defined before it): "and" (no literals: true; one: a proxy's
        # equivalence), "xor", "ite" (condition, then, else); for certificates (atoms.txt)
        self.gates = {}

    def new_var(self):
        self.num_vars += 1
        return self.num_vars

    def active_differences(self):
        """The difference specs with atoms, in theory order (Int, then Real)."""
        return [spec for spec in self.difference.values() if spec.atoms]

    def map_literals(self, f):
        """A renumbered copy: every SAT literal l becomes f(l) (`f` renumbers variables:
        f(-l) == -f(l), positive to positive, a permutation of 1..num_vars)."""
        out = CoreProblem()
        out.num_vars = self.num_vars
        out.clauses = [[f(x) for x in clause] for clause in self.clauses]
        out.difference = {sort: spec.map_literals(f) for sort, spec in self.difference.items()}
        out.globals = [spec.map_literals(f) for spec in self.globals]
        out.pseudo_boolean = [spec.map_literals(f) for spec in self.pseudo_boolean]
        out.assumption_literals = [f(x) for x in self.assumption_literals]
        out.bool_var = {key: f(var) for key, var in self.bool_var.items()}
        out.pb_meaning = {f(var): meaning for var, meaning in self.pb_meaning.items()}
        out.gates = {f(var): (op, tuple(f(x) for x in lits))
                     for var, (op, lits) in self.gates.items()}
        return out

    def permuted(self, seed):
        """A copy with the SAT variables renumbered by a seeded permutation: the seed changes
        CaDiCaL's search (its variable order and tie-breaking follow the numbering) but never
        the answer. Seed 0 is the identity (the problem itself)."""
        if not seed:
            return self
        order = list(range(1, self.num_vars + 1))
        random.Random(seed).shuffle(order)
        new = [0] + order

        def f(x):
            return new[x] if x > 0 else -new[-x]
        return self.map_literals(f)
