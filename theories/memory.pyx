# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# distutils: language = c++
"""The memory theory in Cython: the twin of memory_ref.py (read its docstring for the
argument: buffers as intervals [x_a, x_f) with free nodes bounded from below only, guarded
capacities, timetable consistency during the search, the allocation cut on complete models).

Same contract, the same choices (instant, buffers, clause), so the two can be compared step
by step (`last_tasks`). The bounds come straight from the compiled difference theory (the
latest allocation from its ahead bounds, the earliest free from `earliest`): O(1) per buffer.
A timetable conflict is explained by the graph's bounded path search among the edges in the
matrix now, each path required to prove only the lifted bound (x_a <= t, x_f >= t + 1), as the
cumulative theory does. The final check runs on complete models only: it reads the
potentials through Python and shares the reference's sweep (`overload`) and cut
(`cut_atoms`), which the backend's cuts use too.
"""
from libc.stdint cimport int32_t, int64_t
from libcpp.algorithm cimport sort
from libcpp.pair cimport pair
from libcpp.vector cimport vector

from smtsched.ext.bounds cimport INF
from smtsched.theories.time_graph cimport TimeGraph
from smtsched.theories.global_theory cimport GlobalTheory
from smtsched.theories.memory_ref import FINAL_CUTS, canonical, cut_atoms, overloads


