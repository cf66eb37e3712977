"""The memory theory (theories/memory_ref.py and its compiled twin theories/memory.pyx).

* Step by step, on random small difference graphs and trails: the two twins agree on
  conflict or not and on the buffers behind it at every propagation, and on every final
  check (the same clause, or both accept).
* Every clause either twin makes is false on the trail and implied by the memory constraint:
  a brute-force oracle (written here, sharing no code with smtsched) enumerates every integer
  value of the graph's nodes in a box and every value of the guards, and finds no point
  where the memory fits, the guard semantics hold, and the clause is false.
* The sweep behind the final check and the backend's cuts (`overload`) on hand-made
  schedules: kept buffers, empty intervals, frees before allocations at one instant.
"""
import itertools

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from smtsched.core.problem import INT, DiffAtom, DifferenceSpec
from smtsched.theories import difference_ref, memory_ref

compiled_dl = pytest.importorskip("smtsched.theories.difference",
                                  reason="the Cython extension is not built (pure-Python install)")
compiled_memory = pytest.importorskip("smtsched.theories.memory",
                                      reason="the Cython extension is not built")
from smtsched.theories import sparse_difference, sparse_difference_ref  # noqa: E402

# (compiled graph, reference graph): the dense matrix and the sparse graph (which gives only
# the bounds to and from the origin, all the memory theory reads)
GRAPHS = {"dense": (compiled_dl.DifferenceLogic, difference_ref.DifferenceLogic),
          "sparse": (sparse_difference.SparseDifferenceLogic,
                     sparse_difference_ref.SparseDifferenceLogic)}

HORIZON = 2      # a task node's value lies in [0, HORIZON] when it has that root fact
BOX = 4          # the oracle's box: every node in [0, BOX]


@st.composite
def instances(draw):
    """(num_nodes, buffers [(alloc, free or None, size)], capacities [(guard, bytes)],
    atoms [(var, p, q, bound)] in the lowering's orientation (p < q), root unit literals,
    the guard variables)."""
    tasks = draw(st.integers(1, 2))                       # task nodes 1..tasks
    count = draw(st.integers(2, 4))
    buffers = []
    free_node = tasks + 1
    for _ in range(count):
        alloc = draw(st.integers(0, tasks))
        kept = draw(st.integers(0, 5)) == 0
        size = draw(st.integers(0, 4))
        buffers.append((alloc, None if kept else free_node, size))
        if not kept:
            free_node += 1
    num_nodes = free_node
    table = {}

    def atom(p, q, bound):
        """The literal of x_p - x_q <= bound (one variable per canonical atom)."""
        key, sign = memory_ref.canonical(p, q, bound)
        if key not in table:
            table[key] = len(table) + 1
        return sign * table[key]
    units = []
    for v in range(1, num_nodes):
        units.append(atom(0, v, 0))                        # x_v >= 0
    for v in range(1, tasks + 1):
        if draw(st.booleans()):
            units.append(atom(v, 0, HORIZON))              # x_v <= HORIZON
    for alloc, free, _ in buffers:
        if free is not None:
            units.append(atom(alloc, free, -1))            # x_f >= x_a + 1
    # atoms for the driver to decide: random pairs, and some of the cut's own atoms
    for _ in range(draw(st.integers(2, 6))):
        p = draw(st.integers(0, num_nodes - 1))
        q = draw(st.integers(0, num_nodes - 1))
        if p != q:
            atom(p, q, draw(st.integers(-3, 3)))
    for alloc, free, _ in buffers:
        for other, _, _ in buffers:
            if other != alloc and draw(st.integers(0, 2)) == 0:
                atom(alloc, other, -1)
            if free is not None and other != free and draw(st.integers(0, 2)) == 0:
                atom(free, other, 0)
    atoms = [(var, p, q, bound) for (p, q, bound), var in table.items()]
    units = sorted(set(units), key=abs)
    guards, capacities = [], []
    for _ in range(draw(st.integers(1, 2))):
        guard = 0
        if draw(st.booleans()):
            guard = len(atoms) + 1 + len(guards)
            guards.append(guard)
        capacities.append((guard, draw(st.integers(1, 7))))
    return num_nodes, buffers, capacities, atoms, units, guards


