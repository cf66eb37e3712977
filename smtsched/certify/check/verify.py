"""`check(directory, input=None) -> Verdict`: the checker's steps, in the order of
docs/certificates.md.

1. manifest.json, the input (found next to the certificate or given), its SHA-256, and the
   checker's own reading of it (a reader from `readers`, by the manifest's input format);
2. atoms.txt mapped onto the reader's encoding G by meaning;
3. constraints.json: each follows from a constraint of the input;
4. lemmas.jsonl: each rule against its witness (rules.py), retirements by purity;
5. problem.cnf: every clause RUP from G plus the definitions, or a Boolean consequence of
   them (a bounded MiniSat-class solve), or an `input` lemma with a valid witness (so the
   lemmas come first);
6. the claim (assumptions, schedule);
7. proof.drup by forward RUP (rup.py) up to its empty clause (files.proof_steps rejects a
   proof without one: a truncated proof).

The first failure rejects; lemmas without a checkable rule make the certificate incomplete,
which is never "verified".
"""

import hashlib
import importlib
import json
import os

from . import lemma_rules, rules
from .encoding import Encoding
from .files import (Rejected, gc_paused, read_atoms, read_cnf, read_constraints, read_lemmas,
                    read_manifest, read_values, proof_steps)
from .numbers import decimal_int
from .rup import DEFAULT as DEFAULT_ENGINE, PropagateChecker, replay

__all__ = ["check", "Verdict", "readers", "DEFAULT_ENGINE"]

# Readers by the manifest's input.format: a callable `read(text, query) -> Encoding` (the
# input file's text, the manifest's query), or "module:function" in this package, imported on
# first use (tests may register their own). A reader raises ValueError for an input it
# cannot read or check; the checker rejects with that message.
readers = {
    "smtlib": ".smtlib:read",
    "jobshop": ".sched:read_jobshop",
    "psplib": ".sched:read_psplib",
    "model": ".sched:read_model",
}

# Conflicts a Boolean-consequence check of one problem.cnf clause may spend.
CONSEQUENCE_BUDGET = 10000


class Verdict:
    """`status` is "verified", "rejected" or "incomplete"; `ok` only for verified.

    `reason` is the first reason for rejecting (or what is incomplete); `incomplete` lists
    the lemmas.jsonl lines without a checkable witness; `parts` holds the verdicts of the
    numbered sub-folders when the folder held several certificates."""

    def __init__(self, status, reason=None, incomplete=(), parts=()):
        self.status, self.reason = status, reason
        self.incomplete = list(incomplete)
        self.parts = list(parts)

    @property
    def ok(self):
        return self.status == "verified"

    def __str__(self):
        return "verified" if self.ok else self.reason

    def __repr__(self):
        return f"Verdict({self.status!r}, {self.reason!r})"


def check(directory, input=None, engine=None):
    """Check the certificate in `directory`, or each numbered sub-folder's certificate."""
    directory = os.fspath(directory)
    if os.path.isfile(os.path.join(directory, "manifest.json")):
        return check_one(directory, input, engine)
    subs = certificates(directory)
    if not subs:
        return Verdict("rejected", f"{directory}: no manifest.json and no numbered "
                                   "certificate folders")
    parts = [(name, check_one(os.path.join(directory, name), input, engine)) for name in subs]
    bad = [(n, v) for n, v in parts if not v.ok]
    if not bad:
        return Verdict("verified", parts=parts)
    rejected = [(n, v) for n, v in bad if v.status == "rejected"]
    name, first = (rejected or bad)[0]
    return Verdict(first.status, f"{name}: {first.reason}",
                   [f"{n}:{line}" for n, v in parts for line in v.incomplete], parts)


