"""A memory lowered to the memory theory (theories/memory_ref.py): intervals, no liveness.

Each buffer b of positive size that can be live becomes an interval [x_alloc, x_free): alloc
is its producer's start node (the origin without one), free a fresh node of the Int graph
bounded from below only, by root facts (plain precedence atoms, no search literal):

    x_free >= x_alloc,   x_free >= end(producer),   x_free >= end(c) for each consumer c

(an optional consumer's fact is guarded by its presence: an absent consumer holds nothing);
a buffer kept to the end has no free node (live for ever once allocated). Nothing bounds a
free node from above, so the theory may see an interval longer than the buffer's true one;
that only forbids more, and the earliest model (the difference theory's) puts every free
node at the buffer's true free time, so the two constraints have the same schedules.

Against the liveness literals of smtsched.sched.liveness (one per buffer and allocation
instant it may cover, with clauses and pseudo-Boolean rows: 2.1 million clauses and 30 s to
build for 949 tasks, 5.5 GB) this is O(buffers + consumers) atoms and one theory per
capacity. What it gives up: the liveness encoding is complete by itself; here the theory
finds an overload of the earliest schedule at the final check and states the allocation cut
(memory_ref's docstring) only over atoms that exist, and the backend (sched/lowered.py)
makes the missing atoms and adds the cut between searches, as the optimiser does for
resources with optional tasks. Certificates: the checker has no rule for this theory yet,
so a proof run always takes the liveness encoding (`memory_mode`).

The switch: SMTSCHED_MEMORY=theory | liveness | auto (default auto: the theory when the
liveness encoding would be large, `THEORY_FROM`); another value is named on standard error
and ignored, as SMTSCHED_DIFFERENCE is (smtsched/theory.py).
"""

import numpy as np

from ..core.specs import Buffer, MemorySpec
from ..precedence import NONE as _NONE
from ..switches import choice
from ..theories.memory_ref import cut_atoms, overloads

MODES = ("auto", "theory", "liveness")
MODE = choice("SMTSCHED_MEMORY", MODES)

#: auto takes the theory from this many (allocation instant, buffer) pairs over the model's
#: memories, the size of the liveness encoding before the precedences decide any. Measured
#: (npu-small, peak memory, 20-30 s): a GPT training graph of 3 blocks (438 tasks, 202,379
#: pairs) builds its liveness encoding in 0.5 s and 30 MB, and liveness ends at 2,463,748
#: with bound 2,007,364 where the theory ends at 2,562,052 with 1,575,940 (its cuts come
#: one search at a time); the diffsched graphs of 810 and 949 tasks (656,100 and 900,601
#: pairs) take 8.5-11 s and 1.2-2.0 GB with liveness before the first search, 1.5-2.5 s
#: and 0.6-0.9 GB with the theory (the units' ordering atoms), and neither improves the
#: greedy schedule in 30 s.
THEORY_FROM = 400_000

#: the lower bound from the precedences (longest paths, quadratic) up to this many tasks;
#: above, the bound that needs no paths (memory.quick_lower_bound)
PATHS_UP_TO = 4000


def memory_mode(model, proof=False):
    """"theory" or "liveness" for the memories of `model` (see the module docstring):
    liveness whenever a certificate is written."""
    if proof or not model.memories:
        return "liveness"
    if MODE != "auto":
        return MODE
    pairs = 0
    for memory in model.memories:
        instants = len({b.producer.index for b in memory.buffers if b.producer is not None})
        instants += any(b.producer is None for b in memory.buffers)
        pairs += instants * len(memory.buffers)
    return "theory" if pairs >= THEORY_FROM else "liveness"


