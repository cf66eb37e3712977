"""The disjunctive (unary-resource) theory, pure-Python reference.

A machine runs its tasks one at a time. The pairwise clauses of the encoding already say that
of every two tasks, and complete difference-logic propagation already makes every "detectable
precedence" (Vilim): if task i cannot end before j's latest start, the graph's bounds falsify
"i before j" and the clause sets "j before i". What pairs cannot see is a *set*:

* **overload** (Vilim, "O(n log n) filtering algorithms for unary resource constraints",
  CPAIOR 2004): the tasks whose windows lie inside [a, b] need sum(p) time units; if that is
  more than b - a, no schedule exists under the current bounds. This is the machine-load
  argument that refutes la26 at makespan 1217, where pairwise reasoning searches for minutes.
* **edge finding** (Carlier and Pinson; Vilim's formulation): if the set Omega inside [a, b]
  plus task i (with est_i >= a) does not fit before b, then i ends after all of Omega: every
  "j before i" for j in Omega is implied.

Bounds come from the difference-logic graph: est_i = -dist(i, 0), lst_i = dist(0, i), where node
0 is the time origin; the reason of a bound is the literals of the shortest path behind it
(`path_literals`), so explanations use the existing atoms and no new literals are needed. A
conflict clause is the negation of those path literals for the tasks of the overloaded set and
the window's ends (the "naive" explanation; lifting it to weaker bounds is future work).

The theory owns no variables; it reads the graph after the difference theory's propagate, and
propagates ordering literals that the difference theory owns (`propagates_foreign`).

With `record_witnesses` (a proof is logged; global_ref.py) a clause has its certificate witness
(`last_witness()`), `energy` over the window [a, b]: an overload, the tasks of Omega; edge
finding ("j before i" for j in Omega), Omega and i, whose negated literal completes to "i
before j" (docs/certificates.md, "Completion"). Not when i shares its start variable with a
task of Omega: that literal is a constant, and nothing completes.
"""


from smtsched.theories.global_ref import GlobalTheory, energy_witness


