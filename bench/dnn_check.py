"""The DNN benchmark's problems as the harness sees them (bench/dnn.py runs them): the three
problems per graph, the graph and platform in the checker's own structures, the independent
checker, the static bounds, the budget, the choice of the starting schedule (CP-SAT's hint),
the verdicts, and the checker's tests on a hand-made graph.

All of it works from the plain export of bench/dnn_worker.py prepare, none from smtsched's
scheduling code. The checker: every operator once, integer start >= 0, end - start = the
latency of a listed option of its unit kind, consumers start at or after their producers end,
never more operators of a kind running (positive latency) than units, no two on one named unit
at once, the peak of live memory (a tensor is live from its producer's start, 0 for a graph
input, to the latest end of its producer and consumers, a graph output to the end of the
schedule and at least one time unit; weights not counted) within the budget, and the reported
objective equal to the latency / peak recomputed here.
"""
import heapq
import json

HEURISTICS = ("critical-path", "file-order")
PROBLEMS = ("latency", "peak", "budget")
# problem -> (platform, objective, title)
PROBLEM_DEF = {
    "latency": ("npu-small", "latency", "Latency on npu-small"),
    "peak": ("single-core", "peak-memory", "Peak memory of a single-stream order (single-core)"),
    "budget": ("npu-small", "latency", "Latency on npu-small under a memory budget"),
    # not one of bench.dnn's PROBLEMS: bench/dnn_scale.py asks for it on its GPT-like graphs
    "fallback": ("npu-fallback", "latency", "Latency on npu-fallback (a choice of units)"),
}


# --------------------------------------------------------------------------- problem data

class Instance:
    """The exported graph and one platform's view of it, in the checker's own structures."""

    def __init__(self, data, platform_name):
        p = data["platforms"][platform_name]
        self.ops = [name for name, _, _ in data["operators"]]
        self.options = {name: [(k, int(lat)) for k, lat in p["options"][name]] for name in self.ops}
        self.units = dict(p["units"])
        self.memory = p.get("memory")
        self.tensors = [(t[0], int(t[1]), t[2], list(t[3]), bool(t[4])) for t in data["tensors"]]
        self.file_order = list(data["file_order"])


def memory_events(inst, times, latency):
    """{instant: change of live bytes} of a schedule ({op: (start, end)}) under the memory
    semantics of the benchmark (see the module docstring)."""
    events = {}
    for name, size, producer, consumers, is_output in inst.tensors:
        if size <= 0:
            continue
        if producer is None:
            if not consumers and not is_output:
                continue
            alloc, ends = 0, []
        else:
            alloc, ends = times[producer][0], [times[producer][1]]
        ends += [times[c][1] for c in consumers]
        if is_output:
            # kept to the end: live at every instant up to the latency included
            free = max(latency, alloc) + 1
        else:
            free = max(ends) if ends else alloc
        if free > alloc:
            events[alloc] = events.get(alloc, 0) + size
            events[free] = events.get(free, 0) - size
    return events


def peak_of(inst, times, latency):
    use = peak = 0
    events = memory_events(inst, times, latency)
    for t in sorted(events):
        use += events[t]
        peak = max(peak, use)
    return peak


