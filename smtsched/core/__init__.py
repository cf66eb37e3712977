"""The typed core problem between the front ends and the theories (issue 20).

`problem` (CoreProblem, DifferenceSpec, DiffAtom) and `specs` (the global constraints' typed
records and options) are what front ends write; `factory.build_theories` turns a CoreProblem
into theory instances; `session.Session` searches it (the z3-shaped Solver and the scheduling
optimiser sit on top).
"""
from .problem import INT, REAL, CoreProblem, DiffAtom, DifferenceSpec
from .specs import (CostSpec, CostTask, CumulativeOptions, CumulativeSpec, DemandTask,
                    DisjunctiveOptions, DisjunctiveSpec, PseudoBooleanSpec, Task)

__all__ = [
    "INT", "REAL", "CoreProblem", "CostSpec", "CostTask", "CumulativeOptions", "CumulativeSpec",
    "DemandTask", "DiffAtom", "DifferenceSpec", "DisjunctiveOptions", "DisjunctiveSpec",
    "PseudoBooleanSpec", "Task",
]
