"""Reverse unit propagation (RUP) with engines that are not CaDiCaL (docs, "Checking the proof").

`PropagateChecker` keeps one MiniSat-class PySAT solver (Glucose 4.1 by default, MiniSat 2.2
on request) and asks its `propagate` whether a clause's negation propagates to a conflict;
that is the whole RUP test (Goldberg & Novikov, DATE 2003; the DRUP format of Heule, Hunt &
Wetzler, 2013). It is also used for the Boolean checks of problem.cnf, with `consequence`
calling `solve` under a conflict budget.

`replay` checks a DRUP proof. The engine "drup" is the checker's own compiled
DRUP checker (drup.hpp/drup.cpp through _drup.pyx): two watched literals, deletions honoured
(except those of unit clauses and of the reasons of root literals: keeping a clause is sound),
and backward, core-first checking after Heule, Hunt & Wetzler (FMCAD 2013) and Wetzler, Heule
& Hunt (SAT 2014): a forward pass adds every line until the clauses propagate to a conflict at
the root; a backward pass then checks by RUP only the lemmas that conflict, or a later check,
used. It reads proof.drup itself when given the file (`proof=(path, max_var)`) and leaves any
file its plain reader does not accept to `steps` (files.proof_steps: the same verdicts and
messages). A proof it rejects with deletions honoured is checked again with every deletion
ignored, and that verdict stands: honouring deletions can only make RUP fail (a clause CaDiCaL
re-adds silently, as after variable elimination, or a theory clause it received twice), never
succeed, so the answer is exactly that of checking against all clauses ever loaded. A
rejected proof is checked once more, forward, every line (as the Glucose engine does), so that
the message names the first line that is not RUP. "drup-forward" is the same engine checking
every added line in order (no backward pass): it rejects a line that is not RUP even where the
refutation does not need it, as the PySAT engines do; it is the default (see DEFAULT).

"glucose4" (alias "propagate", the default before) and "minisat22" check forward with PySAT's
`propagate`: every added line must be RUP from everything loaded so far (the formula, the
verified lemmas, the assumption units and the earlier lines); deletions are ignored, which is
sound because RUP is monotone in the clause set. At the end the loaded clauses must propagate
to a conflict at the root (CaDiCaL 1.9.5 writes no final step for an unsat answer under
assumptions). Every engine stops at the first empty clause of the proof.
"""

from pysat.solvers import Glucose4, Minisat22

try:
    from ._drup import DrupChecker
except ImportError:   # a build without the compiled modules (SMTSCHED_PUREPYTHON=1)
    DrupChecker = None

__all__ = ["PropagateChecker", "replay", "ENGINES", "DEFAULT"]

SOLVERS = {"glucose4": Glucose4, "propagate": Glucose4, "minisat22": Minisat22}

# The default engine: the compiled checker, every line checked in order, where it was built;
# else Glucose (also every line). Every line, not only those the refutation needs (the
# backward "drup", faster: 2.4 s against 8.9 s for ft10's replay): a certificate holding a
# false step is rejected even where the rest proves the claim, so that a tampered proof or a
# dropped lemma some line used is always caught (backward checking accepted 4 of 10 la19
# certificates with one lemma dropped: honest refutations still, but not what was written).
DEFAULT = "drup-forward" if DrupChecker is not None else "glucose4"

NOT_RUP = "proof.drup line {}: clause is not RUP"
NO_CONFLICT = "proof.drup ends without a conflict (truncated proof?)"


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


def replay(formula, steps, engine=None, final=True, proof=None):
    """Check `steps` ((line, deleted, lits) from files.proof_steps) against `formula` (a list of
    clauses: problem.cnf, the lemmas and the assumption units). Returns None when the proof is
    accepted (every added line RUP, or with "drup" every line the refutation needs) and (if
    `final`) it ends in a conflict, else the reason (naming the proof line).

    `proof`: (path, max_var) of the file `steps` reads, for an engine that reads it itself."""
    engine = engine or DEFAULT
    if engine == "dratify":
        return _replay_dratify(formula, steps, final)
    if engine in ("drup", "drup-forward"):
        return _replay_drup(formula, steps, final, proof, forward=engine == "drup-forward")
    checker = PropagateChecker(formula, solver=engine)
    try:
        for line, deleted, lits in steps:
            if deleted:
                continue
            if not checker.is_rup(lits):
                return NOT_RUP.format(line)
            if not lits:
                return None  # the empty clause: refuted
            checker.add(lits)
        if final and not checker.refuted():
            return NO_CONFLICT
        return None
    finally:
        checker.close()


def _replay_drup(formula, steps, final, proof, forward=False):
    if DrupChecker is None:
        raise RuntimeError("the compiled RUP engine 'drup' is not built "
                           "(smtsched installed with SMTSCHED_PUREPYTHON=1?); "
                           "use --engine glucose4")
    checker = DrupChecker()
    for clause in formula:
        checker.add_formula(clause)
    loaded = False
    if proof is not None:
        path, max_var = proof
        loaded = checker.load_file(path, max_var, True)
        if loaded and final and not checker.saw_empty:
            # no empty clause: the Python reader decides whether that is allowed
            checker.clear_steps()
            loaded = False
    if not loaded:
        for line, deleted, lits in steps:
            checker.add_step(line, deleted, lits)
            if not deleted and not lits:
                break
    verdict = checker.run(final, True, forward)
    if verdict != 0:
        # honouring deletions can only lose clauses: the verdict with all of them stands
        verdict = checker.run(final, False, forward)
    if verdict != 0 and final and not forward:
        # rejected: a forward pass names the first line that is not RUP (backward, only the
        # empty clause may be found wanting when an earlier lemma is the culprit). It cannot
        # accept what the backward pass rejected: it checks more lines against the same clauses.
        verdict = checker.run(final, False, True) or verdict
    if verdict == 0:
        return None
    if verdict == 1:
        return NOT_RUP.format(checker.fail_line)
    if verdict == 2:
        return NO_CONFLICT
    return "proof.drup: the RUP checker met a broken invariant (a checker bug): not verified"


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


ENGINES = ("drup", "drup-forward", "glucose4", "propagate", "minisat22", "dratify")
