"""The search backend on the direct lowering and one persistent engine (issue 20).

`LoweringBackend(model, horizon, deadline, seed)` implements smtsched.sched.backend's
`SearchBackend` (read its docstring for the interface): the model is lowered once to a
CoreProblem (smtsched.sched.lower.Lowering: no Term objects, no compiler), and every check of
one optimisation runs on one `core.Session(persistent=True)`: one CaDiCaL and one set of
theories, which keep what they learned from probe to probe.

What a probe adds reaches the running engine through the session (it hands over what was
appended to the core before the next check): a makespan bound or an ordering of a
neighbourhood move is a new difference atom, assumed; a weighted-cost bound is a cost theory
behind a fresh guard (it joins the engine); a memory bound is pseudo-Boolean rows behind a
fresh guard (a theory of their own, over copies of the live literals); a cut is a clause.
A bound that will never be asked again (below the proven lower bound, or at or above the best
schedule) has its guard switched off for good by the unit [-guard], and its theory leaves the
search (it would be asked at every propagation round for nothing).

Lives apart from backend.py so that the seam module stays free of the lowering (numpy and
its arrays) and each backend stays a small module of its own.
"""
from ..core.session import Session
from ..engine import SAT as ENGINE_SAT, UNSAT as ENGINE_UNSAT
from . import check
from .backend import SAT, UNKNOWN, UNSAT, BuildTimeout, SearchBackend
from .encode import EncodingTimeout
from .lower import Lowering


class LoweringBackend(SearchBackend):
    """The Lowering on one persistent Session (see the module docstring)."""

    def __init__(self, model, horizon=None, deadline=None, seed=0):
        try:
            self.lowering = Lowering(model, horizon, deadline)
        except EncodingTimeout as stop:
            raise BuildTimeout(str(stop)) from None
        self.model = model
        self.session = Session(self.lowering.core, seed=seed, persistent=True)
        self.memory = None
        if model.objective == "peak_memory":
            self.memory = self.lowering.memory(model.objective_memory)
        # weighted objectives and the peak of a memory: bound -> (guard, the specs behind it)
        self.guards = {}
        self.outcome = None

    def close(self):
        """Free CaDiCaL (the Optimizer drops the backend when it is done; this is sooner)."""
        self.session.close()

    def __del__(self):
        try:
            self.session.close()
        except Exception:   # interpreter shutdown: nothing left to free
            pass

    def lower_bound(self):
        return None if self.memory is None else self.memory.lower_bound

    def at_most(self, bound, lower, upper):
        lowering = self.lowering
        if self.model.objective == "makespan":
            return lowering.makespan_bound(bound)
        for old in [k for k in self.guards if k >= upper or k < lower]:
            guard, specs = self.guards.pop(old)
            self.session.add_clause(lowering.retire(guard))
            for spec in specs:
                if self.session.leave(spec):
                    break   # the rows of one bound are one theory
        if bound not in self.guards:
            core = lowering.core
            if self.memory is not None:
                rows = len(core.pseudo_boolean)
                guard = lowering.memory_bound(self.model.objective_memory, bound)
                specs = core.pseudo_boolean[rows:]
            else:
                guard, spec = lowering.cost_bound(bound)
                specs = [spec]
            self.guards[bound] = (guard, specs)
        return self.guards[bound][0]

    def before(self, a, b):
        return self.lowering.before(a, b)

    def hint(self, starts, present):
        makespan = check.makespan(self.model, starts, present)
        self.session.set_phases(self.lowering.phases(starts, present, makespan))

    def follow_last(self):
        if self.outcome is not None and self.outcome.model is not None:
            self.session.set_phases(self.outcome.model)

    def check(self, assumptions, timeout=None, max_conflicts=None):
        self.outcome = self.session.check(list(assumptions), time_limit=timeout,
                                          max_conflicts=max_conflicts)
        status = self.outcome.status
        return SAT if status == ENGINE_SAT else UNSAT if status == ENGINE_UNSAT else UNKNOWN

    def reason_unknown(self):
        return self.outcome.reason if self.outcome is not None else ""

    def statistics(self):
        return dict(self.outcome.stats) if self.outcome is not None else {}

    def schedule(self):
        return self.lowering.schedule(self.outcome)

    def overloads(self, starts, present):
        return self.lowering.overloads(starts, present)

    def cut(self, tasks):
        self.session.add_clause(self.lowering.cut(tasks))
