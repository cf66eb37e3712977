"""The DPLL(T) engine: CaDiCaL 1.9.5 (through PySAT's IPASIR-UP bridge) plus theory solvers.

`Engine` is the only code that talks to PySAT. It knows nothing about scheduling or terms: it gets
clauses and theory objects that honour the contract in `smtsched/theory.py`, and multiplexes the
theories behind one `pysat.engines.Propagator` (`Bridge`):

  * every theory-owned variable is observed before the search, and nothing else;
  * an assignment goes to the theory that owns the variable; levels and backtracks go to all;
  * `propagate` collects the theories' implied literals; a theory conflict is handed over as an
    external clause (each clause exactly once: PySAT keeps asking while one is offered);
  * reasons are built lazily by the owner theory when CaDiCaL asks (`provide_reason`);
  * a complete model is confirmed by every theory's `final_check` on a scratch level holding
    the whole model; the theory values are snapshotted then, because CaDiCaL may backtrack
    before `solve()` returns;
  * every lemma (conflict clause or reason) can be logged for certificates (`log_lemmas`);
  * the time limit and the theory-conflict budget stop the search by handing CaDiCaL the empty
    clause (a thread cannot stop it: the search holds the GIL, see ../shared/PYSAT-NOTES.md);
    the answer is then `unknown` with the reason;
  * an exception inside a callback (a bug) is re-raised by PySAT from `solve()` and also turned
    into `unknown` with the reason, never into an answer.
"""
import time
from collections import deque

from pysat.engines import Propagator
from pysat.solvers import Cadical195

SAT, UNSAT, UNKNOWN = "sat", "unsat", "unknown"


