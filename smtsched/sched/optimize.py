"""Anytime optimisation with proofs (makespan, weighted completion time, weighted tardiness
or the peak of a memory), on top of the public Solver.

1. The lower bound starts at the bound that needs no search (smtsched.sched.bounds).
2. A first schedule: a greedy serial schedule (smtsched.sched.heuristic) when the model allows
   one, else one check without a bound on the objective.
3. Then probes below the best: a check under the assumption `objective <= probe` either finds
   a better schedule (the upper bound drops to its value) or is refuted (the lower bound
   rises to probe + 1). Probes bisect the gap; a probe that does not finish within a sixth
   of the time left is retried closer to the best (half the distance), so a hard middle does
   not eat the whole budget. Each search starts from the last schedule's orderings
   (solution-guided phases). The last refutation, of best - 1, is the proof of optimality.
4. Once a probe has run out of budget, a round of large-neighbourhood moves (`Neighbourhoods`)
   improves the schedule, and a few probes just above the lower bound (the easiest claims to
   refute, with a step that doubles after each refutation) raise it, before the next probe.

Weighted objectives are bounded by guarded WeightedCost constraints, the peak of a memory by
guarded pseudo-Boolean sums over its liveness literals (smtsched.sched.memory): one Bool guard
per bound, assumed like the makespan bound.

Every schedule is checked against the model by `smtsched.sched.check` before it counts.
Overloads of cumulative resources are refuted inside the search by the cumulative theory; for
a resource with optional tasks the optimiser cuts them between checks instead (see
encode.py) and repeats the check; cuts are facts of the model and stay.
A check that runs out of time ends the search with what is proven so far.
"""
import gc
import itertools
import random
import sys
import time

from ..errors import SmtschedError
from ..solver import Solver, sat, unsat
from ..terms import Bool, Not
from . import bounds, check, heuristic
from .encode import Encoding, EncodingTimeout
from .memory import oversized_buffer, quick_lower_bound
from .result import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, Result


class ScheduleCheckError(SmtschedError, AssertionError):
    """Internal error: a schedule failed the independent check (never returned)."""


def solve(model, time_limit=None, seed=0, on_solution=None, log=False, start_from=()):
    # The encoding's terms live as long as the search: keep the cyclic garbage collector from
    # walking them again and again (19% of the time on a 500-task memory model).
    # A full collection first costs ~20 ms: only worth it for big models.
    frozen = len(model.tasks) < 200 or not gc.isenabled() or gc.get_freeze_count() > 0
    if not frozen:
        gc.collect()
    try:
        return _solve(model, time_limit, seed, on_solution, log, start_from, frozen)
    finally:
        if not frozen:
            gc.unfreeze()


def best_start(model, candidates):
    """The valid schedule of lowest objective among `candidates` (lists of starts by task
    index, or None), the first of equals; None when none is valid. The optimiser starts from
    it, and bench.dnn hands the same one to CP-SAT as its hint."""
    first = None
    for candidate in candidates:
        if (candidate is not None and len(candidate) == len(model.tasks)
                and not check.violations(model, candidate)
                and (first is None or model.objective_value(candidate)
                     < model.objective_value(first))):
            first = candidate
    return first


