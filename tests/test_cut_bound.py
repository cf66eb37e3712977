"""The cut bound on the makespan (smtsched.sched.bounds.cut_lower_bound) against brute force
(tests/sched_oracle.py, no smtsched code): it may decide OPTIMAL, so it must hold in every
schedule. The models are drawn where it applies (minimum lags >= 0, mandatory tasks) and
where it can be stronger than the other bounds (chains of unary work with side tasks)."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sched_oracle as oracle
from smtsched.sched import Model, OPTIMAL, bounds

from test_static_bounds import makespan_rows

# start vectors the brute force may enumerate (no horizon is added: a horizon would make the
# test weaker, comparing with an optimum above the true one)
GRID = 400000


@st.composite
def cut_specs(draw, min_tasks=3, max_tasks=5):
    n = draw(st.integers(min_tasks, max_tasks))
    release = draw(st.booleans())
    tasks = [(draw(st.integers(0, 3)), draw(st.integers(0, 2)) if release else 0, None, False)
             for _ in range(n)]
    precedences = []
    # mostly a chain (the cuts), with side arcs and a lag now and then
    for i in range(n - 1):
        if draw(st.integers(0, 3)):
            precedences.append((i, i + 1, draw(st.sampled_from([0, 0, 0, 1, 2])), None))
    for _ in range(draw(st.integers(0, 3))):
        a, b = sorted(draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2,
                                    unique=True)))
        precedences.append((a, b, draw(st.integers(0, 1)), None))
    resources = []
    for _ in range(draw(st.integers(1, 2))):
        members = sorted(set(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n))))
        if draw(st.booleans()):
            resources.append((1, [(t, 1) for t in members], True))
        else:
            cap = draw(st.integers(1, 2))
            resources.append((cap, [(t, draw(st.integers(1, cap))) for t in members], False))
    return dict(tasks=tasks, precedences=precedences, alternatives=[], resources=resources,
                memories=[], horizon=None, objective=("makespan",))


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(cut_specs())
def test_cut_bound_holds_in_every_schedule(spec):
    if oracle.grid_size(spec) > GRID:
        return
    model = oracle.build(spec)[0]
    bound = bounds.cut_lower_bound(model)
    best = oracle.brute_force(spec, makespan_rows(spec))[0]
    assert best is not None   # (no deadlines, no horizon: always a schedule)
    assert bound <= best, oracle.describe(spec)


@st.composite
def layered_specs(draw):
    """Two layers joined by one task (a cut), their tasks on two unary units, maybe a side
    task that reads nothing (incomparable: left out by the slack): the shape where the cut
    bound beats the others."""
    side = draw(st.booleans())
    first = draw(st.integers(1, 2))
    second = 3 - first - side + 1 if side else 4 - first
    second = max(1, min(2, second))
    d = st.integers(0, 2)
    tasks, precedences = [], []
    layer0 = list(range(first))
    join = first
    layer1 = list(range(first + 1, first + 1 + second))
    for _ in range(first + 1 + second):
        tasks.append((draw(d), 0, None, False))
    for t in layer0:
        precedences.append((t, join, draw(st.integers(0, 1)), None))
    for t in layer1:
        precedences.append((join, t, 0, None))
    units = [[], []]
    for t in layer0 + layer1:
        units[draw(st.integers(0, 1))].append(t)
    if side:
        tasks.append((draw(d), 0, None, False))
        units[draw(st.integers(0, 1))].append(len(tasks) - 1)
    resources = [(1, [(t, 1) for t in sorted(u)], True) for u in units if u]
    return dict(tasks=tasks, precedences=precedences, alternatives=[], resources=resources,
                memories=[], horizon=None, objective=("makespan",))


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(layered_specs())
def test_cut_bound_holds_on_layered_models(spec):
    if oracle.grid_size(spec) > GRID:
        return
    model = oracle.build(spec)[0]
    bound = bounds.cut_lower_bound(model)
    best = oracle.brute_force(spec, makespan_rows(spec))[0]
    assert bound <= best, oracle.describe(spec)


def _forward_pass(layers=4, side=True):
    """A forward pass: per layer a matrix product (tensor unit, 4) then an elementwise step
    (one of two vector units, 3), each layer reading the last; a side task on the tensor unit
    that reads nothing (incomparable with everything: left out by the bound)."""
    m = Model("forward")
    tensor, vector = [], []
    last = None
    for k in range(layers):
        mm = m.task(f"mm{k}", 4)
        act = m.task(f"act{k}", 3)
        if last is not None:
            m.precedence(last, mm)
        m.precedence(mm, act)
        tensor.append(mm)
        vector.append(act)
        last = act
    if side:
        tensor.append(m.task("side", 1))
    m.cumulative([(t, 1) for t in tensor], 1)
    m.cumulative([(t, 1) for t in vector], 2)
    m.minimize_makespan()
    return m


def test_the_cut_bound_sees_the_idle_unit_of_a_forward_pass():
    model = _forward_pass()
    # the chain is the whole critical path here: both bounds see 4 * 7 = 28 without the side
    # task; the cut bound adds nothing it cannot prove, and stays below the optimum
    result = model.solve()
    assert result.status == OPTIMAL
    assert bounds.cut_lower_bound(model) <= result.objective
    assert bounds.cut_lower_bound(model) >= bounds.makespan_lower_bound(model) - 1 or \
        bounds.cut_lower_bound(model) == 0


def test_a_cut_bound_stronger_than_the_load_bound():
    # layers that alternate between three matrix products (tensor unit) and three
    # elementwise steps (one vector unit), joined between layers: each layer takes 9 on its
    # unit, 36 in all; Jackson's bound on either unit lets the other unit's layers overlap
    m = Model("layers")
    tensor, vector = [], []
    join = m.task("in", 0)
    for k in range(4):
        nxt = m.task(f"join{k}", 0)
        for j in range(3):
            t = m.task(f"l{k}_{j}", 3)
            m.precedence(join, t)
            m.precedence(t, nxt)
            (tensor if k % 2 == 0 else vector).append(t)
        join = nxt
    m.unary(tensor)
    m.unary(vector)
    m.minimize_makespan()
    result = m.solve()
    assert result.status == OPTIMAL and result.objective == 36
    assert bounds.makespan_lower_bound(m) < 36
    assert bounds.cut_lower_bound(m) == 36
