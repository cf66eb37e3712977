"""An oracle for smtsched.sched models that shares no code with smtsched (issue 14): random
model specifications drawn from everything the Model API accepts, a builder that turns one
into a smtsched Model, a schedule checker and objective written from the API's documentation,
a brute-force optimum for tiny models and an independent CP-SAT model for larger ones.

A specification is plain data, read by the oracles directly (never through smtsched's Model):

    tasks        [(duration, release, deadline or None, optional)]
    precedences  [(before, after, min_lag, max_lag or None)]   start(after) - end(before) in
                                                               [min_lag, max_lag], when both
                                                               tasks are present
    alternatives [(task, [options])]      exactly one option present, starting with the task
    resources    [(capacity, [(task, demand)], unary)]   at every instant the demands of the
                                                         present running tasks fit
    memories     [(capacity or None, [(size, producer or None, [consumers], until_end)])]
                 a buffer is live over [alloc, free): alloc = its producer's start (0 without
                 one), free = the latest end of its producer and present consumers (alloc when
                 there are none), never freed when until_end; the live bytes fit the capacity
    horizon      None or an upper bound on every present task's end
    objective    ("none",), ("makespan",), ("peak", memory), ("wc", weights or None),
                 ("wt", dues, weights or None)          weights/dues: {task: value}

Semantics of the documentation (README, Model docstrings): absent optional tasks constrain
nothing and count for nothing; the makespan is the latest present end (0 when none); weighted
completion sums weight * end; weighted tardiness sums weight * max(0, end - due) over the tasks
with a due date; weights default to 1 for every task, and a task missing from a weights map
weighs 0; the peak of a memory is the most live bytes at one instant.
"""
import itertools

import numpy as np
from hypothesis import strategies as st

INF = 10 ** 9


# ------------------------------------------------------------------------------ the models

