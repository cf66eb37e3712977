"""Certificate benchmark (issue 15): what proof logging costs smtsched, how long checking takes,
how big certificates are, and Pumpkin's proof logging beside it.

    python -m bench.certify                                      # every suite, 60 s per run
    python -m bench.certify --suite la,smtlib --limit 3 --timeout 10 --out /tmp/c.md
    python -m bench.certify --suite j30,pumpkin --only 'j301_*'  # smtsched and Pumpkin on j301_*
    python -m bench.certify --rewrite-report bench/results/RESULTS-certify.json

Suites (instances from --data, as shared/data/README.md describes them):

- jobshop-decisions: ft10, abz5, la01-la20 at the optimum minus one (the optimum from
  jssp/index.json), an unsat decision. --decisions smtlib (the default): each is written as
  SMT-LIB by smtsched's own printer, `read_model(F).to_smtlib(bound=optimum - 1)` (the
  pairwise difference-logic encoding plus `makespan <= optimum - 1`, as bench.run's decision
  problems), and solved by the SMT-LIB front end, `smtsched solve F.smt2 [--proof DIR]`;
  expected unsat. --decisions model: `read_model(F)` with `set_horizon(optimum - 1)`,
  `Model.solve(proof=DIR)` (the certificate's input is the model, DIR/model.json); expected
  INFEASIBLE.
- j30: the 480 PSPLIB j30 instances (rcpsp/j30), `read_model(F)` + `Model.solve(proof=DIR,
  proof_input=F)`; expected OPTIMAL with the optimum of rcpsp/j30/index.json.
- la: la01-la40 (jssp), the same way; expected OPTIMAL with the optimum of jssp/index.json.
- smtlib: the unsat files of smtlib/ (the file's `:status`, else z3's answer in index.json),
  `smtsched solve F --proof DIR`; expected unsat.
- pumpkin: Pumpkin (PyPI pumpkin-solver) on the j30 instances, without and with its proof log
  (`Model(proof=FILE)`, DRCP), for its overhead; bench/certify_worker.py says exactly what
  model it is given.

Per instance, each a fresh process (bench/certify_worker.py, run by --python from a scratch
directory, killed with its process group at T + grace): a solve without proof, a solve with
proof (back to back; --repeat times each, alternating, for instances solved in under
--repeat-below seconds; the minimum time of each counts), then
`smtsched.certify.check(DIR)` on the certificate of the last proof run (limit --check-timeout).
Times are measured inside the child around the call (bench.harness.child.Clock): the SMT-LIB
front end's `solve` command (parsing included), `Model.solve` (reading excluded), Pumpkin's
build + optimise, the checker's `check`. Imports are done before the clock starts.

Verdicts: a solve is `solved` when it gave the expected answer within T; WRONG (exit code 3)
when it contradicts the reference (sat on an unsat file, OPTIMAL with another value than the
known optimum, INFEASIBLE, a schedule that breaks the instance: checked here with bench.sched's
own checker). A certificate the checker rejects also gives exit code 3: a rejected honest
certificate is a bug of the emitter or of the checker.

Exit codes: 0 done, 2 data/solver missing or bad usage, 3 WRONG or rejected, 130 interrupted.
"""

import json
import math
import os
import re
import shutil
import statistics
import sys
import tempfile

from . import sched as sched_suite
from . import smtlib as smtlib_suite
from .harness import CHECKOUT, Fatal, args, machine, process, report, results
from .harness.args import DataMissing, data_dir

SUITES = ("jobshop-decisions", "j30", "la", "smtlib", "pumpkin")
TITLE = {"jobshop-decisions": "job-shop decisions at optimum - 1 (ft10, abz5, la01-la20)",
         "j30": "PSPLIB j30 OPTIMAL", "la": "la01-la40 OPTIMAL",
         "smtlib": "SMT-LIB unsat files", "pumpkin": "Pumpkin on PSPLIB j30"}
DECISIONS = ["ft10", "abz5"] + ["la%02d" % k for k in range(1, 21)]
WORKER = os.path.join(CHECKOUT, "bench", "certify_worker.py")
MARK = "CERTIFY-RESULT "
TARGET_OVERHEAD, TARGET_CHECK = 1.25, 3.0
FLOOR = 1e-3   # times below 1 ms count as 1 ms in ratios (timer and start-up noise)


# --------------------------------------------------------------------------- instances

def instances(ddir, suites, only, limit):
    """[{suite, name, path, expected, optimum, format}] in suite order; --only filters names,
    --limit keeps the first N of each suite."""
    globs = args.patterns(only)
    found = []
    for suite in suites:
        items = list(_suite_instances(ddir, suite))
        items = [i for i in items if args.wanted(i["name"], globs)]
        if limit:
            items = items[:limit]
        found += items
    return found


