# Declaring constants by sort, and simplify on constant expressions.
from z3 import *

a, b = Consts("a b", IntSort())
r = Const("r", RealSort())
flag = Const("flag", BoolSort())
print(IntSort(), RealSort(), BoolSort())
print(IntSort() == IntSort(), IntSort() == RealSort())
print(simplify(IntVal(2) + 3), simplify(IntVal(7) - 10), simplify(RealVal(1) / 4 + RealVal(1) / 4))
print(simplify(And(BoolVal(True), Not(BoolVal(False)))), simplify(IntVal(3) <= 2))
s = Solver()
s.add(b - a >= 2, a >= 1, b <= 3, r > 0, r < 1, flag == (a > 0))
print(s.check())
m = s.model()
print(m[a], m[b], is_true(m[flag]), 0 < m[r].as_fraction() < 1)
