"""Lower bounds on the makespan that need no search: the longest path through the precedences
(heads and tails), the load of each machine, the energy of each cumulative resource.

Every bound here may decide OPTIMAL (the optimiser stops when a schedule meets it), so each
one holds in every schedule of the model, for every feature the model API accepts (negative
and maximum lags, optional tasks, zero durations, releases, deadlines); tests/
test_static_bounds.py checks them against brute force. Precedences with a positive cycle
have no schedule at all: `positive_cycle` finds one, and the heads and tails refuse such a
model (PositiveCycle) rather than return numbers from a relaxation cut off midway."""
from types import SimpleNamespace

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


def mandatory_lags(model):
    """`mandatory_precedences` plus the reverse arc of every maximum lag between mandatory
    tasks: start(after) - end(before) <= max_lag is start(before) >= start(after) -
    (duration(before) + max_lag). The arcs of both directions may form cycles, so only the
    positive-cycle test reads them; the heads, tails and their proofs (bound_proof) stay on
    the minimum lags, a weaker relaxation but a sound one."""
    arcs = mandatory_precedences(model)
    for p in model.precedences:
        if p.max_lag is not None and not (p.before.optional or p.after.optional):
            arcs.add(p.after.index, p.before.index, -(p.before.duration + p.max_lag))
    return arcs


def positive_cycle(model):
    """PositiveCycle for a positive cycle of minimum and maximum lags between mandatory
    tasks, or None (`Precedences.positive_cycle`: Bellman-Ford for longest paths)."""
    found = mandatory_lags(model).positive_cycle()
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
    # minimize_weighted_sum's more terms grow with the ends too (the setups: 0 at least)
    for index, weight, due in model.tardy:
        if head[index] + model.tasks[index].duration > due:
            total += weight
    for weight, members in model.max_groups:
        total += weight * max(w * max(0, head[i] + model.tasks[i].duration - due)
                              for i, w, due in members)
    return total


# the cut bound: how many tasks one cut may leave out, and the largest model it looks at (its
# ancestor sets are n bits per task)
CUT_SLACK = 8
CUT_TASKS = 6000


def cut_lower_bound(model):
    """A lower bound on the makespan from the cuts of the precedence graph (0 when it does not
    apply): a task c such that every other task is an ancestor or a descendant of it splits
    every schedule in two, the ancestors ending before c starts and the descendants starting
    after it ends (minimum lags >= 0), so the makespan is at least the bound of the ancestors
    alone, plus d(c), plus the bound of the descendants alone; with cuts c1 < c2 < ... the
    pieces between them add up the same way. Each piece's bound is `makespan_lower_bound` of
    the piece as a model of its own (its tasks, the precedences and resource demands among
    them; releases kept in the first piece only, dropped elsewhere: a relaxation).

    Why: on operator graphs the unit's load bound (Jackson's, over all tasks at once) cannot
    see that the matrix unit must idle in every layer of a forward pass while the vector
    units compute what the next matrix product reads; split at the layers' joins, each
    piece's own bound does (the training graph of bench/graphs.py, 12 blocks).

    A task with few incomparable tasks (at most CUT_SLACK) is made a cut by leaving those
    out: the model without some tasks (and their precedences) is a relaxation, every
    schedule of the whole model gives one of it at most as long. The cuts are then found
    again in the reduced graph (a path through a removed task no longer counts).

    Applies to models without optional tasks or alternatives, with minimum lags >= 0 only
    (an ancestor with a negative lag may overlap its descendant) and at most CUT_TASKS
    tasks; memories are left out (a relaxation too)."""
    tasks = model.tasks
    n = len(tasks)
    if not tasks or n > CUT_TASKS or model.alternatives or any(t.optional for t in tasks):
        return 0
    if any(p.min_lag < 0 for p in model.precedences):
        return 0
    arcs = [(p.before.index, p.after.index) for p in model.precedences]
    everything = (1 << n) - 1
    relations = _ancestry(n, arcs, everything)
    if relations is None:
        return 0   # a cycle (of zero length): left to the other bounds
    # the strict cuts, then with a few tasks left out (which may lose more than it gains on
    # a small model: the larger of the two)
    return max(_cut_sum(model, arcs, relations, everything, slack)
               for slack in (0, CUT_SLACK))


