"""The `smtsched` command line.

    smtsched solve FILE.smt2 [--timeout S] [--memory MB] [--seed N] [--model] [--stats]
    smtsched solve - < FILE.smt2
    smtsched solve FILE.sm|.txt|... [--timeout S] [--workers K] [--json] [--log] [--gantt PNG]
    smtsched solve FILE --proof DIR          (a certificate per unsat answer: DIR/1, DIR/2 ...)
    smtsched check-proof DIR [--input FILE]  ("verified", exit 0; else the reason, exit 1)
    smtsched batch INPUTS... --out results.jsonl [--timeout S] [--workers N | --dask ADDRESS]
                 (one process per instance, a JSON line each, resumable; docs/batch.md)
    smtsched dnn MODEL.onnx --accelerator SPEC.toml [--memory BYTES]
                 [--objective latency|peak-memory] [--timeout S] [--json] [--plot PNG] [--log]
                 [--proof DIR]                (a certificate of an OPTIMAL or INFEASIBLE answer)

Imports are lazy: only what the chosen command needs is loaded, so a trivial script answers in
about a tenth of a second.
"""
import argparse
import gc
import os
import sys

from .input_formats import SCHEDULE_EXTENSIONS, SCHEDULE_FORMATS

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130



def _version():
    from . import __version__
    return __version__


# the reading time below which a timed search still gets the whole --timeout (solve_schedule)
READ_SLACK = 0.2


