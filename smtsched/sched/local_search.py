"""Local search on a valid schedule before the exact search: a tabu search on the machine
orders (smtsched.sched._tabu, twin of smtsched.sched.tabu_ref, whose docstring describes it:
Nowicki & Smutnicki's N5 neighbourhood, Taillard's move estimate, back jumps).

    starts = improve(model, starts, seed, deadline)   # a better schedule, or None

On the large job shops the greedy schedule is 30-40% above the best known and the exact
search's neighbourhood moves close that gap a few units at a time; a tabu search gets most
of the way in a fraction of the time. Only models whose every resource is a machine are
taken (`applicable`); the schedule that comes back is checked against the model
(smtsched.sched.check) before it is returned.

Deterministic: the search stops after an iteration budget or a number of moves without a new
best; the deadline is only a safety cap (a run that hits it depends on the clock, and says so
in its stats: "stopped": "deadline").
"""
from ..errors import SmtschedError
from . import check, tabu_ref

try:
    from . import _tabu as _engine
except ImportError:   # SMTSCHED_PUREPYTHON=1: the reference, same answers, slower
    _engine = tabu_ref


class LocalSearchError(SmtschedError, AssertionError):
    """Internal error: the tabu search's schedule failed the independent check."""


# the budgets of one call (moves): the iteration cap, the moves without a new best that end
# the search, the moves without one before a back jump to the best, the tabu list's length
# and the random swaps of a kick
ITERATIONS = 200000
LIMIT = 50000
PATIENCE = 2500
TENURE = 10
KICK = 3


# with a time limit: the budget is moves that take about SHARE of it (less below 400
# tasks), from what a move costs (measured on swv and ta instances, 2 loaded cores: ~5 us
# + 16 ns a task, an exact recomputation dominating); the plateaus between two new bests
# on swv14 and ta22 ran to 100,000-650,000 moves, so the no-improvement limit is a quarter
# of the budget
SHARE = 0.2
MOVE_SECONDS = 5e-6
TASK_SECONDS = 16e-9


def budget(model, time_limit=None):
    """(iterations, limit) of one search on `model`: fixed without a time limit, else moves
    that take about SHARE of `time_limit` (a count, not a clock: the same limit gives the
    same search; the caller's deadline is only a cap)."""
    if time_limit is None:
        return ITERATIONS, LIMIT
    # below 400 tasks the exact search proves job shops (ft10 in 21 s from the greedy
    # schedule, 34 s after a fifth of the time in the tabu search): a smaller share there
    share = SHARE * min(1.0, len(model.tasks) / 400)
    iterations = int(share * time_limit / (MOVE_SECONDS + TASK_SECONDS * len(model.tasks)))
    return iterations, min(iterations, max(LIMIT, iterations // 4))


def applicable(model):
    """A makespan over tasks whose every resource is a machine (each demand is the whole
    capacity) and each task on at most one, with none of what the machine orders alone
    cannot express: deadlines, maximum lags, a horizon, optional tasks, alternatives,
    memories, setup times."""
    if model.objective != "makespan" or model.alternatives or model.horizon is not None \
            or model.memories or not model.resources or model.setups:
        return False
    if any(t.optional or t.deadline is not None for t in model.tasks):
        return False
    if any(p.max_lag is not None for p in model.precedences):
        return False
    seen = set()
    for resource in model.resources:
        for task, demand in resource.demands:
            if demand != resource.capacity:
                return False
            if task.duration > 0:
                if task.index in seen:
                    return False
                seen.add(task.index)
    return True


def problem(model, starts):
    """The flat problem of the twins: the machine orders are those of `starts`."""
    arcs = [(p.before.index, p.after.index, p.before.duration + p.min_lag)
            for p in model.precedences]
    sequences = []
    for resource in model.resources:
        tasks = [t.index for t, _ in resource.demands if t.duration > 0]
        tasks.sort(key=lambda i: (starts[i], i))
        sequences.append(tasks)
    return tabu_ref.Problem([t.duration for t in model.tasks], [t.release for t in model.tasks],
                            arcs, sequences)


def improve(model, starts, seed=0, deadline=None, iterations=ITERATIONS, limit=LIMIT,
            lower=0, stats=None, engine=None, checked=False):
    """A valid schedule of `model` shorter than `starts` (a valid one), or None (not
    applicable, or no better one found). `deadline`: time.perf_counter() past which the
    search stops (a safety cap); `lower`: a proven lower bound (the search stops there);
    `stats`: a dict that gets the search's counters; `checked`: the caller has checked
    `starts` (the optimiser: each schedule is checked once)."""
    if not applicable(model) or starts is None or len(starts) != len(model.tasks):
        return None
    if not checked and check.violations(model, starts):
        return None
    before = model.objective_value(starts)
    if before <= lower:
        return None
    engine = engine or _engine
    found = engine.search(problem(model, starts), seed & tabu_ref.MASK, iterations, limit,
                          PATIENCE, TENURE, KICK, lower, deadline)
    if found is None:
        return None
    value, schedule, counters = found
    if stats is not None:
        stats.update(counters)
    if value >= before:
        return None
    schedule = [int(s) for s in schedule]
    problems = check.violations(model, schedule)
    if problems or model.objective_value(schedule) != value:
        raise LocalSearchError(f"the tabu search's schedule of {model.name} (makespan {value}) "
                               f"fails the check: {problems[:3]}")
    return schedule
