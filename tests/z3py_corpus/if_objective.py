# An objective with If: the cost depends on a decision.
from z3 import *

start = Int("start")
express = Bool("express")
o = Optimize()
o.add(start >= 3, start <= 20)
o.add(Implies(express, start >= 10))
cost = If(express, start - 2, start + 8)
h = o.minimize(cost)
print(o.check(), h.value())
m = o.model()
print(m[start], is_true(m[express]))
o.add(start <= 8)
print(o.check(), h.value())
