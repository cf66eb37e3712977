"""What every global-constraint theory shares (reference implementations): it owns no SAT
variables, reads the difference-logic graph, and only follows the decision levels.

The graph is read as a time graph (the compiled twins' theories/time_graph.pxd), whichever
difference theory it is (difference_ref or sparse_difference_ref): a node's bounds
``distance(node, 0)`` (x_0 - x_node <= it: est = -it) and ``distance(0, node)`` (lst), the
literals of the paths behind them, ``path_literals(node, 0)`` / ``path_literals(0, node)``,
``literal_value`` of its atoms and the model ``values()``. Nothing else: no other pair of
nodes, so a sparse graph that knows only the distances to and from the origin serves too.

Witness records (certificates, issue 15; the compiled twin in global_theory.pyx has the same
contract). A theory that knows the argument of its clauses (the disjunctive and cumulative
theories) says it in the certificate's terms (docs/certificates.md, "The rules"), so that the
emitter need not search for it:

* `record_witnesses` (False by default): the proof sink sets it when a proof is logged
  (smtsched.certify.emit.Certificate.sources); off, nothing is built;
* `last_witness()`: (rule, witness) of the clause the theory last returned from `conflict()`
  or `explain(lit)`, or None when it has none for that clause (a kind of clause it does not
  record, or recording off). Rules `energy` ({"window": [a, b], "tasks": [k...]}) and
  `clique` ({"tasks": [k...]}); tasks are indices into the theory's tasks, which are its
  spec's in order (core.factory), so the constraint record's in constraints.json.

A witness must hold for the clause's premises alone (the checker computes the bounds from
them): a theory records one only where its explanation gives each task's bounds in the
window (the pointwise, window and path explanations do, lifted or not), and nothing where the
argument leans on something the premises do not say. The emitter does not check a record;
the checker checks every witness.
"""
from smtsched.theory import Theory


def energy_witness(a, b, tasks):
    """The `energy` rule's witness: the tasks (indices into the constraint's tasks) need
    more than capacity * (b - a) inside [a, b] under the lemma's premises."""
    return "energy", {"window": [a, b], "tasks": sorted(tasks)}


def clique_witness(tasks):
    """The `clique` rule's witness: the premises make the tasks overlap pairwise."""
    return "clique", {"tasks": sorted(tasks)}


class GlobalTheory(Theory):
    """Level bookkeeping and the parts of the engine contract that an owner of no variables
    answers trivially (see smtsched/theory.py)."""

    def __init__(self, graph):
        self.graph = graph
        self.levels = 0
        self.conflict_clause = []
        # Witness records (certificates, docs/certificates.md "The rules"): set by the proof
        # sink, so that nothing is built without a proof. `conflict_witness`: (the conflict
        # clause it belongs to, (rule, witness)); `given_witness`: the witness of the clause
        # last returned by conflict() or explain() (None: the theory has none for it).
        self.record_witnesses = False
        self.conflict_witness = None
        self.given_witness = None

    def observed(self):
        return []

    def level(self):
        return self.levels

    def assign(self, lit, fixed):  # pragma: no cover - owns nothing, so never called
        raise AssertionError(f"{type(self).__name__} owns no variables")

    def new_level(self):
        self.levels += 1

    def backtrack(self, level):
        if level < self.levels:
            self.levels = level
            self._undone(level)

    def _undone(self, level):
        """Hook: the levels above `level` were undone."""

    def conflict(self):
        # a witness belongs to the clause it was made with: a conflict set without one (a
        # kind the theory does not record) has none, never an earlier clause's
        known = self.conflict_witness
        self.given_witness = (known[1] if known is not None and known[0] is self.conflict_clause
                              else None)
        return list(self.conflict_clause)

    def last_witness(self):
        """(rule, witness) of the clause last returned by conflict() or explain(), as
        docs/certificates.md defines them (tasks: indices into the constraint's tasks), or
        None: the theory does not know it (or `record_witnesses` is off)."""
        return self.given_witness

    def _witness_conflict(self, witness):
        """`witness` ((rule, witness) or None) is that of the conflict clause just set."""
        self.conflict_witness = (self.conflict_clause, witness)

    def values(self):
        return []
