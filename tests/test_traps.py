"""The trap suite: minimal projects where a rule must stay silent, or report without a fix.

Each folder under tests/traps/ is a small project with a `trap.yml`:

    rule: P601            # the rule the trap is for
    expect: no-finding    # or no-fix: reported, but no fix offered
    path: site.yml        # optional: only findings in this file count

Every rule runs (`--select ALL`), fixes included, and each playbook in the folder that passes
`ansible-playbook --syntax-check` before `fix --write --unsafe-fixes` must pass it after.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from ansopt.fixers.write import write_atomic

from .conftest import run_engine
from .test_syntax_check import _ansible_playbook, _playbooks, _syntax_ok

TRAPS = Path(__file__).resolve().parent / "traps"
ALL_TRAPS = sorted(p for p in TRAPS.iterdir() if (p / "trap.yml").is_file())


def _spec(folder: Path) -> dict:
    return yaml.safe_load((folder / "trap.yml").read_text(encoding="utf-8"))


def test_traps_exist():
    assert len(ALL_TRAPS) >= 10


@pytest.mark.parametrize("folder", ALL_TRAPS, ids=lambda p: p.name)
def test_trap(folder, tmp_path):
    spec = _spec(folder)
    assert spec["expect"] in ("no-finding", "no-fix"), spec
    work = tmp_path / "w"
    shutil.copytree(folder, work, ignore=shutil.ignore_patterns("trap.yml"))
    res = run_engine(work, select=["ALL"])
    assert res.parse_errors == 0
    hits = [f for f in res.findings if f.code == spec["rule"] and (not spec.get("path") or f.path == spec["path"])]
    if spec["expect"] == "no-finding":
        assert not hits, [f"{f.path}:{f.line} {f.message}" for f in hits]
    else:
        assert hits, f"{spec['rule']} does not report on {folder.name}"
        assert all(f.fix is None or not f.fix.edits for f in hits), [f"{f.path}:{f.line} {f.fix}" for f in hits]
        assert all(f.help for f in hits), "a finding without a fix says why in its help"

    exe = _ansible_playbook()
    books = _playbooks(work)
    if exe is None or not books:
        return
    with ThreadPoolExecutor(4) as pool:
        before = list(pool.map(lambda b: _syntax_ok(exe, b), books))
    fixed = run_engine(work, select=["ALL"], fix=True, unsafe=True)
    assert not fixed.failed, [f.message for f in fixed.failed]
    for abspath, (_, _, new) in fixed.changed.items():
        write_atomic(abspath, new)
    with ThreadPoolExecutor(4) as pool:
        after = list(pool.map(lambda b: _syntax_ok(exe, b), books))
    for book, (ok, _), (ok_after, out) in zip(books, before, after):
        if ok:
            assert ok_after, f"{folder.name}: {book.name} passed --syntax-check before the fix, not after:\n{out}"
