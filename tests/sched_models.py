"""Small scheduling models several tests build (one copy of each)."""
from smtsched.sched import Model

FT06 = [  # Fisher and Thompson's 6x6 job shop (optimum 55): (machine, duration) by job
    [(2, 1), (0, 3), (1, 6), (3, 7), (5, 3), (4, 6)],
    [(1, 8), (2, 5), (4, 10), (5, 10), (0, 10), (3, 4)],
    [(2, 5), (3, 4), (5, 8), (0, 9), (1, 1), (4, 7)],
    [(1, 5), (0, 5), (2, 5), (3, 3), (4, 8), (5, 9)],
    [(2, 9), (1, 3), (4, 5), (5, 4), (0, 3), (3, 1)],
    [(1, 3), (3, 3), (5, 9), (0, 10), (4, 4), (2, 1)],
]


def job_shop(name, jobs):
    """A job shop as a Model: `jobs` lists (machine, duration) by job; jobs are chains (task
    j{j}o{k}, as smtsched's reader names them), machines unary resources; no objective."""
    m = Model(name)
    machines = {}
    for j, job in enumerate(jobs):
        previous = None
        for k, (machine, duration) in enumerate(job):
            task = m.task(f"j{j}o{k}", duration)
            machines.setdefault(machine, []).append(task)
            if previous is not None:
                m.precedence(previous, task)
            previous = task
    for tasks in machines.values():
        m.unary(tasks)
    return m


def ft06(weighted=False):
    """ft06 as a Model: the makespan, or with `weighted` the weighted completion time
    (weights 1-3 by task index)."""
    m = job_shop("ft06", FT06)
    if weighted:
        m.minimize_weighted_completion({t: 1 + t.index % 3 for t in m.tasks})
    else:
        m.minimize_makespan()
    return m
