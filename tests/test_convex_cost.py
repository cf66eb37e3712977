"""Earliness terms (issue 17's total earliness): the exact timing solver against z3's Optimize
(a test oracle only), the convex cost theory through Model.solve against brute force on small
models, and the Model's API, model.json, SMT-LIB and certificate behaviour for them."""
import itertools
import json
import random

import pytest
import z3

from smtsched.sched import Model
from smtsched.sched.model import ModelError
from smtsched.sched.result import OPTIMAL
from smtsched.theories.convex_timing_ref import Convex, end_cost, optimal_timing

KINDS = ("completion", "tardiness", "earliness")


# -- the timing solver against z3 -----------------------------------------------------------

def random_system(seed):
    """A feasible difference system with an origin, every node bounded from below and above,
    and V-shaped (earliness + tardiness) and other convex costs on random nodes."""
    r = random.Random(seed)
    n = r.randint(2, 8)
    x0 = [0] + [r.randint(0, 20) for _ in range(n - 1)]
    edges = []
    for v in range(1, n):
        edges.append((v, 0, -r.randint(0, x0[v])))          # x_v >= release
        edges.append((0, v, x0[v] + r.randint(0, 15)))       # x_v <= latest
    for _ in range(r.randint(0, 2 * n)):
        u, v = r.sample(range(n), 2)
        edges.append((u, v, x0[v] - x0[u] + r.randint(0, 4)))
    costs = {}
    for v in range(1, n):
        if r.random() < 0.2:
            continue
        f = Convex()
        for _ in range(r.randint(1, 3)):
            f = f.add(end_cost(r.randint(0, 3), r.choice(KINDS), r.randint(0, 5),
                               r.randint(-2, 30)))
        costs[v] = f
    return n, edges, costs, x0


def z3_optimum(n, edges, costs, subset=None):
    opt = z3.Optimize()
    x = [z3.Int(f"x{i}") for i in range(n)]
    opt.add(x[0] == 0)
    for k, (u, v, w) in enumerate(edges):
        if subset is None or k in subset:
            opt.add(x[v] - x[u] <= w)
    total = z3.IntVal(0)
    for v, f in costs.items():
        total = total + f.const + f.a * x[v]
        for c, b in f.hinges:
            total = total + c * z3.If(x[v] > b, x[v] - b, 0)
    opt.minimize(total)
    assert opt.check() == z3.sat
    return opt.model().eval(total).as_long()


@pytest.mark.parametrize("seed", range(120))
def test_the_timing_solver_is_exact_against_z3(seed):
    n, edges, costs, x0 = random_system(seed)
    x, value, needed = optimal_timing(n, edges, costs, x0)
    assert x[0] == 0
    assert all(x[v] - x[u] <= w for u, v, w in edges)
    assert value == sum(f(x[v]) for v, f in costs.items())
    assert value == z3_optimum(n, edges, costs)
    # the explanation: edges tight at x, and they alone allow nothing cheaper
    assert set(needed) <= {k for k, (u, v, w) in enumerate(edges) if x[v] - x[u] == w}
    if costs:
        assert z3_optimum(n, edges, costs, set(needed)) == value


def test_the_least_value_of_a_cost_over_a_window_is_the_enumerated_one():
    # the window bound of the theory's propagation (unbounded ends: None)
    r = random.Random(1)
    for _ in range(2000):
        f = Convex()
        for _ in range(r.randint(0, 3)):
            f = f.add(end_cost(r.randint(0, 3), r.choice(KINDS), r.randint(0, 4),
                               r.randint(-3, 12)))
        lo, hi = r.choice([None, r.randint(-5, 10)]), r.choice([None, r.randint(-5, 20)])
        if lo is not None and hi is not None and hi < lo:
            lo, hi = hi, lo
        value, x = f.least(lo, hi)
        low, high = (-60 if lo is None else lo), (80 if hi is None else hi)
        if (lo is None and f(low - 1) < f(low)) or (hi is None and f(high + 1) < f(high)):
            assert value is None
        else:
            assert value == min(f(y) for y in range(low, high + 1)) == f(x)
            assert low <= x <= high


