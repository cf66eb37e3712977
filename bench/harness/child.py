"""The child's side of a benchmark run (see bench.harness.process): one solver run in this
process, its answer printed as one marked JSON line on stdout.

Imports nothing from bench: bench/dnn_worker.py runs by path from a scratch directory, with
only bench/ on sys.path, and imports this as `harness.child`.

Time inside the child is measured with `Clock` (time.perf_counter, wall time): a suite starts
it where its solver's work starts (model building) and reads it at the answer, the same way
for every solver of the suite.
"""
import json
import resource
import sys
import time
import traceback


def limit_memory(mb):
    """Address-space limit of this process (and its children), in MB; 0 or None: none."""
    if mb and mb > 0:
        resource.setrlimit(resource.RLIMIT_AS, (mb << 20, mb << 20))


def stage(name):
    """Where the run is ("STAGE build" on stderr): a run killed at the limit says where."""
    print("STAGE " + name, file=sys.stderr, flush=True)


class Clock:
    """Wall seconds since it was made (time.perf_counter)."""

    def __init__(self):
        self.t0 = time.perf_counter()

    def __call__(self):
        return time.perf_counter() - self.t0


def emit(mark, payload):
    """The marked line the parent reads (bench.harness.process.marked)."""
    sys.stdout.flush()
    print(mark + json.dumps(payload, default=repr), flush=True)


def run(mark, body, out=None, memory_limit_mb=0, failed=(("status", "UNKNOWN"),)):
    """Call body(out) under the memory limit, catch what it raises into out["error"] (a
    MemoryError as "out of memory") with the fields `failed`, add the peak resident size and
    print `out` as the marked line. Returns 0: the answer is in the line, never in the exit
    code."""
    out = {} if out is None else out
    try:
        limit_memory(memory_limit_mb)
        body(out)
    except MemoryError:
        out.update(failed)
        out["error"] = "out of memory (MemoryError under the %s)" % (
            "%d MB limit" % memory_limit_mb if memory_limit_mb else "address-space limit")
    except BaseException as problem:  # reported in the line, not as a traceback in the parent
        out.update(failed)
        out["error"] = "%s: %s" % (type(problem).__name__, problem)
        out["traceback"] = traceback.format_exc()[-2000:]
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    emit(mark, out)
    return 0