cdef class MemoryLogic(GlobalTheory):
    cdef int n
    cdef vector[int32_t] alloc, free        # per buffer: its nodes (free -1: kept to the end)
    cdef vector[int64_t] size
    cdef vector[int32_t] used
    cdef list tasks_list                    # [(alloc, free or None, size)] for the sweep
    cdef vector[int32_t] guard              # per capacity: its guard (0: always)
    cdef vector[int64_t] capacity
    cdef vector[int32_t] on_level           # per capacity: level its guard became true at,
    #                                         -1 fixed, -2 not true
    cdef object atoms
    cdef vector[int64_t] lst, est, last_lst, last_est
    cdef int64_t last_capacity
    cdef readonly list last_tasks
    cdef int64_t n_checks, n_conflicts, n_timetable_checks, n_timetable_conflicts, n_incomplete

    def __init__(self, TimeGraph graph, tasks, capacities, atoms=None):
        """Same arguments as memory_ref.MemoryLogic (the graph must be a compiled difference
        theory)."""
        GlobalTheory.__init__(self, graph)
        self.tasks_list = [(int(a), None if f is None else int(f), int(d)) for a, f, d in tasks]
        self.n = len(self.tasks_list)
        # (typed locals, no conditional expressions inside push_back: Cython 3.3 gave one
        # such temporary a const reference type and pushed 0)
        cdef int k = 0
        cdef int32_t node, level
        for a, f, d in self.tasks_list:
            self.alloc.push_back(a)
            node = -1 if f is None else f
            self.free.push_back(node)
            self.size.push_back(d)
            if d > 0:
                self.used.push_back(k)
            k += 1
        for g, c in capacities:
            self.guard.push_back(int(g))
            self.capacity.push_back(int(c))
            level = -1 if int(g) == 0 else -2
            self.on_level.push_back(level)
        self.atoms = {} if atoms is None else atoms
        self.propagates_foreign = False
        self.lst.resize(self.n)
        self.est.resize(self.n)
        self.last_capacity = -1
        self.last_tasks = []
        self.n_checks = self.n_conflicts = self.n_timetable_checks = 0
        self.n_timetable_conflicts = self.n_incomplete = 0

    # -- guards -------------------------------------------------------------------------------
    def observed(self):
        return sorted({abs(g) for g in self.guard if g})

    def assign(self, int lit, fixed):
        cdef size_t c
        for c in range(self.guard.size()):
            if self.guard[c] == lit and (self.on_level[c] == -2 or fixed):
                self.on_level[c] = -1 if fixed else self.levels
                self.cache_valid = False

    cdef void undone(self, int level) except *:
        cdef size_t c
        for c in range(self.guard.size()):
            if self.on_level[c] > level:
                self.on_level[c] = -2

    cdef int least(self, int64_t* limit):
        """The index of the least capacity in force (the first of equals), -1 if none."""
        cdef int found = -1
        cdef size_t c
        for c in range(self.capacity.size()):
            if self.on_level[c] != -2 and (found < 0 or self.capacity[c] < limit[0]):
                found = c
                limit[0] = self.capacity[c]
        return found

    def explain(self, lit):  # pragma: no cover - propagates nothing
        raise AssertionError("the memory theory propagates nothing")

    def statistics(self):
        return {"memory_checks": self.n_checks,
                "memory_conflicts": self.n_conflicts,
                "memory_timetable_checks": self.n_timetable_checks,
                "memory_timetable_conflicts": self.n_timetable_conflicts,
                "memory_incomplete": self.n_incomplete}

    # -- during the search --------------------------------------------------------------------
    cdef void read_bounds(self):
        """lst of each allocation node and est of each free node (INF: unbounded; a kept
        buffer's free: INF)."""
        cdef int32_t k, a, f
        cdef int64_t value
        for k in self.used:
            a = self.alloc[k]
            if a == 0:
                self.lst[k] = 0
            elif self.graph.ahead_bounds == NULL:
                self.lst[k] = INF
            else:
                self.lst[k] = self.graph.ahead_bounds[a]
            f = self.free[k]
            if f < 0 or not self.graph.earliest(f, &value):
                self.est[k] = INF
            else:
                self.est[k] = value

    cdef inline bint live_at(self, int32_t k, int64_t t):
        """Whether buffer k's compulsory part covers instant t."""
        if self.lst[k] >= INF or self.lst[k] > t:
            return False
        if self.free[k] < 0:
            return True
        return self.est[k] < INF and t < self.est[k]

    def propagate(self):
        cdef int64_t limit = 0
        cdef int which = self.least(&limit)
        if which < 0:
            return []
        self.read_bounds()
        if (self.cache_valid and limit == self.last_capacity and self.lst == self.last_lst
                and self.est == self.last_est):
            return []
        self.cache_valid = True
        self.last_capacity = limit
        self.last_lst = self.lst
        self.last_est = self.est
        self.n_timetable_checks += 1
        cdef vector[pair[int64_t, int64_t]] events
        cdef int32_t k
        cdef int64_t t, load = 0, total = 0
        cdef size_t position = 0, count
        for k in self.used:
            if self.lst[k] >= INF:
                continue
            if self.free[k] < 0:
                events.push_back(pair[int64_t, int64_t](self.lst[k], self.size[k]))
            elif self.est[k] < INF and self.lst[k] < self.est[k]:
                events.push_back(pair[int64_t, int64_t](self.lst[k], self.size[k]))
                events.push_back(pair[int64_t, int64_t](self.est[k], -self.size[k]))
        sort(events.begin(), events.end())
        count = events.size()
        while position < count:
            t = events[position].first
            while position < count and events[position].first == t:
                load += events[position].second
                position += 1
            if load <= limit:
                continue
            self.conflict_clause = self.explain_overload(t, limit, which)
            self.n_timetable_conflicts += 1
            return None
        return []

    cdef list explain_overload(self, int64_t t, int64_t limit, int which):
        """The clause of the overload at instant t: the fewest buffers covering t (largest
        first, ties by index), each by x_a <= t and x_f >= t + 1, and the guard."""
        cdef vector[pair[int64_t, int32_t]] covering   # (-size, buffer)
        cdef int32_t k, bound_limit = self.graph.qhead - 1
        cdef int64_t total = 0
        cdef size_t position
        for k in self.used:
            if self.live_at(k, t):
                covering.push_back(pair[int64_t, int32_t](-self.size[k], k))
        sort(covering.begin(), covering.end())
        chosen = []
        literals = set()
        for position in range(covering.size()):
            k = covering[position].second
            chosen.append(k)
            if self.alloc[k] != 0:
                self.path_reason(0, self.alloc[k], t, bound_limit, literals)        # x_a <= t
            if self.free[k] >= 0:
                self.path_reason(self.free[k], 0, -(t + 1), bound_limit, literals)  # x_f > t
            total -= covering[position].first
            if total > limit:
                break
        self.last_tasks = chosen
        clause = sorted(literals, key=abs)
        if self.guard[which] != 0:
            clause.insert(0, -self.guard[which])
        return clause

    # -- on complete models -------------------------------------------------------------------
    def final_check(self):
        self.n_checks += 1
        cdef int64_t limit = 0
        cdef int which = self.least(&limit)
        if which < 0:
            return True
        found = overloads(self.tasks_list, list(self.used), self.graph.values(), limit,
                          FINAL_CUTS)
        cdef int literal
        cdef bint complete
        for chosen, k in found:
            clause = []
            complete = True
            for p, q, bound in cut_atoms(self.tasks_list, chosen, k):
                key, sign = canonical(p, q, bound)
                var = self.atoms.get(key)
                if not var:
                    complete = False
                    break
                literal = sign * var
                if not self.is_false(literal):
                    complete = False   # (cannot happen) never a wrong clause
                    break
                clause.append(literal)
            if not complete:
                continue
            if self.guard[which] != 0:
                clause.insert(0, -self.guard[which])
            self.conflict_clause = clause
            self.last_tasks = chosen
            self.n_conflicts += 1
            return False
        if found:
            self.n_incomplete += 1   # no cut over existing atoms: the backend cuts it
        return True

    cdef bint is_false(self, int literal):
        """Whether `literal` is an atom of the graph and false now."""
        cdef int32_t var = literal if literal > 0 else -literal
        if var >= <int32_t>self.graph.var_atom.size() or self.graph.var_atom[var] < 0:
            return False
        return self.graph_value(literal) == -1
