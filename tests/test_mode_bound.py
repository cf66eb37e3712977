"""The modes' makespan bound (smtsched.sched.mode_bound) against enumeration.

Random multi-mode models are built as the psplib reader builds them (a main task as long as
its shortest mode, optional options that start with it, each arc from the main task and from
every option, non-renewable budgets over the options). The oracle here, sharing no code with
smtsched, enumerates every choice of modes that fits the budgets and takes the least longest
path over them: a relaxation of the model (renewable resources left out), so at most the
optimum. The bound must never exceed it; on chains it must equal it (the bound is exact
there), and on many models it must exceed the single-mode bounds (the point of it). A few
models are solved to the end and compared with an optimum found by enumerating every mode
choice and every activity list through a serial schedule (Kolisch 1996: with minimum lags
only, some optimal schedule is an active one, and the serial scheme makes every active one).
"""
import itertools
import random

from smtsched.sched import bounds, mode_bound
from smtsched.sched.model import Model
from smtsched.sched.result import INFEASIBLE, OPTIMAL


def random_spec(rng, chain=False, renewable=False):
    n = rng.randint(2, 5)
    d = rng.randint(0, 2)
    acts = []
    for _ in range(n):
        modes = []
        for _ in range(rng.randint(1, 3)):
            modes.append({"duration": rng.randint(0, 5),
                          "amounts": [rng.randint(0, 5) for _ in range(d)],
                          "demand": rng.randint(0, 2)})
        acts.append({"release": rng.choice([0, 0, 0, 1, 3]), "modes": modes})
    if chain:
        arcs = [(i, i + 1, rng.randint(0, 2)) for i in range(n - 1)]
    else:
        arcs = [(i, j, rng.randint(0, 2)) for i in range(n) for j in range(i + 1, n)
                if rng.random() < 0.4]
    capacities = [rng.randint(0, 4 * n) for _ in range(d)]
    return {"acts": acts, "arcs": arcs, "capacities": capacities,
            "renewable": rng.randint(2, 3) if renewable else None}


def build(spec):
    m = Model("modes")
    mains, options = [], []
    for k, act in enumerate(spec["acts"]):
        modes = act["modes"]
        if len(modes) == 1:
            t = m.task(f"a{k}", modes[0]["duration"], release=act["release"])
            mains.append(t)
            options.append([t])
            continue
        main = m.task(f"a{k}", min(md["duration"] for md in modes), release=act["release"])
        opts = [m.task(f"a{k}.m{j}", md["duration"], release=act["release"], optional=True)
                for j, md in enumerate(modes)]
        m.alternative(main, opts)
        mains.append(main)
        options.append(opts)
    for i, j, lag in spec["arcs"]:
        m.precedence(mains[i], mains[j], min_lag=lag)
        if len(options[i]) > 1:
            for o in options[i]:
                m.precedence(o, mains[j], min_lag=lag)
    for r, capacity in enumerate(spec["capacities"]):
        consumption = [(o, act["modes"][j]["amounts"][r])
                       for opts, act in zip(options, spec["acts"]) for j, o in enumerate(opts)]
        m.nonrenewable(consumption, capacity, name=f"N{r}")
    if spec["renewable"] is not None:
        demands = [(o, act["modes"][j]["demand"])
                   for opts, act in zip(options, spec["acts"]) for j, o in enumerate(opts)]
        m.cumulative(demands, spec["renewable"], name="R")
    m.minimize_makespan()
    return m


def fitting_choices(spec):
    acts, caps = spec["acts"], spec["capacities"]
    for choice in itertools.product(*(range(len(a["modes"])) for a in acts)):
        if all(sum(a["modes"][c]["amounts"][r] for a, c in zip(acts, choice)) <= cap
               for r, cap in enumerate(caps)):
            yield choice


def longest_path(spec, choice):
    acts = spec["acts"]
    start = [a["release"] for a in acts]
    for j in range(len(acts)):   # arcs go from i to j > i: this is a topological order
        for i, jj, lag in spec["arcs"]:
            if jj == j:
                start[j] = max(start[j], start[i] + acts[i]["modes"][choice[i]]["duration"] + lag)
    return max(s + a["modes"][c]["duration"] for s, a, c in zip(start, acts, choice))


def relaxation(spec):
    """The least longest path over the choices that fit the budgets (None: none fits)."""
    values = [longest_path(spec, c) for c in fitting_choices(spec)]
    return min(values) if values else None


