"""The typed core problem between the front ends and the theories (issue 20).

`problem` (CoreProblem, DifferenceSpec, DiffAtom) and `specs` (the global constraints' typed
records and options) are what front ends write; `factory.build_theories` turns a CoreProblem
into theory instances; `session.Session` searches it (the z3-shaped Solver and the scheduling
optimiser sit on top).
"""
from .problem import INT, REAL, CoreProblem, DiffAtom, DifferenceSpec

# The spec classes come from .specs on first use (PEP 562): a file of difference logic needs
# none, and their dataclasses were 10 ms of the start-up of `smtsched solve` on one.
_SPECS = frozenset(("CostSpec", "CostTask", "CumulativeOptions", "CumulativeSpec", "DemandTask",
                    "DisjunctiveOptions", "DisjunctiveSpec", "PseudoBooleanSpec", "Task"))


def __getattr__(name):
    if name in _SPECS:
        from . import specs
        return getattr(specs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "INT", "REAL", "CoreProblem", "CostSpec", "CostTask", "CumulativeOptions", "CumulativeSpec",
    "DemandTask", "DiffAtom", "DifferenceSpec", "DisjunctiveOptions", "DisjunctiveSpec",
    "PseudoBooleanSpec", "Task",
]
