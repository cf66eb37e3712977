"""Optimize with z3's surface (issue 18): lexicographic objectives, handles, assumptions and
cores, scopes, refusals, and what a stopped search reports. Optima are compared with z3's."""
import pytest
import z3

from smtsched import (And, Bool, Implies, Int, Ints, Not, Optimize, Or, Real, Solver,
                      UnsupportedError, sat, unknown, unsat)
from smtsched.optimize import MINUS_OO, PLUS_OO
from smtsched.smtlib import objectives as search


def job_shop(api, jobs, horizon=100):
    """Starts of a small job shop: each job's operations in order, each machine one at a time."""
    starts = {}
    formulas = []
    for j, ops in enumerate(jobs):
        for k, (machine, duration) in enumerate(ops):
            s = api.Int(f"s_{j}_{k}")
            starts[j, k] = (s, machine, duration)
            formulas.append(s >= 0)
            if k:
                prev, _, d = starts[j, k - 1]
                formulas.append(s - prev >= d)
    items = list(starts.values())
    for a in range(len(items)):
        for b in range(a + 1, len(items)):
            (sa, ma, da), (sb, mb, db) = items[a], items[b]
            if ma == mb:
                formulas.append(api.Or(sb - sa >= da, sa - sb >= db))
    makespan = api.Int("makespan")
    for j, ops in enumerate(jobs):
        s, _, d = starts[j, len(ops) - 1]
        formulas.append(makespan - s >= d)
    formulas.append(makespan <= horizon)
    return formulas, makespan, starts


JOBS = [[(0, 3), (1, 2), (2, 2)], [(0, 2), (2, 1), (1, 4)], [(1, 4), (2, 3)]]


def test_job_shop_makespan_matches_z3():
    import smtsched
    ours, makespan, starts = job_shop(smtsched, JOBS)
    theirs, z3_makespan, _ = job_shop(z3, JOBS)
    o = Optimize()
    o.add(ours)
    h = o.minimize(makespan)
    zo = z3.Optimize()
    zo.add(theirs)
    zh = zo.minimize(z3_makespan)
    assert o.check() == sat and str(zo.check()) == "sat"
    assert h.value().as_long() == zh.value().as_long() == 11
    assert h.lower() == h.upper() == h.value() and o.lower(h) == 11 and o.upper(h) == 11
    m = o.model()
    assert m[makespan].as_long() == 11
    assert all(m.eval(f) is True for f in ours)


def test_lexicographic_in_the_order_given():
    x, y = Ints("x y")
    o = Optimize()
    o.add(x + 0 >= 0, y >= 0, x <= 10, y <= 10, x - y <= 3)
    first = o.maximize(x)
    second = o.maximize(y)
    assert o.check() == sat
    assert (first.value(), second.value()) == (10, 10)
    o2 = Optimize()
    o2.add(x >= 0, y >= 0, x <= 10, y <= 10, Or(x - y >= 8, y - x >= 8))
    a = o2.minimize(y)
    b = o2.minimize(x)   # priority 2: y = 0 first, then the smallest x with it
    assert o2.check() == sat
    assert (a.value(), b.value()) == (0, 8)
    m = o2.model()
    assert (m[x], m[y]) == (8, 0)


def test_check_with_assumptions_and_core():
    x = Int("x")
    p, q = Bool("p"), Bool("q")
    o = Optimize()
    o.add(x >= 0, Implies(p, x >= 4), Implies(q, x <= 2))
    h = o.minimize(x)
    assert o.check(p) == sat and h.value() == 4
    assert o.check() == sat and h.value() == 0
    assert o.check(p, q) == unsat
    assert {str(t) for t in o.unsat_core()} == {"p", "q"}
    o.assert_and_track(x >= 7, "big")
    assert o.check(q) == unsat and {str(t) for t in o.unsat_core()} == {"big", "q"}


def test_push_pop_scope_objectives_and_assertions():
    x, y = Ints("x y")
    o = Optimize()
    o.add(x >= 1, x <= 9)
    h = o.maximize(x)
    o.push()
    o.add(x <= 5)
    o.minimize(y - x)
    o.add(y >= 2)
    assert o.check() == sat and h.value() == 5 and len(o.objectives()) == 2
    o.pop()
    assert len(o.objectives()) == 1 and len(o.assertions()) == 2
    assert o.check() == sat and h.value() == 9


def test_unbounded_and_infeasible():
    x, y = Ints("x y")
    o = Optimize()
    o.add(x >= y)
    h = o.maximize(x - y)
    assert o.check() == sat and h.value() == PLUS_OO and str(h.value()) == "oo"
    o2 = Optimize()
    o2.add(x >= y)
    h2 = o2.minimize(x - y)
    assert o2.check() == sat and h2.value() == 0
    o3 = Optimize()
    o3.add(x > y, x < y)
    o3.minimize(x)
    assert o3.check() == unsat


