"""(minimize t) / (maximize t) for SMT-LIB scripts, on top of the public Solver.

After a check-sat answers sat, the objectives are optimised in the order they were given
(lexicographically, as z3 does by default). Each one is maximised (a minimised term is
maximised negated) by probes `t >= k` under the assertions, the check's assumptions and the
optima fixed so far. Every value claimed is backed by the solver:

* an optimum v is claimed only after `t >= v + 1` was refuted (unsat) and `t = v` was
  satisfied (a checked model, which also starts the next objective);
* "unbounded" is claimed only with a checked model where t > B, where B bounds every finite
  optimum: in difference logic the optimum of a*(x - y) + c under one truth assignment of the
  atoms is a*(shortest path) + c, or infinite when no path exists (the LP dual of a
  difference system is a shortest-path problem), and a simple path is no longer than the sum
  of the |weights| of all the edges of all the atoms. A model beyond B therefore lies in an
  assignment whose optimum is infinite (Nieuwenhuis and Oliveras, "On SAT Modulo Theories and
  Optimization Problems", SAT 2006, for the search; the bound is the classical one behind
  polynomial bounds on the solutions of difference systems).

Speed comes from the models: after each satisfiable probe, the Int constraints that the model's
truth values select (Solver.difference_graph) give the best value of t over all points of that
assignment, by one shortest-path computation (Dijkstra on weights made non-negative by the
model's own values, Johnson 1977). The next probe asks for more than that (the theory-optimal
linear search of Sebastiani and Tomasi, "Optimization in SMT with LA(Q) cost functions",
IJCAR 2012); when that assignment has no path at all, the next probe asks for B + 1. After a
few such rounds the search bisects the known range instead, so the number of checks stays
within a few plus log2(B).

After an unbounded objective u_i, a later objective u_j gets z3's value "at infinity" when it
is finite: lim opt_j(k) for k -> oo, opt_j(k) being its optimum under u_i >= k. Past k = 3W
(W: the sum of all |weights|, as above), every truth assignment that still reaches u_i >= k
bounds u_j either by a constant (a shortest path that avoids the edge u_i >= k) or by a term
that falls strictly with k (one that uses it), and each constant beats each falling term. So
opt_j is constant from there on when some assignment gives a constant, and falls without end
otherwise: the optimiser computes opt_j at k1 = 3W + 1 and k2 = 2*k1 (in the units of u_i's
difference, for each of its If branches) and reports the value only when the two agree. When
they differ, or u_j is unbounded there too, u_j and the later objectives get no value:
get-objectives lists the objectives before it, never a guess. (z3 prints an interval for such
objectives, and sometimes also for finite limits that it does not decide.)

Only Int objectives whose every branch is a*(x - y) + c, a*x + c or a constant are accepted
(`difference_shape`); Real objectives are refused at (minimize) / (maximize).
"""
import heapq
import time

from .. import terms as T
from ..compile import linear_form
from ..errors import SmtschedError, UnsupportedError
from ..solver import sat, unsat

# Candidate-driven (theory-optimal) rounds before bisection takes every other probe.
LINEAR_ROUNDS = 4
# Without a bound from the constants (no difference graph), probes gallop this many times
# before the search gives up with unknown rather than guess "unbounded".
GALLOP_LIMIT = 256


class Objective:
    __slots__ = ("term", "sense", "text", "value")

    def __init__(self, term, sense, text):
        self.term = term
        self.sense = sense       # "min" or "max"
        self.text = text         # as written, for get-objectives
        self.value = None        # int, "unbounded", or None (not optimised)


def difference_shape(term):
    """(a, p, q, c) with term == a*(p - q) + c for variable keys p, q (None: the origin), or
    None when term has If terms (each branch is then checked by `check_objective`). Raises
    ValueError when the linear form is not a difference."""
    coefficients, constant = _linear(term)
    if coefficients is None:
        return None
    items = list(coefficients.items())
    if not items:
        return 1, None, None, constant
    if len(items) == 1:
        (key, a), = items
        return a, key, None, constant
    if len(items) == 2 and items[0][1] == -items[1][1]:
        (p, a), (q, _) = items
        return a, p, q, constant
    raise ValueError("not a difference term")


