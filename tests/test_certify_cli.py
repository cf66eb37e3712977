"""`smtsched solve --proof DIR`, `smtsched check-proof DIR` and `Solver.set(proof=DIR)`:
certificates are written for the unsat answers only, one folder per check-sat, and the checker
confirms the honest ones and rejects tampered ones (issue 15)."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from smtsched import Bool, Int, Not, Or, Solver, unsat
from smtsched.certify import check

SCRIPT = """(set-logic QF_IDL)
(declare-fun x () Int)
(declare-fun y () Int)
(declare-fun z () Int)
(declare-fun p () Bool)
(assert (or p (< x y)))
(assert (=> p (< y x)))
(assert (< y z))
(assert (< z x))
(check-sat)
(push 1)
(assert (< x y))
(check-sat)
(pop 1)
(check-sat-assuming ((not p)))
"""


def run(*args, stdin=None):
    # from the tests folder: in the checkout root, `-m smtsched` would import the source
    # folder, which has no compiled theories when the package is installed (not editable)
    return subprocess.run([sys.executable, "-m", "smtsched", *args], input=stdin,
                          capture_output=True, text=True, timeout=120,
                          cwd=os.path.dirname(os.path.abspath(__file__)))


def test_solve_writes_a_certificate_per_unsat_check_sat_and_check_proof_verifies(tmp_path):
    path = tmp_path / "t.smt2"
    path.write_text(SCRIPT)
    cert = tmp_path / "cert"
    solved = run("solve", str(path), "--proof", str(cert))
    assert solved.stdout.split() == ["sat", "unsat", "unsat"], solved.stderr
    # the 2nd and the 3rd check-sat answered unsat: their folders, and no other
    assert sorted(os.listdir(cert)) == ["2", "3"]
    manifest = json.loads((cert / "3" / "manifest.json").read_text())
    assert manifest["query"] == {"check_sat": 3}
    assert manifest["claim"] == {"kind": "unsat"}
    checked = run("check-proof", str(cert))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("verified") == 2


def test_a_certificate_with_a_dropped_lemma_is_rejected_with_exit_code_1(tmp_path):
    path = tmp_path / "t.smt2"
    path.write_text(SCRIPT)
    cert = tmp_path / "cert"
    run("solve", str(path), "--proof", str(cert))
    lemmas = cert / "3" / "lemmas.jsonl"
    lines = lemmas.read_text().splitlines(keepends=True)
    assert lines, "the refutation needs the theory"
    lemmas.write_text("".join(lines[1:]))
    checked = run("check-proof", str(cert / "3"))
    assert checked.returncode == 1
    assert "verified" not in checked.stdout


def test_a_certificate_for_another_input_is_rejected(tmp_path):
    path = tmp_path / "t.smt2"
    path.write_text(SCRIPT)
    cert = tmp_path / "cert"
    run("solve", str(path), "--proof", str(cert))
    path.write_text(SCRIPT.replace("(< z x)", "(<= z x)"))
    checked = run("check-proof", str(cert / "3"))
    assert checked.returncode == 1
    assert "sha" in checked.stdout.lower() or "input" in checked.stdout.lower()


def test_standard_input_is_saved_beside_the_certificates(tmp_path):
    cert = tmp_path / "cert"
    solved = run("solve", "-", "--proof", str(cert), stdin=SCRIPT)
    assert solved.stdout.split() == ["sat", "unsat", "unsat"], solved.stderr
    assert (cert / "input.smt2").read_text() == SCRIPT
    assert check(str(cert / "2")).ok


def test_solver_proof_option_certifies_the_assertions_and_assumptions(tmp_path):
    x, y, z = Int("x"), Int("y"), Int("z")
    p = Bool("p")
    s = Solver()
    s.add(Or(p, x < y), Or(Not(p), y < x), y < z, z < x)
    s.set(proof=str(tmp_path / "c"))
    assert s.check(Not(p)) == unsat
    verdict = check(str(tmp_path / "c"))
    assert verdict.ok, str(verdict)
    # the printed input asserts the assumption: without it the claim is wrong, and the
    # checker must notice
    shutil.copytree(tmp_path / "c", tmp_path / "d")
    text = (tmp_path / "d" / "input.smt2").read_text()
    (tmp_path / "d" / "input.smt2").write_text(text.replace("(assert (not p))\n", ""))
    assert not check(str(tmp_path / "d")).ok


@pytest.mark.parametrize("bad", ["missing", "empty"])
def test_check_proof_on_a_folder_without_a_certificate_says_so(tmp_path, bad):
    folder = tmp_path / "none"
    if bad == "empty":
        folder.mkdir()
    checked = run("check-proof", str(folder))
    assert checked.returncode == 1
    assert "Traceback" not in checked.stderr
    assert checked.stdout.strip() or checked.stderr.strip()


def test_atoms_of_earlier_assumptions_do_not_spoil_a_later_certificate(tmp_path):
    # found by the differential tests: the incremental compiler keeps the atoms of an
    # earlier check's assumptions; the certificate of the later unsat check names them, and the input
    # printed then has no x0, x1 (the checker takes them as fresh variables)
    x0, x1 = Int("x0"), Int("x1")
    p0 = Bool("p0")
    s = Solver()
    s.check(x1 - x0 <= 0)
    s.set(proof=str(tmp_path / "c"))
    assert s.check(p0, Not(p0)) == unsat
    atoms = (tmp_path / "c" / "atoms.txt").read_text()
    assert '"x0"' in atoms and '"x1"' in atoms
    assert "x0" not in (tmp_path / "c" / "input.smt2").read_text()
    verdict = check(str(tmp_path / "c"))
    assert verdict.ok, str(verdict)


def test_a_disjunctive_constraint_printed_pair_by_pair_is_derived_by_the_checker(tmp_path):
    # the printed input states Disjunctive pair by pair (for z3); the certificate names the
    # constraint its theory enforced, which the checker derives from the pairs (found with
    # the SolverBackend of the scheduling optimiser)
    from smtsched import Disjunctive
    s1, s2, s3 = Int("s1"), Int("s2"), Int("s3")
    s = Solver()
    s.add(Disjunctive([s1, s2, s3], [3, 4, 2]), s1 >= 0, s2 >= 0, s3 >= 0,
          s1 + 3 <= 8, s2 + 4 <= 8, s3 + 2 <= 8)
    s.set(proof=str(tmp_path / "c"))
    assert s.check() == unsat
    assert "disjunctive" in (tmp_path / "c" / "constraints.json").read_text()
    verdict = check(str(tmp_path / "c"))
    assert verdict.ok, str(verdict)
    # one pair less in the input (the manifest's SHA-256 updated to match): the constraint
    # does not follow any more
    import hashlib
    path = tmp_path / "c" / "input.smt2"
    text = path.read_text()
    pair = "(or (>= (- s3 s2) 4) (>= (- s2 s3) 2))"
    assert pair in text
    path.write_text(text.replace(pair, "true"))
    manifest = json.loads((tmp_path / "c" / "manifest.json").read_text())
    manifest["input"]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (tmp_path / "c" / "manifest.json").write_text(json.dumps(manifest))
    verdict = check(str(tmp_path / "c"))
    assert verdict.status == "rejected" and "constraints.json" in verdict.reason, str(verdict)


@pytest.mark.parametrize("script", [
    "(declare-const p Bool)(declare-const q Bool)(declare-const r Bool)"
    "(assert (not (=> p q r)))(check-sat-assuming ((=> p q r)))",
    "(declare-const p1 Bool)(declare-const r1 Real)"
    "(check-sat-assuming ((and false (< r1 (- 4))) p1))",
])
def test_assumed_formulas_folded_otherwise_than_the_checker_reads_them_verify(tmp_path,
                                                                             script):
    # found by the checker's SMT-LIB differential: smtsched's gates for an assumed formula
    # are not the checker's, so the manifest's assumption literal is not the query's; it is
    # implied by the query's assumptions, which is enough
    path = tmp_path / "t.smt2"
    path.write_text(script + "\n")
    solved = run("solve", str(path), "--proof", str(tmp_path / "c"))
    assert solved.stdout.split() == ["unsat"], solved.stderr
    checked = run("check-proof", str(tmp_path / "c"))
    assert checked.returncode == 0, checked.stdout


def test_cumulative_tasks_that_never_load_the_resource_do_not_spoil_the_certificate(
        tmp_path):
    # found by the checker's SMT-LIB reader tests: a task of duration 0 or demand 0 is in
    # constraints.json but not in the printed meaning, which omits it
    from smtsched import Cumulative
    a, b, c, z = Int("a"), Int("b"), Int("c"), Int("z")
    s = Solver()
    s.add(Cumulative([a, b, c, z], [3, 3, 0, 2], [2, 2, 5, 0], 3),
          a >= 0, b >= 0, a + 3 <= 5, b + 3 <= 5, c >= 0, z >= 0)
    s.set(proof=str(tmp_path / "c"))
    assert s.check() == unsat
    verdict = check(str(tmp_path / "c"))
    assert verdict.ok, str(verdict)


def test_a_cumulative_constraint_whose_tasks_never_load_it_follows_from_nothing(tmp_path):
    # found by the suite's certification of every unsat answer (tests/test_disjunctive.py):
    # every demand 0, so the printed meaning is `true`; the constraint holds anyway
    from smtsched import Cumulative
    s0, s1 = Int("s0"), Int("s1")
    s = Solver()
    s.add(Cumulative([s0, s1], [1, 3], [0, 0], 1), s0 >= 0, s0 + 1 <= 5, s1 >= 3,
          s1 + 3 <= 5)
    s.set(proof=str(tmp_path / "c"))
    assert s.check() == unsat
    verdict = check(str(tmp_path / "c"))
    assert verdict.ok, str(verdict)


def test_an_optimising_script_writes_no_certificate_for_its_probes(tmp_path):
    # the optimiser's probes refute bounds the script does not state: their certificates
    # would name a check-sat that answered sat; the one certificate is the OPTIMAL claim
    # (tests/test_certify_optimize_smtlib.py)
    path = tmp_path / "t.smt2"
    path.write_text("(declare-fun x () Int)(assert (>= x 3))(minimize x)(check-sat)"
                    "(get-objectives)\n")
    solved = run("solve", str(path), "--proof", str(tmp_path / "c"))
    assert solved.stdout.split()[0] == "sat", solved.stdout + solved.stderr
    made = json.loads((tmp_path / "c" / "1" / "manifest.json").read_text())
    assert made["claim"] == {"kind": "optimal", "objective": "x", "sense": "minimize",
                             "value": 3}
    assert check(str(tmp_path / "c")).ok


def test_an_unwritable_proof_folder_costs_the_certificate_not_the_answer(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    p = Bool("p")
    s = Solver()
    s.add(p, Not(p))
    s.set(proof=str(blocker / "c"))
    with pytest.warns(RuntimeWarning, match="no certificate"):
        assert s.check() == unsat


def test_constants_beyond_4300_digits_are_written_and_read_exactly(tmp_path):
    # found by the suite's certification (tests/smtlib_corpus.py's long numerals): the
    # checker's reader used int(), which refuses more than 4,300 digits, and rejected an
    # honest certificate; the emitter's str() would have failed the same way
    from fractions import Fraction

    from smtsched import Real
    big = 10 ** 5000 + 7
    x, y = Real("x"), Real("y")
    s = Solver()
    s.add(x - y >= Fraction(big, 3), y - x >= Fraction(-big, 3) + 1)
    s.set(proof=str(tmp_path / "c"))
    assert s.check() == unsat
    assert len((tmp_path / "c" / "atoms.txt").read_text()) > 5000
    verdict = check(str(tmp_path / "c"))
    assert verdict.ok, str(verdict)
