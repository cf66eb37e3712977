"""OR-Tools CP-SAT the same way in every suite: a built model gets what is left of the time
limit after building (time.perf_counter since the child's Clock started), the given number of
workers, and its answer in the harness's terms (status OPTIMAL | FEASIBLE | INFEASIBLE |
UNKNOWN with the reason, objective, proven bound, build and solve times)."""
import math


def solve(model, clock, timeout, workers, seed=None, callback=None):
    """(CpSolver, its status code, out): `clock` started where model building started;
    `callback` (a CpSolverSolutionCallback or None) sees every solution."""
    from ortools.sat.python import cp_model
    build = clock()
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, timeout - build)
    solver.parameters.num_workers = workers
    if seed is not None:
        solver.parameters.random_seed = seed
    code = solver.Solve(model, callback)
    solve_time = clock() - build
    status = solver.StatusName(code)
    out = {"status": status, "build_time": build, "solve_time": solve_time,
           "time": build + solve_time, "cpsat_wall": solver.WallTime(),
           "stats": {"branches": solver.NumBranches(), "conflicts": solver.NumConflicts()}}
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        out["objective"] = int(round(solver.ObjectiveValue()))
        out["bound"] = int(math.ceil(solver.BestObjectiveBound() - 1e-6))
    elif code != cp_model.INFEASIBLE:
        out["status"] = "UNKNOWN"
        out["reason"] = status
        if code == cp_model.MODEL_INVALID:
            out["reason"] = "MODEL_INVALID: %s" % model.Validate()
    return solver, code, out


def found(code):
    """Whether the status code comes with a solution."""
    from ortools.sat.python import cp_model
    return code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
