"""SMT-LIB benchmark: smtsched, z3 and yices on every .smt2 file of <data>/smtlib/.

    python -m bench.smtlib                                   # all files, 60 s, report + raw JSON
    python -m bench.smtlib --only 'QF_IDL/Averest*,QF_RDL/check/*' --timeout 5 --out /tmp/r.md
    python -m bench.smtlib --startup-only                    # only the start-up measurement
    python -m bench.smtlib --rewrite-report results.json     # re-render a report, no solving

Every (solver, file) pair is one process of the solver's own command line, run sequentially with
the same wall-clock limit T (solver-side: `--timeout T`, `-T:T`, `--timeout=T`) and killed with
its whole process group at T + grace. The time of a run is the wall time of that process, so
start-up is part of every answer. A sat/unsat answer counts as solved only if it agrees with the
reference status and arrived within T; PAR-2 charges 2*T for anything else.

Reference status: the file's `(set-info :status ...)` when it is sat/unsat; otherwise z3's
answer recorded in smtlib/index.json (z3 -T:60 when the data set was built), otherwise z3's
answer in this run. The report says which one each file used.

Exit codes: 0 done, 2 data/solver missing or bad usage, 3 some answer was WRONG or solvers
disagreed on a file without reference, 130 interrupted (partial results are still written).
"""

import json
import os
import re
import shutil
import statistics
import sys
import tempfile

from .harness import Fatal, args, machine, process, report, results
from .harness.args import DataMissing, data_dir

SOLVERS = ("smtsched", "z3", "yices")
# The job-shop families, where smtsched is meant to be at least as good as z3.
SCHEDULING_FAMILIES = ("QF_IDL/job_shop", "QF_RDL/scheduling")
TRIVIAL_SCRIPT = "(set-logic QF_IDL)(declare-fun x () Int)(assert (< x 3))(check-sat)\n"
ANSWERS = ("sat", "unsat", "unknown", "timeout")  # z3 prints "timeout" for -T


# --------------------------------------------------------------------------- solvers

def find_binary(explicit, name):
    """The solver binary (bench.harness.machine.find_binary); Fatal when it is nowhere."""
    found = machine.find_binary(name, explicit)
    if not found:
        raise Fatal("%s not found next to %s nor on $PATH; pass its path or leave it out of "
                    "--solvers" % (name, sys.executable))
    return found


def command_builders(args, solvers):
    """name -> function(file, timeout) -> argv. Each solver's own time limit is the same T."""
    builders = {}
    if "smtsched" in solvers:
        py = args.python
        builders["smtsched"] = lambda f, t: [py, "-m", "smtsched", "solve", "--timeout", str(t), f]
    if "z3" in solvers:
        z3 = find_binary(args.z3, "z3")
        builders["z3"] = lambda f, t: [z3, "-T:%d" % t, f]
    if "yices" in solvers:
        yices = find_binary(args.yices, "yices-smt2")
        builders["yices"] = lambda f, t: [yices, "--timeout=%d" % t, f]
    return builders


def run_process(argv, limit, cwd, memory_limit_mb=0):
    """Run one solver process under the hard limit (bench.harness.process.run) and read its
    first answer and its (error ...) lines."""
    done = process.run(argv, limit, cwd, memory_limit_mb=memory_limit_mb)
    out = done["stdout"]
    answer = None
    for line in out.splitlines():
        word = line.strip()
        if word in ANSWERS:
            answer = "unknown" if word == "timeout" else word
            break
    errors = [l.strip() for l in out.splitlines() if l.lstrip().startswith("(error")]
    return {"answer": answer, "wall": done["wall"], "cpu": done["cpu"], "rc": done["rc"],
            "killed": done["killed"], "errors": errors, "stdout": process.tail(out),
            "stderr": process.tail(done["stderr"])}


# --------------------------------------------------------------------------- files and status

STATUS_RE = re.compile(rb"\(\s*set-info\s+:status\s+([A-Za-z]+)\s*\)")


