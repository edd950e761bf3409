"""A JSON array of findings, each with its fix (edits, data changes and safety)."""

from __future__ import annotations

import json
import os

from . import ReportContext


def _display(path: str, cwd: str) -> str:
    """Edits of another file carry an absolute path: show it like the findings' paths."""
    if os.path.isabs(path):
        rel = os.path.relpath(path, cwd)
        return path if rel.startswith("..") else rel
    return path


def finding_dict(f, cwd: str = ".") -> dict:
    d = {
        "code": f.code,
        "slug": f.slug,
        "path": f.path,
        "line": f.line,
        "col": f.col,
        "end_line": f.end_line or f.line,
        "end_col": f.end_col or f.col,
        "span": {"start": f.span.start, "end": f.span.end},
        "severity": f.severity,
        "message": f.message,
        "help": f.help,
        "basis": f.basis,
        "fix": None,
    }
    if f.measured_s is not None:
        d["measured_seconds"] = f.measured_s
    if f.extra:
        d["extra"] = {k: v for k, v in f.extra}
    if f.fix is not None:
        d["fix"] = {
            "safety": f.fix.safety,
            "description": f.fix.description,
            "edits": [
                {
                    "path": _display(e.path, cwd) if e.path else f.path,
                    "start": e.span.start,
                    "end": e.span.end,
                    "replacement": e.replacement,
                }
                for e in f.fix.edits
            ],
            "changes": [
                {"path": _display(p, cwd) if p else f.path, "op": c.op, "at": list(c.path), "value": c.value}
                for p, cs in f.fix.changes
                for c in cs
            ],
        }
    return d


def render(findings, ctx: ReportContext) -> str:
    return json.dumps([finding_dict(f, ctx.cwd) for f in findings], indent=2, default=str, ensure_ascii=False) + "\n"
