"""The cost theory (weighted completion time or weighted tardiness bounded by a constant), pure
Python.

sum_i w_i * f_i(C_i) <= K, where C_i = start_i + duration_i and f_i is the identity (weighted
completion) or max(0, C_i - due_i) (weighted tardiness). Each f_i grows with C_i and the
weights are non-negative, so the earliest end times allowed by the difference-logic graph
(C_i >= est_i + p_i, est_i = -dist(task, 0)) give a lower bound on the cost under the current
orderings. When that lower bound exceeds K the orderings cannot be completed: conflict, and the
clause is the negated path literals behind the bounds of the tasks that contribute (the same
explanation-by-paths as the disjunctive theory; no new literals). With every ordering decided,
the earliest schedule (which is the model the difference theory reports) reaches the lower
bound exactly, so the final check only confirms. This is the relaxation Ansotegui et al. and
the lazy-clause-generation solvers use for sum objectives, with bounds from the graph.

With a guard literal the bound applies only while the guard is true: the theory owns (observes)
the guard, so an optimiser can assume bounds one after another in the same solver.
"""
from smtsched.theories.global_ref import GlobalTheory


class CostLogic(GlobalTheory):

    def __init__(self, graph, tasks, bound, guard=None):
        """`tasks`: [(node, duration, weight, due or None)]; `guard`: a literal or None."""
        super().__init__(graph)
        self.tasks = [(node, duration, weight, due) for node, duration, weight, due in tasks
                      if weight > 0]
        self.bound = bound
        self.guard = guard
        self.active = guard is None
        self.active_level = None   # the level at which the guard became true (None: fixed)
        self.n_checks = 0
        self.n_conflicts = 0

    # -- contract ---------------------------------------------------------------------------
    def observed(self):
        return [] if self.guard is None else [abs(self.guard)]

    def assign(self, lit, fixed):
        if lit == self.guard:
            if not self.active:
                self.active = True
                self.active_level = None if fixed else self.levels
            elif fixed:
                self.active_level = None

    def _undone(self, level):
        if self.guard is not None and self.active_level is not None and self.active_level > level:
            self.active = False
            self.active_level = None

    def propagate(self):
        if not self.active:
            return []
        self.n_checks += 1
        bounds = self._earliest_ends()
        if bounds is None:
            return []
        if self._cost(bounds) > self.bound:
            self.conflict_clause = self._explanation(bounds)
            self.n_conflicts += 1
            return None
        return []

    def final_check(self):
        if not self.active:
            return True
        bounds = self._earliest_ends()
        if bounds is not None and self._cost(bounds) > self.bound:
            self.conflict_clause = self._explanation(bounds)
            self.n_conflicts += 1
            return False
        potentials = self.graph.values()
        ends = [potentials[node] - potentials[0] + duration
                for node, duration, _, _ in self.tasks]
        if self._cost(ends) > self.bound:
            # the model is not the earliest schedule (some start is not bounded from below):
            # no clause can refute it, and accepting it would break the bound
            raise RuntimeError("the cost bound needs every start variable bounded from below "
                               "(e.g. start >= 0)")
        return True

    def explain(self, lit):  # pragma: no cover - propagates nothing
        raise AssertionError("the cost theory propagates nothing")

    def statistics(self):
        return {"cost_checks": self.n_checks, "cost_conflicts": self.n_conflicts}

    # -- helpers --------------------------------------------------------------------------------
    def _earliest_ends(self):
        ends = []
        for node, duration, _, _ in self.tasks:
            back = self.graph.distance(node, 0)
            if back is None:
                return None
            ends.append(-back + duration)
        return ends

    def _cost(self, ends):
        total = 0
        for (_, _, weight, due), end in zip(self.tasks, ends):
            total += weight * (end if due is None else max(0, end - due))
        return total

    def _explanation(self, ends):
        literals = set()
        for (node, _, _, due), end in zip(self.tasks, ends):
            if due is not None and end <= due:
                continue  # no tardiness at its earliest end: its bound is not needed
            literals.update(self.graph.path_literals(node, 0))
        clause = sorted((-l for l in literals), key=abs)
        if self.guard is not None:
            clause.insert(0, -self.guard)
        return clause
