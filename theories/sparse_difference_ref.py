"""Sparse difference logic, pure-Python reference: the oracle twin of
``theories/sparse_difference.pyx``.

The compiled twin keeps a feasible potential (Cotton and Maler, SAT 2006) and the exact
distances to and from the origin (Feydy, Schutt and Stuckey, PPDP 2008) incrementally, and
propagates exactly the atoms that these show:

* an edge ``a -> b`` of weight ``c`` is implied when ``d(a, 0) + d(0, b) <= c`` (the path
  through the origin; with ``a`` or ``b`` the origin itself, a bound literal), or
* an active edge ``a -> b`` (neither end the origin) of weight ``<= c`` lies beside it.

This module does none of it incrementally: every `propagate` recomputes, from the list of
active edges, whether there is a negative cycle, both distance arrays, and every unassigned
atom that the two rules imply, with the plain graph algorithms of ``difference_ref`` (Bellman-
Ford; the fewest-edges negative cycle as the conflict), so that it is simple enough to be
obviously right. The compiled twin must return the same literals at every step (it is
complete for its two rules), the same distances, and sound clauses; the clauses themselves
may differ (any negative cycle, any path within the bound).

It shows the global reference theories (global_ref.py) the same time graph as the dense
reference: ``distance(node, 0)``, ``distance(0, node)``, ``path_literals`` of those pairs,
``literal_value`` and ``values``. Exact Python integers throughout; slow on purpose.
"""

from __future__ import annotations

from typing import Dict, List, Optional

from smtsched.theory import Theory
from smtsched.theories.difference_ref import (Edge, feasible_potentials,
                                              fewest_edges_negative_cycle, has_negative_cycle,
                                              shortest_path_tree, tree_path)

__all__ = ["SparseDifferenceLogic"]


def _reversed(edges):
    """The edges turned around (to search distances *to* a node as distances from it)."""
    return [Edge(e.target, e.source, e.weight, e.literal) for e in edges]


