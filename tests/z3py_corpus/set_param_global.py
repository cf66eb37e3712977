# Global parameters apply to the solvers created after them.
from z3 import *

set_param("timeout", 20000)
set_param("smt.random_seed", 7)
set_param(verbose=0)
x = [Int("x%d" % i) for i in range(5)]
s = Solver()
for i in range(4):
    s.add(x[i + 1] - x[i] >= 1, x[i + 1] - x[i] <= 2)
s.add(x[0] == 0, x[4] == 7)
n = 0
while s.check() == sat:
    m = s.model()
    n += 1
    s.add(Or([v != m.eval(v) for v in x]))
print("chains:", n)