def certificates(directory):
    """The numbered sub-folders holding a manifest.json, in numeric order."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return sorted((n for n in names if n.isdigit()
                   and os.path.isfile(os.path.join(directory, n, "manifest.json"))), key=int)


def check_one(directory, input=None, engine=None):
    try:
        # no cyclic garbage collection during a check: a big certificate holds millions of
        # objects (atoms, clauses) and every collection walks them all (a 949-task DNN
        # certificate: 10 s with, 6.5 s without); the few cycles a check makes are
        # collected after it
        with gc_paused():
            incomplete = _Check(directory, input, engine or DEFAULT_ENGINE).run()
    except Rejected as e:
        return Verdict("rejected", str(e))
    except (OSError, UnicodeDecodeError) as e:
        return Verdict("rejected", f"cannot read the certificate: {e}")
    except RecursionError:
        return Verdict("rejected", "the certificate nests too deeply to check")
    if incomplete:
        return Verdict("incomplete", "no checkable witness: " + ", ".join(incomplete),
                       incomplete)
    return Verdict("verified")


def _reader(fmt):
    reader = readers.get(fmt)
    if reader is None:
        raise Rejected(f"unsupported input format {fmt!r}")
    if isinstance(reader, str):
        module, _, name = reader.partition(":")
        try:
            mod = importlib.import_module(module, __package__)
        except ImportError:
            raise Rejected(f"unsupported input format {fmt!r} (no reader installed)") from None
        reader = getattr(mod, name, None)
        if reader is None:
            raise Rejected(f"unsupported input format {fmt!r} (no reader {name})")
    return reader


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _sign(lit, mapped):
    return mapped if lit > 0 else -mapped


class _Check:
    def __init__(self, directory, input, engine):
        self.dir, self.input, self.engine = directory, input, engine
        self.incomplete = []
        self.mem = None   # memory.MemoryCheck, once the certificate speaks of memories

    def path(self, key):
        return os.path.join(self.dir, self.manifest["files"][key])

    def run(self):
        self.manifest = read_manifest(os.path.join(self.dir, "manifest.json"))
        for key, name in self.manifest["files"].items():
            if not os.path.isfile(os.path.join(self.dir, name)):
                raise Rejected(f"manifest.json: files.{key}: {name} is missing")
        self.read_input()
        self.map_atoms()
        # A reader may leave clauses of G until atoms.txt is mapped (the scheduling readers'
        # pair clauses: only those over an atom the certificate names, sched._pair_clauses)
        finish = getattr(self.enc, "finish", None)
        if finish is not None:
            finish()
        cnf = read_cnf(self.path("cnf"), self.max_var)
        self.g = PropagateChecker(self.enc.clauses)
        self.g_vars = self.enc.num_vars   # the variables self.g knows
        try:
            self.check_constraints()
        except BaseException:
            self.g.close()
            raise
        lemmas = read_lemmas(self.path("lemmas"), self.max_var)
        assumptions = self.manifest.get("assumptions", [])
        try:
            for a in assumptions:
                if abs(a) > self.max_var:
                    raise Rejected(f"manifest.json: assumption {a} beyond the {self.max_var} "
                                   "variables of atoms.txt")
            input_lemmas = self.check_lemmas(lemmas, cnf, assumptions)
        except BaseException:
            self.g.close()
            raise
        try:
            self.check_cnf(cnf, input_lemmas)
            final = self.check_claim(assumptions, lemmas)
        finally:
            self.g.close()
        formula = [c for _, c in cnf] + [rec["clause"] for _, rec in lemmas] \
            + [[a] for a in assumptions]
        # A refutation must add the empty clause (the end rule): proof_steps rejects a
        # proof that ends without it, so a proof cut after any line is rejected too.
        reason = replay(formula, proof_steps(self.path("proof"), self.max_var,
                                             need_empty=final),
                        self.engine, final=final,
                        proof=(self.path("proof"), self.max_var))
        if reason:
            raise Rejected(reason)
        return self.incomplete

    # -- 1. the input ---------------------------------------------------------------------------

    def read_input(self):
        spec = self.manifest["input"]
        want = spec["sha256"].lower()
        if self.input is not None:
            candidates = [os.fspath(self.input)]
        else:
            name = spec["file"]
            base = os.path.basename(name)
            candidates = [os.path.join(self.dir, name), os.path.join(self.dir, base),
                          os.path.join(os.path.dirname(os.path.abspath(self.dir)), base), name]
        found = [p for p in dict.fromkeys(candidates) if os.path.isfile(p)]
        if not found:
            raise Rejected(f"input {spec['file']} not found (give it with --input)")
        match = [p for p in found if _sha256(p) == want]
        if not match:
            raise Rejected(f"input {found[0]}: SHA-256 differs from the manifest's "
                           "(a certificate for another input?)")
        reader = _reader(spec["format"])
        try:
            # the text as the solver read it: undecodable bytes kept (smtsched's readers
            # decode with surrogate escapes) and line ends untouched (a lone CR is white
            # space to the scheduling readers, not a line break)
            with open(match[0], encoding="utf-8", errors="surrogateescape", newline="") as f:
                text = f.read()
            enc = reader(text, self.manifest.get("query", {}))
        except Rejected:
            raise
        except Exception as e:  # a checker reports, it does not crash
            raise Rejected(f"input {match[0]}: cannot read it: {e}") from None
        if not isinstance(enc, Encoding):
            raise Rejected(f"input reader for {spec['format']!r} returned no Encoding")
        self.enc = enc

    # -- 2. atoms.txt -----------------------------------------------------------------------------

    def map_atoms(self):
        # a big certificate makes millions of small objects without cycles (lines, atoms):
        # no garbage collection, which would walk them all again and again, meanwhile
        with gc_paused():
            self._map_atoms()

    def _map_atoms(self):
        enc = self.enc
        lines = read_atoms(os.path.join(self.dir, self.manifest["files"]["atoms"]))
        self.max_var = max((e.var for e in lines), default=0)
        self.lit = {}  # certificate variable -> G literal
        self.retirable = set()  # guard and fresh variables
        self.meaning_line = {}
        self.guard_lines = {}   # guard variable -> its words ("cost", K, "<=", B)
        self.cost_guards = {}   # guard variable -> (cost record index, bound), once checked
        sorts, booleans, lit = enc.sorts, enc.booleans, self.lit
        for e in lines:
            # A name the input does not have is a fresh variable (e.g. of an assertion an
            # incremental solver had before a pop): the input constrains it in no way, so
            # any model of the input extends to it, and every lemma about it is checked by
            # its rule as any other. A name the input has must keep its sort.
            if e.kind == "atom":
                for name in (e.x, e.y):
                    if name is None:
                        continue
                    sort = sorts.get(name)
                    if sort is None and name not in booleans:
                        enc.declare(name, e.sort)
                    elif sort != e.sort or name in booleans:
                        raise Rejected(f"atoms.txt line {e.line}: {json.dumps(name)} is not "
                                       f"an {e.sort} variable of the input")
                lit[e.var] = enc.atom(e.sort, e.x, e.y, e.c, e.strict)
                continue
            elif e.kind == "bool":
                if e.name in enc.sorts:
                    raise Rejected(f"atoms.txt line {e.line}: {json.dumps(e.name)} is not a "
                                   "Boolean of the input")
                g = enc.boolean(e.name)
            elif e.kind in ("guard", "fresh"):
                g = enc.fresh()
                self.retirable.add(e.var)
                if e.kind == "guard":   # checked against constraints.json's cost records
                    self.guard_lines[e.var] = e.args
                    if e.args[:1] == ("peak",):   # or a memory's peak (memory.py)
                        self._memory_line(e, g)
            elif e.kind in ("live", "slack"):   # a memory's liveness atom, a peak slack bit
                g = self._memory_line(e)
            else:
                g = enc.gate(e.kind, [_sign(l, self.lit[abs(l)]) for l in e.lits])
                # A definition gives its arguments both polarities: setting a retired
                # variable false would change the gate, so it is no longer retirable.
                self.retirable.difference_update(abs(l) for l in e.lits)
            self.lit[e.var] = g
        # A variable without a line has no meaning: a fresh variable of G.
        for v in range(1, self.max_var + 1):
            if v not in self.lit:
                self.lit[v] = enc.fresh()

    def g_lit(self, lit):
        return _sign(lit, self.lit[abs(lit)])

    def memory(self):
        """The memory.MemoryCheck of this certificate (made on first use)."""
        if self.mem is None:
            if self.enc.memories is None:
                raise ValueError("the input has no memories")
            from .memory import MemoryCheck
            self.mem = MemoryCheck(self.enc.memories, self)
        return self.mem

    def _memory_line(self, e, guard=None):
        try:
            if guard is not None:
                return self.memory().guard(e, guard)
            return self.memory().atom(e)
        except ValueError as error:
            raise Rejected(f"atoms.txt line {e.line}: {error}") from None

    # -- 3. problem.cnf ---------------------------------------------------------------------------

    def check_cnf(self, cnf, input_lemmas):
        # Most clauses of problem.cnf are clauses of G itself (the pairs of a machine, the
        # unit facts): a set lookup accepts them (a clause of G, or a superset of a unit of
        # G, follows from G), so only the others cost a propagation.
        own = {frozenset(c) for c in self.enc.clauses}
        units = {c[0] for c in self.enc.clauses if len(c) == 1}
        for line, clause in cnf:
            mapped = [self.g_lit(l) for l in clause]
            if frozenset(mapped) in own or not units.isdisjoint(mapped):
                continue
            if self.mem is not None:
                # a liveness clause is accepted by its shape (memory.py)
                wrong = self.mem.live_clause(mapped)
                if wrong == "" or wrong is not None and frozenset(clause) in input_lemmas:
                    continue
                if wrong is not None:
                    raise Rejected(f"problem.cnf line {line}: clause "
                                   f"{' '.join(map(str, clause))}: {wrong}")
            if self.g.is_rup(mapped) or self.g.consequence(mapped, CONSEQUENCE_BUDGET):
                continue
            if frozenset(clause) in input_lemmas:
                continue
            raise Rejected(f"problem.cnf line {line}: clause {' '.join(map(str, clause))} "
                           "does not follow from the input")

    # -- 4. constraints.json ---------------------------------------------------------------------

    def check_constraints(self):
        data = read_constraints(self.path("constraints"))
        inputs = []
        for c in self.enc.constraints:
            try:
                inputs.append(_constraint(c, None))
            except ValueError:
                inputs.append(None)  # a kind the rules do not use
        self.constraints = []
        self._fixed_cache = {}   # G literal -> True / False when G fixes it (pb_row)
        self._consequence_cache = {}   # G literal -> what it propagates to in G (pb_row)
        self._alias_cache = {}   # G literal -> it and what it is a proxy of (pb_row)
        self._pb_rows = None     # the input's pseudo-Boolean rows, by literal (pb_row)
        self._refuted = None     # whether G alone propagates to a conflict (pb_row)
        self._proxies = None     # proxy variable -> the literal it stands for (pb_row)
        for k, c in enumerate(data):
            where = f"constraints.json constraint {k}"
            if c.get("kind") in ("pseudo_boolean", "cost"):
                try:
                    self.constraints.append(self.pb_row(c) if c["kind"] == "pseudo_boolean"
                                            else self.cost_constraint(c, k))
                except _Unbacked as e:
                    # the checker's reader knows no such constraint of the input (e.g. a
                    # WeightedCost printed as an arithmetic sum): lemmas by it are incomplete
                    self.constraints.append(e)
                except ValueError as e:
                    raise Rejected(f"{where} ({c.get('name')!r}): {e}") from None
                continue
            if c.get("kind") not in ("disjunctive", "cumulative"):
                # Kinds without a rule: no lemma may use them.
                self.constraints.append(None)
                continue
            try:
                con = _constraint(c, self.enc.sorts)
            except ValueError as e:
                raise Rejected(f"{where}: {e}") from None
            if not any(i is not None and _follows(con, i) for i in inputs) \
                    and not self.pairwise(con):
                raise Rejected(f"{where} ({c.get('name')!r}) does not follow from a "
                               "constraint of the input")
            self.constraints.append(con)

    def pb_row(self, c):
        """The slack.Row (over G literals) of a pseudo_boolean record that follows from a
        row the reader found in the input (slack.follows); ValueError when it contradicts
        the input's row over its variables, _Unbacked when the input has none."""
        from . import slack
        literals, weights, bound = slack.parse_row(c, self.max_var)
        row = slack.Row([self.g_lit(l) for l in literals], weights, bound)
        if "memory" in c:   # a memory's capacity or peak row (memory.py)
            self.memory().row(c, row.literals, weights, bound)
            return row
        if self._g_refuted():
            return row   # the input has no model: every row holds in all of them
        rows, at = self._pb_inputs()
        fixed = self._fixed
        if slack.follows(row, ({}, 0), fixed, None):
            return row   # G fixes every literal, and the true ones fit the bound
        # the input's rows over the literals the record's literals imply, most shared first:
        # first through proxies only (a literal, and what it is a proxy of: no search), then
        # through unit propagation in G (one propagation per literal, not one RUP call per
        # pair: an input of 160 rows took 8 s)
        related = False
        tried = set()
        for consequences in (self._aliases, self._consequences):
            shared = {}
            for lit in row.literals:
                for t in consequences(lit):
                    for k in at.get(t, ()):
                        shared[k] = shared.get(k, 0) + 1
            for k in sorted(shared, key=lambda k: (-shared[k], k)):
                if k in tried:
                    continue
                tried.add(k)
                if slack.follows(row, rows[k], fixed, lambda a, b: b in consequences(a)):
                    return row
                variables = {abs(t) for t in rows[k][0]}
                related = related or all(any(abs(t) in variables for t in consequences(lit))
                                         for lit in row.literals)
        if related:
            raise ValueError("does not follow from the pseudo-Boolean constraint of the "
                             "input over its variables")
        raise _Unbacked("no pseudo-Boolean constraint the checker read in the input has its "
                        "variables")

    def _pb_inputs(self):
        """The input's pseudo-Boolean rows in slack.input_rows' form, and the rows of each
        literal (made once per check)."""
        if self._pb_rows is None:
            from . import slack
            rows = [r for given in self.enc.constraints
                    if given.get("kind") == "pseudo_boolean" for r in slack.input_rows(given)]
            at = {}
            for k, (weights, _) in enumerate(rows):
                for lit in weights:
                    at.setdefault(lit, []).append(k)
            self._pb_rows = rows, at
        return self._pb_rows

    def _g_refuted(self):
        """Whether G propagates to a conflict on its own (cached)."""
        if self._refuted is None:
            self._refuted = self.g.is_rup([])
        return self._refuted

    def _fixed(self, lit):
        """True / False when G fixes the literal (RUP of its unit), else None; cached."""
        cache = self._fixed_cache
        if lit not in cache:
            if abs(lit) > self.g_vars:
                cache[lit] = None   # a variable G never constrains
            else:
                cache[lit] = True if self.g.is_rup([lit]) else \
                    False if self.g.is_rup([-lit]) else None
        return cache[lit]

    def _aliases(self, lit):
        """The literal and the literals it is a proxy of (an `and` of one literal is
        equivalent to it, even where G fixes both; followed through chains). Cached."""
        cache = self._alias_cache
        if lit not in cache:
            if self._proxies is None:
                self._proxies = {}
                for (op, args), out in self.enc._gates.items():
                    if op == "and" and len(args) == 1:
                        self._proxies[out] = args[0]
            found = {lit}
            at = lit
            while abs(at) in self._proxies:   # a chain of proxies (hash-consed: no cycle)
                at = _sign(at, self._proxies[abs(at)])
                found.add(at)
            cache[lit] = found
        return cache[lit]

    def _consequences(self, lit):
        """Literals b with lit -> b in G: its aliases, and what unit propagation in G
        derives from it. Cached."""
        cache = self._consequence_cache
        if lit not in cache:
            found = set(self._aliases(lit))
            if abs(lit) <= self.g_vars and not self.g.empty:
                ok, implied = self.g.solver.propagate(assumptions=[lit])
                if ok:
                    found.update(implied)
            cache[lit] = found
        return cache[lit]

    def cost_constraint(self, c, index):
        """The cost.CostConstraint of a cost record, g -> cost <= bound (docs/certificates.md,
        cost records). The guard g is either

        - the variable of an atoms.txt line `guard cost INDEX <= BOUND` with this record's
          index and bound: a guard has no meaning in G, so "g -> cost <= bound" keeps
          satisfiability (g can be false); the record must follow from a cost constraint of
          the input (an objective, no bound: then refuting g refutes "objective <= bound",
          for the claim; or one with a bound no larger);
        - or a literal with a meaning (a WeightedCost's Bool, atoms.txt `bool`), or none:
          then the record must follow from a cost constraint the input requires, with a
          bound no larger and no guard, or a guard that g implies in G (a proxy of it, or by
          unit propagation; without g, a guard G fixes true): in every model of the input
          g -> input guard -> input cost <= its bound -> record's cost <= bound.

        A record whose weights are all 0 holds in every schedule when its bound is >= 0."""
        from . import cost
        tasks, bound = cost.parse_cost(c, self.enc.sorts)
        if bound is None:
            raise ValueError("a cost record needs a bound")
        guard = c.get("guard")
        if guard is not None and (not isinstance(guard, int) or isinstance(guard, bool)
                                  or not 0 < abs(guard) <= self.max_var):
            raise ValueError(f"guard {guard!r} is not a literal of atoms.txt")
        guard_line = guard is not None and guard in self.guard_lines
        if guard_line:
            args = self.guard_lines[guard]
            if not (isinstance(args, tuple) and len(args) == 4
                    and args[:3] == ("cost", str(index), "<=")
                    and _decimal_or_none(args[3]) == bound):
                raise ValueError(f"guard {guard!r} is not an atoms.txt line 'guard cost "
                                 f"{index} <= {bound}'")
            if guard in self.cost_guards:
                raise ValueError(f"guard {guard} guards constraint {self.cost_guards[guard][0]}"
                                 " too")
        g = None if guard is None else self.g_lit(guard)
        steps, groups, literals = cost.parse_more(c, self.enc.sorts)
        for lit, _ in literals:
            if not (isinstance(lit, int) and 0 < abs(lit) <= self.max_var):
                raise ValueError(f"literal {lit!r} is not a literal of atoms.txt")
        literals = [(self.g_lit(lit), w) for lit, w in literals]
        more = (steps, groups, literals)

        def made(tasks, bound, g):
            return cost.CostConstraint(tasks, bound, g, steps, groups, literals)
        weighted = {t.start for t in tasks if t.weight}
        weighted |= {t.start for t in steps if t.weight}
        weighted |= {t.start for w, ms in groups if w for t in ms if t.weight}
        if not weighted and not any(w for _, w in literals) and bound >= 0:
            return made(tasks, bound, g)   # 0 <= bound in every schedule
        inputs = []   # (tasks, bound or None, guard's G literal or None)
        for given in self.enc.constraints:
            if given.get("kind") != "cost":
                continue
            try:
                given_tasks, given_bound = cost.parse_cost(given)
                given_more = cost.parse_more(given)
            except ValueError:
                continue
            name = given.get("guard")
            given_guard = None if name is None else self.enc.booleans.get(name)
            if name is not None and given_guard is None:
                continue
            if any(self.enc.booleans.get(b) is None for b, _ in given_more[2]):
                continue
            given_more = given_more[:2] + ([(self.enc.booleans[b], w)
                                            for b, w in given_more[2]],)
            inputs.append((given_tasks, given_bound, given_guard, given_more))

        def starts(given_tasks, given_more):
            return ({t.start for t in given_tasks} | {t.start for t in given_more[0]}
                    | {t.start for _, ms in given_more[1] for t in ms})
        if not any(weighted <= starts(given_tasks, given_more)
                   for given_tasks, _, _, given_more in inputs):
            # (before the guard's meaning: the reader did not read that constraint either)
            raise _Unbacked("no cost constraint or objective the checker read in the input "
                            "has its tasks")
        # an objective first: only a guard it backs may bound the claim
        for given_tasks, given_bound, given_guard, given_more in sorted(
                inputs, key=lambda i: i[1] is not None):
            if given_bound is None and not guard_line:
                continue   # an objective bounds nothing by itself
            if given_bound is not None and bound < given_bound:
                continue
            if given_guard is not None and not guard_line and not (
                    given_guard in self._consequences(g) if g is not None
                    else self._fixed(given_guard) is True):
                continue   # the input's bound holds only under its guard
            if _cost_follows(tasks, given_tasks) and cost.follows_more(
                    more, given_more, lambda a, b: b in self._aliases(a)):
                if guard_line and given_bound is None:
                    # for the claim: refuting g refutes objective <= bound
                    self.cost_guards[guard] = (index, bound)
                return made(tasks, bound, g)
        if guard is not None and not guard_line:
            raise ValueError(f"guard {guard!r} is not an atoms.txt line 'guard cost {index} <= "
                             f"{bound}', and the record does not follow from a cost "
                             "constraint the input requires (under a guard it implies)")
        raise ValueError("does not follow from the cost constraint or objective of the input "
                         "over its tasks")

    def pairwise(self, con):
        """Whether the input orders every two tasks of `con` that load it (for each pair the
        clause "i ends before j starts or j ends before i starts" is RUP from G) and no
        demand exceeds the capacity: then at most one task runs at any instant, so the
        constraint holds. (A model printed for z3 states a machine pair by pair.)"""
        # a task without load (duration or demand 0) never uses the resource
        lasting = [t for t in con.tasks if t.duration > 0 and t.demand > 0]
        if any(t.demand > con.capacity for t in lasting):
            return False
        for k, a in enumerate(lasting):
            for b in lasting[k + 1:]:
                before = self.enc.atom("Int", a.start, b.start, -a.duration)
                after = self.enc.atom("Int", b.start, a.start, -b.duration)
                if max(abs(before), abs(after)) > self.g_vars:
                    return False   # an atom the input never mentions
                if not self.g.is_rup([before, after]):
                    return False
        return True

    # -- 5. lemmas.jsonl --------------------------------------------------------------------------

    def check_lemmas(self, lemmas, cnf, assumptions):
        positive = {l for _, c in cnf for l in c if l > 0}
        positive.update(l for _, rec in lemmas for l in rec["clause"] if l > 0)
        positive.update(a for a in assumptions if a > 0)
        input_lemmas = set()
        for line, rec in lemmas:
            where = f"lemmas.jsonl line {line}"
            rule, clause = rec.get("rule"), rec["clause"]
            idx = rec.get("constraint")
            if rule is None or rule in rules.PENDING:
                self.incomplete.append(f"lemmas.jsonl line {line}")
            elif rule in ("slack", "cost") and isinstance(idx, int) \
                    and 0 <= idx < len(self.constraints) \
                    and isinstance(self.constraints[idx], _Unbacked):
                self.incomplete.append(f"lemmas.jsonl line {line} (constraint {idx}: "
                                       f"{self.constraints[idx]})")
            elif rule in ("memory", "peak_guard"):   # memory.py
                try:
                    self.memory().lemma(rule, [self.g_lit(l) for l in clause], rec["witness"])
                except (rules.RuleError, ValueError) as e:
                    raise Rejected(f"{where}: {e}") from None
            elif rule == "retire":
                if len(clause) != 1 or clause[0] > 0 or -clause[0] not in self.retirable:
                    raise Rejected(f"{where}: retire needs the unit -g of a guard or fresh "
                                   "variable g")
                if -clause[0] in positive:
                    raise Rejected(f"{where}: retire: variable {-clause[0]} occurs "
                                   "positively elsewhere")
            else:
                con = None
                if rule in _NEEDS or rec.get("constraint") is not None:
                    idx = rec.get("constraint")
                    if not isinstance(idx, int) or isinstance(idx, bool) \
                            or not 0 <= idx < len(self.constraints):
                        raise Rejected(f"{where}: constraint {idx!r} is not an index into "
                                       "constraints.json")
                    con = self.constraints[idx]
                    if rule in _NEEDS and not isinstance(con, _NEEDS[rule][0]):
                        raise Rejected(f"{where}: constraint {idx} is no {_NEEDS[rule][1]} "
                                       "constraint")
                literals = [-self.g_lit(l) for l in clause]
                if isinstance(con, _Optional):
                    # optional tasks count only with their presence among the premises
                    con = _for_premises(con, literals, self.enc.booleans)
                premises = [self.enc.meaning(p) for p in literals]
                try:
                    lemma_rules.check_rule(rule, premises, rec["witness"], con, literals)
                except rules.RuleError as e:
                    raise Rejected(f"{where}: {e}") from None
            if rec.get("kind") == "input":
                input_lemmas.add(frozenset(clause))
        if self.mem is not None:
            try:
                self.mem.finish_guards()
            except rules.RuleError as e:
                raise Rejected(f"lemmas.jsonl: {e}") from None
        return input_lemmas

    # -- 6. the claim -----------------------------------------------------------------------------

    def check_claim(self, assumptions, lemmas):
        """Check what the refutation is about; returns whether it must end in a conflict."""
        claim, enc = self.manifest["claim"], self.enc
        if claim["kind"] == "optimal" and getattr(enc, "optimum", None) is not None:
            return self.check_script_optimum(claim, assumptions)
        bound = None
        if claim["kind"] == "optimal":
            v = claim["value"]
            obj = enc.objective
            if not obj or obj.get("name") != claim["objective"] or enc.check_schedule is None:
                raise Rejected(f"manifest.json: the input has no objective "
                               f"{claim['objective']!r}")
            self.check_schedule(v)
            var = obj.get("variable", obj["name"])
            for a in assumptions:
                if var is None:
                    # a cost objective (no variable): the guard g of a cost record,
                    # g -> cost <= w with w >= v - 1; check_constraints accepted the record
                    # only as following from the input's objective (its cost is at most the
                    # objective's in every schedule), so refuting g refutes objective <= w
                    guarded = self.cost_guards.get(a)
                    if guarded is None and self.mem is not None:
                        # the peak objective: a guard of "peak <= w" (memory.py)
                        peak = self.mem.claim_guard(self.g_lit(a))
                        guarded = None if peak is None else (None, peak)
                    if guarded is not None and guarded[1] >= v - 1:
                        bound = a
                        break
                    continue
                d = enc.meaning(self.g_lit(a))
                if d is not None and d.sort == "Int" and d.x == var and d.y is None \
                        and d.c >= v - 1:
                    bound = a
                    break
        for a in assumptions:
            if a == bound:
                continue
            g = self.g_lit(a)
            if enc.assumption_atoms is not None and g in enc.assumption_atoms:
                continue
            if self.g.is_rup([g]):
                continue  # implied by the input anyway
            # implied by the query's own assumptions (smtsched folds an assumed formula into
            # other gates than the checker's reading of it: the literals differ, the meaning
            # does not)
            if enc.assumption_atoms:
                implied = [g] + [-a for a in enc.assumption_atoms]
                if self.g.is_rup(implied) or self.g.consequence(implied,
                                                                  CONSEQUENCE_BUDGET):
                    continue
            raise Rejected(f"manifest.json: assumption {a} is not an assumption of the query")
        if claim["kind"] == "optimal" and bound is None:
            # No bound assumption: a bound lemma, the unit "objective >= w + 1", must prove it.
            for line, rec in lemmas:
                c = rec["clause"]
                d = enc.meaning(self.g_lit(c[0])) if len(c) == 1 else None
                if var is not None and d is not None and d.sort == "Int" and d.x is None \
                        and d.y == var and -d.c >= claim["value"]:
                    return False
            raise Rejected("manifest.json: optimal claim without an assumption or a lemma "
                           f"bounding {claim['objective']} below by {claim['value']}")
        return True

    def check_script_optimum(self, claim, assumptions):
        """An OPTIMAL claim about an optimising SMT-LIB script (docs/certificates.md,
        "Claims"): the claim names the script's first objective; values.json is a model of
        the query (the checker's own evaluation) with that objective's value; and every
        assumption of the refutation follows from the query's assumptions and the bound
        "objective better than the value" (t <= v - 1 for minimize, t >= v + 1 for
        maximize), so the refutation excludes every better model. Needs the refutation."""
        enc, opt, value = self.enc, self.enc.optimum, claim["value"]
        try:
            objective = opt.objective(claim)
        except ValueError as e:
            raise Rejected(f"manifest.json: {e}") from None
        name = self.manifest["files"].get("values")
        if name is None:
            raise Rejected("optimal claim without values.json (the model)")
        values, stated = read_values(os.path.join(self.dir, name))
        try:
            got = opt.evaluate(objective, values)
        except ValueError as e:
            raise Rejected(f"values.json: {e}") from None
        if got != value:
            raise Rejected(f"values.json gives the objective {got}, the claim says {value}")
        if stated is not None and stated != value:
            raise Rejected(f"values.json says objective {stated}, the claim says {value}")
        known = len(enc.clauses)
        try:
            bound = opt.bound(objective, value)
        except ValueError as e:   # the reader's ReadError: e.g. too many ite cases
            raise Rejected(f"the bound of the claim: {e}") from None
        for clause in enc.clauses[known:]:   # the bound's new gates
            self.g.add(clause)
        given = list(enc.assumption_atoms or []) + [bound]
        for a in assumptions:
            g = self.g_lit(a)
            if g in given or self.g.is_rup([g]):
                continue
            implied = [g] + [-x for x in given]
            if self.g.is_rup(implied) or self.g.consequence(implied, CONSEQUENCE_BUDGET):
                continue
            raise Rejected(f"manifest.json: assumption {a} follows neither from the query "
                           "nor from the bound the claim refutes")
        return True

    def check_schedule(self, value):
        path = os.path.join(self.dir, self.manifest["files"].get("schedule", "schedule.json"))
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except OSError:
            raise Rejected("optimal claim without schedule.json") from None
        except ValueError as e:
            raise Rejected(f"schedule.json: not JSON: {e}") from None
        starts = data.get("starts", data) if isinstance(data, dict) else None
        if not isinstance(starts, dict) or not all(
                isinstance(s, int) and not isinstance(s, bool) for s in starts.values()):
            raise Rejected("schedule.json: needs starts: an object of integers")
        try:
            got = self.enc.check_schedule(dict(starts))
        except ValueError as e:
            raise Rejected(f"schedule.json: {e}") from None
        if got != value:
            raise Rejected(f"schedule.json has objective {got}, the claim says {value}")
        if isinstance(data, dict) and "objective" in data and data["objective"] != value:
            raise Rejected(f"schedule.json says objective {data['objective']}, the claim "
                           f"says {value}")


