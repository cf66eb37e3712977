"""A search session over one CoreProblem: the z3-shaped check loop without the terms.

`Session(core, seed, ...)` searches `core` under assumptions as often as asked; clauses,
variables and difference atoms can be added between checks.

Two modes:

* fresh (the default): each check builds the theories (the factory) and an Engine (CaDiCaL)
  of its own, from the core as it is then. Every check is independent and exactly
  reproducible (same core, same seed -> same search and statistics), and a front end may go
  on extending the core between checks (sched.lower appends atoms, clauses and specs).
* persistent (`persistent=True`): the first check builds the theories and one persistent
  Engine (smtsched.engine: one CaDiCaL and one Bridge for every check, issue 20); later
  checks reuse them, with what was added since handed over first: clauses (`add_clause`,
  or appended to `core.clauses`) go to CaDiCaL as permanent clauses, atoms go through
  `add_atom` (a fresh variable the difference theory owns from then on, observed at once:
  CaDiCaL may only observe variables it never eliminated, so an atom is never a variable
  used before). Because clauses are permanent there, a bound that holds for one probe only
  must be an assumption (an activation literal), and a clause that depends on it must carry
  its negation (see smtsched.engine). New global constraints cannot join a running engine.
  Call `close()` (or use a `with` block) to free CaDiCaL.

In both modes the core numbers the variables (`new_var`, `add_atom`), so a front end and the
session never hand out the same variable twice.
"""
import time

from ..engine import UNKNOWN, Engine, Outcome
from .factory import build_theories
from .problem import INT, DiffAtom


