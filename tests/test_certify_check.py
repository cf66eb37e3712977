"""The certificate checker's core (smtsched/certify/check, docs/certificates.md; issue 15).

Certificates here are built by hand for tiny inputs in a made-up JSON format read by
`stub_reader` (registered as the input format "stub-test"), so that these tests depend on
neither the real input readers nor the emitter. Each rule is shown accepting a valid witness
and rejecting broken ones; the tampering list of issue 15 (a dropped lemma the proof needs,
a literal removed from a lemma, a changed weight or duration, a truncated proof, a
certificate for another input) is rejected; and the package imports nothing from smtsched
outside smtsched/certify/check.
"""

import ast
import hashlib
import json
import os
import re
import sys
from fractions import Fraction

import pytest

from smtsched.certify.check import Encoding, check, verify
from smtsched.certify.check.cli import main as check_main
from smtsched.certify.check.rup import replay

STUB = "stub-test"


# -- a made-up input format, for these tests only ------------------------------------------------
#
# {"sorts": {name: "Int"|"Real"}, "booleans": [name...], "clauses": [[lit...]...],
#  "constraints": [constraints.json-shaped dicts], "objective": {...} or absent,
#  "assuming": [lit...] or absent}; a lit is ["Int"|"Real", x, y, c] (x - y <= c; x, y names
#  or null), a Boolean name, or ["not", lit].

def stub_reader(text, query):
    spec = json.loads(text)
    enc = Encoding()
    for name, sort in spec.get("sorts", {}).items():
        enc.declare(name, sort)
    for name in spec.get("booleans", []):
        enc.boolean(name)

    def lit(s):
        if isinstance(s, str):
            return enc.booleans[s]
        if s[0] == "not":
            return -lit(s[1])
        return enc.atom(s[0], s[1], s[2], Fraction(s[3]) if s[0] == "Real" else s[3])

    for clause in spec.get("clauses", []):
        enc.add([lit(s) for s in clause])
    enc.constraints = spec.get("constraints", [])
    if "assuming" in spec:
        enc.assumption_atoms = [lit(s) for s in spec["assuming"]]
    if "objective" in spec:
        enc.objective = spec["objective"]
        enc.check_schedule = lambda starts: stub_schedule(spec, starts)
    return enc


def stub_schedule(spec, starts):
    """The makespan of a schedule of the stub input, or ValueError (brute force)."""
    tasks = [t for c in spec["constraints"] for t in c["tasks"]]
    for t in tasks:
        if t["start"] not in starts:
            raise ValueError(f"no start for {t['start']}")
    values = dict(starts)
    values["makespan"] = max(starts[t["start"]] + t["duration"] for t in tasks)

    def holds(s):
        if isinstance(s, list) and s[0] == "not":
            return not holds(s[1])
        _, x, y, c = s
        return values.get(x, 0) - values.get(y, 0) <= c

    for clause in spec.get("clauses", []):
        if not any(holds(s) for s in clause):
            raise ValueError(f"clause {clause} fails")
    for c in spec["constraints"]:
        cap = c.get("capacity", 1)
        for time in range(values["makespan"] + 1):
            use = sum(t.get("demand", 1) for t in c["tasks"]
                      if starts[t["start"]] <= time < starts[t["start"]] + t["duration"])
            if use > cap:
                raise ValueError(f"{c['name']} overloaded at {time}")
    return values["makespan"]


@pytest.fixture(autouse=True)
def stub_format(monkeypatch):
    monkeypatch.setitem(verify.readers, STUB, stub_reader)


def write_certificate(folder, problem, atoms, cnf, lemmas=(), proof="0\n", claim=None,
                      assumptions=(), constraints=(), schedule=None, num_vars=None,
                      input_name="input.json"):
    """A certificate folder for the stub input `problem` (written next to it)."""
    os.makedirs(folder, exist_ok=True)
    text = json.dumps(problem)
    with open(os.path.join(folder, input_name), "w") as f:
        f.write(text)
    if num_vars is None:
        num_vars = max([int(line.split()[0]) for line in atoms if not line.startswith("#")]
                       or [0])
    files = {"cnf": "problem.cnf", "atoms": "atoms.txt", "constraints": "constraints.json",
             "lemmas": "lemmas.jsonl", "proof": "proof.drup"}
    manifest = {"format": "smtsched-certificate", "version": 1,
                "input": {"file": input_name, "format": STUB,
                          "sha256": hashlib.sha256(text.encode()).hexdigest()},
                "query": {}, "claim": claim or {"kind": "unsat"},
                "assumptions": list(assumptions), "files": files,
                "complete": True, "incomplete": []}
    contents = {
        "manifest.json": json.dumps(manifest),
        "atoms.txt": "".join(line + "\n" for line in atoms),
        "problem.cnf": f"p cnf {num_vars} {len(cnf)}\n"
                       + "".join(" ".join(map(str, c + [0])) + "\n" for c in cnf),
        "constraints.json": json.dumps(list(constraints)),
        "lemmas.jsonl": "".join(json.dumps(rec) + "\n" for rec in lemmas),
        "proof.drup": proof,
    }
    if schedule is not None:
        contents["schedule.json"] = json.dumps(schedule)
    for name, body in contents.items():
        with open(os.path.join(folder, name), "w") as f:
            f.write(body)
    return folder


def edit(folder, name, change):
    path = os.path.join(folder, name)
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(change(text))


def edit_lemma(folder, index, change):
    def apply(text):
        recs = [json.loads(line) for line in text.splitlines()]
        change(recs[index])
        return "".join(json.dumps(r) + "\n" for r in recs)
    edit(folder, "lemmas.jsonl", apply)


def assert_rejected(verdict, *words):
    assert verdict.status == "rejected", verdict
    for word in words:
        assert word in verdict.reason, verdict.reason


# -- a difference-logic cycle --------------------------------------------------------------------

INT3 = {"x": "Int", "y": "Int", "z": "Int"}
CYCLE_INPUT = {"sorts": INT3, "clauses": [[["Int", "x", "y", -1]], [["Int", "y", "z", -1]],
                                          [["Int", "z", "x", 1]]]}
CYCLE_ATOMS = ['1 atom Int "x" "y" <= -1', '2 atom Int "y" "z" <= -1',
               '3 atom Int "z" "x" <= 1']
CYCLE_LEMMA = {"clause": [-1, -2, -3], "kind": "conflict", "theory": "difference",
               "rule": "cycle", "witness": {"cycle": [0, 2, 1]}}


def cycle_cert(tmp_path, name="cert", **kw):
    args = dict(problem=CYCLE_INPUT, atoms=CYCLE_ATOMS, cnf=[[1], [2], [3]],
                lemmas=[CYCLE_LEMMA], proof="0\n")
    args.update(kw)
    return write_certificate(str(tmp_path / name), **args)


def test_cycle_certificate_verifies(tmp_path):
    verdict = check(cycle_cert(tmp_path))
    assert verdict.ok and str(verdict) == "verified", verdict


def test_final_conflict_without_an_empty_clause_line_is_rejected_as_truncated(tmp_path):
    # The loaded clauses conflict by propagation, but the proof must say so: the end rule
    # (a proof cut after its last line would verify otherwise)
    assert_rejected(check(cycle_cert(tmp_path, proof="")), "truncated", "no empty clause")
    assert_rejected(check(cycle_cert(tmp_path, proof="c the end\nd 1 0\n")), "truncated")


def test_cycle_witness_in_another_order_of_the_same_cycle_verifies(tmp_path):
    lemma = dict(CYCLE_LEMMA, witness={"cycle": [2, 1, 0]})
    assert check(cycle_cert(tmp_path, lemmas=[lemma])).ok


def test_cycle_with_a_wrong_index_is_rejected(tmp_path):
    folder = cycle_cert(tmp_path)
    edit_lemma(folder, 0, lambda r: r["witness"].update(cycle=[0, 2, 3]))
    assert_rejected(check(folder), "lemmas.jsonl line 1", "out of range")


