"""The checker's own DRUP engine ("drup", smtsched/certify/check/drup.cpp) against PySAT's
Glucose `propagate` (the forward engine it replaced as the default) and against the truth.

The engines differ on purpose in one way: "drup" checks backward and only the lemmas the
refutation needs, so it may accept a proof with a wrong line nobody uses, which the forward
engine rejects. Everything else must agree:
- whatever Glucose accepts, drup accepts (and where drup rejects, Glucose rejects too);
- whatever drup accepts is a refutation: the formula is unsatisfiable (MiniSat says so);
- drup reads proof.drup itself exactly as files.proof_steps does (same verdict, same message).
"""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pysat.solvers import Cadical195, Minisat22

from smtsched.certify.check import files
from smtsched.certify.check.files import Rejected
from smtsched.certify.check.rup import DrupChecker, replay

pytestmark = pytest.mark.skipif(
    DrupChecker is None, reason="the compiled DRUP engine (_drup) is not built")


def scaled(weight):
    """max_examples as a multiple of the active profile's baseline (tests/conftest.py)."""
    return max(1, int(settings.default.max_examples * weight))


def steps_of(text):
    """(line, deleted, lits) of a DRUP text, one clause per line (as CaDiCaL writes it)."""
    out = []
    for no, raw in enumerate(text.splitlines(), 1):
        toks = raw.split()
        if not toks or toks[0] == "c":
            continue
        deleted = toks[0] == "d"
        lits = [int(t) for t in toks[deleted:]]
        assert lits[-1] == 0
        out.append((no, deleted, lits[:-1]))
    return out


def drup(formula, proof_text, final=True):
    return replay(formula, steps_of(proof_text), "drup", final=final)


def glucose(formula, proof_text, final=True):
    return replay(formula, steps_of(proof_text), "glucose4", final=final)


def satisfiable(formula):
    with Minisat22(bootstrap_with=formula) as s:
        return s.solve()


def random_unsat(rnd, nvars, ratio=5.0):
    """A random 3-CNF, well past the threshold: almost always unsatisfiable."""
    while True:
        cnf = [[v if rnd.random() < 0.5 else -v for v in rnd.sample(range(1, nvars + 1), 3)]
               for _ in range(int(ratio * nvars))]
        if not satisfiable(cnf):
            return cnf


def cadical_proof(cnf):
    with Cadical195(bootstrap_with=cnf, with_proof=True) as s:
        assert s.solve() is False
        return "\n".join(s.get_proof()) + "\n"


# -- hand-made proofs -----------------------------------------------------------------------------

# (x1 v x2) (x1 v -x2) (-x1 v x3) (-x1 v -x3): unsat; "1 0" then the empty clause refutes it
XOR = [[1, 2], [1, -2], [-1, 3], [-1, -3]]


def test_a_valid_proof_is_accepted():
    assert drup(XOR, "1 0\n0\n") is None


def test_a_needed_line_that_is_not_rup_is_rejected_with_its_line_number():
    # (x1 v x2) (-x1 v x2) is satisfiable: "-2 0" is not RUP, and the conflict then needs it
    f = [[1, 2], [-1, 2]]
    assert drup(f, "c a comment\n-2 0\n0\n") == "proof.drup line 2: clause is not RUP"
    assert glucose(f, "c a comment\n-2 0\n0\n") == "proof.drup line 2: clause is not RUP"


def test_an_empty_clause_without_a_conflict_is_rejected_with_its_line_number():
    assert drup(XOR[:3], "1 0\n0\n") == "proof.drup line 2: clause is not RUP"


def test_a_line_the_refutation_does_not_need_is_not_checked_backward_but_is_forward():
    proof = "5 6 0\n1 0\n0\n"   # "5 6" is not RUP, and nothing uses it
    assert drup(XOR, proof) is None
    assert glucose(XOR, proof) == "proof.drup line 1: clause is not RUP"
    # without a final conflict to work back from, drup checks every line, forward
    assert drup(XOR, proof, final=False) == "proof.drup line 1: clause is not RUP"
    # and "drup-forward" always does
    assert replay(XOR, steps_of(proof), "drup-forward") == "proof.drup line 1: clause is not RUP"


