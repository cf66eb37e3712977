# Incremental solving: scopes, assumptions and the number of scopes.
from z3 import *

a, b, c = Ints("a b c")
s = Solver()
s.add(b - a >= 2, c - b >= 2)
print(s.check(), s.num_scopes())
s.push()
s.add(c - a <= 3)
print(s.check(), s.num_scopes())
s.push()
s.add(a >= 0)
print(s.check(), s.num_scopes())
s.pop(2)
print(s.check(), s.num_scopes())
print(s.check(c - a <= 4), s.check(c - a <= 3))
print(len(s.assertions()))
s.reset()
print(s.check(), len(s.assertions()))
