"""Differential fuzzing of the DNN layer (issue 14): random small graphs on random accelerator
specs, both objectives, with and without a memory budget, solved whole and segment by
segment, against an oracle written here that shares no code with smtsched.

The oracle is an exact z3 model of the documented semantics (README, docs/dnn-formats.md):

- each operator runs on one of its rule's unit kinds (or on no unit) with latency
  fixed + ceil(work * per_work) of that choice; a reader starts once the writer has ended;
- at no instant do more operators of positive latency run on a unit kind than it has units
  (an operator of latency 0 occupies no unit);
- a tensor is live from its writer's start (0 for a graph input) to the latest end of its
  writer and readers, [alloc, free): one written and freed at the same instant occupies
  nothing; a graph output stays live from its writer's start to the end; an input nobody
  reads occupies nothing. Use only rises at an allocation, so the peak is the largest use at
  an operator's start or at 0;
- latency is the largest end (0 without operators).

Every schedule returned is checked here too (units, latencies, dependencies, unit numbers,
memory, the reported latency and peak).

CI runs 1,500 cases of up to 6 operators and 150 chains of 7 to 10 (SMTSCHED_DNN_FUZZ and
SMTSCHED_DNN_FUZZ_CHAINS to change). The soak draws both kinds (up to 7 operators, chains
up to 10):
    SMTSCHED_TEST_TIMEOUT=0 SMTSCHED_DNN_SOAK=20000 HYPOTHESIS_PROFILE=dev \
        pytest -m slow tests/test_fuzz_dnn.py
"""
import math
import os
from fractions import Fraction

import pytest
import z3
from hypothesis import HealthCheck, given, settings, strategies as st

from smtsched.dnn import Accelerator, DnnProblem, Operator, build_graph

KINDS = ("A", "B", "Z")
UNIT_KINDS = ("u", "v")
PER_WORK = ("0", "1/2", "1", "3/2")


# -- drawing problems ----------------------------------------------------------------------
@st.composite
def problems(draw, max_ops=6, min_ops=0, chain=None):
    n = draw(st.sampled_from(list(range(min_ops, 2)) + list(range(max(min_ops, 2), max_ops + 1))
                             * 4))
    inputs = [f"in{k}" for k in range(draw(st.integers(0, 2)))]
    sizes = {name: draw(st.integers(0, 6)) for name in inputs}
    available = list(inputs)
    ops, outputs = [], []
    # half the graphs are chain-like (each operator reads its predecessor's output, if any):
    # cut operators, so segments and their boundaries
    chainy = draw(st.booleans()) if chain is None else chain
    for i in range(n):
        reads = draw(st.lists(st.sampled_from(available), max_size=1 if chainy else 3,
                              unique=True)) if available else []
        if chainy and f"t{i - 1}" in sizes and f"t{i - 1}" not in reads:
            reads.append(f"t{i - 1}")
        writes = []
        if chainy or draw(st.integers(0, 4)) > 0:
            name = f"t{i}"
            writes.append(name)
            sizes[name] = draw(st.integers(0, 6))
            if draw(st.booleans()):
                outputs.append(name)
            available.append(name)
        kind = draw(st.sampled_from(KINDS))
        ops.append(Operator(f"o{i}", kind, draw(st.integers(0, 4)), tuple(reads), tuple(writes)))
    graph = build_graph("fuzz", ops, sizes, outputs=outputs)
    units = {"u": draw(st.integers(1, 2)), "v": draw(st.integers(1, 2))}
    rules = []
    for kind in KINDS:
        choice = draw(st.lists(st.sampled_from(UNIT_KINDS + ("none",)), min_size=1, max_size=3,
                               unique=True))
        # latency 0 often: operators of no duration are where segments went wrong
        # (kind Z mostly: a Reshape-like metadata operator)
        fixed = [0, 0, 0, 1] if kind == "Z" else [0, 0, 1, 2, 3]
        per_work = ("0", "0", "1/2") if kind == "Z" else PER_WORK
        latencies = {unit: {"fixed": draw(st.sampled_from(fixed)),
                            "per_work": draw(st.sampled_from(per_work))} for unit in choice}
        rules.append({"ops": [kind], "units": choice,
                      "latency": latencies if len(choice) > 1 else latencies[choice[0]]})
    description = {"name": "fuzz", "units": units, "rules": rules}
    accelerator = Accelerator.from_dict(description)
    objective = draw(st.sampled_from(["latency", "peak-memory"]))
    total = sum(sizes.values())
    budget = draw(st.one_of(st.none(), st.integers(0, max(total, 1))))
    return graph, accelerator, description, objective, budget


