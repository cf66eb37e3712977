# distutils: language = c++
"""Python side of the compiled DRUP checker (drup.hpp, drup.cpp); rup.py is its only user."""

import os

from libcpp cimport bool as cbool
from libcpp.string cimport string
from libcpp.vector cimport vector

cdef extern from "drup.hpp" namespace "smtsched_drup":
    cdef cppclass Checker:
        Checker() except +
        void add_formula(const int* lits, int n) except +
        void add_step(long long line, cbool deleted, const int* lits, int n) except +
        cbool load_file(const string& path, long long max_var, cbool stop_at_empty) except +
        void clear_steps()
        int run(cbool final, cbool honour_deletions, cbool forward) except +
        long long fail_line
        cbool saw_empty
        long long checked, added, deleted, ignored_deletions, rescans

ACCEPTED, NOT_RUP, NO_CONFLICT, INTERNAL = 0, 1, 2, 3


cdef class DrupChecker:
    cdef Checker* c
    cdef vector[int] buf

    def __cinit__(self):
        self.c = new Checker()

    def __dealloc__(self):
        del self.c

    cdef int _fill(self, lits) except -1:
        self.buf.clear()
        for lit in lits:
            self.buf.push_back(lit)
        return 0

    def add_formula(self, lits):
        self._fill(lits)
        self.c.add_formula(self.buf.data(), <int>self.buf.size())

    def add_step(self, long long line, deleted, lits):
        self._fill(lits)
        self.c.add_step(line, bool(deleted), self.buf.data(), <int>self.buf.size())

    def load_file(self, path, long long max_var, stop_at_empty=True):
        """Reads the text DRUP file; False (nothing kept) when the Python reader should."""
        return self.c.load_file(os.fsencode(path), max_var, bool(stop_at_empty))

    def clear_steps(self):
        self.c.clear_steps()

    def run(self, final=True, honour_deletions=True, forward=False):
        return self.c.run(bool(final), bool(honour_deletions), bool(forward))

    @property
    def fail_line(self):
        return self.c.fail_line

    @property
    def saw_empty(self):
        return self.c.saw_empty

    @property
    def stats(self):
        return {"checked": self.c.checked, "added": self.c.added, "deleted": self.c.deleted,
                "ignored_deletions": self.c.ignored_deletions, "rescans": self.c.rescans}
