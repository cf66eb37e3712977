"""The first schedule of a multi-mode model (smtsched.sched.mode_greedy) and its choice of modes
(mode_choice.fitting_choice), against enumeration.

fitting_choice must find a choice of options that fits every non-renewable budget exactly when
one exists (at these sizes no frontier is cut), and make it greedily: each alternative, in the
order given, takes the first option of its preferences that some completion of the others
still fits. The oracle enumerates the completions itself. The first schedule must pass a
check written here (precedences, one option per alternative starting with its task, the
renewable capacity at every instant, the budgets), exist whenever some choice fits, and be the
same on every call. The optimiser must start from it (its statistics name its makespan) and
repeat a timed run exactly."""
import itertools
import os
import random
import sys

import pytest

from smtsched.sched import mode_choice, mode_greedy, optimize
from smtsched.sched.model import Model
from smtsched.sched.result import FEASIBLE, OPTIMAL

from test_mode_bound import build, random_spec

psplib = pytest.importorskip("psplib", reason="psplib needs Python 3.10 (pyproject.toml)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def random_alternatives(rng):
    """(model, groups, capacities, constant): groups[k] the amount vectors of alternative
    k's options; constant the amounts of the mandatory tasks."""
    m = Model("choice")
    d = rng.randint(1, 3)
    consumption = [dict() for _ in range(d)]
    groups = []
    constant = [0] * d
    for j in range(rng.randint(1, 6)):
        if rng.random() < 0.8:
            main = m.task(f"j{j}", 1)
            options = [m.task(f"j{j}m{k}", rng.randint(1, 4), optional=True)
                       for k in range(rng.randint(1, 3))]
            m.alternative(main, options)
            vectors = []
            for o in options:
                v = [rng.randint(0, 6) for _ in range(d)]
                for r, a in enumerate(v):
                    consumption[r][o] = a
                vectors.append(v)
            groups.append(vectors)
        else:
            t = m.task(f"t{j}", 1)
            for r in range(d):
                consumption[r][t] = a = rng.randint(0, 3)
                constant[r] += a
    capacities = [rng.randint(0, 16) for _ in range(d)]
    for r, c in enumerate(capacities):
        m.nonrenewable(consumption[r], c, name=f"N{r}")
    return m, groups, capacities, constant


def completes(groups, capacities, used, rest):
    """Some choice of the alternatives `rest` fits with `used` already taken."""
    for choice in itertools.product(*(groups[k] for k in rest)):
        if all(used[r] + sum(v[r] for v in choice) <= c for r, c in enumerate(capacities)):
            return True
    return False


def test_fitting_choice_is_exact_and_greedy_against_enumeration():
    rng = random.Random(20261208)
    found = none = 0
    for _ in range(500):
        m, groups, capacities, constant = random_alternatives(rng)
        order = list(range(len(groups)))
        rng.shuffle(order)
        preferences = [rng.sample(opts, len(opts)) for _, opts in m.alternatives]
        choice = mode_choice.fitting_choice(m, order, preferences)
        exists = completes(groups, capacities, constant, order)
        assert (choice is not None) == exists, (groups, capacities, constant)
        if choice is None:
            none += 1
            continue
        found += 1
        used = list(constant)
        for k, position in enumerate(order):
            options = m.alternatives[position][1]
            vector = {o.index: groups[position][options.index(o)] for o in options}
            taken = choice[position]
            for o in preferences[position]:
                with_it = [u + x for u, x in zip(used, vector[o.index])]
                if o is taken:
                    assert completes(groups, capacities, with_it, order[k + 1:])
                    used = with_it
                    break
                # a preferred option passed over: no completion with it
                assert not completes(groups, capacities, with_it, order[k + 1:])
        assert all(u <= c for u, c in zip(used, capacities))
    assert found >= 100 and none >= 50, (found, none)


def fits_here(spec, model, starts, present):
    """The schedule checked on the spec's own data (not smtsched.sched.check)."""
    acts, tasks = spec["acts"], model.tasks
    chosen = []
    for k, act in enumerate(acts):
        main = model[f"a{k}"]
        if len(act["modes"]) == 1:
            chosen.append(0)
            continue
        on = [j for j in range(len(act["modes"])) if present[model[f"a{k}.m{j}"].index]]
        if len(on) != 1 or starts[model[f"a{k}.m{on[0]}"].index] != starts[main.index]:
            return False
        chosen.append(on[0])
    start = [starts[model[f"a{k}"].index] for k in range(len(acts))]
    mode = [act["modes"][c] for act, c in zip(acts, chosen)]
    if any(s < act["release"] for s, act in zip(start, acts)):
        return False
    if any(start[j] < start[i] + mode[i]["duration"] + lag for i, j, lag in spec["arcs"]):
        return False
    for r, cap in enumerate(spec["capacities"]):
        if sum(md["amounts"][r] for md in mode) > cap:
            return False
    for u in range(max(s + md["duration"] for s, md in zip(start, mode)) + 1):
        load = sum(md["demand"] for s, md in zip(start, mode) if s <= u < s + md["duration"])
        if load > spec["renewable"]:
            return False
    return len(starts) == len(tasks)


def fitting(spec):
    acts, caps = spec["acts"], spec["capacities"]
    return any(all(sum(a["modes"][c]["amounts"][r] for a, c in zip(acts, choice)) <= cap
                   for r, cap in enumerate(caps))
               for choice in itertools.product(*(range(len(a["modes"])) for a in acts)))


def test_the_first_schedule_is_valid_exists_when_a_choice_fits_and_repeats():
    rng = random.Random(11)
    made = 0
    for _ in range(600):
        spec = random_spec(rng, renewable=True)
        model = build(spec)
        if not mode_greedy.applicable(model):
            assert not model.nonrenewables or not model.alternatives
            continue
        found = mode_greedy.first_schedule(model, seed=5)
        assert (found is not None) == fitting(spec), spec
        if found is None:
            continue
        made += 1
        assert fits_here(spec, model, *found), (spec, found)
        assert mode_greedy.first_schedule(model, seed=5) == found
    assert made >= 100, made


def generated(tmp_path):
    sys.path.insert(0, ROOT)
    try:
        from bench import gen_project
    finally:
        sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != ROOT]
    params = dict(next(p for name, _, p in gen_project.benchmark_set() if name == "mm30_07"))
    path = str(tmp_path / "mm30_07.mm")
    gen_project.write(gen_project.generate("multi_mode", params), path)
    return path


