"""What the step-by-step twin tests of the global theories share: a compiled and a reference
difference graph, a compiled and a reference global theory on them, an engine-like view of
the assignment (which variable was assigned at which level), and the z3 reading of a compiled
difference atom, to check their clauses. `OwnerTwins` drives two implementations of a theory
that owns its variables (the pseudo-Boolean theory) the same way and compares every answer."""
import itertools

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


class OwnerTwins:
    """Two implementations of a theory that owns its variables, given the same engine steps;
    every answer (implied literals, conflict clauses, explanations, final checks) must be the
    same. Keeps the engine's view: per variable its literal, level (None once fixed) and when
    it was assigned, to check that reasons only use earlier literals."""

    def __init__(self, fast, slow):
        self.fast, self.slow = fast, slow
        self.assigned = {}   # var -> (literal, level or None when fixed)
        self.order = {}      # var -> clock value of its assignment
        self.clock = itertools.count()
        self.propagated = {}  # literal -> (clock value, level) when it was returned
        self.level = 0
        assert fast.observed() == slow.observed()

    def both(self, method, *args):
        """Call `method` on both twins; their answers must be equal (exceptions too)."""
        answers = []
        for theory in (self.fast, self.slow):
            try:
                answers.append(("ok", getattr(theory, method)(*args)))
            except (ValueError, RuntimeError) as error:
                answers.append((type(error).__name__, None))
        assert answers[0] == answers[1], (method, args, answers)
        kind, value = answers[0]
        if kind != "ok":
            raise {"ValueError": ValueError, "RuntimeError": RuntimeError}[kind](method)
        return value

    def new_level(self):
        self.both("new_level")
        self.level += 1
        assert self.both("level") == self.level

    def assign(self, lit, fixed=False):
        var = abs(lit)
        held = self.assigned.get(var)
        self.both("assign", lit, fixed)
        if held is None:
            self.assigned[var] = (lit, None if fixed else self.level)
            self.order[var] = next(self.clock)
        elif fixed:
            self.assigned[var] = (lit, None)

    def propagate(self):
        """Both twins' propagate: the implied literals, or None with both conflicts equal."""
        implied = self.both("propagate")
        if implied is None:
            assert self.fast.conflict() == self.slow.conflict()
        else:
            for lit in implied:
                self.propagated[lit] = (next(self.clock), self.level)
        return implied

    def explain(self, lit):
        return self.both("explain", lit)

    def backtrack(self, target):
        self.both("backtrack", target)
        for var in [v for v, (_, lv) in self.assigned.items() if lv is not None and lv > target]:
            del self.assigned[var]
            del self.order[var]
        self.level = min(self.level, target)
        assert self.both("level") == self.level
        # a literal's reason lives as long as the level it was returned at
        self.propagated = {lit: (when, lv) for lit, (when, lv) in self.propagated.items()
                           if lv <= target}

    def true_literals(self):
        return {lit for lit, _ in self.assigned.values()}


def assert_witness_accepted(problem, clause, recorded, tasks, capacity=1):
    """The certificate checker's rule accepts the witness `recorded` ((rule, witness), as a
    global theory's last_witness() gives it) for `clause`: the premises are the negated
    literals of the clause over `problem`'s atoms (node 0, the origin, is the checker's
    None), the constraint is `tasks` ((node, duration[, demand])) with `capacity`. The
    checker is the witness's consumer (docs/certificates.md, "The rules"), not an oracle of
    the clause: z3 checks the clause itself."""
    from smtsched.certify.check.encoding import Difference
    from smtsched.certify.check.rules import RULES, Constraint, Task

    def node(n):
        return None if n == 0 else n

    atoms = {var: (p, q, bound, strict) for var, p, q, bound, strict in problem.atoms}
    premises = []
    for lit in clause:
        atom = atoms.get(abs(lit))
        if atom is None:   # a constant (two tasks on one start variable): no premise edge
            premises.append(None)
            continue
        p, q, bound, strict = atom
        holds = Difference("Int", node(p), node(q), bound - 1 if strict else bound)
        premises.append(holds.negation() if lit > 0 else holds)
    rows = [Task(node(t[0]), t[1], t[2] if len(t) > 2 else 1) for t in tasks]
    constraint = Constraint("cumulative" if any(len(t) > 2 for t in tasks) else "disjunctive",
                            capacity, rows)
    rule, witness = recorded
    RULES[rule](premises, witness, constraint)   # raises RuleError if it does not prove it