def test_a_truncated_proof_without_a_final_conflict_is_rejected():
    f = [[1, 2, 3], [1, 2, -3], [1, -2, 3], [1, -2, -3], [-1, 2], [-1, -2]]
    assert drup(f, "1 2 0\n1 0\n0\n") is None
    assert drup(f, "1 2 0\n") == "proof.drup ends without a conflict (truncated proof?)"
    assert drup(f, "") == "proof.drup ends without a conflict (truncated proof?)"
    assert drup(f, "1 2 0\n", final=False) is None


def test_deletions_of_clauses_never_seen_are_tolerated():
    assert drup(XOR, "d 5 6 0\nd 1 2 3 0\nd 7 0\n1 0\nd -8 9 10 0\n0\n") is None


def test_a_proof_that_uses_a_deleted_clause_is_accepted_through_the_recheck_without_deletions():
    # Decision: a clause used after its deletion is still a consequence of the formula
    # (RUP is monotone), so the proof is a sound refutation and is accepted; the engine gets
    # there by rejecting with deletions honoured and checking again with all of them ignored.
    proof = "d 1 2 0\n1 0\n0\n"
    assert drup(XOR, proof) is None
    checker = DrupChecker()
    for clause in XOR:
        checker.add_formula(clause)
    for step in steps_of(proof):
        checker.add_step(*step)
    assert checker.run(True, True) == 1 and checker.fail_line == 2   # honouring: line 2 fails
    assert checker.run(True, False) == 0                             # ignoring: accepted


def test_deletions_of_units_and_of_root_reasons_are_ignored_in_the_first_run():
    # x1 is a unit, and (-x1 v x2) the reason of x2 at the root: both deletions are skipped
    f = [[1], [-1, 2], [-2, 3, 4], [-2, 3, -4], [-3, 5], [-3, -5]]
    proof = "d 1 0\nd -1 2 0\n3 0\n0\n"
    checker = DrupChecker()
    for clause in f:
        checker.add_formula(clause)
    for step in steps_of(proof):
        checker.add_step(*step)
    assert checker.run(True, True) == 0
    assert checker.stats["ignored_deletions"] == 2 and checker.stats["deleted"] == 0


def test_assumption_units_refute_without_a_final_step():
    # CaDiCaL 1.9.5 writes no final step under assumptions; the units are in the formula
    f = [[-1, 2], [-2, 3], [-3, -4]]
    assert drup(f + [[1], [4]], "") is None
    assert glucose(f + [[1], [4]], "") is None
    assert drup(f + [[1]], "") == "proof.drup ends without a conflict (truncated proof?)"


def test_tautologies_and_repeated_literals_are_harmless():
    assert drup(XOR + [[5, -5]], "1 1 0\n2 -2 0\nd 3 -3 0\n0\n") is None


# -- CaDiCaL's proofs, and proofs broken on purpose ------------------------------------------------

def test_cadicals_proofs_of_random_formulas_are_accepted_by_both_engines():
    rnd = random.Random(7)
    for nvars in (30, 45, 60):
        cnf = random_unsat(rnd, nvars)
        proof = cadical_proof(cnf)
        assert "d " in proof   # deletions are in play
        assert drup(cnf, proof) is None
        assert glucose(cnf, proof) is None


