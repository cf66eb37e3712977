"""The witness finder of the emitting side: for a theory lemma, the rule and the witness that
docs/certificates.md ("The rules") defines, found from the lemma's own literals only.

    find(clause, atom_of, constraint=None) -> (rule, witness) | None

The disjunctive and cumulative theories say why they made a lemma when a proof is logged
(witness records: theories/global_ref.py, smtsched.certify.emit), and the emitter then asks
nothing here. For the rest (difference logic, pseudo-Boolean and cost lemmas, the global
clauses a theory has no record for), the finder re-derives it from the premises
(the negations of the clause's literals), the way Pumpkin's checker re-derives a labelled
inference (ConSol-Lab/Pumpkin, pumpkin-checker `inferences/time_table.rs`), and then names
the premises or the window and tasks that make the argument, in the witness shape the checker
reads. Every witness is checked here again, in exact arithmetic, before it is returned: a
lemma without one is left incomplete rather than given a wrong witness.

What the theories' explanations are (theories/*_ref.py and *.pyx), and the rule each gets:

* `cycle`: a negative cycle of the premises' own edges. Every difference-logic lemma
  (conflicts, reasons, root implications); also the rare global reason whose premises are
  inconsistent without the constraint (an edge-finding order the bounds already imply).
* `clique`, on the direct premise edges between tasks: the ordering cuts (the cumulative
  final check, timetable conflicts with `ordering_cuts`, the optimiser's Lowering.cut); each
  premise says "j starts before i ends" for a pair of the set.
* `energy`, with the bounds of the premises plus their completions (the doc's est/lst by
  shortest paths): the timetable at the first instant t where compulsory parts overload the
  capacity (window [t, t + 1]: pointwise conflicts, timetable filtering reasons); the overload
  sweep of windows [est, lct] with the tasks inside (disjunctive overload, edge finding through
  the completion of the negated ordering literal, the cumulative energy check); as a last
  resort, every window of the energetic reasoning.
* `clique`, on shortest paths of premises: tasks that overlap through chains of premises; among
  them the lemmas whose completed graph has a negative cycle through one completion (the pair
  of that completion overlaps both ways).

For a global lemma the energy and clique rules are tried before the cycle: their bounds search
meets a negative cycle on its way (then the cycle rule names it), while a cycle search first
would cost a Bellman-Ford on every global lemma, most of which have none.

Weights: Int weights are integers. A Real weight c with strictness is turned into one integer
c * L * M - strict (L: the lcm of the denominators, M: one more than the number of edges), which
orders simple cycles exactly as the doc's c - epsilon does; every cycle found is then summed
again exactly (Fractions and a strict count) before it is accepted.
"""
from collections import deque
from fractions import Fraction
from math import lcm

from ..core.specs import CostSpec, CumulativeSpec, DisjunctiveSpec, PseudoBooleanSpec
from . import witness_linear

__all__ = ["find", "reason_cycle", "walk_cycle"]

INT = "Int"

# How many candidate tasks an exact clique search looks at (a lemma has a few dozen at most).
_CLIQUE_LIMIT = 40


def find(clause, atom_of, constraint=None):
    """(rule, witness) for the lemma `clause` (DIMACS literals), or None.

    `atom_of(var)`: (sort, p, q, bound, strict) meaning x_p - x_q <= bound (< if strict), or
    None for a variable that is not a difference atom. `constraint`: None (difference logic),
    else the DisjunctiveSpec or CumulativeSpec whose theory made the lemma."""
    if isinstance(constraint, (CostSpec, PseudoBooleanSpec)):   # slack and cost
        return witness_linear.find(clause, atom_of, constraint)
    if constraint is None:
        cycle = _reason_cycle(clause, atom_of)
        if cycle is not None:
            return "cycle", {"cycle": cycle}
    premises = _premises(clause, atom_of)
    info = None if constraint is None else _Constraint.of(constraint)
    edges = premises.get(INT, ())
    if info is not None:
        # the global rules first: their bounds search finds a negative cycle on its way (and
        # then the cycle rule below names it), while looking for a cycle first would cost a
        # Bellman-Ford over every global lemma, most of which have none
        completed = info.complete(edges)
        found = _direct_clique(info, edges) or _energy(info, completed)
        if found is not None:
            return found
    for sort, sorted_edges in premises.items():
        cycle = _cycle(sort, sorted_edges)
        if cycle is not None:
            return "cycle", {"cycle": cycle}
    if info is not None:
        return _clique(info, edges, paths=True) or _completed_cycle(info, edges, completed)
    return None


