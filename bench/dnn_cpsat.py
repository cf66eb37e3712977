"""OR-Tools CP-SAT on the DNN scheduling problems of bench/dnn.py, written from the problem
statement alone (it imports nothing from smtsched), so that the two solvers are compared on
the same problem but not on the same code.

    python -m bench.dnn_cpsat MODEL.json --timeout T [--workers N] [--memory-limit-mb M]

MODEL.json is the plain problem bench/dnn.py writes for one (graph, platform, problem):

    {"name": ..., "objective": "latency" | "peak-memory", "budget": bytes or null,
     "units": {kind: count},
     "operators": [[name, [[unit kind or null, latency], ...]], ...],
     "tensors": [[name, size, producer or null, [consumers], is_output], ...]}

The model:
- one start variable per operator; an operator with one way to run is one fixed-size
  interval; one with several gets an optional fixed-size interval per option, exactly one
  present, and its end is start + the chosen option's latency (a linear expression, so no
  extra interval is needed for the precedences and the memory);
- precedences: every consumer of a tensor starts at or after its producer's end;
- units: per kind, AddNoOverlap when there is one unit, else AddCumulative with demand 1 and
  capacity = the count, over the intervals of positive latency (an operator that takes no
  time occupies no unit, as in the harness's checker);
- memory: one interval per tensor [alloc, free): alloc = the producer's start (0 for a graph
  input), free = max of the producer's and the consumers' ends (AddMaxEquality); a graph
  output is freed at the makespan, and at least one time unit after its allocation (so an
  output written at the very end is still counted once, as bench/dnn.py's checker counts
  it); AddCumulative with demand = size and capacity = the budget, or a peak variable that is
  minimised;
- objective: the makespan (AddMaxEquality over the ends) or the peak.

Prints one line "DNN-CPSAT {json}": status, objective, bound, times, and the schedule
({op: [start, end, unit kind]}).
"""
import argparse
import json
import math
import resource
import sys
import time
import traceback

MARK = "DNN-CPSAT "


def build_model(problem):
    """The CP-SAT model of `problem` (the dict above): (model, handles)."""
    from ortools.sat.python import cp_model

    operators = problem["operators"]
    tensors = problem["tensors"]
    units = problem["units"]
    budget = problem.get("budget")
    m = cp_model.CpModel()
    # every operator can run after all the others: the sum of the slowest options bounds any
    # schedule worth having (a left-shifted one never idles all the units at once)
    horizon = sum(max(lat for _, lat in options) for _, options in operators) + 1
    start, end, choice = {}, {}, {}
    on_unit = {kind: [] for kind in units}
    for name, options in operators:
        s = m.NewIntVar(0, horizon, "s|" + name)
        start[name] = s
        if len(options) == 1:
            kind, lat = options[0]
            end[name] = s + lat
            choice[name] = [(kind, lat, None)]
            if kind is not None and lat > 0:
                on_unit[kind].append(m.NewFixedSizeIntervalVar(s, lat, "i|" + name))
            continue
        present = []
        for k, (kind, lat) in enumerate(options):
            p = m.NewBoolVar("p|%s|%d" % (name, k))
            present.append(p)
            if kind is not None and lat > 0:
                on_unit[kind].append(m.NewOptionalFixedSizeIntervalVar(
                    s, lat, p, "i|%s|%d" % (name, k)))
        m.AddExactlyOne(present)
        end[name] = s + sum(p * lat for p, (_, lat) in zip(present, options))
        choice[name] = [(kind, lat, p) for p, (kind, lat) in zip(present, options)]
    for name, size, producer, consumers, is_output in tensors:
        if producer is None:
            continue
        for c in consumers:
            m.Add(start[c] >= end[producer])
    for kind, intervals in on_unit.items():
        count = units[kind]
        if len(intervals) <= count:
            continue  # never more users than units: nothing to constrain
        if count == 1:
            m.AddNoOverlap(intervals)
        else:
            m.AddCumulative(intervals, [1] * len(intervals), count)
    makespan = m.NewIntVar(0, horizon, "makespan")
    m.AddMaxEquality(makespan, [end[name] for name, _ in operators] or [0])

    needs_memory = problem["objective"] == "peak-memory" or budget is not None
    peak = None
    memory_intervals, sizes = [], []
    if needs_memory:
        for name, size, producer, consumers, is_output in tensors:
            if size <= 0:
                continue
            if producer is None and not consumers and not is_output:
                continue  # an input nobody reads is never allocated
            alloc = 0 if producer is None else start[producer]
            ends = ([] if producer is None else [end[producer]]) + [end[c] for c in consumers]
            free = m.NewIntVar(0, horizon + 1, "f|" + name)
            if is_output:
                # kept to the end: live at every instant up to the makespan included
                m.AddMaxEquality(free, [makespan + 1, alloc + 1])
            elif ends:
                m.AddMaxEquality(free, ends)
            else:
                continue  # not reachable: a producer always gives one end
            length = m.NewIntVar(0, horizon + 1, "l|" + name)
            memory_intervals.append(m.NewIntervalVar(alloc, length, free, "m|" + name))
            sizes.append(size)
        if problem["objective"] == "peak-memory":
            cap = sum(sizes) if budget is None else min(budget, sum(sizes))
            peak = m.NewIntVar(0, max(0, cap), "peak")
            if memory_intervals:
                m.AddCumulative(memory_intervals, sizes, peak)
        elif memory_intervals:
            m.AddCumulative(memory_intervals, sizes, budget)
    if problem["objective"] == "latency":
        m.Minimize(makespan)
    else:
        m.Minimize(peak)
    return m, {"start": start, "end": end, "choice": choice, "makespan": makespan,
               "peak": peak, "horizon": horizon, "memory_intervals": len(memory_intervals)}


