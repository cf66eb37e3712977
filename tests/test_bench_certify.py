"""The certificate benchmark (bench/certify.py) measures what issue 15 asks and flags what
must not pass: its summary counts a rejected certificate, a missing one and a WRONG answer
against the targets, and a smoke run on tiny instances of every suite ends with every
certificate verified.

The smoke run is `python -m bench.certify` in a subprocess from the checkout root, as the
benchmark is run: one instance per suite (la01 at 665 as a decision, la01, j301_1, one small
SMT-LIB unsat file, and Pumpkin on j301_1 when pumpkin-solver is installed), 10 s per run.
"""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(ROOT, "..", "shared", "data")
SMALL_SMTLIB = "QF_IDL/Averest-binary_search/BinarySearch_live_bgmc003.smt2"


def _bench_certify():
    sys.path.insert(0, ROOT)
    try:
        from bench import certify
    finally:
        # bench/__init__.py takes the root off the path (the source folder smtsched/ must
        # not shadow the installed package); make sure in any case
        sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != ROOT]
    return certify


def _run(verdict="solved", time=1.0, **extra):
    return dict({"verdict": verdict, "time": time, "killed": False}, **extra)


def _row(name, plain, proof, check=None, size=None):
    runs = {"plain": plain, "proof": proof}
    if check is not None:
        runs["check"] = check
    return {"suite": "la", "name": name, "expected": "optimal", "optimum": 10, "runs": runs,
            "size": size}


def test_summary_counts_rejected_missing_and_wrong_certificates():
    certify = _bench_certify()
    size = {"bytes": 100, "drup_lines": 5, "lemmas": 2, "files": {"proof.drup": 60}}
    rows = [
        _row("a", _run(time=1.0), _run(time=1.1, certificate=True),
             {"status": "verified", "time": 2.0}, size),
        _row("b", _run(time=1.0), _run(time=2.0, certificate=True),
             {"status": "rejected", "time": 0.5, "reason": "line 3 is not RUP"}, size),
        _row("c", _run(time=1.0), _run(time=1.2, certificate=False, certificate_note="why")),
        _row("d", _run("WRONG", problems=["OPTIMAL 9, the optimum is 10"]),
             _run("unsolved", time=None)),
    ]
    s = certify.suite_summary(rows)
    assert (s["plain_solved"], s["proof_solved"], s["certified"], s["verified"]) == (3, 3, 2, 1)
    assert s["rejected"] == ["b"] and s["wrong"] == ["d"]
    assert s["overhead_n"] == 3 and s["overhead_median"] == pytest.approx(1.2)
    assert s["overhead_p90"] == pytest.approx(2.0)
    assert s["check_n"] == 1 and s["check_median"] == pytest.approx(2.0 / 1.1)
    meta = {"suites": ["la"], "cwd": ROOT, "command": "x", "started": "t", "load_start": "0",
            "timeout": 10, "check_timeout": 50, "grace": 1, "repeat": 1, "data": DATA,
            "machine": {}}
    text = certify.render(meta, rows, [])
    assert "REJECTED CERTIFICATE" in text and "WRONG on d" in text
    assert "certified and verified 100%: NOT met" in text
    assert "**no certificate**: why" in text


def test_judge_flags_answers_that_contradict_the_reference():
    certify = _bench_certify()
    machine = {"tasks": [["a", 3], ["b", 2]], "precedences": [["a", "b"]],
               "resources": [["m0", 1, [["a", 1], ["b", 1]]]]}
    optimal = {"expected": "optimal", "optimum": 5, "model": machine}
    good = {"a": 0, "b": 3}

    def verdict(inst, **run):
        return certify.judge(inst, dict({"killed": False, "time": 1.0}, **run), 10)

    assert verdict(optimal, status="OPTIMAL", objective=5, lower_bound=5, starts=good) == "solved"
    assert verdict(optimal, status="OPTIMAL", objective=6, lower_bound=6,
                   starts={"a": 0, "b": 4}) == "WRONG"       # not the known optimum
    assert verdict(optimal, status="FEASIBLE", objective=5, starts={"a": 0, "b": 2}) == "WRONG"
    assert verdict(optimal, status="INFEASIBLE") == "WRONG"
    assert verdict(optimal, status="Optimal", objective=5, starts=good) == "solved"   # Pumpkin
    assert verdict(optimal, status="OPTIMAL", objective=5, lower_bound=5, starts=good,
                   time=11.0) == "late"
    assert verdict(optimal, status="UNKNOWN") == "unsolved"
    unsat = {"expected": "unsat", "optimum": None}
    assert verdict(unsat, answers=["unsat"], status="unsat") == "solved"
    assert verdict(unsat, answers=["sat"], status="sat") == "WRONG"
    assert verdict(unsat, answers=[], status=None) == "unsolved"
    infeasible = {"expected": "infeasible", "optimum": 5, "model": machine}
    assert verdict(infeasible, status="INFEASIBLE") == "solved"
    assert verdict(infeasible, status="FEASIBLE", objective=4, starts=good) == "WRONG"


