# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# distutils: language = c++
"""Difference logic (QF_IDL) for large, sparse graphs, as a DPLL(T) theory, in Cython.

`SparseDifferenceLogic` follows the engine contract of `smtsched/theory.py` as the dense
`difference.DifferenceLogic` does, and shows the global theories the same `TimeGraph`
(time_graph.pxd); its pure-Python twin is `sparse_difference_ref.py`. The dense theory keeps
an n*n matrix (16 bytes per node pair, refused above 2,048 nodes); this one keeps adjacency
lists and two distances per node, so memory is O(nodes + edges + trail) and a graph of
100,000 nodes is fine.

Consistency: a feasible potential pi (pi[v] - pi[u] <= w for every active edge u -> v) kept
by the incremental algorithm of Cotton and Maler ("Fast and Flexible Difference Constraint
Propagation for DPLL(T)", SAT 2006): inserting u -> v of weight w with pi[u] + w < pi[v]
lowers pi[v] and repairs the nodes after it by a Dijkstra search over the reduced costs
w' + pi[x] - pi[y] >= 0, visiting only nodes whose potential must drop. Reaching u again
means a negative cycle; the conflict clause is that cycle's edge literals (the predecessors of
the search plus the new edge), a minimal explanation. Removing edges keeps pi feasible, so
backtracking does not touch it.

Batches: propagate() takes every queued edge in at once. The potentials are repaired edge by
edge (a conflict is a cycle through one edge), but a large batch (the root's facts, a move
fixing many orderings) in a topological order of its own edges (batch_order), so that a
potential is seldom lowered twice; on a conflict none of the batch goes in.

Bounds: the exact distances from the origin to every node (ahead: lst) and from every node
to the origin (back: -est), kept incrementally as in Feydy, Schutt and Stuckey ("Global
difference constraint propagation for finite domain solvers", PPDP 2008): the new edges that
shorten some d(0, v) (or d(u, 0)) start one Dijkstra search over the reduced costs of pi per
direction and batch, which visits only the nodes whose distance drops, each once. Each lowered distance records the edge that
lowered it (a shortest-path tree: Cormen et al., Lemma 24.16, holds for any sequence of
relaxations without negative cycles, and undo restores value and edge together), so a
bound's path is read back along those edges (store_path); changes at open levels are logged
and undone on backtrack. The global theories read these two arrays as their windows.

Theory propagation (sound, not complete; the dense theory's matrix gives every implied
atom, this gives the ones the bounds and parallel edges show):
  * an atom edge a -> b of weight c is implied when d(a, 0) + d(0, b) <= c (the path through
    the origin; a or b may be the origin: bound literals), tested when either bound drops,
    the bound literals of a node by binary search on their sorted weights;
  * activating u -> v of weight w implies the other atoms' edges u -> v of weight >= w.
Explanations are lazy: the path through the origin is searched (A*, the current bounds as
the exact heuristic) among the edges active when the atom was implied, as the dense theory
does, so later edges never appear; a parallel edge explains itself.

Integer safety as in the dense theory: atoms whose weights could sum to 2**61 are refused
with OverflowError, so INF = 2**62 and every sum stays inside int64.
"""
from libc.stdint cimport int8_t, int32_t, int64_t
from libcpp.algorithm cimport sort
from libcpp.pair cimport pair
from libcpp.queue cimport priority_queue
from libcpp.vector cimport vector

from smtsched.ext.bounds cimport INF
from smtsched.ext.csr cimport counts_to_starts
from smtsched.ext.scope cimport Scope, clear_marks

cdef int64_t WEIGHT_LIMIT = (<int64_t>1) << 61
cdef int32_t INT32_MAX = 2147483647
# No node limit of its own below this (the brief of issue 16: no limit below 100,000 nodes);
# int32 node and edge indices hold far more.
MAX_NODES = 1 << 30
# A batch of at least this many edges has its potentials repaired in a topological order
# (batch_order); a module attribute so that the tests can send small batches that way too.
BATCH_ORDER_EDGES = 64

ctypedef pair[int64_t, int32_t] Entry   # (negated key, node): std::priority_queue is a max-heap


cdef inline int64_t magnitude(int64_t x):
    return -x if x < 0 else x


