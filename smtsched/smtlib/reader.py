"""S-expressions of an SMT-LIB script, one top-level command at a time, without recursion.

`read_commands(tokens)` yields either an `SList` (a complete top-level command) or a
`SyntaxProblem` (a command that could not be read: the first problem in it, with its position).
After a problem the reader skips to the end of that command (where the parentheses balance
again), so the script can go on, as z3 does.
"""


class SList:
    """A parenthesised list: `items` are tokens (tuples, see lexer.py) or SLists."""

    __slots__ = ("items", "line", "column")

    def __init__(self, line, column):
        self.items = []
        self.line = line
        self.column = column

    def __repr__(self):
        return to_text(self)


class SyntaxProblem:
    __slots__ = ("message", "line", "column")

    def __init__(self, message, line, column):
        self.message = message
        self.line = line
        self.column = column


def read_commands(tokens, stack=None):
    """`stack` (optional): the list to use as the stack of open lists, so that the lexer can
    see whether a command is open (Lexer's `open_lists`). A ``line`` token (a whole command
    the lexer's shortcut read, see lexer.py) is yielded as it is."""
    if stack is None:
        stack = []      # the open lists, outermost first
    problem = None      # the first problem of the current command
    for token in tokens:
        kind = token[0]
        if kind == "(":
            node = SList(token[2], token[3])
            if stack:
                stack[-1].items.append(node)
            stack.append(node)
        elif kind == ")":
            if not stack:
                yield SyntaxProblem("unexpected ')' (no '(' is open)", token[2], token[3])
                continue
            node = stack.pop()
            if not stack:
                if problem is not None:
                    yield problem
                    problem = None
                else:
                    yield node
        elif kind == "error":
            if problem is None:
                problem = SyntaxProblem(token[1], token[2], token[3])
            if not stack:
                yield problem
                problem = None
        elif stack:
            stack[-1].items.append(token)
        elif kind == "line":  # only ever met outside any command (the lexer checks)
            yield token
        else:
            yield SyntaxProblem(f"a command must start with '(', found {describe(token)}",
                                token[2], token[3])
    if stack:
        first = stack[0]
        if problem is None:
            problem = SyntaxProblem(
                f"unexpected end of the input: the '(' at line {first.line} column {first.column} "
                f"is not closed ({len(stack)} open)", first.line, first.column)
        yield problem


def describe(token):
    kind, value = token[0], token[1]
    if kind == "sym":
        return f"the symbol '{_short(value)}'"
    if kind == "kw":
        return f"the keyword ':{_short(value)}'"
    if kind == "num":
        return f"the numeral {_short(str(value))}"
    if kind == "str":
        return f"the string \"{_short(value)}\""
    return f"'{_short(str(value))}'"


def _short(text, limit=40):
    return text if len(text) <= limit else text[:limit] + "..."


def token_text(token):
    """SMT-LIB text of one token."""
    kind, value = token[0], token[1]
    if kind == "sym":
        return symbol_text(value)
    if kind == "kw":
        return ":" + value
    if kind == "num":
        from ..terms import decimal_text
        return decimal_text(value)  # str() refuses numerals beyond 4,300 digits
    if kind == "str":
        return '"' + value.replace('"', '""') + '"'
    return str(value)


def symbol_text(name):
    simple = name and not name[0].isdigit() and all(
        c.isalnum() and c.isascii() or c in "~!@$%^&*_-+=<>.?/" for c in name)
    return name if simple else "|" + name + "|"


def to_text(node):
    """SMT-LIB text of an s-expression, single spaced (iterative)."""
    if isinstance(node, tuple):
        return token_text(node)
    out = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, tuple):
            out.append(token_text(item))
        else:
            out.append("(")
            stack.append(")")
            for k in range(len(item.items) - 1, -1, -1):
                stack.append(item.items[k])
                if k:
                    stack.append(" ")
    return "".join(out)
