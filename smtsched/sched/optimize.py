"""Anytime optimisation with proofs (makespan, weighted completion time, weighted tardiness
or the peak of a memory): the `Optimizer`, on a search backend (smtsched.sched.backend).

1. The lower bound starts at the bound that needs no search (smtsched.sched.bounds, and
   smtsched.sched.mode_bound for modes).
2. A first schedule: a greedy serial schedule (smtsched.sched.heuristic, or for modes under
   non-renewable budgets smtsched.sched.mode_greedy) when the model allows one, else one
   check without a bound on the objective. Under a memory budget (makespan),
   memory-aware list schedules improve it before any backend is built
   (smtsched.sched.memory_list, `list_improved`); a makespan start not already optimal also
   meets the cut bound (bounds.cut_lower_bound), which may decide OPTIMAL without a backend.
3. Then probes below the best: a check under the assumption `objective <= probe` either finds
   a better schedule (the upper bound drops to its value) or is refuted (the lower bound
   rises to probe + 1). Probes bisect the gap; a probe that does not finish within a sixth
   of the budget left is retried closer to the best (half the distance), so a hard middle
   does not eat the whole budget. Each search starts from the last schedule's orderings
   (solution-guided phases). The last refutation, of best - 1, is the proof of optimality.
4. Once a probe has run out of budget, a round of large-neighbourhood moves (`Neighbourhoods`)
   improves the schedule, and a few probes just above the lower bound (the easiest claims to
   refute, with a step that doubles after each refutation) raise it, before the next probe.

Every budget counts conflicts (moves for the tabu search, passes for the memory-aware list
schedules), never seconds, so the same model, seed and time limit give the same search,
answer and statistics. Without a time limit a probe has PROBE_CONFLICTS (doubled after each
probe that runs out of it) and nothing ends the run but the proof. With a time limit the run
has a budget of conflicts (`conflict_budget`: the limit at a fixed rate that grows with the
model, `conflict_seconds`); a probe may take a sixth of what is left of it, a climb probe a
twelfth, a round of neighbourhood moves 30%, and the run ends FEASIBLE ("timeout: the time
limit's budget ...") once it is spent. The deadline (the time limit on the clock) is only a
cap: a run that reaches it first stops there, answers with what is proven (reason "timeout")
and says so in its statistics ("stopped": "deadline"; "tabu_stopped", "list_stopped" when
it cut those short); only such a run depends on the machine's speed. (Parallel search, k
Optimizers that share schedules and bounds: smtsched.sched.portfolio.)

Every schedule is checked against the model by `smtsched.sched.check`, once, before it counts
(the greedy and the caller's schedules in `best_start`, the searched ones in
`Optimizer.checked`); a schedule that fails is an internal error (ScheduleCheckError), never
returned. Overloads of cumulative resources are refuted inside the search by the cumulative
theory; for a resource with optional tasks the optimiser cuts them between checks instead (see
encode.py) and repeats the check; cuts are facts of the model and stay.
A check that runs out of time ends the search with what is proven so far.

Certificates (`proof`, a smtsched.sched.proof.Certification): the backend is built with a
proof sink (one persistent engine logs every probe), and an OPTIMAL answer of value v is backed
by the refutation of "objective <= v - 1" (`certify`). When the run decided OPTIMAL without
one (a static bound met by a schedule, a backend's bound, the last refutation at another
probe), one more search under that bound must refute it within the time left; INFEASIBLE
decided without a search (positive cycles) is refuted by a search without a bound. When that
search does not finish, the answer stands and no certificate is written (`Result.certificate`
None, `Result.certificate_note` says why). Only UNSAT checks are certified: a stopped search
answers unknown.
"""
import gc
import os
import random
import sys
import time
from contextlib import contextmanager
from fractions import Fraction

from ..errors import SmtschedError
from . import (bound_proof, bounds, check, heuristic, local_search, memory_list, mode_bound,
               mode_choice, mode_greedy)
from .backend import SAT, UNSAT, BuildTimeout
from .lowered import LoweringBackend
from .memory import oversized_buffer, quick_lower_bound
from .result import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, Result
from .schedule_orders import reduced_orders


# the share of the time limit the tabu search may take at most (its move budget,
# local_search.budget, ends it first: about a fifth)
LOCAL_SEARCH_SHARE = 0.3

# With a time limit, a conflict of the search is taken to cost CONFLICT_SECONDS_PER_TASK
# seconds per task plus CONFLICT_SECONDS_PER_PAIR per pair of tasks (`conflict_seconds`: the
# rate that turns the limit into a conflict budget, `conflict_budget`), as
# local_search.budget turns it into tabu moves. A conflict costs more than linearly in the
# tasks (the propagation of each resource's orders). Calibrated on the benchmark machine,
# quiet, one run at a time (`smtsched solve FILE --timeout 10 --json`, 2026-12-07): with
# 5e-6 per task the budgets ended j3029_6 at 6.6 s (0.14 ms a conflict), j6029_3 and j6013_2
# at 7.0-7.3 s (0.35 ms), la21 at 9.6 s (1.8 ms), la36 at 7.6 s (2.7 ms); la29 (4.0 ms),
# abz7 and j120 reached the cap. 3.5e-6 puts j30 and j60 at about 85% of the limit; the
# largest instances reach the cap (and say so: stats["stopped"]), and a slower or loaded
# machine reaches it sooner (under nice 19 at load 4, runs got 3 to 10 times fewer conflicts
# a second). To calibrate on another machine or to keep a test far from the cap:
# SMTSCHED_CONFLICT_COST, a factor on the cost (2: budgets of half as many conflicts), read
# once at import.
CONFLICT_SECONDS_PER_TASK = 3.5e-6
CONFLICT_SECONDS_PER_PAIR = 5e-8


