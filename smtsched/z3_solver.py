"""The Solver that `smtsched` exports: smtsched.solver.Solver with z3's from_file and
from_string, which read SMT-LIB through smtsched's front end (smtsched.smtlib). They live in
this subclass because the front end itself runs on smtsched.solver.Solver: the base class
importing it would close an import circle (tests/test_import_graph.py)."""
from . import solver


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
