# Optimising each objective on its own (priority box) against the lexicographic default:
# the earliest finish of each job when it alone matters, and the lexicographic compromise.
from z3 import *

a, b, c, end = Ints("a b c end")
def plan(o):
    o.add(a >= 0, b >= 0, c >= 0, end >= a + 4, end >= b + 3, end >= c + 2)
    o.add(Or(b >= a + 4, a >= b + 3), Or(c >= b + 3, b >= c + 2), Or(c >= a + 4, a >= c + 2))
    o.add(end <= 20)

for priority in ["lex", "box"]:
    o = Optimize()
    o.set(priority=priority)
    plan(o)
    handles = [o.minimize(a + 4), o.minimize(b + 3), o.minimize(c + 2), o.minimize(end)]
    print(priority, o.check(), [str(h.value()) for h in handles])
    print("  bounds", [(str(h.lower()), str(h.upper())) for h in handles])
    m = o.model()
    print("  model respects the plan:", m.eval(And(end >= a + 4, end >= b + 3, end >= c + 2)))

o = Optimize()
o.set(priority="box")
plan(o)
h1 = o.maximize(end - a)
h2 = o.minimize(end)
print(o.check(), h1.value(), h2.value(), o.lower(h2), o.upper(h1))
