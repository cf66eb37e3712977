# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# distutils: language = c++
"""The disjunctive (unary-resource) theory in Cython: the twin of disjunctive_ref.py.

Same contract (smtsched/theory.py) and the same reasoning, run at every search node:

* overload checking (Vilim, CPAIOR 2004): for an earliest start a and a latest end b, the tasks
  whose windows lie inside [a, b] need more than b - a time units: conflict;
* edge finding (Carlier and Pinson; Vilim's formulation): a task i with est_i >= a that does not
  fit into [a, b] together with the set Omega inside it ends after all of Omega, so every
  ordering literal "j before i", j in Omega, is implied.

It reads est/lct straight from the compiled difference theory's exact bounds (time_graph.pxd:
est = -d(task, 0), lct = d(0, task) + duration): O(1) per task. A machine whose
bounds did not change since its last check (and no backtrack since) is not checked again.

Explanations are lifted to the window: a task of Omega is explained by a path proving est >= a
and one proving lct <= b (weaker than its own bounds when a, b are not its own), found by the
graph's bounded path search among the edges active when the literal was propagated. A
propagated literal's reason is built lazily, when conflict analysis asks, from the window
recorded then; conflicts are built at once.

With `record_witnesses` (a proof is logged) every clause has the witness its reference twin
gives it (`last_witness()`, disjunctive_ref.py), from the window and task set of its record.

The checks are O(n^2) per window end (n tasks on the machine), and the scan for the tasks i
of edge finding runs only in windows where the longest candidate does not fit beside Omega.
Vilim's Theta-Lambda tree makes the checks O(n log n), which did not pay below a few dozen
tasks per machine (most benchmarks have 5-20; swv11-swv20 have 50).
"""
from libc.stdint cimport int8_t, int32_t, int64_t
from libcpp.algorithm cimport sort
from libcpp.pair cimport pair
from libcpp.vector cimport vector

from smtsched.theories.time_graph cimport TimeGraph
from smtsched.theories.global_theory cimport GlobalTheory
from smtsched.theories.global_ref import energy_witness