def _suite_instances(ddir, suite):
    if suite in ("jobshop-decisions", "la"):
        folder = os.path.join(ddir, "jssp")
        index, index_path = args.read_index(folder, "job-shop instances")
        names = DECISIONS if suite == "jobshop-decisions" else ["la%02d" % k for k in range(1, 41)]
        for name in names:
            if name not in index:
                raise DataMissing("%s is not in %s" % (name, index_path))
            optimum = index[name].get("optimum")
            if suite == "jobshop-decisions" and optimum is None:
                continue   # no known optimum: no decision known to be unsat
            yield {"suite": suite, "name": name, "format": "jobshop", "optimum": optimum,
                   "path": args.listed_file(folder, name + ".txt", index_path),
                   "expected": "unsat" if suite == "jobshop-decisions" else "optimal"}
    elif suite in ("j30", "pumpkin"):
        folder = os.path.join(ddir, "rcpsp", "j30")
        index, index_path = args.read_index(folder, "j30 instances")
        names = sorted((n for n in index if re.fullmatch(r"j30\d+_\d+", n)),
                       key=sched_suite._sort_key)
        for name in names:
            yield {"suite": suite, "name": name, "format": "psplib",
                   "optimum": index[name].get("optimum"), "expected": "optimal",
                   "path": args.listed_file(folder, name + ".sm", index_path)}
    elif suite == "smtlib":
        root = os.path.join(ddir, "smtlib")
        if not os.path.isdir(root):
            raise DataMissing("%s does not exist: the SMT-LIB files are missing" % root)
        index, _ = smtlib_suite.load_index(root)
        rows, _ = smtlib_suite.describe_files(root, smtlib_suite.list_files(root, ""), index)
        for row in rows:
            if row["ref"] == "unsat":
                yield {"suite": suite, "name": row["file"], "format": "smtlib",
                       "optimum": None, "expected": "unsat", "ref_from": row["ref_from"],
                       "path": os.path.join(root, row["file"])}


# --------------------------------------------------------------------------- running

def worker(a, step, *rest, limit, cwd, python=None):
    """One bench/certify_worker.py step in its own process (bench.harness.process.run):
    {wall, rc, killed, stdout, stderr, result (the marked line or None), stage}."""
    argv = [python or a.python, WORKER, step] + [str(x) for x in rest]
    done = process.run(argv, limit, cwd, memory_limit_mb=a.memory_limit_mb, mark=MARK)
    done["stage"] = process.last_stage(done["stderr"]) if done["killed"] else None
    return done


def solve_once(a, inst, proof, cwd):
    """One solve (with proof into the folder `proof`, or without): a run record."""
    suite = inst["suite"]
    if suite == "pumpkin":
        rest = ["pumpkin", inst["json"], "--timeout", "%g" % a.timeout]
        python = sys.executable   # Pumpkin is installed beside the harness
    elif inst["format"] == "smtlib":
        rest = ["smtlib", inst["input"], "--timeout", "%g" % a.timeout]
        python = None
    else:
        rest = ["sched", inst["path"], inst["format"], "--timeout", "%g" % a.timeout]
        if inst.get("horizon") is not None:
            rest += ["--horizon", str(inst["horizon"])]
        python = None
    if proof:
        rest += ["--proof", proof]
    done = worker(a, rest[0], *rest[1:], limit=a.timeout + a.grace, cwd=cwd, python=python)
    run = {"wall": done["wall"], "rc": done["rc"], "killed": done["killed"]}
    parsed = done["result"]
    if parsed is None:
        run["error"] = ("killed at the limit (stage %s)" % done["stage"]) if done["killed"] \
            else process.failure(done)
        return run
    if parsed.get("error"):
        run["error"] = parsed["error"]
    for key in ("time", "status", "objective", "lower_bound", "starts", "reason",
                "certificate", "certificate_note", "read_time", "build_time", "maxrss_mb"):
        if key in parsed:
            run[key] = parsed[key]
    if inst["format"] == "smtlib" and suite != "pumpkin":
        answers = [l.strip() for l in done["stdout"].splitlines()
                   if l.strip() in ("sat", "unsat", "unknown")]
        run["answers"] = answers
        run["status"] = answers[0] if len(set(answers)) == 1 else ",".join(answers) or None
        if proof:
            run["certificates"] = len(certificate_parts(proof))
            run["certificate"] = run["certificates"] > 0
            said = [l.strip() for l in done["stderr"].splitlines() if "certificate" in l]
            if said and not run["certificate"]:
                run["certificate_note"] = said[-1][:300]   # the front end says why not
    return run


def certificate_parts(folder):
    """The certificate folders under `folder`: itself when it holds a manifest.json, else its
    numbered sub-folders that do (the SMT-LIB front end's DIR/1, DIR/2 ...)."""
    if not os.path.isdir(folder):
        return []
    if os.path.isfile(os.path.join(folder, "manifest.json")):
        return [folder]
    return [os.path.join(folder, d) for d in sorted(os.listdir(folder), key=sched_suite._sort_key)
            if d.isdigit() and os.path.isfile(os.path.join(folder, d, "manifest.json"))]


def sizes(folder):
    """Bytes per file name (summed over the certificate folders), lines of proof.drup and
    lemmas (lines of lemmas.jsonl); None without a certificate."""
    parts = certificate_parts(folder)
    if not parts:
        return None
    out = {"files": {}, "bytes": 0, "drup_lines": 0, "lemmas": 0, "parts": len(parts)}
    for part in parts:
        for name in sorted(os.listdir(part)):
            path = os.path.join(part, name)
            if not os.path.isfile(path):
                continue
            size = os.path.getsize(path)
            out["files"][name] = out["files"].get(name, 0) + size
            if name.endswith((".smt2", ".txt", ".sm")) and name not in ("atoms.txt",):
                continue   # a copy of the input is not certificate
            out["bytes"] += size
            if name in ("proof.drup", "lemmas.jsonl"):
                key = "drup_lines" if name == "proof.drup" else "lemmas"
                out[key] += _count_lines(path)
    return out


