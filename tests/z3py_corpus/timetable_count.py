# A small timetable: count every solution with blocking clauses.
from z3 import *

lessons = ["math", "physics", "chem", "art"]
slot = {l: Int(l) for l in lessons}
s = Solver()
for l in lessons:
    s.add(slot[l] >= 1, slot[l] <= 4)
s.add(Distinct([slot[l] for l in lessons]))
s.add(slot["math"] < slot["physics"])          # math before physics
s.add(Or(slot["art"] == 1, slot["art"] == 4))  # art first or last

count = 0
first = None
while s.check() == sat:
    m = s.model()
    count += 1
    s.add(Or([slot[l] != m[slot[l]] for l in lessons]))
print("timetables:", count)
