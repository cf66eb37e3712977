"""The DPLL(T) engine: CaDiCaL 1.9.5 (through PySAT's IPASIR-UP bridge) plus theory solvers.

`Engine` is the only code that talks to PySAT. It knows nothing about scheduling or terms: it gets
clauses and theory objects that honour the contract in `smtsched/theory.py` (class `Theory`),
and multiplexes the theories behind one `pysat.engines.Propagator` (`Bridge`):

  * every theory-owned variable is observed before the search, and nothing else;
  * an assignment goes to the theory that owns the variable; levels and backtracks go to all;
  * `propagate` collects the theories' implied literals and remembers, for each literal
    CaDiCaL got, the theory that offered it (its origin; `record_origins` says which when two
    did), so a reason is one lookup (PySAT's `BooleanEngine` keeps the same `origin` map);
    a theory conflict is handed over as an external clause (each clause exactly once: PySAT
    keeps asking while one is offered);
  * reasons are built lazily by the origin theory when CaDiCaL asks (`provide_reason`);
  * a complete model is confirmed by every theory's `final_check` on a scratch level holding
    the whole model; the theory values are snapshotted then, because CaDiCaL may backtrack
    before `solve()` returns;
  * every lemma (conflict clause or reason) of a search can be logged (`log_lemmas`), and
    every clause CaDiCaL receives can go to a proof sink with CaDiCaL's clausal proof (below);
  * the time limit and the theory-conflict budget stop the search from inside a callback (a
    thread cannot stop it: the search holds the GIL, see ../shared/PYSAT-NOTES.md): a one-shot
    engine hands CaDiCaL the empty clause, a persistent one the negation of this search's stop
    literal (below); the answer is then `unknown` with the reason;
  * an exception inside a callback (a bug) is re-raised by PySAT from `solve()` and also turned
    into `unknown` with the reason, never into an answer.

Persistent engines (`Engine(..., persistent=True)`): one CaDiCaL and one Bridge serve several
`solve()` calls, for an optimiser's probes. Between two searches:

  * `add_clause(clause)` adds a permanent clause (CaDiCaL keeps external clauses too, so every
    clause and theory lemma must hold whatever the assumptions: a bound's lemma carries the
    negation of the bound's activation literal);
  * `new_var()` gives a fresh SAT variable (an activation literal: CaDiCaL may eliminate it
    while it is not assumed, and restores its clauses when it is assumed or used again);
    `add_atom(theory, u, v, w_true, w_false)` a fresh variable that a difference theory owns
    from now on, observed at once. Only fresh variables: CaDiCaL 1.9.5 may only observe
    variables it never eliminated (it asserts "clean" variables in debug builds only), and
    PySAT has no `freeze`, so a variable used in clauses before cannot safely become a
    theory atom later;
  * `add_theory(theory)` lets a theory join (last in the order, at level 0, owning only
    fresh variables: e.g. a cost bound behind a fresh guard for the probes that assume it),
    `remove_theory(theory)` takes one out (its counters stay in the totals);
  * the theories keep their state: CaDiCaL keeps its trail after `solve()` (seen here: a
    later `solve()` without assumptions may only re-check that model; with assumptions it
    backtracks to level 0 first; adding a clause may backtrack too) and tells the theories
    (`backtrack`) whenever it undoes levels; `add_atom` first brings CaDiCaL and the
    theories to level 0 (PySAT's `propagate([])` backtracks there);
  * a search with a time limit or a conflict budget gets a fresh stop literal s as one more
    assumption; stopping hands over the unit [-s]: CaDiCaL then returns at once (its answer,
    unsat because s failed, means nothing), and the solver stays sound and usable, since -s
    only retires this search's s. The empty clause would make it unsat for good;
  * `Outcome.stats` are each search's own (CaDiCaL's and the theories' counters less those
    at the end of the search before).

Proof mode (`Engine(..., proof=sink)`, for certificates; smtsched.certify.emit makes one). The
engine knows nothing about certificates: it tells `sink` everything CaDiCaL is given, through
these methods, and nothing changes without a sink:

  * `sink.start(num_vars, clauses)`: once, from the constructor: the bootstrap clauses (the
    list itself, not a copy: the sink must not change it);
  * `sink.clause(clause, kind, source)`: every clause CaDiCaL receives beyond the bootstrap,
    exactly once, when the engine hands it over (a fresh list; a clause still queued when
    CaDiCaL ends the search may never be taken, so the log may hold a few more, all valid
    lemmas). `kind` is "conflict" (a
    theory conflict), "reason" (a lazily built reason), "root" (a root implication: in proof
    mode its reason clause, never the bare unit), "final" (a final-check lemma), "retire"
    (the unit [-s] that stops a persistent search), "stop" (the empty clause that stops a
    one-shot search: its answer is unknown, nothing to certify), or whatever the caller of
    `add_clause(clause, kind, source)` says ("input" by default). `source` is the theory
    object that made the clause (its position in `engine.theories` changes as theories join
    and leave; the object does not), None for the stop clauses, or the caller's `source`;
  * `sink.atom(var, theory, u, v, w_true, w_false)`: `add_atom` made variable `var` (true:
    x_v - x_u <= w_true, false: x_u - x_v <= w_false, in the theory's integer weights);
  * `sink.fresh(var, why)`: `new_var(why)` made `var` ("stop" for a search's stop literal,
    "new_var" when the caller gave no reason);
  * `sink.search(assumptions)`: a search starts under these assumptions (a list, without
    the search's stop literal; an unsat answer is a refutation of them);
  * `sink.proof(file, binary)`: CaDiCaL's proof lines written since the last call, to be read
    from `file` (a binary file object, positioned at them) to its end during the call. Called
    at the end of every `solve()` and before CaDiCaL is deleted (a one-shot engine deletes it
    in `solve()`), so the sink's copy is always whole when `solve()` returns. This engine
    writes text DRUP (`binary` False: CaDiCaL's `binary=0` option, see `_tracing_cadical`);
    `binary` True would mean CaDiCaL's binary encoding (smtsched.certify.emit decodes it
    too). The log is append-only for the engine's whole life:
    CaDiCaL keeps every clause across the searches of a persistent engine, and a later
    search's proof may use any of them;
  * optional, `sink.reason_logger(theory)`: for an engine whose one theory `theory` gives
    every reason (and no lemma log), a function lit -> reason clause that does what the
    engine would (ask `theory.explain(lit)`, tell the sink `clause(copy, "reason", theory)`,
    return the clause) in one call, or None. A reason is the commonest clause CaDiCaL gets
    (a job-shop decision: 3,450 of 4,372), and the two Python calls it saves were a fifth of
    what proof mode cost the search there.

CaDiCaL 1.9.5 counts every clause it receives (external propagator clauses, `add_clause`) as
an *original* clause and leaves it out of its DRUP proof, which holds its derived clauses and
deletions only (of external clauses too): the proof refutes the bootstrap clauses plus the
clauses the sink got (plus the search's assumptions: 1.9.5 writes no final step for an unsat
answer under assumptions; the assumptions then propagate to a conflict, checked here on
random difference-logic problems, see tests/test_certify_emit.py).
"""
import gc
import tempfile
import time
from collections import deque
from itertools import repeat

