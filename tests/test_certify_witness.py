"""The witness finder (smtsched/certify/witness.py) on the lemmas the real theories make.

Every theory, compiled and pure-Python reference twin, runs inside the engine with each
theory wrapped in a recorder that notes which theory handed over which clause, and why
(conflict, reason, root implication, final-check lemma). For every lemma `find` must return a
witness, and every witness must pass `Validator`, written in this module from the definitions
of docs/certificates.md ("The rules") alone: it shares no code with witness.py (premises,
completions, shortest paths, the energy formula and the clique condition are recomputed here,
with Fractions and plain Bellman-Ford).

Instances: random small machines and resources (Hypothesis), random Real difference problems
(strict bounds), and real benchmarks from ../shared/data: job shops at their optimum minus one
and a PSPLIB j30 instance at its optimum minus one, with and without bound literals, plus the
ordering cuts the optimiser adds between searches (Lowering.cut).
"""
import json
import os
from fractions import Fraction

import pytest
from global_strategies import machine_formulas, machines, resource_formulas, resources
from hypothesis import given, settings
from hypothesis import strategies as st

from smtsched import Bool, Int, Or, Real
from smtsched.certify.witness import find
from smtsched.compile import compile_problem
from smtsched.core import CumulativeSpec, DemandTask, DisjunctiveSpec, Task
from smtsched.engine import Engine
from smtsched.sched import Model
from smtsched.sched.formats import read_model
from smtsched.sched.lower import Lowering, overloads
from smtsched.theories import cumulative_ref, difference_ref, disjunctive_ref
from smtsched.theory import Theory

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(HERE, "..", "..", "shared", "data")

TWINS = ["compiled", "reference"]


def twin_modules(twin):
    """(difference, disjunctive, cumulative) modules of one twin."""
    if twin == "reference":
        return difference_ref, disjunctive_ref, cumulative_ref
    difference = pytest.importorskip("smtsched.theories.difference",
                                     reason="the Cython extensions are not built")
    from smtsched.theories import cumulative, disjunctive
    return difference, disjunctive, cumulative


# -- lemmas, with the theory that made them ---------------------------------------------------

class Recorder(Theory):
    """A theory as the engine sees it, noting every clause it hands over: (name, spec, kind,
    clause). kind: conflict, reason, root (explained at level 0), final (final-check lemma)."""

    def __init__(self, inner, name, spec, log):
        self.inner, self.name, self.spec, self.log = inner, name, spec, log
        self.propagates_foreign = inner.propagates_foreign
        self.offers_fresh = inner.offers_fresh
        self.in_final = False

    def observed(self):
        return self.inner.observed()

    def assign(self, lit, fixed):
        return self.inner.assign(lit, fixed)

    def new_level(self):
        return self.inner.new_level()

    def backtrack(self, level):
        return self.inner.backtrack(level)

    def level(self):
        return self.inner.level()

    def propagate(self):
        self.in_final = False
        return self.inner.propagate()

    def conflict(self):
        clause = self.inner.conflict()
        self.log.append((self.name, self.spec, "final" if self.in_final else "conflict",
                         list(clause)))
        return clause

    def explain(self, lit):
        clause = self.inner.explain(lit)
        kind = "root" if self.inner.level() == 0 else "reason"
        self.log.append((self.name, self.spec, kind, list(clause)))
        return clause

    def final_check(self):
        self.in_final = True
        return self.inner.final_check()

    def values(self):
        return self.inner.values()

    def statistics(self):
        return self.inner.statistics()

    def literal_value(self, lit):
        return self.inner.literal_value(lit)


def atom_table(core):
    """var -> (sort, p, q, bound, strict), the atom_of of find()."""
    table = {}
    for sort, spec in core.difference.items():
        for var, p, q, bound, strict in spec.atoms:
            table[int(var)] = (sort, int(p), int(q), bound if sort == "Real" else int(bound),
                               bool(strict))
    return table


