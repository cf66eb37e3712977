"""One worker mechanism for every suite: each run is a child process of its own, in its own
session (process group), killed with the whole group at the hard limit, optionally under an
address-space limit, and read back from one marked JSON line of its stdout.

How time is measured, the same for every solver of a suite:
- `wall`: the parent's time.perf_counter from just before the child starts to its exit (or
  its kill), so interpreter start-up, imports and reading the input count;
- `cpu`: user + system time of the child and its descendants (RUSAGE_CHILDREN of the parent,
  before and after);
- the child's own time (`time` in its line), where a suite wants start-up left out: measured
  inside the child with bench.harness.child.Clock (time.perf_counter) from the start of model
  building to the answer, for every solver of the suite alike.
Each suite's report says which of these its tables use. Runs are sequential (the machine is
small and shared; parallel runs would disturb each other's times).
"""
import json
import os
import resource
import signal
import subprocess
import time

from .child import limit_memory


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


def run(argv, limit, cwd, env=None, memory_limit_mb=0, mark=None):
    """Run `argv` in its own session; kill its whole process group at `limit` seconds (a
    solver's children too: smtsched searches in a forked child), and again after it ended, so
    nothing outlives the run into the next measurement. `memory_limit_mb` (0: none) is the
    address-space limit of the child and what it starts.

    Returns {stdout, stderr, rc (None if it could not start), killed, wall, cpu, result}:
    result is process.marked(stdout, mark) (None without a mark)."""
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    try:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, errors="replace",
                                start_new_session=True,
                                preexec_fn=(lambda: limit_memory(memory_limit_mb))
                                if memory_limit_mb else None)
    except OSError as problem:
        return {"stdout": "", "stderr": "cannot start: %s" % problem, "rc": None,
                "killed": False, "wall": 0.0, "cpu": 0.0, "result": None}
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
    return {"stdout": out or "", "stderr": err or "", "rc": proc.returncode, "killed": killed,
            "wall": wall, "cpu": cpu, "result": None if mark is None else marked(out, mark)}


def marked(text, mark):
    """The JSON object of the last line of `text` that starts with `mark` (mark "": the last
    line that is a JSON object); None if there is none."""
    found = marked_all(text, mark)
    return found[-1] if found else None


def marked_all(text, mark):
    """The JSON objects of the lines of `text` that start with `mark`, in order."""
    found = []
    for line in (text or "").splitlines():
        line = line.strip()
        if line.startswith(mark):
            try:
                value = json.loads(line[len(mark):])
            except ValueError:
                continue
            if isinstance(value, dict):
                found.append(value)
    return found


def last_stage(stderr):
    """The last "STAGE x" line of a child's stderr (bench.harness.child.stage), or None."""
    last = None
    for line in (stderr or "").splitlines():
        if line.startswith("STAGE "):
            last = line[6:].strip()
    return last


def tail(text, keep=800):
    text = text or ""
    return text if len(text) <= keep else "..." + text[-keep:]


def failure(done, keep=400):
    """Why a run that was not killed left no answer: its exit code and the end of stderr."""
    return "exit code %s, no result; stderr: %s" % (done["rc"], tail(done["stderr"], keep).strip())


def without_checkout(environ, checkout):
    """`environ` with the checkout root taken off PYTHONPATH: from the checkout Python would
    import the source folder smtsched/ rather than the installed package and its compiled
    theories."""
    env = dict(environ)
    kept = [p for p in env.get("PYTHONPATH", "").split(os.pathsep)
            if p and os.path.abspath(p) != checkout]
    if kept:
        env["PYTHONPATH"] = os.pathsep.join(kept)
    else:
        env.pop("PYTHONPATH", None)
    return env
