"""The cumulative theory with optional tasks (presence literals; theories/cumulative_ref.py,
"Optional tasks"): the compiled twin against the reference step by step on random trails, and
every clause either gives checked by z3 against the cumulative constraint over the present
tasks only.

The driver plays the engine as in test_cumulative_twins.py, and also decides the presence
variables (fresh variables the theories own: `assign` goes to them, not to the graphs). Both
twins must agree at every step on conflict or not, the task set, the propagated literals and
the statistics; every conflict clause must be false on the trail and every reason valid, and
all must follow from "at the start of every present task, the present tasks running then fit
the capacity": so a clause that counts a task without its presence among the premises fails.
"""
import itertools

import pytest
import sched_oracle as oracle
import z3
from hypothesis import event, given, settings
from hypothesis import strategies as st

from global_strategies import resources
from test_alternatives_parking import alternative_specs
from test_cumulative_twins import build
from test_fuzz_sched import solve_and_compare
from twin_driver import TwinDriver, z3_literal

from smtsched.core.specs import CumulativeSpec
from smtsched.sched import Model
from smtsched.sched.lower import Lowering
from smtsched.sched.lowered import LoweringBackend
from smtsched.theories import cumulative_ref, difference_ref

compiled_dl = pytest.importorskip("smtsched.theories.difference",
                                  reason="the Cython extension is not built (pure-Python install)")
compiled_cumulative = pytest.importorskip("smtsched.theories.cumulative",
                                          reason="the Cython extension is not built")


def presence_decomposition(durations, demands, capacity, presence):
    """At the start of every present task that uses the resource, the running present
    demands fit; `presence[k]`: task k's presence variable (0: mandatory)."""
    starts = [z3.Int(f"s{i}") for i in range(len(durations))]
    present = [z3.BoolVal(True) if not v else z3.Bool(f"p{v}") for v in presence]
    used = [k for k in range(len(starts)) if durations[k] and demands[k]]
    parts = []
    for i in used:
        load = z3.Sum([z3.If(z3.And(present[j], starts[j] <= starts[i],
                                    starts[i] < starts[j] + durations[j]), demands[j], 0)
                       for j in used])
        parts.append(z3.Implies(present[i], load <= capacity))
    return parts


class Presences:
    """The presence variables' values (the theories own them) and the z3 reading of any
    literal of a clause: a presence or a graph atom."""

    def __init__(self, problem, variables):
        self.problem = problem
        self.variables = set(variables)
        self.value = {}

    def literal_value(self, graph, lit):
        if abs(lit) in self.variables:
            value = self.value.get(abs(lit))
            return 0 if value is None else (1 if value == (lit > 0) else -1)
        return graph.literal_value(lit)

    def z3(self, lit):
        if abs(lit) in self.variables:
            atom = z3.Bool(f"p{abs(lit)}")
            return atom if lit > 0 else z3.Not(atom)
        return z3_literal(self.problem, lit)


def assert_implied(presences, spec, presence, clause):
    durations, demands, capacity = spec[:3]
    s = z3.Solver()
    s.add(*presence_decomposition(durations, demands, capacity, presence))
    s.add(z3.Not(z3.Or([presences.z3(lit) for lit in clause])))
    assert s.check() == z3.unsat, clause


