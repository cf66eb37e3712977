"""Differential fuzzing of the real `smtsched solve` process against z3 on random SMT-LIB scripts.

Scripts are drawn from the fragment smtsched supports (QF_IDL / QF_RDL with Boolean structure):
push/pop, check-sat-assuming, several (minimize)/(maximize) objectives, get-objectives,
get-value, get-model, constants up to 10^30 of both signs, Reals with fractions. Many scripts
go into one file, separated by (reset) and marked by (echo "@@k"), and the file is run once by
`smtsched solve` (the installed console script, as a user runs it) and once by the z3 binary.

For every script:
* each check-sat / check-sat-assuming answer agrees with z3 (no timeout is given, so
  `unknown` is a failure);
* every model smtsched prints (get-model, get-value) satisfies the assertions in scope and the
  assumptions of the last check, and the objective values it reported: z3 checks that with
  every declared constant fixed to the printed value;
* get-objectives agrees with z3 objective by objective, values "at infinity" after an
  unbounded objective included, up to the first one z3 can only give as an interval: there
  smtsched lists no more objectives or gives a value inside z3's interval (z3 is not sure of
  it; smtsched proves it, see smtsched/smtlib/objectives.py);
* errors happen in the same places (both or neither), and never a traceback.

The oracle is z3 alone: nothing here imports smtsched.
"""
import faulthandler
import os
import random
import re
import shutil
import subprocess
import sys
import sysconfig

import pytest

z3 = pytest.importorskip("z3")

SCRIPTS_DIR = sysconfig.get_path("scripts")


def _executable(name):
    path = os.path.join(SCRIPTS_DIR, name)
    return path if os.path.exists(path) else shutil.which(name)


Z3_BINARY = _executable("z3")
SMTSCHED = _executable("smtsched")
SOLVE = [SMTSCHED, "solve", "-"] if SMTSCHED else [sys.executable, "-m", "smtsched.cli",
                                                   "solve", "-"]

BATCH = 50          # scripts per process
CI_SCRIPTS = 1000   # the issue asks for at least 1,000 per CI run
SOAK_SCRIPTS = 20000


# ---------------------------------------------------------------------------------------------
# generation

def _int_text(v):
    return f"(- {-v})" if v < 0 else str(v)


