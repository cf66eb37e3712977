"""Cutting a graph at the operators every other operator depends on or feeds.

An operator v whose ancestors and descendants together are all the other operators (the
concatenation closing an inception module, the addition closing a residual block) splits every
schedule in two: the ancestors all end before v starts and the descendants all start after v
ends. So the operators between two such cuts form a segment that runs alone, and a schedule
is the segments one after the other:

- its latency is the sum of the segments' latencies, so the least latency is the sum of the
  segments' least latencies;
- the memory in use during a segment is the segment's own tensors plus the tensors passing
  through it (produced before, read after: live during all of it, whatever the order), so the
  peak is the largest segment peak, and a memory budget holds when it holds in every segment.

Each segment is then an independent, much smaller problem: exactly the same optimum, found
segment by segment (the series decomposition of series-parallel scheduling, e.g. Lawler 1978;
here for any DAG with cut operators). Chain-like networks (VGG, ResNet, Inception, DenseNet)
have one cut every block.
"""
from .graph import Graph, Tensor


def cut_operators(graph):
    """The names of the operators comparable with every other one, in topological order."""
    ops = graph.operators
    index = {op.name: k for k, op in enumerate(ops)}
    ancestors = [0] * len(ops)
    for k, op in enumerate(ops):  # operators are in a topological order
        for p in graph.predecessors(op.name):
            ancestors[k] |= ancestors[index[p]] | (1 << index[p])
    descendants = [0] * len(ops)
    for k in range(len(ops) - 1, -1, -1):
        for s in graph.successors(ops[k].name):
            descendants[k] |= descendants[index[s]] | (1 << index[s])
    everyone = len(ops) - 1
    return [op.name for k, op in enumerate(ops)
            if bin(ancestors[k]).count("1") + bin(descendants[k]).count("1") == everyone]


def segments(graph):
    """The operator names of each segment, in execution order: maximal runs between cuts, each
    cut operator a segment of its own. One segment when the graph has no cut."""
    cuts = set(cut_operators(graph))
    out, run = [], []
    for op in graph.operators:
        if op.name in cuts:
            if run:
                out.append(run)
            out.append([op.name])
            run = []
        else:
            run.append(op.name)
    if run:
        out.append(run)
    return out


def segment_graphs(graph, parts):
    """A `Graph` per segment: its operators, the tensors they touch, and the tensors passing
    through. A tensor produced by an earlier segment is an input there (live from the
    segment's start); one read by a later segment, or a graph output, is an output there
    (live to its end); one passing through is both, with no operator."""
    where = {}
    for k, names in enumerate(parts):
        for name in names:
            where[name] = k
    last = len(parts) - 1
    produced_in, read_until = {}, {}
    for t in graph.tensors.values():
        produced_in[t.name] = -1 if t.producer is None else where[t.producer]
        read_until[t.name] = max([where[c] for c in t.consumers] + [produced_in[t.name]])
        if t.is_output:
            read_until[t.name] = last + 1
    graphs = []
    for k, names in enumerate(parts):
        members = set(names)
        tensors = {}
        for t in graph.tensors.values():
            born, dies = produced_in[t.name], read_until[t.name]
            if dies < k or born > k:
                continue  # not live during this segment
            tensors[t.name] = Tensor(
                t.name, t.size, t.producer if born == k else None,
                tuple(c for c in t.consumers if c in members), is_output=dies > k)
        ops = [graph.operator(name) for name in names]
        graphs.append(Graph(f"{graph.name}[{k}]", ops, tensors, graph.source))
    return graphs
