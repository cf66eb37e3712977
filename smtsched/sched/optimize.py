"""Anytime makespan optimisation with proofs, on top of the public Solver.

1. The lower bound starts at the bound that needs no search (smtsched.sched.bounds).
2. A first schedule: one check without a bound on the makespan.
3. Then probes below the best: a check under the assumption `makespan <= probe` either finds
   a better schedule (the upper bound drops to its makespan) or is refuted (the lower bound
   rises to probe + 1). Probes bisect the gap; a probe that does not finish within a quarter
   of the time left is retried closer to the best (half the distance), so a hard middle does
   not eat the whole budget. Each search starts from the last schedule's orderings
   (solution-guided phases). The last refutation, of best - 1, is the proof of optimality.

Every schedule is checked against the model by `smtsched.sched.check` before it counts.
Overloads of cumulative resources are refuted inside the search by the cumulative theory; for
a resource with optional tasks the optimiser cuts them between checks instead (see
encode.py) and repeats the check; cuts are facts of the model and stay.
A check that runs out of time ends the search with what is proven so far.
"""
import sys
import time

from ..errors import SmtschedError
from ..solver import Solver, sat, unsat
from . import bounds, check
from .encode import Encoding
from .result import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, Result


class ScheduleCheckError(SmtschedError, AssertionError):
    """Internal error: a schedule failed the independent check (never returned)."""


def solve(model, time_limit=None, seed=0, on_solution=None, log=False):
    started = time.perf_counter()
    deadline = None if time_limit is None else started + time_limit
    encoding = Encoding(model)
    solver = Solver()
    solver.set(seed=seed)
    solver.add(encoding.formulas)
    # cuts: overloads cut by the optimiser between checks (resources with optional tasks);
    # theory_cuts: overloads the cumulative theory refuted inside the search
    stats = {"checks": 0, "cuts": 0, "theory_cuts": 0, "solutions": 0, "conflicts": 0}
    optimise = model.objective == "makespan"
    lower = bounds.makespan_lower_bound(model) if optimise else None
    best = None  # (makespan, starts, present)

    def say(text):
        if log:
            print(f"[{time.perf_counter() - started:8.2f}s] {text}", file=sys.stderr, flush=True)

    def search(bound, budget=None):
        """'sat' (with a checked schedule), 'unsat' or the reason of an unknown; `budget`
        (seconds) bounds this search below the overall deadline."""
        assumptions = [] if bound is None else [encoding.makespan <= bound]
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
            stats["theory_cuts"] += counters.get("cumulative_conflicts", 0)
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
        stats["runtime"] = time.perf_counter() - started
        if best is None:
            return Result(model, status, lower_bound=lower, runtime=stats["runtime"],
                          stats=stats, reason=reason)
        objective = best[0] if optimise else None
        return Result(model, status, objective=objective, lower_bound=lower,
                      starts=best[1], present=best[2], runtime=stats["runtime"], stats=stats,
                      reason=reason)

    def improved(starts, present):
        nonlocal best
        value = check.makespan(model, starts, present)
        best = (value, starts, present)
        stats["solutions"] += 1
        say(f"schedule with makespan {value}, lower bound {lower}")
        if on_solution is not None:
            on_solution(result(FEASIBLE if lower is None or lower < value else OPTIMAL))

    outcome, schedule = search(None)
    if outcome == "unsat":
        return result(INFEASIBLE)
    if outcome != "sat":
        return result(UNKNOWN, outcome)
    improved(*schedule)
    if not optimise:
        return result(OPTIMAL)
    fraction = 0.5  # how far into the gap the next probe goes
    while lower < best[0]:
        probe = max(lower, best[0] - max(1, int((best[0] - lower) * fraction)))
        budget = None
        if probe < best[0] - 1:
            left = None if deadline is None else deadline - time.perf_counter()
            budget = 10.0 if left is None else max(1.0, left / 4)
        outcome, schedule = search(probe, budget)
        if outcome == "sat":
            improved(*schedule)
        elif outcome == "unsat":
            lower = probe + 1
            say(f"no schedule with makespan <= {probe}: lower bound {lower}")
        elif budget is not None and (deadline is None or time.perf_counter() < deadline):
            fraction /= 2  # too hard that far down: try closer to the best
            say(f"no answer for makespan <= {probe} within {budget:.1f} s")
        else:
            return result(FEASIBLE, outcome)
    lower = best[0]
    return result(OPTIMAL)
