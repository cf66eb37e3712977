"""Lower bounds on the makespan that need no search: the longest path through the precedences
(heads and tails), the load of each machine, the energy of each cumulative resource.

Every bound here may decide OPTIMAL (the optimiser stops when a schedule meets it), so each
one holds in every schedule of the model, for every feature the model API accepts (negative
and maximum lags, optional tasks, zero durations, releases, deadlines); tests/
test_static_bounds.py checks them against brute force. Precedences with a positive cycle
have no schedule at all: `positive_cycle` finds one, and the heads and tails refuse such a
model (PositiveCycle) rather than return numbers from a relaxation cut off midway."""
from ..errors import SmtschedError
from ..precedence import Precedences


class PositiveCycle(SmtschedError):
    """The minimum lags between mandatory tasks form a cycle of positive length: no schedule.
    `tasks`: the tasks of the cycle in order; `length`: its length."""

    def __init__(self, tasks, length):
        self.tasks = tasks
        self.length = length
        names = " -> ".join(t.name for t in tasks + tasks[:1])
        super().__init__(f"the precedences {names} form a cycle of positive length {length}: "
                         "each task would have to start after itself")


def mandatory_precedences(model):
    """The arcs (a, b, w): start(b) >= start(a) + w that hold in every schedule (a minimum
    lag between two mandatory tasks; one between optional tasks holds only when both are
    present), as a `Precedences` graph on the task indices."""
    return Precedences(len(model.tasks), [
        (p.before.index, p.after.index, p.before.duration + p.min_lag)
        for p in model.precedences if not (p.before.optional or p.after.optional)])


def positive_cycle(model):
    """PositiveCycle for a positive cycle of minimum lags between mandatory tasks, or None
    (`Precedences.positive_cycle`: Bellman-Ford for longest paths)."""
    found = mandatory_precedences(model).positive_cycle()
    if found is None:
        return None
    nodes, length = found
    return PositiveCycle([model.tasks[i] for i in nodes], length)


def heads_and_tails(model):
    """head[i]: earliest start from releases and minimum lags; tail[i]: the shortest time from
    the start of i to the end of the schedule (its duration plus the longest chain after it).
    Optional tasks are left out: they may be absent. Both hold in every schedule whatever the
    signs of the lags. PositiveCycle when the lags have a positive cycle (no schedule: the
    relaxation would never settle, and numbers taken from it midway mean nothing)."""
    arcs = mandatory_precedences(model)
    head = arcs.longest_from(t.release for t in model.tasks)
    tail = arcs.longest_to(t.duration for t in model.tasks)
    if head is None or tail is None:
        raise positive_cycle(model) or AssertionError("internal error: relaxation did not settle")
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
