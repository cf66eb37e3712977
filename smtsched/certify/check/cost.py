"""The `cost` rule (weighted completion and weighted tardiness) of docs/certificates.md, and
the acceptance of a constraints.json cost record against the input's objective.

A cost constraint is sum_k w_k * f_k(s_k + p_k) <= bound, f_k the identity (completion) or
max(0, . - due_k) (tardiness), weights non-negative, required while its guard literal g is
true (always, without a guard). Each f_k grows with the end, so the earliest starts the
premises allow (est_k, the largest lower bound on s_k - 0 by shortest paths in the graph of
the premises' edges: rules._Graph) give the least cost the premises leave,
sum_k w_k * f_k(est_k + p_k); the lemma is valid when that exceeds the bound and, for a
guarded constraint, g is a premise (the clause holds -g). A task with no lower bound on its
start adds nothing under tardiness (its term is at least 0) and makes the least cost
unbounded under completion (the rule then fails, unless its weight is 0). A negative cycle
among the premises makes any lemma valid, as for the other rules. Exact integers throughout.

No witness: the rule computes every est itself (one shortest-path run to the origin over the
premises), as the cost theory does on its graph (theories/cost_ref.py: the same relaxation,
explained by the paths behind the bounds of the tasks that count). A list of "the tasks that
count" would save nothing: the bound of every task is needed to see the others' sum fall short
or not. This is the bounds reasoning of a linear sum with its explanation by the bounds it
used, as lazy clause generation does it (Ohrimenko, Stuckey and Codish, "Propagation via
lazy clause generation", Constraints 2009), with the bounds from the premises alone.
"""

from .rules import INF, RuleError, _Graph, _is_int, _show

__all__ = ["CostTask", "CostConstraint", "cost", "parse_cost", "follows"]

COMPLETION, TARDINESS = "weighted_completion", "weighted_tardiness"


class CostTask:
    __slots__ = ("start", "duration", "weight", "due")

    def __init__(self, start, duration, weight, due):
        self.start, self.duration, self.weight, self.due = start, duration, weight, due

    def term(self, end):
        """w * f(end)."""
        return self.weight * (end if self.due is None else max(0, end - self.due))


class CostConstraint:
    """A checked cost constraint: `guard` is the G literal of its guard (None: always)."""

    __slots__ = ("tasks", "bound", "guard")

    def __init__(self, tasks, bound, guard=None):
        self.tasks, self.bound, self.guard = tasks, bound, guard


def least_cost(premises, con):
    """The least cost the premises (Differences, None for other literals) allow; None when
    they have a negative cycle; INF never (a completion task without a lower bound gives
    -INF)."""
    graph = _Graph(premises, None)
    if graph.negative_cycle():
        return None
    to_origin = graph.distances(None, reverse=True)   # x_0 - x_k <= D: est_k = -D
    total = 0
    for t in con.tasks:
        if t.weight == 0:
            continue
        if t.start not in to_origin:
            if t.due is None:
                return -INF
            continue   # tardiness is never negative
        total += t.term(-to_origin[t.start] + t.duration)
    return total


def cost(premises, witness, con, literals=()):
    """The premises (with the guard) leave a least cost above the bound."""
    if not isinstance(con, CostConstraint):
        raise RuleError("cost needs a cost constraint")
    if witness:
        raise RuleError("cost takes no witness")
    if con.guard is not None and con.guard not in literals:
        raise RuleError("cost: the constraint's guard is not a premise (the lemma must hold "
                        "the guard's negation)")
    value = least_cost(premises, con)
    if value is None or value > con.bound:
        return
    shown = "unbounded below" if value == -INF else _show(value)
    raise RuleError(f"cost: the premises allow a cost of {shown}, not above the bound "
                    f"{_show(con.bound)}")


# -- constraints.json records and the input's -------------------------------------------------

def parse_cost(record, sorts=None):
    """(tasks, bound) of a cost record, in constraints.json's shape ({"tasks": [{"start",
    "duration", "weight", "due"}], "bound"}; due null or absent: completion); bound None when
    the record has none (an input objective). ValueError when malformed."""
    tasks = record.get("tasks")
    if not isinstance(tasks, list):
        raise ValueError("tasks must be a list")
    out = []
    for k, t in enumerate(tasks):
        if not isinstance(t, dict) or not isinstance(t.get("start"), str):
            raise ValueError(f"task {k} needs a start name")
        if sorts is not None and sorts.get(t["start"]) != "Int":
            raise ValueError(f"task {k}: {t['start']!r} is not an Int variable of the input")
        p, w, due = t.get("duration"), t.get("weight"), t.get("due")
        if not _is_int(p) or p < 0:
            raise ValueError(f"task {k} duration {p!r} is not a non-negative integer")
        if not _is_int(w) or w < 0:
            raise ValueError(f"task {k} weight {w!r} is not a non-negative integer")
        if due is not None and not _is_int(due):
            raise ValueError(f"task {k} due {due!r} is not an integer or null")
        out.append(CostTask(t["start"], p, w, due))
    bound = record.get("bound")
    if bound is not None and not _is_int(bound):
        raise ValueError(f"bound {bound!r} is not an integer")
    return out, bound


def follows(cert_tasks, given_tasks):
    """Whether the cost of `cert_tasks` is at most the cost of `given_tasks` in every schedule
    (so "given <= B" implies "cert <= B"): each task of cert matched one to one with a task of
    given of the same start, of the same kind (completion or tardiness), no longer duration,
    no later end counted (a due no earlier) and a weight no larger where the term cannot be
    negative. A completion term can be (a start below -duration), so completion tasks keep
    their weights, and given's completion tasks of positive weight all need a match;
    tardiness tasks may be dropped or lighter."""
    used = set()
    for t in cert_tasks:
        if t.weight == 0:
            continue   # adds nothing
        for k, g in enumerate(given_tasks):
            if k in used or g.start != t.start or (g.due is None) != (t.due is None):
                continue
            if t.duration > g.duration:
                continue
            if t.due is None and t.weight != g.weight:
                continue
            if t.due is not None and (t.weight > g.weight or t.due < g.due):
                continue
            used.add(k)
            break
        else:
            return False
    return all(k in used or g.due is not None or g.weight == 0
               for k, g in enumerate(given_tasks))
