"""The theory factory and the search session on core problems built by hand (no Terms): what a
front end such as sched/lower.py hands over is searched as the z3-shaped Solver searches its own
compiled problems, with the same statistics for the same core and seed."""
import pytest

from smtsched import Disjunctive, Int, Or, Solver
from smtsched.compile import compile_problem
from smtsched.core import (INT, CoreProblem, CostSpec, CostTask, CumulativeOptions,
                           CumulativeSpec, DemandTask, DiffAtom, DisjunctiveSpec,
                           PseudoBooleanSpec, Task)
from smtsched.core.factory import build_theories
from smtsched.core.session import Session
from smtsched.engine import SAT, UNKNOWN, UNSAT
from smtsched.theories import cost_ref, cumulative_ref, difference_ref, disjunctive_ref
from smtsched.theory import PURE_PYTHON

compiled_only = pytest.mark.skipif(PURE_PYTHON, reason="needs the compiled theories")


def machine(durations=(3, 4), horizons=(7, 6)):
    """Tasks on one machine, starts >= 0 (root facts); per horizon h a literal per task of
    "task ends by h", unasserted. Returns the core, the Int nodes and {h: [literal]}."""
    core = CoreProblem()
    graph = core.difference[INT]
    nodes = [graph.node(("var", f"s{k}"), f"s{k}") for k in range(len(durations))]

    def atom(p, q, bound):                 # x_p - x_q <= bound
        var = core.new_var()
        graph.atoms.append(DiffAtom(var, p, q, bound, False))
        return var

    for node in nodes:
        core.clauses.append([atom(0, node, 0)])              # start >= 0
    ends = {h: [atom(node, 0, h - d) for node, d in zip(nodes, durations)] for h in horizons}
    order = {}
    for i in range(len(nodes)):
        for j in range(i + 1, len(nodes)):
            order[(i, j)] = atom(nodes[i], nodes[j], -durations[i])
            order[(j, i)] = atom(nodes[j], nodes[i], -durations[j])
            core.clauses.append([order[(i, j)], order[(j, i)]])
    core.globals.append(DisjunctiveSpec([Task(n, d) for n, d in zip(nodes, durations)], order))
    return core, nodes, ends


def test_a_hand_built_core_is_searched_with_assumptions_and_cores():
    core, nodes, ends = machine()
    session = Session(core)
    outcome = session.check(ends[7])
    assert outcome.status == SAT
    starts = [outcome.values[0][n] for n in nodes]
    assert all(s >= 0 for s in starts) and max(s + d for s, d in zip(starts, (3, 4))) <= 7
    assert starts[0] + 3 <= starts[1] or starts[1] + 4 <= starts[0]
    outcome = session.check(ends[6])
    assert outcome.status == UNSAT
    assert outcome.core and set(outcome.core) <= set(ends[6])
    # facts need no core: the same refutation, with none
    outcome = session.check(facts=ends[6])
    assert outcome.status == UNSAT and not outcome.core


def test_added_clauses_and_variables_hold_for_the_later_checks():
    core, _, ends = machine()
    session = Session(core)
    clauses_before = [list(c) for c in core.clauses]
    before = core.num_vars
    guard = session.new_var()
    assert guard == before + 1 == session.num_vars
    for lit in ends[6]:
        session.add_clause([-guard, lit])
    assert session.check([guard]).status == UNSAT
    assert session.check().status == SAT
    session.add_clause([guard])
    assert session.check().status == UNSAT
    assert core.clauses == clauses_before and core.num_vars == guard  # the core numbers
    with pytest.raises(ValueError):
        session.add_clause([guard + 1])


def job_shop(jobs, horizon):
    """Formulas of a small job shop: jobs are [(machine, duration)] in order."""
    starts, formulas = {}, []
    for j, operations in enumerate(jobs):
        for k, (_, duration) in enumerate(operations):
            starts[j, k] = Int(f"s{j}_{k}")
            formulas += [starts[j, k] >= 0, starts[j, k] + duration <= horizon]
            if k:
                formulas.append(starts[j, k] >= starts[j, k - 1] + operations[k - 1][1])
    for machine in sorted({m for operations in jobs for m, _ in operations}):
        on = [(starts[j, k], d) for j, operations in enumerate(jobs)
              for k, (m, d) in enumerate(operations) if m == machine]
        formulas.append(Disjunctive([s for s, _ in on], [d for _, d in on]))
    return formulas


