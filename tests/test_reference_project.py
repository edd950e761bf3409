"""sample_playbooks/gpu-fleet: the guide's fleet before and after `ansopt fix --unsafe-fixes`."""

from __future__ import annotations

import shutil

from ansopt.fixers.write import write_atomic

from .conftest import SAMPLES, run_engine

FLEET = SAMPLES / "gpu-fleet"


def test_findings_before():
    res = run_engine(FLEET / "before")
    got = sorted((f.path, f.line, f.code) for f in res.findings)
    assert got == [
        ("ansible.cfg", 2, "C201"),
        ("ansible.cfg", 7, "C302"),
        ("ansible.cfg", 9, "C101"),
        ("ansible.cfg", 11, "C102"),
        ("site.yml", 14, "P101"),
    ]
    # the SSH advice names the SSH host and leaves the Windows one out
    ssh = [f for f in res.findings if f.code in ("C101", "C102")]
    assert all("wintermute" in f.help and "not winrm: armitage" in f.help for f in ssh)


def test_fix_gives_after_exactly(tmp_path):
    work = tmp_path / "fleet"
    shutil.copytree(FLEET / "before", work)
    res = run_engine(work, fix=True, unsafe=True)
    assert not res.failed
    for abspath, (_, _, new) in res.changed.items():
        write_atomic(abspath, new)
    for p in sorted((FLEET / "after").rglob("*")):
        if p.is_file():
            rel = p.relative_to(FLEET / "after")
            assert (work / rel).read_bytes() == p.read_bytes(), rel
    assert not run_engine(work).findings
    # the opt-in rules: interpreter discovery (never fixed automatically), facts gathered for
    # nothing (P201) and the model download win_get_url repeats on every run (P301)
    left = run_engine(work, select=["ALL"])
    assert sorted(f.code for f in left.findings) == ["C501", "P201", "P201", "P301"]
