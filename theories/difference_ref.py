"""Difference logic, pure-Python reference: the oracle twin of ``theories/difference.pyx``.

Class
    `DifferenceLogic`: an integer difference-logic theory driven through the engine<->theory
    contract written down in `smtsched.theory` (assign, new_level, backtrack, propagate,
    conflict, explain, final_check, statistics), plus the set-up calls `add_atom`, `observed`
    and the model read-out `potentials`.

What it models
    Each atom is a SAT variable ``var`` that selects one of two complementary edges of a
    constraint graph over integer nodes ``0..num_nodes-1`` (node 0 is the origin ``zero``):
    ``var`` true selects ``u -> v`` with weight ``w_true`` (``x_v - x_u <= w_true``) and
    ``var`` false selects ``v -> u`` with weight ``w_false`` (``x_u - x_v <= w_false``).
    The edges selected by the currently assigned atoms are the *active* edges. They are
    satisfiable over the integers exactly when the active graph has no negative cycle; a
    difference ``x_b - x_a <= w`` is implied by them exactly when the shortest active path from
    ``a`` to ``b`` weighs at most ``w`` (both are the classical facts about difference
    constraints and shortest paths).

Why it exists and how it differs from the fast twin
    The Cython twin (``theories/difference.pyx``) keeps an all-pairs shortest-path matrix (exact
    through the origin's row and column, the other cells only where they beat the path through
    the origin) and updates it incrementally as each edge arrives, detecting negative cycles on
    insertion (the minimal cycle explanations of Cotton & Maler, "Fast and Flexible Difference
    Constraint Propagation for DPLL(T)", SAT 2006) and explaining propagations lazily. This
    module deliberately does none of that: every `propagate` and `final_check` recomputes
    everything from scratch over the list of active edges, so that it is simple enough to be
    obviously correct and independent enough to catch the fast twin's mistakes. It is slow on
    purpose (cubic and worse); use it on small instances only. Exact Python integers throughout.

Algorithms (all written here, from the textbook definitions)
    * Consistency: Bellman-Ford (Bellman 1958; Ford 1956) from a virtual source joined to every
      node by a 0-weight edge: with ``n`` real nodes the virtual graph has ``n + 1`` vertices, so
      if any edge still relaxes after ``n`` rounds there is a negative cycle.
    * Conflict explanation: a negative cycle with the fewest edges, found by a layered
      (hop-bounded) Bellman-Ford recurrence ``best[k][t] = min over edges (s -> t, w) of
      best[k-1][s] + w``, i.e. the minimum weight of a walk with exactly ``k`` edges, from every
      start node, for ``k = 1, 2, ...``. A negative closed walk with the fewest edges over all
      start nodes is a simple cycle: if it repeated a node it would split into two shorter
      closed walks, one of them negative. So no predecessor-graph subtleties are involved.
    * Theory propagation and its explanations: single-source Bellman-Ford from the source of
      each candidate edge, recording for every node the edge that last strictly improved it.
      Without negative cycles that predecessor graph is a shortest-path tree (Cormen et al.,
      "Introduction to Algorithms", Lemma 24.16/24.17), so the explanation of an implied edge
      ``a -> b`` is the tree path from ``a`` to ``b``. (Floyd-Warshall would give the same
      distances; per-source Bellman-Ford is used because parallel edges with different literals
      make edge-level path reconstruction simplest from a predecessor *edge* per node.)
    * Model: the Bellman-Ford distances from the virtual source are potentials satisfying every
      active edge; they are shifted so that ``x[0] == 0``.

Contract choices the fast twin must match (where `smtsched.theory` leaves room)
    * `propagate` returns literals sorted by ``(abs(lit), lit)`` (the fast twin sorts by
      variable too); a literal is returned at most once until the level at which it was
      returned is undone.
    * A conflict clause negates the literals of a fewest-edges negative cycle, in cycle order
      from the cycle's smallest start node. An atom assigned both ways (an engine inconsistency)
      is reported first, as ``[-first_assigned, -second_assigned]``.
    * Fixed literals stay assigned across every backtrack, whatever level they arrived at.
    * Explanations are computed eagerly here when a literal is returned and kept (a theory
      lemma stays valid; the fast twin searches lazily among the edges active at propagation
      time); `explain` of a literal never returned raises KeyError.
    * `final_check` with an unassigned owned atom raises RuntimeError (a contract breach).

Self-checks
    Every cycle reported as a conflict is re-summed and checked to be negative and simple, and
    every explanation path is checked to be a connected path no heavier than the bound, before
    either is handed out (as Z3's ``traverse_neg_cycle2`` does). A failed check raises
    `RuntimeError` rather than using ``assert``, because an oracle that is wrong must fail
    loudly even under ``python -O``.
"""

