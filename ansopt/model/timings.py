"""Measured task durations, matched to the project's tasks, and the profile of recorded runs.

`Measurements` answers the rules' question "how long does this task really take?": timing
records (`source.timings`, `source.ara`) are grouped per task (file, line, name) and matched
to a task of the project by its file (the same path, or a recorded path that ends with the
file's path under the project root: timings recorded in CI on another checkout still match)
and line; when lines moved (a small edit since the run), by the task's name and action
within that file, if that names one task.

A task's measured time is the median, over the most recent runs that ran it (not skipped),
of its slowest host's duration: what a run waits for on the linear strategy. `profile()`
computes what `ansopt profile` shows from the same records.
"""

from __future__ import annotations

import os
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..source.timings import RunRecord, TaskRecord, TimingData

NOT_RUN = frozenset({"skipped", "unreachable"})


def _short(action: str | None) -> str:
    return (action or "").rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Measure:
    """What the records say about one task."""

    task: str
    action: str | None
    path: str | None
    line: int | None
    runs: int  # runs in which it ran on some host (not skipped)
    median: float  # median over those runs of the slowest host's duration
    max: float  # the longest duration on any host
    host_median: float  # median over every host's result
    hosts: int
    items: int | None = None  # loop items (the latest run's)
    play: str | None = None
    role: str | None = None

    def describe(self) -> str:
        runs = f"median of {self.runs} runs" if self.runs > 1 else "1 run"
        return f"{fmt_seconds(self.median)} ({runs}, slowest host)"


def fmt_seconds(s: float) -> str:
    if s >= 100:
        return f"{s:.0f} s"
    if s >= 10:
        return f"{s:.1f} s"
    return f"{s:.2f} s"


def run_order(data: TimingData) -> list[str]:
    """Run ids, oldest first (by their start; file order where a start is missing)."""
    first: dict[str, tuple[float, int]] = {}
    for i, t in enumerate(data.tasks):
        if t.run not in first:
            first[t.run] = (t.start if t.start is not None else float("inf"), i)
    out = []
    for run, (start, i) in first.items():
        rec = data.runs.get(run)
        s = rec.start if rec is not None and rec.start is not None else start
        out.append((s if s is not None else float("inf"), i, run))
    return [r for _, _, r in sorted(out)]


GroupKey = tuple[str | None, int | None, str]


def group(tasks: Iterable[TaskRecord]) -> dict[GroupKey, list[TaskRecord]]:
    out: dict[GroupKey, list[TaskRecord]] = defaultdict(list)
    for t in tasks:
        out[(t.path, t.line, t.task)].append(t)
    return out


def measure(records: list[TaskRecord], order: dict[str, int], last_runs: int | None = None) -> Measure | None:
    """The Measure of one task's records; None when it never ran (skipped everywhere)."""
    ran = [r for r in records if r.status not in NOT_RUN]
    if not ran:
        return None
    per_run: dict[str, list[TaskRecord]] = defaultdict(list)
    for r in ran:
        per_run[r.run].append(r)
    runs = sorted(per_run, key=lambda k: order.get(k, 0))
    if last_runs:
        runs = runs[-last_runs:]
    slowest = [max(x.duration for x in per_run[k]) for k in runs]
    every = [x.duration for k in runs for x in per_run[k]]
    latest = per_run[runs[-1]][0]
    return Measure(
        task=latest.task,
        action=latest.action,
        path=latest.path,
        line=latest.line,
        runs=len(runs),
        median=statistics.median(slowest),
        max=max(every),
        host_median=statistics.median(every),
        hosts=len({x.host for k in runs for x in per_run[k]}),
        items=latest.items,
        play=latest.play,
        role=latest.role,
    )


