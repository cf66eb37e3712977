"""The certificate checker's own SMT-LIB reader: a script and a query -> the Encoding G.

`read(text, {"check_sat": k})` replays the script's assertion stack up to its k-th `check-sat`
or `check-sat-assuming` command (1-based) and returns the `Encoding` of the assertions live
there (docs/certificates.md, "Checking problem.cnf"): the Tseitin encoding of every asserted
formula over canonical difference atoms, each assertion as unit clauses (a top-level `and`
split into units, a top-level `or` as one clause). `encoding.assumption_atoms` holds the
literals the query assumes: the `check-sat-assuming` literals, after those of the top-level
`(! f :named n)` assertions when `:produce-unsat-cores` is on (smtsched tracks those as
assumptions); None for a plain `check-sat` without them. Tracked assertions are also asserted
as units: they are assertions.

Independence is the point: this module shares no code with smtsched's reader
(smtsched/smtlib/, terms, compile), so a bug there is not repeated here. It imports only the
standard library and `.encoding`.

What is read (the fragment of docs/reference.md, SMT-LIB 2.6): commands set-logic, set-info,
set-option (`:produce-unsat-cores`, `:global-declarations` are honoured), declare-fun and
declare-const of Bool, Int and Real constants, define-fun (with parameters: macro expansion,
the body's free symbols bound where the macro was defined), push, pop, assert, check-sat,
check-sat-assuming, reset, reset-assertions, exit; get-*, echo, minimize, maximize are ignored
(they change no assertion). Terms: let (parallel, shadowing), `!` (`:named` declares the name),
true, false, not, and, or, =>, xor, = and distinct (Bool and arithmetic), ite (Bool, and on
arithmetic terms: lifted out of the atom as a case split, `(<= (ite c x y) z)` is
`ite(c, x <= z, y <= z)`), chained <=, <, >=, >, +, -, * by constants, / by constants,
to_real of constants, numerals, decimals, and z3's pseudo-Boolean functions
`((_ pble k w1 .. wn) b1 .. bn)`, pbge, pbeq, `(_ at-most k)`, `(_ at-least k)`, encoded
exactly as a BDD of ite gates (Een and Sorensson, "Translating Pseudo-Boolean Constraints into
SAT", JSAT 2006, section 5) while that stays small. A pseudo-Boolean constraint that holds at the
top level (an assertion, or a conjunct of one) is also listed in `encoding.constraints` as
`{"kind": "pseudo_boolean", "relation": "<=" | ">=" | "=", "bound": k, "terms": [[literal,
weight], ...]}` with G's literals, for a future `slack` rule (docs/certificates.md); the
checker's current rules ignore that kind. So is a comparison that reduces to a sum over
literals (`(<= (+ 2 (ite c 2 0) (ite d 1 0)) 3)`: an ite whose branches differ by a constant
stays linear in its condition, and the comparison is a BDD with difference atoms or constants
at its leaves).

smtsched's Disjunctive and Cumulative print as their meanings (pairwise disjunctions; a load
bound at each task's start). The reader recognises those shapes in the asserted facts of G and
lists the constraints they imply in `encoding.constraints` (constraints.json's shape), so that
the checker can accept the global constraints a certificate of a Solver-API problem names; see
`_disjunctive_cliques` and `_cumulative_groups` for why each one follows from its facts. A
recognised cumulative constraint also adds to G the clause "one ends before the other starts"
for each two of its tasks that cannot run together (`_cannot_overlap`), as smtsched's compiler
does in problem.cnf. smtsched's WeightedCost prints as its arithmetic meaning, a sum of
weighted ends (or of ites for tardiness) under a bound, behind (=> g ...) when guarded: an
assertion of that meaning is listed as a cost constraint (`cost_assertion`, by the value of
each summand), and one whose sum is no difference constraint is held in G as a fresh literal
(`opaque_cost`: G weaker than the input, so still implied by it).

Every comparison normalises to a difference constraint: the linear form sum a_i x_i + k <op> 0
must have no variable (a constant, folded to true or false), one, or two with opposite
coefficients; it is divided through by the coefficient (over Int with floor, `<` becoming
`<= ceil - 1`; over Real exactly, strictness kept). Int and Real never mix. Anything else
raises `Unsupported` ("unsupported by the checker: ..."); a malformed script raises
`ReadError`. Both are ValueErrors carrying the line and column. The checker is strict: any
error before the query stops the reading (smtsched would report it and go on without the
command), so a verified certificate never rests on a command the two readers disagree on.

Terms are encoded as they are read (gates are hash-consed by the Encoding), but an assertion
becomes clauses only at the query, and only while its level is live: an assertion popped
before the query leaves nothing in G but definitions (gates, atoms), which constrain nothing.
Arithmetic ite lifting is refused beyond MAX_LEAVES cases per term, a pseudo-Boolean BDD beyond
MAX_BDD_NODES nodes (both `Unsupported`).
"""

import re
from fractions import Fraction
from itertools import islice, product
from math import ceil, floor

from .encoding import Encoding
from .numbers import decimal_int

__all__ = ["read", "ReadError", "Unsupported"]


class ReadError(ValueError):
    """A problem with the script, at a line and column (1-based; None when unknown)."""

    def __init__(self, message, line=None, column=None):
        self.message = message
        self.line = line
        self.column = column
        where = f"line {line} column {column}: " if line is not None else ""
        super().__init__(where + message)


class Unsupported(ReadError):
    """Valid SMT-LIB that the checker does not read (outside difference logic, or too big)."""

    def __init__(self, what, line=None, column=None):
        super().__init__(f"unsupported by the checker: {what}", line, column)


# ------------------------------------------------------------------------------ tokens
# SMT-LIB 2.6, section 3.1. A simple symbol is letters, digits and ~ ! @ $ % ^ & * _ - + = < >
# . ? / not starting with a digit; a quoted symbol |...| holds anything but | and \ (and |x|
# is the symbol x); a string doubles its quotes. The scanner cuts the text into candidate
# tokens with one findall (whitespace falls between them; a stray character is a token of its
# own), and `_classify` decides what each distinct spelling is, once: symbols repeat a lot.
_SYM = r"A-Za-z0-9~!@$%^&*_\-+=<>.?/"
_SCAN = re.compile(r';[^\n]*|[()]|[^\s()|";]+|\|[^|\\]*\||"(?:[^"]|"")*"|\S', re.ASCII)
_SIMPLE = re.compile(r"[A-Za-z~!@$%^&*_\-+=<>.?/][" + _SYM + r"]*")
_KEYWORD = re.compile(r":[" + _SYM + r"]+")
_NUMERAL = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"([0-9]+)\.([0-9]+)")
_BITS = re.compile(r"#x[0-9A-Fa-f]+|#b[01]+")

SYM, NUM, DEC, KW, STR, BV = "sym", "num", "dec", "kw", "str", "bv"
_COMMENT = ("comment", None)


class SList(list):
    """A parenthesised list; `pos` is the index of its "(" among the scanned tokens."""

    __slots__ = ("pos",)


def _classify(token):
    """(kind, value) of one scanned token, _COMMENT, or (None, message) when it is none."""
    first = token[0]
    if first == ";":
        return _COMMENT
    if first == "|":
        if len(token) > 1 and token[-1] == "|":
            return SYM, token[1:-1]
        return None, "an unterminated quoted symbol (or one holding a backslash)"
    if first == '"':
        if len(token) > 1 and token[-1] == '"':
            return STR, token[1:-1].replace('""', '"')
        return None, "an unterminated string"
    if _SIMPLE.fullmatch(token):
        return SYM, token
    if _NUMERAL.fullmatch(token):
        return NUM, decimal_int(token)
    m = _DECIMAL.fullmatch(token)
    if m:
        return DEC, Fraction(decimal_int(m.group(1) + m.group(2)), 10 ** len(m.group(2)))
    if _KEYWORD.fullmatch(token):
        return KW, token[1:]
    if _BITS.fullmatch(token):
        return BV, token
    return None, f"{token[:40]!r} is not an SMT-LIB token"


class _Text:
    """The script, with token index -> (line, column) for messages (rescanned on demand)."""

    def __init__(self, text):
        self.text = text

    def where(self, index):
        if index is None:
            return None, None
        for i, m in enumerate(_SCAN.finditer(self.text)):
            if i == index:
                offset = m.start()
                break
        else:
            offset = len(self.text)
        line = self.text.count("\n", 0, offset)
        column = offset - (self.text.rfind("\n", 0, offset) + 1)
        return line + 1, column + 1


def _commands(text, source):
    """The top-level s-expressions of `text`, one at a time (lists nest without recursion).

    An atom is a tuple (kind, value, token index); a list is an SList."""
    stack = []
    current = None
    known = {}
    for i, token in enumerate(_SCAN.findall(text)):
        if token == "(":
            new = SList()
            new.pos = i
            if current is not None:
                current.append(new)
                stack.append(current)
            current = new
        elif token == ")":
            if current is None:
                raise ReadError("unexpected ')'", *source.where(i))
            if stack:
                current = stack.pop()
            else:
                yield current
                current = None
        else:
            kind = known.get(token)
            if kind is None:
                kind = known[token] = _classify(token)
            if kind is _COMMENT:
                continue
            if kind[0] is None:
                raise ReadError(kind[1], *source.where(i))
            if current is None:
                raise ReadError(f"a command is a parenthesised list, found {token[:40]}",
                                *source.where(i))
            current.append((kind[0], kind[1], i))
    if current is not None:
        raise ReadError("unbalanced '(': the script ends inside this list",
                        *source.where((stack[0] if stack else current).pos))


