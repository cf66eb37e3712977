# The time graph the global theories read: what the dense difference theory (difference.pyx)
# and the sparse one (sparse_difference.pyx) both give them. See time_graph.pyx.
#
# Nodes 0..n-1 (node 0 is the origin `zero`); an edge u -> v of weight w stands for
# x_v - x_u <= w. Every atom (a SAT variable) owns two complementary edges: edge 2a is active
# when the atom is true, edge 2a+1 when it is false. The active edges are trail[:qhead], in
# activation order; a reason "due at trail position p" may use trail[:p + 1] only.
from libc.stdint cimport int8_t, int32_t, int64_t
from libcpp.vector cimport vector

from smtsched.ext.bounds cimport INF, read_earliest, read_window
from smtsched.ext.contract cimport CompiledTheory


cdef class TimeGraph(CompiledTheory):
    cdef int n                          # number of nodes
    # The exact bounds of every node over trail[:qhead] (INF: unbounded), set by the subclass
    # once it has allocated them: back_bounds[node * back_stride] = d(node, 0) (so
    # est = -that) and ahead_bounds[node] = d(0, node) (lst). The dense theory points both
    # into its matrix (column 0 is strided, row 0 contiguous), the sparse one at two arrays.
    # NULL until then (no bounds yet: every read says unbounded).
    cdef const int64_t* back_bounds
    cdef size_t back_stride
    cdef const int64_t* ahead_bounds
    # The edge table: two edges per atom (2a: atom true, 2a+1: atom false).
    cdef vector[int32_t] edge_source
    cdef vector[int32_t] edge_target
    cdef vector[int64_t] edge_weight
    cdef vector[int32_t] atom_var       # atom index -> SAT variable
    cdef vector[int32_t] var_atom       # SAT variable -> atom index, -1 when not ours
    # Assignment state per atom.
    cdef vector[int8_t] atom_value      # 0 unassigned, 1 true, -1 false
    cdef vector[int8_t] atom_implied    # returned by propagate() at a level still open
    cdef vector[int32_t] atom_position  # per assigned atom: its edge's trail position
    cdef vector[int32_t] trail          # activated (or queued) edges, in assignment order
    cdef int qhead                      # trail[:qhead] is active (in the bounds)
    cdef vector[int32_t] stack          # the edges a path query found (search/store_path)

    # Path explanations, into self.stack (the subclass's): a path source ~> target of weight
    # <= bound over trail[:limit + 1] (search_path), or the current one that gives the
    # distance, at least when source or target is the origin (store_path).
    cdef void search_path(self, int32_t source, int32_t target, int64_t bound,
                          int32_t limit) except *
    cdef void store_path(self, int32_t source, int32_t target) except *

    cdef inline int edge_literal(self, int32_t edge) noexcept:
        """The literal that activates `edge`."""
        cdef int var = self.atom_var[edge >> 1]
        return var if (edge & 1) == 0 else -var

    # Inline bound reads (compiled into each global theory: they run per task and check).
    cdef inline bint window(self, int32_t node, int64_t* est, int64_t* lst) noexcept nogil:
        """est[0], lst[0] = the earliest and latest start of `node`; False (both untouched)
        if either side is unbounded."""
        if self.ahead_bounds == NULL:
            return False
        return read_window(self.back_bounds, self.back_stride, self.ahead_bounds, node, est, lst)

    cdef inline bint earliest(self, int32_t node, int64_t* est) noexcept nogil:
        """est[0] = the earliest start of `node`; False (est untouched) if unbounded below."""
        if self.back_bounds == NULL:
            return False
        return read_earliest(self.back_bounds, self.back_stride, node, est)
