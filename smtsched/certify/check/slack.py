"""The `slack` rule (pseudo-Boolean rows) of docs/certificates.md, and the acceptance of a
constraints.json row against the rows the checker's reader found in the input.

A row is sum w_i * [l_i] <= k over literals of the checker's encoding G, weights positive
integers. A lemma is valid by the row when the premises (the negations of its literals, as G
literals) leave the row no room: the least value the sum can take under them exceeds k. The
least value is computed per variable of the row: a variable the premises fix contributes the
weights of its row literals that are then true; a free one the smaller of its two sides (the
weights of its positive literals, of its negative ones), which is 0 unless the row holds both
x and not x. So a literal given twice counts twice, and `w1 * x + w2 * (not x)` counts at least
min(w1, w2) whatever x is: exactly the normalisation smtsched's theory makes (MiniSat+'s, Een
and Sorensson, JSAT 2006, section 3: merged duplicates, cancelled opposite literals, weights
saturated at k + 1), undone, so the rule reads the row as the input states it.

No witness: the rule sums the row once, linearly, under the premises. A witness naming "the
premises that are true literals of the row" would only restate the clause (every premise
either fixes a row variable or does not), and checking it would cost the same pass.

Pseudo-Boolean reasoning is the "slack" (counter) propagation of Galena and Pueblo (Chai and
Kuehlmann, DAC 2003; Sheini and Sakallah, JSAT 2006): a literal heavier than the row's slack
is false, a conflict is a set of true literals heavier than the bound. Both explain with true
literals of one row, which this rule checks; VeriPB (Gocht and Nordstrom) checks the same
steps as cutting-planes derivations, of which this is the one-row case.
"""

from .rules import RuleError, _show

__all__ = ["Row", "slack", "parse_row", "input_rows", "follows"]


class Row:
    """sum weights[i] * [literals[i]] <= bound over G literals; weights positive ints."""

    __slots__ = ("literals", "weights", "bound")

    def __init__(self, literals, weights, bound):
        self.literals, self.weights, self.bound = list(literals), list(weights), bound

    def __repr__(self):
        terms = " + ".join(f"{w}*[{l}]" for l, w in zip(self.literals, self.weights))
        return f"Row({terms} <= {self.bound})"


def least(row, premises):
    """The least value of the row's sum when every literal of `premises` (G literals) is
    true; None when the premises contradict each other (then every lemma is valid)."""
    held = set(premises)
    if any(-p in held for p in held):
        return None
    sides = {}   # var -> [weight of its positive literals, of its negative ones]
    for lit, w in zip(row.literals, row.weights):
        side = sides.setdefault(abs(lit), [0, 0])
        side[0 if lit > 0 else 1] += w
    total = 0
    for var, (pos, neg) in sides.items():
        if var in held:
            total += pos
        elif -var in held:
            total += neg
        else:
            total += min(pos, neg)
    return total


def slack(literals, witness, row):
    """The premises (G literals) make the row's least sum exceed its bound."""
    if not isinstance(row, Row):
        raise RuleError("slack needs a pseudo_boolean constraint")
    if witness:
        raise RuleError("slack takes no witness")
    value = least(row, [p for p in literals if p is not None])
    if value is None or value > row.bound:
        return
    raise RuleError(f"slack: the premises leave the row at least {_show(value)}, not above "
                    f"its bound {_show(row.bound)}")


# -- constraints.json rows and the input's --------------------------------------------------------

def _int(x, what, positive=False):
    if not isinstance(x, int) or isinstance(x, bool) or (positive and x <= 0):
        raise ValueError(f"{what} {x!r} is not a{' positive' if positive else 'n'} integer")
    return x


def parse_row(record, max_var):
    """(literals, weights, bound) of a constraints.json pseudo_boolean record, in the
    certificate's literals (ValueError when malformed)."""
    literals, weights = record.get("literals"), record.get("weights")
    if not isinstance(literals, list) or not isinstance(weights, list) \
            or len(literals) != len(weights):
        raise ValueError("a pseudo_boolean row needs literals and weights of one length")
    for lit in literals:
        _int(lit, "literal")
        if lit == 0 or abs(lit) > max_var:
            raise ValueError(f"literal {lit} is not a variable of atoms.txt")
    for w in weights:
        _int(w, "weight", positive=True)
    return literals, weights, _int(record.get("bound"), "bound")


def input_rows(record):
    """The `<=` rows with positive weights (as {G literal: weight}, bound) of one of the
    reader's pseudo_boolean constraints ({"relation", "bound", "terms": [[lit, weight]]}); a
    relation `=` gives two. A negative weight w on l is w + |w| * [not l]; `>=` is `<=` over
    the negated sum."""
    relation, bound, terms = record.get("relation"), record.get("bound"), record.get("terms")
    if relation not in ("<=", ">=", "=") or not isinstance(terms, list):
        return []
    out = []
    for sign in ((1,) if relation == "<=" else (-1,) if relation == ">=" else (1, -1)):
        weights, k = {}, sign * bound
        for lit, w in terms:
            w *= sign
            if w < 0:
                lit, k, w = -lit, k - w, -w
            if w:
                weights[lit] = weights.get(lit, 0) + w
        out.append((weights, k))
    return out


def follows(cert, given, fixed, implies):
    """Whether the certificate's row `cert` (a Row over G literals) follows from the input's
    row `given` ({G literal: weight}, bound), both <= with positive weights.

    `fixed(lit)`: True / False when G alone fixes the literal, else None; `implies(a, b)`:
    whether G gives a -> b. Literals that G fixes are folded into the bounds (smtsched's
    compiler folds its true literal into the bound, the reader keeps it as a term); then each
    other literal of `cert` must imply a literal of `given` whose weight covers the
    weights laid on it, and cert's bound be no smaller: then, in every model of G,
    sum cert <= sum given <= given's bound <= cert's bound. So a subset of the literals,
    smaller weights, a larger bound, and literals that imply the input's (a proxy of a
    literal, an `and` of it) are weaker and accepted."""
    weights, bound = given
    room = {}
    for lit, w in weights.items():
        value = fixed(lit)
        if value is True:
            bound -= w
        elif value is None:
            room[lit] = room.get(lit, 0) + w
    k = cert.bound
    for lit, w in zip(cert.literals, cert.weights):
        value = fixed(lit)
        if value is True:
            k -= w
        elif value is None:
            if room.get(lit, 0) >= w:
                room[lit] -= w
                continue
            for other, left in room.items():
                if other != lit and left >= w and implies(lit, other):
                    room[other] -= w
                    break
            else:
                return False
    return k >= bound