from __future__ import annotations

import operator
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from smtsched.theory import Theory

__all__ = [
    "DifferenceLogic",
    "Edge",
    "feasible_potentials",
    "fewest_edges_negative_cycle",
    "has_negative_cycle",
    "shortest_path_tree",
    "tree_path",
]


class Edge(NamedTuple):
    """One directed edge ``source -> target`` meaning ``x_target - x_source <= weight``.

    ``literal`` is the SAT literal whose truth activates the edge.
    """

    source: int
    target: int
    weight: int
    literal: int


# ---------------------------------------------------------------------------------------------
# Graph algorithms: they know only nodes and edges, nothing about SAT levels or the contract.
# ---------------------------------------------------------------------------------------------


def _check_invariant(condition: bool, message: str) -> None:
    """Raise RuntimeError when a self-check fails (not `assert`: it must survive ``python -O``)."""
    if not condition:
        raise RuntimeError("difference_ref internal check failed: " + message)


def has_negative_cycle(num_nodes: int, edges: Sequence[Edge]) -> bool:
    """Whether the graph on nodes ``0..num_nodes-1`` with `edges` contains a negative cycle.

    Pre: every edge joins nodes in range. Post: True exactly when some cycle weighs < 0.
    Bellman-Ford from a virtual source with a 0-weight edge to every node: starting every
    distance at 0 is the same as having relaxed those virtual edges once. The virtual graph has
    ``num_nodes + 1`` vertices, so without a negative cycle all distances are final after
    ``num_nodes`` rounds; an edge that still relaxes in round ``num_nodes + 1`` proves a cycle.
    """
    distance = [0] * num_nodes
    for _round in range(num_nodes + 1):
        changed = False
        for edge in edges:
            candidate = distance[edge.source] + edge.weight
            if candidate < distance[edge.target]:
                distance[edge.target] = candidate
                changed = True
        if not changed:
            return False
    return True


def fewest_edges_negative_cycle(num_nodes: int, edges: Sequence[Edge]) -> List[Edge]:
    """A negative cycle of the graph with as few edges as possible, as its edges in cycle order.

    Pre: the graph has a negative cycle (see `has_negative_cycle`).
    Post: the returned edges form a simple cycle (each edge's target is the next edge's source,
    the last edge's target is the first edge's source, no node repeats) of negative total
    weight, and no negative cycle has fewer edges. Ties are broken deterministically: the
    smallest start node, then the earliest edges in `edges` order.

    Why this is correct: ``best[k][t]`` below is the minimum weight of a walk with exactly ``k``
    edges from the start node to ``t`` (the hop-bounded Bellman-Ford recurrence). We look for
    the smallest ``k`` such that some start node has a negative closed walk of ``k`` edges. Such
    a walk is a simple cycle: a repeated node would split it into two closed walks with fewer
    edges whose weights add up to a negative number, so one of them would be a negative closed
    walk with fewer than ``k`` edges, contradicting the choice of ``k``.
    """
    best_length: Optional[int] = None
    best_cycle: List[Edge] = []
    for start in range(num_nodes):
        # layers[k][t] = (weight, index of the last edge) of the lightest k-edge walk start->t.
        layers: List[List[Optional[Tuple[int, int]]]] = [[None] * num_nodes]
        layers[0][start] = (0, -1)
        # A simple cycle has at most num_nodes edges; a cycle no shorter than the best found
        # so far cannot improve on it (ties keep the smaller start node).
        limit = num_nodes if best_length is None else best_length - 1
        for length in range(1, limit + 1):
            previous = layers[-1]
            current: List[Optional[Tuple[int, int]]] = [None] * num_nodes
            for index, edge in enumerate(edges):
                reached = previous[edge.source]
                if reached is None:
                    continue
                candidate = reached[0] + edge.weight
                held = current[edge.target]
                if held is None or candidate < held[0]:
                    current[edge.target] = (candidate, index)
            layers.append(current)
            closing = current[start]
            if closing is not None and closing[0] < 0:
                best_length = length
                best_cycle = _walk_back(layers, edges, start, start, length)
                break
    _check_invariant(best_length is not None, "no negative cycle although one was detected")
    _check_cycle(best_cycle)
    return best_cycle


