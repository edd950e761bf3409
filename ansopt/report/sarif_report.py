"""SARIF 2.1.0: one run, the rules as reporting descriptors, each finding a result.

Locations are relative to the `%SRCROOT%` base (the working directory, also given as a
file:// URI in `originalUriBaseIds`). Regions are 1-based lines and columns counted in
code points (`columnKind: unicodeCodePoints`), with the exclusive end of the finding's span
as `endLine`/`endColumn`. A finding with a fix carries a SARIF `fix`: one artifact change
per file it edits, each edit a replacement whose `deletedRegion` is given as
`charOffset`/`charLength` (code points into the file text, as `Span` holds them).

Parse errors (E001), fixes that could not be applied (E002) and internal errors (E003) are
no rules; they get reporting descriptors of their own after the real rules.
"""

from __future__ import annotations

import inspect
import json
import os
from pathlib import Path, PurePath
from urllib.parse import quote

from ..diagnostics import FIX_FAILED_CODE, FIX_FAILED_SLUG, PARSE_ERROR_CODE, PARSE_ERROR_SLUG
from . import ReportContext

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
# No public home page yet; the project's metadata (a Home-page or Project-URL) wins.
DEFAULT_INFORMATION_URI = "https://ansopt.invalid/"

LEVELS = {"error": "error", "warning": "warning", "info": "note"}

# (code, slug, summary, description) of the findings that come from no rule.
SYNTHETIC_RULES = (
    (
        PARSE_ERROR_CODE,
        PARSE_ERROR_SLUG,
        "The file could not be read or parsed.",
        "ansopt could not decode or parse this file (YAML, or ansible.cfg as ansible-core reads it), "
        "so no rule checked it. Fix the syntax error; ansible-core would fail on it too.",
    ),
    (
        FIX_FAILED_CODE,
        FIX_FAILED_SLUG,
        "A fix was not applied: its result did not verify.",
        "The fix's result did not pass ansopt's verification (bytes outside the edits kept, the file "
        "still parses, its data changed exactly as the fix declares), so the file was left unchanged. "
        "Apply the advice by hand, and please report the case.",
    ),
    (
        "E003",
        "internal-error",
        "A rule crashed.",
        "A rule raised an exception; its findings for this run are missing. Please report it with the message shown.",
    ),
)


def information_uri() -> str:
    try:
        from importlib.metadata import metadata

        md = metadata("ansopt")
    except Exception:  # PackageNotFoundError or a broken install
        return DEFAULT_INFORMATION_URI
    home = (md.get_all("Home-page") or [None])[0]
    if home and home.strip().lower() != "unknown":
        return home.strip()
    for entry in md.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "home", "documentation", "source", "repository") and url.strip():
            return url.strip()
    return DEFAULT_INFORMATION_URI


def root_uri(cwd: str) -> str:
    uri = Path(os.path.abspath(cwd)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def artifact_location(path: str, cwd: str) -> dict:
    """A path as an artifactLocation: relative to %SRCROOT% when inside it, else absolute."""
    if os.path.isabs(path):
        try:
            rel = os.path.relpath(path, cwd)
        except ValueError:  # another drive on Windows
            rel = None
        if rel is None or rel == ".." or rel.startswith(".." + os.sep):
            return {"uri": Path(path).as_uri()}
        path = rel
    posix = PurePath(path).as_posix()
    return {"uri": quote(posix, safe="/"), "uriBaseId": SRCROOT}


def _region(f) -> dict:
    start_line = max(f.line, 1)
    start_col = max(f.col, 1)
    end_line, end_col = start_line, start_col
    if f.end_line:
        end_line, end_col = f.end_line, max(f.end_col, 1)
        if (end_line, end_col) < (start_line, start_col):
            end_line, end_col = start_line, start_col
    return {"startLine": start_line, "startColumn": start_col, "endLine": end_line, "endColumn": end_col}


def _text(s: str, fallback: str) -> dict:
    return {"text": s if s else fallback}


def rule_descriptor(rule) -> dict:
    doc = inspect.cleandoc(rule.doc) if rule.doc else ""
    summary = rule.summary or rule.slug
    return {
        "id": rule.code,
        "name": rule.slug,
        "shortDescription": _text(summary, rule.slug),
        "fullDescription": _text(doc, summary),
        "help": _text(doc, summary),
        "defaultConfiguration": {"level": LEVELS.get(rule.severity, "warning")},
        "properties": {
            "fixSafety": rule.fix,  # "safe", "unsafe" or None (no fix)
            "fixable": rule.fix is not None,
            "tags": ["performance", "ansible"],
        },
    }


def _synthetic_descriptor(code: str, slug: str, summary: str, description: str) -> dict:
    return {
        "id": code,
        "name": slug,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": description},
        "help": {"text": description},
        "defaultConfiguration": {"level": "error"},
        "properties": {"fixSafety": None, "fixable": False, "tags": ["ansopt-error"]},
    }


def _fix(f, cwd: str) -> dict:
    by_file: dict[str, list] = {}
    for e in f.fix.edits:
        by_file.setdefault(e.path or f.path, []).append(e)
    changes = []
    for path, edits in by_file.items():
        changes.append(
            {
                "artifactLocation": artifact_location(path, cwd),
                "replacements": [
                    {
                        "deletedRegion": {"charOffset": e.span.start, "charLength": e.span.end - e.span.start},
                        "insertedContent": {"text": e.replacement},
                    }
                    for e in sorted(edits, key=lambda e: (e.span.start, e.span.end))
                ],
            }
        )
    return {"description": {"text": f"{f.fix.description} ({f.fix.safety} fix)"}, "artifactChanges": changes}


def result(f, rule_index: dict[str, int], cwd: str) -> dict:
    r: dict = {"ruleId": f.code}
    if f.code in rule_index:
        r["ruleIndex"] = rule_index[f.code]
    r["level"] = LEVELS.get(f.severity, "warning")
    r["message"] = {"text": f.message or f.slug}
    r["locations"] = [{"physicalLocation": {"artifactLocation": artifact_location(f.path, cwd), "region": _region(f)}}]
    props: dict = {"slug": f.slug, "basis": f.basis}
    if f.measured_s is not None:
        props["measuredSeconds"] = f.measured_s
    if f.help:
        props["help"] = f.help
    if f.fix is not None:
        r["fixes"] = [_fix(f, cwd)]
        props["fixSafety"] = f.fix.safety
    if f.extra:
        props["extra"] = {k: v for k, v in f.extra}
    r["properties"] = props
    return r


def sarif_log(findings, ctx: ReportContext) -> dict:
    cwd = os.path.abspath(ctx.cwd or ".")
    descriptors = [rule_descriptor(r) for r in ctx.rules]
    known = {d["id"] for d in descriptors}
    descriptors += [_synthetic_descriptor(*s) for s in SYNTHETIC_RULES if s[0] not in known]
    rule_index = {d["id"]: i for i, d in enumerate(descriptors)}
    driver: dict = {"name": "ansopt", "informationUri": information_uri(), "rules": descriptors}
    if ctx.version:
        driver["version"] = ctx.version
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SRCROOT: {"uri": root_uri(cwd)}},
        "columnKind": "unicodeCodePoints",
        "results": [result(f, rule_index, cwd) for f in findings],
    }
    return {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render(findings, ctx: ReportContext) -> str:
    return json.dumps(sarif_log(findings, ctx), indent=2, default=str, ensure_ascii=False) + "\n"