class Measurements:
    """Measured durations by task, for the rules (see the module's docstring)."""

    def __init__(self, data: TimingData, root: str, last_runs: int = 5):
        self.data = data
        self.root = os.path.abspath(root)
        self.last_runs = last_runs
        order = run_order(data)
        self._order = {r: i for i, r in enumerate(order)}
        self._groups = group(data.tasks)
        self._by_path: dict[str | None, list[GroupKey]] = defaultdict(list)
        for key in self._groups:
            self._by_path[key[0]].append(key)
        self._paths_of: dict[str, list[str]] | None = None
        self._measures: dict[GroupKey, Measure | None] = {}

    @property
    def runs(self) -> int:
        return len(self._order)

    def _project_paths(self) -> dict[str, list[str]]:
        """Project file -> the recorded paths that are it. A recorded path is a project file
        when it is one (a run here), or when it is one below another checkout of the project:
        the checkout folder that explains the most recorded files (ties: all of them) is taken
        for that, and only when no run was recorded in this checkout itself."""
        if self._paths_of is not None:
            return self._paths_of
        real_root = os.path.realpath(self.root)
        here: dict[str, str] = {}
        explains: dict[str, dict[str, str]] = defaultdict(dict)  # checkout -> recorded -> project file
        for p in self._by_path:
            if not p or not os.path.isabs(p):
                continue
            rp = os.path.realpath(p) if os.path.exists(p) else p
            if rp == real_root or rp.startswith(real_root + os.sep) or p.startswith(self.root + os.sep):
                here[p] = (
                    p if p.startswith(self.root + os.sep) else os.path.join(self.root, os.path.relpath(rp, real_root))
                )
                continue
            d = os.path.dirname(p)
            while True:
                rel = os.path.relpath(p, d)
                candidate = os.path.join(self.root, rel)
                if os.path.isfile(candidate):
                    explains[d][p] = candidate
                parent = os.path.dirname(d)
                if parent == d:
                    break
                d = parent
        chosen: dict[str, str] = dict(here)
        if not here and explains:
            best = max(len(v) for v in explains.values())
            for got in explains.values():
                if len(got) == best:
                    for p, f in got.items():
                        chosen.setdefault(p, f)
        out: dict[str, list[str]] = defaultdict(list)
        for p, f in chosen.items():
            out[os.path.realpath(f)].append(p)
        self._paths_of = dict(out)
        return self._paths_of

    def _recorded_paths(self, abspath: str) -> list[str]:
        """The recorded file paths that are this project file."""
        return self._project_paths().get(os.path.realpath(abspath), [])

    def _measure(self, key: GroupKey) -> Measure | None:
        if key not in self._measures:
            self._measures[key] = measure(self._groups[key], self._order, self.last_runs)
        return self._measures[key]

    def _keys(self, abspath: str, gathering: bool) -> list[GroupKey]:
        keys = []
        for p in self._recorded_paths(abspath):
            for k in self._by_path[p]:
                if any(r.is_gathering for r in self._groups[k][:1]) == gathering:
                    keys.append(k)
        return keys

    def task(self, abspath: str, line: int, name: str | None = None, action: str | None = None) -> Measure | None:
        """The measured duration of the task written at `line` of `abspath` (1-based), or of
        the one task of that file with this name (and action) when lines moved."""
        keys = self._keys(abspath, gathering=False)
        exact = [k for k in keys if k[1] == line]
        if not exact and name:
            # a role's task is recorded as "role : name"
            named = [k for k in keys if k[2] == name or k[2].endswith(" : " + name)]
            if action:
                named = [k for k in named if _short(self._groups[k][0].action) in ("", _short(action))]
            if len({k[1] for k in named}) == 1:
                exact = named
        if len({k[2] for k in exact}) > 1 and name:
            exact = [k for k in exact if k[2] == name or k[2].endswith(" : " + name)] or exact
        got = [m for m in (self._measure(k) for k in exact) if m is not None]
        if not got:
            return None
        return max(got, key=lambda m: m.median)

    def of_task(self, project, task) -> Measure | None:
        """The measure of a model.tasks.Task of `project`."""
        abspath = project.abspath_of(task.file)
        return self.task(abspath, task.line, task.name, task.fqcn) if abspath else None

    def of_play_gathering(self, project, play) -> Measure | None:
        """The measured fact gathering of a model.plays.Play of `project`."""
        abspath = project.abspath_of(play.file)
        return self.gathering(abspath, play.file.position(play.node.start)[0]) if abspath else None

    def gathering(self, abspath: str, line: int) -> Measure | None:
        """The measured fact gathering of the play written at `line` of `abspath`."""
        keys = [k for k in self._keys(abspath, gathering=True) if k[1] == line]
        got = [m for m in (self._measure(k) for k in keys) if m is not None]
        return max(got, key=lambda m: m.median) if got else None


