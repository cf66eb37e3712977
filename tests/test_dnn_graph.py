"""smtsched.dnn graph import: ONNX (the light models the onnx wheel ships and small synthetic
models), our JSON format, Moccasin node-link JSON and GML (the shared data), and the errors of
every reader, which must name the file and the place."""
import json
import os
import sys

import pytest

from smtsched.dnn import GraphError, Operator, build_graph, graph_from_json, load_graph
from smtsched.dnn.gml import graph_from_gml, parse_gml

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(HERE, "..", "..", "shared", "data")
MOCCASIN = os.path.join(DATA, "dnn", "moccasin")
DIFFSCHED = os.path.join(DATA, "dnn", "diffsched")
needs_data = pytest.mark.skipif(not os.path.isdir(os.path.join(DATA, "dnn")),
                                reason=f"the shared DNN data is absent ({DATA}/dnn)")

try:
    import onnx
    from onnx import TensorProto, helper, numpy_helper
except ImportError:  # the readers that do not need onnx are still tested
    onnx = None
needs_onnx = pytest.mark.skipif(onnx is None, reason="onnx is not installed "
                                                     "(pip install smtsched[onnx])")
LIGHT = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "light") \
    if onnx is not None else ""

# operators left after constant folding (raw node count, of which ConstantOfShape)
LIGHT_MODELS = {
    "light_bvlc_alexnet.onnx": (24, 40, 16),
    "light_densenet121.onnx": (668, 1746, 836),
    "light_inception_v1.onnx": (143, 237, 93),
    "light_inception_v2.onnx": (371, 916, 407),
    "light_resnet50.onnx": (176, 415, 239),
    "light_shufflenet.onnx": (203, 446, 243),
    "light_squeezenet.onnx": (66, 105, 39),
    "light_vgg19.onnx": (46, 82, 36),
    "light_zfnet512.onnx": (22, 38, 16),
}


def check_graph(graph):
    """The invariants every reader must give: a DAG in `operators` order, consistent tensors."""
    position = {op.name: k for k, op in enumerate(graph.operators)}
    assert len(position) == len(graph.operators)
    assert sorted(graph.file_order()) == sorted(position)
    for op in graph.operators:
        assert isinstance(op.work, int) and op.work >= 0
        assert isinstance(op.weight_bytes, int) and op.weight_bytes >= 0
        for t in op.inputs:
            producer = graph.tensors[t].producer
            assert producer is None or position[producer] < position[op.name], (op.name, t)
            assert op.name in graph.tensors[t].consumers
        for t in op.outputs:
            assert graph.tensors[t].producer == op.name
        for p in graph.predecessors(op.name):
            assert op.name in graph.successors(p)
    for t in graph.tensors.values():
        assert isinstance(t.size, int) and t.size >= 0
        assert t.producer is not None or t.consumers or t.is_output


def write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=1))
    return str(path)


def error_of(call, *args, **kwargs):
    with pytest.raises(GraphError) as info:
        call(*args, **kwargs)
    return str(info.value)


# -- ONNX -----------------------------------------------------------------------------------------

@needs_onnx
@pytest.mark.parametrize("name", sorted(LIGHT_MODELS))
def test_light_onnx_models(name):
    path = os.path.join(LIGHT, name)
    if not os.path.exists(path):
        pytest.skip(f"this onnx wheel has no {path}")
    model = onnx.load(path)
    operators, raw, constant_of_shape = LIGHT_MODELS[name]
    assert len(model.graph.node) == raw
    assert sum(n.op_type == "ConstantOfShape" for n in model.graph.node) == constant_of_shape
    graph = load_graph(path)
    check_graph(graph)
    assert len(graph.operators) == operators
    assert "ConstantOfShape" not in {op.kind for op in graph.operators}
    assert all(t.size > 0 for t in graph.tensors.values())
    assert len(graph.inputs()) == 1 and len(graph.outputs()) == 1
    assert graph.file_order() == [op.name for op in graph.operators]  # ONNX files are sorted
    assert all(op.work > 0 for op in graph.operators if op.kind in ("Conv", "Gemm", "Relu"))
    assert all(op.weight_bytes > 0 for op in graph.operators if op.kind == "Conv")
    assert graph_from_json(graph.to_json()).to_json() == graph.to_json()


