"""The conflict budget counts an alternative's options apart from the other tasks
(optimize.OPTION_SHARE): a multi-mode model is not taken for one of as many plain tasks, and
a model without alternatives keeps the budget of the calibration."""
from smtsched.sched import optimize
from smtsched.sched.model import Model


def plain(n):
    m = Model("plain")
    tasks = [m.task(f"t{i}", 2) for i in range(n)]
    m.cumulative({t: 1 for t in tasks}, 2)
    m.minimize_makespan()
    return m


def with_modes(activities, modes):
    m = Model("modes")
    for k in range(activities):
        main = m.task(f"a{k}", 1)
        m.alternative(main, [m.task(f"a{k}.m{j}", 1 + j, optional=True) for j in range(modes)])
    m.minimize_makespan()
    return m


def budget(n, limit=10):
    """The budget of the calibration for n tasks."""
    return int(limit / (optimize.CONFLICT_COST * (optimize.CONFLICT_SECONDS_PER_TASK * n
                                                  + optimize.CONFLICT_SECONDS_PER_PAIR * n * n)))


def test_models_without_alternatives_keep_their_budget():
    # j30: 32 tasks, j60: 62, la01: 50 (at 10 s: 61,274, 24,437 and 33,333 conflicts)
    for n in (32, 62, 50):
        assert optimize.conflict_budget(plain(n), 10) == budget(n)
    if optimize.CONFLICT_COST == 1:
        assert [budget(n) for n in (32, 62, 50)] == [61274, 24437, 33333]
    assert optimize.conflict_budget(plain(32), None) is None


def test_options_count_as_a_share_of_a_task():
    m = with_modes(30, 3)              # 30 main tasks, 90 options
    assert len(m.tasks) == 120
    share = optimize.OPTION_SHARE
    assert 0 < share < 1
    expected = budget(30 + share * 90)
    assert optimize.conflict_budget(m, 10) == expected
    # more conflicts than for 120 plain tasks, fewer than for the 30 main tasks alone
    assert optimize.conflict_budget(plain(120), 10) < expected < optimize.conflict_budget(
        plain(30), 10)
