"""Run the fleet's variants on a testbed: timed runs, recaps, end states, statistics."""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import fleet
from .net import Testbed

_RECAP = re.compile(
    r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)\s+"
    r"failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)\s+rescued=(?P<rescued>\d+)\s+ignored=(?P<ignored>\d+)",
    re.M,
)


@dataclass
class Run:
    variant: str
    scenario: str  # "first": fresh hosts, empty fact cache; "repeat": converged hosts, warm cache
    hosts: int
    rtt_ms: float
    wall_s: float
    cpu_s: float  # ansible-playbook and the children it waited for (user + system)
    load: float  # 1-minute load average when the run started
    rc: int
    recap: dict[str, dict[str, int]] = field(default_factory=dict)
    state_ok: bool | None = None  # end state equal to the reference variant's

    @property
    def ok(self) -> bool:
        return (
            self.rc == 0
            and len(self.recap) == self.hosts
            and all(r["failed"] == 0 and r["unreachable"] == 0 for r in self.recap.values())
        )


def playbook_exe() -> str:
    return shutil.which("ansible-playbook", path=os.path.dirname(sys.executable)) or "ansible-playbook"


def standin_config(work: Path, scale: float, spread: float, hosts: int, config: dict | None = None) -> None:
    """Durations for the stand-ins: the defaults of standin.py scaled by `scale`; host i is
    (1 + spread * (i - 1) / (hosts - 1)) times as slow as host 1 (a fleet is not uniform)."""
    import json

    sys.path.insert(0, str(fleet.STANDIN / "ansible_collections" / "testbed" / "standin" / "plugins" / "module_utils"))
    try:
        import standin  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    data = {k: v * scale for k, v in standin.DEFAULTS.items() if isinstance(v, int | float)}
    data.update(config or {})
    data["host_factor"] = {f"node{i}": round(1 + spread * (i - 1) / max(1, hosts - 1), 3) for i in range(1, hosts + 1)}
    work.mkdir(parents=True, exist_ok=True)
    (work / "standin.json").write_text(json.dumps(data, indent=1, sort_keys=True))


def run_playbook(
    tb: Testbed, stage: Path, log: Path, timeout: float, playbook: str = fleet.PLAYBOOK
) -> tuple[float, float, int, str]:
    """One timed ansible-playbook run in the controller namespace: wall s, CPU s, rc, output."""
    argv = tb.in_controller([playbook_exe(), playbook, "--limit", fleet.LIMIT])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with open(log, "w") as out:
        rc = run_group(argv, cwd=stage, stdout=out, env=tb.env(), timeout=timeout)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, rc, log.read_text(errors="replace")


def run_group(argv: list[str], cwd: Path, stdout, env: dict[str, str], timeout: float) -> int:
    """Run argv in a process group of its own; on a time-out or an interrupt, stop the whole
    group (ansible-playbook's forks and ssh clients), so nothing outlives the run."""
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        stdout=stdout,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop_group(proc)
        return -9
    except BaseException:
        _stop_group(proc)
        raise


def _stop_group(proc: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=5)
            return
        except subprocess.TimeoutExpired:
            continue


def recap(output: str) -> dict[str, dict[str, int]]:
    out = {}
    for m in _RECAP.finditer(output.split("PLAY RECAP", 1)[-1]):
        out[m["host"]] = {k: int(v) for k, v in m.groupdict().items() if k != "host"}
    return out


def reset(tb: Testbed, stage: Path, scenario: str) -> None:
    """Before a timed run: no ControlPersist master; for a first run also fresh hosts and an
    empty fact cache."""
    tb.close_masters()
    if scenario == "first":
        for h in tb.hosts:
            tb.reset_host(h)
        for d in fleet.fact_cache_dirs(stage, tb.controller_home):
            if d.exists():
                shutil.rmtree(d)


def measure(
    tb: Testbed,
    stage: Path,
    variant: str,
    logs: Path,
    timeout: float,
    states: dict[str, dict[str, dict[str, str]]] | None = None,
    tag: str = "",
    playbook: str = fleet.PLAYBOOK,
    scenarios: tuple[str, ...] = ("first", "repeat"),
) -> list[Run]:
    """A first run then a repeat run of one staged variant; end states checked against
    `states` (filled with this variant's when it has none for a scenario yet)."""
    runs = []
    for scenario in scenarios:
        reset(tb, stage, scenario)
        load = os.getloadavg()[0]
        log = logs / f"{variant}{tag}-{len(tb.hosts)}h-{tb.rtt_ms:g}ms-{scenario}.log"
        wall, cpu, rc, output = run_playbook(tb, stage, log, timeout, playbook)
        run = Run(
            variant,
            scenario,
            len(tb.hosts),
            tb.rtt_ms,
            round(wall, 3),
            round(cpu, 3),
            round(load, 2),
            rc,
            recap(output),
        )
        state = {h.name: fleet.end_state(h.root) for h in tb.hosts}
        if states is not None:
            ref = states.setdefault(scenario, state)
            run.state_ok = ref == state
        runs.append(run)
    tb.close_masters()
    return runs


@dataclass
class Summary:
    variant: str
    scenario: str
    hosts: int
    rtt_ms: float
    runs: int
    median_s: float
    min_s: float
    max_s: float
    cpu_median_s: float
    load_median: float
    all_ok: bool
    states_equal: bool

    def as_dict(self) -> dict:
        return asdict(self)


def summarise(runs: list[Run]) -> list[Summary]:
    groups: dict[tuple, list[Run]] = {}
    for r in runs:
        groups.setdefault((r.variant, r.scenario, r.hosts, r.rtt_ms), []).append(r)
    out = []
    for (variant, scenario, hosts, rtt), rs in groups.items():
        walls = [r.wall_s for r in rs]
        out.append(
            Summary(
                variant,
                scenario,
                hosts,
                rtt,
                len(rs),
                round(statistics.median(walls), 2),
                round(min(walls), 2),
                round(max(walls), 2),
                round(statistics.median(r.cpu_s for r in rs), 2),
                round(statistics.median(r.load for r in rs), 2),
                all(r.ok for r in rs),
                all(r.state_ok is not False for r in rs),
            )
        )
    return out
