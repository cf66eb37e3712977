"""Neural-network computation graphs: operators and the activation tensors between them.

A `Graph` is a DAG of `Operator`s connected by activation `Tensor`s. Parameters (weights,
initializers, folded constants) are not tensors of the graph: an operator only records how many
parameter bytes it reads (`weight_bytes`), because parameters live in memory for the whole run
and do not take part in the scheduling of activation memory.

This module holds the data and its checks only; `smtsched.dnn.load` reads the files (one reader
module per format), and every problem with an input raises `GraphError`, whose message starts
with the file and, where the format lets us know it, the line and column.
"""
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from ..errors import InputError
from ..precedence import Precedences


class GraphError(InputError):
    """A problem with an input graph. `str()` is "source:line:column: message" (the parts that
    are known); the parts are also kept as attributes."""

    def __init__(self, message, source=None, line=None, column=None):
        super().__init__(message, source, line, column)


@dataclass(frozen=True)
class Tensor:
    """An activation tensor: written by one operator (or a graph input) and read by others."""
    name: str
    size: int                      # bytes
    producer: Optional[str]        # operator name; None for a graph input
    consumers: Tuple[str, ...]     # operator names, in file order
    is_output: bool = False        # a graph output stays live until the end of the execution


@dataclass(frozen=True)
class Operator:
    """One operator: reads activation tensors `inputs`, writes `outputs`, and reads
    `weight_bytes` bytes of parameters."""
    name: str
    kind: str
    work: int
    inputs: Tuple[str, ...] = ()
    outputs: Tuple[str, ...] = ()
    weight_bytes: int = 0

    def __post_init__(self):
        # accept lists from callers, but keep the dataclass hashable and immutable
        object.__setattr__(self, "inputs", tuple(self.inputs))
        object.__setattr__(self, "outputs", tuple(self.outputs))


class Graph:
    """A DAG of operators. Build one with `build_graph` (which derives the tensors' producers and
    consumers and checks everything), or read one with `smtsched.dnn.load_graph` or
    `smtsched.dnn.graph_from_json`.

    `operators` is in a topological order: the file's order when that is one, otherwise the
    stable topological order (`file_order()` keeps the file's order).
    """

    def __init__(self, name, operators, tensors, source="<memory>", file_order=None):
        self.name = name
        self.operators: List[Operator] = list(operators)
        self.tensors: Dict[str, Tensor] = dict(tensors)
        self.source = source
        self._by_name = {op.name: op for op in self.operators}
        self._file_order = list(file_order) if file_order is not None else \
            [op.name for op in self.operators]
        rank = {name: k for k, name in enumerate(self._file_order)}
        self._predecessors = {}
        self._successors = {op.name: [] for op in self.operators}
        for op in self.operators:
            producers = {self.tensors[t].producer for t in op.inputs} - {None}
            self._predecessors[op.name] = sorted(producers, key=rank.__getitem__)
            for p in producers:
                self._successors[p].append(op.name)
        for name in self._successors:
            self._successors[name].sort(key=rank.__getitem__)

    def __repr__(self):
        return (f"Graph({self.name!r}, {len(self.operators)} operators, "
                f"{len(self.tensors)} tensors, source={self.source!r})")

    def operator(self, name) -> Operator:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no operator named {name!r} in {self.name}") from None

    def predecessors(self, name) -> List[str]:
        """The operators producing an input of `name`, without duplicates, in file order."""
        self.operator(name)
        return list(self._predecessors[name])

    def successors(self, name) -> List[str]:
        """The operators reading an output of `name`, without duplicates, in file order."""
        self.operator(name)
        return list(self._successors[name])

    def file_order(self) -> List[str]:
        return list(self._file_order)

    def weight_bytes(self) -> int:
        return sum(op.weight_bytes for op in self.operators)

    def inputs(self) -> List[str]:
        """Names of the graph-input tensors (no producer)."""
        return [t.name for t in self.tensors.values() if t.producer is None]

    def outputs(self) -> List[str]:
        return [t.name for t in self.tensors.values() if t.is_output]

    def to_json(self) -> dict:
        """Our JSON format's operator form (operators in file order, plus "order" when
        `operators` differs from it), from which `graph_from_json` rebuilds an equal graph
        (see `smtsched.dnn.json_format`)."""
        by_name = self._by_name
        data = {
            "name": self.name,
            "operators": [{"name": op.name, "kind": op.kind, "work": op.work,
                           "inputs": list(op.inputs), "outputs": list(op.outputs),
                           "weight_bytes": op.weight_bytes}
                          for op in (by_name[n] for n in self._file_order)],
            "tensors": [{"name": t.name, "size": t.size, "is_output": t.is_output}
                        for t in self.tensors.values()],
        }
        order = [op.name for op in self.operators]
        if order != self._file_order:
            data["order"] = order
        return data

    def precedences(self, lag=None):
        """The operators as a `Precedences` graph, numbered as in `operators`: an arc from
        each operator to each reader of its outputs, of length lag[name] (0 without `lag`)."""
        number = {op.name: k for k, op in enumerate(self.operators)}
        successors = self._successors
        return Precedences(len(self.operators), [
            (k, number[successor], 0 if lag is None else lag[op.name])
            for k, op in enumerate(self.operators) for successor in successors[op.name]])