@needs_onnx
def test_zfnet_numbers():
    """Hand-checked values: conv1 is 96 x 109 x 109 outputs of 3 x 7 x 7 MACs; every weight is
    a ConstantOfShape of float32 counted once; the Reshape's shape is an int64[2]."""
    path = os.path.join(LIGHT, "light_zfnet512.onnx")
    if not os.path.exists(path):
        pytest.skip(f"this onnx wheel has no {path}")
    graph = load_graph(path)
    conv1 = graph.operators[0]
    assert (conv1.kind, conv1.work) == ("Conv", 96 * 109 * 109 * 3 * 7 * 7)
    assert conv1.weight_bytes == (96 * 3 * 7 * 7 + 96) * 4
    assert graph.tensors["gpu_0/data_0"].size == 3 * 224 * 224 * 4
    model = onnx.load(path)
    parameters = sum(int(numpy_helper.to_array(t).prod()) for t in model.graph.initializer
                     if t.name.endswith("__SHAPE"))
    assert graph.weight_bytes() == parameters * 4 + 2 * 8
    reshape = next(op for op in graph.operators if op.kind == "Reshape")
    assert (reshape.work, reshape.weight_bytes) == (0, 16)
    gemm = [op for op in graph.operators if op.kind == "Gemm"]
    assert gemm[0].work == 18432 * 4096


def _model(nodes, inputs, outputs, initializers=(), opset=17):
    return helper.make_model(helper.make_graph(nodes, "g", inputs, outputs, list(initializers)),
                             opset_imports=[helper.make_opsetid("", opset)])


def _value(name, elem_type, shape):
    return helper.make_tensor_value_info(name, elem_type, shape)


@needs_onnx
def test_onnx_folding_batch_and_dead_outputs(tmp_path):
    """A float constant cast to the Reshape's shape (shape inference alone cannot see through
    the Cast), Shape of a known shape, a symbolic batch, Dropout's unused mask."""
    nodes = [
        helper.make_node("Constant", [], ["c"],
                         value=helper.make_tensor("c", TensorProto.FLOAT, [2], [-1, 2])),
        helper.make_node("Cast", ["c"], ["shape"], to=TensorProto.INT64),
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Reshape", ["x", "shape"], ["r"], name="reshape"),
        helper.make_node("Dropout", ["r"], ["d", "mask"], name="drop"),
        helper.make_node("MatMul", ["d", "w"], ["y"], name="mm"),
    ]
    w = numpy_helper.from_array(__import__("numpy").ones((2, 5), "float32"), "w")
    model = _model(nodes, [_value("x", TensorProto.FLOAT, ["N", 3, 4])],
                   [_value("y", TensorProto.FLOAT, None)], [w])
    path = str(tmp_path / "m.onnx")
    onnx.save(model, path)
    graph = load_graph(path)
    check_graph(graph)
    assert [op.name for op in graph.operators] == ["reshape", "drop", "mm"]
    assert graph.tensors["x"].size == 1 * 3 * 4 * 4          # batch N taken as 1
    assert graph.tensors["r"].size == 12 * 4
    assert "mask" not in graph.tensors and graph.operator("drop").outputs == ("d",)
    assert graph.operator("reshape").weight_bytes == 16       # the folded int64[2] shape
    assert graph.operator("mm").work == 6 * 5 * 2 and graph.operator("mm").weight_bytes == 40
    assert graph.outputs() == ["y"] and graph.tensors["y"].size == 6 * 5 * 4
    batch4 = load_graph(path, dims={"N": 4})
    assert batch4.tensors["x"].size == 4 * 3 * 4 * 4


