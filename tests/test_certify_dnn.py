"""Certificates of the DNN front end (issue 15; docs/certificates.md, "The front ends"):
`DnnProblem.solve(proof=DIR)` and `smtsched dnn ... --proof DIR` write the certificate of an
OPTIMAL or INFEASIBLE answer through `Model.solve(proof=...)` (the whole model, as
DIR/model.json), which the independent checker verifies (memory budgets too); a model the
checker cannot read gets none, and the reason is said (Result.certificate_note, standard
error, --json).

Graphs: a small GPT-like transformer made here (tests/gpt_graph.py, needs onnx) and, when
../shared/data is there, a random layered graph of Moccasin's (skipped otherwise).
"""
import json
import os
import subprocess
import sys
import time

import pytest

from smtsched.certify import check
from smtsched.dnn import Accelerator, DnnProblem, load_graph
from smtsched.sched.result import FEASIBLE, OPTIMAL, Result

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(HERE, "..", "..", "shared", "data")

# npu-small without its memory: one tensor core, two vector units, metadata for free
NPU = {"name": "npu-no-memory", "units": {"tensor": 1, "vector": 2}, "rules": [
    {"ops": ["MatMul", "Gemm"], "units": ["tensor"],
     "latency": {"fixed": 8, "per_work": "1/1024"}},
    {"ops": ["Reshape", "Transpose", "Slice"], "units": "none", "latency": 0},
    {"ops": "*", "units": ["vector"], "latency": {"fixed": 2, "per_work": "1/32"}}]}


@pytest.fixture(scope="module")
def gpt_file(tmp_path_factory):
    onnx = pytest.importorskip("onnx", reason="the GPT-like graph is built with onnx")
    from gpt_graph import gpt_model
    path = tmp_path_factory.mktemp("graph") / "gpt.onnx"
    onnx.save(gpt_model(1, heads=2, seq=16, width=32), str(path))
    return path


def verified(folder):
    verdict = check(str(folder))
    assert verdict.ok, f"{folder}: {verdict.status}: {verdict.reason}"


def test_an_optimal_dnn_schedule_without_memory_limit_gets_a_verified_certificate(
        gpt_file, tmp_path):
    problem = DnnProblem(load_graph(str(gpt_file)), Accelerator.from_dict(NPU))
    schedule = problem.solve(proof=str(tmp_path))
    assert schedule.status == OPTIMAL
    assert schedule.result.stats.get("segments", 1) > 1   # solved segment by segment
    assert schedule.result.certificate == str(tmp_path)
    assert schedule.result.certificate_note == ""
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["input"]["format"] == "model"
    assert manifest["claim"] == {"kind": "optimal", "objective": "makespan",
                                 "value": schedule.latency}
    verified(tmp_path)
    assert '"certificate":' in schedule.to_json()


def test_a_memory_limit_gets_a_verified_certificate(gpt_file, tmp_path):
    problem = DnnProblem(load_graph(str(gpt_file)), Accelerator.from_dict(NPU),
                         memory=10 ** 6)
    schedule = problem.solve(proof=str(tmp_path / "c"))
    assert schedule.status == OPTIMAL
    assert schedule.result.certificate == str(tmp_path / "c")
    assert json.loads((tmp_path / "c" / "model.json").read_text())["memories"]
    verified(tmp_path / "c")


def test_an_unproven_answer_or_no_time_left_gets_no_certificate(gpt_file, tmp_path):
    problem = DnnProblem(load_graph(str(gpt_file)), Accelerator.from_dict(NPU))
    optimal = problem.solve().result
    feasible = Result(problem.model, FEASIBLE, objective=optimal.objective + 1,
                      lower_bound=optimal.objective, starts=optimal._starts,
                      present=optimal._present)
    problem._certify(feasible, str(tmp_path), None, 0, False)
    assert feasible.certificate is None
    assert feasible.certificate_note == "no certificate: the answer is FEASIBLE, not proven"
    problem._certify(optimal, str(tmp_path), time.perf_counter() - 1, 0, False)
    assert optimal.certificate is None and "no time left" in optimal.certificate_note
    assert not (tmp_path / "manifest.json").exists()


def run(*args):
    # from the tests folder (see tests/test_certify_cli.py)
    return subprocess.run([sys.executable, "-m", "smtsched", *args], capture_output=True,
                          text=True, timeout=300, cwd=HERE)


def test_the_command_line_writes_and_says_where_or_why_not(gpt_file, tmp_path):
    accelerator = tmp_path / "npu.json"
    accelerator.write_text(json.dumps(NPU))
    folder = tmp_path / "cert"
    solved = run("dnn", str(gpt_file), "--accelerator", str(accelerator), "--proof",
                 str(folder))
    assert solved.returncode == 0, solved.stderr
    assert f"smtsched: certificate written to {folder}" in solved.stderr
    checked = run("check-proof", str(folder))
    assert checked.returncode == 0 and "verified" in checked.stdout, checked.stdout
    limited = run("dnn", str(gpt_file), "--accelerator", str(accelerator), "--memory",
                  "1000000", "--proof", str(tmp_path / "limited"), "--json")
    assert limited.returncode == 0, limited.stderr
    data = json.loads(limited.stdout)   # --json says it in the object, not on stderr
    assert data["status"] == "OPTIMAL" and data["certificate"] == str(tmp_path / "limited")
    assert "certificate" not in limited.stderr
    verified(tmp_path / "limited")


def test_a_moccasin_graph_on_one_core_gets_a_verified_certificate(tmp_path):
    path = os.path.join(DATA, "dnn", "moccasin",
                        "random_layered_n100_w0.27_nlv0.75_ed0.2_scd0.14.json")
    if not os.path.exists(path):
        pytest.skip(f"benchmark data not found: {path} (set SMTSCHED_DATA)")
    core = Accelerator.from_dict({"units": {"core": 1}, "rules": [
        {"ops": "*", "units": ["core"], "latency": {"fixed": 1, "per_work": "1/256"}}]})
    schedule = DnnProblem(load_graph(path), core).solve(proof=str(tmp_path))
    assert schedule.status == OPTIMAL and schedule.result.certificate == str(tmp_path)
    verified(tmp_path)
