"""The SMT-LIB front end command by command: answers, output formats and errors, as z3 gives
them (smtsched.smtlib.script, run in-process)."""
import io
from fractions import Fraction

import pytest
import z3

from smtsched import Solver, Int, Ints, Real, Reals, Bool, Or, sat, unsat
from smtsched.smtlib import dumps, run_script
from smtsched.smtlib.lexer import Lexer


def run(text, **options):
    out = io.StringIO()
    errors = run_script(text.encode() if isinstance(text, str) else text, out, **options)
    return out.getvalue().splitlines(), errors


def answers(lines):
    return [line for line in lines if line in ("sat", "unsat", "unknown")]


def test_answers_model_and_values_in_z3_format():
    lines, errors = run("""
        (set-logic QF_RDL)
        (declare-fun x () Real) (declare-fun y () Real) (declare-const b Bool)
        (assert (> x (- (/ 1 3))))
        (assert (< (- x y) (- 2)))
        (assert (= b (< x 0.0)))
        (assert b)
        (check-sat)
        (get-model)
        (get-value (x (- x y) b 7))
    """)
    assert errors == 0
    assert lines[0] == "sat"
    model = lines[1:lines.index(")") + 1]
    assert model[0] == "(" and model[-1] == ")"
    assert model[1].startswith("  (define-fun x () Real ")
    assert model[2].startswith("  (define-fun y () Real ")
    assert model[3] in ("  (define-fun b () Bool true)",)
    values = " ".join(lines[lines.index(")") + 1:])
    assert values.startswith("((x ") and "((- x y) " in values and "(b true)" in values
    assert "(7 7.0)" in values


def test_negative_and_fractional_numbers_print_as_smtlib_terms():
    lines, _ = run("""(declare-const x Int) (declare-const r Real)
        (assert (= x (- 3))) (assert (= r (/ (- 1) 3))) (check-sat) (get-model)""")
    assert "  (define-fun x () Int (- 3))" in lines
    assert "  (define-fun r () Real (- (/ 1 3)))" in lines


def test_errors_name_line_and_column_and_the_script_goes_on():
    lines, errors = run("(declare-const x Int)\n(assert (< x y))\n(frobnicate)\n(check-sat)\n")
    assert lines[0] == '(error "line 2 column 14: unknown constant \'y\'")'
    assert lines[1] == '(error "line 3 column 1: unknown command \'frobnicate\'")'
    assert lines[2] == "sat"
    assert errors == 2


def test_unknown_option_and_info_are_unsupported():
    lines, errors = run("(set-option :frobnicate 3)\n(get-info :frobnicate)\n"
                        "(get-info :name)\n(get-info :version)")
    assert lines[:2] == ["unsupported", "unsupported"]
    assert lines[2] == '(:name "smtsched")'
    assert lines[3].startswith('(:version "')
    assert errors == 0


def test_print_success():
    lines, _ = run("(set-option :print-success true)(declare-const x Int)(assert (< x 1))"
                   "(push 1)(pop 1)(check-sat)")
    assert lines == ["success"] * 5 + ["sat"]


def test_let_is_parallel_and_shadows():
    lines, errors = run("""(declare-const x Int)
        (assert (let ((a 1) (b 2)) (let ((a b) (b a)) (and (= x (+ a 10)) (< b a)))))
        (check-sat) (get-value (x))""")
    assert errors == 0
    assert lines == ["sat", "((x 12))"]


def test_define_fun_with_and_without_parameters():
    lines, errors = run("""(declare-const x Int) (declare-const y Int)
        (define-fun lim () Int 10)
        (define-fun before ((a Int) (b Int) (gap Int)) Bool (<= (+ a gap) b))
        (assert (before x y 3)) (assert (before y lim 0)) (assert (>= x 7))
        (check-sat) (get-value (x y (before x y 3)))""")
    assert errors == 0
    assert lines == ["sat", "((x 7)", " (y 10)", " ((before x y 3) true))"]


