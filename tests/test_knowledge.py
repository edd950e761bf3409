"""ansopt.knowledge: only knowledge/build.py imports ansible-core; the entries rules read
(actions refusing async, removed ansible.cfg keys) and that they come from the cache."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

from ansopt import knowledge
from ansopt.knowledge import build as kbuild
from ansopt.knowledge import cache as kcache

PKG = Path(__file__).resolve().parent.parent / "ansopt"
ALLOWED = ("knowledge/build.py", "ansible_plugins/")


def _is_ansible(name: str | None) -> bool:
    return name is not None and (name == "ansible" or name.startswith("ansible."))


def ansible_imports(source: str) -> list[int]:
    """Lines of `source` that import ansible-core: `import ansible...`, `from ansible... import`,
    at any depth (inside functions too), and `importlib.import_module("ansible...")` /
    `__import__("ansible...")` with a literal name."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import) and any(_is_ansible(a.name) for a in node.names):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _is_ansible(node.module):
            lines.append(node.lineno)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            if (
                name in ("import_module", "__import__")
                and isinstance(node.args[0].value, str)
                and _is_ansible(node.args[0].value)
            ):
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize(
    "source,found",
    [
        ("import ansible\n", [1]),
        ("import os, ansible.constants as C\n", [1]),
        ("def f():\n    if x:\n        from ansible.parsing.splitter import parse_kv\n", [3]),
        ("from ansible import constants\n", [1]),
        ("import importlib\nm = importlib.import_module('ansible.plugins.loader')\n", [2]),
        ("from . import ansible_plugins\nfrom .ansible import x\nimport ansible_runner\nimport ansiblelint\n", []),
    ],
)
def test_the_import_scan_finds_ansible_imports(source, found):
    assert ansible_imports(source) == found


def test_only_knowledge_build_imports_ansible():
    bad = []
    for p in sorted(PKG.rglob("*.py")):
        rel = p.relative_to(PKG).as_posix()
        if rel == ALLOWED[0] or rel.startswith(ALLOWED[1]):
            continue
        bad += [f"{rel}:{line}" for line in ansible_imports(p.read_text(encoding="utf-8"))]
    assert not bad, f"only ansopt/knowledge/build.py may import ansible: {bad}"


def test_knowledge_build_is_where_ansible_is_imported():
    assert ansible_imports((PKG / "knowledge" / "build.py").read_text(encoding="utf-8"))


def test_parse_kv_through_knowledge():
    assert knowledge.parse_kv('a="b c" d=e') == {"a": "b c", "d": "e"}
    assert knowledge.parse_kv("echo hi creates=/x", check_raw=True) == {"_raw_params": "echo hi", "creates": "/x"}
    with pytest.raises(Exception, match="unbalanced"):  # ansible-core's own error (model.tasks falls back to raw)
        knowledge.parse_kv('a="b')


# --------------------------------------------------------------------------- entries


def _action_plugins_refusing_async() -> set[str]:
    """The old run-time derivation P301 made: read each action plugin's source."""
    core = knowledge.ansible_core_dir()
    assert core is not None
    return {
        "ansible.builtin." + py.stem
        for py in (core / "plugins" / "action").glob("*.py")
        if "_supports_async = True" not in py.read_text(encoding="utf-8")
    }


def test_async_refusing_actions():
    K = knowledge.get()
    refusing = K.async_refusing_actions
    assert {
        "ansible.builtin.copy",
        "ansible.builtin.template",
        "ansible.builtin.unarchive",
        "ansible.builtin.fetch",
    } <= refusing
    assert not {"ansible.builtin.command", "ansible.builtin.dnf", "ansible.builtin.get_url"} & refusing
    assert refusing == _action_plugins_refusing_async()
    assert K.action_refuses_async("ansible.builtin.unarchive")
    assert not K.action_refuses_async("ansible.builtin.command")
    assert not K.action_refuses_async("ansible.builtin.get_url")  # no action plugin: the normal one
    assert not K.action_refuses_async("community.general.copy")  # ansible-core cannot tell


def test_removed_ini_keys():
    K = knowledge.get()
    version, instead, renamed = K.removed_ini_key("defaults", "gather_subset")
    assert version == "2.18" and "module_defaults" in instead and renamed is None
    assert K.removed_ini_key("ssh_connection", "scp_if_ssh")[::2] == ("2.17", "transfer_method")
    assert K.removed_ini_key("defaults", "collections_paths")[2] == "collections_path"
    assert K.removed_ini_key("defaults", "forks") is None  # read by the installed ansible-core
    assert K.removed_ini_key("defaults", "no_such_key") is None
    assert K.removed_ini_key("privilege_escalation", "gather_subset") is None  # the section counts


def test_removed_ini_key_yields_to_the_installed_catalogue(monkeypatch):
    K = knowledge.get()
    monkeypatch.setitem(K.ini_index, ("defaults", "sudo_user"), [("", "", "DEFAULT_SUDO_USER")])
    assert K.removed_ini_key("defaults", "sudo_user") is None


# --------------------------------------------------------------------------- the cache


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """An empty cache folder and no knowledge loaded yet in this process."""
    monkeypatch.setenv("ANSOPT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(knowledge, "_KNOWLEDGE", None)
    return tmp_path


def _no_build(*_a, **_k):
    raise AssertionError("the knowledge was built again")


def test_entries_come_from_the_cache(monkeypatch, tmp_path):
    knowledge.get()  # the session's knowledge: built (or read) once, and in its cache file
    original = kcache.cache_file()
    data = json.loads(original.read_text(encoding="utf-8"))
    assert data["format"] == kcache.FORMAT and data["async_refusing_actions"]
    # the same file in a fresh cache folder, a fresh process state, and no building allowed
    monkeypatch.setenv("ANSOPT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(knowledge, "_KNOWLEDGE", None)
    shutil.copy(original, kcache.cache_file())
    monkeypatch.setattr(kbuild, "build_isolated", _no_build)
    monkeypatch.setattr(kbuild, "build", _no_build)
    K = knowledge.get()
    assert K.action_refuses_async("ansible.builtin.copy")
    assert K.removed_ini_key("defaults", "gather_subset") is not None
    assert K.async_refusing_actions == frozenset(data["async_refusing_actions"])


def test_without_a_cache_file_the_build_runs(fresh, monkeypatch):
    monkeypatch.setattr(kbuild, "build_isolated", _no_build)
    with pytest.raises(AssertionError, match="built again"):
        knowledge.get()


def test_an_older_format_is_built_again_once(fresh, monkeypatch):
    path = kcache.cache_file()
    assert f"-f{kcache.FORMAT}.json" in path.name
    path.write_text(json.dumps({"format": kcache.FORMAT - 1, "async_refusing_actions": []}), encoding="utf-8")
    (fresh / "knowledge-0.0-f1.json").write_text("{}", encoding="utf-8")
    calls = []

    def fake_build():
        calls.append(1)
        return {"format": kcache.FORMAT, "async_refusing_actions": ["ansible.builtin.x"]}

    monkeypatch.setattr(kbuild, "build_isolated", fake_build)
    assert knowledge.load_or_build()["async_refusing_actions"] == ["ansible.builtin.x"]
    assert knowledge.load_or_build()["async_refusing_actions"] == ["ansible.builtin.x"]
    assert calls == [1]  # the second read is the file written by the first
    assert sorted(p.name for p in fresh.glob("knowledge-*.json")) == [path.name]  # older files removed
