"""OR-Tools CP-SAT on the DNN scheduling problems of bench/dnn.py, written from the problem
statement alone (it imports nothing from smtsched), so that the two solvers are compared on
the same problem but not on the same code.

    python -m bench.dnn_cpsat MODEL.json --timeout T [--workers N] [--seed S] [--memory-limit-mb M]

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
  output written at the very end is still counted once, as bench/dnn_check.py's checker counts
  it); AddCumulative with demand = size and capacity = the budget, or a peak variable that is
  minimised;
- objective: the makespan (AddMaxEquality over the ends) or the peak.

Single-stream peak memory (the objective is the peak, one unit kind with one unit, every
operator on it with a positive latency: bench/dnn.py's `peak` problem on single-core) is a
sequencing problem: only the order matters. The operators run one after the other, and the
memory live while the k-th one runs, or after the last, is the same whatever the latencies
(a tensor is live from its producer's turn to its last reader's; an idle gap only holds a
subset of what the next operator holds). So that model uses positions, not times: a position
0..n-1 per operator (AddAllDifferent), consumers after producers, one memory interval per
tensor over positions, AddCumulative with the peak as capacity. Its horizon is n, not the sum
of latencies (up to 1.3e10 on fcn_8_vgg, where the time model overflowed inside CP-SAT and
answered INFEASIBLE); its optimum and bound are those of the real problem; the schedule is
read back as the operators in position order, back to back. (Measured at 10-20 s, 1 worker:
it proves inception_v2 optimal in 0.3 s with the hint, 3.3 s without, where the time model
found nothing in 10 s; on random_layered_n100, whose latencies are 1-5, the time model proved
the optimum in 15 s without the hint and this one does not in 20 s.)

Solution hint: MODEL.json may carry "hint" ({op: [start, end, unit kind, ...]}), a valid
schedule of the problem: bench/dnn.py gives the best of the schedules smtsched's own search
starts from. Every variable of the model is hinted from it (starts or positions, the chosen
option, memory intervals, makespan, peak: a complete assignment), so CP-SAT starts from the
same schedule, unit choices and orderings as smtsched.

Prints one line "DNN-CPSAT {json}": status, objective, bound, times (first_solution: when the
first solution came, on the same clock as `time`), and the schedule ({op: [start, end, unit
kind]}).
"""
import argparse
import json
import sys

from .harness import child, cpsat

MARK = "DNN-CPSAT "


def single_stream(problem):
    """True when only the order of the operators matters (see the module docstring)."""
    units = problem["units"]
    if problem["objective"] != "peak-memory" or len(units) != 1 or list(units.values()) != [1]:
        return False
    kind = next(iter(units))
    return all(len(options) == 1 and options[0][0] == kind and options[0][1] > 0
               for _, options in problem["operators"])


def memory_spans(problem, start, end, makespan):
    """[(size, alloc, [ends], is_output)] of the tensors that take memory, from the start and
    end of each operator (variables, expressions or numbers alike)."""
    out = []
    for name, size, producer, consumers, is_output in problem["tensors"]:
        if size <= 0:
            continue
        if producer is None and not consumers and not is_output:
            continue  # an input nobody reads is never allocated
        alloc = 0 if producer is None else start[producer]
        ends = ([] if producer is None else [end[producer]]) + [end[c] for c in consumers]
        if not is_output and not ends:
            continue  # not reachable: a producer always gives one end
        out.append((name, size, alloc, ends, is_output))
    return out


def peak_of(spans_values, makespan):
    """The peak of live memory of numeric spans (as memory_spans gives them)."""
    events = {}
    for _, size, alloc, ends, is_output in spans_values:
        free = max(makespan, alloc) + 1 if is_output else max(ends)
        if free > alloc:
            events[alloc] = events.get(alloc, 0) + size
            events[free] = events.get(free, 0) - size
    use = peak = 0
    for t in sorted(events):
        use += events[t]
        peak = max(peak, use)
    return peak


