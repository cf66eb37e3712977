"""Non-renewable resources (issue 17, multi-mode RCPSP): `Model.nonrenewable(consumption,
capacity)` through every layer: validation, model.json, the lowering's pseudo-Boolean row,
the Term encoding (to_smtlib, SolverBackend), the schedule check, the certificates.

The random models are multi-mode RCPSPs built from plain lists (`multimode`): each job is a
mandatory task of duration 0 with one optional task per mode (an `alternative`), the modes
carry the renewable demands and the non-renewable amounts. The oracle (`brute_force`) shares
no code with smtsched: it enumerates the mode choices that fit the non-renewable capacities
and, per choice, every precedence-feasible job order through the serial schedule-generation
scheme (earliest precedence- and resource-feasible start); the schedules it makes are the
active schedules, among which every regular objective such as the makespan has an optimum
(Sprecher, Kolisch and Drexl, EJOR 1995; Kolisch, EJOR 1996). Every schedule smtsched returns
is checked by `independent_violations`, written here from the definitions.
"""
import itertools
import json
import os
import random

import pytest

from smtsched.sched import bounds
from smtsched.sched.model import Model, ModelError
from smtsched.sched.model_json import dumps, loads
from smtsched.sched.result import INFEASIBLE, OPTIMAL


# ----------------------------------------------------------------------- plain-list builder
def multimode(modes, precedences, capacities, nonrenewable, fixed=None, shortest=False):
    """A multi-mode RCPSP as a Model.

    modes[j]: the modes of job j, each (duration, [renewable demands], [non-renewable
    amounts]); precedences: (i, j) pairs, j starts once i ended; capacities: the renewable
    capacities; nonrenewable: the non-renewable capacities; fixed[r] (optional): {job: amount}
    consumed by the job itself whatever its mode (a mandatory task's constant). `shortest`:
    each job's own task lasts as long as its shortest mode, with the precedences between the
    jobs' tasks too (the same schedules: implied by the modes'; the static bounds then see
    the modes' least durations)."""
    m = Model("multimode")
    jobs, options = [], []
    for j, job_modes in enumerate(modes):
        least = min(d for d, _, _ in job_modes) if shortest else 0
        main = m.task(f"j{j}", duration=least)
        mine = [m.task(f"j{j}m{k}", duration=d, optional=True)
                for k, (d, _, _) in enumerate(job_modes)]
        m.alternative(main, mine)
        jobs.append(main)
        options.append(mine)
    for i, j in precedences:
        for option in options[i]:   # the chosen mode's end leads on
            m.precedence(option, jobs[j])
        if shortest:
            m.precedence(jobs[i], jobs[j])
    for r, capacity in enumerate(capacities):
        demands = {o: job_modes[k][1][r] for job_modes, mine in zip(modes, options)
                   for k, o in enumerate(mine)}
        m.cumulative(demands, capacity, name=f"R{r}")
    for r, capacity in enumerate(nonrenewable):
        consumption = {o: job_modes[k][2][r] for job_modes, mine in zip(modes, options)
                       for k, o in enumerate(mine)}
        for j, amount in ((fixed or {}).get(r) or {}).items():
            consumption[jobs[j]] = amount
        m.nonrenewable(consumption, capacity, name=f"N{r}")
    m.minimize_makespan()
    return m


def random_instance(rng):
    """Plain lists of a small multi-mode RCPSP: 2-6 jobs (fewer modes on more jobs), 1-3
    modes, 0-2 renewable and 1-2 non-renewable resources, forward precedences; capacities
    sometimes below what any mode choice needs (infeasible)."""
    n = rng.randint(2, 6)
    most_modes = 3 if n <= 4 else 2
    renewable = [rng.randint(1, 4) for _ in range(rng.randint(0, 2))]
    nonrenewable_count = rng.randint(1, 2)
    modes = []
    for _ in range(n):
        modes.append([(rng.randint(1, 3),
                       [rng.randint(0, c + (rng.random() < 0.1)) for c in renewable],
                       [rng.randint(0, 4) for _ in range(nonrenewable_count)])
                      for _ in range(rng.randint(1, most_modes))])
    precedences = sorted({(i, j) for i in range(n) for j in range(i + 1, n)
                          if rng.random() < 0.3})
    fixed = {}
    if rng.random() < 0.2:
        fixed[0] = {rng.randrange(n): rng.randint(1, 2)}
    nonrenewable = []
    for r in range(nonrenewable_count):
        least = sum(min(mode[2][r] for mode in job) for job in modes) \
            + sum(fixed.get(r, {}).values())
        most = sum(max(mode[2][r] for mode in job) for job in modes) \
            + sum(fixed.get(r, {}).values())
        nonrenewable.append(max(0, rng.randint(least - 2, most)))
    return modes, precedences, renewable, nonrenewable, fixed


