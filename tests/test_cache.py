"""The result cache of `ansopt check` (ansopt.cache): a second run over an unchanged tree
replays the first one's report, and any change to what a run looked at makes the next run
check again, with the same report as a cold run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import write_tree

PROJECT = {
    "ansible.cfg": "[defaults]\ninventory = inventory\nroles_path = roles\n",
    "inventory": "[web]\nweb1\nweb2\n",
    "site.yml": (
        "- name: Web\n  hosts: web\n  roles:\n    - app\n\n"
        + "- name: Check\n  hosts: web\n  tasks:\n    - name: Show\n      ansible.builtin.debug:\n        msg: ok\n\n"
        * 2
    ),
    "roles/app/tasks/main.yml": (
        "- name: Packages\n  ansible.builtin.apt:\n    name: '{{ item }}'\n  loop: [git, curl, jq, vim]\n"
        "- name: Config\n  ansible.builtin.template:\n    src: app.conf.j2\n    dest: /etc/app.conf\n"
    ),
    "roles/app/templates/app.conf.j2": "name={{ inventory_hostname }}\n",
}


def _check(folder: Path, cache: Path, *args: str) -> tuple[int, str, str]:
    env = dict(os.environ, ANSOPT_CACHE_DIR=str(cache), ANSOPT_CACHE_TRACE="1", NO_COLOR="1")
    proc = subprocess.run(
        [sys.executable, "-m", "ansopt", "check", *args, "."],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    trace = [ln for ln in proc.stderr.splitlines() if ln.startswith("ansopt: cache ")]
    rest = "\n".join(ln for ln in proc.stderr.splitlines() if not ln.startswith("ansopt: cache "))
    return proc.returncode, proc.stdout + rest, " ".join(trace)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture()
def project(tmp_path):
    folder = write_tree(tmp_path / "p", PROJECT)
    subprocess.run(["git", "init", "-q", str(folder)], check=True)  # the repository top bounds the upward look
    return folder


def test_a_second_run_replays_the_first(project, tmp_path):
    cache = tmp_path / "cache"
    cold = _check(project, cache)
    assert "miss" in cold[2] and cold[0] == 1
    warm = _check(project, cache)
    assert warm[2] == "ansopt: cache hit" and warm[:2] == cold[:2]
    # another format, other flags: another entry
    assert "miss" in _check(project, cache, "--format", "json")[2]
    assert _check(project, cache, "--format", "json")[2] == "ansopt: cache hit"
    assert "hit" not in _check(project, cache, "--no-cache")[2]


@pytest.mark.parametrize(
    "rel, old, new",
    [
        ("roles/app/tasks/main.yml", "[git, curl, jq, vim]", "[git, curl]"),  # a role's task file
        # a template: reading the time from facts makes a fact cache wrong (C201 goes)
        ("roles/app/templates/app.conf.j2", "name=", "built={{ ansible_date_time.iso8601 }}\nname="),
        ("inventory", "web2\n", "web2\nweb3\nweb4\nweb5\nweb6\nweb7\n"),  # an inventory: C105 now
        ("ansible.cfg", "roles_path = roles\n", "roles_path = roles\npipelining = True\n"),  # the cfg
    ],
)
def test_each_change_gives_what_a_cold_run_gives(project, tmp_path, rel, old, new):
    cache = tmp_path / "cache"
    before = _check(project, cache)
    assert _check(project, cache)[2] == "ansopt: cache hit"
    _edit(project / rel, old, new)
    after = _check(project, cache)
    assert "miss" in after[2], after[2]
    cold = _check(project, tmp_path / "other-cache", "--no-cache")
    assert after[:2] == cold[:2] and after[:2] != before[:2]
    assert _check(project, cache)[2] == "ansopt: cache hit"


def test_added_files_and_settings_invalidate(project, tmp_path):
    cache = tmp_path / "cache"
    _check(project, cache)
    assert _check(project, cache)[2] == "ansopt: cache hit"
    (project / "more.yml").write_text("- hosts: web\n  tasks: []\n", encoding="utf-8")
    assert "added" in _check(project, cache)[2]
    _check(project, cache)
    (project / ".ansopt.yml").write_text("ignore: [P101]\n", encoding="utf-8")
    after = _check(project, cache)
    assert "miss" in after[2] and "P101" not in after[1]


def test_a_file_changed_within_the_clock_resolution_is_caught(project, tmp_path):
    # same size, same modification time: the content hash stored for recent files decides
    cache = tmp_path / "cache"
    path = project / "roles/app/tasks/main.yml"
    _check(project, cache)
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[git, curl, jq, vim]", "[gi1, curl, jq, vim]"), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size
    assert "changed" in _check(project, cache)[2]


def test_concurrent_runs_and_a_bounded_cache(project, tmp_path, monkeypatch):
    from ansopt import cache as result_cache

    cache = tmp_path / "cache"
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "ansopt", "check", "."],
            cwd=project,
            env=dict(os.environ, ANSOPT_CACHE_DIR=str(cache), NO_COLOR="1"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(3)
    ]
    assert [p.wait(timeout=120) for p in procs] == [1, 1, 1]
    entries = list((cache / "check").glob("*.json"))
    assert len(entries) == 1 and not list((cache / "check").glob("*.tmp"))
    assert _check(project, cache)[2] == "ansopt: cache hit"
    # the oldest entries go beyond MAX_ENTRIES
    monkeypatch.setattr(result_cache, "MAX_ENTRIES", 3)
    folder = cache / "check"
    for i in range(5):
        (folder / f"old{i}.json").write_text("{}", encoding="utf-8")
        os.utime(folder / f"old{i}.json", (time.time() - 1000 + i, time.time() - 1000 + i))
    result_cache._prune(str(folder))
    left = {p.name for p in folder.glob("*.json")}
    assert len(left) == 3 and {"old3.json", "old4.json", entries[0].name} == left


def test_a_symlink_loop_is_stamped_once(project, tmp_path):
    # a link back up the tree (found in a real repository: a run never ended, 12 GB later)
    (project / "roles/app/loop").symlink_to("../..", target_is_directory=True)
    (project / "other").symlink_to("roles", target_is_directory=True)
    cache = tmp_path / "cache"
    cold = _check(project, cache)
    assert "miss" in cold[2]
    assert _check(project, cache)[2] == "ansopt: cache hit"
