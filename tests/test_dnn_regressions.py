"""Regression tests of issue 14 for the DNN layer: each holds the input that broke.

- item 7: zero-latency operators at a segment boundary made the segments' optimum wrong;
- item 2: a time-limited run on a graph with a choice of units gave no schedule at all;
- item 3: a status must agree with its numbers;
- item 8: INFEASIBLE because one tensor exceeds the memory says which, and carries no bound.
"""
import json
import os
import subprocess
import sys
import tempfile

import pytest

from smtsched.dnn import (Accelerator, DnnProblem, Operator, build_graph, load_accelerator,
                          load_graph)
from smtsched.dnn.segments import segments

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(os.path.dirname(ROOT), "shared", "data")


def smtsched(*args, timeout=120):
    # outside the checkout root, where the source folder (without the compiled theories)
    # would shadow the installed package
    return subprocess.run([sys.executable, "-m", "smtsched", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=tempfile.gettempdir())


def reshape_chain():
    """conv -> Reshape -> Reshape -> Relu; tensors 100, 100, 1000, 100, 100 bytes, the last an
    output. The 1000-byte tensor is written and read at the same instant: it occupies nothing."""
    ops = [Operator("conv", "Conv", 1000, ("in",), ("a",)),
           Operator("r1", "Reshape", 0, ("a",), ("b",)),
           Operator("r2", "Reshape", 0, ("b",), ("c",)),
           Operator("relu", "Relu", 100, ("c",), ("out",))]
    return build_graph("reshape-chain", ops, {"in": 100, "a": 100, "b": 1000, "c": 100,
                                              "out": 100}, outputs=["out"])


def xac():
    """X (Relu, work 0, writes x of 10 bytes), A (Reshape, writes T of 100 bytes), C (Reshape,
    reads x and T): X at 0-2, then A and C at 2, peak 10."""
    ops = [Operator("X", "Relu", 0, (), ("x",)), Operator("A", "Reshape", 0, (), ("T",)),
           Operator("C", "Reshape", 0, ("x", "T"), ())]
    return build_graph("xac", ops, {"x": 10, "T": 100})


ONE_VECTOR = Accelerator.from_dict({
    "name": "one-vector", "units": {"vector": 1},
    "rules": [{"ops": ["Reshape"], "units": "none", "latency": 0},
              {"ops": "*", "units": ["vector"], "latency": {"fixed": 2}}]})


def npu_small():
    return load_accelerator(os.path.join(EXAMPLES, "npu-small.toml"))


@pytest.mark.parametrize("split", [True, False])
def test_reshape_chain_fits_500_bytes_and_peaks_at_200(split):
    graph, npu = reshape_chain(), npu_small()
    peak = DnnProblem(graph, npu, "peak-memory").solve(split=split)
    assert (peak.status, peak.objective, peak.lower_bound) == ("OPTIMAL", 200, 200)
    for budget in (500, 200):
        run = DnnProblem(graph, npu, "latency", memory=budget).solve(split=split)
        assert run.status == "OPTIMAL" and run.peak_memory <= budget
        assert run.objective == run.latency == 15   # conv 8 + 1, relu 2 + 4
    assert DnnProblem(graph, npu, "latency", memory=199).solve(split=split).status == \
        "INFEASIBLE"


@pytest.mark.parametrize("split", [True, False])
def test_zero_latency_reader_of_two_branches_peaks_at_10(split):
    graph = xac()
    peak = DnnProblem(graph, ONE_VECTOR, "peak-memory").solve(split=split)
    assert (peak.status, peak.objective, peak.lower_bound) == ("OPTIMAL", 10, 10)
    run = DnnProblem(graph, ONE_VECTOR, "latency", memory=50).solve(split=split)
    assert (run.status, run.objective, run.peak_memory) == ("OPTIMAL", 2, 10)
    assert DnnProblem(graph, ONE_VECTOR, "latency", memory=9).solve(split=split).status == \
        "INFEASIBLE"


def test_unsound_boundaries_are_merged_only_when_memory_counts():
    graph = reshape_chain()
    assert segments(graph) == [["conv"], ["r1"], ["r2"], ["relu"]]
    shortest = {"conv": 9, "r1": 0, "r2": 0, "relu": 6}
    # r1's output is freed when r2 runs at the same instant: r1 and r2 go together; the
    # boundaries before r1 (conv takes time) and after r2 (relu takes time) stay
    assert segments(graph, shortest) == [["conv"], ["r1", "r2"], ["relu"]]
    assert segments(xac(), {"X": 2, "A": 0, "C": 0}) == [["X", "A", "C"]]
    # a zero-latency cut operator followed by an operator that takes time: still cut
    assert segments(graph, {"conv": 9, "r1": 0, "r2": 5, "relu": 6}) == \
        [["conv"], ["r1"], ["r2"], ["relu"]]


def test_reshape_chain_through_the_command_line(tmp_path):
    path = tmp_path / "chain.json"
    path.write_text(json.dumps(reshape_chain().to_json()))
    spec = os.path.join(EXAMPLES, "npu-small.toml")
    done = smtsched("dnn", str(path), "--accelerator", spec, "--memory", "500", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["status"], out["objective"], out["peak_memory"]) == ("OPTIMAL", 15, 200)
    done = smtsched("dnn", str(path), "--accelerator", spec, "--objective", "peak-memory")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "status OPTIMAL"
    assert "peak-memory 200" in done.stdout.splitlines()


def gpt(tmp_path, blocks):
    pytest.importorskip("onnx", reason="the GPT-like graph is built with onnx.helper")
    from gpt_graph import write_gpt
    return load_graph(write_gpt(tmp_path / f"gpt{blocks}.onnx", blocks))


def test_a_short_limit_on_a_choice_of_units_still_gives_the_greedy_schedule(tmp_path):
    # one GPT-like block on npu-fallback (MatMuls on the tensor core or a vector unit): with
    # 0.5 s, segment 2 (the attention heads) got 0.1 s of it, found no schedule, and the whole
    # answer was UNKNOWN "segment 2: timeout" with no schedule
    graph = gpt(tmp_path, 1)
    fallback = load_accelerator(os.path.join(EXAMPLES, "npu-fallback.toml"))
    run = DnnProblem(graph, fallback).solve(time_limit=0.5)
    assert run.status in ("OPTIMAL", "FEASIBLE") and run.latency is not None
    assert run.runtime < 0.5 + 1.0
    assert 0 < run.lower_bound <= run.objective == run.latency
    assert (run.status == "OPTIMAL") == (run.lower_bound == run.objective)
    if run.status == "FEASIBLE":
        assert run.gap > 0 and run.reason.startswith("timeout")


def test_statuses_agree_with_their_numbers_on_a_split_peak_memory_run(tmp_path):
    # the peak-memory run of the 48-block graph answered FEASIBLE with objective == bound
    graph = gpt(tmp_path, 4)
    for time_limit in (0.01, 5):
        run = DnnProblem(graph, npu_small(), "peak-memory").solve(time_limit=time_limit)
        assert run.objective is not None and run.lower_bound is not None
        assert (run.status == "OPTIMAL") == (run.lower_bound == run.objective)
        assert run.status in ("OPTIMAL", "FEASIBLE")
        if run.status == "FEASIBLE":
            assert run.gap > 0
    assert run.status == "OPTIMAL"


def test_every_improvement_reported_has_a_consistent_status(tmp_path):
    graph = gpt(tmp_path, 2)
    seen = []
    DnnProblem(graph, npu_small(), "latency", memory=300000).solve(
        time_limit=5, on_solution=seen.append)
    assert seen
    for schedule in seen:
        assert (schedule.status == "OPTIMAL") == (schedule.lower_bound == schedule.objective)
        assert schedule.lower_bound <= schedule.objective


def test_a_tensor_larger_than_the_budget_is_named():
    graph = reshape_chain()
    run = DnnProblem(graph, npu_small(), "latency", memory=99).solve()
    assert run.status == "INFEASIBLE" and run.lower_bound is None and run.objective is None
    assert "'in' (100 bytes)" in run.reason and "99" in run.reason
    # b (1000 bytes) is written and read at the same instant by zero-latency operators: it
    # never occupies memory, so it is not a reason (the answer is feasible)
    assert DnnProblem(graph, npu_small(), "latency", memory=200).solve().status == "OPTIMAL"


def test_an_operator_needing_more_than_the_budget_at_once_is_named():
    ops = [Operator("a", "Relu", 10, ("in",), ("x",))]
    graph = build_graph("one", ops, {"in": 60, "x": 60}, outputs=["x"])
    run = DnnProblem(graph, npu_small(), "latency", memory=100).solve()
    assert run.status == "INFEASIBLE" and run.lower_bound is None
    assert "operator 'a'" in run.reason and "120 bytes" in run.reason


def test_moccasin_mobilenet_on_npu_small_names_the_tensor_too_large():
    path = os.path.join(DATA, "dnn", "moccasin", "MobileNet_MLSys_512_224x224x3_test_nx.json")
    if not os.path.exists(path):
        pytest.skip(f"the shared benchmark data is absent ({path}); set SMTSCHED_DATA")
    done = smtsched("dnn", path, "--accelerator", os.path.join(EXAMPLES, "npu-small.toml"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "status INFEASIBLE"
    assert not any(line.startswith("lower bound") for line in lines)
    reason = next(line for line in lines if line.startswith("reason "))
    assert "tensor 'conv1_pad' (311040000 bytes) is larger than the memory budget" in reason
    done = smtsched("dnn", path, "--accelerator", os.path.join(EXAMPLES, "npu-small.toml"),
                    "--json")
    out = json.loads(done.stdout)
    assert out["status"] == "INFEASIBLE" and out["lower_bound"] is None
    assert "conv1_pad" in out["reason"]


def test_a_graph_without_operators_is_scheduled_in_no_time():
    # the schedule of nothing was not read: latency and peak memory were None
    graph = build_graph("empty", [], {"x": 5, "y": 3}, outputs=["x"])
    for objective, value in (("latency", 0), ("peak-memory", 5)):
        for split in (True, False):
            run = DnnProblem(graph, npu_small(), objective).solve(split=split)
            assert (run.status, run.objective, run.lower_bound) == ("OPTIMAL", value, value)
            assert (run.latency, run.peak_memory) == (0, 5)
    run = DnnProblem(graph, npu_small(), "latency", memory=4).solve()
    assert run.status == "INFEASIBLE" and "'x'" in run.reason
