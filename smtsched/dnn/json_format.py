"""Our plain JSON format for DNN graphs (what `Graph.to_json` writes and `graph_from_json`
reads). Two forms are accepted.

Operator form (the one `to_json` writes; it round-trips exactly)::

    {"name": "tiny",
     "operators": [
        {"name": "conv", "kind": "Conv", "work": 1000, "inputs": ["x"], "outputs": ["y"],
         "weight_bytes": 640},
        {"name": "relu", "kind": "Relu", "work": 100, "inputs": ["y"], "outputs": ["z"]}],
     "tensors": [
        {"name": "x", "size": 400},
        {"name": "y", "size": 400},
        {"name": "z", "size": 400, "is_output": true}],
     "order": ["conv", "relu"]}

- `operators` in any order; `name` (unique), `work` (integer >= 0) required; `kind` defaults to
  "op", `inputs`/`outputs` (tensor names) to [], `weight_bytes` (integer >= 0) to 0.
- `tensors`: every activation tensor, `name` and `size` (bytes, integer >= 0) required,
  `is_output` (a graph output, live until the end) defaults to false. A tensor that no operator
  writes is a graph input; every tensor is written by at most one operator.
- `order` (optional): a topological order of all operators to use for `Graph.operators`. Without
  it, the operators' order when it is topological, else the stable topological order.
  `to_json` writes it only when `Graph.operators` differs from the file order.

Node/edge form (a quick way to write a DAG by hand)::

    {"name": "diamond",
     "nodes": [{"name": "a", "work": 3, "output_bytes": 100},
               {"name": "b", "kind": "Conv", "work": 5, "output_bytes": 50, "weight_bytes": 8},
               {"name": "c", "work": 2, "output_bytes": 50},
               {"name": "d", "work": 1, "output_bytes": 10}],
     "edges": [["a", "b"], ["a", "c"], ["b", "d"], ["c", "d"]]}

Each node is an operator writing one tensor, named like the node, of `output_bytes` bytes
(default 0), read by the node's successors; nodes without successors are graph outputs. `kind`
defaults to "op", `weight_bytes` to 0, `edges` to [].

Unknown keys, wrong types, duplicate names or edges, unknown references and cycles are errors
naming the file, the line and column, and the key path (e.g. ``operators[3].work``).
A JSON file with "nodes" and "links" (or the keys "directed"/"multigraph") is networkx node-link
data instead: see `smtsched.dnn.moccasin`.
"""
import os

from . import _jsontext
from .graph import GraphError, Operator, build_graph, unprintable


class Checker:
    """Type checks for a parsed JSON document whose failures name the key path and, when the
    text is known, the line and column."""

    def __init__(self, source, text=None):
        self.source = source
        self.text = text

    def fail(self, steps, message, what=None):
        line, column = (_jsontext.position(self.text, steps) if self.text is not None
                        else (None, None))
        where = _jsontext.keypath(steps)
        if what:
            where = f"{where} ({what})" if where else what
        raise GraphError(f"{where}: {message}" if where else message, self.source, line, column)

    def object(self, value, steps, required=(), optional=(), what=None, closed=True):
        """`value` must be an object with the `required` keys; when `closed`, no keys other
        than `required` and `optional` (a typo must not silently become a default)."""
        if not isinstance(value, dict):
            self.fail(steps, f"expected an object, found {_show(value)}", what)
        for key in required:
            if key not in value:
                self.fail(steps, f"the key {key!r} is missing", what)
        allowed = set(required) | set(optional)
        for key in value if closed else ():
            if key not in allowed:
                self.fail(tuple(steps) + (key,), f"unknown key {key!r} (expected one of "
                          f"{', '.join(sorted(allowed))})", what)
        return value

    def array(self, value, steps, what=None):
        if not isinstance(value, list):
            self.fail(steps, f"expected an array, found {_show(value)}", what)
        return value

    def string(self, value, steps, what=None):
        if not isinstance(value, str) or not value:
            self.fail(steps, f"expected a non-empty string, found {_show(value)}", what)
        bad = unprintable(value)
        if bad:
            self.fail(steps, f"a name cannot contain {bad}", what)
        return value

    def count(self, value, steps, what=None):
        """An integer >= 0 (JSON numbers with a fraction and booleans are refused)."""
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(steps, f"expected an integer >= 0, found {_show(value)}", what)
        return value

    def boolean(self, value, steps, what=None):
        if not isinstance(value, bool):
            self.fail(steps, f"expected true or false, found {_show(value)}", what)
        return value


def _show(value):
    text = "null" if value is None else repr(value)
    if isinstance(value, bool):
        text = "true" if value else "false"
    return text if len(text) <= 40 else text[:37] + "..."


def load_json(path, expect=None):
    """A graph from a .json file: ours (either form) or, detected from the "links" key,
    Moccasin's node-link JSON. `expect="moccasin"` insists on the latter."""

    def fail_text(message, line, column=None):
        raise GraphError(message, path, line, column)

    text = _jsontext.read_text(path, fail_text)
    data = _jsontext.parse(text, fail_text)
    name = os.path.splitext(os.path.basename(path))[0]
    if expect == "moccasin" or is_node_link(data):
        from .moccasin import graph_from_node_link
        return graph_from_node_link(data, Checker(path, text), name)
    return graph_from_json(data, source=path, text=text, default_name=name)


def is_node_link(data):
    """networkx node-link data (Moccasin's files), rather than our format: it has "links", or
    the "directed"/"multigraph" flags our format does not use."""
    return isinstance(data, dict) and "nodes" in data and (
        "links" in data or "directed" in data or "multigraph" in data)


