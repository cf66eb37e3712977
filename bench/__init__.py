"""smtsched benchmark harness: job-shop decision problems and random difference logic,
solved by smtsched, z3 (Python API) and yices (SMT-LIB 2 via the yices-smt2 binary).

Entry point: ``python -m bench.run --help`` (from the checkout root).
"""

import os as _os
import sys as _sys

# `python -m bench.run` from the checkout root puts the root on sys.path, and there the source
# folder smtsched/ (without the compiled theories, which install as smtsched.theories) would
# shadow the installed package. `bench` itself is imported by now, so keep the root out.
_ROOT = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
_sys.path[:] = [p for p in _sys.path if _os.path.abspath(p or _os.curdir) != _ROOT]
