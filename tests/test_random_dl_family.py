"""bench/random_dl's family up to 10,000 nodes (issue 16): the sizes below LARGE_FROM keep
their names and formulas (earlier reports stay comparable); from LARGE_FROM on, a size's
seeds alternate between the satisfiable and the unsatisfiable side of the transition, with
the ratio in the name; and bench/run.py's summary gives each side of a large size a line."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # bench/ is not part of the installed package (as test_bench_run)
try:
    from bench import random_dl  # noqa: E402
    from bench.formula import to_smtlib  # noqa: E402
    from bench.run import _ratio_of  # noqa: E402
finally:
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != ROOT]

# read from main's generator (7e6f2ed) before the family grew
FIRST_CLAUSE_N40_2 = [("diff", "x24", "x23", "<=", 1), ("diff", "x26", "x23", "<=", 4),
                      ("diff", "x24", "x27", "<=", 0)]


def test_small_sizes_keep_their_names_and_formulas():
    assert random_dl.default_instances((20, 640), 2) == [
        "rdl-n20-0", "rdl-n20-1", "rdl-n640-0", "rdl-n640-1"]
    # rdl-n40-2 as bench/RESULTS.md measured it (5.0 clauses per variable, seed "rdl-40-2")
    f = random_dl.generate("rdl-n40-2")
    assert f.size()["vars"] == 40 and f.size()["clauses"] == 200
    # its first clause, as drawn from random.Random("rdl-40-2") before this change
    assert f.clauses[0] == FIRST_CLAUSE_N40_2
    assert to_smtlib(f) == to_smtlib(random_dl.generate("rdl-n40-2"))


def test_large_sizes_alternate_the_two_sides_of_the_transition():
    names = random_dl.default_instances((2500, 10000), 4)
    assert names == ["rdl-n2500-0-r3", "rdl-n2500-1-r8", "rdl-n2500-2-r3", "rdl-n2500-3-r8",
                     "rdl-n10000-0-r2", "rdl-n10000-1-r8", "rdl-n10000-2-r2", "rdl-n10000-3-r8"]
    for name in names:
        assert random_dl.NAME_RE.match(name), name
    f = random_dl.generate("rdl-n2500-1-r8")
    assert f.size()["vars"] == 2500 and f.size()["clauses"] == 20000
    assert random_dl.generate("rdl-n2500-0-r3").size()["clauses"] == 7500


def test_the_summary_reads_each_instances_ratio():
    assert _ratio_of({"instance": "rdl-n640-3"}) == random_dl.RATIO
    assert _ratio_of({"instance": "rdl-n10000-1-r8"}) == 8.0
    assert _ratio_of({"instance": "ft10"}) is None
