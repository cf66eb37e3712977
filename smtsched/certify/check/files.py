"""Strict readers for the certificate's own files (docs/certificates.md, "The files").

Every error is a `Rejected` naming the file and the line. Nothing here knows the input: the
meaning of the records is checked in verify.py and rules.py.
"""

import contextlib
import gc
import json
import re
from fractions import Fraction

from .numbers import decimal_int

__all__ = ["Rejected", "AtomLine", "read_manifest", "read_atoms", "read_cnf", "read_lemmas",
           "read_constraints", "read_values", "proof_steps", "parse_number", "gc_paused"]

FORMAT = "smtsched-certificate"
VERSION = 1
FILE_KEYS = ("cnf", "atoms", "constraints", "lemmas", "proof")
INPUT_FORMATS = ("smtlib", "jobshop", "psplib", "model")
CLAIMS = ("unsat", "infeasible", "optimal")
GATE_KINDS = ("and", "or", "xor", "ite", "iff")


class Rejected(Exception):
    """The certificate is wrong; the message is the reason the checker prints."""


@contextlib.contextmanager
def gc_paused():
    """No cyclic garbage collection inside: reading a big certificate makes millions of
    small objects without cycles (lines, clauses, atoms), and each collection walks all of
    them again (a fifth of the reading of a million atoms). Resumed as it was after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def _json_file(path, name):
    """The JSON value in the file `path` (`name` in messages); Rejected when it cannot be read
    or is no JSON."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as e:
        raise Rejected(f"{name}: cannot read: {e.strerror or e}") from None
    except ValueError as e:
        raise Rejected(f"{name}: not JSON: {e}") from None


# -- manifest.json ---------------------------------------------------------------------------

def read_manifest(path):
    m = _json_file(path, "manifest.json")
    if not isinstance(m, dict):
        raise Rejected("manifest.json: not a JSON object")
    if m.get("format") != FORMAT:
        raise Rejected(f"manifest.json: format is {m.get('format')!r}, not {FORMAT!r}")
    if m.get("version") != VERSION:
        raise Rejected(f"manifest.json: version {m.get('version')!r} is not {VERSION}")
    inp = m.get("input")
    if not isinstance(inp, dict) or not isinstance(inp.get("file"), str) \
            or not isinstance(inp.get("sha256"), str) or not isinstance(inp.get("format"), str):
        raise Rejected("manifest.json: input needs file, sha256 and format (strings)")
    if not re.fullmatch(r"[0-9a-fA-F]{64}", inp["sha256"]):
        raise Rejected("manifest.json: input.sha256 is not 64 hex digits")
    files = m.get("files")
    if not isinstance(files, dict) or not all(isinstance(files.get(k), str) for k in FILE_KEYS):
        raise Rejected(f"manifest.json: files needs {', '.join(FILE_KEYS)} (file names)")
    for k, name in files.items():
        if not isinstance(name, str) or "/" in name or "\\" in name or name in ("", ".", ".."):
            raise Rejected(f"manifest.json: files.{k} {name!r} is not a file name in the folder")
    claim = m.get("claim")
    if not isinstance(claim, dict) or claim.get("kind") not in CLAIMS:
        raise Rejected(f"manifest.json: claim.kind must be one of {', '.join(CLAIMS)}")
    if claim["kind"] == "optimal":
        if not isinstance(claim.get("objective"), str) or not _is_int(claim.get("value")):
            raise Rejected("manifest.json: an optimal claim needs objective (a name) and "
                           "value (an integer)")
    assumptions = m.get("assumptions", [])
    if not isinstance(assumptions, list) or not all(_is_int(a) and a != 0 for a in assumptions):
        raise Rejected("manifest.json: assumptions must be a list of non-zero integers")
    query = m.get("query", {})
    if not isinstance(query, dict):
        raise Rejected("manifest.json: query must be an object")
    return m


# -- atoms.txt --------------------------------------------------------------------------------

_TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|\S+)')


