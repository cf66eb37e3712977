"""Our own readers of the two plain-text scheduling formats, each into a `Model` with a makespan
objective (smtsched.sched.formats.read_model chooses the reader).

- Job shop (OR-Library / JSPLIB layout): a line "jobs machines", then exactly one line per job
  with (machine, duration) pairs in processing order; machines numbered from 0. Lines starting
  with '#' and blank lines are ignored.
- PSPLIB single-mode RCPSP (`.sm`, Kolisch and Sprecher 1997): precedence relations,
  durations and demands, resource availabilities. Jobs 1 and n are the dummy source and sink.
  The counts the file announces (jobs, renewable resources, successors) must match what it
  lists; a precedence cycle, a job listed twice, more than one mode or a nonrenewable
  resource is an error.

A `.sm` file is read by both this reader and psplib (smtsched.sched.psplib_formats): this one
checks it and says where it goes wrong, psplib's data builds the model, and the two must agree.

Every problem is a FormatError naming the file, the line and the column ("path:3:7: ..."),
never a traceback. Nothing is allocated in proportion to a number read from the file before
the file has shown that many items (a header announcing 10^9 machines costs nothing).
"""
import os
import re

from ..errors import InputError
from .model import Model

# int() refuses longer decimal strings (Python's guard against quadratic conversion); a number
# that long is a corrupt file, not a duration
_MAX_DIGITS = 4000


class FormatError(InputError):
    """A problem with a job-shop or PSPLIB file: "path:line:column: message" (line 0: the
    whole file). `path`, `line` and `column` are also attributes."""

    def __init__(self, path, line, message, column=None):
        super().__init__(message, path, line or None, column if line else None)
        self.path = path
        self.line = line
        self.column = column


