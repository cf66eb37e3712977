# Shift choice with If: a night shift starts later; minimise the last finish.
from z3 import *

workers = ["ana", "ben", "cy"]
night = {w: Bool("night_" + w) for w in workers}
start = {w: Int("start_" + w) for w in workers}
finish = Int("finish")
o = Optimize()
for w in workers:
    o.add(start[w] == If(night[w], 22, 8) + If(w == "cy", 1, 0))
    o.add(finish >= start[w] + 8)
o.add(AtLeast(*[night[w] for w in workers], 1))
o.add(Implies(night["ana"], Not(night["ben"])))
h = o.minimize(finish)
print(o.check(), h.value())
m = o.model()
print(sorted(w for w in workers if is_true(m[night[w]])) != [])
print(m.eval(finish - start["cy"]).as_long() >= 8)
