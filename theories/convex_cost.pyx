# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# distutils: language = c++
"""The convex cost theory in Cython: the twin of convex_cost_ref.py (see its docstring for
the argument), with the same constructor, clauses and final check.

The window bound (propagate) reads each costed node's earliest and latest start straight from
the compiled difference theory's bounds and takes the least of its cost there with no Python
object but the total (a Python int: weights times times can exceed 64 bits); a check is
skipped while the windows are those of the last check and no backtrack came between. A
conflict is explained by the graph's bounded path search (a path proving each bound the
least value leans on). The final check is the reference's: the optimal timing of the
constraints in force (convex_timing_ref, pure Python; it runs once per complete assignment).
"""
from libc.stdint cimport int32_t, int64_t
from libcpp.vector cimport vector

from smtsched.ext.bounds cimport INF
from smtsched.theories.time_graph cimport TimeGraph
from smtsched.theories.global_theory cimport GlobalTheory

from smtsched.theories.convex_cost_ref import exact_timing, node_costs


# Costs, window ends and hinges below this magnitude are evaluated in int64 (a node's value
# then stays below 2^60); anything larger goes through the reference's Python integers.
cdef int64_t SMALL = (<int64_t>1) << 28
cdef int MAX_HINGES = 8


cdef class ConvexCostLogic(GlobalTheory):
    cdef int n
    cdef vector[int32_t] node
    cdef list functions                 # per costed node: its Convex (convex_timing_ref)
    # the Convex of each node in int64 (when `small`): slope, constant, the first minimiser
    # (has_m false: none), hinges [hinge_start[k], hinge_start[k+1]) as (c, b)
    cdef bint small
    cdef vector[int64_t] slope, const, minimiser, hinge_c, hinge_b
    cdef vector[char] has_m
    cdef vector[int32_t] hinge_start
    cdef readonly object bound
    cdef readonly int guard
    cdef object costs                   # node -> Convex, for the final check
    cdef object atoms
    cdef bint active
    cdef int active_level               # level at which the guard became true; -1: fixed
    cdef vector[int64_t] est, lst, last_est, last_lst
    cdef vector[char] has_est, has_lst
    cdef int64_t n_checks, n_conflicts, n_timings
    cdef public object last_timing

    def __init__(self, TimeGraph graph, tasks, bound, guard=None, atoms=(), num_nodes=None):
        """Same arguments as convex_cost_ref.ConvexCostLogic (the graph must be the compiled
        difference theory)."""
        GlobalTheory.__init__(self, graph)
        self.costs = node_costs(tasks)
        self.functions = []
        self.small = True
        self.hinge_start.push_back(0)
        for node, f in self.costs.items():
            self.node.push_back(node)
            self.functions.append(f)
            m = f._minimiser()
            numbers = [f.a, f.const] + [v for hinge in f.hinges for v in hinge] \
                + ([] if m is None else [m])
            if len(f.hinges) > MAX_HINGES or any(abs(v) >= SMALL for v in numbers):
                self.small = False
            if self.small:
                self.slope.push_back(f.a)
                self.const.push_back(f.const)
                self.has_m.push_back(m is not None)
                self.minimiser.push_back(0 if m is None else m)
                for c, b in f.hinges:
                    self.hinge_c.push_back(c)
                    self.hinge_b.push_back(b)
                self.hinge_start.push_back(self.hinge_c.size())
        self.n = self.node.size()
        self.bound = bound
        self.guard = 0 if guard is None else guard
        self.atoms = atoms
        self.propagates_foreign = False
        self.active = guard is None
        self.active_level = -1
        self.est.resize(self.n)
        self.lst.resize(self.n)
        self.has_est.resize(self.n)
        self.has_lst.resize(self.n)
        self.n_checks = self.n_conflicts = self.n_timings = 0
        self.last_timing = None

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
        raise AssertionError("the convex cost theory propagates nothing")

    def statistics(self):
        return {"convex_cost_checks": self.n_checks, "convex_cost_conflicts": self.n_conflicts,
                "convex_cost_timings": self.n_timings}

    def propagate(self):
        if not self.active:
            return []
        self.read_windows()
        if self.cache_valid and self.est == self.last_est and self.lst == self.last_lst:
            return []
        self.last_est = self.est
        self.last_lst = self.lst
        self.cache_valid = True
        self.n_checks += 1
        clause = self.window_conflict()
        if clause is not None:
            self.set_conflict(clause)
            self.cache_valid = False
            return None
        return []

    def final_check(self):
        if not self.active:
            return True
        self.read_windows()
        clause = self.window_conflict()
        if clause is not None:
            self.set_conflict(clause)
            return False
        self.n_timings += 1
        x, value, literals = exact_timing(self.graph, self.atoms, self.costs)
        if value > self.bound:
            self.set_conflict([-lit for lit in literals])
            return False
        self.last_timing = (x, value)
        return True

    # -- helpers --------------------------------------------------------------------------------
    cdef void set_conflict(self, list clause) except *:
        if self.guard != 0:
            clause.insert(0, -self.guard)
        self.conflict_clause = clause
        self.n_conflicts += 1

    cdef void read_windows(self) except *:
        cdef int k
        cdef int32_t v
        cdef int64_t d
        for k in range(self.n):
            v = self.node[k]
            self.has_est[k] = self.graph.earliest(v, &self.est[k])
            if not self.has_est[k]:
                self.est[k] = INF          # (a value of its own for the cache's comparison)
            self.has_lst[k] = False
            self.lst[k] = INF
            if self.graph.ahead_bounds != NULL:
                d = self.graph.ahead_bounds[v]
                if d < INF:
                    self.has_lst[k] = True
                    self.lst[k] = d

    cdef int64_t value_at(self, int k, int64_t x) noexcept:
        """The cost of node k at x (small numbers only)."""
        cdef int64_t total = self.const[k] + self.slope[k] * x
        cdef int32_t h
        for h in range(self.hinge_start[k], self.hinge_start[k + 1]):
            if x > self.hinge_b[h]:
                total += self.hinge_c[h] * (x - self.hinge_b[h])
        return total

    cdef int least_small(self, int k, bint has_lo, bint has_hi, int64_t* out) noexcept:
        """Convex.least over node k's window in int64 (without its lower end unless has_lo,
        without its upper end unless has_hi): 1 (value in out[0]), 0 (no least value), -1 (a
        window end too large: ask the reference)."""
        cdef int64_t lo = self.est[k], hi = self.lst[k], x
        has_lo = has_lo and self.has_est[k]
        has_hi = has_hi and self.has_lst[k]
        if (has_lo and (lo >= SMALL or lo <= -SMALL)) or (has_hi and (hi >= SMALL
                                                                      or hi <= -SMALL)):
            return -1
        if self.has_m[k]:
            x = self.minimiser[k]
            if has_lo and x < lo:
                x = lo
            if has_hi and x > hi:
                x = hi
        elif self.slope[k] <= 0:
            if not has_hi:
                return 0
            x = hi
        else:
            if not has_lo:
                return 0
            x = lo
        out[0] = self.value_at(k, x)
        return 1

    cdef object window_conflict(self):
        """The reference's _window_conflict over the windows read."""
        cdef int k, found
        cdef int64_t small_value
        total = 0
        values = []
        for k in range(self.n):
            found = self.least_small(k, True, True, &small_value) if self.small else -1
            if found == 1:
                value = small_value
            elif found == 0:
                return None
            else:
                f = self.functions[k]
                value, _ = f.least(self.est[k] if self.has_est[k] else None,
                                   self.lst[k] if self.has_lst[k] else None)
                if value is None:
                    return None
            total += value
            values.append(value)
        if total <= self.bound:
            return None
        cdef set literals = set()
        cdef int32_t limit = self.graph.qhead - 1
        for k in range(self.n):
            # est = -d(node, 0): a path node ~> 0 of weight <= -est; lst = d(0, node)
            if self.has_est[k] and self.least_without(k, False, True) != values[k]:
                self.path_reason(self.node[k], 0, -self.est[k], limit, literals)
            if self.has_lst[k] and self.least_without(k, True, False) != values[k]:
                self.path_reason(0, self.node[k], self.lst[k], limit, literals)
        return sorted(literals, key=abs)

    cdef object least_without(self, int k, bint lower, bint upper):
        """The least cost of node k over its window with only the ends asked for (None: no
        least value)."""
        cdef int64_t small_value
        cdef int found = self.least_small(k, lower, upper, &small_value) if self.small else -1
        if found == 1:
            return small_value
        if found == 0:
            return None
        return self.functions[k].least(self.est[k] if lower and self.has_est[k] else None,
                                       self.lst[k] if upper and self.has_lst[k] else None)[0]
