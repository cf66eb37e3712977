# distutils: language = c++
"""The lemma lines of difference cycles, made in C (smtsched.certify.emit, `_write_lemmas`).

Most lemmas of a certificate are negative cycles of the Int difference theory: its reasons
[lit, path from the target back to the source] and its conflicts (the path split at the
matrix's `via` edges, in no walk order). Their lines are the same every time but for the
numbers, and making them in Python (finding the cycle order, then the text) cost 5-10 us per
lemma: a third of the certificate's cost on a job-shop decision. Here the same line is made in
C, from a table of the Int atoms, with the same text as the Python path (witness.reason_cycle,
witness.walk_cycle, emit._cycle_line): tests/test_certify_emit.py compares the two on real
certificates. A lemma that is anything else gets None, and the Python path decides.

Nothing here is trusted: the checker re-derives every atom and checks every cycle.
"""
from libc.stdint cimport int32_t, int64_t
from libcpp.string cimport string
from libcpp.vector cimport vector
from cpython.unicode cimport PyUnicode_DecodeASCII

# Bounds above this are left to the Python path: a sum of up to 2**20 of them stays in int64.
cdef int64_t LIMIT = (<int64_t>1) << 40


cdef class AtomTable:
    """The Int difference atoms of a certificate: variable -> x_p - x_q <= bound (strict
    bounds already lowered by one), -1 for a variable that is no such atom."""
    cdef vector[int32_t] p
    cdef vector[int32_t] q
    cdef vector[int64_t] bound
    cdef vector[int32_t] stamp      # per node: the lemma that last saw it (walk)
    cdef vector[int32_t] slot       # per node: the position of its edge out in that lemma
    cdef int32_t clock
    cdef int32_t num_nodes

    def __init__(self, int num_nodes, atoms):
        """`atoms`: (var, p, q, bound) with 0 <= p, q < num_nodes and an int bound."""
        self.num_nodes = num_nodes
        self.stamp.assign(num_nodes, -1)
        self.slot.assign(num_nodes, 0)
        self.clock = 0
        cdef int var
        for var, p, q, bound in atoms:
            if var < 1 or not (0 <= p < num_nodes and 0 <= q < num_nodes):
                continue
            if not (-LIMIT < bound < LIMIT):
                continue
            if var >= <int>self.p.size():
                self.p.resize(var + 1, -1)
                self.q.resize(var + 1, -1)
                self.bound.resize(var + 1, 0)
            self.p[var] = p
            self.q[var] = q
            self.bound[var] = bound

    cdef inline bint edge(self, long lit, int32_t* u, int32_t* v, int64_t* w) noexcept:
        """The premise -lit as the edge u -> v of weight w (x_v - x_u <= w); False when lit's
        variable is no atom of the table."""
        cdef long var = lit if lit > 0 else -lit
        if var >= <long>self.p.size() or self.p[var] < 0:
            return False
        if lit < 0:   # the atom holds: x_p - x_q <= bound
            u[0] = self.q[var]
            v[0] = self.p[var]
            w[0] = self.bound[var]
        else:         # it fails: x_q - x_p <= -bound - 1
            u[0] = self.p[var]
            v[0] = self.q[var]
            w[0] = -self.bound[var] - 1
        return True


cdef void append_int(string& out, long value):
    cdef char digits[24]
    cdef int n = 0
    cdef unsigned long x
    if value < 0:
        out.push_back(b'-')
        x = <unsigned long>(-(value + 1)) + 1
    else:
        x = <unsigned long>value
    while True:
        digits[n] = <char>(48 + x % 10)
        n += 1
        x //= 10
        if x == 0:
            break
    while n > 0:
        n -= 1
        out.push_back(digits[n])


cdef bint cycle_order(AtomTable table, vector[long]& lits, vector[int32_t]& order) except -1:
    """The positions of the premises of `lits` in cycle order into `order`: 0, n-1, ..., 1
    when that is a walk (a reason), else the walk along each node's one edge out (a conflict);
    True when they are one negative cycle of the table's atoms."""
    cdef Py_ssize_t n = lits.size(), k
    cdef int32_t u0, v0, u, v, head
    cdef int64_t w0, w, total
    order.clear()
    if n < 2 or n >= (1 << 20):
        return False
    if not table.edge(lits[0], &u0, &v0, &w0):
        return False
    # the reason order
    head = v0
    total = w0
    order.push_back(0)
    for k in range(n - 1, 0, -1):
        if not table.edge(lits[k], &u, &v, &w) or u != head:
            break
        order.push_back(<int32_t>k)
        head = v
        total += w
    else:
        if head == u0 and total < 0:
            return True
    # a walk along the one edge out of each node
    order.clear()
    table.clock += 1
    for k in range(n):
        if not table.edge(lits[k], &u, &v, &w) or table.stamp[u] == table.clock:
            return False
        table.stamp[u] = table.clock
        table.slot[u] = <int32_t>k
    k = 0
    total = 0
    while True:
        table.edge(lits[k], &u, &v, &w)
        order.push_back(<int32_t>k)
        total += w
        if v == u0:
            break
        if table.stamp[v] != table.clock or <Py_ssize_t>order.size() == n:
            return False
        k = table.slot[v]
    return <Py_ssize_t>order.size() == n and total < 0


def cycle_lines(AtomTable table, list records, Py_ssize_t start, dict sources):
    """For each record (clause, kind, source) of `records[start:]`: its lemma line when its
    source's id is a key of `sources` (the Int difference theories: the value is the text
    '"constraint": i, ' or ''), its kind one of conflict, reason, root and final, and its
    clause a negative cycle of the table's atoms; else None."""
    cdef list out = []
    cdef vector[long] lits
    cdef vector[int32_t] order
    cdef string line
    cdef Py_ssize_t k, at
    cdef object clause, kind, source, constraint, middle
    cdef dict middles = {}   # (kind, constraint) -> the line's text between clause and cycle
    for at in range(start, len(records)):
        clause, kind, source = records[at]
        constraint = sources.get(id(source))
        if constraint is None or kind not in ("reason", "conflict", "root", "final") \
                or type(clause) is not list:
            out.append(None)
            continue
        middle = middles.get((kind, constraint))
        if middle is None:
            middle = middles[(kind, constraint)] = (
                '], "kind": "%s", "theory": "difference", %s"rule": "cycle", '
                '"witness": {"cycle": [' % (kind, constraint)).encode("ascii")
        lits.clear()
        for lit in <list>clause:
            if type(lit) is not int:
                break
            lits.push_back(lit)
        else:
            if cycle_order(table, lits, order):
                line.clear()
                line.append(b'{"clause": [')
                for k in range(<Py_ssize_t>lits.size()):
                    if k:
                        line.append(b", ")
                    append_int(line, lits[k])
                line.append(<string>(<bytes>middle))
                for k in range(<Py_ssize_t>order.size()):
                    if k:
                        line.append(b", ")
                    append_int(line, order[k])
                line.append(b"]}}")
                out.append(PyUnicode_DecodeASCII(line.c_str(), line.size(), NULL))
                continue
        out.append(None)
    return out


def largest_variable(list records, Py_ssize_t start):
    """The largest variable in the clauses of `records[start:]` ((clause, kind, source)
    records, clauses lists of ints), 0 for none: the DIMACS header's count must cover them."""
    cdef long top = 0, lit
    cdef Py_ssize_t at
    cdef object clause
    for at in range(start, len(records)):
        clause = records[at][0]
        for item in clause:
            lit = item
            if lit < 0:
                lit = -lit
            if lit > top:
                top = lit
    return top
