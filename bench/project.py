"""RCPSP/max and multi-mode RCPSP benchmark (issue 17): smtsched against OR-Tools CP-SAT on the
generated instances of bench/gen_project.py, proven OPTIMAL / INFEASIBLE counts and PAR-2.

    python -m bench.project --timeout 10                        # the fixed set (60 instances)
    python -m bench.project --timeout 60 --out bench/results/RESULTS-project-60.md
    python -m bench.project --only 'max30_0*,mm20_01' --timeout 10 --out /tmp/p.md
    python -m bench.project --workers 2                         # smtsched --workers 2, CP-SAT 2 workers
    python -m bench.project --set large --timeout 60            # 100 / 50 activities
    python -m bench.project --instances DIR                     # keep the generated files (+ manifest.json)
    python -m bench.project --rewrite-report bench/results/RESULTS-project.json

The sets (gen_project.benchmark_set, --set): small (the default, issue 17's): 30 RCPSP/max
instances of 30 activities (`.sch`, 4 of them infeasible by construction, others infeasible
by chance) and 30 multi-mode instances of 20 and 30 activities with 2 renewable and 2
non-renewable resources (`.mm`); large: 20 RCPSP/max of 100 activities and 20 multi-mode of
50, where CP-SAT leaves some open at 10 s. The files are
written by the generator at the start of every run (deterministic by seed; the manifest with
parameters, seeds and the files' sha256 goes into the raw results).

Solvers, one process per run, one at a time, each killed with its process group at T + grace:
- smtsched: `python -m smtsched solve --json --timeout T FILE` (with --workers K > 1, also
  `--workers K`), by --python from a scratch directory: the model its psplib reader builds;
- cpsat: `python -m bench.project --worker cpsat FILE`: bench/project_cpsat.py's model, built
  from psplib's parse of the same file (not from smtsched's reader), num_workers = --workers.

Every schedule is checked against the generator's own data (not the files, not psplib):
integer starts >= 0, every lag (RCPSP/max) or finish-to-start precedence of the chosen modes
(multi-mode), renewable capacities at every start, non-renewable budgets, objective = the
largest end. WRONG (exit code 3): an invalid schedule, INFEASIBLE on an instance another
solver scheduled, a lower bound (OPTIMAL: the objective) above another solver's valid
schedule, a schedule of an instance infeasible by construction.

Time = the solver's own: smtsched's reported runtime, CP-SAT's build + Solve (imports and file
reading excluded); PAR-2 = that time when proven (OPTIMAL or INFEASIBLE) within T, else 2T;
the whole process's wall time (start-up included) is in the JSON and a second PAR-2 column.
Exit codes: 0 done, 2 bad usage or a solver missing, 3 a WRONG answer, 130 interrupted.
"""
import argparse
import os
import shutil
import sys
import tempfile

from . import gen_project
from .harness import CHECKOUT, Fatal, args, child, machine, process, report, results
from .harness.report import fmt_number

SOLVERS = ("smtsched", "cpsat")
FAMILIES = ("rcpsp_max", "multi_mode")
TITLE = {"rcpsp_max": "RCPSP/max (.sch)", "multi_mode": "multi-mode RCPSP, 3 modes (.mm)"}
MARK = "PROJECT-RESULT "


def label(solver, workers):
    if solver == "cpsat":
        return "CP-SAT %dw" % workers
    return "smtsched" if workers == 1 else "smtsched %dw" % workers


# --------------------------------------------------------------------------- the checker

def _modes_of(inst, run):
    """The mode (from 1) of each activity in the run's schedule, or a problem string."""
    n = inst["n"] + 2
    if inst["kind"] == "rcpsp_max":
        return [1] * n
    starts = run["starts"]
    given = run.get("modes")
    modes = []
    for k in range(n):
        job = "job%d" % (k + 1)
        count = len(inst["modes"][k])
        if given is not None:                       # CP-SAT: the modes it reports
            m = given.get(job)
        elif count == 1:
            m = 1
        else:                                       # smtsched: the present option "jobK.modeM"
            present = [int(name.rsplit("mode", 1)[1]) for name in starts
                       if name.startswith(job + ".mode")]
            if len(present) != 1:
                return "%s has %d modes present" % (job, len(present))
            m = present[0]
            if starts[job + ".mode%d" % m] != starts[job]:
                return "%s starts at %s, its mode at %s" % (job, starts[job], starts[job + ".mode%d" % m])
        if not isinstance(m, int) or not 1 <= m <= count:
            return "%s has no valid mode (%r)" % (job, m)
        modes.append(m)
    return modes


