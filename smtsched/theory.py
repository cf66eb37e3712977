"""The contract between the DPLL(T) engine and a theory solver, written down once.

The engine (`smtsched.engine`) is the only code that talks to PySAT. A theory owns a set of SAT
variables (its atoms) and is driven by the engine through the methods below, in the order the
IPASIR-UP interface of CaDiCaL 1.9.5 calls them (Fazekas, Niemetz, Preiner, Kirchweger, Szeider,
Biere: "IPASIR-UP: User Propagators for CDCL", SAT 2023). Both implementations of a theory (the
Cython one and its pure-Python `*_ref.py` twin) honour exactly this contract, and the tests drive
them side by side through it.

Literals are DIMACS integers: `v` is "atom v is true", `-v` is "atom v is false".

``observed() -> list[int]``
    The SAT variables the theory owns. The engine observes exactly these, before solving.

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

``propagates_foreign`` / ``holds_reason(lit) -> bool`` (global theories)
    A theory that owns no variables may propagate literals the difference theory owns (a
    scheduling propagator sets ordering atoms): it sets ``propagates_foreign = True``, never
    returns a literal that is already true (it asks the owner's ``literal_value(lit)``), and
    answers ``holds_reason(lit)`` while it has a reason for a literal it propagated at a level
    still open; the engine asks such a theory for that literal's reason first.

``final_check() -> bool``
    Every owned variable is assigned. True when the theory agrees with the assignment; False
    when not, with the clause in ``conflict()``. Exact: no floating point anywhere.

``values() -> list``
    After `final_check` accepted: the theory's model, which the front end maps back to the
    user's variables (for difference logic: one integer potential per node, origin at 0).

``distance(u, v)`` / ``path_literals(u, v)`` / ``literal_value(lit)`` (difference logic only)
    Bound queries for theories that reason on the time bounds of the graph: the tightest
    bound on x_v - x_u implied by the active edges (None when unbounded), and the literals of a
    shortest path that gives it (its reason). Asked after `propagate`.

``statistics() -> dict[str, int]``
    Counters with stable names, deterministic for the same input and seed (no timings).

Theories never see terms, files or scheduling vocabulary: the compiler hands them integer
node indices, integer weights and SAT variables.
"""

import os

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
