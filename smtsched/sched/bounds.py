"""Lower bounds on the makespan that need no search: the longest path through the precedences
(heads and tails), the load of each machine, the energy of each cumulative resource.

Every bound here may decide OPTIMAL (the optimiser stops when a schedule meets it), so each
one holds in every schedule of the model, for every feature the model API accepts (negative
and maximum lags, optional tasks, zero durations, releases, deadlines); tests/
test_static_bounds.py checks them against brute force. Precedences with a positive cycle
have no schedule at all: `positive_cycle` finds one, and the heads and tails refuse such a
model (PositiveCycle) rather than return numbers from a relaxation cut off midway."""
from ..errors import SmtschedError


class PositiveCycle(SmtschedError):
    """The minimum lags between mandatory tasks form a cycle of positive length: no schedule.
    `tasks`: the tasks of the cycle in order; `length`: its length."""

    def __init__(self, tasks, length):
        self.tasks = tasks
        self.length = length
        names = " -> ".join(t.name for t in tasks + tasks[:1])
        super().__init__(f"the precedences {names} form a cycle of positive length {length}: "
                         "each task would have to start after itself")


def _mandatory_edges(model):
    """(a, b, w): start(b) >= start(a) + w in every schedule (a minimum lag between two
    mandatory tasks; one between optional tasks holds only when both are present)."""
    return [(p.before.index, p.after.index, p.before.duration + p.min_lag)
            for p in model.precedences if not (p.before.optional or p.after.optional)]


def positive_cycle(model):
    """PositiveCycle for a positive cycle of minimum lags between mandatory tasks, or None
    (Bellman-Ford for longest paths: with n tasks, a graph without a positive cycle settles in
    n - 1 rounds; a task still rising in round n lies on or behind such a cycle, and walking
    n steps back along the last improvements lands on it)."""
    n = len(model.tasks)
    edges = _mandatory_edges(model)
    head = [0] * n
    parent = [None] * n  # (previous task, weight) of the last improvement
    last = None
    for _ in range(n):
        last = None
        for a, b, w in edges:
            if head[a] + w > head[b]:
                head[b] = head[a] + w
                parent[b] = (a, w)
                last = b
        if last is None:
            return None
    if last is None:
        return None  # no tasks
    for _ in range(n):
        last = parent[last][0]
    cycle, length, at = [], 0, last
    while True:
        cycle.append(model.tasks[at])
        before, w = parent[at]
        length += w
        at = before
        if at == last:
            break
    cycle.reverse()
    return PositiveCycle(cycle, length)


def heads_and_tails(model):
    """head[i]: earliest start from releases and minimum lags; tail[i]: the shortest time from
    the start of i to the end of the schedule (its duration plus the longest chain after it).
    Optional tasks are left out: they may be absent. Both hold in every schedule whatever the
    signs of the lags. PositiveCycle when the lags have a positive cycle (no schedule: the
    relaxation would never settle, and numbers taken from it midway mean nothing)."""
    n = len(model.tasks)
    head = [t.release for t in model.tasks]
    tail = [t.duration for t in model.tasks]
    edges = _mandatory_edges(model)
    # Bellman-Ford style relaxation: without a positive cycle, n - 1 rounds settle it
    for _ in range(n + 1):
        changed = False
        for a, b, w in edges:
            if head[a] + w > head[b]:
                head[b] = head[a] + w
                changed = True
            if tail[b] + w > tail[a]:
                tail[a] = tail[b] + w
                changed = True
        if not changed:
            return head, tail
    raise positive_cycle(model) or AssertionError("internal error: relaxation did not settle")


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