# ----------------------------------------------------------------------- the oracle
def brute_force(modes, precedences, capacities, nonrenewable, fixed=None):
    """The optimal makespan, or None when no mode choice and schedule exist."""
    n = len(modes)
    before = [[i for i, j in precedences if j == b] for b in range(n)]
    orders = [order for order in itertools.permutations(range(n))
              if all(order.index(i) < order.index(j) for i, j in precedences)]
    best = None
    for choice in itertools.product(*[range(len(job)) for job in modes]):
        chosen = [modes[j][k] for j, k in enumerate(choice)]
        fits = all(sum(mode[2][r] for mode in chosen)
                   + sum(((fixed or {}).get(r) or {}).values()) <= capacity
                   for r, capacity in enumerate(nonrenewable))
        if not fits or any(mode[1][r] > c for mode in chosen
                           for r, c in enumerate(capacities)):
            continue
        for order in orders:
            starts = [None] * n
            for j in order:
                d, demand, _ = chosen[j]
                t = max((starts[i] + chosen[i][0] for i in before[j]), default=0)
                while not all(
                        demand[r] + sum(chosen[i][1][r] for i in range(n)
                                        if starts[i] is not None
                                        and starts[i] < u + 1 and u < starts[i] + chosen[i][0])
                        <= c for r, c in enumerate(capacities) for u in range(t, t + d)):
                    t += 1
                starts[j] = t
            makespan = max(s + mode[0] for s, mode in zip(starts, chosen))
            if best is None or makespan < best:
                best = makespan
    return best


def independent_violations(modes, precedences, capacities, nonrenewable, fixed, result):
    """What the schedule of `result` breaks, read from the plain lists (names j<j>m<k>)."""
    starts = result.starts          # the present tasks only
    problems = []
    chosen = []
    for j, job in enumerate(modes):
        present = [k for k in range(len(job)) if f"j{j}m{k}" in starts]
        if len(present) != 1:
            problems.append(f"job {j} has {len(present)} modes")
            return problems
        k = present[0]
        if starts[f"j{j}m{k}"] != starts[f"j{j}"]:
            problems.append(f"job {j}'s mode does not start with it")
        chosen.append((starts[f"j{j}"], job[k]))
    for s, _ in chosen:
        if s < 0:
            problems.append("a negative start")
    for i, j in precedences:
        if chosen[j][0] < chosen[i][0] + chosen[i][1][0]:
            problems.append(f"{j} starts before {i} ends")
    horizon = max(s + mode[0] for s, mode in chosen)
    for r, c in enumerate(capacities):
        for u in range(horizon):
            load = sum(mode[1][r] for s, mode in chosen if s <= u < s + mode[0])
            if load > c:
                problems.append(f"R{r} carries {load} > {c} at {u}")
    for r, c in enumerate(nonrenewable):
        used = sum(mode[2][r] for _, mode in chosen) + sum(((fixed or {}).get(r) or {}).values())
        if used > c:
            problems.append(f"N{r} consumed {used} > {c}")
    if result.objective != horizon:
        problems.append(f"objective {result.objective}, makespan {horizon}")
    return problems


def _agree(instance, result):
    expected = brute_force(*instance)
    if expected is None:
        assert result.status == INFEASIBLE, (instance, result.status)
        return expected
    assert result.status == OPTIMAL, (instance, result.status)
    assert result.objective == expected, (instance, result.objective, expected)
    assert independent_violations(*instance, result) == []
    return expected


# ----------------------------------------------------------------------- validation
def _small():
    m = Model()
    a = m.task("a", 2)
    o1 = m.task("o1", 1, optional=True)
    o2 = m.task("o2", 3, optional=True)
    m.alternative(a, [o1, o2])
    return m, a, o1, o2


