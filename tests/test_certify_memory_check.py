"""The checker's side of memory certificates (docs/certificates.md: atoms.txt `live`, `slack`,
`guard peak`; constraints.json's memory rows; liveness clauses in problem.cnf; the rules
`memory` and `peak_guard`; the peak OPTIMAL claim; smtsched/certify/check/memory.py).

Every certificate here is written by hand for a model of two to four tasks, so that these
tests depend on neither the lowering nor the emitter: honest ones verify, and each tampering
the checker must catch (a weight above a buffer's size, a fixed buffer that is not live in
every schedule, a bound too small, a guard pattern too large, a liveness clause with an atom
too weak, a peak claim with the wrong schedule, ...) is rejected with its reason.
"""

import hashlib
import json
import os
import time

import pytest

from smtsched.certify.check import check
from smtsched.certify.check.memory import MemoryModel
from smtsched.certify.check.sched import SchedInputError, read_model

# -- the models ---------------------------------------------------------------------------------


def model(capacity=None, objective=None, tasks=None, precedences=None, buffers=None):
    """Tasks a, b (2 each) before c (1); buffers x (6 bytes, made by a) and y (6, made by b),
    both read by c. Whichever of a and b starts later, both buffers are live then: 12 bytes."""
    data = {"format": "smtsched-model", "version": 1, "name": "mem",
            "tasks": tasks or [{"name": "a", "duration": 2}, {"name": "b", "duration": 2},
                               {"name": "c", "duration": 1}],
            "precedences": precedences if precedences is not None else
            [{"before": "a", "after": "c"}, {"before": "b", "after": "c"}],
            "memories": [dict({"name": "M", "buffers": buffers or [
                {"name": "x", "size": 6, "producer": "a", "consumers": ["c"]},
                {"name": "y", "size": 6, "producer": "b", "consumers": ["c"]}]},
                **({} if capacity is None else {"capacity": capacity}))]}
    if objective:
        data["objective"] = objective
        if objective == "peak_memory":
            data["objective_memory"] = "M"
    return json.dumps(data)


def write(folder, text, atoms, cnf, constraints, lemmas, claim, assumptions=(),
          schedule=None, proof="0\n"):
    os.makedirs(folder)
    with open(os.path.join(folder, "model.json"), "w", encoding="utf-8") as f:
        f.write(text)
    files = {"cnf": "problem.cnf", "atoms": "atoms.txt", "constraints": "constraints.json",
             "lemmas": "lemmas.jsonl", "proof": "proof.drup"}
    if schedule is not None:
        files["schedule"] = "schedule.json"
    manifest = {"format": "smtsched-certificate", "version": 1,
                "input": {"file": "model.json", "format": "model",
                          "sha256": hashlib.sha256(text.encode()).hexdigest()},
                "query": {}, "claim": claim, "assumptions": list(assumptions), "files": files,
                "complete": True, "incomplete": []}
    top = max([abs(l) for c in cnf for l in c] + [int(a.split()[0]) for a in atoms] + [1])
    contents = {
        "manifest.json": json.dumps(manifest),
        "atoms.txt": "".join(a + "\n" for a in atoms),
        "problem.cnf": f"p cnf {top} {len(cnf)}\n" + "".join(
            " ".join(map(str, c + [0])) + "\n" for c in cnf),
        "constraints.json": json.dumps(constraints),
        "lemmas.jsonl": "".join(json.dumps(r) + "\n" for r in lemmas),
        "proof.drup": proof,
    }
    if schedule is not None:
        contents["schedule.json"] = json.dumps(schedule)
    for name, body in contents.items():
        with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
            f.write(body)
    return folder


def row(literals, weights, bound, instant, fixed, name="row"):
    return {"kind": "pseudo_boolean", "name": name, "literals": literals, "weights": weights,
            "bound": bound, "memory": "M", "instant": instant, "fixed": fixed}


def lemma(clause, rule, witness=None, constraint=None, kind="conflict"):
    record = {"clause": clause, "kind": kind, "rule": rule, "witness": witness or {}}
    if constraint is not None:
        record["constraint"] = constraint
    return record