class ScriptGenerator:
    """One random script; it also records, for each output-producing command, what is needed
    to judge the answer (the assertions in scope, the assumptions, the objectives)."""

    def __init__(self, rng):
        self.rng = rng
        self.real = rng.random() < 0.3
        self.sort = "Real" if self.real else "Int"
        n = rng.randint(1, 5)
        self.vars = [f"x{i}" for i in range(n)]
        self.bools = [f"b{i}" for i in range(rng.randint(0, 3))]
        self.lines = []
        self.stack = [[]]          # per scope: assertion texts
        self.obj_stack = [[]]      # per scope: (sense, term text)
        self.events = []           # per output: (kind, data)
        self.assumptions = []

    # -- terms ---------------------------------------------------------------------------
    def constant(self):
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            v = rng.randint(-12, 12)
        elif r < 0.75:
            v = rng.randint(-1000, 1000)
        else:
            v = rng.choice([-1, 1]) * rng.randint(1, 10 ** rng.choice([9, 15, 18, 19, 20, 25, 30]))
        if not self.real:
            return _int_text(v)
        if rng.random() < 0.3:
            d = rng.randint(2, 7)
            text = f"(/ {abs(v)}.0 {d}.0)"
            return f"(- {text})" if v < 0 else text
        return f"(- {-v}.0)" if v < 0 else f"{v}.0"

    def difference(self):
        rng = self.rng
        x = rng.choice(self.vars)
        r = rng.random()
        if r < 0.35 or len(self.vars) == 1:
            return x
        y = rng.choice([v for v in self.vars if v != x])
        if r < 0.8:
            return f"(- {x} {y})"
        return f"(+ {x} (- {y}))"

    def atom(self):
        rng = self.rng
        if self.bools and rng.random() < 0.2:
            return rng.choice(self.bools)
        op = rng.choice(["<=", "<", ">=", ">", "=", "<=", ">="])
        r = rng.random()
        if r < 0.6:
            return f"({op} {self.difference()} {self.constant()})"
        x = rng.choice(self.vars)
        y = rng.choice(self.vars)
        if r < 0.8:
            return f"({op} {x} {y})"
        if r < 0.9:
            return f"({op} (+ {x} {self.constant()}) {y})"
        if len(self.vars) >= 2 and rng.random() < 0.5:
            return f"(distinct {x} {y})"
        c = self.constant()
        return f"({op} (ite {self.atom()} {x} (+ {y} {c})) {self.constant()})"

    def formula(self, depth):
        rng = self.rng
        if depth == 0 or rng.random() < 0.35:
            a = self.atom()
            return f"(not {a})" if rng.random() < 0.2 else a
        op = rng.choice(["and", "or", "or", "not", "=>", "xor", "ite", "=", "let"])
        if op == "let":
            # a shared sub-formula, used twice
            shared = self.formula(depth - 1)
            return f"(let ((s{depth} {shared})) (or (and s{depth} {self.atom()}) (not s{depth})))"
        if op == "not":
            return f"(not {self.formula(depth - 1)})"
        if op in ("=>", "xor", "="):
            return f"({op} {self.formula(depth - 1)} {self.formula(depth - 1)})"
        if op == "ite":
            parts = " ".join(self.formula(depth - 1) for _ in range(3))
            return f"(ite {parts})"
        parts = " ".join(self.formula(depth - 1) for _ in range(rng.randint(2, 3)))
        return f"({op} {parts})"

    def objective(self):
        rng = self.rng
        r = rng.random()
        term = self.difference()
        if r < 0.15:
            term = f"(+ {term} {self.constant()})"
        elif r < 0.25:
            term = f"(* {_int_text(rng.choice([2, 3, -1]))} {term})"
        elif r < 0.3 and self.bools:
            term = f"(ite {rng.choice(self.bools)} {term} {rng.choice(self.vars)})"
        return term

    # -- commands ------------------------------------------------------------------------
    def emit(self, line):
        self.lines.append(line)

    def in_scope(self):
        return [a for frame in self.stack for a in frame]

    def objectives(self):
        return [o for frame in self.obj_stack for o in frame]

    def check(self):
        rng = self.rng
        if self.bools and rng.random() < 0.3:
            lits = [b if rng.random() < 0.5 else f"(not {b})"
                    for b in rng.sample(self.bools, rng.randint(1, len(self.bools)))]
            self.emit(f"(check-sat-assuming ({' '.join(lits)}))")
            self.assumptions = lits
        else:
            self.emit("(check-sat)")
            self.assumptions = []
        self.events.append(("check", None))
        snapshot = (self.in_scope(), list(self.assumptions), self.objectives())
        for _ in range(rng.randint(0, 2)):
            r = rng.random()
            if r < 0.4:
                self.emit("(get-model)")
                self.events.append(("model", snapshot))
            elif r < 0.7:
                names = rng.sample(self.vars, rng.randint(1, len(self.vars)))
                self.emit(f"(get-value ({' '.join(names)}))")
                self.events.append(("value", snapshot))
            elif snapshot[2]:
                self.emit("(get-objectives)")
                self.events.append(("objectives", snapshot))

    def generate(self):
        rng = self.rng
        # z3's QF_IDL / QF_RDL refuse some difference constraints that it reads as sums
        # ((+ x (- y)) <= c); QF_LIA / QF_LRA take them, and smtsched reads both.
        if rng.random() < 0.9:
            self.emit(f"(set-logic {'QF_LRA' if self.real else 'QF_LIA'})")
        for v in self.vars:
            self.emit(f"(declare-const {v} {self.sort})")
        for b in self.bools:
            self.emit(f"(declare-const {b} Bool)")
        if not self.real and rng.random() < 0.4:
            # several objectives from the start: lexicographic order, values at infinity
            for _ in range(rng.randint(1, 3)):
                sense = rng.choice(["minimize", "maximize"])
                term = self.objective()
                self.emit(f"({sense} {term})")
                self.obj_stack[-1].append((sense, term))
        for _ in range(rng.randint(2, 10)):
            r = rng.random()
            if r < 0.5:
                formula = self.formula(rng.randint(0, 3))
                self.emit(f"(assert {formula})")
                self.stack[-1].append(formula)
            elif r < 0.6:
                levels = rng.choice([1, 1, 1, 2])
                self.emit(f"(push {levels})")
                for _ in range(levels):
                    self.stack.append([])
                    self.obj_stack.append([])
            elif r < 0.7 and len(self.stack) > 1:
                levels = rng.randint(1, len(self.stack) - 1)
                self.emit(f"(pop {levels})")
                for _ in range(levels):
                    self.stack.pop()
                    self.obj_stack.pop()
            elif r < 0.82 and not self.real:
                sense = rng.choice(["minimize", "maximize"])
                term = self.objective()
                self.emit(f"({sense} {term})")
                self.obj_stack[-1].append((sense, term))
            else:
                self.check()
        self.check()
        if self.objectives():
            self.emit("(get-objectives)")
            self.events.append(("objectives", (self.in_scope(), list(self.assumptions),
                                               self.objectives())))
        return self


