# Boolean decisions with is_true / is_false on model values.
from z3 import *

overtime = Bools("ot_mon ot_tue ot_wed")
hours = [Int("h_mon"), Int("h_tue"), Int("h_wed")]
s = Solver()
for o, h in zip(overtime, hours):
    s.add(h >= 0, h <= 10, Implies(Not(o), h <= 8), Implies(o, h >= 9))
s.add(hours[0] == 10, hours[1] == 5, hours[2] - hours[1] >= 4)
print(s.check())
m = s.model()
for o in overtime:
    v = m[o]
    print(o, v, is_true(v), is_false(v))
print(is_true(m.eval(And(overtime[0], overtime[2]))))
print(is_false(m.eval(Or(overtime[1], False))))
print(is_true(BoolVal(True)), is_false(BoolVal(False)), is_true(overtime[0]))
