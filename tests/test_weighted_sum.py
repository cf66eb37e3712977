"""`Model.minimize_weighted_sum(terms)` (issue 17, PyJobShop's total flow time and total
tardiness): terms (task, weight, due or None), sum of weight * end or weight * max(0, end -
due), over mandatory tasks, in models whose other tasks may be optional.

The oracle (`brute_force`) shares no code with smtsched: one machine, every presence choice
the rules allow, every order of the present tasks that keeps the precedences, each task
started as early as its release, its present predecessors and the machine allow (the
semi-active schedules, among which a regular objective such as these sums has an optimum).
"""
import itertools
import json
import os
import random

import pytest

from smtsched.sched.model import Model, ModelError
from smtsched.sched.model_json import dumps, loads
from smtsched.sched.result import INFEASIBLE, OPTIMAL


def random_instance(rng):
    """tasks (duration, release, optional), precedences (i < j), terms (task number, weight,
    due or None) over the mandatory tasks, at_least_one rules over optional tasks."""
    n = rng.randint(2, 5)
    tasks = [(rng.randint(1, 3), rng.randint(0, 3), rng.random() < 0.4) for _ in range(n)]
    if all(o for _, _, o in tasks):
        tasks[0] = tasks[0][:2] + (False,)
    precedences = sorted({(i, j) for i in range(n) for j in range(i + 1, n)
                          if rng.random() < 0.25})
    mandatory = [k for k in range(n) if not tasks[k][2]]
    optional = [k for k in range(n) if tasks[k][2]]
    terms = [(k, rng.randint(0, 3), rng.choice([None, None, rng.randint(-1, 6)]))
             for k in mandatory if rng.random() < 0.9]
    rules = []
    if optional and rng.random() < 0.6:
        rules.append(rng.sample(optional, rng.randint(1, len(optional))))
    return tasks, precedences, terms, rules


def build(tasks, precedences, terms, rules):
    m = Model("weighted")
    made = [m.task(f"t{k}", d, release=r, optional=o) for k, (d, r, o) in enumerate(tasks)]
    for i, j in precedences:
        m.precedence(made[i], made[j])
    m.unary(made, name="M")
    for among in rules:
        m.select_at_least_one([made[k] for k in among])
    m.minimize_weighted_sum([(made[k], w, due) for k, w, due in terms])
    return m


def cost(terms, ends):
    return sum(w * (ends[k] if due is None else max(0, ends[k] - due)) for k, w, due in terms)


def brute_force(tasks, precedences, terms, rules):
    n = len(tasks)
    best = None
    for choice in itertools.product((False, True), repeat=n):
        if any(not choice[k] and not tasks[k][2] for k in range(n)):
            continue
        if any(not any(choice[k] for k in among) for among in rules):
            continue
        present = [k for k in range(n) if choice[k]]
        for order in itertools.permutations(present):
            if any(order.index(i) > order.index(j) for i, j in precedences
                   if choice[i] and choice[j]):
                continue
            clock, ends = 0, {}
            for k in order:
                start = max([clock, tasks[k][1]] + [ends[i] for i, j in precedences
                                                    if j == k and i in ends])
                ends[k] = clock = start + tasks[k][0]
            value = cost(terms, ends)
            if best is None or value < best:
                best = value
    return best


def _agree(instance, result):
    tasks, precedences, terms, rules = instance
    expected = brute_force(*instance)
    assert expected is not None   # every task fits, the rules only ask for more tasks
    assert result.status == OPTIMAL and result.objective == expected, \
        (instance, result.status, result.objective, expected)
    starts = result.starts
    ends = {int(name[1:]): s + tasks[int(name[1:])][0] for name, s in starts.items()}
    assert cost(terms, ends) == expected
    running = sorted((starts[f"t{k}"], ends[k]) for k in ends)
    assert all(start >= end for (_, end), (start, _) in zip(running, running[1:]))
    for i, j in precedences:
        if i in ends and j in ends:
            assert starts[f"t{j}"] >= ends[i]
    assert all(any(k in ends for k in among) for among in rules)
    return expected


def _random_runs(count, seed):
    rng = random.Random(seed)
    optional = positive = 0
    for _ in range(count):
        instance = random_instance(rng)
        expected = _agree(instance, build(*instance).solve(seed=rng.randrange(4)))
        optional += any(o for _, _, o in instance[0])
        positive += expected > 0
    # not vacuous: models with optional tasks and costs above 0 are most of them
    assert optional > count // 3 and positive > count // 2, (optional, positive)


def test_random_against_brute_force():
    _random_runs(120, 7)


def test_random_on_the_reference_theories(monkeypatch):
    import smtsched.theory
    monkeypatch.setattr(smtsched.theory, "PURE_PYTHON", True)
    _random_runs(20, 43)


