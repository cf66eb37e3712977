"""A scheduling Model lowered to the core problem directly: no Term objects, no string names.

    lowering = Lowering(model, horizon=None, deadline=None)
    core = lowering.core                    # a smtsched.core.CoreProblem, ready for the factory

One private method per constraint family, called once in order by the constructor (the shape
of PyJobShop's `solvers/ortools/Constraints.py`, whose `add_constraints` calls
`_machines_no_overlap`, `_renewable_capacity`, ... in turn): `_tasks` (releases, deadlines,
the horizon, end <= makespan, presence variables), `_precedences` (minimum and maximum lags),
`_alternatives`, then per resource `_machine` (a DisjunctiveSpec and its pairwise clauses),
`_cumulative` (a CumulativeSpec, with bound literals over windows under `horizon`) or
`_optional_pairs` (guarded pairwise disjunctions, for resources with optional tasks) with
`_optional_cumulative` (a CumulativeSpec with presence literals, fresh copies of the
presences; not for certificates; SMTSCHED_OPTIONAL=pairs leaves it out), then the
non-renewable resources (`_nonrenewables`: a pseudo-Boolean row over the presences), the
presence rules (`_presence_rules`: clauses over the presences), the setup times
(`_setup_times`: order and next Booleans of the machines with setups), then the memories
(smtsched.sched.liveness: liveness literals, their sums, and the capacity rows; or, as
SMTSCHED_MEMORY chooses, smtsched.sched.memory_intervals: free nodes and the specs of the
memory theory).

The problem is the one the pairwise encoding (smtsched.sched.encode.Encoding) compiled by
smtsched.compile gives, family by family, with the same graph nodes (the first task's start is
node 1, the makespan 2, task k's start k + 2: the order the compiler met them), the same atoms
in the same canonical orientation (lower node first), the same pairs left out because the
precedences already order them, the same SAT variables in the same order, and the same clauses
in the same order, except that the compiler's Tseitin gates are not made: a formula the
encoding wraps in And/Or under a guard becomes the clauses that gate stood for (tests/
test_lower.py compares the two problems on benchmarks and random models, and says where and why
they differ; a non-renewable resource's row also stays a row where the compiler makes a
clause-shaped PbLe a clause, see `_nonrenewables`). Without optional tasks or alternatives
there are no such gates, and the two problems are identical, variable for variable (one more
difference: with constants near 2**60 the compiler gives up pruning the pairs the
precedences order, to keep its int64 sums; the lowering sums in Python integers then and
prunes exactly).

After the construction, the methods the optimiser calls (the API of Encoding that optimize.py
uses, without terms); every one of them appends what it makes to `core` (new variables at the
end of the numbering, new atoms at the end of `core.difference["Int"].atoms`, new clauses at
the end of `core.clauses`, new cost specs at the end of `core.globals`, new pseudo-Boolean rows
at the end of `core.pseudo_boolean`), so a search session that remembers those lengths knows
what is new:

- `makespan_bound(bound)` -> the literal of "makespan <= bound" (an atom; an assumption).
- `cost_bound(bound)` -> (guard literal, CostSpec): "guard => weighted cost <= bound" (a
  ConvexCostSpec when the model has earliness terms).
- `memory_bound(memory, bound)` -> guard literal: "guard => peak of `memory` <= bound" (its
  rows, or the clause [-guard] when the bound is below what the precedences force).
  `retire(guard)` -> the clause [-guard] that switches a guard off for good.
- `memory(memory)` -> its MemoryLiveness (or MemoryIntervals): `lower_bound` (the peak the
  precedences force), `literal_count`, `sums`.
- `before(a, b)` -> the literal of "a ends before b starts" (the orderings of a large-
  neighbourhood move); `same_machine(a, b)`.
- `overloads(starts, present)` and `cut(tasks)` -> the clause "not all of these run at one
  instant" (resources with optional tasks, checked between searches).
- `phases(starts, present=None, makespan=None)` -> the literals a schedule makes true (the
  solver hint of a starting schedule: every atom whose nodes have values; the presences when
  given).
- `schedule(outcome)` -> (starts, present) of a sat engine Outcome (its `values[0]` are the
  Int difference theory's potentials, the factory's order).

For the optimiser (the seam of smtsched.sched.backend.SearchBackend, with a search session over
`core` that adds clauses and variables between searches):

    lower_bound()             memory(model.objective_memory).lower_bound (peak memory) or None
    at_most(bound, ...)       makespan_bound(bound); cost_bound(bound)[0]; memory_bound(memory,
                              bound); a guard never asked again: add retire(guard) as a clause
    before(a, b)              before(a, b)
    hint(starts, present)     phases(starts, makespan=check.makespan(model, starts, present))
                              as the engine's phases (the Solver hints no presences)
    follow_last()             the last sat outcome's `model` literals as the phases
    schedule()                schedule(outcome)
    overloads(...), cut(...)  overloads(starts, present); cut(tasks) is the clause to add
Encoding stays for Model.to_smtlib (the formulas printed for z3 and yices); its `overloads` is
the module function `overloads` here, which it may call.

Speed: the pairs of a machine or a cumulative resource and the liveness literals of a memory are
made with numpy over arrays. An atom is made once: the ordering literals of a machine or a
cumulative resource are kept as a matrix by task (a pair store), the other atoms in a
dictionary from their canonical (p, q, bound) to their variable, and a new atom is looked up in
both (atoms repeat across families: a precedence is a machine's ordering atom, a memory's
"start(j) < end(e)" on a machine is one too, on a cumulative resource it is the negation of
one). The cyclic garbage collector is off while the lowering runs: it makes millions of objects
and no cycles.
"""
import gc
import time
from itertools import repeat

import numpy as np

from ..core.problem import INT, CoreProblem, DiffAtom
from ..core.specs import (CostSpec, CostTask, CumulativeOptions, CumulativeSpec, DemandTask,
                          DisjunctiveSpec, PseudoBooleanSpec, Task)
from ..precedence import NONE as _NONE   # "no path": far below any sum, far above int64's least
from ..precedence import Precedences
from ..precedence import DeadlinePassed as EncodingTimeout
from ..switches import choice
from .liveness import MemoryLiveness

# SMTSCHED_PAIRS=eager | lazy | auto: whether a machine's or a cumulative resource's ordering
# atoms are all made up front (eager), none of them (lazy: the backend makes those of the
# overloads it finds, see `Lowering.lazy`), or eager up to LAZY_FROM free pairs of one
# resource (auto, the default). Another value is named on standard error and ignored, as
# SMTSCHED_MEMORY is (smtsched.sched.memory_intervals). Read once; tests set PAIRS.
PAIRS_MODES = ("auto", "eager", "lazy")
PAIRS = choice("SMTSCHED_PAIRS", PAIRS_MODES)

# SMTSCHED_OPTIONAL=theory | pairs: whether a resource with optional tasks gets, besides its
# guarded pairs, a cumulative theory that knows the presences (theory, the default;
# `Lowering._optional_cumulative`) or its guarded pairs alone (pairs: the lowering before
# it, kept for measurements). Read once; tests set OPTIONAL.
OPTIONAL_MODES = ("theory", "pairs")
OPTIONAL = choice("SMTSCHED_OPTIONAL", OPTIONAL_MODES, default="theory")

# the largest magnitude of a model number that int64 arithmetic takes safely (a sum of two
# of them, negated, plus one, still fits); beyond it the arrays hold Python integers
_SMALL = 1 << 60


def model_weighted(model):
    """Whether the model's objective is a weighted sum (the cost theory's)."""
    return model.objective in ("weighted_completion", "weighted_tardiness")


