"""Gantt charts of schedules (matplotlib, an optional dependency, imported only here)."""


def _label(axes, rows, title, objective, answer):
    """Row names top to bottom, and a title with the objective and its proven bound."""
    axes.set_yticks(range(len(rows)))
    axes.set_yticklabels(rows)
    axes.invert_yaxis()
    if answer.objective is not None:
        title += f", {objective} {answer.objective}"
    if answer.lower_bound is not None:
        title += f", bound {answer.lower_bound}"
    axes.set_title(title)


def gantt(model, result, path):
    """One row per resource (tasks on no resource get a row of their own), one bar per task."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = []
    placed = set()
    for resource in model.resources:
        rows.append((resource.name, [t for t, _ in resource.demands]))
        placed.update(t.index for t, _ in resource.demands)
    loose = [t for t in model.tasks if t.index not in placed]
    if loose:
        rows.append(("(no resource)", loose))
    height = max(2.0, 0.4 * len(rows) + 1)
    figure, axes = plt.subplots(figsize=(10, height))
    for y, (name, tasks) in enumerate(rows):
        for task in tasks:
            start = result.start(task)
            if start is None or task.duration == 0:
                continue
            axes.barh(y, task.duration, left=start, height=0.6, edgecolor="black",
                      color=f"C{task.index % 10}")
    _label(axes, [name for name, _ in rows], f"{model.name}: {result.status}", "makespan",
           result)
    axes.set_xlabel("time")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def dnn_chart(schedule, path):
    """A DNN schedule: a Gantt chart with one row per unit, and below it the live activation
    memory over time with the budget as a line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    problem = schedule.problem
    units = [f"{kind}[{i}]" for kind, count in problem.accelerator.units.items()
             for i in range(count)]
    if any(e["unit"] is None for e in schedule.operations):
        units.append("(no unit)")
    row = {name: y for y, name in enumerate(units)}
    height = max(3.0, 0.35 * len(units) + 3)
    figure, (gantt_axes, memory_axes) = plt.subplots(
        2, 1, figsize=(11, height), sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    kinds = sorted({e["kind"] for e in schedule.operations})
    colour = {kind: f"C{i % 10}" for i, kind in enumerate(kinds)}
    for entry in schedule.operations:
        if entry["end"] == entry["start"]:
            continue
        y = row[entry["unit"] or "(no unit)"]
        gantt_axes.barh(y, entry["end"] - entry["start"], left=entry["start"], height=0.6,
                        edgecolor="black", linewidth=0.3, color=colour[entry["kind"]])
    _label(gantt_axes, units,
           f"{problem.graph.name} on {problem.accelerator.name}: {schedule.status}",
           problem.objective, schedule)
    if schedule.profile:
        times = [t for t, _ in schedule.profile] + [schedule.latency]
        uses = [u for _, u in schedule.profile] + [schedule.profile[-1][1]]
        memory_axes.step(times, uses, where="post", label="live activations")
    if problem.memory_budget is not None:
        memory_axes.axhline(problem.memory_budget, color="red", linestyle="--", label="budget")
    memory_axes.set_ylabel("bytes")
    memory_axes.set_xlabel("time")
    memory_axes.legend(loc="upper right")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
