"""Reading JSON files so that errors can name the line and column of the offending value.

The document is parsed with the fast standard parser. Only when a reader rejects a value does
`position` walk the (valid) text again along the key path to find where that value starts, so
the common case costs nothing extra.
"""
import json
from json.decoder import scanstring

_WHITESPACE = " \t\n\r"


def read_text(path, fail):
    """The UTF-8 text of `path`; `fail(message, line)` raises the caller's error."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        fail(f"cannot read: {error.strerror or error}", None)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        fail("the file is not UTF-8 text", data[:error.start].count(b"\n") + 1)


def parse(text, fail, parse_float=None):
    """The JSON document in `text`; `fail(message, line, column)` raises the caller's error."""
    try:
        return json.loads(text, parse_float=parse_float)
    except json.JSONDecodeError as error:
        fail(f"invalid JSON: {error.msg}", error.lineno, error.colno)
    except RecursionError:
        fail("invalid JSON: nested too deeply", None, None)


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
    decoder = json.JSONDecoder()
    try:
        at = _skip(text, 0)
        for step in steps:
            found = _child(text, at, step, decoder)
            if found is None:
                break
            at = found
    except (ValueError, IndexError):
        return None, None
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return line, column


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
                found = at  # keep going: with duplicate keys json.loads keeps the last one
            _, at = decoder.raw_decode(text, at)
            at = _skip(text, at)
            if text[at] == ",":
                at = _skip(text, at + 1)
        return found
    return None
