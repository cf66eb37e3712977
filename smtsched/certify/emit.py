"""The emitting side of certificates (docs/certificates.md): a proof sink for the engine that
writes the certificate folder.

    cert = Certificate(core)                  # the CoreProblem the front end made
    session = Session(core, proof=cert)       # every engine of the session logs into cert
    outcome = session.check(assumptions)
    if outcome.status == "unsat":
        cert.write("cert/1", claim={"kind": "unsat"},
                   input={"file": "problem.smt2", "format": "smtlib"}, query={"check_sat": 1})

A `Certificate` is the engine's proof sink (smtsched.engine, "Proof mode"): it keeps, for the
engine's whole life, every clause CaDiCaL received beyond its bootstrap clauses with its kind
and maker, the variables the engine made, the assumptions of the last search and a copy of
CaDiCaL's text DRUP proof. `start` (a new engine: a fresh session makes one per check) forgets
the last engine's log. The session tells it what each theory enforces (`sources`, `source`),
so that a lemma record can name its constraint.

`write` makes the folder: problem.cnf (the core's clauses, plus clauses added with kind
"input"), atoms.txt (the meaning of every variable, by node and variable NAMES: the core's
atoms, Bool variables, Tseitin gates (a compiler's proxy variable is `and` of the one literal
it stands for), the guards of guarded cost constraints; anything else `fresh <why>`, with the
engine's reason: "stop", "copy", "new_var", or "unnamed" for a core variable of unknown
meaning; Real bounds are written p/q), constraints.json (the
core's global constraints, then its pseudo-Boolean rows), lemmas.jsonl (every other clause
CaDiCaL received, with the rule and witness that smtsched.certify.witness finds, or none:
the certificate is then incomplete), proof.drup, and manifest.json last. Lemma records are
computed once and reused by later writes (a persistent engine's certificates share them).
The lines of the Int difference theory's cycles, most of a certificate's lemmas, are made in
C (smtsched.certify._lines) with the text the Python path gives (which stays for a
pure-Python install and for everything else).

Witness records: the disjunctive and cumulative theories know the argument of each clause
they make (the window and tasks of an overload, an edge-finding or timetable step, the tasks
of an ordering cut). `sources`/`source` turn their recording on (`record_witnesses`), and
`clause` keeps, for a conflict, final-check lemma, reason or root implication, the theory's
`last_witness()` (the witness of the clause it returned just before the engine handed it
over); the lemma line then uses it instead of searching (`smtsched.certify.witness.find`,
still the fallback: difference logic, and the clauses a theory has no record for). Not checked
here: the checker checks every lemma. `witness_counts` says how many lines took each way.

What only the front end knows it says before writing, for the core's whole life: `name(var,
words)` gives a core variable its atoms.txt words instead of `fresh`, `describe_row(spec,
fields)` adds keys to a pseudo-Boolean row's record, and `input_lemma(clause, rule, ...)`
writes a clause of problem.cnf again as a lemma of kind "input" with its rule (and a record
of its own in constraints.json); the scheduling front end does so for memories
(smtsched.sched.memory_proof).

Nothing here is trusted: the checker (smtsched.certify.check) re-derives everything from the
input.
"""
import hashlib
import json
import os
import shutil
import sys
import tempfile
from fractions import Fraction
from typing import NamedTuple

from ..core.problem import INT, DifferenceSpec
from ..core.specs import CostSpec, CumulativeSpec, DisjunctiveSpec, PseudoBooleanSpec
from . import prune
from .prune import relevant_variables
from .witness import reason_cycle, walk_cycle
from .witness_linear import row_of

try:   # the lines of difference cycles in C (absent from a pure-Python install)
    from . import _lines
except ImportError:   # pragma: no cover - SMTSCHED_PUREPYTHON=1
    _lines = None

__all__ = ["Certificate", "write", "decode_binary_proof"]

FORMAT, VERSION = "smtsched-certificate", 1
FILES = {"cnf": "problem.cnf", "atoms": "atoms.txt", "constraints": "constraints.json",
         "lemmas": "lemmas.jsonl", "proof": "proof.drup"}
# the kinds of clause the engine hands over right after the theory's conflict() or
# explain(lit) returned it (smtsched.engine, "Proof mode"): the theory's last_witness() is then
# that clause's
THEORY_KINDS = frozenset(("conflict", "final", "reason", "root"))
# kinds of clauses that belong to problem.cnf, not to lemmas.jsonl: "input" (a clause of the
# Boolean abstraction a caller added), "core" (a clause of the core handed to a running
# engine: problem.cnf holds the core's clauses already)
CNF_KINDS = ("input", "core")


