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
"""

import random
import re

from bench.formula import Formula

SIZES = (20, 40, 80, 160, 320)
PER_SIZE = 6
RATIO = 5.0
CMIN, CMAX = -8, 4
WINDOW = 3  # 0 = endpoints uniform over all variables


def default_instances(sizes=SIZES, per_size=PER_SIZE):
    return ["rdl-n%d-%d" % (n, i) for n in sizes for i in range(per_size)]


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
