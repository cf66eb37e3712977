"""Typed records of the global constraints of a core problem (issue 20).

A front end (smtsched.compile for the z3-shaped Terms, smtsched.sched.lower for a scheduling
Model) writes these; smtsched.core.factory reads them to build the theories. They hold integers
only: Int difference-graph nodes, durations, SAT literals (DIMACS, signed), never names or
terms. As in Pumpkin (ConSol-Lab/Pumpkin `utils/structs/task.rs`, ArgTask, and
`propagators/cumulative/options.rs`) and OR-Tools (`cp_model.proto`: NoOverlapConstraintProto,
CumulativeConstraintProto), tasks are typed records and the tuning of a propagator is an options
record beside its data.

The task records are NamedTuples, not frozen dataclasses: the same attribute names and
constructor, but they unpack like the tuples the theories' constructors read today
(`for node, duration in tasks`), so the factory hands them over without a copy, and a
front end making a thousand of them pays a tuple's price.

`map_literals(f)` returns a copy with every SAT literal `l` replaced by `f(l)`; `f` must be a
renumbering of variables (f(-l) == -f(l), positive literals to positive literals), e.g. the
seeded permutation of `CoreProblem.map_literals`. Nodes, durations and options are shared, not
copied: they are never changed after the front end is done.
"""
from dataclasses import dataclass, field
from typing import NamedTuple


class Task(NamedTuple):
    """A task of a disjunctive constraint."""
    node: int        # the Int difference-graph node of its start variable
    duration: int


class DemandTask(NamedTuple):
    """A task of a cumulative constraint."""
    node: int
    duration: int
    demand: int


class CostTask(NamedTuple):
    """A term of a weighted completion / tardiness cost."""
    node: int
    duration: int
    weight: int
    due: "int | None"  # None: completion time (end); else tardiness max(0, end - due)


EXPLANATIONS = ("auto", "ordering_cut", "pointwise")


@dataclass
class DisjunctiveOptions:
    """Overload checking and edge finding (theories/disjunctive*.py*). The compiled theory runs
    them as asked; the pure-Python reference twin always runs at the root only without edge
    finding (the factory's measured default: deeper, it costs more than it finds)."""
    every_level: bool = True     # False: the reasoning runs at the root only
    edge_finding: bool = True


@dataclass
class CumulativeOptions:
    """`explanation`: how a timetable overload is stated. "ordering_cut": the ordering cut of
    its tasks (short clauses over ordering atoms); "pointwise": the tasks' bounds at the
    instant (path explanations, or bound literals when the constraint has them); "auto":
    pointwise when the spec has bound literals, else ordering_cut (measured on PSPLIB j30 and
    j60: see the factory). `energetic`: the window energy check too (it did not pay on j30)."""
    explanation: str = "auto"
    energetic: bool = False

    def __post_init__(self):
        if self.explanation not in EXPLANATIONS:
            raise ValueError(f"explanation must be one of {EXPLANATIONS}, "
                             f"got {self.explanation!r}")

    def ordering_cuts(self, has_bound_literals):
        """Whether the theory states overloads as ordering cuts (its `ordering_cuts=`)."""
        if self.explanation == "auto":
            return not has_bound_literals
        return self.explanation == "ordering_cut"


def _map_keys(mapping, f):
    return {key: f(lit) for key, lit in mapping.items()}


@dataclass
class DisjunctiveSpec:
    """At most one task runs at a time. `order[(i, j)]`: the literal of "task i ends before
    task j starts" (a difference atom owned by the Int theory), for the pairs the front end
    did not find ordered already; both directions of a pair are present or neither."""
    tasks: list
    order: dict
    options: DisjunctiveOptions = field(default_factory=DisjunctiveOptions)

    def map_literals(self, f):
        return DisjunctiveSpec(self.tasks, _map_keys(self.order, f), self.options)


