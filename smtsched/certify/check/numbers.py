"""Exact integers from decimal text of any length.

Python's int() refuses strings of more than 4,300 digits (CPython's guard against quadratic
conversion, `sys.set_int_max_str_digits`); an input may hold longer numerals, and the checker
must read them exactly rather than reject an honest certificate. The digits are converted in
chunks below the limit, without changing the interpreter's global setting.
"""

_CHUNK = 4000


def decimal_int(digits):
    """The integer written by `digits` (an optional sign, then decimal digits)."""
    try:
        return int(digits)
    except ValueError:
        pass
    sign = -1 if digits[:1] == "-" else 1
    body = digits[1:] if digits[:1] in "+-" else digits
    if not body.isdigit() or not body.isascii():
        raise ValueError(f"not a decimal integer: {digits[:40]!r}")
    value = 0
    for start in range(0, len(body), _CHUNK):
        chunk = body[start:start + _CHUNK]
        value = value * 10 ** len(chunk) + int(chunk)
    return sign * value
