"""ansopt's timing callback runs inside a real ansible-playbook and records every task."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ansopt.ansible_plugins import CALLBACK_DIR


def test_timing_callback_records_tasks(tmp_path):
    exe = Path(sys.executable).parent / "ansible-playbook"
    if not exe.exists() and shutil.which("ansible-playbook") is None:
        pytest.skip("ansible-playbook is not installed")
    exe = str(exe) if exe.exists() else shutil.which("ansible-playbook")
    (tmp_path / "ansible.cfg").write_text(
        f"[defaults]\ncallback_plugins = {CALLBACK_DIR}\ncallbacks_enabled = ansopt_timing\n"
        "[callback_ansopt_timing]\noutput = timings.jsonl\nsummary = 5\n"
    )
    (tmp_path / "site.yml").write_text(
        "- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n"
        "    - name: Sleep a little\n      ansible.builtin.command: sleep 0.3\n"
        "    - name: Say hello\n      ansible.builtin.debug:\n        msg: hello\n"
    )
    env = dict(os.environ, ANSIBLE_CONFIG=str(tmp_path / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    p = subprocess.run(
        [exe, "-i", "localhost,", "-e", f"ansible_python_interpreter={sys.executable}", "site.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert p.returncode == 0, p.stdout + p.stderr
    assert "ANSOPT TIMING" in p.stdout and "Sleep a little" in p.stdout
    lines = [json.loads(x) for x in (tmp_path / "timings.jsonl").read_text().splitlines()]
    tasks = {r["task"]: r for r in lines if "task" in r}
    assert tasks["Sleep a little"]["seconds"] >= 0.25 and tasks["Sleep a little"]["host"] == "localhost"
    assert tasks["Say hello"]["status"] == "ok"
    assert "run_seconds" in lines[-1]
