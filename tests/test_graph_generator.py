"""The graph generator of issue 16 (bench/graphs.py): GPT-like, training, Inception-like and
U-Net graphs as ONNX models.

- the numbers of operators and tensors per variant and size are the ones its docstring gives,
  in the ONNX file and in what smtsched imports (`load_graph`, the `smtsched dnn` path);
- every variant passes onnx.checker (with strict shape inference);
- small ones are solved on npu-small under a memory objective or budget, and the schedule is
  checked here (durations, precedences, units, the memory profile by its own sweep);
- in the training variant every forward activation the backward pass reads is live across
  the loss: the backward reader comes after the loss in every schedule;
- deterministic, and fast: 48 GPT blocks build in well under 5 s;
- tests/gpt_graph.py (used by other DNN tests) still makes the same graphs as before.

About 10 s.
"""
import hashlib
import math
import os
import sys
import time

import pytest

onnx = pytest.importorskip("onnx", reason="the generator builds ONNX models")

from smtsched.dnn import DnnProblem, load_accelerator, load_graph  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
try:
    from bench import graphs  # noqa: E402
finally:
    # the source folder smtsched/ must not shadow the installed package
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != ROOT]

NPU_SMALL = os.path.join(ROOT, "examples", "npu-small.toml")

# (variant, arguments, operators, tensors), measured; the docstring's formulas agree
SIZES = [
    ("gpt", (1,), {}, 41, 42),
    ("gpt", (2,), {"heads": 2, "seq": 16, "width": 32}, 2 * (13 + 14), 2 * 27 + 1),
    ("training", (1,), {}, 41 + 103 + 6, 150 + 4 + 3 + 2),
    ("training", (2,), {}, 2 * 144 + 6, 294 + 8 + 6 + 2),
    ("training", (1,), {"heads": 2, "seq": 16, "width": 32}, 27 + 85 + 6, 118 + 4 + 1 + 2),
    ("wide", (1,), {}, 16, 17),
    ("wide", (2,), {"branches": 3, "channels": 48}, 20, 21),
    ("wide", (3,), {"branches": 2, "channels": 8, "size": 8}, 18, 19),
    ("unet", (1,), {}, 16, 17),
    ("unet", (3,), {"channels": 4, "size": 16}, 38, 39),
]
MAKERS = {"gpt": graphs.gpt, "training": graphs.gpt_training, "wide": graphs.wide,
          "unet": graphs.unet}


def make(kind, args, kwargs):
    return MAKERS[kind](*args, **kwargs)


def label(entry):
    kind, args, kwargs = entry[:3]
    return f"{kind}{args[0]}" + "".join(f"-{k}{v}" for k, v in kwargs.items())


@pytest.mark.parametrize("entry", SIZES, ids=label)
def test_counts_checker_and_import_agree(entry, tmp_path):
    kind, args, kwargs, operators, tensors = entry
    model = make(kind, args, kwargs)
    onnx.checker.check_model(model, full_check=True)   # full: strict shape inference too
    assert graphs.counts(model) == (operators, tensors)
    path = tmp_path / "g.onnx"
    onnx.save(model, str(path))
    graph = load_graph(str(path))   # what `smtsched dnn` reads
    assert (len(graph.operators), len(graph.tensors)) == (operators, tensors)
    # nothing folded away, no tensor of unknown or zero size
    assert all(t.size > 0 for t in graph.tensors.values())


def test_the_big_counts_follow_the_docstring():
    assert graphs.counts(graphs.gpt(48)) == (1968, 1969)
    for heads in (1, 2, 8):
        assert graphs.counts(graphs.gpt(3, heads=heads, width=64))[0] == 3 * (13 + 7 * heads)
        assert graphs.counts(graphs.gpt_training(3, heads=heads, width=64))[0] == \
            3 * (13 + 7 * heads + 67 + 9 * heads) + 6
    assert graphs.counts(graphs.gpt_training(12)) == (1734, 1820)
    assert graphs.counts(graphs.wide(8)) == (128, 129)
    for branches in (1, 2, 3, 5):
        per_stage = 3 if branches == 1 else branches ** 2 - branches + 4
        assert graphs.counts(graphs.wide(2, branches=branches, channels=10 * branches,
                                         size=4))[0] == 2 * per_stage
    assert graphs.counts(graphs.unet(4, size=32))[0] == 11 * 4 + 5


