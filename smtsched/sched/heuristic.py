"""A first schedule without search: the serial schedule-generation scheme (Kolisch, "Serial and
parallel resource-constrained project scheduling methods revisited", EJOR 1996).

Tasks are taken one at a time, each once all its predecessors are placed, by priority: the
longest chain of work from the task to the end of the project (its "tail", the critical-path
rule that is also "most work remaining" on a job shop), ties broken by a seeded random draw.
Each is put at the earliest time at or after its predecessors and release where every
resource it uses has room for its whole duration. A few draws are tried and the shortest
schedule kept. The optimiser starts from it (the upper bound and the solution-guided phases),
so the search only has to improve it.

Only models it cannot break are taken: no maximum lags, deadlines, horizon, optional tasks or
alternatives (those can make the greedy placement infeasible); None otherwise, and the
optimiser's first search finds the first schedule as before.
"""
import bisect
import heapq
import math
import random
import time


def applicable(model):
    return (not model.alternatives and model.horizon is None
            and all(not t.optional and t.deadline is None for t in model.tasks)
            and all(p.max_lag is None for p in model.precedences))


def serial_schedule(model, seed=0, draws=4, deadline=None):
    """The best of `draws` serial schedules (list of starts by task index), or None. A draw
    still running when time.perf_counter() passes `deadline` is dropped (None when it is
    the first)."""
    if not applicable(model) or not model.tasks:
        return None
    tasks = model.tasks
    successors = [[] for _ in tasks]
    predecessors = [0] * len(tasks)
    for p in model.precedences:
        successors[p.before.index].append((p.after.index, p.before.duration + p.min_lag))
        predecessors[p.after.index] += 1
    order = _topological(tasks, successors, predecessors)
    if order is None:
        return None  # a precedence cycle: let the search say infeasible
    tail = [0] * len(tasks)
    for i in reversed(order):
        tail[i] = max([tasks[i].duration] + [gap + tail[j] for j, gap in successors[i]])
    uses = [[] for _ in tasks]
    for r, resource in enumerate(model.resources):
        for task, demand in resource.demands:
            if task.duration > 0:
                uses[task.index].append((r, demand))
    generator = random.Random(seed)
    best = None
    if len(tasks) > 400:
        # (a pass was quadratic in the tasks of a resource; it is not any more, but more draws
        # would change the schedules of big models, which callers and tests pin)
        draws = 1
    for draw in range(draws):
        noise = [generator.random() if draw else 0.0 for _ in tasks]
        starts = _one_pass(model, successors, predecessors, tail, uses, noise, deadline)
        if starts is not None:
            end = max(s + t.duration for s, t in zip(starts, tasks))
            if best is None or end < best[0]:
                best = (end, starts)
    return None if best is None else best[1]


def _topological(tasks, successors, predecessors):
    waiting = list(predecessors)
    ready = [t.index for t in tasks if waiting[t.index] == 0]
    order = []
    while ready:
        i = ready.pop()
        order.append(i)
        for j, _ in successors[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                ready.append(j)
    return order if len(order) == len(tasks) else None


def _one_pass(model, successors, predecessors, tail, uses, noise, deadline=None):
    tasks = model.tasks
    earliest = [t.release for t in tasks]
    waiting = list(predecessors)
    # the eligible task of the highest (tail, noise, -index) first: a heap, where a scan of
    # the eligible set made a pass quadratic on wide graphs (3,000 independent tasks)
    eligible = [(-tail[t.index], -noise[t.index], t.index) for t in tasks
                if waiting[t.index] == 0]
    heapq.heapify(eligible)
    starts = [None] * len(tasks)
    profiles = [_Profile(resource.capacity) for resource in model.resources]
    placed = 0
    while eligible:
        placed += 1
        if deadline is not None and placed % 256 == 0 and time.perf_counter() > deadline:
            return None
        i = heapq.heappop(eligible)[2]
        task = tasks[i]
        at = earliest[i]
        if task.duration > 0:
            # the earliest time at or after `at` where every resource has room: each
            # resource's earliest fit only moves it later, so repeat until none does
            moved = True
            while moved:
                moved = False
                for r, demand in uses[i]:
                    fit = profiles[r].earliest_fit(at, task.duration, demand)
                    if fit != at:
                        at, moved = fit, True
            for r, demand in uses[i]:
                profiles[r].add(at, at + task.duration, demand)
        starts[i] = at
        for j, gap in successors[i]:
            earliest[j] = max(earliest[j], at + gap)
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(eligible, (-tail[j], -noise[j], j))
    return starts if all(s is not None for s in starts) else None


class _Profile:
    """The load of one resource over time as a step function: load[k] on [times[k],
    times[k + 1]), the last step (load 0) running to the end; adjacent steps of the same load
    are merged. Looking for room then skips a whole busy stretch in one step where walking
    the intervals placed in it one by one made a pass quadratic (3,000 independent tasks on
    one unit: 10 s). A task fits where its demand plus the load stays within the capacity
    over its whole duration: the earliest such start is what the interval-by-interval walk
    found (each jump of that walk skipped only starts that cannot fit)."""

    def __init__(self, capacity):
        self.capacity = capacity
        self.times = [-math.inf]
        self.loads = [0]

    def earliest_fit(self, at, duration, demand):
        times, loads, room = self.times, self.loads, self.capacity - demand
        k = bisect.bisect_right(times, at) - 1
        while True:
            while loads[k] > room:   # the last step has load 0: this stops
                k += 1
                at = times[k]
            end = at + duration
            j = k + 1
            while j < len(times) and times[j] < end and loads[j] <= room:
                j += 1
            if j == len(times) or times[j] >= end:
                return at
            k = j   # a step without room inside the window: try after it

    def add(self, begin, end, demand):
        first = self._split(begin)
        last = self._split(end)
        for k in range(first, last):
            self.loads[k] += demand
        # merge equal neighbours at both edges (inside, the steps differed before and still do)
        for k in (last, first):
            if 0 < k < len(self.times) and self.loads[k] == self.loads[k - 1]:
                del self.times[k]
                del self.loads[k]

    def _split(self, t):
        """The index of the step starting at `t`, made if needed."""
        k = bisect.bisect_left(self.times, t)
        if k < len(self.times) and self.times[k] == t:
            return k
        self.times.insert(k, t)
        self.loads.insert(k, self.loads[k - 1])
        return k