def _tokens(line):
    out, pos = [], 0
    while True:
        m = _TOKEN.match(line, pos)
        if not m:
            if line[pos:].strip():
                raise ValueError(f"cannot read {line[pos:].strip()!r}")
            return out
        out.append(m.group(1))
        pos = m.end()


def _name(tok):
    """A JSON string, or null for the origin."""
    if tok == "null":
        return None
    if not tok.startswith('"'):
        raise ValueError(f"{tok} is not a JSON string or null")
    try:
        name = json.loads(tok)
    except ValueError:
        raise ValueError(f"{tok} is not a valid JSON string") from None
    if not isinstance(name, str):
        raise ValueError(f"{tok} is not a JSON string")
    return name


def parse_number(tok):
    """An integer, a fraction p/q or a decimal, exactly (int when integral)."""
    if not re.fullmatch(r"[+-]?\d+(/\d+|\.\d+)?", tok):
        raise ValueError(f"{tok} is not a number")
    # exactly, whatever the length (Fraction(text) refuses more than 4,300 digits)
    sign = -1 if tok[0] == "-" else 1
    body = tok.lstrip("+-")
    if "/" in body:
        p, q = body.split("/")
        if decimal_int(q) == 0:
            raise ValueError(f"{tok} divides by zero")
        q = Fraction(decimal_int(p), decimal_int(q))
    elif "." in body:
        whole, decimals = body.split(".")
        q = Fraction(decimal_int(whole + decimals), 10 ** len(decimals))
    else:
        q = Fraction(decimal_int(body))
    q *= sign
    return q.numerator if q.denominator == 1 else q


def _literal(tok):
    if not re.fullmatch(r"[+-]?\d+", tok) or int(tok) == 0:
        raise ValueError(f"{tok} is not a non-zero literal")
    return int(tok)


class AtomLine:
    """One line of atoms.txt: `var`, `kind` and the parsed arguments.

    atom: sort, x, y, op ("<=" or "<"), c;  bool: name;  gates: lits;
    guard: args (the raw tokens after the word);  fresh: word;
    live: args (memory, buffer, task or None);  slack: args (memory, bit number)."""

    __slots__ = ("line", "var", "kind", "sort", "x", "y", "strict", "c", "name", "lits", "args")

    def __init__(self, line, var, kind):
        self.line, self.var, self.kind = line, var, kind
        self.sort = self.x = self.y = self.c = self.name = None
        self.strict = False
        self.lits = ()
        self.args = ()


def read_atoms(path):
    """The lines of atoms.txt, in order; each variable at most once, gates over earlier ones."""
    lines, seen = [], set()
    with gc_paused(), open(path, encoding="utf-8") as f:
        for no, raw in enumerate(f, 1):
            text = raw.strip()
            if not text or text.startswith("#"):
                continue
            try:
                entry = _fast_line(no, text, seen)
                lines.append(entry if entry is not None else _atom_line(no, text, seen))
            except ValueError as e:
                raise Rejected(f"atoms.txt line {no}: {e}") from None
    return lines


# The fast path (a certificate of a big schedule has a million atom lines). It reads the
# shapes the emitter writes, with one compiled pattern per line kind: single spaces, a variable
# without leading zeros, names without a backslash or a control character (such a JSON string
# means its characters as they stand: json.loads is needed only for escapes, and refuses
# control characters), integer bounds short enough for int(). It returns what _atom_line
# returns for the same text, or None for anything else (a fraction, a decimal, an escape, a
# strict Int atom, two nulls, odd spacing, an error), which _atom_line then reads (and
# rejects with its message). Whatever the fast path accepts, _atom_line accepts alike:
# tests/test_certify_check.py compares the two on the edge cases.
_FAST_NAME = r'(null|"[^"\\\x00-\x1f]*")'
_FAST_VAR = r"([1-9][0-9]{0,17})"
_FAST_ATOM = re.compile(_FAST_VAR + r" atom (Int|Real) " + _FAST_NAME + " " + _FAST_NAME
                        + r" (<=|<) ([+-]?[0-9]{1,4000})")
