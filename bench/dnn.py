"""DNN scheduling benchmark: smtsched (DnnProblem.solve) against OR-Tools CP-SAT on the same
problems, with two compiler heuristics as reference points.

    python -m bench.dnn                                    # all instances, 60 s per run
    python -m bench.dnn --timeout 5 --only 'VGG16*test,bvlc_alexnet' --out /tmp/d.md
    python -m bench.dnn --problems latency,peak --solvers smtsched,cpsat1,cpsat2
    python -m bench.dnn --resume bench/RESULTS-dnn.json    # finish an interrupted run
    python -m bench.dnn --rewrite-report bench/RESULTS-dnn.json   # re-render, no solving
    python -m bench.dnn --check                            # 3 small instances at 5 s + checker tests

Instances: the nine ONNX models the onnx wheel ships (onnx/backend/test/data/light), the
Moccasin graphs <data>/dnn/moccasin/*.json and the differentiable-scheduler graphs
<data>/dnn/diffsched/*.gml. Platforms: examples/npu-small.toml and examples/single-core.toml.
Problems per instance:

- latency: least latency on npu-small's units, without a memory budget (npu-small's own
           `memory` is left out here: the memory-constrained latency is the third problem);
- peak:    least peak activation memory on single-core (a single-stream order);
- budget:  least latency on npu-small with at most B bytes live, where B is the midpoint
           between two schedules' peaks computed here: one operator at a time on npu-small in
           the better of two orders, the file's and a greedy least-memory order (P_seq), and
           the file-order list schedule on npu-small (P_list): B = floor((P_seq + P_list) / 2).
           Both are valid npu-small schedules, so B >= the smaller of the two and the problem
           always has a solution; when P_seq < P_list the budget rules out the file-order
           list schedule. (The midpoint between a lower bound and P_list can be infeasible:
           on random_layered_n100 the static bound 20020 and P_list 50590 give 35305, below
           the least single-stream peak 36790; this benchmark is not about proving
           infeasibility.) The static lower bound is reported beside B.

Solvers, each in its own process, one run at a time, killed with its process group at
T + grace:
- smtsched: bench/dnn_worker.py (DnnProblem(graph, accelerator, objective, memory).solve
  with time_limit = T minus the build time), run by --python from a scratch directory; every
  improving schedule is streamed, so a run killed at the hard limit keeps the best schedule it
  found before T;
- cpsat1, cpsat2: bench/dnn_cpsat.py, an independent CP-SAT model of the same problem,
  num_workers 1 / 2, max_time_in_seconds = T minus the build time; for the single-stream peak
  a position model (only the order matters there: no raw latencies in the model).

Both solvers start from the same schedule. smtsched (DnnProblem.solve, segments on) first
builds DnnProblem.greedy_schedule, the best valid of the serial schedule
(smtsched.sched.heuristic), the critical-path and least-memory list schedules and one
operator at a time (in the least-memory order and in the graph's); then each segment's search
starts from the best valid of the segment model's serial schedule, its piece of the greedy
schedule and the segment's memory-aware starts. bench/dnn_worker.py starts computes both with
smtsched's own code, once per instance, outside every solver's clock: "greedy" and the
segments' starts end to end ("segments"). The best one that passes this harness's checker and
budget is CP-SAT's solution hint (every variable: starts, unit choices, so the orderings,
memory intervals, makespan, peak). Where smtsched has no start (no valid greedy schedule under
the budget) CP-SAT gets no hint either.
- heuristics (no time limit, run once per instance and platform by smtsched.dnn.baselines):
  critical-path list scheduling and the file's order.

The graphs and the accelerators' latencies are read once per instance by smtsched's loaders
(bench/dnn_worker.py prepare) and exported as plain data; the CP-SAT model, the memory budget,
the static bounds and the checker (bench/dnn_check.py) all work from that export, none from
smtsched's scheduling code. Every schedule (both solvers and both heuristics) is checked.

WRONG (exit code 3): an invalid schedule; an objective that is not the schedule's; a claimed
bound above the value of any valid schedule of the same problem (any solver's or heuristic's);
OPTIMAL above such a value; INFEASIBLE when a valid schedule exists.

Exit codes: 0 done, 2 data/solver missing or bad usage, 3 a WRONG answer, 130 interrupted.
"""

import json
import os
import shutil
import statistics
import sys
import tempfile

from .harness import CHECKOUT, Fatal, args, machine, process, report, results
from .harness.tree_rss import TreeRss
from .harness.args import DataMissing, data_dir
from .dnn_check import (HEURISTICS, PROBLEM_DEF, PROBLEMS, Instance, _break, checker_tests,
                        choose_hint, cross_judge, judge, problem_file, setup_problems)
from .harness.report import fmt_percent, run_cell

