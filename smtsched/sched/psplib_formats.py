"""Project-scheduling formats read through the `psplib` package (PyPI; Leon Lan et al., the
parser PyJobShop uses), each into a `Model` with a makespan objective.

- `psplib` (`.sm`, `.mm`): PSPLIB single- and multi-mode RCPSP (Kolisch and Sprecher 1997):
  tasks, finish-to-start precedences, cumulative resources; modes become alternatives, and
  non-renewable resources pseudo-Boolean rows over them (`Model.nonrenewable`);
- `rcpsp_max` (`.sch`): RCPSP/max in ProGen/max's layout (Schwindt 1998): start-to-start
  minimum and maximum lags;
- `patterson` (`.rcp`): Patterson's RCPSP layout, as `psplib`;
- `mplib` (`.rcmp`): multi-project RCPSP (MPLIB): a release date per project;
- `aslib` (RCPSP with alternative subgraphs, Servranckx and Vanhoucke 2019) and `rcpsp_ps`
  (RCPSP with a flexible project structure, selection groups): optional activities, and
  each selection group of an activity as `Model.select_at_least_one(group, condition=the
  activity)`, psplib's reading of both ("if the activity is scheduled, at least one
  activity of each of its groups is"); an optional activity with several modes is refused;
- refused with a FormatError that names the feature: `mslib` (`.msrcp`, multi-skilled
  resources).

The objective is always the makespan (the largest end; in RCPSP/max files the sink follows
every activity, so it is the sink's start). Anything the Model cannot express is a FormatError
naming the feature and the file, never a traceback.

Where: psplib says what is wrong (plain Python exceptions: ValueError, IndexError,
StopIteration, ...) but not where, and its data keeps no positions. So before psplib reads a
file, a walk of our own reads the same layout field by field as psplib does (`_WALKS`: the
PSPLIB sections PRECEDENCE RELATIONS / REQUESTS/DURATIONS / RESOURCEAVAILABILITIES, the
ProGen/max lines of successors then of durations and demands then the capacities, Patterson's
stream of fields, MPLIB's projects): a field psplib could not read, or the first line that
does not fit the layout (a line dropped or repeated: the first one numbered out of turn), is a
FormatError at its line and column; the walk also notes where each value is (`_Places`), so
an error found in psplib's data (a negative demand, a capacity below 0, a demand above its
capacity, an unknown successor, a count of demands that does not match the resources) names
the field's line and column. The walk refuses only what psplib refuses: the models of valid
files are psplib's data, unchanged.

Why psplib for the data and our own `.sm` reader beside it: see docs/design.md ("Input
formats through psplib").
"""
import os
import re

from .text_formats import FormatError, _clip, _lines, read_psplib as _read_psplib_own
from .model import Model, ModelError

# format name -> psplib's name for it, and the file extensions that select it
PSPLIB_FORMATS = {"psplib": "psplib", "patterson": "patterson", "rcpsp_max": "rcpsp_max",
                  "mplib": "mplib", "aslib": "aslib", "rcpsp_ps": "rcpsp_ps", "mslib": "mslib"}
EXTENSIONS = {".sm": "psplib", ".mm": "psplib", ".sch": "rcpsp_max", ".rcp": "patterson",
              ".rcmp": "mplib", ".msrcp": "mslib"}

# what each refused format needs that the Model has no constraint for
_REFUSED = {
    "mslib": "multi-skilled resources (MSLIB: each activity needs workers with given skills) "
             "are not supported",
}

# the exceptions psplib lets through on a malformed file (and dataclass checks it runs)
_PARSE_ERRORS = (ValueError, IndexError, KeyError, StopIteration, AssertionError, TypeError,
                 AttributeError, ZeroDivisionError, UnicodeDecodeError)


