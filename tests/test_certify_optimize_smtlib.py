"""OPTIMAL certificates of optimising SMT-LIB scripts (issue 15; docs/certificates.md,
"Claims"): `smtsched solve F.smt2 --proof DIR` with `(minimize t)` / `(maximize t)` writes,
for a check-sat whose first objective has a finite optimum v, the folder DIR/K with the claim
`optimal`, the model as values.json and the refutation of a better value (t <= v - 1, resp.
t >= v + 1). The checker reads the objective from the script itself, evaluates the model on
its own encoding and rejects tampered claims and values.

The oracle of the fuzz test is z3's Optimize, on a z3 model built here from the same random
description as the script (no smtsched code).
"""
import hashlib
import io
import json
import os
import random
import shutil

import pytest
import z3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smtsched.certify import check
from smtsched.smtlib.script import Script


def scaled(weight):
    """max_examples as a multiple of the active profile's baseline (tests/conftest.py)."""
    return max(1, int(settings.default.max_examples * weight))


def solve(tmp_path, text, name="t.smt2"):
    """Run the script with --proof (in this process, as the command line does); returns
    (stdout, the Script, the certificate folder)."""
    path = tmp_path / name
    data = text.encode("utf-8")
    path.write_bytes(data)
    folder = tmp_path / "cert"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    record = {"directory": str(folder), "file": str(path),
              "sha256": hashlib.sha256(data).hexdigest(), "format": "smtlib"}
    out = io.StringIO()
    script = Script(out, proof=record)
    script.run(io.BytesIO(data))
    return out.getvalue(), script, folder


def manifest(folder):
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def rewrite(path, change):
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def verified(folder):
    verdict = check(str(folder))
    assert verdict.ok, f"{folder}: {verdict.status}: {verdict.reason}"


def rejected(folder, *words):
    verdict = check(str(folder))
    assert verdict.status == "rejected", verdict
    for word in words:
        assert word in verdict.reason, verdict.reason
    return verdict


DECLS = """(declare-fun x () Int)
(declare-fun y () Int)
(declare-fun p () Bool)
(assert (>= x 3))
(assert (<= y 0))
(assert (or p (>= (- x y) 5)))
(assert (=> p (<= y (- 2))))
"""


def test_minimize_writes_a_verified_optimal_certificate(tmp_path):
    out, script, folder = solve(tmp_path, DECLS + "(minimize (- x y))(check-sat)"
                                "(get-objectives)(get-model)\n")
    assert out.split()[0] == "sat" and "((- x y) 5)" in out, out
    # the model printed after the refutation is still the optimum's
    assert "(define-fun x () Int" in out
    made = manifest(folder / "1")
    assert made["claim"] == {"kind": "optimal", "objective": "(- x y)", "sense": "minimize",
                             "value": 5}
    assert made["files"]["values"] == "values.json"
    values = json.loads((folder / "1" / "values.json").read_text())
    assert values["objective"] == 5 and set(values["values"]) == {"x", "y", "p"}
    assert script.proof_notes == [f"certificate of the optimum (- x y) = 5 written to "
                                  f"{folder / '1'}"]
    verified(folder)


def test_maximize_with_an_ite_objective_and_real_constraints_verifies(tmp_path):
    text = """(declare-fun a () Int)
(declare-fun b () Int)
(declare-fun q () Bool)
(declare-fun r () Real)
(declare-fun s () Real)
(assert (<= 0 a 7))
(assert (<= 0 b 9))
(assert (< (- r s) 0.5))
(assert (=> q (> (- r s) (/ 1 4))))
(assert (or (not q) (<= (- a b) (- 3))))
(maximize (ite q (+ a 2) (- b a)))
(check-sat)
(get-objectives)
"""
    out, _, folder = solve(tmp_path, text)
    # q: a + 2 with a <= b - 3 <= 6: 8; not q: b - a <= 9
    assert "9)" in out, out
    made = manifest(folder / "1")
    assert made["claim"]["sense"] == "maximize" and made["claim"]["value"] == 9
    verified(folder)


def test_objectives_follow_push_pop_and_check_sat_assuming(tmp_path):
    text = DECLS + """(push 1)
(maximize y)
(check-sat-assuming (p))
(pop 1)
(minimize x)
(check-sat-assuming ((not p)))
(check-sat)
"""
    out, _, folder = solve(tmp_path, text)
    assert out.split() == ["sat", "sat", "sat"], out
    assert sorted(os.listdir(folder)) == ["1", "2", "3"]
    assert manifest(folder / "1")["claim"]["value"] == -2     # y <= -2 under p
    assert manifest(folder / "2")["claim"]["value"] == 3      # x = 3, y = -2
    assert manifest(folder / "3")["claim"]["value"] == 3
    verified(folder)
    # the certificate of check-sat 1 is about y, under p: at check-sat 3 the first
    # objective is x
    rewrite(folder / "1" / "manifest.json", lambda m: m.update(query={"check_sat": 3}))
    rejected(folder / "1", "objective")


