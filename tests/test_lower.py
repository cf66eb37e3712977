"""The direct lowering (smtsched.sched.lower) gives the problem of the old road (the pairwise
encoding smtsched.sched.encode.Encoding, compiled by smtsched.compile) and the same answers.

Two comparisons:

- identical: without Tseitin gates on the old road (no optional tasks under a guarded
  disjunction, no alternatives, no optional consumers of a buffer), the two CoreProblems are
  equal field by field: the same number of variables, the same clauses in the same order, the
  same difference atoms (variable, nodes, bound) in the same order, the same global specs
  (tasks, ordering literals keyed by pair, bound literals, options), the same pseudo-Boolean
  rows. Searches with the same seed then make the same decisions: the statistics of a
  conflict-limited check are equal too.
- canonical: always, the problems are equal up to a renaming of the SAT variables, as dumps
  that name every variable by what it means: an atom by its two graph nodes (the origin, the
  start of task i, the makespan) and its bound, oriented by the order of those names (x_p -
  x_q <= c is the negation of x_q - x_p <= -c - 1); a presence by its task; a live literal by
  (memory, buffer, instant); a bound's guard by the bound; the constant true. Clauses are
  compared as a multiset of literal sets, globals in order with their literals named, rows as
  multisets of (literal, weight) with their bound.

The differences, all from Tseitin gates the old road makes and the lowering does not need
(a gate is a fresh variable g with the clauses [-g, a_i] and [g, -a_1, ..., -a_n]; the dump of
the old problem drops those clauses and writes each use of g out: -g becomes -a_1 ... -a_n
inside its clause, g splits its clause into one per a_i):

- alternatives: Not(And(p_i, p_j)) is a gate and the unit [-g]; lowered: [-p_i, -p_j].
- an option starting with its task: Or(Not(p), start_o == start_t), where == is a gate over
  the two atoms; lowered: [-p, a1] and [-p, a2].
- a resource with optional tasks: Or(Not(p_a), Not(p_b), Or(before, after)), the inner Or a
  gate; lowered: [-p_a, -p_b, before, after].
- an optional consumer of a buffer: the condition And(present, start(j) < end(e)) is a gate;
  lowered: its two literals in the liveness clause.

One more difference, not a gate: with constants near 2**60 compile.implied_orders gives up the
pruning of pairs the precedences order (its int64 path sums could overflow), and the lowering,
summing in Python integers, prunes exactly: fewer atoms, the same answers
(test_numbers_near_64_bits_lower_exactly).

So the canonical dumps are equal, and without those families the problems are identical. The
variable numbers shift after a gate (the old road numbered it), which changes CaDiCaL's search
but not the answers: for every model the tests also solve both problems (through the factory and
the engine) at the bounds around the optimum, and the answers must agree.
"""
import collections
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smtsched.compile import compile_problem
from smtsched.core.problem import INT
from smtsched.core.specs import CostSpec, CumulativeSpec, DisjunctiveSpec
from smtsched.engine import Engine
from smtsched.sched import Model, read_model
from smtsched.sched.encode import Encoding
from smtsched.sched.lower import Lowering

import sched_oracle

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("SMTSCHED_DATA", os.path.join(HERE, "..", "..", "shared", "data"))
needs_data = pytest.mark.skipif(not os.path.isdir(DATA),
                                reason=f"benchmark data not found at {DATA} (SMTSCHED_DATA)")


# ------------------------------------------------------------------------- naming variables

def _node_key(description):
    kind = description[0]
    return (0,) if kind == "zero" else (1, description[1]) if kind == "start" else (2,)


class Namer:
    """What every variable of one problem means: `nodes` (graph node -> name), `bools` (SAT
    variable -> name) for the variables that are no atoms."""

    def __init__(self, core, nodes, bools):
        self.atoms = {a.var: (nodes[a.p], nodes[a.q], a.bound) for a in
                      core.difference[INT].atoms}
        self.nodes = nodes
        self.bools = bools

    def literal(self, lit):
        var = abs(lit)
        sign = 1 if lit > 0 else -1
        if var in self.atoms:
            p, q, bound = self.atoms[var]
            if _node_key(p) > _node_key(q):
                p, q, bound, sign = q, p, -bound - 1, -sign
            return sign, ("atom", p, q, bound)
        return sign, self.bools[var]


