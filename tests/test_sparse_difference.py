"""The sparse difference-logic theory (theories/sparse_difference.pyx), step by step against
its pure-Python twin and against the dense theory, and its answers against z3.

Hypothesis draws a small graph of atoms and engine-like steps (open a level, assign a literal,
maybe as fixed, propagate, assign what was implied, backtrack, add an atom at level 0); the
compiled sparse theory, its twin and the dense compiled theory get the same steps. At every
step:
* all three agree on consistency (a negative cycle or not);
* the sparse twins return the same implied literals, and those are among the dense theory's
  (complete) ones: sound, never more;
* every conflict clause and explanation of the sparse theory is a theory fact (its negated
  literals close a negative cycle), made of literals assigned before the one explained;
* the sparse theory's distances and paths equal the dense theory's, its model satisfies the
  active edges and is the earliest one where every node reaches the origin.
The harness assigns the dense theory's implied literals to all three (the sparse ones are a
subset), so the three stay on one assignment.
"""
import itertools
import random

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from smtsched.theories import difference_ref, sparse_difference_ref

sparse = pytest.importorskip("smtsched.theories.sparse_difference",
                             reason="the Cython extension is not built (pure-Python install)")
dense = pytest.importorskip("smtsched.theories.difference")

Edge = difference_ref.Edge


def scaled(weight):
    return max(1, int(settings.default.max_examples * weight))


def edge_of(atoms, lit):
    u, v, w_true, w_false = atoms[abs(lit)]
    return Edge(u, v, w_true, lit) if lit > 0 else Edge(v, u, w_false, lit)


def negative_cycle(num_nodes, edges):
    """Bellman-Ford from a virtual source (written here: the oracle shares no code)."""
    distance = [0] * num_nodes
    for _ in range(num_nodes + 1):
        changed = False
        for e in edges:
            if distance[e.source] + e.weight < distance[e.target]:
                distance[e.target] = distance[e.source] + e.weight
                changed = True
        if not changed:
            return False
    return True


def assert_is_theory_lemma(num_nodes, atoms, clause):
    edges = [edge_of(atoms, -lit) for lit in clause]
    assert negative_cycle(num_nodes, edges), clause


@st.composite
def graphs(draw):
    num_nodes = draw(st.integers(2, 6))
    num_atoms = draw(st.integers(1, 10))
    atoms = {}
    for var in range(1, num_atoms + 1):
        u = draw(st.integers(0, num_nodes - 1))
        v = draw(st.integers(0, num_nodes - 1).filter(lambda x: x != u))
        w_true = draw(st.integers(-6, 6))
        gap = draw(st.sampled_from([1, 1, 1, 2]))
        atoms[var] = (u, v, w_true, -w_true - gap)
    return num_nodes, atoms


