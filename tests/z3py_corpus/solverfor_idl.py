# SolverFor a logic, with z3's parameter names.
from z3 import *

s = SolverFor("QF_IDL")
s.set("timeout", 10000)
s.set("random_seed", 42)
x, y, z = Ints("x y z")
s.add(x - y <= -1, y - z <= -1)
print(s.check())
s.push()
s.add(z - x <= 1)
print(s.check())
s.pop()
s.add(z - x <= 2)
print(s.check())
m = s.model()
print(m.eval(z - x), m.eval(y - x), m.eval(z - y))
print(s.num_scopes())