def solve(problem, timeout, workers):
    from ortools.sat.python import cp_model

    t0 = time.perf_counter()
    m, h = build_model(problem)
    build = time.perf_counter() - t0
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, timeout - build)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 0
    t1 = time.perf_counter()
    code = solver.Solve(m)
    solve_time = time.perf_counter() - t1
    status = solver.StatusName(code)
    out = {"status": status, "build_time": build, "solve_time": solve_time,
           "time": build + solve_time, "cpsat_wall": solver.WallTime(),
           "stats": {"branches": solver.NumBranches(), "conflicts": solver.NumConflicts(),
                     "horizon": h["horizon"], "memory_intervals": h["memory_intervals"]}}
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        out["objective"] = int(round(solver.ObjectiveValue()))
        out["bound"] = int(math.ceil(solver.BestObjectiveBound() - 1e-6))
        schedule = {}
        for name, options in h["choice"].items():
            s = int(solver.Value(h["start"][name]))
            if len(options) == 1:
                kind, lat, _ = options[0]
            else:
                kind, lat, _ = next(o for o in options if solver.Value(o[2]))
            schedule[name] = [s, s + lat, kind]
        out["schedule"] = schedule
    elif code == cp_model.INFEASIBLE:
        out["status"] = "INFEASIBLE"
    else:
        out["status"] = "UNKNOWN"
        out["reason"] = status
        if code == cp_model.MODEL_INVALID:
            out["reason"] = "MODEL_INVALID: %s" % m.Validate()
    return out


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench.dnn_cpsat")
    p.add_argument("model")
    p.add_argument("--timeout", type=float, required=True)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--memory-limit-mb", type=int, default=0,
                   help="address-space limit of this process (0: none)")
    a = p.parse_args(argv)
    out = {"solver": "cpsat%d" % a.workers}
    try:
        if a.memory_limit_mb > 0:
            limit = a.memory_limit_mb << 20
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        with open(a.model) as stream:
            problem = json.load(stream)
        print("STAGE build", file=sys.stderr, flush=True)
        out.update(solve(problem, a.timeout, a.workers))
    except MemoryError:
        out["status"] = "UNKNOWN"
        out["error"] = "out of memory (MemoryError under the %d MB limit)" % a.memory_limit_mb
    except Exception as problem:  # reported in the JSON line, not as a traceback in the parent
        out["status"] = "UNKNOWN"
        out["error"] = "%s: %s" % (type(problem).__name__, problem)
        out["traceback"] = traceback.format_exc()[-2000:]
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(MARK + json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