@st.composite
def specs(draw, min_tasks=2, max_tasks=4, max_duration=3, max_lag=3, max_release=3,
          memory=False):
    """A random specification; each feature is switched on with probability about 1/2, so
    most models combine several of them. `memory`: always memories and precedences, and the
    peak as the objective or a capacity (where the static liveness decisions are made)."""
    flags = {f: draw(st.booleans()) for f in ("optional", "alternative", "deadline", "horizon",
                                              "resource", "memory", "release")}
    flags["precedence"] = draw(st.integers(0, 3)) > 0
    objective_kind = draw(st.sampled_from(["none", "makespan", "peak", "peak", "wc", "wt"]))
    if memory:
        flags["memory"] = flags["precedence"] = True
        objective_kind = draw(st.sampled_from(["peak", "peak", "makespan", "none"]))
    weighted = objective_kind in ("wc", "wt")
    n = draw(st.integers(min_tasks, max_tasks))
    tasks = []
    for _ in range(n):
        d = draw(st.integers(0, max_duration))
        r = draw(st.integers(0, max_release)) if flags["release"] else 0
        dl = r + d + draw(st.integers(0, 2 * max_duration)) \
            if flags["deadline"] and draw(st.booleans()) else None
        opt = flags["optional"] and not weighted and draw(st.booleans())
        tasks.append((d, r, dl, opt))
    mandatory = [i for i in range(n) if not tasks[i][3]]
    optional = [i for i in range(n) if tasks[i][3]]
    alternatives = []
    if flags["alternative"] and mandatory and optional:
        free = list(optional)
        for _ in range(draw(st.integers(1, 2))):
            if not free:
                break
            main = draw(st.sampled_from(mandatory))
            k = draw(st.integers(1, min(2, len(free))))
            options = draw(st.permutations(free))[:k]
            free = [o for o in free if o not in options]
            alternatives.append((main, sorted(options)))
    precedences = []
    index = st.integers(0, max(0, n - 1))  # n may be 0: then no task is ever drawn
    if flags["precedence"] and n:
        for _ in range(draw(st.integers(1, 4))):
            a, b = draw(index), draw(index)
            if draw(st.integers(0, 5)):
                # mostly forward (a cycle or a self-loop, which can be feasible with
                # negative lags, in one draw out of six)
                a, b = min(a, b), max(a, b)
                if a == b:
                    continue
            lo = draw(st.integers(-2 * max_lag, max_lag))
            hi = lo + draw(st.integers(0, 4)) if draw(st.booleans()) else None
            precedences.append((a, b, lo, hi))
    resources = []
    if flags["resource"] and n:
        for _ in range(draw(st.integers(1, 2))):
            members = sorted(set(draw(st.lists(index, min_size=1, max_size=n))))
            if draw(st.booleans()):
                resources.append((1, [(t, 1) for t in members], True))
            else:
                cap = draw(st.integers(1, 3))
                demands = [(t, draw(st.integers(0, cap + (1 if tasks[t][3] else 0))))
                           for t in members]
                resources.append((cap, demands, False))
    memories = []
    if flags["memory"] or objective_kind == "peak":
        for _ in range(draw(st.integers(1, 2))):
            buffers = []
            sizes = st.sampled_from([0, 1, 2, 3, 5, 8])
            if draw(st.booleans()):
                # dataflow, as in an operator graph: a task's output is read by the tasks its
                # precedences lead to, so liveness and the precedences (of either sign) meet
                for i in mandatory:
                    if draw(st.integers(0, 3)):
                        readers = {b for a, b, _, _ in precedences if a == i and b != i}
                        if draw(st.integers(0, 3)) == 0:
                            readers.add(draw(index))
                        buffers.append((draw(sizes), i, sorted(readers),
                                        draw(st.integers(0, 5)) == 0))
                if n and draw(st.booleans()):
                    buffers.append((draw(sizes), None, [draw(index)], False))
            while not buffers or (len(buffers) < 3 and draw(st.booleans())):
                producer = draw(st.sampled_from(mandatory)) \
                    if mandatory and draw(st.integers(0, 3)) else None
                consumers = sorted(set(draw(st.lists(index, max_size=2 if n else 0))))
                buffers.append((draw(sizes), producer, consumers, draw(st.integers(0, 4)) == 0))
            total = sum(b[0] for b in buffers)
            cap = draw(st.integers(max(0, total - 6), total)) \
                if draw(st.booleans()) or (memory and objective_kind != "peak") else None
            memories.append((cap, buffers))
    horizon = None
    if flags["horizon"]:
        total = sum(t[0] for t in tasks)
        horizon = draw(st.integers(max(0, total - 2), total + max_release + 4))
    if objective_kind == "peak":
        objective = ("peak", draw(st.integers(0, len(memories) - 1)))
    elif weighted:
        weights = None if draw(st.booleans()) else {
            i: draw(st.integers(0, 3)) for i in range(n) if draw(st.integers(0, 4))}
        if objective_kind == "wc":
            objective = ("wc", weights)
        else:
            dues = {i: draw(st.integers(-2, 8)) for i in range(n) if draw(st.integers(0, 3))}
            objective = ("wt", dues, weights)
    else:
        objective = (objective_kind,)
    return dict(tasks=tasks, precedences=precedences, alternatives=alternatives,
                resources=resources, memories=memories, horizon=horizon, objective=objective)


