"""A PyJobShop backend (issue 17): `solve(data, ...)` takes a `pyjobshop.ProblemData` and returns
a `pyjobshop.Result`, the contract of PyJobShop's own `pyjobshop.solve`.

    import pyjobshop
    from smtsched.integrations.pyjobshop import solve
    result = solve(data, time_limit=10)
    result.status, result.objective, result.lower_bound, result.best.tasks

The problem is built through the public `smtsched.sched.Model` API, following the semantics of
PyJobShop's OR-Tools model (pyjobshop/solvers/ortools, version 0.0.9), which the differential
test (tests/test_integration_pyjobshop.py) solves next to it:

- a task with one mode is one Model task; a mandatory task with several modes is a mandatory
  task of duration 0 (its start) carried out by one optional task per mode
  (`Model.alternative`); an optional task with several modes is an optional task of duration
  0 (its presence and start) with one optional task per mode, exactly one of which is present
  when it is (`select_exactly_one` with it as the condition, and each mode's task present
  only with it), starting with it (a precedence with equal min and max lags). A mode that
  cannot fit its windows or whose demand exceeds a capacity is left out (PyJobShop can never
  select it either); an optional task none of whose modes fits is kept absent (exactly one of
  it and a mandatory dummy);
- machines are `unary`, renewables `cumulative`, consumables `nonrenewable` resources; a
  mode's task sits on every resource of the mode; setup times are `Model.setup_times` between
  the mode tasks on the machine;
- the eight timing constraints become end-to-start precedences with min/max lags between the
  tasks (the start relations through the task of the start, the end relations through each
  mode's task, whose duration is known): a + d <= b, or = b for the "at" constraints, binding
  when both tasks are present, as in PyJobShop;
- select_all_or_none, select_at_least_one and select_exactly_one are the Model's rules of
  the same names over the tasks of the starts (a mandatory task counts as present);
- a job's release date and deadline, a task's earliest/latest start and end are the releases
  and deadlines of its tasks (a latest start is a deadline of latest start + duration);
- the objective: makespan alone is `minimize_makespan`; the other supported terms (total flow
  time, total tardiness, maximum tardiness, and makespan next to them) are the ends of
  mandatory zero-duration dummy tasks placed after the tasks they measure, summed with their
  weights by `minimize_weighted_sum` (a dummy's least start is exactly the term's value, so
  the optima agree; the constant -w*r of the flow time is subtracted). Weighted tardy jobs
  are `minimize_weighted_sum`'s tardy terms w * job weight * [C_j > d_j] on a dummy after
  each job's tasks (C_j: the job's completion, the dummy's least end); maximum tardiness
  with unequal job weights is one max_tardiness group over those dummies (PyJobShop's
  max_j w_j * max(0, C_j - d_j)), with equal weights one dummy d_j after every job's tasks;
  the total setup time is its `setup_weight` (the setups between consecutive tasks on each
  machine, those of `Model.setup_times`). Every one of these terms is non-decreasing in the
  ends, so the dummies' least ends give the same optimum.
  Total earliness (alone or with the terms above that are sums of ends: just in time) is
  `minimize_weighted_sum`'s earliness terms on each job's completion, the end of its one
  mandatory task, or a dummy pinned to the latest end of its present tasks (`_completion`: a
  dummy merely after them would drift later).

Everything else is refused with `UnsupportedFeature` (an `UnsupportedError`) naming the
feature: resource breaks, no_idle machines, allow_idle and allow_breaks tasks, identical and
different resources, consecutive, same_sequence, mode dependencies, modes of duration 0 on a
machine (PyJobShop keeps them out of the inside of other tasks, the Model lets them sit
anywhere), and total earliness with weighted tardy jobs, total setup time or maximum
tardiness with unequal job weights (the convex cost theory of earliness bounds none of them).

The reported objective is PyJobShop's own (`Solution.objective`) of the returned solution,
computed from the schedule; the lower bound is smtsched's proven bound on the model, which is
a bound on PyJobShop's objective by the construction above. `num_workers`: the processes of
smtsched's parallel search (`Model.solve(workers=...)`); None or 0 is one, smtsched's default,
the deterministic search.
`initial_solution` becomes the Model's `start_from` schedule: each present task at its start in
its mode (the mode's option present, the others absent), each absent task absent, the
objective's dummies at their least starts; the Model checks it and leaves it out if it breaks
a constraint.

Note: PyJobShop 0.0.9's OR-Tools model spans a job over all its tasks, absent ones too, so a
job whose tasks are all absent still "ends" after its release date and its makespan variable
counts that end: it can report an objective above its own `Solution.objective`. smtsched
reports `Solution.objective` (tests/test_integration_pyjobshop.py, `for_ortools`).

pyjobshop is imported when `solve` is called, not when smtsched is imported.
"""

