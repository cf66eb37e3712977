"""The `slack` rule of the certificate checker (pseudo-Boolean rows, issue 15): it accepts
exactly the lemmas that a brute-force enumeration of the row's variables finds valid, a row of
constraints.json only when it follows from the input's, and end to end the certificates of
SMT-LIB scripts with pseudo-Boolean sums verify (and tampered ones do not).

The oracles enumerate assignments here; they share no code with smtsched."""
import hashlib
import itertools
import json
import os
import shutil
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smtsched.certify import check, witness_linear
from smtsched.certify.check import lemma_rules, rules, slack, verify
from smtsched.certify.check.encoding import Encoding
from smtsched.certify.check.slack import Row
from smtsched.core.specs import PseudoBooleanSpec

VARS = 4


def scaled(weight):
    """max_examples as a multiple of the active profile's baseline (tests/conftest.py)."""
    return max(1, int(settings.default.max_examples * weight))


# -- brute force ---------------------------------------------------------------------------------

def assignments(n):
    """Every assignment of variables 1..n, as the set of true literals."""
    for bits in itertools.product((False, True), repeat=n):
        yield {v if b else -v for v, b in zip(range(1, n + 1), bits)}


def row_sum(literals, weights, true):
    return sum(w for lit, w in zip(literals, weights) if lit in true)


def valid(clause, literals, weights, bound):
    """No assignment falsifies the clause and keeps the row."""
    return not any(all(-lit in true for lit in clause)
                   and row_sum(literals, weights, true) <= bound
                   for true in assignments(VARS))


def implied(cert, given_rows):
    """Every assignment keeping one of the given rows keeps cert (rows: (lits, ws, k))."""
    for true in assignments(VARS):
        if all(row_sum(l, w, true) <= k for l, w, k in given_rows) \
                and row_sum(*cert[:2], true) > cert[2]:
            return False
    return True


literal = st.integers(1, VARS).flatmap(lambda v: st.sampled_from([v, -v]))


@st.composite
def rows(draw):
    n = draw(st.integers(0, 5))
    literals = [draw(literal) for _ in range(n)]      # repeats and x, -x both allowed
    weights = [draw(st.integers(1, 5)) for _ in range(n)]
    return literals, weights, draw(st.integers(-1, 10))


def accepts(clause, row):
    literals, weights, bound = row
    try:
        lemma_rules.check_rule("slack", [None] * len(clause), {}, Row(literals, weights, bound),
                         [-lit for lit in clause])
        return True
    except rules.RuleError:
        return False


# -- the rule ------------------------------------------------------------------------------------

@settings(max_examples=scaled(3))
@given(rows(), st.lists(literal, max_size=5))
def test_slack_accepts_exactly_the_lemmas_brute_force_finds_valid(row, clause):
    assert accepts(clause, row) == valid(clause, *row)


@settings(max_examples=scaled(1))
@given(rows(), st.lists(literal, max_size=5), st.data())
def test_a_dropped_literal_or_a_lighter_weight_is_rejected_when_it_breaks_the_lemma(
        row, clause, data):
    if not valid(clause, *row):
        return
    literals, weights, bound = row
    if clause:
        k = data.draw(st.integers(0, len(clause) - 1))
        shorter = clause[:k] + clause[k + 1:]
        assert accepts(shorter, row) == valid(shorter, *row)
    if weights:
        k = data.draw(st.integers(0, len(weights) - 1))
        lighter = weights[:k] + [weights[k] - 1] + weights[k + 1:]
        kept = [(l, w) for l, w in zip(literals, lighter) if w > 0]
        tampered = ([l for l, _ in kept], [w for _, w in kept], bound)
        assert accepts(clause, tampered) == valid(clause, *tampered)


@settings(max_examples=scaled(1))
@given(rows(), st.lists(literal, max_size=5))
def test_the_emitter_finds_slack_exactly_for_the_valid_lemmas(row, clause):
    """witness_linear (the emitting side) agrees with brute force too, and row_of picks a
    row that proves the lemma."""
    literals, weights, bound = row
    spec = PseudoBooleanSpec(literals, weights, bound)
    found = witness_linear.find(clause, lambda var: None, spec)
    assert (found == ("slack", {})) == valid(clause, *row)
    if not any(-lit in clause for lit in clause):   # (any row proves a tautology)
        other = PseudoBooleanSpec([1], [1], 5)   # proves no other lemma
        assert witness_linear.row_of(clause, [other, spec]) is (spec if found else None)


