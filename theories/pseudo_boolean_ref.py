"""Linear pseudo-Boolean constraints, pure-Python reference: the twin of pseudo_boolean.pyx.

Class
    `PseudoBooleanLogic(constraints)`: every constraint ``(literals, weights, bound)`` of a
    problem, each meaning ``sum_i weights[i] * [literals[i] is true] <= bound`` over DIMACS
    literals with positive integer weights. The theory owns every variable that occurs in them
    and follows the engine contract of `smtsched.theory`.

Algorithm
    Counter-based ("slack") propagation, the native pseudo-Boolean propagation of Galena
    (Chai and Kuehlmann, "A Fast Pseudo-Boolean Constraint Solver", DAC 2003), Pueblo (Sheini
    and Sakallah, JSAT 2006) and RoundingSat (Elffers and Nordstrom, "Divide and Conquer:
    Towards Faster Pseudo-Boolean Solving", IJCAI 2018). Each constraint keeps the sum of the
    weights of its true literals; its slack is ``bound - sum``.
      * sum > bound: conflict; the clause negates the heaviest literals true now (counted or
        still queued; ties: earliest on the trail) until their weights alone exceed the
        bound, so it stays short;
      * an unassigned literal heavier than the slack cannot become true: its negation is
        implied. Its reason is built only when conflict analysis asks (most implied literals
        are never explained), from the literals that were true when it was implied (the
        theory's trail position then is kept), heaviest first, until they and the implied
        literal's weight exceed the bound.
    The input is normalised as in Een and Sorensson's MiniSat+ ("Translating Pseudo-Boolean
    Constraints into SAT", JSAT 2006, section 3): a literal given twice is merged (weights
    added); ``w1 * x + w2 * -x`` becomes ``min(w1, w2)`` taken off the bound plus the difference
    on the heavier side; weights above the bound are saturated to ``bound + 1`` (RoundingSat
    does the same): such a literal alone is a violation, and is false at the root; a
    constraint whose total weight fits the bound is dropped; a negative bound is infeasible,
    reported as the empty clause.

Contract choices the compiled twin matches exactly (clauses, order, statistics)
    * Constraints keep their input order; within one, literals are sorted by weight, heaviest
      first, ties in first-occurrence order. Occurrence lists follow constraint order.
    * `propagate` takes the queued assignments in trail order; the first constraint (in the
      occurrence order of the literal being taken) whose sum exceeds its bound is the
      conflict, after that literal's occurrences are all counted. Otherwise it returns first
      the negations of the root units (literals heavier than their bound) not yet assigned,
      then, per constraint in the order they were first touched in this call, the negations
      of its unassigned literals heavier than its slack, heaviest first. A variable is
      implied at most once until the level where that happened is undone.
    * A conflict found again after a backtrack that undid none of its literals (no level was
      closed) is reported again by the next `propagate`.
    * Fixed literals stay assigned across every backtrack and are taken again afterwards.
    * `explain` and a misuse raise ValueError; `final_check` with an unassigned owned variable
      raises RuntimeError (the engine broke the contract).
"""

from smtsched.theory import Theory

__all__ = ["PseudoBooleanLogic", "normalise"]


def normalise(constraints):
    """The constraints as the theory keeps them.

    Returns ``(kept, units, infeasible, variables)``: `kept` is a list of ``(literals,
    weights, bound)`` with positive weights (heaviest first) and total weight > bound >= 0;
    `units` lists ``(constraint index, literal)`` for every literal heavier than its bound;
    `infeasible` says some constraint has a negative bound after normalisation; `variables`
    lists every variable of the input (dropped constraints included: the theory owns them
    all), in first-occurrence order. Raises ValueError on malformed input.

    Shared by both twins: set-up runs once, the per-literal work is what they test.
    """
    kept, units, variables, seen = [], [], [], set()
    infeasible = False
    for entry in constraints:
        try:
            literals, weights, bound = entry
        except (TypeError, ValueError):
            raise ValueError(f"a constraint is (literals, weights, bound), got {entry!r}") from None
        literals, weights = list(literals), list(weights)
        if len(literals) != len(weights):
            raise ValueError(f"{len(literals)} literals but {len(weights)} weights")
        if not _is_int(bound):
            raise ValueError(f"the bound must be an integer, got {bound!r}")
        merged = {}   # literal -> weight, in first-occurrence order
        for lit, weight in zip(literals, weights):
            if not _is_int(lit) or lit == 0:
                raise ValueError(f"literals are non-zero integers, got {lit!r}")
            if not _is_int(weight) or weight <= 0:
                raise ValueError(f"weights are positive integers, got {weight!r}")
            var = abs(lit)
            if var not in seen:
                seen.add(var)
                variables.append(var)
            merged[lit] = merged.get(lit, 0) + weight
        for lit in list(merged):
            if lit > 0 and -lit in merged:
                # w1*x + w2*(not x) = min(w1, w2) + the difference on the heavier side
                common = min(merged[lit], merged[-lit])
                bound -= common
                merged[lit] -= common
                merged[-lit] -= common
        merged = [(lit, weight) for lit, weight in merged.items() if weight > 0]
        if bound < 0:
            infeasible = True
            continue
        saturated = [(lit, min(weight, bound + 1)) for lit, weight in merged]
        if sum(weight for _, weight in saturated) <= bound:
            continue  # always satisfied
        saturated.sort(key=lambda pair: -pair[1])  # stable: ties keep first-occurrence order
        index = len(kept)
        kept.append(([lit for lit, _ in saturated], [weight for _, weight in saturated], bound))
        units += [(index, lit) for lit, weight in saturated if weight > bound]
    return kept, units, infeasible, variables


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


