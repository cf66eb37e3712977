"""Certificates of Solver checks with the Python API's WeightedCost (issue 15).

`Solver.set(proof=DIR)` prints the assertions as DIR/input.smt2, where a WeightedCost is its
arithmetic meaning, (<= (+ (+ 0 (* w (+ s p))) ...) B) or, for tardiness, a sum of
(ite (> (+ s p) d) (* w (- (+ s p) d)) 0), behind (=> g ...) when guarded. The checker's own
reader (smtsched/certify/check/smtlib.py, `cost_assertion`) recognises such a sum as a cost
constraint of the input, and the checker accepts a constraints.json cost record that follows
from it (verify.py, `cost_constraint`), guard included.

The oracles share no code with smtsched: z3 evaluates the printed formula under random values
(the reader may only recognise a sum whose meaning is the cost record it lists), and the
tampered certificates are written by hand here.
"""

import hashlib
import json
import shutil
import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from smtsched import Bool, Disjunctive, Int, Ints, Not, Solver, WeightedCost, unsat
from smtsched.certify import check

from global_strategies import cost_problems as problems
from smtsched.certify.check.smtlib import Unsupported, read


def scaled(weight):
    """max_examples as a multiple of the active profile's baseline."""
    return max(1, int(settings.default.max_examples * weight))


def certify(tmp_path, formulas, *assumptions, name="cert"):
    """Solve with proof mode; the certificate's folder (the answer must be unsat)."""
    folder = tmp_path / name
    s = Solver()
    s.set(proof=str(folder))
    s.add(formulas)
    assert s.check(*assumptions) == unsat
    return folder


def two_tasks(weights=(1, 1), bound=5, dues=None, guard=None):
    a, b = Ints("a b")
    return [a >= 0, b >= 0, Disjunctive([a, b], [2, 2]),
            WeightedCost([a, b], [2, 2], list(weights), bound, dues=dues, guard=guard)]


# -- honest certificates verify ------------------------------------------------------------

@pytest.mark.parametrize("dues", [None, [1, 1]], ids=["completion", "tardiness"])
@pytest.mark.parametrize("guarded", [False, True], ids=["plain", "guarded"])
def test_a_weighted_cost_certificate_verifies(tmp_path, dues, guarded):
    # both orders cost 2 + 4 = 6 (completion) or 1 + 3 = 4 (tardiness): one below is unsat
    g = Bool("g") if guarded else None
    bound = 5 if dues is None else 3
    folder = certify(tmp_path, two_tasks(bound=bound, dues=dues, guard=g),
                     *([g] if guarded else []))
    records = json.loads((folder / "constraints.json").read_text())
    assert any(r["kind"] == "cost" for r in records)
    lemmas = [json.loads(line) for line in (folder / "lemmas.jsonl").read_text().splitlines()]
    assert any(r["rule"] == "cost" for r in lemmas)
    verdict = check(folder)
    assert verdict.ok, verdict


def test_two_bounds_under_one_guard_verify(tmp_path):
    # the second cost theory owns a proxy of g (atoms.txt `and`): the record's guard implies
    # the input's guard through it
    a, b = Ints("a b")
    g = Bool("g")
    formulas = [a >= 0, b >= 0, Disjunctive([a, b], [2, 2]),
                WeightedCost([a, b], [2, 2], [1, 1], 6, guard=g),
                WeightedCost([a, b], [2, 2], [1, 2], 8, guard=g)]
    folder = certify(tmp_path, formulas, g, a <= 0)
    assert check(folder).ok, check(folder)


def test_a_guard_assumed_false_leaves_other_cost_bounds_verifiable(tmp_path):
    a, b, c = Ints("a b c")
    g, h = Bool("g"), Bool("h")
    formulas = [a >= 0, b >= 0, c >= 0, Disjunctive([a, b, c], [2, 2, 1]),
                WeightedCost([a, b], [2, 2], [1, 1], 5, guard=g),
                WeightedCost([a, b, c], [2, 2, 1], [1, 0, 3], 2, dues=[0, 0, 0], guard=h)]
    folder = certify(tmp_path, formulas, Not(g), h)
    assert check(folder).ok, check(folder)


@settings(max_examples=scaled(0.4), deadline=None)
@given(problems(), st.booleans())
def test_every_unsat_weighted_cost_check_verifies(tmp_path_factory, spec, guarded):
    durations, releases, weights, dues, bound = spec
    starts = [Int(f"s{i}") for i in range(len(durations))]
    g = Bool("g") if guarded else None
    formulas = [s >= r for s, r in zip(starts, releases)]
    formulas += [Disjunctive(starts, durations),
                 WeightedCost(starts, durations, weights, bound, dues=dues, guard=g)]
    folder = tmp_path_factory.mktemp("cert")
    s = Solver()
    s.set(proof=str(folder))
    s.add(formulas)
    if str(s.check(*([g] if guarded else []))) != "unsat":
        return
    verdict = check(folder)
    assert verdict.ok, verdict