class Certificate:
    """The proof sink of the engines of one session, and the certificate writer (see the
    module docstring). `core`: the CoreProblem the engines search (None: problem.cnf is the
    engine's bootstrap clauses, and atoms.txt knows only the atoms the engine made)."""

    def __init__(self, core=None):
        self.core = core
        self.theory_specs = {}   # id(theory) -> (theory, spec): the theory is kept alive
        self.recording = {}      # id(theory) -> the theory, for those that record witnesses
        # lemma lines whose witness came from the theory's record, from the finder, or none
        self.witness_counts = {"recorded": 0, "found": 0, "none": 0}
        # what the front end says about the core (kept across engines, like the core):
        self.names = {}          # var -> its atoms.txt words (e.g. 'live "M" "B" null')
        self.row_fields = {}     # id(PseudoBooleanSpec of the core) -> more record keys
        self.input_lemmas = []   # (clause of problem.cnf, rule, witness, record or None)
        self._log = None         # CaDiCaL's proof so far (a temporary file, made when needed)
        self._reset(0, [])

    def _reset(self, num_vars, clauses):
        if self._log is not None:
            self._log.close()
        self.bootstrap = clauses
        self.num_vars = num_vars
        self.records = []        # (clause, kind, source), in the order CaDiCaL got them
        self.recorded = {}       # record index -> (rule, witness) its theory recorded
        self._records_top = 0, 0  # the largest variable of the first n records, n
        self.written = []        # (lemma line or None: in problem.cnf, has a rule) of each
                                 # record, computed by the first write that needs it
        self._described = {}     # id(source) -> what its lemma records say (_lemma_line)
        self.atoms = {}          # var -> (theory, u, v, w_true, w_false) made by add_atom
        self.fresh_vars = {}     # var -> why
        self.assumptions = []    # of the last search
        self.stopped = False     # a one-shot search was stopped: nothing to certify
        self._log = None
        self._decoder = None

    @property
    def _proof_file(self):
        # made on first use: a sink made for a search that never starts, and each engine's
        # start, made one file each (three per certificate of a small model, 0.1 ms apiece)
        if self._log is None:
            self._log = tempfile.TemporaryFile()
        return self._log

    # -- the engine's proof sink (smtsched.engine, "Proof mode") ---------------------------
    def start(self, num_vars, clauses):
        self._reset(num_vars, clauses)

    def clause(self, clause, kind, source):
        if kind == "stop":
            self.stopped = True
        elif kind in THEORY_KINDS and self.recording.get(id(source)) is source:
            witness = source.last_witness()
            if witness is not None:
                self.recorded[len(self.records)] = witness
        self.records.append((clause, kind, source))

    def reason_logger(self, theory):
        """The engine's optional fast path for reasons (smtsched.engine, "Proof mode"): a
        function that explains, records as `clause(copy, "reason", theory)` would, and
        returns the clause; None for a theory that may record witnesses (`clause` must ask
        it for each one)."""
        if hasattr(theory, "last_witness"):
            return None
        explain = theory.explain
        log = self.records.append

        def provide_reason(lit):
            clause = explain(lit)
            log((list(clause), "reason", theory))
            return clause
        return provide_reason

    def atom(self, var, theory, u, v, w_true, w_false):
        self.atoms[var] = (theory, u, v, w_true, w_false)

    def fresh(self, var, why):
        self.fresh_vars[var] = why

    def search(self, assumptions):
        self.assumptions = list(assumptions)

    def proof(self, file, binary):
        if binary:
            if self._decoder is None:
                self._decoder = _BinaryDecoder(self._proof_file)
            self._decoder.feed_file(file)
        else:
            shutil.copyfileobj(file, self._proof_file, 1 << 20)

    # -- from the session ------------------------------------------------------------------
    def sources(self, theories, specs):
        """The theories of a new build and what each enforces (factory.Theories.specs)."""
        self.theory_specs = {id(t): (t, spec) for t, spec in zip(theories, specs)}
        self.recording = {}
        for theory, spec in zip(theories, specs):
            self._record(theory, spec)

    def source(self, theory, spec):
        """A theory that joined the running engine, and what it enforces."""
        self.theory_specs[id(theory)] = (theory, spec)
        self._record(theory, spec)

    def _record(self, theory, spec):
        """Ask a disjunctive or cumulative theory for its witness records (see the module
        docstring), if it can give them."""
        if (isinstance(spec, (DisjunctiveSpec, CumulativeSpec))
                and hasattr(theory, "last_witness") and hasattr(theory, "record_witnesses")):
            theory.record_witnesses = True
            self.recording[id(theory)] = theory

    # -- from the front end ----------------------------------------------------------------
    def lemma(self, clause, kind, rule=None, witness=None, theory=None, constraint=None):
        """A lemma the certificate needs although the engine did not hand it to CaDiCaL, with
        the record's fields as given (no witness search): e.g. a static lower bound, the unit
        -(objective <= v - 1) with kind "bound", for an OPTIMAL claim without a refutation.
        `constraint`: an index into constraints.json. Kept until the next engine starts."""
        self.records.append((list(clause), kind, _Given(rule, witness, theory, constraint)))

    def name(self, var, words):
        """atoms.txt's line for `var` (a core variable) is `var words` (docs/certificates.md,
        e.g. `live "M" "B" "T"`, `slack "M" 3`, `guard peak "M" <= 12`) instead of `fresh`."""
        self.names[var] = words

    def describe_row(self, spec, fields):
        """More keys for the constraints.json record of `spec`, a pseudo-Boolean row of the
        core (e.g. a memory row's "memory", "instant" and "fixed")."""
        self.row_fields[id(spec)] = (spec, dict(fields))

    def input_lemma(self, clause, rule, witness=None, record=None):
        """A clause of problem.cnf (the front end put it in the core) that the checker's
        encoding does not imply: it is also written as a lemma of kind "input" with `rule`
        and `witness`. `record`: a constraints.json record the rule reads (listed after the
        core's rows, watched by no theory; the lemma names its index), or None."""
        self.input_lemmas.append((list(clause), rule, witness, record))

    # -- writing ---------------------------------------------------------------------------
    def write(self, folder, claim=None, assumptions=None, input=None, query=None,
              schedule=None, values=None):
        """Write the certificate of the last search's unsat answer into `folder` (made if
        needed; files in it are replaced). `claim`: the manifest's claim (default unsat);
        `assumptions`: the literals the refutation assumes (default: every assumption of the
        last search; an unsat core of them is enough); `input`: {"file", "format"} and
        optionally "sha256" (else computed from the file, relative to the working directory
        or to `folder`); `query`: the manifest's query ({} by default); `schedule`: for an
        OPTIMAL claim, the object written as schedule.json ({"starts": {task: start},
        "objective": v}); `values`: for an OPTIMAL claim about an SMT-LIB script, the
        object written as values.json ({"values": {name: value}, "objective": v}, the
        model). Returns the manifest (a dict). RuntimeError when the last search was stopped (its answer was unknown)."""
        if self.stopped:
            raise RuntimeError("the search was stopped (its answer was unknown): no "
                               "certificate")
        os.makedirs(folder, exist_ok=True)
        assumptions = list(self.assumptions if assumptions is None else assumptions)
        meanings = _Meanings(self)
        constraints = _Constraints(self.core, self)
        keep = self._relevant(assumptions, constraints, meanings)
        with open(os.path.join(folder, FILES["atoms"]), "w", encoding="utf-8") as out:
            num_vars = meanings.write_atoms(out, self._max_var(assumptions), keep)
        with open(os.path.join(folder, FILES["cnf"]), "w", encoding="utf-8") as out:
            self._write_cnf(out, num_vars if keep is None else max(keep, default=0), keep)
        with open(os.path.join(folder, FILES["constraints"]), "w", encoding="utf-8") as out:
            out.write(_json_lines(constraints.records))
        with open(os.path.join(folder, FILES["lemmas"]), "w", encoding="utf-8") as out:
            incomplete = self._write_lemmas(out, meanings, constraints)
        claim = dict(claim or {"kind": "unsat"})
        with open(os.path.join(folder, FILES["proof"]), "wb") as out:
            self._proof_file.flush()
            self._proof_file.seek(0)
            shutil.copyfileobj(self._proof_file, out, 1 << 20)
            self._proof_file.seek(0, 2)
            if _needs_refutation(claim, assumptions):
                _end_with_empty_clause(self._proof_file, out)
        files = dict(FILES)
        if schedule is not None:
            files["schedule"] = "schedule.json"
            with open(os.path.join(folder, files["schedule"]), "w", encoding="utf-8") as out:
                out.write(json.dumps(schedule) + "\n")   # (json.dump runs the Python encoder)
        if values is not None:
            files["values"] = "values.json"
            with open(os.path.join(folder, files["values"]), "w", encoding="utf-8") as out:
                out.write(json.dumps(values) + "\n")   # (json.dump runs the Python encoder)
        manifest = {"format": FORMAT, "version": VERSION,
                    "input": _input_record(input, folder),
                    "query": dict(query or {}),
                    "claim": claim,
                    "assumptions": assumptions,
                    "files": files,
                    "solver": _versions(),
                    "complete": not incomplete, "incomplete": incomplete}
        with open(os.path.join(folder, "manifest.json"), "w", encoding="utf-8") as out:
            # a field per line, each by json's C encoder (indent= runs the Python one)
            out.write("{\n" + ",\n".join(f" {json.dumps(key)}: {json.dumps(value)}"
                                         for key, value in manifest.items()) + "\n}\n")
        return manifest

    def _max_var(self, assumptions):
        top = self.num_vars
        if self.core is not None:
            top = max(top, self.core.num_vars)
        top = max([top, *self.atoms, *self.fresh_vars])
        # the records' largest variable, from where the last write stopped
        seen, count = self._records_top
        if _lines is not None:
            seen = max(seen, _lines.largest_variable(self.records, count))
        else:
            clauses = [clause for clause, _, _ in self.records[count:] if clause]
            if clauses:   # max and min mapped in C: a Python loop cost 20 ms per 25,000
                seen = max(seen, max(map(max, clauses)), -min(map(min, clauses)))
        self._records_top = seen, len(self.records)
        return max([top, seen, *(abs(lit) for lit in assumptions)])

    def _relevant(self, assumptions, constraints, meanings):
        """The variables problem.cnf and atoms.txt keep (smtsched.certify.prune), None: all."""
        count = len(self.core.clauses) if self.core is not None else len(self.bootstrap)
        if count < prune.MIN_CLAUSES:
            # kept whole: no seeds to gather (every lemma's variables in a set cost 15 ms
            # per 25,000 lemmas)
            return None
        seeds = {abs(lit) for clause, kind, _ in self.records if kind not in CNF_KINDS
                 for lit in clause}
        seeds.update(abs(lit) for lit in assumptions)
        seeds.update(abs(lit) for clause, _, _, _ in self.input_lemmas for lit in clause)
        for record in constraints.records:
            seeds.update(abs(lit) for lit in record.get("literals", ()))
            if record.get("guard"):
                seeds.add(abs(record["guard"]))
        return relevant_variables(self._cnf_clauses, count, meanings.gates, seeds,
                                  self._proof_file)

    def _cnf_clauses(self):
        if self.core is not None:
            yield from self.core.clauses
            kinds = ("input",)
        else:
            yield from self.bootstrap
            kinds = CNF_KINDS
        for clause, kind, _ in self.records:
            if kind in kinds:
                yield clause

    def _write_cnf(self, out, num_vars, keep=None):
        """problem.cnf: every clause, or those over the variables in `keep` (a clause's
        variables are all kept or none: they are in one component)."""
        clauses = [c for c in self._cnf_clauses() if keep is None or not c or abs(c[0]) in keep]
        out.write(f"p cnf {num_vars} {len(clauses)}\n")
        for clause in clauses:
            out.write(" ".join(map(str, clause)))
            out.write(" 0\n" if clause else "0\n")

    def _write_lemmas(self, out, meanings, constraints):
        """The lemma lines (computed for the records not seen by an earlier write); returns
        the line numbers (1-based) of the lemmas without a rule."""
        find = _witness_finder()
        incomplete = []
        line = 0
        lines = []   # written in chunks: a write() per line cost a tenth of the writing
        for clause, rule, witness, extra in self.input_lemmas:
            record = {"clause": clause, "kind": "input", "rule": rule}
            if extra is not None:
                record["constraint"] = constraints.index_of_record(extra)
            record["witness"] = {} if witness is None else witness
            line += 1
            if rule is None:
                incomplete.append(line)
            lines.append(json.dumps(record))
        written = self.written
        start = len(written)
        records = self.records
        fast = self._cycle_lines(start, meanings, constraints) if find is not None else None
        if fast is not None:
            self.witness_counts["found"] += len(fast) - fast.count(None)
        for index in range(start, len(records)):
            text = None if fast is None else fast[index - start]
            if text is not None:
                written.append((text, True))
            else:
                clause, kind, source = records[index]
                written.append(self._lemma_line(clause, kind, source, meanings, constraints,
                                                find, self.recorded.get(index)))
        for text, complete in written:
            if text is None:
                continue
            line += 1
            if not complete:
                incomplete.append(line)
            lines.append(text)
            if len(lines) >= 4096:
                lines.append("")
                out.write("\n".join(lines))
                lines.clear()
        if lines:
            lines.append("")
            out.write("\n".join(lines))
        return incomplete

    def _cycle_lines(self, start, meanings, constraints):
        """The lines of the records from `start` on that are negative cycles of the Int
        difference theory, made in C (smtsched.certify._lines; None where a record is
        anything else, and None for all when the module is not built): the same text as
        _lemma_line's."""
        if _lines is None or start >= len(self.records):
            return None
        sources = {}
        spec = None
        for key, (theory, theory_spec) in self.theory_specs.items():
            if isinstance(theory_spec, DifferenceSpec) and theory_spec.sort == INT:
                index = constraints.index(theory_spec)
                sources[key] = "" if index is None else f'"constraint": {index}, '
                spec = theory_spec
        if spec is None:
            return None
        table = meanings.int_table(spec)
        return _lines.cycle_lines(table, self.records, start, sources)

    def _lemma_line(self, clause, kind, source, meanings, constraints, find, recorded=None):
        if kind in CNF_KINDS:   # in problem.cnf (see _cnf_clauses)
            return None, True
        if isinstance(source, _Given):
            record = {"clause": clause, "kind": kind}
            record.update((k, v) for k, v in source._asdict().items() if v is not None)
            record["rule"] = source.rule
            return json.dumps(record), source.rule is not None
        known = self._described.get(id(source))   # most sources make many lemmas
        if known is not None and known[0] is source and known[5] is constraints:
            _, spec, theory, index, constraint, _ = known
        else:
            spec = self._spec_of(source)
            theory = _theory_name(spec)
            rows = isinstance(spec, list)
            if rows:   # the pseudo-Boolean theory's rows: the lemma's own
                spec = row_of(clause, spec)
            index = constraints.index(spec)
            constraint = spec if isinstance(spec, (DisjunctiveSpec, CumulativeSpec)) or (
                index is not None and isinstance(spec, (CostSpec, PseudoBooleanSpec))) else None
            if not rows:
                self._described[id(source)] = (source, spec, theory, index, constraint,
                                               constraints)
        if theory == "difference" and find is not None and kind != "retire":
            # most lemmas of a certificate: a cycle in the order the difference theory
            # writes its reasons, or a conflict's cycle in another order; their lines are
            # made of their parts (_cycle_line)
            if reason_cycle(clause, meanings.atom_of):
                self.witness_counts["found"] += 1
                return _cycle_line(clause, kind, index), True
            positions = walk_cycle(clause, meanings.atom_of)
            if positions is not None:
                self.witness_counts["found"] += 1
                return _cycle_line(clause, kind, index, positions), True
        rule = witness = None
        if kind == "retire":
            rule = "retire"
        elif recorded is not None and index is not None and isinstance(
                constraint, (DisjunctiveSpec, CumulativeSpec)):
            # the theory's own argument, in the constraint's task indices (the theory's
            # tasks are its spec's, in order: core.factory)
            rule, witness = recorded
            self.witness_counts["recorded"] += 1
            text = _recorded_line(clause, kind, theory, index, rule, witness)
            if text is not None:
                return text, True
        elif find is not None and (clause or isinstance(spec, (CostSpec, PseudoBooleanSpec))):
            found = find(clause, meanings.atom_of, constraint)
            if found is not None:
                rule, witness = found
                self.witness_counts["found"] += 1
        record = {"clause": clause, "kind": kind}
        if theory is not None:
            record["theory"] = theory
        if index is not None:
            record["constraint"] = index
        if rule is None:
            self.witness_counts["none"] += 1
        record["rule"] = rule
        if witness is not None:
            record["witness"] = witness
        return _dumps(record), rule is not None

    def _spec_of(self, source):
        """The spec behind a clause's source: a theory's (as the session told), or the
        source itself when it is a spec."""
        if source is None:
            return None
        known = self.theory_specs.get(id(source))
        if known is not None and known[0] is source:
            return known[1]
        if isinstance(source, (DifferenceSpec, DisjunctiveSpec, CumulativeSpec, CostSpec,
                               PseudoBooleanSpec, list)):
            return source
        return None


