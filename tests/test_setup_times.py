"""Sequence-dependent setup times (issue 17, PyJobShop's SetupTime as its OR-Tools solver
reads it): `Model.setup_times(machine, {(before, after): duration})`. The present tasks of
the machine run in a sequence, and a setup applies between consecutive tasks only.

The oracle (`brute_force`) shares no code with smtsched: every presence choice the rules
allow, every order of the present tasks that keeps the precedences, each task started as
early as its release, its present predecessors, and the end of the task before it plus the
setup between them allow (the semi-active schedules of the sequence, among which a regular
objective has an optimum). The random setups break the triangle inequality often, where
reading them between every two tasks (not only consecutive ones) would be wrong; zero-
duration tasks are part of the sequence, as in OR-Tools' circuit (they have no precedences
here, so that the order of precedences is the sequence's).
"""
import itertools
import json
import os
import random

import pytest

from smtsched.sched.model import Model, ModelError
from smtsched.sched.model_json import dumps, loads
from smtsched.sched.result import INFEASIBLE, OPTIMAL


def random_instance(rng, weighted=False):
    """tasks (duration, release, optional), precedences (i < j, lasting tasks), setups
    {(i, j): duration}, rules (at least one of these optional tasks), terms (task, weight,
    due or None) over the mandatory tasks or None (makespan), deadlines {task: latest end}."""
    n = rng.randint(2, 5)
    tasks = [(rng.choice([0, 1, 1, 2, 3]), rng.randint(0, 2), rng.random() < 0.3)
             for _ in range(n)]
    if all(o for _, _, o in tasks):
        tasks[0] = tasks[0][:2] + (False,)
    precedences = sorted({(i, j) for i in range(n) for j in range(i + 1, n)
                          if tasks[i][0] and tasks[j][0] and rng.random() < 0.2})
    setups = {(i, j): rng.randint(1, 6) for i in range(n) for j in range(n)
              if i != j and rng.random() < 0.6}
    optional = [k for k in range(n) if tasks[k][2]]
    rules = [rng.sample(optional, rng.randint(1, len(optional)))] \
        if optional and rng.random() < 0.7 else []
    terms = None
    if weighted:
        terms = [(k, rng.randint(0, 3), rng.choice([None, rng.randint(0, 8)]))
                 for k in range(n) if not tasks[k][2]]
    deadlines = {}
    if rng.random() < 0.2:
        k = rng.randrange(n)
        deadlines[k] = tasks[k][1] + tasks[k][0] + rng.randint(0, 3)
    return tasks, precedences, setups, rules, terms, deadlines


def build(tasks, precedences, setups, rules, terms, deadlines):
    m = Model("setups")
    made = [m.task(f"t{k}", d, release=r, optional=o, deadline=deadlines.get(k))
            for k, (d, r, o) in enumerate(tasks)]
    for i, j in precedences:
        m.precedence(made[i], made[j])
    machine = m.unary(made, name="M")
    m.setup_times(machine, {(made[i], made[j]): d for (i, j), d in setups.items()})
    for among in rules:
        m.select_at_least_one([made[k] for k in among])
    if terms is None:
        m.minimize_makespan()
    else:
        m.minimize_weighted_sum([(made[k], w, due) for k, w, due in terms])
    return m


def value(terms, ends):
    if terms is None:
        return max(ends.values(), default=0)
    return sum(w * (ends[k] if due is None else max(0, ends[k] - due))
               for k, w, due in terms)


def brute_force(tasks, precedences, setups, rules, terms, deadlines):
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
            ends, previous = {}, None
            for k in order:
                start = max([tasks[k][1]] + [ends[i] for i, j in precedences
                                             if j == k and i in ends])
                if previous is not None:
                    start = max(start, ends[previous] + setups.get((previous, k), 0))
                ends[k] = start + tasks[k][0]
                previous = k
            if any(ends[k] > d for k, d in deadlines.items() if k in ends):
                continue
            v = value(terms, ends)
            if best is None or v < best:
                best = v
    return best


