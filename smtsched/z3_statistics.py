"""The statistics of a check as z3's Statistics object shows them, and still the dict that
smtsched's own code reads (`s.statistics()["conflicts"]`, `dict(...)`, `.items()`).

What z3 scripts do with it (z3.py, Statistics): `for key, value in st`, `st[i]` (the i-th
(key, value) pair), `st.keys()`, `st.get_key_value(key)`, `st.key` with spaces written as
underscores, `len(st)`, and print(st), which writes `(:key value` rows sorted by key, padded,
and floats with two decimals. The counters are smtsched's (conflicts, decisions, the
theories' own); z3's own (rlimit count, memory) have no counterpart here."""


class Statistics(dict):

    def __iter__(self):
        # z3: iterating gives (key, value) pairs; dict(st) still works (it uses keys())
        return iter(list(self.items()))

    def __getitem__(self, key):
        if isinstance(key, int) and not isinstance(key, bool):
            return list(self.items())[key]
        return dict.__getitem__(self, key)

    def keys(self):
        return list(dict.keys(self))

    def get_key_value(self, key):
        if key not in self:
            raise KeyError(f"unknown key {key!r} (the statistics have {self.keys()})")
        return dict.__getitem__(self, key)

    def __getattr__(self, name):
        for key in (name, name.replace("_", " ")):
            if dict.__contains__(self, key):
                return dict.__getitem__(self, key)
        raise AttributeError(name)

    def __repr__(self):
        if not self:
            return "(:)"
        width = max(len(key) for key in dict.keys(self))
        rows = []
        for key, value in sorted(self.items()):   # z3 prints them sorted
            text = f"{value:.2f}" if isinstance(value, float) else str(value)
            rows.append(f":{key.replace(' ', '-').ljust(width)} {text}")
        return "(" + "\n ".join(rows) + ")"

    __str__ = __repr__