def check_schedule(inst, schedule):
    """(problems, latency, peak) of `schedule` {op: [start, end, unit kind, unit name?]}:
    problems is empty when the schedule is valid (budget and objective are judged apart)."""
    if not isinstance(schedule, dict):
        return ["no schedule"], None, None
    problems = []
    times = {}
    for op in inst.ops:
        entry = schedule.get(op)
        if not isinstance(entry, (list, tuple)) or len(entry) < 3:
            problems.append("%s is not scheduled" % op)
            continue
        s, e, kind = entry[0], entry[1], entry[2]
        if any(isinstance(x, bool) or not isinstance(x, int) for x in (s, e)):
            problems.append("%s has non-integer times %r, %r" % (op, s, e))
            continue
        if s < 0:
            problems.append("%s starts at %d < 0" % (op, s))
        if (kind, e - s) not in inst.options[op]:
            problems.append("%s runs %d on %s, not one of its options %s"
                            % (op, e - s, kind, inst.options[op]))
        times[op] = (s, e)
    extra = sorted(set(schedule) - set(inst.ops))
    if extra:
        problems.append("unknown operators in the schedule: %s" % ", ".join(map(str, extra[:5])))
    if problems:
        return problems[:10], None, None
    for name, _, producer, consumers, _ in inst.tensors:
        if producer is None:
            continue
        for c in consumers:
            if times[c][0] < times[producer][1]:
                problems.append("%s starts at %d before %s (producer of %s) ends at %d"
                                % (c, times[c][0], producer, name, times[producer][1]))
    # unit capacity per kind: a sweep in which ends come before starts at the same instant
    for kind, count in inst.units.items():
        events = []
        for op in inst.ops:
            s, e = times[op]
            if schedule[op][2] == kind and e > s:
                events += [(s, 1, op), (e, -1, op)]
        events.sort(key=lambda x: (x[0], x[1]))
        running = 0
        for t, delta, op in events:
            running += delta
            if running > count:
                problems.append("%d operators run on the %d %s unit(s) at time %d (%s among them)"
                                % (running, count, kind, t, op))
                break
    for op in inst.ops:
        kind = schedule[op][2]
        if kind is not None and kind not in inst.units:
            problems.append("%s runs on an unknown unit kind %r" % (op, kind))
    # named units, when the solver names them: each runs one operator at a time
    named = {}
    for op in inst.ops:
        entry = schedule[op]
        unit = entry[3] if len(entry) > 3 else None
        s, e = times[op]
        if unit is None or e == s:
            continue
        kind = entry[2]
        if not (isinstance(unit, str) and kind is not None and unit.startswith(kind + "[")
                and unit.endswith("]") and unit[len(kind) + 1:-1].isdigit()
                and int(unit[len(kind) + 1:-1]) < inst.units.get(kind, 0)):
            problems.append("%s is on unit %r, not a unit of kind %s" % (op, unit, kind))
            continue
        named.setdefault(unit, []).append((s, e, op))
    for unit, spans in named.items():
        spans.sort()
        for (s1, e1, a), (s2, e2, b) in zip(spans, spans[1:]):
            if s2 < e1:
                problems.append("%s and %s overlap on %s" % (a, b, unit))
                break
    latency = max((e for _, e in times.values()), default=0)
    return problems[:10], latency, peak_of(inst, times, latency)


def static_peak_bound(inst):
    """A peak every schedule reaches: at the start of an operator that surely takes time, its
    inputs and outputs are all live; at time 0 every graph input that is read by such an
    operator (or is an output) is live."""
    slow = {op for op in inst.ops if min(lat for _, lat in inst.options[op]) > 0}
    size = {name: sz for name, sz, _, _, _ in inst.tensors}
    touching = {op: set() for op in inst.ops}
    at_zero = 0
    for name, sz, producer, consumers, is_output in inst.tensors:
        if producer is not None:
            touching[producer].add(name)
        for c in consumers:
            touching[c].add(name)
        if producer is None and (is_output or any(c in slow for c in consumers)):
            at_zero += sz
    best = max((sum(size[t] for t in touching[op]) for op in slow), default=0)
    return max(best, at_zero)


def critical_path_bound(inst):
    """The longest chain of fastest latencies (a latency every schedule reaches)."""
    fastest = {op: min(lat for _, lat in inst.options[op]) for op in inst.ops}
    preds = {op: set() for op in inst.ops}
    for _, _, producer, consumers, _ in inst.tensors:
        if producer is not None:
            for c in consumers:
                preds[c].add(producer)
    finish = {}
    for op in topological(inst):
        finish[op] = max((finish[p] for p in preds[op]), default=0) + fastest[op]
    return max(finish.values(), default=0)


def topological(inst):
    """The operators in a topological order that keeps the file's order wherever it can
    (Kahn's algorithm taking the ready operator that comes first in the file)."""
    position = {op: k for k, op in enumerate(inst.file_order)}
    succ = {op: set() for op in inst.ops}
    waiting = {op: set() for op in inst.ops}
    for _, _, producer, consumers, _ in inst.tensors:
        if producer is not None:
            for c in consumers:
                if c != producer:
                    succ[producer].add(c)
                    waiting[c].add(producer)
    ready = [(position.get(op, len(position)), op) for op in inst.ops if not waiting[op]]
    heapq.heapify(ready)
    order = []
    while ready:
        _, op = heapq.heappop(ready)
        order.append(op)
        for c in succ[op]:
            waiting[c].discard(op)
            if not waiting[c]:
                heapq.heappush(ready, (position.get(c, len(position)), c))
    if len(order) != len(inst.ops):
        raise ValueError("the exported graph has a cycle")
    return order


