"""`Optimize`: z3's optimisation API (z3.Optimize) over smtsched's public Solver.

The objectives are optimised lexicographically in the order given (z3's default priority),
by the optimiser behind SMT-LIB's (minimize ...) (smtsched.smtlib.objectives: probes under
assumptions, each answer of the Solver's, each model checked against the assertions). What is
claimed:

* sat: every objective's value is an optimum (a probe beyond it was refuted, given the
  earlier optima) or proven unbounded, and the model returned, checked against the
  assertions and assumptions, has those values (checked here again);
* unknown after a time limit: the best model found (checked, and with the earlier
  objectives at their optima), and for the objective being optimised the bounds proven so
  far, as z3 reports them: value() is lower() of a minimised objective and upper() of a
  maximised one, so after a time limit it is the proven bound, not the model's value;
* unsat: the Solver's answer, with unsat_core() over the assumptions and tracked assertions.

Objectives are Int difference terms (x, x - y, a constant, times or plus constants, If of
such); anything else (a sum of several variables, a Real term) is refused with
UnsupportedError when it is given.
"""
import time

from . import terms as T
from .errors import SortError, UnsupportedError
from .solver import Solver, sat, unknown, unsat
from .values import z3_value


class Infinity:
    """z3's oo / -oo as an objective's bound or value (they print as z3 prints them)."""

    __slots__ = ("sign",)

    def __init__(self, sign):
        self.sign = sign

    def __repr__(self):
        return "oo" if self.sign > 0 else "-1*oo"

    __str__ = __repr__

    def __eq__(self, other):
        return isinstance(other, Infinity) and other.sign == self.sign

    def __hash__(self):
        return hash(("oo", self.sign))

    def is_int(self):
        return True


PLUS_OO, MINUS_OO = Infinity(1), Infinity(-1)


class OptimizeObjective:
    """The handle minimize()/maximize() return: value(), lower(), upper() after a check."""

    def __init__(self, opt, index, is_max):
        self._opt = opt
        self._index = index
        self._is_max = is_max

    def lower(self):
        return self._opt._bound(self._index, 0)

    def upper(self):
        return self._opt._bound(self._index, 1)

    def lower_values(self):
        return [self.lower()]

    def upper_values(self):
        return [self.upper()]

    def value(self):
        return self.upper() if self._is_max else self.lower()

    def __str__(self):
        return f"{self._index}:{self._is_max}"