# -- premises --------------------------------------------------------------------------------

def _premises(clause, atom_of):
    """{sort: [(u, v, weight, strict, index)]}: premise `index` (the negation of clause[index])
    is the edge u -> v meaning x_v - x_u <= weight (< if strict). Int weights are Python ints
    (a witness's window is computed from them and goes to JSON)."""
    cache = _edge_cache(atom_of)
    ints = []
    out = {INT: ints}
    index = -1
    for lit in clause:
        index += 1
        edge = cache[lit]
        if edge is None:
            continue
        sort, u, v, weight, strict = edge
        if sort == INT:
            ints.append((u, v, weight, False, index))
        else:
            out.setdefault(sort, []).append((u, v, weight, strict, index))
    return out


# The premise edges of the literals met with the last `atom_of`: a certificate's lemmas reuse
# the same atoms again and again (ft10's 101,742 lemmas hold a few thousand distinct
# literals), and turning a literal into its edge cost a sixth of the finder's time. Keyed by
# the identity of `atom_of` (held here, so it cannot be collected and its id reused): the
# emitter passes one `atom_of` for all lemmas of a certificate.
class _Edges(dict):
    """literal -> its premise edge (see _edge), computed on first use."""

    def __init__(self, atom_of):
        super().__init__()
        self.atom_of = atom_of

    def __missing__(self, lit):
        edge = self[lit] = _edge(lit, self.atom_of)
        return edge


_edges_seen = [_Edges(None)]


def _edge_cache(atom_of):
    cache = _edges_seen[0]
    if cache.atom_of is not atom_of:
        cache = _edges_seen[0] = _Edges(atom_of)
    return cache


def _edge(lit, atom_of):
    """(sort, u, v, weight, strict) of the premise -lit (see _premises), or None when lit's
    variable is not a difference atom."""
    atom = atom_of(lit if lit > 0 else -lit)
    if atom is None:
        return None
    sort, p, q, bound, strict = atom
    if sort == INT:
        if type(bound) is not int:
            bound = int(bound)
        if strict:  # x < b over Int is x <= b - 1 (the doc writes no strict Int atoms)
            bound -= 1
        if lit < 0:   # the atom holds: x_p - x_q <= bound
            return INT, q, p, bound, False
        return INT, p, q, -bound - 1, False   # it fails: x_q - x_p <= -bound - 1
    if lit < 0:
        return sort, q, p, Fraction(bound), bool(strict)
    # fails: x_q - x_p < -bound (<= -bound when the atom was strict)
    return sort, p, q, -Fraction(bound), not strict


# -- negative cycles -------------------------------------------------------------------------

