"""From formulas to CNF plus theory atoms: Tseitin's encoding over difference-logic atoms.

`compile_problem(assertions, assumptions, seed)` returns a `smtsched.core.CoreProblem`:
  * `clauses` over SAT variables 1..num_vars (Tseitin's definitional encoding, so any
    sub-formula, assumptions included, has a literal);
  * per arithmetic sort ("Int", "Real") a `DifferenceSpec`: nodes (0 is the origin `zero`)
    and atoms "x_p - x_q <= c" (or "< c" for Real), each owned by one SAT variable;
  * the global constraints as typed specs (smtsched.core.specs), in the order asserted, and
    the pseudo-Boolean rows;
  * the maps back from SAT variables and nodes to the user's variables, for models.

Every arithmetic atom is normalised to one canonical difference constraint, so that
`x - y <= 3`, `y - x >= -3`, `x + 1 <= y + 4` and the negation `y - x <= -4` (over Int) share one SAT
variable and the theory sees a single edge pair. Anything that does not normalise raises
UnsupportedError naming the atom.

`If` on arithmetic terms is lifted out of the atom that contains it: `If(c, a, b) <= y` becomes
`ite(c, a <= y, b <= y)`, so each branch must be a difference constraint (as in z3 and yices'
ite-lifting); an atom with k If terms makes at most 2**k branch atoms.
All walks are iterative: deeply nested input cannot hit Python's recursion limit.
"""
import gc
import math
import time
from fractions import Fraction

from .core.problem import CoreProblem, DiffAtom
from .errors import SortError, UnsupportedError
from .terms import BOOL, INT, DifferenceClause, to_smtlib

_new_tuple = tuple.__new__
# _specs_later: the global constraints' spec classes (smtsched.core.specs) are imported by the
# methods that make them: a file of difference logic needs none, and their dataclasses were
# 10 ms of the start-up of `smtsched solve` on one (tests/test_lazy_imports.py)
_COMPARISONS = frozenset(("le", "lt", "ge", "gt"))


