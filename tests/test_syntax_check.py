"""`ansible-playbook --syntax-check` passes on every fixed sample playbook that passed before."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ansopt.fixers.write import write_atomic
from ansopt.rules import all_rules

from .conftest import SAMPLES, run_engine


def _ansible_playbook() -> str | None:
    here = Path(sys.executable).parent / "ansible-playbook"
    return str(here) if here.exists() else shutil.which("ansible-playbook")


def _playbooks(folder: Path) -> list[Path]:
    out = []
    for p in sorted(folder.glob("*.y*ml")):
        text = p.read_text(encoding="utf-8")
        if "hosts:" in text or "import_playbook" in text:
            out.append(p)
    return out


def _syntax_ok(exe: str, playbook: Path) -> tuple[bool, str]:
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_DEPRECATION_WARNINGS="0")
    env.pop("ANSIBLE_CONFIG", None)
    p = subprocess.run(
        [exe, "--syntax-check", "-i", "localhost,", playbook.name],
        cwd=playbook.parent,
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    return p.returncode == 0, p.stdout + p.stderr


def test_fixed_samples_still_pass_syntax_check(tmp_path):
    exe = _ansible_playbook()
    if exe is None:
        pytest.skip("ansible-playbook is not installed")
    jobs = []
    for rule in all_rules():
        bad = SAMPLES / f"{rule.code}-{rule.slug}" / "bad"
        if not rule.fix or not _playbooks(bad):
            continue
        work = tmp_path / rule.code
        shutil.copytree(bad, work / "before")
        shutil.copytree(bad, work / "after")
        res = run_engine(work / "after", select=[rule.code], fix=True, unsafe=True)
        for abspath, (_, _, new) in res.changed.items():
            write_atomic(abspath, new)
        for pb in _playbooks(work / "before"):
            jobs.append((rule.code, pb, work / "after" / pb.name))
    assert jobs, "no sample playbooks to check"
    with ThreadPoolExecutor(max_workers=4) as pool:
        before = list(pool.map(lambda j: _syntax_ok(exe, j[1]), jobs))
        after = list(pool.map(lambda j: _syntax_ok(exe, j[2]), jobs))
    checked = 0
    for (code, _pb, fixed), (ok_before, _), (ok_after, out) in zip(jobs, before, after):
        if ok_before:
            checked += 1
            assert ok_after, f"{code}: {fixed.name} passed --syntax-check before the fix, not after:\n{out}"
    assert checked, "no sample playbook passed --syntax-check even before its fix"
