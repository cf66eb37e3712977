"""The search backend on the direct lowering and one persistent engine (issue 20).

`LoweringBackend(model, horizon, deadline, seed)` implements smtsched.sched.backend's
`SearchBackend` (read its docstring for the interface): the model is lowered once to a
CoreProblem (smtsched.sched.lower.Lowering: no Term objects, no compiler), and every check of
one optimisation runs on one `core.Session(persistent=True)`: one CaDiCaL and one set of
theories, which keep what they learned from probe to probe.

What a probe adds reaches the running engine through the session (it hands over what was
appended to the core before the next check): a makespan bound or an ordering of a
neighbourhood move is a new difference atom, assumed; a weighted-cost bound is a cost theory
behind a fresh guard (it joins the engine); a bound on the peak of a memory is a fresh guard
that fixes the bits of the bound's slack in rows made once for every bound (`_peak_rows`);
a cut is a clause.
A bound that will never be asked again (below the proven lower bound, or at or above the best
schedule) has its guard switched off for good by the unit [-guard], and a cost bound's theory
leaves the search (it would be asked at every propagation round for nothing).

Certificates (`proof=True`): the session gets a smtsched.certify.emit.Certificate over the
lowering's core as its proof sink before the first check, so it logs the persistent engine's
whole life (every probe's lemmas, the cuts, the retired guards and stops) and CaDiCaL's proof
of it; `certificate` is that sink (None without proof). Every clause added here says what it
is to the sink: a cut is kind "cut" with the resource's spec as its source (a clique lemma),
a retiring unit kind "retire", the bits a peak guard fixes kind "guard" (rule `peak_guard`);
what the memories' variables and rows mean is told to the sink by smtsched.sched.memory_proof.

Lives apart from backend.py so that each backend is a small module of its own.
"""
from ..core.session import Session
from ..core.specs import CumulativeSpec, DisjunctiveSpec, PseudoBooleanSpec
from ..engine import SAT as ENGINE_SAT, UNSAT as ENGINE_UNSAT
from . import check
from .backend import SAT, UNKNOWN, UNSAT, SearchBackend
from .lower import Lowering
from .memory_intervals import MemoryCut
from .schedule_orders import reduced_orders


