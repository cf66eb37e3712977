# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# distutils: language = c++
"""Difference logic (QF_IDL, and QF_RDL after exact scaling) as a DPLL(T) theory, in Cython.

`DifferenceLogic` follows the engine contract written in `smtsched/theory.py`; its pure-Python
twin is `difference_ref.py` and the tests drive both side by side.

Algorithm: an incrementally maintained all-pairs shortest-path matrix over the active edges, the
scheme Yices uses for small integer-difference graphs (Dutertre and de Moura, "A Fast
Linear-Arithmetic Solver for DPLL(T)", CAV 2006, and its IDL Floyd-Warshall solver), with one
twist for schedules: the paths through the origin (node 0) are not stored. Row and column 0
(every node's bounds) are exact, every other cell holds the weight of some path, and the
distance is d(i, j) = min(dist[i, j], dist[i, 0] + dist[0, j]) (shortest()). Activating an edge
u -> v of weight w:
  * is a conflict exactly when d(v, u) + w < 0 (a negative cycle: the path v ~> u plus the
    edge); the conflict clause is the cycle's edge literals, the minimal explanation of
    Cotton and Maler ("Fast and Flexible Difference Constraint Propagation for DPLL(T)",
    SAT 2006);
  * otherwise lowers dist[i, j] to dist[i, u] + w + dist[v, j] only for the rows i whose path to
    v improves and the columns j whose path from u improves, and only where that beats the
    path through the origin, so the work is proportional to the cells that change;
  * gives complete theory propagation: an unassigned atom's edge a -> b of weight c is
    implied as soon as d(a, b) <= c; only cells that improved, or bounds that tightened (the
    candidate edges at that node), can newly imply an edge.
`via[i, j]` records the edge through which a cell last improved; the path behind a cell is
rebuilt by splitting at that edge (older cells on both sides), which gives explanations.

Why the paths through the origin are left out: in a schedule every node reaches the origin and
back, so the shortest path between two tasks is mostly the one through it (lst_j - est_i), and
storing it rewrote every such cell whenever a bound moved: 87% of the cell updates on a 15x15
job shop. Leaving them out cut the updates 8x there (la36 at 1267: refuted in 17 s, not 28 s),
and an edge at the origin (a bound literal) now changes row or column 0 only.

Why explanations search instead of reading `via`: rebuilt from the matrix at conflict-analysis
time, a path could use edges activated after the literal was propagated (even the literal's
own edge), breaking the implication order CaDiCaL relies on. Most propagated literals are never
explained, so explain() searches lazily, among the edges that were active when the literal was
propagated only (see explain()); conflicts, explained at once, read the path from `via`.

Why dense: scheduling graphs here have tens to a few thousand nodes (one per start time); the
O(n^2) matrix buys O(1) propagation tests: the atoms are indexed by their matrix cell, so an
improving cell tests exactly the edges lying on it. Memory is 16 bytes per node pair, so graphs
above `MAX_NODES` nodes are refused with a clear message.

Integer safety: every simple path is bounded by the sum of the atoms' largest |weight|; atoms
whose sum could exceed 2**61 are refused with OverflowError (never wrapped), so INF = 2**62 and
every sum computed below stays inside int64.
"""
from libc.stdint cimport int8_t, int32_t, int64_t
from libc.string cimport memcpy
from libcpp.algorithm cimport sort
from libcpp.pair cimport pair
from libcpp.queue cimport priority_queue
from libcpp.vector cimport vector

from smtsched.ext.bounds cimport INF
from smtsched.ext.csr cimport counts_to_starts
from smtsched.ext.scope cimport Scope, clear_marks

cdef int64_t WEIGHT_LIMIT = (<int64_t>1) << 61
MAX_NODES = 2048
# Above this many nodes, undo logs cells instead of copying rows (see freeze()).
ROW_COPY_NODES = 256


cdef inline int64_t magnitude(int64_t x):
    return -x if x < 0 else x