def read_psplib_format(path, format, name=None):
    """A model of the file `path` in `format` (a key of PSPLIB_FORMATS), parsed by psplib."""
    if format not in PSPLIB_FORMATS:
        raise FormatError(path, 0, f"unknown format {format!r}")
    lines = _lines(path)   # located errors for unreadable, non-UTF-8 or binary files
    if format in _REFUSED:
        raise FormatError(path, 0, f"{format} file: {_REFUSED[format]}")
    if not _have_psplib():
        # psplib needs Python 3.10 (pyproject.toml): on 3.9 a single-mode .sm file is read
        # by our own reader, as before psplib came in
        if format == "psplib":
            return _read_psplib_own(path, name=name)
        raise FormatError(path, 0, f"reading the {format} format needs the psplib package "
                                   "(pip install psplib; Python 3.10 or later)")
    if format == "patterson":
        _refuse_trailing_data(path, lines)
    if format == "rcpsp_max":
        _check_rcpsp_max_layout(path, lines)
    # a PSPLIB file is also read by our own reader (smtsched.sched.text_formats), which says
    # where a malformed single-mode file goes wrong, line and column; it refuses multi-mode
    # files and non-renewable resources, which only psplib reads
    own = own_error = None
    if format == "psplib":
        try:
            own = _read_psplib_own(path, name=name)
        except FormatError as error:
            own_error = error
        except (ModelError, RecursionError) as error:
            own_error = FormatError(path, 0, str(error))
    try:
        # our walk of the layout first: it reads the fields as psplib does and says where
        # the first one psplib could not read is (psplib says what, not where), and it stops
        # at the first missing line where psplib would first allocate what a count announces
        # (an MPLIB project of 10^30 activities)
        places = _places(path, format)
        instance = _parse(path, lines, format)
        try:
            model = _build(path, instance, format, name, places)
        except ModelError as error:   # a value the model refuses (checked before: a bug)
            raise FormatError(path, 0, str(error)) from None
    except FormatError as error:
        # psplib could not read it, or read something the model cannot be: our reader's
        # located message, when it has one, says more
        if own_error is not None and own_error.line and not _multi_mode_complaint(
                path, own_error):
            raise own_error from None
        raise
    if format == "psplib" and _single_mode(instance):
        if own_error is not None:
            raise own_error
        _same_as_own(path, own, model)
    return model


def _multi_mode_complaint(path, error):
    """Our reader's refusal of modes or non-renewable resources, in a .mm file (where they
    are expected, and the problem psplib met is elsewhere)."""
    text = str(error)
    return os.path.splitext(path)[1].lower() == ".mm" and (
        "mode" in text or "nonrenewable" in text or "doubly" in text)


def _have_psplib():
    try:
        import psplib  # noqa: F401
    except ImportError:
        return False
    return True


def _parse(path, lines, format):
    import psplib
    try:
        return psplib.parse(path, instance_format=PSPLIB_FORMATS[format])
    except OSError as error:
        raise FormatError(path, 0, f"cannot read: {error.strerror or error}") from None
    except _PARSE_ERRORS as error:
        raise _parse_failure(path, lines, format, error) from None


def _parse_failure(path, lines, format, error):
    """A FormatError for an exception psplib raised: what went wrong in words, and where when
    the message quotes a token that can be found in the file."""
    if isinstance(error, StopIteration):
        line, column = _end_of(lines)
        return FormatError(path, line, f"not a valid {format} file: it ends too early", column)
    text = str(error) or type(error).__name__
    quoted = re.search(r"invalid literal for int\(\) with base 10: '([^']*)'", text)
    if quoted:
        token = quoted.group(1)
        found = _find_token(lines, token)
        message = f"not a valid {format} file: an integer was expected, found {token!r}"
        if found:
            return FormatError(path, found[0], message, found[1])
        return FormatError(path, 0, message)
    if format == "psplib" and "zip()" in text:
        # psplib tells renewable (R) from non-renewable (N) resources by the titles above
        # the capacities, one per capacity
        for number, line in enumerate(lines, 1):
            if "AVAILABILITIES" in line and number < len(lines):
                return FormatError(path, number + 1, "the resource titles (R 1  R 2 ... N 1 "
                                   "...) must name one resource per capacity below them", 1)
    if isinstance(error, (IndexError, KeyError, AssertionError)):
        text = f"the data does not fit the layout ({type(error).__name__}: {text})"
    return FormatError(path, 0, f"not a valid {format} file: {text}")


def _find_token(lines, token):
    """(line, column) of the first whitespace-separated field equal to `token`, or None."""
    if not token.strip():
        return None
    for number, line in enumerate(lines, 1):
        for m in re.finditer(r"\S+", line):
            if m.group() == token.strip() or m.group().strip("[]") == token.strip():
                return number, m.start() + 1
    return None


def _end_of(lines):
    while len(lines) > 1 and not lines[-1].strip():
        lines = lines[:-1]
    return len(lines), len(lines[-1]) + 1


def _refuse_trailing_data(path, lines):
    """psplib's Patterson parser stops after the activities it was told about and ignores the
    rest: an ASLIB file (Patterson data followed by alternative subgraphs, also called .rcp)
    would be solved as a plain RCPSP with every activity mandatory, a different problem.
    Count the fields Patterson's layout takes and refuse a file with more."""
    fields = [(number, m.group(), m.start() + 1) for number, line in enumerate(lines, 1)
              for m in re.finditer(r"\S+", line)]
    try:
        at = 0
        activities, resources = int(fields[0][1]), int(fields[1][1])
        at = 2 + resources   # the capacities
        for _ in range(activities):
            if at >= len(fields):
                return   # too short: psplib's error says so
            at += 1 + resources
            successors = int(fields[at][1])
            at += 1 + successors
    except (ValueError, IndexError):
        return   # not numbers where they should be: psplib's error says so
    if at < len(fields):
        number, token, column = fields[at]
        what = ("alternative subgraphs (an ASLIB file: read it with --format aslib)"
                if "." in token else "more data than the activities announced")
        raise FormatError(path, number, f"the Patterson data ends before this: {what}", column)


