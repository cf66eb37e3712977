"""What the benchmark drivers share: running a solver process under a hard limit, the
machine and code facts a report carries, small text helpers."""
import datetime
import hashlib
import os
import resource
import signal
import subprocess
import sys
import time


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