def _needs_refutation(claim, assumptions):
    """Whether the checker requires the proof to refute: every claim but an optimal one
    without assumptions (backed by a `bound` lemma; docs/certificates.md, "Claims")."""
    return not (claim.get("kind") == "optimal" and not assumptions)


def _end_with_empty_clause(log, out):
    """Append the empty clause to the proof copy `out` unless CaDiCaL's log `log` (a binary
    file, positioned at its end) ends with it. CaDiCaL 1.9.5 writes no final step for an
    unsat answer under assumptions; the checker requires one (the end rule of
    docs/certificates.md, "Checking the proof"), so that a proof cut after any line is
    rejected. The empty clause is RUP once the assumption units are loaded, as the checker
    loads them. Only the copy gets it: a persistent engine's log goes on."""
    size = log.tell()
    log.seek(max(0, size - 64))
    tail = log.read()
    log.seek(0, 2)
    lines = tail.split(b"\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and lines[-1].strip() == b"0" and (len(lines) > 1 or size <= 64):
        return   # (a whole line "0": the empty clause, not the end of a longer line)
    out.write(b"0\n" if not tail or tail.endswith(b"\n") else b"\n0\n")


def _json_encoder():
    """json.dumps for the lemma records, with its C encoder made once: json.dumps builds one
    per call, 40% of the time of a line (a few thousand lines per certificate). The same
    text (default separators, ASCII); json.dumps itself where the C encoder is missing."""
    from json import encoder

    def refuse(value):
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
    try:   # the arguments JSONEncoder.iterencode passes (CPython 3.6 to 3.13)
        make = encoder.c_make_encoder(None, refuse, encoder.encode_basestring_ascii, None,
                                      ": ", ", ", False, False, True)
    except TypeError:   # pragma: no cover - None (no C module), or another signature
        return json.dumps

    def dumps(record):
        return "".join(make(record, 0))
    sample = {"clause": [1, -2], "kind": "reason", "rule": None, "witness": {"w": [0.5, "é"]}}
    return dumps if dumps(sample) == json.dumps(sample) else json.dumps


_dumps = _json_encoder()


def _recorded_line(clause, kind, theory, index, rule, witness):
    """_dumps of the record {"clause", "kind", "theory", "constraint": index, "rule",
    "witness"} made of its parts (the witness by the encoder), or None when a part is not
    plain (then the record goes to the encoder whole). The same text as the encoder's:
    tests/test_certify_emit.py."""
    if not (_plain(rule) and _plain(kind) and _plain(theory) and type(witness) is dict
            and type(index) is int):
        return None
    return (f'{{"clause": [{", ".join(map(str, clause))}], "kind": "{kind}", '
            f'"theory": "{theory}", "constraint": {index}, "rule": "{rule}", '
            f'"witness": {_dumps(witness)}}}')


def _plain(word):
    """Whether `word` is a str that JSON writes as itself between quotes (lower-case ASCII
    letters, digits and underscores: the engine's kinds, theory and rule names)."""
    return type(word) is str and word.isascii() and (word.replace("_", "a").isalnum()
                                                     and word == word.lower())


# The witness text of a reason-order cycle of n literals (witness.reason_cycle), by n.
_CYCLES = {}


def _cycle_line(clause, kind, index, positions=None):
    """_dumps of the lemma record {"clause", "kind", "theory": "difference", "constraint"
    (when `index` is not None), "rule": "cycle", "witness": {"cycle": positions}} (default
    positions: [0, n-1, ..., 1]), made of its parts: json's C encoder spent as long on such
    a line as finding its witness (j30: 85% of the lemmas are these). The same text: the
    clause's literals, the positions and `index` are ints, `kind` one of the engine's words
    (no character JSON escapes); tests/test_certify_emit.py compares the two."""
    if positions is not None:
        cycle = ('"rule": "cycle", "witness": {"cycle": ['
                 + ", ".join(map(str, positions)) + "]}}")
    else:
        n = len(clause)
        cycle = _CYCLES.get(n)
        if cycle is None:
            cycle = _CYCLES[n] = ('"rule": "cycle", "witness": {"cycle": [0'
                                  + "".join(f", {k}" for k in range(n - 1, 0, -1)) + "]}}")
    constraint = "" if index is None else f'"constraint": {index}, '
    return (f'{{"clause": [{", ".join(map(str, clause))}], "kind": "{kind}", '
            f'"theory": "difference", {constraint}{cycle}')


class _Given(NamedTuple):
    """The fields of a lemma record given by the front end (Certificate.lemma)."""
    rule: "str | None"
    witness: "dict | None"
    theory: "str | None"
    constraint: "int | None"


def given(rule, witness=None, theory=None, constraint=None):
    """The `source` of a clause added through a session (`Session.add_clause(clause, kind,
    source)`) whose record the front end states itself, witness included: the clause reaches
    CaDiCaL, and its lemma line has these fields (no witness search). E.g. a static bound
    (smtsched.sched.bound_proof)."""
    return _Given(rule, witness, theory, constraint)


def write(certificate, folder, **options):
    """`certificate.write(folder, **options)` (see Certificate.write)."""
    return certificate.write(folder, **options)


def _witness_finder():
    """smtsched.certify.witness.find, or None while it does not exist."""
    try:
        from .witness import find
    except ImportError:
        return None
    return find


def _theory_name(spec):
    if isinstance(spec, DifferenceSpec):
        return "difference"
    if isinstance(spec, DisjunctiveSpec):
        return "disjunctive"
    if isinstance(spec, CumulativeSpec):
        return "cumulative"
    if isinstance(spec, CostSpec):
        return "cost"
    if isinstance(spec, (PseudoBooleanSpec, list)):
        return "pseudo_boolean"
    return None


class _Meanings:
    """What each variable means: the core's atoms, Bool variables and gates, the engine's
    atoms and fresh variables."""

    def __init__(self, cert):
        self.cert = cert
        core = cert.core
        self.atoms = {}   # var -> (spec, p, q, bound, strict)
        self.bools = {}
        self.gates = {}
        self.guards = {}  # var -> (constraint index, bound): g -> cost <= bound
        if core is not None:
            for index, spec in enumerate(core.globals):
                if isinstance(spec, CostSpec) and spec.guard is not None and spec.guard > 0:
                    self.guards[spec.guard] = (index, spec.bound)
            for spec in core.difference.values():
                for var, p, q, bound, strict in spec.atoms:
                    self.atoms[var] = (spec, p, q, bound, strict)
            for key, var in core.bool_var.items():
                self.bools[var] = _bool_name(key, core)
            self.gates = getattr(core, "gates", {})
        for var, (theory, u, v, w_true, _) in cert.atoms.items():
            if var in self.atoms:
                continue
            spec = cert._spec_of(theory)
            if isinstance(spec, DifferenceSpec):
                decoded = _decode_weight(spec, w_true)
                if decoded is not None:
                    self.atoms[var] = (spec, v, u, *decoded)
        self.atom_tuples = {var: (spec.sort, p, q, bound, strict)
                            for var, (spec, p, q, bound, strict) in self.atoms.items()}
        # atom_of(var): (sort, p, q, bound, strict) of an atom, None for another variable
        self.atom_of = self.atom_tuples.get

    def int_table(self, spec):
        """The Int atoms of `spec` as a smtsched.certify._lines.AtomTable (as witness._edge
        reads them: a strict bound lowered by one)."""
        def rows():
            for var, (atom_spec, p, q, bound, strict) in self.atoms.items():
                if atom_spec is spec:
                    if type(bound) is not int:
                        if Fraction(bound).denominator != 1:
                            continue
                        bound = int(bound)
                    yield var, p, q, bound - 1 if strict else bound
        return _lines.AtomTable(len(spec.node_names), rows())

    def write_atoms(self, out, top, keep=None):
        """atoms.txt for variables 1..top (at least; those in `keep` when given: the others
        occur nowhere in the certificate): first every variable that is not a definition, by
        number, then the definitions in the order they were made (each uses only variables
        on earlier lines). Returns the number of variables."""
        gates = self.gates
        top = max([top, *gates]) if gates else top
        out.write("# smtsched certificate: the meaning of every variable (docs/certificates.md)\n")
        fresh = self.cert.fresh_vars
        named = self.cert.names
        lines = []   # written at once: a write() per line cost more than making the lines
        atoms = self.atoms
        names = {}   # id(spec) -> the JSON of each node's name (the origin's is null)
        for var in (range(1, top + 1) if keep is None else sorted(keep)):
            if var in gates or var > top:
                continue
            atom = atoms.get(var)
            if atom is not None:
                spec, p, q, bound, strict = atom
                text = names.get(id(spec))
                if text is None:
                    text = names[id(spec)] = [_node(spec, k)
                                              for k in range(len(spec.node_names))]
                lines.append(f"{var} atom {spec.sort} {text[p]} {text[q]} "
                             f"{'<' if strict else '<='} "
                             f"{_number(bound)}\n")
            elif var in self.bools:
                lines.append(f"{var} bool {json.dumps(self.bools[var])}\n")
            elif var in self.guards:
                index, bound = self.guards[var]
                lines.append(f"{var} guard cost {index} <= {bound}\n")
            elif var in named:
                lines.append(f"{var} {named[var]}\n")
            else:
                lines.append(f"{var} fresh {_word(fresh.get(var, 'unnamed'))}\n")
        for var, (op, lits) in gates.items():
            if keep is not None and var not in keep:
                continue
            lines.append(f"{var} {op}{''.join(f' {lit}' for lit in lits)}\n")
        out.write("".join(lines))
        return top


def _json_lines(records):
    """A JSON list with one record per line: readable, and written by json's C encoder
    (json.dump with `indent` runs its pure-Python encoder: 40% of the writing time of a j30
    certificate went to constraints.json)."""
    if not records:
        return "[]\n"
    return "[\n" + ",\n".join(map(json.dumps, records)) + "\n]\n"


def _bool_name(key, core=None):
    if isinstance(key, tuple) and len(key) == 3 and key[0] == "var":
        return str(key[1])
    if isinstance(key, tuple) and len(key) == 2 and key[0] == "present" and core is not None:
        # the presence of optional task k (sched.lower): "present T", T the task's name, as
        # the checker's model reader names it (its start node is named "start T")
        spec = core.difference[INT]
        node = spec.node_of.get(("start", key[1]))
        if node is not None and spec.node_names[node].startswith("start "):
            return "present " + spec.node_names[node][len("start "):]
    return str(key)


def _node(spec, node):
    return "null" if node == 0 else json.dumps(spec.node_names[node])


def _number(value):
    if type(value) is int:   # the common case, without a Fraction
        return _decimal(value)
    value = Fraction(value)
    return _decimal(value.numerator) if value.denominator == 1 else \
        f"{_decimal(value.numerator)}/{_decimal(value.denominator)}"


def _decimal(n):
    """str(n) for an integer of any length (str() refuses past 4,300 digits, CPython's guard
    against quadratic conversion; an input may hold such constants)."""
    try:
        return str(n)
    except ValueError:
        pass
    sign, n = ("-", -n) if n < 0 else ("", n)
    chunks = []
    while n:
        n, low = divmod(n, 10 ** 4000)
        chunks.append(low)
    text = str(chunks.pop())
    return sign + text + "".join(str(c).rjust(4000, "0") for c in reversed(chunks))


def _word(why):
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in str(why)) or "unnamed"


