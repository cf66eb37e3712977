"""The memory theory (a cumulative over variable-length intervals), pure-Python reference.

A memory holds buffers. Buffer k is live on [x_a(k), x_f(k)): from its allocation node a(k)
(its producer's start, or the origin 0 for a buffer without one) to its free node f(k), or
for ever (f(k) None: a buffer kept to the end). The bytes live at any instant must fit the
effective capacity. The free node is a node of its own of the difference graph with only
lower bounds (x_f >= the end of the producer and of every consumer, plain precedence edges
stated by the front end): it may lie later than the buffer's true free time, which only
lengthens the interval, so a schedule fits with some free nodes iff it fits with each at the
latest end, and the difference theory's model (the earliest solution, x_v = -d(v, 0)) puts
every free node exactly there. This replaces the liveness literals of smtsched.sched.liveness
(a literal per buffer and allocation instant: 2.1 million clauses on 949 tasks) by one theory.

The capacity is guarded: `capacities` is a list of (guard literal, or 0 for always, bytes);
the effective capacity is the least one whose guard is true now (none true: no constraint).
The theory owns (observes) the guards' variables, so one theory serves the probes of an
optimiser that assumes one guard per bound (as the cost theory does), and each clause it
makes carries the negation of the guard it used.

**During the search** (`propagate`): timetable consistency, as the cumulative theory (Schutt,
Feydy, Stuckey, Wallace: "Explaining the cumulative propagator", Constraints 16(3), 2011), on
intervals of variable length: buffer k is surely live on its compulsory part [lst(a(k)),
est(f(k))) (lst of the origin is 0; est of a kept buffer's end is infinite). At the earliest
instant t where the compulsory parts exceed the capacity, the fewest buffers covering t whose
sizes exceed it (largest sizes first, ties by index) are explained by the graph's paths
behind "x_a(k) <= t" (0 ~> a(k)) and "x_f(k) >= t + 1" (f(k) ~> 0), and the guard. (Peak
memory probes bound no start from above: then nothing is compulsory, and the final check
does the work.)

**On complete models** (`final_check`): the model is the earliest schedule; if its profile
overloads at some instant, take the earliest one, the fewest buffers B live then (largest
first, ties by index), and k the one of B allocated last (ties: smallest index): every buffer
of B is live at x_a(k). In every schedule that fits, not all of them are, so the clause

    OR_{j in B, j != k} [x_a(j) >= x_a(k) + 1]  OR  OR_{j in B, f(j) a node} [x_f(j) <= x_a(k)]

is valid (if every literal fails, each buffer of B is allocated by x_a(k) and freed after it)
and false in the model. It is a clause over difference atoms that need not exist: the theory
states it as a conflict (that of the earliest overloaded allocation; FINAL_CUTS says how
many to look at) when every one of its atoms is in `atoms` (a dict from the canonical
key (p, q, bound) of "x_p - x_q <= bound", p < q, to its variable: the lowering's atom table,
shared, so atoms the backend adds between searches count at the next search) and otherwise
accepts the model (`n_incomplete` counts it); the backend then finds the overload in the
schedule, makes the atoms (Engine.add_atom, through the lowering) and adds the clause between
searches (smtsched.sched.lowered). That loop ends: each cut is false in the model that caused
it and holds afterwards, so no cut is made twice, and there are finitely many (their atoms
are among the O(buffers^2) pairs (a(j), a(k)) and (f(j), a(k)) with fixed constants).

The compiled twin is theories/memory.pyx; both choose the same instant, buffers and clause,
so the tests compare them step by step (`last_tasks`). No witnesses: the certificate checker
has no rule for this theory yet (proof runs use the liveness encoding).
"""
from smtsched.theories.global_ref import GlobalTheory

#: the final check looks at up to this many overloaded allocations of the model (in time
#: order) for one whose cut has all its atoms, before leaving the model to the backend.
#: One: measured on a GPT training block (150 tasks, peak memory, 20 s, npu-small), 64 left
#: fewer models to the backend, which cuts up to 64 overloads of one model at once, and so
#: made one conflict per complete assignment where the backend had made a batch: 59 searches
#: instead of 300 and a bound of 0.68-0.77 million instead of 0.85-0.87 (0 and 1 are even).
FINAL_CUTS = 1