def old_namer(core, model):
    """Names on the old road: the compiler's node and Bool keys hold the encoding's names."""
    by_name = {t.name: t.index for t in model.tasks}
    nodes = [None] * core.difference[INT].num_nodes
    for key, node in core.difference[INT].node_of.items():
        if key is None:
            nodes[node] = ("zero",)
        elif key[1] == "makespan":
            nodes[node] = ("makespan",)
        else:
            nodes[node] = ("start", by_name[key[1][len("start "):]])
    buffers = {}
    for m, memory in enumerate(model.memories):
        for b, buffer in enumerate(memory.buffers):
            buffers[f"{memory.name}.{buffer.name}"] = (m, b)
    bools = {}
    for key, var in core.bool_var.items():
        name = key[1]
        if name.startswith("present "):
            bools[var] = ("present", by_name[name[len("present "):]])
        elif name.startswith("live "):
            where, instant = name[len("live "):].rsplit(" @ ", 1)
            bools[var] = ("live",) + buffers[where] + (-1 if instant == "0" else by_name[instant],)
        else:   # a bound's guard: "<objective> <= <bound> #<n>"
            bools[var] = ("guard", int(name.split(" <= ")[1].split(" #")[0]))
    return Namer(core, nodes, bools)


def new_namer(lowering, guards=()):
    """Names on the new road: the lowering's arrays (`guards`: (bound, literal) pairs)."""
    core = lowering.core
    nodes = [None] * core.difference[INT].num_nodes
    for key, node in core.difference[INT].node_of.items():
        nodes[node] = ("zero",) if key is None else key
    bools = {var: key for key, var in core.bool_var.items()}
    for memory in lowering.memories:
        for (_, live, _, _), buffers, instant in zip(memory.sums, memory.buffers,
                                                     memory.instants):
            for var, b in zip(live, buffers):
                bools[var] = ("live", memory.number, b, instant)
    if lowering._true is not None:
        bools[lowering._true] = ("true",)
    for bound, literal in guards:
        bools[abs(literal)] = ("guard", bound)
    return Namer(core, nodes, bools)


def expand_gates(core, namer):
    """The clauses of `core` without its Tseitin AND gates (see the module docstring), and the
    number of gates. An unnamed variable whose first clause is a unit is the constant true."""
    clauses = core.clauses
    known = set(namer.atoms) | set(namer.bools)
    gates = {}
    definitional = set()
    k = 0
    while k < len(clauses):
        clause = clauses[k]
        unknown = [lit for lit in clause if abs(lit) not in known and abs(lit) not in gates]
        if not unknown:
            k += 1
            continue
        g = abs(unknown[0])
        if clause == [g]:
            namer.bools[g] = ("true",)
            known.add(g)
            continue
        assert len(clause) == 2 and clause[0] == -g, f"not a gate definition: {clause}"
        args, j = [], k
        while len(clauses[j]) == 2 and clauses[j][0] == -g:
            args.append(clauses[j][1])
            j += 1
        assert clauses[j] == [g] + [-a for a in args], f"not a gate definition: {clauses[j]}"
        gates[g] = args
        definitional.update(range(k, j + 1))
        k = j + 1
    out = []
    for k, clause in enumerate(clauses):
        if k in definitional:
            continue
        pending = [list(clause)]
        while pending:
            clause = pending.pop()
            at = next((i for i, lit in enumerate(clause) if abs(lit) in gates), None)
            if at is None:
                out.append(clause)
                continue
            lit = clause[at]
            rest = clause[:at] + clause[at + 1:]
            if lit < 0:   # not AND(a): some a is false
                pending.append(rest + [-a for a in gates[-lit]])
            else:         # AND(a): every a
                pending.extend(rest + [a] for a in gates[lit])
    return out, len(gates)


