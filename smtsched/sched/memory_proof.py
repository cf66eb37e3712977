"""What a certificate says about a model's memories (docs/certificates.md: atoms.txt's `live`,
`slack` and `guard peak` lines, the memory keys of constraints.json's pseudo-Boolean rows,
the `input` lemmas of the capacities): the lowering's liveness (smtsched.sched.liveness)
told to the proof sink (smtsched.certify.emit.Certificate), by name.

Nothing is computed again here: the lowering knows which literal is "buffer B live at the
start of T", which buffers it folded into a row's constant (MemoryLiveness.fixed_buffers) and
what each capacity became (MemoryLiveness.stated: a row, a clause, or the false clause when
the constant alone breaks it). Only proof mode calls this; the checker re-derives every
claim from model.json.
"""
import json


def describe(certificate, lowering, peak=None):
    """Tell `certificate` the meaning of every memory's live literals, the memory keys of the
    capacity rows and the input lemmas of the capacities stated as clauses. `peak`: (the
    objective memory's MemoryLiveness, its slack bits, its peak rows) of
    LoweringBackend._peak_rows, or None."""
    tasks = lowering.model.tasks
    for lowered in lowering.memories:
        memory = lowered.memory
        name = json.dumps(memory.name)
        buffer_names = [json.dumps(b.name) for b in memory.buffers]
        for number, (_, live, _, _) in enumerate(lowered.sums):
            if not live:
                continue
            instant = _instant_text(tasks, lowered.instants[number])
            for var, b in zip(live, lowered.buffers[number]):
                certificate.name(var, f"live {name} {buffer_names[b]} {instant}")
        for number, bound, kind, item, guard in lowered.stated:
            if guard is not None:
                continue   # (guarded capacity rows: the optimiser makes none)
            fields = row_fields(lowering, lowered, number)
            if kind == "row":
                certificate.describe_row(item, fields)
            elif kind == "clause":
                _, live, sizes, _ = lowered.sums[number]
                record = {"kind": "pseudo_boolean", "literals": list(live),
                          "weights": list(sizes), "bound": bound - lowered.sums[number][0]}
                record.update(fields)
                certificate.input_lemma(item, "slack", {}, record)
            else:   # the constant alone exceeds the capacity
                certificate.input_lemma(item, "memory", {
                    "memory": memory.name, "instant": fields["instant"],
                    "buffers": fields["fixed"]})
    if peak is not None:
        lowered, bits, rows = peak
        name = json.dumps(lowered.memory.name)
        for k, bit in enumerate(bits):
            certificate.name(bit, f"slack {name} {k}")
        for number, spec in enumerate(rows):
            certificate.describe_row(spec, row_fields(lowering, lowered, number))


def row_fields(lowering, lowered, number):
    """The memory keys of the row of instant `number` of `lowered` (a MemoryLiveness)."""
    j = lowered.instants[number]
    buffers = lowered.memory.buffers
    return {"memory": lowered.memory.name,
            "instant": None if j < 0 else lowering.model.tasks[j].name,
            "fixed": [buffers[b].name for b in lowered.fixed_buffers[number].tolist()]}


def guard_words(memory, bound):
    """atoms.txt's words for the guard of "peak of `memory` <= bound"."""
    return f"guard peak {json.dumps(memory.name)} <= {bound}"


def _instant_text(tasks, j):
    return "null" if j < 0 else json.dumps(tasks[j].name)