def independent_violations(instance, starts):
    """What the schedule breaks (starts of the present tasks by name), from the plain lists:
    the present tasks sorted by start, zero-duration ones of one instant in every order,
    must have a sequence keeping the setups."""
    tasks, precedences, setups, rules, _, deadlines = instance
    present = sorted(int(name[1:]) for name in starts)
    s = {k: starts[f"t{k}"] for k in present}
    e = {k: s[k] + tasks[k][0] for k in present}
    problems = []
    for k, (d, r, o) in enumerate(tasks):
        if not o and k not in s:
            problems.append(f"t{k} is mandatory")
        if k in s and (s[k] < r or (k in deadlines and e[k] > deadlines[k])):
            problems.append(f"t{k} outside its window")
    if any(not any(k in s for k in among) for among in rules):
        problems.append("a rule is broken")
    for i, j in precedences:
        if i in s and j in s and s[j] < e[i]:
            problems.append(f"t{j} before t{i} ends")
    for order in itertools.permutations(present):
        if all(e[a] + setups.get((a, b), 0) <= s[b] for a, b in zip(order, order[1:])):
            break
    else:
        problems.append("no sequence keeps the setups")
    return problems


def _agree(instance, result):
    expected = brute_force(*instance)
    if expected is None:
        assert result.status == INFEASIBLE, (instance, result.status)
        return None
    assert result.status == OPTIMAL and result.objective == expected, \
        (instance, result.status, result.objective, expected)
    assert independent_violations(instance, result.starts) == []
    return expected


def _random_runs(count, seed, weighted=False):
    rng = random.Random(seed)
    statuses = {OPTIMAL: 0, INFEASIBLE: 0}
    for _ in range(count):
        instance = random_instance(rng, weighted)
        result = build(*instance).solve(seed=rng.randrange(4))
        _agree(instance, result)
        statuses[result.status] += 1
    assert statuses[OPTIMAL] > count // 2, statuses
    return statuses


def test_random_against_brute_force():
    statuses = _random_runs(120, 3)
    assert statuses[INFEASIBLE] > 0


def test_random_weighted_sums_against_brute_force():
    _random_runs(40, 8, weighted=True)


def test_random_on_the_reference_theories(monkeypatch):
    import smtsched.theory
    monkeypatch.setattr(smtsched.theory, "PURE_PYTHON", True)
    _random_runs(20, 47)


def test_only_consecutive_tasks_get_a_setup():
    """a -> c costs 10, a -> b and b -> c nothing: a, b, c back to back (makespan 5); the
    all-pairs reading (c at least 10 after a ends) would say 14, and without b 14 is right."""
    tasks = [(2, 0, False), (1, 0, False), (2, 0, False)]
    setups = {(0, 2): 10, (2, 0): 10, (1, 0): 5, (2, 1): 5}
    instance = (tasks, [], setups, [], None, {})
    assert brute_force(*instance) == 5
    assert _agree(instance, build(*instance).solve()) == 5
    optional = ([(2, 0, False), (1, 0, True), (2, 0, False)], [], setups, [], None, {})
    assert _agree(optional, build(*optional).solve()) == 5   # b is there to help
    forced = ([(2, 0, False), (2, 0, False)], [], {(0, 1): 10, (1, 0): 10}, [], None, {})
    assert _agree(forced, build(*forced).solve()) == 14


def test_zero_duration_tasks_are_sequenced():
    """A zero-duration task may not sit inside another task of a machine with setups (it
    may without them), and its setups count."""
    from smtsched.sched import check
    m = Model()
    a, z = m.task("a", 4), m.task("z", 0)
    machine = m.unary([a, z])
    assert check.violations(m, [0, 2]) == []
    m.setup_times(machine, {(z, a): 3})
    assert check.violations(m, [0, 2]) != []
    assert check.violations(m, [0, 4]) == [] and check.violations(m, [3, 0]) == []
    assert check.violations(m, [2, 0]) != []
    m.minimize_makespan()
    result = m.solve()
    assert result.status == OPTIMAL and result.objective == 4   # a, then z


def test_check_reports_a_broken_setup():
    from smtsched.sched import check
    m = Model()
    a, b, c = m.task("a", 1), m.task("b", 1), m.task("c", 1)
    machine = m.unary([a, b, c])
    m.setup_times(machine, {(a, b): 2, (a, c): 9})
    assert check.violations(m, [0, 3, 4]) == []     # a, b, c: the 9 is not consecutive
    assert check.violations(m, [0, 2, 3]) == \
        ["M: no sequence of its tasks keeps the setup times (at time 2)".replace("M", "unary0")]