JOBS = [[(0, 1), (2, 4), (1, 4)], [(1, 1), (2, 4), (0, 1)], [(1, 6), (2, 4), (0, 3)],
        [(2, 3), (0, 1), (1, 1)]]


def test_the_core_may_grow_between_checks():
    """A front end extends the core after the session began (a new atom and its clause):
    the next check searches the core as it is then."""
    core, nodes, ends = machine()
    session = Session(core)
    assert session.check(ends[7]).status == SAT
    late = core.new_var()
    core.difference[INT].atoms.append(DiffAtom(late, nodes[0], nodes[1], -10, False))
    core.clauses.append([late])                   # s0 + 10 <= s1: cannot end by 7
    assert session.new_var() == late + 1
    assert session.check(ends[7]).status == UNSAT
    assert session.check().status == SAT


@compiled_only
@pytest.mark.uncertified   # compares the Solver's search with the engine's, without proof
def test_same_core_and_seed_same_search_as_the_engine_on_theories_in_core_order():
    """The session's search is the engine's on the graph, then one theory per global in the
    core's order (built here by hand, not by the factory), with CaDiCaL's seed; and the
    Solver's is the session's."""
    from smtsched.engine import Engine
    from smtsched.theories.difference import DifferenceLogic
    from smtsched.theories.disjunctive import DisjunctiveLogic
    formulas = job_shop(JOBS, 16) + [Or(Int("s0_0") >= 5, Int("s1_0") >= 6)]
    searches = set()
    for seed in (0, 11):
        core = compile_problem(formulas, seed=seed)
        graph = core.difference[INT].build(DifferenceLogic)
        theories = [graph] + [DisjunctiveLogic(graph, spec.tasks, spec.order)
                              for spec in core.globals]
        expected = Engine(core.num_vars, core.clauses, theories,
                          sat_options={"seed": seed}).solve().stats
        searches.add(tuple(sorted(expected.items())))
        for _ in range(2):
            outcome = Session(compile_problem(formulas, seed=seed), seed=seed).check()
            assert outcome.status == SAT and outcome.stats == expected
        s = Solver()
        s.set(seed=seed)
        s.add(formulas)
        s.check()
        assert {k: v for k, v in s.statistics().items() if k != "time"} == expected
    assert len(searches) == 2  # the seed changes the search (so the test can see it)


@compiled_only
def test_too_many_nodes_for_the_dense_theory_is_unknown_with_the_reason(monkeypatch):
    import smtsched.theory
    from smtsched.theories.difference import MAX_NODES
    monkeypatch.setattr(smtsched.theory, "DIFFERENCE", "dense")  # else the sparse theory
    core = CoreProblem()
    graph = core.difference[INT]
    for k in range(MAX_NODES):
        graph.node(("var", k), f"x{k}")
    var = core.new_var()
    graph.atoms.append(DiffAtom(var, 1, 2, 5, False))
    outcome = Session(core).check()
    assert outcome.status == UNKNOWN
    assert outcome.reason.startswith("incomplete: the Int difference graph has")
    assert str(MAX_NODES) in outcome.reason


@compiled_only
def test_constants_beyond_64_bit_sums_fall_back_to_the_exact_references():
    core, nodes, ends = machine()
    var = core.new_var()
    core.difference[INT].atoms.append(DiffAtom(var, nodes[0], 0, 2 ** 70, False))
    built = build_theories(core)
    assert isinstance(built.theories[0], difference_ref.DifferenceLogic)
    assert isinstance(built.theories[1], disjunctive_ref.DisjunctiveLogic)
    assert Session(core).check(ends[7] + [var]).status == SAT


def every_global(explanation="auto", bound_literals=True):
    core, nodes, _ = machine(durations=(3, 4, 2))
    disjunctive = core.globals[0]
    bounds = {(0, 1): core.new_var()} if bound_literals else {}
    core.globals += [
        CumulativeSpec([DemandTask(n, t.duration, 1) for n, t in zip(nodes, disjunctive.tasks)],
                       2, dict(disjunctive.order), bounds, CumulativeOptions(explanation)),
        CostSpec([CostTask(n, 1, 1, None) for n in nodes], 100),
        DisjunctiveSpec([Task(nodes[0], 3)], {}),   # one task: no theory
    ]
    core.pseudo_boolean.append(PseudoBooleanSpec([core.new_var(), core.new_var()], [1, 1], 1))
    return core


