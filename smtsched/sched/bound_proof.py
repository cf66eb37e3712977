"""The static makespan bounds of smtsched.sched.bounds as certificate lemmas (issue 15).

When an OPTIMAL answer meets a bound that needed no search (the longest chain of precedences,
the energy of a resource, Jackson's preemptive bound on a machine), the certificate states
that bound as one lemma with its arithmetic, instead of leaving the refutation of
"makespan <= v - 1" to a search (which may be long, or not finish in the time left). The lemma
is made of the model's own unit atoms, so the checker's existing rules confirm it
(docs/certificates.md, "Static bounds"):

- the longest chain: the premises "s_0 >= release", the precedences of the chain, "end of the
  last task <= makespan" and "makespan <= v - 1" form a negative cycle (rule `cycle`);
- the energy of a resource and Jackson's bound: the premises are those chains for every task
  of a set (each task's head and tail), and the energy of the set does not fit between the
  least head and v - 1 minus the least tail (rule `energy`, window [a, b]). Jackson's bound is
  the largest such set argument on one machine (Carlier, "The one-machine sequencing problem",
  EJOR 1982: the preemptive optimum is the largest r(S) + p(S) + q(S) over sets S of jobs), so
  its witness is the set S that reaches it.

The lemma is a clause of the negated premises; with the units of problem.cnf it propagates
"makespan > v - 1", so the refutation that follows is immediate. Nothing here decides an
answer: a bound that cannot be stated (optional tasks in the way, a clause too long) gives
None, and the optimiser refutes by search as before.

`standalone(model, value)` makes the whole certificate of such an answer without a search: when
the first schedule met the bound, proof mode need not lower the model and start CaDiCaL (on a
j30 instance that was 12 of 13 ms, for an answer found in 1 ms). Its problem.cnf holds only the
unit facts the lemma names (a part of the model's abstraction, as smtsched.certify.prune keeps:
a refutation of fewer clauses refutes more), its proof is the empty clause alone: the units,
the lemma and the assumption "makespan <= v - 1" propagate to a conflict.
"""
from ..core.problem import INT, CoreProblem, DiffAtom
from ..core.specs import CumulativeSpec, DemandTask, DisjunctiveSpec, Task
from . import bounds

# A lemma longer than this is not worth it: the search refutes such bounds quickly too (the
# global theories' own reasoning), and the checker's rules are quadratic in the premises.
MAX_PREMISES = 4000
# Jackson's set is found in quadratic time (every pair of thresholds)
MAX_JACKSON = 3000


def makespan_lemma(model, lowering, value):
    """(clause, rule, witness, constraint) proving "makespan >= value" from the model's unit
    atoms, `constraint` an index into the core's globals (constraints.json) or None; None when
    no static bound reaches `value` (or the lemma would be too long)."""
    if model.objective != "makespan" or value <= 0:
        return None
    mandatory = [t for t in model.tasks if not t.optional]
    if not mandatory:
        return None
    try:
        head, tail = bounds.heads_and_tails(model)
    except bounds.PositiveCycle:
        return None
    chains = _Chains(model, head, tail)
    best = max(mandatory, key=lambda t: head[t.index] + tail[t.index])
    if head[best.index] + tail[best.index] >= value:
        return _path_lemma(model, lowering, chains, best.index, value)
    for resource in model.resources:
        tasks = [(t, d) for t, d in resource.demands if not t.optional and t.duration > 0]
        if not tasks or resource.capacity <= 0:
            continue
        found = _energy_set(tasks, head, tail, resource.capacity, value)
        if found is None and resource.unary:
            found = _jackson_set(tasks, head, tail, value)
        if found is not None:
            return _energy_lemma(model, lowering, chains, resource, found, head, tail, value)
    return None


def cost_lemma(model, lowering, guard, spec, value):
    """(clause, rule, witness, constraint): the clause [-guard, the negated head chains of
    every weighted task], which says that the guard's bound `spec.bound` (below `value`)
    cannot hold (rule `cost`: at the earliest starts the chains give, the cost is already
    `value`); None when the heads do not reach `value` or some task is optional (its head
    would not hold)."""
    if spec.bound >= value or any(t.optional for t in model.tasks) or model.cost_terms():
        return None   # (the more terms' bounds: not among the chains below)
    try:
        head, tail = bounds.heads_and_tails(model)
    except bounds.PositiveCycle:
        return None
    if bounds.cost_lower_bound(model) < value:
        return None
    chains = _Chains(model, head, tail)
    node, ts = lowering.node, model.tasks
    premises = {}
    for k, weight in sorted(model.weights.items()):
        if weight == 0:
            continue
        back = chains.back(k)
        if back is None:
            return None
        arcs, first = back
        premises.setdefault(lowering.atom(0, node[first], -ts[first].release), None)
        for a, b, w in arcs:
            premises.setdefault(lowering.atom(node[a], node[b], -w), None)
        if len(premises) > MAX_PREMISES:
            return None
    clause = [-guard] + [-lit for lit in premises]
    return clause, "cost", None, lowering.core.globals.index(spec)


