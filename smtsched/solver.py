"""`Solver` and `Model`: the z3py-shaped front door of smtsched.

A `Solver` keeps the user's assertions on a stack of frames (push/pop). Each `check` compiles
what is new since the last one (smtsched.compile.IncrementalCompiler: added assertions, the
assumptions; everything after a pop) into a core problem (smtsched.core), runs one fresh
DPLL(T) search on it (smtsched.core.session: the theory factory, then smtsched.engine) and, for
`sat`, evaluates every original assertion and assumption under the model before returning: a
model that fails that check raises ModelCheckError, never reaches the user. A fresh SAT solver
per check keeps push/pop trivially correct; reusing it across checks is a later optimisation.
"""
import gc
import numbers
import os
import time
from fractions import Fraction

from . import compile as compiler
from . import isolation
from .core.session import Session
from .engine import SAT, UNKNOWN, UNSAT
from .errors import ModelCheckError, SortError
from .terms import BOOL, INT, REAL, DifferenceClause, Term, evaluate, to_smtlib, variables


class CheckSatResult:
    """sat, unsat or unknown; str() gives the SMT-LIB word."""

    def __init__(self, word):
        self.word = word

    def __str__(self):
        return self.word

    __repr__ = __str__

    def __eq__(self, other):
        if isinstance(other, CheckSatResult):
            return self.word == other.word
        return NotImplemented

    def __hash__(self):
        return hash(self.word)


sat = CheckSatResult(SAT)
unsat = CheckSatResult(UNSAT)
unknown = CheckSatResult(UNKNOWN)
_RESULTS = {SAT: sat, UNSAT: unsat, UNKNOWN: unknown}


class _NoValue(KeyError):
    """A variable without a value in the model, evaluated without model completion."""