def test_cycle_using_a_premise_twice_is_rejected(tmp_path):
    folder = cycle_cert(tmp_path)
    edit_lemma(folder, 0, lambda r: r["witness"].update(cycle=[0, 2, 1, 0, 2, 1]))
    assert_rejected(check(folder), "used twice")


def test_cycle_out_of_order_is_rejected(tmp_path):
    folder = cycle_cert(tmp_path)
    edit_lemma(folder, 0, lambda r: r["witness"].update(cycle=[0, 1, 2]))
    assert_rejected(check(folder), "lemmas.jsonl line 1", "ends at")


def test_literal_removed_from_a_lemma_is_rejected(tmp_path):
    folder = cycle_cert(tmp_path)

    def drop(rec):
        rec["clause"] = [-1, -2]
        rec["witness"] = {"cycle": [0, 1]}
    edit_lemma(folder, 0, drop)
    assert_rejected(check(folder), "lemmas.jsonl line 1")


def test_cycle_of_non_negative_weight_is_rejected(tmp_path):
    # z - x <= 2 makes the cycle weight 0: x = y + ... is satisfiable, the lemma is not valid.
    problem = {"sorts": INT3, "clauses": [[["Int", "x", "y", -1]], [["Int", "y", "z", -1]],
                                          [["Int", "z", "x", 2]]]}
    atoms = CYCLE_ATOMS[:2] + ['3 atom Int "z" "x" <= 2']
    assert_rejected(check(cycle_cert(tmp_path, problem=problem, atoms=atoms)),
                    "not negative")


def test_changed_weight_in_atoms_is_rejected(tmp_path):
    # The atom now says z - x <= 0: the unit of problem.cnf no longer follows from the input.
    folder = cycle_cert(tmp_path)
    edit(folder, "atoms.txt", lambda t: t.replace('"z" "x" <= 1', '"z" "x" <= 0'))
    assert_rejected(check(folder), "problem.cnf line 4")


def test_real_cycle_with_a_strict_edge_of_weight_zero_is_valid(tmp_path):
    # x - y <= 1/2 and y - x < -1/2 sum to 0 with a strict edge: no solution. The negation of
    # the strict atom, y - x >= -1/2, is x - y <= 1/2 again: no cycle of negative weight.
    problem = {"sorts": {"x": "Real", "y": "Real"},
               "clauses": [[["Real", "x", "y", "1/2"]]]}
    atoms = ['1 atom Real "x" "y" <= 1/2', '2 atom Real "y" "x" < -1/2']
    lemma = {"clause": [-1, -2], "kind": "conflict", "rule": "cycle",
             "witness": {"cycle": [0, 1]}}
    folder = write_certificate(str(tmp_path / "c"), problem=problem, atoms=atoms, cnf=[],
                               lemmas=[lemma])
    # The lemma is accepted; the input is satisfiable, so no final conflict.
    assert_rejected(check(folder), "proof.drup line 1", "not RUP")
    edit_lemma(folder, 0, lambda r: r.update(clause=[-1, 2]))
    assert_rejected(check(folder), "lemmas.jsonl line 1")


def test_undeclared_variable_in_an_atom_is_a_fresh_variable_the_input_says_nothing_of(
        tmp_path):
    # an incremental solver keeps the atoms of popped assertions: harmless, as the input
    # constrains such a variable in no way ...
    atoms = CYCLE_ATOMS + ['4 atom Int "w" "x" <= 1']
    assert check(cycle_cert(tmp_path, atoms=atoms)).ok
    # ... so no clause of problem.cnf can claim anything about it
    assert_rejected(check(cycle_cert(tmp_path, "c2", atoms=atoms,
                                     cnf=[[1], [2], [3], [4]])), "problem.cnf")


def test_atom_of_the_wrong_sort_is_rejected(tmp_path):
    atoms = ['1 atom Real "x" "y" <= -1'] + CYCLE_ATOMS[1:]
    assert_rejected(check(cycle_cert(tmp_path, atoms=atoms)), "atoms.txt line 1")


# -- Boolean structure: a proof with lines, truncation, dropped lemmas ---------------------------

# p: x - y <= -1, q: y - x <= -1, r: x - z <= -1, s: z - x <= -1;
# clauses (p|r) (q|r) (p|s) (q|s); p&q and r&s are negative cycles.
P, Q = ["Int", "x", "y", -1], ["Int", "y", "x", -1]
R, S = ["Int", "x", "z", -1], ["Int", "z", "x", -1]
SPLIT_INPUT = {"sorts": INT3, "clauses": [[P, R], [Q, R], [P, S], [Q, S]]}
SPLIT_ATOMS = ['1 atom Int "x" "y" <= -1', '2 atom Int "y" "x" <= -1',
               '3 atom Int "x" "z" <= -1', '4 atom Int "z" "x" <= -1']
SPLIT_LEMMAS = [{"clause": [-1, -2], "kind": "conflict", "rule": "cycle",
                 "witness": {"cycle": [0, 1]}},
                {"clause": [-3, -4], "kind": "conflict", "rule": "cycle",
                 "witness": {"cycle": [0, 1]}}]


def split_cert(tmp_path, name="cert", **kw):
    args = dict(problem=SPLIT_INPUT, atoms=SPLIT_ATOMS, cnf=[[1, 3], [2, 3], [1, 4], [2, 4]],
                lemmas=SPLIT_LEMMAS, proof="1 0\nd 1 3 0\n0\n")
    args.update(kw)
    return write_certificate(str(tmp_path / name), **args)


@pytest.mark.parametrize("engine", ["propagate", "minisat22", "dratify"])
def test_proof_with_lines_verifies_with_every_engine(tmp_path, engine):
    if engine == "dratify":
        pytest.importorskip("dratify")
    assert check(split_cert(tmp_path), engine=engine).ok


@pytest.mark.parametrize("engine", ["propagate", "dratify"])
def test_truncated_proof_is_rejected(tmp_path, engine):
    if engine == "dratify":
        pytest.importorskip("dratify")
    assert_rejected(check(split_cert(tmp_path, proof="0\n"), engine=engine),
                    "proof.drup line 1", "not RUP")
    assert_rejected(check(split_cert(tmp_path, proof=""), engine=engine),
                    "truncated: no empty clause at the end")
    # cut after a line: every line RUP, no empty clause
    assert_rejected(check(split_cert(tmp_path, proof="1 0\nd 1 3 0\n"), engine=engine),
                    "truncated")
    assert_rejected(check(split_cert(tmp_path, proof="1 0\n-2"), engine=engine),
                    "not ended by 0")


def test_dropped_lemma_the_proof_needs_is_rejected(tmp_path):
    assert_rejected(check(split_cert(tmp_path, lemmas=SPLIT_LEMMAS[:1])),
                    "proof.drup line 1", "not RUP")


def test_proof_line_that_is_not_rup_is_rejected(tmp_path):
    # Every unit is RUP in this formula; (-1 | 2 | -2) is a tautology, also RUP.
    assert check(split_cert(tmp_path, proof="-1 2 -2 0\n-1 0\n0\n")).ok
    # A clause of a variable that no clause mentions is no consequence: rejected where the
    # refutation needs it (here "1" follows from it) ...
    atoms = SPLIT_ATOMS + ['5 atom Int "y" "z" <= 0']
    assert_rejected(check(split_cert(tmp_path, atoms=atoms, proof="c\n5 0\n-5 1 0\n0\n")),
                    "proof.drup line 2", "not RUP")
    # ... and where it does not, by the engines that check every line ("drup", the default,
    # checks backward only what the refutation uses: docs/certificates.md)
    for engine in ("drup-forward", "glucose4"):
        assert_rejected(check(split_cert(tmp_path, atoms=atoms, proof="c\n5 0\n1 0\n0\n"),
                              engine=engine), "proof.drup line 2", "not RUP")


