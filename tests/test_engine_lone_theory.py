"""The engine's path for one theory that owns every observed variable (Bridge.lone): its
propagate() answer goes to CaDiCaL as it is at an open level, while a conflict and a root
implication still take the general path (the conflict clause is queued; a root implication
becomes a unit clause, not a propagated literal); `decide` and `has_clause` answer without
a Python frame and say the same as before (no decision of ours; whether a clause waits)."""
from smtsched.engine import Bridge
from smtsched.theory import Theory


class Scripted(Theory):
    """A theory owning variables 1..3 whose propagate() answers come from a script."""

    def __init__(self, answers, conflict=None):
        self.answers = list(answers)
        self.conflict_clause = conflict or []
        self.levels = 0

    def observed(self):
        return [1, 2, 3]

    def assign(self, lit, fixed):
        pass

    def new_level(self):
        self.levels += 1

    def backtrack(self, level):
        self.levels = level

    def level(self):
        return self.levels

    def propagate(self):
        return self.answers.pop(0)

    def conflict(self):
        return list(self.conflict_clause)

    def explain(self, lit):
        return [lit, -1]

    def final_check(self):
        return True

    def values(self):
        return []


def test_an_open_levels_implications_are_returned_and_counted():
    theory = Scripted([[2, -3], []])
    bridge = Bridge([theory], 3)
    assert bridge.lone is theory
    theory.new_level()
    assert bridge.propagate() == [2, -3]
    assert bridge.propagate() == []
    assert bridge.counters["engine_propagated"] == 2
    assert not bridge.has_clause()


def test_a_conflict_is_queued_as_a_clause_and_nothing_is_returned():
    theory = Scripted([None], conflict=[-1, -2])
    bridge = Bridge([theory], 3)
    theory.new_level()
    assert bridge.propagate() == []
    assert bridge.has_clause()
    assert bridge.add_clause() == [-1, -2]
    assert not bridge.has_clause()
    assert bridge.counters["engine_theory_conflicts"] == 1


def test_a_root_implication_becomes_a_unit_clause():
    theory = Scripted([[3]])
    bridge = Bridge([theory], 3)
    assert bridge.propagate() == []
    assert bridge.add_clause() == [3]
    assert bridge.counters["engine_root_implications"] == 1


def test_decide_leaves_the_choice_to_cadical():
    bridge = Bridge([Scripted([])], 3)
    assert bridge.decide() == 0
    checked = Bridge([Scripted([])], 3, check=True)
    assert checked.lone is None and checked.decide() == 0
