"""Every static bound the optimiser may stop on (issue 14), each on its own against brute force
(tests/sched_oracle.py, no smtsched code), on models with every feature the API accepts:
negative and maximum lags, releases, deadlines, a horizon, optional tasks and alternatives,
zero durations, unary and cumulative resources, memories.

A bound that decides OPTIMAL (greedy schedule == bound) or INFEASIBLE must hold in every
schedule of the model; these tests compare each with the true minimum of what it bounds:
    heads_and_tails         head[i] <= start(i), tail[i] <= makespan - start(i) (mandatory i)
    positive_cycle          a cycle reported => no schedule
    makespan_lower_bound    critical path, machine load / energy, Jackson's preemptive bound
    jackson_preemptive_bound  the one-machine problem with heads and tails, by permutations
    cost_lower_bound        weighted completion and tardiness
    quick_lower_bound       the peak of a memory, without an encoding
    MemoryEncoding.lower_bound  the peak forced by the precedences (the constant of the sums)

Counts per run (ci profile): 600 + 500 + 300 + 300 + 400 + 600 + 400 models, and the
oversized-buffer claim (INFEASIBLE without search) on the last 400.
"""
import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sched_oracle as oracle
from smtsched.sched import bounds
from smtsched.sched.bounds import PositiveCycle, positive_cycle
from smtsched.sched.encode import Encoding
from smtsched.sched.memory import quick_lower_bound

GRID = 40000
SETTINGS = dict(suppress_health_check=list(HealthCheck))


def small(spec):
    """The spec with a horizon small enough to enumerate (see test_fuzz_sched), or None."""
    from test_fuzz_sched import fit_for_brute_force
    return fit_for_brute_force(spec)


def makespan_rows(spec):
    durations = np.array([t[0] for t in spec["tasks"]], dtype=np.int64)

    def rows(S, present):
        ends = [S[:, i] + durations[i] for i in range(len(durations)) if present[i]]
        return np.max(ends, axis=0) if ends else np.zeros(len(S), dtype=np.int64)
    return rows


def model_of(spec):
    return oracle.build(spec)[0]


# ------------------------------------------------------------------- heads, tails and cycles

@settings(max_examples=600, **SETTINGS)
@given(oracle.specs(min_tasks=2, max_tasks=4))
def test_heads_and_tails_hold_in_every_schedule(spec):
    spec = small(spec)
    if spec is None:
        return
    model = model_of(spec)
    cycle = positive_cycle(model)
    if cycle is not None:
        # the claim that decides INFEASIBLE: no schedule at all
        assert oracle.brute_force(spec)[0] is None, oracle.describe(spec)
        if bounds.mandatory_precedences(model).positive_cycle() is not None:
            # a cycle of minimum lags alone: the heads cannot settle (one closed by a maximum
            # lag leaves them finite, and they still hold, vacuously)
            with pytest.raises(PositiveCycle):
                bounds.heads_and_tails(model)
        return
    head, tail = bounds.heads_and_tails(model)
    span = makespan_rows(spec)
    for i, task in enumerate(spec["tasks"]):
        if task[3]:
            continue  # optional: no claim
        earliest = oracle.brute_force(spec, lambda S, present: S[:, i])[0]
        if earliest is None:
            return  # no schedule: nothing to hold the bounds to
        assert head[i] <= earliest, f"head of t{i}\n" + oracle.describe(spec)
        after = oracle.brute_force(spec, lambda S, present: span(S, present) - S[:, i])[0]
        assert tail[i] <= after, f"tail of t{i}\n" + oracle.describe(spec)


# ------------------------------------------------------------------------------ makespan

@settings(max_examples=500, **SETTINGS)
@given(st.one_of(oracle.specs(min_tasks=2, max_tasks=4),
                 oracle.specs(min_tasks=3, max_tasks=5, max_duration=3, max_lag=1,
                              max_release=2)))
def test_makespan_lower_bound_holds_in_every_schedule(spec):
    spec = small(spec)
    if spec is None:
        return
    model = model_of(spec)
    if positive_cycle(model) is not None:
        return  # tested above: INFEASIBLE, no bound
    bound = bounds.makespan_lower_bound(model)
    best = oracle.brute_force(spec, makespan_rows(spec))[0]
    if best is not None:
        assert bound <= best, oracle.describe(spec)