SOLVERS = ("smtsched", "cpsat1", "cpsat2")
DEFAULT_SOLVERS = ("smtsched", "cpsat1")
LABEL = {"smtsched": "smtsched", "cpsat1": "CP-SAT 1w", "cpsat2": "CP-SAT 2w"}
H_LABEL = {"critical-path": "critical path", "file-order": "file order"}
PLATFORMS = {"npu-small": "npu-small.toml", "single-core": "single-core.toml"}
# every platform a problem may name (bench/dnn_scale.py's `fallback` problem too); PLATFORMS
# are the ones this suite prepares for every instance
PLATFORM_FILES = dict(PLATFORMS, **{"npu-fallback": "npu-fallback.toml"})
SETS = ("onnx", "moccasin", "diffsched")
SMALL = 200                  # the "<= 200 operators" of the summary
WORKER = os.path.join(CHECKOUT, "bench", "dnn_worker.py")
# What the harness gives each solver; a report or a --resume file of another version is not
# comparable (before "hints-1": CP-SAT started from nothing and used real times for the
# single-stream peak).
HARNESS = "hints-1"
HARNESS_NOTE = (
    "Harness version %s (issue 14, fair benchmarks): CP-SAT gets the schedule smtsched's "
    "search starts from as a complete solution hint (AddHint: starts, unit choices, hence "
    "orderings), and the single-stream peak problem as a position model (only the order "
    "matters, so no raw latencies). Reports made before this change (without this note) "
    "gave CP-SAT no hint and a time model for the peak, and are not comparable." % HARNESS)
CHECK_INSTANCES = ("bvlc_alexnet", "VGG16_MLSys_256_224x224x3_test",
                   "vgg_unet_MLSys_32_416x608x3_test")


# --------------------------------------------------------------------------- instances

def onnx_light_dir():
    try:
        import onnx
    except ImportError:
        return None
    return os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "light")


def list_instances(ddir, only, sets=SETS):
    """[{name, set, path}]: the ONNX light models, then the Moccasin and diffsched graphs."""
    found = []
    if "onnx" in sets:
        light = onnx_light_dir()
        if light is None or not os.path.isdir(light):
            raise DataMissing("the onnx package (with its backend test data) is not installed "
                              "in %s: pip install onnx, or leave the onnx set out" % sys.executable)
        for f in sorted(os.listdir(light)):
            if f.endswith(".onnx"):
                name = f[:-len(".onnx")]
                found.append({"name": name[len("light_"):] if name.startswith("light_") else name,
                              "set": "onnx", "path": os.path.join(light, f)})
    for s, ext in (("moccasin", ".json"), ("diffsched", ".gml")):
        if s not in sets:
            continue
        folder = os.path.join(ddir, "dnn", s)
        index, index_path = args.read_index(folder, "dnn/%s graphs" % s)
        for f in sorted(index):
            path = args.listed_file(folder, f, index_path)
            stem = f[:-len(ext)]
            found.append({"name": stem[:-3] if stem.endswith("_nx") else stem, "set": s,
                          "path": path, "index": index[f]})
    globs = args.patterns(only)
    return [i for i in found if args.wanted(i["name"], globs)]


def crosscheck_counts(inst, data):
    """Notes where the loaded graph disagrees with the data's own index.json (node and edge
    counts, which the index took from networkx): a cheap independent look at the loaders."""
    idx = inst.get("index")
    if not idx:
        return []
    notes = []
    n_ops = len(data["operators"])
    n_edges = sum(len(p) for p in data["predecessors"].values())
    if idx.get("nodes") is not None and idx["nodes"] != n_ops:
        notes.append("%s: %d operators loaded, index.json says %d nodes"
                     % (inst["name"], n_ops, idx["nodes"]))
    if idx.get("edges") is not None and idx["edges"] != n_edges:
        notes.append("%s: %d operator-to-operator edges loaded, index.json says %d edges"
                     % (inst["name"], n_edges, idx["edges"]))
    return notes


# --------------------------------------------------------------------------- running

def run_solver(a, argv, cwd, mark, keys):
    """One solver run, a process of its own under the hard limit and the address-space limit
    (bench.harness.process.run): {wall, cpu, rc, killed, stage, the peak RSS of its process
    tree (bench.harness.tree_rss)} and the `keys` of its marked line; (run, the process's
    output)."""
    load = os.getloadavg()[0]  # the machine is shared: how busy it was as the run began
    with TreeRss() as rss:
        done = process.run(argv, a.timeout + a.grace, cwd, memory_limit_mb=a.memory_limit_mb,
                           mark=mark)
    run = {"wall": done["wall"], "cpu": done["cpu"], "rc": done["rc"], "killed": done["killed"],
           "stage": process.last_stage(done["stderr"]), "load": load, **rss.fields()}
    parsed = done["result"]
    if parsed is None:
        if not done["killed"]:
            run["error"] = process.failure(done)
    else:
        run.update((key, parsed[key]) for key in keys if key in parsed)
    if run.get("maxrss_mb") is not None:
        # the solver process's own getrusage peak is exact where the polls may miss a spike
        # (or a run shorter than one poll)
        run["tree_rss_mb"] = max(run["tree_rss_mb"] or 0.0, run["maxrss_mb"])
    return run, done