def _is(node, kind, value=_COMMENT):
    """Whether `node` is an atom of this kind (and value, when given)."""
    return type(node) is not SList and node[0] == kind and (value is _COMMENT or
                                                             node[1] == value)


def _pos(node):
    return node.pos if isinstance(node, SList) else node[2]


def _show(node, limit=60):
    """Short SMT-LIB text of a node, for messages (iterative)."""
    out = []
    work = [node]
    while work and len(out) < limit:
        item = work.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, SList):
            work.append(")")
            for k in range(len(item) - 1, -1, -1):
                work.append(item[k])
                if k:
                    work.append(" ")
            out.append("(")
        else:
            kind, value = item[0], item[1]
            if kind == KW:
                out.append(":" + value)
            elif kind == STR:
                out.append('"' + value.replace('"', '""') + '"')
            elif kind == SYM and not _SIMPLE.fullmatch(value):
                out.append("|" + value + "|")
            else:
                out.append(str(value))
    text = "".join(out)
    return text if not work and len(text) <= limit else text[:limit] + "..."


# ------------------------------------------------------------------------------ values
# A Bool term is a literal of the Encoding (an int). An arithmetic term is a Lin (a linear
# form) or an Ite (an arithmetic if-then-else over two arithmetic terms), kept apart from the
# ints by type.

_NO_PB = {}  # shared empty pseudo-Boolean part (never mutated)


def _merge(a, b, sign):
    """a + sign * b for dicts of non-zero numbers (zeros dropped)."""
    out = dict(a)
    for key, c in b.items():
        c = out.get(key, 0) + sign * c
        if c:
            out[key] = c
        else:
            out.pop(key, None)
    return out


class Lin:
    """sum coeffs[name] * name + const + sum pb[lit] * [lit], of sort "Int", "Real" or None
    (numerals alone). [lit] is 1 when the literal holds, else 0: an ite whose branches differ
    by a constant, (ite c (+ x 2) x) = x + 2 [c], as in a cumulative constraint's printed
    meaning, stays linear in the literals and compares as a pseudo-Boolean sum."""

    __slots__ = ("sort", "coeffs", "const", "pb")

    def __init__(self, sort, coeffs, const, pb=_NO_PB):
        self.sort = sort
        self.coeffs = coeffs      # name -> non-zero int or Fraction; never mutated once made
        self.const = const
        self.pb = pb              # literal -> non-zero weight; never mutated once made


class Ite:
    """ite(cond, then, other) on arithmetic terms whose variables differ; `cond` a literal."""

    __slots__ = ("cond", "then", "other", "sort")

    def __init__(self, cond, then, other, sort):
        self.cond, self.then, self.other, self.sort = cond, then, other, sort


class Macro:
    """A define-fun with parameters: its body, expanded at each application."""

    __slots__ = ("name", "params", "sort", "body", "serial")

    def __init__(self, name, params, sort, body, serial):
        self.name, self.params, self.sort, self.body = name, params, sort, body
        self.serial = serial      # globals declared after this serial are not visible inside


# How many leaves the arithmetic ite lifting may make for one term (a sum of n ites has 2^n).
MAX_LEAVES = 1 << 12
# How many BDD nodes one pseudo-Boolean constraint may take.
MAX_BDD_NODES = 1 << 18
# Constant folding stops at numbers this many bits long ((* 10^100000 ...) nests fast).
MAX_BITS = 1 << 20
# The most levels one push or pop may take (smtsched refuses more too).
MAX_LEVELS = 1 << 20

_SORTS = ("Bool", "Int", "Real")
_RESERVED = frozenset(("let", "!", "_", "as", "forall", "exists", "match", "par", "true",
                       "false"))
_PB = ("pble", "pbge", "pbeq", "at-most", "at-least")

# work items of the evaluator
_APPLY, _LET, _UNBIND, _NAMED, _MACRO, _RESTORE, _PBAPPLY = range(7)


