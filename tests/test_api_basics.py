"""Example-based tests of the public, z3py-shaped API, one behaviour per test."""

import json
import os
import subprocess
import sys
import textwrap
from fractions import Fraction

import pytest
import z3

from z3_oracle import term_key, to_z3, z3_is_valid

smtsched = pytest.importorskip("smtsched")
if not hasattr(smtsched, "Solver"):  # the package directory exists before its API does
    pytest.skip("smtsched.Solver is not available yet", allow_module_level=True)

from smtsched import (  # noqa: E402
    And,
    Bool,
    Bools,
    Distinct,
    If,
    Implies,
    Int,
    Ints,
    Not,
    Or,
    Real,
    Reals,
    Solver,
    UnsupportedError,
    Xor,
    sat,
    unknown,
    unsat,
)


def solve(*formulas):
    s = Solver()
    s.add(*formulas)
    return s, s.check()


def keys(terms):
    return [term_key(t) for t in terms]


def contains(terms, t):
    """`t in terms` by identity or structure (`==` on terms builds a formula)."""
    return any(u is t for u in terms) or term_key(t) in keys(terms)


# -- results -------------------------------------------------------------------------------------


def test_str_of_results():
    assert str(sat) == "sat"
    assert str(unsat) == "unsat"
    assert str(unknown) == "unknown"


def test_results_are_distinct_values():
    assert sat == sat and unsat == unsat and unknown == unknown
    assert sat != unsat and sat != unknown and unsat != unknown


def test_empty_solver_is_sat():
    assert Solver().check() == sat


def test_check_returns_the_result_constants():
    x, y = Ints("x y")
    assert solve(x - y <= 3)[1] == sat
    assert solve(x - y <= 3, y - x <= -4)[1] == unsat


# -- terms ---------------------------------------------------------------------------------------


def test_variables_have_sort_op_and_name():
    x, r, p = Int("x"), Real("r"), Bool("p")
    assert (x.sort, x.op, x.name, tuple(x.args)) == ("Int", "var", "x", ())
    assert (r.sort, r.op, r.name) == ("Real", "var", "r")
    assert (p.sort, p.op, p.name) == ("Bool", "var", "p")


def test_ints_reals_bools_split_names():
    xs = Ints("a b c")
    assert [v.name for v in xs] == ["a", "b", "c"] and all(v.sort == "Int" for v in xs)
    assert [v.sort for v in Reals("u v")] == ["Real", "Real"]
    assert [v.sort for v in Bools("p q")] == ["Bool", "Bool"]


def test_atoms_have_ops_and_args():
    x, y = Ints("x y")
    atom = x - y <= 3
    assert atom.sort == "Bool" and atom.op == "le"
    lhs, rhs = atom.args
    assert lhs.op == "sub" and lhs.sort == "Int"
    assert keys(lhs.args) == keys([x, y])
    assert rhs.op == "const" and rhs.value == 3 and rhs.sort == "Int"
    assert (x < y).op == "lt" and (x >= y).op == "ge" and (x > y).op == "gt"
    assert (x == y).op == "eq"
    assert (-x).op == "neg" and (x + 1).op == "add" and (2 * x).op == "mul"


def test_real_constants_are_fractions():
    r = Real("r")
    atom = r <= Fraction(1, 3)
    assert atom.args[1].op == "const" and atom.args[1].value == Fraction(1, 3)


def test_boolean_connectives_have_ops():
    p, q, c = Bools("p q c")
    assert And(p, q).op == "and" and Or(p, q).op == "or" and Not(p).op == "not"
    assert Implies(p, q).op == "implies" and Xor(p, q).op == "xor"
    assert If(c, p, q).op == "ite" and Distinct(*Ints("a b c")).op == "distinct"


def test_and_or_accept_varargs_and_a_list():
    x, y, z = Ints("x y z")
    atoms = [x - y <= 1, y - z <= 1, z - x <= -3]
    assert solve(And(*atoms))[1] == unsat
    assert solve(And(atoms))[1] == unsat
    assert keys(And(atoms).args) == keys(And(*atoms).args)
    assert solve(Or(atoms), x - y > 1, y - z > 1)[1] == sat
    assert solve(Or(*atoms), x - y > 1, y - z > 1, z - x > -3)[1] == unsat