def _cycle(sort, edges):
    """The premise indices of a negative cycle among `edges`, in cycle order, or None.

    A difference lemma's premises are one cycle (a conflict) or a path closed by the negated
    implied literal (a reason): every node has one edge out, and walking them finds the cycle
    in linear time (`_functional_cycle`). Other graphs go to `_negative_cycle`."""
    if not edges:
        return None
    positions = _clause_order_cycle(edges)
    if positions is not None:
        found = _exact(edges, positions)
        if found is not None:
            return found
    first = {}
    for position, edge in enumerate(edges):
        if edge[0] in first:
            break
        first[edge[0]] = position
    else:
        positions = _functional_cycle(first, edges)
        return None if positions is None else _exact(edges, positions)
    nodes = {}
    compact = []
    if sort == INT:
        for u, v, w, _, index in edges:
            compact.append((nodes.setdefault(u, len(nodes)), nodes.setdefault(v, len(nodes)),
                            w, index))
    else:
        scale = 1
        for _, _, w, _, _ in edges:
            scale = lcm(scale, w.denominator)
        separation = len(edges) + 1
        for u, v, w, strict, index in edges:
            weight = int(w * scale) * separation - (1 if strict else 0)
            compact.append((nodes.setdefault(u, len(nodes)), nodes.setdefault(v, len(nodes)),
                            weight, index))
    positions = _negative_cycle(len(nodes), compact)
    return None if positions is None else _exact(edges, positions)


def _reason_cycle(clause, atom_of):
    """The cycle witness of a difference lemma written as DifferenceLogic.explain writes it,
    positions 0, n-1, ..., 1 (see reason_cycle), or None for any other shape (the general
    search then decides)."""
    return [0, *range(len(clause) - 1, 0, -1)] if reason_cycle(clause, atom_of) else None


def reason_cycle(clause, atom_of):
    """Whether the premises of `clause` (DIMACS literals), in the order 0, n-1, ..., 1, are a
    negative cycle over atoms of one sort: a lemma as DifferenceLogic.explain writes it, [lit,
    path from the target back to the source] (la16: 2,005 of 2,469 difference lemmas). One
    pass over the cached edges: most of a certificate's lemmas are these, and the general
    path cost three times as much per lemma. `atom_of` as for `find`."""
    n = len(clause)
    if n < 2:
        return False
    edges = _edge_cache(atom_of)
    first = edges[clause[0]]
    if first is None:
        return False
    sort = first[0]
    head = first[2]
    total = first[3]
    strict = first[4]
    for k in range(n - 1, 0, -1):
        edge = edges[clause[k]]
        if edge is None or edge[1] != head or edge[0] != sort:
            return False
        head = edge[2]
        total += edge[3]
        strict = strict or edge[4]
    return head == first[1] and (total < 0 or (total == 0 and strict))


def walk_cycle(clause, atom_of):
    """The positions of `clause`'s premises in cycle order, from position 0, when they are one
    negative cycle over atoms of one sort with one edge out of each node (a difference
    conflict: the theory lists its edges in the order it split the path, not along it), else
    None. Linear, without the general search's premise records."""
    n = len(clause)
    if n < 2:
        return None
    edges = _edge_cache(atom_of)
    out = {}
    sort = None
    k = 0
    for lit in clause:
        edge = edges[lit]
        if edge is None or edge[1] in out or (sort is not None and edge[0] != sort):
            return None
        sort = edge[0]
        out[edge[1]] = k
        k += 1
    start = edges[clause[0]][1]
    positions = []
    total = 0
    strict = False
    k = 0
    while True:
        edge = edges[clause[k]]
        positions.append(k)
        total += edge[3]
        strict = strict or edge[4]
        node = edge[2]
        if node == start:
            break
        k = out.get(node)
        if k is None or len(positions) == n:
            return None
    if len(positions) != n or not (total < 0 or (total == 0 and strict)):
        return None
    return positions


def _clause_order_cycle(edges):
    """The positions of `edges` as one closed walk in the order the theory wrote them, or
    None. A difference reason is [lit, path...] (DifferenceLogic.explain): the premise of lit
    closes its path, which the theory lists from the target back (seen on la16: 2,005 of 2,469
    lemmas), rarely forwards; a linear test before the general search."""
    n = len(edges)
    if n < 2:
        return None
    head = edges[0][1]
    for k in range(n - 1, 0, -1):   # 0, n-1, ..., 1
        edge = edges[k]
        if edge[0] != head:
            break
        head = edge[1]
    else:
        if head == edges[0][0]:
            return [0, *range(n - 1, 0, -1)]
    head = edges[0][1]
    for k in range(1, n):            # 0, 1, ..., n-1
        edge = edges[k]
        if edge[0] != head:
            return None
        head = edge[1]
    return list(range(n)) if head == edges[0][0] else None


