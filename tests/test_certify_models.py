"""Certificates of models with optional tasks, alternatives and weighted objectives (issue 15):
the checker's own reading of model.json (smtsched/certify/check/sched.py) against the oracle of
tests/sched_oracle.py (which shares no code with smtsched), end-to-end certificates of random
models whose optima the oracle's brute force confirms, and tampering the checker must reject.
"""
import json
import os
import random
import tempfile

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import sched_oracle
from smtsched.certify import check
from smtsched.certify.check import sched as checker
from smtsched.sched import INFEASIBLE, OPTIMAL, Model, model_json


def scaled(weight):
    """max_examples as a multiple of the active profile's baseline (tests/conftest.py)."""
    return max(1, int(settings.default.max_examples * weight))


def supported(spec):
    """The spec without what the checker cannot check yet (memories, the peak objective)."""
    objective = ("makespan",) if spec["objective"][0] == "peak" else spec["objective"]
    return dict(spec, memories=[], objective=objective)


# -- G and the schedule check against the oracle ---------------------------------------------

def holds(g, lit, values, booleans):
    """The truth of a G literal under integer values (by variable name) and Booleans."""
    var = abs(lit)
    if var == g.true():
        truth = True
    elif var in booleans:
        truth = booleans[var]
    else:
        d = g.meaning(var)
        assert d is not None, f"variable {var} of G has no meaning"
        x = 0 if d.x is None else values[d.x]
        y = 0 if d.y is None else values[d.y]
        truth = x - y <= d.c
    return truth if lit > 0 else not truth


def schedules(spec, rng, count):
    """Random (starts, present) pairs, mostly near a valid one."""
    n = len(spec["tasks"])
    _, best, present = sched_oracle.brute_force(spec) if sched_oracle.grid_size(spec) < 4000 \
        else (None, None, None)
    for _ in range(count):
        starts = list(best) if best and rng.randrange(2) else \
            [rng.randint(0, 8) for _ in range(n)]
        pres = list(present) if present and rng.randrange(2) else \
            [not t[3] or rng.randrange(2) == 1 for t in spec["tasks"]]
        if n and rng.randrange(2):
            starts[rng.randrange(n)] += rng.randint(-2, 2)
        yield [max(0, s) for s in starts], pres


@settings(max_examples=scaled(1.0), suppress_health_check=[HealthCheck.too_slow])
@given(sched_oracle.specs(min_tasks=0, max_tasks=5), st.integers(0, 2 ** 32))
def test_read_model_judges_schedules_with_presences_as_the_oracle_and_g_holds_on_them(
        spec, seed):
    """On every supported model (optional tasks, alternatives, weighted objectives): the
    checker's schedule check accepts exactly the oracle's valid schedules, with the oracle's
    objective, and every clause of G holds on each valid schedule (G follows from the
    model; with the pair clauses of every named pair, i.e. all of them)."""
    spec = supported(spec)
    model, tasks = sched_oracle.build(spec)
    g = checker.read_model(model_json.dumps(model), {})
    for t in model.tasks:   # name every ordering atom: all the pair clauses
        for u in model.tasks:
            if t is not u:
                g.atom("Int", f"start {t.name}", f"start {u.name}", -t.duration)
    g.finish()
    rng = random.Random(seed)
    for starts, present in schedules(spec, rng, 8):
        problems = sched_oracle.violations(spec, starts, present)
        given = {t.name: s for t, s, p in zip(model.tasks, starts, present) if p}
        if problems:
            with pytest.raises(ValueError):
                g.check_schedule(given)
            continue
        value = g.check_schedule(given)
        expected = sched_oracle.objective(spec, starts, present)
        if expected is None:   # no objective: the checker computes the makespan
            expected = max((s + t[0] for s, t, p in zip(starts, spec["tasks"], present) if p),
                           default=0)
        assert value == expected
        makespan = max((s + t[0] for s, t, p in zip(starts, spec["tasks"], present) if p),
                       default=0)
        values = dict({f"start {t.name}": s for t, s in zip(model.tasks, starts)},
                      makespan=makespan)
        booleans = {g.booleans[f"present {t.name}"]: p for t, p in zip(model.tasks, present)
                    if f"present {t.name}" in g.booleans}
        for clause in g.clauses:
            assert any(holds(g, lit, values, booleans) for lit in clause), (clause, problems)


