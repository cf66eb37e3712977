# The contract parts every compiled global-constraint theory shares (see global_theory.pyx).
from libc.stdint cimport int32_t, int64_t
from libcpp.vector cimport vector

from smtsched.ext.contract cimport CompiledTheory
from smtsched.theories.time_graph cimport TimeGraph


cdef class GlobalTheory(CompiledTheory):
    cdef TimeGraph graph
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
    # Witness records for certificates (see global_theory.pyx, conflict/last_witness)
    cdef public bint record_witnesses
    cdef object conflict_witness         # (the conflict clause, its (rule, witness))
    cdef object given_witness            # of the clause last returned by conflict/explain

    cdef void undone(self, int level) except *
    cdef void witness_conflict(self, object witness)
    cdef void offered(self, int literal, int record) except *
    cdef bint offered_already(self, int literal, int value)
    cdef bint implied_by_graph(self, int literal)
    cdef size_t records_kept(self, vector[int32_t]& record_level, int level)
    cdef void path_reason(self, int32_t source, int32_t target, int64_t bound, int32_t limit,
                          set literals) except *

    # Inline (its body is compiled into each theory that cimports this): it runs per
    # ordering literal in the disjunctive and cumulative checks, where a call through the
    # class's method table would cost more than the lookup itself.
    cdef inline int graph_value(self, int32_t literal) noexcept:
        """The graph's value of a literal: 1 true, -1 false, 0 unassigned. Literal 0 (no
        atom: the front end left out a pair the precedences already order) is true; a literal
        the graph does not own is false (the compiler's constant for two tasks on one start
        variable, "x - x >= p" with p > 0)."""
        if literal == 0:
            return 1
        cdef int32_t var = literal if literal > 0 else -literal
        cdef int32_t atom = (self.graph.var_atom[var]
                             if var < <int32_t>self.graph.var_atom.size() else -1)
        if atom < 0:
            return -1
        cdef int value = self.graph.atom_value[atom]
        return value if literal > 0 else -value
