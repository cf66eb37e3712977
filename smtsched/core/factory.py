"""From a CoreProblem to theory instances: the one place that chooses them (issue 20).

It owns the choice between the compiled (Cython) theories and their pure-Python reference
twins, between the dense and the sparse difference theory (by the graph's size,
smtsched.theory.sparse_difference_wanted; SMTSCHED_DIFFERENCE forces one), the fallbacks (too
many nodes for a forced dense difference theory -> unknown with the reason; constants beyond
64-bit sums -> the exact reference theories) and the measured
defaults of the global theories. The theory modules' own choosers (smtsched.theory:
difference_logic_class, pseudo_boolean_class: SMTSCHED_PUREPYTHON) are called, not repeated.

The theories come out in one fixed order, which is part of the search (CaDiCaL meets their
propagations in that order): the difference theories (Int, then Real), the global constraints
in the order of `core.globals`, then the one pseudo-Boolean theory.
"""
import importlib

from ..errors import UnsupportedError
from ..theory import difference_logic_class, pseudo_boolean_class
from .problem import INT


class Theories:
    """What `build_theories` made. `theories`: the instances, in search order; `differences`:
    the difference specs with atoms, whose theories are the first entries of `theories` (the
    engine's `values` follow the same order); `specs`: what each theory enforces, in the same
    order (its DifferenceSpec, its global constraint's spec, or the list of PseudoBooleanSpec
    rows of the pseudo-Boolean theory), for certificates; `unknown`: None, or the reason no
    theories could be built (the search must answer unknown with it)."""

    __slots__ = ("theories", "differences", "specs", "unknown")

    def __init__(self, theories, differences, unknown=None, specs=None):
        self.theories = theories
        self.differences = differences
        self.specs = specs if specs is not None else []
        self.unknown = unknown


def build_theories(core, difference_class=None):
    """The theories of `core` (see the module docstring). `difference_class`: the difference
    logic implementation to try first (default: smtsched.theory.difference_logic_class())."""
    differences = core.active_differences()
    theory_class = difference_class or difference_logic_class()
    # one class per graph: the sparse theory for large graphs (or when forced), unless the
    # caller named a class
    classes = [theory_class if difference_class is not None
               else sized_difference_class(theory_class, spec) for spec in differences]
    too_large = next((reason for reason in map(node_limit, classes, ([s] for s in differences))
                      if reason is not None), None)
    if too_large is not None:
        # The dense theory refuses it (forced dense), and the reference theory (cubic) would
        # not finish: an answer we cannot give is unknown, with the reason, never an exception.
        return Theories([], differences, unknown=too_large)
    specs = list(differences)
    try:
        theories = [spec.build(cls) for spec, cls in zip(differences, classes)]
        theories += global_theories(core, differences, theories, specs)
    except OverflowError:
        # Constants beyond the compiled theories' 64-bit sums (bignum benchmarks): the
        # reference theories compute with Python integers, exactly, only slower. (The
        # global theories follow the graph: references over a reference graph.)
        from smtsched.theories.difference_ref import DifferenceLogic as Exact
        theories = [spec.build(Exact) for spec in differences]
        del specs[len(differences):]
        theories += global_theories(core, differences, theories, specs)
    if core.pseudo_boolean:
        theories.append(pseudo_boolean_theory(core.pseudo_boolean))
        specs.append(list(core.pseudo_boolean))
    return Theories(theories, differences, specs=specs)


def sized_difference_class(theory_class, spec):
    """The difference theory for one graph: `theory_class` (the default dense one, compiled
    or reference), or the sparse twin of the same kind when smtsched.theory says the graph
    wants it (its size, or SMTSCHED_DIFFERENCE). A class of the caller's own is kept."""
    from .. import theory
    module = theory_class.__module__
    if module == "smtsched.theories.difference_ref":
        if theory.sparse_difference_wanted(spec.num_nodes):   # the reference's twin
            from smtsched.theories.sparse_difference_ref import SparseDifferenceLogic
            return SparseDifferenceLogic
    elif module == "smtsched.theories.difference":
        if theory.sparse_difference_wanted(spec.num_nodes):
            return theory.sparse_difference_class()
    return theory_class


def node_limit(theory_class, differences):
    """The reason a difference spec has more nodes than the theory class takes, or None."""
    limit = getattr(importlib.import_module(theory_class.__module__), "MAX_NODES", None)
    for spec in differences:
        if limit is not None and spec.num_nodes > limit:
            return (f"incomplete: the {spec.sort} difference graph has {spec.num_nodes} "
                    f"nodes (variables and the origin), above the solver's limit of {limit}")
    return None


def global_theories(core, differences, theories, specs=None):
    """The theories of the global constraints, each reading the difference-logic graph of its
    start variables (the Int theory), in the order of `core.globals`. A disjunctive or
    cumulative constraint over fewer than two tasks needs none. `specs`, when given, gets the
    spec of each theory appended."""
    out = []
    graph = next((t for spec, t in zip(differences, theories) if spec.sort == INT), None)
    ints = next((spec for spec in differences if spec.sort == INT), None)
    for spec in core.globals:
        theory = global_theory(graph, spec, ints)
        if theory is not None:
            out.append(theory)
            if specs is not None:
                specs.append(spec)
    return out