class DisjunctiveLogic(GlobalTheory):

    def __init__(self, graph, tasks, order, every_level=True, edge_finding=True):
        """`graph`: the difference-logic theory holding the start nodes; `tasks`: [(node,
        duration)]; `order`: {(i, j): literal "task i ends before task j starts"}.

        `every_level=False` reasons only at the root (before the first decision): that finds
        the machine-load refutations, at a fraction of the cost of this O(n^3) Python code at
        every search node. Complete models need no check: the pairwise clauses already keep
        every two tasks apart."""
        super().__init__(graph)
        self.every_level = every_level
        self.edge_finding = edge_finding
        # only edge finding sets literals (of the difference theory); overload checks only
        # report conflicts
        self.propagates_foreign = edge_finding
        self.tasks = [(node, duration) for node, duration in tasks]
        self.order = dict(order)
        self.last_window = None
        self.last_level = -1
        self.reasons = {}
        self.n_conflicts = 0
        self.n_propagations = 0
        self.n_checks = 0

    # -- contract (levels, observed, assign: GlobalTheory) ------------------------------------
    def _undone(self, level):
        self.last_window = None
        # literals propagated above `level` are unassigned again: forget their reasons, so
        # they are propagated (and explained) afresh when they hold again
        self.reasons = {lit: entry for lit, entry in self.reasons.items() if entry[1] <= level}

    def propagate(self):
        if self.levels and not self.every_level:
            return []
        window = self._bounds()
        if window is None:
            return []
        if window == self.last_window and self.levels == self.last_level:
            return []  # the same bounds as last time at this level: nothing new to find
        self.last_window, self.last_level = window, self.levels
        self.n_checks += 1
        est, lct = window
        active = [k for k, (_, p) in enumerate(self.tasks) if p > 0]
        implied = []
        # Every candidate window [a, b]: b a latest end, a an earliest start. For each b the
        # tasks inside it are swept by decreasing est, so omega grows one task at a time:
        # O(n^2) per check (edge finding adds a pass over the tasks outside omega).
        for b in sorted({lct[k] for k in active}):
            inside_b = sorted((k for k in active if lct[k] <= b), key=lambda k: -est[k])
            omega = []
            load = 0
            for position, k in enumerate(inside_b):
                omega.append(k)
                load += self.tasks[k][1]
                a = est[k]
                if position + 1 < len(inside_b) and est[inside_b[position + 1]] == a:
                    continue  # take every task with this est before judging the window
                if load > b - a:
                    self.conflict_clause = self._explanation(omega, est, lct, a, b)
                    if self.record_witnesses:   # omega lies inside [a, b] and overloads it
                        self._witness_conflict(energy_witness(a, b, omega))
                    self.n_conflicts += 1
                    return None
                if not self.edge_finding:
                    continue
                # edge finding: a task i outside omega, with est_i >= a, that cannot finish
                # inside [a, b] together with omega ends after all of omega
                for i in active:
                    if lct[i] <= b or est[i] < a or load + self.tasks[i][1] <= b - a:
                        continue
                    for j in omega:
                        literal = self.order.get((j, i))
                        if literal is None:
                            continue
                        value = self._value(literal)
                        if value == 1 or (value == 0 and literal in self.reasons):
                            continue  # true, or offered already and still pending
                        reason = self._explanation(omega + [i], est, lct, a, b, right_of=i)
                        witness = (self._ordering_witness(i, omega, a, b)
                                   if self.record_witnesses else None)
                        if value == -1:  # the window says j before i, the trail says not
                            self.conflict_clause = [literal] + reason
                            if self.record_witnesses:
                                self._witness_conflict(witness)
                            self.n_conflicts += 1
                            return None
                        self.reasons[literal] = ([literal] + reason, self.levels, witness)
                        implied.append(literal)
        self.n_propagations += len(implied)
        return sorted(set(implied), key=abs)

    def explain(self, lit):
        clause, _, self.given_witness = self.reasons[lit]
        return list(clause)

    def final_check(self):
        # a complete model satisfies the pairwise clauses: no two tasks overlap, so no set of
        # them can be overloaded (without them, lazy pairs, the front end finds and cuts the
        # overlaps between searches: accepted here)
        return True

    def statistics(self):
        return {"disjunctive_checks": self.n_checks,
                "disjunctive_conflicts": self.n_conflicts,
                "disjunctive_propagations": self.n_propagations}

    # -- helpers ----------------------------------------------------------------------------
    def _bounds(self):
        """(est, lct) per task from the graph; None when some task is unbounded (no window)."""
        est, lct = [], []
        for node, duration in self.tasks:
            back = self.graph.distance(node, 0)     # x_0 - x_i <= back: x_i >= -back
            ahead = self.graph.distance(0, node)    # x_i - x_0 <= ahead
            if back is None or ahead is None:
                return None
            est.append(-back)
            lct.append(ahead + duration)
        return est, lct

    def _value(self, literal):
        """The graph's value of an ordering literal; the one it does not own is the
        compiler's constant for two tasks on one start variable ("x - x >= p", p > 0): false
        (as the compiled twin's graph_value, and cumulative_ref._is_false)."""
        try:
            return self.graph.literal_value(literal)
        except ValueError:
            return -1

    def _ordering_witness(self, i, omega, a, b):
        """The witness of an edge-finding clause "j before i" (j in omega, which lies inside
        [a, b]; est_i >= a): the premise "not (j before i)" completes to "i before j", so
        lct_i <= lst_j <= b - p_j and i adds min(p_i, b - a) to omega's energy in [a, b]
        (docs/certificates.md, `energy`: edge finding). The completion needs distinct start
        nodes: for two tasks on one start variable the literal is the compiler's constant,
        no atom. So no witness when i shares its node with a task of omega (the emitter's
        finder decides; the compiled twin's records are per window, not per j)."""
        node = self.tasks[i][0]
        if any(self.tasks[k][0] == node for k in omega):
            return None
        return energy_witness(a, b, omega + [i])

    def _explanation(self, tasks, est, lct, a, b, right_of=None):
        """Negated path literals that bound every task of `tasks` into [a, b] (for `right_of`,
        only its earliest start is needed): all false now, so a valid clause body."""
        literals = set()
        for k in tasks:
            node, _ = self.tasks[k]
            literals.update(self.graph.path_literals(node, 0))    # est_k >= a
            if k != right_of:
                literals.update(self.graph.path_literals(0, node))  # lct_k <= b
        return sorted((-l for l in literals), key=abs)
