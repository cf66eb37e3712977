"""No import circles among smtsched's modules (issue 20).

The import graph is read from the source with `ast`: every `import smtsched...` and every
`from ... import` of smtsched, at the top of a module or inside a function (a function-level
import only postpones a circle to the first call). An edge goes to the module named, and to
each submodule named in `from package import submodule`. A circle in that graph fails the test,
naming every module on it and the line of each import.

Importing `p.q.m` from outside the package `p.q` also runs `p/q/__init__.py`; those edges are
counted by the second test. (It found one: solver.py imported the SMT-LIB printer from
smtsched/smtlib/, whose __init__ imports the script interpreter, which imports solver. The
printer, which needs only the terms, moved to smtsched/printer.py.)
"""
import ast
import os


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def modules(root):
    """{dotted module name: (file, is a package __init__)} of smtsched below `root`. A Cython
    module (.pyx) is a module too, as an import target (its own imports are not read)."""
    found = {}
    for folder, _, files in os.walk(os.path.join(root, "smtsched")):
        for name in files:
            if not name.endswith((".py", ".pyx")):
                continue
            path = os.path.join(folder, name)
            dotted = os.path.splitext(os.path.relpath(path, root))[0].replace(os.sep, ".")
            if dotted.endswith(".__init__"):
                dotted = dotted[:-len(".__init__")]
            found[dotted] = (path, name == "__init__.py")
    return found


def imported(name, path, is_package, known):
    """(target module, line) for every import of smtsched in the module's source."""
    with open(path, encoding="utf-8") as source:
        tree = ast.parse(source.read(), path)
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "smtsched" or alias.name.startswith("smtsched."):
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[:len(parts) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not (target == "smtsched" or target.startswith("smtsched.")):
                continue
            submodules = [f"{target}.{a.name}" for a in node.names
                          if f"{target}.{a.name}" in known]
            if len(submodules) < len(node.names):
                yield target, node.lineno  # a name defined in the module itself
            for submodule in submodules:
                yield submodule, node.lineno


def import_graph(root, package_inits=False):
    """{module: {imported module: line}}. With `package_inits`, importing p.q.m from outside
    p.q also leads to p.q (its __init__ runs first)."""
    known = modules(root)
    graph = {}
    for name, (path, is_package) in known.items():
        edges = graph[name] = {}
        if path.endswith(".pyx"):
            continue
        for target, line in imported(name, path, is_package, known):
            if target in known and target != name:
                edges.setdefault(target, line)
            if package_inits:
                parts = target.split(".")
                for k in range(2, len(parts)):
                    parent = ".".join(parts[:k])
                    if parent in known and parent != name and \
                            not name.startswith(parent + "."):
                        edges.setdefault(parent, line)
    return graph


def circles(graph):
    """The strongly connected components of more than one module (Tarjan's algorithm,
    iterative), each sorted, sorted."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(graph[target])))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return sorted(found)


def describe(graph, found):
    lines = []
    for component in found:
        members = set(component)
        lines.append("circle: " + ", ".join(component))
        for name in component:
            for target, line in graph[name].items():
                if target in members:
                    lines.append(f"  {name} line {line} imports {target}")
    return "\n".join(lines)


def test_the_cycle_finder_finds_a_circle_and_no_false_one():
    graph = {"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3, "d": 4}, "d": {}, "e": {"d": 1}}
    assert circles(graph) == [["a", "b", "c"]]
    assert circles({"a": {"b": 1}, "b": {}, "c": {"a": 1, "b": 2}}) == []


def test_the_import_reader_sees_function_level_and_relative_imports(tmp_path):
    package = tmp_path / "smtsched"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("from .a import f\n")
    (package / "sub" / "a.py").write_text("def f():\n    from . import b\n    return b\n")
    (package / "sub" / "b.py").write_text("from ..sub.a import f\nimport smtsched.c\n")
    (package / "c.py").write_text("")
    graph = import_graph(str(tmp_path))
    assert graph["smtsched.sub.a"] == {"smtsched.sub.b": 2}
    assert graph["smtsched.sub.b"] == {"smtsched.sub.a": 1, "smtsched.c": 2}
    assert circles(graph) == [["smtsched.sub.a", "smtsched.sub.b"]]


def test_smtsched_has_no_import_circle():
    graph = import_graph(ROOT)
    found = circles(graph)
    assert not found, describe(graph, found)


def test_smtsched_has_no_import_circle_through_package_inits():
    graph = import_graph(ROOT, package_inits=True)
    found = circles(graph)
    assert not found, describe(graph, found)
