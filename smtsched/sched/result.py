"""What a scheduling solve returns: a status, a checked schedule, its objective, the proven
lower bound and the gap between them."""
import json

from ..errors import SmtschedError

OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN = "OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN"


class InconsistentResult(SmtschedError, AssertionError):
    """Internal error: a status that its numbers contradict (never returned to a caller)."""


class Result:
    """`status` is OPTIMAL (proven), FEASIBLE (a checked schedule; `gap` says how far from the
    bound), INFEASIBLE (proven) or UNKNOWN (`reason` says why).

    The status agrees with the numbers by construction (issue 14): OPTIMAL exactly when there
    is a schedule and the lower bound equals its objective (for a model without an objective:
    any schedule); FEASIBLE when there is a schedule and the bound is below its objective (or
    unknown); INFEASIBLE with no schedule, objective or bound; UNKNOWN without a schedule
    (a lower bound may be known). A FEASIBLE whose bound meets its objective is OPTIMAL: the
    bound is the proof. Any other contradiction is an internal error, raised here so that no
    such Result ever reaches a caller. `status`, `objective` and `lower_bound` are read-only.

    With `solve(proof=DIR)`: `certificate` is DIR once a certificate of the answer was written
    there (docs/certificates.md; `smtsched.certify.check(DIR)` checks it), else None, and
    `certificate_note` says why none was written ("" when one was, or none was asked for)."""

    def __init__(self, model, status, objective=None, lower_bound=None, starts=None,
                 present=None, runtime=0.0, stats=None, reason=""):
        self.model = model
        self._status, self._objective, self._lower_bound = _consistent(
            status, objective, lower_bound, starts is not None)
        self._starts = starts
        self._present = present
        self.runtime = runtime
        self.stats = dict(stats or {})
        self.reason = reason
        self.certificate = None
        self.certificate_note = ""
        self.certificate_time = None   # seconds spent writing the certificate (in runtime)

    status = property(lambda self: self._status)
    objective = property(lambda self: self._objective)
    lower_bound = property(lambda self: self._lower_bound)

    @property
    def gap(self):
        """(objective - lower bound) / objective (the denominator at least 1): 0 exactly when
        optimal, above 0 when FEASIBLE, None without a schedule or a bound."""
        if self.objective is None or self.lower_bound is None:
            return None
        if self.lower_bound == self.objective:
            return 0.0
        return (self.objective - self.lower_bound) / max(abs(self.objective), 1)

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
        data = {"status": self.status, "objective": self.objective,
                "lower_bound": self.lower_bound, "gap": self.gap,
                "runtime": round(self.runtime, 6), "starts": self.starts,
                "reason": self.reason, "stats": self.stats}
        if self.certificate is not None or self.certificate_note:   # a proof was asked for
            data["certificate"] = self.certificate
            data["certificate_note"] = self.certificate_note
        return data

    def to_json(self, **options):
        return json.dumps(self.as_dict(), **options)

    def __repr__(self):
        return (f"Result({self.status}, objective={self.objective}, "
                f"lower_bound={self.lower_bound}, gap={self.gap})")


def _consistent(status, objective, lower, scheduled):
    """(status, objective, lower bound) checked against each other; see Result."""
    def wrong(why):
        return InconsistentResult(f"internal error: a {status} result {why} (objective "
                                  f"{objective}, lower bound {lower}); please report this model")
    if status not in (OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN):
        raise wrong("has no such status")
    if status == INFEASIBLE:
        if scheduled or objective is not None or lower is not None:
            raise wrong("carries a schedule or a number")
        return status, None, None
    if status == UNKNOWN:
        if scheduled or objective is not None:
            raise wrong("carries a schedule (that is FEASIBLE at least)")
        return status, None, lower
    if not scheduled:
        raise wrong("has no schedule")
    if objective is None:
        if lower is not None:
            raise wrong("has a bound but no objective")
        return OPTIMAL, None, None  # no objective: any checked schedule answers the question
    if lower is None:
        if status == OPTIMAL:
            raise wrong("has no bound to prove it")
        return FEASIBLE, objective, None
    if lower > objective:
        raise wrong("has a lower bound above its own objective")
    if lower == objective:
        return OPTIMAL, objective, lower
    if status == OPTIMAL:
        raise wrong("has a lower bound below its objective")
    return FEASIBLE, objective, lower
