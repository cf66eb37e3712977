"""The model that `smtsched.Solver` and `smtsched.Optimize` hand to users: smtsched.solver.Model
with z3's conventions where they differ from what smtsched's own code relies on.

- `m[x]` gives Z3IntNumRef / Z3RatNumRef (smtsched.values), whose arithmetic prints as z3's
  terms (`m[x] + 1` prints `0 + 1`) while staying the numbers;
- `m.eval(t)` defaults to model_completion=False, as z3's: a variable the model has no value
  for stays in the result, which is simplified (smtsched.z3_simplify) as z3 simplifies it;
  with model_completion=True such a variable gets 0 / False and, as in z3, joins the model
  (m.decls(), len(m), print(m) show it afterwards).
The internal users (smtsched.sched, the SMT-LIB front end, Optimize) keep smtsched.solver.Model.
"""
from fractions import Fraction

from .solver import Model
from .terms import BOOL, INT, Term, variables
from .values import user_value


class Z3Model(Model):
    __doc__ = Model.__doc__

    def __init__(self, model):
        # the values are shared: what model completion adds is seen by the solver's model
        # too, as z3's completion changes the one model both hold
        super().__init__(model._values)

    def __getitem__(self, var):
        value = super().__getitem__(var)
        return user_value(value) if not isinstance(value, Term) and \
            not hasattr(value, "name") else value

    def eval(self, term, model_completion=False):
        from .z3_simplify import simplify
        if not isinstance(term, Term):
            if getattr(term, "_z3_term", None) is not None:
                return user_value(simplify(term))
            return term
        missing = [var for var in variables([term]) if var.key() not in self._values]
        if missing and not model_completion:
            return simplify(self._substitute(term))
        for var in missing:
            self._values[var.key()] = (False if var.sort == BOOL else 0 if var.sort == INT
                                       else Fraction(0))
        return user_value(self._raw_eval(term), term.sort)

    evaluate = eval

    def get_interp(self, decl):
        """z3's m.get_interp(x.decl()): the constant's value, as m[decl]."""
        return self[decl]


def as_z3_model(model):
    return model if model is None or isinstance(model, Z3Model) else Z3Model(model)