def _solve(model, time_limit, seed, on_solution, log, start_from, frozen):
    started = time.perf_counter()
    deadline = None if time_limit is None else started + time_limit
    # infeasibility proven without search, with a reason simple enough to say (and every
    # bound computed from positively cyclic lags would be void)
    cycle = bounds.positive_cycle(model)
    reason = None if cycle is None else str(cycle)
    oversized = oversized_buffer(model)
    if reason is None and oversized is not None:
        memory, buffer = oversized
        reason = (f"buffer {buffer.name} ({buffer.size} bytes) does not fit in {memory.name} "
                  f"(capacity {memory.capacity})")
    if reason is not None:
        return Result(model, INFEASIBLE, runtime=time.perf_counter() - started,
                      stats={"runtime": time.perf_counter() - started}, reason=reason)
    first = None
    if model.objective is not None:
        # the best valid one of the greedy schedule and the caller's
        candidates = [heuristic.serial_schedule(model, seed)] + [list(s) for s in start_from]
        first = best_start(model, candidates)

    def greedy_result():
        """The greedy schedule as a Result, with a bound that needs no encoding."""
        early = quick_lower_bound(model, model.objective_memory) \
            if model.objective == "peak_memory" else (
            bounds.makespan_lower_bound(model) if model.objective == "makespan"
            else bounds.cost_lower_bound(model))
        value = model.objective_value(first)
        # Result calls it OPTIMAL when the bound meets the value, and refuses a bound above a
        # checked schedule's value (a wrong bound: an internal error, never hidden by a min)
        return Result(model, FEASIBLE, objective=value, lower_bound=early, starts=first,
                      present=[True] * len(model.tasks), runtime=time.perf_counter() - started,
                      stats={"heuristic": value, "runtime": time.perf_counter() - started})

    if first is not None and on_solution is not None:
        # Report the greedy schedule before the encoding is built: on graphs of a thousand
        # tasks that takes seconds, and a caller stopped meanwhile keeps this schedule.
        on_solution(greedy_result())
    # The probes ask about makespans below the first schedule's (or within the horizon)
    horizon = model.horizon
    if model.objective == "makespan" and first is not None:
        below = model.objective_value(first) - 1
        horizon = below if horizon is None else min(horizon, below)
    try:
        # no cyclic collections while the terms are made: they free nothing, and their full
        # passes grew to 5 s each on a 4,713-task memory model (40% of the build, and seconds
        # past the deadline between two of its checks). Frozen before collections resume
        # (as below), else the first young-generation pass walks them all (14 s).
        if not frozen:
            gc.disable()
        try:
            encoding = Encoding(model, horizon, deadline)
        finally:
            if not frozen:
                gc.freeze()
                gc.enable()
    except EncodingTimeout:
        reason = "timeout (while building the encoding)"
        if first is None:
            return Result(model, UNKNOWN, runtime=time.perf_counter() - started,
                          stats={"runtime": time.perf_counter() - started}, reason=reason)
        result = greedy_result()
        if result.status != OPTIMAL:
            result.reason = reason
        return result
    if not frozen:
        gc.freeze()
    solver = Solver()
    solver.set(seed=seed, unsat_core=False)  # probes need no cores: assumptions as facts
    solver.add(encoding.formulas)
    # cuts: overloads cut by the optimiser between checks (resources with optional tasks);
    # theory_cuts: overloads the cumulative theory refuted inside the search (final-check and
    # timetable cuts)
    stats = {"checks": 0, "cuts": 0, "theory_cuts": 0, "solutions": 0, "conflicts": 0}
    # what the global theories did, summed over the checks
    theory_counters = ("disjunctive_checks", "disjunctive_conflicts", "disjunctive_propagations",
                       "cumulative_checks", "cumulative_conflicts",
                       "cumulative_timetable_conflicts", "cumulative_energy_conflicts",
                       "cumulative_filtered",
                       "pb_propagations", "pb_conflicts")
    optimise = model.objective is not None
    makespan = model.objective == "makespan"
    lower = None
    peak = model.objective == "peak_memory"
    if peak:
        memory_bound = encoding.memory_encoding(model.objective_memory)
        # both bounds hold: the greedy result may already have reported the quick one
        lower = max(memory_bound.lower_bound, quick_lower_bound(model, model.objective_memory))
    elif optimise:
        lower = bounds.makespan_lower_bound(model) if makespan else bounds.cost_lower_bound(model)
    best = None  # (objective, starts, present)
    guards = {}  # cost bound -> the Bool guarding "cost <= bound" (weighted objectives)
    guard_numbers = itertools.count(1)

    def at_most(bound):
        """The assumption "objective <= bound"."""
        if makespan:
            return encoding.makespan <= bound
        # guards of bounds that will never be asked again (at or above the best, or refuted)
        # are switched off for good, so the search does not try them
        for old in [k for k in guards if k >= best[0] or k < lower]:
            solver.add(Not(guards.pop(old)))
        if bound not in guards:
            # a fresh name each time: a guard switched off for good (Not added above) must
            # never come back as the same variable under a later probe of that bound
            guards[bound] = Bool(f"{model.objective} <= {bound} #{next(guard_numbers)}")
            if peak:
                solver.add(memory_bound.bound_formulas(bound, guards[bound]))
            else:
                solver.add(encoding.cost_bound(bound, guards[bound]))
        return guards[bound]

    def say(text):
        if log:
            print(f"[{time.perf_counter() - started:8.2f}s] {text}", file=sys.stderr, flush=True)

    def search(bound, budget=None, fixed=(), max_conflicts=None):
        """'sat' (with a checked schedule), 'unsat' or the reason of an unknown; `budget`
        (seconds) bounds this search below the overall deadline; `fixed`: more assumptions
        (orderings kept from the best schedule); `max_conflicts`: a conflict budget."""
        assumptions = [] if bound is None else [at_most(bound)]
        assumptions += list(fixed)
        solver.set(max_conflicts=max_conflicts)
        own_deadline = deadline
        if budget is not None:
            own_deadline = time.perf_counter() + budget if deadline is None else \
                min(deadline, time.perf_counter() + budget)
        while True:
            if own_deadline is not None:
                left = own_deadline - time.perf_counter()
                if left <= 0:
                    return "timeout", None
                solver.set(timeout=max(1, int(left * 1000)))
            else:
                solver.set(timeout=0)
            stats["checks"] += 1
            answer = solver.check(*assumptions)
            counters = solver.statistics()
            stats["conflicts"] += counters.get("conflicts", 0)
            stats["theory_cuts"] += (counters.get("cumulative_conflicts", 0)
                                     + counters.get("cumulative_timetable_conflicts", 0))
            for key in theory_counters:
                if key in counters:
                    stats[key] = stats.get(key, 0) + counters[key]
            if answer == unsat:
                return "unsat", None
            if answer != sat:
                return solver.reason_unknown() or "unknown", None
            # solution-guided search: the next checks start from this schedule's orderings
            solver.hint(solver.model())
            starts, present = encoding.schedule(solver.model())
            overloads = encoding.overloads(starts, present)
            if overloads:
                for tasks in overloads:
                    solver.add(encoding.cut(tasks))
                    stats["cuts"] += 1
                continue
            problems = check.violations(model, starts, present)
            if problems:
                raise ScheduleCheckError("internal error: a schedule failed the check against "
                                         f"the model: {problems[0]}; please report this model")
            return "sat", (starts, present)

    def result(status, reason=""):
        """The Result of the search so far; with a schedule, the status follows from the
        numbers (Result: OPTIMAL exactly when the bound meets the objective)."""
        stats["runtime"] = time.perf_counter() - started
        if best is None:
            # INFEASIBLE has no bound: a bound on the objective of no schedule means nothing
            return Result(model, status, lower_bound=None if status == INFEASIBLE else lower,
                          runtime=stats["runtime"], stats=stats, reason=reason)
        objective = best[0] if optimise else None
        return Result(model, status, objective=objective, lower_bound=lower,
                      starts=best[1], present=best[2], runtime=stats["runtime"], stats=stats,
                      reason=reason)

    def improved(starts, present, report=True):
        nonlocal best
        value = model.objective_value(starts, present) if optimise else None
        best = (value, starts, present)
        stats["solutions"] += 1
        say(f"schedule with {model.objective or 'objective'} {value}, lower bound {lower}")
        if on_solution is not None and report:
            on_solution(result(FEASIBLE))

    if first is not None:
        # a greedy schedule to start from: the upper bound, and the phases of the first
        # searches (the search then only has to improve it)
        present = [True] * len(model.tasks)
        hint = {encoding.start[t.index]: first[t.index] for t in model.tasks}
        hint[encoding.makespan] = check.makespan(model, first, present)
        solver.hint(hint)
        stats["heuristic"] = model.objective_value(first)
        improved(first, present, report=False)  # on_solution has had it (greedy_result)
    else:
        outcome, schedule = search(None)
        if outcome == "unsat":
            return result(INFEASIBLE)
        if outcome != "sat":
            return result(UNKNOWN, outcome)
        improved(*schedule)
    if not optimise:
        return result(OPTIMAL)
    fraction = 0.5  # how far into the gap the next probe goes
    neighbourhoods = Neighbourhoods(model, encoding, seed)
    # Large-neighbourhood rounds start once a probe ran out of budget: easy models are proven
    # by the probes alone, without the overhead of the moves.
    stuck = False
    # Without a time limit every budget counts conflicts instead of seconds, so the same model
    # and seed give the same search, answer and statistics.
    probe_conflicts = 20000
    climb = max(1, (best[0] - lower) // 16)  # the lower-bound climb's first step
    while lower < best[0]:
        # improve the schedule by large-neighbourhood search, then a probe for the bound
        if stuck and neighbourhoods.pairs:
            stuck = False
            round_end = None
            if deadline is not None:
                round_end = time.perf_counter() + max(0.2, 0.3 * (deadline - time.perf_counter()))

            def in_round():
                return round_end is None or time.perf_counter() < round_end

            failures, moves = 0, 0
            while lower < best[0] and failures < 10 and moves < 50 and in_round():
                fixed = neighbourhoods.fixed_orders(best[1], best[2])
                stats["lns_steps"] = stats.get("lns_steps", 0) + 1
                moves += 1
                # improve inside the neighbourhood as long as it allows
                outcome = "sat"
                progress = False
                while outcome == "sat" and lower < best[0] and in_round():
                    left = None if round_end is None else round_end - time.perf_counter()
                    outcome, schedule = search(best[0] - 1, left, fixed,
                                               neighbourhoods.conflicts)
                    if outcome == "sat":
                        stats["lns_improvements"] = stats.get("lns_improvements", 0) + 1
                        improved(*schedule)
                        progress = True
                failures = 0 if progress else failures + 1
                neighbourhoods.adapt(outcome)
            solver.set(max_conflicts=None)
            # Climb the lower bound from below: "objective <= lower + step - 1" is the
            # easiest claim to refute (the bound-raising worker of portfolio solvers). The
            # step doubles after a refutation and halves after a probe out of budget.
            for _ in range(3):
                if lower >= best[0] - 1:
                    break
                low_probe = min(best[0] - 2, lower + climb - 1)
                if deadline is None:
                    outcome, schedule = search(low_probe, None, max_conflicts=probe_conflicts // 4)
                else:
                    left = deadline - time.perf_counter()
                    outcome, schedule = search(low_probe, max(0.5, left / 12))
                if outcome == "unsat":
                    lower = low_probe + 1
                    climb *= 2
                    say(f"no schedule with {model.objective} <= {low_probe}: lower bound {lower}")
                    continue
                if outcome == "sat":
                    improved(*schedule)
                else:
                    climb = max(1, climb // 2)
                break
            if lower >= best[0]:
                break
        probe = max(lower, best[0] - max(1, int((best[0] - lower) * fraction)))
        budget = conflicts = None
        if probe < best[0] - 1:
            if deadline is None:
                conflicts = probe_conflicts
            else:
                budget = max(1.0, (deadline - time.perf_counter()) / 6)
        outcome, schedule = search(probe, budget, max_conflicts=conflicts)
        if outcome == "sat":
            improved(*schedule)
        elif outcome == "unsat":
            lower = probe + 1
            say(f"no schedule with {model.objective} <= {probe}: lower bound {lower}")
        elif (budget is not None and time.perf_counter() < deadline) or conflicts is not None:
            fraction /= 2  # too hard that far down: try closer to the best
            stuck = True   # and let neighbourhood moves improve the schedule first
            if conflicts is not None:
                probe_conflicts *= 2
            say(f"no answer for {model.objective} <= {probe} within its budget")
        else:
            return result(FEASIBLE, outcome)
    # lower >= best: the last refutation (or a bound that needed no search) proves it;
    # Result refuses a bound above the objective, which would mean a wrong bound
    return result(OPTIMAL)


class Neighbourhoods:
    """Large-neighbourhood search moves (Shaw, CP 1998; the relaxation CP-SAT's LNS workers
    use for scheduling): keep the order of every pair of tasks that share a resource as it is in
    the best schedule, except for the tasks of a random time window, which the search then
    re-sequences under "makespan <= best - 1". The orders are assumptions, so every learned
    clause stays valid. Each move has a conflict budget, so the sequence of moves is the same
    for the same seed; the window grows when moves are refuted quickly (too small to contain
    a better schedule) and shrinks when they run out of conflicts."""

    def __init__(self, model, encoding, seed):
        self.encoding = encoding
        self.random = random.Random(seed)
        self.tasks = model.tasks
        self.resources = model.resources
        self._pairs = None
        self.share = 0.3         # fraction of the tasks set free
        self.conflicts = 300     # conflict budget of one move

    @property
    def pairs(self):
        """The pairs of tasks that share a resource, made on first use: n^2 of them on a big
        resource, and an easy model never needs them."""
        if self._pairs is None:
            pairs = set()
            for resource in self.resources:
                used = sorted(t.index for t, _ in resource.demands if t.duration > 0)
                for a in range(len(used)):
                    for b in range(a + 1, len(used)):
                        pairs.add((used[a], used[b]))
            self._pairs = sorted(pairs)
        return self._pairs

    def fixed_orders(self, starts, present):
        """The ordering assumptions of one move: every resource pair outside the window that
        the best schedule orders, in that order."""
        tasks = self.tasks
        ends = [starts[t.index] + t.duration for t in tasks]
        horizon = max(ends) if ends else 0
        width = max(1, int(horizon * self.share))
        begin = self.random.randint(-width // 2, max(-width // 2, horizon - width // 2))
        free = {t.index for t in tasks
                if starts[t.index] < begin + width and ends[t.index] > begin}
        fixed = []
        for i, j in self.pairs:
            if i in free or j in free or not (present[i] and present[j]):
                continue
            a, b = tasks[i], tasks[j]
            if ends[i] <= starts[j]:
                fixed.append(self.encoding.before(a, b))
            elif ends[j] <= starts[i]:
                fixed.append(self.encoding.before(b, a))
        return fixed

    def adapt(self, outcome):
        if outcome == "unsat":
            self.share = min(0.8, self.share * 1.2)
        elif outcome != "sat":
            self.share = max(0.05, self.share / 1.2)
