"""Schedules of memory-budgeted models from a priority order: a parallel list schedule that
starts a task only while its buffers fit in every memory, and a search over the priority
orders that improves the best schedule between the optimiser's probes.

Why: on operator graphs under a memory budget (bench/dnn_scale.py's `budget` problems, a
thousand tasks on two units) the search spends its whole minute in rounds of lazy ordering
cuts (15 conflicts, 2,134 cuts in 60 s on rand_graph_1000_1) and ends at its first schedule.
A list schedule takes a millisecond per task; thousands of priority orders fit in a second.

The schedule generation scheme is the parallel one of resource-constrained project
scheduling (Kolisch, "Serial and parallel resource-constrained project scheduling methods
revisited", EJOR 1996), with the memory as a resource whose units are taken at a start and
given back at the end of a buffer's last user: at each event time, the eligible tasks (their
predecessors ended, their lags and releases passed) start in priority order while their units
and the bytes of the buffers they allocate fit. The bytes only rise at starts and a buffer is
freed once its last user ends, so a task that fits when it starts never overloads a memory
later. When nothing runs and nothing fits the pass fails (a priority order may do that; one
that is a valid one-task-at-a-time order never does: with nothing running the live buffers are
exactly those of that order at the same point).

The improvement (`improve`) is a randomised local search on the priorities, in the spirit of
the iterated greedy of Ruiz and Stützle (EJOR 2007): the priority order of the best schedule
(its start order) is perturbed by a random move (a block of tasks moved earlier or later, or
noise of a random amplitude mixed with the longest tail), scheduled, and kept when its makespan
is no worse. Only the makespan objective, and only models this scheme can schedule exactly:
mandatory tasks, minimum lags, cumulative resources, memories with a capacity (see
`applicable`). Every schedule it returns is for the caller to check (the optimiser does).

Determinism: the moves come from random.Random(seed) and the number of passes is bounded by
`passes`; a deadline only cuts the loop short (as every time limit of the optimiser does)."""
import heapq
import random
import time

from ..precedence import Precedences


def applicable(model):
    """The model's constraints are the ones the list schedule honours exactly, and it has a
    memory with a capacity (otherwise the ordinary heuristics apply)."""
    if model.objective != "makespan" or not model.tasks:
        return False
    if not any(m.capacity is not None for m in model.memories):
        return False
    if model.alternatives or any(t.optional or t.deadline is not None for t in model.tasks):
        return False
    if any(p.max_lag is not None or p.min_lag < 0 for p in model.precedences):
        return False
    return True   # (a horizon the schedule passes is for the caller's check to see)


