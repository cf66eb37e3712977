"""The exceptions smtsched raises on purpose. Everything else escaping the API is a bug."""


class SmtschedError(Exception):
    """Base class of every error smtsched reports to its users."""


class InputError(SmtschedError, ValueError):
    """A problem with an input file: `str()` is "source:line:column: key: message" with the
    parts that are known; each part is also kept as an attribute."""

    def __init__(self, message, source=None, line=None, column=None, key=None):
        self.reason = message
        self.source = source
        self.line = line
        self.column = column
        self.key = key
        where = "" if source is None else str(source)
        if line:
            where += f":{line}" + (f":{column}" if column else "")
        text = f"{key}: {message}" if key else message
        super().__init__(f"{where}: {text}" if where else text)


class UnsupportedError(SmtschedError):
    """The input is outside the supported fragment (e.g. not a difference constraint)."""


class SortError(SmtschedError, TypeError):
    """Terms of the wrong sort were combined (e.g. And over an integer term)."""


class ModelCheckError(SmtschedError, AssertionError):
    """Internal error: a model failed the check against the original assertions.

    Never a user error. smtsched raises it instead of returning a model it could not verify.
    """


class ArithmeticOverflowError(SmtschedError, OverflowError):
    """The constants are too large for the solver's exact 64-bit path arithmetic."""
