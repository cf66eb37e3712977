"""Run an SMT-LIB 2.6 script against a `smtsched.Solver`, answering as z3 does.

`Script(out).run(stream)` reads commands one at a time (smtsched.smtlib.lexer/reader), carries
them out through the public API (Solver, terms) and writes the responses to `out`. A command
that fails prints ``(error "line L column C: message")`` and the script goes on; `errors`
counts them so that the command line can exit non-zero.
"""
import gc
import os
import sys
import time

from ..version import __version__
from .. import terms as T
from ..errors import ModelCheckError, SmtschedError
from ..solver import Solver, sat, unknown, unsat
from .elaborate import BOOL, INT, REAL, Elaborator, Macro, ScriptError, parse_sort, position
from .fast_assert import assertion_shortcut
from .lexer import TAKEN, Lexer
from .reader import SList, SyntaxProblem, read_commands, to_text

# Logics accepted: their numerals default to Int or Real; every atom must still be a
# difference constraint (the solver names the first one that is not).
LOGICS = {"QF_IDL": INT, "QF_RDL": REAL, "QF_LIA": INT, "QF_LRA": REAL, "QF_LIRA": INT,
          "ALL": INT}


MAX_PUSH = 1 << 20


class Interrupted(Exception):
    """Ctrl-C during a check: the script stops after answering unknown."""