def global_theory(graph, spec, ints=None):
    """The theory of one global constraint over the Int difference theory `graph` (None:
    there is none), or None when it needs none. `ints`: the Int DifferenceSpec the graph
    was built from (the convex cost theory reads its atoms)."""
    # here, not at the top: a problem without global constraints (an SMT-LIB file of
    # difference logic) never needs the spec classes, whose dataclasses cost 10 ms to import
    from .specs import ConvexCostSpec, CostSpec, CumulativeSpec, DisjunctiveSpec, MemorySpec

    if isinstance(spec, ConvexCostSpec):
        if graph is None or ints is None:
            raise UnsupportedError("a convex cost needs its start variables bounded from "
                                   "below by difference constraints (e.g. start >= 0)")
        return convex_cost_theory(graph, spec, ints)

    if isinstance(spec, CostSpec):
        if graph is None:
            raise UnsupportedError("WeightedCost needs its start variables bounded from "
                                   "below by difference constraints (e.g. start >= 0)")
        return cost_theory(graph, spec)
    if isinstance(spec, MemorySpec):
        # (one buffer can overload a capacity alone: no two-task minimum here)
        return None if graph is None or not spec.tasks else memory_theory(graph, spec)
    if graph is None or len(spec.tasks) < 2:
        return None
    if isinstance(spec, DisjunctiveSpec):
        return disjunctive_theory(graph, spec)
    if isinstance(spec, CumulativeSpec):
        return cumulative_theory(graph, spec)
    raise TypeError(f"no theory for the global constraint {type(spec).__name__}")


# The global theories' constructors (compiled and reference twins alike) take a spec's
# fields by keyword: the theories see integers, literals and flags, never the spec classes.

def cost_theory(graph, spec):
    theory_class = compiled_global(graph, "cost", "CostLogic")
    if theory_class is None:
        from smtsched.theories.cost_ref import CostLogic as theory_class
    if spec.steps or spec.groups or spec.literals:
        return theory_class(graph, tasks=spec.tasks, bound=spec.bound, guard=spec.guard,
                            steps=spec.steps, groups=spec.groups, literals=spec.literals)
    return theory_class(graph, tasks=spec.tasks, bound=spec.bound, guard=spec.guard)


def convex_cost_theory(graph, spec, ints):
    theory_class = compiled_global(graph, "convex_cost", "ConvexCostLogic")
    if theory_class is None:
        from smtsched.theories.convex_cost_ref import ConvexCostLogic as theory_class
    return theory_class(graph, tasks=spec.tasks, bound=spec.bound, guard=spec.guard,
                        atoms=ints.atoms, num_nodes=ints.num_nodes)


def disjunctive_theory(graph, spec):
    theory_class = compiled_global(graph, "disjunctive", "DisjunctiveLogic")
    if theory_class is not None:
        # overload checking and edge finding at every search node (the options' defaults)
        return theory_class(graph, tasks=spec.tasks, order=spec.order,
                            every_level=spec.options.every_level,
                            edge_finding=spec.options.edge_finding)
    # The pure-Python reasoning runs at the root only (see disjunctive_ref.py): there it
    # finds the machine-load refutations; deeper, the pairwise clauses and the difference
    # theory carry the search.
    from smtsched.theories.disjunctive_ref import DisjunctiveLogic
    return DisjunctiveLogic(graph, tasks=spec.tasks, order=spec.order, every_level=False,
                            edge_finding=False)


def cumulative_theory(graph, spec):
    theory_class = compiled_global(graph, "cumulative", "CumulativeLogic")
    if theory_class is None:
        from smtsched.theories.cumulative_ref import CumulativeLogic as theory_class
    # Measured on PSPLIB j30 (CumulativeOptions.explanation "auto"). Without bound literals,
    # a timetable overload stated as the ordering cut of its tasks (short clauses over
    # ordering atoms) beats the pointwise path explanations. With them (the constraint's
    # windows), the pointwise explanations are made of bound literals and win: 25% less time
    # on the 18 hardest j30 instances, even on 9 hard j60 ones. The window energy check does
    # not pay in either case (README, design): energetic is off by default.
    ordering_cuts = spec.options.ordering_cuts(bool(spec.bound_literals))
    if spec.presence:
        return theory_class(graph, tasks=spec.tasks, capacity=spec.capacity, order=spec.order,
                            bound_literals=spec.bound_literals,
                            energetic=spec.options.energetic, ordering_cuts=ordering_cuts,
                            presence=spec.presence)
    return theory_class(graph, tasks=spec.tasks, capacity=spec.capacity, order=spec.order,
                        bound_literals=spec.bound_literals, energetic=spec.options.energetic,
                        ordering_cuts=ordering_cuts)


def memory_theory(graph, spec):
    theory_class = compiled_global(graph, "memory", "MemoryLogic")
    if theory_class is None:
        from smtsched.theories.memory_ref import MemoryLogic as theory_class
    return theory_class(graph, tasks=spec.tasks, capacities=spec.capacities, atoms=spec.atoms)


def pseudo_boolean_theory(specs):
    """One theory for every pseudo-Boolean row of the problem."""
    rows = [spec.as_tuple() for spec in specs]
    try:
        return pseudo_boolean_class()(rows)
    except OverflowError:
        # weights beyond the compiled theory's 64-bit sums: the reference is exact
        from smtsched.theories.pseudo_boolean_ref import PseudoBooleanLogic as Exact
        return Exact(rows)


def compiled_global(graph, module, name):
    """The compiled global theory class `name` of smtsched.theories.`module` when `graph` is
    a compiled difference theory (a TimeGraph: its bounds are read directly), else None."""
    try:
        from smtsched.theories.time_graph import TimeGraph
        theory_class = getattr(importlib.import_module(f"smtsched.theories.{module}"), name)
    except ImportError:
        return None
    return theory_class if isinstance(graph, TimeGraph) else None
