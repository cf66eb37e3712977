"""Gantt charts of schedules (matplotlib, an optional dependency, imported only here)."""


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
    axes.set_yticks(range(len(rows)))
    axes.set_yticklabels([name for name, _ in rows])
    axes.invert_yaxis()
    axes.set_xlabel("time")
    title = f"{model.name}: {result.status}"
    if result.objective is not None:
        title += f", makespan {result.objective}"
    if result.lower_bound is not None:
        title += f", bound {result.lower_bound}"
    axes.set_title(title)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
