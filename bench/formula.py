"""A tiny solver-neutral formula representation and the three back ends that build it.

A :class:`Formula` is a CNF over difference-logic atoms on integer variables. Every back end
(smtsched, z3, SMT-LIB 2 text for yices) is generated from the same object, so the three solvers
see the same constraints.

Atoms (tuples):

* ``("diff", x, y, op, c)``  means  ``x - y  op  c``
* ``("bound", x, off, op, c)`` means ``x + off  op  c``   (``off`` may be 0)

with ``op`` one of ``"<=", ">=", "<", ">"`` and integer constants.
"""

import operator
import time

OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}


class Formula:
    def __init__(self, name):
        self.name = name
        self.variables = []  # names, in declaration order
        self._known = set()
        self.clauses = []  # list of lists of atoms

    def var(self, name):
        if name not in self._known:
            self._known.add(name)
            self.variables.append(name)
        return name

    def add(self, *atoms):
        """Add one clause (the disjunction of ``atoms``)."""
        if not atoms:
            raise ValueError("empty clause")
        for a in atoms:
            check_atom(a)
        self.clauses.append(list(atoms))

    def size(self):
        return {
            "vars": len(self.variables),
            "clauses": len(self.clauses),
            "atoms": sum(len(c) for c in self.clauses),
        }


def check_atom(a):
    kind = a[0]
    if kind not in ("diff", "bound") or len(a) != 5 or a[3] not in OPS:
        raise ValueError("bad atom %r" % (a,))
    if not isinstance(a[2 if kind == "bound" else 4], int) or not isinstance(a[4], int):
        raise ValueError("non-integer constant in %r" % (a,))


def eval_atom(a, model):
    kind, x, y, op, c = a
    if kind == "diff":
        return OPS[op](model[x] - model[y], c)
    return OPS[op](model[x] + y, c)


def check_model(formula, model):
    """Every clause true under ``model`` (name -> int)? Returns a list of problems ([] = ok)."""
    problems = []
    missing = [v for v in formula.variables if v not in model]
    if missing:
        return ["model lacks %d variables, e.g. %s" % (len(missing), missing[:3])]
    for v in formula.variables:
        if not isinstance(model[v], int):
            problems.append("non-integer value %s = %r" % (v, model[v]))
    if problems:
        return problems
    for i, clause in enumerate(formula.clauses):
        if not any(eval_atom(a, model) for a in clause):
            problems.append("clause %d violated: %r" % (i, clause))
            if len(problems) >= 5:
                break
    return problems


# --------------------------------------------------------------------------- generic builder

def _build_api(formula, Int, Or):
    """Build the terms with a z3py-shaped API; returns (var name -> term, list of assertions)."""
    terms = {v: Int(v) for v in formula.variables}
    out = []
    for clause in formula.clauses:
        lits = []
        for kind, x, y, op, c in clause:
            if kind == "diff":
                lhs = terms[x] - terms[y]
            elif y == 0:
                lhs = terms[x]
            else:
                lhs = terms[x] + y
            if op == "<=":
                lits.append(lhs <= c)
            elif op == ">=":
                lits.append(lhs >= c)
            elif op == "<":
                lits.append(lhs < c)
            else:
                lits.append(lhs > c)
        out.append(lits[0] if len(lits) == 1 else Or(*lits))
    return terms, out


def _stats_dict(st):
    """Best-effort conversion of a statistics object to a JSON-friendly dict."""
    if st is None:
        return {}
    try:
        if hasattr(st, "keys") and hasattr(st, "get_key_value"):  # z3
            return {k: st.get_key_value(k) for k in st.keys()}
        d = dict(st)
    except Exception:
        try:
            d = dict(st.items())
        except Exception:
            return {"repr": repr(st)[:2000]}
    return {str(k): (v if isinstance(v, (int, float, str, bool)) or v is None else repr(v))
            for k, v in d.items()}


# --------------------------------------------------------------------------- smtsched

def _timed_check(check, build, t_import):
    """An API solver's check(), timed alike for smtsched and z3: wall (perf_counter) and CPU
    (process_time) of the call alone."""
    c0, t0 = time.process_time(), time.perf_counter()
    answer = str(check())
    solve, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"answer": answer, "solve_time": solve, "solve_cpu": cpu, "build_time": build,
            "import_time": t_import, "check_time": solve}