cdef class DisjunctiveLogic(GlobalTheory):
    cdef int n                          # tasks
    cdef vector[int32_t] node
    cdef vector[int64_t] duration
    cdef vector[int32_t] order          # n*n: literal "i ends before j starts", 0 if none
    cdef readonly bint every_level, edge_finding
    # bounds of this check and of the last one (the cache)
    cdef vector[int64_t] est, lct, last_est, last_lct
    # Reasons of propagated literals: one record per (window, task i); the literals share it.
    cdef vector[int64_t] record_a, record_b
    cdef vector[int32_t] record_i, record_limit, record_level, record_start
    cdef vector[int32_t] record_tasks   # Omega of every record, concatenated
    # (reason_of maps a propagated literal to its record index: GlobalTheory)
    cdef int64_t n_checks, n_conflicts, n_propagations, n_skipped
    cdef vector[pair[int64_t, int32_t]] by_est
    cdef vector[int64_t] ends
    cdef vector[int32_t] omega
    cdef vector[int32_t] outside        # per window end b: the tasks ending after b, by est
    cdef vector[int32_t] scanned        # per window end b and task i: Omega's prefix seen for i

    def __init__(self, TimeGraph graph, tasks, order, every_level=True, edge_finding=True):
        """Same arguments as disjunctive_ref.DisjunctiveLogic (the graph must be the compiled
        difference theory)."""
        GlobalTheory.__init__(self, graph)
        tasks = [(int(node), int(duration)) for node, duration in tasks]
        self.n = len(tasks)
        for node, duration in tasks:
            self.node.push_back(node)
            self.duration.push_back(duration)
        # (an empty order, lazy pairs: no n x n table; edge finding then has nothing to set)
        if order:
            self.order.assign(<size_t>self.n * self.n, 0)
        for (i, j), literal in order.items():
            self.order[<size_t>i * self.n + j] = literal
        self.every_level = every_level
        self.edge_finding = edge_finding and bool(order)
        self.propagates_foreign = edge_finding
        self.est.resize(self.n)
        self.lct.resize(self.n)
        self.n_checks = self.n_conflicts = self.n_propagations = self.n_skipped = 0

    # -- contract (observed, level, new_level, conflict, values: GlobalTheory) -----------------
    cdef void undone(self, int level) except *:
        # the records of levels above `level` (their literals are forgotten already)
        cdef size_t keep = self.records_kept(self.record_level, level)
        if keep < self.record_level.size():
            self.record_tasks.resize(self.record_start[keep])
            self.record_a.resize(keep)
            self.record_b.resize(keep)
            self.record_i.resize(keep)
            self.record_limit.resize(keep)
            self.record_level.resize(keep)
            self.record_start.resize(keep)

    def final_check(self):
        # a complete model satisfies the pairwise clauses: no set of tasks can be overloaded
        # (without them, lazy pairs, the front end finds and cuts the overlaps between
        # searches: accepted here)
        return True

    def statistics(self):
        return {"disjunctive_checks": self.n_checks,
                "disjunctive_conflicts": self.n_conflicts,
                "disjunctive_propagations": self.n_propagations}

    def propagate(self):
        if self.levels and not self.every_level:
            return []
        if not self.read_bounds():
            return []
        if self.cache_valid and self.est == self.last_est and self.lct == self.last_lct:
            self.n_skipped += 1
            return []
        self.last_est = self.est
        self.last_lct = self.lct
        self.cache_valid = True
        self.n_checks += 1
        implied = []
        if not self.check(implied):
            self.cache_valid = False
            self.n_conflicts += 1
            return None
        self.n_propagations += len(implied)
        implied.sort(key=abs)
        return implied

    def explain(self, int lit):
        cdef int record = self.reason_of[lit]
        cdef int32_t begin = self.record_start[record]
        cdef int32_t end = (self.record_start[record + 1] if record + 1 < <int>self.record_start.size()
                            else <int32_t>self.record_tasks.size())
        if self.record_witnesses:
            self.given_witness = self.window_witness(begin, end, self.record_i[record],
                                                     self.record_a[record],
                                                     self.record_b[record])
        return [lit] + self.window_reason(begin, end, self.record_i[record], self.record_a[record],
                                          self.record_b[record], self.record_limit[record])

    # -- the reasoning ---------------------------------------------------------------------------
    cdef bint read_bounds(self):
        """est/lct of every task from the graph's bounds; False if some task is unbounded."""
        cdef int k
        cdef int64_t est, lst
        for k in range(self.n):
            if not self.graph.window(self.node[k], &est, &lst):
                return False
            self.est[k] = est
            self.lct[k] = lst + self.duration[k]
        return True

    cdef bint check(self, list implied) except -1:
        """Overload and edge finding over every window; False on a conflict (clause set)."""
        cdef int n = self.n, position, position_k, k, i, j, count, record, var, seen, place
        cdef int64_t a, b, load, longest
        # scratch vectors kept between checks (no allocation per check); self.by_est holds (-est, k)
        self.by_est.clear()
        self.ends.clear()
        cdef int32_t literal, limit = self.graph.qhead - 1
        cdef int value
        for k in range(n):
            if self.duration[k] > 0:
                self.by_est.push_back(pair[int64_t, int32_t](-self.est[k], k))
                self.ends.push_back(self.lct[k])
        sort(self.by_est.begin(), self.by_est.end())
        sort(self.ends.begin(), self.ends.end())
        count = self.by_est.size()
        for position in range(<int>self.ends.size()):
            b = self.ends[position]
            if position + 1 < <int>self.ends.size() and self.ends[position + 1] == b:
                continue  # each distinct latest end once
            self.omega.clear()
            load = 0
            # The candidates i of edge finding in this window end: the tasks ending after b,
            # by decreasing est. As the window's start a falls, those with est_i >= a are a
            # growing prefix; when even the longest of them fits beside Omega, no i can be
            # pushed and the O(n) scan below is skipped (the scan made this check O(n^3):
            # half the search's time on the 50-task machines of swv11-swv20).
            self.outside.clear()
            for position_k in range(count):
                k = self.by_est[position_k].second
                if self.lct[k] > b:
                    self.outside.push_back(k)
            seen = 0
            longest = 0
            # Omega only grows while a falls, and a literal "j before i" that one window of
            # this b judged is settled for the next ones (true, or offered and pending, or the
            # conflict already returned), so each i reads only the part of Omega added since
            # its last window: the same offers, a scan of Omega once per (b, i).
            self.scanned.assign(n, 0)
            for position_k in range(count):
                k = self.by_est[position_k].second
                if self.lct[k] > b:
                    continue
                self.omega.push_back(k)
                load += self.duration[k]
                a = self.est[k]
                if self.next_inside(self.by_est, position_k, b, a):
                    continue  # take every task with this est before judging the window
                if load > b - a:
                    self.conflict_clause = self.window_clause(self.omega, -1, a, b, limit)
                    if self.record_witnesses:
                        self.witness_conflict(self.omega_witness(-1, a, b))
                    return False
                if not self.edge_finding:
                    continue
                while seen < <int>self.outside.size() and self.est[self.outside[seen]] >= a:
                    if self.duration[self.outside[seen]] > longest:
                        longest = self.duration[self.outside[seen]]
                    seen += 1
                if load + longest <= b - a:
                    continue
                for i in range(n):
                    if (self.duration[i] == 0 or self.lct[i] <= b or self.est[i] < a
                            or load + self.duration[i] <= b - a):
                        continue
                    record = -1
                    place = self.scanned[i]
                    self.scanned[i] = self.omega.size()
                    for place in range(place, <int>self.omega.size()):
                        j = self.omega[place]
                        literal = self.order[<size_t>j * n + i]
                        if literal == 0:
                            continue
                        value = self.graph_value(literal)
                        if self.offered_already(literal, value):
                            continue
                        if value == -1:  # the window says j before i, the trail says not
                            self.conflict_clause = [literal] + self.window_clause(self.omega, i, a, b,
                                                                                  limit)
                            if self.record_witnesses:
                                self.witness_conflict(self.omega_witness(i, a, b))
                            return False
                        if record < 0:
                            record = self.new_record(self.omega, i, a, b, limit)
                        self.offered(literal, record)
                        implied.append(literal)
        return True

    cdef bint next_inside(self, vector[pair[int64_t, int32_t]]& by_est, int position, int64_t b,
                          int64_t a):
        """Whether a later task in decreasing-est order that lies inside b has this same est."""
        cdef int k
        for position in range(position + 1, <int>by_est.size()):
            if -by_est[position].first != a:
                return False
            k = by_est[position].second
            if self.lct[k] <= b:
                return True
        return False

    cdef int new_record(self, vector[int32_t]& omega, int i, int64_t a, int64_t b, int32_t limit):
        self.record_start.push_back(self.record_tasks.size())
        for k in omega:
            self.record_tasks.push_back(k)
        self.record_a.push_back(a)
        self.record_b.push_back(b)
        self.record_i.push_back(i)
        self.record_limit.push_back(limit)
        self.record_level.push_back(self.levels)
        return self.record_level.size() - 1

    cdef object omega_witness(self, int i, int64_t a, int64_t b):
        """The witness of a window clause over self.omega (see window_witness)."""
        cdef size_t start = self.record_tasks.size()
        for k in self.omega:
            self.record_tasks.push_back(k)
        witness = self.window_witness(start, self.record_tasks.size(), i, a, b)
        self.record_tasks.resize(start)
        return witness

    cdef object window_witness(self, int32_t begin, int32_t end, int i, int64_t a, int64_t b):
        """The `energy` witness (docs/certificates.md) of the window clause over
        record_tasks[begin:end] (inside [a, b]) and i (est_i >= a; -1: none): an overload, or
        with i edge finding, where the clause's ordering literal "j before i" (j of the
        window), negated, completes to "i before j". None when i shares its start node with
        a task of the window (the literal is then the compiler's constant, not an atom, and
        nothing completes: disjunctive_ref._ordering_witness)."""
        cdef int32_t position
        tasks = []
        for position in range(begin, end):
            if i >= 0 and self.node[self.record_tasks[position]] == self.node[i]:
                return None
            tasks.append(self.record_tasks[position])
        if i >= 0:
            tasks.append(i)
        return energy_witness(a, b, tasks)

    cdef list window_clause(self, vector[int32_t]& omega, int i, int64_t a, int64_t b,
                            int32_t limit):
        cdef size_t start = self.record_tasks.size()
        for k in omega:
            self.record_tasks.push_back(k)
        clause = self.window_reason(start, self.record_tasks.size(), i, a, b, limit, True)
        self.record_tasks.resize(start)
        return clause

    cdef list window_reason(self, int32_t begin, int32_t end, int i, int64_t a, int64_t b,
                            int32_t limit, bint now=False):
        """Negated literals of paths proving est_k >= a and lct_k <= b for the tasks
        record_tasks[begin:end], and est_i >= a (if i >= 0): all false now. `now`: a conflict,
        explained at once (see path())."""
        cdef set literals = set()
        cdef int32_t position, k
        for position in range(begin, end):
            k = self.record_tasks[position]
            self.path(self.node[k], 0, -a, limit, literals, now)
            self.path(0, self.node[k], b - self.duration[k], limit, literals, now)
        if i >= 0:
            self.path(self.node[i], 0, -a, limit, literals, now)
        return sorted(literals, key=abs)

    cdef void path(self, int32_t source, int32_t target, int64_t bound, int32_t limit,
                   set literals, bint now) except *:
        cdef size_t k
        if not (now and limit == self.graph.qhead - 1):
            self.path_reason(source, target, bound, limit, literals)   # GlobalTheory's
            return
        # A conflict is explained before any later edge exists, so the current shortest
        # path (store_path: the dense matrix's `via` cells or the sparse graph's bound
        # reasons, linear in its length) is a valid
        # reason, if less lifted than a path searched up to the window's bound. The
        # search cost 45% of the time on the DNN graphs (many conflicts, ~60 tasks per
        # window, an A* per task and side).
        self.graph.stack.clear()
        self.graph.store_path(source, target)
        for k in range(self.graph.stack.size()):
            literals.add(-self.graph.edge_literal(self.graph.stack[k]))