# -- the oracle: an exact z3 model of the documented semantics, written from the docs ------
def rule_options(accelerator_dict, op):
    """[(unit kind or None, latency)] of `op` read from the description we generated."""
    for rule in accelerator_dict["rules"]:
        if op.kind in rule["ops"]:
            out = []
            for unit in rule["units"]:
                spec = rule["latency"][unit] if len(rule["units"]) > 1 else rule["latency"]
                latency = spec["fixed"] + math.ceil(op.work * Fraction(spec["per_work"]))
                out.append((None if unit == "none" else unit, latency))
            return out
    raise AssertionError(op.kind)


def oracle(graph, description, objective, budget):
    """(optimum or None when infeasible) by z3's optimiser."""
    opt = z3.Optimize()
    ops = graph.operators
    start, end, kind_of, running = {}, {}, {}, {}
    for op in ops:
        options = rule_options(description, op)
        s = z3.Int(f"s_{op.name}")
        pick = z3.Int(f"c_{op.name}")
        opt.add(s >= 0, pick >= 0, pick < len(options))
        latency = z3.IntVal(0)
        for k, (_, lat) in enumerate(options):
            latency = z3.If(pick == k, lat, latency)
        start[op.name], end[op.name] = s, s + latency
        # on kind u with positive latency: occupies one unit of u
        for unit in UNIT_KINDS:
            kind_of[op.name, unit] = z3.Or([pick == k for k, (kk, lat) in enumerate(options)
                                            if kk == unit and lat > 0] or [z3.BoolVal(False)])
    for t in graph.tensors.values():
        if t.producer is not None:
            for c in t.consumers:
                opt.add(start[c] >= end[t.producer])
    for unit in UNIT_KINDS:
        count = description["units"][unit]
        for op in ops:
            at = start[op.name]
            load = z3.Sum([z3.If(z3.And(kind_of[o.name, unit], start[o.name] <= at,
                                        at < end[o.name]), 1, 0) for o in ops])
            opt.add(z3.Implies(kind_of[op.name, unit], load <= count))
    instants = [z3.IntVal(0)] + [start[op.name] for op in ops]

    def use(x):
        terms = []
        for t in graph.tensors.values():
            if t.size == 0:
                continue
            alloc = z3.IntVal(0) if t.producer is None else start[t.producer]
            if t.is_output:
                live = alloc <= x
            else:
                ends = [end[c] for c in t.consumers]
                if t.producer is not None:
                    ends.append(end[t.producer])
                if not ends:
                    continue  # an input nobody reads
                live = z3.And(alloc <= x, z3.Or([e > x for e in ends]))
            terms.append(z3.If(live, t.size, 0))
        return z3.Sum(terms) if terms else z3.IntVal(0)

    uses = [use(x) for x in instants]
    if budget is not None:
        for u in uses:
            opt.add(u <= budget)
    goal = z3.Int("goal")
    if objective == "latency":
        opt.add(goal >= 0)
        for op in ops:
            opt.add(goal >= end[op.name])
    else:
        for u in uses:
            opt.add(goal >= u)
    handle = opt.minimize(goal)
    answer = opt.check()
    if answer == z3.unsat:
        return None
    assert answer == z3.sat, answer
    return opt.lower(handle).as_long()