@needs_onnx
def test_onnx_shared_constant_counts_once_and_subgraph_reads():
    import numpy
    from smtsched.dnn.onnx_import import graph_from_onnx
    x = _value("x", TensorProto.FLOAT, [2, 3])
    w = numpy_helper.from_array(numpy.ones((2, 3), "float32"), "w")
    then = helper.make_graph([helper.make_node("Add", ["x", "w"], ["t"])], "then", [],
                             [_value("t", TensorProto.FLOAT, [2, 3])])
    other = helper.make_graph([helper.make_node("Neg", ["a"], ["e"])], "else", [],
                              [_value("e", TensorProto.FLOAT, [2, 3])])
    nodes = [helper.make_node("Mul", ["x", "w"], ["a"], name="mul"),
             helper.make_node("Greater", ["x", "x"], ["g"], name="gt"),
             helper.make_node("ReduceMin", ["g"], ["cond"], name="any", keepdims=0),
             helper.make_node("If", ["cond"], ["y"], name="if", then_branch=then,
                              else_branch=other)]
    graph = graph_from_onnx(_model(nodes, [x], [_value("y", TensorProto.FLOAT, [2, 3])], [w],
                                   opset=13))
    check_graph(graph)
    assert graph.operator("mul").weight_bytes == 24
    assert graph.operator("if").weight_bytes == 0              # w was counted for "mul"
    assert graph.operator("if").inputs == ("cond", "a", "x")   # outer-scope reads included
    assert graph.predecessors("if") == ["mul", "any"]


@needs_onnx
def test_onnx_errors(tmp_path):
    from smtsched.dnn.onnx_import import graph_from_onnx
    x = _value("x", TensorProto.FLOAT, [2, 3])
    garbage = write(tmp_path, "bad.onnx", b"\x08\x07\xff\xff\xff garbage")
    assert error_of(load_graph, garbage).startswith(garbage + ": not ")
    assert "no such file" in error_of(load_graph, str(tmp_path / "missing.onnx"))
    message = error_of(graph_from_onnx, _model(
        [helper.make_node("Relu", ["b"], ["a"]), helper.make_node("Add", ["a", "x"], ["b"])],
        [x], [_value("a", TensorProto.FLOAT, [2, 3])]))
    assert "cycle" in message and "'Relu_0'" in message
    message = error_of(graph_from_onnx, _model([helper.make_node("Relu", ["zz"], ["y"])], [x],
                                               [_value("y", TensorProto.FLOAT, [2, 3])]))
    assert "'zz'" in message and "Relu_0" in message
    symbolic = _value("x", TensorProto.FLOAT, ["N", "H"])
    relu = _model([helper.make_node("Relu", ["x"], ["y"])], [symbolic],
                  [_value("y", TensorProto.FLOAT, None)])
    message = error_of(graph_from_onnx, relu)
    assert "dimension 1 of the graph input 'x'" in message and "dims={'H'" in message
    assert graph_from_onnx(relu, dims={"H": 5}).tensors["y"].size == 20
    assert "no symbolic dimension" in error_of(graph_from_onnx, relu, dims={"W": 5})
    custom = helper.make_model(
        helper.make_graph([helper.make_node("Foo", ["x"], ["y"], domain="custom")], "g", [x],
                          [_value("y", TensorProto.FLOAT, None)]),
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("custom", 1)])
    assert "the shape of the tensor 'y' (written by 'Foo_0') is unknown" in \
        error_of(graph_from_onnx, custom)
    strings = _model([helper.make_node("Identity", ["s"], ["y"])],
                     [_value("s", TensorProto.STRING, [2])],
                     [_value("y", TensorProto.STRING, [2])])
    assert "STRING" in error_of(graph_from_onnx, strings)


