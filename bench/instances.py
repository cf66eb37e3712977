"""Turn an instance name (+ bound) into a Formula, for both families."""

from bench import jobshop, random_dl


def family_of(name):
    return "random" if name.startswith("rdl-") else "jobshop"


def build(name, bound, data_dir):
    """Returns (formula, context) where context is the jobshop Instance (or None)."""
    if family_of(name) == "random":
        return random_dl.generate(name), None
    inst = jobshop.load(data_dir, name)
    if bound is None:
        bound = jobshop.optimum(data_dir, name)
    return jobshop.encode(inst, bound), inst
