"""smtsched.sched: the scheduling modelling API (tasks, precedences with lags, unary and
cumulative resources, non-renewable resources, makespan optimisation with proven bounds) and
readers for the job-shop and PSPLIB formats.

    >>> from smtsched.sched import Model
    >>> m = Model()
    >>> a, b = m.task("a", 3), m.task("b", 2)
    >>> m.unary([a, b]); m.minimize_makespan()
    >>> r = m.solve()
    >>> r.status, r.objective
    ('OPTIMAL', 5)
"""
from .model import Model, ModelError, NonRenewable, Resource, Task
from .result import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, Result
from .formats import read_jobshop, read_psplib, read_model, FormatError

__all__ = ["FEASIBLE", "INFEASIBLE", "OPTIMAL", "UNKNOWN", "FormatError", "Model", "ModelError",
           "NonRenewable", "Resource", "Result", "Task", "read_jobshop", "read_model",
           "read_psplib"]
