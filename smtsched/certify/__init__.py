"""Certificates for unsat, INFEASIBLE and OPTIMAL answers (docs/certificates.md).

`smtsched.certify.check(DIR, input=None)` runs the independent checker: `check` is the
checker's package (smtsched.certify.check, which imports nothing from the engine), made
callable here, because a subpackage and a function cannot share the name otherwise (importing
the subpackage rebinds the name). The emitting side (smtsched.certify.emit: `Certificate`,
`write`) imports the engine, so it is imported on first use only.
"""
import types

from . import check


class _CallableChecker(types.ModuleType):
    def __call__(self, directory, input=None):
        return self.check(directory, input)


check.__class__ = _CallableChecker

__all__ = ["check", "write", "Certificate"]


def __getattr__(name):
    if name in ("write", "Certificate"):
        from . import emit
        return getattr(emit, name)
    raise AttributeError(name)
