"""Shared test helpers: paths, the corpus, running the engine on a folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_playbooks"
CORPUS = Path(os.environ.get("ANSOPT_CORPUS", ROOT.parent / "shared" / "corpus"))


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory):
    """A session-wide ansopt cache, so tests do not depend on (or pollute) ~/.cache."""
    home = os.environ.get("ANSOPT_CACHE_DIR")
    if not home:
        d = tmp_path_factory.mktemp("ansopt-cache")
        src = Path.home() / ".cache" / "ansopt"
        if src.is_dir():  # reuse an existing knowledge file: building it costs seconds
            for f in src.glob("knowledge-*.json"):
                shutil.copy(f, d / f.name)
        os.environ["ANSOPT_CACHE_DIR"] = str(d)
    yield


def corpus_or_skip() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS} (set ANSOPT_CORPUS or clone ../shared beside the project)")
    return CORPUS


def run_engine(folder, select=None, unsafe=True, fix=False, cwd=None, paths=None):
    """Check or fix a folder with a fresh Engine (settings from the folder)."""
    from ansopt.engine import Engine
    from ansopt.settings import load

    cwd = str(cwd or folder)
    settings = load(cwd)
    eng = Engine(settings, paths or ["."], cwd=cwd, select=select)
    return eng.fix(unsafe=unsafe) if fix else eng.check()


def write_tree(base: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = base / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text.encode("utf-8"))
    return base


def copy_writable(src, dst, **kw) -> Path:
    """shutil.copytree, then make the copy writable: the corpus is read-only data, and
    ansopt refuses to replace read-only files."""
    shutil.copytree(src, dst, **kw)
    for dirpath, dirnames, filenames in os.walk(dst):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            if not os.path.islink(p):
                os.chmod(p, os.stat(p).st_mode | 0o200)
    os.chmod(dst, os.stat(dst).st_mode | 0o200)
    return Path(dst)


# A play whose apt task loops over its packages (rule P101), and the same after its fix.
LOOP_PLAYBOOK = """\
- hosts: all
  gather_facts: false
  tasks:
    - name: Install tools
      ansible.builtin.apt:
        name: "{{ item }}"
        state: present
      loop:
        - git
        - curl
        - vim
"""

LOOP_PLAYBOOK_FIXED = """\
- hosts: all
  gather_facts: false
  tasks:
    - name: Install tools
      ansible.builtin.apt:
        name:
          - git
          - curl
          - vim
        state: present
"""
