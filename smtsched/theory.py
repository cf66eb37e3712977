"""The contract between the DPLL(T) engine and a theory solver, written down once.

The engine (`smtsched.engine`) is the only code that talks to PySAT. A theory owns a set of SAT
variables (its atoms) and is driven by the engine through the methods below, in the order the
IPASIR-UP interface of CaDiCaL 1.9.5 calls them (Fazekas, Niemetz, Preiner, Kirchweger, Szeider,
Biere: "IPASIR-UP: User Propagators for CDCL", SAT 2023). Both implementations of a theory (the
Cython one and its pure-Python `*_ref.py` twin) honour exactly this contract, and the tests drive
them side by side through it.

Literals are DIMACS integers: `v` is "atom v is true", `-v` is "atom v is false".

``observed() -> list[int]``
    The SAT variables the theory owns. The engine observes exactly these, before solving
    (and each atom added later, at once).

``assign(lit, fixed)``
    An owned literal became true. Called in trail order. `fixed` marks a root-level (permanent)
    assignment. The solver may notify a literal again when it becomes fixed; that is not a new
    assignment. The theory may only queue work here: the real work happens in `propagate`.

``new_level()`` / ``backtrack(level)``
    A decision level was opened / every level above `level` is undone. After `backtrack(l)`
    the theory is exactly as it was when level `l` was current, except that literals that became
    fixed stay asserted.

``level() -> int``
    The number of open decision levels (0 at the root).

``propagate() -> list[int] | None``
    Process the queued assignments. Returns the owned, currently unassigned literals that the
    theory implies (possibly ``[]``), or ``None`` when the assignments are inconsistent; the
    conflict clause (every literal false now) is then available from ``conflict()``. After a
    conflict the theory answers ``[]`` until the next ``backtrack``.

``conflict() -> list[int]``
    The clause explaining the last inconsistency found by `propagate` or `final_check`.

``explain(lit) -> list[int]``
    The reason for a literal the theory returned from `propagate` and which is still assigned:
    a clause whose first literal is `lit` and whose other literals were all false when `lit`
    was propagated (so they are earlier on the trail). Only called by conflict analysis.

``propagates_foreign`` / ``offers_fresh`` (global theories)
    A theory that owns no variables may propagate literals the difference theory owns (a
    scheduling propagator sets ordering atoms): it sets ``propagates_foreign = True`` and
    never returns a literal that is already true (it asks the owner's ``literal_value(lit)``).
    The engine hands CaDiCaL only the first offer of a variable in one round (`claim`), unless
    the theory says ``offers_fresh = True``: it then skips itself every literal the owner
    implied, in this round or before. Either way the engine remembers, for each literal
    CaDiCaL got, one theory that offered it in that round (its origin: the first foreign
    propagator that did, else the owner) and asks that theory, and only it, for the reason.
    So a theory explains every literal it returned while the level it returned it at is
    open, even one the engine did not pass on because an earlier theory offered it too.

``final_check() -> bool``
    Every owned variable is assigned. True when the theory agrees with the assignment; False
    when not, with the clause in ``conflict()``. Exact: no floating point anywhere.

``values() -> list``
    After `final_check` accepted: the theory's model, which the front end maps back to the
    user's variables (for difference logic: one integer potential per node, origin at 0).

``distance(u, v)`` / ``path_literals(u, v)`` / ``literal_value(lit)`` (difference logic only)
    Bound queries for theories that reason on the time bounds of the graph: the tightest
    bound on x_v - x_u implied by the active edges (None when unbounded), and the literals of a
    shortest path that gives it (its reason). Asked after `propagate`. `literal_value`: 1 / -1
    / 0 for an owned literal that is true / false / unassigned.

``add_atom(var, u, v, w_true, w_false)`` (difference logic only)
    Own the fresh SAT variable `var` (true: x_v - x_u <= w_true; false: x_u - x_v <= w_false).
    Before the search, or between two searches of a persistent engine at level 0, where the
    atom is permanent (z3's rule for atoms made at the base scope, `theory_diff_logic.h`); an
    atom the level-0 edges already imply comes out of the next `propagate`.

``statistics() -> dict[str, int]``
    Counters with stable names, deterministic for the same input and seed (no timings).

``record_witnesses`` / ``last_witness()`` (optional; global theories that know their argument)
    For certificates (docs/certificates.md, "The rules"): when a proof is logged the proof
    sink sets ``record_witnesses = True``, and right after each `conflict()` or
    `explain(lit)` asks ``last_witness()`` for that clause's (rule, witness), or None when
    the theory has none for it. The disjunctive and cumulative theories give `energy` and
    `clique` witnesses (theories/global_ref.py says how); a theory without them is left to
    the emitter's witness finder (smtsched/certify/witness.py).

Between two searches of one persistent engine the theory keeps its state: CaDiCaL 1.9.5
keeps its trail after `solve()` and backtracks (`backtrack`) when the next search starts or
when a clause is added, so a theory must not assume level 0 at the start of a search.

In code the contract is `Theory` below: the required methods are abstract, the optional parts
are declared with their defaults. The reference twins (`theories/*_ref.py`) subclass it. A
compiled theory is a cdef class, which cannot derive from a Python class (Cython's
`cdef_classes` tutorial), so it derives from the cdef class `CompiledTheory` (ext/contract.pyx),
which holds the same defaults and is registered with `Theory.register` (the pattern of
aio-libs/multidict's `_abc.py` and frozenlist); the test tests/test_theory_contract.py checks
that each one has every name of `CONTRACT`, tests/test_ext.py that the defaults agree.

Theories never see terms, files or scheduling vocabulary: the compiler hands them integer
node indices, integer weights and SAT variables.
"""

import abc
import os

from .switches import choice