# -- INFEASIBLE with a capacity of 10 ------------------------------------------------------------
#
# 1: a starts no later than b; 2: b starts no later than a; 3: x live at start(b) (born by atom
# 1; ended after it: c follows b, so end(c) > start(b) by the precedences); 4: y live at
# start(a). At b, y is live in every schedule (its producer is b), so x's 6 bytes must fit in
# 10 - 6 = 4: they do not, nor y's at a; and one of 1, 2 holds (a cycle lemma).

ATOMS = ['1 atom Int "start a" "start b" <= 0', '2 atom Int "start b" "start a" <= 0',
         '3 live "M" "x" "b"', '4 live "M" "y" "a"']
CNF = [[3, -1], [4, -2]]
ROWS = [row([3], [6], 4, "b", ["y"], "M at b"), row([4], [6], 4, "a", ["x"], "M at a")]
LEMMAS = [lemma([-3], "slack", constraint=0), lemma([-4], "slack", constraint=1),
          lemma([1, 2], "cycle", {"cycle": [0, 1]})]
INFEASIBLE = {"kind": "infeasible"}


def infeasible(tmp_path, name="c", text=None, atoms=ATOMS, cnf=CNF, rows=ROWS, lemmas=LEMMAS):
    return write(str(tmp_path / name), text or model(capacity=10), atoms, cnf, rows, lemmas,
                 INFEASIBLE)


def verdict(folder):
    return check(folder)


def test_an_honest_capacity_certificate_verifies(tmp_path):
    v = verdict(infeasible(tmp_path))
    assert v.ok, v.reason


def test_a_row_weight_above_the_buffer_size_is_rejected(tmp_path):
    rows = [row([3], [7], 4, "b", ["y"]), ROWS[1]]
    v = verdict(infeasible(tmp_path, rows=rows))
    assert v.status == "rejected" and "x weighs 7, above its size 6" in v.reason, v.reason


def test_a_fixed_buffer_the_precedences_do_not_decide_is_rejected(tmp_path):
    # at start(b), x is live only when a started first: not in every schedule
    rows = [row([], [], 4, "b", ["x"]), ROWS[1]]
    v = verdict(infeasible(tmp_path, rows=rows))
    assert v.status == "rejected" and "x is not live in every schedule at start b" in v.reason


def test_a_capacity_row_bound_too_small_is_rejected(tmp_path):
    rows = [row([3], [6], 3, "b", ["y"]), ROWS[1]]
    v = verdict(infeasible(tmp_path, rows=rows))
    assert v.status == "rejected" and "bound 3 below the capacity 10 - 6 fixed" in v.reason


def test_rows_of_a_memory_without_capacity_are_rejected(tmp_path):
    v = verdict(write(str(tmp_path / "c"), model(), ATOMS, CNF, ROWS, LEMMAS, INFEASIBLE))
    assert v.status == "rejected" and "M has no capacity" in v.reason


def test_a_live_literal_of_another_instant_or_twice_in_a_row_is_rejected(tmp_path):
    v = verdict(infeasible(tmp_path, "one", rows=[row([4], [6], 4, "b", ["y"]), ROWS[1]]))
    assert v.status == "rejected" and "a live literal of M at 'a' in a row of M at 'b'" \
        in v.reason
    v = verdict(infeasible(tmp_path, "two", rows=[row([3, 3], [1, 1], 4, "b", ["y"]),
                                                  ROWS[1]]))
    assert v.status == "rejected" and "x counts twice" in v.reason


def test_a_liveness_clause_with_an_atom_too_weak_is_rejected(tmp_path):
    # a - b <= 1 lets a start after b: x need not be allocated at start(b)
    atoms = ATOMS + ['5 atom Int "start a" "start b" <= 1']
    v = verdict(infeasible(tmp_path, atoms=atoms, cnf=[[3, -5], [4, -2]]))
    assert v.status == "rejected" and "problem.cnf line 2" in v.reason \
        and "neither the birth of x" in v.reason, v.reason


