"""Run one batch instance in its own process and turn what it printed into a result record.

The instance runs as `smtsched solve --json FILE` (or `smtsched dnn --json GRAPH
--accelerator SPEC` with an accelerator), through the command line's own path, in a fresh
interpreter started in a new session (its own process group): the solver's `--timeout` ends
it normally, with the best answer so far; if it has not ended `HARD_KILL_AFTER` seconds past
the limit, the whole group (the command and the search process it forks) is killed. Every
run therefore ends within the limit plus a second, whatever the search is doing (CaDiCaL
holds the GIL and cannot be interrupted from inside, ../shared/PYSAT-NOTES.md).

This module is what a Dask task runs too (`run` is a plain function of picklable
arguments); the subprocess is what makes the task killable, a Dask worker thread is not.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

# The hard kill, past the limit: the solver stops itself at the limit and its own search
# child is killed at the limit + 0.5 s (smtsched/isolation.py GRACE); this leaves it time to
# print the answer, and the kill and the reaping 0.3 s before the promised second.
HARD_KILL_AFTER = 0.7
POLL = 0.02

SOLVED, TIMEOUT, KILLED, ERROR, MEMOUT, UNKNOWN = (
    "solved", "timeout", "killed", "error", "memout", "unknown")

# Options a batch passes to every instance, in the order of the command line; their values
# are part of a result's identity (resume skips an input only when they are the same).
OPTIONS = ("timeout", "seed", "format", "memory", "accelerator", "objective")

# Processes running now, so that Ctrl-C (or a cancelled batch) can kill their groups.
_live = set()
_live_lock = threading.Lock()
_stopping = threading.Event()


def command(path, options):
    """The argument list after `python -m smtsched.batch.child` for `path` with `options`
    (a dict over OPTIONS; None values are left out, as a user would leave them out)."""
    get = options.get
    if get("accelerator") is not None:
        argv = ["dnn", path, "--json", "--accelerator", get("accelerator")]
        if get("objective") is not None:
            argv += ["--objective", get("objective")]
        if get("memory") is not None:
            argv += ["--mem-limit", str(get("memory"))]
    else:
        argv = ["solve", path, "--json"]
        if get("memory") is not None:
            argv += ["--memory", str(get("memory"))]
    if get("format") is not None:
        argv += ["--format", get("format")]
    if get("seed") is not None:
        argv += ["--seed", str(get("seed"))]
    if get("timeout") is not None:
        argv += ["--timeout", repr(float(get("timeout")))]
    return argv


def run(path, options):
    """Solve `path` (an absolute path) in a new process; the record of its result (a dict:
    see `record`). Never raises for a problem of the instance."""
    options = {name: options.get(name) for name in OPTIONS}
    limit = options["timeout"]
    environment = dict(os.environ)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.time()
        environment["SMTSCHED_BATCH_SPAWNED"] = repr(started)
        clock = time.monotonic()
        try:
            # cwd: a neutral folder, so that `python -m` does not import a source checkout
            # the batch happens to be started in (tests/test_cli.py says why)
            process = subprocess.Popen(
                [sys.executable, "-m", "smtsched.batch.child", *command(path, options)],
                stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=environment,
                cwd=tempfile.gettempdir(), start_new_session=True)
        except OSError as problem:
            return record(path, options, None, b"", f"cannot start: {problem}".encode(), 0.0,
                          killed=False)
        with _live_lock:
            _live.add(process)
        if _stopping.is_set():  # Ctrl-C came while this one was starting
            _kill_group(process)
        killed = False
        try:
            deadline = None if limit is None else clock + limit + HARD_KILL_AFTER
            while process.poll() is None:
                if deadline is not None and time.monotonic() >= deadline:
                    _kill_group(process)
                    killed = True
                    break
                time.sleep(POLL)
        except BaseException:
            _kill_group(process)
            raise
        finally:
            with _live_lock:
                _live.discard(process)
        wall = time.monotonic() - clock
        out.seek(0)
        err.seek(0)
        return record(path, options, process.returncode, out.read(), err.read(), wall, killed)


def _kill_group(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def kill_all():
    """Kill every instance running now, and any that starts after (Ctrl-C of the batch)."""
    _stopping.set()
    with _live_lock:
        running = list(_live)
    for process in running:
        _kill_group(process)


def record(path, options, code, out, err, wall, killed):
    """The result record: the input, the options, what `smtsched solve --json` printed
    (status, objective, lower_bound, gap, runtime, starts, reason, stats; for an SMT-LIB
    script, its answers and output lines), the wall time from spawn to end, and `exit`:
    solved (a proven answer: OPTIMAL or INFEASIBLE; every check-sat sat or unsat), timeout
    (the solver's own limit ended it, with its best answer), memout, killed (the hard kill
    ended it: no answer), error (with `error`, the message the command printed), or unknown
    (ended by itself without a proof, e.g. an SMT-LIB unknown before the limit)."""
    text = out.decode("utf-8", "backslashreplace")
    message = err.decode("utf-8", "backslashreplace").strip()
    entry = {"input": path, "options": options, "exit": None, "error": None,
             "wall": round(wall, 3)}
    if killed:
        entry.update(exit=KILLED, status="UNKNOWN",
                     error=f"killed {HARD_KILL_AFTER} s past the {options['timeout']} s limit")
        return entry
    answer = _json_answer(text)
    if answer is not None:
        entry.update(answer)
        status, reason = answer.get("status"), answer.get("reason") or ""
        if status in ("OPTIMAL", "INFEASIBLE"):
            entry["exit"] = SOLVED
        elif reason.startswith("timeout"):
            entry["exit"] = TIMEOUT
        elif reason.startswith("memout"):
            entry["exit"] = MEMOUT
        elif code == 0 and status == "FEASIBLE" and not reason:
            entry["exit"] = SOLVED  # feasibility only (no objective to prove)
        else:
            entry["exit"] = ERROR if code else UNKNOWN
            if code or reason:
                entry["error"] = message or reason or None
        return entry
    lines = text.splitlines()
    answers = [line for line in lines if line in ("sat", "unsat", "unknown")]
    errors = [line for line in lines if line.startswith("(error")]
    if code == 0 and not errors and (answers or not message):
        entry.update(status=answers[-1] if answers else None, answers=answers, output=lines)
        if "unknown" not in answers:
            entry["exit"] = SOLVED
        else:
            limit = options["timeout"]
            entry["exit"] = TIMEOUT if limit is not None and wall >= limit else UNKNOWN
        return entry
    if lines:
        entry.update(status=answers[-1] if answers else None, answers=answers, output=lines)
    entry["exit"] = ERROR
    entry["error"] = "\n".join(errors + ([message] if message else [])) or \
        f"the command ended with code {code} and printed nothing"
    if code is not None and code < 0:
        entry["error"] += f" (ended by signal {-code})"
    return entry


def _json_answer(text):
    """The one JSON object a scheduling format prints with --json, or None."""
    text = text.strip()
    if not text.startswith("{"):
        return None
    try:
        answer = json.loads(text)
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None