def run_smtsched(a, inst_path, pid, info, scratch):
    platform, objective, _ = PROBLEM_DEF[pid]
    argv = [a.python, WORKER, "solve", inst_path, "--accelerator", platform_path(platform),
            "--objective", objective, "--timeout", "%g" % a.timeout, "--seed", str(a.seed)]
    if info["budget"] is not None:
        argv += ["--memory", str(info["budget"])]
    else:
        argv.append("--ignore-platform-memory")
    run, done = run_solver(a, argv, scratch, "DNN-SMTSCHED ", (
        "status", "objective", "bound", "time", "build_time", "solve_time", "schedule", "reason",
        "stats", "error", "traceback", "maxrss_mb", "reported_gap"))
    parsed = done["result"]
    streamed = process.marked_all(done["stdout"], "DNN-SMTSCHED-BEST ")
    if streamed:
        # the first whole schedule, on the clock of `time` (from the start of model building)
        run["first_solution"] = streamed[0]["elapsed"]
    # a solve that raised (out of memory, say) after streaming schedules ends like a killed
    # one: `smtsched dnn` keeps the best schedule its search child streamed, and so do we
    failed = parsed is not None and parsed.get("error") and not parsed.get("schedule")
    if parsed is None or failed:
        best = [b for b in streamed if b["elapsed"] <= a.timeout]
        if best:
            # killed (or crashed) after finding schedules: keep the best one found within T
            best = best[-1]
            run.update({"status": "FEASIBLE", "objective": best["objective"],
                        "bound": best["lower_bound"], "time": best["elapsed"],
                        "schedule": best["schedule"],
                        "reason": "best schedule streamed before the process was %s" % (
                            "stopped by %s" % parsed["error"][:160] if failed else
                            "killed at T + grace" if done["killed"] else
                            "lost (exit code %s)" % done["rc"])})
        if parsed is None:
            return run
    run["reported_latency"] = parsed.get("latency")
    run["reported_peak"] = parsed.get("peak_memory")
    if "memory_budget" in parsed:
        run["budget_seen"] = parsed["memory_budget"]
    if done["rc"] not in (0, None) and not run.get("error"):
        run["error"] = "exit code %s; stderr: %s" % (done["rc"], process.tail(done["stderr"], 400).strip())
    return run


def run_cpsat(a, model_path, workers):
    argv = [sys.executable, "-m", "bench.dnn_cpsat", model_path, "--timeout", "%g" % a.timeout,
            "--workers", str(workers), "--seed", str(a.seed)]
    run, done = run_solver(a, argv, CHECKOUT, "DNN-CPSAT ", (
        "status", "objective", "bound", "time", "build_time", "solve_time", "reason", "stats",
        "error", "traceback", "maxrss_mb", "cpsat_wall", "model", "hint_value",
        "first_solution"))
    if (done["result"] or {}).get("schedule"):
        run["schedule"] = {op: [s, e, k] for op, (s, e, k) in done["result"]["schedule"].items()}
    return run


def platform_path(name):
    return os.path.join(CHECKOUT, "examples", PLATFORM_FILES[name])


def prepare(a, inst, scratch, platforms=PLATFORMS):
    """Run the loaders and the heuristics (on `platforms`) in a child process; (data or None,
    error)."""
    out_path = os.path.join(scratch, "prepared-%s.json" % inst["name"])
    argv = [a.python, WORKER, "prepare", inst["path"], "--out", out_path]
    for name in platforms:
        argv += ["--platform", "%s=%s" % (name, platform_path(name))]
    return _worker_file(a, argv, out_path, scratch, "prepare",
                        "loading the graph and running the heuristics")


def _worker_file(a, argv, out_path, scratch, mode, what):
    """Run a dnn_worker.py step that writes `out_path` (limit --prepare-timeout, no solver
    clock): (its JSON or None, error or None, wall seconds)."""
    done = process.run(argv, a.prepare_timeout, scratch)
    if done["killed"]:
        return None, "%s took over %g s" % (what, a.prepare_timeout), done["wall"]
    if done["rc"] != 0 or not os.path.isfile(out_path):
        return None, "%s failed (exit code %s): %s" % (
            mode, done["rc"], process.tail(done["stderr"], 600).strip()), done["wall"]
    with open(out_path) as stream:
        return json.load(stream), None, done["wall"]


def starting_schedules(a, inst, infos, scratch, pids=None):
    """The schedules smtsched's search starts from on each problem (dnn_worker.py starts, a
    child process run by --python, outside every solver's clock): ({pid: {"starts": [...],
    "time": s}}, error or None)."""
    spec_path = os.path.join(scratch, "starts-%s-in.json" % inst["name"])
    out_path = os.path.join(scratch, "starts-%s.json" % inst["name"])
    with open(spec_path, "w") as stream:
        json.dump({pid: {"accelerator": platform_path(PROBLEM_DEF[pid][0]),
                         "objective": PROBLEM_DEF[pid][1], "memory": infos[pid]["budget"]}
                   for pid in (a.problems if pids is None else pids)}, stream)
    argv = [a.python, WORKER, "starts", inst["path"], "--problems", spec_path,
            "--seed", str(a.seed), "--out", out_path]
    found, error, _ = _worker_file(a, argv, out_path, scratch, "starts",
                                   "computing smtsched's starting schedules")
    return found or {}, error


# --------------------------------------------------------------------------- machine