class Bridge(Propagator):
    """The single IPASIR-UP propagator, routing callbacks to the owning theories."""

    # How many propagate() callbacks between two looks at the clock.
    CLOCK_PERIOD = 64

    def __init__(self, theories, num_vars, deadline=None, log_lemmas=False, check=False,
                 max_theory_conflicts=None):
        super().__init__()
        # CaDiCaL's conflict budget does not count conflicts found by theories, so the engine
        # enforces the same budget on those itself.
        self.max_theory_conflicts = max_theory_conflicts
        self.theories = theories
        self.owner = [None] * (num_vars + 1)
        for theory in theories:
            for var in theory.observed():
                if self.owner[var] is not None:
                    raise ValueError(f"variable {var} is owned by two theories")
                self.owner[var] = theory
        # A theory may propagate literals another theory owns (a scheduling propagator sets
        # ordering atoms of the difference-logic graph): it says so with
        # `propagates_foreign = True`. The engine does not follow the assignment for it: such a
        # theory skips literals that are already true itself (it can ask the owner), and when
        # CaDiCaL asks for a reason, a foreign propagator that still holds a reason for the
        # variable gives it. If the owner offered the same literal in the same round, either
        # reason is valid: both theories built theirs from literals assigned before the round.
        self.foreign = [t for t in theories if getattr(t, "propagates_foreign", False)]
        # the foreign propagators whose literals the engine filters (`claim`): the compiled
        # ones skip literals the owner implied already themselves (`offers_fresh`), which
        # saves building the set of this round's literals at every call
        self.claiming = [t for t in self.foreign if not getattr(t, "offers_fresh", False)]
        self.clauses = deque()
        self.lemmas = [] if log_lemmas else None
        self.deadline = deadline
        self.ticks = 0
        self.check = check
        self.snapshot = None
        self.stop_reason = None
        owners = [t for t in theories if t.observed()]
        if len(owners) == 1 and len(theories) > 1 and not check:
            # One theory owns every variable, the others (global constraints) only read it:
            # assignments go straight to the owner; levels and backtracks (far fewer) to all.
            self.on_assignment = owners[0].assign
        if len(theories) == 1 and not check:
            # One theory owns every observed variable: bind the per-literal callbacks straight
            # to it, so no Python frame runs per assignment (PySAT's LinearConstraint binds its
            # specialised propagate once in the same way).
            (theory,) = theories
            self.on_assignment = theory.assign
            self.on_new_level = theory.new_level
            self.on_backtrack = theory.backtrack
            if not log_lemmas:
                self.provide_reason = theory.explain
        self.counters = {"engine_propagated": 0, "engine_root_implications": 0,
                         "engine_theory_conflicts": 0,
                         "engine_final_checks": 0, "engine_final_check_lemmas": 0}

    # IPASIR-UP callbacks ------------------------------------------------------------
    def on_assignment(self, lit, fixed):
        self.owner[lit if lit > 0 else -lit].assign(lit, fixed)

    def on_new_level(self):
        for theory in self.theories:
            theory.new_level()

    def on_backtrack(self, to):
        for theory in self.theories:
            theory.backtrack(to)

    def propagate(self):
        if self.stop_reason is not None:
            return []
        if self.deadline is not None:
            self.ticks += 1
            if self.ticks >= self.CLOCK_PERIOD:
                self.ticks = 0
                if time.perf_counter() > self.deadline:
                    self.stop("timeout")
                    return []
        implied = []
        # Every theory is asked every time, even when one before it implied literals: PySAT
        # hands a returned list to CaDiCaL and then answers "nothing more" without calling
        # back until the next assignment, so a theory skipped now may not be asked again
        # before the next decision.
        for theory in self.theories:
            lits = theory.propagate()
            if lits is None:
                self.counters["engine_theory_conflicts"] += 1
                if (self.max_theory_conflicts is not None
                        and self.counters["engine_theory_conflicts"] > self.max_theory_conflicts):
                    self.stop("conflict limit reached")
                    return []
                self.hand_over(theory.conflict())
                return []
            if lits:
                if self.check:
                    self.check_owned(theory, lits)
                if theory in self.claiming:
                    lits = self.claim(theory, lits, implied)
                if theory.level() == 0:
                    # CaDiCaL 1.9.5 assigns a literal propagated at the root without learning
                    # it as a unit: it stays level-0 yet "active", which breaks its reduce and
                    # walk passes (assertion `v.level > 0` in protect_reasons with assertions
                    # on; a segfault in the decision heuristic without). Handing the reason
                    # over as a clause makes CaDiCaL learn the unit properly. CaDiCaL 3.0's
                    # external_propagate does the same for root-level propagations.
                    # The unit itself is enough: a root implication follows from the root
                    # facts of this search, which stay. Building each reason (a path search
                    # in the difference theory) cost 30% of the time where a neighbourhood
                    # move fixes hundreds of orderings and the root implies thousands of
                    # atoms. With the lemma log on, the reason is kept: every logged lemma
                    # must be valid in the theory alone.
                    for lit in lits:
                        self.hand_over(theory.explain(lit) if self.lemmas is not None else [lit])
                    self.counters["engine_root_implications"] += len(lits)
                    continue
                implied += lits
        self.counters["engine_propagated"] += len(implied)
        return implied

    def provide_reason(self, lit):
        var = lit if lit > 0 else -lit
        theory = self.owner[var]
        for candidate in self.foreign:
            if candidate.holds_reason(lit):
                theory = candidate
                break
        clause = theory.explain(lit)
        if self.lemmas is not None:
            self.lemmas.append(list(clause))
        return clause

    def check_model(self, model):
        # CaDiCaL may complete a model without notifying every observed variable (seen here:
        # variables of clauses that were already satisfied). So the final check runs on a
        # scratch level holding the whole model, which is undone afterwards: the theories stay
        # in step with the solver's own trail.
        self.counters["engine_final_checks"] += 1
        owner = self.owner
        level = self.theories[0].level()
        for theory in self.theories:
            theory.new_level()
        for lit in model:
            theory = owner[lit if lit > 0 else -lit]
            if theory is not None:
                theory.assign(lit, False)
        accepted = True
        for theory in self.theories:
            if not theory.final_check():
                self.counters["engine_final_check_lemmas"] += 1
                self.hand_over(theory.conflict())
                accepted = False
                break
        if accepted:
            self.snapshot = [theory.values() for theory in self.theories]
        for theory in self.theories:
            theory.backtrack(level)
        return accepted

    def decide(self):
        return 0

    def has_clause(self):
        return bool(self.clauses)

    def add_clause(self):
        return self.clauses.popleft()

    def stop(self, reason):
        """End the search now: hand CaDiCaL the empty clause, which makes it return at once.

        Its 'unsat' then means nothing; `stop_reason` says why. (Raising an exception from a
        callback also ends the search, but CaDiCaL can be left mid-operation: a segmentation
        fault was seen here when a timeout was raised that way on a large instance.)
        """
        self.stop_reason = reason
        self.clauses.clear()
        self.clauses.append([])

    # helpers -------------------------------------------------------------------------
    def hand_over(self, clause):
        if self.lemmas is not None:
            self.lemmas.append(list(clause))
        self.clauses.append(clause)

    def claim(self, theory, lits, earlier):
        """The literals of `lits` that CaDiCaL should receive from a foreign propagator: those
        of variables not already offered in this round and not already true (a false one is
        kept: CaDiCaL then asks its reason at once, a conflict)."""
        offered = {abs(l) for l in earlier}
        kept = []
        for lit in lits:
            var = lit if lit > 0 else -lit
            if var in offered:
                continue
            owner = self.owner[var]
            if owner is not theory and owner is not None and owner.literal_value(lit) == 1:
                continue
            offered.add(var)
            kept.append(lit)
        return kept

    def check_owned(self, theory, lits):
        foreign = getattr(theory, "propagates_foreign", False)
        for lit in lits:
            owner = self.owner[abs(lit)]
            if owner is not theory and not (foreign and owner is not None):
                raise AssertionError(f"theory propagated literal {lit} it does not own")


