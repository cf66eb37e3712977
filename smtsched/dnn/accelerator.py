"""Accelerator descriptions: which units an accelerator has, how much memory, and on which units
each kind of operator runs with which latency.

A description is a TOML file (read with `tomllib`, Python 3.11+, or the `tomli` package on older
Pythons) or a JSON file with the same structure::

    name = "npu-dual"
    memory = "16 MiB"          # bytes: an integer, or a string with B, KB, MB, GB, TB (powers
                               # of 1000) or KiB, MiB, GiB, TiB (powers of 1024); absent = no limit

    [units]                    # unit kind = how many units of that kind (>= 1)
    tensor = 1
    vector = 2

    [[rules]]                  # the first rule listing an operator's kind decides
    ops = ["Conv", "Gemm", "MatMul"]
    units = ["tensor", "vector"]          # it may run on either kind ...
    latency.tensor = { fixed = 4, per_work = "1/1024" }     # ... with a latency per kind
    latency.vector = { fixed = 2, per_work = "1/32" }

    [[rules]]
    ops = ["Reshape", "Flatten", "Identity", "Squeeze", "Unsqueeze", "Dropout"]
    units = "none"             # runs on no unit (takes no unit's time)
    latency = 0

    [[rules]]
    ops = "*"                  # every other kind
    units = ["vector"]
    latency = { fixed = 1, per_work = 0.03125 }

Rules: `ops` is a kind, a list of kinds (`Operator.kind`, compared exactly) or "*" (any kind);
`units` is a unit kind, a list of them, or "none" (also allowed inside a list: a choice between a
unit and no unit). `latency` is either the same for all the rule's units, or a table with one
entry per unit kind of the rule ("none" for the no-unit choice). A latency is an integer (fixed
cycles) or `{ fixed = F, per_work = P }`, meaning F + ceil(work * P) for an operator of `work`;
F is an integer >= 0 (default 0) and P >= 0 (default 0) a decimal number or a string such as
"0.001" or "1/1024". P is taken exactly from its decimal writing (a `Fraction`), so latencies
never depend on binary floating-point rounding. `latency` may be left out only for a rule whose
units are all "none" (it is then 0). An operator that no rule matches is an error naming its kind.

Errors (`AcceleratorError`) name the file and the key path, e.g. ``rules[2].latency.per_work``.
"""
import math
import os
import re
import sys
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Dict, List, Optional, Tuple

from ..errors import InputError
from . import _jsontext

NONE = "none"  # the unit name meaning "runs on no unit"


class AcceleratorError(InputError):
    """A problem with an accelerator description: "source:line:column: key.path: message" (the
    parts that are known)."""

    def __init__(self, message, source=None, key=None, line=None, column=None):
        super().__init__(message, source, line, column, key)


@dataclass(frozen=True)
class Latency:
    """fixed + ceil(work * per_work), computed exactly."""
    fixed: int = 0
    per_work: Fraction = Fraction(0)

    def __call__(self, work: int) -> int:
        return self.fixed + math.ceil(work * self.per_work)

    def to_dict(self):
        per_work = self.per_work
        return {"fixed": self.fixed,
                "per_work": str(per_work.numerator) if per_work.denominator == 1
                else str(per_work)}


@dataclass(frozen=True)
class Rule:
    ops: Tuple[str, ...]                 # ("*",) matches every kind
    units: Tuple[Optional[str], ...]     # None: runs on no unit
    latencies: Tuple[Latency, ...]       # one per entry of `units`

    def matches(self, kind):
        return "*" in self.ops or kind in self.ops