cdef class DifferenceLogic:
    """The compiled difference-logic theory (see the module docstring and smtsched/theory.py)."""
    # The contract's optional parts not answered here (propagates_foreign, offers_fresh):
    # CompiledTheory's defaults (ext/contract.pyx), registered with smtsched.theory.Theory.

    def __init__(self, int num_nodes):
        if num_nodes < 1:
            raise ValueError("a difference graph needs at least the origin node")
        if num_nodes > MAX_NODES:
            raise ValueError(
                f"difference graph with {num_nodes} nodes exceeds the dense solver's limit of "
                f"{MAX_NODES} nodes")
        self.n = num_nodes
        self.frozen = False
        self.weight_sum = 0
        self.qhead = 0
        self.inconsistent = False
        self.conflict_clause = []
        self.pending = []
        self.var_atom.push_back(-1)  # variable 0 does not exist
        self.n_assignments = self.n_activations = self.n_redundant = 0
        self.n_propagations = self.n_conflicts = self.n_explanations = 0
        self.n_explanation_literals = self.n_cell_updates = self.n_final_checks = 0

    # ------------------------------------------------------------------ set-up
    def add_atom(self, int var, int u, int v, long long w_true, long long w_false):
        """Own SAT variable `var`: true activates u -> v (w_true), false activates v -> u (w_false).

        Pre: at level 0 (before the search, or between two searches of a persistent engine:
        the atom is then permanent, as z3 keeps atoms made at its base scope);
        w_true + w_false < 0 (exactly one edge can hold). The index is rebuilt by the next
        call that needs it (freeze), once for all the atoms added meanwhile.
        """
        if self.scopes.size() > 0:
            raise ValueError("atoms can only be added at level 0")
        if var <= 0:
            raise ValueError(f"SAT variable must be positive, got {var}")
        if not (0 <= u < self.n and 0 <= v < self.n) or u == v:
            raise ValueError(f"bad edge endpoints {u} -> {v} for {self.n} nodes")
        # Each weight is bounded before anything is added, so that neither the sum below nor
        # the complementarity test can wrap (a weight near 2**63 once slipped through a
        # wrapped running sum).
        if not (-WEIGHT_LIMIT < w_true < WEIGHT_LIMIT and -WEIGHT_LIMIT < w_false < WEIGHT_LIMIT):
            raise OverflowError(
                "difference constants too large: path lengths could exceed 2**61")
        if w_true + w_false >= 0:
            raise ValueError(f"edges of variable {var} are not complementary ({w_true}, {w_false})")
        while <int>self.var_atom.size() <= var:
            self.var_atom.push_back(-1)
        if self.var_atom[var] != -1:
            raise ValueError(f"SAT variable {var} is already an atom")
        cdef int64_t largest = max(magnitude(w_true), magnitude(w_false))
        if self.weight_sum + largest >= WEIGHT_LIMIT:  # both terms < 2**61: no wrap
            raise OverflowError(
                "difference constants too large: path lengths could exceed 2**61")
        self.weight_sum += largest
        cdef int32_t atom = self.atom_var.size()
        self.var_atom[var] = atom
        self.atom_var.push_back(var)
        self.edge_source.push_back(u)
        self.edge_target.push_back(v)
        self.edge_weight.push_back(w_true)
        self.edge_source.push_back(v)
        self.edge_target.push_back(u)
        self.edge_weight.push_back(w_false)
        self.frozen = False

    def observed(self):
        return [self.atom_var[a] for a in range(self.atom_var.size())]

    cdef void freeze(self) except *:
        """Build the per-cell and per-node candidate lists of every atom added so far; the
        first time, allocate the matrix too.

        Atoms added later (at level 0) get their edges into the index; the matrix stays, and
        a new atom whose edge the level-0 edges already imply goes to `pending`, which the
        next propagate() returns (no cell will improve for it any more).
        """
        cdef int n = self.n, i, e
        cdef int num_atoms = self.atom_var.size()
        cdef int num_edges = 2 * num_atoms
        cdef int known = self.atom_value.size()  # atoms the index covered so far
        cdef bint first = self.dist.size() == 0
        self.frozen = True
        if first:
            self.dist.assign(<size_t>n * n, INF)
            self.via.assign(<size_t>n * n, -1)
            for i in range(n):
                self.dist[<size_t>i * n + i] = 0
            # the bounds the global theories read (time_graph.pxd): column 0 and row 0
            self.back_bounds = self.dist.data()
            self.back_stride = n
            self.ahead_bounds = self.dist.data()
        # Candidate edges grouped by matrix cell (CSR): when a cell improves, exactly the
        # edges on it may have become implied.
        cdef size_t cells = <size_t>n * n, c
        self.cell_start.assign(cells + 1, 0)
        for e in range(num_edges):
            self.cell_start[<size_t>self.edge_source[e] * n + self.edge_target[e] + 1] += 1
        counts_to_starts(self.cell_start)
        self.cell_edges.assign(num_edges, 0)
        self.cell_weight.assign(num_edges, 0)
        cdef vector[int32_t] fill = self.cell_start
        for e in range(num_edges):
            c = <size_t>self.edge_source[e] * n + self.edge_target[e]
            self.cell_edges[fill[c]] = e
            self.cell_weight[fill[c]] = self.edge_weight[e]
            fill[c] += 1
        # The same edges by target and by source, leaving out those at the origin (their cell
        # is in row or column 0): when a bound tightens, the edges whose path through the
        # origin shortened.
        self.into_start.assign(n + 1, 0)
        self.out_start.assign(n + 1, 0)
        for e in range(num_edges):
            if self.edge_source[e] != 0 and self.edge_target[e] != 0:
                self.into_start[self.edge_target[e] + 1] += 1
                self.out_start[self.edge_source[e] + 1] += 1
        counts_to_starts(self.into_start)
        counts_to_starts(self.out_start)
        self.into_edges.assign(self.into_start[n], 0)
        self.out_edges.assign(self.out_start[n], 0)
        cdef vector[int32_t] into_fill = self.into_start, out_fill = self.out_start
        for e in range(num_edges):
            if self.edge_source[e] != 0 and self.edge_target[e] != 0:
                self.into_edges[into_fill[self.edge_target[e]]] = e
                into_fill[self.edge_target[e]] += 1
                self.out_edges[out_fill[self.edge_source[e]]] = e
                out_fill[self.edge_source[e]] += 1
        # Each cell's candidates by increasing weight: when the cell improves from d to nd,
        # the newly implied ones are exactly those of weight in [nd, d) (those of weight >= d
        # were implied, or assigned, when the cell reached d), found by a binary search. A
        # cell with a bound literal per instant (the scheduling windows) has a hundred.
        cdef vector[pair[int64_t, int32_t]] ordered
        cdef int32_t b, count
        for c in range(cells):
            count = self.cell_start[c + 1] - self.cell_start[c]
            if count < 2:
                continue
            ordered.clear()
            for b in range(self.cell_start[c], self.cell_start[c + 1]):
                ordered.push_back(pair[int64_t, int32_t](self.cell_weight[b], self.cell_edges[b]))
            sort(ordered.begin(), ordered.end())
            for b in range(count):
                self.cell_weight[self.cell_start[c] + b] = ordered[b].first
                self.cell_edges[self.cell_start[c] + b] = ordered[b].second
        self.atom_value.resize(num_atoms, 0)
        self.atom_fixed.resize(num_atoms, 0)
        self.atom_implied.resize(num_atoms, 0)
        self.atom_position.resize(num_atoms, 0)
        self.reason_position.resize(num_atoms, 0)
        if first:
            self.adjacency_head.assign(n, -1)
            self.label.assign(n, INF)
            self.predecessor.assign(n, -1)
            self.row_saved_level.assign(n, 0)
            # Copy-on-write rows cost n entries per changed row per level: cheap for
            # scheduling graphs of a few hundred nodes, but on large graphs with deep searches
            # it grows as levels * n^2 (gigabytes were seen at 640 nodes), so those log
            # single cells instead.
            self.copy_rows = n <= ROW_COPY_NODES
            return
        # Atoms added between searches: implied by the edges in the matrix (all at level 0,
        # as add_atom asks), their reason is among those (trail positions < qhead).
        cdef int32_t atom, edge
        for atom in range(known, num_atoms):
            for edge in (2 * atom, 2 * atom + 1):
                if self.shortest(self.edge_source[edge], self.edge_target[edge]) \
                        <= self.edge_weight[edge]:
                    self.imply(edge, self.pending)
                    self.reason_position[atom] = self.qhead - 1

    # ------------------------------------------------------------------ contract
    def assign(self, int lit, bint fixed=False):
        """An owned literal became true; its edge is queued for propagate()."""
        if not self.frozen:
            self.freeze()
        cdef int var = lit if lit > 0 else -lit
        cdef int32_t atom = self.var_atom[var] if var < <int>self.var_atom.size() else -1
        if atom < 0:
            raise ValueError(f"literal {lit} is not owned by this theory")
        cdef int8_t value = 1 if lit > 0 else -1
        if self.atom_value[atom] == value:  # re-notified, e.g. when it became fixed
            if fixed:
                self.atom_fixed[atom] = 1
            return
        if self.atom_value[atom] != 0:
            raise RuntimeError(f"literal {lit} assigned while its negation is assigned")
        self.atom_value[atom] = value
        if fixed:
            self.atom_fixed[atom] = 1
        self.n_assignments += 1
        self.atom_position[atom] = self.trail.size()
        self.trail.push_back(2 * atom + (0 if value > 0 else 1))

    def level(self):
        """The number of open decision levels."""
        return self.scopes.size()

    def new_level(self):
        if not self.frozen:
            self.freeze()
        cdef Scope scope
        scope.trail = self.trail.size()
        scope.undo = self.row_undo.size() if self.copy_rows else self.cell_undo.size()
        scope.implied = self.implied_atoms.size()
        # Edges queued but not yet in the matrix when the level opens (e.g. fixed edges
        # re-queued by a backtrack) are activated under this level, so undoing it must queue
        # them again: remember the queue head too.
        scope.queue = self.qhead
        self.scopes.push_back(scope)

    def backtrack(self, int level):
        """Undo every level above `level`; fixed atoms are kept and re-queued (see theory.py)."""
        if level < 0:
            raise ValueError("negative level")
        self.inconsistent = False  # a conflict found at this level is found again if it holds
        if level >= <int>self.scopes.size():
            return
        cdef Scope scope = self.scopes[level]
        cdef size_t trail_size = scope.trail
        cdef size_t cells = scope.undo
        cdef size_t implied = scope.implied
        cdef size_t queue_head = scope.queue
        self.scopes.resize(level)
        cdef vector[int32_t] keep
        cdef int32_t edge, atom
        cdef size_t k
        while self.trail.size() > trail_size:
            edge = self.trail.back()
            self.trail.pop_back()
            if self.trail.size() < <size_t>self.qhead:  # it was in the matrix: unlink it
                self.adjacency_head[self.edge_source[edge]] = self.adjacency_next[self.trail.size()]
            atom = edge >> 1
            if self.atom_fixed[atom]:
                keep.push_back(edge)
            else:
                self.atom_value[atom] = 0
        cdef RowRecord record
        cdef size_t n = self.n
        cdef CellRecord cell_record
        while self.cell_undo.size() > cells and not self.copy_rows:
            cell_record = self.cell_undo.back()
            self.dist[cell_record.cell] = cell_record.distance
            self.via[cell_record.cell] = cell_record.via
            self.cell_undo.pop_back()
        while self.row_undo.size() > cells and self.copy_rows:
            record = self.row_undo.back()
            k = self.row_undo.size() - 1
            memcpy(&self.dist[record.row * n], &self.saved_dist[k * n], n * sizeof(int64_t))
            memcpy(&self.via[record.row * n], &self.saved_via[k * n], n * sizeof(int32_t))
            self.row_saved_level[record.row] = record.previous_level
            self.row_undo.pop_back()
        self.saved_dist.resize(self.row_undo.size() * n)
        self.saved_via.resize(self.row_undo.size() * n)
        clear_marks(self.atom_implied.data(), self.implied_atoms, implied)
        # Edges left on the trail above the saved queue head were activated under an undone
        # level: unlink them (newest first) and queue them again.
        cdef size_t position = min(<size_t>self.qhead, self.trail.size())
        while position > queue_head:
            position -= 1
            edge = self.trail[position]
            self.adjacency_head[self.edge_source[edge]] = self.adjacency_next[position]
        if <size_t>self.qhead > queue_head:
            self.qhead = queue_head
        # Fixed atoms undone above stay true for the solver: activate them again at this level,
        # in their original order.
        for k in range(keep.size()):
            self.trail.push_back(keep[keep.size() - 1 - k])

    def propagate(self):
        """Activate the queued edges; the newly implied literals, or None on a negative cycle."""
        if self.inconsistent:
            return []
        if not self.frozen:
            self.freeze()
        cdef list implied = []
        cdef int32_t edge
        cdef int lit
        if self.pending:
            # implied when their atoms came in (freeze); still unassigned ones go out now
            for lit in self.pending:
                if self.atom_value[self.var_atom[lit if lit > 0 else -lit]] == 0:
                    implied.append(lit)
            self.pending = []
        while <size_t>self.qhead < self.trail.size():
            edge = self.trail[self.qhead]
            if not self.activate(edge, implied):
                self.inconsistent = True
                self.n_conflicts += 1
                return None
            # Link the edge into its source's list of active edges (newest first), which
            # explain() searches.
            if self.adjacency_next.size() < self.trail.size():
                self.adjacency_next.resize(self.trail.size())
            self.adjacency_next[self.qhead] = self.adjacency_head[self.edge_source[edge]]
            self.adjacency_head[self.edge_source[edge]] = self.qhead
            self.qhead += 1
        self.n_propagations += len(implied)
        # Sorted by variable, so the solver sees the same order whatever order the matrix
        # update visited the cells in.
        implied.sort(key=abs)
        return implied

    def conflict(self):
        return list(self.conflict_clause)

    def explain(self, int lit):
        """The reason clause of a propagated literal: [lit, -(edge literals of its path)...].

        Built lazily, when conflict analysis asks: a shortest path for the literal's edge
        through the edges that were in the matrix when it was propagated (trail positions up to
        the one being activated then), found by A* search with the current distances to the
        target as the heuristic. Those distances are exact for a superset of the edges, so the
        heuristic is consistent and every reduced edge cost is >= 0. Later edges, the literal's
        own among them, can never appear, so the reason respects the trail order.
        """
        cdef int var = lit if lit > 0 else -lit
        cdef int32_t atom = self.var_atom[var] if var < <int>self.var_atom.size() else -1
        if atom < 0 or atom >= <int32_t>self.atom_implied.size() or not self.atom_implied[atom]:
            raise ValueError(f"literal {lit} was not propagated by this theory")
        cdef int32_t implied_edge = 2 * atom + (0 if lit > 0 else 1)
        self.stack.clear()
        self.search_path(self.edge_source[implied_edge], self.edge_target[implied_edge],
                         self.edge_weight[implied_edge], self.reason_position[atom])
        cdef list clause = [lit]
        cdef size_t k
        for k in range(self.stack.size()):
            clause.append(-self.edge_literal(self.stack[k]))
        self.n_explanations += 1
        self.n_explanation_literals += len(clause)
        return clause

    def final_check(self):
        self.n_final_checks += 1
        if self.inconsistent:
            return False
        return self.propagate() is not None

    def values(self):
        """The theory's model (contract name): the node potentials."""
        return self.potentials()

    # Bound queries, for theories that reason on the time bounds of this graph (a scheduling
    # propagator reads a task's earliest start as -distance(task, 0)). They see the edges that
    # propagate() has put into the matrix.
    def distance(self, int u, int v):
        """The tightest bound on x_v - x_u implied by the active edges, or None if unbounded."""
        if not (0 <= u < self.n and 0 <= v < self.n):
            raise IndexError(f"node out of range: {u}, {v}")
        if not self.frozen:
            self.freeze()
        cdef int64_t d = self.shortest(u, v)
        return None if d >= INF else d

    def literal_value(self, int lit):
        """1 if owned literal `lit` is assigned true, -1 if false, 0 if unassigned (for
        theories that propagate this graph's atoms and must not repeat or contradict it)."""
        if not self.frozen:  # the values of atoms added since are not allocated yet
            self.freeze()
        cdef int var = lit if lit > 0 else -lit
        cdef int32_t atom = self.var_atom[var] if var < <int>self.var_atom.size() else -1
        if atom < 0:
            raise ValueError(f"literal {lit} is not owned by this theory")
        return self.atom_value[atom] if lit > 0 else -self.atom_value[atom]

    def path_literals(self, int u, int v):
        """The literals (true now) of the active edges of a shortest path u ~> v: the reason of
        the bound x_v - x_u <= distance(u, v). [] when u == v."""
        if not (0 <= u < self.n and 0 <= v < self.n):
            raise IndexError(f"node out of range: {u}, {v}")
        if u == v:
            return []
        if not self.frozen:
            self.freeze()
        cdef int64_t d = self.shortest(u, v)
        if d >= INF:
            raise ValueError(f"no active path from node {u} to node {v}")
        self.stack.clear()
        self.search_path(u, v, d, self.qhead - 1)
        cdef list out = []
        cdef size_t k
        for k in range(self.stack.size()):
            out.append(self.edge_literal(self.stack[k]))
        out.reverse()
        return out

    def potentials(self):
        """A solution of the active edges with x[0] == 0 (valid when consistent).

        When every node has a path to the origin, the earliest solution: x_v = -dist[v, 0],
        the least value x_v can take with x_0 = 0 (for an edge u -> v of weight w,
        dist[u, 0] <= w + dist[v, 0], so x_v - x_u <= w). A schedule then starts every task as
        early as its orderings allow, which objectives that grow with the end times (weighted
        completion, tardiness) rely on. Otherwise x_v = min(0, min_i dist[i, v]): the
        shortest distance from a virtual source joined to every node by a 0-weight edge, hence
        feasible; shifting by x_0 puts the origin at 0.
        """
        if not self.frozen:
            self.freeze()
        cdef int n = self.n, i, j
        cdef int64_t best, d
        cdef list values = []
        for j in range(n):
            if self.dist[<size_t>j * n] >= INF:
                break
        else:
            return [-self.dist[<size_t>j * n] for j in range(n)]
        for j in range(n):
            best = 0
            for i in range(n):
                d = self.shortest(i, j)
                if d < best:
                    best = d
            values.append(best)
        origin = values[0]
        return [value - origin for value in values]

    def statistics(self):
        return {
            "dl_assignments": self.n_assignments,
            "dl_activations": self.n_activations,
            "dl_redundant_edges": self.n_redundant,
            "dl_propagations": self.n_propagations,
            "dl_conflicts": self.n_conflicts,
            "dl_explanations": self.n_explanations,
            "dl_explanation_literals": self.n_explanation_literals,
            "dl_cell_updates": self.n_cell_updates,
            "dl_final_checks": self.n_final_checks,
        }

    # ------------------------------------------------------------------ internals
    cdef int64_t shortest(self, int32_t i, int32_t j) nogil:
        """The shortest distance i ~> j over the active edges: the stored path, or the path
        through the origin made of the two exact bounds."""
        cdef size_t n = self.n
        cdef int64_t stored = self.dist[i * n + j]
        cdef int64_t out = self.dist[i * n], back = self.dist[j]
        if out >= INF or back >= INF or out + back >= stored:
            return stored
        return out + back

    cdef bint activate(self, int32_t edge, list implied) except -1:
        """Insert one edge. False (with conflict_clause set) on a negative cycle.

        Post: row and column 0 of dist are exact, every other cell holds the weight of a
        path, and shortest(i, j) = min(dist[i, j], dist[i, 0] + dist[0, j]) is the exact
        distance; every unassigned, not yet implied atom whose edge became implied is appended
        to `implied`.

        Why cells may stay above their distance: in a schedule every node reaches the origin
        and back, and most shortest paths between two tasks run through it (the bound
        lst_j - est_i). Storing those would rewrite every such cell whenever a bound moves: on
        a 15x15 job shop 87% of the cell updates were of this kind. So a cell is written
        only when a path not through the origin beats the one through it, and a bound that
        tightens tests the candidate edges at its node instead (bound_implied).
        """
        cdef int n = self.n
        cdef int32_t u = self.edge_source[edge], v = self.edge_target[edge]
        cdef int64_t w = self.edge_weight[edge]
        cdef int64_t* dist = self.dist.data()
        cdef int32_t* via = self.via.data()
        cdef int64_t back = self.shortest(v, u)
        cdef size_t base, k
        self.n_activations += 1
        if back != INF and back + w < 0:
            # Negative cycle: the path v ~> u closed by this edge.
            self.stack.clear()
            if dist[<size_t>v * n + u] == back:
                self.store_path(v, u)
            else:
                self.store_path(v, 0)
                self.store_path(0, u)
            clause = [-self.edge_literal(edge)]
            while self.stack.size() > 0:
                clause.append(-self.edge_literal(self.stack.back()))
                self.stack.pop_back()
            self.conflict_clause = clause
            return False
        if self.shortest(u, v) <= w:
            self.n_redundant += 1
            return True
        # A new shortest path i ~> u -> v ~> j whose parts are not stored paths (i.e. go
        # through the origin) is no shorter than the new path through the origin itself, so
        # only stored parts are combined. Rows whose path to v improves and columns whose path
        # from u improves: only their crossing cells can change. An edge at the origin changes
        # only the bounds: for i, j != 0 the path i ~> 0 -> v ~> j is one through the origin.
        cdef int i, j, a, b
        cdef int64_t d_iu, d_vj, nd, before, out_i, bound_j
        cdef int32_t low, high, middle
        cdef int level = self.scopes.size()
        cdef CellRecord cell_record
        self.rows.clear()
        self.columns.clear()
        self.column_distance.clear()
        for i in range(1 if u == 0 else n):
            d_iu = dist[<size_t>i * n + u]
            if d_iu != INF and d_iu + w < self.shortest(i, v):
                self.rows.push_back(i)
        for j in range(1 if v == 0 else n):
            d_vj = dist[<size_t>v * n + j]
            if d_vj != INF and w + d_vj < self.shortest(u, j):
                self.columns.push_back(j)
        for a in range(self.columns.size()):
            self.column_distance.push_back(dist[<size_t>v * n + self.columns[a]])
        cdef int32_t* columns = self.columns.data()
        cdef int64_t* column_distance = self.column_distance.data()
        cdef int num_columns = self.columns.size()
        cdef int32_t* cell_start = self.cell_start.data()
        cdef int32_t* cell_edges = self.cell_edges.data()
        cdef int64_t* cell_weight = self.cell_weight.data()
        # Rows and columns ascend, so row 0 (the upper bounds) and then each row's column 0
        # (its lower bound) are final before the cells that compare with the path through
        # the origin.
        for k in range(self.rows.size()):
            i = self.rows[k]
            d_iu = dist[<size_t>i * n + u] + w
            base = <size_t>i * n
            if level > 0 and self.copy_rows and self.row_saved_level[i] != level:
                self.save_row(i, level)
            for a in range(num_columns):
                j = columns[a]
                nd = d_iu + column_distance[a]
                before = dist[base + j]
                if i != 0 and j != 0:
                    out_i = dist[base]
                    bound_j = dist[j]
                    if out_i < INF and bound_j < INF and out_i + bound_j < before:
                        before = out_i + bound_j
                if nd >= before:
                    continue
                if level > 0 and not self.copy_rows:
                    cell_record.distance = dist[base + j]
                    cell_record.cell = base + j
                    cell_record.via = via[base + j]
                    self.cell_undo.push_back(cell_record)
                dist[base + j] = nd
                via[base + j] = edge
                self.n_cell_updates += 1
                if i == 0 and j != 0:
                    self.bound_implied(j, implied)       # the paths a ~> 0 ~> j shortened
                elif j == 0 and i != 0:
                    self.bound_implied(-1 - i, implied)  # the paths i ~> 0 ~> b shortened
                # Theory propagation: the cell's own candidate edges of weight in [nd, before)
                # are now implied (sorted by weight: the first one by binary search)
                low = cell_start[base + j]
                high = cell_start[base + j + 1]
                if low == high:
                    continue
                while low < high:
                    middle = (low + high) >> 1
                    if cell_weight[middle] < nd:
                        low = middle + 1
                    else:
                        high = middle
                for b in range(low, cell_start[base + j + 1]):
                    if cell_weight[b] >= before:
                        break
                    self.imply(cell_edges[b], implied)
        return True

    cdef void bound_implied(self, int32_t node, list implied) except *:
        """After a bound of a node tightened: the candidate edges at it (into node >= 0, or
        out of -1 - node) that the path through the origin now implies."""
        cdef size_t n = self.n
        cdef int64_t* dist = self.dist.data()
        cdef int32_t* edges
        cdef int32_t k, end, e
        cdef int64_t out, back
        if node >= 0:
            edges = self.into_edges.data()
            k = self.into_start[node]
            end = self.into_start[node + 1]
        else:
            edges = self.out_edges.data()
            k = self.out_start[-1 - node]
            end = self.out_start[-node]
        while k < end:
            e = edges[k]
            k += 1
            out = dist[<size_t>self.edge_source[e] * n]
            back = dist[self.edge_target[e]]
            if out < INF and back < INF and out + back <= self.edge_weight[e]:
                self.imply(e, implied)

    cdef inline void imply(self, int32_t edge, list implied) except *:
        """Propagate the atom of an edge found implied, unless assigned or propagated already."""
        cdef int32_t atom = edge >> 1
        if self.atom_value[atom] != 0 or self.atom_implied[atom]:
            return
        self.atom_implied[atom] = 1
        self.implied_atoms.push_back(atom)
        self.reason_position[atom] = self.qhead
        implied.append(self.edge_literal(edge))

    cdef void search_path(self, int32_t source, int32_t target, int64_t bound, int32_t limit) except *:
        """Collect into self.stack the edges of a shortest path source ~> target that uses only
        active edges at trail positions <= limit (see explain()); its weight must be <= bound.
        """
        cdef size_t n = self.n
        cdef int64_t* dist = self.dist.data()
        cdef priority_queue[pair[int64_t, int32_t]] frontier  # max-heap on the negated key
        cdef int64_t key, h_x, h_y, candidate, total = 0
        cdef int32_t x, y, e, p
        self.label[source] = 0
        self.touched.push_back(source)
        frontier.push(pair[int64_t, int32_t](0, source))
        while not frontier.empty():
            key = -frontier.top().first
            x = frontier.top().second
            frontier.pop()
            if key > self.label[x]:
                continue  # a stale entry
            if x == target:
                break
            h_x = self.shortest(x, target)
            p = self.adjacency_head[x]
            while p > limit:  # lists are newest first: skip edges activated later
                p = self.adjacency_next[p]
            while p >= 0:
                e = self.trail[p]
                y = self.edge_target[e]
                h_y = self.shortest(y, target)
                if h_y != INF:
                    candidate = key + self.edge_weight[e] + h_y - h_x
                    if candidate < self.label[y]:
                        if self.label[y] == INF:
                            self.touched.push_back(y)
                        self.label[y] = candidate
                        self.predecessor[y] = e
                        frontier.push(pair[int64_t, int32_t](-candidate, y))
                p = self.adjacency_next[p]
        reached = self.label[target] != INF
        y = target
        while reached and y != source:
            e = self.predecessor[y]
            self.stack.push_back(e)
            total += self.edge_weight[e]
            y = self.edge_source[e]
        for x in self.touched:
            self.label[x] = INF
        self.touched.clear()
        if not reached or total > bound:
            raise RuntimeError("difference logic: no explanation path within the bound "
                               f"({source} -> {target}, bound {bound})")

    cdef void save_row(self, int32_t row, int level):
        """Copy row `row` before its first change at `level`, so backtrack can restore it."""
        cdef RowRecord record
        cdef size_t n = self.n
        cdef size_t k = self.row_undo.size()
        record.row = row
        record.previous_level = self.row_saved_level[row]
        self.row_undo.push_back(record)
        self.saved_dist.resize((k + 1) * n)
        self.saved_via.resize((k + 1) * n)
        memcpy(&self.saved_dist[k * n], &self.dist[row * n], n * sizeof(int64_t))
        memcpy(&self.saved_via[k * n], &self.via[row * n], n * sizeof(int32_t))
        self.row_saved_level[row] = level

    cdef void store_path(self, int32_t source, int32_t target) except *:
        """Collect into self.stack the edges of a path source ~> target no longer than
        dist[source, target] (the shortest one when source or target is the origin).

        Splits each cell at its `via` edge; both halves were last improved before that edge was
        activated. A cell left above its distance (see activate) may have halves improved
        since, through later edges; the walk is then only shorter, but as a guard against a
        loop a walk longer than the graph falls back to the path search.
        """
        cdef vector[int32_t] pending
        cdef int n = self.n
        cdef int32_t a, b, e
        cdef size_t start = self.stack.size()
        pending.push_back(source)
        pending.push_back(target)
        while pending.size() > 0:
            b = pending.back()
            pending.pop_back()
            a = pending.back()
            pending.pop_back()
            if a == b:
                continue
            e = self.via[<size_t>a * n + b]
            self.stack.push_back(e)
            if self.stack.size() - start > <size_t>(2 * n + 2):
                self.stack.resize(start)
                self.search_path(source, target, self.dist[<size_t>source * n + target],
                                 self.qhead - 1)
                return
            pending.push_back(a)
            pending.push_back(self.edge_source[e])
            pending.push_back(self.edge_target[e])
            pending.push_back(b)

