# The time bounds of a node, read from a difference theory's bound arrays (time_graph.pxd).
#
# back[k * stride] is the distance k ~> 0 (x_0 - x_k <= it, so est_k = -back[k * stride]) and
# ahead[k] the distance 0 ~> k (lst_k); INF means no path (unbounded). The dense theory's
# matrix gives both (column 0 with stride n, row 0), the sparse theory two arrays (stride 1).
# The disjunctive, cumulative and cost theories read their tasks' windows this way, O(1) per
# task, with no Python object on the way. One INF for every theory.
from libc.stdint cimport int32_t, int64_t

cdef extern from *:
    """
    #define SMTSCHED_INF (((int64_t)1) << 62)
    """
    # "no path": above every path weight (the difference theory refuses atoms whose
    # weights could sum to 2**61) and still safe to add to one without wrapping
    const int64_t INF "SMTSCHED_INF"


cdef inline bint read_earliest(const int64_t* back, size_t stride, int32_t node,
                               int64_t* est) noexcept nogil:
    """est[0] = the earliest start of `node`; False (est untouched) if unbounded below."""
    cdef int64_t distance = back[<size_t>node * stride]     # x_0 - x_node <= distance
    if distance >= INF:
        return False
    est[0] = -distance
    return True


cdef inline bint read_window(const int64_t* back, size_t stride, const int64_t* ahead,
                             int32_t node, int64_t* est, int64_t* lst) noexcept nogil:
    """est[0], lst[0] = the earliest and latest start of `node`; False (both untouched) if
    either side is unbounded."""
    cdef int64_t distance = back[<size_t>node * stride]     # x_0 - x_node <= distance
    cdef int64_t later = ahead[node]                        # x_node - x_0 <= later
    if distance >= INF or later >= INF:
        return False
    est[0] = -distance
    lst[0] = later
    return True