_FAST_BOOL = re.compile(_FAST_VAR + r' bool ("[^"\\\x00-\x1f]*")')
_FAST_LIVE = re.compile(_FAST_VAR + r' live ("[^"\\\x00-\x1f]*") ("[^"\\\x00-\x1f]*") '
                        + _FAST_NAME)
_FAST_GATE = re.compile(_FAST_VAR + r" (and|or|xor|ite|iff)((?: -?[1-9][0-9]{0,17})*)")


def _fast_line(no, text, seen):
    m = _FAST_ATOM.fullmatch(text)
    if m is not None:
        var, sort, x, y, op, c = m.groups()
        strict = op == "<"
        if (strict and sort == "Int") or x == y == "null":
            return None
        var = int(var)
        if var in seen:
            return None
        entry = AtomLine(no, var, "atom")
        entry.sort = sort
        entry.x = None if x == "null" else x[1:-1]
        entry.y = None if y == "null" else y[1:-1]
        entry.strict = strict
        entry.c = int(c)
        seen.add(var)
        return entry
    m = _FAST_GATE.fullmatch(text)
    if m is not None:
        var, kind, args = m.groups()
        var = int(var)
        lits = tuple(map(int, args.split()))
        if var in seen or not all(abs(lit) in seen for lit in lits) \
                or (kind == "ite" and len(lits) != 3) or (kind == "iff" and len(lits) != 2):
            return None
        entry = AtomLine(no, var, kind)
        entry.lits = lits
        seen.add(var)
        return entry
    m = _FAST_BOOL.fullmatch(text)
    if m is not None:
        var = int(m.group(1))
        if var in seen:
            return None
        entry = AtomLine(no, var, "bool")
        entry.name = m.group(2)[1:-1]
        seen.add(var)
        return entry
    m = _FAST_LIVE.fullmatch(text)   # a memory's liveness atom (a DNN has one per pair)
    if m is not None:
        var, memory, buffer, task = m.groups()
        var = int(var)
        if var in seen:
            return None
        entry = AtomLine(no, var, "live")
        entry.args = (memory[1:-1], buffer[1:-1], None if task == "null" else task[1:-1])
        seen.add(var)
        return entry
    return None


def _atom_line(no, text, seen):
    toks = _tokens(text)
    if len(toks) < 2:
        raise ValueError("needs a variable and a kind")
    if not re.fullmatch(r"\d+", toks[0]) or int(toks[0]) == 0:
        raise ValueError(f"{toks[0]} is not a variable number")
    var, kind, args = int(toks[0]), toks[1], toks[2:]
    if var in seen:
        raise ValueError(f"variable {var} is described twice")
    entry = AtomLine(no, var, kind)
    if kind == "atom":
        if len(args) != 5:
            raise ValueError("atom needs SORT X Y OP C")
        sort, x, y, op, c = args
        if sort not in ("Int", "Real"):
            raise ValueError(f"unknown sort {sort}")
        if op not in ("<=", "<"):
            raise ValueError(f"unknown comparison {op}")
        if op == "<" and sort == "Int":
            raise ValueError("a strict atom must be Real")
        entry.sort, entry.x, entry.y = sort, _name(x), _name(y)
        entry.strict, entry.c = op == "<", parse_number(c)
        if sort == "Int" and not isinstance(entry.c, int):
            raise ValueError(f"Int bound {c} is not an integer")
        if entry.x is None and entry.y is None:
            raise ValueError("an atom needs at least one variable")
    elif kind == "bool":
        if len(args) != 1:
            raise ValueError("bool needs one name")
        entry.name = _name(args[0])
        if entry.name is None:
            raise ValueError("bool needs a name, not null")
    elif kind in GATE_KINDS:
        entry.lits = tuple(_literal(a) for a in args)
        for lit in entry.lits:
            if abs(lit) not in seen:
                raise ValueError(f"{kind} uses variable {abs(lit)} before its line")
        if kind == "ite" and len(entry.lits) != 3:
            raise ValueError("ite needs 3 literals")
        if kind == "iff" and len(entry.lits) != 2:
            raise ValueError("iff needs 2 literals")
    elif kind in ("guard", "fresh"):
        entry.args = tuple(args)
    elif kind == "live":
        # buffer B of memory M is live at the start of task T (null: at 0)
        if len(args) != 3:
            raise ValueError('live needs "MEMORY" "BUFFER" and "TASK" or null')
        memory, buffer, task = (_name(a) for a in args)
        if memory is None or buffer is None:
            raise ValueError("live needs a memory and a buffer, not null")
        entry.args = (memory, buffer, task)
    elif kind == "slack":
        # bit K (weight 2^K) of a memory's peak slack
        if len(args) != 2 or not re.fullmatch(r"0|[1-9][0-9]{0,3}", args[1]) \
                or int(args[1]) >= 4096:
            raise ValueError('slack needs "MEMORY" and a bit number below 4096')
        memory = _name(args[0])
        if memory is None:
            raise ValueError("slack needs a memory, not null")
        entry.args = (memory, int(args[1]))
    else:
        raise ValueError(f"unknown kind {kind}")
    seen.add(var)
    return entry


