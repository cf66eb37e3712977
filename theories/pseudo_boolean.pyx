# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# distutils: language = c++
"""Linear pseudo-Boolean constraints in Cython: the twin of pseudo_boolean_ref.py.

Same algorithm, order of results, clauses and statistics as the reference (its docstring has
the argument and the sources: counter-based slack propagation as in Galena, Pueblo and
RoundingSat; MiniSat+'s normalisation). Here every per-literal step runs on typed arrays:
  * each constraint's literals and weights sit in one flat array, heaviest first, so the
    propagation scan over a touched constraint stops at the first weight within its slack;
  * occurrence lists per literal (CSR, indexed by 2*var + (lit < 0)) carry the weight, so
    taking an assignment only adds integers;
  * levels store three sizes (trail, implied variables, queue head) and backtracking subtracts
    what was counted above them: no copies.
Weights are int64: a constraint whose saturated weights could sum past 2**62 is refused with
OverflowError (the solver then uses the reference, which computes with Python integers).
"""
from libc.stdint cimport int8_t, int32_t, int64_t
from libcpp.algorithm cimport sort
from libcpp.pair cimport pair
from libcpp.vector cimport vector

from smtsched.ext.contract cimport CompiledTheory
from smtsched.ext.csr cimport counts_to_starts
from smtsched.ext.scope cimport Scope, clear_marks
from smtsched.theories.pseudo_boolean_ref import normalise

cdef int64_t WEIGHT_LIMIT = (<int64_t>1) << 62


cdef inline size_t slot(int lit):
    """The occurrence-list index of a literal."""
    return 2 * <size_t>(lit if lit > 0 else -lit) + (1 if lit < 0 else 0)


