# The contract parts every compiled global-constraint theory shares (see global_theory.pyx).
from libc.stdint cimport int32_t
from libcpp.vector cimport vector

from smtsched.theories.difference cimport DifferenceLogic


cdef class GlobalTheory:
    cdef DifferenceLogic graph
    cdef int levels
    cdef bint cache_valid               # the last check's bounds are still the graph's
    cdef list conflict_clause
    cdef readonly bint propagates_foreign  # the contract's flag (smtsched/theory.py)
    # Literals this theory propagated (of variables another theory owns), with the record of
    # their reason. Keyed by the literal, not its variable: if the difference theory offered
    # the opposite literal in the same round, CaDiCaL took that one, and this theory must not
    # be asked for (nor claim) a reason of it.
    cdef dict reason_of
    cdef vector[int32_t] propagated_vars  # the propagated literals, in order, with their levels
    cdef vector[int32_t] propagated_level

    cdef void undone(self, int level) except *
    cdef void offered(self, int literal, int record) except *
    cdef bint offered_already(self, int literal, int value)
    cdef bint implied_by_graph(self, int literal)
    cdef size_t records_kept(self, vector[int32_t]& record_level, int level)