def _check_rcpsp_max_layout(path, lines):
    """What psplib's RCPSP/max parser takes on trust: one mode per activity and no
    non-renewable resources (a multi-mode .sch file has more lines per activity, which it
    would read as other activities and capacities), a delay for every successor, and nothing
    after the line of capacities (which it would ignore)."""
    rows = [(number, line) for number, line in enumerate(lines, 1) if line.strip()]
    if not rows:
        raise FormatError(path, 1, "empty file: expected the line 'activities renewable "
                                   "nonrenewable doubly-constrained'", 1)
    number, head = rows[0]
    fields = head.split()
    try:
        activities = int(fields[0]) + 2
        others = [int(f) for f in fields[2:]]
    except (ValueError, IndexError):
        return   # psplib's error says what is wrong with the first line
    if any(others):
        raise FormatError(path, number, "non-renewable or doubly constrained resources "
                                        "(multi-mode RCPSP/max) are not supported", 1)
    if len(rows) < 1 + 2 * activities + 1:
        return   # too short: psplib's error says so
    for number, line in rows[1:1 + activities]:
        fields = line.split()
        if len(fields) >= 3 and fields[1] != "1":
            column = line.index(fields[1], len(fields[0])) + 1
            raise FormatError(path, number, f"{fields[1]} modes: multi-mode RCPSP/max is not "
                                            "supported", column)
        if len(fields) >= 3 and fields[2].isdigit():
            count = int(fields[2])
            if len(fields) != 3 + 2 * count:
                raise FormatError(path, number, f"{count} successors announced: expected "
                                                f"{count} successors and {count} delays "
                                                f"([d]), found {len(fields) - 3} fields", 1)
    if len(rows) > 1 + 2 * activities + 1:
        number, line = rows[2 + 2 * activities]
        raise FormatError(path, number, "data after the line of resource capacities", 1)


# ------------------------------------------------------------- where psplib's data is in the file

class _Misfit(Exception):
    """A field psplib could not read, or a line that does not fit the layout: (offset in the
    text, message)."""


class _Row:
    """One of psplib's lines (psplib reads the non-blank lines, stripped, split at white
    space): its fields, each with its offset in the text, and the offset just after it."""

    __slots__ = ("fields", "text", "end")

    def __init__(self, fields, text):
        self.fields = fields     # [(token, offset)]
        self.text = text         # the stripped line (psplib looks for its section titles in it)
        self.end = fields[-1][1] + len(fields[-1][0])

    def __len__(self):
        return len(self.fields)

    def integers(self, start=0, stop=None):
        """int() of the fields start:stop, as psplib converts them, or a _Misfit at the first
        field it cannot convert."""
        values = []
        for token, offset in self.fields[start:stop]:
            values.append(_integer(token, offset))
        return values


def _integer(token, offset):
    try:
        return int(token)
    except ValueError:
        if token.lstrip("+-").isdigit():
            raise _Misfit(offset, f"a number of {len(token)} digits is not a plausible "
                                  "value") from None
        raise _Misfit(offset, f"an integer was expected, found {_clip(token)!r}") from None


def _rows(text):
    """psplib's lines: it opens the file as text, so a line ends at LF, CR or CR LF."""
    rows = []
    for line in re.finditer(r"[^\r\n]+", text):
        fields = [(m.group(), line.start() + m.start())
                  for m in re.finditer(r"\S+", line.group())]
        if fields:
            rows.append(_Row(fields, line.group().strip()))
    return rows


class _Places:
    """Where each value psplib read came from: keys ("capacity", r), ("duration", k, m),
    ("demand", k, m, r), ("demands", k, m) (where a demand is missing or one too many),
    ("successor", k, i), ("delay", k, i), ("release", k), ("activity", k), ("activities",)
    (the count of activities) -> offset in the text. An error about a value names its line
    and column; an unknown key (a walk that stopped early) names the file only."""

    def __init__(self, path, text):
        self.path = path
        self.text = text
        self.at = {}

    def position(self, offset):
        line = self.text.count("\n", 0, offset) + 1
        return line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1

    def error(self, key, message):
        offset = self.at.get(key)
        if offset is None:
            return FormatError(self.path, 0, message)
        line, column = self.position(offset)
        return FormatError(self.path, line, message, column)


