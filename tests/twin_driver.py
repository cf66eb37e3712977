"""What the step-by-step twin tests of the global theories share: a compiled and a reference
difference graph, a compiled and a reference global theory on them, an engine-like view of
the assignment (which variable was assigned at which level), and the z3 reading of a compiled
difference atom, to check their clauses."""
import z3


def z3_atom(problem, var):
    """The difference atom of SAT variable `var` in `problem` as a z3 formula over Int
    variables named like the user's."""
    names = {node: key for key, node in problem.node_of.items()}
    for v, p, q, bound, strict in problem.atoms:
        if v == var:
            x = z3.IntVal(0) if names[p] is None else z3.Int(names[p][1])
            y = z3.IntVal(0) if names[q] is None else z3.Int(names[q][1])
            return x - y < bound if strict else x - y <= bound
    raise KeyError(var)


def z3_literal(problem, lit):
    atom = z3_atom(problem, abs(lit))
    return atom if lit > 0 else z3.Not(atom)


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
