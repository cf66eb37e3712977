# Real-valued timing (difference logic over the rationals) and z3's value methods.
from z3 import *

t0, t1, t2 = Reals("t0 t1 t2")
s = Solver()
s.add(t0 == 0, t1 - t0 == Q(7, 3), t2 - t1 == RealVal("0.125"), t2 - t0 <= 5)
print(s.check())
m = s.model()
for t in [t0, t1, t2]:
    v = m[t]
    print(t, "=", v, "|", v.as_decimal(4), "|", v.as_fraction(), "|",
          v.numerator_as_long(), "/", v.denominator_as_long(), "|", v.is_int(),
          is_rational_value(v), is_int_value(v))
gap = m.eval(t2 - t0)
print("gap", gap, gap.as_decimal(2), gap.as_string())
print("exact 1/8:", m.eval(t2 - t1).as_decimal(10))
