"""`# noqa` suppression.

YAML files: ``# noqa`` (everything) or ``# noqa: C101, package-loop`` (codes, slugs or code
prefixes; commas or spaces between them, ansible-lint's ``# noqa package-loop`` form too) in
a comment on the finding's line.

ansible.cfg: ansible-core strips only `;` inline comments (``forks = 20 # x`` makes `20 # x`
the value), so the inline form there is ``pipelining = False ; noqa: C101``. A comment line
(``#`` or ``;``) holding ``noqa: C101`` directly above the finding's line works in both kinds
of file, and is the way to silence a finding reported on a section header or line 1.
"""

from __future__ import annotations

import re

from .selection import matches

_YAML_NOQA = re.compile(
    r"(?:^|\s)#\s*noqa\b(?::?\s*(?P<codes>[A-Za-z0-9_\-]+(?:\s*[, ]\s*[A-Za-z0-9_\-]+)*))?", re.IGNORECASE
)
_CFG_NOQA = re.compile(
    r"(?:^|\s);\s*noqa\b(?::?\s*(?P<codes>[A-Za-z0-9_\-]+(?:\s*[, ]\s*[A-Za-z0-9_\-]+)*))?", re.IGNORECASE
)
_LINE_NOQA = re.compile(
    r"^\s*[#;]\s*noqa\b(?::?\s*(?P<codes>[A-Za-z0-9_\-]+(?:\s*[, ]\s*[A-Za-z0-9_\-]+)*))?\s*$", re.IGNORECASE
)


def _codes(m: re.Match[str]) -> list[str] | None:
    """None means a bare noqa (suppress everything)."""
    codes = m.group("codes")
    if not codes:
        return None
    return [c for c in re.split(r"[\s,]+", codes) if c]


def _covers(codes: list[str] | None, code: str, slug: str) -> bool:
    if codes is None:
        return True
    return any(matches(code, slug, c) or c.upper() == code for c in codes)


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