def check_objective(term):
    """None when every branch of `term` is a difference term, else a message."""
    stack = [term]
    seen = 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > 4096:
            return "the objective has too many If branches"
        try:
            shape = difference_shape(node)
        except ValueError:
            return ("an objective must be a difference term: x, x - y, a constant, plus a "
                    "constant, times a constant, or an If of such terms")
        if shape is None:
            stack.extend(_branches(node))
    try:
        # the If conditions must be difference logic too: compile a probe once
        from ..compile import compile_problem
        compile_problem([term >= 0])
    except SmtschedError as problem:
        return f"the objective cannot be optimised: {problem}"
    return None


def _linear(term):
    """({key: coefficient}, constant) of an Int term, by the compiler's own linearisation;
    (None, None) if it contains If; ValueError for what the compiler does not take."""
    try:
        coefficients, constant, leaves = linear_form(term)
    except UnsupportedError as problem:
        raise ValueError(str(problem)) from None
    if any(key[0] == "ite" for key in leaves):
        return None, None
    return coefficients, constant


def _branches(term):
    """The terms that an If-containing term stands for, one If lifted: (c ? a : b) + r gives
    a + r and b + r (as in the compiler's If-lifting)."""
    # find the first If through add/sub/neg/mul, remembering the way down
    stack = [(term, ())]
    while stack:
        node, way = stack.pop()
        if node.op == "ite":
            return [_rebuild(term, way, branch) for branch in node.args[1:]]
        if node.op in ("add", "sub"):
            stack += [(node.args[1], way + (1,)), (node.args[0], way + (0,))]
        elif node.op == "neg":
            stack.append((node.args[0], way + (0,)))
        elif node.op == "mul":
            stack.append((node.args[1], way + (1,)))
    return []


def _rebuild(term, way, replacement):
    if not way:
        return replacement
    args = list(term.args)
    args[way[0]] = _rebuild(args[way[0]], way[1:], replacement)
    return T.Term(term.op, tuple(args), term.sort, name=term.name, value=term.value)


def magnitude(term, weight_sum):
    """A bound on |term| at any finite optimum: every difference x - y there is a simple path
    of the selected constraints, at most `weight_sum` long (an over-approximation is sound)."""
    memo = {}
    stack = [(term, False)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in memo:
            continue
        op = node.op
        if op == "const":
            memo[id(node)] = abs(node.value)
        elif op == "var":
            memo[id(node)] = weight_sum
        elif not expanded:
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if a.sort != T.BOOL)
        elif op in ("add", "sub"):
            memo[id(node)] = memo[id(node.args[0])] + memo[id(node.args[1])]
        elif op == "neg":
            memo[id(node)] = memo[id(node.args[0])]
        elif op == "mul":
            memo[id(node)] = abs(node.args[0].value) * memo[id(node.args[1])]
        elif op == "ite":
            memo[id(node)] = max(memo[id(node.args[1])], memo[id(node.args[2])])
        else:
            raise ValueError(f"unsupported operator {op}")
    return memo[id(term)]


def assignment_optimum(graph, shape):
    """The supremum of a*(x_p - x_q) + c over the integer points of `graph` (the constraints
    a model selected): an int, "unbounded" when no path limits it, or None when the graph
    does not allow the computation (then only the probes decide)."""
    if graph is None or shape is None:
        return None
    a, p, q, c = shape
    if p == q or a == 0:
        return c
    node_of = graph.node_of
    if p not in node_of or q not in node_of:
        return "unbounded"  # a variable no Int atom mentions
    source, target = node_of[q], node_of[p]
    if a < 0:
        source, target = target, source
    distance = _shortest(graph, source, target)
    if distance is None or distance == "bad":
        return None if distance == "bad" else "unbounded"
    return abs(a) * distance + c


