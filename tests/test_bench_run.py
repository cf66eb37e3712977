"""The job-shop / random difference-logic harness (bench/run.py) compares like with like:
smtsched and yices both as whole processes on the same SMT-LIB file, check times beside them,
and medians without the runs where both solvers timed out (a ratio of exactly 1 that says
nothing). Its self-test (bench/selftest.py: parser, checker, back ends, WRONG flagging, and
the two processes' answers and check times on ft06) must pass; a failure fails here.
"""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(ROOT, "..", "shared", "data")

sys.path.insert(0, ROOT)
try:
    from bench import run  # noqa: E402
finally:
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != ROOT]


def _row(sm, ya, sm_status, ya_status):
    return {"results": {"smtsched": sm, "yices": ya}, "wrong": {},
            "status": {"smtsched": sm_status, "yices": ya_status}}


def test_medians_leave_out_runs_where_both_timed_out():
    T = 10.0
    rows = [_row({"process_time": 2.0, "check_time": 1.0}, {"process_time": 1.0, "check_time": 0.5},
                 "sat", "sat"),
            _row({"process_time": 4.0, "check_time": 2.0}, {"process_time": 1.0, "check_time": 1.0},
                 "unsat", "unsat"),
            _row({}, {}, "timeout", "timeout"),
            _row({}, {}, "timeout", "timeout"),
            _row({"process_time": 5.0}, {}, "sat", "timeout")]
    med, n, censored, left_out = run.median_summary(rows, "smtsched", "yices", T, "process_time")
    # ratios 2, 4 and 0.5 (yices at the limit); the two both-timeout rows are not among them
    assert (med, n, censored, left_out) == ("2", 3, 1, 2)
    med, n, _, left_out = run.median_summary(rows, "smtsched", "yices", T, "check_time")
    assert (med, n, left_out) == ("2", 2, 2)  # the last row has no check time: no ratio
    assert run.PAIR_KEY == {"z3": "check_time", "yices": "process_time"}


def test_check_times_are_read_from_each_solvers_statistics():
    smtsched_out = "(:time 0.0)\nsat\n(:conflicts 3\n :time 0.25)\n((x 1))\n"
    yices_out = "(\n :total-run-time 0.004\n)\nsat\n(\n :total-run-time 0.504\n)\n((x 1))\n"
    from bench.formula import check_time_of
    assert check_time_of("smtsched", smtsched_out) == 0.25
    assert abs(check_time_of("yices", yices_out) - 0.5) < 1e-9
    assert check_time_of("yices", "sat\n") is None


def test_selftest():
    if not os.path.isfile(os.path.join(DATA, "jssp", "index.json")):
        pytest.skip(f"the shared benchmark data is absent ({DATA})")
    env = dict(os.environ, SMTSCHED_DATA=os.path.abspath(DATA))
    done = subprocess.run([sys.executable, "-m", "bench.selftest"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "bench self-test: ok" in done.stdout, \
        (done.stdout + done.stderr)[-4000:]


def test_profile_summary_counts_only_what_happens_inside_check(tmp_path):
    from bench.stacks import summarize_collapsed
    raw = tmp_path / "stacks.txt"
    raw.write_text(
        "main (w.py:1);solve_smtsched (f.py:2);Solver.check (smtsched/solver.py:3);"
        "propagate (theories/difference.pyx:4) 30\n"
        "main (w.py:1);solve_smtsched (f.py:2);Solver.check (smtsched/solver.py:3);"
        "CaDiCaL::solve (libcadical.so) 10\n"
        "main (w.py:1);solve_smtsched (f.py:2);build (smtsched/terms.py:9) 60\n")
    text = "\n".join(summarize_collapsed(str(raw)))
    assert "100 samples in the worker, 100 in solve_smtsched" in text and "40 inside" in text
    assert "75.0%  Cython difference-logic theory (difference.pyx)" in text
    assert "25.0%  CaDiCaL (C++)" in text and "terms.py" not in text
