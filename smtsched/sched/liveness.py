"""A memory's liveness literals and sums, lowered straight to the core problem (no terms).

The formulation is the one of smtsched.sched.memory (read its docstring): a buffer b is live
at an allocation instant j (the start of a producing task, or 0) when

    live(b, j)  <=  start(producer) <= start(j)  and  OR over e in ends(b): start(j) < end(e)

and the live bytes at every allocation instant are at most the bound. Per instant, per buffer,
each comparison is decided by the precedences (longest paths), stated by a machine's ordering
atom when both tasks share a machine, or stated by its own difference atom; the buffers live in
every schedule add up to a constant, the others get a literal `live` and the clauses
[live, -born, -ended_after] (an optional consumer holds its buffer only while present: the
condition is "present and not yet ended", two literals of the clause where the encoding has a
Tseitin gate).

Here the decisions are made per instant over arrays (numpy): the comparisons with every end
task at once, then per buffer, then the requests for variables in the encoding's order (the
live literal, the birth atom, the end atoms, buffer by buffer), so that the SAT variables are
numbered as the compiler numbers them. Repeated atoms (the same comparison for another buffer
or instant, a machine's ordering atom) are found in the lowering's atom table.
"""
from itertools import repeat

import numpy as np

from ..core.specs import PseudoBooleanSpec
from ..precedence import NONE as _NONE

def _used(values, size):
    """The distinct values (integers in [0, size)), in increasing order."""
    mark = np.zeros(size, dtype=bool)
    mark[values] = True
    return np.flatnonzero(mark)


# what a comparison is at an instant
FALSE, TRUE, ATOM, PRESENT, BOTH = 0, 1, 2, 3, 4   # BOTH: present and the atom


