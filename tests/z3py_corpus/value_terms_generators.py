# Values written in the program (IntVal, RealVal, Q) read as z3's numerals, and formulas
# built from generators, as scheduling scripts write them.
from z3 import *

durations = {"a": IntVal(3), "b": IntVal(5), "c": IntVal(2)}
rate = Q(3, 4)
start = {t: Int("s_" + t) for t in durations}
speed = Real("speed")
s = Solver()
s.add(And(start[t] >= 0 for t in durations))
s.add(Or(start["a"] + durations["a"] <= start["b"], start["b"] + durations["b"] <= start["a"]))
s.add(And(start[t] + durations[t] <= 10 for t in durations))
s.add(Distinct(start[t] for t in durations))
s.add(speed == rate, start["a"] == 0, start["b"] == 3, start["c"] == 8)
print(s.assertions()[-4], s.assertions()[2])
print(durations["a"].as_long() + durations["b"].as_long(), durations["c"].as_string())
print(rate, rate.as_fraction(), rate.as_decimal(2), rate.numerator_as_long(),
      rate.denominator_as_long(), is_rational_value(rate), is_int_value(durations["a"]))
print(s.check())
m = s.model()
print([str(m.get_interp(start[t].decl())) for t in durations], m.get_interp(speed.decl()))
print(sorted(str(m[d]) for d in m.decls()))
print(m.eval(Sum(start[t] + durations[t] for t in durations)))
print(m.eval(And(start[t] + durations[t] <= 10 for t in durations)))
print(Sum(durations[t] for t in durations), simplify(Sum(durations[t] for t in durations)))