class Session:
    """Checks of one core problem. `seed`: CaDiCaL's seed (the front end renumbers the core
    with the same seed, CoreProblem.permuted); `log_lemmas`, `check`, `sat_options` (CaDiCaL
    options), `phases` (preferred literals): as for smtsched.engine.Engine; `persistent`: one
    engine for every check (see the module docstring)."""

    def __init__(self, core, seed=0, log_lemmas=False, check=False, sat_options=None,
                 phases=None, persistent=False):
        self.core = core
        self.seed = seed
        self.log_lemmas = log_lemmas
        self.check_theories = check
        self.sat_options = dict(sat_options or {}, seed=seed % (1 << 31))
        self.phases = phases
        self.persistent = persistent
        self.added = []                 # clauses added with add_clause, in order
        self.theories = None            # the factory's result (of the last check, if fresh)
        self.engine = None              # the persistent engine, from the first check on
        self.seen = None                # persistent: what of the core the engine has

    @property
    def differences(self):
        """The difference specs with atoms: `Outcome.values` of a sat check follow them."""
        return self.core.active_differences()

    @property
    def num_vars(self):
        return self.core.num_vars

    def new_var(self):
        """A fresh SAT variable, for the clauses added later (no theory owns it)."""
        if self.engine is not None:
            self._sync_numbering()
            self.core.num_vars = self.engine.new_var()
            return self.core.num_vars
        return self.core.new_var()

    def add_clause(self, clause):
        """A clause over the core's variables, for every later check (kept by the session,
        not added to the core)."""
        clause = [int(lit) for lit in clause]
        if any(lit == 0 or abs(lit) > self.num_vars for lit in clause):
            raise ValueError(f"{clause}: literals must be nonzero and at most {self.num_vars} "
                             "in absolute value (new_var() makes variables)")
        self.added.append(clause)

    def add_atom(self, p, q, bound, strict=False, sort=INT):
        """The variable of a new difference atom x_p - x_q <= bound (< if strict) over nodes
        of the core's `sort` graph, for every later check. In a persistent session the
        running difference theory takes it at once (it must exist: the sort had atoms when
        the engine was built)."""
        spec = self.core.difference[sort]
        if self.engine is None:
            var = self.core.new_var()
            spec.atoms.append(DiffAtom(var, p, q, bound, strict))
            return var
        self._hand_over()
        theory = next((t for s, t in zip(self.theories.differences, self.theories.theories)
                       if s is spec), None)
        if theory is None:
            raise ValueError(f"the running engine has no {sort} difference theory: a "
                             "persistent session takes new atoms only where it had some")
        if sort != INT:
            scale = spec.scale_cache[0]
            if (bound * scale) != int(bound * scale):
                raise ValueError(f"{bound}: a Real bound with a new denominator changes the "
                                 "scale of the running theory")
        w_true, w_false = spec.edge_weights(bound, strict)
        self._sync_numbering()
        var = self.engine.add_atom(theory, q, p, w_true, w_false)
        self.core.num_vars = var
        spec.atoms.append(DiffAtom(var, p, q, bound, strict))
        self.seen["atoms"][sort] = len(spec.atoms)
        return var

    def set_phases(self, literals):
        """Preferred polarities for the next checks (e.g. the last solution's)."""
        self.phases = list(literals)
        if self.engine is not None:
            self.engine.set_phases(self.phases)

    def close(self):
        """Free the persistent engine's CaDiCaL (the session checks no more after)."""
        if self.engine is not None:
            self.engine.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def check(self, assumptions=(), time_limit=None, max_conflicts=None, facts=()):
        """One search: an engine Outcome (status, model, values, core, reason, statistics).

        `assumptions`: literals that hold for this check; an unsat answer's core is a subset
        of them. `facts`: literals that hold for this check too, but need no core: in a fresh
        session they become root units of this search, saving a decision level each (and the
        theories' undo logs for them), what a large-neighbourhood move with hundreds of fixed
        orderings needs; in a persistent one, where clauses are permanent, they are
        assumptions left out of the core. `time_limit` (seconds) covers building the
        theories; `max_conflicts` bounds CaDiCaL's conflicts and, separately, the
        theories'."""
        started = time.perf_counter()
        if self.persistent:
            return self._check_persistent(list(assumptions), list(facts), started, time_limit,
                                          max_conflicts)
        built = self.theories = build_theories(self.core)
        if built.unknown is not None:
            return Outcome(UNKNOWN, reason=built.unknown)
        time_left = _time_left(started, time_limit)
        if time_left is not None and time_left < 0:
            return Outcome(UNKNOWN, reason="timeout")  # building them took it all
        clauses = self.core.clauses
        if self.added or facts:
            clauses = clauses + self.added + [[lit] for lit in facts]
        engine = Engine(self.num_vars, clauses, built.theories, log_lemmas=self.log_lemmas,
                        check=self.check_theories, sat_options=self.sat_options,
                        phases=self.phases)
        return engine.solve(list(assumptions), time_limit=time_left,
                            max_conflicts=max_conflicts)

    # -- persistent mode -------------------------------------------------------------------
    def _check_persistent(self, assumptions, facts, started, time_limit, max_conflicts):
        if self.engine is None:
            if self.theories is None:
                self.theories = build_theories(self.core)
            if self.theories.unknown is not None:
                return Outcome(UNKNOWN, reason=self.theories.unknown)
            time_left = _time_left(started, time_limit)
            if time_left is not None and time_left < 0:
                return Outcome(UNKNOWN, reason="timeout")  # building them took it all
            core = self.core
            self.engine = Engine(core.num_vars, core.clauses + self.added,
                                 self.theories.theories, log_lemmas=self.log_lemmas,
                                 check=self.check_theories, sat_options=self.sat_options,
                                 phases=self.phases, persistent=True)
            self.seen = {"clauses": len(core.clauses), "added": len(self.added),
                         "atoms": {sort: len(spec.atoms)
                                   for sort, spec in core.difference.items()},
                         "globals": len(core.globals), "pb": len(core.pseudo_boolean)}
        else:
            self._hand_over()
        self._sync_numbering()
        outcome = self.engine.solve(assumptions + facts, time_limit=_time_left(started,
                                                                               time_limit),
                                    max_conflicts=max_conflicts)
        # the engine numbers its stop literals past the core's variables: the core follows
        self.core.num_vars = max(self.core.num_vars, self.engine.num_vars)
        if facts and outcome.core:
            dropped = set(facts) - set(assumptions)
            outcome.core = [lit for lit in outcome.core if lit not in dropped]
        return outcome

    def _hand_over(self):
        """Give the persistent engine what was added to the core and the session since it
        last looked: clauses; refuse what it cannot take (atoms appended to the core
        directly, new global constraints or pseudo-Boolean rows)."""
        core, seen = self.core, self.seen
        for sort, spec in core.difference.items():
            if len(spec.atoms) != seen["atoms"][sort]:
                raise ValueError("atoms were appended to the core after the persistent "
                                 "engine was built: add them with Session.add_atom")
        if len(core.globals) != seen["globals"] or len(core.pseudo_boolean) != seen["pb"]:
            raise ValueError("global constraints or pseudo-Boolean rows cannot join a "
                             "persistent engine: start a new session")
        self._sync_numbering()
        for clause in core.clauses[seen["clauses"]:]:
            self.engine.add_clause(clause)
        for clause in self.added[seen["added"]:]:
            self.engine.add_clause(clause)
        seen["clauses"], seen["added"] = len(core.clauses), len(self.added)

    def _sync_numbering(self):
        """The engine's counter reaches the core's (variables the front end numbered since)."""
        while self.engine.num_vars < self.core.num_vars:
            self.engine.new_var()


def _time_left(started, time_limit):
    if time_limit is None:
        return None
    return time_limit - (time.perf_counter() - started)