def _places(path, format):
    """The _Places of the file `path` in `format`, by a walk of its layout that reads the
    fields as psplib does, so that it refuses only what psplib would refuse: a field or line
    the walk cannot read is a FormatError at its place."""
    with open(path, "rb") as handle:
        text = handle.read().decode("utf-8")   # _lines checked it is UTF-8 text
    places = _Places(path, text)
    walk = _WALKS.get(format)
    if walk is None:
        return places
    rows = _rows(text)
    try:
        walk(places, rows)
    except _Misfit as misfit:
        offset, message = misfit.args
        line, column = places.position(offset)
        raise FormatError(path, line, message, column) from None
    except (IndexError, ValueError, TypeError):
        # the walk lost its way (a bug here, not in the file): the errors then name the file
        # only, as before the walks, rather than a traceback
        pass
    return places


def _take(rows, index, what):
    """rows[index], or a _Misfit at the end of the file: psplib's StopIteration."""
    if index >= len(rows):
        raise _Misfit(rows[-1].end if rows else 0, f"the file ends too early: {what} expected")
    return rows[index]


def _walk_psplib(places, rows):
    """PSPLIB .sm/.mm as psplib reads it: the three sections found by their titles, the
    capacities two lines under RESOURCEAVAILABILITIES (the titles R 1 ... N 1 above them),
    the mode lines of REQUESTS/DURATIONS read from their end (duration, then one demand per
    resource), taken in order as the precedence lines announce modes."""
    def find(title):
        for index, row in enumerate(rows):
            if title in row.text:
                return index
        raise _Misfit(rows[-1].end if rows else 0, f"no line holds {title!r}: a PSPLIB file has "
                      "the sections PRECEDENCE RELATIONS, REQUESTS/DURATIONS and "
                      "RESOURCEAVAILABILITIES")

    first, requests, available = (find(t) for t in ("PRECEDENCE RELATIONS",
                                                     "REQUESTS/DURATIONS", "AVAILABILITIES"))
    row = _take(rows, available + 2, "the resource capacities (two lines after "
                                     "RESOURCEAVAILABILITIES)")
    capacities = row.integers()
    titles = [t for t, _ in rows[available + 1].fields if t in ("R", "N")]
    if len(capacities) != len(titles):
        raise _Misfit(row.fields[len(titles)][1] if len(capacities) > len(titles) else row.end,
                      f"the resource titles (R 1  R 2 ... N 1 ...) on the line above name "
                      f"{len(titles)} resources, this line gives {len(capacities)} capacities")
    resources = len(capacities)
    for r in range(resources):
        places.at[("capacity", r)] = row.fields[r][1]
    modes = rows[requests + 3:available - 1]
    for row in modes:
        row.integers()
    jobs = rows[first + 2:requests - 1]
    places.at[("activities",)] = rows[first].fields[0][1]
    used = 0
    for k, row in enumerate(jobs):
        values = row.integers()
        if len(values) < 3:
            raise _Misfit(row.end, "a precedence line gives the job number, its number of "
                                   f"modes and of successors, then the successors: found "
                                   f"{len(values)} fields")
        places.at[("activity", k)] = row.fields[0][1]
        successors = [offset for (token, offset), value in zip(row.fields[3:], values[3:])
                      if value]
        for i, offset in enumerate(successors):
            places.at[("successor", k, i)] = offset
        for m in range(values[1]):
            if used >= len(modes):
                raise _Misfit(*_missing_mode(rows, modes, jobs, k, m, resources,
                                             requests + 3 + len(modes)))
            mode = modes[used]
            if len(mode) < resources + 1:
                raise _Misfit(mode.end, f"a mode line ends with the duration and {resources} "
                                        f"demands: found {len(mode)} fields")
            places.at[("duration", k, m)] = mode.fields[-resources - 1][1]
            demands = mode.fields[-resources:] if resources else mode.fields
            for r, (_, offset) in enumerate(demands):
                places.at[("demand", k, m, r)] = offset
            places.at[("demands", k, m)] = mode.end
            used += 1


def _missing_mode(rows, modes, jobs, k, m, resources, after):
    """(offset, message) for a REQUESTS/DURATIONS section with fewer mode lines than the
    precedence lines announce modes: the first mode line that is not the one its place calls
    for (job number and mode number: 'job mode duration demands' on a job's first mode line,
    'mode duration demands' on the others), else the end of the section."""
    at = 0
    for job in jobs:
        number, count = job.integers(0, 2)
        for mode in range(1, count + 1):
            if at >= len(modes):
                break
            row = modes[at]
            expected = [number, mode] if mode == 1 else [mode]
            size = len(expected) + 1 + resources
            if len(row) != size or row.integers(0, len(expected)) != expected:
                return row.fields[0][1], (
                    f"the line of job {number}, mode {mode} was expected here "
                    f"({' '.join(map(str, expected))}, the duration and {resources} demands)")
            at += 1
    end = rows[after].fields[0][1] if after < len(rows) else rows[-1].end
    return end, (f"the REQUESTS/DURATIONS section ends before the line of job "
                 f"{jobs[k].integers(0, 1)[0]}, mode {m + 1}")


