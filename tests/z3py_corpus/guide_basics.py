# In the style of the z3 guide's first pages: solve, prove, vectors.
from z3 import *

x = Int("x")
solve(x > 2, x < 4)
solve(x > 2, x < 3)
prove(Implies(x >= 5, x > 4))
prove(Implies(x > 2, x >= 4))
t = IntVector("t", 4)
s = Solver()
for i in range(3):
    s.add(t[i + 1] - t[i] >= 2)
s.add(t[0] >= 0, t[3] <= 6)
print(s.check())
m = s.model()
print([m[v] for v in t])
print(t[2], [str(v) for v in t][:2])