def test_the_bound_is_at_most_the_relaxation_and_exact_on_chains():
    rng = random.Random(20261208)
    above = exact_chains = chains = 0
    for k in range(600):
        chain = k % 3 == 0
        spec = random_spec(rng, chain=chain)
        model = build(spec)
        bound = mode_bound.makespan_bound(model)
        best = relaxation(spec)
        if best is None:
            assert bound == 0, spec   # no claim on a model no choice fits
            continue
        assert bound <= best, (spec, bound, best)
        if chain and model.alternatives:
            chains += 1
            exact_chains += bound == best
            # exact on a chain (one arc per pair of neighbours, lags >= 0: the last ends last)
            assert bound == best, (spec, bound, best)
        above += bound > bounds.makespan_lower_bound(model)
    assert chains >= 100 and exact_chains == chains
    assert above >= 30, above   # the budgets raise the bound on many models


def serial_optimum(spec):
    """The least makespan over every fitting mode choice and every activity list (serial
    schedule generation, one renewable resource); None when no choice fits."""
    acts, cap = spec["acts"], spec["renewable"]
    n = len(acts)
    preds = {j: [(i, lag) for i, jj, lag in spec["arcs"] if jj == j] for j in range(n)}
    best = None
    for choice in fitting_choices(spec):
        mode = [a["modes"][c] for a, c in zip(acts, choice)]
        if any(md["demand"] > cap and md["duration"] > 0 for md in mode):
            continue
        for order in itertools.permutations(range(n)):
            if any(order.index(i) > order.index(j) for j in range(n) for i, _ in preds[j]):
                continue
            start, load = {}, {}
            for j in order:
                t = max([acts[j]["release"]] + [start[i] + mode[i]["duration"] + lag
                                                 for i, lag in preds[j]])
                d, q = mode[j]["duration"], mode[j]["demand"]
                while any(load.get(u, 0) + q > cap for u in range(t, t + d)):
                    t += 1
                for u in range(t, t + d):
                    load[u] = load.get(u, 0) + q
                start[j] = t
            value = max(start[j] + mode[j]["duration"] for j in range(n))
            best = value if best is None else min(best, value)
    return best


def test_solving_small_models_reaches_the_enumerated_optimum():
    rng = random.Random(7)
    raised = 0
    for _ in range(80):
        spec = random_spec(rng, renewable=True)
        model = build(spec)
        optimum = serial_optimum(spec)
        result = model.solve()
        if optimum is None:
            assert result.status == INFEASIBLE, spec
            continue
        assert result.status == OPTIMAL and result.objective == optimum, (spec, optimum)
        assert mode_bound.makespan_bound(model) <= optimum
        raised += mode_bound.makespan_bound(model) > bounds.makespan_lower_bound(model)
    assert raised >= 3, raised


def test_what_the_bound_leaves_alone():
    # no alternatives, another objective, a cycle of lags: 0
    m = Model("plain")
    a, b = m.task("a", 3), m.task("b", 2)
    m.precedence(a, b)
    m.minimize_makespan()
    assert mode_bound.makespan_bound(m) == 0
    spec = {"acts": [{"release": 0, "modes": [{"duration": 1, "amounts": [3], "demand": 0},
                                             {"duration": 5, "amounts": [0], "demand": 0}]},
                     {"release": 0, "modes": [{"duration": 2, "amounts": [3], "demand": 0},
                                             {"duration": 4, "amounts": [0], "demand": 0}]}],
            "arcs": [(0, 1, 0)], "capacities": [3], "renewable": None}
    model = build(spec)
    # one of the two must take its long mode: 1 + 4 or 5 + 2
    assert mode_bound.makespan_bound(model) == 5 == relaxation(spec)
    assert bounds.makespan_lower_bound(model) == 3
    model.precedence(model["a1"], model["a0"], min_lag=-10)   # a cycle of lags
    assert mode_bound.makespan_bound(model) == 0


def test_numbers_beyond_int64_give_no_bound():
    # (found by test_sched_regressions' 400-digit flexible job shop: numpy's int64 overflowed)
    huge = int("7" * 400)
    spec = {"acts": [{"release": 0, "modes": [{"duration": 1, "amounts": [3], "demand": 0},
                                             {"duration": huge, "amounts": [0], "demand": 0}]},
                     {"release": 0, "modes": [{"duration": 2, "amounts": [3], "demand": 0},
                                             {"duration": 4, "amounts": [0], "demand": 0}]}],
            "arcs": [(0, 1, 0)], "capacities": [3], "renewable": None}
    assert mode_bound.makespan_bound(build(spec)) == 0
    spec["acts"][0]["modes"][1]["duration"] = 5
    assert mode_bound.makespan_bound(build(spec)) == 5
