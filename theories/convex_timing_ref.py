"""The best timing of fixed orderings: min sum_v f_v(x_v) over x_v - x_u <= w (x_0 = 0), each
f_v convex piecewise linear with integer breakpoints and slopes, exactly, in pure Python
integers.

This is the min-cost tension problem (the dual of a min-cost flow; Ahuja, Magnanti & Orlin,
Network Flows, ch. 9; the single-machine earliness/tardiness timing of a fixed sequence is
Garey, Tarjan & Wilfong 1988). Its constraint matrix is totally unimodular, so an integer
optimum exists, and the objective over the integer points is an L-natural-convex function
(difference constraints and separable convex terms; Murota, Discrete Convex Analysis, ch. 7).
For those, local optimality is global: x is optimal iff no set S of nodes (the origin left
out) moved by +1 or by -1 together lowers the cost (Murota's theorem 7.14). Finding the best
such S is a minimum-weight closure over the edges that are tight at x (a unit move keeps every
slack edge satisfied), i.e. one max-flow / min-cut (Picard 1976). The descent here is
steepest descent on L-natural-convex functions (Murota 2003; Kolmogorov & Shioura 2009 bound
its steps) with a long step: the best S moves as far as its gain per unit stays the same
(up to the next breakpoint of one of its costs, or until a slack edge becomes tight). Every
step lowers the integer cost by at least 1, and the cost is bounded below (callers' costs are
sums of non-negative terms), so it ends, at an optimum.

The explanation of the optimum: the tight edges whose implications the last two max flows
(the +1 and the -1 test at the optimum) use. The local test only looks at tight edges, and
with only the used ones each flow is still feasible and still maximum (fewer arcs cannot
carry more), so the least closures stay >= 0: x stays locally, hence globally, optimal for
the constraints of those edges alone. Any assignment that keeps them costs at least as much:
their literals are a sound reason for "cost >= value". (The origin takes part as a node of
unbounded gain: the edges that pin a node to it carry flow to it, and are named.)

A cost is a `Convex` (slope a, constant, hinges [(c >= 0, b)]): f(x) = const + a*x +
sum c * max(0, x - b).
"""


class Convex:
    """f(x) = const + a*x + sum over hinges (c, b) of c * max(0, x - b), every c >= 0."""

    __slots__ = ("a", "const", "hinges", "_m")

    def __init__(self, a=0, const=0, hinges=()):
        self.a = a
        self.const = const
        self.hinges = sorted(hinges, key=lambda h: h[1])

    def add(self, other):
        return Convex(self.a + other.a, self.const + other.const,
                      list(self.hinges) + list(other.hinges))

    def __call__(self, x):
        return self.const + self.a * x + sum(c * (x - b) for c, b in self.hinges if x > b)

    def up(self, x):
        """f(x + 1) - f(x)."""
        return self.a + sum(c for c, b in self.hinges if b <= x)

    def down(self, x):
        """f(x - 1) - f(x)."""
        return -(self.a + sum(c for c, b in self.hinges if b < x))

    def linear_up(self, x):
        """How far above x the gain per unit step upwards stays f(x+1) - f(x) (None: for
        ever)."""
        ahead = [b for _, b in self.hinges if b > x]
        return min(ahead) - x if ahead else None

    def linear_down(self, x):
        behind = [b for _, b in self.hinges if b < x]
        return x - max(behind) if behind else None

    def least(self, lo, hi):
        """min of f over the integers of [lo, hi] (None: unbounded) and a point reaching it,
        or (None, None) when f has no least value there. f falls (by unit steps) left of
        its first minimiser m and never falls right of it: the answer is at m clamped to
        [lo, hi]."""
        m = self._minimiser()
        if m is None:        # f falls for ever (or rises from -inf: a > 0)
            x = hi if self.a <= 0 else lo
        else:
            x = m if lo is None or m >= lo else lo
            if hi is not None and x > hi:
                x = hi
        if x is None:
            return None, None
        return self(x), x

    def _minimiser(self):
        """The least integer m with f(m + 1) >= f(m) when f falls somewhere before rising
        (a < 0), the first hinge when f is flat left of it (a == 0), else None."""
        try:
            return self._m
        except AttributeError:
            pass
        m = None
        if self.a == 0:
            m = self.hinges[0][1] if self.hinges else 0
        elif self.a < 0:
            slope = self.a
            for c, b in self.hinges:
                slope += c
                if slope >= 0:
                    m = b
                    break
        self._m = m
        return m


def end_cost(duration, kind, weight, due=None):
    """The cost of one term as a function of the start x of a task of `duration`:
    "completion" weight * (x + d), "tardiness" weight * max(0, x + d - due), "earliness"
    weight * max(0, due - x - d) (= weight * (due - x - d) + weight * max(0, x + d - due))."""
    if weight < 0:
        raise ValueError(f"a negative weight {weight}")
    if kind == "completion":
        return Convex(weight, weight * duration)
    if kind == "tardiness":
        return Convex(0, 0, [(weight, due - duration)])
    if kind == "earliness":
        return Convex(-weight, weight * (due - duration), [(weight, due - duration)])
    raise ValueError(f"no cost kind {kind!r}")