def _cost_factor(name="SMTSCHED_CONFLICT_COST"):
    """The factor of environment variable `name` (default 1); a value that is not a positive
    number is named on standard error and ignored (smtsched.switches' rule)."""
    text = os.environ.get(name, "").strip()
    if not text:
        return 1.0
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        sys.stderr.write(f"smtsched: {name} must be a positive number; {text[:40]!r} is "
                         "ignored (1)\n")
        return 1.0
    return value


CONFLICT_COST = _cost_factor()


# An option of an alternative (a mode of a multi-mode activity) counts as this share of a task
# in the cost of a conflict: the options of one activity never run together (one is present),
# they share its start, and the activity's main task carries its precedences. Counted as
# whole tasks, the 30-activity multi-mode instances of bench/gen_project.py (122 tasks, 90 of
# them options) were taken to cost 1.17 ms a conflict where they took 0.3-0.65 ms (load 3, 2
# cores), and the budget ended the run at 35-60% of its limit (mm30_07: 3.9 s of 10; issue
# 17). At a half they are taken as 77 tasks, 0.57 ms. Models without alternatives count as
# before (the calibration above).
OPTION_SHARE = 0.5


def conflict_seconds(model):
    """What a conflict is taken to cost on `model` (seconds), for the budgets."""
    options = len({o.index for _, opts in model.alternatives for o in opts})
    n = max(10, len(model.tasks) - options + OPTION_SHARE * options)
    return CONFLICT_COST * (CONFLICT_SECONDS_PER_TASK * n + CONFLICT_SECONDS_PER_PAIR * n * n)


def conflict_budget(model, time_limit):
    """The conflicts a run with `time_limit` seconds may spend in its checks (None without a
    limit): a count, not a clock, so the same limit gives the same search."""
    if time_limit is None:
        return None
    return int(time_limit / conflict_seconds(model))


class ScheduleCheckError(SmtschedError, AssertionError):
    """Internal error: a schedule failed the independent check (never returned)."""


class ProofUnsupported(SmtschedError, ValueError):
    """A certificate asked of a backend that cannot log one (SolverBackend)."""


def solve(model, time_limit=None, seed=0, on_solution=None, log=False, start_from=(),
          proof=None):
    return Optimizer(model, time_limit, seed, on_solution, log, start_from,
                     proof=proof).run()


def least_consumption(model, resource):
    """The least amount of the non-renewable `resource` that every schedule consumes: the
    mandatory tasks' amounts, plus per alternative the least amount of its options (an option
    without an amount: 0). When an option belongs to two alternatives (one presence serves
    both), only the mandatory amounts: the per-alternative sum could count it twice."""
    amount = {t.index: a for t, a in resource.consumption}
    least = resource.constant()
    options = [o.index for _, opts in model.alternatives for o in opts]
    if len(set(options)) != len(options):
        return least
    for _, opts in model.alternatives:
        least += min(amount.get(o.index, 0) for o in opts)
    return least


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


def best_partial_start(model, candidates):
    """The valid (starts, present) of lowest objective among `candidates` (schedules with
    absent tasks: `best_start` takes every task present), the first of equals; None when none
    is valid."""
    first = None
    for starts, present in candidates:
        if len(starts) == len(model.tasks) and not check.violations(model, starts, present) \
                and (first is None or model.objective_value(starts, present)
                     < model.objective_value(*first)):
            first = (starts, present)
    return first


class _Collector:
    """Keeps the cyclic garbage collector off the encoding's objects, which live as long as
    the search: walking them again and again took 19% of the time on a 500-task memory
    model. A full collection first costs ~20 ms: only worth it for big models. The lowering
    makes few objects per task on job shops (8,000 for la40's 225 tasks, where the collection
    took 6 ms of the 16 before the first search) and millions on memory models (3.3 million
    for a 949-task graph: a full pass 0.9 s), so from 500 tasks on."""

    def __init__(self, tasks):
        self.active = tasks >= 500 and gc.isenabled() and gc.get_freeze_count() == 0

    def __enter__(self):
        if self.active:
            gc.collect()
        return self

    def __exit__(self, *exc):
        if self.active:
            gc.unfreeze()

    @contextmanager
    def building(self):
        """No cyclic collections while the backend is built: they free nothing, and their
        full passes grew to 5 s each on a 4,713-task memory model (40% of the build, and
        seconds past the deadline between two of its checks). Frozen before collections
        resume, else the first young-generation pass walks them all (14 s)."""
        if not self.active:
            yield
            return
        gc.disable()
        try:
            yield
        finally:
            gc.freeze()
            gc.enable()


