# Project planning: earliest and latest starts (critical path) with Optimize and push/pop.
from z3 import *

tasks = {"design": 5, "order": 2, "build": 7, "wire": 3, "test": 2, "docs": 4, "ship": 1}
after = [("design", "order"), ("design", "docs"), ("order", "build"), ("build", "wire"),
         ("wire", "test"), ("docs", "test"), ("test", "ship")]

S = {t: Int("S_" + t) for t in tasks}
end = Int("end")

opt = Optimize()
for t in tasks:
    opt.add(S[t] >= 0, end >= S[t] + tasks[t])
for a, b in after:
    opt.add(S[b] >= S[a] + tasks[a])

h = opt.minimize(end)
assert opt.check() == sat
length = h.value().as_long()
print("project length", length)

opt.add(end == length)
for t in sorted(tasks):
    opt.push()
    lo = opt.minimize(S[t])
    opt.check()
    early = lo.value().as_long()
    opt.pop()
    opt.push()
    hi = opt.maximize(S[t])
    opt.check()
    late = hi.value().as_long()
    opt.pop()
    print("%-7s earliest %2d latest %2d slack %d%s" % (t, early, late, late - early,
                                                     "  critical" if late == early else ""))
