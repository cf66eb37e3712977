"""bench/gen_project.py's instances (RCPSP/max `.sch`, multi-mode `.mm`) and the CP-SAT model
of bench/project_cpsat.py, for issue 17's benchmark:

- the files parse through psplib and through smtsched's reader (and `smtsched solve FILE`),
  with the counts the generator made;
- the parameters show in the instances (network complexity, resource factor, resource
  strength's bounds, share of maximum lags, modes) and the same seed gives the same bytes;
- instances infeasible by construction are INFEASIBLE for both solvers;
- on small instances smtsched's optimum (or INFEASIBLE) equals brute force and CP-SAT's,
  and every schedule passes bench/project.py's checker (which is shown to reject broken ones).

About 10-15 s on a loaded 2-core machine.
"""
import itertools
import json
import os
import subprocess
import sys

import pytest

psplib = pytest.importorskip("psplib", reason="psplib needs Python 3.10 (pyproject.toml)")

from smtsched.sched import INFEASIBLE, OPTIMAL, read_model  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
try:
    from bench import gen_project, project  # noqa: E402
finally:
    # the source folder smtsched/ must not shadow the installed package
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != ROOT]


def write(tmp_path, inst, name="x"):
    path = str(tmp_path / (name + (".sch" if inst["kind"] == "rcpsp_max" else ".mm")))
    gen_project.write(inst, path)
    return path


def parse(path):
    return psplib.parse(path, instance_format="rcpsp_max" if path.endswith(".sch") else "psplib")


def smtsched_run(path, time_limit=20):
    """smtsched's answer as bench/project.py sees it (status, objective, bound, starts)."""
    result = read_model(path).solve(time_limit=time_limit)
    return {"status": result.status, "objective": result.objective,
            "bound": result.lower_bound, "starts": result.starts or None, "time": result.runtime}


def cpsat_run(path):
    pytest.importorskip("ortools")
    from bench import project_cpsat
    return project_cpsat.solve(path, 20, 1, seed=0)


# --------------------------------------------------------------------------- files and counts

@pytest.mark.parametrize("seed", [1, 2])
def test_rcpsp_max_files_parse_with_the_generated_counts(tmp_path, seed):
    inst = gen_project.rcpsp_max(n=30, nc=1.8, rf=0.5, rs=0.3, max_share=0.2, seed=seed)
    path = write(tmp_path, inst)
    parsed = parse(path)
    assert parsed.num_activities == 32
    assert [a.modes[0].duration for a in parsed.activities] == inst["durations"]
    assert [r.capacity for r in parsed.resources] == inst["capacities"]
    arcs = sorted((i, j, w) for i, a in enumerate(parsed.activities)
                  for j, w in zip(a.successors, a.delays))
    assert arcs == sorted(inst["arcs"])
    assert any(w < 0 for _, _, w in arcs)                   # maximum lags are there
    model = read_model(path)
    assert len(model.tasks) == 32
    assert len(model.precedences) == len(inst["arcs"])


@pytest.mark.parametrize("seed", [1, 2])
def test_multi_mode_files_parse_with_the_generated_counts(tmp_path, seed):
    inst = gen_project.multi_mode(n=20, modes=3, nc=1.5, rf=0.5, rs=0.5, seed=seed)
    path = write(tmp_path, inst)
    parsed = parse(path)
    assert parsed.num_activities == 22
    assert [r.renewable for r in parsed.resources] == [True, True, False, False]
    assert [r.capacity for r in parsed.resources] == inst["capacities"]
    for activity, rows in zip(parsed.activities, inst["modes"]):
        assert [(m.duration, m.demands) for m in activity.modes] == [(d, q) for d, q in rows]
    assert sorted((i, j) for i, a in enumerate(parsed.activities) for j in a.successors) \
        == sorted(inst["arcs"])
    model = read_model(path)
    assert len(model.alternatives) == 20                      # every real activity: 3 modes
    assert all(len(options) == 3 for _, options in model.alternatives)


def test_smtsched_solve_reads_both_files(tmp_path):
    tests = os.path.dirname(os.path.abspath(__file__))
    for inst in (gen_project.rcpsp_max(n=12, seed=3), gen_project.multi_mode(n=8, seed=3)):
        path = write(tmp_path, inst)
        done = subprocess.run([sys.executable, "-m", "smtsched", "solve", "--json",
                               "--timeout", "20", path], capture_output=True, text=True,
                              timeout=120, cwd=tests)
        assert done.returncode == 0, done.stderr
        answer = json.loads(done.stdout)
        assert answer["status"] in (OPTIMAL, INFEASIBLE)
        if answer["status"] == OPTIMAL:
            assert project.violations(inst, answer) == []


# --------------------------------------------------------------------------- parameters