# --------------------------------------------------------------------------- the profile


@dataclass(frozen=True)
class Share:
    name: str
    seconds: float
    tasks: int = 0


@dataclass(frozen=True)
class Change:
    task: str
    path: str | None
    line: int | None
    before: float | None  # the slowest host's seconds in the earlier run (None: not run)
    after: float | None

    @property
    def delta(self) -> float:
        return (self.after or 0.0) - (self.before or 0.0)


@dataclass(frozen=True)
class Bar:
    """One task on one host in the timeline."""

    host: str
    task: str
    start: float  # seconds from the run's start
    end: float
    status: str
    play: str | None = None


@dataclass
class Comparison:
    playbook: str | None
    before: str  # run ids
    after: str
    before_total: float | None
    after_total: float | None
    changes: list[Change] = field(default_factory=list)  # largest change first


@dataclass
class Profile:
    runs: int
    sources: list[str]
    slowest: list[Measure]
    plays: list[Share]
    roles: list[Share]
    actions: list[Share]
    gathering: list[Share]  # per host: median over runs of the host's gathering seconds per run
    comparison: Comparison | None
    timeline_run: str | None
    timeline: list[Bar]
    total: float | None  # the latest run's wall time
    settings: dict


def _run_total(data: TimingData, run: str, tasks: list[TaskRecord]) -> float | None:
    rec: RunRecord | None = data.runs.get(run)
    if rec is not None and rec.duration is not None:
        return float(rec.duration)
    starts = [t.start for t in tasks if t.start is not None]
    ends = [t.end for t in tasks if t.end is not None]
    return (max(ends) - min(starts)) if starts and ends else None


