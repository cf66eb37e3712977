"""Static makespan bounds as certificate lemmas (smtsched.sched.bound_proof, issue 15): when an
OPTIMAL answer meets the longest chain, a resource's energy or Jackson's preemptive bound,
the certificate holds that bound as one `bound` lemma with its arithmetic (rule `cycle` or
`energy` over the model's own unit atoms), and the independent checker confirms it; a
tampered bound lemma is rejected.

The oracle for the bounds' values is brute force over small models (written here, sharing
nothing with smtsched's bounds); the oracle for the lemmas is the checker.
"""
import itertools
import json
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smtsched.certify import check
from smtsched.sched import OPTIMAL, Model, bounds, read_model
from smtsched.sched.bound_proof import makespan_lemma
from smtsched.sched.lower import Lowering

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(HERE, "..", "..", "shared", "data")


def scaled(weight):
    """max_examples as a multiple of the active profile's baseline (tests/conftest.py)."""
    return max(1, int(settings.default.max_examples * weight))


def lemmas(folder):
    with open(os.path.join(folder, "lemmas.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def bound_lemmas(folder):
    return [rec for rec in lemmas(folder) if rec["kind"] == "bound"]


def rewrite_bound(folder, change):
    """Apply `change` to the first bound lemma's record in lemmas.jsonl."""
    path = os.path.join(folder, "lemmas.jsonl")
    with open(path, encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    first = next(i for i, rec in enumerate(records) if rec["kind"] == "bound")
    change(records[first])
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(rec) + "\n" for rec in records)


def chain_model():
    """A chain a -> b of 3 + 2 on top of a machine {a, c}: the longest chain (5) decides."""
    m = Model("chain and machine")
    a, b, c = m.task("a", 3), m.task("b", 2), m.task("c", 1)
    m.precedence(a, b)
    m.unary([a, c])
    m.minimize_makespan()
    return m


def jackson_model():
    """Machine {A, B, C} (5, 5, 1); A and B each have a 6-long successor elsewhere. The
    chain gives 11, the machine's energy 11, Jackson's set {A, B} 0 + 10 + 6 = 16, the
    optimum."""
    m = Model("jackson")
    a, b, c = m.task("A", 5), m.task("B", 5), m.task("C", 1)
    a2, b2 = m.task("A2", 6), m.task("B2", 6)
    m.precedence(a, a2)
    m.precedence(b, b2)
    m.unary([a, b, c])
    m.minimize_makespan()
    return m


def cumulative_model():
    """Four tasks of 4 with demand 1 on capacity 2: the energy, 16 over 2, is the optimum."""
    m = Model("energy")
    tasks = [m.task(f"t{i}", 4) for i in range(4)]
    m.cumulative([(t, 1) for t in tasks], 2)
    m.minimize_makespan()
    return m


@pytest.mark.parametrize("build, rule, value", [(chain_model, "cycle", 5),
                                                (jackson_model, "energy", 16),
                                                (cumulative_model, "energy", 8)])
def test_an_optimum_at_the_static_bound_is_certified_by_one_bound_lemma(tmp_path, build, rule,
                                                                         value):
    result = build().solve(proof=str(tmp_path))
    assert (result.status, result.objective) == (OPTIMAL, value)
    found = bound_lemmas(tmp_path)
    assert len(found) == 1 and found[0]["rule"] == rule
    verdict = check(str(tmp_path))
    assert verdict.ok, verdict.reason


def weighted_model(tardiness):
    """a -> b (b released at 1) and c, nothing shared: every task at its head is optimal."""
    m = Model("weighted")
    a, b, c = m.task("a", 3), m.task("b", 2, release=1), m.task("c", 4)
    m.precedence(a, b)
    if tardiness:
        m.minimize_weighted_tardiness({a: 1, b: 2, c: 3}, {a: 1, b: 2, c: 1})
    else:
        m.minimize_weighted_completion({a: 1, b: 2, c: 1})
    return m


@pytest.mark.parametrize("tardiness, value", [(False, 3 + 2 * 5 + 4), (True, 2 + 2 * 3 + 1)])
def test_a_weighted_optimum_at_the_heads_is_certified_by_one_cost_lemma(tmp_path, tardiness,
                                                                         value):
    result = weighted_model(tardiness).solve(proof=str(tmp_path))
    assert (result.status, result.objective) == (OPTIMAL, value)
    found = bound_lemmas(tmp_path)
    assert len(found) == 1 and found[0]["rule"] == "cost"
    assert check(str(tmp_path)).ok
    # without the guard's negation the lemma claims the cost bound outright: rejected
    rewrite_bound(tmp_path, lambda rec: rec["clause"].pop(0))
    verdict = check(str(tmp_path))
    assert not verdict.ok and "lemmas.jsonl" in verdict.reason


def test_jackson_witness_is_the_set_that_reaches_the_bound():
    m = jackson_model()
    clause, rule, witness, constraint = makespan_lemma(m, Lowering(m), 16)
    assert rule == "energy" and witness["window"] == [0, 9] and len(witness["tasks"]) == 2
    assert makespan_lemma(m, Lowering(m), 17) is None   # no static bound reaches 17


@pytest.mark.parametrize("tamper", [
    pytest.param(lambda rec: rec["witness"].update(window=[rec["witness"]["window"][0],
                                                           rec["witness"]["window"][1] + 1]),
                 id="window one wider"),
    pytest.param(lambda rec: rec["clause"].pop(), id="a literal removed"),
    pytest.param(lambda rec: rec["witness"]["tasks"].pop(), id="a task removed"),
])
def test_a_tampered_bound_lemma_is_rejected(tmp_path, tamper):
    assert jackson_model().solve(proof=str(tmp_path)).status == OPTIMAL
    rewrite_bound(tmp_path, tamper)
    verdict = check(str(tmp_path))
    assert not verdict.ok and "lemmas.jsonl" in verdict.reason


def test_a_tampered_path_lemma_is_rejected(tmp_path):
    assert chain_model().solve(proof=str(tmp_path)).status == OPTIMAL
    rewrite_bound(tmp_path, lambda rec: rec["clause"].pop(1))   # the end of b <= makespan
    verdict = check(str(tmp_path))
    assert not verdict.ok and "lemmas.jsonl" in verdict.reason


def test_la06_optimum_is_its_machine_bound_and_needs_no_search_beyond_the_lemma(tmp_path):
    path = os.path.join(DATA, "jssp", "la06.txt")
    if not os.path.exists(path):
        pytest.skip(f"benchmark data not found: {path} (set SMTSCHED_DATA)")
    result = read_model(path).solve(proof=str(tmp_path),
                                    proof_input={"file": path, "format": "jobshop"})
    assert (result.status, result.objective) == (OPTIMAL, 926)
    records = lemmas(tmp_path)
    assert [rec["kind"] for rec in records] == ["bound"]   # the refutation needed nothing else
    assert check(str(tmp_path)).ok


# ---------------------------------------------------------------- random models, brute force

@st.composite
def small_models(draw):
    """Mandatory tasks with releases, precedences with lags of either sign, one or two
    machines or cumulative resources; makespan."""
    n = draw(st.integers(2, 4))
    durations = [draw(st.integers(0, 3)) for _ in range(n)]
    releases = [draw(st.integers(0, 3)) for _ in range(n)]
    precedences = []
    for _ in range(draw(st.integers(0, 4))):
        a, b = sorted(draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2,
                                    unique=True)))
        precedences.append((a, b, draw(st.integers(-2, 3))))
    resources = []
    for _ in range(draw(st.integers(1, 2))):
        members = sorted(set(draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=n))))
        capacity = draw(st.integers(1, 3))
        demands = [(t, draw(st.integers(1, capacity))) for t in members]
        resources.append((capacity, demands))
    return durations, releases, precedences, resources


