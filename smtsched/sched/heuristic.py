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
import random


def applicable(model):
    return (not model.alternatives and model.horizon is None
            and all(not t.optional and t.deadline is None for t in model.tasks)
            and all(p.max_lag is None for p in model.precedences))


def serial_schedule(model, seed=0, draws=4):
    """The best of `draws` serial schedules (list of starts by task index), or None."""
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
        draws = 1  # a pass is quadratic in the tasks of a resource: one is enough there
    for draw in range(draws):
        noise = [generator.random() if draw else 0.0 for _ in tasks]
        starts = _one_pass(model, successors, predecessors, tail, uses, noise)
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


def _one_pass(model, successors, predecessors, tail, uses, noise):
    tasks = model.tasks
    earliest = [t.release for t in tasks]
    waiting = list(predecessors)
    eligible = {t.index for t in tasks if waiting[t.index] == 0}
    starts = [None] * len(tasks)
    placed = [_Placed() for _ in model.resources]
    while eligible:
        i = max(eligible, key=lambda k: (tail[k], noise[k], -k))
        eligible.remove(i)
        task = tasks[i]
        at = earliest[i]
        while True:
            later = _conflict_end(placed, uses[i], at, task.duration, model.resources)
            if later is None:
                break
            at = later
        starts[i] = at
        for r, demand in uses[i]:
            placed[r].add(at, task.duration, demand)
        for j, gap in successors[i]:
            earliest[j] = max(earliest[j], at + gap)
            waiting[j] -= 1
            if waiting[j] == 0:
                eligible.add(j)
    return starts if all(s is not None for s in starts) else None


def _conflict_end(placed, uses, at, duration, resources):
    """None if every resource in `uses` has room during [at, at + duration); otherwise a later
    time worth trying (the first end of an interval running at an overloaded instant)."""
    if duration == 0:
        return None
    for r, demand in uses:
        capacity = resources[r].capacity
        running = placed[r].running(at, at + duration)
        if not running:
            continue
        # the load only rises at a start: check at `at` and at every start inside the window
        for point in sorted({at} | {s for s, _, _ in running if s > at}):
            load = demand + sum(d for s, e, d in running if s <= point < e)
            if load > capacity:
                return min(e for s, e, d in running if s <= point < e)
    return None


class _Placed:
    """The intervals (start, end, demand) placed on one resource, sorted by start, so that
    those running in a window are found by bisection: a scan of all of them made a pass
    quadratic (4.5 s on a 949-task graph)."""

    def __init__(self):
        self.starts = []
        self.intervals = []
        self.longest = 0

    def add(self, start, duration, demand):
        at = bisect.bisect_right(self.starts, start)
        self.starts.insert(at, start)
        self.intervals.insert(at, (start, start + duration, demand))
        self.longest = max(self.longest, duration)

    def running(self, begin, end):
        """The intervals that overlap [begin, end): only those starting after
        begin - longest can still run at begin."""
        low = bisect.bisect_right(self.starts, begin - self.longest)
        high = bisect.bisect_left(self.starts, end)
        return [x for x in self.intervals[low:high] if x[1] > begin]