def machine_info(a, cwd, platforms=PLATFORMS):
    if any(s.startswith("cpsat") for s in a.solvers):
        machine.require("ortools", "cpsat1,cpsat2")
    info = machine.describe(a.python, cwd, hint="")  # smtsched is not optional here
    info["platforms"] = {}
    for name in platforms:
        path = platform_path(name)
        try:
            with open(path) as stream:
                info["platforms"][name] = stream.read()
        except OSError as problem:
            raise Fatal("the platform description %s cannot be read: %s" % (path, problem))
    return info


# --------------------------------------------------------------------------- report

def fmt_run(run):
    return run_cell(run, "value", _unproven_cell)


def _unproven_cell(run, t):
    v = run["verdict"]
    if v == "feasible":
        return "%s [%s] %s%s %s%s" % (run["value"], "-" if run.get("bound") is None else run["bound"],
                                      fmt_percent(run.get("gap"), 1), t, run.get("status", ""),
                                      " (killed at %.0fs, best of T kept)" % run["wall"]
                                      if run.get("killed") else "")
    if v == "infeasible":
        return "infeasible%s" % t
    return "unknown: %s" % (run.get("why") or "?")[:90].replace("|", "/").replace("\n", " ")


def fmt_start(start, error=None):
    if error:
        return "error: " + error[:60].replace("|", "/").replace("\n", " ")
    if not start or start.get("value") is None:
        return "-"
    return "%s (%s)" % (start["value"], start["label"])


def fmt_heuristic(h):
    if h is None:
        return "-"
    if h["verdict"] == "valid":
        return str(h["value"])
    if h["verdict"] == "over budget":
        return "over budget (peak %s)" % h["peak"]
    return "**WRONG**"


def problem_summary(rows, pid, solvers):
    items = [r for r in rows if pid in r.get("problems", {})]
    small = [r for r in items if r["operators"] is not None and r["operators"] <= SMALL]
    s = {"instances": len(items), "small": len(small), "per": {}}
    for x in solvers:
        runs = [r["problems"][pid]["runs"].get(x) for r in items]
        runs = [run for run in runs if run is not None]
        s["per"][x] = {
            "ran": len(runs),
            "proven_small": sum(1 for r in small
                                if r["problems"][pid]["runs"].get(x, {}).get("verdict") == "optimal"),
            "proven": sum(1 for run in runs if run["verdict"] == "optimal"),
            "schedules": sum(1 for run in runs if run.get("value") is not None),
            "unknown": sum(1 for run in runs if run["verdict"] == "unknown"),
            "wrong": sum(1 for run in runs if run["verdict"] == "WRONG")}
    if "smtsched" in solvers and "cpsat1" in solvers:
        both = []
        better = worse = same = 0
        for r in items:
            runs = r["problems"][pid]["runs"]
            a, b = runs.get("smtsched"), runs.get("cpsat1")
            if not a or not b:
                continue
            if a.get("value") is not None and b.get("value") is not None:
                if a["value"] < b["value"]:
                    better += 1
                elif a["value"] > b["value"]:
                    worse += 1
                else:
                    same += 1
            if a.get("gap") is not None and b.get("gap") is not None:
                both.append((r["name"], a["gap"], b["gap"]))
        s["gaps"] = {
            "n": len(both),
            "smaller": sum(1 for _, x, y in both if x < y - 1e-12),
            "equal": sum(1 for _, x, y in both if abs(x - y) <= 1e-12),
            "larger": sum(1 for _, x, y in both if x > y + 1e-12),
            "mean_smtsched": statistics.mean(x for _, x, _ in both) if both else None,
            "mean_cpsat": statistics.mean(y for _, _, y in both) if both else None,
            "open_n": sum(1 for _, x, y in both if x > 0 or y > 0)}
        s["values"] = {"better": better, "equal": same, "worse": worse}
    return s