def test_onnx_missing_gives_install_hint(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    path = write(tmp_path, "m.onnx", b"")
    assert "install smtsched[onnx]" in error_of(load_graph, path)


# -- our JSON format ------------------------------------------------------------------------------

TINY = {
    "name": "tiny",
    "operators": [
        {"name": "relu", "kind": "Relu", "work": 100, "inputs": ["y"], "outputs": ["z"]},
        {"name": "conv", "kind": "Conv", "work": 1000, "inputs": ["x"], "outputs": ["y"],
         "weight_bytes": 640},
    ],
    "tensors": [{"name": "x", "size": 400}, {"name": "y", "size": 400},
                {"name": "z", "size": 400, "is_output": True}],
}


def test_json_operator_form_and_round_trip(tmp_path):
    graph = load_graph(write(tmp_path, "tiny.json", TINY))
    check_graph(graph)
    assert [op.name for op in graph.operators] == ["conv", "relu"]   # sorted: file order is not
    assert graph.file_order() == ["relu", "conv"]
    assert graph.tensors["y"] == graph.tensors["y"].__class__("y", 400, "conv", ("relu",), False)
    assert graph.inputs() == ["x"] and graph.outputs() == ["z"] and graph.weight_bytes() == 640
    assert graph.predecessors("relu") == ["conv"] and graph.successors("conv") == ["relu"]
    data = graph.to_json()
    assert data["order"] == ["conv", "relu"]
    again = graph_from_json(json.loads(json.dumps(data)))
    assert again.to_json() == data and again.file_order() == graph.file_order()
    assert [op.name for op in again.operators] == ["conv", "relu"]
    with pytest.raises(KeyError):
        graph.operator("nope")


def test_json_node_edge_form(tmp_path):
    data = {"name": "diamond",
            "nodes": [{"name": "a", "work": 3, "output_bytes": 100},
                      {"name": "b", "kind": "Conv", "work": 5, "output_bytes": 50,
                       "weight_bytes": 8},
                      {"name": "c", "work": 2, "output_bytes": 50},
                      {"name": "d", "work": 1, "output_bytes": 10}],
            "edges": [["a", "c"], ["a", "b"], ["b", "d"], ["c", "d"]]}
    graph = load_graph(write(tmp_path, "d.json", data))
    check_graph(graph)
    assert graph.operator("d").inputs == ("b", "c") and graph.predecessors("d") == ["b", "c"]
    assert graph.tensors["a"].consumers == ("b", "c")
    assert graph.outputs() == ["d"] and graph.operator("b").kind == "Conv"
    assert graph_from_json(graph.to_json()).to_json() == graph.to_json()


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d["operators"][1].update(work="12"),
     ":18:12: operators[1].work (operator 'conv'): expected an integer >= 0, found '12'"),
    (lambda d: d["operators"][1].update(work=-1), "operators[1].work"),
    (lambda d: d["operators"][1].update(work=1.5), "found 1.5"),
    (lambda d: d["operators"][1].update(weight_bytes=True), "operators[1].weight_bytes"),
    (lambda d: d["operators"][0].update(wieght_bytes=3), "unknown key 'wieght_bytes'"),
    (lambda d: d["operators"][0].update(inputs=["y", "w"]), "unknown tensor 'w'"),
    (lambda d: d["operators"][0].update(inputs="y"), "operators[0].inputs"),
    (lambda d: d["operators"][1].update(name="relu"), "two operators are named 'relu'"),
    (lambda d: d["operators"][0].update(outputs=["y"]),
     "tensor 'y' is written by both 'relu' and 'conv'"),
    (lambda d: d["operators"][1].update(inputs=["z"]), "cycle"),
    (lambda d: d["tensors"].append({"name": "x", "size": 1}), "the tensor 'x' is listed twice"),
    (lambda d: d["tensors"][0].pop("size"), "tensors[0]: the key 'size' is missing"),
    (lambda d: d["tensors"][2].update(is_output="yes"), "tensors[2].is_output"),
    (lambda d: d.update(order=["relu", "conv"]), "not a topological order"),
    (lambda d: d.update(order=["conv"]), "must list every operator exactly once"),
    (lambda d: d.pop("tensors"), "the key 'tensors' is missing"),
    (lambda d: d.update(operators={}), "operators: expected an array"),
])
def test_json_errors_name_the_place(tmp_path, mutate, expected):
    data = json.loads(json.dumps(TINY))
    mutate(data)
    path = write(tmp_path, "bad.json", data)
    message = error_of(load_graph, path)
    assert message.startswith(path + ":") and expected in message
    # the in-memory reader names the key path too (without a line)
    assert expected.split(": ", 1)[-1].split(" (")[0] in error_of(graph_from_json, data)