def standalone(model, value):
    """(certificate, assumptions) of "makespan >= value" made without a search: a
    smtsched.certify.emit.Certificate over a core holding only the atoms of the bound lemma,
    its unit facts, and the lemma; None when no static bound reaches `value`."""
    if model.objective != "makespan":
        return None
    atoms = _Atoms(model)
    found = makespan_lemma(model, atoms, value)
    if found is None:
        return None
    from ..certify.emit import Certificate, given
    clause, rule, witness, constraint = found
    assumption = atoms.makespan_bound(value - 1)
    certificate = Certificate(atoms.core)
    certificate.start(atoms.core.num_vars, atoms.core.clauses)
    certificate.clause(clause, "bound", given(rule, witness, constraint=constraint))
    certificate.search([assumption])
    return certificate, [assumption]


class _Atoms:
    """What makespan_lemma asks of a Lowering (`node`, `makespan_node`, `atom`,
    `makespan_bound`, `core` with the resources' specs in `core.globals`), over a core of its
    own that gets only the atoms asked for: every `atom` is a fact of the model (a release, a
    precedence, an end before the makespan), so it comes with its unit clause; the makespan
    bound is the claim's assumption, without one."""

    def __init__(self, model):
        self.core = core = CoreProblem()
        spec = self._spec = core.difference[INT]
        self.node = [spec.node(("start", t.index), f"start {t.name}") for t in model.tasks]
        self.makespan_node = spec.node(("makespan",), "makespan")
        self._vars = {}
        for resource in model.resources:
            tasks = [(t, d) for t, d in resource.demands if not t.optional and t.duration > 0]
            if resource.unary:
                core.globals.append(DisjunctiveSpec(
                    [Task(self.node[t.index], t.duration) for t, _ in tasks], {}))
            else:
                core.globals.append(CumulativeSpec(
                    [DemandTask(self.node[t.index], t.duration, d) for t, d in tasks],
                    resource.capacity, {}))

    def _var(self, p, q, bound, fact):
        key = (p, q, bound)
        var = self._vars.get(key)
        if var is None:
            var = self._vars[key] = self.core.new_var()
            self._spec.atoms.append(DiffAtom(var, p, q, bound, False))
            if fact:
                self.core.clauses.append([var])
        return var

    def atom(self, p, q, bound):
        return self._var(p, q, bound, True)

    def makespan_bound(self, bound):
        return self._var(self.makespan_node, 0, bound, False)


class _Chains:
    """Tight chains of minimum lags: the arcs that make each head and each tail."""

    def __init__(self, model, head, tail):
        self.model, self.head, self.tail = model, head, tail
        arcs = bounds.mandatory_precedences(model)
        self.into = arcs.predecessors     # b -> [(a, w)]
        self.out = arcs.successors        # a -> [(b, w)]

    def back(self, k):
        """Arcs (a, b, w) from a task whose head is its release up to k, each tight."""
        head, tasks = self.head, self.model.tasks
        chain, seen = [], {k}
        while head[k] != tasks[k].release:
            a, w = next(((a, w) for a, w in self.into[k]
                         if a not in seen and head[a] + w == head[k]), (None, None))
            if a is None:
                return None   # a zero-length cycle of tight arcs: no simple chain this way
            chain.append((a, k, w))
            seen.add(a)
            k = a
        chain.reverse()
        return chain, k

    def forward(self, k):
        """Arcs (k, b, w) ... up to a task whose tail is its duration, each tight."""
        tail, tasks = self.tail, self.model.tasks
        chain, seen = [], {k}
        while tail[k] != tasks[k].duration:
            b, w = next(((b, w) for b, w in self.out[k]
                         if b not in seen and w + tail[b] == tail[k]), (None, None))
            if b is None:
                return None
            chain.append((k, b, w))
            seen.add(b)
            k = b
        return chain, k


