"""The DNN benchmark harness (bench/dnn.py) checks what it measures: its checker accepts the
schedules the solvers produce and rejects them once broken on purpose.

Runs `python -m bench.dnn --check` (3 small instances, 5 s per run, about 20 s in all) from the
checkout root in a subprocess, as the benchmark is run. Exit code 1 is a harness failure; 3
means the harness worked and smtsched gave a WRONG answer (an invalid schedule, a bound or
OPTIMAL above a valid schedule, INFEASIBLE with a schedule at hand): that fails the test too,
with the answers in the message. A wrong answer is the worst bug; CI must not hide it.
"""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(ROOT, "..", "shared", "data")

pytest.importorskip("ortools", reason="the DNN benchmark compares with OR-Tools CP-SAT")
onnx = pytest.importorskip("onnx", reason="the self-check uses one of onnx's test models")


def _skip_without_inputs():
    light = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "light")
    if not os.path.isfile(os.path.join(light, "light_bvlc_alexnet.onnx")):
        pytest.skip("the onnx wheel ships no backend test models here")
    if not os.path.isdir(os.path.join(DATA, "dnn", "moccasin")):
        pytest.skip(f"the shared benchmark data is absent ({DATA})")
    for name in ("npu-small.toml", "single-core.toml"):
        if not os.path.isfile(os.path.join(ROOT, "examples", name)):
            pytest.skip(f"examples/{name} is missing")


def test_checker_on_hand_made_schedules():
    # the harness module only, no solver: valid and broken schedules of a tiny graph
    sys.path.insert(0, ROOT)
    try:
        from bench.dnn_check import checker_tests
    finally:
        # bench/__init__.py takes the root off the path itself (the source folder smtsched/
        # must not shadow the installed package); make sure in any case
        sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != ROOT]
    failed = [(name, detail) for name, ok, detail in checker_tests() if not ok]
    assert not failed, failed


def test_self_check(tmp_path):
    _skip_without_inputs()
    out = tmp_path / "check.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench.dnn", "--check", "--data", DATA, "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    text = done.stdout + done.stderr
    wrong = [line for line in text.splitlines() if line.startswith("SMTSCHED ANSWER")]
    assert done.returncode != 3, "smtsched gave WRONG answers: " + " | ".join(wrong)
    assert done.returncode == 0, text[-4000:]
    assert not wrong, wrong
    assert "all rejected: yes" in text, text[-4000:]
    assert "SELF-CHECK FAILED" not in text, text[-4000:]
    assert out.exists() and out.with_suffix(".json").exists()