# ---------------------------------------------------------------------------------------------
# output parsing

def parse_sexprs(text):
    """The s-expressions of `text`: atoms are strings, lists are Python lists."""
    tokens = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()":
            tokens.append(c)
            i += 1
        elif c == '"':
            j = i + 1
            while j < n:
                if text[j] == '"':
                    if j + 1 < n and text[j + 1] == '"':
                        j += 2
                        continue
                    break
                j += 1
            tokens.append(text[i:j + 1])
            i = j + 1
        elif c == "|":
            j = text.index("|", i + 1)
            tokens.append(text[i:j + 1])
            i = j + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '()"':
                j += 1
            tokens.append(text[i:j])
            i = j
    out, stack = [], []
    for token in tokens:
        if token == "(":
            stack.append([])
        elif token == ")":
            done = stack.pop()
            (stack[-1] if stack else out).append(done)
        else:
            (stack[-1] if stack else out).append(token)
    assert not stack, f"unbalanced output: {text[-200:]}"
    return out


def to_text(node):
    return node if isinstance(node, str) else "(" + " ".join(to_text(x) for x in node) + ")"


def split_by_marker(text, count):
    """The output of each script, keyed by its @@k marker line."""
    parts = {}
    current = None
    for line in text.splitlines(keepends=True):
        if line.startswith("@@"):
            current = int(line[2:].strip().strip('"'))
            parts[current] = ""
        elif current is not None:
            parts[current] += line
    return [parse_sexprs(parts.get(k, "")) for k in range(count)]


def is_error(node):
    return isinstance(node, list) and node and node[0] == "error"


# ---------------------------------------------------------------------------------------------
# judging

def model_holds(script, snapshot, assignment, objective_values):
    """z3 decides whether `assignment` ({name: value text}) satisfies the snapshot's
    assertions and assumptions, and gives the objectives the values reported."""
    assertions, assumptions, objectives = snapshot
    lines = [f"(declare-const {v} {script.sort})" for v in script.vars]
    lines += [f"(declare-const {b} Bool)" for b in script.bools]
    lines += [f"(assert {a})" for a in assertions + assumptions]
    for name, value in assignment.items():
        if script.real and name in script.vars:
            # smtsched prints Reals as (/ 1 3) (what the README promises); spelt with
            # decimals they stay Reals in z3 whatever the logic
            value = re.sub(r"(?<![\d.])(\d+)(?![\d.])", r"\1.0", value)
        lines.append(f"(assert (= {name} {value}))")
    for (_, term), value in zip(objectives, objective_values or []):
        if value is not None:
            lines.append(f"(assert (= {term} {value}))")
    solver = z3.Solver()
    try:
        solver.from_string("\n".join(lines))
    except z3.Z3Exception:
        return False  # z3 cannot read what smtsched printed
    return solver.check() == z3.sat