def _count_lines(path):
    count = 0
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            count += block.count(b"\n")
    return count


def check_once(a, folder, cwd):
    done = worker(a, "check", folder, limit=a.check_timeout + a.grace, cwd=cwd)
    run = {"wall": done["wall"], "rc": done["rc"], "killed": done["killed"]}
    parsed = done["result"]
    if parsed is None:
        run["status"] = "timeout" if done["killed"] else "error"
        run["error"] = "killed at the limit" if done["killed"] else process.failure(done)
        return run
    if parsed.get("error"):
        run["status"], run["error"] = "error", parsed["error"]
        return run
    for key in ("time", "status", "reason", "incomplete", "parts", "maxrss_mb"):
        run[key] = parsed.get(key)
    return run


# --------------------------------------------------------------------------- verdicts

def judge(inst, run, timeout):
    """run["verdict"]: solved | WRONG | late | unsolved | error; run["problems"] for WRONG."""
    problems = []
    status = run.get("status")
    if inst["expected"] == "unsat":
        answers = run.get("answers") or []
        if "sat" in answers:
            problems.append("answered %s, the reference is unsat" % " ".join(answers))
        ok = bool(answers) and all(x == "unsat" for x in answers)
    elif inst["expected"] == "infeasible":
        if status not in ("INFEASIBLE", "UNKNOWN", None):
            problems.append("answered %s (objective %s): the makespan %s is below the optimum %s"
                            % (status, run.get("objective"), run.get("objective"), inst["optimum"]))
        ok = status == "INFEASIBLE"
    else:
        st = str(status or "").upper()
        if st in ("INFEASIBLE", "UNSATISFIABLE"):
            problems.append("answered %s: the instance has a schedule" % status)
        if st in ("OPTIMAL", "FEASIBLE", "SATISFIABLE") and inst.get("model") is not None:
            bad = sched_suite.violations(inst["model"], run.get("starts"))
            if not bad and run.get("objective") != sched_suite.makespan_of(inst["model"], run["starts"]):
                bad = ["objective %s, the schedule's makespan is %s" % (
                    run.get("objective"), sched_suite.makespan_of(inst["model"], run["starts"]))]
            problems += bad[:3]
            if inst["optimum"] is not None and run.get("objective") is not None \
                    and run["objective"] < inst["optimum"]:
                problems.append("objective %s below the optimum %s" % (run["objective"], inst["optimum"]))
        if st == "OPTIMAL" and inst["optimum"] is not None and run.get("objective") != inst["optimum"]:
            problems.append("OPTIMAL %s, the optimum is %s" % (run.get("objective"), inst["optimum"]))
        if (run.get("lower_bound") or 0) > (inst["optimum"] if inst["optimum"] is not None else math.inf):
            problems.append("lower bound %s above the optimum %s" % (run["lower_bound"], inst["optimum"]))
        ok = st == "OPTIMAL"
    run.pop("starts", None)   # checked; not kept in the raw results
    if problems:
        run["verdict"], run["problems"] = "WRONG", problems
    elif ok:
        run["verdict"] = "solved" if (run.get("time") or 0) <= timeout and not run["killed"] else "late"
    elif run.get("error") and not run["killed"]:
        run["verdict"] = "error"
    else:
        run["verdict"] = "unsolved"
    return run["verdict"]


def best(runs):
    """The run of a repeated measurement that counts: all solved -> the fastest; else the
    first that is not solved (a failure is never hidden by a repeat)."""
    bad = [r for r in runs if r["verdict"] != "solved"]
    if bad:
        return dict(bad[0], times=[r.get("time") for r in runs])
    chosen = min(runs, key=lambda r: r["time"])
    return dict(chosen, times=[r["time"] for r in runs])


def measure(a, inst, row, work, cwd):
    """The runs of one instance: plain and proof solves alternating (--repeat each), then the
    checker on the last proof run's certificate. Fills row["runs"], row["size"]."""
    key = re.sub(r"[^A-Za-z0-9_.-]", "_", inst["name"])
    plain, proofs = [], []
    folder = None
    for k in range(a.repeat):
        plain.append(solve_once(a, inst, None, cwd))
        judge(inst, plain[-1], a.timeout)
        if folder:
            _remove(folder)   # a repeat's certificate replaces the one before
        folder = os.path.join(work, "certs", inst["suite"], key + (".drcp" if inst["suite"] == "pumpkin" else ""))
        os.makedirs(os.path.dirname(folder), exist_ok=True)
        proofs.append(solve_once(a, inst, folder, cwd))
        judge(inst, proofs[-1], a.timeout)
        if plain[0]["verdict"] != "solved" or (plain[0].get("time") or 0) >= a.repeat_below:
            break   # repeats are for short runs, where noise is a large part of the time
    row["runs"]["plain"], row["runs"]["proof"] = best(plain), best(proofs)
    row["repeats"] = len(plain)
    if inst["suite"] == "pumpkin":
        row["size"] = {"bytes": os.path.getsize(folder), "drup_lines": _count_lines(folder)} \
            if os.path.isfile(folder) else None
        if not a.keep:
            _remove(folder)
        return
    row["size"] = sizes(folder)
    if row["size"] is not None:
        row["runs"]["check"] = check_once(a, folder, cwd)
    if not a.keep:
        _remove(folder)