def build(num_nodes, atoms):
    spec = DifferenceSpec(INT)
    for v in range(1, num_nodes):
        spec.node(("x", v), f"x{v}")
    spec.atoms = [DiffAtom(var, p, q, bound, False) for var, p, q, bound in atoms]
    table = {(p, q, bound): var for var, p, q, bound in atoms}
    return spec, table


def fits(values, buffers, limit):
    """The oracle's memory constraint: at every instant the live bytes fit (a buffer is live
    on [x_alloc, x_free), for ever when kept)."""
    if limit is None:
        return True
    instants = {values[a] for a, _, _ in buffers}
    for t in instants:
        load = 0
        for a, f, d in buffers:
            if values[a] <= t and (f is None or t < values[f]):
                load += d
        if load > limit:
            return False
    return True


def assert_implied(clause, num_nodes, atoms, buffers, capacities):
    """No point of the box where the memory constraint holds and every literal of `clause`
    is false (guards free: the least capacity among the true ones applies)."""
    meaning = {var: (p, q, bound) for var, p, q, bound in atoms}
    guards = sorted({g for g, _ in capacities if g})
    graph_lits = [lit for lit in clause if abs(lit) in meaning]
    guard_lits = [lit for lit in clause if abs(lit) not in meaning]
    assert all(abs(lit) in guards for lit in guard_lits), clause
    # the clause is false: each guard literal false fixes that guard
    fixed = {abs(lit): lit < 0 for lit in guard_lits}
    free_guards = [g for g in guards if g not in fixed]
    for values in itertools.product(range(BOX + 1), repeat=num_nodes - 1):
        x = (0,) + values
        if any((x[meaning[abs(l)][0]] - x[meaning[abs(l)][1]] <= meaning[abs(l)][2])
               == (l > 0) for l in graph_lits):
            continue   # the clause holds here
        for truth in itertools.product((False, True), repeat=len(free_guards)):
            on = {**fixed, **dict(zip(free_guards, truth))}
            limits = [c for g, c in capacities if not g or on[g]]
            assert not fits(x, buffers, min(limits, default=None)), (clause, x, on)


@settings(max_examples=300, deadline=None)
@given(instances(), st.sampled_from(["dense", "dense", "sparse"]), st.sampled_from([1, 1, 3]),
       st.data())
def test_compiled_memory_theory_agrees_with_its_reference_and_its_clauses_are_implied(
        instance, graphs, final_cuts, data):
    # (FINAL_CUTS: how many overloads the final checks look at for a cut they can state)
    saved = memory_ref.FINAL_CUTS
    compiled_memory.FINAL_CUTS = memory_ref.FINAL_CUTS = final_cuts
    try:
        run_twins(instance, graphs, data)
    finally:
        compiled_memory.FINAL_CUTS = memory_ref.FINAL_CUTS = saved