def test_48_gpt_blocks_build_in_under_5_seconds():
    started = time.perf_counter()
    data = graphs.gpt(48).SerializeToString()
    assert time.perf_counter() - started < 5.0
    assert len(data) > 48 * 4 * 6 * 128 * 128   # the weights are really there


def test_the_same_arguments_give_the_same_bytes():
    for kind, args, kwargs in (("gpt", (2,), {}), ("training", (1,), {}), ("wide", (2,), {}),
                               ("unet", (2,), {})):
        assert make(kind, args, kwargs).SerializeToString() == \
            make(kind, args, kwargs).SerializeToString()


def test_gpt_graph_helper_makes_the_graphs_it_made_before():
    # the GraphProto bytes of tests/gpt_graph.py's gpt_model before it called bench.graphs
    # (the ModelProto around it also holds onnx's IR version, which varies with onnx)
    from gpt_graph import gpt_model
    assert hashlib.sha256(gpt_model(1, heads=2, seq=16, width=32).graph.SerializeToString()) \
        .hexdigest() == "312cd72426a1fb6a67b59d234bcc8a5930664e975680e3bccc2c3befe0baa9b5"
    assert hashlib.sha256(gpt_model(2).graph.SerializeToString()).hexdigest() == \
        "8a91ae89179890935aee21685cb6510a142c881b01b4b73cafc85cec486bcfaf"


def test_bad_sizes_are_refused():
    for call in (lambda: graphs.gpt(0), lambda: graphs.gpt(1, heads=3),
                 lambda: graphs.wide(1, branches=3, channels=64),
                 lambda: graphs.unet(3, size=20)):
        with pytest.raises(ValueError):
            call()


def test_the_command_line_writes_the_file_and_prints_the_counts(tmp_path, capsys):
    path = tmp_path / "w.onnx"
    assert graphs.main(["wide", "--stages", "2", "--out", str(path), "--check"]) == 0
    assert "32 operators, 33 tensors" in capsys.readouterr().out
    assert graphs.counts(onnx.load(str(path))) == (32, 33)


# -- the training variant ----------------------------------------------------------------------

def load(model, tmp_path, name):
    path = tmp_path / f"{name}.onnx"
    onnx.save(model, str(path))
    return load_graph(str(path))


