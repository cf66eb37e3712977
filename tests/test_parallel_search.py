"""The parallel search (`Model.solve(workers=k)`, smtsched.sched.portfolio): the same statuses
and optima as one search, one worker is exactly the single search, a worker that dies loses no
schedule, certificates that verify, and `smtsched solve --workers`."""
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys

import pytest

from sched_models import ft06, job_shop
from smtsched.certify import check as check_certificate
from smtsched.sched import FEASIBLE, INFEASIBLE, OPTIMAL, Model, ModelError, optimize
from smtsched.sched import portfolio
from smtsched.sched.check import violations

HERE = os.path.dirname(os.path.abspath(__file__))


def random_job_shop(seed, jobs=4, machines=4):
    rng = random.Random(seed)
    m = job_shop(f"js{seed}", [[(machine, rng.randint(1, 9))
                                for machine in rng.sample(range(machines), machines)]
                               for _ in range(jobs)])
    m.minimize_makespan()
    return m


def random_rcpsp(seed, n=9):
    """Tasks on two cumulative resources, with random precedences from lower to higher
    index; with `deadline` a tight one on the last task (sometimes infeasible)."""
    rng = random.Random(seed)
    m = Model(f"rcpsp{seed}")
    tasks = [m.task(f"t{i}", rng.randint(1, 6)) for i in range(n)]
    for j in range(1, n):
        for i in rng.sample(range(j), min(j, rng.randint(0, 2))):
            m.precedence(tasks[i], tasks[j])
    for capacity in (3, 4):
        m.cumulative({t: rng.randint(0, capacity) for t in tasks}, capacity)
    m.minimize_makespan()
    return m


def infeasible_model():
    """Two jobs of 3 on one machine with deadlines 4: no schedule (found by search: the
    static bounds see each task alone)."""
    m = Model("two-in-four")
    a = m.task("a", 3, deadline=4)
    b = m.task("b", 3, deadline=4)
    m.unary([a, b])
    m.minimize_makespan()
    return m


MODELS = [ft06] + [lambda s=s: random_job_shop(s) for s in range(4)] \
    + [lambda s=s: random_rcpsp(s) for s in range(4)] + [infeasible_model]


def test_statuses_and_optima_agree_with_one_worker():
    searched = 0
    for make in MODELS:
        single = make().solve(seed=1)
        double = make().solve(seed=1, workers=2)
        assert double.status == single.status, make().name
        assert double.objective == single.objective and double.lower_bound == \
            single.lower_bound
        if double.status == OPTIMAL:
            model = make()
            assert not violations(model, [double.start(t) for t in model.tasks])
        searched += single.stats.get("checks", 0) > 0
    assert searched >= 3   # not only answers that the static bounds decide
    assert {OPTIMAL, INFEASIBLE} <= {make().solve().status for make in MODELS}


@pytest.mark.uncertified
def test_without_a_certificate_the_parent_stops_the_workers_once_the_bound_meets_the_best():
    # (the suite certifies every answer, tests/certified.py: the portfolio then waits for a
    # worker's certificate; here the parent decides alone)
    for make in MODELS:
        single, double = make().solve(seed=3), make().solve(seed=3, workers=2)
        assert (double.status, double.objective, double.lower_bound) == \
            (single.status, single.objective, single.lower_bound), make().name
        assert double.certificate is None and double.certificate_note == ""


def test_three_workers_each_with_its_own_strategy():
    assert [portfolio.strategy(i) for i in range(4)] == ["bisect", "descent", "climb", "bisect"]
    result = ft06().solve(workers=3, seed=5)
    assert result.status == OPTIMAL and result.objective == 55
    assert result.stats["workers"] == 3


def test_one_worker_is_exactly_the_single_search(monkeypatch):
    # a timed run too (conflict budgets: optimize.conflict_budget), small enough to end by
    # its budget long before the cap
    path = os.path.join(os.path.dirname(HERE), "..", "shared", "data", "jssp", "la21.txt")
    from smtsched.sched import read_model
    model = read_model(path)
    monkeypatch.setattr(optimize, "conflict_seconds", lambda model: 60 / 150)
    direct = optimize.solve(read_model(path), time_limit=60, seed=4)
    for workers in (1, None):
        through = read_model(path).solve(time_limit=60, seed=4, workers=workers)
        assert "workers" not in through.stats and "stopped" not in through.stats
        strip = (lambda stats: {k: v for k, v in stats.items() if k != "runtime"})
        assert (through.status, through.objective, through.lower_bound, through.reason) == \
            (direct.status, direct.objective, direct.lower_bound, direct.reason)
        assert strip(through.stats) == strip(direct.stats)
        assert through.starts == direct.starts


@pytest.mark.parametrize("workers", [0, -2, 1.5, True])
def test_workers_must_be_a_positive_integer(workers):
    with pytest.raises(ModelError, match="workers must be an integer >= 1"):
        ft06().solve(workers=workers)


def forked(monkeypatch):
    """Workers started by 'fork', whatever threads the suite runs (tests/certified.py checks
    certificates in a process pool, whose threads make `_context` choose 'forkserver'), so
    that the faults injected below reach them."""
    monkeypatch.setattr(portfolio, "_context", lambda: multiprocessing.get_context("fork"))


