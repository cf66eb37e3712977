# Printing formulas, the solver and the objectives, as a script does while debugging.
from z3 import *

s1, s2, e = Ints("s1 s2 end")
late = Bool("late")
c1 = Or(s1 + 3 <= s2, s2 + 2 <= s1)
c2 = Implies(late, s1 >= 4)
c3 = And(e >= s1 + 3, e >= s2 + 2)
for c in [c1, c2, c3]:
    print(c)
print(s2 - s1 >= 3, 2 * (s1 - s2) < 7, -(s1 - s2) != 0, If(late, s1, s2) == e)
s = Solver()
s.add(c1, c2)
print(s)
o = Optimize()
o.add(c1, c2, c3, s1 >= 0, s2 >= 0)
o.minimize(e)
o.maximize(s1 - s2)
print(o.objectives())
print(o.check())
print([o.model().eval(t) for t in [e, s1 - s2]])
