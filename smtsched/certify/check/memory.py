"""Memories in certificates (docs/certificates.md: atoms.txt `live`, `slack`, `guard peak`;
constraints.json's memory rows; "Checking problem.cnf", liveness clauses; the rules `memory`
and `peak_guard`; the peak claim).

The semantics, re-read from model.json (smtsched.sched.model and smtsched.sched.check say the
same, not imported): a buffer B of a memory has a size, an optional producer (a mandatory
task), consumers (maybe optional) and `until_end`. alloc(B) = start(producer), or 0 without
one; B is live at the instant t when alloc(B) <= t and (until_end, or t < end(e) for some
PRESENT e among its producer and consumers). The bytes in use only rise at an allocation, so
the peak (the most bytes live at one instant; 0 without buffers) is reached at an allocation
instant; a capacity says peak <= capacity.

How a certificate states it (the lowering's liveness encoding, smtsched/sched/liveness.py and
lowered.py `_peak_rows`): a `live` atom (M, B, T) means "B is live at the instant start(T)"
(T null: at 0); the checker gives it a variable of its own, constrained by nothing in G. Its
clauses "conditions -> live" in problem.cnf are accepted by their shape (`live_clause`), the
rows over live literals by the memory's capacity or by the peak rows' slack bits (`row`).
Soundness: every schedule extends to a model of everything the checker accepted with each
live variable its exact meaning (the clauses hold: their premises imply it), every slack bit
0 and every peak guard false, or, for the one guard g of "peak <= B" a claim assumes (when
the schedule's peak is <= B), g true and the bits set to g's pattern P: then each peak row
reads fixed + live bytes + P <= B + (top - B) = top.

"Decided by the precedences": lower bounds on start(b) - start(a) from the precedences
between mandatory tasks (a minimum lag: the arc before -> after of weight p_before + min_lag;
a maximum lag: after -> before of weight -(p_before + max_lag)). Any walk's weight is a valid
lower bound (a positive cycle means no schedule at all, so nothing is claimed about any), so
the relaxation may stop anywhere: longest paths by a topological pass when the arcs have no
cycle, else label correcting with a cap on the rounds. Computed per instant, when first
asked, and cached: from the instant forward (its ends) and into it (its producers); without
cycles only as far (in topological positions) as the queries reach, so that a graph of
10,000 operators checks in a second, not in minutes.
"""

import json
import re
from collections import deque

from .rules import RuleError

__all__ = ["Buffer", "Memory", "MemoryModel", "MemoryCheck"]


class Buffer:
    __slots__ = ("name", "size", "producer", "consumers", "until_end")

    def __init__(self, name, size, producer, consumers, until_end):
        self.name, self.size, self.producer = name, size, producer
        self.consumers, self.until_end = list(consumers), until_end

    def ends(self):
        """The tasks whose end frees the buffer (its consumers, then its producer)."""
        return self.consumers + ([] if self.producer is None else [self.producer])


class Memory:
    __slots__ = ("name", "capacity", "buffers", "by_name")

    def __init__(self, name, capacity, buffers):
        self.name, self.capacity, self.buffers = name, capacity, buffers
        self.by_name = {b.name: b for b in buffers}


# -- lower bounds on start differences ---------------------------------------------------------

