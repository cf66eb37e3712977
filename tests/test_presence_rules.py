"""Presence rules (issue 17, PyJobShop's SelectAllOrNone / SelectAtLeastOne /
SelectExactlyOne): `Model.select_all_or_none(tasks, condition=None)` and its two siblings
through every layer: validation, model.json, the lowering's clauses, the Term encoding
(to_smtlib, SolverBackend), the schedule check, the certificates.

The random models are one machine with mandatory and optional tasks, releases and forward
precedences, and a few rules. The oracle (`brute_force`) shares no code with smtsched: it
enumerates the presence choices, keeps those the rules allow (`rules_hold`, written here from
PyJobShop's definitions: a rule applies only while its condition task is present, a mandatory
task is present), and per choice tries every order of the present tasks on the machine,
each started as early as its release, its present predecessors and the machine allow (the
active schedules, among which the makespan has an optimum).
"""
import itertools
import json
import os
import random

import pytest

from smtsched.sched.model import Model, ModelError
from smtsched.sched.model_json import dumps, loads
from smtsched.sched.result import INFEASIBLE, OPTIMAL

KINDS = ("all_or_none", "at_least_one", "exactly_one")


def random_instance(rng):
    """Plain lists: tasks (duration, release, optional), precedences (i, j) with i < j, and
    rules (kind, [task numbers], condition number or None)."""
    n = rng.randint(2, 5)
    tasks = [(rng.randint(1, 3), rng.randint(0, 3), rng.random() < 0.7) for _ in range(n)]
    precedences = sorted({(i, j) for i in range(n) for j in range(i + 1, n)
                          if rng.random() < 0.2})
    rules = []
    for _ in range(rng.randint(1, 3)):
        among = rng.sample(range(n), rng.randint(1, min(3, n)))
        condition = rng.randrange(n) if rng.random() < 0.4 else None
        rules.append((rng.choice(KINDS), among, condition))
    return tasks, precedences, rules


def build(tasks, precedences, rules):
    m = Model("presence")
    made = [m.task(f"t{k}", d, release=r, optional=o) for k, (d, r, o) in enumerate(tasks)]
    for i, j in precedences:
        m.precedence(made[i], made[j])
    m.unary(made, name="M")
    for kind, among, condition in rules:
        getattr(m, f"select_{kind}")([made[k] for k in among],
                                     None if condition is None else made[condition])
    m.minimize_makespan()
    return m


def rules_hold(rules, present):
    for kind, among, condition in rules:
        if condition is not None and not present[condition]:
            continue
        count = sum(present[k] for k in among)
        if kind == "all_or_none" and count not in (0, len(among)):
            return False
        if kind == "at_least_one" and count < 1:
            return False
        if kind == "exactly_one" and count != 1:
            return False
    return True


def brute_force(tasks, precedences, rules):
    """The optimal makespan, or None when no presence choice and schedule exist."""
    n = len(tasks)
    best = None
    for choice in itertools.product((False, True), repeat=n):
        if any(not choice[k] and not tasks[k][2] for k in range(n)):
            continue   # a mandatory task is always present
        if not rules_hold(rules, choice):
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
            makespan = max(ends.values(), default=0)
            if best is None or makespan < best:
                best = makespan
    return best


def independent_violations(tasks, precedences, rules, result):
    starts = result.starts   # the present tasks only
    present = [f"t{k}" in starts for k in range(len(tasks))]
    problems = []
    if not rules_hold(rules, present):
        problems.append("a rule is broken")
    for k, (d, r, o) in enumerate(tasks):
        if not o and not present[k]:
            problems.append(f"t{k} is mandatory")
        if present[k] and starts[f"t{k}"] < r:
            problems.append(f"t{k} before its release")
    for i, j in precedences:
        if present[i] and present[j] and starts[f"t{j}"] < starts[f"t{i}"] + tasks[i][0]:
            problems.append(f"t{j} before t{i} ends")
    running = sorted((starts[f"t{k}"], starts[f"t{k}"] + tasks[k][0])
                     for k in range(len(tasks)) if present[k])
    for (_, end), (start, _) in zip(running, running[1:]):
        if start < end:
            problems.append("overlap on M")
    return problems


def _agree(instance, result):
    expected = brute_force(*instance)
    if expected is None:
        assert result.status == INFEASIBLE, (instance, result.status)
    else:
        assert result.status == OPTIMAL and result.objective == expected, \
            (instance, result.status, result.objective, expected)
        assert independent_violations(*instance, result) == []
    return expected