from ..errors import UnsupportedError


class UnsupportedFeature(UnsupportedError):
    """The ProblemData uses a feature the backend does not translate; `feature` names it."""

    def __init__(self, feature, detail=""):
        self.feature = feature
        super().__init__(f"PyJobShop feature not supported by smtsched: {feature}"
                         + (f" ({detail})" if detail else ""))


# the eight timing constraints: (field of ProblemData.Constraints, the side of task 1, the side
# of task 2, equality); "s" start, "e" end
TIMING = (("start_before_start", "s", "s", False), ("start_before_end", "s", "e", False),
          ("end_before_start", "e", "s", False), ("end_before_end", "e", "e", False),
          ("start_at_start", "s", "s", True), ("start_at_end", "s", "e", True),
          ("end_at_start", "e", "s", True), ("end_at_end", "e", "e", True))

# constraints of ProblemData.Constraints the Model cannot express (yet)
REFUSED_CONSTRAINTS = ("identical_resources", "different_resources", "consecutive",
                       "same_sequence", "mode_dependencies")
SELECTIONS = ("select_all_or_none", "select_at_least_one", "select_exactly_one")

REFUSED_OBJECTIVES = ()   # every objective of PyJobShop 0.0.9 is supported (issue 17)


def _finite(value):
    """None for PyJobShop's "no bound" (MAX_VALUE = 2**42 and above)."""
    from pyjobshop.constants import MAX_VALUE
    return None if value is None or value >= MAX_VALUE else int(value)


def refuse_unsupported(data):
    """Raise UnsupportedFeature for the first feature of `data` outside the supported subset."""
    for index, resource in enumerate(data.resources):
        if resource.breaks:
            raise UnsupportedFeature("breaks", f"resource {index} has breaks")
        if getattr(resource, "no_idle", False):
            raise UnsupportedFeature("no_idle", f"machine {index}")
    for index, task in enumerate(data.tasks):
        if task.allow_idle:
            raise UnsupportedFeature("allow_idle", f"task {index}")
        if task.allow_breaks:
            raise UnsupportedFeature("allow_breaks", f"task {index}")
        for m in data.task2modes(index):
            mode = data.modes[m]
            # PyJobShop's machines (CP-SAT's NoOverlap) keep an empty interval out of the
            # inside of another; the Model lets tasks of duration 0 sit anywhere on a machine
            if mode.duration == 0 and any(r in data.machine_idcs for r in mode.resources):
                raise UnsupportedFeature("modes of duration 0 on a machine", f"mode {m}")
    for name in REFUSED_CONSTRAINTS:
        if getattr(data.constraints, name):
            raise UnsupportedFeature(name)
    for rule in data.constraints.select_exactly_one:
        if len(set(rule.tasks)) != len(rule.tasks):
            raise UnsupportedFeature("select_exactly_one with a task listed twice")
    objective = data.objective
    if objective.weight_total_earliness > 0:
        # the convex cost theory bounds earliness exactly because every term is convex in
        # the ends; a tardy job's step (and a setup's sequence) is not: no exact bound yet
        for name in ("weight_tardy_jobs", "weight_total_setup_time"):
            if getattr(objective, name) > 0:
                raise UnsupportedFeature(f"objective weight_total_earliness with {name}")
        if objective.weight_max_tardiness > 0 and len({j.weight for j in data.jobs}) > 1:
            # unequal weights make a max group (_objective), which that theory does not carry
            raise UnsupportedFeature("objective weight_total_earliness with "
                                     "weight_max_tardiness and unequal job weights")
    for name in REFUSED_OBJECTIVES:
        if getattr(objective, name) > 0:
            raise UnsupportedFeature(f"objective {name}")


class Translation:
    """The Model built for a ProblemData and what maps its answers back.

    `options[i]`: [(mode index, Task)] of PyJobShop task i (the modes that can be selected);
    `main[i]`: the Task that starts with task i and is present with it (the task itself with
    one mode, the task of duration 0 that carries the modes' tasks with several, a task kept
    absent when no mode fits an optional task); `infeasible`: a
    reason when some mandatory task has no mode that can be selected (no model then);
    `scale`, `constant`: PyJobShop objective = scale * Model objective - constant at the
    optimum (and a Model lower bound maps to a bound the same way)."""

    def __init__(self):
        self.model = None
        self.options = []
        self.main = []
        self.infeasible = None
        self.scale = 1
        self.constant = 0
        self.never = None     # the task that is never present (`_never`), once made