def test_a_liveness_clause_without_the_birth_or_the_end_is_rejected(tmp_path):
    v = verdict(infeasible(tmp_path, "born", cnf=[[3], [4, -2]]))
    assert v.status == "rejected" and "nothing says x is allocated by the instant" in v.reason
    # at 0, x (made by a) is allocated only if a starts at 0: an atom must say so
    atoms = ATOMS + ['5 live "M" "x" null']
    v = verdict(infeasible(tmp_path, "zero", atoms=atoms, cnf=CNF + [[5]]))
    assert v.status == "rejected" and "nothing says x is allocated" in v.reason
    atoms = ATOMS + ['5 live "M" "x" null', '6 atom Int "start a" null <= 0']
    v = verdict(infeasible(tmp_path, "origin", atoms=atoms, cnf=CNF + [[5, -6]]))
    assert v.ok, v.reason


def test_a_clause_with_live_literals_of_another_shape_is_rejected(tmp_path):
    atoms = ATOMS + ['5 bool "p"']
    for k, clause in enumerate([[-3, -1], [3, 4, -1], [3, -1, -5]]):
        v = verdict(infeasible(tmp_path, f"c{k}", atoms=atoms, cnf=[clause, [4, -2]]))
        assert v.status == "rejected" and "problem.cnf line 2" in v.reason, (clause, v.reason)
    # a stronger birth (a ends before b starts) is a birth too
    v = verdict(infeasible(tmp_path, "strong", cnf=[[3, -1, 2], [4, -2]]))
    assert v.ok, v.reason


def test_the_ended_condition_needs_a_present_end(tmp_path):
    # c optional: it holds x and y only while present, so a liveness clause at b needs
    # "present c" among its conditions (or another end: the producer b ends after start(b))
    tasks = [{"name": "a", "duration": 2}, {"name": "b", "duration": 2},
             {"name": "c", "duration": 1, "optional": True}]
    text = model(capacity=10, tasks=tasks, precedences=[])
    atoms = ATOMS + ['5 atom Int "start b" "start c" <= 0', '6 bool "present c"']
    v = verdict(infeasible(tmp_path, "bare", text=text, atoms=atoms, cnf=[[3, -1, -5]],
                           rows=[], lemmas=[]))
    assert v.status == "rejected" and "before the end of a (present) end of x" in v.reason
    v = verdict(write(str(tmp_path / "present"), text, atoms, [[3, -1, -5, -6]], [], [],
                      INFEASIBLE, proof="1 0\n-1 0\n0\n"))
    assert v.status == "rejected" and "proof.drup" in v.reason   # the clause was accepted


def test_a_live_atom_must_name_a_memory_buffer_and_a_mandatory_task(tmp_path):
    for k, (line, message) in enumerate([
            ('5 live "N" "x" "a"', "no memory 'N'"), ('5 live "M" "z" "a"', "no buffer 'z'"),
            ('5 live "M" "x" "d"', "is no task"), ('5 live "M" "x"', "live needs")]):
        v = verdict(infeasible(tmp_path, f"c{k}", atoms=ATOMS + [line]))
        assert v.status == "rejected" and "atoms.txt line 5" in v.reason \
            and message in v.reason, v.reason
    tasks = [{"name": "a", "duration": 2}, {"name": "b", "duration": 2},
             {"name": "c", "duration": 1}, {"name": "d", "duration": 1, "optional": True}]
    v = verdict(infeasible(tmp_path, "opt", text=model(capacity=10, tasks=tasks),
                           atoms=ATOMS + ['5 live "M" "x" "d"']))
    assert v.status == "rejected" and "is an optional task" in v.reason


def test_the_memory_rule_states_fixed_bytes_over_the_capacity(tmp_path):
    # capacity 5: at start(b), y alone (6 bytes, live in every schedule) is too much
    atoms = ['1 and']
    good = lemma([-1], "memory", {"memory": "M", "instant": "b", "buffers": ["y"]},
                 kind="input")
    cnf = [[1], [-1]]
    v = verdict(write(str(tmp_path / "good"), model(capacity=5), atoms, cnf, [], [good],
                      INFEASIBLE))
    assert v.ok, v.reason
    v = verdict(write(str(tmp_path / "big"), model(capacity=6), atoms, cnf, [], [good],
                      INFEASIBLE))
    assert v.status == "rejected" and "6 bytes do not exceed 6" in v.reason
    bad = lemma([-1], "memory", {"memory": "M", "instant": "b", "buffers": ["x"]},
                kind="input")
    v = verdict(write(str(tmp_path / "notfixed"), model(capacity=5), atoms, cnf, [], [bad],
                      INFEASIBLE))
    assert v.status == "rejected" and "x is not live in every schedule" in v.reason
    # without the lemma, [-true] is no consequence of the input
    v = verdict(write(str(tmp_path / "none"), model(capacity=5), atoms, cnf, [], [],
                      INFEASIBLE))
    assert v.status == "rejected" and "problem.cnf line 3" in v.reason


