"""Cost units on the testbed: what one SSH connection, one module run with and without
pipelining, one fact gathering, one package task (its module run and transaction, against the
same package in a batch), one include and one async status check cost.

Each unit is the difference between two small playbooks (or ssh commands) run on one host
with one fork, medians of `repeat` runs, divided by the number of operations they differ by.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import time
from pathlib import Path

from . import fleet, runner
from .net import Testbed

_CFG = """[defaults]
inventory = inventory.ini
host_key_checking = False
retry_files_enabled = False
interpreter_python = /usr/bin/python3
forks = 1
collections_path = {collections}

[ssh_connection]
pipelining = {pipelining}
"""


def _project(folder: Path, tb: Testbed, pipelining: bool, plays: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ansible.cfg").write_text(_CFG.format(pipelining=pipelining, collections=fleet.STANDIN))
    h = tb.hosts[0]
    addr, port = tb.endpoint(h)
    (folder / "inventory.ini").write_text(f"{h.name} ansible_host={addr} ansible_port={port} ansible_user=root\n")
    (folder / "one.yml").write_text("- name: One task\n  ansible.builtin.ping:\n")
    for name, text in plays.items():
        (folder / name).write_text(text)


def _play(tasks: str, gather: bool = False) -> str:
    return f"- hosts: all\n  gather_facts: {str(gather).lower()}\n  tasks:\n{tasks or '    []'}\n"


def _tasks(line: str, n: int) -> str:
    return "".join(f"    - {line}\n" for _ in range(n)) if n else ""


def _time(tb: Testbed, folder: Path, playbook: str, repeat: int, fresh_host: bool = False) -> float:
    """Median wall time of `playbook`; `fresh_host`: the stand-ins' records (packages
    installed) removed before each run, so that every run installs again."""
    walls = []
    for _ in range(repeat):
        if fresh_host:
            shutil.rmtree(tb.hosts[0].root / "var" / "lib" / "standin", ignore_errors=True)
        tb.close_masters()
        argv = tb.in_controller([runner.playbook_exe(), playbook])
        out = folder / f"{playbook}.log"
        with open(out, "w") as fh:
            t0 = time.perf_counter()
            rc = runner.run_group(argv, cwd=folder, stdout=fh, env=tb.env(), timeout=600)
            walls.append(time.perf_counter() - t0)
        if rc != 0:
            raise RuntimeError(f"cost playbook {playbook} failed: {out.read_text()[-600:]}")
    tb.close_masters()
    return statistics.median(walls)


def _ssh_times(tb: Testbed, repeat: int) -> tuple[float, float]:
    """A new SSH connection against a command over an open ControlPersist master."""
    h = tb.hosts[0]
    fresh = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        tb.ssh(h, "true")
        fresh.append(time.perf_counter() - t0)
    addr, port = tb.endpoint(h)
    sock = tb.controller_home / ".ssh" / "cost-master"
    base = ["ssh", "-o", "BatchMode=yes", "-o", f"ControlPath={sock}", "-p", str(port), f"root@{addr}"]
    env = tb.env()
    subprocess.run(
        tb.in_controller([*base[:1], "-o", "ControlMaster=yes", "-o", "ControlPersist=60s", *base[1:], "true"]),
        env=env,
        capture_output=True,
        timeout=30,
        check=True,
    )
    reused = []
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run(tb.in_controller([*base, "true"]), env=env, capture_output=True, timeout=30, check=True)
            reused.append(time.perf_counter() - t0)
    finally:
        tb.close_masters()
    return statistics.median(fresh), statistics.median(reused)


# a job started in the background and left to finish; then `n` status checks of it
_ASYNC_START = (
    '    - ansible.builtin.command: "true"\n      async: 60\n      poll: 0\n      register: job\n'
    "    - ansible.builtin.pause: {seconds: 1}\n"
)
_STATUS = 'ansible.builtin.async_status: {jid: "{{ job.ansible_job_id }}"}'


def measure_costs(tb: Testbed, work: Path, repeat: int = 3, n: int = 20) -> dict[str, float]:
    """Cost units in seconds (at the testbed's current RTT, one host, one fork)."""
    out: dict[str, float] = {}
    fresh, reused = _ssh_times(tb, max(5, repeat))
    out["ssh_connection_s"] = round(fresh, 4)
    out["ssh_command_over_master_s"] = round(reused, 4)
    for pipelining in (False, True):
        folder = work / f"costs-pipelining-{pipelining}"
        _project(
            folder,
            tb,
            pipelining,
            {
                "empty.yml": _play(""),
                "tasks.yml": _play(_tasks("ansible.builtin.ping:", n)),
                "gather.yml": _play("", gather=True),
                "include.yml": _play(_tasks("ansible.builtin.include_tasks: one.yml", n)),
                "import.yml": _play(_tasks("ansible.builtin.import_tasks: one.yml", n)),
                "async2.yml": _play(_tasks('ansible.builtin.command: "true"\n      async: 60\n      poll: 2', 3)),
                "sync.yml": _play(_tasks('ansible.builtin.command: "true"', 3)),
                "packages-apart.yml": _play(
                    "".join(f"    - testbed.standin.apt: {{name: pkg{i}, state: present}}\n" for i in range(5))
                ),
                "packages-batch.yml": _play(
                    "    - testbed.standin.apt: {name: [pkg0, pkg1, pkg2, pkg3, pkg4], state: present}\n"
                ),
                "async-start.yml": _play(_ASYNC_START),
                "async-status.yml": _play(_ASYNC_START + _tasks(_STATUS, n)),
            },
        )
        empty = _time(tb, folder, "empty.yml", repeat)
        tasks = _time(tb, folder, "tasks.yml", repeat)
        key = "module_run_pipelining_s" if pipelining else "module_run_no_pipelining_s"
        out[key] = round((tasks - empty) / n, 4)
        if pipelining:
            out["fact_gathering_s"] = round(_time(tb, folder, "gather.yml", repeat) - empty, 4)
            out["include_s"] = round(
                (_time(tb, folder, "include.yml", repeat) - _time(tb, folder, "import.yml", repeat)) / n, 4
            )
            out["async_poll2_extra_s"] = round(
                (_time(tb, folder, "async2.yml", repeat) - _time(tb, folder, "sync.yml", repeat)) / 3, 4
            )
            out["async_status_check_s"] = round(
                (_time(tb, folder, "async-status.yml", repeat) - _time(tb, folder, "async-start.yml", repeat)) / n, 4
            )
            apart = _time(tb, folder, "packages-apart.yml", repeat, fresh_host=True)
            batch = _time(tb, folder, "packages-batch.yml", repeat, fresh_host=True)
            out["package_task_s"] = round((apart - batch) / 4, 4)
    return out