def run_twins(instance, graphs, data):
    num_nodes, buffers, capacities, atoms, units, guards = instance
    spec, table = build(num_nodes, atoms)
    fast_class, slow_class = GRAPHS[graphs]
    event(f"{graphs} graph")
    fast_graph = spec.build(fast_class)
    slow_graph = spec.build(slow_class)
    fast = compiled_memory.MemoryLogic(fast_graph, buffers, capacities, table)
    slow = memory_ref.MemoryLogic(slow_graph, buffers, capacities, table)
    assert fast.observed() == slow.observed() == sorted(guards)
    graphs, memories = (fast_graph, slow_graph), (fast, slow)
    everyone = graphs + memories
    assigned = {}          # var -> level
    trail = {}             # var -> its true literal
    level = 0

    def value(graph, lit):
        """1 / -1 / 0: a guard's from the trail, a graph atom's from the graph."""
        if abs(lit) in guards:
            return 0 if abs(lit) not in trail else (1 if trail[abs(lit)] == lit else -1)
        return graph.literal_value(lit)

    def assign(lit):
        assigned[abs(lit)] = level
        trail[abs(lit)] = lit
        if abs(lit) in guards:
            for m in memories:
                m.assign(lit, level == 0)
        else:
            for g in graphs:
                g.assign(lit, level == 0)

    def settle():
        """Propagate the graphs to a fixpoint, then the memory theories; False on a
        conflict (checked)."""
        while True:
            lits = [g.propagate() for g in graphs]
            assert (lits[0] is None) == (lits[1] is None)
            if lits[0] is None:
                return False
            assert set(lits[0]) == set(lits[1])
            new = [lit for lit in lits[0] if abs(lit) not in assigned]
            if not new:
                break
            for lit in new:
                assign(lit)
        found = [m.propagate() for m in memories]
        assert (found[0] is None) == (found[1] is None), found
        if found[0] is not None:
            assert found[0] == found[1] == []
            return True
        assert fast.last_tasks == slow.last_tasks
        event("timetable conflict")
        for m, g in zip(memories, graphs):
            clause = m.conflict()
            assert all(value(g, lit) == -1 for lit in clause), \
                clause
            assert_implied(clause, num_nodes, atoms, buffers, capacities)
        assert fast.propagate() == [] and slow.propagate() == []
        return False

    for unit in units:
        assign(unit)
    if not settle():
        return
    variables = [var for var, _, _, _ in atoms] + guards
    while True:
        free = [v for v in variables if v not in assigned]
        if not free:
            break
        var = data.draw(st.sampled_from(free), label="decide")
        lit = var if data.draw(st.booleans(), label="polarity") else -var
        level += 1
        for theory in everyone:
            theory.new_level()
        assign(lit)
        if not settle():
            target = data.draw(st.integers(0, level - 1), label="backtrack to")
            for theory in everyone:
                theory.backtrack(target)
            for v in [v for v, lv in assigned.items() if lv > target]:
                del assigned[v], trail[v]
            level = target
            if data.draw(st.integers(0, 3), label="stop") == 0:
                return
            if not settle():
                return
    # a complete assignment: the final checks (on a scratch level, as the engine does)
    assert fast_graph.final_check() and slow_graph.final_check()
    for theory in everyone:
        theory.new_level()
    verdicts = [m.final_check() for m in memories]
    assert verdicts[0] == verdicts[1]
    # (the timetable checks may differ: the twins skip unchanged bounds in their own ways)
    counters = [{k: v for k, v in m.statistics().items() if k != "memory_timetable_checks"}
                for m in memories]
    assert counters[0] == counters[1]
    if not verdicts[0]:
        event("final-check cut")
        assert fast.last_tasks == slow.last_tasks
        clause = fast.conflict()
        assert clause == slow.conflict()
        assert all(value(fast_graph, lit) == -1 for lit in clause), clause
        assert_implied(clause, num_nodes, atoms, buffers, capacities)
    elif fast.statistics()["memory_incomplete"]:
        event("final check: cut atoms missing")


# -- the sweep shared by the final check and the backend's cuts --------------------------------

def test_overload_takes_the_earliest_instant_fewest_largest_buffers_and_the_last_allocated():
    # nodes: 0 origin, 1..3 allocations, 4..6 frees
    tasks = [(1, 4, 3), (2, 5, 2), (3, 6, 2), (0, None, 1)]
    x = [0, 0, 1, 2, 3, 4, 3]     # [0,3) 3 bytes, [1,4) 2, [2,3) 2, kept from 0: 1
    found = memory_ref.overload(tasks, [0, 1, 2, 3], x, 6)
    # at 2: 3 + 2 + 2 + 1 = 8 > 6; the fewest largest: 3, 2, 2 (7 > 6); last allocated: 2
    assert found == ([0, 1, 2], 2)
    assert memory_ref.overload(tasks, [0, 1, 2, 3], x, 8) is None


def test_overload_frees_before_allocating_at_the_same_instant_and_skips_empty_intervals():
    tasks = [(1, 3, 5), (2, 4, 5), (1, 1, 9)]
    x = [0, 0, 2, 2, 5]           # [0,2) then [2,5): never together; [0,0) holds nothing
    assert memory_ref.overload(tasks, [0, 1, 2], x, 5) is None


def test_kept_buffers_are_live_for_ever_in_the_sweep_and_the_cut_has_no_free_atom_for_them():
    tasks = [(1, None, 4), (2, 3, 4)]
    x = [0, 0, 7, 9]
    chosen, k = memory_ref.overload(tasks, [0, 1], x, 5)
    assert sorted(chosen) == [0, 1] and k == 1
    # x_a(0) >= x_a(1) + 1, or buffer 1 freed by x_a(1): nothing for the kept one
    assert memory_ref.cut_atoms(tasks, chosen, k) == [(2, 1, -1), (3, 2, 0)]
