"""Benchmark driver: job-shop decision problems (family a) and random difference logic
(family b) on smtsched, z3 and yices; writes bench/results/RESULTS.md (+ results.json).

    /work/venv/bin/python -m bench.run                       # everything, 60 s limit
    /work/venv/bin/python -m bench.run --only ft06,la01 --solvers z3,yices --timeout 10
    /work/venv/bin/python -m bench.run --profile ft10@930 --families none   # profile only

Every (solver, instance, bound) runs in a fresh ``python -m bench.worker`` process in its own
process group; the parent kills the group when the wall-clock limit (+ a grace period for
interpreter start-up and formula building) is exceeded. Runs are sequential (2-core machine).
"""

import os
import shutil
import statistics
import sys
import tempfile
import time

from bench import jobshop, random_dl
from bench.formula import SOLVERS, check_model, yices_binary
from bench.harness import CHECKOUT, RESULTS, Fatal, args, machine, process, report, results
from bench.harness.args import DataMissing, data_dir
from bench.instances import build, family_of
from bench.stacks import summarize_collapsed
from bench.worker import MARK


# --------------------------------------------------------------------------- running one job

def run_worker(solver, instance, bound, timeout, ddir, grace, extra=(), memory_limit_mb=0):
    """One (solver, instance, bound) in a fresh `python -m bench.worker` process
    (bench.harness.process.run), killed with its group at the limit + grace."""
    cmd = [sys.executable, "-m", "bench.worker", solver, instance, "--timeout", str(timeout),
           "--data", ddir]
    if bound is not None:
        cmd += ["--bound", str(bound)]
    cmd += list(extra)
    env = dict(os.environ)
    env["PYTHONPATH"] = CHECKOUT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    done = process.run(cmd, timeout + grace, CHECKOUT, env, memory_limit_mb, mark=MARK)
    res = done["result"]
    if res is None:
        killed = done["killed"]
        res = {"answer": "timeout" if killed else "crash"}
        for line in done["stderr"].splitlines():
            if line.startswith("smtsched fingerprint "):
                res["smtsched_fingerprint"] = line.split()[-1]
        if not killed:
            res["error"] = "worker exited with %s and no result; stderr tail: %s" % (
                done["rc"], done["stderr"][-1500:])
    res["killed"] = done["killed"]
    res["worker_wall"] = done["wall"]
    res["returncode"] = done["rc"]
    res["solver"], res["instance"], res["bound"] = solver, instance, bound
    return res


def status_of(res, timeout):
    """'sat' | 'unsat' | 'timeout' | 'unknown' | 'error' for one run."""
    a = res.get("answer")
    if res.get("killed"):
        return "timeout"
    if a in ("sat", "unsat"):
        if res.get("solve_time", 0.0) > timeout:
            return "timeout"  # answered, but after the limit: counted as a timeout
        return a
    if a == "unknown":
        reason = str(res.get("reason_unknown", ""))
        if "timeout" in reason or "canceled" in reason or res.get("solve_time", 0.0) >= 0.95 * timeout:
            return "timeout"
        return "unknown"
    if a == "timeout":
        return "timeout"
    return "error"


# --------------------------------------------------------------------------- verification

def verify_row(row, ddir, timeout):
    """Fill row['status'][solver], row['wrong'][solver] (reason or None) and row['expected']."""
    name, bound = row["instance"], row["bound"]
    formula, inst = build(name, bound, ddir)
    row["size"] = formula.size()
    row["status"], row["wrong"], row["model_ok"] = {}, {}, {}
    for s, res in row["results"].items():
        st = status_of(res, timeout)
        row["status"][s] = st
        row["wrong"][s] = None
        # a late answer is still checked for correctness
        ans = res.get("answer")
        if ans == "sat" and "model" in res:
            problems = check_model(formula, res["model"])
            if inst is not None:
                problems += jobshop.check_schedule(inst, bound, res["model"])
            row["model_ok"][s] = not problems
            if problems:
                row["wrong"][s] = "sat with an invalid model: " + "; ".join(problems[:3])
    if inst is not None:
        row["trivial_lb"] = jobshop.trivial_lower_bound(inst)
        opt = row["optimum"]
        row["expected"] = "sat" if bound >= opt else "unsat"
        row["expected_how"] = "optimum %d from index.json" % opt
        for s, res in row["results"].items():
            ans = res.get("answer")
            if ans in ("sat", "unsat") and ans != row["expected"] and not row["wrong"][s]:
                row["wrong"][s] = "answered %s, expected %s (optimum %d)" % (ans, row["expected"], opt)
    else:
        # answers not already disproved (a sat with an invalid model is out of the vote)
        answers = {s: r.get("answer") for s, r in row["results"].items()
                   if r.get("answer") in ("sat", "unsat") and not row["wrong"][s]}
        proven_sat = [s for s in answers if answers[s] == "sat" and row["model_ok"].get(s)]
        if proven_sat:
            row["expected"] = "sat"
            row["expected_how"] = "model of %s checked" % proven_sat[0]
        elif answers and all(a == "unsat" for a in answers.values()):
            row["expected"] = "unsat"
            row["expected_how"] = "agreement of %s" % ",".join(sorted(answers))
        elif answers:
            row["expected"] = "?"
            row["expected_how"] = "disagreement"
        else:
            row["expected"] = "?"
            row["expected_how"] = "no solver answered"
        for s, a in answers.items():
            if row["wrong"][s]:
                continue
            if row["expected"] in ("sat", "unsat") and a != row["expected"]:
                row["wrong"][s] = "answered %s, but %s (%s)" % (a, row["expected"], row["expected_how"])
            elif row["expected"] == "?" and len(set(answers.values())) > 1:
                row["wrong"][s] = "solvers disagree: %s" % answers
    return row


