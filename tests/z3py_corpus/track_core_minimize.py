# core.minimize: z3 shrinks the core itself.
from z3 import *

a, b, c, d = Ints("a b c d")
s = Solver()
s.set("core.minimize", True)
s.assert_and_track(b - a >= 3, "p1")
s.assert_and_track(c - b >= 3, "p2")
s.assert_and_track(d - c >= 3, "p3")
s.assert_and_track(d - a <= 8, "window")
s.assert_and_track(c - a <= 20, "loose")
s.assert_and_track(a >= 0, "origin")
print(s.check())
core = sorted(str(p) for p in s.unsat_core())
print(core)
