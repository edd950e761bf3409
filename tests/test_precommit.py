"""The pre-commit hooks of .pre-commit-hooks.yaml, run for real with `pre-commit try-repo`.

pre-commit builds the hooks' virtualenv from the hook repository (a pip install of ansopt
and its dependencies from the package index), so each `try-repo` takes a while.

`try-repo` on a work tree takes its committed files plus tracked changes, not files that
are still untracked; so the hook repository here is a committed snapshot of this work tree
(the package, pyproject.toml and the hooks file, as they are now), which is the same thing
in a clean checkout and still right with new files not yet added.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ansopt.cli import main

from .conftest import LOOP_PLAYBOOK, LOOP_PLAYBOOK_FIXED

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / ".pre-commit-hooks.yaml"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed (pre-commit needs it)")

# A project tuned the way every cfg rule wants it (so that the "clean" repo is clean whatever
# advice rules exist), except that the bad one lacks pipelining.
TUNED_DEFAULTS = (
    "[defaults]\ninventory = hosts\ninterpreter_python = /usr/bin/python3\n"
    "callbacks_enabled = ansible.posix.profile_tasks\ngathering = smart\nfact_caching = jsonfile\n"
    "fact_caching_connection = ~/.ansible/fact_cache\nfact_caching_timeout = 86400\n"
)
BAD_CFG = TUNED_DEFAULTS
GOOD_CFG = TUNED_DEFAULTS + "\n[ssh_connection]\npipelining = True\n"
FIXED_CFG = GOOD_CFG


# --------------------------------------------------------------------------- helpers


def clean_env(tmp: Path) -> dict[str, str]:
    """The environment without anything that would steer git or pre-commit elsewhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT")) and k != "SKIP"}
    env["PRE_COMMIT_HOME"] = str(tmp / "pre-commit-home")
    env["ANSOPT_CACHE_DIR"] = str(tmp / "ansopt-cache")
    env["PRE_COMMIT_COLOR"] = "never"
    env["NO_COLOR"] = "1"
    return env


def git(cwd: Path, env: dict[str, str], *args: str) -> str:
    out = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, f"git {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}"
    return out.stdout


def init_repo(path: Path, env: dict[str, str], files: dict[str, str]) -> Path:
    path.mkdir(parents=True)
    git(path, env, "init", "-q")
    git(path, env, "config", "user.name", "ansopt tests")
    git(path, env, "config", "user.email", "tests@ansopt.invalid")
    git(path, env, "config", "commit.gpgsign", "false")
    for rel, text in files.items():
        p = path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    git(path, env, "add", "-A")
    git(path, env, "commit", "-q", "-m", "initial")
    return path


def hook_repo(tmp: Path, env: dict[str, str]) -> Path:
    """A committed snapshot of what pip needs to install ansopt, plus the hooks file."""
    dest = tmp / "hook-repo"
    shutil.copytree(
        ROOT / "ansopt", dest / "ansopt", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    )
    for name in ("pyproject.toml", "setup.py", "setup.cfg", "MANIFEST.in", ".pre-commit-hooks.yaml"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, dest / name)
    for pattern in ("README*", "LICENSE*"):
        for p in ROOT.glob(pattern):
            if p.is_file():
                shutil.copy2(p, dest / p.name)
    git(dest, env, "init", "-q")
    git(dest, env, "config", "user.name", "ansopt tests")
    git(dest, env, "config", "user.email", "tests@ansopt.invalid")
    git(dest, env, "config", "commit.gpgsign", "false")
    git(dest, env, "add", "-A")
    git(dest, env, "commit", "-q", "-m", "snapshot")
    return dest


def try_repo(repo: Path, hooks: Path, env: dict[str, str], hook_id: str | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "pre_commit", "try-repo", str(hooks)]
    if hook_id:
        cmd.append(hook_id)
    cmd += ["--all-files", "--color", "never"]
    return subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=1500)


def ansopt_check(repo: Path, monkeypatch, *args: str):
    monkeypatch.chdir(repo)
    return CliRunner().invoke(main, ["check", *args], catch_exceptions=False)


