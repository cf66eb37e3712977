"""Job-shop decision problems "makespan <= B" in pure difference logic.

Instance format (``<data>/jssp/<name>.txt``): first line ``n_jobs n_machines``, then one line
per job with its operations in order as ``machine duration`` pairs (machines from 0).
``<data>/jssp/index.json`` holds ``optimum`` per instance.

Encoding (one integer start variable ``s_j_k`` per operation k of job j):

* ``s_j_0 >= 0``
* ``s_j_{k+1} - s_j_k >= d_j_k``                         (job precedence)
* ``(s_b - s_a >= d_a) or (s_a - s_b >= d_b)``           (each pair a, b on the same machine)
* ``s_j_last + d_j_last <= B``                           (makespan bound)

Expected answers: sat at B = optimum, unsat at B = optimum - 1.
"""

import json
import os

from bench.formula import Formula

# The instances of family (a), in report order.
DEFAULT_INSTANCES = ["ft06", "ft10", "abz5"] + ["la%02d" % i for i in range(1, 21)]
TEN_BY_TEN = ["ft10", "abz5", "la16", "la17", "la18", "la19", "la20"]


class Instance:
    def __init__(self, name, jobs, n_machines):
        self.name = name
        self.jobs = jobs  # list of list of (machine, duration)
        self.n_machines = n_machines

    @property
    def n_jobs(self):
        return len(self.jobs)


def parse(text, name="?"):
    tok = text.split()
    if len(tok) < 2:
        raise ValueError("%s: empty instance" % name)
    nj, nm = int(tok[0]), int(tok[1])
    vals = [int(t) for t in tok[2:]]
    # Every job line holds pairs; jobs may in principle have different lengths, so split by lines
    lines = [ln.split() for ln in text.strip().splitlines()[1:] if ln.strip()]
    if len(lines) != nj:
        # fall back to a flat read with nm operations per job
        if len(vals) != nj * nm * 2:
            raise ValueError("%s: expected %d jobs" % (name, nj))
        lines = [vals[j * 2 * nm:(j + 1) * 2 * nm] for j in range(nj)]
    jobs = []
    for j, ln in enumerate(lines):
        nums = [int(t) for t in ln]
        if len(nums) % 2:
            raise ValueError("%s: job %d has an odd number of entries" % (name, j))
        ops = [(nums[i], nums[i + 1]) for i in range(0, len(nums), 2)]
        for m, d in ops:
            if not (0 <= m < nm) or d < 0:
                raise ValueError("%s: job %d has a bad operation (%d, %d)" % (name, j, m, d))
        jobs.append(ops)
    return Instance(name, jobs, nm)


def load(data_dir, name):
    path = os.path.join(data_dir, "jssp", name + ".txt")
    with open(path) as f:
        return parse(f.read(), name)


def load_index(data_dir):
    with open(os.path.join(data_dir, "jssp", "index.json")) as f:
        return json.load(f)


def optimum(data_dir, name):
    opt = load_index(data_dir).get(name, {}).get("optimum")
    if opt is None:
        raise ValueError("%s has no known optimum in jssp/index.json" % name)
    return int(opt)


def var(j, k):
    return "s_%d_%d" % (j, k)


def encode(inst, bound):
    f = Formula("jobshop %s makespan<=%d" % (inst.name, bound))
    for j, ops in enumerate(inst.jobs):
        for k in range(len(ops)):
            f.var(var(j, k))
    for j, ops in enumerate(inst.jobs):
        if not ops:
            continue
        f.add(("bound", var(j, 0), 0, ">=", 0))
        for k in range(len(ops) - 1):
            f.add(("diff", var(j, k + 1), var(j, k), ">=", ops[k][1]))
        last = len(ops) - 1
        f.add(("bound", var(j, last), ops[last][1], "<=", bound))
    by_machine = {}
    for j, ops in enumerate(inst.jobs):
        for k, (m, d) in enumerate(ops):
            by_machine.setdefault(m, []).append((var(j, k), d))
    for m in sorted(by_machine):
        on = by_machine[m]
        for i in range(len(on)):
            a, da = on[i]
            for b, db in on[i + 1:]:
                f.add(("diff", b, a, ">=", da), ("diff", a, b, ">=", db))
    return f


def check_schedule(inst, bound, starts):
    """Independent check of a schedule (start times keyed ``s_j_k``) against the instance data.
    Returns a list of problems; [] means a valid schedule with makespan <= bound."""
    problems = []
    st = {}
    for j, ops in enumerate(inst.jobs):
        for k in range(len(ops)):
            v = starts.get(var(j, k))
            if not isinstance(v, int) or isinstance(v, bool):
                problems.append("operation (%d,%d) has no integer start: %r" % (j, k, v))
            else:
                st[j, k] = v
    if problems:
        return problems[:5]
    makespan = 0
    machine_intervals = {}
    for j, ops in enumerate(inst.jobs):
        t = 0
        for k, (m, d) in enumerate(ops):
            s = st[j, k]
            if s < t:
                problems.append("job %d op %d starts at %d before %d (precedence/zero)" % (j, k, s, t))
            t = s + d
            machine_intervals.setdefault(m, []).append((s, s + d, j, k))
        makespan = max(makespan, t)
    for m, iv in machine_intervals.items():
        iv.sort()
        for i in range(len(iv)):
            s1, e1, j1, k1 = iv[i]
            for s2, e2, j2, k2 in iv[i + 1:]:
                if max(s1, s2) < min(e1, e2):  # open overlap; zero-length ops never clash
                    problems.append("machine %d: (%d,%d) [%d,%d) overlaps (%d,%d) [%d,%d)"
                                    % (m, j1, k1, s1, e1, j2, k2, s2, e2))
    if makespan > bound:
        problems.append("makespan %d > bound %d" % (makespan, bound))
    return problems[:10]


def trivial_lower_bound(inst):
    """max(largest machine load, longest job): a makespan bound any schedule obeys."""
    load = {}
    for ops in inst.jobs:
        for m, d in ops:
            load[m] = load.get(m, 0) + d
    return max(max(load.values(), default=0), max((sum(d for _, d in ops) for ops in inst.jobs), default=0))
