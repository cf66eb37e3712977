# Job shop with a plain Solver: tighten the makespan until unsat (the classic z3 loop).
from z3 import *

durations = {"cut": 4, "weld": 3, "paint": 2, "pack": 1}
orders = [["cut", "weld", "paint"], ["cut", "paint", "pack"], ["weld", "pack"]]

s = Solver()
tasks = []
for i, order in enumerate(orders):
    prev = None
    for step in order:
        t = Int("%s_%d" % (step, i))
        s.add(t >= 0)
        if prev is not None:
            s.add(t >= prev[0] + durations[prev[1]])
        prev = (t, step)
        tasks.append((t, step))
    tasks_end = prev

# one station per kind of step
for a in range(len(tasks)):
    for b in range(a + 1, len(tasks)):
        ta, sa = tasks[a]
        tb, sb = tasks[b]
        if sa == sb:
            s.add(Or(ta + durations[sa] <= tb, tb + durations[sb] <= ta))

end = Int("end")
for t, step in tasks:
    s.add(end >= t + durations[step])

best = None
rounds = 0
while s.check() == sat:
    m = s.model()
    best = m.eval(end).as_long()
    rounds += 1
    s.add(end < best)
print("best makespan", best)
print("last answer", s.check())
