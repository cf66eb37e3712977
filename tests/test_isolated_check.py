"""An isolated check (Solver.set(isolate=True): compile and search in a forked child) freezes
what the compiler made before the search, so that the cyclic collector does not walk it
(smtsched.solver, Solver._search); an in-process check leaves the collector of the caller's
process as it was. Both answer the same."""
import time

from smtsched import Ints, Or, Solver, sat, unsat
from smtsched import solver as solver_module


def ring(n, closing):
    """x0 < x1 < ... < x_{n-1} (clauses of two difference atoms each) and
    x_{n-1} - x0 <= `closing`: sat when closing >= n - 1, else unsat."""
    xs = Ints(" ".join(f"x{i}" for i in range(n)))
    s = Solver()
    for a, b in zip(xs, xs[1:]):
        s.add(Or(a - b <= -1, a - b <= -2))
    s.add(xs[-1] - xs[0] <= closing)
    return s, xs


def test_only_the_child_of_an_isolated_check_freezes(monkeypatch):
    frozen = []
    monkeypatch.setattr(solver_module.gc, "freeze", lambda: frozen.append(True))
    s, _ = ring(6, 10)
    assert s.check() == sat          # in process: the caller's collector is left alone
    assert frozen == []
    started = time.perf_counter()
    # what the isolated check's child runs, called here (in this process) to see it freeze
    status = s._search_in_child(s._stored(), (), started)[0]
    assert status == "sat" and frozen == [True]


def test_isolated_and_in_process_checks_answer_alike():
    for closing, expected in ((100, sat), (38, unsat)):
        answers = []
        for isolate in (False, True):
            s, xs = ring(40, closing)
            s.set(isolate=isolate)
            answers.append(s.check())
            if answers[-1] == sat:
                m = s.model()
                values = [m[x] for x in xs]
                assert all(a - b <= -1 for a, b in zip(values, values[1:]))
        assert answers == [expected, expected]