def render(meta, rows, notes):
    solvers = meta["solvers"]
    L = ["# smtsched: DNN scheduling benchmark", ""]
    wrong = [(r, pid, x, run) for r in rows for pid, pr in r.get("problems", {}).items()
             for x, run in list(pr["runs"].items()) + [("heuristic " + h, v) for h, v in pr["heuristics"].items()]
             if run.get("verdict") == "WRONG"]
    L += report.wrong_banner(["%s, %s, %s: %s" % (r["name"], pid, LABEL.get(x, x), "; ".join(run["problems"])[:500])
                              for r, pid, x, run in wrong])
    L += report.interrupted(meta, "what finished")
    if meta.get("harness") == HARNESS:
        L += ["> " + HARNESS_NOTE, ""]
    else:
        L += ["> Made by an older harness (%s): CP-SAT had no solution hint and a time model for "
              "the single-stream peak; not comparable with reports of harness %s."
              % (meta.get("harness", "before hints-1"), HARNESS), ""]
    L += report.head("bench/dnn.py", meta)
    L += ["- data: `%s` (Moccasin, diffsched) and `%s` (ONNX); %d instances%s" % (
              meta["data"], meta["onnx_dir"], len(rows),
              ", --only " + meta["only"] if meta["only"] else ""),
          "- time limit T = %g s per run, the same for every solver (model building included); "
          "runs one at a time, each in its own process group, killed at T + %g s; address-space "
          "limit %s per solver process" % (meta["timeout"], meta["grace"],
                                           "%d MB" % meta["memory_limit_mb"] if meta["memory_limit_mb"] else "none"),
          "- time = model building + search in the solver's process (smtsched: DnnProblem "
          "construction + `solve()` runtime; CP-SAT: model building + Solve); start-up, imports "
          "and graph reading excluded",
          "- every schedule (solvers and heuristics) re-checked by the harness's own checker "
          "(precedences, options' latencies, units, memory profile, budget, objective); "
          "gap = (value - proven bound) / value, from each solver's own bound; "
          "optimal = OPTIMAL within T with a schedule that passes the check",
          "- budget problem: B = floor((P_seq + P_list) / 2), P_seq = peak of one operator at "
          "a time on npu-small in the better of the file's order and a greedy least-memory "
          "order (the harness's own), P_list = peak of the file-order list "
          "schedule on npu-small (both valid schedules, so B is always feasible); `lb` = the "
          "static peak bound (inputs and outputs of one operator, or the graph inputs at 0)",
          "- what each solver is given: the same problem and the same starting schedule. "
          "smtsched (`DnnProblem.solve`, segments on) first builds its greedy schedule (the "
          "best valid of the serial schedule of smtsched.sched.heuristic, the critical-path and "
          "least-memory list schedules, and one operator at a time), then starts each "
          "segment's search from the best valid of the segment's serial schedule, its piece "
          "of the greedy one and the segment's memory-aware starts. "
          "`bench/dnn_worker.py starts` computes those schedules with smtsched's own code "
          "(outside every clock); the best of them that passes the harness's checker and budget "
          "(column `start`, with which one) is CP-SAT's solution hint, every variable hinted "
          "(starts, unit choices, memory intervals, makespan, peak). No start (`-`): "
          "smtsched's first search starts from nothing, and CP-SAT gets no hint",
          "- CP-SAT's model: interval per operator (per option when it has a choice), "
          "NoOverlap / Cumulative per unit kind, memory intervals in one Cumulative; for the "
          "single-stream peak a position model instead (AddAllDifferent over positions 0..n-1, "
          "memory intervals over positions: only the order matters there, so its horizon is n, "
          "not the latencies; exact for the optimum and the bound, see bench/dnn_cpsat.py)",
          "- heuristics (smtsched.dnn.baselines, no time limit): critical-path list scheduling "
          "and the file's order, placed by the same list scheduler; they ignore memory, so under "
          "a budget they may be over it", ""]
    m = meta["machine"]
    L += report.machine_section(m)
    for name, text in m.get("platforms", {}).items():
        L += ["Platform `%s` (`examples/%s`):" % (name, PLATFORM_FILES[name]), "", "```toml",
              text.strip(), "```", ""]
    L += report.notes(notes)

    L += ["## Summary", ""]
    failed = [r for r in rows if r.get("prepare_error")]
    if failed:
        L += ["%d graph(s) could not be prepared (loading or the heuristics failed; unknown for "
              "every solver and not counted below): %s" % (
                  len(failed), "; ".join("%s: %s" % (r["name"], r["prepare_error"][:120]) for r in failed)), ""]
    for pid in meta["problems"]:
        s = problem_summary(rows, pid, solvers)
        if not s["instances"]:
            continue
        L.append("**%s** (%d instances, %d with <= %d operators):" % (
            PROBLEM_DEF[pid][2], s["instances"], s["small"], SMALL))
        L.append("")
        for x in solvers:
            p = s["per"][x]
            L.append("- %s: proved optimal within T on %d of the %d instances with <= %d "
                     "operators (%d of %d in all); a valid schedule on %d; unknown on %d%s" % (
                         LABEL[x], p["proven_small"], s["small"], SMALL, p["proven"], p["ran"],
                         p["schedules"], p["unknown"],
                         "; **%d WRONG**" % p["wrong"] if p["wrong"] else ""))
        if "gaps" in s:
            g = s["gaps"]
            L.append("- where both smtsched and CP-SAT 1w have a gap (%d instances, %d of them "
                     "not both 0): smtsched's is smaller on %d, equal on %d, larger on %d; mean "
                     "%s vs %s" % (g["n"], g["open_n"], g["smaller"], g["equal"], g["larger"],
                                   fmt_percent(g["mean_smtsched"], 1), fmt_percent(g["mean_cpsat"], 1)))
            v = s["values"]
            L.append("- best value found, smtsched vs CP-SAT 1w: better on %d, equal on %d, "
                     "worse on %d" % (v["better"], v["equal"], v["worse"]))
        L.append("")

    for pid in meta["problems"]:
        items = [r for r in rows if pid in r.get("problems", {})]
        failed = [r for r in rows if r.get("prepare_error")]
        if not items and not failed:
            continue
        budget_col = pid == "budget"
        L += ["## %s" % PROBLEM_DEF[pid][2], "",
              "| instance | ops | " + ("budget B (lb, P_seq, P_list) | " if budget_col else "")
              + " | ".join(H_LABEL[h] for h in HEURISTICS) + " | start | "
              + " | ".join(LABEL[x] for x in solvers) + " |",
              "| --- | ---: | " + ("---: | " if budget_col else "") + "---: | " * len(HEURISTICS)
              + "---: | " + "--- | " * len(solvers)]
        for r in rows:
            if r.get("prepare_error"):
                L.append("| %s | - | %s%s |" % (r["name"], "- | " if budget_col else "",
                                                " | ".join(["-"] * (len(HEURISTICS) + 1) + [
                                                    "unknown: " + r["prepare_error"][:80].replace("|", "/").replace("\n", " ")]
                                                    * len(solvers))))
                continue
            if pid not in r.get("problems", {}):
                continue
            pr = r["problems"][pid]
            cells = [r["name"], str(r["operators"])]
            if budget_col:
                cells.append("%s (%s, %s, %s)" % (pr["budget"], pr["static_peak_lb"], pr.get("p_seq"),
                                                  pr.get("p_list")))
            cells += [fmt_heuristic(pr["heuristics"].get(h)) for h in HEURISTICS]
            cells.append(fmt_start(pr.get("start"), r.get("starts_error")))
            cells += [fmt_run(pr["runs"].get(x)) for x in solvers]
            L.append("| " + " | ".join(cells) + " |")
        L += ["", "`start`: the starting schedule both solvers get (see above), its value and "
              "which of smtsched's starts it is ("
              "segments = the segments' own starts, end to end; greedy = the whole graph's "
              "greedy schedule); `-` none. "
              "Cells: **opt** value time = proven optimal within T; `value [bound] gap time "
              "STATUS` = a valid schedule, the solver's proven bound; unknown: why (killed at "
              "T + grace and in which stage, out of memory, unsupported, no schedule). Values: "
              "latency in the accelerator's time units, memory in bytes.", ""]
    odd = [(r, pid, x, run) for r in rows for pid, pr in r.get("problems", {}).items()
           for x, run in pr["runs"].items() if run.get("error") or run.get("killed")]
    L += report.section("Errors, crashes and kills", ["%s on %s (%s): %s (wall %.1f s)" % (
        LABEL[x], r["name"], pid, (run.get("error") or "killed at T + grace during %s"
                                   % run.get("stage"))[:300].replace("\n", " "), run["wall"])
        for r, pid, x, run in odd])
    return "\n".join(L) + "\n"