def test_percentile_is_nearest_rank_and_times_under_a_millisecond_are_floored():
    certify = _bench_certify()
    assert certify.percentile([5, 1, 4, 2, 3], 90) == 5
    assert certify.percentile(list(range(1, 11)), 90) == 9
    assert certify.percentile([], 50) is None
    row = _row("x", _run(time=0.0), _run(time=0.0005))
    assert certify.overhead(row) == 1.0   # both count as 1 ms: no ratio made of timer noise


def test_smoke_run_of_every_suite_verifies_every_certificate(tmp_path):
    for sub in ("jssp", "rcpsp/j30", "smtlib"):
        if not os.path.isdir(os.path.join(DATA, sub)):
            pytest.skip(f"the shared benchmark data is absent ({DATA}/{sub})")
    suites = "jobshop-decisions,la,j30,smtlib"
    try:
        import pumpkin_solver  # noqa: F401
        suites += ",pumpkin"
    except ImportError:
        pass   # Pumpkin is an optional anchor (pip install pumpkin-solver)
    out = tmp_path / "certify.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench.certify", "--suite", suites, "--data", DATA,
         "--only", "la01,j301_1," + SMALL_SMTLIB, "--limit", "1", "--timeout", "10",
         "--repeat", "2",
         "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    text = done.stdout + done.stderr
    assert done.returncode != 3, "WRONG answer or rejected certificate: " + text[-3000:]
    assert done.returncode == 0, text[-3000:]
    saved = json.loads(out.with_suffix(".json").read_text())
    rows = saved["rows"]
    assert sorted(r["suite"] for r in rows) == sorted(suites.split(","))
    for row in rows:
        assert row["runs"]["plain"]["verdict"] == "solved", row
        assert row["runs"]["proof"]["verdict"] == "solved", row
        if row["suite"] == "pumpkin":
            assert row["size"]["bytes"] > 0, row   # its proof log was written
            continue
        assert row["runs"]["check"]["status"] == "verified", row
        assert row["size"]["bytes"] > 0 and row["size"]["drup_lines"] > 0, row
        if row["runs"]["plain"]["time"] < 1.0:   # every run here is short: all repeated
            assert len(row["runs"]["plain"]["times"]) == 2, row
    decision = next(r for r in rows if r["suite"] == "jobshop-decisions")
    assert decision["bound"] == 665   # la01's optimum 666, minus one
    report = out.read_text()
    assert report.count("certified and verified 100%: met") == 4, report


def test_overhead_by_solve_time_puts_each_instance_in_its_band():
    certify = _bench_certify()
    rows = [_row("fast", _run(time=0.001), _run(time=0.003)),
            _row("mid", _run(time=0.05), _run(time=0.06)),
            _row("mid2", _run(time=0.02), _run(time=0.03)),
            _row("slow", _run(time=2.0), _run(time=2.2)),
            _row("lost", _run(time=2.0), _run("unsolved", time=None))]
    text = "\n".join(certify.by_solve_time(["la"], rows))
    lines = [line for line in text.splitlines() if line.startswith("| ")][1:]
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in lines]
    bands = {c[1]: c for c in cells if c[0] != "---"}
    assert bands["under 10 ms"][2] == "1" and bands["under 10 ms"][3].startswith("3")
    assert bands["10 ms to 100 ms"][2] == "2"
    assert bands["1 s or more"][2] == "1" and bands["1 s or more"][5] == "200.0 ms"
    assert "100 ms to 1 s" not in bands
