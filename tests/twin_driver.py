"""What the step-by-step twin tests of the global theories share: a compiled and a reference
difference graph, a compiled and a reference global theory on them, and an engine-like view of
the assignment (which variable was assigned at which level)."""


class TwinDriver:
    def __init__(self, fast_graph, slow_graph, fast, slow):
        self.fast_graph, self.slow_graph = fast_graph, slow_graph
        self.fast, self.slow = fast, slow
        self.assigned = {}   # var -> level
        self.level = 0

    @property
    def theories(self):
        return (self.fast_graph, self.slow_graph, self.fast, self.slow)

    def assign(self, lit):
        """Both graphs get `lit` (the global theories own nothing)."""
        self.assigned[abs(lit)] = self.level
        self.fast_graph.assign(lit, False)
        self.slow_graph.assign(lit, False)

    def assign_root_units(self, clauses):
        """The unit clauses of the compiled problem (the windows), at level 0."""
        for clause in clauses:
            if len(clause) == 1 and abs(clause[0]) not in self.assigned:
                self.assign(clause[0])

    def decide(self, lit):
        self.level += 1
        for theory in self.theories:
            theory.new_level()
        self.assign(lit)

    def backtrack(self, target):
        for theory in self.theories:
            theory.backtrack(target)
        for var in [v for v, lv in self.assigned.items() if lv > target]:
            del self.assigned[var]
        self.level = target