# -- tampered certificates -------------------------------------------------------------------

def _edit_json_lines(path, edit):
    records = [json.loads(line) for line in path.read_text().splitlines()]
    edit(records)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def _cost_index(folder):
    records = json.loads((folder / "constraints.json").read_text())
    return next(k for k, r in enumerate(records) if r["kind"] == "cost"), records


@pytest.fixture
def honest(tmp_path):
    """A guarded weighted-completion certificate (weights 1 and 2: a lighter weight would be
    a different cost, not only a weaker one)."""
    folder = certify(tmp_path, two_tasks(weights=(1, 2), bound=7, guard=Bool("g")), Bool("g"))
    assert check(folder).ok
    return folder


def _copy(folder, tmp_path, name):
    copy = tmp_path / name
    shutil.copytree(folder, copy)
    return copy


@pytest.mark.parametrize("change", [
    {"weight": 3}, {"weight": 1}, {"duration": 3}])
def test_a_cost_record_with_a_changed_task_is_rejected(honest, tmp_path, change):
    copy = _copy(honest, tmp_path, "t")
    k, records = _cost_index(copy)
    records[k]["tasks"][1].update(change)
    (copy / "constraints.json").write_text(json.dumps(records))
    verdict = check(copy)
    assert verdict.status == "rejected" and "does not follow" in verdict.reason, verdict


def test_a_cost_record_with_a_smaller_bound_is_rejected(honest, tmp_path):
    copy = _copy(honest, tmp_path, "t")
    k, records = _cost_index(copy)
    records[k]["bound"] -= 1
    (copy / "constraints.json").write_text(json.dumps(records))
    assert check(copy).status == "rejected"


def test_a_cost_record_without_its_guard_is_rejected(honest, tmp_path):
    # "cost <= B" always, while the input requires it only when g holds: input.smt2
    # asserts the assumption g, so first the script is made to assume it instead
    text = (honest / "input.smt2").read_text()
    assert "(assert g)\n(check-sat)" in text
    assuming = _with_input(honest, tmp_path, "assuming",
                           text.replace("(assert g)\n(check-sat)", "(check-sat-assuming (g))"))
    assert check(assuming).ok, check(assuming)
    copy = _copy(assuming, tmp_path, "t")
    k, records = _cost_index(copy)
    records[k]["guard"] = None
    (copy / "constraints.json").write_text(json.dumps(records))
    verdict = check(copy)
    assert verdict.status == "rejected" and "does not follow" in verdict.reason, verdict


def test_a_cost_record_without_its_guard_follows_where_the_input_asserts_it(honest, tmp_path):
    # the Python API asserts the check's assumptions in input.smt2: there g holds, so the
    # input requires the bound unconditionally
    copy = _copy(honest, tmp_path, "t")
    k, records = _cost_index(copy)
    records[k]["guard"] = None
    (copy / "constraints.json").write_text(json.dumps(records))
    assert check(copy).ok, check(copy)


def test_a_cost_record_under_another_literal_is_rejected(honest, tmp_path):
    # the guard replaced by an atom of the certificate: it does not imply g
    copy = _copy(honest, tmp_path, "t")
    k, records = _cost_index(copy)
    records[k]["guard"] = 1
    (copy / "constraints.json").write_text(json.dumps(records))
    verdict = check(copy)
    assert verdict.status == "rejected" and "guard 1" in verdict.reason, verdict


def test_a_cost_lemma_without_the_guard_is_rejected(honest, tmp_path):
    copy = _copy(honest, tmp_path, "t")
    k, records = _cost_index(copy)
    guard = records[k]["guard"]

    def drop(lemmas):
        lemma = next(r for r in lemmas if r["rule"] == "cost")
        lemma["clause"].remove(-guard)
    _edit_json_lines(copy / "lemmas.jsonl", drop)
    verdict = check(copy)
    assert verdict.status == "rejected" and "guard is not a premise" in verdict.reason, verdict


def _with_input(folder, tmp_path, name, text):
    """The certificate over another input.smt2 (its SHA-256 updated)."""
    copy = _copy(folder, tmp_path, name)
    (copy / "input.smt2").write_text(text)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["input"]["sha256"] = hashlib.sha256(text.encode()).hexdigest()
    (copy / "manifest.json").write_text(json.dumps(manifest))
    return copy


HEAD = ("(set-logic QF_LIA)(declare-fun a () Int)(declare-fun b () Int)"
        "(declare-fun g () Bool)(assert (>= a 0))(assert (>= b 0))"
        "(assert (and (or (>= (- b a) 2) (>= (- a b) 2))))")