def test_the_memory_rule_counts_the_negated_live_literals(tmp_path):
    # [-x live at b]: y (6, fixed) and x (6) exceed 10
    clause = lemma([-3], "memory", {"memory": "M", "instant": "b", "buffers": ["y"]},
                   kind="input")
    lemmas = [clause, LEMMAS[1], LEMMAS[2]]
    v = verdict(infeasible(tmp_path, "ok", lemmas=lemmas, rows=[ROWS[0], ROWS[1]]))
    assert v.ok, v.reason
    v = verdict(infeasible(tmp_path, "cap", text=model(capacity=12), lemmas=[clause],
                           rows=[]))
    assert v.status == "rejected" and "12 bytes do not exceed 12" in v.reason


def test_the_precedences_decide_with_maximum_lags_and_releases():
    # b starts at most 1 after a ends (max lag), so a - b >= -(2 + 1): with c after b by 5,
    # a's buffer read by c... lb(a -> c) = lb(a -> b) + 2 + 5 (min lag 0 from a to b)
    tasks = {"a": (2, 0, None), "b": (2, 3, None), "c": (1, 0, None), "o": (1, 0, None)}
    precedences = [("a", "b", 0, 1), ("b", "c", 5, None), ("o", "a", 0, None)]
    from smtsched.certify.check.memory import Buffer, Memory
    x = Buffer("x", 1, "a", ["c"], False)
    z = Buffer("z", 1, "c", [], False)
    w = Buffer("w", 1, None, ["o"], False)
    mm = MemoryModel(tasks, {"o"}, precedences, [Memory("M", None, [x, z, w])])
    assert mm.live_everywhere(mm.memories[0], x, "b")     # a <= b, and b < end(c)
    assert mm.chains.lb("b", "a") == -3                    # the max lag, backwards
    assert mm.live_everywhere(mm.memories[0], x, "a")     # a's own buffer, at a
    assert not mm.live_everywhere(mm.memories[0], z, "b")   # c starts after b
    assert mm.live_everywhere(mm.memories[0], z, "c")
    assert mm.chains.head("c") == 3 + 2 + 5                # b's release, then the lags
    assert mm.live_everywhere(mm.memories[0], x, None) is False   # a may start after 0
    # o is optional: its precedence to a says nothing, and w (read by o only) is never sure
    assert not mm.live_everywhere(mm.memories[0], w, None)


# -- OPTIMAL peak ---------------------------------------------------------------------------------
#
# The same model with the peak of M as the objective: 12 in every schedule. Peak rows with the
# slack bits 5..8 (top 12: every buffer live), at a and at b; the guard 9 of "peak <= 11" sets
# the slack 12 - 11 = 1 (bit 0). Under it, each row leaves 6 - 1 = 5 bytes: x not live at b, y
# not live at a, and one of them must be.

PEAK_ATOMS = ATOMS + ['5 slack "M" 0', '6 slack "M" 1', '7 slack "M" 2', '8 slack "M" 3',
                      '9 guard peak "M" <= 11']
BITS, BIT_WEIGHTS = [5, 6, 7, 8], [1, 2, 4, 8]
PEAK_ROWS = [row([3] + BITS, [6] + BIT_WEIGHTS, 6, "b", ["y"], "peak at b"),
             row([4] + BITS, [6] + BIT_WEIGHTS, 6, "a", ["x"], "peak at a")]
GUARD = [lemma([-9, 5], "peak_guard", kind="guard")] + [
    lemma([-9, -bit], "peak_guard", kind="guard") for bit in BITS[1:]]
