"""Behaviours of the pure-Python difference-logic reference (theories/difference_ref.py).

The reference is the oracle for the Cython twin, so these tests pin its contract behaviours one by
one and then check it against Z3 on small seeded random runs: satisfiability of the active edges,
soundness and completeness of propagation, and that every conflict and explanation clause is a
theory lemma.
"""

import itertools
import random

import pytest
import z3

from smtsched.theories.difference_ref import (
    DifferenceLogic,
    Edge,
    fewest_edges_negative_cycle,
    has_negative_cycle,
)


# -- helpers ----------------------------------------------------------------------------------


def edge_of(atoms, literal):
    """(source, target, weight) of the edge `literal` selects; atoms: var -> (u, v, wt, wf)."""
    u, v, weight_true, weight_false = atoms[abs(literal)]
    return (u, v, weight_true) if literal > 0 else (v, u, weight_false)


# One Z3 solver reused through push/pop: building a fresh solver per query dominates the run time.
Z3_SOLVER = z3.Solver()


def z3_satisfiable(num_nodes, edges):
    """Whether the difference constraints x_t - x_s <= w of `edges` have an integer solution."""
    values = [z3.Int(f"x{node}") for node in range(num_nodes)]
    Z3_SOLVER.push()
    try:
        for source, target, weight in edges:
            Z3_SOLVER.add(values[target] - values[source] <= weight)
        return Z3_SOLVER.check() == z3.sat
    finally:
        Z3_SOLVER.pop()


def z3_implies(num_nodes, edges, implied_edge):
    """Whether `edges` imply `implied_edge` over the integers (edges + negated edge is unsat)."""
    source, target, weight = implied_edge
    return not z3_satisfiable(num_nodes, list(edges) + [(target, source, -weight - 1)])


def clause_is_lemma(num_nodes, atoms, clause):
    """Whether `clause` is valid in difference logic: the negation of all its literals is unsat."""
    return not z3_satisfiable(num_nodes, [edge_of(atoms, -literal) for literal in clause])


def make_theory(num_nodes, atoms):
    """A reference theory with `atoms` (var -> (u, v, w_true, w_false)) added in var order."""
    theory = DifferenceLogic(num_nodes)
    for variable in sorted(atoms):
        theory.add_atom(variable, *atoms[variable])
    return theory


# A chain 0 -> 1 -> 2 with atoms that the chain implies or refutes.
CHAIN_ATOMS = {
    1: (0, 1, 5, -6),  # x1 - x0 <= 5
    2: (1, 2, 3, -4),  # x2 - x1 <= 3
    3: (0, 2, 8, -9),  # x2 - x0 <= 8: implied by 1 and 2
    4: (2, 0, -9, 8),  # x0 - x2 <= -9; its false edge x2 - x0 <= 8 is implied by 1 and 2
    5: (0, 2, 7, -8),  # x2 - x0 <= 7: not implied (8 > 7)
}


# -- conflicts --------------------------------------------------------------------------------


def test_negative_cycle_gives_conflict_of_cycle_literals():
    atoms = {1: (0, 1, 2, -3), 2: (1, 2, -1, 0), 3: (2, 0, -2, 1)}  # 2 - 1 - 2 = -1 < 0
    theory = make_theory(3, atoms)
    theory.new_level()
    for literal in (1, 2):
        theory.assign(literal, False)
    assert theory.propagate() == [-3]  # the path 0 -> 1 -> 2 implies x2 - x0 <= 1
    theory.assign(3, False)  # assigned against the propagation, as a decision could be
    assert theory.propagate() is None
    # The cycle in cycle order, starting from its smallest node.
    assert theory.conflict() == [-1, -2, -3]
    assert clause_is_lemma(3, atoms, theory.conflict())


def test_conflict_cycle_has_fewest_edges():
    # A negative 4-cycle 0->1->2->3->0 and a negative 2-cycle 2->3->2 are both active.
    atoms = {
        1: (0, 1, -1, 0),
        2: (1, 2, -1, 0),
        3: (2, 3, -1, 0),
        4: (3, 0, -1, 0),
        5: (3, 2, 0, -1),
    }
    theory = make_theory(4, atoms)
    for literal in (1, 2, 3, 4, 5):
        theory.assign(literal, False)
    assert theory.propagate() is None
    assert sorted(theory.conflict()) == [-5, -3]


