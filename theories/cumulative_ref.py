"""The cumulative (renewable resource) theory, pure-Python reference: its final check.

A complete model of the difference theory is a schedule (the node potentials). If some
instant carries more demand than the capacity, the tasks running then pairwise overlap, and so
every ordering atom "i ends before j starts" between two of them is false in the model. Some
pair of them must be ordered in any schedule that fits (intervals on a line that pairwise
overlap share a point: Helly's theorem in one dimension), so the clause "one of these ordering
atoms holds" is a valid lemma, and false now: a conflict. The set is the fewest tasks running
at the overloaded instant whose demands exceed the capacity (largest demands first), which
keeps the clause short. This is the lazy decomposition of Ansotegui et al. (SMT-based RCPSP,
2011) moved inside the search: the SAT solver learns the cut without starting over.

Timetable propagation on compulsory parts with pointwise explanations (Schutt et al.,
Constraints 2011), during the search, is the next step; this theory only judges complete
models, so it owns no variables and propagates nothing.
"""


from smtsched.theories.global_ref import GlobalTheory


class CumulativeLogic(GlobalTheory):

    def __init__(self, graph, tasks, capacity, order):
        """`graph`: the difference-logic theory of the start nodes; `tasks`: [(node, duration,
        demand)]; `order`: {(i, j): literal "task i ends before task j starts"} for every pair
        of tasks that use the resource."""
        super().__init__(graph)
        self.tasks = [(node, duration, demand) for node, duration, demand in tasks]
        self.capacity = capacity
        self.order = dict(order)
        self.n_checks = 0
        self.n_conflicts = 0

    def propagate(self):
        return []

    def final_check(self):
        self.n_checks += 1
        potentials = self.graph.values()
        origin = potentials[0]
        used = [(k, potentials[node] - origin, duration, demand)
                for k, (node, duration, demand) in enumerate(self.tasks) if duration and demand]
        events = []
        for k, start, duration, demand in used:
            events.append((start, 1, k, demand))
            events.append((start + duration, 0, k, demand))
        events.sort(key=lambda e: (e[0], e[1]))  # at one instant, ends before starts
        running = {}
        load = 0
        for _, kind, k, demand in events:
            if kind == 0:
                del running[k]
                load -= demand
                continue
            running[k] = demand
            load += demand
            if load > self.capacity:
                self.conflict_clause = self.cut(running)
                self.n_conflicts += 1
                return False
        return True

    def cut(self, running):
        chosen, total = [], 0
        for k, demand in sorted(running.items(), key=lambda kd: (-kd[1], kd[0])):
            chosen.append(k)
            total += demand
            if total > self.capacity:
                break
        clause = []
        for a in range(len(chosen)):
            for b in range(a + 1, len(chosen)):
                i, j = chosen[a], chosen[b]
                clause += [self.order[(i, j)], self.order[(j, i)]]
        return clause

    def explain(self, lit):  # pragma: no cover - propagates nothing
        raise AssertionError("the cumulative theory propagates nothing")

    def statistics(self):
        return {"cumulative_checks": self.n_checks, "cumulative_conflicts": self.n_conflicts}
