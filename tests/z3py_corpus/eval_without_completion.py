# A model has values for the variables of the assertions only: eval without model completion
# (z3's default) leaves the others as they are; with it they get 0 and join the model.
from z3 import *

start, end, idle = Ints("start end idle")
s = Solver()
s.add(start == 4, end - start >= 2, end <= 6)
print(s.check())
m = s.model()
print(m[idle], m.eval(idle), m.eval(idle + end))
print(m.eval(end - start), m.eval(end > start))
print(sorted([d.name() for d in m.decls()]), len(m))
print(m.eval(idle, model_completion=True), m.eval(idle + end, model_completion=True))
print(sorted([d.name() for d in m.decls()]), len(m))
print(m[idle], m.eval(idle))
print(start.sort(), (end > start).sort(), Real("rate").sort(), start.sort() == IntSort())
print(start.is_int(), start.is_real(), Real("rate").is_real())