@settings(max_examples=600, deadline=None)
@given(resources(), st.booleans(), st.booleans(), st.data())
def test_twins_agree_with_presence_literals(spec, energetic, filtering, data):
    compiled, problem, (tasks, capacity, order, bounds) = build(spec, bound_literals=filtering)
    n = len(tasks)
    first = compiled.num_vars + 1
    optional = data.draw(st.lists(st.booleans(), min_size=n, max_size=n), label="optional")
    presence = [first + k if optional[k] else 0 for k in range(n)]
    own = [v for v in presence if v]
    fast_graph = problem.build(compiled_dl.DifferenceLogic)
    slow_graph = problem.build(difference_ref.DifferenceLogic)
    options = dict(bound_literals=bounds, energetic=energetic, presence=presence)
    fast = compiled_cumulative.CumulativeLogic(fast_graph, tasks, capacity, order, **options)
    slow = cumulative_ref.CumulativeLogic(slow_graph, tasks, capacity, order, **options)
    assert fast.observed() == slow.observed() == own
    presences = Presences(problem, own)
    driver = TwinDriver(fast_graph, slow_graph, fast, slow)
    assigned = driver.assigned
    clock = itertools.count()
    when = {}
    moved = {}

    def false_now(graph, clause):
        return all(presences.literal_value(graph, lit) == -1 for lit in clause)

    def assign(lit):
        when[abs(lit)] = next(clock)
        if abs(lit) in presences.variables:
            assigned[abs(lit)] = driver.level
            presences.value[abs(lit)] = lit > 0
            fast.assign(lit, False)
            slow.assign(lit, False)
        else:
            driver.assign(lit)

    def backtrack(target):
        driver.backtrack(target)
        for var in [v for v in presences.value if v not in assigned]:
            del presences.value[var]

    driver.assign_root_units(compiled.clauses)
    for var in assigned:
        when[var] = next(clock)
    variables = [atom[0] for atom in problem.atoms] + own
    for _ in range(data.draw(st.integers(1, 20), label="decisions")):
        conflict = False
        while True:
            fast_lits, slow_lits = fast_graph.propagate(), slow_graph.propagate()
            assert (fast_lits is None) == (slow_lits is None)
            if fast_lits is None:
                conflict = True
                break
            assert set(fast_lits) == set(slow_lits)
            fast_found, slow_found = fast.propagate(), slow.propagate()
            assert (fast_found is None) == (slow_found is None), (fast_found, slow_found)
            if fast_found is None:
                assert fast.last_tasks == slow.last_tasks
                clause = fast.conflict()
                assert clause and false_now(fast_graph, clause), clause
                assert false_now(slow_graph, slow.conflict())
                assert_implied(presences, spec, presence, clause)
                assert_implied(presences, spec, presence, slow.conflict())
                if any(abs(lit) in presences.variables for lit in clause):
                    event("a conflict with a presence")
                assert fast.propagate() == [] and slow.propagate() == []
                conflict = True
                break
            assert sorted(fast_found) == sorted(slow_found)
            for lit in fast_found:
                for theory, graph in ((fast, fast_graph), (slow, slow_graph)):
                    reason = theory.explain(lit)
                    assert reason[0] == lit and false_now(graph, reason[1:]), reason
                    assert_implied(presences, spec, presence, reason)
                if any(abs(l) in presences.variables for l in fast.explain(lit)):
                    event("a move with a presence")
            offered = {abs(l) for l in fast_lits}
            round_lits = fast_lits + [l for l in fast_found if abs(l) not in offered]
            moved.update((l, driver.level) for l in fast_found if abs(l) not in offered)
            if not round_lits:
                break
            for lit in round_lits:
                assign(lit)
            for lit in moved:   # reasons asked later name only earlier literals
                clause = fast.explain(lit)
                assert all(when[abs(l)] < when[abs(lit)] for l in clause[1:]), (lit, clause)
                assert clause == [lit] + sorted(clause[1:], key=abs)
        if not conflict and all(v in assigned for v in variables):
            assert fast_graph.final_check() and slow_graph.final_check()
            for theory in driver.theories:
                theory.new_level()
            fast_ok, slow_ok = fast.final_check(), slow.final_check()
            assert fast_ok == slow_ok
            if not fast_ok:
                assert fast.last_tasks == slow.last_tasks
                assert fast.conflict() == slow.conflict()
                assert false_now(fast_graph, fast.conflict())
                assert_implied(presences, spec, presence, fast.conflict())
                event("a final-check cut")
            for theory in driver.theories:
                theory.backtrack(driver.level)
            break
        if conflict:
            if driver.level == 0:
                break
            target = data.draw(st.integers(0, driver.level - 1), label="backtrack to")
            backtrack(target)
            moved = {lit: level for lit, level in moved.items() if level <= target}
            continue
        free = [v for v in variables if v not in assigned]
        undecided = [v for v in own if v not in assigned]
        if undecided and data.draw(st.booleans(), label="a presence next"):
            free = undecided   # (else the many atoms leave the presences undecided)
        var = data.draw(st.sampled_from(free), label="decide")
        lit = var if data.draw(st.booleans(), label="polarity") else -var
        driver.level += 1
        for theory in driver.theories:
            theory.new_level()
        assign(lit)
    assert fast.statistics() == slow.statistics()


