"""What every benchmark suite (bench.run, bench.smtlib, bench.sched, bench.dnn) shares.

- args:    the options every suite takes (--timeout, --grace, --only, --solvers, --data, --out,
           --json, --python, --memory-limit-mb, --seed, --rewrite-report, --resume) and the data
           directory lookup;
- machine: one description of the machine and the code under test (CPU, cores, memory, OS,
           Python, package versions, git commit and dirty flag, the smtsched a run measures);
- process: one worker mechanism, a child process per run, killed with its process group at
           the hard limit, under an address-space limit; its answer is one marked JSON line;
- child:   the child's side of that (the marked line, the limit, the clock); imports nothing
           from bench, so that a script run by path from a scratch directory can use it;
- results: the raw results file (JSON, one schema with suite-specific fields);
- report:  the markdown pieces every report has (header with command, commit and machine,
           tables, number formats).

The suites keep what is theirs: instances, solver commands, independent checkers, verdicts
and the tables of their RESULTS*.md.
"""
import os

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKOUT = os.path.dirname(BENCH)
RESULTS = os.path.join(BENCH, "results")  # reports, raw results and profiles: not code


class Fatal(Exception):
    """Ends the run with a one-line message (exit code 2), not a traceback."""
