"""The whole-line assertion shortcut (smtsched.smtlib.fast_assert) and the compiler's direct
path for x - y op c atoms give exactly what the general paths give: the same Terms, the same
compiled problem, the same answers, models and error messages (with line and column)."""
import io
import random
from fractions import Fraction

import pytest

from smtsched import terms as T
from smtsched.compile import Compiler
from smtsched.smtlib import fast_assert
from smtsched.smtlib.script import Script


def run(text, shortcut=True):
    """(output lines, errors, the Script) of `text`, with or without the shortcut."""
    out = io.StringIO()
    script = Script(out)
    script.hits = 0
    if shortcut:
        general = script._shortcut

        def counted(line):
            value = general(line)
            script.hits += value is not None
            return value
        script._shortcut = counted
    else:
        script._shortcut = lambda line: None
    errors = script.run(text.encode())
    return out.getvalue().splitlines(), errors, script


def same_terms(a, b):
    """Structurally equal, constants of the same Python type too (T.same_term checks it)."""
    return len(a) == len(b) and all(T.same_term(x, y) for x, y in zip(a, b))


def random_script(rng, sort="Int", lines=40, n=6):
    def numeral():
        return str(rng.randint(0, 9))

    out = ["(set-logic %s)" % ("QF_IDL" if sort == "Int" else "QF_RDL")]
    out += ["(declare-fun x%d () %s)" % (i, sort) for i in range(n)]

    def atom():
        x, y = rng.sample(range(n), 2)
        c = numeral() if rng.random() < 0.5 else "(- %s)" % numeral()
        text = "(%s (- x%d x%d) %s)" % (rng.choice(["<=", "<", ">=", ">"]), x, y, c)
        return "(not %s)" % text if rng.random() < 0.2 else text

    for _ in range(lines):
        k = rng.randint(1, 3)
        if k == 1 and rng.random() < 0.5:
            out.append("(assert %s)" % atom())
        else:
            out.append("(assert (or %s))" % " ".join(atom() for _ in range(k)))
    out += ["(check-sat)", "(get-model)"]
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("sort", ["Int", "Real"])
def test_random_clauses_give_the_general_paths_terms_answers_and_models(sort):
    rng = random.Random("fast-assert-" + sort)
    used, answers = 0, set()
    for trial in range(25):
        text = random_script(rng, sort, lines=rng.randint(5, 40))
        fast_lines, fast_errors, fast = run(text)
        slow_lines, slow_errors, slow = run(text, shortcut=False)
        # (get-model) after unsat is the one error
        assert fast_errors == slow_errors == (fast_lines[0] == "unsat")
        assert fast_lines == slow_lines
        assert same_terms(fast.solver.assertions(), slow.solver.assertions())
        used += sum(line.startswith("(assert") for line in text.splitlines())
        assert fast.hits == sum(line.startswith(("(assert", "(declare-fun"))
                                for line in text.splitlines())
        answers.add(fast_lines[0])
    assert used > 100 and answers == {"sat", "unsat"}