def test_proof_literal_beyond_the_atoms_is_rejected(tmp_path):
    assert_rejected(check(split_cert(tmp_path, proof="9 1 0\n1 0\n0\n")), "proof.drup line 1",
                    "beyond")


def test_clause_that_does_not_follow_from_the_input_is_rejected(tmp_path):
    # (p) alone is not a consequence of the input's clauses.
    assert_rejected(check(split_cert(tmp_path, cnf=[[1], [2, 3], [1, 4], [2, 4]])),
                    "problem.cnf line 2", "does not follow")


def test_boolean_consequence_that_is_not_rup_is_accepted(tmp_path):
    # (p | q) follows from (p|r)(q|r)(p|s)(q|s) and the lemmas? No: from the clauses alone
    # it does not. (r | p) reordered, and (p | q | r) (a weakening), are consequences.
    cnf = [[3, 1], [1, 2, 3], [2, 3], [1, 4], [2, 4]]
    assert check(split_cert(tmp_path, cnf=cnf)).ok


def test_input_clause_justified_by_an_input_lemma_is_accepted(tmp_path):
    # (-p | -q) is no Boolean consequence of the input, but a cycle lemma of kind input.
    lemma = dict(SPLIT_LEMMAS[0], kind="input")
    cnf = [[1, 3], [2, 3], [1, 4], [2, 4], [-1, -2]]
    assert check(split_cert(tmp_path, cnf=cnf, lemmas=[lemma, SPLIT_LEMMAS[1]])).ok
    assert_rejected(check(split_cert(tmp_path, cnf=cnf, lemmas=[SPLIT_LEMMAS[1]])),
                    "problem.cnf line 6")


def test_lemma_without_a_rule_makes_the_certificate_incomplete(tmp_path):
    lemma = {"clause": [-3, -4], "kind": "final", "rule": None}
    verdict = check(split_cert(tmp_path, lemmas=[SPLIT_LEMMAS[0], lemma]))
    assert verdict.status == "incomplete" and not verdict.ok
    assert verdict.incomplete == ["lemmas.jsonl line 2"]
    assert "lemmas.jsonl line 2" in str(verdict)


def test_pending_rule_makes_the_certificate_incomplete(tmp_path):
    lemma = {"clause": [-3, -4], "kind": "bound", "rule": "bound", "witness": {}}
    assert check(split_cert(tmp_path, lemmas=[SPLIT_LEMMAS[0], lemma])).status == "incomplete"


def test_unknown_rule_is_rejected(tmp_path):
    lemma = dict(SPLIT_LEMMAS[1], rule="trust-me")
    assert_rejected(check(split_cert(tmp_path, lemmas=[SPLIT_LEMMAS[0], lemma])),
                    "lemmas.jsonl line 2", "unknown rule")


# -- Booleans, definitions, assumptions, retirement ------------------------------------------------

# a, b Booleans; p: x - y <= -1, q: y - x <= -1. Input: (a | b), (a -> p), (b -> q), p;
# the query assumes -a, so b, q, and p & q is a negative cycle.
P1, Q1 = ["Int", "x", "y", -1], ["Int", "y", "x", -1]
BOOL_INPUT = {"sorts": {"x": "Int", "y": "Int"}, "booleans": ["a", "b"],
              "clauses": [["a", "b"], [["not", "a"], P1], [["not", "b"], Q1], [P1]],
              "assuming": [["not", "a"]]}
BOOL_ATOMS = ['1 bool "a"', '2 bool "b"', '3 atom Int "x" "y" <= -1', '4 atom Int "y" "x" <= -1',
              '5 or 1 2', '6 fresh stop']
BOOL_CNF = [[-5, 1, 2], [5], [-1, 3], [-2, 4], [3], [-6, 3]]
BOOL_LEMMAS = [{"clause": [-3, -4], "kind": "conflict", "rule": "cycle",
                "witness": {"cycle": [0, 1]}},
               {"clause": [-6], "kind": "retire", "rule": "retire"}]


def bool_cert(tmp_path, **kw):
    args = dict(problem=BOOL_INPUT, atoms=BOOL_ATOMS, cnf=BOOL_CNF, lemmas=BOOL_LEMMAS,
                assumptions=[-1])
    args.update(kw)
    return write_certificate(str(tmp_path / "cert"), **args)


def test_refutation_under_the_query_assumption_verifies(tmp_path):
    assert check(bool_cert(tmp_path)).ok


def test_refutation_needs_its_assumption(tmp_path):
    assert_rejected(check(bool_cert(tmp_path, assumptions=[])), "proof.drup line 1",
                    "not RUP")


def test_assumption_outside_the_query_is_rejected(tmp_path):
    assert_rejected(check(bool_cert(tmp_path, assumptions=[-1, -2])),
                    "assumption -2 is not an assumption")


def test_assumption_implied_by_the_input_is_accepted(tmp_path):
    assert check(bool_cert(tmp_path, assumptions=[-1, 3])).ok


def test_definition_clauses_are_needed_in_problem_cnf(tmp_path):
    # The gate's definition is in G, not in the refuted clause set: without (-5 | a | b) in
    # problem.cnf the proof has nothing to go on.
    assert_rejected(check(bool_cert(tmp_path, cnf=BOOL_CNF[1:])), "proof.drup line 1",
                    "not RUP")


def test_undeclared_boolean_is_fresh_so_clauses_about_it_do_not_follow(tmp_path):
    atoms = BOOL_ATOMS[:1] + ['2 bool "c"'] + BOOL_ATOMS[2:]
    assert_rejected(check(bool_cert(tmp_path, atoms=atoms)), "problem.cnf",
                    "does not follow")


def test_gate_over_a_later_variable_is_rejected(tmp_path):
    atoms = ['1 bool "a"', '2 or 1 3', '3 bool "b"']
    assert_rejected(check(bool_cert(tmp_path, atoms=atoms, cnf=[], lemmas=[])),
                    "atoms.txt line 2", "before its line")


def test_retire_of_a_variable_used_positively_is_rejected(tmp_path):
    folder = bool_cert(tmp_path, cnf=BOOL_CNF + [[6, 3]])
    assert_rejected(check(folder), "lemmas.jsonl line 2", "positively")
    folder = bool_cert(tmp_path, assumptions=[-1, 6])
    assert_rejected(check(folder), "lemmas.jsonl line 2", "positively")


def test_retire_of_a_meaningful_variable_is_rejected(tmp_path):
    lemmas = [BOOL_LEMMAS[0], {"clause": [-2], "kind": "retire", "rule": "retire"}]
    assert_rejected(check(bool_cert(tmp_path, lemmas=lemmas)), "lemmas.jsonl line 2",
                    "guard or fresh")


def test_retire_of_a_variable_inside_a_definition_is_rejected(tmp_path):
    atoms = BOOL_ATOMS + ['7 and 6 1']
    assert_rejected(check(bool_cert(tmp_path, atoms=atoms)), "lemmas.jsonl line 2")


# -- disjunctive and cumulative rules --------------------------------------------------------------

def tasks_input(tasks, kind="disjunctive", capacity=1, extra=(), objective=False):
    sorts = {f"start {n}": "Int" for n, _, _ in tasks}
    con = {"kind": kind, "name": "m0",
           "tasks": [{"start": f"start {n}", "duration": p, "demand": d} for n, p, d in tasks]}
    if kind == "cumulative":
        con["capacity"] = capacity
    spec = {"sorts": sorts, "clauses": [list(c) for c in extra], "constraints": [con]}
    if objective:
        spec["sorts"]["makespan"] = "Int"
        spec["objective"] = {"name": "makespan", "variable": "makespan"}
    return spec


def bound_atom(var, task, op, value):
    """atoms.txt line for start >= value ("ge") or start <= value ("le")."""
    if op == "ge":
        return f'{var} atom Int null "start {task}" <= {-value}'
    return f'{var} atom Int "start {task}" null <= {value}'


