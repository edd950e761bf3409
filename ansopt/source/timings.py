"""Timing files as written by a run: one model for every source.

Read here, each into the same records (`TaskRecord`, `PlayRecord`, `RunRecord`):

* ansopt's own callback, `ansopt_timing` (JSON lines with `type` task/play/run; the older
  layout without `type`, one line per result and a `run_seconds` line per run, too);
* ansible.posix's `json` callback (one JSON document per run, on stdout: warnings printed
  before it are skipped) and its `jsonl` callback (one event per line, `_event`);
* ARA's database (`source.ara`, through ARA's own client).

Durations are per host where the source has them (ansopt, ARA, posix `jsonl`: the task's
start to the host's result); posix `json` keeps one start and one end per task, so every
host of a task gets the task's duration there.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

ANSOPT, POSIX_JSON, POSIX_JSONL, ARA = "ansopt", "ansible.posix.json", "ansible.posix.jsonl", "ara"
GATHER_ACTIONS = frozenset({"ansible.builtin.gather_facts", "ansible.builtin.setup", "gather_facts", "setup"})
STATUSES = ("ok", "changed", "failed", "skipped", "unreachable", "ignored")


class TimingsError(Exception):
    """A timing file that cannot be read: the message is `path:line: what`."""


@dataclass(frozen=True)
class TaskRecord:
    """One task's result on one host in one run."""

    run: str
    task: str
    host: str
    duration: float
    status: str
    path: str | None = None
    line: int | None = None
    action: str | None = None
    play: str | None = None
    playbook: str | None = None
    role: str | None = None
    start: float | None = None  # epoch seconds
    end: float | None = None
    items: int | None = None
    async_val: int | None = None
    poll: int | None = None
    delegate_to: str | None = None
    handler: bool = False

    @property
    def is_gathering(self) -> bool:
        return (self.action or "") in GATHER_ACTIONS


@dataclass(frozen=True)
class PlayRecord:
    run: str
    play: str
    path: str | None = None
    line: int | None = None
    start: float | None = None
    end: float | None = None
    duration: float | None = None
    hosts: tuple[str, ...] = ()
    strategy: str | None = None


@dataclass(frozen=True)
class RunRecord:
    run: str
    source: str
    playbook: str | None = None
    start: float | None = None
    end: float | None = None
    duration: float | None = None
    settings: tuple[tuple[str, Any], ...] = ()  # ansible_version, forks, strategy, pipelining, ...

    def setting(self, key: str) -> Any:
        return dict(self.settings).get(key)


@dataclass
class TimingData:
    tasks: list[TaskRecord] = field(default_factory=list)
    plays: list[PlayRecord] = field(default_factory=list)
    runs: dict[str, RunRecord] = field(default_factory=dict)  # in the order first seen
    sources: list[str] = field(default_factory=list)  # files (or "ara") read

    def extend(self, other: TimingData) -> None:
        self.tasks.extend(other.tasks)
        self.plays.extend(other.plays)
        for k, v in other.runs.items():
            self.runs.setdefault(k, v)
        self.sources.extend(other.sources)

    def __bool__(self) -> bool:
        return bool(self.tasks)


# --------------------------------------------------------------------------- values


def split_path(path: Any) -> tuple[str | None, int | None]:
    """ansible-core's `file:line` task path -> (file, line)."""
    if not path:
        return None, None
    head, sep, tail = str(path).rpartition(":")
    if sep and tail.isdigit():
        return head, int(tail)
    return str(path), None


def epoch(value: Any) -> float | None:
    """ISO-8601 (`...Z` or with an offset) or epoch seconds -> epoch seconds."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    if dt.tzinfo is None:  # ansible.posix writes naive UTC times with a Z; bare ones are UTC too
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def hms(value: Any) -> float | None:
    """ARA's durations ('00:01:02.345678', '1 02:03:04') -> seconds."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    days = 0
    if " " in text:
        d, _, text = text.partition(" ")
        try:
            days = int(d)
        except ValueError:
            return None
    parts = text.split(":")
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        return None
    secs = 0.0
    for n in nums:
        secs = secs * 60 + n
    return days * 86400 + secs


def _int(v: Any) -> int | None:
    try:
        return int(v) if v is not None and v != "" else None
    except (TypeError, ValueError):
        return None


def _status_of(result: dict[str, Any], event: str | None = None) -> str:
    if event:
        on = event.rsplit("_", 1)[-1]
        if on == "failed":
            return "ignored" if result.get("ignore_errors") or result.get("_ansible_ignore_errors") else "failed"
        if on in ("skipped", "unreachable"):
            return on
        return "changed" if result.get("changed") else "ok"
    if result.get("unreachable"):
        return "unreachable"
    if result.get("skipped"):
        return "skipped"
    if result.get("failed"):
        return "ignored" if result.get("ignore_errors") or result.get("_ansible_ignore_errors") else "failed"
    return "changed" if result.get("changed") else "ok"