@pytest.mark.parametrize("data, expected", [
    ({"nodes": [{"name": "a", "work": 1}], "edges": [["a", "b"]]},
     "edges[0][1]: unknown node 'b'"),
    ({"nodes": [{"name": "a", "work": 1}, {"name": "a", "work": 2}]},
     "nodes[1].name: two nodes are named 'a'"),
    ({"nodes": [{"name": "a", "work": 1}, {"name": "b", "work": 1}],
      "edges": [["a", "b"], ["a", "b"]]}, "edges[1]: the edge 'a' -> 'b' is listed twice"),
    ({"nodes": [{"name": "a", "work": 1}, {"name": "b", "work": 1}],
      "edges": [["a", "b"], ["b", "a"]]}, "the graph has a cycle"),
    ({"nodes": [{"name": "a", "work": 1}], "edges": [["a", "a"]]}, "self-loop"),
    ({"nodes": [{"name": "a", "work": 1}], "edges": [["a"]]}, "edges[0]: an edge is a pair"),
    ({"nodes": [{"name": "a"}]}, "nodes[0]: the key 'work' is missing"),
    ({"nodes": [{"name": 7, "work": 1}]}, "nodes[0].name: expected a non-empty string"),
    ({"nodes": [{"name": "a", "work": 1, "output_bytes": "big"}]},
     "nodes[0].output_bytes (node 'a'): expected an integer >= 0"),
    ([1, 2], "expected a JSON object"),
    ({"graph": {}}, "not a graph"),
])
def test_json_node_form_errors(tmp_path, data, expected):
    path = write(tmp_path, "bad.json", data)
    message = error_of(load_graph, path)
    assert message.startswith(path + ":") and expected in message


def test_file_level_errors(tmp_path):
    path = write(tmp_path, "broken.json", '{"nodes": [\n  {"name": "a",, }\n]}')
    assert error_of(load_graph, path).startswith(path + ":2:16: invalid JSON")
    path = write(tmp_path, "latin.json", b'{"name": "caf\xe9"}')
    assert error_of(load_graph, path) == f"{path}:1:14: the file is not UTF-8 text (byte 0xe9)"
    assert "cannot read" in error_of(load_graph, str(tmp_path / "absent.json"))
    assert "unknown graph file type '.txt'" in error_of(load_graph, str(tmp_path / "g.txt"))
    assert "unknown graph format 'dot'" in error_of(load_graph, path, format="dot")
    assert "dims= applies to ONNX models only" in error_of(load_graph, path, dims={"N": 1})


def test_build_graph_checks():
    ops = [Operator("a", "op", 1, [], ["t"]), Operator("b", "op", 1, ["t", "u"], [])]
    assert "reads the unknown tensor 'u'" in error_of(build_graph, "g", ops, {"t": 1})
    graph = build_graph("g", ops, {"t": 1, "u": 2}, outputs=["u"])
    assert graph.tensors["u"].producer is None and graph.tensors["u"].is_output
    assert ops[1].inputs == ("t", "u")  # lists are kept as tuples


# -- GML ------------------------------------------------------------------------------------------

GML = """graph [
  directed 1
  # a comment
  node [ id 0 label "a" parameter 5 ]
  node [ id 1 label "b" parameter 2.0 ]
  node [ id 2 parameter 0 ]
  edge [ source 2 target 1 parameter 7 ]
  edge [ source 0 target 2 parameter 3 ]
  edge [ source 0 target 1 parameter 4 ]
]
"""


