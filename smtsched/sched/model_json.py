"""A `Model` as JSON text, and back: the input file `Model.solve(proof=DIR)` writes into a
certificate as `model.json`, which the checker reads with its own reader
(`smtsched.certify.check.sched.read_model`). The format is documented in
docs/certificates.md, section "model.json".

    text = dumps(model)          # one JSON object, tasks named by their names
    model = loads(text)          # the same model (tasks, precedences, resources, ...)

Fields equal to their default (release 0, no deadline, not optional, min_lag 0, no max_lag,
no capacity for a memory, ...) are left out, so that a model of ten thousand tasks stays
small; `loads` accepts them written out too.
"""
import json
import numbers

from .model import Model, ModelError, PresenceRule

# the writer half, apart because it needs no Model (see model_dump.py); re-exported here
from .model_dump import FORMAT, OBJECTIVES, VERSION, as_dict, dumps  # noqa: F401


class ModelJSONError(ModelError):
    """model.json text that does not describe a model."""


def loads(text):
    """The Model that `dumps` wrote (or any text of the format); ModelJSONError (a
    ModelError) for anything else."""
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except ModelJSONError:
        raise
    except (ValueError, RecursionError) as error:   # RecursionError: nested too deeply
        raise ModelJSONError(f"model.json is not JSON: {error}") from None
    return from_dict(data)


def _unique_keys(pairs):
    data = {}
    for key, value in pairs:
        if key in data:
            raise ModelJSONError(f"model.json: the key {key!r} appears twice in one object")
        data[key] = value
    return data


def _no_constant(name):
    raise ModelJSONError(f"model.json: {name} is not a number of this format")


def _get(obj, key, kind, what, default=...):
    """obj[key] checked to be of `kind` ("int", "str", "bool", "list", "dict"; "int?" and
    "str?" also allow null)."""
    if key not in obj:
        if default is ...:
            raise ModelJSONError(f"model.json: {what} has no {key!r}")
        return default
    value = obj[key]
    optional = kind.endswith("?")
    kind = kind.rstrip("?")
    if value is None and optional:
        return None
    ok = {"int": lambda v: isinstance(v, numbers.Integral) and not isinstance(v, bool),
          "str": lambda v: isinstance(v, str),
          "bool": lambda v: isinstance(v, bool),
          "list": lambda v: isinstance(v, list),
          "dict": lambda v: isinstance(v, dict)}[kind]
    if not ok(value):
        raise ModelJSONError(f"model.json: {key!r} of {what} must be {kind}, got {value!r}")
    return value


def _known(obj, keys, what):
    extra = sorted(set(obj) - set(keys))
    if extra:
        raise ModelJSONError(f"model.json: {what} has unknown keys {extra}")


