"""The compiled cumulative theory (theories/cumulative.pyx) against its pure-Python twin, step
by step, and its conflict clauses checked by z3.

Each twin sits on its own difference graph (compiled with compiled, reference with reference).
A small driver plays the engine: it decides ordering and bound literals, lets the graphs
propagate to a fixpoint, then asks both cumulative theories; they must agree on conflict or not
and on the task set behind a conflict at every step, and on complete assignments their final
checks must agree too. Every conflict clause of the compiled twin must be false on the trail
and implied by the cumulative constraint (z3, on the time-point decomposition: at each task's
start the demands of the tasks running then fit the capacity). With witness records on (a
drawn flag, as a proof run sets it), both twins give the same witness for every conflict and
explanation, and the certificate checker's rule accepts it; off, they give none.
"""
import itertools

import pytest
import z3
from hypothesis import event, given, settings
from hypothesis import strategies as st

from global_strategies import resource_formulas, resources
from twin_driver import TwinDriver, assert_witness_accepted, z3_literal

from smtsched import Cumulative, Int
from smtsched.compile import compile_problem
from smtsched.core import CumulativeSpec
from smtsched.theories import cumulative_ref, difference_ref

compiled_dl = pytest.importorskip("smtsched.theories.difference",
                                  reason="the Cython extension is not built (pure-Python install)")
compiled_cumulative = pytest.importorskip("smtsched.theories.cumulative",
                                          reason="the Cython extension is not built")


def build(spec, bound_literals=False):
    """The compiled problem; `bound_literals`: the Cumulative's windows ask for the literals
    "start >= v" over each task's window, and the theories filter through them. The cuts are
    atoms only (each guarded by a free Bool), so their variables exist for decisions."""
    formulas = resource_formulas(*spec, bound_literals=bound_literals)
    compiled = compile_problem(formulas)
    (problem,) = [p for p in compiled.difference.values() if p.atoms]
    (spec,) = [r for r in compiled.globals if isinstance(r, CumulativeSpec)]
    # the fields the factory passes to the theories' constructors (core.factory)
    return compiled, problem, (spec.tasks, spec.capacity, spec.order, spec.bound_literals)


def decomposition(durations, demands, capacity):
    """At the start of every task that uses the resource, the running demands fit."""
    starts = [z3.Int(f"s{i}") for i in range(len(durations))]
    used = [k for k in range(len(starts)) if durations[k] and demands[k]]
    parts = []
    for i in used:
        load = z3.Sum([z3.If(z3.And(starts[j] <= starts[i], starts[i] < starts[j] + durations[j]),
                             demands[j], 0) for j in used])
        parts.append(load <= capacity)
    return parts


def assert_implied(problem, spec, clause):
    durations, demands, capacity = spec[:3]
    lits = [z3_literal(problem, l) for l in clause]
    s = z3.Solver()
    s.add(*decomposition(durations, demands, capacity))
    s.add(z3.Not(z3.Or(lits)))
    assert s.check() == z3.unsat, clause


def assert_false_now(graph, clause):
    assert clause and all(graph.literal_value(l) == -1 for l in clause), clause


def assert_valid_reason(graph, problem, spec, lit, clause):
    """A propagated literal's reason: the literal first, every other literal false now, and
    the clause implied by the cumulative constraint."""
    assert clause[0] == lit, (lit, clause)
    assert all(graph.literal_value(l) == -1 for l in clause[1:]), clause
    assert_implied(problem, spec, clause)


def same_witness(problem, tasks, capacity, fast, slow, clause, recording):
    """Both twins' witness of the clause each just returned: equal; with records on, the
    checker's rule accepts the compiled twin's for `clause` (every clause of this theory has
    one); off, none."""
    recorded = fast.last_witness()
    assert recorded == slow.last_witness()
    if not recording:
        assert recorded is None
        return
    assert recorded is not None, clause
    assert_witness_accepted(problem, clause, recorded, tasks, capacity)
    event(f"witness {recorded[0]}")