def test_term_translates_to_equivalent_z3_term():
    x, y = Ints("x y")
    p = Bool("p")
    f = Implies(p, If(p, x, y) + 2 > y - 1)
    X, Y, P = z3.Ints("x y") + [z3.Bool("p")]
    expected = z3.Implies(P, z3.If(P, X, Y) + 2 > Y - 1)
    assert z3_is_valid(to_z3(f, {}) == expected)


# -- models --------------------------------------------------------------------------------------


def test_model_values_are_int_for_int_and_fraction_for_real():
    # ints and Fractions (IntNumRef / RatNumRef, with z3's methods: test_z3_values.py)
    x, y = Ints("x y")
    r = Real("r")
    p = Bool("p")
    s, result = solve(x == 3, y - x == 2, r == Fraction(7, 3), p)
    assert result == sat
    m = s.model()
    assert isinstance(m[x], int) and m[x] == 3
    assert isinstance(m[y], int) and m[y] == 5
    assert isinstance(m[r], Fraction) and m[r] == Fraction(7, 3)
    assert type(m[p]) is bool and m[p] is True


def test_model_eval_of_terms_has_the_sort_kind():
    x, y = Ints("x y")
    r = Real("r")
    s, result = solve(x == 3, y == 1, r == Fraction(1, 2))
    assert result == sat
    m = s.model()
    assert isinstance(m.eval(x - y + 2), int) and m.eval(x - y + 2) == 4
    assert isinstance(m.eval(3 * r), Fraction) and m.eval(3 * r) == Fraction(3, 2)
    assert m.eval(x - y <= 1) is False
    assert m.eval(Or(x - y <= 1, r > 0)) is True


def test_real_model_value_is_a_fraction_even_when_integral():
    r, q = Reals("r q")
    s, result = solve(r == 2, q - r == 0)
    assert result == sat
    assert isinstance(s.model()[r], Fraction) and s.model()[r] == 2


def test_real_variables_accept_int_and_fraction_constants():
    r, q = Reals("r q")
    s, result = solve(r + 1 <= q, q - Fraction(1, 2) <= r + Fraction(3, 4), r >= 0)
    assert result == sat
    m = s.model()
    assert m[r] + 1 <= m[q] <= m[r] + Fraction(5, 4)


def test_strict_real_inequality_is_exact():
    r = Real("r")
    s, result = solve(r > 0, r < Fraction(1, 1000000))
    assert result == sat
    v = s.model()[r]
    assert isinstance(v, Fraction)
    assert 0 < v < Fraction(1, 1000000)


def test_strict_real_chain_is_exact():
    rs = Reals(" ".join(f"r{i}" for i in range(20)))
    s, result = solve(rs[0] > 0, rs[-1] < Fraction(1, 1000), *[a < b for a, b in zip(rs, rs[1:])])
    assert result == sat
    m = s.model()
    values = [m[r] for r in rs]
    assert all(isinstance(v, Fraction) for v in values)
    assert 0 < values[0] and values[-1] < Fraction(1, 1000)
    assert all(a < b for a, b in zip(values, values[1:])), values


def test_strict_int_gap_is_unsat_but_real_gap_is_sat():
    x, y = Ints("x y")
    assert solve(x > y, x < y + 1)[1] == unsat
    r, q = Reals("r q")
    s, result = solve(r > q, r < q + 1)
    assert result == sat
    m = s.model()
    assert m[q] < m[r] < m[q] + 1


def test_scaled_difference_rounds_the_bound_for_ints():
    x, y = Ints("x y")
    assert solve(2 * x - 2 * y == 5)[1] == unsat
    assert solve(2 * x - 2 * y <= -5, x - y >= -2)[1] == unsat  # x - y <= floor(-5/2) = -3
    s, result = solve(2 * x - 2 * y <= -5, x - y >= -3)
    assert result == sat and s.model()[x] - s.model()[y] == -3
    assert solve(3 * x - 3 * y < 6, x - y >= 2)[1] == unsat  # x - y < 2


def test_scaled_difference_is_exact_for_reals():
    r, q = Reals("r q")
    s, result = solve(2 * r - 2 * q == 5)
    assert result == sat
    assert s.model()[r] - s.model()[q] == Fraction(5, 2)