def descendants(graph, start):
    seen, todo = set(), [start]
    while todo:
        for nxt in graph.successors(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def kept_activations(graph):
    """{tensor: its backward readers} for the tensors the forward pass (or the input) makes
    and the backward pass reads."""
    kept = {}
    for tensor in graph.tensors.values():
        if tensor.producer is not None and tensor.producer.startswith(("grad_", "loss")):
            continue
        readers = [c for c in tensor.consumers if c.startswith("grad_")]
        if readers:
            kept[tensor.name] = readers
    return kept


def test_training_keeps_the_forward_activations_across_the_loss(tmp_path):
    heads = 4
    graph = load(graphs.gpt_training(2, heads=heads), tmp_path, "train2")
    kept = kept_activations(graph)
    # per block: its input, both layer norms with their Mean and InvStdDev, per head the
    # scaled query, the transposed key, the value and the probabilities, the concatenated
    # heads, the residual and the ReLU's output
    per_block = ["x", "ln1", "mean1", "istd1", "cat", "r1", "ln2", "mean2", "istd2", "g"]
    expected = set()
    for b in range(2):
        expected |= {f"b{b}_{n}" for n in per_block if n != "x"}
        expected |= {f"b{b}_{n}{h}" for n in ("q", "kt", "v", "p") for h in range(heads)}
    expected |= {"x", "b0_out"}   # the input of block 0 and of block 1
    assert set(kept) == expected
    after_loss = descendants(graph, "loss")
    assert graph.predecessors("grad_den") == ["loss"]   # d sqrt(m) reads sqrt(m)
    backward = {op.name for op in graph.operators if op.name.startswith("grad_")}
    # ReLU's masks compare the forward output with 0: the only backward step that need not
    # wait for the loss
    assert backward - after_loss == {"grad_b0_mask", "grad_b1_mask"}
    for tensor, readers in kept.items():
        producer = graph.tensors[tensor].producer
        assert producer is None or producer.startswith("b"), tensor
        assert producer not in after_loss
        # read after the loss, so live while the loss runs
        assert set(readers) & after_loss, tensor
    # weight gradients read the forward input of their MatMul
    for name, reads in (("w2", "b1_g"), ("w1", "b1_ln2"), ("wo", "b1_cat"), ("wq", "b1_ln1")):
        assert reads in graph.operator(f"grad_b1_{name}").inputs
    outputs = set(graph.outputs())
    assert {"loss", "grad_b0_dx", "grad_b1_wq", "grad_b0_w2", "grad_b0_g1", "grad_b1_c2"} \
        <= outputs


def test_training_gradients_are_the_true_gradients():
    # random weights in float64 (the generator's are zeros), run by onnx's reference
    # evaluator: the gradients the graph outputs against central finite differences of the loss
    np = pytest.importorskip("numpy")
    from onnx import TensorProto, numpy_helper
    from onnx.reference import ReferenceEvaluator
    rng = np.random.default_rng(16)
    model = graphs.gpt_training(2, heads=2, seq=4, width=8)
    weights = {}
    for tensor in model.graph.initializer:
        value = numpy_helper.to_array(tensor)
        if value.dtype == np.float32:
            if tensor.name not in ("zero", "count"):
                value = rng.standard_normal(value.shape) * 0.5 + (1.0 if "_g" in tensor.name
                                                                  else 0.0)
            value = value.astype(np.float64)
            weights[tensor.name] = value
            tensor.CopyFrom(numpy_helper.from_array(value, tensor.name))
    for info in list(model.graph.input) + list(model.graph.output):
        info.type.tensor_type.elem_type = TensorProto.DOUBLE
    names = [o.name for o in model.graph.output]
    x, target = rng.standard_normal((4, 8)), rng.standard_normal((4, 8))
    grads = dict(zip(names, ReferenceEvaluator(model).run(None, {"x": x, "target": target})))
    eps = 1e-6

    def loss(x, changed=None):
        evaluator = ReferenceEvaluator(model) if changed is None else ReferenceEvaluator(changed)
        return evaluator.run(["loss"], {"x": x, "target": target})[0]
    numeric = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[index] += eps
        down[index] -= eps
        numeric[index] = (loss(up) - loss(down)) / (2 * eps)
    assert np.abs(numeric - grads["grad_b0_dx"]).max() < 1e-6
    for name in ("b0_wq", "b0_wk", "b1_wv", "b0_wo", "b1_w1", "b0_w2", "b0_g1", "b1_c1",
                 "b1_g2", "b0_c2"):
        index = tuple(int(rng.integers(0, n)) for n in weights[name].shape)
        values = []
        for delta in (eps, -eps):
            changed = onnx.ModelProto()
            changed.CopyFrom(model)
            tensor = next(t for t in changed.graph.initializer if t.name == name)
            value = weights[name].copy()
            value[index] += delta
            tensor.CopyFrom(numpy_helper.from_array(value, name))
            values.append(loss(x, changed))
        assert abs((values[0] - values[1]) / (2 * eps) - grads["grad_" + name][index]) < 1e-6, \
            name


# -- solving small ones ------------------------------------------------------------------------

def npu_small_latency(op):
    """examples/npu-small.toml, written out: matrix operators on the tensor core, metadata
    free, the rest on a vector unit."""
    if op.kind in ("Conv", "ConvTranspose", "Gemm", "MatMul", "Einsum"):
        return "tensor", 8 + math.ceil(op.work / 1024)
    if op.kind in ("Reshape", "Flatten", "Identity", "Squeeze", "Unsqueeze", "Dropout",
                   "Shape", "Size"):
        return None, 0
    return "vector", 2 + math.ceil(op.work / 32)


def check_schedule(graph, schedule, budget):
    """The schedule, checked from the graph and npu-small's rules alone: every operator once
    with its unit and latency, after its producers, at most 1 tensor core and 2 vector units
    busy, and the live bytes (a tensor from its producer's start, 0 for an input, to the last
    end of its producer and readers, an output to the end) never above the budget."""
    ops = {e["op"]: e for e in schedule.operations}
    assert set(ops) == {op.name for op in graph.operators}
    for op in graph.operators:
        entry = ops[op.name]
        unit, latency = npu_small_latency(op)
        assert (entry["unit_kind"], entry["end"] - entry["start"]) == (unit, latency), op.name
        assert entry["start"] >= 0
        for before in graph.predecessors(op.name):
            assert ops[before]["end"] <= entry["start"], (before, op.name)
    latency = max(e["end"] for e in ops.values())
    assert schedule.latency == latency
    for unit, count in (("tensor", 1), ("vector", 2)):
        busy = sorted((e["start"], e["end"]) for e in ops.values()
                      if e["unit_kind"] == unit and e["end"] > e["start"])
        for start, _ in busy:
            assert sum(1 for s, e in busy if s <= start < e) <= count, (unit, start)
    events = []
    for tensor in graph.tensors.values():
        alloc = 0 if tensor.producer is None else ops[tensor.producer]["start"]
        ends = [ops[c]["end"] for c in tensor.consumers]
        if tensor.producer is not None:
            ends.append(ops[tensor.producer]["end"])
        free = latency + 1 if tensor.is_output else max(ends, default=alloc)
        if free > alloc:
            events += [(alloc, tensor.size), (free, -tensor.size)]
    peak, live = 0, 0
    for _, change in sorted(events):   # frees (negative) first at equal times
        live += change
        peak = max(peak, live)
    assert peak == schedule.peak_memory
    assert peak <= budget
    return peak


SOLVED = [
    ("gpt", (2,), {}, 5),
    ("training", (1,), {"heads": 2, "seq": 16, "width": 32}, 2),
    ("wide", (2,), {}, 5),
    ("unet", (2,), {}, 5),
]


@pytest.mark.parametrize("entry", SOLVED, ids=label)
def test_small_graphs_solve_on_npu_small_within_a_memory_budget(entry, tmp_path):
    kind, args, kwargs, limit = entry
    graph = load(make(kind, args, kwargs), tmp_path, kind)
    npu = load_accelerator(NPU_SMALL)
    least = DnnProblem(graph, npu, "peak-memory").solve(time_limit=limit)
    assert least.status in ("OPTIMAL", "FEASIBLE")
    peak = check_schedule(graph, least, npu.memory)
    assert least.lower_bound <= least.objective == peak
    # the least latency with no more than that peak live
    run = DnnProblem(graph, npu, "latency", memory=peak).solve(time_limit=limit)
    assert run.status in ("OPTIMAL", "FEASIBLE")
    check_schedule(graph, run, peak)
    assert run.lower_bound <= run.objective == run.latency
    if kind != "training":
        assert least.status == run.status == "OPTIMAL"
    else:
        # the backward pass of a forward: the gradients read what the forward kept
        loss = next(e for e in run.operations if e["op"] == "loss")
        for tensor, readers in kept_activations(graph).items():
            producer = graph.tensors[tensor].producer
            born = 0 if producer is None else \
                next(e for e in run.operations if e["op"] == producer)["start"]
            last = max(e["end"] for e in run.operations if e["op"] in readers)
            # (born <= the loss's start: the loss comes after the whole forward pass)
            assert born <= loss["start"] and last > loss["end"], tensor
