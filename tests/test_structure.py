"""The package's structure: the boundaries DESIGN.md promises, checked on the source."""

from __future__ import annotations

import ast
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
                found += [f"{p.relative_to(PKG)}:{node.lineno}: as {a.asname}" for a in node.names if a.asname and len(a.asname) == 1]
    assert not found, found


@pytest.mark.parametrize("layer,upward", [
    ("source", ("model", "rules", "fixers", "engine", "report", "cli", "selection")),
    ("model", ("rules", "fixers", "engine", "report", "cli", "selection")),
    ("rules", ("fixers.verify", "engine", "report", "cli", "selection")),
    ("fixers", ("rules", "engine", "report", "cli", "selection")),
    ("report", ("rules", "fixers", "engine", "cli")),
])
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
                target = node.module[len("ansopt."):]
            else:
                continue
            names = [target] + [f"{target}.{a.name}" if target else a.name for a in node.names]
            if any(n == u or n.startswith(u + ".") for n in names for u in upward):
                bad.append(f"{rel}:{node.lineno}: imports {target or names[1:]}")
    assert not bad, bad
