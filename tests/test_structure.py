"""The package's structure: the boundaries DESIGN.md promises, checked on the source."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from ansopt.rules import all_rules

PKG = Path(__file__).resolve().parent.parent / "ansopt"


def _modules():
    for p in sorted(PKG.rglob("*.py")):
        yield p, ast.parse(p.read_text(encoding="utf-8"), filename=str(p))


def test_rule_module_names_match_their_slugs():
    wrong = []
    for r in all_rules():
        name = r.module.__name__.rsplit(".", 1)[1]
        want = f"{r.code.lower()}_{r.slug.replace('-', '_')}"
        if name != want:
            wrong.append(f"{name} holds {r.code} {r.slug}: name it {want}.py")
    assert not wrong, wrong


def test_no_single_letter_module_aliases():
    found = []
    for p, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found += [
                    f"{p.relative_to(PKG)}:{node.lineno}: as {a.asname}"
                    for a in node.names
                    if a.asname and len(a.asname) == 1
                ]
    assert not found, found


@pytest.mark.parametrize(
    "layer,upward",
    [
        ("source", ("model", "rules", "fixers", "engine", "report", "cli", "selection")),
        ("model", ("rules", "fixers", "engine", "report", "cli", "selection")),
        ("rules", ("fixers.verify", "engine", "report", "cli", "selection")),
        ("fixers", ("rules", "engine", "report", "cli", "selection")),
        ("report", ("rules", "fixers", "engine", "cli")),
    ],
)
def test_nothing_imports_upward(layer, upward):
    """discover → source → model → rules → fixers → engine → report: a stage imports only
    from stages before it (and the shared diagnostics, knowledge and settings)."""
    bad = []
    for p, tree in _modules():
        rel = p.relative_to(PKG)
        if rel.parts[0] != layer:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = list(rel.parts[:-1])[: len(rel.parts) - node.level]
                target = ".".join(base + ([node.module] if node.module else []))
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ansopt."):
                target = node.module[len("ansopt.") :]
            else:
                continue
            names = [target] + [f"{target}.{a.name}" if target else a.name for a in node.names]
            if any(n == u or n.startswith(u + ".") for n in names for u in upward):
                bad.append(f"{rel}:{node.lineno}: imports {target or names[1:]}")
    assert not bad, bad


def _module_name(p: Path) -> str:
    parts = ["ansopt", *p.relative_to(PKG).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST):
    """Every import statement run at some point: at any depth (in functions too), except
    under `if TYPE_CHECKING:` (never run)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))


def import_graph(sources: dict[str, tuple[bool, ast.Module]] | None = None) -> dict[str, dict[str, int]]:
    """{module: {imported module: first line}} over `sources` ({module name: (is a package,
    AST)}; default: every module under ansopt/), relative imports resolved; `from pkg import
    name` counts as an import of the submodule pkg.name when there is one."""
    if sources is None:
        sources = {_module_name(p): (p.name == "__init__.py", tree) for p, tree in _modules()}
    graph: dict[str, dict[str, int]] = {}
    for name, (is_package, tree) in sources.items():
        package = name if is_package else name.rpartition(".")[0]
        edges: dict[str, int] = {}
        for node in _imports(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    mod = ".".join(base + ([node.module] if node.module else []))
                else:
                    mod = node.module or ""
                subs = [f"{mod}.{a.name}" for a in node.names if f"{mod}.{a.name}" in sources]
                targets = subs if len(subs) == len(node.names) else [mod, *subs]
            for t in targets:
                while t and t not in sources:
                    t = t.rpartition(".")[0]  # `import ansopt.x.y` where only ansopt.x is ours, say
                if t and t != name:
                    edges[t] = min(edges.get(t, node.lineno), node.lineno)
        graph[name] = edges
    return graph


def import_cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One cycle (a list of modules, the first repeated at the end) per strongly connected
    component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    sccs: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    cycles = []
    for comp in sccs:
        members = set(comp)
        # the shortest way back from the component's first module to itself (BFS)
        start = comp[0]
        prev: dict[str, str] = {}
        queue = [start]
        found = None
        while queue and found is None:
            nxt = []
            for v in queue:
                for w in sorted(graph[v]):
                    if w not in members:
                        continue
                    if w == start:
                        found = v
                        break
                    if w not in prev:
                        prev[w] = v
                        nxt.append(w)
                if found:
                    break
            queue = nxt
        path = [start]
        v = found
        while v is not None and v != start:
            path.append(v)
            v = prev.get(v)
        cycles.append([start, *reversed(path[1:]), start])
    return cycles


# Import cycles known and accepted, each as the sorted modules of its strongly connected
# component. Empty: there are none.
ALLOWED_CYCLES: list[list[str]] = []


def test_import_cycles_are_found():
    graph = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}
    assert import_cycles(graph) == [["a", "b", "c", "a"]]
    assert import_cycles({"a": {"b": 1}, "b": {}}) == []


def test_import_graph_sees_function_level_and_relative_imports():
    def src(text: str) -> ast.Module:
        return ast.parse(textwrap.dedent(text))

    sources = {
        "pkg": (True, src("from . import a\n")),
        "pkg.a": (False, src("from .sub import b\n")),
        "pkg.sub": (True, src("")),
        "pkg.sub.b": (
            False,
            src("""
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from ..a import X
            def f():
                from pkg.sub import c
                return c
            """),
        ),
        "pkg.sub.c": (False, src("import pkg.a.nothing\n")),
    }
    graph = import_graph(sources)
    assert graph == {
        "pkg": {"pkg.a": 1},
        "pkg.a": {"pkg.sub.b": 1},
        "pkg.sub": {},
        "pkg.sub.b": {"pkg.sub.c": 6},  # not pkg.a: only under TYPE_CHECKING
        "pkg.sub.c": {"pkg.a": 1},
    }
    assert import_cycles(graph) == [["pkg.a", "pkg.sub.b", "pkg.sub.c", "pkg.a"]]
    assert "ansopt.discover" in import_graph()["ansopt.model.project"]


def test_no_import_cycles():
    """No module imports itself through others, at module level or inside functions."""
    graph = import_graph()
    found = []
    for cycle in import_cycles(graph):
        if sorted(set(cycle)) in ALLOWED_CYCLES:
            continue
        steps = [f"{a} (line {graph[a][b]}) -> {b}" for a, b in zip(cycle, cycle[1:])]
        found.append("import cycle:\n  " + "\n  ".join(steps))
    assert not found, "\n".join(found)


def test_caches_are_declared_not_poked_into_instance_dicts():
    """Caches are attributes their owners declare (Project.scopes, Play.expanded, ...), not
    `obj.__dict__` entries a rule adds."""
    found = []
    for p, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "__dict__":
                if isinstance(node.value, ast.Name) and node.value.id in ("fcollector",):
                    continue  # knowledge/build.py reads a module's namespace
                found.append(f"{p.relative_to(PKG)}:{node.lineno}")
    assert not found, found