# -- problem.cnf ------------------------------------------------------------------------------

def read_cnf(path, max_var):
    """[(line, clause)] of a DIMACS file whose header matches; literals within max_var."""
    clauses, header, current, start = [], None, [], None
    with gc_paused(), open(path, encoding="utf-8") as f:
        for no, raw in enumerate(f, 1):
            text = raw.strip()
            if not text or text.startswith("c"):
                continue
            if text.startswith("p"):
                parts = text.split()
                if header is not None or len(parts) != 4 or parts[1] != "cnf" \
                        or not parts[2].isdigit() or not parts[3].isdigit():
                    raise Rejected(f"problem.cnf line {no}: bad header {text!r}")
                header = (int(parts[2]), int(parts[3]))
                if header[0] > max_var:
                    raise Rejected(f"problem.cnf line {no}: {header[0]} variables, but "
                                   f"atoms.txt describes at most {max_var}")
                continue
            if header is None:
                raise Rejected(f"problem.cnf line {no}: clause before the p cnf header")
            for tok in text.split():
                try:
                    lit = int(tok)
                except ValueError:
                    raise Rejected(f"problem.cnf line {no}: bad literal {tok!r}") from None
                if lit == 0:
                    clauses.append((start or no, current))
                    current, start = [], None
                    continue
                if abs(lit) > header[0]:
                    raise Rejected(f"problem.cnf line {no}: literal {lit} beyond the "
                                   f"{header[0]} variables of the header")
                start = start or no
                current.append(lit)
    if header is None:
        raise Rejected("problem.cnf: no p cnf header")
    if current:
        raise Rejected(f"problem.cnf line {start}: clause not ended by 0")
    if len(clauses) != header[1]:
        raise Rejected(f"problem.cnf: header says {header[1]} clauses, the file has "
                       f"{len(clauses)}")
    return clauses


# -- constraints.json -------------------------------------------------------------------------

def read_constraints(path):
    data = _json_file(path, "constraints.json")
    if not isinstance(data, list) or not all(isinstance(c, dict) for c in data):
        raise Rejected("constraints.json: not a list of objects")
    return data


# -- lemmas.jsonl -----------------------------------------------------------------------------

