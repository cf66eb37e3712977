"""networkx node-link JSON graphs, as in the Moccasin rematerialisation data (read directly:
networkx is not needed).

Two kinds of files are understood (both are {"directed", "multigraph", "graph", "nodes",
"links"}; "edges" instead of "links", as newer networkx may write, is accepted too):

- Checkmate's Keras extraction: nodes {"id", "name", "cost_cpu", "cost_ram", "backward"}, links
  {"source", "target"} referring to "id". The operator is named after "name" (the layer), its
  kind is "backward" or "forward".
- random layered DAGs: nodes {"name", "duration", "out_cost", "param_cost"}, links {"0", "1"}
  referring to "name"; graph attribute "order" is a topological order. The operator is named
  str(name), its kind is "node".

Mapping: `cost_cpu` / `duration` -> `work`; `cost_ram` / `out_cost` -> the size of the node's one
output tensor (named like the operator), read by its successors; `param_cost` ->
`weight_bytes` (0 when absent). Nodes without successors are graph outputs. Duplicate links are
merged (as networkx's DiGraph does). `Graph.operators` follows the graph's "order" attribute when
it is a topological order, else the node list (or its stable topological order);
`Graph.file_order()` is always the node list.
"""
from .graph import Operator, build_graph

_WORK_KEYS = ("cost_cpu", "duration")
_SIZE_KEYS = ("cost_ram", "out_cost")


def graph_from_node_link(data, check, name):
    """A `Graph` from parsed node-link data; `check` is a json_format.Checker (for errors)."""
    # networkx >= 3.4 can write the links under "edges"
    links_key = "edges" if "edges" in data and "links" not in data else "links"
    check.object(data, (), required=("nodes", links_key),
                 optional=("directed", "multigraph", "graph"))
    if data.get("directed", True) is not True:
        check.fail(("directed",), "the graph is undirected: a DAG needs \"directed\": true")
    nodes = check.array(data["nodes"], ("nodes",))
    links = check.array(data[links_key], (links_key,))
    # networkx names the node key "id" by default; the random layered files use "name"
    id_key = "id" if nodes and isinstance(nodes[0], dict) and "id" in nodes[0] else "name"
    if links and isinstance(links[0], dict) and "0" in links[0]:
        ends = ("0", "1")
    else:
        ends = ("source", "target")

    ids = {}           # node id -> operator name
    where = {}
    info = []
    for k, node in enumerate(nodes):
        steps = ("nodes", k)
        # any keys: node-link data carries arbitrary node attributes
        check.object(node, steps, closed=False)
        if id_key not in node:
            check.fail(steps, f"the key {id_key!r} is missing")
        node_id = node[id_key]
        if isinstance(node_id, bool) or not isinstance(node_id, (int, str)):
            check.fail(steps + (id_key,), f"a node id is a string or an integer, found "
                                          f"{node_id!r}")
        if node_id in ids:
            check.fail(steps + (id_key,), f"the node id {node_id!r} appears twice")
        if id_key == "id" and "name" in node:
            op = check.string(node["name"], steps + ("name",))
            kind = "backward" if node.get("backward") is True else "forward"
        else:
            op, kind = str(node_id), "node"
        if op in where:
            check.fail(steps + ("name",), f"two nodes are named {op!r}")
        ids[node_id] = op
        where[op] = steps
        what = f"node {op!r}"
        work = _field(check, node, steps, _WORK_KEYS, what)
        size = _field(check, node, steps, _SIZE_KEYS, what)
        weight = check.count(node.get("param_cost", 0), steps + ("param_cost",), what)
        info.append((op, kind, work, size, weight))

    predecessors = {op: [] for op, *_ in info}
    has_successor = set()
    for k, link in enumerate(links):
        steps = (links_key, k)
        check.object(link, steps, required=ends, closed=False)
        for key in ends:
            end = link[key]
            if isinstance(end, bool) or not isinstance(end, (int, str)) or end not in ids:
                check.fail(steps + (key,), f"unknown node {end!r}")
        u, v = ids[link[ends[0]]], ids[link[ends[1]]]
        if u == v:
            check.fail(steps, f"the link {u!r} -> {v!r} is a self-loop (a cycle)")
        if u not in predecessors[v]:
            predecessors[v].append(u)
        has_successor.add(u)

    operators = [Operator(op, kind, work, tuple(predecessors[op]), (op,), weight)
                 for op, kind, work, _, weight in info]
    sizes = {op: size for op, _, _, size, _ in info}
    outputs = [op for op in sizes if op not in has_successor]
    order = None
    attributes = data.get("graph")
    if isinstance(attributes, dict) and isinstance(attributes.get("order"), list):
        try:
            order = [ids[node_id] for node_id in attributes["order"]]
        except (KeyError, TypeError):
            order = None  # not an order of these nodes: fall back to the node list

    def locate(op):
        if check.text is None or op not in where:
            return None, None
        from ._jsontext import position
        return position(check.text, where[op])

    return build_graph(name, operators, sizes, outputs, check.source, order=order,
                       locate=locate)


def _field(check, node, steps, keys, what):
    for key in keys:
        if key in node:
            return check.count(node[key], steps + (key,), what)
    check.fail(steps, f"neither {' nor '.join(repr(k) for k in keys)} is given", what)
