# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# distutils: language = c++
"""The cumulative (renewable resource) theory in Cython: the twin of cumulative_ref.py.

Same contract (smtsched/theory.py), the same reasoning and the same choices (instant, window,
task set), so the two can be compared step by step:

* at every search node, timetable consistency with pointwise explanations (Schutt, Feydy,
  Stuckey, Wallace: "Explaining the cumulative propagator", Constraints 2011): the earliest
  instant t where the compulsory parts [lst_k, est_k + p_k) overload the capacity, the fewest
  tasks covering t whose demands exceed it (largest first), each explained by lst_k <= t and
  est_k >= t + 1 - p_k only; or (option `ordering_cuts`) the same overload stated as the
  ordering cut of those tasks once the graph's implied ordering literals are on the trail;
* then, when the compiler made bound literals "start_k >= v" (the constraint's windows),
  timetable filtering through them (see cumulative_ref.py): one move per task and check, each
  literal's reason kept as a record and built from the graph's paths when CaDiCaL asks;
* then (option `energetic`) the window energy check (Baptiste, Le Pape, Nuijten's energetic
  reasoning, on the windows of Vilim's cumulative overload rule): the tasks inside [a, b] need
  more than capacity * (b - a);
* on complete models, the Helly cut over the ordering atoms of the tasks running at an
  overloaded instant (see cumulative_ref.py): what makes the theory complete. When a pair of
  them has no atom (lazy pairs) the model is accepted and the front end cuts it.

With `record_witnesses` (a proof is logged) every clause has the witness its reference twin
gives it (`last_witness()`, cumulative_ref.py): the lifted bounds of the explanations are the
ones the witness needs (each task covers t, or lies inside [a, b]).

Bounds come straight from the compiled difference theory's exact bounds (time_graph.pxd:
est_k = -d(k, 0), lst_k = d(0, k)): O(1) per task. A check costs O(n log n) for the
timetable profile and O(n^2) for the windows (n used tasks); it is skipped when the bounds did
not change since the last check and no backtrack came between. Conflict clauses are built at
once, from paths found by the graph's bounded search among the edges in the matrix now, each
required to prove the lifted bound (t, or the window's a and b) rather than the task's own. The
search returns a shortest such path, so the literals are those behind the task's own bound
whenever that path is unique: the lifting chooses which tasks and which bounds appear, not a
weaker path.
"""
from libc.stdint cimport int8_t, int32_t, int64_t
from libcpp.algorithm cimport sort
from libcpp.pair cimport pair
from libcpp.vector cimport vector

from smtsched.theories.time_graph cimport TimeGraph
from smtsched.theories.global_theory cimport GlobalTheory
from smtsched.theories.global_ref import clique_witness, energy_witness

# How many bound literals at_least/at_most look at before searching a path: the graph implies
# them in order of strength, so one of the first few holds unless the bound is far off.
cdef int BOUND_SCAN = 8


# what timetable() found
cdef enum:
    NO_OVERLOAD = 0
    OVERLOAD = 1     # the conflict clause is set
    DEFERRED = 2     # an overload whose ordering cut is not false on the trail yet


