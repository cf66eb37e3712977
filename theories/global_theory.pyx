# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# distutils: language = c++
"""What every compiled global-constraint theory shares (the compiled counterpart of
global_ref.py): it reads the difference-logic graph, owns no variables unless it says so,
follows the decision levels, and forgets its cached check when a level is undone. Subclasses
add their own undo in `undone`."""
from libc.stdint cimport int32_t
from libcpp.vector cimport vector

from smtsched.theory import Theory
from smtsched.theories.difference cimport DifferenceLogic


cdef class GlobalTheory:
    # The contract's optional parts with their defaults (smtsched/theory.py): a cdef class
    # cannot derive from the Python class Theory, so they are repeated here and the class is
    # registered with it below.
    offers_fresh = False

    def __init__(self, DifferenceLogic graph):
        self.graph = graph
        self.propagates_foreign = False
        self.levels = 0
        self.cache_valid = False
        self.conflict_clause = []
        self.reason_of = {}

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

    def conflict(self):
        return list(self.conflict_clause)

    def values(self):
        return []

    def statistics(self):
        return {}

    def literal_value(self, lit):
        raise NotImplementedError(f"{type(self).__name__} answers no literal values")

    def distance(self, u, v):
        raise NotImplementedError(f"{type(self).__name__} has no graph distances")

    def path_literals(self, u, v):
        raise NotImplementedError(f"{type(self).__name__} has no graph paths")

    def add_atom(self, var, u, v, w_true, w_false):
        raise NotImplementedError(f"{type(self).__name__} takes no difference atoms")


Theory.register(GlobalTheory)  # and so its subclasses