def from_dict(data):
    if not isinstance(data, dict):
        raise ModelJSONError("model.json must hold one JSON object")
    _known(data, ("format", "version", "name", "tasks", "precedences", "resources",
                  "alternatives", "nonrenewables", "presence_rules", "setups", "memories",
                  "objective", "objective_memory", "weights", "dues", "earliness", "tardy",
                  "max_tardiness", "setup_weight", "horizon"), "the model")
    if data.get("format") != FORMAT:
        raise ModelJSONError(f"model.json: format must be {FORMAT!r}, got "
                             f"{data.get('format')!r}")
    if _get(data, "version", "int", "the model") != VERSION:
        raise ModelJSONError(f"model.json: version {data['version']} (this reader knows "
                             f"{VERSION})")
    model = Model(_get(data, "name", "str", "the model", "model"))

    def task(name, what):
        if not isinstance(name, str):
            raise ModelJSONError(f"model.json: {what} must be a task name, got {name!r}")
        try:
            return model[name]
        except KeyError:
            raise ModelJSONError(f"model.json: {what} names no task: {name!r}") from None

    def pairs(items, what):
        out = []
        for item in items:
            if not (isinstance(item, list) and len(item) == 2):
                raise ModelJSONError(f"model.json: {what} must be [task, integer] pairs, got "
                                     f"{item!r}")
            out.append((task(item[0], what), item[1]))
        return out

    for item in _get(data, "tasks", "list", "the model"):
        if not isinstance(item, dict):
            raise ModelJSONError(f"model.json: a task must be an object, got {item!r}")
        _known(item, ("name", "duration", "release", "deadline", "optional"), "a task")
        model.task(_get(item, "name", "str", "a task"), _get(item, "duration", "int", "a task"),
                   _get(item, "release", "int", "a task", 0),
                   _get(item, "deadline", "int?", "a task", None),
                   _get(item, "optional", "bool", "a task", False))
    for item in _get(data, "precedences", "list", "the model", []):
        if not isinstance(item, dict):
            raise ModelJSONError(f"model.json: a precedence must be an object, got {item!r}")
        _known(item, ("before", "after", "min_lag", "max_lag"), "a precedence")
        model.precedence(task(_get(item, "before", "str", "a precedence"), "before"),
                         task(_get(item, "after", "str", "a precedence"), "after"),
                         _get(item, "min_lag", "int", "a precedence", 0),
                         _get(item, "max_lag", "int?", "a precedence", None))
    for item in _get(data, "resources", "list", "the model", []):
        if not isinstance(item, dict):
            raise ModelJSONError(f"model.json: a resource must be an object, got {item!r}")
        _known(item, ("name", "capacity", "demands"), "a resource")
        name = _get(item, "name", "str", "a resource")
        demands = pairs(_get(item, "demands", "list", "a resource"), f"the demands of {name}")
        if any(d == 0 for _, d in demands):
            raise ModelJSONError(f"model.json: a demand of {name} is 0 (such tasks are left "
                                 "out)")
        model.cumulative(demands, _get(item, "capacity", "int", "a resource"), name=name)
    for item in _get(data, "alternatives", "list", "the model", []):
        if not isinstance(item, dict):
            raise ModelJSONError(f"model.json: an alternative must be an object, got {item!r}")
        _known(item, ("task", "options"), "an alternative")
        model.alternative(task(_get(item, "task", "str", "an alternative"), "an alternative"),
                          [task(o, "an option") for o in _get(item, "options", "list",
                                                              "an alternative")])
    for item in _get(data, "nonrenewables", "list", "the model", []):
        if not isinstance(item, dict):
            raise ModelJSONError(f"model.json: a non-renewable resource must be an object, got "
                                 f"{item!r}")
        _known(item, ("name", "capacity", "consumption"), "a non-renewable resource")
        name = _get(item, "name", "str", "a non-renewable resource")
        consumption = pairs(_get(item, "consumption", "list", "a non-renewable resource"),
                            f"the consumption of {name}")
        if any(isinstance(a, numbers.Integral) and not isinstance(a, bool) and a == 0
               for _, a in consumption):
            raise ModelJSONError(f"model.json: a consumption of {name} is 0 (such tasks are "
                                 "left out)")
        model.nonrenewable(consumption, _get(item, "capacity", "int",
                                             "a non-renewable resource"), name=name)
    for item in _get(data, "presence_rules", "list", "the model", []):
        if not isinstance(item, dict):
            raise ModelJSONError(f"model.json: a presence rule must be an object, got {item!r}")
        _known(item, ("kind", "tasks", "condition"), "a presence rule")
        kind = _get(item, "kind", "str", "a presence rule")
        if kind not in PresenceRule.KINDS:
            raise ModelJSONError(f"model.json: unknown presence rule {kind!r}")
        condition = _get(item, "condition", "str?", "a presence rule", None)
        model._presence_rule(kind, [task(t, "a presence rule") for t in
                                    _get(item, "tasks", "list", "a presence rule")],
                             None if condition is None else task(condition, "a condition"))
    for item in _get(data, "setups", "list", "the model", []):
        if not isinstance(item, dict):
            raise ModelJSONError(f"model.json: setup times must be an object, got {item!r}")
        _known(item, ("resource", "times"), "setup times")
        number = _get(item, "resource", "int", "setup times")
        if not 0 <= number < len(model.resources):
            raise ModelJSONError(f"model.json: setup times name no resource: {number}")
        times = []
        for triple in _get(item, "times", "list", "setup times"):
            if not (isinstance(triple, list) and len(triple) == 3):
                raise ModelJSONError("model.json: a setup time must be [before, after, "
                                     f"duration], got {triple!r}")
            if isinstance(triple[2], numbers.Integral) and not isinstance(triple[2], bool) \
                    and triple[2] == 0:
                raise ModelJSONError("model.json: a setup time is 0 (such pairs are left out)")
            times.append(((task(triple[0], "a setup time"), task(triple[1], "a setup time")),
                          triple[2]))
        if not times:
            raise ModelJSONError("model.json: setup times without a pair")
        model.setup_times(model.resources[number], times)
    for item in _get(data, "memories", "list", "the model", []):
        if not isinstance(item, dict):
            raise ModelJSONError(f"model.json: a memory must be an object, got {item!r}")
        _known(item, ("name", "capacity", "buffers"), "a memory")
        memory = model.memory(_get(item, "capacity", "int?", "a memory", None),
                              _get(item, "name", "str", "a memory"))
        for b in _get(item, "buffers", "list", "a memory", []):
            if not isinstance(b, dict):
                raise ModelJSONError(f"model.json: a buffer must be an object, got {b!r}")
            _known(b, ("name", "size", "producer", "consumers", "until_end"), "a buffer")
            producer = _get(b, "producer", "str?", "a buffer", None)
            model.buffer(memory, _get(b, "size", "int", "a buffer"),
                         None if producer is None else task(producer, "a producer"),
                         [task(c, "a consumer") for c in _get(b, "consumers", "list",
                                                              "a buffer", [])],
                         _get(b, "until_end", "bool", "a buffer", False),
                         _get(b, "name", "str", "a buffer"))
    _objective(model, data, task, pairs)
    horizon = _get(data, "horizon", "int?", "the model", None)
    if horizon is not None:
        model.set_horizon(horizon)
    return model


