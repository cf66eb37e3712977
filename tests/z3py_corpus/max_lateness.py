# Single machine, release dates and due dates: minimise the maximum lateness.
from z3 import *

jobs = [("a", 0, 3, 4), ("b", 1, 2, 5), ("c", 2, 4, 12), ("d", 0, 1, 3)]  # name, release, p, due
S = {n: Int("S_" + n) for n, _, _, _ in jobs}
Lmax = Int("Lmax")
o = Optimize()
for n, r, p, d in jobs:
    o.add(S[n] >= r)
    o.add(Lmax >= S[n] + p - d)
for i in range(len(jobs)):
    for j in range(i + 1, len(jobs)):
        n1, _, p1, _ = jobs[i]
        n2, _, p2, _ = jobs[j]
        o.add(Or(S[n1] + p1 <= S[n2], S[n2] + p2 <= S[n1]))
h = o.minimize(Lmax)
print(o.check())
print("max lateness", h.value())
m = o.model()
late = max(m[S[n]].as_long() + p - d for n, r, p, d in jobs)
print("checked:", late == h.value().as_long())