def lemmas_of(core, twin, assumptions=(), max_conflicts=None, time_limit=None,
              ordering_cuts=False, energetic=True):
    """Every lemma the theories of `core` (one twin) hand to CaDiCaL in one search."""
    difference, disjunctive, cumulative = twin_modules(twin)
    log = []
    theories = []
    graph = None
    for spec in core.active_differences():
        built = spec.build(difference.DifferenceLogic)
        if spec.sort == "Int":
            graph = built
        theories.append(Recorder(built, "difference", None, log))
    for spec in core.globals:
        if graph is None or len(spec.tasks) < 2:
            continue
        if isinstance(spec, DisjunctiveSpec):
            inner = disjunctive.DisjunctiveLogic(graph, spec.tasks, spec.order,
                                                 every_level=True, edge_finding=True)
            theories.append(Recorder(inner, "disjunctive", spec, log))
        elif isinstance(spec, CumulativeSpec):
            inner = cumulative.CumulativeLogic(graph, spec.tasks, spec.capacity, spec.order,
                                               bound_literals=spec.bound_literals,
                                               energetic=energetic, ordering_cuts=ordering_cuts)
            theories.append(Recorder(inner, "cumulative", spec, log))
    outcome = Engine(core.num_vars, core.clauses, theories, log_lemmas=True).solve(
        assumptions=list(assumptions), max_conflicts=max_conflicts, time_limit=time_limit)
    return outcome, log


# -- the independent validator (docs/certificates.md, "The rules") --------------------------------



class Validator:
    """Checks a witness against the doc's definitions, from the clause and the atoms only."""

    def __init__(self, clause, atoms, spec):
        self.clause = clause
        self.atoms = atoms
        self.spec = spec
        # premise k: (sort, tail, head, weight, strict) meaning x_head - x_tail <= weight
        self.premise = {}
        for k, lit in enumerate(clause):
            atom = atoms.get(abs(lit))
            if atom is None:
                continue
            sort, x, y, c, strict = atom
            c = int(c) if sort == "Int" else Fraction(c)   # exact either way; ints are faster
            if lit < 0:            # the atom holds: x - y <= c, edge y -> x
                self.premise[k] = (sort, y, x, c, strict)
            elif sort == "Int":    # it fails: y - x <= -c - 1
                assert not strict, "the doc has no strict Int atoms"
                self.premise[k] = (sort, x, y, -c - 1, False)
            else:                  # it fails: y - x < -c (<= -c if the atom was strict)
                self.premise[k] = (sort, x, y, -c, not strict)
        if isinstance(spec, DisjunctiveSpec):
            self.tasks = [(t.node, t.duration, 1) for t in spec.tasks]
            self.capacity = 1
        elif isinstance(spec, CumulativeSpec):
            self.tasks = [(t.node, t.duration, t.demand) for t in spec.tasks]
            self.capacity = spec.capacity
        else:
            self.tasks, self.capacity = None, None
        self.completed_cycle = False   # set when a global rule relied on it

    def check(self, rule, witness):
        if rule == "cycle":
            return self.cycle(witness["cycle"])
        if self.tasks is None:
            return False
        if rule == "energy":
            return self.energy(witness["window"], witness["tasks"])
        if rule == "clique":
            return self.clique(witness["tasks"])
        return False

    def cycle(self, indices):
        if not indices or len(set(indices)) != len(indices):
            return False
        if any(k not in self.premise for k in indices):
            return False
        edges = [self.premise[k] for k in indices]
        if len({e[0] for e in edges}) != 1:
            return False
        for e, f in zip(edges, edges[1:] + edges[:1]):
            if e[2] != f[1]:
                return False
        total = sum(e[3] for e in edges)
        return total < 0 or (total == 0 and any(e[4] for e in edges))

    def int_edges(self):
        return [(tail, head, w) for sort, tail, head, w, _ in self.premise.values()
                if sort == "Int"]

    def completions(self):
        out = []
        for tail, head, w in self.int_edges():
            for i, (node_i, p_i, d_i) in enumerate(self.tasks):
                if node_i != head:
                    continue
                for j, (node_j, p_j, d_j) in enumerate(self.tasks):
                    if (node_j == tail and i != j and p_i > 0 and p_j > 0
                            and d_i + d_j > self.capacity and w < p_j):
                        out.append((tail, head, -p_i))
        return out

    @staticmethod
    def shortest(edges, source):
        """Bellman-Ford distances from `source`; None on a negative cycle it reaches."""
        dist = {source: 0}
        for _ in range(len(edges) + 1):
            changed = False
            for tail, head, w in edges:
                if tail in dist and (head not in dist or dist[tail] + w < dist[head]):
                    dist[head] = dist[tail] + w
                    changed = True
            if not changed:
                return dist
        return None

    def has_negative_cycle(self, edges):
        nodes = {n for e in edges for n in e[:2]}
        source = object()
        return self.shortest(edges + [(source, n, 0) for n in nodes], source) is None

    def energy(self, window, tasks):
        a, b = window
        if not b > a:   # the formula alone would accept any b < a (see the report)
            return False
        if len(set(tasks)) != len(tasks) or any(not 0 <= k < len(self.tasks) for k in tasks):
            return False
        edges = self.int_edges() + self.completions()
        if self.has_negative_cycle(edges):
            self.completed_cycle = True
            return True   # the doc: "If that graph has a negative cycle, the lemma is valid"
        ahead = self.shortest(edges, 0)
        back = self.shortest([(head, tail, w) for tail, head, w in edges], 0)
        total = 0
        for k in tasks:
            node, p, d = self.tasks[k]
            if node not in ahead or node not in back:
                continue   # an infinite bound: no least energy inside
            est, lst = -back[node], ahead[node]
            total += d * max(0, min(b - a, p, est + p - a, b - lst))
        return total > self.capacity * (b - a)

    def clique(self, tasks):
        if len(set(tasks)) != len(tasks) or any(not 0 <= k < len(self.tasks) for k in tasks):
            return False
        if any(self.tasks[k][1] <= 0 for k in tasks):
            return False
        edges = self.int_edges()
        for i in tasks:
            node_i, p_i, _ = self.tasks[i]
            dist = self.shortest(edges, node_i)
            if dist is None:
                return True   # the premises alone are inconsistent
            for j in tasks:
                if j != i and not (self.tasks[j][0] in dist
                                   and dist[self.tasks[j][0]] <= p_i - 1):
                    return False
        return sum(self.tasks[k][2] for k in tasks) > self.capacity