def build_model(problem, sequence=True):
    """The CP-SAT model of `problem` (the dict above): (model, handles). `sequence=False`
    keeps the time model for a single-stream peak too (the tests compare the two)."""
    if sequence and single_stream(problem):
        return build_sequence_model(problem)
    from ortools.sat.python import cp_model

    operators = problem["operators"]
    units = problem["units"]
    budget = problem.get("budget")
    hint = problem.get("hint")
    m = cp_model.CpModel()
    # every operator can run after all the others: the sum of the slowest options bounds any
    # schedule worth having (a left-shifted one never idles all the units at once)
    horizon = sum(max(lat for _, lat in options) for _, options in operators) + 1
    if hint:
        horizon = max(horizon, max(e for _, e, *_ in hint.values()) + 1)
    start, end, choice = {}, {}, {}
    on_unit = {kind: [] for kind in units}
    for name, options in operators:
        s = m.NewIntVar(0, horizon, "s|" + name)
        start[name] = s
        if hint:
            m.AddHint(s, hint[name][0])
        if len(options) == 1:
            kind, lat = options[0]
            end[name] = s + lat
            choice[name] = [(kind, lat, None)]
            if kind is not None and lat > 0:
                on_unit[kind].append(m.NewFixedSizeIntervalVar(s, lat, "i|" + name))
            continue
        present = []
        picked = None
        if hint:
            h = hint[name]
            picked = next((k for k, (kind, lat) in enumerate(options)
                           if kind == h[2] and lat == h[1] - h[0]), None)
        for k, (kind, lat) in enumerate(options):
            p = m.NewBoolVar("p|%s|%d" % (name, k))
            present.append(p)
            if picked is not None:
                m.AddHint(p, k == picked)
            if kind is not None and lat > 0:
                on_unit[kind].append(m.NewOptionalFixedSizeIntervalVar(
                    s, lat, p, "i|%s|%d" % (name, k)))
        m.AddExactlyOne(present)
        end[name] = s + sum(p * lat for p, (_, lat) in zip(present, options))
        choice[name] = [(kind, lat, p) for p, (kind, lat) in zip(present, options)]
    for name, size, producer, consumers, is_output in problem["tensors"]:
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
    hint_value = None
    if hint:
        h_start = {op: v[0] for op, v in hint.items()}
        h_end = {op: v[1] for op, v in hint.items()}
        h_makespan = max(h_end.values(), default=0)
        m.AddHint(makespan, h_makespan)
        h_spans = memory_spans(problem, h_start, h_end, h_makespan)
        h_peak = peak_of(h_spans, h_makespan)
        hint_value = h_makespan if problem["objective"] == "latency" else h_peak
        h_free = {name: (max(h_makespan, alloc) + 1 if out else max(ends))
                  for name, _, alloc, ends, out in h_spans}
        h_alloc = {name: alloc for name, _, alloc, _, _ in h_spans}

    needs_memory = problem["objective"] == "peak-memory" or budget is not None
    peak = None
    memory_intervals, sizes = [], []
    if needs_memory:
        for name, size, alloc, ends, is_output in memory_spans(problem, start, end, makespan):
            free = m.NewIntVar(0, horizon + 1, "f|" + name)
            if is_output:
                # kept to the end: live at every instant up to the makespan included
                m.AddMaxEquality(free, [makespan + 1, alloc + 1])
            else:
                m.AddMaxEquality(free, ends)
            length = m.NewIntVar(0, horizon + 1, "l|" + name)
            memory_intervals.append(m.NewIntervalVar(alloc, length, free, "m|" + name))
            sizes.append(size)
            if hint:
                m.AddHint(free, h_free[name])
                m.AddHint(length, h_free[name] - h_alloc[name])
        if problem["objective"] == "peak-memory":
            cap = sum(sizes) if budget is None else min(budget, sum(sizes))
            peak = m.NewIntVar(0, max(0, cap), "peak")
            if memory_intervals:
                m.AddCumulative(memory_intervals, sizes, peak)
            if hint:
                m.AddHint(peak, h_peak)
        elif memory_intervals:
            m.AddCumulative(memory_intervals, sizes, budget)
    if problem["objective"] == "latency":
        m.Minimize(makespan)
    else:
        m.Minimize(peak)
    return m, {"model": "time", "start": start, "end": end, "choice": choice,
               "makespan": makespan, "peak": peak, "horizon": horizon,
               "memory_intervals": len(memory_intervals), "hint_value": hint_value}


