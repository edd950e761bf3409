"""`path:line:col: CODE [slug] message`, one finding per line, then a summary line."""

from __future__ import annotations

from collections import Counter

from ..diagnostics import PARSE_ERROR_CODE
from . import ReportContext

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_RED = "\x1b[31m"
_YELLOW = "\x1b[33m"
_CYAN = "\x1b[36m"
_DIM = "\x1b[2m"


def _c(text: str, code: str, on: bool) -> str:
    return f"{code}{text}{_RESET}" if on else text


def line_for(f, color: bool = False) -> str:
    loc = _c(f"{f.path}:{f.line}:{f.col}:", _BOLD, color)
    if f.code == PARSE_ERROR_CODE:
        return f"{loc} {_c('parse error:', _RED, color)} {f.message}"
    code = _c(f.code, _RED if f.severity == "error" else _YELLOW, color)
    mark = ""
    if f.fix is not None:
        mark = " " + _c("[*]" if f.fix.safety == "safe" else "[!]", _CYAN, color)
    return f"{loc} {code} {_c('[' + f.slug + ']', _DIM, color)}{mark} {f.message}"


def summary(findings, ctx: ReportContext) -> str:
    checked = f"{ctx.files_checked} file{'s' if ctx.files_checked != 1 else ''} checked"
    if ctx.after_fix:
        left = "would be left" if ctx.after_fix == "would" else "left"
        if not findings:
            return f"No findings {left} ({checked})."
        files = len({f.path for f in findings})
        return f"{len(findings)} finding{'s' if len(findings) != 1 else ''} {left} in {files} file{'s' if files != 1 else ''} ({checked})."
    if not findings:
        return f"All checks passed ({checked})."
    files = len({f.path for f in findings})
    safe = sum(1 for f in findings if f.fix is not None and f.fix.safety == "safe")
    unsafe = sum(1 for f in findings if f.fix is not None and f.fix.safety == "unsafe")
    parts = [
        f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''} in {files} file{'s' if files != 1 else ''} ({ctx.files_checked} checked)."
    ]
    if safe:
        parts.append(f"[*] {safe} fixable with `ansopt fix --write`.")
    if unsafe:
        parts.append(f"[!] {unsafe} more with `--unsafe-fixes`.")
    return " ".join(parts)


def statistics(findings) -> str:
    counts = Counter((f.code, f.slug) for f in findings)
    safe = Counter((f.code, f.slug) for f in findings if f.fix is not None and f.fix.safety == "safe")
    unsafe = Counter((f.code, f.slug) for f in findings if f.fix is not None and f.fix.safety != "safe")
    rows = []
    for (code, slug), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        star = "[*]" if safe[(code, slug)] else "[!]" if unsafe[(code, slug)] else "   "
        rows.append(f"{n:>5}  {code:<5} {star} {slug}")
    return "\n".join(rows)


def help_lines(f, color: bool = False) -> list[str]:
    """The lines `--show-fixes` prints under a finding: what to do, and the fix offered."""
    out = []
    if f.help:
        out.append(f"  {_c('help:', _CYAN, color)} {f.help}")
    if f.fix is not None and f.fix.description:
        how = "`ansopt fix`" if f.fix.safety == "safe" else "`ansopt fix --unsafe-fixes`"
        out.append(f"  {_c('fix:', _CYAN, color)} {f.fix.description} ({f.fix.safety}, {how})")
    return out


def render(findings, ctx: ReportContext) -> str:
    out = []
    for f in findings:
        out.append(line_for(f, ctx.color))
        if ctx.show_fixes:
            out.extend(help_lines(f, ctx.color))
    if ctx.statistics and findings:
        out.append("")
        out.append(statistics(findings))
    out.append(summary(findings, ctx))
    return "\n".join(out) + "\n"
