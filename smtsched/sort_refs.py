"""z3's sort objects (what IntSort() and x.sort() give), in a module that imports nothing, so
that smtsched.terms can hand them out (Term.sort is callable) without an import circle."""


class SortRef:
    """Int, Real or Bool, printing as z3 prints them."""

    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name

    def name(self):
        return self._name

    def kind(self):
        return self._name

    def sexpr(self):
        return self._name

    def __eq__(self, other):
        if isinstance(other, SortRef):
            return self._name == other._name
        return NotImplemented

    def __ne__(self, other):
        if isinstance(other, SortRef):
            return self._name != other._name
        return NotImplemented

    def __hash__(self):
        return hash(("sort", self._name))

    def __repr__(self):
        return self._name

    __str__ = __repr__


_SORTS = {name: SortRef(name) for name in ("Bool", "Int", "Real")}



def sort_of(name):
    return _SORTS[name]
