# Sum and Product where they stay difference constraints.
from z3 import *

x, y, z = Ints("x y z")
s = Solver()
s.add(Sum([x, -y]) >= 3)            # x - y >= 3
s.add(Sum(y, 2) <= z)               # y + 2 <= z
s.add(Product(2, z - x) <= 6)       # 2 (z - x) <= 6
s.add(y == 0)
print(s.check())
m = s.model()
print(m[x], m[y], m[z])
print(Sum([]), Product([]))
print(Sum([1, 2, 3]), Product(2, 3, 4))
