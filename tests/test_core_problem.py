"""The typed core problem (smtsched.core): specs record what they are given, and
`map_literals` renumbers every SAT literal of every part, and nothing else."""
import dataclasses
from fractions import Fraction

import pytest

from smtsched.core import (INT, REAL, CoreProblem, CostSpec, CostTask, CumulativeOptions,
                           CumulativeSpec, DemandTask, DiffAtom, DisjunctiveOptions,
                           DisjunctiveSpec, PseudoBooleanSpec, Task)
from smtsched.core.specs import ConvexCostSpec, EndCost

# Per spec: the fields that hold SAT literals, and those that hold data (nodes, numbers,
# options). A field added to a spec must be listed here, so that map_literals is checked on it.
LITERAL_FIELDS = {
    DisjunctiveSpec: {"order"},
    CumulativeSpec: {"order", "bound_literals", "presence"},
    CostSpec: {"guard", "literals"},
    ConvexCostSpec: {"guard"},
    PseudoBooleanSpec: {"literals"},
}
DATA_FIELDS = {
    DisjunctiveSpec: {"tasks", "options"},
    CumulativeSpec: {"tasks", "capacity", "options"},
    CostSpec: {"tasks", "bound", "steps", "groups"},
    ConvexCostSpec: {"tasks", "bound"},
    PseudoBooleanSpec: {"weights", "bound"},
}


def sample_problem():
    """A problem with a literal in every place a literal can be."""
    core = CoreProblem()
    v = [None] + [core.new_var() for _ in range(20)]
    core.clauses = [[v[1], -v[2]], [v[3]], [-v[4], v[5], v[6]]]
    ints, reals = core.difference[INT], core.difference[REAL]
    a, b = ints.node(("var", "a"), "a"), ints.node(("var", "b"), "b")
    x = reals.node(("var", "x"), "x")
    ints.atoms += [DiffAtom(v[7], 0, a, -3, False), DiffAtom(v[8], a, b, 4, False)]
    reals.atoms.append(DiffAtom(v[9], 0, x, Fraction(1, 2), True))
    core.globals = [
        DisjunctiveSpec([Task(a, 3), Task(b, 4)], {(0, 1): v[8], (1, 0): -v[8]}),
        CumulativeSpec([DemandTask(a, 3, 1), DemandTask(b, 4, 2)], 2,
                       {(0, 1): v[8], (1, 0): -v[8]}, {(0, 1): -v[7], (1, 2): v[10]}),
        # presences (0: a mandatory task)
        CumulativeSpec([DemandTask(a, 3, 1), DemandTask(b, 4, 2)], 2, {}, {},
                       presence=[0, -v[18]]),
        CostSpec([CostTask(a, 3, 2, None), CostTask(b, 4, 1, 6)], 30, guard=-v[11]),
        CostSpec([CostTask(a, 3, 1, None)], 10),   # unguarded
        # steps, a max group and literal terms (weight * [literal]: (literal, weight) pairs)
        CostSpec([], 12, guard=v[19], steps=[CostTask(a, 3, 2, 5)],
                 groups=[(3, [CostTask(b, 4, 1, 2)])], literals=[(v[20], 4), (-v[12], 1)]),
        ConvexCostSpec([EndCost(a, 3, "earliness", 2, 7)], 9, guard=-v[14]),
    ]
    core.pseudo_boolean = [PseudoBooleanSpec([v[12], -v[13], v[14]], [1, 2, 3], 4)]
    core.assumption_literals = [-v[15], v[16]]
    core.bool_var = {("var", "p"): v[17], ("var", "q"): v[18]}
    core.pb_meaning = {v[12]: "p", v[13]: "q", v[14]: "r"}
    return core


def shifted(lit):
    """A renumbering that moves every variable (by 100), keeping signs."""
    return lit + 100 if lit > 0 else lit - 100


def test_spec_fields_are_all_classified():
    for spec_class in LITERAL_FIELDS:
        names = {f.name for f in dataclasses.fields(spec_class)}
        assert names == LITERAL_FIELDS[spec_class] | DATA_FIELDS[spec_class], spec_class