def _shortest(graph, source, target):
    """Shortest path from source to target over the edges (u, v, w): x_v - x_u <= w; None
    when there is none, "bad" when the potentials do not satisfy the edges. Dijkstra on the
    reduced weights w + pi(u) - pi(v) >= 0 (Johnson's reweighting)."""
    pi = graph.potentials
    n = len(pi)
    adjacency = {}
    for u, v, w in graph.edges:
        if u >= n or v >= n:
            return "bad"
        reduced = w + pi[u] - pi[v]
        if reduced < 0:
            return "bad"
        adjacency.setdefault(u, []).append((v, reduced))
    best = {source: 0}
    heap = [(0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        if u == target:
            return d - pi[source] + pi[target]
        if d > best.get(u, d):
            continue
        for v, w in adjacency.get(u, ()):
            nd = d + w
            if nd < best.get(v, nd + 1):
                best[v] = nd
                heapq.heappush(heap, (nd, v))
    return None


class _Stop(Exception):
    """The search stopped without an answer; the message is the reason."""


def optimise(solver, assumptions, objectives, deadline, progress=None):
    """Optimise `objectives` in order under `assumptions` (the solver's last answer was sat).
    Returns "sat" (every objective optimal or proven unbounded; the solver's model is an
    optimal one) or the reason the search stopped ("timeout", ...).

    `progress(index, lower, upper, model)`, when given, hears of every better model and
    every refuted probe of the objective being optimised (index into `objectives`): `lower`
    is the value of u (the objective, negated when minimised) in the checked `model`, which
    satisfies the assumptions and the earlier objectives' optima; `upper` (None: none yet)
    bounds u from above, proven by a refuted probe under the same. What the z3-shaped
    Optimize reports after a time limit (smtsched.optimize)."""
    for objective in objectives:
        objective.value = None
    solver.set(difference_graph=True)
    try:
        fixed = []
        model, graph = solver.model(), solver.difference_graph()
        infinite = None  # the unbounded objective, maximised
        for index, objective in enumerate(objectives):
            u = objective.term if objective.sense == "max" else -objective.term
            if infinite is None:
                note = None if progress is None else (
                    lambda lower, upper, model, index=index: progress(index, lower, upper,
                                                                      model))
                kind, value, model, graph = _maximise(solver, assumptions + fixed, u, model,
                                                      graph, deadline, note)
                if kind == "unbounded":
                    objective.value = "unbounded"
                    infinite = u
                    continue
            else:
                found = _value_at_infinity(solver, assumptions + fixed, infinite, u, model,
                                           graph, deadline)
                if found is None:
                    break
                value, model, graph = found
            objective.value = value if objective.sense == "max" else -value
            fixed.append(u == value)
    except _Stop as stop:
        for objective in objectives:
            objective.value = None
        return str(stop)
    finally:
        solver.set(difference_graph=False)
    return "sat"


def _check(solver, formulas, deadline):
    if deadline is not None:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise _Stop("timeout")
        solver.set(timeout=max(1, int(left * 1000)))
    answer = solver.check(*formulas)
    if answer != sat and answer != unsat:
        raise _Stop(solver.reason_unknown() or "unknown")
    return answer == sat


def _maximise(solver, base, u, model, graph, deadline, note=None):
    """Maximise u under `base`; `model` (and its `graph`) satisfy `base`. Returns
    ("value", v, model, graph) with the solver's last check sat under base + [u == v], or
    ("unbounded", None, model, graph) with the solver's last model beyond the bound.
    `note(lower, upper, model)`: see optimise's `progress`."""
    shape = difference_shape(u)
    if graph is None or shape is None:
        # The bound must count every atom the probes can select, those inside the
        # objective's If conditions too: one check that compiles them (the model holds).
        if not _check(solver, base + [u >= model.eval(u)], deadline):
            raise _Stop("the model of the last check could not be re-checked")
        model, graph = solver.model(), solver.difference_graph()
    bound = None if graph is None else magnitude(u, graph.weight_sum)
    lower = model.eval(u)             # attained by a checked model of `base`
    if note is not None:
        note(lower, None, model)
    if bound is not None and lower > bound:
        return "unbounded", None, model, graph
    # `bound`: no FINITE optimum is above it; `upper`: no value at all is above it (proven by
    # a refuted probe; None until then)
    upper = None
    candidate = assignment_optimum(graph, shape)
    unbounded_refuted = False
    rounds = 0
    step = 1
    while True:
        if upper is not None and upper < lower:
            raise _Stop("the probes contradict a checked model")  # never claim either
        if upper is not None and (lower >= upper or candidate == upper):
            # the best value left is `upper`: check that it is reached (and get its model)
            if _check(solver, base + [u == upper], deadline):
                if note is not None:
                    note(upper, upper, solver.model())
                return "value", upper, solver.model(), solver.difference_graph()
            if upper <= lower:
                raise _Stop("the optimum could not be re-checked")
            upper, candidate = upper - 1, None  # the candidate was not reached
            if note is not None:
                note(lower, upper, None)
            continue
        if candidate == "unbounded" and (bound is None or unbounded_refuted):
            candidate = None
        if candidate is not None and candidate != "unbounded" and (
                candidate < lower or (upper is not None and candidate > upper)):
            candidate = None  # not trustworthy: the probes decide
        if candidate is not None and (rounds < LINEAR_ROUNDS or rounds % 2 == 0):
            probe = bound + 1 if candidate == "unbounded" else candidate + 1
        elif upper is None and bound is not None:
            probe = bound + 1  # refuted: the range is [lower, bound]; else unbounded
        elif upper is None:
            if step > 1 << GALLOP_LIMIT:
                raise _Stop("incomplete: no bound on the objective could be proven")
            probe = lower + step
            step *= 2
        else:
            probe = lower + (upper - lower + 1) // 2
        rounds += 1
        if _check(solver, base + [u >= probe], deadline):
            model, graph = solver.model(), solver.difference_graph()
            lower = model.eval(u)
            if note is not None:
                note(lower, upper, model)
            if bound is not None and lower > bound:
                return "unbounded", None, model, graph
            candidate = assignment_optimum(graph, shape)
        else:
            if bound is not None and probe > bound:
                unbounded_refuted = True  # the graph said unbounded, the solver did not
            upper = probe - 1 if upper is None else min(upper, probe - 1)
            if note is not None:
                note(lower, upper, None)
            if candidate is not None and candidate != "unbounded" and candidate >= probe:
                candidate = None


def _value_at_infinity(solver, base, u_i, u, model, graph, deadline):
    """(value, model, graph): the limit of max u under base and u_i >= K as K grows, when it
    is finite (see the module docstring); None when it is not, or cannot be decided. `model`
    (and its `graph`) satisfy `base`."""
    if graph is None:
        return None
    if difference_shape(u) is None:
        # the pieces must include the atoms of u's If conditions: compile them
        if not _check(solver, base + [u >= model.eval(u)], deadline):
            raise _Stop("the model of the last check could not be re-checked")
        graph = solver.difference_graph()
    # Every branch a*(x - y) + c of u_i reaches K only with +-(x - y) >= (K - c) / |a|,
    # past 3W + 1 for K = K1 (and further for K2 = 2 K1): magnitude() counts |a| * (3W + 1)
    # per variable, plus |c|.
    k1 = magnitude(u_i, 3 * graph.weight_sum + 1)
    values = []
    for k in (k1, 2 * k1):
        far = base + [u_i >= k]
        if not _check(solver, far, deadline):
            raise _Stop("an unbounded objective could not be re-checked")
        kind, value, model, graph = _maximise(solver, far, u, solver.model(),
                                              solver.difference_graph(), deadline)
        if kind == "unbounded":
            return None
        values.append(value)
    if values[0] != values[1]:
        return None  # falls without end as u_i grows
    return values[1], model, graph


def value_text(objective):
    if objective.value == "unbounded":
        return "(* (- 1) oo)" if objective.sense == "min" else "oo"
    return T.smtlib_number(objective.value, T.INT)