def test_the_shortcut_takes_the_common_lines_and_leaves_the_rest():
    declared = "(declare-fun x () Int) (declare-fun y () Int) (declare-fun r () Real)\n"
    _, _, script = run(declared)
    shortcut = fast_assert.assertion_shortcut(script)
    taken = ["(assert (<= (- x y) 3))\n", "(assert (or (< (- x y) (- 2)) (not (>= (- y x) 0))))",
             "  (assert\t(or (> (- x y) 007) ) )  \r\n"]
    left = ["(assert (<= (- x y) 3)) ; a comment\n",      # a comment
            "(assert (<= (- x y) 3)) (check-sat)\n",      # a second command
            "(assert (<= (- x z) 3))\n",                  # an undeclared symbol
            "(assert (<= (- x r) 3))\n",                  # Int and Real mixed
            "(assert (<= (- x y) 3.5))\n",                # a decimal
            "(assert (<= (- x y) 3)\n",                   # not closed on the line
            "(assert (<= (- x y) |3|))\n",                # a quoted symbol
            "(assert (<=(- x y) 3))\n",                   # a shape it does not know
            "(assert (<= (- x y) %s))\n" % ("9" * 101),   # a long numeral
            "(assert (! (<= (- x y) 3) :named a))\n"]     # an annotation
    for line in taken:
        assert shortcut(line) is not None, line
    for line in left:
        assert shortcut(line) is None, line
    # what it builds: the elaborator's Term, constants included
    x, y = T.Int("x"), T.Int("y")
    built = shortcut("(assert (or (< (- x y) (- 2)) (not (>= (- y x) 0))))")
    assert isinstance(built, T.DifferenceClause)  # Int atoms: a record, its Term on demand
    assert T.same_term(built.term(), T.Or(x - y < -2, T.Not(y - x >= 0)))
    assert built.term() is built.term()  # built once
    built = shortcut("(assert (not (<= (- x y) 3)))")
    assert T.same_term(built.term(), T.Not(x - y <= 3))
    r = script.elab.globals["r"]
    _, _, script = run("(declare-fun r () Real) (declare-fun s () Real)")
    built = fast_assert.assertion_shortcut(script)("(assert (<= (- r s) (- 3)))")
    assert built.args[1].value == Fraction(-3) and type(built.args[1].value) is Fraction
    assert r.sort == "Real"


BAD = """(set-logic QF_IDL)
(declare-fun x () Int) (declare-fun y () Int) (declare-fun r () Real)
(define-fun f ((a Int)) Int a)
(declare-fun b () Bool)
(assert (<= (- x z) 3))
(assert (or (<= (- x y) 3) (<= (- x r) 1)))
(assert (or (<= (- x y) 3) (<= (- f y) 1)))
(assert (<= (- x b) 3))
(assert (<= (- x y) 3)
(check-sat)
"""


def test_errors_keep_their_messages_lines_and_columns():
    fast_lines, fast_errors, _ = run(BAD)
    slow_lines, slow_errors, _ = run(BAD, shortcut=False)
    assert fast_errors == slow_errors >= 4
    assert fast_lines == slow_lines
    assert any("line 5 column" in line and "unknown constant 'z'" in line for line in fast_lines)


def test_push_pop_declarations_inside_scopes_and_named_terms():
    text = """(set-logic QF_IDL)
(declare-fun x () Int)
(push 1)
(declare-fun y () Int)
(assert (<= (- x y) (- 1)))
(assert (! (<= (- y x) 0) :named n))
(check-sat)
(pop 1)
(assert (<= (- x y) 3))
(push 1)
(declare-fun y () Int)
(assert (or (<= (- x y) (- 5)) (< (- y x) 2)))
(check-sat)
(get-value (x y))
(pop 1)
(check-sat)
"""
    fast_lines, fast_errors, fast = run(text)
    slow_lines, slow_errors, slow = run(text, shortcut=False)
    assert fast_lines == slow_lines
    assert fast_errors == slow_errors == 1  # y is not declared after the first pop
    # the declarations of lines 2, 4 and 11, the assertions of lines 5 and 12; line 9 (y is
    # not declared) and the named one take the general path
    assert fast.hits == 5
    assert fast_lines[:2] == ["unsat", fast_lines[1]] and "line 9" in fast_lines[1]


def test_a_command_spanning_lines_is_never_cut():
    # the second line alone looks like a whole assertion; it belongs to the open '(push'
    text = "(declare-fun x () Int) (declare-fun y () Int)\n(assert (or\n" \
           "(assert (<= (- x y) 3))\n))\n(check-sat)\n"
    fast_lines, fast_errors, _ = run(text)
    slow_lines, slow_errors, _ = run(text, shortcut=False)
    assert fast_lines == slow_lines and fast_errors == slow_errors == 1


class GeneralCompiler(Compiler):
    """The compiler without its direct path for x - y op c atoms."""

    def difference_of_variables(self, op, x, y, c, node):
        return self.comparison(op, node.args[0], node.args[1], node)