def test_validation():
    m = Model()
    a, b, c = m.task("a", 1), m.task("b", 1), m.task("c", 1)
    machine = m.unary([a, b])
    pool = m.cumulative({a: 1, b: 1}, 2)
    for resource, times, message in (
            (pool, {(a, b): 1}, "not a machine"), ("M", {(a, b): 1}, "not a resource"),
            (machine, {(a, c): 1}, "c is not a task of"), (machine, {(a, a): 1}, "itself"),
            (machine, {(a, b): -1}, "at least 0"), (machine, {a: 1}, "pair")):
        with pytest.raises(ModelError, match=message):
            m.setup_times(resource, times)
    m.setup_times(machine, {(a, b): 2, (b, a): 0})
    assert [(x.name, y.name, d) for (x, y), d in m.setups[0].times.items()] == [("a", "b", 2)]
    with pytest.raises(ModelError, match="given twice"):
        m.setup_times(machine, {(a, b): 1})
    m.setup_times(machine, [((b, a), 4)])
    assert len(m.setups) == 1 and len(m.setups[0].times) == 2


def test_json_round_trip():
    rng = random.Random(5)
    for _ in range(10):
        instance = random_instance(rng)
        model = build(*instance)
        text = dumps(model)
        assert dumps(loads(text)) == text
        first, second = model.solve(), loads(text).solve()
        assert (first.status, first.objective) == (second.status, second.objective)


@pytest.mark.parametrize("change, message", [
    (lambda d: d["setups"][0].update(resource=3), "no resource"),
    (lambda d: d["setups"][0]["times"][0].__setitem__(2, 0), "is 0"),
    (lambda d: d["setups"][0]["times"][0].__setitem__(1, "nobody"), "names no task"),
    (lambda d: d["setups"][0].update(extra=1), "unknown keys"),
])
def test_json_refusals(change, message):
    instance = ([(1, 0, False), (1, 0, False)], [], {(0, 1): 2}, [], None, {})
    data = json.loads(dumps(build(*instance)))
    change(data)
    with pytest.raises(ModelError, match=message):
        loads(json.dumps(data))


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
    seen = set()
    infeasible = ([(1, 0, False), (1, 0, False)], [], {(0, 1): 5, (1, 0): 5}, [], None,
                  {0: 6, 1: 6})
    for instance in [infeasible] + [random_instance(rng) for _ in range(15)]:
        expected = brute_force(*instance)
        bound = 30 if expected is None else expected
        for v, sat in ((bound, expected is not None), (bound - 1, False)):
            solver = z3.Solver()
            solver.from_string(build(*instance).to_smtlib(v))
            assert (solver.check() == z3.sat) == sat, (instance, v)
        seen.add(expected is None)
    assert seen == {True, False}


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
    kinds = set()
    infeasible = ([(1, 0, False), (1, 0, False)], [], {(0, 1): 5, (1, 0): 5}, [], None,
                  {0: 6, 1: 6})
    for number in range(20):
        instance = infeasible if number == 0 else random_instance(rng, number % 4 == 3)
        folder = tmp_path / str(number)
        result = build(*instance).solve(proof=str(folder))
        _agree(instance, result)
        assert result.certificate == str(folder), result.certificate_note
        verdict = check(str(folder))
        assert verdict.ok, verdict
        kinds.add(result.status)
    assert kinds == {OPTIMAL, INFEASIBLE}, kinds


@pytest.mark.parametrize("change", [
    lambda d: d.pop("setups"),
    lambda d: d["setups"][0]["times"][0].__setitem__(2, 1),
])
def test_infeasible_certificate_of_weaker_setups_is_rejected(tmp_path, change):
    """Two tasks, setups of 5 both ways, deadlines 6: infeasible only with the setups."""
    from smtsched.certify import check
    instance = ([(1, 0, False), (1, 0, False)], [], {(0, 1): 5, (1, 0): 5}, [], None,
                {0: 6, 1: 6})
    result = build(*instance).solve(proof=str(tmp_path))
    assert result.status == INFEASIBLE and check(str(tmp_path)).ok
    with open(tmp_path / "model.json") as f:
        data = json.load(f)
    change(data)
    with open(tmp_path / "model.json", "w") as f:
        json.dump(data, f)
    _rehash(str(tmp_path))
    assert not check(str(tmp_path)).ok


