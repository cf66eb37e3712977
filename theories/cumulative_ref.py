"""The cumulative (renewable resource) theory, pure-Python reference.

It reasons in two places.

**During the search** (`propagate`, at every search node), on the time bounds of the tasks read
from the difference-logic graph (node 0 is the time origin: est_k = -dist(k, 0), lst_k =
dist(0, k), lct_k = lst_k + p_k). It detects conflicts and, when the compiler made bound
literals "start_k >= v" for the tasks (the Cumulative constraint's `windows`), moves start times
through them.

* Timetable consistency (Schutt, Feydy, Stuckey, Wallace: "Explaining the cumulative
  propagator", Constraints 16(3), 2011). A task whose latest start comes before its earliest
  end runs for sure during [lst_k, est_k + p_k), its compulsory part. If the compulsory parts
  stack above the capacity at some instant, no schedule fits the current bounds. The conflict
  is explained *pointwise*: take the earliest overloaded instant t, the fewest tasks whose
  compulsory parts cover t with demands above the capacity (largest demands first, ties by task
  index), and for each of them only what puts it at t: lst_k <= t and est_k >= t + 1 - p_k.
  Those lifted bounds are weaker than the task's own, which is what makes the explanation
  general (the same clause refutes every state where those tasks cover t).
  With `ordering_cuts=True` the same overload is stated instead as the ordering cut of those
  tasks (the Helly clause of the final check below), once the graph's implied ordering
  literals are on the trail (see `_timetable` for why).
* An energetic overload check over task windows, the cumulative form of the overload rule of
  Vilim's unary and cumulative edge finding ("Edge finding filtering algorithm for discrete
  cumulative resources in O(kn log n)", CP 2009), in the energy vocabulary of Baptiste, Le Pape
  and Nuijten ("Constraint-Based Scheduling", 2001): for a window [a, b], a an earliest start
  and b a latest end, the tasks lying wholly inside it need sum(p_k * d_k) resource-time; more
  than capacity * (b - a) is a conflict, explained by est_k >= a and lct_k <= b for the tasks
  used (the largest energies first, just enough of them to exceed the window). Optional
  (`energetic=False` turns it off), so that its cost can be measured against what it prunes.
* Timetable filtering, with the bound literals (the lazy clause generation of Schutt et al.,
  whose pointwise explanations these are): the compulsory parts make a profile of segments
  [a, b) of constant load. A task j that would overlap, from its earliest start e, a segment
  where its demand does not fit on top of the others' cannot start that early: it moves to the
  segment's end b when one move gets it there (e + p_j >= b), else to e + p_j; the new bound
  is t + 1 for the instant t = new - 1 that j would then have to cover. The reason: the fewest
  tasks covering t whose demands with d_j exceed the capacity (largest first; each by
  lst_k <= t and est_k >= t + 1 - p_k), and est_j >= t + 1 - p_j. The latest start moves the
  same way to t - p_j, at t = max(a, lst_j) of the first such segment j overlaps from its
  latest start, with lst_j <= t in the reason. One move per task and check (the next check
  continues from the new bound, once it is on the trail): then every reason is made of
  literals already on the trail. A move past the task's other bound is a conflict. Literals
  only exist inside each task's window, so a move outside it says nothing.

A check is skipped when the bounds are those of the last check and no backtrack came between.

**On complete models** (`final_check`), which is what makes the theory complete: a model of the
difference theory is a schedule (the node potentials). If some instant carries more demand than
the capacity, the tasks running then pairwise overlap, and so every ordering atom "i ends before
j starts" between two of them is false in the model. Some pair of them must be ordered in any
schedule that fits (intervals on a line that pairwise overlap share a point: Helly's theorem in
one dimension), so the clause "one of these ordering atoms holds" is a valid lemma, and false
now: a conflict. The set is the fewest tasks running at the overloaded instant whose demands
exceed the capacity (largest demands first), which keeps the clause short. Where the order
table has no literal for a pair of the set (lazy pairs: a large resource gets none up front)
the check accepts the model: the front end finds the overload in the schedule and adds the
cut over fresh atoms between searches (smtsched.sched.lowered); a timetable overload is then
stated by the bounds even with `ordering_cuts`. This is the lazy
decomposition of Ansotegui et al. (SMT-based RCPSP, 2011) moved inside the search: the SAT
solver learns the cut without starting over.

**Optional tasks** (`presence`: a presence literal per task, 0 for a mandatory one), as lazy
clause generation solvers treat them (Schutt, Feydy, Stuckey, Wallace 2011, optional tasks;
OR-Tools' cumulative takes presence literals likewise): a task counts in the compulsory parts,
the profile, the window energy and the final check only once its presence literal is true,
and every clause that uses it has that literal among its premises ("... or the task is
absent"); a task whose presence is false or unassigned counts for nothing, and filtering moves
only the tasks that count. The theory owns the presence variables it reads (it is told their
values through `assign`): the front end gives it fresh copies, equivalent to the model's
presences by two clauses, since an engine gives a variable one owner and a presence may be
read by the pseudo-Boolean rows and by several resources (smtsched/sched/lower.py,
`_optional_cumulative`). Without `presence` the theory owns no variables and every task counts.

Without presences the theory owns no variables. The compiled twin is theories/cumulative.pyx; both choose the same
instant, window and task set, so the tests can compare them step by step (`last_tasks`).

With `record_witnesses` (a proof is logged; global_ref.py) every clause has its certificate
witness (`last_witness()`): a timetable conflict or filtering step, the instant t and the tasks
covering it (j included), `energy` over [t, t + 1]; the window energy check, `energy` over its
window [a, b]; an ordering cut (timetable with `ordering_cuts`, final check), `clique` of its
tasks.
"""


