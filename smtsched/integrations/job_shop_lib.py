"""A job-shop-lib solver backed by smtsched (issue 17).

`SmtschedSolver(time_limit=..., seed=0)(instance)` takes a `job_shop_lib.JobShopInstance` and
returns a `job_shop_lib.Schedule`, the contract of job-shop-lib's `BaseSolver` (its own
`ORToolsSolver` is the model we follow for the metadata: "status", "makespan"; we add
"lower_bound"). Operations' `release_date` and `deadline` (latest end, as in job-shop-lib's
CP-SAT model) become the tasks' releases and deadlines. Flexible operations (more than one
machine) are refused by name rather than solved wrongly.

job-shop-lib is imported when the class is first built, not when smtsched is imported: it pins
OR-Tools below 9.13 (docs/integrations.md) and most users of smtsched do not have it.
"""

from ..errors import SmtschedError


class JobShopLibError(SmtschedError, ValueError):
    """The instance uses a feature this bridge does not translate, or no schedule was found."""


def build_model(instance):
    """A `smtsched.sched.Model` minimising the makespan of `instance`, with the task of
    every operation in `tasks[job][position]`."""
    from ..sched.model import Model
    from ..sched.text_formats import machines_and_makespan

    model = Model(name=str(getattr(instance, "name", "job-shop-lib")))
    tasks = []
    by_machine = {}
    for j, job in enumerate(instance.jobs):
        row = []
        for p, op in enumerate(job):
            if len(op.machines) != 1:
                raise JobShopLibError(
                    f"operation {p} of job {j} may run on machines {op.machines}: flexible "
                    "job shops are not supported by SmtschedSolver")
            t = model.task(f"j{j}o{p}", duration=op.duration, release=op.release_date,
                           deadline=op.deadline)
            if row:
                model.precedence(row[-1], t)
            row.append(t)
            by_machine.setdefault(op.machines[0], []).append(t)
        tasks.append(row)
    machines_and_makespan(model, by_machine)
    return model, tasks


def _solver_class():
    try:
        from job_shop_lib import BaseSolver, Schedule, ScheduledOperation
    except ImportError as exc:  # depends on the environment
        raise ImportError("SmtschedSolver needs job-shop-lib: pip install 'job-shop-lib>=1.7.2' "
                          "(docs/integrations.md)") from exc

    class SmtschedSolver(BaseSolver):
        """`SmtschedSolver(time_limit=None, seed=0)`: a job-shop-lib `BaseSolver` (see the
        module). `solve(instance)` returns a complete `Schedule` or raises JobShopLibError."""

        def __init__(self, time_limit=None, seed=0):
            self.time_limit = time_limit
            self.seed = seed

        def solve(self, instance):
            model, tasks = build_model(instance)
            result = model.solve(time_limit=self.time_limit, seed=self.seed)
            # `starts` is {} without a schedule (INFEASIBLE, or UNKNOWN at the time limit)
            if not result.starts:
                raise JobShopLibError(f"no schedule: smtsched answered {result.status}"
                                      + (f" ({result.reason})" if result.reason else ""))
            plan = [[] for _ in range(instance.num_machines)]
            for j, job in enumerate(instance.jobs):
                for p, op in enumerate(job):
                    plan[op.machines[0]].append(
                        ScheduledOperation(op, result.start(tasks[j][p]), op.machines[0]))
            for row in plan:
                row.sort(key=lambda s: s.start_time)
            # Schedule() checks machine overlaps itself; the Result was checked against the
            # model before smtsched returned it
            schedule = Schedule(instance, plan, status=str(result.status).lower(),
                                makespan=result.objective, lower_bound=result.lower_bound)
            if schedule.makespan() != result.objective:
                raise JobShopLibError(f"internal: makespan {schedule.makespan()} != smtsched's "
                                      f"objective {result.objective}")
            return schedule

    return SmtschedSolver


_cache = {}


def __getattr__(name):
    # PEP 562: job-shop-lib is imported when SmtschedSolver is first asked for
    if name == "SmtschedSolver":
        if name not in _cache:
            _cache[name] = _solver_class()
        return _cache[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