@settings(max_examples=700, deadline=None)
@given(resources(), st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.data())
def test_compiled_cumulative_agrees_with_its_reference(spec, energetic, ordering_cuts, filtering,
                                                       recording, data):
    compiled, problem, (tasks, capacity, order, bounds) = build(spec, bound_literals=filtering)
    fast_graph = problem.build(compiled_dl.DifferenceLogic)
    slow_graph = problem.build(difference_ref.DifferenceLogic)
    options = dict(bound_literals=bounds, energetic=energetic, ordering_cuts=ordering_cuts)
    fast = compiled_cumulative.CumulativeLogic(fast_graph, tasks, capacity, order, **options)
    slow = cumulative_ref.CumulativeLogic(slow_graph, tasks, capacity, order, **options)
    fast.record_witnesses = slow.record_witnesses = recording

    def witness_of(clause):
        same_witness(problem, tasks, capacity, fast, slow, clause, recording)
    variables = [atom[0] for atom in problem.atoms]
    driver = TwinDriver(fast_graph, slow_graph, fast, slow)
    assigned = driver.assigned
    clock = itertools.count()
    when = {}          # var -> when it was last assigned, for the lazy reasons
    moved = {}         # literal the compiled twin propagated -> the level it was taken at

    def assign(lit):
        driver.assign(lit)
        when[abs(lit)] = next(clock)

    def check_lazy_reasons():
        # a reason asked for later (CaDiCaL explains lazily) uses only literals assigned
        # before the propagated one
        # (the engine asks the theory it took a literal from, while the literal's level is
        # open: moved forgets literals of undone levels)
        for lit in moved:
            clause = fast.explain(lit)
            assert all(when[abs(l)] < when[abs(lit)] for l in clause[1:]), (lit, clause)
            assert all(fast_graph.literal_value(l) == -1 for l in clause[1:]), clause
            slow.explain(lit)
            witness_of(clause)

    driver.assign_root_units(compiled.clauses)  # the windows
    for var in assigned:
        when[var] = next(clock)
    for _ in range(data.draw(st.integers(1, 16), label="decisions")):
        # propagate to a fixpoint in rounds, as the engine does: in each round the graphs,
        # then the cumulative theories (before the graphs' implied literals are assigned)
        conflict = False
        while True:
            fast_lits, slow_lits = fast_graph.propagate(), slow_graph.propagate()
            assert (fast_lits is None) == (slow_lits is None)
            if fast_lits is None:
                conflict = True
                break
            assert set(fast_lits) == set(slow_lits)
            timetable_conflicts = fast.statistics()["cumulative_timetable_conflicts"]
            fast_found, slow_found = fast.propagate(), slow.propagate()
            assert (fast_found is None) == (slow_found is None), (fast_found, slow_found)
            if fast_found is None:
                assert fast.last_tasks == slow.last_tasks
                clause = fast.conflict()
                assert_false_now(fast_graph, clause)
                assert_false_now(slow_graph, slow.conflict())
                witness_of(clause)
                if ordering_cuts and (fast.statistics()["cumulative_timetable_conflicts"]
                                      > timetable_conflicts):
                    assert clause == slow.conflict()  # the same cut (paths may tie)
                assert_implied(problem, spec, clause)
                # the contract: [] until the next backtrack
                assert fast.propagate() == [] and slow.propagate() == []
                conflict = True
                break
            assert sorted(fast_found) == sorted(slow_found)
            assert not fast_found or filtering  # moves need the bound literals
            if fast_found:
                event("bound literals moved")
            for lit in fast_found:
                assert_valid_reason(slow_graph, problem, spec, lit, slow.explain(lit))
                assert_valid_reason(fast_graph, problem, spec, lit, fast.explain(lit))
                witness_of(fast.explain(lit))
            # the engine's claim: a literal the graph offered in the same round goes once
            offered = {abs(l) for l in fast_lits}
            round_lits = fast_lits + [l for l in fast_found if abs(l) not in offered]
            moved.update((l, driver.level) for l in fast_found if abs(l) not in offered)
            if not round_lits:
                break
            for lit in round_lits:
                assign(lit)
            check_lazy_reasons()
        if not conflict and all(v in assigned for v in variables):
            # a complete assignment: the final checks (on a scratch level, as the engine does)
            assert fast_graph.final_check() and slow_graph.final_check()
            for theory in (fast_graph, slow_graph, fast, slow):
                theory.new_level()
            fast_ok, slow_ok = fast.final_check(), slow.final_check()
            assert fast_ok == slow_ok
            if not fast_ok:
                assert fast.last_tasks == slow.last_tasks
                assert fast.conflict() == slow.conflict()
                witness_of(fast.conflict())
                assert_false_now(fast_graph, fast.conflict())
                assert_implied(problem, spec, fast.conflict())
            for theory in (fast_graph, slow_graph, fast, slow):
                theory.backtrack(driver.level)
            return
        if conflict:
            if driver.level == 0:
                return
            target = data.draw(st.integers(0, driver.level - 1), label="backtrack to")
            driver.backtrack(target)
            moved = {lit: level for lit, level in moved.items() if level <= target}
            continue
        free = [v for v in variables if v not in assigned]
        var = data.draw(st.sampled_from(free), label="decide")
        lit = var if data.draw(st.booleans(), label="polarity") else -var
        driver.decide(lit)
        when[var] = next(clock)
    assert fast.statistics() == slow.statistics()