def solve_smtsched(formula, timeout_s, want_model=True, profile_hook=None):
    t0 = time.perf_counter()
    import smtsched  # noqa: F401  (import time is excluded from both timings)
    from smtsched import Solver, Int, Or
    t_import = time.perf_counter() - t0

    t0 = time.perf_counter()
    s = Solver()
    s.set(timeout=int(timeout_s * 1000))
    terms, asserts = _build_api(formula, Int, Or)
    for a in asserts:
        s.add(a)
    build = time.perf_counter() - t0

    res = _timed_check(s.check if profile_hook is None else lambda: profile_hook(s.check),
                       build, t_import)
    answer = res["answer"]
    if answer == "unknown":
        try:
            res["reason_unknown"] = str(s.reason_unknown())
        except Exception as e:  # pragma: no cover
            res["reason_unknown"] = "reason_unknown() failed: %r" % (e,)
    try:
        res["stats"] = _stats_dict(s.statistics())
    except Exception as e:
        res["stats"] = {"error": repr(e)}
    if answer == "sat" and want_model:
        m = s.model()
        model = {}
        for v, t in terms.items():
            val = m[t]
            model[v] = _to_int(val)
        res["model"] = model
    return res


def _to_int(val):
    if isinstance(val, bool):
        return val
    if isinstance(val, int):
        return val
    if hasattr(val, "as_long"):
        return val.as_long()
    try:
        i = int(val)
    except Exception:
        return repr(val)
    return i if i == val else repr(val)


# --------------------------------------------------------------------------- z3

def solve_z3(formula, timeout_s, want_model=True):
    t0 = time.perf_counter()
    import z3
    t_import = time.perf_counter() - t0

    t0 = time.perf_counter()
    s = z3.Solver()
    s.set("timeout", int(timeout_s * 1000))
    terms, asserts = _build_api(formula, z3.Int, z3.Or)
    s.add(*asserts)
    build = time.perf_counter() - t0

    res = _timed_check(s.check, build, t_import)
    answer = res["answer"]
    if answer == "unknown":
        res["reason_unknown"] = s.reason_unknown()
    res["stats"] = _stats_dict(s.statistics())
    if answer == "sat" and want_model:
        m = s.model()
        res["model"] = {v: m.eval(t, model_completion=True).as_long() for v, t in terms.items()}
    return res


# --------------------------------------------------------------------------- SMT-LIB 2 / yices

def _num(c):
    return str(c) if c >= 0 else "(- %d)" % (-c)


def smtlib_atom(a):
    kind, x, y, op, c = a
    if kind == "diff":
        return "(%s (- %s %s) %s)" % (op, x, y, _num(c))
    # x + off op c  is written as  x op (c - off): strictly QF_IDL-shaped.
    return "(%s %s %s)" % (op, x, _num(c - y))


def to_smtlib(formula, get_model=False, stats=False):
    """The SMT-LIB 2 script; `stats`: (get-info :all-statistics) just before and just after
    (check-sat), from which each solver's own time for the check is read (solve_process)."""
    out = ["; %s (generated by smtsched bench/formula.py)" % formula.name]
    if get_model:
        out.append("(set-option :produce-models true)")
    out.append("(set-logic QF_IDL)")
    for v in formula.variables:
        out.append("(declare-fun %s () Int)" % v)
    for clause in formula.clauses:
        if len(clause) == 1:
            out.append("(assert %s)" % smtlib_atom(clause[0]))
        else:
            out.append("(assert (or %s))" % " ".join(smtlib_atom(a) for a in clause))
    if stats:
        out.append("(get-info :all-statistics)")
    out.append("(check-sat)")
    if stats:
        out.append("(get-info :all-statistics)")
    if get_model:
        out.append("(get-value (%s))" % " ".join(formula.variables))
    out.append("(exit)")
    return "\n".join(out) + "\n"


def _parse_values(text):
    """Parse a `get-value` answer ``((x 3) (y (- 2)))`` into {name: int}."""
    import re

    model = {}
    for name, neg, pos in re.findall(r"\(\s*([A-Za-z_][\w.]*)\s+(?:\(\s*-\s*(\d+)\s*\)|(-?\d+))\s*\)", text):
        model[name] = -int(neg) if neg else int(pos)
    return model


def yices_binary():
    from bench.harness.machine import find_binary
    return find_binary("yices-smt2")


# --------------------------------------------------------------------------- whole processes

PROCESS_SOLVERS = ("smtsched", "yices")