def test_the_timing_solver_refuses_a_start_that_breaks_an_edge():
    with pytest.raises(ValueError):
        optimal_timing(2, [(0, 1, 3)], {1: end_cost(0, "earliness", 1, 9)}, [0, 5])


def test_a_v_shape_between_two_ordered_jobs_meets_the_dues_where_it_can():
    # two tasks in sequence (1 must end before 2 starts), both due at 10: the JIT optimum of
    # Garey, Tarjan & Wilfong's example shape puts the block around the common due date
    edges = [(1, 0, 0), (2, 0, 0), (2, 1, -3)]     # x1, x2 >= 0; x1 + 3 <= x2
    costs = {1: end_cost(3, "earliness", 1, 10).add(end_cost(3, "tardiness", 1, 10)),
             2: end_cost(3, "earliness", 1, 10).add(end_cost(3, "tardiness", 1, 10))}
    x, value, _ = optimal_timing(3, edges, costs, [0, 0, 3])
    assert value == 3 and x[2] - x[1] == 3 and 7 <= x[2] + 3 <= 10 + 3


# -- Model.solve against brute force ----------------------------------------------------------

def random_model_spec(seed):
    r = random.Random(seed)
    n = r.randint(2, 4)
    tasks = [(r.randint(1, 3), r.randint(0, 3)) for _ in range(n)]   # duration, release
    precedences = []
    for _ in range(r.randint(0, 2)):
        a, b = r.sample(range(n), 2)
        precedences.append((a, b, r.randint(0, 2), r.choice([None, r.randint(2, 5)])))
    unary = sorted(r.sample(range(n), r.randint(0, n)))
    cumulative = {i: r.randint(1, 2) for i in range(n) if r.random() < 0.5}
    terms = {}
    for i in range(n):
        if r.random() < 0.7:
            terms[i] = (r.choice(["end", "due"]), r.randint(0, 3), r.randint(0, 9))
    early = {i: (r.randint(1, 4), r.randint(0, 11)) for i in range(n) if r.random() < 0.7}
    if not early:
        early[0] = (1, 12)
    return tasks, precedences, unary, cumulative, terms, early


def build(spec):
    tasks, precedences, unary, cumulative, terms, early = spec
    m = Model()
    ts = [m.task(f"t{i}", d, release) for i, (d, release) in enumerate(tasks)]
    for a, b, lo, hi in precedences:
        m.precedence(ts[a], ts[b], lo, hi)
    if len(unary) >= 2:
        m.unary([ts[i] for i in unary])
    if len(cumulative) >= 2:
        m.cumulative([(ts[i], d) for i, d in cumulative.items()], 2)
    any_due = any(kind == "due" for kind, _, _ in terms.values())
    m.minimize_weighted_sum(
        [(ts[i], w, d if kind == "due" else None) for i, (kind, w, d) in terms.items()],
        earliness=[(ts[i], w, d) for i, (w, d) in early.items()])
    return m, ts, any_due


def brute(spec):
    """The least objective over every start in a grid that holds an optimum (None when
    infeasible), written from the documentation: weighted ends, tardiness (a term without a
    due has due 0 once any term has one) and earliness. Depth-first over the tasks, each
    start checked against the tasks placed before it."""
    tasks, precedences, unary, cumulative, terms, early = spec
    any_due = any(kind == "due" for kind, _, _ in terms.values())
    dues = [d for _, _, d in terms.values()] + [d for _, d in early.values()]
    top = max(r for _, r in tasks) + max(dues, default=0) + sum(d for d, _ in tasks) \
        + sum(lo for _, _, lo, _ in precedences)
    n = len(tasks)
    best = [None]
    starts = []

    def fits(k):
        ends = [s + tasks[i][0] for i, s in enumerate(starts)]
        for a, b, lo, hi in precedences:
            if a <= k and b <= k and not (lo <= starts[b] - ends[a]
                                          and (hi is None or starts[b] - ends[a] <= hi)):
                return False
        for i in unary:
            if i < k and k in unary and starts[i] < ends[k] and starts[k] < ends[i]:
                return False
        if k in cumulative and len(cumulative) >= 2:
            for t in range(starts[k], ends[k]):
                if sum(d for i, d in cumulative.items()
                       if i <= k and starts[i] <= t < ends[i]) > 2:
                    return False
        return True

    def place(k):
        if k == n:
            ends = [s + d for s, (d, _) in zip(starts, tasks)]
            total = 0
            for i, (kind, w, d) in terms.items():
                due = d if kind == "due" else 0
                total += w * (max(0, ends[i] - due) if any_due else ends[i])
            for i, (w, d) in early.items():
                total += w * max(0, d - ends[i])
            if best[0] is None or total < best[0]:
                best[0] = total
            return
        for start in range(tasks[k][1], top + 1):
            starts.append(start)
            if fits(k):
                place(k + 1)
            starts.pop()

    place(0)
    return best[0]