def test_named_assertions_cores_and_assignment():
    lines, errors = run("""(set-option :produce-unsat-cores true)
        (declare-const x Int)
        (assert (! (> x 5) :named big))
        (assert (! (< x 10) :named small))
        (assert (! (< x 3) :named tiny))
        (check-sat) (get-unsat-core)""")
    assert errors == 0
    assert lines[0] == "unsat"
    assert set(lines[1].strip("()").split()) == {"big", "tiny"}


def test_get_assignment_reports_named_formulas():
    lines, errors = run("""(declare-const x Int)
        (assert (or (! (> x 5) :named p) (! (< x (- 5)) :named q)))
        (assert (> x 0))
        (check-sat) (get-assignment)""")
    assert errors == 0
    assert lines == ["sat", "((p true) (q false))"]


def test_check_sat_assuming_and_its_core():
    lines, errors = run("""(set-option :produce-unsat-cores true)
        (declare-const x Int) (declare-const a Bool) (declare-const b Bool)
        (assert (=> a (> x 5))) (assert (=> b (< x 5)))
        (check-sat-assuming (a b)) (get-unsat-core)
        (check-sat-assuming (a (not b))) (check-sat)""")
    assert errors == 0
    assert lines[0] == "unsat"
    assert set(lines[1].strip("()").split()) == {"a", "b"}
    assert lines[2:] == ["sat", "sat"]


def test_push_pop_with_counts_scopes_declarations():
    lines, errors = run("""(declare-const x Int)
        (push 2) (declare-const y Int) (assert (< x y)) (assert (< y x)) (check-sat)
        (pop 2) (check-sat) (assert (< y 0))""")
    assert answers(lines) == ["unsat", "sat"]
    assert errors == 1 and "unknown constant 'y'" in lines[-1]


def test_pop_too_far_is_an_error():
    lines, errors = run("(push 1)(pop 2)")
    assert errors == 1 and "pop 2 with only 1 push(es) open" in lines[0]


def test_reset_and_reset_assertions():
    lines, errors = run("""(declare-const x Int) (assert (< x 0)) (assert (> x 0))
        (check-sat) (reset-assertions) (declare-const x Int) (assert (> x 0)) (check-sat)
        (reset) (check-sat)""")
    assert errors == 0
    assert answers(lines) == ["unsat", "sat", "sat"]


def test_chained_comparisons_distinct_xor_implies():
    lines, errors = run("""(declare-fun a () Int) (declare-fun b () Int) (declare-fun c () Int)
        (declare-const p Bool) (declare-const q Bool)
        (assert (< 0 a b c 4)) (assert (distinct a b c))
        (assert (xor p q true)) (assert (=> p q false))
        (check-sat) (get-value (a b c p q))""")
    assert errors == 0
    assert lines[0] == "sat"
    assert "".join(lines[1:]) == "((a 1) (b 2) (c 3) (p false) (q false))"


def test_ite_on_terms_and_formulas():
    lines, errors = run("""(declare-const x Int) (declare-const y Int) (declare-const p Bool)
        (assert (= y (ite p (+ x 1) (- x 1))))
        (assert (ite (> y x) (> x 10) (< x (- 10))))
        (assert p)
        (check-sat) (get-value ((- y x)))""")
    assert errors == 0
    assert lines == ["sat", "(((- y x) 1))"]


def test_to_real_decimals_and_real_division():
    lines, errors = run("""(set-logic QF_RDL) (declare-const x Real) (declare-const y Real)
        (assert (<= (- x y) (to_real 3))) (assert (>= (- x y) 2.5)) (assert (= y (/ 7 2)))
        (assert (> x (/ y 1)))
        (check-sat) (get-value (y))""")
    assert errors == 0
    assert lines == ["sat", "((y (/ 7 2)))"]


def test_huge_numerals_are_exact():
    big = 10 ** 40
    lines, errors = run(f"""(declare-const x Int) (declare-const y Int)
        (assert (= (- x y) {big})) (assert (> y 0)) (check-sat) (get-value ((- x y)))""")
    assert errors == 0
    assert lines == ["sat", f"(((- x y) {big}))"]


