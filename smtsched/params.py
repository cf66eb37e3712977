"""z3's parameter names (set_param, Solver.set, Optimize.set) and the global defaults that
new Solvers and Optimizes take."""


# Global defaults that new Solvers and Optimizes take (set_param), by smtsched option name.
_PARAMS = {}
# z3 parameters that change no answer here: accepted and ignored (pretty-printing, verbosity,
# threads: smtsched's search is single-threaded and deterministic either way).
_IGNORED = {"verbose", "parallel.enable", "parallel.threads.max", "model", "model.completion",
            "pp.max_lines", "pp.max_width", "pp.max_depth", "pp.max_num_lines",
            "pp.decimal", "pp.decimal_precision", "smtlib2_compliant", "threads",
            "proof", "trace", "auto_config", "unsat_core", "well_sorted_check",
            "type_check", "warning", "memory_max_alloc_count", "stats",
            # printer options given as global parameters: z3 warns and ignores them
            "rational_to_decimal", "precision"}
# z3 names of smtsched's options
_ALIASES = {"timeout": "timeout", "smt.timeout": "timeout", "random_seed": "seed",
            "smt.random_seed": "seed", "sat.random_seed": "seed", "seed": "seed",
            "memory_max_size": "memory", "max_conflicts": "max_conflicts",
            "sat.max_conflicts": "max_conflicts", "smt.max_conflicts": "max_conflicts"}


def option_name(name):
    """smtsched's name of a z3 parameter, None for one that is ignored; ValueError for one
    smtsched does not know."""
    key = name.replace(":", "").lower()
    if key in _ALIASES:
        return _ALIASES[key]
    if key in _IGNORED or key.startswith("pp."):
        return None
    raise ValueError(f"the parameter {name!r} is not supported by smtsched (it knows "
                     "timeout, random_seed / smt.random_seed, max_conflicts, memory_max_size "
                     "and ignores pretty-printing and verbosity parameters)")


def set_param(*args, **keywords):
    """z3.set_param("timeout", 1000) or set_param(timeout=1000): defaults for the Solvers and
    Optimizes created afterwards."""
    if len(args) % 2:
        raise ValueError("set_param takes name/value pairs or keyword arguments")
    pairs = list(zip(args[::2], args[1::2])) + list(keywords.items())
    for name, value in pairs:
        mine = option_name(str(name))
        if mine is not None:
            _PARAMS[mine] = value


def get_param(name):
    mine = option_name(str(name))
    return _PARAMS.get(mine) if mine is not None else None


def reset_params():
    _PARAMS.clear()


def global_params():
    return dict(_PARAMS)




def set_option(*args, **keywords):
    """z3's set_option: printer options as keywords (rational_to_decimal, precision; the
    layout ones are accepted without effect), everything else as set_param."""
    from .print_options import set_printing
    rest = {}
    for name, value in keywords.items():
        if not set_printing(name, value):
            rest[name] = value
    set_param(*args, **rest)