def _exact(edges, positions):
    """The premise indices of the cycle `positions` if its exact weight is negative (or zero
    with a strict edge), else None."""
    total, strict = 0, False
    for position in positions:
        _, _, w, s, _ = edges[position]
        total += w
        strict = strict or s
    if total < 0 or (total == 0 and strict):
        return [edges[position][4] for position in positions]
    return None


def _functional_cycle(first, edges):
    """Positions of a cycle of a graph with at most one edge out of each node (`first`: node
    -> the position of its edge), negative by the edges' own weights (exact: Int weights, or
    Fractions with strictness for Real), or None."""
    mark = {}
    for start in first:
        if start in mark:
            continue
        v = start
        while v in first and v not in mark:
            mark[v] = start
            v = edges[first[v]][1]
        if mark.get(v) == start:
            cycle = []
            x = v
            while True:
                position = first[x]
                cycle.append(position)
                x = edges[position][1]
                if x == v:
                    break
            if _exact(edges, cycle) is not None:
                return cycle
    return None


def _negative_cycle(n, edges):
    """Positions in `edges` ((u, v, w, _) on nodes 0..n-1, integer weights) of a negative
    cycle, in cycle order, or None: a queue-based Bellman-Ford (SPFA) from a virtual source at
    distance 0 to every node, which looks for a cycle in the parent graph (any cycle there is
    negative) whenever some path has n edges or more (then a negative cycle exists: the
    relaxations along that path strictly lowered each repeated node)."""
    out = [[] for _ in range(n)]
    for position, (u, v, w, _) in enumerate(edges):
        out[u].append((v, w, position))
    dist = [0] * n
    parent = [-1] * n
    length = [0] * n
    queued = [True] * n
    queue = deque(range(n))
    budget = n * len(edges) + n   # Bellman-Ford's bound on useful relaxations
    while queue:
        u = queue.popleft()
        queued[u] = False
        du = dist[u]
        for v, w, position in out[u]:
            d = du + w
            if d < dist[v]:
                dist[v] = d
                parent[v] = position
                length[v] = length[u] + 1
                budget -= 1
                if length[v] >= n or budget < 0:
                    found = _parent_cycle(n, parent, edges)
                    if found is not None:
                        return found
                    length[v] = 0
                    if budget < -n * len(edges):   # pragma: no cover - cannot happen
                        return None
                if not queued[v]:
                    queued[v] = True
                    queue.append(v)
    return None


def _parent_cycle(n, parent, edges):
    mark = [0] * n
    for start in range(n):
        if mark[start]:
            continue
        stamp = start + 1
        v = start
        while v >= 0 and not mark[v]:
            mark[v] = stamp
            position = parent[v]
            v = edges[position][0] if position >= 0 else -1
        if v >= 0 and mark[v] == stamp:
            cycle = []
            x = v
            while True:
                position = parent[x]
                cycle.append(position)
                x = edges[position][0]
                if x == v:
                    break
            cycle.reverse()
            total = 0
            for position in cycle:
                total += edges[position][2]
            if total < 0:
                return cycle
    return None


# -- the constraint ----------------------------------------------------------------------------

