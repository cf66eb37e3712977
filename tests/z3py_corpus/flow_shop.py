# Permutation-free flow shop on three machines: minimise the makespan.
from z3 import *

p = [[3, 2, 4], [2, 4, 1], [4, 1, 3], [1, 3, 2]]   # p[job][machine]
J, M = len(p), len(p[0])
S = [[Int("S_%d_%d" % (j, k)) for k in range(M)] for j in range(J)]
Cmax = Int("Cmax")
o = Optimize()
for j in range(J):
    o.add(S[j][0] >= 0)
    for k in range(1, M):
        o.add(S[j][k] >= S[j][k - 1] + p[j][k - 1])
    o.add(Cmax >= S[j][M - 1] + p[j][M - 1])
for k in range(M):
    for i in range(J):
        for j in range(i + 1, J):
            o.add(Or(S[i][k] + p[i][k] <= S[j][k], S[j][k] + p[j][k] <= S[i][k]))
h = o.minimize(Cmax)
print(o.check())
print("Cmax =", h.value())
m = o.model()
print("lower bound machine 0:", sum(p[j][0] for j in range(J)) <= m[Cmax].as_long())