def _remove(path):
    if os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.exists(path):
        os.remove(path)


def prepare(a, items, work, cwd):
    """Inputs the solvers need that the data do not hold: the SMT-LIB decision files (written
    by smtsched's printer, through the worker) and the Pumpkin instances (bench.sched's own
    PSPLIB reader, as JSON). Also our own parse of every scheduling instance, for the checks."""
    notes = []
    os.makedirs(os.path.join(work, "inputs"), exist_ok=True)
    for inst in items:
        if inst["format"] in ("jobshop", "psplib"):
            inst["model"] = sched_suite.parse_instance(inst["path"])
        if inst["suite"] == "jobshop-decisions" and a.decisions == "model":
            inst["horizon"], inst["expected"] = inst["optimum"] - 1, "infeasible"
        elif inst["suite"] == "jobshop-decisions":
            out = os.path.join(work, "inputs", "%s-at-%d.smt2" % (inst["name"], inst["optimum"] - 1))
            done = worker(a, "decision", inst["path"], inst["optimum"] - 1, out, limit=120, cwd=cwd)
            if done["result"] is None or done["result"].get("error") or not os.path.isfile(out):
                raise Fatal("cannot write the decision file of %s: %s" % (
                    inst["name"], (done["result"] or {}).get("error") or process.failure(done)))
            inst["input"], inst["format"] = out, "smtlib"
        elif inst["suite"] == "smtlib":
            inst["input"] = inst["path"]
        elif inst["suite"] == "pumpkin":
            out = os.path.join(work, "inputs", inst["name"] + ".json")
            with open(out, "w") as stream:
                json.dump(inst["model"], stream)
            inst["json"] = out
    return notes


# --------------------------------------------------------------------------- summaries

def percentile(values, q):
    """Nearest-rank percentile (q in 0..100) of a non-empty list; None for an empty one."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100.0 * len(ordered)) - 1)]


def median(values):
    return statistics.median(values) if values else None


def _t(x):
    return max(x, FLOOR)


def overhead(row):
    """Proof time / plain time when both solved, else None."""
    p, q = row["runs"].get("plain"), row["runs"].get("proof")
    if not p or not q or p["verdict"] != "solved" or q["verdict"] != "solved":
        return None
    return _t(q["time"]) / _t(p["time"])


def check_ratio(row):
    """Checking time / solve time with proof, for a certificate that was checked."""
    q, c = row["runs"].get("proof"), row["runs"].get("check")
    if not q or not c or c.get("time") is None or q.get("time") is None:
        return None
    return _t(c["time"]) / _t(q["time"])


def suite_summary(rows):
    """The numbers of one suite's table row (see render)."""
    s = {"n": len(rows)}
    s["plain_solved"] = sum(r["runs"].get("plain", {}).get("verdict") == "solved" for r in rows)
    answered = [r for r in rows if r["runs"].get("proof", {}).get("verdict") == "solved"]
    s["proof_solved"] = len(answered)
    s["certified"] = sum(bool(r["runs"]["proof"].get("certificate")) for r in answered)
    checks = [r["runs"].get("check", {}).get("status") for r in answered]
    s["verified"] = checks.count("verified")
    s["rejected"] = [r["name"] for r in answered if r["runs"].get("check", {}).get("status") == "rejected"]
    s["incomplete"] = checks.count("incomplete")
    s["check_failed"] = sum(c in ("timeout", "error") for c in checks)
    s["wrong"] = [r["name"] for r in rows for run in r["runs"].values() if run.get("verdict") == "WRONG"]
    ratios = [x for x in (overhead(r) for r in rows) if x is not None]
    s["overhead_n"] = len(ratios)
    s["overhead_median"], s["overhead_p90"] = median(ratios), percentile(ratios, 90)
    both = [r for r in rows if overhead(r) is not None]
    plain_sum = sum(_t(r["runs"]["plain"]["time"]) for r in both)
    s["overhead_total"] = sum(_t(r["runs"]["proof"]["time"]) for r in both) / plain_sum if both else None
    s["plain_median"] = median([r["runs"]["plain"]["time"] for r in both])
    s["proof_median"] = median([r["runs"]["proof"]["time"] for r in both])
    cr = [x for x in (check_ratio(r) for r in answered
                      if r["runs"].get("check", {}).get("status") == "verified") if x is not None]
    s["check_n"], s["check_median"], s["check_p90"] = len(cr), median(cr), percentile(cr, 90)
    s["check_time_median"] = median([r["runs"]["check"]["time"] for r in answered
                                     if r["runs"].get("check", {}).get("time") is not None])
    # sizes of answers only: a run stopped at the limit leaves a partial proof log (Pumpkin)
    sized = [r["size"] for r in rows if r.get("size")
             and r["runs"].get("proof", {}).get("verdict") == "solved"]
    for key in ("bytes", "drup_lines", "lemmas"):
        values = [z[key] for z in sized if key in z]
        s[key + "_median"], s[key + "_max"] = median(values), max(values) if values else None
    return s