def _decode_weight(spec, w_true):
    """(bound, strict) of an atom the engine made with the integer weight `w_true` of the
    spec's theory (DifferenceSpec.edge_weights backwards), or None."""
    if spec.sort == INT:
        return int(w_true), False
    scale = getattr(spec, "scale_cache", None)
    if scale is None:
        return None
    denominators, separation = scale
    strict = w_true % separation != 0
    base = (w_true + 1) // separation if strict else w_true // separation
    if base * separation - (1 if strict else 0) != w_true:
        return None
    return Fraction(base, denominators), strict


class _Constraints:
    """constraints.json: the core's global constraints in order, then its pseudo-Boolean
    rows (with the keys the front end gave, Certificate.describe_row), then the records of
    the input lemmas; `index(spec)` is a spec's position (None for one not listed)."""

    def __init__(self, core, cert=None):
        self.records = []
        self.position = {}
        if core is None:
            return
        names = core.difference[INT].node_names
        for spec in core.globals:
            self.position[id(spec)] = len(self.records)
            self.records.append(_constraint_record(spec, names, len(self.records)))
        # the resources with optional tasks (sched.lower._optional_pairs: their pairs are
        # guarded clauses and no theory watches them; their cuts name them): each task's
        # presence Boolean, by name, with the task
        optional = getattr(core, "optional_globals", ())
        key_of = {v: k for k, v in core.bool_var.items()} if optional else {}
        for spec, presences in optional:
            self.position[id(spec)] = len(self.records)
            record = _constraint_record(spec, names, len(self.records))
            for task, var in zip(record["tasks"], presences):
                if var:
                    task["present"] = _bool_name(key_of.get(var), core)
            self.records.append(record)
        fields = {} if cert is None else cert.row_fields
        for spec in core.pseudo_boolean:
            self.position[id(spec)] = len(self.records)
            record = {"kind": "pseudo_boolean", "name": f"pb{len(self.records)}",
                      "literals": list(spec.literals), "weights": list(spec.weights),
                      "bound": spec.bound}
            described = fields.get(id(spec))
            if described is not None and described[0] is spec:
                record.update(described[1])
            self.records.append(record)
        for _, _, _, extra in (() if cert is None else cert.input_lemmas):
            if extra is not None:
                self.position[id(extra)] = len(self.records)
                self.records.append(dict(extra, name=extra.get("name")
                                         or f"pb{len(self.records)}"))

    def index(self, spec):
        return None if spec is None else self.position.get(id(spec))

    def index_of_record(self, record):
        """The position of an input lemma's record."""
        return self.position[id(record)]


