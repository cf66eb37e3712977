"""The solver side of bench/certify.py: one step in a fresh process, its answer as one marked
line ("CERTIFY-RESULT {json}") on stdout. Run by path from a scratch directory, so that
`import smtsched` finds the installed package with its compiled theories, never the source
folder of the current directory (as bench/dnn_worker.py).

    python bench/certify_worker.py decision JOBSHOP.txt BOUND OUT.smt2
        read_model(JOBSHOP.txt).to_smtlib(bound=BOUND) written to OUT.smt2 (no timing).
    python bench/certify_worker.py smtlib FILE.smt2 --timeout T [--proof DIR]
        smtsched.cli.main(["solve", "--timeout", T, FILE] (+ ["--proof", DIR])), in this
        process: exactly `smtsched solve FILE --proof DIR`. The answers go to stdout as the
        CLI prints them; `time` is the call, from argument parsing to its return.
    python bench/certify_worker.py sched FILE jobshop|psplib --timeout T [--proof DIR] [--horizon H]
        read_model(FILE), then Model.solve(time_limit=T, proof=DIR, proof_input={FILE}):
        `time` is the solve call only (reading is `read_time`). With --horizon H the model gets
        set_horizon(H) (every task ends by H: the decision "makespan <= H") and the certificate
        names no file: its input is the model itself, written as DIR/model.json.
    python bench/certify_worker.py check DIR
        smtsched.certify.check(DIR): `time` is the call; verdict status and reason.
    python bench/certify_worker.py pumpkin INSTANCE.json --timeout T [--proof FILE]
        Pumpkin (pumpkin_solver) on the RCPSP instance the harness parsed (bench.sched's
        reader): an integer start per task in [0, sum of durations], s_a + d_a <= s_b per
        precedence (BinaryLessThanEqual), one Cumulative per resource over the tasks with a
        positive duration and demand, makespan = Maximum of the ends; minimise it with the
        LinearSatUnsat optimiser (timeout = T minus the build). With --proof, Model(proof=FILE):
        pumpkin-solver 0.5.0 then writes its DRCP log during the search (atomic constraints
        `a`, labelled inferences `i`, nogoods `n`, the conclusion `c`, i.e. a proof with its
        inference hints; checking it needs Pumpkin's own checker, which is not run here).
        `time` is the build, optimise and dropping the solver (which finishes the log).

Every timed part is measured with harness.child.Clock (time.perf_counter), imports done first.
"""
import argparse
import os
import sys

try:  # run by path (bench/ on sys.path), or imported as bench.certify_worker
    from harness import child
except ImportError:
    from .harness import child

MARK = "CERTIFY-RESULT "


def decision(a, out):
    from smtsched.sched.formats import read_model
    text = read_model(a.file, "jobshop").to_smtlib(bound=a.bound)
    with open(a.out, "w") as stream:
        stream.write(text)
    out["bytes"] = len(text.encode())


def preload(*names):
    """Import what the timed call would import on first use, before the clock starts: a
    fresh process pays the imports once, with or without a proof, and they are not solving."""
    import importlib
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:   # renamed or absent in the smtsched under test: imported late
            pass


def smtlib(a, out):
    import smtsched.cli as cli
    preload("smtsched.smtlib.script", "smtsched.solver", "smtsched.certify.emit",
            "smtsched.certify.witness")
    argv = ["solve", "--timeout", "%g" % a.timeout, a.file]
    if a.proof:
        argv += ["--proof", a.proof]
    child.stage("solve")
    clock = child.Clock()
    out["rc"] = cli.main(argv)
    out["time"] = clock()
    sys.stdout.flush()


def sched(a, out):
    from smtsched.sched.formats import read_model
    # (proof mode reads the input with the checker's reader before its search, and may look
    # for witnesses after it: those modules too, about 2 ms of a fresh process)
    preload("smtsched.sched.optimize", "smtsched.sched.lowered", "smtsched.sched.proof",
            "smtsched.certify.emit", "smtsched.certify.check.sched", "smtsched.certify.witness")
    clock = child.Clock()
    model = read_model(a.file, a.format)
    if a.horizon is not None:
        model.set_horizon(a.horizon)
    out["read_time"] = clock()
    options = {}
    if a.proof and a.horizon is not None:
        options = {"proof": a.proof}   # the file lacks the horizon: model.json is the input
    elif a.proof:
        options = {"proof": a.proof, "proof_input": {"file": os.path.abspath(a.file),
                                                     "format": a.format}}
    child.stage("solve")
    clock = child.Clock()
    result = model.solve(time_limit=a.timeout, **options)
    out["time"] = clock()
    out.update({"status": result.status, "objective": result.objective,
                "lower_bound": result.lower_bound, "starts": result.starts or None,
                "reason": result.reason, "certificate": result.certificate is not None,
                "certificate_note": getattr(result, "certificate_note", "")})


