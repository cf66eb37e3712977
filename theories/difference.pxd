# Difference logic over integers: the typed interface of theories/difference.pyx.
#
# The graph (nodes, edges, atoms: see time_graph.pxd). `dist` holds, row-major, a path weight per node
# pair (INF where none) such that the shortest distance is min(dist[i, j], dist[i, 0] +
# dist[0, j]); its row and column 0 (the bounds) are exact. See difference.pyx.
from libc.stdint cimport int8_t, int32_t, int64_t
from libcpp.vector cimport vector

from smtsched.theories.time_graph cimport TimeGraph
from smtsched.ext.scope cimport Scope


# One undo record: a matrix row saved before its first change at a level (copy-on-write).
cdef struct RowRecord:
    int32_t row
    int32_t previous_level   # row_saved_level[row] before this save


# One undo record for a single cell (graphs too large to copy whole rows per level).
cdef struct CellRecord:
    int64_t distance
    int32_t cell
    int32_t via


# The edge table, the atom tables, the trail and the bound pointers are TimeGraph's
# (time_graph.pxd): the global theories read them through it.
cdef class DifferenceLogic(TimeGraph):
    cdef vector[int64_t] dist           # n*n path weights (see above); INF = none
    cdef vector[int32_t] via            # n*n: the edge through which dist[i, j] last improved
    # Candidate edges per matrix cell (CSR over the n*n cells), for theory propagation.
    cdef vector[int32_t] cell_start
    cdef vector[int32_t] cell_edges
    cdef vector[int64_t] cell_weight    # edge_weight in cell_edges order
    # Candidate edges between two nodes other than the origin, by target and by source (CSR):
    # when a bound of a node tightens, the edges whose origin path shortened (see activate).
    cdef vector[int32_t] into_start
    cdef vector[int32_t] into_edges
    cdef vector[int32_t] out_start
    cdef vector[int32_t] out_edges
    cdef bint frozen                    # the index below covers every atom added
    cdef list pending                   # literals implied when atoms came in at level 0
    cdef int64_t weight_sum             # sum of |w| over atoms: bounds every simple path
    # Assignment state per atom.
    cdef vector[int8_t] atom_fixed      # root-level assignment: survives every backtrack
    cdef vector[int32_t] reason_position  # per implied atom: trail position being activated
    # Active edges per source node as linked lists over trail positions, newest first.
    cdef vector[int32_t] adjacency_head   # per node: newest trail position, or -1
    cdef vector[int32_t] adjacency_next   # per trail position: the next older one, or -1
    # Scratch space for explain()'s path search.
    cdef vector[int64_t] label
    cdef vector[int32_t] predecessor
    cdef vector[int32_t] touched
    # Trails, truncated on backtrack to the sizes saved when each level opened.
    cdef bint copy_rows                 # undo by whole rows (small graphs) or by cells
    cdef vector[CellRecord] cell_undo   # cells changed, in change order (when not copy_rows)
    cdef vector[RowRecord] row_undo     # rows saved, in save order; contents in the buffers
    cdef vector[int64_t] saved_dist     # n entries per RowRecord
    cdef vector[int32_t] saved_via
    cdef vector[int32_t] row_saved_level  # per row: the open level whose save holds it, or 0
    cdef vector[int32_t] implied_atoms  # atoms with atom_implied set, in order
    cdef vector[Scope] scopes           # per open level: trail, rows or cells, implied, qhead
    # Scratch space for one activation.
    cdef vector[int32_t] rows
    cdef vector[int32_t] columns
    cdef vector[int64_t] column_distance  # dist[v, j] for the changed columns j
    cdef bint inconsistent
    cdef list conflict_clause
    # Counters (statistics()).
    cdef int64_t n_assignments, n_activations, n_redundant, n_propagations, n_conflicts
    cdef int64_t n_explanations, n_explanation_literals, n_cell_updates, n_final_checks

    cdef void freeze(self) except *
    cdef int64_t shortest(self, int32_t i, int32_t j) nogil
    cdef void bound_implied(self, int32_t node, list implied) except *
    cdef void imply(self, int32_t edge, list implied) except *
    cdef bint activate(self, int32_t edge, list implied) except -1
    cdef void save_row(self, int32_t row, int level)