class Model:
    """Values of the variables of a satisfying assignment, as z3's ModelRef gives them:
    m[x] (x a variable or one of m.decls()) is an IntNumRef (an int), a RatNumRef (a
    Fraction) or a bool (smtsched.values); iterating gives the declarations, sorted by name."""

    def __init__(self, values):
        self._values = values  # variable key -> value (plain int, Fraction or bool)

    def __getitem__(self, var):
        from .values import decl_var, z3_value
        found = decl_var(var)
        if found is None:
            if isinstance(var, int) and not isinstance(var, bool):
                return self.decls()[var]   # z3: m[i] is the i-th declaration
            raise TypeError(f"a model is indexed by variables, got {var!r}; use m.eval(term)")
        return z3_value(self._values.get(found.key()), found.sort)

    def __contains__(self, var):
        from .values import decl_var
        found = decl_var(var)
        return found is not None and found.key() in self._values

    def __len__(self):
        return len(self._values)

    def __iter__(self):
        return iter(self.decls())

    def decls(self):
        """The declarations of the model's constants (z3's FuncDeclRef: name(), str, m[d]),
        sorted by name (z3's own order is its internal one)."""
        from .values import FuncDecl
        keys = sorted(self._values, key=lambda key: (key[1], key[2]))
        return [FuncDecl(Term("var", (), key[2], name=key[1])) for key in keys]

    def eval(self, term, model_completion=True):
        """The value of `term`; unconstrained variables count as 0 / False. (z3's default is
        model_completion=False, which leaves such a variable as it is; smtsched's models give
        every variable of the assertions a value, so the two differ only for variables that
        occur in no assertion.)"""
        from .values import z3_value
        if not isinstance(term, Term):
            return term
        try:
            return z3_value(self._raw_eval(term, model_completion), term.sort)
        except _NoValue:
            return self._substitute(term)

    def _substitute(self, term):
        """`term` with the model's values put in for its variables; those without a value
        stay (what z3's eval without model completion gives, less its simplification)."""
        memo = {}
        stack = [(term, False)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in memo:
                continue
            if node.op == "var":
                value = self._values.get(node.key())
                memo[id(node)] = node if value is None else Term("const", (), node.sort,
                                                                 value=value)
            elif not node.args:
                memo[id(node)] = node
            elif not expanded:
                stack.append((node, True))
                stack.extend((a, False) for a in node.args)
            else:
                memo[id(node)] = Term(node.op, tuple(memo[id(a)] for a in node.args),
                                      node.sort, name=node.name, value=node.value)
        return memo[id(term)]

    evaluate = eval

    def _raw_eval(self, term, model_completion=True):
        """eval's plain int / Fraction / bool."""
        def lookup(var):
            value = self._values.get(var.key())
            if value is None:
                if not model_completion:
                    raise _NoValue(var.name)
                value = False if var.sort == BOOL else 0 if var.sort == INT else Fraction(0)
            return value
        return evaluate(term, lookup)

    def sexpr(self):
        from .values import z3_value
        rows = []
        for decl in self.decls():
            var = decl()
            value = z3_value(self._values[var.key()], var.sort)
            text = ("true" if value else "false") if var.sort == BOOL else value.sexpr()
            rows.append(f"(define-fun {decl.name()} () {var.sort}\n  {text})")
        return "\n".join(rows)

    def __repr__(self):
        from .values import z3_value
        from .z3_printer import model_text
        return model_text([(key[1], str(z3_value(self._values[key], key[2])))
                           for key in sorted(self._values, key=lambda key: (key[1], key[2]))])


class Solver:
    """An incremental-looking SMT solver for difference logic with Boolean structure."""

    def __init__(self):
        self._frames = [[]]
        self._seed = 0
        self._timeout = None        # seconds
        self._max_conflicts = None
        self._unsat_core = True   # False: assumptions become root facts, unsat_core() is []
        self._log_lemmas = False
        self._check_theories = False
        self._sat_options = {}
        self._isolate = False
        self._memory = None          # MB, only with isolate
        self._hint = None            # variable key -> value: preferred phases
        self._keep_graph = False     # difference_graph(): for the SMT-LIB optimiser
        self._proof = None           # folder for the certificate of an unsat answer
        self._proof_input = None     # the input the certificate names (else input.smt2)
        self._proof_claim = None     # {"claim", "values"}: the certificate's claim (else unsat)
        self._compiler = compiler.IncrementalCompiler()
        self._tracked = [[]]         # per frame: (tracking literal, formula) of assert_and_track
        self._minimize_core = False  # z3's core.minimize
        self._clear_result()
        from .params import global_params
        defaults = global_params()
        if defaults:
            self.set(**defaults)

    def _clear_result(self):
        self._last_status = None
        self._last_reason = ""
        self._last_assumptions = ()
        self._core = []              # indices into _last_assumptions
        self._model = None
        self._lemmas = None
        self._stats = {}
        self._graph = None

    # -- options -----------------------------------------------------------------------
    def set(self, *args, **options):
        """Options: timeout (ms), seed, max_conflicts, unsat_core, log_lemmas, check_theories,
        cadical, isolate, memory, difference_graph, proof.

        `proof=DIR` writes, for every check that answers unsat, a certificate into DIR
        (docs/certificates.md): the assertions and assumptions as DIR/input.smt2, the Boolean
        abstraction, the theory lemmas with their witnesses and CaDiCaL's proof;
        `smtsched.certify.check(DIR)` or `smtsched check-proof DIR` confirms it. A later
        unsat check replaces it. `proof=None` stops writing them.

        `unsat_core=False` (default True) gives up cores of assumptions for speed: the
        assumptions of a check are then root facts of its search (`unsat_core()` is empty).

        `isolate=True` runs each check in a child process (see smtsched.isolation): the timeout
        then holds within a second whatever the search does, `memory` (MB) caps its memory
        (answer unknown, reason "memout"), Ctrl-C stops it cleanly, and a crash of the search
        becomes unknown with the reason instead of ending the caller's process.
        `difference_graph=True` keeps, after each sat check, the Int difference constraints
        that the model's truth values select (see `difference_graph`).
        Also accepts z3's positional form s.set("timeout", 1000).
        """
        if args:
            if len(args) % 2:
                raise TypeError("Solver.set takes name/value pairs or keyword arguments")
            options.update(zip(args[::2], args[1::2]))
        for name, value in options.items():
            if "." in name or name in ("random_seed", "memory_max_size"):
                # z3's parameter names (smt.random_seed, ...): smtsched's, or None to ignore
                from .params import option_name
                if name.replace(":", "").lower() in ("core.minimize", "smt.core.minimize"):
                    self._minimize_core = bool(value)
                    continue
                mine = option_name(name)
                if mine is None:
                    continue
                name = mine
            name = name.replace(".", "_").replace(":", "")
            if name == "timeout":
                self._timeout = None if value is None or value <= 0 else value / 1000.0
            elif name in ("seed", "random_seed"):
                self._seed = int(value)
            elif name == "max_conflicts":
                self._max_conflicts = None if value is None or value < 0 else int(value)
            elif name == "unsat_core":
                self._unsat_core = bool(value)
            elif name == "log_lemmas":
                self._log_lemmas = bool(value)
            elif name == "check_theories":
                self._check_theories = bool(value)
            elif name == "cadical":
                self._sat_options = {str(k): int(v) for k, v in dict(value).items()}
            elif name == "isolate":
                if value and not isolation.available():
                    raise ValueError("isolate needs os.fork, which this platform lacks")
                self._isolate = bool(value)
            elif name in ("memory", "memory_max_size"):
                self._memory = None if value is None or value <= 0 else int(value)
            elif name == "difference_graph":
                self._keep_graph = bool(value)
            elif name == "proof":
                self._proof = None if value is None else os.fspath(value)
            elif name == "proof_input":
                self._proof_input = None if value is None else dict(value)
            elif name == "proof_claim":
                # the SMT-LIB optimiser's refutation of a better objective value: an OPTIMAL
                # claim with its model (smtsched.smtlib.script), instead of unsat
                self._proof_claim = None if value is None else dict(value)
            else:
                raise ValueError(f"unknown option {name!r}: smtsched knows timeout, seed, "
                                 "max_conflicts, unsat_core, log_lemmas, check_theories, "
                                 "cadical (a dict "
                                 "of CaDiCaL options), isolate, memory (MB), "
                                 "difference_graph and proof (a folder)")

    def hint(self, values):
        """Prefer, in the next checks, the truth values that `values` gives to the atoms and
        Boolean variables: a `Model` from an earlier check (solution-guided search, as in
        CP-SAT's hints), a dict {variable: value}, or None to forget. The answer never
        changes; only where the search starts."""
        if values is None:
            self._hint = None
        elif isinstance(values, Model):
            self._hint = dict(values._values)
        else:
            self._hint = {}
            for var, value in dict(values).items():
                if not isinstance(var, Term) or var.op != "var":
                    raise SortError(f"hints are given for variables, got {var!r}")
                wanted = bool if var.sort == BOOL else numbers.Real
                if not isinstance(value, wanted) or (var.sort != BOOL
                                                     and isinstance(value, bool)):
                    # checked here: a bad value would otherwise fail inside check()
                    kind = "bool" if var.sort == BOOL else "number"
                    raise SortError(f"the hint for the {var.sort} variable {var.name} must be "
                                    f"a {kind}, got {value!r}")
                self._hint[var.key()] = value

    # -- assertions --------------------------------------------------------------------
    def add(self, *formulas):
        for formula in formulas:
            if formula.__class__ is DifferenceClause:
                # kept as it is: the compiler reads it directly, assertions() shows its Term
                self._frames[-1].append(formula)
                continue
            if isinstance(formula, (list, tuple)):
                self.add(*formula)
                continue
            if isinstance(formula, bool):
                from .terms import BoolVal
                formula = BoolVal(formula)
            if not isinstance(formula, Term) or formula.sort != BOOL:
                raise SortError(f"Solver.add expects formulas, got {formula!r}")
            self._frames[-1].append(formula)

    append = insert = assert_exprs = add

    def assert_and_track(self, formula, p):
        """Assert `formula` tracked by `p` (a Bool variable, or a name for one): `p` then
        names it in unsat_core(), as in z3 (which asserts p => formula and assumes p)."""
        from .terms import Bool, BoolVal, Implies
        if isinstance(p, str):
            p = Bool(p)
        if not isinstance(p, Term) or p.op != "var" or p.sort != BOOL:
            raise SortError(f"assert_and_track tracks with a Bool variable, got {p!r}")
        if isinstance(formula, bool):
            formula = BoolVal(formula)
        if not isinstance(formula, Term) or formula.sort != BOOL:
            raise SortError(f"assert_and_track expects a formula, got {formula!r}")
        self._frames[-1].append(Implies(p, formula))
        self._tracked[-1].append(p)

    def assertions(self):
        return _terms(self._stored())

    def _stored(self):
        """The assertions as stored: Terms and DifferenceClause records (which the compiler
        takes as they are)."""
        return [f for frame in self._frames for f in frame]

    def push(self):
        self._frames.append([])
        self._tracked.append([])

    def pop(self, num=1):
        if num < 0 or num > len(self._frames) - 1:
            raise ValueError(f"pop({num}) with only {len(self._frames) - 1} push(es) open")
        del self._frames[len(self._frames) - num:]
        del self._tracked[len(self._tracked) - num:]

    def num_scopes(self):
        return len(self._frames) - 1

    def reset(self):
        self._frames = [[]]
        self._tracked = [[]]
        self._clear_result()

    # -- solving -----------------------------------------------------------------------
    def check(self, *assumptions):
        if len(assumptions) == 1 and isinstance(assumptions[0], (list, tuple)):
            assumptions = tuple(assumptions[0])
        for a in assumptions:
            if not isinstance(a, Term) or a.sort != BOOL:
                raise SortError(f"check() assumptions must be formulas, got {a!r}")
        tracked = tuple(p for frame in self._tracked for p in frame)
        if tracked:
            assumptions = tracked + tuple(assumptions)
        result = self._check(assumptions)
        if result == unsat and self._minimize_core and len(self._core) > 1:
            self._shrink_core()
        return result

    def _shrink_core(self):
        """core.minimize: drop each assumption of the core whose removal leaves it unsat
        (deletion-based, checked: the core returned is unsat and no element can go)."""
        assumptions = self._last_assumptions
        keep = list(self._core)
        k = 0
        while k < len(keep):
            trial = keep[:k] + keep[k + 1:]
            self._check(tuple(assumptions[j] for j in trial))
            if self._last_status == UNSAT:
                kept = set(trial[j] for j in self._core)   # the smaller core it found
                keep = [j for j in trial if j in kept]
            else:
                k += 1
        self._check(tuple(assumptions[j] for j in keep))
        if self._last_status != UNSAT:
            raise ModelCheckError("internal error: a minimised core is not unsat")
        self._last_assumptions = assumptions
        self._core = keep

    def _check(self, assumptions):
        self._clear_result()
        self._last_assumptions = assumptions
        started = time.perf_counter()
        assertions = self._stored()
        if not self._isolate:
            try:
                result = self._search(assertions, assumptions, started)
            except MemoryError:
                # the formula or its search outgrew the memory: say so rather than crash
                self._compiler = compiler.IncrementalCompiler()
                result = (UNKNOWN, "memout", {}, None, [], None, None)
        else:
            if self._memory is not None and self._memory < 1:
                raise ValueError("memory must be at least 1 MB")
            time_left = None
            if self._timeout is not None:
                time_left = max(0.0, self._timeout - (time.perf_counter() - started))
            # Compiling happens in the child too, under the limits (a formula can be huge); what
            # the incremental compiler learns there is lost with the child.
            kind, *rest = isolation.run(
                lambda: self._search_in_child(assertions, assumptions, started),
                time_limit=time_left, memory_mb=self._memory)
            if kind == "ok":
                result = rest[0]
            elif kind == "error":
                raise rest[0]
            else:  # timeout, memout, crashed: the child is gone, with whatever it knew
                result = (UNKNOWN, kind if kind in ("timeout", "memout") else rest[0],
                          {}, None, [], None, None)
        status, reason, stats, values, core, lemmas, graph = result
        self._graph = graph
        self._last_status = status
        self._last_reason = reason or ""
        self._stats = dict(stats)
        self._stats["time"] = time.perf_counter() - started
        self._core = core
        self._lemmas = lemmas
        if status == SAT:
            self._model = Model(values)
        return _RESULTS[status]

    # set in the forked child of an isolated check (smtsched.isolation), which exits after it
    _in_child = False

    def _search_in_child(self, assertions, assumptions, started):
        self._in_child = True
        return self._search(assertions, assumptions, started)

    def _search(self, assertions, assumptions, started):
        """Compile (incrementally), search and check the model; a plain-data summary (it may
        cross a pipe): (status, reason, statistics, model values, core as assumption indices,
        lemmas, difference graph or None)."""
        deadline = None if self._timeout is None else started + self._timeout
        try:
            compiled = self._compiler.compile(assertions, assumptions, self._seed, deadline)
        except compiler.CompileTimeout:
            # a huge formula set: what was compiled stays for the next check
            return UNKNOWN, "timeout", {}, None, [], None, None
        if self._in_child:
            # The compiler ran with the cyclic collector off (IncrementalCompiler.compile), so
            # everything it made sits in the youngest generation, and the first allocation
            # after it walked all of it: 0.14 s of a 10,000-node random DL file (bench/
            # random_dl, 200,000 atoms), for nothing, as the child keeps it all until it exits.
            # Frozen, the collector leaves it alone (it makes no cycles: anything that dies is
            # still freed by its reference count). The parent's state was frozen at the fork.
            gc.freeze()
        if not self._unsat_core:
            # No core wanted: the assumptions hold for this search only, and each search is
            # fresh, so they can be root facts (see Session.check; in proof mode the session
            # keeps them assumptions, which the certificate refutes).
            assumption_literals, facts = [], compiled.assumption_literals
        else:
            assumption_literals, facts = compiled.assumption_literals, []
        problems = compiled.active_differences()
        certificate = None
        if self._proof is not None:
            from .certify.emit import Certificate
            certificate = Certificate(compiled)
        session = Session(compiled, seed=self._seed, log_lemmas=self._log_lemmas,
                          check=self._check_theories, sat_options=self._sat_options,
                          phases=_phases(compiled, problems, self._hint) if self._hint else None,
                          proof=certificate)
        time_left = None
        if self._timeout is not None:
            time_left = max(0.0, self._timeout - (time.perf_counter() - started))
        outcome = session.check(assumption_literals, time_limit=time_left,
                                max_conflicts=self._max_conflicts, facts=facts)
        values = graph = None
        if outcome.status == SAT:
            values = self._build_model(compiled, problems, outcome, assertions, assumptions)
            if self._keep_graph:
                graph = _active_graph(compiled, problems, outcome)
        core = []
        if outcome.status == UNSAT:
            failed = set(outcome.core or [])
            core = [k for k, lit in enumerate(compiled.assumption_literals) if lit in failed]
            if certificate is not None:
                self._certify(certificate, _terms(assertions), assumptions)
        lemmas = None
        if self._log_lemmas:
            lemmas = _lemma_formulas(problems, outcome.lemmas or [], compiled.pb_meaning)
        reason = outcome.reason if outcome.status == UNKNOWN else ""
        return outcome.status, reason, outcome.stats, values, core, lemmas, graph

    def _write_certificate(self, certificate, assertions, assumptions):
        """The certificate of this unsat answer, into the `proof` folder. Its input is the
        script that `proof_input` names (the SMT-LIB front end's file and check-sat), else
        the assertions and assumptions printed as DIR/input.smt2 (the assumptions asserted:
        the claim is that all of them together are unsat)."""
        folder = self._proof
        given = self._proof_input
        if given is None:
            from .printer import dumps
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, "input.smt2"), "w", encoding="utf-8",
                      errors="surrogateescape") as out:
                out.write(dumps(list(assertions) + list(assumptions)))
            given = {"file": "input.smt2", "format": "smtlib", "query": {"check_sat": 1}}
        given = dict(given)
        query = given.pop("query", {})
        given.pop("directory", None)
        claim = self._proof_claim or {}
        certificate.write(folder, claim=claim.get("claim", {"kind": "unsat"}), input=given,
                          query=query, values=claim.get("values"))

    def _certify(self, certificate, assertions, assumptions):
        """Write the certificate; a folder that cannot be written costs the certificate, not
        the answer (a warning says why)."""
        try:
            self._write_certificate(certificate, assertions, assumptions)
        except (OSError, ValueError, MemoryError) as error:
            import warnings
            reason = getattr(error, "strerror", None) or error
            warnings.warn(f"smtsched: no certificate written into {self._proof}: {reason}",
                          RuntimeWarning, stacklevel=4)

    def _build_model(self, compiled, problems, outcome, assertions, assumptions):
        truth = set(lit for lit in outcome.model if lit > 0)
        values = {}
        for key, var in compiled.bool_var.items():
            values[key] = var in truth
        for problem, potentials in zip(problems, outcome.values or []):
            if problem.sort == INT:
                numbers = potentials
            else:
                numbers = real_values(problem, potentials, truth)
            for key, node in problem.node_of.items():
                if key is not None and key[0] == "var":
                    values[key] = numbers[node]
        # DifferenceClause records are checked as they are (_records_hold: the same
        # arithmetic as evaluating their Terms), the rest as Terms; if a record fails, or
        # one of its variables has no value, all are checked as Terms, as before, so that
        # the error names the first assertion that fails
        records = [f for f in assertions if f.__class__ is DifferenceClause]
        if not records:
            pass
        elif _records_hold(records, values):
            assertions = [f for f in assertions if f.__class__ is not DifferenceClause]
        else:
            assertions = _terms(assertions)
        # Variables that only occur in atoms the compiler folded away still get a value.
        for var in variables(list(assertions) + list(assumptions)):
            if var.key() not in values:
                values[var.key()] = False if var.sort == BOOL else 0 if var.sort == INT else Fraction(0)
        model = Model(values)
        for formula in list(assertions) + list(assumptions):
            if model._raw_eval(formula) is not True:
                raise ModelCheckError(
                    "internal error: the model found does not satisfy the assertion "
                    f"{to_smtlib(formula)}; please report this input")
        return values

    def model(self):
        if self._last_status != SAT:
            raise SortError("model is not available: the last check() did not answer sat")
        return self._model

    def unsat_core(self):
        if self._last_status != UNSAT:
            raise SortError("unsat_core is not available: the last check() did not answer unsat")
        return [self._last_assumptions[k] for k in self._core]

    def difference_graph(self):
        """After a sat check with set(difference_graph=True): the Int difference constraints
        that the model's truth values select, as a `DifferenceGraph`; None otherwise (or when
        global constraints, whose theories add more than these edges, are present).

        Every integer point of these constraints, with the model's Boolean values, satisfies
        the compiled clauses: the SAT assignment is the same, and every atom keeps its truth
        value.
        """
        if self._last_status != SAT:
            return None
        return self._graph

    def reason_unknown(self):
        if self._last_status == UNKNOWN:
            return self._last_reason
        return ""

    def statistics(self):
        """Counters of the last check (deterministic for the same input and seed) plus time."""
        return dict(self._stats)

    def lemmas(self):
        """The theory lemmas of the last check as formulas (requires set(log_lemmas=True))."""
        if not self._log_lemmas:
            raise ValueError("lemmas are only kept after s.set(log_lemmas=True)")
        return list(self._lemmas or [])

    def to_smtlib(self, logic=None):
        """The assertions as an SMT-LIB 2.6 script (declarations, asserts, check-sat) that z3
        and yices read; see smtsched.smtlib.dumps."""
        from .printer import dumps
        return dumps(self.assertions(), logic=logic)

    def sexpr(self):
        """Declarations and assertions in SMT-LIB, as z3's Solver.sexpr()."""
        from .printer import dumps
        text = dumps(self.assertions(), check=False)
        return text.split("\n", 1)[1]   # without the set-logic line

    def __repr__(self):
        # z3's print(s): the assertions in z3py's notation, laid out as z3 lays out a list
        from .z3_printer import list_text
        return list_text(self.assertions())


