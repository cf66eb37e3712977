# Open shop: operations of a job in any order, none at the same time.
from z3 import *

p = {(0, 0): 3, (0, 1): 2, (1, 0): 2, (1, 1): 3, (2, 0): 1, (2, 1): 2}
S = {k: Int("s%d%d" % k) for k in p}
end = Int("end")
o = Optimize()
for k in p:
    o.add(S[k] >= 0, end >= S[k] + p[k])
for (j1, m1) in p:
    for (j2, m2) in p:
        if (j1, m1) < (j2, m2) and (j1 == j2 or m1 == m2):
            o.add(Or(S[j1, m1] + p[j1, m1] <= S[j2, m2], S[j2, m2] + p[j2, m2] <= S[j1, m1]))
h = o.minimize(end)
print(o.check(), h.value())