def compiled(compiler, formulas):
    for formula in formulas:
        compiler.assert_formula(formula)
    out = compiler.out
    return (out.num_vars, out.clauses,
            {sort: (spec.node_names, spec.node_of, spec.atoms)
             for sort, spec in out.difference.items()})


@pytest.mark.parametrize("make", [T.Int, T.Real])
def test_the_compilers_direct_path_makes_the_same_problem(make):
    rng = random.Random("direct-path")
    xs = [make("v%d" % i) for i in range(7)]
    relations = [lambda a, b: a <= b, lambda a, b: a < b, lambda a, b: a >= b,
                 lambda a, b: a > b]
    formulas = []
    for _ in range(300):
        atoms = []
        for _ in range(rng.randint(1, 3)):
            x, y = rng.sample(xs, 2)
            atoms.append(rng.choice(relations)(x - y, rng.randint(-6, 6)))
        formulas.append(T.Or(*atoms) if len(atoms) > 1 else atoms[0])
    formulas.append(xs[0] - xs[0] <= 2)  # one variable: a constant, the general path
    assert compiled(Compiler(), formulas) == compiled(GeneralCompiler(), formulas)


DECLARATIONS = """(declare-fun x () Int)
(declare-const y Real)
(declare-fun x () Int)
(declare-const true Int)
(declare-fun or () Int)
(declare-const b Bool)
(declare-fun b () Real)
(declare-const xInt)
(declare-fun f (Int) Int)
(push 1)
(declare-const z Int)
(assert (<= (- x z) 2))
(pop 1)
(declare-const z Real)
(assert (< (- y z) (- 1)))
(assert b)
(check-sat)
(get-model)
"""


def test_declarations_and_their_errors():
    fast_lines, fast_errors, fast = run(DECLARATIONS)
    slow_lines, slow_errors, slow = run(DECLARATIONS, shortcut=False)
    assert fast_lines == slow_lines
    assert fast_errors == slow_errors == 6
    assert [name for name, _ in fast.declared] == [name for name, _ in slow.declared]
    assert fast.hits == 7  # x, y, b, z, z and the assertions of lines 12 and 15
    assert any("line 3 column" in line and "already declared" in line for line in fast_lines)


# ------------------------------------------------------------------ DifferenceClause records
def test_records_compile_to_the_problem_of_their_terms():
    """A DifferenceClause is compiled directly (Compiler.difference_clause); the problem is
    the one its Term gives through either compiler path, mixed with Terms over the same atoms
    (shared atoms and nodes), single literals (root facts) included."""
    rng = random.Random("records")
    names = {"v%d" % i: T.Int("v%d" % i) for i in range(7)}
    _, _, script = run("".join("(declare-fun %s () Int)\n" % n for n in names))
    shortcut = fast_assert.assertion_shortcut(script)
    stored = []
    for _ in range(400):
        line = random_script(rng, "Int", lines=1, n=7).splitlines()[-3]
        line = line.replace("x", "v")
        if rng.random() < 0.2:  # the same atoms through the general path, as Terms
            stored.append(shortcut(line).term())
            continue
        record = shortcut(line)
        assert isinstance(record, T.DifferenceClause), line
        stored.append(record)
    assert sum(not r.clause for r in stored if isinstance(r, T.DifferenceClause)) > 20
    terms = [f.term() if isinstance(f, T.DifferenceClause) else f for f in stored]

    def problem(compiler, formulas):
        return compiled(compiler, formulas) + (compiler.root_facts, compiler.atom_of)
    direct = problem(Compiler(), stored)
    assert direct == problem(Compiler(), terms) == problem(GeneralCompiler(), terms)
    assert direct[2]["Int"][2] and direct[3]  # atoms and root facts: not vacuous


