# Reading a model the way the z3 guide does: iterate over its declarations.
from z3 import *

x, y = Ints("x y")
p, q = Bools("p q")
s = Solver()
s.add(x - y == 3, y == 4, p == (x > 5), q != p)
print(s.check())
m = s.model()
print("size", len(m))
print(sorted([(d.name(), m[d]) for d in m], key=lambda item: item[0]))
for d in sorted(m.decls(), key=lambda d: d.name()):
    print("%s = %s" % (d.name(), m[d]))
print(m.eval(x + y), m.eval(Not(q)), m[x].as_long() * 2)
