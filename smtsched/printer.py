"""Write formulas as an SMT-LIB 2.6 script that z3 and yices read (benchmarks, bug reports)."""
from . import terms as T


def dumps(formulas, logic=None, check=True):
    """An SMT-LIB script declaring every variable of `formulas` and asserting each of them.

    `formulas` is a list of formulas or a Solver (its current assertions). The logic is
    QF_LIA, QF_LRA or QF_LIRA after the sorts used, unless given (e.g. "QF_IDL"); ALL when
    there are pseudo-Boolean constraints (z3 reads its pble & co. in no QF_ logic but ALL).
    """
    if hasattr(formulas, "assertions"):
        formulas = formulas.assertions()
    formulas = list(formulas)
    variables = T.variables(formulas)
    constant_sorts, ops = _constant_sorts(formulas)
    sorts = {v.sort for v in variables} | constant_sorts
    if logic is None:
        has_int, has_real = T.INT in sorts, T.REAL in sorts
        logic = "QF_LIRA" if has_int and has_real else "QF_LRA" if has_real else "QF_LIA"
        if "pb" in ops:
            logic = "ALL"
    lines = [f"(set-logic {logic})"]
    for v in variables:
        lines.append(f"(declare-fun {T.quote_symbol(v.name)} () {v.sort})")
    for f in formulas:
        lines.append(f"(assert {T.to_smtlib(f)})")
    if check:
        lines.append("(check-sat)")
    return "\n".join(lines) + "\n"


def _constant_sorts(formulas):
    """The sorts of the constants in `formulas`, and the operators used."""
    sorts = set()
    ops = set()
    seen = set()
    stack = list(formulas)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        ops.add(node.op)
        if node.op == "const":
            sorts.add(node.sort)
        stack.extend(node.args)
    return sorts, ops