class Lowering:
    """See the module docstring. `horizon`: the largest makespan the search will be asked about,
    if known (the cumulative resources then get bound literals over each task's window);
    `deadline`: a time.perf_counter() instant, EncodingTimeout once it has passed."""

    # One bound literal per task and instant of its window (Encoding reads it too):
    # above this many, a resource gets none and its theory only detects overloads.
    MAX_BOUND_LITERALS = 50000
    # a reach matrix (graph nodes x tasks of the globals) of at most this many entries at once
    REACH_ENTRIES = 1 << 23
    # Lazy pairs (SMTSCHED_PAIRS=auto): a machine or cumulative resource with at least this
    # many free pairs (two lasting tasks the precedences leave unordered) gets no ordering
    # atoms up front. Job shops have at most 1,225 per machine, PSPLIB j120 at most 7,140;
    # the diffsched graphs of 949 operators 60,000 to 400,000 per unit (docs/design.md has
    # the measurements).
    LAZY_FROM = 20000
    # above this many pairs of lasting tasks on one resource, a lazy resource is not asked
    # how many the precedences order (the reach matrix alone would take gigabytes)
    LAZY_UNCOUNTED = 1 << 22

    def __init__(self, model, horizon=None, deadline=None, park=False, memory=None,
                 pairs=None, presence=True):
        collecting = gc.isenabled()
        gc.disable()
        try:
            self.park = park
            # a cumulative theory with presence literals for the resources with optional
            # tasks (`_optional_cumulative`); off: their guarded pairs alone (certificates)
            self.presence_theory = presence and OPTIONAL == "theory"
            # "liveness" or "theory" (smtsched.sched.memory_intervals); None: its switch
            # decides (a certificate's backend asks for liveness)
            self.memory_mode = memory
            # "eager", "lazy" or "auto" (None: SMTSCHED_PAIRS decides; a certificate's
            # backend asks for eager: the checker's rules read every pair's clause)
            self.pairs_mode = pairs or PAIRS
            if self.pairs_mode not in PAIRS_MODES:
                raise ValueError(f"pairs must be one of {PAIRS_MODES}, got {pairs!r}")
            self._setup(model, horizon, deadline)
            self._lower()
        finally:
            if collecting:
                gc.enable()

    def _setup(self, model, horizon, deadline):
        self.model = model
        self.horizon = horizon
        self.deadline = deadline
        self.core = CoreProblem()
        self._spec = self.core.difference[INT]
        self._table = {}          # canonical (p, q, bound) -> SAT variable of the atom
        self._table_pairs = set()  # p << 32 | q of the atoms in _table: who needs a lookup
        # every atom once, as (variables, p, q, bounds) blocks or single (var, p, q, bound)
        # entries: the arrays of `phases`, without reading the DiffAtoms back
        self._atom_parts = []
        self._true = None         # the constant-true variable, made when first needed
        self._facts = []          # (a, b, c): root facts start(b) >= start(a) + c (nodes)
        self._reach = None        # the fact graph and reach rows (_fact_graph)
        self._heads = None
        self._carrier = None      # option index -> the task of its alternative
        tasks = model.tasks
        n = len(tasks)
        numbers = [t.duration for t in tasks] + [t.release for t in tasks] + \
            [t.deadline or 0 for t in tasks] + [model.horizon or 0, horizon or 0] + \
            [p.min_lag for p in model.precedences] + \
            [p.max_lag or 0 for p in model.precedences] + \
            [r.capacity for r in model.resources] + \
            [d for r in model.resources for _, d in r.demands] + \
            [d for s in model.setups for d in s.times.values()]   # least gaps D <= the setup
        big = max(map(abs, numbers), default=0) >= _SMALL
        self.dtype = object if big else np.int64
        # graph nodes in the compiler's order of meeting them: start of task 0, makespan, the rest
        self.node = [0] * n
        self.makespan_node = None
        spec = self._spec
        for t in tasks:
            self.node[t.index] = spec.node(("start", t.index), f"start {t.name}")
            if t.index == 0:
                self.makespan_node = spec.node(("makespan",), "makespan")
        self.present = [0] * n    # presence variable of an optional task, 0 for a mandatory one
        # the machines (unary resources without optional tasks) of each task: two tasks on one
        # machine are compared through the machine's ordering atoms
        self.machines = [set() for _ in tasks]
        for number, resource in enumerate(model.resources):
            if resource.unary and not any(t.optional for t, _ in resource.demands):
                for t, _ in resource.demands:
                    self.machines[t.index].add(number)
        self.durations = np.array([t.duration for t in tasks], dtype=self.dtype)
        self.releases = np.array([t.release for t in tasks], dtype=self.dtype)
        self.optional = np.array([t.optional for t in tasks], dtype=bool)
        self.nodes = np.array(self.node, dtype=np.int64)
        self.memories = []
        # pair stores (_add_store): (place of each task in it or -1, the ordering literals by
        # place [i, j], 0 where the precedences order the pair); per machine number its store
        self._stores = []
        self._stores_of = [[] for _ in tasks]
        self._in_store = np.zeros(n, dtype=bool)
        self.machine_orders = {}
        # the resources (numbers) lowered without ordering atoms: their overloads are found
        # in the schedules between searches (`overloads`) and cut with fresh atoms (`cut`)
        self.lazy = set()
        self._task_of_node = np.full(spec.num_nodes, -1, dtype=np.int64)
        self._task_of_node[self.nodes] = np.arange(n)

    def _lower(self):
        """Every family, in the order the pairwise encoding states them (the order of the
        variables and clauses follows it)."""
        self._tasks()
        self._precedences()
        self._alternatives()
        parked = self._parking()
        for number, resource in enumerate(self.model.resources):
            self._check_clock()
            optional = any(t.optional for t, _ in resource.demands)
            if optional and number in parked:
                optional = False   # its absent tasks are parked after the horizon
            if resource.unary and not optional:
                self._machine(resource, number)
            elif not resource.unary and not optional:
                self._cumulative(resource, number)
            else:
                self._optional_pairs(resource, number)
                if self.presence_theory:
                    self._optional_cumulative(resource)
        self._nonrenewables()
        self._presence_rules()
        self._setup_times()
        if self.model.memories:
            self._memories()

    # -- variables and atoms ----------------------------------------------------------------
    def _new_var(self):
        return self.core.new_var()

    def _true_literal(self):
        if self._true is None:
            self._true = self._new_var()
            self.core.clauses.append([self._true])
            self.core.gates[self._true] = ("and", ())   # its meaning, for certificates
        return self._true

    def _check_clock(self):
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise EncodingTimeout

    def atom(self, p, q, bound):
        """The literal of x_p - x_q <= bound over Int graph nodes: one variable per atom in its
        canonical orientation (lower node first; x_p - x_q <= c is not x_q - x_p <= -c - 1),
        as the compiler's difference_atom; a constant when p == q."""
        if p == q:
            return self._true_literal() if bound >= 0 else -self._true_literal()
        if p > q:
            p, q, bound, sign = q, p, -bound - 1, -1
        else:
            sign = 1
        key = (p, q, bound)
        var = self._table.get(key) or self._stored(p, q, bound)
        if not var:
            var = self._table[key] = self._new_var()
            self._table_pairs.add(p << 32 | q)
            self._spec.atoms.append(DiffAtom(var, p, q, bound, False))
            self._atom_parts.append((var, p, q, bound))
        return sign * var

    def atoms(self, p, q, bound, distinct=False, store=False):
        """`atom` over arrays (p != q everywhere): the literals as an int64 array. New atoms
        get variables in order of first appearance, as one by one. `distinct`: the caller
        knows that no two entries are the same atom (the pairs of one constraint), which
        saves finding repeats. `store`: the caller keeps the new atoms in a pair store
        (`_add_store`) instead of the dictionary."""
        flip = p > q
        low = np.where(flip, q, p)
        high = np.where(flip, p, q)
        bound = np.where(flip, -bound - 1, bound)
        keys = None
        var = np.zeros(len(low), dtype=np.int64)
        if len(low) <= 4096:
            ask = np.arange(len(low))
        else:
            # only atoms on a pair of nodes that carries one in the dictionary can be there
            ask = np.flatnonzero(np.isin((low << 32) | high,
                                         np.fromiter(self._table_pairs, np.int64,
                                                     len(self._table_pairs))))
        if ask.size:
            asked = list(zip(low[ask].tolist(), high[ask].tolist(), bound[ask].tolist()))
            var[ask] = np.fromiter(map(self._table.get, asked, repeat(0)), np.int64, ask.size)
        if self._stores:
            missing = np.flatnonzero(var == 0)
            var[missing] = self.stored(low[missing], high[missing], bound[missing])
        missing = np.flatnonzero(var == 0)
        if not distinct and missing.size:
            if keys is None:
                keys = list(zip(low.tolist(), high.tolist(), bound.tolist()))
            var[missing] = self.fresh_atoms([keys[k] for k in missing.tolist()])
        elif missing.size:
            # one fresh variable each, in order
            first = self.core.num_vars + 1
            numbers = range(first, first + missing.size)
            self.core.num_vars += missing.size
            var[missing] = np.arange(first, first + missing.size)
            if missing.size < len(low):
                low, high, bound = low[missing], high[missing], bound[missing]
            self._atom_parts.append((var[missing], low, high, bound))
            low, high, bound = low.tolist(), high.tolist(), bound.tolist()
            if not store:
                self._table.update(zip(zip(low, high, bound), numbers))
                self._table_pairs.update(p << 32 | q for p, q in zip(low, high))
            self._spec.atoms.extend(map(tuple.__new__, repeat(DiffAtom),
                                        zip(numbers, low, high, bound, repeat(False))))
        return np.where(flip, -var, var)

    # -- pair stores: the ordering literals of a machine or a cumulative resource, by task --
    def _add_store(self, indices, matrix):
        """Keep the ordering literals of a constraint as a matrix: [i, j] (places of its tasks
        `indices`) holds the literal of "task i ends before task j starts", 0 where the
        precedences order the pair. Its atoms are found there, not in the dictionary:
        hundreds of thousands of keys it need not hold."""
        place = np.full(len(self.node), -1, dtype=np.int64)
        place[indices] = np.arange(len(indices))
        store = (place, matrix)
        self._stores.append(store)
        self._in_store[indices] = True
        for i in indices.tolist():
            self._stores_of[i].append(store)
        return store

    def _stored(self, p, q, bound):
        """The variable of the canonical atom (p, q, bound) in a pair store, or 0: with i, j
        the tasks of nodes p < q, the store's [i, j] literal is (p, q, -duration(i)) and its
        [j, i] literal is (q, p, -duration(j)), that is not (p, q, duration(j) - 1)."""
        if not self._stores:
            return 0
        i, j = self._task_of_node[p], self._task_of_node[q]
        if i < 0 or j < 0:
            return 0
        for place, matrix in self._stores_of[i]:
            if place[j] < 0:
                continue
            forward = int(matrix[place[i], place[j]])
            if forward and bound == -self.model.tasks[i].duration:
                return forward
            backward = int(matrix[place[j], place[i]])
            if backward and bound == self.model.tasks[j].duration - 1:
                return -backward
        return 0

    def stored(self, low, high, bound):
        """`_stored` over arrays of canonical atoms: their variables, 0 where none."""
        var = np.zeros(len(low), dtype=np.int64)
        if not len(low):
            return var
        i, j = self._task_of_node[low], self._task_of_node[high]
        tasks = (i >= 0) & (j >= 0)
        i, j = np.where(tasks, i, 0), np.where(tasks, j, 0)
        tasks &= self._in_store[i] & self._in_store[j]
        if not tasks.any():
            return var
        for place, matrix in self._stores:
            at_i, at_j = place[i], place[j]
            both = np.flatnonzero(tasks & (at_i >= 0) & (at_j >= 0) & (var == 0))
            if not both.size:
                continue
            at_i, at_j = at_i[both], at_j[both]
            forward = matrix[at_i, at_j]
            backward = matrix[at_j, at_i]
            wanted = bound[both]
            var[both] = np.where((forward != 0) & (wanted == -self.durations[i[both]]), forward,
                                 np.where((backward != 0)
                                          & (wanted == self.durations[j[both]] - 1),
                                          -backward, 0))
        return var

    def fresh_atoms(self, keys):
        """Variables for canonical atom keys that have none yet (a key may repeat: one variable
        each, numbered in order of first appearance); their variables, key by key."""
        unique = dict.fromkeys(keys)
        first = self.core.num_vars + 1
        numbers = dict(zip(unique, range(first, first + len(unique))))
        self.register_atoms(list(numbers), numbers.values())
        self.core.num_vars += len(unique)
        return list(map(numbers.__getitem__, keys))

    def register_atoms(self, keys, variables):
        """Canonical atom keys and the fresh variables numbered for them elsewhere (the
        liveness requests interleave atoms with live literals), in increasing order."""
        self._table.update(zip(keys, variables))
        low, high, bound = zip(*keys)
        self._table_pairs.update(p << 32 | q for p, q in zip(low, high))
        variables = list(variables)
        self._atom_parts.append((variables, low, high, bound))
        self._spec.atoms.extend(map(tuple.__new__, repeat(DiffAtom),
                                    zip(variables, low, high, bound, repeat(False))))

    def _assert_all(self, p, q, bound, guards=None):
        """`_assert` for lists (p != q everywhere; `guards`: a guard list per entry, None:
        none), with one batch of atoms."""
        if not p:
            return
        literals = self.atoms(np.array(p, dtype=np.int64), np.array(q, dtype=np.int64),
                              np.array(bound, dtype=self.dtype)).tolist()
        clauses = self.core.clauses
        if guards is None or not any(guards):
            clauses.extend([literal] for literal in literals)
            self._facts += zip(p, q, [-b for b in bound])
            return
        for a, b, c, guard, literal in zip(p, q, bound, guards, literals):
            if guard:
                clauses.append(guard + [literal])
            else:
                clauses.append([literal])
                self._facts.append((a, b, -c))

    def _assert(self, guard, p, q, bound):
        """The clause guard + ["x_p - x_q <= bound"]; without a guard it is a root fact,
        start(q) >= start(p) - bound, which the implied orders of the global constraints
        follow (the compiler's root_facts)."""
        literal = self.atom(p, q, bound)
        if guard:
            self.core.clauses.append(guard + [literal])
            return
        self.core.clauses.append([literal])
        if p != q:
            self._facts.append((p, q, -bound))

    # -- the families -----------------------------------------------------------------------
    def _tasks(self):
        """Per task: start >= release, end <= deadline and horizon, end <= makespan; an
        optional task's constraints hold only while it is present."""
        tasks = self.model.tasks
        if not tasks:
            return
        horizon = self.model.horizon
        makespan = self._makespan()
        if not any(t.optional for t in tasks):
            # all root facts: one batch of atoms, in the encoding's order
            p, q, bound = [], [], []
            for t in tasks:
                s = self.node[t.index]
                p.append(0), q.append(s), bound.append(-t.release)
                if t.deadline is not None:
                    p.append(s), q.append(0), bound.append(t.deadline - t.duration)
                if horizon is not None:
                    p.append(s), q.append(0), bound.append(horizon - t.duration)
                p.append(s), q.append(makespan), bound.append(-t.duration)
            self._assert_all(p, q, bound)
            return
        core = self.core
        # A weighted objective's cost theory (theories/cost*.py*) reads the difference
        # theory's model as the earliest schedule, which it is only when every node has a
        # path to the origin (DifferenceLogic.potentials); an absent optional task's start
        # has none (its release is guarded), and then the model may start a weighted task
        # later than its orderings force, and the cost theory's final check fails. So an
        # optional task's start is also >= 0 unguarded: an absent task's start means
        # nothing, and 0 is as good as any (the checker's G states the same fact).
        floor = model_weighted(self.model)
        for t in tasks:
            s = self.node[t.index]
            guard = []
            if t.optional:
                var = self.present[t.index] = self._new_var()
                core.bool_var[("present", t.index)] = var
                guard = [-var]
                if floor:
                    self._assert([], 0, s, 0)
            self._assert(guard, 0, s, -t.release)
            if t.deadline is not None:
                self._assert(guard, s, 0, t.deadline - t.duration)
            if horizon is not None:
                self._assert(guard, s, 0, horizon - t.duration)
            self._assert(guard, s, makespan, -t.duration)

    def _precedences(self):
        """start(after) - end(before) in [min_lag, max_lag], while both are present."""
        node, present = self.node, self.present
        precedences = self.model.precedences
        if any(p.before is p.after for p in precedences):
            # a task after itself: constants, one by one
            for p in precedences:
                a, b = p.before, p.after
                guard = [-present[x.index] for x in (a, b) if x.optional]
                self._assert(guard, node[a.index], node[b.index], -(a.duration + p.min_lag))
                if p.max_lag is not None:
                    self._assert(guard, node[b.index], node[a.index], a.duration + p.max_lag)
            return
        first, second, bound, guards = [], [], [], []
        for p in precedences:
            a, b = p.before, p.after
            guard = [-present[x.index] for x in (a, b) if x.optional]
            first.append(node[a.index]), second.append(node[b.index])
            bound.append(-(a.duration + p.min_lag)), guards.append(guard)
            if p.max_lag is not None:
                first.append(node[b.index]), second.append(node[a.index])
                bound.append(a.duration + p.max_lag), guards.append(guard)
        self._assert_all(first, second, bound, guards)

    def _alternatives(self):
        """Exactly one option present, starting with its task. "Not both" is the clause
        [-p_i, -p_j] and "present => same start" two clauses over the two atoms (the encoding
        says Not(And(p_i, p_j)) and Or(Not(p), start == start): Tseitin gates here)."""
        clauses, node, present = self.core.clauses, self.node, self.present
        for task, options in self.model.alternatives:
            chosen = [present[o.index] for o in options]
            clauses.append(list(chosen))
            for i in range(len(chosen)):
                for j in range(i + 1, len(chosen)):
                    clauses.append([-chosen[i], -chosen[j]])
            for option in options:
                same = self.atom(node[option.index], node[task.index], 0)
                other = self.atom(node[task.index], node[option.index], 0)
                clauses.append([-present[option.index], same])
                clauses.append([-present[option.index], other])

    def _nonrenewables(self):
        """A non-renewable resource: "sum of the amounts of the present tasks <= capacity",
        the mandatory tasks' amounts moved to the bound, as one row of the pseudo-Boolean
        theory over the presence variables (theories/pseudo_boolean*.py*: the counter-based
        slack propagation of Galena, Chai and Kuehlmann DAC 2003, and Pueblo, Sheini and
        Sakallah JSAT 2006).

        Why a row and not a clausal encoding (a totalizer, a sequential counter, pysat.pb's
        BDDs and adders): the theory is already in the engine (the memories' capacity rows
        use it); the row is linear in the tasks whatever the amounts, where a totalizer or a
        sequential counter grows with the capacity too (n tasks, capacity C: up to n * C
        auxiliary literals; PSPLIB's .mm capacities are in the tens, PyJobShop's consumables
        are arbitrary); it propagates as strongly as a BDD (generalised arc consistency of
        one linear constraint: a literal is set false as soon as its weight exceeds the
        slack); and its explanations are the certificates' `slack` rule, which the checker
        already has. Always a row, never the clause the compiler makes of a clause-shaped
        PbLe (compile.pseudo_boolean): the checker's G holds the constraint as a
        pseudo_boolean record only, so a clause of problem.cnf derived from it would not
        follow from G. Mandatory amounts above the capacity: the false clause (no
        schedule); a row that always holds (every amount fits): nothing."""
        for resource in self.model.nonrenewables:
            bound = resource.capacity - resource.constant()
            if bound < 0:
                self.core.clauses.append([-self._true_literal()])
                continue
            literals, weights = [], []
            for t, amount in resource.consumption:
                if t.optional:
                    literals.append(self.present[t.index])
                    weights.append(amount)
            if sum(weights) > bound:
                self.core.pseudo_boolean.append(PseudoBooleanSpec(literals, weights, bound))

    def _presence_rules(self):
        """The presence rules (Model.select_all_or_none, ...): clauses over the presence
        variables (PresenceRule.clauses), a mandatory task's presence true. A rule that
        cannot hold (e.g. exactly one of two mandatory tasks) is the false clause."""
        present = self.present
        clauses = self.core.clauses
        for rule in self.model.presence_rules:
            for clause in rule.clauses(lambda t: present[t.index] if t.optional else None,
                                       lambda lit: -lit):
                clauses.append(clause if clause else [-self._true_literal()])

    def _setup_times(self):
        """Sequence-dependent setup times (Model.setup_times) on a machine of n tasks, with
        O(n^2) Booleans and O(n^3) clauses (each guarded by the presences of its optional
        tasks, "while they are present"):

        - "order" Y(a, b) for each two tasks (Y(b, a) its negation): the sequence. Y(a, b)
          -> b starts at least D(a, b) after a ends, and not Y(a, b) -> a starts at least
          D(b, a) after b ends (D: SetupTimes.least_gaps, the least setup and work between
          two tasks of the sequence, which the disjunctive reasoning of the difference
          theory then sees pair by pair; the setup itself when setups keep the triangle
          inequality); transitive
          (Y(a, b), Y(b, c) -> Y(a, c)), so that it is a linear order. The times make it so
          unless all three last 0 (a cycle a, b, c would give s_a >= s_a + p_a + p_b + p_c),
          so the clauses are stated for the zero-duration tasks only (zero-duration tasks at
          one instant, which the times leave in any order);
        - "next" X(a, b) for each ordered pair: b directly follows a. X(a, b) -> a, b present,
          Y(a, b), no present c between (Y(c, a) or Y(b, c)), and b starts at least
          setup(a, b) after a ends; every present a with a present b after it has a next
          (Y(a, b) -> some X(a, c)). The setup of X(a, b) is a clause of its own only when
          it exceeds D(a, b).

        Sound: in every model the present tasks are a linear order Y consistent with the
        times, and the next of each non-last task is its successor in Y, so the setups of the
        consecutive pairs hold. Complete: a schedule's sequence gives Y, and X of its
        consecutive pairs. This is the successor-variable model of sequencing with setups
        (the precedence and successor variables of MIP models of single-machine scheduling
        with sequence-dependent setups, e.g. Allahverdi et al.'s survey, EJOR 2008, and the
        arcs of OR-Tools' circuit constraint, which PyJobShop's solver uses), as clauses; only
        consecutive tasks get a setup, which matters when setups break the triangle
        inequality. Booleans named as the certificates name them (SetupTimes.order_name)."""
        core, clauses, node = self.core, self.core.clauses, self.node
        present = self.present

        def guard(*tasks):
            return [-present[t.index] for t in tasks if t.optional]

        def before(a, b, gap=0):
            return self.atom(node[a.index], node[b.index], -(a.duration + gap))

        for setups in self.model.setups:
            number = next(k for k, r in enumerate(self.model.resources)
                          if r is setups.resource)
            tasks = [t for t, _ in setups.resource.demands]
            order = {}
            for i, a in enumerate(tasks):
                for b in tasks[i + 1:]:
                    var = self._new_var()
                    core.bool_var[("var", setups.order_name(number, a, b), None)] = var
                    order[a.index, b.index], order[b.index, a.index] = var, -var
            least = setups.least_gaps()
            for i, a in enumerate(tasks):
                for b in tasks[i + 1:]:
                    y = order[a.index, b.index]
                    clauses.append(guard(a, b) + [-y, before(a, b, least[a.index, b.index])])
                    clauses.append(guard(a, b) + [y, before(b, a, least[b.index, a.index])])
            # transitivity over the zero-duration tasks only: order(a, b), order(b, c) and
            # order(c, a) would give s_a >= s_a + p_a + p_b + p_c through the times
            instant = [t for t in tasks if t.duration == 0]
            for a in instant:
                self._check_clock()
                for b in instant:
                    if b is a:
                        continue
                    ab = order[a.index, b.index]
                    for c in instant:
                        if c is not a and c is not b:
                            clauses.append(guard(a, b, c) + [-ab, -order[b.index, c.index],
                                                              order[a.index, c.index]])
            nexts = {}
            for a in tasks:
                for b in tasks:
                    if b is not a:
                        var = self._new_var()
                        core.bool_var[("var", setups.next_name(number, a, b), None)] = var
                        nexts[a.index, b.index] = var
            for a in tasks:
                self._check_clock()
                for b in tasks:
                    if b is a:
                        continue
                    x = nexts[a.index, b.index]
                    clauses.extend([-x, -lit] for lit in guard(a, b))
                    clauses.append([-x, order[a.index, b.index]])
                    gap = setups.times.get((a, b), 0)
                    if gap > least[a.index, b.index]:   # (else the order's clause says it)
                        clauses.append([-x, before(a, b, gap)])
                    for c in tasks:
                        if c is not a and c is not b:
                            clauses.append([-x] + guard(c) + [order[c.index, a.index],
                                                              order[b.index, c.index]])
            for a in tasks:
                successors = [nexts[a.index, c.index] for c in tasks if c is not a]
                for b in tasks:
                    if b is not a:
                        clauses.append(guard(a, b) + [-order[a.index, b.index]] + successors)

    def _parking(self):
        """The numbers of the resources with optional tasks that get a global theory all the
        same (`park`): their absent tasks are parked after the makespan.

        The disjunctive theory knows no presence: a resource with optional tasks gets guarded
        pairwise clauses (`_optional_pairs`) and, since the cumulative theory takes presence
        literals, that theory's timetable (`_optional_cumulative`), but no edge-finding
        argument (on npu-fallback the tensor unit, whose every task is an option of an
        alternative). Every present task ends by the makespan M, so the absent
        ones can always be put one after the other from M on, each within [0, M + K], K the
        total duration of the optional tasks (an absent task's start means nothing). Stating
        that window as a fact ("start >= 0", "start - makespan <= K - duration") and every
        pair "one before the other" without guards keeps every schedule of the model (its
        absent tasks moved there) and adds none (drop the absent ones), so the resource is a
        plain machine or cumulative resource of the extended problem, and its theory reasons
        on the present tasks, whose windows the search narrows, while the parked ones sit
        out of the way (their windows reach past the makespan). It is the classic move of
        optional activities to a dummy time beyond the horizon (Vilim, Bartak and Cepek,
        "Unary resource constraint with optional activities", CP 2004, filter them instead).

        Only when every task fits the resource alone (else the unguarded resource would refute
        the model). Off by default (LoweringBackend(park=True) asks for it): measured on GPT
        graphs on npu-fallback it does not pay yet. The segments of 12 blocks took 21 s
        instead of 3 s, the whole 4-block model ended at 63,962 with bound 56,512 after 60 s
        instead of 62,960 and 59,882 (the parked tasks' windows and their 30-times-longer
        vector options weigh on every check); one block was proven in 0.34 s instead of
        0.78 s. Not for certificates either: the checker counts a task in a rule only with
        its presence among the premises, and these lemmas lean on the parking facts instead
        (docs/certificates.md has no rule for them). tests/test_alternatives_parking.py checks
        it against brute force."""
        if not self.park:
            return set()
        model = self.model
        parked = set()
        for number, resource in enumerate(model.resources):
            if any(t.optional for t, _ in resource.demands) \
                    and all(d <= resource.capacity for _, d in resource.demands):
                parked.add(number)
        if not parked:
            return parked
        optional = [t for t in model.tasks if t.optional and t.duration > 0]
        room = sum(t.duration for t in optional)
        makespan = self._makespan()
        p, q, bound = [], [], []
        for t in optional:
            s = self.node[t.index]
            p.append(0), q.append(s), bound.append(0)                          # start >= 0
            p.append(s), q.append(makespan), bound.append(room - t.duration)   # parked by M + K
        self._assert_all(p, q, bound)
        return parked

    # the pairs of a global constraint are made this many at a time, the clock read between
    # (a single-core model of 4,713 operators has 11 million pairs; 0.1 s a block)
    PAIRS_PER_BLOCK = 1 << 16

    def _pair_blocks(self, mask):
        """(first, second) arrays of the True entries of the square boolean `mask`, row by row
        (the compiler's order), in blocks of whole rows of about PAIRS_PER_BLOCK pairs; the
        clock is read before each block."""
        per_row = mask.sum(axis=1)
        row, k = 0, len(mask)
        while row < k:
            self._check_clock()
            end = row + 1 + int(np.searchsorted(np.cumsum(per_row[row + 1:]),
                                                self.PAIRS_PER_BLOCK - per_row[row]))
            first, second = np.nonzero(mask[row:end])
            yield first + row, second
            row = end

    def _store_matrix(self, k):
        """An empty k x k literal matrix of a pair store: int32 while literals fit."""
        return np.zeros((k, k), dtype=np.int32 if self.core.num_vars < 1 << 30 else np.int64)

    def _lazy_or_settled(self, indices, used):
        """(lazy, settled) for a global constraint over the tasks `indices` (`used`: booleans,
        the tasks that take part): whether it goes without ordering atoms (the pairs mode:
        auto takes lazy from LAZY_FROM free pairs, without counting them from LAZY_UNCOUNTED
        pairs of used tasks), and the pairs the precedences order when it does not."""
        k = int(np.count_nonzero(used))
        pairs = k * (k - 1) // 2
        mode = self.pairs_mode
        if mode == "lazy" or (mode == "auto" and pairs >= self.LAZY_UNCOUNTED):
            return True, None
        settled = self._settled(indices)
        if mode == "eager" or pairs < self.LAZY_FROM:
            return False, settled
        free = np.triu(~(settled | settled.T) & np.outer(used, used), 1)
        return int(np.count_nonzero(free)) >= self.LAZY_FROM, settled

    def _machine(self, resource, number):
        """A machine: its DisjunctiveSpec, and for every pair of lasting tasks not ordered by
        the precedences already the clause "one ends before the other starts"."""
        tasks = [t for t, _ in resource.demands]
        indices = np.array([t.index for t in tasks], dtype=np.int64)
        nodes = self.nodes[indices]
        durations = self.durations[indices]
        lasting = durations > 0
        specs = [Task(node, duration) for node, duration in
                 zip(nodes.tolist(), [t.duration for t in tasks])]
        lazy, settled = self._lazy_or_settled(indices, lasting)
        if lazy:
            # no pairs: the theory checks overloads and edge finding without them, and the
            # backend cuts what overlaps (`overloads`); the memories' liveness literals then
            # read no machine literals (they state "start(j) < end(e)" without the machine)
            self.lazy.add(number)
            for t in tasks:
                self.machines[t.index].discard(number)
            self.core.globals.append(DisjunctiveSpec(specs, {}))
            return
        free = np.triu(~(settled | settled.T) & np.outer(lasting, lasting), 1)
        del settled
        matrix = self._store_matrix(len(tasks))
        order = {}
        for first, second in self._pair_blocks(free):
            # before (i, j) then after (j, i), pair by pair: the compiler's order of atoms
            p = np.stack([nodes[first], nodes[second]], axis=1).ravel()
            q = np.stack([nodes[second], nodes[first]], axis=1).ravel()
            bound = -np.stack([durations[first], durations[second]], axis=1).ravel()
            literals = self.atoms(p, q, bound, distinct=True, store=True)
            self.core.clauses.extend(literals.reshape(-1, 2).tolist())
            matrix[first, second] = literals[0::2]
            matrix[second, first] = literals[1::2]
            order.update(zip(zip(np.stack([first, second], axis=1).ravel().tolist(),
                                 np.stack([second, first], axis=1).ravel().tolist()),
                             literals.tolist()))
        self.machine_orders[number] = self._add_store(indices, matrix)
        self.core.globals.append(DisjunctiveSpec(specs, order))

    def _cumulative(self, resource, number):
        """A cumulative resource: its CumulativeSpec with an ordering literal for every ordered
        pair of tasks that use it and are not ordered by the precedences already, the
        disjunction for pairs that can never overlap, and with a horizon the bound literals
        "start >= v" over each task's window. A lazy resource (`_lazy_or_settled`) gets no
        ordering literals and no disjunctions: its theory explains overloads by the tasks'
        bounds, and the backend cuts the overloads of the schedules it finds."""
        tasks = [t for t, _ in resource.demands]
        demands = [d for _, d in resource.demands]
        capacity = resource.capacity
        indices = np.array([t.index for t in tasks], dtype=np.int64)
        nodes = self.nodes[indices]
        durations = self.durations[indices]
        demand = np.array(demands, dtype=self.dtype)
        used = (durations > 0) & (demand > 0)
        for k in np.flatnonzero(used & (demand > capacity)).tolist():
            self.core.clauses.append([-self._true_literal()])  # alone it overloads it
        lazy, settled = self._lazy_or_settled(indices, used)
        order = {}
        options = CumulativeOptions()
        if lazy:
            self.lazy.add(number)
            # an ordering cut needs the atoms: overloads are stated by the tasks' bounds
            options = CumulativeOptions(explanation="pointwise")
        else:
            free = ~(settled | settled.T) & np.outer(used, used)
            del settled
            np.fill_diagonal(free, False)
            matrix = self._store_matrix(len(tasks))
            for first, second in self._pair_blocks(free):
                literals = self.atoms(nodes[first], nodes[second], -durations[first],
                                      distinct=True, store=True)
                matrix[first, second] = literals
                order.update(zip(zip(first.tolist(), second.tolist()), literals.tolist()))
            self._add_store(indices, matrix)
            clash = np.triu(free & (np.add.outer(demand, demand) > capacity), 1)
            a, b = np.nonzero(clash)
            self.core.clauses.extend(np.stack([matrix[a, b], matrix[b, a]], axis=1).tolist())
        bound_literals = {}
        windows = self._windows(tasks)
        if windows is not None:
            keys, starts, values = [], [], []
            for k in np.flatnonzero(used).tolist():
                if windows[k] is not None and self.node[tasks[k].index] != 0:
                    earliest, latest = windows[k]
                    for v in range(earliest + 1, latest + 1):
                        keys.append((k, v))
                        starts.append(self.node[tasks[k].index])
                        values.append(v)
            if keys:
                literals = self.atoms(np.zeros(len(keys), dtype=np.int64),
                                      np.array(starts, dtype=np.int64),
                                      -np.array(values, dtype=self.dtype), distinct=True)
                bound_literals = dict(zip(keys, literals.tolist()))
        specs = [DemandTask(node, t.duration, d)
                 for node, t, d in zip(nodes.tolist(), tasks, demands)]
        self.core.globals.append(CumulativeSpec(specs, capacity, order, bound_literals,
                                                options))

    def _windows(self, tasks):
        """Each task's window under the horizon (`windows`), the heads and tails made once."""
        if self.horizon is None:
            return None
        if self._heads is None:
            from .bounds import heads_and_tails
            self._heads = heads_and_tails(self.model)
        return windows(tasks, self.horizon, self._heads, self.MAX_BOUND_LITERALS)

    def _optional_pairs(self, resource, number):
        """A resource with optional tasks: for two lasting tasks whose demands together exceed
        the capacity, "one ends before the other starts" while both are present (the encoding
        guards Or(before, after) with the presences: a Tseitin gate there, one clause here).
        Sets of three or more are cut between searches (`overloads`, `cut`)."""
        pairs = [(t, d) for t, d in resource.demands if t.duration > 0]
        clauses, present = self.core.clauses, self.present
        # what the resource enforces, for certificates only (no theory gets it: not in
        # core.globals): its spec and each task's presence variable (0: mandatory), for
        # constraints.json and the cuts' clique witnesses (emit._Constraints, lowered.cut)
        nodes = [self.node[t.index] for t, _ in resource.demands]
        if resource.unary and all(d == 1 for _, d in resource.demands):
            spec = DisjunctiveSpec([Task(n, t.duration) for n, (t, _) in
                                    zip(nodes, resource.demands)], {})
        else:
            spec = CumulativeSpec([DemandTask(n, t.duration, d) for n, (t, d) in
                                   zip(nodes, resource.demands)], resource.capacity, {})
        if not hasattr(self.core, "optional_globals"):
            self.core.optional_globals = []
        self.core.optional_globals.append((spec, [present[t.index] for t, _ in
                                                  resource.demands]))
        if self.pairs_mode == "lazy" or (self.pairs_mode == "auto" and _clashing(
                [d for _, d in pairs], resource.capacity) >= self.LAZY_FROM):
            # the pairs too are cut between searches, as the sets of three or more
            self.lazy.add(number)
            return
        for i in range(len(pairs)):
            self._check_clock()
            a, da = pairs[i]
            for j in range(i + 1, len(pairs)):
                b, db = pairs[j]
                if da + db > resource.capacity:
                    guard = [-present[t.index] for t in (a, b) if t.optional]
                    clauses.append(guard + [self.before(a, b), self.before(b, a)])

    def _optional_cumulative(self, resource):
        """A resource with optional tasks (a machine too: capacity 1) also gets a cumulative
        theory that knows their presences (theories/cumulative_ref.py, "Optional tasks"):
        its timetable arguments count a task once its presence is true, with the presence
        among the premises, and its filtering moves the tasks known present. The theory owns
        the presence variables it reads, and a presence is read by the pseudo-Boolean rows of
        the non-renewables and by every resource of its mode, so each resource gets fresh
        copies c <-> p (two clauses). An option of an alternative is read on the start of its
        alternative's task (they are equal while it is present; that task is mandatory, so
        the search narrows its bounds whatever mode it takes, and under a horizon it has a
        window: the bound literals "start >= v" over it are what the filtering moves). No
        ordering literals: the final check accepts an overloaded schedule, which the guarded
        pairs and the cuts between searches refute as before (`_optional_pairs`). The window
        energy check stays off, as for the other cumulative resources (core.factory).

        Not for certificates (Lowering(presence=False)): the checker counts an optional
        task only with the model's presence among the premises, and these clauses name the
        copies (docs/certificates.md has no rule for them)."""
        present = self.present
        if self._carrier is None:
            self._carrier = {o.index: task for task, options in self.model.alternatives
                             for o in options}
        used = [(t, d) for t, d in resource.demands if d > 0 and t.duration > 0]
        if len(used) < 2 or not any(t.optional for t, _ in used):
            return
        tasks, copies, carriers = [], [], []
        for t, d in used:
            # an option starts with the task of its alternative while present: the theory
            # reads that task's start (mandatory, so its bounds are narrowed whatever option
            # is chosen, and it has a window for bound literals), with the option's
            # duration; the presence among the premises makes the clauses hold
            carrier = self._carrier.get(t.index, t)
            carriers.append(carrier)
            tasks.append(DemandTask(self.node[carrier.index], t.duration, d))
            if t.optional:
                copy = self._new_var()
                p = present[t.index]
                self.core.clauses.append([-p, copy])
                self.core.clauses.append([-copy, p])
                copies.append(copy)
            else:
                copies.append(0)
        bound_literals = {}
        windows = self._windows(carriers)
        if windows is not None:
            keys, starts, values = [], [], []
            for k, carrier in enumerate(carriers):
                if windows[k] is not None and self.node[carrier.index] != 0:
                    earliest, latest = windows[k]
                    for v in range(earliest + 1, latest + 1):
                        keys.append((k, v))
                        starts.append(self.node[carrier.index])
                        values.append(v)
            if keys:
                literals = self.atoms(np.zeros(len(keys), dtype=np.int64),
                                      np.array(starts, dtype=np.int64),
                                      -np.array(values, dtype=self.dtype))
                bound_literals = dict(zip(keys, literals.tolist()))
        self.core.globals.append(CumulativeSpec(
            tasks, resource.capacity, {}, bound_literals,
            CumulativeOptions(explanation="pointwise"), copies))

    def _memories(self):
        """Each memory's liveness literals and sums (smtsched.sched.liveness), and the rows of
        its capacity; or (memory mode "theory") its intervals for the memory theory
        (smtsched.sched.memory_intervals) and the spec of its capacity."""
        from .memory import longest_paths
        from .memory_intervals import PATHS_UP_TO, MemoryIntervals, memory_mode
        if self.memory_mode is None:
            self.memory_mode = memory_mode(self.model)
        theory = self.memory_mode == "theory"
        paths = None
        if not theory or len(self.model.tasks) <= PATHS_UP_TO:
            paths = longest_paths(self.model, self.deadline)
        for number, memory in enumerate(self.model.memories):
            if theory:
                lowered = MemoryIntervals(self, memory, number, paths)
            else:
                lowered = MemoryLiveness(self, memory, number, paths)
            self.memories.append(lowered)
            if memory.capacity is not None:
                lowered.bound(memory.capacity)

    # -- orders the precedences imply ---------------------------------------------------------
    def _settled(self, indices):
        """settled[i, j] (k x k booleans over the tasks `indices` of one global constraint):
        the root facts (releases, deadlines, the makespan, lags) imply "task i ends before
        task j starts": their longest chain of facts start(b) >= start(a) + c from i's start
        to j's is at least i's duration. Only facts with c >= 0 are followed, and none when
        those have a cycle, so a pair found is always implied (the compiler's
        implied_orders, as a matrix)."""
        k = len(indices)
        settled = np.zeros((k, k), dtype=bool)
        if k < 2 or not self._facts:
            return settled
        if self._reach is None:
            self._reach = self._fact_graph()
        if self._reach is False:
            return settled
        if len(np.unique(self._piece[self.nodes[indices]])) == k:
            return settled   # no two of them joined by arcs at all
        chain = self._reach_from(indices)        # [j, i]: the longest chain from i to j
        durations = self.durations[indices][None, :]
        # "i ends before j starts" at [j, i] (row-major work), returned transposed; a chain of
        # at least a positive duration is no _NONE
        settled = (chain >= durations) & (durations > 0)
        np.fill_diagonal(settled, False)
        return settled.T

    def _reach_from(self, indices):
        """chain[t, s]: the longest chain of facts with c >= 0 from the start of task
        indices[s] to the start of task indices[t] (_NONE: none; 0 from a start to itself).
        The rows of every graph node come from one pass in topological order with a vector
        per node (numpy), for the tasks of several global constraints at once (la40's fifteen
        machines in one pass) while the matrix stays under REACH_ENTRIES."""
        order, into, blocks, block_of, column_of = self._reach
        if (block_of[indices] < 0).any():
            n_nodes = self._spec.num_nodes
            limit = max(len(indices), self.REACH_ENTRIES // n_nodes)
            chunk = list(dict.fromkeys(indices.tolist()))
            for resource in self.model.resources:  # the tasks of the globals to come, too
                if len(chunk) >= limit:
                    break
                more = [t.index for t, _ in resource.demands if block_of[t.index] < 0]
                chunk = list(dict.fromkeys(chunk + more))[:limit]
            chunk = np.array(chunk, dtype=np.int64)
            rows = np.full((n_nodes, len(chunk)), _NONE, dtype=self._reach_dtype)
            rows[self.nodes[chunk], np.arange(len(chunk))] = 0
            for count, v in enumerate(order):
                if count % 64 == 0:
                    self._check_clock()
                row = rows[v]
                for a, c in into[v]:
                    through = rows[a]
                    np.maximum(row, np.where(through > _NONE, through + c, _NONE), out=row)
            block_of[chunk] = len(blocks)
            column_of[chunk] = np.arange(len(chunk))
            blocks.append(rows)
        which = block_of[indices]
        columns = column_of[indices]
        targets = self.nodes[indices][:, None]
        if (which == which[0]).all():
            return blocks[which[0]][targets, columns[None, :]]
        chain = np.empty((len(indices), len(indices)), dtype=self._reach_dtype)
        for block in np.unique(which).tolist():
            mine = np.flatnonzero(which == block)
            chain[:, mine] = blocks[block][targets, columns[mine][None, :]]
        return chain

    def _fact_graph(self):
        """The root facts with c >= 0 as a graph (the greatest c per arc): (topological order
        of the nodes whose rows the pass computes, incoming arcs per node, and the blocks of
        reach rows with where each task's column is); False when they have a cycle. A node
        without arcs from a task's start (the origin when nothing leads into it) keeps no
        chain, and the makespan leads nowhere: their arcs are left out of the pass."""
        n_nodes = self._spec.num_nodes
        best = {}
        for a, b, c in self._facts:
            if c >= 0 and best.get((a, b), -1) < c:
                best[(a, b)] = c
        # a chain is at most the sum of the arcs: int64 while that fits, else Python integers
        self._reach_dtype = object if sum(best.values()) >= 1 << 61 else self.dtype
        graph = Precedences(n_nodes, [(a, b, c) for (a, b), c in best.items()])
        order = graph.topological_order()
        if order is None:
            return False
        into, out = graph.predecessors, graph.successors
        # the nodes a chain from a task's start reaches, and of those the ones that matter:
        # a task's start, or a node with arcs onwards
        reached = [False] * n_nodes
        for node in self.node:
            reached[node] = True
        for v in order:
            if not reached[v]:
                reached[v] = any(reached[a] for a, _ in into[v])
        starts = set(self.node)
        passes = [v for v in order if into[v] and reached[v] and (v in starts or out[v])]
        into = [[(a, c) for a, c in arcs if reached[a]] for arcs in into]
        # the connected pieces of those arcs: no chain joins starts in different pieces (the
        # jobs of a job shop: then no pass at all)
        piece = list(range(n_nodes))

        def find(v):
            while piece[v] != v:
                piece[v] = piece[piece[v]]
                v = piece[v]
            return v
        for b in passes:
            for a, _ in into[b]:
                piece[find(a)] = find(b)
        self._piece = np.array([find(v) for v in range(n_nodes)], dtype=np.int64)
        n = len(self.node)
        return passes, into, [], np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.int64)

    # -- after the construction: the optimiser's requests ---------------------------------------
    def makespan_bound(self, bound):
        """The literal of "makespan <= bound"."""
        return self.atom(self._makespan(), 0, bound)

    def _makespan(self):
        if self.makespan_node is None:  # no tasks: the compiler meets it in the bound
            self.makespan_node = self._spec.node(("makespan",), "makespan")
        return self.makespan_node

    def before(self, a, b):
        """The literal of "task a ends before task b starts" (start(b) - start(a) >= a's
        duration)."""
        return self.atom(self.node[a.index], self.node[b.index], -a.duration)

    def same_machine(self, a, b):
        return a is not b and not self.machines[a.index].isdisjoint(self.machines[b.index])

    def cost_bound(self, bound, guarded=True):
        """(guard, spec): the CostSpec "guard => weighted completion (or tardiness) <= bound",
        appended to the core's globals; its theory owns the fresh guard variable. Unguarded
        (guard None) with guarded=False."""
        model = self.model
        if model.earliness:
            return self._convex_cost_bound(bound, guarded)
        indices = sorted(model.weights)
        guard = self._new_var() if guarded else None
        tasks = [CostTask(self.node[i], model.tasks[i].duration, model.weights[i],
                          None if model.dues is None else model.dues[i]) for i in indices]
        spec = CostSpec(tasks, bound, guard)
        if model.cost_terms():
            self._more_terms(spec)
        self.core.globals.append(spec)
        return guard, spec

    def end_costs(self):
        """The objective's terms as EndCost records (a model with earliness terms)."""
        from ..core.specs import EndCost
        model = self.model
        tasks = []
        for i in sorted(model.weights):
            kind, due = ("completion", None) if model.dues is None \
                else ("tardiness", model.dues[i])
            tasks.append(EndCost(self.node[i], model.tasks[i].duration, kind,
                                 model.weights[i], due))
        for i in sorted(model.earliness):
            weight, due = model.earliness[i]
            tasks.append(EndCost(self.node[i], model.tasks[i].duration, "earliness", weight,
                                 due))
        return tasks

    def _convex_cost_bound(self, bound, guarded):
        """cost_bound of a model with earliness terms: a ConvexCostSpec (its theory, the
        convex cost theory, re-times the decided orderings exactly)."""
        from ..core.specs import ConvexCostSpec
        model = self.model
        if model.cost_terms():
            # the Model refuses earliness with these terms (minimize_weighted_sum); never
            # drop them silently if one gets here some other way
            from ..errors import UnsupportedError
            raise UnsupportedError("earliness terms with tardy, max_tardiness or setup_weight "
                                   "terms: the convex cost theory bounds none of them")
        guard = self._new_var() if guarded else None
        spec = ConvexCostSpec(self.end_costs(), bound, guard)
        self.core.globals.append(spec)
        return guard, spec

    def _more_terms(self, spec):
        """The steps, max groups and literal terms of minimize_weighted_sum's more terms on
        `spec`. The total setup time is the setups of the "next" Booleans that are true
        (_setup_times: in every model the true ones are the consecutive pairs); the cost
        theory must own the variables it counts, and a Boolean has one owner while a bound
        makes a theory of its own, so each bound counts fresh copies c of them with the
        clauses next -> c (theories/cost_ref.py)."""
        model, node, tasks = self.model, self.node, self.model.tasks

        def term(i, weight, due):
            return CostTask(node[i], tasks[i].duration, weight, due)

        spec.steps = [term(i, w, due) for i, w, due in model.tardy]
        spec.groups = [(weight, [term(i, w, due) for i, w, due in members])
                       for weight, members in model.max_groups]
        if not model.setup_weight:
            return
        for setups in model.setups:
            number = next(k for k, r in enumerate(model.resources) if r is setups.resource)
            for (a, b), gap in sorted(setups.times.items(),
                                      key=lambda item: (item[0][0].index, item[0][1].index)):
                if gap <= 0:
                    continue
                x = self.core.bool_var[("var", setups.next_name(number, a, b), None)]
                copy = self._new_var()
                self.core.clauses.append([-x, copy])
                # for certificates a proxy of x (atoms.txt "and x"): the clause follows from
                # it, and a bound over the copies bounds the next Booleans (the checker's
                # cost records follow through the proxy to the objective's terms)
                self.core.gates[copy] = ("and", (x,))
                spec.literals.append((copy, model.setup_weight * gap))

    def memory(self, memory):
        """The MemoryLiveness of one of the model's memories."""
        return self.memories[self.model.memories.index(memory)]

    def memory_bound(self, memory, bound):
        """The guard literal of "peak of `memory` <= bound" (rows or clauses added to the
        core)."""
        return self.memory(memory).bound(bound, guarded=True)

    @staticmethod
    def retire(guard):
        """The clause that switches a bound's guard off for good."""
        return [-guard]

    def cut(self, tasks):
        """The clause "not all of `tasks` run at one instant": some pair of them is ordered
        (or one of them is absent). Intervals on a line that pairwise overlap share a point
        (Helly's theorem in one dimension), so this says exactly that."""
        clause = []
        for i in range(len(tasks)):
            for j in range(i + 1, len(tasks)):
                clause.append(self.before(tasks[i], tasks[j]))
                clause.append(self.before(tasks[j], tasks[i]))
        clause += [-self.present[t.index] for t in tasks if t.optional]
        return clause

    #: the most cuts made from one schedule for one lazy resource
    LAZY_CUTS = 256

    def overloads(self, starts, present):
        """The overloads of the schedule to cut (sets of tasks, `cut`): one per resource
        whose overloads the search does not refute itself (resources with optional tasks,
        `overloads`), and up to LAZY_CUTS per lazy resource (`resource_overloads`): their
        theories accept a schedule where the atoms of a cut do not exist yet."""
        found = []
        for number, resource in enumerate(self.model.resources):
            most = self.LAZY_CUTS if number in self.lazy else 1
            found += resource_overloads(resource, starts, present, most)
        return found

    def phases(self, starts, present=None, makespan=None):
        """The literals that the schedule `starts` (by task) makes true: every atom both of
        whose nodes have a value (the origin's is 0; the makespan's is `makespan`, None: no
        value), and with `present` (by task) the presence variables; the hint the Solver makes
        of {start: value, makespan: value} (solver._phases), for a starting schedule."""
        num_nodes = self._spec.num_nodes
        var, p, q, bound = self._atom_arrays()
        small = bound.dtype != object and \
            max(map(abs, list(starts) + [makespan or 0]), default=0) < _SMALL
        values = np.zeros(num_nodes, dtype=np.int64 if small else object)
        known = np.zeros(num_nodes, dtype=bool)
        known[0] = True
        values[self.nodes] = list(starts)
        known[self.nodes] = True
        if makespan is not None:
            values[self._makespan()] = makespan
            known[self._makespan()] = True
        literals = []
        if len(var):
            use = known[p] & known[q]
            holds = (values[p[use]] - values[q[use]] <= bound[use]).astype(bool)
            literals = np.where(holds, var[use], -var[use]).tolist()
        if present is not None:
            for t in self.model.tasks:
                if t.optional:
                    var = self.present[t.index]
                    literals.append(var if present[t.index] else -var)
        return literals

    def _atom_arrays(self):
        """(variables, p, q, bounds) of every atom so far, as arrays (one block, cached)."""
        singles = [part for part in self._atom_parts if not hasattr(part[0], "__len__")]
        blocks = [part for part in self._atom_parts if hasattr(part[0], "__len__")]
        if singles:
            blocks.append(tuple(zip(*singles)))
        if not blocks:
            return (np.zeros(0, dtype=np.int64),) * 3 + (np.zeros(0, dtype=object),)
        columns = [np.concatenate([np.asarray(block[k], dtype=np.int64) for block in blocks])
                   for k in range(3)]
        bounds = [np.asarray(block[3]) for block in blocks]
        if any(b.dtype == object for b in bounds):
            bounds = [b.astype(object) for b in bounds]
        columns.append(np.concatenate(bounds))
        self._atom_parts = [tuple(columns)]
        return tuple(columns)

    def best_timing(self, potentials, truth):
        """The node values of the least-cost timing of the Int difference constraints that
        the SAT model `truth` makes true, from the model's `potentials` (feasible for them)."""
        from smtsched.theories.convex_cost_ref import atom_edges, best_timing, node_costs
        start = [p - potentials[0] for p in potentials]
        edges = atom_edges(self.core.difference[INT].atoms, _literal_truth(truth))
        x, _, _ = best_timing(len(start), edges, node_costs(self.end_costs()), start)
        return x

    def schedule(self, outcome):
        """(starts, present) of a sat engine Outcome, lists by task index: the starts from the
        Int difference theory's potentials (`outcome.values[0]`, the factory's first theory),
        relative to the origin; the presences from the SAT model (`outcome.model`, literal k
        at position k - 1 as PySAT gives it)."""
        potentials = outcome.values[0] if self.model.tasks else [0]
        origin = potentials[0]
        truth = outcome.model
        if self.model.earliness:
            # the difference theory's model is the earliest schedule of the orderings; the
            # best one is the optimal timing of the same constraints (the convex cost
            # theory's argument, theories/convex_cost_ref.py)
            potentials = self.best_timing(potentials, truth)
            origin = 0
        starts = [int(potentials[node] - origin) for node in self.node]
        present = []
        for var in self.present:
            if not var:
                present.append(True)
                continue
            literal = truth[var - 1] if var <= len(truth) else -var
            if abs(literal) != var:
                raise ValueError(f"the SAT model has {literal} at position {var - 1}")
            present.append(literal > 0)
        return starts, present


