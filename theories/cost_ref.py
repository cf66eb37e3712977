"""The cost theory (a weighted sum of monotone terms bounded by a constant), pure Python.

sum_i w_i * f_i(C_i) <= K, where C_i = start_i + duration_i and f_i is the identity (weighted
completion) or max(0, C_i - due_i) (weighted tardiness); beside these sums three more kinds of
terms (issue 17, PyJobShop's weighted tardy jobs, weighted maximum tardiness and total setup
time): a step w * [C > due] (counts when the earliest end passes the due: explained by that
task's path), a max group w * max over its members of w_m * max(0, C_m - due_m) (the member
that attains the maximum at the earliest ends explains it alone) and a literal term c * [l]
(counts c while the literal is true: explained by the literal). Each f_i grows with C_i and the
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

The literals of literal terms are owned (observed) too, and an engine gives a variable one
owner (smtsched/engine.py): so they are fresh variables of this theory's own, which the front
end makes imply what they count (Lowering.cost_bound: the clause "next(a, b) -> copy" per
bound, the copies of the session's pseudo-Boolean rows, smtsched/core/session.py). A copy
the search sets true without its original only costs more, so the bound over the copies
allows exactly the schedules whose originals meet it.
"""
from smtsched.theories.global_ref import GlobalTheory


class CostLogic(GlobalTheory):

    def __init__(self, graph, tasks, bound, guard=None, steps=(), groups=(), literals=()):
        """`tasks`: [(node, duration, weight, due or None)]; `guard`: a literal or None;
        `steps`: [(node, duration, weight, due)] (weight * [end > due]); `groups`: [(weight,
        [(node, duration, weight, due)])] (weight * the largest member's weight * max(0,
        end - due)); `literals`: [(literal, weight)] (weight * [literal]; the theory owns
        their variables, fresh ones: see the module docstring)."""
        super().__init__(graph)
        self.tasks = [(node, duration, weight, due) for node, duration, weight, due in tasks
                      if weight > 0]
        self.steps = [(node, duration, weight, due) for node, duration, weight, due in steps
                      if weight > 0]
        self.groups = [(weight, [m for m in members if m[2] > 0]) for weight, members in groups
                       if weight > 0]
        self.groups = [(weight, members) for weight, members in self.groups if members]
        self.literals = [(lit, weight) for lit, weight in literals if weight > 0]
        self.bound = bound
        self.guard = guard
        self.active = guard is None
        self.active_level = None   # the level at which the guard became true (None: fixed)
        # the literal terms' values: var -> True/False while assigned, with the level each
        # was assigned at (None: fixed), undone with the levels
        self.literal_vars = {abs(lit) for lit, _ in self.literals}
        if guard is not None and abs(guard) in self.literal_vars:
            raise ValueError("the guard cannot be a literal term of its own cost")
        self.value = {}
        self.trail = []            # (var, level) of the non-fixed literal assignments
        self.fixed = set()         # trailed variables fixed since: kept by a backtrack
        self.n_checks = 0
        self.n_conflicts = 0

    # -- contract ---------------------------------------------------------------------------
    def observed(self):
        owned = [] if self.guard is None else [abs(self.guard)]
        return owned + sorted(self.literal_vars)

    def assign(self, lit, fixed):
        var = abs(lit)
        if var in self.literal_vars:
            if var not in self.value:
                self.value[var] = lit > 0
                if not fixed:
                    self.trail.append((var, self.levels))
            elif fixed:
                self.fixed.add(var)   # notified again at the root: it stays
            return
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
        while self.trail and self.trail[-1][1] > level:
            var, _ = self.trail.pop()
            if var not in self.fixed:
                del self.value[var]

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
        ends = {node: potentials[node] - potentials[0] for node in self._nodes()}
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
    def _nodes(self):
        nodes = [node for node, _, _, _ in self.tasks + self.steps]
        for _, members in self.groups:
            nodes += [node for node, _, _, _ in members]
        return nodes

    def _earliest_ends(self):
        """{node: earliest start} (the name is the historic one: ends add the durations),
        or None when some node has no lower bound."""
        starts = {}
        for node in self._nodes():
            if node not in starts:
                back = self.graph.distance(node, 0)
                if back is None:
                    return None
                starts[node] = -back
        return starts

    def _cost(self, starts):
        total = 0
        for node, duration, weight, due in self.tasks:
            end = starts[node] + duration
            total += weight * (end if due is None else max(0, end - due))
        for node, duration, weight, due in self.steps:
            if starts[node] + duration > due:
                total += weight
        for weight, members in self.groups:
            total += weight * max(w * max(0, starts[node] + duration - due)
                                  for node, duration, w, due in members)
        for lit, weight in self.literals:
            if self.value.get(abs(lit)) == (lit > 0):
                total += weight
        return total

    def _explanation(self, starts):
        nodes = set()
        for node, duration, _, due in self.tasks:
            if due is None or starts[node] + duration > due:
                nodes.add(node)   # (a task not tardy at its earliest end needs no bound)
        for node, duration, _, due in self.steps:
            if starts[node] + duration > due:
                nodes.add(node)
        for _, members in self.groups:
            # the member attaining the maximum: its bound alone gives the group's
            best, node = 0, None
            for member, duration, w, due in members:
                term = w * max(0, starts[member] + duration - due)
                if term > best:
                    best, node = term, member
            if node is not None:
                nodes.add(node)
        literals = set()
        for node in nodes:
            literals.update(self.graph.path_literals(node, 0))
        clause = sorted((-l for l in literals), key=abs)
        clause += sorted({-lit for lit, _ in self.literals
                          if self.value.get(abs(lit)) == (lit > 0)}, key=abs)
        if self.guard is not None:
            clause.insert(0, -self.guard)
        return clause