def least_memory_order(inst):
    """A topological order built greedily for little live memory: each time, of the operators
    whose inputs are all ready, the one that adds the fewest bytes net (its outputs minus the
    tensors it is the last reader of), ties by file position."""
    position = {op: k for k, op in enumerate(inst.file_order)}
    preds = {op: set() for op in inst.ops}
    outputs = {op: 0 for op in inst.ops}
    reads = {op: [] for op in inst.ops}
    left = {}
    for name, size, producer, consumers, is_output in inst.tensors:
        if producer is not None:
            outputs[producer] += size
            for c in consumers:
                if c != producer:
                    preds[c].add(producer)
        for c in set(consumers):
            reads[c].append(name)
        # a graph output is never freed: one reader more than it has
        left[name] = len(set(consumers)) + (1 if is_output else 0)
    size_of = {name: size for name, size, _, _, _ in inst.tensors}
    waiting = {op: len(preds[op]) for op in inst.ops}
    succ = {op: [] for op in inst.ops}
    for op in inst.ops:
        for p in preds[op]:
            succ[p].append(op)
    ready = {op for op in inst.ops if waiting[op] == 0}
    order = []
    while ready:
        def net(op):
            freed = sum(size_of[t] for t in reads[op] if left[t] == 1)
            return (outputs[op] - freed, position.get(op, len(position)))
        op = min(ready, key=net)
        ready.remove(op)
        order.append(op)
        for t in reads[op]:
            left[t] -= 1
        for c in succ[op]:
            waiting[c] -= 1
            if waiting[c] == 0:
                ready.add(c)
    if len(order) != len(inst.ops):
        raise ValueError("the exported graph has a cycle")
    return order


def sequential_schedule(inst, order=None):
    """The operators of `order` (a topological order; default: the file's order, made
    topological) run one at a time, each on its fastest option: a valid schedule on any
    platform, whatever the units."""
    schedule, t = {}, 0
    for op in order or topological(inst):
        kind, lat = min(inst.options[op], key=lambda o: o[1])
        schedule[op] = [t, t + lat, kind, None if kind is None else kind + "[0]"]
        t += lat
    return schedule


def problem_file(data, pid, budget, path, name, hint=None):
    """Write the plain problem bench/dnn_cpsat.py reads (`hint`: the starting schedule)."""
    platform, objective, _ = PROBLEM_DEF[pid]
    p = data["platforms"][platform]
    with open(path, "w") as stream:
        json.dump({"name": name, "problem": pid, "objective": objective, "budget": budget,
                   "units": p["units"],
                   "operators": [[op, p["options"][op]] for op, _, _ in data["operators"]],
                   "tensors": data["tensors"], "hint": hint}, stream)


def choose_hint(inst, info, found):
    """The start both solvers get: of smtsched's starting schedules (`found`, from
    dnn_worker.py starts), the best one that passes the harness's own checker and budget.
    Fills info["start"] ({label, value, candidates}); returns the schedule or None."""
    best, candidates = None, {}
    for item in found or []:
        problems, latency, peak = check_schedule(inst, item["schedule"])
        if problems:
            candidates[item["label"]] = "invalid: " + "; ".join(problems[:2])
            continue
        if info["budget"] is not None and peak > info["budget"]:
            candidates[item["label"]] = "over budget (peak %d)" % peak
            continue
        value = value_of(info["objective"], latency, peak)
        candidates[item["label"]] = value
        if best is None or value < best[0]:
            best = (value, item["label"], item["schedule"])
    info["start"] = {"label": None if best is None else best[1],
                     "value": None if best is None else best[0], "candidates": candidates}
    return None if best is None else best[2]