@pytest.mark.parametrize("nc", [1.5, 1.8, 2.1])
def test_network_complexity_is_the_arcs_per_activity(nc):
    for seed in range(3):
        for inst in (gen_project.rcpsp_max(n=30, nc=nc, seed=seed),
                     gen_project.multi_mode(n=30, nc=nc, seed=seed)):
            assert abs(gen_project.network_complexity(inst) - nc) <= 0.05


def test_resource_factor_and_strength_show_in_the_instance():
    for rf in (0.25, 0.5, 1.0):
        factors = [gen_project.resource_factor(gen_project.rcpsp_max(n=30, rf=rf, seed=s))
                   for s in range(4)]
        assert abs(sum(factors) / len(factors) - rf) <= 0.12
    # RS = 0: every capacity is the largest single demand; RS larger: capacities grow
    low = gen_project.rcpsp_max(n=30, rf=1.0, rs=0.0, seed=5)
    high = gen_project.rcpsp_max(n=30, rf=1.0, rs=1.0, seed=5)
    for r, cap in enumerate(low["capacities"]):
        assert cap == max(row[r] for row in low["demands"])
    assert all(a < b for a, b in zip(low["capacities"], high["capacities"]))
    # non-renewable RS = 0: the capacity is the sum of the least demands
    mm = gen_project.multi_mode(n=20, rs=0.5, rs_nonrenewable=0.0, seed=5)
    for r in (2, 3):
        assert mm["capacities"][r] == sum(min(q[r] for _, q in rows) for rows in mm["modes"])


def test_the_share_of_maximum_lags_and_the_modes():
    none = gen_project.rcpsp_max(n=30, max_share=0.0, seed=1)
    assert none["max_lags"] == 0 and all(w >= 0 for _, _, w in none["arcs"])
    shares = [gen_project.rcpsp_max(n=30, nc=2.0, max_share=0.3, seed=s) for s in range(4)]
    mean = sum(i["max_lags"] / i["dag_arcs"] for i in shares) / len(shares)
    assert abs(mean - 0.3) <= 0.1
    mm = gen_project.multi_mode(n=10, modes=4, seed=1)
    assert [len(rows) for rows in mm["modes"]] == [1] + [4] * 10 + [1]
    for rows in mm["modes"][1:-1]:
        assert [d for d, _ in rows] == sorted(d for d, _ in rows)


def test_the_same_seed_gives_the_same_file(tmp_path):
    for make in (lambda s: gen_project.rcpsp_max(n=20, seed=s),
                 lambda s: gen_project.multi_mode(n=20, seed=s)):
        a, b, c = write(tmp_path, make(7), "a"), write(tmp_path, make(7), "b"), write(tmp_path, make(8), "c")
        text = [open(p).read() for p in (a, b, c)]
        assert text[0] == text[1] and text[0] != text[2]


def test_the_benchmark_set_is_fixed(tmp_path):
    one = gen_project.write_set(str(tmp_path / "one"))
    two = gen_project.write_set(str(tmp_path / "two"))
    assert one == two
    kinds = [row["kind"] for row in one["instances"]]
    assert kinds.count("rcpsp_max") == 30 and kinds.count("multi_mode") == 30
    assert sum(bool(row["params"].get("infeasible")) for row in one["instances"]) == 4
    large = gen_project.benchmark_set("large")
    assert [kind for _, kind, _ in large].count("rcpsp_max") == 20
    assert {params["n"] for _, kind, params in large if kind == "multi_mode"} == {50}
    assert len({name for name, _, _ in large}) == 40


# --------------------------------------------------------------------------- answers

@pytest.mark.parametrize("kind", ["temporal", "resource"])
def test_infeasible_by_construction(tmp_path, kind):
    inst = gen_project.rcpsp_max(n=15, nc=1.5, rs=0.5, max_share=0.1, seed=5, infeasible=kind)
    clean = gen_project.rcpsp_max(n=15, nc=1.5, rs=0.5, max_share=0.1, seed=5)
    path = write(tmp_path, inst)
    assert smtsched_run(path)["status"] == INFEASIBLE
    assert cpsat_run(path)["status"] == INFEASIBLE
    # the same instance without the construction has a schedule (it is the construction)
    assert smtsched_run(write(tmp_path, clean, "clean"))["status"] == OPTIMAL


def brute_force(inst, horizon):
    """The least makespan over every start in [0, horizon] of the real activities (source at
    0, sink at the largest end) and every choice of modes, by project.violations; None when
    nothing fits."""
    n = inst["n"]
    mm = inst["kind"] == "multi_mode"
    mode_choices = itertools.product(*[range(1, len(rows) + 1) for rows in inst["modes"]]) \
        if mm else [None]
    best = None
    for modes in mode_choices:
        for starts in itertools.product(range(horizon + 1), repeat=n):
            s = [0] + list(starts)
            if mm:
                ends = [s[k] + inst["modes"][k + 0][modes[k] - 1][0] for k in range(n + 1)]
            else:
                ends = [s[k] + inst["durations"][k] for k in range(n + 1)]
            makespan = max(ends)
            if best is not None and makespan >= best:
                continue
            run = {"starts": {"job%d" % (k + 1): v for k, v in enumerate(s + [makespan])},
                   "objective": makespan}
            if mm:
                run["modes"] = {"job%d" % (k + 1): m for k, m in enumerate(modes)}
            if not project.violations(inst, run):
                best = makespan
    return best