def violations(inst, run):
    """The broken constraints of the run's schedule (empty: valid), from the generator's data."""
    starts = run.get("starts")
    if not isinstance(starts, dict) or not starts:
        return ["no schedule"]
    n = inst["n"] + 2
    s = []
    for k in range(n):
        v = starts.get("job%d" % (k + 1))
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            return ["job%d has no integer start >= 0 (%r)" % (k + 1, v)]
        s.append(v)
    modes = _modes_of(inst, run)
    if isinstance(modes, str):
        return [modes]
    if inst["kind"] == "rcpsp_max":
        dur = inst["durations"]
        demand = inst["demands"]
        renewable = [True] * len(inst["capacities"])
        arcs = inst["arcs"]
    else:
        dur = [inst["modes"][k][modes[k] - 1][0] for k in range(n)]
        demand = [inst["modes"][k][modes[k] - 1][1] for k in range(n)]
        renewable = inst["renewable"]
        arcs = [(i, j, dur[i]) for i, j in inst["arcs"]]
    problems = []
    for i, j, w in arcs:
        if s[j] < s[i] + w:
            problems.append("job%d at %d < job%d at %d + %d" % (j + 1, s[j], i + 1, s[i], w))
    for r, cap in enumerate(inst["capacities"]):
        if renewable[r]:
            for t in sorted({s[k] for k in range(n) if dur[k] > 0}):
                load = sum(demand[k][r] for k in range(n) if dur[k] > 0 and s[k] <= t < s[k] + dur[k])
                if load > cap:
                    problems.append("resource %d carries %d > %d at %d" % (r + 1, load, cap, t))
                    break
        elif sum(demand[k][r] for k in range(n)) > cap:
            problems.append("non-renewable %d: %d > %d" % (r + 1, sum(demand[k][r] for k in range(n)), cap))
    makespan = max(s[k] + dur[k] for k in range(n))
    if run.get("objective") != makespan:
        problems.append("objective %s, the schedule's makespan %d" % (run.get("objective"), makespan))
    return problems


def judge(inst, runs, timeout):
    """Each run's verdict (optimal | infeasible | feasible | none | late | killed | crash |
    WRONG) and problems, the runs of one instance judged together."""
    for run in runs.values():
        problems = []
        status = run.get("status")
        has = bool(run.get("starts"))
        if has:
            problems += ["invalid schedule: " + p for p in violations(inst, run)[:3]]
            if inst["params"].get("infeasible"):
                problems.append("a schedule of an instance infeasible by construction")
        elif status in ("OPTIMAL", "FEASIBLE"):
            problems.append("%s without a schedule" % status)
        run["problems"] = problems
        run["has_schedule"] = has and not problems
    # a claim refuted by another solver's valid schedule is wrong (two OPTIMAL answers that
    # differ: the larger one's bound is refuted by the smaller, valid, schedule)
    for x, run in runs.items():
        for y, other in runs.items():
            if x == y or not other["has_schedule"]:
                continue
            if run.get("status") == "INFEASIBLE":
                run["problems"].append("INFEASIBLE, but %s found a valid schedule" % y)
            bound = run.get("bound")
            if bound is not None and run.get("status") != "INFEASIBLE" \
                    and other["objective"] < bound:
                run["problems"].append("claimed bound %s above %s's valid schedule of %s" % (
                    bound, y, other["objective"]))
    for run in runs.values():
        status = run.get("status")
        in_time = run.get("time") is not None and run["time"] <= timeout
        if run["problems"]:
            v = "WRONG"
        elif status in ("OPTIMAL", "INFEASIBLE"):
            v = ("optimal" if status == "OPTIMAL" else "infeasible") if in_time else "late"
        elif run["has_schedule"]:
            v = "feasible"
        elif run.get("killed"):
            v = "killed"
        elif run.get("error"):
            v = "crash"
        else:
            v = "none"
        run["verdict"] = v
        run["has_schedule"] = run["has_schedule"] and v != "WRONG"


def par2(run, timeout, key="time"):
    if run["verdict"] in ("optimal", "infeasible"):
        return run[key] if key in run and run[key] is not None else run["time"]
    return 2 * timeout


# --------------------------------------------------------------------------- runs