def test_negative_cycle_is_unsat():
    x, y, z = Ints("x y z")
    assert solve(x - y <= -1, y - z <= -1, z - x <= 1)[1] == unsat
    assert solve(x - y <= -1, y - z <= -1, z - x <= 2)[1] == sat


def test_model_of_unconstrained_var():
    x, y = Ints("x y")
    p = Bool("p")
    s, result = solve(p, Or(p, x - y <= 3))  # x, y occur, but nothing constrains them
    assert result == sat
    m = s.model()
    assert isinstance(m[x], int) and isinstance(m[y], int)
    assert m.eval(Or(p, x - y <= 3)) is True
    assert type(m.eval(x - y <= 3)) is bool


def test_model_eval_of_a_variable_never_asserted_has_its_sort_kind():
    x = Int("x")
    z, r, q = Int("never_z"), Real("never_r"), Bool("never_q")
    s, result = solve(x >= 0)
    assert result == sat
    m = s.model()
    # z3's default (model_completion=False) leaves them as they are (issue 18, round 2)
    assert m.eval(z) is z and m.eval(q) is q and str(m.eval(r)) == "never_r"
    assert isinstance(m.eval(z, model_completion=True), int)
    assert isinstance(m.eval(r, model_completion=True), Fraction)
    assert type(m.eval(q, model_completion=True)) is bool
    assert len(m) == 4   # completion added them to the model, as z3 does


# -- If and Distinct -----------------------------------------------------------------------------


def test_if_on_terms():
    x, y = Ints("x y")
    p = Bool("p")
    s, result = solve(If(p, x, y) == 5, x == 1)
    assert result == sat
    m = s.model()
    assert m[p] is False and m[y] == 5
    assert m.eval(If(p, x, y)) == 5
    assert solve(If(p, x, y) == 5, x == 1, y == 2)[1] == unsat
    assert solve(If(p, x + 1, y - 2) - x >= 1, p)[1] == sat


def test_if_on_terms_with_constant_branch():
    x, y = Ints("x y")
    p = Bool("p")
    # p would need y >= x + 2 >= 5; not p needs y >= 3
    s, result = solve(y - If(p, x, 1) >= 2, y <= 4, x >= 3)
    assert result == sat
    m = s.model()
    assert m[p] is False and 3 <= m[y] <= 4
    assert solve(y - If(p, x, 1) >= 2, y <= 4, x >= 3, p)[1] == unsat


def test_if_on_formulas():
    x, y = Ints("x y")
    c = Bool("c")
    s, result = solve(If(c, x - y >= 1, y - x >= 1), c)
    assert result == sat and s.model()[x] - s.model()[y] >= 1
    assert solve(If(c, x - y >= 1, y - x >= 1), x == y)[1] == unsat


def test_boolean_connectives():
    p, q, r = Bools("p q r")
    s, result = solve(Xor(p, q), Implies(p, r), Not(r))
    assert result == sat
    m = s.model()
    assert m[p] is False and m[q] is True and m[r] is False
    assert solve(Xor(p, q), p == q)[1] == unsat
    assert solve(p != q, Not(p), Not(q))[1] == unsat


def test_distinct():
    x, y, z = Ints("x y z")
    bounds = [v >= 0 for v in (x, y, z)]
    s, result = solve(Distinct(x, y, z), *bounds, *[v <= 2 for v in (x, y, z)])
    assert result == sat
    m = s.model()
    assert sorted([m[x], m[y], m[z]]) == [0, 1, 2]
    assert solve(Distinct(x, y, z), *bounds, *[v <= 1 for v in (x, y, z)])[1] == unsat


def test_distinct_of_reals_in_a_small_interval():
    rs = Reals("a b c d e")
    s, result = solve(Distinct(*rs), *[r >= 0 for r in rs], *[r <= Fraction(1, 100) for r in rs])
    assert result == sat
    values = [s.model()[r] for r in rs]
    assert len(set(values)) == 5 and all(0 <= v <= Fraction(1, 100) for v in values)


def test_not_equal():
    x, y = Ints("x y")
    assert solve(x != y, x - y <= 0, x - y >= 0)[1] == unsat
    s, result = solve(x != y, x - y <= 1, x - y >= 0)
    assert result == sat and s.model()[x] - s.model()[y] == 1