@pytest.mark.parametrize("seed", range(4))
def test_small_rcpsp_max_agrees_with_brute_force_and_cpsat(tmp_path, seed):
    inst = gen_project.rcpsp_max(n=4, nc=1.5, rf=1.0, rs=0.2, max_share=0.5, resources=2,
                                 seed=seed, max_duration=3, max_demand=4)
    path = write(tmp_path, inst)
    mine, theirs = smtsched_run(path), cpsat_run(path)
    # a feasible instance has a schedule within the sum of max(duration, largest outgoing
    # lag) (Bartusch, Moehring and Radermacher 1988): brute force up to there is exact
    horizon = sum(max([d] + [w for i, _, w in inst["arcs"] if i == k])
                  for k, d in enumerate(inst["durations"]))
    expected = brute_force(inst, horizon)
    assert mine["status"] == theirs["status"] == (INFEASIBLE if expected is None else OPTIMAL)
    assert mine["objective"] == theirs.get("objective") == expected
    if expected is not None:
        assert project.violations(inst, mine) == [] and project.violations(inst, theirs) == []


@pytest.mark.parametrize("seed", range(3))
def test_small_multi_mode_agrees_with_brute_force_and_cpsat(tmp_path, seed):
    inst = gen_project.multi_mode(n=3, modes=2, nc=1.0, rf=1.0, rs=0.2, seed=seed,
                                  rs_nonrenewable=0.3, max_duration=3, max_demand=4)
    path = write(tmp_path, inst)
    mine, theirs = smtsched_run(path), cpsat_run(path)
    expected = brute_force(inst, 9)    # three activities of at most 3 each: within 9
    assert mine["status"] == theirs["status"] == (INFEASIBLE if expected is None else OPTIMAL)
    assert mine["objective"] == theirs.get("objective") == expected


@pytest.mark.parametrize("kind,seed", [("max", 11), ("max", 12), ("mm", 11), ("mm", 12)])
def test_smtsched_and_cpsat_agree_on_generated_instances(tmp_path, kind, seed):
    inst = (gen_project.rcpsp_max(n=15, nc=1.8, rf=0.6, rs=0.4, max_share=0.15, seed=seed)
            if kind == "max" else gen_project.multi_mode(n=12, modes=3, rs=0.4, seed=seed,
                                                         rs_nonrenewable=0.6))
    path = write(tmp_path, inst)
    mine, theirs = smtsched_run(path), cpsat_run(path)
    assert mine["status"] == theirs["status"] and mine["status"] in (OPTIMAL, INFEASIBLE)
    assert mine["objective"] == theirs.get("objective")
    runs = {"smtsched": dict(mine), "cpsat": dict(theirs)}
    project.judge(inst, runs, 20)
    assert all(run["verdict"] in ("optimal", "infeasible") for run in runs.values()), runs


def test_the_checker_rejects_broken_schedules(tmp_path):
    inst = gen_project.multi_mode(n=8, modes=2, rs=0.5, rs_nonrenewable=1.0, seed=2)
    answer = cpsat_run(write(tmp_path, inst))
    assert answer["status"] == OPTIMAL and project.violations(inst, answer) == []
    starts = answer["starts"]
    late = max(starts, key=lambda job: starts[job] if job != "job10" else -1)
    broken = dict(answer, starts=dict(starts, job10=0))      # the sink first
    assert project.violations(inst, broken)
    assert project.violations(inst, dict(answer, objective=answer["objective"] - 1))
    assert project.violations(inst, dict(answer, modes=dict(answer["modes"], job2=3)))
    squeezed = dict(answer, starts={job: 0 if job != late else starts[job] for job in starts})
    assert project.violations(inst, squeezed)
    runs = {"a": dict(answer), "b": {"status": INFEASIBLE}}
    project.judge(inst, runs, 20)
    assert runs["b"]["verdict"] == "WRONG" and runs["a"]["verdict"] == "optimal"
    # two OPTIMAL answers that differ: the larger one is refuted by the smaller's schedule
    worse = dict(answer, objective=answer["objective"] + 1, bound=answer["objective"] + 1,
                 starts=dict(starts, job10=starts["job10"] + 1))
    assert project.violations(inst, worse) == []
    runs = {"a": dict(answer), "c": worse}
    project.judge(inst, runs, 20)
    assert runs["c"]["verdict"] == "WRONG" and runs["a"]["verdict"] == "optimal"