@pytest.mark.parametrize("consumption, capacity, name, message", [
    ("o1", 3, None, "must be a dict or"),
    ({"o1": 1}, 3, None, "is not a task of this model"),
    (None, 3, None, "must be a dict or"),
    ([("o1",)], 3, None, "must be a dict or"),
    ("pairs-neg", 3, None, "must be at least 0"),
    ("pairs-bool", 3, None, "must be an integer"),
    ("pairs-float", 3, None, "must be an integer"),
    ("pairs-twice", 3, None, "appears twice"),
    ("pairs", -1, None, "must be at least 0"),
    ("pairs", True, None, "must be an integer"),
    ("pairs", 2.0, None, "must be an integer"),
    ("pairs", 3, 7, "must be a string"),
])
def test_validation(consumption, capacity, name, message):
    m, a, o1, o2 = _small()
    shapes = {"pairs": {o1: 1, o2: 2}, "pairs-neg": {o1: -1}, "pairs-bool": {o1: True},
              "pairs-float": {o1: 1.0}, "pairs-twice": [(o1, 1), (o1, 2)]}
    consumption = shapes.get(consumption, consumption) if isinstance(consumption, str) \
        and consumption in shapes else consumption
    with pytest.raises(ModelError, match=message):
        m.nonrenewable(consumption, capacity, name=name)
    assert m.nonrenewables == []


def test_foreign_task_and_repeated_name():
    m, a, o1, o2 = _small()
    other = Model()
    foreign = other.task("x", 1, optional=True)
    with pytest.raises(ModelError, match="is not a task of this model"):
        m.nonrenewable({foreign: 1}, 3)
    m.nonrenewable({o1: 1}, 3, name="N")
    with pytest.raises(ModelError, match="already exists"):
        m.nonrenewable({o2: 1}, 3, name="N")


def test_zero_amounts_left_out_and_mandatory_constant():
    m, a, o1, o2 = _small()
    resource = m.nonrenewable([(o1, 0), (o2, 2), (a, 1)], 2)
    assert [(t.name, x) for t, x in resource.consumption] == [("o2", 2), ("a", 1)]
    assert resource.constant() == 1
    assert resource.name == "nonrenewable0"
    m.minimize_makespan()
    result = m.solve()
    # o2 needs 2 + 1 > 2: the only fit is o1
    assert result.status == OPTIMAL and result.present(o1) and not result.present(o2)
    assert result.objective == 2


def test_mandatory_amounts_above_capacity_are_infeasible():
    m, a, o1, o2 = _small()
    m.nonrenewable({a: 5}, 4)
    m.minimize_makespan()
    assert m.solve().status == INFEASIBLE


def test_no_mode_choice_fits_is_infeasible():
    # every choice consumes at least 1 + 1 > 1
    instance = ([[(1, [], [2]), (3, [], [1])], [(2, [], [1]), (1, [], [2])]], [(0, 1)], [],
                [1], None)
    result = multimode(*instance).solve()
    assert brute_force(*instance) is None
    assert result.status == INFEASIBLE


def test_the_cheap_mode_is_slower():
    """Without the non-renewable resource the fast modes give 2; with it one job must take
    its slow, cheap mode (job 0's: 3 + 1)."""
    modes = [[(1, [], [2]), (3, [], [0])], [(1, [], [2]), (4, [], [0])]]
    instance = (modes, [(0, 1)], [], [2], None)
    result = multimode(*instance).solve()
    assert result.status == OPTIMAL and result.objective == 4
    assert independent_violations(*instance, result) == []


# ----------------------------------------------------------------------- random against brute force
def _random_runs(count, seed):
    rng = random.Random(seed)
    statuses = {OPTIMAL: 0, INFEASIBLE: 0}
    positive = 0   # static bounds above 0 (the bound check is not vacuous)
    for _ in range(count):
        instance = random_instance(rng)
        shortest = rng.random() < 0.5
        model = multimode(*instance, shortest=shortest)
        result = model.solve(seed=rng.randrange(4))
        expected = _agree(instance, result)
        if expected is not None:
            # the static bound reads the mandatory tasks only (with `shortest`, each job at
            # its fastest mode): valid whatever modes the non-renewable capacities force
            bound = bounds.makespan_lower_bound(model)
            assert bound <= expected
            positive += bound > 0
        statuses[result.status] += 1
    # not vacuous: both answers occur
    assert statuses[OPTIMAL] > count // 4 and statuses[INFEASIBLE] > 0, statuses
    assert positive > count // 8, positive