def test_optimal_certificate_with_a_setup_breaking_schedule_is_rejected(tmp_path):
    from smtsched.certify import check
    instance = ([(2, 0, False), (1, 0, False), (2, 0, False)], [],
                {(0, 2): 10, (2, 0): 10, (1, 0): 5, (2, 1): 5}, [], None, {})
    result = build(*instance).solve(proof=str(tmp_path))
    assert result.status == OPTIMAL and result.objective == 5 and check(str(tmp_path)).ok
    path = tmp_path / "schedule.json"
    with open(path) as f:
        schedule = json.load(f)
    schedule["starts"] = {"t0": 0, "t2": 2, "t1": 4}   # a then c directly: the 10 applies
    with open(path, "w") as f:
        json.dump(schedule, f)
    verdict = check(str(tmp_path))
    assert not verdict.ok and "setup" in str(verdict)


def test_checker_schedule_check():
    from smtsched.certify.check.sched import read_model
    m = Model()
    a, z, b = m.task("a", 2), m.task("z", 0), m.task("b", 1, optional=True)
    machine = m.unary([a, z, b])
    m.setup_times(machine, {(a, b): 3, (z, b): 1, (a, z): 0, (b, z): 2})
    m.minimize_makespan()
    g = read_model(dumps(m))
    assert g.check_schedule({"a": 0, "z": 2, "b": 3}) == 4     # a, z, b
    assert g.check_schedule({"a": 0, "z": 2}) == 2
    assert g.check_schedule({"z": 0, "a": 0}) == 2              # z first, at 0
    assert g.check_schedule({"a": 3, "b": 0, "z": 5}) == 5      # b -> z is not consecutive
    for starts in ({"a": 0, "z": 1}, {"a": 0, "z": 2, "b": 2}, {"b": 0, "z": 1, "a": 3}):
        with pytest.raises(ValueError, match="setup|together"):
            g.check_schedule(starts)


def test_least_gaps_close_the_setups_under_shortest_paths():
    """The order's implied gap (SetupTimes.least_gaps): a to c directly costs 10, through b
    1 + 2 + 1 = 4; the checker computes the same numbers on its own."""
    from smtsched.certify.check.sched import _least_gaps
    m = Model()
    a, b, c = m.task("a", 1), m.task("b", 2), m.task("c", 1)
    machine = m.unary([a, b, c])
    setups = m.setup_times(machine, {(a, c): 10, (a, b): 1, (b, c): 1, (c, a): 3})
    gaps = setups.least_gaps()
    assert gaps[a.index, c.index] == 4 and gaps[a.index, b.index] == 1
    assert gaps[b.index, a.index] == 0                  # no setup given: 0
    assert gaps[c.index, a.index] == 0 + 2 + 0          # through b, shorter than its 3
    names = {t.index: t.name for t in m.tasks}
    from smtsched.certify.check.sched import _Problem
    problem = _Problem()
    for t in m.tasks:
        problem.task(t.name, t.duration)
    assert _least_gaps(problem, ["a", "b", "c"], {("a", "c"): 10, ("a", "b"): 1,
                                                  ("b", "c"): 1, ("c", "a"): 3}) == \
        {(names[i], names[j]): d for (i, j), d in gaps.items()}



def test_setups_near_int64_give_exact_optima():
    """Setups of about 2^62 (sums of two or three pass int64's range) against every order of
    three tasks: the optimum must be exact. The lowering counts setups among the numbers that
    switch it to Python integers (they were left out of that check until session 8; the
    horizon, which sums them, switched it anyway, so no wrong answer was seen)."""
    big = 1 << 62
    rng = random.Random(62)
    for _ in range(6):
        m = Model("big-setups")
        tasks = [m.task(f"t{i}", rng.randint(1, 3)) for i in range(3)]
        machine = m.unary(tasks)
        times = {(a, b): (big if rng.random() < 0.5 else 0) + rng.randint(0, 5)
                 for a in tasks for b in tasks if a is not b}
        m.setup_times(machine, times)
        m.minimize_makespan()
        best = min(sum(t.duration for t in order)
                   + sum(times[pair] for pair in zip(order, order[1:]))
                   for order in itertools.permutations(tasks))
        r = m.solve(time_limit=30)
        assert r.status == OPTIMAL and r.objective == best, (r, best)