PEAK_LEMMAS = GUARD + [lemma([-3, -5], "slack", constraint=0),
                       lemma([-4, -5], "slack", constraint=1), LEMMAS[2]]
PEAK_CLAIM = {"kind": "optimal", "objective": "peak_memory", "value": 12}
SCHEDULE = {"starts": {"a": 0, "b": 1, "c": 3}, "objective": 12}


def peak(tmp_path, name="p", atoms=PEAK_ATOMS, rows=PEAK_ROWS, lemmas=PEAK_LEMMAS,
         claim=PEAK_CLAIM, schedule=SCHEDULE, text=None, assumptions=(9,)):
    return write(str(tmp_path / name), text or model(objective="peak_memory"), atoms, CNF,
                 rows, lemmas, claim, assumptions, schedule)


def test_an_honest_peak_certificate_verifies(tmp_path):
    v = verdict(peak(tmp_path))
    assert v.ok, v.reason


def test_a_guard_pattern_above_top_minus_the_bound_is_rejected(tmp_path):
    # slack 3 > 12 - 11: the bits would let the rows hold 2 bytes less than "peak <= 11" does
    lemmas = [lemma([-9, 5], "peak_guard", kind="guard"),
              lemma([-9, 6], "peak_guard", kind="guard")] + PEAK_LEMMAS[4:]
    v = verdict(peak(tmp_path, lemmas=lemmas))
    assert v.status == "rejected" and "sets the slack 3, more than top 12 - 11" in v.reason


def test_a_guard_setting_a_bit_both_ways_is_rejected(tmp_path):
    lemmas = PEAK_LEMMAS + [lemma([-9, -5], "peak_guard", kind="guard")]
    v = verdict(peak(tmp_path, lemmas=lemmas))
    assert v.status == "rejected" and "sets bit 0 both ways" in v.reason


def test_guard_clauses_of_another_shape_are_rejected(tmp_path):
    for k, clause in enumerate([[9, 5], [-9, 3], [-9, 5, 6], [-3, 5]]):
        lemmas = PEAK_LEMMAS + [lemma(clause, "peak_guard", kind="guard")]
        v = verdict(peak(tmp_path, f"g{k}", lemmas=lemmas))
        assert v.status == "rejected" and "peak_guard" in v.reason, (clause, v.reason)


def test_peak_rows_need_a_top_above_their_own_live_bytes_and_single_bits(tmp_path):
    rows = [row([3] + BITS, [6] + BIT_WEIGHTS, 5, "b", ["y"]), PEAK_ROWS[1]]
    v = verdict(peak(tmp_path, "low", rows=rows))
    assert v.status == "rejected" and "bound 5 below the live weights 6" in v.reason
    rows = [row([3] + BITS + [5], [6] + BIT_WEIGHTS + [1], 6, "b", ["y"]), PEAK_ROWS[1]]
    v = verdict(peak(tmp_path, "twice", rows=rows))
    assert v.status == "rejected" and "slack bit 0 of M twice" in v.reason
    rows = [row([3] + BITS, [6, 1, 2, 4, 16], 6, "b", ["y"]), PEAK_ROWS[1]]
    v = verdict(peak(tmp_path, "heavy", rows=rows))
    assert v.status == "rejected" and "weighing 16 > 2^3" in v.reason


def test_a_smaller_top_in_one_row_makes_the_pattern_too_large(tmp_path):
    # the row at a without its fixed buffer: top 6, and a slack 1 > 6 - 11
    rows = [PEAK_ROWS[0], row([4] + BITS, [6] + BIT_WEIGHTS, 6, "a", [])]
    v = verdict(peak(tmp_path, rows=rows))
    assert v.status == "rejected" and "sets the slack 1, more than top 6 - 11" in v.reason


