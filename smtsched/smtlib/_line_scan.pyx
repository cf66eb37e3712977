# cython: language_level=3, boundscheck=False, wraparound=False
"""The assertion line of smtsched.smtlib.fast_assert, read in C for its commonest spelling.

`scan_clause(line, names)` reads one line written exactly as bench/formula.py and most
generators write a clause of difference atoms, single spaces and nothing else:

    (assert (or (<= (- x3 x1) 2) (not (< (- x4 x2) (- 5))) (>= (- x0 x1) 0)))
    (assert (<= (- x3 x1) 2))

and answers the DifferenceClause that the pure-Python shortcut (fast_assert.py) answers for
it, when every literal is an atom of two distinct declared Int variables (`names`: the
elaborator's globals). For any other line, or any doubt (other white space, a numeral of more
than 18 digits, a name that is not such a variable, a byte that is not ASCII), it answers
None and the pure-Python shortcut reads the line as before. So it only ever takes lines the
Python shortcut takes, with the same record: tests/test_smtlib_line_scan.py holds the two
side by side. Why: the regular expressions and the Python around them were 4.3 us a line,
a third of the whole process on bench/random_dl's 10,000-node files (80,000 such lines).
"""
from libc.string cimport memcmp

from ..terms import INT, DifferenceClause, Term

cdef extern from "Python.h":
    const char* PyUnicode_AsUTF8AndSize(object text, Py_ssize_t* size) except NULL
    bint PyUnicode_IS_ASCII(object text)
    object PyUnicode_DecodeASCII(const char* data, Py_ssize_t size, const char* errors)

# simple symbols (SMT-LIB 2.6, 3.1; lexer.py's and fast_assert.py's _SYM):
# 1 = may start a symbol (letters and ~!@$%^&*_-+=<>.?/), 2 = may only continue it (digits)
cdef unsigned char SYMBOL[256]
cdef unsigned char WHITE[256]   # fast_assert.py's _WS: space \t \r \n \f \v


cdef void _tables():
    cdef int k
    cdef bytes extra = b"~!@$%^&*_-+=<>.?/"
    cdef bytes white = b" \t\r\n\f\v"
    for k in range(256):
        SYMBOL[k] = 0
        WHITE[k] = 0
    for k in range(ord("a"), ord("z") + 1):
        SYMBOL[k] = 1
    for k in range(ord("A"), ord("Z") + 1):
        SYMBOL[k] = 1
    for k in range(ord("0"), ord("9") + 1):
        SYMBOL[k] = 2
    for k in range(len(extra)):
        SYMBOL[<unsigned char>extra[k]] = 1
    for k in range(len(white)):
        WHITE[<unsigned char>white[k]] = 1


_tables()

_LE, _LT, _GE, _GT = "le", "lt", "ge", "gt"
_VAR = "var"
cdef object _Term = Term
cdef object _Clause = DifferenceClause
cdef object _INT = INT


cdef inline Py_ssize_t _symbol_end(const char* s, Py_ssize_t i, Py_ssize_t n):
    """The end of the simple symbol starting at i, or -1 if none starts there."""
    if i >= n or SYMBOL[<unsigned char>s[i]] != 1:
        return -1
    i += 1
    while i < n and SYMBOL[<unsigned char>s[i]] != 0:
        i += 1
    return i


cdef inline object _variable(object names, const char* s, Py_ssize_t start, Py_ssize_t end):
    """The declared Int variable named s[start:end], or None."""
    term = names.get(PyUnicode_DecodeASCII(s + start, end - start, NULL))
    if type(term) is not _Term or term.sort != _INT or term.op != _VAR:
        return None
    return term


def scan_clause(str line, dict names):
    """The DifferenceClause of `line`, or None (see the module docstring)."""
    if not PyUnicode_IS_ASCII(line):
        return None
    cdef Py_ssize_t n
    cdef const char* s = PyUnicode_AsUTF8AndSize(line, &n)
    cdef Py_ssize_t i = 8, a, b, digits
    cdef bint clause = False, negated
    cdef long long value
    if n < 8 or memcmp(s, b"(assert ", 8) != 0:
        return None
    if n - i >= 4 and memcmp(s + i, b"(or ", 4) == 0:
        clause = True
        i += 4
    read = []
    while True:
        negated = n - i >= 5 and memcmp(s + i, b"(not ", 5) == 0
        if negated:
            i += 5
        # "(" op " (- " x " " y ") " numeral ")"
        if n - i < 3 or s[i] != b"(":
            return None
        if s[i + 1] == b"<":
            if s[i + 2] == b"=":
                op, i = _LE, i + 3
            else:
                op, i = _LT, i + 2
        elif s[i + 1] == b">":
            if s[i + 2] == b"=":
                op, i = _GE, i + 3
            else:
                op, i = _GT, i + 2
        else:
            return None
        if n - i < 4 or memcmp(s + i, b" (- ", 4) != 0:
            return None
        a = i + 4
        i = _symbol_end(s, a, n)
        if i < 0 or i >= n or s[i] != b" ":
            return None
        x = _variable(names, s, a, i)
        if x is None:
            return None
        b = i + 1
        i = _symbol_end(s, b, n)
        if i < 0 or n - i < 2 or s[i] != b")" or s[i + 1] != b" ":
            return None
        y = _variable(names, s, b, i)
        if y is None or x.name == y.name:
            return None
        i += 2
        # the numeral: digits, or (- digits)
        if n - i >= 3 and memcmp(s + i, b"(- ", 3) == 0:
            i += 3
            sign = -1
        else:
            sign = 1
        value = 0
        digits = 0
        while i < n and b"0" <= s[i] <= b"9":
            value = value * 10 + (s[i] - 48)
            digits += 1
            i += 1
        if digits == 0 or digits > 18:
            return None
        if sign < 0:
            if i >= n or s[i] != b")":
                return None
            i += 1
            value = -value
        if i >= n or s[i] != b")":   # the atom's
            return None
        i += 1
        if negated:
            if i >= n or s[i] != b")":
                return None
            i += 1
        read.append((negated, op, x, y, value))
        if not clause:
            break
        if i < n and s[i] == b" ":
            i += 1
            continue
        break
    # the closing parentheses: of (or, then of (assert; then only white space
    if clause:
        if i >= n or s[i] != b")":
            return None
        i += 1
    if i >= n or s[i] != b")":
        return None
    i += 1
    while i < n:
        if not WHITE[<unsigned char>s[i]]:
            return None
        i += 1
    return _Clause(tuple(read), clause)
