# Model values are z3 terms: arithmetic on them builds terms that print as written, until
# simplify, eval or as_long turns them into numbers.
from z3 import *

jobs = ["cut", "weld", "paint"]
start = {j: Int("start_" + j) for j in jobs}
duration = {"cut": 3, "weld": 4, "paint": 2}
s = Solver()
s.add(start["cut"] == 0, start["weld"] == start["cut"] + duration["cut"],
      start["paint"] == start["weld"] + duration["weld"])
print(s.check())
m = s.model()
for j in jobs:
    end = m[start[j]] + duration[j]
    print(j, m[start[j]], end, simplify(end), m.eval(start[j] + duration[j]))
    print("  as number:", m[start[j]].as_long() + duration[j])
total = sum(m[start[j]] for j in jobs)
print("sum of starts:", total, "=", simplify(total))
print("Sum:", Sum([m[start[j]] for j in jobs]), simplify(Sum([m[start[j]] for j in jobs])))
print(2 * m[start["weld"]], m[start["weld"]] * 2, -m[start["paint"]], m[start["paint"]] - 1)
print(m[start["paint"]] - start["cut"])
print(m[start["cut"]] == 0, m[start["weld"]] + 1 != 4, m[start["paint"]] == m[start["weld"]])
if m[start["cut"]] == 0:
    print("cut starts at time zero")
makespan = max(m[start[j]].as_long() + duration[j] for j in jobs)
print("makespan", makespan)
