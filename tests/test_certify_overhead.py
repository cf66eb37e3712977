"""What proof mode costs (issue 15: at most 25% over a search without it), pinned where the
cheap paths could go wrong: the engine's reason path for a single theory, the witness finder's
one-pass cycle and its cache of premise edges, and the writer's JSON files.
"""
import json
import os
import random
import re
import shutil

import pytest

from smtsched import Int, Or, Solver
from smtsched.certify import check
from smtsched.certify.emit import Certificate
from smtsched.certify.witness import _reason_cycle, find
from smtsched.compile import compile_problem
from smtsched.core.factory import build_theories
from smtsched.engine import Engine

def unsat_orderings(seed, n=9):
    """A random unsat difference problem: each x_k is before x_{k+1} or x_{k+2} (indices mod
    n), by a random gap, so every choice closes a negative cycle; plus random disjunctions."""
    rng = random.Random(seed)
    xs = [Int(f"x{k}") for k in range(n)]
    formulas = []
    for k in range(n):
        formulas.append(Or(xs[k] - xs[(k + 1) % n] <= -rng.randint(1, 3),
                           xs[k] - xs[(k + 2) % n] <= -rng.randint(1, 3)))
    for _ in range(n):
        i, j = rng.sample(range(n), 2)
        formulas.append(Or(xs[i] - xs[j] <= rng.randint(-4, 4),
                           xs[j] - xs[i] <= rng.randint(-4, 4)))
    return formulas


def test_one_theory_in_proof_mode_gives_the_sink_every_reason_without_an_origin_map():
    """With one theory the proof path explains through the theory directly (no origin map
    filled at each propagation), and still hands every clause CaDiCaL got to the sink, in
    the order it got them."""
    reasons = 0
    for seed in range(6):
        core = compile_problem(unsat_orderings(seed))
        built = build_theories(core)
        cert = Certificate(core)
        cert.sources(built.theories, built.specs)
        engine = Engine(core.num_vars, core.clauses, built.theories, log_lemmas=True,
                        proof=cert)
        outcome = engine.solve()
        assert outcome.status == "unsat"
        bridge = engine.bridge
        assert not bridge.track_origin and not bridge.origin
        assert bridge.single is built.theories[0]        # asked for every reason
        logged = [clause for clause, kind, _ in cert.records if kind not in ("retire", "stop")]
        assert logged == outcome.lemmas
        reasons += sum(kind == "reason" for _, kind, _ in cert.records)
    assert reasons > 0


def test_certificates_of_one_theory_verify_and_their_json_files_read_back(tmp_path):
    for seed in range(4):
        folder = tmp_path / str(seed)
        solver = Solver()
        solver.set(proof=str(folder))
        solver.add(*unsat_orderings(seed))
        assert str(solver.check()) == "unsat"
        verdict = check(str(folder))
        assert verdict.status == "verified", verdict.reason
        with open(folder / "manifest.json") as f:
            manifest = json.load(f)
        assert manifest["complete"] and manifest["claim"] == {"kind": "unsat"}
        with open(folder / "constraints.json") as f:
            assert isinstance(json.load(f), list)


def atoms(*rows):
    """atom_of for Int atoms var -> x_p - x_q <= bound."""
    table = {var: ("Int", p, q, bound, False) for var, p, q, bound in rows}
    return table.get


def test_the_one_pass_cycle_takes_a_reason_as_the_theory_writes_it():
    # the reason of x1 - x3 <= -2 (var 3) by the path x1 - x2 <= -1 (var 1), x2 - x3 <= -1
    # (var 2), as DifferenceLogic.explain writes it: [lit, the path from the target back]
    atom_of = atoms((1, 1, 2, -1), (2, 2, 3, -1), (3, 1, 3, -2))
    clause = [3, -1, -2]
    assert _reason_cycle(clause, atom_of) == [0, 2, 1]
    assert find(clause, atom_of) == ("cycle", {"cycle": [0, 2, 1]})


def test_the_one_pass_cycle_needs_a_negative_walk():
    # the same walk with weights summing to zero: no cycle, no witness
    atom_of = atoms((1, 1, 2, 0), (2, 2, 3, 0), (3, 1, 3, -1))
    assert _reason_cycle([3, -1, -2], atom_of) is None
    assert find([3, -1, -2], atom_of) is None


def test_a_reason_in_another_order_still_gets_its_cycle():
    atom_of = atoms((1, 1, 2, -1), (2, 2, 3, -1), (3, 1, 3, -2))
    shuffled = [-2, 7, 3, -1]   # 7: not an atom (a Boolean of the lemma)
    assert _reason_cycle(shuffled, atom_of) is None
    rule, witness = find(shuffled, atom_of)
    assert rule == "cycle" and sorted(witness["cycle"]) == [0, 2, 3]


def test_the_edge_cache_follows_the_atom_table():
    """Premise edges are cached per atom table: the same variable numbers in another table
    (another certificate) mean other atoms."""
    first = atoms((1, 1, 2, -1), (2, 2, 1, 0))     # x1 - x2 <= -1, x2 - x1 <= 0: a cycle
    second = atoms((1, 1, 2, 1), (2, 2, 1, 0))     # x1 - x2 <= 1: none
    assert find([-1, -2], first) is not None
    assert find([-1, -2], second) is None
    assert find([-1, -2], first) is not None


# -- the suite's background checking (tests/certified.py) -------------------------------------

def forget_kept_copies(message):
    """Remove the copies of rejected certificates that certified.py keeps for people."""
    for kept in re.findall(r"kept in (\S+)/certificate", message):
        shutil.rmtree(kept, ignore_errors=True)


