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
* then (option `energetic`) the window energy check (Baptiste, Le Pape, Nuijten's energetic
  reasoning, on the windows of Vilim's cumulative overload rule): the tasks inside [a, b] need
  more than capacity * (b - a);
* on complete models, the Helly cut over the ordering atoms of the tasks running at an
  overloaded instant (see cumulative_ref.py): what makes the theory complete.

Bounds come straight from the compiled difference theory's all-pairs matrix (est_k = -dist[k, 0],
lst_k = dist[0, k]): O(1) per task. A check costs O(n log n) for the timetable profile and
O(n^2) for the windows (n used tasks); it is skipped when the bounds did not change since the
last check and no backtrack came between. Conflict clauses are built at once, from paths found
by the graph's bounded search among the edges in the matrix now, each required to prove the
lifted bound (t, or the window's a and b) rather than the task's own. The search returns a
shortest such path, so the literals are those behind the task's own bound whenever that path
is unique: the lifting chooses which tasks and which bounds appear, not a weaker path.
"""
from libc.stdint cimport int32_t, int64_t
from libcpp.algorithm cimport sort
from libcpp.pair cimport pair
from libcpp.vector cimport vector

from smtsched.theories.difference cimport DifferenceLogic
from smtsched.theories.global_theory cimport GlobalTheory

cdef int64_t INF = (<int64_t>1) << 62


# what timetable() found
cdef enum:
    NO_OVERLOAD = 0
    OVERLOAD = 1     # the conflict clause is set
    DEFERRED = 2     # an overload whose ordering cut is not false on the trail yet


cdef class CumulativeLogic(GlobalTheory):
    cdef int n                          # tasks
    cdef vector[int32_t] node
    cdef vector[int64_t] duration
    cdef vector[int64_t] demand
    cdef vector[int32_t] used           # tasks with a duration and a demand, by index
    cdef vector[int32_t] order          # n*n: literal "i ends before j starts", 0 if none
    cdef readonly int64_t capacity
    cdef readonly bint energetic, ordering_cuts
    cdef readonly bint propagates_foreign
    # bounds of this check and of the last one (the cache), indexed by task
    cdef vector[int64_t] est, lst, last_est, last_lst
    cdef readonly list last_tasks       # the task set of the last conflict (twin tests)
    cdef int64_t n_checks, n_conflicts, n_timetable_checks, n_timetable_conflicts
    cdef int64_t n_energy_conflicts, n_deferred

    def __init__(self, DifferenceLogic graph, tasks, capacity, order, energetic=True,
                 ordering_cuts=False):
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
        self.order.assign(<size_t>self.n * self.n, 0)
        for (i, j), literal in order.items():
            self.order[<size_t>i * self.n + j] = literal
        self.capacity = capacity
        self.energetic = energetic
        self.ordering_cuts = ordering_cuts
        self.propagates_foreign = False
        self.est.resize(self.n)
        self.lst.resize(self.n)
        self.last_tasks = []
        self.n_checks = self.n_conflicts = self.n_timetable_checks = 0
        self.n_timetable_conflicts = self.n_energy_conflicts = self.n_deferred = 0

    # -- contract (observed, level, new_level, backtrack, conflict, values: GlobalTheory) -----
    def explain(self, lit):  # pragma: no cover - propagates nothing
        raise AssertionError("the cumulative theory propagates nothing")

    def statistics(self):
        return {"cumulative_checks": self.n_checks,
                "cumulative_conflicts": self.n_conflicts,
                "cumulative_timetable_checks": self.n_timetable_checks,
                "cumulative_timetable_conflicts": self.n_timetable_conflicts,
                "cumulative_energy_conflicts": self.n_energy_conflicts,
                "cumulative_timetable_deferred": self.n_deferred}

    def propagate(self):
        if not self.read_bounds():
            return []
        if self.cache_valid and self.est == self.last_est and self.lst == self.last_lst:
            # unchanged since the last check (after a conflict too: the contract asks for []
            # until the next backtrack, which clears the cache)
            return []
        self.last_est = self.est
        self.last_lst = self.lst
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
        return []

    # -- search-node reasoning ---------------------------------------------------------------
    cdef bint read_bounds(self):
        """est/lst of every used task from the matrix; False if one is unbounded."""
        cdef int64_t* dist = self.graph.dist.data()
        cdef size_t width = self.graph.n
        cdef int32_t k
        cdef int64_t back, ahead
        for k in self.used:
            back = dist[<size_t>self.node[k] * width]     # x_0 - x_k <= back
            ahead = dist[<size_t>self.node[k]]            # x_k - x_0 <= ahead
            if back >= INF or ahead >= INF:
                return False
            self.est[k] = -back
            self.lst[k] = ahead
        return True

    cdef int timetable(self, int32_t limit) except -1:
        """The earliest compulsory-part overload: NO_OVERLOAD, OVERLOAD (the clause is set:
        pointwise, or the ordering cut with `ordering_cuts`) or DEFERRED (`ordering_cuts`, and
        the graph's implied ordering literals are not on the trail yet; see the reference)."""
        cdef vector[pair[int64_t, int64_t]] events   # (time, change of the compulsory load)
        cdef vector[pair[int64_t, int32_t]] covering  # (-demand, task)
        cdef int32_t k
        cdef int64_t t, load = 0, total = 0
        cdef size_t position, count
        for k in self.used:
            if self.lst[k] < self.est[k] + self.duration[k]:
                events.push_back(pair[int64_t, int64_t](self.lst[k], self.demand[k]))
                events.push_back(pair[int64_t, int64_t](self.est[k] + self.duration[k],
                                                        -self.demand[k]))
        sort(events.begin(), events.end())
        count = events.size()
        position = 0
        while position < count:
            t = events[position].first
            while position < count and events[position].first == t:
                load += events[position].second
                position += 1
            if load <= self.capacity:
                continue
            # the load holds on [t, next event): t is the earliest overloaded instant
            for k in self.used:
                if self.lst[k] <= t < self.est[k] + self.duration[k]:
                    covering.push_back(pair[int64_t, int32_t](-self.demand[k], k))
            sort(covering.begin(), covering.end())
            chosen = []
            for position in range(covering.size()):
                chosen.append(covering[position].second)
                total -= covering[position].first
                if total > self.capacity:
                    break
            if self.ordering_cuts:
                if not self.cut_is_false(chosen):
                    return DEFERRED
                self.conflict_clause = self.cut(chosen)
            else:
                literals = set()
                for k in chosen:
                    # task k runs at t: x_k - x_0 <= t (a path 0 -> k) and
                    # x_0 - x_k <= p_k - 1 - t (a path k -> 0)
                    self.path(0, self.node[k], t, limit, literals)
                    self.path(self.node[k], 0, self.duration[k] - 1 - t, limit, literals)
                self.conflict_clause = sorted(literals, key=abs)
            self.last_tasks = chosen
            return OVERLOAD
        return NO_OVERLOAD

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
        for k in self.used:
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
                    self.path(self.node[k], 0, -a, limit, literals)                 # est >= a
                    self.path(0, self.node[k], b - self.duration[k], limit, literals)  # lct <= b
                    total -= inside[j].first
                    if total > room:
                        break
                self.last_tasks = chosen
                self.conflict_clause = sorted(literals, key=abs)
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

    cdef void path(self, int32_t source, int32_t target, int64_t bound, int32_t limit,
                   set literals) except *:
        """Add the negated literals of a path source ~> target of weight <= bound, among the
        edges at trail positions <= limit."""
        cdef size_t k
        self.graph.stack.clear()
        self.graph.search_path(source, target, bound, limit)
        for k in range(self.graph.stack.size()):
            literals.add(-self.graph.edge_literal(self.graph.stack[k]))

    cdef bint cut_is_false(self, list chosen):
        """Whether every ordering literal between two tasks of `chosen` is false now."""
        cdef int a, b, i, j
        for a in range(len(chosen)):
            for b in range(a + 1, len(chosen)):
                i, j = chosen[a], chosen[b]
                if (self.value_of(self.order[<size_t>i * self.n + j]) != -1
                        or self.value_of(self.order[<size_t>j * self.n + i]) != -1):
                    return False
        return True

    cdef inline int value_of(self, int32_t literal):
        """The graph's value of an ordering literal: 1 true, -1 false, 0 unassigned. The one
        ordering literal the graph does not own is the compiler's constant for two tasks on
        the same start variable ("x - x >= p" with p > 0): false."""
        if literal == 0:
            return 1   # no atom: the compiler left out a pair the precedences already order
        cdef int32_t var = literal if literal > 0 else -literal
        cdef int32_t atom = (self.graph.var_atom[var] if var < <int32_t>self.graph.var_atom.size()
                             else -1)
        if atom < 0:
            return -1
        cdef int value = self.graph.atom_value[atom]
        return value if literal > 0 else -value

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
                self.conflict_clause = self.cut(chosen)
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
        return clause