from pysat import solvers as pysat_solvers
from pysat.engines import Propagator
from pysat.solvers import Cadical195

from .theory import Theory

SAT, UNSAT, UNKNOWN = "sat", "unsat", "unknown"
_UNASKED = object()  # Bridge.settle: a theory whose propagate() is still to be called


class Bridge(Propagator):
    """The single IPASIR-UP propagator, routing callbacks to the theories."""

    # How many propagate() callbacks between two looks at the clock.
    CLOCK_PERIOD = 64

    def __init__(self, theories, num_vars, log_lemmas=False, check=False, sink=None):
        super().__init__()
        for theory in theories:
            if not isinstance(theory, Theory):
                raise TypeError(f"{type(theory).__name__} is not a smtsched.theory.Theory")
        self.theories = theories
        self.owner = owner = [None] * (num_vars + 1)
        self.owners = []  # the theories that own variables
        for theory in theories:
            owned = theory.observed()
            if owned:
                self.owners.append(theory)
            for var in owned:
                if owner[var] is not None:
                    raise ValueError(f"variable {var} is owned by two theories")
                owner[var] = theory
        # A theory may propagate literals another theory owns (a scheduling propagator sets
        # ordering atoms of the difference-logic graph): it says so with
        # `propagates_foreign = True`. The engine does not follow the assignment for it: such a
        # theory skips literals that are already true itself (it can ask the owner).
        self.foreign = [t for t in theories if t.propagates_foreign]
        # the foreign propagators whose literals the engine filters (`claim`): the compiled
        # ones skip literals the owner implied already themselves (`offers_fresh`), which
        # saves building the set of this round's literals at every call
        self.claiming = [t for t in self.foreign if not t.offers_fresh]
        # literal -> the theory to ask for its reason (see `propagate`). Keyed by literal: two
        # theories may offer opposite literals in one round, and CaDiCaL then asks the second
        # one for the reason of its (false) literal.
        self.origin = {}
        self.clauses = deque()
        self.log_lemmas = log_lemmas
        self.sink = sink  # the proof sink (see the module docstring), for the engine's life
        # every reason CaDiCaL gets, root implications included, goes through a log
        self.logging = log_lemmas or sink is not None
        self.check = check
        self.bind()
        self.begin()

    def join(self, theory):
        """`theory` (already in `theories`, at level 0 like the others) takes part from now
        on; the variables it owns are fresh (see Engine.add_theory)."""
        for var in theory.observed():
            self.own(theory, var)
        self.foreign = [t for t in self.theories if t.propagates_foreign]
        self.claiming = [t for t in self.foreign if not t.offers_fresh]
        self.bind()

    def leave(self, theory):
        """`theory` (taken out of `theories`) takes part no more. It stays the owner of its
        variables: CaDiCaL may notify them again, and it ignores them."""
        self.foreign = [t for t in self.theories if t.propagates_foreign]
        self.claiming = [t for t in self.foreign if not t.offers_fresh]
        self.bind()

    def own(self, theory, var):
        """`theory` owns SAT variable `var` (grows the table for variables made later).
        True when the theory owned nothing before (the callbacks must be bound anew)."""
        if var >= len(self.owner):
            self.owner.extend([None] * (var + 1 - len(self.owner)))
        if self.owner[var] is not None:
            raise ValueError(f"variable {var} is owned by two theories")
        self.owner[var] = theory
        if any(t is theory for t in self.owners):
            return False
        self.owners.append(theory)
        return True

    def bind(self):
        """Bind the per-literal callbacks straight to a theory where one does all the work
        (PySAT looks the callbacks up by name at every call, so this also works after
        connecting: `Engine.add_atom` calls it again when a theory becomes an owner)."""
        for name in ("on_assignment", "on_new_level", "on_backtrack", "provide_reason",
                     "decide", "has_clause"):
            self.__dict__.pop(name, None)
        self.track_origin = True
        self.single = None   # the theory to ask every reason, when one owns everything
        self.lone = None     # the theory `propagate` asks alone (see there), when one does all
        if self.check:
            return
        # PySAT asks `decide` at every decision and the engine never decides: `int` (a
        # builtin: int() is 0, "the solver chooses") answers without a Python frame, which
        # cost 3% of the search on bench/random_dl's 10,000-node formulas (py-spy).
        self.decide = int
        # `has_clause` too comes after every propagation: the queue's own length answers it
        # (PySAT takes its truth), again without a Python frame; the queue is never replaced
        self.has_clause = self.clauses.__len__
        theories, owners = self.theories, self.owners
        if len(owners) == 1 and len(theories) > 1:
            # One theory owns every variable, the others (global constraints) only read it:
            # assignments go straight to the owner; levels and backtracks (far fewer) to all.
            self.on_assignment = owners[0].assign
        if len(theories) == 1 and all(owner is theories[0] for owner in owners):
            # One theory owns every observed variable: bind the per-literal callbacks straight
            # to it, so no Python frame runs per assignment (PySAT's LinearConstraint binds its
            # specialised propagate once in the same way).
            (theory,) = theories
            self.on_assignment = theory.assign
            self.on_new_level = theory.new_level
            self.on_backtrack = theory.backtrack
            self.track_origin = False  # every reason comes from that theory
            if theory not in self.claiming:
                self.lone = theory
            if not self.logging:
                self.provide_reason = theory.explain
            elif (not self.log_lemmas and self.sink is not None
                  and hasattr(self.sink, "reason_logger")
                  and (logger := self.sink.reason_logger(theory)) is not None):
                self.provide_reason = logger   # (see the module docstring, "Proof mode")
            else:
                # with a lemma log or a proof sink: no origin map to fill at every
                # propagation nor to look up (a third of what proof mode cost the search on
                # the SMT-LIB job-shop decisions). An attribute, not a bound closure: one
                # holding the Bridge would tie it into a reference cycle
                self.single = theory

    def begin(self, deadline=None, max_theory_conflicts=None, stop_literal=None):
        """The state of one search: its limits, stop literal, lemma log and counters."""
        self.deadline = deadline
        # CaDiCaL's conflict budget does not count conflicts found by theories, so the engine
        # enforces the same budget on those itself.
        self.max_theory_conflicts = max_theory_conflicts
        self.stop_literal = stop_literal
        self.ticks = 0
        self.snapshot = None
        self.stop_reason = None
        self.lemmas = [] if self.log_lemmas else None
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
        lone = self.lone
        if lone is not None:
            # One theory owns everything and is asked alone (bind): its answer goes to
            # CaDiCaL as it is, unless it is a conflict or a root implication (the general
            # path below). This call comes after every decision; on bench/random_dl's
            # 10,000-node formulas (1.7 million decisions) the general path's bookkeeping
            # was a tenth of the search.
            lits = lone.propagate()
            if lits is not None and (not lits or lone.level() > 0):
                if lits:
                    self.counters["engine_propagated"] += len(lits)
                return lits
            return self.settle([(lone, lits)])
        return self.settle([(theory, _UNASKED) for theory in self.theories])

    def settle(self, answers):
        """The general path of `propagate`: `answers` holds (theory, its propagate() answer,
        or _UNASKED when it is still to be asked), in theory order."""
        implied = []
        offers = []  # (theory, the literals it is the origin candidate of), in theory order
        # Every theory is asked every time, even when one before it implied literals: PySAT
        # hands a returned list to CaDiCaL and then answers "nothing more" without calling
        # back until the next assignment, so a theory skipped now may not be asked again
        # before the next decision.
        for theory, lits in answers:
            if lits is _UNASKED:
                lits = theory.propagate()
            if lits is None:
                self.counters["engine_theory_conflicts"] += 1
                if (self.max_theory_conflicts is not None
                        and self.counters["engine_theory_conflicts"] > self.max_theory_conflicts):
                    if self.stop_literal is not None:
                        # a persistent solver keeps the lemma: the theory then need not
                        # find the conflict again, and it stays in step with CaDiCaL
                        self.hand_over(theory.conflict(), "conflict", theory)
                    self.stop("conflict limit reached")
                    return []
                self.hand_over(theory.conflict(), "conflict", theory)
                return []
            if lits:
                if self.check:
                    self.check_owned(theory, lits)
                shared = None
                if theory in self.claiming:
                    lits, shared = self.claim(theory, lits, implied)
                if theory.level() == 0:
                    # CaDiCaL 1.9.5 assigns a literal propagated at the root without learning
                    # it as a unit: it stays level-0 yet "active", which breaks its reduce and
                    # walk passes (assertion `v.level > 0` in protect_reasons with assertions
                    # on; a segfault in the decision heuristic without). Handing the reason
                    # over as a clause makes CaDiCaL learn the unit properly. CaDiCaL 3.0's
                    # external_propagate does the same for root-level propagations.
                    # The unit itself is enough: a root implication follows from the root
                    # facts, which stay (in a persistent solver too: assumptions are
                    # decisions, never root facts). Building each reason (a path search
                    # in the difference theory) cost 30% of the time where a neighbourhood
                    # move fixes hundreds of orderings and the root implies thousands of
                    # atoms. With a lemma log or a proof sink, the reason is kept: every
                    # logged lemma must be valid in the theory alone.
                    if self.logging:
                        for lit in lits:
                            self.hand_over(theory.explain(lit), "root", theory)
                    else:
                        self.clauses.extend([lit] for lit in lits)
                    self.counters["engine_root_implications"] += len(lits)
                    continue
                implied += lits
                if self.track_origin:
                    offers.append((theory, lits + shared if shared else lits))
        if offers:
            if len(offers) == 1:  # the common round: one theory (the owner) implied
                theory, lits = offers[0]
                self.origin.update(zip(lits, repeat(theory)))
            else:
                self.record_origins(offers)
        self.counters["engine_propagated"] += len(implied)
        return implied

    def record_origins(self, offers):
        """Remember, for each literal offered in this round, the theory to ask its reason.

        CaDiCaL takes the first offer of a literal and skips the later ones (true by then).
        Every theory that offered it in this round built its reason from the literals assigned
        before the round, so each of those reasons is valid; the first global theory that
        offered it is asked (its reason, from the bounds, was the rule before the origin map
        and gives the same searches), else the first other theory (the owner). So the map is
        updated from the lowest priority up: owners last to first, then the foreign
        propagators last to first. Entries of undone literals stay: a literal CaDiCaL gets
        again is offered again, which overwrites its entry, and no theory offers a literal
        that is true already.
        """
        origin = self.origin
        for theory, lits in reversed(offers):
            if not theory.propagates_foreign:
                origin.update(zip(lits, repeat(theory)))
        for theory, lits in reversed(offers):
            if theory.propagates_foreign:
                origin.update(zip(lits, repeat(theory)))

    def provide_reason(self, lit):
        theory = self.single
        if theory is None:
            theory = self.origin[lit]
        clause = theory.explain(lit)
        if self.lemmas is not None:
            self.lemmas.append(list(clause))
        if self.sink is not None:
            self.sink.clause(list(clause), "reason", theory)
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
        size = len(owner)
        for lit in model:
            var = lit if lit > 0 else -lit
            theory = owner[var] if var < size else None
            if theory is not None:
                theory.assign(lit, False)
        accepted = True
        for theory in self.theories:
            if not theory.final_check():
                self.counters["engine_final_check_lemmas"] += 1
                self.hand_over(theory.conflict(), "final", theory)
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
        """End the search now; `stop_reason` says why, and CaDiCaL's answer means nothing.

        A one-shot search hands CaDiCaL the empty clause, which makes it return at once. A
        persistent one hands over [-s] for its stop literal s (an assumption), first in the
        queue: CaDiCaL learns the unit and returns, as s failed; the clauses queued stay
        (valid lemmas). (Raising an exception from a callback also ends the search, but
        CaDiCaL can be left mid-operation: a segmentation fault was seen here when a timeout
        was raised that way on a large instance.)
        """
        self.stop_reason = reason
        if self.stop_literal is None:
            self.clauses.clear()
            self.clauses.append([])
            if self.sink is not None:
                self.sink.clause([], "stop", None)
        else:
            self.clauses.appendleft([-self.stop_literal])
            if self.sink is not None:
                self.sink.clause([-self.stop_literal], "retire", None)

    # helpers -------------------------------------------------------------------------
    def hand_over(self, clause, kind, theory):
        """Queue `clause` for CaDiCaL; `kind` and `theory` (its maker) go to the proof sink."""
        if self.lemmas is not None:
            self.lemmas.append(list(clause))
        if self.sink is not None:
            self.sink.clause(list(clause), kind, theory)
        self.clauses.append(clause)

    def claim(self, theory, lits, earlier):
        """The literals of `lits` that CaDiCaL should receive from a foreign propagator: those
        of variables not already offered in this round and not already true (a false one is
        kept: CaDiCaL then asks its reason at once, a conflict); and those offered already in
        this round, by an earlier theory (the shared ones: this theory is asked their reason,
        see `record_origins`)."""
        offered = set(earlier)
        kept = []
        shared = []
        for lit in lits:
            if lit in offered:
                shared.append(lit)
                continue
            if -lit in offered:
                continue
            owner = self.owner[lit if lit > 0 else -lit]
            if owner is not theory and owner is not None and owner.literal_value(lit) == 1:
                continue
            offered.add(lit)
            kept.append(lit)
        return kept, shared

    def check_owned(self, theory, lits):
        foreign = theory.propagates_foreign
        for lit in lits:
            var = abs(lit)
            owner = self.owner[var] if var < len(self.owner) else None
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
    """DPLL(T) search over `clauses` and `theories`.

    One-shot (the default): one `solve()`, on a CaDiCaL made for it and deleted after; the
    theories are built for this search only. Persistent (`persistent=True`): every `solve()`
    uses the same CaDiCaL and theories, with clauses and atoms added between them (see the
    module docstring); `close()` (or a `with` block) frees the solver.
    `proof`: a proof sink (see the module docstring), None for none.
    """

    def __init__(self, num_vars, clauses, theories, log_lemmas=False, check=False,
                 sat_options=None, phases=None, persistent=False, proof=None):
        self.sat_options = dict(sat_options or {})
        self.phases = phases  # preferred polarities (literals), e.g. from a previous solution
        self.num_vars = num_vars
        self.clauses = clauses
        self.theories = list(theories)  # grows and shrinks with add_theory / remove_theory
        self.log_lemmas = log_lemmas
        self.check = check
        self.persistent = persistent
        self.sat = None
        self.bridge = None
        self.unobserved = deque()   # the variables still to observe, in order
        self.solves = 0
        self.broken = None          # why a persistent engine cannot search any more
        self.refuted = False        # the clauses are unsat at the root: no search any more
        self.closed = False
        self.baseline = {}          # the cumulative counters when the last search ended
        self.retired = {}           # the final counters of the theories removed
        self.fresh_from = num_vars + 1  # variables from here on ...
        self.exposed = set()        # ... that a clause, an assumption or a theory used
        self.proof = proof
        self.proof_shipped = 0      # the bytes of CaDiCaL's proof file the sink has
        if proof is not None:
            proof.start(num_vars, clauses)

    # -- persistent sessions ---------------------------------------------------------------
    def new_var(self, why=None):
        """A fresh SAT variable, never used before (e.g. an activation literal); `why` says
        what it is for, to the proof sink."""
        self.num_vars += 1
        if self.proof is not None:
            self.proof.fresh(self.num_vars, why or "new_var")
        return self.num_vars

    def add_clause(self, clause, kind="input", source=None):
        """Add a permanent clause (persistent engines, between searches). `kind` and `source`
        say where it comes from, to the proof sink (see the module docstring)."""
        self._between_searches()
        clause = [int(lit) for lit in clause]
        if any(lit == 0 or abs(lit) > self.num_vars for lit in clause):
            raise ValueError(f"{clause}: literals must be nonzero and at most {self.num_vars} "
                             "in absolute value (new_var() makes variables)")
        self._start()
        self._expose(clause)
        if self.proof is not None:
            self.proof.clause(list(clause), kind, source)
        self.sat.add_clause(clause)

    def add_atom(self, theory, u, v, w_true, w_false):
        """A fresh SAT variable that difference theory `theory` owns from now on, true for
        x_v - x_u <= w_true and false for x_u - x_v <= w_false; observed at once (persistent
        engines, between searches). The atom is permanent. Returns the variable."""
        self._between_searches()
        if not any(t is theory for t in self.theories):
            raise ValueError("the theory is not one of this engine's")
        self._start()
        self._to_root()
        self.num_vars += 1
        var = self.num_vars
        theory.add_atom(var, u, v, w_true, w_false)
        if self.proof is not None:
            self.proof.atom(var, theory, u, v, w_true, w_false)
        if self.bridge.own(theory, var):
            self.bridge.bind()  # the theory owned nothing before
        self.exposed.add(var)
        self.unobserved.append(var)
        if not self.refuted:
            self._observe()
        return var

    def add_theory(self, theory):
        """`theory` joins the search from the next one on (persistent engines, between
        searches), last in the theory order: e.g. a global theory that holds for some probes
        only, behind a fresh guard literal it owns (a cost bound: CostLogic(graph, tasks,
        bound, guard), switched on by assuming the guard and retired by the unit [-guard]).
        It starts at level 0, where the engine brings the others first. The variables it
        owns must be fresh: made by new_var() and in no clause or assumption yet (CaDiCaL
        may only observe variables it never eliminated); they are observed at once."""
        self._between_searches()
        if not isinstance(theory, Theory):
            raise TypeError(f"{type(theory).__name__} is not a smtsched.theory.Theory")
        if any(t is theory for t in self.theories):
            raise ValueError("the theory takes part already")
        owned = list(theory.observed())
        for var in owned:
            if not self.fresh_from <= var <= self.num_vars or var in self.exposed:
                raise ValueError(f"variable {var} is not fresh: a theory joining a running "
                                 "search may only own variables from new_var() that no clause "
                                 "or assumption used yet")
        if theory.level() != 0:
            raise ValueError("a theory joins at level 0")
        self._start()
        self._to_root()
        unconnected = not self.theories   # started without theories: no propagator yet
        self.theories.append(theory)  # the Bridge's list too
        self.bridge.join(theory)
        if unconnected:
            # CaDiCaL may still hold the last model's trail; with the propagator connected
            # it must be at level 0 like the theory (seen: connecting restarts it from level
            # 0 anyway; propagate([]) makes sure)
            self.sat.propagate(assumptions=[])
            self.sat.connect_propagator(self.bridge)
        self.exposed.update(owned)    # observed now: never again for another theory
        self.unobserved.extend(owned)
        if not self.refuted:
            self._observe()

    def remove_theory(self, theory):
        """`theory` takes part no more (persistent engines, between searches), e.g. a probe's
        cost bound once its guard is retired. Its counters stay in the statistics' totals;
        it stays the owner of its variables (CaDiCaL may notify them again: it ignores
        them). The values of later searches leave it out."""
        self._between_searches()
        index = next((k for k, t in enumerate(self.theories) if t is theory), None)
        if index is None:
            raise ValueError("the theory does not take part")
        if len(self.theories) == 1:
            raise ValueError("the last theory stays (the propagator stays connected)")
        if self.sat is not None:
            self._to_root()
        for name, value in theory.statistics().items():
            self.retired[name] = self.retired.get(name, 0) + value
        del self.theories[index]  # the Bridge's list too
        if self.bridge is not None:
            self.bridge.leave(theory)

    def set_phases(self, literals):
        """Preferred polarities for the next searches (e.g. the last solution's)."""
        self.phases = list(literals)
        if self.sat is not None:
            self.sat.set_phases(self.phases)

    def close(self):
        """Free CaDiCaL (a persistent engine searches no more)."""
        self.closed = True
        self._release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- searching -------------------------------------------------------------------------
    def solve(self, assumptions=(), time_limit=None, max_conflicts=None):
        """Search; `time_limit` in seconds; `max_conflicts` bounds CaDiCaL's conflicts and,
        separately, the theories' conflicts. The statistics are this search's own."""
        deadline = None if time_limit is None else time.perf_counter() + time_limit
        if self.closed:
            raise RuntimeError("this engine was closed")
        if not self.persistent and self.solves:
            raise RuntimeError("a one-shot engine searches once: make a new one (with new "
                               "theories) or pass persistent=True")
        self.solves += 1
        if self.broken is not None:
            return Outcome(UNKNOWN, reason=self.broken)
        if self.proof is not None:
            self.proof.search([int(lit) for lit in assumptions])
        if self.refuted:
            return Outcome(UNSAT, core=[], stats={})  # whatever the assumptions
        try:
            return self._solve(list(assumptions), deadline, max_conflicts)
        finally:
            if self.proof is not None:
                self._ship_proof()
            if not self.persistent:
                self._release()

    def _solve(self, assumptions, deadline, max_conflicts):
        self._start()
        bridge, sat = self.bridge, self.sat
        if not self._observe(deadline):
            return Outcome(UNKNOWN, reason="timeout")
        if deadline is not None and time.perf_counter() > deadline:
            return Outcome(UNKNOWN, reason="timeout")  # loading the clauses took it all
        stop_literal = None
        if self.persistent and self.theories and (deadline is not None
                                                  or max_conflicts is not None):
            stop_literal = self.new_var("stop")
            assumptions = assumptions + [stop_literal]
        if self.persistent:
            self._expose(assumptions)
        bridge.begin(deadline, max_conflicts, stop_literal)
        if max_conflicts is not None:
            sat.conf_budget(max_conflicts)
        reason = None
        # The search makes no reference cycles (the callbacks build flat lists of ints), yet
        # its allocations set off Python's cyclic collector, whose full passes walk every
        # object the front end built (millions of terms for a large file): 4% of the search
        # on bench/random_dl's 10,000-node formulas (py-spy). So it is off while CaDiCaL runs.
        collecting = gc.isenabled()
        gc.disable()
        try:
            if max_conflicts is not None:
                answer = sat.solve_limited(assumptions=assumptions)
            else:
                answer = sat.solve(assumptions=assumptions)
        except Exception as error:  # a theory failed: never guess an answer
            answer, reason = None, f"internal error in a theory callback: {error!r}"
            if self.persistent:
                # CaDiCaL may be left mid-operation: this engine searches no more
                self.broken = f"an earlier search failed: {reason}"
        finally:
            if collecting:
                gc.enable()
        stop_reason = bridge.stop_reason
        # between searches no limit holds (clauses added then may call back)
        bridge.deadline = bridge.max_theory_conflicts = None
        bridge.stop_reason = None
        if stop_reason is not None:
            answer, reason = None, stop_reason
        if answer is None and reason is None:
            reason = "conflict limit reached" if max_conflicts is not None else "unknown"
        stats = self._statistics(sat, bridge)
        lemmas = bridge.lemmas
        if answer is True and self.theories and bridge.snapshot is None:
            # CaDiCaL answered sat without asking the theories to confirm a model.
            answer, reason = None, "internal error: the theories never confirmed the model"
        if answer is True:
            return Outcome(SAT, model=sat.get_model(), values=bridge.snapshot, stats=stats,
                           lemmas=lemmas)
        if answer is False:
            core = sat.get_core() if assumptions else None
            if core and stop_literal is not None:
                core = [lit for lit in core if lit != stop_literal]
            return Outcome(UNSAT, core=core or [], stats=stats, lemmas=lemmas)
        return Outcome(UNKNOWN, reason=reason, stats=stats, lemmas=lemmas)

    # -- internals -------------------------------------------------------------------------
    def _start(self):
        """Make CaDiCaL and the Bridge, connected, on first need."""
        if self.sat is not None:
            return
        self.bridge = Bridge(self.theories, self.num_vars, self.log_lemmas, self.check,
                             self.proof)
        if self.proof is None:
            self.sat = Cadical195(bootstrap_with=self.clauses)
        else:
            self.sat = _tracing_cadical(self.clauses)
        if self.sat_options:
            self.sat.configure(self.sat_options)
        if self.phases:
            self.sat.set_phases(self.phases)
        if self.theories:
            self.sat.connect_propagator(self.bridge)
            self.unobserved.extend(var for theory in self.theories for var in theory.observed())

    def _observe(self, deadline=None):
        """Observe the variables not observed yet; False if `deadline` passed first (the rest
        wait for the next search: no search ran, so none of them was eliminated)."""
        count = 0
        sat, unobserved = self.sat, self.unobserved
        while unobserved:
            sat.observe(unobserved.popleft())
            count += 1
            # a million variables take seconds to observe, one call each
            if deadline is not None and count % 4096 == 0 and time.perf_counter() > deadline:
                return False
        return True

    def _expose(self, literals):
        """Note the variables past the first ones that CaDiCaL now sees (see add_theory)."""
        fresh_from = self.fresh_from
        self.exposed.update(abs(lit) for lit in literals if abs(lit) >= fresh_from)

    def _between_searches(self):
        if not self.persistent:
            raise RuntimeError("clauses and atoms are added between searches of a persistent "
                               "engine (persistent=True)")
        if self.closed:
            raise RuntimeError("this engine was closed")

    def _to_root(self):
        """Bring CaDiCaL and the theories back to level 0 (CaDiCaL keeps its trail after a
        search; PySAT's propagate() with no assumptions backtracks it to the root)."""
        if any(theory.level() for theory in self.theories):
            if self.refuted:
                return
            consistent, _ = self.sat.propagate(assumptions=[])
            if any(theory.level() for theory in self.theories):
                if consistent:
                    raise RuntimeError("the theories did not follow CaDiCaL back to level 0")
                # A clause added since the search contradicts the root: CaDiCaL is unsat for
                # good and sends no backtrack (seen), so the theories go to level 0 by
                # themselves. CaDiCaL, still at its old level, would later send backtracks
                # they cannot follow (seen: to a level above 0 in the next search), so it is
                # never asked again: every later search answers unsat at once.
                self.refuted = True
                for theory in self.theories:
                    theory.backtrack(0)

    def _statistics(self, sat, bridge):
        """This search's statistics: CaDiCaL's, the Bridge's and the theories' counters.
        CaDiCaL's and the theories' add up over the searches of a persistent engine, so a
        later search reports what grew since the one before (a count that is not a counter,
        such as pb_constraints, is reported by the first search only)."""
        totals = dict(sat.accum_stats())
        theories = dict(self.retired)
        for theory in bridge.theories:
            for name, value in theory.statistics().items():
                theories[name] = theories.get(name, 0) + value
        totals.update(theories)
        baseline, self.baseline = self.baseline, dict(totals)
        stats = {name: value - baseline.get(name, 0) for name, value in totals.items()
                 if name not in theories}
        stats.update(bridge.counters)
        for name, value in theories.items():
            stats[name] = value - baseline.get(name, 0)
        return stats

    def _ship_proof(self):
        """Hand the proof sink CaDiCaL's proof lines written since the last time."""
        sat = self.sat
        if sat is None or sat.prfile is None:
            return
        pysat_solvers.pysolvers.flushpr(sat.prfp)
        proof_file = sat.prfile
        end = proof_file.seek(0, 2)
        if end > self.proof_shipped:
            proof_file.seek(self.proof_shipped)
            self.proof.proof(proof_file, False)
            self.proof_shipped = end

    def _release(self):
        if self.proof is not None:
            self._ship_proof()
        sat, self.sat = self.sat, None
        if sat is None:
            return
        if self.theories:  # disconnecting an unconnected propagator crashes PySAT
            try:
                sat.disconnect_propagator()
            except Exception:  # the solver may already be unusable after an error
                pass
        sat.delete()


def _tracing_cadical(clauses):
    """A Cadical195 writing text DRUP to a temporary file (`prfile`), loaded with `clauses`.

    PySAT's `with_proof=True` starts CaDiCaL's tracer before any option can be set, so the
    proof comes out in binary DRAT, which Python then decodes byte by byte (slow on the
    millions of lines of a hard job shop). CaDiCaL reads its `binary` option when the tracer
    starts, so this does what `Cadical195.new(with_proof=True)` does (the same attributes, so
    `delete()` closes the file as usual; `get_proof()`, which decodes binary, does not apply)
    with `binary=0` set first. PySAT internals (`prfile`, `prfp`, `pysolvers`) of 1.9.dev24."""
    sat = Cadical195()
    sat.configure({"binary": 0})
    sat.prfile = tempfile.TemporaryFile()
    sat.prfp = pysat_solvers.pysolvers.cadical195_tracepr(sat.cadical, sat.prfile)
    for clause in clauses:
        sat.add_clause(clause)
    return sat