class Accelerator:
    """Units, memory and operator latencies; see the module docstring for the file format."""

    def __init__(self, name, units, memory=None, rules=(), source="<dict>"):
        self.name: str = name
        self.units: Dict[str, int] = dict(units)
        self.memory: Optional[int] = memory
        self.rules: List[Rule] = list(rules)
        self.source = source
        self.rules_position = (None, None)  # (line, column) of the rules in the file

    def __repr__(self):
        return (f"Accelerator({self.name!r}, units={self.units}, memory={self.memory}, "
                f"{len(self.rules)} rules)")

    def rule_for(self, kind) -> Rule:
        for rule in self.rules:
            if rule.matches(kind):
                return rule
        line, column = self.rules_position
        raise AcceleratorError(f"no rule matches the operator kind {kind!r}: add it to a "
                               f"rule's ops, or add a rule with ops = \"*\"", self.source,
                               "rules", line, column)

    def options(self, op) -> List[Tuple[Optional[str], int]]:
        """Where `op` can run: (unit kind, or None for no unit; latency) in the rule's order."""
        rule = self.rule_for(op.kind)
        return [(unit, latency(op.work)) for unit, latency in zip(rule.units, rule.latencies)]

    def to_dict(self) -> dict:
        """A description equal to this one, in the structure `from_dict` reads."""
        data = {"name": self.name}
        if self.memory is not None:
            data["memory"] = self.memory
        data["units"] = dict(self.units)
        data["rules"] = [{"ops": list(rule.ops),
                          "units": [NONE if u is None else u for u in rule.units],
                          "latency": {NONE if u is None else u: latency.to_dict()
                                      for u, latency in zip(rule.units, rule.latencies)}}
                         for rule in self.rules]
        return data

    @classmethod
    def from_dict(cls, data, source="<dict>", text=None, default_name="accelerator"):
        """An `Accelerator` from the parsed description (`text`: the JSON text it came from,
        so that errors can also name the line)."""
        return _Reader(source, text).accelerator(data, default_name)


def load_accelerator(path) -> "Accelerator":
    """An accelerator description from a .toml or .json file."""
    path = os.fspath(path)
    extension = os.path.splitext(path)[1].lower()
    if extension not in (".toml", ".json"):
        raise AcceleratorError(f"unknown file type {extension or '(no extension)'!r}: an "
                               f"accelerator is described in .toml or .json", path)

    def fail(message, line, column=None):
        raise AcceleratorError(message, path, line=line, column=column)

    text = _jsontext.read_text(path, fail)
    name = os.path.splitext(os.path.basename(path))[0]
    if extension == ".json":
        # decimals stay exact (Decimal, not float) for the per_work factors
        data = _jsontext.parse(text, fail, parse_float=Decimal)
        return Accelerator.from_dict(data, path, text=text, default_name=name)
    toml = _toml_module(path)
    try:
        data = toml.loads(text, parse_float=Decimal)
    except toml.TOMLDecodeError as error:
        message = str(error)
        m = re.search(r"\s*\(at line (\d+), column (\d+)\)", message)
        end = re.search(r"\s*\(at end of document\)", message)
        line = column = None
        if m:
            message = message[:m.start()] + message[m.end():]
            line, column = int(m.group(1)), int(m.group(2))
        elif end:
            message = message[:end.start()] + " (at the end of the file)"
            line, column = _jsontext.line_column(text, len(text))
        fail(f"invalid TOML: {message}", line, column)
    except RecursionError:  # tomllib recurses once per nested array or inline table
        fail("invalid TOML: nested too deeply", *_toml_too_deep(text))
    except ValueError:  # int() of a number past Python's 4,300-digit limit
        m = re.search(r"[0-9a-fA-F_]{%d,}" % _MAX_DIGITS, text)
        fail("invalid TOML: a number too long to be a plausible value",
             *(_jsontext.line_column(text, m.start()) if m else (None, None)))
    return _Reader(path, None, lambda steps: _toml_position(text, steps)).accelerator(
        data, name)


def _toml_module(path, version=sys.version_info):
    if version >= (3, 11):
        import tomllib
        return tomllib
    try:
        import tomli
    except ImportError:
        raise AcceleratorError("reading TOML needs Python 3.11+ or the tomli package "
                               "(pip install tomli); or write the description as JSON with "
                               "the same structure", path) from None
    return tomli


def parse_bytes(value, where="memory") -> int:
    """A number of bytes from an integer or a string such as "8 MiB", "1.5 GB" or "4096";
    AcceleratorError naming `where` (e.g. a command-line option) if it is not one."""
    try:
        return _byte_count(value)
    except ValueError as problem:
        raise AcceleratorError(str(problem), key=where) from None


