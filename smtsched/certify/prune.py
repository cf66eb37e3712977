"""Which variables a certificate's problem.cnf and atoms.txt must keep (docs/certificates.md,
"problem.cnf").

A refutation by reverse unit propagation only ever touches the clauses connected to the
literals it starts from: a RUP check assigns the negation of a proof line, and a clause
becomes unit or false only once one of its variables is assigned, so propagation spreads
along clauses that share variables and never leaves the connected components (in the graph
of clauses over variables) of the variables in the proof lines, the lemmas and the
assumptions. The other components take no part, and leaving them out of problem.cnf keeps
every RUP step valid: the refutation of the smaller clause set is a refutation of the larger
one (and the checker checks the clauses kept against the input as before). This matters for
a model with many atoms the search never touched: a DNN graph of 949 operators on one core
has 450,000 ordering pairs, 415,000 clauses and 827,000 atoms, and a refutation made of one
static bound lemma and a 3-line proof, whose component is a few thousand unit facts.

The definitions of atoms.txt (gates) tie a gate to its arguments, so they join components
too; the variables the constraints.json records name (pseudo-Boolean literals, cost guards)
are kept with theirs, as the checker relates those records to their lines.

Only worth it for large problems with short proofs: the proof is read to find its variables,
so a proof above `MAX_PROOF_BYTES` (a long search, which touches most of the problem anyway)
or a problem below `MIN_CLAUSES` is kept whole.
"""

MIN_CLAUSES = 50_000
MAX_PROOF_BYTES = 16 << 20


def relevant_variables(clauses, count, gates, seeds, proof_file):
    """The set of variables to keep, or None to keep them all. `clauses`: a callable giving
    problem.cnf's clauses (iterated at most once more); `count`: how many; `gates`: {var:
    (op, literals)}; `seeds`: variables that must stay (the lemmas', the assumptions', the
    records'); `proof_file`: the binary file holding the DRUP text (its position is kept)."""
    if count < MIN_CLAUSES:
        return None
    here = proof_file.tell()
    proof_file.seek(0, 2)
    size = proof_file.tell()
    if size > MAX_PROOF_BYTES:
        proof_file.seek(here)
        return None
    proof_file.seek(0)
    data = proof_file.read()
    proof_file.seek(here)
    wanted = set(seeds)
    try:
        wanted.update(abs(int(token)) for token in data.split() if token != b"d")
    except ValueError:   # not the plain DRUP text this expects: keep everything
        return None
    wanted.discard(0)

    parent = {}

    def find(v):
        root = v
        while parent.get(root, root) != root:
            root = parent[root]
        while v != root:   # path compression
            parent[v], v = root, parent[v]
        return root

    def join(lits):
        first = None
        for lit in lits:
            r = find(abs(lit))
            if first is None:
                first = r
            elif r != first:
                parent[r] = first
    for clause in clauses():
        if len(clause) > 1:
            join(clause)
    for var, (_, lits) in gates.items():
        join([var, *lits])
    roots = {find(v) for v in wanted}
    keep = {v for v in parent if find(v) in roots}
    keep.update(wanted)
    return keep