def build_graph(name, operators: Iterable[Operator], sizes: Dict[str, int], outputs=(),
                source="<memory>", order: Optional[List[str]] = None,
                locate: Optional[Callable[[str], Tuple[Optional[int], Optional[int]]]] = None
                ) -> Graph:
    """A checked `Graph` from operators (in file order) and the tensor sizes.

    `sizes` maps every activation tensor to its size in bytes; its order is the order of
    `Graph.tensors`. `outputs` are the graph outputs. `order`, if given, is a topological order
    proposed by the file, used when valid. `locate(operator name)` returns the (line, column) of
    an operator in the file, for the error messages.
    """
    operators = list(operators)

    def fail(message, op_name=None):
        line, column = locate(op_name) if (locate and op_name is not None) else (None, None)
        raise GraphError(message, source, line, column)

    by_name = {}
    producer = {}
    consumers = {t: [] for t in sizes}
    for t, size in sizes.items():
        _check_name(t, "tensor", fail)
        if not _is_count(size):
            fail(f"the size of tensor {t!r} must be an integer >= 0, not {size!r}")
    for op in operators:
        _check_name(op.name, "operator", fail, op.name)
        _check_name(op.kind, "operator kind", fail, op.name)
        for value, what in ((op.work, "work"), (op.weight_bytes, "weight_bytes")):
            if not _is_count(value):
                fail(f"the {what} of operator {op.name!r} must be an integer >= 0, not "
                     f"{value!r}", op.name)
        if op.name in by_name:
            fail(f"two operators are named {op.name!r}", op.name)
        by_name[op.name] = op
        for t in op.outputs:
            if t not in sizes:
                fail(f"operator {op.name!r} writes the unknown tensor {t!r}", op.name)
            if t in producer:
                fail(f"tensor {t!r} is written by both {producer[t]!r} and {op.name!r}",
                     op.name)
            producer[t] = op.name
        if len(set(op.outputs)) != len(op.outputs):
            fail(f"operator {op.name!r} lists an output twice", op.name)
        for t in op.inputs:
            if t not in sizes:
                fail(f"operator {op.name!r} reads the unknown tensor {t!r}", op.name)
        for t in dict.fromkeys(op.inputs):  # a tensor read twice is one consumer
            consumers[t].append(op.name)
    for t in outputs:
        if t not in sizes:
            raise GraphError(f"the graph output {t!r} is not a tensor", source)
    outputs = set(outputs)

    file_order = [op.name for op in operators]
    topo = None
    if order is not None and _is_topological(order, by_name, producer):
        topo = list(order)
    if topo is None:
        topo = _topological_order(operators, producer, fail)
    rank = {n: k for k, n in enumerate(file_order)}
    tensors = {}
    for t, size in sizes.items():
        tensors[t] = Tensor(t, size, producer.get(t),
                            tuple(sorted(consumers[t], key=rank.__getitem__)), t in outputs)
    return Graph(name, [by_name[n] for n in topo], tensors, source, file_order)


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def unprintable(text):
    """A description of the first character of `text` that cannot appear in a name (a control
    character, which would break the line-based output, or a lone surrogate, which cannot be
    written as UTF-8 at all); None if there is none."""
    for character in text:
        code = ord(character)
        if code < 0x20 or 0x7f <= code < 0xa0:
            return f"the control character {character!r}"
        if 0xd800 <= code < 0xe000:
            return f"the lone surrogate \\u{code:04x}"
    return None


def _check_name(name, what, fail, op_name=None):
    if not isinstance(name, str) or not name:
        fail(f"{what} names must be non-empty strings, not {name!r}", op_name)
    bad = unprintable(name)
    if bad:
        fail(f"the {what} name {name!r} contains {bad}", op_name)


def _is_topological(order, by_name, producer):
    if len(order) != len(by_name) or set(order) != set(by_name):
        return False
    done = set()
    for name in order:
        for t in by_name[name].inputs:
            p = producer.get(t)
            if p is not None and p not in done:
                return False
        done.add(name)
    return True


def _topological_order(operators, producer, fail):
    """The operators' names in a topological order that keeps the file's order whenever it is
    already topological (and otherwise disturbs it least: the ready operator that comes first
    in the file goes first). A cycle is reported through `fail(message, operator name)`."""
    index = {op.name: k for k, op in enumerate(operators)}
    # the producers in the order of the inputs (the cycle found walks back the first)
    arcs = Precedences(len(operators), [
        (p, k, 0) for k, op in enumerate(operators)
        for p in dict.fromkeys(index[producer[t]] for t in op.inputs if t in producer)])
    order = arcs.topological_order(priority=range(len(operators)))
    if order is None:
        cycle = [operators[k].name for k in arcs.cycle()]
        fail("the graph has a cycle: " + " -> ".join(repr(n) for n in cycle), cycle[0])
    return [operators[k].name for k in order]
