"""DNN scheduling end to end: schedules of real ONNX models re-verified from the JSON output by
a checker of our own (dependencies, unit counts, memory), and optima of small graphs against
Z3's optimiser on a model written independently here."""
import json
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from smtsched.dnn import (Accelerator, DnnProblem, DnnProblemError, Operator, build_graph,
                          load_accelerator, load_graph)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")


def light_model(name):
    onnx = pytest.importorskip("onnx", reason="the ONNX tests need the onnx package")
    path = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "light",
                        f"light_{name}.onnx")
    if not os.path.exists(path):
        pytest.skip(f"this onnx wheel does not ship {path}")
    return path


# -- an independent checker of the JSON output ---------------------------------------------
def live_bytes(graph, times, latency):
    """{allocation instant: bytes live then}: a tensor is live from its producer's start (0
    for a graph input) to the latest end of its producer and consumers (the end for an
    output)."""
    spans = []
    for t in graph.tensors.values():
        if t.producer is None and not t.consumers and not t.is_output:
            continue
        alloc = 0 if t.producer is None else times[t.producer][0]
        ends = [times[c][1] for c in t.consumers]
        if t.producer is not None:
            ends.append(times[t.producer][1])
        free = None if t.is_output else max(ends, default=alloc)
        spans.append((alloc, free, t.size))
    return {x: sum(size for a, f, size in spans if a <= x and (f is None or x < f))
            for x in {a for a, _, _ in spans}}


def verify(graph, accelerator, out, budget=None):
    """Every claim of the JSON result, re-checked from the graph and the accelerator."""
    rows = {row["op"]: row for row in out["schedule"]}
    assert set(rows) == {op.name for op in graph.operators}
    times = {}
    for op in graph.operators:
        row = rows[op.name]
        kind = None if row["unit"] is None else row["unit"].split("[")[0]
        latencies = dict(accelerator.options(op))
        assert kind in latencies, f"{op.name} on a unit kind it cannot use: {row['unit']}"
        assert row["start"] >= 0 and row["end"] - row["start"] == latencies[kind]
        if kind is not None and latencies[kind] > 0:
            assert int(row["unit"].split("[")[1][:-1]) < accelerator.units[kind]
        times[op.name] = (row["start"], row["end"])
    for t in graph.tensors.values():
        for consumer in t.consumers:
            if t.producer is not None:
                assert times[consumer][0] >= times[t.producer][1], f"{consumer} reads {t.name} early"
    by_unit = {}
    for row in out["schedule"]:
        if row["unit"] is not None and row["end"] > row["start"]:
            by_unit.setdefault(row["unit"], []).append((row["start"], row["end"]))
    for unit, spans in by_unit.items():
        spans.sort()
        for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
            assert e1 <= s2, f"{unit} runs two operators at {s2}"
    latency = max(e for _, e in times.values())
    assert out["latency"] == latency
    peak = max(live_bytes(graph, times, latency).values(), default=0)
    assert out["peak_memory"] == peak
    if budget is not None:
        assert peak <= budget
    objective = latency if out["objective_kind"] == "latency" else peak
    assert out["objective"] == objective
    assert out["lower_bound"] <= objective
    return latency, peak