def test_quoted_symbols_strings_and_comments():
    lines, errors = run(b"; a comment (with parentheses\n"
                        b"(declare-const |a b| Int) (declare-const |x| Int)\n"
                        b"(assert (< |a b| x)) ; x and |x| are one symbol\n"
                        b"(assert (> x 3))\n"
                        b'(echo "say ""hi""")\n'
                        b"(check-sat)\n"
                        b"(get-value (|a b|))")
    assert errors == 0
    assert lines[0] == 'say "hi"'
    assert lines[1] == "sat"
    assert lines[2].startswith("((|a b| ")


def test_multi_line_quoted_symbol_and_string():
    lines, errors = run('(set-info :source |line one\nline two|)\n(echo "a\nb")\n(check-sat)')
    assert errors == 0
    assert lines == ["a", "b", "sat"]


def test_outside_difference_logic_names_the_atom():
    lines, errors = run("""(set-logic QF_LIA) (declare-const x Int) (declare-const y Int)
        (assert (<= (+ x y) 3)) (check-sat)""")
    assert errors == 1
    assert "(<= (+ x y) 3)" in lines[0] and "not a difference constraint" in lines[0]


def test_unsupported_logic_sort_and_functions_are_errors():
    lines, errors = run("""(set-logic QF_BV)
        (declare-fun f (Int) Int)
        (declare-const b (_ BitVec 8))
        (declare-const x Int) (assert (< (* x x) 3))""")
    assert errors == 4
    assert "unsupported logic QF_BV" in lines[0]
    assert "uninterpreted functions are not supported" in lines[1]
    assert "unsupported sort (_ BitVec 8)" in lines[2]
    assert "product of two terms" in lines[3]


def test_wrong_sorts_and_duplicates_are_errors():
    lines, errors = run("""(declare-const x Int) (declare-const p Bool) (declare-const x Int)
        (assert (and p 1)) (assert (+ x p)) (assert (< x 1.5)) (assert x)""")
    assert errors == 5
    assert "already declared" in lines[0]
    assert "'and' expects formulas" in lines[1]


def test_results_before_answers_are_errors():
    lines, errors = run("(get-model)(get-unsat-core)(get-info :reason-unknown)(declare-const x Int)"
                        "(assert (> x 0))(check-sat)(get-unsat-core)")
    assert errors == 4
    assert lines[3] == "sat"


def test_timeout_option_gives_unknown_with_reason():
    # pigeons: 9 integers in 0..7, pairwise distinct: hard for difference logic
    decls = " ".join(f"(declare-const p{i} Int)" for i in range(9))
    body = " ".join(f"(assert (and (>= p{i} 0) (<= p{i} 7)))" for i in range(9))
    body += "(assert (distinct " + " ".join(f"p{i}" for i in range(9)) + "))"
    lines, errors = run(f"(set-option :timeout 200) {decls} {body} (check-sat)"
                        "(get-info :reason-unknown)")
    assert errors == 0
    assert lines == ["unknown", "(:reason-unknown timeout)"]


def test_exit_stops_the_script():
    lines, errors = run("(echo \"a\")(exit)(echo \"b\")")
    assert lines == ["a"]


def test_deep_nesting_is_read_without_recursion():
    depth = 100_000
    text = "(declare-const p Bool)(assert " + "(not " * depth + "p" + ")" * depth + ")(check-sat)"
    lines, errors = run(text)
    assert errors == 0 and lines == ["sat"]
    text = "(declare-const x Int)(assert (< " + "(+ 1 " * depth + "x" + ")" * depth + " 0))" \
           "(check-sat)(get-value (x))"
    lines, errors = run(text)
    assert errors == 0 and lines == ["sat", f"((x (- {depth + 1})))"]


def test_lexer_positions_and_kinds():
    tokens = list(Lexer(b"(assert\n  (< |a b| -x 12 1.50 #x1f :named \"s\"\"t\"))"))
    assert tokens[0] == ("(", "(", 1, 1)
    assert tokens[1] == ("sym", "assert", 1, 2)
    assert tokens[2] == ("(", "(", 2, 3)
    assert ("sym", "a b", 2, 6) in tokens
    assert ("sym", "-x", 2, 12) in tokens
    assert ("num", 12, 2, 15) in tokens
    assert ("dec", "1.50", 2, 18) in tokens
    assert ("hex", "#x1f", 2, 23) in tokens
    assert ("kw", "named", 2, 28) in tokens
    assert ("str", 's"t', 2, 35) in tokens


