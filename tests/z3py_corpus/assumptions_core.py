# Which requests make the plan impossible? Assumption literals and a minimal core.
from z3 import *

start = {n: Int(n) for n in ["setup", "run", "report"]}
s = Solver()
s.add(start["setup"] >= 0)
s.add(start["run"] >= start["setup"] + 3)
s.add(start["report"] >= start["run"] + 4)

requests = {
    "early_report": Bool("early_report"),
    "late_setup": Bool("late_setup"),
    "quick_run": Bool("quick_run"),
    "any_day": Bool("any_day"),
}
s.add(Implies(requests["early_report"], start["report"] <= 8))
s.add(Implies(requests["late_setup"], start["setup"] >= 2))
s.add(Implies(requests["quick_run"], start["run"] <= 6))
s.add(Implies(requests["any_day"], start["report"] >= 0))

print(s.check(list(requests.values())))
core = s.unsat_core()
# shrink the core by deletion, as the z3 guide suggests
core = list(core)
i = 0
while i < len(core):
    trial = core[:i] + core[i + 1:]
    if s.check(trial) == unsat:
        core = trial
    else:
        i += 1
print("minimal core:", sorted(str(c) for c in core))
print(s.check(requests["early_report"], requests["quick_run"], requests["any_day"]))
