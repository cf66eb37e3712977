# Printing the formulas of a job shop that do not fit on one line: z3 breaks them.
from z3 import *

jobs = {"milling_job": [("lathe", 3), ("drill_press", 2)],
        "assembly_job": [("drill_press", 4), ("lathe", 1)],
        "painting_job": [("lathe", 2), ("drill_press", 3)]}
start = {(j, k): Int(f"start_{j}_{k}") for j in jobs for k in range(2)}
makespan = Int("makespan")
s = Solver()
for j, ops in jobs.items():
    s.add(start[j, 0] >= 0, start[j, 1] >= start[j, 0] + ops[0][1])
    s.add(makespan >= start[j, 1] + ops[1][1])
for machine in ["lathe", "drill_press"]:
    on = [(j, k, d) for j, ops in jobs.items() for k, (m, d) in enumerate(ops) if m == machine]
    for a in range(len(on)):
        for b in range(a + 1, len(on)):
            (j1, k1, d1), (j2, k2, d2) = on[a], on[b]
            s.add(Or(start[j1, k1] + d1 <= start[j2, k2], start[j2, k2] + d2 <= start[j1, k1]))
print(s)
total = Sum([start[j, 1] for j in jobs])
print(total <= 100)
print(And([start[j, 0] >= 0 for j in jobs]))
print(If(makespan > 10, Sum([start[j, 0] for j in jobs]), makespan - start["milling_job", 0]))
print(s.check())
m = s.model()
print(m.eval(makespan >= 6), is_true(simplify(m.eval(total) >= 0)))