def build_parser():
    parser = argparse.ArgumentParser(
        prog="smtsched",
        description="smtsched: an SMT solver specialised for scheduling "
                    "(difference logic on CaDiCaL).")
    parser.add_argument("--version", action="version", version=f"smtsched {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    solve = commands.add_parser(
        "solve", help="solve an SMT-LIB 2.6 script, a job shop or a project-scheduling "
                      "instance",
        description="Run an SMT-LIB 2.6 script and print the answers, as z3 and yices do "
                    "(errors are printed as (error \"line L column C: ...\") and the script "
                    "goes on; the exit code is 1 if any error occurred). A job-shop file "
                    "(.txt), a flexible job-shop file (FJSPLIB .fjs) or a project-scheduling "
                    "file (PSPLIB .sm/.mm, RCPSP/max .sch, Patterson .rcp, MPLIB .rcmp; read "
                    "through psplib) is solved for the "
                    "smallest makespan: status, makespan, proven lower bound and the schedule "
                    "are printed.")
    solve.add_argument("file", metavar="FILE",
                       help="a .smt2 script (or - for standard input), a job-shop .txt, a "
                            "flexible job-shop .fjs, or a project-scheduling file (.sm, "
                            ".mm, .sch, .rcp, .rcmp)")
    solve.add_argument("--format", choices=["smtlib"] + SCHEDULE_FORMATS,
                       help="the input format (default: from the extension: .smt2, "
                            "job shop .txt/.jss/.jsp, flexible job shop .fjs, PSPLIB "
                            ".sm/.mm, RCPSP/max .sch, Patterson .rcp, MPLIB .rcmp, MSLIB "
                            ".msrcp)")
    solve.add_argument("--json", action="store_true",
                       help="scheduling formats: print the result as one JSON object")
    solve.add_argument("--gantt", metavar="PNG",
                       help="scheduling formats: draw a Gantt chart (needs matplotlib)")
    solve.add_argument("--log", action="store_true",
                       help="scheduling formats: show every improvement on standard error")
    solve.add_argument("--timeout", type=float, metavar="SECONDS",
                       help="wall-clock budget for the whole run; a check-sat that reaches it "
                            "answers unknown (reason: timeout)")
    solve.add_argument("--memory", type=int, metavar="MB",
                       help="memory limit of the search; past it, check-sat answers unknown "
                            "(reason: memout)")
    solve.add_argument("--seed", type=int, metavar="N",
                       help="random seed (overrides :random-seed); same seed, same answer "
                            "and statistics")
    solve.add_argument("--workers", type=int, metavar="K", default=1,
                       help="scheduling formats: a parallel search of K processes with "
                            "different strategies that share schedules and bounds (default "
                            "1: one search, the same answer and statistics for a seed)")
    solve.add_argument("--model", action="store_true",
                       help="print the model after every sat answer")
    solve.add_argument("--stats", action="store_true",
                       help="print the statistics after every check-sat")
    solve.add_argument("--proof", metavar="DIR",
                       help="write a certificate for every unsat answer (SMT-LIB: DIR/K for "
                            "the K-th check-sat; scheduling formats: DIR, for an OPTIMAL or "
                            "INFEASIBLE answer); `smtsched check-proof DIR` checks it "
                            "(docs/certificates.md)")
    dnn = commands.add_parser(
        "dnn", help="schedule a neural-network graph on an accelerator",
        description="Schedule the operators of a neural-network graph (ONNX, our JSON DAG, "
                    "a Moccasin JSON or a GML graph) on the units of an accelerator "
                    "(a TOML or JSON description, see examples/): the least latency or the "
                    "least peak memory, under a memory budget if given. Prints the status "
                    "(OPTIMAL, FEASIBLE with its gap, INFEASIBLE or UNKNOWN), the objective, "
                    "its proven bound, and the schedule.")
    dnn.add_argument("graph", metavar="MODEL", help="an .onnx, .json or .gml graph")
    dnn.add_argument("--accelerator", metavar="SPEC", required=True,
                     help="the accelerator description (.toml or .json)")
    dnn.add_argument("--format", choices=["onnx", "json", "moccasin", "gml"],
                     help="the graph format (default: from the extension and the content)")
    dnn.add_argument("--objective", choices=["latency", "peak-memory"], default="latency",
                     help="what to minimise (default: latency)")
    dnn.add_argument("--memory", metavar="BYTES",
                     help="budget of live activation memory, e.g. 4000000 or '8 MiB' "
                          "(default: the accelerator's memory, if it gives one)")
    dnn.add_argument("--timeout", type=float, metavar="SECONDS",
                     help="wall-clock budget; the best schedule so far and its gap are kept")
    dnn.add_argument("--seed", type=int, default=0, metavar="N", help="random seed")
    dnn.add_argument("--proof", metavar="DIR",
                     help="write a certificate of an OPTIMAL or INFEASIBLE answer into DIR "
                          "(the graph as DIR/model.json); `smtsched check-proof DIR` checks it; "
                          "standard error says where, or why none was written "
                          "(docs/certificates.md)")
    dnn.add_argument("--json", action="store_true", help="print the result as one JSON object")
    dnn.add_argument("--plot", metavar="PNG",
                     help="draw a Gantt chart per unit and the memory in use over time "
                          "(needs matplotlib)")
    dnn.add_argument("--log", action="store_true",
                     help="show progress (best, bound, gap) on standard error")
    dnn.add_argument("--mem-limit", type=int, metavar="MB",
                     help="memory limit of the search process itself")
    batch = commands.add_parser(
        "batch", help="solve many instances, one process each, here or on a Dask cluster",
        description="Solve every input as `smtsched solve --json` (with --accelerator: "
                    "`smtsched dnn --json`) would, each in its own process, and append one "
                    "JSON line per instance to the results file as it ends (input, options, "
                    "exit: solved, timeout, memout, killed, error or unknown, status, "
                    "objective, lower bound, runtime, wall time, reason or error). Every run "
                    "ends within its --timeout plus a second. Inputs already in the results "
                    "file with the same options are skipped, so a stopped batch resumes. "
                    "A folder stands for its files of a known extension (docs/batch.md).")
    batch.add_argument("inputs", metavar="INPUT", nargs="+",
                       help="input files (.smt2 or any scheduling format of solve) or folders "
                            "of them")
    batch.add_argument("--out", metavar="FILE", required=True,
                       help="the results file (JSON lines), appended to")
    batch.add_argument("--timeout", type=float, metavar="SECONDS",
                       help="the limit of each instance (as for solve); the instance's process "
                            "is killed if it has not ended a second after it")
    batch.add_argument("--seed", type=int, metavar="N", help="random seed of every instance")
    batch.add_argument("--format", choices=["smtlib", "jobshop", "psplib", "onnx", "json",
                                            "moccasin", "gml"],
                       help="the input format of every instance (default: from the extension)")
    batch.add_argument("--memory", type=int, metavar="MB",
                       help="memory limit of each instance's search")
    batch.add_argument("--accelerator", metavar="SPEC",
                       help="the inputs are neural-network graphs, scheduled on this "
                            "accelerator as `smtsched dnn` does")
    batch.add_argument("--objective", choices=["latency", "peak-memory"], default="latency",
                       help="with --accelerator: what to minimise (default: latency)")
    where = batch.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, metavar="N",
                       help="instances at a time on this machine (default: one per core)")
    where.add_argument("--dask", metavar="ADDRESS",
                       help="run on the Dask distributed cluster whose scheduler is at "
                            "ADDRESS, e.g. tcp://host:8786 (pip install smtsched[dask])")
    batch.add_argument("--quiet", action="store_true", help="no progress bar")
    check = commands.add_parser(
        "check-proof", help="check a certificate written by --proof",
        description="Check the certificate(s) in DIR (one, or numbered sub-folders) with a "
                    "checker that shares no code with the solver: prints 'verified' or the "
                    "first reason for rejecting, exit code 0 or 1 (docs/certificates.md).")
    check.add_argument("directory", metavar="DIR", help="the certificate folder")
    check.add_argument("--input", metavar="FILE",
                       help="the input file (default: the one the manifest names)")
    check.add_argument("--engine", metavar="E",
                       help="RUP engine for proof.drup: drup-forward (default: every line), "
                            "drup (backward: the lines the refutation uses), glucose4, "
                            "minisat22, dratify")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    if args.command == "solve":
        return solve(args)
    if args.command == "dnn":
        return solve_dnn(args)
    if args.command == "batch":
        from .batch.runner import main as batch_main
        return batch_main(args)
    if args.command == "check-proof":
        from .certify.check.cli import main as check_main
        argv = [args.directory] + (["--input", args.input] if args.input else [])
        argv += ["--engine", args.engine] if args.engine else []
        return check_main(argv)
    return EXIT_USAGE  # pragma: no cover - argparse rejects unknown commands