def witness_of(name, spec, clause, atoms):
    """find()'s answer for a lemma of theory `name`; the difference theory's lemmas get no
    constraint (a global lemma that is a plain cycle gets the cycle rule anyway)."""
    return find(clause, atoms.get, spec if name != "difference" else None)


def check_all(log, atoms, tally=None):
    """Every lemma of `log` has a witness, and the validator accepts it."""
    for name, spec, kind, clause in log:
        found = witness_of(name, spec, clause, atoms)
        assert found is not None, (name, kind, clause,
                                   [(l, atoms.get(abs(l))) for l in clause])
        rule, witness = found
        assert Validator(clause, atoms, spec).check(rule, witness), (name, kind, clause,
                                                                     rule, witness)
        if tally is not None:
            key = (name, kind, rule)
            tally[key] = tally.get(key, 0) + 1


# -- the validator can fail -----------------------------------------------------------------------

def test_validator_rejects_wrong_witnesses():
    atoms = {1: ("Int", 1, 2, -3, False), 2: ("Int", 2, 1, 1, False),
             3: ("Real", 1, 2, 0, True), 4: ("Real", 2, 1, 0, False)}
    # x1 - x2 <= -3 and x2 - x1 <= 1: no cycle (-2 < 0 is one!)
    v = Validator([-1, -2], atoms, None)
    assert v.check("cycle", {"cycle": [0, 1]})
    assert not v.check("cycle", {"cycle": [0]})                 # not closed
    assert not v.check("cycle", {"cycle": [0, 1, 0]})           # a premise twice
    v = Validator([1, 2], atoms, None)                          # x2 - x1 <= 2, x1 - x2 <= -2
    assert not v.check("cycle", {"cycle": [0, 1]})              # sum 0, nothing strict
    v = Validator([-3, 4], atoms, None)                         # x1 - x2 < 0, x1 - x2 < 0
    assert not v.check("cycle", {"cycle": [0, 1]})              # not a chain
    v = Validator([-3, -4], atoms, None)                        # x1 - x2 < 0, x2 - x1 <= 0
    assert v.check("cycle", {"cycle": [0, 1]})                  # zero with a strict edge
    spec = DisjunctiveSpec([Task(1, 3), Task(2, 4)], {})
    # x1 <= 2 and x1 >= 0, x2 <= 2 and x2 >= 0: two tasks of 3 and 4 in [0, 6]
    atoms = {5: ("Int", 1, 0, 2, False), 6: ("Int", 0, 1, 0, False),
             7: ("Int", 2, 0, 2, False), 8: ("Int", 0, 2, 0, False)}
    v = Validator([-5, -6, -7, -8], atoms, spec)
    assert v.check("energy", {"window": [0, 6], "tasks": [0, 1]})
    assert not v.check("energy", {"window": [0, 7], "tasks": [0, 1]})
    assert not v.check("energy", {"window": [0, 6], "tasks": [0]})
    assert not v.check("energy", {"window": [6, 0], "tasks": []})
    assert v.check("clique", {"tasks": [0, 1]})                 # both cover [2, 3)
    v = Validator([-5, -6, -7], atoms, spec)                    # x2 unbounded above
    assert not v.check("energy", {"window": [0, 6], "tasks": [0, 1]})
    assert not v.check("clique", {"tasks": [0, 1]})