class Outcome:
    """What one search produced: status, SAT model, theory values, reason, statistics."""

    def __init__(self, status, model=None, values=None, core=None, reason=None, stats=None,
                 lemmas=None):
        self.status = status
        self.model = model
        self.values = values
        self.core = core
        self.reason = reason
        self.stats = stats or {}
        self.lemmas = lemmas


class Engine:
    """One DPLL(T) search over `clauses` and `theories` (each built for this search only)."""

    def __init__(self, num_vars, clauses, theories, log_lemmas=False, check=False,
                 sat_options=None, phases=None):
        self.sat_options = dict(sat_options or {})
        self.phases = phases  # preferred polarities (literals), e.g. from a previous solution
        self.num_vars = num_vars
        self.clauses = clauses
        self.theories = theories
        self.log_lemmas = log_lemmas
        self.check = check

    def solve(self, assumptions=(), time_limit=None, max_conflicts=None):
        """Search; `time_limit` in seconds; `max_conflicts` bounds CaDiCaL's conflicts and,
        separately, the theories' conflicts."""
        deadline = None if time_limit is None else time.perf_counter() + time_limit
        bridge = Bridge(self.theories, self.num_vars, deadline, self.log_lemmas, self.check,
                        max_theory_conflicts=max_conflicts)
        sat = Cadical195(bootstrap_with=self.clauses)
        connected = False
        try:
            if self.sat_options:
                sat.configure(self.sat_options)
            if self.phases:
                sat.set_phases(self.phases)
            if self.theories:
                sat.connect_propagator(bridge)
                connected = True
                count = 0
                for theory in self.theories:
                    for var in theory.observed():
                        sat.observe(var)
                        count += 1
                        # a million variables take seconds to observe, one call each
                        if (deadline is not None and count % 4096 == 0
                                and time.perf_counter() > deadline):
                            return Outcome(UNKNOWN, reason="timeout")
            if deadline is not None and time.perf_counter() > deadline:
                return Outcome(UNKNOWN, reason="timeout")  # loading the clauses took it all
            if max_conflicts is not None:
                sat.conf_budget(max_conflicts)
            reason = None
            try:
                if max_conflicts is not None:
                    answer = sat.solve_limited(assumptions=list(assumptions))
                else:
                    answer = sat.solve(assumptions=list(assumptions))
            except Exception as error:  # a theory failed: never guess an answer
                answer, reason = None, f"internal error in a theory callback: {error!r}"
            if bridge.stop_reason is not None:
                answer, reason = None, bridge.stop_reason
            if answer is None and reason is None:
                reason = "conflict limit reached" if max_conflicts is not None else "unknown"
            stats = dict(sat.accum_stats())
            stats.update(bridge.counters)
            for theory in self.theories:
                for name, value in theory.statistics().items():
                    stats[name] = stats.get(name, 0) + value
            lemmas = bridge.lemmas
            if answer is True and self.theories and bridge.snapshot is None:
                # CaDiCaL answered sat without asking the theories to confirm a model.
                answer, reason = None, "internal error: the theories never confirmed the model"
            if answer is True:
                model = sat.get_model()
                return Outcome(SAT, model=model, values=bridge.snapshot, stats=stats,
                               lemmas=lemmas)
            if answer is False:
                core = sat.get_core() if assumptions else None
                return Outcome(UNSAT, core=core or [], stats=stats, lemmas=lemmas)
            return Outcome(UNKNOWN, reason=reason, stats=stats, lemmas=lemmas)
        finally:
            if connected:  # disconnecting an unconnected propagator crashes PySAT
                try:
                    sat.disconnect_propagator()
                except Exception:  # the solver may already be unusable after an error
                    pass
            sat.delete()
