# The time bounds of a node, read from the compiled difference theory's matrix.
#
# dist (row-major, `width` nodes) holds path weights with row and column 0 exact
# (theories/difference.pyx): dist[k, 0] bounds x_0 - x_k, so est_k = -dist[k, 0], and dist[0, k]
# bounds x_k - x_0, so lst_k = dist[0, k]; INF means no path (unbounded). The disjunctive,
# cumulative and cost theories read their tasks' windows this way, O(1) per task, with no
# Python object on the way. One INF for every theory: the global theories compare the
# graph's own cells against it.
from libc.stdint cimport int32_t, int64_t

cdef extern from *:
    """
    #define SMTSCHED_INF (((int64_t)1) << 62)
    """
    # "no path": above every path weight (the difference theory refuses atoms whose
    # weights could sum to 2**61) and still safe to add to one without wrapping
    const int64_t INF "SMTSCHED_INF"


cdef inline bint read_earliest(const int64_t* dist, size_t width, int32_t node,
                               int64_t* est) noexcept nogil:
    """est[0] = the earliest start of `node`; False (est untouched) if unbounded below."""
    cdef int64_t back = dist[<size_t>node * width]     # x_0 - x_node <= back
    if back >= INF:
        return False
    est[0] = -back
    return True


cdef inline bint read_window(const int64_t* dist, size_t width, int32_t node,
                             int64_t* est, int64_t* lst) noexcept nogil:
    """est[0], lst[0] = the earliest and latest start of `node`; False (both untouched) if
    either side is unbounded."""
    cdef int64_t back = dist[<size_t>node * width]     # x_0 - x_node <= back
    cdef int64_t ahead = dist[node]                    # x_node - x_0 <= ahead
    if back >= INF or ahead >= INF:
        return False
    est[0] = -back
    lst[0] = ahead
    return True