def test_theories_come_in_core_order_with_the_measured_defaults():
    core = every_global()
    built = build_theories(core, difference_class=difference_ref.DifferenceLogic)
    assert built.unknown is None and built.differences == [core.difference[INT]]
    graph, disjunctive, cumulative, cost, pb = built.theories
    assert isinstance(graph, difference_ref.DifferenceLogic)
    assert isinstance(disjunctive, disjunctive_ref.DisjunctiveLogic)
    assert disjunctive.every_level is False          # the reference twin: root only
    assert isinstance(cumulative, cumulative_ref.CumulativeLogic)
    assert isinstance(cost, cost_ref.CostLogic)
    assert type(pb).__name__ == "PseudoBooleanLogic"
    # "auto": pointwise with bound literals, ordering cuts without; energetic off
    assert cumulative.filtering and cumulative.bound_literal == core.globals[1].bound_literals
    assert cumulative.ordering_cuts is False and cumulative.energetic is False
    plain = build_theories(every_global(bound_literals=False),
                           difference_class=difference_ref.DifferenceLogic)
    assert plain.theories[2].ordering_cuts is True
    forced = build_theories(every_global("ordering_cut"),
                            difference_class=difference_ref.DifferenceLogic)
    assert forced.theories[2].ordering_cuts is True


def test_weighted_cost_without_a_graph_is_refused():
    from smtsched.errors import UnsupportedError
    core = CoreProblem()
    core.globals.append(CostSpec([CostTask(1, 1, 1, None)], 3))
    with pytest.raises(UnsupportedError, match="WeightedCost"):
        build_theories(core)


# -- persistent sessions: one engine for every check -----------------------------------------
def probe(session, nodes, durations, horizon):
    """An optimiser's probe: "every task ends by `horizon`" behind a fresh activation literal
    (new atoms, clauses guarded by it); returns the literal."""
    active = session.new_var()
    for node, duration in zip(nodes, durations):
        end = session.add_atom(node, 0, horizon - duration)
        session.add_clause([-active, end])
    return active


@pytest.mark.parametrize("persistent", [False, True])
def test_probes_for_the_makespan_answer_as_the_work_says(persistent):
    durations = (3, 4, 2)
    core, nodes, _ = machine(durations=durations, horizons=())
    with Session(core, persistent=persistent) as session:
        answers = {}
        for horizon in (12, 9, 8, 10, 6):
            active = probe(session, nodes, durations, horizon)
            outcome = session.check([active], time_limit=30, max_conflicts=10 ** 6)
            answers[horizon] = outcome.status
            if outcome.status == SAT:
                starts = [outcome.values[0][n] for n in nodes]
                assert max(s + d for s, d in zip(starts, durations)) <= horizon
                spans = sorted(zip(starts, durations))
                assert all(a + d <= b for (a, d), (b, _) in zip(spans, spans[1:]))
            else:
                assert outcome.core == [active]
            session.add_clause([-active])             # retired, as an optimiser does
        assert answers == {12: SAT, 9: SAT, 8: UNSAT, 10: SAT, 6: UNSAT}
        assert session.check().status == SAT


def test_a_persistent_session_takes_what_the_front_end_appends_and_numbers_past_it():
    core, nodes, ends = machine()
    with Session(core, persistent=True) as session:
        assert session.check(ends[7], time_limit=30).status == SAT  # a stop literal is made
        engine = session.engine
        assert core.num_vars >= engine.num_vars  # the core numbers past the engine's literals
        # the front end numbers a variable and appends clauses: the next check has them
        extra = core.new_var()
        core.clauses += [[-extra, -ends[7][0]], [extra]]
        assert session.check(ends[7]).status == UNSAT
        assert session.engine is engine and session.check().status == SAT
        # an atom appended with a variable the engine has not numbered joins the running
        # theory with it (as sched.lower appends a probe's bound) ...
        late = core.new_var()
        core.difference[INT].atoms.append(DiffAtom(late, nodes[1], 0, 3, False))  # s1 <= 3
        assert session.check([late]).status == SAT
        assert session.engine is engine and session.check([late, -ends[7][1]]).status == UNSAT
        outcome = session.check([-late])
        assert outcome.status == SAT and outcome.values[0][nodes[1]] - outcome.values[0][0] > 3
        # ... one whose variable the engine numbered already (a stop literal) cannot
        core.difference[INT].atoms.append(DiffAtom(engine.num_vars, nodes[0], 0, 2, False))
        with pytest.raises(ValueError, match="add_atom"):
            session.check()


