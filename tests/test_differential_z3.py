"""Differential tests: smtsched against z3 on random small difference-logic formulas.

Random formulas are drawn as a small private AST (plain tuples, shown by Hypothesis when a test
fails) and built *twice, independently*: once through the smtsched API and once directly as z3
terms. Comparing the two answers therefore also checks smtsched's term construction, which
`tests/z3_oracle.to_z3` (used only for smtsched-produced terms: lemmas, and the structure test)
would not.

Two logics, drawn separately:

* QF_IDL - 2..5 Int variables, int constants (scaled differences such as 2*x - 2*y <= 5 exercise
  the integer rounding of the bound);
* QF_RDL - 2..5 Real variables, int and Fraction constants, strict inequalities.

Every arithmetic atom has a difference-logic shape: both sides are "units" of one common scale k,
a unit being k*v + c for one variable v, a constant, or If(cond, unit, unit), presented through
+, -, unary -, k*t / t*k; the two sides of an atom (and the arguments of a Distinct) use disjoint
variables, so every atom is k*(x - y) op c or k*x op c once the If's are lifted. The
"degenerate" test drops those restrictions (x - x, 0*x, scaling of compound terms and of If).

Example counts are relative to the Hypothesis profile (see conftest.py): with the default "ci"
profile the tests below draw about 2,500 formulas / scripts.
"""

import operator
from dataclasses import dataclass
from fractions import Fraction

import pytest
import z3
from hypothesis import event, given, note, settings
from hypothesis import strategies as st

import z3_oracle
from z3_oracle import term_key, to_z3, z3_check, z3_holds_under, z3_is_valid, z3_value

smtsched = pytest.importorskip("smtsched")
if not hasattr(smtsched, "Solver"):  # the package directory exists before its API does
    pytest.skip("smtsched.Solver is not available yet", allow_module_level=True)


def scaled(weight):
    """max_examples as a multiple of the active profile's baseline."""
    return max(1, int(settings.default.max_examples * weight))


INT_NAMES = ("x0", "x1", "x2", "x3", "x4")
REAL_NAMES = ("r0", "r1", "r2", "r3", "r4")
BOOL_NAMES = ("p0", "p1", "p2")
COMPARISONS = ("le", "lt", "ge", "gt", "eq", "ne")
PY_COMPARE = {
    "le": operator.le,
    "lt": operator.lt,
    "ge": operator.ge,
    "gt": operator.gt,
    "eq": operator.eq,
    "ne": operator.ne,
}


@dataclass(frozen=True)
class Pool:
    sort: str  # "Int" or "Real"
    nums: tuple  # arithmetic variable names
    bools: tuple  # Boolean variable names
    exotic: bool = False  # allow degenerate difference-logic shapes


# ----------------------------------------------------------------------------------------------
# strategies: AST
#
# arithmetic: ("var", name) ("const", value) ("add", a, b) ("sub", a, b) ("neg", a)
#             ("mul", k, a, side)  side "l": k * a, "r": a * k      ("ite", cond, a, b)
# formulas:   ("bvar", name) ("atom", op, a, b) ("distinct", [terms]) ("and"/"or", [fs], as_list)
#             ("not", f) ("implies", f, g) ("xor", f, g) ("ite", c, f, g) ("beq"/"bne", f, g)


def consts(sort):
    if sort == "Int":
        return st.integers(-4, 4)
    return st.one_of(
        st.integers(-3, 3),
        st.builds(Fraction, st.integers(-9, 9), st.integers(1, 4)),
    )


def scales(sort):
    if sort == "Int":
        return st.sampled_from([1, 1, 1, -1, 2, -2, 3])
    return st.sampled_from([1, 1, 1, -1, 2, Fraction(1, 2), Fraction(-3, 2)])


def factors(sort, k):
    """Strategy for j such that k / j is still a valid scale (exotic mode: j * unit(k / j))."""
    if sort == "Int":
        return st.sampled_from([d for d in (1, -1, 2, -2, 3, -3) if k % d == 0])
    return st.sampled_from([1, -1, 2, Fraction(1, 3), Fraction(-5, 2)])


