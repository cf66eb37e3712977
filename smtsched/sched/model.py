"""The scheduling model a scheduler writes when it calls smtsched as a backend.

    m = Model("demo")
    a = m.task("a", duration=3)
    b = m.task("b", duration=2, release=1)
    m.precedence(a, b)                      # b starts after a ends
    m.unary([a, b])                         # never at the same time (a machine)
    m.minimize_makespan()
    result = m.solve(time_limit=10)
    result.status, result.objective, result.start(b)

A model is plain data (tasks, precedences, resources, objective); `smtsched.sched.encode`
turns it into difference-logic formulas and `smtsched.sched.optimize` searches it. Durations,
releases, deadlines, lags and demands are integers: time is discrete.
"""
import json
import numbers

from ..errors import SmtschedError


class ModelError(SmtschedError, ValueError):
    """The model itself is wrong (a negative duration, a task of another model, ...)."""


def _integer(value, what, minimum=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ModelError(f"{what} must be an integer, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ModelError(f"{what} must be at least {minimum}, got {value}")
    return value


def _pairs(items, what):
    """The (task, value) pairs of a dict or of an iterable of pairs."""
    if isinstance(items, dict):
        return list(items.items())
    try:
        pairs = [tuple(pair) for pair in items]
    except TypeError:
        raise ModelError(f"{what} must be a dict or (task, value) pairs, got {items!r}") from None
    for pair in pairs:
        if len(pair) != 2:
            raise ModelError(f"{what} must be a dict or (task, value) pairs, got {pair!r}")
    return pairs


def _distinct(tasks, what):
    """A task listed twice has no clear meaning (a machine task overlapping itself, an
    alternative that is its own second option): refused rather than guessed."""
    seen = set()
    for task in tasks:
        if task.index in seen:
            raise ModelError(f"{task.name} appears twice in {what}")
        seen.add(task.index)
    return tasks


class Task:
    """An activity: it starts at an integer time and runs `duration` units without a break."""

    __slots__ = ("model", "index", "name", "duration", "release", "deadline", "optional")

    def __init__(self, model, index, name, duration, release, deadline, optional):
        self.model = model
        self.index = index
        self.name = name
        self.duration = duration
        self.release = release
        self.deadline = deadline      # latest end, or None
        self.optional = optional      # may be left out (then it constrains nothing)

    def __repr__(self):
        return f"Task({self.name!r}, duration={self.duration})"


class Precedence:
    """start(after) - end(before) lies in [min_lag, max_lag] (max_lag None: unbounded)."""

    __slots__ = ("before", "after", "min_lag", "max_lag")

    def __init__(self, before, after, min_lag, max_lag):
        self.before = before
        self.after = after
        self.min_lag = min_lag
        self.max_lag = max_lag


class Resource:
    """A renewable resource: at every instant the demands of the running tasks sum to at most
    `capacity`. A unary resource (a machine) has capacity 1 and demand 1 for each task."""

    __slots__ = ("name", "capacity", "demands")

    def __init__(self, name, capacity, demands):
        self.name = name
        self.capacity = capacity
        self.demands = demands        # [(task, demand)], demand >= 1

    @property
    def unary(self):
        return self.capacity == 1

    def __repr__(self):
        return f"Resource({self.name!r}, capacity={self.capacity}, tasks={len(self.demands)})"


class NonRenewable:
    """A non-renewable (consumable) resource: every present task of `consumption` uses its
    amount once, for the whole schedule, and the amounts of the present tasks sum to at most
    `capacity` (a pseudo-Boolean constraint over the presences; a mandatory task's amount is
    a constant). PSPLIB's multi-mode non-renewable resources, PyJobShop's consumables."""

    __slots__ = ("name", "capacity", "consumption")

    def __init__(self, name, capacity, consumption):
        self.name = name
        self.capacity = capacity
        self.consumption = consumption   # [(task, amount)], amount >= 1

    def constant(self):
        """The amounts of the mandatory tasks: consumed in every schedule."""
        return sum(a for t, a in self.consumption if not t.optional)

    def __repr__(self):
        return (f"NonRenewable({self.name!r}, capacity={self.capacity}, "
                f"tasks={len(self.consumption)})")


class PresenceRule:
    """A rule over the presences of tasks (PyJobShop's SelectAllOrNone, SelectAtLeastOne,
    SelectExactlyOne): among `tasks`, all or none present ("all_or_none"), at least one
    ("at_least_one") or exactly one ("exactly_one"); only while `condition` (a task) is
    present, or always (None). A mandatory task counts as present."""

    KINDS = ("all_or_none", "at_least_one", "exactly_one")
    __slots__ = ("kind", "tasks", "condition")

    def __init__(self, kind, tasks, condition):
        self.kind = kind
        self.tasks = tasks
        self.condition = condition

    def clauses(self, literal, negate):
        """The rule as clauses over presence literals: `literal(task)` is the presence of an
        optional task, None for a mandatory one (always present); `negate(lit)` its negation.
        Clauses with a mandatory task's (true) presence in them are left out and its negation
        dropped; an empty clause (the rule cannot hold) is returned as []. The same clauses
        as OR-Tools' (PyJobShop solvers/ortools/Constraints.py, `_task_selection_constraints`:
        pairwise equal presences, a sum >= 1, a sum == 1, each enforced by the condition)."""
        def clause(negative, positive):
            # the disjunction of the negations of `negative` and of `positive`
            out = []
            for t in negative:
                lit = literal(t)
                if lit is not None:
                    out.append(negate(lit))
                # a mandatory task's negation is false: dropped
            for t in positive:
                lit = literal(t)
                if lit is None:
                    return None   # true: the clause always holds
                out.append(lit)
            return out

        condition = [] if self.condition is None else [self.condition]
        raw = []
        tasks = self.tasks
        if self.kind == "all_or_none":
            for a, b in zip(tasks, tasks[1:]):
                raw.append(clause(condition + [a], [b]))
                raw.append(clause(condition + [b], [a]))
        else:
            raw.append(clause(condition, tasks))
            if self.kind == "exactly_one":
                for i in range(len(tasks)):
                    for j in range(i + 1, len(tasks)):
                        raw.append(clause(condition + [tasks[i], tasks[j]], []))
        return [c for c in raw if c is not None]

    def __repr__(self):
        return (f"PresenceRule({self.kind!r}, {[t.name for t in self.tasks]}, "
                f"condition={None if self.condition is None else self.condition.name!r})")


class SetupTimes:
    """Sequence-dependent setup times on a machine (PyJobShop's SetupTime, as its OR-Tools
    solver reads them: a circuit over the machine's tasks). The present tasks of `resource`,
    zero-duration ones too, run one after another in a sequence, each ending before the next
    starts; when `after` directly follows `before` in it, `after` starts at least
    times[(before, after)] after `before` ends. Only consecutive tasks: a setup between two
    tasks with others between them does not apply (setups that break the triangle
    inequality make the difference)."""

    __slots__ = ("resource", "times")

    def __init__(self, resource, times):
        self.resource = resource
        self.times = times            # {(before task, after task): duration >= 1}

    def least_gaps(self):
        """{(a.index, b.index): D}: the least time between the end of a and the start of b
        whenever a comes before b in the sequence, directly or not: the shortest path from a
        to b over the machine's tasks, a step u -> v costing setup(u, v) + duration(v) (the
        duration of b itself left out). A chain a, c_1, ..., c_k, b of the sequence takes at
        least that, so "a before b -> start(b) >= end(a) + D" holds in every schedule; with
        setups that keep the triangle inequality D is the setup itself (the closure of the
        setup matrix under shortest paths; Floyd-Warshall, O(n^3))."""
        tasks = [t for t, _ in self.resource.demands]
        n = len(tasks)
        gap = [[self.times.get((a, b), 0) for b in tasks] for a in tasks]
        for k, c in enumerate(tasks):
            through = gap[k]
            for i in range(n):
                via = gap[i][k] + c.duration
                row = gap[i]
                for j in range(n):
                    if via + through[j] < row[j]:
                        row[j] = via + through[j]
        return {(a.index, b.index): gap[i][j] for i, a in enumerate(tasks)
                for j, b in enumerate(tasks) if i != j}

    def order_name(self, number, a, b):
        """The name of the Boolean "a comes before b in the sequence" (a before b in the
        resource's task list; `number`: the resource's position in the model), as the
        certificates name it (docs/certificates.md, model.json)."""
        return "order %d %s" % (number, json.dumps([a.name, b.name]))

    def next_name(self, number, a, b):
        """The name of the Boolean "b directly follows a in the sequence"."""
        return "next %d %s" % (number, json.dumps([a.name, b.name]))

    def __repr__(self):
        return f"SetupTimes({self.resource.name!r}, pairs={len(self.times)})"


class Buffer:
    """Memory that `producer` allocates when it starts and that is freed when the last of
    `consumers` (and the producer itself) ends; `producer` None: allocated at time 0;
    `until_end`: never freed (an output kept to the end of the schedule)."""

    __slots__ = ("name", "size", "producer", "consumers", "until_end")

    def __init__(self, name, size, producer, consumers, until_end):
        self.name = name
        self.size = size
        self.producer = producer
        self.consumers = consumers
        self.until_end = until_end

    def __repr__(self):
        return f"Buffer({self.name!r}, size={self.size})"


class Memory:
    """A memory of `capacity` bytes (None: unbounded, e.g. when its peak is the objective).
    At every instant the buffers that are live then fit in it: a buffer is live from the
    start of its producer (time 0 without one) until the end of its last consumer."""

    __slots__ = ("name", "capacity", "buffers")

    def __init__(self, name, capacity):
        self.name = name
        self.capacity = capacity
        self.buffers = []

    def __repr__(self):
        return f"Memory({self.name!r}, capacity={self.capacity}, buffers={len(self.buffers)})"


class Model:
    """Tasks, precedences with time lags, unary and cumulative resources, non-renewable
    resources, memories with buffers, an objective."""

    def __init__(self, name="model"):
        self.name = name
        self.tasks = []
        self.precedences = []
        self.resources = []
        self.alternatives = []        # (task, [option tasks]): exactly one option is present
        self.nonrenewables = []       # NonRenewable: consumed once by the present tasks
        self.presence_rules = []      # PresenceRule: all or none / at least / exactly one
        self.setups = []              # SetupTimes, one per machine that has any
        self.memories = []
        self.objective = None         # "makespan", "weighted_completion",
        #                               "weighted_tardiness", "peak_memory" or None
        self.objective_memory = None  # the Memory whose peak is minimised
        self.weights = {}             # task index -> weight (weighted objectives)
        self.dues = None              # task index -> due date (weighted tardiness)
        self.earliness = {}           # task index -> (weight, due): weight * max(0, due - end)
        # more terms of a weighted objective (minimize_weighted_sum): weight * [end > due]
        # per (index, weight, due); weight * max of member weight * max(0, end - due) per
        # (weight, [(index, weight, due)]); weight * the total setup time
        self.tardy = []
        self.max_groups = []
        self.setup_weight = 0
        self.horizon = None           # an upper bound on every end, if known
        self._names = {}

    # -- building -------------------------------------------------------------------------
    def task(self, name=None, duration=0, release=0, deadline=None, optional=False):
        if not isinstance(optional, bool):
            raise ModelError(f"optional must be True or False, got {optional!r}")
        if name is None:
            name = f"t{len(self.tasks)}"
        name = str(name)
        if name in self._names:
            raise ModelError(f"a task named {name!r} already exists")
        duration = _integer(duration, f"the duration of {name}", 0)
        release = _integer(release, f"the release of {name}", 0)
        if deadline is not None:
            deadline = _integer(deadline, f"the deadline of {name}")
            if deadline < release + duration:
                raise ModelError(f"{name} cannot end by {deadline}: it is released at {release} "
                                 f"and runs for {duration}")
        task = Task(self, len(self.tasks), name, duration, release, deadline, optional)
        self.tasks.append(task)
        self._names[name] = task
        return task

    def __getitem__(self, name):
        return self._names[name]

    def _own(self, task):
        if not isinstance(task, Task) or task.model is not self:
            raise ModelError(f"{task!r} is not a task of this model")
        return task

    def _tasks(self, tasks, what):
        """A list of this model's tasks from an iterable."""
        try:
            tasks = list(tasks)
        except TypeError:
            raise ModelError(f"{what} must be a list of tasks, got {tasks!r}") from None
        return [self._own(t) for t in tasks]

    def precedence(self, before, after, min_lag=0, max_lag=None):
        """`after` starts at least `min_lag` (and at most `max_lag`) after `before` ends."""
        before, after = self._own(before), self._own(after)
        min_lag = _integer(min_lag, "min_lag")
        if max_lag is not None:
            max_lag = _integer(max_lag, "max_lag")
            if max_lag < min_lag:
                raise ModelError(f"max_lag {max_lag} is below min_lag {min_lag}")
        self.precedences.append(Precedence(before, after, min_lag, max_lag))

    def unary(self, tasks, name=None):
        """A machine: the tasks never overlap."""
        tasks = _distinct(self._tasks(tasks, "the tasks of a machine"), name or "the machine")
        resource = Resource(name or f"unary{len(self.resources)}", 1, [(t, 1) for t in tasks])
        self.resources.append(resource)
        return resource

    def cumulative(self, demands, capacity, name=None):
        """A renewable resource of `capacity`; `demands` maps tasks to what they use
        (a dict, or (task, demand) pairs). Tasks demanding 0 are left out."""
        capacity = _integer(capacity, "the capacity", 0)
        pairs = []
        for task, demand in _pairs(demands, "the demands"):
            task = self._own(task)
            demand = _integer(demand, f"the demand of {task.name}", 0)
            if demand > capacity:
                if not task.optional:
                    raise ModelError(f"{task.name} demands {demand} of a resource of capacity "
                                     f"{capacity}: the model is infeasible")
            if demand:
                pairs.append((task, demand))
        _distinct([t for t, _ in pairs], name or "the resource")
        resource = Resource(name or f"cumulative{len(self.resources)}", capacity, pairs)
        self.resources.append(resource)
        return resource

    def nonrenewable(self, consumption, capacity, name=None):
        """A non-renewable resource of `capacity` (multi-mode RCPSP's non-renewable
        resources, PyJobShop's consumables): `consumption` maps tasks to the non-negative
        amount each consumes once when it is present (a dict, or (task, amount) pairs),
        and the amounts of the present tasks sum to at most `capacity`. Typically the
        tasks are the options of an `alternative` (the modes of an activity); a mandatory
        task's amount is consumed in every schedule. Tasks consuming 0 are left out. A
        model whose tasks cannot fit (mandatory amounts above the capacity, or no choice
        of options that fits) is not refused here: solving it answers INFEASIBLE."""
        capacity = _integer(capacity, "the capacity of a non-renewable resource", 0)
        if name is not None and not isinstance(name, str):
            raise ModelError(f"the name of a non-renewable resource must be a string, got "
                             f"{name!r}")
        name = name if name is not None else f"nonrenewable{len(self.nonrenewables)}"
        if any(r.name == name for r in self.nonrenewables):
            raise ModelError(f"a non-renewable resource named {name!r} already exists")
        pairs = []
        for task, amount in _pairs(consumption, f"the consumption of {name}"):
            task = self._own(task)
            amount = _integer(amount, f"the consumption of {task.name} in {name}", 0)
            pairs.append((task, amount))
        _distinct([t for t, _ in pairs], name)
        resource = NonRenewable(name, capacity, [(t, a) for t, a in pairs if a])
        self.nonrenewables.append(resource)
        return resource

    def alternative(self, task, options):
        """`task` (a mandatory task) is carried out by exactly one of `options` (optional
        tasks), which then starts with it; each option keeps its own duration (e.g. the same
        operator on a faster or slower unit), and `task` keeps its own."""
        task = self._own(task)
        if task.optional:
            raise ModelError(f"{task.name} is optional: the task of an alternative must be "
                             "mandatory (exactly one of its options is always present)")
        options = _distinct(self._tasks(options, f"the options of {task.name}"),
                            f"the options of {task.name}")
        for option in options:
            if not option.optional:
                raise ModelError(f"the alternative {option.name} must be an optional task")
        if not options:
            raise ModelError(f"{task.name} needs at least one alternative")
        self.alternatives.append((task, options))

    def select_all_or_none(self, tasks, condition=None):
        """All of `tasks` are present or none is (PyJobShop's SelectAllOrNone); with
        `condition` (a task), only while it is present. A mandatory task counts as present
        (so one mandatory task among `tasks` makes them all present)."""
        return self._presence_rule("all_or_none", tasks, condition)

    def select_at_least_one(self, tasks, condition=None):
        """At least one of `tasks` is present (PyJobShop's SelectAtLeastOne); with
        `condition`, only while it is present."""
        return self._presence_rule("at_least_one", tasks, condition)

    def select_exactly_one(self, tasks, condition=None):
        """Exactly one of `tasks` is present (PyJobShop's SelectExactlyOne); with
        `condition`, only while it is present. Unlike `alternative`, it ties no start."""
        return self._presence_rule("exactly_one", tasks, condition)

    def _presence_rule(self, kind, tasks, condition):
        what = f"the tasks of select_{kind}"
        tasks = _distinct(self._tasks(tasks, what), what)
        if not tasks:
            # PyJobShop refuses an empty list too (ProblemData's validation)
            raise ModelError(f"select_{kind} needs at least one task")
        if condition is not None:
            condition = self._own(condition)
        rule = PresenceRule(kind, tasks, condition)
        self.presence_rules.append(rule)
        return rule

    def setup_times(self, resource, times):
        """Sequence-dependent setup times on the machine `resource` (a unary resource of this
        model): `times` maps (before, after) pairs of its tasks to durations >= 0 (a dict, or
        ((before, after), duration) pairs). The present tasks of the machine, zero-duration
        ones too, then run in a sequence, one ending before the next starts, and when `after`
        directly follows `before`, it starts at least the duration after `before` ends
        (PyJobShop's setup times, as its OR-Tools solver reads them: between consecutive
        tasks only). Durations 0 are left out; a machine without a positive setup time is
        not sequenced (as in PyJobShop, whose circuit is then not made). Called again on the
        same machine, the pairs are added (a pair twice is refused)."""
        if not isinstance(resource, Resource) or not any(r is resource for r in self.resources):
            raise ModelError(f"{resource!r} is not a resource of this model")
        if not resource.unary:
            raise ModelError(f"{resource.name} is not a machine (capacity 1): setup times "
                             "need one")
        on = {t.index for t, _ in resource.demands}
        setups = next((s for s in self.setups if s.resource is resource), None)
        known = dict(setups.times) if setups is not None else {}
        given = set()
        for pair, duration in _pairs(times, f"the setup times of {resource.name}"):
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise ModelError(f"a setup time needs a (before, after) pair, got {pair!r}")
            a, b = self._own(pair[0]), self._own(pair[1])
            for t in (a, b):
                if t.index not in on:
                    raise ModelError(f"{t.name} is not a task of {resource.name}")
            if a is b:
                raise ModelError(f"a setup time from {a.name} to itself")
            if (a.index, b.index) in given or (a, b) in known:
                raise ModelError(f"the setup time from {a.name} to {b.name} is given twice "
                                 f"on {resource.name}")
            given.add((a.index, b.index))
            duration = _integer(duration, f"the setup time from {a.name} to {b.name}", 0)
            if duration:
                known[(a, b)] = duration
        if setups is None:
            setups = SetupTimes(resource, known)
            if known:
                self.setups.append(setups)
        else:
            setups.times = known
        return setups

    def memory(self, capacity=None, name=None):
        """A memory of `capacity` bytes (None: unbounded); add buffers with `buffer`."""
        if capacity is not None:
            capacity = _integer(capacity, "the memory capacity", 0)
        memory = Memory(name or f"memory{len(self.memories)}", capacity)
        self.memories.append(memory)
        return memory

    def buffer(self, memory, size, producer=None, consumers=(), until_end=False, name=None):
        """`size` bytes of `memory`, live from the start of `producer` (time 0 when None) to
        the end of the last of `consumers` and the producer (to the end of the schedule when
        `until_end`). Consumers may be optional tasks: an absent one holds nothing."""
        if not isinstance(memory, Memory) or memory not in self.memories:
            raise ModelError(f"{memory!r} is not a memory of this model")
        name = str(name) if name is not None else f"{memory.name}.b{len(memory.buffers)}"
        size = _integer(size, f"the size of buffer {name}", 0)
        if producer is not None:
            producer = self._own(producer)
        consumers = tuple(self._tasks(consumers, f"the consumers of buffer {name}"))
        if producer is not None and producer.optional:
            raise ModelError(f"buffer {name}: an optional task cannot produce a buffer (use "
                             "the alternative's main task, and its options as consumers)")
        if not isinstance(until_end, bool):
            raise ModelError(f"until_end must be True or False, got {until_end!r}")
        buffer = Buffer(name, size, producer, consumers, until_end)
        memory.buffers.append(buffer)
        return buffer

    def minimize_makespan(self):
        self.objective = "makespan"
        self._no_more_terms()

    def minimize_peak_memory(self, memory):
        """Minimise the most bytes of `memory` live at any instant."""
        if not isinstance(memory, Memory) or memory not in self.memories:
            raise ModelError(f"{memory!r} is not a memory of this model")
        self.objective = "peak_memory"
        self.objective_memory = memory
        self._no_more_terms()

    def _no_more_terms(self):
        """Forget minimize_weighted_sum's earliness, tardy, max_tardiness and setup_weight
        terms (every objective setter: a term of an earlier objective never counts)."""
        self.earliness = {}
        self.tardy, self.max_groups, self.setup_weight = [], [], 0

    def minimize_weighted_completion(self, weights=None):
        """Minimise sum of weight * end time; `weights` maps tasks to non-negative integers
        (a dict, or (task, weight) pairs; default: 1 for every task)."""
        self._weighted("weighted_completion", weights, None)

    def minimize_weighted_tardiness(self, dues, weights=None):
        """Minimise sum of weight * max(0, end - due); `dues` maps tasks to due dates (tasks
        without one are never tardy), `weights` as for minimize_weighted_completion."""
        self._weighted("weighted_tardiness", weights, dues)

    def minimize_weighted_sum(self, terms=(), tardy=(), max_tardiness=(), setup_weight=0,
                              earliness=()):
        """Minimise sum of weight * end (due None) or weight * max(0, end - due) over `terms`,
        an iterable of (task, weight, due or None): weights non-negative integers, dues
        integers; each task at most once and mandatory (other tasks of the model may be
        optional). PyJobShop's total flow time, total tardiness and their weighted forms.
        Terms all without a due are the weighted_completion objective; otherwise it is
        weighted_tardiness, a term without a due taking due 0: max(0, end - 0) = end, every
        end being at least 0 (start >= release >= 0).

        More terms add to the same sum (issue 17: PyJobShop's weighted tardy jobs, weighted
        maximum tardiness and total setup time), each term non-decreasing in the ends, as the
        cost theory needs:
        - `tardy`: (task, weight, due) triples, weight * [end > due] each (each task at most
          once; a task may also be in `terms`);
        - `max_tardiness`: (weight, members) pairs, members (task, weight, due) triples:
          weight * max over the members of member weight * max(0, end - due) each (0 when
          every member is on time);
        - `setup_weight`: weight * the total setup time, the sum over the machines with
          setup times (Model.setup_times, those at solve time) of the setups between
          consecutive present tasks.
        Every task named is mandatory.

        `earliness`: (task, weight, due) triples adding weight * max(0, due - end) (total
        earliness; with tardiness terms on the same tasks, just in time): each task at most
        once in it (it may also be in `terms`), mandatory, the due an integer. The sum is
        then convex in the ends but no longer grows with them: the search bounds it with the
        convex cost theory (theories/convex_cost_ref.py) and returns the best timing of the
        orderings it finds, not the earliest one. That theory bounds sums of ends, tardiness
        and earliness only: earliness (of weight > 0) with tardy, max_tardiness or
        setup_weight terms is refused with a ModelError."""
        early = self._earliness_terms(earliness)
        try:
            terms = [tuple(term) for term in terms]
        except TypeError:
            raise ModelError("the terms must be (task, weight, due or None) triples, got "
                             f"{terms!r}") from None
        weights, dues = {}, {}
        for term in terms:
            if len(term) != 3:
                raise ModelError(f"a term must be (task, weight, due or None), got {term!r}")
            task, weight, due = term
            task = self._own(task)
            if task.index in weights:
                raise ModelError(f"{task.name} appears twice in the weighted sum")
            weights[task.index] = _integer(weight, f"the weight of {task.name}", 0)
            if due is not None:
                dues[task.index] = _integer(due, f"the due date of {task.name}")
        steps = self._due_triples(tardy, "tardy")
        groups = []
        try:
            given = [tuple(group) for group in max_tardiness]
        except TypeError:
            raise ModelError("max_tardiness must be (weight, members) pairs, got "
                             f"{max_tardiness!r}") from None
        for group in given:
            if len(group) != 2:
                raise ModelError(f"a max_tardiness group must be (weight, members), got "
                                 f"{group!r}")
            weight = _integer(group[0], "the weight of a max_tardiness group", 0)
            members = self._due_triples(group[1], "a max_tardiness group")
            if not members:
                raise ModelError("a max_tardiness group needs at least one member")
            groups.append((weight, members))
        setup_weight = _integer(setup_weight, "setup_weight", 0)
        for indices in ([i for i, _, _ in steps], *[[i for i, _, _ in m] for _, m in groups]):
            self._check_weighted(indices)
        self._check_weighted(weights)
        more = [name for name, given in (("tardy", steps), ("max_tardiness", groups),
                                         ("setup_weight", setup_weight)) if given]
        if early and more:
            # the convex cost theory that bounds earliness carries no steps, max groups or
            # literal terms, and the cost theory that does is for non-decreasing costs only:
            # no theory bounds the sum (issue 17)
            raise ModelError(f"earliness with {' and '.join(more)} is not supported in one "
                             "weighted sum (the convex cost theory of earliness bounds sums "
                             "of ends, tardiness and earliness only)")
        tardiness = bool(dues)
        self.weights = weights
        self.dues = {i: dues.get(i, 0) for i in weights} if tardiness else None
        self.objective = "weighted_tardiness" if tardiness else "weighted_completion"
        self.tardy, self.max_groups, self.setup_weight = steps, groups, setup_weight
        self.earliness = early

    def _earliness_terms(self, earliness):
        """{task index: (weight, due)} of minimize_weighted_sum's `earliness` (terms of
        weight 0 left out), ModelError for anything else."""
        early = {i: (weight, due)
                 for i, weight, due in self._due_triples(earliness, "the earliness terms")}
        self._check_weighted(early)
        return {i: term for i, term in early.items() if term[0] > 0}

    def _due_triples(self, triples, what):
        """[(index, weight, due)] of (task, weight, due) triples (each task once, a due
        required)."""
        try:
            triples = [tuple(t) for t in triples]
        except TypeError:
            raise ModelError(f"{what} must be (task, weight, due) triples, got "
                             f"{triples!r}") from None
        out, seen = [], set()
        for triple in triples:
            if len(triple) != 3:
                raise ModelError(f"{what}: a term must be (task, weight, due), got {triple!r}")
            task, weight, due = triple
            task = self._own(task)
            if task.index in seen:
                raise ModelError(f"{task.name} appears twice in {what}")
            seen.add(task.index)
            out.append((task.index, _integer(weight, f"the weight of {task.name}", 0),
                        _integer(due, f"the due date of {task.name}")))
        return out

    def cost_terms(self):
        """Whether the weighted objective has terms beyond the weighted sum of ends or
        tardiness (minimize_weighted_sum's tardy, max_tardiness, setup_weight)."""
        return bool(self.tardy or self.max_groups or self.setup_weight)

    def _weighted(self, kind, weights, dues):
        items = _pairs(weights, "the weights") if weights is not None \
            else [(t, 1) for t in self.tasks]
        weights = {}
        for task, weight in items:
            task = self._own(task)
            weights[task.index] = _integer(weight, f"the weight of {task.name}", 0)
        self.dues = None
        if dues is not None:
            self.dues = {}
            for task, due in _pairs(dues, "the due dates"):
                task = self._own(task)
                self.dues[task.index] = _integer(due, f"the due date of {task.name}")
            # a task without a due date is never tardy
            weights = {i: w for i, w in weights.items() if i in self.dues}
        self._check_weighted(weights)
        self.weights = weights
        self.objective = kind
        self._no_more_terms()

    def _check_weighted(self, weights):
        """The tasks of a weighted objective are mandatory: an absent task has no end (other
        tasks of the model may be optional; see Lowering._tasks for what the cost theory
        needs of them)."""
        for index in weights:
            if self.tasks[index].optional:
                raise ModelError(f"{self.tasks[index].name} is optional: the tasks of a "
                                 "weighted objective must be mandatory")

    def objective_value(self, starts, present=None):
        """The objective of a schedule (starts by task index; `present` by task index, None:
        every task present). Absent optional tasks count for nothing, whatever their start."""
        if self.objective == "peak_memory":
            from .check import peak_memory
            return peak_memory(self, self.objective_memory, starts, present)
        if self.objective == "makespan":
            return max((s + t.duration for s, t in zip(starts, self.tasks)
                        if present is None or present[t.index]), default=0)
        total = 0
        for index, weight in self.weights.items():
            end = starts[index] + self.tasks[index].duration
            total += weight * (end if self.dues is None else max(0, end - self.dues[index]))
        for index, (weight, due) in self.earliness.items():
            total += weight * max(0, due - starts[index] - self.tasks[index].duration)
        if self.cost_terms():
            from .check import more_cost
            total += more_cost(self, starts, present)
        return total

    def set_horizon(self, horizon):
        self.horizon = _integer(horizon, "the horizon", 0)

    # -- solving --------------------------------------------------------------------------
    def solve(self, time_limit=None, seed=0, on_solution=None, log=False, workers=1,
              start_from=(), proof=None, proof_input=None):
        """Search; a `Result` (status OPTIMAL, FEASIBLE, INFEASIBLE or UNKNOWN).

        `time_limit`: seconds (None: no limit). `seed`: an integer, the same seed gives the
        same search. `on_solution(result)` is called at every improving schedule (each
        checked against this model first) with the objective and the lower bound proven so
        far; `log=True` prints the same progress to standard error. `workers`: 1 (or None): one
        search, deterministic for a seed; k > 1: a portfolio of k processes with different
        strategies that share schedules and bounds (smtsched.sched.portfolio; the same
        statuses, the path to them depends on the machine). `start_from`: schedules of your
        own (lists of integer starts by task index; None for an optional task leaves it
        absent) to start from; the best one that satisfies the model competes with the
        built-in greedy schedule (the others are left out). `proof`: a folder; an OPTIMAL or INFEASIBLE answer then writes its certificate
        there (docs/certificates.md), with this model as DIR/model.json, and
        `result.certificate` is the folder (None, with `result.certificate_note` saying why,
        when none could be written: the answer was FEASIBLE or UNKNOWN, the checker has no
        rules for the model's features, or the refutation did not finish in time).
        `proof_input`: the file the model was read from, {"file": path, "format": "jobshop"
        or "psplib"}, to name in the certificate instead of model.json (the command line's).
        Every parameter either works or is refused with a ModelError.
        """
        start_from = self._solve_parameters(time_limit, seed, on_solution, log, workers,
                                            start_from)
        self._check_objective()
        certification = self._certification(proof, proof_input)
        from .portfolio import solve
        return solve(self, time_limit=time_limit, seed=seed, on_solution=on_solution, log=log,
                     start_from=start_from, proof=certification, workers=workers)

    def _certification(self, proof, proof_input):
        """The certificate request of `solve` (None: none asked for)."""
        import os
        if proof is None:
            if proof_input is not None:
                raise ModelError("proof_input names the input of a certificate: give the "
                                 "certificate's folder as proof= too")
            return None
        if not isinstance(proof, (str, os.PathLike)):
            raise ModelError(f"proof must be a folder (a path), got {proof!r}")
        if proof_input is not None:
            if not isinstance(proof_input, dict) or not isinstance(proof_input.get("file"),
                                                                   (str, os.PathLike)) \
                    or proof_input.get("format") not in ("jobshop", "psplib", "model"):
                raise ModelError("proof_input must be {'file': path, 'format': 'jobshop', "
                                 f"'psplib' or 'model'}}, got {proof_input!r}")
            proof_input = dict(proof_input, file=os.path.abspath(os.fspath(proof_input["file"])))
        from .proof import Certification
        return Certification(self, proof, proof_input)

    def _solve_parameters(self, time_limit, seed, on_solution, log, workers, start_from):
        """The parameters of `solve` checked (issue 14: none is accepted and ignored); the
        schedules of `start_from` as lists."""
        if time_limit is not None:
            if isinstance(time_limit, bool) or not isinstance(time_limit, numbers.Real) \
                    or not time_limit >= 0 or time_limit == float("inf"):
                raise ModelError("time_limit must be a finite number of seconds >= 0 (or None "
                                 f"for no limit), got {time_limit!r}")
        _integer(seed, "seed")
        if on_solution is not None and not callable(on_solution):
            raise ModelError(f"on_solution must be callable (or None), got {on_solution!r}")
        if not isinstance(log, bool):
            raise ModelError(f"log must be True or False, got {log!r}")
        if workers is not None and (isinstance(workers, bool)
                                    or not isinstance(workers, numbers.Integral) or workers < 1):
            raise ModelError(f"workers must be an integer >= 1 (or None), got {workers!r}")
        if start_from is None:
            return []
        try:
            schedules = [list(s) for s in start_from]
        except TypeError:
            raise ModelError("start_from must be a list of schedules (lists of starts by task "
                             f"index), got {start_from!r}") from None
        for number, schedule in enumerate(schedules):
            if len(schedule) != len(self.tasks):
                raise ModelError(f"start_from[{number}] has {len(schedule)} starts; the model "
                                 f"has {len(self.tasks)} tasks")
            for index, start in enumerate(schedule):
                if start is None and self.tasks[index].optional:
                    continue   # absent
                schedule[index] = _integer(start, f"start_from[{number}][{index}]")
        return schedules

    def _check_objective(self):
        """What the objective setters check, again at solve time: tasks added after them."""
        if self.objective in ("weighted_completion", "weighted_tardiness"):
            self._check_weighted(self.weights)
            self._check_weighted(self.earliness)
            self._check_weighted([i for i, _, _ in self.tardy])
            for _, members in self.max_groups:
                self._check_weighted([i for i, _, _ in members])
            if self.earliness and self.cost_terms():   # fields set by hand, not the setter
                raise ModelError("earliness with tardy, max_tardiness or setup_weight is not "
                                 "supported in one weighted sum")

    def to_smtlib(self, bound=None):
        """The model as an SMT-LIB script in the pairwise difference-logic encoding (for z3 and
        yices); with `bound`, the objective is asserted to be at most `bound` (the makespan in
        QF_IDL; a weighted objective as its linear sum, in QF_LIA). Non-renewable resources
        print as z3's pseudo-Boolean `(_ pble ...)`, in the logic ALL (z3 reads them in no
        QF_ logic; yices does not read them)."""
        from ..printer import dumps
        from .encode import Encoding
        if bound is not None:
            bound = _integer(bound, "the bound")
        encoding = Encoding(self)
        formulas = list(encoding.formulas)
        logic = "QF_IDL"
        if bound is not None and self.earliness:
            formulas.append(self._convex_sum(encoding) <= bound)   # a sum of ites: QF_LIA
            logic = "QF_LIA"
        elif bound is not None and self.objective in ("weighted_completion",
                                                      "weighted_tardiness"):
            formulas += encoding.objective_bound(bound)   # a linear sum, not DL
            logic = "QF_LIA"
        elif bound is not None:
            formulas.append(encoding.makespan <= bound)
        if self.nonrenewables:
            logic = None   # the printer's choice: ALL (z3 reads pble in no QF_ logic)
        return dumps(formulas, logic=logic)

    def _convex_sum(self, encoding):
        """The objective with earliness terms as an Int term over the encoding's starts:
        linear terms and an ite per tardiness and earliness term."""
        from ..terms import If, IntVal
        total = IntVal(0)
        for index in sorted(self.weights):
            weight = self.weights[index]
            end = encoding.start[index] + self.tasks[index].duration
            if self.dues is None:
                total = total + weight * end
            else:
                due = self.dues[index]
                total = total + If(end > due, weight * (end - due), IntVal(0))
        for index in sorted(self.earliness):
            weight, due = self.earliness[index]
            end = encoding.start[index] + self.tasks[index].duration
            total = total + If(end < due, weight * (due - end), IntVal(0))
        return total

    def __repr__(self):
        return (f"Model({self.name!r}: {len(self.tasks)} tasks, {len(self.precedences)} "
                f"precedences, {len(self.resources)} resources)")
