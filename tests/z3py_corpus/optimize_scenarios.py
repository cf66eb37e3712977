# One Optimize, several scenarios as assumptions.
from z3 import *

prep, cook, serve = Ints("prep cook serve")
oven_late = Bool("oven_late")
chef_busy = Bool("chef_busy")
opt = Optimize()
opt.add(prep >= 0, cook >= prep + 20, serve >= cook + 45)
opt.add(Implies(oven_late, cook >= 40))
opt.add(Implies(chef_busy, prep >= 30))
h = opt.minimize(serve)
for name, assumed in [("normal", []), ("oven late", [oven_late]),
                      ("chef busy", [chef_busy]), ("both", [oven_late, chef_busy])]:
    r = opt.check(*assumed)
    print("%-10s %s serve at %s" % (name, r, h.value()))
opt.add(serve <= 80)
print(opt.check(chef_busy), sorted(str(c) for c in opt.unsat_core()))