def test_refusals_name_what_is_refused():
    x, y, z = Ints("x y z")
    o = Optimize()
    with pytest.raises(UnsupportedError, match=r"\(\+ x y\)"):
        o.minimize(x + y)
    with pytest.raises(UnsupportedError, match="Real objective r"):
        o.minimize(Real("r"))
    with pytest.raises(UnsupportedError, match="add_soft"):
        o.add_soft(x >= 1)
    with pytest.raises(UnsupportedError, match="pareto"):
        o.set("priority", "pareto")
    assert o.objectives() == []


def test_box_optimises_each_objective_on_its_own():
    x, y = Ints("x y")
    o = Optimize()
    o.set(priority="box")
    o.add(x >= 0, y - x >= 2, x <= 5, y <= 20)
    low_y, high_x, wide = o.minimize(y), o.maximize(x), o.maximize(y - x)
    assert o.check() == sat
    assert (low_y.value(), high_x.value(), wide.value()) == (2, 5, 20)   # lex: (2, 0, 2)
    m = o.model()
    assert m[y] == 2 and m[x] == 0     # the first objective's optimum, as z3's box model
    o.set(priority="lex")
    assert o.check() == sat and (high_x.value(), wide.value()) == (0, 2)


def test_z3_shaped_extras():
    x, y = Ints("x y")
    o = Optimize()
    o.set("timeout", 10_000)
    o.add(x - y >= 2, y >= 0)
    o.minimize(x)
    o.maximize(y - x)
    assert o.check() == sat
    text = o.sexpr()
    assert "(minimize x)" in text and "(maximize (- y x))" in text and "(check-sat)" in text
    assert [str(t) for t in o.objectives()] == ["x", "-(y - x)"]
    assert "conflicts" in o.statistics() or o.statistics()
    assert len(o.assertions()) == 2


def test_a_stopped_search_gives_unknown_with_the_best_model_and_proven_bounds(monkeypatch):
    """The k-th probe stops the search (as a time limit would, deterministically): unknown,
    a checked model, and bounds that hold around the true optimum (z3's: 11)."""
    import smtsched
    formulas, makespan, _ = job_shop(smtsched, JOBS)
    real_check = search._check
    seen = set()
    for stop_at in range(1, 40):
        calls = [0]

        def check(solver, formulas_, deadline, calls=calls, stop_at=stop_at):
            calls[0] += 1
            if calls[0] >= stop_at:
                raise search._Stop("timeout")
            return real_check(solver, formulas_, deadline)
        monkeypatch.setattr(search, "_check", check)
        o = Optimize()
        o.add(formulas)
        h = o.minimize(makespan)
        answer = o.check()
        monkeypatch.setattr(search, "_check", real_check)
        if answer == sat:
            assert h.value() == 11
            seen.add("sat")
            continue
        assert answer == unknown and o.reason_unknown() == "timeout"
        m = o.model()
        assert all(m.eval(f) is True for f in formulas)
        best = m[makespan].as_long()
        assert h.upper() == best and best >= 11
        low = h.lower()
        assert low == MINUS_OO or low <= 11
        assert h.value() == low   # z3: a minimised objective's value() is its lower bound
        seen.add("unknown" if low == MINUS_OO else "bounded")
    assert seen == {"sat", "unknown", "bounded"}   # every case was met


def test_the_solver_side_of_the_surface():
    x, y = Ints("x y")
    s = Solver()
    s.set("smt.random_seed", 7)
    s.set("core.minimize", True)
    s.assert_and_track(x >= 5, "a")
    s.assert_and_track(y >= 0, "b")
    s.assert_and_track(x <= 2, "c")
    s.assert_and_track(x - y >= 100, "d")
    assert s.check() == unsat
    assert sorted(str(t) for t in s.unsat_core()) == ["a", "c"]
    s2 = Solver()
    s2.from_string("(declare-const a Int) (declare-const b Int) (assert (< (- a b) 2))"
                   "(assert (> a 4)) (check-sat)")
    assert len(s2.assertions()) == 2 and s2.check() == sat
    text = s2.sexpr()
    assert "(declare-fun a () Int)" in text and "(assert (> a 4))" in text
    with pytest.raises(ValueError, match="not supported"):
        s.set("smt.arith.solver", 6)


def test_optimize_from_string_reads_objectives():
    o = Optimize()
    o.from_string("(declare-const a Int) (declare-const b Int) (assert (<= (- a b) 5))"
                  "(assert (<= b 3)) (maximize a)")
    assert o.check() == sat and str(o.model()[Int("a")]) == "8"


def test_values_and_bounds_are_z3_values():
    x = Int("x")
    o = Optimize()
    o.add(And(x >= 3, Not(x >= 9)))
    h = o.maximize(x)
    assert o.check() == sat
    assert h.value().as_long() == 8 and str(h.upper()) == "8"
