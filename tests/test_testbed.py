"""The SSH testbed (bench/testbed): hosts in network namespaces, the fleet's variants run on them.

Marked `testbed`: `python -m pytest -m testbed` runs them (as root, with ip netns and sshd);
elsewhere they skip with the reason. The default run leaves them out (pyproject's addopts).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from ansopt.knowledge.measured import validate

from .conftest import ROOT

sys.path.insert(0, str(ROOT))
from bench.testbed import __main__ as bench  # noqa: E402
from bench.testbed import net  # noqa: E402

pytestmark = pytest.mark.testbed


@pytest.fixture(autouse=True)
def _needs_testbed():
    why = net.requirements()
    if why:
        pytest.skip(why)
    if shutil.which("ansible-playbook", path=os.path.dirname(sys.executable)) is None:
        pytest.skip("ansible-playbook is not installed beside this Python")


def _namespaces() -> set[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def test_hosts_relay_and_cleanup(tmp_path):
    tb = net.Testbed(tmp_path / "tb", count=2)
    with tb:
        mine = {tb.controller_ns} | {h.ns for h in tb.hosts}
        assert mine <= _namespaces()
        # each host has its own clean home and its own stand-in root
        homes = [tb.ssh(h, 'echo "$HOME $TESTBED_HOST"; ls -A "$HOME"').stdout.split() for h in tb.hosts]
        assert homes == [[str(h.root / "home"), h.name] for h in tb.hosts]

        def connect() -> float:
            t0 = time.perf_counter()
            tb.ssh(tb.hosts[0], "true")
            return time.perf_counter() - t0

        direct = min(connect() for _ in range(3))
        tb.set_rtt(40)
        delayed = min(connect() for _ in range(3))
        # an SSH connection takes several round trips: at least three of 40 ms more
        assert delayed - direct >= 0.12, (direct, delayed)
        pids = [h.sshd.pid for h in tb.hosts] + [tb.relay.pid]
    assert not (mine & _namespaces())
    for pid in pids:
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"


def test_every_variant_runs_the_same_on_every_host(tmp_path):
    out = tmp_path / "results.json"
    work = tmp_path / "work"
    rc = bench.main(
        [
            "--hosts",
            "2",
            "--rtt-ms",
            "0",
            "--runs",
            "1",
            "--scale",
            "0.02",
            "--playbook",
            str(ROOT / "bench" / "testbed" / "smoke.yml"),
            "--scenarios",
            "first",
            "--variants",
            "defaults,lost-cp,ansopt,hand-tuned",
            "--work",
            str(work),
            "--json",
            str(out),
        ]
    )
    data = json.loads(out.read_text())
    assert validate(data) == []
    assert rc == 0, data["failures"]
    assert {s["variant"] for s in data["summaries"]} == {"defaults", "lost-cp", "ansopt", "hand-tuned"}
    runs = [json.loads(line) for line in (work / "runs.jsonl").read_text().splitlines()]
    assert len(runs) == 4
    for r in runs:
        # every host ran every task of its variant: none failed, none unreachable
        assert sorted(r["recap"]) == ["node1", "node2"], r
        assert all(h["failed"] == 0 and h["unreachable"] == 0 and h["ok"] > 0 for h in r["recap"].values()), r
        # and all variants left the hosts in the same state as the first one run
        assert r["state_ok"] is True, r
    # ansopt's variant is what ansopt fixed: the planted problems of the fleet
    assert data["applied_fixes"]["ansopt@2h"] == ["C101", "C201", "P101", "P102"]
    # the benchmark took its testbed down
    assert not any(n.startswith(f"{net.PREFIX}{os.getpid()}") for n in _namespaces())
