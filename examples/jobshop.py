"""Job-shop scheduling with smtsched's Python API: find the optimal makespan and prove it.

    python examples/jobshop.py                 # the classic ft06 instance (Fisher & Thompson 1963)
    python examples/jobshop.py path/to/la01.txt

The file format is the standard one: a line `jobs machines`, then one line per job listing
(machine, duration) pairs in processing order, machines numbered from 0.

Each makespan bound B is a decision problem in difference logic: start times, job precedences,
and for every two operations on one machine "one finishes before the other starts". The bound
is passed as an assumption, so one Solver answers every probe of a bisection between a lower
bound (the longest job or the busiest machine) and a schedule's makespan.
"""
import sys
import time

from smtsched import Int, Or, Solver, sat

FT06 = """6 6
2 1 0 3 1 6 3 7 5 3 4 6
1 8 2 5 4 10 5 10 0 10 3 4
2 5 3 4 5 8 0 9 1 1 4 7
1 5 0 5 2 5 3 3 4 8 5 9
2 9 1 3 4 5 5 4 0 3 3 1
1 3 3 3 5 9 0 10 4 4 2 1
"""


def read_instance(text):
    numbers = [list(map(int, line.split())) for line in text.splitlines() if line.strip()]
    jobs, machines = numbers[0][:2]
    return [[(row[2 * k], row[2 * k + 1]) for k in range(machines)] for row in numbers[1:1 + jobs]]


def schedule_model(jobs):
    """A solver holding the job-shop constraints, plus the start variables and makespan."""
    solver = Solver()
    start = {(j, k): Int(f"s_{j}_{k}") for j, job in enumerate(jobs) for k in range(len(job))}
    makespan = Int("makespan")
    on_machine = {}
    for j, job in enumerate(jobs):
        solver.add(start[j, 0] >= 0)
        for k, (machine, duration) in enumerate(job):
            on_machine.setdefault(machine, []).append((start[j, k], duration))
            if k + 1 < len(job):
                solver.add(start[j, k + 1] - start[j, k] >= duration)
        solver.add(makespan - start[j, len(job) - 1] >= job[-1][1])
    for operations in on_machine.values():
        for a, (start_a, duration_a) in enumerate(operations):
            for start_b, duration_b in operations[a + 1:]:
                solver.add(Or(start_b - start_a >= duration_a, start_a - start_b >= duration_b))
    return solver, start, makespan


def main(argv):
    text = open(argv[1]).read() if len(argv) > 1 else FT06
    jobs = read_instance(text)
    solver, start, makespan = schedule_model(jobs)
    began = time.perf_counter()
    # Every job's total length and every machine's total load bound the makespan from below.
    loads = {}
    for job in jobs:
        for machine, duration in job:
            loads[machine] = loads.get(machine, 0) + duration
    low = max(max(sum(d for _, d in job) for job in jobs), max(loads.values()))
    high = sum(loads.values())  # everything in sequence always fits
    best_model = None
    while low <= high:  # bisection on the makespan: each probe is one decision problem
        middle = (low + high) // 2
        answer = solver.check(makespan <= middle)
        print(f"makespan <= {middle}: {answer} ({time.perf_counter() - began:.2f} s)")
        if answer == sat:
            best_model = solver.model()
            high = best_model[makespan] - 1
        else:
            low = middle + 1
    print(f"optimal makespan: {best_model[makespan]}, proven ({time.perf_counter() - began:.2f} s)")
    for j in range(len(jobs)):
        starts = " ".join(f"{best_model[start[j, k]]:4d}" for k in range(len(jobs[j])))
        print(f"  job {j} starts: {starts}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
