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
        self.memories = []
        self.objective = None         # "makespan", "weighted_completion",
        #                               "weighted_tardiness", "peak_memory" or None
        self.objective_memory = None  # the Memory whose peak is minimised
        self.weights = {}             # task index -> weight (weighted objectives)
        self.dues = None              # task index -> due date (weighted tardiness)
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

    def minimize_peak_memory(self, memory):
        """Minimise the most bytes of `memory` live at any instant."""
        if not isinstance(memory, Memory) or memory not in self.memories:
            raise ModelError(f"{memory!r} is not a memory of this model")
        self.objective = "peak_memory"
        self.objective_memory = memory

    def minimize_weighted_completion(self, weights=None):
        """Minimise sum of weight * end time; `weights` maps tasks to non-negative integers
        (a dict, or (task, weight) pairs; default: 1 for every task)."""
        self._weighted("weighted_completion", weights, None)

    def minimize_weighted_tardiness(self, dues, weights=None):
        """Minimise sum of weight * max(0, end - due); `dues` maps tasks to due dates (tasks
        without one are never tardy), `weights` as for minimize_weighted_completion."""
        self._weighted("weighted_tardiness", weights, dues)

    def _weighted(self, kind, weights, dues):
        if any(t.optional for t in self.tasks):
            raise ModelError("weighted objectives with optional tasks are not supported yet")
        items = _pairs(weights, "the weights") if weights is not None \
            else [(t, 1) for t in self.tasks]
        self.weights = {}
        for task, weight in items:
            task = self._own(task)
            self.weights[task.index] = _integer(weight, f"the weight of {task.name}", 0)
        self.dues = None
        if dues is not None:
            self.dues = {}
            for task, due in _pairs(dues, "the due dates"):
                task = self._own(task)
                self.dues[task.index] = _integer(due, f"the due date of {task.name}")
            # a task without a due date is never tardy
            self.weights = {i: w for i, w in self.weights.items() if i in self.dues}
        self.objective = kind

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
        statuses, the path to them depends on the machine). `start_from`: schedules of your own (lists of
        integer starts by task index, every task present) to start from; the best one that
        satisfies the model competes with the built-in greedy schedule (the others are left
        out). `proof`: a folder; an OPTIMAL or INFEASIBLE answer then writes its certificate
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
                schedule[index] = _integer(start, f"start_from[{number}][{index}]")
        return schedules

    def _check_objective(self):
        """What the objective setters check, again at solve time: tasks added after them."""
        if self.objective in ("weighted_completion", "weighted_tardiness") \
                and any(t.optional for t in self.tasks):
            raise ModelError("weighted objectives with optional tasks are not supported yet")

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
        if bound is not None and self.objective in ("weighted_completion", "weighted_tardiness"):
            formulas.append(encoding.cost_bound(bound, None))   # a linear sum, not DL
            logic = "QF_LIA"
        elif bound is not None:
            formulas.append(encoding.makespan <= bound)
        if self.nonrenewables:
            logic = None   # the printer's choice: ALL (z3 reads pble in no QF_ logic)
        return dumps(formulas, logic=logic)

    def __repr__(self):
        return (f"Model({self.name!r}: {len(self.tasks)} tasks, {len(self.precedences)} "
                f"precedences, {len(self.resources)} resources)")