class _Reader:
    def __init__(self, text):
        self.source = _Text(text)
        self.enc = Encoding()
        self.T = self.enc.true()
        self.F = -self.T
        self.global_decls = False
        self.tracking = False       # :produce-unsat-cores
        self.ever = {}              # name -> sort of every Int/Real declaration ever
        self.serial = 0
        self.gates = {}             # literal -> ("and" | "or", literals) of the gates made here
        self.pb = {}                # literal -> the pseudo-Boolean (and cost) facts it
        #                             stands for
        self.opaque = {}            # variable -> (tasks, bound): a cost sum read by meaning
        self.cost_count = 0         # cost constraints recognised (for their names)
        self.valid_pb = []          # pseudo-Boolean constraints that always hold
        self.clear()

    def clear(self):
        """reset-assertions: no assertions, no declarations (global-declarations or not)."""
        self.globals = {}           # name -> (serial, value | Macro)
        self.levels = [[]]          # per level: [assertion literal]
        self.tracked = [[]]         # per level: [literal of a tracked named assertion]
        self.names = [[]]           # per level: names declared there
        self.objectives = [[]]      # per level: _Objective of (minimize t) / (maximize t)
        self.locals = {}
        self.limit = None           # serial limit while expanding a macro body

    def fail(self, message, node, unsupported=False):
        line, column = self.source.where(_pos(node) if node is not None else None)
        raise (Unsupported if unsupported else ReadError)(message, line, column)

    # -- commands ----------------------------------------------------------------------------
    def run(self, text, k):
        count = 0
        for command in _commands(text, self.source):
            if not command or not _is(command[0], SYM):
                self.fail("a command name was expected", command)
            name = command[0][1]
            args = command[1:]
            if name in ("check-sat", "check-sat-assuming"):
                count += 1
                if count == k:
                    return self.query(name, args, command)
                if name == "check-sat-assuming":  # its terms may declare :named names
                    self.assumptions(args, command)
                continue
            handler = _COMMANDS.get(name)
            if handler is None:
                if name.startswith("get-") or name in _IGNORED:
                    continue
                self.fail(f"the command '{name}'", command, unsupported=True)
            handler(self, args, command)
            if name == "exit":
                break
        raise ReadError(f"the script has {count} check-sat command(s), not {k}")

    def query(self, name, args, command):
        enc = self.enc
        assumed = [lit for level in self.tracked for lit in level]
        if name == "check-sat-assuming":
            assumed += self.assumptions(args, command)
        elif args:
            self.fail("check-sat takes no arguments", command)
        asserted = []
        self.listed = set()   # keys of the records listed (a list lookup each was quadratic)
        for level in self.levels:
            for lit in level:
                self.assert_literal(lit, asserted)
        enc.assumption_atoms = assumed if assumed or name == "check-sat-assuming" else None
        enc.constraints += _disjunctive_cliques(enc, asserted)
        cumulative = _cumulative_groups(enc, self.gates, enc.constraints + self.valid_pb)
        enc.constraints += cumulative
        for clause in _cannot_overlap(enc, cumulative):
            enc.add(clause)
        objectives = [o for level in self.objectives for o in level]
        # the query's G ends here: the model check evaluates these clauses only (the
        # checker adds atoms.txt's definitions and the bound's gates later)
        enc.optimum = _Optimum(self, objectives, assumed) if objectives else None
        return enc

    def assumptions(self, args, command):
        if len(args) != 1 or not isinstance(args[0], SList):
            self.fail("check-sat-assuming takes one list of literals", command)
        return [self.formula(node) for node in args[0]]

    def assert_literal(self, lit, asserted):
        """Add the clauses saying `lit` holds: units through and-gates, one clause for an or.
        Each clause is also appended to `asserted` (facts, unlike the gates' clauses)."""
        enc = self.enc
        work = [lit]
        while work:
            lit = work.pop()
            for record in self.pb.get(lit, ()):
                # a pseudo-Boolean fact once, however often it was read; a cost record is
                # made once per assertion
                key = id(record) if record["kind"] == "cost" else (
                    record["relation"], record["bound"], tuple(map(tuple, record["terms"])))
                if key not in self.listed:
                    self.listed.add(key)
                    enc.constraints.append(record)
            gate = self.gates.get(lit)
            if gate is not None and gate[0] == "and":
                work.extend(gate[1])
                continue
            clause = list(gate[1]) if gate is not None else [lit]
            enc.add(clause)
            asserted.append(clause)

    def cmd_set_option(self, args, command):
        if len(args) == 2 and _is(args[0], KW) and args[0][1] in (
                "produce-unsat-cores", "global-declarations"):
            value = args[1]
            if not _is(value, SYM) or value[1] not in ("true", "false"):
                self.fail(f":{args[0][1]} takes true or false", value)
            flag = value[1] == "true"
            if args[0][1] == "global-declarations":
                self.global_decls = flag
            else:
                self.tracking = flag

    def cmd_declare_fun(self, args, command):
        if len(args) != 3 or not isinstance(args[1], SList):
            self.fail("declare-fun is (declare-fun name () Sort)", command)
        if args[1]:
            self.fail("declare-fun with arguments (uninterpreted functions)", command,
                      unsupported=True)
        self.declare_constant(args[0], args[2])

    def cmd_declare_const(self, args, command):
        if len(args) != 2:
            self.fail("declare-const is (declare-const name Sort)", command)
        self.declare_constant(args[0], args[1])

    def declare_constant(self, name_node, sort_node):
        name = self.symbol(name_node)
        sort = self.sort(sort_node)
        if sort != "Bool" and self.ever.setdefault(name, sort) != sort:
            # Encoding.atom names variables by symbol only: an Int popped and declared
            # again as a Real (or after a reset) would share its atoms.
            self.fail(f"'{name}' declared again with another sort", name_node,
                      unsupported=True)
        if sort == "Bool":
            value = self.enc.boolean(name)
        else:
            self.enc.declare(name, sort)
            value = Lin(sort, {name: 1}, 0)
        self.define(name, value, name_node)

    def cmd_define_fun(self, args, command):
        if len(args) != 4 or not isinstance(args[1], SList):
            self.fail("define-fun is (define-fun name ((x Sort) ...) Sort term)", command)
        name = self.symbol(args[0])
        params = []
        for param in args[1]:
            if not isinstance(param, SList) or len(param) != 2:
                self.fail("a parameter is (name Sort)", param)
            pname = self.symbol(param[0])
            if any(pname == p for p, _ in params):
                self.fail(f"the parameter '{pname}' is declared twice", param)
            params.append((pname, self.sort(param[1])))
        sort = self.sort(args[2])
        if params:
            self.define(name, Macro(name, params, sort, args[3], self.serial), args[0])
        else:
            value = self.term(args[3])
            self.check_sort(value, sort, args[3])
            self.define(name, value, args[0])

    def cmd_define_sort(self, args, command):
        # smtsched has no define-sort (it reports an unknown command)
        self.fail("define-sort", command, unsupported=True)

    def cmd_assert(self, args, command):
        if len(args) != 1:
            self.fail("assert takes one term", command)
        node = args[0]
        try:
            lit = self.formula(node)
        except Unsupported:
            # a weighted cost sum is no difference constraint: read by its meaning alone
            lit = self.opaque_cost(node)
            if lit is None:
                raise
        else:
            found = self.cost_assertion(node)
            if found is not None:   # read exactly (one task): G has it; list it too
                self.pb.setdefault(lit, []).append(self.cost_record(*found))
        if self.tracking and isinstance(node, SList) and node and _is(node[0], SYM, "!") \
                and any(_is(a, KW, "named") for a in node[2:]):
            self.tracked[-1].append(lit)
        self.levels[-1].append(lit)

    def cmd_push(self, args, command):
        for _ in range(self.count(args, command)):
            self.levels.append([])
            self.tracked.append([])
            self.names.append([])
            self.objectives.append([])

    def cmd_pop(self, args, command):
        n = self.count(args, command)
        if n >= len(self.levels):
            self.fail(f"pop {n} with only {len(self.levels) - 1} push(es) open", command)
        for _ in range(n):
            self.levels.pop()
            self.tracked.pop()
            self.objectives.pop()
            names = self.names.pop()
            if self.global_decls:
                self.names[-1].extend(names)
            else:
                for name in names:
                    del self.globals[name]

    def count(self, args, command):
        if not args:
            return 1
        if len(args) != 1 or not _is(args[0], NUM):
            self.fail("push and pop take a numeral", command)
        if args[0][1] > MAX_LEVELS:
            self.fail(f"push or pop of more than {MAX_LEVELS} levels", command,
                      unsupported=True)
        return args[0][1]

    def cmd_reset(self, args, command):
        self.global_decls = False
        self.tracking = False
        self.clear()

    def cmd_reset_assertions(self, args, command):
        self.clear()

    def cmd_ignore(self, args, command):
        pass

    def cmd_objective(self, args, command):
        """(minimize t) / (maximize t): the term is read here, where its symbols are in
        scope (as smtsched elaborates it). Only an OPTIMAL claim reads the objectives, so a
        term the checker cannot read is kept as its error instead of stopping the reading
        (the script's unsat certificates never depend on it)."""
        sense = command[0][1]
        locals_, limit = self.locals, self.limit
        try:
            if len(args) != 1:
                self.fail(f"{sense} takes one term", command)
            value = self.term(args[0])
            if type(value) is int or value.sort == "Real":
                self.fail(f"the objective {_show(args[0])} is not an Int term (smtsched "
                          "optimises Int terms only)", args[0], unsupported=True)
            self.objectives[-1].append(_Objective(sense, args[0] if args else command,
                                                  value, None))
        except Exception as error:  # ReadError, or a term too deep to read
            self.objectives[-1].append(_Objective(sense, command, None,
                                                  str(error) or type(error).__name__))
        finally:
            self.locals, self.limit = locals_, limit

    # -- symbols and sorts -------------------------------------------------------------------
    def symbol(self, node):
        if isinstance(node, SList) or node[0] != SYM:
            self.fail(f"a symbol was expected, found {_show(node)}", node)
        return node[1]

    def sort(self, node):
        if isinstance(node, SList) or node[0] != SYM or node[1] not in _SORTS:
            self.fail(f"the sort {_show(node)} (the checker knows Bool, Int and Real)", node,
                      unsupported=True)
        return node[1]

    def define(self, name, value, node):
        if name in self.globals or name in _BUILTINS or name in _RESERVED or \
                name in _OTHER_THEORIES:
            self.fail(f"the symbol '{name}' is already declared", node)
        self.serial += 1
        self.globals[name] = (self.serial, value)
        self.names[-1].append(name)

    def check_sort(self, value, sort, node):
        actual = _sort_of(value)
        if actual == sort or (actual is None and sort != "Bool"):
            return
        self.fail(f"{_show(node)} is {_sort_name(actual)}, {sort} expected", node)

    # -- terms -------------------------------------------------------------------------------
    def formula(self, node):
        value = self.term(node)
        if type(value) is not int:
            self.fail(f"a formula was expected, found the {_sort_name(value.sort)} term "
                      f"{_show(node)}", node)
        return value

    def term(self, node):
        """The value of a term: an explicit work stack, no Python recursion.

        The stack holds nodes to evaluate (an SList, or an atom tuple whose first field is
        its kind, a string) and control items (tuples whose first field is an int)."""
        values = []
        push = values.append
        work = [node]
        pop = work.pop
        globals_ = self.globals
        while work:
            item = pop()
            if type(item) is SList:
                self.expand(item, work)
                continue
            kind = item[0]
            if kind == SYM:  # the common case inline: a let-bound or declared constant
                value = self.locals.get(item[1], _MISSING)
                if value is _MISSING:
                    entry = globals_.get(item[1])
                    if entry is not None and self.limit is None and \
                            type(entry[1]) is not Macro:
                        value = entry[1]
                    else:
                        value = self.atom_token(item)
                push(value)
            elif type(kind) is str:
                push(self.atom_token(item))
            elif kind == _APPLY:
                _, function, node, n = item
                if n:
                    args = values[-n:]
                    del values[-n:]
                else:
                    args = []
                push(function(self, args, node))
            elif kind == _LET:
                _, names, body = item
                n = len(names)
                bound = values[-n:]
                del values[-n:]
                saved = [(name, self.locals.get(name, _MISSING)) for name in names]
                self.locals.update(zip(names, bound))
                work.append((_UNBIND, saved))
                work.append(body)
            elif kind == _UNBIND:
                for name, old in item[1]:
                    if old is _MISSING:
                        del self.locals[name]
                    else:
                        self.locals[name] = old
            elif kind == _MACRO:
                _, macro, node = item
                n = len(macro.params)
                if n:
                    args = values[-n:]
                    del values[-n:]
                else:
                    args = []
                for (pname, sort), arg, arg_node in zip(macro.params, args, node[1:]):
                    self.check_sort(arg, sort, arg_node)
                work.append((_RESTORE, self.locals, self.limit, macro, node))
                self.locals = {pname: arg for (pname, _), arg in zip(macro.params, args)}
                self.limit = macro.serial
                work.append(macro.body)
            elif kind == _RESTORE:
                _, self.locals, self.limit, macro, node = item
                self.check_sort(values[-1], macro.sort, node)
            elif kind == _NAMED:
                self.annotate(item[1], values[-1])
            else:  # _PBAPPLY
                _, head, node = item
                n = len(node) - 1
                args = values[-n:]
                del values[-n:]
                push(self.pseudo_boolean(head, args, node))
        return values[0]

    def atom_token(self, token):
        kind, value = token[0], token[1]
        if kind == SYM:
            found = self.locals.get(value, _MISSING)
            if found is not _MISSING:
                return found
            if value == "true":
                return self.T
            if value == "false":
                return self.F
            entry = self.globals.get(value)
            if entry is None or (self.limit is not None and entry[0] > self.limit):
                if value in _BUILTINS:
                    self.fail(f"the operator '{value}' needs arguments", token)
                self.fail(f"unknown constant '{value}'", token)
            if isinstance(entry[1], Macro):
                self.fail(f"the function '{value}' needs {len(entry[1].params)} argument(s)",
                          token)
            return entry[1]
        if kind == NUM:
            return Lin(None, {}, value)
        if kind == DEC:
            return Lin("Real", {}, value)
        if kind == BV:
            self.fail(f"the bit-vector literal {value}", token, unsupported=True)
        self.fail(f"{_show(token)} is not a term", token)

    def expand(self, node, work):
        if not node:
            self.fail("empty application '()'", node)
        head = node[0]
        if type(head) is SList:
            if len(head) >= 2 and _is(head[0], SYM, "_") and _is(head[1], SYM) \
                    and head[1][1] in _PB:
                work.append((_PBAPPLY, head, node))
                work.extend(node[:0:-1])
                return
            self.fail(f"the indexed or qualified function {_show(head)}", node,
                      unsupported=True)
        if head[0] != SYM:
            self.fail(f"a function symbol was expected, found {_show(head)}", node)
        name = head[1]
        if name in self.locals:
            # a variable is no function (z3 refuses it too); never fall back on the builtin
            self.fail(f"'{name}' is a let-bound constant, not a function", head)
        function = _BUILTINS.get(name)
        if function is not None:
            # built-in names cannot be declared, so nothing shadows them as functions
            work.append((_APPLY, function, node, len(node) - 1))
            work.extend(node[:0:-1])
            return
        if name == "let":
            if len(node) != 3 or type(node[1]) is not SList or not node[1]:
                self.fail("let is (let ((x term) ...) body)", node)
            names = []
            for binding in node[1]:
                if type(binding) is not SList or len(binding) != 2 or \
                        type(binding[0]) is SList or binding[0][0] != SYM:
                    self.fail("a let binding is (symbol term)", binding)
                if binding[0][1] in names:
                    self.fail(f"'{binding[0][1]}' is bound twice in one let", binding)
                names.append(binding[0][1])
            work.append((_LET, names, node[2]))
            work.extend(binding[1] for binding in reversed(node[1]))
            return
        if name == "!":
            if len(node) < 2:
                self.fail("'!' needs a term and attributes", node)
            work.append((_NAMED, node))
            work.append(node[1])
            return
        entry = self.globals.get(name)
        if entry is not None and self.limit is not None and entry[0] > self.limit:
            entry = None  # declared after the macro whose body is being expanded
        if entry is not None and type(entry[1]) is Macro:
            macro = entry[1]
            if len(node) - 1 != len(macro.params):
                self.fail(f"'{name}' takes {len(macro.params)} argument(s), got "
                          f"{len(node) - 1}", node)
            work.append((_MACRO, macro, node))
            work.extend(node[:0:-1])
        elif name in ("forall", "exists", "match", "lambda", "as"):
            self.fail(f"'{name}'", node, unsupported=True)
        elif name in _OTHER_THEORIES:
            self.fail(f"the function '{name}' (not difference logic)", node, unsupported=True)
        elif entry is not None or name in ("true", "false"):
            self.fail(f"'{name}' is a constant, not a function", head)
        else:
            self.fail(f"unknown function '{name}'", head)

    def annotate(self, node, value):
        k = 2
        while k < len(node):
            key = node[k]
            if isinstance(key, SList) or key[0] != KW:
                self.fail(f"an attribute (:keyword) was expected, found {_show(key)}", key)
            has_value = k + 1 < len(node) and (isinstance(node[k + 1], SList)
                                               or node[k + 1][0] != KW)
            if key[1] == "named":
                if not has_value or isinstance(node[k + 1], SList) or node[k + 1][0] != SYM:
                    self.fail(":named needs a symbol", key)
                if self.limit is not None:
                    self.fail(":named in the body of a define-fun with parameters", key)
                self.define(node[k + 1][1], value, node[k + 1])
            k += 2 if has_value else 1

    # -- Boolean connectives, folding constants ----------------------------------------------
    def conj(self, lits, op="and"):
        """and (or with op="or") of literals, constants folded, duplicates dropped."""
        if len(lits) == 1:
            return lits[0]
        unit, zero = (self.T, self.F) if op == "and" else (self.F, self.T)
        seen = set()
        out = []
        for lit in lits:
            if lit == zero or -lit in seen:
                return zero
            if lit == unit or lit in seen:
                continue
            seen.add(lit)
            out.append(lit)
        if not out:
            return unit
        if len(out) == 1:
            return out[0]
        # An or is the negation of an and of the negations: one gate kind, as smtsched's
        # compiler makes them, so that the Encoding's hash-consing finds the same gate for
        # the same formula (the checker maps check-sat-assuming literals through it).
        negs = [-lit for lit in out]
        if op == "or":
            out, negs = negs, out
        result = self.enc.gate("and", out)
        self.gates[result] = ("and", out)
        self.gates[-result] = ("or", negs)
        return result if op == "and" else -result

    def xor(self, a, b):
        if a == self.F:
            return b
        if b == self.F:
            return a
        if a == self.T:
            return -b
        if b == self.T:
            return -a
        if a == b:
            return self.F
        if a == -b:
            return self.T
        return self.enc.gate("xor", [a, b])

    def ite(self, c, t, e):
        if c == self.T or t == e:
            return t
        if c == self.F:
            return e
        if t == self.T and e == self.F:
            return c
        if t == self.F and e == self.T:
            return -c
        return self.enc.gate("ite", [c, t, e])

    # -- arithmetic --------------------------------------------------------------------------
    def leaves(self, value, fn, node):
        """`value` with every linear leaf l replaced by fn(l) (an arithmetic term)."""
        if isinstance(value, Lin):
            return fn(value)
        return self.fold(value, fn, node, make=self.make_ite)

    def make_ite(self, c, t, e):
        if c == self.T or t is e:
            return t
        if c == self.F:
            return e
        sort = t.sort if t.sort is not None else e.sort
        if t.sort is not None and e.sort is not None and t.sort != e.sort:
            raise _Mixed()
        return Ite(c, t, e, sort)

    def fold(self, value, fn, node, make):
        """Post-order walk of an Ite tree: fn at the leaves, make(c, then, else) above."""
        done = {}
        work = [value]
        leaves = 0
        while work:
            v = work[-1]
            key = id(v)
            if key in done:
                work.pop()
                continue
            if isinstance(v, Lin):
                leaves += 1
                if leaves > MAX_LEAVES:
                    self.fail(f"an arithmetic ite with more than {MAX_LEAVES} cases "
                              f"in {_show(node)}", node, unsupported=True)
                done[key] = fn(v)
                work.pop()
                continue
            t, e = done.get(id(v.then), _MISSING), done.get(id(v.other), _MISSING)
            if t is _MISSING or e is _MISSING:
                if t is _MISSING:
                    work.append(v.then)
                if e is _MISSING:
                    work.append(v.other)
                continue
            done[key] = make(v.cond, t, e)
            work.pop()
        return done[id(value)]

    def combine(self, a, b, fn, node):
        """fn(leaf of a, leaf of b) over both Ite trees."""
        if isinstance(a, Lin) and isinstance(b, Lin):
            return fn(a, b)
        if _count_leaves(a) * _count_leaves(b) > MAX_LEAVES:
            self.fail(f"an arithmetic ite with more than {MAX_LEAVES} cases in {_show(node)}",
                      node, unsupported=True)
        return self.leaves(a, lambda la: self.leaves(b, lambda lb: fn(la, lb), node), node)

    def compare(self, a, b, strict, node):
        """The literal of a <= b (a < b when strict), ites lifted into ite gates."""
        if isinstance(a, Lin) and isinstance(b, Lin):
            return self.difference(a, b, strict, node)
        diff = self.combine(a, b, lambda la, lb: _sub(la, lb, node, self), node)
        zero = Lin(None, {}, 0)
        return self.fold(diff, lambda leaf: self.difference(leaf, zero, strict, node), node,
                         make=self.ite)

    def difference(self, a, b, strict, node):
        """The literal of the linear a - b <= 0 (< 0 when strict): a difference atom, or a
        BDD over the pseudo-Boolean part's literals with difference atoms at its leaves."""
        coeffs = _merge(a.coeffs, b.coeffs, -1)
        k = a.const - b.const
        sort = a.sort or b.sort  # one sort: the caller joined them
        if not a.pb and not b.pb:
            return self.linear_atom(sort, coeffs, k, strict, node)
        pb = _merge(a.pb, b.pb, -1)
        result = self.pb_atom(sort, coeffs, k, pb, strict, node)
        if not coeffs and not strict and result != self.F and type(k) is int and \
                all(type(w) is int for w in pb.values()):
            # sum w [lit] <= -k: listed in Encoding.constraints when asserted at the top;
            # one that always holds is a fact wherever it is written
            record = {"kind": "pseudo_boolean", "relation": "<=", "bound": -k,
                      "terms": [[lit, w] for lit, w in pb.items()]}
            if result == self.T:
                self.valid_pb.append(record)
            else:  # the literal may stand for several facts (hash-consed gates)
                self.pb.setdefault(result, []).append(record)
        return result

    def linear_atom(self, sort, coeffs, k, strict, node):
        """The literal of sum coeffs[x] x + k <= 0 (< 0 when strict)."""
        if not coeffs:
            return self.T if (k < 0 if strict else k <= 0) else self.F
        (x, a_x), (y, a_y) = (list(coeffs.items()) + [(None, 0)])[:2]
        if len(coeffs) > 2 or (y is not None and a_x != -a_y):
            self.fail(f"{_show(node)} is not a difference constraint", node,
                      unsupported=True)
        if a_x < 0:  # a (x - y) with a < 0 is |a| (y - x)
            x, y, a_x = y, x, -a_x
        # a_x (x - y) + k <op> 0  <=>  x - y <op> -k / a_x
        if a_x == 1 and type(k) is int:
            c = -k
        else:
            c = Fraction(-k) / a_x
            if c.denominator == 1:
                c = c.numerator
        if sort == "Int":
            if type(c) is not int:
                c = ceil(c) - 1 if strict else floor(c)
            elif strict:
                c -= 1
            return self.enc.atom("Int", x, y, c)
        return self.enc.atom("Real", x, y, c, strict)

    def pb_atom(self, sort, coeffs, k, pb, strict, node):
        """The literal of sum coeffs[x] x + k + sum pb[l] [l] <= 0 (< 0 when strict): an
        ordered BDD on the literals, one ite gate per node, memoised on (position, sum so
        far); its leaves are the difference atoms (or constants) for each reachable sum."""
        if len(coeffs) > 2:
            self.fail(f"{_show(node)} is not a difference constraint", node,
                      unsupported=True)
        lits = list(pb)
        weights = [pb[lit] for lit in lits]
        n = len(lits)
        low = [0] * (n + 1)   # least sum of the weights from i on
        high = [0] * (n + 1)  # greatest
        for i in range(n - 1, -1, -1):
            low[i] = low[i + 1] + min(0, weights[i])
            high[i] = high[i + 1] + max(0, weights[i])
        memo = {}

        def holds(total):
            return total < 0 if strict else total <= 0

        def decided(i, r):
            if not coeffs:
                if holds(k + r + high[i]):
                    return self.T
                if not holds(k + r + low[i]):
                    return self.F
            elif i == n:
                return self.linear_atom(sort, coeffs, k + r, strict, node)
            return memo.get((i, r))

        work = [(0, 0)]
        while work:
            i, r = work[-1]
            if decided(i, r) is not None:
                work.pop()
                continue
            on, off = (i + 1, r + weights[i]), (i + 1, r)
            t, e = decided(*on), decided(*off)
            if t is None or e is None:
                if t is None:
                    work.append(on)
                if e is None:
                    work.append(off)
                continue
            if len(memo) >= MAX_BDD_NODES:
                self.fail(f"a pseudo-Boolean sum whose BDD has more than {MAX_BDD_NODES} "
                          f"nodes in {_show(node)}", node, unsupported=True)
            memo[(i, r)] = self.ite(lits[i], t, e)
            work.pop()
        return decided(0, 0)

    def equal(self, a, b, node):
        return self.conj([self.compare(a, b, False, node), self.compare(b, a, False, node)])

    # -- pseudo-Boolean ----------------------------------------------------------------------
    def pseudo_boolean(self, head, args, node):
        kind = head[1][1]
        indices = [self.pb_index(token, kind) for token in head[2:]]
        for arg, arg_node in zip(args, node[1:]):
            if type(arg) is not int:
                self.fail(f"'{kind}' takes formulas, found {_show(arg_node)}", arg_node)
        if not args:
            self.fail(f"'{kind}' needs arguments", node)
        if kind in ("at-most", "at-least"):
            if len(indices) != 1:
                self.fail(f"(_ {kind} k) takes one index", head)
            bound, weights = indices[0], [1] * len(args)
        else:
            if len(indices) != len(args) + 1:
                self.fail(f"(_ {kind} k w1 ... wn) needs the bound and one weight per "
                          f"argument", node)
            bound, weights = indices[0], indices[1:]
        total = {}
        for lit, w in zip(args, weights):
            total[lit] = total.get(lit, 0) + w
        total = {lit: w for lit, w in total.items() if w}
        if kind in ("pble", "at-most", "pbeq"):   # sum - bound <= 0
            result = upper = self.pb_atom(None, {}, -bound, total, False, node)
        if kind != "pble" and kind != "at-most":  # bound - sum <= 0
            result = lower = self.pb_atom(None, {}, bound,
                                          {lit: -w for lit, w in total.items()}, False, node)
        if kind == "pbeq":
            result = self.conj([upper, lower])
        if result != self.T and result != self.F:
            relation = "<=" if kind in ("pble", "at-most") else "=" if kind == "pbeq" else ">="
            self.pb.setdefault(result, []).append({
                "kind": "pseudo_boolean", "relation": relation, "bound": bound,
                "terms": [[lit, w] for lit, w in zip(args, weights)]})
        return result

    # -- weighted cost sums ------------------------------------------------------------------
    # smtsched's WeightedCost prints as its arithmetic meaning (smtsched.terms.expand_cost):
    # (<= (+ (+ 0 (* w1 (+ s1 p1))) ...) B) for weighted completion, with the summands
    # (ite (> (+ s p) d) (* w (- (+ s p) d)) 0) for weighted tardiness, and (=> g ...) when
    # a Bool g guards it. Such a sum of two or more tasks is no difference constraint, so G
    # cannot hold it; the reader recognises it by the meaning of each summand and lists it in
    # Encoding.constraints as a cost constraint the input requires (constraints.json's shape,
    # with "bound" and, when guarded, "guard": the Bool's name), for the `cost` rule.

    def cost_assertion(self, node):
        """(tasks, bound, guard name, guard literal) when the asserted term means exactly
        [g ->] sum_k w_k * f_k(s_k + p_k) <= B, each f_k the identity or max(0, . - due_k),
        every w_k a positive integer and s_k an Int constant; else None.

        The shape is read from the syntax only down to the summands: an optional (=> g C)
        with g a declared Bool constant, C a (<= S B) or (>= B S) with B a constant, S a
        tree of + applications (at least one). Each summand's meaning is its value as the reader computes
        it: a constant; w * s + c (a completion term w (s + c/w), or w s + c); or an
        arithmetic ite whose else branch is 0 and whose then branch is w * s + c (c a
        multiple of w) under the condition w * s + c > 0 (or >= 0): that is exactly
        w * max(0, s - due) with due = -c/w. Anything else (a negative or zero coefficient,
        two variables in a summand, a start instead of an end under another condition, a
        Real) is not recognised, and the assertion is read as before."""
        try:
            return self._cost_assertion(node)
        except ReadError:
            return None

    def _applies(self, node, name, arity=None):
        """Whether `node` applies the built-in `name` (not shadowed by a let: the reader
        refuses a let-bound name as a function)."""
        return type(node) is SList and len(node) >= 2 and type(node[0]) is not SList and \
            _is(node[0], SYM, name) and name not in self.locals and \
            (arity is None or len(node) == arity + 1)

    def _cost_assertion(self, node):
        guard_name = guard = None
        if self._applies(node, "=>", 2):
            g = node[1]
            if type(g) is SList or not _is(g, SYM) or g[1] in self.locals:
                return None
            entry = self.globals.get(g[1])
            if entry is None or self.enc.booleans.get(g[1]) != entry[1]:
                return None   # not a declared Bool (a define-fun of a formula, ...)
            guard_name, guard = g[1], entry[1]
            node = node[2]
        if self._applies(node, "<=", 2):
            sum_node, bound_node = node[1], node[2]
        elif self._applies(node, ">=", 2):
            sum_node, bound_node = node[2], node[1]
        else:
            return None
        if not self._applies(sum_node, "+"):
            return None   # (the printer writes (+ 0 ...); a plain difference costs nothing)
        bound = self.term(bound_node)
        if type(bound) is not Lin or bound.coeffs or bound.pb or bound.sort == "Real" or \
                type(bound.const) is not int:
            return None
        summands, work = [], [sum_node]
        while work:
            item = work.pop()
            if self._applies(item, "+"):
                work.extend(item[:0:-1])
            else:
                summands.append(item)
        tasks, offset = [], 0
        zero = Lin(None, {}, 0)
        for item in summands:
            value = self.term(item)
            if type(value) is Lin:
                term = _cost_linear(value, self.enc.sorts)
                if term is None:
                    return None
                if term == ():  # a constant
                    offset += value.const
                    continue
                start, weight, c = term
                if c >= 0 and c % weight == 0:    # w * (s + p)
                    tasks.append({"start": start, "duration": c // weight,
                                  "weight": weight, "due": None})
                else:                             # w * s, and c goes to the bound
                    tasks.append({"start": start, "duration": 0, "weight": weight,
                                  "due": None})
                    offset += c
            elif type(value) is Ite:
                other, then = value.other, value.then
                if type(other) is not Lin or type(then) is not Lin or other.coeffs or \
                        other.pb or other.const != 0:
                    return None
                term = _cost_linear(then, self.enc.sorts)
                if not term:
                    return None
                start, weight, c = term
                if c % weight:
                    return None
                # the condition must be "w s + c > 0" (or ">= 0": equal where it is 0)
                if value.cond not in (self.compare(zero, then, True, item),
                                      self.compare(zero, then, False, item)):
                    return None
                tasks.append({"start": start, "duration": 0, "weight": weight,
                              "due": -(c // weight)})
            else:
                return None
        if not tasks:
            return None
        return tasks, bound.const - offset, guard_name, guard

    def cost_record(self, tasks, bound, guard_name, guard):
        record = {"kind": "cost", "name": f"input cost {self.cost_count}", "bound": bound,
                  "tasks": tasks}
        self.cost_count += 1
        if guard_name is not None:
            record["guard"] = guard_name
        return record

    def opaque_cost(self, node):
        """The literal of an assertion that cost_assertion recognises but G cannot hold (a
        sum over two or more tasks): a fresh variable f standing for the sum's bound, the
        assertion being f (or g -> f). G is then weaker than the input (every model of the
        input extends to one of G, with f true), so whatever follows from G follows from the
        input; the cost constraint itself is listed in Encoding.constraints when the
        assertion is live at the query. A model check (values.json of an OPTIMAL claim)
        evaluates f by the sum (`opaque`). None when not recognised."""
        found = self.cost_assertion(node)
        if found is None:
            return None
        tasks, bound, guard_name, guard = found
        f = self.enc.fresh()
        self.opaque[f] = (tasks, bound)
        lit = f if guard is None else self.conj([-guard, f], "or")
        self.pb.setdefault(lit, []).append(self.cost_record(*found))
        return lit

    def pb_index(self, token, kind):
        if not isinstance(token, SList):
            if token[0] == NUM:
                return token[1]
            # z3 writes negative indices as the symbol -4
            if token[0] == SYM and re.fullmatch(r"-[0-9]+", token[1]):
                return decimal_int(token[1])
        self.fail(f"the indices of '{kind}' are integers, found {_show(token)}", token)


_MISSING = object()


# ------------------------------------------------------------------------------ optimisation
# An OPTIMAL claim about an optimising script (docs/certificates.md, "Claims"): the objective
# is the first (minimize t) / (maximize t) live at the query; `_Optimum` checks that the claim
# names it, evaluates a model (values.json) on the query's G, and encodes the bound that the
# refutation must exclude ("t <= v - 1" for minimize, "t >= v + 1" for maximize).

class _Objective:
    __slots__ = ("sense", "node", "value", "error")

    def __init__(self, sense, node, value, error):
        self.sense = sense    # "minimize" or "maximize"
        self.node = node      # the term as written
        self.value = value    # Lin or Ite, None when it could not be read
        self.error = error    # why it could not be read


def _token_list(node):
    """The (kind, value) tokens of a node, parentheses as ("(", None) and (")", None)."""
    out = []
    work = [node]
    while work:
        item = work.pop()
        if isinstance(item, str):
            out.append((item, None))
        elif isinstance(item, SList):
            out.append(("(", None))
            work.append(")")
            work.extend(reversed(item))
        else:
            out.append((item[0], item[1]))
    return out


def _text_tokens(text):
    """The tokens of an SMT-LIB text, as _token_list gives them; None when it does not scan."""
    out = []
    for token in _SCAN.findall(text):
        if token in ("(", ")"):
            out.append((token, None))
            continue
        kind = _classify(token)
        if kind is _COMMENT:
            continue
        if kind[0] is None:
            return None
        out.append(kind)
    return out


class _Optimum:
    """The objectives live at the query, for an OPTIMAL claim (see above)."""

    def __init__(self, reader, objectives, assumed):
        self.reader = reader
        self.objectives = objectives
        self.assumed = list(assumed)      # G literals the query assumes
        enc = reader.enc
        self.num_vars = enc.num_vars      # the query's G: variables and clauses
        self.num_clauses = len(enc.clauses)

    def objective(self, claim):
        """The objective the claim is about (the first one); Unsupported or ReadError when
        the claim does not name it or it cannot be read."""
        first = self.objectives[0]
        if first.value is None:
            raise Unsupported(f"the objective: {first.error}")
        if claim.get("sense") != first.sense:
            raise ReadError(f"the claim's sense {claim.get('sense')!r} is not the script's "
                            f"first objective's, {first.sense!r}")
        text = claim.get("objective")
        if not isinstance(text, str) or _text_tokens(text) != _token_list(first.node):
            raise ReadError(f"the claim's objective {text!r} is not the script's first "
                            f"objective, {_show(first.node, 200)}")
        return first

    def bound(self, objective, value):
        """The G literal of "the objective is better than value": t <= value - 1 for
        minimize, t >= value + 1 for maximize (new atoms and gates go into G)."""
        reader = self.reader
        node = objective.node
        if objective.sense == "minimize":
            return reader.compare(objective.value, Lin(None, {}, value - 1), False, node)
        return reader.compare(Lin(None, {}, value + 1), objective.value, False, node)

    def evaluate(self, objective, values):
        """The objective's value under `values` ({name: bool | int | Fraction}), after
        checking that they satisfy every clause of the query's G and its assumptions (the
        checker's own reading of the script: the assertions live at the query, as Tseitin
        clauses over difference atoms). ValueError with the reason otherwise."""
        truth = self.assignment(values)
        for k in range(self.num_clauses):
            clause = self.reader.enc.clauses[k]
            if not any(truth[abs(lit)] == (lit > 0) for lit in clause):
                raise ValueError("the values break the script's assertions (clause "
                                 f"{k + 1} of the checker's encoding: "
                                 f"{self.describe(clause)})")
        for lit in self.assumed:
            if truth[abs(lit)] != (lit > 0):
                raise ValueError("the values break an assumption of the check-sat")
        return _value_of(objective.value, values, truth)

    def assignment(self, values):
        """Every variable of the query's G: Booleans and atoms from `values`, then the
        gates from their Tseitin clauses (each gate is made after its arguments, and its
        clauses fix it once they are known): a pass over the clauses while one fixes a
        variable."""
        enc = self.reader.enc
        sorts = enc.sorts
        booleans = enc.booleans
        for name, value in values.items():
            if name in booleans:
                if type(value) is not bool:
                    raise ValueError(f"{_json_name(name)} is a Bool, its value {value!r} is not")
            elif name in sorts:
                if type(value) is bool or not isinstance(value, (int, Fraction)) or (
                        sorts[name] == "Int" and not isinstance(value, int)):
                    raise ValueError(f"{_json_name(name)} is {_sort_name(sorts[name])} "
                                     f"constant, its value {value} is not")
            else:
                raise ValueError(f"{_json_name(name)} is no constant of the script")
        truth = [None] * (self.num_vars + 1)
        for name, var in booleans.items():
            if var <= self.num_vars:
                truth[var] = bool(values.get(name, False))
        for var in range(1, self.num_vars + 1):
            d = enc.meaning(var)
            if d is not None:
                diff = values.get(d.x, 0) if d.x is not None else 0
                diff -= values.get(d.y, 0) if d.y is not None else 0
                truth[var] = diff < d.c if d.strict else diff <= d.c
        for var, (tasks, bound) in self.reader.opaque.items():
            if var <= self.num_vars:   # a cost sum G holds as a fresh variable: its meaning
                truth[var] = _cost_holds(tasks, bound, values)
        clauses = enc.clauses[:self.num_clauses]
        changed = True
        while changed:
            changed = False
            for clause in clauses:
                open_ = None
                for lit in clause:
                    t = truth[abs(lit)]
                    if t is None:
                        if open_ is not None:
                            break   # two unknown: nothing to conclude yet
                        open_ = lit
                    elif t == (lit > 0):
                        break       # satisfied
                else:
                    if open_ is not None:
                        truth[abs(open_)] = open_ > 0
                        changed = True
        missing = [v for v in range(1, self.num_vars + 1) if truth[v] is None]
        if missing:
            raise ValueError(f"the values leave variable {missing[0]} of the checker's "
                             "encoding undetermined")
        return truth

    def describe(self, clause):
        enc = self.reader.enc
        names = {var: name for name, var in enc.booleans.items()}
        parts = []
        for lit in clause[:4]:
            d = enc.meaning(lit)
            parts.append(repr(d) if d is not None else
                         ("" if lit > 0 else "not ") + names.get(abs(lit), f"gate {abs(lit)}"))
        return " or ".join(parts) + (" ..." if len(clause) > 4 else "")


def _json_name(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _value_of(value, values, truth):
    """The number an arithmetic term (Lin or Ite) stands for."""
    while type(value) is Ite:
        value = value.then if truth[abs(value.cond)] == (value.cond > 0) else value.other
    total = value.const
    for name, c in value.coeffs.items():
        total += c * values.get(name, 0)
    for lit, w in value.pb.items():
        if truth[abs(lit)] == (lit > 0):
            total += w
    return total


def _cost_linear(value, sorts):
    """(start, weight, c) when the Lin `value` is w * s + c with s an Int constant and w a
    positive integer (c an integer); () when it is an integer constant; else None."""
    if value.pb or value.sort == "Real" or type(value.const) is not int:
        return None
    if not value.coeffs:
        return ()
    if len(value.coeffs) != 1:
        return None
    ((start, weight),) = value.coeffs.items()
    if type(weight) is not int or weight <= 0 or sorts.get(start) != "Int":
        return None
    return start, weight, value.const


def _cost_holds(tasks, bound, values):
    """Whether the cost sum of `tasks` (cost_assertion's records) is at most `bound` under
    `values` (a constant without a value is 0)."""
    total = 0
    for t in tasks:
        end = values.get(t["start"], 0) + t["duration"]
        total += t["weight"] * (end if t["due"] is None else max(0, end - t["due"]))
    return total <= bound


class _Mixed(Exception):
    """Int and Real met in one term (reported with the place by the caller)."""


_IGNORED = frozenset(("set-logic", "set-info", "echo"))


def _count_leaves(value):
    """How many distinct linear leaves an arithmetic term has."""
    seen = set()
    work = [value]
    count = 0
    while work:
        v = work.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        if type(v) is Lin:
            count += 1
        else:
            work.append(v.then)
            work.append(v.other)
    return count


def _sort_of(value):
    return "Bool" if type(value) is int else value.sort


def _sort_name(sort):
    return {"Bool": "a Bool", "Int": "an Int", "Real": "a Real", None: "a numeral"}[sort]


def _join(s, t):
    if s is None:
        return t
    if t is None or s == t:
        return s
    raise _Mixed()


def _check_bits(number, node, reader):
    if isinstance(number, Fraction):
        bits = max(number.numerator.bit_length(), number.denominator.bit_length())
    else:
        bits = number.bit_length()
    if bits > MAX_BITS:
        reader.fail(f"a constant of more than {MAX_BITS} bits", node, unsupported=True)


def _add(a, b, node, reader):
    try:
        sort = _join(a.sort, b.sort)
    except _Mixed:
        reader.fail(f"Int and Real mixed in {_show(node)}", node, unsupported=True)
    return Lin(sort, _merge(a.coeffs, b.coeffs, 1), a.const + b.const,
               _merge(a.pb, b.pb, 1) if b.pb else a.pb)


def _scale(a, factor):
    if factor == 0:
        return Lin(a.sort, {}, 0)
    return Lin(a.sort, {name: c * factor for name, c in a.coeffs.items()}, a.const * factor,
               {lit: w * factor for lit, w in a.pb.items()} if a.pb else _NO_PB)


def _sub(a, b, node, reader):
    try:
        sort = _join(a.sort, b.sort)
    except _Mixed:
        reader.fail(f"Int and Real mixed in {_show(node)}", node, unsupported=True)
    return Lin(sort, _merge(a.coeffs, b.coeffs, -1), a.const - b.const,
               _merge(a.pb, b.pb, -1) if b.pb else a.pb)


# ------------------------------------------------------------------------------ builtins
def _bools(reader, args, node, name):
    for k, arg in enumerate(args):
        if type(arg) is not int:
            reader.fail(f"'{name}' takes formulas, found {_show(node[k + 1])}", node[k + 1])
    return args


def _ariths(reader, args, node, name):
    sorts = set()
    for k, arg in enumerate(args):
        if type(arg) is int:
            reader.fail(f"'{name}' takes numbers, found the formula {_show(node[k + 1])}",
                        node[k + 1])
        sorts.add(arg.sort)
    if len(sorts) > 1 and len(sorts - {None}) > 1:
        reader.fail(f"Int and Real mixed in {_show(node)}", node, unsupported=True)
    return args


def _arity(reader, args, node, low, high=None):
    if len(args) < low or (high is not None and len(args) > high):
        want = str(low) if low == high else f"at least {low}" if high is None else \
            f"{low} to {high}"
        reader.fail(f"'{node[0][1]}' takes {want} argument(s), got {len(args)}", node)


def b_and(reader, args, node):
    return reader.conj(_bools(reader, args, node, "and"))


def b_or(reader, args, node):
    return reader.conj(_bools(reader, args, node, "or"), "or")


def b_not(reader, args, node):
    _arity(reader, args, node, 1, 1)
    return -_bools(reader, args, node, "not")[0]


def b_implies(reader, args, node):
    # right-associative: (=> a b c) is (=> a (=> b c)); kept nested, as smtsched's compiler
    # makes it, so that a check-sat-assuming literal finds the same gate
    _arity(reader, args, node, 2)
    _bools(reader, args, node, "=>")
    result = args[-1]
    for a in reversed(args[:-1]):
        result = reader.conj([-a, result], "or")
    return result


def b_xor(reader, args, node):
    # left-associative
    _arity(reader, args, node, 2)
    _bools(reader, args, node, "xor")
    result = args[0]
    for a in args[1:]:
        result = reader.xor(result, a)
    return result


def _all_bool_or_arith(reader, args, node, name):
    kinds = {type(a) is int for a in args}
    if len(kinds) > 1:
        reader.fail(f"'{name}' over formulas and numbers in {_show(node)}", node)
    return kinds.pop()


def b_eq(reader, args, node):
    _arity(reader, args, node, 2)
    if _all_bool_or_arith(reader, args, node, "="):
        return reader.conj([-reader.xor(a, b) for a, b in zip(args, args[1:])])
    _ariths(reader, args, node, "=")
    return reader.conj([reader.equal(a, b, node) for a, b in zip(args, args[1:])])


def b_distinct(reader, args, node):
    _arity(reader, args, node, 2)
    pairs = [(args[i], args[j]) for i in range(len(args)) for j in range(i + 1, len(args))]
    if _all_bool_or_arith(reader, args, node, "distinct"):
        return reader.conj([reader.xor(a, b) for a, b in pairs])
    _ariths(reader, args, node, "distinct")
    return reader.conj([-reader.equal(a, b, node) for a, b in pairs])


def b_ite(reader, args, node):
    _arity(reader, args, node, 3, 3)
    c, t, e = args
    _bools(reader, [c], node, "ite")
    if type(t) is int and type(e) is int:
        return reader.ite(c, t, e)
    if type(t) is int or type(e) is int:
        reader.fail(f"the branches of {_show(node)} are a formula and a number", node)
    try:
        if type(t) is Lin and type(e) is Lin and t.coeffs == e.coeffs and \
                c != reader.T and c != reader.F:
            # same variables: ite(c, t, e) = e + [c] (t - e), and (t - e) is a constant plus
            # literals d, with [c][d] = [c and d]
            sort = _join(t.sort, e.sort)
            pb = dict(e.pb)
            delta = {c: t.const - e.const}
            for d, w in _merge(t.pb, e.pb, -1).items():
                both = reader.conj([c, d])
                delta[both] = delta.get(both, 0) + w
            pb = _merge(pb, delta, 1)
            return Lin(sort, e.coeffs, e.const, pb)
        return reader.make_ite(c, t, e)
    except _Mixed:
        reader.fail(f"Int and Real mixed in {_show(node)}", node, unsupported=True)


def _comparison(flip, strict):
    def apply(reader, args, node):
        _arity(reader, args, node, 2)
        _ariths(reader, args, node, node[0][1])
        lits = []
        for a, b in zip(args, args[1:]):
            lits.append(reader.compare(b, a, strict, node) if flip else
                        reader.compare(a, b, strict, node))
        return reader.conj(lits)
    return apply


def _lifted(reader, a, b, node, fn):
    try:
        return reader.combine(a, b, fn, node)
    except _Mixed:
        reader.fail(f"Int and Real mixed in {_show(node)}", node, unsupported=True)


def a_add(reader, args, node):
    _arity(reader, args, node, 1)
    _ariths(reader, args, node, "+")
    if len(args) == 2 and type(args[0]) is Lin and type(args[1]) is Lin:
        return _add(args[0], args[1], node, reader)
    result = args[0]
    for a in args[1:]:
        result = _lifted(reader, result, a, node, lambda x, y: _add(x, y, node, reader))
    return result


def a_sub(reader, args, node):
    _arity(reader, args, node, 1)
    _ariths(reader, args, node, "-")
    if len(args) == 1:
        return reader.leaves(args[0], lambda x: _scale(x, -1), node)
    if len(args) == 2 and type(args[0]) is Lin and type(args[1]) is Lin:
        return _sub(args[0], args[1], node, reader)
    result = args[0]
    for a in args[1:]:
        result = _lifted(reader, result, a, node, lambda x, y: _sub(x, y, node, reader))
    return result


def _constant(value):
    """The number a term stands for, or None when it has a variable (or an ite)."""
    if isinstance(value, Lin) and not value.coeffs and not value.pb:
        return value.const
    return None


def a_mul(reader, args, node):
    _arity(reader, args, node, 1)
    _ariths(reader, args, node, "*")
    factor = 1
    sort = None
    term = None
    for arg in args:
        c = _constant(arg)
        sort = _join(sort, arg.sort)
        if c is None:
            if term is not None:
                reader.fail(f"{_show(node)} multiplies two variables (not difference logic)",
                            node, unsupported=True)
            term = arg
        else:
            factor *= c
            _check_bits(factor, node, reader)
    if term is None:
        return Lin(sort, {}, factor)
    return reader.leaves(term, lambda x: _scale(x, factor), node)


def a_div(reader, args, node):
    _arity(reader, args, node, 2)
    _ariths(reader, args, node, "/")
    result = args[0]
    if result.sort == "Int":
        reader.fail(f"'/' on the Int term {_show(node[1])} ('/' is Real division)", node)
    for arg, arg_node in zip(args[1:], node[2:]):
        c = _constant(arg)
        if c is None:
            reader.fail(f"division by the term {_show(arg_node)} (not difference logic)",
                        node, unsupported=True)
        if arg.sort == "Int":
            reader.fail(f"'/' by the Int term {_show(arg_node)}", node)
        if c == 0:
            reader.fail("division by zero", node, unsupported=True)
        inverse = 1 / Fraction(c)
        result = reader.leaves(result, lambda x: _scale(x, inverse), node)
        _check_bits(inverse, node, reader)
    return reader.leaves(result, lambda x: Lin("Real", x.coeffs, x.const, x.pb), node)


def a_to_real(reader, args, node):
    _arity(reader, args, node, 1, 1)
    (a,) = _ariths(reader, args, node, "to_real")
    if a.sort == "Real":
        return a
    if isinstance(a, Lin) and not a.coeffs:
        return Lin("Real", {}, a.const, a.pb)
    # smtsched refuses it too: difference logic keeps Int and Real variables apart
    reader.fail(f"{_show(node)} on an Int variable", node, unsupported=True)


_BUILTINS = {
    "and": b_and, "or": b_or, "not": b_not, "=>": b_implies, "xor": b_xor, "=": b_eq,
    "distinct": b_distinct, "ite": b_ite,
    "<=": _comparison(False, False), "<": _comparison(False, True),
    ">=": _comparison(True, False), ">": _comparison(True, True),
    "+": a_add, "-": a_sub, "*": a_mul, "/": a_div, "to_real": a_to_real,
}
_OTHER_THEORIES = frozenset(("div", "mod", "abs", "to_int", "is_int", "select", "store"))

_COMMANDS = {
    "set-option": _Reader.cmd_set_option, "declare-fun": _Reader.cmd_declare_fun,
    "declare-const": _Reader.cmd_declare_const, "define-fun": _Reader.cmd_define_fun,
    "define-sort": _Reader.cmd_define_sort, "assert": _Reader.cmd_assert,
    "push": _Reader.cmd_push, "pop": _Reader.cmd_pop, "reset": _Reader.cmd_reset,
    "reset-assertions": _Reader.cmd_reset_assertions, "exit": _Reader.cmd_ignore,
    "minimize": _Reader.cmd_objective, "maximize": _Reader.cmd_objective,
}


# ------------------------------------------------------------------------------ global constraints
# smtsched's Disjunctive and Cumulative print as their meanings (smtsched.terms): pairwise
# disjunctions, and a load bound at each task's start. The checker's rules take a constraint of
# constraints.json only when it follows from one the reader found in the input, so the reader
# recognises those meanings in G's asserted facts. Each recognised constraint is implied by the
# facts it was read from (the argument is given with each), whatever text produced them.

MAX_CLIQUE_STEPS = 200_000  # Bron-Kerbosch calls before the disjunctive search gives up
MAX_CHOICES = 16  # readings of one cumulative group tried


def _disjunctive_cliques(enc, asserted):
    """Disjunctive constraints implied by asserted clauses (x - y >= a) or (y - x >= b) over Int
    pairs: within a set of starts where every pair has such a clause, each start v with the
    least gap it gets (its duration) runs apart from every other, so the set is a disjunctive
    constraint with those durations (a shorter duration is weaker)."""
    gap = {}  # (first, second) -> least "second - first >= gap" over the pair's clauses
    for clause in asserted:
        if len(clause) != 2:
            continue
        m1, m2 = enc.meaning(clause[0]), enc.meaning(clause[1])
        if m1 is None or m2 is None or m1.sort != "Int" or m2.sort != "Int" or \
                None in (m1.x, m1.y) or (m1.x, m1.y) != (m2.y, m2.x):
            continue
        # m1: x - y <= c1, i.e. y - x >= -c1: x first, then y at least -c1 later
        a, b = -m1.c, -m2.c
        if a <= 0 or b <= 0:
            continue
        x, y = m1.x, m1.y
        key = (x, y) if x < y else (y, x)
        if key in gap:
            continue  # one clause per pair is enough
        gap[key] = {x: a, y: b}
    if not gap:
        return []
    neighbours = {}
    for x, y in gap:
        neighbours.setdefault(x, set()).add(y)
        neighbours.setdefault(y, set()).add(x)
    cliques = []
    steps = [0]

    def expand(r, p, x):
        # Bron and Kerbosch (1973) with Tomita's pivot: maximal cliques of the pair graph
        steps[0] += 1
        if steps[0] > MAX_CLIQUE_STEPS:
            raise _GiveUp()
        if not p and not x:
            if len(r) >= 2:
                cliques.append(r)
            return
        pivot = max(p | x, key=lambda v: len(neighbours[v] & p))
        for v in list(p - neighbours[pivot]):
            expand(r + [v], p & neighbours[v], x & neighbours[v])
            p = p - {v}
            x = x | {v}

    try:
        expand([], set(neighbours), set())
    except (_GiveUp, RecursionError):  # recursion as deep as the largest clique
        return []
    out = []
    for clique in cliques:
        clique = sorted(clique)
        tasks = []
        for v in clique:
            duration = min(gap[(v, u) if v < u else (u, v)][v] for u in clique if u != v)
            tasks.append({"start": v, "duration": duration, "demand": 1})
        out.append({"kind": "disjunctive", "name": f"input disjunctive {len(out)}",
                    "capacity": 1, "tasks": tasks})
    return out


class _GiveUp(Exception):
    pass


def _running_condition(enc, gates, lit, anchor):
    """(other start, duration p) when `lit` is and(s - anchor <= c1, anchor - s <= c2) with
    c1 >= 0 and p = c2 + 1 (so "s <= anchor < s + p" implies it), else None."""
    gate = gates.get(lit)
    if gate is None or gate[0] != "and" or len(gate[1]) != 2:
        return None
    m1, m2 = enc.meaning(gate[1][0]), enc.meaning(gate[1][1])
    if m1 is None or m2 is None or m1.sort != "Int" or m2.sort != "Int":
        return None
    for before, within in ((m1, m2), (m2, m1)):
        s = before.x
        if before.y == anchor and within.x == anchor and within.y == s and s is not None \
                and s != anchor and before.c >= 0:
            return s, within.c + 1
    return None


def _cumulative_groups(enc, gates, constraints):
    """Cumulative constraints implied by asserted pseudo-Boolean facts of the form
    sum_j w_j [s_j <= s_i < s_j + p_j] <= B_i, one anchored at each start s_i of a set T and
    summing over all of T's other starts, with weights w_j >= 0 (the printed meaning of
    Cumulative, where B_i is the capacity less the demand of i). With d_j the least weight of
    j, p_j its least duration and C the largest d_i + B_i, T is a cumulative constraint of
    capacity C: were the tasks running at some instant over C, the one of them that started
    last has every other running at its own start, whose fact then bounds their load by
    B_i, so d_i plus it by C."""
    readings = {}  # frozenset T -> {anchor: (B, {other: (weight, duration)})}
    for record in constraints:
        if record.get("kind") != "pseudo_boolean" or record.get("relation") != "<=" or \
                any(w < 0 for _, w in record["terms"]):
            continue
        terms = record["terms"]
        anchors = None
        for lit, _ in terms:
            gate = gates.get(lit)
            names = set()
            if gate is not None and gate[0] == "and":
                for child in gate[1]:
                    m = enc.meaning(child)
                    if m is not None:
                        names.update(n for n in (m.x, m.y) if n is not None)
            anchors = names if anchors is None else anchors & names
        for anchor in sorted(anchors or ()):
            others = {}
            for lit, w in terms:
                parsed = _running_condition(enc, gates, lit, anchor)
                if parsed is None or parsed[0] in others:
                    break
                others[parsed[0]] = (w, parsed[1])
            else:
                group = frozenset(others) | {anchor}
                found = readings.setdefault(group, {}).setdefault(anchor, [])
                if (record["bound"], others) not in found:
                    found.append((record["bound"], others))
    out = []
    for group, by_anchor in readings.items():
        if len(group) < 2 or set(by_anchor) != group:
            continue
        names = sorted(group)
        # Any one fact per start gives a constraint; a symmetric condition (s = s' when a
        # duration is 1) reads with either start as the anchor, so a few choices are kept.
        for choice in islice(product(*(by_anchor[v] for v in names)), MAX_CHOICES):
            facts = dict(zip(names, choice))
            demand = {v: min(facts[i][1][v][0] for i in names if i != v) for v in names}
            duration = {v: max(0, min(facts[i][1][v][1] for i in names if i != v))
                        for v in names}
            capacity = max(demand[i] + facts[i][0] for i in names)
            tasks = [{"start": v, "duration": duration[v], "demand": demand[v]} for v in names]
            if capacity < 0 or any(c["tasks"] == tasks and c["capacity"] == capacity
                                   for c in out):
                continue
            out.append({"kind": "cumulative", "name": f"input cumulative {len(out)}",
                        "capacity": capacity, "tasks": tasks})
    return out


def _cannot_overlap(enc, cumulative):
    """For two tasks of a recognised cumulative constraint that last and whose demands
    together exceed its capacity, the clause "one ends before the other starts": were both
    running at the later start, the load there would exceed the capacity. smtsched's compiler
    adds the same clauses to problem.cnf; G gets them from the constraint, which its facts
    imply, so they are consequences of the input."""
    clauses = set()
    for constraint in cumulative:
        tasks = [t for t in constraint["tasks"] if t["duration"] > 0]
        for k, a in enumerate(tasks):
            for b in tasks[k + 1:]:
                if a["demand"] + b["demand"] > constraint["capacity"]:
                    # a ends before b starts: a - b <= -p_a; or b before a: b - a <= -p_b
                    clause = (enc.atom("Int", a["start"], b["start"], -a["duration"]),
                              enc.atom("Int", b["start"], a["start"], -b["duration"]))
                    clauses.add(clause)
    return [list(c) for c in sorted(clauses)]


def read(text, query):
    """The Encoding G of the assertions live at the query's check-sat (module docstring).

    `text` is the whole script (str, or bytes in UTF-8); `query` is {"check_sat": k}, k >= 1.
    Raises ReadError (or its subclass Unsupported) with the line and column of the problem."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as error:
            raise ReadError(f"the script is not UTF-8 ({error})") from None
    k = query.get("check_sat") if isinstance(query, dict) else None
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ReadError(f"the query must be {{\"check_sat\": k}} with k >= 1, got {query!r}")
    return _Reader(text).run(text, k)
