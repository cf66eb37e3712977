"""smtsched.precedence against brute force on small random graphs: topological orders (with
and without priorities), cycles, heads and tails (longest paths from start values), positive
cycles and the all-pairs longest paths the memory encoding reads.

The oracles enumerate every simple path or cycle (at most 7 nodes): they share no code with the
module. Without a positive cycle, the longest walk is a simple path (a cycle on it adds at most
0), so simple paths are enough; with one, the values grow without end.
"""
import itertools
import time

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from smtsched.precedence import NONE, DeadlinePassed, Precedences


def scaled(weight):
    """max_examples as a multiple of the active profile's baseline."""
    return max(1, int(settings.default.max_examples * weight))


@st.composite
def graphs(draw, max_nodes=7, acyclic=False, weights=st.integers(-6, 6)):
    """(n, arcs): arcs (a, b, w), parallel arcs and, unless `acyclic`, cycles allowed;
    acyclic graphs have arcs from lower to higher numbers of a shuffled numbering."""
    n = draw(st.integers(0, max_nodes))
    if n == 0:
        return 0, []
    node = st.integers(0, n - 1)
    arcs = draw(st.lists(st.tuples(node, node, weights), max_size=3 * n))
    if acyclic:
        rank = draw(st.permutations(range(n)))
        arcs = [(a, b, w) if rank[a] < rank[b] else (b, a, w) for a, b, w in arcs if a != b]
    return n, arcs


# ----------------------------------------------------------------------------- the oracles

def simple_paths(n, arcs):
    """Every path of at least one arc without a repeated node: (nodes, weight)."""
    out = {i: [(j, w) for a, j, w in arcs if a == i] for i in range(n)}
    found = []

    def extend(path, weight):
        for j, w in out[path[-1]]:
            if j not in path:
                found.append((path + [j], weight + w))
                extend(path + [j], weight + w)
    for i in range(n):
        extend([i], 0)
    return found


def simple_cycles(n, arcs):
    """Every cycle (a closed path repeating only its first node): (nodes, weight), the first
    node the least of the cycle."""
    found = []
    for a, b, w in arcs:
        if a == b:
            found.append(([a], w))
    for path, weight in simple_paths(n, arcs):
        if path[0] == min(path):
            for a, b, w in arcs:
                if a == path[-1] and b == path[0]:
                    found.append((path, weight + w))
    return found


def has_cycle(n, arcs):
    return bool(simple_cycles(n, arcs))


def respects(order, n, arcs):
    position = {v: k for k, v in enumerate(order)}
    return sorted(order) == list(range(n)) and all(position[a] < position[b] for a, b, _ in arcs)


def priority_order(n, arcs, priority):
    """The order of taking, each time, the ready node of the least (priority, number)."""
    done, order = set(), []
    while len(order) < n:
        ready = [v for v in range(n) if v not in done
                 and all(a in done for a, b, _ in arcs if b == v)]
        v = min(ready, key=lambda v: (priority[v], v))
        done.add(v)
        order.append(v)
    return order


# ----------------------------------------------------------------------------- the tests

@settings(max_examples=scaled(3))
@given(graphs())
def test_topological_order_exactly_when_no_cycle(graph):
    n, arcs = graph
    order = Precedences(n, arcs).topological_order()
    if has_cycle(n, arcs):
        assert order is None
    else:
        assert order is not None and respects(order, n, arcs)


@settings(max_examples=scaled(3))
@given(graphs(acyclic=True), st.data())
def test_priority_order_takes_the_least_ready_node_first(graph, data):
    n, arcs = graph
    priority = data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    order = Precedences(n, arcs).topological_order(priority)
    assert order == priority_order(n, arcs, priority)
    # by number: the numbering itself whenever it is topological
    by_number = Precedences(n, arcs).topological_order(range(n))
    if all(a < b for a, b, _ in arcs):
        assert by_number == list(range(n))


@settings(max_examples=scaled(3))
@given(graphs())
def test_cycle_is_a_cycle_of_arcs(graph):
    n, arcs = graph
    cycle = Precedences(n, arcs).cycle()
    if not has_cycle(n, arcs):
        assert cycle is None
        return
    assert cycle[0] == cycle[-1] and len(set(cycle[:-1])) == len(cycle) - 1
    pairs = {(a, b) for a, b, _ in arcs}
    assert all(step in pairs for step in zip(cycle, cycle[1:]))


