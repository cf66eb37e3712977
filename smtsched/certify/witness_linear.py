"""The emitter's witnesses for the linear rules of docs/certificates.md: `slack` (a
pseudo-Boolean row) and `cost` (weighted completion or tardiness). Called from
smtsched.certify.witness.find for a lemma of a PseudoBooleanSpec or CostSpec.

Neither rule takes a witness (the checker recomputes the row's least sum, or every task's
earliest start, from the premises), so the finder's work is to confirm, with its own exact
arithmetic, that the rule holds, and say "no rule" otherwise: a lemma the checker would
reject is left incomplete rather than given a rule.

What the theories make (theories/pseudo_boolean_ref.py, theories/cost_ref.py):
* pseudo-Boolean conflicts and reasons: the negations of true literals of one row (plus the
  implied literal) whose weights exceed the row's bound after the theory's normalisation
  (merged duplicates, cancelled opposite literals, saturated weights); the row as given has
  a least sum no smaller (see smtsched/certify/check/slack.py), so `slack` holds on it;
* cost conflicts: -guard and the negated literals of the paths behind the earliest starts of
  the tasks that count; their least cost exceeds the bound, so `cost` holds.
"""
from collections import deque

from ..core.specs import CostSpec, PseudoBooleanSpec

__all__ = ["find", "row_of"]

INT = "Int"


def find(clause, atom_of, constraint):
    """("slack" | "cost", {}) when the rule proves `clause` by `constraint` (a
    PseudoBooleanSpec or CostSpec), else None."""
    if isinstance(constraint, PseudoBooleanSpec):
        return ("slack", {}) if slack_holds(clause, constraint) else None
    if isinstance(constraint, CostSpec):
        return ("cost", {}) if cost_holds(clause, atom_of, constraint) else None
    return None


def row_of(clause, rows):
    """The first row of `rows` (the pseudo-Boolean theory's specs) that proves `clause` by
    `slack`, or None: the theory does not say which of its rows made a lemma. The rows
    holding a premise come first, those holding more of them before (an index by literal,
    kept per list of rows: a theory's thousands of rows, each tried for each lemma, cost
    seconds); the others only if none of those does (a row infeasible on its own)."""
    held = {-lit for lit in clause}
    index = _row_index(rows)
    tried = set()
    # the rows holding the most premises first: the peak-memory rows all hold the slack
    # bits, so a lemma over bits and one instant's live literals has every row of the
    # memory as a candidate (250 rows of 2,000 literals, tried in order: 45 s of a 0.7 s
    # solve); the row that made it holds its live literals too
    holding = {}
    for lit in held:
        for k in index.get(lit, ()):
            holding[k] = holding.get(k, 0) + 1
    for k in sorted(holding, key=lambda k: (-holding[k], k)):
        tried.add(k)
        if _least(rows[k], held) > rows[k].bound:
            return rows[k]
    for k, row in enumerate(rows):
        if k not in tried and _least(row, held) > row.bound:
            return row
    return None


_INDEX = {}   # id(rows) -> (rows, {literal: [positions of the rows that hold it]})


def _row_index(rows):
    entry = _INDEX.get(id(rows))
    if entry is not None and entry[0] is rows and entry[2] == len(rows):
        return entry[1]
    index = {}
    for k, row in enumerate(rows):
        for lit in set(row.literals):
            index.setdefault(lit, []).append(k)
    if len(_INDEX) > 16:
        _INDEX.clear()
    _INDEX[id(rows)] = (rows, index, len(rows))
    return index


def slack_holds(clause, row):
    return _least(row, {-lit for lit in clause}) > row.bound


def _least(row, held):
    """The row's least sum when the literals `held` are true (per variable: the weights of
    its literals that are true, or, free, the lighter of its two sides)."""
    if any(-lit in held for lit in held):
        return float("inf")   # contradictory premises: any lemma holds
    sides = {}
    for lit, weight in zip(row.literals, row.weights):
        side = sides.setdefault(abs(lit), [0, 0])
        side[0 if lit > 0 else 1] += weight
    total = 0
    for var, (pos, neg) in sides.items():
        total += pos if var in held else neg if -var in held else min(pos, neg)
    return total


def cost_holds(clause, atom_of, spec):
    """The premises hold the guard (when there is one) and leave a least cost above the
    bound (or have a negative cycle)."""
    if spec.guard is not None and -spec.guard not in clause:
        return False
    edges = []   # (u, v, w): x_v - x_u <= w, Int premises only
    for lit in clause:
        atom = atom_of(abs(lit))
        if atom is None or atom[0] != INT:
            continue
        _, p, q, bound, strict = atom
        bound = int(bound) - (1 if strict else 0)
        if lit < 0:     # the premise: the atom holds, x_p - x_q <= bound
            edges.append((q, p, bound))
        else:           # it fails: x_q - x_p <= -bound - 1
            edges.append((p, q, -bound - 1))
    to_origin = _to_origin(edges)
    if to_origin is None:
        return True     # a negative cycle among the premises
    total = 0
    for task in spec.tasks:
        if task.weight == 0:
            continue
        back = to_origin.get(task.node)
        if task.node == 0:
            back = 0
        if back is None:
            if task.due is None:
                return False   # an unbounded completion
            continue
        end = -back + task.duration
        total += task.weight * (end if task.due is None else max(0, end - task.due))

    def late(task):   # max(0, earliest end - due), 0 without a lower bound
        back = 0 if task.node == 0 else to_origin.get(task.node)
        return 0 if back is None else max(0, -back + task.duration - task.due)
    for task in spec.steps:
        if late(task) > 0:
            total += task.weight
    for weight, members in spec.groups:
        total += weight * max((t.weight * late(t) for t in members), default=0)
    held = {-lit for lit in clause}
    total += sum(w for lit, w in spec.literals if lit in held)
    return total > spec.bound


def _to_origin(edges):
    """{node: shortest distance node ~> 0} (FIFO Bellman-Ford on the reversed edges), or
    None on a negative cycle."""
    into = {}
    nodes = {0}
    for u, v, w in edges:
        into.setdefault(v, []).append((u, w))
        nodes.update((u, v))
    dist = {0: 0}
    queue = deque([0])
    queued = {0}
    entries = {0: 1}
    limit = len(nodes) + 1
    while queue:
        v = queue.popleft()
        queued.discard(v)
        dv = dist[v]
        for u, w in into.get(v, ()):
            if dv + w < dist.get(u, float("inf")):
                dist[u] = dv + w
                if u not in queued:
                    entries[u] = entries.get(u, 0) + 1
                    if entries[u] > limit:
                        return None
                    queued.add(u)
                    queue.append(u)
    return dist