def objective_values(node):
    """(objectives (t v) ...) -> [value text or "oo"-ish]."""
    return [to_text(row[1]) for row in node[1:]]


def extended_int(node):
    """An objective value as a number: int, or +-inf for oo and (* (- 1) oo)."""
    text = to_text(node)
    if text == "oo":
        return float("inf")
    if text == "(* (- 1) oo)":
        return float("-inf")
    if isinstance(node, list) and node[0] == "-" and len(node) == 2:
        return -int(node[1])
    return int(text)


def objectives_agree(mine, z3s):
    """Objective by objective: smtsched's value equals z3's; where z3 gives an interval (the
    value "at infinity" after an unbounded objective, which z3 could not decide), smtsched
    either lists no more objectives or gives a value inside the interval, and the comparison
    ends there (z3's later values depend on its choice in the interval)."""
    mine_rows, z3_rows = mine[1:], z3s[1:]
    for index, z3_row in enumerate(z3_rows):
        value = z3_row[1]
        interval = isinstance(value, list) and value and value[0] == "interval"
        if index >= len(mine_rows):
            return interval
        if interval:
            ours = extended_int(mine_rows[index][1])
            return extended_int(value[1]) <= ours <= extended_int(value[2])
        if to_text(mine_rows[index][1]) != to_text(value):
            return False
    return len(mine_rows) == len(z3_rows)


def judge(script, ours, theirs):
    """A list of disagreements (empty when all is well)."""
    problems = []
    o, t = list(ours), list(theirs)
    if len(o) != len(t):
        return [f"{len(o)} responses from smtsched, {len(t)} from z3: {o!r} / {t!r}"]
    last_answer = None
    last_values = None  # objective values of the last check, for the models
    for k, (kind, snapshot) in enumerate(script.events):
        mine, z3s = o[k], t[k]
        if kind != "check" and last_answer != "sat":
            continue  # after unsat, z3 still prints objectives; smtsched says it has none
        if is_error(mine) != is_error(z3s):
            problems.append(f"response {k} ({kind}): smtsched {to_text(mine)} / z3 {to_text(z3s)}")
            continue
        if is_error(mine):
            continue
        if kind == "check":
            last_answer = z3s
            last_values = None
            if z3s == "unknown":
                continue
            if mine != z3s:
                problems.append(f"check {k}: smtsched {mine}, z3 {z3s}")
                last_answer = None  # the rest of this check cannot be compared
        elif kind == "objectives":
            mine_values = objective_values(mine)
            if not objectives_agree(mine, z3s):
                problems.append(f"objectives {k}: smtsched {to_text(mine)}, z3 {to_text(z3s)}")
            last_values = [None if "oo" in v else v for v in mine_values]
        elif kind == "model":
            assignment = {row[1]: to_text(row[-1]) for row in mine}
            if not model_holds(script, snapshot, assignment, last_values):
                problems.append(f"model {k} does not satisfy the assertions: {to_text(mine)}")
        elif kind == "value":
            assignment = {row[0]: to_text(row[1]) for row in mine}
            if not model_holds(script, snapshot, assignment, last_values):
                problems.append(f"values {k} do not satisfy the assertions: {to_text(mine)}")
    return problems