def test_slack_cases():
    row = ([1, 2, 3], [2, 3, 2], 4)
    assert accepts([-2, -3], row)             # b and c: 5 > 4
    assert not accepts([-1, -3], row)         # a and c: 4
    assert accepts([-1, -1, -3, 2], [[1, 1, 3], [2, 1, 2], 4])   # a counted twice: 2+1+2
    # x and not x: one of them is true whatever x is (min(2, 3) counts with no premise)
    assert accepts([-2], ([1, -1, 2], [2, 3, 3], 4))
    assert not accepts([], ([1, -1, 2], [2, 3, 3], 4))
    assert accepts([], ([1, -1], [2, 3], 1))  # the row alone is infeasible: the empty lemma
    assert accepts([1, -1], ([2], [1], 5))    # a tautology


def test_slack_takes_no_witness_and_needs_a_row():
    row = Row([1, 2], [3, 3], 4)
    with pytest.raises(rules.RuleError, match="no witness"):
        lemma_rules.check_rule("slack", [None, None], {"premises": [0, 1]}, row, [1, 2])
    with pytest.raises(rules.RuleError, match="pseudo_boolean"):
        lemma_rules.check_rule("slack", [None], {}, None, [1])
    assert "slack" not in rules.PENDING


# -- a row of constraints.json against the input's -----------------------------------------------

@settings(max_examples=scaled(2))
@given(rows(), rows(), st.sampled_from(["<=", ">=", "="]))
def test_an_accepted_row_follows_from_the_input(cert, given_row, relation):
    """Soundness of slack.follows (G fixes nothing and relates no two literals here)."""
    literals, weights, bound = given_row
    record = {"relation": relation, "bound": bound,
              "terms": [[l, w] for l, w in zip(literals, weights)]}
    meaning = {"<=": [given_row],
               ">=": [([-l for l in literals], weights, sum(weights) - bound)],
               "=": [given_row, ([-l for l in literals], weights, sum(weights) - bound)]}
    for candidate in slack.input_rows(record):
        if slack.follows(Row(*cert), candidate, lambda lit: None, lambda a, b: a == b):
            assert implied(cert, meaning[relation])


def test_weaker_rows_follow_and_stronger_ones_do_not():
    given_row = slack.input_rows({"relation": "<=", "bound": 4,
                                  "terms": [[1, 2], [2, 3], [3, 2]]})[0]

    def follows(literals, weights, bound, fixed=lambda lit: None,
                implies=lambda a, b: a == b):
        return slack.follows(Row(literals, weights, bound), given_row, fixed, implies)

    assert follows([1, 2, 3], [2, 3, 2], 4)
    assert follows([1, 3], [2, 2], 4)            # a subset
    assert follows([1, 2, 3], [1, 3, 2], 5)      # lighter, larger bound
    assert not follows([1, 2, 3], [2, 3, 3], 4)  # heavier
    assert not follows([1, 2, 3], [2, 3, 2], 3)  # smaller bound
    assert not follows([1, 2, 4], [2, 3, 2], 4)  # a literal the input's row lacks
    assert follows([1, 2, 9], [2, 3, 2], 4, implies=lambda a, b: a == b or (a, b) == (9, 3))
    # a literal G makes true moves to the bound, on either side
    assert follows([1, 2], [2, 3], 2, fixed=lambda lit: True if lit == 3 else None)
    assert not follows([1, 2], [2, 3], 1, fixed=lambda lit: True if lit == 3 else None)
    # >= and negative weights: sum 2a - 3b >= -1 is 2[-a] + 3[b] <= 3
    ge = slack.input_rows({"relation": ">=", "bound": -1, "terms": [[1, 2], [2, -3]]})
    assert len(ge) == 1 and ge[0] == ({-1: 2, 2: 3}, 3)
    assert len(slack.input_rows({"relation": "=", "bound": 1, "terms": [[1, 1]]})) == 2


# -- through the checker: a hand-made certificate of a reader registered here ------------------

def _reader(text, query):
    """a and b hold, and the row given in the input text: "a b c" is a + b + c <= 1, "a c"
    is a + c <= 1."""
    enc = Encoding()
    names = text.split()
    lits = {name: enc.boolean(name) for name in ("a", "b", "c")}
    enc.add([lits["a"]])
    enc.add([lits["b"]])
    enc.constraints.append({"kind": "pseudo_boolean", "relation": "<=", "bound": 1,
                            "terms": [[lits[n], 1] for n in names]})
    return enc