class Script:
    """The state of one SMT-LIB session: options, declarations, assertion stack, last answer."""

    def __init__(self, out=None, print_model=False, print_stats=False, seed=None,
                 deadline=None, memory_mb=None, isolate=False, proof=None):
        self.out = out if out is not None else sys.stdout
        self.print_model = print_model     # --model
        self.print_stats = print_stats     # --stats
        self.fixed_seed = seed             # --seed wins over :random-seed
        self.deadline = deadline           # time.perf_counter() value, whole-run budget
        self.memory_mb = memory_mb
        self.isolate = isolate
        # --proof: {"directory", "file", "sha256", "format"}; the K-th check-sat command of
        # the script (counted from its first line, resets included, as the checker counts)
        # writes its certificate into directory/K when it answers unsat
        self.proof = proof
        self.check_sats = 0
        self.proof_notes = []       # what --proof did with optimising check-sats (stderr)
        self.errors = 0
        self.finished = False
        self.interrupted = False
        # Lexer's shortcut: a whole-line declaration or assertion of difference atoms read
        # with the current symbol table (fast_assert.py)
        self._shortcut = assertion_shortcut(self)
        self.reset()

    # -- state -----------------------------------------------------------------------------
    def reset(self):
        self.options = {"print-success": False, "produce-models": True,
                        "produce-unsat-cores": False, "produce-assignments": True,
                        "random-seed": 0, "timeout": None, "global-declarations": False}
        self.info = {}
        self.logic = None
        self.channel = self.out
        self.reset_assertions()

    def reset_assertions(self):
        self.solver = Solver()
        self.elab = Elaborator()
        if self.logic is not None:
            self.elab.numeral_sort = LOGICS[self.logic]
        self.elab.on_named = self._named
        self.elab.deadline = self.deadline
        self.declared = []          # [(name, Term)] declared constants, for get-model
        self.scopes = []            # per push: (len(declared), len(named), len(named_asserts),
        #                             names declared in this scope)
        self.scope_names = []       # names declared at the current level
        self.named_asserts = []     # [(name, formula)] top-level named assertions
        self.objectives = []        # (minimize t) / (maximize t), in order (objectives.py)
        self.last = None            # (result, assumptions [(text, term)], named in check)
        self.last_reason = None
        self.optimum_model = None   # the optimum's model, when a certificate's refutation
        #                             came after it (the solver's last answer is then unsat)
        self.pending_named = None

    # -- output ----------------------------------------------------------------------------
    def say(self, text):
        self.channel.write(text + "\n")
        self.channel.flush()

    def error(self, message, line, column):
        self.errors += 1
        if len(message) > 400:
            message = message[:400] + "..."
        message = message.replace('"', '""')  # SMT-LIB strings escape only the quote
        self.say(f'(error "line {line} column {column}: {message}")')

    def success(self):
        if self.options["print-success"]:
            self.say("success")

    # -- main loop -------------------------------------------------------------------------
    def run(self, stream):
        """Execute every command of `stream` (binary file or bytes) until (exit) or the end."""
        count = 0
        # the reader's stack of open lists, which the lexer looks at before trying the
        # shortcut for a whole-line assertion (fast_assert.py) on a line
        stack = []
        shortcut = self._shortcut
        taken = [0]   # the lines the shortcut carried out (in the lexer)

        def take_line(line):
            # An assertion read whole is carried out here, in the lexer, which then yields
            # nothing for it: no token through the reader and this loop (a third of reading a
            # 10,000-node random DL file once the line itself was read in C). The lexer only
            # asks between two commands, when every command before was carried out.
            value = shortcut(line)
            if value is None or value.__class__ is tuple:
                return value  # (name, sort): a declaration, through the loop (its node)
            self.solver.add(value)
            self.success()
            taken[0] += 1
            if taken[0] & 1023 == 0:
                gc.freeze()   # (see below)
            return TAKEN

        lexer = Lexer(stream, shortcut=take_line, open_lists=stack)
        for command in read_commands(lexer, stack):
            # Every 1,024 commands what was built so far leaves the cyclic collector's view
            # (gc.freeze: it is not freed, only no longer walked; terms hold no cycles, and
            # anything that dies is still freed by its reference count). Its full passes
            # otherwise walked all the terms read again and again: 14% of the whole process on
            # bench/random_dl's 10,000-node files (80,000 assertions). Undone at the end.
            count += 1
            if count & 1023 == 0:
                gc.freeze()
            if command.__class__ is tuple:  # ("line", (name, sort), ...): a new constant
                value = command[1]
                self.declare_const(value[0], value[1], command)
                continue
            if isinstance(command, SyntaxProblem):
                self.error(command.message, command.line, command.column)
                continue
            try:
                self.execute(command)
            except ScriptError as problem:
                self.error(problem.message, problem.line, problem.column)
            except Interrupted:
                self.finished = self.interrupted = True
            except RecursionError:
                self.error("the input nests too deeply", command.line, command.column)
            except (SmtschedError, ValueError, TypeError, ZeroDivisionError,
                    OverflowError) as problem:
                self.error(str(problem), command.line, command.column)
            except MemoryError:
                self.error("out of memory", command.line, command.column)
            except Exception as problem:  # a bug: report it as an error, never a traceback
                self.error(f"internal error ({type(problem).__name__}: {problem}); please "
                           "report this input", command.line, command.column)
            if self.finished:
                break
        if count >= 1024 or taken[0] >= 1024:
            gc.unfreeze()  # a caller in the same process gets its collector back as it was
        return self.errors

    def execute(self, command):
        items = command.items
        if not items or not isinstance(items[0], tuple) or items[0][0] != "sym":
            raise ScriptError("a command name was expected", command.line, command.column)
        name = items[0][1]
        handler = _COMMANDS.get(name)
        if handler is None:
            raise ScriptError(f"unknown command '{name}'", command.line, command.column)
        handler(self, command, items[1:])

    # -- helpers ---------------------------------------------------------------------------
    def symbol(self, node, what="a symbol"):
        if not isinstance(node, tuple) or node[0] != "sym":
            line, column = position(node)
            raise ScriptError(f"{what} was expected, found {_short(to_text(node))}", line, column)
        return node[1]

    def arity(self, command, args, low, high=None, usage=""):
        high = low if high is None else high
        if not low <= len(args) <= high:
            name = command.items[0][1]
            raise ScriptError(f"wrong number of arguments to '{name}'{': ' + usage if usage else ''}",
                              command.line, command.column)

    def keyword(self, node):
        if not isinstance(node, tuple) or node[0] != "kw":
            line, column = position(node)
            raise ScriptError(f"a keyword was expected, found {_short(to_text(node))}",
                              line, column)
        return node[1]

    def _named(self, name, value, node):
        self.scope_names.append(name)

    def add_declaration(self, name, value, node):
        self.elab.declare(name, value, node)
        self.scope_names.append(name)

    # -- commands --------------------------------------------------------------------------
    def cmd_set_logic(self, command, args):
        self.arity(command, args, 1, usage="(set-logic LOGIC)")
        logic = self.symbol(args[0], "a logic name")
        if self.logic is not None:
            raise ScriptError("the logic is already set", command.line, command.column)
        if logic not in LOGICS:
            line, column = position(args[0])
            raise ScriptError(f"unsupported logic {logic}: smtsched supports QF_IDL and QF_RDL "
                              "(and QF_LIA, QF_LRA, ALL when every atom is a difference "
                              "constraint)", line, column)
        self.logic = logic
        self.elab.numeral_sort = LOGICS[logic]
        self.success()

    def cmd_set_option(self, command, args):
        self.arity(command, args, 1, 2, "(set-option :name value)")
        name = self.keyword(args[0])
        value = args[1] if len(args) > 1 else None
        if name in ("print-success", "produce-models", "produce-unsat-cores",
                    "produce-assignments", "global-declarations", "produce-proofs",
                    "interactive-mode", "produce-unsat-assumptions"):
            flag = _bool_value(value)
            if flag is None:
                line, column = position(value if value is not None else args[0])
                raise ScriptError(f":{name} takes true or false", line, column)
            if name in ("produce-proofs",) and flag:
                self.say("unsupported")
                return
            self.options[name] = flag
        elif name in ("random-seed", "timeout", "verbosity", "reproducible-resource-limit"):
            if not isinstance(value, tuple) or value[0] != "num":
                line, column = position(value if value is not None else args[0])
                raise ScriptError(f":{name} takes a numeral", line, column)
            self.options[name] = value[1]
        elif name in ("regular-output-channel", "diagnostic-output-channel"):
            if not isinstance(value, tuple) or value[0] != "str":
                line, column = position(value if value is not None else args[0])
                raise ScriptError(f":{name} takes a string (a file name)", line, column)
            if name == "regular-output-channel":
                self.channel = _open_channel(value[1], self.out, command)
        else:
            self.say("unsupported")
            return
        self.success()

    def cmd_set_info(self, command, args):
        self.arity(command, args, 1, 2, "(set-info :name value)")
        name = self.keyword(args[0])
        self.info[name] = args[1] if len(args) > 1 else None
        self.success()

    def cmd_get_info(self, command, args):
        self.arity(command, args, 1, usage="(get-info :name)")
        name = self.keyword(args[0])
        if name == "name":
            self.say('(:name "smtsched")')
        elif name == "version":
            self.say(f'(:version "{__version__}")')
        elif name == "authors":
            self.say('(:authors "the smtsched developers")')
        elif name == "error-behavior":
            self.say("(:error-behavior continued-execution)")
        elif name == "assertion-stack-levels":
            self.say(f"(:assertion-stack-levels {len(self.scopes)})")
        elif name == "reason-unknown":
            if self.last is None or self.last[0] != unknown:
                raise ScriptError("the last check-sat did not answer unknown",
                                  command.line, command.column)
            self.say(f"(:reason-unknown {_reason_sexpr(self.last_reason)})")
        elif name == "all-statistics":
            self.say(self.statistics_text())
        else:
            self.say("unsupported")

    def statistics_text(self):
        stats = self.solver.statistics() if self.last is not None else {}
        if not stats:
            return "(:time 0.0)"
        rows = []
        for key in sorted(stats):
            value = stats[key]
            if isinstance(value, float):
                value = f"{value:.3f}"
            rows.append(f":{key.replace('_', '-')} {value}")
        return "(" + "\n ".join(rows) + ")"

    def cmd_declare_fun(self, command, args):
        self.arity(command, args, 3, usage="(declare-fun name () Sort)")
        name = self.symbol(args[0], "a function name")
        if not isinstance(args[1], SList):
            line, column = position(args[1])
            raise ScriptError("the argument sorts of declare-fun are a list", line, column)
        if args[1].items:
            raise ScriptError(f"'{name}' has arguments: uninterpreted functions are not supported "
                              "(difference logic only)", command.line, command.column)
        self.declare_const(name, parse_sort(args[2]), args[0])

    def cmd_declare_const(self, command, args):
        self.arity(command, args, 2, usage="(declare-const name Sort)")
        name = self.symbol(args[0], "a constant name")
        self.declare_const(name, parse_sort(args[1]), args[0])

    def declare_const(self, name, sort, node):
        var = {BOOL: T.Bool, INT: T.Int, REAL: T.Real}[sort](name)
        self.add_declaration(name, var, node)
        self.declared.append((name, var))
        self.success()

    def cmd_declare_sort(self, command, args):
        raise ScriptError("declare-sort is not supported (only Bool, Int and Real)",
                          command.line, command.column)

    def cmd_define_fun(self, command, args):
        self.arity(command, args, 4, usage="(define-fun name ((x Sort) ...) Sort term)")
        name = self.symbol(args[0], "a function name")
        if not isinstance(args[1], SList):
            line, column = position(args[1])
            raise ScriptError("the parameters of define-fun are a list", line, column)
        result_sort = parse_sort(args[2])
        params = []
        names = []
        for param in args[1].items:
            if not isinstance(param, SList) or len(param.items) != 2:
                line, column = position(param)
                raise ScriptError("a parameter is (name Sort)", line, column)
            pname = self.symbol(param.items[0], "a parameter name")
            if pname in names:
                line, column = position(param)
                raise ScriptError(f"the parameter '{pname}' is declared twice", line, column)
            psort = parse_sort(param.items[1])
            names.append(pname)
            # a placeholder no user symbol can equal; substituted on every application
            # a placeholder, replaced on every application (by object identity, so its name
            # only shows in messages)
            params.append((T.Term("var", (), psort, name=pname), psort))
        saved = dict(self.elab.locals)
        try:
            self.elab.locals.update(zip(names, (p for p, _ in params)))
            self.elab.in_macro = bool(params)
            body = self.elab.term(args[3])
        finally:
            self.elab.locals = saved
            self.elab.in_macro = False
        body = self.elab.as_sort(body, result_sort, args[3])
        if params:
            self.add_declaration(name, Macro(name, params, result_sort, body), args[0])
        else:
            self.add_declaration(name, body, args[0])
        self.success()

    def cmd_assert(self, command, args):
        self.arity(command, args, 1, usage="(assert term)")
        node = args[0]
        formula = self.elab.formula(node)
        top_name = _top_name(node)
        tracked = top_name is not None and self.options["produce-unsat-cores"]
        self.top_level_only(formula, node, "a named assertion with :produce-unsat-cores "
                            "(it is tracked as an assumption)" if tracked else None)
        if tracked:
            # kept apart: passed to check-sat as assumptions so the core can name it
            self.named_asserts.append((top_name, formula))
        else:
            self.solver.add(formula)
        self.success()

    def cmd_push(self, command, args):
        self.arity(command, args, 0, 1, "(push n)")
        count = self.count(args, command)
        for _ in range(count):
            self.scopes.append((len(self.declared), len(self.elab.named), len(self.named_asserts),
                                self.scope_names, len(self.objectives)))
            self.scope_names = []
            self.solver.push()
        self.success()

    def cmd_pop(self, command, args):
        self.arity(command, args, 0, 1, "(pop n)")
        count = self.count(args, command)
        if count > len(self.scopes):
            raise ScriptError(f"pop {count} with only {len(self.scopes)} push(es) open",
                              command.line, command.column)
        for _ in range(count):
            declared, named, named_asserts, names, objectives = self.scopes.pop()
            del self.objectives[objectives:]
            if not self.options["global-declarations"]:
                for name in self.scope_names:
                    self.elab.globals.pop(name, None)
                del self.declared[declared:]
                del self.elab.named[named:]
                self.scope_names = names
            else:
                self.scope_names = names + self.scope_names
            del self.named_asserts[named_asserts:]
            self.solver.pop()
        self.success()

    def count(self, args, command):
        if not args:
            return 1
        if not isinstance(args[0], tuple) or args[0][0] != "num":
            line, column = position(args[0])
            raise ScriptError("a numeral was expected", line, column)
        if args[0][1] > MAX_PUSH:
            line, column = position(args[0])
            raise ScriptError(f"at most {MAX_PUSH} levels can be pushed or popped at once",
                              line, column)
        return args[0][1]

    def cmd_check_sat(self, command, args):
        self.check_sats += 1   # every check-sat command counts, even one with an error
        self.arity(command, args, 0, usage="(check-sat)")
        self.check(command, [])

    def cmd_check_sat_assuming(self, command, args):
        self.check_sats += 1
        self.arity(command, args, 1, usage="(check-sat-assuming (literal ...))")
        if not isinstance(args[0], SList):
            line, column = position(args[0])
            raise ScriptError("check-sat-assuming takes a list of literals", line, column)
        assumptions = [(to_text(node), self.elab.formula(node)) for node in args[0].items]
        for node, (_, formula) in zip(args[0].items, assumptions):
            self.top_level_only(formula, node, "an assumption of check-sat-assuming")
        self.check(command, assumptions)

    def top_level_only(self, formula, node, assumption):
        """Refuse a pseudo-Boolean constraint anywhere but at the top of an assertion (or of
        a conjunction there): inside another term, or in `assumption` (a description) when
        the formula is one. The error is placed where the constraint is written."""
        if not self.elab.pb_sites:
            # no pseudo-Boolean term was read, so none is in `formula`: skip the walk over it
            # (13% of the whole process on bench/random_dl's 10,000-node files, py-spy)
            return
        misplaced = T.misplaced_pseudo_boolean(formula, assumption is not None)
        if misplaced is None:
            return
        line, column = self.elab.site(misplaced, node)
        name = misplaced.value[0]
        where = assumption if assumption is not None else "inside another term"
        raise ScriptError(f"the pseudo-Boolean constraint '{name}' can only be asserted at the "
                          f"top level, not {where}", line, column)

    def check(self, command, assumptions):
        assumptions = list(self.named_asserts) + assumptions
        solver = self.solver
        seed = self.fixed_seed if self.fixed_seed is not None else self.options["random-seed"]
        timeout_ms = self.options["timeout"]
        if self.deadline is not None:
            left_ms = max(0, int((self.deadline - time.perf_counter()) * 1000))
            timeout_ms = left_ms if timeout_ms is None else min(timeout_ms, left_ms)
        self.last = None
        self.optimum_model = None
        if timeout_ms is not None and timeout_ms <= 0:
            self.last, self.last_reason = (unknown, assumptions), "timeout"
            self.say("unknown")
            return
        # with objectives, the model's difference constraints guide the optimiser
        solver.set(seed=seed, timeout=timeout_ms or 0, difference_graph=bool(self.objectives))
        if self.isolate:
            solver.set(isolate=True, memory=self.memory_mb)
        if self.proof is not None:
            solver.set(proof=os.path.join(self.proof["directory"], str(self.check_sats)),
                       proof_input=dict(self.proof, query={"check_sat": self.check_sats}))
        terms = [term for _, term in assumptions]
        done, result = self._answering(lambda: solver.check(*terms), assumptions, command)
        if not done:
            return
        if result == sat and self.objectives:
            # the optimiser's probes refute bounds the script does not state: no certificates
            # for them (certify_optimum below writes the optimum's)
            solver.set(proof=None, proof_input=None)
            from .objectives import optimise
            deadline = None if timeout_ms is None else time.perf_counter() + timeout_ms / 1000
            done, outcome = self._answering(
                lambda: optimise(solver, terms, self.objectives, deadline), assumptions, command)
            if not done:
                return
            if outcome != "sat":
                # not proven optimal: say so rather than hand out a model as the optimum
                self.last, self.last_reason = (unknown, assumptions), outcome
                self.say("unknown")
                return
            # (a model better than the optimum raises ModelCheckError: never answered with)
            if self.proof is not None and not self._answering(
                    lambda: self.certify_optimum(solver, terms, deadline), assumptions,
                    command)[0]:
                return
        self.last = (result, assumptions)
        self.last_reason = solver.reason_unknown() if result == unknown else None
        self.say(str(result))
        if result == sat and self.print_model:
            self.say(self.model_text())
        if self.print_stats:
            self.say(self.statistics_text())

    def _answering(self, call, assumptions, command):
        """(True, call()) or, when the call failed, (False, None) with the answer unknown:
        a model that failed its check (never a wrong answer: unknown, and the error at the
        command's place); an interrupt raises Interrupted."""
        try:
            return True, call()
        except KeyboardInterrupt:
            self.last, self.last_reason = (unknown, assumptions), "interrupted"
            self.say("unknown")
            raise Interrupted() from None
        except ModelCheckError as problem:
            self.last, self.last_reason = (unknown, assumptions), str(problem)
            self.say("unknown")
            self.error(str(problem), command.line, command.column)
            return False, None

    def certify_optimum(self, solver, base, deadline):
        """The certificate of an optimising check-sat (docs/certificates.md, "Claims"): the
        optimum v of the first objective, backed by its model (values.json) and one more
        search that refutes a better value (t <= v - 1 for minimize, t >= v + 1 for
        maximize) under the check's assumptions, written as DIR/K with an OPTIMAL claim.
        The optimiser's own probes are no certificate: they ran under other assumptions
        (the earlier objectives' optima, bounds the search chose). Nothing is written when
        the optimum is unbounded or the refutation does not finish; stderr says why."""
        k = self.check_sats
        folder = os.path.join(self.proof["directory"], str(k))
        objective = self.objectives[0]
        what = f"check-sat {k}"
        try:   # an earlier run's certificate must not stand for this one
            os.remove(os.path.join(folder, "manifest.json"))
        except OSError:
            pass
        if objective.value == "unbounded":
            self.proof_note(f"no certificate for {what}: the objective {objective.text} is "
                            "unbounded (only a finite optimum is certified)")
            return
        model = solver.model()
        sense = "maximize" if objective.sense == "max" else "minimize"
        value = objective.value
        better = objective.term >= value + 1 if sense == "maximize" else \
            objective.term <= value - 1
        values = {}
        for name, var in self.declared:
            got = model.eval(var, model_completion=True)
            values[name] = bool(got) if var.sort == BOOL else _exact_text(got)
        claim = {"kind": "optimal", "objective": objective.text, "sense": sense,
                 "value": value}
        solver.set(proof=folder, proof_input=dict(self.proof, query={"check_sat": k}),
                   proof_claim={"claim": claim,
                                "values": {"values": values, "objective": value}},
                   difference_graph=False)
        if deadline is not None:
            left = deadline - time.perf_counter()
            if left <= 0:
                self.proof_note(f"no certificate for {what}: no time left to refute "
                                f"{_short(str(better))}")
                solver.set(proof=None, proof_input=None, proof_claim=None)
                return
            solver.set(timeout=max(1, int(left * 1000)))
        try:
            answer = solver.check(*base, better)
        finally:
            solver.set(proof=None, proof_input=None, proof_claim=None)
        self.optimum_model = model
        if answer == sat:
            raise ModelCheckError(
                f"internal error: a model with {objective.text} = "
                f"{solver.model().eval(objective.term)} beats the optimum {value} the "
                "optimiser found; please report this input")
        if answer != unsat:
            self.proof_note(f"no certificate for {what}: the refutation of a better value "
                            f"did not finish ({solver.reason_unknown() or 'unknown'})")
            return
        if not os.path.isfile(os.path.join(folder, "manifest.json")):
            return   # the solver warned why it could not write it
        rest = ""
        if len(self.objectives) > 1:
            rest = (f" (the first of {len(self.objectives)} objectives: the later ones' "
                    "optima are not certified)")
        self.proof_note(f"certificate of the optimum {objective.text} = "
                        f"{T.smtlib_number(value, INT)} written to {folder}{rest}")

    def proof_note(self, text):
        """What --proof did with an optimising check-sat: on standard error (standard output
        keeps the SMT-LIB responses)."""
        self.proof_notes.append(text)
        print(f"smtsched: {text}", file=sys.stderr, flush=True)

    def model(self):
        """The model of the last sat answer (the optimum's, after a certificate's refutation)."""
        return self.optimum_model if self.optimum_model is not None else self.solver.model()

    def need(self, command, result, what):
        if self.last is None or self.last[0] != result:
            raise ScriptError(f"{what} is not available: the last check-sat did not answer "
                              f"{result}", command.line, command.column)

    def model_text(self):
        model = self.model()
        rows = []
        for name, var in self.declared:
            value = model[var]
            if value is None:
                value = False if var.sort == BOOL else 0
            rows.append(f"  (define-fun {_symbol(name)} () {var.sort} "
                        f"{T.smtlib_number(value, var.sort)})")
        return "(\n" + "\n".join(rows) + ("\n" if rows else "") + ")"

    def cmd_minimize(self, command, args):
        self.add_objective(command, args, "min")

    def cmd_maximize(self, command, args):
        self.add_objective(command, args, "max")

    def add_objective(self, command, args, sense):
        from .objectives import Objective, check_objective
        if not args:
            raise ScriptError("an objective needs a term", command.line, command.column)
        term = self.elab.term(args[0])
        if isinstance(term, int) and not isinstance(term, bool):
            term = T.IntVal(term)  # a constant objective: its value is itself
        if not isinstance(term, T.Term) or term.sort != INT:
            line, column = position(args[0])
            raise ScriptError("objectives are Int terms (Real objectives are not supported yet)",
                              line, column)
        problem = check_objective(term)
        if problem is not None:
            line, column = position(args[0])
            raise ScriptError(problem, line, column)
        self.objectives.append(Objective(term, sense, to_text(args[0])))
        self.success()

    def cmd_get_objectives(self, command, args):
        from .objectives import value_text
        self.need(command, sat, "an objective value")
        rows = [f" ({o.text} {value_text(o)})" for o in self.objectives if o.value is not None]
        self.say("(objectives\n" + "".join(row + "\n" for row in rows) + ")")

    def cmd_get_model(self, command, args):
        self.arity(command, args, 0, usage="(get-model)")
        self.need(command, sat, "the model")
        self.say(self.model_text())

    def cmd_get_value(self, command, args):
        self.arity(command, args, 1, usage="(get-value (term ...))")
        if not isinstance(args[0], SList) or not args[0].items:
            line, column = position(args[0])
            raise ScriptError("get-value takes a non-empty list of terms", line, column)
        self.need(command, sat, "a value")
        model = self.model()
        pairs = []
        for node in args[0].items:
            value = self.elab.term(node)
            if isinstance(value, T.Term):
                sort = value.sort
                value = model.eval(value)
            else:
                sort = REAL if not isinstance(value, int) or self.elab.numeral_sort == REAL \
                    else INT
            pairs.append(f"({to_text(node)} {T.smtlib_number(value, sort)})")
        self.say("(" + "\n ".join(pairs) + ")")

    def cmd_get_assignment(self, command, args):
        self.arity(command, args, 0, usage="(get-assignment)")
        self.need(command, sat, "the assignment")
        model = self.model()
        pairs = [f"({_symbol(name)} {'true' if model.eval(term) else 'false'})"
                 for name, term in self.elab.named
                 if isinstance(term, T.Term) and term.sort == BOOL]
        self.say("(" + " ".join(pairs) + ")")

    def cmd_get_unsat_core(self, command, args):
        self.arity(command, args, 0, usage="(get-unsat-core)")
        if not self.options["produce-unsat-cores"]:
            raise ScriptError("unsat cores are off: use (set-option :produce-unsat-cores true)",
                              command.line, command.column)
        self.need(command, unsat, "an unsat core")
        core = self.solver.unsat_core()
        chosen = {id(term) for term in core}
        names = [_symbol(text) if text in dict(self.named_asserts) else text
                 for text, term in self.last[1] if id(term) in chosen]
        self.say("(" + " ".join(names) + ")")

    def cmd_get_unsat_assumptions(self, command, args):
        self.arity(command, args, 0, usage="(get-unsat-assumptions)")
        self.need(command, unsat, "the unsat assumptions")
        core = {id(term) for term in self.solver.unsat_core()}
        named = dict(self.named_asserts)
        texts = [text for text, term in self.last[1] if id(term) in core and text not in named]
        self.say("(" + " ".join(texts) + ")")

    def cmd_get_assertions(self, command, args):
        self.arity(command, args, 0, usage="(get-assertions)")
        formulas = self.solver.assertions() + [f for _, f in self.named_asserts]
        self.say("(" + "\n ".join(T.to_smtlib(f) for f in formulas) + ")")

    def cmd_get_option(self, command, args):
        self.arity(command, args, 1, usage="(get-option :name)")
        name = self.keyword(args[0])
        if name not in self.options:
            self.say("unsupported")
            return
        value = self.options[name]
        self.say("true" if value is True else "false" if value is False else
                 "0" if value is None else str(value))

    def cmd_reset(self, command, args):
        self.arity(command, args, 0, usage="(reset)")
        self.reset()
        self.success()

    def cmd_reset_assertions(self, command, args):
        self.arity(command, args, 0, usage="(reset-assertions)")
        self.reset_assertions()
        self.success()

    def cmd_echo(self, command, args):
        self.arity(command, args, 1, usage='(echo "text")')
        if not isinstance(args[0], tuple) or args[0][0] != "str":
            line, column = position(args[0])
            raise ScriptError("echo takes a string", line, column)
        self.say(args[0][1])

    def cmd_exit(self, command, args):
        self.finished = True
        self.success()


