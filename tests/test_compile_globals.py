"""How the compiler states global constraints: the ordering atoms it makes directly are the
atoms the term path makes, and pairs that top-level precedences already order get none."""
import random

from smtsched import Cumulative, Disjunctive, Int, Solver, sat, unsat
from smtsched.compile import Compiler


def test_order_literal_is_the_atom_the_term_makes():
    rng = random.Random(7)
    compiler = Compiler()
    xs = [Int(f"x{i}") for i in range(8)]
    nodes = compiler.start_nodes(xs)
    for _ in range(400):
        i, j = rng.sample(range(8), 2)
        d = rng.randint(-5, 9)
        if rng.random() < 0.5:
            direct = compiler.order_literal(nodes[i], nodes[j], d)
            via_terms = compiler.literal(xs[j] - xs[i] >= d)
        else:
            via_terms = compiler.literal(xs[j] - xs[i] >= d)
            direct = compiler.order_literal(nodes[i], nodes[j], d)
        assert direct == via_terms


def chain_and_machine(n, durations, global_kind):
    starts = [Int(f"s{i}") for i in range(n)]
    facts = [s >= 0 for s in starts]
    facts += [starts[i + 1] - starts[i] >= durations[i] for i in range(0, n - 1, 2)]
    if global_kind == "disjunctive":
        facts.append(Disjunctive(starts, durations))
    else:
        facts.append(Cumulative(starts, durations, [1] * n, 1))
    return starts, facts


def test_pairs_the_precedences_order_get_no_atoms():
    durations = [3, 2, 4, 1, 2, 5]
    for kind in ("disjunctive", "cumulative"):
        starts, facts = chain_and_machine(6, durations, kind)
        compiler = Compiler()
        for f in facts:
            compiler.assert_formula(f)
        order = compiler.out.globals[-1].order
        # (0,1), (2,3), (4,5) are ordered by the facts: neither direction has an atom
        for i in (0, 2, 4):
            assert (i, i + 1) not in order and (i + 1, i) not in order
        assert (0, 2) in order and (2, 0) in order


def test_pruned_machines_still_forbid_every_overlap():
    durations = [3, 2, 4, 1, 2, 5]
    for kind in ("disjunctive", "cumulative"):
        starts, facts = chain_and_machine(6, durations, kind)
        s = Solver()
        s.add(facts)
        assert s.check(*[x <= sum(durations) - d for x, d in zip(starts, durations)]) == sat
        m = s.model()
        values = [m.eval(x) for x in starts]
        for i in range(6):
            for j in range(i + 1, 6):
                assert (values[i] + durations[i] <= values[j]
                        or values[j] + durations[j] <= values[i])
        assert s.check(*[x <= sum(durations) - d - 1 for x, d in zip(starts, durations)]) == unsat


def test_precedences_with_constants_beyond_64_bits_prune_nothing_and_raise_nothing():
    """Regression (b4be7c5): the pruning's int64 path sums overflowed on a duration of
    10**20 (OverflowError out of Solver.check); such constants now skip the pruning."""
    for durations, lag in (([10 ** 20, 1, 2], 0), ([3, 1, 2], 10 ** 19)):
        xs = [Int(f"x{k}") for k in range(3)]
        compiler = Compiler()
        for formula in [x >= 0 for x in xs] + [xs[1] >= xs[0] + lag,
                                               Disjunctive(xs, durations)]:
            compiler.assert_formula(formula)
        order = compiler.out.globals[-1].order
        assert (0, 1) in order and (1, 0) in order  # not pruned