def _walk_back(
    layers: List[List[Optional[Tuple[int, int]]]],
    edges: Sequence[Edge],
    start: int,
    end: int,
    length: int,
) -> List[Edge]:
    """The ``length``-edge walk from `start` to `end` recorded in `layers`, in walk order.

    Pre: ``layers[length][end]`` is set and the layers were computed from `start`.
    """
    walk: List[Edge] = []
    node = end
    for layer in range(length, 0, -1):
        entry = layers[layer][node]
        _check_invariant(entry is not None, "broken layered walk")
        edge = edges[entry[1]]
        walk.append(edge)
        node = edge.source
    _check_invariant(node == start, "layered walk does not begin at its start node")
    walk.reverse()
    return walk


def _check_cycle(cycle: Sequence[Edge]) -> None:
    """Check that `cycle` is a simple, closed, negative cycle (the conflict certificate)."""
    _check_invariant(len(cycle) >= 1, "empty cycle")
    sources = [edge.source for edge in cycle]
    _check_invariant(len(set(sources)) == len(sources), "cycle repeats a node")
    for position, edge in enumerate(cycle):
        following = cycle[(position + 1) % len(cycle)]
        _check_invariant(edge.target == following.source, "cycle edges are not connected")
    _check_invariant(sum(edge.weight for edge in cycle) < 0, "cycle is not negative")


def shortest_path_tree(
    num_nodes: int, edges: Sequence[Edge], source: int
) -> Tuple[List[Optional[int]], List[Optional[Edge]]]:
    """Shortest distances from `source` and, per node, the last edge of one shortest path.

    Pre: the graph has no negative cycle.
    Post: ``distance[t]`` is the weight of a shortest path source->t (None when t is
    unreachable; ``distance[source] == 0``); ``parent[t]`` is the last edge of such a path
    (None for the source and unreachable nodes). Distances only change on strict improvement,
    so the parents form a tree rooted at `source` (CLRS Lemma 24.16) and following them from
    any reachable node gives a simple shortest path.
    """
    distance: List[Optional[int]] = [None] * num_nodes
    parent: List[Optional[Edge]] = [None] * num_nodes
    distance[source] = 0
    # A shortest path has at most num_nodes - 1 edges, so num_nodes - 1 rounds suffice; one more
    # round is allowed so that the final round can confirm that nothing changes.
    for _round in range(num_nodes):
        changed = False
        for edge in edges:
            reached = distance[edge.source]
            if reached is None:
                continue
            candidate = reached + edge.weight
            held = distance[edge.target]
            if held is None or candidate < held:
                distance[edge.target] = candidate
                parent[edge.target] = edge
                changed = True
        if not changed:
            return distance, parent
    _check_invariant(False, "shortest paths did not converge: a negative cycle is present")
    raise AssertionError("unreachable")  # pragma: no cover - _check_invariant raised


def tree_path(parent: Sequence[Optional[Edge]], source: int, target: int) -> List[Edge]:
    """The path source->target in the shortest-path tree `parent`, edges in path order.

    Pre: `target` is reachable from `source` in the tree. Post: a simple path.
    """
    path: List[Edge] = []
    node = target
    while node != source:
        edge = parent[node]
        _check_invariant(edge is not None, "tree path leaves the tree")
        path.append(edge)
        node = edge.source
        _check_invariant(len(path) <= len(parent), "tree path loops")
    path.reverse()
    return path