@settings(max_examples=scaled(4))
@given(graphs(), st.data())
def test_heads_and_tails_are_the_longest_paths_unless_a_cycle_is_positive(graph, data):
    n, arcs = graph
    start = data.draw(st.lists(st.integers(-5, 5), min_size=n, max_size=n))
    end = data.draw(st.lists(st.integers(-5, 5), min_size=n, max_size=n))
    precedences = Precedences(n, arcs)
    head, tail = precedences.longest_from(start), precedences.longest_to(end)
    positive = [c for c in simple_cycles(n, arcs) if c[1] > 0]
    found = precedences.positive_cycle()
    if positive:
        assert head is None and tail is None
        nodes, length = found
        assert length > 0
        # the arcs of the cycle, the heaviest of any parallel ones, add up to its length
        steps = list(zip(nodes, nodes[1:] + nodes[:1]))
        heaviest = {}
        for a, b, w in arcs:
            heaviest[(a, b)] = max(heaviest.get((a, b), w), w)
        assert all(step in heaviest for step in steps)
        assert length <= sum(heaviest[step] for step in steps)
        return
    assert found is None
    want_head, want_tail = list(start), list(end)
    for path, weight in simple_paths(n, arcs):
        want_head[path[-1]] = max(want_head[path[-1]], start[path[0]] + weight)
        want_tail[path[0]] = max(want_tail[path[0]], end[path[-1]] + weight)
    assert head == want_head and tail == want_tail


@settings(max_examples=scaled(3))
@given(graphs(acyclic=True), st.data())
def test_all_pairs_longest_paths_on_a_dag(graph, data):
    n, arcs = graph
    sources = data.draw(st.lists(st.integers(0, max(n - 1, 0)), max_size=n, unique=True)
                        if n else st.just([]))
    precedences = Precedences(n, arcs)
    want = np.full((n, n), NONE, dtype=np.int64)
    for path, weight in simple_paths(n, arcs):
        want[path[0], path[-1]] = max(want[path[0], path[-1]], weight)
    assert np.array_equal(precedences.longest_paths(), want)
    assert np.array_equal(precedences.longest_paths(sources).reshape(len(sources), n),
                          want[sources].reshape(len(sources), n))


@settings(max_examples=scaled(1))
@given(graphs())
def test_all_pairs_longest_paths_refuse_any_cycle(graph):
    n, arcs = graph
    if has_cycle(n, arcs):
        assert Precedences(n, arcs).longest_paths() is None


def test_a_self_loop_is_a_cycle():
    precedences = Precedences(2, [(0, 1, 1), (1, 1, 0)])
    assert precedences.topological_order() is None
    assert precedences.cycle() == [1, 1]
    assert precedences.positive_cycle() is None  # length 0
    assert precedences.longest_from([0, 0]) == [0, 1]


def test_a_negative_cycle_settles_and_a_positive_one_is_named():
    # a maximum lag is a negative arc back: b within 5 of a, b at least 3 after a
    settled = Precedences(2, [(0, 1, 3), (1, 0, -5)])
    assert settled.longest_from([0, 0]) == [0, 3]
    assert settled.longest_to([2, 4]) == [7, 4]
    assert settled.positive_cycle() is None
    broken = Precedences(3, [(2, 0, 1), (0, 1, 3), (1, 0, -2)])
    assert broken.longest_from([0, 0, 0]) is None
    assert broken.positive_cycle() == ([0, 1], 1)


def test_adding_an_arc_after_an_order_was_asked_for_is_seen():
    precedences = Precedences(2)
    assert precedences.topological_order() == [0, 1]
    precedences.add(1, 0, 2)
    assert precedences.topological_order() == [1, 0]
    assert precedences.longest_from([0, 0]) == [2, 0]


def test_longest_paths_stop_at_the_deadline():
    precedences = Precedences(3, [(0, 1, 1), (1, 2, 1)])
    with pytest.raises(DeadlinePassed):
        precedences.longest_paths(deadline=time.perf_counter() - 1)
    assert precedences.longest_paths(deadline=time.perf_counter() + 60)[0, 2] == 2


def test_the_encoding_timeout_is_the_deadline_of_the_precedences():
    # the optimiser catches EncodingTimeout around the memories' longest paths
    from smtsched.sched.encode import EncodingTimeout
    from smtsched.sched.memory import EncodingTimeout as memory_timeout
    assert EncodingTimeout is DeadlinePassed is memory_timeout


def test_the_stable_order_of_the_parallel_branches_of_a_diamond():
    # 0 -> {1, 2} -> 3, 2 listed before 1 in the file: by number 0 1 2 3, by file 0 2 1 3
    precedences = Precedences(4, [(0, 1, 0), (0, 2, 0), (1, 3, 0), (2, 3, 0)])
    assert precedences.topological_order(range(4)) == [0, 1, 2, 3]
    assert precedences.topological_order([0, 2, 1, 3]) == [0, 2, 1, 3]
    assert list(itertools.islice(precedences.topological_order(), 1)) == [0]
