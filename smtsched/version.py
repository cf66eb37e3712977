"""smtsched's version, in a module of its own: the SMT-LIB front end prints it (get-info
:version) without importing the package's __init__, which would close an import circle."""
__version__ = "0.1.0"