# --------------------------------------------------------------------------- timing / ratios

# What each comparison times (see write_report, "How times are measured"): smtsched and yices
# both as whole processes on the same SMT-LIB file; smtsched and z3 on the check alone (z3
# runs through its Python API, smtsched's own time for its check).
PAIR_KEY = {"z3": "check_time", "yices": "process_time"}
HARNESS = "process-timing-1"  # meta["harness"] of reports made this way

def time_for_ratio(res, status, timeout, key="solve_time"):
    """(seconds, censored) for ratios: solve time (wall, or cpu with key="solve_cpu"), or the
    limit for a timed-out run."""
    if status == "timeout":
        return timeout, True
    if status in ("sat", "unsat"):
        if key == "check_time" and key not in res and "import_time" in res:
            key = "solve_time"  # an API run (smtsched, z3) of an older results.json: check()
        if key not in res:
            return None, False
        # the solvers print their check times to the millisecond: below that, 1 ms
        return max(res[key], 1e-3 if key == "check_time" else 1e-6), False
    return None, False


def ratio(row, a, b, timeout, key="solve_time"):
    if a not in row["results"] or b not in row["results"]:
        return None
    if row["wrong"].get(a) or row["wrong"].get(b):
        return None  # the time of a wrong answer means nothing
    ta, ca = time_for_ratio(row["results"][a], row["status"][a], timeout, key)
    tb, cb = time_for_ratio(row["results"][b], row["status"][b], timeout, key)
    if ta is None or tb is None:
        return None
    return {"value": ta / tb, "censored": ca or cb, "a_to": ca, "b_to": cb}


def fmt_ratio(r):
    if r is None:
        return "n/a"
    v = r["value"]
    s = "%.3g" % v if v < 100 else "%.0f" % v
    if r["a_to"] and r["b_to"]:
        return "%s (both TO)" % s
    if r["a_to"]:
        return ">= %s (TO)" % s
    if r["b_to"]:
        return "<= %s (TO)" % s
    return s


def _ratio_of(row):
    """The clause/variable ratio of a random instance (RATIO unless its name says)."""
    m = random_dl.NAME_RE.match(row["instance"])
    if not m:
        return None
    return float(m.group(3)) if m.group(3) else random_dl.RATIO


def _rowname(r):
    return r["instance"] + ("" if r["bound"] is None else "@%d" % r["bound"])


def fmt_time(res, status, timeout):
    """'wall (cpu)' seconds (whole process for smtsched and yices, check() for z3), then
    'check X' (the process solvers' own time for the check), or TO."""
    if status == "timeout":
        return "TO (%gs%s)" % (timeout, ", killed" if res.get("killed") else "")
    if status in ("sat", "unsat", "unknown"):
        t = "%.3f" % res.get("solve_time", float("nan"))
        if "solve_cpu" in res:
            t += " (%.3f)" % res["solve_cpu"]
        if "process_time" in res and res.get("check_time") is not None:
            t += "; check %.3f" % res["check_time"]
        return t
    return "-"


def fmt_answer(row, s):
    st = row["status"].get(s)
    if st is None:
        return "-"
    res = row["results"][s]
    if row["wrong"].get(s):
        return "**WRONG: %s**" % res.get("answer")
    if st == "timeout":
        return "timeout"
    if st == "error":
        return "error" if res.get("answer") == "error" else res.get("answer", "error")
    if st == "sat" and s in row["model_ok"]:
        return "sat (model ok)"
    return st


