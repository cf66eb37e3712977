"""The flexible job shop (FJSPLIB layout, `.fjs`: Brandimarte's Mk, Hurink's edata/rdata/vdata,
Fattahi's MFJS, ...) into a `Model` with a makespan objective.

The layout: a first line "jobs machines [average machines per operation]", then one line per
job: the number of operations, and for each operation in processing order the number k of
machines that can run it followed by k pairs (machine, duration); machines numbered from 1.

The model: operation o of job j (both from 0, as the job-shop reader names them) is the task
"j{j}o{o}"; an operation that more than one machine can run is an `alternative` over optional
tasks "j{j}o{o}.m{machine}" (the file's machine number), each with that machine's duration and
on that machine's `unary` resource "m{machine}"; an operation with one machine is on it
directly. A job's operations run in order: the chosen option's end comes before the next
operation starts.

Our own reader rather than the `fjsplib` package (PyPI, by PyJobShop's authors): fjsplib reads
every field with int(float(word)), so a duration of 2.5 silently becomes 2 (a different
problem), slices a line short of its announced pairs without a word, ignores the announced
number of jobs and anything after a job's last operation, says nothing of where a file goes
wrong, and needs Python 3.10 (smtsched runs on 3.9). Checking all that would mean reading the
file a second time; the layout is a few lines to read, so it is read once, here, checked field
by field. Every problem is a FormatError naming the file, the line and the column, never a
traceback.
"""
import os
import re

from .model import Model
from .text_formats import FormatError, _Row, _end, _lines, machines_and_makespan

_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def read_fjs(path, name=None):
    """A model of the flexible job-shop file `path`."""
    lines = _lines(path)
    numbered = [(k + 1, line) for k, line in enumerate(lines) if line.strip()]
    if not numbered:
        raise FormatError(path, 1, "empty file: expected the line 'jobs machines "
                                   "[average machines per operation]'", 1)
    jobs, machines, head = _header(path, *numbered[0])
    rows = numbered[1:]
    if len(rows) < jobs:
        line, column = _end(lines)
        raise FormatError(path, line, f"{jobs} jobs announced on line {head}, {len(rows)} "
                                      "found", column)
    if len(rows) > jobs:
        number, _ = rows[jobs]
        raise FormatError(path, number, f"only {jobs} jobs announced on line {head}: this "
                                        "line is one too many", 1)
    model = Model(name or os.path.splitext(os.path.basename(path))[0])
    on_machine = {}   # machine -> the tasks it may run (only the machines used)
    for j, (number, line) in enumerate(rows):
        _job(path, _Row(path, number, line), j, machines, model, on_machine)
    machines_and_makespan(model, on_machine)
    return model


def _header(path, number, line):
    """(jobs, machines, line number) of the first line; the third field, the average number
    of machines per operation, is a statistic (a decimal), checked as a number and unused."""
    fields = [(m.group(), m.start() + 1) for m in re.finditer(r"\S+", line)]
    if not 2 <= len(fields) <= 3:
        column = fields[3][1] if len(fields) > 3 else len(line.rstrip()) + 1
        raise FormatError(path, number, "the first line must be 'jobs machines [average "
                                        f"machines per operation]', found {len(fields)} "
                                        "fields", column)
    if len(fields) == 3 and not _NUMBER.fullmatch(fields[2][0]):
        raise FormatError(path, number, "the average number of machines per operation must "
                                        f"be a number, found {fields[2][0][:40]!r}",
                          fields[2][1])
    # the two integers, as the line's prefix (the columns stay the file's)
    row = _Row(path, number, line[:fields[1][1] - 1 + len(fields[1][0])])
    jobs = row.at_least(0, 0, "the number of jobs")
    machines = row.at_least(1, 1, "the number of machines")
    return jobs, machines, number


def _job(path, row, j, machines, model, on_machine):
    """The operations of job j from its line."""
    if not len(row):
        row.fail("a job line must start with its number of operations", 1)
    count = row.at_least(0, 0, "the number of operations")
    at = 1
    previous = None   # (the task the next operation follows, [its options])
    for o in range(count):
        if at >= len(row):
            row.fail(f"{count} operations announced, {o} found: the line ends",
                     row.column(at))
        eligible = row.at_least(at, 1, f"the number of machines of operation {o + 1}")
        at += 1
        options = []   # (machine, duration)
        for _ in range(eligible):
            if at + 1 >= len(row):
                row.fail(f"operation {o + 1} announces {eligible} machines: the line ends "
                         f"after {len(options)} (machine, duration) pairs"
                         + ("" if at >= len(row) else " and a machine without its duration"),
                         row.column(len(row)))
            machine = row.values[at]
            if not 1 <= machine <= machines:
                row.fail(f"machine {machine} is not in 1..{machines}", row.column(at))
            if any(machine == m for m, _ in options):
                row.fail(f"machine {machine} is listed twice for operation {o + 1}",
                         row.column(at))
            duration = row.at_least(at + 1, 0, "a duration")
            options.append((machine, duration))
            at += 2
        name = f"j{j}o{o}"
        if len(options) == 1:
            machine, duration = options[0]
            task = model.task(name, duration)
            on_machine.setdefault(machine, []).append(task)
            mine = [task]
        else:
            # the operation's own task lasts as long as its fastest machine: the precedences
            # between the operations' tasks then give the static bounds the shortest chain,
            # while the chosen option's end is what the next operation really waits for
            task = model.task(name, min(d for _, d in options))
            mine = []
            for machine, duration in options:
                option = model.task(f"{name}.m{machine}", duration, optional=True)
                on_machine.setdefault(machine, []).append(option)
                mine.append(option)
            model.alternative(task, mine)
        if previous is not None:
            before, before_options = previous
            model.precedence(before, task)
            if len(before_options) > 1:
                for option in before_options:
                    model.precedence(option, task)
        previous = (task, mine)
    if at < len(row):
        row.fail(f"{count} operations announced: data after the last one", row.column(at))