def _byte_count(value):
    """The exact whole number of bytes `value` denotes, else ValueError saying why."""
    if isinstance(value, bool):
        raise ValueError(f"expected bytes, found {_show(value)}")
    if isinstance(value, int):
        amount = Fraction(value)
    elif isinstance(value, (Decimal, float)) and Decimal(str(value)).is_finite():
        amount = _bounded_decimal(Decimal(str(value)), value)
    elif isinstance(value, str) and _MEMORY.match(value):
        m = _MEMORY.match(value)
        if len(m.group(1)) > _MAX_DIGITS:
            raise ValueError(f"a number of {len(m.group(1))} digits is not a plausible amount "
                             f"of memory")
        amount = Fraction(m.group(1)) * _SCALE[(m.group(2) or "B").lower()]
    else:
        raise ValueError(f"expected bytes such as 8388608 or \"8 MiB\", found {_show(value)}")
    if amount < 0 or amount.denominator != 1:
        raise ValueError(f"{value} is not a whole number of bytes >= 0")
    return int(amount)


# longer numbers are refused rather than converted (int() of a longer string is refused by
# Python, and 10**exponent of a huge exponent would take all the memory)
_MAX_DIGITS = 4000
_MAX_EXPONENT = 1000


def _bounded_decimal(number, shown):
    """Fraction(number) for a finite Decimal whose magnitude is within 10**+-_MAX_EXPONENT
    (zero included); ValueError otherwise, before anything large is computed."""
    if not number.is_finite():
        raise ValueError(f"expected a finite number, found {_show(shown)}")
    if number and not -_MAX_EXPONENT <= number.adjusted() <= _MAX_EXPONENT:
        raise ValueError(f"{_show(shown)} is out of range (10^-{_MAX_EXPONENT} to "
                         f"10^{_MAX_EXPONENT})")
    if len(number.as_tuple().digits) > _MAX_DIGITS:
        raise ValueError(f"a number of {len(number.as_tuple().digits)} digits is not a "
                         f"plausible value")
    return Fraction(number)


def _exact(value):
    """An exact rational from an int, a Decimal, a float (by its shortest decimal writing) or
    a string ("0.001", "1e-3", "1/1024"); ValueError saying why not."""
    if isinstance(value, bool):
        raise ValueError("expected a number")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("expected a finite number")
        return _bounded_decimal(Decimal(repr(value)), value)
    if isinstance(value, Decimal):
        return _bounded_decimal(value, value)
    if isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_DIGITS:
            raise ValueError(f"a number of {len(text)} characters is not a plausible value")
        if "/" in text:
            numerator, _, denominator = text.partition("/")
            if not (re.fullmatch(r"\s*[+-]?\d+\s*", numerator)
                    and re.fullmatch(r"\s*\d+\s*", denominator)):
                raise ValueError("expected a fraction of two integers such as \"1/1024\"")
            return Fraction(int(numerator), int(denominator))  # ZeroDivisionError for /0
        try:
            return _bounded_decimal(Decimal(text), value)
        except ArithmeticError:  # decimal.InvalidOperation: not a number
            raise ValueError("expected a number") from None
    raise ValueError("expected a number")


_MEMORY = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([KMGT]i?B|B)?\s*$", re.IGNORECASE)
_SCALE = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


_TOML_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_TOML_DOTTED = re.compile(rf"{_TOML_KEY}(?:\s*\.\s*{_TOML_KEY})*")
_TOML_TABLE = re.compile(rf"^\s*(\[\[?)\s*({_TOML_DOTTED.pattern})\s*\]")
_TOML_ASSIGN = re.compile(rf"^\s*({_TOML_DOTTED.pattern})\s*=")


def _toml_keys(dotted):
    return tuple(k[1:-1] if k[:1] in "\"'" else k for k in re.findall(_TOML_KEY, dotted))


