"""Every unsat answer the test suite gets from `smtsched.Solver`, and every OPTIMAL and
INFEASIBLE answer of `Model.solve`, is certified and checked (issue 15): conftest installs
wrappers that give each `Solver.check` and `Model.solve` without a `proof` of its own a
temporary certificate folder and, when the answer is one to certify, run the independent
checker on it. A rejected certificate fails the test that got the answer.

A certificate the checker cannot judge (an SMT-LIB construct its own reader does not
support, a constraint record it cannot relate to the input) is counted and shown in pytest's
summary, never passed off as verified; so is an answer with no certificate written (e.g. a
peak objective over a memory without buffers), with the reason. Answers of models with
memories are certified like the others (docs/certificates.md, "Memories"). SMTSCHED_CERTIFY_ALL=0 turns the
whole thing off (e.g. to time the suite without it).

The checking runs in one background worker process while the test goes on (checking took
about half of what certifying cost the suite); conftest waits for the verdicts of a test's certificates when the test ends
(`settle`), so a rejected certificate still fails the test that got the answer, at its
teardown. SMTSCHED_CERTIFY_SYNC=1 checks each certificate at once instead, inside the test
(Hypothesis then shrinks the example whose certificate is rejected).

Under pytest-xdist every worker process has its own checker and its own counts; it hands them
over with `export` when it finishes, and the controller adds them up with `merge`, so the
summary counts the whole suite.
"""
import json
import os
import re
import shutil
import tempfile
from collections import Counter

COUNTS = Counter()      # verdict status -> number of unsat answers
NOT_JUDGED = Counter()  # the first line of the reason -> number, for the summary

_installed = None
suspended = False       # set by conftest for a test marked `uncertified`
_pool = None            # the background checker (one worker process; see _checker)
_pending = []           # (async verdict, folder) of the certificates not settled yet
_owner = os.getpid()    # the test process (whose teardown settles)
_late = []              # summary lines: rejections outside a test (also from xdist workers)
_missing = []           # xdist workers that sent no counts (crashed), for the summary


def enabled():
    return os.environ.get("SMTSCHED_CERTIFY_ALL", "1") != "0"


def in_background():
    return os.environ.get("SMTSCHED_CERTIFY_SYNC", "0") != "1"


def install():
    """Wrap Solver.check (idempotent)."""
    global _installed
    from smtsched.solver import Solver

    if _installed is not None:
        return
    if in_background():
        _checker()
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
        if str(result) == "unsat":
            submit(folder)
        else:
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
        submitted = False
        try:
            result = solve(self, *args, proof=folder, **kwargs)
            if result.status in (OPTIMAL, INFEASIBLE):
                if result.certificate is not None:
                    submit(folder)
                    submitted = True
                else:
                    COUNTS["not written"] += 1
                    note = re.sub(r"[0-9]+", "N", str(result.certificate_note))
                    NOT_JUDGED[f"not written: {note}"[:130]] += 1
            return result
        finally:
            if not submitted:
                shutil.rmtree(folder, ignore_errors=True)

    Model.solve = certifying_solve


def submit(folder):
    """Have the certificate in `folder` checked (in the background, see the module
    docstring; at once with SMTSCHED_CERTIFY_SYNC=1); the folder is removed once judged."""
    if not in_background() or os.getpid() != _owner:
        # (a forked child of the test, e.g. a benchmark worker: its own verdict, at once)
        try:
            judge(folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    snapshot_input(folder)
    _pending.append((_checker().submit(_verdict, folder), folder))


def _checker():
    """The background checker, started now if it is not running.

    An executor, not a multiprocessing.Pool: a checker that dies (a crash in compiled code)
    fails its futures, where a Pool would wait for its result for ever. Its process is forked
    at once (install() starts it before the first test): forked later, inside a test, it
    would keep whatever that test had monkeypatched."""
    global _pool
    if _pool is None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        _pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        _pool.submit(os.getpid).result()
    return _pool


def snapshot_input(folder):
    """Copy the input file the manifest names into `folder` (and name the copy there), when
    it lies outside: the test may change or delete it before the background check reads it
    (a relative name means the working directory of now, or the folder, as for the
    checker)."""
    path = os.path.join(folder, "manifest.json")
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
        name = manifest["input"]["file"]
    except (OSError, ValueError, KeyError, TypeError):
        return   # nothing to copy: the checker says what is wrong
    if not isinstance(name, str):
        return
    if not os.path.isabs(name) and os.path.exists(os.path.join(folder, name)):
        return
    source = os.path.abspath(name)
    if not os.path.isfile(source):
        return
    copy = "input-snapshot-" + os.path.basename(source)
    shutil.copyfile(source, os.path.join(folder, copy))
    manifest["input"]["file"] = copy
    with open(path, "w", encoding="utf-8") as f:
        json.dump(manifest, f)


def _verdict(folder):
    """The checker's (status, reason) on `folder` (in the background worker)."""
    from smtsched.certify import check

    verdict = check(folder)
    return verdict.status, verdict.reason or ""


def settle():
    """Wait for the verdicts of the certificates submitted so far (conftest calls it when a
    test ends); AssertionError naming every rejected one."""
    rejected = []
    while _pending:
        result, folder = _pending.pop(0)
        try:
            try:
                status, reason = result.result()
            except Exception as error:   # the checker crashed: never a pass
                status, reason = "rejected", f"the checker failed: {error!r}"
                _drop_broken_pool()
            try:
                account(folder, status, reason)
            except AssertionError as error:
                rejected.append(str(error))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if rejected:
        raise AssertionError("\n".join(rejected))


def _drop_broken_pool():
    """A checker process that died breaks the executor: the next submit makes a new one."""
    global _pool
    if _pool is not None and getattr(_pool, "_broken", False):
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


def judge(folder):
    """Check the certificate in `folder`; AssertionError when the checker rejects it."""
    from smtsched.certify import check

    verdict = check(folder)
    account(folder, verdict.status, verdict.reason or "")


def account(folder, status, reason):
    """Count a verdict; AssertionError (with a kept copy of the folder) for a rejection."""
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


def _settle_late():
    """Settle what is still pending at the end of the session (certificates made outside a
    test: none so far); a rejection becomes a summary line."""
    try:
        settle()
    except AssertionError as error:
        _late.extend(f"  REJECTED outside a test: {line}" for line in str(error).splitlines())


def export():
    """This process's counts, as plain data (an xdist worker sends them to the controller)."""
    _settle_late()
    return {"counts": dict(COUNTS), "not_judged": dict(NOT_JUDGED), "late": list(_late)}


def merge(exported, worker=None):
    """Add the counts a worker exported (in the xdist controller); None: the worker sent none
    (it crashed), which the summary says."""
    if exported is None:
        _missing.append(worker or "a worker")
        return
    COUNTS.update(exported["counts"])
    NOT_JUDGED.update(exported["not_judged"])
    _late.extend(exported["late"])


def summary():
    """Lines for pytest's terminal summary."""
    _settle_late()
    missing = [f"  (without the counts of {name}, which sent none: it crashed)"
               for name in _missing]
    if not COUNTS and not _late and not missing:
        return []
    lines = ["certificates of unsat, OPTIMAL and INFEASIBLE answers: "
             + ", ".join(f"{n} {status}" for status, n in sorted(COUNTS.items()))]
    for reason, n in NOT_JUDGED.most_common(8):
        lines.append(f"  {n} x {reason}")
    return lines + _late + missing