def test_terms_and_kinds():
    m = Model()
    a, b, c = m.task("a", 2), m.task("b", 3), m.task("c", 1, optional=True)
    m.minimize_weighted_sum([(a, 2, None), (b, 1, None)])
    assert (m.objective, m.weights, m.dues) == ("weighted_completion", {0: 2, 1: 1}, None)
    m.minimize_weighted_sum([(a, 2, None), (b, 1, 4)])
    # a term without a due is a tardiness term with due 0 (every end is >= 0)
    assert (m.objective, m.weights, m.dues) == ("weighted_tardiness", {0: 2, 1: 1},
                                                {0: 0, 1: 4})
    assert m.objective_value([1, 3, 0], [True, True, False]) == 2 * 3 + 1 * 2
    for terms, message in (([(c, 1, None)], "c is optional"),
                           ([(a, 1, None), (a, 2, 3)], "appears twice"),
                           ([(a, -1, None)], "at least 0"), ([(a, 1)], "must be"),
                           ([(a, 1, 2.5)], "must be an integer"), (5, "triples")):
        with pytest.raises(ModelError, match=message):
            m.minimize_weighted_sum(terms)


def test_old_setters_allow_optional_tasks_outside_the_weights():
    m = Model()
    a, b = m.task("a", 2), m.task("b", 3, optional=True)
    m.unary([a, b])
    m.select_at_least_one([b])
    m.minimize_weighted_completion({a: 1})
    result = m.solve()
    assert result.status == OPTIMAL and result.objective == 2   # b after a
    with pytest.raises(ModelError, match="b is optional"):
        m.minimize_weighted_completion()   # every task, b too


def test_solver_backend_agrees():
    from smtsched.sched.backend import SolverBackend
    from smtsched.sched.optimize import Optimizer
    rng = random.Random(29)
    for _ in range(12):
        instance = random_instance(rng)
        _agree(instance, Optimizer(build(*instance), backend=SolverBackend).run())


def test_to_smtlib_against_z3():
    z3 = pytest.importorskip("z3")
    rng = random.Random(23)
    for _ in range(12):
        instance = random_instance(rng)
        expected = brute_force(*instance)
        model = build(*instance)
        for value, sat in ((expected, True), (expected - 1, False)):
            solver = z3.Solver()
            solver.from_string(model.to_smtlib(value))
            assert (solver.check() == z3.sat) == sat, (instance, value)


def test_json_round_trip_and_the_checker_reads_it():
    from smtsched.certify.check.sched import read_model
    rng = random.Random(5)
    for _ in range(10):
        instance = random_instance(rng)
        model = build(*instance)
        text = dumps(model)
        assert dumps(loads(text)) == text
        result = model.solve()
        g = read_model(text)
        assert g.check_schedule(dict(result.starts)) == result.objective


# ----------------------------------------------------------------------- certificates
def _rehash(folder):
    import hashlib
    path = os.path.join(folder, "manifest.json")
    with open(path) as f:
        manifest = json.load(f)
    with open(os.path.join(folder, "model.json"), "rb") as f:
        manifest["input"]["sha256"] = hashlib.sha256(f.read()).hexdigest()
    with open(path, "w") as f:
        json.dump(manifest, f)


def test_certificates_verify(tmp_path):
    from smtsched.certify import check
    rng = random.Random(31)
    with_optional = 0
    for number in range(15):
        instance = random_instance(rng)
        folder = tmp_path / str(number)
        result = build(*instance).solve(proof=str(folder))
        _agree(instance, result)
        assert result.certificate == str(folder), result.certificate_note
        verdict = check(str(folder))
        assert verdict.ok, verdict
        with_optional += any(o for _, _, o in instance[0])
    assert with_optional > 3


def test_certificate_of_another_objective_is_rejected(tmp_path):
    """An OPTIMAL certificate checked against a model.json whose weights were raised: the
    schedule's cost is not the claimed optimum (the checker recomputes it)."""
    from smtsched.certify import check
    instance = ([(2, 0, False), (3, 0, False), (1, 0, True)], [], [(0, 2, None), (1, 1, 4)],
                [[2]])
    result = build(*instance).solve(proof=str(tmp_path))
    assert result.status == OPTIMAL and check(str(tmp_path)).ok
    with open(tmp_path / "model.json") as f:
        data = json.load(f)
    data["weights"][0][1] += 5
    with open(tmp_path / "model.json", "w") as f:
        json.dump(data, f)
    _rehash(str(tmp_path))
    assert not check(str(tmp_path)).ok


def test_checker_refuses_an_optional_weighted_task():
    from smtsched.certify.check.sched import SchedInputError, read_model
    m = Model()
    a, b = m.task("a", 2), m.task("b", 3, optional=True)
    m.minimize_weighted_sum([(a, 1, None)])
    data = json.loads(dumps(m))
    data["weights"].append(["b", 1])
    with pytest.raises(SchedInputError, match="optional"):
        read_model(json.dumps(data))
    with pytest.raises(ModelError, match="b is optional"):
        loads(json.dumps(data)).solve()