def test_weighted_objective_with_optional_tasks_and_repeated_buffer_names_are_refused_by_name():
    m = Model()
    a = m.task("a", 2)
    memory = m.memory(5)
    m.buffer(memory, 3, a, name="x")
    checker.read_model(model_json.dumps(m), {})   # memories are read
    m.buffer(memory, 1, a, name="x")   # a certificate names buffers: they must be distinct
    with pytest.raises(ValueError, match="unsupported by the checker: repeated buffer names"):
        checker.read_model(model_json.dumps(m), {})
    text = json.dumps({"format": "smtsched-model", "version": 1,
                       "tasks": [{"name": "a", "duration": 1, "optional": True}],
                       "objective": "weighted_completion", "weights": [["a", 1]]})
    # (an optional task among the weighted ones is an error, as in the Model; the model's
    # other tasks may be optional: tests/test_weighted_sum.py)
    with pytest.raises(ValueError, match="'a' is optional: the tasks of a weighted objective"):
        checker.read_model(text, {})
    text = json.dumps({"format": "smtsched-model", "version": 1,
                       "tasks": [{"name": "a", "duration": 1}, {"name": "b", "duration": 1}],
                       "objective": "weighted_tardiness", "weights": [["a", 1], ["b", 1]],
                       "dues": [["a", 0]]})
    with pytest.raises(ValueError, match="'b' has a weight but no due date"):
        checker.read_model(text, {})


# -- end to end --------------------------------------------------------------------------------

def certify(model):
    folder = tempfile.mkdtemp(prefix="smtsched-models-")
    return model.solve(time_limit=20, proof=folder), folder


def verified(result, drawn=False):
    assert result.certificate is not None, result.certificate_note
    verdict = check(result.certificate)
    assert verdict.ok, verdict.reason
    if drawn:   # (--hypothesis-show-statistics counts them, and the rules they used)
        event(f"verified {result.status}")
        with open(os.path.join(result.certificate, "lemmas.jsonl"), encoding="utf-8") as f:
            for rule in sorted({f"{r['kind']} {r.get('rule')}" for r in map(json.loads, f)}):
                event(f"lemma {rule}")
    return verdict


