"""Reverse unit propagation (RUP) with engines that are not CaDiCaL (docs, "Checking the proof").

`PropagateChecker` keeps one MiniSat-class PySAT solver (Glucose 4.1 by default, MiniSat 2.2
on request) and asks its `propagate` whether a clause's negation propagates to a conflict;
that is the whole RUP test (Goldberg & Novikov, DATE 2003; the DRUP format of Heule, Hunt &
Wetzler, 2013). It is also used for the Boolean checks of problem.cnf, with `consequence`
calling `solve` under a conflict budget.

`replay` checks a DRUP proof forward: every added line must be RUP from everything loaded
so far (the formula, the verified lemmas, the assumption units and the earlier lines);
deletions are ignored, which is sound because RUP is monotone in the clause set (a
deleted-then-used clause is still a consequence), and saves the bookkeeping of CaDiCaL's
deletions of clauses the checker never saw (its external clauses). At the end the loaded
clauses must propagate to a conflict at the root: CaDiCaL 1.9.5 writes no final step for an
unsat answer under assumptions.

`engine="dratify"` runs the same replay through the `dratify` package (pure-Python forward
DRAT checker, RAT off, deletions off, the assumption units in the formula and an empty clause
appended as the last step) for comparison; see docs/certificates.md for the timings.
"""

from pysat.solvers import Glucose4, Minisat22

__all__ = ["PropagateChecker", "replay", "ENGINES"]

SOLVERS = {"glucose4": Glucose4, "minisat22": Minisat22}


def _normal(clause):
    """(deduplicated literals, is_tautology)."""
    lits = list(dict.fromkeys(clause))
    seen = set(lits)
    return lits, any(-l in seen for l in lits)


class PropagateChecker:
    """A clause set with RUP and bounded-solve queries (never CaDiCaL)."""

    def __init__(self, clauses=(), solver="glucose4"):
        self.solver = SOLVERS[solver](bootstrap_with=[list(c) for c in clauses if c])
        self.empty = any(len(c) == 0 for c in clauses)

    def add(self, clause):
        lits, taut = _normal(clause)
        if taut:
            return
        if not lits:
            self.empty = True
            return
        self.solver.add_clause(lits)

    def is_rup(self, clause):
        """True when the clause's negation propagates to a conflict."""
        if self.empty:
            return True
        lits, taut = _normal(clause)
        if taut:
            return True
        status, _ = self.solver.propagate(assumptions=[-l for l in lits])
        return status is False

    def refuted(self):
        """True when the loaded clauses propagate to a conflict at the root."""
        return self.is_rup([])

    def consequence(self, clause, conflicts=10000):
        """True when the clause follows (a solve under its negation says unsat within the
        conflict budget); False when it does not or the budget ran out."""
        if self.is_rup(clause):
            return True
        lits, _ = _normal(clause)
        self.solver.conf_budget(conflicts)
        answer = self.solver.solve_limited(assumptions=[-l for l in lits])
        return answer is False

    def close(self):
        self.solver.delete()


def replay(formula, steps, engine="propagate", final=True):
    """Check `steps` ((line, deleted, lits) from files.proof_steps) against `formula` (a list of
    clauses: problem.cnf, the lemmas and the assumption units). Returns None when every added
    line is RUP and (if `final`) the proof ends in a conflict, else the reason (naming the
    proof line)."""
    if engine == "dratify":
        return _replay_dratify(formula, steps, final)
    checker = PropagateChecker(formula, solver="glucose4" if engine == "propagate" else engine)
    try:
        for line, deleted, lits in steps:
            if deleted:
                continue
            if not checker.is_rup(lits):
                return f"proof.drup line {line}: clause is not RUP"
            if not lits:
                return None  # the empty clause: refuted
            checker.add(lits)
        if final and not checker.refuted():
            return "proof.drup ends without a conflict (truncated proof?)"
        return None
    finally:
        checker.close()


def _replay_dratify(formula, steps, final):
    from dratify import CNF, check_proof
    from dratify.lits import from_dimacs

    cnf = CNF()
    for clause in formula:
        cnf.add_dimacs(clause)
    lines, internal = [], []
    for line, deleted, lits in steps:
        if deleted:
            continue
        lines.append(line)
        internal.append(("a", tuple(from_dimacs(l) for l in lits)))
        if not lits:
            break
    else:
        lines.append(None)
        internal.append(("a", ()))  # the final conflict, as an empty clause
    result = check_proof(cnf, internal, check_rat=False, apply_deletions=False,
                         engine="python")
    if result.ok:
        return None
    if not final and result.failed_step == len(internal) and lines[-1] is None:
        return None  # every line checked; no final conflict asked for
    if result.failed_step:
        line = lines[result.failed_step - 1]
        if line is None:
            return "proof.drup ends without a conflict (truncated proof?)"
        return f"proof.drup line {line}: clause is not RUP"
    return f"proof.drup: {result.reason}"


ENGINES = ("propagate", "minisat22", "dratify")