def run_batch(scripts):
    text = "".join(f'(echo "@@{k}")\n' + "\n".join(s.lines) + "\n(reset)\n"
                   for k, s in enumerate(scripts))
    ours = subprocess.run(SOLVE, input=text, capture_output=True, text=True, timeout=600)
    theirs = subprocess.run([Z3_BINARY, "-in"], input=text, capture_output=True, text=True,
                            timeout=600)
    assert "Traceback" not in ours.stderr, ours.stderr[-3000:]
    assert ours.stderr == "", ours.stderr[-3000:]
    our_parts = split_by_marker(ours.stdout, len(scripts))
    z3_parts = split_by_marker(theirs.stdout, len(scripts))
    failures = []
    for k, script in enumerate(scripts):
        problems = judge(script, our_parts[k], z3_parts[k])
        if problems:
            failures.append("\n".join(script.lines) + "\n;; " + "\n;; ".join(problems))
    return failures


def fuzz(count, seed):
    rng = random.Random(seed)
    failures = []
    for start in range(0, count, BATCH):
        scripts = [ScriptGenerator(rng).generate() for _ in range(min(BATCH, count - start))]
        failures += run_batch(scripts)
    return failures


needs_z3_binary = pytest.mark.skipif(Z3_BINARY is None, reason="the z3 binary is not installed "
                                     "(pip install z3-solver puts it beside python)")


@needs_z3_binary
def test_random_scripts_through_smtsched_solve_agree_with_z3():
    failures = fuzz(CI_SCRIPTS, seed=20261206)
    assert not failures, f"{len(failures)} disagreements; the first:\n" + failures[0]


@needs_z3_binary
@pytest.mark.slow
def test_soak_random_scripts_agree_with_z3():
    # Longer than the conftest watchdog's 600 s; every process here runs under its own
    # subprocess timeout, so nothing can hang: no watchdog for this test.
    faulthandler.cancel_dump_traceback_later()
    failures = fuzz(SOAK_SCRIPTS, seed=int(os.environ.get("SMTSCHED_SOAK_SEED", "7")))
    assert not failures, f"{len(failures)} disagreements; the first:\n" + failures[0]


def test_the_judge_catches_a_wrong_answer_a_wrong_model_and_a_wrong_optimum():
    script = ScriptGenerator(random.Random(0))
    script.real, script.sort, script.vars, script.bools = False, "Int", ["x0", "x1"], []
    snapshot = (["(<= (- x0 x1) 3)", "(<= x1 5)"], [], [("maximize", "x0")])
    script.events = [("check", None), ("objectives", snapshot), ("model", snapshot)]
    z3_text = "sat\n(objectives\n (x0 8)\n)\n((define-fun x0 () Int 8) (define-fun x1 () Int 5))"

    def verdict(our_text):
        return judge(script, parse_sexprs(our_text), parse_sexprs(z3_text))

    assert verdict(z3_text) == []
    assert verdict(z3_text.replace("sat", "unsat", 1))                  # wrong answer
    assert verdict(z3_text.replace("(x0 8)", "(x0 7)"))                 # wrong optimum
    assert verdict(z3_text.replace("(x0 8)", "(x0 oo)"))                # wrong "unbounded"
    assert verdict(z3_text.replace("Int 8)", "Int 7)"))                 # model off the optimum
    assert verdict(z3_text.replace("Int 5))", "Int 4))"))               # model breaks an assertion
    assert verdict(z3_text.replace("sat\n", "sat\n(error \"x\")\n", 1))  # an extra error


def test_the_judge_takes_a_value_inside_z3s_interval_and_nothing_outside():
    z3s = parse_sexprs("(objectives (x oo) (y (interval (* (- 1) oo) 848)) (z 3))")[0]
    assert objectives_agree(parse_sexprs("(objectives (x oo) (y 0) (z 5))")[0], z3s)
    assert objectives_agree(parse_sexprs("(objectives (x oo))")[0], z3s)
    assert not objectives_agree(parse_sexprs("(objectives (x oo) (y 849))")[0], z3s)
    assert not objectives_agree(parse_sexprs("(objectives (x 5) (y 0))")[0], z3s)
    assert not objectives_agree(parse_sexprs("(objectives)")[0], z3s)