def mutate(rnd, cnf, proof, kind):
    lines = proof.splitlines()
    adds = [i for i, l in enumerate(lines) if not l.startswith("d") and l.strip() != "0"]
    if kind == "drop formula clauses":   # often satisfiable then: nothing may verify
        gone = set(rnd.sample(range(len(cnf)), rnd.randint(1, max(1, len(cnf) // 8))))
        cnf = [c for i, c in enumerate(cnf) if i not in gone]
    elif kind == "drop literal" and adds:
        i = rnd.choice(adds)
        lits = lines[i].split()[:-1]
        if len(lits) > 1:
            lits.pop(rnd.randrange(len(lits)))
            lines[i] = " ".join(lits + ["0"])
    elif kind == "drop line" and adds:
        del lines[rnd.choice(adds)]
    elif kind == "truncate":
        lines = lines[:rnd.randrange(len(lines) + 1)]
    elif kind == "delete early":
        # delete formula clauses before the proof: it may need them (the recheck rescues it)
        for c in rnd.sample(cnf, min(3, len(cnf))):
            lines.insert(0, "d " + " ".join(map(str, c)) + " 0")
    elif kind == "flip literal" and adds:
        i = rnd.choice(adds)
        lits = lines[i].split()[:-1]
        if lits:
            j = rnd.randrange(len(lits))
            lits[j] = str(-int(lits[j]))
            lines[i] = " ".join(lits + ["0"])
    return cnf, "\n".join(lines) + "\n"


KINDS = (["none"] + ["drop formula clauses"] * 4   # the kind that makes satisfiable formulas
         + ["drop literal", "drop line", "truncate", "delete early", "flip literal"])


@settings(max_examples=scaled(1.5))
@given(seed=st.integers(0, 2**32 - 1), nvars=st.integers(8, 40),
       kind=st.sampled_from(KINDS), final=st.booleans())
def test_drup_accepts_what_glucose_accepts_and_only_refutations(seed, nvars, kind, final):
    rnd = random.Random(seed)
    cnf = random_unsat(rnd, nvars, ratio=4.4)   # near the threshold: mutations can make it sat
    cnf, proof = mutate(rnd, cnf, cadical_proof(cnf), kind)
    by_drup, by_glucose = drup(cnf, proof, final), glucose(cnf, proof, final)
    if by_glucose is None:
        assert by_drup is None
    if by_drup is not None:
        assert by_glucose is not None
    if by_drup is None and final:
        assert not satisfiable(cnf)
    if not final:   # forward, every line: the same verdict, the same line
        assert by_drup == by_glucose


# -- drup reads proof.drup itself, as files.proof_steps does --------------------------------------

def verdict(formula, path, max_var, proof):
    try:
        steps = files.proof_steps(str(path), max_var)
        return replay(formula, steps, "drup", final=True,
                      proof=(str(path), max_var) if proof else None)
    except Rejected as e:
        return "Rejected: " + str(e)


TOKENS = ["1", "-1", "2", "-2", "3", "0", "0", "0", "d", "c x", " ", " ", "\n", "\n", "\t",
          "\r\n", "+1", "01", "-0", "4", "x", "é", "1_0", "99999999999999", "\x0c"]


@settings(max_examples=scaled(0.6))
@given(st.lists(st.sampled_from(TOKENS), max_size=30))
def test_the_compiled_reader_agrees_with_files_proof_steps(tmp_path_factory, tokens):
    path = tmp_path_factory.mktemp("proof") / "proof.drup"
    path.write_bytes(" ".join(tokens).encode("utf-8"))
    f = [[1, 2], [-1, 2], [1, -2], [-1, -2, 3], [-3, -2]]
    assert verdict(f, path, 3, True) == verdict(f, path, 3, False)


def test_the_compiled_reader_names_the_lines_files_proof_steps_names(tmp_path):
    path = tmp_path / "proof.drup"
    path.write_text("c start\n\nd 1\n 2 0\n-2\n0\n0\n")   # a multi-line clause, line 5
    # the deletion on lines 3-4, then "-2 0" (not RUP) starting on line 5
    f = [[1, 2], [-1, 2]]
    assert verdict(f, path, 3, True) == "proof.drup line 5: clause is not RUP"
    assert verdict(f, path, 3, False) == "proof.drup line 5: clause is not RUP"
