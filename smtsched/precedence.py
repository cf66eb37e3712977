"""Precedence graphs: topological orders, longest paths, positive cycles. Written once here
for the compiler (pairs the precedences already order), the static bounds (heads and tails),
the serial heuristic, the memory encoding (all-pairs longest paths) and the DNN graphs
(stable operator orders).

An arc (a, b, w) on nodes 0..n-1 says start(b) >= start(a) + w. Longest paths over such
arcs are the least start offsets the arcs imply (the "heads" and "tails" of Carlier's
one-machine and job-shop bounds). Without a cycle they are one pass in a topological order
(Kahn, "Topological sorting of large networks", CACM 1962); with cycles they settle by
Bellman-Ford rounds unless a cycle has positive length, in which case no start times satisfy
the arcs at all.

The module sits at the top of the package, beside the compiler, and imports nothing from
smtsched: the compiler is below `smtsched.sched` (sched -> solver -> compile), so a module
inside `sched` would tie the compiler to the scheduling package.
"""
import heapq
import time

# "no path" in the matrices of `Precedences.longest_paths`: far below any sum of lags, and far
# enough above the int64 minimum that adding a lag to it cannot wrap around
NONE = -(1 << 61)


class DeadlinePassed(Exception):
    """A deadline (a time.perf_counter() instant) passed during a computation."""