def _records_hold(records, values):
    """Whether every DifferenceClause holds under `values` (variable key -> value), each
    literal (x - y) op c evaluated as `evaluate` does on its Term; False also when a variable
    has no value (the caller then checks the Terms)."""
    for record in records:
        holds = False
        for negated, op, x, y, c in record.literals:
            vx, vy = values.get(x.key()), values.get(y.key())
            if vx is None or vy is None:
                return False
            d = vx - vy
            if op == "le":
                truth = d <= c
            elif op == "lt":
                truth = d < c
            elif op == "ge":
                truth = d >= c
            else:
                truth = d > c
            if truth != negated:  # the literal holds
                holds = True
                break
        if not holds:
            return False
    return True


def _terms(stored):
    """The formulas of stored assertions: each DifferenceClause's Term (built once)."""
    # The cyclic collector is off while many Terms are built: they make no cycles, and its
    # passes over everything the compiler made were half the cost of building them (the
    # model check of a 10,000-node random DL file's sat answer: 20,000 records)
    collecting = gc.isenabled() and len(stored) > 1024
    if collecting:
        gc.disable()
    try:
        return [f.term() if f.__class__ is DifferenceClause else f for f in stored]
    finally:
        if collecting:
            gc.enable()


class DifferenceGraph:
    """The Int difference constraints selected by a sat model: `edges` [(u, v, w)], each
    x_v - x_u <= w over nodes 0..n-1 (node 0 is the origin, value 0); `node_of` maps variable
    keys to nodes; `potentials` holds the model's node values (they satisfy every edge);
    `weight_sum` is the sum of |w| + 1 over both edges of every Int atom, selected or not:
    more than the length of any simple path in the graph of any truth assignment."""

    __slots__ = ("node_of", "edges", "potentials", "weight_sum")

    def __init__(self, node_of, edges, potentials, weight_sum):
        self.node_of = node_of
        self.edges = edges
        self.potentials = potentials
        self.weight_sum = weight_sum