@st.composite
def scaled_var(draw, pool, k, names):
    v = ("var", draw(st.sampled_from(names)))
    if k == 1:
        return v
    if k == -1 and draw(st.booleans()):
        return ("neg", v)
    return ("mul", k, v, draw(st.sampled_from("lr")))


@st.composite
def unit(draw, pool, k, names, depth, need_var):
    """A term whose value is k*v + c (v in names), a constant, or an If of such terms.
    need_var: the term must contain a variable (so the builders produce a term, not a number)."""
    kinds = ["base"] * 4
    if not need_var:
        kinds += ["const"] * 2
    if depth > 0:
        kinds += ["addc", "addc", "neg", "ite"]
        if pool.exotic:
            kinds += ["mul", "mul", "zero"]
    kind = draw(st.sampled_from(kinds))
    sub = depth - 1
    if kind == "const":
        return ("const", draw(consts(pool.sort)))
    if kind == "base":
        return draw(scaled_var(pool, k, names))
    if kind == "addc":
        c = ("const", draw(consts(pool.sort)))
        form = draw(st.integers(0, 3))
        if form == 0:
            return ("add", draw(unit(pool, k, names, sub, need_var)), c)
        if form == 1:
            return ("add", c, draw(unit(pool, k, names, sub, need_var)))
        if form == 2:
            return ("sub", draw(unit(pool, k, names, sub, need_var)), c)
        return ("sub", c, draw(unit(pool, -k, names, sub, need_var)))
    if kind == "neg":
        return ("neg", draw(unit(pool, -k, names, sub, need_var)))
    if kind == "ite":
        cond = draw(formula(pool, min(sub, 1)))
        # one branch carries a variable, so the If has the pool's sort even in QF_RDL (an If of
        # two int literals would be an Int term)
        var_left = draw(st.booleans())
        a = draw(unit(pool, k, names, sub, need_var or var_left))
        b = draw(unit(pool, k, names, sub, need_var or not var_left))
        return ("ite", cond, a, b)
    if kind == "mul":  # exotic: scale a compound term
        j = draw(factors(pool.sort, k))
        inner = draw(unit(pool, Fraction(k) / j if pool.sort == "Real" else k // j, names, sub, True))
        return ("mul", j, inner, draw(st.sampled_from("lr")))
    if kind == "zero":  # exotic: 0 * t
        inner = draw(unit(pool, draw(scales(pool.sort)), names, sub, True))
        return ("mul", 0, inner, draw(st.sampled_from("lr")))
    raise AssertionError(kind)


@st.composite
def split(draw, names, parts):
    """`names` shuffled and cut into `parts` non-empty groups."""
    names = draw(st.permutations(names))
    cuts = sorted(draw(st.sets(st.integers(1, len(names) - 1), min_size=parts - 1, max_size=parts - 1)))
    bounds = [0] + cuts + [len(names)]
    return [tuple(names[a:b]) for a, b in zip(bounds, bounds[1:])]


@st.composite
def atom(draw, pool, depth):
    k = draw(scales(pool.sort))
    op = draw(st.sampled_from(COMPARISONS))
    shape = draw(st.sampled_from(["cmp", "cmp", "diff", "bound"]))
    if shape == "bound":
        a = draw(unit(pool, k, pool.nums, depth, True))
        c = ("const", draw(consts(pool.sort)))
        return ("atom", op, a, c) if draw(st.booleans()) else ("atom", op, c, a)
    if pool.exotic:
        left = right = pool.nums
    else:
        left, right = draw(split(pool.nums, 2))
    a = draw(unit(pool, k, left, depth, True))
    b = draw(unit(pool, k, right, depth, False))
    if shape == "cmp":
        return ("atom", op, a, b) if draw(st.booleans()) else ("atom", op, b, a)
    c = ("const", draw(consts(pool.sort)))
    d = ("sub", a, b)
    return ("atom", op, d, c) if draw(st.booleans()) else ("atom", op, c, d)


@st.composite
def distinct(draw, pool, depth):
    k = draw(scales(pool.sort))
    n = draw(st.integers(2, min(4, len(pool.nums))))
    if pool.exotic:
        groups = [pool.nums] * n
    else:
        groups = draw(split(pool.nums, n))
    args = [draw(unit(pool, k, g, depth, True)) for g in groups]
    if draw(st.integers(0, 3)) == 0:
        args.insert(draw(st.integers(0, len(args))), ("const", draw(consts(pool.sort))))
    return ("distinct", args)


@st.composite
def formula(draw, pool, depth):
    leaves = ["atom", "atom", "atom", "distinct"] + (["bvar", "bvar"] if pool.bools else [])
    kinds = leaves if depth <= 0 else leaves + [
        "and", "and", "or", "or", "not", "implies", "xor", "ite", "beq", "bne",
    ]
    kind = draw(st.sampled_from(kinds))
    sub = depth - 1
    if kind == "atom":
        return draw(atom(pool, draw(st.integers(0, max(0, min(2, depth))))))
    if kind == "distinct":
        return draw(distinct(pool, draw(st.integers(0, max(0, min(1, depth))))))
    if kind == "bvar":
        return ("bvar", draw(st.sampled_from(pool.bools)))
    if kind in ("and", "or"):
        fs = draw(st.lists(formula(pool, sub), min_size=2, max_size=3))
        return (kind, fs, draw(st.booleans()))
    if kind == "not":
        return ("not", draw(formula(pool, sub)))
    if kind == "ite":
        return ("ite", draw(formula(pool, sub)), draw(formula(pool, sub)), draw(formula(pool, sub)))
    return (kind, draw(formula(pool, sub)), draw(formula(pool, sub)))


def ast_vars(node, out=None):
    """{name: "num" | "bool"} of the variables of an AST node."""
    out = {} if out is None else out
    if isinstance(node, list):
        for x in node:
            ast_vars(x, out)
    elif isinstance(node, tuple):
        if node[0] == "var":
            out[node[1]] = "num"
        elif node[0] == "bvar":
            out[node[1]] = "bool"
        else:
            for a in node[1:]:
                ast_vars(a, out)
    return out


@st.composite
def pools(draw, sort, exotic=False, min_bools=0):
    n = draw(st.integers(2, 5))
    nb = draw(st.integers(min_bools, 3))
    names = INT_NAMES if sort == "Int" else REAL_NAMES
    return Pool(sort, names[:n], BOOL_NAMES[:nb], exotic)


@st.composite
def problems(draw, sort, exotic=False):
    pool = draw(pools(sort, exotic))
    n = draw(st.integers(1, 7))
    fs = [draw(formula(pool, draw(st.sampled_from([0, 1, 1, 2, 3])))) for _ in range(n)]
    return pool, fs


# ----------------------------------------------------------------------------------------------
# builders: the same AST through the smtsched API and through z3


class Env:
    """Variables of a pool in both worlds."""

    def __init__(self, pool):
        self.pool = pool
        make = smtsched.Ints if pool.sort == "Int" else smtsched.Reals
        self.s_vars = dict(zip(pool.nums, make(" ".join(pool.nums))))
        if pool.bools:
            self.s_vars.update(zip(pool.bools, smtsched.Bools(" ".join(pool.bools))))
        self.z_vars = {n: z3_oracle.z3_var(n, pool.sort) for n in pool.nums}
        self.z_vars.update({n: z3.Bool(n) for n in pool.bools})

    def sort_of(self, name):
        return "Bool" if name in self.pool.bools else self.pool.sort

    def smt(self, node):
        return build(node, self, _SMT)

    def z3(self, node):
        return build(node, self, _Z3)


class _SmtLib:
    def var(self, env, name):
        return env.s_vars[name]

    def const(self, env, value):
        return value  # plain Python int / Fraction: the API must accept them

    And = property(lambda self: smtsched.And)
    Or = property(lambda self: smtsched.Or)
    Not = property(lambda self: smtsched.Not)
    Implies = property(lambda self: smtsched.Implies)
    Xor = property(lambda self: smtsched.Xor)
    If = property(lambda self: smtsched.If)
    Distinct = property(lambda self: smtsched.Distinct)


class _Z3Lib:
    def var(self, env, name):
        return env.z_vars[name]

    def const(self, env, value):
        return z3_value(value, env.pool.sort)

    And = staticmethod(z3.And)
    Or = staticmethod(z3.Or)
    Not = staticmethod(z3.Not)
    Implies = staticmethod(z3.Implies)
    Xor = staticmethod(z3.Xor)
    If = staticmethod(z3.If)
    Distinct = staticmethod(z3.Distinct)


_SMT = _SmtLib()
_Z3 = _Z3Lib()


def build(node, env, lib):
    op = node[0]
    rec = lambda n: build(n, env, lib)  # noqa: E731
    if op in ("var", "bvar"):
        return lib.var(env, node[1])
    if op == "const":
        return lib.const(env, node[1])
    if op == "add":
        return rec(node[1]) + rec(node[2])
    if op == "sub":
        return rec(node[1]) - rec(node[2])
    if op == "neg":
        return -rec(node[1])
    if op == "mul":
        k, t = lib.const(env, node[1]), rec(node[2])
        return k * t if node[3] == "l" else t * k
    if op == "ite":
        return lib.If(rec(node[1]), rec(node[2]), rec(node[3]))
    if op == "atom":
        return PY_COMPARE[node[1]](rec(node[2]), rec(node[3]))
    if op == "distinct":
        return lib.Distinct(*[rec(a) for a in node[1]])
    if op in ("and", "or"):
        f = lib.And if op == "and" else lib.Or
        args = [rec(a) for a in node[1]]
        return f(args) if node[2] else f(*args)
    if op == "not":
        return lib.Not(rec(node[1]))
    if op == "implies":
        return lib.Implies(rec(node[1]), rec(node[2]))
    if op == "xor":
        return lib.Xor(rec(node[1]), rec(node[2]))
    if op == "beq":
        return rec(node[1]) == rec(node[2])
    if op == "bne":
        return rec(node[1]) != rec(node[2])
    raise AssertionError(op)


# ----------------------------------------------------------------------------------------------
# checks shared by the tests


def check_kind(value, sort, what):
    if sort == "Bool":
        assert type(value) is bool, f"{what}: expected bool, got {value!r} ({type(value).__name__})"
    elif sort == "Int":
        # an int: IntNumRef, z3's value class, is one (smtsched.values)
        assert isinstance(value, int) and not isinstance(value, (bool, Fraction)), (
            f"{what}: expected int, got {value!r} ({type(value).__name__})")
    else:
        assert isinstance(value, Fraction), (
            f"{what}: expected Fraction, got {value!r} ({type(value).__name__})"
        )


def same_answer(ours, theirs, context):
    assert ours in (smtsched.sat, smtsched.unsat, smtsched.unknown), f"check() returned {ours!r}"
    assert ours != smtsched.unknown, f"smtsched said unknown ({context})"
    assert str(ours) == str(theirs), f"smtsched {ours}, z3 {theirs}\n{context}"


def check_model(solver, env, used_names, s_formulas, z_formulas, context):
    """smtsched's model satisfies every formula by its own m.eval, and z3 agrees after
    substituting the model's values into the independently built z3 formulas."""
    m = solver.model()
    assignment = []
    values = {}
    for name in sorted(used_names):
        sort = env.sort_of(name)
        v = env.s_vars[name]
        val = m.eval(v)
        check_kind(val, sort, f"m.eval({name})")
        by_index = m[v]
        check_kind(by_index, sort, f"m[{name}]")
        assert by_index == val, f"m[{name}] = {by_index!r} but m.eval({name}) = {val!r}"
        values[name] = val
        assignment.append((env.z_vars[name], z3_value(val, sort)))
    note(f"smtsched model: {values}")
    for i, (fs, fz) in enumerate(zip(s_formulas, z_formulas)):
        got = m.eval(fs)
        assert got is True, f"m.eval(assertion #{i}) = {got!r} for {fz} under {values}\n{context}"
        simplified = z3_holds_under(fz, assignment)
        assert z3.is_true(simplified), (
            f"z3 rejects smtsched's model {values}: assertion #{i} {fz} simplifies to {simplified}"
            f"\n{context}"
        )


def describe(z_formulas):
    return "\n".join(f"  {f}" for f in z_formulas)


# ----------------------------------------------------------------------------------------------
# single check


def run_single(pool, fs_ast, add_one_by_one, input_log):
    env = Env(pool)
    s_fs = [env.smt(f) for f in fs_ast]
    z_fs = [env.z3(f) for f in fs_ast]
    context = "assertions:\n" + describe(z_fs)
    note(context)
    input_log.record(f"add + single check of {fs_ast!r}\nin {pool!r}")
    s = smtsched.Solver()
    if add_one_by_one:
        for f in s_fs:
            s.add(f)
    else:
        s.add(*s_fs)
    ours = s.check()
    theirs = z3_check(z_fs)
    event(f"{pool.sort}: {theirs}")
    same_answer(ours, theirs, context)
    if ours == smtsched.sat:
        check_model(s, env, ast_vars(fs_ast), s_fs, z_fs, context)


@pytest.mark.parametrize("sort,weight", [("Int", 6.0), ("Real", 5.0)])
def test_single_check_agrees_with_z3(sort, weight, z3_strict, input_log):
    @settings(max_examples=scaled(weight))
    @given(problems(sort), st.booleans())
    def inner(problem, add_one_by_one):
        pool, fs = problem
        run_single(pool, fs, add_one_by_one, input_log)

    inner()


@pytest.mark.parametrize("sort,weight", [("Int", 1.5), ("Real", 1.0)])
def test_degenerate_difference_shapes_agree_with_z3(sort, weight, z3_strict, input_log):
    """x - x, 0 * x, k * (compound term), k * If(...), shared variables across the two sides
    of an atom and inside Distinct: all still difference logic."""

    @settings(max_examples=scaled(weight))
    @given(problems(sort, exotic=True), st.booleans())
    def inner(problem, add_one_by_one):
        pool, fs = problem
        run_single(pool, fs, add_one_by_one, input_log)

    inner()


# ----------------------------------------------------------------------------------------------
# incremental scripts


@st.composite
def assumption(draw, pool):
    kinds = ["atom"] + (["bvar", "bvar", "nbvar"] if pool.bools else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "atom":
        return draw(atom(pool, 0))
    p = ("bvar", draw(st.sampled_from(pool.bools)))
    return p if kind == "bvar" else ("not", p)


@st.composite
def scripts(draw, sort):
    pool = draw(pools(sort))
    n = draw(st.integers(3, 10))
    cmds, depth = [], 0
    for _ in range(n):
        choices = ["add", "add", "add", "check", "check", "push"] + (["pop"] if depth else [])
        c = draw(st.sampled_from(choices))
        if c == "add":
            cmds.append(("add", draw(st.lists(formula(pool, draw(st.integers(0, 2))), min_size=1, max_size=2))))
        elif c == "push":
            cmds.append(("push",))
            depth += 1
        elif c == "pop":
            k = draw(st.integers(1, depth))
            cmds.append(("pop", k))
            depth -= k
        else:
            cmds.append(("check", draw(st.lists(assumption(pool), max_size=3))))
    cmds.append(("check", draw(st.lists(assumption(pool), max_size=3))))
    return pool, cmds


def run_script(pool, cmds, input_log):
    env = Env(pool)
    input_log.record(f"script {cmds!r}\nin {pool!r}")
    s = smtsched.Solver()
    frames = [[]]  # per scope: (smtsched formula, z3 formula, ast)
    for step, cmd in enumerate(cmds):
        if cmd[0] == "add":
            pairs = [(env.smt(f), env.z3(f), f) for f in cmd[1]]
            s.add(*[p[0] for p in pairs])
            frames[-1].extend(pairs)
            continue
        if cmd[0] == "push":
            s.push()
            frames.append([])
            continue
        if cmd[0] == "pop":
            s.pop(cmd[1])
            del frames[-cmd[1]:]
            continue
        active = [p for frame in frames for p in frame]
        listed = s.assertions()
        assert [term_key(t) for t in listed] == [term_key(p[0]) for p in active], (
            f"step {step}: s.assertions() has {len(listed)} formulas, expected the {len(active)} "
            f"active ones:\n{describe([p[1] for p in active])}"
        )
        assumptions = [(env.smt(a), env.z3(a), a) for a in cmd[1]]
        ours = s.check(*[a[0] for a in assumptions])
        z_active = [p[1] for p in active]
        z_assumed = [a[1] for a in assumptions]
        theirs = z3_check(z_active + z_assumed)
        context = (
            f"step {step} of script; active assertions:\n{describe(z_active)}\n"
            f"assumptions: {z_assumed}"
        )
        event(f"{pool.sort} check: {theirs}{' (assumptions)' if assumptions else ''}")
        same_answer(ours, theirs, context)
        if ours == smtsched.sat:
            used = ast_vars([p[2] for p in active] + [a[2] for a in assumptions])
            check_model(
                s,
                env,
                used,
                [p[0] for p in active] + [a[0] for a in assumptions],
                z_active + z_assumed,
                context,
            )
        elif assumptions:
            core = list(s.unsat_core())
            by_key = {term_key(a[0]): a for a in assumptions}
            z_core = []
            for t in core:
                hit = [a for a in assumptions if a[0] is t]
                hit = hit or ([by_key[term_key(t)]] if term_key(t) in by_key else [])
                assert hit, f"unsat core element {t} is not one of the assumptions\n{context}"
                z_core.append(hit[0][1])
            assert z3_check(z_active + z_core) == z3.unsat, (
                f"z3 finds the assertions + unsat core {z_core} satisfiable\n{context}"
            )
            event(f"core size {len(core)} of {len(assumptions)}")


@pytest.mark.parametrize("sort,weight", [("Int", 2.0), ("Real", 1.5)])
def test_incremental_script_agrees_with_z3(sort, weight, z3_strict, input_log):
    @settings(max_examples=scaled(weight))
    @given(scripts(sort))
    def inner(script):
        pool, cmds = script
        run_script(pool, cmds, input_log)

    inner()


# ----------------------------------------------------------------------------------------------
# theory lemmas


@st.composite
def clause_sets(draw, sort):
    """Conjunctions of small disjunctions of atoms: many theory conflicts per formula."""
    pool = draw(pools(sort))
    names = INT_NAMES if sort == "Int" else REAL_NAMES
    pool = Pool(sort, names[: draw(st.integers(3, 4))], pool.bools)
    n = draw(st.integers(5, 14))
    fs = []
    for _ in range(n):
        size = draw(st.sampled_from([1, 2, 2, 2, 3]))
        lits = [draw(atom(pool, draw(st.sampled_from([0, 0, 0, 1])))) for _ in range(size)]
        fs.append(("or", lits, False) if len(lits) > 1 else lits[0])
    if draw(st.booleans()):
        fs.append(draw(formula(pool, 2)))
    assumptions = draw(st.lists(assumption(pool), max_size=3))
    return pool, fs, assumptions


@pytest.mark.parametrize("sort,weight", [("Int", 2.0), ("Real", 1.5)])
def test_theory_lemmas_are_valid(sort, weight, z3_strict, input_log):
    """With log_lemmas=True, every lemma handed to the SAT solver is valid in the theory alone:
    z3 finds Not(lemma) unsat with no assertions."""

    @settings(max_examples=scaled(weight))
    @given(clause_sets(sort))
    def inner(problem):
        pool, fs_ast, assumed_ast = problem
        env = Env(pool)
        s = smtsched.Solver()
        s.set(log_lemmas=True)
        s_fs = [env.smt(f) for f in fs_ast]
        z_fs = [env.z3(f) for f in fs_ast]
        input_log.record(f"lemma run of {fs_ast!r}, assumptions {assumed_ast!r}\nin {pool!r}")
        s.add(*s_fs)
        context = "assertions:\n" + describe(z_fs)
        note(context)
        same_answer(s.check(), z3_check(z_fs), context)
        z_assumed = [env.z3(a) for a in assumed_ast]
        same_answer(
            s.check(*[env.smt(a) for a in assumed_ast]),
            z3_check(z_fs + z_assumed),
            context + f"\nassumptions: {z_assumed}",
        )
        lemmas = list(s.lemmas())
        event(f"{sort}: {'no lemmas' if not lemmas else 'lemmas'}")
        for lemma in lemmas:
            assert lemma.sort == "Bool", f"lemma {lemma!r} has sort {lemma.sort}"
            z_vars = dict(env.z_vars)
            zl = to_z3(lemma, z_vars)
            assert z3_is_valid(zl), f"lemma is not valid in {sort} difference logic: {zl}\n{context}"

    inner()


# ----------------------------------------------------------------------------------------------
# construction: smtsched terms translate (by .op/.args) to z3 terms equivalent to the direct ones


@pytest.mark.parametrize("sort", ["Int", "Real"])
def test_term_structure_matches_the_formula_built(sort, z3_strict):
    @settings(max_examples=scaled(1.0))
    @given(problems(sort))
    def inner(problem):
        pool, fs_ast = problem
        env = Env(pool)
        for f in fs_ast:
            sf = env.smt(f)
            assert sf.sort == "Bool", f"formula {sf!r} has sort {sf.sort}"
            translated = to_z3(sf, dict(env.z_vars))
            direct = env.z3(f)
            assert z3_is_valid(translated == direct), (
                f"smtsched term {sf!r} (read back as {translated}) differs from {direct}"
            )

    inner()


# ----------------------------------------------------------------------------------------------
# shapes outside difference logic


ALPHA = ("alpha", "beta", "gamma")


@st.composite
def unsupported_atoms(draw):
    """(builder(vars) -> formula, names of the offending atom); vars: dict name -> smtsched var."""
    a = draw(st.sampled_from([1, -1, 2, -3]))
    b = draw(st.sampled_from([1, -1, 2, 3, -2]).filter(lambda b: b != -a))
    c = draw(st.integers(-5, 5))
    op = draw(st.sampled_from(COMPARISONS))
    shape = draw(st.sampled_from(["two", "three", "rhs", "ite", "scaled"]))

    def lin(k, v):
        return v if k == 1 else -v if k == -1 else k * v

    if shape == "two":  # a*alpha + b*beta op c, a != -b
        return (lambda V: PY_COMPARE[op](lin(a, V["alpha"]) + lin(b, V["beta"]), c)), ["alpha", "beta"]
    if shape == "three":  # alpha - beta + gamma op c
        return (lambda V: PY_COMPARE[op](V["alpha"] - V["beta"] + V["gamma"], c)), list(ALPHA)
    if shape == "rhs":  # alpha + beta op gamma
        return (lambda V: PY_COMPARE[op](V["alpha"] + V["beta"], V["gamma"])), list(ALPHA)
    if shape == "ite":  # If(p, alpha, beta) + gamma op c: both lifted atoms are sums
        return (
            lambda V: PY_COMPARE[op](smtsched.If(V["p"], V["alpha"], V["beta"]) + V["gamma"], c)
        ), ["gamma"]
    k = draw(st.sampled_from([2, 3, -2]))  # k*alpha op m*beta with k != m
    m = draw(st.sampled_from([1, 3, -1]).filter(lambda m: m != k))
    return (lambda V: PY_COMPARE[op](lin(k, V["alpha"]), lin(m, V["beta"]))), ["alpha", "beta"]


def wrap(ctx, f, p):
    if ctx == "plain":
        return f
    if ctx == "or":
        return smtsched.Or(p, f)
    if ctx == "not":
        return smtsched.Not(f)
    if ctx == "implies":
        return smtsched.Implies(p, f)
    return smtsched.If(f, p, smtsched.Not(p))


def expect_unsupported(solver, f, names):
    with pytest.raises(smtsched.UnsupportedError) as info:
        solver.add(f)
        solver.check()
    message = str(info.value)
    for name in names:
        assert name in message, f"UnsupportedError message {message!r} does not name {name!r}"


def test_unsupported_shapes_raise_naming_the_term():
    @settings(max_examples=scaled(2.0))
    @given(
        unsupported_atoms(),
        st.sampled_from(["Int", "Real"]),
        st.sampled_from(["plain", "or", "not", "implies", "ite"]),
        st.booleans(),
    )
    def inner(shape, sort, ctx, with_supported):
        builder, names = shape
        make = smtsched.Ints if sort == "Int" else smtsched.Reals
        V = dict(zip(ALPHA, make("alpha beta gamma")))
        V["p"] = smtsched.Bool("p")
        s = smtsched.Solver()
        if with_supported:
            s.add(V["alpha"] - V["beta"] <= 3)
        f = wrap(ctx, builder(V), V["p"])  # linear terms must be constructible
        expect_unsupported(s, f, names)

    inner()


@pytest.mark.parametrize("ctx", ["plain", "or", "not"])
def test_unsupported_product_of_variables(ctx):
    alpha, beta = smtsched.Ints("alpha beta")
    try:
        product = alpha * beta
    except (smtsched.UnsupportedError, TypeError) as e:  # not constructible: fine
        if isinstance(e, smtsched.UnsupportedError):
            assert "alpha" in str(e) and "beta" in str(e), str(e)
        return
    expect_unsupported(smtsched.Solver(), wrap(ctx, product <= 3, smtsched.Bool("p")), ["alpha", "beta"])


@pytest.mark.parametrize("shape", ["cmp", "diff", "eq", "distinct"])
def test_unsupported_mixing_int_and_real(shape):
    x = smtsched.Int("xint")
    r = smtsched.Real("rreal")
    try:
        if shape == "cmp":
            f = x <= r
        elif shape == "diff":
            f = x - r <= 1
        elif shape == "eq":
            f = x == r + 1
        else:
            f = smtsched.Distinct(x, r)
    except smtsched.UnsupportedError as e:  # rejected at construction: must still name it
        assert "xint" in str(e) and "rreal" in str(e), str(e)
        return
    expect_unsupported(smtsched.Solver(), f, ["xint", "rreal"])


# ----------------------------------------------------------------------------------------------
# the SMT-LIB front end, on text printed by z3


def run_smtlib_text(pool, fs_ast, input_log):
    """z3 prints the formulas (its own printer: let with a!1 names, (* 2 x), (/ 1.0 3.0), ...);
    smtsched's SMT-LIB front end must read them and give z3's answer."""
    import io

    from smtsched.smtlib import run_script

    env = Env(pool)
    z_fs = [env.z3(f) for f in fs_ast]
    zs = z3.Solver()
    zs.add(*z_fs)
    logic = "QF_RDL" if pool.sort == "Real" else "QF_IDL"
    text = f"(set-logic {logic})\n{zs.sexpr()}(check-sat)\n"
    note(text)
    input_log.record(f"smtlib text of {fs_ast!r}\nin {pool!r}")
    out = io.StringIO()
    errors = run_script(text.encode(), out)
    lines = out.getvalue().splitlines()
    assert errors == 0, lines
    theirs = z3_check(z_fs)
    assert lines[-1] == str(theirs), f"smtsched read z3's text as {lines[-1]}, z3 says {theirs}"


@pytest.mark.parametrize("sort,weight", [("Int", 0.5), ("Real", 0.5)])
def test_smtlib_text_printed_by_z3_agrees_with_z3(sort, weight, z3_strict, input_log):
    @settings(max_examples=scaled(weight))
    @given(problems(sort))
    def inner(problem):
        pool, fs = problem
        run_smtlib_text(pool, fs, input_log)

    inner()