def run_three(data, num_nodes, atoms):
    fast = sparse.SparseDifferenceLogic(num_nodes)
    twin = sparse_difference_ref.SparseDifferenceLogic(num_nodes)
    full = dense.DifferenceLogic(num_nodes)
    theories = (fast, twin, full)
    for var, atom in atoms.items():
        for theory in theories:
            theory.add_atom(var, *atom)
    assigned = {}  # var -> (literal, level or None when fixed)
    order = {}
    clock = itertools.count()
    propagated = set()
    level = 0

    def backtrack_all(target):
        for theory in theories:
            theory.backtrack(target)
        for var in [v for v, (_, lv) in assigned.items() if lv is not None and lv > target]:
            del assigned[var]
        propagated.intersection_update({l for l, _ in assigned.values()})
        return target

    for _ in range(data.draw(st.integers(1, 25), label="steps")):
        step = data.draw(st.sampled_from(["assign", "assign", "level", "backtrack", "atom"]))
        if step == "atom":
            if level > 0:
                for theory in theories:
                    with pytest.raises(ValueError):
                        theory.add_atom(len(atoms) + 1, 0, 1, 0, -1)
                continue
            var = len(atoms) + 1
            u = data.draw(st.integers(0, num_nodes - 1), label="new atom from")
            v = data.draw(st.integers(0, num_nodes - 1).filter(lambda x: x != u), label="to")
            w_true = data.draw(st.integers(-6, 6), label="weight")
            atoms[var] = (u, v, w_true, -w_true - 1)
            for theory in theories:
                theory.add_atom(var, *atoms[var])
            assert fast.observed() == twin.observed() == list(atoms)
        if step == "level":
            for theory in theories:
                theory.new_level()
            level += 1
            continue
        if step == "backtrack":
            if level == 0:
                continue
            level = backtrack_all(data.draw(st.integers(0, level - 1), label="backtrack to"))
            continue
        if step == "assign":
            free = [var for var in atoms if var not in assigned]
            if not free:
                continue
            var = data.draw(st.sampled_from(free), label="variable")
            lit = var if data.draw(st.booleans(), label="sign") else -var
            fixed = data.draw(st.booleans(), label="fixed")
            for theory in theories:
                theory.assign(lit, fixed)
            assigned[var] = (lit, None if fixed else level)
            order[var] = next(clock)
        implied_fast, implied_twin, implied_full = (t.propagate() for t in theories)
        assert (implied_fast is None) == (implied_twin is None) == (implied_full is None)
        if implied_fast is None:
            assert_is_theory_lemma(num_nodes, atoms, fast.conflict())
            assert_is_theory_lemma(num_nodes, atoms, twin.conflict())
            assert all(assigned.get(abs(l), (None,))[0] == -l for l in fast.conflict())
            level = backtrack_all(data.draw(st.integers(0, max(level - 1, 0)),
                                            label="backjump to"))
            continue
        assert implied_fast == implied_twin
        # sound: what the sparse theory implies, the complete dense theory implies (now or
        # before: it may have returned it at an earlier step the harness assigned since)
        assert set(implied_fast) <= set(implied_full) | propagated
        for implied in implied_full + [l for l in implied_fast if l not in implied_full]:
            if abs(implied) in assigned:
                continue
            for theory in theories:
                theory.assign(implied, False)
            assigned[abs(implied)] = (implied, level)
            order[abs(implied)] = next(clock)
        propagated.update(implied_fast)
        assert fast.propagate() == twin.propagate() == []
        assert full.propagate() == []
        for implied in sorted(propagated, key=abs):
            for theory in (fast, twin):
                reason = theory.explain(implied)
                assert reason[0] == implied
                assert_is_theory_lemma(num_nodes, atoms, reason)
                assert all(order[abs(l)] < order[abs(implied)] for l in reason[1:])
        true_now = {l for l, _ in assigned.values()}
        for u in range(num_nodes):
            for v in range(num_nodes):
                d = fast.distance(u, v)
                assert d == full.distance(u, v) == twin.distance(u, v)
                if d is None or u == v:
                    continue
                path = fast.path_literals(u, v)
                assert set(path) <= true_now
                edges = [edge_of(atoms, l) for l in path]
                assert edges[0].source == u and edges[-1].target == v
                assert all(a.target == b.source for a, b in zip(edges, edges[1:]))
                assert sum(e.weight for e in edges) == d
        potentials = fast.potentials()
        assert potentials[0] == 0
        for lit, _ in assigned.values():
            edge = edge_of(atoms, lit)
            assert potentials[edge.target] - potentials[edge.source] <= edge.weight
        if all(full.distance(v, 0) is not None for v in range(num_nodes)):
            assert potentials == full.potentials() == twin.potentials()


@settings(max_examples=scaled(2.0))
@given(graph=graphs(), data=st.data())
def test_sparse_theory_agrees_with_its_twin_and_the_dense_theory_step_by_step(graph, data):
    run_three(data, *graph)


@settings(max_examples=scaled(1.0))
@given(graph=graphs(), data=st.data())
def test_every_batch_in_topological_order_agrees_step_by_step(graph, data):
    """Batches of 64 edges and more repair their potentials in a topological order of the
    batch (batch_order); force that path on every batch of the small graphs drawn here."""
    saved = sparse.BATCH_ORDER_EDGES
    sparse.BATCH_ORDER_EDGES = 1
    try:
        run_three(data, *graph)
    finally:
        sparse.BATCH_ORDER_EDGES = saved


# -- the sparse theory alone -------------------------------------------------------------------

def test_tightened_bounds_imply_an_ordering_through_the_origin():
    theory = sparse.SparseDifferenceLogic(3)
    theory.add_atom(1, 1, 0, -5, 4)   # x1 >= 5
    theory.add_atom(2, 0, 2, 3, -4)   # x2 <= 3
    theory.add_atom(3, 1, 2, -1, 0)   # x2 - x1 <= -1
    theory.add_atom(4, 2, 1, 1, -2)   # x1 - x2 <= 1: false once x2 - x1 <= -2
    theory.new_level()
    theory.assign(1)
    assert theory.propagate() == []
    theory.new_level()
    theory.assign(2)
    assert theory.propagate() == [3, -4]
    assert theory.distance(1, 2) == -2
    assert sorted(theory.explain(3)) == [-2, -1, 3]
    assert sorted(theory.explain(-4)) == [-4, -2, -1]
    assert theory.path_literals(1, 2) == [1, 2]
    theory.backtrack(1)
    assert theory.distance(1, 2) is None


def test_negative_cycle_through_the_origin_is_the_conflict():
    theory = sparse.SparseDifferenceLogic(3)
    theory.add_atom(1, 1, 0, -5, 4)
    theory.add_atom(2, 0, 2, 3, -4)
    theory.add_atom(3, 2, 1, 1, -2)
    theory.new_level()
    for lit in (3, 1, 2):
        theory.assign(lit)
    assert theory.propagate() is None
    assert sorted(theory.conflict(), key=abs) == [-1, -2, -3]


def test_an_edge_implies_the_weaker_edges_beside_it():
    theory = sparse.SparseDifferenceLogic(3)
    theory.add_atom(1, 1, 2, 3, -4)   # x2 - x1 <= 3
    theory.add_atom(2, 1, 2, 5, -6)   # x2 - x1 <= 5
    theory.add_atom(3, 1, 2, 2, -3)   # x2 - x1 <= 2
    theory.new_level()
    theory.assign(1)
    assert theory.propagate() == [2]
    assert theory.explain(2) == [2, -1]


