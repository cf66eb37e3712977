# Job shop (Fisher-Thompson style) with Optimize: minimise the makespan.
from z3 import *

jobs = [
    [(0, 3), (1, 2), (2, 2)],
    [(0, 2), (2, 1), (1, 4)],
    [(1, 4), (2, 3)],
]

opt = Optimize()
start = {}
for j, ops in enumerate(jobs):
    for k, (machine, duration) in enumerate(ops):
        start[j, k] = Int("s_%d_%d" % (j, k))
        opt.add(start[j, k] >= 0)
        if k > 0:
            opt.add(start[j, k] >= start[j, k - 1] + ops[k - 1][1])

for m in range(3):
    on_m = [(j, k, d) for j, ops in enumerate(jobs) for k, (mm, d) in enumerate(ops) if mm == m]
    for a in range(len(on_m)):
        for b in range(a + 1, len(on_m)):
            j1, k1, d1 = on_m[a]
            j2, k2, d2 = on_m[b]
            opt.add(Or(start[j1, k1] + d1 <= start[j2, k2],
                       start[j2, k2] + d2 <= start[j1, k1]))

makespan = Int("makespan")
for j, ops in enumerate(jobs):
    last = len(ops) - 1
    opt.add(makespan >= start[j, last] + ops[last][1])

h = opt.minimize(makespan)
print(opt.check())
print("makespan:", h.value())
model = opt.model()
print("model makespan:", model[makespan].as_long())
print("bounds:", opt.lower(h), opt.upper(h))
ok = all(model.eval(start[j, k]).as_long() >= 0 for (j, k) in start)
print("schedule checked:", ok)
