"""The checker's own readers of the scheduling inputs: job shop, PSPLIB and model.json.

Each reader parses the file itself (this package imports nothing else of smtsched: an error in
smtsched's readers cannot hide here) and returns the checker's encoding G of it
(docs/certificates.md, "Checking problem.cnf"):

- an Int variable "start T" per task T and "makespan";
- the unit atom of each precedence and lag: s_before - s_after <= -(p_before + min_lag), and
  s_after - s_before <= p_before + max_lag;
- s >= release (so s >= 0), s + p <= deadline and s + p <= horizon when given, and
  s - makespan <= -p for every task (zero durations too); makespan >= 0 (the makespan of no
  task is 0);
- per resource a constraint in constraints.json's shape (capacity 1 with unit demands:
  "disjunctive", else "cumulative") and, for every pair of its tasks with positive durations
  whose demands together exceed the capacity (on a machine: every pair), the clause
  (i before j) or (j before i), with the atoms s_i - s_j <= -p_i and s_j - s_i <= -p_j, made
  lazily (`Encoding.finish`, after atoms.txt is mapped: only the pairs the certificate names;
  see `_pair_clauses`); a task whose demand alone exceeds the capacity: never there;
- model.json only: optional tasks (the Boolean "present T" guards every clause of the task,
  of its precedences and of its pairs; the constraint records name it), alternatives (exactly
  one option present, starting with its task), non-renewable resources (a pseudo_boolean
  constraint over the presences of their optional tasks, the mandatory amounts moved to the
  bound), presence rules (select all or none / at least one / exactly one: clauses over
  the presences, a mandatory task's presence true), the weighted objectives as a cost
  constraint without bound (constraints.json's cost records follow from it), and memories
  (`Encoding.memories`, a memory.MemoryModel: G has nothing of them until atoms.txt names
  their liveness atoms) with the peak-memory objective;
- `check_schedule(starts)`: the objective of a schedule that keeps every constraint above
  (starts: a dict by task name, or by start variable name; an optional task without a start
  is absent), else ValueError with the reason.

The file formats are those of smtsched/sched/text_formats.py's docstring (job shop: "jobs machines",
then one line of (machine, duration) pairs per job, tasks "j{j}o{k}", machines "m{i}"; PSPLIB
.sm single-mode RCPSP, tasks "job{n}", resources "R{r}") and docs/certificates.md,
"model.json". Anything malformed is a `SchedInputError` (a ValueError) naming the line;
a model feature this checker cannot check (repeated memory or buffer names) is
"unsupported by the checker: <feature>"; an optional task among a weighted objective's
tasks is an error (the Model refuses it).
"""
import json
import re

from .encoding import Encoding
from .files import gc_paused

__all__ = ["SchedInputError", "read_jobshop", "read_psplib", "read_model"]

MAKESPAN = "makespan"
WEIGHTED = ("weighted_completion", "weighted_tardiness")
PEAK = "peak_memory"
_MAX_DIGITS = 4000   # a longer number is a corrupt file (and int() refuses past 4300 digits)
_INTEGER = re.compile(r"[+-]?[0-9]+")


class SchedInputError(ValueError):
    """A scheduling input the checker cannot read (or cannot check)."""


def _unsupported(feature):
    return SchedInputError(f"unsupported by the checker: {feature}")


class _Problem:
    """What a scheduling input says, as plain lists (the checker's reading)."""

    def __init__(self):
        self.tasks = {}          # name -> (duration, release, deadline or None), in order
        self.precedences = []    # (before, after, min_lag, max_lag or None)
        self.resources = []      # (name, capacity, [(task, demand)])
        self.horizon = None
        self.objective = MAKESPAN
        self.optional = set()    # names of the optional tasks
        self.alternatives = []   # (task, [options])
        self.nonrenewables = []  # (name, capacity, [(task, amount)])
        self.presence_rules = []  # (kind, [tasks], condition task or None)
        self.setups = []         # (resource number, {(before, after): duration >= 1})
        self.weights = {}        # task -> weight (weighted objectives)
        self.dues = None         # task -> due (weighted tardiness), None: completion
        self.tardy = []          # (task, weight, due): weight * [end > due]
        self.max_groups = []     # (weight, [(task, weight, due)]): weight * the largest
        #                          member weight * max(0, end - due)
        self.setup_weight = 0    # weight * the total setup time
        self.memories = []       # memory.Memory, in order
        self.objective_memory = None   # the name of the memory whose peak is minimised

    def task(self, name, duration, release=0, deadline=None, where=""):
        if name in self.tasks:
            raise SchedInputError(f"{where}the task {name!r} appears twice")
        self.tasks[name] = (duration, release, deadline)


# -- plain text -------------------------------------------------------------------------------

def _text(text):
    """The input as a str (bytes are decoded as UTF-8)."""
    if isinstance(text, (bytes, bytearray)):
        try:
            return bytes(text).decode("utf-8")
        except UnicodeDecodeError as error:
            line = bytes(text[:error.start]).count(b"\n") + 1
            raise SchedInputError(f"line {line}: the file is not UTF-8 text") from None
    if not isinstance(text, str):
        raise SchedInputError(f"the input must be text, got {type(text).__name__}")
    return text


def _lines(text):
    """The lines of the input, split at \\n only as smtsched's reader does (a \\r elsewhere
    is white space: pass bytes, or text read with newline="", to keep it so)."""
    return [line.rstrip("\r") for line in _text(text).split("\n")]


# A line of integers of at most _MAX_DIGITS digits each, between white space: the common case,
# read with one match and str.split() (a regular expression per token was two thirds of the
# checker's reading of a j30 file, which proof mode does before every search).
_INTEGER_LINE = re.compile(r"\s*(?:[+-]?[0-9]{1,%d}(?:\s+|$))*" % _MAX_DIGITS)


def _integers(number, line):
    """The integers of a line; SchedInputError (with the column) for anything else."""
    if _INTEGER_LINE.fullmatch(line):
        return [int(token) for token in line.split()]
    values = []
    for m in re.finditer(r"\S+", line):
        token = m.group()
        if not _INTEGER.fullmatch(token):
            raise SchedInputError(f"line {number}, column {m.start() + 1}: an integer was "
                                  f"expected, found {token[:40]!r}")
        if len(token) > _MAX_DIGITS:
            raise SchedInputError(f"line {number}, column {m.start() + 1}: a number of "
                                  f"{len(token)} digits")
        values.append(int(token))
    return values


def _at_least(value, minimum, what, number):
    if value < minimum:
        raise SchedInputError(f"line {number}: {what} must be at least {minimum}, found "
                              f"{value}")
    return value