def _cut_sum(model, arcs, relations, everything, slack):
    """The bound of `cut_lower_bound` with the tasks incomparable to a task left out when
    they are at most `slack`."""
    tasks = model.tasks
    n = len(tasks)
    ancestors, descendants = relations
    removed = 0
    for c in range(n):
        if slack == 0:
            break
        apart = everything & ~(ancestors[c] | descendants[c] | (1 << c))
        if bin(apart).count("1") <= slack:
            if not (removed >> c) & 1:
                removed |= apart
    kept = [i for i in range(n) if not (removed >> i) & 1]
    kept_mask = everything & ~removed
    arcs = [(a, b) for a, b in arcs if (kept_mask >> a) & 1 and (kept_mask >> b) & 1]
    ancestors, descendants = _ancestry(n, arcs, everything)
    cuts = [c for c in kept
            if (ancestors[c] | descendants[c] | (1 << c)) & kept_mask == kept_mask]
    if not cuts:
        return 0
    # the cuts are totally ordered (each is an ancestor or a descendant of the others)
    cuts.sort(key=lambda c: bin(ancestors[c] & kept_mask).count("1"))
    bound = 0
    before = 0   # the tasks up to the last cut (inclusive)
    for k, c in enumerate(cuts + [None]):
        if c is None:
            piece = kept_mask & ~before
        else:
            piece = ancestors[c] & kept_mask & ~before
        bound += _piece_bound(model, piece, releases=(k == 0))
        if c is not None:
            bound += tasks[c].duration
            before |= piece | (1 << c)
    return bound


def _ancestry(n, arcs, everything):
    """(ancestors, descendants): per task, the bit sets of the tasks with a path of
    precedences to it and from it; None when the arcs have a cycle."""
    graph = Precedences(n, [(a, b, 0) for a, b in arcs])
    order = graph.topological_order()
    if order is None:
        return None
    successors = [[] for _ in range(n)]
    predecessors = [[] for _ in range(n)]
    for a, b in arcs:
        successors[a].append(b)
        predecessors[b].append(a)
    ancestors, descendants = [0] * n, [0] * n
    for i in order:
        bits = 0
        for j in predecessors[i]:
            bits |= ancestors[j] | (1 << j)
        ancestors[i] = bits
    for i in reversed(order):
        bits = 0
        for j in successors[i]:
            bits |= descendants[j] | (1 << j)
        descendants[i] = bits
    return ancestors, descendants


def _piece_bound(model, piece, releases):
    """makespan_lower_bound of the tasks of the bit set `piece` as a model of their own (the
    few attributes it reads, in plain records: this module is below sched.model, which
    imports the optimiser that imports it)."""
    if not piece:
        return 0
    own = {}
    for t in model.tasks:
        if (piece >> t.index) & 1:
            own[t.index] = SimpleNamespace(index=len(own), name=t.name, duration=t.duration,
                                           release=t.release if releases else 0,
                                           optional=False)
    precedences = [SimpleNamespace(before=own[p.before.index], after=own[p.after.index],
                                   min_lag=p.min_lag)
                   for p in model.precedences
                   if p.before.index in own and p.after.index in own]
    resources = []
    for resource in model.resources:
        demands = [(own[t.index], d) for t, d in resource.demands if t.index in own]
        if demands:
            resources.append(SimpleNamespace(demands=demands, capacity=resource.capacity,
                                             unary=resource.unary))
    sub = SimpleNamespace(tasks=sorted(own.values(), key=lambda t: t.index),
                          precedences=precedences, resources=resources)
    return makespan_lower_bound(sub)