def build_sequence_model(problem):
    """The position model of a single-stream peak-memory problem (see the module docstring)."""
    from ortools.sat.python import cp_model

    operators = problem["operators"]
    budget = problem.get("budget")
    hint = problem.get("hint")
    n = len(operators)
    m = cp_model.CpModel()
    position = {name: m.NewIntVar(0, max(0, n - 1), "pos|" + name) for name, _ in operators}
    if n > 1:
        m.AddAllDifferent(list(position.values()))
    after = {name: position[name] + 1 for name, _ in operators}  # the position after its turn
    for name, size, producer, consumers, is_output in problem["tensors"]:
        if producer is None:
            continue
        for c in consumers:
            if c != producer:
                m.Add(position[c] >= position[producer] + 1)
    spans = memory_spans(problem, position, after, n)
    h_spans = None
    if hint:
        order = sorted(hint, key=lambda op: (hint[op][0], hint[op][1]))
        h_pos = {op: k for k, op in enumerate(order)}
        for name, _ in operators:
            m.AddHint(position[name], h_pos[name])
        h_spans = {x[0]: x for x in memory_spans(problem, h_pos, {op: k + 1 for op, k in h_pos.items()}, n)}
    intervals, sizes = [], []
    for name, size, alloc, ends, is_output in spans:
        if is_output:
            # kept to the end: live at every turn from its producer's and after the last
            intervals.append(m.NewIntervalVar(alloc, (n + 1) - alloc, n + 1, "m|" + name))
        else:
            free = m.NewIntVar(1, n, "f|" + name)
            m.AddMaxEquality(free, ends)
            length = m.NewIntVar(0, n, "l|" + name)
            intervals.append(m.NewIntervalVar(alloc, length, free, "m|" + name))
            if hint:
                _, _, h_alloc, h_ends, _ = h_spans[name]
                m.AddHint(free, max(h_ends))
                m.AddHint(length, max(h_ends) - h_alloc)
        sizes.append(size)
    cap = sum(sizes) if budget is None else min(budget, sum(sizes))
    peak = m.NewIntVar(0, max(0, cap), "peak")
    if intervals:
        m.AddCumulative(intervals, sizes, peak)
    hint_value = None
    if hint:
        hint_value = peak_of(list(h_spans.values()), n)
        m.AddHint(peak, hint_value)
    m.Minimize(peak)
    return m, {"model": "sequence", "position": position, "peak": peak, "horizon": n,
               "memory_intervals": len(intervals), "hint_value": hint_value}


def read_schedule(problem, solver, h):
    """{op: [start, end, unit kind]} of CP-SAT's solution, in the problem's real times."""
    schedule = {}
    if h["model"] == "sequence":
        order = sorted(h["position"], key=lambda op: solver.Value(h["position"][op]))
        options = dict(problem["operators"])
        t = 0
        for name in order:
            kind, lat = options[name][0]
            schedule[name] = [t, t + lat, kind]
            t += lat
        return schedule
    for name, options in h["choice"].items():
        s = int(solver.Value(h["start"][name]))
        if len(options) == 1:
            kind, lat, _ = options[0]
        else:
            kind, lat, _ = next(o for o in options if solver.Value(o[2]))
        schedule[name] = [s, s + lat, kind]
    return schedule


def first_solution_callback(clock):
    """A solution callback that keeps the time (on `clock`) of CP-SAT's first solution: the
    time to a first schedule, which bench/dnn_scale.py reports beside smtsched's."""
    from ortools.sat.python import cp_model

    class FirstSolution(cp_model.CpSolverSolutionCallback):
        def __init__(self):
            super().__init__()
            self.time = None

        def on_solution_callback(self):
            if self.time is None:
                self.time = clock()

    return FirstSolution()


def solve(problem, timeout, workers, sequence=True, seed=0):
    from ortools.sat.python import cp_model  # noqa: F401  (imported before the clock starts)

    clock = child.Clock()
    m, h = build_model(problem, sequence)
    first = first_solution_callback(clock)
    solver, code, out = cpsat.solve(m, clock, timeout, workers, seed, callback=first)
    out.update({"model": h["model"], "hint_value": h["hint_value"],
                "first_solution": first.time})
    out["stats"].update({"horizon": h["horizon"], "memory_intervals": h["memory_intervals"]})
    if cpsat.found(code):
        out["schedule"] = read_schedule(problem, solver, h)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench.dnn_cpsat")
    p.add_argument("model")
    p.add_argument("--timeout", type=float, required=True)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--memory-limit-mb", type=int, default=0,
                   help="address-space limit of this process (0: none; bench.dnn sets it on "
                        "the process itself)")
    a = p.parse_args(argv)

    def body(out):
        with open(a.model) as stream:
            problem = json.load(stream)
        child.stage("build")
        out.update(solve(problem, a.timeout, a.workers, seed=a.seed))

    return child.run(MARK, body, {"solver": "cpsat%d" % a.workers}, a.memory_limit_mb)


if __name__ == "__main__":
    sys.exit(main())