def test_random_against_brute_force():
    _random_runs(200, 17)


def test_random_on_the_reference_theories(monkeypatch):
    """The same answers on the pure-Python twins (SMTSCHED_PUREPYTHON's switch): the
    pseudo-Boolean row is then theories/pseudo_boolean_ref.py's."""
    import smtsched.theory
    monkeypatch.setattr(smtsched.theory, "PURE_PYTHON", True)
    assert smtsched.theory.pseudo_boolean_class().__module__.endswith("pseudo_boolean_ref")
    _random_runs(30, 41)


@pytest.mark.slow
def test_random_against_brute_force_many():
    _random_runs(800, 1207)


def test_check_catches_an_overconsumed_schedule():
    """sched.check.violations (the optimiser's check of every schedule) sees the sum."""
    from smtsched.sched import check
    m, a, o1, o2 = _small()
    m.nonrenewable({o1: 2, o2: 1}, 1, name="N")
    starts = [0, 0, 0]
    assert check.violations(m, starts, [True, True, False]) == \
        ["N (non-renewable) is consumed 2 > 1"]
    assert check.violations(m, starts, [True, False, True]) == []


# ----------------------------------------------------------------------- serialisation, determinism
def test_json_round_trip():
    rng = random.Random(5)
    for _ in range(20):
        instance = random_instance(rng)
        model = multimode(*instance)
        text = dumps(model)
        again = loads(text)
        assert dumps(again) == text
        assert [(r.name, r.capacity, [(t.name, x) for t, x in r.consumption])
                for r in again.nonrenewables] == \
            [(r.name, r.capacity, [(t.name, x) for t, x in r.consumption])
             for r in model.nonrenewables]
        first, second = model.solve(), again.solve()
        assert (first.status, first.objective) == (second.status, second.objective)


@pytest.mark.parametrize("change, message", [
    (lambda d: d["nonrenewables"][0].update(capacity=-1), "must be at least 0"),
    (lambda d: d["nonrenewables"][0]["consumption"].append(["nobody", 1]), "names no task"),
    (lambda d: d["nonrenewables"][0]["consumption"][0].__setitem__(1, 0), "is 0"),
    (lambda d: d["nonrenewables"][0].update(extra=1), "unknown keys"),
    (lambda d: d["nonrenewables"][0]["consumption"][0].__setitem__(1, True),
     "must be an integer"),
])
def test_json_refusals(change, message):
    m, a, o1, o2 = _small()
    m.nonrenewable({o1: 1, o2: 2}, 2, name="N")
    data = json.loads(dumps(m))
    change(data)
    with pytest.raises(ModelError, match=message):   # (ModelJSONError is one)
        loads(json.dumps(data))


def test_determinism():
    rng = random.Random(11)
    for _ in range(8):
        instance = random_instance(rng)
        runs = [multimode(*instance).solve(seed=3) for _ in range(2)]
        same = [(r.status, r.objective, r.starts,
                 {k: v for k, v in r.stats.items() if "time" not in k})
                for r in runs]
        assert same[0] == same[1]


# ----------------------------------------------------------------------- other encodings
def test_to_smtlib_against_z3():
    """The printed encoding (z3's pble over the presences) has a schedule of makespan <= v
    exactly when brute force says so: z3 decides it, no smtsched engine involved."""
    z3 = pytest.importorskip("z3")
    rng = random.Random(23)
    seen = set()
    for _ in range(15):
        instance = random_instance(rng)
        expected = brute_force(*instance)
        model = multimode(*instance)
        bound = 12 if expected is None else expected
        for value, sat in ((bound, expected is not None), (bound - 1, False)):
            solver = z3.Solver()
            solver.from_string(model.to_smtlib(value))
            assert (solver.check() == z3.sat) == sat, (instance, value)
        seen.add(expected is None)
    assert seen == {True, False}