class _Constraint:
    """A disjunctive or cumulative constraint as the rules see it: tasks (node, p, d) and the
    capacity (a disjunctive one has capacity 1 and demands 1), tasks by node."""

    _cache = {}

    __slots__ = ("spec", "tasks", "capacity", "at_node")

    @classmethod
    def of(cls, spec):
        entry = cls._cache.get(id(spec))
        if entry is not None and entry.spec is spec:
            return entry
        if isinstance(spec, DisjunctiveSpec):
            rows = [(int(t.node), int(t.duration), 1) for t in spec.tasks]
            capacity = 1
        elif isinstance(spec, CumulativeSpec):
            rows = [(int(t.node), int(t.duration), int(t.demand)) for t in spec.tasks]
            capacity = spec.capacity
        else:
            return None  # a cost or pseudo-Boolean constraint: rules still to come
        entry = cls()
        entry.spec = spec
        entry.tasks = rows
        entry.capacity = int(capacity)
        entry.at_node = {}
        for k, (node, p, d) in enumerate(rows):
            entry.at_node.setdefault(node, []).append(k)
        if len(cls._cache) > 256:
            cls._cache.clear()
        cls._cache[id(spec)] = entry
        return entry

    def apart(self, i, j):
        """Whether tasks i and j cannot run at the same time (the doc's completion pairs)."""
        _, p_i, d_i = self.tasks[i]
        _, p_j, d_j = self.tasks[j]
        return i != j and p_i > 0 and p_j > 0 and d_i + d_j > self.capacity

    def complete(self, edges):
        """The Int premise edges with their completions: an edge x_i - x_j <= w with w < p_j
        between tasks i, j that cannot overlap also gives x_i - x_j <= -p_i, an edge on the
        same two nodes in the same direction; the stronger weight is kept (the index stays the
        premise's, for the clique fallback). Returns [(u, v, w, False, index)]."""
        at_node = self.at_node
        tasks = self.tasks
        out = []
        for edge in edges:
            u, v, w, _, index = edge
            best = w
            to_tasks = at_node.get(v)
            from_tasks = at_node.get(u) if to_tasks else None
            if from_tasks:
                for j in from_tasks:
                    if w >= tasks[j][1]:
                        continue
                    for i in to_tasks:
                        if self.apart(i, j) and -tasks[i][1] < best:
                            best = -tasks[i][1]
            out.append((u, v, best, False, index) if best != w else edge)
        return out


def _completed_cycle(info, edges, completed):
    """The last resort: a negative cycle that needs two completions or more (none was seen
    in the benchmarks' lemmas; one completion is the clique of its pair). The doc counts a
    negative cycle of the completed graph as valid for the global rules, whatever the window,
    so it is stated as an `energy` witness over the tasks of the completions on the cycle and
    the unit window [0, 1]. (docs/certificates.md could say it directly, as a `cycle` whose
    edges are the premises' completed edges: see the issue 15 report.)"""
    cycle = _cycle(INT, completed)
    if cycle is None:
        return None
    tasks = info.tasks
    at_node = info.at_node
    named = set()
    by_index = {edge[4]: edge for edge in edges}
    for index in cycle:
        u, v, w, _, _ = by_index[index]
        for j in at_node.get(u, ()):
            for i in at_node.get(v, ()):
                if info.apart(i, j) and w < tasks[j][1]:
                    named.update((i, j))
    return "energy", {"window": [0, 1], "tasks": sorted(named)}


# -- clique --------------------------------------------------------------------------------------

def _direct_clique(info, edges):
    """The ordering cuts' `clique`: direct premise edges "j starts before i ends" both ways
    between the tasks of each pair (a quick test first: some pair has both)."""
    at_node = info.at_node
    pairs = set()
    both = False
    for u, v, _, _, _ in edges:
        if u != v and u in at_node and v in at_node:
            pairs.add((u, v))
            if (v, u) in pairs:
                both = True
    if not both and not any(len(at_node[u]) > 1 for u, _ in pairs):
        return None
    return _clique(info, edges, paths=False)


