"""A first schedule for a multi-mode model without search: a choice of modes that fits the
non-renewable budgets, then the serial schedule of smtsched.sched.heuristic over the chosen
modes, then single-mode changes that shorten it.

Without it the first schedule of a model with alternatives came from the search, which
chooses modes and orders at once, clause by clause: when the non-renewable budgets are tight
most of its mode choices overflow them, and a generated 30-activity instance
(bench/gen_project.py's mm30_07) had no schedule for 3.8 s of its 10. Here the budgets are
met first (mode_choice.fitting_choice: each activity takes the shortest mode that still lets
the others complete, from the backward least-need frontiers of Sprecher, Hartmann and Drexl
1997), and the serial scheme (Kolisch 1996) places the activities with those modes.

A few choices are tried (the activities taken by the longest chain after them, then in the
order of the file; and the least consumption first; each also with its longest path,
resources left out, shortened by mode changes that the budgets allow: `shorter_paths`), each
with a few seeded priority draws, and the shortest schedule kept; then, for a bounded number
of passes, each activity in turn tries its other modes (those the budgets allow with the
others fixed) and keeps a change that shortens the schedule (a local search over modes as in Hartmann and Drexl's multi-mode
heuristics, in its simplest form). Every count is fixed, so the same model and seed give the
same schedule.

Applies to models with alternatives and non-renewable resources, makespan, where every
optional task is an option of one alternative and nothing the serial scheme cannot keep is
there (maximum lags, deadlines, a horizon, presence rules, setup times, memories); None
otherwise, and the optimiser's first search finds the first schedule as before. The schedule
it returns is checked by the optimiser like any other.
"""
import random

from ..precedence import Precedences
from . import mode_choice
from .heuristic import _Profile

DRAWS = 3          # priority draws per choice of modes
PASSES = 2         # passes of single-mode changes
MAX_ACTIVITIES = 400   # beyond, one draw and no passes (each pass is quadratic)


def applicable(model):
    if not model.alternatives or not model.nonrenewables or model.objective != "makespan":
        return False
    if model.horizon is not None or model.presence_rules or model.setups or model.memories:
        return False
    if any(t.deadline is not None for t in model.tasks):
        return False
    return all(p.max_lag is None for p in model.precedences)


def first_schedule(model, seed=0):
    """(starts, present) by task index, or None (see the module docstring)."""
    if not applicable(model):
        return None
    plan = _Plan.of(model)
    if plan is None:
        return None
    best = None
    for choice in plan.choices():
        if choice is None:
            continue
        found = plan.best_of_draws(choice, seed)
        if found is not None and (best is None or found[0] < best[0]):
            best = found + (choice,)
    if best is None:
        return None
    value, starts, choice = best
    if len(plan.nodes) <= MAX_ACTIVITIES:
        value, starts, choice = plan.improve(value, starts, choice)
    return plan.schedule(starts, choice)


