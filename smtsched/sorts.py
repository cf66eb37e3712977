"""z3's sort objects for the three sorts of the fragment: IntSort(), RealSort(), BoolSort(),
and Const / Consts, which declare constants of a given sort (z3.Const(name, IntSort()))."""
from .errors import SortError, UnsupportedError
from .terms import BOOL, INT, REAL, Term


from .sort_refs import SortRef, _SORTS, sort_of  # noqa: E402,F401  (re-exported)


def IntSort(ctx=None):
    return _SORTS[INT]


def RealSort(ctx=None):
    return _SORTS[REAL]


def BoolSort(ctx=None):
    return _SORTS[BOOL]


def _sort_name(sort):
    if isinstance(sort, SortRef):
        return sort.name()
    if sort in _SORTS:
        return sort
    raise UnsupportedError(f"the sort {sort!r}: smtsched has Int, Real and Bool constants only")


def Const(name, sort):
    if not isinstance(name, str):
        raise SortError(f"a constant's name is a string, got {name!r}")
    return Term("var", (), _sort_name(sort), name=name)


def Consts(names, sort):
    if isinstance(names, str):
        names = names.split()
    return [Const(name, sort) for name in names]


def FreshInt(prefix="x"):
    return _fresh(prefix, INT)


def FreshReal(prefix="x"):
    return _fresh(prefix, REAL)


def FreshBool(prefix="b"):
    return _fresh(prefix, BOOL)


_fresh_count = [0]


def _fresh(prefix, sort):
    # z3 names them prefix!N; the "!" keeps them apart from any name a user writes
    name = f"{prefix}!{_fresh_count[0]}"
    _fresh_count[0] += 1
    return Term("var", (), sort, name=name)
