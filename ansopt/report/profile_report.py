"""`ansopt profile`: where the time of recorded runs went, as text, JSON or one HTML page.

Text: tables with bars drawn in characters (readable without colour; colour only on a
terminal and never with NO_COLOR). JSON: the same data. HTML: one self-contained page (no
network, no script, no external font) with a per-host timeline of the latest run drawn in
inline SVG, and the tables.
"""

from __future__ import annotations

import dataclasses
import html
import json
import os

from ..model.timings import Bar, Measure, Profile, Share, fmt_seconds

WIDTH = 24


def _rel(path: str | None, cwd: str) -> str:
    if not path:
        return "?"
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:
        return path
    return path if rel.startswith("../..") else rel


def _where(m: Measure, cwd: str) -> str:
    return f"{_rel(m.path, cwd)}:{m.line}" if m.line else _rel(m.path, cwd)


def _bar(value: float, top: float, fill: str) -> str:
    n = 0 if top <= 0 else max(1 if value > 0 else 0, round(WIDTH * value / top))
    return (fill * n).ljust(WIDTH)


def _settings_line(p: Profile) -> str:
    s = p.settings
    bits = []
    if s.get("ansible_version"):
        bits.append(f"ansible-core {s['ansible_version']}")
    if s.get("forks") is not None:
        bits.append(f"forks {s['forks']}")
    if s.get("strategy"):
        bits.append(str(s["strategy"]))
    if "pipelining" in s:
        bits.append("pipelining " + ("on" if s["pipelining"] else "off"))
    if "control_persist" in s:
        bits.append(f"ControlPersist {s['control_persist'] or 'off'}")
    return ", ".join(bits)