def _windows(data, index, duration):
    """(release, deadline) of a task of `duration` for PyJobShop task `index` (deadline None:
    none), or None when no start fits."""
    task = data.tasks[index]
    release = max(task.earliest_start, task.earliest_end - duration, 0)
    deadlines = [_finite(task.latest_end)]
    latest_start = _finite(task.latest_start)
    if latest_start is not None:
        deadlines.append(latest_start + duration)
    # the jobs that span the task (PyJobShop's job interval covers the tasks in its list)
    for job in data.jobs:
        if index in job.tasks:
            release = max(release, job.release_date)
            deadlines.append(_finite(job.deadline))
    deadlines = [d for d in deadlines if d is not None]
    deadline = min(deadlines) if deadlines else None
    if deadline is not None and deadline < release + duration:
        return None
    return release, deadline


def _keeps_own_timing(data, index, duration):
    """Whether a mode of `duration` meets the timing constraints of task `index` with itself
    (start + d <= end, ...: conditions on the duration alone; a mode that fails is one
    PyJobShop cannot select)."""
    for name, side1, side2, equal in TIMING:
        for c in getattr(data.constraints, name):
            if c.task1 == c.task2 == index:
                x = (0 if side1 == "s" else duration) + c.delay
                y = 0 if side2 == "s" else duration
                if (x != y) if equal else (x > y):
                    return False
    return True


def _mode_fits(data, mode):
    """Whether a mode's demands fit the capacities. Machines take any demand (PyJobShop's
    machines ignore demands), and so do renewables from a mode of duration 0 (an empty
    interval uses no capacity in CP-SAT's cumulative, nor in the Model's)."""
    from pyjobshop.ProblemData import Consumable, Machine
    for resource, demand in zip(mode.resources, mode.demands):
        kind = data.resources[resource]
        if isinstance(kind, Machine) or (mode.duration == 0 and not isinstance(kind, Consumable)):
            continue
        if demand > kind.capacity:
            return False
    return True


def build_model(data):
    """The Translation of `data` (refused features raise UnsupportedFeature)."""
    from pyjobshop.ProblemData import Consumable, Machine

    from ..sched.model import Model

    refuse_unsupported(data)
    tr = Translation()
    model = tr.model = Model(name="pyjobshop")
    never = None   # a mandatory dummy that keeps the tasks that cannot run absent
    for index, task in enumerate(data.tasks):
        fitting = []
        for m in data.task2modes(index):
            mode = data.modes[m]
            window = _windows(data, index, mode.duration)
            if window is not None and _mode_fits(data, mode) \
                    and _keeps_own_timing(data, index, mode.duration):
                fitting.append((m, window))
        options = []
        if not fitting:
            if not task.optional:
                tr.infeasible = f"task {index} has no mode that fits its windows and capacities"
                return tr
            # an optional task that can never be present: absent, as exactly one of it and
            # a mandatory task is present (the rules and constraints naming it still apply)
            main = model.task(f"t{index}", 0, optional=True)
            if never is None:
                never = model.task("never", 0)
            model.select_exactly_one([main, never])
        elif len(data.task2modes(index)) == 1:
            (m, (release, deadline)), = fitting
            main = model.task(f"t{index}", data.modes[m].duration, release, deadline,
                              optional=task.optional)
            options.append((m, main))
        else:
            release = min(w[0] for _, w in fitting)
            main = model.task(f"t{index}", 0, release, _finite(task.latest_start),
                              optional=task.optional)
            for m, (release, deadline) in fitting:
                options.append((m, model.task(f"t{index}m{m}", data.modes[m].duration,
                                              release, deadline, optional=True)))
            if task.optional:
                # present exactly when one mode is: each mode's task starts with `main`
                model.select_exactly_one([t for _, t in options], condition=main)
                for _, t in options:
                    model.select_at_least_one([main], condition=t)
                    model.precedence(main, t, 0, 0)
            else:
                model.alternative(main, [t for _, t in options])
        tr.options.append(options)
        tr.main.append(main)

    # resources: every mode's task sits on each resource of its mode
    for r, resource in enumerate(data.resources):
        users = [(t, data.modes[m].demands[data.modes[m].resources.index(r)])
                 for options in tr.options for m, t in options
                 if r in data.modes[m].resources]
        if isinstance(resource, Machine):
            if users:
                machine = model.unary([t for t, _ in users], name=f"machine{r}")
                _setup_times(data, tr, r, machine)
        elif isinstance(resource, Consumable):
            model.nonrenewable(users, resource.capacity, name=f"consumable{r}")
        else:   # (tasks of duration 0 use no capacity: left out, whatever their demand)
            model.cumulative([(t, d) for t, d in users if t.duration],
                             resource.capacity, name=f"renewable{r}")

    for name in SELECTIONS:
        for rule in getattr(data.constraints, name):
            condition = None if rule.condition_task is None else tr.main[rule.condition_task]
            # a task listed twice counts once in the all-or-none and at-least-one rules
            # (refused in exactly-one, where PyJobShop would count it twice)
            tasks = list(dict.fromkeys(rule.tasks))
            getattr(model, name)([tr.main[i] for i in tasks], condition=condition)
    for name, side1, side2, equal in TIMING:
        for constraint in getattr(data.constraints, name):
            _timing(tr, constraint.task1, side1, constraint.task2, side2, constraint.delay,
                    equal)
    _objective(data, tr)
    return tr


