"""What the benchmark drivers share: running a solver process under a hard limit, the
machine and code facts a report carries, the raw results file, pieces of the reports, small
text helpers."""
import datetime
import hashlib
import json
import os
import resource
import shlex
import signal
import subprocess
import sys
import time


class Fatal(Exception):
    """Ends the run with a one-line message (exit code 2), not a traceback."""


def run_group(argv, limit, cwd):
    """Run `argv` in its own session; kill its whole process group at `limit` seconds (a
    solver's children too: smtsched searches in a forked child), and again after it ended, so
    nothing outlives the run into the next measurement.

    Returns (stdout, stderr, returncode or None, killed, wall seconds, cpu seconds)."""
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    try:
        proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, errors="replace", start_new_session=True)
    except OSError as problem:
        return "", "cannot start: %s" % problem, None, False, 0.0, 0.0
    killed = False
    try:
        try:
            out, err = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            killed = True
            kill_group(proc.pid)
            out, err = proc.communicate()
    except KeyboardInterrupt:
        kill_group(proc.pid)
        proc.wait()
        raise
    wall = time.perf_counter() - started
    kill_group(proc.pid)
    usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (usage_after.ru_utime - usage_before.ru_utime) + \
        (usage_after.ru_stime - usage_before.ru_stime)
    return out, err, proc.returncode, killed, wall, cpu


def kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def interrupt_on_sigterm():
    """`kill` of a long run ends like Ctrl-C: the solver running now is killed with its group
    and the partial results are written."""
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def write_json(path, results, indent=None):
    """Write the raw results by way of a temporary file: a reader never sees half a file."""
    tmp = path + ".tmp"
    with open(tmp, "w") as stream:
        json.dump(results, stream, indent=indent)
    os.replace(tmp, path)


def tail(text, keep=800):
    text = text or ""
    return text if len(text) <= keep else "..." + text[-keep:]


def output(argv, cwd=None):
    """The output of a short command, or why it failed (for the machine description)."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=cwd)
        return (done.stdout or done.stderr).strip()
    except (OSError, subprocess.SubprocessError) as problem:
        return "(%s failed: %s)" % (argv[0], problem)


def code_fingerprint(dirs):
    """A hash of the smtsched code that runs (sources and compiled modules), so that a change
    during a long run shows up in the report."""
    digest = hashlib.sha256()
    for top in sorted(set(d for d in dirs if d)):
        for here, subdirs, files in os.walk(top):
            subdirs[:] = sorted(d for d in subdirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".py", ".so", ".pyx")):
                    path = os.path.join(here, name)
                    digest.update(os.path.relpath(path, top).encode())
                    with open(path, "rb") as stream:
                        digest.update(stream.read())
    return digest.hexdigest()[:12]


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def load_average():
    try:
        return " ".join("%.2f" % x for x in os.getloadavg())
    except OSError:
        return "?"


def run_meta(module, argv):
    """The first entries of a run's meta: its command line, where and when it started, the load
    then (what report_head shows)."""
    return {"command": " ".join([sys.executable, "-m", module] + [shlex.quote(x) for x in argv]),
            "cwd": os.getcwd(), "started": now(), "load_start": load_average()}


# Run by the interpreter under test, in the same cwd as the runs: which smtsched it imports and
# which difference-logic theory that copy uses (the slow reference one means no compiled module).
SMTSCHED_PROBE = r"""
import json, os, sys, smtsched
info = {"python": sys.version.split()[0], "package": os.path.dirname(smtsched.__file__),
        "version": getattr(smtsched, "__version__", "?")}
try:
    from smtsched.theory import difference_logic_class
    cls = difference_logic_class()
    info["theory"] = "%s.%s" % (cls.__module__, cls.__name__)
    info["theory_file"] = sys.modules[cls.__module__].__file__
except Exception as problem:
    info["theory"] = "unknown (%r)" % problem
print(json.dumps(info))
"""


def machine_basics():
    """CPU summary (lscpu), kernel, harness interpreter and memory, for a report's header."""
    lscpu = output(["lscpu"])
    keep = ("Model name", "CPU(s)", "Thread(s) per core", "Core(s) per socket",
            "Hypervisor vendor")
    info = {"lscpu": "\n".join(l for l in lscpu.splitlines() if l.split(":")[0].strip() in keep),
            "kernel": output(["uname", "-srm"]),
            "harness python": "%s (%s)" % (sys.version.split()[0], sys.executable)}
    try:
        with open("/proc/meminfo") as stream:
            info["memory"] = stream.readline().split(":")[1].strip()
    except OSError:
        pass
    return info


def probe_smtsched(python, cwd, hint=", or leave smtsched out of --solvers"):
    """What SMTSCHED_PROBE finds, run by `python` in `cwd`; Fatal if it cannot import smtsched."""
    try:
        done = subprocess.run([python, "-c", SMTSCHED_PROBE], capture_output=True, text=True,
                              cwd=cwd, timeout=120)
    except OSError as problem:
        raise Fatal("cannot run %s: %s" % (python, problem))
    if done.returncode != 0:
        raise Fatal("%s cannot import smtsched (%s); pass --python of a venv where it is "
                    "installed%s" % (python, (done.stderr.strip().splitlines() or ["?"])[-1], hint))
    return json.loads(done.stdout.strip().splitlines()[-1])