def test_the_optimiser_starts_from_it_and_repeats_a_timed_run(tmp_path, monkeypatch):
    from smtsched.sched import read_model
    path = generated(tmp_path)
    model = read_model(path)
    first = mode_greedy.first_schedule(model, seed=0)
    assert first is not None
    value = model.objective_value(*first)
    # a budget of 400 conflicts under a limit far above what they take: ended by the budget
    monkeypatch.setattr(optimize, "conflict_seconds", lambda model: 60 / 400)
    runs = []
    for _ in range(2):
        result = read_model(path).solve(time_limit=60, seed=0)
        stats = {k: v for k, v in result.stats.items() if k != "runtime"}
        runs.append((result.status, result.objective, result.lower_bound, stats,
                     result.starts))
    assert runs[0] == runs[1]
    status, objective, lower, stats, _ = runs[0]
    assert stats["heuristic"] == value and objective <= value
    # the modes' bound (mode_bound: 90 here, where the single-mode bounds say 57)
    assert lower >= 90
    assert status in (FEASIBLE, OPTIMAL) and "stopped" not in stats


def test_shorter_paths_keep_the_budgets_and_never_lengthen_the_path():
    rng = random.Random(3)
    shortened = 0
    for _ in range(400):
        spec = random_spec(rng, renewable=True)
        model = build(spec)
        if not mode_greedy.applicable(model):
            continue
        plan = mode_greedy._Plan.of(model)
        for choice in list(plan.choices())[::2]:   # the fitting choices, before shortening
            if choice is None:
                continue
            better = plan.shorter_paths(choice)
            assert plan.fits(better)
            # the budgets, summed here from the spec
            chosen = {o.index for o in better.values()}
            for r, cap in enumerate(spec["capacities"]):
                used = 0
                for k, act in enumerate(spec["acts"]):
                    for j, mode in enumerate(act["modes"]):
                        name = f"a{k}" if len(act["modes"]) == 1 else f"a{k}.m{j}"
                        if len(act["modes"]) == 1 or model[name].index in chosen:
                            used += mode["amounts"][r]
                assert used <= cap
            before = plan.path_measure(choice)[0]
            after = plan.path_measure(better)[0]
            assert after <= before
            shortened += after[0] < before[0]
    assert shortened >= 20, shortened
