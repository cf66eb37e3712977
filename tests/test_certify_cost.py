"""The `cost` rule of the certificate checker (weighted completion and tardiness, issue 15):
it accepts exactly the lemmas that a brute-force search over the starts finds valid, a cost
record of constraints.json only when its guard and its tasks follow from the input, and the
certificates of models with weighted objectives are complete and verify.

The oracles enumerate starts here; they share no code with smtsched."""
import hashlib
import itertools
import json
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smtsched.certify import check, witness_linear
from smtsched.certify.check import cost, lemma_rules, rules, verify
from smtsched.certify.check.encoding import Difference, Encoding
from smtsched.core.specs import CostSpec, CostTask

NAMES = ["s0", "s1", "s2"]
BOX = range(-9, 10)   # every start the oracle tries: an earliest start is at least -8 (a path
                      # of at most 4 edges of weight 2 or less), so a start at -9 has none
GUARD = 99            # the guard's G literal in the rule tests


def scaled(weight):
    """max_examples as a multiple of the active profile's baseline (tests/conftest.py)."""
    return max(1, int(settings.default.max_examples * weight))


# -- brute force ---------------------------------------------------------------------------------

def least_cost(edges, tasks):
    """The least cost over the starts in BOX that keep every edge (x, y, c): x - y <= c (None:
    the origin 0); None when no starts do; -inf when a task counted by its completion can
    start at the box's edge (it has no lower bound: the cost has none)."""
    best = None
    names = NAMES[:len(tasks)]
    for values in itertools.product(BOX, repeat=len(names)):
        at = dict(zip(names, values))
        at[None] = 0
        if all(at[x] - at[y] <= c for x, y, c in edges):
            if any(w > 0 and due is None and s == BOX[0]
                   for (_, w, due), s in zip(tasks, values)):
                return float("-inf")
            total = 0
            for (p, w, due), s in zip(tasks, values):
                end = s + p
                total += w * (end if due is None else max(0, end - due))
            best = total if best is None else min(best, total)
    return best


@st.composite
def cases(draw):
    n = draw(st.integers(1, 3))
    tasks = [(draw(st.integers(0, 3)), draw(st.integers(0, 3)),
              draw(st.none() | st.integers(0, 4))) for _ in range(n)]
    nodes = [None] + NAMES[:n]
    edges = []
    for name in NAMES[:n]:   # most starts bounded below: s >= release
        if draw(st.integers(0, 3)):
            edges.append((None, name, -draw(st.integers(0, 2))))
    for _ in range(draw(st.integers(0, 3))):
        x, y = draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))
        if x != y:
            edges.append((x, y, draw(st.integers(-2, 2))))
    # the bound near the least cost, where a wrong count shows (found by the oracle)
    return tasks, edges, draw(st.integers(-2, 1)), draw(st.booleans())


def bound_of(case):
    """(tasks, edges, bound, guarded): the case's offset made a bound next to the least cost
    (the least cost + offset, valid exactly when the offset is negative)."""
    tasks, edges, offset, guarded = case
    least = least_cost(edges, tasks)
    return tasks, edges, (offset if least in (None, float("-inf")) else least + offset), \
        guarded


def accepts(tasks, edges, bound, guarded, guard_premise=True):
    con = cost.CostConstraint([cost.CostTask(name, p, w, due)
                               for name, (p, w, due) in zip(NAMES, tasks)],
                              bound, GUARD if guarded else None)
    premises = [Difference("Int", x, y, c) for x, y, c in edges]
    literals = list(range(1, len(edges) + 1))
    if guard_premise:
        premises.append(None)
        literals.append(GUARD)
    try:
        lemma_rules.check_rule("cost", premises, {}, con, literals)
        return True
    except rules.RuleError:
        return False


# -- the rule ------------------------------------------------------------------------------------