def check(a, out):
    from smtsched import certify
    preload("smtsched.certify.check.verify", "smtsched.certify.check.sched",
            "smtsched.certify.check.smtlib")
    child.stage("check")
    clock = child.Clock()
    verdict = certify.check(a.dir)
    out["time"] = clock()
    out.update({"status": verdict.status, "reason": verdict.reason,
                "incomplete": len(verdict.incomplete), "parts": len(verdict.parts)})


def pumpkin(a, out):
    import json

    import pumpkin_solver as pk
    from pumpkin_solver import constraints as pc
    from pumpkin_solver import optimisation as po
    with open(a.file) as stream:
        inst = json.load(stream)
    child.stage("build")
    clock = child.Clock()
    model = pk.Model(proof=a.proof) if a.proof else pk.Model()
    duration = dict((name, d) for name, d in inst["tasks"])
    horizon = sum(duration.values())
    start = {name: model.new_integer_variable(0, horizon, name=name) for name in duration}
    for before, after in inst["precedences"]:
        model.add_constraint(pc.BinaryLessThanEqual(start[before].offset(duration[before]),
                                                    start[after], model.new_constraint_tag()))
    for _, capacity, demands in inst["resources"]:
        used = [(t, q) for t, q in demands if q > 0 and duration[t] > 0]
        if used:
            model.add_constraint(pc.Cumulative([start[t] for t, _ in used],
                                               [duration[t] for t, _ in used],
                                               [q for _, q in used], capacity,
                                               model.new_constraint_tag()))
    makespan = model.new_integer_variable(0, horizon, name="makespan")
    model.add_constraint(pc.Maximum([start[n].offset(d) for n, d in duration.items()],
                                    makespan, model.new_constraint_tag()))
    out["build_time"] = clock()
    child.stage("solve")
    result = model.optimise(makespan, optimiser=po.Optimiser.LinearSatUnsat,
                            direction=po.Direction.Minimise,
                            timeout=max(0.001, a.timeout - clock()))
    out["status"] = type(result).__name__   # Optimal, Satisfiable, Unsatisfiable, Unknown
    solution = None
    if out["status"] in ("Optimal", "Satisfiable"):
        solution = result._0   # the pyo3 tuple variant's field: the best solution
        out["objective"] = solution.int_value(makespan)
        out["starts"] = {n: solution.int_value(v) for n, v in start.items()}
    # the proof log is finished and flushed when the solver is dropped: inside the clock,
    # with or without a proof alike
    del result, solution, model
    out["time"] = clock()


def main(argv=None):
    p = argparse.ArgumentParser(prog="bench/certify_worker.py")
    sub = p.add_subparsers(dest="step", required=True)
    s = sub.add_parser("decision")
    s.add_argument("file")
    s.add_argument("bound", type=int)
    s.add_argument("out")
    for name in ("smtlib", "sched", "pumpkin"):
        s = sub.add_parser(name)
        s.add_argument("file")
        if name == "sched":
            s.add_argument("format", choices=["jobshop", "psplib"])
        s.add_argument("--timeout", type=float, required=True)
        s.add_argument("--proof", default=None)
        if name == "sched":
            s.add_argument("--horizon", type=int, default=None)
    s = sub.add_parser("check")
    s.add_argument("dir")
    a = p.parse_args(argv)
    body = {"decision": decision, "smtlib": smtlib, "sched": sched, "check": check,
            "pumpkin": pumpkin}[a.step]
    # the harness sets the memory limit on this process (bench.harness.process.run)
    return child.run(MARK, lambda out: body(a, out), {"step": a.step}, failed=())


if __name__ == "__main__":
    sys.exit(main())
