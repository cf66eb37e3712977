"""Tabu search on the machine orders of a unary-resource schedule: the pure-Python reference.

The twin of the compiled `smtsched.sched._tabu` (same contract, same arithmetic, same random
draws: the tests run both step by step on small job shops and compare every move). The
caller (`smtsched.sched.local_search`) turns a model and a valid schedule into the flat
problem below and checks the schedule that comes back.

The schedule is the disjunctive graph of the machine orders: task i starts at its head r[i],
the longest path to it (from its release, through precedence arcs of weight
duration + min_lag and machine arcs of weight duration); q[i] is its tail, the longest path
from its start to the end (its own duration included); the makespan is max r[i] + d[i].

The search follows Nowicki & Smutnicki, "A fast taboo search algorithm for the job shop
problem" (Management Science 42(6), 1996):
- the neighbourhood N5: on one critical path, split into blocks (runs of tasks back to back
  on one machine), swap the first two tasks of each block but the first and the last two of
  each block but the last (the other swaps of a block cannot shorten that path). A release
  is the generalisation here: the first two of the first block are swapped too when it does
  not start at 0 (the second task may then start earlier);
- the tabu list: the arcs (u, v) whose order a recent move reversed; a move that would put
  u before v again is tabu unless it beats the best makespan (aspiration: its estimate, then
  its exact makespan); when every move is tabu the best estimate is taken anyway;
- back jumps (their TSAB, simplified): after `patience` moves without a new best, return to
  the best schedule, clear the list and kick it with a few random swaps of adjacent critical
  tasks, then resume.
A move is chosen by the estimate of Taillard, "Parallel taboo search techniques for the job
shop scheduling problem" (ORSA Journal on Computing 6(2), 1994): the new heads and tails of
the two swapped tasks from their neighbours' old ones, O(1) a move; the chosen move is then
recomputed exactly (a topological pass), which also rejects a swap that closes a cycle (with
precedences between tasks of one machine, or negative lags, a swap can).

Ties between equal estimates are broken by a seeded draw (a 64-bit linear congruential
generator, the same in both twins), so the same seed gives the same search. The search stops
after `iterations` moves, after `limit` moves without a new best, at `lower` (a proven lower
bound: nothing better exists) or, only as a safety cap, at `deadline` (time.perf_counter()).
"""
import time

MASK = (1 << 64) - 1


class Random:
    """Knuth's MMIX linear congruential generator; a draw below k is the high bits mod k."""

    def __init__(self, seed):
        self.state = (seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & MASK

    def below(self, k):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) & MASK
        return (self.state >> 33) % k


class Problem:
    """The flat problem both twins take.

    duration[i], release[i]; the precedence arcs as compressed lists: the predecessors of i
    are pred_task[pred_start[i]:pred_start[i + 1]] with weights pred_weight (start(i) >=
    start(p) + weight), and the successors the same way; `sequences`: the initial order of
    each machine (lists of task indices; a task is on at most one machine)."""

    __slots__ = ("duration", "release", "pred_start", "pred_task", "pred_weight",
                 "succ_start", "succ_task", "succ_weight", "sequences")

    def __init__(self, duration, release, arcs, sequences):
        n = len(duration)
        self.duration = list(duration)
        self.release = list(release)
        self.pred_start, self.pred_task, self.pred_weight = _compressed(
            n, [(a, b, w) for a, b, w in arcs])
        self.succ_start, self.succ_task, self.succ_weight = _compressed(
            n, [(b, a, w) for a, b, w in arcs])
        self.sequences = [list(s) for s in sequences]


def _compressed(n, arcs):
    """The arcs (a, b, w) grouped by b, in the order given: (start, a's, w's)."""
    lists = [[] for _ in range(n)]
    for a, b, w in arcs:
        lists[b].append((a, w))
    start, tasks, weights = [0], [], []
    for entries in lists:
        for a, w in entries:
            tasks.append(a)
            weights.append(w)
        start.append(len(tasks))
    return start, tasks, weights