@settings(max_examples=scaled(1.5))
@given(cases())
def test_cost_accepts_exactly_the_lemmas_brute_force_finds_valid(case):
    tasks, edges, bound, guarded = bound_of(case)
    least = least_cost(edges, tasks)
    assert accepts(tasks, edges, bound, guarded) == (least is None or least > bound)


@settings(max_examples=scaled(0.6))
@given(cases(), st.data())
def test_a_dropped_premise_or_a_lighter_weight_is_rejected_when_it_breaks_the_lemma(case,
                                                                                   data):
    tasks, edges, bound, guarded = bound_of(case)
    least = least_cost(edges, tasks)
    if least is not None and least <= bound:
        return
    if guarded:   # the guard dropped from the lemma
        assert not accepts(tasks, edges, bound, guarded, guard_premise=False)
    if edges:
        k = data.draw(st.integers(0, len(edges) - 1))
        fewer = edges[:k] + edges[k + 1:]
        least = least_cost(fewer, tasks)
        assert accepts(tasks, fewer, bound, guarded) == (least is None or least > bound)
    k = data.draw(st.integers(0, len(tasks) - 1))
    p, w, due = tasks[k]
    lighter = tasks[:k] + [(p, max(0, w - 1), due)] + tasks[k + 1:]
    least = least_cost(edges, lighter)
    assert accepts(lighter, edges, bound, guarded) == (least is None or least > bound)


@settings(max_examples=scaled(0.5))
@given(cases())
def test_the_emitter_finds_cost_exactly_for_the_valid_lemmas(case):
    """witness_linear (the emitting side) agrees with brute force too: atoms numbered 1..n
    for the edges (node 0 the origin), the guard n + 1."""
    tasks, edges, bound, guarded = bound_of(case)
    least = least_cost(edges, tasks)
    node = {None: 0, "s0": 1, "s1": 2, "s2": 3}
    atoms = {k + 1: ("Int", node[x], node[y], c, False) for k, (x, y, c) in enumerate(edges)}
    guard = len(edges) + 1
    spec = CostSpec([CostTask(node[name], p, w, due) for name, (p, w, due) in zip(NAMES, tasks)],
                    bound, guard if guarded else None)
    clause = [-k for k in atoms] + [-guard]   # every atom holds, and the guard
    found = witness_linear.find(clause, atoms.get, spec)
    assert (found == ("cost", {})) == (least is None or least > bound)
    if guarded:
        assert witness_linear.find(clause[:-1], atoms.get, spec) is None


def test_cost_cases():
    # s0 >= 2, p = 3, w = 2: completion at least 10
    assert accepts([(3, 2, None)], [(None, "s0", -2)], 9, True)
    assert not accepts([(3, 2, None)], [(None, "s0", -2)], 10, True)
    # no lower bound: completion unbounded below, tardiness at least 0
    assert not accepts([(3, 2, None)], [], -100, False)
    assert accepts([(3, 2, 1)], [], -1, False)
    assert not accepts([(3, 2, 1)], [], 0, False)
    # a chain s0 >= 1, s1 >= s0 + 3: s1 ends at 4 + 2 at least, due 2: tardiness 4 * 3
    chain = [(None, "s0", -1), ("s0", "s1", -3)]
    assert accepts([(3, 0, 0), (2, 3, 2)], chain, 11, True)
    assert not accepts([(3, 0, 0), (2, 3, 2)], chain, 12, True)
    # a negative cycle: any lemma
    assert accepts([(1, 1, None)], [("s0", "s1", -1), ("s1", "s0", 0)], 100, False)
    # the guard must be a premise
    assert not accepts([(3, 2, None)], [(None, "s0", -2)], 9, True, guard_premise=False)


def test_cost_takes_no_witness_and_needs_a_cost_constraint():
    con = cost.CostConstraint([cost.CostTask("s0", 1, 1, None)], -1)
    with pytest.raises(rules.RuleError, match="no witness"):
        lemma_rules.check_rule("cost", [Difference("Int", None, "s0", 0)], {"tasks": [0]}, con,
                         [1])
    with pytest.raises(rules.RuleError, match="cost constraint"):
        lemma_rules.check_rule("cost", [], {}, None, [])
    assert "cost" not in rules.PENDING