def graph_from_json(data, source="<memory>", text=None, default_name="graph"):
    """A `Graph` from a parsed document in either form of our format (or node-link data)."""
    check = Checker(source, text)
    if not isinstance(data, dict):
        check.fail((), f"expected a JSON object with 'operators' or 'nodes', found "
                       f"{_show(data)}")
    if is_node_link(data):
        from .moccasin import graph_from_node_link
        return graph_from_node_link(data, check, default_name)
    if "operators" in data:
        return _operator_form(data, check, default_name)
    if "nodes" in data:
        return _node_form(data, check, default_name)
    check.fail((), "not a graph: expected the key 'operators' (or 'nodes' and 'edges')")


def _operator_form(data, check, default_name):
    check.object(data, (), required=("operators", "tensors"), optional=("name", "order"))
    name = check.string(data.get("name", default_name), ("name",))
    sizes = {}
    outputs = []
    tensor_where = {}
    for k, item in enumerate(check.array(data["tensors"], ("tensors",))):
        steps = ("tensors", k)
        check.object(item, steps, required=("name", "size"), optional=("is_output",))
        tensor = check.string(item["name"], steps + ("name",))
        if tensor in sizes:
            check.fail(steps + ("name",), f"the tensor {tensor!r} is listed twice")
        what = f"tensor {tensor!r}"
        sizes[tensor] = check.count(item["size"], steps + ("size",), what)
        if check.boolean(item.get("is_output", False), steps + ("is_output",), what):
            outputs.append(tensor)
        tensor_where[tensor] = steps
    operators = []
    where = {}
    for k, item in enumerate(check.array(data["operators"], ("operators",))):
        steps = ("operators", k)
        check.object(item, steps, required=("name", "work"),
                     optional=("kind", "inputs", "outputs", "weight_bytes"))
        op = check.string(item["name"], steps + ("name",))
        what = f"operator {op!r}"
        if op in where:
            check.fail(steps + ("name",), f"two operators are named {op!r}")
        where[op] = steps
        lists = {}
        for key in ("inputs", "outputs"):
            names = check.array(item.get(key, []), steps + (key,), what)
            for j, tensor in enumerate(names):
                check.string(tensor, steps + (key, j), what)
                if tensor not in sizes:
                    check.fail(steps + (key, j), f"unknown tensor {tensor!r} (not in 'tensors')",
                               what)
            lists[key] = tuple(names)
        operators.append(Operator(
            op, check.string(item.get("kind", "op"), steps + ("kind",), what),
            check.count(item["work"], steps + ("work",), what), lists["inputs"],
            lists["outputs"], check.count(item.get("weight_bytes", 0), steps + ("weight_bytes",),
                                          what)))
    order = None
    if "order" in data:
        order = check.array(data["order"], ("order",))
        for j, op in enumerate(order):
            check.string(op, ("order", j))
            if op not in where:
                check.fail(("order", j), f"unknown operator {op!r}")
        if len(set(order)) != len(order) or len(order) != len(operators):
            check.fail(("order",), "must list every operator exactly once")
    graph = build_graph(name, operators, sizes, outputs, check.source, order=None,
                        locate=_locator(check, where))
    if order is not None:
        if [op.name for op in graph.operators] != order:
            positions = {op: k for k, op in enumerate(order)}
            for op in graph.operators:
                for p in graph.predecessors(op.name):
                    if positions[p] > positions[op.name]:
                        check.fail(("order",), f"not a topological order: {op.name!r} comes "
                                               f"before its predecessor {p!r}")
            graph = build_graph(name, operators, sizes, outputs, check.source, order=order)
    return graph


def _locator(check, where):
    def locate(op):
        if check.text is None or op not in where:
            return None, None
        return _jsontext.position(check.text, where[op])
    return locate


def _node_form(data, check, default_name):
    check.object(data, (), required=("nodes",), optional=("name", "edges"))
    name = check.string(data.get("name", default_name), ("name",))
    nodes = {}
    where = {}
    for k, item in enumerate(check.array(data["nodes"], ("nodes",))):
        steps = ("nodes", k)
        check.object(item, steps, required=("name", "work"),
                     optional=("kind", "output_bytes", "weight_bytes"))
        node = check.string(item["name"], steps + ("name",))
        if node in nodes:
            check.fail(steps + ("name",), f"two nodes are named {node!r}")
        what = f"node {node!r}"
        where[node] = steps
        nodes[node] = (check.string(item.get("kind", "op"), steps + ("kind",), what),
                       check.count(item["work"], steps + ("work",), what),
                       check.count(item.get("output_bytes", 0), steps + ("output_bytes",), what),
                       check.count(item.get("weight_bytes", 0), steps + ("weight_bytes",), what))
    predecessors = {node: [] for node in nodes}
    has_successor = set()
    seen = set()
    for k, edge in enumerate(check.array(data.get("edges", []), ("edges",))):
        steps = ("edges", k)
        if not isinstance(edge, list) or len(edge) != 2:
            check.fail(steps, f"an edge is a pair [source, target], found {_show(edge)}")
        for j, end in enumerate(edge):
            check.string(end, steps + (j,))
            if end not in nodes:
                check.fail(steps + (j,), f"unknown node {end!r}")
        u, v = edge
        if u == v:
            check.fail(steps, f"the edge {u!r} -> {v!r} is a self-loop (a cycle)")
        if (u, v) in seen:
            check.fail(steps, f"the edge {u!r} -> {v!r} is listed twice")
        seen.add((u, v))
        predecessors[v].append(u)
        has_successor.add(u)
    operators = [Operator(node, kind, work, tuple(predecessors[node]), (node,), weight)
                 for node, (kind, work, _, weight) in nodes.items()]
    sizes = {node: info[2] for node, info in nodes.items()}
    outputs = [node for node in nodes if node not in has_successor]
    return build_graph(name, operators, sizes, outputs, check.source,
                       locate=_locator(check, where))
