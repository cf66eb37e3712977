"""Shared Cython building blocks for the theories (typedefs and helpers)."""
