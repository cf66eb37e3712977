"""ext/: the Cython blocks the compiled theories share (issue 20), and the theories built from
the typed specs.

* contract.pyx: CompiledTheory holds the contract's optional parts once, with smtsched.theory
  Theory's defaults, and is registered with Theory; every compiled theory derives from it and
  none repeats a default (or registers itself) any more.
* scope.pxd / csr.pxd / bounds.pxd are inline blocks: tested through the theories that use
  them (levels, occurrence lists, task windows read from the matrix), on both twins.
* The factory hands a CumulativeSpec's bound literals to either twin by keyword; no theory
  reads ("at least", k, v) keys out of `order` any more.
"""
import os
import re

import importlib
import pytest

from smtsched.core import CumulativeSpec
from smtsched.core.factory import global_theory
from smtsched.core.specs import CumulativeOptions, DemandTask
from smtsched.theories import cumulative_ref, difference_ref, pseudo_boolean_ref
from smtsched.theory import CONTRACT, Theory

# Only a pure-Python install skips: a built extension that fails to import is a failure.
if os.environ.get("SMTSCHED_PUREPYTHON") == "1":
    pytest.skip("the Cython extensions are not built (pure-Python install)",
                allow_module_level=True)
contract = importlib.import_module("smtsched.ext.contract")
compiled_dl = importlib.import_module("smtsched.theories.difference")
compiled_pb = importlib.import_module("smtsched.theories.pseudo_boolean")
compiled_cumulative = importlib.import_module("smtsched.theories.cumulative")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMPILED = [("difference", "DifferenceLogic"), ("global_theory", "GlobalTheory"),
            ("disjunctive", "DisjunctiveLogic"), ("cumulative", "CumulativeLogic"),
            ("cost", "CostLogic"), ("pseudo_boolean", "PseudoBooleanLogic")]


class Bare(Theory):
    """Theory with only the required methods: its optional parts are the defaults."""
    def observed(self): return []
    def assign(self, lit, fixed): pass
    def new_level(self): pass
    def backtrack(self, level): pass
    def level(self): return 0
    def propagate(self): return []
    def conflict(self): return []
    def explain(self, lit): return [lit]
    def final_check(self): return True
    def values(self): return []


def answer(call):
    try:
        return ("value", call())
    except NotImplementedError:
        return ("raises", None)


def test_compiled_defaults_are_the_theory_defaults():
    compiled, reference = contract.CompiledTheory(), Bare()
    assert isinstance(compiled, Theory)
    for name in ("propagates_foreign", "offers_fresh"):
        assert getattr(compiled, name) is getattr(reference, name) is False
    calls = {"statistics": (), "literal_value": (1,), "distance": (0, 1),
             "path_literals": (0, 1), "add_atom": (1, 0, 1, 0, -1)}
    for name, args in calls.items():
        assert (answer(lambda: getattr(compiled, name)(*args))
                == answer(lambda: getattr(reference, name)(*args))), name


@pytest.mark.parametrize("module, name", COMPILED)
def test_every_compiled_theory_takes_the_defaults_from_ext(module, name):
    theory_class = getattr(importlib.import_module(f"smtsched.theories.{module}"), name)
    assert issubclass(theory_class, contract.CompiledTheory)
    assert issubclass(theory_class, Theory)
    if name != "GlobalTheory":   # the global theories' base leaves propagate etc. to them
        assert not [part for part in CONTRACT if not hasattr(theory_class, part)]


def test_no_compiled_theory_repeats_a_default_or_parses_tuple_keys():
    repeated = re.compile(r"raise NotImplementedError|^\s*offers_fresh = False|"
                          r"^\s*propagates_foreign = False|Theory\.register|len\(key\) == 3",
                          re.MULTILINE)
    sources = sorted(name for name in os.listdir(os.path.join(ROOT, "theories"))
                     if name.endswith((".pyx", ".pxd")))
    assert sources
    found = {}
    for name in sources:
        with open(os.path.join(ROOT, "theories", name)) as handle:
            hits = repeated.findall(handle.read())
        if hits:
            found[name] = hits
    assert found == {}
    with open(os.path.join(ROOT, "theories", "cumulative_ref.py")) as handle:
        assert "len(key) == 3" not in handle.read()