def _objective(model, data, task, pairs):
    """The objective fields set as they were (not through the setters, which would refuse a
    weighted objective on a model that gained optional tasks after it was set)."""
    objective = _get(data, "objective", "str?", "the model", None)
    if objective is not None and objective not in OBJECTIVES:
        raise ModelJSONError(f"model.json: unknown objective {objective!r}")
    model.objective = objective
    if objective == "peak_memory":
        name = _get(data, "objective_memory", "str", "the model")
        memories = [m for m in model.memories if m.name == name]
        if len(memories) != 1:
            raise ModelJSONError(f"model.json: objective_memory {name!r} names "
                                 f"{len(memories)} memories, not one")
        model.objective_memory = memories[0]
    elif "objective_memory" in data:
        raise ModelJSONError("model.json: objective_memory without the peak_memory objective")
    weighted = objective in ("weighted_completion", "weighted_tardiness")
    if not weighted and ("weights" in data or "dues" in data or "earliness" in data):
        raise ModelJSONError("model.json: weights, dues or earliness without a weighted "
                             "objective")
    if weighted:
        model.earliness = _earliness(_get(data, "earliness", "list?", "the model", None),
                                     task)
        model.weights = _indexed(pairs(_get(data, "weights", "list", "the model"), "weights"),
                                 "weight", 0)
        dues = _get(data, "dues", "list?", "the model", None)
        if objective == "weighted_completion" and dues is not None:
            raise ModelJSONError("model.json: dues with the weighted_completion objective")
        model.dues = None if dues is None else _indexed(pairs(dues, "dues"), "due date", None)
        _more_terms(model, data, task)
        if model.earliness and model.cost_terms():
            # as Model.minimize_weighted_sum: no theory bounds that sum
            raise ModelJSONError("model.json: earliness with tardy, max_tardiness or "
                                 "setup_weight terms is not supported")
    elif any(key in data for key in ("tardy", "max_tardiness", "setup_weight")):
        raise ModelJSONError("model.json: tardy, max_tardiness or setup_weight without a "
                             "weighted objective")


def _more_terms(model, data, task):
    """minimize_weighted_sum's more terms: "tardy" [[task, weight, due]], "max_tardiness"
    [{"weight", "members": [[task, weight, due]]}], "setup_weight" (absent: none)."""
    def triples(items, what):
        out = []
        for item in items:
            if not (isinstance(item, list) and len(item) == 3):
                raise ModelJSONError(f"model.json: {what} must be [task, weight, due] "
                                     f"triples, got {item!r}")
            out.append((task(item[0], what), item[1], item[2]))
        try:
            return model._due_triples(out, what)
        except ModelJSONError:
            raise
        except ModelError as error:
            raise ModelJSONError(f"model.json: {error}") from None

    model.tardy = triples(_get(data, "tardy", "list", "the model", []), "tardy")
    groups = []
    for item in _get(data, "max_tardiness", "list", "the model", []):
        if not isinstance(item, dict):
            raise ModelJSONError(f"model.json: a max_tardiness group must be an object, got "
                                 f"{item!r}")
        _known(item, ("weight", "members"), "a max_tardiness group")
        weight = _get(item, "weight", "int", "a max_tardiness group")
        if weight < 0:
            raise ModelJSONError(f"model.json: a max_tardiness weight must be >= 0, got "
                                 f"{weight}")
        members = triples(_get(item, "members", "list", "a max_tardiness group"),
                          "a max_tardiness group")
        if not members:
            raise ModelJSONError("model.json: a max_tardiness group needs a member")
        groups.append((int(weight), members))
    model.max_groups = groups
    model.setup_weight = int(_get(data, "setup_weight", "int", "the model", 0))
    if model.setup_weight < 0:
        raise ModelJSONError(f"model.json: setup_weight must be >= 0, got {model.setup_weight}")


def _earliness(items, task):
    """{task index: (weight, due)} of the "earliness" triples [task, weight, due]."""
    out = {}
    for item in items or ():
        if not (isinstance(item, list) and len(item) == 3) or any(
                isinstance(v, bool) or not isinstance(v, numbers.Integral) for v in item[1:]) \
                or item[1] < 0:
            raise ModelJSONError("model.json: earliness must be [task, weight >= 0, due] "
                                 f"triples of integers, got {item!r}")
        t = task(item[0], "earliness")
        if t.index in out:
            raise ModelJSONError(f"model.json: {t.name} has two earliness terms")
        out[t.index] = (int(item[1]), int(item[2]))
    return out


def _indexed(pairs, what, minimum):
    out = {}
    for t, value in pairs:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or \
                (minimum is not None and value < minimum):
            raise ModelJSONError(f"model.json: the {what} of {t.name} must be an integer"
                                 + (f" >= {minimum}" if minimum is not None else "")
                                 + f", got {value!r}")
        if t.index in out:
            raise ModelJSONError(f"model.json: {t.name} has two values for its {what}")
        out[t.index] = int(value)
    return out
