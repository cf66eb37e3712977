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

Operators of no duration need care at the instant B where one segment ends and the next
begins. In its own problem a segment keeps a tensor read later live to its end, B included
(an `until_end` buffer); in the whole schedule that tensor is freed at B when every later
reader ends at B (readers of no duration that nothing of positive duration precedes after B).
If the segment also allocates at B (it has an operator of no duration, which may run at its
very end), its own peak can then exceed any whole schedule's, and its optimum is no bound:
conv -> Reshape -> Reshape -> Relu answered INFEASIBLE under a budget the whole problem meets.
So a boundary is kept only when one of the two cannot happen: the segment before it has no
operator of no duration, or every tensor crossing it is a graph output or has a later reader
that surely ends after B. Otherwise the segments on both sides are merged. With that, at
every instant a segment's own use equals the whole schedule's (inside the segment) or bounds
it from above (at its ends), which is all the two claims above need.
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


def segments(graph, shortest=None):
    """The operator names of each segment, in execution order: maximal runs between cuts, each
    cut operator a segment of its own. One segment when the graph has no cut.

    `shortest` ({operator name: its least latency over its units}) says that memory is
    counted: boundaries where a zero-latency operator could make a segment's own peak exceed
    the whole schedule's are then not cut (see the module's docstring)."""
    parts = _runs(graph)
    if shortest is None or len(parts) < 2:
        return parts
    return _merge_unsound(graph, parts, shortest)


def _runs(graph):
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


def _merge_unsound(graph, parts, shortest):
    """`parts` with every boundary merged away where a segment's peak may not bound the whole
    schedule's: the segment before has an operator of no duration, and a tensor crossing the
    boundary may be freed at it (not an output, and every later reader may end there)."""
    where = {name: k for k, names in enumerate(parts) for name in names}
    # within its own part, can an operator end at the part's start? (it and all its
    # ancestors in the part take no time)
    instant = {}
    for op in graph.operators:  # topological order
        instant[op.name] = shortest[op.name] == 0 and all(
            instant[p] for p in graph.predecessors(op.name) if where[p] == where[op.name])
    # every operator of a later part depends on every operator of an earlier one (parts are
    # separated by cut operators), so a reader in part j can end at the start of part i < j
    # only when parts i..j-1 take no time at all
    all_zero = [all(shortest[name] == 0 for name in names) for names in parts]
    # timed_before[j]: how many parts before part j take time
    timed_before = [0]
    for flag in all_zero:
        timed_before.append(timed_before[-1] + (0 if flag else 1))
    # may_free[k]: a tensor crossing the boundary before part k may be freed at it
    may_free = [False] * len(parts)
    for t in graph.tensors.values():
        if t.size == 0 or t.is_output or not t.consumers:
            continue
        born = -1 if t.producer is None else where[t.producer]
        readers = sorted((where[c], c) for c in t.consumers)
        for k in range(born + 1, readers[-1][0] + 1):
            if not may_free[k] and all(instant[c] and timed_before[j] == timed_before[k]
                                       for j, c in readers if j >= k):
                may_free[k] = True
    merged = [list(parts[0])]
    zero_in_current = any(shortest[name] == 0 for name in parts[0])
    for k in range(1, len(parts)):
        if zero_in_current and may_free[k]:
            merged[-1].extend(parts[k])
        else:
            merged.append(list(parts[k]))
            zero_in_current = False
        zero_in_current = zero_in_current or any(shortest[name] == 0 for name in parts[k])
    return merged


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