def list_files(root, only):
    """Relative paths (logic/family/file.smt2) of every .smt2 under root, filtered by --only."""
    found = []
    for here, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".smt2"):
                found.append(os.path.relpath(os.path.join(here, name), root).replace(os.sep, "/"))
    globs = args.patterns(only)
    return [f for f in found if args.wanted(f, globs)]


def declared_status(path):
    """The file's own :status (read from the file, not trusted from the index), or None."""
    with open(path, "rb") as stream:
        match = STATUS_RE.search(stream.read())
    return match.group(1).decode() if match else None


def family_of(rel):
    parts = rel.split("/")
    return "/".join(parts[:2]) if len(parts) >= 3 else parts[0]


def load_index(root):
    path = os.path.join(root, "index.json")
    try:
        with open(path) as stream:
            return json.load(stream), None
    except (OSError, ValueError) as problem:
        return {}, "smtlib/index.json unreadable (%s): no z3 reference for files without :status" % problem


def describe_files(root, rels, index):
    """Per file: family, declared status, and the reference status with where it comes from."""
    rows, notes = [], []
    for rel in rels:
        declared = declared_status(os.path.join(root, rel))
        entry = index.get(rel, {})
        if entry and entry.get("declared_status") != declared:
            notes.append("%s: :status in the file is %s, index.json says %s (the file wins)"
                         % (rel, declared, entry.get("declared_status")))
        if declared in ("sat", "unsat"):
            ref, ref_from = declared, "declared"
        elif entry.get("z3_status") in ("sat", "unsat"):
            ref, ref_from = entry["z3_status"], "z3 ref (index.json)"
        else:
            ref, ref_from = None, None  # maybe filled from this run's z3 later
        rows.append({"file": rel, "family": family_of(rel), "declared": declared,
                     "ref": ref, "ref_from": ref_from, "runs": {}})
    return rows, notes


# --------------------------------------------------------------------------- judging runs

def judge(rows, timeout):
    """Fill in each run's verdict: solved | WRONG | late | unknown | timeout | error | crash.

    Done after all runs (and again on re-rendering) because a file without any reference takes
    z3's answer from this run.
    """
    problems = []
    for row in rows:
        if row["ref"] is None and row["ref_from"] in (None, "z3 ref (this run)"):
            z3run = row["runs"].get("z3")
            if z3run and z3run["answer"] in ("sat", "unsat") and not z3run["killed"]:
                row["ref"], row["ref_from"] = z3run["answer"], "z3 ref (this run)"
        for solver, run in row["runs"].items():
            run["verdict"] = verdict(run, row["ref"], timeout)
            if run["verdict"] == "WRONG":
                problems.append("WRONG: %s answered %s on %s, reference %s (%s)"
                                % (solver, run["answer"], row["file"], row["ref"], row["ref_from"]))
        if row["ref"] is None:
            given = {r["answer"] for r in row["runs"].values() if r["answer"] in ("sat", "unsat")}
            if len(given) > 1:
                problems.append("DISAGREEMENT (no reference status): %s: %s" % (row["file"], ", ".join(
                    "%s=%s" % (s, r["answer"]) for s, r in sorted(row["runs"].items()))))
    return problems


def verdict(run, ref, timeout):
    answer = run["answer"]
    if answer in ("sat", "unsat"):
        if ref is not None and answer != ref:
            return "WRONG"
        return "solved" if run["wall"] <= timeout and not run["killed"] else "late"
    if run["killed"]:
        return "timeout"
    if answer == "unknown":
        # the solver gave up by itself: at its time limit it is a timeout, earlier it is not
        return "timeout" if run["wall"] >= 0.95 * timeout else "unknown"
    if run["errors"]:
        return "error"
    return "crash"


def par2(row, solver, timeout):
    run = row["runs"].get(solver)
    if run is None:
        return None
    return run["wall"] if run["verdict"] == "solved" else 2.0 * timeout


# --------------------------------------------------------------------------- start-up