# --------------------------------------------------------------------------- main

def parse_args(argv):
    p = args.parser("python -m bench.dnn", __doc__.split("\n\n")[0], None, SOLVERS,
                    solver_default=DEFAULT_SOLVERS, memory_limit_mb=6144, seed=0)
    p.add_argument("--sets", default=",".join(SETS), help="comma list of %s" % ",".join(SETS))
    p.add_argument("--problems", default=",".join(PROBLEMS), help="comma list of %s" % ",".join(PROBLEMS))
    p.add_argument("--prepare-timeout", type=float, default=300.0,
                   help="limit for loading one graph and running the heuristics, seconds (300)")
    p.add_argument("--check", action="store_true",
                   help="self-check: 3 small instances at 5 s, then the checker on broken schedules")
    a = p.parse_args(argv)
    a.sets = args.subset(p, a.sets, SETS, "sets")
    a.problems = args.subset(p, a.problems, PROBLEMS, "problems")
    if a.check:
        if "--timeout" not in argv:
            a.timeout = 5.0
        if not a.only:
            a.only = ",".join(CHECK_INSTANCES)
        if a.out is None:
            a.out = os.path.join(tempfile.gettempdir(), "smtsched-bench-dnn-check.md")
    if a.out is None:
        a.out = args.default_out("RESULTS-dnn.md")
    return args.finish(p, a, SOLVERS)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    a = parse_args(argv)
    if a.rewrite_report:
        return 3 if _wrong(results.rewrite_report(a, render)) else 0
    if a.check:
        return args.guarded("bench.dnn", self_check, a, argv)
    return args.guarded("bench.dnn", lambda: benchmark(a, argv)[0])


def _wrong(rows):
    return [(r["name"], pid, x, run["problems"]) for r in rows
            for pid, pr in r.get("problems", {}).items()
            for x, run in list(pr["runs"].items()) + list(pr["heuristics"].items())
            if run.get("verdict") == "WRONG"]


def resume_runs(a, meta, notes):
    """The runs of `a.resume` this run may keep: {(instance, problem, solver): run}, refused
    (Fatal) when the time limit, the smtsched code or the platforms differ."""
    saved = results.load_resume(a, meta)
    old = saved["meta"]
    if old["machine"].get("platforms") != meta["machine"]["platforms"]:
        raise Fatal("--resume: the platform descriptions changed since %s" % a.resume)
    if old.get("harness") != HARNESS:
        raise Fatal("--resume: %s was made by harness version %s, this is %s (what the solvers "
                    "are given changed)" % (a.resume, old.get("harness", "before hints-1"), HARNESS))
    kept = {}
    for row in saved["rows"]:
        for pid, pr in row.get("problems", {}).items():
            for x, run in pr["runs"].items():
                kept[(row["name"], pid, x)] = (pr.get("budget"), run)
    results.resumed(a, meta, notes, old)
    return kept