def median_summary(rows, a, b, timeout, key="solve_time"):
    """(median ratio or 'n/a', runs in it, of which with one timeout, runs left out because
    both timed out: their ratio is exactly 1 whatever the solvers, so it would only pull the
    median toward 1)."""
    rs = [ratio(r, a, b, timeout, key) for r in rows]
    rs = [r for r in rs if r is not None]
    both = [r for r in rs if r["a_to"] and r["b_to"]]
    rs = [r for r in rs if not (r["a_to"] and r["b_to"])]
    if not rs:
        return "n/a", 0, 0, len(both)
    vals = [r["value"] for r in rs]
    return ("%.3g" % statistics.median(vals), len(vals), sum(1 for r in rs if r["censored"]),
            len(both))


# --------------------------------------------------------------------------- machine info

def machine_info(solvers):
    """The machine, yices-smt2's version, and (when it runs) the smtsched of this interpreter;
    `solvers` loses smtsched when this interpreter cannot import it: (info, why or None)."""
    yices = yices_binary()
    binaries = {"yices-smt2": yices} if yices else None
    if "smtsched" in solvers:
        try:
            return machine.describe(sys.executable, tempfile.gettempdir(), binaries), None
        except Fatal as problem:
            solvers.remove("smtsched")
            return machine.describe(None, None, binaries), str(problem)
    return machine.describe(None, None, binaries), None


# --------------------------------------------------------------------------- profiling

def run_profile(spec, ddir, timeout, grace):
    """cProfile (in the worker) + py-spy (if it can attach) of smtsched on one instance."""
    name, _, b = spec.partition("@")
    bound = None
    if family_of(name) == "jobshop":
        bound = int(b) if b else jobshop.optimum(ddir, name)
    lines = []
    res = run_worker("smtsched", name, bound, timeout, ddir, grace, extra=["--cprofile", "25"])
    st = status_of(res, timeout)
    head = "smtsched on %s%s: %s, solve %.3f s, build %.3f s" % (
        name, "" if bound is None else " (B=%d)" % bound, st, res.get("solve_time", float("nan")),
        res.get("build_time", float("nan")))
    lines.append(head)
    if res.get("cprofile"):
        prof = res["cprofile"].strip().splitlines()
        # drop the preamble noise, keep the header + table
        start = next((i for i, l in enumerate(prof) if "ncalls" in l), 0)
        lines.append("")
        lines.append("cProfile, top 25 by tottime (build + check, under cProfile so slower than "
                     "the unprofiled run). cProfile cannot see inside compiled code: time spent in "
                     "the Cython theory is charged to its Python caller (engine.py propagate), "
                     "CaDiCaL's own time to cadical195_solve; py-spy below separates them.")
        lines.append("")
        lines += ["    " + l for l in [p for p in prof[:start] if "function calls" in p] + prof[start:]]
    elif res.get("error"):
        lines.append("cProfile run failed: %s" % res["error"])
    lines.append("")
    lines += _pyspy(name, bound, timeout, ddir)
    return "\n".join(lines), res


def _pyspy(name, bound, timeout, ddir):
    exe = os.path.join(os.path.dirname(sys.executable), "py-spy")
    if not os.path.exists(exe):
        exe = shutil.which("py-spy")
    if not exe:
        return ["py-spy: not installed, skipped."]
    raw = os.path.join(RESULTS, "profile-%s%s.txt" % (name, "" if bound is None else "-%d" % bound))
    cmd = [exe, "record", "--native", "--rate", "250", "--format", "raw", "--output", raw,
           "--", sys.executable, "-m", "bench.worker", "smtsched", name, "--timeout", str(timeout),
           "--data", ddir, "--api"] + ([] if bound is None else ["--bound", str(bound)])
    os.makedirs(RESULTS, exist_ok=True)
    done = process.run(cmd, timeout + 120, CHECKOUT, dict(os.environ, PYTHONPATH=CHECKOUT))
    if done["killed"]:
        return ["py-spy: timed out."]
    if done["rc"] != 0 or not os.path.exists(raw):
        return ["py-spy: failed (rc %s): %s" % (done["rc"], done["stderr"].strip()[-600:])]
    return summarize_collapsed(raw)


# --------------------------------------------------------------------------- report

