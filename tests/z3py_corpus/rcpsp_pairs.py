# A small resource-constrained project: tasks that together exceed the capacity cannot overlap.
from z3 import *

dur = {"A": 3, "B": 2, "C": 4, "D": 2, "E": 3}
use = {"A": 2, "B": 2, "C": 1, "D": 3, "E": 1}
cap = 3
prec = [("A", "C"), ("B", "D"), ("C", "E")]
S = {t: Int(t) for t in dur}
H = Int("H")
o = Optimize()
for t in dur:
    o.add(S[t] >= 0, H >= S[t] + dur[t])
for a, b in prec:
    o.add(S[b] >= S[a] + dur[a])
names = sorted(dur)
for i in range(len(names)):
    for j in range(i + 1, len(names)):
        a, b = names[i], names[j]
        if use[a] + use[b] > cap:
            o.add(Or(S[a] + dur[a] <= S[b], S[b] + dur[b] <= S[a]))
h = o.minimize(H)
print(o.check(), "makespan", h.value())
