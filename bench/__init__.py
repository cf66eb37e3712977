"""smtsched benchmark harness: job-shop decision problems and random difference logic,
solved by smtsched, z3 (Python API) and yices (SMT-LIB 2 via the yices-smt2 binary).

Entry point: ``python -m bench.run --help`` (from the checkout root).
"""
