# simplify on the linear terms and comparisons of a project plan.
from z3 import *

a, b, c, horizon = Ints("a b c horizon")
terms = [a + 3 - 3, a + 1 + 2, (b + 4) - (a + 4), 2 * a + 3 * a - a, a - b + b - a,
         3 - a, -(a + b), 2 * (a + 1) - 2, a * 2 + 1, c + b + a - b]
for t in terms:
    print(t, "->", simplify(t))
constraints = [b + 4 <= c + 4, a + 3 <= b, a - b <= 3, 3 <= a, a + 2 >= 5,
               2 * a <= 5, 3 * a >= 7, -a <= 3, a + 1 < b, a - b > 3, a != b,
               a + 1 == b, a - a <= 0, a + 5 <= horizon]
for t in constraints:
    print(t, "->", simplify(t))
r, q = Reals("r q")
for t in [r / 2 + r / 2, r / 2 + q / 3, 2 * r - r, r + 0.5 - q, 2 * r <= 3, r / 2 <= q]:
    print(t, "->", simplify(t))
