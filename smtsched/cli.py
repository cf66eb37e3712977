"""The `smtsched` command line.

    smtsched solve FILE.smt2 [--timeout S] [--memory MB] [--seed N] [--model] [--stats]
    smtsched solve - < FILE.smt2

Imports are lazy: only what the chosen command needs is loaded, so a trivial script answers in
about a tenth of a second.
"""
import argparse
import os
import sys

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _version():
    from . import __version__
    return __version__


def build_parser():
    parser = argparse.ArgumentParser(
        prog="smtsched",
        description="smtsched: an SMT solver specialised for scheduling "
                    "(difference logic on CaDiCaL).")
    parser.add_argument("--version", action="version", version=f"smtsched {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    solve = commands.add_parser(
        "solve", help="solve an SMT-LIB 2.6 script (QF_IDL, QF_RDL)",
        description="Run an SMT-LIB 2.6 script and print the answers, as z3 and yices do. "
                    "Errors are printed as (error \"line L column C: ...\") and the script "
                    "goes on; the exit code is 1 if any error occurred.")
    solve.add_argument("file", metavar="FILE", help="the .smt2 script, or - for standard input")
    solve.add_argument("--timeout", type=float, metavar="SECONDS",
                       help="wall-clock budget for the whole run; a check-sat that reaches it "
                            "answers unknown (reason: timeout)")
    solve.add_argument("--memory", type=int, metavar="MB",
                       help="memory limit of the search; past it, check-sat answers unknown "
                            "(reason: memout)")
    solve.add_argument("--seed", type=int, metavar="N",
                       help="random seed (overrides :random-seed); same seed, same answer "
                            "and statistics")
    solve.add_argument("--model", action="store_true",
                       help="print the model after every sat answer")
    solve.add_argument("--stats", action="store_true",
                       help="print the statistics after every check-sat")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    if args.command == "solve":
        return solve(args)
    return EXIT_USAGE  # pragma: no cover - argparse rejects unknown commands


def solve(args):
    import time

    if args.timeout is not None and args.timeout <= 0:
        return _usage("--timeout must be positive")
    if args.memory is not None and args.memory <= 0:
        return _usage("--memory must be positive")
    started = time.perf_counter()
    try:
        stream = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")
    except OSError as problem:
        print(f"smtsched: cannot open {args.file}: {problem.strerror}", file=sys.stderr)
        return EXIT_ERRORS
    if args.file != "-" and not args.file.endswith(".smt2"):
        print(f"smtsched: {args.file}: reading it as SMT-LIB 2 (the only format so far)",
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
    # The search runs in a child process: the limits are enforced from outside, Ctrl-C stops
    # it cleanly, and a crash of the search cannot take the session with it.
    script = Script(sys.stdout, print_model=args.model, print_stats=args.stats, seed=args.seed,
                    deadline=deadline, memory_mb=args.memory, isolate=True)
    try:
        with stream:
            script.run(stream)
    except KeyboardInterrupt:
        print("smtsched: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader of our output went away (e.g. `| head`): nothing more to say
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_ERRORS
    if script.interrupted:
        print("smtsched: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_ERRORS if script.errors else EXIT_OK


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
    sys.exit(code)


if __name__ == "__main__":
    entry_point()