def _toml_position(text, steps):
    """(line, column) of the key at `steps` (e.g. ("rules", 2, "latency", "per_work")) in a
    TOML text that parsed, or of the closest enclosing key found; (None, None) if none. Reads
    the usual layout - [table] and [[array]] headers, `a.b = ...` lines, one level of inline
    table - which is all an error message needs; it never raises."""
    steps = tuple(steps)
    best = (None, None, 0)
    arrays = {}
    header = ()

    def consider(path, line, column):
        nonlocal best
        if len(path) > best[2] and steps[:len(path)] == path:
            best = (line, column, len(path))

    for number, line in enumerate(text.split("\n"), 1):
        m = _TOML_TABLE.match(line)
        if m:
            keys = _toml_keys(m.group(2))
            if m.group(1) == "[[":
                arrays[keys] = arrays.get(keys, -1) + 1
                header = keys + (arrays[keys],)
                consider(keys, number, m.start(1) + 1)  # the array: its first table
            else:
                header = keys
            consider(header, number, m.start(1) + 1)
            continue
        m = _TOML_ASSIGN.match(line)
        if not m:
            continue
        path = header + _toml_keys(m.group(1))
        consider(path, number, m.start(1) + 1)
        at = m.end()
        # keys of an inline table on the same line: { fixed = 4, per_work = "1/1024" }
        for step in steps[len(path):]:
            if not isinstance(step, str):
                break
            found = re.compile(rf"[{{,]\s*({re.escape(step)}|\"{re.escape(step)}\")\s*=").search(
                line, at)
            if not found:
                break
            path = path + (step,)
            at = found.end()
            consider(path, number, found.start(1) + 1)
    return best[0], best[1]


def _toml_too_deep(text, limit=100):
    """(line, column) of the first bracket or brace nested `limit` deep (strings and comments
    skipped roughly: this only places an error message)."""
    depth = 0
    quote = None
    for at, character in enumerate(text):
        if quote:
            if character == quote:
                quote = None
            continue
        if character in "\"'":
            quote = character
        elif character in "[{":
            depth += 1
            if depth >= limit:
                return _jsontext.line_column(text, at)
        elif character in "]}":
            depth -= 1
    return None, None