def _constraint_record(spec, names, index):
    def start(node):
        return None if node == 0 else names[node]
    if isinstance(spec, DisjunctiveSpec):
        return {"kind": "disjunctive", "name": f"disjunctive{index}",
                "tasks": [{"start": start(t.node), "duration": t.duration} for t in spec.tasks]}
    if isinstance(spec, CumulativeSpec):
        return {"kind": "cumulative", "name": f"cumulative{index}", "capacity": spec.capacity,
                "tasks": [{"start": start(t.node), "duration": t.duration, "demand": t.demand}
                          for t in spec.tasks]}
    if isinstance(spec, CostSpec):
        def task(t):
            return {"start": start(t.node), "duration": t.duration, "weight": t.weight,
                    "due": t.due}
        record = {"kind": "cost", "name": f"cost{index}", "bound": spec.bound,
                  "guard": spec.guard, "tasks": [task(t) for t in spec.tasks]}
        # minimize_weighted_sum's more terms (docs/certificates.md, cost records)
        if spec.steps:
            record["steps"] = [task(t) for t in spec.steps]
        if spec.groups:
            record["groups"] = [{"weight": w, "members": [task(t) for t in members]}
                                for w, members in spec.groups]
        if spec.literals:
            record["literals"] = [{"literal": lit, "weight": w} for lit, w in spec.literals]
        return record
    return {"kind": type(spec).__name__, "name": f"constraint{index}",
            "note": "no checker rule"}


