# Decision levels as a stack of scopes, and the per-level marks undone with them.
#
# A scope is the sizes of a theory's undo stacks when its level opened, as one struct (z3's
# `diff_logic.h` keeps a scope as a struct of three limits: edges, enabled edges, timestamp);
# backtracking to level l cuts every stack back to scopes[l] and drops the scopes above. The
# difference and pseudo-Boolean theories used to keep the same sizes in a flat int array of 4
# and 3 entries per level.
from libc.stdint cimport int8_t, int32_t
from libcpp.vector cimport vector


cdef struct Scope:
    int32_t trail       # assignments (edges, literals) queued when the level opened
    int32_t undo        # entries of the theory's own undo log (0 when it has none)
    int32_t implied     # propagated entries still marked (see clear_marks)
    int32_t queue       # queue head: trail[:queue] had been processed


ctypedef fused mark_t:
    int8_t
    int32_t


cdef inline void clear_marks(mark_t* marks, vector[int32_t]& marked, size_t size) noexcept nogil:
    """Unmark, newest first, what was marked since `marked` held `size` entries: `marks[x]`
    is nonzero exactly for the x on the stack `marked` (a literal propagated at a level still
    open, as CaDiCaL's per-variable flags are cleared from its trail, not by a sweep)."""
    while marked.size() > size:
        marks[marked.back()] = 0
        marked.pop_back()