def test_lines_the_record_cannot_hold_stay_terms():
    _, _, script = run("(declare-fun x () Int) (declare-fun y () Int) (declare-fun r () Real)"
                       "(declare-fun s () Real) (define-fun z () Int x)\n")
    shortcut = fast_assert.assertion_shortcut(script)
    assert isinstance(shortcut("(assert (or (<= (- x y) 3) (< (- y x) 1)))"), T.DifferenceClause)
    for line in ["(assert (<= (- r s) 3))",                    # Real
                 "(assert (or (<= (- x y) 3) (<= (- x x) 1)))"]:  # x - x
        built = shortcut(line)
        assert isinstance(built, T.Term), line


def test_solver_with_records_answers_models_and_prints_as_with_terms():
    text = """(set-option :produce-models true)
(set-logic QF_IDL)
(declare-fun a () Int) (declare-fun b () Int) (declare-fun c () Int)
(assert (or (<= (- a b) (- 2)) (not (< (- b c) 4))))
(assert (> (- c a) 1))
(assert (or (<= (- a b) 3) (> (- a b) 7) (<= (- a b) (- 2))))
(check-sat)
(get-model)
(get-assertions)
(push 1)
(assert (not (>= (- c a) (- 5))))
(check-sat)
(get-assertions)
(pop 1)
(check-sat-assuming ((<= (- b a) 0)))
(check-sat)
(get-value (a b c))
"""
    fast_lines, fast_errors, fast = run(text)
    slow_lines, slow_errors, slow = run(text, shortcut=False)
    assert fast_lines == slow_lines and fast_errors == slow_errors == 0
    assert fast_lines.count("sat") == 2 and fast_lines.count("unsat") == 2
    stored = fast.solver._stored()
    assert len(stored) == 3 and all(isinstance(f, T.DifferenceClause) for f in stored)
    assert same_terms(fast.solver.assertions(), slow.solver.assertions())
    assert fast.solver.sexpr() == slow.solver.sexpr()
    assert fast.solver.to_smtlib() == slow.solver.to_smtlib()


def test_records_in_an_isolated_check_and_a_certificate(tmp_path):
    from smtsched.certify.check import check as check_certificate
    from smtsched.solver import Solver, sat, unsat
    _, _, script = run("(declare-fun x () Int) (declare-fun y () Int)\n")
    shortcut = fast_assert.assertion_shortcut(script)
    s = Solver()
    s.set(isolate=True)
    s.add(shortcut("(assert (or (<= (- x y) (- 1)) (<= (- y x) (- 1))))"))
    assert s.check() == sat
    m = s.model()
    assert m[T.Int("x")] != m[T.Int("y")]
    s.set(isolate=False, proof=str(tmp_path))
    s.add(shortcut("(assert (<= (- x y) 0))"), shortcut("(assert (<= (- y x) 0))"))
    assert s.check() == unsat
    verdict = check_certificate(str(tmp_path))
    assert verdict.ok and verdict.status == "verified", verdict.reason


def test_the_model_check_of_records_agrees_with_evaluating_their_terms():
    """Solver._build_model checks the records of a sat answer without their Terms
    (_records_hold): it must say exactly what evaluating the Terms says."""
    from smtsched.solver import Model, _records_hold
    rng = random.Random("records-hold")
    names = ["v%d" % i for i in range(4)]
    _, _, script = run("".join("(declare-fun %s () Int)\n" % n for n in names))
    shortcut = fast_assert.assertion_shortcut(script)
    seen = set()
    for _ in range(600):
        line = random_script(rng, "Int", lines=1, n=4).splitlines()[-3].replace("x", "v")
        record = shortcut(line)
        values = {("var", n, "Int"): rng.randint(-4, 4) for n in names}
        holds = Model(values).eval(record.term())
        assert _records_hold([record], values) is holds, (line, values)
        seen.add(holds)
    assert seen == {True, False}
    values = {("var", n, "Int"): 0 for n in names[1:]}  # v0 has no value: the Terms decide
    assert not _records_hold([shortcut("(assert (<= (- v0 v1) 5))")], values)