def test_an_unsat_optimising_check_sat_still_gets_its_unsat_certificate(tmp_path):
    out, _, folder = solve(tmp_path, DECLS + "(assert (< x 0))(minimize x)(check-sat)\n")
    assert out.split() == ["unsat"]
    assert manifest(folder / "1")["claim"] == {"kind": "unsat"}
    verified(folder)


def test_an_unbounded_objective_gets_no_certificate_and_says_why(tmp_path):
    out, script, folder = solve(tmp_path, DECLS + "(maximize x)(check-sat)"
                                "(get-objectives)\n")
    assert out.split()[0] == "sat" and "oo" in out
    assert not (folder / "1").exists()
    assert len(script.proof_notes) == 1
    assert "no certificate for check-sat 1" in script.proof_notes[0]
    assert "unbounded" in script.proof_notes[0]


def test_with_several_objectives_the_first_optimum_is_certified_and_the_note_says_so(
        tmp_path):
    out, script, folder = solve(tmp_path, DECLS + "(minimize (- x y))(minimize x)"
                                "(check-sat)(get-objectives)\n")
    assert "((- x y) 5)" in out and "(x 3)" in out, out
    assert manifest(folder / "1")["claim"]["objective"] == "(- x y)"
    assert "the first of 2 objectives" in script.proof_notes[0]
    verified(folder)


def test_the_command_line_says_where_the_certificate_is(tmp_path):
    import subprocess
    import sys
    path = tmp_path / "t.smt2"
    path.write_text(DECLS + "(minimize x)(check-sat)\n")
    solved = subprocess.run([sys.executable, "-m", "smtsched", "solve", str(path), "--proof",
                             str(tmp_path / "c")], capture_output=True, text=True, timeout=120,
                            cwd=os.path.dirname(os.path.abspath(__file__)))
    assert solved.stdout.split() == ["sat"]
    assert f"smtsched: certificate of the optimum x = 3 written to {tmp_path / 'c' / '1'}" \
        in solved.stderr
    checked = subprocess.run([sys.executable, "-m", "smtsched", "check-proof",
                              str(tmp_path / "c")], capture_output=True, text=True,
                             timeout=120, cwd=os.path.dirname(os.path.abspath(__file__)))
    assert checked.returncode == 0 and "verified" in checked.stdout


# -- tampering ------------------------------------------------------------------------------

@pytest.fixture
def honest(tmp_path):
    _, _, folder = solve(tmp_path, DECLS + "(minimize (- x y))(check-sat)\n")
    verified(folder)
    return folder / "1"


def test_a_better_claimed_value_is_rejected(honest):
    rewrite(honest / "manifest.json", lambda m: m["claim"].update(value=4))
    rejected(honest, "values.json")
    rewrite(honest / "values.json", lambda v: v.update(objective=4))
    rejected(honest)


def test_a_worse_claimed_value_with_a_matching_model_is_rejected(honest):
    # x = 6, y = 0 is a model of value 6: the refutation of "<= 5" does not prove "<= 6"
    rewrite(honest / "manifest.json", lambda m: m["claim"].update(value=6))
    rewrite(honest / "values.json", lambda v: v.update(
        values={"x": "6", "y": "0", "p": False}, objective=6))
    rejected(honest, "assumption")


def test_values_that_break_an_assertion_are_rejected(honest):
    # value 5 still, but y > 0 breaks (<= y 0)
    rewrite(honest / "values.json", lambda v: v.update(
        values={"x": "6", "y": "1", "p": False}))
    rejected(honest, "values.json", "assertions")
    rewrite(honest / "values.json", lambda v: v.update(
        values={"x": "5/2", "y": "0", "p": False}))
    rejected(honest, "values.json", "Int")
    rewrite(honest / "values.json", lambda v: v.update(
        values={"x": "5", "y": "0", "p": False, "z": "1"}))
    rejected(honest, "values.json", "no constant")


def test_a_changed_sense_or_objective_is_rejected(honest):
    rewrite(honest / "manifest.json", lambda m: m["claim"].update(sense="maximize"))
    rejected(honest, "sense")
    rewrite(honest / "manifest.json", lambda m: m["claim"].update(sense="minimize",
                                                                  objective="(- y x)"))
    rejected(honest, "objective")
    # the same term written otherwise is the same objective
    rewrite(honest / "manifest.json", lambda m: m["claim"].update(objective="(-  x\n y )"))
    verified(honest)


def test_a_missing_model_or_bound_is_rejected(honest):
    rewrite(honest / "manifest.json", lambda m: m.update(assumptions=[]))
    rejected(honest)
    rewrite(honest / "manifest.json", lambda m: m["files"].pop("values"))
    rejected(honest)


