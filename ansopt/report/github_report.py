"""GitHub Actions workflow commands: one `::error|warning|notice ...::message` per finding.

GitHub shows each as an annotation on the file and line. Escaping follows the runner's
rules: in the message (data) `%`, CR and LF are percent-encoded; in properties `:` and `,`
are too. Columns are given only when the finding starts and ends on the same line (GitHub
annotations support columns on a single line only).
"""

from __future__ import annotations

from pathlib import PurePath

from . import ReportContext

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def _position(f) -> tuple[int, int, int, int]:
    line, col = max(f.line, 1), max(f.col, 1)
    end_line, end_col = line, col
    if f.end_line:
        end_line, end_col = f.end_line, max(f.end_col, 1)
        if (end_line, end_col) < (line, col):
            end_line, end_col = line, col
    return line, col, end_line, end_col


def line_for(f) -> str:
    line, col, end_line, end_col = _position(f)
    props = [("file", PurePath(f.path).as_posix()), ("line", str(line))]
    if end_line == line:
        props += [("col", str(col)), ("endLine", str(end_line)), ("endColumn", str(end_col))]
    else:
        props += [("endLine", str(end_line))]
    props.append(("title", f"{f.code} [{f.slug}]"))
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    text = f.message + (f"\nhelp: {f.help}" if f.help else "")
    return f"::{COMMANDS.get(f.severity, 'warning')} {head}::{escape_data(text)}"


def render(findings, ctx: ReportContext) -> str:
    if not findings:
        return ""
    return "\n".join(line_for(f) for f in findings) + "\n"
