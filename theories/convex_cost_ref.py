"""The convex cost theory: sum_i f_i(C_i) <= K with each f_i a sum of weighted completion
(w * C), tardiness (w * max(0, C - d)) and earliness (w * max(0, d - C)) terms of the end
C_i = start_i + duration_i, pure Python (it runs over either difference graph, compiled or
reference, through the graph contract of global_ref.py; convex_cost.pyx is its compiled twin,
over the compiled graph, with the window bound in C and this final check).

Earliness decreases as the end grows, so the cost theory's argument (theories/cost_ref.py: the
earliest ends bound the cost from below and the earliest schedule reaches the bound) fails
twice, and this theory answers both:

* a lower bound at a partial assignment: per task, the least of f_i over its window
  [est_i, lst_i] of ends (est from the graph distance to the origin, lst from the distance
  from it). When the sum exceeds K: conflict, explained by the path literals of the window
  ends that the least value leans on (the lower end if f_i's least over the window is above
  its least without the lower end, the upper end likewise);
* the final check (every ordering decided): the best timing of the decided orderings is the
  min-cost tension problem over every difference constraint in force (theories/
  convex_timing_ref.py solves it exactly, from the difference theory's model). When its
  optimum exceeds K: conflict, explained by the literals of the tight constraints the
  optimality argument uses (with those alone the optimum stays: see convex_timing_ref). The optimum's timing
  is the schedule the optimiser returns (sched/lower.py `schedule` re-times the model the same
  way), not the difference theory's earliest model.

The constraints in force are read from the atoms of the Int difference spec (`atoms`, the
spec's live list: atoms an optimiser appends between searches count from then on), each as
its assigned edge (`graph.literal_value`); an unassigned atom binds nothing (a relaxation: the
bound stays sound). With a guard literal the bound applies only while the guard is true, as
in the cost theory.
"""
from smtsched.theories.convex_timing_ref import Convex, end_cost, optimal_timing
from smtsched.theories.global_ref import GlobalTheory


def node_costs(tasks):
    """node -> Convex cost of the start of the tasks [(node, duration, kind, weight, due)]."""
    costs = {}
    for node, duration, kind, weight, due in tasks:
        if weight:
            f = end_cost(duration, kind, weight, due)
            costs[node] = costs[node].add(f) if node in costs else f
    return costs


def atom_edges(atoms, value):
    """[(u, v, w, literal)]: x_v - x_u <= w of every Int DiffAtom (var, p, q, bound, strict:
    x_p - x_q <= bound) assigned by `value(var)` (1 true, -1 false, 0 neither)."""
    edges = []
    for var, p, q, bound, _ in atoms:
        truth = value(var)
        if truth > 0:
            edges.append((q, p, int(bound), var))
        elif truth < 0:
            edges.append((p, q, -int(bound) - 1, -var))
    return edges


def best_timing(num_nodes, edges, costs, start):
    """optimal_timing over (u, v, w, literal) edges: (x, value, the literals of the edges
    that alone keep the optimum)."""
    x, value, needed = optimal_timing(num_nodes, [(u, v, w) for u, v, w, _ in edges], costs,
                                      start)
    return x, value, sorted({edges[k][3] for k in needed}, key=abs)


def exact_timing(graph, atoms, costs):
    """best_timing of the orderings decided now, from the graph's model (both twins' final
    check): (x, value, the literals that alone keep the optimum)."""
    potentials = graph.values()
    start = [p - potentials[0] for p in potentials]
    return best_timing(len(start), atom_edges(atoms, graph.literal_value), costs, start)


class ConvexCostLogic(GlobalTheory):

    def __init__(self, graph, tasks, bound, guard=None, atoms=(), num_nodes=None):
        """`tasks`: [(node, duration, kind, weight, due)], kind "completion", "tardiness"
        or "earliness"; `atoms`: the Int difference spec's atoms (a live list); `num_nodes`:
        its nodes."""
        super().__init__(graph)
        self.costs = node_costs(tasks)
        self.bound = bound
        self.guard = guard
        self.atoms = atoms
        self.num_nodes = num_nodes
        self.active = guard is None
        self.active_level = None
        self.n_checks = 0
        self.n_conflicts = 0
        self.n_timings = 0
        self.last_timing = None   # (x, value) of the last accepted final check

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
        clause = self._window_conflict()
        if clause is not None:
            self._conflict(clause)
            return None
        return []

    def final_check(self):
        if not self.active:
            return True
        clause = self._window_conflict()
        if clause is not None:
            self._conflict(clause)
            return False
        self.n_timings += 1
        x, value, literals = exact_timing(self.graph, self.atoms, self.costs)
        if value > self.bound:
            self._conflict([-lit for lit in literals])
            return False
        self.last_timing = (x, value)
        return True

    def explain(self, lit):  # pragma: no cover - propagates nothing
        raise AssertionError("the convex cost theory propagates nothing")

    def statistics(self):
        return {"convex_cost_checks": self.n_checks, "convex_cost_conflicts": self.n_conflicts,
                "convex_cost_timings": self.n_timings}

    # -- helpers --------------------------------------------------------------------------------
    def _conflict(self, clause):
        if self.guard is not None:
            clause = [-self.guard] + clause
        self.conflict_clause = clause
        self.n_conflicts += 1

    def _window_conflict(self):
        """The clause refuting the window bound (see the module), or None when it is at most
        the bound (or some cost has no least value in its window)."""
        total = 0
        parts = []
        for node, f in self.costs.items():
            back = self.graph.distance(node, 0)
            ahead = self.graph.distance(0, node)
            est = None if back is None else -back
            lst = ahead
            value, _ = f.least(est, lst)
            if value is None:
                return None
            total += value
            parts.append((node, f, est, lst, value))
        if total <= self.bound:
            return None
        literals = set()
        for node, f, est, lst, value in parts:
            if est is not None and f.least(None, lst)[0] != value:
                literals.update(self.graph.path_literals(node, 0))
            if lst is not None and f.least(est, None)[0] != value:
                literals.update(self.graph.path_literals(0, node))
        return sorted((-lit for lit in literals), key=abs)