class ListScheduler:
    """The data of one model the passes share: uses of resources, buffers by task."""

    def __init__(self, model):
        self.model = model
        tasks = model.tasks
        n = len(tasks)
        self.n = n
        self.durations = [t.duration for t in tasks]
        self.releases = [t.release for t in tasks]
        self.succ = [[] for _ in range(n)]
        self.npred = [0] * n
        for p in model.precedences:
            self.succ[p.before.index].append((p.after.index, p.min_lag))
            self.npred[p.after.index] += 1
        self.capacities = [r.capacity for r in model.resources]
        self.uses = [[] for _ in range(n)]
        # the least demand on each resource: below it left, no task fits there any more
        self.least = [None] * len(model.resources)
        for r, resource in enumerate(model.resources):
            for task, demand in resource.demands:
                if task.duration > 0:
                    self.uses[task.index].append((r, demand))
                    if self.least[r] is None or demand < self.least[r]:
                        self.least[r] = demand
        self.unitless = [not u for u in self.uses]
        # memories with a capacity: per task, the bytes it allocates in each; per buffer, its
        # users (producer and consumers), freed when the last one ends
        self.memories = [m for m in model.memories if m.capacity is not None]
        self.mem_capacity = [m.capacity for m in self.memories]
        self.allocates = [[] for _ in range(n)]
        self.initial = [0] * len(self.memories)
        self.buffers = []        # (memory, size, users count, until_end)
        self.user_of = [[] for _ in range(n)]
        for k, memory in enumerate(self.memories):
            for b in memory.buffers:
                users = {t.index for t in b.consumers}
                if b.producer is None and not users and not b.until_end:
                    continue   # live over [0, 0): holds nothing
                if b.producer is not None:
                    users.add(b.producer.index)
                    self.allocates[b.producer.index].append((k, b.size))
                else:
                    self.initial[k] += b.size
                number = len(self.buffers)
                self.buffers.append((k, b.size, len(users), b.until_end))
                for u in users:
                    self.user_of[u].append(number)
        arcs = Precedences(n, [(p.before.index, p.after.index, p.before.duration + p.min_lag)
                               for p in model.precedences])
        self.tail = arcs.longest_to(self.durations)

    def schedule(self, priority):
        """The starts (by task index) of the parallel list schedule with `priority` (lower
        first, by task index), or None when the pass is stuck (see the module docstring)."""
        n = self.n
        if any(i > c for i, c in zip(self.initial, self.mem_capacity)):
            return None   # the buffers live from time 0 do not fit: no schedule at all
        durations, releases, succ, uses = self.durations, self.releases, self.succ, self.uses
        allocates, user_of, buffers = self.allocates, self.user_of, self.buffers
        capacities, mem_capacity = self.capacities, self.mem_capacity
        usage = [0] * len(capacities)
        least, unitless = self.least, self.unitless
        # `state`: [resources where some task still fits, ready tasks that need no unit];
        # when both are 0 no ready task can start: the scan of the ready tasks stops
        # (scanning them all at every event was 85% of a pass on 949 tasks)
        state = [sum(1 for r in range(len(capacities)) if least[r] is not None), 0]
        live = list(self.initial)
        pending_users = [b[2] for b in buffers]
        npred = list(self.npred)
        earliest = list(releases)
        starts = [None] * n
        waiting = []        # (earliest, priority, task): predecessors ended, lag not passed
        ready = []          # (priority, task): may start now
        running = []        # (end, task)
        for i in range(n):
            if npred[i] == 0:
                heapq.heappush(waiting, (earliest[i], priority[i], i))
        done = 0
        now = 0
        while done < n:
            while waiting and waiting[0][0] <= now:
                _, p, i = heapq.heappop(waiting)
                heapq.heappush(ready, (p, i))
                state[1] += unitless[i]
            started_any = False
            skipped = []
            while ready and (state[0] or state[1]):
                p, i = heapq.heappop(ready)
                fits = all(usage[r] + d <= capacities[r] for r, d in uses[i]) and \
                    all(live[k] + size <= mem_capacity[k] for k, size in allocates[i])
                if not fits:
                    skipped.append((p, i))
                    continue
                starts[i] = now
                state[1] -= unitless[i]
                for r, d in uses[i]:
                    if usage[r] + least[r] <= capacities[r] < usage[r] + d + least[r]:
                        state[0] -= 1
                    usage[r] += d
                for k, size in allocates[i]:
                    live[k] += size
                started_any = True
                if durations[i] == 0:
                    # ends at once: its frees and successors count from now
                    done += self._end(i, now, usage, live, pending_users, npred, earliest,
                                      waiting, priority, state)
                    while waiting and waiting[0][0] <= now:
                        _, q, j = heapq.heappop(waiting)
                        heapq.heappush(ready, (q, j))
                        state[1] += unitless[j]
                else:
                    heapq.heappush(running, (now + durations[i], i))
            for item in skipped:
                heapq.heappush(ready, item)
            if done == n:
                break
            # the next event: an end, or a lag or release passing
            nxt = None
            if running:
                nxt = running[0][0]
            if waiting and (nxt is None or waiting[0][0] < nxt):
                nxt = waiting[0][0]
            if nxt is None:
                return None   # nothing runs, nothing fits: stuck
            if nxt == now and not started_any and not running:
                return None
            now = max(now, nxt)
            while running and running[0][0] <= now:
                _, i = heapq.heappop(running)
                done += self._end(i, now, usage, live, pending_users, npred, earliest,
                                  waiting, priority, state)
        return starts

    def _end(self, i, now, usage, live, pending_users, npred, earliest, waiting, priority,
             state):
        """Task i ends at `now`: its units and the buffers it was the last user of come back,
        its successors may become eligible. Returns 1 (one more task done)."""
        least, capacities = self.least, self.capacities
        for r, d in self.uses[i]:
            if usage[r] + least[r] > capacities[r] >= usage[r] - d + least[r]:
                state[0] += 1
            usage[r] -= d
        buffers = self.buffers
        for b in self.user_of[i]:
            pending_users[b] -= 1
            if pending_users[b] == 0 and not buffers[b][3]:
                live[buffers[b][0]] -= buffers[b][1]
        for j, lag in self.succ[i]:
            if earliest[j] < now + lag:
                earliest[j] = now + lag
            npred[j] -= 1
            if npred[j] == 0:
                heapq.heappush(waiting, (earliest[j], priority[j], j))
        return 1

    def makespan(self, starts):
        return max(s + d for s, d in zip(starts, self.durations))