@pytest.mark.parametrize("sum_text", [
    "(+ (+ 0 (* 1 (+ a 2))) (* (- 2) (+ b 2)))",    # a negative weight
    "(+ (+ 0 (* 1 (+ a 2))) (* 2 (+ b a)))",        # two variables in one term
    "(+ (+ 0 (* 1 (+ a 2))) (* 2 (+ b 2)) (ite g 1 0))",   # a Boolean term
])
def test_a_sum_that_is_no_cost_constraint_is_unsupported(honest, tmp_path, sum_text):
    text = HEAD + f"(assert (=> g (<= {sum_text} 7)))(assert g)(check-sat)\n"
    verdict = check(_with_input(honest, tmp_path, "t", text))
    assert verdict.status == "rejected" and "unsupported by the checker" in verdict.reason, \
        verdict


def test_a_tardiness_term_of_a_start_is_unsupported(tmp_path):
    # the condition tests the start, the value counts the end: not max(0, end - due)
    honest = certify(tmp_path, two_tasks(bound=3, dues=[1, 1]))
    assert check(honest).ok
    term = "(ite (> {s} 1) (* 1 (- (+ {s} 2) 1)) 0)"
    text = HEAD + (f"(assert (<= (+ (+ 0 {term.format(s='a')}) {term.format(s='b')}) 3))"
                   "(check-sat)\n")
    verdict = check(_with_input(honest, tmp_path, "t", text))
    assert verdict.status == "rejected" and "unsupported by the checker" in verdict.reason, \
        verdict


def test_a_cost_record_over_an_unrecognised_one_task_sum_is_incomplete(tmp_path):
    # one task reads as a difference atom, exactly; with a constant term under a condition
    # it is no cost sum, so the record is not backed: its lemmas are incomplete
    a = Int("a")
    g = Bool("g")
    honest = certify(tmp_path, [a >= 3, WeightedCost([a], [2], [1], 4, guard=g)], g)
    assert check(honest).ok
    text = ("(set-logic QF_LIA)(declare-fun a () Int)(declare-fun g () Bool)"
            "(assert (>= a 3))"
            "(assert (=> g (<= (+ 0 (* 1 (+ a 2)) (ite (> a 9) (- 1) 0)) 4)))"
            "(assert g)(check-sat)\n")
    verdict = check(_with_input(honest, tmp_path, "t", text))
    assert verdict.status == "incomplete", verdict


# -- the reader: what it recognises, by meaning ----------------------------------------------

DECLS = "(declare-fun x () Int)(declare-fun y () Int)(declare-fun g () Bool)"


def costs(text):
    enc = read("(set-logic QF_LIA)" + DECLS + text + "(check-sat)", {"check_sat": 1})
    return [c for c in enc.constraints if c["kind"] == "cost"]


def test_the_printed_sums_are_read_with_durations_dues_and_guard():
    a, b = Int("a"), Int("b")
    from smtsched.printer import dumps
    text = dumps([WeightedCost([a, b], [3, 1], [2, 0], 20),
                  WeightedCost([a, b], [3, 1], [1, 2], 9, dues=[4, 2], guard=Bool("g"))])
    enc = read(text, {"check_sat": 1})
    found = [c for c in enc.constraints if c["kind"] == "cost"]
    assert [(c["bound"], c.get("guard"), c["tasks"]) for c in found] == [
        (20, None, [{"start": "a", "duration": 3, "weight": 2, "due": None}]),
        (9, "g", [{"start": "a", "duration": 0, "weight": 1, "due": 1},      # a + 3 - 4
                  {"start": "b", "duration": 0, "weight": 2, "due": 1}])]    # b + 1 - 2


@pytest.mark.parametrize("text", [
    "(assert (not (<= (+ x y) 3)))",                # not at the top
    "(assert (or (<= (+ x y) 3) g))",               # inside a disjunction
    "(assert (=> (not g) (<= (+ x y) 3)))",         # a guard that is no Bool constant
    "(define-fun h () Bool (not g))(assert (=> h (<= (+ x y) 3)))",   # a defined guard
    "(assert (< (+ x y) 3))",                       # strict: not the printed shape
    "(assert (<= (+ x (* 2 y)) y))",                # the bound is no constant
    "(assert (<= (+ x (- y)) 3))",                  # a negative weight: a difference
    "(assert (<= (+ (ite (> x 1) (- x 1) 0) (ite (> y 1) (- y 1) 1)) 3))",  # else 1
    "(assert (<= (+ (ite (> x 2) (- x 1) 0) (ite (> y 1) (- y 1) 0)) 3))",  # x > 2, x - 1
    "(assert (<= (+ (ite (> x 1) (* 2 (- x 1)) 0) (ite (> y 1) (- y 1) 0)) 3))",  # 2x-2>0 ok
])
def test_only_exact_cost_sums_are_recognised(text):
    # the last one is exact (2x - 2 > 0 is x > 1): recognised; the others are not
    if "(* 2 (- x 1))" in text:
        assert costs(text)
        return
    try:
        found = costs(text)
    except Unsupported:
        return
    assert found == []


