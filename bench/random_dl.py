"""Family (b): seeded random difference-logic CNF formulas around the sat/unsat transition.

Instance ``rdl-n<N>-<i>``: N integer variables x0..x{N-1} on a ring, M = round(RATIO * N)
clauses; each clause has 2 or 3 atoms (each width with probability 1/2) of the form
``x - y <= c``: y uniform, x = y + o (mod N) with o uniform in [-WINDOW, WINDOW] \\ {0}, and c
uniform in [CMIN, CMAX]. Everything is drawn from ``random.Random("rdl-<N>-<i>")`` (CPython
hashes string seeds with SHA-512, so the instances are identical on every machine and run).

Why local (windowed) atoms: with x, y uniform over all variables the transition sits near
M/N = 7-8 and z3 already needs > 20 s per instance at N = 80, so the sizes could not grow.
With WINDOW = 3 the formulas keep a bounded-bandwidth structure; calibrated with z3
(``calibrate``, 8 seeds per point): at RATIO = 5.0 the sizes 20..320 each have a mix of sat
and unsat instances, z3 median times grow from ~0.01 s (N=20) to ~0.5 s (N=320), and at
N = 640 z3 medians reach ~17 s (so 640 is available via the CLI but not a default size).

Large sizes (issue 16: the family up to 10,000 nodes). At RATIO = 5.0 the transition is out
of every solver's reach from 2,500 nodes on: yices-smt2 answered none of 4 seeds in 10 s at
2,500 nodes for any ratio from 3.5 to 6.0 (measured 2026-12-07), so instances drawn there
would all time out on both sides and be left out of every median. From LARGE_FROM nodes on,
``default_instances`` therefore draws half of a size's seeds on each side of the transition,
with the ratio in the name (``rdl-n2500-0-r3``, ``rdl-n2500-1-r8``): a satisfiable side at
the largest ratio (steps of 0.5) where yices answered all calibration seeds within 10 s
(3.0 at 2,500 nodes: 1-4 s; 2.0 at 10,000 nodes: about 9 s, where 2.5 took 17-26 s) and an
unsatisfiable side at 8.0 (yices 0.3-0.5 s at 2,500 nodes, 2.5 s at 10,000). The sizes up to
640 keep their names and formulas.
"""

import random
import re

from bench.formula import Formula

SIZES = (20, 40, 80, 160, 320)
PER_SIZE = 6
RATIO = 5.0
CMIN, CMAX = -8, 4
WINDOW = 3  # 0 = endpoints uniform over all variables

# From this many variables on, a size's seeds alternate between the two sides of the
# transition (see the module docstring): (satisfiable-side ratio, unsatisfiable-side ratio).
LARGE_FROM = 1000
UNSAT_SIDE = 8.0
SAT_SIDE = ((10000, 2.0), (2500, 3.0), (LARGE_FROM, 3.0))  # (from n, ratio), largest n first


def sides(n):
    """The (satisfiable side, unsatisfiable side) ratios of a large size n."""
    sat = next(r for m, r in SAT_SIDE if n >= m)
    return sat, UNSAT_SIDE


def _ratio_text(r):
    return ("%g" % r)


def default_instances(sizes=SIZES, per_size=PER_SIZE):
    """The family's names: ``rdl-n<N>-<i>`` at RATIO below LARGE_FROM variables; above,
    seed i on the satisfiable side when even, the unsatisfiable side when odd."""
    names = []
    for n in sizes:
        for i in range(per_size):
            if n < LARGE_FROM:
                names.append("rdl-n%d-%d" % (n, i))
            else:
                names.append("rdl-n%d-%d-r%s" % (n, i, _ratio_text(sides(n)[i % 2])))
    return names


NAME_RE = re.compile(r"^rdl-n(\d+)-(\d+)(?:-r([\d.]+))?$")


def generate(name):
    """``rdl-n<N>-<i>`` (optionally ``-r<ratio>`` to override RATIO, for calibration)."""
    m = NAME_RE.match(name)
    if not m:
        raise ValueError("random instance names look like rdl-n40-3 (got %r)" % name)
    n, i = int(m.group(1)), int(m.group(2))
    ratio = float(m.group(3)) if m.group(3) else RATIO
    seed = "rdl-%d-%d" % (n, i) + ("-r%s" % m.group(3) if m.group(3) else "")
    if WINDOW and n < 2 * WINDOW + 2:
        raise ValueError("%s: need at least %d variables for WINDOW=%d" % (name, 2 * WINDOW + 2, WINDOW))
    rng = random.Random(seed)
    f = Formula(name)
    names = ["x%d" % k for k in range(n)]
    for v in names:
        f.var(v)
    n_clauses = int(round(ratio * n))
    for _ in range(n_clauses):
        width = rng.choice((2, 3))
        atoms = []
        for _ in range(width):
            if WINDOW:
                y = rng.randrange(n)
                x = (y + rng.choice([d for d in range(-WINDOW, WINDOW + 1) if d])) % n
            else:
                x, y = rng.sample(range(n), 2)
            atoms.append(("diff", names[x], names[y], "<=", rng.randint(CMIN, CMAX)))
        f.add(*atoms)
    return f


def calibrate(sizes=SIZES, ratios=(4.5, 5.0, 5.5), per=8, timeout=20):
    """Print the z3 sat fraction per (size, ratio); used once to pick RATIO."""
    from bench.formula import solve_z3

    for n in sizes:
        for r in ratios:
            answers = []
            t = 0.0
            for i in range(per):
                res = solve_z3(generate("rdl-n%d-%d-r%s" % (n, i, r)), timeout, want_model=False)
                answers.append(res["answer"])
                t = max(t, res["solve_time"])
            print("n=%d ratio=%s sat=%d unsat=%d other=%d max_t=%.2fs" % (
                n, r, answers.count("sat"), answers.count("unsat"),
                per - answers.count("sat") - answers.count("unsat"), t), flush=True)