@pytest.mark.parametrize("seed", range(40))
def test_model_solve_meets_the_brute_force_optimum(seed):
    solve_against_brute_force(seed)


@pytest.mark.parametrize("seed", range(40, 46))
def test_the_theory_over_the_reference_graph_meets_brute_force_too(seed, monkeypatch):
    # the convex cost theory reads the graph through global_ref's contract: the pure-Python
    # difference theory's (and the other references') answers are the same
    from smtsched import theory
    monkeypatch.setattr(theory, "PURE_PYTHON", True)
    solve_against_brute_force(seed)


def solve_against_brute_force(seed):
    spec = random_model_spec(seed)
    model, ts, _ = build(spec)
    expected = brute(spec)
    result = model.solve(time_limit=60)
    if expected is None:
        assert result.status == "INFEASIBLE"
        return
    assert result.status == OPTIMAL, result
    assert result.objective == expected
    starts = [result.start(t) for t in ts]
    assert model.objective_value(starts) == expected
    assert result.lower_bound == expected
    if seed % 8 == 0:   # determinism: the same search again, the same answer and statistics
        again = model.solve(time_limit=60)
        assert [again.start(t) for t in ts] == starts
        assert {k: v for k, v in again.stats.items() if k != "runtime"} == \
            {k: v for k, v in result.stats.items() if k != "runtime"}


def test_a_task_due_late_is_started_late_not_at_its_earliest():
    m = Model()
    a = m.task("a", 2)
    b = m.task("b", 3)
    m.precedence(a, b)
    m.minimize_weighted_sum([(a, 1, 20), (b, 1, 30)], earliness=[(a, 2, 20), (b, 5, 30)])
    result = m.solve()
    assert result.status == OPTIMAL and result.objective == 0
    assert result.start(a) + 2 == 20 and result.start(b) + 3 == 30


# -- the API, model.json, SMT-LIB, certificates --------------------------------------------

def test_bad_earliness_terms_are_refused():
    m = Model()
    a = m.task("a", 2)
    o = m.task("o", 1, optional=True)
    other = Model().task("x", 1)
    for bad in ([(a, 1)], [(a, -1, 3)], [(a, 1, None)], [(a, 1, 2), (a, 1, 3)],
                [(o, 1, 3)], [(other, 1, 3)], 5, [(a, 1.5, 3)]):
        with pytest.raises(ModelError):
            m.minimize_weighted_sum([(a, 1, None)], earliness=bad)
    m.minimize_weighted_sum([], earliness=[(a, 1, 5)])
    assert m.earliness == {0: (1, 5)}
    m.minimize_makespan()
    assert m.earliness == {}


@pytest.mark.parametrize("more, names", [
    (dict(tardy=[(0, 1, 3)]), "tardy"),
    (dict(max_tardiness=[(2, [(0, 1, 0), (1, 3, 4)])]), "max_tardiness"),
    (dict(setup_weight=1), "setup_weight"),
    (dict(tardy=[(1, 2, 3)], setup_weight=4), "tardy and setup_weight")])
