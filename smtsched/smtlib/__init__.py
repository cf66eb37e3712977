"""The SMT-LIB 2.6 front end: a streaming reader, the term elaborator, the script interpreter
and the printer that writes a Solver's assertions as a script z3 and yices read.

    >>> import io
    >>> from smtsched.smtlib import run_script
    >>> out = io.StringIO()
    >>> run_script(b"(declare-const x Int) (assert (< x 3)) (check-sat)", out)
    0
    >>> out.getvalue()
    'sat\\n'
"""
from .elaborate import ScriptError
from ..printer import dumps
from .script import Script


def run_script(source, out=None, **options):
    """Run an SMT-LIB script (bytes or a binary stream); the number of errors it printed."""
    return Script(out, **options).run(source)


__all__ = ["Script", "ScriptError", "dumps", "run_script"]