def test_isolated_solve_is_the_same_answer():
    text = """(declare-const x Int) (declare-const y Int) (assert (< x y)) (assert (< y 3))
        (check-sat) (get-model) (assert (> x 5)) (check-sat)"""
    assert run(text, isolate=True) == run(text)


def test_printer_round_trips_through_z3_and_smtsched():
    x, y = Ints("x y")
    r = Real("r")
    p = Bool("p")
    s = Solver()
    s.add(x - y <= -3, Or(p, y > 2), r - Real("q") < Fraction(-1, 3))
    script = s.to_smtlib()
    assert script.startswith("(set-logic QF_LIRA)")
    z = z3.Solver()
    z.from_string(script)
    assert str(z.check()) == "sat"
    lines, errors = run(script)
    assert errors == 0 and lines == ["sat"]
    assert dumps([x < 1, x > 2]).startswith("(set-logic QF_LIA)")


# Regressions from the malformed-input corpus (tests/test_smtlib_malformed.py).

def test_numerals_beyond_python_str_limit_round_trip():
    big = "1" + "0" * 4999 + "7"  # str()/int() refuse more than 4,300 digits by default
    lines, errors = run(f"(declare-const x Int)(declare-const y Int)(assert (= (- x y) {big}))"
                        "(assert (= y 0))(check-sat)(get-value (x))")
    assert errors == 0
    assert lines == ["sat", f"((x {big}))"]


def test_seed_beyond_64_bits_is_accepted():
    lines, errors = run("(set-option :random-seed 9223372036854775808)(declare-const x Int)"
                        "(assert (< x 1))(check-sat)")
    assert errors == 0 and lines == ["sat"]


def test_huge_push_count_and_runaway_constants_are_errors():
    lines, errors = run("(push 1000000000000000000000000000000)")
    assert errors == 1 and "at most" in lines[0]
    squares = "(let ((a0 99999999999)) " + "".join(
        f"(let ((a{k} (* a{k - 1} a{k - 1}))) " for k in range(1, 40)) + "(> x a39)" + ")" * 40
    lines, errors = run(f"(declare-const x Int)(assert {squares})")
    assert errors == 1 and "more than" in lines[0] and "bits" in lines[0]


def test_named_inside_a_macro_body_is_an_error():
    lines, errors = run("(declare-const x Int)(define-fun f ((a Int)) Bool (! (> a 0) :named pos))"
                        "(assert (f x))(check-sat)")
    assert errors == 2  # the definition, then the use of the undefined f
    assert ":named is not allowed" in lines[0]
    assert lines[-1] == "sat"


def test_application_of_a_list_is_an_error():
    lines, errors = run("(assert (((and)) true))")
    assert errors == 1 and "a function symbol was expected" in lines[0]


def test_minimize_and_maximize_lexicographically_as_z3():
    text = """(declare-const x Int)(declare-const y Int)(declare-const z Int)
        (assert (>= (- x y) 3))(assert (>= y 2))(assert (<= z 10))
        (minimize x)(maximize z)(check-sat)(get-objectives)(get-value (x z))
        (declare-const u Int)(minimize u)(check-sat)(get-objectives)"""
    lines, errors = run(text)
    assert errors == 0
    assert lines[:4] == ["sat", "(objectives", " (x 5)", " (z 10)"]
    assert "((x 5)" in lines and " (z 10))" in lines
    assert lines[-5:] == ["(objectives", " (x 5)", " (z 10)", " (u (* (- 1) oo))", ")"]


def test_minimize_a_makespan_matches_the_scheduling_optimiser():
    from smtsched.sched import Model
    m = Model()
    tasks = [m.task(f"t{i}", d) for i, d in enumerate([3, 2, 4, 1, 3])]
    m.unary(tasks[:3])
    m.unary(tasks[2:])
    m.precedence(tasks[0], tasks[3])
    m.minimize_makespan()
    script = m.to_smtlib().replace("(check-sat)", "(minimize makespan)(check-sat)(get-objectives)")
    lines, errors = run(script)
    assert errors == 0 and lines[0] == "sat"
    assert lines[2] == f" (makespan {m.solve().objective})"