def share(k, n):
    return "-" if not n else "%d / %d (%.0f%%)" % (k, n, 100.0 * k / n)


def fmt_bytes(x):
    if x is None:
        return "-"
    for unit, size in (("MB", 1 << 20), ("kB", 1 << 10)):
        if x >= size:
            return "%.1f %s" % (x / size, unit)
    return "%d B" % x


def fmt_int(x):
    return "-" if x is None else "%d" % x


def verdict_cell(run):
    if run is None:
        return "-"
    v = run["verdict"]
    t = "-" if run.get("time") is None else "%.3f" % run["time"]
    if v == "solved":
        return t
    if v == "WRONG":
        return "**WRONG** %s" % report.cell("; ".join(run.get("problems", [])), 60)
    if v == "late":
        return "late %s" % t
    if v == "error":
        return "error: %s" % report.cell(run.get("error", ""), 50)
    return "%s %s" % (run.get("status") or ("killed" if run["killed"] else "none"),
                      "" if run.get("time") is None else t)


def check_cell(row):
    q, c = row["runs"].get("proof"), row["runs"].get("check")
    if q is None:
        return "-"
    if c is None:
        if q["verdict"] != "solved":
            return "-"
        return "**no certificate**%s" % (
            ": " + report.cell(q.get("certificate_note"), 60) if q.get("certificate_note") else "")
    if c["status"] == "verified":
        return "verified %.3f" % c["time"]
    if c["status"] == "rejected":
        return "**REJECTED**: %s" % report.cell(c.get("reason"), 70)
    return "%s%s" % (c["status"], ": " + report.cell(c.get("reason") or c.get("error", ""), 60)
                     if (c.get("reason") or c.get("error")) else "")


# --------------------------------------------------------------------------- report

def render(meta, rows, notes):
    suites = [s for s in meta["suites"] if any(r["suite"] == s for r in rows)]
    summaries = {s: suite_summary([r for r in rows if r["suite"] == s]) for s in suites}
    L = ["# Certificates: proof overhead, checking time and size (issue 15)", ""]
    problems = ["%s: WRONG on %s" % (s, n) for s in suites for n in summaries[s]["wrong"]]
    problems += ["%s: certificate REJECTED on %s" % (s, n) for s in suites
                 for n in summaries[s]["rejected"]]
    L += report.wrong_banner(problems, "WRONG ANSWER(S) / REJECTED CERTIFICATE(S)")
    L += report.interrupted(meta, "those only")
    L += report.head("bench/certify.py", meta,
                     times="times are wall clock inside each solver process; other work may "
                           "share the machine")
    L += ["- data: `%s`; suites %s%s%s" % (meta["data"], ", ".join(meta["suites"]),
                                           ", --only " + meta["only"] if meta.get("only") else "",
                                           ", --limit %d" % meta["limit"] if meta.get("limit") else ""),
          "- time limit T = %g s per solve, %g s per check (killed at the limit + %g s); every "
          "run a fresh process, one at a time; --repeat %d for the instances solved without proof "
          "in under %g s (the fastest of the repeats counts, a failed repeat counts as a "
          "failure)" % (meta["timeout"], meta["check_timeout"], meta["grace"], meta["repeat"],
                        meta.get("repeat_below", math.inf)),
          "- time = inside the process, around the call: the SMT-LIB front end's `solve` "
          "command (`smtsched solve F [--proof DIR]`, parsing and its forked search included), "
          "`Model.solve(...)` (reading the file excluded), Pumpkin's build + optimise, "
          "`smtsched.certify.check(DIR)`; imports before the clock. Ratios count times under "
          "1 ms as 1 ms",
          "- job-shop decisions (the optimum from jssp/index.json): " + (
              "`read_model(F)` with `set_horizon(optimum - 1)`, `Model.solve(proof=DIR)`, "
              "expected INFEASIBLE (the certificate's input is the model as model.json)"
              if meta.get("decisions") == "model" else
              "`read_model(F).to_smtlib(bound=optimum - 1)` written as SMT-LIB (pairwise "
              "difference logic) and solved by the SMT-LIB front end, expected unsat"),
          "- certificates written under %s" % meta.get("scratch", "the system's temporary folder"),
          "- overhead = time with proof / time without, on the instances both solved; "
          "check ratio = check time / time with proof, on the verified certificates; size = "
          "the certificate's files (not the input), summed over its folders", ""]
    L += report.machine_section(meta["machine"], ["pumpkin-solver %s" % meta.get("pumpkin", "?")])
    L += report.notes(notes)

    L += ["## Summary", ""]
    head = ["suite", "instances", "solved no proof / proof", "certified", "verified",
            "overhead median / p90 (n)", "overhead of the sums", "check / solve median / p90 (n)",
            "certificate size median / max", "proof.drup lines median / max",
            "lemmas median / max"]
    body = []
    for s in suites:
        z = summaries[s]
        if s == "pumpkin":
            body.append([TITLE[s], z["n"], "%d / %d" % (z["plain_solved"], z["proof_solved"]),
                         "-", "- (no checker run)",
                         "%s / %s (%d)" % (report.fmt_number(z["overhead_median"]),
                                           report.fmt_number(z["overhead_p90"]), z["overhead_n"]),
                         report.fmt_number(z["overhead_total"]), "-",
                         "%s / %s" % (fmt_bytes(z["bytes_median"]), fmt_bytes(z["bytes_max"])),
                         "%s / %s" % (fmt_int(z["drup_lines_median"]), fmt_int(z["drup_lines_max"])),
                         "-"])
            continue
        body.append([TITLE[s], z["n"], "%d / %d" % (z["plain_solved"], z["proof_solved"]),
                     share(z["certified"], z["proof_solved"]),
                     share(z["verified"], z["proof_solved"]) + (
                         " (**%d rejected**)" % len(z["rejected"]) if z["rejected"] else "") + (
                         " (%d incomplete)" % z["incomplete"] if z["incomplete"] else "") + (
                         " (%d check timeout/error)" % z["check_failed"] if z["check_failed"] else ""),
                     "%s / %s (%d)" % (report.fmt_number(z["overhead_median"]),
                                       report.fmt_number(z["overhead_p90"]), z["overhead_n"]),
                     report.fmt_number(z["overhead_total"]),
                     "%s / %s (%d)" % (report.fmt_number(z["check_median"]),
                                       report.fmt_number(z["check_p90"]), z["check_n"]),
                     "%s / %s" % (fmt_bytes(z["bytes_median"]), fmt_bytes(z["bytes_max"])),
                     "%s / %s" % (fmt_int(z["drup_lines_median"]), fmt_int(z["drup_lines_max"])),
                     "%s / %s" % (fmt_int(z["lemmas_median"]), fmt_int(z["lemmas_max"]))])
    L += report.table(head, body, "lrrllllllll") + [""]
    L += ["\"solved\": the expected answer (unsat, INFEASIBLE, OPTIMAL at the known optimum) within T. "
          "\"certified\" and \"verified\" are shares of the instances solved with proof. For "
          "Pumpkin the size is its DRCP proof log and the lines are its lines; it is not "
          "checked here.", ""]
    L += targets(suites, summaries)
    L += by_solve_time(suites, rows)
    L += file_sizes(suites, rows)
    if "pumpkin" in suites and "j30" in suites:
        L += side_by_side(rows)
    for s in suites:
        L += per_instance(s, [r for r in rows if r["suite"] == s])
    return "\n".join(L) + "\n"