def _literal_truth(truth):
    """value(var) of a SAT model as PySAT lists it (literal k at position k - 1)."""
    def value(var):
        if var <= len(truth):
            return 1 if truth[var - 1] > 0 else -1
        return 0
    return value


def _clashing(demands, capacity):
    """How many pairs of `demands` (a list) sum above `capacity` (sorted, no k x k matrix)."""
    ordered = sorted(demands)
    count = 0
    for position, d in enumerate(ordered):
        # partners after this one in the order whose demand exceeds capacity - d
        low, high = position + 1, len(ordered)
        while low < high:
            middle = (low + high) // 2
            if ordered[middle] > capacity - d:
                high = middle
            else:
                low = middle + 1
        count += len(ordered) - low
    return count


def windows(tasks, horizon, heads_and_tails, most):
    """Each task's (head, horizon - tail, or its deadline's latest start if earlier): where
    its start can lie under the horizon (None for a task without room or duration); None for
    all when that would take more than `most` bound literals."""
    head, tail = heads_and_tails
    out = []
    total = 0
    for t in tasks:
        latest = horizon - tail[t.index]
        if t.deadline is not None:
            latest = min(latest, t.deadline - t.duration)
        if latest > head[t.index] and t.duration > 0:
            out.append((head[t.index], latest))
            total += latest - head[t.index]
        else:
            out.append(None)
    return out if total <= most else None


