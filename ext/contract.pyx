# cython: language_level=3
"""The base class of every compiled theory: the contract's optional parts, defaulted once.

`smtsched.theory.Theory` is a Python class, and a cdef class cannot derive from one (Cython's
`cdef_classes` tutorial), so the compiled theories used to repeat its defaults each
(difference, global_theory, pseudo_boolean). They derive from this cdef class instead, which
is registered with `Theory` (aio-libs/multidict's `_abc.py` pattern): so is every subclass.
The defaults are the same as `Theory`'s; tests/test_ext.py holds them side by side.
"""
from smtsched.theory import Theory


cdef class CompiledTheory:
    """The optional parts of the contract with `Theory`'s defaults. A subclass declares the
    required methods and overrides what it answers."""

    #: the theory may return literals that another theory owns (foreign literals); a global
    #: theory that decides it per instance shadows this with a readonly attribute
    propagates_foreign = False
    #: a foreign propagator that never offers a literal the owner implied already
    offers_fresh = False

    def statistics(self):
        return {}

    def literal_value(self, lit):
        raise NotImplementedError(f"{type(self).__name__} answers no literal values")

    def distance(self, u, v):
        raise NotImplementedError(f"{type(self).__name__} has no graph distances")

    def path_literals(self, u, v):
        raise NotImplementedError(f"{type(self).__name__} has no graph paths")

    def add_atom(self, var, u, v, w_true, w_false):
        raise NotImplementedError(f"{type(self).__name__} takes no difference atoms")


Theory.register(CompiledTheory)  # and so every compiled theory