def _random_runs(count, seed, **solve):
    rng = random.Random(seed)
    statuses = {OPTIMAL: 0, INFEASIBLE: 0}
    for _ in range(count):
        instance = random_instance(rng)
        result = build(*instance).solve(seed=rng.randrange(4), **solve)
        _agree(instance, result)
        statuses[result.status] += 1
    assert statuses[OPTIMAL] > count // 4 and statuses[INFEASIBLE] > 0, statuses


def test_random_against_brute_force():
    _random_runs(150, 17)


def test_random_on_the_reference_theories(monkeypatch):
    import smtsched.theory
    monkeypatch.setattr(smtsched.theory, "PURE_PYTHON", True)
    _random_runs(25, 41)


def test_rules_bind():
    """Not vacuous: each kind changes the answer of a model where it binds."""
    # a mandatory task a (3) and optional b (1), c (1) on one machine
    base = [(3, 0, False), (1, 0, True), (1, 0, True)]
    assert brute_force(base, [], []) == 3
    cases = [(("at_least_one", [1, 2], None), 4), (("all_or_none", [0, 1, 2], None), 5),
             (("exactly_one", [0, 1], None), 3), (("exactly_one", [1, 2], 0), 4),
             (("all_or_none", [1, 2], 1), 3), (("at_least_one", [1], 2), 3)]
    for rule, expected in cases:
        instance = (base, [], [rule])
        assert _agree(instance, build(*instance).solve()) == expected, rule


def test_validation():
    m = Model()
    a, b = m.task("a", 1), m.task("b", 1, optional=True)
    other = Model().task("x", 1)
    with pytest.raises(ModelError, match="at least one task"):
        m.select_at_least_one([])
    with pytest.raises(ModelError, match="appears twice"):
        m.select_exactly_one([b, b])
    with pytest.raises(ModelError, match="not a task of this model"):
        m.select_all_or_none([b], condition=other)
    with pytest.raises(ModelError, match="not a task of this model"):
        m.select_all_or_none([b, other])
    rule = m.select_exactly_one([a, b], condition=b)
    assert (rule.kind, [t.name for t in rule.tasks], rule.condition.name) == \
        ("exactly_one", ["a", "b"], "b")


def test_check_catches_a_broken_rule():
    from smtsched.sched import check
    m = Model()
    a, b, c = m.task("a", 1), m.task("b", 1, optional=True), m.task("c", 1, optional=True)
    m.select_exactly_one([b, c], condition=a)
    assert check.violations(m, [0, 0, 0], [True, True, True]) == \
        ["select_exactly_one over ['b', 'c'] has 2 present"]
    assert check.violations(m, [0, 0, 0], [True, False, True]) == []


def test_json_round_trip():
    rng = random.Random(5)
    for _ in range(15):
        instance = random_instance(rng)
        model = build(*instance)
        text = dumps(model)
        again = loads(text)
        assert dumps(again) == text and "presence_rules" in text
        first, second = model.solve(), again.solve()
        assert (first.status, first.objective) == (second.status, second.objective)


@pytest.mark.parametrize("change, message", [
    (lambda d: d["presence_rules"][0].update(kind="most"), "unknown presence rule"),
    (lambda d: d["presence_rules"][0].update(tasks=[]), "at least one task"),
    (lambda d: d["presence_rules"][0].update(condition="nobody"), "names no task"),
    (lambda d: d["presence_rules"][0].update(extra=1), "unknown keys"),
])
def test_json_refusals(change, message):
    instance = ([(1, 0, True), (1, 0, True)], [], [("exactly_one", [0, 1], None)])
    data = json.loads(dumps(build(*instance)))
    change(data)
    with pytest.raises(ModelError, match=message):
        loads(json.dumps(data))


def test_to_smtlib_against_z3():
    z3 = pytest.importorskip("z3")
    rng = random.Random(23)
    seen = set()
    for _ in range(20):
        instance = random_instance(rng)
        expected = brute_force(*instance)
        model = build(*instance)
        bound = 20 if expected is None else expected
        for value, sat in ((bound, expected is not None), (bound - 1, False)):
            if value < 0:
                continue   # (the printed encoding has no makespan >= 0 without a task)
            solver = z3.Solver()
            solver.from_string(model.to_smtlib(value))
            assert (solver.check() == z3.sat) == sat, (instance, value)
        seen.add(expected is None)
    assert seen == {True, False}


