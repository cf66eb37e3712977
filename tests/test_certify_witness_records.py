"""Witness records (issue 15, proof mode's cost): in proof mode the disjunctive and cumulative
theories hand the certificate sink the witness of each clause they make (the window and tasks
of an overload, edge-finding or timetable step, the tasks of an ordering cut), and the lemma
lines use it instead of the emitter's witness search (smtsched.certify.witness.find, which
stays the fallback: difference logic, clauses without a record).

On real instances (PSPLIB j30, job shops of la01's and ft06's size, ../shared/data; skipped
when absent): every certificate verifies with the independent checker, the records are
used (counted: the finder is not asked for the global lemmas), a certificate made without
records (the finder alone) verifies as well, and a recorded witness made wrong is rejected
(the checker verifies records like any witness: nothing is trusted). Twin agreement of the
records: tests/test_cumulative_twins.py and tests/test_disjunctive_twins.py.
"""
import json
import os

import pytest

from smtsched.certify import check, emit, witness
from smtsched.sched import OPTIMAL, read_model

# The compiled theories' reasoning makes the lemmas counted here (the pure-Python disjunctive
# twin reasons at the root only, and j3030_1 takes minutes on the reference theories). Only a
# pure-Python install skips: a built extension that fails to import is a failure.
if os.environ.get("SMTSCHED_PUREPYTHON") == "1":
    pytest.skip("the Cython extensions are not built (pure-Python install)",
                allow_module_level=True)

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(HERE, "..", "..", "shared", "data")

INSTANCES = [("rcpsp", "j30", "j301_1.sm"), ("rcpsp", "j30", "j3010_1.sm"),
             ("rcpsp", "j30", "j3030_1.sm"), ("jssp", "la01.txt"), ("jssp", "ft06.txt")]
GLOBAL = ("disjunctive", "cumulative")


@pytest.fixture(autouse=True)
def _no_tabu_search(monkeypatch):
    """These certificates are of searches: the tabu search would solve the small job shops
    at their static bound without one (Optimizer.LOCAL_SEARCH)."""
    from smtsched.sched.optimize import Optimizer
    monkeypatch.setattr(Optimizer, "LOCAL_SEARCH", False)


def data(*parts):
    path = os.path.join(DATA, *parts)
    if not os.path.exists(path):
        pytest.skip(f"benchmark data not found: {path} (set SMTSCHED_DATA)")
    return path


class Spy:
    """Counts, while installed, the Certificates made (their witness_counts) and the
    finder's calls for disjunctive and cumulative lemmas."""

    def __init__(self, monkeypatch):
        self.certificates = []
        self.global_finds = 0
        init, find = emit.Certificate.__init__, witness.find
        spy = self

        def certificate_init(self, *args, **kwargs):
            init(self, *args, **kwargs)
            spy.certificates.append(self)

        def counting_find(clause, atom_of, constraint=None):
            if constraint is not None and type(constraint).__name__ in (
                    "DisjunctiveSpec", "CumulativeSpec"):
                spy.global_finds += 1
            return find(clause, atom_of, constraint)

        monkeypatch.setattr(emit.Certificate, "__init__", certificate_init)
        monkeypatch.setattr(witness, "find", counting_find)

    def counts(self):
        total = {"recorded": 0, "found": 0, "none": 0}
        for certificate in self.certificates:
            for key, n in certificate.witness_counts.items():
                total[key] += n
        return total


def certify(path, folder):
    fmt = "psplib" if path.endswith(".sm") else "jobshop"
    result = read_model(path).solve(proof=str(folder), proof_input={"file": path,
                                                                    "format": fmt})
    assert result.status == OPTIMAL
    verdict = check(str(folder))
    assert verdict.ok, f"{path}: {verdict.status}: {verdict.reason}"
    return result


def lemma_files(folder):
    return [os.path.join(root, "lemmas.jsonl") for root, _, files in os.walk(folder)
            if "lemmas.jsonl" in files]


def global_lemmas(folder):
    """(line number, record) of the disjunctive and cumulative theories' lemma lines."""
    out = []
    for path in lemma_files(folder):
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                record = json.loads(line)
                if record.get("theory") in GLOBAL and record.get("kind") != "bound":
                    out.append((path, number, record))
    return out


@pytest.mark.parametrize("parts", INSTANCES, ids=lambda parts: parts[-1])
def test_certificates_verify_and_use_the_theories_records(parts, tmp_path, monkeypatch):
    path = data(*parts)
    spy = Spy(monkeypatch)
    certify(path, tmp_path)
    lemmas = global_lemmas(tmp_path)
    counts = spy.counts()
    assert lemmas, "no disjunctive or cumulative lemma: the instance tests nothing"
    # every global lemma line took the theory's record: the finder ran for none of them
    assert counts["recorded"] == len(lemmas)
    assert spy.global_finds == 0
    assert counts["none"] == 0
    assert {record["rule"] for _, _, record in lemmas} <= {"energy", "clique"}


def test_without_records_the_finder_makes_the_same_certificate_verify(tmp_path, monkeypatch):
    # the fallback: a sink that turns no theory's recording on gets every witness by search
    path = data("jssp", "la01.txt")
    spy = Spy(monkeypatch)
    monkeypatch.setattr(emit.Certificate, "_record", lambda self, theory, spec: None)
    certify(path, tmp_path)
    lemmas = global_lemmas(tmp_path)
    assert lemmas and spy.counts()["recorded"] == 0
    assert spy.global_finds == len(lemmas)


def test_a_wrong_recorded_witness_is_rejected(tmp_path):
    # a record is checked like any witness: one task fewer in an overload's window (its
    # energy no longer exceeds the window) makes the certificate fail
    path = data("jssp", "la01.txt")
    certify(path, tmp_path)
    for lemmas_path, number, record in global_lemmas(tmp_path):
        tasks = record["witness"]["tasks"]
        if record["rule"] == "energy" and len(tasks) > 1:
            break
    else:
        pytest.fail("no energy witness of two tasks or more")
    with open(lemmas_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    record["witness"]["tasks"] = tasks[:1]
    lines[number - 1] = json.dumps(record)
    with open(lemmas_path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    verdict = check(str(tmp_path))
    assert not verdict.ok
    assert f"line {number}" in str(verdict.reason) or "energy" in str(verdict.reason)