def _setup_times(data, tr, r, machine):
    """PyJobShop's setup times on machine `r` between the tasks of the modes that use it (the
    last given for a pair counts, as in PyJobShop's setup matrix)."""
    given = {}
    for constraint in data.constraints.setup_times:
        if constraint.machine == r and constraint.task1 != constraint.task2:
            given[constraint.task1, constraint.task2] = constraint.duration
    times = {}
    for (task1, task2), duration in given.items():
        for m1, t1 in tr.options[task1]:
            for m2, t2 in tr.options[task2]:
                if r in data.modes[m1].resources and r in data.modes[m2].resources:
                    times[t1, t2] = duration
    if times:
        tr.model.setup_times(machine, times)


def _representatives(tr, index, side):
    """[(Task, offset)]: the time of `side` of PyJobShop task `index` is start(Task) + offset
    when Task is present (a start through the main task, an end through each option)."""
    if side == "s":
        return [(tr.main[index], 0)]
    return [(t, t.duration) for _, t in tr.options[index]]


def _timing(tr, task1, side1, task2, side2, delay, equal):
    """time1 + delay <= time2 (== with `equal`), required when both tasks are present: as
    start(Y) - end(X) >= lag, with X representing task1 and Y task2 (a precedence between
    optional tasks binds only when both are present, as PyJobShop's constraint does)."""
    if task1 == task2:
        return   # a condition on the duration: the modes that fail it were left out
    for x, offset1 in _representatives(tr, task1, side1):
        for y, offset2 in _representatives(tr, task2, side2):
            # start(y) + offset2 >= start(x) + offset1 + delay
            lag = offset1 + delay - offset2 - x.duration
            tr.model.precedence(x, y, lag, lag if equal else None)


