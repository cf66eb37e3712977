"""No input makes Solver.check or an SMT-LIB script end in a traceback: an SmtschedError with a
message, or unknown with the reason (issue 14, item 4)."""
import io
import subprocess
import sys

import pytest

from smtsched import Ints, Not, Or, Solver, sat, unknown
from smtsched.smtlib.script import Script
from smtsched.terms import Cumulative, Disjunctive


def chain_solver(n):
    xs = Ints(" ".join(f"x{i}" for i in range(n)))
    s = Solver()
    for a, b in zip(xs, xs[1:]):
        s.add(a - b <= 1)
    return s


@pytest.fixture
def dense_only(monkeypatch):
    """The dense difference theory for every graph (SMTSCHED_DIFFERENCE=dense): by default
    graphs this large get the sparse theory, which has no node limit
    (tests/test_sparse_difference_scale.py)."""
    import smtsched.theory
    monkeypatch.setattr(smtsched.theory, "DIFFERENCE", "dense")
    monkeypatch.setenv("SMTSCHED_DIFFERENCE", "dense")   # for isolated checks too


def test_above_the_dense_theorys_node_limit_check_answers_unknown_with_the_reason(dense_only):
    # was: ValueError("difference graph with 3001 nodes exceeds ...") out of Solver.check
    s = chain_solver(3000)
    assert s.check() == unknown
    assert "3001 nodes" in s.reason_unknown() and "limit of 2048" in s.reason_unknown()


def test_at_the_node_limit_check_still_solves(dense_only):
    s = chain_solver(2047)  # 2047 variables and the origin
    assert s.check() == sat


def test_above_the_node_limit_in_an_isolated_check_too(dense_only):
    s = chain_solver(2100)
    s.set(isolate=True)
    assert s.check() == unknown and "limit of 2048" in s.reason_unknown()


def test_above_the_node_limit_a_script_answers_unknown_and_names_the_reason(dense_only):
    n = 2100
    text = "".join(f"(declare-const x{i} Int)" for i in range(n))
    text += "".join(f"(assert (<= (- x{i} x{i + 1}) 1))" for i in range(n - 1))
    text += "(check-sat)(get-info :reason-unknown)"
    out = io.StringIO()
    errors = Script(out).run(text.encode())
    lines = out.getvalue().splitlines()
    assert errors == 0 and lines[0] == "unknown"
    assert "2101 nodes" in lines[1]


@pytest.mark.parametrize("make", [
    lambda xs: Cumulative(xs, [10 ** 20, 1, 2], [1, 1, 1], 1),
    lambda xs: Disjunctive(xs, [10 ** 20, 1, 2]),
], ids=["cumulative", "disjunctive"])
def test_global_constraints_with_constants_beyond_64_bits_use_the_exact_theories(make):
    xs = Ints("a b c")
    s = Solver()
    s.add([x >= 0 for x in xs] + [x <= 10 ** 21 for x in xs])
    s.add(make(xs))
    assert s.check() == sat
    m = s.model()
    starts = sorted((m[x], d) for x, d in zip(xs, [10 ** 20, 1, 2]))
    assert all(s1 + d1 <= s2 for (s1, d1), (s2, _) in zip(starts, starts[1:]))


def test_huge_constants_and_deep_terms_are_solved_not_crashed():
    x, y = Ints("x y")
    s = Solver()
    s.add(x <= 10 ** 3000, x >= 10 ** 3000 - 3, Or(x - y <= -10 ** 2000, y <= 0))
    assert s.check() == sat and s.model()[x] >= 10 ** 3000 - 3
    term = x
    for _ in range(20000):
        term = term + 1
    formula = term <= y
    for _ in range(20000):
        formula = Not(Not(formula))
    s = Solver()
    s.add(formula, y <= 0)
    assert s.check() == sat


def test_an_unexpected_exception_in_a_command_is_an_error_line_not_a_traceback(monkeypatch):
    def broken(self, command, args):
        raise KeyError("boom")
    monkeypatch.setitem(__import__("smtsched.smtlib.script", fromlist=["_COMMANDS"])._COMMANDS,
                        "check-sat", broken)
    out = io.StringIO()
    errors = Script(out).run(b"(check-sat)(echo \"after\")")
    lines = out.getvalue().splitlines()
    assert errors == 1 and "internal error (KeyError" in lines[0] and lines[1] == "after"


HOSTILE_SCRIPTS = [
    "(declare-const x Int)(assert (<= x 1" + "0" * 20000 + "))(maximize x)(check-sat)"
    "(get-objectives)",
    "(declare-const x Real)(assert (< x (/ 1 1" + "0" * 5000 + ")))(check-sat)(get-value (x))",
    "(assert " + "(not " * 50000 + "true" + ")" * 50001 + "(check-sat)",
    "(declare-const x Int)(assert (<= x " + "(+ 1 " * 20000 + "0" + ")" * 20000 + "))"
    "(maximize x)(check-sat)(get-objectives)",
    "(declare-const x Int)(maximize (* 3 (* 5 x)))(assert (<= x 2))(check-sat)(get-objectives)",
    "(push 100000)(pop 100000)(check-sat)",
    "(declare-const x Int)(assert (<= (div x 0) 1))(check-sat)",
    "(declare-const x Real)(assert (<= (/ x 0) 1))(check-sat)",
    "(declare-const x Int)(minimize (ite (> x 2) x (- x)))(assert (<= (- 5) x 5))(check-sat)"
    "(get-objectives)",
]


@pytest.mark.parametrize("text", HOSTILE_SCRIPTS, ids=range(len(HOSTILE_SCRIPTS)))
def test_hostile_scripts_through_the_command_line_never_end_in_a_traceback(text, tmp_path):
    # outside the checkout root, where the source folder would shadow the installed package
    # (in a non-editable install every check then failed as an "internal error", and passed)
    done = subprocess.run([sys.executable, "-m", "smtsched.cli", "solve", "-"], input=text,
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    assert "internal error" not in done.stdout, done.stdout
    assert done.returncode in (0, 1), done.stderr


def test_get_value_of_a_numeral_beyond_4300_digits_prints_it():
    # was: (error "... Exceeds the limit (4300 digits) for integer string conversion ...")
    big = "1" + "0" * 5000
    out = io.StringIO()
    errors = Script(out).run(f"(declare-const x Int)(check-sat)(get-value ((+ x {big})))".encode())
    assert errors == 0
    assert out.getvalue().splitlines()[1] == f"(((+ x {big}) {big}))"


def test_a_hint_of_the_wrong_kind_is_refused_when_given_not_inside_check():
    from smtsched.errors import SortError
    x, y = Ints("x y")
    s = Solver()
    s.add(x - y <= 3)
    with pytest.raises(SortError, match="must be a number"):
        s.hint({x: "7"})
    s.hint({x: 7, y: 1})
    assert s.check() == sat