def start_at_the_root(spec, bound_literals=False, **options):
    """Both twins on their graphs, with the window bounds asserted and propagated; the graphs'
    implied literals are returned, not assigned (as when the engine asks the theories in the
    same round)."""
    compiled, problem, (tasks, capacity, order, bounds) = build(spec, bound_literals)
    options["bound_literals"] = bounds
    graph = problem.build(compiled_dl.DifferenceLogic)
    fast = compiled_cumulative.CumulativeLogic(graph, tasks, capacity, order, **options)
    slow_graph = problem.build(difference_ref.DifferenceLogic)
    slow = cumulative_ref.CumulativeLogic(slow_graph, tasks, capacity, order, **options)
    for clause in compiled.clauses:  # the windows: root units
        if len(clause) == 1:
            graph.assign(clause[0], True)
            slow_graph.assign(clause[0], True)
    implied = graph.propagate()
    assert implied is not None and set(slow_graph.propagate()) == set(implied)
    return problem, (graph, slow_graph), fast, slow, implied


@pytest.mark.parametrize("energetic", [True, False])
def test_compulsory_parts_overload_is_refuted_during_the_search(energetic):
    # three tasks of 4 on capacity 2, each starting in [0, 1]: all three run during [1, 4)
    spec = ([4, 4, 4], [1, 1, 1], 2, [(0, 5), (0, 5), (0, 5)], [])
    problem, (graph, _), fast, slow, _ = start_at_the_root(spec, energetic=energetic)
    for theory in (fast, slow):
        assert theory.propagate() is None
        assert theory.last_tasks == [0, 1, 2]
        stats = theory.statistics()
        assert stats["cumulative_timetable_conflicts"] == 1
        assert stats["cumulative_energy_conflicts"] == 0
        assert stats["cumulative_conflicts"] == 0  # not the final check
    clause = fast.conflict()
    assert_false_now(graph, clause)
    assert_implied(problem, spec, clause)


def test_the_pointwise_explanation_takes_the_fewest_largest_tasks():
    # capacity 3; compulsory parts all cover [2, 3): demands 2, 1, 2, 1 -> tasks 0 and 2 suffice
    spec = ([3, 3, 3, 3], [2, 1, 2, 1], 3, [(0, 5), (0, 5), (0, 5), (0, 5)], [])
    problem, (graph, _), fast, slow, _ = start_at_the_root(spec)
    assert fast.propagate() is None and slow.propagate() is None
    assert fast.last_tasks == slow.last_tasks == [0, 2]
    clause = fast.conflict()
    assert_implied(problem, spec, clause)
    # two bounds (one window atom each) per chosen task; the tasks left out are not in it
    assert len(clause) == 4


