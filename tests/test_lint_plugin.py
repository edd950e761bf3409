"""ansopt inside ansible-lint (ansopt.lint_plugin): the real ansible-lint, loading ansopt's
rule folder with `-r`, reports ansopt's findings beside its own, with the same files, lines and
codes as `ansopt check`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ansopt import lint_plugin

from .conftest import write_tree

pytest.importorskip("ansiblelint", reason="ansible-lint is a test extra: pip install -e '.[test]'")

PLAYBOOK = """\
---
- name: Web servers
  hosts: web
  tasks:
    - name: Install the tools
      ansible.builtin.apt:
        name: "{{ item }}"
      loop:
        - curl
        - jq
        - git
        - vim
    - ansible.builtin.command: echo unnamed
"""

PROJECT = {
    "ansible.cfg": "[defaults]\ninventory = hosts\n",
    "hosts": "[web]\nweb1\nweb2\n",
    "site.yml": PLAYBOOK,
}


def _ansible_lint(folder: Path, *args: str) -> list[dict]:
    """ansible-lint's codeclimate report for the folder, ansopt's rule folder loaded."""
    env = dict(os.environ, NO_COLOR="1", ANSIBLE_LOCAL_TEMP=str(folder.parent / "tmp"))
    proc = subprocess.run(
        [sys.executable, "-m", "ansiblelint", "--offline", "-f", "codeclimate", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode in (0, 2), proc.stderr[-3000:]
    return json.loads(proc.stdout or "[]")


def _ansopt(folder: Path) -> list[tuple[str, int, str]]:
    proc = subprocess.run(
        [sys.executable, "-m", "ansopt", "check", "--format", "json", "."],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return sorted((f["path"], f["line"], f["code"]) for f in json.loads(proc.stdout))


def _ansopt_in_lint(report: list[dict]) -> list[tuple[str, int, str]]:
    out = []
    for r in report:
        if not r["check_name"].startswith("ansopt["):
            continue
        begin = r["location"].get("positions", {}).get("begin") or {"line": r["location"]["lines"]["begin"]}
        out.append((r["location"]["path"], begin["line"], r["description"].split(" ", 1)[0]))
    return sorted(out)


def test_lint_rules_path_is_a_folder_ansible_lint_can_load():
    folder = Path(lint_plugin.rules_path())
    modules = [p.name for p in folder.glob("*.py") if "__" not in p.stem]
    assert modules == ["ansopt_lint_rule.py"]  # ansible-lint imports each by its bare name
    out = subprocess.run(
        [sys.executable, "-m", "ansopt", "lint-rules-path"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == str(folder)


def test_ansible_lint_reports_ansopt_findings_beside_its_own(tmp_path):
    project = write_tree(tmp_path / "p", PROJECT)
    report = _ansible_lint(project, "-r", lint_plugin.rules_path(), "-R")
    names = {r["check_name"] for r in report}
    assert "name[missing]" in names  # ansible-lint's own rules still run (-R)
    expected = _ansopt(project)
    assert {code for _, _, code in expected} == {"C101", "P101"}  # a cfg finding and a playbook one
    assert _ansopt_in_lint(report) == expected
    tags = {r["check_name"] for r in report if r["check_name"].startswith("ansopt[")}
    assert tags == {"ansopt[pipelining-disabled]", "ansopt[package-loop]"}
    p101 = next(r for r in report if r["check_name"] == "ansopt[package-loop]")
    assert "ansopt fix --write" in p101["content"]["body"]  # no ansible-lint transform: ansopt fix


def test_noqa_in_ansible_lint_spelling_and_skip_list(tmp_path):
    files = dict(PROJECT)
    files["site.yml"] = PLAYBOOK.replace("      loop:\n", "      loop:  # noqa: ansopt[package-loop]\n")
    project = write_tree(tmp_path / "p", files)
    report = _ansible_lint(project, "-r", lint_plugin.rules_path(), "-R")
    assert _ansopt_in_lint(report) == [("ansible.cfg", 1, "C101")]
    assert _ansopt(project) == [("ansible.cfg", 1, "C101")]  # ansopt check reads the same comment
    report = _ansible_lint(project, "-r", lint_plugin.rules_path(), "-R", "-x", "ansopt[pipelining-disabled]")
    assert _ansopt_in_lint(report) == []


def test_config_file_rulesdir_and_profiles(tmp_path):
    # with a profile, ansible-lint drops rules outside it unless enable_list names them
    project = write_tree(tmp_path / "p", PROJECT)
    cfg = f"profile: min\nrulesdir:\n  - {lint_plugin.rules_path()}\nuse_default_rules: true\n"
    (project / ".ansible-lint").write_text(cfg, encoding="utf-8")
    assert _ansopt_in_lint(_ansible_lint(project)) == []
    (project / ".ansible-lint").write_text(cfg + "enable_list:\n  - ansopt\n", encoding="utf-8")
    assert _ansopt_in_lint(_ansible_lint(project)) == _ansopt(project)


def test_a_failure_inside_ansopt_is_a_finding(tmp_path):
    project = write_tree(tmp_path / "p", dict(PROJECT, **{".ansopt.yml": "select: [ZZZ9]\n"}))
    report = _ansible_lint(project, "-r", lint_plugin.rules_path(), "-R")
    [bad] = [r for r in report if r["check_name"].startswith("ansopt[")]
    assert bad["check_name"] == "ansopt[settings-error]" and bad["location"]["path"] == ".ansopt.yml"
    assert "ZZZ9" in bad["description"]


def test_an_engine_crash_is_reported_not_swallowed(tmp_path, monkeypatch):
    from ansopt import engine

    def boom(self):
        raise RuntimeError("kaput")

    project = write_tree(tmp_path / "p", PROJECT)
    monkeypatch.setattr(engine.Engine, "check", boom)
    monkeypatch.setattr(lint_plugin, "_RUNS", {})
    [f] = lint_plugin.findings_for(str(project), str(project / "site.yml"))
    assert f.tag == "ansopt[internal-error]" and "kaput" in f.message
    # every file's findings come once: the orphans went with the first file asked about
    assert lint_plugin.findings_for(str(project), str(project / "other.yml")) == []