def profile(data: TimingData, playbook: str | None = None) -> Profile:
    """What the recorded runs say: slowest tasks, time per play/role/action, gathering per
    host, the last two runs of the latest run's playbook compared, the latest run's timeline.
    `playbook`: only runs whose playbook path ends with it."""
    tasks = data.tasks
    if playbook:
        want = playbook.replace("\\", "/")
        keep = {
            r
            for r in {t.run for t in tasks}
            if (
                (data.runs.get(r) and data.runs[r].playbook)
                or next((t.playbook for t in tasks if t.run == r), "")
                or ""
            )
            .replace("\\", "/")
            .endswith(want)
        }
        tasks = [t for t in tasks if t.run in keep]
    sub = TimingData(tasks=tasks, plays=data.plays, runs=data.runs, sources=data.sources)
    order = run_order(sub)
    pos = {r: i for i, r in enumerate(order)}
    groups = group(tasks)
    measures = [m for m in (measure(g, pos) for g in groups.values()) if m is not None]
    slowest = sorted(measures, key=lambda m: (-m.median, m.path or "", m.line or 0))

    def shares(key) -> list[Share]:
        acc: dict[str, list[float]] = defaultdict(list)
        for m in measures:
            k = key(m)
            if k:
                acc[k].append(m.median)
        return sorted((Share(k, sum(v), len(v)) for k, v in acc.items()), key=lambda s: -s.seconds)

    by_run: dict[str, list[TaskRecord]] = defaultdict(list)
    for t in tasks:
        by_run[t.run].append(t)

    # plays: median over runs of the play's span (first start to last end)
    play_spans: dict[str, list[float]] = defaultdict(list)
    for recs in by_run.values():
        spans: dict[str, tuple[float, float]] = {}
        for t in recs:
            if t.play is None or t.start is None or t.end is None:
                continue
            s, e = spans.get(t.play, (t.start, t.end))
            spans[t.play] = (min(s, t.start), max(e, t.end))
        for p, (s, e) in spans.items():
            play_spans[p].append(e - s)
    plays = sorted((Share(p, statistics.median(v)) for p, v in play_spans.items()), key=lambda s: -s.seconds)
    if not plays:
        plays = shares(lambda m: m.play)

    gather: dict[str, list[float]] = defaultdict(list)
    for recs in by_run.values():
        per_host: dict[str, float] = defaultdict(float)
        for t in recs:
            if t.is_gathering and t.status not in NOT_RUN:
                per_host[t.host] += t.duration
        for h, s in per_host.items():
            gather[h].append(s)
    gathering = sorted((Share(h, statistics.median(v)) for h, v in gather.items()), key=lambda s: -s.seconds)

    comparison = None
    if order:
        latest = order[-1]
        pb = _playbook_of(sub, latest)
        same = [r for r in order if _playbook_of(sub, r) == pb]
        if len(same) >= 2:
            a, b = same[-2], same[-1]
            comparison = _compare(sub, a, b, by_run)

    timeline: list[Bar] = []
    timeline_run = order[-1] if order else None
    if timeline_run:
        recs = [t for t in by_run[timeline_run] if t.start is not None and t.end is not None]
        if recs:
            t0 = min(t.start for t in recs if t.start is not None)
            timeline = [
                Bar(t.host, t.task, (t.start or t0) - t0, (t.end or t0) - t0, t.status, t.play)
                for t in sorted(recs, key=lambda t: (t.host, t.start or 0))
            ]
    rec = data.runs.get(timeline_run) if timeline_run else None
    return Profile(
        runs=len(order),
        sources=list(data.sources),
        slowest=slowest,
        plays=plays,
        roles=shares(lambda m: m.role),
        actions=shares(lambda m: m.action),
        gathering=gathering,
        comparison=comparison,
        timeline_run=timeline_run,
        timeline=timeline,
        total=_run_total(sub, timeline_run, by_run[timeline_run]) if timeline_run else None,
        settings=dict(rec.settings) if rec is not None else {},
    )


def _playbook_of(data: TimingData, run: str) -> str | None:
    rec = data.runs.get(run)
    if rec is not None and rec.playbook:
        return rec.playbook
    return next((t.playbook for t in data.tasks if t.run == run and t.playbook), None)


def _compare(data: TimingData, a: str, b: str, by_run: dict[str, list[TaskRecord]]) -> Comparison:
    def slowest(run: str) -> dict[GroupKey, float]:
        out: dict[GroupKey, float] = {}
        for t in by_run[run]:
            if t.status in NOT_RUN:
                continue
            k = (t.path, t.line, t.task)
            out[k] = max(out.get(k, 0.0), t.duration)
        return out

    before, after = slowest(a), slowest(b)
    changes = [Change(k[2], k[0], k[1], before.get(k), after.get(k)) for k in set(before) | set(after)]
    changes.sort(key=lambda c: (-abs(c.delta), c.path or "", c.line or 0))
    return Comparison(
        _playbook_of(data, b), a, b, _run_total(data, a, by_run[a]), _run_total(data, b, by_run[b]), changes
    )


def load(files: list[str], ara: bool = False, ara_playbooks: int = 20, ara_path: str | None = None) -> TimingData:
    """The records of these timing files and, with `ara`, of ARA's recent playbook runs.
    Raises source.timings.TimingsError (`path:line: what`)."""
    from ..source import timings as source

    data = TimingData()
    for f in files:
        data.extend(source.read(f))
    if ara:
        from ..source import ara as ara_source

        data.extend(ara_source.read(ara_playbooks, ara_path))
    return data
