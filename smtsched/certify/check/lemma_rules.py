"""Which rule checks a lemma (docs/certificates.md, "The rules"): `cycle`, `energy` and
`clique` (rules.py), `slack` (slack.py) and `cost` (cost.py). Apart from rules.py, whose graph
and helpers slack.py and cost.py build on, so that no module imports one that imports it."""
from .cost import cost
from .rules import RULES, RuleError
from .slack import slack

__all__ = ["check_rule", "RuleError"]


def check_rule(rule, premises, witness, constraint, literals=()):
    """Raise RuleError unless `rule` with `witness` proves the lemma of these premises.
    `literals`: the premises as G literals (the rules over literals read them: `slack`, and
    `cost` for its guard)."""
    if rule == "slack":   # pseudo-Boolean rows
        return slack(literals, witness, constraint)
    if rule == "cost":    # weighted completion and tardiness
        return cost(premises, witness, constraint, literals)
    fn = RULES.get(rule)
    if fn is None:
        raise RuleError(f"unknown rule {rule!r}")
    fn(premises, witness, constraint)