def write_report(path, meta, rows, solvers, timeout, profile_text, notes):
    L = []
    L.append("# smtsched benchmark results")
    L.append("")
    if meta.get("harness") == HARNESS:
        L.append("> Harness %s (issue 14): smtsched and yices are both timed as whole processes "
                 "on the same SMT-LIB file, with each one's own check time beside them; medians "
                 "leave out the runs where both timed out. Reports made before this change "
                 "timed smtsched on its API `check()` alone and are not comparable." % HARNESS)
    else:
        L.append("> Made by the harness before %s: smtsched timed on its API `check()` alone, "
                 "yices as a whole process; the ratios smtsched/yices are not like for like, "
                 "and the check-only columns are empty." % HARNESS)
    L.append("")
    L += report.head("bench/run.py", meta, times="other work may share this machine; times "
                     "are wall clock")
    for u in meta.get("updates", []):
        L.append("- later re-run of %d runs (solvers: %s) by `%s`, %s to %s (load %s / %s); those "
                 "runs replaced the original ones" % (u["runs"], ",".join(u["solvers"]), u["command"],
                                                     u["started"], u.get("finished", "running"),
                                                     u.get("load_start", "?"), u.get("load_end", "?")))
    L.append("- per-run time limit: %g s (solver-internal timeout; the worker process is killed "
             "at limit + %g s grace)" % (timeout, meta["grace"]))
    L.append("- data: `%s`" % meta["data"])
    L.append("")
    L += report.notes(notes)
    fps = sorted({r["results"].get("smtsched", {}).get("smtsched_fingerprint") for r in rows} - {None})
    L += report.machine_section(meta["machine"], ["smtsched code fingerprint(s) seen: %s"
                                                  % ", ".join(fps)] if fps else [])
    L.append("## How times are measured")
    L.append("")
    L.append("- Each (solver, instance) runs in a fresh `python -m bench.worker` process, one at a "
             "time.")
    L.append("- **smtsched** and **yices** are timed the same way: each as a whole process on the "
             "same SMT-LIB file (`python -m smtsched solve --timeout T f.smt2`, `yices-smt2 "
             "--timeout=T f.smt2`, written once per run by bench/formula.py, with "
             "`(get-info :all-statistics)` just before and after `(check-sat)` and a "
             "`(get-value ...)` for the model), run from a scratch directory and killed at T + 5 "
             "s: wall time of the process (start-up, parsing, solving, printing). Beside it, "
             "each one's own time for the check (`check X`): smtsched's `:time` (wall time of "
             "its `check()`, which compiles the assertions to SAT + theory and self-checks a "
             "sat model), yices's `:total-run-time` after the check minus before it (yices "
             "reports only its process CPU run time, in milliseconds).")
    L.append("- **z3**: wall time of the `check()` call of its Python API only (building and "
             "import excluded). smtsched/z3 ratios compare check times (smtsched's own "
             "`:time`); smtsched/yices ratios compare the whole processes, with the check-only "
             "ratio beside them.")
    L.append("- Time cells read `wall (cpu)` in seconds (the process for smtsched and yices, the "
             "child's rusage; `check()` and `time.process_time()` for z3), then `check X` for "
             "the process solvers. CPU time is less sensitive to other load on the machine.")
    L.append("- Harness change (issue 14): before this version smtsched was timed on its API "
             "`check()` only while yices was timed as a whole process; reports made before "
             "(without the `check X` times) are not comparable with this one.")
    L.append("- A run that hits the limit is `timeout` and counts as the limit in ratios; such "
             "ratios are bounds and are marked `>=` / `<=` / `(both TO)`. `TO (60s, killed)` "
             "means the solver did not return by itself within the grace period after its own "
             "timeout, and the parent killed the worker.")
    L.append("- ratio = smtsched time / other time (< 1 means smtsched is faster).")
    L.append("- Every sat answer comes with a model, re-checked in the parent against the formula "
             "and (job shop) by an independent schedule checker (precedences, machine overlaps, "
             "makespan <= B). `sat (model ok)` means that check passed.")
    L.append("")
    wrong = [(r, s) for r in rows for s in solvers if r["wrong"].get(s)]
    L.append("## Correctness")
    L.append("")
    if wrong:
        L.append("**WRONG ANSWERS: %d**" % len(wrong))
        L.append("")
        for r, s in wrong:
            L.append("- **WRONG**: %s on %s%s: %s" % (s, r["instance"],
                     "" if r["bound"] is None else " B=%d" % r["bound"], r["wrong"][s]))
    else:
        L.append("No wrong answers: every sat/unsat answer matches the expected one, and every sat "
                 "model checked.")
    errors = [(r, s) for r in rows for s in solvers if r["status"].get(s) in ("error", "unknown")]
    if errors:
        L.append("")
        L.append("Runs that ended in an error or a non-timeout unknown:")
        L.append("")
        for r, s in errors:
            res = r["results"][s]
            L.append("- %s on %s%s: %s %s" % (s, r["instance"], "" if r["bound"] is None else " B=%d" % r["bound"],
                     res.get("answer"), (res.get("error") or res.get("reason_unknown") or "")[:300]))
    killed = [(r, s) for r in rows for s in solvers
              if r["results"].get(s, {}).get("killed")]
    if killed:
        L.append("")
        L.append("Runs killed by the parent because the solver overran its own timeout "
                 "(limit + %g s grace): %s." % (meta["grace"], ", ".join(
                     "%s on %s%s" % (s, r["instance"], "" if r["bound"] is None else "@%d" % r["bound"])
                     for r, s in killed)))
    big = [(r, s, r["results"][s]["maxrss_mb"]) for r in rows for s in solvers
           if r["results"].get(s, {}).get("maxrss_mb", 0) > 500]
    if big:
        L.append("")
        L.append("Runs whose worker process peaked above 500 MB resident: %s." % ", ".join(
            "%s on %s (%.0f MB)" % (s, _rowname(r), mb) for r, s, mb in big))
    fps = {}
    for r in rows:
        fp = r["results"].get("smtsched", {}).get("smtsched_fingerprint")
        if fp:
            fps.setdefault(fp, []).append(r)
    if len(fps) > 1:
        L.append("")
        L.append("**The smtsched code changed during this run** (fingerprint of the package + "
                 "compiled theory, recorded by each worker): " + "; ".join(
                     "`%s` for %d runs (%s ... %s)" % (fp, len(rs), _rowname(rs[0]), _rowname(rs[-1]))
                     for fp, rs in fps.items()) + ". Rows measured on different code are not "
                 "strictly comparable.")
    elif fps:
        L.append("")
        L.append("smtsched code fingerprint (package + compiled theory): `%s`, the same in every "
                 "run." % next(iter(fps)))
    L.append("")

    fams = [("jobshop", "Family (a): job shop, makespan <= B"),
            ("random", "Family (b): random difference logic")]
    for fam, title in fams:
        frows = [r for r in rows if r["family"] == fam]
        if not frows:
            continue
        L.append("## " + title)
        L.append("")
        hdr = ["instance"]
        if fam == "jobshop":
            hdr += ["B"]
        else:
            hdr += ["vars/clauses"]
        hdr += ["expected"] + ["%s" % s for s in solvers] + ["t %s (s)" % s for s in solvers]
        if "smtsched" in solvers:
            for o in ("z3", "yices"):
                if o in solvers:
                    hdr += ["smtsched/%s %s" % (o, "check" if o == "z3" else "process")]
            if "yices" in solvers:
                hdr += ["smtsched/yices check"]
        L.append("| " + " | ".join(hdr) + " |")
        L.append("|" + "---|" * len(hdr))
        for r in frows:
            cells = [r["instance"]]
            if fam == "jobshop":
                lb = r.get("trivial_lb")
                cells.append(str(r["bound"]) + (" ‡" if lb is not None and r["bound"] < lb else ""))
            else:
                cells.append("%d/%d" % (r["size"]["vars"], r["size"]["clauses"]))
            cells.append(r["expected"] if fam == "jobshop" else "%s" % r["expected"])
            cells += [fmt_answer(r, s) for s in solvers]
            cells += [fmt_time(r["results"].get(s, {}), r["status"].get(s), timeout)
                      if s in r["results"] else "-" for s in solvers]
            if "smtsched" in solvers:
                for o in ("z3", "yices"):
                    if o in solvers:
                        cells.append(fmt_ratio(ratio(r, "smtsched", o, timeout, PAIR_KEY[o])))
                if "yices" in solvers:
                    cells.append(fmt_ratio(ratio(r, "smtsched", "yices", timeout, "check_time")))
            L.append("| " + " | ".join(cells) + " |")
        L.append("")
        if fam == "jobshop" and any(r["bound"] < r.get("trivial_lb", -1) for r in frows):
            L.append("‡ B is below max(largest machine load, longest job), so unsat follows from "
                     "a counting argument that difference-logic solvers cannot make directly: "
                     "they must refute every ordering of the bottleneck machine (pigeonhole-like), "
                     "which is why these runs tend to time out for all solvers.")
            L.append("")
        if fam == "random":
            L.append("`expected` for family (b): `sat` when a returned model was checked, `unsat` "
                     "when every answering solver said unsat (no independent proof).")
            L.append("")

    # summaries
    L.append("## Summary")
    L.append("")
    groups = [("family (a), all runs", [r for r in rows if r["family"] == "jobshop"]),
              ("family (a), 10x10 instances (%s)" % ", ".join(jobshop.TEN_BY_TEN),
               [r for r in rows if r["family"] == "jobshop" and r["instance"] in jobshop.TEN_BY_TEN]),
              ("family (b), all runs", [r for r in rows if r["family"] == "random"])]
    sizes = sorted({r["size"]["vars"] for r in rows if r["family"] == "random"})
    if any(n not in random_dl.SIZES for n in sizes) and any(n in random_dl.SIZES for n in sizes):
        groups.append(("family (b), default sizes only (n in %s)" % ", ".join(map(str, random_dl.SIZES)),
                       [r for r in rows if r["family"] == "random" and r["size"]["vars"] in random_dl.SIZES]))
    if len(sizes) > 1:
        groups += [("family (b), n = %d" % n, [r for r in rows if r["family"] == "random"
                                              and r["size"]["vars"] == n]) for n in sizes]
    # the large sizes draw seeds on both sides of the transition (bench/random_dl.py): each
    # side on its own line too, as their difficulties differ
    for n in sizes:
        ratios = sorted({_ratio_of(r) for r in rows if r["family"] == "random"
                         and r["size"]["vars"] == n} - {None})
        if len(ratios) > 1:
            groups += [("family (b), n = %d, ratio %g" % (n, q),
                        [r for r in rows if r["family"] == "random" and r["size"]["vars"] == n
                         and _ratio_of(r) == q]) for q in ratios]
    others = [o for o in ("z3", "yices") if o in solvers]
    if "smtsched" in solvers and others:
        L.append("Median of per-run time ratios smtsched / other (runs where one solver timed out "
                 "count at the limit; runs where **both** timed out are left out, their number "
                 "given as `left out`; `n` = runs in the median, `TO` = how many of those "
                 "involve a timeout). smtsched/z3: check times (z3's `check()`, smtsched's own "
                 "time for its check); smtsched/yices: whole processes on the same SMT-LIB file, "
                 "then each one's own time for the check, then the processes' CPU time:")
        L.append("")
        cols = []
        if "z3" in others:
            cols.append(("smtsched/z3 check (n, TO, left out)", "z3", "check_time", True))
        if "yices" in others:
            cols += [("smtsched/yices whole process (n, TO, left out)", "yices", "process_time", True),
                     ("smtsched/yices check only (n, TO, left out)", "yices", "check_time", True),
                     ("smtsched/yices process cpu", "yices", "process_cpu", False)]
        L.append("| group | " + " | ".join(c[0] for c in cols) + " |")
        L.append("|---|" + "---|" * len(cols))
        for gname, grows in groups:
            if not grows:
                continue
            cells = []
            for _, o, key, full in cols:
                med, n, c, out = median_summary(grows, "smtsched", o, timeout, key)
                cells.append("**%s** (%d, %d, %d)" % (med, n, c, out) if full else med)
            L.append("| %s | %s |" % (gname, " | ".join(cells)))
        L.append("")
    L.append("Per solver: solved / timeouts / errors / WRONG, and total time over solved runs "
             "(whole processes for smtsched and yices, `check()` for z3):")
    L.append("")
    L.append("| group | " + " | ".join(solvers) + " |")
    L.append("|---|" + "---|" * len(solvers))
    for gname, grows in groups:
        if not grows:
            continue
        cells = []
        for s in solvers:
            sts = [r["status"].get(s) for r in grows if s in r["results"]]
            solved = sum(1 for x in sts if x in ("sat", "unsat"))
            to = sum(1 for x in sts if x == "timeout")
            err = sum(1 for x in sts if x in ("error", "unknown"))
            wr = sum(1 for r in grows if r["wrong"].get(s))
            tot = sum(r["results"][s].get("solve_time", 0.0) for r in grows
                      if r["status"].get(s) in ("sat", "unsat"))
            cells.append("%d / %d / %d / %d, %.1f s" % (solved, to, err, wr, tot) if sts else "not run")
        L.append("| %s | %s |" % (gname, " | ".join(cells)))
    L.append("")
    if profile_text:
        L.append("## Where the time goes")
        L.append("")
        L.append("```")
        L.append(profile_text)
        L.append("```")
        L.append("")
    results.write_text(path, "\n".join(L))


