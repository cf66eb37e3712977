"""py-spy's collapsed stacks of a smtsched run (bench.run --profile), summarised for the
report's "Where the time goes": the samples inside `Solver.check` by where the innermost frame
is (the Cython theory, CaDiCaL, PySAT's glue, smtsched's Python, the interpreter), and the top
functions by self samples."""
import os


def summarize_collapsed(path, top=25):
    """Summarise py-spy's collapsed stacks: samples inside ``Solver.check`` by category of the
    innermost frame, and the top functions by self samples (line numbers merged)."""
    total = in_solve = 0
    stacks = []
    with open(path) as f:
        for line in f:
            stack, _, n = line.rstrip("\n").rpartition(" ")
            try:
                n = int(n)
            except ValueError:
                continue
            frames = [_func(x) for x in stack.split(";")]
            total += n
            if any(fr[0].startswith("solve_smtsched") for fr in frames):
                in_solve += n
            # keep only what happens inside check()
            idx = next((i for i, fr in enumerate(frames) if fr[0] == "Solver.check"), None)
            if idx is not None:
                stacks.append((frames[idx:], n))
    in_check = sum(n for _, n in stacks)
    if not in_check:
        return ["py-spy: %d samples, none inside Solver.check." % total]
    cat, selfc, incl = {}, {}, {}
    for frames, n in stacks:
        leaf = frames[-1]
        c = _category(leaf)
        cat[c] = cat.get(c, 0) + n
        key = "%s (%s)" % leaf
        selfc[key] = selfc.get(key, 0) + n
        for fr in set("%s (%s)" % x for x in frames):
            incl[fr] = incl.get(fr, 0) + n
    out = ["py-spy record --native: %d samples in the worker, %d in solve_smtsched (build + check), "
           "%d inside Solver.check (raw stacks: bench/results/%s)." % (
               total, in_solve, in_check, os.path.basename(path)),
           "", "Inside Solver.check, by where the innermost frame is:", ""]
    for c, n in sorted(cat.items(), key=lambda kv: -kv[1]):
        out.append("    %5.1f%%  %s" % (100.0 * n / in_check, c))
    out += ["", "Top %d functions inside Solver.check by self samples:" % top, "",
            "    self%   incl%   function (file)"]
    for fr, n in sorted(selfc.items(), key=lambda kv: -kv[1])[:top]:
        out.append("    %5.1f   %5.1f   %s" % (100.0 * n / in_check, 100.0 * incl.get(fr, 0) / in_check, fr))
    return out


def _func(frame):
    """'name (path/file.py:123)' -> ('name', 'path/file.py')."""
    frame = frame.strip()
    if frame.endswith(")") and " (" in frame:
        fn, _, loc = frame.rpartition(" (")
        loc = loc[:-1]
        if ":" in loc and loc.rsplit(":", 1)[1].isdigit():
            loc = loc.rsplit(":", 1)[0]
        return fn, loc
    return frame, "?"


def _category(fr):
    fn, loc = fr
    if loc.endswith(".pyx") or loc.endswith(".pxd"):
        return "Cython difference-logic theory (%s)" % os.path.basename(loc)
    if "CaDiCaL" in fn:
        return "CaDiCaL (C++)"
    if "pysolvers" in loc:
        return "PySAT C/C++ glue (%s)" % os.path.basename(loc)
    if loc.startswith("smtsched/") or "/smtsched/" in loc:
        return "smtsched Python (%s)" % os.path.basename(loc)
    if "libpython" in loc:
        return "CPython runtime (libpython: interpreter, allocation, GC)"
    if loc.endswith(".py") or loc.startswith("<"):
        return "other Python (%s)" % os.path.basename(loc)
    return "other native (%s)" % os.path.basename(loc)