def read_lemmas(path, max_var):
    """[(line, record)]: each record a dict with a clause of literals within max_var."""
    out = []
    with gc_paused(), open(path, encoding="utf-8") as f:   # (half the time of 100k lines)
        for no, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw)
            except ValueError as e:
                raise Rejected(f"lemmas.jsonl line {no}: not JSON: {e}") from None
            if not isinstance(rec, dict):
                raise Rejected(f"lemmas.jsonl line {no}: not a JSON object")
            clause = rec.get("clause")
            # (JSON's integers are of type int exactly, its true and false of type bool)
            if not isinstance(clause, list) or not {*map(type, clause)} <= {int} \
                    or 0 in clause:
                raise Rejected(f"lemmas.jsonl line {no}: clause must be a list of non-zero "
                               "integers")
            if clause and (max(clause) > max_var or -min(clause) > max_var):
                lit = next(lit for lit in clause if abs(lit) > max_var)
                raise Rejected(f"lemmas.jsonl line {no}: literal {lit} beyond the "
                               f"{max_var} variables of atoms.txt")
            rule = rec.get("rule")
            if rule is not None and not isinstance(rule, str):
                raise Rejected(f"lemmas.jsonl line {no}: rule must be a name or null")
            witness = rec.get("witness", {})
            if witness is None:
                witness = {}
            if not isinstance(witness, dict):
                raise Rejected(f"lemmas.jsonl line {no}: witness must be an object")
            rec["witness"] = witness
            out.append((no, rec))
    return out


# -- values.json ------------------------------------------------------------------------------

def read_values(path):
    """values.json, the model of an OPTIMAL claim about an SMT-LIB script:
    `{"values": {name: value}, "objective": v}` -> ({name: bool | int | Fraction}, v or None).
    A Bool's value is true or false; a number is a string (an integer, p/q or a decimal: any
    length, exactly) or a JSON integer."""
    data = _json_file(path, "values.json")
    if not isinstance(data, dict) or not isinstance(data.get("values"), dict):
        raise Rejected("values.json: needs values: an object of the script's constants")
    out = {}
    for name, value in data["values"].items():
        if isinstance(value, bool) or _is_int(value):
            out[name] = value
        elif isinstance(value, str):
            try:
                out[name] = parse_number(value)
            except ValueError as e:
                raise Rejected(f"values.json: {json.dumps(name)}: {e}") from None
        else:
            raise Rejected(f"values.json: {json.dumps(name)}: {value!r} is no Bool or number")
    stated = data.get("objective")
    if stated is not None and not _is_int(stated):
        raise Rejected("values.json: objective must be an integer")
    return out, stated


# -- proof.drup -------------------------------------------------------------------------------

TRUNCATED = "proof.drup: truncated: no empty clause at the end"


def proof_steps(path, max_var, need_empty=False):
    """Yield (line, deleted, lits) for each clause of a text DRUP file, streaming.

    One clause per line is the common layout (CaDiCaL's); a clause may also span lines.
    `need_empty`: the proof must add the empty clause (docs/certificates.md, "Checking the
    proof": the emitter ends every refutation with it); a file that ends without one is
    rejected when it is read to its end. The check is here, in the reader, so that every RUP
    engine gets it: an engine stops at the empty clause, or reads on to the end of the
    file and meets the Rejected. Without it, a proof cut after any line would verify
    whenever the loaded clauses alone propagate to a conflict (the assumption units and the
    lemmas often do: CaDiCaL 1.9.5 writes no final step under assumptions)."""
    empty = False
    for step in _proof_steps(path, max_var):
        if not step[1] and not step[2]:
            empty = True
        yield step
    if need_empty and not empty:
        raise Rejected(TRUNCATED)


def _proof_steps(path, max_var):
    current, start, deleting = [], None, False
    with open(path, encoding="utf-8") as f:
        for no, raw in enumerate(f, 1):
            toks = raw.split()
            if not toks or toks[0].startswith("c"):
                continue
            for tok in toks:
                if tok == "d":
                    if current or deleting:
                        raise Rejected(f"proof.drup line {no}: 'd' inside a clause")
                    deleting, start = True, no
                    continue
                try:
                    lit = int(tok)
                except ValueError:
                    raise Rejected(f"proof.drup line {no}: bad token {tok!r}") from None
                if lit == 0:
                    yield (start or no, deleting, current)
                    current, start, deleting = [], None, False
                    continue
                if abs(lit) > max_var:
                    raise Rejected(f"proof.drup line {no}: literal {lit} beyond the "
                                   f"{max_var} variables of atoms.txt")
                start = start or no
                current.append(lit)
    if current or deleting:
        raise Rejected(f"proof.drup line {start}: clause not ended by 0 (truncated proof?)")