def targets(suites, summaries):
    L = ["## Targets (issue 15)", ""]
    for s in suites:
        if s == "pumpkin":
            continue
        z = summaries[s]
        full = z["proof_solved"] > 0 and z["verified"] == z["proof_solved"]
        L.append("- %s: certified and verified 100%%: %s; median overhead %s <= %.2f: %s; median "
                 "check/solve %s <= %g: %s" % (
                     TITLE[s], "met" if full else "NOT met (%s)" % share(z["verified"], z["proof_solved"]),
                     report.fmt_number(z["overhead_median"]), TARGET_OVERHEAD,
                     "-" if z["overhead_median"] is None else
                     "met" if z["overhead_median"] <= TARGET_OVERHEAD else "NOT met",
                     report.fmt_number(z["check_median"]), TARGET_CHECK,
                     "-" if z["check_median"] is None else
                     "met" if z["check_median"] <= TARGET_CHECK else "NOT met"))
    return L + [""]


# Bands of the time without proof (seconds) for by_solve_time.
BANDS = ((0.0, 0.01), (0.01, 0.1), (0.1, 1.0), (1.0, math.inf))


def _band_name(low, high):
    def fmt(x):
        return "%g ms" % (x * 1000) if x < 1 else "%g s" % x
    if low == 0:
        return "under " + fmt(high)
    if high == math.inf:
        return fmt(low) + " or more"
    return "%s to %s" % (fmt(low), fmt(high))


def by_solve_time(suites, rows):
    """The overhead per band of the time without proof: a certificate folder has a fixed cost
    (its files, the input written and read again) that weighs most on the fastest solves."""
    body = []
    for s in suites:
        both = [r for r in rows if r["suite"] == s and overhead(r) is not None]
        for low, high in BANDS:
            band = [r for r in both if low <= r["runs"]["plain"]["time"] < high]
            if not band:
                continue
            ratios = [overhead(r) for r in band]
            plain = sum(_t(r["runs"]["plain"]["time"]) for r in band)
            proof = sum(_t(r["runs"]["proof"]["time"]) for r in band)
            extra = median([r["runs"]["proof"]["time"] - r["runs"]["plain"]["time"] for r in band])
            body.append([TITLE[s], _band_name(low, high), len(band),
                         "%s / %s" % (report.fmt_number(median(ratios)),
                                      report.fmt_number(percentile(ratios, 90))),
                         report.fmt_number(proof / plain), "%.1f ms" % (1000 * extra)])
    if not body:
        return []
    head = ["suite", "time without proof", "instances", "overhead median / p90",
            "overhead of the sums", "time added, median"]
    return ["## Overhead by solve time", "",
            "The same overhead, per band of the time without proof. The time added is proof "
            "minus no proof, per instance.", ""] + report.table(head, body, "llrlll") + [""]