def spec_of(line):
    """The stub input's literal for an atoms.txt Int atom line."""
    _, _, _, x, y, _, c = re.findall(r'"[^"]*"|\S+', line)
    return ["Int", json.loads(x), json.loads(y), int(c)]


ENERGY_ATOMS = [bound_atom(1, "a", "ge", 0), bound_atom(2, "a", "le", 2),
                bound_atom(3, "b", "ge", 0), bound_atom(4, "b", "le", 2)]
ENERGY_TASKS = [("a", 3, 1), ("b", 3, 1)]
ENERGY_CON = tasks_input(ENERGY_TASKS)["constraints"]
ENERGY_LEMMA = {"clause": [-1, -2, -3, -4], "kind": "conflict", "theory": "disjunctive",
                "constraint": 0, "rule": "energy", "witness": {"window": [0, 5], "tasks": [0, 1]}}


def energy_cert(tmp_path, lemma=ENERGY_LEMMA, constraints=ENERGY_CON, **kw):
    problem = tasks_input(ENERGY_TASKS, extra=[[spec_of(a)] for a in ENERGY_ATOMS])
    args = dict(problem=problem, atoms=ENERGY_ATOMS, cnf=[[1], [2], [3], [4]],
                lemmas=[lemma], constraints=constraints, proof="0\n")
    args.update(kw)
    return write_certificate(str(tmp_path / "cert"), **args)


def test_energy_overload_verifies(tmp_path):
    assert check(energy_cert(tmp_path)).ok


def test_energy_with_a_window_too_wide_is_rejected(tmp_path):
    lemma = dict(ENERGY_LEMMA, witness={"window": [0, 6], "tasks": [0, 1]})
    assert_rejected(check(energy_cert(tmp_path, lemma=lemma)), "lemmas.jsonl line 1",
                    "does not exceed")


def test_energy_with_an_empty_window_is_rejected(tmp_path):
    lemma = dict(ENERGY_LEMMA, witness={"window": [5, 0], "tasks": [0, 1]})
    assert_rejected(check(energy_cert(tmp_path, lemma=lemma)), "empty")


def test_energy_with_a_wrong_task_index_is_rejected(tmp_path):
    lemma = dict(ENERGY_LEMMA, witness={"window": [0, 5], "tasks": [0, 2]})
    assert_rejected(check(energy_cert(tmp_path, lemma=lemma)), "out of range")
    lemma = dict(ENERGY_LEMMA, witness={"window": [0, 5], "tasks": [0, 0, 1]})
    assert_rejected(check(energy_cert(tmp_path, lemma=lemma)), "used twice")


def test_energy_with_a_dropped_literal_is_rejected(tmp_path):
    lemma = dict(ENERGY_LEMMA, clause=[-1, -2, -3])
    assert_rejected(check(energy_cert(tmp_path, lemma=lemma)), "does not exceed")


def test_energy_with_a_wrong_constraint_index_is_rejected(tmp_path):
    lemma = dict(ENERGY_LEMMA, constraint=1)
    assert_rejected(check(energy_cert(tmp_path, lemma=lemma)), "not an index")


def test_longer_duration_than_the_input_is_rejected(tmp_path):
    con = json.loads(json.dumps(ENERGY_CON))
    con[0]["tasks"][0]["duration"] = 4
    assert_rejected(check(energy_cert(tmp_path, constraints=con)), "constraints.json",
                    "does not follow")


def test_shorter_duration_is_accepted_but_too_weak_for_the_witness(tmp_path):
    con = json.loads(json.dumps(ENERGY_CON))
    con[0]["tasks"][0]["duration"] = 2
    assert_rejected(check(energy_cert(tmp_path, constraints=con)), "lemmas.jsonl line 1",
                    "does not exceed")


def test_task_of_another_variable_is_rejected(tmp_path):
    con = json.loads(json.dumps(ENERGY_CON))
    con[0]["tasks"][0]["start"] = "start b"
    assert_rejected(check(energy_cert(tmp_path, constraints=con)), "does not follow")


def test_cumulative_from_a_disjunctive_with_larger_capacity_is_accepted(tmp_path):
    con = [{"kind": "cumulative", "name": "m0", "capacity": 2,
            "tasks": [{"start": "start a", "duration": 3, "demand": 1},
                      {"start": "start b", "duration": 3, "demand": 1}]}]
    # Follows from the input (capacity 2 >= 1), but energy 6 <= 2 * 5.
    assert_rejected(check(energy_cert(tmp_path, constraints=con)), "does not exceed")


def test_energy_needs_the_completion_of_an_ordering_premise(tmp_path):
    # a, b of duration 3 on one machine; premises s_a >= 0, s_b <= 2 and s_a < s_b + 3
    # (not "b ends before a starts"): so a before b, s_b >= 3 > 2.
    atoms = [bound_atom(1, "a", "ge", 0), bound_atom(2, "b", "le", 2),
             '3 atom Int "start a" "start b" <= 2']
    problem = tasks_input(ENERGY_TASKS, extra=[[spec_of(a)] for a in atoms[:2]]
                          + [[["Int", "start a", "start b", 2]]])
    lemma = {"clause": [-1, -2, -3], "kind": "conflict", "constraint": 0, "rule": "energy",
             "witness": {"window": [0, 6], "tasks": [0, 1]}}
    folder = write_certificate(str(tmp_path / "c1"), problem=problem, atoms=atoms,
                               cnf=[[1], [2], [3]], lemmas=[lemma], constraints=ENERGY_CON,
                               proof="0\n")
    assert check(folder).ok
    # Without the ordering premise nothing is completed: rejected.
    folder = write_certificate(str(tmp_path / "c2"), problem=problem, atoms=atoms,
                               cnf=[[1], [2], [3]], lemmas=[dict(lemma, clause=[-1, -2])],
                               constraints=ENERGY_CON, proof="0\n")
    assert_rejected(check(folder), "lemmas.jsonl line 1")
    # Tasks that fit together under a capacity of 2 are not ordered: rejected.
    cum = [{"kind": "cumulative", "name": "m0", "capacity": 2,
            "tasks": [{"start": "start a", "duration": 3, "demand": 1},
                      {"start": "start b", "duration": 3, "demand": 1}]}]
    problem2 = dict(problem, constraints=cum)
    folder = write_certificate(str(tmp_path / "c3"), problem=problem2, atoms=atoms,
                               cnf=[[1], [2], [3]], lemmas=[lemma], constraints=cum,
                               proof="0\n")
    assert_rejected(check(folder), "lemmas.jsonl line 1")


CLIQUE_ATOMS = ['1 atom Int "start b" "start a" <= 2', '2 atom Int "start a" "start b" <= 2']


def clique_cert(tmp_path, tasks=(("a", 3, 1), ("b", 3, 1)), atoms=CLIQUE_ATOMS,
                lemma=None, kind="disjunctive", capacity=1):
    problem = tasks_input(list(tasks), kind=kind, capacity=capacity,
                          extra=[[spec_of(a)] for a in atoms])
    lemma = lemma or {"clause": [-1, -2], "kind": "cut", "constraint": 0, "rule": "clique",
                      "witness": {"tasks": [0, 1]}}
    return write_certificate(str(tmp_path / "cert"), problem=problem, atoms=list(atoms),
                             cnf=[[1], [2]], lemmas=[lemma],
                             constraints=problem["constraints"], proof="0\n")


def test_clique_verifies(tmp_path):
    assert check(clique_cert(tmp_path)).ok


def test_clique_with_a_changed_weight_is_rejected(tmp_path):
    atoms = ['1 atom Int "start b" "start a" <= 3', CLIQUE_ATOMS[1]]
    assert_rejected(check(clique_cert(tmp_path, atoms=atoms)), "lemmas.jsonl line 1",
                    "no path")


