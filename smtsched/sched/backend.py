"""The seam between the scheduling optimiser (smtsched.sched.optimize.Optimizer) and the search
engine under it: everything the Optimizer asks of an engine goes through one `SearchBackend`.

Two backends implement it. The default, `LoweringBackend` (smtsched.sched.lowered), is the
direct lowering of sched/lower.py on one persistent engine session: one CaDiCaL and one set
of theories for every probe (docs/one-core-plan.md). `SolverBackend` (here) is the pairwise
encoding (smtsched.sched.encode.Encoding) on the public `Solver`, a fresh engine per check;
it gives the same answers and stays for comparison: `Optimizer(..., backend=SolverBackend)`.

The interface, for a backend built as `make(model, horizon, deadline, seed)`:

- construction: `model` is the scheduling Model; `horizon` the largest makespan any probe will
  ask about (None: unknown; a backend may use it for bound literals over time windows);
  `deadline` a time.perf_counter() instant (None: none): building raises `BuildTimeout` once
  it has passed; `seed` fixes the search (same seed, same answers and statistics).
- `lower_bound()`: a lower bound on the objective that building proved (peak memory: the
  liveness encoding's), or None.
- `at_most(bound, lower, upper)`: the assumption "objective <= bound" (`bound` an integer).
  Bounds below `lower` (refuted) or at or above `upper` (the best schedule's value) will never
  be asked again: the backend may retire what it made for them for good, as long as a later
  `at_most` of such a bound still gives a correct assumption.
- `before(a, b)`: the assumption "task a ends before task b starts" (the orderings of a
  large-neighbourhood move); the same object for the same pair.
- `hint(starts, present)`: prefer, in the next checks, the phases of this schedule (lists by
  task index); `follow_last()`: prefer those of the last check's solution (solution-guided
  search). Hints never change an answer.
- `check(assumptions, timeout=None, max_conflicts=None)`: one search under `assumptions`
  (objects from `at_most` and `before`), within `timeout` seconds and `max_conflicts`
  conflicts (None: no limit); returns SAT, UNSAT or UNKNOWN, and `reason_unknown()` says why
  after UNKNOWN. Everything added since (cuts, retired bounds) holds in later checks.
- `statistics()`: the counters of the last check (`conflicts`, and the theories' counters:
  `disjunctive_checks`, `cumulative_conflicts`, ...), deterministic for a seed.
- `schedule()`: (starts, present) of the last SAT check, lists by task index.
- `overloads(starts, present)` and `cut(tasks)`: resources whose load the search does not
  watch itself (cumulative resources with optional tasks, and the lazy resources of
  sched/lower.py, lowered without ordering atoms) are checked between checks:
  `overloads` gives sets of tasks that run together beyond a capacity, `cut` adds the fact
  "not all of these run at one instant" for every later check.

Certificates (`Model.solve(proof=DIR)`): a backend whose `supports_proof` is True is also built
as `make(model, horizon, deadline, seed, proof=True)` and then has a `certificate` (a
smtsched.certify.emit.Certificate) that logs every check it runs, for the Optimizer to write
after an UNSAT check. LoweringBackend does; SolverBackend (a fresh engine per check) does not,
and the Optimizer refuses `proof` with it.

A backend does not check schedules against the model: the Optimizer does, once, with
smtsched.sched.check, before a schedule counts (a backend whose engine checks its own models,
as the Solver does today, checks twice; see the Solver's `_build_model`).

How a backend on sched/lower.py's `Lowering` and a persistent engine session maps onto this
(LoweringBackend follows it, except for the peak of a memory: see smtsched.sched.lowered):
construction = `Lowering(model, horizon, deadline)` (its deadline exception is BuildTimeout)
and one session over `lowering.core`; `at_most` = `makespan_bound(bound)`, or the guard of
`cost_bound(bound)` / `memory_bound(memory, bound)` with `retire(guard)` for the retired
bounds; `before` = `before(a, b)`; `hint` = the session's phases from `phases(starts,
present, makespan)`; `follow_last` = phases from the last model; `schedule` =
`schedule(outcome)`; `overloads` / `cut` = the Lowering's; `lower_bound` =
`memory(memory).lower_bound` for a peak-memory objective. What each call adds to the core
(cuts, guard rows, retiring clauses) goes to the session before the next check.
"""
import abc
import itertools

# BuildTimeout: the one "deadline passed" of every build step (lowering, encoding, memory)
from ..precedence import DeadlinePassed as BuildTimeout  # noqa: F401 (part of the seam)
from ..solver import Solver, sat, unsat
from ..terms import Bool, Not
from . import check
from .encode import Encoding