def _active_graph(compiled, problems, outcome):
    """The DifferenceGraph of a sat outcome, or None when global constraints (whose
    theories constrain the Ints beyond these edges) are present."""
    if compiled.globals:
        return None
    problem = compiled.difference[INT]
    potentials = [0] * problem.num_nodes
    for p, values in zip(problems, outcome.values or []):
        if p is problem:
            potentials = list(values)
    truth = set(lit for lit in outcome.model if lit > 0)
    edges = []
    weight_sum = 0
    for var, p, q, bound, strict in problem.atoms:
        w_true, w_false = problem.edge_weights(bound, strict)
        weight_sum += abs(w_true) + abs(w_false) + 2
        if var in truth:
            edges.append((q, p, w_true))
        else:
            edges.append((p, q, w_false))
    return DifferenceGraph(dict(problem.node_of), edges, potentials, weight_sum)


def _phases(compiled, problems, hint):
    """Literals that agree with the hinted values: Boolean variables directly, each difference
    atom x_p - x_q <= bound (< if strict) evaluated under the hinted values of its nodes."""
    phases = []
    for key, var in compiled.bool_var.items():
        value = hint.get(key)
        if isinstance(value, bool):
            phases.append(var if value else -var)
    for problem in problems:
        values = {}
        for key, node in problem.node_of.items():
            values[node] = 0 if key is None else hint.get(key)
        for var, p, q, bound, strict in problem.atoms:
            xp, xq = values.get(p), values.get(q)
            if xp is None or xq is None or isinstance(xp, bool) or isinstance(xq, bool):
                continue
            holds = xp - xq < bound if strict else xp - xq <= bound
            phases.append(var if holds else -var)
    return phases


