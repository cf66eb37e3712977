"""The smtsched side of bench/dnn.py, run as a script in a fresh process (by path, from a
scratch directory, so that `import smtsched` finds the installed package with its compiled
theories and never the source folder of the current directory). Nothing here checks anything:
the harness re-checks every schedule with its own code.

    python bench/dnn_worker.py prepare GRAPH --platform NAME=SPEC.toml ... --out FILE.json
        Read the graph and the accelerators with smtsched's loaders and write the plain
        problem data the harness and the CP-SAT model work from (operators, tensors, each
        platform's units, memory and per-operator options), plus the two heuristics'
        schedules (smtsched.dnn.baselines) on every platform.

    python bench/dnn_worker.py solve GRAPH --accelerator SPEC.toml --objective latency|peak-memory
                               [--memory BYTES | --ignore-platform-memory] --timeout T [--seed N] [--memory-limit-mb M]
        DnnProblem(...).solve(time_limit = T minus the build time): one line
        "DNN-SMTSCHED {json}" on stdout. Every improving schedule is also printed at once
        ("DNN-SMTSCHED-BEST {json}" with the time since the build began), so a run that is
        killed at the hard limit still leaves the best schedule it had found in time.
        Stages go to stderr ("STAGE load|build|solve"): the harness says where a killed run was.

    python bench/dnn_worker.py starts GRAPH --problems PROBLEMS.json --seed N --out FILE.json
        The schedules smtsched's search starts from, for each problem of PROBLEMS.json
        ({id: {"accelerator": SPEC, "objective": ..., "memory": bytes or null}}; null: no
        budget at all), as whole schedules ({op: [start, end, unit kind, null]}), so that the
        harness can hand the same start to CP-SAT as a solution hint. See starting_schedules.
"""
import argparse
import copy
import json
import os
import sys
import time
import types

try:  # run by path (bench/ on sys.path), or imported as bench.dnn_worker
    from harness import child
except ImportError:
    from .harness import child

RESULT = "DNN-SMTSCHED "
BEST = "DNN-SMTSCHED-BEST "
PREPARED = "DNN-PREPARED "


def _kind_of(unit):
    """'npu[1]' -> 'npu' (the baselines name units kind[index]); None stays None."""
    return None if unit is None else unit.rsplit("[", 1)[0]


def prepare(a):
    from smtsched.dnn.accelerator import load_accelerator
    from smtsched.dnn.baselines import critical_path_order, list_schedule
    from smtsched.dnn import load_graph

    t0 = time.perf_counter()
    graph = load_graph(a.graph)
    load_time = time.perf_counter() - t0
    out = {"graph_name": graph.name, "load_time": load_time,
           "operators": [[op.name, op.kind, op.work] for op in graph.operators],
           "file_order": graph.file_order(),
           "predecessors": {op.name: graph.predecessors(op.name) for op in graph.operators},
           "tensors": [[t.name, t.size, t.producer, list(t.consumers), bool(t.is_output)]
                       for t in graph.tensors.values()],
           "platforms": {}}
    for item in a.platform:
        name, path = item.split("=", 1)
        acc = load_accelerator(path)
        # the baselines read only .graph and .accelerator: a stand-in spares building the
        # whole scheduling model (slow on the large graphs) just to run them
        problem = types.SimpleNamespace(graph=graph, accelerator=acc)
        platform = {"spec": path, "accelerator_name": acc.name, "units": dict(acc.units),
                    "memory": acc.memory,
                    "options": {op.name: [[kind, int(lat)] for kind, lat in acc.options(op)]
                                for op in graph.operators},
                    "heuristics": {}}
        for label, order in (("critical-path", lambda: critical_path_order(problem)),
                             ("file-order", graph.file_order)):
            t1 = time.perf_counter()
            placement, latency, peak = list_schedule(problem, order())
            platform["heuristics"][label] = {
                "time": time.perf_counter() - t1, "latency": latency, "peak": peak,
                "schedule": {op: [start, end, _kind_of(unit), unit]
                             for op, (unit, start, end) in placement.items()}}
        out["platforms"][name] = platform
    with open(a.out, "w") as stream:
        json.dump(out, stream)
    print(PREPARED + json.dumps({"operators": len(out["operators"]),
                                 "tensors": len(out["tensors"]), "load_time": load_time}),
          flush=True)
    return 0