def test_earliness_with_the_cost_terms_is_refused_by_name(more, names):
    # the convex cost theory carries no steps, max groups or literal terms (and the cost
    # theory that does bounds non-decreasing costs only): refused at the Model, never dropped
    from smtsched.errors import UnsupportedError
    from smtsched.sched.lower import Lowering
    from smtsched.sched.model_dump import dumps
    from smtsched.sched.model_json import loads
    m = Model()
    tasks = [m.task("a", 2), m.task("b", 3)]
    m.setup_times(m.unary(tasks), {(tasks[0], tasks[1]): 2})
    more = {key: [(tasks[i], w, d) for i, w, d in value] if key == "tardy" else
            [(w, [(tasks[i], v, d) for i, v, d in members]) for w, members in value]
            if key == "max_tardiness" else value for key, value in more.items()}
    m.minimize_makespan()
    with pytest.raises(ModelError, match=f"earliness with {names} is not supported"):
        m.minimize_weighted_sum([(tasks[0], 1, None)], earliness=[(tasks[1], 2, 9)], **more)
    assert m.objective == "makespan" and not m.earliness and not m.cost_terms()
    # each alone is accepted, and so is an earliness term of weight 0 (it counts nothing)
    m.minimize_weighted_sum([(tasks[0], 1, None)], earliness=[(tasks[1], 0, 9)], **more)
    assert m.cost_terms() and not m.earliness
    m.minimize_weighted_sum([(tasks[0], 1, None)], earliness=[(tasks[1], 2, 9)])
    assert m.earliness and not m.cost_terms()
    text = dumps(m)
    # fields set by hand, and model.json: refused before the search, and the lowering too
    m.tardy = [(0, 1, 3)]
    with pytest.raises(ModelError, match="earliness with tardy, max_tardiness or setup_weight"):
        m.solve()
    with pytest.raises(UnsupportedError, match="earliness terms with tardy"):
        Lowering(m).cost_bound(5)
    bad = json.loads(text)
    bad["tardy"] = [["a", 1, 3]]
    with pytest.raises(ModelError, match="earliness with tardy, max_tardiness or setup_weight"):
        loads(json.dumps(bad))


def test_every_objective_setter_forgets_every_term_kind():
    m = Model()
    a, b = m.task("a", 2), m.task("b", 3)
    m.setup_times(m.unary([a, b]), {(a, b): 2})
    memory = m.memory(name="mem")
    setters = (m.minimize_makespan, lambda: m.minimize_peak_memory(memory),
               m.minimize_weighted_completion, lambda: m.minimize_weighted_tardiness({a: 1}),
               lambda: m.minimize_weighted_sum([(a, 1, None)]))
    for fill in (lambda: m.minimize_weighted_sum([], earliness=[(a, 1, 5)]),
                 lambda: m.minimize_weighted_sum([], tardy=[(a, 1, 3)],
                                                 max_tardiness=[(1, [(b, 1, 0)])],
                                                 setup_weight=2)):
        for setter in setters:
            fill()
            assert m.earliness or m.cost_terms()
            setter()
            assert m.earliness == {} and m.tardy == [] and m.max_groups == [] \
                and m.setup_weight == 0


def test_model_json_keeps_the_earliness_terms(tmp_path):
    from smtsched.sched.model_dump import dumps
    from smtsched.sched.model_json import loads
    m = Model()
    a, b = m.task("a", 2), m.task("b", 3)
    m.unary([a, b])
    m.minimize_weighted_sum([(a, 2, 4)], earliness=[(a, 1, 9), (b, 3, 6)])
    data = json.loads(dumps(m))
    assert data["earliness"] == [["a", 1, 9], ["b", 3, 6]]
    again = loads(dumps(m))
    assert again.earliness == m.earliness and again.weights == m.weights
    assert again.solve().objective == m.solve().objective


def test_to_smtlib_prints_the_earliness_as_ites_that_z3_bounds_exactly():
    m = Model()
    a, b = m.task("a", 2), m.task("b", 3)
    m.unary([a, b])
    m.minimize_weighted_sum([(a, 2, 4), (b, 1, 3)], earliness=[(a, 1, 9), (b, 3, 8)])
    optimum = m.solve().objective
    assert optimum > 0
    for bound, answer in ((optimum, z3.sat), (optimum - 1, z3.unsat)):
        text = m.to_smtlib(bound)
        assert "QF_LIA" in text and "ite" in text
        solver = z3.Solver()
        solver.from_string(text)
        assert solver.check() == answer