def worker_main(argv):
    """python -m bench.project --worker cpsat FILE --timeout T [--workers K]: one marked line."""
    p = argparse.ArgumentParser(prog="python -m bench.project --worker")
    p.add_argument("solver", choices=["cpsat"])
    p.add_argument("file")
    p.add_argument("--timeout", type=float, required=True)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--seed", type=int, default=None)
    a = p.parse_args(argv)

    def body(out):
        from ortools.sat.python import cp_model  # noqa: F401  imported before the clock
        import psplib  # noqa: F401
        from . import project_cpsat
        out.update(project_cpsat.solve(a.file, a.timeout, a.workers, a.seed))

    return child.run(MARK, body, {"solver": a.solver}, failed=())


def run_one(solver, path, a, scratch):
    if solver == "smtsched":
        argv = [a.python, "-m", "smtsched", "solve", "--json", "--timeout", "%g" % a.timeout]
        argv += ["--workers", str(a.workers)] if a.workers > 1 else []
        cwd = scratch
    else:
        argv = [sys.executable, "-m", "bench.project", "--worker", solver, "--timeout",
                "%g" % a.timeout, "--workers", str(a.workers)]
        cwd = CHECKOUT
    argv += ([] if a.seed is None else ["--seed", str(a.seed)]) + [path]
    done = process.run(argv, a.timeout + a.grace, cwd, mark="" if solver == "smtsched" else MARK)
    run = {"wall": done["wall"], "cpu": done["cpu"], "rc": done["rc"], "killed": done["killed"]}
    parsed = done["result"]
    if parsed is None:
        if not done["killed"]:
            run["error"] = process.failure(done)
        return run
    if solver == "smtsched":
        run.update({"status": parsed.get("status"), "objective": parsed.get("objective"),
                    "bound": parsed.get("lower_bound"), "time": parsed.get("runtime"),
                    "starts": parsed.get("starts") or None, "reason": parsed.get("reason", ""),
                    "stats": parsed.get("stats", {})})
        if done["rc"] not in (0, None):
            run["error"] = "exit code %s; stderr: %s" % (done["rc"], process.tail(done["stderr"], 400).strip())
    else:
        if parsed.get("error"):
            run["error"] = parsed["error"]
        for key in ("status", "objective", "bound", "time", "starts", "modes", "reason", "stats",
                    "build_time", "solve_time", "parse_time", "cpsat_wall"):
            if key in parsed:
                run[key] = parsed[key]
    return run


# --------------------------------------------------------------------------- the report

def summary(rows, solvers, timeout):
    out = {}
    for x in solvers:
        ran = [r for r in rows if x in r["runs"]]
        v = [r["runs"][x]["verdict"] for r in ran]
        out[x] = {"ran": len(ran), "optimal": v.count("optimal"), "infeasible": v.count("infeasible"),
                  "feasible": v.count("feasible"), "wrong": v.count("WRONG"),
                  "nothing": sum(k in ("none", "killed", "crash", "late") for k in v),
                  "par2": sum(par2(r["runs"][x], timeout) for r in ran),
                  "par2_wall": sum(par2(r["runs"][x], timeout, "wall") for r in ran),
                  "best": 0}
    for r in rows:
        values = {x: r["runs"][x]["objective"] for x in solvers
                  if x in r["runs"] and r["runs"][x].get("has_schedule")}
        if values:
            best = min(values.values())
            for x, value in values.items():
                out[x]["best"] += value == best
    return out


def cell(run):
    if run is None:
        return "-"
    v = run["verdict"]
    t = "" if run.get("time") is None else " %.2fs" % run["time"]
    if v == "optimal":
        return "**opt** %s%s" % (run["objective"], t)
    if v == "infeasible":
        return "**infeasible**%s" % t
    if v == "WRONG":
        return "**WRONG** %s%s" % (run.get("objective", run.get("status")), t)
    if v == "feasible":
        return "%s [%s]" % (run["objective"], run.get("bound") if run.get("bound") is not None else "-")
    if v == "late":
        return "%s (late)%s" % (run.get("status"), t)
    return v


def describe_params(p):
    if p["kind"] == "rcpsp_max":
        text = "NC %g RF %g RS %g max %g t %g" % (p["nc"], p["rf"], p["rs"], p["max_share"], p["tightness"])
        return text + (" **infeasible: %s**" % p["infeasible"] if p.get("infeasible") else "")
    return "NC %g RF %g RS %g/%g" % (p["nc"], p["rf"], p["rs"], p["rs_nonrenewable"])


