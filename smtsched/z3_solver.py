"""The Solver that `smtsched` exports: smtsched.solver.Solver with z3's from_file and
from_string, which read SMT-LIB through smtsched's front end (smtsched.smtlib). They live in
this subclass because the front end itself runs on smtsched.solver.Solver: the base class
importing it would close an import circle (tests/test_import_graph.py)."""
from . import solver
from .errors import UnsupportedError


class Solver(solver.Solver):
    __doc__ = solver.Solver.__doc__

    def model(self):
        """The model of the last sat check, with z3's conventions (smtsched.z3_model)."""
        from .z3_model import as_z3_model
        return as_z3_model(super().model())

    def statistics(self):
        """The counters of the last check as z3's Statistics (smtsched.z3_statistics)."""
        from .z3_statistics import Statistics
        return Statistics(super().statistics())

    def reason_unknown(self):
        """As z3's: the reason of an unknown answer; "" after sat, "unknown" before any check
        and after unsat (what z3 4.x/5.x answers there)."""
        if self._last_status is None or str(self._last_status) == "unsat":
            return "unknown"
        return super().reason_unknown()

    def from_file(self, filename):
        """Add the assertions of an SMT-LIB file (read by smtsched's SMT-LIB front end)."""
        with open(filename, "rb") as source:
            self.from_string(source.read())

    def from_string(self, text):
        """Add the assertions of an SMT-LIB script (its commands other than declarations,
        definitions and assertions are skipped, as z3 does)."""
        from .smtlib.assertions import read_assertions
        assertions, _ = read_assertions(text)
        self.add(*assertions)

    def to_smt2(self):
        """The assertions as an SMT-LIB benchmark with z3's header and (assert ...) layout.
        Not z3's text exactly: declarations come in smtsched's order (z3: creation order) and
        long assertions are not broken over lines as z3's SMT-LIB printer breaks them."""
        rows = ["; benchmark generated from python API", "(set-info :status unknown)"]
        for line in self.sexpr().splitlines():
            if line.startswith("(assert "):
                rows.append("(assert\n " + line[len("(assert "):])
            else:
                rows.append(line)
        return "\n".join(rows) + "\n(check-sat)\n"

    def _refused(name):
        def method(self, *args, **keywords):
            raise UnsupportedError(f"Solver.{name}(): not available in smtsched")
        method.__name__ = name
        return method

    units = _refused("units")
    non_units = _refused("non_units")
    trail = _refused("trail")
    consequences = _refused("consequences")
    cube = _refused("cube")
    translate = _refused("translate")
    del _refused