def _lemma_formulas(problems, clauses, pb_meaning=None):
    """Theory lemmas (clauses over atom variables and the pseudo-Boolean theory's variables)
    as formulas over the user's variables."""
    from .terms import Not, Or
    atom_terms = dict(pb_meaning or {})
    for problem in problems:
        names = {node: key for key, node in problem.node_of.items()}
        make = _variable_maker(problem.sort)
        for var, p, q, bound, strict in problem.atoms:
            left = make(names[p]) - make(names[q])
            constant = bound if problem.sort == INT else Fraction(bound)
            atom_terms[var] = left < constant if strict else left <= constant
    return [Or(*[atom_terms[abs(l)] if l > 0 else Not(atom_terms[abs(l)]) for l in clause])
            for clause in clauses]


def _variable_maker(sort):
    from .terms import IntVal, RealVal

    def make(key):
        if key is None:
            return IntVal(0) if sort == INT else RealVal(0)
        return Term("var", (), sort, name=key[1])
    return make


def real_values(problem, potentials, truth):
    """Exact Fractions from the scaled integer potentials of a Real difference theory.

    A potential is a*M + b with |b| < M/2, standing for (a + b*delta)/L for an infinitesimal
    delta > 0; pick a concrete delta small enough for every active edge (the construction of
    Dutertre and de Moura, CAV 2006, for strict bounds), then divide by L.
    """
    scale, separation = problem.scale_cache

    def split(value):
        a = (value + separation // 2) // separation
        return a, value - a * separation

    parts = [split(p) for p in potentials]
    delta = Fraction(1)
    for var, p, q, bound, strict in problem.atoms:
        w_true, w_false = problem.edge_weights(bound, strict)
        # true: edge q -> p weight w_true (x_p - x_q <= w); false: p -> q weight w_false
        source, target, weight = (q, p, w_true) if var in truth else (p, q, w_false)
        c, s = split(weight)
        gap = parts[target][0] - parts[source][0] - c          # <= 0 by lexicographic order
        slope = parts[target][1] - parts[source][1] - s
        if gap < 0 and slope > 0:
            delta = min(delta, Fraction(-gap, slope))
    return [(Fraction(a) + b * delta) / scale for a, b in parts]
