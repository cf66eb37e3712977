# Tighter and tighter release dates, each in its own scope.
from z3 import *

a, b, c = Ints("a b c")
opt = Optimize()
opt.add(a >= 0, b >= a + 4, c >= b + 3, Or(c >= a + 9, b >= 6))
end = opt.minimize(c)
print(opt.check(), end.value())
for release in [2, 5, 8]:
    opt.push()
    opt.add(a >= release)
    print(release, opt.check(), end.value(), opt.model()[a])
    opt.pop()
print(opt.check(), end.value())