def test_solver_backend_agrees():
    """The Term encoding compiled (PbLe, or a clause when it is one) on the Solver backend."""
    from smtsched.sched.backend import SolverBackend
    from smtsched.sched.optimize import Optimizer
    rng = random.Random(29)
    for _ in range(15):
        instance = random_instance(rng)
        result = Optimizer(multimode(*instance), backend=SolverBackend).run()
        _agree(instance, result)


# ----------------------------------------------------------------------- certificates
def test_certificates_verify(tmp_path):
    """OPTIMAL and INFEASIBLE answers of random multi-mode models come with certificates the
    checker verifies; the non-renewable rows' lemmas are `slack` lemmas over the input's
    pseudo-Boolean constraint (the checker's reader states it from model.json)."""
    from smtsched.certify import check
    rng = random.Random(31)
    kinds, slack = set(), 0
    for number in range(25):
        instance = random_instance(rng)
        folder = tmp_path / str(number)
        result = multimode(*instance).solve(proof=str(folder))
        _agree(instance, result)
        assert result.certificate == str(folder), result.certificate_note
        verdict = check(str(folder))
        assert verdict.ok, verdict
        kinds.add(result.status)
        with open(folder / "lemmas.jsonl") as lemmas:
            slack += sum(json.loads(line).get("rule") == "slack" for line in lemmas)
    assert kinds == {OPTIMAL, INFEASIBLE} and slack > 0


def _infeasible_certificate(folder):
    instance = ([[(1, [], [2]), (3, [], [1])], [(2, [], [1]), (1, [], [2])]], [(0, 1)], [],
                [1], None)
    result = multimode(*instance).solve(proof=str(folder))
    assert result.status == INFEASIBLE and result.certificate == str(folder)
    return folder


def _rehash(folder):
    import hashlib
    path = os.path.join(folder, "manifest.json")
    with open(path) as f:
        manifest = json.load(f)
    with open(os.path.join(folder, "model.json"), "rb") as f:
        manifest["input"]["sha256"] = hashlib.sha256(f.read()).hexdigest()
    with open(path, "w") as f:
        json.dump(manifest, f)


def test_certificate_without_the_resource_in_the_input_is_not_verified(tmp_path):
    """The checker reads the constraint from model.json, not from the certificate: with the
    non-renewable resource taken out of the input (and the hash fixed), the row of
    constraints.json follows from nothing, and its lemmas verify nothing."""
    from smtsched.certify import check
    folder = _infeasible_certificate(tmp_path)
    assert check(str(folder)).ok
    with open(folder / "model.json") as f:
        data = json.load(f)
    del data["nonrenewables"]
    with open(folder / "model.json", "w") as f:
        json.dump(data, f)
    _rehash(str(folder))
    assert not check(str(folder)).ok


def test_certificate_with_a_stronger_row_is_rejected(tmp_path):
    """A row that claims less room than the input gives (a smaller bound) is rejected."""
    from smtsched.certify import check
    folder = _infeasible_certificate(tmp_path / "a")
    path = folder / "constraints.json"
    with open(path) as f:
        records = json.load(f)
    assert [r["kind"] for r in records] == ["pseudo_boolean"]
    records[0]["bound"] -= 1
    with open(path, "w") as f:
        json.dump(records, f)
    verdict = check(str(folder))
    assert not verdict.ok and "follow" in str(verdict)


def test_optimal_certificate_with_an_overconsuming_schedule_is_rejected(tmp_path):
    """schedule.json of an OPTIMAL claim is checked against the non-renewable capacities:
    both fast modes (job 1 started late, so the makespan is the claimed 4) consume 4 > 2."""
    from smtsched.certify import check
    modes = [[(1, [], [2]), (3, [], [0])], [(1, [], [2]), (4, [], [0])]]
    result = multimode(modes, [(0, 1)], [], [2], None).solve(proof=str(tmp_path))
    assert result.status == OPTIMAL and result.objective == 4
    assert check(str(tmp_path)).ok
    path = tmp_path / "schedule.json"
    with open(path) as f:
        schedule = json.load(f)
    schedule["starts"] = {"j0": 0, "j0m0": 0, "j1": 3, "j1m0": 3}
    with open(path, "w") as f:
        json.dump(schedule, f)
    verdict = check(str(tmp_path))
    assert not verdict.ok and "N0 is consumed 4 > 2" in str(verdict)