def setup_problems(data, pids=PROBLEMS):
    """{pid: {budget, bounds, heuristics}} of the problems `pids` and the harness's own checks
    of the heuristics (each problem's platform must be in `data`)."""
    out = {}
    for pid in pids:
        platform, objective, _ = PROBLEM_DEF[pid]
        inst = Instance(data, platform)
        info = {"platform": platform, "objective": objective,
                "static_peak_lb": static_peak_bound(inst),
                "critical_path_lb": critical_path_bound(inst)}
        budget = inst.memory
        if pid == "latency":
            budget = None  # the units alone (see the module docstring)
            if inst.memory is not None:
                info["platform_memory_ignored"] = inst.memory
        if pid == "budget":
            peaks = []
            for order in (topological(inst), least_memory_order(inst)):
                problems, _, peak = check_schedule(inst, sequential_schedule(inst, order))
                if problems:
                    raise ValueError("the harness's sequential schedule is invalid: %s" % problems[:2])
                peaks.append(peak)
            p_seq = min(peaks)
            info["p_seq_file_order"], info["p_seq_least_memory"] = peaks
            _, _, p_list = check_schedule(inst, _heuristic_schedule(data, platform, "file-order"))
            if p_list is None:
                p_list = data["platforms"][platform]["heuristics"]["file-order"]["peak"]
            budget = (p_seq + p_list) // 2
            info.update({"p_seq": p_seq, "p_list": p_list,
                         "budget_rule": "floor((P_seq + P_list) / 2)"})
            if inst.memory is not None:
                info["platform_memory_ignored"] = inst.memory
        info["budget"] = budget
        info["heuristics"] = {}
        for h in HEURISTICS:
            hs = data["platforms"][platform]["heuristics"][h]
            run = {"schedule": _heuristic_schedule(data, platform, h), "time": hs["time"],
                   "reported_latency": hs["latency"], "reported_peak": hs["peak"]}
            judge_heuristic(inst, info, run)
            run.pop("schedule")
            info["heuristics"][h] = run
        out[pid] = info
    return out


def _heuristic_schedule(data, platform, h):
    return {op: list(v) for op, v in data["platforms"][platform]["heuristics"][h]["schedule"].items()}


# --------------------------------------------------------------------------- judging

def value_of(objective, latency, peak):
    return latency if objective == "latency" else peak


def judge_heuristic(inst, info, run):
    problems, latency, peak = check_schedule(inst, run["schedule"])
    if not problems:
        if run.get("reported_latency") != latency:
            problems.append("reported latency %s, the schedule's is %s"
                            % (run.get("reported_latency"), latency))
        if run.get("reported_peak") != peak:
            problems.append("reported peak %s, the schedule's is %s" % (run.get("reported_peak"), peak))
    run["problems"] = problems
    run["latency"], run["peak"] = latency, peak
    if problems:
        run["verdict"], run["value"] = "WRONG", None
    elif info["budget"] is not None and peak > info["budget"]:
        run["verdict"], run["value"] = "over budget", None
    else:
        run["verdict"], run["value"] = "valid", value_of(info["objective"], latency, peak)


def judge(inst, info, run, timeout):
    """Fill run["verdict"] (optimal | late | feasible | infeasible | unknown | WRONG),
    run["value"], run["gap"], run["problems"] and run["why"] (for unknown)."""
    problems = []
    status = run.get("status")
    schedule = run.get("schedule")
    run["value"] = run["gap"] = None
    if schedule:
        bad, latency, peak = check_schedule(inst, schedule)
        run["latency"], run["peak"] = latency, peak
        if bad:
            problems.append("invalid schedule: " + "; ".join(bad[:3]))
        else:
            value = value_of(info["objective"], latency, peak)
            if run.get("objective") != value:
                problems.append("objective %s, but the schedule's %s is %s"
                                % (run.get("objective"), info["objective"], value))
            for key, mine in (("reported_latency", latency), ("reported_peak", peak)):
                if run.get(key) is not None and run[key] != mine:
                    problems.append("reported %s %s, the schedule's is %s"
                                    % (key.split("_")[1], run[key], mine))
            if info["budget"] is not None and peak > info["budget"]:
                problems.append("peak memory %d over the budget %d" % (peak, info["budget"]))
            lb = info["critical_path_lb"] if info["objective"] == "latency" else info["static_peak_lb"]
            if value < lb:
                problems.append("value %d below the static lower bound %d (checker bug?)" % (value, lb))
            bound = run.get("bound")
            if bound is not None and bound > value:
                problems.append("bound %s above its own schedule's value %d" % (bound, value))
            if not problems:
                run["value"] = value
                if status == "OPTIMAL":
                    run["gap"] = 0.0
                elif bound is not None:
                    run["gap"] = 0.0 if value <= 0 else max(0.0, (value - bound) / value)
    elif status in ("OPTIMAL", "FEASIBLE"):
        problems.append("status %s without a schedule" % status)
    if run.get("budget_seen", info["budget"]) != info["budget"]:
        problems.append("solved with memory budget %s, the problem's is %s"
                        % (run.get("budget_seen"), info["budget"]))
    run["problems"] = problems
    if problems:
        verdict = "WRONG"
    elif status == "OPTIMAL" and run["value"] is not None:
        verdict = "optimal" if run.get("time") is not None and run["time"] <= timeout else "late"
    elif run["value"] is not None:
        verdict = "feasible"
    elif status == "INFEASIBLE":
        verdict = "infeasible"
    else:
        verdict = "unknown"
        run["why"] = why_unknown(run, timeout)
    run["verdict"] = verdict
    return verdict


