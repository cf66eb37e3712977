"""minimize_weighted_sum's more terms (issue 17: PyJobShop's weighted tardy jobs, weighted
maximum tardiness and total setup time): steps w * [end > due], max groups w * max of member
w * max(0, end - due), and w * the total setup time, alone and with the old sums of ends and
tardiness, in the cost theory (theories/cost_ref.py, cost.pyx) and through the Model.

The oracle (`brute_force`) shares no code with smtsched: one machine with setup times, every
order of the tasks that keeps the precedences, each task started as early as its release, its
predecessors and the machine (the previous task's end plus the setup) allow. For a fixed
order the setups are fixed and every other term grows with the ends, so the earliest starts
of some order are optimal.
"""
import itertools
import json
import random

import pytest
import z3

from smtsched import Bool, Int, Or, WeightedCost
from smtsched.compile import compile_problem
from smtsched.certify.check.sched import read_model
from smtsched.errors import UnsupportedError
from smtsched.sched.model import Model, ModelError
from smtsched.sched.model_json import dumps, loads
from smtsched.sched.result import OPTIMAL
from smtsched.theories import cost_ref, difference_ref
from twin_driver import z3_literal


# ------------------------------------------------------------------ the theory's twins
def _graph_problem(rng, n):
    """A compiled difference problem over starts s0..s{n-1} >= releases, with free bound
    atoms "s_k >= at" to decide."""
    releases = [rng.randint(0, 3) for _ in range(n)]
    starts = [Int(f"s{i}") for i in range(n)]
    formulas = [s >= r for s, r in zip(starts, releases)]
    cuts = [(rng.randrange(n), rng.randint(0, 9)) for _ in range(rng.randint(1, 6))]
    for position, (k, at) in enumerate(cuts):
        formulas.append(Or(Bool(f"free{position}"), starts[k] >= at))
    formulas.append(WeightedCost(starts, [0] * n, [0] * n, 0))   # (for the nodes only)
    compiled = compile_problem(formulas)
    (problem,) = [p for p in compiled.difference.values() if p.atoms]
    nodes = [problem.node_of[("var", f"s{i}", "Int")] for i in range(n)]
    return compiled, problem, nodes


def _random_terms(rng, nodes, first_literal):
    def task(k, due=True):
        return (nodes[k], rng.randint(0, 3), rng.randint(0, 3),
                rng.randint(-1, 8) if due or rng.random() < 0.5 else None)
    n = len(nodes)
    tasks = [task(k, due=False) for k in range(n) if rng.random() < 0.4]
    steps = [task(k) for k in range(n) if rng.random() < 0.5]
    groups = [(rng.randint(0, 3), [task(k) for k in rng.sample(range(n), rng.randint(1, n))])
              for _ in range(rng.randint(0, 2))]
    literals = [(first_literal + k, rng.randint(0, 4)) for k in range(rng.randint(0, 3))]
    return tasks, steps, groups, literals


def _z3_cost(tasks, steps, groups, literals, index_of):
    """The cost as a z3 term (starts named s{k}, literal l as Bool b{l})."""
    def end(node, duration):
        return z3.Int(f"s{index_of[node]}") + duration
    total = z3.IntVal(0)
    for node, p, w, due in tasks:
        e = end(node, p)
        total += w * (e if due is None else z3.If(e > due, e - due, 0))
    for node, p, w, due in steps:
        total += z3.If(end(node, p) > due, w, 0)
    for weight, members in groups:
        terms = [w * z3.If(end(node, p) > due, end(node, p) - due, 0)
                 for node, p, w, due in members]
        top = terms[0]
        for t in terms[1:]:
            top = z3.If(t > top, t, top)
        total += weight * top
    for lit, w in literals:
        total += z3.If(z3.Bool(f"b{lit}"), w, 0)
    return total