def test_a_failed_strict_real_atom_gives_a_non_strict_edge():
    """not (x1 - x2 < 0) is x2 - x1 <= 0: with x1 - x2 <= 0 that is x1 = x2, consistent;
    with x1 - x2 < 0 it is a zero cycle with a strict edge, a contradiction."""
    atoms = {1: ("Real", 1, 2, 0, True), 2: ("Real", 1, 2, 0, False),
             3: ("Real", 1, 2, Fraction(1, 3), True), 4: ("Real", 2, 1, Fraction(-1, 3), False)}
    assert find([1, -2], atoms.get) is None
    assert find([1, -1], atoms.get) == ("cycle", {"cycle": [0, 1]})
    # x1 - x2 < 1/3 and x2 - x1 <= -1/3: zero with a strict edge
    assert find([-3, -4], atoms.get) == ("cycle", {"cycle": [0, 1]})
    # not (x1 - x2 < 1/3) and not (x2 - x1 <= -1/3): x2 - x1 <= -1/3, x1 - x2 < 1/3: the same
    assert find([3, 4], atoms.get) == ("cycle", {"cycle": [0, 1]})
    # x1 - x2 < 1/3 twice (held, and not (x2 - x1 <= -1/3)): one direction, no cycle
    assert find([-3, 4], atoms.get) is None


def test_find_answers_none_without_an_argument():
    atoms = {1: ("Int", 1, 2, -3, False), 2: ("Int", 2, 1, 4, False)}
    assert find([-1, -2], atoms.get) is None          # x1 - x2 <= -3, x2 - x1 <= 4: consistent
    assert find([5, -6], atoms.get) is None           # no atoms at all
    spec = DisjunctiveSpec([Task(1, 3), Task(2, 4)], {})
    atoms = {5: ("Int", 1, 0, 2, False), 6: ("Int", 0, 1, 0, False),
             7: ("Int", 2, 0, 3, False), 8: ("Int", 0, 2, 0, False)}
    assert find([-5, -6, -7, -8], atoms.get, spec) is None   # 3 + 4 fit in [0, 7]


def test_edge_finding_reason_is_an_energy_witness_through_the_completion():
    """A (p = 1) starts in [0, 5], B (p = 4) in [0, 2]: both lie in [0, 6]. I (p = 2) starts
    at 0 or later and cannot fit in with them: edge finding sets "A before I". Its reason's
    premises are the bounds and "not (A before I)", whose completion "I before A" ends I by
    lst_A = 5: I's least energy in [0, 6] is 2, 1 + 4 + 2 > 6. (I before A alone is
    possible: the pair is no clique.)"""
    spec = DisjunctiveSpec([Task(1, 1), Task(2, 4), Task(3, 2)], {})
    atoms = {1: ("Int", 1, 0, 5, False), 2: ("Int", 0, 1, 0, False),    # x_A <= 5, x_A >= 0
             3: ("Int", 2, 0, 2, False), 4: ("Int", 0, 2, 0, False),    # x_B <= 2, x_B >= 0
             5: ("Int", 0, 3, 0, False),                                # x_I >= 0
             6: ("Int", 1, 3, -1, False)}                               # A before I
    clause = [6, -1, -2, -3, -4, -5]
    rule, witness = find(clause, atoms.get, spec)
    assert (rule, witness) == ("energy", {"window": [0, 6], "tasks": [0, 1, 2]})
    assert Validator(clause, atoms, spec).check(rule, witness)
    # without the ordering literal nothing is overloaded: A and B alone fit into [0, 6]
    assert find(clause[1:], atoms.get, spec) is None
    # x_I - x_A <= 1 = p_A lets I start as A ends (A before I stays possible): no completion
    atoms[7] = ("Int", 3, 1, 1, False)
    assert find([-7] + clause[1:], atoms.get, spec) is None