def write(folder, input_row="a b c", row=([1, 2, 3], [1, 1, 1], 1)):
    folder.mkdir()
    (folder / "input.txt").write_text(input_row)
    (folder / "atoms.txt").write_text('1 bool "a"\n2 bool "b"\n3 bool "c"\n')
    (folder / "problem.cnf").write_text("p cnf 3 2\n1 0\n2 0\n")
    literals, weights, bound = row
    (folder / "constraints.json").write_text(json.dumps(
        [{"kind": "pseudo_boolean", "name": "pb0", "literals": literals, "weights": weights,
          "bound": bound}]))
    (folder / "lemmas.jsonl").write_text(json.dumps(
        {"clause": [-1, -2], "kind": "conflict", "constraint": 0, "rule": "slack",
         "witness": {}}) + "\n")
    (folder / "proof.drup").write_text("0\n")
    (folder / "manifest.json").write_text(json.dumps(
        {"format": "smtsched-certificate", "version": 1,
         "input": {"file": "input.txt", "format": "pb-test",
                   "sha256": hashlib.sha256(input_row.encode()).hexdigest()},
         "query": {}, "claim": {"kind": "unsat"}, "assumptions": [],
         "files": {"cnf": "problem.cnf", "atoms": "atoms.txt",
                   "constraints": "constraints.json", "lemmas": "lemmas.jsonl",
                   "proof": "proof.drup"},
         "complete": True, "incomplete": []}))
    return folder


@pytest.mark.parametrize("input_row, row, status, reason", [
    ("a b c", ([1, 2, 3], [1, 1, 1], 1), "verified", None),
    ("a b c", ([1, 2], [1, 1], 1), "verified", None),            # a subset
    ("a b c", ([1, 2, 3], [1, 2, 1], 1), "rejected", "does not follow"),   # heavier
    ("a b c", ([1, 2, 3], [1, 1, 1], 0), "rejected", "does not follow"),   # smaller bound
    ("a b c", ([1, 2, 3], [1, 1, 1], 2), "rejected", "slack: the premises leave"),
    # over variables no row of the input has: the checker cannot relate it to the input
    ("a c", ([1, 2], [1, 1], 1), "incomplete", "no pseudo-Boolean constraint the checker"),
])
def test_a_row_is_held_against_the_inputs_rows(monkeypatch, tmp_path, input_row, row,
                                               status, reason):
    monkeypatch.setitem(verify.readers, "pb-test", _reader)
    verdict = check(write(tmp_path / "c", input_row, row))
    assert verdict.status == status, verdict
    assert reason is None or reason in verdict.reason


# -- end to end ----------------------------------------------------------------------------------

SCRIPT = """(set-logic QF_LIA)
(declare-fun a () Bool)
(declare-fun b () Bool)
(declare-fun c () Bool)
(declare-fun d () Bool)
(declare-fun x () Int)
(declare-fun y () Int)
(push 1)
(assert ((_ pble 4 2 3 2 1) a b c d))
(assert ((_ pbge 3 1 1 1 1) a b c d))
(assert (or a b))
(check-sat)
(pop 1)
(push 1)
(assert ((_ at-most 1) a b c))
(assert ((_ at-least 2) a b c d))
(assert (not d))
(check-sat)
(pop 1)
(push 1)
(assert ((_ pbeq 3 1 2 1) a b (<= (- x y) 3)))
(assert ((_ pble 2 1 -2 3) (not a) c (> (- x y) 3)))
(assert (or (not b) (not c)))
(assert (or (not b) (> (- x y) 3)))
(check-sat)
(pop 1)
(push 1)
(assert (<= (+ (ite a 2 0) (ite b 3 0) (ite c 1 0)) 3))
(assert (>= (+ (ite a 1 0) (ite b 1 0) (ite c 1 0)) 2))
(assert (or a b))
(assert (not c))
(check-sat)
(pop 1)
(check-sat-assuming (a b (not c)))
(push 1)
(assert ((_ at-most 0) a a))
(assert ((_ pbeq 1 1 1 1 1) a a a a))
(check-sat)
(pop 1)
(push 1)
(assert ((_ at-least 1) a (or b a) (<= (- x y) (- 1))))
(assert ((_ at-most 0) (<= (- x y) (- 2)) (>= x 0)))
(assert ((_ pbge 5 3 4 5 5 5) (>= x 2) a (>= x 1) b (<= (- x y) 2)))
(assert ((_ at-most 3) (<= (- x y) 1) (not b) (<= (- x y) 2) (or b a) (>= x 1)
    (<= (- x y) (- 1)) (<= (- x y) 0)))
(assert (or b (not (<= (- x y) (- 1))) (not (or b a))))
(assert (or a (not (not a)) (or b a)))
(assert (or (>= x 1)))
(assert (>= x (- 5)))
(assert (>= y (- 5)))
(assert (<= x 5))
(assert (<= y 5))
(check-sat)
(pop 1)
(push 1)
(assert ((_ at-least 2) (not b) (<= (- x y) 1) (>= x 1) (<= (- x y) 0) (<= (- x y) (- 1))
    (>= x 1)))
(assert ((_ pbge 3 3 1) (<= (- x y) (- 1)) (not (<= (- x y) (- 2)))))
(assert ((_ pbeq 3 2 1 5 2) (<= (- x y) 1) (not (<= (- x y) (- 1))) (<= (- x y) (- 2))
    (>= x 1)))
(assert (>= x (- 5)))
(assert (>= y (- 5)))
(assert (<= x 5))
(assert (<= y 5))
(check-sat)
(pop 1)
"""
# The last three check-sats are inputs of tests/test_pseudo_boolean.py (a thorough Hypothesis
# run) whose honest certificates the checker rejected or left incomplete: G alone propagates to
# a conflict (every row holds then); G fixes every literal of a row; G's fixed literals break
# an input row (G has no model, though propagation alone does not show it).


