"""A lower bound on the makespan of a multi-mode model from its modes and its non-renewable
budgets, before any search.

The static bounds (smtsched.sched.bounds) see an activity with modes as its main task, whose
duration is the shortest mode's (psplib_formats), and its options as optional tasks they
leave out. When the non-renewable budgets are tight, most activities cannot all take their
short modes: on a generated instance (bench/gen_project.py's mm30_07) the longest chain of
shortest modes is 57 where the optimum is 92, and the search, which has to discover the budget
clause by clause, proved no more than 57 in 10 s (CP-SAT: 92 in 0.1 s, from its linear
relaxation).

The bound here is a longest path through the activities in which each activity's mode is
paid for from the budgets. For every activity B, `T_B[c]` is a lower bound on the start of B
in every schedule whose ancestors of B (the activities with a chain of precedences to B)
consume at most c of the non-renewable resources together (a table over the vectors c, as a
numpy array): over an arc A -> B, start(B) >= start(A) + w(A, mode of A), and the ancestors
of B are those of A, A itself and the others (anc(B) minus anc(A) and A), so

    T_B[c] >= min over a mode m of A, and vectors x the others can consume, of
              T_A[c - v(m) - x] + w(A, m)

(the others' least joint consumptions `x` are absorbed one activity at a time: a min over
the Pareto-minimal vectors of its modes). At the end each activity's end, with the activities
neither before it nor it absorbed the same way, read at the budgets themselves, is a lower
bound on the makespan. On a chain this is the exact minimum of the chain's length over the
mode choices that fit the budgets (a multi-dimensional knapsack by dynamic programming); on
a graph, each arc keeps its own split of the budget (a relaxation: the branches into B may
assume different modes of a common ancestor), so it may be lower than the least longest path
over choices, never higher. Ideas from Sprecher, Hartmann and Drexl (1997)'s mode-choice
reasoning and from resource-constrained shortest paths (Joksch 1966's dynamic programming
over consumed resources); written for this model.

Exact only over the integers: the tables index c / q per resource (q a power of two that
keeps the table small); sum(floor(v_i / q)) <= floor(sum(v_i) / q) <= floor(capacity / q),
so the coarse table relaxes the budgets, never tightens them. Every amount is first reduced
by the activity's least amount of that resource (and the budget by their sum), which changes
nothing (every activity consumes at least that) and makes the tables smaller.

What it reads, and what it leaves out (each a relaxation): mandatory tasks are activities;
an alternative's options are its main task's modes (a mode's end is the later of the main
task's and the option's); an optional task outside every alternative, an arc into an option
and deadlines are left out; an arc leaves a mode-dependent weight only when every mode of its
activity has one (the main task's arc, or the option's). It applies when no option is in two
alternatives, the arcs between activities have no cycle (RCPSP/max's negative lags make
them: those models get 0), the numbers fit int64 with room (MAX_TIME) and the work stays
small (WORK); otherwise it gives 0. It is not a
lemma the certificate checker can confirm (smtsched.sched.bound_proof states only the
single-mode bounds): a certified OPTIMAL that rests on it is refuted by a search instead.
"""
import numpy as np

from ..precedence import Precedences

# the largest table (cells); tables beyond it are coarsened
MAX_CELLS = 4096
# the most cells times table operations one bound may take (about a second of numpy on the
# benchmark machine at 1e8; 30 activities with 3 modes take ~1e6)
WORK = 3 * 10 ** 7
# larger than any bound: an entry no mode choice reaches
UNREACHED = np.int64(1) << 60
# the largest sum of releases, mode lengths and lags the tables take (int64; a model of
# bigger numbers, a 400-digit duration from the bad-input corpus, gets no bound from here)
MAX_TIME = 1 << 50


class _Activities:
    """The activities of a model as the bound reads them (None from `of` when it does not
    apply): per activity (a mandatory task's index) its modes, each (option index or None,
    release, end offset, consumption vector), and the arcs between activities."""

    def __init__(self):
        self.modes = {}     # activity -> [(option or None, release, length, vector)]
        self.arcs = {}      # (A, B) -> {"main": w, option: w}

    @classmethod
    def of(cls, model):
        tasks = model.tasks
        owner = {}
        for main, options in model.alternatives:
            for o in options:
                if o.index in owner or not o.optional:
                    return None
                owner[o.index] = main.index
        amounts = [{t.index: a for t, a in r.consumption} for r in model.nonrenewables]

        def vector(task):
            return tuple(a.get(task.index, 0) for a in amounts)

        self = cls()
        alternatives = {main.index: options for main, options in model.alternatives}
        for t in tasks:
            if t.optional:
                continue
            own = vector(t)
            if t.index in alternatives:
                self.modes[t.index] = [
                    (o.index, max(t.release, o.release), max(t.duration, o.duration),
                     tuple(x + y for x, y in zip(own, vector(o))))
                    for o in alternatives[t.index]]
            else:
                self.modes[t.index] = [(None, t.release, t.duration, own)]
        for p in model.precedences:
            a, b = p.before, p.after
            if b.optional:
                continue
            if a.optional:
                if a.index not in owner:
                    continue
                key, which = (owner[a.index], b.index), a.index
            else:
                key, which = (a.index, b.index), "main"
            weights = self.arcs.setdefault(key, {})
            w = a.duration + p.min_lag
            weights[which] = max(weights.get(which, w), w)
        return self

    def weight(self, key, option):
        """The arc's weight when its activity takes the mode `option` (None: no arc then)."""
        weights = self.arcs[key]
        found = [w for k, w in weights.items() if k == "main" or k == option]
        return max(found) if found else None


