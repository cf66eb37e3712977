"""What a scheduling solve returns: a status, a checked schedule, its objective, the proven
lower bound and the gap between them."""
import json

OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN = "OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN"


class Result:
    """`status` is OPTIMAL (proven), FEASIBLE (a checked schedule; `gap` says how far from the
    bound), INFEASIBLE (proven) or UNKNOWN (`reason` says why)."""

    def __init__(self, model, status, objective=None, lower_bound=None, starts=None,
                 present=None, runtime=0.0, stats=None, reason=""):
        self.model = model
        self.status = status
        self.objective = objective
        self.lower_bound = lower_bound
        self._starts = starts
        self._present = present
        self.runtime = runtime
        self.stats = dict(stats or {})
        self.reason = reason

    @property
    def gap(self):
        """(objective - lower bound) / objective; 0 when optimal, None without a schedule."""
        if self.objective is None or self.lower_bound is None:
            return None
        if self.objective <= 0:
            return 0.0
        return max(0.0, (self.objective - self.lower_bound) / self.objective)

    def _task(self, task):
        if isinstance(task, str):
            task = self.model[task]
        return task

    def start(self, task):
        """The start time of `task` (a Task or its name); None if absent or no schedule."""
        if self._starts is None:
            return None
        task = self._task(task)
        if self._present is not None and not self._present[task.index]:
            return None
        return self._starts[task.index]

    def end(self, task):
        start = self.start(task)
        return None if start is None else start + self._task(task).duration

    def present(self, task):
        if self._starts is None:
            return None
        return True if self._present is None else self._present[self._task(task).index]

    @property
    def starts(self):
        """{task name: start} of the present tasks (empty without a schedule)."""
        if self._starts is None:
            return {}
        return {t.name: self._starts[t.index] for t in self.model.tasks
                if self._present is None or self._present[t.index]}

    def as_dict(self):
        return {"status": self.status, "objective": self.objective,
                "lower_bound": self.lower_bound, "gap": self.gap,
                "runtime": round(self.runtime, 6), "starts": self.starts,
                "reason": self.reason, "stats": self.stats}

    def to_json(self, **options):
        return json.dumps(self.as_dict(), **options)

    def __repr__(self):
        return (f"Result({self.status}, objective={self.objective}, "
                f"lower_bound={self.lower_bound}, gap={self.gap})")
