"""The emitting side of certificates (issue 15): the engine's proof mode and
smtsched.certify.emit.

The folders are checked here with a RUP loop of this module's own (PySAT's Glucose4
`propagate`, never CaDiCaL), not with smtsched.certify.check: problem.cnf, every lemma and
the manifest's assumption units are loaded, then every added line of proof.drup must be RUP,
and the end must be a conflict (the empty clause, or the assumptions propagating to one:
CaDiCaL 1.9.5 writes no final step for unsat under assumptions).
"""
import io
import json
import os
import random
import re
from fractions import Fraction
from collections import Counter

import pytest
from pysat.solvers import Cadical195, Glucose4

import smtsched.engine as engine_module
from smtsched import And, Bools, Implies, Int, Ints, Not, Or, Real, Xor
from smtsched.certify.emit import Certificate, decode_binary_proof
from smtsched.compile import compile_problem
from smtsched.core.factory import build_theories
from smtsched.core.session import Session
from smtsched.engine import Engine

DATA = os.path.join(os.environ.get("SMTSCHED_DATA") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data"), "smtlib")


# -- the independent RUP loop ----------------------------------------------------------------

def read_folder(folder):
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    cnf, header = [], None
    with open(os.path.join(folder, "problem.cnf")) as f:
        for line in f:
            if line.startswith("p cnf"):
                header = tuple(int(x) for x in line.split()[2:])
            elif line.strip() and not line.startswith("c"):
                lits = [int(x) for x in line.split()]
                assert lits[-1] == 0
                cnf.append(lits[:-1])
    with open(os.path.join(folder, "lemmas.jsonl")) as f:
        lemmas = [json.loads(line) for line in f if line.strip()]
    proof = []
    with open(os.path.join(folder, "proof.drup")) as f:
        for line in f:
            tokens = line.split()
            assert tokens[-1] == "0", line
            if tokens[0] == "d":
                proof.append(("d", [int(x) for x in tokens[1:-1]]))
            else:
                proof.append(("a", [int(x) for x in tokens[:-1]]))
    return manifest, header, cnf, lemmas, proof


def rup_refutes(folder):
    """None when proof.drup refutes problem.cnf + lemmas + assumption units by RUP, else why."""
    manifest, _, cnf, lemmas, proof = read_folder(folder)
    solver = Glucose4()
    try:
        for clause in cnf:
            solver.add_clause(clause)
        for record in lemmas:
            solver.add_clause(record["clause"])
        for lit in manifest["assumptions"]:
            solver.add_clause([lit])
        for number, (op, lits) in enumerate(proof, 1):
            if op == "d":
                continue   # deletions are ignored: always sound for RUP
            negation = list(dict.fromkeys(-lit for lit in lits))
            if not any(-lit in negation for lit in negation):
                consistent, _ = solver.propagate(assumptions=negation)
                if consistent:
                    return f"proof line {number} {lits} is not RUP"
            if not lits:
                return None   # the empty clause
            solver.add_clause(lits)
        consistent, _ = solver.propagate(assumptions=[])
        return None if not consistent else "the proof ends without a conflict"
    finally:
        solver.delete()


# -- problems --------------------------------------------------------------------------------

def triangle():
    """Unsat only through the theory: every choice closes a negative cycle x -> y -> z -> x."""
    x, y, z = Ints("x y z")
    a, b, c = Bools("a b c")
    return [Or(a, b), Implies(a, x - y <= -1), Implies(b, x - y <= -2), Or(c, Not(a)),
            Implies(c, y - z <= -1), Implies(Not(c), y - z <= -3), z - x <= -1]


def random_problem(rng, n=10, m=60):
    xs = Ints(" ".join(f"x{i}" for i in range(n)))
    bs = Bools(" ".join(f"b{i}" for i in range(m)))
    formulas = []
    for k in range(m):
        i, j = rng.sample(range(n), 2)
        formulas.append(Implies(bs[k], xs[i] - xs[j] <= rng.randint(-4, 1)))
    for _ in range(m):
        formulas.append(Or(bs[rng.randrange(m)], bs[rng.randrange(m)]))
    return formulas, bs


class Received:
    """Every clause CaDiCaL pulls from the Bridge or gets as a reason (a spy on the Bridge)."""

    def __init__(self, monkeypatch):
        self.clauses = []
        add_clause, provide_reason = engine_module.Bridge.add_clause, \
            engine_module.Bridge.provide_reason
        received = self.clauses

        def spy_add(bridge):
            clause = add_clause(bridge)
            received.append(list(clause))
            return clause

        def spy_reason(bridge, lit):
            clause = provide_reason(bridge, lit)
            received.append(list(clause))
            return clause
        monkeypatch.setattr(engine_module.Bridge, "add_clause", spy_add)
        monkeypatch.setattr(engine_module.Bridge, "provide_reason", spy_reason)


FAKE_INPUT = {"file": "problem.smt2", "format": "smtlib", "sha256": "0" * 64}


def certify(core, folder, assumptions=(), **session_options):
    cert = Certificate(core)
    session = Session(core, proof=cert, **session_options)
    outcome = session.check(list(assumptions))
    manifest = None
    if outcome.status == "unsat":
        manifest = cert.write(str(folder), input=FAKE_INPUT)
    return outcome, manifest, cert


# -- the folder --------------------------------------------------------------------------------

def test_tiny_unsat_difference_problem_writes_a_well_formed_certificate(tmp_path):
    core = compile_problem(triangle())
    outcome, manifest, _ = certify(core, tmp_path)
    assert outcome.status == "unsat"
    assert sorted(os.listdir(tmp_path)) == ["atoms.txt", "constraints.json", "lemmas.jsonl",
                                            "manifest.json", "problem.cnf", "proof.drup"]
    assert manifest["format"] == "smtsched-certificate" and manifest["version"] == 1
    assert manifest["claim"] == {"kind": "unsat"} and manifest["assumptions"] == []
    assert manifest["files"]["proof"] == "proof.drup"
    assert manifest["complete"] is (manifest["incomplete"] == [])
    _, header, cnf, lemmas, proof = read_folder(tmp_path)
    assert header == (core.num_vars, len(cnf)) and cnf == core.clauses
    assert lemmas and all(set(r) >= {"clause", "kind", "theory", "rule"} for r in lemmas)
    assert {r["theory"] for r in lemmas} == {"difference"}
    assert ("a", []) in proof   # no assumptions: CaDiCaL derives the empty clause
    # atoms.txt: every variable once, atoms by the variables' names, gates after their inputs
    lines = [line.split(" ", 2) for line in open(tmp_path / "atoms.txt").read().splitlines()
             if not line.startswith("#")]
    assert sorted(int(var) for var, *_ in lines) == list(range(1, core.num_vars + 1))
    seen = set()
    for var, kind, *rest in lines:
        if kind in ("and", "xor", "ite"):
            assert all(abs(int(lit)) in seen for lit in rest[0].split())
        seen.add(int(var))
    kinds = {kind for _, kind, *_ in lines}
    assert kinds == {"atom", "bool", "and"}
    atoms = [rest[0] for _, kind, *rest in lines if kind == "atom"]
    assert all(re.fullmatch(r'Int "[xyz]" "[xyz]" <= -?\d+', atom) for atom in atoms)
    assert json.load(open(tmp_path / "constraints.json")) == []
    assert rup_refutes(tmp_path) is None


def test_every_clause_cadical_received_is_a_lemma_or_in_problem_cnf(tmp_path, monkeypatch):
    received = Received(monkeypatch)
    rng = random.Random(7)
    checked = 0
    for attempt in range(40):
        formulas, _ = random_problem(rng)
        received.clauses.clear()
        folder = tmp_path / str(attempt)
        core = compile_problem(formulas)
        outcome, _, cert = certify(core, folder)
        if outcome.status != "unsat":
            continue
        checked += 1
        _, _, cnf, lemmas, _ = read_folder(folder)
        # every clause CaDiCaL took is logged (the log may hold more: clauses still queued
        # when CaDiCaL found the refutation, which it never took)
        logged = Counter(tuple(sorted(r["clause"])) for r in lemmas)
        taken = Counter(tuple(sorted(c)) for c in received.clauses)
        assert not taken - logged
        assert all(r["kind"] in ("conflict", "reason", "root", "final") for r in lemmas)
        assert rup_refutes(folder) is None
    assert checked >= 10


def test_random_refutations_check_by_rup_with_and_without_assumptions(tmp_path):
    rng = random.Random(2024)
    counts = {"plain": 0, "assumed": 0}
    for attempt in range(60):
        formulas, bs = random_problem(rng, n=8, m=40)
        assumed = attempt % 2 == 1
        assumptions = [bs[k] for k in rng.sample(range(len(bs)), 3)] if assumed else []
        core = compile_problem(formulas, assumptions)
        folder = tmp_path / str(attempt)
        outcome, manifest, _ = certify(core, folder, core.assumption_literals)
        if outcome.status != "unsat":
            continue
        counts["assumed" if assumed else "plain"] += 1
        assert manifest["assumptions"] == core.assumption_literals
        assert rup_refutes(folder) is None, attempt
    assert counts["plain"] >= 5 and counts["assumed"] >= 5, counts


def test_unsat_core_alone_is_enough_for_the_final_conflict(tmp_path):
    rng = random.Random(11)
    done = 0
    for attempt in range(40):
        formulas, bs = random_problem(rng, n=8, m=40)
        core = compile_problem(formulas, [bs[k] for k in rng.sample(range(len(bs)), 4)])
        cert = Certificate(core)
        outcome = Session(core, proof=cert).check(core.assumption_literals)
        if outcome.status != "unsat" or not outcome.core:
            continue
        cert.write(str(tmp_path / str(attempt)), input=FAKE_INPUT, assumptions=outcome.core)
        assert rup_refutes(tmp_path / str(attempt)) is None
        done += 1
    assert done >= 3


def test_a_tampered_certificate_fails_the_rup_loop(tmp_path):
    """The RUP loop of this module can fail: without the lemmas the proof does not check."""
    core = compile_problem(triangle())
    certify(core, tmp_path)
    (tmp_path / "lemmas.jsonl").write_text("")
    assert rup_refutes(tmp_path) is not None


def test_gates_bools_and_names_in_atoms_txt(tmp_path):
    x, y = Int("a b"), Int("x")
    r, s = Real("r"), Real("s")
    p, q, t = Bools("p q t")
    # under t: p needs r - s < 1/2 and r - s >= 1 (Real), so q, whose x - y >= 5 meets
    # x - y <= 3 (Int)
    formulas = [Xor(p, q), Implies(And(p, t), r - s < 0.5), Or(r - s >= 1, Not(t)),
                Implies(q, x - y >= 5), Implies(t, x - y <= 3), Or(t, x - y > 3)]
    core = compile_problem(formulas, [t])
    outcome, manifest, _ = certify(core, tmp_path, core.assumption_literals)
    assert outcome.status == "unsat"
    text = (tmp_path / "atoms.txt").read_text()
    assert '"a b"' in text and re.search(r'\d+ xor -?\d+ -?\d+\n', text)
    assert re.search(r'\d+ atom Real "[rs]" "[rs]" <=? -?1/2\n', text)
    assert re.search(r'\d+ bool "t"\n', text)
    assert rup_refutes(tmp_path) is None


# -- engines -----------------------------------------------------------------------------------

def test_persistent_engine_keeps_the_lemmas_of_both_searches(tmp_path):
    x, y, z = Ints("x y z")
    a, b, c, d = Bools("a b c d")
    formulas = [Or(a, b), Implies(a, x - y <= -1), Implies(b, y - z <= -2),
                Implies(c, z - x <= 0), Implies(d, z - x <= 1), Or(c, d)]
    core = compile_problem(formulas, [And(a, b)])
    assume = core.assumption_literals
    cert = Certificate(core)
    with Session(core, proof=cert, persistent=True) as session:
        first = session.check([])
        assert first.status == "sat"
        after_first = list(cert.records)
        second = session.check(assume)
        assert second.status == "unsat"
        cert.write(str(tmp_path), input=FAKE_INPUT)
    assert cert.records[:len(after_first)] == after_first   # append-only
    _, _, _, lemmas, _ = read_folder(tmp_path)
    logged = [r["clause"] for r in lemmas]
    first_lemmas = [c for c, kind, _ in after_first if kind not in ("input", "core")]
    assert logged[:len(first_lemmas)] == first_lemmas and len(logged) >= len(first_lemmas)
    assert rup_refutes(tmp_path) is None


def test_a_stopped_search_retires_its_stop_literal_and_the_next_one_certifies(tmp_path):
    rng = random.Random(5)
    for attempt in range(50):
        formulas, _ = random_problem(rng, n=12, m=120)
        core = compile_problem(formulas)
        cert = Certificate(core)
        with Session(core, proof=cert, persistent=True) as session:
            first = session.check([], max_conflicts=1)
            if first.status != "unknown":
                continue
            second = session.check([])
            assert second.status == "unsat"
            cert.write(str(tmp_path), input=FAKE_INPUT)
        break
    else:
        pytest.fail("no search stopped at one conflict")
    _, _, _, lemmas, _ = read_folder(tmp_path)
    retired = [r for r in lemmas if r["kind"] == "retire"]
    assert retired and all(r["rule"] == "retire" and len(r["clause"]) == 1 for r in retired)
    atoms = (tmp_path / "atoms.txt").read_text()
    for r in retired:
        assert f"\n{-r['clause'][0]} fresh stop\n" in atoms
    assert rup_refutes(tmp_path) is None


def test_a_stopped_one_shot_search_writes_no_certificate(tmp_path):
    rng = random.Random(5)
    for _ in range(50):
        formulas, _ = random_problem(rng, n=12, m=120)
        core = compile_problem(formulas)
        cert = Certificate(core)
        if Session(core, proof=cert).check([], max_conflicts=1).status == "unknown":
            with pytest.raises(RuntimeError):
                cert.write(str(tmp_path), input=FAKE_INPUT)
            return
    pytest.fail("no search stopped at one conflict")


def test_one_shot_engine_proof_survives_release(tmp_path):
    core = compile_problem(triangle())
    cert = Certificate(core)
    built = build_theories(core)
    cert.sources(built.theories, built.specs)
    engine = Engine(core.num_vars, core.clauses, built.theories, proof=cert)
    assert engine.solve().status == "unsat"
    assert engine.sat is None   # released
    cert.write(str(tmp_path), input=FAKE_INPUT)
    assert (tmp_path / "proof.drup").read_text().strip()
    assert rup_refutes(tmp_path) is None


def test_engine_without_core_writes_its_bootstrap_and_added_clauses(tmp_path):
    core = compile_problem(triangle())
    cert = Certificate()
    built = build_theories(core)
    with Engine(core.num_vars, core.clauses[:-1], built.theories, proof=cert,
                persistent=True) as engine:
        assert engine.solve().status == "sat"
        engine.add_clause(core.clauses[-1])        # kind "input": to problem.cnf
        guard = engine.new_var("guard")
        engine.add_clause([-guard], "retire")
        assert engine.solve().status == "unsat"
        cert.write(str(tmp_path), input=FAKE_INPUT)
    _, header, cnf, lemmas, _ = read_folder(tmp_path)
    assert cnf == core.clauses and header[0] == core.num_vars + 1
    assert f"{guard} fresh guard" in (tmp_path / "atoms.txt").read_text()
    assert {"clause": [-guard], "kind": "retire", "rule": "retire"} in lemmas
    assert rup_refutes(tmp_path) is None


@pytest.mark.skipif(not os.path.isdir(DATA), reason=f"no benchmark data at {DATA}")
@pytest.mark.parametrize("name", ["QF_IDL/diamonds/diamonds.10.10.i.a.u.smt2",
                                  "QF_IDL/Averest-binary_search/BinarySearch_live_blmc002.smt2",
                                  "QF_RDL/sal/fischer3-mutex-5.smt2"])
def test_benchmark_refutations_check_by_rup(tmp_path, monkeypatch, name):
    path = os.path.join(DATA, name)
    if not os.path.exists(path):
        pytest.skip(f"{path} is absent")
    made = []
    original = Session.__init__

    def with_certificate(session, core, *args, **options):
        if options.get("proof") is None:   # (the test suite may certify every answer itself)
            options["proof"] = Certificate(core)
        made.append(options["proof"])
        original(session, core, *args, **options)
    monkeypatch.setattr(Session, "__init__", with_certificate)
    from smtsched.smtlib import run_script
    out = io.StringIO()
    with open(path, "rb") as f:
        run_script(f.read(), out)
    assert out.getvalue().split() == ["unsat"]
    made[-1].write(str(tmp_path), input=FAKE_INPUT)
    assert rup_refutes(tmp_path) is None


# -- no sink, no change ------------------------------------------------------------------------

def test_without_a_sink_the_engine_keeps_its_fast_paths():
    core = compile_problem(triangle())
    built = build_theories(core)
    engine = Engine(core.num_vars, core.clauses, built.theories, persistent=True)
    engine.solve()
    try:
        assert engine.sat.prfile is None                         # no proof file
        (theory,) = built.theories
        assert engine.bridge.provide_reason == theory.explain   # bound straight to the theory
        assert engine.bridge.sink is None and not engine.bridge.logging
    finally:
        engine.close()


def test_the_search_is_the_same_with_and_without_a_certificate():
    """Proof mode explains root implications and traces the proof, but CaDiCaL's search and
    the theories' work stay the same on these instances (the statistics match)."""
    rng = random.Random(3)
    compared = 0
    for _ in range(12):
        formulas, _ = random_problem(rng, n=12, m=100)
        core = compile_problem(formulas)
        plain = Session(core).check([])
        certified = Session(core, proof=Certificate(core)).check([])
        assert plain.status == certified.status
        names = ("conflicts", "decisions", "propagations", "engine_theory_conflicts")
        assert {k: plain.stats.get(k) for k in names} == \
            {k: certified.stats.get(k) for k in names}
        compared += 1
    assert compared == 12


# -- the binary proof decoder ------------------------------------------------------------------

def test_binary_proof_decodes_like_pysat_in_any_chunking():
    from pysat.examples.genhard import PHP
    solver = Cadical195(bootstrap_with=PHP(5).clauses, with_proof=True)
    assert solver.solve() is False
    expected = solver.get_proof()   # PySAT's decoding (it flushes the file first)
    solver.prfile.seek(0)
    data = solver.prfile.read()
    solver.delete()
    assert len(expected) > 10
    assert decode_binary_proof(data) == expected
    from smtsched.certify.emit import _BinaryDecoder
    for size in (1, 3, 7, 64):
        out = io.BytesIO()
        decoder = _BinaryDecoder(out)
        for start in range(0, len(data), size):
            decoder.feed(data[start:start + size])
        assert out.getvalue().decode().splitlines() == expected


# -- global constraints ------------------------------------------------------------------------

def test_global_constraints_are_listed_and_named_by_their_lemmas(tmp_path):
    from smtsched import Cumulative, Disjunctive, WeightedCost
    s = Ints("s0 s1 s2 s3")
    g = Bools("g")[0]
    formulas = [v >= 0 for v in s] + [v + 3 <= 8 for v in s[:3]] + [s[3] <= 9]
    formulas += [Disjunctive(s[:3], [3, 3, 3]),
                 Cumulative(s, [2, 2, 2, 2], [1, 1, 1, 2], 2),
                 WeightedCost(s[:2], [3, 3], [1, 1], 100, guard=g)]
    core = compile_problem(formulas)
    outcome, manifest, _ = certify(core, tmp_path)
    assert outcome.status == "unsat"   # three tasks of length 3 in [0, 8]
    constraints = json.loads((tmp_path / "constraints.json").read_text())
    assert [c["kind"] for c in constraints] == ["disjunctive", "cumulative", "cost"]
    assert constraints[0]["tasks"] == [{"start": f"s{k}", "duration": 3} for k in range(3)]
    assert constraints[1]["capacity"] == 2 and constraints[1]["tasks"][3] == \
        {"start": "s3", "duration": 2, "demand": 2}
    _, _, _, lemmas, _ = read_folder(tmp_path)
    for record in lemmas:
        if record.get("theory") in ("disjunctive", "cumulative"):
            assert constraints[record["constraint"]]["kind"] == record["theory"]
    assert re.search(r'\n\d+ bool "g"\n', (tmp_path / "atoms.txt").read_text())
    assert rup_refutes(tmp_path) is None


def test_a_cost_guard_without_another_meaning_is_a_guard_line(tmp_path):
    from smtsched.core import CostSpec, CostTask
    core = compile_problem(triangle())
    guard = core.new_var()
    core.globals.append(CostSpec([CostTask(1, 2, 1, None)], 40, guard))
    cert = Certificate(core)
    assert Session(core, proof=cert).check([]).status == "unsat"
    cert.write(str(tmp_path), input=FAKE_INPUT)
    assert f"\n{guard} guard cost 0 <= 40\n" in (tmp_path / "atoms.txt").read_text()


def test_a_given_lemma_and_a_schedule_are_written_as_given(tmp_path):
    core = compile_problem(triangle())
    cert = Certificate(core)
    assert Session(core, proof=cert).check([]).status == "unsat"
    cert.lemma([-3], "bound", "critical_path", {"chain": ["a", "b"]})
    cert.lemma([5], "bound")
    manifest = cert.write(str(tmp_path), claim={"kind": "optimal", "objective": "makespan",
                                                "value": 7},
                          input=FAKE_INPUT, schedule={"starts": {"a": 0}, "objective": 7})
    _, _, _, lemmas, _ = read_folder(tmp_path)
    assert lemmas[-2:] == [{"clause": [-3], "kind": "bound", "rule": "critical_path",
                            "witness": {"chain": ["a", "b"]}},
                           {"clause": [5], "kind": "bound", "rule": None}]
    assert manifest["incomplete"] == [len(lemmas)] and not manifest["complete"]
    assert manifest["files"]["schedule"] == "schedule.json"
    assert json.loads((tmp_path / "schedule.json").read_text())["objective"] == 7


def test_atoms_the_engine_adds_are_written_with_their_meaning(tmp_path):
    """An atom made by Engine.add_atom alone (not in the core) is read back from its weights."""
    x, y = Ints("x y")
    r, s = Real("r"), Real("s")
    core = compile_problem([x - y >= 0, r - s <= 1.5, r - s >= 0.25])
    cert = Certificate(core)
    built = build_theories(core)
    cert.sources(built.theories, built.specs)
    int_spec, real_spec = built.specs[:2]
    with Engine(core.num_vars, core.clauses, built.theories, proof=cert,
                persistent=True) as engine:
        assert engine.solve().status == "sat"
        nx, ny = int_spec.node_of[x.key()], int_spec.node_of[y.key()]
        int_var = engine.add_atom(built.theories[0], ny, nx, *int_spec.edge_weights(-7, False))
        nr, ns = real_spec.node_of[r.key()], real_spec.node_of[s.key()]
        real_var = engine.add_atom(built.theories[1], ns, nr,
                                   *real_spec.edge_weights(Fraction(3, 4), True))
        assert engine.solve([int_var]).status == "unsat"
        cert.write(str(tmp_path), input=FAKE_INPUT)
    atoms = (tmp_path / "atoms.txt").read_text()
    assert f'\n{int_var} atom Int "x" "y" <= -7\n' in atoms
    assert f'\n{real_var} atom Real "r" "s" < 3/4\n' in atoms
    assert rup_refutes(tmp_path) is None


@pytest.mark.parametrize("kind", ["reason", "conflict", "root", "final"])
@pytest.mark.parametrize("index", [None, 0, 7])
def test_a_reason_order_cycle_line_is_the_json_of_its_record(kind, index):
    """emit._cycle_line builds the line of a difference cycle from its parts; it must be the
    text the JSON encoder gives for the same record (key order included)."""
    from smtsched.certify import emit
    for clause in ([1, -2], [-1764, 1831, -1901, -1894, 1712], list(range(-40, 0))):
        record = {"clause": clause, "kind": kind, "theory": "difference"}
        if index is not None:
            record["constraint"] = index
        record["rule"] = "cycle"
        record["witness"] = {"cycle": [0, *range(len(clause) - 1, 0, -1)]}
        assert emit._cycle_line(clause, kind, index) == json.dumps(record)
        positions = list(range(len(clause)))
        random.Random(len(clause)).shuffle(positions)
        record["witness"] = {"cycle": positions}
        assert emit._cycle_line(clause, kind, index, positions) == json.dumps(record)


def test_a_recorded_witness_line_is_the_json_of_its_record():
    """emit._recorded_line (a global theory's own witness) must give the JSON encoder's text
    for the same record, and leave a part JSON would escape to the encoder."""
    from smtsched.certify import emit
    witness = {"window": [44, 45], "tasks": [13, 18], "energy": [3, "1/2"]}
    for kind, theory, rule in (("reason", "cumulative", "energy"),
                               ("conflict", "disjunctive", "edge_finding"),
                               ("root", "cumulative", "timetable2")):
        clause = [-1570, 1580, -1830, 1831]
        record = {"clause": clause, "kind": kind, "theory": theory, "constraint": 2,
                  "rule": rule, "witness": witness}
        assert emit._recorded_line(clause, kind, theory, 2, rule, witness) == json.dumps(record)
    for odd in ("Energy", "é", "a b", 'a"b', ""):
        assert emit._recorded_line([1], "reason", "cumulative", 0, odd, witness) is None
    assert emit._recorded_line([1], "reason", "cumulative", None, "energy", witness) is None


def test_the_c_cycle_lines_are_the_python_lines(tmp_path, monkeypatch):
    """smtsched.certify._lines makes the lines of difference cycles in C; on a job-shop
    decision's certificate (la01 at its optimum minus one: thousands of reasons and
    conflicts) they must be the lines the Python path makes, byte for byte."""
    import hashlib

    from smtsched.certify import emit
    from smtsched.sched import read_model
    from smtsched.smtlib.script import Script
    if emit._lines is None:
        pytest.skip("smtsched.certify._lines is not built (a pure-Python install)")
    source = os.path.join(os.path.dirname(DATA), "jssp", "la01.txt")
    if not os.path.exists(source):
        pytest.skip(f"shared data not found: {source}")
    data = read_model(source, "jobshop").to_smtlib(bound=665).encode()
    (tmp_path / "la01.smt2").write_bytes(data)
    texts = []
    for lines_module in (emit._lines, None):
        monkeypatch.setattr(emit, "_lines", lines_module)
        folder = tmp_path / ("c" if lines_module else "python")
        proof = {"directory": str(folder), "file": str(tmp_path / "la01.smt2"),
                 "sha256": hashlib.sha256(data).hexdigest(), "format": "smtlib"}
        out = io.StringIO()
        Script(out, isolate=False, proof=proof).run(io.BytesIO(data))
        assert out.getvalue().split() == ["unsat"]
        texts.append((folder / "1" / "lemmas.jsonl").read_text())
    assert texts[0] == texts[1] and texts[0].count("\n") > 1000