SAT, UNSAT, UNKNOWN = "sat", "unsat", "unknown"


class SearchBackend(abc.ABC):
    """What the Optimizer asks of a search engine (see the module docstring)."""

    supports_proof = False   # built with proof=True, it has a `certificate`
    certificate = None

    def lower_bound(self):
        return None

    @abc.abstractmethod
    def at_most(self, bound, lower, upper):
        """The assumption "objective <= bound"."""

    def bound_lemma(self, value):
        """Certificates: state a static bound "objective >= value" as a lemma of the search
        (see smtsched.sched.lowered); False when the backend cannot (the default)."""
        return False

    @abc.abstractmethod
    def before(self, a, b):
        """The assumption "a ends before b starts"."""

    @abc.abstractmethod
    def hint(self, starts, present):
        """Prefer this schedule's phases in the next checks."""

    @abc.abstractmethod
    def follow_last(self):
        """Prefer the last solution's phases in the next checks."""

    @abc.abstractmethod
    def check(self, assumptions, timeout=None, max_conflicts=None):
        """SAT, UNSAT or UNKNOWN."""

    @abc.abstractmethod
    def reason_unknown(self):
        """Why the last check answered UNKNOWN."""

    @abc.abstractmethod
    def statistics(self):
        """The counters of the last check."""

    @abc.abstractmethod
    def schedule(self):
        """(starts, present) of the last SAT check."""

    def overloads(self, starts, present):
        return []

    def close(self):
        """Free what the backend holds (a persistent engine's CaDiCaL) now rather than at
        garbage collection; nothing by default."""

    def cut(self, tasks):
        raise NotImplementedError("this backend has no overloads to cut")


class SolverBackend(SearchBackend):
    """The pairwise encoding (Encoding) on the public Solver, probes as assumptions."""

    def __init__(self, model, horizon=None, deadline=None, seed=0):
        self.encoding = Encoding(model, horizon, deadline)
        self.model = model
        self.solver = Solver()
        # probes need no cores: the assumptions become facts of their search
        self.solver.set(seed=seed, unsat_core=False)
        self.solver.add(self.encoding.formulas)
        self.memory = None
        if model.objective == "peak_memory":
            self.memory = self.encoding.memory_encoding(model.objective_memory)
        # weighted objectives and the peak of a memory: bound -> the Bool guarding
        # "objective <= bound" (guarded WeightedCost / pseudo-Boolean sums)
        self.guards = {}
        self.guard_numbers = itertools.count(1)

    def lower_bound(self):
        return None if self.memory is None else self.memory.lower_bound

    def at_most(self, bound, lower, upper):
        if self.model.objective == "makespan":
            return self.encoding.makespan <= bound
        # guards of bounds that will never be asked again are switched off for good, so the
        # search does not try them
        for old in [k for k in self.guards if k >= upper or k < lower]:
            self.solver.add(Not(self.guards.pop(old)))
        if bound not in self.guards:
            # a fresh name each time: a guard switched off for good (Not added above) must
            # never come back as the same variable under a later probe of that bound
            guard = Bool(f"{self.model.objective} <= {bound} #{next(self.guard_numbers)}")
            self.guards[bound] = guard
            if self.memory is not None:
                self.solver.add(self.memory.bound_formulas(bound, guard))
            else:
                self.solver.add(self.encoding.cost_bound(bound, guard))
        return self.guards[bound]

    def before(self, a, b):
        return self.encoding.before(a, b)

    def hint(self, starts, present):
        encoding = self.encoding
        values = {encoding.start[t.index]: starts[t.index] for t in self.model.tasks}
        values[encoding.makespan] = check.makespan(self.model, starts, present)
        self.solver.hint(values)

    def follow_last(self):
        self.solver.hint(self.solver.model())

    def check(self, assumptions, timeout=None, max_conflicts=None):
        # the Solver counts whole milliseconds, at least one (0 means no limit)
        self.solver.set(max_conflicts=max_conflicts,
                        timeout=0 if timeout is None else max(1, int(timeout * 1000)))
        answer = self.solver.check(*assumptions)
        return SAT if answer == sat else UNSAT if answer == unsat else UNKNOWN

    def reason_unknown(self):
        return self.solver.reason_unknown()

    def statistics(self):
        return self.solver.statistics()

    def schedule(self):
        return self.encoding.schedule(self.solver.model())

    def overloads(self, starts, present):
        return self.encoding.overloads(starts, present)

    def cut(self, tasks):
        self.solver.add(self.encoding.cut(tasks))