def git_state(repo, path):
    """The checkout `repo`'s HEAD (12 digits), "+ local changes" when `path` in it differs from
    HEAD; None when `repo` is not a git checkout."""
    if not os.path.isdir(os.path.join(repo, ".git")):
        return None
    dirty = output(["git", "-C", repo, "status", "--porcelain", "--", path])
    return output(["git", "-C", repo, "rev-parse", "--short=12", "HEAD"]) + (
        " + local changes" if dirty else "")


def smtsched_info(python, cwd, hint=", or leave smtsched out of --solvers"):
    """The smtsched that `python` runs (probe_smtsched), its git state, and the fingerprint of
    its code (code_dirs: the package and the compiled theory's folder)."""
    si = probe_smtsched(python, cwd, hint)
    si["interpreter"] = python
    git = git_state(os.path.dirname(si["package"]), "smtsched")
    if git is not None:
        si["git"] = git
    si["code_dirs"] = sorted({si["package"], os.path.dirname(si.get("theory_file") or si["package"])})
    si["fingerprint"] = code_fingerprint(si["code_dirs"])
    return si


def code_change_notes(before, after):
    """The report's warning when the smtsched code fingerprint changed during the run."""
    if after == before:
        return []
    return ["**the smtsched code changed during the run** (fingerprint %s at the start, %s at "
            "the end): the runs are not all of one version" % (before, after)]


def ortools_version():
    try:
        import ortools
    except ImportError:
        raise Fatal("ortools is not installed in %s; install it or leave cpsat1,cpsat2 out "
                    "of --solvers" % sys.executable)
    return ortools.__version__


def load_resume(a, meta):
    """The raw results file `a.resume`, refused (Fatal) when it ran with another time limit or,
    with smtsched among `a.solvers`, measured other smtsched code than this run (`meta`)."""
    with open(a.resume) as stream:
        saved = json.load(stream)
    old = saved["meta"]
    if old.get("timeout") != a.timeout:
        raise Fatal("--resume: %s ran with --timeout %s, this run with %s"
                    % (a.resume, old.get("timeout"), a.timeout))
    mine = meta["machine"].get("smtsched", {}).get("fingerprint")
    theirs = old.get("machine", {}).get("smtsched", {}).get("fingerprint")
    if "smtsched" in a.solvers and mine != theirs:
        raise Fatal("--resume: %s measured smtsched code %s, this checkout is %s"
                    % (a.resume, theirs, mine))
    return saved


# --------------------------------------------------------------------------- reports

def write_results(a, render, meta, rows, notes):
    """The end of a run: the raw results (a.json) and the report `render` makes of them (a.out)."""
    write_json(a.json, {"meta": meta, "rows": rows, "notes": notes}, indent=1)
    with open(a.out, "w") as stream:
        stream.write(render(meta, rows, notes))
    print("wrote %s and %s" % (a.out, a.json), file=sys.stderr)


def rewrite_report(a, render):
    """--rewrite-report: write a.out again from the raw results file, no solving; its rows."""
    with open(a.rewrite_report) as stream:
        saved = json.load(stream)
    with open(a.out, "w") as stream:
        stream.write(render(saved["meta"], saved["rows"], saved["notes"]))
    print("wrote %s" % a.out)
    return saved["rows"]


def report_head(script, meta, times="wall-clock times; other work may share the machine"):
    """How the report was made (from run_meta and the end of the run)."""
    return ["Generated by `%s`. Command (from `%s`):" % (script, meta["cwd"]), "",
            "    " + meta["command"], "",
            "- date: %s (started), %s (finished)" % (meta["started"], meta.get("finished", "-")),
            "- load average at start / end: %s / %s (%s)" % (
                meta["load_start"], meta.get("load_end", "-"), times)]


def machine_head(m):
    """The Machine section up to the solvers (machine_basics), its code block left open."""
    return ["## Machine", "", "```", m["lscpu"], "memory: %s" % m.get("memory", "?"), m["kernel"],
            "harness python %s" % m["harness python"]]


def solver_versions(m):
    """The ortools, z3 and smtsched (smtsched_info) lines of the Machine section, for those the
    run measured."""
    L = []
    if "ortools" in m:
        L.append("ortools %s" % m["ortools"])
    if "z3" in m:
        L.append("z3 %s" % m["z3"])
    if "smtsched" in m:
        si = m["smtsched"]
        L.append("smtsched %s from %s (python %s: %s), theory %s, code fingerprint %s%s" % (
            si["version"], si["package"], si["python"], si["interpreter"], si["theory"],
            si.get("fingerprint", "?"), ", git " + si["git"] if si.get("git") else ""))
    return L


def fmt_number(x, fmt="%.2f"):
    return "-" if x is None else fmt % x


def fmt_percent(x, digits=2):
    return "-" if x is None else "%.*f%%" % (digits, 100 * x)


def run_cell(run, value, other):
    """A table cell of an optimisation run: "-" for none; "**opt** V T", "opt (late) V T" with
    V = run[value]; "**WRONG** objective T"; else other(run, T). T: " 1.23s", or "" without a
    time."""
    if run is None:
        return "-"
    v = run["verdict"]
    t = "" if run.get("time") is None else " %.2fs" % run["time"]
    if v == "optimal":
        return "**opt** %s%s" % (run[value], t)
    if v == "WRONG":
        return "**WRONG** %s%s" % (run.get("objective"), t)
    if v == "late":
        return "opt (late) %s%s" % (run[value], t)
    return other(run, t)