@st.composite
def dense_specs(draw, min_tasks=7, max_tasks=11):
    """Resource-bound models where the optimiser has to search (probes, refutations, the
    theories' conflicts): 1-3 machines or cumulative resources over most tasks, precedences
    with lags of either sign, dataflow buffers, and every objective; durations 1-8."""
    n = draw(st.integers(min_tasks, max_tasks))
    kind = draw(st.sampled_from(["makespan", "wc", "wt", "peak"]))
    optional_ok = kind in ("makespan", "peak") and draw(st.booleans())
    tasks = [(draw(st.integers(1, 8)), draw(st.sampled_from([0, 0, 0, 2, 5])), None,
              optional_ok and draw(st.integers(0, 4)) == 0) for _ in range(n)]
    mandatory = [i for i in range(n) if not tasks[i][3]]
    precedences = []
    for _ in range(draw(st.integers(0, n))):
        a, b = sorted(draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2,
                                    unique=True)))
        lo = draw(st.integers(-6, 3))
        hi = lo + draw(st.integers(0, 8)) if draw(st.integers(0, 3)) == 0 else None
        precedences.append((a, b, lo, hi))
    resources = []
    for _ in range(draw(st.integers(1, 3))):
        members = sorted(set(draw(st.lists(st.integers(0, n - 1), min_size=3, max_size=n))))
        if draw(st.booleans()):
            resources.append((1, [(t, 1) for t in members], True))
        else:
            cap = draw(st.integers(2, 4))
            resources.append((cap, [(t, draw(st.integers(1, cap))) for t in members], False))
    memories = []
    if kind == "peak" or draw(st.booleans()):
        buffers = []
        for i in mandatory:
            readers = sorted({b for a, b, _, _ in precedences if a == i})
            buffers.append((draw(st.integers(1, 9)), i, readers, draw(st.integers(0, 6)) == 0))
        total = sum(b[0] for b in buffers)
        cap = None if kind == "peak" or draw(st.booleans()) else \
            draw(st.integers(total // 3, total))
        memories.append((cap, buffers))
    if kind == "peak":
        objective = ("peak", 0)
    elif kind == "wc":
        objective = ("wc", {i: draw(st.integers(0, 4)) for i in range(n)})
    elif kind == "wt":
        objective = ("wt", {i: draw(st.integers(0, 25)) for i in range(n)}, None)
    else:
        objective = ("makespan",)
    horizon = draw(st.sampled_from([None, None, sum(t[0] for t in tasks)]))
    return dict(tasks=tasks, precedences=precedences, alternatives=[], resources=resources,
                memories=memories, horizon=horizon, objective=objective)


def build(spec):
    """The specification as a smtsched Model (and its Task objects by index)."""
    from smtsched.sched import Model
    m = Model("fuzz")
    tasks = [m.task(f"t{i}", d, release=r, deadline=dl, optional=opt)
             for i, (d, r, dl, opt) in enumerate(spec["tasks"])]
    for a, b, lo, hi in spec["precedences"]:
        m.precedence(tasks[a], tasks[b], min_lag=lo, max_lag=hi)
    for main, options in spec["alternatives"]:
        m.alternative(tasks[main], [tasks[o] for o in options])
    for cap, demands, unary in spec["resources"]:
        if unary:
            m.unary([tasks[t] for t, _ in demands])
        else:
            m.cumulative([(tasks[t], d) for t, d in demands], cap)
    memories = []
    for cap, buffers in spec["memories"]:
        mem = m.memory(capacity=cap)
        memories.append(mem)
        for size, producer, consumers, until_end in buffers:
            m.buffer(mem, size, None if producer is None else tasks[producer],
                     [tasks[c] for c in consumers], until_end=until_end)
    if spec["horizon"] is not None:
        m.set_horizon(spec["horizon"])
    kind = spec["objective"][0]
    if kind == "makespan":
        m.minimize_makespan()
    elif kind == "peak":
        m.minimize_peak_memory(memories[spec["objective"][1]])
    elif kind == "wc":
        weights = spec["objective"][1]
        m.minimize_weighted_completion(
            None if weights is None else {tasks[i]: w for i, w in weights.items()})
    elif kind == "wt":
        dues, weights = spec["objective"][1:]
        m.minimize_weighted_tardiness(
            {tasks[i]: due for i, due in dues.items()},
            None if weights is None else {tasks[i]: w for i, w in weights.items()})
    return m, tasks


def describe(spec):
    """The specification as the Model calls that build it (for a regression test)."""
    lines = ["m = Model()"]
    for i, (d, r, dl, opt) in enumerate(spec["tasks"]):
        extra = (f", release={r}" if r else "") + (f", deadline={dl}" if dl is not None else "") \
            + (", optional=True" if opt else "")
        lines.append(f"t{i} = m.task('t{i}', {d}{extra})")
    for a, b, lo, hi in spec["precedences"]:
        lines.append(f"m.precedence(t{a}, t{b}, min_lag={lo}, max_lag={hi})")
    for main, options in spec["alternatives"]:
        lines.append(f"m.alternative(t{main}, [{', '.join(f't{o}' for o in options)}])")
    for cap, demands, unary in spec["resources"]:
        if unary:
            lines.append(f"m.unary([{', '.join(f't{t}' for t, _ in demands)}])")
        else:
            pairs = ", ".join(f"(t{t}, {d})" for t, d in demands)
            lines.append(f"m.cumulative([{pairs}], {cap})")
    for k, (cap, buffers) in enumerate(spec["memories"]):
        lines.append(f"mem{k} = m.memory(capacity={cap})")
        for size, producer, consumers, until_end in buffers:
            prod = "None" if producer is None else f"t{producer}"
            readers = ", ".join(f"t{c}" for c in consumers)
            lines.append(f"m.buffer(mem{k}, {size}, {prod}, [{readers}], until_end={until_end})")
    if spec["horizon"] is not None:
        lines.append(f"m.set_horizon({spec['horizon']})")
    lines.append(f"# objective {spec['objective']}")
    return "\n".join(lines)


# ----------------------------------------------------------------- checker and objective

def ends_of(spec, starts):
    return [s + t[0] for s, t in zip(starts, spec["tasks"])]


def live_intervals(spec, buffers, starts, present):
    out = []
    for size, producer, consumers, until_end in buffers:
        alloc = 0 if producer is None else starts[producer]
        if until_end:
            free = INF
        else:
            ends = [starts[c] + spec["tasks"][c][0] for c in consumers if present[c]]
            if producer is not None:
                ends.append(alloc + spec["tasks"][producer][0])
            free = max(ends, default=alloc)
        out.append((alloc, free, size))
    return out


def peak(spec, k, starts, present):
    """The most live bytes of memory k at one instant: the use only rises at an allocation."""
    intervals = live_intervals(spec, spec["memories"][k][1], starts, present)
    return max((sum(s for a, f, s in intervals if a <= x < f) for x, _, _ in intervals),
               default=0)


def violations(spec, starts, present):
    """What the schedule breaks (empty: valid), from the specification alone."""
    out = []
    tasks = spec["tasks"]
    for i, (d, r, dl, opt) in enumerate(tasks):
        if not present[i]:
            if not opt:
                out.append(f"t{i} is mandatory and absent")
            continue
        s = starts[i]
        if not isinstance(s, int) or isinstance(s, bool):
            out.append(f"t{i} has no integer start")
            continue
        if s < r:
            out.append(f"t{i} starts before its release")
        if dl is not None and s + d > dl:
            out.append(f"t{i} ends after its deadline")
        if spec["horizon"] is not None and s + d > spec["horizon"]:
            out.append(f"t{i} ends after the horizon")
    for a, b, lo, hi in spec["precedences"]:
        if present[a] and present[b]:
            gap = starts[b] - starts[a] - tasks[a][0]
            if gap < lo or (hi is not None and gap > hi):
                out.append(f"lag t{a} -> t{b} is {gap}, not in [{lo}, {hi}]")
    for main, options in spec["alternatives"]:
        chosen = [o for o in options if present[o]]
        if len(chosen) != 1:
            out.append(f"t{main} has {len(chosen)} options present")
        elif starts[chosen[0]] != starts[main]:
            out.append(f"t{chosen[0]} does not start with t{main}")
    for k, (cap, demands, _) in enumerate(spec["resources"]):
        running = [(starts[t], starts[t] + tasks[t][0], dem) for t, dem in demands
                   if present[t] and tasks[t][0] > 0 and dem > 0]
        for x, _, _ in running:
            if sum(dem for s, e, dem in running if s <= x < e) > cap:
                out.append(f"resource {k} overloaded at {x}")
                break
    for k, (cap, _) in enumerate(spec["memories"]):
        if cap is not None and peak(spec, k, starts, present) > cap:
            out.append(f"memory {k} over its capacity")
    return out


def objective(spec, starts, present):
    kind = spec["objective"][0]
    tasks = spec["tasks"]
    if kind == "none":
        return None
    if kind == "makespan":
        return max((starts[i] + t[0] for i, t in enumerate(tasks) if present[i]), default=0)
    if kind == "peak":
        return peak(spec, spec["objective"][1], starts, present)
    weights = spec["objective"][-1]
    if weights is None:
        weights = {i: 1 for i in range(len(tasks))}
    if kind == "wc":
        return sum(w * (starts[i] + tasks[i][0]) for i, w in weights.items())
    dues = spec["objective"][1]
    return sum(w * max(0, starts[i] + tasks[i][0] - dues[i])
               for i, w in weights.items() if i in dues)


# --------------------------------------------------------------------------- brute force

def start_bound(spec):
    """B: if the model has a schedule, it has an optimal one with every start in [0, B].

    Compression argument: take a schedule and an integer t >= 1 such that no present task runs
    over [t - 1, t). Moving every present task that starts at t or later one unit earlier
    keeps the order of all events, so it keeps resources, alternatives and maximum lags
    between tasks on one side, and it does not raise the makespan, any completion or
    tardiness, or the live bytes at any instant (a buffer live at x afterwards was live at x
    or x + 1 before). It breaks the schedule only when some moved task would start before its
    release (t <= max release), or a minimum lag from a task before t to one at t or later is
    tight (t within (s_a, s_b], at most d_a + min_lag values of t), or a maximum lag from a
    moved task back to an unmoved one is tight (at most -(d_a + max_lag) values of t). Move
    while some t is free; each move lowers the sum of starts, so it ends, at a schedule no
    worse in which every t in [1, max start] is blocked by one of these, whence
    max start <= max release + sum of durations + the lag terms."""
    tasks = spec["tasks"]
    bound = max((t[1] for t in tasks), default=0) + sum(t[0] for t in tasks)
    for a, _, lo, hi in spec["precedences"]:
        bound += max(0, tasks[a][0] + lo)
        if hi is not None:
            bound += max(0, -(tasks[a][0] + hi))
    return bound


def _presences(spec):
    tasks = spec["tasks"]
    optional = [i for i, t in enumerate(tasks) if t[3]]
    for choice in itertools.product((False, True), repeat=len(optional)):
        present = [True] * len(tasks)
        for i, c in zip(optional, choice):
            present[i] = c
        if all(sum(present[o] for o in options) == 1 for _, options in spec["alternatives"]):
            yield present


def grid_size(spec):
    """How many start vectors the brute force enumerates (all tasks present, the worst)."""
    bound = start_bound(spec)
    size = 1
    for d, r, dl, _ in spec["tasks"]:
        size *= max(0, _latest(spec, d, dl, bound) - r + 1)
    return size


def _latest(spec, d, dl, bound):
    latest = bound
    if dl is not None:
        latest = min(latest, dl - d)
    if spec["horizon"] is not None:
        latest = min(latest, spec["horizon"] - d)
    return latest


def brute_force(spec, values=None):
    """(optimum, starts, present) over every schedule with starts in [0, B] (None, None,
    None when there is none); for a model without an objective the optimum is 0.
    `values`: a function (S, present) -> the value of each row of S (start vectors) to
    minimise instead of the objective; the minimum over [0, B] is the true one when the
    value does not rise when tasks move earlier as in start_bound's compression (a start,
    the makespan minus a start, the makespan, a weighted sum of ends, a peak)."""
    tasks = spec["tasks"]
    n = len(tasks)
    bound = start_bound(spec)
    best = (None, None, None)
    for present in _presences(spec):
        domains = []
        for i, (d, r, dl, _) in enumerate(tasks):
            if present[i]:
                domains.append(np.arange(r, _latest(spec, d, dl, bound) + 1))
            else:
                domains.append(np.zeros(1, dtype=np.int64))
        if any(len(x) == 0 for x in domains):
            continue
        S = np.stack([g.ravel() for g in np.meshgrid(*domains, indexing="ij")], axis=1) \
            if n else np.zeros((1, 0), dtype=np.int64)
        ok = _valid_rows(spec, S, present)
        if not ok.any():
            continue
        S = S[ok]
        value = objective_rows(spec, S, present) if values is None else values(S, present)
        k = int(np.argmin(value))
        if best[0] is None or value[k] < best[0]:
            best = (int(value[k]), [int(x) for x in S[k]], list(present))
    return best


def _valid_rows(spec, S, present):
    tasks = spec["tasks"]
    dur = np.array([t[0] for t in tasks], dtype=np.int64)
    ok = np.ones(len(S), dtype=bool)
    for a, b, lo, hi in spec["precedences"]:
        if present[a] and present[b]:
            gap = S[:, b] - S[:, a] - dur[a]
            ok &= gap >= lo
            if hi is not None:
                ok &= gap <= hi
    for main, options in spec["alternatives"]:
        for o in options:
            if present[o]:
                ok &= S[:, o] == S[:, main]
    for cap, demands, _ in spec["resources"]:
        items = [(t, dem) for t, dem in demands if present[t] and dur[t] > 0 and dem > 0]
        for k, _ in items:
            load = np.zeros(len(S), dtype=np.int64)
            for i, dem in items:
                load += dem * ((S[:, i] <= S[:, k]) & (S[:, k] < S[:, i] + dur[i]))
            ok &= load <= cap
    for k, (cap, _) in enumerate(spec["memories"]):
        if cap is not None:
            ok &= peak_rows(spec, k, S, present) <= cap
    return ok


def peak_rows(spec, k, S, present):
    dur = [t[0] for t in spec["tasks"]]
    intervals = []
    for size, producer, consumers, until_end in spec["memories"][k][1]:
        alloc = np.zeros(len(S), dtype=np.int64) if producer is None else S[:, producer]
        if until_end:
            free = np.full(len(S), INF, dtype=np.int64)
        else:
            ends = [S[:, c] + dur[c] for c in consumers if present[c]]
            if producer is not None:
                ends.append(alloc + dur[producer])
            free = np.max(ends, axis=0) if ends else alloc
        intervals.append((alloc, free, size))
    best = np.zeros(len(S), dtype=np.int64)
    for x, _, _ in intervals:
        use = np.zeros(len(S), dtype=np.int64)
        for alloc, free, size in intervals:
            use += size * ((alloc <= x) & (x < free))
        best = np.maximum(best, use)
    return best


def objective_rows(spec, S, present):
    kind = spec["objective"][0]
    tasks = spec["tasks"]
    dur = np.array([t[0] for t in tasks], dtype=np.int64)
    if kind == "none":
        return np.zeros(len(S), dtype=np.int64)
    if kind == "makespan":
        ends = [S[:, i] + dur[i] for i in range(len(tasks)) if present[i]]
        return np.max(ends, axis=0) if ends else np.zeros(len(S), dtype=np.int64)
    if kind == "peak":
        return peak_rows(spec, spec["objective"][1], S, present)
    weights = spec["objective"][-1]
    if weights is None:
        weights = {i: 1 for i in range(len(tasks))}
    total = np.zeros(len(S), dtype=np.int64)
    for i, w in weights.items():
        end = S[:, i] + dur[i]
        if kind == "wc":
            total += w * end
        elif i in spec["objective"][1]:
            total += w * np.maximum(0, end - spec["objective"][1][i])
    return total


# ------------------------------------------------------------------------ CP-SAT oracle

def cp_sat(spec, time_limit=20.0):
    """(status, optimum): ("optimal", value), ("infeasible", None) or ("unknown", None), from
    an OR-tools CP-SAT model of the specification written here (one worker: deterministic).
    Starts range over [0, B] (start_bound: a window that holds an optimum); a buffer's end of
    life is a variable at least every present end (a later one only hurts the model, so the
    optimum is the exact one); live bytes are summed at every allocation instant."""
    from ortools.sat.python import cp_model
    tasks = spec["tasks"]
    n = len(tasks)
    bound = start_bound(spec)
    big = bound + sum(t[0] for t in tasks) + 1
    m = cp_model.CpModel()
    s = [m.NewIntVar(0, bound, f"s{i}") for i in range(n)]
    p = [m.NewBoolVar(f"p{i}") if t[3] else m.NewConstant(1) for i, t in enumerate(tasks)]
    for i, (d, r, dl, _) in enumerate(tasks):
        m.Add(s[i] >= r).OnlyEnforceIf(p[i])
        if dl is not None:
            m.Add(s[i] + d <= dl).OnlyEnforceIf(p[i])
        if spec["horizon"] is not None:
            m.Add(s[i] + d <= spec["horizon"]).OnlyEnforceIf(p[i])
    for a, b, lo, hi in spec["precedences"]:
        m.Add(s[b] - s[a] - tasks[a][0] >= lo).OnlyEnforceIf([p[a], p[b]])
        if hi is not None:
            m.Add(s[b] - s[a] - tasks[a][0] <= hi).OnlyEnforceIf([p[a], p[b]])
    for main, options in spec["alternatives"]:
        m.Add(sum(p[o] for o in options) == 1)
        for o in options:
            m.Add(s[o] == s[main]).OnlyEnforceIf(p[o])
    for cap, demands, _ in spec["resources"]:
        intervals, loads = [], []
        for t, dem in demands:
            d = tasks[t][0]
            if d == 0 or dem == 0:
                continue
            if dem > cap:
                m.Add(p[t] == 0)
                continue
            intervals.append(m.NewOptionalIntervalVar(s[t], d, s[t] + d, p[t], f"i{t}"))
            loads.append(dem)
        if intervals:
            m.AddCumulative(intervals, loads, cap)
    peaks = []
    for k, (cap, buffers) in enumerate(spec["memories"]):
        alloc, free = [], []
        for j, (size, producer, consumers, until_end) in enumerate(buffers):
            a = m.NewConstant(0) if producer is None else s[producer]
            alloc.append(a)
            if until_end:
                free.append(m.NewConstant(big + 1))
                continue
            f = m.NewIntVar(0, big, f"free{k}.{j}")
            m.Add(f >= a)
            for c in consumers:
                m.Add(f >= s[c] + tasks[c][0]).OnlyEnforceIf(p[c])
            if producer is not None:
                m.Add(f >= a + tasks[producer][0])
            free.append(f)
        peak_var = m.NewIntVar(0, sum(b[0] for b in buffers), f"peak{k}")
        for x in range(len(buffers)):
            terms = []
            for j, (size, _, _, _) in enumerate(buffers):
                if size == 0:
                    continue
                born = m.NewBoolVar("")
                m.Add(alloc[j] <= alloc[x]).OnlyEnforceIf(born)
                m.Add(alloc[j] > alloc[x]).OnlyEnforceIf(born.Not())
                alive = m.NewBoolVar("")
                m.Add(alloc[x] < free[j]).OnlyEnforceIf(alive)
                m.Add(alloc[x] >= free[j]).OnlyEnforceIf(alive.Not())
                live = m.NewBoolVar("")
                m.AddBoolOr([born.Not(), alive.Not(), live])
                terms.append(size * live)
            if terms:
                m.Add(sum(terms) <= peak_var)
        if cap is not None:
            m.Add(peak_var <= cap)
        peaks.append(peak_var)
    kind = spec["objective"][0]
    if kind == "makespan":
        span = m.NewIntVar(0, big, "span")
        for i in range(n):
            m.Add(span >= s[i] + tasks[i][0]).OnlyEnforceIf(p[i])
        m.Minimize(span)
    elif kind == "peak":
        m.Minimize(peaks[spec["objective"][1]])
    elif kind in ("wc", "wt"):
        weights = spec["objective"][-1]
        if weights is None:
            weights = {i: 1 for i in range(n)}
        total = []
        for i, w in weights.items():
            if kind == "wc":
                total.append(w * (s[i] + tasks[i][0]))
            elif i in spec["objective"][1]:
                late = m.NewIntVar(0, big + 10, f"late{i}")
                m.Add(late >= s[i] + tasks[i][0] - spec["objective"][1][i])
                total.append(w * late)
        m.Minimize(sum(total))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_limit
    status = solver.Solve(m)
    if status == cp_model.INFEASIBLE:
        return "infeasible", None
    if status != cp_model.OPTIMAL:
        return "unknown", None
    if kind == "none":
        return "optimal", 0
    return "optimal", int(round(solver.ObjectiveValue()))
