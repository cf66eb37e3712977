"""Certificates of the scheduling front end (issue 15): `Model.solve(proof=DIR)` and
`smtsched solve F --proof DIR` write a certificate for an OPTIMAL or INFEASIBLE answer that
the independent checker (`smtsched.certify.check`) verifies, nothing for an answer they
cannot back (FEASIBLE, a model the checker has no rules for), and tampered certificates are
rejected.

The checker is the oracle here: it reads the input with its own reader, re-checks the
schedule and replays the refutation; it shares no code with the solver (tests/
test_import_graph.py). Benchmarks come from ../shared/data (skipped when absent).
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sched_models import ft06, job_shop
from smtsched.certify import check
from smtsched.sched import INFEASIBLE, OPTIMAL, Model, ModelError, read_model
from smtsched.sched.backend import SolverBackend
from smtsched.sched.lowered import LoweringBackend
from smtsched.sched.optimize import Optimizer, ProofUnsupported
from smtsched.sched.proof import Certification
from smtsched.sched.result import Result

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(HERE, "..", "..", "shared", "data")


@pytest.fixture(autouse=True)
def _no_tabu_search(monkeypatch):
    """These certificates are of searches: the tabu search would solve the small job shops
    at their static bound without one (Optimizer.LOCAL_SEARCH)."""
    from smtsched.sched.optimize import Optimizer
    monkeypatch.setattr(Optimizer, "LOCAL_SEARCH", False)


def scaled(weight):
    """max_examples as a multiple of the active profile's baseline (tests/conftest.py)."""
    return max(1, int(settings.default.max_examples * weight))


def data(*parts):
    path = os.path.join(DATA, *parts)
    if not os.path.exists(path):
        pytest.skip(f"benchmark data not found: {path} (set SMTSCHED_DATA)")
    return path


def verified(folder):
    verdict = check(str(folder))
    assert verdict.ok, f"{folder}: {verdict.status}: {verdict.reason}"
    return verdict


def manifest(folder):
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
        return json.load(f)


def lemma_kinds(folder):
    with open(os.path.join(folder, "lemmas.jsonl"), encoding="utf-8") as f:
        return [json.loads(line)["kind"] for line in f]


# -- honest certificates ----------------------------------------------------------------------

def test_ft06_optimal_certificate_names_model_json_and_verifies(tmp_path):
    folder = tmp_path / "cert"
    result = ft06().solve(proof=str(folder))
    assert (result.status, result.objective) == (OPTIMAL, 55)
    assert result.certificate == str(folder) and result.certificate_note == ""
    made = manifest(folder)
    assert made["input"]["file"] == "model.json" and made["input"]["format"] == "model"
    assert made["claim"] == {"kind": "optimal", "objective": "makespan", "value": 55}
    assert len(made["assumptions"]) == 1 and made["complete"]
    with open(folder / "schedule.json", encoding="utf-8") as f:
        schedule = json.load(f)
    assert schedule == {"starts": result.starts, "objective": 55}
    verified(folder)


def random_job_shop(rng, jobs, machines, longest=9):
    m = job_shop(f"js{jobs}x{machines}",
                 [[(machine, rng.randint(1, longest))
                   for machine in rng.sample(range(machines), machines)]
                  for _ in range(jobs)])
    m.minimize_makespan()
    return m


@pytest.mark.parametrize("seed", range(4))
def test_random_job_shops_give_verified_optimal_certificates(tmp_path, seed):
    rng = random.Random(seed)
    model = random_job_shop(rng, rng.randint(3, 5), rng.randint(3, 4))
    result = model.solve(proof=str(tmp_path), seed=seed)
    assert result.status == OPTIMAL and result.certificate == str(tmp_path)
    verified(tmp_path)