def _no_query(query):
    if query not in (None, {}):
        raise SchedInputError(f"a scheduling input has one question: the query must be {{}}, "
                              f"got {query!r}")


# -- job shop ---------------------------------------------------------------------------------

def read_jobshop(text, query=None, parse_only=False):
    """G of a job-shop file: "jobs machines", then one line per job of (machine, duration)
    pairs in processing order; '#' lines and blank lines are skipped."""
    _no_query(query)
    rows = [(number, _integers(number, line)) for number, line in enumerate(_lines(text), 1)
            if line.strip() and not line.lstrip().startswith("#")]
    if not rows:
        raise SchedInputError("line 1: empty file: expected the line 'jobs machines'")
    number, head = rows[0]
    if len(head) != 2:
        raise SchedInputError(f"line {number}: the first line must be 'jobs machines', found "
                              f"{len(head)} numbers")
    jobs = _at_least(head[0], 0, "the number of jobs", number)
    machines = _at_least(head[1], 1, "the number of machines", number)
    if len(rows) - 1 != jobs:
        raise SchedInputError(f"line {number}: {jobs} jobs announced, {len(rows) - 1} job "
                              f"lines found")
    problem = _Problem()
    on_machine = {}
    for j, (number, row) in enumerate(rows[1:]):
        if len(row) % 2:
            raise SchedInputError(f"line {number}: a job is a list of (machine, duration) "
                                  f"pairs: the last machine has no duration")
        previous = None
        for k in range(len(row) // 2):
            machine, duration = row[2 * k], row[2 * k + 1]
            if not 0 <= machine < machines:
                raise SchedInputError(f"line {number}: machine {machine} is not in "
                                      f"0..{machines - 1}")
            _at_least(duration, 0, "a duration", number)
            name = f"j{j}o{k}"
            problem.task(name, duration)
            on_machine.setdefault(machine, []).append((name, 1))
            if previous is not None:
                problem.precedences.append((previous, name, 0, None))
            previous = name
    for machine in sorted(on_machine):
        if len(on_machine[machine]) > 1:   # a machine of one task constrains nothing
            problem.resources.append((f"m{machine}", 1, on_machine[machine]))
    return None if parse_only else _encode(problem)


# -- PSPLIB -----------------------------------------------------------------------------------

_SECTION = re.compile(r"\s*(PRECEDENCE RELATIONS|REQUESTS/DURATIONS|RESOURCEAVAILABILITIES)",
                      re.IGNORECASE)
_ANNOUNCED = (
    ("jobs", re.compile(r"\s*jobs\s*\(incl\. supersource/sink\s*\)\s*:\s*(\S+)",
                        re.IGNORECASE)),
    ("renewable", re.compile(r"\s*-\s*renewable\s*:\s*(\S+)", re.IGNORECASE)),
    ("nonrenewable", re.compile(r"\s*-\s*nonrenewable\s*:\s*(\S+)", re.IGNORECASE)),
    ("doubly constrained", re.compile(r"\s*-\s*doubly constrained\s*:\s*(\S+)",
                                      re.IGNORECASE)),
)


def _sections(lines):
    """({section: [(line number, integers)]}, {announced count: (value, line number)}).
    A line of stars ends a section, a line of dashes is skipped, the first line of a section
    may be its column titles (it starts with a letter)."""
    sections, announced, titled = {}, {}, set()
    current = None
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        m = _SECTION.match(line)
        if m:
            current = m.group(1).upper()
            if current in sections:
                raise SchedInputError(f"line {number}: a second {current} section")
            sections[current] = []
            continue
        if stripped and set(stripped) == {"*"}:
            current = None
            continue
        if stripped and set(stripped) == {"-"}:
            continue
        if current is None:
            for key, pattern in _ANNOUNCED:
                found = pattern.match(line)
                if found and key not in announced:   # the first one counts (as in smtsched)
                    values = _integers(number, found.group(1))
                    announced[key] = (_at_least(values[0], 0, f"the number of {key}", number),
                                      number)
            continue
        if not stripped:
            continue
        if not sections[current] and current not in titled \
                and stripped[0].isalpha():
            titled.add(current)
            continue
        sections[current].append((number, _integers(number, line)))
    return sections, announced


def read_psplib(text, query=None, parse_only=False):
    """G of a PSPLIB single-mode RCPSP file (.sm): jobs "job<n>" with their durations,
    precedences and demands, renewable resources "R<r>" with their capacities."""
    _no_query(query)
    lines = _lines(text)
    sections, announced = _sections(lines)
    for needed in ("PRECEDENCE RELATIONS", "REQUESTS/DURATIONS", "RESOURCEAVAILABILITIES"):
        if needed not in sections:
            raise SchedInputError(f"line {len(lines)}: no {needed} section")
    for key in ("nonrenewable", "doubly constrained"):
        if announced.get(key, (0,))[0]:
            raise _unsupported(f"{key} resources (line {announced[key][1]})")
    availability = sections["RESOURCEAVAILABILITIES"]
    if len(availability) != 1:
        where = availability[1][0] if availability else len(lines)
        raise SchedInputError(f"line {where}: one line of resource capacities expected, "
                              f"found {len(availability)}")
    number, capacities = availability[0]
    for r, capacity in enumerate(capacities):
        _at_least(capacity, 0, f"the capacity of R{r + 1}", number)
    if "renewable" in announced and announced["renewable"][0] != len(capacities):
        raise SchedInputError(f"line {number}: {announced['renewable'][0]} renewable "
                              f"resources announced, {len(capacities)} capacities given")

    problem = _Problem()
    demands = {}   # job -> its demands
    for number, row in sections["REQUESTS/DURATIONS"]:
        if len(row) != 3 + len(capacities):
            raise SchedInputError(f"line {number}: expected job, mode, duration and "
                                  f"{len(capacities)} demands, found {len(row)} numbers")
        job, mode, duration = row[:3]
        if job in demands:
            raise SchedInputError(f"line {number}: job {job} appears twice")
        if mode != 1:
            raise _unsupported(f"mode {mode} on line {number} (single mode only)")
        _at_least(duration, 0, "a duration", number)
        for r, demand in enumerate(row[3:]):
            _at_least(demand, 0, f"the demand for R{r + 1}", number)
            if demand > capacities[r]:
                raise SchedInputError(f"line {number}: job {job} demands {demand} of R{r + 1}, "
                                      f"whose capacity is {capacities[r]}")
        problem.task(f"job{job}", duration, where=f"line {number}: ")
        demands[job] = row[3:]
    if not demands:
        raise SchedInputError("no jobs in REQUESTS/DURATIONS")
    if "jobs" in announced and announced["jobs"][0] != len(demands):
        raise SchedInputError(f"line {announced['jobs'][1]}: {announced['jobs'][0]} jobs "
                              f"announced, {len(demands)} in REQUESTS/DURATIONS")
    listed = set()
    for number, row in sections["PRECEDENCE RELATIONS"]:
        if len(row) < 3:
            raise SchedInputError(f"line {number}: expected job, modes, number of successors "
                                  f"and the successors")
        job, modes, count = row[:3]
        if job not in demands:
            raise SchedInputError(f"line {number}: job {job} is not in REQUESTS/DURATIONS")
        if job in listed:
            raise SchedInputError(f"line {number}: job {job} has a second precedence line")
        listed.add(job)
        if modes != 1:
            raise _unsupported(f"{modes} modes on line {number} (single mode only)")
        if count != len(row) - 3:
            raise SchedInputError(f"line {number}: {count} successors announced, "
                                  f"{len(row) - 3} listed")
        if len(set(row[3:])) != len(row) - 3:
            raise SchedInputError(f"line {number}: a successor is listed twice")
        for successor in row[3:]:
            if successor not in demands:
                raise SchedInputError(f"line {number}: unknown successor {successor}")
            problem.precedences.append((f"job{job}", f"job{successor}", 0, None))
    missing = [job for job in demands if job not in listed]
    if missing:
        raise SchedInputError(f"job {missing[0]} has no line in PRECEDENCE RELATIONS")
    for r, capacity in enumerate(capacities):
        problem.resources.append((f"R{r + 1}", capacity,
                                  [(f"job{job}", d[r]) for job, d in demands.items() if d[r]]))
    return None if parse_only else _encode(problem)


# -- model.json -------------------------------------------------------------------------------

_MODEL_KEYS = {"format", "version", "name", "tasks", "precedences", "resources",
               "alternatives", "nonrenewables", "presence_rules", "setups", "memories",
               "objective",
               "objective_memory", "weights", "dues", "tardy", "max_tardiness",
               "setup_weight", "horizon"}


def _json_object(pairs):
    data = {}
    for key, value in pairs:
        if key in data:
            raise SchedInputError(f"model.json: the key {key!r} appears twice in one object")
        data[key] = value
    return data


def _json_constant(name):
    raise SchedInputError(f"model.json: {name} is not a number of this format")


def _field(obj, key, kind, what, default=...):
    """obj[key], checked: kind "int", "int?" (or null), "str", "bool", "list"."""
    if not isinstance(obj, dict):
        raise SchedInputError(f"model.json: {what} must be a JSON object, got {obj!r:.60}")
    if key not in obj:
        if default is ...:
            raise SchedInputError(f"model.json: {what} has no {key!r}")
        return default
    value = obj[key]
    if kind.endswith("?") and value is None:
        return None
    expected = {"int": int, "str": str, "bool": bool, "list": list}[kind.rstrip("?")]
    if type(value) is not expected:   # True is no integer here
        raise SchedInputError(f"model.json: {key!r} of {what} must be {kind.rstrip('?')}, "
                              f"got {value!r:.60}")
    return value


def _keys(obj, allowed, what):
    extra = sorted(set(obj) - set(allowed))
    if extra:
        raise SchedInputError(f"model.json: {what} has unknown keys {extra}")


def read_model(text, query=None, parse_only=False):
    """G of a model written by smtsched.sched.model_json.dumps (docs/certificates.md,
    "model.json"): tasks (optional ones too) with releases and deadlines, precedences with
    lags, alternatives, unary and cumulative resources, a horizon, the makespan or a weighted
    objective (or none), memories and the peak-memory objective."""
    _no_query(query)
    text = _text(text)
    try:
        data = json.loads(text, object_pairs_hook=_json_object, parse_constant=_json_constant)
    except SchedInputError:
        raise
    except (ValueError, RecursionError) as error:
        raise SchedInputError(f"model.json is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise SchedInputError("model.json must hold one JSON object")
    if data.get("format") != "smtsched-model" or data.get("version") != 1:
        raise SchedInputError(f"model.json: format {data.get('format')!r} version "
                              f"{data.get('version')!r}, expected 'smtsched-model' version 1")
    _keys(data, _MODEL_KEYS, "the model")
    _field(data, "name", "str", "the model", "")
    objective = _field(data, "objective", "str?", "the model", None)
    if objective not in (None, MAKESPAN, PEAK) + WEIGHTED:
        raise _unsupported(f"the objective {objective}")

    problem = _Problem()
    problem.objective = objective
    for k, item in enumerate(_field(data, "tasks", "list", "the model")):
        what = f"task {k}"
        _field(item, "name", "str", what)
        _keys(item, ("name", "duration", "release", "deadline", "optional"), what)
        duration = _field(item, "duration", "int", what)
        release = _field(item, "release", "int", what, 0)
        if duration < 0 or release < 0:
            raise SchedInputError(f"model.json: {what} has a negative duration or release")
        problem.task(item["name"], duration, release,
                     _field(item, "deadline", "int?", what, None), where="model.json: ")
        if _field(item, "optional", "bool", what, False):
            problem.optional.add(item["name"])
    tasks = problem.tasks

    def task_name(name, what):
        if not isinstance(name, str) or name not in tasks:
            raise SchedInputError(f"model.json: {what} names no task: {name!r:.60}")
        return name

    for k, item in enumerate(_field(data, "precedences", "list", "the model", [])):
        what = f"precedence {k}"
        _keys(item, ("before", "after", "min_lag", "max_lag"), what)
        min_lag = _field(item, "min_lag", "int", what, 0)
        max_lag = _field(item, "max_lag", "int?", what, None)
        problem.precedences.append((task_name(_field(item, "before", "str", what), what),
                                    task_name(_field(item, "after", "str", what), what),
                                    min_lag, max_lag))
    for k, item in enumerate(_field(data, "resources", "list", "the model", [])):
        what = f"resource {k}"
        _keys(item, ("name", "capacity", "demands"), what)
        name = _field(item, "name", "str", what)
        capacity = _field(item, "capacity", "int", what)
        if capacity < 0:
            raise SchedInputError(f"model.json: {name} has a negative capacity")
        demands = _task_amounts(_field(item, "demands", "list", what), "demand", name,
                                task_name)
        problem.resources.append((name, capacity, demands))
    for k, item in enumerate(_field(data, "alternatives", "list", "the model", [])):
        what = f"alternative {k}"
        _keys(item, ("task", "options"), what)
        task = task_name(_field(item, "task", "str", what), what)
        options = [task_name(o, what) for o in _field(item, "options", "list", what)]
        # smtsched's Model refuses these; a model.json could still say them
        if task in problem.optional or not options or len(set(options)) != len(options) \
                or any(o not in problem.optional for o in options):
            raise SchedInputError(f"model.json: {what}: a mandatory task and distinct "
                                  "optional options")
        problem.alternatives.append((task, options))
    _nonrenewables(data, problem, task_name)
    _presence_rules(data, problem, task_name)
    _setups(data, problem, task_name)
    _memories(data, problem, task_name)
    _weighted_objective(data, problem, task_name)
    problem.horizon = _field(data, "horizon", "int?", "the model", None)
    return None if parse_only else _encode(problem)


def _nonrenewables(data, problem, task_name):
    """The non-renewable resources, as smtsched.sched.model reads them: a capacity >= 0 and
    [task, amount >= 1] pairs, a task at most once; the amounts of the present tasks sum to
    at most the capacity (whatever their starts)."""
    names = set()
    for k, item in enumerate(_field(data, "nonrenewables", "list", "the model", [])):
        what = f"non-renewable resource {k}"
        _keys(item, ("name", "capacity", "consumption"), what)
        name = _field(item, "name", "str", what)
        if name in names:
            raise SchedInputError(f"model.json: two non-renewable resources named "
                                  f"{name!r:.60}")
        names.add(name)
        capacity = _field(item, "capacity", "int", what)
        if capacity < 0:
            raise SchedInputError(f"model.json: {name} has a negative capacity")
        consumption = _task_amounts(_field(item, "consumption", "list", what), "consumption",
                                    name, task_name)
        problem.nonrenewables.append((name, capacity, consumption))


_RULES = ("all_or_none", "at_least_one", "exactly_one")


def _presence_rules(data, problem, task_name):
    """The presence rules, as smtsched.sched.model reads them (PyJobShop's select
    constraints): a kind, distinct tasks (at least one), a condition task or none."""
    for k, item in enumerate(_field(data, "presence_rules", "list", "the model", [])):
        what = f"presence rule {k}"
        _keys(item, ("kind", "tasks", "condition"), what)
        kind = _field(item, "kind", "str", what)
        if kind not in _RULES:
            raise SchedInputError(f"model.json: {what} has the unknown kind {kind!r:.60}")
        tasks = [task_name(t, what) for t in _field(item, "tasks", "list", what)]
        if not tasks or len(set(tasks)) != len(tasks):
            raise SchedInputError(f"model.json: {what} needs distinct tasks, at least one")
        condition = _field(item, "condition", "str?", what, None)
        if condition is not None:
            condition = task_name(condition, what)
        problem.presence_rules.append((kind, tasks, condition))


def _setups(data, problem, task_name):
    """Setup times, as smtsched.sched.model reads them: per machine (a resource of capacity
    1 with unit demands, by its position in `resources`, at most one entry each) a non-empty
    list of [before, after, duration >= 1], two distinct tasks of the machine, a pair once."""
    seen = set()
    for k, item in enumerate(_field(data, "setups", "list", "the model", [])):
        what = f"setup times {k}"
        _keys(item, ("resource", "times"), what)
        number = _field(item, "resource", "int", what)
        if not 0 <= number < len(problem.resources) or number in seen:
            raise SchedInputError(f"model.json: {what} name no resource, or one twice: "
                                  f"{number}")
        seen.add(number)
        _, capacity, demands = problem.resources[number]
        on = {t for t, _ in demands}
        if capacity != 1 or any(d != 1 for _, d in demands):
            raise SchedInputError(f"model.json: {what}: the resource is not a machine")
        times = {}
        for triple in _field(item, "times", "list", what):
            if not (isinstance(triple, list) and len(triple) == 3 and type(triple[2]) is int
                    and triple[2] >= 1):
                raise SchedInputError(f"model.json: a setup time must be [before, after, "
                                      f"integer >= 1], got {triple!r:.60}")
            a, b = task_name(triple[0], what), task_name(triple[1], what)
            if a == b or a not in on or b not in on or (a, b) in times:
                raise SchedInputError(f"model.json: {what}: {a!r:.40} to {b!r:.40} is not "
                                      "a new pair of two tasks of the machine")
            times[a, b] = triple[2]
        if not times:
            raise SchedInputError(f"model.json: {what} has no pair")
        problem.setups.append((number, times))


def _setup_clauses(g, problem, guards):
    """G of the setup times of a machine with tasks T (docs/certificates.md, model.json):
    Booleans "order K [a, b]" (a before b in T's list; its negation says b before a) and
    "next K [a, b]", and, each clause guarded by the presences of its optional tasks:
    order(a, b) -> s_a - s_b <= -(p_a + D(a, b)), not order(a, b) -> s_b - s_a <= -(p_b +
    D(b, a)), D the least gap between them in any sequence (`_least_gaps`); order
    transitive over every three zero-duration tasks (the times make it so over the others);
    next(a, b) -> present a, present b, order(a, b), s_a - s_b <= -(p_a + setup(a, b)) (a
    setup above 0), and order(c, a) or order(b, c) for every other c; order(a, b) -> the
    disjunction of next(a, c) over every c != a.
    Sound: every schedule extends to a model, with order its sequence and next its
    consecutive pairs (and the same Booleans on absent tasks left to the guards)."""
    for number, times in problem.setups:
        tasks = [t for t, _ in problem.resources[number][2]]
        order = {}
        for i, a in enumerate(tasks):
            for b in tasks[i + 1:]:
                var = g.boolean("order %d %s" % (number, json.dumps([a, b])))
                order[a, b], order[b, a] = var, -var

        def guard(*names):
            return [lit for n in names for lit in guards.get(n, ())]

        def ends_before(a, b, gap=0):
            return g.atom("Int", _start(a), _start(b), -(problem.tasks[a][0] + gap))

        least = _least_gaps(problem, tasks, times)
        for i, a in enumerate(tasks):
            for b in tasks[i + 1:]:
                g.add(guard(a, b) + [-order[a, b], ends_before(a, b, least[a, b])])
                g.add(guard(a, b) + [order[a, b], ends_before(b, a, least[b, a])])
        instant = [t for t in tasks if problem.tasks[t][0] == 0]
        for a in instant:
            for b in instant:
                for c in instant:
                    if len({a, b, c}) == 3:
                        g.add(guard(a, b, c) + [-order[a, b], -order[b, c], order[a, c]])
        nexts = {(a, b): g.boolean("next %d %s" % (number, json.dumps([a, b])))
                 for a in tasks for b in tasks if a != b}
        for (a, b), x in nexts.items():
            for lit in guard(a, b):
                g.add([-x, -lit])
            g.add([-x, order[a, b]])
            if times.get((a, b)):
                g.add([-x, ends_before(a, b, times[a, b])])
            for c in tasks:
                if c != a and c != b:
                    g.add([-x] + guard(c) + [order[c, a], order[b, c]])
        for a in tasks:
            successors = [nexts[a, c] for c in tasks if c != a]
            for b in tasks:
                if b != a:
                    g.add(guard(a, b) + [-order[a, b]] + successors)


def _least_gaps(problem, tasks, times):
    """{(a, b): D}, D the least setup and work between the end of a and the start of b when
    a comes before b in a sequence of `tasks` (directly or not): the shortest path from a to
    b, a step u -> v costing setup(u, v) + p_v, b's own duration left out. Every chain of
    the sequence from a to b is such a path, so order(a, b) -> s_b - e_a >= D holds in every
    schedule. Computed here by relaxing each path through one more task at a time (the
    Floyd-Warshall order)."""
    gap = {(a, b): times.get((a, b), 0) for a in tasks for b in tasks if a != b}
    for c in tasks:
        p = problem.tasks[c][0]
        for a in tasks:
            if a == c:
                continue
            for b in tasks:
                if b != a and b != c and gap[a, c] + p + gap[c, b] < gap[a, b]:
                    gap[a, b] = gap[a, c] + p + gap[c, b]
    return gap


def _sequence_error(problem, number, times, starts, present):
    """Why the present tasks of machine `number` run in no sequence that keeps the setup
    times (each task's end plus the setup to the next at most the next's start), or None.
    The starts never decrease along a sequence: it is the tasks by start, up to the order of
    the zero-duration tasks of one instant, which all come before the lasting task starting
    then; those orders are searched (the reachable last tasks over subsets)."""
    tasks = problem.tasks
    on = [t for t, _ in problem.resources[number][2] if t in present]
    ends = {t: starts[t] + tasks[t][0] for t in on}

    def follows(u, v):
        return u is None or ends[u] + times.get((u, v), 0) <= starts[v]

    by_start = {}
    for t in on:
        by_start.setdefault(starts[t], []).append(t)
    last = {None}
    for instant in sorted(by_start):
        zero = [t for t in by_start[instant] if tasks[t][0] == 0]
        lasting = [t for t in by_start[instant] if tasks[t][0] > 0]
        if len(lasting) > 1:
            return f"{lasting[0]} and {lasting[1]} start together at {instant}"
        states = {(frozenset(), u) for u in last}
        for _ in zero:
            states = {(done | {z}, z) for done, u in states for z in zero
                      if z not in done and follows(u, z)}
        last = {u for _, u in states}
        if lasting:
            last = {lasting[0]} if any(follows(u, lasting[0]) for u in last) else set()
        if not last:
            return f"no sequence keeps the setup times (at time {instant})"
    return None


def _rule_clauses(kind, tasks, condition, present):
    """The clauses of a presence rule over `present(task)` (the Boolean of an optional task,
    None for a mandatory one, which is always present): while the condition is present,
    all_or_none: each two neighbours in the list present together; at_least_one: one of
    them present; exactly_one: that, and no two of them. A clause with a mandatory task's
    presence holds and is left out; its negation is false and is dropped."""
    def clause(negated, positive):
        out = [-present(t) for t in negated if present(t) is not None]
        for t in positive:
            if present(t) is None:
                return None
            out.append(present(t))
        return out
    given = [] if condition is None else [condition]
    found = []
    if kind == "all_or_none":
        for a, b in zip(tasks, tasks[1:]):
            found += [clause(given + [a], [b]), clause(given + [b], [a])]
    else:
        found.append(clause(given, tasks))
        if kind == "exactly_one":
            found += [clause(given + [a, b], []) for i, a in enumerate(tasks)
                      for b in tasks[i + 1:]]
    return [c for c in found if c is not None]


def _task_amounts(pairs, noun, name, task_name):
    """[(task, amount)] from model.json's [task, amount >= 1] pairs of the resource `name`
    (demands of a cumulative, consumptions of a non-renewable), a task at most once."""
    amounts = []
    for pair in pairs:
        if not (isinstance(pair, list) and len(pair) == 2 and type(pair[1]) is int
                and pair[1] >= 1):
            raise SchedInputError(f"model.json: a {noun} of {name} must be [task, "
                                  f"integer >= 1], got {pair!r:.60}")
        amounts.append((task_name(pair[0], f"a {noun} of {name}"), pair[1]))
    if len({t for t, _ in amounts}) != len(amounts):
        raise SchedInputError(f"model.json: a task appears twice in {name}")
    return amounts


def _memories(data, problem, task_name):
    """The memories and the peak objective, as smtsched.sched.model reads them: a buffer's
    producer is a mandatory task (or none), its consumers any tasks, its size >= 0; a
    capacity (or none) >= 0. Repeated memory names, or buffer names in one memory, are
    refused: a certificate names them (atoms.txt `live`)."""
    from .memory import Buffer, Memory
    for k, item in enumerate(_field(data, "memories", "list", "the model", [])):
        what = f"memory {k}"
        _keys(item, ("name", "capacity", "buffers"), what)
        name = _field(item, "name", "str", what)
        capacity = _field(item, "capacity", "int?", what, None)
        if capacity is not None and capacity < 0:
            raise SchedInputError(f"model.json: {name} has a negative capacity")
        buffers = []
        for j, b in enumerate(_field(item, "buffers", "list", what, [])):
            where = f"buffer {j} of {name}"
            _keys(b, ("name", "size", "producer", "consumers", "until_end"), where)
            size = _field(b, "size", "int", where)
            if size < 0:
                raise SchedInputError(f"model.json: {where} has a negative size")
            producer = _field(b, "producer", "str?", where, None)
            if producer is not None:
                producer = task_name(producer, where)
                if producer in problem.optional:
                    raise SchedInputError(f"model.json: {where}: an optional task cannot "
                                          "produce a buffer")
            consumers = [task_name(c, where)
                         for c in _field(b, "consumers", "list", where, [])]
            buffers.append(Buffer(_field(b, "name", "str", where), size, producer, consumers,
                                  _field(b, "until_end", "bool", where, False)))
        if len({b.name for b in buffers}) != len(buffers):
            raise _unsupported(f"repeated buffer names in the memory {name!r}")
        problem.memories.append(Memory(name, capacity, buffers))
    if len({m.name for m in problem.memories}) != len(problem.memories):
        raise _unsupported("repeated memory names")
    if problem.objective == PEAK:
        name = _field(data, "objective_memory", "str", "the model")
        if not any(m.name == name for m in problem.memories):
            raise SchedInputError(f"model.json: objective_memory {name!r:.60} names no memory")
        problem.objective_memory = name
    elif "objective_memory" in data:
        raise SchedInputError("model.json: objective_memory without the peak_memory objective")


def _weighted_objective(data, problem, task_name):
    """The weights and dues of a weighted objective, as smtsched.sched.model reads them:
    cost = sum over the weighted tasks of weight * end (completion), or of
    weight * max(0, end - due) (tardiness; without dues at all, completion)."""
    def pairs(key, minimum):
        out = {}
        for pair in _field(data, key, "list", "the model"):
            if not (isinstance(pair, list) and len(pair) == 2 and type(pair[1]) is int
                    and (minimum is None or pair[1] >= minimum)):
                raise SchedInputError(f"model.json: a {key[:-1]} must be [task, integer"
                                      f"{'' if minimum is None else f' >= {minimum}'}], "
                                      f"got {pair!r:.60}")
            name = task_name(pair[0], f"a {key[:-1]}")
            if name in out:
                raise SchedInputError(f"model.json: {name} has two {key}")
            out[name] = pair[1]
        return out

    if problem.objective not in WEIGHTED:
        if any(key in data for key in ("weights", "dues", "tardy", "max_tardiness",
                                       "setup_weight")):
            raise SchedInputError("model.json: weights, dues, tardy, max_tardiness or "
                                  "setup_weight without a weighted objective")
        return
    _more_terms(data, problem, task_name)
    problem.weights = pairs("weights", 0)
    optional = sorted(set(problem.weights) & problem.optional)
    if optional:
        raise SchedInputError(f"model.json: {optional[0]!r:.60} is optional: the tasks of a "
                              "weighted objective are mandatory")
    if data.get("dues") is not None:
        if problem.objective != "weighted_tardiness":
            raise SchedInputError("model.json: dues with the weighted_completion objective")
        problem.dues = pairs("dues", None)
        missing = sorted(set(problem.weights) - set(problem.dues))
        if missing:
            raise SchedInputError(f"model.json: {missing[0]!r} has a weight but no due date")


def _more_terms(data, problem, task_name):
    """minimize_weighted_sum's more terms, as smtsched.sched.model reads them: "tardy"
    [[task, weight >= 0, due]] (each task once), "max_tardiness" [{"weight" >= 0, "members":
    [[task, weight >= 0, due]] (not empty, each task once)}], "setup_weight" >= 0; their
    tasks mandatory."""
    def triples(items, what):
        out, seen = [], set()
        for item in items:
            if not (isinstance(item, list) and len(item) == 3 and type(item[1]) is int
                    and item[1] >= 0 and type(item[2]) is int):
                raise SchedInputError(f"model.json: {what} must be [task, integer >= 0, "
                                      f"integer] triples, got {item!r:.60}")
            name = task_name(item[0], what)
            if name in seen or name in problem.optional:
                raise SchedInputError(f"model.json: {what}: {name!r:.60} twice, or optional")
            seen.add(name)
            out.append((name, item[1], item[2]))
        return out

    problem.tardy = triples(_field(data, "tardy", "list", "the model", []), "tardy")
    for k, group in enumerate(_field(data, "max_tardiness", "list", "the model", [])):
        what = f"max_tardiness group {k}"
        if not isinstance(group, dict):
            raise SchedInputError(f"model.json: {what} must be an object")
        _keys(group, ("weight", "members"), what)
        weight = _field(group, "weight", "int", what)
        members = triples(_field(group, "members", "list", what), what)
        if weight < 0 or not members:
            raise SchedInputError(f"model.json: {what} needs a weight >= 0 and a member")
        problem.max_groups.append((weight, members))
    problem.setup_weight = _field(data, "setup_weight", "int", "the model", 0)
    if problem.setup_weight < 0:
        raise SchedInputError("model.json: setup_weight must be >= 0")


def _more_cost(problem, starts, present):
    """The more terms' cost of a schedule (its setups: the least over the sequences that
    keep them, `_least_setups`)."""
    tasks = problem.tasks
    total = 0
    for name, weight, due in problem.tardy:
        if starts[name] + tasks[name][0] > due:
            total += weight
    for weight, members in problem.max_groups:
        total += weight * max(w * max(0, starts[t] + tasks[t][0] - due)
                              for t, w, due in members)
    if problem.setup_weight:
        for number, times in problem.setups:
            total += problem.setup_weight * _least_setups(problem, number, times, starts,
                                                          present)
    return total


def _least_setups(problem, number, times, starts, present):
    """The least sum of the setups between consecutive tasks over the sequences of the
    present tasks of machine `number` that keep the setup times (the tasks by start, the
    zero-duration tasks of an instant in any order; _sequence_error found one): the
    possible last tasks with their least sums, carried from instant to instant."""
    tasks = problem.tasks
    on = [t for t, _ in problem.resources[number][2] if t in present]
    by_start = {}
    for t in on:
        by_start.setdefault(starts[t], []).append(t)

    def gap(u, v):   # None: v cannot directly follow u
        if u is None:
            return 0
        d = times.get((u, v), 0)
        return d if starts[u] + tasks[u][0] + d <= starts[v] else None

    lasts = {None: 0}
    for instant in sorted(by_start):
        zeros = [t for t in by_start[instant] if tasks[t][0] == 0]
        lasting = [t for t in by_start[instant] if tasks[t][0] > 0]
        # over the subsets of the zero-duration tasks placed so far (2^k, as
        # _sequence_error): the least sum ending at each of them
        done = {0: dict(lasts)}
        for mask in range(1 << len(zeros)):
            for u, value in done.get(mask, {}).items():
                for k, z in enumerate(zeros):
                    d = None if mask >> k & 1 else gap(u, z)
                    if d is not None:
                        ends = done.setdefault(mask | 1 << k, {})
                        if value + d < ends.get(z, value + d + 1):
                            ends[z] = value + d
        lasts = done.get((1 << len(zeros)) - 1, {})
        for v in lasting:   # (one at most in a schedule _sequence_error accepted)
            options = [value + gap(u, v) for u, value in lasts.items() if gap(u, v) is not None]
            lasts = {v: min(options)} if options else {}
    return min(lasts.values())


# -- the encoding G and the schedule check ----------------------------------------------------

def _start(name):
    return f"start {name}"


# `parse_only=True`: read and refuse as usual, but build no G (None): the front end asks
# whether a certificate of this input can be checked before it searches, and G (a clause per
# pair of tasks of a machine) is quadratic.


def _present(name):
    return f"present {name}"


def _encode(problem):
    g = Encoding()
    g.declare(MAKESPAN, "Int")
    for name in problem.tasks:
        g.declare(_start(name), "Int")
    # an optional task's presence: the Boolean "present T"; its constraints hold while it is
    # there (smtsched.sched.model: left out, it constrains nothing)
    guards = {name: [-g.boolean(_present(name))] for name in problem.tasks
              if name in problem.optional}

    def unit(x, y, c, guard=()):   # x - y <= c always holds (while the guard's tasks are in)
        g.add(list(guard) + [g.atom("Int", x, y, c)])

    unit(None, MAKESPAN, 0)
    for name, (duration, release, deadline) in problem.tasks.items():
        s = _start(name)
        guard = guards.get(name, ())
        if guard and problem.objective in WEIGHTED:
            # smtsched's lowering states start >= 0 of an optional task unguarded under a
            # weighted objective (its cost theory reads the earliest schedule): an absent
            # task's start is free (it constrains nothing), so every schedule extends to a
            # model of G with it at 0
            unit(None, s, 0)
        unit(None, s, -release, guard)
        for latest in (deadline, problem.horizon):
            if latest is not None:
                unit(s, None, latest - duration, guard)
        unit(s, MAKESPAN, -duration, guard)
    for before, after, min_lag, max_lag in problem.precedences:
        p = problem.tasks[before][0]
        guard = guards.get(before, []) + (guards.get(after, []) if after != before else [])
        unit(_start(before), _start(after), -(p + min_lag), guard)
        if max_lag is not None:
            unit(_start(after), _start(before), p + max_lag, guard)
    for task, options in problem.alternatives:
        # exactly one option is present, and it starts with the task
        present = [g.boolean(_present(o)) for o in options]
        g.add(present)
        for i in range(len(present)):
            for j in range(i + 1, len(present)):
                g.add([-present[i], -present[j]])
        for o, p in zip(options, present):
            unit(_start(o), _start(task), 0, [-p])
            unit(_start(task), _start(o), 0, [-p])
    for name, capacity, demands in problem.resources:
        for t, d in demands:
            if d > capacity and problem.tasks[t][0] > 0:
                # it alone overloads the resource: it is never there (a mandatory one: no
                # schedule at all)
                g.add(guards.get(t, [-g.true()]))
        unary = capacity == 1 and all(d == 1 for _, d in demands)
        g.constraints.append({
            "kind": "disjunctive" if unary else "cumulative", "name": name,
            "capacity": capacity,
            "tasks": [dict({"start": _start(t), "duration": problem.tasks[t][0], "demand": d},
                           **({"present": _present(t)} if t in problem.optional else {}))
                      for t, d in demands]})
    for name, capacity, consumption in problem.nonrenewables:
        # sum of the amounts of the present tasks <= capacity: the mandatory ones are a
        # constant moved to the bound; the optional ones' presences are a pseudo-Boolean row
        # (constraints.json's pseudo_boolean records follow from it, rule `slack`). G holds
        # no clause of it (weaker than the input: sound), except the false clause when the
        # mandatory amounts alone exceed the capacity
        bound = capacity - sum(a for t, a in consumption if t not in problem.optional)
        if bound < 0:
            g.add([-g.true()])
            continue
        g.constraints.append({
            "kind": "pseudo_boolean", "name": name, "relation": "<=", "bound": bound,
            "terms": [[g.boolean(_present(t)), a] for t, a in consumption
                      if t in problem.optional]})
    _setup_clauses(g, problem, guards)
    for kind, tasks, condition in problem.presence_rules:
        for clause in _rule_clauses(
                kind, tasks, condition,
                lambda t: g.boolean(_present(t)) if t in problem.optional else None):
            g.add(clause or [-g.true()])
    if problem.objective == MAKESPAN:
        g.objective = {"name": MAKESPAN, "variable": MAKESPAN}
    elif problem.objective in WEIGHTED:
        # the objective as a cost constraint without a bound (docs/certificates.md, "cost"):
        # a guarded cost record of the certificate follows from it
        dues = problem.dues

        def task(t, w, due):
            return {"start": _start(t), "duration": problem.tasks[t][0], "weight": w,
                    "due": due}
        record = {"kind": "cost", "name": problem.objective,
                  "tasks": [task(t, w, None if dues is None else dues[t])
                            for t, w in problem.weights.items()]}
        if problem.tardy:
            record["steps"] = [task(*item) for item in problem.tardy]
        if problem.max_groups:
            record["groups"] = [{"weight": w, "members": [task(*m) for m in members]}
                                for w, members in problem.max_groups]
        if problem.setup_weight:   # the setups of the "next" Booleans (_setup_clauses)
            record["literals"] = [
                {"bool": "next %d %s" % (number, json.dumps([a, b])),
                 "weight": problem.setup_weight * d}
                for number, times in problem.setups for (a, b), d in times.items()]
        g.constraints.append(record)
        g.objective = {"name": problem.objective, "variable": None,
                       "constraint": len(g.constraints) - 1}
    if problem.memories:
        # the liveness atoms of a certificate get their variables when atoms.txt is mapped
        # (memory.MemoryCheck); G says nothing else about memories
        from .memory import MemoryModel
        g.memories = MemoryModel(problem.tasks, problem.optional, problem.precedences,
                                 problem.memories, problem.objective_memory)
    if problem.objective == PEAK:
        # no variable: the claim's bound is the guard of "peak <= v - 1" (memory.py)
        g.objective = {"name": PEAK, "variable": None, "memory": problem.objective_memory}
    g.finish = lambda: _pair_clauses(g, problem, guards)
    g.check_schedule = lambda starts: _check_schedule(problem, starts, g)
    return g


# The pair clauses, lazily. The input says "i before j or j before i" for every pair of lasting
# tasks of a resource whose demands together exceed the capacity: quadratic in the tasks (a job
# of 2,000 operations on two machines has two million pairs; building them took 10 s of a
# check). G holds only the pair clauses one of whose two atoms the certificate names: the
# checker calls `finish()` once atoms.txt is mapped, and before it builds anything on G.
# Sound: every clause of G is still a consequence of the input, and fewer clauses only make G
# weaker (a clause that follows from a subset follows from the whole). Complete for what a
# certificate can use: a pair clause none of whose atoms atoms.txt names has its atoms in no
# clause of problem.cnf, the lemmas, the proof or the assumptions; in G it shares them at most
# with units (precedences, which then satisfy it or make it the unit of the other, unnamed
# atom), so it can neither propagate nor be falsified by anything the checker asks about.


def _pair_clauses(g, problem, guards):
    """Add to G the pair clause of every clashing pair of a resource one of whose two
    ordering atoms s_i - s_j <= -p_i, s_j - s_i <= -p_j has a variable in G (by meaning)."""
    with gc_paused():   # up to millions of clauses, none in a cycle
        _add_pair_clauses(g, problem, guards)


def _add_pair_clauses(g, problem, guards):
    # the tasks of some resource with a positive duration (only they have pair clauses)
    task_of = {}   # start variable -> (task, duration)
    loads = {}     # start variable -> {resource number: demand}
    for number, (_, capacity, demands) in enumerate(problem.resources):
        for t, d in demands:
            duration = problem.tasks[t][0]
            if duration > 0:
                s = _start(t)
                task_of[s] = (t, duration)
                loads.setdefault(s, {})[number] = d
    capacity = [c for _, c, _ in problem.resources]
    done = set()
    # The atoms G has now (those added below are the other atoms of pairs already done), by
    # their canonical meaning x - y <= c (x the smaller name) with var: it is "x ends before
    # y starts" when c = -p_x, and its negation y - x <= -c - 1 is "y ends before x starts"
    # when c = p_y - 1 (never both: p_x + p_y >= 2).
    for x, y, c, var in g.int_atoms():
        tx = task_of.get(x)
        if tx is None:
            continue
        ty = task_of.get(y)
        if ty is None:
            continue
        if c == -tx[1]:
            first, (a, _), (b, pb), sa, sb = var, tx, ty, x, y
        elif c == ty[1] - 1:
            first, (a, _), (b, pb), sa, sb = -var, ty, tx, y, x
        else:
            continue   # no ordering of the two tasks
        pair = (x, y)
        if pair in done:
            continue
        on_b = loads[y]
        for number, demand in loads[x].items():
            if number in on_b and demand + on_b[number] > capacity[number]:
                done.add(pair)
                # (a before b) or (b before a): this atom's literal, then the other one
                clause = [first, g.atom("Int", sb, sa, -pb)]
                g.add(guards.get(a, []) + guards.get(b, []) + clause if guards else clause)
                break


def _check_schedule(problem, starts, g):
    """The objective of `starts` (task name -> start, or start variable name -> start; an
    optional task without a start is absent) when it keeps every constraint of the problem:
    the makespan (of the present tasks), the weighted cost, or the makespan for a model
    without objective; ValueError naming the first broken one."""
    if not isinstance(starts, dict):
        raise ValueError(f"a schedule is a dict of starts, got {type(starts).__name__}")
    names = set(problem.tasks)
    if not set(starts) <= names:
        # the start variables' names are all longer than the task names, so the two key
        # sets cannot both match
        by_variable = {_start(n): n for n in names}
        if set(starts) <= set(by_variable):
            starts = {by_variable[k]: v for k, v in starts.items()}
        else:
            extra = sorted(set(starts) - names)[:3]
            raise ValueError(f"the schedule names tasks the input does not have ({extra})")
    missing = sorted(names - set(starts) - problem.optional)[:3]
    if missing:
        raise ValueError(f"the schedule's tasks are not the input's (missing {missing})")
    present = set(starts)
    tasks = problem.tasks
    for name in present:
        duration, release, deadline = tasks[name]
        s = starts[name]
        if type(s) is not int:
            raise ValueError(f"{name} has no integer start ({s!r:.40})")
        if s < release or s < 0:
            raise ValueError(f"{name} starts at {s}, before its release {release}")
        for latest, what in ((deadline, "deadline"), (problem.horizon, "horizon")):
            if latest is not None and s + duration > latest:
                raise ValueError(f"{name} ends at {s + duration}, after its {what} {latest}")
    for before, after, min_lag, max_lag in problem.precedences:
        if before not in present or after not in present:
            continue   # an absent task constrains nothing
        gap = starts[after] - starts[before] - tasks[before][0]
        if gap < min_lag or (max_lag is not None and gap > max_lag):
            raise ValueError(f"{after} starts {gap} after {before} ends; the input allows "
                             f"[{min_lag}, {'inf' if max_lag is None else max_lag}]")
    for task, options in problem.alternatives:
        chosen = [o for o in options if o in present]
        if len(chosen) != 1:
            raise ValueError(f"{task} has {len(chosen)} options present, not one")
        if starts[chosen[0]] != starts[task]:
            raise ValueError(f"the option {chosen[0]} does not start with {task}")
    for name, capacity, demands in problem.resources:
        # a sweep over the ends (-d) and starts (+d) of the tasks, [start, end) each; at one
        # instant the ends come first, so a running sum between two events of one instant is
        # at most the load just before the instant or the load at it: checking every running
        # sum checks the load at every instant
        running = [(t, d) for t, d in demands if t in present and tasks[t][0] > 0]
        events = sorted([(starts[t], 1, d) for t, d in running]
                        + [(starts[t] + tasks[t][0], 0, -d) for t, d in running])
        load = 0
        for instant, _, change in events:
            load += change
            if load > capacity:
                raise ValueError(f"{name} carries {load} > {capacity} at time {instant}")
    for name, capacity, consumption in problem.nonrenewables:
        used = sum(a for t, a in consumption if t in present)
        if used > capacity:
            raise ValueError(f"{name} is consumed {used} > {capacity} (non-renewable)")
    for number, times in problem.setups:
        error = _sequence_error(problem, number, times, starts, present)
        if error:
            raise ValueError(f"{problem.resources[number][0]}: {error}")
    for kind, among, condition in problem.presence_rules:
        if condition is not None and condition not in present:
            continue
        count = sum(t in present for t in among)
        if not (count in (0, len(among)) if kind == "all_or_none" else
                count >= 1 if kind == "at_least_one" else count == 1):
            raise ValueError(f"the presence rule {kind} over {among[:3]} has {count} of its "
                             "tasks present")
    peak = None
    if problem.memories:
        peak = g.memories.check_schedule(starts, present)
    if problem.objective == PEAK:
        return peak
    if problem.objective in WEIGHTED:
        # smtsched.sched.model.Model.objective_value, recomputed
        total = 0
        for name, weight in problem.weights.items():
            end = starts[name] + tasks[name][0]
            total += weight * (end if problem.dues is None
                               else max(0, end - problem.dues[name]))
        return total + _more_cost(problem, starts, present)
    return max((starts[n] + tasks[n][0] for n in present), default=0)