def test_clique_with_a_dropped_literal_is_rejected(tmp_path):
    lemma = {"clause": [-1], "kind": "cut", "constraint": 0, "rule": "clique",
             "witness": {"tasks": [0, 1]}}
    assert_rejected(check(clique_cert(tmp_path, lemma=lemma)), "no path")


def test_clique_within_capacity_is_rejected(tmp_path):
    assert_rejected(check(clique_cert(tmp_path, kind="cumulative", capacity=2)),
                    "does not exceed capacity")


def test_clique_of_a_zero_duration_task_is_rejected(tmp_path):
    atoms = ['1 atom Int "start b" "start a" <= -1', CLIQUE_ATOMS[1]]
    folder = clique_cert(tmp_path, tasks=(("a", 0, 1), ("b", 3, 1)), atoms=atoms)
    assert_rejected(check(folder), "positive duration")


def test_cumulative_clique_of_three_verifies(tmp_path):
    tasks = (("a", 2, 2), ("b", 2, 2), ("c", 2, 2))
    atoms = [f'{k} atom Int "start {j}" "start {i}" <= 1'
             for k, (i, j) in enumerate([(i, j) for i in "abc" for j in "abc" if i != j], 1)]
    lemma = {"clause": [-k for k in range(1, 7)], "kind": "final", "constraint": 0,
             "rule": "clique", "witness": {"tasks": [0, 1, 2]}}
    problem = tasks_input(list(tasks), kind="cumulative", capacity=5,
                          extra=[[spec_of(a)] for a in atoms])
    folder = write_certificate(str(tmp_path / "c"), problem=problem, atoms=atoms,
                               cnf=[[k] for k in range(1, 7)], lemmas=[lemma],
                               constraints=problem["constraints"])
    assert check(folder).ok
    # Two of them fit under capacity 5 ... and a clique of two is not enough.
    edit_lemma(folder, 0, lambda r: r["witness"].update(tasks=[0, 1]))
    assert_rejected(check(folder), "does not exceed capacity")


# -- optimal ---------------------------------------------------------------------------------------

OPT_TASKS = [("a", 3, 1), ("b", 2, 1)]
OPT_ATOMS = [bound_atom(1, "a", "ge", 0), bound_atom(2, "b", "ge", 0),
             '3 atom Int "start a" "makespan" <= -3', '4 atom Int "start b" "makespan" <= -2',
             '5 atom Int "makespan" null <= 4']
OPT_LEMMA = {"clause": [-1, -2, -3, -4, -5], "kind": "conflict", "constraint": 0,
             "rule": "energy", "witness": {"window": [0, 4], "tasks": [0, 1]}}


def optimal_cert(tmp_path, value=5, schedule=None, atoms=OPT_ATOMS, assumptions=(5,)):
    problem = tasks_input(OPT_TASKS, objective=True,
                          extra=[[spec_of(a)] for a in OPT_ATOMS[:4]])
    return write_certificate(
        str(tmp_path / "cert"), problem=problem, atoms=list(atoms), cnf=[[1], [2], [3], [4]],
        lemmas=[OPT_LEMMA], constraints=problem["constraints"],
        claim={"kind": "optimal", "objective": "makespan", "value": value},
        assumptions=list(assumptions),
        schedule=schedule or {"starts": {"start a": 0, "start b": 3}, "objective": value})


def test_optimal_verifies(tmp_path):
    assert check(optimal_cert(tmp_path)).ok


def test_optimal_with_a_wrong_value_is_rejected(tmp_path):
    assert_rejected(check(optimal_cert(tmp_path, value=4)), "schedule.json")


def test_optimal_with_a_bad_schedule_is_rejected(tmp_path):
    schedule = {"starts": {"start a": 0, "start b": 2}, "objective": 5}
    assert_rejected(check(optimal_cert(tmp_path, schedule=schedule)), "schedule.json",
                    "overloaded")


def test_optimal_with_a_weak_bound_assumption_is_rejected(tmp_path):
    atoms = OPT_ATOMS[:4] + ['5 atom Int "makespan" null <= 3']
    assert_rejected(check(optimal_cert(tmp_path, atoms=atoms)), "assumption 5")


def test_optimal_without_an_assumption_is_rejected(tmp_path):
    assert_rejected(check(optimal_cert(tmp_path, assumptions=())), "optimal claim")


# -- manifest, input, folders, CLI --------------------------------------------------------------

def test_certificate_for_another_input_is_rejected(tmp_path):
    folder = cycle_cert(tmp_path)
    edit(folder, "input.json", lambda t: t.replace("-1", "-2", 1))
    assert_rejected(check(folder), "SHA-256 differs")
    other = tmp_path / "other.json"
    other.write_text(json.dumps(SPLIT_INPUT))
    assert_rejected(check(folder, input=str(other)), "SHA-256 differs")


def test_input_given_explicitly_is_used(tmp_path):
    folder = cycle_cert(tmp_path)
    moved = tmp_path / "elsewhere.json"
    os.rename(os.path.join(folder, "input.json"), moved)
    assert_rejected(check(folder), "not found")
    assert check(folder, input=str(moved)).ok


def test_unsupported_input_format_is_rejected(tmp_path):
    folder = cycle_cert(tmp_path)
    edit(folder, "manifest.json", lambda t: t.replace(STUB, "punch-cards"))
    assert_rejected(check(folder), "unsupported input format")


def test_missing_file_and_bad_header_are_rejected(tmp_path):
    folder = cycle_cert(tmp_path)
    edit(folder, "problem.cnf", lambda t: t.replace("p cnf 3 3", "p cnf 3 4"))
    assert_rejected(check(folder), "problem.cnf", "header says 4")
    os.remove(os.path.join(folder, "proof.drup"))
    assert_rejected(check(folder), "proof.drup is missing")


def test_malformed_atoms_line_names_its_line(tmp_path):
    atoms = CYCLE_ATOMS[:2] + ["# a comment", '3 atom Int "z" "x" =< 1']
    assert_rejected(check(cycle_cert(tmp_path, atoms=atoms)), "atoms.txt line 4",
                    "unknown comparison")


def test_garbage_files_are_rejected_not_crashed_on(tmp_path):
    folder = cycle_cert(tmp_path)
    with open(os.path.join(folder, "atoms.txt"), "wb") as f:
        f.write(b"1 atom Int \xff\xfe\n")
    assert_rejected(check(folder), "cannot read")
    folder = cycle_cert(tmp_path, name="c2")
    edit(folder, "lemmas.jsonl", lambda t: t + "{not json\n")
    assert_rejected(check(folder), "lemmas.jsonl line 2", "not JSON")
    folder = cycle_cert(tmp_path, name="c3")
    edit(folder, "lemmas.jsonl", lambda t: t.replace("[-1, -2, -3]", "[-1, -2, 1e400]"))
    assert_rejected(check(folder), "lemmas.jsonl line 1")
    folder = cycle_cert(tmp_path, name="c4")
    # a 5,000-digit bound is read exactly (str/int refuse past 4,300 digits), and the cycle
    # through it is not negative
    edit(folder, "atoms.txt", lambda t: t.replace("<= 1", "<= " + "9" * 5000))
    assert_rejected(check(folder), "lemmas.jsonl line 1", "not negative", "about 5000 digits")


def test_numbered_folders_are_checked_each(tmp_path):
    cycle_cert(tmp_path, name="1")
    split_cert(tmp_path, name="2", proof="0\n")
    verdict = check(str(tmp_path))
    assert [(n, v.status) for n, v in verdict.parts] == [("1", "verified"), ("2", "rejected")]
    assert verdict.status == "rejected" and verdict.reason.startswith("2: proof.drup line 1")