def dump(core, namer):
    """The canonical dump of a CoreProblem (see the module docstring), and its gate count."""
    clauses, gates = expand_gates(core, namer)
    name = namer.literal

    def clause_key(clause):
        return frozenset(name(lit) for lit in clause)

    def named(mapping):
        return {key: name(lit) for key, lit in mapping.items()}

    globals_ = []
    for spec in core.globals:
        if isinstance(spec, DisjunctiveSpec):
            globals_.append(("disjunctive", [(namer.nodes[t.node], t.duration)
                                             for t in spec.tasks], named(spec.order),
                             spec.options))
        elif isinstance(spec, CumulativeSpec):
            globals_.append(("cumulative", [(namer.nodes[t.node], t.duration, t.demand)
                                            for t in spec.tasks], spec.capacity,
                             named(spec.order), named(spec.bound_literals), spec.options))
        else:
            assert isinstance(spec, CostSpec)
            globals_.append(("cost", [(namer.nodes[t.node], t.duration, t.weight, t.due)
                                      for t in spec.tasks], spec.bound,
                             None if spec.guard is None else name(spec.guard)))
    rows = collections.Counter(
        (tuple(sorted(collections.Counter(zip(map(name, row.literals), row.weights)).items(),
                      key=repr)), row.bound) for row in core.pseudo_boolean)
    atoms = {name(a.var)[1] for a in core.difference[INT].atoms}
    return {
        "nodes": sorted(map(repr, namer.nodes)),
        "atoms": atoms,
        "clauses": collections.Counter(map(clause_key, clauses)),
        "globals": globals_,
        "rows": rows,
    }, gates


# ------------------------------------------------------------------------- the two roads

def old_road(model, horizon=None, bounds=()):
    """The compiled pairwise encoding, with the guarded bounds of `bounds` asserted after it
    (as the optimiser adds them), and the assumption literals of those bounds."""
    from smtsched.terms import Bool
    encoding = Encoding(model, horizon)
    formulas = list(encoding.formulas)
    assumptions = []
    for number, bound in enumerate(bounds):
        if model.objective == "makespan":
            assumptions.append(encoding.makespan <= bound)
            continue
        guard = Bool(f"{model.objective} <= {bound} #{number + 1}")
        if model.objective == "peak_memory":
            formulas += encoding.memory_encoding(model.objective_memory).bound_formulas(
                bound, guard)
        else:
            formulas.append(encoding.cost_bound(bound, guard))
        assumptions.append(guard)
    core = compile_problem(formulas, assumptions)
    return core, list(core.assumption_literals)


def new_road(model, horizon=None, bounds=()):
    # (without the presence theories, which the encoding has not: Lowering._optional_cumulative)
    lowering = Lowering(model, horizon, presence=False)
    literals, guards = [], []
    for bound in bounds:
        if model.objective == "makespan":
            literals.append(lowering.makespan_bound(bound))
            continue
        if model.objective == "peak_memory":
            guard = lowering.memory_bound(model.objective_memory, bound)
        else:
            guard, _ = lowering.cost_bound(bound)
        guards.append((bound, guard))
        literals.append(guard)
    return lowering, literals, guards


def solve(core, assumptions, max_conflicts=None):
    """One engine search of a core problem under assumptions: (status, statistics)."""
    from smtsched.core.factory import build_theories
    built = build_theories(core)
    assert built.unknown is None, built.unknown
    engine = Engine(core.num_vars, core.clauses, built.theories)
    outcome = engine.solve(assumptions, max_conflicts=max_conflicts)
    return outcome


def compare(model, horizon=None, bounds=(), identical=None):
    """Both roads for `model`: the canonical dumps are equal; identical problems when the old
    road made no gate (or when `identical` says so). Returns (old core, old assumptions,
    lowering, new assumptions), or None when the old road refuses the model (windows under a
    horizon need heads and tails, which a positive cycle has not: the optimiser answers such
    a model before it builds anything), which the new road must refuse alike."""
    try:
        old, old_assumptions = old_road(model, horizon, bounds)
    except Exception as error:  # noqa: BLE001  (the same refusal below)
        with pytest.raises(type(error)):
            new_road(model, horizon, bounds)
        return None
    lowering, new_assumptions, guards = new_road(model, horizon, bounds)
    new = lowering.core
    old_dump, gates = dump(old, old_namer(old, model))
    new_dump, new_gates = dump(new, new_namer(lowering, guards))
    assert new_gates == 0
    for part in old_dump:
        assert old_dump[part] == new_dump[part], f"{model.name}: the {part} differ"
    if identical or (identical is None and gates == 0):
        assert_identical(old, new)
        assert old_assumptions == new_assumptions
    return old, old_assumptions, lowering, new_assumptions


