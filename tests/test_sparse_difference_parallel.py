"""The sparse difference theory's parallel-edge propagation (activating u -> v of weight w
implies every other atom edge u -> v of weight >= w), whose first candidate is found at
freeze time (parallel_first) rather than by a search at every activation: the same implied
literals as the pure-Python twin, on pairs with many parallel atoms, equal weights among
them, both orientations of an atom on one pair, and edges alone on their pair.

The oracle is written here: an atom edge is implied by the activated edge u -> v of weight w
exactly when it runs u -> v with weight >= w (the graph has no other active edge, and no edge
touches the origin, so no path through the origin implies anything).
"""
import random

import pytest

from smtsched.theories import sparse_difference_ref

sparse = pytest.importorskip("smtsched.theories.sparse_difference",
                             reason="the Cython extension is not built (pure-Python install)")


def random_atoms(rng, num_nodes, num_atoms):
    """{var: (u, v, w_true, w_false)} on few node pairs, so that many atoms are parallel."""
    atoms = {}
    for var in range(1, num_atoms + 1):
        u, v = rng.sample(range(1, num_nodes), 2)
        w = rng.randint(-3, 3)
        atoms[var] = (u, v, w, -w - 1)   # false: v - u <= -w - 1 (integers)
    return atoms


def expected(atoms, lit):
    """The literals other than `lit` whose edge is parallel to lit's edge and not lighter."""
    def edge(l):
        u, v, wt, wf = atoms[abs(l)]
        return (u, v, wt) if l > 0 else (v, u, wf)
    u, v, w = edge(lit)
    out = set()
    for var in atoms:
        for cand in (var, -var):
            if abs(cand) == abs(lit):
                continue
            a, b, c = edge(cand)
            if (a, b) == (u, v) and c >= w:
                out.add(cand)
    return out


@pytest.mark.parametrize("seed", range(40))
def test_one_activation_implies_exactly_the_parallel_edges_that_are_not_lighter(seed):
    rng = random.Random("parallel-%d" % seed)
    num_nodes = rng.randint(3, 5)
    atoms = random_atoms(rng, num_nodes, rng.randint(2, 14))
    lit = rng.choice(list(atoms)) * rng.choice((1, -1))
    answers = []
    for cls in (sparse.SparseDifferenceLogic, sparse_difference_ref.SparseDifferenceLogic):
        theory = cls(num_nodes)
        for var, (u, v, wt, wf) in atoms.items():
            theory.add_atom(var, u, v, wt, wf)
        theory.new_level()
        theory.assign(lit, False)
        implied = theory.propagate()
        assert implied is not None
        answers.append(set(implied))
    compiled, twin = answers
    assert compiled == twin
    assert compiled == expected(atoms, lit)


def test_an_edge_alone_on_its_pair_implies_nothing_and_its_neighbours_still_do():
    theory = sparse.SparseDifferenceLogic(4)
    theory.add_atom(1, 1, 2, 5, -6)     # alone on 1 -> 2 (its false edge is 2 -> 1)
    theory.add_atom(2, 2, 3, 1, -2)     # 2 -> 3 of weight 1, 3 and 3: a block of three
    theory.add_atom(3, 2, 3, 3, -4)
    theory.add_atom(4, 2, 3, 3, -4)
    theory.new_level()
    theory.assign(1, False)
    assert theory.propagate() == []
    theory.new_level()
    theory.assign(3, False)             # 2 -> 3 <= 3: the equal-weight twin atom 4
    assert theory.propagate() == [4]
    theory.backtrack(1)
    theory.new_level()
    theory.assign(2, False)             # 2 -> 3 <= 1: both heavier ones
    assert sorted(theory.propagate()) == [3, 4]
