# model_completion gives a value to a constant the model does not mention.
from z3 import *

x, y = Ints("x y")
w = Int("w")
r = Real("r")
b = Bool("b")
s = Solver()
s.add(x - y > 2, y == 1)
print(s.check())
m = s.model()
print(m.eval(w, model_completion=True), m.eval(r, model_completion=True),
      m.eval(b, model_completion=True))
print(m.eval(x - y > 2, model_completion=True), m.evaluate(y + 5))
