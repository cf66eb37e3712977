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
import math
import random
import time

from ..precedence import Precedences


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
    arcs = Precedences(len(tasks), [(p.before.index, p.after.index, p.before.duration + p.min_lag)
                                    for p in model.precedences])
    if arcs.topological_order() is None:
        return None  # a precedence cycle: let the search say infeasible
    # the priority: the longest chain of work from the start of a task to the end
    tail = arcs.longest_to(t.duration for t in tasks)
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
        starts = _one_pass(model, arcs, tail, uses, noise, deadline)
        if starts is not None:
            end = max(s + t.duration for s, t in zip(starts, tasks))
            if best is None or end < best[0]:
                best = (end, starts)
    return None if best is None else best[1]


def _one_pass(model, arcs, tail, uses, noise, deadline=None):
    tasks = model.tasks
    earliest = [t.release for t in tasks]
    # each task once its predecessors are placed, the eligible one of the highest (tail,
    # noise, -index) first: placing a task does not change which tasks are eligible, so this
    # is a topological order with that priority (a heap: a scan of the eligible set made a
    # pass quadratic on wide graphs, 3,000 independent tasks)
    order = arcs.topological_order([(-tail[i], -noise[i], i) for i in range(len(tasks))])
    starts = [None] * len(tasks)
    profiles = [_Profile(resource.capacity) for resource in model.resources]
    for placed, i in enumerate(order, 1):
        if deadline is not None and placed % 256 == 0 and time.perf_counter() > deadline:
            return None
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
        for j, gap in arcs.successors[i]:
            earliest[j] = max(earliest[j], at + gap)
    return starts


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