def _objective(data, tr):
    """The objective (see the module): makespan alone directly, the rest through dummies."""
    model, objective = tr.model, data.objective
    real = [t for options in tr.options for _, t in options]
    w_makespan = objective.weight_makespan
    w_flow = objective.weight_total_flow_time
    w_tardiness = objective.weight_total_tardiness
    w_max = objective.weight_max_tardiness
    w_tardy = objective.weight_tardy_jobs
    w_setup = objective.weight_total_setup_time
    w_early = objective.weight_total_earliness
    if not (w_flow or w_tardiness or w_max or w_tardy or w_setup or w_early):
        if w_makespan:
            model.minimize_makespan()
            tr.scale = w_makespan
        return
    weights = {}

    def dummy(name, release, tasks, lag):
        # starts at least `lag` after the end of every present task of `tasks`
        d = model.task(name, 0, release)
        for t in tasks:
            model.precedence(t, d, lag)
        return d

    def ends(job):
        return [t for i in job.tasks for _, t in tr.options[i]]

    if w_makespan:
        weights[dummy("makespan", 0, real, 0)] = w_makespan
    for j, job in enumerate(data.jobs):
        if w_flow and job.weight:
            weights[dummy(f"flow{j}", job.release_date, ends(job), 0)] = w_flow * job.weight
            tr.constant += w_flow * job.weight * job.release_date
        if w_tardiness and job.weight:
            weights[dummy(f"tardiness{j}", 0, ends(job), -job.due_date)] = \
                w_tardiness * job.weight
    tardy = []   # (dummy, weight, due): weight * [the job ends after its due date]
    for j, job in enumerate(data.jobs):
        if w_tardy and job.weight and job.due_date is not None:
            tardy.append((dummy(f"tardy{j}", 0, ends(job), 0), w_tardy * job.weight,
                          job.due_date))
    groups = []
    if w_max and len({job.weight for job in data.jobs}) == 1:
        if data.jobs[0].weight:
            late = dummy("max_tardiness", 0, [], 0)
            for job in data.jobs:
                for t in ends(job):
                    model.precedence(t, late, -job.due_date)
            weights[late] = w_max * data.jobs[0].weight
    elif w_max:
        # unequal weights: PyJobShop's max over the jobs of weight * tardiness (its OR-Tools
        # model: max_tardiness = max of job.weight * tardiness_j, tardiness_j = max(0,
        # end_j - due_j)), a max group over one end dummy per job
        members = [(dummy(f"late{j}", 0, ends(job), 0), job.weight, job.due_date)
                   for j, job in enumerate(data.jobs)
                   if job.weight and job.due_date is not None]
        if members:
            groups.append((w_max, members))
    early = []
    if w_early:
        for j, job in enumerate(data.jobs):
            if job.weight and job.due_date is not None and ends(job):
                early.append((_completion(tr, j, ends(job)), w_early * job.weight,
                              job.due_date))
    # the total setup time: the setups between consecutive tasks of each machine (the
    # Model's setup times are PyJobShop's, between the tasks of the modes on the machine)
    model.minimize_weighted_sum([(t, w, None) for t, w in weights.items()], tardy=tardy,
                                max_tardiness=groups, setup_weight=w_setup, earliness=early)


def _completion(tr, j, tasks):
    """A mandatory task whose end is job j's completion, max of the ends of its present
    `tasks` (for earliness, which falls as the end grows: a dummy placed after the tasks
    would drift later, so it is pinned to the max). The one task itself when the job has
    one mandatory task; else a dummy D of duration 0 after every present task, carried out
    (`Model.alternative`) by one option per task that starts at that task's end and needs it
    present, or, when every task may be absent, by an option that needs them all absent
    (PyJobShop's earliness of a job with no present task is 0; D is then free)."""
    model = tr.model
    if len(tasks) == 1 and not tasks[0].optional:
        return tasks[0]
    done = model.task(f"completion{j}", 0)
    options = []
    for k, t in enumerate(tasks):
        model.precedence(t, done, 0)
        option = model.task(f"completion{j}_by{k}", 0, optional=True)
        model.precedence(t, option, 0, 0)        # starts at t's end, when both are present
        if t.optional:
            model.select_at_least_one([t], condition=option)   # option => t present
        options.append(option)
    optional = [t for t in tasks if t.optional]
    if len(optional) == len(tasks):
        empty = model.task(f"completion{j}_empty", 0, optional=True)
        never = _never(tr)
        for t in optional:
            # empty => t absent: all of {t, never} or none of them, while `empty` is
            # present, and `never` is always absent
            model.select_all_or_none([t, never], condition=empty)
        options.append(empty)
    model.alternative(done, options)
    return done


def _never(tr):
    """An optional task of duration 0 that is never present (one per model)."""
    model = tr.model
    never = getattr(tr, "never", None)
    if never is None:
        never = tr.never = model.task("earliness_never", 0, optional=True)
        anchor = model.task("earliness_anchor", 0)
        model.select_exactly_one([never, anchor])   # anchor is mandatory: never is absent
    return never


def _solution(data, tr, result):
    """The pyjobshop.Solution of a smtsched Result with a schedule."""
    from pyjobshop.Solution import ScheduledTask, Solution
    tasks = []
    for index in range(data.num_tasks):
        chosen = [(m, t) for m, t in tr.options[index] if result.present(t)]
        if not chosen:
            tasks.append(ScheduledTask(0, [], 0, 0, 0, 0, False))
            continue
        (m, t), = chosen
        start = result.start(t)
        tasks.append(ScheduledTask(m, list(data.modes[m].resources), start,
                                   start + t.duration, 0, 0, True))
    return Solution(data, tasks)


