"""`smtsched solve` as a user runs it: a separate process, limits, Ctrl-C, exit codes.

Every subprocess runs outside the checkout root: started there, Python would import the source
folder smtsched/ instead of the installed package with its compiled theory.
"""
import os
import signal
import subprocess
import sys
import time

import pytest

from smtsched import Distinct, Ints, Solver, UnsupportedError, sat, unknown

HERE = os.path.dirname(os.path.abspath(__file__))

TRIVIAL = "(set-logic QF_IDL)(declare-fun x () Int)(assert (< x 3))(check-sat)\n"


def pigeons(n=9, holes=8):
    """n integers in 0..holes-1, pairwise distinct: many seconds of search for difference
    logic, so the limits are what ends it."""
    lines = ["(set-logic QF_IDL)"]
    lines += [f"(declare-fun p{i} () Int)" for i in range(n)]
    lines += [f"(assert (and (>= p{i} 0) (< p{i} {holes})))" for i in range(n)]
    lines.append("(assert (distinct " + " ".join(f"p{i}" for i in range(n)) + "))")
    lines += ["(check-sat)", "(get-info :reason-unknown)"]
    return "\n".join(lines) + "\n"


def smtsched(*args, stdin=None, timeout=60):
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "smtsched", *args], input=stdin,
                          capture_output=True, text=True, cwd=HERE, timeout=timeout)
    return done, time.perf_counter() - started


def write(tmp_path, text, name="input.smt2"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_version_and_help():
    done, _ = smtsched("--version")
    assert done.returncode == 0 and done.stdout.startswith("smtsched ")
    done, _ = smtsched("solve", "--help")
    assert done.returncode == 0 and "--timeout" in done.stdout and "--memory" in done.stdout


def test_solve_a_file_with_model_and_stats(tmp_path):
    done, _ = smtsched("solve", "--model", "--stats", write(tmp_path, TRIVIAL))
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stderr
    assert lines[0] == "sat"
    assert lines[1] == "(" and lines[2].startswith("  (define-fun x () Int ")
    assert any(line.startswith("(:") for line in lines[4:])


def test_standard_input():
    done, _ = smtsched("solve", "-", stdin=TRIVIAL + "(get-value (x))\n")
    assert done.returncode == 0
    assert done.stdout.splitlines()[0] == "sat"


def test_errors_give_exit_code_one_and_no_traceback(tmp_path):
    done, _ = smtsched("solve", write(tmp_path, "(assert (< y 3))\n(check-sat)\n"))
    assert done.returncode == 1
    assert done.stdout.splitlines() == ['(error "line 1 column 12: unknown constant \'y\'")', "sat"]
    assert "Traceback" not in done.stderr


def test_missing_file_is_a_message_not_a_traceback(tmp_path):
    done, _ = smtsched("solve", str(tmp_path / "nowhere.smt2"))
    assert done.returncode == 1
    assert "cannot open" in done.stderr and "Traceback" not in done.stderr


def test_timeout_answers_unknown_within_a_second_of_the_limit(tmp_path):
    limit = 1.5
    # the second is the search's: what starting and ending the interpreter costs now (another
    # test process may share the cores) is measured on a trivial file, and added
    _, startup = smtsched("solve", write(tmp_path, TRIVIAL, "trivial.smt2"))
    done, elapsed = smtsched("solve", "--timeout", str(limit), write(tmp_path, pigeons()))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["unknown", "(:reason-unknown timeout)"]
    assert elapsed < limit + 1.0 + startup, (elapsed, startup)


def test_memory_limit_answers_memout(tmp_path):
    # 5 MB is below what the interpreter itself holds: the search is stopped at once
    done, elapsed = smtsched("solve", "--memory", "5", write(tmp_path, pigeons()))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["unknown", "(:reason-unknown memout)"]
    assert elapsed < 10


def test_ctrl_c_stops_cleanly(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "smtsched", "solve",
                                write(tmp_path, pigeons(10, 9))],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=HERE)
    time.sleep(1.5)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 130
    assert out.splitlines() == ["unknown"]
    assert "interrupted" in err and "Traceback" not in err


def test_isolated_api_check_keeps_its_limits_and_answers():
    p = Ints(" ".join(f"p{i}" for i in range(9)))
    s = Solver()
    s.add([x >= 0 for x in p] + [x < 8 for x in p] + [Distinct(*p)])
    s.set(isolate=True, timeout=800)
    started = time.perf_counter()
    assert s.check() == unknown
    assert s.reason_unknown() == "timeout"
    elapsed = time.perf_counter() - started
    # 1 s over the limit, plus what an isolated check of nothing costs now (the search process
    # starts and ends; another test process may share the cores)
    trivial = Solver()
    trivial.set(isolate=True)
    started = time.perf_counter()
    assert trivial.check() == sat
    overhead = time.perf_counter() - started
    assert elapsed < 1.8 + overhead, (elapsed, overhead)
    s.reset()
    x, y = Ints("x y")
    s.add(x - y >= 3, y >= 1)
    assert s.check() == sat and s.model()[x] - s.model()[y] >= 3
    s.add(x * 1 + y <= 3)
    with pytest.raises(UnsupportedError):
        s.check()


def test_a_crash_in_the_search_process_becomes_unknown(monkeypatch):
    import smtsched.solver

    def crash(self, *args):
        os.kill(os.getpid(), signal.SIGSEGV)
    monkeypatch.setattr(smtsched.solver.Solver, "_search", crash)
    s = Solver()
    s.set(isolate=True)
    x, = Ints("x")
    s.add(x > 0)
    assert s.check() == unknown
    assert "SIGSEGV" in s.reason_unknown()