def test_cli_prints_the_verdict_and_exits(tmp_path, capsys):
    assert check_main([cycle_cert(tmp_path, name="one")]) == 0
    assert capsys.readouterr().out.strip() == "verified"
    assert check_main([split_cert(tmp_path, name="two", proof="0\n")]) == 1
    assert capsys.readouterr().out.startswith("rejected: proof.drup line 1")
    cycle_cert(tmp_path / "many", name="1")
    split_cert(tmp_path / "many", name="2")
    assert check_main([str(tmp_path / "many")]) == 0
    assert capsys.readouterr().out.splitlines() == ["1: verified", "2: verified"]
    lemma = {"clause": [-3, -4], "kind": "final", "rule": None}
    split_cert(tmp_path / "many", name="3", lemmas=[SPLIT_LEMMAS[0], lemma])
    assert check_main([str(tmp_path / "many")]) == 1
    assert capsys.readouterr().out.splitlines()[2] == \
        "3: incomplete: no checkable witness: lemmas.jsonl line 2"


# -- the replay engines directly --------------------------------------------------------------------

@pytest.mark.parametrize("engine", ["propagate", "minisat22", "dratify"])
def test_replay_engines_agree_on_small_proofs(engine):
    if engine == "dratify":
        pytest.importorskip("dratify")
    formula = [[1, 2], [-1, 2], [1, -2], [-1, -2]]
    steps = [(1, False, [2]), (2, True, [1, 2]), (3, False, [])]
    assert replay(formula, steps, engine) is None
    assert replay(formula, [(1, False, [])], engine) == "proof.drup line 1: clause is not RUP"
    assert replay(formula, [(1, False, [2])], engine) is None  # the final conflict
    assert replay(formula[:3], [(1, False, [2])], engine) is not None


# -- independence -------------------------------------------------------------------------------

def test_checker_imports_nothing_from_smtsched_outside_its_package():
    import smtsched.certify.check as package
    root = os.path.dirname(package.__file__)
    allowed_third_party = {"pysat", "dratify"}
    stdlib = set(sys.stdlib_module_names)
    bad = []
    for name in sorted(os.listdir(root)):
        if not name.endswith(".py"):
            continue
        with open(os.path.join(root, name), encoding="utf-8") as f:
            tree = ast.parse(f.read(), name)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    if node.level > 1:
                        bad.append(f"{name}:{node.lineno} relative import above the package")
                    continue
                targets = [node.module]
            else:
                continue
            for target in targets:
                top = target.split(".")[0]
                if target.startswith("smtsched.certify.check"):
                    continue
                if top == "pysat" and target not in ("pysat", "pysat.solvers"):
                    bad.append(f"{name}:{node.lineno} {target}")
                elif top not in stdlib and top not in allowed_third_party:
                    bad.append(f"{name}:{node.lineno} {target}")
    assert not bad, bad
    source = "\n".join(open(os.path.join(root, n), encoding="utf-8").read()
                       for n in os.listdir(root) if n.endswith(".py"))
    assert "Cadical" not in source  # PySAT's CaDiCaL classes: the engine under check


# -- the rules against brute force ----------------------------------------------------------------
#
# Random premises over three tasks whose starts are boxed in by bound premises (so a brute
# force over the box is exact), a random resource constraint and random witnesses: whenever a
# rule accepts, no start assignment in the box meets the premises and the constraint. The
# oracle shares no code with the checker.

from hypothesis import given, settings, strategies as st  # noqa: E402

from smtsched.certify.check.encoding import Difference  # noqa: E402
from smtsched.certify.check.lemma_rules import check_rule  # noqa: E402
from smtsched.certify.check.rules import Constraint, RuleError, Task  # noqa: E402

NAMES = ["s0", "s1", "s2"]


def scaled(weight):
    """max_examples as a multiple of the active profile's baseline (tests/conftest.py)."""
    return max(1, int(settings.default.max_examples * weight))


@st.composite
def rule_cases(draw):
    boxes = [(draw(st.integers(0, 4)), draw(st.integers(0, 4))) for _ in NAMES]
    premises = []
    for name, (lo, width) in zip(NAMES, boxes):
        premises.append(Difference("Int", None, name, -lo))          # s >= lo
        premises.append(Difference("Int", name, None, lo + width))   # s <= lo + width
    for _ in range(draw(st.integers(0, 4))):
        x, y = draw(st.sampled_from([(a, b) for a in NAMES for b in NAMES if a != b]))
        premises.append(Difference("Int", x, y, draw(st.integers(-5, 5))))
    # A closed chain of edges y -> x over the starts and the origin, for the cycle rule.
    nodes = draw(st.lists(st.sampled_from(NAMES + [None]), min_size=2, max_size=4, unique=True))
    chain = []
    for k, y in enumerate(nodes):
        chain.append(len(premises))
        premises.append(Difference("Int", nodes[(k + 1) % len(nodes)], y,
                                   draw(st.integers(-4, 4))))
    # Some bound premises are dropped again from the clause a rule sees (weaker premises),
    # while the brute force keeps the box: a rule may use only what it is given, so it must
    # still be right.
    shown = [d if draw(st.integers(0, 5)) else None for d in premises]
    kind = draw(st.sampled_from(["disjunctive", "cumulative"]))
    tasks = [Task(n, draw(st.integers(0, 4)),
                  1 if kind == "disjunctive" else draw(st.integers(0, 3))) for n in NAMES]
    capacity = 1 if kind == "disjunctive" else draw(st.integers(1, 4))
    con = Constraint(kind, capacity, tasks)
    rule = draw(st.sampled_from(["cycle", "energy", "clique"]))
    if rule == "cycle":
        if draw(st.booleans()):
            turn = draw(st.integers(0, len(chain) - 1))
            idx = chain[turn:] + chain[:turn]
        else:
            idx = draw(st.lists(st.integers(0, len(premises) - 1), min_size=1, max_size=4,
                                unique=True))
        witness = {"cycle": idx}
    elif rule == "energy":
        a = draw(st.integers(-1, 8))
        witness = {"window": [a, a + draw(st.integers(1, 8))],
                   "tasks": draw(st.lists(st.integers(0, 2), min_size=1, max_size=3,
                                          unique=True))}
    else:
        witness = {"tasks": draw(st.lists(st.integers(0, 2), min_size=1, max_size=3,
                                          unique=True))}
    return premises, shown, con, rule, witness


def brute_force_solution(premises, con):
    """A start assignment meeting the premises and the constraint, or None."""
    lo = {d.y: -d.c for d in premises if d.x is None}
    hi = {d.x: d.c for d in premises if d.y is None}
    import itertools
    for values in itertools.product(*[range(lo[n], hi[n] + 1) for n in NAMES]):
        s = dict(zip(NAMES, values))
        s[None] = 0
        if not all(s[d.x] - s[d.y] <= d.c for d in premises):
            continue
        ok = True
        for t in range(-1, 20):
            load = sum(k.demand for k in con.tasks if s[k.start] <= t < s[k.start] + k.duration)
            if load > con.capacity:
                ok = False
                break
        if ok:
            return s
    return None


@settings(max_examples=scaled(3.0))
@given(rule_cases())
def test_rules_accept_only_lemmas_without_a_solution(case):
    premises, shown, con, rule, witness = case
    try:
        check_rule(rule, shown, witness, con if rule != "cycle" else None)
    except RuleError:
        return
    solution = brute_force_solution(premises, con)
    assert solution is None, (rule, witness, solution)


def test_rules_brute_force_cases_accept_sometimes():
    # The property above must not pass by rejecting everything: a fixed energy overload.
    premises = [Difference("Int", None, "s0", 0), Difference("Int", "s0", None, 1),
                Difference("Int", None, "s1", 0), Difference("Int", "s1", None, 1)]
    con = Constraint("disjunctive", 1, [Task("s0", 2, 1), Task("s1", 2, 1), Task("s2", 1, 1)])
    check_rule("energy", premises, {"window": [0, 3], "tasks": [0, 1]}, con)
    assert brute_force_solution(premises + [Difference("Int", None, "s2", 0),
                                            Difference("Int", "s2", None, 0)], con) is None


