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

__all__ = ["CostTask", "CostConstraint", "cost", "parse_cost", "parse_more", "follows",
           "follows_more"]

COMPLETION, TARDINESS = "weighted_completion", "weighted_tardiness"


class CostTask:
    __slots__ = ("start", "duration", "weight", "due")

    def __init__(self, start, duration, weight, due):
        self.start, self.duration, self.weight, self.due = start, duration, weight, due

    def term(self, end):
        """w * f(end)."""
        return self.weight * (end if self.due is None else max(0, end - self.due))


class CostConstraint:
    """A checked cost constraint: `guard` is the G literal of its guard (None: always);
    `steps` (CostTasks: weight * [end > due]), `groups` ((weight, [CostTask]): weight * the
    largest member term) and `literals` ((G literal, weight): weight while the literal is a
    premise) are minimize_weighted_sum's more terms."""

    __slots__ = ("tasks", "bound", "guard", "steps", "groups", "literals")

    def __init__(self, tasks, bound, guard=None, steps=(), groups=(), literals=()):
        self.tasks, self.bound, self.guard = tasks, bound, guard
        self.steps, self.groups, self.literals = list(steps), list(groups), list(literals)


def least_cost(premises, con, literals=()):
    """The least cost the premises (Differences, None for other literals; `literals`: the
    same premises as G literals) allow; None when they have a negative cycle; INF never (a
    completion task without a lower bound gives -INF). Steps and max-group members grow
    with the end and are never negative, so each is read at the earliest end (0 without a
    lower bound); a literal term counts while its literal is a premise."""
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

    def late(t):   # max(0, earliest end - due), 0 without a lower bound
        return 0 if t.start not in to_origin else max(0, -to_origin[t.start] + t.duration
                                                      - t.due)
    for t in con.steps:
        if late(t) > 0:
            total += t.weight
    for weight, members in con.groups:
        total += weight * max((t.weight * late(t) for t in members), default=0)
    held = set(literals)
    for lit, weight in con.literals:
        if lit in held:
            total += weight
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
    value = least_cost(premises, con, literals)
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


def parse_more(record, sorts=None):
    """(steps, groups, literals) of a cost record: "steps" [{"start", "duration", "weight",
    "due"}], "groups" [{"weight", "members": [tasks as steps]}], "literals" [{"literal": a
    literal of atoms.txt, or "bool": a Boolean of the input, "weight"}] (absent: none); the
    literals as they are written. ValueError when malformed."""
    def tasks(items, what):
        if not isinstance(items, list):
            raise ValueError(f"{what} must be a list")
        out, _ = parse_cost({"tasks": items}, sorts)
        if any(t.due is None for t in out):
            raise ValueError(f"{what}: every task needs a due")
        return out
    steps = tasks(record.get("steps", []), "steps")
    groups = []
    for k, group in enumerate(record.get("groups", [])):
        if not isinstance(group, dict) or not _is_int(group.get("weight")) \
                or group["weight"] < 0:
            raise ValueError(f"group {k} needs a non-negative integer weight")
        members = tasks(group.get("members"), f"group {k}")
        if not members:
            raise ValueError(f"group {k} has no member")
        groups.append((group["weight"], members))
    literals = []
    items = record.get("literals", [])
    if not isinstance(items, list):
        raise ValueError("literals must be a list")
    for k, item in enumerate(items):
        weight = item.get("weight") if isinstance(item, dict) else None
        if not _is_int(weight) or weight < 0:
            raise ValueError(f"literal term {k} needs a non-negative integer weight")
        name = item.get("literal", item.get("bool"))
        if not (_is_int(name) or isinstance(name, str)):
            raise ValueError(f"literal term {k} names no literal")
        literals.append((name, weight))
    return steps, groups, literals


def follows_more(cert, given, same):
    """Whether the more terms of `cert` ((steps, groups, literals), its literals as G
    literals) cost at most those of `given` in every schedule: each term of cert (of
    positive weight) matched one to one with a term of given of the same kind, never
    above it (same start, weight no larger, due no earlier; a group's weight no larger and
    each of its members matched one to one so within the given group; a literal term's
    literal `same` as the given one's, weight no larger). Every term is at least 0, so
    given's unmatched terms only add."""
    def task_at_most(t, g):
        return g.start == t.start and t.duration <= g.duration and t.weight <= g.weight \
            and t.due >= g.due

    def matched(items, candidates, fits):
        used = set()
        for item in items:
            for k, candidate in enumerate(candidates):
                if k not in used and fits(item, candidate):
                    used.add(k)
                    break
            else:
                return False
        return True

    steps, groups, literals = cert
    given_steps, given_groups, given_literals = given
    return (matched([t for t in steps if t.weight], given_steps, task_at_most)
            and matched([(w, [m for m in ms if m.weight]) for w, ms in groups if w],
                        given_groups,
                        lambda c, g: c[0] <= g[0] and matched(c[1], g[1], task_at_most))
            and matched([t for t in literals if t[1]], given_literals,
                        lambda c, g: same(c[0], g[0]) and c[1] <= g[1]))


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