def _premise_atoms(lowering, model, chains, tasks, value):
    """Literals (true in every schedule of the model, except the last: makespan <= value - 1)
    whose conjunction bounds each of `tasks` by its head and tail; None if a chain is
    missing."""
    node, ts = lowering.node, model.tasks
    makespan = lowering.makespan_node
    premises = {}

    def add(p, q, c):
        premises.setdefault(lowering.atom(p, q, c), None)
    for k in tasks:
        back, forward = chains.back(k), chains.forward(k)
        if back is None or forward is None:
            return None
        (arcs, first), (more, last) = back, forward
        add(0, node[first], -ts[first].release)          # s_first >= release
        for a, b, w in arcs + more:
            add(node[a], node[b], -w)                      # s_b >= s_a + w
        add(node[last], makespan, -ts[last].duration)     # end of last <= makespan
        if len(premises) > MAX_PREMISES:
            return None
    premises.setdefault(lowering.makespan_bound(value - 1), None)
    return list(premises)


def _path_lemma(model, lowering, chains, k, value):
    back, forward = chains.back(k), chains.forward(k)
    if back is None or forward is None:
        return None
    node, ts = lowering.node, model.tasks
    (arcs, first), (more, last) = back, forward
    # the cycle 0 -> makespan -> s_last -> ... -> s_first -> 0, an edge per premise (the
    # atom x - y <= c is the edge y -> x): makespan <= v - 1, s_last - makespan <= -p_last,
    # the chain's precedences from the last back to the first, 0 - s_first <= -release
    cycle = [lowering.makespan_bound(value - 1),
             lowering.atom(node[last], lowering.makespan_node, -ts[last].duration)]
    cycle += [lowering.atom(node[a], node[b], -w) for a, b, w in reversed(arcs + more)]
    cycle.append(lowering.atom(0, node[first], -ts[first].release))
    if len(set(cycle)) != len(cycle) or len(cycle) > MAX_PREMISES:
        return None
    return [-lit for lit in cycle], "cycle", {"cycle": list(range(len(cycle)))}, None


def _energy_set(tasks, head, tail, capacity, value):
    """All of the resource's tasks, when their energy alone reaches `value`."""
    energy = sum(t.duration * d for t, d in tasks)
    first = min(head[t.index] for t, _ in tasks)
    after = min(tail[t.index] - t.duration for t, _ in tasks)
    if first + -(-energy // capacity) + after >= value:
        return [t for t, _ in tasks]
    return None


def _jackson_set(tasks, head, tail, value):
    """A set S of the machine's tasks with min head + sum of durations + min (tail - duration)
    >= value, the sets {j : head_j >= r, q_j >= q} over every pair of thresholds (the
    preemptive bound is the largest of them: Carlier 1982); None if none reaches `value`."""
    if len(tasks) > MAX_JACKSON:
        return None
    r = [head[t.index] for t, _ in tasks]
    p = [t.duration for t, _ in tasks]
    q = [tail[t.index] - t.duration for t, _ in tasks]
    by_head = sorted(range(len(tasks)), key=lambda j: -r[j])
    for q0 in sorted(set(q), reverse=True):
        total = 0
        for j in by_head:   # heads from the largest down: the set {head >= r[j], q >= q0}
            if q[j] < q0:
                continue
            total += p[j]
            if r[j] + total + q0 >= value:
                return [t for (t, _), rj, qj in zip(tasks, r, q) if rj >= r[j] and qj >= q0]
    return None


def _energy_lemma(model, lowering, chains, resource, chosen, head, tail, value):
    indices = [t.index for t in chosen]
    premises = _premise_atoms(lowering, model, chains, indices, value)
    if premises is None:
        return None
    spec, position = _spec_of(lowering, resource)
    if spec is None:
        return None
    first = min(head[k] for k in indices)
    after = min(tail[k] - model.tasks[k].duration for k in indices)
    window = [first, value - 1 - after]
    if window[0] >= window[1]:
        return None   # no room at all: the chains alone make a negative cycle of the path
    members = [position[lowering.node[k]] for k in indices]
    return ([-lit for lit in premises], "energy",
            {"window": window, "tasks": sorted(members)}, lowering.core.globals.index(spec))


def _spec_of(lowering, resource):
    """The core's global constraint of `resource` (the same tasks, demands and capacity)
    and its tasks' positions by node."""
    demand = {lowering.node[t.index]: d for t, d in resource.demands
              if not t.optional and t.duration > 0}
    nodes = {lowering.node[t.index] for t, _ in resource.demands
             if not t.optional and t.duration > 0}
    for spec in lowering.core.globals:
        if isinstance(spec, (DisjunctiveSpec, CumulativeSpec)):
            position = {task.node: i for i, task in enumerate(spec.tasks)}
            if nodes <= position.keys() and _capacity(spec) == resource.capacity \
                    and all(_demand(spec.tasks[position[n]]) == d for n, d in demand.items()):
                return spec, position
    return None, None


def _capacity(spec):
    return spec.capacity if isinstance(spec, CumulativeSpec) else 1


def _demand(task):
    return getattr(task, "demand", 1)