class MemoryCut:
    """An overload the backend found in a schedule: buffers `chosen` (indices into the
    intervals' tasks) all live at the allocation of buffer `last`, over the capacity of
    `guard` (0: the memory's own capacity)."""

    __slots__ = ("intervals", "chosen", "last", "guard")

    def __init__(self, intervals, chosen, last, guard):
        self.intervals, self.chosen, self.last, self.guard = intervals, chosen, last, guard

    def clause(self):
        return self.intervals.cut(self.chosen, self.last, self.guard)


class MemoryIntervals:
    """One memory as intervals for the memory theory, in `lowering.core`. The interface of
    liveness.MemoryLiveness that the backend reads: `lower_bound` (the peak the precedences
    force), `literal_count` (0), `sums` ([]: no rows), `bound(bound, guarded)`; and `specs`
    (guard -> the MemorySpec of its bound, which leaves the search when the bound is
    retired), `overload(starts, present, limit, guard)` and `cut(chosen, last, guard)`."""

    def __init__(self, lowering, memory, number, paths=None):
        self.lowering = lowering
        self.memory = memory
        self.number = number
        self.literal_count = 0
        self.sums = []
        self.specs = {}
        self.tasks = []        # Buffer(alloc node, free node or None, size)
        self.buffers = []      # the memory.buffers index of each task
        self._build()
        self.lower_bound = self._lower_bound(paths)

    def _build(self):
        low = self.lowering
        spec = low._spec
        p, q, bound, guards = [], [], [], []

        def at_least(node, other, gap, guard=None):
            """x_node >= x_other + gap (x_other - x_node <= -gap)."""
            p.append(other), q.append(node), bound.append(-gap), guards.append(guard or [])
        for index, b in enumerate(self.memory.buffers):
            if b.size <= 0:
                continue
            alloc = 0 if b.producer is None else low.node[b.producer.index]
            if b.until_end:
                self.tasks.append(Buffer(alloc, None, b.size))
                self.buffers.append(index)
                continue
            if b.producer is None and not b.consumers:
                continue   # live at no instant ([0, 0))
            free = spec.node(("free", self.number, index),
                             f"free {self.memory.name}.{b.name}")
            at_least(free, alloc, 0)
            if b.producer is not None and b.producer.duration > 0:
                at_least(free, alloc, b.producer.duration)
            for c in b.consumers:
                guard = [-low.present[c.index]] if c.optional else None
                at_least(free, low.node[c.index], c.duration, guard)
            self.tasks.append(Buffer(alloc, free, b.size))
            self.buffers.append(index)
        # the free nodes are new: the lowering's node arrays grow with them
        low._task_of_node = np.concatenate(
            [low._task_of_node, np.full(spec.num_nodes - len(low._task_of_node), -1,
                                        dtype=np.int64)])
        low._assert_all(p, q, bound, guards)

    def _lower_bound(self, paths):
        """The most bytes live at one allocation instant in every schedule, by the
        precedences (the constant part of liveness.MemoryLiveness's sums, without its
        literals; `paths` the longest paths between tasks, None when not computed (a large
        model) or cyclic: then only what needs no chain), and at least the bound that needs
        no paths (memory.quick_lower_bound)."""
        from .memory import quick_lower_bound
        model = self.lowering.model
        quick = quick_lower_bound(model, self.memory)
        L = paths
        tasks = model.tasks
        durations = np.array([t.duration for t in tasks], dtype=np.int64)
        releases = np.array([t.release for t in tasks], dtype=np.int64)
        buffers = [self.memory.buffers[i] for i in self.buffers]
        size = np.array([b.size for b in buffers], dtype=np.int64)
        producer = np.array([-1 if b.producer is None else b.producer.index for b in buffers],
                            dtype=np.int64)
        kept = np.array([b.until_end for b in buffers], dtype=bool)
        slot_buffer, slot_end = [], []
        for k, b in enumerate(buffers):
            ends = [c.index for c in b.consumers if not c.optional]
            if b.producer is not None:
                ends.append(b.producer.index)
            slot_buffer += [k] * len(ends)
            slot_end += ends
        slot_buffer = np.array(slot_buffer, dtype=np.int64)
        slot_end = np.array(slot_end, dtype=np.int64)
        best = 0
        if (producer < 0).any():
            # at time 0: buffers without a producer, alive while an end is after 0
            alive = kept.copy()
            late = (durations[slot_end] >= 1) | (releases[slot_end] >= 1)
            alive |= np.bincount(slot_buffer, weights=late, minlength=len(size)) > 0
            best = int(size[(producer < 0) & alive].sum())
        safe = np.where(producer >= 0, producer, 0)
        for j in np.unique(producer[producer >= 0]).tolist():
            self.lowering._check_clock()
            # born by j's start: no producer, j itself, or a chain of length >= 0 to j
            born = (producer < 0) | (producer == j)
            # alive after j's start: kept, or an end is j itself (lasting), or a chain from
            # j to an end e longer than -duration(e)
            ended_after = (slot_end == j) & (durations[j] > 0)
            if L is not None:
                born |= (producer >= 0) & (L[safe, j] > _NONE) & (L[safe, j] >= 0)
                forward = L[j, slot_end]
                ended_after |= (forward > _NONE) & (forward + durations[slot_end] > 0)
            alive = kept | (np.bincount(slot_buffer, weights=ended_after,
                                        minlength=len(size)) > 0)
            best = max(best, int(size[born & alive].sum()))
        return max(best, quick)

    # -- bounds -------------------------------------------------------------------------------
    def bound(self, bound, guarded=False):
        """"live bytes <= bound" (guarded: while a fresh guard is true; the guard is
        returned): a MemorySpec appended to the core's globals (its theory joins a running
        search), or the clause [-guard] ([-true]) when the precedences force more."""
        low = self.lowering
        guard = low._new_var() if guarded else 0
        if bound < self.lower_bound:
            low.core.clauses.append([-guard] if guarded else [-low._true_literal()])
            return guard or None
        spec = MemorySpec(self.tasks, [(guard, bound)], low._table)
        low.core.globals.append(spec)
        if guarded:
            self.specs[guard] = spec
        return guard or None

    # -- cuts between searches ------------------------------------------------------------------
    #: the most cuts made from one schedule (each overloaded allocation gives one)
    CUTS_PER_SCHEDULE = 64

    def overloads(self, starts, present, limit, guard=0):
        """MemoryCuts for the overloads of `limit` bytes in the schedule (starts and
        presences by task; the buffers' true intervals), the earliest first, distinct
        clauses only; [] when it fits."""
        values = self.node_values(starts, present)
        used = list(range(len(self.tasks)))
        cuts, seen = [], set()
        for chosen, last in overloads(self.tasks, used, values, limit, self.CUTS_PER_SCHEDULE):
            key = (frozenset(chosen), last)
            if key not in seen:
                seen.add(key)
                cuts.append(MemoryCut(self, chosen, last, guard))
        return cuts

    def node_values(self, starts, present):
        """{node: value} of the allocation and free nodes in the schedule (starts and
        presences by task): each free node at its buffer's true free time."""
        values = {0: 0}
        for (alloc, free, _), index in zip(self.tasks, self.buffers):
            b = self.memory.buffers[index]
            begin = 0 if b.producer is None else starts[b.producer.index]
            values[alloc] = begin
            if free is not None:
                ends = [starts[c.index] + c.duration for c in b.consumers if present[c.index]]
                if b.producer is not None:
                    ends.append(begin + b.producer.duration)
                values[free] = max(ends + [begin])
        return values

    def cut(self, chosen, last, guard=0):
        """The allocation cut (memory_ref's docstring) over the lowering's atoms, made when
        missing (they join the running search as atoms), behind -guard."""
        clause = [-guard] if guard else []
        atom = self.lowering.atom
        clause += [atom(p, q, b) for p, q, b in cut_atoms(self.tasks, chosen, last)]
        return clause