# -- a cost record against the input's objective -------------------------------------------------

@st.composite
def task_lists(draw):
    return [cost.CostTask(draw(st.sampled_from(NAMES[:2])), draw(st.integers(0, 3)),
                          draw(st.integers(0, 3)), draw(st.none() | st.integers(-2, 3)))
            for _ in range(draw(st.integers(0, 3)))]


def total(tasks, starts):
    return sum(t.weight * (starts[t.start] + t.duration if t.due is None
                           else max(0, starts[t.start] + t.duration - t.due))
               for t in tasks)


@settings(max_examples=scaled(1))
@given(task_lists(), task_lists())
def test_an_accepted_cost_record_never_costs_more_than_the_input(cert, given_tasks):
    if cost.follows(cert, given_tasks):
        for s0, s1 in itertools.product(range(-6, 7), repeat=2):
            starts = {"s0": s0, "s1": s1}
            assert total(cert, starts) <= total(given_tasks, starts)


def test_weaker_cost_records_follow_and_stronger_ones_do_not():
    T = cost.CostTask
    given_tasks = [T("a", 3, 2, None), T("b", 2, 1, 4), T("c", 1, 0, None)]
    assert cost.follows(list(given_tasks), given_tasks)
    assert cost.follows([T("a", 2, 2, None), T("b", 2, 1, 5)], given_tasks)  # shorter, later
    assert cost.follows([T("a", 3, 2, None)], given_tasks)   # tardiness and weight 0 dropped
    assert not cost.follows([T("b", 2, 1, 4)], given_tasks)  # a completion term dropped
    assert not cost.follows([T("a", 3, 1, None), T("b", 2, 1, 4)], given_tasks)
    assert not cost.follows([T("a", 3, 2, None), T("b", 2, 2, 4)], given_tasks)  # heavier
    assert not cost.follows([T("a", 3, 2, None), T("b", 2, 1, 3)], given_tasks)  # earlier due
    assert not cost.follows([T("a", 4, 2, None), T("b", 2, 1, 4)], given_tasks)  # longer
    assert not cost.follows([T("a", 3, 2, 0), T("b", 2, 1, 4)], given_tasks)     # other kind


# -- through the checker: a hand-made certificate of a reader registered here ------------------

OBJECTIVE = {"kind": "cost", "name": "weighted_completion",
             "tasks": [{"start": "s0", "duration": 3, "weight": 2, "due": None},
                       {"start": "s1", "duration": 2, "weight": 1, "due": None}]}


def _reader(text, query):
    """A two-task input: s0 >= 0, s1 >= s0 + 3, and the objective 2 (s0 + 3) + (s1 + 2)."""
    enc = Encoding()
    for name in ("s0", "s1"):
        enc.declare(name, "Int")
    enc.add([enc.atom("Int", None, "s0", 0)])
    enc.add([enc.atom("Int", "s0", "s1", -3)])
    enc.constraints.append(json.loads(json.dumps(OBJECTIVE)))
    enc.objective = {"name": "weighted_completion", "variable": None}

    def schedule(starts):
        if not (starts["s0"] >= 0 and starts["s1"] >= starts["s0"] + 3):
            raise ValueError("a broken precedence")
        return 2 * (starts["s0"] + 3) + starts["s1"] + 2
    enc.check_schedule = schedule
    return enc