class _Plan:
    """The activities (mandatory tasks) of the model and what each mode of them needs."""

    @classmethod
    def of(cls, model):
        self = cls()
        self.model = model
        tasks = model.tasks
        self.alternative_of = {}   # main task index -> position in model.alternatives
        self.owner = {}            # option index -> main task index
        for k, (main, options) in enumerate(model.alternatives):
            self.alternative_of[main.index] = k
            for o in options:
                if o.index in self.owner:
                    return None
                self.owner[o.index] = main.index
        if any(t.optional and t.index not in self.owner for t in tasks):
            return None
        self.nodes = [t.index for t in tasks if not t.optional]
        self.node_of = {i: k for k, i in enumerate(self.nodes)}
        self.demands = [[] for _ in tasks]   # task -> [(resource, demand)]
        for r, resource in enumerate(model.resources):
            for t, d in resource.demands:
                self.demands[t.index].append((r, d))
        amounts = [{t.index: a for t, a in res.consumption} for res in model.nonrenewables]
        self.vector = [tuple(a.get(t.index, 0) for a in amounts) for t in tasks]
        self.capacity = tuple(res.capacity for res in model.nonrenewables)
        # the options that can be present: an optional task may demand more than a renewable
        # resource has (the model allows it; such a task is never present)
        room = [True] * len(tasks)
        for resource in model.resources:
            for t, d in resource.demands:
                if d > resource.capacity and t.duration > 0:
                    room[t.index] = False
        self.allowed = [[o for o in options if room[o.index]]
                        for _, options in model.alternatives]
        if not all(self.allowed) or not all(room[i] for i in self.nodes):
            return None
        # the activities by the longest chain after them with their shortest modes
        shortest = [tasks[i].duration if i not in self.alternative_of else
                    max(tasks[i].duration, min(o.duration for o in
                                               self.allowed[self.alternative_of[i]]))
                    for i in self.nodes]
        arcs = self.arcs({k: None for k in range(len(model.alternatives))}, shortest_of=True)
        graph = Precedences(len(self.nodes), arcs)
        if graph.topological_order() is None:
            return None   # a cycle of lags: left to the search
        tail = graph.longest_to(shortest)
        self.by_tail = sorted(range(len(model.alternatives)),
                              key=lambda k: (-tail[self.node_of[model.alternatives[k][0].index]],
                                             k))
        return self

    def choices(self):
        """The choices of modes to try (None where none fits)."""
        weights = [c if c > 0 else 1 for c in self.capacity]

        def share(o):
            return sum(x / c for x, c in zip(self.vector[o.index], weights))

        shortest = [sorted(opts, key=lambda o: (o.duration, share(o), o.index))
                    for opts in self.allowed]
        cheapest = [sorted(opts, key=lambda o: (share(o), o.duration, o.index))
                    for opts in self.allowed]
        in_file = list(range(len(self.allowed)))
        for order, preferences in ((self.by_tail, shortest), (in_file, shortest),
                                   (in_file, cheapest)):
            choice = mode_choice.fitting_choice(self.model, order, preferences)
            yield choice
            if choice is not None:
                yield self.shorter_paths(choice)

    def path_measure(self, choice):
        data = self.passes_data(choice)
        if data is None:
            return None
        graph, lengths, releases, _ = data
        head = graph.longest_from(releases)
        tail = graph.longest_to(lengths)
        if head is None or tail is None:
            return None
        longest = max(h + t for h, t in zip(head, tail))
        critical = sum(1 for h, t in zip(head, tail) if h + t == longest)
        return (longest, critical, sum(lengths)), head, tail

    def shorter_paths(self, choice, limit=2000):
        """The choice with its longest path (resources left out) shortened: a critical
        activity takes a shorter mode, with one other activity's mode changed when the budgets
        need it, as long as (longest path, critical activities, total length) drops."""
        measured = self.path_measure(choice)
        if measured is None:
            return choice
        value, head, tail = measured
        alternatives = self.model.alternatives
        node = [self.node_of[main.index] for main, _ in alternatives]
        tried = 0
        while tried < limit:
            moved = False
            for k in self.by_tail:
                if head[node[k]] + tail[node[k]] != value[0]:
                    continue
                for o in sorted(self.allowed[k], key=lambda o: (o.duration, o.index)):
                    if o.duration >= choice[k].duration:
                        continue
                    trial = dict(choice)
                    trial[k] = o
                    if self.fits(trial):
                        trials = [trial]
                    else:
                        trials = []
                        for j in range(len(alternatives)):
                            for o2 in (self.allowed[j] if j != k else ()):
                                if o2 is not choice[j]:
                                    other = dict(trial)
                                    other[j] = o2
                                    if self.fits(other):
                                        trials.append(other)
                    for other in trials:
                        tried += 1
                        found = self.path_measure(other)
                        if found is not None and found[0] < value:
                            (value, head, tail), choice, moved = found, other, True
                            break
                    if moved or tried >= limit:
                        break
                if moved or tried >= limit:
                    break
            if not moved:
                break
        return choice

    def arcs(self, choice, shortest_of=False):
        """The arcs between activities (node numbers) with `choice` ({alternative position:
        option task}); with shortest_of, an option's arcs count only through its main task."""
        tasks = self.model.tasks
        chosen = {o.index for o in choice.values() if o is not None}
        out = []
        for p in self.model.precedences:
            a, b = p.before, p.after
            if a.optional and (shortest_of or a.index not in chosen):
                continue
            if b.optional and (shortest_of or b.index not in chosen):
                continue
            na = self.node_of[self.owner.get(a.index, a.index)]
            nb = self.node_of[self.owner.get(b.index, b.index)]
            out.append((na, nb, tasks[a.index].duration + p.min_lag))
        return out

    def passes_data(self, choice):
        """(graph, lengths, releases, uses) of the activities with `choice`; None when an
        arc within one activity cannot hold."""
        tasks = self.model.tasks
        arcs = []
        for a, b, w in self.arcs(choice):
            if a == b:
                if w > 0:
                    return None
                continue
            arcs.append((a, b, w))
        lengths, releases, uses = [], [], []
        for i in self.nodes:
            t = tasks[i]
            parts = [t]
            if i in self.alternative_of:
                parts.append(choice[self.alternative_of[i]])
            lengths.append(max(p.duration for p in parts))
            releases.append(max(p.release for p in parts))
            uses.append([(r, d, p.duration) for p in parts if p.duration > 0
                         for r, d in self.demands[p.index]])
        return Precedences(len(self.nodes), arcs), lengths, releases, uses

    def best_of_draws(self, choice, seed, draws=DRAWS):
        """(makespan, starts by node) of the best of `draws` serial passes, or None."""
        data = self.passes_data(choice)
        if data is None:
            return None
        graph, lengths, releases, uses = data
        if graph.topological_order() is None:
            return None
        tail = graph.longest_to(lengths)
        generator = random.Random(seed)
        best = None
        if len(self.nodes) > MAX_ACTIVITIES:
            draws = 1
        for draw in range(draws):
            noise = [generator.random() if draw else 0.0 for _ in self.nodes]
            starts = self.serial_pass(graph, lengths, releases, uses, tail, noise)
            end = max((s + d for s, d in zip(starts, lengths)), default=0)
            if best is None or end < best[0]:
                best = (end, starts)
        return best

    def serial_pass(self, graph, lengths, releases, uses, tail, noise):
        """heuristic._one_pass over the activities, each use with its own length."""
        earliest = list(releases)
        order = graph.topological_order([(-tail[i], -noise[i], i) for i in range(len(lengths))])
        starts = [None] * len(lengths)
        profiles = [_Profile(resource.capacity) for resource in self.model.resources]
        for i in order:
            at = earliest[i]
            moved = True
            while moved:
                moved = False
                for r, demand, length in uses[i]:
                    fit = profiles[r].earliest_fit(at, length, demand)
                    if fit != at:
                        at, moved = fit, True
            for r, demand, length in uses[i]:
                profiles[r].add(at, at + length, demand)
            starts[i] = at
            for j, gap in graph.successors[i]:
                earliest[j] = max(earliest[j], at + gap)
        return starts

    def fits(self, choice):
        used = [0] * len(self.capacity)
        chosen = {o.index for o in choice.values()}
        for t in self.model.tasks:
            if not t.optional or t.index in chosen:
                for r, x in enumerate(self.vector[t.index]):
                    used[r] += x
        return all(u <= c for u, c in zip(used, self.capacity))

    def improve(self, value, starts, choice):
        """Single-mode changes that shorten the schedule, PASSES passes over the activities
        (by the longest chain after them), each change kept when it fits the budgets and its
        schedule (one pass without noise) is shorter."""
        for _ in range(PASSES):
            better = False
            for k in self.by_tail:
                for o in self.allowed[k]:
                    if o is choice[k]:
                        continue
                    trial = dict(choice)
                    trial[k] = o
                    if not self.fits(trial):
                        continue
                    found = self.best_of_draws(trial, 0, draws=1)
                    if found is not None and found[0] < value:
                        value, starts = found
                        choice = trial
                        better = True
            if not better:
                break
        return value, starts, choice

    def schedule(self, node_starts, choice):
        """(starts, present) by task: an option starts with its main task, present when
        chosen."""
        tasks = self.model.tasks
        chosen = {o.index for o in choice.values()}
        starts = [0] * len(tasks)
        present = [True] * len(tasks)
        for k, i in enumerate(self.nodes):
            starts[i] = node_starts[k]
        for o, main in self.owner.items():
            starts[o] = starts[main]
            present[o] = o in chosen
        return starts, present