@settings(max_examples=scaled(2.0))
@given(st.integers(1, 6).flatmap(lambda n: st.lists(
    st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.integers(-6, 9)),
    max_size=14)))
def test_premise_graph_matches_floyd_warshall(edges):
    from smtsched.certify.check.rules import _Graph
    names = [None] + NAMES + ["s3", "s4"]
    premises = [Difference("Int", names[v], names[u], w) for u, v, w in edges]  # u -> v
    graph = _Graph(premises, None)
    nodes = sorted({u for u, _, _ in edges} | {v for _, v, _ in edges})
    inf = float("inf")
    dist = {(a, b): (0 if a == b else inf) for a in nodes for b in nodes}
    for u, v, w in edges:
        dist[u, v] = min(dist[u, v], w)
    for k in nodes:
        for a in nodes:
            for b in nodes:
                if dist[a, k] + dist[k, b] < dist[a, b]:
                    dist[a, b] = dist[a, k] + dist[k, b]
    negative = any(dist[a, a] < 0 for a in nodes)
    assert graph.negative_cycle() == negative
    if not negative:
        for a in nodes:
            got = graph.distances(names[a])
            for b in nodes:
                assert got.get(names[b], inf) == dist[a, b]


# -- the fast readers of big certificates --------------------------------------------------------
#
# files.read_atoms reads the line shapes the emitter writes by one compiled pattern each
# (_fast_line) and everything else by the general reader (_atom_line). The fast path must read
# exactly what the general reader reads, and leave everything else (escapes, long numbers,
# fractions, errors) to it. read_cnf and read_lemmas: their layouts and refusals.

from smtsched.certify.check import files  # noqa: E402


def general_and_fast(text, seen=(1, 2)):
    """(the general reader's entry or its error, the fast path's entry or None) of one line;
    each reader gets the variables `seen` as described before."""
    def fields(entry):
        return None if entry is None else {k: getattr(entry, k) for k in files.AtomLine.__slots__}
    try:
        general = fields(files._atom_line(7, text, set(seen)))
    except ValueError as e:
        general = f"error: {e}"
    return general, fields(files._fast_line(7, text, set(seen)))


# lines the fast path reads; every one means what the general reader says
FAST_LINES = [
    '3 atom Int "start 0" "makespan" <= -12', '3 atom Int null "x" <= 0',
    '3 atom Int "x" null <= +7', '3 atom Int "x" "y" <= -0', '3 atom Int "x" "y" <= 007',
    '3 atom Int "x" "x" <= -1', '3 atom Real "x" "x" < 0',
    '3 atom Real "x" "y" < -3', '3 atom Real null "y" <= 4', '3 atom Int "null" "x" <= 1',
    '3 atom Int "é ü" "x" <= 1', '3 atom Int "" "x" <= 1', '3 atom Int "x" "y" <= '
    + "9" * 4000, "3 and -1 2", "3 and", "3 or 1", "3 xor -2 -1 2", "3 ite 1 -2 2",
    "3 iff 2 -1", '3 bool "p"', '3 bool "a b"', '3 bool "null"', '3 live "M" "x y" "t"',
    '3 live "M" "b" null', '3 live "" "null" "é"']
# lines left to the general reader (some read, some rejected)
GENERAL_LINES = [
    '3 atom Int "a\\"b" "x" <= 1', '3 atom Int "a\\\\b" "x" <= 1', '3 atom Int "\\u00e9" "x" <= 1',
    '3 atom Int "tab\there" "x" <= 1', '3 atom Int "x" "y" <= ' + "9" * 4001,
    '3 atom Int "x" "y" <= -' + "1" * 5000, '3 atom Real "x" "y" <= 3/4',
    '3 atom Real "x" "y" <= -0.25', '3 atom Int "x" "y" <= 6/3', '3 atom Int "x" "y" <= 1/2',
    '3 atom Int "x" "y" <= 1.5', '3 atom Int "x" "y" <= 1.0', '3 atom Real "x" "y" <= -0/5',
    '3 atom Int "x" "y" < 3', '3 atom Int null null <= 1', '3 atom Int "x" "x" < 1',
    '3 atom Int x "y" <= 1', '3 atom Int "x" "y" =< 1', '3 atom Int "x" "y" <= 1/0',
    '3 atom Bool "x" "y" <= 1', '3 atom Int "x" "y" <=', '3 atom Int "x"  "y" <= 1',
    '3 atom Int "x" "y" <= 1 extra', '3 atom Int "x""y" <= 1', '03 atom Int "x" "y" <= 1',
    '0 atom Int "x" "y" <= 1', '1 atom Int "x" "y" <= 1', '-3 atom Int "x" "y" <= 1',
    "3 and 01", "3 and +1", "3 and 0", "3 and 4", "3 and 3", "3 ite 1 2", "3 iff 1",
    "3 iff 1 2 -1", "1 and 2", '3 bool null', '3 bool "a\\nb"', '3 bool "p" "q"',
    "3 guard cost 0 <= 7", "3 fresh stop", "3 nand 1 2", "3", "x atom",
    '3 live "M" "a\\"b" "t"', '3 live null "b" "t"', '3 live "M" null "t"', '3 live "M" "b"',
    '3 live "M" "b" "t" "u"', '1 live "M" "b" "t"', '3 slack "M" 1']


@pytest.mark.parametrize("text", FAST_LINES)
def test_fast_atoms_line_reads_what_the_general_reader_reads(text):
    general, fast = general_and_fast(text)
    assert fast is not None, text
    assert fast == general
    assert [type(fast[k]) for k in ("c", "x", "y")] == [type(general[k]) for k in ("c", "x", "y")]


@pytest.mark.parametrize("text", GENERAL_LINES)
def test_other_atoms_lines_are_left_to_the_general_reader(text):
    general, fast = general_and_fast(text)
    assert fast is None, (text, general)


def test_general_reader_on_the_edge_cases_the_fast_path_leaves_to_it():
    def read(text):
        return general_and_fast(text)[0]
    assert read('3 atom Int "a\\"b" "x" <= 1')["x"] == 'a"b'
    assert read('3 atom Int "a\\\\b" "x" <= 1')["x"] == "a\\b"
    assert read('3 atom Int "x" "y" <= ' + "9" * 4001)["c"] == 10 ** 4001 - 1
    assert read('3 atom Int "x" "y" <= -' + "1" * 5000)["c"] == -(10 ** 5000 - 1) // 9
    assert read('3 atom Real "x" "y" <= 3/4')["c"] == Fraction(3, 4)
    assert read('3 atom Real "x" "y" <= -0.25')["c"] == Fraction(-1, 4)
    assert type(read('3 atom Int "x" "y" <= 6/3')["c"]) is int   # 2
    assert read('3 atom Real "x" "y" <= -0/5')["c"] == 0
    assert "strict atom must be Real" in read('3 atom Int "x" "y" < 3')
    assert "not an integer" in read('3 atom Int "x" "y" <= 1/2')
    assert "not a valid JSON string" in read('3 atom Int "tab\there" "x" <= 1')
    assert "divides by zero" in read('3 atom Int "x" "y" <= 1/0')
    assert "described twice" in read('1 atom Int "x" "y" <= 1')
    assert "before its line" in read("3 and 4")


def test_read_atoms_names_the_line_of_a_strict_int_atom_after_many_fast_lines(tmp_path):
    lines = [f'{v} atom Int "x" "s{v}" <= {v}' for v in range(1, 300)]
    lines.insert(100, "# a comment")
    lines.append('300 atom Int "x" "y" < 3')
    path = tmp_path / "atoms.txt"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(files.Rejected, match="atoms.txt line 301: a strict atom must be Real"):
        files.read_atoms(str(path))
    path.write_text("\n".join(lines[:-1]) + "\n")
    read = files.read_atoms(str(path))
    assert [(e.line, e.var, e.y, e.c) for e in read[:2]] == [(1, 1, "s1", 1), (2, 2, "s2", 2)]
    assert read[100].line == 102


