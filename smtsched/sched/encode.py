"""A scheduling model as difference-logic formulas (the pairwise encoding), through the public
term API.

- one Int start variable per task, and a makespan variable with end <= makespan for every task;
- releases, deadlines, precedences with minimum and maximum lags: difference constraints;
- an optional task has a Bool presence variable that guards everything it takes part in;
- a non-renewable resource: PbLe over the presences of its optional tasks (the mandatory
  tasks' amounts are a constant moved to the bound);
- a presence rule (select all or none / at least one / exactly one): clauses over the
  presences;
- two tasks of a resource whose demands together exceed its capacity get the disjunction
  "one ends before the other starts" (for a machine: every pair);
- a cumulative resource can also be overloaded by three or more tasks that are pairwise
  compatible. The encoding does not enumerate those sets: `overloads` finds an overloaded
  instant in a schedule and `cut` turns its tasks into the clause "not all of these run
  together". Intervals on a line that pairwise overlap share a point (Helly's theorem in one
  dimension), so "some pair of them is ordered" says exactly that. The optimiser adds such cuts
  until a schedule has no overload (Ansotegui et al. add precedence variables for the same
  purpose, SMT-based RCPSP, 2011).
"""
# EncodingTimeout: the deadline passed while the encoding was being built. One class with the
# precedence module's, whose all-pairs longest paths (for the memories) read the same clock;
# defined there so that memory.py needs nothing from this module
from ..precedence import DeadlinePassed as EncodingTimeout
from ..terms import (And, Bool, BoolVal, Cumulative, Disjunctive, Int, Not, Or, PbLe,
                     WeightedCost)
from . import lower


