"""A solved DNN problem in the graph's terms: for each operator its unit, start and end; the
latency, the peak of live activation memory and the memory profile; status, bound and gap."""
import json

from ..sched.result import FEASIBLE, OPTIMAL


class DnnSchedule:
    def __init__(self, problem, result):
        self.problem = problem
        self.result = result
        self.status = result.status
        self.objective = result.objective
        self.lower_bound = result.lower_bound
        self.gap = result.gap
        self.runtime = result.runtime
        self.reason = result.reason
        self.stats = result.stats
        self.operations = []    # [{"op", "kind", "unit", "start", "end"}] by start time
        self.latency = None
        self.peak_memory = None
        self.profile = []       # [(time, live bytes from then on)] where the use changes
        if result.status in (OPTIMAL, FEASIBLE):  # a checked schedule (maybe of nothing)
            self._read()

    @property
    def optimal(self):
        return self.status == OPTIMAL

    def _read(self):
        problem, result = self.problem, self.result
        placed = []
        for op in problem.graph.operators:
            options = problem.options[op.name]
            unit, latency = None, None
            for kind, duration, task in options:
                if result.present(task):
                    unit, latency = kind, duration
                    break
            start = result.start(problem.task[op.name])
            placed.append({"op": op.name, "kind": op.kind, "unit_kind": unit, "start": start,
                           "end": start + latency})
        # Identical units: give each operation the lowest-numbered unit of its kind that is
        # free when it starts. At no instant do more operations of a kind run than there are
        # units, so one is always free (interval graphs are coloured greedily in start order).
        # (never more units than operations: a description may announce 10^9 units)
        free_at = {kind: [0] * min(count, len(placed))
                   for kind, count in problem.accelerator.units.items()}
        for entry in sorted(placed, key=lambda e: (e["start"], e["end"], e["op"])):
            kind = entry["unit_kind"]
            if kind is None:
                entry["unit"] = None
                continue
            if entry["end"] == entry["start"]:
                entry["unit"] = f"{kind}[0]"   # takes no time: occupies no unit
                continue
            units = free_at[kind]
            number = next(i for i, t in enumerate(units) if t <= entry["start"])
            units[number] = entry["end"]
            entry["unit"] = f"{kind}[{number}]"
        placed.sort(key=lambda e: (e["start"], e["op"]))
        self.operations = placed
        self.latency = max((e["end"] for e in placed), default=0)
        self.profile = memory_profile(problem.graph, {e["op"]: (e["start"], e["end"])
                                                      for e in placed}, self.latency)
        self.peak_memory = max((use for _, use in self.profile), default=0)

    def as_dict(self):
        data = self._dict()
        result = self.result
        if result.certificate is not None or result.certificate_note:   # a proof was asked
            data["certificate"] = result.certificate
            data["certificate_note"] = result.certificate_note
        return data

    def _dict(self):
        return {"status": self.status, "objective": self.objective,
                "objective_kind": self.problem.objective, "lower_bound": self.lower_bound,
                "gap": self.gap, "runtime": round(self.runtime, 6), "latency": self.latency,
                "peak_memory": self.peak_memory, "memory_budget": self.problem.memory_budget,
                "units": dict(self.problem.accelerator.units),
                "starts": {e["op"]: e["start"] for e in self.operations},
                "schedule": self.operations,
                "memory_profile": [list(p) for p in self.profile],
                "reason": self.reason, "stats": self.stats}

    def to_json(self, **options):
        return json.dumps(self.as_dict(), **options)

    def __repr__(self):
        return (f"DnnSchedule({self.status}, {self.problem.objective} {self.objective}, "
                f"lower_bound={self.lower_bound}, latency={self.latency}, "
                f"peak_memory={self.peak_memory})")


def memory_profile(graph, times, latency):
    """[(time, bytes live from then on)] at every change, for operator times {name: (start,
    end)}: a tensor is live from its producer's start (0 for a graph input) to the latest end
    of its producer and consumers (to `latency` for a graph output)."""
    events = {}
    for tensor in graph.tensors.values():
        if tensor.size == 0:
            continue
        if tensor.producer is None:
            if not tensor.consumers and not tensor.is_output:
                continue
            alloc = 0
            ends = []
        else:
            alloc, end = times[tensor.producer]
            ends = [end]
        ends += [times[c][1] for c in tensor.consumers]
        # an output is kept to the end: live at every instant up to the latency included
        # (an operator of no duration may still allocate at that instant)
        free = max(latency, alloc) + 1 if tensor.is_output else max(ends, default=alloc)
        if free <= alloc:
            continue
        events[alloc] = events.get(alloc, 0) + tensor.size
        events[free] = events.get(free, 0) - tensor.size
    profile, use = [], 0
    for time in sorted(events):
        use += events[time]
        profile.append((time, use))
    return profile