cdef class CumulativeLogic(GlobalTheory):
    # The engine need not filter what this theory offers (engine.py, `claim`): move() skips
    # every literal the graph implied, in this round or before.
    offers_fresh = True

    cdef int n                          # tasks
    cdef vector[int32_t] node
    cdef vector[int64_t] duration
    cdef vector[int64_t] demand
    cdef vector[int32_t] used           # tasks with a duration and a demand, by index
    cdef vector[int32_t] order          # n*n: literal "i ends before j starts", 0 if none
    cdef readonly int64_t capacity
    cdef readonly bint energetic, ordering_cuts
    # bounds of this check and of the last one (the cache), indexed by task
    cdef vector[int64_t] est, lst, last_est, last_lst
    cdef readonly list last_tasks       # the task set of the last conflict (twin tests)
    cdef int64_t n_checks, n_conflicts, n_timetable_checks, n_timetable_conflicts
    cdef int64_t n_energy_conflicts, n_deferred
    # timetable filtering through bound literals (present when the compiler made them)
    cdef readonly bint filtering
    cdef vector[int64_t] bound_low      # per task: its literals say start >= bound_low + 1 ...
    cdef vector[int32_t] bound_start    # ... up to bound_low + bound_count, from bound_start
    cdef vector[int32_t] bound_count
    cdef vector[int32_t] bound_lits
    # the compulsory-part profile of this check: segments [a, b) of load > 0
    cdef vector[int64_t] segment_a, segment_b, segment_load
    # one record per propagated literal still assigned: task, instant, side, covering tasks
    cdef vector[int32_t] record_task, record_start, record_tasks, record_limit, record_level
    cdef vector[int64_t] record_t
    cdef vector[int8_t] record_upper
    cdef int64_t n_filtered
    # optional tasks (cumulative_ref.py, "Optional tasks"): per task its presence literal
    # (0: mandatory) and the value of that literal (1 true, -1 false, 0 unassigned); the owned
    # variables' tasks, the trail of non-fixed assignments; the tasks that count in this
    # check (mandatory, or known present) and in the last one (the cache)
    cdef vector[int32_t] presence
    cdef vector[int8_t] presence_value
    cdef dict presence_tasks
    cdef vector[int32_t] trail_var, trail_level
    cdef vector[int32_t] active, last_active

    def __init__(self, TimeGraph graph, tasks, capacity, order, bound_literals=None,
                 energetic=True, ordering_cuts=False, presence=None):
        """Same arguments as cumulative_ref.CumulativeLogic (the graph must be the compiled
        difference theory)."""
        GlobalTheory.__init__(self, graph)
        tasks = [(int(node), int(duration), int(demand)) for node, duration, demand in tasks]
        self.n = len(tasks)
        cdef int k = 0
        for node, duration, demand in tasks:
            self.node.push_back(node)
            self.duration.push_back(duration)
            self.demand.push_back(demand)
            if duration and demand:
                self.used.push_back(k)
            k += 1
        # (an empty order, lazy pairs: no n x n table; no cut over it exists)
        if order:
            self.order.assign(<size_t>self.n * self.n, 0)
        for (i, j), literal in order.items():
            self.order[<size_t>i * self.n + j] = literal
        bounds = {}
        for (k, v), literal in (bound_literals or {}).items():   # start_k >= v
            bounds.setdefault(k, {})[v] = literal
        self.bound_low.assign(self.n, 0)
        self.bound_start.assign(self.n, 0)
        self.bound_count.assign(self.n, 0)
        for k in sorted(bounds):
            values = sorted(bounds[k])
            if values != list(range(values[0], values[0] + len(values))):
                raise ValueError("cumulative: the bound literals of a task must cover a range")
            self.bound_low[k] = values[0] - 1
            self.bound_start[k] = self.bound_lits.size()
            self.bound_count[k] = len(values)
            for v in values:
                self.bound_lits.push_back(bounds[k][v])
        self.filtering = self.bound_lits.size() > 0
        self.n_filtered = 0
        self.capacity = capacity
        self.energetic = energetic
        self.ordering_cuts = ordering_cuts
        self.propagates_foreign = self.filtering
        self.est.resize(self.n)
        self.lst.resize(self.n)
        self.last_tasks = []
        self.n_checks = self.n_conflicts = self.n_timetable_checks = 0
        self.n_timetable_conflicts = self.n_energy_conflicts = self.n_deferred = 0
        self.presence.assign(self.n, 0)
        self.presence_value.assign(self.n, 0)
        self.presence_tasks = {}
        if presence:
            for k, literal in enumerate(presence):
                self.presence[k] = int(literal)
                if literal:
                    self.presence_tasks.setdefault(abs(int(literal)), []).append(k)
        self.active = self.used

    # -- contract (level, new_level, backtrack, conflict, values: GlobalTheory) -------------
    def observed(self):
        return sorted(self.presence_tasks)

    def assign(self, int lit, fixed):
        cdef int var = lit if lit > 0 else -lit
        cdef int32_t k
        for k in self.presence_tasks[var]:
            # (an if, not a conditional expression: Cython 3 types that as a reference to a
            # temporary when it is stored into a vector[int8_t] element)
            if (lit > 0) == (self.presence[k] > 0):
                self.presence_value[k] = 1
            else:
                self.presence_value[k] = -1
        if not fixed:
            self.trail_var.push_back(var)
            self.trail_level.push_back(self.levels)
        if lit > 0:
            self.cache_valid = False   # a task counts from now on: check again

    cdef inline void present(self, int32_t k, set literals):
        """Adds "k is absent" to a clause being made, k being optional (it counts only while
        present)."""
        if self.presence[k] != 0:
            literals.add(-self.presence[k])

    cdef void undone(self, int level) except *:
        cdef int32_t k
        while self.trail_var.size() > 0 and self.trail_level.back() > level:
            for k in self.presence_tasks[self.trail_var.back()]:
                self.presence_value[k] = 0
            self.trail_var.pop_back()
            self.trail_level.pop_back()
        # the records of levels above `level` (their literals are forgotten already)
        cdef size_t keep = self.records_kept(self.record_level, level)
        if keep < self.record_level.size():
            self.drop_record(keep)

    def explain(self, int lit):
        cdef int record = self.reason_of[lit]
        cdef int32_t begin = self.record_start[record]
        cdef int32_t end = (self.record_start[record + 1]
                            if record + 1 < <int>self.record_start.size()
                            else <int32_t>self.record_tasks.size())
        literals = set()
        self.step_reason(begin, end, self.record_task[record], self.record_t[record],
                         self.record_upper[record], self.record_limit[record], literals)
        if self.record_witnesses:
            # the task and the tasks of the record all cover instant t (step_reason, and the
            # negated literal on j's moving side)
            self.given_witness = energy_witness(
                self.record_t[record], self.record_t[record] + 1,
                [self.record_task[record]] + [self.record_tasks[k] for k in range(begin, end)])
        return [lit] + sorted(literals, key=abs)

    def statistics(self):
        return {"cumulative_checks": self.n_checks,
                "cumulative_conflicts": self.n_conflicts,
                "cumulative_timetable_checks": self.n_timetable_checks,
                "cumulative_timetable_conflicts": self.n_timetable_conflicts,
                "cumulative_energy_conflicts": self.n_energy_conflicts,
                "cumulative_timetable_deferred": self.n_deferred,
                "cumulative_filtered": self.n_filtered}

    def propagate(self):
        if not self.read_bounds():
            return []
        if self.cache_valid and self.est == self.last_est and self.lst == self.last_lst \
                and (not self.presence_tasks or self.active == self.last_active):
            # unchanged since the last check (after a conflict too: the contract asks for []
            # until the next backtrack, which clears the cache)
            return []
        self.last_est = self.est
        self.last_lst = self.lst
        if self.presence_tasks:
            self.last_active = self.active
        self.cache_valid = True
        self.n_timetable_checks += 1
        cdef int32_t limit = self.graph.qhead - 1
        cdef int found = self.timetable(limit)
        if found == DEFERRED:
            self.n_deferred += 1
            self.cache_valid = False  # look again at the next call, whatever the bounds
            return []
        if found == OVERLOAD:
            self.n_timetable_conflicts += 1
            return None
        if self.energetic and self.energy(limit):
            self.n_energy_conflicts += 1
            return None
        if not self.filtering:
            return []
        implied = []
        if not self.filter(limit, implied):
            self.n_timetable_conflicts += 1
            return None
        if implied:
            # one step per task and check: look again once these are on the trail
            self.cache_valid = False
            self.n_filtered += len(implied)
        return implied

    # -- search-node reasoning ---------------------------------------------------------------
    cdef bint read_bounds(self):
        """The tasks that count (`active`: mandatory or known present) and their est/lst from
        the graph's bounds; False if one is unbounded."""
        cdef int32_t k
        if self.presence_tasks:        # (else `active` is `used`, from the constructor)
            self.active.clear()
            for k in self.used:
                if self.presence[k] == 0 or self.presence_value[k] == 1:
                    self.active.push_back(k)
        for k in self.active:
            if not self.graph.window(self.node[k], &self.est[k], &self.lst[k]):
                return False
        return True

    cdef int timetable(self, int32_t limit) except -1:
        """The earliest compulsory-part overload, on the profile it builds (which filter()
        then reads): NO_OVERLOAD, OVERLOAD (the clause is set:
        pointwise, or the ordering cut with `ordering_cuts`) or DEFERRED (`ordering_cuts`, and
        the graph's implied ordering literals are not on the trail yet; see the reference)."""
        cdef vector[pair[int64_t, int32_t]] covering  # (-demand, task)
        cdef int32_t k
        cdef int64_t t, total = 0
        cdef size_t position, segment
        self.profile()
        for segment in range(self.segment_a.size()):
            if self.segment_load[segment] <= self.capacity:
                continue
            t = self.segment_a[segment]
            # the load holds on [t, next event): t is the earliest overloaded instant
            for k in self.active:
                if self.lst[k] <= t < self.est[k] + self.duration[k]:
                    covering.push_back(pair[int64_t, int32_t](-self.demand[k], k))
            sort(covering.begin(), covering.end())
            chosen = []
            for position in range(covering.size()):
                chosen.append(covering[position].second)
                total -= covering[position].first
                if total > self.capacity:
                    break
            # (a pair without its ordering atom, lazy pairs: stated by the bounds instead)
            if self.ordering_cuts and self.cut_exists(chosen):
                if not self.cut_is_false(chosen):
                    return DEFERRED
                self.conflict_clause = self.cut(chosen)
            else:
                literals = set()
                for k in chosen:
                    self.present(k, literals)
                    # task k runs at t: x_k - x_0 <= t (a path 0 -> k) and
                    # x_0 - x_k <= p_k - 1 - t (a path k -> 0)
                    self.at_most(k, t, limit, literals)
                    self.at_least(k, t + 1 - self.duration[k], limit, literals)
                self.conflict_clause = sorted(literals, key=abs)
            self.last_tasks = chosen
            if self.record_witnesses:   # the cut's tasks overlap pairwise; or all cover t
                self.witness_conflict(clique_witness(chosen) if self.ordering_cuts
                                      and self.cut_exists(chosen)
                                      else energy_witness(t, t + 1, chosen))
            return OVERLOAD
        return NO_OVERLOAD

    cdef void profile(self):
        """The segments [a, b) of the compulsory-part profile whose load is positive."""
        cdef vector[pair[int64_t, int64_t]] events
        cdef int32_t k
        cdef int64_t t, load = 0
        cdef size_t position = 0, count
        self.segment_a.clear()
        self.segment_b.clear()
        self.segment_load.clear()
        for k in self.active:
            if self.lst[k] < self.est[k] + self.duration[k]:
                events.push_back(pair[int64_t, int64_t](self.lst[k], self.demand[k]))
                events.push_back(pair[int64_t, int64_t](self.est[k] + self.duration[k],
                                                        -self.demand[k]))
        sort(events.begin(), events.end())
        count = events.size()
        while position < count:
            t = events[position].first
            while position < count and events[position].first == t:
                load += events[position].second
                position += 1
            if self.segment_a.size() > self.segment_b.size():
                self.segment_b.push_back(t)      # the open segment ends here
            if load > 0 and position < count:
                self.segment_a.push_back(t)
                self.segment_load.push_back(load)

    cdef bint filter(self, int32_t limit, list implied) except -1:
        """Timetable filtering (Schutt et al. 2011, with their pointwise explanations): a task
        that would overlap a profile segment where its demand does not fit moves past it,
        one step per task and check. Lower bounds: to the segment's end b, or (when the task
        cannot reach it in one move) to est + p, explained at the instant t = new - 1. Upper
        bounds symmetrically, at t = max(a, lst). A move beyond the other bound is a conflict
        (False, the clause set)."""
        cdef int32_t j, found
        cdef int64_t e, l, p, a, b, t, new
        # the profile timetable() built for these bounds (it found no overload)
        if self.segment_a.size() == 0:
            return True
        for j in self.active:
            if self.bound_count[j] == 0:
                continue
            e = self.est[j]
            l = self.lst[j]
            p = self.duration[j]
            # earliest start: the last segment j overlaps at e where it does not fit
            found = self.blocking(j, e, True)
            if found >= 0:
                b = self.segment_b[found]
                t = b - 1 if e + p >= b else e + p - 1
                new = t + 1
                if not self.move(j, t, False, new, limit, implied):
                    return False
                continue
            # latest start: the first segment j overlaps at l where it does not fit
            found = self.blocking(j, l, False)
            if found >= 0:
                a = self.segment_a[found]
                t = a if a > l else l
                new = t - p
                if not self.move(j, t, True, new, limit, implied):
                    return False
        return True

    cdef int32_t blocking(self, int32_t j, int64_t start, bint last):
        """The first (`last`: the last) profile segment that task j, started at `start`,
        would overlap where its demand does not fit on top of the others; -1 if none."""
        cdef int32_t s, found = -1
        cdef int64_t end = start + self.duration[j]
        for s in range(<int32_t>self.segment_a.size()):
            if self.segment_b[s] <= start:
                continue
            if self.segment_a[s] >= end:
                break
            if self.load_without(j, s) + self.demand[j] > self.capacity:
                found = s
                if not last:
                    break
        return found

    cdef inline int64_t load_without(self, int32_t j, int32_t s):
        """The load of segment s without task j's own compulsory part (which covers a segment
        wholly or not at all: its ends are profile events)."""
        cdef int64_t load = self.segment_load[s]
        if self.lst[j] <= self.segment_a[s] and self.segment_b[s] <= self.est[j] + self.duration[j]:
            load -= self.demand[j]
        return load

    cdef bint move(self, int32_t j, int64_t t, bint upper, int64_t new, int32_t limit,
                   list implied) except -1:
        """Propagate start_j >= new (upper: start_j <= new), task j being unable to cover
        instant t; or set the conflict clause if that crosses j's other bound. (After the
        timetable check found no overload a move never crosses: a crossing task has a
        compulsory part, which would overload the segment itself. Kept as a safety net.)"""
        cdef int32_t k, record, index
        cdef int literal, value
        cdef int64_t total = self.demand[j]
        cdef vector[pair[int64_t, int32_t]] covering  # (-demand, task)
        for k in self.active:
            if k != j and self.lst[k] <= t < self.est[k] + self.duration[k]:
                covering.push_back(pair[int64_t, int32_t](-self.demand[k], k))
        sort(covering.begin(), covering.end())
        record = self.record_level.size()
        self.record_start.push_back(self.record_tasks.size())
        for index in range(<int32_t>covering.size()):
            self.record_tasks.push_back(covering[index].second)
            total -= covering[index].first
            if total > self.capacity:
                break
        self.record_task.push_back(j)
        self.record_t.push_back(t)
        self.record_upper.push_back(upper)
        self.record_limit.push_back(limit)
        self.record_level.push_back(self.levels)
        crossed = new < self.est[j] if upper else new > self.lst[j]
        if crossed:
            literals = set()
            self.step_reason(self.record_start[record], self.record_tasks.size(), j, t, upper,
                             limit, literals)
            if upper:
                self.path_reason(self.node[j], 0, -(new + 1), limit, literals)  # start_j > new
            else:
                self.path_reason(0, self.node[j], new - 1, limit, literals)     # start_j < new
            self.conflict_clause = sorted(literals, key=abs)
            self.last_tasks = [j] + [self.record_tasks[index] for index in
                                     range(self.record_start[record], self.record_tasks.size())]
            if self.record_witnesses:   # j and the record's tasks all cover t
                self.witness_conflict(energy_witness(t, t + 1, self.last_tasks))
            self.drop_record(record)
            return False
        # the literal start_j >= new, or the negation of start_j >= new + 1
        index = new - self.bound_low[j] - 1 + (1 if upper else 0)
        if index < 0 or index >= self.bound_count[j]:
            self.drop_record(record)   # outside the literals' range: nothing to say
            return True
        literal = self.bound_lits[self.bound_start[j] + index]
        if upper:
            literal = -literal
        value = self.graph_value(literal)
        if self.offered_already(literal, value) or (value == 0 and self.implied_by_graph(literal)):
            # true, offered and pending, or the graph's to offer (if the graph implied the
            # opposite, the next check finds the conflict once it is assigned)
            self.drop_record(record)
            return True
        if value == -1:  # pragma: no cover - the bounds say otherwise (crossed above)
            # (the matrix holds every assigned edge when this runs) a conflict all the same
            literals = set()
            self.step_reason(self.record_start[record], self.record_tasks.size(), j, t, upper,
                             limit, literals)
            self.conflict_clause = [literal] + sorted(literals, key=abs)
            self.last_tasks = [j] + [self.record_tasks[index] for index in
                                     range(self.record_start[record], self.record_tasks.size())]
            if self.record_witnesses:
                self.witness_conflict(energy_witness(t, t + 1, self.last_tasks))
            self.drop_record(record)
            return False
        self.offered(literal, record)
        implied.append(literal)
        return True

    cdef void drop_record(self, int32_t record):
        """Forget record `record` and every later one."""
        self.record_tasks.resize(self.record_start[record])
        self.record_start.resize(record)
        self.record_task.resize(record)
        self.record_t.resize(record)
        self.record_upper.resize(record)
        self.record_limit.resize(record)
        self.record_level.resize(record)

    cdef void step_reason(self, int32_t begin, int32_t end, int32_t j, int64_t t, bint upper,
                          int32_t limit, set literals) except *:
        """Why task j cannot cover instant t: the tasks record_tasks[begin:end] cover it
        (lst_k <= t, est_k >= t + 1 - p_k), and j would cover it from its bound on the moving
        side (est_j >= t + 1 - p_j; upper: lst_j <= t)."""
        cdef int32_t position, k
        for position in range(begin, end):
            k = self.record_tasks[position]
            self.present(k, literals)
            self.at_most(k, t, limit, literals)
            self.at_least(k, t + 1 - self.duration[k], limit, literals)
        self.present(j, literals)
        if upper:
            self.at_most(j, t, limit, literals)
        else:
            self.at_least(j, t + 1 - self.duration[j], limit, literals)

    cdef void at_least(self, int32_t k, int64_t bound, int32_t limit, set literals) except *:
        """Why start_k >= bound: one bound literal "start_k >= v" (v >= bound) true at a trail
        position <= limit, else the negated literals of a path k ~> 0."""
        cdef int64_t index = bound - self.bound_low[k] - 1
        cdef int64_t stop = min(<int64_t>self.bound_count[k], index + BOUND_SCAN)
        cdef int literal
        if index < 0:
            index = 0
        while index < stop:
            literal = self.bound_lits[self.bound_start[k] + index]
            if self.holds_by(literal, limit):
                literals.add(-literal)
                return
            index += 1
        self.path_reason(self.node[k], 0, -bound, limit, literals)

    cdef void at_most(self, int32_t k, int64_t bound, int32_t limit, set literals) except *:
        """Why start_k <= bound: one literal "not start_k >= v + 1" (v <= bound) true at a
        trail position <= limit, else the negated literals of a path 0 ~> k."""
        cdef int64_t index = bound - self.bound_low[k]      # the literal start_k >= bound + 1
        cdef int64_t stop = index - BOUND_SCAN
        cdef int literal
        if index >= self.bound_count[k]:
            index = self.bound_count[k] - 1
        if stop < -1:
            stop = -1
        while index > stop:
            literal = -self.bound_lits[self.bound_start[k] + index]
            if self.holds_by(literal, limit):
                literals.add(-literal)
                return
            index -= 1
        self.path_reason(0, self.node[k], bound, limit, literals)

    cdef inline bint holds_by(self, int literal, int32_t limit):
        """Whether the graph's literal is true with its edge at a trail position <= limit
        (in the matrix when the reason was due)."""
        cdef int32_t atom = self.graph.var_atom[literal if literal > 0 else -literal]
        cdef int value = self.graph.atom_value[atom]
        if (value if literal > 0 else -value) != 1:
            return False
        return self.graph.atom_position[atom] <= limit

    cdef bint energy(self, int32_t limit) except -1:
        """Sets the clause of the first window [a, b] (b by increasing latest end, a by
        decreasing earliest start) whose inside tasks need more energy than capacity * (b - a);
        True if any."""
        cdef vector[pair[int64_t, int32_t]] by_est    # (-est, task): decreasing est
        cdef vector[pair[int64_t, int32_t]] inside    # (-energy, task) of the window
        cdef vector[int64_t] ends
        cdef int32_t k
        cdef int64_t a, b, energy, room, total
        cdef size_t e, position, count, j
        for k in self.active:
            by_est.push_back(pair[int64_t, int32_t](-self.est[k], k))
            ends.push_back(self.lst[k] + self.duration[k])
        sort(by_est.begin(), by_est.end())
        sort(ends.begin(), ends.end())
        count = by_est.size()
        for e in range(ends.size()):
            b = ends[e]
            if e + 1 < ends.size() and ends[e + 1] == b:
                continue  # each distinct latest end once
            inside.clear()
            energy = 0
            for position in range(count):
                k = by_est[position].second
                if self.lst[k] + self.duration[k] > b:
                    continue
                inside.push_back(pair[int64_t, int32_t](
                    -self.duration[k] * self.demand[k], k))
                energy += self.duration[k] * self.demand[k]
                a = self.est[k]
                if self.same_est_inside(by_est, position, a, b):
                    continue  # take every task with this earliest start before judging
                room = self.capacity * (b - a)
                if energy <= room:
                    continue
                sort(inside.begin(), inside.end())
                chosen = []
                literals = set()
                total = 0
                for j in range(inside.size()):
                    k = inside[j].second
                    chosen.append(k)
                    self.present(k, literals)
                    self.at_least(k, a, limit, literals)                   # est >= a
                    self.at_most(k, b - self.duration[k], limit, literals)  # lct <= b
                    total -= inside[j].first
                    if total > room:
                        break
                self.last_tasks = chosen
                self.conflict_clause = sorted(literals, key=abs)
                if self.record_witnesses:   # each lies inside [a, b]
                    self.witness_conflict(energy_witness(a, b, chosen))
                return True
        return False

    cdef bint same_est_inside(self, vector[pair[int64_t, int32_t]]& by_est, size_t position,
                              int64_t a, int64_t b):
        """Whether a later task in decreasing-est order, inside b, has this same est."""
        cdef int32_t k
        for position in range(position + 1, by_est.size()):
            if -by_est[position].first != a:
                return False
            k = by_est[position].second
            if self.lst[k] + self.duration[k] <= b:
                return True
        return False

    cdef bint cut_exists(self, list chosen):
        """Whether every pair of `chosen` has its ordering literals (lazy pairs: maybe not)."""
        cdef int a, b, i, j
        if self.order.empty():
            return len(chosen) < 2
        for a in range(len(chosen)):
            for b in range(a + 1, len(chosen)):
                i, j = chosen[a], chosen[b]
                if (self.order[<size_t>i * self.n + j] == 0
                        or self.order[<size_t>j * self.n + i] == 0):
                    return False
        return True

    cdef bint cut_is_false(self, list chosen):
        """Whether every ordering literal between two tasks of `chosen` is false now."""
        cdef int a, b, i, j
        for a in range(len(chosen)):
            for b in range(a + 1, len(chosen)):
                i, j = chosen[a], chosen[b]
                if (self.graph_value(self.order[<size_t>i * self.n + j]) != -1
                        or self.graph_value(self.order[<size_t>j * self.n + i]) != -1):
                    return False
        return True

    # -- complete models -----------------------------------------------------------------------
    def final_check(self):
        """The Helly cut of cumulative_ref.py on the graph's model (runs on complete models
        only, so reading the potentials through Python is fine)."""
        self.n_checks += 1
        potentials = self.graph.values()
        cdef int64_t origin = potentials[0], start, load = 0, total
        cdef vector[pair[int64_t, int32_t]] events   # (time, kind * n + task); ends first
        cdef vector[int32_t] running_position        # per task: its slot in running, or -1
        cdef vector[pair[int64_t, int32_t]] running  # (-demand, task), unordered
        cdef int32_t k, kind, slot, n = self.n
        cdef size_t position
        for k in self.used:
            if self.presence[k] != 0 and self.presence_value[k] != 1:
                continue   # absent: counts for nothing
            start = <int64_t>potentials[self.node[k]] - origin
            events.push_back(pair[int64_t, int32_t](start, n + k))
            events.push_back(pair[int64_t, int32_t](start + self.duration[k], k))
        sort(events.begin(), events.end())
        running_position.assign(n, -1)
        for position in range(events.size()):
            kind = events[position].second // n
            k = events[position].second % n
            if kind == 0:
                slot = running_position[k]
                running_position[running.back().second] = slot
                running[slot] = running.back()
                running.pop_back()
                running_position[k] = -1
                load -= self.demand[k]
                continue
            running_position[k] = running.size()
            running.push_back(pair[int64_t, int32_t](-self.demand[k], k))
            load += self.demand[k]
            if load > self.capacity:
                sort(running.begin(), running.end())
                chosen = []
                total = 0
                for slot in range(<int32_t>running.size()):
                    chosen.append(running[slot].second)
                    total -= running[slot].first
                    if total > self.capacity:
                        break
                self.last_tasks = chosen
                if not self.cut_exists(chosen):
                    # an ordering atom of the cut does not exist (lazy pairs): the model is
                    # accepted, and the front end cuts the overload between searches
                    return True
                self.conflict_clause = self.cut(chosen)
                if self.record_witnesses:
                    self.witness_conflict(clique_witness(chosen))
                self.n_conflicts += 1
                return False
        return True

    cdef list cut(self, list chosen):
        cdef list clause = []
        cdef int a, b, i, j
        for a in range(len(chosen)):
            for b in range(a + 1, len(chosen)):
                i, j = chosen[a], chosen[b]
                if self.order[<size_t>i * self.n + j] == 0:
                    # an ordered pair never overlaps, so it is never in a cut
                    raise RuntimeError("cumulative: a cut over a pair the precedences order")
                clause.append(self.order[<size_t>i * self.n + j])
                clause.append(self.order[<size_t>j * self.n + i])
        for k in chosen:   # "or one of them is absent"
            if self.presence[k] != 0:
                clause.append(-self.presence[k])
        return clause