class _Reader:
    """Checks a parsed description; every failure names the key path and, when the text is
    known, the line and column."""

    def __init__(self, source, text, locate=None):
        self.source = source
        self.text = text
        self.locate = locate
        if locate is None and text is not None:
            self.locate = lambda steps: _jsontext.position(text, steps)

    def fail(self, steps, message):
        line, column = self.locate(steps) if self.locate is not None else (None, None)
        if line is None and self.locate is not None:
            line, column = 1, 1  # a key missing at the top: the description as a whole
        raise AcceleratorError(message, self.source, _jsontext.keypath(steps) or None,
                               line, column)

    def table(self, value, steps, required=(), optional=(), closed=True):
        """A table with the `required` keys and, when `closed`, no keys but those and
        `optional` (a misspelt key must not silently fall back to a default)."""
        if not isinstance(value, dict):
            self.fail(steps, f"expected a table (object), found {_show(value)}")
        for key in required:
            if key not in value:
                self.fail(steps, f"the key {key!r} is missing")
        allowed = set(required) | set(optional)
        for key in value if closed else ():
            if key not in allowed:
                self.fail(tuple(steps) + (key,), f"unknown key (expected one of "
                                                 f"{', '.join(sorted(allowed))})")
        return value

    def names(self, value, steps, what):
        """A string or a list of non-empty strings."""
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            self.fail(steps, f"expected {what} or a non-empty list of them, found "
                             f"{_show(value)}")
        for k, item in enumerate(items):
            if not isinstance(item, str) or not item:
                self.fail(tuple(steps) + ((k,) if items is value else ()),
                          f"expected {what}, found {_show(item)}")
        return items

    def integer(self, value, steps, minimum):
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(steps, f"expected an integer >= {minimum}, found {_show(value)}")
        return value

    def accelerator(self, data, default_name):
        self.table(data, (), required=("units", "rules"),
                   optional=("name", "description", "memory"))
        name = data.get("name", default_name)
        if not isinstance(name, str) or not name:
            self.fail(("name",), f"expected a non-empty string, found {_show(name)}")
        if not isinstance(data.get("description", ""), str):
            self.fail(("description",), "expected a string")
        memory = self.memory(data["memory"]) if "memory" in data else None
        units = self.table(data["units"], ("units",), closed=False)
        if not units:
            self.fail(("units",), "no units: give at least one kind, e.g. core = 1")
        for kind, count in units.items():
            if kind in (NONE, "fixed", "per_work"):
                # "none" means no unit; the other two would make a latency table ambiguous
                self.fail(("units", kind), f"{kind!r} is a reserved word, not a unit kind")
            self.integer(count, ("units", kind), 1)
        rules = data["rules"]
        if not isinstance(rules, list) or not rules:
            self.fail(("rules",), f"expected a non-empty list of rules, found {_show(rules)}")
        accelerator = Accelerator(name, units, memory,
                                  [self.rule(rule, ("rules", k), units) for k, rule in
                                   enumerate(rules)], self.source)
        if self.locate is not None:  # for "no rule matches the kind ...", found when solving
            accelerator.rules_position = self.locate(("rules",))
        return accelerator

    def memory(self, value):
        try:
            return _byte_count(value)
        except ValueError as problem:
            self.fail(("memory",), str(problem))

    def rule(self, rule, steps, units):
        self.table(rule, steps, required=("ops", "units"), optional=("latency", "name"))
        ops = self.names(rule["ops"], steps + ("ops",), "an operator kind or \"*\"")
        names = self.names(rule["units"], steps + ("units",), "a unit kind or \"none\"")
        for k, unit in enumerate(names):
            where = steps + ("units",) + ((k,) if isinstance(rule["units"], list) else ())
            if unit != NONE and unit not in units:
                self.fail(where, f"unknown unit kind {unit!r} (the units are "
                                 f"{', '.join(units)})")
            if unit in names[:k]:
                self.fail(where, f"the unit kind {unit!r} is listed twice")
        if "latency" not in rule:
            if any(unit != NONE for unit in names):
                self.fail(steps, "the key 'latency' is missing (only rules whose units are "
                                 "all \"none\" may leave it out)")
            latencies = [Latency()] * len(names)
        else:
            latencies = self.latencies(rule["latency"], steps + ("latency",), names)
        return Rule(tuple(ops), tuple(None if u == NONE else u for u in names),
                    tuple(latencies))

    def latencies(self, value, steps, names):
        if isinstance(value, dict) and value and not set(value) <= {"fixed", "per_work"}:
            # one latency per unit kind of the rule
            for key in value:
                if key not in names:
                    self.fail(steps + (key,), f"unknown key {key!r}: a latency has the keys "
                                              f"fixed and per_work, or one per unit kind of "
                                              f"the rule ({', '.join(names)})")
            for unit in names:
                if unit not in value:
                    self.fail(steps, f"no latency for the unit kind {unit!r} (give one per "
                                     f"unit, or one for all)")
            return [self.latency(value[unit], steps + (unit,)) for unit in names]
        return [self.latency(value, steps)] * len(names)

    def latency(self, value, steps):
        if isinstance(value, int) and not isinstance(value, bool):
            return Latency(self.integer(value, steps, 0))
        self.table(value, steps, optional=("fixed", "per_work"))
        fixed = self.integer(value.get("fixed", 0), steps + ("fixed",), 0)
        per_work = self.fraction(value.get("per_work", 0), steps + ("per_work",))
        return Latency(fixed, per_work)

    def fraction(self, value, steps):
        """An exact non-negative rational from an integer, a decimal (as parsed, or a Python
        float by its shortest decimal writing) or a string such as "0.001" or "1/1024"."""
        try:
            result = _exact(value)
        except (ValueError, ZeroDivisionError, OverflowError) as problem:
            reason = str(problem) if "range" in str(problem) or "digits" in str(problem) \
                else f"expected a number >= 0 such as 0.001 or \"1/1024\", found {_show(value)}"
            self.fail(steps, reason)
        if result < 0:
            self.fail(steps, f"must be >= 0, found {_show(value)}")
        return result


def _show(value):
    if isinstance(value, Decimal):
        return str(value)
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