def test_map_literals_renumbers_every_literal_of_every_spec():
    core = sample_problem()
    out = core.map_literals(shifted)
    assert out.num_vars == core.num_vars
    assert out.clauses == [[shifted(x) for x in c] for c in core.clauses]
    assert out.assumption_literals == [shifted(x) for x in core.assumption_literals]
    assert out.bool_var == {k: shifted(x) for k, x in core.bool_var.items()}
    assert out.pb_meaning == {shifted(x): m for x, m in core.pb_meaning.items()}
    for sort in (INT, REAL):
        old, new = core.difference[sort], out.difference[sort]
        assert new.sort == sort and new.node_of == old.node_of
        assert new.node_names == old.node_names
        assert new.atoms == [atom._replace(var=shifted(atom.var)) for atom in old.atoms]
        assert all(isinstance(atom, DiffAtom) for atom in new.atoms)
    assert len(out.globals) == len(core.globals)
    assert len(out.pseudo_boolean) == len(core.pseudo_boolean)
    for old, new in zip(core.globals + core.pseudo_boolean, out.globals + out.pseudo_boolean):
        assert type(new) is type(old)
        for name in LITERAL_FIELDS[type(old)]:
            before, after = getattr(old, name), getattr(new, name)
            if isinstance(before, dict):
                assert after == {k: shifted(x) for k, x in before.items()}, name
            elif isinstance(before, list) and before and isinstance(before[0], tuple):
                assert after == [(shifted(x), w) for x, w in before], name   # (literal, weight)
            elif isinstance(before, list):   # 0 (no literal: a mandatory task) stays 0
                assert after == [shifted(x) if x else 0 for x in before], name
            else:
                assert after == (None if before is None else shifted(before)), name
        for name in DATA_FIELDS[type(old)]:
            assert getattr(new, name) == getattr(old, name), name


def test_map_literals_leaves_the_original_alone():
    core = sample_problem()
    clauses = [list(c) for c in core.clauses]
    orders = [dict(g.order) for g in core.globals[:2]]
    core.map_literals(shifted)
    assert core.clauses == clauses
    assert [g.order for g in core.globals[:2]] == orders
    assert core.globals[1].bound_literals == {(0, 1): -7, (1, 2): 10}


def test_permuted_is_a_seeded_permutation_and_seed_zero_is_the_identity():
    core = sample_problem()
    assert core.permuted(0) is core
    one, again, other = core.permuted(3), core.permuted(3), core.permuted(4)
    assert one.clauses == again.clauses
    assert one.clauses != other.clauses or one.bool_var != other.bool_var
    old = {abs(x) for c in core.clauses for x in c}
    new = {abs(x) for c in one.clauses for x in c}
    assert len(new) == len(old) and new <= set(range(1, core.num_vars + 1))


def test_a_spec_records_what_it_is_given():
    tasks = [Task(node=1, duration=3), Task(2, 0)]
    spec = DisjunctiveSpec(tasks, {(0, 1): 5, (1, 0): -5})
    assert spec.tasks is tasks and spec.order == {(0, 1): 5, (1, 0): -5}
    assert spec.options == DisjunctiveOptions(every_level=True, edge_finding=True)
    assert [tuple(t) for t in tasks] == [(1, 3), (2, 0)]  # unpacks as the theories read it
    (node, duration), _ = tasks
    assert (node, duration) == (1, 3)
    cumulative = CumulativeSpec([DemandTask(1, 3, 2)], 4, {}, {(0, 5): 9})
    assert cumulative.capacity == 4 and cumulative.bound_literals == {(0, 5): 9}
    assert cumulative.options == CumulativeOptions("auto", energetic=False)
    assert CumulativeSpec([], 1, {}).bound_literals == {}
    cost = CostSpec([CostTask(1, 3, 2, due=None)], 7)
    assert cost.guard is None and cost.tasks[0].due is None and cost.bound == 7
    row = PseudoBooleanSpec([1, -2], [3, 4], 5)
    assert row.as_tuple() == ([1, -2], [3, 4], 5)


def test_cumulative_explanation_option():
    auto = CumulativeOptions()
    assert auto.ordering_cuts(has_bound_literals=False) is True
    assert auto.ordering_cuts(has_bound_literals=True) is False
    for has in (False, True):
        assert CumulativeOptions("ordering_cut").ordering_cuts(has) is True
        assert CumulativeOptions("pointwise").ordering_cuts(has) is False
    with pytest.raises(ValueError, match="explanation"):
        CumulativeOptions("sideways")


def test_new_var_numbers_from_one():
    core = CoreProblem()
    assert [core.new_var() for _ in range(3)] == [1, 2, 3] and core.num_vars == 3
    assert core.active_differences() == []
    core.difference[REAL].atoms.append(DiffAtom(1, 0, 1, 2, False))
    assert core.active_differences() == [core.difference[REAL]]
