"""Scheduling optimisation benchmark: smtsched, OR-Tools CP-SAT (1 and 2 workers) and z3's
optimiser minimise the makespan of the same job-shop and RCPSP instances.

    python -m bench.sched                                      # all four sets, 60 s per run
    python -m bench.sched --only 'la01,la02,j301_1,j3010_1' --timeout 10 --out /tmp/s.md
    python -m bench.sched --sets j30,j60 --every 8             # every 8th instance of each set
    python -m bench.sched --solvers smtsched,cpsat1 --sets la
    python -m bench.sched --python /other/venv/bin/python      # smtsched of another install
    python -m bench.sched --rewrite-report bench/RESULTS-sched.json   # re-render, no solving
    python -m bench.sched --selftest                           # checker and WRONG flagging
    python -m bench.sched --sets la,j60 --solvers smtsched2,cpsat2   # 2 workers each (issue 17)

Sets: la (la01-la40), orb-abz (orb01-orb10, abz5-abz9), large (ta21-ta30, swv11-swv20,
yn1-yn4: the largest job shops, issue 16; not in the default sets) from <data>/jssp/; j30, j60
from <data>/rcpsp/. On the large set the target is the best makespan at T: smtsched's no worse
than CP-SAT 1 worker's on at least 80% of the instances (few of them are proven by anyone). Solvers, each run in its own process, one at a time, killed with its process
group at T + grace:

- smtsched: `python -m smtsched solve --json --timeout T FILE`, started in a scratch directory
  (from the checkout root Python would import the source folder without the compiled theory);
  smtsched2 (not in the default solvers): the same with `--workers 2`, against cpsat2.
- cpsat1, cpsat2: CP-SAT, the standard model (an interval per task, AddNoOverlap per machine,
  AddCumulative per RCPSP resource, precedences, minimise the makespan), num_workers 1 / 2,
  max_time_in_seconds = what is left of T after reading and building.
- z3: z3.Optimize on the difference-logic encoding (Int starts, precedences, a disjunction per
  pair of tasks that cannot overlap; for cumulative resources also the task-based
  decomposition: at each task's start the demands of the tasks running then, plus its own, fit
  the capacity, with z3.If), minimise the makespan, "timeout" = what is left of T in ms.
  Proven optimal only if check() returns sat and the objective's lower and upper bounds agree;
  on a timeout z3 answers unknown, and its best model (if any) counts as a feasible schedule.

The CP-SAT and z3 models are built from this file's own parsers, and the models of the
selected instances are compared with smtsched's readers (run by --python) before solving.
Every schedule of every solver is checked here, independently of all solvers: every task
starts at an integer >= 0, precedences, machine and resource capacities at every start, and
makespan = the reported objective. WRONG (exit code 3): an invalid schedule, an objective or a
claimed bound contradicting the known bounds, OPTIMAL with a value other than the known optimum.

Time = from the start of model building to the answer, in the solver's process (smtsched: its
reported runtime; CP-SAT: build + Solve; z3: build + check); interpreter start-up, imports and
file reading are excluded (the process wall time is recorded too).

Exit codes: 0 done, 2 data/solver missing or bad usage, 3 a WRONG answer, 130 interrupted.
"""

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile

from .harness import CHECKOUT, Fatal, args, child, cpsat, machine, process, report, results
from .harness.args import data_dir
from .harness.report import fmt_number, fmt_percent, run_cell

SOLVERS = ("smtsched", "smtsched2", "cpsat1", "cpsat2", "z3")
DEFAULT_SOLVERS = ("smtsched", "cpsat1", "cpsat2", "z3")
SMTSCHED = {"smtsched": 1, "smtsched2": 2}   # smtsched's solvers and their --workers
LABEL = {"smtsched": "smtsched", "smtsched2": "smtsched 2w", "cpsat1": "CP-SAT 1w",
         "cpsat2": "CP-SAT 2w", "z3": "z3 Optimize"}
SETS = ("la", "orb-abz", "j30", "j60", "large")
DEFAULT_SETS = ("la", "orb-abz", "j30", "j60")
JOBSHOP_SETS = ("la", "orb-abz", "large")
SET_TITLE = {"la": "la01-la40", "orb-abz": "ORB + ABZ", "j30": "PSPLIB j30", "j60": "PSPLIB j60",
             "large": "ta21-ta30, swv11-swv20, yn1-yn4"}
MARK = "SCHED-RESULT "


# --------------------------------------------------------------------------- instances
#
# Our own readers, sharing no code with smtsched. An instance is a dict:
#   tasks: [[name, duration]] in file order; precedences: [[before, after]] (end-to-start, lag 0)
#   resources: [[name, capacity, [[task, demand]]]] (job shop: one per machine, capacity 1)

