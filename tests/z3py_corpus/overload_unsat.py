# Too much work for the window: unsat, and the tracked tasks that show it.
from z3 import *

tasks = {"t1": 3, "t2": 4, "t3": 2, "t4": 5}
S = {t: Int(t) for t in tasks}
s = Solver()
names = sorted(tasks)
for t in names:
    s.add(S[t] >= 0)
for i in range(len(names)):
    for j in range(i + 1, len(names)):
        a, b = names[i], names[j]
        s.add(Or(S[a] + tasks[a] <= S[b], S[b] + tasks[b] <= S[a]))
for t in names:
    s.assert_and_track(S[t] + tasks[t] <= 13, "due_" + t)
print(s.check())
print(sorted(str(c) for c in s.unsat_core()))   # every due date takes part
print(len(s.assertions()))
s.push()
s.add(S["t4"] >= 9)
print(s.check())
s.pop()
print(s.check())
