"""Reading JSON files so that errors can name the line and column of the offending value.

The document is parsed with the fast standard parser. Only when a reader rejects a value does
`position` walk the (valid) text again along the key path to find where that value starts, so
the common case costs nothing extra.

Stricter than `json.loads` where leniency would hide a mistake: a key given twice in one object
is an error (json.loads silently keeps the last one), and so are a number too long to be a value
(json.loads raises a bare ValueError past 4,300 digits) and nesting deeper than the parser can
follow; each is reported at its line and column.
"""
import json
import re
from json.decoder import scanstring

_WHITESPACE = " \t\n\r"
_MAX_DIGITS = 4000
# json.loads recurses once per level and fails near the interpreter's recursion limit (1,000):
# the first bracket this deep is where the error is reported
MAX_DEPTH = 500


class TooLong:
    """Stands for an integer with more than _MAX_DIGITS digits: the readers' type checks refuse
    it at its key path, like any other value of the wrong kind."""

    def __init__(self, digits):
        self.digits = digits

    def __repr__(self):
        return f"<an integer of {self.digits} digits>"


def _parse_int(text):
    return int(text) if len(text) <= _MAX_DIGITS else TooLong(len(text))


def read_text(path, fail):
    """The UTF-8 text of `path`; `fail(message, line, column)` raises the caller's error."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        fail(f"cannot read: {error.strerror or error}", None)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[:error.start]
        fail(f"the file is not UTF-8 text (byte 0x{data[error.start]:02x})",
             before.count(b"\n") + 1, len(before) - (before.rfind(b"\n") + 1) + 1)


def parse(text, fail, parse_float=None):
    """The JSON document in `text`; `fail(message, line, column)` raises the caller's error."""
    duplicated = []

    def pairs(items):
        value = dict(items)
        if len(value) != len(items) and not duplicated:
            duplicated.append(True)
        return value

    try:
        data = json.loads(text, parse_float=parse_float, parse_int=_parse_int,
                          object_pairs_hook=pairs)
    except json.JSONDecodeError as error:
        fail(f"invalid JSON: {error.msg}", error.lineno, error.colno)
    except RecursionError:
        problem = _structure_problem(text)
        if problem is None:  # the parser's limit was below MAX_DEPTH here
            fail("invalid JSON: nested too deeply", None, None)
    else:
        if not duplicated:
            return data
        problem = _structure_problem(text, duplicates=True)
        if problem is None:  # pragma: no cover - the walk finds what the hook saw
            fail("invalid JSON: a key appears twice in one object", None, None)
    message, at = problem
    line, column = line_column(text, at)
    fail(message, line, column)


def line_column(text, at):
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


_SCALAR = re.compile(r'-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null|NaN|'
                     r'-?Infinity')


def _structure_problem(text, duplicates=False):
    """(message, offset) of the first bracket nested deeper than MAX_DEPTH or, with
    `duplicates`, of the first key that appears twice in its object; None if there is none
    (or the text is not JSON: json.loads reports that). Iterative, so any depth is fine."""
    stack = []   # per open container: [keys seen (None for an array), key path step]
    path = []
    at = 0
    n = len(text)
    expect_value = True
    while True:
        while at < n and text[at] in _WHITESPACE:
            at += 1
        if at >= n:
            return None
        c = text[at]
        if expect_value:
            if c in "[{":
                if len(stack) >= MAX_DEPTH:
                    return f"invalid JSON: nested more than {MAX_DEPTH} levels deep", at
                stack.append(set() if c == "{" else None)
                at += 1
                while at < n and text[at] in _WHITESPACE:
                    at += 1
                if at < n and text[at] in "]}":
                    stack.pop()
                    at += 1
                    expect_value = False
                    continue
                if c == "{":
                    expect_value = False  # a key comes first
                    at = _key(text, at, stack, path, duplicates)
                    if isinstance(at, tuple):
                        return at
                    if at is None:
                        return None
                    expect_value = True
                else:
                    path.append(0)
                continue
            if c == '"':
                try:
                    _, at = scanstring(text, at + 1)
                except (ValueError, IndexError):
                    return None
            else:
                m = _SCALAR.match(text, at)
                if m is None:
                    return None
                at = m.end()
            expect_value = False
            continue
        # after a value: a comma or the end of the enclosing container
        if not stack:
            return None
        if c == ",":
            at += 1
            if stack[-1] is None:
                path[-1] += 1
                expect_value = True
                continue
            path.pop()
            while at < n and text[at] in _WHITESPACE:
                at += 1
            at = _key(text, at, stack, path, duplicates)
            if isinstance(at, tuple):
                return at
            if at is None:
                return None
            expect_value = True
            continue
        if c in "]}":
            stack.pop()
            path.pop()
            at += 1
            continue
        return None


def _key(text, at, stack, path, duplicates):
    """Read `"key" :` at `at`; the offset after the colon, None if malformed, or the
    (message, offset) of a duplicate key."""
    if at >= len(text) or text[at] != '"':
        return None
    start = at
    try:
        key, at = scanstring(text, at + 1)
    except (ValueError, IndexError):
        return None
    if duplicates and key in stack[-1]:
        where = keypath(path)
        return (f"{where + ': ' if where else ''}the key {key!r} appears twice in this "
                f"object", start)
    stack[-1].add(key)
    path.append(key)
    while at < len(text) and text[at] in _WHITESPACE:
        at += 1
    if at >= len(text) or text[at] != ":":
        return None
    return at + 1


def keypath(steps):
    """`operators[3].work` for the steps ("operators", 3, "work")."""
    out = ""
    for step in steps:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += ("." if out else "") + str(step)
    return out


def position(text, steps):
    """(line, column) where the value at `steps` starts in the valid JSON `text`, or the
    closest enclosing value found; (None, None) if even the document cannot be walked."""
    decoder = json.JSONDecoder(parse_int=_parse_int)
    try:
        at = _skip(text, 0)
        for step in steps:
            found = _child(text, at, step, decoder)
            if found is None:
                break
            at = found
    except (ValueError, IndexError, RecursionError):
        return None, None
    return line_column(text, at)


def _skip(text, at):
    while at < len(text) and text[at] in _WHITESPACE:
        at += 1
    return at


def _child(text, at, step, decoder):
    """Start of the member `step` (a key or an index) of the object or array starting at `at`."""
    opener = text[at]
    if opener == "[" and isinstance(step, int):
        at = _skip(text, at + 1)
        for _ in range(step):
            if text[at] == "]":
                return None
            _, at = decoder.raw_decode(text, at)
            at = _skip(text, at)
            if text[at] == ",":
                at = _skip(text, at + 1)
        return None if text[at] == "]" else at
    if opener == "{" and isinstance(step, str):
        at = _skip(text, at + 1)
        found = None
        while text[at] == '"':
            key, at = scanstring(text, at + 1)
            at = _skip(text, at)
            at = _skip(text, at + 1)  # the colon
            if key == step:
                found = at
            _, at = decoder.raw_decode(text, at)
            at = _skip(text, at)
            if text[at] == ",":
                at = _skip(text, at + 1)
        return found
    return None