def status(proc: subprocess.CompletedProcess, hook_name: str) -> str | None:
    """Passed / Failed / Skipped as pre-commit prints it for a hook's name."""
    m = re.search(rf"^{re.escape(hook_name)}\.+(\w+)", proc.stdout, re.M)
    return m.group(1) if m else None


# --------------------------------------------------------------------------- the manifest


def test_manifest_is_valid_and_selects_cfg_and_yaml(tmp_path):
    from identify.identify import tags_from_path
    from pre_commit.clientlib import load_manifest

    hooks = {h["id"]: h for h in load_manifest(str(MANIFEST))}
    assert set(hooks) == {"ansopt", "ansopt-fix"}
    assert hooks["ansopt"]["entry"] == "ansopt check"
    assert hooks["ansopt-fix"]["entry"] == "ansopt fix --write"
    for h in hooks.values():
        assert h["language"] == "python"
        assert h["pass_filenames"] is True

    def selected(hook, rel: str) -> bool:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x: 1\n")
        tags = tags_from_path(str(p))
        return (
            re.search(hook["files"], rel) is not None
            and re.search(hook["exclude"], rel) is None
            and set(hook["types"]) <= tags
            and (not hook["types_or"] or bool(set(hook["types_or"]) & tags))
            and not (set(hook["exclude_types"]) & tags)
        )

    for h in hooks.values():
        for rel in (
            "ansible.cfg",
            "deploy/ansible.cfg",
            "site.yml",
            "roles/web/tasks/main.yaml",
            "inventory/hosts.yml",
        ):
            assert selected(h, rel), (h["id"], rel)
        for rel in ("README.md", "setup.cfg", "my_ansible.cfg", "ansible.cfg.bak", "notes.txt", "yml"):
            assert not selected(h, rel), (h["id"], rel)


# --------------------------------------------------------------------------- running the hooks


def test_hooks_fail_on_a_bad_repo_and_the_fix_hook_fixes_it(tmp_path, monkeypatch):
    env = clean_env(tmp_path)
    hooks = hook_repo(tmp_path, env)
    repo = init_repo(tmp_path / "bad", env, {"ansible.cfg": BAD_CFG, "site.yml": LOOP_PLAYBOOK})

    first = ansopt_check(repo, monkeypatch)
    assert first.exit_code == 1 and "P101" in first.output and "C101" in first.output, first.output

    check = try_repo(repo, hooks, env, "ansopt")
    out = check.stdout + check.stderr
    assert check.returncode != 0, out
    assert status(check, "ansopt") == "Failed", out
    assert "site.yml:8:7: P101 [package-loop]" in out
    assert "ansible.cfg:1:1: C101 [pipelining-disabled]" in out  # ansible.cfg went through the filter
    assert (repo / "site.yml").read_text() == LOOP_PLAYBOOK  # the check hook writes nothing

    fix = try_repo(repo, hooks, env, "ansopt-fix")
    out = fix.stdout + fix.stderr
    assert fix.returncode != 0, out
    assert status(fix, "ansopt (fix)") == "Failed", out
    assert "files were modified by this hook" in out
    assert (repo / "site.yml").read_text() == LOOP_PLAYBOOK_FIXED
    assert (repo / "ansible.cfg").read_text() == FIXED_CFG

    after = ansopt_check(repo, monkeypatch)
    assert after.exit_code == 0, after.output


def test_hooks_pass_on_a_clean_repo(tmp_path, monkeypatch):
    env = clean_env(tmp_path)
    hooks = hook_repo(tmp_path, env)
    repo = init_repo(tmp_path / "good", env, {"ansible.cfg": GOOD_CFG, "site.yml": LOOP_PLAYBOOK_FIXED})

    first = ansopt_check(repo, monkeypatch)
    assert first.exit_code == 0 and "All checks passed (2 files checked)" in first.output, first.output

    # both hooks in one go (one hook virtualenv to build instead of two)
    run = try_repo(repo, hooks, env)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert status(run, "ansopt") == "Passed", out
    assert status(run, "ansopt (fix)") == "Passed", out
    assert (repo / "site.yml").read_text() == LOOP_PLAYBOOK_FIXED
    assert (repo / "ansible.cfg").read_text() == GOOD_CFG