def feasible_potentials(num_nodes: int, edges: Sequence[Edge]) -> List[int]:
    """Integers ``x`` with ``x[0] == 0`` and ``x[e.target] - x[e.source] <= e.weight`` for all e.

    Pre: no negative cycle. Post: as stated (checked before returning).
    The distances from a virtual source with 0-weight edges to every node satisfy every edge
    (the triangle inequality of shortest paths); subtracting ``distance[0]`` from all of them
    keeps every difference and puts the origin at 0.
    """
    distance = [0] * num_nodes
    for _round in range(num_nodes + 1):
        changed = False
        for edge in edges:
            candidate = distance[edge.source] + edge.weight
            if candidate < distance[edge.target]:
                distance[edge.target] = candidate
                changed = True
        if not changed:
            break
    else:
        _check_invariant(False, "potentials requested for a graph with a negative cycle")
    origin = distance[0] if num_nodes else 0
    potentials = [value - origin for value in distance]
    for edge in edges:
        _check_invariant(
            potentials[edge.target] - potentials[edge.source] <= edge.weight,
            "potentials violate an edge",
        )
    return potentials


# ---------------------------------------------------------------------------------------------
# The theory: atoms, trail, levels and the contract of smtsched.theory.
# ---------------------------------------------------------------------------------------------


class _Atom(NamedTuple):
    """An atom as given to `add_atom`: var true is u->v (w_true), var false is v->u (w_false)."""

    u: int
    v: int
    weight_true: int
    weight_false: int


class _Assignment:
    """One entry of the theory's trail: a literal assigned at a decision level."""

    __slots__ = ("literal", "level", "fixed")

    def __init__(self, literal: int, level: int, fixed: bool) -> None:
        self.literal = literal
        self.level = level
        self.fixed = fixed