def makespan_bound(model):
    """A lower bound on the makespan of every schedule of `model` (see the module docstring);
    0 when it does not apply or no choice of modes fits the budgets (left to the other
    tests: this one claims no infeasibility)."""
    if not model.alternatives or model.objective != "makespan":
        return 0
    acts = _Activities.of(model)
    if acts is None or not acts.modes:
        return 0
    order = Precedences(len(model.tasks), [(a, b, 0) for a, b in acts.arcs]).topological_order()
    if order is None:
        return 0
    order = [i for i in order if i in acts.modes]
    span = (max(m[1] for modes in acts.modes.values() for m in modes)
            + sum(max(m[2] for m in modes) for modes in acts.modes.values())
            + sum(abs(w) for weights in acts.arcs.values() for w in weights.values()))
    if span >= MAX_TIME:
        return 0
    resources = model.nonrenewables
    d = len(resources)
    least = {i: tuple(min(m[3][r] for m in modes) for r in range(d))
             for i, modes in acts.modes.items()}
    slack = [res.capacity - sum(v[r] for v in least.values()) for r, res in enumerate(resources)]
    if any(s < 0 for s in slack):
        return 0
    predecessors = {i: [] for i in order}
    for a, b in acts.arcs:
        predecessors[b].append(a)
    ancestors = {}
    for b in order:
        found = set()
        for a in predecessors[b]:
            found |= ancestors[a]
            found.add(a)
        ancestors[b] = found
    everyone = set(order)
    # the work: an arc's modes plus its absorbed activities, and every activity's end
    operations = sum(len(acts.modes[a]) + len(ancestors[b] - ancestors[a])
                     for a, b in acts.arcs) + len(order) * (len(order) + 3)
    q = [1] * d
    while _cells(slack, q) > MAX_CELLS or _cells(slack, q) * operations > WORK:
        r = max(range(d), key=lambda r: slack[r] // q[r])
        if slack[r] // q[r] == 0:
            return 0   # nothing left to coarsen: too much work
        q[r] *= 2
    shape = tuple(s // k + 1 for s, k in zip(slack, q))
    extra = {i: [tuple((m[3][r] - least[i][r]) // q[r] for r in range(d)) for m in modes]
             for i, modes in acts.modes.items()}
    pareto = {i: _pareto_minimal(set(vs)) for i, vs in extra.items()}
    top = tuple(n - 1 for n in shape)

    def absorb(table, group):
        for i in sorted(group):
            vectors = pareto[i]
            if vectors == [(0,) * d]:
                continue
            table = _min_of(_shift(table, v) for v in vectors)
        return table

    starts = {}
    bound = 0
    for b in order:
        modes_b = acts.modes[b]
        table = np.full(shape, min(m[1] for m in modes_b), dtype=np.int64)
        if not predecessors[b]:
            starts[b] = table
        for a in predecessors[b]:
            weights = [acts.weight((a, b), m[0]) for m in acts.modes[a]]
            if any(w is None for w in weights):
                continue   # a mode of a without this arc: no bound from it
            through = _min_of(np.maximum(_shift(starts[a], e), m[1]) + w
                              for m, e, w in zip(acts.modes[a], extra[a], weights))
            table = np.maximum(table, absorb(through, ancestors[b] - ancestors[a] - {a}))
        starts[b] = table
        ends = _min_of(np.maximum(_shift(table, e), m[1]) + m[2]
                       for m, e in zip(modes_b, extra[b]))
        end = int(absorb(ends, everyone - ancestors[b] - {b})[top])
        if end >= UNREACHED // 2:
            return 0   # no choice of modes fits (the tests before the search say so)
        bound = max(bound, end)
    return bound


def _cells(slack, q):
    cells = 1
    for s, k in zip(slack, q):
        cells *= s // k + 1
    return cells


def _shift(table, vector):
    """out[c] = table[c - vector] (UNREACHED where c - vector has a negative component)."""
    if not any(vector):
        return table
    out = np.full(table.shape, UNREACHED, dtype=np.int64)
    if any(k >= n for k, n in zip(vector, table.shape)):
        return out
    target = tuple(slice(k, None) for k in vector)
    source = tuple(slice(0, n - k) for k, n in zip(vector, table.shape))
    out[target] = table[source]
    return out


def _min_of(tables):
    out = None
    for t in tables:
        out = t if out is None else np.minimum(out, t)
    return np.minimum(out, UNREACHED)


def _pareto_minimal(vectors):
    kept = []
    for v in sorted(vectors):
        if not any(all(a <= b for a, b in zip(k, v)) for k in kept):
            kept.append(v)
    return kept