@pytest.mark.parametrize("graph_class", [compiled_dl.DifferenceLogic,
                                         difference_ref.DifferenceLogic])
def test_levels_open_and_close_as_scopes(graph_class):
    # ext/scope.pxd: one Scope per open level; a backtrack to the current level changes
    # nothing, one below drops the scopes above it and what was assigned under them
    graph = graph_class(3)
    graph.add_atom(1, 1, 2, 0, -1)
    for depth in range(1, 4):
        graph.new_level()
        assert graph.level() == depth
    graph.backtrack(3)
    assert graph.level() == 3
    graph.assign(1, False)
    assert graph.propagate() == []
    graph.backtrack(1)
    assert graph.level() == 1 and graph.literal_value(1) == 0
    graph.backtrack(0)
    assert graph.level() == 0


@pytest.mark.parametrize("pb_class", [compiled_pb.PseudoBooleanLogic,
                                      pseudo_boolean_ref.PseudoBooleanLogic])
def test_pseudo_boolean_marks_are_cleared_with_their_level(pb_class):
    # at most one of 1, 2, 3: x1 at level 1 implies -2 and -3 (marked with the level);
    # undone, they are unmarked (explaining them is an error) and are implied again later
    theory = pb_class([([1, 2, 3], [1, 1, 1], 1)])
    theory.new_level()
    theory.assign(1, False)
    assert sorted(theory.propagate()) == [-3, -2]
    assert theory.explain(-2) == [-2, -1]
    theory.backtrack(0)
    assert theory.level() == 0
    with pytest.raises(ValueError):
        theory.explain(-2)
    theory.new_level()
    theory.assign(2, False)
    assert sorted(theory.propagate()) == [-3, -1]


def two_tasks_with_windows(graph_class):
    """Two tasks (duration 2, demand 1, capacity 1) on nodes 1 and 2, starts in [0, 4], with
    the bound literals start_k >= v (v = 1..4) as atoms 10.. of the origin's row."""
    graph = graph_class(3)
    graph.add_atom(1, 0, 1, 4, -5)    # x1 - x0 <= 4, else x0 - x1 <= -5
    graph.add_atom(2, 1, 0, 0, -1)    # x0 - x1 <= 0 (x1 >= 0), else x1 - x0 <= -1
    graph.add_atom(3, 0, 2, 4, -5)
    graph.add_atom(4, 2, 0, 0, -1)
    graph.add_atom(5, 2, 1, -2, 1)    # task 0 ends before task 1 starts: x1 - x2 <= -2
    graph.add_atom(6, 1, 2, -2, 1)    # task 1 ends before task 0 starts
    bounds = {}
    var = 10
    for k, node in enumerate((1, 2)):
        for v in range(1, 5):
            graph.add_atom(var, node, 0, -v, v - 1)   # x_node >= v, else x_node <= v - 1
            bounds[(k, v)] = var
            var += 1
    return graph, bounds


@pytest.mark.parametrize("graph_class", [compiled_dl.DifferenceLogic,
                                         difference_ref.DifferenceLogic])
def test_the_factory_passes_bound_literals_apart_from_the_order(graph_class):
    graph, bounds = two_tasks_with_windows(graph_class)
    tasks = [DemandTask(1, 2, 1), DemandTask(2, 2, 1)]
    order = {(0, 1): 5, (1, 0): 6}
    spec = CumulativeSpec(tasks, 1, order, bounds, CumulativeOptions())
    theory = global_theory(graph, spec)
    expected = (compiled_cumulative.CumulativeLogic if graph_class is compiled_dl.DifferenceLogic
                else cumulative_ref.CumulativeLogic)
    assert type(theory) is expected
    # filtering through the bound literals, and the "auto" explanation is pointwise then
    assert theory.filtering and theory.propagates_foreign and not theory.ordering_cuts
    # without bound literals: no filtering, ordering cuts
    plain = global_theory(graph_class(3), CumulativeSpec(tasks, 1, order))
    assert not plain.filtering and not plain.propagates_foreign and plain.ordering_cuts
    # a tuple key of the old form is no longer read out of `order`
    with pytest.raises((ValueError, TypeError)):
        global_theory(graph_class(3), CumulativeSpec(tasks, 1, {**order, ("at least", 0, 1): 10}))