def test_a_pair_that_overlaps_through_a_chain_of_premises_is_a_clique():
    """x1 - x2 <= 2 directly, x2 - x1 <= 2 through node 3: tasks of duration 3 on nodes 1
    and 2 overlap (each starts before the other ends); no origin, so no energy bound."""
    spec = DisjunctiveSpec([Task(1, 3), Task(2, 3)], {})
    atoms = {1: ("Int", 1, 2, 2, False), 2: ("Int", 2, 3, 1, False),
             3: ("Int", 3, 1, 1, False)}
    clause = [-1, -2, -3]
    assert find(clause, atoms.get, None) is None        # no cycle: the weights sum to 4
    rule, witness = find(clause, atoms.get, spec)
    assert (rule, witness) == ("clique", {"tasks": [0, 1]})
    assert Validator(clause, atoms, spec).check(rule, witness)
    # a longer chain (x2 - x1 <= 3) lets task 2 start as task 1 ends: they may not overlap
    atoms[3] = ("Int", 3, 1, 2, False)
    assert find(clause, atoms.get, spec) is None


def test_a_cycle_through_two_completions_is_valid_by_the_completed_graph():
    """Four tasks of duration 2 on one machine: s1 - s2 <= 1 excludes "2 before 1", so 1
    ends before 2 starts; in the same way s3 - s4 <= 1, s4 - s1 <= 1 and s2 - s3 <= 1 order
    3 before 4, 4 before 1 and 2 before 3: a negative cycle through four completions. No pair
    overlaps and there is no origin: only the doc's "a negative cycle of the completed graph
    is valid" applies."""
    spec = DisjunctiveSpec([Task(1, 2), Task(2, 2), Task(3, 2), Task(4, 2)], {})
    atoms = {1: ("Int", 1, 2, 1, False), 2: ("Int", 3, 4, 1, False),
             3: ("Int", 4, 1, 1, False), 4: ("Int", 2, 3, 1, False)}
    clause = [-1, -2, -3, -4]
    assert find(clause, atoms.get, None) is None         # premises alone: weight 4
    rule, witness = find(clause, atoms.get, spec)
    assert rule == "energy" and witness["tasks"] == [0, 1, 2, 3]
    validator = Validator(clause, atoms, spec)
    assert validator.check(rule, witness) and validator.completed_cycle
    # with s2 - s3 <= 9 (no completion) the order 3, 4, 1, 2 fits: no witness
    atoms[4] = ("Int", 2, 3, 9, False)
    assert find(clause, atoms.get, spec) is None


def test_cumulative_cut_needs_demands_above_the_capacity():
    """Three pairwise overlapping tasks of demand 1: a clique on capacity 2, none on 3."""
    tasks = [DemandTask(1, 2, 1), DemandTask(2, 2, 1), DemandTask(3, 2, 1)]
    atoms = {}
    clause = []
    for var, (a, b) in enumerate([(1, 2), (2, 1), (1, 3), (3, 1), (2, 3), (3, 2)], start=1):
        atoms[var] = ("Int", a, b, -2, False)   # "a ends before b starts"
        clause.append(var)                      # the cut: some pair is ordered
    found = find(clause, atoms.get, CumulativeSpec(tasks, 2, {}))
    assert found == ("clique", {"tasks": [0, 1, 2]})
    assert Validator(clause, atoms, CumulativeSpec(tasks, 2, {})).check(*found)
    assert find(clause, atoms.get, CumulativeSpec(tasks, 3, {})) is None


# -- random instances -----------------------------------------------------------------------------

def machine_core(spec):
    return compile_problem(machine_formulas(spec))