def test_a_certificate_is_refused_with_a_note_for_earliness(tmp_path):
    m = Model()
    a = m.task("a", 2)
    m.minimize_weighted_sum([], earliness=[(a, 1, 5)])
    result = m.solve(proof=tmp_path / "cert")
    assert result.status == OPTIMAL and result.objective == 0
    assert result.certificate is None
    assert "earliness" in result.certificate_note


# -- the compiled twin against the reference, step by step over one graph ------------------------

def twin_walk(seed):
    """Random assignments of a random model's atoms on the compiled difference theory; after
    each, the reference and the compiled convex cost theories (over that one graph) must
    agree on conflict or not, and every conflict clause must be false now (sound premises:
    the negation of literals the graph has made true)."""
    from smtsched.core.problem import INT
    from smtsched.sched.lower import Lowering
    from smtsched.theories import convex_cost, convex_cost_ref
    from smtsched.theories.difference import DifferenceLogic

    spec = random_model_spec(seed)
    model, _, _ = build(spec)
    r = random.Random(seed)
    lowering = Lowering(model)
    core = lowering.core
    ints = core.difference[INT]
    graph = ints.build(DifferenceLogic)
    bound = r.randint(0, 25)
    _, cost = lowering.cost_bound(bound, guarded=False)
    theories = [cls(graph, tasks=cost.tasks, bound=bound, guard=None, atoms=ints.atoms,
                    num_nodes=ints.num_nodes)
                for cls in (convex_cost_ref.ConvexCostLogic, convex_cost.ConvexCostLogic)]
    value = graph.literal_value
    for clause in core.clauses:
        if len(clause) == 1 and abs(clause[0]) in graph.observed():
            graph.assign(clause[0], True)
    if graph.propagate() is None:
        return 0
    variables = list(graph.observed())
    r.shuffle(variables)
    seen = 0
    for var in variables:
        if value(var) != 0:
            continue
        graph.new_level()
        for theory in theories:
            theory.new_level()
        graph.assign(var if r.random() < 0.5 else -var)
        if graph.propagate() is None:
            level = graph.level() - 1
            graph.backtrack(level)
            for theory in theories:
                theory.backtrack(level)
            continue
        verdicts = [theory.propagate() for theory in theories]
        assert (verdicts[0] is None) == (verdicts[1] is None), seed
        if verdicts[0] is None:
            seen += 1
            for theory in theories:
                clause = theory.conflict()
                assert all(value(lit) == -1 for lit in clause), (seed, clause)
            level = graph.level() - 1
            graph.backtrack(level)
            for theory in theories:
                theory.backtrack(level)
    if all(value(var) != 0 for var in graph.observed()):
        checks = [theory.final_check() for theory in theories]
        assert checks[0] == checks[1], seed
        if not checks[0]:
            clauses = [sorted(theory.conflict(), key=abs) for theory in theories]
            assert clauses[0] == clauses[1]          # the same timing, the same argument
            assert all(value(lit) == -1 for lit in clauses[0])
            seen += 1
    return seen


def test_the_compiled_twin_agrees_with_the_reference_step_by_step():
    pytest.importorskip("smtsched.theories.convex_cost", reason="compiled twins not built")
    conflicts = sum(twin_walk(seed) for seed in range(60))
    assert conflicts > 0     # the walks reached window conflicts (not vacuous)


def test_the_parallel_search_keeps_the_earliness_terms():
    # without its earliness terms the model's optimum would be 0 (every task on time)
    m = Model()
    a, b, c = m.task("a", 2), m.task("b", 3), m.task("c", 2)
    m.unary([a, b, c])
    m.minimize_weighted_sum([(a, 1, 5), (b, 1, 6), (c, 1, 7)],
                            earliness=[(a, 2, 5), (b, 2, 6), (c, 2, 7)])
    alone = m.solve()
    together = m.solve(workers=2, time_limit=60)
    assert alone.status == together.status == OPTIMAL
    assert alone.objective == together.objective == 4
    assert m.objective_value([together.start(t) for t in (a, b, c)]) == 4