class _Chains:
    """Lower bounds on start(b) - start(a) from the precedences between mandatory tasks."""

    def __init__(self, tasks, optional, precedences):
        names = list(tasks)
        self.index = {n: i for i, n in enumerate(names)}
        n = len(names)
        self.succ = [[] for _ in range(n)]
        self.pred = [[] for _ in range(n)]
        for before, after, min_lag, max_lag in precedences:
            if before in optional or after in optional:
                continue   # holds only while both are present
            a, b, p = self.index[before], self.index[after], tasks[before][0]
            self._arc(a, b, p + min_lag)
            if max_lag is not None:
                self._arc(b, a, -(p + max_lag))
        self.release = [tasks[name][1] if name not in optional else None for name in names]
        self.order = self._topological(n)
        self.position = None if self.order is None else \
            {v: k for k, v in enumerate(self.order)}
        self._from, self._into, self._heads = {}, {}, None

    def _arc(self, a, b, w):
        self.succ[a].append((b, w))
        self.pred[b].append((a, w))

    def _topological(self, n):
        waiting = [len(p) for p in self.pred]
        order = [v for v in range(n) if not waiting[v]]
        for v in order:
            for w, _ in self.succ[v]:
                waiting[w] -= 1
                if not waiting[w]:
                    order.append(w)
        return order if len(order) == n else None

    def _longest(self, dist, adjacency, forward, bound=None):
        """Relax `dist` (node -> a lower bound, the sources) along `adjacency`: dist grows to
        the longest walks from the sources (lower bounds in every schedule). Without cycles,
        `bound`: only through the nodes at most (forward; backwards: at least) that
        topological position, which every path to a node within it keeps to."""
        if self.order is not None:
            # the nodes reached, in topological order (reverse order going backwards)
            position = self.position
            seen, stack = set(dist), list(dist)
            while stack:
                for w, _ in adjacency[stack.pop()]:
                    if w not in seen and (bound is None or (
                            position[w] <= bound if forward else position[w] >= bound)):
                        seen.add(w)
                        stack.append(w)
            for v in sorted(seen, key=position.__getitem__, reverse=not forward):
                dv = dist.get(v)
                if dv is None:
                    continue
                for w, weight in adjacency[v]:
                    if dist.get(w, dv + weight - 1) < dv + weight:
                        dist[w] = dv + weight
            return dist
        # cycles (maximum lags): FIFO label correcting, each node queued at most n + 1 times
        # (a positive cycle would never settle: then no schedule exists, and the walks found
        # so far are as good a bound as any)
        queue, queued = deque(dist), set(dist)
        entries = dict.fromkeys(dist, 1)
        limit = len(adjacency) + 1
        while queue:
            v = queue.popleft()
            queued.discard(v)
            dv = dist[v]
            for w, weight in adjacency[v]:
                if dist.get(w, dv + weight - 1) < dv + weight:
                    dist[w] = dv + weight
                    if w not in queued and entries.get(w, 0) < limit:
                        entries[w] = entries.get(w, 0) + 1
                        queued.add(w)
                        queue.append(w)
        return dist

    def lb(self, a, b, forward=True):
        """A lower bound on start(b) - start(a) (mandatory tasks), or None (no chain); by a
        pass from a (forward) or into b, cached there."""
        i, j = self.index[a], self.index[b]
        if self.order is None:   # cycles: every walk from a, once (cached per task)
            found = self._from.get(i)
            if found is None:
                found = self._from[i] = self._longest({i: 0}, self.succ, True)
            return found.get(j)
        # no cycle: the paths from a to b stay between their topological positions. The
        # queries of one instant are about its own start and tasks near it (the buffers live
        # there: recent producers, near consumers), so each instant's passes, forward for its
        # ends and backward for its producers, go only as far as asked, the window doubled
        # when a query needs more (cached per instant and direction): on a chain of 3,000
        # tasks the whole passes took 7 s, quadratic
        pa, pb = self.position[i], self.position[j]
        if pb < pa:
            return None
        cache, source, target = (self._from, i, j) if forward else (self._into, j, i)
        reach = pb if forward else pa
        found = cache.get(source)
        if found is None or (reach > found[0] if forward else reach < found[0]):
            here = pa if forward else pb
            span = max(abs(reach - here), 2 * abs(found[0] - here) if found else 0, 16)
            bound = here + span if forward else here - span
            found = cache[source] = (bound, self._longest(
                {source: 0}, self.succ if forward else self.pred, forward, bound))
        return found[1].get(target)

    def head(self, task):
        """A lower bound on start(task) (a mandatory one): releases along the chains."""
        if self._heads is None:
            self._heads = self._longest({v: r for v, r in enumerate(self.release)
                                         if r is not None}, self.succ, True)
        return self._heads[self.index[task]]


