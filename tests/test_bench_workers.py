"""Issue 17's 2-worker comparison: bench/sched.py's `smtsched2` runs `smtsched solve --workers 2`
(against `cpsat2`, CP-SAT with num_workers 2), and bench/project.py passes --workers to both
solvers. A stand-in interpreter records the command line each benchmark starts. Under 1 s.
"""
import json
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
try:
    from bench import project, sched  # noqa: E402
finally:
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != ROOT]

# prints what smtsched solve --json would, with its own command line in the statistics
FAKE = """#!%s
import json, sys
print(json.dumps({"status": "UNKNOWN", "objective": None, "lower_bound": None,
                  "runtime": 0.0, "starts": {}, "reason": "fake", "stats": {"argv": sys.argv[1:]}}))
""" % sys.executable


@pytest.fixture
def fake_python(tmp_path):
    path = tmp_path / "python"
    path.write_text(FAKE)
    path.chmod(0o755)
    return str(path)


def test_sched_smtsched2_passes_two_workers(tmp_path, fake_python):
    a = sched.parse_args(["--solvers", "smtsched,smtsched2,cpsat2", "--python", fake_python,
                          "--timeout", "7"])
    assert a.solvers == ["smtsched", "smtsched2", "cpsat2"]
    inst = {"path": str(tmp_path / "la01.txt")}
    one = sched.run_one("smtsched", inst, a, str(tmp_path))["stats"]["argv"]
    two = sched.run_one("smtsched2", inst, a, str(tmp_path))["stats"]["argv"]
    assert one == ["-m", "smtsched", "solve", "--json", "--timeout", "7", inst["path"]]
    assert two == ["-m", "smtsched", "solve", "--json", "--timeout", "7", "--workers", "2",
                   inst["path"]]
    # the default solvers are those of the earlier reports
    assert sched.parse_args([]).solvers == ["smtsched", "cpsat1", "cpsat2", "z3"]


def test_project_passes_workers_to_smtsched(tmp_path, fake_python):
    for workers, expected in ((1, []), (2, ["--workers", "2"])):
        a = project.parse_args(["--python", fake_python, "--timeout", "3", "--workers",
                                str(workers)])
        argv = project.run_one("smtsched", "x.sch", a, str(tmp_path))["stats"]["argv"]
        assert argv == ["-m", "smtsched", "solve", "--json", "--timeout", "3"] + expected + ["x.sch"]
    assert json.loads(json.dumps(project.parse_args([]).solvers)) == ["smtsched", "cpsat"]