def parse_jobshop(path):
    with open(path) as stream:
        rows = [l.split() for l in stream if l.strip() and not l.lstrip().startswith("#")]
    n_jobs, n_machines = int(rows[0][0]), int(rows[0][1])
    tasks, precedences = [], []
    machines = [[] for _ in range(n_machines)]
    for j in range(n_jobs):
        values = [int(x) for x in rows[1 + j]]
        if len(values) % 2:
            raise ValueError("%s: job %d is not a list of (machine, duration) pairs" % (path, j))
        previous = None
        for k in range(len(values) // 2):
            machine, duration = values[2 * k], values[2 * k + 1]
            name = "j%do%d" % (j, k)
            tasks.append([name, duration])
            machines[machine].append([name, 1])
            if previous is not None:
                precedences.append([previous, name])
            previous = name
    resources = [["m%d" % m, 1, ts] for m, ts in enumerate(machines) if ts]
    return {"kind": "jobshop", "tasks": tasks, "precedences": precedences, "resources": resources}


def parse_psplib(path):
    with open(path) as stream:
        lines = stream.read().splitlines()

    def section(title):
        for k, line in enumerate(lines):
            if line.strip().upper().startswith(title):
                out = []
                for l in lines[k + 1:]:
                    if l.startswith("*"):
                        break
                    if l.strip() and not l.lstrip().startswith("-") and re.match(r"\s*\d", l):
                        out.append([int(x) for x in l.split()])
                return out
        raise ValueError("%s: no %s section" % (path, title))

    prec = section("PRECEDENCE RELATIONS")
    reqs = section("REQUESTS/DURATIONS")
    caps = section("RESOURCEAVAILABILITIES")[0]
    tasks, demands = [], {}
    for row in reqs:
        job, duration = row[0], row[2]
        tasks.append(["job%d" % job, duration])
        demands["job%d" % job] = row[3:3 + len(caps)]
    precedences = []
    for row in prec:
        if len(row) != 3 + row[2]:
            raise ValueError("%s: bad precedence line %r" % (path, row))
        precedences += [["job%d" % row[0], "job%d" % s] for s in row[3:]]
    resources = []
    for r, cap in enumerate(caps):
        resources.append(["R%d" % (r + 1), cap,
                          [[t, demands[t][r]] for t, _ in tasks if demands[t][r] > 0]])
    return {"kind": "psplib", "tasks": tasks, "precedences": precedences, "resources": resources}


def parse_instance(path):
    return parse_psplib(path) if path.endswith(".sm") else parse_jobshop(path)


def _set_of(name):
    if re.fullmatch(r"la\d\d", name) and 1 <= int(name[2:]) <= 40:
        return "la"
    if re.fullmatch(r"orb\d\d|abz\d", name):
        return "orb-abz"
    if (re.fullmatch(r"ta\d\d", name) and 21 <= int(name[2:]) <= 30
            or re.fullmatch(r"swv\d\d", name) and 11 <= int(name[3:]) <= 20
            or re.fullmatch(r"yn[1-4]", name)):
        return "large"
    m = re.fullmatch(r"j(30|60)(\d+)_(\d+)", name)
    return "j" + m.group(1) if m else None


def _sort_key(name):
    return [int(x) if x.isdigit() else x for x in re.findall(r"\d+|\D+", name)]


def list_instances(ddir, sets, only, every):
    """[{name, set, path, optimum, lower_bound, upper_bound}] in set order; --only filters by
    name globs, then --every N keeps the 1st, (N+1)-th, ... of what is left in each set."""
    globs = args.patterns(only)
    found = []
    for s in sets:
        folder = os.path.join(ddir, "jssp") if s in JOBSHOP_SETS else os.path.join(ddir, "rcpsp", s)
        index, index_path = args.read_index(folder, "%s instances" % s)
        names = sorted((n for n in index if _set_of(n) == s), key=_sort_key)
        names = [n for n in names if args.wanted(n, globs)]
        names = names[::max(1, every)]
        ext = ".txt" if s in JOBSHOP_SETS else ".sm"
        for n in names:
            path = args.listed_file(folder, n + ext, index_path)
            e = index[n]
            found.append({"name": n, "set": s, "path": path, "optimum": e.get("optimum"),
                          "lower_bound": e.get("lower_bound"), "upper_bound": e.get("upper_bound")})
    return found


# --------------------------------------------------------------------------- the checker

def violations(inst, starts):
    """Broken constraints of `starts` ({task name: start}) for `inst` (empty: valid)."""
    if not isinstance(starts, dict):
        return ["no schedule"]
    problems = []
    dur = dict((t, d) for t, d in inst["tasks"])
    for t in dur:
        s = starts.get(t)
        if isinstance(s, bool) or not isinstance(s, int):
            problems.append("%s has no integer start (%r)" % (t, s))
        elif s < 0:
            problems.append("%s starts at %d < 0" % (t, s))
    extra = sorted(set(starts) - set(dur))
    if extra:
        problems.append("unknown tasks in the schedule: %s" % ", ".join(extra[:5]))
    if problems:
        return problems
    for a, b in inst["precedences"]:
        if starts[b] < starts[a] + dur[a]:
            problems.append("%s starts at %d, before %s ends at %d" % (b, starts[b], a, starts[a] + dur[a]))
    for name, cap, demands in inst["resources"]:
        spans = [(starts[t], starts[t] + dur[t], q) for t, q in demands if dur[t] > 0]
        for at, _, _ in spans:  # the load only rises at a start
            load = sum(q for s, e, q in spans if s <= at < e)
            if load > cap:
                problems.append("%s carries %d > %d at time %d" % (name, load, cap, at))
                break
    return problems


def makespan_of(inst, starts):
    return max((starts[t] + d for t, d in inst["tasks"]), default=0)


def judge(inst, run, timeout):
    """Fill run["verdict"] (optimal | feasible | none | late | WRONG | killed | crash) and
    run["problems"] (why WRONG) from the run's status, objective, bound and schedule."""
    problems = []
    opt, lb, ub = inst["optimum"], inst["lower_bound"], inst["upper_bound"]
    status, obj, bound = run.get("status"), run.get("objective"), run.get("bound")
    starts = run.get("starts")
    has_schedule = isinstance(starts, dict) and bool(starts)
    if has_schedule:
        bad = violations(inst, starts)
        if bad:
            problems.append("invalid schedule: " + "; ".join(bad[:3]))
        else:
            ms = makespan_of(inst, starts)
            if obj != ms:
                problems.append("objective %s but the schedule's makespan is %d" % (obj, ms))
    elif status in ("OPTIMAL", "FEASIBLE"):
        problems.append("status %s without a schedule" % status)
    if obj is not None and lb is not None and obj < lb:
        problems.append("objective %s below the known lower bound %d" % (obj, lb))
    if bound is not None and ub is not None and bound > ub:
        problems.append("claimed lower bound %s above a known schedule's makespan %d" % (bound, ub))
    if status == "OPTIMAL":
        if opt is not None and obj != opt:
            problems.append("OPTIMAL with %s, the known optimum is %d" % (obj, opt))
        if opt is None and ub is not None and obj is not None and obj > ub:
            problems.append("OPTIMAL with %s, but a schedule of %d is known" % (obj, ub))
    if status == "INFEASIBLE":
        problems.append("INFEASIBLE, but every instance has a schedule")
    run["problems"] = problems
    if problems:
        verdict = "WRONG"
    elif status == "OPTIMAL":
        verdict = "optimal" if run.get("time") is not None and run["time"] <= timeout else "late"
    elif has_schedule:
        verdict = "feasible"
    elif run.get("killed"):
        verdict = "killed"
    elif run.get("error"):
        verdict = "crash"
    else:
        verdict = "none"
    run["verdict"] = verdict
    run["has_schedule"] = has_schedule and not problems
    return verdict


# --------------------------------------------------------------------------- worker (CP-SAT, z3)

def worker_main(argv):
    """python -m bench.sched --worker SOLVER FILE --timeout T: one solve, one JSON line."""
    p = argparse.ArgumentParser(prog="python -m bench.sched --worker")
    p.add_argument("solver", choices=["cpsat1", "cpsat2", "z3"])
    p.add_argument("file")
    p.add_argument("--timeout", type=float, required=True)
    p.add_argument("--seed", type=int, default=None)
    a = p.parse_args(argv)

    def body(out):
        clock = child.Clock()
        inst = parse_instance(a.file)
        out["parse_time"] = clock()
        if a.solver.startswith("cpsat"):
            out.update(solve_cpsat(inst, a.timeout, int(a.solver[-1]), a.seed))
        else:
            out.update(solve_z3(inst, a.timeout, a.seed))

    return child.run(MARK, body, {"solver": a.solver}, failed=())


def solve_cpsat(inst, timeout, workers, seed=None):
    from ortools.sat.python import cp_model
    clock = child.Clock()
    dur = dict((t, d) for t, d in inst["tasks"])
    horizon = sum(dur.values())
    m = cp_model.CpModel()
    start, end, interval = {}, {}, {}
    for t, d in inst["tasks"]:
        start[t] = m.NewIntVar(0, horizon, "s_" + t)
        end[t] = m.NewIntVar(0, horizon, "e_" + t)
        interval[t] = m.NewIntervalVar(start[t], d, end[t], "i_" + t)
    for a, b in inst["precedences"]:
        m.Add(start[b] >= end[a])
    for name, cap, demands in inst["resources"]:
        if inst["kind"] == "jobshop":
            m.AddNoOverlap([interval[t] for t, _ in demands])
        else:
            m.AddCumulative([interval[t] for t, _ in demands], [q for _, q in demands], cap)
    makespan = m.NewIntVar(0, horizon, "makespan")
    m.AddMaxEquality(makespan, [end[t] for t in dur])
    m.Minimize(makespan)
    solver, code, out = cpsat.solve(m, clock, timeout, workers, seed)
    if cpsat.found(code):
        out["starts"] = {t: int(solver.Value(start[t])) for t in dur}
    return out


def solve_z3(inst, timeout, seed=None):
    import z3
    if seed is not None:
        z3.set_param("smt.random_seed", seed)
        z3.set_param("sat.random_seed", seed)
    clock = child.Clock()
    dur = dict((t, d) for t, d in inst["tasks"])
    s = {t: z3.Int(t) for t in dur}
    makespan = z3.Int("makespan")
    opt = z3.Optimize()
    for t, d in dur.items():
        opt.add(s[t] >= 0, makespan >= s[t] + d)
    for a, b in inst["precedences"]:
        opt.add(s[b] >= s[a] + dur[a])
    disjunctions = sums = 0
    for name, cap, demands in inst["resources"]:
        items = [(t, q) for t, q in demands if dur[t] > 0]
        # a pair that cannot run together is ordered one way or the other
        for i in range(len(items)):
            for j in range(i + 1, len(items)):
                (a, qa), (b, qb) = items[i], items[j]
                if qa + qb > cap:
                    opt.add(z3.Or(s[a] + dur[a] <= s[b], s[b] + dur[b] <= s[a]))
                    disjunctions += 1
        # task-based decomposition: at each task's start the running tasks fit the capacity
        # (tasks that cannot run with it are ordered above, so they are left out of its sum)
        for t, q in items:
            others = [(u, r) for u, r in items if u != t and q + r <= cap]
            if q + sum(r for _, r in others) <= cap:
                continue
            load = [z3.If(z3.And(s[u] <= s[t], s[t] < s[u] + dur[u]), r, 0) for u, r in others]
            opt.add(z3.Sum(load) + q <= cap)
            sums += 1
    handle = opt.minimize(makespan)
    build = clock()
    opt.set("timeout", max(1, int((timeout - build) * 1000)))
    answer = opt.check()
    solve_time = clock() - build

    def value(expr):
        return expr.as_long() if z3.is_int_value(expr) else None

    lower, upper = value(handle.lower()), value(handle.upper())
    out = {"build_time": build, "solve_time": solve_time, "time": build + solve_time,
           "z3_answer": str(answer), "reason": opt.reason_unknown() if answer != z3.sat else "",
           "stats": {"disjunctions": disjunctions, "capacity_sums": sums,
                     "z3_lower": lower, "z3_upper": upper}}
    model = None
    try:
        model = opt.model()
    except z3.Z3Exception:
        pass
    if model is not None and len(model) > 0:
        starts = {t: value(model.eval(s[t], model_completion=True)) for t in dur}
        if all(v is not None for v in starts.values()):
            out["starts"] = starts
            out["objective"] = value(model.eval(makespan, model_completion=True))
    if answer == z3.sat and lower is not None and lower == upper and "starts" in out:
        out["status"], out["bound"] = "OPTIMAL", lower
    elif answer == z3.unsat:
        out["status"] = "INFEASIBLE"
    else:
        out["status"] = "FEASIBLE" if "starts" in out else "UNKNOWN"
        out["bound"] = lower
    return out


# --------------------------------------------------------------------------- running

def run_one(solver, inst, a, scratch):
    """One solver on one instance, a process of its own (bench.harness.process.run). smtsched
    prints its answer as one JSON line (`smtsched solve --json`), our worker as a marked one."""
    if solver in SMTSCHED:
        argv = [a.python, "-m", "smtsched", "solve", "--json", "--timeout", "%g" % a.timeout]
        if SMTSCHED[solver] > 1:   # the portfolio of issue 17 (Model.solve(workers=k))
            argv += ["--workers", str(SMTSCHED[solver])]
        cwd = scratch
    else:
        argv = [sys.executable, "-m", "bench.sched", "--worker", solver, "--timeout", "%g" % a.timeout]
        cwd = CHECKOUT
    argv += ([] if a.seed is None else ["--seed", str(a.seed)]) + [inst["path"]]
    done = process.run(argv, a.timeout + a.grace, cwd, memory_limit_mb=a.memory_limit_mb,
                       mark="" if solver in SMTSCHED else MARK)
    run = {"wall": done["wall"], "rc": done["rc"], "killed": done["killed"]}
    parsed = done["result"]
    if parsed is None:
        if not done["killed"]:
            run["error"] = process.failure(done)
        return run
    if solver in SMTSCHED:
        run.update({"status": parsed.get("status"), "objective": parsed.get("objective"),
                    "bound": parsed.get("lower_bound"), "time": parsed.get("runtime"),
                    "starts": parsed.get("starts") or None, "reason": parsed.get("reason", ""),
                    "stats": parsed.get("stats", {})})
        if done["rc"] not in (0, None):
            run["error"] = "exit code %s; stderr: %s" % (
                done["rc"], process.tail(done["stderr"], 400).strip())
    else:
        if parsed.get("error"):
            run["error"] = parsed["error"]
            run["traceback"] = parsed.get("traceback")
        for key in ("status", "objective", "bound", "time", "starts", "reason", "stats",
                    "build_time", "solve_time", "parse_time", "cpsat_wall", "z3_answer"):
            if key in parsed:
                run[key] = parsed[key]
    return run


# --------------------------------------------------------------------------- model cross-check

CROSSCHECK = r"""
import json, sys
from smtsched.sched import read_jobshop, read_psplib
out = {}
for path in sys.argv[1:]:
    m = read_psplib(path) if path.endswith(".sm") else read_jobshop(path)
    out[path] = {"tasks": [[t.name, t.duration] for t in m.tasks],
                 "precedences": [[p.before.name, p.after.name, p.min_lag, p.max_lag]
                                 for p in m.precedences],
                 "resources": [[r.capacity, [[t.name, d] for t, d in r.demands]]
                               for r in m.resources]}
print(json.dumps(out))
"""


def _canonical(tasks, precedences, resources):
    dur = dict(tasks)
    res = []
    for cap, demands in resources:
        items = sorted((t, q) for t, q in demands if q > 0 and dur.get(t, 1) > 0)
        if sum(q for _, q in items) > cap:  # a resource that can never be overloaded is moot
            res.append((cap, tuple(items)))
    return (tuple(sorted(dur.items())), tuple(sorted(set(tuple(p) for p in precedences))),
            tuple(sorted(res)))


def crosscheck_models(python, instances, cwd):
    """Compare our parse of every selected file with smtsched's readers: all solvers must solve
    the same instance. Returns notes (disagreements, or why the check could not run)."""
    done = process.run([python, "-c", CROSSCHECK] + [i["path"] for i in instances], 600, cwd,
                       mark="")
    theirs = done["result"]
    if theirs is None:
        return ["model cross-check with smtsched's readers not done (%s)" % (
            process.tail(done["stderr"], 200).strip())], 0
    notes = []
    for inst in instances:
        t = theirs.get(inst["path"])
        if t is None:
            notes.append("model cross-check: %s missing from smtsched's readers' output" % inst["name"])
            continue
        if any(p[2] != 0 or p[3] is not None for p in t["precedences"]):
            notes.append("model cross-check: %s: smtsched's reader gives lags other than end-to-start"
                         % inst["name"])
        mine = _canonical(inst["model"]["tasks"], inst["model"]["precedences"],
                          [(c, d) for _, c, d in inst["model"]["resources"]])
        other = _canonical(t["tasks"], [p[:2] for p in t["precedences"]], t["resources"])
        if mine != other:
            what = [k for k, x, y in zip(("tasks", "precedences", "resources"), mine, other) if x != y]
            notes.append("**model cross-check: %s differs from smtsched's reader (%s)**"
                         % (inst["name"], ", ".join(what)))
    return notes, len(instances)


# --------------------------------------------------------------------------- machine

def machine_info(a, cwd):
    if any(s.startswith("cpsat") for s in a.solvers):
        machine.require("ortools", "cpsat1,cpsat2")
    if "z3" in a.solvers:
        machine.require("z3", "z3")
    return machine.describe(a.python if set(SMTSCHED) & set(a.solvers) else None, cwd)


# --------------------------------------------------------------------------- summaries

def reference(inst):
    """The value gaps are measured against: the optimum, else the best known makespan."""
    return inst["optimum"] if inst["optimum"] is not None else inst["upper_bound"]


def _t(run):
    return max(run["time"], 1e-3)


def set_summary(rows, solvers):
    s = {"instances": len(rows), "open": sum(r["optimum"] is None for r in rows), "per": {}}
    for x in solvers:
        ran = [r for r in rows if x in r["runs"]]
        proven = [r for r in ran if r["runs"][x]["verdict"] == "optimal"]
        gaps = [r["runs"][x]["objective"] / reference(r) - 1 for r in ran
                if r["runs"][x].get("has_schedule") and reference(r)]
        s["per"][x] = {
            "ran": len(ran), "proven": len(proven),
            "wrong": sum(r["runs"][x]["verdict"] == "WRONG" for r in ran),
            "no_schedule": sum(not r["runs"][x].get("has_schedule") for r in ran),
            "mean_gap": statistics.mean(gaps) if gaps else None,
            "max_gap": max(gaps) if gaps else None,
            "median_time": statistics.median(_t(r["runs"][x]) for r in proven) if proven else None,
            "proven_names": [r["name"] for r in proven]}
    if "cpsat1" in solvers:
        base = s["per"]["cpsat1"]
        for x in solvers:
            p = s["per"][x]
            p["ratio_medians"] = (p["median_time"] / base["median_time"]
                                  if p["median_time"] and base["median_time"] else None)
            both = [r for r in rows if x in r["runs"] and "cpsat1" in r["runs"]
                    and r["runs"][x]["verdict"] == "optimal" and r["runs"]["cpsat1"]["verdict"] == "optimal"]
            p["both_n"] = len(both)
            p["ratio_both"] = (statistics.median(_t(r["runs"][x]) for r in both)
                               / statistics.median(_t(r["runs"]["cpsat1"]) for r in both)) if both else None
    if "smtsched" in solvers and "z3" in solvers:
        s["z3_vs_smtsched"] = z3_speed(rows)
    return s


def large_target(rows, set_name):
    """Issue 16's line for the largest job shops: on how many instances smtsched's best makespan
    at T is no worse than CP-SAT 1 worker's (a solver without a schedule counts as worse)."""
    both = [r for r in rows if r["set"] == set_name
            and "smtsched" in r["runs"] and "cpsat1" in r["runs"]]

    def best(run):
        return run["objective"] if run.get("has_schedule") else float("inf")

    no_worse = [r for r in both if best(r["runs"]["smtsched"]) <= best(r["runs"]["cpsat1"])]
    worse = sorted((r["name"] for r in both if r not in no_worse), key=_sort_key)
    share = len(no_worse) / len(both) if both else 0.0
    return ("- %s: smtsched's best makespan no worse than CP-SAT 1 worker's on %d of %d (%.0f%%)"
            " -> target (80%%) %s%s" % (
                SET_TITLE[set_name], len(no_worse), len(both), 100 * share,
                "met" if both and share >= 0.8 else "NOT met",
                "" if not worse else " (worse: %s)" % ", ".join(worse)))


def z3_speed(rows):
    both = [r for r in rows if "z3" in r["runs"] and "smtsched" in r["runs"]
            and r["runs"]["z3"]["verdict"] == "optimal" and r["runs"]["smtsched"]["verdict"] == "optimal"]
    ratios = [_t(r["runs"]["z3"]) / _t(r["runs"]["smtsched"]) for r in both]
    return {"n": len(both), "median_ratio": statistics.median(ratios) if ratios else None,
            "min_ratio": min(ratios) if ratios else None,
            "z3_only": [r["name"] for r in rows if r["runs"].get("z3", {}).get("verdict") == "optimal"
                        and r["runs"].get("smtsched", {}).get("verdict") != "optimal"]}


# --------------------------------------------------------------------------- report

def fmt_run(run):
    return run_cell(run, "objective", _unproven_cell)


def _unproven_cell(run, t):
    v = run["verdict"]
    if v == "feasible":
        return "%s [%s]%s" % (run["objective"], "-" if run.get("bound") is None else run["bound"], t)
    if v == "killed":
        return "killed %.0fs" % run["wall"]
    if v == "crash":
        return "crash"
    return "none%s" % t


def render(meta, rows, notes):
    solvers = meta["solvers"]
    timeout = meta["timeout"]
    L = ["# smtsched: scheduling optimisation benchmark", ""]
    wrong = [(r, x) for r in rows for x in solvers if r["runs"].get(x, {}).get("verdict") == "WRONG"]
    L += report.wrong_banner(["%s on %s: %s" % (LABEL[x], r["name"], "; ".join(r["runs"][x]["problems"]))
                              for r, x in wrong])
    L += report.interrupted(meta, "the instances finished by every solver")
    L += report.head("bench/sched.py", meta)
    L += ["- data: `%s`; sets %s; %d instances%s%s" % (
              meta["data"], ", ".join(meta["sets"]), len(rows),
              ", --only " + meta["only"] if meta["only"] else "",
              ", every %d-th instance of each set" % meta["every"] if meta["every"] > 1 else ""),
          "- time limit T = %g s per run, the same for every solver; runs one at a time, each in "
          "its own process group, killed at T + %g s" % (timeout, meta["grace"]),
          "- time = model building + search inside the solver's process (smtsched: its reported "
          "`runtime`; CP-SAT: build + Solve; z3: build + check); process start-up, imports and "
          "file reading excluded (process wall times are in the JSON)",
          "- proven optimal = OPTIMAL within T with a schedule that passes the independent "
          "check (z3: check() = sat with equal lower and upper objective bounds); gap = "
          "objective / optimum - 1 over instances with a valid schedule (open instances: against "
          "the best known makespan)", ""]
    L += report.machine_section(meta["machine"]) + report.notes(notes)

    summaries = {}
    L += ["## Per set", "",
          "| set | solver | instances | proven optimal | no schedule | mean gap | max gap | "
          "median time to opt (s) | ratio of medians vs CP-SAT 1w | both proved: n, ratio of medians |",
          "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for s in meta["sets"]:
        srows = [r for r in rows if r["set"] == s]
        if not srows:
            continue
        summ = summaries[s] = set_summary(srows, solvers)
        title = SET_TITLE[s] + (" (%d open)" % summ["open"] if summ["open"] else "")
        for x in solvers:
            p = summ["per"][x]
            L.append("| %s | %s | %d | %d%s | %d | %s | %s | %s | %s | %s |" % (
                title, LABEL[x], p["ran"], p["proven"],
                " (**%d WRONG**)" % p["wrong"] if p["wrong"] else "", p["no_schedule"],
                fmt_percent(p["mean_gap"]), fmt_percent(p["max_gap"]),
                fmt_number(p["median_time"], "%.3f"), fmt_number(p.get("ratio_medians")),
                "-" if x == "cpsat1" or "both_n" not in p else
                "%d, %s" % (p["both_n"], fmt_number(p["ratio_both"]))))
    L += ["", "Ratios are smtsched (or the row's solver) / CP-SAT 1 worker: below 1 is faster "
          "than CP-SAT. \"both proved\": medians over the instances this solver and CP-SAT 1w "
          "both proved optimal.", ""]

    if "smtsched2" in solvers and "cpsat2" in solvers:
        # issue 17: with 2 workers each, smtsched proves at least as many as CP-SAT on
        # la01-la40 and j60
        L += ["## Targets with 2 workers", ""]
        for s in ("la", "j60"):
            if s in summaries:
                p = summaries[s]["per"]
                a, b = p["smtsched2"]["proven"], p["cpsat2"]["proven"]
                lost = sorted(set(p["cpsat2"]["proven_names"]) - set(p["smtsched2"]["proven_names"]),
                              key=_sort_key)
                L.append("- %s: smtsched 2 workers proves %d optima, CP-SAT 2 workers %d -> "
                         "target %s%s" % (SET_TITLE[s], a, b, "met" if a >= b else "NOT met",
                                          "" if not lost else " (CP-SAT 2w only: %s%s)" % (
                                              ", ".join(lost[:12]), ", ..." if len(lost) > 12 else "")))
        L.append("")
    if "smtsched" in solvers:
        L += ["## Targets", ""]
        if "cpsat1" in solvers:
            for s in ("j30", "la"):
                if s in summaries:
                    p = summaries[s]["per"]
                    a, b = p["smtsched"]["proven"], p["cpsat1"]["proven"]
                    lost = sorted(set(p["cpsat1"]["proven_names"]) - set(p["smtsched"]["proven_names"]),
                                  key=_sort_key)
                    L.append("- %s: smtsched proves %d optima, CP-SAT 1 worker %d -> target %s%s" % (
                        SET_TITLE[s], a, b, "met" if a >= b else "NOT met",
                        "" if not lost else " (CP-SAT 1w only: %s%s)" % (
                            ", ".join(lost[:12]), ", ..." if len(lost) > 12 else "")))
            if "large" in summaries:
                L.append(large_target(rows, "large"))
        if "z3" in solvers:
            # The issue's target: "at least 10x faster than z3's optimiser where both finish",
            # next to the optima counts on j30 and la01-la40. Those two sets and all the
            # instances together are judged; the other sets' medians are shown beside them.
            for s, summ in summaries.items():
                z = summ["z3_vs_smtsched"]
                judged = s in ("j30", "la")
                L.append("- %s: z3 / smtsched time where both proved optimal: %s" % (
                    SET_TITLE[s], "no instance" if not z["n"] else
                    "median %.1fx, min %.1fx over %d instances -> %s" % (
                        z["median_ratio"], z["min_ratio"], z["n"],
                        ("met (>= 10x)" if z["median_ratio"] >= 10 else "NOT met (< 10x)")
                        if judged else "%s 10x (not a target set)" % (
                            ">=" if z["median_ratio"] >= 10 else "below"))))
            z = z3_speed(rows)
            L.append("- all sets: z3 / smtsched where both proved optimal: %s%s" % (
                "no instance" if not z["n"] else "median %.1fx, min %.1fx over %d instances -> %s" % (
                    z["median_ratio"], z["min_ratio"], z["n"],
                    "met (>= 10x)" if z["median_ratio"] >= 10 else "NOT met (< 10x)"),
                "" if not z["z3_only"] else "; proved by z3 but not smtsched: %s" % ", ".join(z["z3_only"])))
        if meta["every"] > 1 or meta["only"]:
            L.append("- (on the selected subset only, not the full sets)")
        L.append("")

    L += ["## Per instance", "",
          "| instance | optimum | " + " | ".join(LABEL[x] for x in solvers) + " |",
          "| --- | ---: |" + " --- |" * len(solvers)]
    for r in rows:
        ref = str(r["optimum"]) if r["optimum"] is not None else "open [%s, %s]" % (
            r["lower_bound"], r["upper_bound"])
        L.append("| %s | %s | %s |" % (r["name"], ref, " | ".join(fmt_run(r["runs"].get(x)) for x in solvers)))
    L += ["", "Cells: **opt** = proven optimal, makespan, time; `value [bound]` = a valid schedule "
          "of that makespan and the solver's proven lower bound, not proven optimal; none = no "
          "schedule within T; killed = still running at T + grace (process wall time); late = "
          "OPTIMAL after T.", ""]
    odd = [(r, x) for r in rows for x in solvers
           if r["runs"].get(x, {}).get("verdict") in ("crash", "killed") or r["runs"].get(x, {}).get("error")]
    L += report.section("Errors, crashes and kills", ["%s on %s: %s (wall %.1f s)" % (
        LABEL[x], r["name"], (r["runs"][x].get("error") or "killed at T + grace")[:300].replace("\n", " "),
        r["runs"][x]["wall"]) for r, x in odd])
    return "\n".join(L) + "\n"


# --------------------------------------------------------------------------- main

def parse_args(argv):
    p = args.parser("python -m bench.sched", __doc__.split("\n\n")[0],
                    args.default_out("RESULTS-sched.md"), SOLVERS, memory_limit_mb=0, seed=None,
                    solver_default=DEFAULT_SOLVERS)
    p.add_argument("--sets", default=",".join(DEFAULT_SETS),
                   help="comma list of %s (default %s)" % (",".join(SETS), ",".join(DEFAULT_SETS)))
    p.add_argument("--every", type=int, default=1, help="every N-th instance of each set (1)")
    p.add_argument("--selftest", action="store_true", help="test the checker and WRONG flagging")
    a = args.finish(p, p.parse_args(argv), SOLVERS)
    a.sets = args.subset(p, a.sets, SETS, "sets")
    if a.every < 1:
        p.error("--every must be at least 1")
    return a


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        return worker_main(argv[1:])
    a = parse_args(argv)
    if a.selftest:
        return selftest()
    if a.rewrite_report:
        rows = results.rewrite_report(a, render)
        return 3 if any(run.get("verdict") == "WRONG" for r in rows
                        for run in r["runs"].values()) else 0
    return args.guarded("bench.sched", benchmark, a, argv)


def resume_runs(a, meta, rows, notes):
    """Copy into `rows` the runs of the raw results file `a.resume` that this run would make
    again: the same instance and solver, the same time limit, and (for smtsched) the same code
    fingerprint. Anything else is refused, so one report never mixes two versions."""
    saved = results.load_resume(a, meta)
    old = saved["meta"]
    kept = 0
    by_name = {row["name"]: row for row in saved["rows"]}
    for row in rows:
        for solver, run in by_name.get(row["name"], {}).get("runs", {}).items():
            if solver in a.solvers:
                row["runs"][solver] = run
                kept += 1
    results.resumed(a, meta, notes, old, kept)


def benchmark(a, argv):
    ddir = data_dir(a.data)
    instances = list_instances(ddir, a.sets, a.only, a.every)
    if not instances:
        raise Fatal("no instance of sets %s matches --only %r" % (",".join(a.sets), a.only))
    for inst in instances:
        inst["model"] = parse_instance(inst["path"])
    scratch = tempfile.mkdtemp(prefix="bench-sched-")
    try:
        meta = {**results.run_meta("bench.sched", argv), "data": ddir,
                "sets": a.sets, "only": a.only, "every": a.every, "timeout": a.timeout,
                "grace": a.grace, "solvers": a.solvers, "memory_limit_mb": a.memory_limit_mb,
                "seed": a.seed,
                "machine": machine_info(a, scratch),
                "runs_planned": len(instances) * len(a.solvers), "runs_done": 0}
        notes = []
        if set(SMTSCHED) & set(a.solvers):
            cross, n = crosscheck_models(a.python, instances, scratch)
            notes += cross
            if n and not cross:
                notes.append("model cross-check: all %d instances read identically by this "
                             "harness and by smtsched's readers" % n)
        rows = [{k: v for k, v in inst.items() if k not in ("model",)} for inst in instances]
        for row in rows:
            row["path"] = os.path.relpath(row["path"], ddir)
            row["runs"] = {}
        if a.resume:
            resume_runs(a, meta, rows, notes)
        meta["runs_done"] = sum(len(row["runs"]) for row in rows)
        progress = results.Progress(a.json, "sched", meta, rows, notes)
        with progress:
            for inst, row in zip(instances, rows):
                for solver in a.solvers:
                    if solver in row["runs"]:
                        continue  # kept from the resumed file
                    run = run_one(solver, inst, a, scratch)
                    verdict = judge(inst["model"] | {"optimum": inst["optimum"],
                                                     "lower_bound": inst["lower_bound"],
                                                     "upper_bound": inst["upper_bound"]},
                                    run, a.timeout)
                    row["runs"][solver] = run
                    progress.ran("%-9s %-9s %-8s %6s %s%s" % (
                        solver, row["name"], verdict, run.get("objective", "-"),
                        "%.2fs" % run["time"] if run.get("time") is not None
                        else "wall %.1fs" % run["wall"],
                        " <<< WRONG: " + "; ".join(run["problems"]) if verdict == "WRONG" else ""))
        if progress.interrupted:
            rows = [r for r in rows if len(r["runs"]) == len(a.solvers)]
        results.close(a, "sched", render, meta, rows, notes)
        wrong = [(r["name"], x, run["problems"]) for r in rows for x, run in r["runs"].items()
                 if run["verdict"] == "WRONG"]
        for name, x, problems in wrong:
            print("!!! WRONG: %s on %s: %s" % (x, name, "; ".join(problems)), file=sys.stderr)
        return args.exit_code(progress.interrupted, wrong)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def selftest():
    """The checker and the WRONG rules on a tiny job shop and a tiny RCPSP, no solver needed."""
    js = {"kind": "jobshop", "tasks": [["j0o0", 3], ["j0o1", 2], ["j1o0", 2], ["j1o1", 4]],
          "precedences": [["j0o0", "j0o1"], ["j1o0", "j1o1"]],
          "resources": [["m0", 1, [["j0o0", 1], ["j1o1", 1]]], ["m1", 1, [["j0o1", 1], ["j1o0", 1]]]],
          "optimum": 7, "lower_bound": 7, "upper_bound": 7}
    good = {"j0o0": 0, "j0o1": 3, "j1o0": 0, "j1o1": 3}
    checks = []

    def expect(name, run, verdict):
        got = judge(js if run.pop("_js", True) else rc, run, 10)
        checks.append((name, got == verdict, got, run.get("problems")))

    expect("valid optimal", {"status": "OPTIMAL", "objective": 7, "starts": dict(good), "time": 1}, "optimal")
    expect("machine overlap", {"status": "FEASIBLE", "objective": 7, "time": 1,
                               "starts": dict(good, j1o1=2, j0o0=0)}, "WRONG")
    expect("precedence", {"status": "FEASIBLE", "objective": 8, "time": 1,
                          "starts": dict(good, j1o1=1, j0o0=5, j0o1=8)}, "WRONG")
    expect("objective != makespan", {"status": "FEASIBLE", "objective": 8, "starts": dict(good), "time": 1}, "WRONG")
    expect("optimal not optimum", {"status": "OPTIMAL", "objective": 9, "time": 1,
                                   "starts": dict(good, j1o1=5, j0o0=0)}, "WRONG")
    expect("bound above optimum", {"status": "FEASIBLE", "objective": 7, "bound": 8,
                                   "starts": dict(good), "time": 1}, "WRONG")
    expect("missing task", {"status": "FEASIBLE", "objective": 7, "time": 1,
                            "starts": {"j0o0": 0, "j0o1": 3, "j1o0": 0}}, "WRONG")
    expect("optimal late", {"status": "OPTIMAL", "objective": 7, "starts": dict(good), "time": 11}, "late")
    expect("feasible", {"status": "FEASIBLE", "objective": 9, "bound": 5, "time": 10,
                        "starts": {"j0o0": 0, "j0o1": 3, "j1o0": 0, "j1o1": 5}}, "feasible")
    expect("killed", {"killed": True, "wall": 20}, "killed")
    rc = {"kind": "psplib", "tasks": [["job1", 0], ["job2", 2], ["job3", 2], ["job4", 2], ["job5", 0]],
          "precedences": [["job1", "job2"], ["job1", "job3"], ["job1", "job4"], ["job2", "job5"],
                          ["job3", "job5"], ["job4", "job5"]],
          "resources": [["R1", 3, [["job2", 1], ["job3", 1], ["job4", 2]]]],
          "optimum": 4, "lower_bound": 4, "upper_bound": 4}
    expect("cumulative ok", {"_js": False, "status": "OPTIMAL", "objective": 4, "time": 1,
                             "starts": {"job1": 0, "job2": 0, "job3": 2, "job4": 0, "job5": 4}}, "optimal")
    expect("cumulative overload", {"_js": False, "status": "OPTIMAL", "objective": 4, "time": 1,
                                   "starts": {"job1": 0, "job2": 0, "job3": 0, "job4": 1, "job5": 4}}, "WRONG")
    expect("below lower bound", {"_js": False, "status": "FEASIBLE", "objective": 2, "time": 1,
                                 "starts": {"job1": 0, "job2": 0, "job3": 0, "job4": 0, "job5": 2}}, "WRONG")
    failed = [c for c in checks if not c[1]]
    for name, ok, got, problems in checks:
        print("%-22s %s (%s%s)" % (name, "ok" if ok else "FAILED", got,
                                   ": " + "; ".join(problems) if problems else ""))
    print("%d/%d checks passed" % (len(checks) - len(failed), len(checks)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
