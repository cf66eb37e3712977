# Nurse rostering with cardinality constraints: count the rosters.
from z3 import *

nurses = ["n1", "n2", "n3"]
days = ["mon", "tue", "wed"]
work = {(n, d): Bool("%s_%s" % (n, d)) for n in nurses for d in days}
s = Solver()
for d in days:
    s.add(AtLeast(*[work[n, d] for n in nurses], 1))
    s.add(AtMost(*[work[n, d] for n in nurses], 2))
for n in nurses:
    s.add(AtMost(*[work[n, d] for d in days], 2))
    s.add(PbGe([(work[n, d], 1) for d in days], 1))
s.add(Not(work["n1", "mon"]))
count = 0
while s.check() == sat:
    m = s.model()
    count += 1
    s.add(Or([work[k] != m.eval(work[k], model_completion=True) for k in work]))
print("rosters:", count)
