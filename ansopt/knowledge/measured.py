"""What the SSH testbed (bench/testbed) measured, shipped with the package as measured.json.

`ansopt rule CODE` quotes a rule's measured contribution from here: the fixed reference fleet
with that one fix undone (leave-one-out), and the cost units the rule's saving is made of.
The file is written by ``python -m bench.testbed --write-results``; nothing here is typed in.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

# which cost units tell what a rule saves per operation (keys of the results' "costs")
UNITS: dict[str, tuple[str, ...]] = {
    "C101": ("module_run_no_pipelining_s", "module_run_pipelining_s"),
    "C102": ("ssh_connection_s", "ssh_command_over_master_s"),
    "C104": ("ssh_connection_s", "ssh_command_over_master_s"),
    "C201": ("fact_gathering_s",),
    "C202": ("fact_gathering_s",),
    "C203": ("fact_gathering_s",),
    "P201": ("fact_gathering_s",),
    "P202": ("fact_gathering_s",),
    "P101": ("package_task_s",),
    "P102": ("package_task_s",),
    "P301": ("async_poll2_extra_s", "async_status_check_s"),
    "P601": ("include_s",),
    "P602": ("include_s",),
}

_UNIT_TEXT = {
    "module_run_no_pipelining_s": "one module run without pipelining",
    "module_run_pipelining_s": "with pipelining",
    "ssh_connection_s": "one new SSH connection",
    "ssh_command_over_master_s": "one command over a ControlPersist master",
    "fact_gathering_s": "one fact gathering",
    "include_s": "one include_tasks more than an import",
    "async_poll2_extra_s": "`async` with `poll: 2` adds to a quick task",
    "async_status_check_s": "one async status check",
    "package_task_s": "one package in a task of its own rather than in a batch",
}


@lru_cache(maxsize=1)
def load() -> dict[str, Any] | None:
    """The shipped results, or None when the package has none (or an unreadable one)."""
    try:
        text = resources.files("ansopt.knowledge").joinpath("measured.json").read_text(encoding="utf-8")
        data = json.loads(text)
    except (FileNotFoundError, OSError, ValueError):
        return None
    return data if not validate(data) else None


def validate(data: Any) -> list[str]:
    """What is wrong with a results file (empty when it is well formed)."""
    problems: list[str] = []
    if not isinstance(data, dict):
        return ["results: not a JSON object"]
    for key, kind in (
        ("date", str),
        ("machine", dict),
        ("summaries", list),
        ("ratios", list),
        ("leave_one_out", dict),
        ("costs", dict),
        ("runs_per_variant", int),
        ("failures", list),
    ):
        if not isinstance(data.get(key), kind):
            problems.append(f"results: `{key}` missing or not {kind.__name__}")
    for i, s in enumerate(data.get("summaries") or []):
        for key in ("variant", "scenario", "hosts", "rtt_ms", "runs", "median_s", "min_s", "max_s", "all_ok"):
            if not isinstance(s, dict) or key not in s:
                problems.append(f"results: summaries[{i}] has no `{key}`")
                break
        else:
            if not s["min_s"] <= s["median_s"] <= s["max_s"]:
                problems.append(f"results: summaries[{i}] median outside min-max")
    for code, e in (data.get("leave_one_out") or {}).items():
        if not isinstance(e, dict) or not {"hosts", "rtt_ms", "runs"} <= set(e) or "first_saves_s" not in e:
            problems.append(f"results: leave_one_out[{code}] incomplete")
    for rtt, units in (data.get("costs") or {}).items():
        if not isinstance(units, dict) or not all(isinstance(v, int | float) for v in units.values()):
            problems.append(f"results: costs[{rtt}] is not a table of seconds")
    return problems


def _secs(x: float) -> str:
    return f"{x * 1000:.0f} ms" if abs(x) < 1 else f"{x:.1f} s"


def quote(code: str, data: dict[str, Any] | None = None) -> list[str]:
    """Lines for `ansopt rule CODE`: the rule's measured contribution and cost units."""
    data = data if data is not None else load()
    if not data:
        return []
    lines: list[str] = []
    loo = data["leave_one_out"].get(code)
    if loo:
        parts = []
        for scenario in ("first", "repeat"):
            if f"{scenario}_saves_s" in loo:
                text = (
                    f"{_secs(loo[f'{scenario}_saves_s'])} on a {scenario} run "
                    f"({_secs(loo[f'{scenario}_without_s'])} without it, {_secs(loo[f'{scenario}_with_s'])} with it"
                )
                if loo.get(f"{scenario}_measurable") is False:
                    text += f"; within the runs' own spread of {_secs(loo[f'{scenario}_noise_s'])}: not measurable"
                parts.append(text + ")")
        lines.append(
            f"Leaving this fix out of the fixed reference fleet ({loo['hosts']} hosts, {loo['rtt_ms']:g} ms RTT, "
            f"median of {loo['runs']}) costs "
            + "; ".join(parts)
            + "."
            + (f" Its edits there: {', '.join(loo['files'])}." if loo.get("files") else "")
        )
    units = UNITS.get(code, ())
    for rtt, table in sorted(data["costs"].items()):
        got = [f"{_UNIT_TEXT.get(u, u)}: {_secs(table[u])}" for u in units if u in table]
        if got:
            lines.append(f"Cost units at {rtt} RTT (one host, one fork): " + "; ".join(got) + ".")
    if lines:
        m = data["machine"]
        lines.append(
            f"Measured {data['date']} on the ansopt testbed (bench/testbed: network-namespace hosts with "
            f"their own sshd, {m.get('cores')} cores, ansible-core {m.get('ansible_core')})."
        )
    return lines
