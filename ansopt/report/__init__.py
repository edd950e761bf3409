"""Output formats. Each module renders a list of findings to a string.

Formats: text (default), json, sarif, github, codeclimate, junit.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from ..diagnostics import Finding

FORMATS = ("text", "json", "sarif", "github", "codeclimate", "junit")


@dataclass
class ReportContext:
    rules: list = field(default_factory=list)  # every known Rule (for rule metadata)
    cwd: str = "."
    version: str = ""
    files_checked: int = 0
    statistics: bool = False
    color: bool = False
    unsafe_fixes: bool = False
    show_fixes: bool = False  # text: print each finding's help line and fix under it
    after_fix: str = ""  # "", "would" (fix printed a diff) or "did" (fix --write): the findings left


def render(fmt: str, findings: list[Finding], ctx: ReportContext) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    mod = importlib.import_module(f"{__name__}.{fmt}_report")
    return mod.render(findings, ctx)