@pytest.mark.parametrize("sort", ["Int", "Real"])
def test_certificate_with_escaped_and_quoted_names_verifies(tmp_path, sort):
    # the cycle of cycle_cert over names a JSON string must escape, and over a bound longer
    # than int() reads
    names = {"x": 'a"b', "y": "c\\d", "z": "t\u00e9"}
    problem = {"sorts": {n: sort for n in names.values()},
               "clauses": [[[sort, names["x"], names["y"], -1]],
                           [[sort, names["y"], names["z"], -1]],
                           [[sort, names["z"], names["x"], 1]]]}
    atoms = [f'1 atom {sort} {json.dumps(names["x"])} {json.dumps(names["y"])} <= -1',
             f'2 atom {sort} {json.dumps(names["y"])} {json.dumps(names["z"])} <= -1',
             f'3 atom {sort} {json.dumps(names["z"])} {json.dumps(names["x"])} <= 1']
    assert check(cycle_cert(tmp_path, problem=problem, atoms=atoms)).ok
    # a name written with a needless escape is the same name
    atoms[2] = atoms[2].replace("\u00e9", "\\u00e9")
    assert check(cycle_cert(tmp_path, name="escaped", problem=problem, atoms=atoms)).ok


def test_strict_int_atom_is_rejected_with_its_line(tmp_path):
    atoms = CYCLE_ATOMS[:2] + ['3 atom Int "z" "x" < 2']
    assert_rejected(check(cycle_cert(tmp_path, atoms=atoms)), "atoms.txt line 3",
                    "strict atom must be Real")


def test_read_cnf_reads_whole_clause_lines_and_odd_layouts_alike(tmp_path):
    path = tmp_path / "problem.cnf"

    def read(body, header="p cnf 5 4", top=5):
        path.write_text(header + "\n" + body)
        return files.read_cnf(str(path), top)

    assert read("1 -2 0\nc note\n\n0\n3 0 4 -5 0\n", header="p cnf 5 4") == \
        [(2, [1, -2]), (5, []), (6, [3]), (6, [4, -5])]
    assert read("1 -2 0\n-1\n2 +3 0\n-0\n5 0\n", header="p cnf 5 4") == \
        [(2, [1, -2]), (3, [-1, 2, 3]), (5, []), (6, [5])]
    for body, words in [("1 6 0\n", "line 2: literal 6 beyond"),
                        ("1 x 0\n", "line 2: bad literal"),
                        ("1 -6 0\n", "line 2: literal -6 beyond"),
                        ("1 2\n", "line 2: clause not"),
                        ("0\n" * 3 + "p cnf 5 4\n", "line 5: bad header"),
                        ("0\n0\n0\n", "header says 4")]:
        with pytest.raises(files.Rejected, match=words):
            read(body)
    with pytest.raises(files.Rejected, match="line 1: clause before"):
        path.write_text("1 0\np cnf 1 1\n")
        files.read_cnf(str(path), 1)


def test_int_atoms_are_hash_consed_as_canonical_says(tmp_path):
    enc = Encoding()
    cases = [("Int", "b", "a", 3, False), ("Int", "a", "b", -4, False),
             ("Int", None, "a", 0, False),
             ("Int", "a", None, -1, False), ("Int", "a", "b", Fraction(7, 2), True),
             ("Int", "a", "b", Fraction(3), False), ("Int", "a", "b", 3, True),
             ("Real", "a", "b", 3, False), ("Real", "b", "a", Fraction(-3), True)]
    for sort, x, y, c, strict in cases:
        lit = enc.atom(sort, x, y, c, strict)
        canon, positive = Encoding.canonical(sort, x, y, c, strict)
        assert enc.meaning(lit) == (canon if positive else canon.negation())
    a = enc.atom("Int", "a", "b", 2)
    assert enc.atom("Int", "b", "a", -3) == -a                 # the negation, other way round
    assert enc.atom("Int", "a", "b", 3, strict=True) == a      # a - b < 3 over Int
    assert enc.atom("Int", "a", "b", Fraction(2)) == a
    assert enc.atom("Real", "a", "b", 2) not in (a, -a)       # another sort, another atom
    assert enc.atom("Int", "a", "a", 0) == enc.true()
    assert enc.atom("Int", "a", "a", -1) == -enc.true()
    assert [(x, y, c) for x, y, c, _ in enc.int_atoms()][:2] == [("a", "b", -4), (None, "a", 0)]


def test_pair_clauses_of_named_atoms_in_either_orientation_with_their_guards():
    from smtsched.certify.check import sched as checker
    model = {"format": "smtsched-model", "version": 1, "name": "pairs",
             "tasks": [{"name": "a", "duration": 2, "optional": True},
                       {"name": "b", "duration": 3},
                       {"name": "c", "duration": 1}, {"name": "d", "duration": 0}],
             "resources": [{"name": "R", "capacity": 2,
                            "demands": [["a", 2], ["b", 1], ["c", 1], ["d", 2]]}],
             "objective": "makespan"}
    g = checker.read_model(json.dumps(model))
    before = len(g.clauses)
    b_a = g.atom("Int", "start b", "start a", -3)   # b before a: canonically a - b <= 2, negated
    a_c = g.atom("Int", "start a", "start c", -2)   # a before c, as canonical
    g.atom("Int", "start b", "start c", -3)         # b, c fit together: no clause
    g.atom("Int", "start a", "start d", -2)         # d lasts no time: no clause
    g.atom("Int", "start c", "start a", 0)          # not an ordering: no clause of its own
    g.finish()
    present = g.boolean("present a")
    assert b_a < 0 and a_c > 0
    assert sorted(map(sorted, g.clauses[before:])) == sorted(map(sorted, [
        [-present, b_a, g.atom("Int", "start a", "start b", -2)],
        [-present, a_c, g.atom("Int", "start c", "start a", -1)]]))


def test_read_lemmas_refuses_what_is_no_literal_and_names_the_first_beyond(tmp_path):
    path = tmp_path / "lemmas.jsonl"
    for clause, words in [("[1, true]", "line 2: clause must be"), ("[1, 0]", "line 2: clause"),
                          ("[1, 2.0]", "line 2: clause"), ('[1, "2"]', "line 2: clause"),
                          ('{"a": 1}', "line 2: clause"), ("[3, -9, 8, 1]", "literal -9 beyond"),
                          ("[-3, 9, -8]", "literal 9 beyond")]:
        path.write_text('{"clause": [-1]}\n{"clause": %s}\n' % clause)
        with pytest.raises(files.Rejected, match=words):
            files.read_lemmas(str(path), 7)
    path.write_text('{"clause": [-1, 7, -7]}\n\n{"clause": [], "rule": "cycle"}\n')
    assert [(no, rec["clause"]) for no, rec in files.read_lemmas(str(path), 7)] == \
        [(1, [-1, 7, -7]), (3, [])]


def test_a_check_pauses_garbage_collection_and_leaves_it_as_it_was(tmp_path, monkeypatch):
    import gc
    folder = cycle_cert(tmp_path)
    seen = []   # whether collection was on while problem.cnf was read
    real = files.read_cnf
    monkeypatch.setattr(verify, "read_cnf", lambda *args: seen.append(gc.isenabled())
                        or real(*args))
    was = gc.isenabled()
    try:
        gc.enable()
        assert check(folder).ok and gc.isenabled()
        gc.disable()
        assert check(folder).ok and not gc.isenabled()
        gc.enable()
        bad = cycle_cert(tmp_path, name="bad", atoms=CYCLE_ATOMS[:2] + ['3 atom Int "z" "x" < 2'])
        assert_rejected(check(bad), "atoms.txt line 3")
        assert gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
    assert seen == [False, False]
