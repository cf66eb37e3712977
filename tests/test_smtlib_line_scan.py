"""The C reader of the commonest assertion line (smtsched.smtlib._line_scan) against its twin,
the regular expressions of smtsched.smtlib.fast_assert: whatever line it takes, the Python
shortcut takes too, with the same record (the same literals, the same variable Terms, the
same constants); every other line it leaves (None) to them. The end-to-end equality of the
shortcut with the general path is tests/test_smtlib_fast_assert.py's."""
import io
import os
import random

import pytest

from smtsched.smtlib import fast_assert
from smtsched.smtlib.script import Script

scan_clause = fast_assert.scan_clause

pytestmark = pytest.mark.skipif(
    scan_clause is None and os.environ.get("SMTSCHED_PUREPYTHON") == "1",
    reason="a pure-Python install has no compiled reader")

SYMBOL_START = "abcxyzXY~!@$%^&*_-+=<>.?/"
SYMBOL_REST = SYMBOL_START + "0123456789"


def test_the_compiled_reader_is_built():
    # (outside a pure-Python install: else every test below would compare nothing)
    assert scan_clause is not None


def script_with(declarations):
    """A Script that has run `declarations` (text), and the Python shortcut without the C
    reader."""
    script = Script(io.StringIO())
    assert script.run(declarations.encode()) == 0
    return script, fast_assert.assertion_shortcut(script, scan=None)


def same_record(a, b):
    if a.__class__ is not b.__class__ or a.clause != b.clause:
        return False
    if len(a.literals) != len(b.literals):
        return False
    for (n1, op1, x1, y1, c1), (n2, op2, x2, y2, c2) in zip(a.literals, b.literals):
        if n1 is not n2 or op1 != op2 or x1 is not x2 or y1 is not y2:
            return False
        if c1 != c2 or type(c1) is not type(c2):
            return False
    return True


def check_line(script, python, line):
    """1 if the C reader took `line` (and then the Python shortcut gives the same record),
    0 if it left it."""
    got = scan_clause(line, script.elab.globals)
    if got is None:
        return 0
    expected = python(line)
    assert expected is not None, line
    assert same_record(got, expected), line
    return 1


NAMES = ["x0", "x1", "x2", "a-b", "<=>", "x.y?", "~q", "Z9", "v_10"]
DECLARATIONS = "".join("(declare-fun |%s| () Int)\n" % name for name in NAMES) + \
    "(declare-fun r () Real)\n(declare-fun r2 () Real)\n(declare-fun b () Bool)\n" \
    "(define-fun k () Int (+ x0 1))\n(declare-const x3 Int)\n"


def numeral(rng):
    digits = rng.choice([1, 1, 2, 3, 17, 18, 19, 25])
    text = "".join(rng.choice("0123456789") for _ in range(digits))
    return text if rng.random() < 0.5 else "(- %s)" % text


def literal(rng, names):
    x, y = rng.choice(names), rng.choice(names)
    atom = "(%s (- %s %s) %s)" % (rng.choice(["<=", "<", ">=", ">"]), x, y, numeral(rng))
    return "(not %s)" % atom if rng.random() < 0.25 else atom


def line_of(rng, names):
    k = rng.randint(1, 4)
    end = rng.choice(["\n", "", "\r\n", "  \n", "\t\n"])
    if k == 1 and rng.random() < 0.5:
        return "(assert %s)%s" % (literal(rng, names), end)
    return "(assert (or %s))%s" % (" ".join(literal(rng, names) for _ in range(k)), end)


def test_canonical_lines_read_as_the_python_shortcut_reads_them():
    rng = random.Random(1207)
    script, python = script_with(DECLARATIONS)
    declared = NAMES + ["x3"]
    taken = 0
    for _ in range(3000):
        taken += check_line(script, python, line_of(rng, declared))
    assert taken > 1000   # most of them: not a vacuous comparison