class MemoryModel:
    """The memories of a model.json as the checker reads them (sched.py makes it): `tasks`
    name -> (duration, release, deadline), `optional` names, the precedences (before, after,
    min_lag, max_lag), the memories in order, the objective's memory name (or None)."""

    def __init__(self, tasks, optional, precedences, memories, objective_memory=None):
        self.tasks, self.optional = tasks, optional
        self.memories = memories
        self.by_name = {m.name: m for m in memories}
        self.objective_memory = objective_memory
        self.chains = _Chains(tasks, optional, precedences)
        self._decided = {}   # (memory name, buffer name, instant) -> live in every schedule

    # -- decided by the precedences ----------------------------------------------------------
    def born(self, buffer, instant):
        """alloc(buffer) <= the instant in every schedule (instant: a mandatory task's name,
        None for 0)."""
        a = buffer.producer
        if a is None:
            return True   # alloc 0 <= start(instant), which is >= its release >= 0
        if instant is None:
            return False  # start(a) <= 0 takes an upper bound the chains do not give
        if a == instant:
            return True
        lb = self.chains.lb(a, instant, forward=False)
        return lb is not None and lb >= 0

    def ended(self, e, instant, present=False):
        """The instant is before end(e) in every schedule (`present`: e's presence is known;
        an optional e is otherwise never sure to hold anything)."""
        duration, release, _ = self.tasks[e]
        if e in self.optional:
            if not present:
                return False
            # present: start(e) >= release; the chains are between mandatory tasks only
            return instant is None and release + duration > 0 or \
                (e == instant and duration > 0)
        if instant is None:
            return self.chains.head(e) + duration > 0
        lb = self.chains.lb(instant, e)
        return lb is not None and lb + duration > 0

    def live_everywhere(self, memory, buffer, instant):
        key = (memory.name, buffer.name, instant)
        found = self._decided.get(key)
        if found is None:
            found = self._decided[key] = self.born(buffer, instant) and (
                buffer.until_end or any(self.ended(e, instant) for e in buffer.ends()))
        return found

    # -- schedules ---------------------------------------------------------------------------
    def peak(self, memory, starts, present):
        """(peak, instant) of the memory in a schedule (starts by task name; `present`: the
        tasks present), as smtsched.sched.check computes it: the most bytes live at an
        allocation instant, each buffer live on [alloc, free) with free the latest end of its
        present ends (none: never live), or to the end when until_end."""
        change, allocations = {}, set()
        for b in memory.buffers:
            alloc = 0 if b.producer is None else starts[b.producer]
            allocations.add(alloc)
            if b.until_end:
                free = None
            else:
                ends = [starts[e] + self.tasks[e][0] for e in b.ends() if e in present]
                free = max(ends, default=alloc)
                if free <= alloc:
                    continue   # holds no instant
            change[alloc] = change.get(alloc, 0) + b.size
            if free is not None:
                change[free] = change.get(free, 0) - b.size
        peak, at, running = 0, 0, 0
        for t in sorted(change.keys() | allocations):
            running += change.get(t, 0)
            if t in allocations and running > peak:
                peak, at = running, t
        return peak, at

    def check_schedule(self, starts, present):
        """ValueError when a memory's peak exceeds its capacity; the objective memory's peak
        (None without one)."""
        for m in self.memories:
            if m.capacity is not None:
                peak, at = self.peak(m, starts, present)
                if peak > m.capacity:
                    raise ValueError(f"{m.name} holds {peak} > {m.capacity} bytes at time {at}")
        if self.objective_memory is None:
            return None
        return self.peak(self.by_name[self.objective_memory], starts, present)[0]


# -- the certificate's side --------------------------------------------------------------------

def _text_name(token):
    try:
        name = json.loads(token)
    except ValueError:
        name = None
    if not isinstance(name, str):
        raise ValueError(f"{token} is not a JSON string")
    return name


