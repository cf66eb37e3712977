# Meetings at least two hours apart, written with Abs; count the day plans.
from z3 import *

names = ["standup", "review", "lunch", "retro"]
h = {n: Int(n) for n in names}
s = Solver()
for n in names:
    s.add(h[n] >= 9, h[n] <= 16)
for i in range(len(names)):
    for j in range(i + 1, len(names)):
        s.add(Abs(h[names[i]] - h[names[j]]) >= 2)
s.add(h["standup"] == 9, Abs(h["lunch"] - 12) <= 1)
count = 0
while s.check() == sat:
    m = s.model()
    count += 1
    s.add(Or([h[n] != m[h[n]] for n in names]))
print("plans:", count)