_COMMANDS = {
    "set-logic": Script.cmd_set_logic, "set-option": Script.cmd_set_option,
    "set-info": Script.cmd_set_info, "get-info": Script.cmd_get_info,
    "get-option": Script.cmd_get_option,
    "declare-fun": Script.cmd_declare_fun, "declare-const": Script.cmd_declare_const,
    "declare-sort": Script.cmd_declare_sort, "define-fun": Script.cmd_define_fun,
    "assert": Script.cmd_assert, "push": Script.cmd_push, "pop": Script.cmd_pop,
    "check-sat": Script.cmd_check_sat, "check-sat-assuming": Script.cmd_check_sat_assuming,
    "get-model": Script.cmd_get_model, "get-value": Script.cmd_get_value,
    "get-assignment": Script.cmd_get_assignment, "get-unsat-core": Script.cmd_get_unsat_core,
    "get-unsat-assumptions": Script.cmd_get_unsat_assumptions,
    "get-assertions": Script.cmd_get_assertions,
    "minimize": Script.cmd_minimize, "maximize": Script.cmd_maximize,
    "get-objectives": Script.cmd_get_objectives,
    "reset": Script.cmd_reset, "reset-assertions": Script.cmd_reset_assertions,
    "echo": Script.cmd_echo, "exit": Script.cmd_exit,
}