from smtsched.theories.global_ref import GlobalTheory, clique_witness, energy_witness

# _timetable(): an overload whose ordering cut is not false on the trail yet
DEFERRED = "deferred"


class CumulativeLogic(GlobalTheory):

    def __init__(self, graph, tasks, capacity, order, bound_literals=None, energetic=True,
                 ordering_cuts=False, presence=None):
        """`graph`: the difference-logic theory of the start nodes; `tasks`: [(node, duration,
        demand)]; `order`: {(i, j): literal "task i ends before task j starts"} for every pair
        of tasks that use the resource; `bound_literals`: {(k, v): literal "start_k >= v"}
        over each task's window, or None (no filtering); `energetic`: run the window energy
        check too; `ordering_cuts`: state a timetable overload as the ordering cut of its
        tasks rather than by their pointwise bounds (see `_timetable`); `presence`: per task
        the literal of its presence (0: mandatory), or None (every task mandatory). The
        theory owns the presence variables (fresh copies: "Optional tasks" above). The
        fields of a core.specs.CumulativeSpec, passed by the factory."""
        super().__init__(graph)
        self.tasks = [(node, duration, demand) for node, duration, demand in tasks]
        self.capacity = capacity
        self.order = {(i, j): literal for (i, j), literal in order.items()}
        self.bound_literal = dict(bound_literals or {})   # (k, v) -> the literal "start_k >= v"
        self.filtering = bool(self.bound_literal)
        self.propagates_foreign = self.filtering
        self.reasons = {}           # propagated literal -> (its clause, level, witness)
        self.found_witness = None   # the witness of the clause a check just made
        self.n_filtered = 0
        self.energetic = energetic
        self.ordering_cuts = ordering_cuts
        # tasks that take part: both a duration and a demand
        self.used = [k for k, (_, p, d) in enumerate(self.tasks) if p and d]
        self.last_bounds = None     # the bounds of the last search-node check (the cache)
        self.last_tasks = []        # the task set of the last conflict (for the twin tests)
        self.n_checks = 0
        self.n_conflicts = 0
        self.n_timetable_checks = 0
        self.n_timetable_conflicts = 0
        self.n_energy_conflicts = 0
        self.n_deferred = 0
        # optional tasks: the presence literal of each task (0: mandatory), the values of the
        # owned presence variables (var -> True/False while assigned) and their trail
        self.presence = [int(lit) for lit in presence] if presence else [0] * len(self.tasks)
        self.presence_tasks = {}     # var -> the tasks whose presence it is
        for k, lit in enumerate(self.presence):
            if lit:
                self.presence_tasks.setdefault(abs(lit), []).append(k)
        self.presence_value = {}
        self.presence_trail = []     # (var, level) of the non-fixed assignments
        self.active = list(self.used)  # the tasks that count: mandatory, or known present

    def observed(self):
        return sorted(self.presence_tasks)

    def assign(self, lit, fixed):
        var = abs(lit)
        self.presence_value[var] = lit > 0
        if not fixed:
            self.presence_trail.append((var, self.levels))
        if lit > 0:
            self.last_bounds = None   # a task counts from now on: check again

    def _counts(self, k):
        """Whether task k counts: mandatory, or its presence is true."""
        lit = self.presence[k]
        if not lit:
            return True
        value = self.presence_value.get(abs(lit))
        return value is not None and value == (lit > 0)

    def _present(self, tasks):
        """The presence literals (premises) of those of `tasks` that are optional."""
        return [self.presence[k] for k in tasks if self.presence[k]]

    def _undone(self, level):
        self.last_bounds = None
        trail = self.presence_trail
        while trail and trail[-1][1] > level:
            del self.presence_value[trail.pop()[0]]
        # literals propagated above `level` are unassigned again: forget their reasons
        self.reasons = {lit: entry for lit, entry in self.reasons.items() if entry[1] <= level}

    # -- during the search -----------------------------------------------------------------
    def propagate(self):
        self.active = [k for k in self.used if self._counts(k)]
        bounds = self._bounds()
        if bounds is None:
            return []
        if bounds == self.last_bounds:
            # nothing changed since the last check (after a conflict too: the contract asks
            # for [] until the next backtrack, and a backtrack clears the cache)
            return []
        self.last_bounds = bounds
        self.n_timetable_checks += 1
        self.found_witness = None
        est, lst = bounds
        clause = self._timetable(est, lst)
        if clause == DEFERRED:
            self.n_deferred += 1
            self.last_bounds = None  # look again at the next call, whatever the bounds
            return []
        if clause is not None:
            self.n_timetable_conflicts += 1
        elif self.energetic:
            clause = self._energy(est, lst)
            if clause is not None:
                self.n_energy_conflicts += 1
        if clause is None and self.filtering:
            implied = []
            clause = self._filter(est, lst, implied)
            if clause is not None:
                self.n_timetable_conflicts += 1
            elif implied:
                # one move per task and check: look again once these are on the trail
                self.last_bounds = None
                self.n_filtered += len(implied)
                return implied
        if clause is None:
            return []
        self.conflict_clause = clause
        if self.record_witnesses:
            self._witness_conflict(self.found_witness)
        return None

    def _profile(self, est, lst):
        """[(a, b, load)]: the segments of the compulsory-part profile with a positive load."""
        events = {}
        for k in self.active:
            _, p, d = self.tasks[k]
            if lst[k] < est[k] + p:
                events[lst[k]] = events.get(lst[k], 0) + d
                events[est[k] + p] = events.get(est[k] + p, 0) - d
        segments, load = [], 0
        times = sorted(events)
        for t, following in zip(times, times[1:]):
            load += events[t]
            if load > 0:
                segments.append((t, following, load))
        return segments

    def _filter(self, est, lst, implied):
        """Timetable filtering (module docstring): appends the moved bounds' literals to
        `implied`; the conflict clause of a move past the other bound, else None."""
        segments = self._profile(est, lst)
        if not segments:
            return None
        for j in self.active:
            if not self._has_literals(j):
                continue
            _, p, d = self.tasks[j]
            e, l = est[j], lst[j]

            def fits(a, b, load):
                own = d if lst[j] <= a and b <= est[j] + p else 0
                return load - own + d <= self.capacity

            blocking = [seg for seg in segments if seg[1] > e and seg[0] < e + p
                        and not fits(*seg)]
            if blocking:
                _, b, _ = blocking[-1]
                t = b - 1 if e + p >= b else e + p - 1
                clause = self._move(j, t, False, t + 1, est, lst, implied)
                if clause is not None:
                    return clause
                continue
            blocking = [seg for seg in segments if seg[1] > l and seg[0] < l + p
                        and not fits(*seg)]
            if blocking:
                a, _, _ = blocking[0]
                t = max(a, l)
                clause = self._move(j, t, True, t - p, est, lst, implied)
                if clause is not None:
                    return clause
        return None

    def _has_literals(self, j):
        if not hasattr(self, "_with_literals"):
            self._with_literals = {k for k, _ in self.bound_literal}
        return j in self._with_literals

    def _move(self, j, t, upper, new, est, lst, implied):
        """start_j >= new (upper: start_j <= new), j being unable to cover instant t: the
        literal goes to `implied` with its reason, or the clause of a conflict is returned."""
        node_j, p, d = self.tasks[j]
        covering = [k for k in self.active
                    if k != j and lst[k] <= t < est[k] + self.tasks[k][1]]
        chosen = self._fewest(covering, lambda k: self.tasks[k][2], self.capacity - d)
        # j and the chosen tasks count only while present
        literals = set(self._present([j] + chosen))
        for k in chosen:
            node = self.tasks[k][0]
            literals.update(self.graph.path_literals(0, node))   # lst_k <= t
            literals.update(self.graph.path_literals(node, 0))   # est_k >= t + 1 - p_k
        # j covers t from its bound on the moving side
        literals.update(self.graph.path_literals(0, node_j) if upper
                        else self.graph.path_literals(node_j, 0))
        if (new < est[j]) if upper else (new > lst[j]):
            # the move crosses the other bound
            literals.update(self.graph.path_literals(node_j, 0) if upper
                            else self.graph.path_literals(0, node_j))
            self.last_tasks = [j] + chosen
            self._found(energy_witness, t, t + 1, [j] + chosen)   # all cover t
            return sorted((-lit for lit in literals), key=abs)
        literal = self.bound_literal.get((j, new + 1 if upper else new))
        if literal is None:
            return None  # outside the literals' window: nothing to say
        if upper:
            literal = -literal
        value = self.graph.literal_value(literal)
        if value == 1 or (value == 0 and literal in self.reasons):
            return None  # true, or offered already and still pending
        # j covers t: by the negated literal on the moving side (start_j <= t; upper:
        # start_j >= t + 1 - p_j), by its path on the other; so do the chosen tasks
        witness = energy_witness(t, t + 1, [j] + chosen) if self.record_witnesses else None
        if value == -1:  # pragma: no cover - the bounds say otherwise (crossed above)
            self.last_tasks = [j] + chosen
            self.found_witness = witness
            return [literal] + sorted((-lit for lit in literals), key=abs)
        self.reasons[literal] = ([literal] + sorted((-lit for lit in literals), key=abs),
                                 self.levels, witness)
        implied.append(literal)
        return None

    def _bounds(self):
        """(est, lst), dicts over the used tasks, from the graph; None when one is unbounded."""
        est, lst = {}, {}
        for k in self.active:
            node = self.tasks[k][0]
            back = self.graph.distance(node, 0)     # x_0 - x_k <= back: x_k >= -back
            ahead = self.graph.distance(0, node)    # x_k - x_0 <= ahead
            if back is None or ahead is None:
                return None
            est[k] = -back
            lst[k] = ahead
        return est, lst

    def _timetable(self, est, lst):
        """The clause of the earliest compulsory-part overload; None if there is none;
        DEFERRED when its ordering cut (`ordering_cuts`) is not false on the trail yet.

        Tasks whose compulsory parts cover the same instant overlap pairwise, so the graph
        implies that every ordering atom between two of them is false. Once those literals are
        on the trail, the ordering cut of the tasks (the final check's Helly clause) is false
        too, and it is the better lemma: it speaks of the orderings, not of bounds reached
        through one chain of precedences, so it keeps pruning wherever the tasks would overlap
        again. The graph returns those literals in the same propagation round in which the
        bounds that cause the overload change, before the solver has assigned them; the check
        then waits for the next round (which comes: the solver assigns implied literals
        before deciding) instead of stating the conflict by bounds."""
        events = {}  # time -> change of the compulsory load
        for k in self.active:
            _, p, d = self.tasks[k]
            if lst[k] < est[k] + p:
                events[lst[k]] = events.get(lst[k], 0) + d
                events[est[k] + p] = events.get(est[k] + p, 0) - d
        load = 0
        for t in sorted(events):
            load += events[t]
            if load <= self.capacity:
                continue
            # the load holds on [t, next event): t is the earliest overloaded instant
            covering = [k for k in self.active
                        if lst[k] <= t < est[k] + self.tasks[k][1]]
            chosen = self._fewest(covering, lambda k: self.tasks[k][2], self.capacity)
            # (a pair without its ordering atom, lazy pairs: stated by the bounds instead)
            cut = self._cut(chosen) if self.ordering_cuts else None
            if cut is not None:
                if all(self._is_false(lit) for lit in cut
                       if abs(lit) not in self.presence_tasks):   # (presences: true)
                    self.last_tasks = chosen
                    self._found(clique_witness, chosen)
                    return cut
                return DEFERRED
            self.last_tasks = chosen
            self._found(energy_witness, t, t + 1, chosen)   # each covers t: window [t, t+1]
            literals = set(self._present(chosen))   # each counts only while present
            for k in chosen:
                node, p, _ = self.tasks[k]
                # a path 0 -> k proves x_k - x_0 <= lst_k <= t; a path k -> 0 proves
                # x_0 - x_k <= -est_k <= p - 1 - t: together, task k runs at instant t
                literals.update(self.graph.path_literals(0, node))
                literals.update(self.graph.path_literals(node, 0))
            return sorted((-lit for lit in literals), key=abs)
        return None

    def _energy(self, est, lst):
        """The clause of the first window [a, b] whose inside tasks need more energy than it
        holds (b by increasing latest end, then a by decreasing earliest start), or None."""
        lct = {k: lst[k] + self.tasks[k][1] for k in self.active}
        for b in sorted(set(lct.values())):
            inside_b = sorted((k for k in self.active if lct[k] <= b), key=lambda k: (-est[k], k))
            energy = 0
            for position, k in enumerate(inside_b):
                energy += self.tasks[k][1] * self.tasks[k][2]
                a = est[k]
                if position + 1 < len(inside_b) and est[inside_b[position + 1]] == a:
                    continue  # take every task with this earliest start before judging
                room = self.capacity * (b - a)
                if energy <= room:
                    continue
                chosen = self._fewest(inside_b[:position + 1],
                                     lambda j: self.tasks[j][1] * self.tasks[j][2], room)
                self.last_tasks = chosen
                self._found(energy_witness, a, b, chosen)   # each lies inside [a, b]
                literals = set(self._present(chosen))   # each counts only while present
                for j in chosen:
                    node = self.tasks[j][0]
                    literals.update(self.graph.path_literals(node, 0))  # est_j >= a
                    literals.update(self.graph.path_literals(0, node))  # lct_j <= b
                return sorted((-lit for lit in literals), key=abs)
        return None

    def _is_false(self, literal):
        """Whether an ordering literal is false now. The one ordering literal the graph does
        not own is the compiler's constant for two tasks on the same start variable
        ("x - x >= p" with p > 0): false."""
        try:
            return self.graph.literal_value(literal) == -1
        except ValueError:
            return True

    @staticmethod
    def _fewest(candidates, size, limit):
        """The shortest prefix, by decreasing size (ties: smaller index), whose sizes sum
        above `limit` (the caller knows that all of them together do)."""
        chosen, total = [], 0
        for k in sorted(candidates, key=lambda k: (-size(k), k)):
            chosen.append(k)
            total += size(k)
            if total > limit:
                break
        return chosen

    # -- on complete models ----------------------------------------------------------------
    def final_check(self):
        self.n_checks += 1
        potentials = self.graph.values()
        origin = potentials[0]
        used = [(k, potentials[node] - origin, duration, demand)
                for k, (node, duration, demand) in enumerate(self.tasks)
                if duration and demand and self._counts(k)]
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
                chosen = self._fewest(running, running.get, self.capacity)
                self.last_tasks = chosen
                cut = self._cut(chosen)
                if cut is None:
                    # an ordering atom of the cut does not exist (lazy pairs): the model is
                    # accepted, and the front end cuts the overload between searches
                    return True
                self.conflict_clause = cut
                if self.record_witnesses:
                    self._witness_conflict(clique_witness(chosen))
                self.n_conflicts += 1
                return False
        return True

    def _cut(self, chosen):
        """The ordering cut of `chosen`: "some two of them are ordered"; None when a pair has
        no ordering literals. The front end leaves out the pairs the precedences order (they
        never overlap, so they are in no cut) and, for a lazy resource, every pair (it makes
        the atoms of the cuts it adds between searches)."""
        clause = []
        for a in range(len(chosen)):
            for b in range(a + 1, len(chosen)):
                i, j = chosen[a], chosen[b]
                if (i, j) not in self.order or (j, i) not in self.order:
                    return None
                clause += [self.order[(i, j)], self.order[(j, i)]]
        # "or one of them is absent"
        return clause + [-lit for lit in self._present(chosen)]

    def explain(self, lit):
        clause, _, self.given_witness = self.reasons[lit]
        return list(clause)

    def _found(self, make, *arguments):
        """The witness of the conflict clause being made (only when recording)."""
        if self.record_witnesses:
            self.found_witness = make(*arguments)

    def statistics(self):
        return {"cumulative_checks": self.n_checks,
                "cumulative_conflicts": self.n_conflicts,
                "cumulative_timetable_checks": self.n_timetable_checks,
                "cumulative_timetable_conflicts": self.n_timetable_conflicts,
                "cumulative_energy_conflicts": self.n_energy_conflicts,
                "cumulative_timetable_deferred": self.n_deferred,
                "cumulative_filtered": self.n_filtered}
