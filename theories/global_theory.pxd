# The contract parts every compiled global-constraint theory shares (see global_theory.pyx).
from smtsched.theories.difference cimport DifferenceLogic


cdef class GlobalTheory:
    cdef DifferenceLogic graph
    cdef int levels
    cdef bint cache_valid               # the last check's bounds are still the graph's
    cdef list conflict_clause

    cdef void undone(self, int level) except *
