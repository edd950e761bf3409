"""Rule selection: which rules a selector names, and which rules a run uses.

A selector is a rule code (`C101`), a code prefix (`C`, `C1`), a slug
(`pipelining-disabled`) or `ALL`. The command line, the settings (select, ignore,
per-file-ignores) and `# noqa` comments all match rules through this module.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .rules import Rule, all_rules

if TYPE_CHECKING:
    from .settings import Settings


def by_code_or_slug(name: str) -> Rule | None:
    for r in all_rules():
        if name.upper() == r.code or name == r.slug:
            return r
    return None


def matches(rule_code: str, rule_slug: str, selector: str) -> bool:
    """A selector is a code (`C101`), a code prefix (`C`, `C1`), a slug, or `ALL`."""
    s = selector.strip()
    if not s:
        return False
    if s.upper() == "ALL":
        return True
    if s == rule_slug:
        return True
    return rule_code.startswith(s.upper()) and bool(re.fullmatch(r"[A-Za-z]\d{0,3}", s))


def is_selector(selector: str) -> bool:
    """True when a selector names at least one rule. Parse errors and failed fixes (E001,
    E002) are not rules: they cannot be selected or ignored."""
    if selector.upper() == "ALL":
        return True
    return any(matches(r.code, r.slug, selector) for r in all_rules())


def selected_rules(settings: Settings, select=None, ignore=None, extend_select=None) -> list[Rule]:
    """The rules to run. Without any `select`, the default rules (those whose module does not
    set DEFAULT = False). As in ruff: `--select` on the command line replaces the settings'
    `select` and `extend-select`; `ignore` from both applies, except to a rule the command
    line names by its exact code or slug."""
    sel: list[str] | None
    if select:
        sel, ext = list(select), list(extend_select or [])
    else:
        sel = settings.select  # None: the default selection
        ext = list(settings.extend_select) + list(extend_select or [])
    named = {s.strip().upper() for s in list(select or []) + list(extend_select or [])} | {
        s.strip() for s in list(select or []) + list(extend_select or [])
    }
    out = []
    for r in all_rules():
        chosen = (r.default if sel is None else any(matches(r.code, r.slug, s) for s in sel)) or any(
            matches(r.code, r.slug, s) for s in ext
        )
        if not chosen:
            continue
        if any(matches(r.code, r.slug, s) for s in ignore or []):
            continue
        if any(matches(r.code, r.slug, s) for s in settings.ignore) and not (r.code in named or r.slug in named):
            continue
        out.append(r)
    return out


def measured_rules(settings: Settings, select=None, ignore=None, extend_select=None) -> list[Rule]:
    """The opt-in rules that join the default selection when recorded timings exist
    (DEFAULT_WHEN_MEASURED): only without a `select`, and unless ignored."""
    if select or settings.select is not None:
        return []
    out = []
    for r in all_rules():
        if not r.default_when_measured:
            continue
        if any(matches(r.code, r.slug, s) for s in list(ignore or []) + list(settings.ignore)):
            continue
        out.append(r)
    return out