def _walk_rcpsp_max(places, rows):
    """RCPSP/max (.sch) as psplib reads it: a first line 'activities renewable ...', one line
    of successors and delays per activity (the dummy source and sink included), one line of
    duration and demands per activity, a line of capacities."""
    head = _take(rows, 0, "the line 'activities renewable nonrenewable doubly-constrained'")
    values = head.integers()
    if len(values) < 2:
        raise _Misfit(head.end, "the first line gives the number of activities and of "
                                f"renewable resources: found {len(values)} fields")
    places.at[("activities",)] = head.fields[0][1]
    n = values[0] + 2
    if n > 0:
        _take(rows, 2 * n, f"a line of successors for each of the {n} activities (the source "
                           "and sink included), then a line of duration and demands for each")
    capacities = rows[1 + 2 * n] if len(rows) > 1 + 2 * max(n, 0) else None
    try:
        _rcpsp_max_activities(places, rows, n, capacities)
    except _Misfit as misfit:
        # a line dropped or repeated shifts every later line into another's place: the
        # first line numbered out of turn says where, better than the line that broke
        raise _out_of_turn(rows, n, misfit.args[0]) or misfit
    row = _take(rows, 1 + 2 * n, "the line of resource capacities")
    row.integers()
    for r, (_, offset) in enumerate(row.fields):
        places.at[("capacity", r)] = offset


def _out_of_turn(rows, n, before):
    """A _Misfit at the first line before offset `before` of the RCPSP/max activity lines
    (numbered 0 to n - 1 in order, twice) whose number is not its turn's, or None."""
    for index in range(1, 1 + 2 * n):
        row = rows[index]
        if row.fields[0][1] >= before:
            return None
        k = (index - 1) % n
        if row.fields[0][0] != str(k):
            what = "successors" if index <= n else "duration and demands"
            return _Misfit(row.fields[0][1], f"the line of {what} of activity {k} was "
                                             f"expected here (the activities are numbered "
                                             f"0 to {n - 1}, in order)")
    return None


def _rcpsp_max_activities(places, rows, n, capacities):
    """The n lines of successors and the n of duration and demands, activity by activity
    (psplib reads an activity's two lines, then builds it)."""
    for k in range(n):
        row = rows[1 + k]
        if len(row) < 3:
            raise _Misfit(row.end, "a line of successors gives the activity, its number of "
                                   "modes and of successors, then the successors and their "
                                   f"delays: found {len(row)} fields")
        count = _integer(*row.fields[2])
        rest = row.fields[3:]
        successors, delays = rest[:count], rest[count:]
        for i, (token, offset) in enumerate(successors):
            _integer(token, offset)
            places.at[("successor", k, i)] = offset
        for i, (token, offset) in enumerate(delays):
            _integer(token.strip("[]"), offset)
            places.at[("delay", k, i)] = offset
        activity = rows[1 + n + k]
        activity.integers()
        if len(activity) < 3:
            raise _Misfit(activity.end, "a line of duration and demands gives the activity, "
                                        "its mode and duration, then the demands: found "
                                        f"{len(activity)} fields")
        if delays and len(delays) != len(successors):
            wanted = 3 + 2 * max(count, 0)
            raise _Misfit(row.fields[wanted][1] if wanted < len(row) else row.end,
                          f"{row.fields[2][0]} successors announced: expected as many "
                          f"successors and delays ([d]), found {len(rest)} fields after the "
                          "count")
        places.at[("activity", k)] = activity.fields[0][1]
        places.at[("duration", k, 0)] = activity.fields[2][1]
        for r, (_, offset) in enumerate(activity.fields[3:]):
            places.at[("demand", k, 0, r)] = offset
        if capacities is not None:
            places.at[("demands", k, 0)] = _surplus(activity, 3 + len(capacities))


def _surplus(row, wanted):
    """Where a row meant to have `wanted` fields goes wrong: its first field too many, or its
    end when fields are missing."""
    return row.fields[wanted][1] if len(row) > wanted else row.end