def measure_startup(builders, python, runs, cwd):
    """Wall time of whole processes on a trivial sat script, solvers interleaved round by round
    so that background load hits them alike. The interpreter alone (`python -c pass`) is
    measured beside them: it is the floor under any start-up of smtsched."""
    trivial = os.path.join(cwd, "trivial.smt2")
    with open(trivial, "w") as stream:
        stream.write(TRIVIAL_SCRIPT)
    commands = {name: build(trivial, 10) for name, build in builders.items()}
    if "smtsched" in builders:
        commands["python -c pass (floor)"] = [python, "-c", "pass"]
    times = {name: [] for name in commands}
    wrong = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            run = run_process(argv, 30, cwd)
            times[name].append(run["wall"])
            if not name.startswith("python") and run["answer"] != "sat":
                wrong[name].append(run["answer"] or "no answer (rc %s)" % run["rc"])
    result = {}
    for name, ts in times.items():
        shown = [os.path.basename(w) if w == trivial else w for w in commands[name]]
        result[name] = {"command": " ".join(shown), "times": ts,
                        "median": statistics.median(ts), "min": min(ts), "max": max(ts),
                        "first": ts[0], "bad_answers": wrong[name]}
    return result


def render_startup(startup):
    lines = ["| solver | median (s) | min | max | first run | command |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    for name, s in startup.items():
        bad = " **answers other than sat: %s**" % ", ".join(s["bad_answers"]) if s["bad_answers"] else ""
        lines.append("| %s | %.3f | %.3f | %.3f | %.3f | `%s`%s |" % (
            name, s["median"], s["min"], s["max"], s["first"], s["command"], bad))
    return lines


# --------------------------------------------------------------------------- machine

def machine_info(builders, python, cwd):
    """The machine, and the smtsched and binaries this run measures."""
    return machine.describe(python if "smtsched" in builders else None, cwd,
                            {x: builders[x]("x", 1)[0] for x in ("z3", "yices") if x in builders})


def fmt_ratio(a, b):
    if a is None or b is None:
        return "-"
    if b == 0:
        return "-"
    return "%.2f" % (a / b)


def fmt_run(run):
    if run is None:
        return "-"
    v = run["verdict"]
    if v == "solved":
        text = "%.2f %s" % (run["wall"], run["answer"])
    elif v == "WRONG":
        text = "**WRONG %s** %.2f" % (run["answer"], run["wall"])
    elif v == "late":
        text = "late %s %.2f" % (run["answer"], run["wall"])
    elif v == "timeout":
        text = "TO" + (" (killed)" if run["killed"] else "")
    elif v == "unknown":
        text = "unknown %.2f" % run["wall"]
    else:
        text = "%s %.2f (rc %s)" % (v, run["wall"], run["rc"])
    if run["errors"] and v != "error":
        text += " +error"
    return text


def family_summary(rows, solvers, timeout):
    """Aggregates over one group of rows: counts, PAR-2 sums, and z3's solved set vs smtsched's."""
    s = {"files": len(rows),
         "declared": sum(r["ref_from"] == "declared" for r in rows),
         "z3ref": sum(r["ref_from"] in ("z3 ref (index.json)", "z3 ref (this run)") for r in rows),
         "solved": {}, "par2": {}, "wrong": 0, "missing": []}
    for solver in solvers:
        ran = [r for r in rows if solver in r["runs"]]
        s["solved"][solver] = sum(r["runs"][solver]["verdict"] == "solved" for r in ran)
        s["wrong"] += sum(r["runs"][solver]["verdict"] == "WRONG" for r in ran)
        s["par2"][solver] = sum(par2(r, solver, timeout) for r in ran) if len(ran) == len(rows) else None
    if "smtsched" in solvers and "z3" in solvers:
        s["missing"] = [r["file"] for r in rows
                        if r["runs"].get("z3", {}).get("verdict") == "solved"
                        and r["runs"].get("smtsched", {}).get("verdict") != "solved"]
    return s


def summary_cells(name, s, solvers):
    cells = [name, str(s["files"]), str(s["declared"]), str(s["z3ref"])]
    cells += [str(s["solved"][x]) for x in solvers]
    cells.append("**%d**" % s["wrong"] if s["wrong"] else "0")
    cells += ["-" if s["par2"][x] is None else "%.1f" % s["par2"][x] for x in solvers]
    for anchor in ("z3", "yices"):
        if "smtsched" in solvers and anchor in solvers:
            cells.append(fmt_ratio(s["par2"]["smtsched"], s["par2"][anchor]))
    if "smtsched" in solvers and "z3" in solvers:
        missing = s["missing"]
        cells.append("yes" if not missing else "no (%d: %s)" % (
            len(missing), ", ".join(os.path.basename(m)[:-5] for m in missing[:6])
            + (", ..." if len(missing) > 6 else "")))
    return cells


def render(meta, rows, solvers, problems, notes, startup):
    timeout = meta["timeout"]
    L = ["# smtsched on SMT-LIB difference-logic files", ""]
    L += report.wrong_banner(problems, "WRONG ANSWER(S) / DISAGREEMENT(S)")
    L += report.interrupted(meta, "those only")
    L += report.head("bench/smtlib.py", meta,
                     times="times are wall clock; other work may share the machine")
    L += ["- data: `%s` (%d files selected%s)" % (meta["data"], len(rows),
                                                   ", --only " + meta["only"] if meta["only"] else ""),
          "- time limit T = %d s per run, same for every solver (solver-side limit; the process "
          "group is killed at T + %g s); runs one at a time, each solver started in a scratch "
          "directory, never the checkout root" % (timeout, meta["grace"]),
          "- time = wall time of the whole solver process (start-up included); solved = a "
          "sat/unsat answer agreeing with the reference, within T; PAR-2 = sum over files of "
          "the time if solved, else 2T (unknown, timeout, error, late and wrong count as unsolved)",
          "- reference: the file's `:status` if sat/unsat (\"declared\"), else z3's answer from "
          "`smtlib/index.json` (z3 -T:60 when the data were collected), else z3's answer in this "
          "run; a z3-derived reference is labelled as such below", ""]
    L += report.machine_section(meta["machine"]) + report.notes(notes)

    L += ["## Per family", ""]
    head = ["family", "files", "declared status", "z3 ref only"]
    head += ["solved %s" % x for x in solvers] + ["wrong"] + ["PAR-2 %s (s)" % x for x in solvers]
    for anchor in ("z3", "yices"):
        if "smtsched" in solvers and anchor in solvers:
            head.append("PAR-2 smtsched/%s" % anchor)
    if "smtsched" in solvers and "z3" in solvers:
        head.append("smtsched solves all z3 solves?")
    L += ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    families = sorted({r["family"] for r in rows})
    summaries = {}
    for fam in families:
        summaries[fam] = family_summary([r for r in rows if r["family"] == fam], solvers, timeout)
        L.append("| " + " | ".join(summary_cells(fam, summaries[fam], solvers)) + " |")
    sched = [r for r in rows if r["family"] in SCHEDULING_FAMILIES]
    if sched:
        L.append("| " + " | ".join(summary_cells("**scheduling (%s)**" % " + ".join(
            f.split("/")[1] for f in SCHEDULING_FAMILIES), family_summary(sched, solvers, timeout),
            solvers)) + " |")
    L.append("| " + " | ".join(summary_cells("**all**", family_summary(rows, solvers, timeout),
                                              solvers)) + " |")
    L += ["", "\"declared status\": files whose `:status` is sat/unsat; \"z3 ref only\": files "
          "whose reference is z3's answer. PAR-2 is a sum in seconds (ratios < 1 favour smtsched).", ""]

    if "smtsched" in solvers:
        L += target_section(rows, solvers, summaries, timeout, startup)

    L += ["## Per file", "", "| file | reference | " + " | ".join(solvers) + " |",
          "| --- | --- |" + " --- |" * len(solvers)]
    for r in rows:
        ref = "%s, %s" % (r["ref"], r["ref_from"]) if r["ref"] else "none (declared: %s)" % r["declared"]
        L.append("| %s | %s | %s |" % (r["file"], ref, " | ".join(fmt_run(r["runs"].get(x)) for x in solvers)))
    L += ["", "Cells: wall seconds and answer; TO = no answer within T (\"killed\": still "
          "running at T + grace); late = answer after T; +error = the output had `(error ...)` "
          "lines.", ""]

    odd = [(r["file"], x, r["runs"][x]) for r in rows for x in solvers
           if x in r["runs"] and (r["runs"][x]["errors"] or r["runs"][x]["verdict"] in ("crash", "error"))]
    L += report.section("Errors and crashes", ["%s on %s (exit %s): `%s`" % (
        x, f, run["rc"], (run["errors"] + run["stderr"].strip().splitlines()[-1:] + ["no output"])[0][:300])
        for f, x, run in odd])

    if startup:
        L += ["## Start-up", "",
              "Wall time of the whole process on `%s` (%d runs each, interleaved; median, "
              "min, max, and the first run, which may include cold caches)." % (
                  TRIVIAL_SCRIPT.strip(), len(next(iter(startup.values()))["times"])), ""]
        L += render_startup(startup) + [""]
    return "\n".join(L) + "\n"


def target_section(rows, solvers, summaries, timeout, startup):
    """The issue's checks, spelled out: every file with a declared status solved; on the
    scheduling families smtsched solves what z3 solves at no worse PAR-2."""
    L = ["## Targets", ""]
    declared = [r for r in rows if r["ref_from"] == "declared" and "smtsched" in r["runs"]]
    unsolved = [r for r in declared if r["runs"]["smtsched"]["verdict"] != "solved"]
    L.append("- files with a sat/unsat `:status` solved by smtsched within T: %d / %d%s" % (
        len(declared) - len(unsolved), len(declared),
        "" if not unsolved else " (not solved: %s)" % ", ".join(
            "%s [%s]" % (r["file"], r["runs"]["smtsched"]["verdict"]) for r in unsolved)))
    if "z3" in solvers:
        for fam in SCHEDULING_FAMILIES:
            if fam not in summaries:
                continue
            s = summaries[fam]
            p, z = s["par2"]["smtsched"], s["par2"]["z3"]
            ok = not s["missing"] and p is not None and z is not None and p <= z
            L.append("- %s: smtsched solves every file z3 solves: %s; PAR-2 %s vs z3 %s (ratio %s) "
                     "-> target %s" % (fam, "yes" if not s["missing"] else "no (%s)" % ", ".join(s["missing"]),
                                       "-" if p is None else "%.1f" % p, "-" if z is None else "%.1f" % z,
                                       fmt_ratio(p, z), "met" if ok else "NOT met"))
    if startup and "smtsched" in startup:
        # start-up is paid on every file; this is its share of smtsched's PAR-2
        low, mid = startup["smtsched"]["min"], startup["smtsched"]["median"]
        total = sum(par2(r, "smtsched", timeout) for r in rows if "smtsched" in r["runs"])
        n = sum("smtsched" in r["runs"] for r in rows)
        L.append("- smtsched start-up share: %d files x %.3f-%.3f s start-up (min-median on the "
                 "trivial file) = %.1f-%.1f s of its total PAR-2 %.1f s" % (
                     n, low, mid, n * low, n * mid, total))
    return L + [""]


# --------------------------------------------------------------------------- main

def parse_args(argv):
    p = args.parser("python -m bench.smtlib", __doc__.split("\n\n")[0],
                    args.default_out("RESULTS-smtlib.md"), SOLVERS, timeout=60, timeout_type=int,
                    grace=5.0, resume=False, memory_limit_mb=0,
                    only_help="comma-separated globs on logic/family/file.smt2")
    p.add_argument("--z3", help="z3 binary (default: next to this interpreter, else $PATH)")
    p.add_argument("--yices", help="yices-smt2 binary (default: next to this interpreter, else $PATH)")
    p.add_argument("--startup-runs", type=int, default=10, help="runs per solver for start-up (10)")
    p.add_argument("--no-startup", action="store_true", help="skip the start-up measurement")
    p.add_argument("--startup-only", action="store_true",
                   help="only measure start-up; print the table (and write --json if given)")
    a = p.parse_args(argv)
    json_given = a.json is not None
    args.finish(p, a, SOLVERS)
    if a.startup_only and not json_given:
        a.json = None
    return a


def write_outputs(a, meta, rows, problems, notes, startup):
    if a.json:
        results.write(a.json, "smtlib", meta, rows, notes, startup=startup)
    results.write_text(a.out, render(meta, rows, meta["solvers"], problems, notes, startup))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    return args.guarded("bench.smtlib", run, parse_args(argv), argv)


def run(a, argv):
    if a.rewrite_report:
        saved = results.load(a.rewrite_report)
        a.json = None
        problems = judge(saved["rows"], saved["meta"]["timeout"])
        write_outputs(a, saved["meta"], saved["rows"], problems, saved["notes"], saved["startup"])
        print("wrote %s" % a.out)
        return 3 if problems else 0

    scratch = tempfile.mkdtemp(prefix="bench-smtlib-")
    try:
        builders = command_builders(a, a.solvers)
        if a.startup_only:
            if "smtsched" in builders:
                machine.smtsched_info(a.python, scratch)  # fail clearly if smtsched is not importable
            startup = measure_startup(builders, a.python, a.startup_runs, scratch)
            print("\n".join(render_startup(startup)))
            if a.json:
                with open(a.json, "w") as stream:
                    json.dump(startup, stream, indent=1)
            bad = any(s["bad_answers"] for s in startup.values())
            return 3 if bad else 0
        return benchmark(a, argv, builders, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def benchmark(a, argv, builders, scratch):
    root = os.path.join(data_dir(a.data), "smtlib")
    if not os.path.isdir(root):
        raise DataMissing("%s does not exist: the SMT-LIB files are missing from the data "
                          "directory (see shared/data/README.md, section smtlib)" % root)
    rels = list_files(root, a.only)
    if not rels:
        raise Fatal("no .smt2 file under %s matches --only %r" % (root, a.only))
    index, index_note = load_index(root)
    rows, notes = describe_files(root, rels, index)
    if index_note:
        notes.append(index_note)

    meta = {**results.run_meta("bench.smtlib", argv), "data": root,
            "only": a.only, "timeout": a.timeout, "grace": a.grace, "solvers": a.solvers,
            "memory_limit_mb": a.memory_limit_mb,
            "machine": machine_info(builders, a.python, scratch),
            "runs_planned": len(rows) * len(builders), "runs_done": 0}
    progress = results.Progress(a.json, "smtlib", meta, rows, notes, startup=None)
    with progress:
        if not a.no_startup:
            print("start-up: %d runs per solver ..." % a.startup_runs, file=sys.stderr)
            progress.extra["startup"] = measure_startup(builders, a.python, a.startup_runs, scratch)
        # file by file, all solvers on the same file back to back: load drift hits them alike
        for row in rows:
            for solver in a.solvers:
                argv_run = builders[solver](os.path.join(root, row["file"]), a.timeout)
                run = run_process(argv_run, a.timeout + a.grace, scratch, a.memory_limit_mb)
                row["runs"][solver] = run
                run["verdict"] = verdict(run, row["ref"], a.timeout)
                progress.ran("%-8s %-70s %-7s %6.2fs%s" % (
                    solver, row["file"], run["verdict"], run["wall"],
                    " <<< WRONG" if run["verdict"] == "WRONG" else ""))
    startup = progress.extra["startup"]
    if progress.interrupted:
        # a file interrupted halfway has runs for some solvers only: drop them from the tables
        rows = [r for r in rows if len(r["runs"]) == len(a.solvers)]

    problems = judge(rows, a.timeout)
    results.close(a, "smtlib", lambda m, r, n: render(m, r, a.solvers, problems, n, startup),
                  meta, rows, notes, startup=startup)
    for p in problems:
        print("!!! " + p, file=sys.stderr)
    return args.exit_code(progress.interrupted, problems)


if __name__ == "__main__":
    sys.exit(main())