cdef class PseudoBooleanLogic(CompiledTheory):
    """The compiled pseudo-Boolean theory (see the module docstring and smtsched/theory.py).
    The contract's optional parts it does not answer (propagates_foreign, offers_fresh,
    literal_value, distance, path_literals, add_atom) are CompiledTheory's defaults
    (ext/contract.pyx)."""

    cdef int max_var
    cdef list variables                 # owned variables, first-occurrence order
    # Constraints: literals first[c] .. first[c + 1] - 1 of `lits`/`weights`, heaviest first.
    cdef vector[int32_t] first
    cdef vector[int32_t] lits
    cdef vector[int64_t] weights
    cdef vector[int64_t] bound
    cdef vector[int64_t] total          # weights of the counted true literals
    # Occurrences per literal slot: occ_first[s] .. occ_first[s + 1] - 1.
    cdef vector[int32_t] occ_first
    cdef vector[int32_t] occ_constraint
    cdef vector[int64_t] occ_weight
    cdef vector[int32_t] unit_constraint  # literals heavier than their bound (false at root)
    cdef vector[int32_t] unit_lit
    cdef bint units_open                # some unit variable is not fixed yet
    # Per variable.
    cdef vector[int8_t] owned
    cdef vector[int8_t] value           # 0 unassigned, 1 true, -1 false
    cdef vector[int8_t] fixed           # root-level: survives every backtrack
    cdef vector[int32_t] position       # index in `trail` while assigned
    cdef vector[int32_t] implied_lit    # the literal implied at a level still open, or 0
    cdef vector[int32_t] reason_constraint
    cdef vector[int64_t] reason_weight  # weight of the implied literal's negation
    cdef vector[int32_t] reason_position  # qhead when it was implied
    # Trails.
    cdef vector[int32_t] trail          # assigned literals in notification order
    cdef int qhead                      # trail[:qhead] is counted in `total`
    cdef vector[int32_t] implied_vars
    cdef vector[Scope] scopes           # per open level: trail, implied variables, qhead
    # Scratch.
    cdef vector[int32_t] touched
    cdef vector[int8_t] touched_flag
    cdef vector[int32_t] keep
    cdef vector[pair[int64_t, int32_t]] candidates
    cdef bint inconsistent, infeasible
    cdef int conflict_constraint
    cdef list conflict_clause
    cdef int64_t n_constraints, n_assignments, n_propagations, n_conflicts
    cdef int64_t n_conflict_literals, n_explanations, n_explanation_literals, n_final_checks

    def __init__(self, constraints):
        kept, units, infeasible, variables = normalise(constraints)
        self.variables = list(variables)
        self.infeasible = infeasible
        self.max_var = max(variables) if variables else 0
        cdef size_t num_vars = <size_t>self.max_var + 1
        cdef int c, k
        cdef size_t s, i
        self.first.push_back(0)
        for literals, weights, bound in kept:
            if sum(weights) > WEIGHT_LIMIT:
                raise OverflowError("pseudo-Boolean weights too large for 64-bit sums")
            for lit, weight in zip(literals, weights):
                self.lits.push_back(lit)
                self.weights.push_back(weight)
            self.first.push_back(self.lits.size())
            self.bound.push_back(bound)
        self.n_constraints = self.bound.size()
        self.total.resize(self.bound.size(), 0)
        self.touched_flag.resize(self.bound.size(), 0)
        # Occurrence lists: count per slot, then fill in constraint order.
        self.occ_first.resize(2 * num_vars + 1, 0)
        for i in range(self.lits.size()):
            self.occ_first[slot(self.lits[i]) + 1] += 1
        counts_to_starts(self.occ_first)
        cdef vector[int32_t] fill = self.occ_first
        self.occ_constraint.resize(self.lits.size())
        self.occ_weight.resize(self.lits.size())
        for c in range(<int>self.bound.size()):
            for i in range(<size_t>self.first[c], <size_t>self.first[c + 1]):
                s = slot(self.lits[i])
                self.occ_constraint[fill[s]] = c
                self.occ_weight[fill[s]] = self.weights[i]
                fill[s] += 1
        for c, lit in units:
            self.unit_constraint.push_back(c)
            self.unit_lit.push_back(lit)
        self.units_open = self.unit_lit.size() > 0
        self.owned.resize(num_vars, 0)
        for var in variables:
            self.owned[var] = 1
        self.value.resize(num_vars, 0)
        self.fixed.resize(num_vars, 0)
        self.position.resize(num_vars, 0)
        self.implied_lit.resize(num_vars, 0)
        self.reason_constraint.resize(num_vars, 0)
        self.reason_weight.resize(num_vars, 0)
        self.reason_position.resize(num_vars, 0)
        self.qhead = 0
        self.inconsistent = False
        self.conflict_constraint = -1
        self.conflict_clause = []
        self.n_assignments = self.n_propagations = self.n_conflicts = 0
        self.n_conflict_literals = self.n_explanations = self.n_explanation_literals = 0
        self.n_final_checks = 0

    # ------------------------------------------------------------------ contract
    def observed(self):
        return list(self.variables)

    def assign(self, int lit, bint fixed=False):
        cdef int var = lit if lit > 0 else -lit
        if var > self.max_var or not self.owned[var]:
            raise ValueError(f"literal {lit} is not owned by this theory")
        cdef int8_t sign = 1 if lit > 0 else -1
        if self.value[var] == sign:  # notified again, e.g. when it became fixed
            if fixed:
                self.fixed[var] = 1
            return
        if self.value[var] != 0:
            raise RuntimeError(f"literal {lit} assigned while its negation is assigned")
        self.value[var] = sign
        self.position[var] = self.trail.size()
        self.trail.push_back(lit)
        if fixed:
            self.fixed[var] = 1
        self.n_assignments += 1

    def level(self):
        return self.scopes.size()

    def new_level(self):
        cdef Scope scope
        scope.trail = self.trail.size()
        scope.undo = 0
        scope.implied = self.implied_vars.size()
        scope.queue = self.qhead
        self.scopes.push_back(scope)

    def backtrack(self, int level):
        if level < 0:
            raise ValueError("negative level")
        self.inconsistent = False
        if <size_t>level >= self.scopes.size():
            return
        cdef Scope scope = self.scopes[level]
        cdef size_t trail_size = scope.trail
        cdef size_t implied_count = scope.implied
        cdef int queue_head = scope.queue
        self.scopes.resize(level)
        while self.qhead > queue_head:
            self.qhead -= 1
            self.uncount(self.trail[self.qhead])
        cdef int lit, var
        cdef size_t k
        self.keep.clear()
        while self.trail.size() > trail_size:
            lit = self.trail.back()
            self.trail.pop_back()
            var = lit if lit > 0 else -lit
            if self.fixed[var]:
                self.keep.push_back(lit)
            else:
                self.value[var] = 0
        for k in range(self.keep.size()):  # fixed literals stay true: taken again, in order
            lit = self.keep[self.keep.size() - 1 - k]
            self.position[lit if lit > 0 else -lit] = self.trail.size()
            self.trail.push_back(lit)
        clear_marks(self.implied_lit.data(), self.implied_vars, implied_count)

    cdef inline void uncount(self, int lit):
        cdef size_t s = slot(lit), i
        for i in range(<size_t>self.occ_first[s], <size_t>self.occ_first[s + 1]):
            self.total[self.occ_constraint[i]] -= self.occ_weight[i]

    def propagate(self):
        if self.inconsistent:
            return []
        if self.infeasible:
            return self.report([])
        cdef int c = self.conflict_constraint
        if c >= 0:
            if self.total[c] > self.bound[c]:
                return self.report(self.heaviest_true(c, self.trail.size(), 0))
            self.conflict_constraint = -1
        cdef int lit, var, violated
        cdef size_t s, i, k
        cdef int64_t slack
        while <size_t>self.qhead < self.trail.size():
            lit = self.trail[self.qhead]
            s = slot(lit)
            violated = -1
            for i in range(<size_t>self.occ_first[s], <size_t>self.occ_first[s + 1]):
                c = self.occ_constraint[i]
                self.total[c] += self.occ_weight[i]
                if not self.touched_flag[c]:
                    self.touched_flag[c] = 1
                    self.touched.push_back(c)
                if violated < 0 and self.total[c] > self.bound[c]:
                    violated = c
            self.qhead += 1
            if violated >= 0:
                for k in range(self.touched.size()):
                    self.touched_flag[self.touched[k]] = 0
                self.touched.clear()
                self.conflict_constraint = violated
                return self.report(self.heaviest_true(violated, self.trail.size(), 0))
        cdef list implied = []
        cdef size_t open_units
        if self.units_open:
            open_units = 0
            for k in range(self.unit_lit.size()):
                lit = self.unit_lit[k]
                var = lit if lit > 0 else -lit
                if not self.fixed[var]:
                    open_units += 1
                if self.value[var] == 0 and self.implied_lit[var] == 0:
                    c = self.unit_constraint[k]
                    self.imply(-lit, c, self.bound[c] + 1, implied)
            self.units_open = open_units > 0
        for k in range(self.touched.size()):
            c = self.touched[k]
            self.touched_flag[c] = 0
            slack = self.bound[c] - self.total[c]
            for i in range(<size_t>self.first[c], <size_t>self.first[c + 1]):
                if self.weights[i] <= slack:
                    break
                lit = self.lits[i]
                var = lit if lit > 0 else -lit
                if self.value[var] == 0 and self.implied_lit[var] == 0:
                    self.imply(-lit, c, self.weights[i], implied)
        self.touched.clear()
        self.n_propagations += len(implied)
        return implied

    cdef void imply(self, int lit, int c, int64_t weight, list out) except *:
        cdef int var = lit if lit > 0 else -lit
        self.implied_lit[var] = lit
        self.reason_constraint[var] = c
        self.reason_weight[var] = weight
        self.reason_position[var] = self.qhead
        self.implied_vars.push_back(var)
        out.append(lit)

    cdef object report(self, list clause):
        self.conflict_clause = clause
        self.inconsistent = True
        self.n_conflicts += 1
        self.n_conflict_literals += len(clause)
        return None

    cdef list heaviest_true(self, int c, int before, int64_t start):
        """Negations of true literals of constraint `c` at trail positions below `before`,
        heaviest first (ties: earliest), until their weights plus `start` exceed the bound."""
        cdef size_t i, k
        cdef int lit, var
        self.candidates.clear()
        for i in range(<size_t>self.first[c], <size_t>self.first[c + 1]):
            lit = self.lits[i]
            var = lit if lit > 0 else -lit
            if self.value[var] == (1 if lit > 0 else -1) and self.position[var] < before:
                self.candidates.push_back(pair[int64_t, int32_t](-self.weights[i],
                                                                 self.position[var]))
        sort(self.candidates.begin(), self.candidates.end())
        cdef list clause = []
        cdef int64_t reached = start
        for k in range(self.candidates.size()):
            if reached > self.bound[c]:
                break
            clause.append(-self.trail[self.candidates[k].second])
            reached -= self.candidates[k].first
        if reached <= self.bound[c]:
            raise RuntimeError("pseudo_boolean internal check failed: the true literals of "
                               f"constraint {c} do not exceed its bound")
        return clause

    def conflict(self):
        return list(self.conflict_clause)

    def explain(self, int lit):
        cdef int var = lit if lit > 0 else -lit
        if var > self.max_var or self.implied_lit[var] != lit:
            raise ValueError(f"literal {lit} was not propagated by this theory")
        cdef list clause = [lit] + self.heaviest_true(
            self.reason_constraint[var], self.reason_position[var], self.reason_weight[var])
        self.n_explanations += 1
        self.n_explanation_literals += len(clause)
        return clause

    def final_check(self):
        self.n_final_checks += 1
        if self.infeasible:
            self.report([])
            return False
        missing = [var for var in self.variables if self.value[var] == 0]
        if missing:
            raise RuntimeError(f"final_check with unassigned variables {missing[:10]}")
        if self.inconsistent or self.propagate() is None:
            return False
        # The sums are incremental; the verdict is recomputed from the assignment itself.
        cdef int c, lit, var
        cdef size_t i
        cdef int64_t reached
        for c in range(<int>self.bound.size()):
            reached = 0
            for i in range(<size_t>self.first[c], <size_t>self.first[c + 1]):
                lit = self.lits[i]
                var = lit if lit > 0 else -lit
                if self.value[var] == (1 if lit > 0 else -1):
                    reached += self.weights[i]
            if reached != self.total[c]:
                raise RuntimeError(f"pseudo_boolean internal check failed: constraint {c} "
                                   f"sums to {reached}, counted {self.total[c]}")
            if reached > self.bound[c]:  # pragma: no cover - propagate() found it
                self.conflict_constraint = c
                self.report(self.heaviest_true(c, self.trail.size(), 0))
                return False
        return True

    def values(self):
        return []

    def statistics(self):
        return {"pb_constraints": self.n_constraints, "pb_assignments": self.n_assignments,
                "pb_propagations": self.n_propagations, "pb_conflicts": self.n_conflicts,
                "pb_conflict_literals": self.n_conflict_literals,
                "pb_explanations": self.n_explanations,
                "pb_explanation_literals": self.n_explanation_literals,
                "pb_final_checks": self.n_final_checks}