class Theory(abc.ABC):
    """The engine<->theory contract (see the module docstring for each method's meaning)."""

    #: the theory may return literals that another theory owns (foreign literals)
    propagates_foreign = False
    #: a foreign propagator that never offers a literal the owner implied already (in this
    #: round or before), so the engine need not filter its offers
    offers_fresh = False

    @abc.abstractmethod
    def observed(self):
        """The SAT variables the theory owns."""

    @abc.abstractmethod
    def assign(self, lit, fixed):
        """Owned literal `lit` became true (`fixed`: at the root, for good)."""

    @abc.abstractmethod
    def new_level(self):
        """A decision level was opened."""

    @abc.abstractmethod
    def backtrack(self, level):
        """Every level above `level` is undone."""

    @abc.abstractmethod
    def level(self):
        """The number of open decision levels."""

    @abc.abstractmethod
    def propagate(self):
        """The implied literals ([] if none), or None on a conflict (see `conflict`)."""

    @abc.abstractmethod
    def conflict(self):
        """The clause of the last conflict (every literal false now)."""

    @abc.abstractmethod
    def explain(self, lit):
        """The reason clause of a literal this theory returned from `propagate`."""

    @abc.abstractmethod
    def final_check(self):
        """Whether the complete assignment is consistent (else a clause in `conflict`)."""

    @abc.abstractmethod
    def values(self):
        """The theory's model, after `final_check` accepted."""

    def statistics(self):
        """Counters with stable names, deterministic for the same input and seed."""
        return {}

    def literal_value(self, lit):
        """1 / -1 / 0: owned literal `lit` is true / false / unassigned (difference logic)."""
        raise NotImplementedError(f"{type(self).__name__} answers no literal values")

    def distance(self, u, v):
        """The tightest bound on x_v - x_u, or None (difference logic)."""
        raise NotImplementedError(f"{type(self).__name__} has no graph distances")

    def path_literals(self, u, v):
        """The true literals of a shortest path u ~> v (difference logic)."""
        raise NotImplementedError(f"{type(self).__name__} has no graph paths")

    def add_atom(self, var, u, v, w_true, w_false):
        """Own fresh variable `var` as a difference atom (difference logic)."""
        raise NotImplementedError(f"{type(self).__name__} takes no difference atoms")


#: every name of the contract, required and optional: each theory class has all of them
CONTRACT = ("observed", "assign", "new_level", "backtrack", "level", "propagate", "conflict",
            "explain", "final_check", "values", "statistics", "propagates_foreign",
            "offers_fresh", "literal_value", "distance", "path_literals", "add_atom")


# SMTSCHED_PUREPYTHON=1 selects the pure-Python reference theories (as msgpack's
# MSGPACK_PUREPYTHON does); otherwise the compiled ones, and their absence is an error rather
# than a silent hundredfold slowdown.
PURE_PYTHON = os.environ.get("SMTSCHED_PUREPYTHON") == "1"


def difference_logic_class():
    """The DifferenceLogic implementation to use: compiled unless pure Python was asked for."""
    if PURE_PYTHON:
        from smtsched.theories.difference_ref import DifferenceLogic

        return DifferenceLogic
    try:
        from smtsched.theories.difference import DifferenceLogic
    except ImportError as error:
        raise ImportError(
            "smtsched's compiled theories are not importable. If this Python imports smtsched "
            "from its source checkout (the current directory is the checkout root), run from "
            "another directory or install with `pip install -e .`; to run without compiled "
            "code, set SMTSCHED_PUREPYTHON=1.") from error
    return DifferenceLogic


# SMTSCHED_DIFFERENCE=dense or =sparse forces one of the two compiled difference theories
# (or, with SMTSCHED_PUREPYTHON=1, of their references) for every graph, as
# SMTSCHED_PUREPYTHON forces the references; unset (or "auto"), the factory picks by size
# (sparse_difference_wanted). Read once here; tests set the module attribute. Another value
# is named on standard error and ignored (auto): a misspelt switch must not turn every
# command into a traceback.
DIFFERENCE = choice("SMTSCHED_DIFFERENCE", ("auto", "dense", "sparse"))

#: above this many nodes (variables and the origin) the sparse theory is chosen. Measured
#: on bench/random_dl's formulas: the dense matrix's complete propagation wins up to 320
#: nodes (1.4-2.3x faster), the sparse theory from 640 (1.8x and more; the dense one timed
#: out at 20 s where the sparse one answered in 9 s); on the job shops and j30 of 100-300
#: nodes the two are even (refutations of optimum - 1: within 30% either way). The dense
#: theory refuses graphs above its MAX_NODES (2,048) anyway.
SPARSE_NODES = 512


def sparse_difference_wanted(num_nodes):
    """Whether a difference graph of `num_nodes` nodes gets the sparse theory."""
    if DIFFERENCE == "sparse":
        return True
    if DIFFERENCE == "dense":
        return False
    return num_nodes > SPARSE_NODES


def sparse_difference_class():
    """The sparse difference theory: compiled unless pure Python was asked for."""
    if PURE_PYTHON:
        from smtsched.theories.sparse_difference_ref import SparseDifferenceLogic
        return SparseDifferenceLogic
    from smtsched.theories.sparse_difference import SparseDifferenceLogic
    return SparseDifferenceLogic


def pseudo_boolean_class():
    """The PseudoBooleanLogic implementation to use: compiled unless pure Python was asked for
    or it is not built (it came after the others: an older build lacks it and still runs)."""
    if not PURE_PYTHON:
        try:
            from smtsched.theories.pseudo_boolean import PseudoBooleanLogic
            return PseudoBooleanLogic
        except ImportError:
            pass
    from smtsched.theories.pseudo_boolean_ref import PseudoBooleanLogic
    return PseudoBooleanLogic
