# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# distutils: language = c++
"""The time graph: what a difference-logic theory shows the global theories (disjunctive,
cumulative, cost) that reason on its bounds.

Two theories implement it: the dense one (difference.pyx: an all-pairs matrix, small graphs)
and the sparse one (sparse_difference.pyx: adjacency lists, bounds from the origin, any size).
The global theories (global_theory.pyx) hold a `TimeGraph` and read through it only:

* the bounds of a node: `window` / `earliest` (inline; the pointers of time_graph.pxd), exact
  for the active edges trail[:qhead];
* the atom tables: var_atom, atom_value, atom_implied, atom_position, the trail and qhead;
* a path behind a bound, into `stack`: `search_path` (among the edges at trail positions up
  to a limit: the ones active when a lazy reason was due) and `store_path` (the path that
  gives the bound now, for a conflict explained at once); `edge_literal` names its edges.

The bound reads are inline and the path methods were virtual before (cdef methods of the
dense class), so the dense theory loses nothing by the indirection.
"""
from libc.stdint cimport int32_t, int64_t


cdef class TimeGraph:
    """Abstract: a subclass sets the bounds and answers the path queries."""

    cdef void search_path(self, int32_t source, int32_t target, int64_t bound,
                          int32_t limit) except *:
        # (not NotImplementedError: that is the theory contract's default, which no compiled
        # theory repeats; tests/test_ext.py)
        raise TypeError(f"{type(self).__name__} has no path search: a TimeGraph subclass "
                        "must answer it")

    cdef void store_path(self, int32_t source, int32_t target) except *:
        raise TypeError(f"{type(self).__name__} has no stored paths: a TimeGraph subclass "
                        "must answer it")
