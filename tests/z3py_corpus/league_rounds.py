# A small league: each pair plays once, a team plays at most once per round.
from z3 import *

teams = ["A", "B", "C", "D"]
pairs = [(a, b) for i, a in enumerate(teams) for b in teams[i + 1:]]
rnd = {p: Int("r_%s%s" % p) for p in pairs}
s = Solver()
for p in pairs:
    s.add(rnd[p] >= 1, rnd[p] <= 3)
for t in teams:
    games = [rnd[p] for p in pairs if t in p]
    s.add(Distinct(games))
s.add(rnd["A", "B"] == 1)
n = 0
while s.check() == sat:
    m = s.model()
    n += 1
    s.add(Or([rnd[p] != m[rnd[p]] for p in pairs]))
print("schedules:", n)
print(s.check())