# --------------------------------------------------------------------------- main

def parse_args(argv):
    ap = args.parser("python -m bench.run", __doc__, args.default_out("RESULTS.md"), SOLVERS,
                     grace=None, python=False, resume=False, memory_limit_mb=0,
                     grace_help="seconds on top of --timeout before the worker is killed (10 + 25%%)",
                     only_help="comma-separated instance names or globs (ft06,la1*,rdl-n20-*)")
    ap.add_argument("--families", default="jobshop,random",
                    help="jobshop,random (default both); 'none' with --profile = profile only")
    ap.add_argument("--profile", default=None, metavar="INSTANCE[@B]",
                    help="profile smtsched on one instance (cProfile top 25 + py-spy)")
    ap.add_argument("--random-sizes", default=",".join(map(str, random_dl.SIZES)))
    ap.add_argument("--random-per-size", type=int, default=random_dl.PER_SIZE)
    ap.add_argument("--update", default=None, metavar="RESULTS_JSON",
                    help="re-run the selected solvers/instances (--solvers, --only, --families) "
                         "and replace those results in an earlier run's results.json (same time "
                         "limit), then re-render the report; e.g. to re-measure smtsched alone")
    ap.add_argument("--note", action="append", default=[],
                    help="add a free-text note to the report (repeatable)")
    a = ap.parse_args(argv)
    if a.json is None and a.out == args.default_out("RESULTS.md"):
        a.json = args.default_out("results.json")  # the name this suite always had
    return args.finish(ap, a, SOLVERS)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    a = parse_args(argv)
    try:
        ddir = data_dir(a.data)
    except DataMissing as e:
        print("bench: %s" % e, file=sys.stderr)
        return 2
    if not os.path.exists(os.path.join(ddir, "jssp", "index.json")):
        print("bench: %s has no jssp/index.json; wrong --data?" % ddir, file=sys.stderr)
        return 2
    grace = a.grace if a.grace is not None else 10.0 + 0.25 * a.timeout
    if a.rewrite_report:
        return rewrite_report(a, ddir, grace, argv)
    families = [f for f in a.families.split(",") if f and f != "none"]
    for f in families:
        if f not in ("jobshop", "random"):
            print("bench: unknown family %r" % f, file=sys.stderr)
            return 2
    solvers = a.solvers
    notes = list(a.note)
    info, why = machine_info(solvers)
    if why:
        msg = ("smtsched column pending: `import smtsched` fails in this venv (%s); its runs "
               "were skipped." % why)
        print("bench: " + msg, file=sys.stderr)
        notes.append(msg)

    only = args.patterns(a.only)

    def wanted(name):
        return args.wanted(name, only)

    jobs = []  # (family, instance, bound, optimum)
    if "jobshop" in families:
        index = jobshop.load_index(ddir)
        names = jobshop.DEFAULT_INSTANCES
        extra = [p for p in only if not any(ch in p for ch in "*?[") and p in index and p not in names]
        for name in names + extra:
            if not wanted(name):
                continue
            opt = index.get(name, {}).get("optimum")
            if opt is None:
                print("bench: %s has no known optimum, skipped" % name, file=sys.stderr)
                continue
            for b in (opt, opt - 1):
                jobs.append(("jobshop", name, b, opt))
    if "random" in families:
        sizes = [int(x) for x in a.random_sizes.split(",") if x]
        for name in random_dl.default_instances(sizes, a.random_per_size):
            if wanted(name):
                jobs.append(("random", name, None, None))
        for p in only:
            if random_dl.NAME_RE.match(p) and not any(j[1] == p for j in jobs):
                jobs.append(("random", p, None, None))

    meta = {
        **results.run_meta("bench.run", argv),
        "grace": grace,
        "memory_limit_mb": a.memory_limit_mb,
        "data": ddir,
        "machine": info,
        "timeout": a.timeout,
        "solvers": solvers,
        "harness": HARNESS,
    }

    profile_text = None
    if a.profile:
        if "smtsched" not in solvers:
            print("bench: --profile needs smtsched, which is unavailable", file=sys.stderr)
            if not jobs:
                return 1
        else:
            print("== profiling smtsched on %s" % a.profile, flush=True)
            profile_text, _ = run_profile(a.profile, ddir, a.timeout, grace)
            print(profile_text, flush=True)
    if not jobs:
        if not a.profile:
            print("bench: nothing to run (check --only / --families)", file=sys.stderr)
            return 1
        return 0

    rows = []
    by_key = {}
    if a.update:
        # re-run the selected (solver, instance) pairs and replace them in an earlier run's results
        old = results.load(a.update)
        if float(old["meta"]["timeout"]) != a.timeout:
            print("bench: --update uses the earlier run's limit %s s, not %s" % (
                old["meta"]["timeout"], a.timeout), file=sys.stderr)
            a.timeout = float(old["meta"]["timeout"])
        if old["meta"].get("harness") != HARNESS:
            print("bench: --update: %s was measured by an older harness (%s), whose times are "
                  "not comparable with this one's (%s); run it afresh" % (
                      a.update, old["meta"].get("harness", "before " + HARNESS), HARNESS),
                  file=sys.stderr)
            return 2
        rows = old["rows"]
        by_key = {(r["instance"], r["bound"]): r for r in rows}
        upd = {"command": meta["command"], "started": meta["started"], "solvers": solvers,
               "runs": len(jobs) * len(solvers), "load_start": meta["load_start"]}
        machine_now = meta["machine"]
        meta = old["meta"]
        meta["machine_at_update"] = machine_now
        meta.setdefault("updates", []).append(upd)
        solvers_all = [s for s in SOLVERS if s in set(meta["solvers"]) | set(solvers)]
        meta["solvers"] = solvers_all
        profile_text = profile_text or meta.get("profile_text")
        notes = list(meta.get("notes", [])) + notes
    n_wrong = 0
    t_start = time.time()
    for i, (fam, name, bound, opt) in enumerate(jobs, 1):
        row = by_key.get((name, bound))
        if row is None:
            row = {"family": fam, "instance": name, "bound": bound, "optimum": opt, "results": {}}
            rows.append(row)
        for s in solvers:
            res = run_worker(s, name, bound, a.timeout, ddir, grace)
            if a.update:
                res["updated"] = meta["updates"][-1]["started"]
            row["results"][s] = res
        verify_row(row, ddir, a.timeout)
        bits = []
        for s in solvers:
            res = row["results"][s]
            st = row["status"][s]
            w = " WRONG!" if row["wrong"][s] else ""
            bits.append("%s=%s%s %s" % (s, st, w, fmt_time(res, st, a.timeout)))
        print("[%d/%d %5.0fs] %-10s %-6s exp=%-5s %s" % (
            i, len(jobs), time.time() - t_start, name, "" if bound is None else bound,
            row["expected"], "  ".join(bits)), flush=True)
        for s in solvers:
            if row["wrong"][s]:
                n_wrong += 1
                print("!!! WRONG: %s on %s %s: %s" % (s, name, "" if bound is None else "B=%d" % bound,
                                                       row["wrong"][s]), flush=True)
            elif row["status"][s] in ("error", "unknown"):
                r_ = row["results"][s]
                print("    %s from %s: %s" % (row["status"][s], s,
                                              (r_.get("error") or r_.get("reason_unknown") or "")[:400]),
                      flush=True)
        # write as we go, so an interrupted run still leaves a report
        if a.update:
            meta["updates"][-1]["load_end"] = results.load_average()
            if i == len(jobs):
                meta["updates"][-1]["finished"] = results.now()
            _save(a, meta, rows, meta["solvers"], profile_text, notes, final=False, update=True)
        else:
            meta["load_end"] = results.load_average()
            _save(a, meta, rows, solvers, profile_text, notes, final=(i == len(jobs)))
    print("wrote %s and %s" % (a.out, a.json))
    if n_wrong:
        print("!!! %d WRONG answers, see %s" % (n_wrong, a.out), flush=True)
        return 3
    return 0