cdef class SparseDifferenceLogic:
    """The compiled sparse difference-logic theory (see the module docstring)."""

    def __init__(self, int num_nodes):
        if num_nodes < 1:
            raise ValueError("a difference graph needs at least the origin node")
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
        self.n_explanation_literals = self.n_bound_updates = self.n_final_checks = 0
        self.n_potential_updates = 0

    # ------------------------------------------------------------------ set-up
    def add_atom(self, int var, int u, int v, long long w_true, long long w_false):
        """Own SAT variable `var`: true activates u -> v (w_true), false v -> u (w_false).
        The same preconditions as the dense theory's add_atom (at level 0, complementary)."""
        if self.scopes.size() > 0:
            raise ValueError("atoms can only be added at level 0")
        if var <= 0:
            raise ValueError(f"SAT variable must be positive, got {var}")
        if not (0 <= u < self.n and 0 <= v < self.n) or u == v:
            raise ValueError(f"bad edge endpoints {u} -> {v} for {self.n} nodes")
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
        if self.weight_sum + largest >= WEIGHT_LIMIT:
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
        """Index the candidate edges of every atom added so far; the first time, allocate the
        per-node arrays too. Atoms added later (at level 0) that the active edges already
        imply go to `pending`, which the next propagate() returns."""
        cdef int n = self.n, e, s, t
        cdef int num_atoms = self.atom_var.size()
        cdef int num_edges = 2 * num_atoms
        cdef int known = self.atom_value.size()
        cdef bint first = self.back.size() == 0
        self.frozen = True
        if first:
            self.back.assign(n, INF)
            self.ahead.assign(n, INF)
            self.back[0] = 0
            self.ahead[0] = 0
            self.back_via.assign(n, -1)
            self.ahead_via.assign(n, -1)
            self.potential.assign(n, 0)
            self.out_head.assign(n, -1)
            self.in_head.assign(n, -1)
            self.label.assign(n, INF)
            self.predecessor.assign(n, -1)
            self.delta.assign(n, 0)
            self.indegree.assign(n, 0)
            self.batch_begin = INT32_MAX
            # the bounds the global theories read (time_graph.pxd); never reallocated
            self.back_bounds = self.back.data()
            self.back_stride = 1
            self.ahead_bounds = self.ahead.data()
        # CSR: edges 0 -> node (by target), node -> 0 (by source), the others by source and
        # by target.
        self.from_origin_start.assign(n + 1, 0)
        self.to_origin_start.assign(n + 1, 0)
        self.out_start.assign(n + 1, 0)
        self.into_start.assign(n + 1, 0)
        for e in range(num_edges):
            s = self.edge_source[e]
            t = self.edge_target[e]
            if s == 0:
                self.from_origin_start[t + 1] += 1
            elif t == 0:
                self.to_origin_start[s + 1] += 1
            else:
                self.out_start[s + 1] += 1
                self.into_start[t + 1] += 1
        counts_to_starts(self.from_origin_start)
        counts_to_starts(self.to_origin_start)
        counts_to_starts(self.out_start)
        counts_to_starts(self.into_start)
        # Sort keys: bound literals by weight; the edges out of a node by (target, weight),
        # so that the parallel edges of a pair are one block, by increasing weight.
        cdef vector[pair[int64_t, int32_t]] keyed_from, keyed_to
        cdef vector[pair[pair[int64_t, int64_t], int32_t]] keyed_out
        keyed_from.resize(self.from_origin_start[n])
        keyed_to.resize(self.to_origin_start[n])
        keyed_out.resize(self.out_start[n])
        self.into_edges.assign(self.into_start[n], 0)
        cdef vector[int32_t] fill_from = self.from_origin_start, fill_to = self.to_origin_start
        cdef vector[int32_t] fill_out = self.out_start, fill_into = self.into_start
        for e in range(num_edges):
            s = self.edge_source[e]
            t = self.edge_target[e]
            if s == 0:
                keyed_from[fill_from[t]] = pair[int64_t, int32_t](self.edge_weight[e], e)
                fill_from[t] += 1
            elif t == 0:
                keyed_to[fill_to[s]] = pair[int64_t, int32_t](self.edge_weight[e], e)
                fill_to[s] += 1
            else:
                keyed_out[fill_out[s]] = pair[pair[int64_t, int64_t], int32_t](
                    pair[int64_t, int64_t](t, self.edge_weight[e]), e)
                fill_out[s] += 1
                self.into_edges[fill_into[t]] = e
                fill_into[t] += 1
        for s in range(n):
            sort(keyed_from.begin() + self.from_origin_start[s],
                 keyed_from.begin() + self.from_origin_start[s + 1])
            sort(keyed_to.begin() + self.to_origin_start[s],
                 keyed_to.begin() + self.to_origin_start[s + 1])
            sort(keyed_out.begin() + self.out_start[s], keyed_out.begin() + self.out_start[s + 1])
        self.from_origin_edges.resize(keyed_from.size())
        self.from_origin_weight.resize(keyed_from.size())
        for e in range(<int>keyed_from.size()):
            self.from_origin_weight[e] = keyed_from[e].first
            self.from_origin_edges[e] = keyed_from[e].second
        self.to_origin_edges.resize(keyed_to.size())
        self.to_origin_weight.resize(keyed_to.size())
        for e in range(<int>keyed_to.size()):
            self.to_origin_weight[e] = keyed_to[e].first
            self.to_origin_edges[e] = keyed_to[e].second
        self.out_edges.resize(keyed_out.size())
        for e in range(<int>keyed_out.size()):
            self.out_edges[e] = keyed_out[e].second
        # parallel_first: within a node's block (sorted by target, then weight), the first
        # entry of the same target and weight for each edge; -1 for an edge alone on its pair
        cdef int32_t k, lo, hi, run
        self.parallel_first.assign(num_edges, -1)
        for s in range(n):
            lo = self.out_start[s]
            hi = self.out_start[s + 1]
            k = lo
            while k < hi:
                t = self.edge_target[self.out_edges[k]]
                run = k  # [run, end of pair) is the block of the pair s -> t
                while k < hi and self.edge_target[self.out_edges[k]] == t:
                    k += 1
                if k - run < 2:
                    continue  # alone on its pair: -1
                for e in range(run, k):
                    if e > run and (self.edge_weight[self.out_edges[e]]
                                    == self.edge_weight[self.out_edges[e - 1]]):
                        self.parallel_first[self.out_edges[e]] = \
                            self.parallel_first[self.out_edges[e - 1]]
                    else:
                        self.parallel_first[self.out_edges[e]] = e
        self.atom_value.resize(num_atoms, 0)
        self.atom_fixed.resize(num_atoms, 0)
        self.atom_implied.resize(num_atoms, 0)
        self.atom_position.resize(num_atoms, 0)
        self.reason_position.resize(num_atoms, 0)
        self.reason_edge.resize(num_atoms, -1)
        self.reason_back.resize(num_atoms, 0)
        if first:
            return
        # Atoms added between searches: implied through the origin by the level-0 bounds, or
        # by an active edge beside them (reason among trail[:qhead]).
        cdef int32_t atom, edge, a, b, p, other
        cdef int64_t out, back
        for atom in range(known, num_atoms):
            for edge in (2 * atom, 2 * atom + 1):
                a = self.edge_source[edge]
                b = self.edge_target[edge]
                out = self.back[a]
                back = self.ahead[b]
                if out < INF and back < INF and out + back <= self.edge_weight[edge]:
                    self.imply(edge, -1, out, self.pending)
                    self.reason_position[atom] = self.qhead - 1
                    continue
                if a == 0 or b == 0:
                    continue
                p = self.out_head[a]
                while p >= 0:
                    other = self.trail[p]
                    if (self.edge_target[other] == b
                            and self.edge_weight[other] <= self.edge_weight[edge]):
                        self.imply(edge, other, 0, self.pending)
                        self.reason_position[atom] = self.qhead - 1
                        break
                    p = self.out_next[p]

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
        return self.scopes.size()

    def new_level(self):
        if not self.frozen:
            self.freeze()
        cdef Scope scope
        scope.trail = self.trail.size()
        scope.undo = self.bound_undo.size()
        scope.implied = self.implied_atoms.size()
        # edges queued but not active when the level opens are activated under it: undoing
        # it queues them again (as in the dense theory)
        scope.queue = self.qhead
        self.scopes.push_back(scope)

    def backtrack(self, int level):
        """Undo every level above `level`; fixed atoms are kept and re-queued."""
        if level < 0:
            raise ValueError("negative level")
        self.inconsistent = False
        if level >= <int>self.scopes.size():
            return
        cdef Scope scope = self.scopes[level]
        cdef size_t trail_size = scope.trail
        cdef size_t queue_head = scope.queue
        self.scopes.resize(level)
        cdef vector[int32_t] keep
        cdef int32_t edge, atom
        cdef size_t k, position
        while self.trail.size() > trail_size:
            edge = self.trail.back()
            self.trail.pop_back()
            position = self.trail.size()
            if position < <size_t>self.qhead:  # it was active: unlink it
                self.unlink(edge, position)
                self.in_potential[position] = 0
            atom = edge >> 1
            if self.atom_fixed[atom]:
                keep.push_back(edge)
            else:
                self.atom_value[atom] = 0
        cdef BoundRecord record
        while self.bound_undo.size() > <size_t>scope.undo:
            record = self.bound_undo.back()
            self.bound_undo.pop_back()
            if record.slot & 1:
                self.ahead[record.slot >> 1] = record.value
                self.ahead_via[record.slot >> 1] = record.via
            else:
                self.back[record.slot >> 1] = record.value
                self.back_via[record.slot >> 1] = record.via
        clear_marks(self.atom_implied.data(), self.implied_atoms, scope.implied)
        # edges left on the trail above the saved queue head were activated under an undone
        # level: unlink them (newest first) and queue them again
        position = min(<size_t>self.qhead, self.trail.size())
        while position > queue_head:
            position -= 1
            self.unlink(self.trail[position], position)
            self.in_potential[position] = 0
        if <size_t>self.qhead > queue_head:
            self.qhead = queue_head
        for k in range(keep.size()):
            self.trail.push_back(keep[keep.size() - 1 - k])

    def propagate(self):
        """Activate the queued edges; the newly implied literals, or None on a negative cycle."""
        if self.inconsistent:
            return []
        if not self.frozen:
            self.freeze()
        cdef list implied = []
        cdef int lit
        if self.pending:
            for lit in self.pending:
                if self.atom_value[self.var_atom[lit if lit > 0 else -lit]] == 0:
                    implied.append(lit)
            self.pending = []
        # Every queued edge goes in first (adjacency, then potential), then the bounds move
        # once for all of them: one multi-source search settles each node at most once per
        # call, where a search per edge walked the same descendants again for every edge.
        cdef int32_t begin = self.qhead, end = self.trail.size(), position
        for position in range(begin, end):
            self.link(self.trail[position], position)
        self.batch_begin = begin
        self.batch_order(begin, end)
        cdef size_t k
        for k in range(self.order.size()):
            position = self.order[k]
            self.n_activations += 1
            if not self.repair_potential(self.trail[position]):
                # none of the batch goes in: trail[:begin] stays active, and exact
                position = end
                while position > begin:
                    position -= 1
                    self.unlink(self.trail[position], position)
                    self.in_potential[position] = 0
                self.batch_begin = INT32_MAX
                self.inconsistent = True
                self.n_conflicts += 1
                return None
            self.in_potential[position] = 1
        self.batch_begin = INT32_MAX
        self.qhead = end
        self.update_bounds(begin, end, implied)
        self.n_propagations += len(implied)
        implied.sort(key=abs)
        return implied

    def conflict(self):
        return list(self.conflict_clause)

    def explain(self, int lit):
        """The reason clause of a propagated literal: [lit, -(edge literals of its path)...],
        the path searched among the edges active when it was propagated (see the module
        docstring)."""
        cdef int var = lit if lit > 0 else -lit
        cdef int32_t atom = self.var_atom[var] if var < <int>self.var_atom.size() else -1
        if atom < 0 or atom >= <int32_t>self.atom_implied.size() or not self.atom_implied[atom]:
            raise ValueError(f"literal {lit} was not propagated by this theory")
        cdef int32_t edge = 2 * atom + (0 if lit > 0 else 1)
        cdef int32_t a = self.edge_source[edge], b = self.edge_target[edge]
        cdef int32_t limit = self.reason_position[atom]
        cdef int64_t c = self.edge_weight[edge], split = self.reason_back[atom]
        cdef set literals = set()
        cdef size_t k
        self.stack.clear()
        if self.reason_edge[atom] >= 0:
            self.stack.push_back(self.reason_edge[atom])
        elif a == 0 or b == 0:
            self.search_path(a, b, c, limit)
        else:
            self.search_path(a, 0, split, limit)
            self.search_path(0, b, c - split, limit)
        for k in range(self.stack.size()):
            literals.add(-self.edge_literal(self.stack[k]))
        cdef list clause = [lit] + sorted(literals, key=abs)
        self.n_explanations += 1
        self.n_explanation_literals += len(clause)
        return clause

    def final_check(self):
        self.n_final_checks += 1
        if self.inconsistent:
            return False
        return self.propagate() is not None

    def values(self):
        return self.potentials()

    def distance(self, int u, int v):
        """The tightest bound on x_v - x_u implied by the active edges, or None."""
        if not (0 <= u < self.n and 0 <= v < self.n):
            raise IndexError(f"node out of range: {u}, {v}")
        if not self.frozen:
            self.freeze()
        cdef int64_t d
        if u == v:
            return 0
        if u == 0:
            d = self.ahead[v]
        elif v == 0:
            d = self.back[u]
        else:
            d = self.general_distance(u, v)
        return None if d >= INF else d

    def literal_value(self, int lit):
        if not self.frozen:
            self.freeze()
        cdef int var = lit if lit > 0 else -lit
        cdef int32_t atom = self.var_atom[var] if var < <int>self.var_atom.size() else -1
        if atom < 0:
            raise ValueError(f"literal {lit} is not owned by this theory")
        return self.atom_value[atom] if lit > 0 else -self.atom_value[atom]

    def path_literals(self, int u, int v):
        """The literals (true now) of the active edges of a shortest path u ~> v."""
        if not (0 <= u < self.n and 0 <= v < self.n):
            raise IndexError(f"node out of range: {u}, {v}")
        if u == v:
            return []
        if not self.frozen:
            self.freeze()
        d = self.distance(u, v)
        if d is None:
            raise ValueError(f"no active path from node {u} to node {v}")
        self.stack.clear()
        self.search_path(u, v, d, self.qhead - 1)
        cdef list out = []
        cdef size_t k
        for k in range(self.stack.size()):
            out.append(self.edge_literal(self.stack[k]))
        if self.edge_source[self.stack[0]] != u:  # searches collect some paths backwards
            out.reverse()
        return out

    def potentials(self):
        """A solution of the active edges with x[0] == 0 (valid when consistent): the
        earliest one, x_v = -d(v, 0), at every node that reaches the origin; elsewhere the
        shortest distance from a virtual source joined to those nodes by -d(v, 0) and to the
        others by 0 (a feasible solution that keeps the earliest values, where a node that
        reaches no origin cannot lower one that does: it would reach the origin through it)."""
        if not self.frozen:
            self.freeze()
        cdef int n = self.n, v
        for v in range(n):
            if self.back[v] >= INF:
                break
        else:
            return [-self.back[v] for v in range(n)]
        # Dijkstra from the virtual source over the reduced costs of the potential
        cdef vector[int64_t] value
        value.resize(n)
        cdef priority_queue[Entry] heap
        cdef int32_t x, y, e, p
        cdef int64_t key, candidate
        for v in range(n):
            value[v] = -self.back[v] if self.back[v] < INF else 0
            heap.push(Entry(-(value[v] - self.potential[v]), v))
        while not heap.empty():
            key = -heap.top().first
            x = heap.top().second
            heap.pop()
            if key != value[x] - self.potential[x]:
                continue
            p = self.out_head[x]
            while p >= 0:
                e = self.trail[p]
                y = self.edge_target[e]
                candidate = value[x] + self.edge_weight[e]
                if candidate < value[y]:
                    value[y] = candidate
                    heap.push(Entry(-(candidate - self.potential[y]), y))
                p = self.out_next[p]
        return [value[v] - value[0] for v in range(n)]

    def statistics(self):
        return {
            "dl_assignments": self.n_assignments,
            "dl_activations": self.n_activations,
            "dl_redundant_edges": self.n_redundant,
            "dl_propagations": self.n_propagations,
            "dl_conflicts": self.n_conflicts,
            "dl_explanations": self.n_explanations,
            "dl_explanation_literals": self.n_explanation_literals,
            "dl_bound_updates": self.n_bound_updates,
            "dl_potential_updates": self.n_potential_updates,
            "dl_final_checks": self.n_final_checks,
        }

    # ------------------------------------------------------------------ internals
    cdef void link(self, int32_t edge, int32_t position) except *:
        """Put trail[position] = `edge` at the head of its source's and target's lists."""
        cdef int32_t u = self.edge_source[edge], v = self.edge_target[edge]
        if <int32_t>self.out_next.size() <= position:
            self.out_next.resize(position + 1)
            self.in_next.resize(position + 1)
            self.in_potential.resize(position + 1, 0)
        self.out_next[position] = self.out_head[u]
        self.out_head[u] = position
        self.in_next[position] = self.in_head[v]
        self.in_head[v] = position

    cdef void unlink(self, int32_t edge, int32_t position) except *:
        """Undo link (newest first)."""
        self.out_head[self.edge_source[edge]] = self.out_next[position]
        self.in_head[self.edge_target[edge]] = self.in_next[position]

    cdef void batch_order(self, int32_t begin, int32_t end) except *:
        """self.order = the positions begin..end-1 in the order their potentials are
        repaired. Few edges: trail order. Many (the root's facts, a move that fixes many
        orderings): a topological order of the batch's edges (Kahn), each edge after every
        edge into its source, so that repairing an edge seldom lowers a potential that
        another edge of the batch lowers again: in trail order the 250,000 root edges of a
        100,000-node DAG took 96,000 repairs walking back along the DAG (21 s); in this
        order 0.6 s. Edges on cycles of the batch follow in trail order."""
        cdef int32_t position, edge, x, y, p
        cdef size_t k
        self.order.clear()
        if end - begin < BATCH_ORDER_EDGES:
            for position in range(begin, end):
                self.order.push_back(position)
            return
        cdef vector[int32_t] ready
        for position in range(begin, end):
            self.indegree[self.edge_target[self.trail[position]]] += 1
        for position in range(begin, end):
            x = self.edge_source[self.trail[position]]
            if self.indegree[x] == 0:
                self.indegree[x] = -1       # queued once
                ready.push_back(x)
        k = 0
        while k < ready.size():
            x = ready[k]
            k += 1
            p = self.out_head[x]
            while p >= begin:               # the batch's edges are the newest in each list
                self.order.push_back(p)
                y = self.edge_target[self.trail[p]]
                self.indegree[y] -= 1
                if self.indegree[y] == 0:
                    self.indegree[y] = -1
                    ready.push_back(y)
                p = self.out_next[p]
        if self.order.size() < <size_t>(end - begin):
            # cycles: the edges not placed, in trail order (placed ones are in_potential 2)
            for k in range(self.order.size()):
                self.in_potential[self.order[k]] = 2
            for position in range(begin, end):
                if self.in_potential[position] != 2:
                    self.order.push_back(position)
                self.in_potential[position] = 0
        for position in range(begin, end):
            self.indegree[self.edge_target[self.trail[position]]] = 0
            self.indegree[self.edge_source[self.trail[position]]] = 0

    cdef void update_bounds(self, int32_t begin, int32_t end, list implied) except *:
        """Make back/ahead exact again after the edges trail[begin:end] came in (the others
        were in already): each edge that shortens a distance starts it, and one Dijkstra
        search per direction over the potential's reduced costs lowers every distance that
        drops, each node settled once (key d(0, x) - pi[x] forward, d(x, 0) + pi[x]
        backward). Every lowered bound tests its candidates; every new edge its parallel
        ones."""
        cdef priority_queue[Entry] heap
        cdef int64_t* pi = self.potential.data()
        cdef int32_t position, edge, u, v, x, y, e, p
        cdef int64_t w, key, candidate, before
        # forward: d(0, v)
        for position in range(begin, end):
            edge = self.trail[position]
            u = self.edge_source[edge]
            v = self.edge_target[edge]
            w = self.edge_weight[edge]
            if self.ahead[u] < INF and self.ahead[u] + w < self.ahead[v]:
                before = self.ahead[v]
                self.set_bound(2 * v + 1, self.ahead[u] + w, edge)
                self.ahead_implied(v, before, implied)
                heap.push(Entry(-(self.ahead[v] - pi[v]), v))
            else:
                self.n_redundant += 1
        while not heap.empty():
            key = -heap.top().first
            x = heap.top().second
            heap.pop()
            if key != self.ahead[x] - pi[x]:
                continue
            p = self.out_head[x]
            while p >= 0:
                e = self.trail[p]
                y = self.edge_target[e]
                candidate = self.ahead[x] + self.edge_weight[e]
                if candidate < self.ahead[y]:
                    before = self.ahead[y]
                    self.set_bound(2 * y + 1, candidate, e)
                    self.ahead_implied(y, before, implied)
                    heap.push(Entry(-(candidate - pi[y]), y))
                p = self.out_next[p]
        # backward: d(u, 0)
        for position in range(begin, end):
            edge = self.trail[position]
            u = self.edge_source[edge]
            v = self.edge_target[edge]
            w = self.edge_weight[edge]
            if self.back[v] < INF and w + self.back[v] < self.back[u]:
                before = self.back[u]
                self.set_bound(2 * u, w + self.back[v], edge)
                self.back_implied(u, before, implied)
                heap.push(Entry(-(self.back[u] + pi[u]), u))
        while not heap.empty():
            key = -heap.top().first
            x = heap.top().second
            heap.pop()
            if key != self.back[x] + pi[x]:
                continue
            p = self.in_head[x]
            while p >= 0:
                e = self.trail[p]
                y = self.edge_source[e]
                candidate = self.edge_weight[e] + self.back[x]
                if candidate < self.back[y]:
                    before = self.back[y]
                    self.set_bound(2 * y, candidate, e)
                    self.back_implied(y, before, implied)
                    heap.push(Entry(-(candidate + pi[y]), y))
                p = self.in_next[p]
        # parallel candidates: edges u -> v of weight >= w beside each new edge
        for position in range(begin, end):
            edge = self.trail[position]
            if self.edge_source[edge] != 0 and self.edge_target[edge] != 0:
                self.parallel_implied(edge, implied)

    cdef void parallel_implied(self, int32_t edge, list implied) except *:
        cdef int32_t u = self.edge_source[edge], v = self.edge_target[edge]
        # the first entry with (target, weight) >= (v, w), found at freeze (no search: this
        # runs for every activated edge, and most edges of a sparse graph have no parallel)
        cdef int32_t low = self.parallel_first[edge], e
        cdef int32_t* edges = self.out_edges.data()
        if low < 0:
            return
        while low < self.out_start[u + 1]:
            e = edges[low]
            if self.edge_target[e] != v:
                break
            if e != edge:
                self.imply(e, edge, 0, implied)
            low += 1

    cdef bint repair_potential(self, int32_t edge) except -1:
        """Cotton and Maler's update for a new edge u -> v: lower the potentials that
        violate it, by Dijkstra over the reduced costs (delta[x] < 0: how far pi[x] drops).
        False with conflict_clause set when the drop reaches u: a negative cycle."""
        cdef int32_t u = self.edge_source[edge], v = self.edge_target[edge]
        cdef int64_t w = self.edge_weight[edge]
        cdef int64_t* pi = self.potential.data()
        if pi[u] + w >= pi[v]:
            return True
        self.n_potential_updates += 1
        cdef int64_t* delta = self.delta.data()
        cdef priority_queue[Entry] heap
        cdef int32_t x, y, e, p
        cdef int64_t key, drop
        cdef bint cycle = False
        self.touched.clear()
        delta[v] = pi[u] + w - pi[v]
        self.predecessor[v] = edge
        self.touched.push_back(v)
        heap.push(Entry(-delta[v], v))
        while not heap.empty() and not cycle:
            key = -heap.top().first
            x = heap.top().second
            heap.pop()
            if key != delta[x]:
                continue  # stale
            p = self.out_head[x]
            while p >= 0:
                if p >= self.batch_begin and not self.in_potential[p]:
                    p = self.out_next[p]    # an edge of this batch not in the potential yet
                    continue
                e = self.trail[p]
                y = self.edge_target[e]
                drop = pi[x] + delta[x] + self.edge_weight[e] - pi[y]
                if drop < delta[y]:
                    if delta[y] == 0:
                        self.touched.push_back(y)
                    delta[y] = drop
                    self.predecessor[y] = e
                    if y == u:
                        cycle = True
                        break
                    heap.push(Entry(-drop, y))
                p = self.out_next[p]
        if cycle:
            # the cycle: u's predecessors back to v, whose predecessor is the new edge
            clause = []
            y = u
            while True:
                e = self.predecessor[y]
                clause.append(-self.edge_literal(e))
                if e == edge:
                    break
                y = self.edge_source[e]
            clause.reverse()
            self.conflict_clause = clause
            for x in self.touched:
                delta[x] = 0
            return False
        for x in self.touched:
            pi[x] += delta[x]
            delta[x] = 0
        return True

    cdef void set_bound(self, int32_t slot, int64_t value, int32_t edge):
        """Lower a bound (slot: 2 * node for back, 2 * node + 1 for ahead), logging the old
        one at an open level."""
        cdef BoundRecord record
        cdef int32_t node = slot >> 1
        if self.scopes.size() > 0:
            record.slot = slot
            if slot & 1:
                record.value = self.ahead[node]
                record.via = self.ahead_via[node]
            else:
                record.value = self.back[node]
                record.via = self.back_via[node]
            self.bound_undo.push_back(record)
        if slot & 1:
            self.ahead[node] = value
            self.ahead_via[node] = edge
        else:
            self.back[node] = value
            self.back_via[node] = edge
        self.n_bound_updates += 1

    cdef void ahead_implied(self, int32_t node, int64_t before, list implied) except *:
        """d(0, node) dropped from `before`: the bound literals 0 -> node of weight in
        [d(0, node), before), and the edges a -> node with d(a, 0) + d(0, node) <= weight."""
        cdef int64_t now = self.ahead[node]
        cdef int32_t low = self.from_origin_start[node], high = self.from_origin_start[node + 1]
        cdef int32_t middle, end = high, k, e, a
        cdef int64_t out
        while low < high:
            middle = (low + high) >> 1
            if self.from_origin_weight[middle] < now:
                low = middle + 1
            else:
                high = middle
        while low < end and self.from_origin_weight[low] < before:
            self.imply(self.from_origin_edges[low], -1, 0, implied)
            low += 1
        for k in range(self.into_start[node], self.into_start[node + 1]):
            e = self.into_edges[k]
            a = self.edge_source[e]
            out = self.back[a]
            if out < INF and out + now <= self.edge_weight[e]:
                self.imply(e, -1, out, implied)

    cdef void back_implied(self, int32_t node, int64_t before, list implied) except *:
        """d(node, 0) dropped from `before`: the bound literals node -> 0 of weight in
        [d(node, 0), before), and the edges node -> b with d(node, 0) + d(0, b) <= weight."""
        cdef int64_t now = self.back[node]
        cdef int32_t low = self.to_origin_start[node], high = self.to_origin_start[node + 1]
        cdef int32_t middle, end = high, k, e, b
        cdef int64_t later
        while low < high:
            middle = (low + high) >> 1
            if self.to_origin_weight[middle] < now:
                low = middle + 1
            else:
                high = middle
        while low < end and self.to_origin_weight[low] < before:
            self.imply(self.to_origin_edges[low], -1, 0, implied)
            low += 1
        for k in range(self.out_start[node], self.out_start[node + 1]):
            e = self.out_edges[k]
            b = self.edge_target[e]
            later = self.ahead[b]
            if later < INF and now + later <= self.edge_weight[e]:
                self.imply(e, -1, now, implied)

    cdef inline void imply(self, int32_t edge, int32_t parallel, int64_t split,
                           list implied) except *:
        """Propagate the atom of an implied edge (unless assigned or propagated already),
        remembering its reason: the parallel edge, or the split d(a, 0) of the path a ~> 0 ~> b."""
        cdef int32_t atom = edge >> 1
        if self.atom_value[atom] != 0 or self.atom_implied[atom]:
            return
        self.atom_implied[atom] = 1
        self.implied_atoms.push_back(atom)
        self.reason_position[atom] = self.qhead - 1   # the last edge in (update_bounds)
        self.reason_edge[atom] = parallel
        self.reason_back[atom] = split
        implied.append(self.edge_literal(edge))

    cdef void search_path(self, int32_t source, int32_t target, int64_t bound,
                          int32_t limit) except *:
        """Append to self.stack the edges of a shortest path source ~> target among the
        active edges at trail positions <= limit; its weight must be <= bound.

        To the origin: A* forward with the heuristic d(x, 0) (back: exact for the active
        edges, a superset, so every reduced cost is >= 0); from the origin: A* backward with
        d(0, x) (ahead). Other pairs: Dijkstra over the potential's reduced costs."""
        if source == target:
            return
        if source != 0 and target != 0:
            self.general_path(source, target, limit)
            return
        cdef bint forward = target == 0
        cdef int64_t* h = self.back.data() if forward else self.ahead.data()
        cdef int32_t start = source if forward else target
        cdef int32_t goal = target if forward else source
        cdef priority_queue[Entry] frontier
        cdef int64_t key, candidate, total = 0
        cdef int32_t x, y, e, p
        cdef size_t begin = self.stack.size()
        if h[start] >= INF:
            raise RuntimeError("difference logic: no explanation path "
                               f"({source} -> {target}, bound {bound})")
        self.label[start] = 0
        self.touched.clear()
        self.touched.push_back(start)
        frontier.push(Entry(0, start))
        while not frontier.empty():
            key = -frontier.top().first
            x = frontier.top().second
            frontier.pop()
            if key > self.label[x]:
                continue
            if x == goal:
                break
            p = self.out_head[x] if forward else self.in_head[x]
            while p > limit:
                p = self.out_next[p] if forward else self.in_next[p]
            while p >= 0:
                e = self.trail[p]
                y = self.edge_target[e] if forward else self.edge_source[e]
                if h[y] < INF:
                    candidate = key + self.edge_weight[e] + h[y] - h[x]
                    if candidate < self.label[y]:
                        if self.label[y] == INF:
                            self.touched.push_back(y)
                        self.label[y] = candidate
                        self.predecessor[y] = e
                        frontier.push(Entry(-candidate, y))
                p = self.out_next[p] if forward else self.in_next[p]
        cdef bint reached = self.label[goal] != INF
        y = goal
        while reached and y != start:
            e = self.predecessor[y]
            self.stack.push_back(e)
            total += self.edge_weight[e]
            y = self.edge_source[e] if forward else self.edge_target[e]
        for x in self.touched:
            self.label[x] = INF
        self.touched.clear()
        if not reached or total > bound:
            self.stack.resize(begin)
            raise RuntimeError("difference logic: no explanation path within the bound "
                               f"({source} -> {target}, bound {bound})")

    cdef void general_path(self, int32_t source, int32_t target, int32_t limit) except *:
        """Append to self.stack a shortest path source ~> target among the active edges at
        trail positions <= limit (Dijkstra over the potential's reduced costs); RuntimeError
        if there is none."""
        cdef int64_t* pi = self.potential.data()
        cdef priority_queue[Entry] frontier
        cdef int64_t key, candidate
        cdef int32_t x, y, e, p
        self.label[source] = 0
        self.touched.clear()
        self.touched.push_back(source)
        frontier.push(Entry(0, source))
        while not frontier.empty():
            key = -frontier.top().first
            x = frontier.top().second
            frontier.pop()
            if key > self.label[x]:
                continue
            if x == target:
                break
            p = self.out_head[x]
            while p > limit:
                p = self.out_next[p]
            while p >= 0:
                e = self.trail[p]
                y = self.edge_target[e]
                candidate = key + self.edge_weight[e] + pi[x] - pi[y]
                if candidate < self.label[y]:
                    if self.label[y] == INF:
                        self.touched.push_back(y)
                    self.label[y] = candidate
                    self.predecessor[y] = e
                    frontier.push(Entry(-candidate, y))
                p = self.out_next[p]
        cdef bint reached = self.label[target] != INF
        y = target
        while reached and y != source:
            e = self.predecessor[y]
            self.stack.push_back(e)
            y = self.edge_source[e]
        for x in self.touched:
            self.label[x] = INF
        self.touched.clear()
        if not reached:
            raise RuntimeError(f"difference logic: no path {source} -> {target}")

    cdef int64_t general_distance(self, int32_t source, int32_t target) except? -1:
        """d(source, target) over the active edges (INF: none), by general_path."""
        cdef size_t begin = self.stack.size()
        cdef int64_t total = 0
        cdef size_t k
        try:
            self.general_path(source, target, self.qhead - 1)
        except RuntimeError:
            return INF
        for k in range(begin, self.stack.size()):
            total += self.edge_weight[self.stack[k]]
        self.stack.resize(begin)
        return total

    cdef void store_path(self, int32_t source, int32_t target) except *:
        """Append to self.stack the path that gives the bound now: along the edges that last
        lowered d(source, 0) (target 0) or d(0, target) (source 0); other pairs are searched."""
        cdef int32_t x, e
        cdef size_t begin = self.stack.size()
        if source == target:
            return
        if target == 0:
            x = source
            while x != 0:
                e = self.back_via[x]
                if e < 0 or self.stack.size() - begin > <size_t>self.n:
                    raise RuntimeError(f"difference logic: no stored path {source} -> 0")
                self.stack.push_back(e)
                x = self.edge_target[e]
        elif source == 0:
            x = target
            while x != 0:
                e = self.ahead_via[x]
                if e < 0 or self.stack.size() - begin > <size_t>self.n:
                    raise RuntimeError(f"difference logic: no stored path 0 -> {target}")
                self.stack.push_back(e)
                x = self.edge_source[e]
        else:
            self.general_path(source, target, self.qhead - 1)