def assert_identical(old, new):
    assert old.num_vars == new.num_vars
    assert old.clauses == new.clauses
    assert old.difference[INT].atoms == new.difference[INT].atoms
    assert old.difference[INT].num_nodes == new.difference[INT].num_nodes
    assert old.globals == new.globals
    assert [r.as_tuple() for r in old.pseudo_boolean] == \
        [r.as_tuple() for r in new.pseudo_boolean]


def agree(old, old_assumptions, new, new_assumptions, same_search, max_conflicts=None):
    """Both problems give the same answer under their assumptions (and, when they are
    identical, the same search: equal statistics). A problem the factory refuses (a cost over
    no graph: the optimiser never searches an empty model) is refused on both roads."""
    from smtsched.errors import UnsupportedError
    answers = []
    for core, assumptions in ((old, old_assumptions), (new, new_assumptions)):
        try:
            answers.append(solve(core, assumptions, max_conflicts))
        except UnsupportedError as error:
            answers.append(type(error))
    a, b = answers
    if isinstance(a, type) or isinstance(b, type):
        assert a == b
        return None
    if not same_search and "unknown" in (a.status, b.status):
        # other searches (other numbering) cut at a conflict limit: only answers count
        assert max_conflicts is not None, (a.status, a.reason, b.status, b.reason)
        return None
    assert a.status == b.status
    if same_search:
        assert a.stats == b.stats
    return a.status


# ------------------------------------------------------------------------- benchmarks

def _path(*parts):
    return os.path.join(DATA, *parts)


# (file, optimum, a horizon for the windows of the cumulative resources)
BENCHMARKS = [
    (("jssp", "la01.txt"), 666, None),
    (("jssp", "la02.txt"), 655, None),
    (("jssp", "la03.txt"), 597, None),
    (("rcpsp", "j30", "j301_1.sm"), 43, 50),
    (("rcpsp", "j30", "j301_2.sm"), 47, 55),
    (("rcpsp", "j30", "j301_3.sm"), 47, 55),
]


@needs_data
@pytest.mark.parametrize("parts, optimum, horizon", BENCHMARKS,
                         ids=[p[-1] for p, _, _ in BENCHMARKS])
def test_benchmarks_lower_to_the_identical_problem(parts, optimum, horizon):
    model = read_model(_path(*parts))
    for bound in (optimum - 1, optimum):
        old, old_assumptions, lowering, new_assumptions = compare(
            model, horizon, bounds=(bound,), identical=True)
        status = agree(old, old_assumptions, lowering.core, new_assumptions, True)
        assert status == ("sat" if bound == optimum else "unsat")


def _dnn(graph, accelerator, objective):
    from smtsched.dnn import load_accelerator, load_graph
    from smtsched.dnn.problem import DnnProblem
    return DnnProblem(load_graph(_path("dnn", *graph)),
                      load_accelerator(os.path.join(HERE, "..", "examples", accelerator)),
                      objective=objective).model


N100 = ("moccasin", "random_layered_n100_w0.27_nlv0.75_ed0.2_scd0.14.json")
N250 = ("moccasin", "random_layered_n250_w0.43_nlv0.75_ed0.2_scd0.14.json")
DNN_MODELS = [
    (N100, "npu-small.toml", "latency"),
    (N100, "single-core.toml", "latency"),
    (N250, "npu-small.toml", "peak-memory"),
    (N250, "single-core.toml", "peak-memory"),
]


@needs_data
@pytest.mark.parametrize("graph, accelerator, objective", DNN_MODELS,
                         ids=[f"{g[1][:19]}-{a[:-5]}-{o}" for g, a, o in DNN_MODELS])