def _walk_patterson(places, rows):
    """Patterson (.rcp) as psplib reads it: 'activities resources', the capacities (when
    there are resources), then per activity its duration, one demand per resource, the number
    of successors and the successors, as a stream of fields over any number of lines."""
    head = _take(rows, 0, "the line 'activities resources'")
    values = head.integers()
    if len(values) != 2:
        raise _Misfit(head.fields[2][1] if len(values) > 2 else head.end,
                      f"the first line is 'activities resources': found {len(values)} fields")
    activities, resources = values
    places.at[("activities",)] = head.fields[0][1]
    start = 1
    capacities = []
    wrong = None   # where the capacities stop fitting the count of resources
    if resources:
        row = _take(rows, 1, "the line of resource capacities")
        row.integers()
        capacities = row.fields
        start = 2
        for r, (_, offset) in enumerate(capacities):
            places.at[("capacity", r)] = offset
        if len(capacities) != resources:
            wrong = _surplus(row, max(resources, 0))
    fields = [field for row in rows[start:] for field in row.fields]
    end = rows[-1].end
    at = 0

    def take(what):
        nonlocal at
        if at >= len(fields):
            raise _Misfit(end, f"the file ends too early: {what} expected")
        token, offset = fields[at]
        at += 1
        return _integer(token, offset), offset

    for k in range(activities):
        _, places.at[("duration", k, 0)] = take(f"the duration of activity {k + 1}")
        places.at[("activity", k)] = places.at[("duration", k, 0)]
        for r in range(resources):
            _, places.at[("demand", k, 0, r)] = take(f"the demands of activity {k + 1}")
        if wrong is not None:
            places.at[("demands", k, 0)] = wrong
        count, _ = take(f"the number of successors of activity {k + 1}")
        for i in range(count):
            _, places.at[("successor", k, i)] = take(f"the successors of activity {k + 1}")


def _walk_mplib(places, rows):
    """MPLIB (.rcmp) as psplib reads it: the number of projects, the number of resources,
    the capacities; per project 'activities release-date', a line psplib skips, and per
    activity 'duration demands... successors-count successors' (successors named
    project:activity)."""
    def number(index, what):
        row = _take(rows, index, what)
        if len(row) > 1:
            raise _Misfit(row.fields[1][1], f"this line holds only {what}")
        return _integer(*row.fields[0])

    projects = number(0, "the number of projects")
    places.at[("activities",)] = rows[0].fields[0][1]
    resources = number(1, "the number of resources")
    row = _take(rows, 2, "the line of resource capacities")
    row.integers()
    capacities = row
    for r, (_, offset) in enumerate(row.fields):
        places.at[("capacity", r)] = offset
    index, k = 3, 0
    names = {}
    successors = []   # (name, offset)
    for p in range(1, projects + 1):
        row = _take(rows, index, f"the line 'activities release-date' of project {p}")
        values = row.integers()
        if len(values) != 2:
            raise _Misfit(row.fields[2][1] if len(values) > 2 else row.end,
                          f"the line of project {p} is 'activities release-date': found "
                          f"{len(values)} fields")
        release = row.fields[1][1]
        _take(rows, index + 1, f"the line of resources used by project {p}")
        index += 2
        for a in range(1, values[0] + 1):
            row = _take(rows, index, f"the line of activity {a} of project {p}")
            index += 1
            size = resources + 2
            head = row.fields[:size]
            if len(head) < 2:
                raise _Misfit(row.end, "an activity line gives its duration, its demands "
                                       "and its number of successors, then the successors")
            for token, offset in head:
                _integer(token, offset)
            count = int(head[-1][0])
            tail = row.fields[size:]
            if len(tail) != count:
                raise _Misfit(tail[max(count, 0)][1] if len(tail) > max(count, 0) else row.end,
                              f"{count} successors announced, {len(tail)} found")
            places.at[("release", k)] = release
            places.at[("activity", k)] = row.fields[0][1]
            places.at[("duration", k, 0)] = head[0][1]
            for r, (_, offset) in enumerate(head[1:-1]):
                places.at[("demand", k, 0, r)] = offset
            places.at[("demands", k, 0)] = row.end if len(head) < size \
                else _surplus(capacities, max(resources, 0))
            for i, (token, offset) in enumerate(tail):
                places.at[("successor", k, i)] = offset
                successors.append((token, offset))
            names[f"{p}:{a}"] = k
            k += 1
    for token, offset in successors:
        if token not in names:
            raise _Misfit(offset, f"no activity {_clip(token)!r} (successors are named "
                                  "project:activity)")


_WALKS = {"psplib": _walk_psplib, "rcpsp_max": _walk_rcpsp_max, "patterson": _walk_patterson,
          "mplib": _walk_mplib}


def _single_mode(instance):
    return all(a.num_modes == 1 for a in instance.activities) \
        and all(r.renewable for r in instance.resources)


