"""Readers for the standard scheduling formats, each into a `Model` with a makespan objective.

- Job shop (OR-Library / JSPLIB layout): a line "jobs machines", then one line per job with
  (machine, duration) pairs in processing order; machines numbered from 0. Lines starting with
  '#' and blank lines are ignored.
- PSPLIB single-mode RCPSP (`.sm`, Kolisch and Sprecher 1997): precedence relations,
  durations and demands, resource availabilities. Jobs 1 and n are the dummy source and sink.

Errors name the line (FormatError), never a traceback.
"""
import os
import re

from ..errors import SmtschedError
from .model import Model


class FormatError(SmtschedError, ValueError):
    def __init__(self, path, line, message):
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line


def read_model(path, format=None):
    """A model from a file; the format from `format` ("jobshop", "psplib") or the extension
    (.txt/.jss/.jsp: job shop; .sm: PSPLIB)."""
    if format is None:
        extension = os.path.splitext(path)[1].lower()
        format = {".sm": "psplib", ".txt": "jobshop", ".jss": "jobshop",
                  ".jsp": "jobshop"}.get(extension)
        if format is None:
            raise FormatError(path, 0, "unknown file type: use --format jobshop or psplib")
    if format == "jobshop":
        return read_jobshop(path)
    if format == "psplib":
        return read_psplib(path)
    raise FormatError(path, 0, f"unknown format {format!r} (jobshop, psplib)")


def _lines(path):
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise FormatError(path, 0, f"cannot read: {error.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise FormatError(path, line, "the file is not UTF-8 text") from None
    return text.splitlines()


def _ints(path, number, line):
    try:
        return [int(x) for x in line.split()]
    except ValueError:
        raise FormatError(path, number, f"integers expected, found {line.strip()[:60]!r}") from None


def read_jobshop(path, name=None):
    rows = [(k + 1, line) for k, line in enumerate(_lines(path))
            if line.strip() and not line.lstrip().startswith("#")]
    if not rows:
        raise FormatError(path, 0, "empty file")
    number, header = rows[0]
    head = _ints(path, number, header)
    if len(head) < 2 or head[0] < 0 or head[1] <= 0:
        raise FormatError(path, number, "the first line must be 'jobs machines'")
    jobs, machines = head[0], head[1]
    if len(rows) - 1 < jobs:
        raise FormatError(path, rows[-1][0], f"{jobs} jobs announced, {len(rows) - 1} found")
    model = Model(name or os.path.splitext(os.path.basename(path))[0])
    on_machine = [[] for _ in range(machines)]
    for j in range(jobs):
        number, line = rows[1 + j]
        values = _ints(path, number, line)
        if len(values) % 2:
            raise FormatError(path, number, "a job is a list of (machine, duration) pairs")
        previous = None
        for k in range(0, len(values), 2):
            machine, duration = values[k], values[k + 1]
            if not 0 <= machine < machines:
                raise FormatError(path, number, f"machine {machine} is not in 0..{machines - 1}")
            if duration < 0:
                raise FormatError(path, number, f"negative duration {duration}")
            task = model.task(f"j{j}o{k // 2}", duration)
            on_machine[machine].append(task)
            if previous is not None:
                model.precedence(previous, task)
            previous = task
    for machine, tasks in enumerate(on_machine):
        if len(tasks) > 1:
            model.unary(tasks, name=f"m{machine}")
    model.minimize_makespan()
    return model


_SECTION = re.compile(r"^\s*(PRECEDENCE RELATIONS|REQUESTS/DURATIONS|RESOURCEAVAILABILITIES)",
                      re.IGNORECASE)


def read_psplib(path, name=None):
    lines = _lines(path)
    sections = {}
    current = None
    for k, line in enumerate(lines):
        m = _SECTION.match(line)
        if m:
            current = m.group(1).upper()
            sections[current] = []
            continue
        if current and line.strip() and not line.lstrip().startswith("*") \
                and not line.lstrip().startswith("-"):
            sections[current].append((k + 1, line))
    for needed in ("PRECEDENCE RELATIONS", "REQUESTS/DURATIONS", "RESOURCEAVAILABILITIES"):
        if needed not in sections:
            raise FormatError(path, 0, f"no {needed} section: not a PSPLIB .sm file")
    # each section starts with a header line of words
    precedence = [(n, _ints(path, n, l)) for n, l in sections["PRECEDENCE RELATIONS"][1:]]
    requests = [(n, _ints(path, n, l)) for n, l in sections["REQUESTS/DURATIONS"][1:]]
    availability = sections["RESOURCEAVAILABILITIES"]
    if len(availability) < 2:
        raise FormatError(path, 0, "no resource availabilities")
    capacities = _ints(path, availability[1][0], availability[1][1])
    model = Model(name or os.path.splitext(os.path.basename(path))[0])
    tasks = {}
    for number, values in requests:
        if len(values) < 3 + len(capacities):
            raise FormatError(path, number, "expected: job mode duration demand...")
        job, duration = values[0], values[2]
        if job in tasks:
            raise FormatError(path, number, f"job {job} appears twice")
        tasks[job] = (model.task(f"job{job}", duration), values[3:3 + len(capacities)], number)
    for number, values in precedence:
        if len(values) < 3 or len(values) != 3 + values[2]:
            raise FormatError(path, number, "expected: job modes successors-count successors...")
        job = values[0]
        if job not in tasks:
            raise FormatError(path, number, f"job {job} has no duration")
        for successor in values[3:]:
            if successor not in tasks:
                raise FormatError(path, number, f"unknown successor {successor}")
            model.precedence(tasks[job][0], tasks[successor][0])
    for r, capacity in enumerate(capacities):
        demands = {}
        for task, task_demands, number in tasks.values():
            if task_demands[r] > capacity:
                raise FormatError(path, number, f"{task.name} demands {task_demands[r]} of "
                                                f"resource {r + 1}, whose capacity is {capacity}")
            if task_demands[r]:
                demands[task] = task_demands[r]
        model.cumulative(demands, capacity, name=f"R{r + 1}")
    model.minimize_makespan()
    return model