def canonical(p, q, bound):
    """(key, sign): the atom x_p - x_q <= bound in the lowering's orientation (lower node
    first; the other orientation is the negation of x_q - x_p <= -bound - 1)."""
    if p < q:
        return (p, q, bound), 1
    return (q, p, -bound - 1), -1


def cut_atoms(tasks, chosen, k):
    """The atoms of the cut of buffers `chosen` at the allocation of buffer k, as
    (p, q, bound) of "x_p - x_q <= bound", in clause order: "x_a(j) >= x_a(k) + 1" for j != k
    (x_a(k) - x_a(j) <= -1; none when j is allocated at k's node: constant false), then
    "x_f(j) <= x_a(k)" for every j with a free node."""
    anchor = tasks[k][0]
    out = []
    for j in chosen:
        if j != k and tasks[j][0] != anchor:
            out.append((anchor, tasks[j][0], -1))
    for j in chosen:
        if tasks[j][1] is not None:
            out.append((tasks[j][1], anchor, 0))
    return out


def fewest(candidates, size, limit):
    """The shortest prefix by decreasing size (ties: smaller index) whose sizes sum above
    `limit` (the caller knows that all of them together do)."""
    chosen, total = [], 0
    for k in sorted(candidates, key=lambda k: (-size[k], k)):
        chosen.append(k)
        total += size[k]
        if total > limit:
            break
    return chosen


class MemoryLogic(GlobalTheory):

    def __init__(self, graph, tasks, capacities, atoms=None):
        """`graph`: the difference theory; `tasks`: [(allocation node, free node or None,
        bytes)]; `capacities`: [(guard literal or 0, bytes)]; `atoms`: the canonical atom
        table the final check's cut is looked up in (None: none)."""
        super().__init__(graph)
        self.tasks = [(int(a), None if f is None else int(f), int(d)) for a, f, d in tasks]
        self.capacities = [(int(g), int(c)) for g, c in capacities]
        self.atoms = {} if atoms is None else atoms
        self.used = [k for k, (_, _, d) in enumerate(self.tasks) if d > 0]
        self.size = [d for _, _, d in self.tasks]
        self.on = {}                # guard -> the level it became true at (None: fixed)
        self.last_bounds = None
        self.last_tasks = []
        self.n_checks = self.n_conflicts = self.n_timetable_checks = 0
        self.n_timetable_conflicts = self.n_incomplete = 0

    # -- guards -------------------------------------------------------------------------------
    def observed(self):
        return sorted({abs(g) for g, _ in self.capacities if g})

    def assign(self, lit, fixed):
        for guard, _ in self.capacities:
            if guard == lit:
                if guard not in self.on or fixed:
                    self.on[guard] = None if fixed else self.levels

    def _undone(self, level):
        self.last_bounds = None
        self.on = {g: lv for g, lv in self.on.items() if lv is None or lv <= level}

    def _capacity(self):
        """(bytes, guard) of the least capacity in force (the first of equals), or None."""
        best = None
        for guard, capacity in self.capacities:
            if (not guard or guard in self.on) and (best is None or capacity < best[0]):
                best = (capacity, guard)
        return best

    # -- during the search --------------------------------------------------------------------
    def _bounds(self):
        """(lst of each allocation node, est of each free node): None where unbounded (a
        kept buffer's end: None too; the test is `_live`)."""
        lst, est = {}, {}
        for k in self.used:
            a, f, _ = self.tasks[k]
            lst[k] = 0 if a == 0 else self.graph.distance(0, a)
            if f is None:
                est[k] = None
            else:
                back = self.graph.distance(f, 0)
                est[k] = None if back is None else -back
        return lst, est

    def _compulsory(self, k, lst, est):
        """[begin, end) of buffer k's compulsory part (end None: for ever), or None."""
        if lst[k] is None:
            return None
        if self.tasks[k][1] is None:
            return lst[k], None
        if est[k] is None or est[k] <= lst[k]:
            return None
        return lst[k], est[k]

    def propagate(self):
        capacity = self._capacity()
        if capacity is None:
            return []
        lst, est = self._bounds()
        key = (capacity, lst, est)
        if key == self.last_bounds:
            return []
        self.last_bounds = key
        self.n_timetable_checks += 1
        limit, guard = capacity
        events = {}
        parts = {}
        for k in self.used:
            part = self._compulsory(k, lst, est)
            if part is None:
                continue
            parts[k] = part
            events[part[0]] = events.get(part[0], 0) + self.size[k]
            if part[1] is not None:
                events[part[1]] = events.get(part[1], 0) - self.size[k]
        load = 0
        for t in sorted(events):
            load += events[t]
            if load <= limit:
                continue
            covering = [k for k, (b, e) in parts.items() if b <= t and (e is None or t < e)]
            chosen = fewest(covering, self.size, limit)
            literals = set()
            for k in chosen:
                a, f, _ = self.tasks[k]
                if a != 0:
                    literals.update(self.graph.path_literals(0, a))   # x_a <= t
                if f is not None:
                    literals.update(self.graph.path_literals(f, 0))   # x_f >= t + 1
            clause = sorted((-lit for lit in literals), key=abs)
            if guard:
                clause.insert(0, -guard)
            self.conflict_clause = clause
            self.last_tasks = chosen
            self.n_timetable_conflicts += 1
            return None
        return []

    # -- on complete models -------------------------------------------------------------------
    def final_check(self):
        self.n_checks += 1
        capacity = self._capacity()
        if capacity is None:
            return True
        limit, guard = capacity
        found = overloads(self.tasks, self.used, self.graph.values(), limit, FINAL_CUTS)
        for chosen, k in found:
            clause = []
            for p, q, bound in cut_atoms(self.tasks, chosen, k):
                key, sign = canonical(p, q, bound)
                var = self.atoms.get(key)
                if not var:
                    break
                clause.append(sign * var)
            else:
                if not all(self._false(lit) for lit in clause):
                    continue   # (cannot happen: the model satisfies every assigned atom)
                if guard:
                    clause.insert(0, -guard)
                self.conflict_clause = clause
                self.last_tasks = chosen
                self.n_conflicts += 1
                return False
        if found:
            self.n_incomplete += 1   # no cut over existing atoms: the backend cuts it
        return True

    def _false(self, literal):
        try:
            return self.graph.literal_value(literal) == -1
        except (ValueError, KeyError, IndexError):
            return False

    def explain(self, lit):  # pragma: no cover - propagates nothing
        raise AssertionError("the memory theory propagates nothing")

    def statistics(self):
        return {"memory_checks": self.n_checks,
                "memory_conflicts": self.n_conflicts,
                "memory_timetable_checks": self.n_timetable_checks,
                "memory_timetable_conflicts": self.n_timetable_conflicts,
                "memory_incomplete": self.n_incomplete}


