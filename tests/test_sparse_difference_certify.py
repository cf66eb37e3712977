"""Certificates (docs/certificates.md) of answers found with the sparse difference theory
forced (SMTSCHED_DIFFERENCE=sparse): its conflict clauses (negative cycles) and explanations
(paths through the origin, parallel edges) are written as difference lemmas, and the
independent checker must verify every one, as it does for the dense theory's.

Job shops and PSPLIB instances solved to OPTIMAL with proof= are checked here at once; the
unsat answers of the z3-shaped Solver are certified and checked by tests/certified.py (every
unsat of the suite is), so those tests only have to reach unsat with the sparse theory.
"""
import os
import random
import tempfile

import pytest

import smtsched.theory
from smtsched import Int, Or, Solver, unsat
from smtsched.certify.check import check
from smtsched.sched import read_model
from smtsched.sched.result import OPTIMAL

pytest.importorskip("smtsched.theories.sparse_difference",
                    reason="the Cython extension is not built (pure-Python install)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(ROOT, "..", "shared", "data")


@pytest.fixture(autouse=True)
def _no_tabu_search(monkeypatch):
    """These certificates are of searches: the tabu search would solve the small job shops
    at their static bound without one (Optimizer.LOCAL_SEARCH)."""
    from smtsched.sched.optimize import Optimizer
    monkeypatch.setattr(Optimizer, "LOCAL_SEARCH", False)


@pytest.fixture
def sparse_only(monkeypatch):
    """Force the sparse theory; the list of the graphs it was built for (their factory
    calls), to see that it ran."""
    monkeypatch.setattr(smtsched.theory, "DIFFERENCE", "sparse")
    monkeypatch.setenv("SMTSCHED_DIFFERENCE", "sparse")
    built = []
    original = smtsched.theory.sparse_difference_class
    monkeypatch.setattr(smtsched.theory, "sparse_difference_class",
                        lambda: built.append(1) or original())
    return built


@pytest.mark.parametrize("relative", ["jssp/ft06.txt", "jssp/la01.txt", "jssp/la05.txt",
                                      "rcpsp/j30/j301_1.sm", "rcpsp/j30/j3010_1.sm"])
def test_optimal_answers_of_the_sparse_theory_are_certified(sparse_only, relative):
    path = os.path.join(DATA, relative)
    if not os.path.exists(path):
        pytest.skip(f"no benchmark data at {path} (set SMTSCHED_DATA to shared/data)")
    model = read_model(path, None)
    with tempfile.TemporaryDirectory(prefix="smtsched-sparse-cert-") as folder:
        result = model.solve(time_limit=30, proof=folder)
        assert result.status == OPTIMAL
        assert sparse_only   # the search ran on the sparse theory
        assert result.certificate is not None, result.certificate_note
        verdict = check(folder)
        assert verdict.ok, verdict.reason


@pytest.mark.parametrize("seed", range(6))
def test_unsat_difference_formulas_with_the_sparse_theory_are_certified(sparse_only, seed):
    # random windowed difference clauses (bench/random_dl's shape) at a ratio where most are
    # unsat; z3 decides them here, and tests/certified.py checks every unsat certificate
    import z3
    rng = random.Random(seed)
    n = 30
    xs = [Int(f"x{i}") for i in range(n)]
    zs = [z3.Int(f"x{i}") for i in range(n)]
    ours, theirs = Solver(), z3.Solver()
    for _ in range(7 * n):
        ours_clause, their_clause = [], []
        for _ in range(rng.choice((2, 3))):
            y = rng.randrange(n)
            x = (y + rng.choice((-3, -2, -1, 1, 2, 3))) % n
            c = rng.randint(-8, 4)
            ours_clause.append(xs[x] - xs[y] <= c)
            their_clause.append(zs[x] - zs[y] <= c)
        ours.add(Or(*ours_clause))
        theirs.add(z3.Or(*their_clause))
    answer = ours.check()
    assert sparse_only and str(answer) == str(theirs.check())
    if answer != unsat:
        model = ours.model()
        values = [model[x] for x in xs]
        assert all(v is not None for v in values)