def test_compiled_theory_agrees_with_its_reference():
    compiled_dl = pytest.importorskip("smtsched.theories.difference")
    compiled_cost = pytest.importorskip("smtsched.theories.cost")
    rng = random.Random(17)
    conflicts = checked = 0
    for _ in range(150):
        n = rng.randint(1, 4)
        compiled, problem, nodes = _graph_problem(rng, n)
        first = compiled.num_vars + 1
        tasks, steps, groups, literals = _random_terms(rng, nodes, first)
        bound = rng.randint(0, 20)
        guard = first + 10 if rng.random() < 0.3 else None
        fast_graph = problem.build(compiled_dl.DifferenceLogic)
        slow_graph = problem.build(difference_ref.DifferenceLogic)
        args = dict(tasks=tasks, bound=bound, guard=guard, steps=steps, groups=groups,
                    literals=literals)
        fast = compiled_cost.CostLogic(fast_graph, **args)
        slow = cost_ref.CostLogic(slow_graph, **args)
        assert fast.observed() == slow.observed()
        index_of = {node: k for k, node in enumerate(nodes)}
        value = {}   # var -> (True/False, level)
        level = 0

        def assign(lit):
            value[abs(lit)] = (lit > 0, level)
            if abs(lit) in fast.observed():
                fast.assign(lit, False)
                slow.assign(lit, False)
            else:
                fast_graph.assign(lit, False)
                slow_graph.assign(lit, False)

        for clause in compiled.clauses:
            if len(clause) == 1 and abs(clause[0]) not in value:
                assign(clause[0])
        free = [a[0] for a in problem.atoms if a[0] not in value] + fast.observed()
        rng.shuffle(free)
        for var in free:
            if var in value:
                continue
            if rng.random() < 0.2 and level > 0:   # a backtrack now and then
                level = rng.randrange(level)
                for theory in (fast_graph, slow_graph, fast, slow):
                    theory.backtrack(level)
                for v in [v for v, (_, lv) in value.items() if lv > level]:
                    del value[v]
                continue
            level += 1
            for theory in (fast_graph, slow_graph, fast, slow):
                theory.new_level()
            assign(var if rng.random() < 0.5 else -var)
            fast_lits, slow_lits = fast_graph.propagate(), slow_graph.propagate()
            assert (fast_lits is None) == (slow_lits is None)
            if fast_lits is None:
                break
            for lit in fast_lits:
                assign(lit)
            assert fast_graph.propagate() is not None and slow_graph.propagate() is not None
            answers = fast.propagate(), slow.propagate()
            assert (answers[0] is None) == (answers[1] is None)
            checked += 1
            if answers[0] is None:
                conflicts += 1
                for clause in (fast.conflict(), slow.conflict()):
                    # every literal false now, and the clause follows from the cost bound
                    assert all(abs(l) in value and value[abs(l)][0] != (l > 0) for l in clause)
                    s = z3.Solver()
                    cost = _z3_cost(tasks, steps, groups, literals, index_of) <= bound
                    s.add(z3.Implies(z3.Bool(f"b{guard}"), cost) if guard else cost)
                    for lit in clause:
                        if abs(lit) in fast.observed():
                            s.add(z3.Not(z3.Bool(f"b{abs(lit)}")) if lit > 0
                                  else z3.Bool(f"b{abs(lit)}"))
                        else:
                            s.add(z3.Not(z3_literal(problem, lit)))
                    assert s.check() == z3.unsat, (clause, args)
                break
    assert conflicts > 30 and checked > 200, (conflicts, checked)


# ------------------------------------------------------------------ the Model
def random_instance(rng):
    """tasks (duration, release), precedences (i < j), setup times {(i, j): s}, and the
    objective: terms (k, w, due or None), tardy (k, w, due), groups (w, [(k, w, due)]),
    setup weight."""
    n = rng.randint(2, 5)
    tasks = [(rng.randint(1, 3), rng.randint(0, 3)) for _ in range(n)]
    precedences = sorted({(i, j) for i in range(n) for j in range(i + 1, n)
                          if rng.random() < 0.2})
    setups = {(i, j): rng.randint(0, 4) for i in range(n) for j in range(n)
              if i != j and rng.random() < 0.7}
    kinds = rng.choice([{"tardy"}, {"max"}, {"setup"}, {"terms", "tardy"}, {"terms", "max"},
                        {"terms", "setup"}, {"tardy", "max", "setup"},
                        {"terms", "tardy", "max", "setup"}])
    terms = [(k, rng.randint(0, 2), rng.choice([None, rng.randint(0, 8)]))
             for k in range(n) if "terms" in kinds and rng.random() < 0.6]
    tardy = [(k, rng.randint(1, 4), rng.randint(0, 8)) for k in range(n)
             if "tardy" in kinds and rng.random() < 0.7]
    groups = [(rng.randint(1, 3), [(k, rng.randint(1, 3), rng.randint(0, 8))
                                   for k in rng.sample(range(n), rng.randint(1, n))])
              for _ in range(rng.randint(1, 2) if "max" in kinds else 0)]
    setup_weight = rng.randint(1, 3) if "setup" in kinds else 0
    return tasks, precedences, setups, (terms, tardy, groups, setup_weight)