def test_a_peak_claim_with_the_wrong_schedule_or_value_is_rejected(tmp_path):
    v = verdict(peak(tmp_path, "value", schedule={"starts": SCHEDULE["starts"],
                                                  "objective": 11},
                     claim=dict(PEAK_CLAIM, value=11)))
    assert v.status == "rejected" and "schedule.json has objective 12, the claim says 11" \
        in v.reason
    v = verdict(peak(tmp_path, "order", schedule={"starts": {"a": 0, "b": 1, "c": 2}}))
    assert v.status == "rejected" and "c starts" in v.reason
    # a guard of another bound than value - 1 or more, or no guard: no claim
    v = verdict(peak(tmp_path, "none", assumptions=()))
    assert v.status == "rejected" and "optimal claim without an assumption" in v.reason
    atoms = PEAK_ATOMS[:-1] + ['9 guard peak "M" <= 10']
    v = verdict(peak(tmp_path, "lower", atoms=atoms))
    assert v.status == "rejected" and "assumption 9 is not an assumption" in v.reason


def test_the_schedule_check_computes_the_peak_and_the_capacity():
    g = read_model(model(objective="peak_memory"), {})
    assert g.objective == {"name": "peak_memory", "variable": None, "memory": "M"}
    assert g.check_schedule({"a": 0, "b": 5, "c": 7}) == 12
    # x lives [0, 3) and y [1, 3) under b's own end (c ends at 3): y allocated while x is
    text = model(objective="peak_memory", precedences=[])
    g = read_model(text, {})
    assert g.check_schedule({"a": 0, "b": 2, "c": 0}) == 6   # c ends before b starts
    assert g.check_schedule({"a": 0, "b": 1, "c": 5}) == 12
    g = read_model(model(capacity=11, objective="makespan"), {})
    with pytest.raises(ValueError, match="M holds 12 > 11 bytes at time 2"):
        g.check_schedule({"a": 0, "b": 2, "c": 4})
    # an absent optional consumer holds nothing; until_end holds to the end
    tasks = [{"name": "a", "duration": 2}, {"name": "b", "duration": 2},
             {"name": "c", "duration": 1, "optional": True}]
    buffers = [{"name": "x", "size": 6, "producer": "a", "consumers": ["c"]},
               {"name": "y", "size": 5, "producer": "b", "consumers": []},
               {"name": "z", "size": 1, "until_end": True}]
    g = read_model(model(objective="peak_memory", tasks=tasks, precedences=[],
                         buffers=buffers), {})
    assert g.check_schedule({"a": 0, "b": 2}) == 7          # x and z; x freed when y comes
    assert g.check_schedule({"a": 0, "b": 2, "c": 2}) == 12  # c keeps x until 3


def test_the_reader_refuses_repeated_names_and_malformed_memories():
    data = json.loads(model())
    data["memories"][0]["buffers"][1]["name"] = "x"
    with pytest.raises(SchedInputError, match="unsupported by the checker: repeated buffer"):
        read_model(json.dumps(data), {}, parse_only=True)
    data = json.loads(model())
    data["memories"].append(dict(data["memories"][0], buffers=[]))
    with pytest.raises(SchedInputError, match="unsupported by the checker: repeated memory"):
        read_model(json.dumps(data), {})
    for change, message in [({"objective_memory": "M"}, "without the peak_memory"),
                            ({"objective": "peak_memory", "objective_memory": "N"},
                             "names no memory")]:
        data = dict(json.loads(model()), **change)
        with pytest.raises(SchedInputError, match=message):
            read_model(json.dumps(data), {})
    tasks = [{"name": "a", "duration": 2, "optional": True}, {"name": "b", "duration": 2},
             {"name": "c", "duration": 1}]
    with pytest.raises(SchedInputError, match="an optional task cannot produce"):
        read_model(model(tasks=tasks), {})


# -- speed: a chain of 1,000 operators ------------------------------------------------------------

def test_a_thousand_instants_check_in_seconds(tmp_path):
    """A DNN-like chain: task i makes buffer i, read by tasks i + 1 and i + 2; a capacity row
    at every producer's start with the three buffers the precedences keep live there (its
    own, and those of the two tasks before it), and the first instant over a capacity of 2
    bytes with sizes 1 (rule `memory`)."""
    n = 1000
    tasks = [{"name": f"t{i}", "duration": 1} for i in range(n)]
    precedences = [{"before": f"t{i}", "after": f"t{i + 1}"} for i in range(n - 1)]
    buffers = [{"name": f"b{i}", "size": 1, "producer": f"t{i}",
                "consumers": [f"t{j}" for j in (i + 1, i + 2) if j < n]} for i in range(n)]
    text = model(capacity=3, tasks=tasks, precedences=precedences, buffers=buffers)
    rows = [row([], [], 3 - min(3, i + 1), f"t{i}", [f"b{j}" for j in range(max(0, i - 2),
                                                                          i + 1)])
            for i in range(n)]
    start = time.perf_counter()
    v = verdict(write(str(tmp_path / "ok"), text, ["1 and"], [], rows, [], INFEASIBLE,
                      proof="1 0\n0\n"))
    elapsed = time.perf_counter() - start
    assert v.status == "rejected" and "proof.drup" in v.reason, v.reason   # rows accepted
    assert elapsed < 10, elapsed


