"""Shared test helpers: paths, the corpus, running the engine on a folder, picking findings,
and reading the sections of rule docstrings and of Markdown documents."""

from __future__ import annotations

import inspect
import os
import re
import shutil
from collections.abc import Iterable
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


def codes(findings: Iterable) -> list[str]:
    """The sorted codes of some findings: what fired, without the messages."""
    return sorted(f.code for f in findings)


def findings_of(res, code: str) -> list:
    """A check or fix result's findings of one code, in report order."""
    return [f for f in res.findings if f.code == code]


def doc_sections(doc: str) -> dict[str, str]:
    """A rule docstring's sections: {heading: body}. After the summary paragraph, a heading
    is a line at the left margin; its body is the indented lines below it, dedented. Text
    that merely mentions "Fix" or "Why" in a paragraph is not a section."""
    lines = inspect.cleandoc(doc).splitlines()
    blank = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
    sections: dict[str, list[str]] = {}
    body: list[str] | None = None
    for line in lines[blank:]:
        if line.strip() and not line[0].isspace():
            body = sections.setdefault(line.strip(), [])
        elif body is not None:
            body.append(line)
    return {head: inspect.cleandoc("\n".join(text)) for head, text in sections.items()}


_MD_HEADING = re.compile(r"(#{1,6})\s+(.+?)\s*#*\s*$")


def markdown_sections(text: str, level: int = 2) -> dict[str, str]:
    """A Markdown document's sections of one heading level: {heading: body up to the next
    heading of that level or higher}. ATX (`## Title`) and underlined (`Title` over `---` or
    `===`) headings count; `#` lines inside fenced code blocks do not."""
    lines = text.splitlines()
    heads: list[tuple[int, int, str]] = []  # (line index, level, title)
    fence = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fence = None if fence and stripped.startswith(fence) else fence or stripped[:3]
            continue
        if fence:
            continue
        m = _MD_HEADING.match(line)
        if m:
            heads.append((i, len(m.group(1)), m.group(2)))
        elif (
            i
            and stripped
            and set(stripped) in ({"="}, {"-"})
            and lines[i - 1].strip()
            and not lines[i - 1].startswith((" ", "\t"))
        ):
            heads.append((i - 1, 1 if stripped[0] == "=" else 2, lines[i - 1].strip()))
    out = {}
    for n, (i, lvl, title) in enumerate(heads):
        if lvl != level:
            continue
        end = next((j for j, lv, _ in heads[n + 1 :] if lv <= level), len(lines))
        start = i + (2 if i + 1 < len(lines) and set(lines[i + 1].strip()) in ({"="}, {"-"}) else 1)
        out[title] = "\n".join(lines[start:end]).strip("\n")
    return out


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
        - jq
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
          - jq
        state: present
"""