def why_unknown(run, timeout):
    if run.get("killed"):
        return "killed at T + grace (%.0f s wall) during %s" % (run["wall"], run.get("stage") or "start-up")
    if run.get("error"):
        e = run["error"]
        if e.startswith("DnnProblemError"):
            return "unsupported by smtsched: " + e[len("DnnProblemError: "):][:250]
        if "MemoryError" in e or "out of memory" in e or "bad_alloc" in e:
            return "out of memory: " + e[:200]
        return e[:300]
    if run.get("rc") not in (0, None):
        return "exit code %s" % run["rc"]
    return "no schedule within T" + (" (%s)" % run["reason"] if run.get("reason") else "")


def cross_judge(info, runs):
    """WRONG where a solver's bound, OPTIMAL or INFEASIBLE contradicts a valid schedule that
    any run or heuristic of the same problem produced (upper = the best of those)."""
    values = [r["value"] for r in list(runs.values()) + list(info["heuristics"].values())
              if r.get("value") is not None]
    if info.get("p_seq") is not None and info["budget"] is not None and info["p_seq"] <= info["budget"]:
        values.append(None)  # the harness's own sequential schedule: feasible, value unused
    best = min((v for v in values if v is not None), default=None)
    info["best_value"] = best
    feasible_known = bool(values)
    for x, run in runs.items():
        extra = []
        if best is not None and run.get("bound") is not None and run["bound"] > best:
            extra.append("claimed bound %s above a valid schedule's value %s" % (run["bound"], best))
        if run.get("status") == "OPTIMAL" and run.get("value") is not None and best is not None \
                and run["value"] > best:
            extra.append("OPTIMAL with %s, but a valid schedule of %s exists" % (run["value"], best))
        if run.get("status") == "INFEASIBLE" and feasible_known:
            extra.append("INFEASIBLE, but a valid schedule exists")
        if extra:
            run["problems"] = run.get("problems", []) + extra
            run["verdict"] = "WRONG"


# --------------------------------------------------------------------------- self-check

def _tiny():
    """A hand-made graph for the checker tests: a -> b -> c, a -> c, and d beside them, on
    1 npu + 1 dsp; b and d can run on either; memory by hand below."""
    data = {"operators": [["a", "conv", 1], ["b", "add", 1], ["c", "conv", 1], ["d", "relu", 1]],
            "file_order": ["a", "b", "c", "d"],
            "tensors": [["x", 10, None, ["a", "d"], False], ["ta", 100, "a", ["b", "c"], False],
                        ["tb", 20, "b", ["c"], False], ["y", 5, "c", [], True],
                        ["td", 1, "d", [], False]],
            "platforms": {"p": {"units": {"npu": 1, "dsp": 1}, "memory": None,
                                "options": {"a": [["npu", 2]], "b": [["npu", 3], ["dsp", 5]],
                                            "c": [["npu", 4]], "d": [["npu", 1], ["dsp", 1]]}}}}
    return Instance(data, "p")