def random_project(rng):
    """Releases, deadlines, lags both ways, machines and cumulative resources: everything the
    checker's model.json reader supports."""
    m = Model("project")
    tasks = [m.task(f"t{i}", rng.randint(0, 5), release=rng.choice([0, 0, rng.randint(0, 4)]))
             for i in range(rng.randint(4, 7))]
    for _ in range(rng.randint(2, 5)):
        a, b = rng.sample(tasks, 2)
        if a.index > b.index:
            a, b = b, a
        lag = rng.randint(-2, 3)
        m.precedence(a, b, min_lag=lag, max_lag=rng.choice([None, lag + rng.randint(0, 6)]))
    m.unary(rng.sample(tasks, 3))
    m.cumulative({t: rng.randint(1, 2) for t in rng.sample(tasks, 4)}, rng.randint(2, 3))
    last = rng.choice(tasks)
    m.minimize_makespan()
    if rng.random() < 0.4:   # sometimes too tight to hold
        m.set_horizon(sum(t.duration for t in tasks) // 2 + last.duration)
    return m


@pytest.mark.parametrize("seed", range(8))
def test_random_projects_with_lags_give_verified_certificates(tmp_path, seed):
    model = random_project(random.Random(seed))
    result = model.solve(proof=str(tmp_path), seed=seed)
    assert result.status in (OPTIMAL, INFEASIBLE)
    assert result.certificate == str(tmp_path), result.certificate_note
    assert manifest(tmp_path)["claim"]["kind"] == result.status.lower()
    verified(tmp_path)


@st.composite
def projects(draw):
    """Small models of every feature the checker reads: zero durations, releases, deadlines,
    lags both ways (positive cycles too), machines, cumulative resources, a horizon."""
    m = Model("drawn")
    n = draw(st.integers(1, 7))
    tasks = []
    for i in range(n):
        duration = draw(st.integers(0, 6))
        release = draw(st.sampled_from([0, 0, 1, 3]))
        deadline = draw(st.one_of(st.none(), st.integers(0, 14).map(
            lambda slack, r=release, d=duration: r + d + slack)))
        tasks.append(m.task(f"t{i}", duration, release=release, deadline=deadline))
    index = st.integers(0, n - 1)
    for _ in range(draw(st.integers(0, 2 * n))):
        a, b = draw(index), draw(index)
        if a != b:
            lag = draw(st.integers(-3, 3))
            top = draw(st.one_of(st.none(), st.integers(lag, lag + 6)))
            m.precedence(tasks[a], tasks[b], min_lag=lag, max_lag=top)
    for _ in range(draw(st.integers(0, 2))):
        used = draw(st.sets(index, min_size=1, max_size=n))
        m.unary([tasks[i] for i in sorted(used)])
    for _ in range(draw(st.integers(0, 2))):
        capacity = draw(st.integers(1, 3))
        used = draw(st.sets(index, min_size=1, max_size=n))
        m.cumulative({tasks[i]: draw(st.integers(1, capacity)) for i in sorted(used)},
                     capacity)
    m.minimize_makespan()
    if draw(st.booleans()):
        m.set_horizon(draw(st.integers(0, 30)))
    return m


@settings(max_examples=scaled(0.6))
@given(model=projects())
def test_drawn_models_give_certificates_the_checker_verifies(model):
    folder = tempfile.mkdtemp(prefix="h6-drawn-")
    try:
        result = model.solve(proof=folder)
        assert result.status in (OPTIMAL, INFEASIBLE)
        assert result.certificate == folder, result.certificate_note
        assert manifest(folder)["claim"]["kind"] == result.status.lower()
        verified(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_psplib_j30_certificate_names_the_file_read_and_verifies(tmp_path):
    path = data("rcpsp", "j30", "j301_1.sm")
    result = read_model(path).solve(proof=str(tmp_path),
                                    proof_input={"file": path, "format": "psplib"})
    assert result.status == OPTIMAL and result.certificate is not None
    made = manifest(tmp_path)
    assert made["input"]["file"] == os.path.abspath(path)
    assert made["input"]["format"] == "psplib"
    verified(tmp_path)


@pytest.mark.uncertified   # compares with a run without proof
def test_greedy_schedule_meeting_the_static_bound_is_certified_without_a_search(tmp_path):
    """The greedy schedule meets the critical path: without proof no search runs at all (no
    backend is built), and with proof neither: the certificate is the bound lemma over the
    model's unit facts, and an empty refutation (bound_proof.standalone)."""
    m = Model("chain and machine")
    a, b, c = m.task("a", 3), m.task("b", 2), m.task("c", 1)
    m.precedence(a, b)
    m.unary([a, c])
    m.minimize_makespan()
    plain = m.solve()
    assert (plain.status, plain.objective, plain.stats["checks"]) == (OPTIMAL, 5, 0)
    result = m.solve(proof=str(tmp_path))
    assert result.status == OPTIMAL and result.stats["checks"] == 0
    verified(tmp_path)
    assert lemma_kinds(tmp_path) == ["bound"]
    with open(os.path.join(tmp_path, "problem.cnf"), encoding="utf-8") as f:
        # the unit facts of the chain: a's release, a before b, b's end before the makespan
        assert f.readline().split()[3] == "3"
    with open(os.path.join(tmp_path, "proof.drup"), encoding="utf-8") as f:
        assert f.read() == "0\n"


@pytest.mark.uncertified   # compares with a run without proof
def test_search_meeting_the_static_bound_is_refuted_by_one_more_search(tmp_path):
    """la05's optimum is its static lower bound, met by a searched schedule: no refutation
    backs it; with proof one more search refutes makespan <= 592."""
    path = data("jssp", "la05.txt")
    plain = read_model(path).solve()
    assert plain.status == OPTIMAL
    result = read_model(path).solve(proof=str(tmp_path),
                                    proof_input={"file": path, "format": "jobshop"})
    assert result.status == OPTIMAL and result.objective == 593
    assert result.stats["checks"] == plain.stats["checks"] + 1
    verified(tmp_path)


def test_infeasible_machine_deadline_gives_a_verified_certificate(tmp_path):
    m = Model("too tight")
    a, b = m.task("a", 2, deadline=3), m.task("b", 2, deadline=3)
    m.unary([a, b])
    m.minimize_makespan()
    result = m.solve(proof=str(tmp_path))
    assert result.status == INFEASIBLE and result.certificate == str(tmp_path)
    assert manifest(tmp_path)["claim"] == {"kind": "infeasible"}
    assert manifest(tmp_path)["assumptions"] == []
    assert not os.path.exists(tmp_path / "schedule.json")
    verified(tmp_path)


def test_statically_infeasible_cycle_is_refuted_by_a_search(tmp_path):
    """Two tasks each after the other: a positive cycle of the precedences, INFEASIBLE
    without a search (the reason names the cycle); with proof, a search without a bound
    refutes it."""
    m = Model("cycle")
    a, b, c = m.task("a", 2), m.task("b", 2), m.task("c", 1)
    m.precedence(a, b, min_lag=1)
    m.precedence(b, a, max_lag=4)
    m.precedence(b, a)
    m.unary([a, c])
    m.minimize_makespan()
    assert m.solve().reason   # the static path
    result = m.solve(proof=str(tmp_path))
    assert result.status == INFEASIBLE and result.certificate == str(tmp_path)
    verified(tmp_path)


def test_statically_infeasible_cycle_with_a_horizon_and_a_cumulative_resource(tmp_path):
    """Regression (random fuzz, seed 314): the refutation's lowering of a positively cyclic
    model with a horizon asked for heads and tails (the cumulative windows), which raised
    PositiveCycle out of solve(proof=...)."""
    m = Model("cycle, horizon")
    a, b, c = m.task("a", 2), m.task("b", 3), m.task("c", 1)
    m.precedence(a, b, min_lag=-1)
    m.precedence(b, a, min_lag=-1)
    m.cumulative({a: 1, b: 1, c: 2}, 2)
    m.set_horizon(20)
    m.minimize_makespan()
    result = m.solve(proof=str(tmp_path))
    assert result.status == INFEASIBLE and result.reason
    assert result.certificate == str(tmp_path), result.certificate_note
    verified(tmp_path)


def test_infeasible_model_without_objective_is_certified_its_schedule_is_not(tmp_path):
    m = Model("no objective")
    tasks = [m.task(f"t{i}", 2, deadline=5) for i in range(3)]
    m.unary(tasks)
    result = m.solve(proof=str(tmp_path / "a"))
    assert result.status == INFEASIBLE
    verified(tmp_path / "a")
    m = Model("no objective, feasible")
    m.unary([m.task(f"t{i}", 2) for i in range(3)])
    result = m.solve(proof=str(tmp_path / "b"))
    assert result.status == OPTIMAL and result.certificate is None
    assert "without an objective" in result.certificate_note


# -- nothing written, and why -----------------------------------------------------------------

def test_models_the_checker_cannot_check_get_no_certificate_and_a_note(tmp_path):
    m = Model("memory")
    tasks = [m.task(f"t{i}", i + 1) for i in range(3)]
    m.unary(tasks)
    memory = m.memory(capacity=10)
    # (memories are read, but a certificate names buffers: two of one name are refused)
    m.buffer(memory, 4, tasks[0], [tasks[1]], name="x")
    m.buffer(memory, 1, tasks[2], name="x")
    m.minimize_makespan()
    result = m.solve(proof=str(tmp_path))
    assert result.status == OPTIMAL
    assert result.certificate is None
    assert "unsupported by the checker: repeated buffer names" in result.certificate_note
    assert not os.path.exists(tmp_path / "manifest.json")
    assert result.as_dict()["certificate_note"] == result.certificate_note


def test_a_feasible_answer_writes_no_certificate_and_clears_an_old_one(tmp_path):
    ft06().solve(proof=str(tmp_path))
    assert os.path.exists(tmp_path / "manifest.json")
    model = random_job_shop(random.Random(0), 15, 10, longest=99)   # gap 14% after 3 s
    result = model.solve(proof=str(tmp_path), time_limit=0.3)
    assert result.status != OPTIMAL, "too easy: the test needs an unfinished run"
    assert result.certificate is None and result.certificate_note.startswith("no certificate")
    assert not os.path.exists(tmp_path / "manifest.json")   # the old one is gone


def test_an_optimal_answer_at_the_static_bound_is_certified_even_without_time(tmp_path):
    """time_limit=0: the greedy schedule meets the critical path (OPTIMAL), and its
    certificate needs no search (bound_proof.standalone), so the deadline costs nothing."""
    m = Model("chain and machine")
    a, b, c = m.task("a", 3), m.task("b", 2), m.task("c", 1)
    m.precedence(a, b)
    m.unary([a, c])
    m.minimize_makespan()
    result = m.solve(proof=str(tmp_path), time_limit=0)
    assert (result.status, result.objective) == (OPTIMAL, 5)
    assert result.certificate == str(tmp_path)
    verified(tmp_path)


def test_unwritable_folder_or_unreadable_input_is_said_not_raised(tmp_path):
    m = Model("one")
    m.task("a", 1)
    m.minimize_makespan()
    (tmp_path / "a file").write_text("")
    result = m.solve(proof=str(tmp_path / "a file" / "cert"))
    assert result.status == OPTIMAL and result.certificate is None
    assert "cannot write the certificate" in result.certificate_note
    result = m.solve(proof=str(tmp_path / "cert"),
                     proof_input={"file": str(tmp_path / "none.txt"), "format": "jobshop"})
    assert result.certificate is None and "cannot read the input" in result.certificate_note


def test_the_solver_backend_refuses_proof(tmp_path):
    model = ft06()
    with pytest.raises(ProofUnsupported, match="writes no certificates"):
        Optimizer(model, backend=SolverBackend, proof=Certification(model, str(tmp_path)))
    with pytest.raises(ModelError, match="proof must be a folder"):
        model.solve(proof=3)
    with pytest.raises(ModelError, match="proof_input"):
        model.solve(proof_input={"file": "x.txt", "format": "jobshop"})


# -- the persistent engine's whole log --------------------------------------------------------

def test_stopped_searches_of_the_persistent_session_are_retired_and_the_certificate_verifies(
        tmp_path):
    """Probes stopped by their conflict budget hand over [-s] for their stop literal s
    ("retire" records); the later refutation's certificate holds them and still verifies."""
    model = ft06()
    backend = LoweringBackend(model, proof=True)
    bound = backend.at_most(54, 0, 100)
    assert backend.check([bound], max_conflicts=1) == "unknown"
    assert backend.check([backend.at_most(55, 0, 100)]) == "sat"
    starts, present = backend.schedule()
    assert backend.check([bound]) == "unsat"
    assert "retire" in [kind for _, kind, _ in backend.certificate.records]
    result = Result(model, OPTIMAL, objective=55, lower_bound=55, starts=starts,
                    present=present)
    certification = Certification(model, str(tmp_path))
    assert certification.prepare()
    assert certification.write(backend.certificate,
                               {"kind": "optimal", "objective": "makespan", "value": 55},
                               [bound], result), certification.note
    assert "retire" in lemma_kinds(tmp_path)
    verified(tmp_path)
    backend.close()


class StarvedOptimizer(Optimizer):
    PROBE_CONFLICTS = 2   # probes below best - 1 run out of conflicts: stops, LNS moves


def test_an_optimisation_with_stopped_probes_and_moves_is_certified(tmp_path):
    """The Optimizer's own run: probes stopped by their budget (retire records), rounds of
    neighbourhood moves (refuted under ordering assumptions, which certify nothing) and the
    final refutation, all in one persistent engine's log."""
    model = random_job_shop(random.Random(16), 7, 6, longest=99)
    optimizer = StarvedOptimizer(model, seed=16, proof=Certification(model, str(tmp_path)))
    result = optimizer.run()
    assert result.status == OPTIMAL and result.certificate == str(tmp_path)
    assert result.stats["lns_steps"] > 0
    assert "retire" in lemma_kinds(tmp_path)
    verified(tmp_path)


def cut_certificate(folder):
    """An infeasible cumulative model refuted only thanks to an ordering cut (the cut makes
    the refutation a root conflict): its certificate, with the cut as a clique lemma."""
    m = Model("cut")
    tasks = [m.task(f"t{i}", 2, deadline=3) for i in range(3)]
    m.cumulative({t: 1 for t in tasks}, 2)
    m.minimize_makespan()
    backend = LoweringBackend(m, proof=True)
    backend.cut(tasks)
    assert backend.check([]) == "unsat"
    certification = Certification(m, str(folder))
    assert certification.prepare()
    assert certification.write(backend.certificate, {"kind": "infeasible"}, [], None)
    backend.close()
    return folder


def test_a_cut_is_a_clique_lemma_of_its_resource(tmp_path):
    folder = cut_certificate(tmp_path)
    with open(folder / "lemmas.jsonl", encoding="utf-8") as f:
        cuts = [r for r in map(json.loads, f) if r["kind"] == "cut"]
    assert len(cuts) == 1
    assert cuts[0]["rule"] == "clique" and cuts[0]["theory"] == "cumulative"
    verified(folder)


# -- tampering --------------------------------------------------------------------------------

def test_a_removed_cut_lemma_is_rejected(tmp_path):
    folder = cut_certificate(tmp_path)
    path = folder / "lemmas.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(l for l in lines if json.loads(l)["kind"] != "cut"),
                    encoding="utf-8")
    verdict = check(str(folder))
    assert verdict.status == "rejected", verdict


# a 4x3 job shop (optimum 24) whose whole proof could be cut away before the end rule: the
# lemmas and the assumption unit alone propagate to a conflict (as la02's certificate did)
SMALL_SHOP = [[(0, 2), (2, 8), (1, 8)], [(1, 2), (2, 8), (0, 1)], [(1, 8), (2, 5), (0, 4)],
              [(2, 1), (0, 1), (1, 1)]]


@pytest.mark.parametrize("name", ["small", "ft06"])
def test_a_truncated_proof_is_rejected(tmp_path, name):
    if name == "small":
        m = job_shop("small", SMALL_SHOP)
        m.minimize_makespan()
    else:
        m = ft06()
    assert m.solve(proof=str(tmp_path)).certificate == str(tmp_path)
    verified(tmp_path)
    path = tmp_path / "proof.drup"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    # the emitter ends the proof with the empty clause (CaDiCaL writes none under assumptions)
    assert lines[-1] == "0\n"
    cuts = {"the empty clause dropped": "".join(lines[:-1]),
            "cut after the first line": "".join(lines[:1]),
            "nothing left": "",
            "cut before the last clause's 0": "".join(lines[:-2]) + lines[-2].rstrip()[:-2]}
    for what, cut in cuts.items():
        path.write_text(cut, encoding="utf-8")
        verdict = check(str(tmp_path))
        assert verdict.status == "rejected", what
        assert "truncated" in verdict.reason, (what, verdict.reason)
    path.write_text(text, encoding="utf-8")
    verified(tmp_path)
    # lemmas.jsonl cut inside a line is no JSON; cut after a line, the proof loses lemmas it
    # needs (a lemma it does not need is harmless: the refutation stands without it)
    lemmas = tmp_path / "lemmas.jsonl"
    body = lemmas.read_text(encoding="utf-8")
    lemmas.write_text(body[:-5], encoding="utf-8")
    assert check(str(tmp_path)).status == "rejected"
    lemmas.write_text("", encoding="utf-8")
    assert check(str(tmp_path)).status == "rejected"


def test_a_changed_duration_in_the_input_is_rejected(tmp_path):
    folder = tmp_path / "cert"
    ft06().solve(proof=str(folder))
    verified(folder)
    path = folder / "model.json"
    text = path.read_text(encoding="utf-8")
    changed = text.replace('{"name":"j0o1","duration":3}', '{"name":"j0o1","duration":2}')
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    verdict = check(str(folder))
    assert verdict.status == "rejected" and "SHA-256" in verdict.reason
    # with the manifest's hash updated too, the certificate no longer follows from the input
    data = manifest(folder)
    import hashlib
    data["input"]["sha256"] = hashlib.sha256(changed.encode("utf-8")).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    assert check(str(folder)).status == "rejected"


def test_a_schedule_with_a_worse_makespan_is_rejected(tmp_path):
    ft06().solve(proof=str(tmp_path))
    path = tmp_path / "schedule.json"
    schedule = json.loads(path.read_text(encoding="utf-8"))
    last = max(schedule["starts"], key=lambda name: schedule["starts"][name])
    schedule["starts"][last] += 10   # the last task to start: still valid, makespan worse
    for claimed in (55, 65):
        schedule["objective"] = claimed
        path.write_text(json.dumps(schedule), encoding="utf-8")
        verdict = check(str(tmp_path))
        assert verdict.status == "rejected", verdict


# -- the command line -------------------------------------------------------------------------

def run(*args):
    # from the tests folder: in the checkout root, `-m smtsched` would import the source
    # folder, which has no compiled theories when the package is installed (not editable)
    return subprocess.run([sys.executable, "-m", "smtsched", *args], capture_output=True,
                          text=True, timeout=120, cwd=os.path.dirname(os.path.abspath(__file__)))


def test_cli_solve_la01_with_proof_then_check_proof(tmp_path):
    source = data("jssp", "la01.txt")
    path = tmp_path / "la01.txt"
    shutil.copy(source, path)
    folder = tmp_path / "cert"
    solved = run("solve", str(path), "--proof", str(folder))
    assert solved.returncode == 0, solved.stderr
    assert solved.stdout.splitlines()[:2] == ["status OPTIMAL", "makespan 666"]
    assert f"certificate written to {folder}" in solved.stderr
    made = manifest(folder)
    assert made["input"]["format"] == "jobshop"
    assert made["input"]["file"] == str(path)
    checked = run("check-proof", str(folder))
    assert checked.returncode == 0 and "verified" in checked.stdout, checked.stdout
    # the input changed after the solve (a duration): the checker refuses it
    lines = path.read_text().splitlines()
    numbers = lines[1].split()
    numbers[1] = str(int(numbers[1]) + 1)
    lines[1] = " ".join(numbers)
    path.write_text("\n".join(lines) + "\n")
    checked = run("check-proof", str(folder))
    assert checked.returncode == 1 and "SHA-256" in checked.stdout + checked.stderr


def test_asking_whether_the_checker_reads_the_input_builds_no_encoding(tmp_path, monkeypatch):
    # found by tests/test_bad_input.py (a 2,000-operation job): the front end ran the
    # checker's whole reader, whose G has a clause per pair of tasks of a machine (8 s of
    # a 0.3 s solve); it only needs to know whether the reader refuses the input
    from smtsched.certify.check import sched as checker

    def no_encoding(problem):
        raise AssertionError("the front end built the checker's encoding")
    monkeypatch.setattr(checker, "_encode", no_encoding)
    m = ft06()
    result = m.solve(proof=str(tmp_path))
    assert result.status == OPTIMAL and result.certificate == str(tmp_path)
    monkeypatch.undo()
    assert check(str(tmp_path)).ok
