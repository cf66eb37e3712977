# Objective handles: value, lower and upper, by handle and through the optimizer.
from z3 import *

x, y = Ints("x y")
o = Optimize()
o.add(x - y <= 5, y >= 0, y <= 10, x >= 2)
hx = o.maximize(x)
hy = o.minimize(y)
print(o.check())
print(hx.value(), hx.lower(), hx.upper(), o.lower(hx), o.upper(hx))
print(hy.value(), hy.lower(), hy.upper(), o.lower(hy), o.upper(hy))
print(is_int_value(hx.value()), hx.value().as_long() + 1)
m = o.model()
print(m[x], m[y])
print(len(o.objectives()), len(o.assertions()))
