"""The mode-choice test before any search (smtsched.sched.mode_choice): with two or more
non-renewable resources, no choice of options fits them all at once although each fits alone.

The oracle enumerates every choice (one option per alternative, present or absent for a free
optional task) and sums the amounts itself; it shares no code with smtsched. The claim that
decides INFEASIBLE must never be made of a model some choice fits; on these models (no task
in two alternatives, no frontier cap reached) the test is also exact, so it must find every
model no choice fits."""
import itertools
import random

import pytest

from smtsched.sched import mode_choice
from smtsched.sched.model import Model
from smtsched.sched.result import INFEASIBLE, OPTIMAL

MODELS = 600


def random_model(rng):
    """(model, groups, capacities): groups[g] lists the amount vectors one choice takes."""
    m = Model("modes")
    resources = rng.randint(2, 3)
    groups, consumption = [], [dict() for _ in range(resources)]
    for j in range(rng.randint(1, 5)):
        kind = rng.random()
        if kind < 0.7:   # an activity with modes
            main = m.task(f"j{j}", duration=0)
            options = [m.task(f"j{j}m{k}", duration=rng.randint(1, 4), optional=True)
                       for k in range(rng.randint(1, 3))]
            m.alternative(main, options)
            vectors = []
            for o in options:
                v = [rng.randint(0, 6) for _ in range(resources)]
                for r, a in enumerate(v):
                    consumption[r][o] = a
                vectors.append(v)
            groups.append(vectors)
        else:            # a mandatory or a free optional task
            optional = kind > 0.85
            t = m.task(f"t{j}", duration=rng.randint(1, 3), optional=optional)
            v = [rng.randint(0, 4) for _ in range(resources)]
            for r, a in enumerate(v):
                consumption[r][t] = a
            groups.append([v, [0] * resources] if optional else [v])
    capacities = [rng.randint(0, 14) for _ in range(resources)]
    for r, capacity in enumerate(capacities):
        m.nonrenewable(consumption[r], capacity, name=f"N{r}")
    m.minimize_makespan()
    return m, groups, capacities


def some_choice_fits(groups, capacities):
    for choice in itertools.product(*groups):
        if all(sum(v[r] for v in choice) <= c for r, c in enumerate(capacities)):
            return True
    return False


def each_fits_alone(groups, capacities):
    return all(sum(min(v[r] for v in g) for g in groups) <= c for r, c in enumerate(capacities))


def test_the_mode_choice_test_is_exact_against_enumeration():
    rng = random.Random(20261207)
    claimed = joint_only = 0
    for _ in range(MODELS):
        m, groups, capacities = random_model(rng)
        fits = some_choice_fits(groups, capacities)
        answer = mode_choice.infeasible_resources(m)
        assert (answer is not None) == (not fits), (groups, capacities, answer)
        claimed += answer is not None
        joint_only += answer is not None and each_fits_alone(groups, capacities)
    # both kinds of model occur, and infeasibility only the joint test sees
    assert 30 <= claimed <= MODELS - 30, claimed
    assert joint_only >= 8, joint_only


def test_solving_answers_infeasible_from_the_joint_test_and_the_certificate_verifies(tmp_path):
    """Two activities: A takes 5 of N0 or 5 of N1, so does B; capacities 6 and 4: A and B
    cannot both take N0 (10 > 6) nor both N1 (10 > 4) nor one each (5 > 4 for N1's)."""
    from smtsched.certify import check as certificate_check
    m = Model("joint")
    modes = {}
    for name in "AB":
        main = m.task(name, duration=0)
        modes[name] = [m.task(f"{name}0", 2, optional=True), m.task(f"{name}1", 3, optional=True)]
        m.alternative(main, modes[name])
    m.nonrenewable({modes["A"][0]: 5, modes["B"][0]: 5}, 6, name="N0")
    m.nonrenewable({modes["A"][1]: 5, modes["B"][1]: 5}, 4, name="N1")
    m.minimize_makespan()
    assert mode_choice.infeasible_resources(m) == ["N0", "N1"]
    r = m.solve(proof=str(tmp_path / "proof"))
    assert r.status == INFEASIBLE and "at once" in r.reason
    # the claim is the mode-choice test's (its reason), with or without a certificate; the
    # search alone also answers INFEASIBLE here, without a reason (checked when writing this)
    plain = m.solve()
    assert plain.status == INFEASIBLE and "at once" in plain.reason, plain.reason
    assert r.certificate is not None, r.certificate_note
    assert certificate_check(r.certificate).ok
    # one unit more of N1: B (or A) takes N1 alone, the other N0
    m2 = Model("joint-fits")
    for name in "AB":
        main = m2.task(name, duration=0)
        modes[name] = [m2.task(f"{name}0", 2, optional=True), m2.task(f"{name}1", 3, optional=True)]
        m2.alternative(main, modes[name])
    m2.nonrenewable({modes["A"][0]: 5, modes["B"][0]: 5}, 6, name="N0")
    m2.nonrenewable({modes["A"][1]: 5, modes["B"][1]: 5}, 5, name="N1")
    m2.minimize_makespan()
    assert mode_choice.infeasible_resources(m2) is None
    r2 = m2.solve()
    assert r2.status == OPTIMAL and r2.objective == 3


def test_a_task_in_two_alternatives_is_not_judged():
    m = Model("shared")
    a, b = m.task("a", 0), m.task("b", 0)
    shared = m.task("s", 1, optional=True)
    other = m.task("o", 1, optional=True)
    m.alternative(a, [shared, other])
    m.alternative(b, [shared])
    m.nonrenewable({shared: 5}, 4, name="N0")
    m.nonrenewable({other: 5}, 4, name="N1")
    assert mode_choice.infeasible_resources(m) is None
