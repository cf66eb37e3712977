"""Lower bounds on the makespan that need no search: the longest path through the precedences
(heads and tails), the load of each machine, the energy of each cumulative resource."""


def heads_and_tails(model):
    """head[i]: earliest start from releases and minimum lags; tail[i]: the shortest time from
    the start of i to the end of the schedule (its duration plus the longest chain after it).
    Optional tasks are left out: they may be absent."""
    n = len(model.tasks)
    head = [t.release for t in model.tasks]
    tail = [t.duration for t in model.tasks]
    edges = [(p.before.index, p.after.index, p.before.duration + p.min_lag)
             for p in model.precedences if not (p.before.optional or p.after.optional)]
    # Bellman-Ford style relaxation: a DAG settles in at most n rounds; a positive cycle
    # (inconsistent lags) is cut off there, which keeps the bounds valid (only smaller).
    for _ in range(n):
        changed = False
        for a, b, w in edges:
            if head[a] + w > head[b]:
                head[b] = head[a] + w
                changed = True
            if tail[b] + w > tail[a]:
                tail[a] = tail[b] + w
                changed = True
        if not changed:
            break
    return head, tail


def makespan_lower_bound(model):
    mandatory = [t for t in model.tasks if not t.optional]
    if not mandatory:
        return 0
    head, tail = heads_and_tails(model)
    bound = max(head[t.index] + tail[t.index] for t in mandatory)
    for resource in model.resources:
        tasks = [(t, d) for t, d in resource.demands if not t.optional and t.duration > 0]
        if not tasks or resource.capacity <= 0:
            continue
        energy = sum(t.duration * d for t, d in tasks)
        first = min(head[t.index] for t, _ in tasks)
        after = min(tail[t.index] - t.duration for t, _ in tasks)
        # the resource delivers at most `capacity` units of work per time unit
        busy = -(-energy // resource.capacity)
        bound = max(bound, first + busy + after)
    return bound


def cost_lower_bound(model):
    """Weighted completion or tardiness with every task at its earliest end (its head plus its
    duration): each term only grows with the end time."""
    head, _ = heads_and_tails(model)
    total = 0
    for index, weight in model.weights.items():
        end = head[index] + model.tasks[index].duration
        total += weight * (end if model.dues is None else max(0, end - model.dues[index]))
    return total