def _operations(problem, starts, present=None, offset=0, begin=0):
    """{op: [start, end, unit kind, None]} of a (starts, present) of `problem`'s model; an
    operator with a choice of units runs on its present option (None if none is)."""
    out = {}
    for op in problem.graph.operators:
        options = problem.options[op.name]
        if len(options) == 1:
            kind, latency, _ = options[0]
        else:
            chosen = [(k, lat) for k, lat, task in options
                      if present is not None and present[task.index]]
            if len(chosen) != 1:
                return None
            kind, latency = chosen[0]
        s = starts[problem.task[op.name].index] - begin + offset
        out[op.name] = [s, s + latency, kind, None]
    return out


def starting_schedules(problem, seed):
    """The whole schedules smtsched's search starts from on `problem` (a DnnProblem), as
    [(label, {op: [start, end, kind, None]})]. This mirrors DnnProblem.solve /
    _solve_segments and smtsched.sched.optimize.Optimizer (checked against smtsched/dnn/problem.py
    as of the commit that added the file-order starts to DnnProblem._memory_aware):

    - "greedy": DnnProblem.greedy_schedule (the best valid of the serial schedule, the
      critical-path, least-memory and file-order list schedules, one operator at a time in
      the least-memory, graph and file orders): smtsched holds it before any search, and
      every segment's search starts from its piece (none is searched when it meets the
      static bound);
    - "segments": per segment (DnnProblem.segments), the start its search takes, the best
      valid of the segment model's serial schedule, its piece of "greedy" and its
      memory-aware starts (the Optimizer keeps the first of least objective), end to end;
      only when every segment has one (start vectors cannot choose among units, so with a
      choice of units only "greedy" is there).
    Keep this in step with smtsched/dnn/problem.py when that changes what it starts from."""
    from smtsched.dnn.problem import DnnProblem
    from smtsched.dnn.segments import segment_graphs
    from smtsched.sched import heuristic
    from smtsched.sched.optimize import best_start

    out = []
    greedy = problem.greedy_schedule(seed)
    whole = None if greedy is None else _operations(problem, *greedy)
    parts = problem.segments(True)
    graphs = [problem.graph] if len(parts) == 1 else segment_graphs(problem.graph, parts)
    pieces, offset = {}, 0
    for graph in graphs:
        sub = problem if len(parts) == 1 else DnnProblem(
            graph, problem.accelerator, problem.objective, problem.memory_budget)
        candidates = [heuristic.serial_schedule(sub.model, seed)]
        if whole is not None and all(len(sub.options[op.name]) == 1 for op in graph.operators):
            begin = min(whole[op.name][0] for op in graph.operators)
            own = [0] * len(sub.model.tasks)
            for op in graph.operators:
                own[sub.task[op.name].index] = whole[op.name][0] - begin
            candidates.append(own)
        first = best_start(sub.model, candidates + sub.memory_aware_starts())
        piece = None
        if first is not None:
            begin = min(first[sub.task[op.name].index] for op in graph.operators)
            piece = _operations(sub, first, None, offset, begin)
        if piece is None:
            pieces = None
            break
        pieces.update(piece)
        offset = max([offset] + [e for _, e, _, _ in piece.values()])
    if pieces is not None:
        out.append(("segments", pieces))  # first: the segments' searches start from it
    if whole is not None:
        out.append(("greedy", whole))
    return out


def starts(a):
    from smtsched.dnn.accelerator import load_accelerator
    from smtsched.dnn import load_graph
    from smtsched.dnn.problem import DnnProblem

    with open(a.problems) as stream:
        wanted = json.load(stream)
    graph = load_graph(a.graph)
    out = {}
    for pid, spec in wanted.items():
        t0 = time.perf_counter()
        accelerator = load_accelerator(spec["accelerator"])
        if spec.get("memory") is None:
            accelerator = copy.copy(accelerator)
            accelerator.memory = None  # as solve --ignore-platform-memory
        problem = DnnProblem(graph, accelerator, objective=spec["objective"],
                             memory=spec.get("memory"))
        found = starting_schedules(problem, a.seed)
        out[pid] = {"starts": [{"label": label, "schedule": ops} for label, ops in found],
                    "time": time.perf_counter() - t0}
    with open(a.out, "w") as stream:
        json.dump(out, stream)
    return 0


