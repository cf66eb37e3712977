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
naming the feature and the file, never a traceback: psplib raises plain Python exceptions on
bad input (ValueError, IndexError, StopIteration, AssertionError, ...), turned here into
FormatError with the path (and the line and column of the offending token when it can be
found in the file).

Why psplib for the data and our own `.sm` reader beside it: see docs/design.md ("Input
formats through psplib").
"""
import os
import re

from .text_formats import FormatError, _lines, read_psplib as _read_psplib_own
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
        instance = _parse(path, lines, format)
        try:
            model = _build(path, instance, format, name)
        except ModelError as error:   # a value the model refuses (a negative release, ...)
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


def _single_mode(instance):
    return all(a.num_modes == 1 for a in instance.activities) \
        and all(r.renewable for r in instance.resources)


def _build(path, instance, format, name):
    """The Model of a psplib ProjectInstance."""
    model = Model(name or os.path.splitext(os.path.basename(path))[0])
    activities = instance.activities
    resources = instance.resources
    n = len(activities)
    if not n:
        raise FormatError(path, 0, "no activities")
    renewable = [r for r, resource in enumerate(resources) if resource.renewable]
    nonrenewable = [r for r, resource in enumerate(resources) if not resource.renewable]
    for r, resource in enumerate(resources):
        _check_integer(path, resource.capacity, f"the capacity of resource {r + 1}")
    releases = [0] * n
    for project in instance.projects:
        for k in project.activities:
            releases[k] = max(releases[k], _check_integer(
                path, project.release_date, "a project's release date"))

    def job(k):
        return f"job{k + 1}"

    # per activity: (the task successors hang on, [(task, mode)] of the modes kept)
    tasks = []
    demands = {r: [] for r in renewable}   # resource -> [(task, demand)]
    for k, activity in enumerate(activities):
        if activity.optional and len(activity.modes) > 1:
            raise FormatError(path, 0, f"{job(k)} is optional and has several modes: not "
                                       "supported (an alternative's task is mandatory)")
        if not activity.modes:
            raise FormatError(path, 0, f"{job(k)} has no mode")
        for m, mode in enumerate(activity.modes):
            _check_integer(path, mode.duration, f"the duration of {job(k)}", 0)
            if len(mode.demands) != len(resources):
                raise FormatError(path, 0, f"{job(k)} (mode {m + 1}) has {len(mode.demands)} "
                                           f"demands for {len(resources)} resources")
            for r, demand in enumerate(mode.demands):
                _check_integer(path, demand, f"the demand of {job(k)} for resource {r + 1}", 0)
        # a mode that asks more of a renewable resource than it has can never run
        fitting = [(m, mode) for m, mode in enumerate(activity.modes)
                   if all(mode.demands[r] <= resources[r].capacity for r in renewable)]
        if not fitting and activity.optional:
            fitting = [(0, activity.modes[0])]   # it can never be present (the model says so)
        if not fitting:
            m, mode = 0, activity.modes[0]
            r = next(r for r in renewable if mode.demands[r] > resources[r].capacity)
            raise FormatError(path, 0, f"{job(k)} demands {mode.demands[r]} of resource "
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
        for successor, delay in zip(activity.successors, delays):
            if isinstance(successor, bool) or not isinstance(successor, int) \
                    or not 0 <= successor < n:
                raise FormatError(path, 0, f"{job(k)} has an unknown successor {successor!r}")
            before, options = tasks[k]
            after = tasks[successor][0]
            if delay is None:
                # finish-to-start: the successor starts after the chosen mode ends
                if before is after:
                    raise FormatError(path, 0, f"{job(k)} is its own successor (a cycle)")
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
                _check_integer(path, delay, f"the delay from {job(k)} to {job(successor)}")
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


def _check_integer(path, value, what, minimum=None):
    if isinstance(value, bool) or not isinstance(value, int):
        raise FormatError(path, 0, f"{what} is not an integer ({value!r})")
    if minimum is not None and value < minimum:
        raise FormatError(path, 0, f"{what} must be at least {minimum}, found {value}")
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