def _safe_output():
    """Names come from the input files: write any character they hold rather than fail on
    it (a terminal that is not UTF-8, a name with a lone surrogate)."""
    for channel in (sys.stdout, sys.stderr):
        try:
            channel.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError):
            pass


def _read_failure(path, error):
    """The message for an exception raised while reading `path` that no reader turned into
    an input error: still the file and what happened, never a traceback."""
    if isinstance(error, MemoryError):
        return f"{path}: out of memory while reading it"
    if isinstance(error, RecursionError):
        return f"{path}: nested too deeply to read"
    if isinstance(error, OSError) and error.strerror:
        return f"cannot read {error.filename or path}: {error.strerror}"
    # a reader let something through: say so, so that it is reported and fixed
    return f"{path}: internal error while reading it ({type(error).__name__}: {error}); " \
           f"please report this"


def _input_error_line(error, source, located):
    """The one line for an error met while reading `source` into a model: a `located` error
    (a reader's, naming its own file, line and column) as it is; another SmtschedError (the
    model refused a value a reader let through) with the file in front; anything else as
    `_read_failure` says it."""
    from .errors import SmtschedError

    if isinstance(error, located):
        return f"smtsched: {error}"
    if isinstance(error, SmtschedError):
        return f"smtsched: {source}: {error}"
    return f"smtsched: {_read_failure(source, error)}"