def test_workers_started_by_the_forkserver_answer_the_same(monkeypatch):
    # the start method with other threads running (`_context`): the model is pickled
    monkeypatch.setattr(portfolio.threading, "active_count", lambda: 2)
    assert portfolio._context().get_start_method() in ("forkserver", "spawn")
    result = random_job_shop(11, jobs=6, machines=6).solve(workers=2)
    assert result.status == OPTIMAL and result.objective == \
        random_job_shop(11, jobs=6, machines=6).solve().objective


def test_workers_that_die_lose_no_schedule(monkeypatch):
    # every worker kills itself right after sending its first schedule (a crash of the
    # process, as an out-of-memory kill would be): the parent keeps the best one it checked
    improved = portfolio.Worker.improved

    def improve_and_die(self, starts, present, report=True):
        improved(self, starts, present, report)
        if self.strategy == "bisect" or self.stats["solutions"] >= 1:
            os.kill(os.getpid(), signal.SIGKILL)

    forked(monkeypatch)
    monkeypatch.setattr(portfolio.Worker, "improved", improve_and_die)
    monkeypatch.setattr(optimize.Optimizer, "LOCAL_SEARCH", False)
    model = random_job_shop(11, jobs=6, machines=6)
    seen = []
    result = model.solve(workers=2, on_solution=seen.append)
    assert seen and result.starts   # the schedules the workers sent before they died
    assert result.status == FEASIBLE and result.reason == \
        "worker(s) 0, 1 ended without an answer"
    assert result.objective == min(s.objective for s in seen)
    assert not violations(model, [result.start(t) for t in model.tasks])


def test_a_wrong_schedule_from_a_worker_is_an_internal_error(monkeypatch):
    # the parent checks every schedule it receives: a worker that sends a broken one (here:
    # every start 0) makes the run fail loudly, never answer with it
    improved = portfolio.Worker.improved

    def improve_wrongly(self, starts, present, report=True):
        improved(self, starts, present, report)
        self.send(("solution", 1, [0] * len(starts), list(present)))

    forked(monkeypatch)
    monkeypatch.setattr(portfolio.Worker, "improved", improve_wrongly)
    with pytest.raises(optimize.ScheduleCheckError, match="failed the check"):
        # (the first schedule is not optimal: the parent reads the broken one before the
        # bound meets the best)
        random_job_shop(11, jobs=6, machines=6).solve(workers=2)


@pytest.mark.parametrize("make, status", [(ft06, OPTIMAL), (lambda: random_rcpsp(2), OPTIMAL),
                                          (infeasible_model, INFEASIBLE)])
def test_a_proven_answer_of_two_workers_carries_a_certificate_that_verifies(tmp_path, make,
                                                                           status):
    result = make().solve(workers=2, proof=tmp_path / "cert", seed=2)
    assert result.status == status
    assert result.certificate == os.fspath(tmp_path / "cert"), result.certificate_note
    assert check_certificate(result.certificate).ok
    assert not [name for name in os.listdir(result.certificate) if name.startswith(".worker")]


def test_an_unproven_answer_of_two_workers_says_why_it_has_no_certificate(tmp_path):
    path = os.path.join(os.path.dirname(HERE), "..", "shared", "data", "rcpsp", "j30",
                        "j3013_2.sm")
    from smtsched.sched import read_model
    result = read_model(path).solve(workers=2, time_limit=1, proof=tmp_path / "cert")
    assert result.status == FEASIBLE and result.certificate is None
    assert result.certificate_note.startswith("no certificate")
    assert not os.path.exists(tmp_path / "cert" / "manifest.json")


def smtsched(*args):
    return subprocess.run([sys.executable, "-m", "smtsched", *args], capture_output=True,
                          text=True, cwd=HERE, timeout=120)


def test_the_command_line_takes_workers(tmp_path):
    path = tmp_path / "ft06.txt"
    from sched_models import FT06
    path.write_text("6 6\n" + "\n".join(" ".join(f"{m} {d}" for m, d in job)
                                        for job in FT06) + "\n")
    done = smtsched("solve", str(path), "--workers", "2", "--json", "--timeout", "30")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["status"] == OPTIMAL and answer["objective"] == 55
    assert answer["stats"]["workers"] == 2
    done = smtsched("solve", str(path), "--workers", "0")
    assert done.returncode != 0 and "--workers must be at least 1" in done.stderr
    script = tmp_path / "x.smt2"
    script.write_text("(set-logic QF_IDL)(declare-fun x () Int)(check-sat)\n")
    done = smtsched("solve", str(script), "--workers", "2")
    assert done.returncode != 0 and "scheduling formats" in done.stderr


def _solve_in_a_pool_worker(_):
    try:
        return ft06().solve(workers=2).status
    except portfolio.PortfolioUnavailable as error:
        return str(error)


def test_a_daemonic_caller_is_told_why_it_cannot_have_workers():
    # multiprocessing refuses children to a daemonic process (a Pool's worker): a clear error
    with multiprocessing.get_context("fork").Pool(1) as pool:
        answer, = pool.map(_solve_in_a_pool_worker, [0])
    assert "daemonic process" in answer and "use workers=1" in answer