def resource_core(spec):
    durations, demands, capacity, windows, cuts, (bound_literals, _) = spec
    return compile_problem(resource_formulas(durations, demands, capacity, windows, cuts,
                                             bound_literals))


@st.composite
def real_systems(draw):
    """Random difference constraints over Reals and Ints, strict and not, some in choices."""
    n = draw(st.integers(2, 5))
    rows = []
    for _ in range(draw(st.integers(2, 9))):
        i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        c = Fraction(draw(st.integers(-8, 8)), draw(st.sampled_from([1, 2, 3])))
        rows.append((i, j, c, draw(st.booleans()), draw(st.integers(0, 2))))
    return n, rows


def real_core(spec):
    n, rows = spec
    xs = [Real(f"x{i}") for i in range(n)]
    ys = [Int(f"y{i}") for i in range(n)]
    fs = []
    for position, (i, j, c, strict, shape) in enumerate(rows):
        if shape == 2:   # an Int row
            atom = ys[i] - ys[j] <= int(c)
        else:
            atom = (xs[i] - xs[j] < c) if strict else (xs[i] - xs[j] <= c)
        fs.append(Or(Bool(f"b{position}"), atom) if shape == 1 else atom)
    return compile_problem(fs)


def run_random(core, twin, **options):
    outcome, log = lemmas_of(core, twin, max_conflicts=400, **options)
    check_all(log, atom_table(core))
    return log


@pytest.mark.parametrize("twin", TWINS)
@settings(max_examples=60)
@given(spec=machines(max_tasks=6))
def test_every_disjunctive_lemma_has_a_valid_witness(twin, spec):
    run_random(machine_core(spec), twin)


@pytest.mark.parametrize("twin", TWINS)
@settings(max_examples=60)
@given(spec=resources(max_release=5, cuts=True, options=True))
def test_every_cumulative_lemma_has_a_valid_witness(twin, spec):
    ordering_cuts, energetic = spec[-1][1], True
    run_random(resource_core(spec), twin, ordering_cuts=ordering_cuts, energetic=energetic)


@pytest.mark.parametrize("twin", TWINS)
@settings(max_examples=60)
@given(spec=real_systems())
def test_every_difference_lemma_has_a_cycle_over_int_and_real(twin, spec):
    log = run_random(real_core(spec), twin)
    assert all(name == "difference" for name, _, _, _ in log)