def test_checker_schedule_check():
    """The checker's own schedule check (certify/check/sched.py) counts the amounts."""
    from smtsched.certify.check.sched import read_model
    m, a, o1, o2 = _small()
    m.nonrenewable({o1: 2, o2: 1}, 1, name="N")
    m.minimize_makespan()
    g = read_model(dumps(m))
    assert g.check_schedule({"a": 0, "o2": 0}) == 3
    with pytest.raises(ValueError, match="N is consumed 2 > 1"):
        g.check_schedule({"a": 0, "o1": 0})


# ----------------------------------------------------------------------- starts, static answers
def test_static_reason_when_no_choice_fits():
    """The least consumption (mandatory amounts, the cheapest option of each alternative)
    above the capacity answers INFEASIBLE before any search, with the reason."""
    instance = ([[(1, [], [2]), (3, [], [1])], [(2, [], [1]), (1, [], [2])]], [(0, 1)], [],
                [1], {0: {1: 1}})
    result = multimode(*instance).solve()
    assert result.status == INFEASIBLE
    assert "N0 needs at least 3 (capacity 1)" in result.reason
    # at the capacity the cheapest options fit: no static answer
    instance = instance[:3] + ([3],) + instance[4:]
    assert _agree(instance, multimode(*instance).solve()) == 5


def test_an_option_in_two_alternatives_is_counted_once():
    m = Model()
    a, b = m.task("a"), m.task("b")
    shared = m.task("shared", 1, optional=True)
    other = m.task("other", 1, optional=True)
    m.alternative(a, [shared, other])
    m.alternative(b, [shared])
    m.nonrenewable({shared: 2, other: 1}, 2)
    m.minimize_makespan()
    result = m.solve()
    # shared serves both (amount 2 <= 2); per-alternative minima would say 1 + 2 = 3 > 2
    assert result.status == OPTIMAL and result.present(shared) and not result.present(other)


def test_starting_schedules_that_overconsume_are_discarded():
    """The optimiser's starting schedules (the greedy one, the caller's) pass the schedule
    check first, which counts the non-renewable amounts."""
    from smtsched.sched.optimize import best_start
    m = Model()
    a = m.task("a", 2)
    o = m.task("o", 3, optional=True)   # optional, in no alternative: may be left out
    m.nonrenewable({o: 2}, 1)
    m.minimize_makespan()
    assert best_start(m, [[0, 0]]) is None           # every task present: o consumes 2 > 1
    result = m.solve(start_from=[[0, 0]])
    assert result.status == OPTIMAL and result.objective == 2 and not result.present(o)


def test_mandatory_only_greedy_model():
    """Without optional tasks the greedy schedule applies; a constant over the capacity
    makes it invalid, and the answer is INFEASIBLE, not the greedy schedule."""
    for capacity, status in ((5, OPTIMAL), (4, INFEASIBLE)):
        m = Model()
        a, b = m.task("a", 2), m.task("b", 3)
        m.unary([a, b])
        m.nonrenewable({a: 2, b: 3}, capacity)
        m.minimize_makespan()
        result = m.solve()
        assert result.status == status
        if status == OPTIMAL:
            assert result.objective == 5


def test_cut_witness_names_the_overloaded_resource(tmp_path):
    """Regression: the tasks of a cut on R1 were all on R0 too, where they fit; the cut's
    record named R0 (the first resource holding them all), so its clique witness could not
    be found and the certificate was incomplete (LoweringBackend._resource_spec now picks
    the resource they overload). Found by the random models here, seed 1207, model 8."""
    instance = ([[(2, [0, 1], [0]), (2, [2, 1], [1])],
                 [(3, [1, 3], [0]), (1, [2, 2], [2]), (2, [0, 1], [4])],
                 [(2, [0, 3], [2]), (2, [1, 1], [0])], [(1, [1, 3], [2])]],
                [], [4, 4], [6], {})
    result = multimode(*instance).solve(seed=0, proof=str(tmp_path))
    _agree(instance, result)
    with open(tmp_path / "manifest.json") as f:
        manifest = json.load(f)
    with open(tmp_path / "lemmas.jsonl") as f:
        cuts = [json.loads(line) for line in f if '"cut"' in line]
    assert cuts and manifest["complete"] and manifest["incomplete"] == []