def _input_record(given, folder):
    if given is None:
        return None
    record = dict(given)
    if "sha256" not in record:
        path = record.get("file")
        if path is not None and not os.path.isabs(path) and not os.path.exists(path):
            path = os.path.join(folder, path)
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        record["sha256"] = digest.hexdigest()
    return record


def _versions():
    # the package is loaded already (this module is inside it); importing it here would
    # make an import circle (smtsched -> solver -> certify.emit -> smtsched)
    __version__ = getattr(sys.modules.get("smtsched"), "__version__", None)
    try:
        import pysat
        pysat_version = pysat.__version__
    except (ImportError, AttributeError):
        pysat_version = None
    return {"smtsched": __version__, "cadical": "1.9.5", "pysat": pysat_version}


# -- CaDiCaL's binary DRAT to text DRUP --------------------------------------------------------

class _BinaryDecoder:
    """Streams CaDiCaL's binary proof encoding ('a' or 'd', then each literal as the 7-bit
    little-endian varint of 2*var + sign, then a 0 byte) into text DRUP lines, chunk by chunk
    (a clause may straddle two chunks)."""

    def __init__(self, out):
        self.out = out          # a binary file
        self.line = None        # the clause being read: its tokens so far, None between
        self.value = 0
        self.shift = 0

    def feed_file(self, file, chunk_size=1 << 20):
        while True:
            chunk = file.read(chunk_size)
            if not chunk:
                return
            self.feed(chunk)

    def feed(self, data):
        lines = []
        line, value, shift = self.line, self.value, self.shift
        for byte in data:
            if line is None:
                if byte == 0x61:
                    line = []
                elif byte == 0x64:
                    line = ["d"]
                else:
                    raise ValueError(f"binary proof: a clause starts with byte {byte}, "
                                     "not 'a' or 'd'")
            elif byte == 0:
                line.append("0")
                lines.append(" ".join(line))
                line = None
            else:
                value |= (byte & 0x7F) << shift
                if byte & 0x80:
                    shift += 7
                else:
                    line.append(str(-(value >> 1) if value & 1 else value >> 1))
                    value = shift = 0
        self.line, self.value, self.shift = line, value, shift
        if lines:
            self.out.write(("\n".join(lines) + "\n").encode())


def decode_binary_proof(data):
    """The text DRUP lines of CaDiCaL's binary proof `data` (bytes), for tests and tools."""
    import io
    out = io.BytesIO()
    _BinaryDecoder(out).feed(data)
    return out.getvalue().decode().splitlines()