def solve(args):
    import time

    if args.timeout is not None and args.timeout <= 0:
        return _usage("--timeout must be positive")
    if args.memory is not None and args.memory <= 0:
        return _usage("--memory must be positive")
    if args.workers < 1:
        return _usage("--workers must be at least 1")
    started = time.perf_counter()
    format = args.format
    if format is None:
        format = "smtlib" if args.file == "-" or args.file.endswith(".smt2") else None
        if format is None and os.path.splitext(args.file)[1].lower() in SCHEDULE_EXTENSIONS:
            format = "schedule"
    if format in SCHEDULE_FORMATS or format == "schedule":
        return solve_schedule(args, None if format == "schedule" else format, started)
    if args.workers != 1:
        return _usage("--workers applies to the scheduling formats (an SMT-LIB script is "
                      "one search)")
    try:
        stream = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")
    except OSError as problem:
        print(f"smtsched: cannot open {args.file}: {problem.strerror}", file=sys.stderr)
        return EXIT_ERRORS
    if format is None:
        print(f"smtsched: {args.file}: reading it as SMT-LIB 2 (use --format for the others)",
              file=sys.stderr)
    from .smtlib.script import Script

    # Symbols and strings keep the bytes they were written with, UTF-8 or not (the reader
    # decodes with surrogate escapes); write them back the same way rather than fail.
    for channel in (sys.stdout, sys.stderr):
        try:
            channel.reconfigure(errors="surrogateescape")
        except (AttributeError, ValueError):
            pass

    deadline = None if args.timeout is None else started + args.timeout
    proof = None
    if args.proof is not None:
        proof, stream = _proof_input(args, stream)
        if proof is None:
            return EXIT_ERRORS
    # The search runs in a child process: the limits are enforced from outside, Ctrl-C stops
    # it cleanly, and a crash of the search cannot take the session with it.
    script = Script(sys.stdout, print_model=args.model, print_stats=args.stats, seed=args.seed,
                    deadline=deadline, memory_mb=args.memory, isolate=True, proof=proof)
    try:
        with stream:
            script.run(stream)
    except KeyboardInterrupt:
        print("smtsched: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    if script.interrupted:
        print("smtsched: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_ERRORS if script.errors else EXIT_OK


def _proof_input(args, stream):
    """For --proof on an SMT-LIB script: (the input's record for the certificates, the stream
    to run). The script is read whole first, so that the certificates name exactly the bytes
    that were solved (standard input is saved as DIR/input.smt2). (None, None) after an error
    message."""
    import hashlib
    import io

    with stream:
        data = stream.read()
    try:
        os.makedirs(args.proof, exist_ok=True)
        path = args.file
        if path == "-":
            path = os.path.join(args.proof, "input.smt2")
            with open(path, "wb") as saved:
                saved.write(data)
    except OSError as problem:
        print(f"smtsched: cannot write the certificates to {args.proof}: {problem.strerror}",
              file=sys.stderr)
        return None, None
    record = {"directory": args.proof, "file": os.path.abspath(path),
              "sha256": hashlib.sha256(data).hexdigest(), "format": "smtlib"}
    return record, io.BytesIO(data)


def solve_schedule(args, format, started):
    """Solve a job-shop or project-scheduling file (the psplib formats) for the smallest
    makespan, in a child process that streams every improvement back: a timeout, a memory
    limit or Ctrl-C keeps the best schedule found so far."""
    from .sched import FormatError, read_model
    from .sched.formats import format_of

    _safe_output()
    try:
        model = read_model(args.file, format)
    except Exception as error:
        print(_input_error_line(error, args.file, FormatError), file=sys.stderr)
        return EXIT_ERRORS
    proof_input = None
    if args.proof is not None:
        # the certificate names the file read when the checker has a reader of its own for
        # it (it reads it again); else it holds the model (DIR/model.json)
        from .sched.psplib_formats import certificate_format
        format = format or format_of(args.file)
        if format != "jobshop":
            format = certificate_format(args.file, format)
        if format is not None:
            proof_input = {"file": os.path.abspath(args.file), "format": format}

    def solve_model(time_limit, report):
        # the search's budgets are conflicts sized from its time limit (sched/optimize.py):
        # the limit given, not what is left of it after reading the file (a few ms that vary
        # from run to run), so the same file, seed and --timeout give the same answer. The
        # search's own deadline is then later by the reading time; the child is killed at
        # the limit plus isolation.GRACE (0.5 s), so a read of READ_SLACK or more (a large
        # file) gives the search only what is left, and the answer still comes in time.
        if time_limit is not None and args.timeout - time_limit < READ_SLACK:
            time_limit = args.timeout
        return model.solve(time_limit=time_limit, seed=args.seed or 0, on_solution=report,
                           log=args.log, proof=args.proof, proof_input=proof_input,
                           workers=args.workers)

    def show(result):
        print(result.to_json() if args.json else schedule_text(model, result))
        _certificate_line(args, result)
        if args.gantt:
            from .plot import gantt
            gantt(model, result, args.gantt)

    return _optimise_in_child(model, solve_model, show, args.timeout, args.memory, started,
                              "--gantt" if args.gantt else None, args.file,
                              proof=args.proof is not None)


def _optimise_in_child(model, solve_model, show, timeout, memory_mb, started, plotting,
                       source, proof=False):
    """Run `solve_model(time_limit, report)` (a Result; `report(result)` at each improvement)
    in a child process under the limits; after a timeout, a memory limit or Ctrl-C, the best
    schedule the child reported is the answer. `show(result)` prints it (and plots).
    `proof`: a certificate was asked for; a child stopped from outside wrote none (its folder
    has no manifest.json: the child writes that last), and the Result says so."""
    import time

    from . import isolation
    from .sched.result import FEASIBLE, OPTIMAL, UNKNOWN, Result

    time_limit = None
    if timeout is not None:
        time_limit = max(0.0, timeout - (time.perf_counter() - started))
    best = {}

    def work(send):
        def report(result):
            send({"objective": result.objective, "lower_bound": result.lower_bound,
                  "starts": result._starts, "present": result._present})
        return solve_model(time_limit, report)

    interrupted = False
    try:
        outcome = isolation.run(work, time_limit=time_limit, memory_mb=memory_mb,
                                on_message=best.update)
    except KeyboardInterrupt:
        outcome, interrupted = ("interrupted", "interrupted"), True
    runtime = time.perf_counter() - started
    if outcome[0] == "ok":
        result = outcome[1]
        result.model = model
    elif outcome[0] == "error":
        from .errors import SmtschedError
        error = outcome[1]
        if isinstance(error, SmtschedError):  # e.g. numbers too large for the arithmetic
            print(f"smtsched: {source}: {error}", file=sys.stderr)
        else:  # a bug of the solver, not a problem with the input: say so
            print(f"smtsched: {source}: internal error while solving "
                  f"({type(error).__name__}: {error}); please report this", file=sys.stderr)
        return EXIT_ERRORS
    elif best.get("starts") is not None:  # stopped from outside: what the child reported
        result = Result(model, FEASIBLE, objective=best["objective"],
                        lower_bound=best["lower_bound"], starts=best["starts"],
                        present=best["present"], runtime=runtime, reason=outcome[1])
        if result.status == OPTIMAL:
            # the child had reported a checked schedule that meets its proven bound (and was
            # stopped while finishing up): the answer is OPTIMAL, so no reason for a gap
            result.reason = ""
    else:
        result = Result(model, UNKNOWN, runtime=runtime, reason=outcome[1])
    if proof and outcome[0] != "ok":
        result.certificate_note = f"no certificate: the search was stopped ({outcome[1]})"
    try:
        show(result)
    except ImportError:
        print(f"smtsched: {plotting} needs matplotlib (pip install matplotlib)", file=sys.stderr)
        return EXIT_ERRORS
    if interrupted:
        print("smtsched: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK


def solve_dnn(args):
    """Schedule a DNN graph in a child process that streams every improvement back (a
    timeout, a memory limit or Ctrl-C keeps the best schedule found so far)."""
    import time

    from .dnn import (AcceleratorError, DnnProblem, DnnProblemError, DnnSchedule, GraphError,
                      load_accelerator, load_graph, parse_bytes)

    started = time.perf_counter()
    if args.timeout is not None and args.timeout <= 0:
        return _usage("--timeout must be positive")
    if args.mem_limit is not None and args.mem_limit <= 0:
        return _usage("--mem-limit must be positive")
    _safe_output()
    reading = args.graph
    try:
        budget = None if args.memory is None else parse_bytes(args.memory, "--memory")
        graph = load_graph(args.graph, args.format)
        reading = args.accelerator
        accelerator = load_accelerator(args.accelerator)
        reading = args.graph
        problem = DnnProblem(graph, accelerator, objective=args.objective, memory=budget)
    except Exception as error:
        print(_input_error_line(error, reading, (GraphError, AcceleratorError, DnnProblemError)),
              file=sys.stderr)
        return EXIT_ERRORS

    def solve_model(time_limit, report):
        # only the Result travels back (the parent has the problem)
        return problem.solve(time_limit=time_limit, seed=args.seed,
                             on_solution=lambda schedule: report(schedule.result),
                             log=args.log, proof=args.proof).result

    def show(result):
        schedule = DnnSchedule(problem, result)
        print(schedule.to_json() if args.json else dnn_text(schedule))
        _certificate_line(args, result)
        if args.plot:
            from .plot import dnn_chart
            dnn_chart(schedule, args.plot)

    return _optimise_in_child(problem.model, solve_model, show, args.timeout, args.mem_limit,
                              started, "--plot" if args.plot else None, args.graph,
                              proof=args.proof is not None)


def _certificate_line(args, result):
    """With --proof (and without --json, whose object says it): where the certificate is,
    or why none was written, on standard error (the answer's text keeps its shape)."""
    if args.proof is not None and not args.json:
        print(f"smtsched: certificate written to {result.certificate}"
              if result.certificate is not None else
              f"smtsched: {result.certificate_note or 'no certificate'}", file=sys.stderr)


def _quality(lines, name, answer):
    """The objective, its proven bound and the gap of `answer` (a Result or a DnnSchedule)."""
    if answer.objective is not None:
        lines.append(f"{name} {answer.objective}")
    if answer.lower_bound is not None:
        lines.append(f"lower bound {answer.lower_bound}")
    if answer.gap is not None:
        lines.append(f"gap {100 * answer.gap:.2f}%")


def _closing(lines, answer, heading, rows):
    """The reason (if any), the time, and the schedule rows under `heading`."""
    if answer.reason:
        lines.append(f"reason {answer.reason}")
    lines.append(f"time {answer.runtime:.3f} s")
    if rows:
        lines.append(heading)
        lines.extend(f"  {row}" for row in rows)
    return "\n".join(lines)


def dnn_text(schedule):
    problem = schedule.problem
    lines = [f"status {schedule.status}",
             f"graph {problem.graph.name}: {len(problem.graph.operators)} operators, "
             f"accelerator {problem.accelerator.name}"]
    _quality(lines, problem.objective, schedule)
    if schedule.latency is not None:
        lines.append(f"latency {schedule.latency}")
        budget = problem.memory_budget
        lines.append(f"peak memory {schedule.peak_memory} bytes"
                     + ("" if budget is None else f" (budget {budget})"))
    rows = [f"{e['op']} {e['unit'] or '-'} {e['start']} {e['end']}" for e in schedule.operations]
    return _closing(lines, schedule, "schedule (operator unit start end):", rows)


def schedule_text(model, result):
    lines = [f"status {result.status}"]
    _quality(lines, "makespan", result)
    rows = []
    for task in model.tasks:
        start = result.start(task)
        if start is not None:
            rows.append(f"{task.name} {start} {start + task.duration}")
    return _closing(lines, result, "schedule (task start end):", rows)


def _usage(message):
    print(f"smtsched: {message}", file=sys.stderr)
    return EXIT_USAGE


def entry_point():
    """Console-script entry: exit with main()'s code; never a traceback on Ctrl-C."""
    try:
        code = main()
    except KeyboardInterrupt:
        print("smtsched: interrupted", file=sys.stderr)
        code = EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader of our output went away (e.g. `| head`): nothing more to say
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError:
            pass
        code = EXIT_ERRORS
    # The interpreter's last collection at exit walks every object still alive, to no use
    # here: 12% of `smtsched solve` on a 2,500-node random DL file (bench/random_dl, py-spy).
    # Frozen objects are left out of it; atexit handlers and flushing still run.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    entry_point()
