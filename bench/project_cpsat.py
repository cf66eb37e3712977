"""CP-SAT models of RCPSP/max (`.sch`) and multi-mode RCPSP (`.mm`), the files read by psplib's
parser (`psplib.parse`, the same parser smtsched's reader calls; the model is built here
from psplib's ProjectInstance, sharing no code with smtsched.sched.psplib_formats).

    python -m bench.project_cpsat FILE [--timeout T] [--workers K]    # prints one JSON line

The models (the usual ones for both problems, e.g. Schutt, Feydy, Stuckey and Wallace 2013,
"Solving RCPSP/max by lazy clause generation"):

- a start variable per activity in [0, H] and an interval of its duration; RCPSP/max: every
  arc (i, j, delay) of the file is start_j >= start_i + delay (a negative delay is the maximum
  lag of the reverse arc); H = the sum over the activities of max(duration, largest outgoing
  delay), which every feasible instance has a schedule within (the bound of Bartusch, Moehring
  and Radermacher 1988 that Schutt et al. use), so INFEASIBLE within H is INFEASIBLE;
- multi-mode: a Boolean per mode (exactly one per activity), an optional interval per mode
  sharing the activity's start (an end of its own), the activity's end = start + the sum of
  the modes' durations times their Booleans,
  finish-to-start precedences on the activity's end; a mode that asks more of a renewable
  resource than its capacity is never chosen; a non-renewable resource is a linear budget over
  the modes' Booleans; H = the sum of the longest modes;
- AddCumulative per renewable resource; minimise the makespan = the largest end.

Answer: {"status": OPTIMAL | FEASIBLE | INFEASIBLE | UNKNOWN, "objective", "bound", "starts"
{"job<k>": start} (k from 1, as smtsched names them), "modes" {"job<k>": mode from 1}, times}.
"""
import argparse
import json
import os
import sys


def read(path):
    """psplib's ProjectInstance of `path` (.sch: rcpsp_max, else psplib)."""
    import psplib
    kind = "rcpsp_max" if path.lower().endswith(".sch") else "psplib"
    return kind, psplib.parse(path, instance_format=kind)


def build(instance, kind):
    """(CpModel, starts, mode Booleans per activity, makespan)."""
    from ortools.sat.python import cp_model
    acts = instance.activities
    res = instance.resources
    n = len(acts)
    m = cp_model.CpModel()
    if kind == "rcpsp_max":
        horizon = sum(max([a.modes[0].duration] + [d for d in (a.delays or []) if d > 0])
                      for a in acts)
    else:
        horizon = sum(max(mode.duration for mode in a.modes) for a in acts)
    start = [m.NewIntVar(0, horizon, "s%d" % k) for k in range(n)]
    end = [m.NewIntVar(0, horizon, "e%d" % k) for k in range(n)]
    chosen = []                                 # per activity: [(Boolean, mode)]
    usage = {r: [] for r, resource in enumerate(res)}   # r -> [(interval or Boolean, demand)]
    for k, a in enumerate(acts):
        options = []
        fits = [all(mode.demands[r] <= res[r].capacity for r in range(len(res)) if res[r].renewable)
                for mode in a.modes]
        if len(a.modes) == 1:
            mode = a.modes[0]
            if not fits[0]:
                m.AddBoolOr([])                 # no schedule: the mode cannot run
            iv = m.NewIntervalVar(start[k], mode.duration, end[k], "i%d" % k)
            options.append((None, mode, iv))
        else:
            for j, mode in enumerate(a.modes):
                b = m.NewBoolVar("x%d_%d" % (k, j))
                if not fits[j]:
                    m.Add(b == 0)
                # each mode's interval has an end of its own: with the activity's end shared
                # by the modes' optional intervals (of different sizes), CP-SAT 9.15.6755
                # (not 9.12.4544) proved a wrong optimum (45 for 44) on multi_mode(n=12,
                # modes=3, rs=0.4, seed=11, rs_nonrenewable=0.6), in tests/test_gen_project.py
                own_end = m.NewIntVar(0, horizon, "e%d_%d" % (k, j))
                iv = m.NewOptionalIntervalVar(start[k], mode.duration, own_end, b, "i%d_%d" % (k, j))
                options.append((b, mode, iv))
            m.AddExactlyOne([b for b, _, _ in options])
            m.Add(end[k] == start[k] + sum(mode.duration * b for b, mode, _ in options))
        chosen.append(options)
        for b, mode, iv in options:
            for r, q in enumerate(mode.demands):
                if q > 0:
                    usage[r].append((iv if res[r].renewable else b, q))
    for k, a in enumerate(acts):
        for t, j in enumerate(a.successors):
            if kind == "rcpsp_max":
                m.Add(start[j] >= start[k] + a.delays[t])
            else:
                m.Add(start[j] >= end[k])
    for r, resource in enumerate(res):
        if not usage[r]:
            continue
        if resource.renewable:
            m.AddCumulative([iv for iv, _ in usage[r]], [q for _, q in usage[r]], resource.capacity)
        else:
            # a single-mode activity's consumption is a constant (its Boolean is None)
            fixed = sum(q for b, q in usage[r] if b is None)
            m.Add(sum(q * b for b, q in usage[r] if b is not None) + fixed <= resource.capacity)
    makespan = m.NewIntVar(0, horizon, "makespan")
    m.AddMaxEquality(makespan, end)
    m.Minimize(makespan)
    return m, start, chosen, makespan


def solve(path, timeout, workers=1, seed=None):
    """One solve; the answer as a dict (see the module's docstring)."""
    from ortools.sat.python import cp_model  # noqa: F401  imported before the clock
    from .harness import child, cpsat
    clock = child.Clock()
    kind, instance = read(path)
    parse_time = clock()
    clock = child.Clock()
    model, start, chosen, makespan = build(instance, kind)
    solver, code, out = cpsat.solve(model, clock, timeout, workers, seed)
    out["parse_time"] = parse_time
    if cpsat.found(code):
        out["starts"] = {"job%d" % (k + 1): int(solver.Value(s)) for k, s in enumerate(start)}
        out["modes"] = {"job%d" % (k + 1): next(j + 1 for j, (b, _, _) in enumerate(options)
                                               if b is None or solver.Value(b))
                        for k, options in enumerate(chosen)}
    return out


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench.project_cpsat", description=__doc__.split("\n\n")[0])
    p.add_argument("file")
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--seed", type=int, default=None)
    a = p.parse_args(argv)
    if not os.path.isfile(a.file):
        p.error("no such file: %s" % a.file)
    print(json.dumps(solve(a.file, a.timeout, a.workers, a.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
