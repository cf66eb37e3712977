"""What every global-constraint theory shares (reference implementations): it owns no SAT
variables, reads the difference-logic graph, and only follows the decision levels."""
from smtsched.theory import Theory


class GlobalTheory(Theory):
    """Level bookkeeping and the parts of the engine contract that an owner of no variables
    answers trivially (see smtsched/theory.py)."""

    def __init__(self, graph):
        self.graph = graph
        self.levels = 0
        self.conflict_clause = []

    def observed(self):
        return []

    def level(self):
        return self.levels

    def assign(self, lit, fixed):  # pragma: no cover - owns nothing, so never called
        raise AssertionError(f"{type(self).__name__} owns no variables")

    def new_level(self):
        self.levels += 1

    def backtrack(self, level):
        if level < self.levels:
            self.levels = level
            self._undone(level)

    def _undone(self, level):
        """Hook: the levels above `level` were undone."""

    def conflict(self):
        return list(self.conflict_clause)

    def values(self):
        return []
