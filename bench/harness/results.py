"""The raw results file every suite writes: JSON, one schema

    {"schema": "bench-results-1", "suite": "run" | "smtlib" | "sched" | "dnn",
     "meta": {command, cwd, started, finished, load_start, load_end, timeout, grace, solvers,
              data, machine (bench.harness.machine), ... suite fields},
     "rows": [one per instance, suite fields],
     "notes": [free text shown at the top of the report],
     ... suite fields (smtlib: "startup")}

rewritten (atomically) after every run, so an interrupted benchmark still leaves its runs.
Files of older harnesses (no "schema") load too: their notes may sit in meta."""
import datetime
import json
import os
import shlex
import sys

from . import Fatal, machine

SCHEMA = "bench-results-1"


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def load_average():
    try:
        return " ".join("%.2f" % x for x in os.getloadavg())
    except OSError:
        return "?"


def command_line(module, argv):
    return " ".join([sys.executable, "-m", module] + [shlex.quote(x) for x in argv])


def run_meta(module, argv):
    """The first entries of a run's meta: its command line, where and when it started, the load
    then (what bench.harness.report.head shows)."""
    return {"command": command_line(module, argv), "cwd": os.getcwd(), "started": now(),
            "load_start": load_average()}


def finish_meta(meta):
    meta["finished"], meta["load_end"] = now(), load_average()


def write(path, suite, meta, rows, notes, indent=1, **extra):
    """Write the raw results by way of a temporary file: a reader never sees half a file."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as stream:
        json.dump(dict({"schema": SCHEMA, "suite": suite, "meta": meta, "rows": rows,
                        "notes": notes}, **extra), stream, indent=indent, default=repr)
    os.replace(tmp, path)


def load(path):
    with open(path) as stream:
        saved = json.load(stream)
    saved.setdefault("notes", saved["meta"].get("notes", []))
    return saved


def write_text(path, text):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as stream:
        stream.write(text)


def write_all(a, suite, render, meta, rows, notes, **extra):
    """The end of a run: the raw results (a.json) and the report `render` makes of them (a.out)."""
    write(a.json, suite, meta, rows, notes, **extra)
    write_text(a.out, render(meta, rows, notes))
    print("wrote %s and %s" % (a.out, a.json), file=sys.stderr)


def close(a, suite, render, meta, rows, notes, **extra):
    """The end of a run: its finish time and load, a warning when smtsched's code changed
    under it, then the raw results and the report (write_all)."""
    finish_meta(meta)
    notes += machine.code_change_notes(meta["machine"])
    write_all(a, suite, render, meta, rows, notes, **extra)


def rewrite_report(a, render):
    """--rewrite-report: write a.out again from the raw results file, no solving; its rows."""
    saved = load(a.rewrite_report)
    write_text(a.out, render(saved["meta"], saved["rows"], saved["notes"]))
    print("wrote %s" % a.out)
    return saved["rows"]


def load_resume(a, meta):
    """The raw results file `a.resume`, refused (Fatal) when it ran with another time limit or,
    with smtsched among `a.solvers`, measured other smtsched code than this run (`meta`)."""
    saved = load(a.resume)
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


def resumed(a, meta, notes, old, kept=None):
    """Say in `meta` and `notes` that this run goes on from `a.resume` (whose meta is `old`,
    `kept` runs taken over): the report keeps the first start."""
    meta["resumed_from"] = {"file": a.resume, "started": old.get("started")}
    if kept is not None:
        meta["resumed_from"]["runs_kept"] = kept
    meta["started"] = old.get("started", meta["started"])
    notes.append("resumed%s from %s (started %s)" % (
        "" if kept is None else ": %d runs kept" % kept, a.resume, old.get("started")))


class Progress:
    """The runs of one benchmark, one at a time: counts them ("[done/planned] ..." on stderr),
    rewrites the raw results after each (a crash or a kill of the harness still leaves them),
    and turns Ctrl-C or SIGTERM into the end of the loop: `interrupted`, and the report is
    written from what finished.

        progress = results.Progress(a.json, "sched", meta, rows, notes)
        with progress:
            for ...:
                progress.ran("la01 cpsat1 optimal")
    """

    def __init__(self, path, suite, meta, rows, notes, **extra):
        self.path, self.suite, self.meta, self.rows, self.notes = path, suite, meta, rows, notes
        self.extra = extra
        self.interrupted = False
        meta.setdefault("runs_done", 0)

    def ran(self, line=None, count=1):
        self.meta["runs_done"] += count
        if line is not None:
            print("[%d/%d] %s" % (self.meta["runs_done"], self.meta["runs_planned"], line),
                  file=sys.stderr, flush=True)
        if self.path:
            write(self.path, self.suite, self.meta, self.rows, self.notes, indent=None,
                  **self.extra)

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if kind is not None and issubclass(kind, KeyboardInterrupt):
            self.interrupted = self.meta["interrupted"] = True
            return True
        return False