def _clique(info, edges, paths):
    """A `clique` witness: tasks that pairwise start before the other ends, by the premises
    (direct edges only, or shortest paths), with demands above the capacity."""
    tasks = info.tasks
    at_node = info.at_node
    relevant = set()
    for u, v, _, _, _ in edges:
        if u in at_node:
            relevant.add(u)
        if v in at_node:
            relevant.add(v)
    if not relevant:
        return None
    if paths:
        distance = _distances(relevant, edges)
    else:
        distance = {}
        for u, v, w, _, _ in edges:
            if u in at_node and v in at_node and u != v:
                key = (u, v)
                if key not in distance or w < distance[key]:
                    distance[key] = w
    candidates = [k for node in relevant for k in at_node[node]
                  if tasks[k][1] > 0 and tasks[k][2] > 0]
    if sum(tasks[k][2] for k in candidates) <= info.capacity:
        return None

    def overlap(i, j):
        node_i, p_i, _ = tasks[i]
        node_j, p_j, _ = tasks[j]
        if node_i == node_j:
            return True
        d_ij = distance.get((node_i, node_j))
        d_ji = distance.get((node_j, node_i))
        return d_ij is not None and d_ji is not None and d_ij <= p_i - 1 and d_ji <= p_j - 1

    neighbours = {k: set() for k in candidates}
    for a in range(len(candidates)):
        i = candidates[a]
        for b in range(a + 1, len(candidates)):
            j = candidates[b]
            if overlap(i, j):
                neighbours[i].add(j)
                neighbours[j].add(i)
    candidates = [k for k in candidates if neighbours[k]]
    capacity = info.capacity
    demand = {k: tasks[k][2] for k in candidates}
    candidates.sort(key=lambda k: (-demand[k], k))
    # greedy from every start (the cut's own set is usually the whole candidate list)
    for start in candidates:
        chosen = [start]
        total = demand[start]
        for k in candidates:
            if k != start and all(k in neighbours[c] for c in chosen):
                chosen.append(k)
                total += demand[k]
                if total > capacity:
                    return "clique", {"tasks": sorted(chosen)}
    if len(candidates) > _CLIQUE_LIMIT:
        return None
    best = _heaviest_clique(candidates, neighbours, demand, capacity)
    if best is None:
        return None
    return "clique", {"tasks": sorted(best)}


def _heaviest_clique(candidates, neighbours, demand, capacity, budget=20000):
    """A clique of total demand above `capacity` (branch and bound over small sets), or None
    (also when `budget` search nodes did not settle it: no witness rather than a stall)."""
    left = [budget]

    def grow(chosen, total, rest):
        if total > capacity:
            return chosen
        left[0] -= 1
        if left[0] < 0 or total + sum(demand[k] for k in rest) <= capacity:
            return None
        for position, k in enumerate(rest):
            found = grow(chosen + [k], total + demand[k],
                         [j for j in rest[position + 1:] if j in neighbours[k]])
            if found is not None:
                return found
        return None
    return grow([], 0, candidates)


def _distances(sources, edges):
    """{(s, v): shortest distance} from every node of `sources` (Bellman-Ford, Int edges)."""
    out = {}
    adjacency = edges
    for s in sources:
        dist = {s: 0}
        for _ in range(len(edges) + 1):
            changed = False
            for u, v, w, _, _ in adjacency:
                du = dist.get(u)
                if du is None:
                    continue
                d = du + w
                dv = dist.get(v)
                if dv is None or d < dv:
                    dist[v] = d
                    changed = True
            if not changed:
                break
        else:
            return {}  # a negative cycle reachable from s: no shortest paths
        for v, d in dist.items():
            out[(s, v)] = d
    return out


# -- energy ----------------------------------------------------------------------------------

def _bounds(edges):
    """(ahead, back): shortest distances from the origin and to it in the graph `edges`
    ({node: distance}, reachable nodes only), or None when a negative cycle is on the way."""
    out = {}
    into = {}
    for u, v, w, _, _ in edges:
        arcs = out.get(u)
        if arcs is None:
            out[u] = [(v, w)]
        else:
            arcs.append((v, w))
        arcs = into.get(v)
        if arcs is None:
            into[v] = [(u, w)]
        else:
            arcs.append((u, w))
    n = len(out.keys() | into.keys() | {0})
    ahead = _shortest(out, n)
    if ahead is None:
        return None
    back = _shortest(into, n)
    if back is None:
        return None
    return ahead, back


