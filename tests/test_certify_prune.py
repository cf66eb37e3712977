"""problem.cnf keeps only the components of the clause graph that the refutation touches
(smtsched.certify.prune): the variables of the proof lines, the lemmas, the assumptions and
the constraint records, and everything connected to them through clauses and definitions.
Pruned certificates verify; the clauses left out are the ones no RUP step can reach; a pruned
certificate missing a clause the proof needs is rejected.
"""
import io
import os

import pytest

from smtsched.certify import check, prune
from smtsched.sched import OPTIMAL, Model, bound_proof


def test_components_of_the_proof_variables_are_kept_and_the_rest_dropped(monkeypatch):
    monkeypatch.setattr(prune, "MIN_CLAUSES", 0)
    clauses = [[1, 2], [2, 3], [4, 5], [6], [7, -8], [9]]
    proof = io.BytesIO(b"-1 0\nd 2 3 0\n0\n")
    keep = prune.relevant_variables(lambda: clauses, len(clauses), {10: ("and", [7, 9])},
                                    {6}, proof)
    assert keep == {1, 2, 3, 6}
    assert proof.tell() == 0   # the file's position is kept
    # a definition joins its gate and arguments: 10 seeds 7, 8, 9
    keep = prune.relevant_variables(lambda: clauses, len(clauses), {10: ("and", [7, 9])},
                                    {10}, io.BytesIO(b"0\n"))
    assert keep == {7, 8, 9, 10}


def test_small_problems_and_long_proofs_are_kept_whole(monkeypatch):
    clauses = [[1, 2], [3]]
    assert prune.relevant_variables(lambda: clauses, 2, {}, set(), io.BytesIO(b"0\n")) is None
    monkeypatch.setattr(prune, "MIN_CLAUSES", 0)
    monkeypatch.setattr(prune, "MAX_PROOF_BYTES", 4)
    assert prune.relevant_variables(lambda: clauses, 2, {}, set(),
                                    io.BytesIO(b"1 2 0\n0\n")) is None
    monkeypatch.setattr(prune, "MAX_PROOF_BYTES", 1 << 20)
    assert prune.relevant_variables(lambda: clauses, 2, {}, set(),
                                    io.BytesIO(b"c comment\n0\n")) is None


def one_machine(n, monkeypatch):
    """n tasks of durations 1..n on one machine, nothing else: the optimum is their sum, the
    machine's energy (a bound lemma), and the proof touches none of the n(n-1)/2 pairs. (The
    greedy schedule meets the bound, whose certificate needs no lowering at all: that path is
    switched off here, to have the whole problem to prune.)"""
    monkeypatch.setattr(bound_proof, "standalone", lambda model, value: None)
    m = Model("one machine")
    m.unary([m.task(f"t{i}", 1 + i % 5) for i in range(n)])
    m.minimize_makespan()
    return m


def cnf_clauses(folder):
    with open(os.path.join(folder, "problem.cnf"), encoding="utf-8") as f:
        return [line for line in f if not line.startswith(("p", "c"))]


@pytest.mark.parametrize("threshold", [0, 10 ** 9])
def test_a_pruned_certificate_verifies_and_is_smaller(tmp_path, monkeypatch, threshold):
    monkeypatch.setattr(prune, "MIN_CLAUSES", threshold)
    result = one_machine(40, monkeypatch).solve(proof=str(tmp_path))
    assert result.status == OPTIMAL
    verdict = check(str(tmp_path))
    assert verdict.ok, verdict.reason
    kept = len(cnf_clauses(tmp_path))
    if threshold == 0:
        assert kept < 200   # the units of the bound lemma's chains, not the 780 pairs
    else:
        assert kept > 780


def test_a_pruned_certificate_without_a_fact_the_proof_needs_is_rejected(tmp_path,
                                                                         monkeypatch):
    monkeypatch.setattr(prune, "MIN_CLAUSES", 0)
    assert one_machine(12, monkeypatch).solve(proof=str(tmp_path)).status == OPTIMAL
    path = os.path.join(tmp_path, "problem.cnf")
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    header, body = lines[0], lines[1:]
    units = [line for line in body if len(line.split()) == 2]
    assert units
    body.remove(units[0])   # a release or a makespan fact of the bound lemma
    count = header.split()
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"p cnf {count[2]} {len(body)}\n")
        f.writelines(body)
    verdict = check(str(tmp_path))
    assert not verdict.ok