def run(*args):
    # from the tests folder: from the checkout root `-m smtsched` would import the source
    # folder, which has no compiled theories when the package is installed (not editable)
    return subprocess.run([sys.executable, "-m", "smtsched", *args], capture_output=True,
                          text=True, timeout=120,
                          cwd=os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def certified(tmp_path_factory):
    folder = tmp_path_factory.mktemp("slack")
    path = folder / "pb.smt2"
    path.write_text(SCRIPT)
    cert = folder / "cert"
    solved = run("solve", str(path), "--proof", str(cert))
    assert solved.stdout.split() == ["unsat"] * 4 + ["sat"] + ["unsat"] * 3, solved.stderr
    return path, cert


def test_certificates_of_pseudo_boolean_scripts_verify(certified):
    path, cert = certified
    checked = run("check-proof", str(cert))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    folders = ["1", "2", "3", "4", "6", "7", "8"]
    assert checked.stdout.split() == [w for k in folders for w in (f"{k}:", "verified")]
    rules_used = set()
    for k in folders:
        manifest = json.loads((cert / k / "manifest.json").read_text())
        assert manifest["complete"], manifest["incomplete"]
        for line in (cert / k / "lemmas.jsonl").read_text().splitlines():
            rules_used.add(json.loads(line)["rule"])
    assert "slack" in rules_used


def tampered(cert, tmp_path, change):
    """A copy of the first certificate with a slack lemma or its row changed by `change`."""
    copy = tmp_path / "t"
    shutil.copytree(cert / "1", copy)
    records = [json.loads(line) for line in (copy / "lemmas.jsonl").read_text().splitlines()]
    rows_ = json.loads((copy / "constraints.json").read_text())
    change(records, rows_)
    (copy / "lemmas.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (copy / "constraints.json").write_text(json.dumps(rows_))
    return check(copy)


def test_tampered_pseudo_boolean_certificates_are_rejected(certified, tmp_path):
    path, cert = certified

    def drop_a_literal(records, rows_):
        lemma = next(r for r in records if r["rule"] == "slack" and len(r["clause"]) >= 2)
        lemma["clause"].pop()

    def heavier(records, rows_):      # no longer follows from the input
        rows_[0]["weights"][0] += 1

    def lighter(records, rows_):      # follows, but the lemmas need the weight
        rows_[0]["weights"] = [1] * len(rows_[0]["weights"])

    def another_row(records, rows_):
        lemma = next(r for r in records if r["rule"] == "slack")
        lemma["constraint"] = 1 - lemma["constraint"]

    def a_witness(records, rows_):
        next(r for r in records if r["rule"] == "slack")["witness"] = {"premises": [0]}

    for change, reason in ((drop_a_literal, "slack: the premises leave"),
                           (heavier, "does not follow"),
                           (lighter, "slack: the premises leave"),
                           (another_row, "slack: the premises leave"),
                           (a_witness, "slack takes no witness")):
        shutil.rmtree(tmp_path / "t", ignore_errors=True)
        verdict = tampered(cert, tmp_path, change)
        assert verdict.status == "rejected" and reason in verdict.reason, \
            (change.__name__, verdict)