def _initial(data, tr, solution):
    """`initial_solution` as a Model schedule (starts by task index, None for an absent
    optional task), or None when it cannot be one (a mandatory task absent, a mode left out,
    a task count that differs). The Model checks it before it is used: one that breaks a
    constraint is left out (`Model.solve`'s start_from)."""
    model = tr.model
    if len(solution.tasks) != data.num_tasks:
        return None
    starts = [None] * len(model.tasks)
    decided = [False] * len(model.tasks)
    for index, scheduled in enumerate(solution.tasks):
        main, options = tr.main[index], tr.options[index]
        for t in [main] + [t for _, t in options]:
            decided[t.index] = True
        if not scheduled.present:
            if not main.optional:
                return None
            continue
        chosen = [t for m, t in options if m == scheduled.mode]
        if not chosen:
            return None
        starts[main.index] = starts[chosen[0].index] = scheduled.start
    # the rest (the objective's dummies, the 'never' task): an optional one absent, a
    # mandatory one at its least start after the present tasks before it
    befores = {}
    for p in model.precedences:
        befores.setdefault(p.after.index, []).append(p)
    pending = [t for t in model.tasks if not decided[t.index]]
    while pending:
        waiting = []
        for t in pending:
            if t.optional:
                decided[t.index] = True
                continue
            before = befores.get(t.index, [])
            if not all(decided[p.before.index] for p in before):
                waiting.append(t)
                continue
            starts[t.index] = max([t.release] + [starts[p.before.index] + p.before.duration
                                                 + p.min_lag for p in before
                                                 if starts[p.before.index] is not None])
            decided[t.index] = True
        if len(waiting) == len(pending):
            return None   # dummies that wait on each other
        pending = waiting
    return starts


def solve(data, time_limit=None, display=False, num_workers=None, initial_solution=None):
    """Solve a `pyjobshop.ProblemData` with smtsched; a `pyjobshop.Result` (see the module).

    `time_limit`: seconds (None or inf: no limit); `display`: smtsched's progress log on
    standard error; `num_workers`: parallel search processes (None or 0: one, the deterministic
    search); `initial_solution`: a `pyjobshop.Solution` to start from."""
    import math

    from pyjobshop.Result import Result, SolveStatus
    from pyjobshop.Solution import Solution

    from ..sched.model import ModelError
    from ..sched.result import FEASIBLE, INFEASIBLE, OPTIMAL

    if time_limit is not None and math.isinf(time_limit):
        time_limit = None
    if num_workers is not None and (isinstance(num_workers, bool)
                                    or not isinstance(num_workers, int) or num_workers < 0):
        raise ModelError(f"num_workers must be a non-negative integer or None, got "
                         f"{num_workers!r}")
    tr = build_model(data)
    if tr.infeasible is not None:
        return Result(objective=float("inf"), lower_bound=0, status=SolveStatus.INFEASIBLE,
                      runtime=0.0, best=Solution(data, []))
    start_from = []
    if initial_solution is not None:
        starts = _initial(data, tr, initial_solution)
        if starts is not None:
            start_from.append(starts)
    result = tr.model.solve(time_limit=time_limit, log=bool(display), start_from=start_from,
                            workers=num_workers or 1)
    lower = None
    if result.lower_bound is not None:
        lower = max(0, tr.scale * result.lower_bound - tr.constant)
    if result.status in (OPTIMAL, FEASIBLE):
        solution = _solution(data, tr, result)
        value = solution.objective
        if lower is None:
            lower = 0
        if lower > value:
            raise AssertionError(f"internal error: lower bound {lower} above the objective "
                                 f"{value} of the returned PyJobShop solution")
        status = SolveStatus.OPTIMAL if lower == value else SolveStatus.FEASIBLE
        if result.status == OPTIMAL and status != SolveStatus.OPTIMAL:
            raise AssertionError(f"internal error: smtsched proved its optimum but the "
                                 f"PyJobShop objective {value} is above the bound {lower}")
        return Result(objective=value, lower_bound=lower, status=status,
                      runtime=result.runtime, best=solution)
    if result.status == INFEASIBLE:
        return Result(objective=float("inf"), lower_bound=0, status=SolveStatus.INFEASIBLE,
                      runtime=result.runtime, best=Solution(data, []))
    # UNKNOWN: no schedule; at the time limit PyJobShop's OR-Tools backend says TIME_LIMIT
    status = SolveStatus.TIME_LIMIT if time_limit is not None else SolveStatus.UNKNOWN
    return Result(objective=float("inf"), lower_bound=lower if lower is not None else 0,
                  status=status, runtime=result.runtime, best=Solution(data, []))
