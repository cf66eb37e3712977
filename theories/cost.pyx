# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# distutils: language = c++
"""The cost theory in Cython: the twin of cost_ref.py (see its docstring for the argument).

sum_i w_i * f_i(C_i) <= K with f_i the identity or max(0, C_i - due_i). The lower bound of each
end time is read straight from the compiled difference theory's bounds (est_i = -d(i, 0)),
so a check is O(n) with no Python objects; a conflict is explained by the graph's bounded path
search among the edges in the matrix now (a path proving est_i for each task that adds to the
bound). A check is skipped while the bounds are those of the last check and no backtrack came
between.
"""
from libc.stdint cimport int32_t, int64_t
from libcpp.vector cimport vector

from smtsched.theories.time_graph cimport TimeGraph
from smtsched.theories.global_theory cimport GlobalTheory


cdef class CostLogic(GlobalTheory):
    cdef int n
    cdef vector[int32_t] node
    cdef vector[int64_t] duration, weight, due
    cdef vector[char] has_due
    cdef readonly object bound
    cdef readonly int guard
    cdef bint active
    cdef int active_level               # level at which the guard became true; -1: fixed
    cdef vector[int64_t] ends, last_ends
    cdef int64_t n_checks, n_conflicts

    def __init__(self, TimeGraph graph, tasks, bound, guard=None):
        """Same arguments as cost_ref.CostLogic (the graph must be the compiled difference
        theory)."""
        GlobalTheory.__init__(self, graph)
        for node, duration, weight, due in tasks:
            if weight <= 0:
                continue
            self.node.push_back(node)
            self.duration.push_back(duration)
            self.weight.push_back(weight)
            self.has_due.push_back(due is not None)
            self.due.push_back(0 if due is None else due)
        self.n = self.node.size()
        self.bound = bound
        self.guard = 0 if guard is None else guard
        self.propagates_foreign = False
        self.active = guard is None
        self.active_level = -1
        self.ends.resize(self.n)
        self.n_checks = self.n_conflicts = 0

    # -- contract (level, new_level, backtrack, conflict, values: GlobalTheory) -----------------
    def observed(self):
        return [] if self.guard == 0 else [abs(self.guard)]

    def assign(self, int lit, fixed):
        if lit == self.guard:
            if not self.active:
                self.active = True
                self.cache_valid = False
                self.active_level = -1 if fixed else self.levels
            elif fixed:
                self.active_level = -1

    cdef void undone(self, int level) except *:
        if self.guard != 0 and self.active and self.active_level > level:
            self.active = False
            self.active_level = -1

    def explain(self, lit):  # pragma: no cover - propagates nothing
        raise AssertionError("the cost theory propagates nothing")

    def statistics(self):
        return {"cost_checks": self.n_checks, "cost_conflicts": self.n_conflicts}

    def propagate(self):
        if not self.active or not self.read_ends():
            return []
        if self.cache_valid and self.ends == self.last_ends:
            return []
        self.last_ends = self.ends
        self.cache_valid = True
        self.n_checks += 1
        if self.cost() > self.bound:
            self.conflict_clause = self.explanation()
            self.cache_valid = False
            self.n_conflicts += 1
            return None
        return []

    def final_check(self):
        if not self.active:
            return True
        if self.read_ends() and self.cost() > self.bound:
            self.conflict_clause = self.explanation()
            self.n_conflicts += 1
            return False
        potentials = self.graph.values()
        total = 0
        for k in range(self.n):
            end = potentials[self.node[k]] - potentials[0] + self.duration[k]
            total += self.weight[k] * (max(0, end - self.due[k]) if self.has_due[k] else end)
        if total > self.bound:
            # the model is not the earliest schedule (some start is not bounded from below)
            raise RuntimeError("the cost bound needs every start variable bounded from below "
                               "(e.g. start >= 0)")
        return True

    # -- helpers --------------------------------------------------------------------------------
    cdef bint read_ends(self):
        cdef int k
        cdef int64_t est
        for k in range(self.n):
            if not self.graph.earliest(self.node[k], &est):
                return False
            self.ends[k] = est + self.duration[k]
        return True

    cdef object cost(self):
        """The cost at the earliest ends, as a Python int (weights times times can exceed
        64 bits in principle; this runs once per check)."""
        cdef int k
        cdef object weight, end
        total = 0
        for k in range(self.n):
            weight, end = self.weight[k], self.ends[k]   # Python ints: no 64-bit overflow
            if self.has_due[k]:
                if self.ends[k] > self.due[k]:
                    total += weight * (end - self.due[k])
            else:
                total += weight * end
        return total

    cdef list explanation(self):
        cdef set literals = set()
        cdef int k
        cdef int32_t limit = self.graph.qhead - 1
        for k in range(self.n):
            if self.has_due[k] and self.ends[k] <= self.due[k]:
                continue  # not tardy at its earliest end: its bound is not needed
            # est_k = ends[k] - duration[k]: x_0 - x_k <= duration[k] - ends[k]
            self.path_reason(self.node[k], 0, self.duration[k] - self.ends[k], limit, literals)
        clause = sorted(literals, key=abs)
        if self.guard != 0:
            clause.insert(0, -self.guard)
        return clause
