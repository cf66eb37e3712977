"""SMT-LIB 2.6 tokens, read line by line from a byte stream (so large files stream).

A token is a tuple ``(kind, value, line, column)`` with 1-based line and column (columns count
characters, as z3 reports them). Kinds:

  ``(`` ``)``     parentheses
  ``sym``         a symbol; ``|quoted|`` symbols arrive unquoted (``|x|`` and ``x`` are equal)
  ``kw``          a keyword, value without the colon
  ``num``         a numeral (value: int, any size)
  ``dec``         a decimal (value: the text, e.g. "2.50")
  ``hex`` ``bin`` ``#x..`` / ``#b..`` literals (value: the text)
  ``str``         a string literal, ``""`` already unescaped
  ``error``       something that is not a token (value: the message); lexing goes on after it

Bytes that are not UTF-8 are kept (surrogate escapes) inside comments, strings and quoted
symbols, and reported as an ``error`` token anywhere else.
"""
import re

from ..terms import parse_decimal

# SMT-LIB 2.6, section 3.1: simple symbols are non-empty sequences of letters, digits and
# ~ ! @ $ % ^ & * _ - + = < > . ? / that do not start with a digit.
_SYMBOL_CHARS = r"A-Za-z0-9~!@$%^&*_\-+=<>.?/"
_TOKEN = re.compile(
    r"(?P<ws>[ \t\r\n\f\v]+)"
    r"|(?P<comment>;.*)"
    r"|(?P<lp>\()"
    r"|(?P<rp>\))"
    r"|(?P<dec>[0-9]+\.[0-9]+)(?![" + _SYMBOL_CHARS + r"])"
    r"|(?P<num>[0-9]+)(?![" + _SYMBOL_CHARS + r"])"
    r"|(?P<sym>[A-Za-z~!@$%^&*_\-+=<>.?/][" + _SYMBOL_CHARS + r"]*)"
    r"|(?P<kw>:[" + _SYMBOL_CHARS + r"]+)"
    r"|(?P<hex>#x[0-9A-Fa-f]+)(?![" + _SYMBOL_CHARS + r"])"
    r"|(?P<bin>#b[01]+)(?![" + _SYMBOL_CHARS + r"])"
    r"|(?P<qsym>\|[^|\\]*\|)"
    r"|(?P<str>\"(?:[^\"]|\"\")*\")"
)
# A shortcut's answer for a line it carried out itself: the lexer yields nothing for it.
TAKEN = object()

# What follows an unfinished quoted symbol or string on its first line.
_OPEN_QUOTE = re.compile(r"\||\"")
_BAD_RUN = re.compile(r"[0-9A-Za-z" + re.escape("~!@$%^&*_-+=<>.?/#:") + r"]+")


class Lexer:
    """Iterate over the tokens of `stream` (a binary file object or bytes).

    `shortcut` (optional): a function of one decoded line, tried on every line that starts
    outside any command (no token left open, `open_lists` empty: the reader's stack); when it
    returns a value v instead of None, the line is not tokenised and the lexer yields the
    single token ``("line", v, line number, column of its first '(')`` in its place, or
    nothing when v is TAKEN (the shortcut carried the line out itself). The script reader
    uses it to take a whole-line assertion of the common difference-logic shape without the
    per-token work (script.py, `_assertion_shortcut`).
    """

    def __init__(self, stream, shortcut=None, open_lists=()):
        if isinstance(stream, (bytes, bytearray)):
            stream = iter(bytes(stream).splitlines(keepends=True))
        self.lines = stream
        self.shortcut = shortcut
        self.open_lists = open_lists

    def __iter__(self):
        match_token = _TOKEN.match
        shortcut = self.shortcut
        open_lists = self.open_lists
        pending = None  # (kind, start line, start column, [pieces]) of a multi-line token
        number = 0
        for raw in self.lines:
            number += 1
            line = raw.decode("utf-8", "surrogateescape") if isinstance(raw, bytes) else raw
            if shortcut is not None and pending is None and not open_lists:
                value = shortcut(line)
                if value is not None:
                    if value is not TAKEN:
                        yield ("line", value, number, line.find("(") + 1)
                    continue
            pos = 0
            end = len(line)
            if pending is not None:
                kind, start_line, start_col, pieces = pending
                closer = "|" if kind == "qsym" else '"'
                token, pos = _finish_quoted(kind, line, 0, closer, pieces)
                if token is None:
                    continue  # still open: the whole line belongs to the token
                pending = None
                yield (token[0], token[1], start_line, start_col)
            while pos < end:
                m = match_token(line, pos)
                if m is None:
                    char = line[pos]
                    column = pos + 1
                    if char in "|\"":
                        # a quoted symbol or string that goes on over the next lines
                        kind = "qsym" if char == "|" else "str"
                        pieces = [line[pos + 1:]]
                        if kind == "qsym" and "\\" in pieces[0]:
                            yield ("error", "a quoted symbol may not contain '\\'", number, column)
                            pos = end
                            continue
                        pending = (kind, number, column, pieces)
                        pos = end
                        continue
                    bad = _BAD_RUN.match(line, pos)
                    if _is_surrogate(char):
                        message = f"invalid byte 0x{ord(char) - 0xDC00:02x} (the input is not UTF-8)"
                        pos += 1
                    elif bad is not None:
                        text = bad.group()
                        message = f"invalid token '{_shorten(text)}'"
                        pos = bad.end()
                    else:
                        message = f"unexpected character {char!r}"
                        pos += 1
                    yield ("error", message, number, column)
                    continue
                kind = m.lastgroup
                column = pos + 1
                pos = m.end()
                if kind == "ws" or kind == "comment":
                    continue
                text = m.group()
                if kind == "lp":
                    yield ("(", "(", number, column)
                elif kind == "rp":
                    yield (")", ")", number, column)
                elif kind == "sym":
                    yield ("sym", text, number, column)
                elif kind == "num":
                    yield ("num", parse_decimal(text), number, column)
                elif kind == "dec":
                    yield ("dec", text, number, column)
                elif kind == "kw":
                    yield ("kw", text[1:], number, column)
                elif kind == "qsym":
                    yield ("sym", text[1:-1], number, column)
                elif kind == "str":
                    yield ("str", text[1:-1].replace('""', '"'), number, column)
                else:  # hex, bin
                    yield (kind, text, number, column)
        if pending is not None:
            kind, start_line, start_col, _ = pending
            what = "quoted symbol" if kind == "qsym" else "string literal"
            yield ("error", f"the {what} is not closed before the end of the input",
                   start_line, start_col)


def _finish_quoted(kind, line, pos, closer, pieces):
    """Continue a multi-line token on `line`; (token, next position) or (None, end)."""
    if kind == "qsym":
        at = line.find("|", pos)
        if at < 0:
            pieces.append(line[pos:])
            return None, len(line)
        pieces.append(line[pos:at])
        return ("sym", "".join(pieces)), at + 1
    # strings: "" is an escaped quote, a lone " closes
    at = pos
    while True:
        at = line.find('"', at)
        if at < 0:
            pieces.append(line[pos:])
            return None, len(line)
        if at + 1 < len(line) and line[at + 1] == '"':
            at += 2
            continue
        pieces.append(line[pos:at])
        return ("str", "".join(pieces).replace('""', '"')), at + 1


def _is_surrogate(char):
    return "\udc80" <= char <= "\udcff"


def _shorten(text, limit=40):
    return text if len(text) <= limit else text[:limit] + "..."