# -- what the precedences decide, against every schedule -----------------------------------------

def brute_live(buffer, starts, present, tasks, t):
    """Buffer live at t in a schedule (the model's semantics, written out again)."""
    alloc = 0 if buffer.producer is None else starts[buffer.producer]
    if alloc > t:
        return False
    return buffer.until_end or any(t < starts[e] + tasks[e][0] for e in buffer.ends()
                                   if e in present)


def test_what_the_precedences_decide_holds_in_every_schedule():
    """Random models of 3 or 4 tasks (lags both ways, releases, an optional consumer): every
    buffer the checker calls live in every schedule at an instant is live there in every
    schedule that keeps the precedences and releases (all starts up to a horizon), and its
    peak is the brute-force most bytes at an allocation instant."""
    import itertools
    import random
    from smtsched.certify.check.memory import Buffer, Memory
    rng = random.Random(15)
    decided = 0
    for _ in range(150):
        n = rng.choice([3, 4])
        names = [f"t{i}" for i in range(n)]
        optional = {names[-1]} if rng.random() < 0.4 else set()
        tasks = {t: (rng.randint(0, 2), rng.randint(0, 1), None) for t in names}
        precedences = []
        for _ in range(rng.randint(1, 4)):
            a, b = rng.sample(names, 2)
            precedences.append((a, b, rng.randint(-2, 1),
                                rng.choice([None, None, rng.randint(0, 2)])))
        mandatory = [t for t in names if t not in optional]
        buffers = [Buffer(f"b{k}", rng.randint(1, 3),
                          rng.choice(mandatory + [None]),
                          rng.sample(names, rng.randint(0, 2)), rng.random() < 0.1)
                   for k in range(3)]
        memory = Memory("M", None, buffers)
        mm = MemoryModel(tasks, optional, precedences, [memory])
        claims = [(b, t) for b in buffers for t in mandatory + [None]
                  if mm.live_everywhere(memory, b, t)]
        decided += len(claims)
        horizon = 5 if n == 4 else 7
        for values in itertools.product(range(horizon), repeat=n):
            starts = dict(zip(names, values))
            for present in ([set(names)] + ([set(mandatory)] if optional else [])):
                if any(s < tasks[t][1] for t, s in starts.items()) or any(
                        a in present and b in present and not (
                            lo <= starts[b] - starts[a] - tasks[a][0]
                            and (hi is None or starts[b] - starts[a] - tasks[a][0] <= hi))
                        for a, b, lo, hi in precedences):
                    continue
                for b, t in claims:
                    at = 0 if t is None else starts[t]
                    assert brute_live(b, starts, present, tasks, at), (b.name, t, starts)
                allocations = {0 if b.producer is None else starts[b.producer]
                               for b in buffers}
                most = max([sum(b.size for b in buffers
                                if brute_live(b, starts, present, tasks, x))
                            for x in allocations], default=0)
                assert mm.peak(memory, starts, present)[0] == most
    assert decided > 400, decided   # the test decides something


