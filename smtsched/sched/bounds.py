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
        if resource.unary:
            bound = max(bound, jackson_preemptive_bound(
                [(head[t.index], t.duration, tail[t.index] - t.duration) for t, _ in tasks]))
    return bound


def jackson_preemptive_bound(jobs):
    """The one-machine bound of Carlier ("The one-machine sequencing problem", EJOR 1982):
    jobs (release, duration, delivery time) on one machine, preemption allowed, the job with
    the longest delivery time always running. The largest completion + delivery of that
    schedule is the optimum of the preemptive relaxation, so a lower bound on the makespan.
    It is the machine-load argument with heads and tails for every subset of jobs at once:
    on operator graphs whose matrix unit is the bottleneck it is the optimum."""
    import heapq
    order = sorted(range(len(jobs)), key=lambda k: jobs[k][0])
    left = [d for _, d, _ in jobs]
    ready = []  # (-delivery, job)
    time, bound, k = 0, 0, 0
    while k < len(order) or ready:
        if not ready:
            time = max(time, jobs[order[k]][0])
        while k < len(order) and jobs[order[k]][0] <= time:
            job = order[k]
            heapq.heappush(ready, (-jobs[job][2], job))
            k += 1
        _, job = ready[0]
        # run it until it ends or the next release (which may preempt it)
        until = time + left[job]
        if k < len(order):
            until = min(until, jobs[order[k]][0])
        left[job] -= until - time
        time = until
        if left[job] == 0:
            heapq.heappop(ready)
            bound = max(bound, time + jobs[job][2])
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
