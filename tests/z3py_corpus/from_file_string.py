# SMT-LIB into a Python solver: from_file and from_string.
from z3 import *

s = Solver()
s.from_file("z3py_corpus/plan.smt2")
print(len(s.assertions()))
print(s.check())
a, b, c = Ints("a b c")
s.add(a < 10)
print(s.check())
m = s.model()
print(m.eval(c - a), m.eval(b - a))

t = Solver()
t.from_string("""
(declare-const x Int)
(declare-const y Int)
(declare-const p Bool)
(assert (=> p (> (- x y) 4)))
(assert (< (- x y) 2))
""")
print(t.check(), t.check(Bool("p")))
