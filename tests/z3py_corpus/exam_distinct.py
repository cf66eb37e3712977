# Exam timetabling: students' exams on distinct days, the fewest days.
from z3 import *

exams = ["alg", "bio", "chem", "dutch", "econ"]
students = [["alg", "bio"], ["bio", "chem", "dutch"], ["alg", "econ"], ["chem", "econ"]]
day = {e: Int(e) for e in exams}
last = Int("last")
o = Optimize()
for e in exams:
    o.add(day[e] >= 1, day[e] <= last)
for group in students:
    o.add(Distinct([day[e] for e in group]))
h = o.minimize(last)
print(o.check(), "days needed:", h.value())
m = o.model()
print(all(len(set(m[day[e]].as_long() for e in g)) == len(g) for g in students))