def rewrite_report(a, ddir, grace, argv):
    d = results.load(a.rewrite_report)
    meta, rows = d["meta"], d["rows"]
    timeout = meta["timeout"]
    for row in rows:  # re-verify with the current checker
        verify_row(row, ddir, timeout)
    profile_text = meta.get("profile_text")
    if a.profile:
        profile_text, _ = run_profile(a.profile, ddir, timeout, meta.get("grace", grace))
        meta["profile_text"] = profile_text
        meta["profile_command"] = results.command_line("bench.run", argv)
    notes = list(meta.get("notes", [])) + list(a.note)
    meta["notes"] = list(notes)
    notes.append("This report was re-rendered from %s by `%s` on %s%s." % (
        os.path.basename(a.rewrite_report), results.command_line("bench.run", argv), results.now(),
        " (the profile section comes from this later invocation)" if a.profile else ""))
    write_report(a.out, meta, rows, meta["solvers"], timeout, profile_text, notes)
    results.write(a.json, "run", meta, rows, meta["notes"])
    print("re-rendered %s" % a.out)
    return 3 if any(r["wrong"].get(s) for r in rows for s in meta["solvers"]) else 0


def _save(a, meta, rows, solvers, profile_text, notes, final, update=False):
    meta["profile_text"] = profile_text
    meta["notes"] = list(notes)
    if final:
        meta["finished"] = results.now()
    ns = list(notes)
    if not final and not update:
        ns.append("Run in progress: %d rows so far." % len(rows))
    if update and "finished" not in meta["updates"][-1]:
        ns.append("Update in progress (%s)." % meta["updates"][-1]["command"])
    write_report(a.out, meta, rows, solvers, a.timeout, profile_text, ns)
    results.write(a.json, "run", meta, rows, meta["notes"])


if __name__ == "__main__":
    sys.exit(main())