def overloads(model, starts, present):
    """For each resource with an overloaded instant in the schedule: a minimal set of tasks
    running then whose demands exceed the capacity (at most one per resource, at the earliest
    such instant; the largest demands first)."""
    found = []
    for resource in model.resources:
        found += resource_overloads(resource, starts, present)
    return found


def resource_overloads(resource, starts, present, most=1):
    """Sets of tasks of `resource` that run at one instant of the schedule with demands above
    its capacity. most=1: the one of `overloads` (the earliest overloaded instant, the
    largest demands first). Otherwise up to `most` distinct sets, one per start that
    overloads the resource: the starting task and, of the tasks running then, the fewest
    (largest demands, then the latest started) that take the load above the capacity: cuts
    that order each task against its neighbours in the schedule (a lazy resource's cuts)."""
    events = []
    for task, demand in resource.demands:
        if present[task.index] and task.duration > 0:
            s = starts[task.index]
            events.append((s, 1, task.index, task, demand))
            events.append((s + task.duration, 0, task.index, task, demand))
    events.sort(key=lambda e: (e[0], e[1]))  # ends before starts at the same instant
    running = {}
    load = 0
    found, seen = [], set()
    for _, kind, index, task, demand in events:
        if kind == 0:
            del running[index]
            load -= demand
            continue
        running[index] = (task, demand)
        load += demand
        if load <= resource.capacity:
            continue
        if most == 1:
            chosen, total = [], 0
            for task, demand in sorted(running.values(), key=lambda td: (-td[1], td[0].index)):
                chosen.append(task)
                total += demand
                if total > resource.capacity:
                    break
            return [chosen]
        chosen, total = [task], demand
        others = sorted((td for i, td in running.items() if i != index),
                        key=lambda td: (-td[1], -starts[td[0].index], td[0].index))
        for other, other_demand in others:
            if total > resource.capacity:
                break
            chosen.append(other)
            total += other_demand
        key = frozenset(t.index for t in chosen)
        if key not in seen:
            seen.add(key)
            found.append(chosen)
            if len(found) >= most:
                break
    return found
