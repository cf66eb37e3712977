"""The certificate checker (docs/certificates.md): trusts only the input file and this package.

It imports nothing from smtsched outside smtsched/certify/check (tests/test_certify_check.py
parses the imports), only the standard library and PySAT's MiniSat-class solvers.
"""

__all__ = ["check", "Verdict", "Encoding", "readers"]

from .encoding import Encoding


def check(directory, input=None, engine=None):
    """Check the certificate in `directory` (or each numbered sub-folder's); see verify.check.

    Returns a Verdict: `ok`, `status` ("verified", "rejected", "incomplete"), `reason`."""
    from .verify import check as _check
    return _check(directory, input, engine)


def __getattr__(name):
    # Verdict and readers live in verify.py; imported on demand so that readers
    # (.smtlib, .sched) can import .encoding without a cycle through verify.
    if name in ("Verdict", "readers"):
        from . import verify
        return getattr(verify, name)
    raise AttributeError(name)
