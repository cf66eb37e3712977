"""The writer half of smtsched.sched.model_json: a `Model` as model.json text.

It reads only the model's attributes and imports nothing of smtsched, so that
`Model.solve(proof=DIR)` can write DIR/model.json without an import circle (model_json's reader
half builds Models, so it imports smtsched.sched.model, which reaches the optimiser).
smtsched.sched.model_json re-exports everything here; the format is docs/certificates.md,
section "model.json".
"""
import json

FORMAT = "smtsched-model"
VERSION = 1
OBJECTIVES = ("makespan", "weighted_completion", "weighted_tardiness", "peak_memory")


def dumps(model):
    """The model as JSON text (one line per task, precedence, resource and buffer)."""
    return _lines(as_dict(model))


def as_dict(model):
    tasks = []
    for t in model.tasks:
        item = {"name": t.name, "duration": t.duration}
        if t.release:
            item["release"] = t.release
        if t.deadline is not None:
            item["deadline"] = t.deadline
        if t.optional:
            item["optional"] = True
        tasks.append(item)
    precedences = []
    for p in model.precedences:
        item = {"before": p.before.name, "after": p.after.name}
        if p.min_lag:
            item["min_lag"] = p.min_lag
        if p.max_lag is not None:
            item["max_lag"] = p.max_lag
        precedences.append(item)
    resources = [{"name": r.name, "capacity": r.capacity,
                  "demands": [[t.name, d] for t, d in r.demands]} for r in model.resources]
    data = {"format": FORMAT, "version": VERSION, "name": str(model.name), "tasks": tasks,
            "precedences": precedences, "resources": resources}
    if model.alternatives:
        data["alternatives"] = [{"task": t.name, "options": [o.name for o in options]}
                                for t, options in model.alternatives]
    if model.nonrenewables:
        data["nonrenewables"] = [{"name": r.name, "capacity": r.capacity,
                                  "consumption": [[t.name, a] for t, a in r.consumption]}
                                 for r in model.nonrenewables]
    if model.presence_rules:
        data["presence_rules"] = [dict({"kind": r.kind, "tasks": [t.name for t in r.tasks]},
                                       **({} if r.condition is None
                                          else {"condition": r.condition.name}))
                                  for r in model.presence_rules]
    if model.setups:
        number = {id(r): k for k, r in enumerate(model.resources)}
        data["setups"] = [{"resource": number[id(s.resource)],
                           "times": [[a.name, b.name, d] for (a, b), d in s.times.items()]}
                          for s in model.setups]
    if model.memories:
        data["memories"] = [_memory(m) for m in model.memories]
    data["objective"] = model.objective
    if model.objective == "peak_memory":
        data["objective_memory"] = model.objective_memory.name
    if model.objective in ("weighted_completion", "weighted_tardiness"):
        data["weights"] = [[model.tasks[i].name, w] for i, w in model.weights.items()]
        if model.dues is not None:
            data["dues"] = [[model.tasks[i].name, d] for i, d in model.dues.items()]
        if model.earliness:
            # weight * max(0, due - end) per task (Model.minimize_weighted_sum's earliness)
            data["earliness"] = [[model.tasks[i].name, w, d]
                                 for i, (w, d) in model.earliness.items()]
        names = [t.name for t in model.tasks]
        if model.tardy:
            data["tardy"] = [[names[i], w, due] for i, w, due in model.tardy]
        if model.max_groups:
            data["max_tardiness"] = [{"weight": weight, "members": [[names[i], w, due]
                                                                    for i, w, due in members]}
                                     for weight, members in model.max_groups]
        if model.setup_weight:
            data["setup_weight"] = model.setup_weight
    if model.horizon is not None:
        data["horizon"] = model.horizon
    return data


def _memory(memory):
    item = {"name": memory.name}
    if memory.capacity is not None:
        item["capacity"] = memory.capacity
    buffers = []
    for b in memory.buffers:
        buffer = {"name": b.name, "size": b.size}
        if b.producer is not None:
            buffer["producer"] = b.producer.name
        if b.consumers:
            buffer["consumers"] = [t.name for t in b.consumers]
        if b.until_end:
            buffer["until_end"] = True
        buffers.append(buffer)
    item["buffers"] = buffers
    return item


def _lines(data):
    """JSON with one list item per line: readable and diffable, and no bigger than needed."""
    def dump(value):
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    parts = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            items = ",\n  ".join(dump(v) for v in value)
            parts.append(f"{dump(key)}:[\n  {items}]")
        else:
            parts.append(f"{dump(key)}:{dump(value)}")
    return "{" + ",\n".join(parts) + "}\n"
