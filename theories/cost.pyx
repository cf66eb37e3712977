# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# distutils: language = c++
"""The cost theory in Cython: the twin of cost_ref.py (see its docstring for the argument).

sum_i w_i * f_i(C_i) <= K with f_i the identity or max(0, C_i - due_i), plus steps
w * [C > due], max groups w * max_m w_m * max(0, C_m - due_m) and literal terms c * [l]. The
lower bound of each end time is read straight from the compiled difference theory's bounds
(est_i = -d(i, 0)), so a check is O(n) with no Python objects; a conflict is explained by the
graph's bounded path search among the edges in the matrix now (a path proving est_i for each
task that adds to the bound), and by the true literals counted. A check is skipped while the
bounds and the literals are those of the last check and no backtrack came between.
"""
from libc.stdint cimport int32_t, int64_t
from libcpp.vector cimport vector

from smtsched.theories.time_graph cimport TimeGraph
from smtsched.theories.global_theory cimport GlobalTheory

# the kinds of the time terms (one entry per task, step or group member)
cdef enum:
    SUM = 0       # weight * end, or weight * max(0, end - due)
    STEP = 1      # weight * [end > due]
    MEMBER = 2    # a member of max group `group`: weight * max(0, end - due)


cdef class CostLogic(GlobalTheory):
    cdef int n
    cdef vector[int32_t] node, kind, group
    cdef vector[int64_t] duration, weight, due
    cdef vector[char] has_due
    cdef vector[int64_t] group_weight
    cdef vector[int32_t] lit, lit_var
    cdef vector[int64_t] lit_weight
    cdef dict lit_index                 # var -> [indices of its literal terms]
    cdef vector[int32_t] lit_value      # per literal term: 1 true, -1 false, 0 unassigned
    cdef vector[int32_t] trail_var, trail_level
    cdef set fixed_vars
    cdef readonly object bound
    cdef readonly int guard
    cdef bint active
    cdef int active_level               # level at which the guard became true; -1: fixed
    cdef vector[int64_t] ends, last_ends
    cdef vector[int32_t] last_values
    cdef int64_t n_checks, n_conflicts

    def __init__(self, TimeGraph graph, tasks, bound, guard=None, steps=(), groups=(),
                 literals=()):
        """Same arguments as cost_ref.CostLogic (the graph must be the compiled difference
        theory)."""
        GlobalTheory.__init__(self, graph)
        for node, duration, weight, due in tasks:
            if weight > 0:
                self.push(node, duration, weight, due, SUM, -1)
        for node, duration, weight, due in steps:
            if weight > 0:
                self.push(node, duration, weight, due, STEP, -1)
        for weight, members in groups:
            members = [m for m in members if m[2] > 0]
            if weight <= 0 or not members:
                continue
            self.group_weight.push_back(weight)
            for node, duration, w, due in members:
                self.push(node, duration, w, due, MEMBER, self.group_weight.size() - 1)
        self.n = self.node.size()
        self.lit_index = {}
        self.fixed_vars = set()
        for literal, weight in literals:
            if weight <= 0:
                continue
            self.lit_index.setdefault(abs(literal), []).append(self.lit.size())
            self.lit.push_back(literal)
            self.lit_var.push_back(abs(literal))
            self.lit_weight.push_back(weight)
            self.lit_value.push_back(0)
        if guard is not None and abs(guard) in self.lit_index:
            raise ValueError("the guard cannot be a literal term of its own cost")
        self.bound = bound
        self.guard = 0 if guard is None else guard
        self.propagates_foreign = False
        self.active = guard is None
        self.active_level = -1
        self.ends.resize(self.n)
        self.n_checks = self.n_conflicts = 0

    cdef void push(self, node, duration, weight, due, int kind, int group) except *:
        self.node.push_back(node)
        self.duration.push_back(duration)
        self.weight.push_back(weight)
        self.has_due.push_back(due is not None)
        self.due.push_back(0 if due is None else due)
        self.kind.push_back(kind)
        self.group.push_back(group)

    # -- contract (level, new_level, backtrack, conflict, values: GlobalTheory) -----------------
    def observed(self):
        owned = [] if self.guard == 0 else [abs(self.guard)]
        return owned + sorted(self.lit_index)

    def assign(self, int lit, fixed):
        cdef int var = lit if lit > 0 else -lit
        cdef int k
        indices = self.lit_index.get(var)
        if indices is not None:
            if self.lit_value[indices[0]] == 0:
                for k in indices:
                    if (lit > 0) == (self.lit[k] > 0):
                        self.lit_value[k] = 1
                    else:
                        self.lit_value[k] = -1
                if not fixed:
                    self.trail_var.push_back(var)
                    self.trail_level.push_back(self.levels)
            elif fixed:
                self.fixed_vars.add(var)   # notified again at the root: it stays
            return
        if lit == self.guard:
            if not self.active:
                self.active = True
                self.cache_valid = False
                self.active_level = -1 if fixed else self.levels
            elif fixed:
                self.active_level = -1

    cdef void undone(self, int level) except *:
        cdef int k, var
        if self.guard != 0 and self.active and self.active_level > level:
            self.active = False
            self.active_level = -1
        while self.trail_var.size() > 0 and self.trail_level.back() > level:
            var = self.trail_var.back()
            self.trail_var.pop_back()
            self.trail_level.pop_back()
            if var not in self.fixed_vars:
                for k in self.lit_index[var]:
                    self.lit_value[k] = 0

    def explain(self, lit):  # pragma: no cover - propagates nothing
        raise AssertionError("the cost theory propagates nothing")

    def statistics(self):
        return {"cost_checks": self.n_checks, "cost_conflicts": self.n_conflicts}

    def propagate(self):
        if not self.active or not self.read_ends():
            return []
        if self.cache_valid and self.ends == self.last_ends and self.lit_value == self.last_values:
            return []
        self.last_ends = self.ends
        self.last_values = self.lit_value
        self.cache_valid = True
        self.n_checks += 1
        if self.cost() > self.bound:
            self.conflict_clause = self.explanation()
            self.cache_valid = False
            self.n_conflicts += 1
            return None
        return []

    def final_check(self):
        cdef int k
        if not self.active:
            return True
        if self.read_ends() and self.cost() > self.bound:
            self.conflict_clause = self.explanation()
            self.n_conflicts += 1
            return False
        potentials = self.graph.values()
        for k in range(self.n):
            self.ends[k] = potentials[self.node[k]] - potentials[0] + self.duration[k]
        if self.cost() > self.bound:
            # the model is not the earliest schedule (some start is not bounded from below)
            raise RuntimeError("the cost bound needs every start variable bounded from below "
                               "(e.g. start >= 0)")
        self.cache_valid = False
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
        """The cost at `ends` and the literals' values, as a Python int (weights times times
        can exceed 64 bits in principle; this runs once per check)."""
        cdef int k
        cdef object weight, end
        total = 0
        best = [0] * self.group_weight.size()
        for k in range(self.n):
            weight, end = self.weight[k], self.ends[k]   # Python ints: no 64-bit overflow
            if self.kind[k] == SUM:
                if self.has_due[k]:
                    if self.ends[k] > self.due[k]:
                        total += weight * (end - self.due[k])
                else:
                    total += weight * end
            elif self.kind[k] == STEP:
                if self.ends[k] > self.due[k]:
                    total += weight
            elif self.ends[k] > self.due[k]:
                term = weight * (end - self.due[k])
                if term > best[self.group[k]]:
                    best[self.group[k]] = term
        for k in range(<int>self.group_weight.size()):
            total += self.group_weight[k] * best[k]
        for k in range(<int>self.lit.size()):
            if self.lit_value[k] == 1:
                total += self.lit_weight[k]
        return total

    cdef list explanation(self):
        cdef set literals = set()
        cdef int k
        cdef object weight, end
        cdef int32_t limit = self.graph.qhead - 1
        best = [0] * self.group_weight.size()
        attains = [-1] * self.group_weight.size()
        for k in range(self.n):
            if self.kind[k] == MEMBER:
                # the member attaining the maximum (the first one): its bound alone gives
                # the group's
                if self.ends[k] > self.due[k]:
                    weight, end = self.weight[k], self.ends[k]   # Python ints
                    term = weight * (end - self.due[k])
                    if term > best[self.group[k]]:
                        best[self.group[k]] = term
                        attains[self.group[k]] = k
                continue
            if self.has_due[k] and self.ends[k] <= self.due[k]:
                continue  # not tardy (or not past the due) at its earliest end: not needed
            self.reason(k, limit, literals)
        for k in attains:
            if k >= 0:
                self.reason(k, limit, literals)
        clause = sorted(literals, key=abs)
        clause += sorted({-self.lit[k] for k in range(<int>self.lit.size())
                          if self.lit_value[k] == 1}, key=abs)
        if self.guard != 0:
            clause.insert(0, -self.guard)
        return clause

    cdef void reason(self, int k, int32_t limit, set literals) except *:
        # est_k = ends[k] - duration[k]: x_0 - x_k <= duration[k] - ends[k]
        self.path_reason(self.node[k], 0, self.duration[k] - self.ends[k], limit, literals)