class SparseDifferenceLogic(Theory):
    """Integer difference logic with the sparse twin's propagation rules, recomputed from
    scratch at every check (see the module docstring)."""

    def __init__(self, num_nodes: int) -> None:
        if num_nodes < 1:
            raise ValueError("a difference graph needs at least the origin node")
        self.num_nodes = num_nodes
        self._atoms: Dict[int, tuple] = {}       # var -> (u, v, w_true, w_false)
        self._variables: List[int] = []
        self._trail: List[tuple] = []            # (literal, level, fixed), in trail order
        self._level = 0
        self._returned: Dict[int, int] = {}      # literal -> level it was returned at
        self._explanations: Dict[int, List[int]] = {}
        self._conflict: List[int] = []
        self._in_conflict = False
        self._stats = dict.fromkeys(("dl_assignments", "dl_propagations", "dl_conflicts",
                                     "dl_explanations", "dl_final_checks"), 0)

    # -- set-up -----------------------------------------------------------------------------
    def add_atom(self, var: int, u: int, v: int, w_true: int, w_false: int) -> None:
        if self._level > 0:
            raise ValueError("atoms can only be added at level 0")
        if var <= 0:
            raise ValueError(f"SAT variable must be positive, got {var}")
        if not (0 <= u < self.num_nodes and 0 <= v < self.num_nodes) or u == v:
            raise ValueError(f"bad edge endpoints {u} -> {v} for {self.num_nodes} nodes")
        if w_true + w_false >= 0:
            raise ValueError(f"edges of variable {var} are not complementary ({w_true}, {w_false})")
        if var in self._atoms:
            raise ValueError(f"SAT variable {var} is already an atom")
        self._atoms[var] = (u, v, w_true, w_false)
        self._variables.append(var)

    def observed(self) -> List[int]:
        return list(self._variables)

    def _edge(self, literal: int) -> Edge:
        u, v, w_true, w_false = self._atoms[abs(literal)]
        return Edge(u, v, w_true, literal) if literal > 0 else Edge(v, u, w_false, literal)

    def _value(self, var: int) -> int:
        for literal, _, _ in self._trail:
            if abs(literal) == var:
                return 1 if literal > 0 else -1
        return 0

    def _active(self) -> List[Edge]:
        return [self._edge(literal) for literal, _, _ in self._trail]

    # -- contract ---------------------------------------------------------------------------
    def assign(self, lit: int, fixed: bool = False) -> None:
        if abs(lit) not in self._atoms:
            raise ValueError(f"literal {lit} is not owned by this theory")
        for index, (literal, level, was_fixed) in enumerate(self._trail):
            if literal == lit:  # re-notified (it became fixed)
                self._trail[index] = (literal, level, was_fixed or fixed)
                return
            if literal == -lit:
                raise RuntimeError(f"literal {lit} assigned while its negation is assigned")
        self._trail.append((lit, self._level, fixed))
        self._stats["dl_assignments"] += 1

    def level(self) -> int:
        return self._level

    def new_level(self) -> None:
        self._level += 1

    def backtrack(self, level: int) -> None:
        if level < 0:
            raise ValueError("negative level")
        self._in_conflict = False
        if level >= self._level:
            return
        self._level = level
        # fixed literals stay (re-asserted at this level); the others of undone levels go
        self._trail = [(l, min(lv, level), f) for l, lv, f in self._trail if f or lv <= level]
        for literal in [l for l, lv in self._returned.items() if lv > level]:
            del self._returned[literal]
            del self._explanations[literal]

    def _bounds(self, edges):
        """(d(0, x), d(x, 0)) per node (None: no path) and their shortest-path trees."""
        ahead, ahead_tree = shortest_path_tree(self.num_nodes, edges, 0)
        back, back_tree = shortest_path_tree(self.num_nodes, _reversed(edges), 0)
        return ahead, ahead_tree, back, back_tree

    def propagate(self) -> Optional[List[int]]:
        if self._in_conflict:
            return []
        edges = self._active()
        if has_negative_cycle(self.num_nodes, edges):
            cycle = fewest_edges_negative_cycle(self.num_nodes, edges)
            self._conflict = [-edge.literal for edge in cycle]
            self._in_conflict = True
            self._stats["dl_conflicts"] += 1
            return None
        ahead, ahead_tree, back, back_tree = self._bounds(edges)
        implied = []
        for var in self._variables:
            if self._value(var) != 0:
                continue
            for literal in (var, -var):
                if literal in self._returned:
                    continue
                reason = self._reason(self._edge(literal), edges, ahead, ahead_tree, back,
                                      back_tree)
                if reason is not None:
                    self._returned[literal] = self._level
                    self._explanations[literal] = [literal] + reason
                    implied.append(literal)
        self._stats["dl_propagations"] += len(implied)
        return sorted(implied, key=lambda l: (abs(l), l))

    def _reason(self, edge, edges, ahead, ahead_tree, back, back_tree):
        """The negated literals of the path that implies `edge` by the twin's two rules, or
        None when neither applies."""
        a, b, c = edge.source, edge.target, edge.weight
        path = None
        if a == 0:
            if ahead[b] is not None and ahead[b] <= c:
                path = tree_path(ahead_tree, 0, b)
        elif b == 0:
            if back[a] is not None and back[a] <= c:
                path = tree_path(back_tree, 0, a)   # the reversed tree: its edges turned
        else:
            if back[a] is not None and ahead[b] is not None and back[a] + ahead[b] <= c:
                path = tree_path(back_tree, 0, a) + tree_path(ahead_tree, 0, b)
            else:
                beside = [e for e in edges if e.source == a and e.target == b and e.weight <= c]
                if beside:
                    path = beside[:1]
        if path is None:
            return None
        return sorted({-e.literal for e in path}, key=abs)

    def conflict(self) -> List[int]:
        return list(self._conflict)

    def explain(self, lit: int) -> List[int]:
        self._stats["dl_explanations"] += 1
        return list(self._explanations[lit])

    def final_check(self) -> bool:
        self._stats["dl_final_checks"] += 1
        if any(self._value(var) == 0 for var in self._variables):
            raise RuntimeError("final_check with unassigned atoms")
        if self._in_conflict:
            return False
        return self.propagate() is not None

    # -- the time graph (global_ref.py reads these) ------------------------------------------
    def distance(self, u: int, v: int) -> Optional[int]:
        if not (0 <= u < self.num_nodes and 0 <= v < self.num_nodes):
            raise IndexError(f"node out of range: {u}, {v}")
        distance, _ = shortest_path_tree(self.num_nodes, self._active(), u)
        return distance[v]

    def path_literals(self, u: int, v: int) -> List[int]:
        if u == v:
            return []
        distance, tree = shortest_path_tree(self.num_nodes, self._active(), u)
        if distance[v] is None:
            raise ValueError(f"no active path from node {u} to node {v}")
        return [edge.literal for edge in tree_path(tree, u, v)]

    def literal_value(self, lit: int) -> int:
        if abs(lit) not in self._atoms:
            raise ValueError(f"literal {lit} is not owned by this theory")
        value = self._value(abs(lit))
        return value if lit > 0 else -value

    def values(self) -> List[int]:
        return self.potentials()

    def potentials(self) -> List[int]:
        """The earliest solution where every node reaches the origin (x_v = -d(v, 0)), as
        the compiled twin gives it; otherwise some feasible solution with x[0] == 0."""
        edges = self._active()
        back, _ = shortest_path_tree(self.num_nodes, _reversed(edges), 0)
        if all(value is not None for value in back):
            return [-value for value in back]
        return feasible_potentials(self.num_nodes, edges)

    def statistics(self) -> Dict[str, int]:
        return dict(self._stats)
