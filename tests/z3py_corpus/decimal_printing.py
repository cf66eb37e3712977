# set_option(rational_to_decimal=True): Real values print as decimals.
from z3 import *

a, b = Reals("a b")
s = Solver()
s.add(a * 3 == 1, b - a == Q(1, 4))
print(s.check())
m = s.model()
print(m[a], m[b])
set_option(rational_to_decimal=True)
print(m[a], m[b], m.eval(b - a))
set_option(precision=4)
print(m[a], m[b], a + Q(1, 3) <= b)
print(m[a].as_fraction(), m[a].as_decimal(2))
set_option(rational_to_decimal=False)
print(m[a], m[b])