def default_suite(a):
    """What bench.dnn runs: its instances (every one with the problems of --problems), its
    platforms, its report. bench/dnn_scale.py gives benchmark() its own."""
    ddir = data_dir(a.data) if any(s != "onnx" for s in a.sets) else None
    instances = list_instances(ddir, a.only, a.sets)
    if not instances:
        raise Fatal("no instance of sets %s matches --only %r" % (",".join(a.sets), a.only))
    return {"suite": "dnn", "module": "bench.dnn", "data": ddir, "instances": instances,
            "platforms": PLATFORMS, "render": render,
            "meta": {"onnx_dir": onnx_light_dir(), "sets": a.sets}}


def benchmark(a, argv, on_judged=None, suite=None):
    """Run everything; returns (exit code, rows). `on_judged(inst, info, run)` sees every
    solver run right after the check, schedule included (the self-check breaks them).
    `suite` (default: default_suite(a)): {suite, module, data, instances, platforms, render,
    meta}; an instance with "problems" runs those, else those of --problems."""
    suite = default_suite(a) if suite is None else suite
    instances = suite["instances"]
    problems_of = {i["name"]: i.get("problems") or a.problems for i in instances}
    scratch = tempfile.mkdtemp(prefix="bench-%s-" % suite["suite"])
    try:
        meta = {**results.run_meta(suite["module"], argv), "data": suite["data"],
                "harness": HARNESS, **suite["meta"], "only": a.only,
                "timeout": a.timeout, "grace": a.grace, "solvers": a.solvers,
                "problems": [p for p in PROBLEM_DEF
                             if any(p in pids for pids in problems_of.values())],
                "memory_limit_mb": a.memory_limit_mb, "seed": a.seed,
                "machine": machine_info(a, scratch, suite["platforms"]),
                "runs_planned": sum(map(len, problems_of.values())) * len(a.solvers),
                "runs_done": 0}
        notes = []
        kept = resume_runs(a, meta, notes) if a.resume else {}
        rows = []
        progress = results.Progress(a.json, suite["suite"], meta, rows, notes)
        with progress:
            for inst in instances:
                pids = problems_of[inst["name"]]
                row = {"name": inst["name"], "set": inst["set"], "path": inst["path"],
                       "operators": None, "problems": {}, "problems_planned": list(pids)}
                row.update((k, inst[k]) for k in ("group", "generator") if k in inst)
                rows.append(row)
                data, error, wall = prepare(a, inst, scratch,
                                            sorted({PROBLEM_DEF[p][0] for p in pids}))
                row["prepare_wall"] = wall
                if data is None:
                    row["prepare_error"] = error
                    print("[prepare] %-40s FAILED: %s" % (inst["name"], error[:200]), file=sys.stderr, flush=True)
                    progress.ran(count=len(pids) * len(a.solvers))
                    continue
                row["operators"], row["tensors"] = len(data["operators"]), len(data["tensors"])
                row["load_time"] = data["load_time"]
                disagree = crosscheck_counts(inst, data)
                notes += ["**loader cross-check**: " + x for x in disagree]
                if inst.get("index") and not disagree:
                    meta["loader_agrees"] = meta.get("loader_agrees", 0) + 1
                try:
                    infos = setup_problems(data, pids)
                except Exception as problem:
                    row["prepare_error"] = "harness set-up failed: %s: %s" % (type(problem).__name__, problem)
                    progress.ran(count=len(pids) * len(a.solvers))
                    continue
                found, error = starting_schedules(a, inst, infos, scratch, pids)
                if error:
                    row["starts_error"] = error
                    print("[starts]  %-40s FAILED: %s" % (inst["name"], error[:200]),
                          file=sys.stderr, flush=True)
                for pid in pids:
                    info = dict(infos[pid], runs={})
                    row["problems"][pid] = info
                    platform = info["platform"]
                    cinst = Instance(data, platform)
                    hint = choose_hint(cinst, info, found.get(pid, {}).get("starts"))
                    info["start"]["time"] = found.get(pid, {}).get("time")
                    model_path = os.path.join(scratch, "%s-%s.json" % (inst["name"], pid))
                    problem_file(data, pid, info["budget"], model_path, inst["name"], hint)
                    for solver in a.solvers:
                        old = kept.get((inst["name"], pid, solver))
                        if old is not None and old[0] == info["budget"]:
                            run = dict(old[1], kept=True)
                        else:
                            if solver == "smtsched":
                                run = run_smtsched(a, inst["path"], pid, info, scratch)
                            else:
                                run = run_cpsat(a, model_path, int(solver[-1]))
                            judge(cinst, info, run, a.timeout)
                            if on_judged is not None:
                                on_judged(cinst, info, run)
                            run.pop("schedule", None)  # checked; too big for the raw file
                        info["runs"][solver] = run
                        progress.ran("%-8s %-8s %-34s %-10s %s %s%s" % (
                            pid, solver, inst["name"][:34], run["verdict"], run.get("value", "-"),
                            "%.2fs" % run["time"] if run.get("time") is not None else "wall %.1fs" % run["wall"],
                            " <<< WRONG: " + "; ".join(run["problems"]) if run["verdict"] == "WRONG" else
                            (" (%s)" % run["why"] if run["verdict"] == "unknown" else "")
                            + (" (kept from --resume)" if run.get("kept") else "")))
                    cross_judge(info, info["runs"])
                    for x, run in info["runs"].items():
                        if run["verdict"] == "WRONG":
                            print("!!! WRONG: %s on %s (%s): %s" % (x, inst["name"], pid, "; ".join(run["problems"])),
                                  file=sys.stderr, flush=True)
        if meta.get("loader_agrees"):
            notes.append("loader cross-check: %d graphs of the data directory have the node and "
                         "edge counts of their index.json (taken with networkx) once loaded by "
                         "smtsched" % meta["loader_agrees"])
        results.close(a, suite["suite"], suite["render"], meta, rows, notes)
        wrong = _wrong(rows)
        for name, pid, x, problems in wrong:
            print("!!! WRONG: %s on %s (%s): %s" % (x, name, pid, "; ".join(problems)), file=sys.stderr)
        return args.exit_code(progress.interrupted, wrong), rows
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# --------------------------------------------------------------------------- self-check