def build(tasks, precedences, setups, objective):
    terms, tardy, groups, setup_weight = objective
    m = Model("more terms")
    made = [m.task(f"t{k}", d, release=r) for k, (d, r) in enumerate(tasks)]
    for i, j in precedences:
        m.precedence(made[i], made[j])
    machine = m.unary(made, name="M")
    if setups:
        m.setup_times(machine, {(made[i], made[j]): s for (i, j), s in setups.items()})
    m.minimize_weighted_sum([(made[k], w, due) for k, w, due in terms],
                            tardy=[(made[k], w, due) for k, w, due in tardy],
                            max_tardiness=[(w, [(made[k], v, due) for k, v, due in members])
                                           for w, members in groups],
                            setup_weight=setup_weight)
    return m


def cost(objective, setups, starts, order, durations):
    terms, tardy, groups, setup_weight = objective
    ends = [s + d for s, d in zip(starts, durations)]
    total = sum(w * (ends[k] if due is None else max(0, ends[k] - due))
                for k, w, due in terms)
    total += sum(w for k, w, due in tardy if ends[k] > due)
    total += sum(w * max(v * max(0, ends[k] - due) for k, v, due in members)
                 for w, members in groups)
    total += setup_weight * sum(setups.get(pair, 0) for pair in zip(order, order[1:]))
    return total


def brute_force(tasks, precedences, setups, objective):
    durations = [d for d, _ in tasks]
    best = None
    for order in itertools.permutations(range(len(tasks))):
        if any(order.index(i) > order.index(j) for i, j in precedences):
            continue
        starts, clock, last = [0] * len(tasks), 0, None
        for k in order:
            ready = clock + (setups.get((last, k), 0) if last is not None else 0)
            starts[k] = max(ready, tasks[k][1])
            clock, last = starts[k] + durations[k], k
        value = cost(objective, setups, starts, order, durations)
        best = value if best is None else min(best, value)
    return best


def _agree(instance, result):
    tasks, precedences, setups, objective = instance
    expected = brute_force(*instance)
    assert result.status == OPTIMAL and result.objective == expected, \
        (instance, result.status, result.objective, expected)
    starts = [result.starts[f"t{k}"] for k in range(len(tasks))]
    order = sorted(range(len(tasks)), key=lambda k: starts[k])
    durations = [d for d, _ in tasks]
    for a, b in zip(order, order[1:]):   # the machine and its setups hold
        assert starts[a] + durations[a] + setups.get((a, b), 0) <= starts[b]
    assert cost(objective, setups, starts, order, durations) == expected
    return expected


def _random_runs(count, seed):
    rng = random.Random(seed)
    positive = {"tardy": 0, "max": 0, "setup": 0}
    for _ in range(count):
        instance = random_instance(rng)
        model = build(*instance)
        result = model.solve(seed=rng.randrange(4))
        expected = _agree(instance, result)
        _, tardy, groups, setup_weight = instance[3]
        if expected > 0:
            positive["tardy"] += bool(tardy)
            positive["max"] += bool(groups)
            positive["setup"] += bool(setup_weight)
    # not vacuous: each kind of term is in many models of positive optimum
    assert min(positive.values()) > count // 8, positive


def test_random_against_brute_force():
    _random_runs(150, 3)


def test_random_on_the_reference_theories(monkeypatch):
    import smtsched.theory
    monkeypatch.setattr(smtsched.theory, "PURE_PYTHON", True)
    _random_runs(30, 11)