# -- assertions, push / pop ----------------------------------------------------------------------


def test_assertions_lists_added_formulas():
    x, y = Ints("x y")
    p = Bool("p")
    f1, f2, f3 = x - y <= 3, Or(p, y > x), Not(p)
    s = Solver()
    s.add(f1, f2)
    s.add(f3)
    assert keys(s.assertions()) == keys([f1, f2, f3])


def test_push_pop_restores_assertions():
    x, y = Ints("x y")
    s = Solver()
    s.add(x < y)
    s.push()
    s.add(y < x)
    assert len(s.assertions()) == 2
    assert s.check() == unsat
    s.pop()
    assert keys(s.assertions()) == keys([x < y])
    assert s.check() == sat
    m = s.model()
    assert m[x] < m[y]


def test_pop_n_pops_several_scopes():
    x, y, z = Ints("x y z")
    s = Solver()
    s.add(x - y <= 0)
    s.push()
    s.add(y - z <= 0)
    s.push()
    s.add(z - x <= -1)
    assert s.check() == unsat
    s.pop(2)
    assert keys(s.assertions()) == keys([x - y <= 0])
    s.add(z - x <= -1)
    assert s.check() == sat


def test_assertions_added_after_pop_are_kept():
    x, y = Ints("x y")
    s = Solver()
    s.push()
    s.add(x - y >= 5)
    s.pop()
    s.add(x - y <= 0)
    assert s.check() == sat
    assert s.model()[x] - s.model()[y] <= 0


# -- assumptions and unsat cores -----------------------------------------------------------------


def test_unsat_core_is_subset_of_assumptions():
    x, y = Ints("x y")
    a, b, c = Bools("a b c")
    s = Solver()
    s.add(Implies(a, x - y <= -1), Implies(b, y - x <= -1), Implies(c, x >= 0))
    assumptions = [a, b, c]
    assert s.check(*assumptions) == unsat
    core = list(s.unsat_core())
    assert all(contains(assumptions, t) for t in core), core
    assert contains(core, a) and contains(core, b)  # every unsat subset needs both


def test_atoms_can_be_assumptions():
    x, y = Ints("x y")
    s = Solver()
    s.add(x - y <= 3)
    assumption = x - y > 3
    assert s.check(assumption) == unsat
    assert keys(s.unsat_core()) == keys([assumption])
    assert s.check(x - y >= 3) == sat
    assert s.model()[x] - s.model()[y] == 3


def test_assumptions_do_not_persist_across_checks():
    x, y = Ints("x y")
    p = Bool("p")
    s = Solver()
    s.add(Implies(p, x < y), y < x)
    assert s.check(p) == unsat
    assert s.check() == sat
    assert s.model().eval(p) is False
    assert s.assertions() and len(s.assertions()) == 2


def test_negated_assumption():
    p = Bool("p")
    x, y = Ints("x y")
    s = Solver()
    s.add(Or(p, x - y >= 2), y - x >= 0)
    assert s.check(Not(p)) == unsat
    assert keys(s.unsat_core()) == keys([Not(p)])


# -- unsupported input ---------------------------------------------------------------------------


def raises_unsupported(*formulas):
    s = Solver()
    with pytest.raises(UnsupportedError) as info:
        s.add(*formulas)
        s.check()
    return str(info.value)


def test_unsupported_sum_of_two_variables_names_term():
    start_a, start_b = Ints("start_a start_b")
    message = raises_unsupported(start_a + start_b <= 3)
    assert "start_a" in message and "start_b" in message, message


def test_unsupported_unequal_coefficients_names_term():
    job_x, job_y = Ints("job_x job_y")
    message = raises_unsupported(3 * job_x - job_y <= 2)
    assert "job_x" in message and "job_y" in message, message


def test_unsupported_atom_under_boolean_structure_is_detected():
    a, b = Reals("alpha_r beta_r")
    p = Bool("p")
    message = raises_unsupported(Or(p, a + b > 1))
    assert "alpha_r" in message and "beta_r" in message, message


# -- options: timeout, max_conflicts, seed, statistics, lemmas -----------------------------------