def test_facts_of_a_persistent_session_are_left_out_of_the_core():
    core, _, ends = machine()
    with Session(core, persistent=True) as session:
        outcome = session.check(ends[6][:1], facts=ends[6][1:])
        assert outcome.status == UNSAT and set(outcome.core) <= set(ends[6][:1])
        assert session.check(ends[7]).status == SAT  # the facts held for that check only


def test_a_cost_bound_appended_between_checks_joins_the_search_and_leaves_it():
    """A weighted-completion bound behind a fresh guard, appended to the core as sched.lower's
    cost_bound does: it holds while the guard is assumed; `leave` takes its theory out."""
    durations = (3, 4)
    core, nodes, _ = machine(durations=durations, horizons=())
    with Session(core, persistent=True) as session:
        assert session.check().status == SAT
        engine = session.engine
        # the optimum of 1*C0 + 2*C1 on one machine: task 1 first, 4 * 2 + 7 * 1 = 15
        answers = {}
        for bound in (20, 15, 14):
            guard = core.new_var()
            spec = CostSpec([CostTask(n, d, w, None) for n, d, w in zip(nodes, durations, (1, 2))],
                            bound, guard)
            core.globals.append(spec)
            outcome = session.check([guard])
            answers[bound] = outcome.status
            if outcome.status == SAT:
                starts = [outcome.values[0][n] - outcome.values[0][0] for n in nodes]
                assert sum(w * (s + d) for s, d, w in zip(starts, durations, (1, 2))) <= bound
            session.add_clause([-guard])
            assert session.leave(spec) and not session.leave(spec)
        assert answers == {20: SAT, 15: SAT, 14: UNSAT}
        assert session.engine is engine and len(engine.theories) == 2  # difference, machine
        assert session.check().status == SAT


def test_pseudo_boolean_rows_appended_between_checks_read_copies_of_seen_literals():
    """Rows over literals the engine has seen already join as a theory of their own over fresh
    copies (l -> l'); the guard, fresh, stays itself. Retired, the copies are fixed."""
    core = CoreProblem()
    x = [core.new_var() for _ in range(3)]
    core.clauses += [[x[0], x[1]], [x[1], x[2]], [x[0], x[2]]]   # at least two are true
    with Session(core, persistent=True) as session:
        assert session.check([x[0], x[1], x[2]]).status == SAT
        guard = core.new_var()
        row = PseudoBooleanSpec(x + [guard], [1, 1, 1, 2], 3)   # guard => at most one of x
        core.pseudo_boolean.append(row)
        assert session.check([guard]).status == UNSAT
        outcome = session.check([guard, x[1]])
        assert outcome.status == UNSAT
        assert session.check([-guard, x[0], x[1], x[2]]).status == SAT
        (copies,) = session.copies.values()
        assert len(copies) == 3 and min(copies) > guard      # fresh, past the guard
        session.add_clause([-guard])
        assert session.leave(row)
        outcome = session.check([x[0], x[1], x[2]])
        assert outcome.status == SAT and all(outcome.model[c - 1] > 0 for c in copies)


def test_atoms_appended_after_a_check_that_timed_out_while_building_are_searched():
    """A persistent session whose first check ran out of time while building the theories
    (no engine yet) builds them again: an atom appended meanwhile is owned by the difference
    theory, not left a free SAT variable (which made "s0 <= -1" satisfiable)."""
    core, nodes, _ = machine(horizons=())
    with Session(core, persistent=True) as session:
        assert session.check(time_limit=0).status == UNKNOWN
        impossible = core.new_var()
        core.difference[INT].atoms.append(DiffAtom(impossible, nodes[0], 0, -1, False))
        assert session.check([impossible]).status == UNSAT
        assert session.check().status == SAT
