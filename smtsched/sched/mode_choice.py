"""Whether any choice of options fits every non-renewable resource at once, before any search.

`least_consumption` (optimize.py) checks one non-renewable resource at a time. With two or more,
the options cheap in one are often dear in the other, and then no choice fits both although
each fits alone: a multi-dimensional knapsack with no solution. The search finds that out only
by enumerating mode choices clause by clause (a generated multi-mode instance of 50 activities
was left open after 10 s; CP-SAT's linear relaxation closes it at once). This is the
preprocessing of multi-mode RCPSP solvers (Sprecher, Hartmann and Drexl 1997, "An exact
algorithm for project scheduling with multiple modes": a mode-choice feasibility test over the
non-renewable resources), done here as dynamic programming over the sets of consumption
vectors that some choice of the groups so far can reach, keeping only the Pareto-minimal ones.

The groups are a relaxation of the model, so "no vector fits" means no schedule exists:
- a mandatory task consumes its amounts in every schedule;
- an alternative consumes the amounts of exactly one of its options;
- an optional task outside every alternative consumes its amounts or nothing (whatever
  forces it present or absent is left out, which only allows more choices).
A task in two alternatives would be counted twice, so such a model is not judged; nor is one
whose frontier grows past `MAX_STATES` (the answer is then "not shown infeasible").
"""

MAX_STATES = 5000


def infeasible_resources(model):
    """The names of the non-renewable resources no choice of options can satisfy together,
    or None (some choice fits every one of them, or the test does not apply)."""
    resources = model.nonrenewables
    if len(resources) < 2:
        return None   # one resource alone: least_consumption decides it exactly
    options = [o.index for _, opts in model.alternatives for o in opts]
    if len(set(options)) != len(options):
        return None
    in_alternative = set(options)
    amounts = [{t.index: a for t, a in r.consumption} for r in resources]
    capacity = tuple(r.capacity for r in resources)

    def vector(task):
        return tuple(a.get(task.index, 0) for a in amounts)

    zero = tuple(0 for _ in resources)
    groups = []
    for _, opts in model.alternatives:
        groups.append(sorted({vector(o) for o in opts}))
    for task in model.tasks:
        if task.index in in_alternative:
            continue
        v = vector(task)
        if v == zero:
            continue
        groups.append([v] if not task.optional else [zero, v])
    # the least each remaining group can add, per resource, prunes states that cannot finish
    remaining = [zero] * (len(groups) + 1)
    for k in range(len(groups) - 1, -1, -1):
        remaining[k] = tuple(r + min(v[i] for v in groups[k])
                             for i, r in enumerate(remaining[k + 1]))
    if any(x > c for x, c in zip(remaining[0], capacity)):
        return [r.name for r in resources]   # one alone already overflows
    states = [zero]
    for k, group in enumerate(groups):
        rest = remaining[k + 1]
        reached = {tuple(s + x for s, x in zip(state, v)) for state in states for v in group}
        states = _pareto_minimal([s for s in reached
                                  if all(x + r <= c for x, r, c in zip(s, rest, capacity))])
        if not states:
            return [r.name for r in resources]
        if len(states) > MAX_STATES:
            return None
    return None


def _pareto_minimal(vectors):
    """The vectors no other one is below or equal to in every component (ties: one kept).
    Sorted lexicographically, a vector that dominates v comes before it; in two dimensions
    a sweep keeps v when its second component is below every one kept so far."""
    vectors = sorted(set(vectors))
    if vectors and len(vectors[0]) == 2:
        kept, least = [], None
        for v in vectors:
            if least is None or v[1] < least:
                kept.append(v)
                least = v[1]
        return kept
    kept = []
    for v in vectors:
        if not any(all(a <= b for a, b in zip(k, v)) for k in kept):
            kept.append(v)
    return kept