def test_an_absent_or_undecided_task_counts_for_nothing():
    """Three tasks of 4 on capacity 2 starting in [0, 1] overload [1, 4) when all count; with
    task 2 optional, only once its presence is true, and the clause names it."""
    spec = ([4, 4, 4], [1, 1, 1], 2, [(0, 5), (0, 5), (0, 5)], [])
    compiled, problem, (tasks, capacity, order, bounds) = build(spec)
    p = compiled.num_vars + 1
    for graph_class, theory_class in ((compiled_dl.DifferenceLogic,
                                       compiled_cumulative.CumulativeLogic),
                                      (difference_ref.DifferenceLogic,
                                       cumulative_ref.CumulativeLogic)):
        graph = problem.build(graph_class)
        theory = theory_class(graph, tasks, capacity, order, presence=[0, 0, p])
        assert theory.observed() == [p]
        for clause in compiled.clauses:
            if len(clause) == 1:
                graph.assign(clause[0], True)
        for lit in graph.propagate():
            graph.assign(lit, True)
        assert theory.propagate() == []            # undecided
        theory.new_level()
        theory.assign(-p, False)
        assert theory.propagate() == []            # absent
        theory.backtrack(0)
        theory.new_level()
        theory.assign(p, False)
        assert theory.propagate() is None          # present: the overload
        assert theory.last_tasks == [0, 1, 2] and -p in theory.conflict()
        theory.backtrack(0)
        assert theory.propagate() == []            # undecided again


@st.composite
def alternative_models(draw):
    """The alternatives of test_alternatives_parking.py (options on unary and cumulative
    resources shared with plain tasks), with a horizon that may leave no schedule."""
    spec = draw(alternative_specs())
    if draw(st.booleans()):
        spec["horizon"] = draw(st.integers(0, 8))
    return spec


@settings(max_examples=150, deadline=None)
@given(alternative_models())
def test_models_with_alternatives_agree_with_brute_force(spec):
    """Optimum equal (INFEASIBLE equal) to the brute force of tests/sched_oracle.py, every
    schedule valid (test_fuzz_sched.solve_and_compare), with the resources' presence theories
    in the lowering (not vacuous: checked on the model's lowering)."""
    model, _ = oracle.build(spec)
    lowering = Lowering(model)
    with_presence = [s for s in lowering.core.globals
                     if isinstance(s, CumulativeSpec) and s.presence]
    sharing = [r for r in model.resources if any(t.optional for t, _ in r.demands)
               and sum(1 for t, d in r.demands if t.duration and d) >= 2]
    assert len(with_presence) == len(sharing)
    if with_presence:
        event("presence theories")
    solve_and_compare(spec, oracle.brute_force(spec)[0])


def test_certificates_keep_the_guarded_pairs():
    """Under proof the lowering makes no presence theory (the checker counts a task only
    with the model's presence among the premises; these clauses name copies)."""
    m = Model()
    main = m.task("main", 0)
    options = [m.task(f"o{k}", 2 + k, optional=True) for k in range(2)]
    m.alternative(main, options)
    other = m.task("other", 3)
    m.cumulative([(options[0], 2), (options[1], 1), (other, 1)], 2)
    for proof, expected in ((False, 1), (True, 0)):
        backend = LoweringBackend(m, 10, proof=proof)
        try:
            assert len([s for s in backend.lowering.core.globals
                        if isinstance(s, CumulativeSpec) and s.presence]) == expected
        finally:
            backend.close()


def test_a_multi_mode_model_is_solved_the_same_twice():
    """Determinism with the presence theories: the same model and seed give the same answer
    and statistics (PyJobShop's multi-mode example r54_9.mm, OPTIMAL 54)."""
    import os

    from smtsched.sched.formats import read_model
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..",
                        "shared", "data", "pyjobshop", "r54_9.mm")
    if not os.path.exists(path):
        pytest.skip("../shared/data is not here")
    assert [s for s in Lowering(read_model(path)).core.globals
            if isinstance(s, CumulativeSpec) and s.presence]   # not vacuous
    results = [read_model(path).solve(seed=3) for _ in range(2)]
    assert results[0].status == "OPTIMAL" and results[0].objective == 54

    def counts(result):
        return {key: value for key, value in result.stats.items() if key != "runtime"}
    assert counts(results[1]) == counts(results[0]) and counts(results[0])["conflicts"] > 0
    assert results[1].starts == results[0].starts and results[0].starts