def run_cli(*args):
    # from the tests' folder: started at the checkout root, Python would import the source
    # tree (without its compiled theories) instead of the installed package
    return subprocess.run([sys.executable, "-m", "smtsched", "dnn", *args],
                          capture_output=True, text=True, timeout=300,
                          cwd=os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("name", ["zfnet512", "bvlc_alexnet", "squeezenet"])
def test_cli_schedules_of_shipped_models_pass_the_independent_check(name):
    path = light_model(name)
    graph = load_graph(path)
    npu = load_accelerator(os.path.join(EXAMPLES, "npu-small.toml"))
    done = run_cli(path, "--accelerator", os.path.join(EXAMPLES, "npu-small.toml"),
                   "--timeout", "60", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["status"] == "OPTIMAL" and out["gap"] == 0
    verify(graph, npu, out, budget=npu.memory)

    single = load_accelerator(os.path.join(EXAMPLES, "single-core.toml"))
    done = run_cli(path, "--accelerator", os.path.join(EXAMPLES, "single-core.toml"),
                   "--objective", "peak-memory", "--timeout", "60", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["status"] == "OPTIMAL"
    _, peak = verify(graph, single, out)
    # one stream: no two operators at once
    spans = sorted((r["start"], r["end"]) for r in out["schedule"])
    assert all(e1 <= s2 for (_, e1), (s2, _) in zip(spans, spans[1:]))
    # under the optimal peak as the budget, the latency problem stays feasible; one byte
    # less is proven impossible
    done = run_cli(path, "--accelerator", os.path.join(EXAMPLES, "single-core.toml"),
                   "--memory", str(peak), "--timeout", "60", "--json")
    out = json.loads(done.stdout)
    assert out["status"] == "OPTIMAL"
    verify(graph, single, out, budget=peak)
    done = run_cli(path, "--accelerator", os.path.join(EXAMPLES, "single-core.toml"),
                   "--memory", str(peak - 1), "--timeout", "60", "--json")
    assert json.loads(done.stdout)["status"] == "INFEASIBLE"


def test_cli_errors_name_the_place_without_a_traceback(tmp_path):
    spec = tmp_path / "bad.toml"
    spec.write_text('name = "x"\n[units]\ncore = 0\n')
    graph = tmp_path / "g.json"
    graph.write_text(json.dumps({"nodes": [{"name": "a", "work": 1, "output_bytes": 4}],
                                 "edges": []}))
    done = run_cli(str(graph), "--accelerator", str(spec))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "bad.toml" in done.stderr
    graph.write_text('{"nodes": [{"name": "a", "work": 1, "output_bytes": 4},]}')
    done = run_cli(str(graph), "--accelerator", os.path.join(EXAMPLES, "npu-small.toml"))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "g.json:1:" in done.stderr
    done = run_cli(str(tmp_path / "missing.onnx"), "--accelerator",
                   os.path.join(EXAMPLES, "npu-small.toml"))
    assert done.returncode == 1 and "Traceback" not in done.stderr


def test_plot_draws_units_and_memory(tmp_path):
    pytest.importorskip("matplotlib", reason="--plot needs matplotlib")
    path = light_model("zfnet512")
    png = tmp_path / "out.png"
    done = run_cli(path, "--accelerator", os.path.join(EXAMPLES, "npu-small.toml"),
                   "--plot", str(png))
    assert done.returncode == 0, done.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_several_units_per_operator():
    # matrix operators may fall back to a slow vector unit: binding is part of the search,
    # with or without memory
    path = light_model("bvlc_alexnet")
    graph = load_graph(path)
    accelerator = load_accelerator(os.path.join(EXAMPLES, "npu-fallback.toml"))
    schedule = DnnProblem(graph, accelerator).solve(time_limit=60)
    assert schedule.status == "OPTIMAL"
    verify(graph, accelerator, json.loads(schedule.to_json()))
    peak = DnnProblem(graph, accelerator, objective="peak-memory").solve(time_limit=60)
    assert peak.status == "OPTIMAL"
    verify(graph, accelerator, json.loads(peak.to_json()))
    budget = DnnProblem(graph, accelerator, memory=peak.objective).solve(time_limit=60)
    assert budget.status == "OPTIMAL" and budget.objective == schedule.objective
    verify(graph, accelerator, json.loads(budget.to_json()), budget=peak.objective)


# -- optima against Z3 -------------------------------------------------------------------------
@st.composite
def small_problems(draw):
    n = draw(st.integers(2, 6))
    kinds = ["a", "b"]
    ops, sizes, outputs = [], {}, []
    produced = []
    for i in range(n):
        reads = draw(st.lists(st.sampled_from(produced), unique=True, max_size=2)) \
            if produced else []
        if not reads:
            reads = ["in"]
            sizes["in"] = 3
        out = f"t{i}"
        sizes[out] = draw(st.integers(1, 9))
        ops.append(Operator(name=f"op{i}", kind=draw(st.sampled_from(kinds)),
                            work=draw(st.integers(0, 6)), inputs=tuple(reads),
                            outputs=(out,), weight_bytes=0))
        produced.append(out)
    read = {t for op in ops for t in op.inputs}
    outputs = [t for t in produced if t not in read]
    graph = build_graph("random", ops, sizes, outputs)
    units = {"a": draw(st.integers(1, 2)), "b": draw(st.integers(1, 2))}
    if draw(st.booleans()):
        first = {"ops": ["a"], "units": ["a"], "latency": {"fixed": 1, "per_work": 1}}
    else:  # a choice of units, with different latencies
        first = {"ops": ["a"], "units": ["a", "b"],
                 "latency": {"a": {"fixed": 1, "per_work": 1}, "b": {"fixed": 0, "per_work": 2}}}
    accelerator = Accelerator.from_dict({
        "name": "two-kinds", "units": units,
        "rules": [first, {"ops": "*", "units": ["b"], "latency": {"fixed": 0, "per_work": 1}}]})
    objective = draw(st.sampled_from(["latency", "peak-memory"]))
    budget = draw(st.one_of(st.none(), st.integers(3, 40)))
    return graph, accelerator, objective, budget


def z3_optimum(graph, accelerator, objective, budget):
    """The optimum by Z3's optimiser on a model written from the problem's definition: start
    variables, dependencies, at each start the operators running on a kind fit its count,
    at each allocation instant the live tensors fit the budget (None: infeasible)."""
    import z3
    opt = z3.Optimize()
    ops = graph.operators
    start = {op.name: z3.Int(f"s_{op.name}") for op in ops}
    runs = {}   # op -> [(unit kind, latency, "this option is chosen")]
    end = {}
    for op in ops:
        options = accelerator.options(op)
        if len(options) == 1:
            runs[op.name] = [(options[0][0], options[0][1], z3.BoolVal(True))]
        else:
            first = z3.Bool(f"first_{op.name}")
            runs[op.name] = [(options[0][0], options[0][1], first),
                             (options[1][0], options[1][1], z3.Not(first))]
        end[op.name] = start[op.name] + z3.Sum([z3.If(c, d, 0) for _, d, c in runs[op.name]])
        opt.add(start[op.name] >= 0)
    for t in graph.tensors.values():
        for c in t.consumers:
            if t.producer is not None:
                opt.add(start[c] >= end[t.producer])
    for j in ops:
        for k, d, chosen in runs[j.name]:
            if k is None or d == 0:
                continue
            running = [z3.If(z3.And(c, start[o.name] <= start[j.name],
                                    start[j.name] < end[o.name]), 1, 0)
                       for o in ops for k2, d2, c in runs[o.name] if k2 == k and d2 > 0]
            opt.add(z3.Implies(chosen, z3.Sum(running) <= accelerator.units[k]))
    makespan = z3.Int("makespan")
    for name in start:
        opt.add(end[name] <= makespan)
    peak = z3.Int("peak")
    instants = [start[op.name] for op in ops]
    if any(t.producer is None for t in graph.tensors.values()):
        instants.append(z3.IntVal(0))
    for x in instants:
        live = []
        for t in graph.tensors.values():
            if t.producer is None and not t.consumers and not t.is_output:
                continue
            alloc = z3.IntVal(0) if t.producer is None else start[t.producer]
            ends = [end[c] for c in t.consumers] + ([end[t.producer]] if t.producer else [])
            alive = z3.BoolVal(True) if t.is_output else z3.Or([x < e for e in ends])
            live.append(z3.If(z3.And(alloc <= x, alive), t.size, 0))
        opt.add(z3.Sum(live) <= peak)
    if budget is not None:
        opt.add(peak <= budget)
    goal = makespan if objective == "latency" else peak
    handle = opt.minimize(goal)
    if opt.check() != z3.sat:
        return None
    return opt.model().eval(goal).as_long()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_small_graphs_reach_z3s_optimum(case):
    pytest.importorskip("z3")
    graph, accelerator, objective, budget = case
    problem = DnnProblem(graph, accelerator, objective=objective, memory=budget)
    schedule = problem.solve()
    expected = z3_optimum(graph, accelerator, objective, budget)
    if expected is None:
        assert schedule.status == "INFEASIBLE"
        return
    assert schedule.status == "OPTIMAL"
    assert schedule.objective == expected
    verify(graph, accelerator, json.loads(schedule.to_json()), budget=budget)


# -- segments --------------------------------------------------------------------------------
def chain_with_branches():
    """in -> a -> (b | c) -> d -> e, with d reading b and c: a, d and e are cuts."""
    ops = [Operator("a", "x", 4, ("in",), ("ta",), 0),
           Operator("b", "x", 3, ("ta",), ("tb",), 0),
           Operator("c", "x", 5, ("ta",), ("tc",), 0),
           Operator("d", "x", 2, ("tb", "tc"), ("td",), 0),
           Operator("e", "x", 1, ("td", "ta"), ("te",), 0)]
    sizes = {"in": 2, "ta": 7, "tb": 3, "tc": 4, "td": 5, "te": 1}
    return build_graph("branches", ops, sizes, outputs=["te"])


def test_cut_operators_split_the_graph_into_segments():
    from smtsched.dnn.segments import cut_operators, segment_graphs, segments
    graph = chain_with_branches()
    assert cut_operators(graph) == ["a", "d", "e"]
    parts = segments(graph)
    assert parts == [["a"], ["b", "c"], ["d"], ["e"]]
    middle = segment_graphs(graph, parts)[1]
    # ta is read by b, c (here) and by e (later): an input of the segment that stays live
    assert middle.tensors["ta"].producer is None and middle.tensors["ta"].is_output
    assert middle.tensors["tb"].is_output and middle.tensors["tb"].producer == "b"
    assert "in" not in middle.tensors and "td" not in middle.tensors


def test_segments_give_the_same_optimum_as_the_whole_search():
    graph = chain_with_branches()
    accelerator = Accelerator.from_dict({
        "name": "one", "units": {"u": 1},
        "rules": [{"ops": "*", "units": ["u"], "latency": {"fixed": 1, "per_work": 1}}]})
    for objective, budget in (("latency", None), ("peak-memory", None), ("latency", 19),
                              ("latency", 18)):
        whole = DnnProblem(graph, accelerator, objective, budget).solve(split=False)
        split = DnnProblem(graph, accelerator, objective, budget).solve()
        assert whole.status == split.status
        if budget == 18:  # d needs its inputs, its output and ta (read later): 19 bytes
            assert split.status == "INFEASIBLE"
            continue
        assert split.status == "OPTIMAL" and whole.objective == split.objective
        assert split.stats["segments"] == 4
        verify(graph, accelerator, json.loads(split.to_json()), budget=budget)


@pytest.mark.parametrize("objective", ["latency", "peak-memory"])
def test_squeezenet_whole_and_segmented_agree(objective):
    graph = load_graph(light_model("squeezenet"))
    spec = "npu-small.toml" if objective == "latency" else "single-core.toml"
    accelerator = load_accelerator(os.path.join(EXAMPLES, spec))
    whole = DnnProblem(graph, accelerator, objective).solve(time_limit=60, split=False)
    split = DnnProblem(graph, accelerator, objective).solve(time_limit=60)
    assert whole.status == split.status == "OPTIMAL"
    assert whole.objective == split.objective


def test_same_seed_same_schedule_and_statistics():
    graph = load_graph(light_model("squeezenet"))
    accelerator = load_accelerator(os.path.join(EXAMPLES, "npu-small.toml"))
    runs = [DnnProblem(graph, accelerator, "latency", 6400000).solve(seed=3) for _ in range(2)]
    first, second = (json.loads(r.to_json()) for r in runs)
    for out in (first, second):
        out.pop("runtime")
        out["stats"].pop("runtime", None)
    assert first == second


def test_a_tiny_time_limit_still_gives_a_checked_schedule():
    # (0.5 s, not 0.01: only the memory-aware greedy schedules fit the 32 MiB, 20 ms to
    # build, and past the limit they are not started: UNKNOWN, see test_dnn_scale.py)
    graph = load_graph(light_model("inception_v1"))
    accelerator = load_accelerator(os.path.join(EXAMPLES, "npu-small.toml"))
    schedule = DnnProblem(graph, accelerator).solve(time_limit=0.5)
    assert schedule.status in ("OPTIMAL", "FEASIBLE")
    assert schedule.runtime < 5
    verify(graph, accelerator, json.loads(schedule.to_json()))
    if schedule.status == "FEASIBLE":
        assert schedule.reason.startswith("timeout")
