# Type tests and the exception type that scripts catch.
from z3 import *

x, y = Ints("x y")
p = Bool("p")
print(isinstance(x, ArithRef), isinstance(p, BoolRef), isinstance(x + 1, ExprRef))
print(is_int(x), is_bool(p), is_bool(x), is_real(Real("r")), is_const(x))
print(is_int_value(IntVal(3)), is_rational_value(RealVal(1) / 3), is_true(BoolVal(True)))
try:
    Solver().model()
except Z3Exception:
    print("no model before check")
