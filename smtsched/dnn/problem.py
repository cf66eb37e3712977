"""A neural-network graph on an accelerator, as a scheduling model (smtsched.sched), and the
schedule read back in the graph's terms.

    problem = DnnProblem(graph, accelerator, objective="latency", memory=8 << 20)
    schedule = problem.solve(time_limit=60)
    schedule.status, schedule.latency, schedule.peak_memory, schedule.gap

- every operator is a task; a data dependency (a tensor from one operator to another) is a
  precedence: the consumer starts once the producer has ended;
- the units of one kind are one renewable resource of capacity "how many" (a machine when
  there is one): identical units, so a schedule that never runs more operators of a kind at
  once than there are units can be put on named units afterwards (interval colouring, done
  greedily by start time);
- an operator that more than one kind of unit can run gets one optional task per kind, with
  that kind's latency, and exactly one is chosen: binding and ordering in one exact search,
  as in the SDC+SAT formulation of Dai, Liu and Zhang (FPGA 2018);
- every activation tensor is a buffer of the memory: live from its producer's start (time 0
  for a graph input) to the end of its last consumer (to the end for a graph output).
  Weights stay in their own storage and are not counted (the peak-activation-memory measure
  of SERENITY, Ahn et al. 2020, and OLLA, Steiner et al. 2022).

Objectives: "latency" (the makespan) or "peak-memory"; a memory budget bounds the live bytes
in both. Single-stream execution is an accelerator with one unit that runs everything.
"""
import sys
import time

from ..sched import Model, check, heuristic
from ..sched import bounds as sched_bounds
from ..sched.memory import quick_lower_bound
from ..sched.model import ModelError
from ..sched.optimize import ScheduleCheckError
from ..sched.result import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, Result
from .schedule import DnnSchedule
from .segments import segment_graphs, segments

OBJECTIVES = ("latency", "peak-memory")


class DnnProblemError(ModelError):
    """The graph, the accelerator and the options do not make a problem we can solve."""


