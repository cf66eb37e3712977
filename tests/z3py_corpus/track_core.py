# assert_and_track names constraints; the unsat core says which clash.
from z3 import *

x, y, z = Ints("x y z")
s = Solver()
s.set(unsat_core=True)
s.assert_and_track(x - y >= 4, "gap")
s.assert_and_track(y >= 10, "y_floor")
s.assert_and_track(x <= 12, "x_cap")
s.assert_and_track(z >= 0, "z_pos")
s.assert_and_track(z - x <= 100, "z_near")
print(s.check())
print(sorted(str(c) for c in s.unsat_core()))