def overload(tasks, used, potentials, limit):
    """(chosen, k): the earliest instant where the buffers live in the schedule exceed
    `limit`, the fewest live then whose sizes exceed it (largest first, ties by index), and k
    the one of them allocated last (ties: smallest index); None when every instant fits.
    `tasks` as MemoryLogic's, `potentials` node values (the origin's subtracted here).
    Shared by the theory's final check and the backend's cuts (smtsched.sched.lowered)."""
    found = overloads(tasks, used, potentials, limit, 1)
    return found[0] if found else None


def overloads(tasks, used, potentials, limit, most):
    """Up to `most` overloads of the schedule as `overload` finds the first: one per
    allocation that leaves the live bytes above `limit`, in time order (the backend cuts
    several per search: each cut costs a search)."""
    if most <= 0:
        return []
    origin = potentials[0]
    events = []
    for k in used:
        a, f, d = tasks[k]
        begin = potentials[a] - origin
        if f is None:
            events.append((begin, 1, k))
            continue
        end = potentials[f] - origin
        if end <= begin:
            continue   # live at no instant
        events.append((begin, 1, k))
        events.append((end, 0, k))
    events.sort()   # at one instant, frees before allocations
    running = {}
    load = 0
    found = []
    for time, kind, k in events:
        if kind == 0:
            del running[k]
            load -= tasks[k][2]
            continue
        running[k] = time
        load += tasks[k][2]
        if load > limit:
            size = {j: tasks[j][2] for j in running}
            chosen = fewest(running, size, limit)
            last = max(chosen, key=lambda j: (running[j], -j))
            found.append((chosen, last))
            if len(found) >= most:
                break
    return found