def test_gml_small():
    graph = graph_from_gml(GML, source="s.gml")
    check_graph(graph)
    assert [op.name for op in graph.operators] == ["a", "2", "b"]
    assert graph.file_order() == ["a", "b", "2"]
    assert graph.tensors["a"].size == 4 and graph.tensors["2"].size == 7   # max out-edge
    assert graph.tensors["b"].size == 0 and graph.outputs() == ["b"]
    assert graph.operator("b").work == 2 and graph.operator("b").inputs == ("2", "a")


@pytest.mark.parametrize("text, expected", [
    ("graph [\n  directed 1\n  node [ id 0 ]\n", "s.gml:1:7: this '[' is never closed"),
    ("graph [ directed 1 ] ]", "s.gml:1:22: ']' without a matching '['"),
    ("graph [ directed 1 node [ id 0 label ] ]", "s.gml:1:38: the key 'label' has no value"),
    ("graph [ directed 1 \n node [ id 0 @ ] ]", "s.gml:2:14: unexpected character '@'"),
    ("graph [ node [ id 0 ] ]", "s.gml:1:1: the graph is not directed"),
    ("graph [ directed 1 node [ id 0 ] edge [ source 0 target 3 ] ]",
     "s.gml:1:57: unknown node id 3"),
    ("graph [ directed 1 node [ id 0 ] node [ id 0 ] ]", "s.gml:1:44: the node id 0 appears twice"),
    ("graph [ directed 1 node [ id 0 parameter -2 ] ]",
     "s.gml:1:42: 'parameter' must be an integer >= 0, found -2"),
    ("graph [ directed 1 node [ id 0 parameter 1.5 ] ]", "found 1.5"),
    ("graph [ directed 1 node [ id 0 ] node [ id 1 ]\n edge [ source 0 target 1 ]\n"
     " edge [ source 1 target 0 ] ]", "s.gml:1:34: the graph has a cycle: '1' -> '0' -> '1'"),
    ("graph [ directed 1 node [ id 0 ] edge [ source 0 target 0 ] ]", "self-loop"),
    ("graph [ directed 1 node [ id 0 ] node [ id 1 ] edge [ source 0 target 1 ]"
     " edge [ source 0 target 1 ] ]", "s.gml:1:75: the edge '0' -> '1' appears twice"),
    ("node [ id 0 ]", "expected one 'graph [ ... ]', found 0"),
    ("graph [ directed 1 node [ label 3 ] ]", "this node has no 'id'"),
    ('graph [ directed 1 node [ id 0 label 3 ] ]', "a label is a quoted string"),
    ("graph 5", "'graph' must be a list"),
    ("graph [ 5 ]", "s.gml:1:9: a key was expected, found 5"),
])
def test_gml_errors_name_line_and_column(text, expected):
    message = error_of(graph_from_gml, text, source="s.gml")
    assert expected in message


# -- the shared data -----------------------------------------------------------------------------

def _index(folder):
    with open(os.path.join(folder, "index.json")) as handle:
        return json.load(handle)


@needs_data
def test_moccasin_files():
    index = _index(MOCCASIN)
    assert len(index) == 18
    for name, info in sorted(index.items()):
        graph = load_graph(os.path.join(MOCCASIN, name))
        check_graph(graph)
        assert len(graph.operators) == info["nodes"], name
        assert sum(len(graph.predecessors(op.name)) for op in graph.operators) == info["edges"]
        assert graph.outputs() == [op.name for op in graph.operators
                                   if not graph.successors(op.name)]
        with open(os.path.join(MOCCASIN, name)) as handle:
            raw = json.load(handle)
        first = raw["nodes"][0]
        op = graph.operator(str(first["name"]))
        assert op.work == first.get("cost_cpu", first.get("duration"))
        assert graph.tensors[op.outputs[0]].size == first.get("cost_ram", first.get("out_cost"))
        if info["kind"] == "random_layered":
            assert [o.name for o in graph.operators] == [str(n) for n in raw["graph"]["order"]]
            assert graph.file_order() == [str(n["name"]) for n in raw["nodes"]]
        else:
            assert graph.file_order() == [o.name for o in graph.operators]
            assert {o.kind for o in graph.operators} <= {"forward", "backward"}
    assert load_graph(os.path.join(MOCCASIN, name), format="moccasin").name == graph.name