def test_lines_it_must_leave_to_the_python_shortcut():
    script, python = script_with(DECLARATIONS)
    leave = [
        "(assert (<= (- r r2) 3))",            # Real: the Term path
        "(assert (<= (- x0 r) 3))",            # mixed sorts: an error, from the general path
        "(assert (<= (- x0 b) 3))",            # a Bool
        "(assert (<= (- x0 k) 3))",            # a defined constant, not a variable
        "(assert (<= (- x0 x0) 3))",           # x - x
        "(assert (<= (- x0 nope) 3))",         # undeclared
        "(assert (<= (- x0 x1) 1234567890123456789))",   # 19 digits
        "(assert (<= (- x0 x1) 3)) ; comment",
        "(assert (<= (- x0 x1) 3)) (check-sat)",
        "(assert (<= (- x0 x1) 3)",            # not closed
        "(assert (or (<= (- x0 x1) 3) ))",     # other white space: the regexes' business
        "(assert  (<= (- x0 x1) 3))",
        " (assert (<= (- x0 x1) 3))",
        "(assert (<= (-  x0 x1) 3))",
        "(assert (<= (- x0 x1) (-  3)))",
        "(assert (<= (- x0 x1) 3.5))",
        "(assert (<= (- x0 x1) x2))",
        "(assert (= (- x0 x1) 3))",
        "(assert (or))",
        "(assert (and (<= (- x0 x1) 3)))",
        "(assert (<= (- x0 x1) 3))\u00e9",
        "(assert (<= (- x\u00e9 x1) 3))",
        "(assert (not (not (<= (- x0 x1) 3))))",
        "(declare-fun y () Int)",
        "",
        "(assert",
    ]
    for line in leave:
        assert scan_clause(line, script.elab.globals) is None, line


def test_mutated_lines_are_taken_only_as_the_python_shortcut_takes_them():
    # random edits of good lines: whatever the C reader still takes, Python takes the same
    rng = random.Random(16)
    script, python = script_with(DECLARATIONS)
    declared = NAMES + ["x3", "r", "b", "k", "undeclared", "<="]
    alphabet = "() -<=>0123456789xnot\t\n" + SYMBOL_REST
    taken = 0
    for _ in range(20000):
        text = list(line_of(rng, declared))
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            kind = rng.random()
            if kind < 0.4 and at < len(text):
                del text[at]
            elif kind < 0.7 and at < len(text):
                text[at] = rng.choice(alphabet)
            else:
                text.insert(at, rng.choice(alphabet))
        taken += check_line(script, python, "".join(text))
    assert taken > 100


def test_the_reader_follows_declarations_and_scopes():
    # a name declared after the reader was made, and one popped away, are looked up anew
    script = Script(io.StringIO())
    text = ("(declare-fun p () Int)\n(push 1)\n(declare-fun q () Int)\n"
            "(assert (<= (- p q) 1))\n(pop 1)\n(assert (<= (- p q) 1))\n")
    script.run(text.encode())
    assert script.out.getvalue() == "(error \"line 6 column 18: unknown constant 'q'\")\n"
    assert script.errors == 1
    assert script.solver.assertions() == []   # the first one went with its scope


def test_a_line_the_shortcut_carried_out_yields_no_token():
    from smtsched.smtlib.lexer import TAKEN, Lexer

    def shortcut(line):
        return TAKEN if line.startswith("(assert") else None
    tokens = list(Lexer(b"(assert (<= (- x y) 1))\n(check-sat)\n", shortcut=shortcut))
    assert [(t[0], t[2]) for t in tokens] == [("(", 2), ("sym", 2), (")", 2)]


def test_assertions_carried_out_in_the_lexer_answer_as_the_general_path():
    # print-success after each, the gc.freeze every 1,024 lines, the model of the last check
    lines = ["(set-option :print-success true)", "(set-logic QF_IDL)"]
    lines += ["(declare-fun x%d () Int)" % k for k in range(1200)]
    lines += ["(assert (<= (- x%d x%d) (- 1)))" % (k, k + 1) for k in range(1199)]
    lines += ["(check-sat)", "(get-value (x0 x1199))", "(assert (<= (- x1199 x0) 0))",
              "(check-sat)"]
    text = ("\n".join(lines) + "\n").encode()
    outputs = []
    for general in (False, True):
        script = Script(io.StringIO())
        if general:
            script._shortcut = lambda line: None
        script.run(text)
        outputs.append(script.out.getvalue())
    assert outputs[0] == outputs[1]
    assert outputs[0].count("success") == 2 + 1200 + 1199 + 1
    tail = outputs[0].split("success\n")[-2:]
    assert tail[0].startswith("sat\n((x0 ") and tail[1] == "unsat\n"
    assert tail[0] == "sat\n((x0 (- 1199))\n (x1199 0))\n"   # x0 < x1 < ... < x1199
