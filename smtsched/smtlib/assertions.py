"""The assertions and objectives of an SMT-LIB script, for z3's Solver.from_string /
from_file and Optimize.from_string: the script's declarations, definitions, assertions and
(minimize ...) / (maximize ...) are carried out by the script interpreter; check-sat and
the get-* commands are skipped, as z3's parser does; an error in the script raises
InputError with its first message."""
import io

from ..errors import InputError
from .script import Script


class _Reading(Script):
    """A script that only collects: its check-sats answer nothing."""

    def check(self, command, assumptions):
        pass

    def need(self, command, result, what):
        from .elaborate import ScriptError
        raise ScriptError(f"{what} is not available while reading assertions",
                          command.line, command.column)


def read_assertions(text):
    """(assertions, objectives) of the script `text` (str or bytes): the formulas asserted at
    its end (named ones included) and its objectives (smtlib.objectives.Objective)."""
    if isinstance(text, str):
        text = text.encode("utf-8", "surrogateescape")
    out = io.StringIO()
    script = _Reading(out)
    script.run(text)
    if script.errors:
        first = out.getvalue().strip().splitlines()[0] if out.getvalue().strip() else ""
        raise InputError(f"the SMT-LIB text has {script.errors} error(s); the first: {first}")
    assertions = script.solver.assertions() + [f for _, f in script.named_asserts]
    return assertions, list(script.objectives)