def one_machine_optimum(jobs):
    """min over sequences of max(end + delivery), each job at the earliest after its release
    and the previous job (a semi-active schedule: one of them is optimal)."""
    best = None
    for order in itertools.permutations(range(len(jobs))):
        time, worst = 0, 0
        for k in order:
            release, duration, delivery = jobs[k]
            time = max(time, release) + duration
            worst = max(worst, time + delivery)
        best = worst if best is None else min(best, worst)
    return best or 0


@settings(max_examples=300, **SETTINGS)
@given(st.lists(st.tuples(st.integers(0, 8), st.integers(1, 5), st.integers(0, 8)),
                min_size=1, max_size=6))
def test_jackson_preemptive_bound_below_the_one_machine_optimum(jobs):
    assert bounds.jackson_preemptive_bound(jobs) <= one_machine_optimum(jobs)


def test_jackson_preemptive_bound_on_known_instances():
    # waiting for the short job with the long delivery: the bound is the optimum
    assert bounds.jackson_preemptive_bound([(0, 10, 0), (1, 1, 20)]) == 22
    assert one_machine_optimum([(0, 10, 0), (1, 1, 20)]) == 22
    # preemption helps: 14 below the optimum 16 (and the test's optimum can tell them apart)
    jobs = [(2, 4, 4), (1, 3, 2), (4, 4, 6)]
    assert bounds.jackson_preemptive_bound(jobs) == 14 and one_machine_optimum(jobs) == 16


def test_energy_bound_counts_demands_over_the_capacity():
    # three tasks of demand 2 on a capacity of 3, 2 units each: energy 12 / 3 -> 4 at least
    from smtsched.sched import Model
    m = Model()
    tasks = [m.task(f"t{i}", 2) for i in range(3)]
    m.cumulative({t: 2 for t in tasks}, 3)
    assert bounds.makespan_lower_bound(m) == 4
    m.minimize_makespan()
    assert m.solve().objective == 6


# -------------------------------------------------------------------------- weighted costs

@settings(max_examples=300, **SETTINGS)
@given(oracle.specs(min_tasks=2, max_tasks=4).filter(
    lambda s: s["objective"][0] in ("wc", "wt")))
def test_cost_lower_bound_holds_in_every_schedule(spec):
    spec = small(spec)
    if spec is None:
        return
    model = model_of(spec)
    if positive_cycle(model) is not None:
        return
    best = oracle.brute_force(spec)[0]
    if best is not None:
        assert bounds.cost_lower_bound(model) <= best, oracle.describe(spec)


# ---------------------------------------------------------------------------------- memory

def memory_specs():
    return st.one_of(oracle.specs(min_tasks=2, max_tasks=4, memory=True),
                     oracle.specs(min_tasks=2, max_tasks=3).filter(lambda s: s["memories"]))


@settings(max_examples=400, **SETTINGS)
@given(memory_specs())
def test_quick_memory_bound_holds_in_every_schedule(spec):
    spec = small(spec)
    if spec is None:
        return
    model, _ = oracle.build(spec)
    for k, memory in enumerate(model.memories):
        least = oracle.brute_force(spec, lambda S, present: oracle.peak_rows(spec, k, S,
                                                                             present))[0]
        if least is None:
            return
        assert quick_lower_bound(model, memory) <= least, f"memory {k}\n" + \
            oracle.describe(spec)


@settings(max_examples=600, **SETTINGS)
@given(memory_specs())
def test_memory_encoding_bound_holds_in_every_schedule(spec):
    spec = small(spec)
    if spec is None:
        return
    model, _ = oracle.build(spec)
    if positive_cycle(model) is not None:
        return
    encoding = Encoding(model)
    for k, memory in enumerate(model.memories):
        least = oracle.brute_force(spec, lambda S, present: oracle.peak_rows(spec, k, S,
                                                                             present))[0]
        if least is None:
            return
        assert encoding.memory_encoding(memory).lower_bound <= least, f"memory {k}\n" + \
            oracle.describe(spec)


@settings(max_examples=400, **SETTINGS)
@given(memory_specs())
def test_an_oversized_buffer_means_no_schedule(spec):
    from smtsched.sched.memory import oversized_buffer
    spec = small(spec)
    if spec is None:
        return
    model, _ = oracle.build(spec)
    if oversized_buffer(model) is not None:
        assert oracle.brute_force(spec)[0] is None, oracle.describe(spec)
