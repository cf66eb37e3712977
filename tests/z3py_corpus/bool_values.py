# Booleans of a model: m[b], is_true / is_false, eval of formulas, And / Or over lists,
# Distinct, Implies and If as a scheduler writes them.
from z3 import *

shifts = ["early", "late", "night"]
works = {w: Bool("works_" + w) for w in shifts}
start = {w: Int("start_" + w) for w in shifts}
s = Solver()
s.add(Or([works[w] for w in shifts]))
s.add(Not(works["night"]), works["early"], Not(works["late"]))
s.add(And([Implies(works[w], start[w] >= 6) for w in shifts]))
s.add(Distinct([start[w] for w in shifts]))
s.add(And([start[w] <= 8 for w in shifts]), And([start[w] >= 6 for w in shifts]))
s.add(start["early"] == 6, start["late"] == 7)
print(s.check())
m = s.model()
for w in shifts:
    print(w, m[works[w]], is_true(m[works[w]]), is_false(m[works[w]]), m.eval(works[w]))
print(m.eval(And(works["early"], start["early"] < start["late"])))
print(m.eval(Or([works[w] for w in shifts])), m.eval(Distinct([start[w] for w in shifts])))
print(m.eval(If(works["late"], start["late"], start["early"])))
print(m.eval(Implies(works["night"], start["night"] > 100)))
print(m[start["night"]], [w for w in shifts if is_true(m[works[w]])])
cost = Sum([If(works[w], 10, 0) for w in shifts[:2]])
print(cost, m.eval(cost), m.eval(Sum([If(works[w], 10, 0) for w in shifts])))