class Precedences:
    """Nodes 0..n-1 and weighted arcs (a, b, w): start(b) >= start(a) + w. Parallel arcs and
    self-loops are allowed; `successors[a]` holds (b, w) and `predecessors[b]` holds (a, w),
    both in the order the arcs were added."""

    def __init__(self, n, arcs=()):
        self.n = n
        self.successors = [[] for _ in range(n)]
        self.predecessors = [[] for _ in range(n)]
        self._reached = None  # what Kahn's first-come order reaches, kept until an arc is added
        self.arcs = list(arcs)
        successors, predecessors = self.successors, self.predecessors
        for a, b, w in self.arcs:
            successors[a].append((b, w))
            predecessors[b].append((a, w))

    def add(self, a, b, w=0):
        self._reached = None
        self.arcs.append((a, b, w))
        self.successors[a].append((b, w))
        self.predecessors[b].append((a, w))

    # -- orders ------------------------------------------------------------------------------
    def _kahn(self, priority):
        """Kahn's algorithm; the nodes it orders (all of them unless the arcs have a cycle).
        Without `priority` the ready nodes are taken first come, first served (the sources by
        number); with it, the ready node of the least priority[node] (then number) first."""
        waiting = [len(p) for p in self.predecessors]
        successors = self.successors
        if priority is None:
            order = [i for i in range(self.n) if waiting[i] == 0]
            for i in order:  # the list is the queue
                for j, _ in successors[i]:
                    waiting[j] -= 1
                    if waiting[j] == 0:
                        order.append(j)
            return order
        ready = [(priority[i], i) for i in range(self.n) if waiting[i] == 0]
        heapq.heapify(ready)
        order = []
        while ready:
            i = heapq.heappop(ready)[1]
            order.append(i)
            for j, _ in successors[i]:
                waiting[j] -= 1
                if waiting[j] == 0:
                    heapq.heappush(ready, (priority[j], j))
        return order

    def topological_order(self, priority=None):
        """The nodes, each after all its predecessors, or None when the arcs have a cycle (of
        any length). `priority`: see `_kahn`; with priority = node numbers the order keeps the
        numbering wherever the arcs allow (the stable order of a file's operators)."""
        order = list(self._first_come()) if priority is None else self._kahn(priority)
        return order if len(order) == self.n else None

    def _first_come(self):
        if self._reached is None:
            self._reached = self._kahn(None)
        return self._reached

    def cycle(self):
        """A cycle of arcs, as its nodes in arc order with the first repeated at the end, or
        None. It starts from the least node no topological order reaches and walks back along
        the first predecessor (in arc order) that is not reached either: every such node has
        one, so the walk must repeat a node."""
        reached = set(self._first_come())
        if len(reached) == self.n:
            return None
        node = min(i for i in range(self.n) if i not in reached)
        seen = {}
        path = []
        while node not in seen:
            seen[node] = len(path)
            path.append(node)
            node = next(a for a, _ in self.predecessors[node] if a not in reached)
        cycle = path[seen[node]:]
        cycle.reverse()  # walked against the arcs
        return cycle + cycle[:1]

    # -- longest paths -----------------------------------------------------------------------
    def longest_from(self, start):
        """head[b] = max(start[b], head[a] + w for every arc (a, b, w)): the least values at
        or above `start` that satisfy every arc (earliest starts from releases). None when a
        cycle of positive length makes them grow without end."""
        return self._settle(list(start), self.predecessors, forward=True)

    def longest_to(self, end):
        """tail[a] = max(end[a], tail[b] + w for every arc (a, b, w)): from the start of a to
        the end of the schedule at the least (with end = the durations). None when a cycle
        of positive length makes them grow without end."""
        return self._settle(list(end), self.successors, forward=False)

    def _settle(self, value, incoming, forward):
        order = self._first_come()
        if len(order) == self.n:
            # a DAG: one pass, each node after everything that raises it
            for b in (order if forward else reversed(order)):
                best = value[b]
                for a, w in incoming[b]:
                    if value[a] + w > best:
                        best = value[a] + w
                value[b] = best
            return value
        # Bellman-Ford rounds: without a positive cycle every longest path has at most n - 1
        # arcs, so n rounds settle the values and one more finds nothing to change
        for _ in range(self.n + 1):
            changed = False
            for a, b, w in self.arcs:
                if forward and value[a] + w > value[b]:
                    value[b] = value[a] + w
                    changed = True
                elif not forward and value[b] + w > value[a]:
                    value[a] = value[b] + w
                    changed = True
            if not changed:
                return value
        return None

    def positive_cycle(self):
        """(nodes, length) of a cycle of positive length, nodes in arc order, or None.
        Bellman-Ford for longest paths from 0 everywhere: without a positive cycle n - 1
        rounds settle it; a node still rising in round n lies on or behind such a cycle, and
        walking n steps back along the last improvements lands on it."""
        if len(self._first_come()) == self.n:
            return None
        n = self.n
        head = [0] * n
        parent = [None] * n  # (previous node, weight) of the last improvement
        last = None
        for _ in range(n):
            last = None
            for a, b, w in self.arcs:
                if head[a] + w > head[b]:
                    head[b] = head[a] + w
                    parent[b] = (a, w)
                    last = b
            if last is None:
                return None
        for _ in range(n):
            last = parent[last][0]
        cycle, length, at = [], 0, last
        while True:
            cycle.append(at)
            before, w = parent[at]
            length += w
            at = before
            if at == last:
                break
        cycle.reverse()
        return cycle, length

    def longest_paths(self, sources=None, deadline=None):
        """D[s, v] (numpy int64): the greatest total weight of a path of at least one arc
        from sources[s] (every node by default, so D[a, b] is from a to b) to v, NONE where
        no path leads; D[s, sources[s]] is NONE too (no path returns to its start in a DAG).
        None when the arcs have a cycle. One pass in a topological order with a vector per
        node over the sources; DeadlinePassed once `deadline` (a time.perf_counter()
        instant) has passed: quadratic, 6 s on 9,432 tasks."""
        import numpy as np

        order = self._first_come()
        if len(order) < self.n:
            return None
        if sources is None:
            sources = range(self.n)
        # one row per node (contiguous, where a column of the answer would be strided)
        rows = np.full((self.n, len(sources)), NONE, dtype=np.int64)
        own = [(v, s) for s, v in enumerate(sources)]
        for v, s in own:
            rows[v, s] = 0  # the empty path, for the pass; cleared below
        for count, b in enumerate(order):
            if deadline is not None and count % 64 == 0 and time.perf_counter() > deadline:
                raise DeadlinePassed
            row = rows[b]
            for a, w in self.predecessors[b]:
                through = rows[a]
                np.maximum(row, np.where(through > NONE, through + w, NONE), out=row)
        for v, s in own:
            rows[v, s] = NONE
        return rows.T