def test_objective_value_and_kinds():
    m = Model()
    a, b, c = m.task("a", 2), m.task("b", 3), m.task("c", 1)
    machine = m.unary([a, b, c])
    m.setup_times(machine, {(a, b): 2, (b, c): 5, (a, c): 1})
    m.minimize_weighted_sum([(a, 1, None)], tardy=[(b, 7, 4)],
                            max_tardiness=[(2, [(a, 1, 0), (c, 3, 6)])], setup_weight=10)
    assert m.objective == "weighted_completion" and m.cost_terms()
    # a, b, c in turn: a ends 2, b at 4 ends 7 (tardy), c at 12 ends 13 (7 late, 3 * 7 = 21)
    assert m.objective_value([0, 4, 12]) == 2 + 7 + 2 * 21 + 10 * (2 + 5)
    assert m.objective_value([0, 10, 2]) == 2 + 7 + 2 * 2 + 10 * 1   # a, c, b
    m.minimize_weighted_completion()   # the old setters drop the more terms
    assert not m.cost_terms()


def test_bad_arguments_are_refused():
    m = Model()
    a, b = m.task("a", 2), m.task("b", 3, optional=True)
    other = Model().task("x", 1)
    for kwargs, message in (
            (dict(tardy=[(a, 1)]), "must be"), (dict(tardy=[(a, 1, None)]), "integer"),
            (dict(tardy=[(a, -1, 3)]), "at least 0"), (dict(tardy=[(a, 1, 2), (a, 1, 3)]),
                                                        "twice"),
            (dict(tardy=[(b, 1, 2)]), "b is optional"), (dict(tardy=5), "triples"),
            (dict(max_tardiness=[(1, [])]), "at least one member"),
            (dict(max_tardiness=[(1,)]), "weight, members"),
            (dict(max_tardiness=[(-1, [(a, 1, 0)])]), "at least 0"),
            (dict(max_tardiness=[(1, [(b, 1, 0)])]), "b is optional"),
            (dict(max_tardiness=3), "pairs"),
            (dict(tardy=[(other, 1, 0)]), "not a task of this model"),
            (dict(setup_weight=-2), "at least 0"), (dict(setup_weight=1.5), "integer")):
        with pytest.raises(ModelError, match=message):
            m.minimize_weighted_sum([(a, 1, None)], **kwargs)
    assert m.objective is None   # nothing was set by a refused call


# ------------------------------------------------------------------ certificates
def test_certificates_verify(tmp_path):
    """The cost records hold the more terms (steps, groups, and literal terms over proxies
    of the next Booleans), the checker's cost rule reads them, and every lemma of the cost
    theory gets it."""
    from smtsched.certify import check
    rng = random.Random(41)
    kinds = {"tardy": 0, "max": 0, "setup": 0}
    for number in range(12):
        instance = random_instance(rng)
        folder = tmp_path / str(number)
        result = build(*instance).solve(proof=str(folder))
        expected = _agree(instance, result)
        assert result.certificate == str(folder), result.certificate_note
        verdict = check(str(folder))
        assert verdict.ok, verdict
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["complete"] and not manifest["incomplete"]
        _, tardy, groups, setup_weight = instance[3]
        if expected > 0:
            kinds["tardy"] += bool(tardy)
            kinds["max"] += bool(groups)
            kinds["setup"] += bool(setup_weight)
    assert min(kinds.values()) >= 2, kinds


TAMPERED = ([(3, 0), (2, 1), (2, 0), (1, 2)], [],
            {(0, 1): 2, (1, 0): 1, (2, 3): 3, (3, 2): 1, (0, 2): 1},
            ([], [(1, 2, 3), (2, 1, 2)], [(2, [(0, 1, 2), (3, 2, 3)])], 2))


def _certified(folder):
    from smtsched.certify import check
    result = build(*TAMPERED).solve(proof=str(folder))
    assert result.objective == brute_force(*TAMPERED) == 7 and check(str(folder)).ok
    return check


@pytest.mark.parametrize("where", ["setup time", "tardy weight", "group due"])
def test_a_tampered_model_is_rejected(tmp_path, where):
    """model.json's objective raised: the schedule's cost is not the claimed optimum."""
    import hashlib
    check = _certified(tmp_path)
    assert json.loads((tmp_path / "schedule.json").read_text())["starts"] == \
        {"t0": 0, "t1": 5, "t2": 7, "t3": 3}
    data = json.loads((tmp_path / "model.json").read_text())
    if where == "setup time":
        # the optimum runs t0, t3, t1, t2 with no setups; t3 -> t1 gets one of 1, which the
        # schedule keeps (t3 ends at 4, t1 starts at 5) but then pays (2 * 1)
        data["setups"][0]["times"].append(["t3", "t1", 1])
    elif where == "tardy weight":
        data["tardy"][0][1] += 3
    else:
        data["max_tardiness"][0]["members"][0][2] -= 2
    text = json.dumps(data)
    (tmp_path / "model.json").write_text(text)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["input"]["sha256"] = hashlib.sha256(text.encode()).hexdigest()
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert not check(str(tmp_path)).ok