class LoweringBackend(SearchBackend):
    """The Lowering on one persistent Session (see the module docstring)."""

    supports_proof = True

    def __init__(self, model, horizon=None, deadline=None, seed=0, proof=False, park=False):
        # DeadlinePassed (the seam's BuildTimeout) once `deadline` has passed; `park`: absent
        # optional tasks parked after the makespan, so that their resources get a theory
        # (Lowering._parking: off by default, and never for certificates)
        # (certificates: the memories as liveness literals, whatever the switch says; the
        # checker has no rule for the memory theory)
        # (certificates: every pair of a machine or cumulative resource as an ordering atom
        # up front, whatever SMTSCHED_PAIRS says; the checker's rules read the pairwise
        # clauses and the theories' order tables, and have no rule for a lazy resource)
        self.lowering = Lowering(model, horizon, deadline, park=park and not proof,
                                 memory="liveness" if proof else None,
                                 pairs="eager" if proof else None,
                                 presence=not proof)
        self.model = model
        self.certificate = None
        if proof:
            from ..certify.emit import Certificate
            core = self.lowering.core
            if model.tasks and all(t.optional for t in model.tasks):
                # makespan >= 0 (the makespan of no present task is 0): with a mandatory
                # task the lowering's facts imply it, here nothing does, and a certificate
                # of an OPTIMAL 0 refutes "makespan <= -1" (a clause of problem.cnf, in the
                # checker's encoding too)
                core.clauses.append([self.lowering.atom(0, self.lowering._makespan(), 0)])
            self.certificate = Certificate(core)
        self.session = Session(self.lowering.core, seed=seed, persistent=True,
                               proof=self.certificate)
        self.memory = None
        self.assumed = frozenset()   # the assumptions of the last check (for the cuts)
        if model.objective == "peak_memory":
            self.memory = self.lowering.memory(model.objective_memory)
            if self.lowering.memory_mode != "theory":
                self._peak_rows()
        if self.certificate is not None and self.lowering.memories:
            from .memory_proof import describe
            describe(self.certificate, self.lowering,
                     None if self.memory is None else (self.memory, self.bits, self.rows))
        # weighted objectives and the peak of a memory: bound -> (guard, its CostSpec or None)
        self.guards = {}
        self.retired = set()   # guards switched off for good: no assumption of a certificate
        self.cost_lemma_for = None   # bound_lemma(value) of a weighted cost, until at_most
        self.outcome = None

    def close(self):
        """Free CaDiCaL (the Optimizer drops the backend when it is done; this is sooner)."""
        self.session.close()

    def __del__(self):
        try:
            self.session.close()
        except Exception:   # interpreter shutdown: nothing left to free
            pass

    def _peak_rows(self):
        """"peak <= bound" for every bound at once, in rows made before the first check: per
        allocation instant j of the objective's memory,

            sum of size * live + sum over k of 2^k * y_k  <=  top - fixed(j)

        with `top` the largest peak any schedule can have (every buffer live) and bits y_k
        of the slack top - bound: assuming the bits of one bound's slack makes each row
        "fixed(j) + live bytes <= bound", exactly the bound's rows. A probe is then a fresh
        guard g and the binary clauses g -> y_k (bit set) or g -> -y_k: the pseudo-Boolean
        theory is built once, with the capacity rows, and what it learns about the bits
        holds for every bound (a bound's own rows, appended per probe, would need a theory
        each, over copies of the live literals: 3 s a probe on a 949-task graph)."""
        sums = self.memory.sums
        self.top = max((fixed + total for fixed, _, _, total in sums), default=0)
        core = self.lowering.core
        # (with a certificate to write, top + 1 fits in the bits: the claim "peak >= 0" of
        # an optimal peak 0 refutes the bound -1 by its slack, see _peak_guard)
        needed = (self.top + 1 if self.certificate is not None else self.top).bit_length()
        self.bits = [core.new_var() for _ in range(max(1, needed))]
        weights = [1 << k for k in range(len(self.bits))]
        self.rows = []   # per instant (a certificate names the rows' memory and instant)
        for fixed, live, sizes, _ in sums:
            row = PseudoBooleanSpec(list(live) + self.bits, list(sizes) + weights,
                                    self.top - fixed)
            core.pseudo_boolean.append(row)
            self.rows.append(row)

    def _peak_guard(self, bound):
        """The guard of "peak <= bound": it fixes every bit of the slack top - bound."""
        guard = self.lowering.core.new_var()
        source = None
        if self.certificate is not None:
            from ..certify.emit import given
            from .memory_proof import guard_words
            self.certificate.name(guard, guard_words(self.memory.memory, bound))
            source = given("peak_guard", {})   # (the checker reads g's clauses together)
        if bound < 0 and not (bound == -1 and self.certificate is not None and self.rows):
            # (a certificate cannot assume a retired guard: for the bound -1 it fixes the
            # bits of top + 1, which breaks every row)
            self.session.add_clause([-guard], "retire")
            self.retired.add(guard)
            return guard
        slack = max(0, self.top - bound)   # a bound above top holds in every schedule
        for k, bit in enumerate(self.bits):
            self.session.add_clause([-guard, bit if slack >> k & 1 else -bit], "guard",
                                    source)
        return guard

    def lower_bound(self):
        return None if self.memory is None else self.memory.lower_bound

    def at_most(self, bound, lower, upper):
        lowering = self.lowering
        if self.model.objective == "makespan":
            return lowering.makespan_bound(bound)
        for old in [k for k in self.guards if k >= upper or k < lower]:
            guard, spec = self.guards.pop(old)
            self.session.add_clause(lowering.retire(guard), "retire")
            self.retired.add(guard)
            if spec is not None:
                self.session.leave(spec)
        if bound not in self.guards:
            if self.memory is not None and lowering.memory_mode == "theory":
                # a memory theory for this bound, behind its fresh guard (it joins the
                # search; it leaves when the bound is retired)
                guard = lowering.memory_bound(self.model.objective_memory, bound)
                self.guards[bound] = (guard, self.memory.specs.get(guard))
            elif self.memory is not None:
                self.guards[bound] = (self._peak_guard(bound), None)
            else:
                self.guards[bound] = lowering.cost_bound(bound)
                if self.cost_lemma_for == bound + 1:
                    from .bound_proof import cost_lemma
                    self._add_bound(cost_lemma(self.model, lowering, *self.guards[bound],
                                               bound + 1))
        return self.guards[bound][0]

    def before(self, a, b):
        return self.lowering.before(a, b)

    def hint(self, starts, present):
        makespan = check.makespan(self.model, starts, present)
        self._seed_orders(starts, present)
        phases = self.lowering.phases(starts, present, makespan)
        if self.memory is not None:
            # a buffer is not live unless its clauses say so
            phases += [-live for _, lives, _, _ in self.memory.sums for live in lives]
        self.session.set_phases(phases)

    def _seed_orders(self, starts, present):
        """The ordering atoms of a lazy resource that the hinted schedule follows, made now
        so that its phases (`phases`: true, as the schedule makes them) lead the search to
        that schedule's orders: for each task i, "i ends before j starts" for the tasks j
        that start once i ended and before any of those ended (the transitive reduction of
        the schedule's orders on the resource, as Neighbourhoods.fixed_orders keeps them).
        Without them the first searches start from the schedule that ignores the lazy
        resources and need a round of cuts for each layer of the overloads. Atoms only, no
        clause: the search may drop any of them."""
        lowering = self.lowering
        tasks = self.model.tasks
        ends = [s + t.duration for s, t in zip(starts, tasks)]
        for number in sorted(lowering.lazy):
            resource = self.model.resources[number]
            kept = {t.index for t, _ in resource.demands if t.duration > 0 and present[t.index]}
            for i, j in reduced_orders(kept, starts, ends):
                lowering.before(tasks[i], tasks[j])

    def follow_last(self):
        if self.outcome is not None and self.outcome.model is not None:
            self.session.set_phases(self.outcome.model)

    def check(self, assumptions, timeout=None, max_conflicts=None):
        self.assumed = frozenset(assumptions)
        self.outcome = self.session.check(list(assumptions), time_limit=timeout,
                                          max_conflicts=max_conflicts)
        status = self.outcome.status
        return SAT if status == ENGINE_SAT else UNSAT if status == ENGINE_UNSAT else UNKNOWN

    def reason_unknown(self):
        return self.outcome.reason if self.outcome is not None else ""

    def statistics(self):
        return dict(self.outcome.stats) if self.outcome is not None else {}

    def schedule(self):
        return self.lowering.schedule(self.outcome)

    def overloads(self, starts, present):
        found = self.lowering.overloads(starts, present)
        if self.lowering.memory_mode == "theory":
            found += self._memory_overloads(starts, present)
        return found

    def _memory_overloads(self, starts, present):
        """The memories' overloads of the schedule under the capacities in force in the
        last check (a memory's own, and the bound of an assumed peak guard), as
        memory_intervals.MemoryCut: the memory theory accepts an overloaded model when the
        atoms of its cut do not exist yet; here they are made and the cut added between
        searches (`cut`). This terminates: a cut is false in the model it comes from and
        holds ever after, so none is made twice, and there are finitely many (over the
        O(buffers^2) atoms "x_a(j) >= x_a(k) + 1" and "x_f(j) <= x_a(k)")."""
        found = []
        for intervals in self.lowering.memories:
            limits = []
            if intervals.memory.capacity is not None:
                limits.append((intervals.memory.capacity, 0))
            if intervals is self.memory:
                limits += [(bound, guard) for bound, (guard, _) in self.guards.items()
                           if guard in self.assumed]
            if not limits:
                continue
            limit, guard = min(limits)
            found += intervals.overloads(starts, present, limit, guard)
        return found

    def bound_lemma(self, value):
        """State the static bound "makespan >= value" as a lemma (smtsched.sched.bound_proof)
        when one reaches `value`: the clause goes to the search and, with its witness, to the
        certificate. True when it was added. Certificates only (the search needs no help: it
        refutes such bounds by itself, but maybe not within the time left)."""
        if self.certificate is None or self.memory is not None:
            return False
        if self.model.objective != "makespan":
            # a weighted cost: the lemma names the guard of "cost <= value - 1", which
            # at_most makes when the refutation asks for it
            self.cost_lemma_for = value
            return True
        from .bound_proof import makespan_lemma
        return self._add_bound(makespan_lemma(self.model, self.lowering, value))

    def _add_bound(self, found):
        if found is None:
            return False
        from ..certify.emit import given
        clause, rule, witness, constraint = found
        self.session.add_clause(clause, "bound", given(rule, witness, constraint=constraint))
        return True

    def cut(self, tasks):
        if isinstance(tasks, MemoryCut):
            self.session.add_clause(tasks.clause(), "cut")
            return
        if len(tasks) == 1:
            # an optional task that alone overloads its resource: the unit "it is absent"
            # follows from the model itself (a certificate's problem.cnf clause; the
            # checker's encoding states it), no ordering argument
            self.session.add_clause(self.lowering.cut(tasks), "input")
            return
        self.session.add_clause(self.lowering.cut(tasks), "cut", self._resource_spec(tasks))

    def _resource_spec(self, tasks):
        """The global constraint (a core spec) over every one of `tasks`, for a cut's
        certificate record (its clique witness); None when there is none (a resource with
        optional tasks has none: its pairs are clauses) or no certificate is made."""
        if self.certificate is None:
            return None
        nodes = {self.lowering.node[t.index] for t in tasks}
        core = self.lowering.core
        optional = [spec for spec, _ in getattr(core, "optional_globals", ())]
        first = None
        for spec in core.globals + optional:
            if isinstance(spec, (DisjunctiveSpec, CumulativeSpec)) \
                    and nodes <= {task.node for task in spec.tasks}:
                # the resource the tasks overload: tasks of two resources (the modes of a
                # multi-mode RCPSP use several) may fit the first one that holds them all,
                # and a clique witness needs their demands above its capacity
                if isinstance(spec, DisjunctiveSpec) or sum(
                        task.demand for task in spec.tasks if task.node in nodes) \
                        > spec.capacity:
                    return spec
                if first is None:
                    first = spec
        return first