def test_the_windowed_chains_give_the_longest_paths():
    """Without cycles the checker's passes go only as far as a query needs (a window of
    topological positions, widened on demand): on random DAGs of 300 tasks (negative minimum
    lags too) every lower bound is the longest path, as plain Bellman-Ford finds it."""
    import random
    rng = random.Random(16)
    for _ in range(3):
        n = 300
        names = [f"t{i}" for i in range(n)]
        rng.shuffle(names)   # topological order is not the order of the names
        tasks = {t: (rng.randint(0, 3), 0, None) for t in names}
        arcs = []
        for i in range(n):
            for _ in range(2):
                j = i + rng.choice([1, 2, 5, 30, 120])
                if j < n:
                    arcs.append((names[i], names[j], rng.randint(-2, 2), None))
        mm = MemoryModel(tasks, set(), arcs, [])
        for _ in range(200):
            a, b = rng.sample(names, 2)
            best = {a: 0}   # longest paths from a, by rounds
            for _ in range(n):
                changed = False
                for x, y, lag, _ in arcs:
                    if x in best and best[x] + tasks[x][0] + lag > best.get(y, -10 ** 9):
                        best[y] = best[x] + tasks[x][0] + lag
                        changed = True
                if not changed:
                    break
            forward = rng.random() < 0.5
            assert mm.chains.lb(a, b, forward) == best.get(b), (a, b, forward)


def test_guarded_capacity_rows_back_a_peak_claim(tmp_path):
    """liveness.py bound(guarded=True): "g -> live bytes <= B - fixed" as one row, the guard
    weighing total - room. Under g (peak <= 11) x at b and y at a would each make 12."""
    atoms = ATOMS + ['9 guard peak "M" <= 11']
    rows = [row([3, 9], [6, 1], 6, "b", ["y"]), row([4, 9], [6, 1], 6, "a", ["x"])]
    lemmas = [lemma([-3, -9], "slack", constraint=0), lemma([-4, -9], "slack", constraint=1),
              LEMMAS[2]]
    v = verdict(peak(tmp_path, "ok", atoms=atoms, rows=rows, lemmas=lemmas))
    assert v.ok, v.reason
    # the guard weighing 2: under g at most 4 live bytes, more than "peak <= 11" says
    heavy = [row([3, 9], [6, 2], 6, "b", ["y"]), rows[1]]
    v = verdict(peak(tmp_path, "heavy", atoms=atoms, rows=heavy, lemmas=lemmas))
    assert v.status == "rejected" and "allows 4 live bytes, less than 11 - 6 fixed" in v.reason
    # without g the row must hold whatever is live
    low = [row([3, 9], [6, 1], 5, "b", ["y"]), rows[1]]
    v = verdict(peak(tmp_path, "low", atoms=atoms, rows=low, lemmas=lemmas))
    assert v.status == "rejected" and "bound 5 below the live weights 6" in v.reason
    # a guard of another memory, or a negative guard literal, is no guard of the row
    other = [row([3, -9], [6, 1], 6, "b", ["y"]), rows[1]]
    v = verdict(peak(tmp_path, "negative", atoms=atoms, rows=other, lemmas=lemmas))
    assert v.status == "rejected" and "no live literal, slack bit or peak guard" in v.reason


def test_names_are_json_strings_in_atoms_and_rows(tmp_path):
    """Memory and buffer names with spaces, quotes, backslashes and non-ASCII letters (DNN
    tensors have such names): atoms.txt and constraints.json carry them as JSON strings."""
    memory, x, y = 'M "0" \\ é', "x y", "日本"
    data = json.loads(model(capacity=10))
    data["memories"][0]["name"] = memory
    data["memories"][0]["buffers"][0]["name"] = x
    data["memories"][0]["buffers"][1]["name"] = y
    text = json.dumps(data)
    m, bx, by = (json.dumps(n, ensure_ascii=False) for n in (memory, x, y))
    atoms = ATOMS[:2] + [f'3 live {m} {bx} "b"', f'4 live {m} {by} "a"']
    rows = [dict(ROWS[0], memory=memory, fixed=[y]), dict(ROWS[1], memory=memory, fixed=[x])]
    v = verdict(infeasible(tmp_path, "ok", text=text, atoms=atoms, rows=rows))
    assert v.ok, v.reason
    # y's live literal at b, where the row counts y as fixed already
    atoms = ATOMS[:2] + [f'3 live {m} {by} "b"', f'4 live {m} {by} "a"']
    v = verdict(infeasible(tmp_path, "swapped", text=text, atoms=atoms, rows=rows))
    assert v.status == "rejected" and "日本 counts twice" in v.reason
