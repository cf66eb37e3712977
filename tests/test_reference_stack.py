"""The whole stack (compile, engine, CaDiCaL, model check) on the pure-Python reference theory.

SMTSCHED_PUREPYTHON=1 selects the reference twin for a whole run; here the same switch is made
per test, so the default suite covers both implementations end to end: random job-shop-like
disjunctive problems must get the same answer from each.
"""
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import smtsched.core.factory
from smtsched import Int, Or, Solver, sat
from smtsched.theories.difference_ref import DifferenceLogic as ReferenceDifferenceLogic


def disjunctive_problem(durations, horizon):
    """Tasks on one machine (pairwise non-overlap) within a horizon."""
    tasks = len(durations)
    starts = [Int(f"t{i}") for i in range(tasks)]
    formulas = []
    for i, (s, d) in enumerate(zip(starts, durations)):
        formulas += [s >= 0, s + d <= horizon]
        for j in range(i):
            formulas.append(Or(starts[j] - s >= d, s - starts[j] >= durations[j]))
    return formulas, starts, durations


def solve(formulas, reference, monkeypatch):
    if reference:
        monkeypatch.setattr(smtsched.core.factory, "difference_logic_class",
                            lambda: ReferenceDifferenceLogic)
    s = Solver()
    s.add(formulas)
    return s, s.check()


@settings(max_examples=40)
@given(seed=st.integers(0, 10**6), tasks=st.integers(2, 5), slack=st.integers(-2, 2))
def test_reference_and_compiled_theories_agree_through_the_solver(seed, tasks, slack):
    rng = random.Random(seed)
    durations = [rng.randint(1, 4) for _ in range(tasks)]
    formulas, starts, durations = disjunctive_problem(durations, sum(durations) + slack)
    with pytest.MonkeyPatch.context() as patch:
        _, fast = solve(formulas, False, patch)
        s, slow = solve(formulas, True, patch)
        assert "dl_conflict_literals" in s.statistics()  # a counter only the reference keeps
        assert fast == slow
        assert (fast == sat) == (slack >= 0)  # one machine: feasible iff the work fits
        if slow == sat:
            m = s.model()
            spans = sorted((m[t], m[t] + d) for t, d in zip(starts, durations))
            assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