def test_solver_backend_agrees():
    from smtsched.sched.backend import SolverBackend
    from smtsched.sched.optimize import Optimizer
    rng = random.Random(29)
    for _ in range(15):
        instance = random_instance(rng)
        _agree(instance, Optimizer(build(*instance), backend=SolverBackend).run())


# ----------------------------------------------------------------------- certificates
def test_certificates_verify(tmp_path):
    from smtsched.certify import check
    rng = random.Random(31)
    kinds = set()
    for number in range(20):
        instance = random_instance(rng)
        folder = tmp_path / str(number)
        result = build(*instance).solve(proof=str(folder))
        _agree(instance, result)
        assert result.certificate == str(folder), result.certificate_note
        verdict = check(str(folder))
        assert verdict.ok, verdict
        kinds.add(result.status)
    assert kinds == {OPTIMAL, INFEASIBLE}


def _rehash(folder):
    import hashlib
    path = os.path.join(folder, "manifest.json")
    with open(path) as f:
        manifest = json.load(f)
    with open(os.path.join(folder, "model.json"), "rb") as f:
        manifest["input"]["sha256"] = hashlib.sha256(f.read()).hexdigest()
    with open(path, "w") as f:
        json.dump(manifest, f)


def _edit_model(folder, change):
    with open(folder / "model.json") as f:
        data = json.load(f)
    change(data)
    with open(folder / "model.json", "w") as f:
        json.dump(data, f)
    _rehash(str(folder))


@pytest.mark.parametrize("change", [
    lambda d: d.pop("presence_rules"),
    lambda d: d["presence_rules"][0].update(kind="at_least_one"),
    lambda d: d["presence_rules"][0].update(condition="t2"),
])
def test_infeasible_certificate_of_another_rule_is_rejected(tmp_path, change):
    """The checker reads the rules from model.json: without the rule, or with a weaker one,
    the clauses of problem.cnf follow from nothing (a mandatory task t0 and exactly one of
    t0, t1, a second mandatory t2 in the list: infeasible only as stated)."""
    from smtsched.certify import check
    instance = ([(1, 0, False), (1, 0, True), (1, 0, True)], [],
                [("exactly_one", [0, 1], None), ("at_least_one", [1], None)])
    result = build(*instance).solve(proof=str(tmp_path))
    assert result.status == INFEASIBLE and check(str(tmp_path)).ok
    _edit_model(tmp_path, change)
    assert not check(str(tmp_path)).ok


def test_optimal_certificate_with_a_rule_breaking_schedule_is_rejected(tmp_path):
    from smtsched.certify import check
    instance = ([(3, 0, False), (1, 0, True), (1, 0, True)], [],
                [("at_least_one", [1, 2], None)])
    result = build(*instance).solve(proof=str(tmp_path))
    assert result.status == OPTIMAL and result.objective == 4 and check(str(tmp_path)).ok
    path = tmp_path / "schedule.json"
    with open(path) as f:
        schedule = json.load(f)
    schedule["starts"] = {"t0": 0}            # neither t1 nor t2: the rule is broken
    with open(path, "w") as f:
        json.dump(schedule, f)
    verdict = check(str(tmp_path))
    assert not verdict.ok and "at_least_one" in str(verdict)


def test_checker_schedule_check():
    from smtsched.certify.check.sched import read_model
    instance = ([(1, 0, False), (2, 0, True), (1, 0, True)], [],
                [("all_or_none", [1, 2], 0)])
    g = read_model(dumps(build(*instance)))
    assert g.check_schedule({"t0": 0, "t1": 1, "t2": 3}) == 4
    assert g.check_schedule({"t0": 0}) == 1
    with pytest.raises(ValueError, match="all_or_none"):
        g.check_schedule({"t0": 0, "t1": 1})


def test_static_reason_for_exactly_one_of_two_mandatory_tasks(tmp_path):
    from smtsched.certify import check
    instance = ([(1, 0, False), (1, 0, True), (2, 0, False)], [],
                [("exactly_one", [0, 1, 2], None)])
    result = build(*instance).solve(proof=str(tmp_path))
    assert result.status == INFEASIBLE and "cannot hold" in result.reason
    assert brute_force(*instance) is None
    assert result.certificate == str(tmp_path) and check(str(tmp_path)).ok
    # under an optional condition it holds by leaving the condition out
    conditioned = instance[:2] + ([("exactly_one", [0, 2], 1)],)
    assert _agree(conditioned, build(*conditioned).solve()) == 3