def render_text(p: Profile, cwd: str, top: int = 15, color: bool = False, fill: str = "█") -> str:
    def c(code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if color else text

    out: list[str] = []
    sources = ", ".join(_rel(s, cwd) if s != "ara" else "ARA" for s in dict.fromkeys(p.sources))
    head = f"ansopt profile: {p.runs} run{'s' if p.runs != 1 else ''} from {sources or 'nothing'}"
    out.append(c("1", head))
    if p.total is not None:
        extra = _settings_line(p)
        out.append(f"latest run: {fmt_seconds(p.total)}" + (f" ({extra})" if extra else ""))
    if not p.slowest:
        out.append("no task results recorded")
        return "\n".join(out) + "\n"

    out.append("")
    out.append(c("1", "Slowest tasks") + " (median over runs of the slowest host; max on any host)")
    rows = p.slowest[:top]
    peak = max(m.median for m in rows)
    for m in rows:
        bar = c("36", _bar(m.median, peak, fill))
        info = f"max {fmt_seconds(m.max)}, {m.runs} run{'s' if m.runs != 1 else ''}, {m.hosts} host{'s' if m.hosts != 1 else ''}"
        if m.items:
            info += f", {m.items} items"
        out.append(f"  {fmt_seconds(m.median):>9} {bar} {_where(m, cwd)}  {m.task}  [{m.action or '?'}]  {info}")

    def section(title: str, shares: list[Share], counted: bool) -> None:
        if not shares:
            return
        out.append("")
        out.append(c("1", title))
        peak = max(s.seconds for s in shares[:top]) or 1.0
        for s in shares[:top]:
            n = f"  ({s.tasks} task{'s' if s.tasks != 1 else ''})" if counted else ""
            out.append(f"  {fmt_seconds(s.seconds):>9} {c('36', _bar(s.seconds, peak, fill))} {s.name}{n}")

    section("Time per play (median over runs)", p.plays, False)
    section("Time per role (sum of its tasks' medians)", p.roles, True)
    section("Time per action (sum of its tasks' medians)", p.actions, True)
    section("Fact gathering per host (median over runs, all plays of a run)", p.gathering, False)

    cmp = p.comparison
    if cmp is not None:
        out.append("")
        total = ""
        if cmp.before_total is not None and cmp.after_total is not None:
            d = cmp.after_total - cmp.before_total
            total = f": {fmt_seconds(cmp.before_total)} -> {fmt_seconds(cmp.after_total)} ({'+' if d >= 0 else '-'}{fmt_seconds(abs(d))})"
        out.append(c("1", f"The last two runs of {_rel(cmp.playbook, cwd)}") + total)
        moved = [ch for ch in cmp.changes if abs(ch.delta) >= 0.05][:top]
        if not moved:
            out.append("  no task changed by 0.05 s or more")
        for ch in moved:
            word = c("32", "faster") if ch.delta < 0 else c("31", "slower")
            b = fmt_seconds(ch.before) if ch.before is not None else "not run"
            a = fmt_seconds(ch.after) if ch.after is not None else "not run"
            where = f"{_rel(ch.path, cwd)}:{ch.line}" if ch.line else _rel(ch.path, cwd)
            out.append(f"  {word} {fmt_seconds(abs(ch.delta)):>9}  {where}  {ch.task}  ({b} -> {a})")
    return "\n".join(out) + "\n"


def to_json(p: Profile) -> str:
    data = dataclasses.asdict(p)
    if p.comparison is not None:
        for ch, d in zip(p.comparison.changes, data["comparison"]["changes"], strict=True):
            d["delta"] = round(ch.delta, 4)
    return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"


# --------------------------------------------------------------------------- HTML

_CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 10px;border-bottom:1px solid #e4e4e4;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.bar{display:inline-block;height:10px;background:#3b82c4;vertical-align:middle}
.faster{color:#13772d}.slower{color:#b3261e}
svg text{font:11px system-ui,sans-serif;fill:#333}
.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
"""
STATUS_COLOURS = {
    "ok": "#4c9f70",
    "changed": "#e0a030",
    "failed": "#c0392b",
    "ignored": "#9b59b6",
    "skipped": "#b0b0b0",
    "unreachable": "#7f1d1d",
}


def _timeline_svg(bars: list[Bar]) -> str:
    hosts = list(dict.fromkeys(b.host for b in bars))
    end = max((b.end for b in bars), default=0.0) or 1.0
    label_w, plot_w, row_h, top = 140, 900, 22, 24
    height = top + row_h * len(hosts) + 10
    parts = [
        f'<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="{label_w + plot_w + 20}" height="{height}" '
        f'viewBox="0 0 {label_w + plot_w + 20} {height}" role="img" aria-label="timeline of the run per host">'
    ]
    # a time axis: ticks at round intervals
    step = next((s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600) if end / s <= 12), 7200)
    t = 0.0
    while t <= end + 1e-9:
        x = label_w + plot_w * t / end
        parts.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 10}" stroke="#eee"/>')
        parts.append(f'<text x="{x:.1f}" y="{top - 10}" text-anchor="middle">{t:g}s</text>')
        t += step
    for i, h in enumerate(hosts):
        y = top + i * row_h
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{html.escape(h)}</text>')
        for b in (b for b in bars if b.host == h):
            x = label_w + plot_w * b.start / end
            w = max(1.0, plot_w * (b.end - b.start) / end)
            colour = STATUS_COLOURS.get(b.status, "#3b82c4")
            title = html.escape(f"{b.host}: {b.task} ({b.status}) {b.end - b.start:.2f} s, at {b.start:.2f} s")
            parts.append(
                f'<rect class="task {html.escape(b.status)}" x="{x:.2f}" y="{y + 3}" width="{w:.2f}" height="{row_h - 6}" '
                f'fill="{colour}" stroke="#fff" stroke-width="0.5"><title>{title}</title></rect>'
            )
    parts.append("</svg>")
    return "\n".join(parts)


def render_html(p: Profile, cwd: str, top: int = 30) -> str:
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>ansopt profile</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>ansopt profile</h1>",
        f"<p>{p.runs} run{'s' if p.runs != 1 else ''} from {e(', '.join(dict.fromkeys(_rel(s, cwd) for s in p.sources)))}"
        + (f"; latest run {e(fmt_seconds(p.total))}" if p.total is not None else "")
        + (f" ({e(_settings_line(p))})" if _settings_line(p) else "")
        + "</p>",
    ]
    if p.timeline:
        out.append("<h2>Timeline of the latest run, per host</h2>")
        out.append(
            '<p class="legend">'
            + "".join(f'<span><i style="background:{c}"></i>{s}</span>' for s, c in STATUS_COLOURS.items())
            + "</p>"
        )
        out.append(_timeline_svg(p.timeline))
    if p.slowest:
        peak = max(m.median for m in p.slowest[:top]) or 1.0
        out.append("<h2>Slowest tasks</h2><p>Median over runs of the slowest host; max on any host.</p>")
        out.append(
            '<table id="slowest"><tr><th>median</th><th></th><th>task</th><th>where</th><th>action</th><th>max</th><th>runs</th><th>hosts</th></tr>'
        )
        for m in p.slowest[:top]:
            out.append(
                f'<tr><td class="n">{e(fmt_seconds(m.median))}</td><td><span class="bar" style="width:{160 * m.median / peak:.0f}px"></span></td>'
                f"<td>{e(m.task)}</td><td>{e(_where(m, cwd))}</td><td>{e(m.action or '?')}</td>"
                f'<td class="n">{e(fmt_seconds(m.max))}</td><td class="n">{m.runs}</td><td class="n">{m.hosts}</td></tr>'
            )
        out.append("</table>")
    for title, shares, ident in (
        ("Time per play", p.plays, "plays"),
        ("Time per role", p.roles, "roles"),
        ("Time per action", p.actions, "actions"),
        ("Fact gathering per host", p.gathering, "gathering"),
    ):
        if not shares:
            continue
        peak = max(s.seconds for s in shares) or 1.0
        out.append(f'<h2>{e(title)}</h2><table id="{ident}">')
        for s in shares[:top]:
            out.append(
                f'<tr><td class="n">{e(fmt_seconds(s.seconds))}</td><td><span class="bar" style="width:{160 * s.seconds / peak:.0f}px"></span></td>'
                f"<td>{e(s.name)}</td></tr>"
            )
        out.append("</table>")
    cmp = p.comparison
    if cmp is not None:
        total = ""
        if cmp.before_total is not None and cmp.after_total is not None:
            total = f": {fmt_seconds(cmp.before_total)} → {fmt_seconds(cmp.after_total)}"
        out.append(f"<h2>The last two runs of {e(_rel(cmp.playbook, cwd))}{e(total)}</h2>")
        out.append(
            '<table id="comparison"><tr><th>change</th><th>task</th><th>where</th><th>before</th><th>after</th></tr>'
        )
        for ch in [c for c in cmp.changes if abs(c.delta) >= 0.05][:top]:
            cls = "faster" if ch.delta < 0 else "slower"
            where = f"{_rel(ch.path, cwd)}:{ch.line}" if ch.line else _rel(ch.path, cwd)
            out.append(
                f'<tr><td class="n {cls}">{cls} {e(fmt_seconds(abs(ch.delta)))}</td><td>{e(ch.task)}</td><td>{e(where)}</td>'
                f'<td class="n">{e(fmt_seconds(ch.before)) if ch.before is not None else "not run"}</td>'
                f'<td class="n">{e(fmt_seconds(ch.after)) if ch.after is not None else "not run"}</td></tr>'
            )
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