def test_dnn_models_lower_to_the_identical_problem(graph, accelerator, objective):
    """Four operator graphs (a tensor core and two vector units with 32 MiB, or one core),
    with the probes' bounds: at the greedy schedule's objective and halfway down to the
    static bound. The searches are cut at 200 conflicts: the same statistics."""
    from smtsched.sched import heuristic
    model = _dnn(graph, accelerator, objective)
    greedy = model.objective_value(heuristic.serial_schedule(model, 0))
    lowering = Lowering(model)
    if model.objective == "peak_memory":
        low = lowering.memory(model.objective_memory).lower_bound
    else:
        from smtsched.sched import bounds
        low = bounds.makespan_lower_bound(model)
    probes = (greedy, (greedy + low) // 2)
    old, old_assumptions, lowering, new_assumptions = compare(model, None, probes,
                                                              identical=True)
    for k in range(len(probes)):
        agree(old, [old_assumptions[k]], lowering.core, [new_assumptions[k]], True,
              max_conflicts=200)


# ------------------------------------------------------------------------- random models

def _bounds(spec, draw):
    """A few bounds on the objective of a random model, from 0 to a value every schedule
    within the oracle's window meets."""
    kind = spec["objective"][0]
    if kind == "none":
        return ()
    tasks = spec["tasks"]
    if kind == "makespan":
        top = sum(d for d, _, _, _ in tasks) + max([r for _, r, _, _ in tasks], default=0) \
            + sum(max(0, lo) for _, _, lo, _ in spec["precedences"])
    elif kind == "peak":
        top = sum(b[0] for b in spec["memories"][spec["objective"][1]][1])
    else:
        top = 60
    return tuple(sorted(set(draw(st.lists(st.integers(0, top), min_size=1, max_size=3)))))


def optimum(lowering, spec):
    """The optimum of the lowered problem (None: infeasible), searched bound by bound from a
    first schedule down, overloads cut between searches, every schedule held to the oracle's
    check (tests/sched_oracle.py shares no code with smtsched)."""
    model = lowering.model
    kind = spec["objective"][0]
    best, bound = None, None
    while True:
        assumptions = []
        if bound is not None:
            if kind == "makespan":
                assumptions = [lowering.makespan_bound(bound)]
            elif kind == "peak":
                assumptions = [lowering.memory_bound(model.objective_memory, bound)]
            else:
                assumptions = [lowering.cost_bound(bound)[0]]
        while True:
            outcome = solve(lowering.core, assumptions)
            if outcome.status != "sat":
                assert outcome.status == "unsat"
                return best
            starts, present = lowering.schedule(outcome)
            overloads = lowering.overloads(starts, present)
            if not overloads:
                break
            lowering.core.clauses.extend(lowering.cut(tasks) for tasks in overloads)
        starts = [s if p else 0 for s, p in zip(starts, present)]
        assert not sched_oracle.violations(spec, starts, present)
        if kind == "none":
            return 0
        best = sched_oracle.objective(spec, starts, present)
        if best == 0:   # no objective is below 0
            return best
        assert bound is None or best <= bound
        bound = best - 1


@settings(max_examples=300, suppress_health_check=list(HealthCheck))
@given(st.one_of(sched_oracle.specs(min_tasks=0, max_tasks=4),
                 sched_oracle.specs(min_tasks=2, max_tasks=4, memory=True),
                 sched_oracle.dense_specs(min_tasks=5, max_tasks=7)), st.data())
def test_random_models_lower_to_the_same_problem(input_log, spec, data):
    """Models drawn from everything the Model API accepts (tests/sched_oracle.py): the same
    problem (canonical dump; identical without gates), the same answers under a few bounds
    and without one."""
    compare_random(input_log, spec, data, unbounded=True)


def compare_random(input_log, spec, data, unbounded=False, max_conflicts=None):
    """Both roads for a random specification under a few drawn bounds (and a drawn horizon):
    the same problem, the same answers (without a bound too when `unbounded`)."""
    input_log.record(sched_oracle.describe(spec))
    model, _ = sched_oracle.build(spec)
    bounds = _bounds(spec, data.draw)
    horizon = data.draw(st.sampled_from([None, max(bounds, default=None)]))
    compared = compare(model, horizon, bounds)
    if compared is None:
        return
    old, old_assumptions, lowering, new_assumptions = compared
    same = old.num_vars == lowering.core.num_vars and old.clauses == lowering.core.clauses
    if unbounded:
        agree(old, [], lowering.core, [], same, max_conflicts)
    for k in range(len(bounds)):
        agree(old, [old_assumptions[k]], lowering.core, [new_assumptions[k]], same,
              max_conflicts)


@settings(max_examples=200, suppress_health_check=list(HealthCheck))
@given(st.one_of(sched_oracle.specs(min_tasks=8, max_tasks=16, max_duration=6, max_lag=6,
                                    max_release=6, memory=True),
                 sched_oracle.specs(min_tasks=8, max_tasks=16, max_duration=6, max_lag=6),
                 sched_oracle.dense_specs(min_tasks=10, max_tasks=16)), st.data())
def test_larger_random_models_lower_to_the_same_problem(input_log, spec, data):
    """Larger models (8-16 tasks: more buffers per instant, resources sharing tasks, optional
    consumers): the same problem, and the same answer of a search cut at 100 conflicts."""
    compare_random(input_log, spec, data, max_conflicts=100)


@settings(max_examples=300, suppress_health_check=list(HealthCheck))
@given(st.one_of(sched_oracle.specs(min_tasks=0, max_tasks=3),
                 sched_oracle.specs(min_tasks=2, max_tasks=4, memory=True)))
def test_random_models_lowered_reach_the_brute_force_optimum(input_log, spec):
    """The lowered problem alone (bounds, cuts and schedules through the Lowering) finds the
    optimum of the brute-force oracle, on tiny models it can enumerate."""
    if sched_oracle.grid_size(spec) > 20000:
        return
    input_log.record(sched_oracle.describe(spec))
    truth = sched_oracle.brute_force(spec)[0]
    model, _ = sched_oracle.build(spec)
    from smtsched.sched.bounds import positive_cycle
    from smtsched.sched.memory import oversized_buffer
    if positive_cycle(model) is not None or oversized_buffer(model) is not None:
        assert truth is None   # the optimiser answers these without a search
        return
    assert optimum(Lowering(model), spec) == truth


# ------------------------------------------------------------------------- the optimiser's API

def _job_shop():
    m = Model("small job shop")
    jobs = [[(0, 3), (1, 2), (2, 2)], [(0, 2), (2, 1), (1, 4)], [(1, 4), (2, 3), (0, 1)]]
    machines = [[] for _ in range(3)]
    tasks = []
    for j, ops in enumerate(jobs):
        previous = None
        for k, (machine, duration) in enumerate(ops):
            t = m.task(f"j{j}o{k}", duration)
            machines[machine].append(t)
            tasks.append(t)
            if previous is not None:
                m.precedence(previous, t)
            previous = t
    for ts in machines:
        m.unary(ts)
    m.minimize_makespan()
    return m, tasks


def test_before_is_the_machine_ordering_literal():
    """`before(a, b)` on a machine is the very literal of the machine's spec (no new atom);
    for two tasks of a job it is the precedence's atom, a unit clause; for two tasks that
    share nothing, a new atom, the same one when asked again."""
    m, tasks = _job_shop()
    lowering = Lowering(m)
    spec = lowering.core.globals[0]
    machine = [t for t, _ in m.resources[0].demands]
    atoms = len(lowering.core.difference[INT].atoms)
    for (i, j), literal in spec.order.items():
        assert lowering.before(machine[i], machine[j]) == literal
    assert len(lowering.core.difference[INT].atoms) == atoms
    assert [lowering.before(tasks[0], tasks[1])] in lowering.core.clauses
    assert len(lowering.core.difference[INT].atoms) == atoms
    literal = lowering.before(tasks[0], tasks[4])      # j0o0 (machine 0), j1o1 (machine 2)
    assert abs(literal) == lowering.core.num_vars
    assert lowering.before(tasks[0], tasks[4]) == literal


def test_phases_of_a_valid_schedule_satisfy_every_clause():
    """The literals `phases` gives for a valid schedule make every clause of a job shop
    (all over atoms) true, and the makespan bound at its makespan."""
    from smtsched.sched import heuristic
    m, tasks = _job_shop()
    starts = heuristic.serial_schedule(m, 0)
    makespan = m.objective_value(starts)
    lowering = Lowering(m)
    bound = lowering.makespan_bound(makespan)
    below = lowering.makespan_bound(makespan - 1)
    phases = set(lowering.phases(starts, makespan=makespan))
    assert bound in phases and -below in phases
    for clause in lowering.core.clauses:
        assert any(lit in phases for lit in clause), clause
    # without the makespan's value the atoms on its node get no phase
    assert abs(bound) not in {abs(lit) for lit in lowering.phases(starts)}


def test_schedule_reads_starts_and_presences_of_a_search():
    m = Model()
    a = m.task("a", 2, release=3)
    b = m.task("b", 1, optional=True)
    c = m.task("c", 1, optional=True)
    m.alternative(a, [b, c])
    m.precedence(a, c, min_lag=4)
    m.unary([b, c])
    lowering = Lowering(m)
    outcome = solve(lowering.core, [lowering.makespan_bound(5)])
    assert outcome.status == "sat"
    starts, present = lowering.schedule(outcome)
    assert present[0] and present[1] != present[2]
    assert starts[0] >= 3 and starts[0] + 2 <= 5
    assert present[1] and starts[1] == starts[0]   # c cannot fit before 5 after a's lag


def test_cut_forbids_the_overload_it_was_made_for():
    """Without its presence theory (certificates) a resource with optional tasks carries
    pairwise clauses only: three tasks of demand 1 on capacity 2 overlap until the cut of
    `overloads` forbids it. (With it, the timetable refutes them: the last lines.)"""
    m = Model()
    tasks = [m.task(f"t{i}", 2, optional=i == 0) for i in range(3)]
    m.cumulative({t: 1 for t in tasks}, 2)
    m.alternative(m.task("main", 2), [tasks[0]])
    lowering = Lowering(m, presence=False)
    assumptions = [lowering.makespan_bound(2)]
    outcome = solve(lowering.core, assumptions)
    assert outcome.status == "sat"
    starts, present = lowering.schedule(outcome)
    overloads = lowering.overloads(starts, present)
    assert [sorted(t.index for t in ts) for ts in overloads] == [[0, 1, 2]]
    lowering.core.clauses.append(lowering.cut(overloads[0]))
    assert solve(lowering.core, assumptions).status == "unsat"
    assert solve(lowering.core, [lowering.makespan_bound(4)]).status == "sat"
    lowering = Lowering(m)
    assert solve(lowering.core, [lowering.makespan_bound(2)]).status == "unsat"
    assert solve(lowering.core, [lowering.makespan_bound(4)]).status == "sat"


def test_retired_guards_switch_their_bound_off():
    m = Model()
    a, b = m.task("a", 2), m.task("b", 3)
    m.unary([a, b])
    m.minimize_weighted_completion()
    lowering = Lowering(m)
    guard, spec = lowering.cost_bound(6)       # a then b: 2 + 5 = 7 > 6
    assert spec.guard == guard and lowering.core.globals[-1] is spec
    assert solve(lowering.core, [guard]).status == "unsat"
    lowering.core.clauses.append(lowering.retire(guard))
    assert solve(lowering.core, []).status == "sat"
    assert solve(lowering.core, [guard]).status == "unsat"
    _, unguarded = lowering.cost_bound(7, guarded=False)
    assert unguarded.guard is None and solve(lowering.core, []).status == "sat"


def test_a_passed_deadline_stops_the_lowering():
    from smtsched.sched.encode import EncodingTimeout
    m, _ = _job_shop()
    with pytest.raises(EncodingTimeout):
        Lowering(m, deadline=time.perf_counter() - 1)


def _big_model(big):
    m = Model()
    a, b, c = m.task("a", big), m.task("b", big + 1, release=big), m.task("c", 3)
    m.precedence(a, c, min_lag=big)
    m.unary([a, b, c])
    m.set_horizon(4 * big)
    m.minimize_makespan()
    return m    # optimum 2 * big + 4: a, b, c in that order


def test_numbers_near_64_bits_lower_exactly():
    """Numbers of 2**60 and more: Python integers in the arrays (object dtype). The one
    difference from the old road: compile.implied_orders gives up the pruning when chains could
    overflow its int64 sums (every pair of the machine gets its atoms), the lowering prunes
    exactly (a and c, ordered by a lag of 2**60, get none); the answers agree. At 2**62 the
    lowering still gives the exact problem (solved by the exact reference theories)."""
    big = 2 ** 60
    model = _big_model(big)
    old, old_assumptions = old_road(model, None, (2 * big + 3, 2 * big + 4))
    lowering, new_assumptions, _ = new_road(model, None, (2 * big + 3, 2 * big + 4))
    assert lowering.dtype is object
    assert len(old.globals[0].order) == 6 and len(lowering.core.globals[0].order) == 4
    for k, answer in enumerate(("unsat", "sat")):
        assert solve(old, [old_assumptions[k]]).status == answer
        assert solve(lowering.core, [new_assumptions[k]]).status == answer
    big = 2 ** 62
    lowering = Lowering(_big_model(big))
    assert solve(lowering.core, [lowering.makespan_bound(2 * big + 4)]).status == "sat"
    assert solve(lowering.core, [lowering.makespan_bound(2 * big + 3)]).status == "unsat"


def test_long_chains_of_large_lags_are_summed_exactly():
    """Lags below 2**60 each whose chain passes 2**63: the implied orders are summed in Python
    integers (int64 would wrap around to a negative length and lose the pruning, or worse)."""
    m = Model()
    lag = (1 << 59) + 7
    tasks = [m.task(f"t{i}", 1) for i in range(20)]
    for a, b in zip(tasks, tasks[1:]):
        m.precedence(a, b, min_lag=lag)
    m.unary([tasks[0], tasks[-1], m.task("free", 1)])
    lowering = Lowering(m)
    assert lowering._reach_dtype is object
    # t0 -> t19 is implied (19 lags): no atoms for it; "free" is paired with both
    assert sorted(lowering.core.globals[0].order) == [(0, 2), (1, 2), (2, 0), (2, 1)]


@needs_data
def test_phases_are_the_solvers_hint_of_the_same_schedule():
    """On la01 with the greedy schedule: the same literals as the Solver's hint {start:
    value, makespan: value} gives on the compiled encoding (identical problems)."""
    from smtsched.sched import heuristic
    from smtsched.solver import _phases
    from smtsched.terms import INT as TERM_INT
    model = read_model(_path("jssp", "la01.txt"))
    starts = heuristic.serial_schedule(model, 0)
    makespan = model.objective_value(starts)
    encoding = Encoding(model, makespan - 1)
    old = compile_problem(encoding.formulas)
    hint = {("var", f"start {t.name}", TERM_INT): starts[t.index] for t in model.tasks}
    hint[("var", "makespan", TERM_INT)] = makespan
    lowering = Lowering(model, makespan - 1)
    assert sorted(_phases(old, old.active_differences(), hint)) == \
        sorted(lowering.phases(starts, makespan=makespan))


@needs_data
def test_pairs_made_in_small_blocks_give_the_same_problem(monkeypatch):
    """The pairs of a machine or a cumulative resource are made in blocks of rows (the clock
    read between), the chains of the precedences in blocks of tasks: blocks of a few pairs,
    of a few tasks, give the very problem of one block."""
    for parts, horizon in ((("jssp", "la01.txt"), None), (("rcpsp", "j30", "j301_1.sm"), 50),
                           (N100, None)):
        if parts is N100:
            model = _dnn(N100, "single-core.toml", "peak-memory")
        else:
            model = read_model(_path(*parts))
        whole = Lowering(model, horizon).core
        monkeypatch.setattr(Lowering, "PAIRS_PER_BLOCK", 3)
        monkeypatch.setattr(Lowering, "REACH_ENTRIES", 7 * len(model.tasks))
        assert_identical(whole, Lowering(model, horizon).core)
        monkeypatch.undo()