def _build(path, instance, format, name, places):
    """The Model of a psplib ProjectInstance; `places` (a _Places) says where each value is
    in the file, for the errors."""
    model = Model(name or os.path.splitext(os.path.basename(path))[0])
    activities = instance.activities
    resources = instance.resources
    n = len(activities)
    if not n:
        raise places.error(("activities",), "no activities")
    renewable = [r for r, resource in enumerate(resources) if resource.renewable]
    nonrenewable = [r for r, resource in enumerate(resources) if not resource.renewable]
    for r, resource in enumerate(resources):
        # a capacity below 0 is the model's error too (Model.cumulative, .nonrenewable):
        # said here, at its place
        _check_integer(places, ("capacity", r), resource.capacity,
                       f"the capacity of resource {r + 1}", 0)
    releases = [0] * n
    for project in instance.projects:
        for k in project.activities:
            releases[k] = max(releases[k], _check_integer(
                places, ("release", k), project.release_date, "a project's release date", 0))

    def job(k):
        return f"job{k + 1}"

    # per activity: (the task successors hang on, [(task, mode)] of the modes kept)
    tasks = []
    demands = {r: [] for r in renewable}   # resource -> [(task, demand)]
    for k, activity in enumerate(activities):
        if activity.optional and len(activity.modes) > 1:
            raise places.error(("activity", k),
                               f"{job(k)} is optional and has several modes: not supported "
                               "(an alternative's task is mandatory)")
        if not activity.modes:
            raise places.error(("activity", k), f"{job(k)} has no mode")
        for m, mode in enumerate(activity.modes):
            _check_integer(places, ("duration", k, m), mode.duration,
                           f"the duration of {job(k)}", 0)
            if len(mode.demands) != len(resources):
                raise places.error(("demands", k, m),
                                   f"{job(k)} (mode {m + 1}) has {len(mode.demands)} demands "
                                   f"for {len(resources)} resources")
            for r, demand in enumerate(mode.demands):
                _check_integer(places, ("demand", k, m, r), demand,
                               f"the demand of {job(k)} for resource {r + 1}", 0)
        # a mode that asks more of a renewable resource than it has can never run
        fitting = [(m, mode) for m, mode in enumerate(activity.modes)
                   if all(mode.demands[r] <= resources[r].capacity for r in renewable)]
        if not fitting and activity.optional:
            fitting = [(0, activity.modes[0])]   # it can never be present (the model says so)
        if not fitting:
            m, mode = 0, activity.modes[0]
            r = next(r for r in renewable if mode.demands[r] > resources[r].capacity)
            raise places.error(("demand", k, m, r),
                               f"{job(k)} demands {_clip(str(mode.demands[r]))} of resource "
                               f"{r + 1}, whose capacity is {resources[r].capacity}"
                               + ("" if len(activity.modes) == 1 else " (in every mode)")
                               + ": no schedule exists")
        if len(activity.modes) == 1:
            mode = activity.modes[0]
            task = model.task(job(k), mode.duration, release=releases[k],
                              optional=bool(activity.optional))
            tasks.append((task, [(task, mode)]))
        else:
            # the activity's own task lasts as long as its shortest mode: its precedences
            # below then give the bounds (heads and tails of mandatory tasks) the shortest
            # chain, while the chosen mode's end is what its successors really wait for
            shortest = min(mode.duration for _, mode in fitting)
            task = model.task(job(k), shortest, release=releases[k])
            options = [(model.task(f"{job(k)}.mode{m + 1}", mode.duration,
                                   release=releases[k], optional=True), mode)
                       for m, mode in fitting]
            model.alternative(task, [o for o, _ in options])
            tasks.append((task, options))
        for option, mode in tasks[-1][1]:
            for r in renewable:
                if mode.demands[r]:
                    demands[r].append((option, mode.demands[r]))

    for k, activity in enumerate(activities):
        delays = activity.delays or [None] * len(activity.successors)
        for i, (successor, delay) in enumerate(zip(activity.successors, delays)):
            if isinstance(successor, bool) or not isinstance(successor, int) \
                    or not 0 <= successor < n:
                raise places.error(("successor", k, i), f"{job(k)} has an unknown successor "
                                                        f"{_clip(repr(successor))}")
            before, options = tasks[k]
            after = tasks[successor][0]
            if delay is None:
                # finish-to-start: the successor starts after the chosen mode ends
                if before is after:
                    raise places.error(("successor", k, i),
                                       f"{job(k)} is its own successor (a cycle)")
                model.precedence(before, after)
                if len(options) > 1:
                    for option, _ in options:
                        model.precedence(option, after)
            else:
                # RCPSP/max (psplib: start(pred) + delay <= start(succ)): a start-to-start
                # lag; a negative delay is the maximum lag of the reverse arc, start(pred) <=
                # start(succ) + |delay|, and stays one arc of the same kind here (a minimum
                # lag may be negative): the bounds' longest paths and the positive-cycle test
                # see it as it is (Model max_lag would hide it from both)
                _check_integer(places, ("delay", k, i), delay,
                               f"the delay from {job(k)} to {job(successor)}")
                if before is after:
                    if delay > 0:
                        # start <= start - delay: the file asks the impossible; the model
                        # says so by a positive cycle (INFEASIBLE without a search)
                        model.precedence(before, before, min_lag=delay - before.duration)
                    continue
                model.precedence(before, after, min_lag=delay - before.duration)

    for k, activity in enumerate(activities):
        # psplib's selection groups (ASLIB's alternative subgraphs and RCPSP-PS, as psplib
        # reads them): while the activity is present, at least one of each of its groups is
        for group in activity.selection_groups:
            if not group or any(isinstance(j, bool) or not isinstance(j, int)
                                or not 0 <= j < n for j in group):
                raise FormatError(path, 0, f"{job(k)} has a selection group of unknown "
                                           f"activities: {group!r}")
            model.select_at_least_one([tasks[j][0] for j in dict.fromkeys(group)],
                                      condition=tasks[k][0])
    for r in renewable:
        model.cumulative(demands[r], resources[r].capacity, name=f"R{r + 1}")
    if nonrenewable:
        _nonrenewable(model, path, instance, tasks, nonrenewable)
    model.minimize_makespan()
    return model