def test_window_energy_overload_needs_the_energetic_check():
    # three tasks of 2 on capacity 1 in [0, 5]: no compulsory part, but 6 > 5 units of energy
    spec = ([2, 2, 2], [1, 1, 1], 1, [(0, 5), (0, 5), (0, 5)], [])
    problem, (graph, _), fast, slow, _ = start_at_the_root(spec, energetic=True)
    for theory in (fast, slow):
        assert theory.propagate() is None
        assert theory.statistics()["cumulative_energy_conflicts"] == 1
    assert fast.last_tasks == slow.last_tasks == [0, 1, 2]
    assert_false_now(graph, fast.conflict())
    assert_implied(problem, spec, fast.conflict())
    problem, (graph, _), fast, slow, _ = start_at_the_root(spec, energetic=False)
    assert fast.propagate() == [] and slow.propagate() == []


def test_unchanged_bounds_are_not_checked_again():
    spec = ([2, 2], [1, 1], 2, [(0, 9), (0, 9)], [])
    problem, (graph, _), fast, slow, _ = start_at_the_root(spec)
    for theory in (fast, slow):
        assert theory.propagate() == []
        assert theory.propagate() == []
        assert theory.statistics()["cumulative_timetable_checks"] == 1
        theory.new_level()
        theory.backtrack(0)
        assert theory.propagate() == []
        assert theory.statistics()["cumulative_timetable_checks"] == 2


def test_ordering_cuts_wait_for_the_implied_orderings():
    # the overload of the first test: the graph implies every ordering literal of the three
    # tasks false; until they are assigned the cut is not a conflict clause, so the check waits
    spec = ([4, 4, 4], [1, 1, 1], 2, [(0, 5), (0, 5), (0, 5)], [])
    problem, graphs, fast, slow, implied = start_at_the_root(spec, ordering_cuts=True)
    for theory in (fast, slow):
        assert theory.propagate() == []
        assert theory.statistics()["cumulative_timetable_deferred"] == 1
    for graph in graphs:
        for lit in implied:
            graph.assign(lit, False)
        assert graph.propagate() == []
    for theory, graph in zip((fast, slow), graphs):
        assert theory.propagate() is None
        assert theory.last_tasks == [0, 1, 2]
        assert theory.statistics()["cumulative_timetable_conflicts"] == 1
        assert len(theory.conflict()) == 6  # the three pairs, both ways
        assert_false_now(graph, theory.conflict())
    assert fast.conflict() == slow.conflict()
    assert_implied(problem, spec, fast.conflict())


def test_ordering_cuts_with_two_tasks_on_one_start_variable():
    # Cumulative([x, x, y]): "x ends before x starts" folds to the constant false literal,
    # which the graph does not own; the twins take it as false (and must not read past the
    # graph's tables for it)
    x, y = Int("x"), Int("y")
    formulas = [Cumulative([x, x, y], [3, 3, 3], [1, 1, 1], 2), x >= 0, x <= 1, y >= 0, y <= 1]
    compiled = compile_problem(formulas)
    (problem,) = [p for p in compiled.difference.values() if p.atoms]
    (spec,) = compiled.globals
    tasks, capacity, order = spec.tasks, spec.capacity, spec.order
    graphs = (problem.build(compiled_dl.DifferenceLogic),
              problem.build(difference_ref.DifferenceLogic))
    fast = compiled_cumulative.CumulativeLogic(graphs[0], tasks, capacity, order,
                                               ordering_cuts=True)
    slow = cumulative_ref.CumulativeLogic(graphs[1], tasks, capacity, order, ordering_cuts=True)
    fast.record_witnesses = slow.record_witnesses = True
    owned = {atom[0] for atom in problem.atoms}
    for graph in graphs:
        for clause in compiled.clauses:
            if len(clause) == 1 and abs(clause[0]) in owned:
                graph.assign(clause[0], True)
        implied = graph.propagate()
        for lit in implied:
            graph.assign(lit, False)
        assert graph.propagate() == []
    assert fast.propagate() is None and slow.propagate() is None
    assert fast.last_tasks == slow.last_tasks == [0, 1, 2]
    assert fast.conflict() == slow.conflict()
    assert order[(0, 1)] in fast.conflict() and abs(order[(0, 1)]) not in owned
    # the cut's clique: tasks 0 and 1 overlap by sharing a start (no premise edge needed)
    assert fast.last_witness() == slow.last_witness() == ("clique", {"tasks": [0, 1, 2]})
    assert_witness_accepted(problem, fast.conflict(), fast.last_witness(), tasks, capacity)