PIGEONHOLE = textwrap.dedent(
    """
    import json, time
    import smtsched

    holes = {holes}
    pigeons = smtsched.Ints(" ".join("pigeon%d" % i for i in range(holes + 1)))
    s = smtsched.Solver()
    for p in pigeons:
        s.add(p >= 0, p <= holes - 1)
    s.add(smtsched.Distinct(*pigeons))
    s.set({option})
    started = time.perf_counter()
    result = s.check()
    elapsed = time.perf_counter() - started
    reason = s.reason_unknown() if result == smtsched.unknown else ""
    print(json.dumps({{"result": str(result), "reason": reason, "elapsed": elapsed}}))
    """
)


def run_pigeonhole(holes, option):
    """Pigeonhole in difference logic (holes + 1 Int pigeons in [0, holes - 1], pairwise
    distinct): exponential for resolution (smtsched needs ~18 s for 9 into 8, z3 ~40 s), so no
    CDCL(T) run refutes 10 into 9 or 12 into 11 quickly.
    Runs in a subprocess so that a solver ignoring the limit cannot hang the test-suite."""
    script = PIGEONHOLE.format(holes=holes, option=option)
    try:
        # Run from tests/: in the checkout root the source folder smtsched/ would shadow the
        # installed package.
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
            cwd=os.path.dirname(os.path.abspath(__file__)),
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"check() with {option} still running after 60 s")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_timeout_reports_unknown_with_reason():
    out = run_pigeonhole(11, "timeout=200")
    assert out["result"] == "unknown", out
    assert "timeout" in out["reason"].lower(), out
    assert out["elapsed"] < 3.0, f"timeout=200 ms but check() took {out['elapsed']:.2f} s"


def test_max_conflicts_reports_unknown_with_reason():
    # 10 into 9: 100 conflicts take 0.25 s compiled, ~15 s with SMTSCHED_PUREPYTHON=1
    out = run_pigeonhole(9, "max_conflicts=100")
    assert out["result"] == "unknown", out
    assert "conflict" in out["reason"].lower(), out


def test_statistics_is_dict_like():
    x, y = Ints("x y")
    s, _ = solve(Or(x - y <= -1, x - y >= 1), x == y)
    stats = dict(s.statistics())
    assert all(isinstance(k, str) for k in stats), stats


def test_same_seed_gives_same_model():
    xs = Ints("a b c d e")

    def model(seed):
        s = Solver()
        s.set(seed=seed)
        s.add(Distinct(*xs), *[x >= 0 for x in xs], *[x <= 6 for x in xs])
        s.add(Or(xs[0] - xs[1] >= 2, xs[1] - xs[0] >= 2))
        assert s.check() == sat
        return [s.model()[x] for x in xs]

    assert model(7) == model(7)


def test_log_lemmas_records_valid_theory_lemmas():
    x, y, z = Ints("x y z")
    p = Bool("p")
    s = Solver()
    s.set(log_lemmas=True)
    # unsat only through the theory: the Boolean skeleton is satisfiable
    s.add(Or(x - y <= -1, p), Or(y - z <= -1, p), Or(z - x <= -1, p), Not(p))
    assert s.check() == unsat
    lemmas = list(s.lemmas())
    assert lemmas, "no theory lemma logged for a theory-unsat problem"
    for lemma in lemmas:
        assert lemma.sort == "Bool"
        assert z3_is_valid(to_z3(lemma, {})), f"invalid lemma {lemma!r}"


def test_reason_unknown_is_a_string():
    s = Solver()
    s.check()
    assert isinstance(s.reason_unknown(), str)


def test_hints_steer_the_search_but_not_the_answer():
    from smtsched import Bools, Ints, Or, Solver, sat, unsat
    ps = Bools("p0 p1 p2 p3 p4 p5")
    x, y = Ints("x y")
    s = Solver()
    s.add(Or(*ps), Or(x - y >= 2, y - x >= 2))
    wanted = {p: (i % 2 == 0) for i, p in enumerate(ps)}
    wanted.update({x: 0, y: 7})
    s.hint(wanted)
    assert s.check() == sat
    m = s.model()
    assert [m[p] for p in ps] == [True, False, True, False, True, False]
    assert m[y] - m[x] >= 2          # the hinted side of the disjunction
    s.add(x > 100, y > 100, x == y)
    assert s.check() == unsat       # hints never change an answer
    s.hint(None)
