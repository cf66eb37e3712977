# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# distutils: language = c++
"""What every compiled global-constraint theory shares (the compiled counterpart of
global_ref.py): it reads the difference-logic graph, owns no variables unless it says so,
follows the decision levels, and forgets its cached check when a level is undone. Subclasses
add their own undo in `undone`."""
from smtsched.theories.difference cimport DifferenceLogic


cdef class GlobalTheory:

    def __init__(self, DifferenceLogic graph):
        self.graph = graph
        self.levels = 0
        self.cache_valid = False
        self.conflict_clause = []

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
        self.undone(level)

    cdef void undone(self, int level) except *:
        """Hook: the levels above `level` were undone."""

    def conflict(self):
        return list(self.conflict_clause)

    def values(self):
        return []