def build(spec):
    durations, releases, precedences, resources = spec
    m = Model("drawn")
    tasks = [m.task(f"t{i}", d, release=r) for i, (d, r) in enumerate(zip(durations, releases))]
    for a, b, lag in precedences:
        m.precedence(tasks[a], tasks[b], min_lag=lag)
    for capacity, demands in resources:
        m.cumulative([(tasks[t], d) for t, d in demands], capacity)
    m.minimize_makespan()
    return m


def brute_optimum(spec, limit=10):
    """The least makespan over integer starts in [0, limit], when it is at most `limit` (so
    that an optimal schedule, whose starts are at most its makespan, was in the range);
    else None."""
    durations, releases, precedences, resources = spec
    n = len(durations)
    grid = np.array(list(itertools.product(range(limit + 1), repeat=n)), dtype=np.int64)
    d = np.array(durations)
    ok = (grid >= np.array(releases)).all(axis=1)
    for a, b, lag in precedences:
        ok &= grid[:, b] >= grid[:, a] + durations[a] + lag
    for capacity, demands in resources:
        for t in range(limit + 4):
            running = (grid <= t) & (t < grid + d) & (d > 0)
            load = sum(running[:, k] * dem for k, dem in demands)
            ok &= load <= capacity
    if not ok.any():
        return None
    best = int((grid[ok] + d).max(axis=1).min())
    return best if best <= limit else None


@settings(max_examples=scaled(0.6), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(small_models())
def test_drawn_bound_lemmas_hold_and_the_checker_verifies_them(tmp_path_factory, spec):
    """A bound lemma exists for the static bound of every drawn model (chains or a set of a
    resource's tasks reach it), never claims more than brute force's optimum, and a solve at
    that optimum gives a certificate the checker verifies."""
    m = build(spec)
    try:
        value = bounds.makespan_lower_bound(m)
    except bounds.PositiveCycle:
        return
    optimum = brute_optimum(spec)
    if optimum is None:
        return   # beyond the brute force's range (a long lag chain)
    assert value <= optimum
    if value > 0:
        assert makespan_lemma(m, Lowering(m), value) is not None
    assert makespan_lemma(m, Lowering(m), optimum + 1) is None
    folder = str(tmp_path_factory.mktemp("bound"))
    result = m.solve(proof=folder)
    assert (result.status, result.objective) == (OPTIMAL, optimum)
    verdict = check(folder)
    assert verdict.ok, verdict.reason
