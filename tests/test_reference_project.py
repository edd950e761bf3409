"""sample_playbooks/gpu-fleet: the testbed's reference fleet, before and after `ansopt fix`,
and the hand-tuned anchor."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from ansopt.fixers.write import write_atomic

from .conftest import ROOT, SAMPLES, run_engine

FLEET = SAMPLES / "gpu-fleet"
STANDIN = ROOT / "bench" / "testbed" / "standin"


def _found(folder, select=None):
    return sorted((f.path, f.line, f.code) for f in run_engine(folder, select=select).findings)


def test_findings_before():
    # every problem planted in the default selection's reach, and nothing else
    assert _found(FLEET / "before") == [
        ("ansible.cfg", 2, "C201"),  # facts gathered in every play of site.yml's four playbooks
        ("ansible.cfg", 7, "C101"),  # no pipelining
        ("ansible.cfg", 9, "C102"),  # ssh_args lost ControlPersist
        ("base.yml", 12, "P102"),  # five tools installed one task at a time
        ("base.yml", 42, "P101"),  # the monitoring tools installed one loop item at a time
        ("vllm.yml", 8, "P102"),  # Docker and the NVIDIA toolkit in two transactions
    ]
    res = run_engine(FLEET / "before")
    ssh = [f for f in res.findings if f.code in ("C101", "C102")]
    assert all("not winrm: armitage" in f.help for f in ssh)


def test_findings_before_opt_in():
    # the opt-in rules find the rest of what was planted: facts nobody reads, the linear
    # deploy, the repeated cache refreshes, the Windows download repeated on every run
    extra = sorted(set(_found(FLEET / "before", ["ALL"])) - set(_found(FLEET / "before")))
    assert extra == [
        ("ansible.cfg", 2, "C301"),
        ("ansible.cfg", 2, "C501"),
        ("base.yml", 4, "P201"),
        ("base.yml", 4, "P501"),
        ("base.yml", 9, "P401"),
        ("base.yml", 41, "P401"),
        ("check.yml", 4, "P201"),
        ("embeddings.yml", 4, "P201"),
        ("embeddings.yml", 14, "P301"),
        ("vllm.yml", 5, "P501"),
        ("vllm.yml", 15, "P401"),
        ("vllm.yml", 21, "P401"),
    ]


def test_defaults_cfg_findings(tmp_path):
    work = tmp_path / "fleet"
    shutil.copytree(FLEET / "before", work)
    shutil.copy(FLEET / "defaults.cfg", work / "ansible.cfg")
    got = [code for _, _, code in _found(work)]
    assert got == ["C101", "C201", "P102", "P101", "P102"]


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
    assert sorted(str(p.relative_to(work)) for p in work.rglob("*")) == sorted(
        str(p.relative_to(FLEET / "after")) for p in (FLEET / "after").rglob("*")
    )
    assert not run_engine(work).findings


def test_hand_tuned_is_clean():
    # the anchor: nothing left but the opt-in timing-callback advice
    assert _found(FLEET / "hand-tuned") == []
    assert [c for _, _, c in _found(FLEET / "hand-tuned", ["ALL"])] == ["C301"]


@pytest.mark.parametrize("variant", ["before", "after", "hand-tuned"])
def test_syntax_check(variant, tmp_path):
    exe = shutil.which("ansible-playbook", path=os.path.dirname(sys.executable))
    if exe is None:
        pytest.skip("ansible-playbook is not installed beside this Python")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    # the Windows play's collections come from Galaxy; name-only stand-ins resolve them offline
    env["ANSIBLE_COLLECTIONS_PATH"] = str(STANDIN)
    env["ANSIBLE_HOME"] = str(tmp_path)
    done = subprocess.run(
        [exe, "--syntax-check", "site.yml"], cwd=FLEET / variant, capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