@st.composite
def shops(draw):
    """A random scheduling Model: chains of tasks (jobs, some with maximum lags), machines and
    a cumulative resource, releases; a makespan bound near a simple lower bound (where the
    search has work to do); with or without bound literals and ordering cuts."""
    jobs = draw(st.integers(2, 5))
    stages = draw(st.integers(2, 4))
    machines = draw(st.integers(1, 3))
    model = Model("random")
    tasks = []
    chains = []
    for j in range(jobs):
        previous = None
        chain = 0
        for k in range(stages):
            release = draw(st.integers(0, 3))
            task = model.task(f"j{j}o{k}", draw(st.integers(0, 6)), release)
            tasks.append((task, draw(st.integers(0, machines - 1))))
            if previous is not None:
                lag = draw(st.integers(0, 2))
                max_lag = draw(st.one_of(st.none(), st.integers(lag, lag + 6)))
                model.precedence(previous, task, lag, max_lag)
                chain += lag
            chain = max(chain, release) + task.duration
            previous = task
        chains.append(chain)
    loads = []
    for m in range(machines):
        on = [t for t, machine in tasks if machine == m]
        if len(on) >= 2:
            model.unary(on)
        loads.append(sum(t.duration for t in on))
    capacity = draw(st.integers(1, 4))
    demands = {t: draw(st.integers(0, capacity)) for t, _ in tasks}
    model.cumulative(demands, capacity)
    energy = sum(t.duration * demands[t] for t, _ in tasks)
    model.minimize_makespan()
    lower = max(chains + loads + [-(-energy // capacity)])
    bound = lower + draw(st.integers(0, 4))
    horizon = bound if draw(st.booleans()) else None   # bound literals over the windows
    ordering_cuts = draw(st.booleans())
    return model, bound, horizon, ordering_cuts


@pytest.mark.parametrize("twin", TWINS)
@settings(max_examples=60)
@given(spec=shops())
def test_every_scheduling_lemma_has_a_valid_witness(twin, spec):
    model, bound, horizon, ordering_cuts = spec
    lowering = Lowering(model, horizon=horizon)
    literal = lowering.makespan_bound(bound)
    core = lowering.core
    _, log = lemmas_of(core, twin, assumptions=[literal], max_conflicts=300,
                       ordering_cuts=ordering_cuts)
    check_all(log, atom_table(core))


# -- real instances -----------------------------------------------------------------------------

def benchmark(folder, name):
    path = os.path.join(DATA, folder, name)
    if not os.path.exists(path):
        pytest.skip(f"benchmark data not found: {path} (set SMTSCHED_DATA)")
    return path


def optimum(folder, name):
    with open(benchmark(folder, "index.json")) as handle:
        return json.load(handle)[os.path.splitext(name)[0]]["optimum"]


def report(tally, label):
    """The rule per theory and kind, for the log (pytest -s)."""
    print(f"\n{label}: " + ", ".join(f"{name}/{kind}->{rule}: {count}"
                                     for (name, kind, rule), count in sorted(tally.items())))


# (folder, file, twin, horizon at the bound, ordering cuts, conflict budget): conflict budgets,
# not time limits, so that every run sees the same lemmas
REAL = [
    ("jssp", "ft06.txt", "compiled", False, False, None),
    ("jssp", "ft06.txt", "reference", False, False, None),
    ("jssp", "la02.txt", "compiled", False, False, None),
    ("jssp", "abz5.txt", "compiled", False, False, 1500),
    ("rcpsp/j30", "j3013_1.sm", "compiled", True, False, None),
    ("rcpsp/j30", "j3029_1.sm", "compiled", False, True, None),
    ("rcpsp/j30", "j301_1.sm", "reference", True, False, None),
]


@pytest.mark.parametrize("folder, name, twin, horizon, ordering_cuts, conflicts", REAL)
def test_every_lemma_of_a_benchmark_at_its_optimum_minus_one_has_a_valid_witness(
        folder, name, twin, horizon, ordering_cuts, conflicts):
    path = benchmark(folder, name)
    bound = optimum(folder, name) - 1
    lowering = Lowering(read_model(path), horizon=bound if horizon else None)
    literal = lowering.makespan_bound(bound)
    core = lowering.core
    _, log = lemmas_of(core, twin, assumptions=[literal], max_conflicts=conflicts,
                       time_limit=60, ordering_cuts=ordering_cuts)
    assert log, "the search handed over no lemma: the test would prove nothing"
    tally = {}
    check_all(log, atom_table(core), tally)
    report(tally, f"{name} at {bound} ({twin})")
    assert any(name != "difference" for name, _, _ in tally), "no global lemma"


def test_the_optimisers_ordering_cuts_are_cliques():
    """Lowering.cut, the clause the optimiser adds between searches for a set of tasks that
    overload a resource in a schedule: here on every resource of a j30 instance, in the
    schedule that starts every task as early as the precedences allow."""
    path = benchmark("rcpsp/j30", "j3029_1.sm")
    model = read_model(path)
    lowering = Lowering(model)
    core = lowering.core
    assert len(core.globals) == len(model.resources)   # one spec per resource, in order
    starts = [0] * len(model.tasks)
    for _ in model.tasks:   # longest paths over the precedences (a DAG)
        for p in model.precedences:
            starts[p.after.index] = max(starts[p.after.index],
                                        starts[p.before.index] + p.before.duration + p.min_lag)
    present = [True] * len(model.tasks)
    atoms = atom_table(core)
    cuts = 0
    for resource, spec in zip(model.resources, core.globals):
        chosen = overloads(_Only(model, resource), starts, present)
        for tasks in chosen:
            clause = lowering.cut(tasks)
            found = find(clause, atoms.get, spec)
            assert found is not None and found[0] == "clique", (tasks, found)
            assert Validator(clause, atoms, spec).check(*found)
            place = {t.index: k for k, (t, _) in enumerate(resource.demands)}
            assert sorted(found[1]["tasks"]) == sorted(place[t.index] for t in tasks)
            cuts += 1
    assert cuts >= 2


class _Only:
    """A model seen through one resource (for sched.lower.overloads)."""

    def __init__(self, model, resource):
        self.resources = [resource]
