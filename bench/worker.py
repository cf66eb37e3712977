"""Solve one instance with one solver in this (fresh) process and print one JSON line.

    python -m bench.worker SOLVER INSTANCE [--bound B] [--timeout S] [--data DIR]
                           [--no-model] [--cprofile N] [--api]

SOLVER is smtsched, z3 or yices. INSTANCE is a job-shop name (ft10, la03, ...; needs --bound,
default: the optimum from index.json) or a random difference-logic name (rdl-n40-3).
The result is printed on stdout as one line ``BENCH-RESULT {json}``; the parent (bench.run)
enforces the wall-clock limit by killing this process group.

smtsched and yices run as whole processes on the same SMT-LIB file (bench.formula.
solve_process); z3 through its Python API (check() timed). `--api` (and `--cprofile`) runs
smtsched through its Python API in this process instead.
"""

import argparse
import os
import resource
import sys

from bench.harness import child

MARK = "BENCH-RESULT "


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.worker")
    ap.add_argument("solver", choices=["smtsched", "z3", "yices"])
    ap.add_argument("instance")
    ap.add_argument("--bound", type=int, default=None)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--data", default=None)
    ap.add_argument("--no-model", action="store_true")
    ap.add_argument("--api", action="store_true",
                    help="smtsched through its Python API in this process, not `smtsched solve`")
    ap.add_argument("--cprofile", type=int, default=0, metavar="N",
                    help="run under cProfile (build + check) and report the top N by tottime")
    a = ap.parse_args(argv)

    def body(out):
        from bench import formula as F
        from bench.harness.args import data_dir
        from bench.instances import build, family_of

        ddir = data_dir(a.data) if family_of(a.instance) == "jobshop" else None
        clock = child.Clock()
        f, _ = build(a.instance, a.bound, ddir)
        out["encode_time"] = clock()
        out["size"] = f.size()
        want_model = not a.no_model
        if a.solver == "smtsched":
            # before solving, so that a crash still leaves the fingerprint on stderr
            out["smtsched_fingerprint"] = smtsched_fingerprint()
            print("smtsched fingerprint %s" % out["smtsched_fingerprint"], file=sys.stderr, flush=True)
        if a.cprofile:
            out.update(_profiled(a, F, f, want_model))
        else:
            out.update(F.solve(a.solver, f, a.timeout, want_model, api=a.api))
        ch = resource.getrusage(resource.RUSAGE_CHILDREN)
        if ch.ru_maxrss:
            out["child_maxrss_mb"] = ch.ru_maxrss / 1024.0

    return child.run(MARK, body, {"solver": a.solver, "instance": a.instance, "bound": a.bound},
                     failed=(("answer", "error"),))


def smtsched_fingerprint():
    """Short hash of the smtsched code this process runs (package + compiled theories), so a
    report can tell when the code under test changed in the middle of a benchmark run."""
    import smtsched

    from bench.harness.machine import code_fingerprint
    dirs = [os.path.dirname(smtsched.__file__)]
    try:
        import smtsched.theories as th

        dirs += list(th.__path__)
    except Exception:
        pass
    return code_fingerprint(dirs)


def _profiled(a, F, f, want_model):
    import cProfile
    import io
    import pstats

    if a.solver == "smtsched":
        import smtsched  # noqa: F401  (keep the import out of the profile)
    elif a.solver == "z3":
        import z3  # noqa: F401
    prof = cProfile.Profile()
    prof.enable()
    try:
        res = F.solve(a.solver, f, a.timeout, want_model, api=True)
    finally:
        prof.disable()
    buf = io.StringIO()
    st = pstats.Stats(prof, stream=buf)
    st.sort_stats("tottime").print_stats(a.cprofile)
    res["cprofile"] = buf.getvalue()
    return res


if __name__ == "__main__":
    sys.exit(main())
