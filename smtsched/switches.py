"""Environment switches that choose between implementations (SMTSCHED_DIFFERENCE,
SMTSCHED_MEMORY, SMTSCHED_PAIRS): each read once, when its module is imported.

A value that is not one of the choices is named on standard error and ignored: a misspelt
switch must not turn every command into a traceback, nor silently choose something.
"""
import os
import sys


def choice(name, choices, default="auto"):
    """The value of environment variable `name` (trimmed, lower case) when it is one of
    `choices`; `default` when it is unset, empty, or anything else (said on stderr)."""
    value = os.environ.get(name, default).strip().lower() or default
    if value not in choices:
        others = [c for c in choices if c != default]
        sys.stderr.write(f"smtsched: {name} must be {', '.join(others)} or {default}; "
                         f"{value[:40]!r} is ignored ({default})\n")
        value = default
    return value