class Optimizer:
    """One optimisation run of `model` (see the module docstring), in named steps:

    `run` = `static_infeasibility`, `first_schedule` (reported as `greedy_result`),
    `build_backend`, then `probe_loop`: probes that bisect the gap with `fraction`, and once a
    probe ran out of budget a `neighbourhood_round` and a `climb` of the lower bound. Every
    check goes through `search` (one check under a budget, `cut` of overloads until none is
    left, then `checked`); a better schedule goes through `improved`, the answer through
    `result`.

    `backend`: how to build the search backend, `backend(model, horizon, deadline, seed)`
    (smtsched.sched.backend describes the interface): by default LoweringBackend (the direct
    lowering on one persistent engine, smtsched.sched.lowered); SolverBackend (the pairwise
    encoding on the Solver, a fresh engine per check) gives the same answers, for comparison.
    `proof`: a smtsched.sched.proof.Certification (None: no certificate), for a backend that
    supports proofs (LoweringBackend; SolverBackend is refused).

    One `run` per Optimizer."""

    # the conflict budget of a probe below best - 1 without a time limit (doubled after each
    # probe that runs out of it)
    PROBE_CONFLICTS = 20000
    # improve the first schedule by the tabu search (local_search) when the model allows it
    # and has at least LOCAL_SEARCH_FROM tasks; tests of the search's own steps on small job
    # shops turn it off (it solves them). Below 400 tasks the exact search proves the job
    # shops it can on its own (la01-la40, ft10: 150-300 tasks), and the tabu search's moves
    # only delayed the proof (ft10: 21.2 s to optimal without, 22.7 s with); from 400 on
    # (ta21-ta30, yn1-yn4, swv11-swv20) it is most of the way to the best known.
    LOCAL_SEARCH = True
    LOCAL_SEARCH_FROM = 400

    def __init__(self, model, time_limit=None, seed=0, on_solution=None, log=False,
                 start_from=(), backend=LoweringBackend, proof=None):
        if proof is not None and not getattr(backend, "supports_proof", False):
            raise ProofUnsupported(f"{getattr(backend, '__name__', backend)} writes no "
                                   "certificates: use the default backend (LoweringBackend) "
                                   "with proof=")
        self.model = model
        self.proof = proof
        self.certifying = False   # proof asked for and the checker can read the model
        # bound (None: no bound) -> its assumption literal, for every refuted check without
        # other assumptions: the refutations a certificate can name
        self.refuted = {}
        self.time_limit = time_limit
        self.seed = seed
        self.on_solution = on_solution
        self.log = log
        self.start_from = start_from
        self.make_backend = backend
        self.backend = None
        self.started = self.deadline = None
        # with a time limit, the run's conflicts (`conflict_budget`); the deadline is a cap
        self.conflict_budget = conflict_budget(model, time_limit)
        self.optimise = model.objective is not None
        self.first = None      # the starting schedule (greedy or the caller's), if valid
        self.first_present = None   # its presences (None: every task present)
        self.list_stats = {}   # what the memory-aware list schedules did (`list_improved`)
        self.cut_bound = 0     # bounds.cut_lower_bound, when the start is not optimal already
        self.unfit_start = None   # the greedy schedule, even when a memory budget refuses it
        self.best = None       # (objective, starts, present)
        self.lower = None      # the proven lower bound
        self._static_bound = None
        self.bound_first = None   # a static bound to state as a lemma before refuting
        self.stats = {}
        # the probe loop's state
        # how far into the gap the next probe goes; exact (a Fraction), since a gap of
        # model numbers beyond a float's range (10^400) cannot be multiplied by a float
        self.fraction = Fraction(1, 2)
        self.stuck = False     # a probe ran out of budget: moves and a climb come first
        self.probe_conflicts = self.PROBE_CONFLICTS
        self.climb_step = 1    # the lower-bound climb's step
        self.neighbourhoods = None
        self.local_stats = {}   # the tabu search's counters (local_search.improve)

    # -- the run ---------------------------------------------------------------------------
    def run(self):
        with _Collector(len(self.model.tasks)) as collector:
            self.started = time.perf_counter()
            if self.time_limit is not None:
                self.deadline = self.started + self.time_limit
            if self.proof is not None:
                self.certifying = self.proof.prepare()
            try:
                result = self.answer(collector)
                if self.proof is not None:
                    self.certify(result, collector)
                return result
            finally:
                if self.backend is not None:  # none when the start met the static bound
                    self.backend.close()

    def answer(self, collector):
        """The Result of the run (without its certificate)."""
        reason = self.static_infeasibility()
        if reason is not None:
            return Result(self.model, INFEASIBLE, runtime=self.elapsed(),
                          stats={"runtime": self.elapsed()}, reason=reason)
        if self.optimise:
            self.first = self.first_schedule()
        if self.first is not None and self.on_solution is not None:
            # Report the greedy schedule before the backend is built: on graphs of a
            # thousand tasks that takes seconds, and a caller stopped meanwhile keeps it.
            self.on_solution(self.greedy_result())
        if self.optimise and memory_list.applicable(self.model):
            listed = self.list_improved()
            if listed is not None:
                self.first = listed
                if self.on_solution is not None:
                    self.on_solution(self.greedy_result())
        if self.optimise and self.model.objective == "makespan" and self.first is not None \
                and not self.start_is_optimal():
            self.cut_bound = bounds.cut_lower_bound(self.model)
        if not self.start_is_optimal() and not self.start_meets_cut_bound():
            try:
                with collector.building():
                    self.backend = self.build_backend()
            except BuildTimeout:
                return self.build_timeout()
        return self.optimise_from_start()

    def elapsed(self):
        return time.perf_counter() - self.started

    def conflicts_left(self):
        """What is left of the run's conflict budget (None: no time limit, no budget)."""
        if self.conflict_budget is None:
            return None
        return self.conflict_budget - self.stats.get("conflicts", 0)

    def share(self, part, least):
        """A conflict budget of `part` of what is left, at least `least` seconds' worth."""
        return max(int(least / conflict_seconds(self.model)),
                   int(self.conflicts_left() * part))

    def capped(self):
        """The deadline (the time limit on the clock) has passed: the run stops there, and
        its statistics say so (the only stop that depends on the machine)."""
        if self.deadline is not None and time.perf_counter() >= self.deadline:
            self.stats["stopped"] = "deadline"
            return True
        return False

    def say(self, text):
        if self.log:
            print(f"[{self.elapsed():8.2f}s] {text}", file=sys.stderr, flush=True)

    # -- the steps before any search -------------------------------------------------------
    def static_infeasibility(self):
        """The reason the model is infeasible when that needs no search, simple enough to
        say (and every bound computed from positively cyclic lags would be void), else None."""
        model = self.model
        cycle = bounds.positive_cycle(model)
        if cycle is not None:
            return str(cycle)
        oversized = oversized_buffer(model)
        if oversized is not None:
            memory, buffer = oversized
            return (f"buffer {buffer.name} ({buffer.size} bytes) does not fit in {memory.name} "
                    f"(capacity {memory.capacity})")
        for resource in model.nonrenewables:
            least = least_consumption(model, resource)
            if least > resource.capacity:
                return (f"the non-renewable resource {resource.name} needs at least {least} "
                        f"(capacity {resource.capacity}) whatever the options chosen")
        together = mode_choice.infeasible_resources(model)
        if together is not None:
            return (f"no choice of options fits the non-renewable resources "
                    f"{', '.join(together)} at once (each fits alone)")
        for rule in model.presence_rules:
            # a rule that always applies (no condition, or a mandatory one) over two
            # mandatory tasks that asks for exactly one of them
            mandatory = [t.name for t in rule.tasks if not t.optional]
            if rule.kind == "exactly_one" and len(mandatory) >= 2 \
                    and (rule.condition is None or not rule.condition.optional):
                return (f"select_exactly_one over mandatory tasks ({', '.join(mandatory[:3])})"
                        " cannot hold")
        return None

    def first_schedule(self):
        """The best valid one of the greedy schedule and the caller's (None: none); for a
        multi-mode model the greedy of smtsched.sched.mode_greedy, with its presences in
        `first_present`."""
        candidates = [heuristic.serial_schedule(self.model, self.seed)]
        self.unfit_start = candidates[0]   # (a hint even when a memory budget refuses it)
        whole = [list(s) for s in self.start_from if None not in s]
        first = best_start(self.model, candidates + whole)
        # schedules with absent tasks: the caller's with None starts, the modes' greedy
        partial = [([0 if x is None else x for x in s], [x is not None for x in s])
                   for s in self.start_from if None in s]
        if first is None and mode_greedy.applicable(self.model):
            found = mode_greedy.first_schedule(self.model, self.seed)
            if found is not None:
                partial.append(found)
        chosen = best_partial_start(self.model, partial)
        if chosen is not None and (first is None or self.model.objective_value(*chosen)
                                   < self.model.objective_value(first)):
            self.first_present = chosen[1]
            return chosen[0]
        if not self.LOCAL_SEARCH or len(self.model.tasks) < self.LOCAL_SEARCH_FROM:
            return first
        # a tabu search on the machine orders (models of machines only): most of the way
        # from the greedy schedule to the best known in seconds, deterministic (a move
        # budget from the time limit, local_search.budget: about a fifth of it); the
        # deadline, LOCAL_SEARCH_SHARE of the time limit, is only a safety cap
        deadline = None if self.time_limit is None \
            else self.started + self.time_limit * LOCAL_SEARCH_SHARE
        iterations, limit = local_search.budget(self.model, self.time_limit)
        # (improve checks the schedule it returns: each schedule is checked once)
        better = local_search.improve(self.model, first, self.seed, deadline,
                                      iterations=iterations, limit=limit,
                                      lower=self.static_bound(), stats=self.local_stats,
                                      checked=True)
        if better is None:
            return first
        self.say(f"tabu search: {self.model.objective_value(first)} -> "
                 f"{self.model.objective_value(better)} ({self.local_stats['iterations']} moves)")
        return better

    # the memory-aware list schedules before the backend is built: at most this many passes,
    # within this share of the time limit
    LIST_PASSES = 400
    LIST_SHARE = 0.1

    def list_improved(self):
        """A checked schedule better than the start (or the first valid one) from the
        memory-aware list schedules of smtsched.sched.memory_list, or None. Under a memory
        budget the greedy schedules are often one operator at a time (the order that fits),
        where the same order on all the units fits too and takes half the time or less:
        rand_graph_1000_3 36,599 -> 18,315 in one pass, its bound 18,300. Tried from the
        start's order, the greedy (maybe over-budget) schedule's order and the longest-tail
        order, then improved by the local search within LIST_PASSES passes and LIST_SHARE of
        the time limit; it stops at the static bound."""
        model = self.model
        n = len(model.tasks)
        lists = memory_list.ListScheduler(model)
        priorities = [memory_list.start_order(s, lists.durations)
                      for s in (self.first, self.unfit_start) if s is not None and len(s) == n]
        priorities.append([-t for t in lists.tail])
        candidates = [lists.schedule(p) for p in priorities]
        listed = best_start(model, [self.first] + candidates)
        stats = self.list_stats
        stats["list_passes"] = len(candidates)
        if listed is None:
            return None
        deadline = None
        if self.deadline is not None:
            deadline = time.perf_counter() + self.LIST_SHARE * max(
                0.0, self.deadline - time.perf_counter())
        better = memory_list.improve(model, listed, self.seed, self.LIST_PASSES, deadline,
                                     lists, lower=self.static_bound())
        if deadline is not None and time.perf_counter() >= deadline:
            # (its passes are a count, LIST_SHARE of the time left a cap: the statistics say
            # when the clock may have cut them short)
            stats["list_stopped"] = "deadline"
        if better is not None:
            listed = best_start(model, [listed, better])   # (checked; the better if valid)
        if listed is self.first:
            return None
        if self.first is not None:
            stats["list_from"] = model.objective_value(self.first)
        stats["list_schedule"] = model.objective_value(listed)
        self.say(f"list schedule with {model.objective} {stats['list_schedule']}")
        return listed

    def static_bound(self):
        """The lower bound that needs no search (nor a backend)."""
        if self._static_bound is None:
            model = self.model
            if model.objective == "peak_memory":
                self._static_bound = quick_lower_bound(model, model.objective_memory)
            elif model.objective == "makespan":
                # (the modes' bound is no certificate lemma: an OPTIMAL that rests on it is
                # refuted by a search when certified, as `certify` does for any bound that
                # bound_proof cannot state)
                self._static_bound = max(bounds.makespan_lower_bound(model),
                                         mode_bound.makespan_bound(model))
            else:
                self._static_bound = bounds.cost_lower_bound(model)
        return self._static_bound

    def first_value(self):
        return self.model.objective_value(self.first, self.first_present)

    def greedy_result(self):
        """The starting schedule as a Result, with the bound that needs no backend."""
        value = self.first_value()
        # Result calls it OPTIMAL when the bound meets the value, and refuses a bound above a
        # checked schedule's value (a wrong bound: an internal error, never hidden by a min)
        return Result(self.model, FEASIBLE, objective=value, lower_bound=self.static_bound(),
                      starts=self.first,
                      present=self.first_present or [True] * len(self.model.tasks),
                      runtime=self.elapsed(),
                      stats={"heuristic": value, **self.list_stats, "runtime": self.elapsed()})

    def start_is_optimal(self):
        """The starting schedule meets the bound that needs no search: no backend is built
        (the lowering would be most of the run on such models)."""
        # (with a certificate to write: for a makespan, whose static bound is a lemma the
        # certificate can hold without a search: bound_proof.standalone)
        return (self.first is not None and self.optimise
                and (not self.certifying or self.model.objective == "makespan")
                and self.first_value() <= self.static_bound())

    def start_meets_cut_bound(self):
        """The start meets the cut bound (bounds.cut_lower_bound): optimal without a backend,
        unless a certificate is to be written (its refutation then needs the backend)."""
        return (self.first is not None and self.optimise and not self.certifying
                and self.cut_bound > 0
                and self.first_value() <= self.cut_bound)

    def build_backend(self):
        """The search backend; the probes ask about makespans below the first schedule's (or
        within the horizon)."""
        model = self.model
        horizon = model.horizon
        if model.objective == "makespan" and self.first is not None:
            below = self.first_value() - 1
            horizon = below if horizon is None else min(horizon, below)
        if self.certifying:
            return self.make_backend(model, horizon, self.deadline, self.seed, proof=True)
        return self.make_backend(model, horizon, self.deadline, self.seed)

    def build_timeout(self):
        """The answer when the deadline passed while the backend was built."""
        reason = "timeout (while building the encoding)"
        if self.first is None:
            return Result(self.model, UNKNOWN, runtime=self.elapsed(),
                          stats={"runtime": self.elapsed()}, reason=reason)
        result = self.greedy_result()
        if result.status != OPTIMAL:
            result.reason = reason
        return result

    # -- the search ------------------------------------------------------------------------
    def optimise_from_start(self):
        """From the first schedule (or a first search) to the answer."""
        model = self.model
        # cuts: overloads cut by the optimiser between checks (resources with optional
        # tasks); theory_cuts: overloads the cumulative theory refuted inside the search
        # (final-check and timetable cuts)
        self.stats = self.fresh_stats()
        self.stats.update(self.list_stats)
        if self.optimise:
            self.lower = max(self.static_bound(), self.cut_bound)
            if self.cut_bound:
                self.stats["cut_bound"] = self.cut_bound
            proven = None if self.backend is None else self.backend.lower_bound()
            if proven is not None:
                # both hold: the greedy result may already have reported the static one
                self.lower = max(proven, self.lower)
        if self.first is not None:
            # a greedy schedule to start from: the upper bound, and the phases of the first
            # searches (the search then only has to improve it)
            present = self.first_present or [True] * len(model.tasks)
            if self.backend is not None:
                self.backend.hint(self.first, present)
            self.stats["heuristic"] = self.first_value()
            if self.local_stats:
                self.stats["tabu_moves"] = self.local_stats["iterations"]
                if "stopped" in self.local_stats:   # its move budget cut short by the clock
                    self.stats["tabu_stopped"] = self.local_stats["stopped"]
            self.improved(self.first, present, report=False)  # on_solution has had it
            if self.optimise and self.lower > self.static_bound():
                self.bound_raised()  # ... with the static bound only
        else:
            unfit = self.unfit_start
            if self.backend is not None and unfit is not None \
                    and len(unfit) == len(model.tasks):
                # no valid start: the greedy schedule that breaks a memory budget still
                # leads the search to its orders on the resources (the phases, and a lazy
                # resource's atoms of those orders); a hint never changes an answer
                self.backend.hint(unfit, [True] * len(model.tasks))
            outcome, schedule = self.search(None)
            if outcome == UNSAT:
                return self.result(INFEASIBLE)
            if outcome != SAT:
                self.capped()   # (the statistics say when the deadline stopped it)
                return self.result(UNKNOWN, outcome)
            self.improved(*schedule)
        if not self.optimise:
            return self.result(OPTIMAL)
        return self.probe_loop()

    @staticmethod
    def fresh_stats():
        return {"checks": 0, "cuts": 0, "theory_cuts": 0, "solutions": 0, "conflicts": 0}

    def probe_loop(self):
        """Probes bisecting the gap until the bound meets the best (or time is up)."""
        # Large-neighbourhood rounds start once a probe ran out of budget (`stuck`): easy
        # models are proven by the probes alone, without the overhead of the moves.
        self.neighbourhoods = Neighbourhoods(self.model, self.backend, self.seed)
        self.climb_step = max(1, (self.best[0] - self.lower) // 16)
        while self.lower < self.best[0]:
            left = self.conflicts_left()
            if left is not None and left <= 0:
                return self.result(FEASIBLE, self.budget_spent())
            if self.stuck and self.neighbourhoods.has_pairs:
                self.stuck = False
                self.neighbourhood_round()
                self.climb()
                if self.lower >= self.best[0]:
                    break
            stopped = self.probe()
            if stopped is not None:
                return self.result(FEASIBLE, stopped)
        # lower >= best: the last refutation (or a bound that needed no search) proves it;
        # Result refuses a bound above the objective, which would mean a wrong bound
        return self.result(OPTIMAL)

    def probe(self):
        """One probe `fraction` of the way into the gap; the reason the run stops, or None."""
        best, lower = self.best[0], self.lower
        probe = max(lower, best - max(1, int((best - lower) * self.fraction)))
        conflicts = None
        if self.conflict_budget is not None:
            # below best - 1 a sixth of what is left (at least a second's worth); the probe
            # of best - 1 (the proof) may take all of it
            conflicts = self.share(1 / 6, 1.0) if probe < best - 1 \
                else max(1, self.conflicts_left())
        elif probe < best - 1:
            conflicts = self.probe_conflicts
        outcome, schedule = self.search(probe, max_conflicts=conflicts)
        if outcome == SAT:
            self.improved(*schedule)
        elif outcome == UNSAT:
            self.lower = probe + 1
            self.say(f"no schedule with {self.model.objective} <= {probe}: lower bound "
                     f"{self.lower}")
            self.bound_raised()
        elif conflicts is not None and not self.capped():
            self.fraction /= 2  # too hard that far down: try closer to the best
            self.stuck = True   # and let neighbourhood moves improve the schedule first
            if self.conflict_budget is None:
                self.probe_conflicts *= 2
            self.say(f"no answer for {self.model.objective} <= {probe} within its budget")
        else:
            return outcome
        return None

    def neighbourhood_round(self):
        """Improve the schedule by large-neighbourhood moves: at most 50 moves, until 10 in a
        row bring nothing, within 30% of the conflicts left (at least 0.2 s worth)."""
        round_end = None   # the run's conflict count that ends the round
        if self.conflict_budget is not None:
            round_end = self.stats["conflicts"] + self.share(0.3, 0.2)

        def in_round():
            if self.capped():
                return False
            return round_end is None or self.stats["conflicts"] < round_end

        neighbourhoods, stats = self.neighbourhoods, self.stats
        failures, moves = 0, 0
        while self.lower < self.best[0] and failures < 10 and moves < 50 and in_round():
            fixed = neighbourhoods.fixed_orders(self.best[1], self.best[2])
            stats["lns_steps"] = stats.get("lns_steps", 0) + 1
            moves += 1
            # improve inside the neighbourhood as long as it allows
            outcome = SAT
            progress = False
            while outcome == SAT and self.lower < self.best[0] and in_round():
                conflicts = neighbourhoods.conflicts
                if round_end is not None:
                    conflicts = max(1, min(conflicts, round_end - self.stats["conflicts"]))
                outcome, schedule = self.search(self.best[0] - 1, fixed, conflicts)
                if outcome == SAT:
                    stats["lns_improvements"] = stats.get("lns_improvements", 0) + 1
                    self.improved(*schedule)
                    progress = True
            failures = 0 if progress else failures + 1
            neighbourhoods.adapt(outcome)

    def climb(self):
        """Climb the lower bound from below: "objective <= lower + step - 1" is the easiest
        claim to refute (the bound-raising worker of portfolio solvers). The step doubles
        after a refutation and halves after a probe out of budget; at most three probes."""
        for _ in range(3):
            if self.lower >= self.best[0] - 1:
                break
            low_probe = min(self.best[0] - 2, self.lower + self.climb_step - 1)
            if self.conflict_budget is None:
                conflicts = self.probe_conflicts // 4
            else:
                conflicts = self.share(1 / 12, 0.5)
            outcome, schedule = self.search(low_probe, max_conflicts=conflicts)
            if outcome == UNSAT:
                self.lower = low_probe + 1
                self.climb_step *= 2
                self.say(f"no schedule with {self.model.objective} <= {low_probe}: lower bound "
                         f"{self.lower}")
                self.bound_raised()
                continue
            if outcome == SAT:
                self.improved(*schedule)
            else:
                self.climb_step = max(1, self.climb_step // 2)
            break

    # what the global theories did, summed over the checks
    THEORY_COUNTERS = ("disjunctive_checks", "disjunctive_conflicts",
                       "disjunctive_propagations", "cumulative_checks", "cumulative_conflicts",
                       "cumulative_timetable_conflicts", "cumulative_energy_conflicts",
                       "cumulative_filtered", "pb_propagations", "pb_conflicts",
                       "memory_conflicts", "memory_timetable_conflicts", "memory_incomplete")

    def search(self, bound, fixed=(), max_conflicts=None):
        """(SAT, checked (starts, present)), (UNSAT, None) or (the reason of an unknown,
        None). `bound`: "objective <= bound" (None: no bound); `fixed`: more assumptions
        (orderings kept from the best schedule); `max_conflicts`: a conflict budget per check
        (the deadline, when there is one, caps it)."""
        assumptions = [] if bound is None else \
            [self.backend.at_most(bound, self.lower, self.best[0])]
        assumptions += list(fixed)
        while True:
            outcome = self.check_once(assumptions, self.deadline, max_conflicts)
            if outcome == UNSAT and not fixed:
                self.refuted[bound] = None if bound is None else assumptions[0]
            if outcome != SAT:
                return outcome, None
            # solution-guided search: the next checks start from this schedule's orderings
            self.backend.follow_last()
            starts, present = self.backend.schedule()
            if self.cut(starts, present):
                continue
            self.checked(starts, present)
            return SAT, (starts, present)

    def check_once(self, assumptions, own_deadline, max_conflicts):
        """One check within the time left before `own_deadline` and `max_conflicts`: SAT,
        UNSAT or the reason of an unknown; its counters are added to the statistics."""
        timeout = None
        if own_deadline is not None:
            timeout = own_deadline - time.perf_counter()
            if timeout <= 0:
                return "timeout"
        stats = self.stats
        stats["checks"] += 1
        answer = self.backend.check(assumptions, timeout, max_conflicts)
        counters = self.backend.statistics()
        stats["conflicts"] += counters.get("conflicts", 0)
        stats["theory_cuts"] += (counters.get("cumulative_conflicts", 0)
                                 + counters.get("cumulative_timetable_conflicts", 0))
        for key in self.THEORY_COUNTERS:
            if key in counters:
                stats[key] = stats.get(key, 0) + counters[key]
        if answer in (SAT, UNSAT):
            return answer
        return self.backend.reason_unknown() or "unknown"

    def cut(self, starts, present):
        """Cut every overload of the schedule (resources the search does not watch); True
        when there was one, and the check is to be repeated."""
        overloads = self.backend.overloads(starts, present)
        for tasks in overloads:
            self.backend.cut(tasks)
            self.stats["cuts"] += 1
        return bool(overloads)

    def checked(self, starts, present):
        """The one check of a searched schedule against the model (sched/check.py)."""
        problems = check.violations(self.model, starts, present)
        if problems:
            raise ScheduleCheckError("internal error: a schedule failed the check against "
                                     f"the model: {problems[0]}; please report this model")

    # -- outcomes --------------------------------------------------------------------------
    def improved(self, starts, present, report=True):
        """A better checked schedule: the new upper bound, reported to on_solution."""
        value = self.model.objective_value(starts, present) if self.optimise else None
        self.best = (value, starts, present)
        self.stats["solutions"] += 1
        self.say(f"schedule with {self.model.objective or 'objective'} {value}, lower bound "
                 f"{self.lower}")
        if self.on_solution is not None and report:
            self.on_solution(self.result(FEASIBLE))

    def bound_raised(self):
        """A higher proven bound, reported to on_solution with the best schedule (unless the
        bound now meets it: the answer comes at once). A caller that stops the run from
        outside keeps the last report, so without this it kept the bound of the last
        improvement: `smtsched dnn` stopped at its limit said 437,176 where the search had
        proven 1,423,127 (rand_graph_1000_1, peak memory)."""
        if self.on_solution is not None and self.best is not None \
                and self.lower < self.best[0]:
            self.on_solution(self.result(FEASIBLE))

    def budget_spent(self):
        """The reason of a run that spent its conflict budget (`conflict_budget`)."""
        return (f"timeout: the time limit's budget of {self.conflict_budget} conflicts is "
                "spent")

    def result(self, status, reason=""):
        """The Result of the search so far; with a schedule, the status follows from the
        numbers (Result: OPTIMAL exactly when the bound meets the objective)."""
        self.stats["runtime"] = self.elapsed()
        runtime = self.stats["runtime"]
        if self.best is None:
            # INFEASIBLE has no bound: a bound on the objective of no schedule means nothing
            return Result(self.model, status,
                          lower_bound=None if status == INFEASIBLE else self.lower,
                          runtime=runtime, stats=self.stats, reason=reason)
        value, starts, present = self.best
        return Result(self.model, status, objective=value if self.optimise else None,
                      lower_bound=self.lower, starts=starts, present=present, runtime=runtime,
                      stats=self.stats, reason=reason)

    # -- the certificate -------------------------------------------------------------------
    def certify(self, result, collector):
        """Write the certificate of `result` (OPTIMAL or INFEASIBLE) when it can be backed by
        a refutation (see the module docstring); `result.certificate` is then the folder,
        else None with `result.certificate_note` saying why."""
        proof = self.proof
        began = time.perf_counter()
        claim = assumptions = None
        if not self.certifying:
            pass   # proof.note says why
        elif result.status == INFEASIBLE:
            claim = {"kind": "infeasible"}
            assumptions = self.refutation(None, collector)
        elif result.status == OPTIMAL and not self.optimise:
            proof.note = ("no certificate: a model without an objective is answered by its "
                          "checked schedule (there is nothing to refute)")
        elif result.status == OPTIMAL and not self.model.tasks:
            # (the lowering of no task has no makespan >= 0 to refute a bound with)
            proof.note = "no certificate: a model without tasks has nothing to refute"
        elif result.status == OPTIMAL and self.model.objective == "peak_memory" \
                and not self.model.objective_memory.buffers:
            # (no row to refute "peak <= -1" with: LoweringBackend._peak_guard)
            proof.note = ("no certificate: a memory without buffers has peak 0 in every "
                          "schedule (nothing to refute)")
        elif result.status == OPTIMAL:
            value = result.objective
            claim = {"kind": "optimal", "objective": self.model.objective, "value": value}
            if value - 1 not in self.refuted and value <= self.static_bound():
                # the static bound that decided the answer, as a lemma with its arithmetic:
                # the whole certificate when no backend was built, else a lemma that makes
                # the refutation below immediate
                if self.backend is None and self.standalone(claim, result):
                    claim = None
                else:
                    self.bound_first = value
            if claim is not None:
                assumptions = self.refutation(value - 1, collector)
        else:
            proof.note = f"no certificate: the answer is {result.status}, not proven"
        if assumptions is not None:
            proof.write(self.backend.certificate, claim, assumptions, result)
        result.stats.update(self.stats)   # with the refuting search's counters, if one ran
        result.certificate = proof.written
        result.certificate_note = proof.note
        if proof.written is not None:
            # a time, so not among the statistics (the same input and seed give the same
            # statistics); the runtime includes it
            result.certificate_time = round(time.perf_counter() - began, 6)
            result.runtime = self.elapsed()
            result.stats["runtime"] = result.runtime
            self.say(f"certificate written to {proof.written}")
        else:
            self.say(proof.note)

    def standalone(self, claim, result):
        """Write the certificate of an OPTIMAL makespan at its static bound without a search
        (bound_proof.standalone); False when the bound cannot be stated (then a refutation
        backs it)."""
        made = bound_proof.standalone(self.model, claim["value"])
        if made is None:
            return False
        certificate, assumptions = made
        self.proof.write(certificate, claim, assumptions, result)
        return True

    def refutation(self, bound, collector):
        """The assumptions of a refutation of "objective <= bound" (bound None: of the model
        itself), from the checks so far or else one more check within the time left; None
        when there is none (`proof.note` then says why)."""
        literal = self.refuted.get(bound)
        if bound in self.refuted and literal not in getattr(self.backend, "retired", ()):
            return [] if bound is None else [literal]
        # (a guard retired since its refutation is no assumption a certificate can name: the
        # retiring unit refutes it by itself; at_most makes a fresh one)
        proof = self.proof
        what = "the model" if bound is None else f"{self.model.objective} <= {bound}"
        if self.backend is None:   # decided before any backend was built
            try:
                with collector.building():
                    if bound is None:
                        # no horizon for the lowering: its windows need heads and tails,
                        # which positively cyclic precedences (static infeasibility) lack
                        self.backend = self.make_backend(self.model, None, self.deadline,
                                                         self.seed, proof=True)
                    else:
                        self.backend = self.build_backend()
            except BuildTimeout:
                proof.note = ("no certificate: the deadline passed while building the "
                              f"encoding for the refutation of {what}")
                return None
            except bounds.PositiveCycle as cycle:
                proof.note = (f"no certificate: the encoding for the refutation of {what} "
                              f"needs acyclic precedences ({cycle})")
                return None
        if not self.stats:
            self.stats = self.fresh_stats()
        if self.bound_first is not None:
            self.backend.bound_lemma(self.bound_first)
            self.bound_first = None
        self.say(f"proof: refuting {what}")
        outcome, schedule = self.search(bound)
        if outcome == UNSAT:
            return [] if bound is None else [self.refuted[bound]]
        if outcome == SAT:
            # a checked schedule the answer said could not exist: a wrong bound (or static
            # infeasibility), never hidden
            raise ScheduleCheckError(
                f"internal error: a schedule with {self.model.objective or 'no objective'} "
                f"{self.model.objective_value(*schedule) if self.optimise else ''} exists, "
                f"which the answer excluded ({what} was to be refuted); please report this "
                "model")
        proof.note = (f"no certificate: the refutation of {what} did not finish ({outcome}); "
                      "the answer stands")
        return None


class Neighbourhoods:
    """Large-neighbourhood search moves (Shaw, CP 1998; the relaxation CP-SAT's LNS workers
    use for scheduling): keep the order of every pair of tasks that share a resource as it is in
    the best schedule, except for the tasks of a random time window, which the search then
    re-sequences under "makespan <= best - 1". The orders are assumptions, so every learned
    clause stays valid. Each move has a conflict budget, so the sequence of moves is the same
    for the same seed; the window grows when moves are refuted quickly (too small to contain
    a better schedule) and shrinks when they run out of conflicts.

    `orders`: what makes the ordering assumptions, `orders.before(a, b)` (a search backend,
    or an Encoding)."""

    def __init__(self, model, orders, seed):
        self.orders = orders
        self.random = random.Random(seed)
        self.tasks = model.tasks
        self.resources = model.resources
        self._pairs = None
        self._resource_tasks = None   # per resource, its lasting tasks
        self.share = 0.3         # fraction of the tasks set free
        self.conflicts = 300     # conflict budget of one move

    @property
    def has_pairs(self):
        """Some resource has two lasting tasks (a move has orders to keep), without making
        the pairs (a million tuples on a thousand tasks that share one core)."""
        return any(sum(1 for t, _ in r.demands if t.duration > 0) > 1 for r in self.resources)

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
        """The ordering assumptions of one move: the orders the best schedule makes between
        the tasks of a resource outside the window, transitively reduced. "i ends before j
        starts" is left out when some task k of the resource, also kept, runs between them
        (i ends before k starts, k ends before j starts): the difference logic then implies
        it from the two kept orders (start(j) - start(i) >= d(i) + d(k)), so the move's
        search space is the same as with every pair, and far fewer assumptions (a chain per
        machine: n - 1 instead of n^2 / 2, each a decision level of CaDiCaL)."""
        tasks = self.tasks
        ends = [starts[t.index] + t.duration for t in tasks]
        horizon = max(ends) if ends else 0
        # exact beyond a float's integers (a 400-digit horizon overflowed the float product;
        # found by the bad-input corpus, session 8); the float below keeps the moves as they were
        width = max(1, int(horizon * self.share) if horizon < 1 << 53
                    else int(horizon * Fraction(self.share)))
        begin = self.random.randint(-width // 2, max(-width // 2, horizon - width // 2))
        free = {t.index for t in tasks
                if starts[t.index] < begin + width and ends[t.index] > begin}
        if self._resource_tasks is None:
            self._resource_tasks = [sorted(t.index for t, _ in r.demands if t.duration > 0)
                                    for r in self.resources]
        fixed, made = [], set()
        for used in self._resource_tasks:
            kept = [i for i in used if i not in free and present[i]]
            for i, j in reduced_orders(kept, starts, ends):
                if (i, j) not in made:
                    made.add((i, j))
                    fixed.append(self.orders.before(tasks[i], tasks[j]))
        return fixed

    def adapt(self, outcome):
        if outcome == "unsat":
            self.share = min(0.8, self.share * 1.2)
        elif outcome != "sat":
            self.share = max(0.05, self.share / 1.2)