def write(folder, record=None, guard_line="2 guard cost 0 <= 10", clause=(-1, -3, -2),
          optimal=True):
    """A certificate that 11 is the least 2 (s0 + 3) + (s1 + 2): the schedule s0 = 0, s1 = 3,
    and "cost <= 10" refuted: its guard 2 assumed, the lemma -1 v -3 v -2 (s0 >= 0 and
    s1 >= s0 + 3 give 6 + 5 = 11)."""
    folder.mkdir()
    (folder / "input.txt").write_text("two tasks\n")
    (folder / "atoms.txt").write_text(
        f'1 atom Int null "s0" <= 0\n{guard_line}\n3 atom Int "s0" "s1" <= -3\n')
    (folder / "problem.cnf").write_text("p cnf 3 2\n1 0\n3 0\n")
    record = record or {"kind": "cost", "name": "c", "bound": 10, "guard": 2,
                        "tasks": OBJECTIVE["tasks"]}
    (folder / "constraints.json").write_text(json.dumps([record]))
    (folder / "lemmas.jsonl").write_text(json.dumps(
        {"clause": list(clause), "kind": "conflict", "theory": "cost", "constraint": 0,
         "rule": "cost", "witness": {}}) + "\n")
    (folder / "proof.drup").write_text("0\n")
    (folder / "schedule.json").write_text('{"starts": {"s0": 0, "s1": 3}, "objective": 11}')
    digest = hashlib.sha256(b"two tasks\n").hexdigest()
    (folder / "manifest.json").write_text(json.dumps(
        {"format": "smtsched-certificate", "version": 1,
         "input": {"file": "input.txt", "sha256": digest, "format": "cost-test"},
         "query": {}, "assumptions": [2] if optimal else [],
         "claim": {"kind": "optimal", "objective": "weighted_completion", "value": 11}
         if optimal else {"kind": "unsat"},
         "files": {"cnf": "problem.cnf", "atoms": "atoms.txt",
                   "constraints": "constraints.json", "lemmas": "lemmas.jsonl",
                   "proof": "proof.drup", "schedule": "schedule.json"},
         "complete": True, "incomplete": []}))
    return folder


@pytest.fixture
def reader(monkeypatch):
    monkeypatch.setitem(verify.readers, "cost-test", _reader)


def test_a_guarded_cost_lemma_verifies_through_the_checker(reader, tmp_path):
    verdict = check(write(tmp_path / "c"))
    assert verdict.ok, verdict


@pytest.mark.parametrize("change, reason", [
    ({"guard_line": "2 guard cost 0 <= 11"}, "is not an atoms.txt line"),
    ({"guard_line": "2 guard cost 1 <= 10"}, "is not an atoms.txt line"),
    ({"guard_line": "2 fresh stop"}, "is not an atoms.txt line"),
    ({"record": {"kind": "cost", "name": "c", "bound": 10, "guard": None,
                 "tasks": OBJECTIVE["tasks"]}}, "does not follow"),
    ({"record": {"kind": "cost", "name": "c", "bound": 10, "guard": 2,
                 "tasks": [dict(OBJECTIVE["tasks"][0], weight=3), OBJECTIVE["tasks"][1]]}},
     "does not follow"),
    ({"record": {"kind": "cost", "name": "c", "bound": 10, "guard": 2,
                 "tasks": [OBJECTIVE["tasks"][0], dict(OBJECTIVE["tasks"][1], duration=3)]}},
     "does not follow"),
    ({"clause": (-1, -3)}, "guard is not a premise"),
    ({"clause": (-3, -2)}, "not above the bound"),
])
def test_tampered_cost_certificates_are_rejected(reader, tmp_path, change, reason):
    verdict = check(write(tmp_path / "c", **change))
    assert verdict.status == "rejected" and reason in verdict.reason, verdict


def test_a_cost_record_the_input_does_not_state_makes_its_lemmas_incomplete(monkeypatch,
                                                                          tmp_path):
    """The input that broke (tests/test_cost.py under the suite's certification): a
    WeightedCost of one task printed for the Solver API as (<= (+ 0 (* 1 (+ s0 0))) 0), which
    the checker reads as a difference atom: it knows no cost constraint to hold the record
    against, which is no reason to reject an honest certificate, nor to use the record."""
    def without_objective(text, query):
        enc = _reader(text, query)
        enc.constraints = []
        return enc
    monkeypatch.setitem(verify.readers, "cost-test", without_objective)
    unguarded = {"kind": "cost", "name": "c", "bound": 10, "guard": None,
                 "tasks": OBJECTIVE["tasks"]}
    verdict = check(write(tmp_path / "c", unguarded, "2 fresh stop", (-1, -3), False))
    assert verdict.status == "incomplete", verdict
    assert "no cost constraint or objective the checker read" in verdict.reason


