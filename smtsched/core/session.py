"""A search session over one CoreProblem: the z3-shaped check loop without the terms.

`Session(core, seed, ...)` searches `core` under assumptions as often as asked; clauses and
variables can be added between checks. Today each check builds fresh theories (the factory)
and a fresh Engine (CaDiCaL); that keeps every check independent and exactly reproducible
(same core, same seed -> same search and statistics).

The seam for a persistent search (issue 20: one CaDiCaL and one set of theories for all the
probes of an optimisation): `check` is the only place that makes an Engine, and everything a
persistent engine needs crosses this class's interface already: the added clauses (which would
go to CaDiCaL between solves), the new variables (observed right away, as CaDiCaL allows only
for variables never eliminated), and the assumptions of each check (a probe's bound as an
activation literal). When the engine offers the primitives, `check` keeps one Engine instead
of making one per call; the callers do not change.
"""
import time

from ..engine import UNKNOWN, Engine, Outcome
from .factory import build_theories


class Session:
    """Checks of one core problem. `seed`: CaDiCaL's seed (the front end renumbers the core
    with the same seed, CoreProblem.permuted); `log_lemmas`, `check`, `sat_options` (CaDiCaL
    options), `phases` (preferred literals): as for smtsched.engine.Engine."""

    def __init__(self, core, seed=0, log_lemmas=False, check=False, sat_options=None,
                 phases=None):
        self.core = core
        self.seed = seed
        self.log_lemmas = log_lemmas
        self.check_theories = check
        self.sat_options = dict(sat_options or {}, seed=seed % (1 << 31))
        self.phases = phases
        self.added = []                 # clauses added since the session began
        self.theories = None            # the factory's result of the last check

    @property
    def differences(self):
        """The difference specs with atoms: `Outcome.values` of a sat check follow them."""
        return self.core.active_differences()

    @property
    def num_vars(self):
        return self.core.num_vars

    def new_var(self):
        """A fresh SAT variable, for the clauses added later (no theory owns it). The core
        numbers it: a front end may go on extending the core (atoms, clauses, specs appended,
        as sched.lower does between probes) and every check reads the core as it is then, so
        the two never hand out the same variable."""
        return self.core.new_var()

    def add_clause(self, clause):
        """A clause over the core's variables and new_var()s, for every later check (kept
        by the session, not added to the core)."""
        clause = [int(lit) for lit in clause]
        if any(lit == 0 or abs(lit) > self.num_vars for lit in clause):
            raise ValueError(f"{clause}: literals must be nonzero and at most {self.num_vars} "
                             "in absolute value (new_var() makes variables)")
        self.added.append(clause)

    def check(self, assumptions=(), time_limit=None, max_conflicts=None, facts=()):
        """One search: an engine Outcome (status, model, values, core, reason, statistics).

        `assumptions`: literals that hold for this check; an unsat answer's core is a subset
        of them. `facts`: literals that hold for this check too, but need no core: they become
        root units of this search, saving a decision level each (and the theories' undo logs
        for them), what a large-neighbourhood move with hundreds of fixed orderings needs.
        `time_limit` (seconds) covers building the theories; `max_conflicts` bounds CaDiCaL's
        conflicts and, separately, the theories'."""
        started = time.perf_counter()
        built = self.theories = build_theories(self.core)
        if built.unknown is not None:
            return Outcome(UNKNOWN, reason=built.unknown)
        time_left = None
        if time_limit is not None:
            time_left = time_limit - (time.perf_counter() - started)
            if time_left < 0:
                return Outcome(UNKNOWN, reason="timeout")  # building them took it all
        clauses = self.core.clauses
        if self.added or facts:
            clauses = clauses + self.added + [[lit] for lit in facts]
        engine = Engine(self.num_vars, clauses, built.theories, log_lemmas=self.log_lemmas,
                        check=self.check_theories, sat_options=self.sat_options,
                        phases=self.phases)
        return engine.solve(list(assumptions), time_limit=time_left,
                            max_conflicts=max_conflicts)