def render(meta, rows, notes):
    solvers, timeout, workers = meta["solvers"], meta["timeout"], meta["workers"]
    L = ["# RCPSP/max and multi-mode RCPSP: smtsched and CP-SAT (issue 17)", ""]
    wrong = ["%s on %s: %s" % (label(x, workers), r["name"], "; ".join(run["problems"]))
             for r in rows for x, run in r["runs"].items() if run["verdict"] == "WRONG"]
    L += report.wrong_banner(wrong)
    L += report.interrupted(meta, "the instances finished by every solver")
    L += report.head("bench/project.py", meta)
    L += ["- instances: bench/gen_project.py's fixed set `%s` (%d here%s: %s), written at the "
          "start of the run; parameters, seeds and sha256 in the JSON's `manifest`" % (
              meta.get("set", "small"), len(rows), ", --only " + meta["only"] if meta["only"] else "",
              ", ".join("%d %s of %s activities" % (
                  len(sizes), TITLE[kind].split(" (")[0], "/".join(str(n) for n in sorted(set(sizes))))
                  for kind, sizes in [(k, [r["params"]["n"] for r in rows if r["kind"] == k])
                                      for k in FAMILIES] if sizes)),
          "- time limit T = %g s per run; one run at a time, each its own process group, "
          "killed at T + %g s; %d worker(s) per solver" % (timeout, meta["grace"], workers),
          "- time = the solver's own (smtsched's reported runtime; CP-SAT build + Solve); "
          "PAR-2 = time if proven OPTIMAL or INFEASIBLE within T, else 2T; the wall column "
          "counts the whole process (start-up, imports, reading)",
          "- CP-SAT reads the files through psplib (bench/project_cpsat.py), smtsched through "
          "its own psplib_formats; schedules are checked against the generator's data", ""]
    L += report.machine_section(meta["machine"]) + report.notes(notes)
    L += ["## Per family", "",
          "| family | solver | instances | OPTIMAL | INFEASIBLE | proven | feasible only | "
          "nothing | best objective | PAR-2 (s) | PAR-2 wall (s) | PAR-2 ratio |",
          "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for family in FAMILIES:
        frows = [r for r in rows if r["kind"] == family]
        if not frows:
            continue
        s = summary(frows, solvers, timeout)
        for x in solvers:
            p = s[x]
            ratio = (p["par2"] / s["cpsat"]["par2"]) if "cpsat" in s and s["cpsat"]["par2"] else None
            L.append("| %s | %s | %d | %d | %d | %d%s | %d | %d | %d | %.2f | %.2f | %s |" % (
                TITLE[family], label(x, workers), p["ran"], p["optimal"], p["infeasible"],
                p["optimal"] + p["infeasible"], " (**%d WRONG**)" % p["wrong"] if p["wrong"] else "",
                p["feasible"], p["nothing"], p["best"], p["par2"], p["par2_wall"],
                fmt_number(ratio) if x != "cpsat" else "-"))
    L += ["", "best objective: instances where the solver's valid schedule is the best of the "
          "solvers' (ties count for both); PAR-2 ratio: smtsched / CP-SAT (below 1: smtsched "
          "better).", ""]
    if "smtsched" in solvers and "cpsat" in solvers:
        L += ["## Target", ""]
        for family in FAMILIES:
            frows = [r for r in rows if r["kind"] == family]
            if frows:
                s = summary(frows, solvers, timeout)
                a = s["smtsched"]["optimal"] + s["smtsched"]["infeasible"]
                b = s["cpsat"]["optimal"] + s["cpsat"]["infeasible"]
                L.append("- %s: smtsched proves %d, %s %d -> %s" % (
                    TITLE[family], a, label("cpsat", workers), b, "met" if a >= b else "NOT met"))
        L.append("")
    L += ["## Per instance", "", "| instance | parameters | " +
          " | ".join(label(x, workers) for x in solvers) + " |",
          "| --- | --- |" + " --- |" * len(solvers)]
    for r in rows:
        L.append("| %s | %s | %s |" % (r["name"], describe_params(r["params"]),
                                       " | ".join(cell(r["runs"].get(x)) for x in solvers)))
    L += ["", "Cells: **opt** makespan time, **infeasible** time, `value [bound]` a valid "
          "schedule not proven optimal, none / killed / crash.", ""]
    odd = ["%s on %s: %s (wall %.1f s)" % (label(x, workers), r["name"],
                                           report.cell(run.get("error") or "killed at T + grace", 300),
                                           run["wall"])
           for r in rows for x, run in r["runs"].items() if run["verdict"] in ("crash", "killed")]
    L += report.section("Errors, crashes and kills", odd)
    return "\n".join(L) + "\n"


# --------------------------------------------------------------------------- main

def parse_args(argv):
    p = args.parser("python -m bench.project", __doc__.split("\n\n")[0],
                    args.default_out("RESULTS-project.md"), SOLVERS, timeout=10.0, grace=10.0,
                    resume=False, seed=None)
    p.add_argument("--workers", type=int, default=1,
                   help="workers of each solver (1): CP-SAT num_workers, smtsched --workers")
    p.add_argument("--instances", help="write the generated set here (default: a scratch folder)")
    p.add_argument("--families", default=",".join(FAMILIES), help="subset of %s" % ",".join(FAMILIES))
    p.add_argument("--set", choices=gen_project.SETS, default="small",
                   help="small: 30 + 30 instances of 20-30 activities (issue 17's); large: "
                        "RCPSP/max of 100 and multi-mode of 50 activities, 20 + 20")
    a = args.finish(p, p.parse_args(argv), SOLVERS)
    a.families = args.subset(p, a.families, FAMILIES, "families")
    if a.workers < 1:
        p.error("--workers must be at least 1")
    return a


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        return worker_main(argv[1:])
    a = parse_args(argv)
    if a.rewrite_report:
        rows = results.rewrite_report(a, render)
        return 3 if any(run.get("verdict") == "WRONG" for r in rows for run in r["runs"].values()) else 0
    return args.guarded("bench.project", benchmark, a, argv)


def benchmark(a, argv):
    globs = args.patterns(a.only)
    entries = [(name, kind, params) for name, kind, params in gen_project.benchmark_set(a.set)
               if kind in a.families and args.wanted(name, globs)]
    if not entries:
        raise Fatal("no instance matches --only %r" % a.only)
    scratch = tempfile.mkdtemp(prefix="bench-project-")
    folder = a.instances or os.path.join(scratch, "instances")
    try:
        manifest = gen_project.write_set(folder, entries)
        if "cpsat" in a.solvers:
            machine.require("ortools", "cpsat")
            machine.require("psplib", "cpsat")
        meta = {**results.run_meta("bench.project", argv), "set": a.set,
                "timeout": a.timeout, "grace": a.grace,
                "solvers": a.solvers, "workers": a.workers, "only": a.only, "seed": a.seed,
                "machine": machine.describe(a.python if "smtsched" in a.solvers else None, scratch),
                "runs_planned": len(entries) * len(a.solvers), "runs_done": 0}
        notes = []
        rows = []
        for (name, kind, params), m in zip(entries, manifest["instances"]):
            rows.append({"name": name, "kind": kind, "params": dict(params, kind=kind),
                         "file": m["file"], "runs": {}})
        progress = results.Progress(a.json, "project", meta, rows, notes, manifest=manifest)
        with progress:
            for (name, kind, params), row in zip(entries, rows):
                inst = gen_project.generate(kind, params)
                for solver in a.solvers:
                    row["runs"][solver] = run_one(solver, os.path.join(folder, row["file"]), a, scratch)
                judge(inst, row["runs"], a.timeout)
                for solver in a.solvers:
                    run = row["runs"][solver]
                    progress.ran("%-8s %-9s %-10s %6s %s%s" % (
                        solver, name, run["verdict"], run.get("objective", "-"),
                        "%.2fs" % run["time"] if run.get("time") is not None else "wall %.1fs" % run["wall"],
                        " <<< WRONG: " + "; ".join(run["problems"]) if run["verdict"] == "WRONG" else ""))
        if progress.interrupted:
            rows = [r for r in rows if len(r["runs"]) == len(a.solvers) and
                    all("verdict" in run for run in r["runs"].values())]
        results.close(a, "project", render, meta, rows, notes, manifest=manifest)
        wrong = [(r["name"], x) for r in rows for x, run in r["runs"].items() if run["verdict"] == "WRONG"]
        for name, x in wrong:
            print("!!! WRONG: %s on %s" % (x, name), file=sys.stderr)
        return args.exit_code(progress.interrupted, wrong)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