def walk_moves(spec, expected):
    """Both twins from the root with bound literals: each check must move exactly the next
    literal of `expected` (a function of the bound literals' map), with a valid reason; the
    literal and what the graphs then imply are assigned before the next check. Returns the
    compiled twin."""
    problem, (graph, slow_graph), fast, slow, implied = start_at_the_root(spec, True)
    _, _, (_, _, _, bounds) = build(spec, True)
    for lit in implied:
        graph.assign(lit, False)
        slow_graph.assign(lit, False)
    for literal in expected(bounds):
        lits = fast.propagate()
        assert lits == slow.propagate() == [literal], literal
        for theory, g in ((fast, graph), (slow, slow_graph)):
            assert_valid_reason(g, problem, spec, literal, theory.explain(literal))
        for g in (graph, slow_graph):
            g.assign(literal, False)
            for lit in g.propagate():
                g.assign(lit, False)
    assert fast.propagate() == [] and slow.propagate() == []
    return fast


def test_timetable_filtering_moves_a_start_past_a_compulsory_part_in_steps():
    # capacity 2: task 0 (demand 2, 4 long, starting in [0, 1]) surely runs during [1, 4);
    # task 1 (demand 1, 2 long, window [0, 8]) cannot run then. From its earliest start 0 it
    # cannot jump the whole segment in one move: first to 2 (it would cover instant 1), then
    # to 4 (it would cover instant 3)
    spec = ([4, 2], [2, 1], 2, [(0, 5), (0, 10)], [])
    fast = walk_moves(spec, lambda bounds: [bounds[(1, 2)], bounds[(1, 4)]])
    assert fast.statistics()["cumulative_filtered"] == 2


def test_timetable_filtering_moves_a_latest_start_down_in_steps():
    # capacity 2: task 0 (demand 2) runs during [3, 7) for sure; task 1 (demand 1, 2 long,
    # latest start 6) moves its latest start below it: to 4 (at 6 it would cover 6), to 2 (at 4
    # it would cover 4), to 1 (at 2 it would cover 3), where it fits before task 0.
    # "start_1 <= u" is the negation of "start_1 >= u + 1"
    spec = ([4, 2], [2, 1], 2, [(3, 7), (0, 8)], [])
    walk_moves(spec, lambda bounds: [-bounds[(1, u + 1)] for u in (4, 2, 1)])


def test_a_filtering_reason_names_one_bound_literal_per_bound():
    # task 1's move to 2 (it would cover instant 1) needs three facts: task 0 covers instant 1
    # (start_0 >= 0 and start_0 <= 1, the atoms of its window: no bound literal holds there,
    # so the reason falls back to paths) and start_1 >= 0; the clause has the literal too
    spec = ([4, 2], [2, 1], 2, [(0, 5), (0, 10)], [])
    problem, (graph, _), fast, _, implied = start_at_the_root(spec, True)
    for lit in implied:
        graph.assign(lit, False)
    (lit,) = fast.propagate()
    assert len(fast.explain(lit)) == 4