@settings(max_examples=scaled(1.0), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(sched_oracle.specs(min_tasks=1, max_tasks=5))
def test_random_models_with_each_feature_give_certificates_that_verify(spec):
    spec = supported(spec)
    model, _ = sched_oracle.build(spec)
    result, _ = certify(model)
    if result.status not in (OPTIMAL, INFEASIBLE) or (
            result.status == OPTIMAL and spec["objective"][0] == "none"):
        return
    verified(result, drawn=True)
    if sched_oracle.grid_size(spec) < 200000:
        optimum, _, _ = sched_oracle.brute_force(spec)
        if result.status == INFEASIBLE:
            assert optimum is None
        else:
            assert result.objective == optimum


@settings(max_examples=scaled(0.6), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(sched_oracle.dense_specs(min_tasks=6, max_tasks=9))
def test_dense_models_with_optional_tasks_and_weighted_costs_verify(spec):
    """Resource-bound models (searches, cuts over optional tasks, cost lemmas)."""
    spec = supported(spec)
    model, _ = sched_oracle.build(spec)
    result, _ = certify(model)
    if result.status in (OPTIMAL, INFEASIBLE):
        verified(result, drawn=True)


@st.composite
def shared_options(draw):
    """Tasks carried out by one of two optional options that share a cumulative resource
    (overloads of three or more options are cut between searches: clique lemmas over their
    presences), as a sched_oracle spec."""
    mains = draw(st.integers(3, 4))
    tasks = [(draw(st.integers(0, 3)), 0, None, False) for _ in range(mains)]
    alternatives = []
    for k in range(mains):
        first = len(tasks)
        tasks += [(draw(st.integers(1, 3)), 0, None, True) for _ in range(2)]
        alternatives.append((k, [first, first + 1]))
    cap = draw(st.integers(1, 2))
    options = list(range(mains, len(tasks)))
    # now and then an option too big for the resource (it is never chosen)
    resources = [(cap, [(o, draw(st.sampled_from([1] * 4 + [cap, cap + 1])))
                        for o in options], False)]
    if draw(st.booleans()):
        resources.append((1, [(k, 1) for k in range(mains)], True))
    return dict(tasks=tasks, precedences=[], alternatives=alternatives, resources=resources,
                memories=[], horizon=None, objective=("makespan",))


@settings(max_examples=scaled(0.3), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(shared_options())
def test_options_sharing_a_resource_give_certificates_with_cuts_that_verify(spec):
    model, _ = sched_oracle.build(spec)
    result, _ = certify(model)
    assert result.status in (OPTIMAL, INFEASIBLE)
    verified(result, drawn=True)
    status, optimum = sched_oracle.cp_sat(spec, time_limit=10)
    assert status != "unknown"
    assert result.objective == optimum
    assert (result.status == INFEASIBLE) == (status == "infeasible")


def optional_cut_model():
    """A cumulative resource of capacity 2 with optional tasks that a schedule overloads:
    the optimiser cuts the overload (a `cut` lemma over the optional tasks' presences)."""
    m = Model("cuts")
    main = [m.task(f"m{i}", 3) for i in range(3)]
    options = []
    for i, t in enumerate(main):
        pair = [m.task(f"o{i}a", 3, optional=True), m.task(f"o{i}b", 4, optional=True)]
        m.alternative(t, pair)
        options += pair
    m.cumulative({o: 1 for o in options}, 2, name="shared")
    m.minimize_makespan()
    return m


def cut_certificate():
    result, folder = certify(optional_cut_model())
    assert result.status == OPTIMAL and result.objective == 6
    verified(result)
    return result, folder


def test_cuts_over_optional_tasks_are_clique_lemmas_with_their_presences():
    _, folder = cut_certificate()
    with open(os.path.join(folder, "constraints.json"), encoding="utf-8") as f:
        constraints = json.load(f)
    shared = [c for c in constraints if any("present" in t for t in c.get("tasks", ()))]
    assert shared and all(t["present"] == "present " + t["start"][len("start "):]
                          for t in shared[0]["tasks"])
    with open(os.path.join(folder, "lemmas.jsonl"), encoding="utf-8") as f:
        cuts = [r for r in map(json.loads, f) if r["kind"] == "cut"]
    assert cuts and all(r["rule"] == "clique" for r in cuts)
    with open(os.path.join(folder, "atoms.txt"), encoding="utf-8") as f:
        assert '"present o0a"' in f.read()


def rewrite(folder, name, change):
    path = os.path.join(folder, name)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    new = change(text)
    assert new != text
    with open(path, "w", encoding="utf-8") as f:
        f.write(new)


def test_a_cut_whose_presences_are_dropped_is_rejected():
    """The cut lemma without its presence literals would claim the tasks overload the
    resource even when absent: the clique rule then counts them as absent."""
    _, folder = cut_certificate()
    with open(os.path.join(folder, "atoms.txt"), encoding="utf-8") as f:
        presences = {int(line.split()[0]) for line in f if " bool \"present " in line}

    def drop(text):
        out = []
        for line in text.splitlines():
            rec = json.loads(line)
            if rec["kind"] == "cut":
                rec["clause"] = [l for l in rec["clause"] if -l not in presences]
            out.append(json.dumps(rec))
        return "\n".join(out) + "\n"
    rewrite(folder, "lemmas.jsonl", drop)
    verdict = check(folder)
    assert verdict.status == "rejected" and "clique" in verdict.reason, verdict


def test_a_constraint_that_makes_optional_tasks_mandatory_is_rejected():
    _, folder = cut_certificate()

    def mandatory(text):
        data = json.loads(text)
        for c in data:
            for t in c.get("tasks", ()):
                t.pop("present", None)
        return json.dumps(data)
    rewrite(folder, "constraints.json", mandatory)
    verdict = check(folder)
    assert verdict.status == "rejected" and "constraints.json" in verdict.reason, verdict


def test_a_schedule_with_a_presence_flipped_is_rejected():
    result, folder = cut_certificate()

    with open(os.path.join(folder, "schedule.json"), encoding="utf-8") as f:
        honest = f.read()

    def absent(text):
        # o0a and o0b: exactly one is present; the present one made absent
        data = json.loads(text)
        data["starts"].pop("o0a" if "o0a" in data["starts"] else "o0b")
        return json.dumps(data)
    rewrite(folder, "schedule.json", absent)
    verdict = check(folder)
    assert verdict.status == "rejected" and "0 options present" in verdict.reason, verdict
    rewrite(folder, "schedule.json", lambda text: honest)

    def both(text):
        data = json.loads(text)
        data["starts"]["o0a"] = data["starts"]["o0b"] = data["starts"]["m0"]
        return json.dumps(data)
    rewrite(folder, "schedule.json", both)
    verdict = check(folder)
    assert verdict.status == "rejected" and "2 options present" in verdict.reason, verdict


def weighted_model(tardiness):
    m = Model("weighted")
    t = [m.task(f"t{i}", d) for i, d in enumerate([3, 2, 4, 1, 2])]
    m.unary(t[:3])
    m.cumulative({t[1]: 1, t[2]: 1, t[3]: 2, t[4]: 1}, 2)
    m.precedence(t[0], t[3])
    weights = {t[0]: 1, t[1]: 3, t[2]: 2, t[3]: 1, t[4]: 2}
    if tardiness:
        m.minimize_weighted_tardiness({x: 4 for x in t}, weights)
    else:
        m.minimize_weighted_completion(weights)
    return m


@pytest.mark.parametrize("tardiness", [False, True])
def test_weighted_objectives_verify_and_a_lighter_cost_record_is_rejected(tardiness):
    model = weighted_model(tardiness)
    result, folder = certify(model)
    assert result.status == OPTIMAL
    verified(result)
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
        claim = json.load(f)["claim"]
    assert claim["objective"] == model.objective and claim["value"] == result.objective

    def lighter(text):
        # a cost record that counts a task at a lower weight (a completion task) or with
        # a later due date than the input: it no longer follows from the objective
        data = json.loads(text)
        for c in data:
            if c["kind"] == "cost":
                task = next(t for t in c["tasks"] if t["weight"] > 0)
                if task["due"] is None:
                    task["weight"] -= 1
                else:
                    task["due"] -= 1
                    task["weight"] += 1
        return json.dumps(data)
    rewrite(folder, "constraints.json", lighter)
    verdict = check(folder)
    assert verdict.status == "rejected" and "constraints.json" in verdict.reason, verdict


def test_a_cost_lemma_without_its_guard_is_rejected():
    """A cost lemma proves "not (guard and premises)": without the guard's literal it would
    claim the premises alone exceed the bound, which the input does not say."""
    result, folder = certify(weighted_model(True))
    verified(result)
    with open(os.path.join(folder, "atoms.txt"), encoding="utf-8") as f:
        guards = {int(line.split()[0]) for line in f if " guard cost " in line}

    def unguarded(text):
        out = []
        for line in text.splitlines():
            rec = json.loads(line)
            if rec.get("rule") == "cost":
                rec["clause"] = [l for l in rec["clause"] if -l not in guards]
            out.append(json.dumps(rec))
        return "\n".join(out) + "\n"
    rewrite(folder, "lemmas.jsonl", unguarded)
    verdict = check(folder)
    assert verdict.status == "rejected" and "guard" in verdict.reason, verdict


def test_an_optimal_weighted_claim_one_too_high_is_rejected():
    result, folder = certify(weighted_model(False))
    verified(result)

    def higher(text):
        data = json.loads(text)
        data["claim"]["value"] += 1
        return json.dumps(data)
    rewrite(folder, "manifest.json", higher)
    assert check(folder).status == "rejected"


# -- regressions (found by the random models above) ----------------------------------------------

def test_all_optional_model_with_optimum_zero_is_certified():
    # one optional task of duration 0: OPTIMAL 0; refuting "makespan <= -1" needs
    # makespan >= 0, which no mandatory task implied (the refutation found a schedule:
    # ScheduleCheckError)
    m = Model()
    m.task("t0", 0, optional=True)
    m.minimize_makespan()
    result, _ = certify(m)
    assert result.status == OPTIMAL and result.objective == 0
    verified(result)


def test_an_optional_task_alone_over_capacity_is_certified_absent():
    # the only option of an alternative demands 2 of a resource of capacity 1: INFEASIBLE;
    # the cut of that one task is the clause "not present" (it had no witness: incomplete)
    m = Model()
    option = m.task("t0", 1, optional=True)
    main = m.task("t1", 0)
    m.precedence(option, option, min_lag=-1)
    m.alternative(main, [option])
    m.cumulative({option: 2}, 1)
    result, folder = certify(m)
    assert result.status == INFEASIBLE
    verified(result)
    with open(os.path.join(folder, "lemmas.jsonl"), encoding="utf-8") as f:
        assert not [r for r in map(json.loads, f) if r["kind"] == "cut"]
