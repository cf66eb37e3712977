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


def fitting_choice(model, order, preferences):
    """A choice of one option per alternative that fits every non-renewable resource, made
    greedily: the alternatives in `order` (positions in model.alternatives), each taking the
    first option of `preferences[position]` (the option tasks it may take, in order) that
    still lets the alternatives after it complete within the budgets, with their own
    preferences; {position: option} or None (no choice fits, or the model is not one this
    reads: an optional task outside the alternatives, a task in two).

    The backward frontiers make "still lets the rest complete" exact: F[k] holds the
    Pareto-minimal consumption vectors some choice of the alternatives order[k:] reaches
    (Sprecher, Hartmann and Drexl 1997's least-need reasoning, from the end), so an option
    fits when the amounts so far plus its own plus some vector of F[k + 1] fit. A frontier
    past MAX_STATES keeps its MAX_STATES vectors of least total share of the capacities: a
    subset of what is reachable, so every option taken still completes (the greedy may then
    miss a choice that exists; None is no claim of infeasibility)."""
    resources = model.nonrenewables
    options_of = [opts for _, opts in model.alternatives]
    positions = {}
    for k, opts in enumerate(options_of):
        for o in opts:
            if o.index in positions:
                return None
            positions[o.index] = k
    if any(t.optional and t.index not in positions for t in model.tasks):
        return None
    amounts = [{t.index: a for t, a in r.consumption} for r in resources]
    capacity = tuple(r.capacity - sum(a for i, a in am.items() if i not in positions)
                     for r, am in zip(resources, amounts))
    if any(c < 0 for c in capacity):
        return None

    def vector(task):
        return tuple(a.get(task.index, 0) for a in amounts)

    def weight(v):
        return sum(x / c if c else (x and float("inf")) for x, c in zip(v, capacity))

    zero = tuple(0 for _ in resources)
    frontiers = [[zero]]
    for k in reversed(order):
        after = frontiers[-1]
        reached = {tuple(s + x for s, x in zip(f, vector(o))) for f in after
                   for o in preferences[k]}
        kept = _pareto_minimal([v for v in reached if all(x <= c for x, c in
                                                           zip(v, capacity))])
        if len(kept) > MAX_STATES:
            kept = sorted(kept, key=lambda v: (weight(v), v))[:MAX_STATES]
        if not kept:
            return None
        frontiers.append(kept)
    frontiers.reverse()   # frontiers[k]: the alternatives order[k:]; frontiers[-1]: none
    used = zero
    choice = {}
    for k, position in enumerate(order):
        rest = frontiers[k + 1]
        for o in preferences[position]:
            with_it = tuple(u + x for u, x in zip(used, vector(o)))
            if any(all(w + f <= c for w, f, c in zip(with_it, f_, capacity)) for f_ in rest):
                choice[position] = o
                used = with_it
                break
        else:
            return None   # (cannot happen: frontiers[k] came from these options)
    return choice