@pytest.mark.parametrize("where", ["literal weight", "step due", "group weight",
                                   "a literal dropped"])
def test_a_tampered_cost_record_is_rejected(tmp_path, where):
    """A cost record of constraints.json that costs more than the objective does not follow
    from it; one that costs less (a literal term left out) no longer refutes the lemmas."""
    check = _certified(tmp_path)
    path = tmp_path / "constraints.json"
    records = json.loads(path.read_text())
    changed = 0
    for record in records:
        if record.get("kind") != "cost":
            continue
        changed += 1
        if where == "literal weight":
            record["literals"][0]["weight"] += 1
        elif where == "step due":
            record["steps"][0]["due"] -= 1
        elif where == "group weight":
            record["groups"][0]["weight"] += 1
        else:
            record["literals"] = record["literals"][1:]
    assert changed
    path.write_text(json.dumps(records))
    verdict = check(str(tmp_path))
    assert not verdict.ok, verdict


def test_json_round_trip_to_smtlib_and_the_checker_reads_it(tmp_path):
    rng = random.Random(5)
    for number in range(8):
        instance = random_instance(rng)
        model = build(*instance)
        text = dumps(model)
        again = loads(text)
        assert dumps(again) == text
        result = again.solve()
        expected = _agree(instance, result)
        for value, sat in ((expected, True), (expected - 1, False)):
            solver = z3.Solver()
            solver.from_string(model.to_smtlib(value))
            assert (solver.check() == z3.sat) == sat, (instance, value)
        # the checker's own reading of the model gives the same cost of the schedule
        g = read_model(text)
        assert g.check_schedule(dict(result.starts)) == result.objective


def test_json_refusals():
    m = Model()
    a = m.task("a", 2)
    m.minimize_weighted_sum([], tardy=[(a, 1, 3)], max_tardiness=[(2, [(a, 1, 0)])],
                            setup_weight=1)
    data = json.loads(dumps(m))
    for change, message in ((lambda d: d["tardy"].append(["a", 1, 4]), "twice"),
                            (lambda d: d["max_tardiness"][0].update(members=[]), "member"),
                            (lambda d: d.update(setup_weight=-1), ">= 0"),
                            (lambda d: d.update(objective="makespan", weights=None) or
                             d.pop("weights"), "without a weighted objective")):
        bad = json.loads(json.dumps(data))
        change(bad)
        with pytest.raises(ModelError, match=message):
            loads(json.dumps(bad))


def test_solver_backend_refuses_the_more_terms():
    from smtsched.sched.backend import SolverBackend
    from smtsched.sched.optimize import Optimizer
    # two tasks both due at 3 on one machine: one is late (the search must prove 1)
    model = build([(3, 0), (3, 0)], [], {}, ([], [(0, 1, 3), (1, 1, 3)], [], 0))
    assert model.solve().objective == 1
    with pytest.raises(UnsupportedError, match="tardy, max_tardiness or setup_weight"):
        Optimizer(model, backend=SolverBackend).run()


def test_the_setups_of_zero_duration_tasks_at_one_instant():
    """Tasks a, b of duration 0 at time 0, c at 5: a, b, c costs 0 + 2, b, a, c costs
    0 + 5 (both keep the setups): the total setup time is the least, 2, for the Model and
    for the checker's own reading."""
    m = Model()
    a, b, c = m.task("a", 0), m.task("b", 0), m.task("c", 3, release=5)
    machine = m.unary([a, b, c])
    m.setup_times(machine, {(a, c): 5, (b, c): 2, (c, a): 1, (c, b): 1})
    m.minimize_weighted_sum([], setup_weight=3)
    assert m.objective_value([0, 0, 5]) == 3 * 2
    assert read_model(dumps(m)).check_schedule({"a": 0, "b": 0, "c": 5}) == 3 * 2
    result = m.solve()
    # the best sequence is c, then a and b (1 + 0); a, b, c costs 2 and b, c, a 3
    assert result.status == OPTIMAL and result.objective == 3 * 1