def search(problem, seed=0, iterations=10000, limit=5000, patience=500, tenure=10, kick=3,
           lower=0, deadline=None, trace=None):
    """(best makespan, its starts by task, stats) from the machine orders of `problem`, or
    None when those orders (with the precedences) close a cycle. `trace`: a list that gets
    each step, ("move", u, v, makespan) or ("jump", makespan), for the twins' comparison."""
    state = _State(problem)
    if not state.evaluate():
        return None
    state.commit()
    return state.run(Random(seed), iterations, limit, patience, tenure, kick, lower, deadline,
                     trace)


class _State:
    def __init__(self, p):
        n = self.n = len(p.duration)
        self.p = p
        self.mprev = [-1] * n
        self.mnext = [-1] * n
        for sequence in p.sequences:
            for a, b in zip(sequence, sequence[1:]):
                self.mnext[a] = b
                self.mprev[b] = a
        # the committed heads and tails (r, q), their precedence-only parts (rj, qj: what
        # Taillard's estimate starts from), the arc that sets each head (crit, machine:
        # whether it is the machine arc), and the makespan; the trial versions beside them
        self.r, self.q, self.rj, self.qj = [0] * n, [0] * n, [0] * n, [0] * n
        self.crit, self.machine = [-1] * n, [False] * n
        self.tr, self.tq, self.trj, self.tqj = [0] * n, [0] * n, [0] * n, [0] * n
        self.tcrit, self.tmachine = [-1] * n, [False] * n
        self.makespan = self.tmakespan = 0
        self.order = [0] * n
        self.indegree = [0] * n

    # -- heads and tails ---------------------------------------------------------------
    def evaluate(self):
        """Heads and tails of the current orders into the trial arrays (Kahn's topological
        order, ready tasks first in, first out); False on a cycle."""
        p, n = self.p, self.n
        d, mprev, mnext = p.duration, self.mprev, self.mnext
        ps, pt, pw = p.pred_start, p.pred_task, p.pred_weight
        ss, st, sw = p.succ_start, p.succ_task, p.succ_weight
        r, q, rj, qj, crit, machine = self.tr, self.tq, self.trj, self.tqj, self.tcrit, \
            self.tmachine
        order, indegree = self.order, self.indegree
        tail = 0
        for i in range(n):
            indegree[i] = ps[i + 1] - ps[i] + (1 if mprev[i] >= 0 else 0)
            if indegree[i] == 0:
                order[tail] = i
                tail += 1
        head = 0
        makespan = 0
        while head < tail:
            i = order[head]
            head += 1
            best, arg = p.release[i], -1
            for k in range(ps[i], ps[i + 1]):
                value = r[pt[k]] + pw[k]
                if value > best:
                    best, arg = value, pt[k]
            rj[i] = best
            on_machine = False
            m = mprev[i]
            if m >= 0 and r[m] + d[m] >= best:
                # the machine arc wins ties: longer blocks on the critical path
                best, arg, on_machine = r[m] + d[m], m, True
            r[i], crit[i], machine[i] = best, arg, on_machine
            if best + d[i] > makespan:
                makespan = best + d[i]
            for k in range(ss[i], ss[i + 1]):
                j = st[k]
                indegree[j] -= 1
                if indegree[j] == 0:
                    order[tail] = j
                    tail += 1
            j = mnext[i]
            if j >= 0:
                indegree[j] -= 1
                if indegree[j] == 0:
                    order[tail] = j
                    tail += 1
        if tail < n:
            return False
        for k in range(n - 1, -1, -1):
            i = order[k]
            best = d[i]
            for h in range(ss[i], ss[i + 1]):
                value = sw[h] + q[st[h]]
                if value > best:
                    best = value
            qj[i] = best
            j = mnext[i]
            if j >= 0 and d[i] + q[j] > best:
                best = d[i] + q[j]
            q[i] = best
        self.tmakespan = makespan
        return True

    def commit(self):
        self.r, self.tr = self.tr, self.r
        self.q, self.tq = self.tq, self.q
        self.rj, self.trj = self.trj, self.rj
        self.qj, self.tqj = self.tqj, self.qj
        self.crit, self.tcrit = self.tcrit, self.crit
        self.machine, self.tmachine = self.tmachine, self.machine
        self.makespan = self.tmakespan

    def swap(self, u, v):
        """u, right before v on their machine, goes right after it."""
        a, b = self.mprev[u], self.mnext[v]
        if a >= 0:
            self.mnext[a] = v
        self.mprev[v] = a
        self.mnext[v] = u
        self.mprev[u] = v
        self.mnext[u] = b
        if b >= 0:
            self.mprev[b] = u

    # -- the critical path and its moves --------------------------------------------------
    def blocks(self):
        """The blocks of one critical path, in path order: lists of tasks back to back on a
        machine (single tasks included). The path ends at the first task (by index) that
        ends at the makespan and follows the arcs that set the heads back to a release."""
        d, r = self.p.duration, self.r
        end = 0
        for i in range(self.n):
            if r[i] + d[i] == self.makespan:
                end = i
                break
        path = [end]
        while self.crit[path[-1]] >= 0:
            path.append(self.crit[path[-1]])
        path.reverse()
        blocks = [[path[0]]]
        for i in path[1:]:
            if self.machine[i]:
                blocks[-1].append(i)
            else:
                blocks.append([i])
        return blocks

    def moves(self):
        """The N5 moves (u, v): u right before v on a critical block."""
        blocks = self.blocks()
        moves = []
        last = len(blocks) - 1
        for number, block in enumerate(blocks):
            if len(block) < 2:
                continue
            first = number > 0 or self.r[block[0]] > 0
            if first:
                moves.append((block[0], block[1]))
            if number < last and not (first and len(block) == 2):
                moves.append((block[-2], block[-1]))
        return moves

    def estimate(self, u, v):
        """Taillard's estimate of the makespan after swapping u and v (u right before v):
        the longest path through either of them with their new heads and tails."""
        d, r, q = self.p.duration, self.r, self.q
        a, b = self.mprev[u], self.mnext[v]
        rv = self.rj[v]
        if a >= 0 and r[a] + d[a] > rv:
            rv = r[a] + d[a]
        ru = self.rj[u]
        if rv + d[v] > ru:
            ru = rv + d[v]
        qu = self.qj[u]
        if b >= 0 and d[u] + q[b] > qu:
            qu = d[u] + q[b]
        qv = self.qj[v]
        if d[v] + qu > qv:
            qv = d[v] + qu
        return max(rv + qv, ru + qu)

    # -- the search ---------------------------------------------------------------------
    def run(self, rng, iterations, limit, patience, tenure, kick, lower, deadline, trace):
        n = self.n
        # the tabu list: arc (tabu_a[k], tabu_b[k]) may not come back before iteration
        # tabu_until[k]; a circular list of 2 * tenure entries holds every live one (one
        # entry a move, each for fewer than 2 * tenure moves)
        size = 2 * max(tenure, 1)
        tabu_a, tabu_b, tabu_until = [-1] * size, [-1] * size, [0] * size
        slot = 0
        best = self.makespan
        best_starts = list(self.r)
        best_prev, best_next = list(self.mprev), list(self.mnext)
        stats = {"iterations": 0, "improvements": 0, "jumps": 0, "cycles": 0,
                 "start": best}
        since_best = since_jump = 0
        while stats["iterations"] < iterations and since_best < limit and best > lower:
            if deadline is not None and stats["iterations"] % 64 == 0 \
                    and time.perf_counter() > deadline:
                stats["stopped"] = "deadline"
                break
            stats["iterations"] += 1
            moves = self.moves()
            estimates = [self.estimate(u, v) for u, v in moves]
            tabu = []
            for u, v in moves:
                # the swap puts v before u: tabu when a recent move took v from before u
                hit = False
                for k in range(size):
                    if tabu_a[k] == v and tabu_b[k] == u \
                            and tabu_until[k] > stats["iterations"]:
                        hit = True
                        break
                tabu.append(hit)
            applied = False
            # 1: closes a cycle; 2: tabu, and its exact makespan does not beat the best (only
            # the fallback, when nothing else is left, may take it)
            rejected = [0] * len(moves)
            while True:
                choice, fallback = self.choose(rng, estimates, tabu, rejected, best)
                if choice < 0:
                    break
                u, v = moves[choice]
                self.swap(u, v)
                if self.evaluate():
                    # the estimate is only a lower bound (a path through neither task may be
                    # as long): a tabu move is taken for its estimate only if its exact
                    # makespan beats the best too (else the same pair flips back and forth)
                    if not tabu[choice] or fallback or self.tmakespan < best:
                        self.commit()
                        applied = True
                        break
                    rejected[choice] = 2
                else:
                    stats["cycles"] += 1
                    rejected[choice] = 1
                self.swap(v, u)
            if applied:
                if tenure > 0:
                    # a tenure drawn in [tenure, 2 * tenure): a fixed one let the search
                    # cycle through the same moves (Taillard 1994 draws it the same way)
                    tabu_a[slot], tabu_b[slot] = u, v
                    tabu_until[slot] = stats["iterations"] + tenure + rng.below(tenure)
                    slot = (slot + 1) % size
                if trace is not None:
                    trace.append(("move", u, v, self.makespan))
                if self.makespan < best:
                    best = self.makespan
                    best_starts = list(self.r)
                    best_prev, best_next = list(self.mprev), list(self.mnext)
                    stats["improvements"] += 1
                    since_best = since_jump = 0
                    continue
            since_best += 1
            since_jump += 1
            if applied and since_jump < patience:
                continue
            # back to the best orders, kicked by random swaps of adjacent critical tasks
            self.mprev, self.mnext = list(best_prev), list(best_next)
            self.evaluate()
            self.commit()
            for k in range(size):
                tabu_a[k] = tabu_b[k] = -1
                tabu_until[k] = 0
            slot = 0
            kicked = 0
            for _ in range(kick):
                pairs = [(block[k], block[k + 1]) for block in self.blocks()
                         for k in range(len(block) - 1)]
                if not pairs:
                    break
                u, v = pairs[rng.below(len(pairs))]
                self.swap(u, v)
                if self.evaluate():
                    self.commit()
                    kicked += 1
                else:
                    self.swap(v, u)
            stats["jumps"] += 1
            since_jump = 0
            if trace is not None:
                trace.append(("jump", self.makespan))
            if kicked == 0 and not applied:
                break  # no move and no kick: nothing left to try
            if self.makespan < best:
                best = self.makespan
                best_starts = list(self.r)
                best_prev, best_next = list(self.mprev), list(self.mnext)
                stats["improvements"] += 1
                since_best = 0
        stats["best"] = best
        return best, best_starts, stats

    @staticmethod
    def choose(rng, estimates, tabu, rejected, best):
        """The allowed move (not tabu, or its estimate beats `best`) of least estimate, ties
        broken by a draw; when none is allowed, the least estimate of all. (choice, whether
        it is that fallback); choice -1: none left."""
        for allowed_only in (True, False):
            choice, value, ties = -1, 0, 0
            for k, estimate in enumerate(estimates):
                if rejected[k] == 1 or (allowed_only and (rejected[k] or (tabu[k]
                                                                 and estimate >= best))):
                    continue
                if choice < 0 or estimate < value:
                    choice, value, ties = k, estimate, 1
                elif estimate == value:
                    ties += 1
                    if rng.below(ties) == 0:
                        choice = k
            if choice >= 0:
                return choice, not allowed_only
        return -1, False