def _shortest(adjacency, n):
    """{node: distance} from node 0 of the nodes it reaches (adjacency: {node: [(v, w)]}), by
    SPFA, or None on a negative cycle (a path of n edges: its relaxations strictly decreased
    each repeated node)."""
    dist = {0: 0}
    length = {0: 0}
    queued = {0}
    queue = deque((0,))
    while queue:
        u = queue.popleft()
        queued.discard(u)
        arcs = adjacency.get(u)
        if arcs is None:
            continue
        du = dist[u]
        lu = length[u] + 1
        for v, w in arcs:
            d = du + w
            dv = dist.get(v)
            if dv is None or d < dv:
                dist[v] = d
                if lu >= n:
                    return None
                length[v] = lu
                if v not in queued:
                    queued.add(v)
                    queue.append(v)
    return dist


def _energy(info, completed):
    """An `energy` witness from the bounds of the completed premise graph, or None."""
    if not completed:
        return None
    bounds = _bounds(completed)
    if bounds is None:
        # the completed graph is inconsistent: the doc counts that as valid for the global
        # rules, but say it with a witness that does not lean on it (the clique of a pair)
        return None
    ahead, back = bounds     # x_v - x_0 <= ahead[v] (lst), x_0 - x_v <= back[v] (est = -back)
    rows = []   # (k, est, lst, p, d) of the tasks with both bounds finite
    tasks = info.tasks
    for node, ks in info.at_node.items():
        if node in ahead and node in back:
            for k in ks:
                _, p, d = tasks[k]
                if p > 0 and d > 0:
                    rows.append((k, -back[node], ahead[node], p, d))
    if not rows:
        return None
    capacity = info.capacity
    return (_timetable(rows, capacity) or _overload(rows, capacity)
            or _energetic(rows, capacity))


def _witness(rows, capacity, a, b):
    """The energy witness of window [a, b] over `rows` if it overloads, else None (the doc's
    formula, recomputed: only tasks with a positive least energy inside are named)."""
    if b <= a:
        return None
    width = b - a
    total = 0
    named = []
    for k, est, lst, p, d in rows:
        inside = min(width, p, est + p - a, b - lst)
        if inside > 0:
            total += d * inside
            named.append(k)
    if total > capacity * width:
        return "energy", {"window": [a, b], "tasks": sorted(named)}
    return None


def _timetable(rows, capacity):
    """Window [t, t + 1] at the first instant t where compulsory parts [lst, est + p) stack
    above the capacity."""
    events = {}
    for _, est, lst, p, d in rows:
        if lst < est + p:
            events[lst] = events.get(lst, 0) + d
            events[est + p] = events.get(est + p, 0) - d
    load = 0
    for t in sorted(events):
        load += events[t]
        if load > capacity:
            return _witness(rows, capacity, t, t + 1)
    return None


def _overload(rows, capacity):
    """Windows [a, b] with a an est and b an lct, and the tasks wholly inside (Vilim's sweep:
    for each b, tasks by decreasing est)."""
    for b in sorted({lst + p for _, _, lst, p, _ in rows}):
        inside = sorted((r for r in rows if r[2] + r[3] <= b), key=lambda r: -r[1])
        energy = 0
        for position, (_, est, _, p, d) in enumerate(inside):
            energy += p * d
            if position + 1 < len(inside) and inside[position + 1][1] == est:
                continue
            if energy > capacity * (b - est):
                return _witness(rows, capacity, est, b)
    return None


def _energetic(rows, capacity):
    """Every window of the energetic reasoning: a from the ests and lsts, b from the ects and
    lcts (the points where the least energy inside changes slope)."""
    starts = sorted({r[1] for r in rows} | {r[2] for r in rows})
    ends = sorted({r[1] + r[3] for r in rows} | {r[2] + r[3] for r in rows})
    for a in starts:
        for b in ends:
            if b > a:
                found = _witness(rows, capacity, a, b)
                if found is not None:
                    return found
    return None