def test_a_rejected_certificate_checked_in_the_background_fails_at_settle(tmp_path):
    import certified

    folder = tmp_path / "cert"
    solver = Solver()
    solver.set(proof=str(folder))
    solver.add(*unsat_orderings(1))
    assert str(solver.check()) == "unsat"
    lemmas = (folder / "lemmas.jsonl").read_text().splitlines()
    (folder / "lemmas.jsonl").write_text("\n".join(lemmas[1:]) + "\n")   # a lemma dropped
    (folder / "proof.drup").write_text("")                               # and no proof
    counts, not_judged = certified.COUNTS.copy(), certified.NOT_JUDGED.copy()
    try:
        certified.submit(str(folder))
        with pytest.raises(AssertionError, match="rejected") as rejected:
            certified.settle()
        forget_kept_copies(str(rejected.value))
    finally:
        certified.COUNTS.clear()
        certified.COUNTS.update(counts)
        certified.NOT_JUDGED.clear()
        certified.NOT_JUDGED.update(not_judged)
    assert not folder.exists()   # judged, then removed


def test_the_input_outside_a_certificate_is_copied_before_the_background_check(tmp_path):
    import certified

    source = tmp_path / "problem.smt2"
    source.write_text("(check-sat)\n")
    folder = tmp_path / "cert"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps(
        {"input": {"file": str(source), "format": "smtlib", "sha256": "x"}}))
    certified.snapshot_input(str(folder))
    source.write_text("(assert false)\n")    # the test goes on and changes its input
    manifest = json.loads((folder / "manifest.json").read_text())
    copy = folder / manifest["input"]["file"]
    assert copy.read_text() == "(check-sat)\n" and manifest["input"]["sha256"] == "x"


def test_a_checker_process_that_dies_fails_the_test_and_the_next_check_runs_again(tmp_path):
    import certified

    if not certified.in_background():
        pytest.skip("SMTSCHED_CERTIFY_SYNC=1: no background checker")

    def certificate(name):
        folder = tmp_path / name
        solver = Solver()
        solver.set(proof=str(folder))
        solver.add(*unsat_orderings(2))
        assert str(solver.check()) == "unsat"
        return str(folder)

    counts, not_judged = certified.COUNTS.copy(), certified.NOT_JUDGED.copy()
    try:
        certified.submit(certificate("first"))
        certified.settle()
        dead = tmp_path / "dead"
        dead.mkdir()
        certified._pending.append((certified._pool.submit(os._exit, 3), str(dead)))
        with pytest.raises(AssertionError, match="checker failed") as failed:
            certified.settle()
        forget_kept_copies(str(failed.value))
        certified.submit(certificate("again"))
        certified.settle()
        assert certified.COUNTS["verified"] == counts["verified"] + 2
    finally:
        certified.COUNTS.clear()
        certified.COUNTS.update(counts)
        certified.NOT_JUDGED.clear()
        certified.NOT_JUDGED.update(not_judged)


def test_the_counts_of_xdist_workers_add_up_in_the_summary():
    # each pytest-xdist worker exports its counts at the end; the controller merges them
    import certified

    saved = (certified.COUNTS.copy(), certified.NOT_JUDGED.copy(), list(certified._late),
             list(certified._missing))
    try:
        certified.COUNTS.clear()
        certified.NOT_JUDGED.clear()
        certified.COUNTS.update({"verified": 3, "not written": 1})
        certified.NOT_JUDGED.update({"not written: no tasks": 1})
        exported = json.loads(json.dumps(certified.export()))   # plain data, as xdist sends it
        certified.COUNTS.clear()          # the controller, which runs no tests
        certified.NOT_JUDGED.clear()
        certified.merge(exported, "gw0")
        certified.merge(exported, "gw3")
        certified.merge({"counts": {"verified": 2, "rejected": 1}, "not_judged": {},
                         "late": ["  REJECTED outside a test: x"]}, "gw1")
        certified.merge(None, "gw2")
        lines = certified.summary()
        assert lines[0].endswith(": 2 not written, 1 rejected, 8 verified"), lines
        assert "  2 x not written: no tasks" in lines
        assert "  REJECTED outside a test: x" in lines
        assert any("gw2" in line and "crashed" in line for line in lines)
    finally:
        certified.COUNTS.clear()
        certified.COUNTS.update(saved[0])
        certified.NOT_JUDGED.clear()
        certified.NOT_JUDGED.update(saved[1])
        certified._late[:] = saved[2]
        certified._missing[:] = saved[3]


def test_the_one_pass_cycle_over_real_atoms_counts_strict_edges():
    # x1 - x2 < 0 (var 1), x2 - x3 <= 0 (var 2); the reason of x1 - x3 < 0 (var 3)
    atom_of = {1: ("Real", 1, 2, 0, True), 2: ("Real", 2, 3, 0, False),
               3: ("Real", 1, 3, 0, True)}.get
    # premises: x3 - x1 <= 0 (the failed strict atom), x1 - x2 < 0, x2 - x3 <= 0: the walk
    # sums to 0 with a strict edge, a contradiction
    assert _reason_cycle([3, -1, -2], atom_of) == [0, 2, 1]
    # with x1 - x2 <= 0 (not strict) it sums to 0 and proves nothing
    atom_of = {1: ("Real", 1, 2, 0, False), 2: ("Real", 2, 3, 0, False),
               3: ("Real", 1, 3, 0, True)}.get
    assert _reason_cycle([3, -1, -2], atom_of) is None
    assert find([3, -1, -2], atom_of) is None
