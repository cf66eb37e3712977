# The rest of the surface a script touches: options, statistics, sexpr, assertions.
from z3 import *

x, y = Ints("x y")
o = Optimize()
o.set("timeout", 30000)
o.add(x - y >= 2, y >= 1, x <= 9)
h = o.maximize(y)
print(o.check(), h.value())
st = o.statistics()
print(len(st) > 0)
text = o.sexpr()
print("(maximize y)" in text, "(declare-fun x () Int)" in text)
print(len(o.assertions()), len(o.objectives()))

s = Solver()
s.set("timeout", 30000)
s.set("smt.random_seed", 5)
s.add(x - y >= 2, y >= 1)
print(s.check(), len(s.statistics()) > 0)
print("(declare-fun y () Int)" in s.sexpr(), s.sexpr().count("(assert"))
print(s.reason_unknown() == "" or s.reason_unknown())
