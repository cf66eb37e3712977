"""The lemma rules of docs/certificates.md ("The rules"), in exact arithmetic.

A lemma is a clause; its *premises* are the negations of its literals, each (when it is a
difference atom of the checker's encoding) a `Difference` x - y <= c, i.e. the edge y -> x
with weight c. A rule gets the premises in clause order (None for a literal that is no atom)
and the witness, and raises `RuleError` unless the premises, with the named constraint, have
no solution. Every number is recomputed from the premises and the constraint (which verify.py
has checked against the input), never read from the witness: a witness only says which
premises or tasks to combine and where to look (a window).

Global rules (energy, clique) work on the Int premises only: ignoring a premise only weakens
what the rule may conclude, so it is sound, and keeps every weight an integer.
"""

from collections import deque
from fractions import Fraction

__all__ = ["RuleError", "Task", "Constraint", "RULES", "PENDING"]

INF = float("inf")

# Rules the doc names but this checker does not implement yet: such a lemma makes the
# certificate incomplete (never verified), as a lemma without a rule does.
PENDING = ("bound",)


class RuleError(Exception):
    """The witness does not prove the lemma; the message says why."""


class Task:
    __slots__ = ("start", "duration", "demand")

    def __init__(self, start, duration, demand):
        self.start, self.duration, self.demand = start, duration, demand


class Constraint:
    """A checked cumulative constraint (a disjunctive one has capacity 1 and demands 1)."""

    __slots__ = ("kind", "capacity", "tasks")

    def __init__(self, kind, capacity, tasks):
        self.kind, self.capacity, self.tasks = kind, capacity, tasks


def _show(x):
    """A number for a message: in full unless it is huge (str() refuses more than 4,300
    digits, and nobody reads them)."""
    num = Fraction(x)
    if max(abs(num.numerator), num.denominator).bit_length() < 200:
        return str(x)
    return f"{'-' if num < 0 else ''}(a number of about {int(abs(num.numerator).bit_length() * 0.30103)} digits)"


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def _indices(value, bound, what, distinct=True):
    if not isinstance(value, list) or not all(_is_int(i) for i in value):
        raise RuleError(f"{what} must be a list of integers")
    for i in value:
        if not 0 <= i < bound:
            raise RuleError(f"{what}: index {i} out of range 0..{bound - 1}")
    if distinct and len(set(value)) != len(value):
        raise RuleError(f"{what}: an index is used twice")
    return value


# -- cycle --------------------------------------------------------------------------------------

def cycle(premises, witness, constraint):
    """The premises' edges, in the order given, close a cycle of negative weight."""
    idx = _indices(witness.get("cycle"), len(premises), "cycle")
    if not idx:
        raise RuleError("cycle is empty")
    edges = []
    for i in idx:
        d = premises[i]
        if d is None:
            raise RuleError(f"cycle: premise {i} is not a difference atom")
        edges.append(d)
    sorts = {d.sort for d in edges}
    if len(sorts) != 1:
        raise RuleError("cycle mixes Int and Real edges")
    for k, d in enumerate(edges):
        nxt = edges[(k + 1) % len(edges)]
        # Edge y -> x: its head x must be the tail y of the next edge.
        if d.x != nxt.y:
            raise RuleError(f"cycle: edge {idx[k]} ends at {d.x!r} but edge "
                            f"{idx[(k + 1) % len(edges)]} starts at {nxt.y!r}")
    total = sum((Fraction(d.c) for d in edges), Fraction(0))
    strict = any(d.strict for d in edges)
    if total < 0 or (total == 0 and strict):
        return
    raise RuleError(f"cycle weight {_show(total)}{' (strict)' if strict else ''} is not "
                    "negative")


# -- the premises' graph, with completions --------------------------------------------------------