def _bool_value(node):
    if isinstance(node, tuple) and node[0] == "sym" and node[1] in ("true", "false"):
        return node[1] == "true"
    return None


def _top_name(node):
    """The :named name of an assertion whose outermost term is (! t ... :named n ...)."""
    if not isinstance(node, SList) or len(node.items) < 4:
        return None
    head = node.items[0]
    if not isinstance(head, tuple) or head[:2] != ("sym", "!"):
        return None
    for k in range(2, len(node.items) - 1):
        key, value = node.items[k], node.items[k + 1]
        if isinstance(key, tuple) and key[:2] == ("kw", "named") and isinstance(value, tuple):
            return value[1]
    return None


def _reason_sexpr(reason):
    if reason in ("timeout", "memout", "incomplete", "interrupted"):
        return reason
    if reason and reason.startswith("timeout"):
        return "timeout"
    text = (reason or "unknown").replace('"', '""')
    return f'"{text}"'


def _exact_text(value):
    """A number of values.json: an integer or p/q as text, exactly (any length)."""
    from fractions import Fraction

    from ..certify.emit import _number
    return _number(Fraction(value))


def _symbol(name):
    return T.quote_symbol(name)


def _short(text, limit=60):
    return text if len(text) <= limit else text[:limit] + "..."


def _open_channel(name, default, command):
    if name == "stdout":
        return sys.stdout
    if name == "stderr":
        return sys.stderr
    try:
        return open(name, "a")
    except OSError as problem:
        raise ScriptError(f"cannot open {name}: {problem.strerror}", command.line,
                          command.column) from None