def start_order(starts, durations):
    """The priority of each task that lists them by start, then by end (a zero-length task
    before the task that starts with it and lasts), then by index."""
    order = sorted(range(len(starts)), key=lambda i: (starts[i], starts[i] + durations[i], i))
    priority = [0] * len(starts)
    for rank, i in enumerate(order):
        priority[i] = rank
    return priority


def improve(model, starts, seed=0, passes=2000, deadline=None, scheduler=None, lower=None):
    """A schedule of makespan below that of `starts` found by the local search of the module
    docstring, or None. `passes` bounds the list schedules tried (the same seed gives the
    same answer when the deadline does not cut it short); the search stops at a makespan of
    `lower` (a proven bound: nothing is below it)."""
    lists = scheduler or ListScheduler(model)
    n = lists.n
    durations = lists.durations
    generator = random.Random(seed)
    best = list(starts)
    best_value = lists.makespan(best)
    found = None
    # the start order itself first: the list schedule compacts the schedule's idle time
    priority = start_order(best, durations)
    tail = lists.tail
    scale = max(1, max(tail)) if tail else 1
    for step in range(passes):
        if deadline is not None and time.perf_counter() >= deadline:
            break
        if lower is not None and best_value <= lower:
            break
        if step:
            priority = _move(generator, start_order(best, durations), tail, scale, n)
        candidate = lists.schedule(priority)
        if candidate is None:
            continue
        value = lists.makespan(candidate)
        if value <= best_value:
            if value < best_value:
                found = candidate
            best, best_value = candidate, value
    return found


def _move(generator, priority, tail, scale, n):
    """A perturbed copy of `priority` (ranks 0..n-1 by task): a block of consecutive ranks
    moved, or noise mixed with the longest tail over a random window of ranks."""
    order = sorted(range(n), key=priority.__getitem__)
    kind = generator.random()
    if kind < 0.5:
        # noise with the critical-path priority over a window
        width = max(2, int(n * generator.choice((0.02, 0.05, 0.1, 0.2))))
        begin = generator.randrange(0, max(1, n - width))
        window = order[begin:begin + width]
        weight = generator.choice((0.5, 1.0, 2.0, 4.0))
        keyed = sorted(window, key=lambda i: (priority[i] - begin) / width
                       - weight * tail[i] / scale + generator.random() * 0.5)
        order[begin:begin + width] = keyed
    else:
        # a block of ranks moved earlier or later
        length = max(1, int(n * generator.choice((0.005, 0.01, 0.02, 0.05))))
        begin = generator.randrange(0, max(1, n - length))
        block = order[begin:begin + length]
        rest = order[:begin] + order[begin + length:]
        shift = generator.randint(-max(1, n // 10), max(1, n // 10))
        at = min(len(rest), max(0, begin + shift))
        order = rest[:at] + block + rest[at:]
    ranks = [0] * n
    for rank, i in enumerate(order):
        ranks[i] = rank
    return ranks