def _lines(path):
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise FormatError(path, 0, f"cannot read: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[:error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise FormatError(path, line, f"the file is not UTF-8 text (byte "
                                      f"0x{data[error.start]:02x})", column) from None
    if "\x00" in text:
        at = text.index("\x00")
        raise FormatError(path, text.count("\n", 0, at) + 1, "a NUL byte: this is not a text "
                          "file", at - (text.rfind("\n", 0, at) + 1) + 1)
    # split on \n only: str.splitlines() also breaks at \x0b, \x1c, \u2028, ... and would
    # number the lines differently from an editor
    return [line.rstrip("\r") for line in text.split("\n")]


def _end(lines):
    """(line, column) just after the last character of the file: where something missing
    was expected."""
    while len(lines) > 1 and not lines[-1].strip():
        lines = lines[:-1]
    return len(lines), len(lines[-1]) + 1


_FIELD = re.compile(r"\S+")


class _Row:
    """The integers of one line, each with its column, for error messages."""

    def __init__(self, path, number, line):
        self.path = path
        self.number = number
        self.line = line
        self.values = []
        self.columns = []
        for m in _FIELD.finditer(line):
            token = m.group()
            column = m.start() + 1
            if not re.fullmatch(r"[+-]?[0-9]+", token):
                self.fail(f"an integer was expected, found {_clip(token)!r}", column)
            if len(token) > _MAX_DIGITS:
                self.fail(f"a number of {len(token)} digits is not a plausible value", column)
            self.values.append(int(token))
            self.columns.append(column)

    def __len__(self):
        return len(self.values)

    def fail(self, message, column=None):
        raise FormatError(self.path, self.number, message, column)

    def column(self, k):
        """The column of value k (past the end of the line for a missing value)."""
        return self.columns[k] if k < len(self.columns) else len(self.line.rstrip()) + 1

    def at_least(self, k, minimum, what):
        value = self.values[k]
        if value < minimum:
            self.fail(f"{what} must be at least {minimum}, found {value}", self.column(k))
        return value


def _clip(text, limit=40):
    return text if len(text) <= limit else text[:limit - 3] + "..."


def read_jobshop(path, name=None):
    lines = _lines(path)
    rows = [_Row(path, k + 1, line) for k, line in enumerate(lines)
            if line.strip() and not line.lstrip().startswith("#")]
    if not rows:
        raise FormatError(path, 1, "empty file: expected the line 'jobs machines'", 1)
    head = rows[0]
    if len(head) != 2:
        head.fail(f"the first line must be 'jobs machines' (two integers), found "
                  f"{len(head)} numbers", head.column(min(len(head), 2)))
    jobs = head.at_least(0, 0, "the number of jobs")
    machines = head.at_least(1, 1, "the number of machines")
    if len(rows) - 1 < jobs:
        line, column = _end(lines)
        raise FormatError(path, line, f"{jobs} jobs announced on line {head.number}, "
                                      f"{len(rows) - 1} found", column)
    if len(rows) - 1 > jobs:
        extra = rows[1 + jobs]
        extra.fail(f"only {jobs} jobs announced on line {head.number}: this line is one "
                   f"too many", 1)
    model = Model(name or os.path.splitext(os.path.basename(path))[0])
    on_machine = {}  # only the machines used: the header may announce any number
    for j in range(jobs):
        row = rows[1 + j]
        if len(row) % 2:
            row.fail("a job is a list of (machine, duration) pairs: the last machine has no "
                     "duration", row.column(len(row)))
        previous = None
        for k in range(0, len(row), 2):
            machine, duration = row.values[k], row.values[k + 1]
            if not 0 <= machine < machines:
                row.fail(f"machine {machine} is not in 0..{machines - 1}", row.column(k))
            row.at_least(k + 1, 0, "a duration")
            task = model.task(f"j{j}o{k // 2}", duration)
            on_machine.setdefault(machine, []).append(task)
            if previous is not None:
                model.precedence(previous, task)
            previous = task
    machines_and_makespan(model, on_machine)
    return model


def machines_and_makespan(model, on_machine):
    """A machine's tasks (`on_machine`: machine number -> tasks) on one unary resource named
    m<number>, in machine order (a machine with one task needs none), and the makespan as the
    objective: the end of the job-shop readers (this one and fjs_format's)."""
    for machine in sorted(on_machine):
        tasks = on_machine[machine]
        if len(tasks) > 1:
            model.unary(tasks, name=f"m{machine}")
    model.minimize_makespan()


_SECTION = re.compile(r"^\s*(PRECEDENCE RELATIONS|REQUESTS/DURATIONS|RESOURCEAVAILABILITIES)",
                      re.IGNORECASE)
_ANNOUNCED = {
    "jobs": re.compile(r"^\s*jobs\s*\(incl\. supersource/sink\s*\)\s*:\s*(\S+)", re.IGNORECASE),
    "renewable": re.compile(r"^\s*-\s*renewable\s*:\s*(\S+)", re.IGNORECASE),
    "nonrenewable": re.compile(r"^\s*-\s*nonrenewable\s*:\s*(\S+)", re.IGNORECASE),
    "doubly constrained": re.compile(r"^\s*-\s*doubly constrained\s*:\s*(\S+)", re.IGNORECASE),
}
_RULE = re.compile(r"^\s*(\*+|-+)\s*$")  # the separator lines of ***** and -----


def _psplib_sections(path, lines):
    """The three sections' data rows ((line number, text), headers and separators left out),
    the counts the preamble announces ({key: (value, line, column)}), and where each section
    starts."""
    sections, starts, announced = {}, {}, {}
    titled = set()
    current = None
    for k, line in enumerate(lines):
        number = k + 1
        m = _SECTION.match(line)
        if m:
            current = m.group(1).upper()
            if current in sections:
                raise FormatError(path, number, f"a second {current} section (the first is on "
                                                f"line {starts[current]})", m.start(1) + 1)
            sections[current] = []
            starts[current] = number
            continue
        if _RULE.match(line):
            if line.strip().startswith("*"):
                current = None  # a line of stars ends a section
            continue
        if current is None:
            for key, pattern in _ANNOUNCED.items():
                found = pattern.match(line)
                if found and key not in announced:
                    announced[key] = (found.group(1), number, found.start(1) + 1)
            continue
        if not line.strip():
            continue
        # one line of column titles ("jobnr. #modes ...", "R 1 R 2 ...") may come first
        if not sections[current] and current not in titled and line.strip()[0].isalpha():
            titled.add(current)
            continue
        sections[current].append((number, line))
    return sections, starts, announced


def read_psplib(path, name=None):
    lines = _lines(path)
    sections, starts, announced = _psplib_sections(path, lines)
    for needed in ("PRECEDENCE RELATIONS", "REQUESTS/DURATIONS", "RESOURCEAVAILABILITIES"):
        if needed not in sections:
            line, column = _end(lines)
            raise FormatError(path, line, f"no {needed} section (a PSPLIB .sm file has "
                                          f"PRECEDENCE RELATIONS, REQUESTS/DURATIONS and "
                                          f"RESOURCEAVAILABILITIES)", column)
    counts = {}
    for key, (text, number, column) in announced.items():
        row = _Row(path, number, " " * (column - 1) + text)
        counts[key] = (row.at_least(0, 0, f"the number of {key} resources"
                                    if key != "jobs" else "the number of jobs"), number)
    for key in ("nonrenewable", "doubly constrained"):
        if counts.get(key, (0,))[0]:
            text, number, column = announced[key]
            raise FormatError(path, number, f"{key} resources are not supported (single-mode "
                                            f"RCPSP with renewable resources only)", column)

    availability = sections["RESOURCEAVAILABILITIES"]
    if not availability:
        raise FormatError(path, starts["RESOURCEAVAILABILITIES"], "no resource "
                          "availabilities: expected a line of capacities after the titles", 1)
    number, line = availability[0]
    capacity_row = _Row(path, number, line)
    if len(availability) > 1:
        number, line = availability[1]
        raise FormatError(path, number, "one line of capacities expected: this line is one "
                                        "too many", 1)
    for r in range(len(capacity_row)):
        capacity_row.at_least(r, 0, f"the capacity of resource {r + 1}")
    capacities = capacity_row.values
    if "renewable" in counts and counts["renewable"][0] != len(capacities):
        capacity_row.fail(f"{counts['renewable'][0]} renewable resources announced on line "
                          f"{counts['renewable'][1]}, {len(capacities)} capacities given",
                          capacity_row.column(min(len(capacities), counts['renewable'][0])))

    model = Model(name or os.path.splitext(os.path.basename(path))[0])
    tasks = {}  # job -> (task, demands, row)
    for number, line in sections["REQUESTS/DURATIONS"]:
        row = _Row(path, number, line)
        expected = 3 + len(capacities)
        if len(row) != expected:
            row.fail(f"expected: job mode duration and {len(capacities)} demands "
                     f"({expected} numbers), found {len(row)}", row.column(min(len(row),
                                                                               expected)))
        job = row.values[0]
        if job in tasks:
            row.fail(f"job {job} appears twice (first on line {tasks[job][2].number})",
                     row.column(0))
        if row.values[1] != 1:
            row.fail(f"mode {row.values[1]}: only single-mode instances (mode 1) are "
                     f"supported", row.column(1))
        duration = row.at_least(2, 0, "a duration")
        for r in range(len(capacities)):
            demand = row.at_least(3 + r, 0, f"the demand for resource {r + 1}")
            if demand > capacities[r]:
                row.fail(f"job {job} demands {demand} of resource {r + 1}, whose capacity is "
                         f"{capacities[r]}", row.column(3 + r))
        tasks[job] = (model.task(f"job{job}", duration), row.values[3:], row)
    if not tasks:
        raise FormatError(path, starts["REQUESTS/DURATIONS"], "no jobs in REQUESTS/DURATIONS",
                          1)
    if "jobs" in counts and counts["jobs"][0] != len(tasks):
        text, number, column = announced["jobs"]
        raise FormatError(path, number, f"{counts['jobs'][0]} jobs announced, "
                                        f"{len(tasks)} found in REQUESTS/DURATIONS", column)

    successors = {}  # job -> [(successor, row, k)]
    for number, line in sections["PRECEDENCE RELATIONS"]:
        row = _Row(path, number, line)
        if len(row) < 3:
            row.fail("expected: job modes successors-count successors...",
                     row.column(len(row)))
        job = row.values[0]
        if job not in tasks:
            row.fail(f"job {job} is not in REQUESTS/DURATIONS", row.column(0))
        if job in successors:
            row.fail(f"job {job} has a second precedence line", row.column(0))
        if row.values[1] != 1:
            row.fail(f"{row.values[1]} modes: only single-mode instances are supported",
                     row.column(1))
        count = row.at_least(2, 0, "the number of successors")
        if len(row) != 3 + count:
            row.fail(f"{count} successors announced, {len(row) - 3} listed",
                     row.column(min(len(row), 3 + count)))
        successors[job] = []
        for k in range(3, len(row)):
            successor = row.values[k]
            if successor not in tasks:
                row.fail(f"unknown successor {successor} (not in REQUESTS/DURATIONS)",
                         row.column(k))
            if successor == job:
                row.fail(f"job {job} is its own successor (a cycle)", row.column(k))
            if any(s == successor for s, _, _ in successors[job]):
                row.fail(f"successor {successor} is listed twice", row.column(k))
            successors[job].append((successor, row, k))
    missing = [job for job in tasks if job not in successors]
    if missing:
        row = tasks[missing[0]][2]
        raise FormatError(path, starts["PRECEDENCE RELATIONS"], f"job {missing[0]} (line "
                          f"{row.number}) has no line in PRECEDENCE RELATIONS", 1)
    _refuse_cycles(successors)
    for job, after in successors.items():
        for successor, _, _ in after:
            model.precedence(tasks[job][0], tasks[successor][0])
    for r, capacity in enumerate(capacities):
        demands = {task: task_demands[r] for task, task_demands, _ in tasks.values()
                   if task_demands[r]}
        model.cumulative(demands, capacity, name=f"R{r + 1}")
    model.minimize_makespan()
    return model


def _refuse_cycles(successors):
    """A precedence cycle makes the instance meaningless: name it, at a successor entry on it
    (iterative depth-first search, so a long chain cannot exhaust the stack)."""
    state = {}  # job -> 1 on the path, 2 done
    for root in successors:
        if root in state:
            continue
        path = [root]
        position = [0]
        state[root] = 1
        while path:
            job = path[-1]
            after = successors[job]
            if position[-1] == len(after):
                state[job] = 2
                path.pop()
                position.pop()
                continue
            successor, row, k = after[position[-1]]
            position[-1] += 1
            if state.get(successor) == 1:
                cycle = path[path.index(successor):] + [successor]
                row.fail("the precedences form a cycle: " + " -> ".join(map(str, cycle)),
                         row.column(k))
            if successor not in state:
                state[successor] = 1
                path.append(successor)
                position.append(0)