class _Unbacked(ValueError):
    """A pseudo_boolean or cost record of constraints.json that the checker cannot relate to
    the input (its reader found no constraint over the same literals or tasks): not a
    contradiction of the input, so the lemmas by it are incomplete, not rejected."""


def _cost_follows(tasks, given_tasks):
    """cost.follows, with every tardiness task read as max(0, s - (due - duration)) (the
    same term: it depends on due - duration only). The SMT-LIB reader sees a printed
    tardiness summand only as w * max(0, s + c), so it lists it with duration 0."""
    from .cost import CostTask, follows

    def plain(ts):
        return [t if t.due is None else CostTask(t.start, 0, t.weight, t.due - t.duration)
                for t in ts]
    return follows(plain(tasks), plain(given_tasks))


def _decimal_or_none(text):
    try:
        return decimal_int(text)
    except ValueError:
        return None


def _rule_constraints():
    from .cost import CostConstraint
    from .slack import Row
    return {"energy": (rules.Constraint, "disjunctive or cumulative"),
            "clique": (rules.Constraint, "disjunctive or cumulative"),
            "slack": (Row, "pseudo_boolean"), "cost": (CostConstraint, "cost")}


# rule -> (the class of constraint it reads, what to call it)
_NEEDS = _rule_constraints()


