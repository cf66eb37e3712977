"""Theory solvers: each a Cython module with a pure-Python *_ref twin (see smtsched/theory.py)."""
