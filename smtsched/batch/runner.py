"""`smtsched batch INPUTS... --out results.jsonl`: the queue, the worker slots, the progress.

Locally, `workers` threads each wait on one instance process at a time (the threads only
wait: the work is in the processes). With `--dask ADDRESS`, every instance is a task of a
`distributed.Client`; the task runs the same `instance.run` on a worker machine (so the same
process and hard kill), and the records stream back with `as_completed` and are written here.
Either way, records are written in the order the instances end; each names its input.
"""
import os
import sys
import time

from . import instance, results
from ..input_formats import SCHEDULE_EXTENSIONS

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# The files a folder given as an input contributes: every extension `smtsched solve` reads by
# itself (SMT-LIB and the scheduling formats, the CLI's own list); with --accelerator, the
# graph formats of `smtsched dnn`.
SOLVE_EXTENSIONS = (".smt2",) + SCHEDULE_EXTENSIONS
DNN_EXTENSIONS = (".onnx", ".json", ".gml")


def expand(inputs, dnn=False):
    """The files to solve, in the order given; a folder stands for its files of a known
    extension, sorted by name (not recursively). A missing path stays in the list: its
    record says so."""
    extensions = DNN_EXTENSIONS if dnn else SOLVE_EXTENSIONS
    files = []
    for name in inputs:
        if os.path.isdir(name):
            files += sorted(os.path.join(name, entry) for entry in os.listdir(name)
                            if entry.lower().endswith(extensions) and entry != "index.json"
                            and os.path.isfile(os.path.join(name, entry)))
        else:
            files.append(name)
    seen, unique = set(), []
    for name in files:  # the same file twice would be the same record twice
        if os.path.abspath(name) not in seen:
            seen.add(os.path.abspath(name))
            unique.append(name)
    return unique


def options_of(args):
    return {"timeout": args.timeout, "seed": args.seed, "format": args.format,
            "memory": args.memory, "accelerator": _absolute(args.accelerator),
            "objective": args.objective if args.accelerator is not None else None}


def _absolute(path):
    return None if path is None else os.path.abspath(path)


def main(args):
    if args.timeout is not None and args.timeout <= 0:
        return _usage("--timeout must be positive")
    if args.memory is not None and args.memory <= 0:
        return _usage("--memory must be positive")
    if args.workers is not None and args.workers <= 0:
        return _usage("--workers must be positive")
    if args.dask is not None and args.workers is not None:
        return _usage("--workers is for this machine; a Dask cluster has its own workers")
    dnn_formats = ("onnx", "json", "moccasin", "gml")
    if args.format is not None and (args.format in dnn_formats) != (args.accelerator is not None):
        return _usage(f"--format {args.format} is " + (
            "a graph format: it needs --accelerator" if args.accelerator is None else
            "not a graph format (with --accelerator: onnx, json, moccasin or gml)"))
    options = options_of(args)
    files = expand(args.inputs, dnn=args.accelerator is not None)
    finished = results.done(args.out)
    todo = [name for name in files
            if results.key(os.path.abspath(name), options) not in finished]
    skipped = len(files) - len(todo)
    try:
        writer = results.Writer(args.out)
    except OSError as problem:
        return _usage(f"cannot write {args.out}: {problem.strerror}")
    if args.dask is not None:
        try:
            from distributed import Client, as_completed  # noqa: F401 (checked here)
        except ImportError:
            writer.close()
            print("smtsched: --dask needs Dask distributed: pip install smtsched[dask]",
                  file=sys.stderr)
            return EXIT_USAGE
    progress = Progress(len(todo), skipped, args.quiet)
    counts = {}

    def write(name, entry):
        entry["input"] = name
        entry["path"] = os.path.abspath(name)
        writer.write(_ordered(entry))
        counts[entry["exit"]] = counts.get(entry["exit"], 0) + 1
        progress.update(name, entry["exit"])

    interrupted = False
    try:
        if args.dask is not None:
            _run_dask(args.dask, todo, options, write)
        else:
            workers = args.workers or default_workers()
            _run_local(workers, todo, options, write)
    except KeyboardInterrupt:
        interrupted = True
        instance.kill_all()
    except DaskError as problem:
        progress.close()
        print(f"smtsched: {problem}", file=sys.stderr)
        return EXIT_ERRORS
    finally:
        progress.close()
        writer.close()
    summary = ", ".join(f"{counts[k]} {k}" for k in sorted(counts)) or "nothing run"
    print(f"smtsched: {sum(counts.values())} of {len(todo)} run ({summary}), {skipped} already "
          f"in {args.out}" + ("; interrupted" if interrupted else ""), file=sys.stderr)
    return EXIT_INTERRUPTED if interrupted else EXIT_OK


