"""(minimize t) / (maximize t) for SMT-LIB scripts, on top of the public Solver.

After a check-sat answers sat, each objective is optimised in the order it was given
(lexicographically, as z3 does by default): from the model's value, probes `t <= v - 1` go down
in doubling steps until one is refuted, then bisect the remaining interval; the optimum is then
fixed (`t = v`) for the next objective. A maximised term is minimised negated. Only Int terms
whose bound is a difference constraint (a variable, or x - y) can be objectives.
"""
import time

from .. import terms as T
from ..solver import sat, unsat

UNBOUNDED_STEPS = 64  # doubling this often without a refutation: the objective is unbounded


class Objective:
    __slots__ = ("term", "sense", "text", "value")

    def __init__(self, term, sense, text):
        self.term = term
        self.sense = sense       # "min" or "max"
        self.text = text         # as written, for get-objectives
        self.value = None        # int, or "unbounded"


def optimise(solver, assumptions, objectives, deadline):
    """Optimise `objectives` in order under `assumptions` (the solver's last answer was sat).
    Returns "sat" (every objective optimal; the solver's model is optimal) or the reason the
    search stopped ("timeout", ...)."""
    fixed = []
    model = solver.model()  # the last sat model: the probes' refutations leave none
    for objective in objectives:
        t = objective.term if objective.sense == "min" else -objective.term
        best = model.eval(t)
        lower = None
        step = 1
        steps = 0
        while lower is None or lower < best:
            if lower is None:
                probe = best - step
            else:
                probe = (lower + best - 1) // 2
            if deadline is not None:
                left = deadline - time.perf_counter()
                if left <= 0:
                    return "timeout"
                solver.set(timeout=max(1, int(left * 1000)))
            answer = solver.check(*(assumptions + fixed + [t <= probe]))
            if answer == sat:
                model = solver.model()
                best = model.eval(t)
                if lower is None:
                    step *= 2
                    steps += 1
                    if steps > UNBOUNDED_STEPS:
                        break
            elif answer == unsat:
                lower = probe + 1
            else:
                return solver.reason_unknown() or "unknown"
        if lower is None:
            objective.value = "unbounded"
            continue
        objective.value = best if objective.sense == "min" else -best
        fixed.append(t == best)
    # leave the solver with a model of the optimum (for get-model / get-value)
    if deadline is not None:
        solver.set(timeout=max(1, int((deadline - time.perf_counter()) * 1000)))
    answer = solver.check(*(assumptions + fixed))
    if answer != sat:
        return solver.reason_unknown() or "the optimum could not be re-checked"
    return "sat"


def value_text(objective):
    if objective.value == "unbounded":
        return "(* (- 1) oo)" if objective.sense == "min" else "oo"
    return T.smtlib_number(objective.value, T.INT)