def _nonrenewable(model, path, instance, tasks, nonrenewable):
    """The non-renewable resources: a budget over the whole project, the chosen modes'
    consumptions sum to at most the capacity (`Model.nonrenewable`, a pseudo-Boolean row over
    the options' presences; a single-mode activity's task is mandatory, its amount a
    constant). `tasks[k]` is activity k's (task, [(option, mode)]) of the modes kept (those
    that fit the renewable capacities): a mode left out is never chosen, so it consumes
    nothing.

    A budget that can never bind (the most each activity can consume, summed over all of
    them, is within the capacity) is left out: every choice of modes respects it, so the
    model without it has exactly the same schedules, and the search no row to propagate.
    Named as the file titles them: N 1, N 2, ... after the renewable R 1, R 2, ..."""
    for number, r in enumerate(nonrenewable, 1):
        resource = instance.resources[r]
        most = sum(max(mode.demands[r] for _, mode in options) for _, options in tasks)
        if most <= resource.capacity:
            continue
        consumption = [(option, mode.demands[r]) for _, options in tasks
                       for option, mode in options if mode.demands[r]]
        model.nonrenewable(consumption, resource.capacity, name=f"N{number}")


def _check_integer(places, key, value, what, minimum=None):
    if isinstance(value, bool) or not isinstance(value, int):
        raise places.error(key, f"{what} is not an integer ({_clip(repr(value))})")
    if minimum is not None and value < minimum:
        raise places.error(key, f"{what} must be at least {minimum}, found "
                                f"{_clip(str(value))}")
    return value


def _same_as_own(path, own, model):
    """On a single-mode PSPLIB file both readers accept, psplib's model must be our own
    reader's (which checks what psplib takes on trust: the counts the header announces, a job
    listed twice, a precedence cycle, a demand above its capacity): if they differ, one
    parser misread the file, and solving either could give a wrong answer."""
    difference = model_difference(own, model)
    if difference is not None:
        raise FormatError(path, 0, f"psplib and smtsched's own PSPLIB reader read this file "
                                   f"differently ({difference}): refusing to guess")


def model_difference(a, b):
    """None when the models have the same tasks (names, durations, releases, deadlines,
    optional), precedences (as a set), resources (names, capacities, demands) and
    alternatives; else the first difference, in words."""
    def tasks(m):
        return [(t.name, t.duration, t.release, t.deadline, t.optional) for t in m.tasks]

    def precedences(m):
        return sorted((p.before.name, p.after.name, p.min_lag,
                       -1 if p.max_lag is None else p.max_lag) for p in m.precedences)

    def resources(m):
        return [(r.name, r.capacity, sorted((t.name, d) for t, d in r.demands))
                for r in m.resources]

    def alternatives(m):
        return [(t.name, [o.name for o in options]) for t, options in m.alternatives]

    for what, view in (("tasks", tasks), ("precedences", precedences),
                       ("resources", resources), ("alternatives", alternatives)):
        if view(a) != view(b):
            return f"the {what} differ"
    if a.objective != b.objective:
        return "the objectives differ"
    return None


def certificate_format(path, format):
    """The format under which a certificate may name the file itself (the checker reads it
    again with its own reader, smtsched.certify.check.sched): "psplib" for a file our own
    PSPLIB reader takes (single mode, renewable resources only; the model was checked equal
    to it), else None: the certificate then holds the model (DIR/model.json)."""
    if format != "psplib":
        return None
    try:
        _read_psplib_own(path)
    except (FormatError, ModelError):
        return None
    return "psplib"
