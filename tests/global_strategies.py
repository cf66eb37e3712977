"""Hypothesis strategies and formula builders for random machines (Disjunctive) and resources
(Cumulative), shared by tests/test_disjunctive.py, tests/test_cumulative_twins.py and
tests/test_certify_witness.py; and the weighted-cost problems of tests/test_cost.py and
tests/test_certify_weighted_cost.py.

Each test module keeps its own sizes through the parameters; the draws happen in the same
order for every choice, so a module's derandomized examples do not depend on the others'."""
from hypothesis import strategies as st

from smtsched import Bool, Cumulative, Disjunctive, Int, Or


@st.composite
def machines(draw, max_tasks=6):
    """(durations, windows [(release, deadline)], precedences [(i, j)]) of one machine."""
    n = draw(st.integers(2, max_tasks))
    durations = [draw(st.integers(0, 5)) for _ in range(n)]
    windows = [(draw(st.integers(0, 6)), draw(st.integers(4, 16))) for _ in range(n)]
    precedences = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                                max_size=3))
    return durations, windows, [(i, j) for i, j in precedences if i != j]


def machine_formulas(spec):
    """The Disjunctive, each task within its window, and the precedences (j after i ends)."""
    durations, windows, precedences = spec
    starts = [Int(f"s{i}") for i in range(len(durations))]
    fs = [Disjunctive(starts, durations)]
    for s, d, (release, deadline) in zip(starts, durations, windows):
        fs += [s >= release, s + d <= deadline]
    for i, j in precedences:
        fs.append(starts[j] - starts[i] >= durations[i])
    return fs


@st.composite
def resources(draw, max_release=5, cuts=True, options=False):
    """(durations, demands, capacity, windows), then with `cuts` the bound atoms
    [(task, bound)] a search may decide, then with `options` a pair of flags (the windows as
    bound literals, a second option of the caller's)."""
    n = draw(st.integers(2, 6))
    capacity = draw(st.integers(1, 4))
    durations = [draw(st.integers(0, 5)) for _ in range(n)]
    demands = [draw(st.integers(0, capacity)) for _ in range(n)]
    windows = [(draw(st.integers(0, max_release)), draw(st.integers(5, 14))) for _ in range(n)]
    out = (durations, demands, capacity, windows)
    if cuts:
        out += ([(draw(st.integers(0, n - 1)), draw(st.integers(0, 12)))
                 for _ in range(n + 2)],)
    if options:
        out += (draw(st.sampled_from([(False, False), (True, False), (False, True),
                                      (True, True)])),)
    return out


def resource_formulas(durations, demands, capacity, windows, cuts=(), bound_literals=False):
    """The Cumulative (with `bound_literals`, its windows as bound literals), each task within
    its window, and each cut "free_k or start <= bound" (an atom a search may decide either
    way)."""
    starts = [Int(f"s{i}") for i in range(len(durations))]
    ranges = [(release, deadline - d) for (release, deadline), d in zip(windows, durations)]
    fs = [Cumulative(starts, durations, demands, capacity,
                     windows=ranges if bound_literals else None)]
    for s, d, (release, deadline) in zip(starts, durations, windows):
        fs += [s >= release, s + d <= deadline]
    for position, (k, bound) in enumerate(cuts):
        fs.append(Or(Bool(f"free{position}"), starts[k] <= bound))
    return fs


@st.composite
def cost_problems(draw):
    """(durations, releases, weights, dues or None, bound): up to four tasks with releases on
    one machine, weights 0..3, completion (no dues) or tardiness, a cost bound."""
    n = draw(st.integers(1, 4))
    durations = [draw(st.integers(0, 4)) for _ in range(n)]
    releases = [draw(st.integers(0, 3)) for _ in range(n)]
    weights = [draw(st.integers(0, 3)) for _ in range(n)]
    dues = draw(st.one_of(st.none(), st.lists(st.integers(0, 8), min_size=n, max_size=n)))
    bound = draw(st.integers(0, 40))
    return durations, releases, weights, dues, bound