class Optimize:
    """z3.Optimize for difference logic: add, minimize/maximize, check, model, push/pop."""

    def __init__(self, ctx=None):
        self._solver = Solver()
        self._objectives = []     # smtsched.smtlib.objectives.Objective, in priority order
        self._scopes = []         # number of objectives at each push
        self._timeout = None      # ms
        self._priority = "lex"    # or "box": each objective optimised on its own
        from .params import global_params
        timeout = global_params().get("timeout")
        if timeout is not None:
            self._timeout = timeout
        self._clear()

    def _clear(self):
        self._status = None
        self._reason = ""
        self._model = None
        self._bounds = {}         # objective index -> (lower, upper) in the user's sense
        self._stats = {}

    # -- options ---------------------------------------------------------------------------
    def set(self, *args, **options):
        """z3's parameters: timeout (ms), priority ("lex" or "box"), random_seed, and the
        Solver's options (smtsched.Solver.set)."""
        if len(args) % 2:
            raise TypeError("Optimize.set takes name/value pairs or keyword arguments")
        options = dict(zip(args[::2], args[1::2]), **options)
        for name, value in options.items():
            key = name.replace(":", "").lower()
            if key in ("priority", "opt.priority"):
                if str(value) not in ("lex", "box"):
                    raise UnsupportedError(f"the objective priority {value!r}: smtsched "
                                           "optimises lexicographically (lex) or each "
                                           "objective on its own (box)")
                self._priority = str(value)
            elif key in ("timeout", "smt.timeout"):
                self._timeout = None if value is None or value <= 0 else value
            elif key in ("opt.maxsat_engine", "opt.optsmt_engine", "opt.enable_sat",
                         "opt.enable_sls", "opt.elim_01", "opt.dump_benchmarks", "opt.pb.compile_equality"):
                continue   # z3's own engines: nothing to choose here
            else:
                self._solver.set(name, value)

    def help(self):
        print("timeout (ms), priority (lex, box), random_seed")

    # -- assertions and objectives -----------------------------------------------------------
    def add(self, *formulas):
        self._solver.add(*formulas)

    append = insert = assert_exprs = add

    def __iadd__(self, formula):
        self.add(formula)
        return self

    def assert_and_track(self, formula, p):
        self._solver.assert_and_track(formula, p)

    def add_soft(self, formula, weight="1", id=None):
        raise UnsupportedError(f"add_soft({formula}): soft constraints (MaxSMT) are not "
                               "supported; smtsched optimises difference-logic objectives")

    def minimize(self, term):
        return self._objective(term, "min")

    def maximize(self, term):
        return self._objective(term, "max")

    def _objective(self, term, sense):
        from .smtlib.objectives import Objective, check_objective
        if isinstance(term, int) and not isinstance(term, bool):
            term = T.IntVal(term)
        if not isinstance(term, T.Term) or term.sort == T.BOOL:
            raise SortError(f"an objective is an arithmetic term, got {term!r}")
        if term.sort == T.REAL:
            raise UnsupportedError(f"the Real objective {term}: smtsched optimises Int "
                                   "difference terms only")
        problem = check_objective(term)
        if problem is not None:
            raise UnsupportedError(f"the objective {term}: {problem}")
        self._objectives.append(Objective(term, sense, T.to_smtlib(term)))
        return OptimizeObjective(self, len(self._objectives) - 1, sense == "max")

    def assertions(self):
        return self._solver.assertions()

    def objectives(self):
        """The objectives as z3 lists them: minimised terms as they are, maximised ones
        negated."""
        return [o.term if o.sense == "min" else -o.term for o in self._objectives]

    def push(self):
        self._solver.push()
        self._scopes.append(len(self._objectives))

    def pop(self):
        if not self._scopes:
            raise ValueError("pop() without a push()")
        self._solver.pop()
        del self._objectives[self._scopes.pop():]

    def from_string(self, text):
        from .smtlib.assertions import read_assertions
        assertions, objectives = read_assertions(text)
        self.add(*assertions)
        self._objectives.extend(objectives)

    def from_file(self, filename):
        with open(filename, "rb") as source:
            self.from_string(source.read())

    # -- solving ---------------------------------------------------------------------------
    def check(self, *assumptions):
        from .smtlib.objectives import optimise
        if len(assumptions) == 1 and isinstance(assumptions[0], (list, tuple)):
            assumptions = tuple(assumptions[0])
        self._clear()
        started = time.perf_counter()
        deadline = None if self._timeout is None else started + self._timeout / 1000.0
        solver = self._solver
        solver.set(timeout=self._timeout or 0, difference_graph=bool(self._objectives))
        result = solver.check(*assumptions)
        self._stats = solver.statistics()
        if result != sat or not self._objectives:
            self._status = result
            self._reason = solver.reason_unknown()
            if result == sat:
                self._model = solver.model()
            return result
        best = [solver.model()]
        current = [None, None, None]   # index, lower and upper of u (the maximised form)

        def progress(index, lower, upper, model):
            if model is not None:
                best[0] = model
            if current[0] != index:
                current[:] = [index, None, None]
            if lower is not None:
                current[1] = lower
            if upper is not None:
                current[2] = upper if current[2] is None else min(current[2], upper)

        if self._priority == "box" and len(self._objectives) > 1:
            return self._check_box(solver, assumptions, deadline, started, progress, best)
        outcome = optimise(solver, list(assumptions), self._objectives, deadline, progress)
        self._stats = dict(solver.statistics(), time=time.perf_counter() - started)
        if outcome == "sat":
            model = solver.model()
            for objective in self._objectives:
                value = objective.value
                if isinstance(value, int) and model._raw_eval(objective.term) != value:
                    outcome = "the optimum's model does not have the optimal value"
                    break
            else:
                self._status, self._model = sat, model
                for k, objective in enumerate(self._objectives):
                    self._bounds[k] = self._final_bounds(objective)
                return sat
        # stopped: the best model, the earlier objectives' optima, the current one's bounds
        self._status, self._reason, self._model = unknown, outcome, best[0]
        index, lower, upper = current
        for k, objective in enumerate(self._objectives):
            if index is not None and k < index and objective.value is not None:
                self._bounds[k] = self._final_bounds(objective)
            elif k == index:
                if objective.sense == "max":
                    self._bounds[k] = (lower, PLUS_OO if upper is None else upper)
                else:
                    self._bounds[k] = (MINUS_OO if upper is None else -upper,
                                       None if lower is None else -lower)
        return unknown

    def _check_box(self, solver, assumptions, deadline, started, progress, best):
        """priority=box: each objective optimised on its own, under the assertions only (z3's
        box); the model is the first objective's optimal one, as z3's is. A time limit ends
        with the objectives done so far optimal and the others' bounds open (-oo, oo)."""
        from .smtlib.objectives import optimise
        outcome, first = "sat", None
        for k, objective in enumerate(self._objectives):
            if k and solver.check(*assumptions) != sat:   # optimise starts from a sat check
                outcome = solver.reason_unknown() or "the assertions' check did not repeat"
                break

            def note(index, lower, upper, model, k=k):
                progress(k, lower, upper, model)
            outcome = optimise(solver, list(assumptions), [objective], deadline, note)
            if outcome != "sat":
                break
            model = solver.model()
            if isinstance(objective.value, int) and model._raw_eval(objective.term) != \
                    objective.value:
                outcome = "the optimum's model does not have the optimal value"
                break
            self._bounds[k] = self._final_bounds(objective)
            if k == 0:
                first = model
        self._stats = dict(solver.statistics(), time=time.perf_counter() - started)
        if outcome == "sat":
            self._status, self._model = sat, first
            return sat
        self._status, self._reason, self._model = unknown, outcome, first or best[0]
        return unknown

    @staticmethod
    def _final_bounds(objective):
        value = objective.value
        if value is None:
            return (MINUS_OO, PLUS_OO)
        if value == "unbounded":
            end = PLUS_OO if objective.sense == "max" else MINUS_OO
            return (end, end)
        return (value, value)

    def _bound(self, index, side):
        if self._status is None:
            raise SortError("the objective has no value: call check() first")
        bounds = self._bounds.get(index)
        if bounds is None:
            return MINUS_OO if side == 0 else PLUS_OO
        value = bounds[side]
        if value is None:
            return MINUS_OO if side == 0 else PLUS_OO
        return value if isinstance(value, Infinity) else z3_value(value, T.INT)

    def lower(self, handle):
        return handle.lower()

    def upper(self, handle):
        return handle.upper()

    def model(self):
        if self._model is None:
            raise SortError("model is not available: the last check() found none")
        from .z3_model import as_z3_model
        return as_z3_model(self._model)

    def unsat_core(self):
        return self._solver.unsat_core()

    def reason_unknown(self):
        # z3's Optimize answers "unknown" whatever the last check said, unless it has a reason
        return self._reason if self._status == unknown and self._reason else "unknown"

    def statistics(self):
        from .z3_statistics import Statistics
        return Statistics(self._stats)

    def sexpr(self):
        """The assertions and objectives in SMT-LIB, as z3's Optimize.sexpr()."""
        text = self._solver.sexpr()
        rows = [f"({'maximize' if o.sense == 'max' else 'minimize'} {o.text})"
                for o in self._objectives]
        return text + "".join(row + "\n" for row in rows) + "(check-sat)\n"

    def __repr__(self):
        return self.sexpr()


__all__ = ["Optimize", "OptimizeObjective", "unsat"]
