"""Certificates of answers of models with memories (issue 15; docs/certificates.md: "The front
ends", atoms.txt's `live`, `slack` and `guard peak` lines, the memory rows of
constraints.json): `Model.solve(proof=DIR)` with memory capacities (OPTIMAL makespan,
INFEASIBLE) and the peak-memory objective (OPTIMAL), checked end to end by the independent
checker (smtsched.certify.check); DNN problems with a memory budget or the peak objective
through `smtsched dnn --proof` and `smtsched check-proof`; and tampering: a model.json whose
buffer size changed no longer verifies.
"""
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys

import pytest

from smtsched.certify import check
from smtsched.sched import Model
from smtsched.sched.result import INFEASIBLE, OPTIMAL

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(HERE, "..", "..", "shared", "data")
MOCCASIN_100 = os.path.join(DATA, "dnn", "moccasin",
                            "random_layered_n100_w0.27_nlv0.75_ed0.2_scd0.14.json")


def verified(folder):
    verdict = check(str(folder))
    assert verdict.status == "verified", f"{folder}: {verdict.status}: {verdict.reason}"


def certified(model, folder, status=OPTIMAL):
    """Solve `model` with a certificate into `folder`; the answer must be `status` and its
    certificate verified. Returns (result, manifest, lemma records)."""
    result = model.solve(proof=str(folder))
    assert result.status == status, (result.status, result.reason)
    assert result.certificate == str(folder), result.certificate_note
    verified(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    lemmas = [json.loads(line) for line in (folder / "lemmas.jsonl").read_text().splitlines()]
    # the persistent search made no pseudo-Boolean copies (docs: "Pseudo-Boolean copies")
    assert not any(record["kind"] == "copy" for record in lemmas)
    assert "fresh copy" not in (folder / "atoms.txt").read_text()
    return result, manifest, lemmas


def atoms(folder):
    """atoms.txt as {variable: the words after it}."""
    lines = (folder / "atoms.txt").read_text().splitlines()
    return {int(line.split(" ", 1)[0]): line.split(" ", 1)[1] for line in lines
            if not line.startswith("#")}


def pipeline(capacity=None, peak=False, machine=True):
    """Four tasks (on one machine), four buffers: x (a -> c), y (b -> d), z (no producer,
    read by b), w (from c to the end of the schedule)."""
    m = Model("pipeline")
    a, b, c, d = (m.task(n, p) for n, p in (("a", 2), ("b", 3), ("c", 1), ("d", 2)))
    m.precedence(a, c)
    if machine:
        m.unary([a, b, c, d], name="core")
    memory = m.memory(capacity=capacity, name="M")
    m.buffer(memory, 4, a, [c], name="x")
    m.buffer(memory, 3, b, [d], name="y")
    m.buffer(memory, 5, None, [b], name="z")
    m.buffer(memory, 2, c, [], until_end=True, name="w")
    if peak:
        m.minimize_peak_memory(memory)
    else:
        m.minimize_makespan()
    return m


# -- capacities ------------------------------------------------------------------------------

def test_a_capacity_that_delays_the_schedule_gets_a_verified_optimal_makespan(tmp_path):
    loose = Model.solve(pipeline(machine=False))
    result, manifest, _ = certified(pipeline(capacity=9, machine=False), tmp_path)
    assert result.objective > loose.objective   # the memory costs time here (6 > 3)
    assert manifest["claim"] == {"kind": "optimal", "objective": "makespan",
                                 "value": result.objective}
    words = atoms(tmp_path).values()
    assert 'live "M" "x" null' in words          # x (made by a) at time 0: maybe live
    rows = json.loads((tmp_path / "constraints.json").read_text())
    memory_rows = [r for r in rows if r.get("memory") == "M"]
    assert memory_rows and all({"instant", "fixed"} <= set(r) for r in memory_rows)


def test_a_capacity_row_that_is_a_clause_is_an_input_lemma_over_its_record(tmp_path):
    _, _, lemmas = certified(pipeline(capacity=9), tmp_path)
    rows = json.loads((tmp_path / "constraints.json").read_text())
    inputs = [r for r in lemmas if r["kind"] == "input"]
    assert inputs and all(r["rule"] == "slack" for r in inputs)
    for record in inputs:   # the clause says the row's live literals are never all true
        row = rows[record["constraint"]]
        assert row["memory"] == "M"
        assert sorted(-lit for lit in record["clause"]) == sorted(row["literals"])
        assert f"{' '.join(map(str, record['clause']))} 0" in \
            (tmp_path / "problem.cnf").read_text()


def test_buffers_live_in_every_schedule_beyond_the_capacity_are_infeasible(tmp_path):
    # at b's start, y (just made) and z (read by b) are live whatever the order: 8 > 7
    _, _, lemmas = certified(pipeline(capacity=7), tmp_path, INFEASIBLE)
    witnesses = [r["witness"] for r in lemmas if r["rule"] == "memory"]
    assert {"memory": "M", "instant": "b", "buffers": ["y", "z"]} in witnesses


def test_a_capacity_refuted_by_search_is_a_verified_infeasibility(tmp_path):
    # two tasks that must overlap (b starts while a runs), each holding 3 bytes while it
    # runs: no constant breaks the capacity 5, the search does
    m = Model("overlap")
    a, b = m.task("a", 4), m.task("b", 4)
    m.precedence(a, b, min_lag=-3, max_lag=-1)
    memory = m.memory(capacity=5, name="M")
    m.buffer(memory, 3, a, [], name="ka")
    m.buffer(memory, 3, b, [], name="kb")
    m.minimize_makespan()
    certified(m, tmp_path, INFEASIBLE)


def test_optional_consumers_and_until_end_buffers_are_certified(tmp_path):
    m = Model("optional")
    a, b, c = m.task("a", 2), m.task("b", 2), m.task("c", 3)
    o1, o2 = m.task("o1", 2, optional=True), m.task("o2", 1, optional=True)
    m.alternative(c, [o1, o2])
    m.unary([a, b, o1], name="u")
    m.unary([o2, b], name="v")
    m.precedence(a, c)
    memory = m.memory(capacity=8, name="M")
    m.buffer(memory, 5, a, [o1, o2], name="t")      # held by whichever option runs
    m.buffer(memory, 3, b, [], until_end=True, name="k")
    m.buffer(memory, 2, None, [a], name="in")
    m.minimize_makespan()
    certified(m, tmp_path)


# -- the peak-memory objective ---------------------------------------------------------------

def test_an_optimal_peak_is_certified_with_the_guard_of_the_value_minus_one(tmp_path):
    result, manifest, lemmas = certified(pipeline(peak=True), tmp_path)
    value = result.objective
    assert manifest["claim"] == {"kind": "optimal", "objective": "peak_memory", "value": value}
    (assumption,) = manifest["assumptions"]
    assert atoms(tmp_path)[assumption] == f'guard peak "M" <= {value - 1}'
    bits = [v for v, words in atoms(tmp_path).items() if words.startswith('slack "M" ')]
    assert bits
    guard_clauses = [r for r in lemmas if r["kind"] == "guard"]
    assert guard_clauses and all(r["rule"] == "peak_guard" for r in guard_clauses)


def test_an_optimal_peak_of_zero_is_certified(tmp_path):
    m = Model("empty buffers")
    a, b = m.task("a", 1), m.task("b", 2)
    memory = m.memory(name="M")
    m.buffer(memory, 0, a, [b], name="nothing")
    m.minimize_peak_memory(memory)
    result, manifest, _ = certified(m, tmp_path)
    assert result.objective == 0
    assert atoms(tmp_path)[manifest["assumptions"][0]] == 'guard peak "M" <= -1'


def test_a_peak_with_a_capacity_and_a_second_memory_is_certified(tmp_path):
    m = pipeline(capacity=12, peak=False)
    other = m.memory(capacity=6, name="N")
    a, b, c, d = m.tasks
    m.buffer(other, 4, d, [], name="n1")
    m.buffer(other, 2, None, [c], name="n2")
    m.minimize_peak_memory(other)
    certified(m, tmp_path)


def random_model(rng, peak):
    """A small random model with memories: precedences (some with lags), a machine or a
    cumulative resource, buffers with and without producer, optional consumers, until_end."""
    m = Model("random")
    n = rng.randint(3, 6)
    tasks = [m.task(f"t{k}", rng.randint(0, 4)) for k in range(n)]
    options = []
    if rng.random() < 0.3:
        options = [m.task(f"o{k}", rng.randint(1, 3), optional=True) for k in range(2)]
        m.alternative(tasks[-1], options)
    for _ in range(rng.randint(0, n)):
        i, j = sorted(rng.sample(range(n), 2))
        if rng.random() < 0.2:
            m.precedence(tasks[i], tasks[j], min_lag=-rng.randint(0, 2))
        else:
            m.precedence(tasks[i], tasks[j])
    if rng.random() < 0.5:
        m.unary(rng.sample(tasks, rng.randint(2, n)) + options, name="machine")
    else:
        m.cumulative([(t, rng.randint(1, 2)) for t in tasks], 2, name="pool")
    # (the peak objective over a memory with a capacity too, half of the time)
    memory = m.memory(capacity=None if peak and rng.random() < 0.5 else rng.randint(4, 14),
                      name="mem")
    for k in range(rng.randint(2, 6)):
        producer = None if rng.random() < 0.2 else rng.choice(tasks)
        consumers = rng.sample(tasks + options, rng.randint(0, 2))
        m.buffer(memory, rng.randint(0, 6), producer, consumers,
                 until_end=rng.random() < 0.15, name=f"b{k}")
    if peak:
        m.minimize_peak_memory(memory)
    else:
        m.minimize_makespan()
    return m


@pytest.mark.parametrize("peak", [False, True], ids=["capacity", "peak"])
def test_random_memory_models_get_verified_certificates(tmp_path, peak):
    rng = random.Random(15 + peak)
    statuses = []
    for k in range(25):
        model = random_model(rng, peak)
        folder = tmp_path / str(k)
        result = model.solve(proof=str(folder))
        statuses.append(result.status)
        if result.status in (OPTIMAL, INFEASIBLE):
            assert result.certificate == str(folder), result.certificate_note
            verified(folder)
    assert statuses.count(OPTIMAL) >= 10 and INFEASIBLE in statuses


# -- tampering -------------------------------------------------------------------------------

def rehash(folder):
    """Make the manifest name model.json's new digest (a tamperer would)."""
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["input"]["sha256"] = hashlib.sha256((folder / "model.json").read_bytes()).hexdigest()
    path.write_text(json.dumps(manifest))


PIPELINE_SIZES = (4, 3, 5, 2)   # x, y, z, w as pipeline() makes them


def pipeline_truth(capacity, peak, machine, sizes):
    """The optimum of pipeline(...) with these buffer sizes (None: infeasible), by the
    brute force of tests/sched_oracle.py, which shares no code with smtsched."""
    import sched_oracle as oracle
    x, y, z, w = sizes
    spec = dict(tasks=[(2, 0, None, False), (3, 0, None, False), (1, 0, None, False),
                       (2, 0, None, False)],
                precedences=[(0, 2, 0, None)], alternatives=[],
                resources=[(1, [(0, 1), (1, 1), (2, 1), (3, 1)], True)] if machine else [],
                memories=[(capacity, [(x, 0, [2], False), (y, 1, [3], False),
                                      (z, None, [1], False), (w, 2, [], True)])],
                horizon=None, objective=("peak", 0) if peak else ("makespan",))
    return oracle.brute_force(spec)[0]


@pytest.mark.parametrize("capacity, peak, machine", [(9, False, False), (7, False, True),
                                                      (None, True, True)],
                         ids=["optimal makespan", "infeasible", "optimal peak"])
def test_a_changed_buffer_size_is_rejected_unless_the_claim_still_holds(tmp_path, capacity,
                                                                         peak, machine):
    """Every buffer one byte smaller or larger in model.json (digest updated): a smaller one
    makes some record claim more than the model says (a weight above its size, a bound
    below capacity - fixed); a larger one is rejected unless the claim still holds for the
    changed model (brute force, sched_oracle)."""
    model = pipeline(capacity=capacity, peak=peak, machine=machine)
    expected = pipeline_truth(capacity, peak, machine, PIPELINE_SIZES)
    original = tmp_path / "original"
    result, manifest, _ = certified(model, original, model.solve().status)
    assert (None if result.status == INFEASIBLE else result.objective) == expected
    rejected = 0
    for k, buffer in enumerate(model.memories[0].buffers):
        for delta in (-1, 1):
            folder = tmp_path / f"{buffer.name}{delta:+d}"
            shutil.copytree(original, folder)
            data = json.loads((folder / "model.json").read_text())
            data["memories"][0]["buffers"][k]["size"] += delta
            (folder / "model.json").write_text(json.dumps(data))
            rehash(folder)
            verdict = check(str(folder))
            if verdict.status == "verified":
                assert delta > 0, f"{buffer.name} {delta:+d} still verifies"
                sizes = list(PIPELINE_SIZES)
                sizes[k] += delta
                assert pipeline_truth(capacity, peak, machine, sizes) == expected
            else:
                assert verdict.status == "rejected", verdict
                rejected += 1
    assert rejected >= 4


# -- DNN problems ----------------------------------------------------------------------------

def run(*args):
    # (from tests/, not the checkout root: there `smtsched/` would shadow a non-editable
    # install, as in .ci/run, without its compiled theories)
    return subprocess.run([sys.executable, "-m", "smtsched", *args], capture_output=True,
                          text=True, timeout=120, cwd=os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def one_core(tmp_path_factory):
    path = tmp_path_factory.mktemp("accelerator") / "core.json"
    path.write_text(json.dumps({"name": "one-core", "units": {"core": 1}, "rules": [
        {"ops": "*", "units": ["core"], "latency": {"fixed": 1, "per_work": "1/256"}}]}))
    return path


def moccasin_graph():
    if not os.path.exists(MOCCASIN_100):
        pytest.skip(f"benchmark data not found: {MOCCASIN_100} (set SMTSCHED_DATA)")
    return MOCCASIN_100


def dnn(folder, graph, accelerator, *options):
    solved = run("dnn", graph, "--accelerator", str(accelerator), "--json", "--proof",
                 str(folder), *options)
    assert solved.returncode == 0, solved.stderr
    data = json.loads(solved.stdout)
    assert data["certificate"] == str(folder), data["certificate_note"]
    checked = run("check-proof", str(folder))
    assert checked.returncode == 0 and "verified" in checked.stdout, checked.stdout
    return data


def test_a_dnn_peak_memory_optimum_is_certified_and_checked(tmp_path, one_core):
    data = dnn(tmp_path / "peak", moccasin_graph(), one_core, "--objective", "peak-memory")
    assert data["status"] == "OPTIMAL"
    manifest = json.loads((tmp_path / "peak" / "manifest.json").read_text())
    assert manifest["claim"]["objective"] == "peak_memory"
    assert manifest["claim"]["value"] == data["peak_memory"]


def test_a_dnn_memory_budget_is_certified_optimal_at_the_peak_and_infeasible_below(
        tmp_path, one_core):
    graph = moccasin_graph()
    peak = dnn(tmp_path / "peak", graph, one_core, "--objective", "peak-memory")["peak_memory"]
    at = dnn(tmp_path / "at", graph, one_core, "--memory", str(peak))
    assert at["status"] == "OPTIMAL"
    below = dnn(tmp_path / "below", graph, one_core, "--memory", str(peak - 1))
    assert below["status"] == "INFEASIBLE"


def test_a_dnn_memory_budget_that_delays_the_latency_is_certified_by_its_memory_rows(
        tmp_path):
    # three branches s -> p_i (a big tensor) -> c_i -> j on two units: run side by side the
    # big tensors need 345 bytes; within 215 the branches wait for each other
    from smtsched.dnn import Accelerator, DnnProblem, load_graph
    nodes, edges = [{"name": "s", "work": 2, "output_bytes": 10}], []
    for i in range(3):
        nodes += [{"name": f"p{i}", "work": 3 + i, "output_bytes": 100 + 10 * i},
                  {"name": f"c{i}", "work": 2, "output_bytes": 5}]
        edges += [["s", f"p{i}"], [f"p{i}", f"c{i}"], [f"c{i}", "j"]]
    nodes.append({"name": "j", "work": 1, "output_bytes": 1})
    path = tmp_path / "branches.json"
    path.write_text(json.dumps({"name": "branches", "nodes": nodes, "edges": edges}))
    units = Accelerator.from_dict({"name": "two", "units": {"u": 2}, "rules": [
        {"ops": "*", "units": ["u"], "latency": {"fixed": 0, "per_work": "1"}}]})
    graph = load_graph(str(path))
    free = DnnProblem(graph, units).solve()
    folder = tmp_path / "cert"
    schedule = DnnProblem(graph, units, memory=215).solve(proof=str(folder))
    assert (free.status, free.latency, free.peak_memory) == (OPTIMAL, 12, 345)
    assert schedule.status == OPTIMAL and schedule.latency > free.latency
    assert schedule.result.certificate == str(folder), schedule.result.certificate_note
    verified(folder)
    rows = json.loads((folder / "constraints.json").read_text())
    lemmas = [json.loads(line) for line in (folder / "lemmas.jsonl").read_text().splitlines()]
    assert any(rows[r["constraint"]].get("memory") == "memory" for r in lemmas
               if isinstance(r.get("constraint"), int))
