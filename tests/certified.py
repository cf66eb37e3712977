"""Every unsat answer the test suite gets from `smtsched.Solver`, and every OPTIMAL and
INFEASIBLE answer of `Model.solve`, is certified and checked (issue 15): conftest installs
wrappers that give each `Solver.check` and `Model.solve` without a `proof` of its own a
temporary certificate folder and, when the answer is one to certify, run the independent
checker on it. A rejected certificate fails the test that got the answer.

A certificate the checker cannot judge yet (a pseudo-Boolean or cost constraint, for which
the checker has no rule; an SMT-LIB construct its own reader does not support) is counted and
shown in pytest's summary, never passed off as verified. SMTSCHED_CERTIFY_ALL=0 turns the
whole thing off (e.g. to time the suite without it).
"""
import os
import re
import shutil
import tempfile
from collections import Counter

COUNTS = Counter()      # verdict status -> number of unsat answers
NOT_JUDGED = Counter()  # the first line of the reason -> number, for the summary

_installed = None
suspended = False       # set by conftest for a test marked `uncertified`


def enabled():
    return os.environ.get("SMTSCHED_CERTIFY_ALL", "1") != "0"


def install():
    """Wrap Solver.check (idempotent)."""
    global _installed
    from smtsched.solver import Solver

    if _installed is not None:
        return
    original = _installed = Solver.check

    def certifying_check(self, *assumptions):
        if self._proof is not None or suspended:
            # the test certifies itself, or compares the search with one without proof
            # mode (which explains root implications, so the theory counters differ)
            return original(self, *assumptions)
        folder = tempfile.mkdtemp(prefix="smtsched-cert-")
        self._proof = folder
        try:
            result = original(self, *assumptions)
        finally:
            self._proof = None
        try:
            if str(result) == "unsat":
                judge(folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return result

    Solver.check = certifying_check

    from smtsched.sched.model import Model
    from smtsched.sched.result import INFEASIBLE, OPTIMAL

    solve = Model.solve

    def certifying_solve(self, *args, proof=None, proof_input=None, **kwargs):
        if proof is not None or proof_input is not None or suspended:
            return solve(self, *args, proof=proof, proof_input=proof_input, **kwargs)
        folder = tempfile.mkdtemp(prefix="smtsched-cert-")
        try:
            result = solve(self, *args, proof=folder, **kwargs)
            if result.status in (OPTIMAL, INFEASIBLE):
                if result.certificate is not None:
                    judge(folder)
                else:
                    COUNTS["not written"] += 1
                    note = re.sub(r"[0-9]+", "N", str(result.certificate_note))
                    NOT_JUDGED[f"not written: {note}"[:130]] += 1
            return result
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    Model.solve = certifying_solve


def judge(folder):
    """Check the certificate in `folder`; AssertionError when the checker rejects it."""
    from smtsched.certify import check

    verdict = check(folder)
    status = verdict.status
    reason = verdict.reason or ""
    if status == "rejected" and "unsupported by the checker" in reason:
        status = "unsupported"
    COUNTS[status] += 1
    if status == "rejected":
        kept = tempfile.mkdtemp(prefix="smtsched-rejected-")
        shutil.copytree(folder, os.path.join(kept, "certificate"))
        raise AssertionError(f"the certificate of this answer is rejected: {reason} "
                             f"(kept in {kept}/certificate)")
    if status != "verified":
        # grouped by what is missing, not by where (numbers of lines and variables masked)
        masked = re.sub(r"[0-9]+", "N", reason.splitlines()[0])
        masked = re.sub(r"(, lemmas\.jsonl line N)+", ", ...", masked)
        NOT_JUDGED[f"{status}: {masked[:110]}"] += 1


def summary():
    """Lines for pytest's terminal summary."""
    if not COUNTS:
        return []
    lines = ["certificates of unsat, OPTIMAL and INFEASIBLE answers: "
             + ", ".join(f"{n} {status}" for status, n in sorted(COUNTS.items()))]
    for reason, n in NOT_JUDGED.most_common(8):
        lines.append(f"  {n} x {reason}")
    return lines