def test_a_weighted_cost_guarded_by_an_input_bool_verifies(tmp_path):
    """The Python API's WeightedCost prints as an arithmetic sum (for one task the checker
    reads a difference atom) and its guard is the input's Bool g, written `bool "g"`: the
    checker's reader recognises the sum as a cost constraint guarded by g, so the record
    follows (it was rejected once, the guard being no `guard` line; then incomplete, the
    reader knowing no cost constraint; tests/test_certify_weighted_cost.py has more)."""
    from smtsched import Bool, Int, Solver, WeightedCost, unsat
    s1, g = Int("s1"), Bool("g")
    s = Solver()
    s.set(proof=str(tmp_path / "cert"))
    s.add(s1 >= 2, WeightedCost([s1], [2], [1], 3, guard=g))
    assert s.check(g) == unsat
    verdict = check(tmp_path / "cert")
    assert verdict.ok, verdict


# -- end to end: models with weighted objectives ---------------------------------------------------

def weighted_models():
    from smtsched.sched.model import Model
    out = []
    for objective in ("weighted_completion", "weighted_tardiness"):
        m = Model(objective)
        a, b, c, d = (m.task(n, p) for n, p in (("a", 3), ("b", 2), ("c", 4), ("d", 1)))
        m.unary([a, b, c])
        m.unary([c, d])
        m.precedence(a, d)
        if objective == "weighted_completion":
            m.minimize_weighted_completion({a: 2, b: 1, c: 3, d: 1})
        else:
            m.minimize_weighted_tardiness({a: 3, b: 2, c: 4, d: 1}, {a: 2, b: 1, c: 5, d: 2})
        out.append(m)
    return out


@pytest.mark.parametrize("model", weighted_models(), ids=lambda m: m.name)
def test_a_model_with_a_weighted_objective_gets_a_complete_certificate(model, tmp_path):
    result = model.solve(proof=str(tmp_path / "cert"))
    assert result.status == "OPTIMAL" or str(result.status) == "OPTIMAL"
    assert result.certificate is not None, result.certificate_note
    manifest = json.loads((tmp_path / "cert" / "manifest.json").read_text())
    assert manifest["complete"], manifest["incomplete"]
    lemmas = (tmp_path / "cert" / "lemmas.jsonl").read_text().splitlines()
    assert any(json.loads(line)["rule"] == "cost" for line in lemmas)
    verdict = check(tmp_path / "cert")
    assert verdict.ok, verdict
    # a cost lemma without its guard is rejected
    copy = tmp_path / "tampered"
    shutil.copytree(tmp_path / "cert", copy)
    records = [json.loads(line) for line in lemmas]
    lemma = next(r for r in records if r["rule"] == "cost")
    guard = json.loads((copy / "constraints.json").read_text())[lemma["constraint"]]["guard"]
    lemma["clause"].remove(-guard)
    (copy / "lemmas.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    assert check(copy).status == "rejected"
    # a weight of the cost record raised: it no longer follows from the objective; lowered,
    # a completion weight does not either (a completion term may be negative), while a
    # lighter tardiness weight is weaker (then the lemmas must still hold: no assertion)
    for change in (1, -1) if model.name == "weighted_completion" else (1,):
        shutil.rmtree(copy)
        shutil.copytree(tmp_path / "cert", copy)
        records = json.loads((copy / "constraints.json").read_text())
        task = next(t for t in records[lemma["constraint"]]["tasks"] if t["weight"] > 1)
        task["weight"] += change
        (copy / "constraints.json").write_text(json.dumps(records))
        verdict = check(copy)
        assert verdict.status == "rejected", (change, verdict)