def checker_tests():
    """[(name, passed, detail)]: the checker on hand-made valid and broken schedules."""
    inst = _tiny()
    good = {"a": [0, 2, "npu", "npu[0]"], "b": [2, 7, "dsp", "dsp[0]"],
            "c": [7, 11, "npu", "npu[0]"], "d": [0, 1, "dsp", "dsp[0]"]}
    # live: x [0,2), td [0,1), ta [0,11), tb [2,11), y [7,11): 111 at 0, 110 at 1, 120 at 2,
    # 125 at 7 (the peak)
    checks = []

    def expect(name, schedule, valid, latency=None, peak=None):
        problems, lat, pk = check_schedule(inst, schedule)
        ok = (not problems) == valid and (latency is None or lat == latency) and (peak is None or pk == peak)
        checks.append((name, ok, "; ".join(problems) or "valid, latency %s, peak %s" % (lat, pk)))

    expect("valid", good, True, latency=11, peak=125)
    expect("precedence", dict(good, c=[6, 10, "npu", "npu[0]"]), False)
    expect("wrong latency", dict(good, b=[2, 6, "dsp", "dsp[0]"]), False)
    expect("unknown option", dict(good, b=[2, 7, "npu", "npu[0]"]), False)
    expect("unit overlap", dict(good, d=[1, 2, "npu", None]), False)
    expect("back to back on one unit", dict(good, d=[1, 2, "dsp", "dsp[0]"], b=[2, 7, "dsp", None],
                                      a=[0, 2, "npu", "npu[0]"]), True)
    expect("two on one named unit", {"a": [0, 2, "npu", "npu[0]"], "b": [2, 7, "dsp", "dsp[0]"],
                                     "c": [7, 11, "npu", "npu[0]"], "d": [3, 4, "dsp", "dsp[0]"]},
           False)
    expect("missing operator", {"a": good["a"], "b": good["b"]}, False)
    expect("negative start", dict(good, d=[-1, 0, "dsp", None]), False)
    expect("bad unit name", dict(good, a=[0, 2, "npu", "npu[1]"]), False)
    # b on the npu: c ends at 9; d late on the npu keeps x live to 10: at 9, x + y + td = 16;
    # at 5 (c starts): x + ta + tb + y = 135
    expect("b on npu, d last", dict(good, b=[2, 5, "npu", None], c=[5, 9, "npu", None],
                                    d=[9, 10, "npu", None]), True, latency=10, peak=135)
    info = {"objective": "latency", "budget": 124, "critical_path_lb": 9, "static_peak_lb": 0}
    run = {"status": "FEASIBLE", "objective": 11, "bound": 9, "time": 1, "schedule": good}
    checks.append(("over budget -> WRONG", judge(inst, info, run, 10) == "WRONG", "; ".join(run["problems"])))
    info["budget"] = 125
    run = {"status": "FEASIBLE", "objective": 10, "bound": 9, "time": 1, "schedule": good}
    checks.append(("objective != latency -> WRONG", judge(inst, info, run, 10) == "WRONG", "; ".join(run["problems"])))
    run = {"status": "OPTIMAL", "objective": 11, "bound": 11, "time": 1, "schedule": good}
    v = judge(inst, info, run, 10)
    cross_judge(dict(info, heuristics={"h": {"value": 9}}), {"x": run})
    checks.append(("OPTIMAL above a known schedule -> WRONG", v == "optimal" and run["verdict"] == "WRONG",
                    "; ".join(run["problems"])))
    run = {"status": "OPTIMAL", "objective": 11, "bound": 11, "time": 1, "schedule": good}
    checks.append(("valid optimal", judge(inst, info, run, 10) == "optimal", "; ".join(run["problems"])))
    run = {"killed": True, "wall": 21, "stage": "build"}
    checks.append(("killed -> unknown", judge(inst, info, run, 10) == "unknown" and "build" in run["why"], run.get("why")))
    return checks


def _break(inst, schedule):
    """A copy of a valid schedule with one consumer moved to start with its producer (keeping
    its latency): a precedence it must violate. None if no tensor links two timed operators."""
    for _, _, producer, consumers, _ in inst.tensors:
        if producer is None:
            continue
        p = schedule[producer]
        if p[1] <= p[0]:
            continue
        for c in consumers:
            if c == producer:
                continue
            broken = {op: list(v) for op, v in schedule.items()}
            lat = broken[c][1] - broken[c][0]
            broken[c][0], broken[c][1] = p[0], p[0] + lat
            return broken, c
    return None, None