class MemoryLiveness:
    """The liveness literals and sums of one memory, in `lowering.core`. `sums`: per
    allocation instant (instant order) (constant bytes, live variables, their sizes, the sum
    of the sizes); `instants`: the task index of each instant (-1: time 0); `lower_bound`: the
    peak the precedences alone force; `literal_count`: the live literals; `bound(bound)`
    states "peak <= bound"."""

    def __init__(self, lowering, memory, number, paths):
        self.lowering = lowering
        self.memory = memory
        self.number = number
        self.sums = []
        self.instants = []
        self.buffers = []   # per instant: the memory.buffers index of each live variable
        self.fixed_buffers = []   # per instant: the memory.buffers indices of the constant
        # what `bound` stated, for certificates: (instant number, bound, "row" and the
        # PseudoBooleanSpec | "clause" and the clause | "false" and the clause, guard)
        self.stated = []
        self._described = set()
        self._build(paths)
        self.lower_bound = max((fixed for fixed, _, _, _ in self.sums), default=0)
        self.literal_count = sum(len(live) for _, live, _, _ in self.sums)

    # -- building ---------------------------------------------------------------------------
    def _build(self, L):
        low = self.lowering
        memory = self.memory
        seen = set()
        for b in memory.buffers:
            if b.producer is not None and b.producer.index not in seen:
                seen.add(b.producer.index)
                self.instants.append(b.producer.index)
        if any(b.producer is None for b in memory.buffers):
            self.instants.append(-1)
        valid = [k for k, b in enumerate(memory.buffers) if b.size > 0]
        buffers = [memory.buffers[k] for k in valid]
        self._valid = np.array(valid, dtype=np.int64)
        producer = np.array([-1 if b.producer is None else b.producer.index for b in buffers],
                            dtype=np.int64)
        self._size = np.array([b.size for b in buffers], dtype=low.dtype)
        self._until = np.array([b.until_end for b in buffers], dtype=bool)
        # the ends of each buffer (its consumers, then its producer), flat, buffer by buffer
        slot_task, slot_buffer = [], []
        for k, b in enumerate(buffers):
            ends = [c.index for c in b.consumers]
            if b.producer is not None:
                ends.append(b.producer.index)
            slot_task += ends
            slot_buffer += [k] * len(ends)
        slot_task = np.array(slot_task, dtype=np.int64)
        self._slot_buffer = np.array(slot_buffer, dtype=np.int64)
        self._ends = np.unique(slot_task)
        self._slot_end = np.searchsorted(self._ends, slot_task)
        self._slot_task = slot_task
        self._producers = np.unique(producer[producer >= 0])
        self._buffer_producer = np.searchsorted(self._producers, producer)
        self._producer = producer
        # the tasks sharing a machine with each task (both lasting): membership per machine
        self._members = {}
        for index, numbers in enumerate(low.machines):
            for number in numbers:
                self._members.setdefault(number, []).append(index)
        self._members = {m: np.array(v, dtype=np.int64) for m, v in self._members.items()}
        present = np.array(low.present, dtype=np.int64)
        self._present = present
        for j in self.instants:
            low._check_clock()
            self._instant(j, L)

    def _same_machine(self, j):
        """Booleans by task: shares a machine with task j, both lasting (j itself excluded)."""
        low = self.lowering
        mask = np.zeros(len(low.model.tasks), dtype=bool)
        if low.durations[j] > 0:
            for number in low.machines[j]:
                mask[self._members[number]] = True
            mask &= low.durations > 0
        mask[j] = False
        return mask

    def _machine_literals(self, j, others, machine, forward):
        """The ordering literals of the machines (Lowering.machine_orders) for the tasks
        `others` where `machine`: "j ends before o starts" (forward) or "o ends before j
        starts"; 0 elsewhere and for pairs the precedences order (no literal there)."""
        low = self.lowering
        out = np.zeros(len(others), dtype=np.int64)
        for number in low.machines[j]:
            place, matrix = low.machine_orders[number]
            at = place[others]
            fill = machine & (at >= 0) & (out == 0)
            if forward:
                out[fill] = matrix[place[j], at[fill]]
            else:
                out[fill] = matrix[at[fill], place[j]]
        return out

    def _ended_after(self, j, L):
        """For every end task e: what "start(j) < end(e)" is (FALSE, TRUE, ATOM, PRESENT or
        BOTH), its atom as (p, q, bound) arrays, and its literal where a machine's ordering
        literal states it (else 0) (memory._before_end, all e at once)."""
        low = self.lowering
        e = self._ends
        duration = low.durations[e]
        mandatory = ~low.optional[e]
        q = low.nodes[e]
        known = np.zeros(len(e), dtype=np.int64)
        if j < 0:
            # 0 < start(e) + duration(e); starts are at least their releases (>= 0)
            code = np.where((duration >= 1) | (low.releases[e] >= 1), TRUE, ATOM)
            p = np.zeros(len(e), dtype=np.int64)            # start(e) >= 1: x_0 - x_e <= -1
            bound = np.full(len(e), -1, dtype=low.dtype)
        else:
            code = np.full(len(e), ATOM)
            p = np.full(len(e), low.node[j], dtype=np.int64)
            machine = self._same_machine(j)[e] & mandatory
            # on a machine: j ends before e starts; else start(j) - start(e) <= duration(e) - 1
            bound = np.where(machine, -low.durations[j], duration - 1)
            known = self._machine_literals(j, e, machine, True)
            if L is not None:
                forward, backward = L[j, e], L[e, j]
                surely = mandatory & (forward > _NONE) & (forward + duration > 0)
                never = mandatory & ~surely & (backward > _NONE) & (backward >= duration)
                code[surely] = TRUE
                code[never] = FALSE
            code[e == j] = TRUE if low.durations[j] > 0 else FALSE
        optional = ~mandatory
        # an absent consumer holds nothing: "present and not yet ended"
        code = np.where(optional & (code == TRUE), PRESENT,
                        np.where(optional & (code == ATOM), BOTH, code))
        return code, p, q, bound, known

    def _born(self, j, L):
        """For every producer a: what "start(a) <= start(j)" is (FALSE, TRUE or ATOM), its
        atom, and its machine literal or 0 (memory._born and _born_at_zero, all producers at
        once)."""
        low = self.lowering
        a = self._producers
        p = low.nodes[a]
        if j < 0:
            # a producer starts at 0 at the earliest (its release bounds it): start(a) <= 0
            code = np.where(low.releases[a] > 0, FALSE, ATOM)
            return code, p, np.zeros(len(a), dtype=np.int64), \
                np.zeros(len(a), dtype=low.dtype), np.zeros(len(a), dtype=np.int64)
        code = np.full(len(a), ATOM)
        machine = self._same_machine(j)[a]
        bound = np.where(machine, -low.durations[a], 0)   # a ends before j starts, or a <= j
        known = self._machine_literals(j, a, machine, False)
        if L is not None:
            forward, backward = L[a, j], L[j, a]
            surely = (forward > _NONE) & (forward >= 0)
            code[surely] = TRUE
            code[~surely & (backward > _NONE) & (backward > 0)] = FALSE
        code[a == j] = TRUE
        q = np.full(len(a), low.node[j], dtype=np.int64)
        return code, p, q, np.asarray(bound, dtype=low.dtype), known

    def _instant(self, j, L):
        """The sum at instant j (a task index, -1: time 0): per buffer, born and alive decided
        or stated; the bytes of buffers live in every schedule, a live literal and clauses
        for the others."""
        end_code, end_p, end_q, end_bound, end_known = self._ended_after(j, L)
        born_code, born_p, born_q, born_bound, born_known = self._born(j, L)
        m = len(self._size)
        has_producer = self._producer >= 0
        born = np.full(m, TRUE)
        born[has_producer] = born_code[self._buffer_producer[has_producer]]
        slot_code = end_code[self._slot_end] if len(self._slot_end) else \
            np.zeros(0, dtype=np.int64)
        slot_buffer = self._slot_buffer
        surely = self._until | (np.bincount(slot_buffer, weights=slot_code == TRUE,
                                            minlength=m) > 0)
        maybe = np.bincount(slot_buffer, weights=slot_code != FALSE, minlength=m) > 0
        keep = (born != FALSE) & (surely | maybe)
        fixed_mask = keep & (born == TRUE) & surely
        live_mask = keep & ~fixed_mask
        fixed = sum(self._size[fixed_mask].tolist())
        # (for certificates: which buffers make the constant; an index array, no list)
        self.fixed_buffers.append(self._valid[fixed_mask])
        live_buffers = np.flatnonzero(live_mask)
        if not len(live_buffers):
            self.sums.append((fixed, [], [], 0))
            self.buffers.append([])
            return
        has_born = born[live_buffers] == ATOM
        # the clause slots: the ends of live buffers not surely alive, that can be alive
        clause_slot = live_mask[slot_buffer] & ~surely[slot_buffer] & (slot_code != FALSE)
        atom_slot = np.flatnonzero(clause_slot & ((slot_code == ATOM) | (slot_code == BOTH)))
        rank = np.full(m, -1, dtype=np.int64)          # buffer -> its place among the live
        rank[live_buffers] = np.arange(len(live_buffers))
        live, born_literal, end_literal = self._variables(
            live_buffers, has_born, atom_slot, rank,
            (born_p, born_q, born_bound, born_known), (end_p, end_q, end_bound, end_known))
        self._clauses(live_buffers, surely, clause_slot, slot_code, rank, live, born_literal,
                      end_literal)
        sizes = self._size[live_buffers].tolist()
        self.sums.append((fixed, live.tolist(), sizes, sum(sizes)))
        self.buffers.append(self._valid[live_buffers].tolist())

    def _variables(self, live_buffers, has_born, atom_slot, rank, born_atoms, end_atoms):
        """The variables of one instant, numbered in the encoding's order of requests: per
        live buffer its live literal, its birth atom, the atoms of its ends (a new atom at its
        first request). (live literals by live buffer, birth literals by live buffer (0: none),
        end literals by end task)."""
        low = self.lowering
        core = low.core
        count = len(live_buffers)
        slot_buffer = self._slot_buffer
        atoms_per = np.bincount(rank[slot_buffer[atom_slot]], minlength=count)
        size = 1 + has_born + atoms_per
        offset = np.cumsum(size) - size
        total = int(size.sum())
        born_position = offset[has_born] + 1
        owner = rank[slot_buffer[atom_slot]]
        within = np.arange(len(atom_slot)) - np.searchsorted(owner, owner)
        end_position = offset[owner] + 1 + has_born[owner] + within
        # the distinct atoms: birth atoms by producer, end atoms by end task
        born_of = self._buffer_producer[live_buffers[has_born]]
        born_used = _used(born_of, len(self._producers))
        end_of = self._slot_end[atom_slot]
        end_used = _used(end_of, len(self._ends))
        p, q, bound, known = (np.concatenate([b[born_used], e[end_used]])
                              for b, e in zip(born_atoms, end_atoms))
        flip = p > q
        p, q, bound = np.where(flip, q, p), np.where(flip, p, q), np.where(flip, -bound - 1, bound)
        sign = np.where(flip, -1, 1)
        # the birth atoms are distinct (one producer each), so are the end atoms (one end task
        # each); a birth atom and an end atom are the same atom only for a producer that is an
        # end task too, on the same pair of nodes with the same bound
        entry_key = np.arange(len(p))
        split = len(born_used)
        _, at_born, at_end = np.intersect1d(self._producers[born_used], self._ends[end_used],
                                            assume_unique=True, return_indices=True)
        at_end = at_end + split
        same = (p[at_born] == p[at_end]) & (q[at_born] == q[at_end]) & \
            (bound[at_born] == bound[at_end])
        kept = np.ones(len(p), dtype=bool)
        if same.any():
            kept[at_end[same]] = False
            entry_key[at_end[same]] = at_born[same]
            entry_key = (np.cumsum(kept) - 1)[entry_key]
        unique = np.flatnonzero(kept)
        # a machine's ordering literal is its atom's variable; the others are looked up (in
        # the dictionary, then in the pair stores of the machines and cumulative resources)
        variables = np.abs(known[unique])
        ask = np.flatnonzero(variables == 0)
        if len(ask):
            at = unique[ask]
            keys = list(zip(p[at].tolist(), q[at].tolist(), bound[at].tolist()))
            found = np.fromiter(map(low._table.get, keys, repeat(0)), np.int64, len(keys))
            stored = np.flatnonzero(found == 0)
            found[stored] = low.stored(p[at[stored]], q[at[stored]], bound[at[stored]])
            variables[ask] = found
        born_entry = np.zeros(len(self._producers), dtype=np.int64)
        born_entry[born_used] = np.arange(split)
        end_entry = np.zeros(len(self._ends), dtype=np.int64)
        end_entry[end_used] = split + np.arange(len(end_used))
        request_key = entry_key[np.concatenate([born_entry[born_of], end_entry[end_of]])]
        request_position = np.concatenate([born_position, end_position])
        # numbering: a live literal at each of its requests, an atom at its first one
        new = np.flatnonzero(variables == 0)
        creators = offset
        if len(new):
            first = np.full(len(unique), total, dtype=np.int64)
            np.minimum.at(first, request_key, request_position)
            creators = np.sort(np.concatenate([offset, first[new]]))
        base = core.num_vars + 1
        core.num_vars += len(creators)
        live = base + np.searchsorted(creators, offset)
        if len(new):
            numbers = base + np.searchsorted(creators, first[new])
            variables[new] = numbers
            placed = np.argsort(numbers)
            at = unique[new[placed]]
            low.register_atoms(list(zip(p[at].tolist(), q[at].tolist(), bound[at].tolist())),
                               numbers[placed].tolist())
        entry_literal = sign * variables[entry_key]
        born_literal = np.zeros(count, dtype=np.int64)
        born_literal[has_born] = entry_literal[born_entry[born_of]]
        end_literal = np.zeros(len(self._ends), dtype=np.int64)
        end_literal[end_used] = entry_literal[end_entry[end_used]]
        return live, born_literal, end_literal

    def _clauses(self, live_buffers, surely, clause_slot, slot_code, rank, live, born_literal,
                 end_literal):
        """The clauses of one instant, buffer by buffer: [live, -born] for a buffer surely
        alive once born, else [live, -born, -(its end's condition)] per end slot that can hold
        it (-born left out when the birth is certain; an optional end's condition is two
        literals, -present and -atom, or -present alone)."""
        slot_buffer = self._slot_buffer
        slots = np.flatnonzero(clause_slot)
        alone = live_buffers[surely[live_buffers]]
        rows_buffer = np.concatenate([rank[alone], rank[slot_buffer[slots]]])
        rows_slot = np.concatenate([np.full(len(alone), -1, dtype=np.int64), slots])
        order = np.argsort(rows_buffer, kind="stable")
        rows_buffer, rows_slot = rows_buffer[order], rows_slot[order]
        matrix = np.zeros((len(rows_buffer), 4), dtype=np.int64)
        matrix[:, 0] = live[rows_buffer]
        matrix[:, 1] = -born_literal[rows_buffer]
        at = rows_slot >= 0
        slot = rows_slot[at]
        code = slot_code[slot]
        atom_literal = end_literal[self._slot_end[slot]]
        presence = self._present[self._slot_task[slot]]
        matrix[at, 2] = np.where(code == ATOM, -atom_literal, -presence)
        matrix[at, 3] = np.where(code == BOTH, -atom_literal, 0)
        # each row's literals first, in order, then its zeros; as lists cut to their lengths
        # (one tolist of the whole matrix: a list per clause made in C)
        filled = matrix != 0
        width = int(filled.sum(axis=1).max())
        if not filled[:, :width].all():
            matrix = np.take_along_axis(matrix, np.argsort(~filled, axis=1, kind="stable"),
                                        axis=1)
        rows = matrix[:, :width].tolist()
        lengths = filled.sum(axis=1)
        short = np.flatnonzero(lengths < width)
        for k, length in zip(short.tolist(), lengths[short].tolist()):
            del rows[k][length:]
        self.lowering.core.clauses.extend(rows)

    # -- bounds -----------------------------------------------------------------------------
    def bound(self, bound, guarded=False):
        """"live bytes <= bound at every allocation instant", in the core: per instant a
        pseudo-Boolean row, a clause when the row is one (dropping any literal satisfies it),
        nothing when it always holds, and [-true] (guarded: [-guard]) when the constant bytes
        alone exceed it (memory.bound_formulas as compile.pseudo_boolean states it).
        Guarded: "guard => ..." as one row, the guard weighing what would break it; the guard
        is a fresh variable (made where the compiler meets it) and returned."""
        low = self.lowering
        core = low.core
        guard = None
        for number, (fixed, live, sizes, total) in enumerate(self.sums):
            room = bound - fixed
            if room >= total:
                continue
            if guarded and guard is None:
                guard = low._new_var()   # where the compiler meets it: its first row
            if room < 0:
                clause = [-guard] if guarded else [-low._true_literal()]
                core.clauses.append(clause)
                self.stated.append((number, bound, "false", clause, guard))
                continue
            if guarded:
                literals = live + [guard]
                weights = sizes + [total - room]
                limit = total
                whole = 2 * total - room
            else:
                literals, weights, limit, whole = live, sizes, room, total
            if whole - min(weights) <= limit:
                clause = [-x for x in literals]
                core.clauses.append(clause)
                self.stated.append((number, bound, "clause", clause, guard))
            else:
                spec = PseudoBooleanSpec(literals, list(weights), limit)
                core.pseudo_boolean.append(spec)
                self.stated.append((number, bound, "row", spec, guard))
                self._describe(number, guard, bound)
        if guarded and guard is None:
            guard = low._new_var()
        return guard

    def _describe(self, number, guard, bound):
        """What the variables of a row stand for (core.pb_meaning, for printed lemmas):
        ("live", memory number, buffer index, instant task index or -1), and the guard's
        ("peak <=", memory number, bound)."""
        meaning = self.lowering.core.pb_meaning
        if number not in self._described:
            self._described.add(number)
            j = self.instants[number]
            meaning.update(zip(self.sums[number][1],
                               (("live", self.number, b, j) for b in self.buffers[number])))
        if guard is not None:
            meaning[guard] = ("peak <=", self.number, bound)
