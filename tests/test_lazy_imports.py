"""`smtsched solve` on a file of difference logic imports no module it does not use: the
global constraints' spec classes (smtsched.core.specs, with dataclasses) come in when a
global constraint is compiled or built, not at start-up (smtsched/compile.py, _specs_later;
smtsched/core/__init__.py). Each check runs in a fresh interpreter, where nothing was imported
before."""
import os
import subprocess
import sys

import pytest

DL_SCRIPT = """\
(set-logic QF_IDL)
(declare-fun x () Int)
(declare-fun y () Int)
(assert (or (<= (- x y) 2) (< (- y x) (- 3))))
(assert (<= (- y x) 1))
(check-sat)
(get-value (x y))
"""


def fresh(code, stdin=None):
    # from the tests' folder: started at the checkout root, Python would import the source
    # tree (without its compiled theories) instead of the installed package
    done = subprocess.run([sys.executable, "-c", code], input=stdin, capture_output=True,
                          text=True, timeout=120, cwd=os.path.dirname(os.path.abspath(__file__)))
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_solving_difference_logic_needs_no_spec_classes():
    out = fresh(
        "import io, sys\n"
        "from smtsched import cli\n"
        "from smtsched.smtlib.script import Script\n"
        "s = Script(io.StringIO(), isolate=True)\n"
        "s.run(sys.stdin.buffer.read())\n"
        "print(s.out.getvalue().split()[0])\n"
        "print('smtsched.core.specs' in sys.modules)\n", DL_SCRIPT)
    assert out.split() == ["sat", "False"]


@pytest.mark.parametrize("build", [
    # the compiler makes the spec of a global constraint, and the factory builds its theory
    "from smtsched import Ints, Solver, Disjunctive\n"
    "a, b = Ints('a b')\n"
    "s = Solver(); s.add(a >= 0, b >= 0, Disjunctive([a, b], [3, 4]), a + 0 <= 2, b <= 2)\n"
    "print(s.check())\n",
    # the package's names for them
    "from smtsched.core import Task, CostSpec, DisjunctiveOptions\n"
    "print('unsat' if Task.__module__ == 'smtsched.core.specs' else 'wrong')\n",
])
def test_the_spec_classes_come_in_when_needed(build):
    assert fresh(build).split() == ["unsat"]


def test_a_name_the_core_package_lacks_is_still_an_attribute_error():
    out = fresh("import smtsched.core as c\n"
                "try:\n    c.NoSuchSpec\nexcept AttributeError as e:\n    print('ok')\n")
    assert out.split() == ["ok"]
