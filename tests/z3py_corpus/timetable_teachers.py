# Timetable with teachers and rooms as Booleans and Ints: is it feasible, and with which room?
from z3 import *

classes = ["A", "B", "C"]
periods = 3
teach = {("ann", "A"), ("ann", "B"), ("bob", "C")}
P = {c: Int("period_" + c) for c in classes}
big_room = {c: Bool("big_" + c) for c in classes}

s = Solver()
for c in classes:
    s.add(And(P[c] >= 0, P[c] < periods))
for t1, c1 in teach:
    for t2, c2 in teach:
        if t1 == t2 and c1 < c2:
            s.add(P[c1] != P[c2])
# only one big room: classes in it are at different periods
for c1 in classes:
    for c2 in classes:
        if c1 < c2:
            s.add(Implies(And(big_room[c1], big_room[c2]), P[c1] != P[c2]))
s.add(big_room["A"], big_room["C"], P["A"] == 0, P["C"] == 1)
r = s.check()
print(r)
if r == sat:
    m = s.model()
    print("A in period", m[P["A"]], "B in period", m[P["B"]].as_long() > 0)
    print("C big room:", is_true(m[big_room["C"]]))
s.add(big_room["B"], P["B"] == 0)
print(s.check())
