"""The schedules a compiler would produce without a solver, to compare ours with:

- critical-path list scheduling: operators are taken by the longest chain of latency from
  them to the end of the graph (Hu's level rule; ties by file order), each put on the unit of
  its kind that frees up first, as soon as its inputs are ready;
- the file's order: the same placement, taking the operators in the order the file lists
  them (what running the ONNX graph node by node does).

Neither looks at memory: their peak memory is what that order happens to need.
"""
import heapq

from .schedule import memory_profile


def critical_path_order(problem):
    graph = problem.graph
    fastest = {op.name: min(lat for _, lat in problem.accelerator.options(op))
               for op in graph.operators}
    # the longest chain of latency from the start of each operator to the end of the graph
    tail = graph.precedences(lag=fastest).longest_to(fastest[op.name] for op in graph.operators)
    position = {op.name: i for i, op in enumerate(graph.operators)}
    return sorted(position, key=lambda name: (-tail[position[name]], position[name]))


def list_schedule(problem, order):
    """{operator: (unit, start, end)} placing the operators by priority `order` (a list of
    names): each, once its predecessors are placed, on the option and unit that let it end
    first. Returns (placement, latency, peak memory)."""
    graph, accelerator = problem.graph, problem.accelerator
    rank = {name: i for i, name in enumerate(order)}
    # never more units than operators: a description may announce 10^9 units
    free_at = {kind: [0] * min(count, len(graph.operators))
               for kind, count in accelerator.units.items()}
    # each operator once its predecessors are placed, the ready one first in `order` (placing
    # one does not change which are ready: a topological order with that priority)
    sequence = graph.precedences().topological_order([rank[op.name] for op in graph.operators])
    placement = {}
    for name in (graph.operators[k].name for k in sequence):
        op = graph.operator(name)
        earliest = max((placement[p][2] for p in graph.predecessors(name)), default=0)
        best = None
        for kind, latency in accelerator.options(op):
            if kind is None or latency == 0:
                choice = (earliest + latency, earliest, kind, None)
            else:
                unit = min(range(len(free_at[kind])), key=lambda i: (free_at[kind][i], i))
                start = max(earliest, free_at[kind][unit])
                choice = (start + latency, start, kind, unit)
            if best is None or choice[0] < best[0]:
                best = choice
        end, start, kind, unit = best
        if unit is not None:
            free_at[kind][unit] = end
        placement[name] = (None if kind is None else f"{kind}[{unit or 0}]", start, end)
    latency = max((end for _, _, end in placement.values()), default=0)
    times = {name: (start, end) for name, (_, start, end) in placement.items()}
    profile = memory_profile(graph, times, latency)
    peak = max((use for _, use in profile), default=0)
    return placement, latency, peak


def least_memory_order(problem):
    """A single-stream order built greedily for little live memory: of the operators whose
    inputs are ready, the one after which the fewest bytes stay live, then the one needing the
    fewest while it runs, then the first in the file (the greedy rule memory-aware schedulers
    start from, e.g. SERENITY's baseline).

    The bytes live before the choice are the same for every candidate, so a candidate's key
    is (made - freed, made, file position); it only changes when one of its inputs is left
    with it as the last reader. A heap with those updates (stale entries skipped) takes
    0.3 s on 9,432 operators, where a scan of the ready set took 25 s."""
    graph = problem.graph
    # ties go to the first in the file's own order (graph.operators is a topological order,
    # which for some formats is not the file's)
    position = {name: k for k, name in enumerate(graph.file_order())}
    waiting = {op.name: len(graph.predecessors(op.name)) for op in graph.operators}
    readers = {t.name: len(set(t.consumers)) for t in graph.tensors.values()}
    done = set()

    def key(name):
        op = graph.operator(name)
        made = sum(graph.tensors[t].size for t in op.outputs)
        freed = sum(graph.tensors[t].size for t in set(op.inputs)
                    if readers[t] == 1 and not graph.tensors[t].is_output)
        freed += sum(graph.tensors[t].size for t in op.outputs
                     if not graph.tensors[t].consumers and not graph.tensors[t].is_output)
        return (made - freed, made, position[name])

    current = {}
    heap = []

    def push(name):
        current[name] = key(name)
        heapq.heappush(heap, (current[name], name))

    for name, n in waiting.items():
        if n == 0:
            push(name)
    order = []
    while heap:
        entry, name = heapq.heappop(heap)
        if name in done or current[name] != entry:
            continue  # stale
        done.add(name)
        order.append(name)
        op = graph.operator(name)
        for t in set(op.inputs):
            readers[t] -= 1
            if readers[t] == 1:
                for other in set(graph.tensors[t].consumers):
                    if other not in done and waiting[other] == 0:
                        push(other)   # its last input of t: it frees t now
        for successor in graph.successors(name):
            waiting[successor] -= 1
            if waiting[successor] == 0:
                push(successor)
    return order


def file_topological_order(graph):
    """The file's order made topological: Kahn's algorithm taking the ready operator that
    comes first in the file. (graph.operators is topological too, but for some formats not
    the file's order; one operator at a time in this order was the least-memory sequential
    schedule on random_layered_n1000 on npu-small: 584,199 bytes against 599,799 in the
    least-memory order and 608,619 in graph.operators' order.)"""
    position = {name: k for k, name in enumerate(graph.file_order())}
    order = graph.precedences().topological_order([position[op.name] for op in graph.operators])
    return [graph.operators[k].name for k in order]
