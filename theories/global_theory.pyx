# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# distutils: language = c++
"""What every compiled global-constraint theory shares (the compiled counterpart of
global_ref.py): it reads the difference-logic graph, owns no variables unless it says so,
follows the decision levels, and forgets its cached check when a level is undone. Subclasses
add their own undo in `undone`."""
from libc.stdint cimport int32_t, int64_t
from libcpp.vector cimport vector

from smtsched.ext.contract cimport CompiledTheory
from smtsched.theories.time_graph cimport TimeGraph


cdef class GlobalTheory(CompiledTheory):
    # The contract's optional parts (offers_fresh, statistics, literal_value, distance,
    # path_literals, add_atom): CompiledTheory's defaults (ext/contract.pyx), registered with
    # smtsched.theory.Theory. propagates_foreign is decided per instance (readonly attribute).

    def __init__(self, TimeGraph graph):
        self.graph = graph
        self.propagates_foreign = False
        self.levels = 0
        self.cache_valid = False
        self.conflict_clause = []
        self.reason_of = {}
        # witness records (the contract of global_ref.py): off unless a proof is logged
        self.record_witnesses = False
        self.conflict_witness = None
        self.given_witness = None

    def observed(self):
        return []

    def level(self):
        return self.levels

    def assign(self, lit, fixed):  # pragma: no cover - owns nothing
        raise AssertionError(f"{type(self).__name__} owns no variables")

    def new_level(self):
        self.levels += 1

    def backtrack(self, int level):
        if level >= self.levels:
            return
        self.levels = level
        self.cache_valid = False
        # literals propagated above `level` are unassigned again: forget their reasons
        cdef size_t keep = self.propagated_vars.size()
        while keep > 0 and self.propagated_level[keep - 1] > level:
            keep -= 1
            del self.reason_of[self.propagated_vars[keep]]
        self.propagated_vars.resize(keep)
        self.propagated_level.resize(keep)
        self.undone(level)

    cdef void undone(self, int level) except *:
        """Hook: the levels above `level` were undone (their reasons are forgotten already)."""

    cdef void offered(self, int literal, int record) except *:
        """`literal` goes to the solver now, its reason in `record` (the subclass's)."""
        self.reason_of[literal] = record
        self.propagated_vars.push_back(literal)
        self.propagated_level.push_back(self.levels)

    cdef bint offered_already(self, int literal, int value):
        """Whether a graph literal of value `value` needs no offer: true already, or offered
        by this theory and still pending."""
        return value == 1 or (value == 0 and literal in self.reason_of)

    cdef bint implied_by_graph(self, int literal):
        """Whether the graph implied the variable of `literal` at a level still open (in this
        round too: the graph is asked first), whatever the polarity."""
        return self.graph.atom_implied[self.graph.var_atom[literal if literal > 0 else -literal]] != 0

    cdef size_t records_kept(self, vector[int32_t]& record_level, int level):
        """How many reason records (levels in order) survive a backtrack to `level`."""
        cdef size_t keep = record_level.size()
        while keep > 0 and record_level[keep - 1] > level:
            keep -= 1
        return keep

    cdef void path_reason(self, int32_t source, int32_t target, int64_t bound, int32_t limit,
                          set literals) except *:
        """Add to `literals` the negated literals of a path source ~> target of weight <=
        bound among the graph's edges at trail positions <= limit (the edges in the matrix
        when the reason was due): why a bound read from the matrix holds. The path explanation
        the disjunctive, cumulative and cost theories share."""
        cdef size_t k
        self.graph.stack.clear()
        self.graph.search_path(source, target, bound, limit)
        for k in range(self.graph.stack.size()):
            literals.add(-self.graph.edge_literal(self.graph.stack[k]))

    def conflict(self):
        # a witness belongs to the clause it was made with: a conflict set without one has
        # none, never an earlier clause's
        known = self.conflict_witness
        self.given_witness = (known[1] if known is not None and known[0] is self.conflict_clause
                              else None)
        return list(self.conflict_clause)

    def last_witness(self):
        """(rule, witness) of the clause last returned by conflict() or explain(), or None
        (global_ref.GlobalTheory.last_witness)."""
        return self.given_witness

    cdef void witness_conflict(self, object witness):
        """`witness` ((rule, witness) or None) is that of the conflict clause just set."""
        self.conflict_witness = (self.conflict_clause, witness)

    def values(self):
        return []
