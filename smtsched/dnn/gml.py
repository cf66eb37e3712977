"""GML graphs (the subset real files use), such as the differentiable-scheduler DAGs.

Syntax read: a list of `key value` pairs, where a key is an identifier and a value is an integer,
a real, a "quoted string" (no escapes; HTML entities like &quot; are decoded, as networkx does) or
a nested list `[ ... ]`; `#` starts a comment up to the end of the line. The file must hold one
`graph [ ... ]` with `directed 1`, `node [ id .. ]` and `edge [ source .. target .. ]` entries.

Mapping to a `Graph`:

- operator name: the node's `label` (a string) if present, else its `id`; kind "node";
- work: the node's `parameter` (an integer >= 0, or a real with an integral value; 0 if absent);
- each node writes one tensor named like it, read by its successors. Its size is the largest
  `parameter` of its out-edges: in these files an edge weight is the cost of the data sent along
  the edge, and a tensor read by several successors is produced (and held) once, so its size is
  what the biggest reader needs, not the sum. Nodes without out-edges write a 0-byte tensor and
  are the graph outputs.

Node order in the file need not be topological (these files are not): `Graph.operators` is then
the stable topological order, `Graph.file_order()` keeps the file's order. Errors name the file,
line and column.
"""
import html
import os
import re

from .graph import GraphError, Operator, build_graph, unprintable

_TOKEN = re.compile(r"""
    (?P<space>[ \t\r\n]+|\#[^\n]*)
  | (?P<real>[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?[0-9]+[eE][+-]?[0-9]+)
  | (?P<int>[+-]?[0-9]+)
  | (?P<string>"[^"]*")
  | (?P<key>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<open>\[)
  | (?P<close>\])
""", re.VERBOSE)


# int() refuses longer decimal strings; a number that long is a corrupt file
_MAX_DIGITS = 4000


class _Item:
    """A `key value` pair with the position of the key (and of the value)."""
    __slots__ = ("key", "value", "line", "column", "value_line", "value_column")

    def __init__(self, key, value, line, column, value_line, value_column):
        self.key, self.value, self.line, self.column = key, value, line, column
        self.value_line, self.value_column = value_line, value_column


def parse_gml(text, source="<memory>"):
    """The top-level list of `_Item`s of a GML text (nested lists are lists of `_Item`s)."""
    tokens = _tokens(text, source)
    stack = [[]]
    openers = []
    pending = None  # a key waiting for its value: (key, line, column)
    for kind, value, line, column in tokens:
        if pending is None:
            if kind == "key":
                pending = (value, line, column)
            elif kind == "close":
                if not openers:
                    raise GraphError("']' without a matching '['", source, line, column)
                inner = stack.pop()
                openers.pop()
                stack[-1][-1].value = inner
            else:
                raise GraphError(f"a key was expected, found {_describe(kind, value)}",
                                 source, line, column)
            continue
        key, key_line, key_column = pending
        pending = None
        if kind in ("int", "real", "string"):
            stack[-1].append(_Item(key, value, key_line, key_column, line, column))
        elif kind == "open":
            stack[-1].append(_Item(key, None, key_line, key_column, line, column))
            stack.append([])
            openers.append((line, column))
        else:
            raise GraphError(f"the key {key!r} has no value (found {_describe(kind, value)})",
                             source, line, column)
    if pending is not None:
        raise GraphError(f"the key {pending[0]!r} has no value (end of file)", source,
                         pending[1], pending[2])
    if openers:
        line, column = openers[-1]
        raise GraphError("this '[' is never closed", source, line, column)
    return stack[0]


def _describe(kind, value):
    return {"open": "'['", "close": "']'"}.get(kind, repr(value))


def _tokens(text, source):
    at = 0
    line = 1
    line_start = 0
    out = []
    while at < len(text):
        m = _TOKEN.match(text, at)
        if m is None:
            problem = ("this string is never closed" if text[at] == '"' else
                       f"unexpected character {text[at]!r}")
            raise GraphError(problem, source, line, at - line_start + 1)
        kind = m.lastgroup
        column = at - line_start + 1
        if kind != "space":
            raw = m.group()
            if kind in ("int", "real") and len(raw) > _MAX_DIGITS:
                raise GraphError(f"a number of {len(raw)} characters is not a plausible "
                                 f"value", source, line, column)
            if kind == "int":
                value = int(raw)
            elif kind == "real":
                value = float(raw)
            elif kind == "string":
                value = html.unescape(raw[1:-1])
            else:
                value = raw
            out.append((kind, value, line, column))
        newlines = text.count("\n", at, m.end())
        if newlines:
            line += newlines
            line_start = text.rfind("\n", at, m.end()) + 1
        at = m.end()
    return out


