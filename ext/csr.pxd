# Adjacency arrays in compressed sparse row form (CSR): the entries of slot s are
# items[start[s]:start[s + 1]]. Built in two passes: count each entry at start[s + 1], turn
# the counts into starts (counts_to_starts), then place each entry at a moving fill pointer
# that begins as a copy of start. The difference theory indexes its candidate edges per matrix
# cell and per node this way, the pseudo-Boolean theory its occurrences per literal.
from libc.stdint cimport int32_t
from libcpp.vector cimport vector


cdef inline void counts_to_starts(vector[int32_t]& start) noexcept nogil:
    """start[s + 1] holds the number of entries of slot s (start[0] == 0): make each start[s]
    the index of slot s's first entry (prefix sums in place)."""
    cdef size_t s
    for s in range(1, start.size()):
        start[s] += start[s - 1]
