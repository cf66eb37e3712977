"""Memories as pseudo-Boolean constraints over liveness literals (through the public terms).

A buffer is live at instant x when alloc <= x < free, where alloc is its producer's start
(0 without one) and free the latest end among its producer and consumers. The bytes in use
only rise when a buffer is allocated, so the peak is reached at some allocation instant:
checking "live bytes <= capacity" at the start of every producing task (and at 0 for
buffers without a producer) checks it everywhere. This is the liveness formulation of the
exact memory-aware schedulers (e.g. the SDC/ILP models of Dai, Liu, Zhang, FPGA 2018, and the
peak-memory constraints of OLLA, Steiner et al. 2022), with the sum handed to the
pseudo-Boolean theory instead of a linear-programming relaxation.

For a buffer b and an instant "start of task j":
    live(b, j)  <=  start(producer) <= start(j)  and  OR over e in ends(b): start(j) < end(e)
Only this direction is needed: the sums are upper-bounded, so the clauses force a literal
true when the buffer is live in the schedule and leave it free otherwise. A pair decided
statically (a constant of the sum) must therefore be live in EVERY schedule: the static
decisions below use a chain of precedences only when its length has the right sign.

Most of these conditions are decided by the precedences alone (longest paths through the
precedence DAG): a tensor whose producer is an ancestor of j and one of whose consumers is a
descendant of j is live at j whatever the order. Those bytes are a constant of the sum; only
the undecided pairs get a literal. On the chain-like graphs of neural networks this leaves
few literals. When two tasks share a machine (a unary resource, positive durations), the
start comparisons are the machine's ordering atoms, so liveness is stated over the literals
the disjunctive theory already decides.
"""
import time

from ..precedence import NONE as _NONE
from ..precedence import DeadlinePassed as EncodingTimeout
from ..terms import And, BoolVal, Bool, Not, Or, PbLe
from .bounds import mandatory_precedences


def longest_paths(model, deadline=None):
    """L[a, b]: the least start(b) - start(a) the precedences (minimum lags) between
    mandatory tasks imply, or _NONE when no chain leads from a to b. None when the
    precedences have a cycle. EncodingTimeout once `deadline` (a time.perf_counter()
    instant) has passed: quadratic, 6 s on 9,432 tasks, it overran the DNN time limits."""
    return mandatory_precedences(model).longest_paths(deadline=deadline)