def default_workers():
    """One instance per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _ordered(entry):
    """The record's keys in a fixed order, the identity first (easier to read and to diff)."""
    first = ("input", "path", "options", "exit", "status", "objective", "lower_bound", "gap",
             "runtime", "wall", "reason", "error")
    ordered = {name: entry[name] for name in first if name in entry}
    ordered.update((name, value) for name, value in entry.items() if name not in ordered)
    return ordered


def _run_local(workers, todo, options, write):
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        waiting = {pool.submit(instance.run, os.path.abspath(name), options): name
                   for name in todo}
        while waiting:
            ended, _ = wait(list(waiting), timeout=0.2, return_when=FIRST_COMPLETED)
            for future in ended:
                write(waiting.pop(future), future.result())
    finally:
        # Ctrl-C: no new instance starts; the caller kills the running ones
        pool.shutdown(wait=False, cancel_futures=True)


class DaskError(Exception):
    pass


# How long to wait for the scheduler (a cluster's scheduler may be starting still).
CONNECT_TIMEOUT = "30s"


def _run_dask(address, todo, options, write):
    from distributed import Client, as_completed

    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except Exception as problem:  # OSError, TimeoutError, ValueError for a bad address
        raise DaskError(f"cannot connect to the Dask scheduler at {address}: {problem}")
    futures = []
    try:
        names = {}
        for name in todo:
            # pure=False: a task per run, never a result cached from an earlier one
            future = client.submit(instance.run, os.path.abspath(name), options, pure=False)
            names[future.key] = name
            futures.append(future)
        for future in as_completed(futures):
            name = names[future.key]
            try:
                entry = future.result()
            except Exception as problem:  # the worker died, or the task could not run
                entry = {"input": name, "options": options, "exit": instance.ERROR,
                         "status": None, "wall": None,
                         "error": f"the Dask task failed: {type(problem).__name__}: {problem}"}
            write(name, entry)
    finally:
        # after Ctrl-C: the tasks not started are dropped; a running one ends within its
        # limit plus a second (its process is killed there), its record is not written
        client.cancel(futures)
        client.close()


class Progress:
    """A progress bar on standard error when it is a terminal (tqdm if installed, else a
    line rewritten in place); nothing otherwise."""

    def __init__(self, total, skipped, quiet):
        self.total, self.done, self.bar = total, 0, None
        self.active = not quiet and sys.stderr.isatty() and total > 0
        self.started = time.monotonic()
        if not self.active:
            return
        try:
            from tqdm import tqdm
        except ImportError:
            return
        self.bar = tqdm(total=total, unit="instance", file=sys.stderr, dynamic_ncols=True,
                        desc="smtsched batch" + (f" ({skipped} done before)" if skipped else ""))

    def update(self, name, exit):
        self.done += 1
        if not self.active:
            return
        if self.bar is not None:
            self.bar.set_postfix_str(f"{os.path.basename(name)}: {exit}", refresh=False)
            self.bar.update(1)
            return
        elapsed = time.monotonic() - self.started
        sys.stderr.write(f"\r\033[K[{self.done}/{self.total}] {elapsed:.0f} s  "
                         f"{os.path.basename(name)}: {exit}")
        sys.stderr.flush()

    def close(self):
        if not self.active:
            return
        self.active = False
        if self.bar is not None:
            self.bar.close()
        else:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _usage(message):
    print(f"smtsched: {message}", file=sys.stderr)
    return EXIT_USAGE