class DnnProblem:
    def __init__(self, graph, accelerator, objective="latency", memory=None):
        if objective not in OBJECTIVES:
            raise DnnProblemError(f"unknown objective {objective!r} (expected one of "
                                  f"{', '.join(OBJECTIVES)})")
        self.graph = graph
        self.accelerator = accelerator
        self.objective = objective
        self.memory_budget = memory if memory is not None else accelerator.memory
        if self.memory_budget is not None and self.memory_budget < 0:
            raise DnnProblemError(f"the memory budget must be positive, got {self.memory_budget}")
        self.model = Model(graph.name)
        self.task = {}          # operator name -> its task
        self.options = {}       # operator name -> [(unit kind or None, latency, task)]
        self._build()

    def _build(self):
        graph, accelerator, model = self.graph, self.accelerator, self.model
        users = {kind: [] for kind in accelerator.units}
        for op in graph.operators:
            options = accelerator.options(op)
            if len(options) == 1:
                unit, latency = options[0]
                task = model.task(op.name, duration=latency)
                self.options[op.name] = [(unit, latency, task)]
                if unit is not None:
                    users[unit].append(task)
            else:
                # the main task lasts as long as its fastest option (a valid bound for the
                # heads and tails); precedences leave from the chosen option, which ends when
                # the operator really ends
                task = model.task(op.name, duration=min(lat for _, lat in options))
                chosen = []
                for unit, latency in options:
                    option = model.task(f"{op.name}@{unit}", duration=latency, optional=True)
                    chosen.append((unit, latency, option))
                    if unit is not None:
                        users[unit].append(option)
                model.alternative(task, [t for _, _, t in chosen])
                self.options[op.name] = chosen
            self.task[op.name] = task
        for op in graph.operators:
            after = self.task[op.name]
            for name in graph.predecessors(op.name):
                for _, _, before in self._ends(name):
                    model.precedence(before, after)
                if len(self.options[name]) > 1:
                    # implied by the options' precedences, but between mandatory tasks: the
                    # critical-path bound and the heuristic see the chain
                    model.precedence(self.task[name], after)
        for kind, count in accelerator.units.items():
            tasks = [t for t in users[kind] if t.duration > 0]
            if not tasks:
                continue
            if count == 1:
                model.unary(tasks, name=kind)
            elif count < len(tasks):
                model.cumulative({t: 1 for t in tasks}, count, name=kind)
        needs_memory = self.objective == "peak-memory" or self.memory_budget is not None
        self.memory = None
        if needs_memory:
            self.memory = model.memory(self.memory_budget, name="memory")
            for tensor in graph.tensors.values():
                producer = None if tensor.producer is None else self.task[tensor.producer]
                # an operator with a choice of units ends when its chosen option ends: its
                # options hold what it reads, and what it writes until then
                consumers = [task for c in tensor.consumers for _, _, task in self._ends(c)]
                if tensor.producer is not None and len(self.options[tensor.producer]) > 1:
                    consumers += [task for _, _, task in self.options[tensor.producer]]
                if producer is None and not consumers and not tensor.is_output:
                    continue  # an input nobody reads occupies nothing we schedule
                model.buffer(self.memory, tensor.size, producer, consumers,
                             until_end=tensor.is_output, name=tensor.name)
        if self.objective == "latency":
            model.minimize_makespan()
        else:
            model.minimize_peak_memory(self.memory)

    def _ends(self, op_name):
        """The tasks whose end is the end of operator `op_name`: its options if it has
        several, else its own task."""
        options = self.options[op_name]
        return options if len(options) > 1 else [(None, None, self.task[op_name])]

    def solve(self, time_limit=None, seed=0, on_solution=None, log=False, split=True):
        """A checked DnnSchedule (status OPTIMAL, FEASIBLE, INFEASIBLE or UNKNOWN).

        With `split` (the default) a graph with cut operators is solved segment by segment
        (smtsched.dnn.segments): the same optimum, much smaller searches."""
        parts = segments(self.graph) if split else [None]
        if len(parts) > 1:
            return self._solve_segments(parts, time_limit, seed, on_solution, log)
        callback = None
        if on_solution is not None:
            def callback(result):
                on_solution(DnnSchedule(self, result))
        result = self.model.solve(time_limit=time_limit, seed=seed, on_solution=callback,
                                  log=log, start_from=self.memory_aware_starts())
        return DnnSchedule(self, result)

    def memory_aware_starts(self):
        """When memory matters: the list schedule that takes the operators in the greedy
        least-memory order, as a schedule to start from (the built-in greedy one only looks
        at time). [] otherwise, or when operators have a choice of units."""
        if self.memory is None or any(len(o) > 1 for o in self.options.values()):
            return []
        from .baselines import least_memory_order, list_schedule
        order = least_memory_order(self)
        placement, _, _ = list_schedule(self, order)
        starts = [0] * len(self.model.tasks)
        for name, (_, start, _) in placement.items():
            starts[self.task[name].index] = start
        out = [starts]
        # One operator at a time, in that order and in the graph's (the file's when it is a
        # topological order): slow, but the least memory a fixed order allows, so under a
        # tight budget often the only start at hand.
        for sequence in (order, [op.name for op in self.graph.operators]):
            starts, clock = [0] * len(self.model.tasks), 0
            for name in sequence:
                starts[self.task[name].index] = clock
                clock += self.task[name].duration
            out.append(starts)
        return out

    def _solve_segments(self, parts, time_limit, seed, on_solution, log):
        """Each segment solved alone, one after the other, then put end to end; the whole
        schedule is checked against the whole model. Time is shared in proportion to the
        operators still to schedule (a segment that finishes early leaves its time to the
        next ones).

        Every improvement of a segment is reported as a whole schedule: the segments done,
        the segment being solved, and the greedy schedule's pieces for the segments to come
        (each piece shifted to start where the previous one ends: segments run one after the
        other, so a piece of a valid schedule stays valid)."""
        started = time.perf_counter()
        deadline = None if time_limit is None else started + time_limit
        model = self.model
        graphs = segment_graphs(self.graph, parts)
        stats = {"segments": len(parts)}
        # per segment: (starts and presence by task index relative to the segment's start,
        # length) of its best schedule so far; and its proven bound
        pieces = [None] * len(parts)
        bounds = [0] * len(parts)
        static = quick_lower_bound(model, self.memory) if self.memory is not None else 0
        first = heuristic.serial_schedule(model, seed)
        if first is not None and not check.violations(model, first):
            for k, graph in enumerate(graphs):
                pieces[k] = self._piece(graph, first, [True] * len(first))

        def combined():
            """The whole schedule from the pieces (None while a segment has none)."""
            if any(piece is None for piece in pieces):
                return None
            starts = [0] * len(model.tasks)
            present = [not t.optional for t in model.tasks]
            offset = 0
            for relative, length in pieces:
                for index, (start, there) in relative.items():
                    starts[index] = start + offset
                    present[index] = there
                offset += length
            return starts, present

        def lower_bound():
            if self.objective == "latency":
                return sum(bounds)
            return max(bounds + [static])

        last = [None]  # when the last whole schedule was reported

        def report():
            # checking a whole schedule costs a pass over the model: at most twice a second
            now = time.perf_counter()
            if on_solution is None or (last[0] is not None and now - last[0] < 0.5):
                return
            schedule = combined()
            if schedule is None or check.violations(model, *schedule):
                return
            last[0] = now
            value = model.objective_value(*schedule)
            lower = min(lower_bound(), value)
            on_solution(self._finish(OPTIMAL if value == lower else FEASIBLE, value, lower,
                                     schedule, started, stats))

        report()
        statuses = []
        remaining = len(self.graph.operators)
        for number, graph in enumerate(graphs):
            sub = DnnProblem(graph, self.accelerator, self.objective, self.memory_budget)
            if deadline is not None and time.perf_counter() >= deadline and \
                    pieces[number] is not None:
                # out of time: the greedy piece stands for this segment, with the bound
                # that needs no search
                statuses.append(UNKNOWN)
                remaining -= len(graph.operators)
                bounds[number] = sched_bounds.makespan_lower_bound(sub.model) \
                    if self.objective == "latency" else quick_lower_bound(sub.model, sub.memory)
                continue
            limit = None
            if deadline is not None:
                share = len(graph.operators) / remaining
                limit = max(0.0, (deadline - time.perf_counter()) * share)
            remaining -= len(graph.operators)
            # a big segment shows its own progress (times counted from its own start)
            detailed = log and len(graph.operators) >= 20

            def improved(result, sub=sub, number=number, graph=graph):
                pieces[number] = self._piece_of(sub, graph, result)
                bounds[number] = result.lower_bound or 0
                report()

            if detailed:
                print(f"[{time.perf_counter() - started:8.2f}s] segment {number + 1}/"
                      f"{len(parts)}: {len(graph.operators)} operators", file=sys.stderr,
                      flush=True)
            part = sub.model.solve(time_limit=limit, seed=seed, log=detailed,
                                   start_from=sub.memory_aware_starts(),
                                   on_solution=improved if on_solution is not None else None)
            statuses.append(part.status)
            for key, value in part.stats.items():
                if isinstance(value, int) and not isinstance(value, bool):
                    stats[key] = stats.get(key, 0) + value
            if part.status == INFEASIBLE:
                return self._finish(INFEASIBLE, None, None, None, started, stats)
            if part.starts == {}:
                return self._finish(UNKNOWN, None, None, None, started, stats,
                                    reason=f"segment {number + 1}: {part.reason or 'no schedule'}")
            pieces[number] = self._piece_of(sub, graph, part)
            bounds[number] = part.lower_bound if part.lower_bound is not None else 0
            if log and (len(graph.operators) > 1 or number + 1 == len(parts)):
                schedule = combined()
                value = None if schedule is None else model.objective_value(*schedule)
                print(f"[{time.perf_counter() - started:8.2f}s] {number + 1}/{len(parts)} "
                      f"segments done: {self.objective} {value}, bound {lower_bound()}",
                      file=sys.stderr, flush=True)
        schedule = combined()
        problems = check.violations(model, *schedule)
        if problems:
            raise ScheduleCheckError("internal error: the segments' schedules put together "
                                     f"fail the check: {problems[0]}; please report this graph")
        value = model.objective_value(*schedule)
        lower = min(lower_bound(), value)
        status = OPTIMAL if value == lower else FEASIBLE
        reason = "timeout: a segment's search stopped without a proof" \
            if status == FEASIBLE and UNKNOWN in statuses else ""
        result = self._finish(status, value, lower, schedule, started, stats, reason)
        if on_solution is not None:
            on_solution(result)
        return result

    def _piece(self, graph, starts, present):
        """The part of a whole schedule (by task index of this model) that covers the
        operators of segment `graph`: relative starts from the segment's first start, and
        the segment's length."""
        begin = min(starts[self.task[op.name].index] for op in graph.operators)
        relative, end = {}, begin
        for op in graph.operators:
            main = self.task[op.name]
            for _, latency, task in self.options[op.name]:
                there = present[task.index]
                relative[task.index] = (starts[main.index] - begin, there)
                if there:
                    end = max(end, starts[main.index] + latency)
            relative[main.index] = (starts[main.index] - begin, True)
        return relative, end - begin

    def _piece_of(self, sub, graph, result):
        """A segment's own schedule (a Result of the segment's model) as a piece of this one."""
        starts = [0] * len(self.model.tasks)
        present = [not t.optional for t in self.model.tasks]
        for op in graph.operators:
            main = self.task[op.name]
            starts[main.index] = result.start(sub.task[op.name])
            for (_, _, mine), (_, _, theirs) in zip(self.options[op.name], sub.options[op.name]):
                if mine is not main:
                    present[mine.index] = bool(result.present(theirs))
                    starts[mine.index] = starts[main.index]
        return self._piece(graph, starts, present)

    def _finish(self, status, value, lower, schedule, started, stats, reason=""):
        runtime = time.perf_counter() - started
        stats = dict(stats, runtime=runtime)
        if schedule is None:
            result = Result(self.model, status, lower_bound=lower, runtime=runtime, stats=stats,
                            reason=reason)
        else:
            result = Result(self.model, status, objective=value, lower_bound=lower,
                            starts=schedule[0], present=schedule[1], runtime=runtime,
                            stats=stats, reason=reason)
        return DnnSchedule(self, result)