class DifferenceLogic(Theory):
    """Integer difference logic, recomputed from scratch at every check (the reference twin).

    State, all plain Python containers:
      * ``_atoms`` / ``_variables``: the atoms by variable, and the variables in the order added.
      * ``_trail``: the assignments in trail order. Normally one entry per assigned atom; if an
        atom is assigned both ways (an engine inconsistency) it holds both entries, and then
        both complementary edges are active, which is a negative 2-cycle since
        ``w_true + w_false < 0``.
      * ``_level``: the current decision level.
      * ``_returned``: literal -> level at which `propagate` returned it (forgotten when that
        level is undone), so that a literal is returned at most once per level lifetime.
      * ``_explanations``: literal -> the explanation clause computed when it was returned.
      * ``_conflict`` / ``_in_conflict``: the last conflict clause, and whether `propagate`
        must answer ``[]`` until the next `backtrack`.
    """

    def __init__(self, num_nodes: int) -> None:
        """Pre: ``num_nodes >= 1`` (node 0 is the origin). Post: no atoms, level 0."""
        num_nodes = operator.index(num_nodes)
        if num_nodes < 1:
            raise ValueError(f"num_nodes must be at least 1 (node 0 is the origin), got {num_nodes}")
        self._num_nodes = num_nodes
        self._atoms: Dict[int, _Atom] = {}
        self._variables: List[int] = []
        self._trail: List[_Assignment] = []
        self._level = 0
        self._returned: Dict[int, int] = {}
        self._explanations: Dict[int, List[int]] = {}
        self._conflict: List[int] = []
        self._in_conflict = False
        self._statistics: Dict[str, int] = {
            "dl_assignments": 0,
            "dl_propagations": 0,
            "dl_conflicts": 0,
            "dl_conflict_literals": 0,
            "dl_explanations": 0,
            "dl_explanation_literals": 0,
            "dl_final_checks": 0,
        }

    # -- set-up ---------------------------------------------------------------------------------

    def add_atom(self, var: int, u: int, v: int, w_true: int, w_false: int) -> None:
        """Declare that SAT variable `var` selects ``u -> v`` (w_true) or ``v -> u`` (w_false).

        Pre: at level 0 (before the search, or between two searches of a persistent engine,
        where the atom is permanent). Raises ValueError when ``var <= 0``, `var` was already
        added, a node is out of range, ``u == v``, or ``w_true + w_false >= 0`` (the two edges
        would not be complementary: both could hold), or above level 0.
        Post: `var` is owned and appended to `observed`; when the level-0 edges imply one of
        its edges, the next `propagate` returns it (it recomputes everything anyway).
        """
        if self._level > 0:
            raise ValueError("atoms can only be added at level 0")
        var, u, v = operator.index(var), operator.index(u), operator.index(v)
        w_true, w_false = operator.index(w_true), operator.index(w_false)
        if var <= 0:
            raise ValueError(f"atom variable must be positive, got {var}")
        if var in self._atoms:
            raise ValueError(f"variable {var} was already added")
        for node in (u, v):
            if not 0 <= node < self._num_nodes:
                raise ValueError(f"node {node} out of range 0..{self._num_nodes - 1}")
        if u == v:
            raise ValueError(f"atom {var} joins node {u} to itself")
        if w_true + w_false >= 0:
            raise ValueError(
                f"atom {var}: w_true + w_false must be negative so that exactly one edge holds, "
                f"got {w_true} + {w_false}"
            )
        self._atoms[var] = _Atom(u, v, w_true, w_false)
        self._variables.append(var)

    def observed(self) -> List[int]:
        """The owned variables, in the order they were added."""
        return list(self._variables)

    def _edge(self, literal: int) -> Edge:
        """The edge that `literal` activates. Pre: its variable is owned."""
        atom = self._atoms[abs(literal)]
        if literal > 0:
            return Edge(atom.u, atom.v, atom.weight_true, literal)
        return Edge(atom.v, atom.u, atom.weight_false, literal)

    def _active_edges(self) -> List[Edge]:
        """The edges of every assigned literal, in trail order."""
        return [self._edge(entry.literal) for entry in self._trail]

    def _assigned_variables(self) -> Dict[int, int]:
        """Variable -> the literal it was first assigned (trail order)."""
        assigned: Dict[int, int] = {}
        for entry in self._trail:
            assigned.setdefault(abs(entry.literal), entry.literal)
        return assigned

    # -- contract: assignments and levels -------------------------------------------------------

    def assign(self, lit: int, fixed: bool = False) -> None:
        """Record that owned literal `lit` became true (only queued: the work is in propagate).

        Pre: ``abs(lit)`` is owned (ValueError otherwise).
        Post: if `lit` is already on the trail this is a re-notification: only ``fixed`` is
        merged in (a fixed entry stays fixed). Otherwise `lit` is appended to the trail at the
        current level, even when its negation is already there (the next `propagate` then
        reports the clash as the conflict ``[-first, -second]``).
        """
        lit = operator.index(lit)
        if lit == 0 or abs(lit) not in self._atoms:
            raise ValueError(f"literal {lit} is not owned by this theory")
        for entry in self._trail:
            if entry.literal == lit:
                entry.fixed = entry.fixed or bool(fixed)
                return
        self._trail.append(_Assignment(lit, self._level, bool(fixed)))
        self._statistics["dl_assignments"] += 1

    def level(self) -> int:
        """The number of open decision levels."""
        return self._level

    def new_level(self) -> None:
        """Open a decision level. Post: the level is one higher."""
        self._level += 1

    def backtrack(self, level: int) -> None:
        """Undo every level above `level`.

        Pre: ``0 <= level <= current level`` (ValueError otherwise).
        Post: the level is `level`; assignments made above it are gone except fixed ones (kept
        whatever their level, as the contract says fixed literals stay asserted); literals
        returned by `propagate` above it are forgotten (so they may be returned again); the
        conflict state is cleared (the last clause stays readable from `conflict`).
        Explanations are kept: each is a valid clause of the theory forever, and a fixed
        propagated literal may still be asked about.
        """
        level = operator.index(level)
        if not 0 <= level <= self._level:
            raise ValueError(f"cannot backtrack to level {level} from level {self._level}")
        self._trail = [entry for entry in self._trail if entry.fixed or entry.level <= level]
        self._returned = {
            literal: returned_level
            for literal, returned_level in self._returned.items()
            if returned_level <= level
        }
        self._level = level
        self._in_conflict = False

    # -- contract: checks -----------------------------------------------------------------------

    def _find_conflict(self) -> Optional[List[int]]:
        """The conflict clause of the current trail, or None when the active edges are consistent.

        An atom assigned both ways gives ``[-first, -second]`` (first clash in trail order);
        otherwise the clause negates the literals of a fewest-edges negative cycle, in cycle
        order. Post: every literal of the clause is false under the trail.
        """
        first_literal: Dict[int, int] = {}
        for entry in self._trail:
            variable = abs(entry.literal)
            if variable in first_literal and first_literal[variable] != entry.literal:
                return [-first_literal[variable], -entry.literal]
            first_literal.setdefault(variable, entry.literal)
        edges = self._active_edges()
        if not has_negative_cycle(self._num_nodes, edges):
            return None
        cycle = fewest_edges_negative_cycle(self._num_nodes, edges)
        return [-edge.literal for edge in cycle]

    def _record_conflict(self, clause: List[int]) -> None:
        """Store `clause` as the conflict and enter the conflict state."""
        self._conflict = list(clause)
        self._in_conflict = True
        self._statistics["dl_conflicts"] += 1
        self._statistics["dl_conflict_literals"] += len(clause)

    def propagate(self) -> Optional[List[int]]:
        """Check the active edges and return the newly implied unassigned literals.

        Post:
          * in the conflict state (a conflict since the last backtrack): ``[]``;
          * if the active edges have a negative cycle (or an atom is assigned both ways): None,
            with the clause in `conflict`;
          * otherwise the literals L, sorted by (abs(L), L), whose atom is unassigned, whose
            edge a -> b (weight w) satisfies dist(a, b) <= w over the active edges, and which
            were not returned since their returning level was last undone. Each is remembered
            with the current level, and its explanation ``[L] + [-m for m on the path]`` is
            computed now, from the edges active now.
        """
        if self._in_conflict:
            return []
        clause = self._find_conflict()
        if clause is not None:
            self._record_conflict(clause)
            return None
        edges = self._active_edges()
        assigned = self._assigned_variables()
        candidates: List[Edge] = []
        for variable in self._variables:
            if variable in assigned:
                continue
            for literal in (variable, -variable):
                if literal not in self._returned:
                    candidates.append(self._edge(literal))
        # One shortest-path tree per distinct source node, in order of first need.
        trees: Dict[int, Tuple[List[Optional[int]], List[Optional[Edge]]]] = {}
        implied: List[int] = []
        for candidate in candidates:
            if candidate.source not in trees:
                trees[candidate.source] = shortest_path_tree(
                    self._num_nodes, edges, candidate.source
                )
            distance, parent = trees[candidate.source]
            reached = distance[candidate.target]
            if reached is None or reached > candidate.weight:
                continue
            path = tree_path(parent, candidate.source, candidate.target)
            self._check_explanation_path(candidate, path)
            self._explanations[candidate.literal] = [candidate.literal] + [
                -edge.literal for edge in path
            ]
            implied.append(candidate.literal)
        implied.sort(key=lambda literal: (abs(literal), literal))
        for literal in implied:
            self._returned[literal] = self._level
        self._statistics["dl_propagations"] += len(implied)
        return implied

    def _check_explanation_path(self, implied_edge: Edge, path: Sequence[Edge]) -> None:
        """Check that `path` is a connected path implied_edge.source -> target, light enough."""
        _check_invariant(len(path) >= 1, "empty explanation path")
        node = implied_edge.source
        for edge in path:
            _check_invariant(edge.source == node, "explanation path is not connected")
            node = edge.target
        _check_invariant(node == implied_edge.target, "explanation path ends elsewhere")
        _check_invariant(
            sum(edge.weight for edge in path) <= implied_edge.weight,
            "explanation path is heavier than the implied bound",
        )

    def conflict(self) -> List[int]:
        """The last conflict clause found by `propagate` or `final_check` (``[]`` if none yet)."""
        return list(self._conflict)

    def explain(self, lit: int) -> List[int]:
        """The reason clause of a literal returned by `propagate`.

        Pre: `lit` was returned by `propagate` (KeyError otherwise).
        Post: ``[lit] + [-m for m in path]`` where the path's edges, all active when `lit` was
        returned, lead from the source to the target of `lit`'s edge with total weight at most
        its weight. The most recent computation is returned if `lit` was returned several times.
        """
        lit = operator.index(lit)
        if lit not in self._explanations:
            raise KeyError(f"literal {lit} was never propagated by this theory")
        clause = list(self._explanations[lit])
        self._statistics["dl_explanations"] += 1
        self._statistics["dl_explanation_literals"] += len(clause)
        return clause

    def final_check(self) -> bool:
        """Exact consistency check of a complete assignment.

        Pre: every owned variable is assigned (RuntimeError otherwise: the engine broke the
        contract, and an oracle should say so rather than guess).
        Post: True when the active edges have no negative cycle; otherwise False, with the
        conflict clause in `conflict` and the conflict state entered (as in `propagate`).
        """
        self._statistics["dl_final_checks"] += 1
        assigned = self._assigned_variables()
        missing = [variable for variable in self._variables if variable not in assigned]
        if missing:
            raise RuntimeError(f"final_check with unassigned atoms {missing[:10]}")
        clause = self._find_conflict()
        if clause is None:
            return True
        self._record_conflict(clause)
        return False

    def distance(self, u: int, v: int) -> Optional[int]:
        """The tightest bound on x_v - x_u implied by the active edges, or None.

        The reference reads every assigned edge; the Cython twin reads the edges its last
        propagate() took in. Right after propagate() (when callers ask) they are the same."""
        if not (0 <= u < self._num_nodes and 0 <= v < self._num_nodes):
            raise IndexError(f"node out of range: {u}, {v}")
        distance, _ = shortest_path_tree(self._num_nodes, self._active_edges(), u)
        return distance[v]

    def literal_value(self, lit: int) -> int:
        """1 if owned literal `lit` is assigned true, -1 if false, 0 if unassigned."""
        if abs(lit) not in self._atoms:
            raise ValueError(f"literal {lit} is not owned by this theory")
        first = self._assigned_variables().get(abs(lit))
        return 0 if first is None else (1 if first == lit else -1)

    def path_literals(self, u: int, v: int) -> List[int]:
        """The literals of a shortest path u ~> v over the active edges, in path order."""
        if not (0 <= u < self._num_nodes and 0 <= v < self._num_nodes):
            raise IndexError(f"node out of range: {u}, {v}")
        if u == v:
            return []
        distance, parent = shortest_path_tree(self._num_nodes, self._active_edges(), u)
        if distance[v] is None:
            raise ValueError(f"no active path from node {u} to node {v}")
        return [edge.literal for edge in tree_path(parent, u, v)]

    def values(self) -> List[int]:
        """The theory's model (contract name): the node potentials."""
        return self.potentials()

    def potentials(self) -> List[int]:
        """Integer node values ``x`` with ``x[0] == 0`` satisfying every active edge.

        Pre: the active edges are consistent (as after `final_check` returned True);
        RuntimeError otherwise. Post: ``x[v] - x[u] <= w`` for every active edge ``u -> v``.
        """
        if self._find_conflict() is not None:
            raise RuntimeError("potentials() needs consistent active edges (final_check() True)")
        # the earliest solution when every node has a path to the origin (as the compiled
        # twin): x_v = -dist(v, 0), from a shortest-path tree of the reversed edges
        reversed_edges = [Edge(e.target, e.source, e.weight, e.literal)
                          for e in self._active_edges()]
        to_origin, _ = shortest_path_tree(self._num_nodes, reversed_edges, 0)
        if all(d is not None for d in to_origin):
            return [-d if d else 0 for d in to_origin]
        return feasible_potentials(self._num_nodes, self._active_edges())

    def statistics(self) -> Dict[str, int]:
        """Counters (no timings), in a fixed key order:

        dl_assignments (new trail entries), dl_propagations (literals returned by propagate),
        dl_conflicts and dl_conflict_literals (conflicts found and their total clause length),
        dl_explanations and dl_explanation_literals (explain calls and total clause length,
        the explained literal included), dl_final_checks.
        """
        return dict(self._statistics)
