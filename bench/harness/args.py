"""The options every suite shares, and where the benchmark data lives.

Each suite builds its parser with `parser(...)`, naming its own defaults (its time limit,
grace, report file, solvers) and which of the optional shared options it takes, then adds its
own options; `finish(...)` checks and normalises what all suites check alike.
There is no --jobs: runs are sequential on purpose (see bench.harness.process).
"""
import argparse
import fnmatch
import json
import os
import sys

from . import CHECKOUT, RESULTS, Fatal, process


class DataMissing(Exception):
    pass


def data_dir(override=None):
    """--data, else $SMTSCHED_DATA, else ../shared/data relative to the checkout root."""
    if override:
        d, origin = override, "--data"
    elif os.environ.get("SMTSCHED_DATA"):
        d, origin = os.environ["SMTSCHED_DATA"], "$SMTSCHED_DATA"
    else:
        d = os.path.join(CHECKOUT, "..", "shared", "data")
        origin = "default (../shared/data relative to the checkout %s)" % CHECKOUT
    d = os.path.abspath(d)
    if not os.path.isdir(d):
        raise DataMissing("data directory %s does not exist (from %s); pass --data DIR or set "
                          "SMTSCHED_DATA" % (d, origin))
    return d


def read_index(folder, what):
    """The index.json of a data folder ({file or instance: facts}) and its path; DataMissing
    when it is absent."""
    path = os.path.join(folder, "index.json")
    if not os.path.isfile(path):
        raise DataMissing("%s does not exist: the %s are missing from the data directory (see "
                          "shared/data/README.md)" % (path, what))
    with open(path) as stream:
        return json.load(stream), path


def listed_file(folder, name, index_path):
    """The path of a file an index lists; DataMissing when it is not there."""
    path = os.path.join(folder, name)
    if not os.path.isfile(path):
        raise DataMissing("%s is listed in %s but missing" % (path, index_path))
    return path


def default_out(name):
    """A report's default place: bench/results/NAME."""
    return os.path.join(RESULTS, name)


def parser(prog, description, out, solvers, timeout=60.0, grace=10.0, timeout_type=float,
           python=True, resume=True, memory_limit_mb=None, seed=False, grace_help=None,
           solver_default=None, only_help="comma-separated globs on instance names"):
    """An ArgumentParser with the shared options. `out`: the default report (under
    bench/results/, or None for a suite that picks it itself); `solvers`: the suite's solvers;
    `memory_limit_mb`: its default address-space limit (None: no such option); `python`,
    `resume`: whether it takes --python, --resume; `seed`: False (no --seed), or its default
    (None: each solver's own)."""
    p = argparse.ArgumentParser(prog=prog, description=description,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--timeout", type=timeout_type, default=timeout,
                   help="limit per run, seconds (%g)" % timeout)
    p.add_argument("--grace", type=float, default=grace, help=grace_help or
                   "seconds past the limit before the process group is killed (%g)" % grace)
    p.add_argument("--only", default="", help=only_help)
    p.add_argument("--solvers", default=",".join(solver_default or solvers),
                   help="subset of %s" % ",".join(solvers))
    p.add_argument("--data", help="data directory; default $SMTSCHED_DATA or ../shared/data")
    p.add_argument("--out", default=out, help="markdown report (%s)" % (
        os.path.relpath(out, CHECKOUT) if out else "see above"))
    p.add_argument("--json", default=None,
                   help="raw results, rewritten after every run (default: --out with .json)")
    p.add_argument("--rewrite-report", metavar="JSON", help="re-render --out from a raw results file")
    if python:
        p.add_argument("--python", default=sys.executable,
                       help="interpreter that runs smtsched (default: this one)")
    if resume:
        p.add_argument("--resume", metavar="JSON",
                       help="keep the runs of an earlier raw results file (same time limit and "
                            "smtsched code) and run only the missing ones")
    if memory_limit_mb is not None:
        p.add_argument("--memory-limit-mb", type=int, default=memory_limit_mb,
                       help="address-space limit of every solver process, MB (%d; 0: none)"
                            % memory_limit_mb)
    if seed is not False:
        p.add_argument("--seed", type=int, default=seed, help="seed every solver gets (%s)" % (
            "default: each solver's own" if seed is None else seed))
    return p


def subset(p, text, allowed, what):
    """The comma list `text` as a sublist of `allowed`, in allowed's order (tables always read
    the same way); a usage error (exit 2) on an unknown or empty choice."""
    chosen = [s.strip() for s in text.split(",") if s.strip()] if isinstance(text, str) else text
    bad = [s for s in chosen if s not in allowed]
    if bad or not chosen:
        p.error("--%s: unknown %s (choose from %s)" % (what, ",".join(bad) or "(none)",
                                                      ",".join(allowed)))
    return [s for s in allowed if s in chosen]


def finish(p, a, solvers):
    """What every suite checks: a known --solvers subset, a positive --timeout, --json beside
    --out by default."""
    a.solvers = subset(p, a.solvers, solvers, "solvers")
    if a.timeout <= 0:
        p.error("--timeout must be positive")
    if a.json is None and a.out:
        a.json = os.path.splitext(a.out)[0] + ".json"
    return a


def patterns(only):
    """--only as a list of globs."""
    return [x.strip() for x in (only or "").split(",") if x.strip()]


def wanted(name, globs):
    """Whether `name` passes --only (no globs: everything does)."""
    return not globs or any(fnmatch.fnmatchcase(name, g) for g in globs)


def guarded(name, fn, *fn_args):
    """Run a suite's `fn`: SIGTERM ends it like Ctrl-C (the partial results are written), and
    a Fatal or DataMissing ends it with one line on stderr and exit code 2."""
    process.interrupt_on_sigterm()
    try:
        return fn(*fn_args)
    except (Fatal, DataMissing) as problem:
        print("%s: %s" % (name, problem), file=sys.stderr)
        return 2


def exit_code(interrupted, wrong):
    """130 interrupted, 3 a WRONG answer, else 0: the exit codes of every suite."""
    return 130 if interrupted else 3 if wrong else 0