def self_check(a, argv):
    """The harness on 3 small instances at 5 s, then its checker on every valid solver
    schedule broken on purpose, and on hand-made schedules of a tiny graph.

    Exit 1 when the harness itself fails: a checker test fails, a broken schedule is accepted,
    CP-SAT (our own model) gives no valid schedule or a WRONG answer, its hint's value differs
    from the harness's or it ends worse than its hint, no CP-SAT run was hinted, or an
    instance cannot be prepared. Exit 3 when the harness works but smtsched (solver or baselines) gave a WRONG
    answer: that is the benchmark doing its job, and is reported as such. Else 0."""
    failures = []
    for name, ok, detail in checker_tests():
        print("checker test %-42s %s (%s)" % (name, "ok" if ok else "FAILED", detail), file=sys.stderr)
        if not ok:
            failures.append("checker test %s: %s" % (name, detail))
    kept = []

    def keep(inst, info, run):
        if run.get("schedule") and run["verdict"] in ("optimal", "feasible", "late"):
            kept.append((inst, {k: v for k, v in info.items() if k != "runs"}, dict(run)))

    code, rows = benchmark(a, argv, on_judged=keep)
    if code not in (0, 3):
        failures.append("the benchmark ended with exit code %d" % code)
    smtsched_wrong = []
    for name, pid, x, problems in _wrong(rows):
        line = "WRONG: %s on %s (%s): %s" % (x, name, pid, "; ".join(problems))
        (failures if x.startswith("cpsat") else smtsched_wrong).append(line)
    accepted = {"cpsat": 0, "smtsched": 0}
    for r in rows:
        if r.get("prepare_error"):
            failures.append("%s: %s" % (r["name"], r["prepare_error"]))
        for pid, pr in r.get("problems", {}).items():
            for x, run in pr["runs"].items():
                if run.get("value") is not None:
                    accepted["cpsat" if x.startswith("cpsat") else x] += 1
                elif x.startswith("cpsat"):
                    failures.append("%s (%s): CP-SAT gave no valid schedule (%s)"
                                    % (r["name"], pid, run.get("why") or run["verdict"]))
    hinted = 0
    for r in rows:
        for pid, pr in r.get("problems", {}).items():
            start = (pr.get("start") or {}).get("value")
            for x, run in pr["runs"].items():
                if not x.startswith("cpsat") or start is None:
                    continue
                hinted += 1
                if run.get("hint_value") != start:
                    failures.append("%s (%s): CP-SAT computed its hint's value as %s, the harness %s"
                                    % (r["name"], pid, run.get("hint_value"), start))
                elif run.get("value") is not None and run["value"] > start:
                    failures.append("%s (%s): CP-SAT ended at %s, worse than its hint %s (hint "
                                    "not used?)" % (r["name"], pid, run["value"], start))
    if not hinted:
        failures.append("no CP-SAT run had a starting schedule as hint")
    rejected = 0
    for inst, info, run in kept:
        bad, op = _break(inst, run["schedule"])
        if bad is None:
            continue
        verdict = judge(inst, info, dict(run, schedule=bad), a.timeout)
        if verdict == "WRONG":
            rejected += 1
        else:
            failures.append("a schedule broken at %s was accepted (%s)" % (op, verdict))
    if not rejected:
        failures.append("no solver schedule to break")
    print("self-check: schedules accepted by the checker: %d CP-SAT, %d smtsched; %d CP-SAT "
          "runs hinted with smtsched's start; %d valid schedules broken on purpose, all "
          "rejected: %s"
          % (accepted["cpsat"], accepted["smtsched"], hinted, rejected,
             "yes" if not any("broken" in f for f in failures) else "NO"), file=sys.stderr)
    for f in smtsched_wrong:
        print("SMTSCHED ANSWER " + f, file=sys.stderr)
    for f in failures:
        print("SELF-CHECK FAILED: " + f, file=sys.stderr)
    if failures:
        print("self-check FAILED (%d)" % len(failures))
        return 1
    if smtsched_wrong:
        print("self-check passed (harness); %d WRONG answer(s) from smtsched" % len(smtsched_wrong))
        return 3
    print("self-check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
