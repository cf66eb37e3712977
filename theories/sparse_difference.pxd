# Difference logic over integers for large, sparse graphs: the typed interface of
# theories/sparse_difference.pyx. Memory grows with nodes + edges + trail (no n*n matrix).
#
# The graph (nodes, edges, atoms, trail, bound pointers) is TimeGraph's (time_graph.pxd).
from libc.stdint cimport int8_t, int32_t, int64_t
from libcpp.vector cimport vector

from smtsched.theories.time_graph cimport TimeGraph
from smtsched.ext.scope cimport Scope


# One undo record: a bound of a node before a change at an open level.
cdef struct BoundRecord:
    int64_t value
    int32_t slot       # 2 * node (back: distance node ~> 0) or 2 * node + 1 (ahead: 0 ~> node)
    int32_t via        # the edge that gave the old value, or -1


cdef class SparseDifferenceLogic(TimeGraph):
    # Exact distances to and from the origin over trail[:qhead] (INF: no path), with the
    # edge that last lowered each (its source is the node for `back`, its target for
    # `ahead`): the shortest-path trees to and from the origin.
    cdef vector[int64_t] back           # d(node, 0): est = -back
    cdef vector[int64_t] ahead          # d(0, node): lst = ahead
    cdef vector[int32_t] back_via
    cdef vector[int32_t] ahead_via
    cdef vector[BoundRecord] bound_undo
    # A feasible potential of the active edges (pi[v] - pi[u] <= w for every active u -> v),
    # kept by Cotton and Maler's update; removing edges keeps it feasible: no undo.
    cdef vector[int64_t] potential
    # Active edges per node as linked lists over trail positions, newest first: out of the
    # node (by source) and into it (by target).
    cdef vector[int32_t] out_head
    cdef vector[int32_t] out_next
    cdef vector[int32_t] in_head
    cdef vector[int32_t] in_next
    # Candidate edges for theory propagation (CSR per node): from the origin into the node
    # and from the node to the origin, each by increasing weight (the bound literals); the
    # others by source (sorted by target, then weight: parallel edges are one block) and by
    # target.
    cdef vector[int32_t] from_origin_start
    cdef vector[int32_t] from_origin_edges
    cdef vector[int64_t] from_origin_weight
    cdef vector[int32_t] to_origin_start
    cdef vector[int32_t] to_origin_edges
    cdef vector[int64_t] to_origin_weight
    cdef vector[int32_t] out_start
    cdef vector[int32_t] out_edges
    cdef vector[int32_t] into_start
    cdef vector[int32_t] into_edges
    # Per edge u -> v (neither the origin): the index in out_edges of the first edge u -> v
    # of weight >= its own (the start of its parallel candidates), or -1 when it has no
    # parallel edge at all (so parallel_implied needs no search).
    cdef vector[int32_t] parallel_first
    cdef bint frozen
    cdef list pending                   # literals implied when atoms came in at level 0
    cdef int64_t weight_sum
    cdef vector[int8_t] atom_fixed
    cdef vector[int32_t] reason_position  # per implied atom: the trail position being activated
    cdef vector[int32_t] reason_edge      # per implied atom: the one parallel edge, or -1
    cdef vector[int64_t] reason_back      # per implied atom (via the origin): d(a, 0) then
    cdef vector[int32_t] implied_atoms
    cdef vector[Scope] scopes
    # Scratch space: searches (label, predecessor, touched) and the potential update.
    cdef vector[int64_t] label
    cdef vector[int32_t] predecessor
    cdef vector[int32_t] touched
    cdef vector[int64_t] delta
    # The batch of one propagate: positions >= batch_begin whose edge is linked but not yet
    # in the potential are skipped by the repair (in_potential per trail position), and the
    # order of the repairs (batch_order: a topological order of a large batch).
    cdef int32_t batch_begin
    cdef vector[int8_t] in_potential
    cdef vector[int32_t] indegree
    cdef vector[int32_t] order
    cdef bint inconsistent
    cdef list conflict_clause
    cdef int64_t n_assignments, n_activations, n_redundant, n_propagations, n_conflicts
    cdef int64_t n_explanations, n_explanation_literals, n_bound_updates, n_final_checks
    cdef int64_t n_potential_updates

    cdef void freeze(self) except *
    cdef void link(self, int32_t edge, int32_t position) except *
    cdef void unlink(self, int32_t edge, int32_t position) except *
    cdef void batch_order(self, int32_t begin, int32_t end) except *
    cdef void update_bounds(self, int32_t begin, int32_t end, list implied) except *
    cdef bint repair_potential(self, int32_t edge) except -1
    cdef void parallel_implied(self, int32_t edge, list implied) except *
    cdef void set_bound(self, int32_t slot, int64_t value, int32_t edge)
    cdef void ahead_implied(self, int32_t node, int64_t before, list implied) except *
    cdef void back_implied(self, int32_t node, int64_t before, list implied) except *
    cdef void imply(self, int32_t edge, int32_t parallel, int64_t split, list implied) except *
    cdef void general_path(self, int32_t source, int32_t target, int32_t limit) except *
    cdef int64_t general_distance(self, int32_t source, int32_t target) except? -1