def test_conflict_literals_are_false_under_the_assignment():
    # The cycle uses false-edges: -1 is 1 -> 0 with weight -3, -2 is 0 -> 1 with weight 1.
    atoms = {1: (0, 1, 2, -3), 2: (1, 0, -2, 1)}
    theory = make_theory(2, atoms)
    theory.assign(-1, False)
    theory.assign(-2, False)
    assert theory.propagate() is None
    assert sorted(theory.conflict()) == [1, 2]  # both literals of the clause are false now
    assert clause_is_lemma(2, atoms, theory.conflict())


def test_propagate_answers_empty_after_conflict_until_backtrack():
    atoms = {1: (0, 1, -1, 0), 2: (1, 0, -1, 0), 3: (0, 1, 9, -10)}
    theory = make_theory(2, atoms)
    theory.new_level()
    theory.assign(1, False)
    theory.assign(2, False)
    assert theory.propagate() is None
    clause = theory.conflict()
    assert theory.propagate() == []
    assert theory.conflict() == clause  # the conflict stays available
    theory.backtrack(0)
    assert theory.propagate() == []  # no edges are left, so nothing is implied
    assert theory.conflict() == clause


def test_opposite_sign_assignment_is_a_two_literal_conflict():
    atoms = {1: (0, 1, 4, -5)}
    theory = make_theory(2, atoms)
    theory.new_level()
    theory.assign(1, False)
    theory.new_level()
    theory.assign(-1, False)
    assert theory.propagate() is None
    assert theory.conflict() == [-1, 1]
    theory.backtrack(1)
    assert theory.propagate() == []


# -- propagation ------------------------------------------------------------------------------


def test_propagates_implied_bound_through_path():
    theory = make_theory(3, CHAIN_ATOMS)
    theory.new_level()
    theory.assign(1, False)
    assert theory.propagate() == []
    theory.assign(2, False)
    # 3 (x2 - x0 <= 8) and -4 (x2 - x0 <= 8) are implied; 5 (<= 7) and -5 (>= 8) are not.
    assert theory.propagate() == [3, -4]


def test_propagates_through_parallel_tighter_edge():
    atoms = {1: (0, 1, 2, -3), 2: (0, 1, 3, -4), 3: (0, 1, 1, -2)}
    theory = make_theory(2, atoms)
    theory.assign(1, False)
    assert theory.propagate() == [2]  # x1 - x0 <= 2 implies <= 3, but neither <= 1 nor >= 2
    assert theory.explain(2) == [2, -1]


def test_propagated_literals_are_sorted_by_variable():
    atoms = {
        5: (0, 1, 3, -4),
        2: (0, 1, 4, -5),
        9: (1, 0, -6, 5),  # false edge 0 -> 1 weight 5: implied
        1: (0, 1, 1, -2),  # the decided atom: x1 - x0 <= 1
    }
    theory = DifferenceLogic(2)
    for variable in (5, 2, 9, 1):
        theory.add_atom(variable, *atoms[variable])
    assert theory.observed() == [5, 2, 9, 1]
    theory.assign(1, False)
    assert theory.propagate() == [2, 5, -9]


def test_literal_is_returned_once_until_its_level_is_undone():
    theory = make_theory(3, CHAIN_ATOMS)
    theory.new_level()
    theory.assign(1, False)
    theory.assign(2, False)
    assert theory.propagate() == [3, -4]
    assert theory.propagate() == []  # still unassigned, but already returned at this level
    theory.new_level()
    theory.backtrack(1)  # level 1, where they were returned, is not undone
    assert theory.propagate() == []


def test_backtrack_forgets_edges_and_returned_literals():
    theory = make_theory(3, CHAIN_ATOMS)
    theory.new_level()
    theory.assign(1, False)
    theory.new_level()
    theory.assign(2, False)
    assert theory.propagate() == [3, -4]
    theory.backtrack(1)
    # Edge 2 is gone, so nothing is implied; the returned literals are forgotten.
    assert theory.propagate() == []
    theory.new_level()
    theory.assign(2, False)
    assert theory.propagate() == [3, -4]
    theory.backtrack(0)
    assert theory.propagate() == []
    with pytest.raises(RuntimeError):
        theory.final_check()  # every atom is unassigned again