def _items(result: dict[str, Any]) -> int | None:
    res = result.get("results")
    return len(res) if isinstance(res, list) else None


# --------------------------------------------------------------------------- readers


def read(path: str) -> TimingData:
    """The timing records of one file, whichever of the supported layouts it has."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as e:
        raise TimingsError(f"{path}:1: cannot read: {e.strerror or e}") from e
    return parse(text, path)


def parse(text: str, path: str = "<timings>") -> TimingData:
    lines = text.splitlines()
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None:
        return TimingData(sources=[path])
    # a whole JSON document (ansible.posix.json, perhaps after warnings on stdout)
    start = next((i for i, ln in enumerate(lines) if ln.startswith("{")), None)
    if start is not None:
        try:
            doc = json.loads("\n".join(lines[start:]))
        except ValueError:
            doc = None
        if isinstance(doc, dict) and isinstance(doc.get("plays"), list):
            return _posix_json(doc, path, start + 1)
    objs: list[tuple[int, dict[str, Any]]] = []
    for i, ln in enumerate(lines, 1):
        s = ln.strip()
        if not s:
            continue
        try:
            obj = json.loads(s)
        except json.JSONDecodeError as e:
            raise TimingsError(
                f"{path}:{i}: not a JSON line ({e.msg}); expected ansopt_timing or ansible.posix json/jsonl output"
            ) from e
        if not isinstance(obj, dict):
            raise TimingsError(f"{path}:{i}: a JSON line that is not an object")
        objs.append((i, obj))
    if any("_event" in o for _, o in objs):
        return _posix_jsonl(objs, path)
    return _ansopt(objs, path)


def _ansopt(objs: list[tuple[int, dict[str, Any]]], path: str) -> TimingData:
    data = TimingData(sources=[path])
    legacy = 0  # runs of the layout without `type` (a `run_seconds` line ends each)
    for i, o in objs:
        kind = o.get("type")
        if kind is None and "task" in o:
            kind = "legacy"
        if kind in ("task", "legacy"):
            try:
                if kind == "legacy":
                    file, line = split_path(o.get("path"))
                    run = o.get("run") or f"{path}#{legacy + 1}"
                    dur = float(o["seconds"])
                    end = o.get("time")
                    rec = TaskRecord(
                        run=run,
                        task=str(o.get("task") or ""),
                        host=str(o["host"]),
                        duration=dur,
                        status=str(o.get("status") or "ok"),
                        path=file,
                        line=line,
                        action=o.get("action"),
                        play=o.get("play"),
                        end=end,
                        start=(end - dur) if isinstance(end, (int, float)) else None,
                    )
                else:
                    rec = TaskRecord(
                        run=str(o["run"]),
                        task=str(o.get("task") or ""),
                        host=str(o["host"]),
                        duration=float(o["duration"]),
                        status=str(o.get("status") or "ok"),
                        path=o.get("path"),
                        line=_int(o.get("line")),
                        action=o.get("action"),
                        play=o.get("play"),
                        playbook=o.get("playbook"),
                        role=o.get("role"),
                        start=o.get("start"),
                        end=o.get("end"),
                        items=_int(o.get("items")),
                        async_val=_int(o.get("async")),
                        poll=_int(o.get("poll")),
                        delegate_to=o.get("delegate_to"),
                        handler=bool(o.get("handler")),
                    )
            except (KeyError, TypeError, ValueError) as e:
                raise TimingsError(f"{path}:{i}: a task line without {e}") from e
            data.tasks.append(rec)
            if rec.run not in data.runs:
                data.runs[rec.run] = RunRecord(rec.run, ANSOPT, playbook=rec.playbook, start=rec.start)
        elif kind == "play":
            data.plays.append(
                PlayRecord(
                    run=str(o.get("run")),
                    play=str(o.get("play") or ""),
                    path=o.get("path"),
                    line=_int(o.get("line")),
                    start=o.get("start"),
                    end=o.get("end"),
                    duration=o.get("duration"),
                    hosts=tuple(o.get("hosts") or ()),
                    strategy=o.get("strategy"),
                )
            )
        elif kind == "run":
            run = str(o.get("run"))
            keys = ("ansible_version", "forks", "strategy", "pipelining", "control_persist", "ssh_args", "hosts")
            data.runs[run] = RunRecord(
                run,
                ANSOPT,
                playbook=o.get("playbook"),
                start=o.get("start"),
                end=o.get("end"),
                duration=o.get("duration"),
                settings=tuple((k, o[k]) for k in keys if k in o),
            )
        elif "run_seconds" in o:  # the older layout's end of a run
            legacy += 1
            run = f"{path}#{legacy}"
            end = o.get("time")
            rs = o.get("run_seconds")
            data.runs[run] = RunRecord(
                run,
                ANSOPT,
                end=end,
                duration=rs,
                start=(end - rs) if isinstance(end, (int, float)) and isinstance(rs, (int, float)) else None,
            )
        else:
            raise TimingsError(f"{path}:{i}: a JSON line of no known timing layout (no `type`, `_event` or `plays`)")
    return data


def _task_from_posix(
    run: str, play: dict[str, Any], task: dict[str, Any], host: str, result: dict[str, Any], status: str
) -> TaskRecord:
    dur = task.get("duration") or {}
    start, end = epoch(dur.get("start")), epoch(dur.get("end"))
    file, line = split_path(task.get("path"))
    return TaskRecord(
        run=run,
        task=str(task.get("name") or ""),
        host=str(host),
        duration=max(0.0, (end - start)) if start is not None and end is not None else 0.0,
        status=status,
        path=file,
        line=line,
        action=result.get("action"),
        play=play.get("name"),
        playbook=split_path(play.get("path"))[0],
        start=start,
        end=end,
        items=_items(result),
    )


def _posix_json(doc: dict[str, Any], path: str, at: int) -> TimingData:
    data = TimingData(sources=[path])
    run = f"{path}@{at}"
    starts: list[float] = []
    ends: list[float] = []
    for p in doc.get("plays") or []:
        play = (p or {}).get("play") or {}
        pfile, pline = split_path(play.get("path"))
        pdur = play.get("duration") or {}
        ps, pe = epoch(pdur.get("start")), epoch(pdur.get("end"))
        starts += [ps] if ps is not None else []
        ends += [pe] if pe is not None else []
        data.plays.append(
            PlayRecord(run, str(play.get("name") or ""), pfile, pline, ps, pe, (pe - ps) if ps and pe else None)
        )
        for t in (p or {}).get("tasks") or []:
            task = (t or {}).get("task") or {}
            for host, result in ((t or {}).get("hosts") or {}).items():
                result = result if isinstance(result, dict) else {}
                data.tasks.append(_task_from_posix(run, play, task, host, result, _status_of(result)))
    first_play = (doc.get("plays") or [{}])[0].get("play", {}) if doc.get("plays") else {}
    s, e = (min(starts) if starts else None), (max(ends) if ends else None)
    data.runs[run] = RunRecord(
        run,
        POSIX_JSON,
        playbook=split_path(first_play.get("path"))[0],
        start=s,
        end=e,
        duration=(e - s) if s is not None and e is not None else None,
    )
    return data


def _posix_jsonl(objs: list[tuple[int, dict[str, Any]]], path: str) -> TimingData:
    data = TimingData(sources=[path])
    n = 1
    run = f"{path}#{n}"
    play: dict[str, Any] = {}
    first_ts: float | None = None
    for _i, o in objs:
        ev = str(o.get("_event") or "")
        ts = epoch(o.get("_timestamp"))
        if first_ts is None:
            first_ts = ts
        if ev == "v2_playbook_on_play_start":
            play = (o.get("play") or {}) if isinstance(o.get("play"), dict) else {}
            pfile, pline = split_path(play.get("path"))
            ps = epoch((play.get("duration") or {}).get("start"))
            data.plays.append(PlayRecord(run, str(play.get("name") or ""), pfile, pline, ps))
            if run not in data.runs:
                data.runs[run] = RunRecord(run, POSIX_JSONL, playbook=pfile, start=ps)
        elif ev.startswith("v2_runner_on_") and ev != "v2_runner_on_start":
            task = o.get("task") or {}
            for host, result in (o.get("hosts") or {}).items():
                result = result if isinstance(result, dict) else {}
                data.tasks.append(_task_from_posix(run, play, task, host, result, _status_of(result, ev)))
            if run not in data.runs:
                data.runs[run] = RunRecord(run, POSIX_JSONL, start=first_ts)
        elif ev == "v2_playbook_on_stats":
            r = data.runs.get(run) or RunRecord(run, POSIX_JSONL, start=first_ts)
            s = r.start
            data.runs[run] = RunRecord(
                run, POSIX_JSONL, r.playbook, s, ts, (ts - s) if ts is not None and s is not None else None
            )
            n += 1
            run = f"{path}#{n}"
            play = {}
            first_ts = None
    return data


def discover_default(folders: list[str]) -> list[str]:
    """`.ansopt/timings.jsonl` files in these folders (the callback's default output)."""
    seen: list[str] = []
    for d in folders:
        p = os.path.join(d, ".ansopt", "timings.jsonl")
        if os.path.isfile(p) and p not in seen:
            seen.append(p)
    return seen
