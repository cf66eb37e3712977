"""With a time limit the same model, seed and limit give the same answer and statistics: every
budget of the optimiser is conflicts sized from the limit (optimize.conflict_budget), the
deadline only a cap. The inputs are the ones whose timed runs differed from run to run when
the probes' budgets were seconds (`smtsched solve FILE --timeout 10 --json`: j3013_2 spent
45,063 / 43,946 / 50,659 conflicts; j309_2; j3029_6)."""
import json
import os
import subprocess
import sys

import pytest

from smtsched.sched import FEASIBLE, read_model
from smtsched.sched import optimize

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(ROOT, "..", "shared", "data")
RCPSP = os.path.join(DATA, "rcpsp")
JSSP = os.path.join(DATA, "jssp")

# a limit far above what the budgets below take, so that no run reaches the cap (the clock)
LIMIT = 60


def outcome(result):
    stats = {k: v for k, v in result["stats"].items() if k != "runtime"}
    return (result["status"], result["objective"], result["lower_bound"], result["reason"],
            stats)


@pytest.mark.parametrize("path, conflicts", [
    (os.path.join(RCPSP, "j30", "j3013_2.sm"), 1500),
    (os.path.join(RCPSP, "j30", "j309_2.sm"), 1500),
    (os.path.join(RCPSP, "j30", "j3029_6.sm"), 1500),
    (os.path.join(JSSP, "la21.txt"), 200),
])
def test_a_timed_run_repeats_exactly(monkeypatch, path, conflicts):
    model = read_model(path)
    # the rate that gives this model `conflicts` under LIMIT: a quick run, far from the cap
    monkeypatch.setattr(optimize, "conflict_seconds", lambda model: LIMIT / conflicts)
    assert optimize.conflict_budget(model, LIMIT) == conflicts
    runs = []
    for _ in range(2):
        result = read_model(path).solve(time_limit=LIMIT, seed=3)
        runs.append(outcome({"status": result.status, "objective": result.objective,
                             "lower_bound": result.lower_bound, "reason": result.reason,
                             "stats": result.stats}))
    first, second = runs
    # not vacuous: both runs ended by their budget (not at the cap, nor proven optimal)
    assert first[0] == FEASIBLE and first[3].startswith("timeout: the time limit's budget")
    assert "stopped" not in first[4] and first[4]["conflicts"] >= conflicts
    assert first == second


def test_the_budget_is_the_limit_at_a_fixed_rate():
    model = read_model(os.path.join(RCPSP, "j30", "j3013_2.sm"))
    assert optimize.conflict_budget(model, None) is None
    assert optimize.conflict_budget(model, 10) == int(10 / optimize.conflict_seconds(model))
    # a conflict costs more on a bigger model
    bigger = read_model(os.path.join(JSSP, "la21.txt"))
    assert optimize.conflict_seconds(bigger) > optimize.conflict_seconds(model)
    assert optimize.conflict_budget(model, 20) >= 2 * optimize.conflict_budget(model, 10) - 1


def test_the_command_line_repeats_a_timed_run():
    # conflicts taken as 40 times as costly: the budget of 20 s is what the search does in
    # about half a second here, so that it ends by its budget far from the cap
    path = os.path.join(RCPSP, "j30", "j3013_2.sm")
    runs = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-m", "smtsched", "solve", path, "--timeout",
                               "20", "--json", "--seed", "2"], capture_output=True, text=True,
                              cwd=HERE, timeout=60,
                              env=dict(os.environ, SMTSCHED_CONFLICT_COST="40"))
        assert done.returncode == 0, done.stderr
        runs.append(json.loads(done.stdout))
    if any("stopped" in run["stats"] or not run["stats"] for run in runs):
        # a machine too loaded to spend the budget before the clock (the cap) ran out
        pytest.skip("a run reached the deadline before its conflict budget: "
                    f"{[run['reason'] for run in runs]}")
    assert runs[0]["reason"].startswith("timeout: the time limit's budget of ")
    assert runs[0]["stats"]["conflicts"] < optimize.conflict_budget(read_model(path), 20)
    assert outcome(runs[0]) == outcome(runs[1])
    assert runs[0]["starts"] == runs[1]["starts"]


def test_a_run_that_reaches_the_deadline_first_says_so(monkeypatch):
    # a rate that makes the budget far more than the limit allows: the clock (the cap) ends
    # the run, which then depends on the machine and says so
    monkeypatch.setattr(optimize, "conflict_seconds", lambda model: 1e-9)
    result = read_model(os.path.join(RCPSP, "j30", "j3013_2.sm")).solve(time_limit=1)
    assert result.status == FEASIBLE and result.reason == "timeout"
    assert result.stats["stopped"] == "deadline"