class PseudoBooleanLogic(Theory):
    """All the pseudo-Boolean constraints of a problem (see the module docstring)."""

    def __init__(self, constraints):
        kept, self._units, self._infeasible, self._variables = normalise(constraints)
        self._literals = [list(literals) for literals, _, _ in kept]
        self._weights = [list(weights) for _, weights, _ in kept]
        self._bound = [bound for _, _, bound in kept]
        self._sum = [0] * len(kept)
        self._occurrences = {}   # literal -> [(constraint, weight)], constraint order
        for c, (literals, weights, _) in enumerate(kept):
            for lit, weight in zip(literals, weights):
                self._occurrences.setdefault(lit, []).append((c, weight))
        self._owned = set(self._variables)
        self._value = {}          # var -> +1 / -1 while assigned
        self._position = {}       # var -> its index in _trail while assigned
        self._fixed = set()
        self._trail = []          # assigned literals in notification order
        self._qhead = 0           # _trail[:_qhead] is counted in the sums
        self._marks = []          # per open level: (trail size, implied count, qhead)
        self._implied = {}        # var -> (literal, constraint, weight of its negation, qhead)
        self._implied_order = []
        self._units_open = bool(self._units)
        self._inconsistent = False
        self._conflict_constraint = -1
        self._conflict = []
        self._stats = {"pb_constraints": len(kept), "pb_assignments": 0,
                       "pb_propagations": 0, "pb_conflicts": 0, "pb_conflict_literals": 0,
                       "pb_explanations": 0, "pb_explanation_literals": 0,
                       "pb_final_checks": 0}

    # -- contract: ownership, assignments, levels ---------------------------------------------
    def observed(self):
        return list(self._variables)

    def assign(self, lit, fixed=False):
        var = abs(lit)
        if var not in self._owned:
            raise ValueError(f"literal {lit} is not owned by this theory")
        sign = 1 if lit > 0 else -1
        held = self._value.get(var)
        if held == sign:  # notified again, e.g. when it became fixed
            if fixed:
                self._fixed.add(var)
            return
        if held is not None:
            raise RuntimeError(f"literal {lit} assigned while its negation is assigned")
        self._value[var] = sign
        self._position[var] = len(self._trail)
        self._trail.append(lit)
        if fixed:
            self._fixed.add(var)
        self._stats["pb_assignments"] += 1

    def level(self):
        return len(self._marks)

    def new_level(self):
        self._marks.append((len(self._trail), len(self._implied_order), self._qhead))

    def backtrack(self, level):
        if level < 0:
            raise ValueError("negative level")
        self._inconsistent = False
        if level >= len(self._marks):
            return
        trail_size, implied_count, qhead = self._marks[level]
        del self._marks[level:]
        for position in range(self._qhead - 1, qhead - 1, -1):
            self._uncount(self._trail[position])
        self._qhead = qhead
        kept = []
        for lit in reversed(self._trail[trail_size:]):
            var = abs(lit)
            if var in self._fixed:
                kept.append(lit)
            else:
                del self._value[var]
                del self._position[var]
        del self._trail[trail_size:]
        for lit in reversed(kept):  # fixed literals stay true: taken again, in their order
            self._position[abs(lit)] = len(self._trail)
            self._trail.append(lit)
        for var in self._implied_order[implied_count:]:
            del self._implied[var]
        del self._implied_order[implied_count:]

    def _uncount(self, lit):
        for c, weight in self._occurrences.get(lit, ()):
            self._sum[c] -= weight

    # -- contract: checks ----------------------------------------------------------------------
    def propagate(self):
        if self._inconsistent:
            return []
        if self._infeasible:
            return self._report([])
        c = self._conflict_constraint
        if c >= 0:
            if self._sum[c] > self._bound[c]:
                return self._report(self._conflict_clause(c))
            self._conflict_constraint = -1
        touched, seen = [], set()
        while self._qhead < len(self._trail):
            lit = self._trail[self._qhead]
            violated = -1
            for c, weight in self._occurrences.get(lit, ()):
                self._sum[c] += weight
                if c not in seen:
                    seen.add(c)
                    touched.append(c)
                if violated < 0 and self._sum[c] > self._bound[c]:
                    violated = c
            self._qhead += 1
            if violated >= 0:
                self._conflict_constraint = violated
                return self._report(self._conflict_clause(violated))
        implied = []
        if self._units_open:
            open_units = 0
            for c, lit in self._units:
                var = abs(lit)
                if var not in self._fixed:
                    open_units += 1
                if var not in self._value and var not in self._implied:
                    self._imply(-lit, c, self._bound[c] + 1, implied)
            self._units_open = open_units > 0
        for c in touched:
            slack = self._bound[c] - self._sum[c]
            for lit, weight in zip(self._literals[c], self._weights[c]):
                if weight <= slack:
                    break
                var = abs(lit)
                if var not in self._value and var not in self._implied:
                    self._imply(-lit, c, weight, implied)
        self._stats["pb_propagations"] += len(implied)
        return implied

    def _imply(self, lit, c, weight, out):
        var = abs(lit)
        self._implied[var] = (lit, c, weight, self._qhead)
        self._implied_order.append(var)
        out.append(lit)

    def _report(self, clause):
        self._conflict = clause
        self._inconsistent = True
        self._stats["pb_conflicts"] += 1
        self._stats["pb_conflict_literals"] += len(clause)
        return None

    def _heaviest_true(self, c, before, start):
        """Negations of true literals of constraint `c` at trail positions below `before`,
        heaviest first (ties: earliest), until their weights plus `start` exceed the bound."""
        candidates = []
        for lit, weight in zip(self._literals[c], self._weights[c]):
            var = abs(lit)
            if self._value.get(var) == (1 if lit > 0 else -1) and self._position[var] < before:
                candidates.append((-weight, self._position[var], lit))
        candidates.sort()
        clause, total = [], start
        for negative_weight, _, lit in candidates:
            if total > self._bound[c]:
                break
            clause.append(-lit)
            total -= negative_weight
        if total <= self._bound[c]:
            raise RuntimeError("pseudo_boolean_ref internal check failed: the true literals "
                               f"of constraint {c} do not exceed its bound")
        return clause

    def _conflict_clause(self, c):
        # every literal true now may serve, counted or still queued: the clause gets shorter
        return self._heaviest_true(c, len(self._trail), 0)

    def conflict(self):
        return list(self._conflict)

    def explain(self, lit):
        entry = self._implied.get(abs(lit))
        if entry is None or entry[0] != lit:
            raise ValueError(f"literal {lit} was not propagated by this theory")
        _, c, weight, before = entry
        clause = [lit] + self._heaviest_true(c, before, weight)
        self._stats["pb_explanations"] += 1
        self._stats["pb_explanation_literals"] += len(clause)
        return clause

    def final_check(self):
        self._stats["pb_final_checks"] += 1
        if self._infeasible:
            self._report([])
            return False
        missing = [var for var in self._variables if var not in self._value]
        if missing:
            raise RuntimeError(f"final_check with unassigned variables {missing[:10]}")
        if self._inconsistent or self.propagate() is None:
            return False
        # The sums are incremental; the verdict is recomputed from the assignment itself.
        for c, bound in enumerate(self._bound):
            total = sum(weight for lit, weight in zip(self._literals[c], self._weights[c])
                        if self._value[abs(lit)] == (1 if lit > 0 else -1))
            if total != self._sum[c]:
                raise RuntimeError(f"pseudo_boolean_ref internal check failed: constraint {c} "
                                   f"sums to {total}, counted {self._sum[c]}")
            if total > bound:  # pragma: no cover - propagate() found it
                self._conflict_constraint = c
                self._report(self._conflict_clause(c))
                return False
        return True

    def values(self):
        return []

    def statistics(self):
        """pb_constraints (kept after normalisation), pb_assignments (new trail entries),
        pb_propagations (literals returned), pb_conflicts and pb_conflict_literals,
        pb_explanations and pb_explanation_literals (the explained literal included),
        pb_final_checks."""
        return dict(self._stats)
