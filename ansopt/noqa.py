"""`# noqa` suppression.

YAML files: ``# noqa`` (everything) or ``# noqa: C101, package-loop`` (codes, slugs or code
prefixes; commas or spaces between them, ansible-lint's ``# noqa package-loop`` form too) in
a comment on the finding's line. The spelling of ansopt's ansible-lint rule works too:
``# noqa: ansopt[package-loop]`` (or ``ansopt[P101]``) for one rule, ``# noqa: ansopt`` for all.

ansible.cfg: ansible-core strips only `;` inline comments (``forks = 20 # x`` makes `20 # x`
the value), so the inline form there is ``pipelining = False ; noqa: C101``. A comment line
(``#`` or ``;``) holding ``noqa: C101`` directly above the finding's line works in both kinds
of file, and is the way to silence a finding reported on a section header or line 1.
"""

from __future__ import annotations

import re

from .selection import matches

_TOKEN = r"[A-Za-z0-9_\-]+(?:\[[A-Za-z0-9_\-]+\])?"
_CODES = rf"(?::?\s*(?P<codes>{_TOKEN}(?:\s*[, ]\s*{_TOKEN})*))?"
_YAML_NOQA = re.compile(r"(?:^|\s)#\s*noqa\b" + _CODES, re.IGNORECASE)
_CFG_NOQA = re.compile(r"(?:^|\s);\s*noqa\b" + _CODES, re.IGNORECASE)
_LINE_NOQA = re.compile(r"^\s*[#;]\s*noqa\b" + _CODES + r"\s*$", re.IGNORECASE)
_LINT_TAG = re.compile(r"(?i)^ansopt(?:\[(?P<rule>[A-Za-z0-9_\-]+)\])?$")  # the ansible-lint rule's tags


def _codes(m: re.Match[str]) -> list[str] | None:
    """None means a bare noqa (suppress everything)."""
    codes = m.group("codes")
    if not codes:
        return None
    return [c for c in re.split(r"[\s,]+", codes) if c]


def _covers(codes: list[str] | None, code: str, slug: str) -> bool:
    if codes is None:
        return True
    for c in codes:
        tag = _LINT_TAG.match(c)
        if tag is not None:
            if tag.group("rule") is None:
                return True  # a bare `ansopt` tag: every ansopt finding
            c = tag.group("rule")
        if matches(code, slug, c) or c.upper() == code:
            return True
    return False


def suppressed(lines: list[str], line: int, code: str, slug: str, cfg: bool) -> bool:
    """Is a finding with `code`/`slug` on 1-based `line` suppressed in a file of `lines`?"""
    if not (1 <= line <= len(lines)):
        return False
    text = lines[line - 1]
    inline = _CFG_NOQA if cfg else _YAML_NOQA
    m = inline.search(text)
    if m and _covers(_codes(m), code, slug):
        return True
    if line >= 2:
        m = _LINE_NOQA.match(lines[line - 2])
        if m and _covers(_codes(m), code, slug):
            return True
    return False
