"""A solving child stopped from outside (time limit, memory limit, Ctrl-C): the parent answers
from what the child reported, and its status and reason agree (issue 14 item 4)."""
import time

from smtsched import cli
from smtsched.sched import Model
from smtsched.sched.result import FEASIBLE, OPTIMAL, Result


def one_task_model():
    m = Model("one")
    m.task("t", 3)
    m.minimize_makespan()
    return m


def stopped_after_reporting(objective, lower_bound):
    """What the parent shows when the child reports a schedule of `objective` with the proven
    `lower_bound` and is then stopped at the time limit."""
    model = one_task_model()
    shown = []

    def solve_model(time_limit, report):
        report(Result(model, FEASIBLE, objective=objective, lower_bound=lower_bound,
                      starts=[0], present=[True]))
        time.sleep(60)  # stopped by the parent at the limit

    code = cli._optimise_in_child(model, solve_model, shown.append, 0.5, None,
                                  time.perf_counter(), None, "one.txt")
    assert code == cli.EXIT_OK and len(shown) == 1
    return shown[0]


def test_a_stopped_child_whose_schedule_meets_its_bound_is_optimal_without_a_reason():
    """Printed 'status OPTIMAL ... reason timeout': the reported schedule met its proven bound
    (OPTIMAL is right), the timeout only interrupted the child's finishing up."""
    result = stopped_after_reporting(3, 3)
    assert result.status == OPTIMAL and result.objective == 3
    assert result.reason == ""


def test_a_stopped_child_with_a_gap_is_feasible_with_the_timeout_as_reason():
    result = stopped_after_reporting(3, 2)
    assert result.status == FEASIBLE and result.lower_bound == 2
    assert "timeout" in result.reason