def process_command(solver, path, timeout_s):
    """The command line of a solver on an SMT-LIB file, with its own time limit."""
    import sys

    if solver == "yices":
        exe = yices_binary()
        if exe is None:
            raise RuntimeError("yices-smt2 not found next to the interpreter or on PATH")
        return [exe, "--timeout=%d" % max(1, int(round(timeout_s))), path]
    if solver == "smtsched":
        return [sys.executable, "-m", "smtsched", "solve", "--timeout", "%g" % timeout_s, path]
    raise ValueError("no command line for %r" % solver)


def check_time_of(solver, stdout):
    """The solver's own time for the check, from the two (get-info :all-statistics) answers
    around (check-sat): smtsched's `:time` after it (wall time of its check(), compilation
    included); yices's `:total-run-time` after minus before (yices reports only the run time
    of the process so far, in CPU seconds, to the millisecond). None when not printed."""
    import re

    if solver == "smtsched":
        times = [float(x) for x in re.findall(r":time\s+([0-9.eE+-]+)", stdout)]
        return times[-1] if len(times) >= 2 else None
    times = [float(x) for x in re.findall(r":total-run-time\s+([0-9.eE+-]+)", stdout)]
    return times[1] - times[0] if len(times) >= 2 else None


def solve_process(solver, formula, timeout_s, want_model=True, workdir=None):
    """smtsched or yices as a whole process (`smtsched solve f.smt2`, `yices-smt2 f.smt2`) on
    the same SMT-LIB file, each with its own timeout option T, killed at T + 5 s.
    solve_time = process_time = the wall time of the whole process (start-up, parsing,
    solving, printing); check_time = the solver's own time for the check (check_time_of)."""
    import os
    import shutil
    import tempfile

    from bench.harness import CHECKOUT, process

    t0 = time.perf_counter()
    text = to_smtlib(formula, get_model=want_model, stats=True)
    scratch = tempfile.mkdtemp(prefix="bench-", dir=workdir)
    path = os.path.join(scratch, "formula.smt2")
    with open(path, "w") as f:
        f.write(text)
    build = time.perf_counter() - t0
    argv = process_command(solver, path, timeout_s)

    try:
        # from the scratch directory and without the checkout on PYTHONPATH (bench.run puts it
        # there for the worker), killed with its group at T + 5 s (bench.harness.process.run)
        done = process.run(argv, timeout_s + 5, scratch,
                           process.without_checkout(os.environ, CHECKOUT))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    wall, cpu = done["wall"], done["cpu"]
    if done["killed"]:
        return {"answer": "unknown", "reason_unknown": "timeout (killed at T + 5 s)",
                "build_time": build, "solve_time": wall, "process_time": wall,
                "solve_cpu": cpu, "process_cpu": cpu, "stats": {}}

    out = done["stdout"]
    words = [l.strip() for l in out.splitlines()]
    answer = next((w for w in words if w in ("sat", "unsat", "unknown")), "")
    res = {"answer": answer if answer else "error", "solve_time": wall, "process_time": wall,
           "solve_cpu": cpu, "process_cpu": cpu, "build_time": build,
           "check_time": check_time_of(solver, out),
           "stats": {"returncode": done["rc"]}}
    if res["answer"] == "error":
        res["error"] = ("%s output: %r stderr: %r" % (solver, out[:500], done["stderr"][-500:]))
    elif answer == "unknown":
        res["reason_unknown"] = "timeout" if wall >= 0.95 * timeout_s else "unknown"
    if answer == "sat" and want_model:
        model = _parse_values(out[out.index("sat"):])
        res["model"] = {v: model[v] for v in formula.variables if v in model}
    return res


def solve_yices(formula, timeout_s, want_model=True, workdir=None):
    return solve_process("yices", formula, timeout_s, want_model, workdir)


SOLVERS = ("smtsched", "z3", "yices")


def solve(solver, formula, timeout_s, want_model=True, api=False):
    """One solver on `formula`. smtsched and yices run as whole processes on the same SMT-LIB
    file (solve_process); `api=True` runs smtsched in this process through its Python API
    instead (check() timed alone, as z3; for profiling)."""
    if solver == "smtsched":
        if api:
            return solve_smtsched(formula, timeout_s, want_model)
        return solve_process("smtsched", formula, timeout_s, want_model)
    if solver == "z3":
        return solve_z3(formula, timeout_s, want_model)
    if solver == "yices":
        return solve_yices(formula, timeout_s, want_model)
    raise ValueError("unknown solver %r" % solver)