@needs_data
def test_moccasin_round_trip_and_detection(tmp_path):
    path = os.path.join(MOCCASIN, "random_layered_n100_w0.27_nlv0.75_ed0.2_scd0.14.json")
    graph = load_graph(path)
    data = graph.to_json()
    again = load_graph(write(tmp_path, "ours.json", data))
    assert again.to_json() == data
    assert [op.name for op in again.operators] == [op.name for op in graph.operators]
    assert "the key 'nodes' is missing" in error_of(load_graph, write(tmp_path, "x.json", data),
                                                    format="moccasin")


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d["links"][0].update(target=99), ":1:244: links[0].target: unknown node 99"),
    (lambda d: d["nodes"][1].pop("cost_cpu"),
     "nodes[1] (node 'b'): neither 'cost_cpu' nor 'duration' is given"),
    (lambda d: d["nodes"][1].update(cost_ram=-5), "nodes[1].cost_ram (node 'b')"),
    (lambda d: d["nodes"][1].update(id=0), "nodes[1].id: the node id 0 appears twice"),
    (lambda d: d.update(directed=False), "directed: the graph is undirected"),
    (lambda d: d["links"].append({"source": 1, "target": 0}), "the graph has a cycle"),
    (lambda d: d.update(edges=d.pop("links")) or d["edges"][0].update(source=7),
     "edges[0].source: unknown node 7"),
])
def test_moccasin_errors(tmp_path, mutate, expected):
    data = {"directed": True, "multigraph": False, "graph": {},
            "nodes": [{"id": 0, "name": "a", "cost_cpu": 1, "cost_ram": 8, "backward": False},
                      {"id": 1, "name": "b", "cost_cpu": 2, "cost_ram": 4, "backward": True}],
            "links": [{"source": 0, "target": 1}]}
    mutate(data)
    path = write(tmp_path, "m.json", json.dumps(data))  # one line: columns are exact
    message = error_of(load_graph, path)
    assert message.startswith(path + ":") and expected in message


@needs_data
def test_diffsched_gml_files():
    index = _index(DIFFSCHED)
    assert len(index) >= 4
    for name, info in sorted(index.items()):
        graph = load_graph(os.path.join(DIFFSCHED, name))
        check_graph(graph)
        assert len(graph.operators) == info["nodes"], name
        assert sum(len(graph.predecessors(op.name)) for op in graph.operators) == info["edges"]
        assert graph.outputs() == [op for op in graph.file_order() if not graph.successors(op)]
        assert graph.file_order() == [str(k) for k in range(info["nodes"])]
    # rand_graph_1000_1: work = node parameter, size = the largest out-edge parameter
    path = os.path.join(DIFFSCHED, "rand_graph_1000_1.gml")
    graph = load_graph(path)
    with open(path) as handle:
        items = parse_gml(handle.read())[0].value
    largest = {}
    for item in items:
        fields = {f.key: f.value for f in item.value} if item.key in ("node", "edge") else {}
        if item.key == "node":
            assert graph.operator(fields["label"]).work == fields["parameter"]
        elif item.key == "edge":
            source = str(fields["source"])
            largest[source] = max(largest.get(source, 0), fields["parameter"])
    assert graph.operator("0").work == 2676
    assert {t.name: t.size for t in graph.tensors.values() if t.size} == \
        {name: size for name, size in largest.items() if size}


def test_the_documented_json_examples_parse():
    import re
    docs = os.path.join(HERE, "..", "docs", "dnn-formats.md")
    with open(docs) as handle:
        blocks = re.findall(r"```json\n(.*?)```", handle.read(), re.S)
    assert len(blocks) == 2
    for block in blocks:
        check_graph(graph_from_json(json.loads(block)))