def test_fixed_literal_survives_backtrack_and_is_activated_again():
    theory = sparse.SparseDifferenceLogic(3)
    theory.add_atom(1, 0, 1, -5, 4)
    theory.add_atom(2, 1, 0, 3, -4)
    theory.new_level()
    theory.assign(1, True)
    assert theory.propagate() == [-2]
    theory.backtrack(0)
    assert theory.propagate() == [-2]


def test_overflowing_constants_are_refused_not_wrapped():
    theory = sparse.SparseDifferenceLogic(3)
    theory.add_atom(1, 0, 1, 2**60, -2**60 - 1)
    with pytest.raises(OverflowError):
        theory.add_atom(2, 1, 2, 2**60, -2**60 - 1)


def test_potential_repair_survives_a_long_backtracked_search():
    # many levels of random precedences on 300 nodes, checked against z3 at each level
    rng = random.Random(7)
    n = 300
    theory = sparse.SparseDifferenceLogic(n)
    atoms = {}
    for var in range(1, 1201):
        u, v = rng.sample(range(n), 2)
        w = rng.randint(-3, 10)
        atoms[var] = (u, v, w, -w - 1)
        theory.add_atom(var, u, v, w, -w - 1)
    x = [z3.Int(f"x{i}") for i in range(n)]
    solver = z3.Solver()
    solver.add(x[0] == 0)
    level = 0
    free = list(atoms)
    rng.shuffle(free)
    checked = 0
    while free and checked < 60:
        var = free.pop()
        lit = var if rng.random() < 0.5 else -var
        if theory.literal_value(lit) != 0:
            continue
        theory.new_level()
        solver.push()
        level += 1
        theory.assign(lit)
        e = edge_of(atoms, lit)
        solver.add(x[e.target] - x[e.source] <= e.weight)
        implied = theory.propagate()
        checked += 1
        expected = solver.check()
        assert (implied is None) == (expected == z3.unsat)
        if implied is None:
            theory.backtrack(level - 1)
            solver.pop()
            level -= 1
            continue
        for l in implied:
            theory.assign(l)
            e = edge_of(atoms, l)
            solver.add(x[e.target] - x[e.source] <= e.weight)
        assert theory.propagate() == []
        model = theory.values()
        for var2 in atoms:
            value = theory.literal_value(var2)
            if value:
                e = edge_of(atoms, var2 if value > 0 else -var2)
                assert model[e.target] - model[e.source] <= e.weight
        if rng.random() < 0.2 and level > 2:
            target = rng.randint(0, level - 1)
            theory.backtrack(target)
            for _ in range(level - target):
                solver.pop()
            level = target


def shortest_from(num_nodes, edges, source):
    """Bellman-Ford distances from `source` (None: unreachable), for the oracle."""
    distance = [None] * num_nodes
    distance[source] = 0
    for _ in range(num_nodes):
        for e in edges:
            if distance[e.source] is not None and (distance[e.target] is None or
                                                   distance[e.source] + e.weight < distance[e.target]):
                distance[e.target] = distance[e.source] + e.weight
    return distance


@pytest.mark.parametrize("seed", range(12))
def test_large_batches_agree_with_bellman_ford(seed):
    # a propagate with 64 or more queued edges repairs the potential in a topological order
    # of the batch (batch_order), and on a conflict takes none of the batch in
    rng = random.Random(seed)
    n = rng.choice((12, 40))
    theory = sparse.SparseDifferenceLogic(n)
    atoms = {}
    for var in range(1, 301):
        u, v = rng.sample(range(n), 2)
        w = rng.randint(-4, 12)
        atoms[var] = (u, v, w, -w - 1)
        theory.add_atom(var, u, v, w, -w - 1)
    for round_ in range(6):
        theory.new_level()
        batch = [var if rng.random() < 0.8 else -var
                 for var in rng.sample(sorted(atoms), rng.randint(64, 150))]
        for lit in batch:
            theory.assign(lit)
        edges = [edge_of(atoms, lit) for lit in batch]
        implied = theory.propagate()
        assert (implied is None) == negative_cycle(n, edges)
        if implied is None:
            assert_is_theory_lemma(n, atoms, theory.conflict())
            assert set(theory.conflict()) <= {-lit for lit in batch}
        else:
            ahead = shortest_from(n, edges, 0)
            back = shortest_from(n, [Edge(e.target, e.source, e.weight, e.literal)
                                     for e in edges], 0)
            for v in range(n):
                assert theory.distance(0, v) == ahead[v] and theory.distance(v, 0) == back[v]
            for lit in implied:
                assert_is_theory_lemma(n, atoms, theory.explain(lit))
            model = theory.values()
            assert all(model[e.target] - model[e.source] <= e.weight for e in edges)
        theory.backtrack(0)
        assert theory.propagate() == []
        assert all(theory.distance(0, v) in (None, 0) or v == 0 for v in range(n))
