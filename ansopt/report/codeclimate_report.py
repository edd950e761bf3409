"""GitLab Code Quality (a Code Climate subset): a JSON array of issues.

Each issue's fingerprint hashes the rule code, the path, the message and which occurrence
of that (code, path, message) it is in the file, in order; not the line number, so an issue
keeps its fingerprint when lines are added or removed above it and GitLab does not show it
as fixed and new again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import PurePath

from . import ReportContext

SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def fingerprint(code: str, path: str, message: str, occurrence: int) -> str:
    key = "\0".join((code, path, message, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _lines(f) -> dict:
    begin = max(f.line, 1)
    end = max(f.end_line or begin, begin)
    return {"begin": begin, "end": end}


def issues(findings) -> list[dict]:
    seen: Counter = Counter()
    out = []
    for f in findings:
        path = PurePath(f.path).as_posix()
        # a measured finding's seconds change from run to run: its fingerprint must not
        message = re.sub(r"\d+(?:\.\d+)?", "#", f.message) if f.basis == "measured" else f.message
        key = (f.code, path, message)
        occurrence = seen[key]
        seen[key] += 1
        out.append(
            {
                "type": "issue",
                "check_name": f.code,
                "description": f"{f.code} [{f.slug}] {f.message}",
                "categories": ["Performance"],
                "severity": SEVERITIES.get(f.severity, "minor"),
                "fingerprint": fingerprint(f.code, path, message, occurrence),
                "location": {"path": path, "lines": _lines(f)},
                "engine_name": "ansopt",
                **({"content": {"body": f.help}} if f.help else {}),
            }
        )
    return out


def render(findings, ctx: ReportContext) -> str:
    return json.dumps(issues(findings), indent=2, ensure_ascii=False) + "\n"