def file_sizes(suites, rows):
    """The median size of each file of the certificates, per suite."""
    names = ["manifest.json", "problem.cnf", "atoms.txt", "constraints.json", "lemmas.jsonl",
             "proof.drup", "schedule.json", "model.json"]
    body = []
    for s in suites:
        sized = [r["size"]["files"] for r in rows if r["suite"] == s and (r.get("size") or {}).get("files")]
        if sized:
            body.append([TITLE[s]] + [fmt_bytes(median([f[n] for f in sized if n in f]))
                                      if any(n in f for f in sized) else "-" for n in names])
    if not body:
        return []
    return ["## Certificate files: median size per suite", ""] + report.table(
        ["suite"] + names, body, "l" + "r" * len(names)) + [""]


def side_by_side(rows):
    """smtsched (j30 suite) and Pumpkin on the j30 instances both solved with and without
    their proof logs."""
    ours = {r["name"]: r for r in rows if r["suite"] == "j30"}
    theirs = {r["name"]: r for r in rows if r["suite"] == "pumpkin"}
    both = [n for n in ours if n in theirs and overhead(ours[n]) is not None
            and overhead(theirs[n]) is not None]
    L = ["## Side by side on j30: smtsched and Pumpkin", ""]
    if not both:
        return L + ["No instance solved by both with and without proof.", ""]

    def line(label, side):
        rs = [side[n] for n in both]
        ov = [overhead(r) for r in rs]
        return [label, "%.4f" % median([r["runs"]["plain"]["time"] for r in rs]),
                "%.4f" % median([r["runs"]["proof"]["time"] for r in rs]),
                report.fmt_number(median(ov)), report.fmt_number(percentile(ov, 90)),
                report.fmt_number(sum(_t(r["runs"]["proof"]["time"]) for r in rs)
                                  / sum(_t(r["runs"]["plain"]["time"]) for r in rs)),
                fmt_bytes(median([r["size"]["bytes"] for r in rs if r.get("size")]))]
    L += report.table(["solver (%d instances)" % len(both), "median time no proof (s)",
                       "median time proof (s)", "overhead median", "overhead p90",
                       "overhead of the sums", "proof size median"],
                      [line("smtsched (certificate folder)", ours),
                       line("Pumpkin (DRCP log)", theirs)], "lrrrrrr")
    return L + ["", "Pumpkin's proof is a DRCP log of its own inferences (checked by its own "
                "checker, not run here); smtsched's is the certificate folder of "
                "docs/certificates.md.", ""]


def per_instance(suite, rows):
    L = ["## %s: per instance" % TITLE[suite], ""]
    if suite == "pumpkin":
        head = ["instance", "optimum", "no proof (s)", "proof (s)", "overhead", "proof size", "lines"]
        body = [[r["name"], fmt_int(r.get("optimum")), verdict_cell(r["runs"].get("plain")),
                 verdict_cell(r["runs"].get("proof")), report.fmt_number(overhead(r)),
                 fmt_bytes((r.get("size") or {}).get("bytes")),
                 fmt_int((r.get("size") or {}).get("drup_lines"))] for r in rows]
        return L + report.table(head, body, "lrrrrrr") + [""]
    head = ["instance", "expected", "no proof (s)", "proof (s)", "overhead", "check (s)",
            "check/solve", "size", "proof.drup lines", "lemmas"]
    body = []
    for r in rows:
        z = r.get("size") or {}
        expected = r["expected"]
        if r.get("bound") is not None:
            expected = "%s at %d" % (r["expected"], r["bound"])
        elif r.get("optimum") is not None:
            expected = "%s %d" % (expected, r["optimum"])
        body.append([r["name"], expected,
                     verdict_cell(r["runs"].get("plain")), verdict_cell(r["runs"].get("proof")),
                     report.fmt_number(overhead(r)), check_cell(r),
                     report.fmt_number(check_ratio(r)), fmt_bytes(z.get("bytes")),
                     fmt_int(z.get("drup_lines")), fmt_int(z.get("lemmas"))])
    return L + report.table(head, body, "llrrrlrrrr") + [""]


# --------------------------------------------------------------------------- main