def test_returned_literal_is_not_returned_again_once_assigned():
    theory = make_theory(3, CHAIN_ATOMS)
    theory.new_level()
    theory.assign(1, False)
    theory.assign(2, False)
    assert theory.propagate() == [3, -4]
    theory.assign(3, False)
    theory.assign(-4, False)
    assert theory.propagate() == []


def test_fixed_literal_survives_backtrack():
    theory = make_theory(3, CHAIN_ATOMS)
    theory.new_level()
    theory.assign(1, True)  # fixed, even though it arrives at level 1
    theory.new_level()
    theory.assign(2, False)
    assert theory.propagate() == [3, -4]
    theory.backtrack(0)
    assert theory.propagate() == []  # edge 2 is gone, edge 1 stays
    theory.new_level()
    theory.assign(2, False)
    assert theory.propagate() == [3, -4]  # so edge 1 is still active


def test_fixed_renotification_is_not_a_new_assignment():
    theory = make_theory(3, CHAIN_ATOMS)
    theory.new_level()
    theory.assign(1, False)
    theory.assign(1, True)  # the solver tells us it became fixed
    assert theory.statistics()["dl_assignments"] == 1
    theory.backtrack(0)
    theory.new_level()
    theory.assign(2, False)
    assert theory.propagate() == [3, -4]


# -- explanations -----------------------------------------------------------------------------


def test_explanation_is_path_no_longer_than_bound():
    atoms = dict(CHAIN_ATOMS)
    atoms[6] = (0, 2, 10, -11)  # a longer detour 0 -> 2 that is not the shortest path
    theory = make_theory(3, atoms)
    theory.new_level()
    for literal in (1, 2):
        theory.assign(literal, False)
    returned = theory.propagate()
    assert returned == [3, -4, 6]
    for literal in returned:
        theory.assign(literal, False)
        clause = theory.explain(literal)
        assert clause[0] == literal
        assert sorted(clause[1:]) == [-2, -1]
        # The other literals' edges, with the propagated edge negated, are inconsistent.
        assert clause_is_lemma(3, atoms, clause)
        # The path is connected from the source to the target and no heavier than the bound.
        source, target, bound = edge_of(atoms, literal)
        node, weight = source, 0
        for reason in clause[1:]:
            step_source, step_target, step_weight = edge_of(atoms, -reason)
            assert step_source == node
            node, weight = step_target, weight + step_weight
        assert node == target and weight <= bound


def test_explanation_uses_edges_active_when_propagated():
    theory = make_theory(3, CHAIN_ATOMS)
    theory.new_level()
    theory.assign(1, False)
    theory.assign(2, False)
    assert theory.propagate() == [3, -4]
    theory.assign(3, False)
    theory.assign(5, False)  # a tighter edge 0 -> 2 arrives after 3 was propagated
    assert theory.propagate() == []
    assert theory.explain(3) == [3, -1, -2]


def test_explain_rejects_never_propagated_literal():
    theory = make_theory(3, CHAIN_ATOMS)
    theory.assign(1, False)
    theory.propagate()
    with pytest.raises(KeyError):
        theory.explain(1)  # assigned, not propagated
    with pytest.raises(KeyError):
        theory.explain(5)


# -- final check and model --------------------------------------------------------------------


def test_potentials_satisfy_active_edges():
    atoms = {
        1: (0, 1, -3, 2),  # x1 <= x0 - 3
        2: (1, 2, 4, -5),
        3: (2, 3, -2, 1),
        4: (3, 1, 7, -8),
        5: (0, 3, 0, -1),
    }
    theory = make_theory(4, atoms)
    assignment = (1, -2, 3, 4, -5)
    for literal in assignment:
        theory.assign(literal, False)
    assert theory.final_check() is True
    values = theory.potentials()
    assert len(values) == 4 and values[0] == 0
    assert all(isinstance(value, int) for value in values)
    for literal in assignment:
        source, target, weight = edge_of(atoms, literal)
        assert values[target] - values[source] <= weight


def test_final_check_reports_negative_cycle():
    atoms = {1: (0, 1, 2, -3), 2: (1, 2, -1, 0), 3: (2, 0, -2, 1)}
    theory = make_theory(3, atoms)
    for literal in (1, 2, 3):
        theory.assign(literal, False)
    assert theory.final_check() is False
    assert theory.conflict() == [-1, -2, -3]
    with pytest.raises(RuntimeError):
        theory.potentials()