def _schedule_of(dnn_schedule):
    return {e["op"]: [e["start"], e["end"], e["unit_kind"], e.get("unit")]
            for e in dnn_schedule.operations}


def solve(a):
    from smtsched.dnn.accelerator import load_accelerator
    from smtsched.dnn import load_graph
    from smtsched.dnn.problem import DnnProblem

    def body(out):
        child.stage("load")
        graph = load_graph(a.graph)
        accelerator = load_accelerator(a.accelerator)
        if a.ignore_platform_memory and a.memory is None:
            # DnnProblem(memory=None) falls back to the accelerator's memory; a copy without
            # it is the way to ask for the latency on the units alone
            accelerator = copy.copy(accelerator)
            accelerator.memory = None
        child.stage("build")
        clock = child.Clock()
        problem = DnnProblem(graph, accelerator, objective=a.objective, memory=a.memory)
        build = clock()
        out["build_time"] = build
        out["memory_budget"] = problem.memory_budget

        def improved(schedule):
            if schedule.operations:
                child.emit(BEST, {"elapsed": clock(), "objective": schedule.objective,
                                  "lower_bound": schedule.lower_bound,
                                  "schedule": _schedule_of(schedule)})

        child.stage("solve")
        schedule = problem.solve(time_limit=max(0.01, a.timeout - build), seed=a.seed,
                                 on_solution=improved)
        out.update({"status": schedule.status, "objective": schedule.objective,
                    "bound": schedule.lower_bound, "reported_gap": schedule.gap,
                    "solve_time": schedule.runtime, "time": build + schedule.runtime,
                    "latency": schedule.latency, "peak_memory": schedule.peak_memory,
                    "reason": schedule.reason or "",
                    "stats": {k: v for k, v in (schedule.stats or {}).items()
                              if isinstance(v, (int, float, str))}})
        if schedule.operations:
            out["schedule"] = _schedule_of(schedule)

    # unsupported problems (DnnProblemError) end as an error in the line too
    return child.run(RESULT, body, {"solver": "smtsched"}, a.memory_limit_mb)


def main(argv=None):
    p = argparse.ArgumentParser(prog="bench/dnn_worker.py")
    sub = p.add_subparsers(dest="mode", required=True)
    pp = sub.add_parser("prepare")
    pp.add_argument("graph")
    pp.add_argument("--platform", action="append", default=[], metavar="NAME=SPEC")
    pp.add_argument("--out", required=True)
    ps = sub.add_parser("solve")
    ps.add_argument("graph")
    ps.add_argument("--accelerator", required=True)
    ps.add_argument("--objective", choices=["latency", "peak-memory"], required=True)
    ps.add_argument("--memory", type=int, default=None)
    ps.add_argument("--ignore-platform-memory", action="store_true",
                    help="without --memory: no budget at all, not the accelerator's memory")
    ps.add_argument("--timeout", type=float, required=True)
    ps.add_argument("--seed", type=int, default=0)
    ps.add_argument("--memory-limit-mb", type=int, default=0)
    pt = sub.add_parser("starts")
    pt.add_argument("graph")
    pt.add_argument("--problems", required=True)
    pt.add_argument("--seed", type=int, default=0)
    pt.add_argument("--out", required=True)
    a = p.parse_args(argv)
    if a.mode == "prepare":
        return prepare(a)
    if a.mode == "starts":
        return starts(a)
    return solve(a)


if __name__ == "__main__":
    # run by path: keep this folder (bench/) but never the checkout root on the path
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path[:] = [q for q in sys.path if os.path.abspath(q or os.curdir) != root]
    code = main()
    # Everything is printed: skip the interpreter's teardown, which frees a million-term model
    # one object at a time (8 s on a 1000-operator memory problem) inside the wall time that
    # the harness limits to T + grace.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
