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
import math
import sys
import time

from ..sched import Model, check, heuristic
from ..sched import bounds as sched_bounds
from ..sched.memory import quick_lower_bound
from ..sched.model import ModelError
from ..sched.optimize import ScheduleCheckError
from ..sched.result import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, Result
from .schedule import DnnSchedule, memory_profile
from .segments import segment_graphs, segments

OBJECTIVES = ("latency", "peak-memory")


class DnnProblemError(ModelError):
    """The graph, the accelerator and the options do not make a problem we can solve."""


class GreedyTimeout(Exception):
    """DnnProblem.greedy_schedule ran past its deadline."""


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
        self._memory_aware_cache = None
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

    def solve(self, time_limit=None, seed=0, on_solution=None, log=False, split=True,
              proof=None):
        """A checked DnnSchedule (status OPTIMAL, FEASIBLE, INFEASIBLE or UNKNOWN).

        With `split` (the default) a graph with cut operators is solved segment by segment
        (smtsched.dnn.segments): the same optimum, much smaller searches. Whenever a greedy
        schedule exists (a list schedule always does without a memory budget) the answer has
        a schedule, whatever the time limit: OPTIMAL, or FEASIBLE with the proven bound.

        `proof`: a folder for the certificate of an OPTIMAL or INFEASIBLE answer
        (docs/certificates.md): `schedule.result.certificate` is then the folder, else None
        with `certificate_note` saying why (see `_certify`)."""
        started = time.perf_counter()
        schedule = self._solve(time_limit, seed, on_solution, log, split, started)
        if proof is not None:
            deadline = None if time_limit is None else started + time_limit
            self._certify(schedule.result, proof, deadline, seed, log)
        return schedule

    def _certify(self, result, proof, deadline, seed, log):
        """The certificate of `result` (OPTIMAL or INFEASIBLE), from `self.model.solve(
        proof=...)`: the checker knows the whole model only, not the segments, nor the
        static memory reasoning of `infeasible_reason`, so one more search of the whole
        model, starting from the answer's schedule, refutes a better value (or any schedule)
        within the time left and writes the certificate with the model as DIR/model.json
        (with a memory budget or the peak objective too: the model's memory, see
        docs/certificates.md, "Memories"). A model the checker cannot read gets no search,
        only the note. The whole search must agree with the answer: a different proven
        answer is an internal error, never hidden."""
        from ..sched.proof import Certification

        result.certificate = None
        if result.status not in (OPTIMAL, INFEASIBLE):
            result.certificate_note = (f"no certificate: the answer is {result.status}, not "
                                       "proven")
            return
        request = Certification(self.model, proof)
        if not request.prepare():
            result.certificate_note = request.note
            return
        limit = None
        if deadline is not None:
            limit = deadline - time.perf_counter()
            if limit <= 0:
                result.certificate_note = ("no certificate: no time left for the search of "
                                           "the whole model that writes it")
                return
        start_from = []
        if result.status == OPTIMAL and result._starts is not None and (
                result._present is None or all(result._present)):
            start_from = [list(result._starts)]
        if log:
            print("certificate: one search of the whole model", file=sys.stderr, flush=True)
        whole = self.model.solve(time_limit=limit, seed=seed, start_from=start_from,
                                 proof=proof)
        if whole.status in (OPTIMAL, INFEASIBLE) and (
                whole.status != result.status or whole.objective != result.objective):
            raise ScheduleCheckError(
                f"internal error: the whole model's search answers {whole.status} "
                f"{whole.objective}, the segments' {result.status} {result.objective}; "
                "please report this graph")
        result.certificate = whole.certificate
        result.certificate_note = whole.certificate_note
        if whole.certificate is None and whole.status not in (OPTIMAL, INFEASIBLE):
            result.certificate_note = ("no certificate: the search of the whole model that "
                                       f"writes it did not finish ({whole.status}"
                                       f"{': ' + whole.reason if whole.reason else ''})")

    def _solve(self, time_limit, seed, on_solution, log, split, started):
        reason = self.infeasible_reason()
        if reason:
            return self._finish(INFEASIBLE, None, None, None, started, {}, reason)
        if not self.graph.operators:
            # nothing to schedule: latency 0, and the graph inputs that are outputs live
            profile = memory_profile(self.graph, {}, 0)
            peak = max((use for _, use in profile), default=0)
            if self.memory is not None and self.memory_budget is not None \
                    and peak > self.memory_budget:
                return self._finish(INFEASIBLE, None, None, None, started, {},
                                    f"the graph's outputs need {peak} bytes; the memory "
                                    f"budget is {self.memory_budget} bytes")
            value = 0 if self.objective == "latency" else peak
            return self._finish(OPTIMAL, value, value, ([], []), started, {})
        return self._solve_segments(split, time_limit, seed, on_solution, log, started)

    def segments(self, split=True):
        """The operator names of the segments solved one after the other (one segment without
        `split`): the cut operators' segments, merged where memory is counted and operators
        of no duration make a cut unsound (smtsched.dnn.segments)."""
        if not split:
            return [[op.name for op in self.graph.operators]]
        shortest = None
        if self.memory is not None:
            shortest = {name: min(latency for _, latency, _ in options)
                        for name, options in self.options.items()}
        return segments(self.graph, shortest)

    def infeasible_reason(self):
        """A simple proof that no schedule fits the memory budget, in words, or "": a tensor
        larger than the budget that is live at some instant of every schedule (a graph output,
        or one that an operator taking time writes or reads), or an operator taking time whose
        inputs and outputs together exceed it (all live while it runs)."""
        budget = self.memory_budget
        if self.memory is None or budget is None:
            return ""
        timed = {name for name, options in self.options.items()
                 if min(latency for _, latency, _ in options) > 0}
        for tensor in self.graph.tensors.values():
            users = set(tensor.consumers) | ({tensor.producer} - {None})
            if tensor.size > budget and (tensor.is_output or users & timed):
                return (f"tensor {tensor.name!r} ({tensor.size} bytes) is larger than the "
                        f"memory budget ({budget} bytes)")
        for op in self.graph.operators:
            if op.name in timed:
                needed = sum(self.graph.tensors[t].size for t in set(op.inputs) | set(op.outputs))
                if needed > budget:
                    return (f"operator {op.name!r} needs its inputs and outputs, {needed} bytes, "
                            f"at once; the memory budget is {budget} bytes")
        return ""

    def memory_aware_starts(self):
        """When memory matters: the list schedule that takes the operators in the greedy
        least-memory order, as a schedule to start from (the built-in greedy one only looks
        at time). [] otherwise, or when operators have a choice of units."""
        if self.memory is None or any(len(o) > 1 for o in self.options.values()):
            return []
        return [starts for starts, _ in self._memory_aware()]

    def _memory_aware(self):
        """(starts, present) of the least-memory order's list schedule and of one operator at a
        time in that order, in the graph's and in the file's (the least memory a fixed order
        allows, so under a tight budget often the only start at hand); each operator on its
        fastest option. Then the file order's list schedule. None of the orders is always
        best: on random_layered_n1000 (npu-small) only the file's fits the benchmark's budget."""
        if self._memory_aware_cache is not None:
            return self._memory_aware_cache  # greedy_schedule and the search both ask
        from .baselines import file_topological_order, least_memory_order, list_schedule
        order = least_memory_order(self)
        in_file = file_topological_order(self.graph)
        out = [self._placed(list_schedule(self, order)[0])]
        for sequence in (order, [op.name for op in self.graph.operators], in_file):
            clock, times = 0, {}
            for name in sequence:
                unit, latency, _ = min(self.options[name], key=lambda o: o[1])
                times[name] = (unit, clock, clock + latency)
                clock += latency
            out.append(self._placed(times, by_kind=True))
        out.append(self._placed(list_schedule(self, in_file)[0]))
        self._memory_aware_cache = out
        return out

    def _placed(self, placement, by_kind=False):
        """(starts, present) by task index of a placement {operator: (unit, start, end)}; the
        unit is "kind[i]" (or the kind itself with `by_kind`), None for no unit."""
        starts = [0] * len(self.model.tasks)
        present = [not t.optional for t in self.model.tasks]
        for name, (unit, start, end) in placement.items():
            kind = unit if by_kind or unit is None else unit.split("[")[0]
            main = self.task[name]
            starts[main.index] = start
            options = self.options[name]
            if len(options) > 1:
                chosen = next(task for k, latency, task in options
                              if k == kind and latency == end - start)
                starts[chosen.index] = start
                present[chosen.index] = True
        return starts, present

    def greedy_schedule(self, seed=0, deadline=None, on_first=None):
        """The best valid (starts, present) of the schedules built without search (the serial
        schedule of smtsched.sched.heuristic, list schedules by critical path and by least
        memory, one operator at a time), or None when none is valid: the least objective,
        the earliest built on a tie (`greedy_candidates`' order).

        `deadline` (a time.perf_counter() value): the serial schedule stops there, and the
        memory-aware ones are not started past it (GreedyTimeout when nothing built so far
        fits the budget). The critical-path list schedule is always built: without a memory
        budget it is a schedule whatever the limit, and it is linear (0.1 s on 9,432
        operators; all of them 0.2-0.7 s there, 20 ms on 143).

        `on_first(starts, present)` is called with the first valid candidate as soon as it
        is built, before the others are."""
        best = None
        for number, starts, present, latency, peak in self.greedy_candidates(seed, deadline):
            if best is None and on_first is not None:
                on_first(starts, present)
            score = (latency if self.objective == "latency" else peak, number)
            if best is None or score < best[0]:
                best = (score, starts, present)
        return None if best is None else best[1:]

    def greedy_candidates(self, seed=0, deadline=None):
        """The valid schedules of `greedy_schedule`, each yielded as soon as it is built:
        (number, starts, present, latency, peak memory), `number` its place among all the
        candidates (valid or not). Lazily, so that a caller can report the first one at
        once: on 9,432 operators the serial schedule is ready in 0.2 s, all of them in
        1-2 s. Raises GreedyTimeout at the end when none is valid and the memory-aware ones
        were skipped for the deadline."""
        from .baselines import critical_path_order, list_schedule

        late = [False]  # the memory-aware ones skipped for the deadline

        def built():
            starts = heuristic.serial_schedule(self.model, seed, deadline=deadline)
            yield None if starts is None else (starts, [True] * len(starts))
            yield self._placed(list_schedule(self, critical_path_order(self))[0])
            if self.memory is not None:
                late[0] = deadline is not None and time.perf_counter() > deadline
                if not late[0]:
                    yield from self._memory_aware()  # (built at once: they share an order)

        # dependencies and units hold by construction; the objective and the budget by a
        # sweep over the tensors. (The whole check is made on every whole schedule reported
        # or returned.)
        valid = False
        for number, candidate in enumerate(built()):
            if candidate is None:
                continue
            starts, present = candidate
            latency, peak = self._measure(starts, present)
            if self.memory_budget is not None and peak > self.memory_budget:
                continue
            valid = True
            yield number, starts, present, latency, peak
        if not valid and late[0]:
            raise GreedyTimeout("timeout while building the greedy schedule")

    def _measure(self, starts, present):
        """(latency, peak memory) of a whole schedule of this model."""
        times = {}
        for op in self.graph.operators:
            start = starts[self.task[op.name].index]
            options = self.options[op.name]
            latency = options[0][1] if len(options) == 1 else next(
                lat for _, lat, task in options if present[task.index])
            times[op.name] = (start, start + latency)
        latency = max((end for _, end in times.values()), default=0)
        profile = memory_profile(self.graph, times, latency)
        return latency, max((use for _, use in profile), default=0)

    def _solve_segments(self, split, time_limit, seed, on_solution, log, started):
        """Each segment (`self.segments(split)`) solved alone, then put end to end; the whole
        schedule is checked against the whole model.

        The time limit is for the whole run. The first valid greedy schedule is reported at
        once, before the other greedy candidates and the segments are built (they take 1-3 s
        on 9,432 operators). Every segment starts from its piece of the best greedy whole
        schedule. A first round gives each segment a share of the time left in proportion to
        its operators (a segment that finishes early leaves its time to the next ones); a
        second round gives the time still left to the segments not yet proven, each
        starting from its best piece. A segment whose search runs out keeps its best piece and
        its proven bound, so the answer is the assembled schedule with the sum (latency) or
        the largest (peak memory) of the segments' bounds.

        Every improvement is reported as a whole schedule: the best pieces so far put end to
        end (each piece shifted to start where the previous one ends: segments run one after
        the other, so a piece of a valid schedule stays valid)."""
        deadline = None if time_limit is None else started + time_limit
        model = self.model
        if self.objective == "latency":
            static = sched_bounds.makespan_lower_bound(model)
        else:
            static = quick_lower_bound(model, self.memory)
        last = [None, 0.0, None]  # when the last whole schedule was reported, the check's
        # time, and that schedule with its bound

        def first(starts, present):
            # the static bound only: the segments' own bounds come later
            self._report((starts, present), static, on_solution, last, started, {})

        try:
            greedy = self.greedy_schedule(seed, deadline,
                                          on_first=first if on_solution is not None else None)
        except GreedyTimeout as stop:
            parts = self.segments(split)
            stats = {"segments": len(parts)} if len(parts) > 1 else {}
            return self._finish(UNKNOWN, None, None, None, started, stats,
                                f"{stop}, before a first schedule")
        parts = self.segments(split)
        single = len(parts) == 1
        graphs = [self.graph] if single else segment_graphs(self.graph, parts)
        stats = {"segments": len(parts)} if not single else {}
        count = len(parts)
        # per segment: (starts and presence by task index relative to the segment's start,
        # length) of its best schedule so far, that schedule's objective in the segment's own
        # model, its proven bound, and whether that bound meets it
        pieces, values = [None] * count, [None] * count
        bounds, proven = [0] * count, [False] * count
        reasons = [""] * count  # why a segment's last search stopped without a proof
        subs = [self] if single else [None] * count
        for k, graph in enumerate(graphs):
            if greedy is not None:
                pieces[k] = self._piece(graph, *greedy)
                values[k] = self._segment_value(graph, pieces[k])
            if self.objective == "latency" and not single:
                bounds[k] = self._segment_bound(graph)
            proven[k] = values[k] is not None and bounds[k] >= values[k]

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
                return max(sum(bounds), static)
            return max(bounds + [static])

        def report(force=False):
            # checking a whole schedule costs a pass over the model: at most twice a second,
            # and at most a fifth of the time
            now = time.perf_counter()
            if on_solution is None or (not force and last[0] is not None
                                       and now - last[0] < max(0.5, 4 * last[1])):
                return
            schedule, lower = combined(), lower_bound()
            if schedule is None or (schedule, lower) == last[2]:
                return  # (nothing new: the first greedy schedule, the best, and its bound)
            self._report(schedule, lower, on_solution, last, started, stats)

        def keep(k, sub, graph, result):
            """Take a segment result's schedule if it beats the segment's best piece, and
            its proven bound."""
            if result.status != INFEASIBLE and result.lower_bound is not None:
                bounds[k] = max(bounds[k], result.lower_bound)
            if result.starts and (values[k] is None or result.objective < values[k]):
                pieces[k] = self._piece_of(sub, graph, result)
                values[k] = result.objective
            if values[k] is not None and bounds[k] >= values[k]:
                proven[k] = True

        report(force=True)
        whole = combined()
        if whole is not None and model.objective_value(*whole) <= lower_bound():
            # the greedy schedule meets the static bound (e.g. one unit running everything):
            # nothing left to search for
            proven = [True] * count
        if deadline is not None:
            # keep time for the whole check of the assembled schedule at the end (measured
            # by the first report, else estimated: sweeps, 0.03 s on 9,432 operators): a
            # caller that stops us at the limit still gets the result
            buffers = len(self.memory.buffers) if self.memory is not None else 0
            check_time = last[1] if last[0] is not None else 5e-6 * (len(model.tasks) + buffers)
            # and for a search stopped at its limit to unwind (a half-built encoding is
            # freed: 0.7 s on 9,432 operators, in proportion to the tasks)
            unwind = 1e-4 * len(model.tasks)
            deadline -= min(time_limit / 4, 1.5 * check_time + unwind + 0.1)
        for round_ in (0, 1):
            todo = [k for k in range(count) if not proven[k]]
            if round_ == 1 and (deadline is None or not todo):
                break
            if self.objective == "peak-memory":
                # the peak is the largest segment's: the largest ones first, and none whose
                # best is already at the proven bound (nothing to gain there)
                todo.sort(key=lambda k: -values[k] if values[k] is not None else -math.inf)
            weight = sum(len(parts[k]) for k in todo)
            for k in todo:
                graph = graphs[k]
                if proven[k] or (self.objective == "peak-memory" and values[k] is not None
                                 and values[k] <= lower_bound()):
                    weight -= len(parts[k])
                    continue
                now = time.perf_counter()
                if deadline is not None and now >= deadline:
                    # out of time: the best pieces stand, with their bounds; a segment
                    # without one still gets its own quick schedule, the segment's greedy one
                    # (no encoding: building one takes seconds on thousands of operators,
                    # and the whole graph's greedy schedule was that segment's when single)
                    if pieces[k] is None and not single:
                        if subs[k] is None:
                            subs[k] = DnnProblem(graph, self.accelerator, self.objective,
                                                 self.memory_budget)
                        sub = subs[k]
                        quick = sub.greedy_schedule(seed)
                        if quick is not None:
                            keep(k, sub, graph, Result(
                                sub.model, FEASIBLE, objective=sub.model.objective_value(*quick),
                                starts=quick[0], present=quick[1]))
                    continue
                if subs[k] is None:
                    subs[k] = DnnProblem(graph, self.accelerator, self.objective,
                                         self.memory_budget)
                sub = subs[k]
                # a big segment shows its own progress (times counted from its own start)
                detailed = log and (single or len(graph.operators) >= 20)
                start_from = sub.memory_aware_starts()
                if pieces[k] is not None:
                    own = self._sub_schedule(sub, graph, pieces[k])
                    if all(own[1]):
                        start_from = [own[0]] + start_from
                limit = None
                if deadline is not None:
                    # (measured after the starts are built: 0.4 s on 4,713 operators)
                    limit = max(0.0, (deadline - time.perf_counter()) * len(parts[k]) / weight)
                weight -= len(parts[k])

                def improved(result, sub=sub, k=k, graph=graph):
                    keep(k, sub, graph, result)
                    report()

                if detailed and not single:
                    print(f"[{time.perf_counter() - started:8.2f}s] segment {k + 1}/{count}: "
                          f"{len(graph.operators)} operators", file=sys.stderr, flush=True)
                part = sub.model.solve(time_limit=limit, seed=seed, log=detailed,
                                       start_from=start_from,
                                       on_solution=improved if on_solution is not None else None)
                for key, value in part.stats.items():
                    if isinstance(value, int) and not isinstance(value, bool):
                        stats[key] = stats.get(key, 0) + value
                if part.status == INFEASIBLE:
                    if pieces[k] is not None:
                        raise ScheduleCheckError(
                            f"internal error: segment {k + 1} was refuted, but a checked "
                            "schedule of it exists; please report this graph")
                    # (only a memory budget can leave a DAG without a schedule)
                    why = part.reason or ("no schedule keeps the live tensors within the "
                                          f"memory budget ({self.memory_budget} bytes)")
                    if not single:
                        names = ", ".join(op.name for op in graph.operators[:5])
                        more = ", ..." if len(graph.operators) > 5 else ""
                        why += f" (segment {k + 1} of {count}: {names}{more})"
                    return self._finish(INFEASIBLE, None, None, None, started, stats, why)
                keep(k, sub, graph, part)
                reasons[k] = part.reason
                if part.status == OPTIMAL:
                    proven[k] = True
                if log and not single and (len(graph.operators) > 1 or k + 1 == count):
                    schedule = combined()
                    value = None if schedule is None else model.objective_value(*schedule)
                    print(f"[{time.perf_counter() - started:8.2f}s] segment {k + 1}/{count} "
                          f"done: {self.objective} {value}, bound {lower_bound()}",
                          file=sys.stderr, flush=True)

        schedule = combined()
        if schedule is None:
            missing = [k + 1 for k in range(count) if pieces[k] is None]
            why = reasons[missing[0] - 1] or "timeout"
            where = "" if single else f" (segment {missing[0]} of {count})"
            return self._finish(UNKNOWN, None, None, None, started, stats,
                                f"{why}{where}, before a first schedule")
        problems = check.violations(model, *schedule)
        if problems:
            raise ScheduleCheckError("internal error: the segments' schedules put together "
                                     f"fail the check: {problems[0]}; please report this graph")
        value = model.objective_value(*schedule)
        unproven = [k for k in range(count) if not proven[k]]
        reason = ""
        if unproven:
            why = reasons[unproven[0]] or "timeout"
            reason = why if single else f"{why} (segment {unproven[0] + 1} of {count})"
        result = self._assembled(value, lower_bound(), schedule, started, stats, reason)
        if on_solution is not None:
            on_solution(result)
        return result

    def _report(self, schedule, lower, on_solution, last, started, stats):
        """Report a whole schedule (starts, present) with the proven bound `lower`, once it
        passes the whole check (a schedule that does not is not reported); `last` records
        when ([0]), the time the check took ([1]) and (schedule, lower) ([2])."""
        now = time.perf_counter()
        if check.violations(self.model, *schedule):
            return
        last[0] = time.perf_counter()
        last[1] = last[0] - now
        last[2] = (schedule, lower)
        value = self.model.objective_value(*schedule)
        on_solution(self._assembled(value, lower, schedule, started, stats, ""))

    def _assembled(self, value, lower, schedule, started, stats, reason):
        """The result of a checked whole schedule of objective `value` and the proven bound
        `lower`: OPTIMAL exactly when they meet."""
        if lower > value:
            raise ScheduleCheckError(f"internal error: a proven bound {lower} above a checked "
                                     f"schedule's {self.objective} {value}; please report "
                                     "this graph")
        if lower == value:
            return self._finish(OPTIMAL, value, lower, schedule, started, stats)
        return self._finish(FEASIBLE, value, lower, schedule, started, stats,
                            reason or "timeout: a segment's search stopped without a proof")

    def _segment_value(self, graph, piece):
        """The objective of a piece in its segment's own problem (the segment's graph: its
        inputs live from its start, what later segments read to its end)."""
        relative, length = piece
        if self.objective == "latency":
            return length
        times = {}
        for op in graph.operators:
            start = relative[self.task[op.name].index][0]
            latency = next(lat for _, lat, task in self.options[op.name]
                           if relative[task.index][1])
            times[op.name] = (start, start + latency)
        profile = memory_profile(graph, times, length)
        return max((use for _, use in profile), default=0)

    def _segment_bound(self, graph):
        """A latency bound of a segment that needs no model: its longest chain, and for each
        unit kind the work only it can do, shared by its units (fastest latencies)."""
        head, longest, load = {}, 0, {}
        for op in graph.operators:  # topological order
            options = self.options[op.name]
            fastest = min(latency for _, latency, _ in options)
            begin = max((head[p] for p in self.graph.predecessors(op.name) if p in head),
                        default=0)
            head[op.name] = begin + fastest
            longest = max(longest, head[op.name])
            kinds = {unit for unit, _, _ in options}
            if len(kinds) == 1 and None not in kinds:
                kind = kinds.pop()
                load[kind] = load.get(kind, 0) + fastest
        for kind, total in load.items():
            count = self.accelerator.units[kind]
            longest = max(longest, -(-total // count))
        return longest

    def _sub_schedule(self, sub, graph, piece):
        """(starts, present) by task index of `sub`'s model of the piece of segment `graph`."""
        relative, _ = piece
        starts = [0] * len(sub.model.tasks)
        present = [not t.optional for t in sub.model.tasks]
        for op in graph.operators:
            for (_, _, mine), (_, _, theirs) in zip(self.options[op.name], sub.options[op.name]):
                start, there = relative[mine.index]
                starts[theirs.index] = start
                present[theirs.index] = there
            starts[sub.task[op.name].index] = relative[self.task[op.name].index][0]
        return starts, present

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