class MemoryEncoding:
    """The liveness literals and sums of one memory; `bound_formulas(bound, guard)` states
    "peak <= bound" (guarded) and `lower_bound` is the peak the precedences alone force."""

    def __init__(self, encoding, memory, paths, deadline=None):
        self.encoding = encoding
        self.memory = memory
        self.formulas = []      # the liveness clauses
        self.sums = []          # per instant: (constant bytes, [(literal, bytes)])
        self._conditions = {}   # (instant, task) -> "the instant is before the task's end"
        self._negations = {}    # id(condition) -> its negation
        self._build(paths, deadline)
        self._conditions = self._negations = None
        self.lower_bound = max((fixed for fixed, _ in self.sums), default=0)
        self.literal_count = sum(len(terms) for _, terms in self.sums)

    # -- the start comparisons ---------------------------------------------------------------
    def _same_machine(self, a, b):
        return a.duration > 0 and b.duration > 0 and self.encoding.same_machine(a, b)

    def _born(self, a, j, L):
        """start(a) <= start(j): True, False or a formula."""
        if a is j:
            return True
        if L is not None:
            # L[a, j] is a lower bound on start(j) - start(a) when a chain leads from a to j
            # (_NONE otherwise): it decides the comparison only when its sign does. A chain
            # with a negative lag lets j start before a (issue 14: p -> j with min_lag -10).
            if L[a.index, j.index] > _NONE and L[a.index, j.index] >= 0:
                return True
            if L[j.index, a.index] > _NONE and L[j.index, a.index] > 0:
                return False
        if self._same_machine(a, j):
            return self.encoding.before(a, j)
        s = self.encoding.start
        return s[a.index] - s[j.index] <= 0

    def _ended_after(self, j, e, L):
        """`_before_end(j, e)`, one term per pair: a task's end is compared with the same
        instant for every tensor it reads (three times on average on a thousand-operator
        graph), and the compiler reuses what it made of a term it has seen."""
        key = (-1 if j is None else j.index, e.index)
        condition = self._conditions.get(key)
        if condition is None:
            condition = self._conditions[key] = self._before_end(j, e, L)
            if condition is not True and condition is not False:
                self._negations[id(condition)] = Not(condition)
        return condition

    def _before_end(self, j, e, L):
        """start(j) < end(e), e present: True, False or a formula (j None: the instant 0)."""
        if e.optional:
            # an absent consumer holds nothing: "present and not yet ended"
            condition = self._mandatory_before_end(j, e, L)
            present = self.encoding.present[e.index]
            return False if condition is False else (
                present if condition is True else And(present, condition))
        return self._mandatory_before_end(j, e, L)

    def _mandatory_before_end(self, j, e, L):
        s = self.encoding.start
        if j is None:
            # 0 < start(e) + duration(e); starts are at least their releases (>= 0)
            return True if e.duration >= 1 or e.release >= 1 else s[e.index] >= 1
        if e is j:
            return e.duration > 0
        if e.optional or (j is not None and j.optional):
            return s[j.index] - s[e.index] <= e.duration - 1
        if L is not None:
            if L[j.index, e.index] > _NONE and L[j.index, e.index] + e.duration > 0:
                return True
            if L[e.index, j.index] > _NONE and L[e.index, j.index] >= e.duration:
                return False
        if self._same_machine(j, e):
            return self.encoding.before(j, e)
        return s[j.index] - s[e.index] <= e.duration - 1

    def _build(self, L, deadline):
        """EncodingTimeout once `deadline` (a time.perf_counter() instant) has passed."""
        memory = self.memory
        instants = []
        seen = set()
        for b in memory.buffers:
            if b.producer is not None and b.producer.index not in seen:
                seen.add(b.producer.index)
                instants.append(b.producer)
        if any(b.producer is None for b in memory.buffers):
            instants.append(None)
        for j in instants:
            if deadline is not None and time.perf_counter() > deadline:
                raise EncodingTimeout
            fixed, terms = 0, []
            for b in memory.buffers:
                if b.size == 0:
                    continue
                if b.producer is None:
                    born = True
                elif j is None:
                    born = self._born_at_zero(b.producer)
                else:
                    born = self._born(b.producer, j, L)
                if born is False:
                    continue
                if b.until_end:
                    alive = [True]
                else:
                    ends = list(b.consumers)
                    if b.producer is not None:
                        ends.append(b.producer)
                    alive = [self._ended_after(j, e, L) for e in ends]
                if any(x is True for x in alive):
                    alive = [True]
                alive = [x for x in alive if x is not False]
                if not alive:
                    continue
                if born is True and alive == [True]:
                    fixed += b.size
                    continue
                name = "0" if j is None else j.name
                live = Bool(f"live {memory.name}.{b.name} @ {name}")
                for condition in alive:
                    clause = [live]
                    if born is not True:
                        clause.append(Not(born))
                    if condition is not True:
                        clause.append(self._negations[id(condition)])
                    self.formulas.append(Or(*clause))
                terms.append((live, b.size))
            self.sums.append((fixed, terms))

    def _born_at_zero(self, producer):
        """A producer starts at 0 at the earliest (its release bounds it)."""
        if producer.release > 0:
            return False
        return self.encoding.start[producer.index] <= 0

    # -- bounds -----------------------------------------------------------------------------
    def bound_formulas(self, bound, guard=None):
        """"live bytes <= bound at every allocation instant" (while `guard`, when given)."""
        out = []
        for fixed, terms in self.sums:
            room = bound - fixed
            total = sum(size for _, size in terms)
            if room >= total:
                continue
            if room < 0:
                out.append(BoolVal(False) if guard is None else Not(guard))
                continue
            if guard is None:
                out.append(PbLe(terms, room))
            else:
                # guard => sum <= room, as one sum: the guard weighs what would break it
                out.append(PbLe(terms + [(guard, total - room)], total))
        return out


def quick_lower_bound(model, memory):
    """A bound on the peak that needs no encoding: at the start of a task that lasts, its own
    buffers and the buffers it reads from a direct predecessor (or from time 0) are all live."""
    # (p, c): start(c) >= start(p) in every schedule, from one precedence of non-negative
    # length between mandatory tasks (a negative lag lets c start first)
    before = {(p.before.index, p.after.index) for p in model.precedences
              if p.before.duration + p.min_lag >= 0
              and not (p.before.optional or p.after.optional)}
    load = {}
    for b in memory.buffers:
        takers = set()
        if b.producer is not None and (b.producer.duration > 0 or b.until_end):
            takers.add(b.producer.index)  # producers are mandatory (Model.buffer)
        for c in b.consumers:
            # an optional consumer may be absent: its start is no instant of the schedule
            if c.optional or c.duration == 0:
                continue
            if b.producer is None or (b.producer.index, c.index) in before:
                takers.add(c.index)
        for j in takers:
            load[j] = load.get(j, 0) + b.size
    return max(load.values(), default=0)


def oversized_buffer(model):
    """(memory, buffer) for a buffer larger than its memory's capacity that is live in every
    schedule, or None: a proof of infeasibility simple enough to name (issue 14). A buffer is
    surely live when it is kept to the end, when its producer lasts, or, without a producer,
    when a mandatory consumer ends after time 0 (it lasts or is released later)."""
    for memory in model.memories:
        if memory.capacity is None:
            continue
        for b in memory.buffers:
            if b.size <= memory.capacity:
                continue
            if b.until_end or (b.producer is not None and b.producer.duration > 0):
                return memory, b
            if b.producer is None and any(not c.optional and (c.duration > 0 or c.release > 0)
                                          for c in b.consumers):
                return memory, b
    return None
