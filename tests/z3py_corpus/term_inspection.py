# Walking formulas as z3 users do: decl, children, is_const, sort; collecting the variables.
from z3 import *

def variables(e, found):
    if is_const(e) and e.decl().kind() == Z3_OP_UNINTERPRETED:
        if not any(e.eq(v) for v in found):
            found.append(e)
    for child in e.children():
        variables(child, found)
    return found

x, y, z = Ints("x y z")
p = Bool("p")
f = And(x - y <= 3, Or(p, y + 2 * z >= 4), If(p, x, z) > 0)
print([str(v) for v in variables(f, [])])
print(f.decl(), f.num_args(), [str(c) for c in f.children()])
g = f.arg(1)
print(g, g.decl(), g.decl().name(), g.arg(1), g.arg(1).decl(), g.arg(1).children())
t = x * 2 + 1
print(t.decl(), t.children(), t.arg(0).children(), t.sort(), (x <= y).sort())
print(x.decl(), x.decl().name(), x.decl().arity(), x.num_args(), x.children())
print(is_add(t), is_mul(t.arg(0)), is_le(x <= y), is_app(x), is_const(x), is_const(t))
print((x + 1).eq(x + 1), (x + 1).eq(1 + x), x.eq(Int("x")), x.hash() == Int("x").hash())