def test_final_check_rejects_unassigned_atoms():
    theory = make_theory(3, CHAIN_ATOMS)
    theory.assign(1, False)
    with pytest.raises(RuntimeError):
        theory.final_check()


# -- set-up and bookkeeping -------------------------------------------------------------------


def test_add_atom_rejects_non_complementary_weights():
    theory = DifferenceLogic(3)
    with pytest.raises(ValueError):
        theory.add_atom(1, 0, 1, 3, -3)  # 3 + -3 = 0: both edges could hold
    with pytest.raises(ValueError):
        theory.add_atom(1, 0, 1, 3, 5)
    theory.add_atom(1, 0, 1, 3, -4)
    assert theory.observed() == [1]


@pytest.mark.parametrize(
    "arguments",
    [
        (0, 0, 1, 1, -2),  # var must be positive
        (-1, 0, 1, 1, -2),
        (2, 1, 1, 1, -2),  # u == v
        (2, 0, 3, 1, -2),  # node out of range
        (2, -1, 1, 1, -2),
        (1, 1, 2, 1, -2),  # var 1 already added
    ],
)
def test_add_atom_rejects_bad_arguments(arguments):
    theory = DifferenceLogic(3)
    theory.add_atom(1, 0, 1, 1, -2)
    with pytest.raises(ValueError):
        theory.add_atom(*arguments)
    assert theory.observed() == [1]


def test_add_atom_above_level_zero_is_refused():
    theory = DifferenceLogic(3)
    theory.add_atom(1, 0, 1, 1, -2)
    theory.new_level()
    theory.assign(1, False)
    with pytest.raises(ValueError):
        theory.add_atom(2, 1, 2, 1, -2)
    assert theory.observed() == [1]


def test_assign_rejects_unowned_literal():
    theory = make_theory(3, CHAIN_ATOMS)
    with pytest.raises(ValueError):
        theory.assign(99, False)


def test_backtrack_rejects_level_above_current():
    theory = make_theory(3, CHAIN_ATOMS)
    theory.new_level()
    with pytest.raises(ValueError):
        theory.backtrack(2)


def test_statistics_are_integer_counters_with_stable_names():
    theory = make_theory(3, CHAIN_ATOMS)
    theory.new_level()
    theory.assign(1, False)
    theory.assign(2, False)
    returned = theory.propagate()
    theory.assign(returned[0], False)
    theory.explain(returned[0])
    statistics = theory.statistics()
    assert list(statistics) == [
        "dl_assignments",
        "dl_propagations",
        "dl_conflicts",
        "dl_conflict_literals",
        "dl_explanations",
        "dl_explanation_literals",
        "dl_final_checks",
    ]
    assert all(type(value) is int for value in statistics.values())
    assert statistics["dl_assignments"] == 3
    assert statistics["dl_propagations"] == 2
    assert statistics["dl_explanations"] == 1
    assert statistics["dl_explanation_literals"] == 3


# -- against Z3 on seeded random runs ---------------------------------------------------------


def random_atoms(generator, num_nodes, num_atoms):
    """Random atoms; w_false is -w_true - 1 (exact complement) or lower (a gap between them)."""
    atoms = {}
    for variable in range(1, num_atoms + 1):
        u, v = generator.sample(range(num_nodes), 2)
        weight_true = generator.randint(-4, 6)
        weight_false = -weight_true - 1 - generator.choice([0, 0, 0, 1, 3])
        atoms[variable] = (u, v, weight_true, weight_false)
    return atoms