class Compiler:
    # An atom with k If terms lifts into 2**k branch atoms; beyond this it is refused.
    MAX_LIFTED_ITES = 12

    def __init__(self):
        self.out = CoreProblem()
        self.memo = {}          # id(term) -> literal (Bool) or linear form (arithmetic)
        # a time.perf_counter() instant: a global constraint's n^2 pairs (seconds on a
        # thousand tasks) stop there with PartialCompileTimeout
        self.deadline = None
        self.keep_alive = []    # terms whose id() is in memo
        self.atom_var = {}      # canonical atom -> SAT variable
        self.true_literal = None
        self.ite_terms = {}     # id -> arithmetic If term met inside an atom
        # Every SAT variable has at most one owner theory ("dl", "cost", "pb"); a literal
        # another theory needs gets an equivalent proxy variable (see `claim`).
        self.owner = {}
        self.proxies = {}       # (variable, theory) -> proxy variable
        # Int difference atoms asserted as top-level facts: var -> (p, q, bound, polarity);
        # global constraints skip the pairs whose order these facts already imply
        self.atom_of = {}
        self.root_facts = []
        # Int variable Term -> its difference node, for difference_clause: a Term hashes by
        # identity (cheaper than the key tuple), and the node of a variable never changes
        self.int_node_of_term = {}

    # -------------------------------------------------------------- variables, gates
    def new_var(self):
        self.out.num_vars += 1
        return self.out.num_vars

    def true(self):
        if self.true_literal is None:
            self.true_literal = self.new_var()
            self.out.clauses.append([self.true_literal])
            self.out.gates[self.true_literal] = ("and", ())
        return self.true_literal

    def gate_and(self, literals):
        if not literals:
            return self.true()
        if len(literals) == 1:
            return literals[0]
        g = self.new_var()
        for a in literals:
            self.out.clauses.append([-g, a])
        self.out.clauses.append([g] + [-a for a in literals])
        self.out.gates[g] = ("and", tuple(literals))
        return g

    def gate_or(self, literals):
        return -self.gate_and([-a for a in literals])

    def gate_xor(self, a, b):
        g = self.new_var()
        self.out.clauses += [[-g, a, b], [-g, -a, -b], [g, -a, b], [g, a, -b]]
        self.out.gates[g] = ("xor", (a, b))
        return g

    def gate_ite(self, c, a, b):
        g = self.new_var()
        self.out.clauses += [[-g, -c, a], [-g, c, b], [g, -c, -a], [g, c, -b]]
        self.out.gates[g] = ("ite", (c, a, b))
        return g

    def claim(self, lit, theory):
        """`lit`, or an equivalent literal of a fresh proxy variable when another theory
        already owns its variable (a difference atom, a cost guard), so that `theory` can own
        it: the engine routes each variable's assignments to exactly one theory."""
        var = abs(lit)
        holder = self.owner.setdefault(var, theory)
        if holder == theory:
            return lit
        proxy = self.proxies.get((var, theory))
        if proxy is None:
            proxy = self.proxies[(var, theory)] = self.new_var()
            self.owner[proxy] = theory
            self.out.clauses += [[-proxy, var], [proxy, -var]]
            self.out.gates[proxy] = ("and", (var,))  # proxy <-> var
        return proxy if lit > 0 else -proxy

    # -------------------------------------------------------------- assertions
    def assert_formula(self, term):
        """Add `term` as a top-level fact (flattening top-level And and Or)."""
        if term.__class__ is DifferenceClause:
            self.difference_clause(term)
            return
        stack = [term]
        while stack:
            node = stack.pop()
            if node.sort != BOOL:
                raise SortError(f"an assertion must be a formula, got the {node.sort} term {node}")
            op = node.op
            if op == "or":  # the commonest (the ops below are distinct: the order is free)
                self.out.clauses.append([self.atom_literal(a) for a in node.args])
            elif op == "and":
                stack.extend(reversed(node.args))
            elif op == "disjunctive":
                self.disjunctive(node)
            elif op == "cumulative":
                self.cumulative(node)
            elif op == "cost":
                self.cost(node)
            elif op == "pb":
                self.pseudo_boolean(node)
            else:
                lit = self.literal(node)
                self.out.clauses.append([lit])
                if abs(lit) in self.atom_of:
                    self.root_facts.append(lit)

    def check_deadline(self):
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise PartialCompileTimeout

    def start_nodes(self, starts):
        """The difference-graph nodes of plain Int start variables (global constraints)."""
        problem = self.out.difference[INT]
        nodes = []
        for start in starts:
            coefficients, constant = self.linear(start)
            if len(coefficients) != 1 or list(coefficients.values()) != [1] or \
                    next(iter(coefficients))[0] != "var":
                raise UnsupportedError(f"Disjunctive takes start variables plus constants, "
                                       f"got {to_smtlib(start)}")
            key = next(iter(coefficients))
            if constant:
                raise UnsupportedError(f"Disjunctive takes plain start variables, got "
                                       f"{to_smtlib(start)}")
            nodes.append(problem.node_of[key])
        return nodes

    def order_literal(self, node_i, node_j, duration):
        """The literal of "start_j - start_i >= duration" for the plain Int start variables of
        nodes node_i, node_j: the very atom difference_atom makes for it (x_i - x_j <= -d, in
        its canonical orientation), built without the term machinery, which costs ~15 us an
        atom on the n^2 pairs of a global constraint."""
        if node_i == node_j:  # one start variable: "0 >= duration", a constant
            return self.true() if duration <= 0 else -self.true()
        p, q, bound = node_i, node_j, -duration
        negate = p > q
        if negate:  # as in difference_atom: x_p - x_q <= c  <=>  not (x_q - x_p <= -c - 1)
            p, q, bound = q, p, -bound - 1
        key = (INT, p, q, bound, False)
        var = self.atom_var.get(key)
        if var is None:
            var = self.atom_var[key] = self.new_var()
            self.owner[var] = "dl"
            # tuple.__new__: a third of DiffAtom(...)'s cost, on the n^2 pairs
            self.out.difference[INT].atoms.append(_new_tuple(DiffAtom, (var, p, q, bound, False)))
            self.atom_of[var] = (p, q, bound)
        return -var if negate else var

    def implied_orders(self, nodes, durations):
        """The pairs (i, j) of tasks (Int start nodes, durations) for which the top-level
        difference facts asserted so far imply "i ends before j starts": their longest chain
        of facts x_b >= x_a + c is long enough. Only facts with c >= 0 are followed, and none
        when those have a cycle, so a pair found is always implied (missing some costs atoms,
        not correctness). On a DAG of precedences this is one pass in topological order,
        with a vector per node holding its distances from every task (numpy)."""
        if len(nodes) < 2 or not self.root_facts:
            return set()
        import numpy as np

        from .precedence import DeadlinePassed, Precedences
        lag = {}
        for lit in self.root_facts:
            p, q, bound = self.atom_of[abs(lit)]
            # true: x_p - x_q <= bound, i.e. x_q >= x_p - bound; false: x_p >= x_q + bound + 1
            a, b, c = (p, q, -bound) if lit > 0 else (q, p, bound + 1)
            if c >= 0 and a != b and lag.get((a, b), -1) < c:
                lag[(a, b)] = c
        if not lag:
            return set()
        number = {}  # difference-logic node -> node of the precedence graph
        for v in [*nodes, *(v for arc in lag for v in arc)]:
            number.setdefault(v, len(number))
        if (max(lag.values()) * len(number) >= 1 << 60
                or max(abs(d) for d in durations) >= 1 << 62):
            # constants beyond the int64 path sums of precedence.longest_paths (bignum
            # inputs, which the exact reference theories solve): no pruning
            return set()
        graph = Precedences(len(number), [(number[a], number[b], c) for (a, b), c in lag.items()])
        last = {node: i for i, node in enumerate(nodes)}  # a node listed twice: its last task
        tasks = [i for i in last.values() if durations[i]]
        try:  # quadratic (seconds on thousands of tasks): under the compile's deadline
            paths = graph.longest_paths([number[nodes[i]] for i in tasks], self.deadline)
        except DeadlinePassed:
            raise PartialCompileTimeout from None
        if paths is None:
            return set()  # a cycle (of zero weight): no pruning
        # paths[s, v] is NONE (far below 0) without a chain, and for v = the node itself
        ends = paths[:, [number[node] for node in nodes]]
        long_enough = ends >= np.array([durations[i] for i in tasks], dtype=np.int64)[:, None]
        return {(tasks[s], j) for s, j in zip(*(x.tolist() for x in np.nonzero(long_enough)))}

    def disjunctive(self, node):
        """The pairwise clauses of a Disjunctive constraint, and its record for the theory.
        Pairs already ordered by top-level facts (precedences) get neither atoms nor clauses:
        on a long chain of operators that is most of the n^2 pairs."""
        from .core.specs import DisjunctiveSpec, Task   # (see _specs_later)

        starts, durations = node.args, node.value
        nodes = self.start_nodes(starts)
        tasks = [Task(node, duration) for node, duration in zip(nodes, durations)]
        settled = self.implied_orders(nodes, durations)
        order = {}
        n = len(starts)
        for i in range(n):
            self.check_deadline()
            for j in range(i + 1, n):
                if not (durations[i] and durations[j]):
                    continue
                if (i, j) in settled or (j, i) in settled:
                    continue
                before = order[(i, j)] = self.order_literal(nodes[i], nodes[j], durations[i])
                after = order[(j, i)] = self.order_literal(nodes[j], nodes[i], durations[j])
                self.out.clauses.append([before, after])
        self.out.globals.append(DisjunctiveSpec(tasks, order))

    def cumulative(self, node):
        """A Cumulative constraint: ordering atoms for every pair of tasks that use the
        resource (the theory's clauses are made of them), the disjunction for pairs that can
        never overlap, and the record for the theory."""
        from .core.specs import CumulativeSpec, DemandTask   # (see _specs_later)

        starts = node.args
        durations, demands, capacity, windows = node.value
        nodes = self.start_nodes(starts)
        used = [k for k in range(len(starts)) if durations[k] and demands[k]]
        # pairs the precedences already order never run together: no atoms for them
        settled = self.implied_orders(nodes, durations)
        order = {}
        for i in used:
            self.check_deadline()
            if demands[i] > capacity:
                self.out.clauses.append([-self.true()])  # this task alone overloads it
            for j in used:
                if i != j and (i, j) not in settled and (j, i) not in settled:
                    order[(i, j)] = self.order_literal(nodes[i], nodes[j], durations[i])
        for a in range(len(used)):
            for b in range(a + 1, len(used)):
                i, j = used[a], used[b]
                if (i, j) not in order:
                    continue
                if demands[i] + demands[j] > capacity:
                    self.out.clauses.append([order[(i, j)], order[(j, i)]])
        bound_literals = {}
        if windows is not None:
            # the bound literals "start_k >= v" (atoms x_k - x_0 >= v of the origin's row and
            # column)
            for k in used:
                if windows[k] is not None and nodes[k] != 0:
                    earliest, latest = windows[k]
                    for v in range(earliest + 1, latest + 1):
                        bound_literals[(k, v)] = self.order_literal(0, nodes[k], v)
        tasks = [DemandTask(nodes[k], durations[k], demands[k]) for k in range(len(starts))]
        self.out.globals.append(CumulativeSpec(tasks, capacity, order, bound_literals))

    def cost(self, node):
        """A WeightedCost constraint: its record for the cost theory, with the guard's
        literal."""
        from .core.specs import CostSpec, CostTask   # (see _specs_later)

        durations, weights, bound, dues, guarded = node.value
        starts = node.args[:-1] if guarded else node.args
        nodes = self.start_nodes(starts)
        tasks = [CostTask(nodes[k], durations[k], weights[k], None if dues is None else dues[k])
                 for k in range(len(starts))]
        # each cost theory owns its guard (a proxy when another one or a theory has it)
        owner = ("cost", len(self.out.globals))
        guard = self.claim(self.literal(node.args[-1]), owner) if guarded else None
        self.out.globals.append(CostSpec(tasks, bound, guard))

    def pseudo_boolean(self, node):
        """A PbLe/PbGe/PbEq/AtMost/AtLeast assertion: one or two constraints sum <= bound over
        literals with positive weights, for the pseudo-Boolean theory, or plain clauses.

        Each formula gets its literal (Tseitin's for a compound one); a constant moves to the
        bound; a negative weight w on l becomes w + |w| * (not l); >= k is <= over the negated
        literals. As in MiniSat+ (Een and Sorensson, JSAT 2006), a constraint that is a clause
        (dropping any one literal satisfies it) goes to CaDiCaL as that clause, one that cannot
        hold becomes false, one that always holds is dropped."""
        from .core.specs import PseudoBooleanSpec   # (see _specs_later)

        kind, weights, k = node.value
        literals, positive, meaning = [], [], {}
        for arg, weight in zip(node.args, weights):
            if weight == 0:
                continue
            lit = self.literal(arg)
            if self.true_literal is not None and abs(lit) == self.true_literal:
                if lit > 0:
                    k -= weight
                continue
            meaning.setdefault(abs(lit), arg if lit > 0 else _negation(arg))
            if weight < 0:
                k -= weight
                lit, weight = -lit, -weight
            literals.append(lit)
            positive.append(weight)
        total = sum(positive)
        rows = []
        if kind in ("pble", "at-most", "pbeq"):
            rows.append((literals, k))
        if kind in ("pbge", "at-least", "pbeq"):
            rows.append(([-lit for lit in literals], total - k))
        for lits, bound in rows:
            if bound < 0:
                self.out.clauses.append([-self.true()])
            elif total <= bound:
                continue
            elif total - min(positive) <= bound:
                self.out.clauses.append([-lit for lit in lits])
            else:
                owned = [self.claim(lit, "pb") for lit in lits]
                for lit, mine in zip(lits, owned):
                    self.out.pb_meaning[abs(mine)] = meaning[abs(lit)]
                self.out.pseudo_boolean.append(PseudoBooleanSpec(owned, list(positive), bound))

    def assume(self, term):
        if not hasattr(term, "sort") or term.sort != BOOL:
            raise SortError(f"an assumption must be a formula, got {term!r}")
        if term.op in ("disjunctive", "cumulative", "cost", "pb"):
            raise UnsupportedError(f"{_global_name(term)} cannot be an assumption: assert it "
                                   "at the top level")
        self.out.assumption_literals.append(self.literal(term))

    # -------------------------------------------------------------- Boolean structure
    def literal(self, term):
        """The SAT literal equivalent to the formula `term` (iterative post-order)."""
        known = self.memo.get(id(term))
        if known is not None:
            return known
        if term.op in _COMPARISONS and term.sort == BOOL:  # an atom: no sub-formulas to visit
            known = self.memo[id(term)] = self.make_literal(term)
            self.keep_alive.append(term)
            return known
        stack = [(term, False)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in self.memo:
                continue
            if node.sort != BOOL:
                raise SortError(f"a formula was expected, got the {node.sort} term {node}")
            if node.op in ("disjunctive", "cumulative", "cost", "pb"):
                raise UnsupportedError(f"{_global_name(node)} is a global constraint: assert "
                                       "it at the top level, not inside another formula or "
                                       "as an assumption")
            if not expanded and node.op in ("and", "or", "not", "implies", "xor", "ite") or (
                    not expanded and node.op in ("eq", "distinct") and node.args[0].sort == BOOL):
                stack.append((node, True))
                stack.extend((a, False) for a in reversed(node.args)
                             if a.sort == BOOL and id(a) not in self.memo)
                continue
            self.memo[id(node)] = self.make_literal(node)
            self.keep_alive.append(node)
        return self.memo[id(term)]

    def difference_clause(self, record):
        """Assert a DifferenceClause (terms.py) without its Term: exactly what assert_formula
        does on record.term() (the `or` branch for a clause, the last branch for a single
        literal), with `difference_of_variables` inlined for its Int case. Every literal is
        (x - y) op c of two distinct Int variables and an int c, so that case is the only one;
        the nodes are made in the same order (y, then x), the atoms numbered the same."""
        out = self.out
        problem = out.difference[INT]
        node_of_term = self.int_node_of_term
        atom_var = self.atom_var
        literals = []
        for negated, op, x, y, c in record.literals:
            q = node_of_term.get(y)
            if q is None:
                q = node_of_term[y] = problem.node(("var", y.name, INT), y.name)
            p = node_of_term.get(x)
            if p is None:
                p = node_of_term[x] = problem.node(("var", x.name, INT), x.name)
            if op == "le":
                bound = c
            elif op == "lt":
                bound = c - 1
            else:  # x - y >= c  <=>  y - x <= -c
                p, q, bound = q, p, (-c if op == "ge" else -c - 1)
            negate = p > q  # canonical orientation: lower node first
            if negate:
                p, q, bound = q, p, -bound - 1
            key = (INT, p, q, bound, False)
            var = atom_var.get(key)
            if var is None:
                out.num_vars += 1
                var = atom_var[key] = out.num_vars
                self.owner[var] = "dl"
                problem.atoms.append(_new_tuple(DiffAtom, (var, p, q, bound, False)))
                self.atom_of[var] = (p, q, bound)
            literals.append(-var if negate != negated else var)
        out.clauses.append(literals)
        if not record.clause and abs(literals[0]) in self.atom_of:  # always: an atom's var
            self.root_facts.append(literals[0])

    def atom_literal(self, term):
        """`literal(term)`, straight to `difference_of_variables` for an atom x - y op c of
        two variables: it needs no memo (its literal depends only on the atom, through the
        atom table, so computing it again gives the same literal), and the memo, its keep-alive
        list and the calls were most of the time of a clause of such atoms."""
        op = term.op
        if op in _COMPARISONS and term.sort == BOOL:
            a, b = term.args
            if a.op == "sub" and b.op == "const":
                x, y = a.args
                if x.op == "var" and y.op == "var" and x.name != y.name and \
                        x.sort == y.sort == a.sort:
                    return self.difference_of_variables(op, x, y, b.value, term)
        return self.literal(term)

    def make_literal(self, node):
        op = node.op
        if op == "var":
            key = node.key()
            var = self.out.bool_var.get(key)
            if var is None:
                var = self.out.bool_var[key] = self.new_var()
            return var
        if op == "const":
            return self.true() if node.value else -self.true()
        if op in ("le", "lt", "ge", "gt"):
            a, b = node.args
            if a.op == "sub" and b.op == "const":
                x, y = a.args
                if x.op == "var" and y.op == "var" and x.name != y.name and \
                        x.sort == y.sort == a.sort:
                    return self.difference_of_variables(op, x, y, b.value, node)
            return self.comparison(op, a, b, node)
        args = node.args
        if args and args[0].sort != BOOL:  # eq / distinct over arithmetic terms
            if op == "eq":
                return self.gate_and([self.equality(args[0], b, node) for b in args[1:]])
            if op == "distinct":
                return self.gate_and([-self.equality(args[i], args[j], node)
                                      for i in range(len(args)) for j in range(i + 1, len(args))])
        lits = [self.memo[id(a)] for a in args]
        if op == "and":
            return self.gate_and(lits)
        if op == "or":
            return self.gate_or(lits)
        if op == "not":
            return -lits[0]
        if op == "implies":
            return self.gate_or([-lits[0], lits[1]])
        if op == "xor":
            return self.gate_xor(lits[0], lits[1])
        if op == "ite":
            return self.gate_ite(*lits)
        if op == "eq":
            return self.gate_and([-self.gate_xor(lits[0], b) for b in lits[1:]])
        if op == "distinct":
            return self.gate_and([self.gate_xor(lits[i], lits[j])
                                  for i in range(len(lits)) for j in range(i + 1, len(lits))])
        raise UnsupportedError(f"unsupported operator in {node}")

    # -------------------------------------------------------------- arithmetic
    def linear(self, term):
        """{key: coefficient} and constant of an arithmetic term (see `linear_form`); its
        variables become nodes of their sort's difference graph, in the order met."""
        coefficients, constant, leaves = linear_form(term)
        for key, leaf in leaves.items():
            if leaf.op == "var":
                self.out.difference[leaf.sort].node(key, leaf.name)
            else:
                self.ite_terms[id(leaf)] = leaf
        return coefficients, constant

    def difference_of_variables(self, op, x, y, c, node):
        """Literal of (x - y) op c for two distinct variables x, y of one sort and a constant
        c: the commonest atom of difference-logic files, without the linear forms. It does
        what `comparison` does on it, step by step: the nodes of y, then x (the order
        `linear_form` meets them), the coefficients {y: -1, x: 1} and constant -c, negated
        for ge and gt as `relation` does."""
        sort = x.sort
        problem = self.out.difference[sort]
        kx, ky = ("var", x.name, sort), ("var", y.name, sort)
        node_of = problem.node_of
        q = node_of.get(ky)
        if q is None:
            q = problem.node(ky, y.name)
        p = node_of.get(kx)
        if p is None:
            p = problem.node(kx, x.name)
        if sort == INT and c.__class__ is int:
            # difference_atom's common case (a = 1, an int constant), inlined: x_p - x_q <= bound
            if op == "le":
                bound = c
            elif op == "lt":
                bound = c - 1
            else:  # x - y >= c  <=>  y - x <= -c
                p, q, bound = q, p, (-c if op == "ge" else -c - 1)
            negate = p > q  # canonical orientation: lower node first
            if negate:
                p, q, bound = q, p, -bound - 1
            key = (INT, p, q, bound, False)
            var = self.atom_var.get(key)
            if var is None:
                var = self.atom_var[key] = self.new_var()
                self.owner[var] = "dl"
                problem.atoms.append(_new_tuple(DiffAtom, (var, p, q, bound, False)))
                self.atom_of[var] = (p, q, bound)
            return -var if negate else var
        if op == "le" or op == "lt":
            return self.difference_atom({ky: -1, kx: 1}, 0 - c, op == "lt", x.sort, node)
        return self.difference_atom({ky: 1, kx: -1}, c - 0, op == "gt", x.sort, node)

    def equality(self, a, b, node):
        return self.comparison("eq", a, b, node)

    def comparison(self, op, a, b, node):
        """Literal of a op b, for op in le lt ge gt eq, over arithmetic terms."""
        left, left_constant = self.linear(a)
        right, right_constant = self.linear(b)
        total = dict(left)
        for key, c in right.items():
            total[key] = total.get(key, 0) - c
        total = {k: c for k, c in total.items() if c != 0}
        return self.relation(op, total, left_constant - right_constant, a.sort, node)

    def relation(self, op, coefficients, constant, sort, node, depth=0):
        """Literal of (coefficients . x + constant) op 0.

        An If inside the atom is lifted out: (ite c a b) op 0 becomes ite(c, a op 0, b op 0),
        so an atom is a difference constraint whenever each branch combination is one.
        """
        ites = [key for key in coefficients if key[0] == "ite"]
        if len(ites) + depth > self.MAX_LIFTED_ITES:
            raise UnsupportedError(f"{to_smtlib(node)} has more than {self.MAX_LIFTED_ITES} If "
                                   "terms inside one atom")
        if ites:
            key = ites[0]
            term = self.ite_terms[key[1]]
            factor = coefficients[key]
            rest = {k: c for k, c in coefficients.items() if k != key}
            branches = []
            for branch in term.args[1:]:
                branch_coefficients, branch_constant = self.linear(branch)
                merged = dict(rest)
                for k, c in branch_coefficients.items():
                    merged[k] = merged.get(k, 0) + factor * c
                merged = {k: c for k, c in merged.items() if c != 0}
                branches.append(self.relation(op, merged, constant + factor * branch_constant,
                                              sort, node, depth + 1))
            return self.gate_ite(self.literal(term.args[0]), *branches)
        if op in ("ge", "gt"):  # e >= 0  <=>  -e <= 0
            coefficients = {k: -c for k, c in coefficients.items()}
            constant = -constant
            op = "le" if op == "ge" else "lt"
        if op == "eq":
            return self.gate_and([
                self.difference_atom(coefficients, constant, False, sort, node),
                self.difference_atom({k: -c for k, c in coefficients.items()}, -constant, False,
                                     sort, node)])
        return self.difference_atom(coefficients, constant, op == "lt", sort, node)

    def difference_atom(self, coefficients, constant, strict, sort, node):
        """Literal of sum(c_k x_k) + constant <= 0 (< 0 if strict), a difference constraint."""
        if not coefficients:
            holds = constant < 0 if strict else constant <= 0
            return self.true() if holds else -self.true()
        items = list(coefficients.items())
        if len(items) == 1:
            (key, a), = items
            positive, negative = (key, None) if a > 0 else (None, key)
            a = abs(a)
        elif len(items) == 2 and items[0][1] == -items[1][1]:
            (positive, a), (negative, _) = items if items[0][1] > 0 else items[::-1]
        else:
            raise UnsupportedError(
                f"{to_smtlib(node)} is not a difference constraint "
                "(only x - y <= c, x <= c and their variants are supported)")
        # a * (x_positive - x_negative) + constant <= 0  <=>  x_p - x_n <= -constant / a
        problem = self.out.difference[sort]
        p = problem.node_of[positive]
        q = problem.node_of[negative]
        if sort == INT and a == 1 and constant.__class__ is int:
            bound = -constant - 1 if strict else -constant  # the common case, without Fraction
            strict = False
        else:
            bound = Fraction(-constant) / a
            if sort == INT:
                bound = (math.ceil(bound) - 1) if strict else math.floor(bound)
                strict = False
        negate = p > q  # canonical orientation: lower node first
        if negate:  # x_p - x_q <= c  <=>  not (x_q - x_p < -c), and the other way round
            p, q, bound = q, p, -bound
            if sort == INT:
                bound -= 1
            else:
                strict = not strict
        key = (sort, p, q, bound, strict)
        var = self.atom_var.get(key)
        if var is None:
            var = self.atom_var[key] = self.new_var()
            self.owner[var] = "dl"
            problem.atoms.append(DiffAtom(var, p, q, bound, strict))
            if sort == INT:
                self.atom_of[var] = (p, q, bound)
        return -var if negate else var


def linear_form(term):
    """({key: coefficient}, constant, leaves) of an arithmetic term: the one linearisation,
    used by the compiler and by the SMT-LIB objectives. Keys are variable keys, or ("ite", id)
    for an arithmetic If (which `Compiler.relation` lifts out); `leaves` maps each key to its
    term, in the order they were met (the compiler numbers graph nodes in that order).
    UnsupportedError for anything but constants, variables, +, -, negation and constant
    multiples."""
    coefficients = {}
    leaves = {}
    constant = 0
    stack = [(term, 1)]
    while stack:
        node, factor = stack.pop()
        op = node.op
        if op == "const":
            constant += factor * node.value
        elif op == "var":
            key = node.key()
            coefficients[key] = coefficients.get(key, 0) + factor
            leaves.setdefault(key, node)
        elif op == "add":
            stack += [(node.args[0], factor), (node.args[1], factor)]
        elif op == "sub":
            stack += [(node.args[0], factor), (node.args[1], -factor)]
        elif op == "neg":
            stack.append((node.args[0], -factor))
        elif op == "mul":
            stack.append((node.args[1], factor * node.args[0].value))
        elif op == "ite":
            key = ("ite", id(node))
            coefficients[key] = coefficients.get(key, 0) + factor
            leaves.setdefault(key, node)
        else:
            raise UnsupportedError(f"unsupported arithmetic term {node}")
    return {k: c for k, c in coefficients.items() if c != 0}, constant, leaves


def _global_name(node):
    """The API name of a global-constraint term, for messages."""
    if node.op == "pb":
        from .terms import PB_KINDS
        return PB_KINDS[node.value[0]]
    return {"cost": "WeightedCost"}.get(node.op, node.op.capitalize())


def _negation(term):
    from .terms import Not
    return term.args[0] if term.op == "not" else Not(term)


def compile_problem(assertions, assumptions=(), seed=0):
    """Compile formulas into a `CoreProblem` (see the module docstring); a nonzero `seed`
    renumbers its variables (CoreProblem.permuted)."""
    compiler = Compiler()
    for term in assertions:
        compiler.assert_formula(term)
    for term in assumptions:
        compiler.assume(term)
    return compiler.out.permuted(seed)


class CompileTimeout(Exception):
    """The time limit passed while the formulas were being compiled (between two of them)."""


class PartialCompileTimeout(CompileTimeout):
    """The time limit passed inside one formula (a global constraint's pairs): the compiler
    holds half of it and is thrown away."""


class IncrementalCompiler:
    """Compiles a growing list of assertions once: a check after more assertions were added
    compiles only the new ones, and one with the same assertions under other assumptions
    (an optimiser's probes, an SMT-LIB script's check-sat-assuming) compiles only the
    assumptions. Atoms and gates of earlier assumptions stay (unconstrained, they change no
    answer). A list that is not an extension of the last one (after a pop) starts afresh."""

    # the clock is read once per this many assertions: a formula takes microseconds. Not
    # before the first period: every call makes progress, so checks with a short limit
    # repeated on a large formula get through it (the suite's full run once spent the whole
    # 1 ms limit before the first assertion, compiling none)
    CLOCK_PERIOD = 256

    def __init__(self):
        self.compiler = None
        self.done = []

    def compile(self, assertions, assumptions=(), seed=0, deadline=None):
        """The compiled problem; CompileTimeout when `deadline` (a time.perf_counter()
        instant) passes first. The assertions compiled until then are kept: every one is
        compiled whole or not at all, so the next call goes on from there; except when the
        deadline passed inside a global constraint's pairs (PartialCompileTimeout): then the
        next call starts afresh."""
        if (self.compiler is None or len(self.done) > len(assertions)
                or any(a is not b for a, b in zip(self.done, assertions))):
            self.compiler, self.done = Compiler(), []
        self.compiler.deadline = deadline
        # The cyclic collector is off while a long list is compiled: the compiler makes
        # no cycles, only many small objects that live on, and the collector's passes over
        # them were 15% of a 10,000-node random DL file's process (py-spy). Back on after.
        collecting = gc.isenabled() and len(assertions) - len(self.done) > self.CLOCK_PERIOD
        if collecting:
            gc.disable()
        try:
            for count, term in enumerate(assertions[len(self.done):]):
                if (deadline is not None and count and count % self.CLOCK_PERIOD == 0
                        and time.perf_counter() > deadline):
                    raise CompileTimeout
                self.compiler.assert_formula(term)
                self.done.append(term)
            self.compiler.out.assumption_literals = []
            for term in assumptions:
                self.compiler.assume(term)
            return self.compiler.out.permuted(seed)
        except PartialCompileTimeout:
            self.compiler, self.done = None, []  # half a formula: start afresh next time
            raise
        except CompileTimeout:
            raise
        except BaseException:
            self.compiler, self.done = None, []  # a half-compiled formula: start afresh
            raise
        finally:
            if collecting:
                gc.enable()
