"""The theory contract in code (smtsched/theory.py, class `Theory`): every theory, compiled and
reference, is a Theory and has every name of the contract; each pair of twins offers the same
public methods; the optional parts have their documented defaults."""
import importlib
import os

import pytest

from smtsched.theory import CONTRACT, Theory

# (reference module, compiled module, class name): every theory smtsched has
THEORIES = [
    ("difference_ref", "difference", "DifferenceLogic"),
    ("sparse_difference_ref", "sparse_difference", "SparseDifferenceLogic"),
    ("pseudo_boolean_ref", "pseudo_boolean", "PseudoBooleanLogic"),
    ("disjunctive_ref", "disjunctive", "DisjunctiveLogic"),
    ("cumulative_ref", "cumulative", "CumulativeLogic"),
    ("cost_ref", "cost", "CostLogic"),
    ("memory_ref", "memory", "MemoryLogic"),
]


def reference(module, name):
    return getattr(importlib.import_module(f"smtsched.theories.{module}"), name)


def compiled(module, name):
    # Only a pure-Python install skips: a built extension that fails to import is a failure.
    if os.environ.get("SMTSCHED_PUREPYTHON") == "1":
        pytest.skip("the Cython extensions are not built (pure-Python install)")
    return getattr(importlib.import_module(f"smtsched.theories.{module}"), name)


def public_methods(cls):
    return {name for name in dir(cls)
            if not name.startswith("_") and callable(getattr(cls, name))}


@pytest.mark.parametrize("ref_module, compiled_module, name", THEORIES)
@pytest.mark.parametrize("kind", ["reference", "compiled"])
def test_every_theory_is_a_theory_with_every_contract_name(kind, ref_module, compiled_module,
                                                           name):
    cls = reference(ref_module, name) if kind == "reference" else compiled(compiled_module, name)
    assert issubclass(cls, Theory)
    missing = [part for part in CONTRACT if not hasattr(cls, part)]
    assert not missing, f"{cls.__module__}.{name} lacks {missing}"


@pytest.mark.parametrize("ref_module, compiled_module, name", THEORIES)
def test_twins_offer_the_same_public_methods(ref_module, compiled_module, name):
    slow, fast = reference(ref_module, name), compiled(compiled_module, name)
    assert public_methods(slow) == public_methods(fast)


def test_reference_twins_inherit_from_theory_and_compiled_ones_are_registered():
    # a cdef class cannot derive from a Python class: registered (the multidict pattern)
    assert Theory in reference("difference_ref", "DifferenceLogic").__mro__
    fast = compiled("difference", "DifferenceLogic")
    assert Theory not in fast.__mro__ and issubclass(fast, Theory)


class Minimal(Theory):
    """The required methods only."""

    def observed(self):
        return []

    def assign(self, lit, fixed):
        pass

    def new_level(self):
        pass

    def backtrack(self, level):
        pass

    def level(self):
        return 0

    def propagate(self):
        return []

    def conflict(self):
        return []

    def explain(self, lit):
        return [lit]

    def final_check(self):
        return True

    def values(self):
        return []


def test_optional_parts_have_their_documented_defaults():
    theory = Minimal()
    assert theory.propagates_foreign is False and theory.offers_fresh is False
    assert theory.statistics() == {}
    for call in (lambda: theory.literal_value(1), lambda: theory.distance(0, 1),
                 lambda: theory.path_literals(0, 1), lambda: theory.add_atom(1, 0, 1, 0, -1)):
        with pytest.raises(NotImplementedError):
            call()


def test_a_theory_missing_a_required_method_cannot_be_made():
    class NoPropagate(Minimal):
        propagate = None

    del NoPropagate.propagate
    Incomplete = type("Incomplete", (Theory,), {
        name: getattr(Minimal, name) for name in ("observed", "assign", "new_level",
                                                  "backtrack", "level", "conflict", "explain",
                                                  "final_check", "values")})
    with pytest.raises(TypeError, match="propagate"):
        Incomplete()


@pytest.mark.parametrize("kind", ["reference", "compiled"])
def test_global_theories_default_what_only_difference_logic_answers(kind):
    get = reference if kind == "reference" else compiled
    graph = get("difference_ref" if kind == "reference" else "difference", "DifferenceLogic")(3)
    graph.add_atom(1, 1, 2, -2, 1)
    disjunctive = get("disjunctive_ref" if kind == "reference" else "disjunctive",
                      "DisjunctiveLogic")(graph, [(1, 2), (2, 2)], {(0, 1): 1})
    cost = get("cost_ref" if kind == "reference" else "cost", "CostLogic")(
        graph, [(1, 2, 1, None)], 10)
    assert disjunctive.propagates_foreign is True and disjunctive.offers_fresh is False
    assert cost.propagates_foreign is False
    for theory in (disjunctive, cost):
        with pytest.raises(NotImplementedError):
            theory.literal_value(1)
        with pytest.raises(NotImplementedError):
            theory.distance(0, 1)
        with pytest.raises(NotImplementedError):
            theory.add_atom(2, 0, 1, 0, -1)
    # the difference theory answers them
    assert graph.literal_value(1) == 0 and graph.distance(0, 1) is None