def parse_args(argv):
    p = args.parser("python -m bench.certify", __doc__.split("\n\n")[0],
                    args.default_out("RESULTS-certify.md"), ("smtsched",), timeout=60.0,
                    grace=10.0, resume=False, memory_limit_mb=0)
    p.add_argument("--suite", default=",".join(SUITES), help="comma list of %s" % ",".join(SUITES))
    p.add_argument("--limit", type=int, default=0, help="first N instances of each suite (0: all)")
    p.add_argument("--repeat", type=int, default=1,
                   help="solves per instance with and without proof, alternating; the fastest "
                        "counts (1)")
    p.add_argument("--repeat-below", type=float, default=1.0,
                   help="repeat only instances whose first solve without proof took less than "
                        "this many seconds (1)")
    p.add_argument("--check-timeout", type=float, default=None,
                   help="limit per certificate check, seconds (default 5 x --timeout)")
    p.add_argument("--decisions", choices=("smtlib", "model"), default="smtlib",
                   help="job-shop decisions as SMT-LIB files through the SMT-LIB front end "
                        "(default) or as models with a horizon through Model.solve")
    p.add_argument("--scratch", metavar="DIR",
                   help="make the scratch folder (certificates, generated inputs) in DIR "
                        "(default: the system's temporary folder). The certificates are written "
                        "there: on a RAM disk (e.g. /dev/shm) the times leave out the disk's "
                        "file creation, which costs 0.1-0.5 ms per file on some virtual disks")
    p.add_argument("--keep", metavar="DIR",
                   help="keep the certificates and generated inputs in DIR (default: a scratch "
                        "folder, each certificate removed once measured); mind the disk: a "
                        "certificate or a Pumpkin log can take tens of MB")
    a = args.finish(p, p.parse_args(argv), ("smtsched",))
    a.suites = args.subset(p, a.suite, SUITES, "suite")
    if a.limit < 0 or a.repeat < 1:
        p.error("--limit must be >= 0 and --repeat >= 1")
    if a.check_timeout is None:
        a.check_timeout = 5 * a.timeout
    return a


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    a = parse_args(argv)
    if a.rewrite_report:
        rows = results.rewrite_report(a, render)
        return 3 if any(run.get("verdict") == "WRONG" or run.get("status") == "rejected"
                        for r in rows for run in r["runs"].values()) else 0
    return args.guarded("bench.certify", benchmark, a, argv)


def _filesystem(path):
    """`path` and the file system it is on (from /proc/mounts, where there is one)."""
    path = os.path.realpath(path)
    best = None
    try:
        with open("/proc/mounts") as mounts:
            for line in mounts:
                fields = line.split()
                if len(fields) >= 3 and (path == fields[1] or path.startswith(
                        fields[1].rstrip("/") + "/")):
                    if best is None or len(fields[1]) > len(best[1]):
                        best = fields
    except OSError:
        pass
    return path if best is None else "%s (%s on %s)" % (path, best[2], best[1])


def pumpkin_version():
    return machine.package_versions(("pumpkin-solver",))["pumpkin-solver"]


def benchmark(a, argv):
    ddir = data_dir(a.data)
    if "pumpkin" in a.suites:
        try:
            __import__("pumpkin_solver")
        except ImportError:
            raise Fatal("pumpkin_solver is not installed in %s (pip install pumpkin-solver); "
                        "or leave pumpkin out of --suite" % sys.executable)
    items = instances(ddir, a.suites, a.only, a.limit)
    if not items:
        raise Fatal("no instance of suites %s matches --only %r" % (",".join(a.suites), a.only))
    scratch = tempfile.mkdtemp(prefix="bench-certify-", dir=a.scratch)
    work = os.path.abspath(a.keep) if a.keep else os.path.join(scratch, "work")
    os.makedirs(work, exist_ok=True)
    try:
        meta = {**results.run_meta("bench.certify", argv), "data": ddir, "suites": a.suites,
                "only": a.only, "limit": a.limit, "repeat": a.repeat,
                "repeat_below": a.repeat_below, "decisions": a.decisions, "timeout": a.timeout,
                "check_timeout": a.check_timeout, "grace": a.grace,
                "scratch": _filesystem(work),
                "memory_limit_mb": a.memory_limit_mb,
                "machine": machine.describe(a.python, scratch, hint=""),
                "pumpkin": pumpkin_version(), "runs_done": 0,
                "runs_planned": len(items) * (2 * a.repeat + 1)}
        notes = prepare(a, items, work, scratch)
        if a.keep:
            notes.append("certificates and generated inputs kept in %s" % work)
        rows = []
        progress = results.Progress(a.json, "certify", meta, rows, notes)
        with progress:
            for inst in items:
                row = {"suite": inst["suite"], "name": inst["name"], "expected": inst["expected"],
                       "optimum": inst["optimum"], "path": os.path.relpath(inst["path"], ddir),
                       "runs": {}}
                if inst.get("ref_from"):
                    row["ref_from"] = inst["ref_from"]
                if inst["suite"] == "jobshop-decisions":
                    row["bound"] = inst["optimum"] - 1
                    row["expected"] = inst["expected"]
                measure(a, inst, row, work, scratch)
                rows.append(row)
                c = row["runs"].get("check")
                progress.ran("%-17s %-45s %-8s %-8s %s%s" % (
                    inst["suite"], inst["name"][-45:], row["runs"]["plain"]["verdict"],
                    row["runs"]["proof"]["verdict"],
                    "overhead %s" % report.fmt_number(overhead(row)),
                    "" if c is None else " check %s %s" % (c["status"], report.fmt_number(c.get("time"), "%.2fs"))),
                    count=2 * row["repeats"] + (c is not None))
        results.close(a, "certify", render, meta, rows, notes)
        bad = [(r["suite"], r["name"], k, run.get("problems") or run.get("reason"))
               for r in rows for k, run in r["runs"].items()
               if run.get("verdict") == "WRONG" or run.get("status") == "rejected"]
        for item in bad:
            print("!!! %s %s %s: %s" % item, file=sys.stderr)
        return args.exit_code(progress.interrupted, bad)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
