# The compiled theories' common base: the optional parts of the engine contract with their
# defaults (smtsched/theory.py), written once. See contract.pyx.


cdef class CompiledTheory:
    pass