class _Graph:
    """Int difference constraints as edges u -> v, weight w: x_v - x_u <= w."""

    def __init__(self, premises, constraint):
        self.edges = []
        for d in premises:
            if d is not None and d.sort == "Int":
                self.edges.append((d.y, d.x, d.c))
        self._complete(premises, constraint)
        self.nodes = {u for u, _, _ in self.edges} | {v for _, v, _ in self.edges}

    def _complete(self, premises, con):
        """Add "i before j" for each premise x_i - x_j <= w < p_j of a conflicting pair."""
        if con is None:
            return
        by_start = {}
        for k, t in enumerate(con.tasks):
            by_start.setdefault(t.start, []).append(k)
        added = []
        for d in premises:
            if d is None or d.sort != "Int" or d.x is None or d.y is None:
                continue
            for i in by_start.get(d.x, ()):
                for j in by_start.get(d.y, ()):
                    ti, tj = con.tasks[i], con.tasks[j]
                    if i == j or ti.duration <= 0 or tj.duration <= 0:
                        continue
                    if ti.demand + tj.demand <= con.capacity:
                        continue  # they may overlap: no ordering follows
                    if d.c < tj.duration:
                        # s_i < s_j + p_j excludes "j ends before i starts", so
                        # i ends before j starts: x_i - x_j <= -p_i.
                        added.append((tj.start, ti.start, -ti.duration))
        self.edges.extend(added)

    def _adjacency(self, reverse):
        adj = {}
        for u, v, w in self.edges:
            if reverse:
                u, v = v, u
            adj.setdefault(u, []).append((v, w))
        return adj

    def _relax(self, dist, adj):
        """Queue-based Bellman-Ford (FIFO label correcting) from the nodes in `dist`.

        In FIFO order a node enters the queue at most once per Bellman-Ford round, and
        without a negative cycle n nodes settle within n - 1 rounds after the first; so a
        node queued more than n + 1 times (one spare) proves a reachable negative cycle, and
        the function returns False. Counting queue entries, not improvements, matters: a
        node may improve several times in one round."""
        queue = deque(dist)
        queued = set(dist)
        entries = dict.fromkeys(dist, 1)
        limit = len(self.nodes | set(dist)) + 1
        while queue:
            u = queue.popleft()
            queued.discard(u)
            du = dist[u]
            for v, w in adj.get(u, ()):
                if du + w < dist.get(v, INF):
                    dist[v] = du + w
                    if v not in queued:
                        entries[v] = entries.get(v, 0) + 1
                        if entries[v] > limit:
                            return False
                        queued.add(v)
                        queue.append(v)
        return True

    def negative_cycle(self):
        # Every node starts at 0, as from a virtual source with 0-weight edges to all.
        return not self._relax(dict.fromkeys(self.nodes, 0), self._adjacency(False))

    def distances(self, source, reverse=False):
        """Shortest path weights from source (to source when reverse); no negative cycles."""
        dist = {source: 0}
        self._relax(dist, self._adjacency(reverse))
        return dist


def _needs(constraint, rule):
    if constraint is None:
        raise RuleError(f"{rule} needs a disjunctive or cumulative constraint")
    return constraint


# -- energy ---------------------------------------------------------------------------------------

def energy(premises, witness, constraint):
    """The tasks' least energy inside the window exceeds capacity * width."""
    con = _needs(constraint, "energy")
    window = witness.get("window")
    if not (isinstance(window, list) and len(window) == 2 and all(_is_int(v) for v in window)):
        raise RuleError("energy: window must be [a, b] with integers")
    a, b = window
    if b <= a:
        raise RuleError(f"energy: window [{_show(a)}, {_show(b)}] is empty")
    tasks = _indices(witness.get("tasks"), len(con.tasks), "energy tasks")
    graph = _Graph(premises, con)
    if graph.negative_cycle():
        return
    to_origin = graph.distances(None, reverse=True)  # x_0 - x_k <= D: est_k = -D
    from_origin = graph.distances(None)  # x_k - x_0 <= D: lst_k = D
    total = 0
    for k in tasks:
        t = con.tasks[k]
        if t.start not in to_origin or t.start not in from_origin:
            continue  # an infinite bound: the task may lie outside the window
        est, lst = -to_origin[t.start], from_origin[t.start]
        least = min(b - a, t.duration, est + t.duration - a, b - lst)
        total += t.demand * max(0, least)
    if total > con.capacity * (b - a):
        return
    raise RuleError(f"energy: least energy {_show(total)} in [{_show(a)}, {_show(b)}] does "
                    f"not exceed {_show(con.capacity)} * {_show(b - a)}")


# -- clique ---------------------------------------------------------------------------------------

def clique(premises, witness, constraint):
    """The tasks overlap pairwise (so at one instant) and their demands exceed capacity."""
    con = _needs(constraint, "clique")
    tasks = _indices(witness.get("tasks"), len(con.tasks), "clique tasks")
    if not tasks:
        raise RuleError("clique: no tasks")
    for k in tasks:
        if con.tasks[k].duration <= 0:
            raise RuleError(f"clique: task {k} has no positive duration")
    demand = sum(con.tasks[k].demand for k in tasks)
    if demand <= con.capacity:
        raise RuleError(f"clique: demand {_show(demand)} does not exceed capacity "
                        f"{_show(con.capacity)}")
    graph = _Graph(premises, con)
    if graph.negative_cycle():
        return
    for i in tasks:
        ti = con.tasks[i]
        dist = graph.distances(ti.start)
        for j in tasks:
            if j == i:
                continue
            # j starts before i ends: x_j - x_i <= p_i - 1.
            w = 0 if con.tasks[j].start == ti.start else dist.get(con.tasks[j].start, INF)
            if w > ti.duration - 1:
                raise RuleError(f"clique: no path gives task {j} starting before task {i} "
                                f"ends")


RULES = {"cycle": cycle, "energy": energy, "clique": clique}
