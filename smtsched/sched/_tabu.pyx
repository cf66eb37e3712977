# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# distutils: language = c++
"""Tabu search on the machine orders of a unary-resource schedule, compiled: the twin of
smtsched/sched/tabu_ref.py (its docstring gives the method and the papers: Nowicki &
Smutnicki 1996's N5 neighbourhood and back jumps, Taillard 1994's move estimate). Same
contract, same arithmetic, same random draws in the same order: the tests compare the two
move by move. Times are 64-bit integers; the machine orders are doubly linked lists.
"""
import time

from libc.stdint cimport int64_t, uint64_t
from libcpp.vector cimport vector


cdef inline uint64_t _below(uint64_t* state, uint64_t k):
    # Knuth's MMIX linear congruential generator (tabu_ref.Random): unsigned arithmetic
    # wraps modulo 2**64 as the reference's mask does
    state[0] = state[0] * 6364136223846793005ULL + 1442695040888963407ULL
    return (state[0] >> 33) % k


cdef class _State:
    cdef int n
    cdef vector[int64_t] d, release, pw, sw
    cdef vector[int] ps, pt, ss, st
    cdef vector[int] mprev, mnext
    cdef vector[int64_t] r, q, rj, qj, tr, tq, trj, tqj
    cdef vector[int] crit, tcrit
    cdef vector[char] machine, tmachine
    cdef int64_t makespan, tmakespan
    cdef vector[int] order, indegree
    # scratch of one iteration: the path, its blocks (start offsets into the path), moves
    cdef vector[int] path, block_start, move_u, move_v, tabu, rejected
    cdef vector[int64_t] estimates

    def __init__(self, p):
        cdef int n = len(p.duration)
        self.n = n
        self.d = p.duration
        self.release = p.release
        self.ps = p.pred_start
        self.pt = p.pred_task
        self.pw = p.pred_weight
        self.ss = p.succ_start
        self.st = p.succ_task
        self.sw = p.succ_weight
        self.mprev.assign(n, -1)
        self.mnext.assign(n, -1)
        for sequence in p.sequences:
            for k in range(len(sequence) - 1):
                self.mnext[sequence[k]] = sequence[k + 1]
                self.mprev[sequence[k + 1]] = sequence[k]
        self.r.assign(n, 0)
        self.q.assign(n, 0)
        self.rj.assign(n, 0)
        self.qj.assign(n, 0)
        self.tr.assign(n, 0)
        self.tq.assign(n, 0)
        self.trj.assign(n, 0)
        self.tqj.assign(n, 0)
        self.crit.assign(n, -1)
        self.tcrit.assign(n, -1)
        self.machine.assign(n, 0)
        self.tmachine.assign(n, 0)
        self.order.assign(n, 0)
        self.indegree.assign(n, 0)
        self.makespan = self.tmakespan = 0

    cdef bint evaluate(self):
        """tabu_ref._State.evaluate: heads and tails into the trial arrays; False on a cycle."""
        cdef int n = self.n, i, j, k, h, m, arg, tail = 0, head = 0
        cdef int64_t best, value, makespan = 0
        cdef char on_machine
        for i in range(n):
            self.indegree[i] = self.ps[i + 1] - self.ps[i] + (1 if self.mprev[i] >= 0 else 0)
            if self.indegree[i] == 0:
                self.order[tail] = i
                tail += 1
        while head < tail:
            i = self.order[head]
            head += 1
            best = self.release[i]
            arg = -1
            for k in range(self.ps[i], self.ps[i + 1]):
                value = self.tr[self.pt[k]] + self.pw[k]
                if value > best:
                    best = value
                    arg = self.pt[k]
            self.trj[i] = best
            on_machine = 0
            m = self.mprev[i]
            if m >= 0 and self.tr[m] + self.d[m] >= best:
                best = self.tr[m] + self.d[m]
                arg = m
                on_machine = 1
            self.tr[i] = best
            self.tcrit[i] = arg
            self.tmachine[i] = on_machine
            if best + self.d[i] > makespan:
                makespan = best + self.d[i]
            for k in range(self.ss[i], self.ss[i + 1]):
                j = self.st[k]
                self.indegree[j] -= 1
                if self.indegree[j] == 0:
                    self.order[tail] = j
                    tail += 1
            j = self.mnext[i]
            if j >= 0:
                self.indegree[j] -= 1
                if self.indegree[j] == 0:
                    self.order[tail] = j
                    tail += 1
        if tail < n:
            return False
        for k in range(n - 1, -1, -1):
            i = self.order[k]
            best = self.d[i]
            for h in range(self.ss[i], self.ss[i + 1]):
                value = self.sw[h] + self.tq[self.st[h]]
                if value > best:
                    best = value
            self.tqj[i] = best
            j = self.mnext[i]
            if j >= 0 and self.d[i] + self.tq[j] > best:
                best = self.d[i] + self.tq[j]
            self.tq[i] = best
        self.tmakespan = makespan
        return True

    cdef void commit(self):
        self.r.swap(self.tr)
        self.q.swap(self.tq)
        self.rj.swap(self.trj)
        self.qj.swap(self.tqj)
        self.crit.swap(self.tcrit)
        self.machine.swap(self.tmachine)
        self.makespan = self.tmakespan

    cdef void swap_pair(self, int u, int v):
        cdef int a = self.mprev[u], b = self.mnext[v]
        if a >= 0:
            self.mnext[a] = v
        self.mprev[v] = a
        self.mnext[v] = u
        self.mprev[u] = v
        self.mnext[u] = b
        if b >= 0:
            self.mprev[b] = u

    cdef void blocks(self):
        """tabu_ref._State.blocks: the path (in order) into `path`, each block's first
        position into `block_start` (and the path's length last)."""
        cdef int i, end = 0, k, half
        for i in range(self.n):
            if self.r[i] + self.d[i] == self.makespan:
                end = i
                break
        self.path.clear()
        self.path.push_back(end)
        while self.crit[self.path.back()] >= 0:
            self.path.push_back(self.crit[self.path.back()])
        half = <int>self.path.size()
        for k in range(half // 2):
            i = self.path[k]
            self.path[k] = self.path[half - 1 - k]
            self.path[half - 1 - k] = i
        self.block_start.clear()
        self.block_start.push_back(0)
        for k in range(1, half):
            if not self.machine[self.path[k]]:
                self.block_start.push_back(k)
        self.block_start.push_back(half)

    cdef void moves(self):
        """tabu_ref._State.moves into move_u, move_v."""
        cdef int number, blocks, b0, b1
        cdef bint first
        self.blocks()
        self.move_u.clear()
        self.move_v.clear()
        blocks = <int>self.block_start.size() - 1
        for number in range(blocks):
            b0 = self.block_start[number]
            b1 = self.block_start[number + 1]   # one past the block's last
            if b1 - b0 < 2:
                continue
            first = number > 0 or self.r[self.path[b0]] > 0
            if first:
                self.move_u.push_back(self.path[b0])
                self.move_v.push_back(self.path[b0 + 1])
            if number < blocks - 1 and not (first and b1 - b0 == 2):
                self.move_u.push_back(self.path[b1 - 2])
                self.move_v.push_back(self.path[b1 - 1])

    cdef int64_t estimate(self, int u, int v):
        cdef int a = self.mprev[u], b = self.mnext[v]
        cdef int64_t rv, ru, qu, qv
        rv = self.rj[v]
        if a >= 0 and self.r[a] + self.d[a] > rv:
            rv = self.r[a] + self.d[a]
        ru = self.rj[u]
        if rv + self.d[v] > ru:
            ru = rv + self.d[v]
        qu = self.qj[u]
        if b >= 0 and self.d[u] + self.q[b] > qu:
            qu = self.d[u] + self.q[b]
        qv = self.qj[v]
        if self.d[v] + qu > qv:
            qv = self.d[v] + qu
        return rv + qv if rv + qv > ru + qu else ru + qu

    cdef int choose(self, uint64_t* rng, int64_t best, bint* fallback):
        """tabu_ref._State.choose over the current moves."""
        cdef int k, choice, ties, count = <int>self.move_u.size()
        cdef int64_t value = 0
        cdef int allowed_only
        for allowed_only in (1, 0):
            choice = -1
            ties = 0
            for k in range(count):
                if self.rejected[k] == 1 or (allowed_only and (
                        self.rejected[k] or (self.tabu[k] and self.estimates[k] >= best))):
                    continue
                if choice < 0 or self.estimates[k] < value:
                    choice = k
                    value = self.estimates[k]
                    ties = 1
                elif self.estimates[k] == value:
                    ties += 1
                    if _below(rng, ties) == 0:
                        choice = k
            if choice >= 0:
                fallback[0] = not allowed_only
                return choice
        fallback[0] = False
        return -1

    def run(self, uint64_t seed, int64_t iterations, int64_t limit, int64_t patience,
            int tenure, int kick, int64_t lower, deadline, trace):
        cdef uint64_t rng = (seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL)
        cdef int size = 2 * (tenure if tenure > 1 else 1)
        cdef vector[int] tabu_a, tabu_b
        cdef vector[int64_t] tabu_until
        cdef int slot = 0, k, h, count, choice, u = -1, v = -1, kicked, step, pairs
        cdef int64_t best, since_best = 0, since_jump = 0, it = 0
        cdef int64_t improvements = 0, jumps = 0, cycles = 0
        cdef bint applied, hit, fallback = False, tracing = trace is not None
        cdef bint stopped = False
        cdef vector[int] best_prev, best_next
        cdef vector[int64_t] best_starts
        tabu_a.assign(size, -1)
        tabu_b.assign(size, -1)
        tabu_until.assign(size, 0)
        best = self.makespan
        best_starts = self.r
        best_prev = self.mprev
        best_next = self.mnext
        start = best
        while it < iterations and since_best < limit and best > lower:
            if deadline is not None and it % 64 == 0 and time.perf_counter() > deadline:
                stopped = True
                break
            it += 1
            self.moves()
            count = <int>self.move_u.size()
            self.estimates.resize(count)
            self.tabu.resize(count)
            self.rejected.assign(count, 0)
            for k in range(count):
                u = self.move_u[k]
                v = self.move_v[k]
                self.estimates[k] = self.estimate(u, v)
                hit = False
                for h in range(size):
                    if tabu_a[h] == v and tabu_b[h] == u and tabu_until[h] > it:
                        hit = True
                        break
                self.tabu[k] = hit
            applied = False
            while True:
                choice = self.choose(&rng, best, &fallback)
                if choice < 0:
                    break
                u = self.move_u[choice]
                v = self.move_v[choice]
                self.swap_pair(u, v)
                if self.evaluate():
                    if not self.tabu[choice] or fallback or self.tmakespan < best:
                        self.commit()
                        applied = True
                        break
                    self.rejected[choice] = 2
                else:
                    cycles += 1
                    self.rejected[choice] = 1
                self.swap_pair(v, u)
            if applied:
                if tenure > 0:
                    tabu_a[slot] = u
                    tabu_b[slot] = v
                    tabu_until[slot] = it + tenure + <int64_t>_below(&rng, tenure)
                    slot = (slot + 1) % size
                if tracing:
                    trace.append(("move", u, v, self.makespan))
                if self.makespan < best:
                    best = self.makespan
                    best_starts = self.r
                    best_prev = self.mprev
                    best_next = self.mnext
                    improvements += 1
                    since_best = 0
                    since_jump = 0
                    continue
            since_best += 1
            since_jump += 1
            if applied and since_jump < patience:
                continue
            self.mprev = best_prev
            self.mnext = best_next
            self.evaluate()
            self.commit()
            for k in range(size):
                tabu_a[k] = -1
                tabu_b[k] = -1
                tabu_until[k] = 0
            slot = 0
            kicked = 0
            for step in range(kick):
                # the adjacent pairs of the critical blocks, in path order
                self.blocks()
                pairs = 0
                for k in range(1, <int>self.path.size()):
                    if self.machine[self.path[k]]:
                        pairs += 1
                if pairs == 0:
                    break
                choice = <int>_below(&rng, pairs)
                for k in range(1, <int>self.path.size()):
                    if self.machine[self.path[k]]:
                        if choice == 0:
                            u = self.path[k - 1]
                            v = self.path[k]
                            break
                        choice -= 1
                self.swap_pair(u, v)
                if self.evaluate():
                    self.commit()
                    kicked += 1
                else:
                    self.swap_pair(v, u)
            jumps += 1
            since_jump = 0
            if tracing:
                trace.append(("jump", self.makespan))
            if kicked == 0 and not applied:
                break
            if self.makespan < best:
                best = self.makespan
                best_starts = self.r
                best_prev = self.mprev
                best_next = self.mnext
                improvements += 1
                since_best = 0
        stats = {"iterations": it, "improvements": improvements, "jumps": jumps,
                 "cycles": cycles, "start": start, "best": best}
        if stopped:
            stats["stopped"] = "deadline"
        return best, [x for x in best_starts], stats


def search(problem, seed=0, iterations=10000, limit=5000, patience=500, tenure=10, kick=3,
           lower=0, deadline=None, trace=None):
    """tabu_ref.search, compiled."""
    cdef _State state = _State(problem)
    if not state.evaluate():
        return None
    state.commit()
    return state.run(seed, iterations, limit, patience, tenure, kick, lower, deadline, trace)