@dataclass
class CumulativeSpec:
    """The running demands never exceed `capacity`. `order` as for DisjunctiveSpec (every
    ordered pair of tasks that use the resource and are not ordered already);
    `bound_literals[(k, v)]`: the literal of "start of task k >= v" (an atom of the origin's
    row of the Int graph), for the constraint's windows; empty without windows. `presence`:
    per task the literal of its presence (0: mandatory), empty when every task is mandatory;
    the theory owns those variables (fresh copies of the model's presences,
    theories/cumulative_ref.py "Optional tasks")."""
    tasks: list
    capacity: int
    order: dict
    bound_literals: dict = field(default_factory=dict)
    options: CumulativeOptions = field(default_factory=CumulativeOptions)
    presence: list = field(default_factory=list)

    def map_literals(self, f):
        return CumulativeSpec(self.tasks, self.capacity, _map_keys(self.order, f),
                              _map_keys(self.bound_literals, f), self.options,
                              [f(lit) if lit else 0 for lit in self.presence])


@dataclass
class CostSpec:
    """sum of weight * (end, or max(0, end - due)) over the tasks, plus weight * [end > due]
    over the `steps` (CostTasks with dues), weight * max over the members of member.weight *
    max(0, end - due) for each (weight, [CostTask]) of `groups`, and weight * [literal] over the
    (literal, weight) pairs of `literals`, <= bound, required only while `guard` is true
    (always when None). The cost theory owns the guard's variable and the literals' (fresh
    variables: theories/cost_ref.py)."""
    tasks: list
    bound: int
    guard: "int | None" = None
    steps: list = field(default_factory=list)
    groups: list = field(default_factory=list)
    literals: list = field(default_factory=list)

    def map_literals(self, f):
        return CostSpec(self.tasks, self.bound, None if self.guard is None else f(self.guard),
                        self.steps, self.groups, [(f(lit), w) for lit, w in self.literals])


class EndCost(NamedTuple):
    """A term of a convex cost of end times: "completion" weight * end, "tardiness"
    weight * max(0, end - due), "earliness" weight * max(0, due - end)."""
    node: int
    duration: int
    kind: str
    weight: int
    due: "int | None"


@dataclass
class ConvexCostSpec:
    """sum of the EndCost terms <= bound while `guard` is true (always when None): the convex
    cost theory (theories/convex_cost_ref.py), which reads every Int difference atom (the
    factory hands it the Int DifferenceSpec) and owns the guard's variable."""
    tasks: list
    bound: int
    guard: "int | None" = None

    def map_literals(self, f):
        return ConvexCostSpec(self.tasks, self.bound,
                              None if self.guard is None else f(self.guard))


class Buffer(NamedTuple):
    """A buffer of a memory constraint: live on [x_alloc, x_free), for ever when `free` is
    None (kept to the end)."""
    alloc: int       # the Int node of its allocation (its producer's start, or 0)
    free: "int | None"   # its free node (bounded from below only), None: never freed
    size: int


@dataclass
class MemorySpec:
    """The live bytes never exceed the least capacity whose guard is true
    (theories/memory_ref.py). `capacities`: [(guard literal or 0 for always, bytes)]; the
    theory owns the guards' variables. `atoms`: the front end's table from canonical atom
    keys (p, q, bound), p < q, of "x_p - x_q <= bound" to their variables, shared (not
    copied) so that atoms added later count: the theory states its final-check cut over them
    when they all exist (else the front end cuts between searches)."""
    tasks: list
    capacities: list
    atoms: dict = field(default_factory=dict)

    def map_literals(self, f):
        return MemorySpec(self.tasks, [(f(g) if g else 0, c) for g, c in self.capacities],
                          {key: f(var) for key, var in self.atoms.items()})


@dataclass
class PseudoBooleanSpec:
    """sum of the weights of the true literals <= bound; weights are positive. The
    pseudo-Boolean theory owns the literals' variables."""
    literals: list
    weights: list
    bound: int

    def map_literals(self, f):
        return PseudoBooleanSpec([f(lit) for lit in self.literals], self.weights, self.bound)

    def as_tuple(self):
        """(literals, weights, bound): the row the pseudo-Boolean theories read."""
        return self.literals, self.weights, self.bound