# -- property: a recognised sum means exactly its record (z3 evaluates the text) -------------

def num(v):
    return str(v) if v >= 0 else f"(- {-v})"


@st.composite
def sums(draw):
    """An assertion shaped like a printed WeightedCost, with random faults: weights of any
    sign, conditions on the end or off it, else branches, a guard or none."""
    names = ["x", "y", "z"]
    terms = []
    for _ in range(draw(st.integers(1, 3))):
        s = draw(st.sampled_from(names))
        w = draw(st.sampled_from([1, 2, 3, 1, 2, 3, 0, -1, -2]))
        p = draw(st.integers(-1, 3))
        end = f"(+ {s} {num(p)})"
        weight = num(w)
        if draw(st.booleans()):
            terms.append(f"(* {weight} {end})")
        else:
            d = draw(st.integers(0, 5))
            shift = draw(st.sampled_from([0] * 6 + [1, -1]))
            op = draw(st.sampled_from([">"] * 4 + [">=", "<"]))
            other = draw(st.sampled_from(["0"] * 6 + ["1"]))
            cond_end = end if shift == 0 else f"(+ {end} {num(shift)})"
            terms.append(f"(ite ({op} {cond_end} {d}) (* {weight} (- {end} {d})) {other})")
    if draw(st.booleans()):
        terms.append(str(draw(st.integers(0, 3))))
    text = "(+ 0 " + " ".join(terms) + ")"
    bound = draw(st.integers(-5, 30))
    formula = f"(<= {text} {num(bound)})"
    if draw(st.booleans()):
        formula = f"(=> g {formula})"
    return formula


def _z3_holds(formula, values, guard):
    decls = "(declare-fun x () Int)(declare-fun y () Int)(declare-fun z () Int)" \
            "(declare-fun g () Bool)"
    fixed = "".join(f"(assert (= {n} {num(v)}))" for n, v in values.items())
    fixed += "(assert g)" if guard else "(assert (not g))"
    s = z3.Solver()
    s.add(z3.parse_smt2_string(decls + fixed + f"(assert {formula})"))
    return s.check() == z3.sat


def _record_holds(record, values, guard):
    if record.get("guard") is not None and not guard:
        return True
    total = 0
    for t in record["tasks"]:
        end = values[t["start"]] + t["duration"]
        total += t["weight"] * (end if t["due"] is None else max(0, end - t["due"]))
    return total <= record["bound"]


@settings(max_examples=scaled(1.0), deadline=None)
@given(sums(), st.lists(st.fixed_dictionaries(
    {"x": st.integers(-6, 9), "y": st.integers(-6, 9), "z": st.integers(-6, 9)}),
    min_size=4, max_size=4), st.booleans())
def test_a_recognised_sum_means_exactly_its_cost_record(formula, points, guard):
    script = ("(set-logic QF_LIA)(declare-fun x () Int)(declare-fun y () Int)"
              "(declare-fun z () Int)(declare-fun g () Bool)"
              f"(assert {formula})(check-sat)")
    try:
        enc = read(script, {"check_sat": 1})
    except Unsupported:
        return
    found = [c for c in enc.constraints if c["kind"] == "cost"]
    if not found:
        return
    (record,) = found
    assert all(t["weight"] > 0 for t in record["tasks"])
    for values in points:
        assert _record_holds(record, values, guard) == _z3_holds(formula, values, guard), \
            (record, values)


# -- a model check evaluates a sum G holds only as a fresh variable -------------------------

def test_a_model_check_evaluates_the_cost_sum():
    script = ("(set-logic QF_LIA)(declare-fun x () Int)(declare-fun y () Int)"
              "(assert (>= x 0))(assert (>= y 0))"
              "(assert (<= (+ 0 (* 2 (+ x 1)) (* 1 (+ y 0))) 8))"
              "(minimize x)(check-sat)")
    enc = read(script, {"check_sat": 1})
    opt = enc.optimum
    objective = opt.objective({"sense": "minimize", "objective": "x"})
    assert opt.evaluate(objective, {"x": 1, "y": 4}) == 1     # 4 + 4 <= 8
    with pytest.raises(ValueError, match="break the script's assertions"):
        opt.evaluate(objective, {"x": 1, "y": 5})            # 4 + 5 > 8
