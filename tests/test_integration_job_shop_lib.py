"""smtsched as a job-shop-lib solver (issue 17): on job-shop-lib's own benchmark instances the
Schedule is complete, passes job-shop-lib's checks and our own, and its makespan is the
optimum job-shop-lib records."""

import pytest

pytest.importorskip("job_shop_lib", reason="job-shop-lib is not installed (the [jobshoplib] "
                    "extra, docs/integrations.md); the job-shop-lib solver is not tested")

from job_shop_lib import JobShopInstance, Operation, Schedule  # noqa: E402
from job_shop_lib.benchmarking import load_benchmark_instance  # noqa: E402

from smtsched.integrations.job_shop_lib import JobShopLibError, SmtschedSolver  # noqa: E402


def check(instance, schedule):
    """Our own checker, independent of Schedule's: every operation once, on its machine, after
    its release and its job predecessor, by its deadline, no two overlapping on a machine."""
    assert schedule.is_complete()
    Schedule.check_schedule(schedule.schedule)
    seen = {}
    for m, row in enumerate(schedule.schedule):
        for a, b in zip(row, row[1:]):
            assert a.end_time <= b.start_time, (m, a, b)
        for s in row:
            assert s.machine_id == m == s.operation.machines[0]
            assert s.start_time >= s.operation.release_date
            if s.operation.deadline is not None:
                assert s.end_time <= s.operation.deadline
            seen[(s.job_id, s.position_in_job)] = s
    assert len(seen) == sum(len(job) for job in instance.jobs)
    for j, job in enumerate(instance.jobs):
        for p in range(1, len(job)):
            assert seen[(j, p - 1)].end_time <= seen[(j, p)].start_time
    return max(s.end_time for s in seen.values())


@pytest.mark.parametrize("name", ["ft06", "la01", "la02", "la03", "la04", "la05"])
def test_benchmark_instances_reach_the_recorded_optimum(name):
    instance = load_benchmark_instance(name)
    optimum = instance.metadata["optimum"]
    assert optimum is not None
    schedule = SmtschedSolver(time_limit=120)(instance)
    assert check(instance, schedule) == schedule.makespan() == optimum
    assert schedule.metadata["status"] == "optimal"
    assert schedule.metadata["makespan"] == schedule.metadata["lower_bound"] == optimum
    assert schedule.metadata["solved_by"] == "SmtschedSolver"


def test_arrival_times_and_deadlines_are_kept():
    # job 1's first operation arrives at 5; without that it would start at 0 (machine 1 free)
    jobs = [[Operation(0, 3), Operation(1, 2)],
            [Operation(1, 4, release_date=5), Operation(0, 2, deadline=12)]]
    instance = JobShopInstance(jobs, name="arrivals")
    schedule = SmtschedSolver()(instance)
    assert check(instance, schedule) == schedule.makespan() == 11
    assert schedule.metadata["status"] == "optimal"


def test_a_deadline_nobody_can_meet_is_an_error_not_a_schedule():
    jobs = [[Operation(0, 3), Operation(0, 3, deadline=5)]]
    with pytest.raises(JobShopLibError, match="INFEASIBLE|infeasible|cannot end"):
        SmtschedSolver()(JobShopInstance(jobs, name="late"))


def test_flexible_operations_are_refused_by_name():
    jobs = [[Operation([0, 1], 3)]]
    with pytest.raises(JobShopLibError, match="flexible"):
        SmtschedSolver()(JobShopInstance(jobs, name="flex"))