def load_gml(path):
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise GraphError(f"cannot read: {error.strerror or error}", path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[:error.start]
        raise GraphError(f"the file is not UTF-8 text (byte 0x{data[error.start]:02x})", path,
                         before.count(b"\n") + 1,
                         len(before) - (before.rfind(b"\n") + 1) + 1) from None
    if "\x00" in text:  # even in a comment: a NUL byte means a binary or damaged file
        at = text.index("\x00")
        raise GraphError("a NUL byte: this is not a text file", path,
                         text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1)
    return graph_from_gml(text, source=path,
                          name=os.path.splitext(os.path.basename(path))[0])


def graph_from_gml(text, source="<memory>", name="graph"):
    items = parse_gml(text, source)
    graphs = [item for item in items if item.key == "graph"]
    if len(graphs) != 1:
        # at the second graph, else at what stands where the graph should be
        at = graphs[1] if len(graphs) > 1 else (items[0] if items else None)
        raise GraphError(f"expected one 'graph [ ... ]', found {len(graphs)}", source,
                         *((at.line, at.column) if at is not None else (1, 1)))
    graph = graphs[0]
    if not isinstance(graph.value, list):
        raise GraphError("'graph' must be a list [ ... ]", source, graph.line, graph.column)

    def fail(item, message):
        raise GraphError(message, source, item.line, item.column)

    def fail_value(item, message):
        raise GraphError(message, source, item.value_line, item.value_column)

    directed = [item for item in graph.value if item.key == "directed"]
    if not directed or directed[-1].value != 1:
        fail(directed[-1] if directed else graph,
             "the graph is not directed (a DAG needs 'directed 1')")

    ids = {}            # GML id -> operator name
    work = {}
    where = {}
    for item in graph.value:
        if item.key != "node":
            continue
        fields = _fields(item, fail, "node")
        if "id" not in fields:
            fail(item, "this node has no 'id'")
        node_id = _integer(fields["id"], fail_value, "id")
        if node_id in ids:
            fail_value(fields["id"], f"the node id {node_id} appears twice")
        label = fields.get("label")
        if label is not None and not isinstance(label.value, str):
            fail_value(label, "a label is a quoted string")
        if label is not None and unprintable(label.value):
            fail_value(label, f"a label cannot contain {unprintable(label.value)}")
        op = label.value if label is not None else str(node_id)
        if op in where:
            fail_value(label or fields["id"], f"two nodes are named {op!r}")
        ids[node_id] = op
        where[op] = item
        work[op] = _integer(fields["parameter"], fail_value, "parameter") if "parameter" in fields \
            else 0

    predecessors = {op: [] for op in work}
    size = {op: 0 for op in work}
    seen = set()
    for item in graph.value:
        if item.key != "edge":
            continue
        fields = _fields(item, fail, "edge")
        ends = []
        for key in ("source", "target"):
            if key not in fields:
                fail(item, f"this edge has no '{key}'")
            end = _integer(fields[key], fail_value, key)
            if end not in ids:
                fail_value(fields[key], f"unknown node id {end}")
            ends.append(ids[end])
        u, v = ends
        if u == v:
            fail(item, f"the edge {u!r} -> {v!r} is a self-loop (a cycle)")
        if (u, v) in seen:
            fail(item, f"the edge {u!r} -> {v!r} appears twice")
        seen.add((u, v))
        predecessors[v].append(u)
        weight = _integer(fields["parameter"], fail_value, "parameter") if "parameter" in fields \
            else 0
        size[u] = max(size[u], weight)
    successors = {u for u, _ in seen}
    operators = [Operator(op, "node", work[op], tuple(predecessors[op]), (op,))
                 for op in work]
    outputs = [op for op in work if op not in successors]

    def locate(op):
        item = where.get(op)
        return (item.line, item.column) if item is not None else (None, None)

    return build_graph(name, operators, size, outputs, source, locate=locate)


def _fields(item, fail, what):
    """The attributes of a node/edge list by key (the last one wins, as in networkx)."""
    if not isinstance(item.value, list):
        fail(item, f"'{what}' must be a list [ ... ]")
    return {field.key: field for field in item.value}


def _integer(field, fail_value, what):
    """An integer >= 0 (a real with an integral value is accepted: some writers emit 3.0)."""
    value = field.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or value < 0:
        fail_value(field, f"'{what}' must be an integer >= 0, found {field.value!r}")
    return value