def test_a_truncated_optimal_proof_is_rejected(honest):
    proof = honest / "proof.drup"
    lines = proof.read_text().splitlines(keepends=True)
    assert lines[-1] == "0\n"
    proof.write_text("".join(lines[:-1]))
    rejected(honest, "truncated")


def test_the_objective_of_another_script_is_rejected(tmp_path):
    _, _, folder = solve(tmp_path, DECLS + "(minimize (- x y))(check-sat)\n")
    # the same script with another objective: the hash differs, and with the right hash
    # the claim no longer names the script's objective
    other = tmp_path / "other.smt2"
    text = DECLS + "(minimize x)(check-sat)\n"
    other.write_text(text)
    assert check(str(folder / "1"), input=str(other)).status == "rejected"
    rewrite(folder / "1" / "manifest.json", lambda m: m["input"].update(
        sha256=hashlib.sha256(text.encode()).hexdigest()))
    verdict = check(str(folder / "1"), input=str(other))
    assert verdict.status == "rejected" and "objective" in verdict.reason, verdict


# -- z3 cross-check -------------------------------------------------------------------------

@st.composite
def problems(draw):
    """A random small optimisation over Int x0..x2 in [0, 8]: difference constraints, some
    behind Booleans, and a difference objective a * (xi - xj) + c or a * xi + c, or an If of
    two of them on one of the Booleans."""
    rng = random.Random(draw(st.integers(0, 2 ** 32)))
    n = rng.randint(2, 3)
    rows = []
    for _ in range(rng.randint(1, 5)):
        i, j = rng.sample(range(n), 2)
        rows.append((rng.choice([None, 0, 1]), rng.choice([True, False]), i, j,
                     rng.randint(-6, 6)))

    def piece():
        i, j = rng.sample(range(n), 2)
        return (rng.choice([1, 2, -1, -3]), i, j if rng.random() < 0.6 else None,
                rng.randint(-3, 3))

    # sometimes an If of two such terms on a Boolean of the constraints
    objective = (rng.randint(0, 1), piece(), piece()) if rng.random() < 0.3 else piece()
    return n, rows, objective, rng.choice(["minimize", "maximize"])


def script_text(n, rows, objective, sense):
    lines = [f"(declare-fun x{k} () Int)" for k in range(n)]
    lines += ["(declare-fun b0 () Bool)", "(declare-fun b1 () Bool)"]
    lines += [f"(assert (<= 0 x{k} 8))" for k in range(n)]
    for guard, positive, i, j, c in rows:
        atom = f"(<= (- x{i} x{j}) {c if c >= 0 else f'(- {-c})'})"
        if guard is None:
            lines.append(f"(assert {atom})")
        else:
            lines.append(f"(assert (or {'' if positive else '(not '}b{guard}"
                         f"{'' if positive else ')'} {atom}))")

    def text(piece):
        a, i, j, c = piece
        term = f"(- x{i} x{j})" if j is not None else f"x{i}"
        return (f"(+ (* {a if a >= 0 else f'(- {-a})'} {term}) "
                f"{c if c >= 0 else f'(- {-c})'})")

    if len(objective) == 3:
        guard, then, other = objective
        lines.append(f"({sense} (ite b{guard} {text(then)} {text(other)}))")
    else:
        lines.append(f"({sense} {text(objective)})")
    lines.append("(check-sat)")
    lines.append("(get-objectives)")
    return "\n".join(lines) + "\n"


def z3_optimum(n, rows, objective, sense):
    xs = [z3.Int(f"x{k}") for k in range(n)]
    bs = [z3.Bool("b0"), z3.Bool("b1")]
    opt = z3.Optimize()
    for x in xs:
        opt.add(0 <= x, x <= 8)
    for guard, positive, i, j, c in rows:
        atom = xs[i] - xs[j] <= c
        if guard is None:
            opt.add(atom)
        else:
            opt.add(z3.Or(bs[guard] if positive else z3.Not(bs[guard]), atom))

    def term_of(piece):
        a, i, j, c = piece
        return a * ((xs[i] - xs[j]) if j is not None else xs[i]) + c

    if len(objective) == 3:
        guard, then, other = objective
        term = z3.If(bs[guard], term_of(then), term_of(other))
    else:
        term = term_of(objective)
    handle = opt.minimize(term) if sense == "minimize" else opt.maximize(term)
    if opt.check() != z3.sat:
        return None
    return opt.lower(handle).as_long() if sense == "minimize" else opt.upper(handle).as_long()


@settings(max_examples=scaled(1.0), suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                          HealthCheck.too_slow])
@given(problems())
def test_certified_optima_agree_with_z3_optimize(tmp_path, problem):
    expected = z3_optimum(*problem)
    out, _, folder = solve(tmp_path, script_text(*problem))
    if expected is None:
        assert out.split()[0] == "unsat", out
        verified(folder)
        return
    assert out.split()[0] == "sat", out
    made = manifest(folder / "1")
    assert made["claim"]["value"] == expected, (out, expected)
    verified(folder)