# -- an independent checker of a returned schedule -----------------------------------------
def check_schedule(graph, description, budget, schedule):
    rows = {row["op"]: row for row in schedule.operations}
    assert set(rows) == {op.name for op in graph.operators}
    times = {}
    for op in graph.operators:
        row = rows[op.name]
        options = rule_options(description, op)
        assert (row["unit_kind"], row["end"] - row["start"]) in options, row
        assert row["start"] >= 0
        times[op.name] = (row["start"], row["end"])
        if row["unit_kind"] is not None and row["end"] > row["start"]:
            number = int(row["unit"].split("[")[1][:-1])
            assert row["unit"].startswith(row["unit_kind"] + "[")
            assert 0 <= number < description["units"][row["unit_kind"]]
    for t in graph.tensors.values():
        for c in t.consumers:
            if t.producer is not None:
                assert times[c][0] >= times[t.producer][1], f"{c} reads {t.name} early"
    busy = {}
    for row in schedule.operations:
        if row["unit"] is not None and row["end"] > row["start"]:
            busy.setdefault(row["unit"], []).append((row["start"], row["end"]))
    for spans in busy.values():
        spans.sort()
        for (_, e1), (s2, _) in zip(spans, spans[1:]):
            assert e1 <= s2
    latency = max((e for _, e in times.values()), default=0)
    peak = 0
    for x in {0} | {s for s, _ in times.values()}:
        live = 0
        for t in graph.tensors.values():
            alloc = 0 if t.producer is None else times[t.producer][0]
            ends = [times[c][1] for c in t.consumers]
            if t.producer is not None:
                ends.append(times[t.producer][1])
            if t.is_output:
                live += t.size if alloc <= x else 0
            elif ends and alloc <= x < max(ends):
                live += t.size
        peak = max(peak, live)
    assert schedule.latency == latency
    assert schedule.peak_memory == peak
    if budget is not None:
        assert peak <= budget
    return latency, peak


def run_case(case):
    graph, accelerator, description, objective, budget = case
    expected = oracle(graph, description, objective, budget)
    for split in (True, False):
        schedule = DnnProblem(graph, accelerator, objective, budget).solve(time_limit=30,
                                                                         split=split)
        where = f"split={split}: {schedule!r} reason {schedule.reason!r}, expected {expected}"
        if expected is None:
            assert schedule.status == "INFEASIBLE", where
            assert schedule.lower_bound is None and schedule.objective is None, where
            continue
        assert schedule.status == "OPTIMAL", where
        assert schedule.objective == schedule.lower_bound == expected, where
        latency, peak = check_schedule(graph, description, budget, schedule)
        assert schedule.objective == (latency if objective == "latency" else peak), where
    # out of time at once: the greedy schedule (always one without a budget) with a bound
    # that holds, and a status that agrees with the numbers
    schedule = DnnProblem(graph, accelerator, objective, budget).solve(time_limit=0.0)
    where = f"no time: {schedule!r} reason {schedule.reason!r}, expected {expected}"
    if schedule.objective is None:
        assert schedule.status in ("UNKNOWN", "INFEASIBLE") and budget is not None, where
        assert schedule.status == "UNKNOWN" or expected is None, where
        return
    assert expected is not None, where
    assert schedule.lower_bound is not None, where
    assert schedule.lower_bound <= expected <= schedule.objective, where
    assert (schedule.status == "OPTIMAL") == (schedule.lower_bound == schedule.objective), where
    if schedule.status == "FEASIBLE":
        assert schedule.gap > 0 and schedule.reason, where
    latency, peak = check_schedule(graph, description, budget, schedule)
    assert schedule.objective == (latency if objective == "latency" else peak), where


@settings(max_examples=int(os.environ.get("SMTSCHED_DNN_FUZZ", "1500")), deadline=None, suppress_health_check=list(HealthCheck))
@given(problems())
def test_dnn_problems_agree_with_an_independent_oracle(case):
    run_case(case)


@settings(max_examples=int(os.environ.get("SMTSCHED_DNN_FUZZ_CHAINS", "150")), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(problems(max_ops=10, min_ops=7, chain=True))
def test_longer_chains_of_segments_agree_with_an_independent_oracle(case):
    # more segments, so more boundaries (and merges) between them
    run_case(case)


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("SMTSCHED_DNN_SOAK", "20000")), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(st.one_of(problems(max_ops=7), problems(max_ops=10, min_ops=7, chain=True)))
def test_dnn_problems_agree_with_an_independent_oracle_soak(case):
    run_case(case)