class MemoryCheck:
    """What one certificate says about memories, checked against a MemoryModel.

    `check` is the verify._Check: its encoding `enc` (G), `g_lit` (certificate literal -> G
    literal) and `g` (its PropagateChecker of G)."""

    def __init__(self, model, check):
        self.model, self.check = model, check
        self.live = {}      # G variable -> (memory, buffer, instant)
        self.bits = {}      # G variable -> (memory, k)
        self.guards = {}    # G variable -> (memory, B): a guard of "peak of memory <= B"
        self._vars = {}     # ("live", M, B, T) / ("slack", M, k) -> G variable
        self.tops = {}      # memory name -> the least top of its peak rows
        self.patterns = {}  # guard G variable -> {k: True / False} (its peak_guard clauses)
        self._ends = {}     # (memory name, buffer name) -> {start name: (duration,
        #                     optional, task)}
        self._presence_vars = None   # G variable of "present T" -> T

    # -- atoms.txt ---------------------------------------------------------------------------
    def memory(self, name):
        m = self.model.by_name.get(name) if isinstance(name, str) else None
        if m is None:
            raise ValueError(f"the input has no memory {name!r:.60}")
        return m

    def instant(self, name):
        if name is None:
            return None
        if not isinstance(name, str) or name not in self.model.tasks:
            raise ValueError(f"the instant {name!r:.60} is no task of the input")
        if name in self.model.optional:
            raise ValueError(f"the instant {name!r:.60} is an optional task")
        return name

    def atom(self, entry):
        """The G variable of an atoms.txt `live` or `slack` line (one per meaning)."""
        if entry.kind == "live":
            m_name, b_name, t = entry.args
            m = self.memory(m_name)
            b = m.by_name.get(b_name)
            if b is None:
                raise ValueError(f"{m.name} has no buffer {b_name!r:.60}")
            key = ("live", m.name, b.name, self.instant(t))
        else:
            m_name, k = entry.args
            key = ("slack", self.memory(m_name).name, k)
        var = self._vars.get(key)
        if var is None:
            var = self._vars[key] = self.check.enc.fresh()
            if key[0] == "live":
                self.live[var] = (m, b, key[3])
            else:
                self.bits[var] = (key[1], key[2])
        return var

    def guard(self, entry, var):
        """An atoms.txt line `guard peak "M" <= B` (its G variable `var`)."""
        args = entry.args
        if len(args) != 4 or args[2] != "<=":
            raise ValueError('a peak guard is: guard peak "MEMORY" <= BOUND')
        m = self.memory(_text_name(args[1]))
        if not re.fullmatch(r"-?[0-9]{1,4000}", args[3]):
            raise ValueError(f"{args[3]!r:.40} is no integer bound")
        bound = int(args[3])
        self.guards[var] = (m.name, bound)

    # -- constraints.json --------------------------------------------------------------------
    def row(self, record, literals, weights, bound):
        """Check a memory row (its literals already G literals); ValueError when it does not
        follow (docs/certificates.md, constraints.json, memory rows)."""
        m = self.memory(record.get("memory"))
        if "instant" not in record:
            raise ValueError("a memory row needs an instant (a task's name or null)")
        instant = self.instant(record.get("instant"))
        fixed = self._fixed_buffers(m, record.get("fixed", []), instant)
        fixed_bytes = sum(b.size for b in fixed)
        seen, live_bytes, bits, guard = set(fixed), 0, set(), None
        for lit, w in zip(literals, weights):
            if lit > 0 and lit in self.live:
                lm, b, at = self.live[lit]
                if lm is not m or at != instant:
                    raise ValueError(f"a live literal of {lm.name} at {at!r} in a row of "
                                     f"{m.name} at {instant!r}")
                if b in seen:
                    raise ValueError(f"{b.name} counts twice")
                seen.add(b)
                if w > b.size:
                    raise ValueError(f"{b.name} weighs {w}, above its size {b.size}")
                live_bytes += w
            elif lit > 0 and lit in self.bits:
                bm, k = self.bits[lit]
                if bm != m.name or k in bits or w > 1 << k:
                    raise ValueError(f"slack bit {k} of {bm} twice, of another memory or "
                                     f"weighing {w} > 2^{k}")
                bits.add(k)
            elif lit > 0 and lit in self.guards and guard is None:
                gm, guard_bound = self.guards[lit]
                if gm != m.name:
                    raise ValueError(f"a guard of {gm} in a row of {m.name}")
                guard = (guard_bound, w)
            else:
                raise ValueError("a literal that is no live literal, slack bit or peak guard "
                                 "(positive) of the memory")
        if bits and guard is not None:
            raise ValueError("a row with both slack bits and a guard")
        if bits or guard is not None:
            # with every bit 0 and every guard false the row must hold whatever is live
            if bound < live_bytes:
                raise ValueError(f"bound {bound} below the live weights {live_bytes}")
            if bits:
                top = bound + fixed_bytes
                self.tops[m.name] = min(self.tops.get(m.name, top), top)
            elif bound - guard[1] < guard[0] - fixed_bytes:
                raise ValueError(f"under its guard the row allows {bound - guard[1]} live "
                                 f"bytes, less than {guard[0]} - {fixed_bytes} fixed")
            return
        if m.capacity is None:
            raise ValueError(f"{m.name} has no capacity")
        if bound < m.capacity - fixed_bytes:
            raise ValueError(f"bound {bound} below the capacity {m.capacity} - "
                             f"{fixed_bytes} fixed")

    def _fixed_buffers(self, m, names, instant):
        if not isinstance(names, list):
            raise ValueError("fixed must be a list of buffer names")
        out = []
        for name in names:
            b = m.by_name.get(name) if isinstance(name, str) else None
            if b is None:
                raise ValueError(f"{m.name} has no buffer {name!r:.60}")
            if b in out:
                raise ValueError(f"{b.name} is fixed twice")
            if not self.model.live_everywhere(m, b, instant):
                raise ValueError(f"{b.name} is not live in every schedule at "
                                 f"{'0' if instant is None else 'start ' + instant} (the "
                                 "precedences do not decide it)")
            out.append(b)
        return out

    # -- problem.cnf -------------------------------------------------------------------------
    def live_clause(self, clause):
        """None when the clause (G literals) has no live literal; else "" when it is a
        liveness clause (one positive live literal; the other literals the negations of
        conditions that make the buffer live at the instant), or why it is not."""
        live = self.live
        if not any(abs(lit) in live for lit in clause):
            return None
        heads = [lit for lit in clause if lit > 0 and lit in live]
        if len(heads) != 1:
            return "a clause with live literals that is no liveness clause (one positive " \
                   "live literal)"
        m, b, instant = live[heads[0]]
        premises = [-lit for lit in clause if lit != heads[0]]
        enc = self.check.enc
        start = None if instant is None else f"start {instant}"
        producer = None if b.producer is None else f"start {b.producer}"
        ends = self._buffer_ends(m, b)
        born = self.model.born(b, instant)
        used_present, ended_atoms = set(), {}
        for q in premises:
            if abs(q) in live:
                return "a clause with two live literals"
            d = enc.meaning(q)
            if d is not None:
                if d.sort != "Int":
                    return "a Real atom in a liveness clause"
                if d.x == producer and d.y == start and d.c <= 0 and producer is not None:
                    born = True
                    continue
                if d.x == start and d.y in ends and d.c <= ends[d.y][0] - 1:
                    ended_atoms[d.y] = True
                    continue
                return f"the atom {d!r} is neither the birth of {b.name} by the instant nor " \
                       "an end of it after the instant"
            if q in self._presences:
                used_present.add(self._presences[q])
                continue
            return f"literal {-q} of G is no condition of {b.name} being live"
        if not born:
            return f"nothing says {b.name} is allocated by the instant"
        if b.until_end:
            return ""
        for e_start, (duration, optional, e) in ends.items():
            if optional and e not in used_present:
                continue
            if e_start in ended_atoms or self.model.ended(e, instant, present=True):
                return ""
        return f"nothing says the instant is before the end of a (present) end of {b.name}"

    @property
    def _presences(self):
        found = self._presence_vars
        if found is None:
            booleans = self.check.enc.booleans
            found = self._presence_vars = {booleans[f"present {t}"]: t
                                           for t in self.model.optional
                                           if f"present {t}" in booleans}
        return found

    def _buffer_ends(self, m, b):
        key = (m.name, b.name)
        found = self._ends.get(key)
        if found is None:
            found = self._ends[key] = {
                f"start {e}": (self.model.tasks[e][0], e in self.model.optional, e)
                for e in b.ends()}
        return found

    # -- lemmas.jsonl ------------------------------------------------------------------------
    def lemma(self, rule, clause, witness):
        """The rules `memory` and `peak_guard` (clause: G literals); RuleError when invalid."""
        if rule == "peak_guard":
            return self._guard_clause(clause, witness)
        # memory: the witness's buffers are live in every schedule at the instant; with the
        # buffers whose live literals the clause negates, they exceed the capacity (or the
        # bound of a peak guard the clause negates)
        try:
            m = self.memory(witness.get("memory"))
            if "instant" not in witness:
                raise ValueError("the witness needs an instant")
            instant = self.instant(witness.get("instant"))
            counted = self._fixed_buffers(m, witness.get("buffers", []), instant)
        except ValueError as e:
            raise RuleError(f"memory: {e}") from None
        total = sum(b.size for b in counted)
        limits = [] if m.capacity is None else [m.capacity]
        for lit in clause:
            if lit < 0 and -lit in self.live:
                lm, b, at = self.live[-lit]
                if lm is not m or at != instant or b in counted:
                    raise RuleError(f"memory: live literal of {b.name} ({lm.name}, at "
                                    f"{at!r}) twice or not of {m.name} at {instant!r}")
                counted.append(b)
                total += b.size
            elif lit < 0 and -lit in self.guards and self.guards[-lit][0] == m.name:
                limits.append(self.guards[-lit][1])
            elif not self.check.g.is_rup([-lit]):   # (a literal G makes false says nothing)
                raise RuleError(f"memory: literal {lit} of G is no negated live literal or "
                                f"peak guard of {m.name}, nor false in the input")
        if not any(total > limit for limit in limits):
            raise RuleError(f"memory: {total} bytes do not exceed "
                            f"{'no limit' if not limits else max(limits)}")

    def _guard_clause(self, clause, witness):
        if witness:
            raise RuleError("peak_guard takes no witness")
        guards = [lit for lit in clause if lit < 0 and -lit in self.guards]
        bits = [lit for lit in clause if abs(lit) in self.bits]
        if len(clause) != 2 or len(guards) != 1 or len(bits) != 1:
            raise RuleError("peak_guard: the clause must be [-g, y] or [-g, -y], g a peak "
                            "guard and y a slack bit")
        g, y = -guards[0], bits[0]
        memory, k = self.bits[abs(y)]
        if memory != self.guards[g][0]:
            raise RuleError(f"peak_guard: a bit of {memory} for a guard of "
                            f"{self.guards[g][0]}")
        pattern = self.patterns.setdefault(g, {})
        if pattern.setdefault(k, y > 0) != (y > 0):
            raise RuleError(f"peak_guard: the guard sets bit {k} both ways")

    def finish_guards(self):
        """After every lemma: each guard's pattern P is 0 or at most top - B, top the least
        of its memory's peak rows (no peak row: the bits weigh in no row). RuleError."""
        for g, pattern in self.patterns.items():
            memory, bound = self.guards[g]
            value = sum(1 << k for k, on in pattern.items() if on)
            top = self.tops.get(memory)
            if value and top is not None and value > top - bound:
                raise RuleError(f"peak_guard: the guard of {memory} <= {bound} sets the slack "
                                f"{value}, more than top {top} - {bound}")

    # -- the claim ---------------------------------------------------------------------------
    def claim_guard(self, lit):
        """B when the G literal is the guard of "peak of the objective's memory <= B"."""
        found = self.guards.get(lit)
        if found is None or found[0] != self.model.objective_memory:
            return None
        return found[1]