@pytest.mark.parametrize("seed", range(80))
def test_random_runs_agree_with_z3(seed):
    generator = random.Random(seed)
    num_nodes = generator.randint(2, 6)
    atoms = random_atoms(generator, num_nodes, generator.randint(2, 10))
    theory = make_theory(num_nodes, atoms)
    # The test's own model of the engine: the trail with levels, and the live returned literals.
    trail = []  # (literal, level)
    returned = {}  # literal -> level
    level = 0
    for _step in range(30):
        assigned = {abs(literal) for literal, _ in trail}
        unassigned = [variable for variable in sorted(atoms) if variable not in assigned]
        action = generator.random()
        if action < 0.2:
            theory.new_level()
            level += 1
        elif action < 0.35 and level > 0:
            level = generator.randint(0, level - 1)
            theory.backtrack(level)
            trail = [(literal, at) for literal, at in trail if at <= level]
            returned = {literal: at for literal, at in returned.items() if at <= level}
        elif unassigned:
            literal = generator.choice(unassigned) * generator.choice([1, -1])
            theory.assign(literal, False)
            trail.append((literal, level))
        active = [edge_of(atoms, literal) for literal, _ in trail]
        answer = theory.propagate()
        if answer is None:
            assert not z3_satisfiable(num_nodes, active)
            clause = theory.conflict()
            on_trail = {literal for literal, _ in trail}
            assert all(-literal in on_trail for literal in clause)
            assert clause_is_lemma(num_nodes, atoms, clause)
            # Undo the last level as an engine would (or stay at 0 after a root conflict).
            level = max(level - 1, 0)
            theory.backtrack(level)
            trail = [(literal, at) for literal, at in trail if at <= level]
            returned = {literal: at for literal, at in returned.items() if at <= level}
            if not z3_satisfiable(num_nodes, [edge_of(atoms, lit) for lit, _ in trail]):
                return  # inconsistent at the root: the run is over
            continue
        assert z3_satisfiable(num_nodes, active)
        assigned = {abs(literal) for literal, _ in trail}
        expected = [
            literal
            for variable in sorted(atoms)
            if variable not in assigned
            for literal in (variable, -variable)
            if literal not in returned and z3_implies(num_nodes, active, edge_of(atoms, literal))
        ]
        assert answer == expected
        for literal in answer:
            returned[literal] = level
            # Leave some propagations unassigned so that later decisions can contradict them
            # and produce longer conflict cycles.
            if generator.random() < 0.4:
                continue
            theory.assign(literal, False)
            trail.append((literal, level))
            clause = theory.explain(literal)
            assert clause[0] == literal
            assert all(-reason in {lit for lit, _ in trail} for reason in clause[1:])
            assert clause_is_lemma(num_nodes, atoms, clause)
    # Complete the assignment consistently with Z3's view and check the final verdict.
    assigned = {abs(literal) for literal, _ in trail}
    for variable in sorted(atoms):
        if variable not in assigned:
            theory.assign(variable, False)
            trail.append((variable, level))
    active = [edge_of(atoms, literal) for literal, _ in trail]
    verdict = theory.final_check()
    assert verdict == z3_satisfiable(num_nodes, active)
    if verdict:
        values = theory.potentials()
        assert values[0] == 0
        for source, target, weight in active:
            assert values[target] - values[source] <= weight
    else:
        assert clause_is_lemma(num_nodes, atoms, theory.conflict())


def brute_force_fewest_negative_cycle_length(num_nodes, edges):
    """The fewest edges of a negative simple cycle, by trying every node sequence (None if none)."""
    for length in range(2, num_nodes + 1):
        for nodes in itertools.permutations(range(num_nodes), length):
            # The lightest edge between consecutive nodes decides whether this cycle is negative.
            weight = 0
            for position in range(length):
                source, target = nodes[position], nodes[(position + 1) % length]
                weights = [w for s, t, w, _ in edges if (s, t) == (source, target)]
                if not weights:
                    break
                weight += min(weights)
            else:
                if weight < 0:
                    return length
    return None


@pytest.mark.parametrize("seed", range(60))
def test_conflict_cycle_is_simple_and_has_fewest_edges_on_random_graphs(seed):
    generator = random.Random(1000 + seed)
    num_nodes = generator.randint(2, 5)
    edges = []
    for index in range(generator.randint(3, 12)):
        source, target = generator.sample(range(num_nodes), 2)
        edges.append(Edge(source, target, generator.randint(-5, 4), index + 1))
    expected = brute_force_fewest_negative_cycle_length(num_nodes, edges)
    assert has_negative_cycle(num_nodes, edges) == (expected is not None)
    if expected is None:
        return
    cycle = fewest_edges_negative_cycle(num_nodes, edges)
    assert len(cycle) == expected
    assert sum(edge.weight for edge in cycle) < 0
    assert len({edge.source for edge in cycle}) == len(cycle)
    for position, edge in enumerate(cycle):
        assert edge.target == cycle[(position + 1) % len(cycle)].source
