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
  its negation (see smtsched.engine). What a front end appends to the core itself joins the
  running engine too (sched.lower does, between an optimiser's probes): atoms whose
  variables are new to the engine (numbered since it last looked, in increasing order: the
  difference theory takes them with those variables), global constraints (a theory of their
  own, `Engine.add_theory`: a cost bound behind a fresh guard) and pseudo-Boolean rows (one
  theory for the rows appended together; a literal the engine has seen already is replaced
  by a fresh copy it implies, l -> l', since a joining theory may own fresh variables only,
  and the rows are "weights of true literals <= bound", so the copies only overcount).
  `leave(spec)` takes such a theory out again (its bound retired; its copies are then fixed
  true). Call `close()` (or use a
  `with` block) to free CaDiCaL.

In both modes the core numbers the variables (`new_var`, `add_atom`), so a front end and the
session never hand out the same variable twice.

Certificates (`proof=`, e.g. a smtsched.certify.emit.Certificate): every engine gets it as its
proof sink (smtsched.engine: a fresh session's engine calls its `start` at each check, so it
holds the last check's log). The session also tells it which spec each theory enforces
(`sources(theories, specs)` for a build, `source(theory, spec)` for a theory that joins) and
where the clauses it adds come from: `add_clause(clause, kind, source)` ("input" by default:
a clause of the Boolean abstraction; "cut", "retire", "bound" ... a lemma, with the spec it
follows from as `source`), the clauses of the core handed to a running engine with kind
"core", the pseudo-Boolean copies' clauses with kind "copy". In proof mode a fresh session's
`facts` are assumptions of the search (not root units): the certificate must refute them, and
the input alone implies none of them.
"""
import time

from ..engine import UNKNOWN, Engine, Outcome
from .factory import build_theories, global_theory, pseudo_boolean_theory
from .problem import INT, DiffAtom


class Session:
    """Checks of one core problem. `seed`: CaDiCaL's seed (the front end renumbers the core
    with the same seed, CoreProblem.permuted); `log_lemmas`, `check`, `sat_options` (CaDiCaL
    options), `phases` (preferred literals): as for smtsched.engine.Engine; `persistent`: one
    engine for every check (see the module docstring); `proof`: the certificates' proof sink
    (see the module docstring)."""

    def __init__(self, core, seed=0, log_lemmas=False, check=False, sat_options=None,
                 phases=None, persistent=False, proof=None):
        self.core = core
        self.seed = seed
        self.log_lemmas = log_lemmas
        self.check_theories = check
        self.sat_options = dict(sat_options or {}, seed=seed % (1 << 31))
        self.phases = phases
        self.persistent = persistent
        self.added = []                 # clauses added with add_clause, in order
        self.added_from = []            # (kind, source) of each, for the proof sink
        self.proof = proof
        self.theories = None            # the factory's result (of the last check, if fresh)
        self.engine = None              # the persistent engine, from the first check on
        self.seen = None                # persistent: what of the core the engine has
        self.joined = {}                # id(spec) -> the theory it joined the engine as
        self.copies = {}                # id(theory) -> the literal copies its rows read

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
            self._hand_over()
            self.core.num_vars = self.engine.new_var()
            return self.core.num_vars
        return self.core.new_var()

    def add_clause(self, clause, kind="input", source=None):
        """A clause over the core's variables, for every later check (kept by the session,
        not added to the core). `kind`, `source`: where it comes from, for certificates (see
        the module docstring)."""
        clause = [int(lit) for lit in clause]
        if any(lit == 0 or abs(lit) > self.num_vars for lit in clause):
            raise ValueError(f"{clause}: literals must be nonzero and at most {self.num_vars} "
                             "in absolute value (new_var() makes variables)")
        self.added.append(clause)
        self.added_from.append((kind, source))

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
        if self.proof is not None:
            # facts are assumptions of the refutation: the input implies none of them
            dropped = set(facts) - set(assumptions)
            assumptions, facts = list(assumptions) + list(facts), []
        if self.added or facts:
            clauses = clauses + self.added + [[lit] for lit in facts]
        engine = Engine(self.num_vars, clauses, built.theories, log_lemmas=self.log_lemmas,
                        check=self.check_theories, sat_options=self.sat_options,
                        phases=self.phases, proof=self.proof)
        if self.proof is None:
            return engine.solve(list(assumptions), time_limit=time_left,
                                max_conflicts=max_conflicts)
        self._tell_proof(built.theories, built.specs)
        outcome = engine.solve(assumptions, time_limit=time_left, max_conflicts=max_conflicts)
        if dropped and outcome.core:
            outcome.core = [lit for lit in outcome.core if lit not in dropped]
        return outcome

    def _tell_proof(self, theories, specs):
        """The proof sink of a new engine learns what its theories enforce and where the
        session's clauses in its bootstrap come from."""
        sources = getattr(self.proof, "sources", None)
        if sources is not None:
            sources(theories, specs)
        for clause, (kind, source) in zip(self.added, self.added_from):
            self.proof.clause(list(clause), kind, source)

    # -- persistent mode -------------------------------------------------------------------
    def _check_persistent(self, assumptions, facts, started, time_limit, max_conflicts):
        if self.engine is None:
            if self.theories is None:
                self.theories = build_theories(self.core)
            if self.theories.unknown is not None:
                return Outcome(UNKNOWN, reason=self.theories.unknown)
            time_left = _time_left(started, time_limit)
            if time_left is not None and time_left < 0:
                # building them took it all; they hold the core as it is now, and the front
                # end may append atoms before the next check: built again then
                self.theories = None
                return Outcome(UNKNOWN, reason="timeout")
            core = self.core
            self.engine = Engine(core.num_vars, core.clauses + self.added,
                                 self.theories.theories, log_lemmas=self.log_lemmas,
                                 check=self.check_theories, sat_options=self.sat_options,
                                 phases=self.phases, persistent=True, proof=self.proof)
            if self.proof is not None:
                self._tell_proof(self.theories.theories, self.theories.specs)
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

    def leave(self, spec):
        """Take the theory of `spec` (a global constraint or pseudo-Boolean row that joined
        the running engine) out of the search; True when it had joined (a spec of the first
        build stays: its guard's retiring clause switches it off, as it does the engine's
        only theory)."""
        theory = self.joined.pop(id(spec), None)
        if theory is None:
            return False
        for key in [k for k, t in self.joined.items() if t is theory]:
            del self.joined[key]    # the other rows of the same theory
        if len(self.engine.theories) > 1:   # the last one stays: the propagator stays on
            self.engine.remove_theory(theory)
        # Its copies of literals are fixed true (l -> l' still holds): else CaDiCaL decides
        # them on and on, each time a notification for a theory no longer searching.
        for copy in self.copies.pop(id(theory), ()):
            self.engine.add_clause([copy], "copy")
        return True

    def _hand_over(self):
        """Give the persistent engine what was added to the core and the session since it
        last looked: new atoms, global constraints and pseudo-Boolean rows (see the module
        docstring), then clauses."""
        core, seen, engine = self.core, self.seen, self.engine
        for sort, spec in core.difference.items():
            if len(spec.atoms) != seen["atoms"][sort]:
                self._adopt_atoms(spec, spec.atoms[seen["atoms"][sort]:])
                seen["atoms"][sort] = len(spec.atoms)
        self._sync_numbering()
        if len(core.globals) != seen["globals"]:
            graph = self._theory_of(INT)
            for spec in core.globals[seen["globals"]:]:
                theory = global_theory(graph, spec, core.difference.get(INT))
                if theory is not None:
                    engine.add_theory(theory)
                    self.joined[id(spec)] = theory
                    self._tell_source(theory, spec)
            seen["globals"] = len(core.globals)
        if len(core.pseudo_boolean) != seen["pb"]:
            self._adopt_rows(core.pseudo_boolean[seen["pb"]:])
            seen["pb"] = len(core.pseudo_boolean)
        for clause in core.clauses[seen["clauses"]:]:
            engine.add_clause(clause, "core")
        for clause, (kind, source) in zip(self.added[seen["added"]:],
                                          self.added_from[seen["added"]:]):
            engine.add_clause(clause, kind, source)
        seen["clauses"], seen["added"] = len(core.clauses), len(self.added)

    def _theory_of(self, sort):
        spec = self.core.difference[sort]
        return next((t for s, t in zip(self.theories.differences, self.theories.theories)
                     if s is spec), None)

    def _adopt_atoms(self, spec, atoms):
        """Atoms a front end appended to the core: the running difference theory takes each
        with its own variable, which must be one the engine has not numbered yet."""
        theory = self._theory_of(spec.sort)
        if theory is None:
            raise ValueError(f"the running engine has no {spec.sort} difference theory: a "
                             "persistent session takes new atoms only where it had some")
        engine = self.engine
        for var, p, q, bound, strict in atoms:
            if var <= engine.num_vars:
                raise ValueError(f"atom variable {var} was appended to the core after the "
                                 "engine numbered it: add atoms with Session.add_atom")
            if spec.sort != INT:
                scale = spec.scale_cache[0]
                if (bound * scale) != int(bound * scale):
                    raise ValueError(f"{bound}: a Real bound with a new denominator changes "
                                     "the scale of the running theory")
            while engine.num_vars < var - 1:
                engine.new_var()
            w_true, w_false = spec.edge_weights(bound, strict)
            made = engine.add_atom(theory, q, p, w_true, w_false)
            assert made == var, (made, var)

    def _adopt_rows(self, rows):
        """Pseudo-Boolean rows appended to the core: one theory of their own, over fresh
        copies of the literals the engine has seen (each implied by its original)."""
        engine = self.engine
        copies = {}
        mapped = []
        for row in rows:
            literals = []
            for lit in row.literals:
                var = abs(lit)
                if engine.fresh_from <= var <= engine.num_vars and var not in engine.exposed:
                    literals.append(lit)
                    continue
                if lit not in copies:
                    copies[lit] = engine.new_var("copy")
                literals.append(copies[lit])
            mapped.append(type(row)(literals, row.weights, row.bound))
        theory = pseudo_boolean_theory(mapped)
        engine.add_theory(theory)
        self._tell_source(theory, mapped)
        for row in rows:
            self.joined[id(row)] = theory
        self.copies[id(theory)] = list(copies.values())
        self.core.num_vars = max(self.core.num_vars, engine.num_vars)
        for lit, copy in copies.items():
            engine.add_clause([-lit, copy], "copy")

    def _tell_source(self, theory, spec):
        """The proof sink learns the spec of a theory that joined the running engine."""
        source = getattr(self.proof, "source", None)
        if source is not None:
            source(theory, spec)

    def _sync_numbering(self):
        """The engine's counter reaches the core's (variables the front end numbered since)."""
        while self.engine.num_vars < self.core.num_vars:
            self.engine.new_var()


def _time_left(started, time_limit):
    if time_limit is None:
        return None
    return time_limit - (time.perf_counter() - started)
