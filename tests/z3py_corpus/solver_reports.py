# What a solver reports besides sat/unsat: reason_unknown, statistics as z3 hands them out.
from z3 import *

x, y = Ints("x y")
s = Solver()
print(repr(s.reason_unknown()))
s.add(x - y >= 2, y >= 0)
print(s.check(), repr(s.reason_unknown()))
st = s.statistics()
pairs = [(k, v) for k, v in st]
print(len(pairs) == len(st), len(st.keys()) == len(st), st[0] == pairs[0])
print(all(isinstance(k, str) and isinstance(v, (int, float)) for k, v in st))
print(all(st.get_key_value(k) == v for k, v in st))
print(str(st).startswith("(:"), str(st).endswith(")"))
s.add(x < 1)
print(s.check(), repr(s.reason_unknown()))
o = Optimize()
o.add(x >= 3)
h = o.minimize(x)
print(o.check(), repr(o.reason_unknown()), h.value())
print(all(isinstance(k, str) for k, v in o.statistics()))