def _constraint(c, sorts):
    """A rules.Constraint from a constraints.json-shaped dict (ValueError when malformed)."""
    kind = c.get("kind")
    if kind not in ("disjunctive", "cumulative"):
        raise ValueError(f"kind {kind!r} is not disjunctive or cumulative")
    tasks = c.get("tasks")
    if not isinstance(tasks, list):
        raise ValueError("tasks must be a list")

    def number(x, what):
        if not isinstance(x, int) or isinstance(x, bool) or x < 0:
            raise ValueError(f"{what} {x!r} is not a non-negative integer")
        return x

    out, presences = [], []
    for k, t in enumerate(tasks):
        if not isinstance(t, dict) or not isinstance(t.get("start"), str):
            raise ValueError(f"task {k} needs a start name")
        if sorts is not None and sorts.get(t["start"]) != "Int":
            raise ValueError(f"task {k}: {json.dumps(t['start'])} is not an Int variable of "
                             "the input")
        p = number(t.get("duration"), f"task {k} duration")
        if kind == "disjunctive":
            if t.get("demand", 1) != 1:
                raise ValueError(f"task {k}: a disjunctive demand is 1")
            d = 1
        else:
            d = number(t.get("demand"), f"task {k} demand")
        out.append(rules.Task(t["start"], p, d))
        present = t.get("present")
        if present is not None and not isinstance(present, str):
            raise ValueError(f"task {k}: present must be the name of a Boolean")
        presences.append(present)
    if kind == "disjunctive":
        if c.get("capacity", 1) != 1:
            raise ValueError("a disjunctive capacity is 1")
        cap = 1
    else:
        cap = number(c.get("capacity"), "capacity")
    con = _Optional(kind, cap, out)
    con.present = presences
    return con


