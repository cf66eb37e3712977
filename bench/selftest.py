"""Quick self-test of the harness (no smtsched needed):

    /work/venv/bin/python -m bench.selftest

Checks the job-shop parser and the independent schedule checker on hand-made schedules, that
z3, yices and `smtsched solve` (as a process, when smtsched imports) answer ft06 (sat at 55,
unsat at 54) with models that pass the checker and, for the two processes, their own check
times read from the statistics, that the
random family is deterministic, and that bench.run flags wrong answers.
"""

import sys

from bench import jobshop, random_dl
from bench.harness.args import data_dir
from bench.formula import check_model, solve_process, solve_yices, solve_z3, to_smtlib


def main():
    d = data_dir(None)
    inst = jobshop.load(d, "ft06")
    assert inst.n_jobs == 6 and inst.n_machines == 6 and inst.jobs[0][0] == (2, 1)
    assert jobshop.parse("2 2\n0 3 1 2\n1 4 0 1\n").jobs == [[(0, 3), (1, 2)], [(1, 4), (0, 1)]]

    # serial schedule: valid at its own makespan, too long for one less
    t, starts = 0, {}
    for j, ops in enumerate(inst.jobs):
        for k, (_, dur) in enumerate(ops):
            starts[jobshop.var(j, k)] = t
            t += dur
    assert jobshop.check_schedule(inst, t, starts) == []
    assert jobshop.check_schedule(inst, t - 1, starts)
    bad = dict(starts, s_0_1=starts["s_0_0"])
    assert any("precedence" in p for p in jobshop.check_schedule(inst, t, bad))
    ov = dict(starts, s_1_0=0)
    assert any("overlaps" in p for p in jobshop.check_schedule(inst, t, ov))
    assert jobshop.check_schedule(inst, t, dict(starts, s_0_0=-1))
    f = jobshop.encode(inst, t)
    assert check_model(f, starts) == []
    assert check_model(jobshop.encode(inst, t - 1), starts)

    for B, want in ((55, "sat"), (54, "unsat")):
        f = jobshop.encode(inst, B)
        solvers = [("z3", solve_z3), ("yices", solve_yices)]
        if _smtsched_imports():
            solvers.append(("smtsched", lambda f, t: solve_process("smtsched", f, t)))
        for name, fn in solvers:
            r = fn(f, 30)
            assert r["answer"] == want, (name, B, r)
            if name != "z3":
                assert r["check_time"] is not None and 0 <= r["check_time"] <= r["process_time"], r
            if want == "sat":
                assert check_model(f, r["model"]) == [], name
                assert jobshop.check_schedule(inst, B, r["model"]) == [], name
    assert "(set-logic QF_IDL)" in to_smtlib(f)

    a = to_smtlib(random_dl.generate("rdl-n40-2"))
    assert a == to_smtlib(random_dl.generate("rdl-n40-2"))
    assert a != to_smtlib(random_dl.generate("rdl-n40-3"))

    from bench.run import verify_row

    row = {"family": "jobshop", "instance": "ft06", "bound": 54, "optimum": 55,
           "results": {"z3": {"answer": "sat", "solve_time": 0.1, "model": starts},
                       "yices": {"answer": "unsat", "solve_time": 0.1}}}
    verify_row(row, d, 60)
    assert row["wrong"]["z3"] and not row["wrong"]["yices"]
    row = {"family": "jobshop", "instance": "ft06", "bound": 55, "optimum": 55,
           "results": {"z3": {"answer": "unsat", "solve_time": 0.1}}}
    verify_row(row, d, 60)
    assert row["wrong"]["z3"]
    print("bench self-test: ok")
    return 0


def _smtsched_imports():
    import subprocess
    import tempfile

    return subprocess.run([sys.executable, "-c", "import smtsched; smtsched.Solver"],
                          cwd=tempfile.gettempdir(), capture_output=True).returncode == 0


if __name__ == "__main__":
    sys.exit(main())