def _min_closure(nodes, gain, implies):
    """(S, value, used): the set S of `nodes` closed under `implies` (v in S => u in S for
    each (u, k) of implies[v]) that minimises sum gain[v] over S, that sum, and the labels k
    of the implications the maximum flow uses: Picard's network (source -> v of capacity
    -gain[v], v -> sink of gain[v], v -> u unbounded), Edmonds-Karp. The flow stays feasible
    with only the implications it uses, so with only those the least closure is the same."""
    source, sink = "s", "t"
    capacity = {}
    adjacent = {}
    label = {}

    def arc(a, b, c):
        if (a, b) not in capacity:
            capacity[(a, b)] = 0
            adjacent.setdefault(a, []).append(b)
        if (b, a) not in capacity:
            capacity[(b, a)] = 0
            adjacent.setdefault(b, []).append(a)
        capacity[(a, b)] += c

    infinite = 1 + sum(abs(g) for g in gain.values())
    negative = 0
    for v in nodes:
        g = gain.get(v, 0)
        if g < 0:
            arc(source, v, -g)
            negative += g
        elif g > 0:
            arc(v, sink, min(g, infinite))
    for v in nodes:
        for u, k in implies.get(v, ()):
            if (v, u) not in label:
                label[(v, u)] = k
                arc(v, u, infinite)
    original = dict(capacity)
    if negative == 0:
        return set(), 0, []
    flow = 0
    while True:
        parent = {source: None}
        queue = [source]
        for a in queue:
            if sink in parent:
                break
            for b in adjacent.get(a, ()):
                if b not in parent and capacity[(a, b)] > 0:
                    parent[b] = a
                    queue.append(b)
        if sink not in parent:
            break
        push, b = None, sink
        while parent[b] is not None:
            a = parent[b]
            push = capacity[(a, b)] if push is None else min(push, capacity[(a, b)])
            b = a
        b = sink
        while parent[b] is not None:
            a = parent[b]
            capacity[(a, b)] -= push
            capacity[(b, a)] += push
            b = a
        flow += push
    chosen = set(parent) - {source}
    used = [k for arc_, k in label.items() if capacity[arc_] < original[arc_]]
    return chosen, negative + flow, used


def optimal_timing(num_nodes, edges, costs, start):
    """(x, value, needed): an integer optimum of min sum costs[v](x[v]) subject to
    x[v] - x[u] <= w for every (u, v, w) of `edges` and x[0] = 0; `start` a feasible integer
    point (start[0] = 0); `needed` the indices of edges (tight at x) that alone keep x
    optimal: those whose implications the last max flows use. `costs`: node -> Convex.
    ValueError when `start` breaks an edge; ArithmeticError when the cost has no least
    value."""
    x = list(start)
    if x[0] != 0:
        x = [value - x[0] for value in x]
    for u, v, w in edges:
        if x[v] - x[u] > w:
            raise ValueError(f"the starting point breaks x{v} - x{u} <= {w}")
    while True:
        best = None
        needed = set()
        for direction in (1, -1):
            chosen, gain, used = _best_move(num_nodes, edges, costs, x, direction)
            needed.update(used)
            if gain < 0 and (best is None or gain < best[1]):
                best = (chosen, gain, direction)
        if best is None:
            break
        chosen, _, direction = best
        length = None
        for v in chosen:
            cost = costs.get(v)
            if cost is not None:
                room = cost.linear_up(x[v]) if direction > 0 else cost.linear_down(x[v])
                if room is not None and (length is None or room < length):
                    length = room
        for u, v, w in edges:
            # the edge's slack shrinks when its head rises alone (up) or its tail sinks alone
            moving = (v in chosen and u not in chosen) if direction > 0 \
                else (u in chosen and v not in chosen)
            if moving:
                room = w - (x[v] - x[u])
                if length is None or room < length:
                    length = room
        if length is None:
            raise ArithmeticError("the cost has no least value over these constraints")
        assert length > 0
        for v in chosen:
            x[v] += direction * length
    value = sum(cost(x[v]) for v, cost in costs.items())
    return x, value, sorted(needed)


def _best_move(num_nodes, edges, costs, x, direction):
    """(S, gain, used) of the best unit move of a node set in `direction` (gain >= 0: none
    improves), with the edges whose implications its max flow used. The origin cannot move:
    its gain is unbounded (the flow through it names the edges that pin a node to it)."""
    implies = {}
    for k, (u, v, w) in enumerate(edges):
        if x[v] - x[u] == w:
            if direction > 0:
                implies.setdefault(v, []).append((u, k))     # v rises => u rises with it
            else:
                implies.setdefault(u, []).append((v, k))     # u sinks => v sinks with it
    gain = {}
    for v, cost in costs.items():
        if v != 0:
            g = cost.up(x[v]) if direction > 0 else cost.down(x[v])
            if g != 0:
                gain[v] = g
    if not any(g < 0 for g in gain.values()):
        return set(), 0, []
    gain[0] = 1 + sum(abs(g) for g in gain.values())
    return _min_closure(range(num_nodes), gain, implies)