class Encoding:
    def __init__(self, model, horizon=None, deadline=None):
        """`horizon`: the largest makespan the search will be asked about, if known. The
        cumulative resources then get bound literals over each task's window [head, horizon -
        tail], through which their theory moves start times (timetable filtering).
        `deadline` (a time.perf_counter() instant): EncodingTimeout once it has passed. The
        memories' liveness literals grow with tasks x buffers, so on a thousand-operator graph
        building them takes longer than a short time limit."""
        self.model = model
        self.horizon = horizon
        self.start = [Int(f"start {t.name}") for t in model.tasks]
        self.present = [Bool(f"present {t.name}") if t.optional else None for t in model.tasks]
        self.makespan = Int("makespan")
        self.formulas = []
        self._order = {}
        # the machines (unary resources without optional tasks) of each task: the start
        # comparisons of two tasks on one machine are its ordering atoms
        self.machines = [set() for _ in model.tasks]
        for number, resource in enumerate(model.resources):
            if resource.unary and not any(t.optional for t, _ in resource.demands):
                for t, _ in resource.demands:
                    self.machines[t.index].add(number)
        self._build()
        self.memories = []
        if model.memories:
            from .memory import MemoryEncoding, longest_paths
            paths = longest_paths(model, deadline)
            for memory in model.memories:
                encoded = MemoryEncoding(self, memory, paths, deadline)
                self.memories.append(encoded)
                self.formulas.extend(encoded.formulas)
                if memory.capacity is not None:
                    self.formulas.extend(encoded.bound_formulas(memory.capacity))

    # -- pieces ------------------------------------------------------------------------------
    def end(self, task):
        return self.start[task.index] + task.duration

    def guard(self, formula, *tasks):
        """`formula`, required only when every optional task among `tasks` is present."""
        guards = [Not(self.present[t.index]) for t in tasks if t.optional]
        return Or(*guards, formula) if guards else formula

    def before(self, a, b):
        """The literal-like formula "a ends before b starts" (one term per ordered pair)."""
        key = (a.index, b.index)
        formula = self._order.get(key)
        if formula is None:
            formula = self._order[key] = self.start[b.index] - self.start[a.index] >= a.duration
        return formula

    def _build(self):
        model = self.model
        add = self.formulas.append
        floor = lower.model_weighted(model)
        for task in model.tasks:
            s = self.start[task.index]
            if floor and task.optional:
                add(s >= 0)   # every start reaches the origin (see Lowering._tasks)
            add(self.guard(s >= task.release, task))
            if task.deadline is not None:
                add(self.guard(s + task.duration <= task.deadline, task))
            if model.horizon is not None:
                add(self.guard(s + task.duration <= model.horizon, task))
            add(self.guard(s + task.duration <= self.makespan, task))
        for p in model.precedences:
            gap = self.start[p.after.index] - self.start[p.before.index]
            add(self.guard(gap >= p.before.duration + p.min_lag, p.before, p.after))
            if p.max_lag is not None:
                add(self.guard(gap <= p.before.duration + p.max_lag, p.before, p.after))
        for task, options in model.alternatives:
            presences = [self.present[o.index] for o in options]
            add(Or(*presences))
            for i in range(len(presences)):
                for j in range(i + 1, len(presences)):
                    add(Not(And(presences[i], presences[j])))
            for option in options:
                add(self.guard(self.start[option.index] == self.start[task.index], option))
        for resource in model.resources:
            if resource.unary and not any(t.optional for t, _ in resource.demands):
                # the disjunctive theory (overload, edge finding) runs on the machine; the
                # compiler adds the pairwise clauses
                tasks = [t for t, _ in resource.demands]
                add(Disjunctive([self.start[t.index] for t in tasks], [t.duration for t in tasks]))
                continue
            if not resource.unary and not any(t.optional for t, _ in resource.demands):
                # the cumulative theory judges every complete schedule inside the search
                # (and the compiler adds the disjunction of each incompatible pair)
                tasks = [t for t, _ in resource.demands]
                add(Cumulative([self.start[t.index] for t in tasks],
                               [t.duration for t in tasks], [d for _, d in resource.demands],
                               resource.capacity, windows=self._windows(tasks)))
                continue
            pairs = [(t, d) for t, d in resource.demands if t.duration > 0]
            for i in range(len(pairs)):
                a, da = pairs[i]
                for j in range(i + 1, len(pairs)):
                    b, db = pairs[j]
                    if da + db > resource.capacity:
                        add(self.guard(Or(self.before(a, b), self.before(b, a)), a, b))

        for resource in model.nonrenewables:
            # the amounts of the present tasks, the mandatory ones a constant moved to the
            # bound: PbLe over the presences (z3's pble when printed; the pseudo-Boolean
            # theory, or a clause when it is one, when compiled)
            bound = resource.capacity - resource.constant()
            terms = [(self.present[t.index], a) for t, a in resource.consumption if t.optional]
            if bound < 0:
                add(BoolVal(False))
            elif sum(a for _, a in terms) > bound:
                add(PbLe(terms, bound))

        for rule in model.presence_rules:
            # clauses over the presences (a mandatory task's is true: PresenceRule.clauses)
            for clause in rule.clauses(lambda t: self.present[t.index], Not):
                add(Or(*clause) if len(clause) > 1 else clause[0] if clause
                    else BoolVal(False))
        self._setup_times()

    def _setup_times(self):
        """Sequence-dependent setup times: the order and next Booleans of
        Lowering._setup_times (read its docstring), as formulas."""
        add = self.formulas.append
        for setups in self.model.setups:
            number = next(k for k, r in enumerate(self.model.resources)
                          if r is setups.resource)
            tasks = [t for t, _ in setups.resource.demands]
            order = {}
            for i, a in enumerate(tasks):
                for b in tasks[i + 1:]:
                    y = Bool(setups.order_name(number, a, b))
                    order[a.index, b.index], order[b.index, a.index] = y, Not(y)

            def guards(*ts):
                return [Not(self.present[t.index]) for t in ts if t.optional]

            def after(a, b, gap=0):
                return self.start[b.index] - self.start[a.index] >= a.duration + gap

            least = setups.least_gaps()
            for i, a in enumerate(tasks):
                for b in tasks[i + 1:]:
                    y = order[a.index, b.index]
                    add(Or(*guards(a, b), Not(y), after(a, b, least[a.index, b.index])))
                    add(Or(*guards(a, b), y, after(b, a, least[b.index, a.index])))
            instant = [t for t in tasks if t.duration == 0]   # (see Lowering._setup_times)
            for a in instant:
                for b in instant:
                    for c in instant:
                        if len({a.index, b.index, c.index}) == 3:
                            add(Or(*guards(a, b, c), Not(order[a.index, b.index]),
                                   Not(order[b.index, c.index]), order[a.index, c.index]))
            nexts = {(a.index, b.index): Bool(setups.next_name(number, a, b))
                     for a in tasks for b in tasks if b is not a}
            for a in tasks:
                for b in tasks:
                    if b is a:
                        continue
                    x = nexts[a.index, b.index]
                    for t in (a, b):
                        if t.optional:
                            add(Or(Not(x), self.present[t.index]))
                    add(Or(Not(x), order[a.index, b.index]))
                    gap = setups.times.get((a, b), 0)
                    if gap > least[a.index, b.index]:
                        add(Or(Not(x), after(a, b, gap)))
                    for c in tasks:
                        if c is not a and c is not b:
                            add(Or(Not(x), *guards(c), order[c.index, a.index],
                                   order[b.index, c.index]))
            for a in tasks:
                successors = [nexts[a.index, c.index] for c in tasks if c is not a]
                for b in tasks:
                    if b is not a:
                        add(Or(*guards(a, b), Not(order[a.index, b.index]), *successors))

    def _windows(self, tasks):
        """Each task's (head, horizon - tail): where its start can lie under the horizon; None
        without a horizon or when that would take too many literals (the lowering's rule)."""
        if self.horizon is None:
            return None
        if not hasattr(self, "_heads"):
            from .bounds import heads_and_tails
            self._heads = heads_and_tails(self.model)
        return lower.windows(tasks, self.horizon, self._heads, lower.Lowering.MAX_BOUND_LITERALS)

    def same_machine(self, a, b):
        return a is not b and not self.machines[a.index].isdisjoint(self.machines[b.index])

    def memory_encoding(self, memory):
        return self.memories[self.model.memories.index(memory)]

    def cost_bound(self, bound, guard):
        """"guard => weighted objective <= bound" (weighted completion or tardiness)."""
        model = self.model
        if model.earliness:
            # WeightedCost's theory needs costs that grow with the ends (the Lowering's
            # convex cost theory takes earliness; this encoding serves SolverBackend and
            # to_smtlib, which prints the sum itself)
            from ..errors import UnsupportedError
            raise UnsupportedError("earliness terms need the default backend "
                                   "(LoweringBackend): WeightedCost bounds non-decreasing "
                                   "costs only")
        if model.cost_terms():
            # a sum of ends and Booleans is no WeightedCost: the Solver has no theory for it
            from ..errors import UnsupportedError
            raise UnsupportedError("the pairwise encoding bounds no tardy, max_tardiness or "
                                   "setup_weight terms: use the default backend")
        indices = sorted(model.weights)
        dues = None if model.dues is None else [model.dues[i] for i in indices]
        return WeightedCost([self.start[i] for i in indices],
                            [model.tasks[i].duration for i in indices],
                            [model.weights[i] for i in indices], bound, dues=dues, guard=guard)

    def objective_bound(self, bound):
        """[formulas] saying "weighted objective <= bound" (Model.to_smtlib): the WeightedCost
        of the sum of ends or tardiness, or with minimize_weighted_sum's more terms the whole
        sum as linear arithmetic with ite: w * ite(end > due, 1, 0) per tardy term, w * m per
        max group with a fresh Int m at least every member's w * ite(end > due, end - due, 0)
        (exact: the weights are non-negative, so some m meets the bound iff the maximum
        does), and setup_weight * ite(next(a, b), setup, 0) over the "next" Booleans of
        _setup_times (true exactly for the consecutive pairs)."""
        model = self.model
        if not model.cost_terms():
            return [self.cost_bound(bound, None)]
        from ..terms import If, IntVal
        formulas = []
        total = IntVal(0)

        def end(i):
            return self.start[i] + model.tasks[i].duration

        for i, weight in sorted(model.weights.items()):
            if weight:
                if model.dues is None:
                    total = total + weight * end(i)
                else:
                    total = total + weight * If(end(i) > model.dues[i], end(i) - model.dues[i],
                                                IntVal(0))
        for i, weight, due in model.tardy:
            if weight:
                total = total + If(end(i) > due, IntVal(weight), IntVal(0))
        for number, (weight, members) in enumerate(model.max_groups):
            if not weight:
                continue
            top = Int(f"max_tardiness {number}")
            formulas.append(top >= 0)
            for i, w, due in members:
                formulas.append(top >= w * If(end(i) > due, end(i) - due, IntVal(0)))
            total = total + weight * top
        if model.setup_weight:
            for setups in model.setups:
                number = next(k for k, r in enumerate(model.resources) if r is setups.resource)
                for (a, b), gap in setups.times.items():
                    if gap > 0:
                        total = total + If(Bool(setups.next_name(number, a, b)),
                                           IntVal(model.setup_weight * gap), IntVal(0))
        formulas.append(total <= bound)
        return formulas

    # -- reading a model -----------------------------------------------------------------------
    def schedule(self, smt_model):
        """(starts, present) of a solver model: lists indexed by task."""
        starts = [smt_model.eval(s) for s in self.start]
        present = [True if p is None else bool(smt_model.eval(p)) for p in self.present]
        return starts, present

    def overloads(self, starts, present):
        """For each cumulative resource with an overloaded instant in the schedule: a minimal
        set of tasks running then whose demands exceed the capacity (sched.lower.overloads)."""
        return lower.overloads(self.model, starts, present)

    def cut(self, tasks):
        """Not all of `tasks` run at one instant: some pair of them is ordered (or absent)."""
        options = []
        for i in range(len(tasks)):
            for j in range(i + 1, len(tasks)):
                options.append(self.before(tasks[i], tasks[j]))
                options.append(self.before(tasks[j], tasks[i]))
        options += [Not(self.present[t.index]) for t in tasks if t.optional]
        return Or(*options)