class _Optional(rules.Constraint):
    """A disjunctive or cumulative constraint whose tasks may be optional: `present[k]` is the
    name of the input's Boolean that task k's load depends on (None: always there)."""

    __slots__ = ("present",)


def _for_premises(con, literals, booleans):
    """The rules.Constraint a lemma with these premises (G literals) may use: a task whose
    presence is not among the premises may be absent, and an absent task loads nothing, so it
    becomes a task of no duration and no demand (no rule counts it: energy gives it none,
    clique refuses it, completions need positive durations)."""
    if not any(con.present):
        return con
    true = set(literals)
    tasks = [t if name is None or booleans.get(name) in true else
             rules.Task(t.start, 0, 0) for t, name in zip(con.tasks, con.present)]
    return rules.Constraint(con.kind, con.capacity, tasks)


def _follows(cert, given):
    """cert is implied by given: a capacity no smaller, and its tasks matched one to one with
    tasks of given of the same start, no longer duration and no larger demand, and optional
    where given's is (with the same presence) or given's is always there (an optional task
    loads the resource at most when the mandatory one does)."""
    if cert.capacity < given.capacity:
        return False
    used = set()
    for k_cert, t in enumerate(cert.tasks):
        if t.duration == 0 or t.demand == 0:
            continue   # never any load: it constrains nothing
        present = cert.present[k_cert]
        for k, g in enumerate(given.tasks):
            if k not in used and g.start == t.start and t.duration <= g.duration \
                    and t.demand <= g.demand \
                    and given.present[k] in (None, present):
                used.add(k)
                break
        else:
            return False
    return True
