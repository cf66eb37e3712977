"""z3's declarations: of a constant (FuncDecl: what m.decls() and x.decl() give) and of an
operator ((x + 1).decl(): OpDecl), with z3's names and kinds. Imports nothing from the rest of
smtsched but its errors, so that smtsched.terms can hand them out."""
from .errors import UnsupportedError

BOOL = "Bool"


class FuncDecl:
    """A constant's declaration, as `m.decls()` and iteration over a model give them:
    `name()`, `arity()`, `range()`, calling it gives the constant, it prints as its name,
    and `m[decl]` is the constant's value."""

    __slots__ = ("_var",)

    def __init__(self, var):
        self._var = var

    def name(self):
        return self._var.name

    def arity(self):
        return 0

    def range(self):
        return self._var.sort()

    def kind(self):
        return Z3_OP_KINDS["UNINTERPRETED"]

    def __call__(self, *args):
        return self._var

    def __eq__(self, other):
        return isinstance(other, FuncDecl) and self._var.key() == other._var.key()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self._var.key())

    def __lt__(self, other):  # sorted(m.decls()), sorted by name as z3 users often do
        return str(self) < str(other)

    def sexpr(self):
        return f"(declare-fun {self._var.name} () {self._var.sort})"

    def __repr__(self):
        return self._var.name

    __str__ = __repr__


# z3's names of the operators: name() gives the SMT-LIB one, str() the one z3py prints
_OP_NAMES = {"add": ("+", "+"), "sub": ("-", "-"), "neg": ("-", "-"), "mul": ("*", "*"),
             "le": ("<=", "<="), "lt": ("<", "<"), "ge": (">=", ">="), "gt": (">", ">"),
             "eq": ("=", "=="), "distinct": ("distinct", "Distinct"), "and": ("and", "And"),
             "or": ("or", "Or"), "not": ("not", "Not"), "implies": ("=>", "Implies"),
             "xor": ("xor", "Xor"), "ite": ("if", "If")}


# z3's declaration kinds (Z3_decl_kind, the numbers of z3_api.h), for `e.decl().kind() ==
# Z3_OP_UNINTERPRETED` and the like in scripts that walk formulas
Z3_OP_KINDS = {"UNINTERPRETED": 49167, "ANUM": 512, "TRUE": 256, "FALSE": 257, "ADD": 518,
               "SUB": 519, "MUL": 521, "UMINUS": 520, "DIV": 522, "LE": 514, "LT": 516,
               "GE": 515, "GT": 517, "EQ": 258, "DISTINCT": 259, "AND": 261, "OR": 262,
               "NOT": 265, "IMPLIES": 266, "XOR": 264, "ITE": 260}
_OP_KIND = {"add": "ADD", "sub": "SUB", "mul": "MUL", "neg": "UMINUS", "le": "LE", "lt": "LT",
            "ge": "GE", "gt": "GT", "eq": "EQ", "distinct": "DISTINCT", "and": "AND",
            "or": "OR", "not": "NOT", "implies": "IMPLIES", "xor": "XOR", "ite": "ITE"}


class OpDecl:
    """The declaration of an operator application, as (x + 1).decl() gives it in z3."""

    __slots__ = ("_term",)

    def __init__(self, term):
        if term.op == "mul" and isinstance(term.value, tuple) or term.op == "const":
            self._term = term
            return
        if term.op not in _OP_NAMES:
            raise UnsupportedError(f"decl() of {term!s}: smtsched has no declaration for "
                                   f"its operator ({term.op})")
        self._term = term

    def _names(self):
        term = self._term
        if term.op == "mul" and isinstance(term.value, tuple):
            return ("/", "/")
        if term.op == "const":   # z3: a value's declaration is named by its sort, or true
            if term.sort == BOOL:
                return ("true", "True") if term.value else ("false", "False")
            return (str(term.sort), str(term.sort))
        return _OP_NAMES[term.op]

    def kind(self):
        term = self._term
        if term.op == "mul" and isinstance(term.value, tuple):
            return Z3_OP_KINDS["DIV"]
        if term.op == "const":
            if term.sort == BOOL:
                return Z3_OP_KINDS["TRUE" if term.value else "FALSE"]
            return Z3_OP_KINDS["ANUM"]
        return Z3_OP_KINDS[_OP_KIND[term.op]]

    def name(self):
        return self._names()[0]

    def arity(self):
        return len(self._term.args)

    def range(self):
        return self._term.sort()

    def __eq__(self, other):
        return isinstance(other, OpDecl) and self._names() == other._names()

    def __hash__(self):
        return hash(self._names())

    def __repr__(self):
        return self._names()[1]

    __str__ = __repr__


